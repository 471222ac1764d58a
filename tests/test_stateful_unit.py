"""Parts of the Hypothesis engine: the machine's rules, the teardown, delta debugging,
the verdicts it reports, the settings profiles, and ``check --engine``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gentrace.cli.main import main
from gentrace.core.counterexample import load
from gentrace.core.replay import replay
from gentrace.explore import explore
from gentrace.model import CANONICAL, PROPERTY_NAMES, build, get_design
from gentrace.stateful import profiles
from gentrace.stateful.engine import (
    NOT_FOUND,
    VIOLATED,
    StatefulOutcome,
    hunt,
    resolve_settings,
    sampling_verdict,
    write_counterexample,
)
from gentrace.stateful.machine import VIOLATIONS, PropertyViolation, Schedule, Tally, _letters, machine_class
from gentrace.stateful.schedules import Uniform
from gentrace.stateful.shrink import minimize
from hypothesis import settings


def system_of(design: str, release: str | None = None, **bounds: int):  # type: ignore[no-untyped-def]
    from dataclasses import replace
    return build(get_design(design, release), replace(CANONICAL, **bounds))


def keys(system, path: list[int]) -> list[str]:  # type: ignore[no-untyped-def]
    return [system.steps[i].key for i in path]


# -- the schedule's view of the model ----------------------------------------------

def test_each_thread_gets_one_letter() -> None:
    assert _letters(["W0", "W1", "W2", "W3", "R", "A"]) == "wxyzra"
    sch = Schedule(system_of("fixed", workers=2))
    assert sch.threads == ["W0", "W1", "R", "A"]
    assert sch.letter["a"] == (3, 1) and sch.letter["A"] == (3, 4)
    assert set(sch.alphabet) == set("wxraWXRA")


def test_the_fair_run_of_fixed_finishes() -> None:
    sch = Schedule(system_of("fixed"))
    assert 20 < sch.horizon < 200


# -- rules ---------------------------------------------------------------------------

def test_run_letters_move_one_thread_one_or_four_steps() -> None:
    system = system_of("fixed")
    m = machine_class(system)()
    m.run("a")
    assert keys(system, m.path) == ["A:load-gen"]
    m.run("A")
    assert keys(system, m.path)[1:] == ["A:publish", "A:wait-even(W0)", "A:flush(W0)",
                                        "A:wait-even(R)"]
    m.run("w")
    assert keys(system, m.path)[-1].startswith("W0:traceAcquire.")
    assert len(m.path) == 6


def test_sigprof_lands_after_the_steps_asked_for() -> None:
    system = system_of("fixed")
    m = machine_class(system)()
    m.start(Uniform(0))
    m.sigprof("W0", 1)
    ks = keys(system, m.path)
    assert len(ks) == 2 and ks[0].startswith("W0:traceAcquire.") and ks[1] == "W0:sigprof.deliver"
    # While the handler runs, the M's letter moves the handler.
    m.run("w")
    assert keys(system, m.path)[-1].startswith("W0:sigprof.")


def test_sigprof_waits_for_its_time() -> None:
    system = system_of("fixed")
    m = machine_class(system)()
    m.start(Uniform(5))
    m.sigprof("W0", 0)
    assert m.path == []  # too early: nothing lands
    m.run("AA")
    m.sigprof("W0", 0)
    assert keys(system, m.path)[-1] == "W0:sigprof.deliver"


def test_no_rule_can_be_switched_off_by_a_precondition() -> None:
    # Hypothesis's swarm testing switches rules off per example; if every rule
    # left on had a false precondition, the example would be dropped as invalid
    # (teardown and violation with it).
    cls = machine_class(system_of("fixed"))
    for name in ("run", "sigprof"):
        assert not getattr(cls, name).hypothesis_stateful_rule.preconditions


def test_teardown_drives_fixed_to_its_end_across_the_wrap() -> None:
    system = system_of("fixed")
    tally = Tally()
    m = machine_class(system, tally=tally)()
    m.teardown()
    assert tally.clean == 1 and tally.crossed_wrap == 1
    assert system.compiled.finished(m.s)


def test_a_violation_raises_its_own_type_with_the_path() -> None:
    system = system_of("handler-waits-for-seqlock")
    m = machine_class(system)()
    m.start(Uniform(0))
    inside = into_critical_section(system, m)
    with pytest.raises(VIOLATIONS["deadlock-freedom"]) as e:
        m.sigprof("W0", 0)
    assert isinstance(e.value, PropertyViolation) and e.value.kind == "self-deadlock"
    assert keys(system, e.value.path) == inside + ["W0:sigprof.deliver"]


def into_critical_section(system, m) -> list[str]:  # type: ignore[no-untyped-def]
    """W0's steps up to its seqlock increment, taken on ``m``."""
    while not keys(system, m.path) or keys(system, m.path)[-1] != "W0:traceAcquire.seqlock-inc":
        m.run("w")
    return keys(system, m.path)


def test_unchecked_properties_do_not_fail_the_run() -> None:
    system = system_of("handler-waits-for-seqlock")
    m = machine_class(system, props=["sample-generation"])()
    m.start(Uniform(0))
    into_critical_section(system, m)
    m.sigprof("W0", 0)  # the self-deadlock is there, but not asked about
    m.teardown()        # and the teardown gives up on the stuck run quietly


def test_every_property_has_a_distinct_exception_type() -> None:
    assert set(VIOLATIONS) == set(PROPERTY_NAMES)
    assert len({t.__name__ for t in VIOLATIONS.values()}) == len(PROPERTY_NAMES)


def test_machines_differ_by_design_bound_and_properties() -> None:
    a = machine_class(system_of("fixed")).__name__
    b = machine_class(system_of("legacy")).__name__
    c = machine_class(system_of("fixed", workers=2)).__name__
    d = machine_class(system_of("fixed"), props=["single-reader"]).__name__
    e = machine_class(system_of("fixed"), attempt=1).__name__
    assert len({a, b, c, d, e}) == 5


# -- delta debugging ------------------------------------------------------------------

def test_minimize_removes_steps_that_do_not_matter() -> None:
    system = system_of("legacy")
    res = explore(system, liveness=False)
    shortest = res.findings["sample-generation"].path
    # Pad the shortest run with steps of the reader that change nothing it needs.
    r_steps = [i for i, st in enumerate(system.steps) if st.key == "R:loop.traceEnabled"]
    padded = r_steps + shortest
    short, runs = minimize(system, padded, "sample-generation", "invariant")
    assert runs > 0 and len(short) <= len(shortest)
    s = system.initial
    for i in short:
        s = dict(system.compiled.successors(s))[i]
    assert not system.invariants[system.prop_index["sample-generation"]].ok(s)


def test_minimize_leaves_a_run_that_shows_nothing_alone() -> None:
    system = system_of("fixed")
    path = [system.step_index["A:load-gen"]]
    assert minimize(system, path, "sample-generation", "invariant")[0] == path


# A run of handler-no-elision, as one hunt found it, that loses a sample at the stop:
# the handler, holding its M's seqlock "for" traceAcquire, makes it even again and
# the advancer passes, so StopTrace clears cpuLogWrite under it.
LOST_AT_STOP = [
    "W0:traceAcquire.seqlock-inc", "W0:sigprof.deliver", "W0:sigprof.seqlock-take",
    "W0:sigprof.load-gen", "A:load-gen", "A:publish", "A:wait-even(W0)", "A:flush(W0)",
    "A:wait-even(R)", "A:cpu-read", "A:cpu-flush", "A:seal", "A:load-gen", "A:publish",
    "A:wait-even(W0)", "A:flush(W0)", "W0:sigprof.signalLock-acquire", "A:wait-even(R)",
    "A:cpu-read", "A:cpu-flush", "A:seal", "A:load-gen", "A:publish", "A:wait-even(W0)",
    "A:flush(W0)", "A:wait-even(R)", "A:cpu-read", "A:cpu-flush", "A:seal",
    "A:stop.clear-cpuLogWrite[0]", "A:stop.clear-cpuLogWrite[1]", "A:stop.close-profBuf[0]",
    "A:stop.close-profBuf[1]", "W0:sigprof.cpuLogWrite-load", "R:loop.traceEnabled",
    "A:stop.wait-reader", "W0:sigprof.signalLock-release", "W0:sigprof.seqlock-release",
]
# traceAdvance's drain of an empty profBuf is one read of four steps.
EMPTY_READ = ["A:read.commit", "A:read.load-w", "A:read.take-overflow", "A:read.load-eof"]
LOST_AT_STOP = [k for key in LOST_AT_STOP for k in (EMPTY_READ if key == "A:cpu-read" else [key])]


def test_minimize_goes_the_short_way_through_another_propertys_run() -> None:
    system = system_of("handler-no-elision", "1.22")
    # A model whose traceAcquire checks trace.enabled first takes that step before the increment.
    pre = {"W0:traceAcquire.seqlock-inc": [k for k in ["W0:traceAcquire.traceEnabled"]
                                           if k in system.step_index]}
    lost = [system.step_index[k] for key in LOST_AT_STOP for k in pre.get(key, []) + [key]]
    res = explore(system, liveness=False)
    shortest = len(res.findings["sample-conservation"].path)
    alone, _ = minimize(system, lost, "sample-conservation", "invariant")
    # Seeding with the run that broke single-reader (two drains of one profBuf)
    # gives delta debugging more endings to try: it is never longer than alone,
    # and stays near the shortest.  (With the FIFO profBuf this run alone stayed
    # far from the shortest; with the ring both reach it.)
    seeded, _ = minimize(system, lost, "sample-conservation", "invariant",
                         seeds=[list(res.findings["single-reader"].path)])
    assert len(seeded) <= len(alone) <= len(lost)
    assert len(seeded) <= 1.5 * shortest
    s = system.initial
    for i in seeded:
        s = dict(system.compiled.successors(s))[i]
    assert not system.invariants[system.prop_index["sample-conservation"]].ok(s)


# -- hunts and verdicts ----------------------------------------------------------------

def small(n: int = 15) -> settings:
    s, _, _ = resolve_settings("ci", max_examples=n, shrink=False)
    return s


def test_fixed_gets_no_violation_found_never_holds() -> None:
    res = hunt(system_of("fixed"), settings=small(), profile="ci")
    assert set(res.verdicts.values()) == {NOT_FOUND}
    assert all(n == res.tally.clean > 0 for n in res.examples.values())
    assert res.stats()["runs"] >= res.stats()["runs_to_end"] == res.tally.clean


def test_a_broken_design_is_found_and_replays(tmp_path: Path) -> None:
    system = system_of("handler-waits-for-seqlock")
    res = hunt(system, settings=small(50), profile="ci")
    assert res.verdicts["deadlock-freedom"] == VIOLATED
    f = res.findings["deadlock-freedom"]
    path = write_counterexample(f.counterexample, tmp_path, system)
    assert path.name == "go1.27--handler-waits-for-seqlock--deadlock-freedom--hypothesis.json"
    cx = load(path)
    assert cx.engine == "hypothesis" and cx.kind == "self-deadlock"
    assert replay(cx).reproduced
    assert cx.extra["hypothesis"]["program"][0].startswith("state = ")


def test_a_seeded_run_is_random_and_repeatable() -> None:
    system = system_of("legacy")
    s, _, _ = resolve_settings("dev", max_examples=30, shrink=False)
    runs = [hunt(system, props=["sample-generation"], settings=s, profile="dev", seed=7)
            for _ in range(2)]
    assert runs[0].seed == 7
    f0, f1 = (r.findings["sample-generation"] for r in runs)
    assert (f0.example, f0.path) == (f1.example, f1.path)
    assert f0.counterexample.seed == 7


def test_until_stops_the_hunt_once_those_are_found() -> None:
    system = system_of("legacy")
    res = hunt(system, settings=small(100), profile="ci", until={"sample-generation"},
               patience=5)
    assert res.verdicts["sample-generation"] == VIOLATED
    # legacy breaks three properties; the hunt stopped in the round that found the
    # one asked for, not after five more fruitless ones.
    assert res.rounds == res.findings["sample-generation"].round


def test_random_runs_without_a_database_record_a_seed() -> None:
    s, name, seed = resolve_settings("dev")
    assert name == "dev" and seed is None and s.database is not None  # the database replays
    s, name, seed = resolve_settings("ci")
    assert seed is None and s.derandomize
    with pytest.raises(KeyError):
        resolve_settings("nightly")


def test_not_found_matches_holds_but_is_never_called_holds() -> None:
    d = get_design("fixed")
    o = StatefulOutcome(d, "single-reader", NOT_FOUND, "holds", None, None, {}, "hypothesis",
                        examples=12)
    assert o.matches and o.summary == "no violation found in 12 runs to the end"
    doc = o.as_json()
    assert doc["verdict"] == "not-found" and doc["examples"] == 12
    missed = StatefulOutcome(d, "single-reader", NOT_FOUND, "violated", None, None, {},
                             "hypothesis", examples=12)
    assert not missed.matches


# -- profiles ---------------------------------------------------------------------------

def test_profiles_are_registered_in_one_place() -> None:
    assert set(profiles.PROFILES) == {"ci", "dev", "thorough"}
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert settings.get_profile("dev").database is not None
    assert settings.get_profile("thorough").max_examples > ci.max_examples
    assert profiles.base_name("ci-with-verbose-verbosity") == "ci"
    lb = profiles.larger_bounds("ci")
    assert (lb.workers, lb.signals, lb.advances) == (3, 4, 4)
    assert profiles.larger_bounds("thorough").workers >= lb.workers


def test_the_test_run_uses_a_gentrace_profile() -> None:
    assert profiles.base_name() in profiles.PROFILES


# -- gentrace check --engine -------------------------------------------------------------

def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_hypothesis_json_says_not_found_with_a_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["check", "--engine", "hypothesis", "--design", "fixed",
                              "--examples", "10", "--json"], capsys)
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["engine"] == "hypothesis" and doc["ok"]
    for r in doc["results"]:
        assert r["verdict"] == "not-found" and r["examples"] > 0 and r["engine"] == "hypothesis"
        assert r["summary"] == f"no violation found in {r['examples']} runs to the end"
        assert r["examples"] == r["stats"]["runs_to_end"] <= r["stats"]["runs"]


def test_check_hypothesis_writes_counterexamples_that_replay(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["check", "--engine", "hypothesis", "--design",
                              "handler-waits-for-seqlock", "--examples", "40", "--no-shrink",
                              "--schedule", "uniform", "--out", str(tmp_path)], capsys)
    assert code == 0, out
    assert "VIOL" in out and "1 counterexample(s) written" in out
    (f,) = tmp_path.glob("*.json")
    code, out, err = run_cli(["replay", "--quiet", str(f)], capsys)
    assert code == 0 and out.startswith("REPRODUCED")


def test_check_all_reports_every_engine_and_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["check", "--engine", "all", "--design", "handler-waits-for-seqlock",
                              "--examples", "40", "--no-shrink", "--depth", "4", "--json",
                              "--schedule", "uniform"], capsys)
    assert code == 0, out
    doc = json.loads(out)
    assert doc["agree"] and len(doc["agreement"]) == len(PROPERTY_NAMES)
    engines = {r["engine"] for r in doc["results"]}
    assert engines == {"explore", "hypothesis", "z3"} and doc["z3"] == {"method": "bmc", "depth": 4}
    dl = [a for a in doc["agreement"] if a["property"] == "deadlock-freedom"][0]
    assert (dl["explore"], dl["hypothesis"], dl["z3"], dl["agree"]) == (
        "violated", "violated", "violated", True)
    code, text, _ = run_cli(["check", "--engine", "all", "--design", "handler-waits-for-seqlock",
                             "--examples", "40", "--no-shrink", "--depth", "4",
                             "--schedule", "uniform"], capsys)
    n = len(PROPERTY_NAMES)
    assert code == 0 and f"{n} of {n} (design, property) pairs agree." in text


def test_explore_output_is_the_same_with_and_without_engine(capsys: pytest.CaptureFixture[str]) -> None:
    a = run_cli(["check", "--design", "handler-waits-for-seqlock", "--quiet"], capsys)
    b = run_cli(["check", "--design", "handler-waits-for-seqlock", "--quiet", "--engine",
                 "explore"], capsys)
    strip = [line for line in a[1].splitlines() if " in " not in line]  # timings differ
    assert a[0] == b[0] and strip == [line for line in b[1].splitlines() if " in " not in line]


@pytest.mark.parametrize("argv", [
    ["--engine", "z3ish"],
    ["--seed", "4"],
    ["--engine", "hypothesis", "--hypothesis-profile", "nightly"],
    ["--engine", "hypothesis", "--examples", "0"],
    ["--engine", "hypothesis", "--seed", "x"],
    ["--engine", "hypothesis", "--max-states", "10"],
    ["--no-shrink"],
    ["--schedule", "pct"],
    ["--engine", "hypothesis", "--schedule", "fair"],
])
def test_bad_engine_options_are_one_line_errors(argv: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["check", "--design", "fixed", *argv], capsys)
    assert code == 2, (out, err)
    assert "Traceback" not in err and err.startswith("gentrace: ") and err.count("\n") == 1


# -- what a sampling run's exit status means -------------------------------------------------

def outcome(design: str, prop: str, verdict: str, expected: str) -> StatefulOutcome:
    return StatefulOutcome(get_design(design), prop, verdict, expected, None, None, {},
                           "hypothesis", examples=3)


def test_a_sample_passes_with_a_rare_violation_missed() -> None:
    rows = [outcome("no-drain", "sample-generation", "violated", "violated"),
            outcome("no-drain", "no-unflushed-at-stop", NOT_FOUND, "violated"),
            outcome("fixed", "sample-generation", NOT_FOUND, "holds")]
    assert not rows[1].matches  # still shown as nf! in the matrix
    assert sampling_verdict(rows) == (True, [])


def test_a_sample_fails_on_an_unexpected_violation_or_a_design_never_caught() -> None:
    ok, why = sampling_verdict([outcome("fixed", "sample-generation", "violated", "holds")])
    assert not ok and why == ["fixed@1.27 / sample-generation: violated, expected holds"]
    ok, why = sampling_verdict([outcome("no-drain", "sample-generation", NOT_FOUND, "violated"),
                                outcome("no-drain", "single-reader", NOT_FOUND, "holds")])
    assert not ok and why == ["no-drain@1.27: none of its expected violations (sample-generation) "
                              "was met"]


def test_the_header_reports_the_run_as_it_was_made(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["check", "--engine", "hypothesis", "--design", "fixed", "--seed", "7",
                            "--examples", "6", "--no-shrink"], capsys)
    head = out.splitlines()[0]
    assert head == ("engine: hypothesis, profile ci: random with seed 7 (--seed; no example "
                    "database), up to 6 examples per round (--examples), up to 10 rule calls "
                    "each, no shrinking (--no-shrink); schedule mixed")
    assert "derandomized" not in out and "200" not in head
    code, out, _ = run_cli(["check", "--engine", "hypothesis", "--design", "fixed", "--examples",
                            "6", "--json"], capsys)
    doc = json.loads(out)
    assert doc["hypothesis"]["max_examples_per_round"] == 6 and doc["hypothesis"]["derandomized"]
    assert "derandomized" in doc["hypothesis"]["run"]
