"""Worker Ms: ordinary events written inside traceAcquire/traceRelease."""

from __future__ import annotations

from model.context import Ctx, TraceBuf
from model.layout import Pcs, Step
from model.values import ite

ACQ = "trace2runtime.go traceAcquireEnabled"


class Worker:
    """One M that runs ``sections`` critical sections, each writing one event."""

    def __init__(self, ctx: Ctx, name: str) -> None:
        self.ctx, self.name = ctx, name
        L, b = ctx.L, ctx.bounds
        self.pcs = pcs = Pcs()
        self.ACQ_INC, self.ACQ_LOAD, self.ACQ_UNDO = pcs("acquire"), pcs("load-gen"), pcs("undo")
        self.WRITE, self.RELEASE, self.DONE = pcs("write"), pcs("release"), pcs("done")
        start = self.ACQ_INC if b.sections else self.DONE
        self.pc = L.add(f"{name}.pc", start, len(pcs.names) - 1, labels=pcs.names)
        self.done_sections = L.add(f"{name}.sections", 0, b.sections)
        self.g = L.add(f"{name}.gen", 0, b.top)
        self.seq = L.add(f"{name}.seqlock", 0, 1)
        self.buf: list[TraceBuf] = [ctx.trace_buf(f"{name}.buf[{p}]", "event") for p in range(2)]
        self.idle: int | None = None  # set by the handler attached to this M

    def steps(self) -> list[Step]:
        c, me = self.ctx, self
        sections = c.bounds.sections

        def st(name: str, go: str, pc: int, update, guard=None) -> Step:  # type: ignore[no-untyped-def]
            return Step(thread=me.name, name=name, go=go, pc_field=me.pc, pc=pc,
                        update=update, guard=guard, idle_field=me.idle)

        def write(s):  # type: ignore[no-untyped-def]
            upd: dict = {me.pc: me.RELEASE}
            c.write_parity(s, upd, me.buf, s[me.g], s[me.g])
            return upd

        return [
            st("traceAcquire.seqlock-inc", f"{ACQ}: seq := mp.trace.seqlock.Add(1)",
               me.ACQ_INC, lambda s: {me.seq: s[me.seq] ^ 1, me.pc: me.ACQ_LOAD}),
            st("traceAcquire.load-gen", f"{ACQ}: gen := trace.gen.Load()",
               me.ACQ_LOAD, lambda s: {me.g: s[c.gen],
                                       me.pc: ite(s[c.gen] == 0, me.ACQ_UNDO, me.WRITE)}),
            st("traceAcquire.undo", f"{ACQ}: gen == 0, so mp.trace.seqlock.Add(1) and report not tracing",
               me.ACQ_UNDO, lambda s: {me.seq: s[me.seq] ^ 1, me.pc: me.DONE}),
            # Writing into the M's own buffer touches no location another thread
            # writes (traceAdvance flushes buf[g%2] only once the M is seen even),
            # and a refill's traceBufFlush is one trace.lock critical section: one step.
            st("event.write", "trace2buf.go traceWriter.ensure/refill: write an event into "
               "mp.trace.buf[gen%2], flushing a full batch", me.WRITE, write),
            st("traceRelease", "trace2runtime.go traceRelease: seq := tl.mp.trace.seqlock.Add(1)",
               me.RELEASE, lambda s: {
                   me.seq: s[me.seq] ^ 1, me.g: 0,
                   me.done_sections: s[me.done_sections] + 1,
                   me.pc: ite(s[me.done_sections] + 1 == sections, me.DONE, me.ACQ_INC)}),
        ]
