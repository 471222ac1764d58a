"""Proofs for runs of any length from the stated invariants, with 1, 2 and 3 workers.

The unbounded system (any number of sections, signals and advances; the capacities of the
canonical bound) with the stated lemmas of ``model/invariants.py``: each lemma holds
initially and every step keeps it (per step, then again by a plain solver on the whole
relation), and together they imply the property.  The corrected design is proved for
every property with 1 and 2 workers in the default run (seconds each); 3 workers and the
whole catalogue of designs and releases are ``heavy`` (``pytest -m heavy
properties/test_stated.py``).

Twins: the shipped design breaks sample-generation (the finding single-read-drain), and the
same engine does not prove it; the lemma it breaks is the one about the advancer's drain.
Across the catalogue no property a design is known to break is ever proved.
"""

from __future__ import annotations

import pytest
from gentrace.model import PROPERTY_NAMES, RELEASES, System, get_design, parse_bounds
from gentrace.model.designs import designs_of
from gentrace.symbolic.stated import prove_stated


def unbounded(design: str, release: str, workers: int, *bound: str) -> System:
    return System(get_design(design, release), parse_bounds([*bound, f"workers={workers}"]),
                  unbounded=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_corrected_holds_for_runs_of_any_length(workers: int) -> None:
    res = prove_stated(unbounded("corrected", "1.27", workers))
    assert res.verdicts == {p: "proved" for p in PROPERTY_NAMES}, res.methods
    assert not res.dropped and res.rounds == 1


def test_twin_the_shipped_design_is_not_proved_where_it_breaks() -> None:
    # The finding needs the reader, the advancer and two tags, not a worker: with no worker,
    # smaller trace buffers and no nesting it is quick.
    res = prove_stated(unbounded("fixed", "1.27", 0, "tracebuf=1", "nested=0"),
                       props=["sample-generation", "single-reader", "flush-before-seal"])
    assert res.verdicts["sample-generation"] == "incomplete"
    # What it keeps is still proved: the advancer's single read is its only defect here.
    assert res.verdicts["single-reader"] == res.verdicts["flush-before-seal"] == "proved"
    assert "profBuf[0].pending" in res.dropped or "profBuf[1].pending" in res.dropped
    assert "A:read.emit" in " ".join(res.dropped.values())


@pytest.mark.heavy
def test_corrected_holds_with_three_workers() -> None:
    res = prove_stated(unbounded("corrected", "1.27", 3))
    assert res.verdicts == {p: "proved" for p in PROPERTY_NAMES}, res.methods


CATALOGUE = [(r, d.name) for r in RELEASES for d in designs_of(RELEASES[r])]


@pytest.mark.heavy
@pytest.mark.parametrize("release,design", CATALOGUE)
def test_no_known_violation_is_ever_proved(release: str, design: str) -> None:
    system = unbounded(design, release, 1)
    d = system.design
    res = prove_stated(system)
    # Violated at some bound (the findings' included): never proved for runs of any length.
    wrong = [p for p in PROPERTY_NAMES if res.verdicts[p] == "proved" and d.expected(p) == "violated"]
    assert not wrong
    if all(d.expected(p) != "violated" for p in PROPERTY_NAMES):
        # A design that holds everything at every bound is proved for runs of any length.
        assert set(res.verdicts.values()) == {"proved"}, res.methods
