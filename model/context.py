"""The state vector of one (design, bounds) pair, and helpers shared by all threads.

Every field is a small non-negative int.  Ghost fields (marked so in the layout)
exist only for the properties: the generation each sample was accepted under,
which samples reached the trace, and one sticky bit per property that a flush can
break (a check made at the flush itself, kept in the state so that every engine,
z3 included, sees it as a plain invariant).
"""

from __future__ import annotations

from dataclasses import dataclass

from model.bounds import Bounds
from model.designs import Design
from model.generation import is_sealed, sequence
from model.layout import Layout
from model.values import Val, all_of, any_of, as_int, bit, has_bit, ite, neg, select

Upd = dict[int, Val]


def cur(s: list[Val] | tuple[Val, ...], upd: Upd, f: int) -> Val:
    """The value field ``f`` has after the updates made so far in this step."""
    return upd[f] if f in upd else s[f]


@dataclass
class TraceBuf:
    """A trace buffer slot: nil (hdr 0) or a batch with a header generation.

    ``content`` is, for an M's event buffer, a sticky bit "an event of another
    generation was written into this batch"; for cpuBuf, the mask of sample ids
    the batch holds.
    """

    name: str
    kind: str  # "event" or "sample"
    hdr: int
    n: int
    content: int


@dataclass
class ProfBuf:
    """A profBuf ring: ``length`` records, ``rec[j]`` the sample id at position j."""

    name: str
    length: int
    rec: list[int]
    closed: int


class Ctx:
    """Fields of the global state, and the operations several threads share."""

    def __init__(self, design: Design, bounds: Bounds) -> None:
        self.design = design
        self.bounds = bounds
        b = bounds
        self.L = L = Layout()
        self.gens = sequence(b.first_gen, b.advances + 1, b.top, design.wrap_to)
        self.nprof = 1 if design.legacy else 2
        top = b.top
        self.mask_max = (1 << (b.signals + 1)) - 1

        self.gen = L.add("gen", b.first_gen, top)
        self.flushed = L.add("flushedGen", 0, top)
        self.siglock = L.add("signalLock")
        self.clw = [L.add(f"cpuLogWrite[{p}]", 1, 1) for p in range(self.nprof)]
        self.pb = [
            ProfBuf(
                name=f"profBuf[{p}]",
                length=L.add(f"profBuf[{p}].len", 0, b.profbuf),
                rec=[L.add(f"profBuf[{p}].rec[{j}]", 0, b.signals) for j in range(b.profbuf)],
                closed=L.add(f"profBuf[{p}].closed"),
            )
            for p in range(self.nprof)
        ]
        self.cpubuf = [self.trace_buf(f"cpuBuf[{p}]", "sample") for p in range(2)]
        self.delivered = L.add("sigprof.delivered", 0, b.signals)
        # Ghost state.
        self.sgen = [-1] + [
            L.add(f"sample{k}.gen", 0, top, ghost=True) for k in range(1, b.signals + 1)
        ]
        self.emitted = L.add("samples.emitted", 0, self.mask_max, ghost=True)
        self.overflowed = L.add("samples.overflowed", 0, self.mask_max, ghost=True)
        # Which kinds of batch have reached the trace so far (bit 0: events,
        # bit 1: samples): the antecedent of the flush properties, for vacuity.
        self.flushes = L.add("flushes", 0, 3, ghost=True)
        self.viol = {
            p: L.add(f"broken.{p}", ghost=True)
            for p in ("sample-generation", "event-generation", "flush-before-seal",
                      "sample-conservation")
        }

    # -- fields -----------------------------------------------------------

    def trace_buf(self, name: str, kind: str) -> TraceBuf:
        L, b = self.L, self.bounds
        content_max = 1 if kind == "event" else self.mask_max
        return TraceBuf(
            name=name, kind=kind,
            hdr=L.add(f"{name}.hdr", 0, b.top),
            n=L.add(f"{name}.n", 0, b.tracebuf),
            content=L.add(f"{name}.{'stale' if kind == 'event' else 'ids'}", 0, content_max,
                          ghost=True),
        )

    def sticky(self, s: list[Val], upd: Upd, prop: str, cond: Val) -> None:
        """Set the sticky violation bit of ``prop`` if ``cond``."""
        f = self.viol[prop]
        upd[f] = as_int(any_of(cur(s, upd, f) == 1, cond))

    # -- trace buffers ----------------------------------------------------

    def flush(self, s: list[Val], upd: Upd, tb: TraceBuf, under: Val, cond: Val) -> None:
        """traceBufFlush(buf, under) of ``tb`` when ``cond``: check it, mark samples emitted.

        The checks are those the properties make "at a flush": the batch's
        generation must be unfinished and equal to ``under``; its events or
        samples must belong to its generation; no sample may reach the trace twice.
        """
        hdr = s[tb.hdr]
        cond = all_of(cond, hdr != 0)
        late = any_of(is_sealed(s[self.flushed], hdr, self.gens), under != hdr)
        self.sticky(s, upd, "flush-before-seal", all_of(cond, late))
        fl = cur(s, upd, self.flushes)
        upd[self.flushes] = ite(cond, fl | (1 if tb.kind == "event" else 2), fl)
        if tb.kind == "event":
            self.sticky(s, upd, "event-generation", all_of(cond, s[tb.content] == 1))
            return
        ids = s[tb.content]
        wrong = any_of(*[
            all_of(has_bit(ids, k), s[self.sgen[k]] != hdr)
            for k in range(1, self.bounds.signals + 1)
        ])
        self.sticky(s, upd, "sample-generation", all_of(cond, wrong))
        em = cur(s, upd, self.emitted)
        self.sticky(s, upd, "sample-conservation", all_of(cond, (ids & em) != 0))
        upd[self.emitted] = ite(cond, em | ids, em)

    def flush_and_clear(self, s: list[Val], upd: Upd, tb: TraceBuf, under: Val) -> None:
        """Flush ``tb`` if it is not nil and set the slot to nil."""
        self.flush(s, upd, tb, under, True)
        upd[tb.hdr] = 0
        upd[tb.n] = 0
        upd[tb.content] = 0

    def write(self, s: list[Val], upd: Upd, tb: TraceBuf, gw: Val, sid: Val = 0) -> None:
        """Write one event (or the sample ``sid``) with writer generation ``gw`` into ``tb``.

        traceWriter.ensure: a nil slot gets a new batch whose header is ``gw``; a
        full batch is flushed under ``gw`` (refill) and replaced by a new one.
        """
        hdr, n = s[tb.hdr], s[tb.n]
        empty = hdr == 0
        full = all_of(neg(empty), n == self.bounds.tracebuf)
        fresh = any_of(empty, full)
        self.flush(s, upd, tb, gw, full)
        upd[tb.hdr] = ite(fresh, gw, hdr)
        upd[tb.n] = ite(fresh, 1, n + 1)
        if tb.kind == "event":
            upd[tb.content] = ite(fresh, 0, as_int(any_of(s[tb.content] == 1, hdr != gw)))
        else:
            ids = s[tb.content]
            self.sticky(s, upd, "sample-conservation",
                        all_of(neg(fresh), (ids & bit(sid)) != 0))
            upd[tb.content] = ite(fresh, bit(sid), ids | bit(sid))

    def write_cpu(self, s: list[Val], upd: Upd, g: Val, sid: Val) -> None:
        """Write sample ``sid`` as an event of ``g`` into ``cpuBuf[g%2]``."""
        self.write_parity(s, upd, self.cpubuf, g, g, sid)

    def write_parity(self, s: list[Val], upd: Upd, slots: list[TraceBuf], p_of: Val,
                     gw: Val, sid: Val = 0) -> None:
        """Write into ``slots[p_of % 2]`` where the parity may be symbolic."""
        par = p_of & 1
        for p, tb in enumerate(slots):
            sub: Upd = {}
            self.write(s, sub, tb, gw, sid)
            for f, v in sub.items():
                upd[f] = ite(par == p, v, cur(s, upd, f))

    def flush_parity(self, s: list[Val], upd: Upd, slots: list[TraceBuf], g: Val) -> None:
        """Flush and clear ``slots[g % 2]`` under ``g`` (parity may be symbolic)."""
        par = g & 1
        for p, tb in enumerate(slots):
            sub: Upd = {}
            self.flush_and_clear(s, sub, tb, g)
            for f, v in sub.items():
                upd[f] = ite(par == p, v, cur(s, upd, f))

    # -- profBufs ---------------------------------------------------------

    def prof_of(self, g: Val) -> Val:
        """Index of the profBuf for generation ``g`` (legacy: the only one)."""
        return 0 if self.nprof == 1 else g & 1

    def pb_field(self, s: list[Val], idx: Val, pick: str) -> Val:
        return select(idx, [s[getattr(pb, pick)] for pb in self.pb])

    def pb_append(self, s: list[Val], upd: Upd, idx: Val, sid: Val) -> None:
        """profBuf.write of sample ``sid``; a full ring drops it and counts overflow."""
        any_full = []
        for p, pb in enumerate(self.pb):
            here = idx == p
            ln = s[pb.length]
            full = ln == self.bounds.profbuf
            any_full.append(all_of(here, full))
            for j, r in enumerate(pb.rec):
                upd[r] = ite(all_of(here, ln == j), sid, s[r])
            upd[pb.length] = ite(all_of(here, neg(full)), ln + 1, ln)
        ov = s[self.overflowed]
        upd[self.overflowed] = ite(any_of(*any_full), ov | bit(sid), ov)

    def pb_record(self, s: list[Val], idx: Val, i: Val) -> Val:
        """The sample id at position ``i`` of profBuf ``idx``."""
        return select(idx, [select(i, [s[r] for r in pb.rec]) for pb in self.pb])

    def pb_commit(self, s: list[Val], upd: Upd, idx: Val, n: Val) -> None:
        """Advance the read position past ``n`` records (profBuf.read's next call).

        With one reader at a time ``n`` never exceeds the length; with two (a
        defect) the second commit may remove records nobody read, which is what
        a racing read does to the real ring.
        """
        cap = self.bounds.profbuf
        for p, pb in enumerate(self.pb):
            here = idx == p
            ln = s[pb.length]
            new_len = select(n, [select(ln, [max(k - v, 0) for k in range(cap + 1)])
                                 for v in range(cap + 1)])
            upd[pb.length] = ite(here, new_len, ln)
            for j, r in enumerate(pb.rec):
                shifted = select(n, [s[pb.rec[j + v]] if j + v < cap else 0
                                     for v in range(cap + 1)])
                upd[r] = ite(here, shifted, s[r])


class Drainer:
    """A thread that drains profBufs (the reader goroutine, traceCPUFlush's advancer).

    It holds its snapshot of ``n`` records (field ``n``) from its read until its
    commit, for the profBuf of its generation ``g``: what single-reader looks at.
    """

    ctx: Ctx
    n: int
    g: int

    def draining(self, s) -> Val:  # type: ignore[no-untyped-def]
        return s[self.n] != 0

    def prof(self, s) -> Val:  # type: ignore[no-untyped-def]
        return self.ctx.prof_of(s[self.g])
