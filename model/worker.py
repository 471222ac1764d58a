"""Worker Ms: ordinary events written inside traceAcquire/traceRelease.

A critical section is ``traceAcquire``, then ``nested`` nested pairs (Go 1.24 on:
code that runs inside a section, such as a stack allocation under
``GODEBUG=traceallocfree=1``, calls ``traceAcquire`` again and writes its own
event), then the section's own event, then ``traceRelease``.  What a nested
acquire does is the release's (``model/releases.py``):

* go1.22: nothing nests; go1.23: ``traceTryAcquire`` returns no locker while the
  M's seqlock is odd, so the nested event is dropped: no step changes anything,
  so the model has none.
* go1.24 and go1.25: ``if !traceEnabled() { return }``; on an odd seqlock
  ``mp.trace.reentered++; return traceLocker{mp, trace.gen.Load()}``.  The caller
  writes and calls ``traceRelease`` only ``if trace.ok()``.
* go1.26 and go1.27: the same with ``traceLocker{mp, mp.trace.entryGen}``.

``traceRelease`` from go1.24 on: ``if reentered > 0 { reentered-- } else``
release the seqlock (go1.26: clear the writing flag).  traceAcquire's own
``traceEnabled()`` fast path is no step for the outer acquire: when it fails,
``trace.gen`` is already 0 and the slow path's undo ends the same way.
"""

from __future__ import annotations

from gentrace.model.context import Ctx, TraceBuf
from gentrace.model.layout import Pcs, Step
from gentrace.model.releases import NESTED_ENTRY, NESTED_FRESH
from gentrace.model.values import Val, ite, neg

ACQ = "trace2runtime.go traceAcquireEnabled"


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
        start = self.ACQ_INC if b.sections or ctx.unbounded else self.DONE
        self.pc = L.add(f"{name}.pc", start, len(pcs.names) - 1, labels=pcs.names)
        # Unbounded: no count; the M may stop before any section (step "exit").
        self.done_sections = None if ctx.unbounded else L.add(f"{name}.sections", 0, b.sections)
        self.g = L.add(f"{name}.gen", 0, b.top, gen=True)
        self.seq = L.add(f"{name}.seqlock", 0, 1)
        if self.reentrant:
            # Unbounded: a design that never leaks a nested locker stays within one
            # section's pairs; the proofs' range invariants check that it does.
            most = (b.nested + 1) * (1 if ctx.unbounded else b.sections)
            self.reentered = L.add(f"{name}.reentered", 0, most)
        if self.nests:
            self.nested_done = L.add(f"{name}.nested", 0, self.nests)
            self.ng = L.add(f"{name}.nested.gen", 0, b.top, gen=True)
        self.buf: list[TraceBuf] = [ctx.trace_buf(f"{name}.buf[{p}]", "event") for p in range(2)]
        self.last = ctx.order_field(name)
        self.idle: int | None = None  # set by the handler attached to this M

    def steps(self) -> list[Step]:
        c, me = self.ctx, self
        sections = c.bounds.sections
        ref = c.ref
        acq = ref(ACQ)
        body = me.N_ENABLED if me.nests else me.WRITE

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
            event(s, upd, s[me.g])
            return upd

        def acquire(s):  # type: ignore[no-untyped-def]
            if not me.reentrant:
                return {me.seq: c.seq_take(s[me.seq]), me.pc: me.ACQ_LOAD}
            # go1.24 on: an M whose marker is still set (a leaked nested locker)
            # takes the reentrant path even for its outermost acquire.
            held = s[me.seq] == 1
            return {me.seq: ite(held, s[me.seq], c.seq_take(s[me.seq])),
                    me.reentered: ite(held, s[me.reentered] + 1, s[me.reentered]),
                    me.pc: ite(held, me.REENTER, me.ACQ_LOAD)}

        def next_section(s, upd: dict[int, Val]) -> None:  # type: ignore[no-untyped-def]
            if me.done_sections is None:
                upd[me.pc] = me.ACQ_INC
            else:
                n = s[me.done_sections] + 1
                upd[me.done_sections] = n
                upd[me.pc] = ite(n == sections, me.DONE, me.ACQ_INC)
            if me.nests:
                upd[me.nested_done] = 0

        def release(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {me.g: 0}
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
            st("traceAcquire.seqlock-inc", f"{acq}: {take}", me.ACQ_INC, acquire),
            st("traceAcquire.load-gen", f"{acq}: gen := trace.gen.Load()",
               me.ACQ_LOAD, lambda s: {me.g: s[c.gen],
                                       me.pc: ite(s[c.gen] == 0, me.ACQ_UNDO, body)}),
            st("traceAcquire.undo", f"{acq}: gen == 0, so {c.seq_drop_go()} and report not tracing",
               me.ACQ_UNDO, lambda s: {me.seq: c.seq_drop(s[me.seq]), me.pc: me.DONE}),
        ]
        if me.reentrant:
            fresh = "trace.gen.Load()" if me.mode == NESTED_FRESH else "mp.trace.entryGen"
            out.append(st("traceAcquire.reentrant-load-gen",
                          f"{acq}: return traceLocker{{mp, {fresh}}}; the caller writes only if ok()",
                          me.REENTER, lambda s: {me.g: s[c.gen],
                                                 me.pc: ite(s[c.gen] == 0, me.DONE, body)}))
        if me.nests:
            out += me.nested_steps(st, event)
        # Writing into the M's own buffer touches no location another thread
        # writes (traceAdvance flushes buf[g%2] only once the M is seen even),
        # and a refill's traceBufFlush is one trace.lock critical section: one step.
        out.append(st("event.write", "trace2buf.go traceWriter.ensure/refill: write an event into "
                      "mp.trace.buf[gen%2], flushing a full batch", me.WRITE, write))
        if me.unbounded:
            out.append(st("exit", "the M writes no more events (a worker runs any number of "
                          "sections)", me.ACQ_INC, lambda s: {me.pc: me.DONE}))
        rel = ref("trace2runtime.go traceRelease")
        what = (f"if tl.mp.trace.reentered > 0 {{ reentered-- }} else {{ {c.seq_drop_go()} }}"
                if me.reentrant else c.seq_drop_go())
        out.append(st("traceRelease", f"{rel}: {what}", me.RELEASE, release))
        return out

    def nested_steps(self, st, event) -> list[Step]:  # type: ignore[no-untyped-def]
        """One nested traceAcquire / event / traceRelease pair, ``nested`` times per section."""
        c, me = self.ctx, self
        acq = c.ref(ACQ)
        fresh = me.mode == NESTED_FRESH

        def pair_done(s, upd: dict[int, Val], done: Val) -> None:  # type: ignore[no-untyped-def]
            """When ``done``, this pair is over: the next pair, or the section's own event."""
            k = s[me.nested_done] + 1
            upd[me.nested_done] = ite(done, k, s[me.nested_done])
            upd[me.pc] = ite(done, ite(k != me.nests, me.N_ENABLED, me.WRITE), upd[me.pc])

        def enabled(s):  # type: ignore[no-untyped-def]
            # traceEnabled() false: traceLocker{} and no event.  Otherwise the M's
            # marker is held: reentered++, and go1.26's locker takes mp.trace.entryGen.
            on = c.traced(s)
            upd: dict[int, Val] = {me.reentered: ite(on, s[me.reentered] + 1, s[me.reentered]),
                                   me.pc: me.N_LOAD if fresh else me.N_WRITE}
            if not fresh:
                upd[me.ng] = ite(on, s[me.g], 0)
            pair_done(s, upd, neg(on))
            return upd

        out = [st("nested.traceEnabled", f"{c.ref('trace2runtime.go')} traceAcquire (nested): if "
                  "!traceEnabled() { return traceLocker{} }; acquirem; the M's marker is held: "
                  "mp.trace.reentered++", me.N_ENABLED, enabled)]
        if fresh:
            def load(s):  # type: ignore[no-untyped-def]
                # Gen 0: not ok, so the caller neither writes nor calls traceRelease,
                # and the reentered count it added stays.
                g = s[c.gen]
                upd: dict[int, Val] = {me.ng: g, me.pc: me.N_WRITE}
                pair_done(s, upd, g == 0)
                return upd
            out.append(st("nested.load-gen", f"{acq} (reentrant): return traceLocker{{mp, "
                          "trace.gen.Load()}; the caller writes and releases only if trace.ok()",
                          me.N_LOAD, load))

        def write(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {me.ng: 0, me.reentered: s[me.reentered] - 1, me.pc: me.WRITE}
            event(s, upd, s[me.ng])
            pair_done(s, upd, True)
            return upd
        out.append(st("nested.write+release", "trace2buf.go: the nested event into mp.trace.buf[gen%2] "
                      f"with the nested locker's gen; {c.ref('trace2runtime.go')} traceRelease: "
                      "reentered-- (both the M's own state: one step)", me.N_WRITE, write))
        return out
