"""The CPU profile reader goroutine (traceStartReadCPU's loop) on its own M.

Its 100 ms sleep is no step: a sleep only lets other threads run, which the
interleaving semantics already allows at every point.  traceStopReadCPU's wake is
likewise no step (the model never makes the reader wait for it).

Fixed design (every release): ``for traceEnabled() { sleep; tl := traceAcquire();
if !tl.ok() { break }; keepGoing := traceReadCPU(tl.gen); traceRelease(tl); if
!keepGoing { break } }``: one traceReadCPU call, so one profBuf read, per turn.
traceAcquire's own ``traceEnabled()`` fast path is not a step: when it fails,
``trace.gen`` is already 0 and the slow path's undo ends the same way, since the
reader's marker is never held at its acquire.  That rests on a simplification: the
reader's section has no nested traceAcquire/traceRelease pairs.  In Go, under
``GODEBUG=traceallocfree=1``, traceReadCPU's 1 KiB ``pcBuf`` can grow the goroutine's
stack inside the section (stack.go ``stackalloc``/``stackfree`` then nest), and on
go1.24/go1.25 such a pair would leak as a worker's does (the finding
reentrant-fresh-gen, ``model/worker.py``); the model shows that leak on worker Ms only,
and counts ``m.locks`` on worker Ms only.

Legacy (before CL 555495): ``for traceEnabled() { sleep; if !traceReadCPU() {
break } }`` with one profBuf read per call and a traceAcquire/traceRelease around
each record it writes.
"""

from __future__ import annotations

from gentrace.model.context import Ctx
from gentrace.model.layout import Pcs, Step
from gentrace.model.readcpu import RD, READ_STEPS, Drainer
from gentrace.model.values import Val, ite

LOOP = "trace2cpu.go traceStartReadCPU goroutine"


class Reader(Drainer):
    def __init__(self, ctx: Ctx, name: str = "R") -> None:
        self.ctx, self.name = ctx, name
        d, L, b = ctx.design, ctx.L, ctx.bounds
        self.pcs = pcs = Pcs()
        self.LOOP = pcs("loop-check")
        self.locked = d.reader_locked and not d.legacy
        if self.locked:
            self.ACQ_INC, self.ACQ_LOAD, self.ACQ_UNDO = pcs("acquire"), pcs("load-gen"), pcs("undo")
        elif not d.legacy:
            self.LOAD = pcs("load-gen")
        self.read_pc = {n: pcs(n) for n in READ_STEPS}
        if d.legacy:
            self.ACQ_INC, self.ACQ_LOAD, self.ACQ_UNDO = pcs("acquire"), pcs("load-gen"), pcs("undo")
            self.EMIT = pcs("emit")
        if d.legacy or self.locked:
            self.RELEASE = pcs("release")
        self.DONE = pcs("done")
        self.pc = L.add(f"{name}.pc", self.LOOP, len(pcs.names) - 1, labels=pcs.names)
        self.g = L.add(f"{name}.gen", 0, b.top, gen=True)
        self.init_read(ctx)
        self.seq = L.add(f"{name}.seqlock", 0, 1)
        self.idle: int | None = None

    def steps(self) -> list[Step]:
        c, r, d = self.ctx, self, self.ctx.design
        legacy = d.legacy
        ref = c.ref
        ACQ = ref("trace2runtime.go traceAcquireEnabled")
        seq = c.rel.seqlock

        def st(name: str, go: str, pc: int, update, guard=None) -> Step:  # type: ignore[no-untyped-def]
            return Step(thread=r.name, name=name, go=ref(go), pc_field=r.pc, pc=pc,
                        update=update, guard=guard, idle_field=r.idle)

        out: list[Step] = []
        first = r.read_pc["read.commit"]
        after_loop = first if legacy else (r.ACQ_INC if r.locked else r.LOAD)
        out.append(st("loop.traceEnabled", f"{LOOP}: for traceEnabled() {{ sleep(100ms) ...",
                      r.LOOP, lambda s: {r.pc: ite(c.traced(s), after_loop, r.DONE)}))

        def emit(s, upd: dict[int, Val], x: Val) -> None:  # type: ignore[no-untyped-def]
            c.write_cpu(s, upd, s[r.g], x, cond=x != c.pb[0].OVF)

        if legacy:
            out += r.read_steps(st, r.read_pc.__getitem__, ret_data=r.LOOP, ret_empty=r.LOOP,
                                ret_eof=r.DONE, emit=None, record=r.ACQ_INC)
        elif r.locked:
            out += r.read_steps(st, r.read_pc.__getitem__, ret_data=r.RELEASE, ret_empty=r.RELEASE,
                                ret_eof=r.RELEASE, emit=emit)
        else:
            out += r.read_steps(st, r.read_pc.__getitem__, ret_data=r.LOOP, ret_empty=r.LOOP,
                                ret_eof=r.DONE, emit=emit)
            out.append(st("load-gen-unlocked", "trace2cpu.go traceStartReadCPU: gen := "
                          "trace.gen.Load() with no traceAcquire (mutant)", r.LOAD,
                          lambda s: {r.g: s[c.gen], r.pc: ite(s[c.gen] == 0, r.DONE, first)}))
            return out

        out.append(st("traceAcquire.seqlock-inc", f"{ACQ}: {c.seq_take_go()}", r.ACQ_INC,
                      lambda s: {r.seq: c.seq_take(s[r.seq]), r.pc: r.ACQ_LOAD}))

        def acq_load(s):  # type: ignore[no-untyped-def]
            nxt = r.EMIT if legacy else first
            return {r.g: s[c.gen], r.pc: ite(s[c.gen] == 0, r.ACQ_UNDO, nxt)}
        out.append(st("traceAcquire.load-gen", f"{ACQ}: gen := trace.gen.Load()", r.ACQ_LOAD, acq_load))

        def undo(s):  # type: ignore[no-untyped-def]
            # Legacy: "if !tl.ok() { return false }" drops the rest of the read;
            # the records stay in the ring, never read again.
            return {r.seq: c.seq_drop(s[r.seq]), r.pc: r.DONE, r.g: 0, r.pos: 0, r.left: 0,
                    r.busy: 0}
        out.append(st("traceAcquire.undo", f"{ACQ}: gen == 0, so {c.seq_drop_go()}; the reader "
                      "exits", r.ACQ_UNDO, undo))

        if legacy:
            def emit_legacy(s):  # type: ignore[no-untyped-def]
                upd: dict[int, Val] = {}
                x = c.pb[0].word(s, s[r.pos])
                c.write_cpu(s, upd, s[r.g], x)
                r.advance(s, upd, r.RELEASE, r.RELEASE)
                upd[r.busy] = 1
                return upd
            out.append(st("emit-sample", f"{RD}: w := unsafeTraceWriter(tl.gen, trace.cpuBuf[tl.gen%2]); "
                          "write the sample", r.EMIT, emit_legacy))

            def release(s):  # type: ignore[no-untyped-def]
                more = s[r.left] != 0
                return {r.seq: c.seq_drop(s[r.seq]), r.g: 0, r.busy: ite(more, 1, 0),
                        r.pc: ite(more, r.read_pc["read.emit"], r.LOOP)}
        else:
            def release(s):  # type: ignore[no-untyped-def]
                return {r.seq: c.seq_drop(s[r.seq]), r.g: 0, r.eof: 0,
                        r.pc: ite(s[r.eof] == 1, r.DONE, r.LOOP)}
        out.append(st("traceRelease", f"{ref('trace2runtime.go')} traceRelease: {seq} release; "
                      "if !keepGoing { break }", r.RELEASE, release))
        return out
