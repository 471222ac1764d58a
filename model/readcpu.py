"""traceReadCPU: one call of ``profBuf.read(profBufNonBlocking)`` and the records it returns.

Two threads call it: the CPU reader goroutine (inside traceAcquire/traceRelease),
and traceAdvance's drain of the generation it is finishing.  Both call it exactly
as the source does: **one** ``read`` per call of traceReadCPU (go1.22.0 to go1.27;
the correction ``drain-until-empty`` calls ``read`` until it returns nothing).

The read is four steps, one shared access each (profbuf.go ``read``):

1. ``read.commit``: "Commit previous read": ``b.r.store(b.rNext)``.
2. ``read.load-w``: ``bw := b.w.load()``; if there is data, the run of whole records
   that ``read`` returns and ``b.rNext``.  A read stops at the end of the data ring
   (a wraparound marker counts as that end: nothing after it is a record) or at the
   end of the tag ring, whichever comes first; with records longer than one word the
   two ends fall after different records.  The words between ``b.r`` and
   ``b.w`` are read in the same step: no writer touches them until the reader
   commits past them, so when they are read does not matter.
3. ``read.take-overflow`` (no data): ``if b.hasOverflow() { count, time :=
   b.takeOverflow(); if count == 0 { goto Read } ...}``: one step, the CAS.  A
   lost race goes back to ``Read`` to load ``b.w`` again, which is the same as a
   read that loaded it after the writer: the interleaving has that read.
4. ``read.load-eof`` (no data, no overflow): ``if b.eof.Load() > 0 { return nil,
   nil, true }``, else nothing (non-blocking).

Then ``read.emit`` hands over one record per step: an overflow record is skipped
(``if isOverflowRecord { continue }``), a sample is written into
``trace.cpuBuf[gen%2]`` as an event of ``gen``.  The records stay in the ring until
the next read's commit, as in Go.
"""

from __future__ import annotations

from collections.abc import Callable

from gentrace.model.context import Ctx
from gentrace.model.layout import Step
from gentrace.model.profbuf import PB, Ring, of_ring, per_ring
from gentrace.model.values import Val, all_of, ite

READ_STEPS = ("read.commit", "read.load-w", "read.take-overflow", "read.load-eof", "read.emit")

RD = "trace2cpu.go traceReadCPU"


class Drainer:
    """A thread that calls traceReadCPU for the profBuf of its generation ``g``.

    ``busy`` is 1 from the read's commit until traceReadCPU returns: what
    single-reader looks at.  ``pos`` and ``left`` walk the records the read
    returned; ``eof`` is what it reported.
    """

    ctx: Ctx
    name: str
    g: int
    pc: int

    def init_read(self, ctx: Ctx) -> None:
        L, b = ctx.L, ctx.bounds
        self.busy = L.add(f"{self.name}.read.busy", 0, 1)
        self.pos = L.add(f"{self.name}.read.pos", 0, b.ring_words)
        self.left = L.add(f"{self.name}.read.left", 0, b.ring_words)
        self.eof = L.add(f"{self.name}.read.eof", 0, 1)

    def draining(self, s) -> Val:  # type: ignore[no-untyped-def]
        return s[self.busy] == 1

    def prof(self, s) -> Val:  # type: ignore[no-untyped-def]
        return self.ctx.prof_of(s[self.g])

    def advance(self, s, upd: dict[int, Val], done: int, more: int, cond: Val = True) -> None:  # type: ignore[no-untyped-def]
        """Move past the record at ``pos`` (when ``cond``); go to ``done`` after the last one."""
        c = self.ctx
        x = of_ring(c.pb, self.prof(s), lambda rg: rg.word(s, s[self.pos]))
        n = of_ring(c.pb, self.prof(s), lambda rg: rg.length(x))
        left = s[self.left] - 1
        last = all_of(cond, left == 0)
        upd[self.pos] = ite(cond, ite(left == 0, 0, s[self.pos] + n), s[self.pos])
        upd[self.left] = ite(cond, left, s[self.left])
        upd[self.pc] = ite(last, done, more)
        upd[self.busy] = ite(all_of(last, not c.design.drain_loop), 0, 1)

    def read_steps(self, st: Callable[..., Step], pc: Callable[[str], int], *, ret_data: int,
                   ret_empty: int, ret_eof: int,
                   emit: Callable[[list[Val], dict[int, Val], Val], None] | None,
                   record: int | None = None) -> list[Step]:
        """The steps of one traceReadCPU call.

        ``st(name, go, pc, update)`` builds a step of the calling thread; ``pc(name)``
        is the program counter of each of READ_STEPS.  The call ends at ``ret_data``
        (the read returned records or an overflow record), ``ret_empty`` (nothing) or
        ``ret_eof`` (end of file).  ``emit(s, upd, sample)`` writes one sample; with
        ``emit=None`` the records are handed to ``record`` instead (legacy: the
        caller acquires a generation for each one).
        """
        c, me = self.ctx, self
        rings = c.pb
        loop = c.design.drain_loop
        slot = "[gen%2]" if c.nprof == 2 else ""
        # With the correction, a read that returned something is followed by another.
        again = pc("read.commit") if loop else ret_data

        def idx(s):  # type: ignore[no-untyped-def]
            return me.prof(s)

        def commit(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {me.busy: 1, me.eof: 0, me.pc: pc("read.load-w")}
            per_ring(rings, idx(s), s, upd, lambda rg, u: rg.commit(s, u))
            return upd

        def load_w(s):  # type: ignore[no-untyped-def]
            has, first, count, rn, rnt = (of_ring(rings, idx(s), lambda rg, i=i: rg.scan(s)[i])
                                          for i in range(5))
            upd: dict[int, Val] = {me.pos: ite(has, first, 0), me.left: ite(has, count, 0),
                                   me.pc: ite(has, pc("read.emit"), pc("read.take-overflow"))}

            def set_next(rg: Ring, u: dict[int, Val]) -> None:
                u[rg.rn] = ite(has, rn, s[rg.rn])
                u[rg.rnt] = ite(has, rnt, s[rg.rnt])
            per_ring(rings, idx(s), s, upd, set_next)
            return upd

        def take(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {}
            had = of_ring(rings, idx(s), lambda rg: s[rg.overflow] != 0)
            per_ring(rings, idx(s), s, upd, lambda rg, u: rg.take_overflow(s, u))
            # The overflow record: traceReadCPU skips it, and read reported no eof.
            upd[me.pc] = ite(had, again, pc("read.load-eof"))
            upd[me.busy] = ite(all_of(had, not loop), 0, 1)
            return upd

        def load_eof(s):  # type: ignore[no-untyped-def]
            eof = of_ring(rings, idx(s), lambda rg: s[rg.eof])
            if c.design.reader_exits_when_empty:
                eof = 1  # the mutant: nothing to read is taken for the end
            return {me.eof: eof, me.busy: 0, me.pc: ite(eof == 1, ret_eof, ret_empty)}

        def emit_one(s):  # type: ignore[no-untyped-def]
            upd: dict[int, Val] = {}
            x = of_ring(rings, idx(s), lambda rg: rg.word(s, s[me.pos]))
            if emit is None:
                # Legacy: a sample goes to ``record`` (per-record traceAcquire) before
                # it is written; an overflow record is skipped here.
                assert record is not None
                ovf = x == rings[0].OVF
                me.advance(s, upd, again, pc("read.emit"), cond=ovf)
                upd[me.pc] = ite(ovf, upd[me.pc], record)
                return upd
            emit(s, upd, x)
            me.advance(s, upd, again, pc("read.emit"))
            return upd

        return [
            st("read.commit", f"{PB} profBuf.read: commit the previous read, b.r.store(b.rNext) "
               f"({RD}: trace.cpuLogRead{slot}.read(profBufNonBlocking))", pc("read.commit"), commit),
            st("read.load-w", f"{PB} profBuf.read: bw := b.w.load(); the whole records up to the end "
               "of the data ring (or a wraparound marker) or of the tag ring; b.rNext = ...", pc("read.load-w"),
               load_w),
            st("read.take-overflow", f"{PB} profBuf.read: no data; if b.hasOverflow() {{ b.takeOverflow() }} "
               "returns an overflow record, which traceReadCPU skips", pc("read.take-overflow"), take),
            st("read.load-eof", f"{PB} profBuf.read: no data, no overflow: return nil, nil, "
               "b.eof.Load() > 0", pc("read.load-eof"), load_eof),
            st("read.emit", f"{RD}: one record: skip an overflow record, else write a CPUSample event "
               "of gen into trace.cpuBuf[gen%2] (refilling a full batch)", pc("read.emit"), emit_one),
        ]
