"""The tables and closing lines the ``check`` command prints, for either engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gentrace.model import PROPERTY_NAMES, Bounds

SHORT = {
    "sample-generation": "sample-gen",
    "event-generation": "event-gen",
    "flush-before-seal": "seal",
    "no-unflushed-at-stop": "unflushed",
    "sample-conservation": "conserve",
    "deadlock-freedom": "deadlock",
    "single-reader": "1-reader",
    "generation-order": "gen-order",
    "reader-lifetime": "reader-life",
    "locks-balanced": "locks",
}


def print_table(designs: list[Any], bounds: Bounds, rows: list[Any], last: str,
                cell: Callable[[Any], str], size: Callable[[int], str]) -> None:
    """The bounds, then per release design x property cells (``cell(outcome)``) and ``size(k)``."""
    w = max(len(d.name) for d in designs) + 2
    print(f"bounds: {' '.join(f'{k}={v}' for k, v in bounds.as_dict().items())}")
    head = "design".ljust(w) + "".join(SHORT[p].ljust(12) for p in PROPERTY_NAMES) + last
    by = {(o.design.label, o.prop): o for o in rows}
    release = None
    for k, d in enumerate(designs):
        if d.release != release:
            release = d.release
            same = f", the same protocol as {release.same_as}" if release.same_as else ""
            print()
            print(f"Go {release.name} ({release.versions}{same})")
            print(head)
            print("-" * len(head) + "-" * 14)
        print(d.name.ljust(w) + "".join(cell(by[(d.label, p)]).ljust(12) for p in PROPERTY_NAMES)
              + size(k))


def print_columns(head: list[str], rows: list[list[str]], gap: int = 2) -> None:
    """A table whose columns are as wide as their widest cell, with ``gap`` spaces between."""
    widths = [max(len(r[c]) for r in [head, *rows]) for c in range(len(head))]

    def line(cells: list[str]) -> str:
        return "".join(v.ljust(w + gap) for v, w in zip(cells[:-1], widths, strict=False)) + cells[-1]

    print(line(head))
    print("-" * (sum(widths) + gap * (len(widths) - 1)))
    for r in rows:
        print(line(r))


def print_mismatches(rows: list[Any], observed: Any, all_match: str) -> None:
    """List the outcomes that differ from their expectation (``observed(o)`` says what was seen)."""
    bad = [o for o in rows if not o.matches]
    if not bad:
        print(all_match)
        return
    print("'!' marks a verdict that differs from the design's expectation:")
    for o in bad:
        print(f"  {o.design.label} / {o.prop}: {observed(o)}, expected {o.expected}")


def print_interrupted(why: str, designs: list[Any], k: int) -> None:
    """The last lines of a run that Ctrl-C stopped in design ``k``: what finished, what did not."""
    rest = designs[k + 1:]
    print()
    print(f"Interrupted (Ctrl-C): {why}. {k} of {len(designs)} design(s) checked in full"
          + (f"; not run: {', '.join(d.label for d in rest)}" if rest else "") + ".")
