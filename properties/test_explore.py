"""The exhaustive checker's verdicts at the canonical bound, for every release, design and property.

Each design gets on each release exactly the verdicts its record and the release's
findings say (``model/designs.py``, ``model/findings.py``), each expected violation
with a one-line reason.  Every violation comes with a counterexample that replays
on the concrete model.
"""

from __future__ import annotations

import pytest
from gentrace.core.counterexample import Counterexample
from gentrace.core.replay import replay
from gentrace.explore import HOLDS, VIOLATED
from gentrace.model import CANONICAL, DESIGNS, NAMED, PROPERTY_NAMES, RELEASES, build, get_design

from properties.explored import PAIRS, explored, protocol

TRIPLES = [(r, d, p) for r, d in PAIRS for p in PROPERTY_NAMES]
ids = [f"go{r}/{d}/{p}" for r, d, p in TRIPLES]


def test_releases_said_to_be_the_same_compile_to_the_same_code() -> None:
    for r in RELEASES.values():
        if r.same_as:
            for d in DESIGNS.values():
                if d.exists_on(r):
                    a = build(d.on(r), CANONICAL).compiled.source
                    b = build(d.on(r.same_as), CANONICAL).compiled.source
                    assert a == b, f"{d.name}: go{r.name} is not the protocol of go{r.same_as}"


@pytest.mark.parametrize("release,design,prop", TRIPLES, ids=ids)
def test_verdict_matches_expectation(release: str, design: str, prop: str) -> None:
    res = explored(design, release)
    assert res.complete
    assert res.verdicts[prop] == get_design(design, release).expected(prop, CANONICAL), (
        res.findings[prop][1] if prop in res.findings else "no counterexample")


@pytest.mark.parametrize("release,design,prop", TRIPLES, ids=ids)
def test_counterexample_replays(release: str, design: str, prop: str) -> None:
    if protocol(release) != release:
        return  # the same counterexample as the release it stands for
    res = explored(design, release)
    if res.verdicts[prop] != VIOLATED:
        assert prop not in res.findings
        return
    kind, message, path = res.findings[prop]
    cx = Counterexample.from_path(res.system, prop, kind, message, path)
    rp = replay(cx)
    assert rp.reproduced, rp.verdict
    # A shortest counterexample: one step fewer no longer shows the violation.
    if kind in ("invariant", "self-deadlock"):
        assert rp.first_broken == len(path)


@pytest.mark.parametrize("release,design", PAIRS, ids=[f"go{r}/{d}" for r, d in PAIRS])
def test_verdicts_at_the_ring_bound(release: str, design: str) -> None:
    """At `ring` (two signals, no workers) every design that keeps the one-read drain loses a
    sample (single-read-drain), the corrections do not, and every counterexample replays."""
    res = explored(design, release, "ring")
    d = get_design(design, release)
    assert res.complete
    for prop in PROPERTY_NAMES:
        want = d.expected(prop, NAMED["ring"])
        got = res.verdicts[prop]
        assert got == want, (prop, got, want)
        if got == VIOLATED and protocol(release) == release:
            kind, message, path = res.findings[prop]
            assert replay(Counterexample.from_path(res.system, prop, kind, message, path)).reproduced


def test_the_ring_bound_shows_single_read_drain_on_every_release() -> None:
    for release in RELEASES:
        assert explored("fixed", release, "ring").verdicts["sample-conservation"] == VIOLATED
        assert explored("drain-until-empty", release, "ring").verdicts["sample-conservation"] == HOLDS


@pytest.mark.parametrize("release", list(RELEASES))
@pytest.mark.parametrize("prop", PROPERTY_NAMES)
def test_every_property_bites(release: str, prop: str) -> None:
    """The twin of `corrected` holding: some broken design is caught on each property."""
    assert explored("corrected", release).verdicts[prop] == HOLDS
    caught = [d for r, d in PAIRS if r == release and explored(d, release).verdicts[prop] == VIOLATED]
    assert caught, f"no design of go{release} violates {prop}: the property cannot fail at this bound"


def test_legacy_violates_what_the_seed_names() -> None:
    v = explored("legacy", "1.22").verdicts
    assert v["sample-generation"] == VIOLATED
    assert v["no-unflushed-at-stop"] == VIOLATED


@pytest.mark.parametrize("release,design", PAIRS, ids=[f"go{r}/{d}" for r, d in PAIRS])
def test_every_mutant_is_caught(release: str, design: str) -> None:
    res = explored(design, release)
    if DESIGNS[design].corrects or design == "fixed":
        return  # corrections hold; fixed is judged against its findings above
    assert any(v == VIOLATED for v in res.verdicts.values()), res.verdicts


@pytest.mark.parametrize("release,design", PAIRS, ids=[f"go{r}/{d}" for r, d in PAIRS])
def test_every_step_fires(release: str, design: str) -> None:
    """Coverage: the canonical bound exercises every step, but for the overflow paths
    (a second sample is needed: tests/test_steps.py walks them) and go1.24's reentrant
    outer acquire in designs whose nested locker is always released, or on go1.22, where the
    outer acquire's traceEnabled() check (gen != 0) already fails after a leak."""
    rare = ("profBuf-write.takeOverflow", "profBuf-write.overflowRecord",
            "profBuf-write.incrementOverflow", "read.take-overflow:overflow")
    missed = [k for k in explored(design, release).uncovered_steps() if not k.endswith(rare)]
    if RELEASES[release].nested == "fresh-gen" and get_design(design, release).nested_entry_gen:
        missed = [k for k in missed if k != "W0:traceAcquire.reentrant-load-gen"]
    if RELEASES[release].nested == "entry-gen":
        missed = [k for k in missed if k != "W0:traceAcquire.reentrant-load-gen"]
    if not RELEASES[release].enabled_flag:
        # go1.22: traceEnabled() is gen != 0, so once a nested locker leaked (gen 0) the next
        # outer traceAcquire returns at its traceEnabled() check, before the reentrant path.
        missed = [k for k in missed if k != "W0:traceAcquire.reentrant-load-gen"]
    assert missed == []
