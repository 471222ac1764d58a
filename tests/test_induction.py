"""The proof engine's parts: mined candidates, Houdini's answer, the independent re-check.

The end-to-end proofs take minutes and run under ``-m heavy`` (``properties/``) and in
``bench/bench_unbounded.py``; these tests hold the parts a proof's soundness rests on.
"""

from __future__ import annotations

import random

import pytest
import z3
from gentrace.model import System, get_design, parse_bounds
from gentrace.symbolic.induction import Candidate, Encoder, Table, clusters, key_fields, mine, prove_unbounded, recheck
from gentrace.symbolic.relation import Symbolic


@pytest.fixture(scope="module")
def small() -> System:
    return System(get_design("corrected", "1.27"),
                  parse_bounds(["workers=0", "tracebuf=1", "ring_tags=1", "nested=0"]), unbounded=True)


@pytest.mark.heavy
def test_every_mined_candidate_holds_on_every_mined_state(small: System) -> None:
    cl = clusters(small)
    table = Table(small, key_fields(small) + cl, cl)
    n = mine(small, table, bfs=2000, walks=20, walk_len=100, seed=1)
    assert n > 2000
    cands = table.candidates()
    assert {c.family for c in cands} >= {"pair", "cluster"}
    # Re-mine the same states and check each candidate on each (sampled) state.
    states: set[tuple[int, ...]] = set()
    rng = random.Random(1)
    from gentrace.symbolic.induction import walk
    for _ in range(20):
        walk(small, tuple(small.initial), 100, rng, states)
    for s in list(states)[:300]:
        broken = [c.name for c in cands if not c.holds(s, small)]
        assert not broken, broken[:3]


def test_a_candidate_is_the_same_on_ints_and_in_z3(small: System) -> None:
    """Houdini drops what z3's successor breaks, judged on ints: the two must agree."""
    cl = clusters(small)
    table = Table(small, key_fields(small) + cl, cl)
    mine(small, table, bfs=500, walks=5, walk_len=50, seed=2)
    sym = Symbolic(small)
    enc = Encoder(sym)
    x = sym.state("x")
    rng = random.Random(3)
    cands = table.candidates()
    for c in rng.sample(cands, 60):
        s = [rng.randint(0, m) for m in small.layout.maxv]
        if c.key and rng.random() < 0.7:  # make the antecedent true often
            for f, v in zip(c.key, c.kv, strict=True):
                s[f] = v
        val = z3.simplify(z3.substitute(enc.formula(c, x), *zip(x, [sym.const(v) for v in s], strict=True)))
        assert z3.is_true(val) == c.holds(s, small), c.name


def test_recheck_refuses_what_is_not_an_inductive_invariant(small: System) -> None:
    sym = Symbolic(small)
    # Nothing at all: the property is not implied by "every field in range".
    assert recheck(sym, [], "reader-lifetime")
    # A false "invariant": the reader never finishes.  It fails initiation or consecution.
    r = small.reader
    lie = Candidate("range", "R.pc is not done", r.pc,
                    frozenset(v for v in range(small.layout.maxv[r.pc] + 1) if v != r.DONE))
    why = recheck(sym, [lie], "reader-lifetime")
    assert why.startswith(("consecution", "implies"))


def test_a_cut_short_proof_is_incomplete_never_proved(small: System) -> None:
    res = prove_unbounded(small, props=["reader-lifetime"], bfs=200, walks=2, walk_len=20,
                          max_seconds=0.01)
    assert res.verdicts == {"reader-lifetime": "incomplete"}


@pytest.mark.heavy
def test_each_round_only_weakens_and_is_judged_on_ints(small: System) -> None:
    """A few rounds of both searches: Houdini keeps a subset, the weakening keeps every
    mined state covered; a successor z3 reports must break a candidate on the ints."""
    import time

    from gentrace.symbolic.induction import OutOfRange, fixpoint, houdini

    # A small candidate language (keyed by the program counters only) keeps rounds short.
    pcs = [(f,) for f, n in enumerate(small.layout.names) if n.endswith(".pc")]
    table = Table(small, pcs, [])
    mine(small, table, bfs=3000, walks=10, walk_len=100, seed=4)
    cands = table.candidates()
    sym = Symbolic(small)
    rounds_seen: list[int] = []
    try:
        kept, rounds, done = houdini(sym, cands, deadline=time.perf_counter() + 2,
                                     on_round=lambda r, n: rounds_seen.append(n))
    except OutOfRange:
        # A successor outside the declared ranges: this small language has no inductive
        # invariant, which the engine reports as such (prove_unbounded: incomplete).
        assert rounds_seen == sorted(rounds_seen, reverse=True)
    else:
        assert rounds >= 1 and set(kept) <= set(cands)
        if not done:
            assert len(kept) < len(cands)  # a round that found a counterexample dropped something
    try:
        wide, rounds, _ = fixpoint(sym, table, deadline=time.perf_counter() + 2, seed=4, walks=0)
    except OutOfRange:
        return
    assert rounds >= 1
    assert all(c.holds(tuple(small.initial), small) for c in wide)
