"""Run a design through bounded model checking and compare each verdict with its expectation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gentrace.core.counterexample import Counterexample
from gentrace.core.explain import explain
from gentrace.core.outcome import NOT_FOUND, SearchOutcome, completion
from gentrace.core.replay import replay
from gentrace.model import PROPERTY_NAMES, Bounds, Design, System, build
from gentrace.symbolic.bmc import Progress, bmc
from gentrace.symbolic.relation import Symbolic

ENGINE = "z3"
VIOLATED, INCOMPLETE = "violated", "incomplete"


class EngineError(RuntimeError):
    """The symbolic engine went wrong: a counterexample it found does not replay."""


@dataclass
class BmcOutcome(SearchOutcome):
    """An outcome of bounded model checking: ``violated``, ``not-found`` or ``incomplete``.

    ``not-found``: no violation within ``depth`` steps (every depth up to the one asked
    was decided).  ``incomplete``: a budget or Ctrl-C stopped the search at ``depth``,
    short of the depth asked.  Neither is ever "holds": a violation may lie deeper.
    """

    depth: int = 0

    @property
    def scope(self) -> str:
        return f"within {self.depth} steps"

    @property
    def summary(self) -> str:
        if self.verdict == VIOLATED and self.counterexample:
            return f"violated at depth {len(self.counterexample.steps)}"
        return super().summary

    def as_json(self) -> dict[str, Any]:
        doc = super().as_json()
        doc["depth"] = self.depth
        return doc


def bmc_design(design: Design, bounds: Bounds, k: int, *, max_seconds: float | None = None,
               out: Path | None = None, progress: Progress | None = None) -> tuple[Any, list[BmcOutcome]]:
    """Bounded model checking of every property of ``design`` to depth ``k``."""
    system = build(design, bounds)
    res = bmc(Symbolic(system), k, max_seconds=max_seconds, progress=progress)
    stats: dict[str, Any] = {
        "method": "bmc", "k": k, "depth": res.depth, "seconds": round(res.seconds, 3),
        "seconds_per_depth": [round(t, 3) for t in res.per_depth], **completion(res)}
    outcomes = []
    for p in PROPERTY_NAMES:
        cx, path = None, None
        if p in res.findings:
            f = res.findings[p]
            cx = package(system, p, f.kind, f.path, k)
            verdict = VIOLATED
            if out is not None:
                path = write_counterexample(cx, out, system)
        else:
            verdict = NOT_FOUND if res.complete else INCOMPLETE
        outcomes.append(BmcOutcome(design, p, verdict, design.expected(p, bounds), cx, path, stats,
                                   ENGINE, depth=max(res.depth, 0)))
    return res, outcomes


def package(system: System, prop: str, kind: str, path: list[int], k: int) -> Counterexample:
    """The counterexample of a path BMC found, replayed on the concrete model first."""
    s = system.initial
    for n, i in enumerate(path, 1):
        t = system.apply(s, i)
        if t is None:
            raise EngineError(f"{system.design.label}/{prop}: BMC's step {n} "
                              f"({system.steps[i].key}) is not enabled on the concrete model")
        s = t
    if kind == "deadlock":
        message = "deadlock: no step is enabled but " + "; ".join(system.stuck_threads(s))
    else:
        message = explain(system, prop, s)
    cx = Counterexample.from_path(system, prop, kind, message, path, engine=ENGINE)
    cx.extra["bmc"] = {"k": k, "depth": len(path)}
    rp = replay(cx)
    if not rp.reproduced:
        raise EngineError(f"{system.design.label}/{prop}: the counterexample BMC found does not "
                          f"replay ({rp.verdict})")
    return cx


def write_counterexample(cx: Counterexample, directory: Path, system: System | None = None) -> Path:
    """Write ``cx`` as goRELEASE--DESIGN--PROPERTY--z3.json (beside the other engines' files)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{cx.filename().removesuffix('.json')}--{ENGINE}.json"
    path.write_text(json.dumps(cx.to_json(system), indent=1) + "\n")
    return path
