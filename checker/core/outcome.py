"""The result every engine returns for one (design, property): verdict against expectation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gentrace.core.counterexample import Counterexample
from gentrace.model import Design, build


@dataclass
class Outcome:
    design: Design
    prop: str
    verdict: str
    expected: str
    counterexample: Counterexample | None
    file: Path | None
    stats: dict[str, Any]
    engine: str = "explore"
    skipped: str = ""  # the part of the check that was not run, when the verdict is incomplete

    @property
    def matches(self) -> bool:
        return self.verdict == self.expected

    def as_json(self) -> dict[str, Any]:
        sysm = build(self.design, self.counterexample.bounds) if self.counterexample else None
        return {
            "release": self.design.release.name,
            "design": self.design.name,
            "property": self.prop,
            "engine": self.engine,
            "verdict": self.verdict,
            "expected": self.expected,
            "matches": self.matches,
            "counterexample": self.counterexample.to_json(sysm) if self.counterexample else None,
            "counterexample_file": str(self.file) if self.file else None,
            "stats": self.stats,
            **({"skipped": self.skipped} if self.skipped else {}),
        }


NOT_FOUND = "not-found"


def completion(res: Any) -> dict[str, Any]:
    """Whether a search ran to its end, for the statistics: ``complete``, and why not
    (``cut``, ``interrupted``) when it did not.  ``res`` is any engine's result with
    ``complete``, ``cut`` and ``interrupted``."""
    out: dict[str, Any] = {"complete": res.complete}
    if res.cut:
        out["cut"] = res.cut
    if res.interrupted:
        out["interrupted"] = True
    return out


@dataclass
class SearchOutcome(Outcome):
    """An outcome of an engine that can show a violation but never that a property holds.

    Its verdicts are ``violated``, ``not-found`` (nothing met in what it searched) and
    ``incomplete`` (cut short).  ``not-found`` matches an expectation of "holds" (or
    "vacuous") without claiming it; ``summary`` says what was searched.
    """

    @property
    def matches(self) -> bool:
        if self.verdict == NOT_FOUND:
            return self.expected != "violated"
        return self.verdict == self.expected

    @property
    def scope(self) -> str:
        """What was searched, as it completes "no violation found ...": "in 12 runs to the end"."""
        raise NotImplementedError

    @property
    def summary(self) -> str:
        if self.verdict == NOT_FOUND:
            return f"no violation found {self.scope}"
        if self.verdict == "incomplete":
            return f"cut short: no violation found {self.scope}"
        return "violated"

    def as_json(self) -> dict[str, Any]:
        doc = super().as_json()
        doc["summary"] = self.summary
        return doc
