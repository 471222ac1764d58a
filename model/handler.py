"""The SIGPROF handler (traceCPUSample) running on an interrupted M.

A signal may land on any M between two of its atomic steps.  While the handler
runs, the M's own steps are disabled (they all require ``handler.pc == idle``),
and the handler is not itself interrupted.  The sample's ghost identity is the
delivery's ordinal; the generation it is accepted under is recorded with it.
"""

from __future__ import annotations

from gentrace.model.context import Ctx
from gentrace.model.layout import Pcs, Step
from gentrace.model.profbuf import of_ring, per_ring
from gentrace.model.values import Val, all_of, any_of, as_int, ite, neg, select

CPU = "trace2cpu.go traceCPUSample"
# profBuf.write's steps, one shared access each (see Handler.write_steps).
WRITE = ("w.hasOverflow", "w.canWrite", "w.takeOverflow", "w.overflowRecord", "w.record",
         "w.incrementOverflow")


class Handler:
    """Handler state of one M: program counter, whether it took the seqlock, gen, sample."""

    def __init__(self, ctx: Ctx, m_name: str, seq_field: int) -> None:
        self.ctx, self.m = ctx, m_name
        self.seq = seq_field
        d, L, b = ctx.design, ctx.L, ctx.bounds
        self.pcs = pcs = Pcs()
        self.IDLE = pcs("idle")
        self.takes_lock = d.handler_seqlock and not d.legacy
        if d.legacy:
            self.order = ["siglock", "logload", *WRITE, "sigunlock"]
        elif not d.handler_seqlock:
            self.order = ["load", "siglock", "logload", *WRITE, "sigunlock"]
        elif d.handler_gen_first:
            self.order = ["load", "lock", "siglock", "logload", *WRITE, "sigunlock", "unlock"]
        else:
            self.order = ["lock", "load", "siglock", "logload", *WRITE, "sigunlock", "unlock"]
        self.at = {name: pcs(name) for name in self.order}
        self.pc = L.add(f"{m_name}.sigprof.pc", 0, len(pcs.names) - 1, labels=pcs.names)
        self.locked = L.add(f"{m_name}.sigprof.locked", 0, 1) if self.takes_lock else None
        self.g = L.add(f"{m_name}.sigprof.gen", 0, b.top, gen=True) if not d.legacy else None
        self.sid = L.add(f"{m_name}.sigprof.sample", 0, ctx.nsig)
        # profBuf.write's local: hasOverflow's answer, then takeOverflow's count > 0.
        self.ov = L.add(f"{m_name}.sigprof.overflow", 0, 1)

    def after(self, name: str) -> int:
        i = self.order.index(name)
        return self.at[self.order[i + 1]] if i + 1 < len(self.order) else self.IDLE

    def reset(self, upd: dict[int, Val]) -> None:
        """Clear the handler's locals as it returns (dead values would split states)."""
        for f in (self.locked, self.g, self.sid, self.ov):
            if f is not None:
                upd[f] = 0

    def accept(self, s, upd: dict[int, Val], sid: Val, g: Val) -> None:  # type: ignore[no-untyped-def]
        """Ghost: sample ``sid`` is accepted under generation ``g`` (when ``g`` != 0)."""
        c = self.ctx
        for k in range(1, c.tracked + 1):
            f = c.sgen[k]
            upd[f] = ite(all_of(sid == k, g != 0), g, s[f])

    def steps(self) -> list[Step]:
        c, h, d = self.ctx, self, self.ctx.design
        signals = c.bounds.signals

        def st(name: str, go: str, pc: int, update, guard=None, **kw) -> Step:  # type: ignore[no-untyped-def]
            return Step(thread=h.m, name=f"sigprof.{name}", go=c.ref(go), pc_field=h.pc, pc=pc,
                        update=update, guard=guard, **kw)

        first = h.at[h.order[0]]

        def deliver(s):  # type: ignore[no-untyped-def]
            sid = s[c.delivered] + 1
            off = neg(c.traced(s))
            upd = {c.delivered: sid, h.pc: ite(off, h.IDLE, first), h.sid: ite(off, 0, sid)}
            if d.legacy:
                h.accept(s, upd, sid, s[c.gen])
            return upd

        go_deliver = f"{CPU}: if !traceEnabled() {{ return }} (signal lands on {h.m})"
        if c.unbounded:
            # Any number of signals: each is the tracked sample (once) or another.
            def deliver_as(sid: int):  # type: ignore[no-untyped-def]
                def upd(s):  # type: ignore[no-untyped-def]
                    off = neg(c.traced(s))
                    u = {h.pc: ite(off, h.IDLE, first), h.sid: ite(off, 0, sid)}
                    if sid == 1:
                        u[c.delivered] = 1
                    if d.legacy:
                        h.accept(s, u, sid, s[c.gen])
                    return u
                return upd
            out = [st("deliver", go_deliver, h.IDLE, deliver_as(2), tags=frozenset({"deliver"})),
                   st("deliver.tracked", go_deliver + "; the sample the properties follow",
                      h.IDLE, deliver_as(1), guard=lambda s: s[c.delivered] == 0,
                      tags=frozenset({"deliver"}))]
        else:
            out = [st("deliver", go_deliver, h.IDLE, deliver,
                      guard=lambda s: s[c.delivered] != signals, tags=frozenset({"deliver"}))]

        if "lock" in h.at:
            if d.handler_waits:
                def lock(s):  # type: ignore[no-untyped-def]
                    return {h.seq: 1, h.locked: 1, h.pc: h.after("lock")}
                out.append(st("seqlock-wait-and-take",
                              f"{CPU}: wait for {c.rel.seqlock} to be clear, then {c.seq_take_go()}",
                              h.at["lock"], lock, guard=lambda s: s[h.seq] == 0,
                              waits_on_own_m=True, waits_for=f"{h.m}'s seqlock to be even"))
            elif d.handler_elide:
                def lock(s):  # type: ignore[no-untyped-def]
                    even = s[h.seq] == 0
                    return {h.seq: 1, h.locked: as_int(even), h.pc: h.after("lock")}
                test = ("!mp.trace.writing.Load()" if c.rel.write_flag
                        else "mp.trace.seqlock.Load()%2 == 0")
                out.append(st("seqlock-take-or-elide",
                              f"{CPU}: if {test} {{ {c.seq_take_go()}; locked = true }} (the M "
                              "itself is the only writer of its marker, so load and store are one step)",
                              h.at["lock"], lock))
            else:
                def lock(s):  # type: ignore[no-untyped-def]
                    return {h.seq: c.seq_take(s[h.seq]), h.locked: 1, h.pc: h.after("lock")}
                out.append(st("seqlock-take", f"{CPU}: {c.seq_take_go()} (no elision)",
                              h.at["lock"], lock))

        if "load" in h.at:
            def load(s):  # type: ignore[no-untyped-def]
                g = s[c.gen]
                off = g == 0
                if h.locked is not None and h.order.index("lock") < h.order.index("load"):
                    bail = ite(s[h.locked] == 1, h.at["unlock"], h.IDLE)
                else:
                    bail = h.IDLE
                upd = {h.g: g, h.pc: ite(off, bail, h.after("load")),
                       h.sid: ite(off, 0, s[h.sid])}
                h.accept(s, upd, s[h.sid], g)
                return upd
            out.append(st("load-gen", f"{CPU}: gen := trace.gen.Load(); if gen == 0, release and return",
                          h.at["load"], load))

        out.append(st("signalLock-acquire", f"{CPU}: for !trace.signalLock.CompareAndSwap(0, 1) {{ osyield() }}",
                      h.at["siglock"], lambda s: {c.siglock: 1, h.pc: h.after("siglock")},
                      guard=lambda s: s[c.siglock] == 0, waits_for="signalLock"))

        def prof(s):  # type: ignore[no-untyped-def]
            return c.prof_of(s[h.g]) if h.g is not None else 0

        def logload(s):  # type: ignore[no-untyped-def]
            ptr = select(prof(s), [s[f] for f in c.clw])
            return {h.pc: ite(ptr == 1, h.at[WRITE[0]], h.at["sigunlock"])}
        slot = "" if d.legacy else "[gen%2]"
        out.append(st("cpuLogWrite-load", f"{CPU}: log := trace.cpuLogWrite{slot}.Load()",
                      h.at["logload"], logload))

        out += h.write_steps(st, prof)

        def sigunlock(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {c.siglock: 0}
            if "unlock" in h.at:
                upd[h.pc] = h.at["unlock"]
            else:
                upd[h.pc] = h.IDLE
                h.reset(upd)
            return upd
        out.append(st("signalLock-release", f"{CPU}: trace.signalLock.Store(0)",
                      h.at["sigunlock"], sigunlock))

        if "unlock" in h.at:
            def unlock(s):  # type: ignore[no-untyped-def]
                upd: dict[int, Val] = {h.seq: ite(s[h.locked] == 1, c.seq_drop(s[h.seq]), s[h.seq]),
                                       h.pc: h.IDLE}
                h.reset(upd)
                return upd
            out.append(st("seqlock-release", f"{CPU}: if locked {{ {c.seq_drop_go()} }}",
                          h.at["unlock"], unlock))
        return out

    def write_steps(self, st, prof) -> list[Step]:  # type: ignore[no-untyped-def]
        """profBuf.write(nil, now, hdr[:], stk) on ``trace.cpuLogWrite[gen%2]``, under signalLock.

        One step per shared access: the load of ``b.overflow`` (hasOverflow), the
        load of ``b.r`` (canWriteTwoRecords or canWriteRecord: ``b.w`` is the
        writer's own), the CAS of takeOverflow, and each record's commit of
        ``b.w``.  incrementOverflow's CAS loop is one step (its successful CAS or,
        from 0, its store: only the writer makes the count non-zero), and
        wakeupExtra's flag is no step (it only wakes or re-checks a reader).
        """
        c, h = self.ctx, self
        rings, n = c.pb, c.bounds.rec_words
        at = h.at
        W = "profbuf.go profBuf.write"

        def hasov(s):  # type: ignore[no-untyped-def]
            return {h.ov: as_int(of_ring(rings, prof(s), lambda rg: s[rg.overflow] != 0)),
                    h.pc: at["w.canWrite"]}

        def canwrite(s):  # type: ignore[no-untyped-def]
            ov = s[h.ov] == 1
            two = of_ring(rings, prof(s), lambda rg: rg.can_write_two_records(s, n))
            one = of_ring(rings, prof(s), lambda rg: rg.can_write_record(s, n))
            return {h.pc: ite(all_of(ov, two), at["w.takeOverflow"],
                              ite(any_of(ov, neg(one)), at["w.incrementOverflow"], at["w.record"]))}

        def take(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {}
            took = of_ring(rings, prof(s), lambda rg: s[rg.overflow] != 0)
            per_ring(rings, prof(s), s, upd, lambda rg, u: rg.take_overflow(s, u))
            upd[h.pc] = ite(took, at["w.overflowRecord"], at["w.record"])
            return upd

        def ovrec(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {h.pc: at["w.record"]}
            per_ring(rings, prof(s), s, upd, lambda rg, u: rg.append(s, u, rg.OVF, 1))
            return upd

        def record(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {h.pc: at["sigunlock"]}
            per_ring(rings, prof(s), s, upd, lambda rg, u: rg.append(s, u, s[h.sid], n))
            return upd

        def incr(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {h.pc: at["sigunlock"]}

            def bump(rg, u):  # type: ignore[no-untyped-def]
                u[rg.overflow] = 1 if rg.saturate else s[rg.overflow] + 1
            per_ring(rings, prof(s), s, upd, bump)
            ov = s[c.overflowed]
            upd[c.overflowed] = ov | c.sample_bit(s[h.sid])
            return upd

        tag = frozenset({"pb-write"})
        return [
            st("profBuf-write.hasOverflow", f"{W}: hasOverflow := b.hasOverflow() (b.overflow.Load())",
               at["w.hasOverflow"], hasov, tags=tag),
            st("profBuf-write.canWrite", f"{W}: hasOverflow && b.canWriteTwoRecords(1, len(stk)), or "
               "b.canWriteRecord(len(stk)): one b.r.load()", at["w.canWrite"], canwrite, tags=tag),
            st("profBuf-write.takeOverflow", f"{W}: count, time := b.takeOverflow() (CAS on b.overflow)",
               at["w.takeOverflow"], take, tags=tag),
            st("profBuf-write.overflowRecord", f"{W}: b.write(nil, int64(time), nil, stk[:]) with "
               "stk[0] = count: the overflow record, committed by its own b.w CAS",
               at["w.overflowRecord"], ovrec, tags=tag),
            st("profBuf-write.record", f"{W}: the record at wd (a 0 marker and wd = 0 if it does not fit "
               "before the end), then b.w.cas(old, old.addCountsAndClearFlags(skip+len, 1))",
               at["w.record"], record, tags=tag),
            st("profBuf-write.incrementOverflow", f"{W}: no room: b.incrementOverflow(now); "
               "b.wakeupExtra(); return", at["w.incrementOverflow"], incr, tags=tag),
        ]

    def writing(self, s) -> Val:  # type: ignore[no-untyped-def]
        """In profBuf.write (any of its steps)."""
        return any_of(*[s[self.pc] == self.at[w] for w in WRITE])

    def busy(self, s) -> Val:  # type: ignore[no-untyped-def]
        return neg(s[self.pc] == self.IDLE)
