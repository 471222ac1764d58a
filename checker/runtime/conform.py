"""What the model's properties say a real execution trace can show, checked on the trace.

Three checks, each with a verdict (``holds``, ``VIOL``, or ``vacuous`` when the trace has
nothing the check could fail on):

``generations``
    The generations are consecutive (each number one more than the one before it in the
    file; none repeated, none missing) and complete: each has its frequency event, from the
    go 1.25 format its clock snapshot, and from the go 1.26 format its end-of-generation
    marker (a go 1.26 trace whose last generation has no marker was cut off).  Before the
    go 1.26 format nothing marks a generation's end, so a trace cut off between two batches
    of its last generation cannot be told from a whole one (a cut inside a batch is a read
    error, exit 2).

``sample-generation`` (the model's property of that name)
    Each CPU sample sits in the generation that was current when it was taken, judged by its
    timestamp against the generations' time windows.  The *window* of generation ``g`` is
    ``[lo(g), hi(g)]``, the first and last timestamp of the timed events that Ms wrote in
    ``g``; batches without an M (M = -1) are left out: ``traceAdvance`` writes them for ``g``
    (goroutine statuses) after every M has stopped writing ``g``, so they say when the
    advance ended, not when ``g`` was current.  The advance is not atomic across Ms: an M
    that acquired ``g`` just before the advance still writes ``g`` events after others have
    begun ``g+1`` (the windows overlap), and an M burning CPU writes no events at all for a
    while (a gap between the windows), so the time between ``hi(g)`` and ``lo(g+1)``,
    whichever comes first, belongs to both.  The rule: a sample written in ``g`` at time ``t`` is in place iff

        ``min(hi(g-1), lo(g)) <= t <= max(hi(g), lo(g+1))``

    with no lower bound for the first generation of the trace and no upper bound for the
    last (a generation without events takes its bound from the neighbour that has one, or
    none).  A sample outside is *misplaced*; it is *off* by ``g - e`` generations, where
    ``e`` is the nearest generation whose allowed span holds ``t``: positive when the
    sample was written late (the misattribution CL 555495 fixed: a sample taken in ``g-2``
    and written in ``g``), negative when early.  The rule cannot tell a sample written one
    generation late from one taken in the boundary zone; it catches every sample written at
    least one whole generation away from where events place its time.  It could flag a
    well-placed sample only in two windows the runtime keeps to microseconds: after the
    advance publishes ``g`` and before the first ``g`` event (the advancing M writes one at
    once) while another M still writes ``g-1`` events, and between the handler's load of
    ``trace.gen`` and its clock read (a few instructions) when an advance happens in between.

``generation-order`` (the model's property of that name)
    Per M, no event in an earlier generation than one the M wrote before it.  Within a batch
    the timestamps do not decrease; across generations the trace shows it as: for each M
    and each generation ``g``, the M's first event in ``g`` is not earlier than its last
    event in any generation before ``g``.  Batches without an M (M = -1, the runtime's
    ``NoThread``) are left out: they are no M's program order.

All comparisons are made on the trace's ticks, exact integers; reports give nanoseconds as Go's
parser computes them, and the tables milliseconds from the trace's first event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gentrace.runtime.trace_reader import Generation, Trace, read_trace

HOLDS, VIOL, VACUOUS = "holds", "VIOL", "vacuous"
PROPERTIES = ("generations", "sample-generation", "generation-order")
NO_THREAD = -1
SHOWN = 10  # misplaced samples and order breaks listed in the table (JSON has all)


@dataclass
class GenRow:
    """One generation in the report."""

    gen: int
    batches: int
    events: int
    samples: int
    ms: int
    first_ns: int | None
    last_ns: int | None
    frequency: int
    complete: bool

    def to_json(self) -> dict[str, Any]:
        return {"gen": self.gen, "batches": self.batches, "events": self.events,
                "samples": self.samples, "ms": self.ms, "first_ns": self.first_ns,
                "last_ns": self.last_ns, "frequency": self.frequency, "complete": self.complete}


@dataclass
class Misplaced:
    """A CPU sample outside its generation's allowed span."""

    gen: int            # the generation it was written in
    index: int          # its position among that generation's samples (file order)
    m: int
    ticks: int
    ns: int
    expected: int | None  # the nearest generation whose span holds its time
    off: int | None       # gen - expected

    def to_json(self) -> dict[str, Any]:
        return {"gen": self.gen, "index": self.index, "m": self.m, "ticks": self.ticks,
                "ns": self.ns, "expected_gen": self.expected, "off": self.off}


@dataclass
class OrderBreak:
    """An M whose event of an earlier generation comes after its event of a later one."""

    m: int
    gen: int            # the later generation
    earlier_gen: int
    first_ns: int       # the M's first event in gen
    earlier_last_ns: int  # its last event in earlier_gen, later than first_ns
    by_ticks: int

    def to_json(self) -> dict[str, Any]:
        return {"m": self.m, "gen": self.gen, "earlier_gen": self.earlier_gen,
                "first_ns": self.first_ns, "earlier_last_ns": self.earlier_last_ns,
                "by_ticks": self.by_ticks}


@dataclass
class ConformReport:
    """The checks' results on one trace file."""

    path: str
    header: str
    releases: str
    size: int
    generations: list[GenRow]
    gen_problems: list[str] = field(default_factory=list)
    samples: int = 0
    inside: int = 0      # samples inside their generation's own window
    boundary: int = 0    # samples outside it but inside the allowed span
    misplaced: list[Misplaced] = field(default_factory=list)
    order_ms: int = 0    # Ms with events in more than one generation
    order_breaks: list[OrderBreak] = field(default_factory=list)
    origin_ns: int = 0   # the trace's first event, the tables' time 0

    @property
    def violations(self) -> int:
        """How many things are violated: generation problems, misplaced samples, order breaks."""
        return len(self.gen_problems) + len(self.misplaced) + len(self.order_breaks)

    @property
    def histogram(self) -> dict[int, int]:
        """Samples per number of generations off (0: in place), in increasing order of it."""
        h: dict[int, int] = {}
        if self.samples - len(self.misplaced):
            h[0] = self.samples - len(self.misplaced)
        for s in self.misplaced:
            key = s.off if s.off is not None else 0
            h[key] = h.get(key, 0) + 1
        return dict(sorted(h.items()))

    def verdict(self, prop: str) -> str:
        """The verdict of ``prop`` (one of :data:`PROPERTIES`)."""
        if prop == "generations":
            return VIOL if self.gen_problems else HOLDS
        if prop == "sample-generation":
            if self.misplaced:
                return VIOL
            return HOLDS if self.samples and len(self.generations) > 1 else VACUOUS
        if prop == "generation-order":
            if self.order_breaks:
                return VIOL
            return HOLDS if self.order_ms else VACUOUS
        raise KeyError(prop)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready document (every misplaced sample and break, no timing)."""
        return {
            "path": self.path, "format": self.header, "releases": self.releases,
            "bytes": self.size, "violations": self.violations,
            "generations": [g.to_json() for g in self.generations],
            "properties": {
                "generations": {"verdict": self.verdict("generations"),
                                "problems": list(self.gen_problems)},
                "sample-generation": {
                    "verdict": self.verdict("sample-generation"), "samples": self.samples,
                    "inside_window": self.inside, "in_boundary_zone": self.boundary,
                    "misplaced": [s.to_json() for s in self.misplaced],
                    "histogram": {str(k): v for k, v in self.histogram.items()}},
                "generation-order": {
                    "verdict": self.verdict("generation-order"), "ms": self.order_ms,
                    "breaks": [b.to_json() for b in self.order_breaks]},
            },
        }

    def _ms(self, ns: int | None) -> str:
        return "-" if ns is None else f"{(ns - self.origin_ns) / 1e6:.3f}"

    def render(self, per_generation: bool = False) -> str:
        """The report as the table ``gentrace conform`` prints."""
        gens = self.generations
        events = sum(g.events for g in gens)
        batches = sum(g.batches for g in gens)
        span = f"{gens[0].gen}..{gens[-1].gen}" if gens else "none"
        lines = [f"{self.path}: {self.header} ({self.releases}), {self.size:,} bytes",
                 f"{len(gens)} generations ({span}), {events:,} events in {batches:,} M batches, "
                 f"{self.samples:,} CPU samples", ""]
        if per_generation and gens:
            lines.append(f"{'gen':>6}  {'batches':>7}  {'events':>7}  {'samples':>7}  {'Ms':>3}  "
                         "window (ms)")
            for g in gens:
                mark = "" if g.complete else "  incomplete"
                lines.append(f"{g.gen:>6}  {g.batches:>7}  {g.events:>7}  {g.samples:>7}  {g.ms:>3}  "
                             f"{self._ms(g.first_ns)} .. {self._ms(g.last_ns)}{mark}")
            lines.append("")
        details = {
            "generations": (f"{span} consecutive and complete" if not self.gen_problems
                            else "; ".join(self.gen_problems[:3])
                            + (f"; and {len(self.gen_problems) - 3} more" if len(self.gen_problems) > 3 else "")),
            "sample-generation": (f"{self.samples} samples: {self.inside} inside their generation's "
                                  f"window, {self.boundary} in a boundary zone, "
                                  f"{len(self.misplaced)} misplaced"),
            "generation-order": (f"{self.order_ms} Ms with events in more than one generation, "
                                 f"{len(self.order_breaks)} wrote an earlier generation after a later one"
                                 if self.order_breaks else
                                 f"{self.order_ms} Ms with events in more than one generation, none "
                                 "wrote an earlier generation after a later one"),
        }
        lines.append(f"{'property':<18} {'verdict':<8} detail")
        for prop in PROPERTIES:
            lines.append(f"{prop:<18} {self.verdict(prop):<8} {details[prop]}")
        if self.misplaced:
            lines += ["", "misplaced CPU samples (written in one generation, taken at a time of another):",
                      f"  {'written in':>10}  {'sample':>6}  {'M':>7}  {'at (ms)':>10}  {'taken in':>8}  off"]
            for s in self.misplaced[:SHOWN]:
                exp = "?" if s.expected is None else str(s.expected)
                off = "?" if s.off is None else f"{s.off:+d}"
                lines.append(f"  {s.gen:>10}  {s.index:>6}  {s.m:>7}  {self._ms(s.ns):>10}  {exp:>8}  {off}")
            if len(self.misplaced) > SHOWN:
                lines.append(f"  ... and {len(self.misplaced) - SHOWN} more (--json lists all)")
            lines += ["", "generations off  samples"]
            for k, v in self.histogram.items():
                lines.append(f"{k:>+15d}  {v}" if k else f"{'0 (in place)':>15}  {v}")
        if self.order_breaks:
            lines += ["", "generation-order breaks:"]
            for b in self.order_breaks[:SHOWN]:
                lines.append(f"  M {b.m}: its last event of generation {b.earlier_gen} at "
                             f"{self._ms(b.earlier_last_ns)} ms comes after its first event of "
                             f"generation {b.gen} at {self._ms(b.first_ns)} ms")
            if len(self.order_breaks) > SHOWN:
                lines.append(f"  ... and {len(self.order_breaks) - SHOWN} more (--json lists all)")
        return "\n".join(lines)


def conform_file(path: str | Path) -> ConformReport:
    """Read the trace at ``path`` and check it (:class:`TraceError` if it cannot be read)."""
    return conform_trace(read_trace(path))


def conform_trace(trace: Trace) -> ConformReport:
    """Check a decoded trace: the three checks of the module docstring."""
    gens = trace.generations
    freq = next((g.freq for g in gens if g.freq), 0)

    def ns(g: Generation, ticks: int) -> int:
        if g.freq or not freq:
            return g.ns(ticks)
        return Generation(gen=g.gen, offset=g.offset, freq=freq).ns(ticks)

    fmt = trace.fmt
    rows = []
    for g in gens:
        lo, hi = window(g)
        rows.append(GenRow(gen=g.gen, batches=g.batches, events=g.events, samples=len(g.sample_ticks),
                           ms=sum(1 for m in g.ms if m != NO_THREAD),
                           first_ns=None if lo is None else ns(g, lo),
                           last_ns=None if hi is None else ns(g, hi), frequency=g.freq,
                           complete=_complete(g, fmt.has_sync_batch, fmt.has_end_marker)))
    firsts = [r.first_ns for r in rows if r.first_ns is not None]
    report = ConformReport(path=trace.path, header=fmt.header, releases=fmt.releases, size=trace.size,
                           generations=rows, origin_ns=min(firsts) if firsts else 0)
    report.gen_problems = _generation_problems(trace)
    _sample_generation(trace, report, ns)
    _generation_order(trace, report, ns)
    return report


def _complete(g: Generation, sync: bool, marker: bool) -> bool:
    return bool(g.freq) and (g.clock_snapshot or not sync) and (g.ended or not marker)


def _generation_problems(trace: Trace) -> list[str]:
    gens = trace.generations
    fmt = trace.fmt
    out: list[str] = []
    if not gens:
        out.append("the trace has no generations")
    for prev, g in zip(gens, gens[1:], strict=False):
        if g.gen == prev.gen + 1:
            continue
        if g.gen <= prev.gen:
            out.append(f"generation {g.gen} (byte {g.offset}) follows generation {prev.gen}")
        elif g.gen == prev.gen + 2:
            out.append(f"generation {prev.gen + 1} is missing (between {prev.gen} and {g.gen})")
        else:
            out.append(f"generations {prev.gen + 1}..{g.gen - 1} are missing "
                       f"(between {prev.gen} and {g.gen})")
    for g in gens:
        if not g.freq:
            out.append(f"generation {g.gen} has no frequency event")
        if fmt.has_sync_batch and not g.clock_snapshot:
            out.append(f"generation {g.gen} has no clock snapshot")
        if fmt.has_end_marker and not g.ended:
            last = " (the trace is cut off)" if g is gens[-1] else ""
            out.append(f"generation {g.gen} has no end-of-generation marker{last}")
    for at in trace.stray_markers:
        out.append(f"an end-of-generation marker at byte {at} ends no generation")
    return out


def window(g: Generation) -> tuple[int | None, int | None]:
    """Generation ``g``'s window in ticks: its Ms' first and last event (not M = -1's)."""
    spans = [v for m, v in g.ms.items() if m != NO_THREAD]
    if not spans:
        return None, None
    return min(v[0] for v in spans), max(v[1] for v in spans)


def _bound(values: list[int | None], pick: Any, default: float) -> float:
    have = [v for v in values if v is not None]
    return pick(have) if have else default


def _sample_generation(trace: Trace, report: ConformReport, ns: Any) -> None:
    gens = trace.generations
    n = len(gens)
    wins = [window(g) for g in gens]
    lows: list[float] = []
    highs: list[float] = []
    for i in range(n):
        lows.append(-math.inf if i == 0 else _bound([wins[i - 1][1], wins[i][0]], min, -math.inf))
        highs.append(math.inf if i == n - 1 else _bound([wins[i][1], wins[i + 1][0]], max, math.inf))
    out: list[tuple[int, int, int, int]] = []  # misplaced: (generation index, sample index, t, M)
    for i, g in enumerate(gens):
        lo, hi = lows[i], highs[i]
        wlo, whi = wins[i]
        for k, (t, m) in enumerate(zip(g.sample_ticks, g.sample_ms, strict=True)):
            report.samples += 1
            if lo <= t <= hi:
                if wlo is not None and whi is not None and wlo <= t <= whi:
                    report.inside += 1
                else:
                    report.boundary += 1
                continue
            out.append((i, k, t, m))
    nearest = _nearest_holding(lows, highs, [(i, t) for i, _, t, _ in out])
    for (i, k, t, m), j in zip(out, nearest, strict=True):
        g = gens[i]
        report.misplaced.append(Misplaced(
            gen=g.gen, index=k, m=m, ticks=t, ns=ns(g, t),
            expected=None if j is None else gens[j].gen,
            off=None if j is None else g.gen - gens[j].gen))


def _nearest_holding(lows: list[float], highs: list[float], queries: list[tuple[int, int]]
                     ) -> list[int | None]:
    """For each query (i, t), the index j nearest to i whose span ``[lows[j], highs[j]]``
    holds t (the lower one of two at the same distance), or None.

    One sweep over the queries in order of t, keeping the spans that hold t in a Fenwick
    tree of indices: O((spans + queries) log spans), where asking each query of every span
    took minutes on a trace of a few hundred KB with many generations and misplaced samples.
    """
    n = len(lows)
    tree = [0] * (n + 1)

    def add(j: int, d: int) -> None:
        j += 1
        while j <= n:
            tree[j] += d
            j += j & -j

    def count(j: int) -> int:  # how many held spans have an index below j
        c = 0
        while j > 0:
            c += tree[j]
            j -= j & -j
        return c

    top = 1 << max(n.bit_length() - 1, 0)

    def kth(c: int) -> int:  # the index of the c-th held span (c >= 1)
        pos = 0
        step = top
        while step:
            if pos + step <= n and tree[pos + step] < c:
                pos += step
                c -= tree[pos]
            step >>= 1
        return pos

    spans = [j for j in range(n) if lows[j] <= highs[j]]
    by_lo = sorted(spans, key=lambda j: lows[j])
    by_hi = sorted(spans, key=lambda j: highs[j])
    result: list[int | None] = [None] * len(queries)
    a = b = held = 0
    for q in sorted(range(len(queries)), key=lambda q: queries[q][1]):
        i, t = queries[q]
        while a < len(by_lo) and lows[by_lo[a]] <= t:
            add(by_lo[a], 1)
            held += 1
            a += 1
        while b < len(by_hi) and highs[by_hi[b]] < t:
            add(by_hi[b], -1)
            held -= 1
            b += 1
        below, upto = count(i), count(i + 1)
        left = kth(below) if below else None
        right = kth(upto + 1) if upto < held else None
        if left is not None and (right is None or i - left <= right - i):
            result[q] = left
        else:
            result[q] = right
    return result


def _generation_order(trace: Trace, report: ConformReport, ns: Any) -> None:
    last: dict[int, tuple[int, Generation]] = {}  # M -> (latest tick so far, its generation)
    seen: dict[int, int] = {}
    for g in trace.generations:
        for m, (lo, _hi, _n) in g.ms.items():
            if m == NO_THREAD:
                continue
            seen[m] = seen.get(m, 0) + 1
            prev = last.get(m)
            if prev is not None and prev[0] > lo and prev[1].gen < g.gen:
                report.order_breaks.append(OrderBreak(
                    m=m, gen=g.gen, earlier_gen=prev[1].gen, first_ns=ns(g, lo),
                    earlier_last_ns=ns(prev[1], prev[0]), by_ticks=prev[0] - lo))
        for m, (_lo, hi, _n) in g.ms.items():
            if m == NO_THREAD:
                continue
            prev = last.get(m)
            if prev is None or hi > prev[0]:
                last[m] = (hi, g)
    report.order_ms = sum(1 for c in seen.values() if c > 1)
