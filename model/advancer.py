"""The advancer: traceAdvance(false) ``advances`` times, then StopTrace (traceAdvance(true)).

One thread stands for the periodic advancer goroutine and the StopTrace caller:
traceAdvanceSema serialises them, so their advances never overlap.
"""

from __future__ import annotations

from gentrace.model.context import Ctx
from gentrace.model.generation import next_gen
from gentrace.model.layout import Pcs, Step
from gentrace.model.readcpu import READ_STEPS, Drainer
from gentrace.model.values import Val, ite

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
        if ctx.enabled is not None:
            order.append("stop.clear-enabled")
        mloop = []
        for m, _, bufs in ms:
            mloop.append(f"wait-even({m})")
            if bufs is not None:
                mloop.append(f"flush({m})")
        if d.cpu_drain and d.cpu_drain_first:
            cpu = [*READ_STEPS, "cpu-flush"]
        elif d.cpu_drain:
            cpu = ["cpu-flush", *READ_STEPS]
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
        self.g = L.add(f"{name}.gen", 0, b.top, gen=True)
        # Unbounded: no count; at each advance it may publish the next generation or stop.
        self.adv = None if ctx.unbounded else L.add(f"{name}.advances", 0, b.advances)
        ctx.adv_g = self.g
        self.init_read(ctx)
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

        def st(name: str, go: str, update, guard=None, at: str = "", **kw) -> Step:  # type: ignore[no-untyped-def]
            return Step(thread=a.name, name=name, go=c.ref(go), pc_field=a.pc, pc=a.at[at or name],
                        update=update, guard=guard, idle_field=a.idle, **kw)

        after_publish = a.nxt("stop.clear-enabled") if c.enabled is not None else a.nxt("publish")
        go_publish = (f"{ADV}: trace.gen.Store(traceNextGen(gen)), or when stopping "
                      "trace.shutdown.Store(true); trace.gen.Store(0)")
        out = [st("load-gen", f"{ADV}: gen := trace.gen.Load()",
                  lambda s: {a.g: s[c.gen], a.pc: a.nxt("load-gen")})]
        if a.adv is None:
            # When the trace stops is the caller's choice: two steps.
            out += [
                st("publish", f"{ADV}: trace.gen.Store(traceNextGen(gen))",
                   lambda s: {c.gen: next_gen(s[a.g], top, wrap), a.pc: after_publish}),
                st("publish.stop", f"{ADV} (StopTrace): trace.shutdown.Store(true); trace.gen.Store(0)",
                   lambda s: {c.gen: 0, a.pc: a.nxt("publish")}, at="publish"),
            ]
            # Only the advancer writes trace.gen, and traceNextGen never yields 0.
            stopping = lambda s: s[c.gen] == 0  # noqa: E731
        else:
            stopping = lambda s: s[a.adv] == b.advances  # noqa: E731
            out.append(st("publish", go_publish,
                          lambda s: {c.gen: ite(stopping(s), 0, next_gen(s[a.g], top, wrap)),
                                     a.pc: ite(stopping(s), a.nxt("publish"), after_publish)}))
        if c.enabled is not None:
            out.append(st("stop.clear-enabled", f"{ADV}: when stopping, trace.enabled = false, after "
                          "trace.gen.Store(0) (same system-stack block)",
                          lambda s: {c.enabled: 0, a.pc: a.nxt("stop.clear-enabled")}))
        for m, seq, bufs in self.ms:
            busy = "mp.trace.writing.Load()" if c.rel.write_flag else "mp.trace.seqlock.Load()%2 != 0"
            out.append(st(f"wait-even({m})", f"{ADV}: if {busy} {{ come back to it later }}",
                          lambda s, m=m: {a.pc: a.nxt(f"wait-even({m})")},
                          guard=lambda s, seq=seq: s[seq] == 0, waits_for=f"{m}'s seqlock to be even"))
            if bufs is not None:
                def fl(s, m=m, bufs=bufs):  # type: ignore[no-untyped-def]
                    upd: dict[int, Val] = {a.pc: a.nxt(f"flush({m})")}
                    c.flush_parity(s, upd, bufs, s[a.g])
                    return upd
                out.append(st(f"flush({m})", f"{ADV}: traceBufFlush(mp.trace.buf[gen%2], gen) "
                              "under trace.lock", fl))

        if "read.commit" in self.at:
            last = a.order.index(READ_STEPS[-1])
            ret = a.at[a.order[last + 1]]

            def emit(s, upd: dict[int, Val], x: Val) -> None:  # type: ignore[no-untyped-def]
                c.write_cpu(s, upd, s[a.g], x, cond=x != c.pb[0].OVF)

            def st_read(name, go, pc, update):  # type: ignore[no-untyped-def]
                site = "traceCPUFlush" if c.rel.drain_site == "traceCPUFlush" else "traceAdvance"
                return Step(thread=a.name, name=name, go=f"{site} drain, " + c.ref(go),
                            pc_field=a.pc, pc=pc, update=update,
                            idle_field=a.idle)
            out += a.read_steps(st_read, a.at.__getitem__, ret_data=ret, ret_empty=ret, ret_eof=ret,
                                emit=emit)

        def cflush(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {a.pc: a.nxt("cpu-flush")}
            c.flush_parity(s, upd, c.cpubuf, s[a.g])
            return upd
        out.append(st("cpu-flush", f"{FLUSH}: traceBufFlush(trace.cpuBuf[gen%2], gen)", cflush))

        stop_first = a.at[a.order[a.order.index("seal") + 1]]
        def seal(s):  # type: ignore[no-untyped-def]
            stop = stopping(s)
            upd: dict[int, Val] = {c.flushed: s[a.g], a.pc: ite(stop, stop_first, a.at["load-gen"]),
                                   a.g: ite(stop, s[a.g], 0)}
            if a.adv is not None:
                upd[a.adv] = ite(stop, s[a.adv], s[a.adv] + 1)
            c.forget_finished(s, upd, s[a.g])
            return upd
        out.append(st("seal", f"{ADV}: trace.flushedGen.Store(gen)", seal))
        for p in range(c.nprof):
            name = f"stop.clear-cpuLogWrite[{p}]"
            out.append(st(name, f"{STOP}: trace.cpuLogWrite[{p}].Store(nil)",
                          lambda s, p=p, name=name: {c.clw[p]: 0, a.pc: a.nxt(name)}))
        for p in range(c.nprof):
            name = f"stop.close-profBuf[{p}]"
            out.append(st(name, f"{STOP}: trace.cpuLogRead[{p}].close(): profbuf.go close: "
                          "b.eof.Store(1)",
                          lambda s, p=p, name=name: {c.pb[p].eof: 1, a.pc: a.nxt(name)}))
        out.append(st("stop.wait-reader", f"{STOP}: <-trace.cpuLogDone",
                      lambda s: {a.pc: a.DONE, a.g: 0},
                      guard=lambda s: s[a.reader_pc] == a.reader_done,
                      waits_for="the CPU reader goroutine to exit"))
        return out
