"""The compiled successor function agrees with the reference semantics.

``System.compiled`` is generated from the same step definitions as
``System.apply``, but through a code generator; this differential test checks,
on states sampled by seeded random walks (taken with the reference semantics),
that both give the same successors, violations, antecedents and completion, for
states as tuples and, where every field fits a byte, as the explorer's bytes.
"""

from __future__ import annotations

import pytest
from gentrace.explore import explore
from gentrace.model import CANONICAL, DESIGNS, PROPERTY_NAMES, System, build, get_design, parse_bounds
from walks import sample_states

# Bounds with more of everything than canonical: two workers, a four-word ring of
# two-word records starting at its last word (a wraparound marker at once),
# one-event trace buffers (every second write refills).
WIDE = ("workers=2", "signals=2", "ring_words=4", "rec_words=2", "ring_start=3", "tracebuf=1",
        "advances=1", "sections=1")
SAMPLES = 1000


CASES = [(d, "canonical") for d in DESIGNS] + [(d, "wide") for d in ("fixed", "legacy",
                                                                       "reader-unlocked")]


@pytest.mark.parametrize("design,bound", CASES, ids=[f"{d}@{b}" for d, b in CASES])
def test_compiled_matches_reference(design: str, bound: str) -> None:
    bounds = CANONICAL if bound == "canonical" else parse_bounds(list(WIDE))
    system = build(get_design(design), bounds)
    comp = system.compiled
    states = sample_states(system, seed=len(design) * 7919 + len(bound), count=SAMPLES)
    assert len(states) == SAMPLES
    finished = violated = 0
    for s in states:
        want = sorted((i, system.apply(s, i)) for i in system.enabled(s))
        got = comp.successors(s)
        assert sorted(got) == want, f"successors differ in {system.describe_state(s)}"
        assert len({i for i, _ in got}) == len(got)
        vmask = sum(1 << k for k, inv in enumerate(system.invariants) if not inv.ok(s))
        assert comp.violated(s) == vmask, system.describe_state(s)
        wmask = sum(1 << k for k, inv in enumerate(system.invariants) if inv.witness(s))
        assert comp.witnessed(s) == wmask, system.describe_state(s)
        assert comp.finished(s) == bool(system.finished(s))
        if comp.packed:  # the explorer's representation: states as bytes
            b = bytes(s)
            packed = comp.successors_packed(b)
            assert all(isinstance(t, bytes) for _, t in packed)
            assert sorted((i, tuple(t)) for i, t in packed) == want
            assert (comp.violated(b), comp.witnessed(b)) == (vmask, wmask)
            assert comp.finished(b) == comp.finished(s)
        finished += bool(system.finished(s))
        violated |= vmask
    # The sample reaches the end of runs, so the comparison covers final states too.
    assert finished > 0
    if design == "fixed":
        assert violated == 0


def check_state(system: System, s: tuple[int, ...]) -> int:
    """Compare compiled and reference on ``s``; return the violation mask."""
    comp = system.compiled
    want = sorted((i, system.apply(s, i)) for i in system.enabled(s))
    assert sorted(comp.successors(s)) == want
    vmask = sum(1 << k for k, inv in enumerate(system.invariants) if not inv.ok(s))
    assert comp.violated(s) == vmask
    if comp.packed:
        assert sorted((i, tuple(t)) for i, t in comp.successors_packed(bytes(s))) == want
        assert comp.violated(bytes(s)) == vmask
    return vmask


PATHS = [("legacy", ()), ("handler-waits-for-seqlock", ("advances=1",)),
         ("wrap-to-one", ("advances=1", "first_gen=15", "sections=1")),
         ("handler-no-elision", ("advances=1", "sections=1"))]


@pytest.mark.parametrize("design,bounds", PATHS, ids=[d for d, _ in PATHS])
def test_compiled_matches_reference_along_counterexamples(design: str,
                                                          bounds: tuple[str, ...]) -> None:
    """Violating states are rare on random walks; counterexample paths end in them."""
    system = build(get_design(design), parse_bounds(list(bounds)))
    res = explore(system)
    assert res.findings
    seen = 0
    for prop, f in res.findings.items():
        s = system.initial
        check_state(system, s)
        for i in f.path:
            t = system.apply(s, i)
            assert t is not None
            s = t
            seen |= check_state(system, s)
        if f.kind in ("invariant", "self-deadlock"):
            assert seen >> PROPERTY_NAMES.index(prop) & 1, prop


def test_every_property_has_a_compiled_predicate() -> None:
    system = build(get_design("fixed"), CANONICAL)
    assert system.compiled.packed, "canonical states fit in bytes"
    assert [inv.prop for inv in system.invariants] == list(PROPERTY_NAMES)
    for k in range(len(PROPERTY_NAMES)):
        assert f"m |= {1 << k}" in system.compiled.source


@pytest.mark.parametrize("design,release,bounds", [
    ("fixed", "1.24", ("sections=1", "advances=1")),  # nested acquires, reentered counts
    ("legacy", "1.22", ("advances=1",)),
    ("corrected", "1.26", ("workers=0", "signals=3", "ring_words=4", "rec_words=2", "ring_start=3",
                           "advances=1")),  # markers, overflow records
    ("fixed", "1.27", ("workers=0", "signals=3", "ring_words=4", "ring_start=0", "advances=1")),
])
def test_every_reachable_value_is_within_its_fields_declared_range(
        design: str, release: str, bounds: tuple[str, ...]) -> None:
    """The layout's ranges (``maxv``) decide how states are packed and, for z3, how wide a
    field is: a value beyond them would be silently wrong there.  Every reachable state."""
    system = build(get_design(design, release), parse_bounds(list(bounds)))
    succ = system.compiled.successors
    seen = {system.initial}
    todo = [system.initial]
    lo, hi = list(system.initial), list(system.initial)
    while todo:
        s = todo.pop()
        lo, hi = list(map(min, lo, s)), list(map(max, hi, s))
        for _, t in succ(s):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    L = system.layout
    for i in range(len(L)):
        assert 0 <= lo[i] and hi[i] <= L.maxv[i], f"{L.names[i]} reaches {hi[i]}, declared at most {L.maxv[i]}"
