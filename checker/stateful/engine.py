"""The Hypothesis stateful engine: sampled runs of the model, shrunk to short stories.

The exhaustive explorer is complete within small bounds; this engine reaches
larger ones (more workers and signals, many generations, the generation counter's
wrap) by sampling runs of the same model and shrinking whatever fails.  The state
machine it runs is built in :mod:`gentrace.stateful.machine` from the model's
interface; nothing of the transition relation is copied.

:func:`hunt` searches one design at one bound.  Each round is one Hypothesis run
that checks every property not found yet; each property raises its own exception
type, so Hypothesis treats them as distinct bugs and shrinks each separately.
Properties found are dropped and the next round looks for the rest.  A failing
run, once Hypothesis has shrunk it, is shortened further by delta debugging on
its concrete steps (:mod:`gentrace.stateful.shrink`), written in the common
counterexample format, and replayed on the concrete model before it is
reported.  A property no example violated is reported as "no violation found in
N examples" (N: runs driven to their end while it was checked), never as holding.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gentrace.core.counterexample import Counterexample
from gentrace.core.explain import explain
from gentrace.core.outcome import NOT_FOUND, Outcome, SearchOutcome
from gentrace.core.replay import replay
from gentrace.model import PROPERTY_NAMES, Bounds, Design, System, build
from gentrace.stateful import profiles, schedules
from gentrace.stateful.machine import (
    VIOLATIONS,
    EngineError,
    PropertyViolation,
    Schedule,
    Tally,
    machine_class,
)
from gentrace.stateful.shrink import minimize
from hypothesis import Phase
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as Settings
from hypothesis.reporting import with_reporter
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

__all__ = ["ENGINE", "VIOLATED", "NOT_FOUND", "EngineError", "PropertyViolation", "VIOLATIONS",
           "Found", "HuntResult", "hunt", "resolve_settings", "StatefulOutcome", "check_design"]

ENGINE = "hypothesis"
VIOLATED, INCOMPLETE = "violated", "incomplete"


@dataclass
class Found:
    """A violation found, shortened and replayed."""

    prop: str
    kind: str
    message: str
    path: list[int]          # after delta debugging: what the counterexample file holds
    shrunk_length: int       # steps of the run Hypothesis shrank to (rules and teardown)
    example: int             # ordinal of the example that first violated the property
    seconds: float           # time from the hunt's start to that example
    round: int               # the hunt's round that reported it (1 = the first)
    program: list[str]       # the falsifying program Hypothesis printed
    blob: str | None         # its @reproduce_failure argument, when printed
    counterexample: Counterexample


@dataclass
class HuntResult:
    system: System
    props: list[str]
    verdicts: dict[str, str]
    findings: dict[str, Found]
    examples: dict[str, int]  # property not found -> runs to the end while it was checked
    tally: Tally
    seconds: float
    rounds: int
    profile: str
    seed: int | None
    derandomized: bool
    interrupted: bool = False  # Ctrl-C stopped the hunt; properties not found are incomplete
    schedule: str = schedules.DEFAULT
    pct: dict[str, Any] | None = None  # PCT's bound for this system, when PCT runs were drawn

    def stats(self) -> dict[str, Any]:
        """The same shape as the other engines' statistics, where it applies.

        ``runs`` counts every run of the model Hypothesis made: generating examples,
        and shrinking and replaying the failures.  ``runs_to_end`` counts those that
        reached their end with no violation, every property checked throughout.
        """
        t = self.tally
        return {
            "runs": t.examples,
            "runs_to_end": t.clean,
            "transitions": t.steps,
            "rounds": self.rounds,
            "seconds": round(self.seconds, 3),
            "examples_per_second": round(t.examples / self.seconds, 1) if self.seconds else 0,
            "runs_crossing_wrap": t.crossed_wrap,
            "profile": self.profile,
            "seed": self.seed,
            "derandomized": self.derandomized,
            "schedule": self.schedule,
            **({"interrupted": True} if self.interrupted else {}),
        }


def resolve_settings(profile: str | None = None, *, max_examples: int | None = None,
                     seed: int | None = None, shrink: bool = True) -> tuple[Settings, str, int | None]:
    """Settings for a hunt from a named profile (default: Hypothesis's current one).

    Returns the settings, the profile's name and the seed.  A random run that uses
    no example database gets a seed drawn here when none is given, so every random
    run records what reproduces it; with a database Hypothesis draws its own, and
    a failure's ``@reproduce_failure`` blob is what reproduces it.  Raises
    KeyError for an unknown profile.
    """
    if profile is not None:
        name, base = profile, profiles.get(profile)
    else:
        name, base = profiles.base_name(), Settings()
    # Hypothesis's explain phase (which arguments could vary without the failure
    # going away) re-runs a shrunk failure hundreds of times; on a run of this model
    # it took three quarters of a hunt's time, and nothing here reads its notes.
    over: dict[str, Any] = {"report_multiple_bugs": True,
                            "phases": [p for p in base.phases if p != Phase.explain]}
    if max_examples is not None:
        over["max_examples"] = max_examples
    if not shrink:
        over["phases"] = [p for p in base.phases if p not in (Phase.shrink, Phase.explain)]
    s = Settings(base, **over)
    if seed is None and not s.derandomize and s.database is None:
        seed = random.SystemRandom().getrandbits(32)
    return s, name, seed


def hunt(system: System, *, props: list[str] | tuple[str, ...] | None = None,
         settings: Settings | None = None, profile: str | None = None,
         seed: int | None = None, max_rounds: int = 100, patience: int = 1,
         until: set[str] | None = None, schedule: str = schedules.DEFAULT) -> HuntResult:
    """Search ``system`` for violations of ``props`` (default: all) with Hypothesis.

    The hunt ends when every property is found, when some property is found and
    every property in ``until`` is (``until=set()``: stop at the first
    violation, whichever it is), after ``max_rounds`` rounds, or after
    ``patience`` rounds in a row that found nothing new.  A fruitless round is
    repeated with fresh examples (a derandomized run would otherwise replay the
    very same ones); properties not found stay checked in every round, so a
    violation of one of them would still be reported.  ``settings`` defaults to
    the active profile's; ``seed`` makes a run random and repeatable (and, as in
    Hypothesis, bypasses the example database).  ``schedule`` is how each run
    interleaves its threads (:data:`~gentrace.stateful.schedules.SCHEDULES`).
    """
    if schedule not in schedules.SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}")
    if settings is None:
        settings, profile, seed = resolve_settings(profile, seed=seed)
    if seed is not None and settings.database is not None:
        # As with Hypothesis's own @seed: a seeded run is the same run every time,
        # which replaying saved examples first would break.
        settings = Settings(settings, database=None)
    profile = profile or profiles.base_name()
    asked = list(props) if props is not None else list(PROPERTY_NAMES)
    for p in asked:
        if p not in system.prop_index:
            raise ValueError(f"unknown property {p!r}")
    todo = list(asked)
    tally = Tally()
    found: dict[str, Found] = {}
    clean: dict[str, int] = {p: 0 for p in todo}
    rounds = fruitless = 0
    interrupted = False
    while todo and rounds < max_rounds and fruitless < patience:
        if until is not None and found and until <= found.keys():
            break
        rounds += 1
        before = tally.clean
        cls = machine_class(system, todo, tally, attempt=fruitless, schedule=schedule)
        if seed is not None:
            cls = hypothesis_seed(_round_seed(seed, rounds))(cls)
        try:
            failures = _run(cls, settings)
        except KeyboardInterrupt:
            # The round's failures are lost with it; what earlier rounds found stays.
            interrupted = True
        for p in todo:
            clean[p] += tally.clean - before
        if interrupted:
            break
        new = {f.prop: f for f in failures if f.prop in todo}
        if not new:
            fruitless += 1
            continue
        fruitless = 0
        for p, f in new.items():
            found[p] = _finish(system, f, tally, seed, profile, settings, rounds, schedule)
        todo = [p for p in todo if p not in found]
    if not interrupted:
        _cross_shorten(system, found, seed)
    verdicts = {p: VIOLATED if p in found else INCOMPLETE if interrupted else NOT_FOUND
                for p in asked}
    return HuntResult(system, asked, verdicts, found,
                      {p: clean[p] for p in asked if p not in found}, tally,
                      time.perf_counter() - tally.t0, rounds, profile, seed,
                      bool(settings.derandomize), interrupted, schedule,
                      pct_bound(system) if schedule in ("mixed", "pct") else None)


def pct_bound(system: System, depth: int = schedules.PCT_DEPTH) -> dict[str, Any]:
    """PCT's probability bound on ``system``: ``n`` threads, ``k`` steps (the fair run's
    length), depth ``d``; a defect of depth ``d`` is met with probability at least
    ``1 / (n k^(d-1))`` per PCT run."""
    sch = Schedule(system)
    n, k = len(sch.threads), sch.horizon
    den, p = schedules.pct_bound(n, k, depth)
    return {"d": depth, "n": n, "k": k, "denominator": den, "probability": p}


def _round_seed(seed: int, round_: int) -> int:
    """The seed of a round: ``seed`` itself first, then one derived from both.

    Not ``seed + round``: hunts from seeds 1 and 2 would then share all but one
    of their rounds.
    """
    if round_ == 1:
        return seed
    digest = hashlib.blake2b(f"{seed}/{round_}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _run(cls: type[RuleBasedStateMachine], settings: Settings) -> list[PropertyViolation]:
    """Run the machine; the violations Hypothesis reports, each already shrunk.

    What Hypothesis would print (how to reproduce a failure in a test, addressed to a
    pytest user) is dropped: a failure's program and blob arrive as the exception's
    notes, and the engine records them in the counterexample.
    """
    try:
        with with_reporter(lambda _text: None):
            run_state_machine_as_test(cls, settings=settings)
    except PropertyViolation as e:
        return [e]
    except BaseExceptionGroup as g:
        matched, rest = g.split(PropertyViolation)
        if rest is not None:
            raise
        return _leaves(matched) if matched is not None else []
    return []


def _leaves(g: BaseExceptionGroup) -> list[PropertyViolation]:
    out: list[PropertyViolation] = []
    for e in g.exceptions:
        if isinstance(e, BaseExceptionGroup):
            out += _leaves(e)
        elif isinstance(e, PropertyViolation):
            out.append(e)
    return out


_BLOB = re.compile(r"@reproduce_failure\((.*?)\) as a decorator")


def _finish(system: System, f: PropertyViolation, tally: Tally, seed: int | None,
            profile: str, settings: Settings, round_: int, schedule: str) -> Found:
    """Shorten, describe and replay one failure Hypothesis reported."""
    notes = [n for n in getattr(f, "__notes__", []) if isinstance(n, str)]
    program = [n for n in notes if n.startswith("state") and n != "state.properties_hold()"]
    blob = next((m.group(1) for n in notes for m in [_BLOB.search(n)] if m), None)
    path, _ = minimize(system, f.path, f.prop, f.kind)
    ex, secs = tally.first.get(f.prop, (tally.examples, time.perf_counter() - tally.t0))
    meta = {
        "profile": profile,
        "schedule": schedule,
        "derandomized": bool(settings.derandomize),
        "reproduce_failure": blob,
        "program": program,
        "shrunk_steps": len(f.path),
        "first_found_at_example": ex,
    }
    message, cx = _package(system, f.prop, f.kind, f.message, path, seed, meta)
    return Found(f.prop, f.kind, message, path, len(f.path), ex, secs, round_, program, blob, cx)


def _package(system: System, prop: str, kind: str, message: str, path: list[int],
             seed: int | None, meta: dict[str, Any]) -> tuple[str, Counterexample]:
    """The counterexample of a shortened path, replayed before it is handed out."""
    if kind != "deadlock":
        s = system.initial
        for i in path:
            s = dict(system.compiled.successors(s))[i]
        message = explain(system, prop, s)
    cx = Counterexample.from_path(system, prop, kind, message, path, engine=ENGINE, seed=seed)
    cx.extra["hypothesis"] = meta
    rp = replay(cx)
    if not rp.reproduced:
        raise EngineError(f"{system.design.name}/{prop}: the shortened counterexample does "
                          f"not replay ({rp.verdict})")
    return message, cx


def _cross_shorten(system: System, found: dict[str, Found], seed: int | None) -> None:
    """Shorten each finding further from the runs that broke the other properties.

    One defect often breaks several properties, each first met in a different
    run; the shortest way to one can pass through another's (see
    :func:`~gentrace.stateful.shrink.minimize`).
    """
    for p, f in list(found.items()):
        others = {q: g.path for q, g in found.items() if q != p}
        if not others:
            continue
        path, _ = minimize(system, f.path, p, f.kind, seeds=list(others.values()))
        if len(path) >= len(f.path):
            continue
        meta = dict(f.counterexample.extra["hypothesis"])
        # Which run it came from is not recorded by minimize; the candidates are named.
        meta["shortened_with_runs_of"] = sorted(others)
        message, cx = _package(system, p, f.kind, f.message, path, seed, meta)
        found[p] = dataclasses.replace(f, path=path, message=message, counterexample=cx)


# -- verdicts for ``gentrace check --engine hypothesis`` ----------------------------


@dataclass
class StatefulOutcome(SearchOutcome):
    """An outcome of the Hypothesis engine: ``violated``, ``not-found`` or ``incomplete``.

    A sample that found nothing matches an expectation of "holds" without
    claiming it: its verdict stays "not-found", with ``examples``, the runs that
    reached their end while the property was checked.  ``incomplete``: Ctrl-C
    stopped the hunt before it could look further.
    """

    examples: int = 0

    @property
    def scope(self) -> str:
        return f"in {self.examples} runs to the end"

    def as_json(self) -> dict[str, Any]:
        doc = super().as_json()
        if self.verdict != VIOLATED:
            doc["examples"] = self.examples
        return doc


def sampling_verdict(rows: list[Outcome]) -> tuple[bool, list[str]]:
    """Whether a sampling run passes, and why not.

    A sample cannot prove that a violation is absent, nor promise to meet every
    rare one.  So a Hypothesis run passes when (a) it found no violation where the
    design is expected to hold, and (b) every design expected to violate something
    was caught violating at least one of its expected properties.  A property it
    did not meet (``nf!`` in the matrix) is reported, and does not fail the run.
    An interrupted design fails it.
    """
    problems: list[str] = []
    by_design: dict[str, list[Outcome]] = {}
    for o in rows:
        if o.engine != ENGINE:
            continue
        by_design.setdefault(o.design.label, []).append(o)
        if o.verdict == VIOLATED and o.expected != VIOLATED:
            problems.append(f"{o.design.label} / {o.prop}: violated, expected {o.expected}")
        if o.verdict == INCOMPLETE:
            problems.append(f"{o.design.label} / {o.prop}: interrupted")
    for label, outs in by_design.items():
        want = [o for o in outs if o.expected == VIOLATED]
        if want and not any(o.verdict == VIOLATED for o in want):
            problems.append(f"{label}: none of its expected violations "
                            f"({', '.join(o.prop for o in want)}) was met")
    return not problems, problems


def check_design(design: Design, bounds: Bounds, *, profile: str | None = None,
                 max_examples: int | None = None, seed: int | None = None,
                 out: Path | None = None, patience: int = 1, shrink: bool = True,
                 schedule: str = schedules.DEFAULT) -> tuple[HuntResult, list[StatefulOutcome]]:
    """Hunt every property of ``design`` at ``bounds`` and compare with expectations."""
    system = build(design, bounds)
    settings, name, seed = resolve_settings(profile, max_examples=max_examples, seed=seed,
                                            shrink=shrink)
    res = hunt(system, settings=settings, profile=name, seed=seed, patience=patience,
               schedule=schedule)
    stats = res.stats()
    outcomes = []
    for p in PROPERTY_NAMES:
        cx, path, n = None, None, 0
        if p in res.findings:
            cx = res.findings[p].counterexample
            if out is not None:
                path = write_counterexample(cx, out, system)
        else:
            n = res.examples[p]
        outcomes.append(StatefulOutcome(design, p, res.verdicts[p], design.expected(p, bounds),
                                        cx, path, stats, ENGINE, examples=n))
    return res, outcomes


def write_counterexample(cx: Counterexample, directory: Path, system: System | None = None) -> Path:
    """Write ``cx`` as goRELEASE--DESIGN--PROPERTY--hypothesis.json (beside the explorer's files)."""
    import json

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{cx.filename().removesuffix('.json')}--{ENGINE}.json"
    path.write_text(json.dumps(cx.to_json(system), indent=1) + "\n")
    return path
