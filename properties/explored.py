"""One exhaustive exploration per (design, protocol) at the canonical bound, shared by the tests.

Releases that are the same protocol (``Release.same_as``: go1.22.0 and go1.22,
go1.25 and go1.24, go1.27 and go1.26) are explored once: their systems differ
only in the Go references their steps cite, which
``test_releases_said_to_be_the_same_compile_to_the_same_code`` checks.

All explorations run once per session, spread over two processes; the tests read
plain-data summaries (a compiled system does not cross a process boundary, and is
rebuilt where a test needs it).
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from functools import cache

from gentrace.explore import explore
from gentrace.model import DESIGNS, NAMED, RELEASES, System, build, get_design


@dataclass(frozen=True)
class Explored:
    design: str
    release: str
    bound: str
    complete: bool
    verdicts: dict[str, str]
    findings: dict[str, tuple[str, str, list[int]]]  # prop -> (kind, message, path)
    uncovered: list[str]
    states: int

    @property
    def system(self) -> System:
        return build(get_design(self.design, self.release), NAMED[self.bound])

    def uncovered_steps(self) -> list[str]:
        return self.uncovered


def protocol(release: str) -> str:
    """The release whose exploration stands for ``release``."""
    r = RELEASES[release]
    return r.same_as or r.name


# Every (release, design) pair that exists, release by release.
PAIRS = [(r, d) for r in RELEASES for d in DESIGNS if DESIGNS[d].exists_on(RELEASES[r])]


# The bounds every (release, design) is explored at: canonical, and ring, the
# smallest bound at which single-read-drain shows (two signals, no workers).
BOUNDS = ("canonical", "ring")


def _run(job: tuple[str, str, str]) -> Explored:
    release, design, bound = job
    # The compiled kernel where it can be built (as gentrace check runs): the Python engine
    # would take minutes for the whole catalogue; tests/test_kernel.py holds the two equal.
    res = explore(build(get_design(design, release), NAMED[bound]), kernel="auto")
    return Explored(design, release, bound, res.complete, dict(res.verdicts),
                    {p: (f.kind, f.message, list(f.path)) for p, f in res.findings.items()},
                    res.uncovered_steps(), res.stats.states)


@cache
def _all() -> dict[tuple[str, str, str], Explored]:
    jobs = sorted({(protocol(r), d, b) for r, d in PAIRS for b in BOUNDS})
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        done = pool.map(_run, jobs, chunksize=1)
    return {(e.release, e.design, e.bound): e for e in done}


def explored(design: str, release: str | None = None, bound: str = "canonical") -> Explored:
    rel = protocol(release or DESIGNS[design].release.name)
    return _all()[(rel, design, bound)]
