"""The Hypothesis engine's schedules: PCT, swarm, uniform and their mix, each on its own.

Each strategy gets a plan-level test (the plan schedules the run it says) and a
twin: a design the plan breaks, and ``fixed`` that the same plan leaves clean.
Then each strategy runs a small derandomized hunt on its own and catches a
design with it; the default run's promise is in ``properties/test_stateful_defaults.py``.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from gentrace.cli.main import main
from gentrace.model import CANONICAL, build, get_design
from gentrace.stateful.engine import VIOLATED, hunt, pct_bound, resolve_settings
from gentrace.stateful.machine import Schedule, machine_class
from gentrace.stateful.schedules import PCT, SCHEDULES, Swarm, Uniform, plans
from gentrace.stateful.schedules import pct_bound as bound
from hypothesis import given, settings


def system_of(design: str, **bounds: int):  # type: ignore[no-untyped-def]
    return build(get_design(design), replace(CANONICAL, **bounds))


def pct_run(system, plan: PCT) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    """The keys of the steps a PCT plan schedules, up to the first violation, and its bits."""
    sch = Schedule(system)
    s, out = system.initial, []
    for i, t, _ in sch.pct(s, sch.succ(s), plan):
        out.append(system.steps[i].key)
        if sch.viol(t):
            return out, sch.viol(t)
    return out, 0


# -- PCT ------------------------------------------------------------------------------

def test_pct_runs_the_highest_priority_thread_until_it_blocks() -> None:
    system = system_of("fixed")
    keys, bad = pct_run(system, PCT(("A", "R", "W0"), (), ()))
    assert bad == 0
    first_other = next(k for k in keys if not k.startswith("A:"))
    # The advancer runs alone until it has to wait for the reader at the stop.
    assert keys.index(first_other) > 20 and "A:stop.wait-reader" not in keys[:keys.index(first_other)]


def test_a_change_point_drops_the_running_thread_below_the_rest() -> None:
    system = system_of("fixed")
    keys, _ = pct_run(system, PCT(("W0", "A", "R"), (2,), ((0, "W0"),)))
    assert keys[:2] == ["W0:sigprof.deliver", "W0:sigprof.seqlock-take-or-elide"]
    assert keys[2].startswith("A:")


# The handler loads gen, is preempted (change point 1) while the advancer runs two
# advances into the stop, and resumes when the advancer drops (change point 2).
STALLED_HANDLER = PCT(("W0", "A", "R"), (2, 28), ((0, "W0"),))


def test_pct_plan_meets_handler_gen_before_seqlock() -> None:
    system = system_of("handler-gen-before-seqlock")
    keys, bad = pct_run(system, STALLED_HANDLER)
    assert bad >> system.prop_index["sample-generation"] & 1, keys


def test_the_same_pct_plan_leaves_fixed_clean() -> None:
    keys, bad = pct_run(system_of("fixed"), STALLED_HANDLER)
    assert bad == 0 and keys


def test_pct_bound_is_one_over_n_k_to_the_d_minus_one() -> None:
    assert bound(3, 10, 3) == (300, 1 / 300)
    assert bound(4, 50, 2) == (200, 1 / 200)
    doc = pct_bound(system_of("fixed"))
    assert doc["denominator"] == doc["n"] * doc["k"] ** (doc["d"] - 1) and doc["n"] == 3


# -- swarm ---------------------------------------------------------------------------

def test_swarm_moves_only_the_threads_it_enables() -> None:
    system = system_of("fixed")
    m = machine_class(system, schedule="swarm")()
    m.start(Swarm(("A",), (None,), (), None, 0))
    m.run("wrWRaA")
    assert {k.split(":")[0] for k in (system.steps[i].key for i in m.path)} == {"A"}


def test_swarm_stops_a_thread_and_stalls_a_handler() -> None:
    system = system_of("fixed")
    m = machine_class(system, schedule="swarm")()
    m.start(Swarm(("W0", "A"), (0, 3), ("W0",), 1, 0))
    m.sigprof("W0", 0)  # lands; its handler may take one step
    m.run("WWWWAAAA")
    ks = [system.steps[i].key for i in m.path]
    assert ks[:2] == ["W0:sigprof.deliver", "W0:sigprof.seqlock-take-or-elide"]
    # The advancer stops after its three steps, or sooner: the stalled handler holds W0's
    # seqlock, so the advancer's wait for it cannot pass.
    assert [k for k in ks if k.startswith("A:")] == ["A:load-gen", "A:publish"]
    assert len(ks) == 4


def test_swarm_leaves_signals_off_where_no_target_is_enabled() -> None:
    system = system_of("fixed")
    m = machine_class(system, schedule="swarm")()
    m.start(Swarm(("W0",), (None,), (), None, 0))
    m.sigprof("W0", 0)
    assert m.path == []


# -- the plans ---------------------------------------------------------------------

@pytest.mark.parametrize("schedule", SCHEDULES)
def test_every_schedule_draws_plans_of_its_kind(schedule: str) -> None:
    sch = Schedule(system_of("fixed"))
    kinds = {"uniform": (Uniform,), "pct": (PCT,), "swarm": (Swarm,), "mixed": (PCT, Swarm, Uniform)}

    @settings(max_examples=30, derandomize=True, database=None)
    @given(plans(sch.threads, sch.targets, sch.horizon, 1, schedule, stops=sch.own_steps))
    def check(plan: object) -> None:
        assert isinstance(plan, kinds[schedule])
        if isinstance(plan, PCT):
            assert sorted(plan.priorities) == sorted(sch.threads) and len(plan.changes) == 2
            assert len(plan.signals) <= 1
        if isinstance(plan, Swarm):
            assert plan.threads and len(plan.stops) == len(plan.threads)

    check()


def test_an_unknown_schedule_is_refused() -> None:
    with pytest.raises(ValueError):
        plans(["W0"], ["W0"], 10, 1, "fair")
    with pytest.raises(ValueError):
        hunt(system_of("fixed"), schedule="fair")


def test_mixed_draws_every_kind() -> None:
    sch = Schedule(system_of("fixed"))
    seen: set[type] = set()

    @settings(max_examples=60, derandomize=True, database=None)
    @given(plans(sch.threads, sch.targets, sch.horizon, 1, "mixed", stops=sch.own_steps))
    def check(plan: object) -> None:
        seen.add(type(plan))

    check()
    assert seen == {PCT, Swarm, Uniform}


# -- each strategy's hunt on its own ------------------------------------------------

@pytest.mark.parametrize("schedule,design,prop,examples", [
    ("uniform", "handler-waits-for-seqlock", "deadlock-freedom", 60),
    ("pct", "reader-unlocked", "single-reader", 150),
    ("swarm", "cpu-flush-before-m-loop", "single-reader", 60),
    ("mixed", "reader-unlocked", "single-reader", 60),
])
def test_each_schedule_catches_a_design_on_its_own(schedule: str, design: str, prop: str,
                                                   examples: int) -> None:
    s, _, _ = resolve_settings("ci", max_examples=examples, shrink=False)
    res = hunt(system_of(design), props=[prop], settings=s, profile="ci", schedule=schedule)
    assert res.verdicts[prop] == VIOLATED and res.schedule == schedule
    cx = res.findings[prop].counterexample
    assert cx.extra["hypothesis"]["schedule"] == schedule
    # The twin: fixed under the same schedule and budget meets nothing.
    clean = hunt(system_of("fixed"), props=[prop], settings=s, profile="ci", schedule=schedule)
    assert clean.verdicts[prop] != VIOLATED


def test_the_schedule_and_the_pct_bound_are_in_the_header_and_json(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--engine", "hypothesis", "--design", "fixed", "--examples", "5",
                 "--schedule", "pct"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("; schedule pct")
    assert out[1].startswith("PCT: d=3, n=3 threads, k=") and "per PCT run" in out[1]
    assert main(["check", "--engine", "hypothesis", "--design", "fixed", "--examples", "5",
                 "--schedule", "swarm", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["hypothesis"]["schedule"] == "swarm" and "pct" not in doc["hypothesis"]
    assert all(r["stats"]["schedule"] == "swarm" for r in doc["results"])
    assert main(["check", "--engine", "hypothesis", "--design", "fixed", "--examples", "5",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["hypothesis"]["schedule"] == "mixed"
    (p,) = doc["hypothesis"]["pct"]
    assert p["denominator"] == p["n"] * p["k"] ** 2
