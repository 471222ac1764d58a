"""The Hypothesis engine against the exhaustive one, at the canonical bound and beyond.

* Canonical bound: for every design, the Hypothesis engine finds every violation
  the exhaustive checker finds there, and none for ``fixed``.
* A larger bound (the active profile's; under ``ci`` three workers, four signals,
  four advances: far beyond what the explorer can enumerate): it still catches
  every mutant and finds nothing for ``fixed``.
* Wrap-around: with a small generation word and a first generation just below
  its top, runs cross ``traceNextGen``'s wrap; ``fixed`` stays clean across it,
  and ``wrap-to-one`` is caught there.

Every violation found is written in the common counterexample format under
``--stateful-out`` (default ``counterexamples/stateful/``) and replayed; a test
that fails names the files, which ``gentrace replay FILE`` re-runs.

The searches are the expensive part, so each group of them runs once per session,
spread over two processes, and the tests read the results.  The search itself
skips Hypothesis's shrinking (the steps are still shortened by delta debugging);
``test_shrunk_failure_reads_as_a_short_story`` covers shrinking.
"""

from __future__ import annotations

import multiprocessing
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from gentrace.core.counterexample import load
from gentrace.core.replay import replay
from gentrace.explore import VIOLATED as EXPLORED_VIOLATED
from gentrace.model import CANONICAL, DESIGNS, PROPERTY_NAMES, Bounds, build, get_design
from gentrace.model.bounds import bounds_from_dict
from gentrace.stateful import profiles
from gentrace.stateful.engine import NOT_FOUND, VIOLATED, hunt, resolve_settings, write_counterexample

from properties.explored import explored

# Designs with defects of their own, and designs expected to hold every property on
# their default release at any bound (the corrections that leave no finding behind).
MUTANTS = [d for d in DESIGNS if DESIGNS[d].violates]
CLEAN = [d for d in DESIGNS if all(DESIGNS[d].expected(p) == "holds" for p in PROPERTY_NAMES)]
# The rest (fixed, and a correction of one finding on a release with another) must
# show only what their findings explain.
INHERITING = [d for d in DESIGNS if d not in MUTANTS and d not in CLEAN]
# Rounds in a row without a new find before a search gives up.  The rarest
# canonical violations need a reader or a handler stalled across whole advances
# and take a few thousand examples; under ``ci`` the run is derandomized, so how
# many is fixed, and this leaves room above it.
PATIENCE = 60
# Rounds without a find before a mutant counts as missed beyond the canonical
# bound.  Under ci most are caught in the first round; the stall that
# handler-gen-before-seqlock needs can take a few hundred examples.
LARGER_ROUNDS = 5
WRAP_BOUNDS = [Bounds(word=4, first_gen=13, advances=4), Bounds(word=6, first_gen=61, advances=4)]


@pytest.fixture(scope="session")
def stateful_out(request: pytest.FixtureRequest) -> Path:
    opt = request.config.getoption("--stateful-out", default=None)
    out = Path(opt) if opt else Path(request.config.rootpath) / "counterexamples" / "stateful"
    out.mkdir(parents=True, exist_ok=True)
    return out


# -- searches, run once per session ------------------------------------------------


Job = tuple[str, str, dict[str, int], list[str] | None, int, str]


def _search(job: Job) -> dict[str, Any]:
    """One hunt, summarised in plain data (it runs in another process)."""
    _, key, bdict, until, patience, out = job
    design, _, release = key.partition("@")
    system = build(get_design(design, release or None), bounds_from_dict(bdict))
    settings, name, seed = resolve_settings(shrink=False)
    res = hunt(system, settings=settings, profile=name, seed=seed, patience=patience,
               until=set(until) if until is not None else None)
    files = {p: str(write_counterexample(f.counterexample, Path(out), system))
             for p, f in res.findings.items()}
    return {
        "design": key,
        "verdicts": res.verdicts,
        "files": files,
        "lengths": {p: len(f.path) for p, f in res.findings.items()},
        "first": {p: f.example for p, f in res.findings.items()},
        "not_found": res.examples,
        "examples": res.tally.examples,
        "crossed_wrap": res.tally.crossed_wrap,
        "clean": res.tally.clean,
        "seconds": res.seconds,
    }


def _run_all(jobs: list[Job]) -> dict[tuple[str, str, tuple[int, ...]], dict[str, Any]]:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        results = pool.map(_search, jobs, chunksize=1)
    return {(j[0], r["design"], tuple(j[2].values())): r for j, r in zip(jobs, results, strict=True)}


@cache
def _searches(out: str, larger: tuple[tuple[str, int], ...]) -> dict[tuple[str, str, tuple[int, ...]], Any]:
    """Every search the tests below read, in one pool so both cores stay busy."""
    jobs: list[Job] = []
    # The canonical hunts first, the richest mutants first: they take longest.
    for d in sorted(DESIGNS, key=lambda d: -len(DESIGNS[d].violates)):
        want = sorted(p for p in PROPERTY_NAMES if explored(d).verdicts[p] == EXPLORED_VIOLATED)
        # fixed has nothing to find: one round of the profile's examples.
        jobs.append(("canonical", d, CANONICAL.as_dict(), want, PATIENCE if want else 1, out))
    # go1.24: the nested acquires and the finding reentrant-fresh-gen.
    for d in ("fixed", "corrected"):
        want = sorted(p for p in PROPERTY_NAMES
                      if explored(d, "1.24").verdicts[p] == EXPLORED_VIOLATED)
        jobs.append(("canonical", f"{d}@1.24", CANONICAL.as_dict(), want, PATIENCE if want else 1,
                     out))
    b = Bounds(**dict(larger))
    for d in DESIGNS:
        # Beyond exhaustive reach a mutant is caught by its first violation, within
        # LARGER_ROUNDS rounds of the profile's examples; fixed gets one round.
        jobs.append(("larger", d, b.as_dict(), [], 1 if d == "fixed" else LARGER_ROUNDS, out))
    for wb in WRAP_BOUNDS:
        for d in ("fixed", "wrap-to-one"):
            jobs.append(("wrap", d, wb.as_dict(), [], 1 if d == "fixed" else LARGER_ROUNDS, out))
    return _run_all(jobs)


def _result(out: Path, group: str, design: str, b: Bounds) -> dict[str, Any]:
    lb = larger_bounds()
    return _searches(str(out), tuple(lb.as_dict().items()))[(group, design, tuple(b.as_dict().values()))]


def larger_bounds() -> Bounds:
    return profiles.larger_bounds()


def _replays(files: dict[str, str]) -> None:
    for prop, f in files.items():
        rp = replay(load(f))
        assert rp.reproduced, f"{f} ({prop}) does not replay: {rp.verdict}"


def _named(files: dict[str, str]) -> str:
    return "; ".join(f"{p}: gentrace replay {f}" for p, f in sorted(files.items())) or "none"


# -- the canonical bound -----------------------------------------------------------


# Violations the explorer finds at the canonical bound that this engine does not yet meet
# in its budget (issue 20): since nesting became optional (traceallocfree), wrap-to-one's
# event-generation on go1.27 needs a nested pair in a section whose batch is full, and none
# of the schedules (uniform, swarm, PCT, mixed) meets it in 15,000 examples.  Listed here,
# and held strictly: the day the engine meets it, the xfail below fails and this entry goes.
KNOWN_MISSES = {("wrap-to-one", "event-generation")}


@pytest.mark.parametrize("design", [
    pytest.param(d, marks=pytest.mark.xfail(strict=True, reason="issue 20: " + ", ".join(
        p for dd, p in sorted(KNOWN_MISSES) if dd == d))) if any(dd == d for dd, _ in KNOWN_MISSES) else d
    for d in DESIGNS])
def test_finds_every_violation_the_explorer_finds(design: str, stateful_out: Path) -> None:
    r = _result(stateful_out, "canonical", design, CANONICAL)
    exhaustive = {p for p in PROPERTY_NAMES if explored(design).verdicts[p] == EXPLORED_VIOLATED}
    found = {p for p, v in r["verdicts"].items() if v == VIOLATED}
    missed = exhaustive - found
    assert not missed, (f"{design}: Hypothesis found no violation of {sorted(missed)} in "
                        f"{r['examples']} examples; the explorer did. Found: {_named(r['files'])}")
    extra = found - exhaustive
    assert not extra, (f"{design}: Hypothesis found violations the explorer says cannot happen "
                       f"at this bound: {_named({p: r['files'][p] for p in extra})}")
    _replays(r["files"])


def test_fixed_is_clean_at_the_canonical_bound(stateful_out: Path) -> None:
    r = _result(stateful_out, "canonical", "fixed", CANONICAL)
    assert not r["files"], f"fixed violates a property: {_named(r['files'])}"
    assert set(r["verdicts"].values()) == {NOT_FOUND}
    # "No violation found in N examples": N counts runs driven to their end.
    assert all(n == r["clean"] > 0 for n in r["not_found"].values())


def test_the_canonical_twin_every_property_that_can_break_is_caught(stateful_out: Path) -> None:
    """The twin of ``fixed`` being clean: each property the explorer can break, this engine does."""
    for prop in PROPERTY_NAMES:
        breakers = [d for d in MUTANTS if explored(d).verdicts[prop] == EXPLORED_VIOLATED]
        caught = [d for d in breakers
                  if _result(stateful_out, "canonical", d, CANONICAL)["verdicts"][prop] == VIOLATED]
        assert caught == [d for d in breakers if (d, prop) not in KNOWN_MISSES], (prop, breakers, caught)
        assert caught, f"no design that breaks {prop} is caught"


# -- beyond the explorer's reach -----------------------------------------------------


def test_the_larger_bound_is_beyond_exhaustive_reach() -> None:
    b = larger_bounds()
    assert b.workers >= 3 and b.signals >= 4 and b.advances >= 4
    # Far more nondeterminism than the canonical bound, where the explorer already
    # visits up to ~10^5 states per design.
    assert (b.workers, b.signals, b.advances) > (CANONICAL.workers, CANONICAL.signals,
                                                 CANONICAL.advances)


def test_go124_nested_steps_and_finding(stateful_out: Path) -> None:
    """On go1.24, with nested acquires, the engine finds what the explorer finds, and the
    correction is clean."""
    r = _result(stateful_out, "canonical", "fixed@1.24", CANONICAL)
    found = {p for p, v in r["verdicts"].items() if v == VIOLATED}
    # locks-balanced: the nested acquire's acquirem is never undone (issue 19's finding).
    assert found == {"deadlock-freedom", "generation-order", "locks-balanced"}, _named(r["files"])
    _replays(r["files"])
    r = _result(stateful_out, "canonical", "corrected@1.24", CANONICAL)
    assert not r["files"], _named(r["files"])


def _larger(design: str, stateful_out: Path) -> tuple[Bounds, dict[str, Any], set[str], set[str]]:
    """The hunt at the larger bound: the bound, its result, what is expected violated, what was found."""
    b = larger_bounds()
    r = _result(stateful_out, "larger", design, b)
    want = {p for p in PROPERTY_NAMES if get_design(design).expected(p, b) == VIOLATED}
    found = {p for p, v in r["verdicts"].items() if v == VIOLATED}
    return b, r, want, found


@pytest.mark.parametrize("design", MUTANTS)
def test_the_larger_bound_catches_every_mutant(design: str, stateful_out: Path) -> None:
    b, r, want, found = _larger(design, stateful_out)
    assert found, f"{design}: no violation found in {r['examples']} examples at {b}"
    assert found <= want, f"{design}: unexpected violations: {_named(r['files'])}"
    _replays(r["files"])


@pytest.mark.parametrize("design", CLEAN)
def test_corrections_are_clean_at_the_larger_bound(design: str, stateful_out: Path) -> None:
    b = larger_bounds()
    r = _result(stateful_out, "larger", design, b)
    assert not r["files"], f"{design} violates a property at {b}: {_named(r['files'])}"
    assert all(n == r["clean"] > 0 for n in r["not_found"].values())


@pytest.mark.parametrize("design", INHERITING)
def test_at_the_larger_bound_only_findings_show(design: str, stateful_out: Path) -> None:
    """Beyond the canonical bound the shipped design meets single-read-drain, and nothing else."""
    _, r, want, found = _larger(design, stateful_out)
    assert found <= want, f"{design}: violations no finding explains: {_named(r['files'])}"
    _replays(r["files"])


def test_the_design_groups_are_what_they_claim() -> None:
    assert "fixed" in INHERITING and "corrected" in CLEAN and "legacy" in MUTANTS
    assert set(MUTANTS) | set(CLEAN) | set(INHERITING) == set(DESIGNS)


# -- across the generation counter's wrap -----------------------------------------------


@pytest.mark.parametrize("b", WRAP_BOUNDS, ids=[f"word{b.word}-from{b.first_gen}" for b in WRAP_BOUNDS])
def test_fixed_stays_clean_across_the_wrap(b: Bounds, stateful_out: Path) -> None:
    r = _result(stateful_out, "wrap", "fixed", b)
    assert not r["files"], f"fixed violates a property across the wrap: {_named(r['files'])}"
    # The runs did cross it: gen went from 2^word-1 to traceNextGen's 4.
    assert r["crossed_wrap"] > r["clean"] // 2, r


@pytest.mark.parametrize("b", WRAP_BOUNDS, ids=[f"word{b.word}-from{b.first_gen}" for b in WRAP_BOUNDS])
def test_wrap_to_one_is_caught_across_the_wrap(b: Bounds, stateful_out: Path) -> None:
    r = _result(stateful_out, "wrap", "wrap-to-one", b)
    found = {p for p, v in r["verdicts"].items() if v == VIOLATED}
    assert found, f"wrap-to-one: nothing found in {r['examples']} examples at {b}"
    assert found <= set(get_design("wrap-to-one").violates)
    _replays(r["files"])


# -- shrinking -----------------------------------------------------------------------------


@pytest.mark.parametrize("design,prop", [("cpu-flush-before-m-loop", "single-reader"),
                                         ("handler-waits-for-seqlock", "deadlock-freedom")])
def test_shrunk_failure_reads_as_a_short_story(design: str, prop: str, stateful_out: Path) -> None:
    """With Hypothesis's shrinking on: a few rule calls, a run near the shortest one."""
    system = build(get_design(design), CANONICAL)
    settings, name, seed = resolve_settings()
    res = hunt(system, props=[prop], settings=settings, profile=name, seed=seed)
    assert res.verdicts[prop] == VIOLATED
    f = res.findings[prop]
    path = write_counterexample(f.counterexample, stateful_out, system)
    assert replay(load(path)).reproduced
    shortest = len(explored(design).findings[prop][2])
    assert len(f.path) <= 1.5 * shortest, (len(f.path), shortest, str(path))
    calls = [line for line in f.program if line.startswith("state.") and line != "state.teardown()"]
    assert 1 <= len(calls) <= 8, f.program
    doc = load(path).extra["hypothesis"]
    assert doc["program"] == f.program and doc["reproduce_failure"]


def test_counterexample_files_name_the_engine_and_how_to_reproduce(stateful_out: Path) -> None:
    r = _result(stateful_out, "canonical", "legacy", CANONICAL)
    cx = load(r["files"]["sample-generation"])
    assert cx.engine == "hypothesis"
    hyp = cx.extra["hypothesis"]
    assert hyp["profile"] == profiles.base_name()
    # A random run records its seed; any run's failure carries Hypothesis's blob.
    assert cx.seed is not None or hyp["derandomized"] or hyp["reproduce_failure"]
    assert hyp["reproduce_failure"]
    assert hyp["first_found_at_example"] >= 1

