"""Run a design through the explorer and compare each verdict with its expectation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gentrace.core.counterexample import Counterexample
from gentrace.core.outcome import Outcome, completion
from gentrace.explore.search import VIOLATED, ExploreResult, explore
from gentrace.model import PROPERTY_NAMES, Bounds, Design, build


def check_design(design: Design, bounds: Bounds, *, max_states: int | None = None,
                 max_seconds: float | None = None, liveness: bool = True,
                 out: Path | None = None,
                 progress: Callable[[Any], None] | None = None,
                 kernel: str = "auto") -> tuple[ExploreResult, list[Outcome]]:
    """``kernel``: as :func:`~gentrace.explore.search.explore`'s (the compiled kernel by
    default, where it can run)."""
    system = build(design, bounds)
    res = explore(system, max_states=max_states, max_seconds=max_seconds, liveness=liveness,
                  progress=progress, kernel=kernel)
    stats = {**res.stats.as_dict(), **completion(res), "steps_fired": len(res.fired),
             "steps_total": len(system.steps), "steps_never_fired": res.uncovered_steps(),
             "kernel": res.kernel, **({"kernel_note": res.kernel_note} if res.kernel_note else {})}
    outcomes = []
    for p in PROPERTY_NAMES:
        cx, path = None, None
        if res.verdicts[p] == VIOLATED:
            f = res.findings[p]
            cx = Counterexample.from_path(system, p, f.kind, f.message, f.path)
            if out is not None:
                path = cx.write(out, system)
        outcomes.append(Outcome(design, p, res.verdicts[p], design.expected(p, bounds), cx, path,
                                stats, skipped=res.skipped.get(p, "") if res.verdicts[p] == "incomplete" else ""))
    return res, outcomes
