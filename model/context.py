"""The state vector of one (design, bounds) pair, and helpers shared by all threads.

Every field is a small non-negative int.  Ghost fields (marked so in the layout)
exist only for the properties: the generation each sample was accepted under,
which samples reached the trace, and one sticky bit per property that a flush can
break (a check made at the flush itself, kept in the state so that every engine,
z3 included, sees it as a plain invariant).
"""

from __future__ import annotations

from dataclasses import dataclass

from gentrace.model.bounds import Bounds
from gentrace.model.designs import Design
from gentrace.model.generation import is_before, is_sealed, later_of, sequence
from gentrace.model.layout import Layout, sample_bits
from gentrace.model.profbuf import Ring
from gentrace.model.values import Val, all_of, any_of, as_int, bit, has_bit, ite, neg

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
    """Fields of the global state, and the operations several threads share.

    ``unbounded``: the system without run bounds (``sections``, ``signals`` and
    ``advances`` are ignored: workers run any number of sections, signals arrive at
    any time, the advancer advances any number of times and may stop after any).
    Its state stays finite: the generation word wraps, buffers keep their
    capacities, and the ghost state is local:

    * one tracked sample instead of one id per delivery.  A delivery is either the
      tracked sample (id 1, at most once: ``sample.tracked`` remembers that it was
      chosen) or an anonymous one (id 2).  No step of the protocol reads a record's
      id beyond "0, overflow, or a sample", so anonymous and tracked records move
      alike; every per-sample property says "for every sample", and the run in which
      the solver chose that sample as the tracked one shows whatever happens to it.
      The sample sets (``emitted``, ``overflowed``, a batch's ids) hold the tracked
      sample's bit only.
    * no tracked event.  Events need no identity: event-generation is a fact about each
      batch (its sticky ``stale`` flag is set when an event of another generation joins
      it, and checked when the batch is flushed), and generation-order a fact about each M
      (the generation of its latest event).  Both follow every event, not one chosen one.
    * "finished in run order" as a local fact: at any moment at most two
      generations are live, ``trace.gen`` and the one the advancer is finishing
      (its ``gen``, until it stores ``flushedGen``); every other value is finished.
      See :meth:`live` and :meth:`note_event`.
    * ``profBuf.overflow`` counts 0 or 1 ("some pending"): every reader of the count
      asks only whether it is zero.
    """

    def __init__(self, design: Design, bounds: Bounds, unbounded: bool = False) -> None:
        self.design = design
        self.bounds = bounds
        self.unbounded = unbounded
        b = bounds
        self.L = L = Layout()
        self.gens = sequence(b.first_gen, b.advances + 1, b.top, design.wrap_to)
        self.nprof = 1 if design.legacy else 2
        top = b.top
        # Sample ids: one per delivery; unbounded: 1 (tracked) and 2 (any other).
        self.nsig = 2 if unbounded else b.signals
        self.tracked = 1 if unbounded else b.signals  # ids whose fate the ghost state follows
        self.mask_max = (1 << (self.tracked + 1)) - 1
        # The ghost sets of samples: bit k stands for sample #k (shown as {#1,#2}).
        self.sample_bits = ["#?", "#t"] if unbounded else sample_bits(b.signals)
        # Set by the advancer and the workers (the local order needs their fields).
        self.adv_g: int | None = None
        self.order_fields: list[int] = []

        self.rel = design.release
        self.gen = L.add("gen", b.first_gen, top, gen=True)
        # go1.23 on: traceEnabled() reads the bool trace.enabled, which
        # traceAdvance(stop) clears after trace.gen.Store(0); before, it is gen != 0.
        self.enabled = L.add("trace.enabled", 1, 1) if self.rel.enabled_flag else None
        self.flushed = L.add("flushedGen", 0, top, gen=True)
        self.siglock = L.add("signalLock")
        self.clw = [L.add(f"cpuLogWrite[{p}]", 1, 1) for p in range(self.nprof)]
        self.pb = [
            Ring(L, f"profBuf[{p}]", words=b.ring_words, tags=b.ring_tags, rec=b.rec_words,
                 signals=self.nsig, start=b.ring_start, tag_start=b.tag_start,
                 saturate=unbounded)
            for p in range(self.nprof)
        ]
        self.cpubuf = [self.trace_buf(f"cpuBuf[{p}]", "sample") for p in range(2)]
        if unbounded:  # the prophecy: whether the tracked sample was delivered yet
            self.delivered = L.add("sample.tracked", 0, 1, ghost=True)
        else:
            self.delivered = L.add("sigprof.delivered", 0, b.signals)
        # Ghost state.
        self.sgen = [-1] + [
            L.add("sample.tracked.gen" if unbounded else f"sample{k}.gen", 0, top, ghost=True, gen=True)
            for k in range(1, self.tracked + 1)
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
            hdr=L.add(f"{name}.hdr", 0, b.top, gen=True),
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
        late = any_of(self.finished(s, hdr), under != hdr)
        self.sticky(s, upd, "flush-before-seal", all_of(cond, late))
        fl = cur(s, upd, self.flushes)
        upd[self.flushes] = ite(cond, fl | (1 if tb.kind == "event" else 2), fl)
        if tb.kind == "event":
            self.sticky(s, upd, "event-generation", all_of(cond, s[tb.content] == 1))
            return
        ids = s[tb.content]
        wrong = any_of(*[
            all_of(has_bit(ids, k), s[self.sgen[k]] != hdr)
            for k in range(1, self.tracked + 1)
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
                        all_of(neg(fresh), (ids & self.sample_bit(sid)) != 0))
            upd[tb.content] = ite(fresh, self.sample_bit(sid), ids | self.sample_bit(sid))

    def write_cpu(self, s: list[Val], upd: Upd, g: Val, sid: Val, cond: Val = True) -> None:
        """Write sample ``sid`` as an event of ``g`` into ``cpuBuf[g%2]`` (when ``cond``)."""
        sub: Upd = {}
        self.write_parity(s, sub, self.cpubuf, g, g, sid)
        for f, v in sub.items():
            upd[f] = ite(cond, v, cur(s, upd, f))

    def sample_bit(self, sid: Val) -> Val:
        """The bit of sample ``sid`` in a ghost sample set (unbounded: only the tracked one)."""
        return ite(sid == 1, 2, 0) if self.unbounded else bit(sid)

    # -- the order of generations ------------------------------------------

    def live(self, s: list[Val], h: Val) -> Val:
        """Unbounded: generation ``h`` is unfinished: ``trace.gen``, or the generation the
        advancer is finishing (from its load of ``trace.gen`` until ``flushedGen.Store``)."""
        assert self.adv_g is not None
        ag = s[self.adv_g]
        return all_of(h != 0, any_of(h == s[self.gen], all_of(h == ag, s[self.flushed] != ag)))

    def finished(self, s: list[Val], h: Val) -> Val:
        """Generation ``h`` is finished (its batches may no longer be flushed).

        Bounded: ``h`` is ``flushedGen`` or before it in the run's order of generations.
        Unbounded: ``h`` is not live.  The two agree on every generation a batch can
        carry when its writer loaded it under the protocol; where they differ (a stale
        value that wrapped around) the local form says finished, which can only add
        violations: a proof with it is a proof of the run-order property."""
        if self.unbounded:
            return neg(self.live(s, h))
        return is_sealed(s[self.flushed], h, self.gens)

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
        f = self.L.add(f"{m}.lastEventGen", 0, self.bounds.top, ghost=True, gen=True)
        self.order_fields.append(f)
        return f

    def note_event(self, s: list[Val], upd: Upd, last: int, g: Val, cond: Val = True) -> None:
        """An event of generation ``g`` is written by an M whose latest so far is ``s[last]``.

        Unbounded: ``lastEventGen`` is kept only while it is live (the advancer clears
        it when it finishes that generation, :meth:`forget_finished`), so it is 0 or
        live.  An event of a finished generation counts as out of order whatever the
        M wrote before (over-approximate: that event is already in the past of every
        live one), and of two live generations the advancer's is the earlier."""
        m = s[last]
        if self.unbounded:
            assert self.adv_g is not None
            ag = s[self.adv_g]
            old = all_of(g == ag, s[self.flushed] != ag)   # the earlier of the two live ones
            dead = neg(self.live(s, g))
            before = any_of(dead, all_of(m != 0, m != g, old))
            later = ite(any_of(m == 0, neg(old)), g, m)
        else:
            before = is_before(g, m, self.gens)
            later = later_of(g, m, self.gens)
        self.sticky(s, upd, "generation-order", all_of(cond, before))
        upd[last] = ite(cond, later, m)

    def forget_finished(self, s: list[Val], upd: Upd, g: Val) -> None:
        """Unbounded, at ``flushedGen.Store(g)``: an M whose latest event is of ``g`` now
        has none that is live (0), so a later wrap to the same value is not mistaken
        for it."""
        if self.unbounded:
            for f in self.order_fields:
                upd[f] = ite(s[f] == g, 0, s[f])


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
