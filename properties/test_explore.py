"""The exhaustive checker's verdicts at the canonical bound, for every design and property.

`fixed` must satisfy every property; `legacy` and each mutant must violate exactly
the properties its design record lists (each with a one-line reason).  Every
violation comes with a counterexample that replays on the concrete model.
"""

from __future__ import annotations

import pytest

from checker.counterexample import Counterexample
from checker.explore import HOLDS, VIOLATED
from checker.replay import replay
from model import CANONICAL, DESIGNS, PROPERTY_NAMES, get_design
from properties.explored import explored

PAIRS = [(d, p) for d in DESIGNS for p in PROPERTY_NAMES]


@pytest.mark.parametrize("design,prop", PAIRS, ids=[f"{d}/{p}" for d, p in PAIRS])
def test_verdict_matches_expectation(design: str, prop: str) -> None:
    res = explored(design)
    assert res.complete
    assert res.verdicts[prop] == get_design(design).expected(prop, CANONICAL), (
        res.findings[prop].message if prop in res.findings else "no counterexample")


@pytest.mark.parametrize("design,prop", PAIRS, ids=[f"{d}/{p}" for d, p in PAIRS])
def test_counterexample_replays(design: str, prop: str) -> None:
    res = explored(design)
    if res.verdicts[prop] != VIOLATED:
        assert prop not in res.findings
        return
    f = res.findings[prop]
    cx = Counterexample.from_path(res.system, prop, f.kind, f.message, f.path)
    rp = replay(cx)
    assert rp.reproduced, rp.verdict
    # A shortest counterexample: one step fewer no longer shows the violation.
    if f.kind in ("invariant", "self-deadlock"):
        assert rp.first_broken == len(f.path)


@pytest.mark.parametrize("prop", PROPERTY_NAMES)
def test_every_property_bites(prop: str) -> None:
    """The twin of `fixed` holding: some broken design is caught on each property."""
    assert explored("fixed").verdicts[prop] == HOLDS
    caught = [d for d in DESIGNS if explored(d).verdicts[prop] == VIOLATED]
    assert caught, f"no design violates {prop}: the property cannot fail at this bound"


def test_legacy_violates_what_the_seed_names() -> None:
    v = explored("legacy").verdicts
    assert v["sample-generation"] == VIOLATED
    assert v["no-unflushed-at-stop"] == VIOLATED


@pytest.mark.parametrize("design", list(DESIGNS))
def test_every_mutant_is_caught(design: str) -> None:
    res = explored(design)
    if design == "fixed":
        assert all(v == HOLDS for v in res.verdicts.values()), res.verdicts
    else:
        assert any(v == VIOLATED for v in res.verdicts.values()), res.verdicts


@pytest.mark.parametrize("design", list(DESIGNS))
def test_every_step_fires(design: str) -> None:
    """Coverage: the canonical bound exercises every step of every design."""
    assert explored(design).uncovered_steps() == []
