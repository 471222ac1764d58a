"""The Z3 engine: the symbolic relation is the model's, BMC finds the shortest violations.

The relation is built from the model's own step definitions; here it is held to
the concrete model on states the explorer reaches, for every design of every
release: the successors z3 allows from a state are exactly the concrete ones, both
ways (each concrete successor satisfies the relation with its step named, and every
model of the relation is a concrete successor).
"""

from __future__ import annotations

import random

import pytest
import z3
from gentrace.core.counterexample import load
from gentrace.core.replay import replay
from gentrace.explore import explore
from gentrace.model import CANONICAL, NAMED, PROPERTY_NAMES, build, get_design
from gentrace.symbolic.bmc import bmc
from gentrace.symbolic.check import NOT_FOUND, VIOLATED, bmc_design
from gentrace.symbolic.relation import Steps, Symbolic

from properties.explored import PAIRS, protocol

SEED = 555495
PER_DESIGN = 3


def walk_states(system, seed: int, count: int) -> list[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    """Distinct states on seeded random walks from the initial state (so: reachable)."""
    rng = random.Random(seed)
    succ = system.compiled.successors
    seen: dict[tuple[int, ...], None] = {}
    for _ in range(200):
        s = system.initial
        for _ in range(rng.randrange(1, 60)):
            outs = succ(s)
            if not outs:
                break
            s = rng.choice(outs)[1]
        seen[s] = None
        if len(seen) >= count:
            break
    return list(seen)


PROTOCOL_PAIRS = sorted({(protocol(r), d) for r, d in PAIRS})


@pytest.mark.parametrize("release,design", PROTOCOL_PAIRS, ids=[f"go{r}/{d}" for r, d in PROTOCOL_PAIRS])
def test_symbolic_successors_are_the_concrete_ones(release: str, design: str) -> None:
    system = build(get_design(design, release), CANONICAL)
    sym = Symbolic(system)
    for s in [system.initial, *walk_states(system, SEED, PER_DESIGN)]:
        concrete = {(i, t) for i, t in system.compiled.successors(s)}
        assert sym.successors(s) == concrete, system.describe_state(s)


def test_the_differential_test_would_see_a_wrong_relation() -> None:
    # The twin: a relation whose step drops one field's update is caught on the first state.
    system = build(get_design("fixed", "1.27"), CANONICAL)
    sym = Symbolic(system)
    guards, updates = sym.terms
    i = system.step_index["A:load-gen"]
    f = next(iter(updates[i]))
    del updates[i][f]
    x, y, c = sym.state("x"), sym.state("y"), sym.choice("c")
    solver = z3.Solver()
    solver.add(sym.is_state(x, system.initial), sym.trans(x, y, c), c == i)
    assert solver.check() == z3.sat
    assert sym.value(solver.model(), y) != system.apply(system.initial, i)


# Violations within a few steps at the canonical bound (the explorer's shortest length).
SHALLOW = [("1.27", "handler-waits-for-seqlock", "deadlock-freedom"),
           ("1.27", "reader-exits-when-empty", "reader-lifetime"),
           pytest.param("1.27", "cpu-flush-before-m-loop", "single-reader", marks=pytest.mark.heavy),
           ("1.24", "fixed", "generation-order"),
           pytest.param("1.22", "nested-fresh-gen", "generation-order", marks=pytest.mark.heavy)]


@pytest.mark.parametrize("release,design,prop", SHALLOW)
def test_bmc_finds_the_shortest_violation(release: str, design: str, prop: str) -> None:
    system = build(get_design(design, release), CANONICAL)
    shortest = len(explore(system, liveness=False).findings[prop].path)
    res, outs = bmc_design(get_design(design, release), CANONICAL, shortest)
    o = next(o for o in outs if o.prop == prop)
    assert o.verdict == VIOLATED and len(o.counterexample.steps) == shortest
    assert replay(o.counterexample).reproduced


def test_bmc_never_says_holds() -> None:
    res, outs = bmc_design(get_design("corrected", "1.27"), CANONICAL, 6)
    assert {o.verdict for o in outs} == {NOT_FOUND} and res.depth == 6
    assert all(o.matches and o.summary == "no violation found within 6 steps" for o in outs)


def test_bmc_below_the_shortest_depth_finds_nothing() -> None:
    # The twin of the test above: one step short of the deadlock, nothing is reported.  The
    # shortest is traceAcquire's traceEnabled() check, its seqlock take, then the signal.
    res = bmc(Symbolic(build(get_design("handler-waits-for-seqlock", "1.27"), CANONICAL)), 2,
              ["deadlock-freedom"])
    assert res.findings == {} and res.depth == 2
    res = bmc(Symbolic(build(get_design("handler-waits-for-seqlock", "1.27"), CANONICAL)), 3,
              ["deadlock-freedom"])
    assert len(res.findings["deadlock-freedom"].path) == 3


def test_bmc_on_the_ring_bound_finds_the_reader_lifetime_violation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    res, outs = bmc_design(get_design("reader-exits-when-empty", "1.22"), NAMED["ring"], 8,
                           out=tmp_path)
    o = next(o for o in outs if o.prop == "reader-lifetime")
    assert o.verdict == VIOLATED and o.file is not None
    assert o.file.name == "go1.22--reader-exits-when-empty--reader-lifetime--z3.json"
    cx = load(o.file)
    assert cx.engine == "z3" and replay(cx).reproduced


def test_bmc_budget_reports_incomplete() -> None:
    res, outs = bmc_design(get_design("corrected", "1.27"), CANONICAL, 60, max_seconds=0.5)
    assert not res.complete and "time budget" in res.cut
    assert {o.verdict for o in outs} == {"incomplete"}


def test_step_semantics_runs_are_interleaving_runs() -> None:
    # A transition of the step relation is a set of independent steps: every order of them
    # is a run of the model, reaching the same state.
    system = build(get_design("fixed", "1.27"), CANONICAL)
    sym = Steps(system)
    x, y = sym.state("x"), sym.state("y")
    cs = sym.choices("t")
    rng = random.Random(SEED)
    for s in walk_states(system, SEED, 8):
        solver = z3.Solver()
        solver.add(sym.is_state(x, s), sym.strans(x, y, cs), z3.Or(*[c != 0 for c in cs]))
        for _ in range(3):
            if solver.check() != z3.sat:
                break
            m = solver.model()
            taken, t = sym.decode(m, cs), sym.value(m, y)
            for _ in range(2):
                order = taken[:]
                rng.shuffle(order)
                u = s
                for i in order:
                    u = system.apply(u, i)
                    assert u is not None
                assert u == t
            solver.add(z3.Not(sym.is_state(y, t)))


def test_every_property_has_a_formula() -> None:
    sym = Symbolic(build(get_design("fixed", "1.27"), CANONICAL))
    x = sym.state("x")
    for p in PROPERTY_NAMES:
        assert isinstance(sym.bad(p, x), z3.BoolRef)
        s = z3.Solver()
        s.add(sym.init(x), sym.bad(p, x))
        assert s.check() == z3.unsat, p  # no property is broken in the initial state
