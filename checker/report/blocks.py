"""The report as blocks, between its content and its two renderings (HTML and Markdown).

Text in a block may use three inline marks, which both renderers understand: ```code```,
``**bold**`` and ``[text](#anchor)``.  Every duration is a :class:`Secs` inside text
(rendered by :func:`secs`), so timings sit in one recognisable form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gentrace.report.story import Story

# Every duration in a report has this form, and nothing else does: "12.3 s" (one decimal).
TIMING = re.compile(r"\b\d[\d,]*\.\d s\b")


def secs(x: Any) -> str:
    """A duration as every report shows it (see TIMING); "?" when unknown."""
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return "? s"
    return f"{x:,.1f} s"


def without_timings(text: str) -> str:
    """The text with every duration replaced by ``T``: what must not differ between two runs."""
    return TIMING.sub("T", text)


@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass
class Para:
    text: str
    cls: str = ""


@dataclass
class Bullets:
    items: list[str]
    ordered: bool = False


@dataclass
class Cell:
    text: str
    cls: str = ""
    link: str = ""   # an anchor in the report
    key: str = ""    # what the cell stands for, for a checker of the page (HTML: data-key)


@dataclass
class Table:
    head: list[str]
    rows: list[list[Cell]]
    cls: str = ""


@dataclass
class Code:
    text: str
    lang: str = ""


@dataclass
class Fold:
    """Content a reader opens on demand (``<details>``)."""

    summary: str
    blocks: list[Any] = field(default_factory=list)
    open: bool = False


@dataclass
class Diagram:
    story: Story


Block = Heading | Para | Bullets | Table | Code | Fold | Diagram
