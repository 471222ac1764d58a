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
from model.generation import is_before, is_sealed, later_of, sequence
from model.layout import Layout, sample_bits
from model.profbuf import Ring
from model.values import Val, all_of, any_of, as_int, bit, has_bit, ite, neg

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
        # The ghost sets of samples: bit k stands for sample #k (shown as {#1,#2}).
        self.sample_bits = sample_bits(b.signals)

        self.rel = design.release
        self.gen = L.add("gen", b.first_gen, top)
        # go1.23 on: traceEnabled() reads the bool trace.enabled, which
        # traceAdvance(stop) clears after trace.gen.Store(0); before, it is gen != 0.
        self.enabled = L.add("trace.enabled", 1, 1) if self.rel.enabled_flag else None
        self.flushed = L.add("flushedGen", 0, top)
        self.siglock = L.add("signalLock")
        self.clw = [L.add(f"cpuLogWrite[{p}]", 1, 1) for p in range(self.nprof)]
        self.pb = [
            Ring(L, f"profBuf[{p}]", words=b.ring_words, tags=b.ring_tags, rec=b.rec_words,
                 signals=b.signals, start=b.ring_start, tag_start=b.tag_start)
            for p in range(self.nprof)
        ]
        self.cpubuf = [self.trace_buf(f"cpuBuf[{p}]", "sample") for p in range(2)]
        self.delivered = L.add("sigprof.delivered", 0, b.signals)
        # Ghost state.
        self.sgen = [-1] + [
            L.add(f"sample{k}.gen", 0, top, ghost=True) for k in range(1, b.signals + 1)
        ]
        self.emitted = L.add("samples.emitted", 0, self.mask_max, bits=self.sample_bits, ghost=True)
        self.overflowed = L.add("samples.overflowed", 0, self.mask_max, bits=self.sample_bits,
                                ghost=True)
        # Which kinds of batch have reached the trace so far (bit 0: events,
        # bit 1: samples): the antecedent of the flush properties, for vacuity.
        self.flushes = L.add("flushes", 0, 3, bits=["events", "samples"], ghost=True)
        self.viol = {
            p: L.add(f"broken.{p}", ghost=True)
            for p in ("sample-generation", "event-generation", "flush-before-seal",
                      "sample-conservation", "generation-order")
        }

    # -- fields -----------------------------------------------------------

    def trace_buf(self, name: str, kind: str) -> TraceBuf:
        L, b = self.L, self.bounds
        # An event batch's ``stale`` is a flag (0 or 1); a sample batch's ``ids`` the set
        # of samples it holds.
        event = kind == "event"
        return TraceBuf(
            name=name, kind=kind,
            hdr=L.add(f"{name}.hdr", 0, b.top),
            n=L.add(f"{name}.n", 0, b.tracebuf),
            content=L.add(f"{name}.{'stale' if event else 'ids'}", 0, 1 if event else self.mask_max,
                          bits=None if event else self.sample_bits, ghost=True),
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

    def write_cpu(self, s: list[Val], upd: Upd, g: Val, sid: Val, cond: Val = True) -> None:
        """Write sample ``sid`` as an event of ``g`` into ``cpuBuf[g%2]`` (when ``cond``)."""
        sub: Upd = {}
        self.write_parity(s, sub, self.cpubuf, g, g, sid)
        for f, v in sub.items():
            upd[f] = ite(cond, v, cur(s, upd, f))

    # -- the per-M write marker (seqlock to go1.25, writing flag from go1.26) --

    def seq_take(self, v: Val) -> Val:
        """``seqlock.Add(1)`` (parity flips) or ``writing.Store(true)``."""
        return 1 if self.rel.write_flag else v ^ 1

    def seq_drop(self, v: Val) -> Val:
        """``seqlock.Add(1)`` (parity flips) or ``writing.Store(false)``."""
        return 0 if self.rel.write_flag else v ^ 1

    def seq_take_go(self) -> str:
        return "mp.trace.writing.Store(true)" if self.rel.write_flag else "mp.trace.seqlock.Add(1)"

    def seq_drop_go(self) -> str:
        return "mp.trace.writing.Store(false)" if self.rel.write_flag else "mp.trace.seqlock.Add(1)"

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

    def traced(self, s: list[Val]) -> Val:
        """traceEnabled(): gen != 0 in go1.22, the bool trace.enabled from go1.23 on."""
        return s[self.enabled] == 1 if self.enabled is not None else s[self.gen] != 0

    def ref(self, text: str) -> str:
        """A Go reference, in the file names of the release being modelled."""
        return self.rel.ref(text)

    # -- per-M program order (generation-order) ---------------------------

    def order_field(self, m: str) -> int:
        """Ghost: the latest generation (in run order) of an event the M has written."""
        return self.L.add(f"{m}.lastEventGen", 0, self.bounds.top, ghost=True)

    def note_event(self, s: list[Val], upd: Upd, last: int, g: Val, cond: Val = True) -> None:
        """An event of generation ``g`` is written by an M whose latest so far is ``s[last]``."""
        m = s[last]
        self.sticky(s, upd, "generation-order", all_of(cond, is_before(g, m, self.gens)))
        upd[last] = ite(cond, later_of(g, m, self.gens), m)


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
