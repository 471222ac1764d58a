"""The Z3 engine against the explorer, for every release and design at the canonical bound.

Bounded model checking to depth ``DEPTH`` searches the same relation as the explorer,
symbolically: every violation the explorer finds within that depth BMC must find at the
very same (shortest) length, with a counterexample that replays; and BMC must find no
violation where the explorer's complete search found none.

The default run takes go1.26 (the newest protocol); the other releases, go1.24's nested
acquires under a fresh generation among them, are marked ``heavy`` (``pytest -m heavy``).
"""

from __future__ import annotations

import multiprocessing
from functools import cache

import pytest
from gentrace.core.replay import replay
from gentrace.model import CANONICAL, PROPERTY_NAMES, get_design
from gentrace.symbolic.check import VIOLATED, bmc_design

from properties.explored import PAIRS, explored, protocol

DEPTH = 8  # covers the shallow violations: a self-deadlock (3), single-reader (7) and
# reader-lifetime (8); generation-order takes 9 steps since traceAcquire's traceEnabled()
# check is a step of its own.  Each design's BMC to this depth takes a second or two


def _run(job: tuple[str, str]) -> tuple[tuple[str, str], dict[str, tuple[str, int | None, bool]]]:
    release, design = job
    _, outs = bmc_design(get_design(design, release), CANONICAL, DEPTH)
    return job, {o.prop: (o.verdict, len(o.counterexample.steps) if o.counterexample else None,
                          replay(o.counterexample).reproduced if o.counterexample else False)
                 for o in outs}


DEFAULT = ("1.26",)
PROTOCOL_PAIRS = sorted({(protocol(r), d) for r, d in PAIRS})


@cache
def bmc_all(releases: tuple[str, ...]) -> dict[tuple[str, str], dict[str, tuple[str, int | None, bool]]]:
    jobs = [(r, d) for r, d in PROTOCOL_PAIRS if r in releases]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return dict(pool.map(_run, jobs, chunksize=1))


CASES = [pytest.param(r, d, id=f"go{r}/{d}", marks=() if r in DEFAULT else pytest.mark.heavy)
         for r, d in PROTOCOL_PAIRS]


@pytest.mark.parametrize("release,design", CASES)
def test_bmc_agrees_with_the_explorer(release: str, design: str) -> None:
    ex = explored(design, release)
    got = bmc_all(DEFAULT if release in DEFAULT else tuple(sorted({r for r, _ in PROTOCOL_PAIRS}
                                                                  - set(DEFAULT))))[(release, design)]
    for p in PROPERTY_NAMES:
        verdict, length, replays = got[p]
        if p in ex.findings and ex.findings[p][0] != "no-completion":
            shortest = len(ex.findings[p][2])
            if shortest <= DEPTH:
                assert (verdict, length, replays) == (VIOLATED, shortest, True), p
                continue
        assert verdict != VIOLATED, f"{p}: BMC found a violation the explorer did not"


def test_bmc_finds_something_in_this_run() -> None:
    # The twin: the comparison is not vacuous; BMC found the shallow violations.
    found = {(r, d, p) for (r, d), res in bmc_all(DEFAULT).items() for p, v in res.items()
             if v[0] == VIOLATED}
    assert ("1.26", "handler-waits-for-seqlock", "deadlock-freedom") in found
    assert ("1.26", "reader-exits-when-empty", "reader-lifetime") in found
    assert ("1.26", "cpu-flush-before-m-loop", "single-reader") in found
    assert len(found) >= 3
