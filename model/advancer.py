"""The advancer: traceAdvance(false) ``advances`` times, then StopTrace (traceAdvance(true)).

One thread stands for the periodic advancer goroutine and the StopTrace caller:
traceAdvanceSema serialises them, so their advances never overlap.
"""

from __future__ import annotations

from model.context import Ctx, Drainer
from model.generation import next_gen
from model.layout import Pcs, Step
from model.values import Val, ite

ADV = "trace2.go traceAdvance"
FLUSH = "trace2cpu.go traceCPUFlush"
STOP = "trace2cpu.go traceStopReadCPU"


class Advancer(Drainer):
    def __init__(self, ctx: Ctx, ms: list[tuple[str, int, list | None]], reader_pc: int,
                 reader_done: int, name: str = "A") -> None:
        """``ms``: the Ms traceAdvance's flush loop visits, as (name, seqlock field, buffers)."""
        self.ctx, self.name, self.ms = ctx, name, ms
        self.reader_pc, self.reader_done = reader_pc, reader_done
        d, L, b = ctx.design, ctx.L, ctx.bounds
        self.pcs = pcs = Pcs()
        order: list[str] = ["load-gen", "publish"]
        mloop = []
        for m, _, bufs in ms:
            mloop.append(f"wait-even({m})")
            if bufs is not None:
                mloop.append(f"flush({m})")
        if d.cpu_drain and d.cpu_drain_first:
            cpu = ["cpu-read", "cpu-emit", "cpu-commit", "cpu-flush"]
        elif d.cpu_drain:
            cpu = ["cpu-flush", "cpu-read", "cpu-emit", "cpu-commit"]
        else:
            cpu = ["cpu-flush"]
        order += (mloop + cpu) if d.cpu_flush_after_mloop else (cpu + mloop)
        order.append("seal")
        order += [f"stop.clear-cpuLogWrite[{p}]" for p in range(ctx.nprof)]
        order += [f"stop.close-profBuf[{p}]" for p in range(ctx.nprof)]
        order += ["stop.wait-reader", "done"]
        self.order = order
        self.at = {o: pcs(o) for o in order}
        self.DONE = self.at["done"]
        self.pc = L.add(f"{name}.pc", 0, len(pcs.names) - 1, labels=pcs.names)
        self.g = L.add(f"{name}.gen", 0, b.top)
        self.adv = L.add(f"{name}.advances", 0, b.advances)
        self.n = L.add(f"{name}.read.n", 0, b.profbuf)
        self.i = L.add(f"{name}.read.i", 0, b.profbuf)
        # The advancer's own M: a handler may take its seqlock.  traceAdvance's
        # loop visits this M too, but always finds it even (the advancer holds no
        # seqlock there, and a handler on its M returns before the advancer runs
        # again), and its buffers stay empty (the model's advancer writes no
        # events), so that visit is left out.
        self.seq = L.add(f"{name}.seqlock", 0, 1)
        self.idle: int | None = None


    def nxt(self, name: str) -> int:
        return self.at[self.order[self.order.index(name) + 1]]

    def steps(self) -> list[Step]:
        c, a, b = self.ctx, self, self.ctx.bounds
        top, wrap = b.top, c.design.wrap_to

        def st(name: str, go: str, update, guard=None, **kw) -> Step:  # type: ignore[no-untyped-def]
            return Step(thread=a.name, name=name, go=go, pc_field=a.pc, pc=a.at[name],
                        update=update, guard=guard, idle_field=a.idle, **kw)

        out = [
            st("load-gen", f"{ADV}: gen := trace.gen.Load()",
               lambda s: {a.g: s[c.gen], a.pc: a.nxt("load-gen")}),
            st("publish", f"{ADV}: trace.gen.Store(traceNextGen(gen)), or when stopping "
               "trace.shutdown.Store(true); trace.gen.Store(0)",
               lambda s: {c.gen: ite(s[a.adv] == b.advances, 0, next_gen(s[a.g], top, wrap)),
                          a.pc: a.nxt("publish")}),
        ]
        for m, seq, bufs in self.ms:
            out.append(st(f"wait-even({m})", f"{ADV}: if mp.trace.seqlock.Load()%2 != 0 "
                          "{ come back to it later }",
                          lambda s, m=m: {a.pc: a.nxt(f"wait-even({m})")},
                          guard=lambda s, seq=seq: s[seq] == 0, waits_for=f"{m}'s seqlock to be even"))
            if bufs is not None:
                def fl(s, m=m, bufs=bufs):  # type: ignore[no-untyped-def]
                    upd: dict[int, Val] = {a.pc: a.nxt(f"flush({m})")}
                    c.flush_parity(s, upd, bufs, s[a.g])
                    return upd
                out.append(st(f"flush({m})", f"{ADV}: traceBufFlush(mp.trace.buf[gen%2], gen) "
                              "under trace.lock", fl))

        if "cpu-read" in self.at:
            def cread(s):  # type: ignore[no-untyped-def]
                ln = c.pb_field(s, a.prof(s), "length")
                return {a.n: ln, a.i: 0,
                        a.pc: ite(ln == 0, a.nxt("cpu-commit"), a.at["cpu-emit"])}
            out.append(st("cpu-read", f"{FLUSH}: traceReadCPU(gen): trace.cpuLogRead[gen%2]"
                          ".read(profBufNonBlocking)", cread))

            def cemit(s):  # type: ignore[no-untyped-def]
                upd: dict[int, Val] = {}
                sid = c.pb_record(s, a.prof(s), s[a.i])
                c.write_cpu(s, upd, s[a.g], sid)
                i2 = s[a.i] + 1
                upd[a.i] = i2
                upd[a.pc] = ite(i2 == s[a.n], a.at["cpu-commit"], a.at["cpu-emit"])
                return upd
            out.append(st("cpu-emit", f"{FLUSH}: traceReadCPU(gen): write one record into "
                          "trace.cpuBuf[gen%2]", cemit))

            def ccommit(s):  # type: ignore[no-untyped-def]
                upd: dict[int, Val] = {a.n: 0, a.i: 0, a.pc: a.nxt("cpu-commit")}
                c.pb_commit(s, upd, a.prof(s), s[a.n])
                return upd
            out.append(st("cpu-commit", "profbuf.go profBuf.read: the read position moves past "
                          "the records returned", ccommit))

        def cflush(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {a.pc: a.nxt("cpu-flush")}
            c.flush_parity(s, upd, c.cpubuf, s[a.g])
            return upd
        out.append(st("cpu-flush", f"{FLUSH}: traceBufFlush(trace.cpuBuf[gen%2], gen)", cflush))

        stop_first = a.at[a.order[a.order.index("seal") + 1]]
        out.append(st("seal", f"{ADV}: trace.flushedGen.Store(gen)", lambda s: {
            c.flushed: s[a.g],
            a.pc: ite(s[a.adv] == b.advances, stop_first, a.at["load-gen"]),
            a.adv: ite(s[a.adv] == b.advances, s[a.adv], s[a.adv] + 1),
            a.g: ite(s[a.adv] == b.advances, s[a.g], 0)}))
        for p in range(c.nprof):
            name = f"stop.clear-cpuLogWrite[{p}]"
            out.append(st(name, f"{STOP}: trace.cpuLogWrite[{p}].Store(nil)",
                          lambda s, p=p, name=name: {c.clw[p]: 0, a.pc: a.nxt(name)}))
        for p in range(c.nprof):
            name = f"stop.close-profBuf[{p}]"
            out.append(st(name, f"{STOP}: trace.cpuLogRead[{p}].close()",
                          lambda s, p=p, name=name: {c.pb[p].closed: 1, a.pc: a.nxt(name)}))
        out.append(st("stop.wait-reader", f"{STOP}: <-trace.cpuLogDone",
                      lambda s: {a.pc: a.DONE, a.g: 0},
                      guard=lambda s: s[a.reader_pc] == a.reader_done,
                      waits_for="the CPU reader goroutine to exit"))
        return out
