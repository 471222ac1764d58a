"""Design variants: the change, the code before it, plausible wrong turns, and corrections.

A variant is data: switches the step builders read, a one-line description of
the defect, where in Go it lives, and the verdict each property is expected to get
(with a one-line reason for every expected violation).  A variant is a delta on a
release (``model/releases.py``): ``design.on(release)`` is the same variant with
that release's switches, and ``DESIGNS`` holds every variant on the newest release.
A release's known defects (``model/findings.py``) add to the expectations of every
variant that keeps the defective code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from gentrace.model.bounds import Bounds
from gentrace.model.findings import inherited
from gentrace.model.properties import PROPERTY_NAMES, antecedent_reachable
from gentrace.model.releases import DEFAULT, NESTED_ENTRY, NESTED_FRESH, RELEASES, Release, get_release


class DesignError(ValueError):
    """An unknown design name, or a design that the release does not have."""


HOLDS = "holds"
VIOLATED = "violated"
VACUOUS = "vacuous"
# "A bound large enough": what an expectation without bounds is judged at.
_ENOUGH = Bounds(tracebuf=4, nested=0)


@dataclass(frozen=True)
class Design:
    name: str
    summary: str
    go: str
    legacy: bool = False
    # Signal handler (traceCPUSample).
    handler_seqlock: bool = True     # takes its M's trace seqlock at all
    handler_elide: bool = True       # ... and elides it when already odd
    handler_waits: bool = False      # ... or waits for it to turn even instead
    handler_gen_first: bool = False  # loads gen before taking the seqlock
    # traceAdvance / traceCPUFlush.
    cpu_drain: bool = True           # traceCPUFlush drains the profBuf
    cpu_drain_first: bool = True     # ... before flushing cpuBuf
    cpu_flush_after_mloop: bool = True
    # traceReadCPU reads until profBuf.read returns nothing (a correction).
    drain_loop: bool = False
    # A reentrant traceAcquire returns the outermost acquire's generation (a correction
    # for releases whose reentrant path loads trace.gen afresh).
    nested_entry_gen: bool = False
    # A traceAcquire inside a critical section behaves as this NESTED_* mode instead
    # of the release's (a mutant).
    nested_override: str | None = None
    # CPU reader goroutine.
    reader_locked: bool = True       # loads gen inside traceAcquire/traceRelease
    reader_exits_when_empty: bool = False  # takes an empty, open profBuf for end of file
    # traceNextGen.
    wrap_to: int = 4
    violates: dict[str, str] = field(default_factory=dict)  # property -> why
    # A violation that only a bigger bound can show: property -> {bound: minimum}.
    needs: dict[str, dict[str, int]] = field(default_factory=dict)
    # A violation that shows only on some releases or bounds: property -> (whether it
    # shows at (bounds, release), when it does in a few words, why it may not).
    shows: dict[str, tuple[Callable[[Bounds, Release], bool], str, str]] = field(default_factory=dict)
    # The releases this variant is a design of (None: every release).
    releases: tuple[str, ...] | None = None
    # A correction: the finding(s) it corrects, by name.
    corrects: tuple[str, ...] = ()
    release: Release = RELEASES[DEFAULT]

    def on(self, release: Release | str) -> Design:
        """This variant as a design of ``release``."""
        rel = get_release(release) if isinstance(release, str) else release
        if not self.exists_on(rel):
            raise DesignError(
                f"design {self.name!r} is not a design of Go {rel.name}: it exists for "
                f"{', '.join(self.releases or ())}; see 'gentrace list'")
        return replace(self, release=rel)

    def exists_on(self, rel: Release) -> bool:
        return self.releases is None or rel.name in self.releases

    @property
    def label(self) -> str:
        """``design@release``, as reports and file names show it."""
        return f"{self.name}@{self.release.name}"

    def own_expected(self, prop: str, bounds: Bounds | None) -> str:
        if prop not in self.violates:
            return HOLDS
        if prop in self.shows:
            pred, _, _ = self.shows[prop]
            if not pred(bounds or _ENOUGH, self.release):
                return HOLDS
        if bounds is not None:
            for key, least in self.needs.get(prop, {}).items():
                if getattr(bounds, key) < least:
                    return HOLDS
        return VIOLATED

    def expected(self, prop: str, bounds: Bounds | None = None) -> str:
        """The verdict this design should get; with ``bounds``, at those bounds.

        Without bounds: the verdict at any bound large enough to show every defect.
        The design's own defects and the findings it inherits from its release both count.
        """
        if bounds is not None and not antecedent_reachable(prop, bounds):
            return VACUOUS
        if self.own_expected(prop, bounds) == VIOLATED:
            return VIOLATED
        for f in inherited(self):
            if prop in f.violates and (bounds is None or f.shows(prop, bounds)):
                return VIOLATED
        return HOLDS

    def conditions(self, prop: str) -> str:
        """When an own expected violation of ``prop`` shows, in a few words ("" if always)."""
        parts = [f"{k} >= {v}" for k, v in self.needs.get(prop, {}).items()]
        if prop in self.shows:
            parts.append(self.shows[prop][1])
        return ", ".join(parts)

    def own_violations(self) -> str:
        """The properties this variant is expected to violate by itself, each with its conditions."""
        return ", ".join(p + (f" ({self.conditions(p)})" if self.conditions(p) else "")
                         for p in self.violates) or "none"

    def reason(self, prop: str) -> str:
        """Why ``prop`` is expected violated (the design's own reason, or the finding's)."""
        if prop in self.violates:
            return self.violates[prop]
        for f in inherited(self):
            if prop in f.violates:
                return f"finding {f.name}: {f.violates[prop]}"
        return ""


def _d(**kw: object) -> Design:
    d = Design(**kw)  # type: ignore[arg-type]
    for p in d.violates:
        assert p in PROPERTY_NAMES, p
    for p, need in d.needs.items():
        assert p in d.violates and all(hasattr(Bounds(), k) for k in need), (p, need)
    return d


DESIGNS: dict[str, Design] = {}

# The minimum bounds a defect needs, shared by many variants.
# A profBuf or batch slot is reused two advances on (generation parity), so a record
# or batch left behind in g is met by g+2.
PARITY = {"advances": 2}
# A defect of the CPU-sample path needs a sample: one SIGPROF.
SAMPLE = {"signals": 1}


def reaches_wrap(b: Bounds) -> bool:
    """Whether a run's advances carry gen from first_gen past the top of the word."""
    return b.advances >= b.top - b.first_gen + 1


def _writes_again(b: Bounds, r: Release) -> bool:
    """Whether an M can write a second event after its first section's: a second section, or
    (go1.24, go1.25) a nested event under a fresh generation inside the first."""
    return b.sections >= 2 or (r.nested == NESTED_FRESH and b.nested >= 1)


def _room_left(b: Bounds, r: Release) -> bool:
    """Whether a section can leave room in its batch: some count of its events is not a multiple
    of tracebuf.  A section writes its own event and up to ``nested`` nested ones (any number
    from 0: model/worker.py), so one event is always a possible count."""
    counts = range(1, 2 + (b.nested if r.nested in (NESTED_ENTRY, NESTED_FRESH) else 0))
    return any(k % b.tracebuf != 0 for k in counts)


WRAP = "the defect is in traceNextGen's wrap: the run's advances must carry gen past the top " \
       "of the word (advances >= top - first_gen + 1)"


def _register(d: Design) -> None:
    if d.releases is not None and DEFAULT not in d.releases:
        d = replace(d, release=RELEASES[d.releases[-1]])
    DESIGNS[d.name] = d


_register(_d(
    name="fixed",
    summary="after CL 555495: two profBufs by generation parity, handler takes (or elides) its "
            "M's seqlock, traceCPUFlush drains the profBuf then flushes cpuBuf",
    go="trace2cpu.go traceCPUSample, traceReadCPU, traceCPUFlush; trace2.go traceAdvance",
))

_register(_d(
    name="legacy",
    summary="before CL 555495: one profBuf, handler ignores the seqlock, the reader stamps each "
            "record with the generation current when it is read, traceCPUFlush never drains",
    go="trace2cpu.go at the parent of f5e475e: traceReadCPU per-record traceAcquire",
    releases=("1.22.0", "1.22"),
    legacy=True, handler_seqlock=False, cpu_drain=False, reader_locked=False,
    violates={
        "sample-generation": "a sample taken in g can be read after the advance and stamped g+1",
        "no-unflushed-at-stop": "samples still in the profBuf when tracing stops are never read",
        "sample-conservation": "those samples are neither emitted nor counted as overflow",
    },
    needs={"sample-generation": {"advances": 1}, "no-unflushed-at-stop": SAMPLE},
))

_register(_d(
    name="handler-no-seqlock",
    summary="the handler never touches the seqlock",
    go="trace2cpu.go traceCPUSample: the seqlock.Add(1) pair is removed",
    handler_seqlock=False,
    violates={
        "sample-generation": "a handler that loaded g writes profBuf[g%2] after traceCPUFlush(g) "
                             "drained it; the record is read under g+2",
        "no-unflushed-at-stop": "the same late write after the final drain leaves a record behind",
        "sample-conservation": "that record is never emitted, or dropped because cpuLogWrite was cleared",
    },
    needs={"sample-generation": PARITY, "no-unflushed-at-stop": SAMPLE},
))

_register(_d(
    name="handler-no-elision",
    summary="the handler always increments the seqlock, even when it is already odd",
    go="trace2cpu.go traceCPUSample: `if mp.trace.seqlock.Load()%2 == 0` dropped",
    handler_elide=False,
    shows={"sample-generation": (
        lambda b, r: not r.write_flag, "before go1.26",
        "go1.26 on: writing.Store(true) on a set flag keeps the M marked while the handler runs, "
        "so its record is written before the advancer can pass; only the Store(false) after it "
        "exposes the section"),
        "event-generation": (
        _writes_again, "with a second write after the early flush",
        "the M must write again into the batch flushed early: a second section, or (go1.24, "
        "go1.25) a nested event under a fresh generation in the first")},
    violates={
        "sample-generation": "the extra increment makes an M inside its critical section look even; "
                             "the advancer drains profBuf[g%2] before the handler writes its g "
                             "record, which is read under g+2",
        "event-generation": "an M interrupted inside traceAcquire looks idle, so its buf[g%2] is flushed "
                            "early and the M's events of g land in a batch that is reused for g+2",
        "flush-before-seal": "that batch of g is flushed only at the advance out of g+2, long after g "
                             "was sealed",
        "no-unflushed-at-stop": "at the stop, the handler's record lands after the final drain",
        "sample-conservation": "that record is never emitted",
        "single-reader": "a signal on the reader's M mid-drain makes it look idle, and traceCPUFlush "
                         "drains the same profBuf at once",
    },
    needs={"sample-generation": PARITY,
           "event-generation": {"workers": 1, **SAMPLE, **PARITY, "tracebuf": 2},
           "flush-before-seal": {**SAMPLE, **PARITY}, "no-unflushed-at-stop": SAMPLE,
           "single-reader": SAMPLE},
))

_register(_d(
    name="handler-waits-for-seqlock",
    summary="the handler waits for the seqlock to be even instead of eliding",
    go="trace2cpu.go traceCPUSample: spin until seqlock%2 == 0, then Add(1)",
    handler_waits=True, handler_elide=False,
    violates={
        "deadlock-freedom": "a signal inside the M's own critical section waits for the M it "
                            "interrupted: self-deadlock",
    },
    needs={"deadlock-freedom": SAMPLE},
))

_register(_d(
    name="handler-gen-before-seqlock",
    summary="the handler loads gen before taking the seqlock",
    go="trace2cpu.go traceCPUSample: `gen := trace.gen.Load()` moved above the seqlock",
    handler_gen_first=True,
    violates={
        "sample-generation": "gen loaded before the lock can be stale: the advancer saw the M even, "
                             "drained profBuf[g%2], then the record for g lands and is read under g+2",
        "no-unflushed-at-stop": "at the stop the stale record lands after the final drain",
        "sample-conservation": "that record is never emitted",
    },
    needs={"sample-generation": PARITY, "no-unflushed-at-stop": SAMPLE},
))

_register(_d(
    name="flush-before-drain",
    summary="traceCPUFlush flushes cpuBuf first and drains the profBuf after",
    go="trace2cpu.go traceCPUFlush: traceReadCPU(gen) moved after traceBufFlush",
    cpu_drain_first=False,
    violates={
        "sample-generation": "a sample of g+2 is appended to the batch of g left in cpuBuf[g%2] "
                             "(two samples: one left behind, one appended)",
        "flush-before-seal": "drained samples sit in cpuBuf[g%2] and are flushed only at the next "
                             "advance of that parity, after g is sealed",
        "no-unflushed-at-stop": "at the stop, the drained samples stay in cpuBuf",
        "sample-conservation": "those samples are never emitted",
    },
    needs={"sample-generation": {"signals": 2}, "flush-before-seal": {**SAMPLE, **PARITY},
           "no-unflushed-at-stop": SAMPLE},
))

_register(_d(
    name="no-drain",
    summary="traceCPUFlush does not drain the profBuf (the change half done)",
    go="trace2cpu.go traceCPUFlush: no traceReadCPU(gen)",
    cpu_drain=False,
    violates={
        "sample-generation": "a sample of g left in profBuf[g%2] is read by the reader under g+2",
        "no-unflushed-at-stop": "samples of the last generation stay in the profBuf",
        "sample-conservation": "those samples are never emitted",
    },
    needs={"sample-generation": PARITY, "no-unflushed-at-stop": SAMPLE},
))

_register(_d(
    name="cpu-flush-before-m-loop",
    summary="traceAdvance calls traceCPUFlush before the per-M flush loop",
    go="trace2.go traceAdvance: traceCPUFlush(gen) before the mToFlush loop",
    cpu_flush_after_mloop=False,
    violates={
        "sample-generation": "a handler still holding its seqlock with g writes after the drain; "
                             "the record is read under g+2",
        "flush-before-seal": "the reader, mid-drain with g, refills cpuBuf[g%2] after it was flushed",
        "single-reader": "the reader, mid-drain of profBuf[g%2] under its seqlock, is not waited "
                         "for before traceCPUFlush(g) drains the same profBuf",
        "no-unflushed-at-stop": "a late record of the last generation stays behind",
        "sample-conservation": "that record is never emitted",
    },
    needs={"sample-generation": PARITY, "flush-before-seal": {**SAMPLE, **PARITY},
           "no-unflushed-at-stop": SAMPLE},
))

_register(_d(
    name="reader-unlocked",
    summary="the reader goroutine loads gen without traceAcquire",
    go="trace2cpu.go traceStartReadCPU: tl := traceAcquire() replaced by trace.gen.Load()",
    reader_locked=False,
    violates={
        "single-reader": "the reader and traceCPUFlush drain profBuf[g%2] at the same time",
        "sample-conservation": "both emit the same record",
        "flush-before-seal": "the reader refills cpuBuf[g%2] after traceCPUFlush(g) flushed it",
        "sample-generation": "the reader, with a stale g, writes into a cpuBuf the advancer has moved on from",
        "no-unflushed-at-stop": "the reader's late cpuBuf write is never flushed",
    },
    needs={"sample-generation": PARITY, "flush-before-seal": {**SAMPLE, **PARITY},
           "no-unflushed-at-stop": SAMPLE},
))

_register(_d(
    name="wrap-to-one",
    summary="traceNextGen wraps to 1 instead of 4, so the top value and the next share a parity",
    go="trace2.go traceNextGen: `return 4` changed to `return 1`",
    wrap_to=1,
    shows={
        "event-generation": (
            lambda b, r: (reaches_wrap(b) and _room_left(b, r) and _writes_again(b, r)),
            "across the wrap, with room in the batch and a second write",
            WRAP + "; and the top generation's batch must have room left after its section (a "
            "section writes its own event and up to nested nested ones from go1.24 on, 1 before; "
            "a full batch is flushed and refilled, so room can be left unless tracebuf is 1), and "
            "the M must write again after the wrap: a second section, or (go1.24, go1.25) a nested "
            "event under a fresh generation"),
        **{p: (lambda b, r: reaches_wrap(b), "across the wrap", WRAP) for p in (
            "flush-before-seal", "sample-generation", "sample-conservation", "single-reader")},
    },
    violates={
        "event-generation": "after the wrap, an M writes gen 1 into buf[1] before the advancer has "
                            "flushed the top generation's batch there",
        "flush-before-seal": "a batch is flushed under a generation other than its header's: the "
                             "top and the next share slot 1",
        "sample-generation": "samples of gen 1 and of the top gen share profBuf[1]; draining for one "
                             "emits the other's",
        "sample-conservation": "the reader (gen 1) and traceCPUFlush(top) read the same record, "
                               "which reaches the trace twice",
        "single-reader": "the reader, holding gen 1, and traceCPUFlush(top) drain profBuf[1] at once",
    },
    needs={"event-generation": {"workers": 1}},
))


_register(_d(
    name="nested-fresh-gen",
    summary="a reentrant traceAcquire that loads trace.gen afresh (go1.24's code) on a release "
            "that does not have it",
    go="traceruntime.go traceAcquireEnabled: on a held seqlock, `mp.trace.reentered++; return "
       "traceLocker{mp, trace.gen.Load()}`; nesting callers use traceAcquire",
    releases=("1.22.0", "1.22", "1.23", "1.26", "1.27"), nested_override="fresh-gen",
    violates={
        "deadlock-freedom": "a nested acquire after trace.gen.Store(0) is never released; the outer "
                            "traceRelease only decrements reentered and StopTrace waits forever",
        "generation-order": "a nested acquire during an advance writes into the next generation "
                            "before the section's own event of the older one",
        "locks-balanced": "that nested acquire's acquirem is never undone: m.locks stays above 0 "
                          "after the section",
    },
    needs={"deadlock-freedom": {"workers": 1, "sections": 1, "nested": 1},
           "generation-order": {"workers": 1, "nested": 1, "advances": 1},
           "locks-balanced": {"workers": 1, "sections": 1, "nested": 1}},
))

_register(_d(
    name="reader-exits-when-empty",
    summary="the CPU reader goroutine takes an empty, still open profBuf for end of file and exits",
    go="trace2cpu.go traceReadCPU: `return !eof` replaced by `return len(data) > 0`",
    reader_exits_when_empty=True,
    violates={
        "reader-lifetime": "the first read that finds the profBuf empty ends the reader while "
                           "tracing goes on",
    },
))

_register(_d(
    name="drain-until-empty",
    summary="correction: traceReadCPU calls profBuf.read until it returns no data, so the drain in "
            "traceAdvance also takes the records past the end of the ring",
    go="trace2cpu.go traceReadCPU: `for { data, tags, eof := ...read(profBufNonBlocking); "
       "if len(data) == 0 { return !eof }; ... }`",
    drain_loop=True, corrects=("single-read-drain",),
))

_register(_d(
    name="reentrant-entry-gen",
    summary="correction: a reentrant traceAcquire returns the generation of the outermost acquire "
            "(mp.trace.entryGen, as go1.26 does) instead of loading trace.gen afresh",
    go="traceruntime.go traceAcquireEnabled: `return traceLocker{mp, mp.trace.entryGen}`, with "
       "`mp.trace.entryGen = gen` on the outer path",
    releases=("1.24", "1.25"), nested_entry_gen=True, corrects=("reentrant-fresh-gen",),
))

_register(_d(
    name="corrected",
    summary="the release's shipped design with every correction this project found it needs",
    go="drain-until-empty, plus reentrant-entry-gen on go1.24 and go1.25",
    drain_loop=True, nested_entry_gen=True,
    corrects=("single-read-drain", "reentrant-fresh-gen"),
))


def designs_of(release: Release) -> list[Design]:
    """Every variant that is a design of ``release``, on that release."""
    return [d.on(release) for d in DESIGNS.values() if d.exists_on(release)]


def get_design(name: str, release: Release | str | None = None) -> Design:
    try:
        d = DESIGNS[name]
    except KeyError:
        raise DesignError(
            f"unknown design {name!r}: choose one of {', '.join(DESIGNS)} (or 'all')"
        ) from None
    return d if release is None else d.on(release)


def parse_designs(name: str | None, release: Release | str | None = None) -> list[Design]:
    """``all`` (every design of the release), a name, or a comma-separated list."""
    rel = get_release(release) if isinstance(release, str) else (release or RELEASES[DEFAULT])
    if name in (None, "all"):
        return designs_of(rel)
    out = []
    for part in name.split(","):
        d = get_design(part.strip(), rel)
        if d not in out:
            out.append(d)
    return out

