"""The SIGPROF handler (traceCPUSample) running on an interrupted M.

A signal may land on any M between two of its atomic steps.  While the handler
runs, the M's own steps are disabled (they all require ``handler.pc == idle``),
and the handler is not itself interrupted.  The sample's ghost identity is the
delivery's ordinal; the generation it is accepted under is recorded with it.
"""

from __future__ import annotations

from model.context import Ctx
from model.layout import Pcs, Step
from model.values import Val, all_of, as_int, ite, neg, select

CPU = "trace2cpu.go traceCPUSample"


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
            self.order = ["siglock", "logload", "write", "sigunlock"]
        elif not d.handler_seqlock:
            self.order = ["load", "siglock", "logload", "write", "sigunlock"]
        elif d.handler_gen_first:
            self.order = ["load", "lock", "siglock", "logload", "write", "sigunlock", "unlock"]
        else:
            self.order = ["lock", "load", "siglock", "logload", "write", "sigunlock", "unlock"]
        self.at = {name: pcs(name) for name in self.order}
        self.pc = L.add(f"{m_name}.sigprof.pc", 0, len(pcs.names) - 1, labels=pcs.names)
        self.locked = L.add(f"{m_name}.sigprof.locked", 0, 1) if self.takes_lock else None
        self.g = L.add(f"{m_name}.sigprof.gen", 0, b.top) if not d.legacy else None
        self.sid = L.add(f"{m_name}.sigprof.sample", 0, b.signals)

    def after(self, name: str) -> int:
        i = self.order.index(name)
        return self.at[self.order[i + 1]] if i + 1 < len(self.order) else self.IDLE

    def reset(self, upd: dict[int, Val]) -> None:
        """Clear the handler's locals as it returns (dead values would split states)."""
        for f in (self.locked, self.g, self.sid):
            if f is not None:
                upd[f] = 0

    def accept(self, s, upd: dict[int, Val], sid: Val, g: Val) -> None:  # type: ignore[no-untyped-def]
        """Ghost: sample ``sid`` is accepted under generation ``g`` (when ``g`` != 0)."""
        c = self.ctx
        for k in range(1, c.bounds.signals + 1):
            f = c.sgen[k]
            upd[f] = ite(all_of(sid == k, g != 0), g, s[f])

    def steps(self) -> list[Step]:
        c, h, d = self.ctx, self, self.ctx.design
        signals = c.bounds.signals

        def st(name: str, go: str, pc: int, update, guard=None, **kw) -> Step:  # type: ignore[no-untyped-def]
            return Step(thread=h.m, name=f"sigprof.{name}", go=go, pc_field=h.pc, pc=pc,
                        update=update, guard=guard, **kw)

        first = h.at[h.order[0]]

        def deliver(s):  # type: ignore[no-untyped-def]
            sid = s[c.delivered] + 1
            off = s[c.gen] == 0
            upd = {c.delivered: sid, h.pc: ite(off, h.IDLE, first), h.sid: ite(off, 0, sid)}
            if d.legacy:
                h.accept(s, upd, sid, s[c.gen])
            return upd

        out = [st("deliver", f"{CPU}: if !traceEnabled() {{ return }} (signal lands on {h.m})",
                  h.IDLE, deliver, guard=lambda s: s[c.delivered] != signals,
                  tags=frozenset({"deliver"}))]

        if "lock" in h.at:
            if d.handler_waits:
                def lock(s):  # type: ignore[no-untyped-def]
                    return {h.seq: 1, h.locked: 1, h.pc: h.after("lock")}
                out.append(st("seqlock-wait-and-take",
                              f"{CPU}: wait for mp.trace.seqlock to be even, then Add(1)",
                              h.at["lock"], lock, guard=lambda s: s[h.seq] == 0,
                              waits_on_own_m=True, waits_for=f"{h.m}'s seqlock to be even"))
            elif d.handler_elide:
                def lock(s):  # type: ignore[no-untyped-def]
                    even = s[h.seq] == 0
                    return {h.seq: 1, h.locked: as_int(even), h.pc: h.after("lock")}
                out.append(st("seqlock-take-or-elide",
                              f"{CPU}: if mp.trace.seqlock.Load()%2 == 0 {{ mp.trace.seqlock.Add(1); "
                              "locked = true }", h.at["lock"], lock))
            else:
                def lock(s):  # type: ignore[no-untyped-def]
                    return {h.seq: s[h.seq] ^ 1, h.locked: 1, h.pc: h.after("lock")}
                out.append(st("seqlock-take", f"{CPU}: mp.trace.seqlock.Add(1) (no elision)",
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
            return {h.pc: ite(ptr == 1, h.at["write"], h.at["sigunlock"])}
        slot = "" if d.legacy else "[gen%2]"
        out.append(st("cpuLogWrite-load", f"{CPU}: log := trace.cpuLogWrite{slot}.Load()",
                      h.at["logload"], logload))

        def write(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {h.pc: h.at["sigunlock"]}
            c.pb_append(s, upd, prof(s), s[h.sid])
            return upd
        out.append(st("profBuf-write", f"{CPU}: log.write(nil, now, hdr[:], stk)",
                      h.at["write"], write, tags=frozenset({"pb-write"})))

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
                upd: dict[int, Val] = {h.seq: ite(s[h.locked] == 1, s[h.seq] ^ 1, s[h.seq]),
                                       h.pc: h.IDLE}
                h.reset(upd)
                return upd
            out.append(st("seqlock-release", f"{CPU}: if locked {{ mp.trace.seqlock.Add(1) }}",
                          h.at["unlock"], unlock))
        return out

    def busy(self, s) -> Val:  # type: ignore[no-untyped-def]
        return neg(s[self.pc] == self.IDLE)
