"""Properties for runs of any length: the unbounded system, every reachable state.

``checker/explore/unbounded.py`` searches every reachable state of the unbounded system
(any number of sections, signals and advances), one property at a time, on the property's
cone of influence with generations up to rotation.  What it proves today, at the small
capacities below, is for no worker M (the CPU reader, the advancer, and SIGPROF on both):
each proof takes one to three minutes, so it is ``heavy`` (``pytest -m heavy
properties/test_unbounded.py``).  Its twins run by default: designs that break the same
properties are caught, each with a run that replays on the full model.
"""

from __future__ import annotations

import pytest
from gentrace.explore.unbounded import prove_explicit
from gentrace.model import System, get_design, parse_bounds

SMALL = ["tracebuf=1", "ring_tags=1", "nested=0"]
PROVED = ["deadlock-freedom", "single-reader", "reader-lifetime"]
BROKEN = {"deadlock-freedom": "handler-waits-for-seqlock", "single-reader": "reader-unlocked",
          "reader-lifetime": "reader-exits-when-empty"}


def unbounded(design: str, workers: int) -> System:
    return System(get_design(design, "1.27"), parse_bounds([*SMALL, f"workers={workers}"]),
                  unbounded=True)


@pytest.mark.heavy
@pytest.mark.parametrize("prop", PROVED)
def test_corrected_holds_for_runs_of_any_length_with_no_worker(prop: str) -> None:
    r = prove_explicit(unbounded("corrected", 0), prop)
    assert r.verdict == "proved", r


@pytest.mark.parametrize("prop", PROVED)
def test_twin_a_broken_design_is_caught_with_no_worker(prop: str) -> None:
    r = prove_explicit(unbounded(BROKEN[prop], 0), prop, max_states=3_000_000)
    assert r.verdict == "violated", r
    assert r.steps
