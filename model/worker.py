"""Worker Ms: ordinary events written inside traceAcquire/traceRelease.

A critical section is ``traceAcquire``, the section's own event, and
``traceRelease``; in releases whose ``traceAcquire`` is reentrant (go1.24 on), up to
``nested`` nested traceAcquire/event/traceRelease pairs run inside it, before the
section's own event or after it (``model/releases.py``; where nesting happens is
below).  What each step does, as Go has it:

* ``traceAcquire`` (traceruntime.go, go1.23 on; trace2runtime.go in go1.22):
  ``if !traceEnabled() { return traceLocker{} }``, before anything else: a step of
  its own (``traceAcquire.traceEnabled``), which reads ``trace.enabled`` (go1.22:
  ``trace.gen != 0``) and, when false, returns a locker that is not ok without
  touching the M: no ``acquirem``, no marker, no ``reentered``.  Then
  ``traceAcquireEnabled``: ``mp := acquirem()`` (``m.locks++``), and either the
  reentrant path (go1.24 on, the M's marker already held) or the marker's take, the
  load of ``trace.gen`` and, on gen 0, the undo (``seqlock.Add(1); releasem(mp)``).
* The reentrant path (go1.24 on): ``mp.trace.reentered++; return traceLocker{mp,
  trace.gen.Load()}`` (go1.24, go1.25) or ``traceLocker{mp, mp.trace.entryGen}``
  (go1.26, go1.27).  ``acquirem()`` has already run.  The caller writes and calls
  ``traceRelease`` only ``if trace.ok()``: a locker of gen 0 is dropped, and with it
  the ``reentered`` count and the ``m.locks`` count it added.
* ``traceRelease``: ``if reentered > 0 { reentered-- } else`` release the marker,
  then ``releasem(tl.mp)`` (``m.locks--``).
* go1.22 nests nothing; go1.23's nesting sites call ``traceTryAcquire``, which
  returns no locker while the M's seqlock is odd, so the nested event is dropped:
  no step changes anything, so the model has none.

``m.locks`` is the field ``W*.locks``: only the tracer's ``acquirem``/``releasem``
pairs move it in the model (the M holds no other lock across these steps).  A
count left above 0 when a section is over is what ``locks-balanced`` rules out: in
Go the goroutine can no longer be preempted (preempt.go ``canPreemptM`` needs
``mp.locks == 0``), and its next park throws "schedule: holding locks" (proc.go
``schedule``).

Where nesting happens (go1.24, go1.25; the same sites in go1.26, go1.27): the
nested ``traceAcquire`` calls are the alloc/free events, each behind
``traceAllocFreeEnabled()``, which reads ``trace.enabledWithAllocFree``:
StartTrace sets it when ``GODEBUG=traceallocfree=1`` (trace.go ``if
debug.traceallocfree.Load() != 0``, runtime1.go ``debug.traceallocfree``), and
``traceAdvance(stop)`` clears it only after ``traceStopReadCPU``, long after
``trace.gen.Store(0)``.  The sites are stack.go ``stackalloc``/``stackfree`` (a stack
grows or shrinks at any call in a section, the event's own ``tl.stack`` included,
so after the section's own event too) and the heap sites in mheap.go, malloc.go and
mgcsweep.go.  ``traceAcquire``, ``traceAcquireEnabled`` and ``traceRelease`` are
``//go:nosplit`` (traceruntime.go), so nothing nests inside them: before the section's
own event and after it are every point a nested pair can come.

The bound ``nested`` is that switch: 0 is ``traceallocfree=0`` (the default: nothing
nests), ``n >= 1`` is ``traceallocfree=1`` with up to ``n`` nested pairs per section,
each before or after the section's own event.  The CPU reader
goroutine's section nests as well (traceReadCPU's 1 KiB ``pcBuf`` on its stack);
the model's reader has no nested pairs (see ``model/reader.py``).
"""

from __future__ import annotations

from gentrace.model.context import Ctx, TraceBuf
from gentrace.model.layout import Pcs, Step
from gentrace.model.releases import NESTED_ENTRY, NESTED_FRESH
from gentrace.model.values import Val, any_of, ite, neg

ACQ = "trace2runtime.go traceAcquireEnabled"
# The GODEBUG setting that makes code inside a section call traceAcquire again.
ALLOCFREE = ("GODEBUG=traceallocfree=1 (runtime1.go debug.traceallocfree; trace.go StartTrace "
             "sets trace.enabledWithAllocFree; traceruntime.go traceAllocFreeEnabled)")


def releasem(v: Val) -> Val:
    """``mp.locks--``.  Every reachable release holds a count (locks-balanced's lemma says
    which); at 0, where only a search that forgets the field (a cone of influence for another
    property) can step, it stays 0 so the field keeps its range."""
    return ite(v == 0, 0, v - 1)


class Worker:
    """One M that runs ``sections`` critical sections, each writing one event of its own."""

    def __init__(self, ctx: Ctx, name: str) -> None:
        self.ctx, self.name = ctx, name
        L, b, d = ctx.L, ctx.bounds, ctx.design
        mode = d.nested_override or ctx.rel.nested
        if mode == NESTED_FRESH and d.nested_entry_gen:
            mode = NESTED_ENTRY
        self.mode = mode
        self.reentrant = mode in (NESTED_FRESH, NESTED_ENTRY)
        self.nests = b.nested if self.reentrant else 0
        self.pcs = pcs = Pcs()
        self.ACQ_EN = pcs("enabled")
        self.ACQ_INC, self.ACQ_LOAD, self.ACQ_UNDO = pcs("acquire"), pcs("load-gen"), pcs("undo")
        if self.reentrant:
            self.REENTER = pcs("reenter-load-gen")
        if self.nests:
            self.N_ENABLED = pcs("nested.enabled")
            if mode == NESTED_FRESH:
                self.N_LOAD = pcs("nested.load-gen")
            self.N_WRITE = pcs("nested.write")
        self.WRITE, self.RELEASE, self.DONE = pcs("write"), pcs("release"), pcs("done")
        self.unbounded = ctx.unbounded
        start = self.ACQ_EN if b.sections or ctx.unbounded else self.DONE
        self.pc = L.add(f"{name}.pc", start, len(pcs.names) - 1, labels=pcs.names)
        # Unbounded: no count; the M may stop before any section (step "exit").
        self.done_sections = None if ctx.unbounded else L.add(f"{name}.sections", 0, b.sections)
        self.g = L.add(f"{name}.gen", 0, b.top, gen=True)
        self.seq = L.add(f"{name}.seqlock", 0, 1)
        # Per section at most one acquirem of the outer acquire and one per nested pair.
        # Unbounded: a design that never leaks stays within one section's; the proofs'
        # range invariants check that it does.
        per = (b.nested if self.reentrant else 0) + 1
        self.locks = L.add(f"{name}.locks", 0, per * (1 if ctx.unbounded else max(b.sections, 1)))
        if self.reentrant:
            most = (b.nested + 1) * (1 if ctx.unbounded else b.sections)
            self.reentered = L.add(f"{name}.reentered", 0, most)
        if self.nests:
            self.nested_done = L.add(f"{name}.nested", 0, self.nests)
            self.ng = L.add(f"{name}.nested.gen", 0, b.top, gen=True)
            # Whether this section's own event is written: where a nested pair returns to.
            self.wrote = L.add(f"{name}.wrote", 0, 1)
        self.buf: list[TraceBuf] = [ctx.trace_buf(f"{name}.buf[{p}]", "event") for p in range(2)]
        self.last = ctx.order_field(name)
        self.idle: int | None = None  # set by the handler attached to this M

    def outside(self, s) -> Val:  # type: ignore[no-untyped-def]
        """The M is outside every section: before its acquirem, or done."""
        return any_of(s[self.pc] == self.ACQ_EN, s[self.pc] == self.ACQ_INC, s[self.pc] == self.DONE)

    def steps(self) -> list[Step]:
        c, me = self.ctx, self
        sections = c.bounds.sections
        ref = c.ref
        acq = ref(ACQ)

        def st(name: str, go: str, pc: int, update, guard=None) -> Step:  # type: ignore[no-untyped-def]
            return Step(thread=me.name, name=name, go=ref(go), pc_field=me.pc, pc=pc,
                        update=update, guard=guard, idle_field=me.idle)

        def event(s, upd: dict[int, Val], g: Val, cond: Val = True) -> None:  # type: ignore[no-untyped-def]
            """Write one event of generation ``g`` into buf[g%2] (when ``cond``)."""
            sub: dict[int, Val] = {}
            c.write_parity(s, sub, me.buf, g, g)
            for f, v in sub.items():
                upd[f] = ite(cond, v, s[f])
            c.note_event(s, upd, me.last, g, cond)

        def write(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {me.pc: me.RELEASE}
            if me.nests:
                upd[me.wrote] = 1
            event(s, upd, s[me.g])
            return upd

        def enabled(s):  # type: ignore[no-untyped-def]
            # traceAcquire: if !traceEnabled() { return traceLocker{} }: the locker is not
            # ok, so the M writes nothing more (as after the undo).
            return {me.pc: ite(c.traced(s), me.ACQ_INC, me.DONE)}

        def acquire(s):  # type: ignore[no-untyped-def]
            locks = s[me.locks] + 1  # acquirem()
            if not me.reentrant:
                return {me.seq: c.seq_take(s[me.seq]), me.locks: locks, me.pc: me.ACQ_LOAD}
            # go1.24 on: an M whose marker is still set (a leaked nested locker)
            # takes the reentrant path even for its outermost acquire.
            held = s[me.seq] == 1
            return {me.seq: ite(held, s[me.seq], c.seq_take(s[me.seq])),
                    me.reentered: ite(held, s[me.reentered] + 1, s[me.reentered]),
                    me.locks: locks, me.pc: ite(held, me.REENTER, me.ACQ_LOAD)}

        def next_section(s, upd: dict[int, Val]) -> None:  # type: ignore[no-untyped-def]
            if me.done_sections is None:
                upd[me.pc] = me.ACQ_EN
            else:
                n = s[me.done_sections] + 1
                upd[me.done_sections] = n
                upd[me.pc] = ite(n == sections, me.DONE, me.ACQ_EN)
            if me.nests:
                upd[me.nested_done] = 0
                upd[me.wrote] = 0

        def release(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {me.g: 0, me.locks: releasem(s[me.locks])}  # releasem(tl.mp)
            if me.reentrant:
                nested = s[me.reentered] > 0
                upd[me.reentered] = ite(nested, s[me.reentered] - 1, 0)
                upd[me.seq] = ite(nested, s[me.seq], c.seq_drop(s[me.seq]))
            else:
                upd[me.seq] = c.seq_drop(s[me.seq])
            next_section(s, upd)
            return upd

        take = c.seq_take_go()
        if me.reentrant:
            take = (f"if {c.rel.seqlock} is held {{ mp.trace.reentered++ }} else {{ {take} }} "
                    "(the M's own marker: load and update are one step)")
        out = [
            st("traceAcquire.traceEnabled", f"{ref('trace2runtime.go traceAcquire')}: if "
               "!traceEnabled() { return traceLocker{} } (not ok: the M writes no more)",
               me.ACQ_EN, enabled),
            st("traceAcquire.seqlock-inc", f"{acq}: mp := acquirem(); {take}", me.ACQ_INC, acquire),
            st("traceAcquire.load-gen", f"{acq}: gen := trace.gen.Load()",
               me.ACQ_LOAD, lambda s: {me.g: s[c.gen],
                                       me.pc: ite(s[c.gen] == 0, me.ACQ_UNDO, me.WRITE)}),
            st("traceAcquire.undo", f"{acq}: gen == 0, so {c.seq_drop_go()}; releasem(mp); "
               "report not tracing", me.ACQ_UNDO,
               lambda s: {me.seq: c.seq_drop(s[me.seq]), me.locks: releasem(s[me.locks]), me.pc: me.DONE}),
        ]
        if me.reentrant:
            fresh = "trace.gen.Load()" if me.mode == NESTED_FRESH else "mp.trace.entryGen"
            out.append(st("traceAcquire.reentrant-load-gen",
                          f"{acq}: return traceLocker{{mp, {fresh}}}; the caller writes and releases "
                          "only if ok(), so a locker of gen 0 keeps its reentered and m.locks counts",
                          me.REENTER, lambda s: {me.g: s[c.gen],
                                                 me.pc: ite(s[c.gen] == 0, me.DONE, me.WRITE)}))
        if me.nests:
            out += me.nested_steps(st, event)
        # Writing into the M's own buffer touches no location another thread
        # writes (traceAdvance flushes buf[g%2] only once the M is seen even),
        # and a refill's traceBufFlush is one trace.lock critical section: one step.
        out.append(st("event.write", "trace2buf.go traceWriter.ensure/refill: write an event into "
                      "mp.trace.buf[gen%2], flushing a full batch", me.WRITE, write))
        if me.unbounded:
            out.append(st("exit", "the M writes no more events (a worker runs any number of "
                          "sections)", me.ACQ_EN, lambda s: {me.pc: me.DONE}))
        rel = ref("trace2runtime.go traceRelease")
        what = (f"if tl.mp.trace.reentered > 0 {{ reentered-- }} else {{ {c.seq_drop_go()} }}"
                if me.reentrant else c.seq_drop_go())
        out.append(st("traceRelease", f"{rel}: {what}; releasem(tl.mp)", me.RELEASE, release))
        return out

    def nested_steps(self, st, event) -> list[Step]:  # type: ignore[no-untyped-def]
        """Up to ``nested`` nested traceAcquire / event / traceRelease pairs per section,
        each before or after the section's own event (under GODEBUG=traceallocfree=1)."""
        c, me = self.ctx, self
        acq = c.ref(ACQ)
        fresh = me.mode == NESTED_FRESH

        def pair_done(s, upd: dict[int, Val], done: Val) -> None:  # type: ignore[no-untyped-def]
            """When ``done``, this pair is over: back to where the section was."""
            upd[me.nested_done] = ite(done, s[me.nested_done] + 1, s[me.nested_done])
            back = ite(s[me.wrote] == 1, me.RELEASE, me.WRITE)
            upd[me.pc] = ite(done, back, upd[me.pc])

        def enabled(s):  # type: ignore[no-untyped-def]
            # traceEnabled() false: traceLocker{} and no event (no acquirem).  Otherwise
            # acquirem(); the M's marker is held: reentered++, and go1.26's locker takes
            # mp.trace.entryGen.
            on = c.traced(s)
            upd: dict[int, Val] = {me.reentered: ite(on, s[me.reentered] + 1, s[me.reentered]),
                                   me.locks: ite(on, s[me.locks] + 1, s[me.locks]),
                                   me.pc: me.N_LOAD if fresh else me.N_WRITE}
            if not fresh:
                upd[me.ng] = ite(on, s[me.g], 0)
            pair_done(s, upd, neg(on))
            return upd

        more = lambda s: s[me.nested_done] < me.nests  # noqa: E731
        go_en = ("stack.go stackalloc/stackfree (or an mheap, malloc or sweep site), under "
                 "GODEBUG=traceallocfree=1: if traceAllocFreeEnabled() { trace := traceAcquire() }; "
                 f"{c.ref('trace2runtime.go')} traceAcquire: if !traceEnabled() {{ return "
                 "traceLocker{} }; acquirem(); the M's marker is held: mp.trace.reentered++")
        out = [st("nested.traceEnabled", f"before the section's own event: {go_en}", me.WRITE,
                  enabled, guard=more),
               st("nested.traceEnabled(after)", f"after the section's own event (e.g. stack growth "
                  f"in tl.stack): {go_en}", me.RELEASE, enabled, guard=more)]
        if fresh:
            def load(s):  # type: ignore[no-untyped-def]
                # Gen 0: not ok, so the caller neither writes nor calls traceRelease,
                # and the reentered and m.locks counts it added stay.
                g = s[c.gen]
                upd: dict[int, Val] = {me.ng: g, me.pc: me.N_WRITE}
                pair_done(s, upd, g == 0)
                return upd
            out.append(st("nested.load-gen", f"{acq} (reentrant): return traceLocker{{mp, "
                          "trace.gen.Load()}; the caller writes and releases only if trace.ok()",
                          me.N_LOAD, load))

        def write(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {me.ng: 0, me.reentered: s[me.reentered] - 1,
                                   me.locks: releasem(s[me.locks]), me.pc: me.WRITE}
            event(s, upd, s[me.ng])
            pair_done(s, upd, True)
            return upd
        out.append(st("nested.write+release", "trace2buf.go: the nested event into mp.trace.buf[gen%2] "
                      f"with the nested locker's gen; {c.ref('trace2runtime.go')} traceRelease: "
                      "reentered--; releasem (all the M's own state: one step)", me.N_WRITE, write))
        return out
