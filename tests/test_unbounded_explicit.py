"""The explicit search of the unbounded system: its two reductions are exact, and it catches.

``checker/explore/unbounded.py`` stores each state with the fields outside the property's
cone of influence zeroed and the generations rotated along traceNextGen's cycle.  A proof
by that search is only as good as those two reductions, so here, on states of long random
runs of the unbounded system (and on rotated copies of them):

* the successors of a state and of its stored form have the same stored forms, step by
  step (the reductions commute with every step, and keep every guard's answer);
* the property's verdict on a state and on its stored form is the same;

with twins that show a wrong reduction (a field of the cone dropped, an odd rotation) is
caught.  Then the search itself: designs known to break a property are caught, with a run
that replays on the full model; a search cut short says incomplete, never proved.
"""

from __future__ import annotations

import random

import pytest
from gentrace.explore.unbounded import Canon, prove_explicit
from gentrace.model import PROPERTY_NAMES, System, get_design, parse_bounds
from gentrace.model.cone import cone
from gentrace.model.generation import cycle, rotations

SMALL = ["tracebuf=1", "ring_tags=1", "nested=0"]
CASES = [("corrected", "1.27", 1), ("corrected", "1.22", 1), ("fixed", "1.24", 2),
         ("handler-no-elision", "1.25", 1)]


def system(design: str, release: str, workers: int, extra: list[str] | None = None) -> System:
    return System(get_design(design, release), parse_bounds([*SMALL, f"workers={workers}", *(extra or [])]),
                  unbounded=True)


def walk_states(sysm: System, rng: random.Random, n: int = 1500) -> list[bytes]:
    succ = sysm.compiled.successors_packed
    s, out = bytes(sysm.initial), []
    for _ in range(n):
        nxt = succ(s)
        if not nxt:
            break
        s = rng.choice(nxt)[1]
        out.append(s)
    return out


def rotate(sysm: System, s: bytes, k: int) -> bytes:
    rot = rotations(cycle(sysm.bounds.top, sysm.design.wrap_to))[k]
    return bytes(rot.get(v, v) if sysm.layout.gen[f] else v for f, v in enumerate(s))


def commutes(sysm: System, canon: Canon, s: bytes, prop: str) -> bool:
    succ, viol = sysm.compiled.successors_packed, sysm.compiled.violated
    bit = 1 << PROPERTY_NAMES.index(prop)
    a = {(i, canon(t)) for i, t in succ(s)}
    b = {(i, canon(t)) for i, t in succ(canon(s))}
    return a == b and bool(viol(s) & bit) == bool(viol(canon(s)) & bit)


@pytest.mark.parametrize("design,release,workers", CASES)
@pytest.mark.parametrize("prop", ["deadlock-freedom", "single-reader", "sample-generation",
                                  "generation-order", "no-unflushed-at-stop"])
def test_reductions_commute_with_every_step(design: str, release: str, workers: int, prop: str) -> None:
    sysm = system(design, release, workers)
    canon = Canon(sysm, prop)
    rng = random.Random(f"{design}{release}{prop}")
    states = walk_states(sysm, rng)
    assert len(states) > 500
    for s in states[::3]:
        assert commutes(sysm, canon, s, prop), sysm.describe_state(tuple(s))
        k = rng.randrange(len(canon.rots))
        r = rotate(sysm, s, k)
        assert canon(r) == canon(s)  # a rotated state is stored as the same state
        assert commutes(sysm, canon, r, prop)


def test_twin_a_cone_missing_a_field_is_caught() -> None:
    sysm = system("corrected", "1.27", 1)
    canon = Canon(sysm, "deadlock-freedom")
    canon.drop.append(sysm.layout.index["W0.seqlock"])  # a guard reads it
    states = walk_states(sysm, random.Random(1))
    assert not all(commutes(sysm, canon, s, "deadlock-freedom") for s in states)


def test_twin_an_odd_rotation_is_caught() -> None:
    sysm = system("corrected", "1.27", 1)
    canon = Canon(sysm, "sample-generation")
    cyc = cycle(sysm.bounds.top, sysm.design.wrap_to)
    odd = bytearray(range(256))
    for i, v in enumerate(cyc):
        odd[v] = cyc[(i + 1) % len(cyc)]  # one place: parities swap
    canon.tables = [canon.tables[0]] + [bytes(odd)] * len(canon.rots)
    states = walk_states(sysm, random.Random(2))
    assert not all(commutes(sysm, canon, s, "sample-generation") for s in states)


def test_cone_keeps_what_the_property_and_guards_read() -> None:
    sysm = system("corrected", "1.27", 1)
    L = sysm.layout
    keep = {L.names[f] for f in cone(sysm, ["deadlock-freedom"])}
    assert {"W0.pc", "W0.seqlock", "W0.sigprof.pc", "A.pc", "R.pc", "gen"} <= keep
    assert not {"samples.emitted", "cpuBuf[0].ids", "W0.buf[0].n"} & keep
    assert "cpuBuf[0].hdr" in {L.names[f] for f in cone(sysm, ["sample-generation"])}


@pytest.mark.parametrize("design,prop", [("reader-exits-when-empty", "reader-lifetime"),
                                         ("handler-waits-for-seqlock", "deadlock-freedom"),
                                         ("reader-unlocked", "single-reader"),
                                         ("handler-no-elision", "single-reader")])
def test_broken_designs_are_caught_with_a_run_that_replays(design: str, prop: str) -> None:
    sysm = system(design, "1.27", 1)
    r = prove_explicit(sysm, prop, max_states=2_000_000)
    assert r.verdict == "violated", r
    assert r.steps  # and prove_explicit replayed them on the full model


def test_replay_of_a_wrong_run_fails_loudly() -> None:
    from gentrace.explore.unbounded import _replay
    sysm = system("corrected", "1.27", 1)
    with pytest.raises(AssertionError):
        _replay(sysm, "reader-lifetime", [])


def test_a_search_cut_short_is_incomplete() -> None:
    r = prove_explicit(system("corrected", "1.27", 1), "deadlock-freedom", max_states=20_000)
    assert r.verdict == "incomplete" and "budget" in r.note
    assert r.states >= 20_000


def test_same_inputs_same_counts() -> None:
    a = prove_explicit(system("corrected", "1.27", 0), "single-reader", max_states=30_000)
    b = prove_explicit(system("corrected", "1.27", 0), "single-reader", max_states=30_000)
    assert (a.states, a.depth) == (b.states, b.depth)


@pytest.mark.heavy
def test_a_property_with_nothing_to_say_is_vacuous_not_proved() -> None:
    # No worker: no event is ever written, so generation-order never has a say.
    r = prove_explicit(system("corrected", "1.27", 0), "generation-order")
    assert r.verdict == "vacuous", r
