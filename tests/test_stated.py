"""The stated invariants and their checker (``model/invariants.py``, ``checker/symbolic/stated.py``).

Nothing the checker proves is taken on trust here:

* every stated lemma is evaluated on states the unbounded system reaches (a breadth-first
  prefix and seeded random walks), for the corrected design of every release: a lemma
  false there would make any "proof" built on it worthless;
* the checker is given lemma sets that are wrong on purpose (a lemma false initially, one
  no step keeps, a set missing what a property needs) and must drop or refuse them;
* the plain re-check must refuse a set that is not inductive.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from gentrace.model import PROPERTY_NAMES, RELEASES, System, get_design, parse_bounds
from gentrace.model.invariants import Lemma, lemmas
from gentrace.symbolic.stated import RANGE, Checker, prove_stated


def unbounded(design: str, release: str = "1.27", workers: int = 1, *bound: str) -> System:
    return System(get_design(design, release), parse_bounds([*bound, f"workers={workers}"]),
                  unbounded=True)


def reachable_sample(system: System, bfs: int = 800, walks: int = 8, length: int = 250,
                     seed: int = 7) -> list[tuple[int, ...]]:
    comp = system.compiled
    seen = {system.initial}
    frontier = [system.initial]
    while frontier and len(seen) < bfs:
        nxt = []
        for s in frontier:
            for _, t in comp.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    rng = random.Random(seed)
    out = list(seen)
    for _ in range(walks):
        s = system.initial
        for _ in range(length):
            succ = comp.successors(s)
            if not succ:
                break
            s = rng.choice(succ)[1]
            out.append(s)
    return out


# One release per protocol family runs by default (go1.22.0's drain site, go1.24's
# reentrant acquire, go1.27's writing flag with two workers); ``-m heavy`` runs them all.
DEFAULT_RELEASES = {"1.22.0", "1.24", "1.27"}


def _by_default(params: list[tuple[str, ...]]) -> list[Any]:
    return [p if p[0] in DEFAULT_RELEASES and (len(p) < 3 or p[2] == "corrected" or p[0] == "1.27")
            else pytest.param(*p, marks=pytest.mark.heavy) for p in params]


@pytest.mark.parametrize("release,workers", _by_default([(r, 2 if r == "1.27" else 1) for r in RELEASES]))
def test_every_lemma_holds_where_the_corrected_design_goes(release: str, workers: int) -> None:
    system = unbounded("corrected", release, workers)
    lems = lemmas(system)
    assert len({lm.name for lm in lems}) == len(lems), "lemma names are unique"
    assert all(lm.reason for lm in lems)
    for s in reachable_sample(system):
        for lm in lems:
            assert lm.pred(list(s)), (lm.name, system.describe_state(s))


def test_one_lemma_per_worker() -> None:
    """The lemmas are quantified over the Ms: each worker adds its own instances."""
    names = {w: {lm.name for lm in lemmas(unbounded("corrected", "1.27", w))} for w in (1, 2, 3)}
    assert names[1] < names[2] < names[3]
    assert {n for n in names[2] - names[1]} == {n.replace("W0", "W1") for n in names[1] if "W0" in n}


def test_bounded_systems_have_no_stated_lemmas() -> None:
    with pytest.raises(ValueError, match="unbounded"):
        lemmas(System(get_design("corrected", "1.27"), parse_bounds([])))


@pytest.fixture(scope="module")
def corrected() -> System:
    return unbounded("corrected")


def test_a_false_lemma_is_dropped_and_the_proofs_stand() -> None:
    """Twin of the proofs: a lemma false initially, and one a step breaks, are both dropped
    (with the reason), and nothing is claimed from them."""
    system = unbounded("corrected", "1.27", 0)
    c = system.ctx
    wrong = [Lemma("wrong.initially", "trace.gen starts at 0", lambda s: s[c.gen] == 0),
             Lemma("wrong.never-stops", "trace.gen is never 0", lambda s: s[c.gen] != 0)]
    res = prove_stated(system, props=["reader-lifetime"], lems=[*lemmas(system), *wrong])
    assert res.dropped["wrong.initially"] == "false in the initial state"
    assert res.dropped["wrong.never-stops"] == "step A:publish.stop can break it"
    assert set(res.dropped) == {"wrong.initially", "wrong.never-stops"}
    assert res.verdicts["reader-lifetime"] == "proved"


def test_missing_lemmas_leave_a_property_unproved(corrected: System) -> None:
    """Twin: without signalLock's lemma nothing says two handlers cannot write one profBuf:
    the other lemmas admit a state where they do (and with it, single-reader is implied)."""
    ck = Checker(corrected)
    without = [lm for lm in ck.lemmas if lm.name != "signalLock.held"]
    r, s = ck.implies("single-reader", lems=without)
    assert r == "sat" and s is not None
    writing = [h for h in corrected.handlers if h.writing(s)]
    assert len(writing) >= 2, corrected.describe_state(s)
    assert ck.implies("single-reader", lems=ck.lemmas)[0] == "unsat"


def test_the_plain_recheck_refuses_a_set_that_is_not_inductive(corrected: System) -> None:
    """The re-check is a second, independent encoding: a set that no step keeps (the
    reader's lemmas without the marker lemma they lean on) gives ``sat``, never a proof."""
    ck = Checker(corrected)
    lems = [lm for lm in ck.lemmas if lm.name != "R.marker"]
    checks = ck.recheck(["reader-lifetime"], lems=lems)
    assert checks["initiation"] == "unsat"
    assert checks["consecution"] == "sat"
    full = ck.recheck(["reader-lifetime"])
    assert set(full.values()) == {"unsat"}


def test_range_lemma_is_part_of_every_proof(corrected: System) -> None:
    ck = Checker(corrected)
    assert ck.terms(ck.x, [])[0][0] == RANGE
    assert ck.initial_failures() == []


def test_a_cut_short_check_is_incomplete(corrected: System) -> None:
    res = prove_stated(corrected, max_seconds=0.5)
    assert set(res.verdicts.values()) == {"incomplete"}
    assert all("no proof" in m for m in res.methods.values())
    assert set(res.verdicts) == set(PROPERTY_NAMES)


DIFF = [(r, "corrected") for r in RELEASES] + [
    ("1.27", d) for d in ("fixed", "handler-no-seqlock", "reader-exits-when-empty")]


@pytest.mark.parametrize("release,design", _by_default(DIFF))
def test_the_unbounded_relation_is_the_concrete_one(release: str, design: str) -> None:
    """What the proofs rest on: on states the unbounded system reaches, the successors the
    whole relation allows (the re-check's encoding) are exactly the concrete ones, both ways,
    and each step's own update (consecution's encoding) is the concrete step's."""
    import z3
    from gentrace.symbolic.relation import Symbolic

    system = unbounded(design, release, 1)
    sym = Symbolic(system)
    states = reachable_sample(system, bfs=200, walks=3, length=200, seed=11)
    for s in [system.initial, *random.Random(5).sample(states, 3)]:
        assert sym.successors(s) == set(system.compiled.successors(s)), system.describe_state(s)
        xs = [sym.const(v) for v in s]
        for i in range(len(system.steps)):
            on = z3.simplify(sym.guard(i, xs))
            t = system.apply(s, i)
            assert z3.is_true(on) == (t is not None)
            if t is not None:
                upd = sym.update(i, xs)
                got = tuple(z3.simplify(upd[f]).as_long() if f in upd else v for f, v in enumerate(s))
                assert got == t, system.steps[i].key


def test_with_no_worker_the_event_properties_are_vacuous_not_proved() -> None:
    """With no worker no event is written and no worker section ends: the lemmas rule out every
    state where the event properties (and locks-balanced) say anything, and the verdict says so
    (with workers they are proved)."""
    res = prove_stated(unbounded("corrected", "1.27", 0, "tracebuf=1", "nested=0"))
    events = ("generation-order", "event-generation", "locks-balanced")
    assert {res.verdicts[p] for p in events} == {"vacuous"}
    assert {res.verdicts[p] for p in PROPERTY_NAMES if p not in events} == {"proved"}
