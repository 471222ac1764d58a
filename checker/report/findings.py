"""The findings a report shows: their paragraphs (``findings/README.md``), the committed
counterexamples that show them, and what a report needs of both.

The findings themselves are data (``gentrace.model.findings``); the README and the
counterexample files ship as package data (``gentrace.findings``).  A report without a
finding's paragraph, or without a committed counterexample of a property a finding breaks,
would show less than the findings are, so :func:`problems` names what is missing and the
command refuses to write such a report.
"""

from __future__ import annotations

import re
from typing import Any

from gentrace.core.counterexample import FORMAT, CounterexampleError, parse
from gentrace.model import DESIGNS, FINDINGS, NAMED, RELEASES, get_design
from gentrace.model.findings import Finding

# The named bounds tried, cheapest first, for the bound that shows a finding.
FINDING_BOUNDS = ("canonical", "ring", "large")


def paragraphs(readme: str) -> dict[str, list[str]]:
    """findings/README.md's section per finding, as paragraphs (``## name (...)`` headings)."""
    out: dict[str, list[str]] = {}
    for part in re.split(r"^## ", readme, flags=re.M)[1:]:
        head, _, body = part.partition("\n")
        if not head.split():
            continue
        name = head.split()[0]
        out[name] = [" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip()]
    return out


def releases_of(f: Finding) -> list[str]:
    """The releases whose shipped design (``fixed``) keeps the finding's defective code."""
    return [r for r in RELEASES if "fixed" in DESIGNS and f.applies(get_design("fixed", r))]


def bound_of(f: Finding) -> str:
    """The cheapest named bound at which the finding breaks one of its properties."""
    for b in FINDING_BOUNDS:
        if any(f.shows(p, NAMED[b]) for p in f.violates):
            return b
    return FINDING_BOUNDS[-1]


def shows_command(f: Finding) -> str:
    """A command that shows the finding: the explorer on its releases at its bound."""
    rels = releases_of(f)
    go = "all" if rels == list(RELEASES) else ",".join(rels)
    return (f"gentrace check --go {go} --design fixed,{f.correction} "
            f"--bound {bound_of(f)}")


def problems(readme: str, files: list[tuple[str, Any]]) -> list[str]:
    """What the findings' README and counterexample files (name, parsed JSON) lack for a report:
    a finding without a paragraph, a property a finding breaks without a committed
    counterexample of the shipped design on one of the finding's releases, or a file that is
    not a counterexample.  Empty when nothing is missing."""
    out: list[str] = []
    shown: set[tuple[str, str]] = set()  # (finding, property) with a counterexample
    for name, doc in files:
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            out.append(f"{name} is not a counterexample file (format {FORMAT})")
            continue
        try:
            cx = parse(doc, name)
        except CounterexampleError as e:
            out.append(str(e))
            continue
        if cx.design != "fixed" or cx.release not in RELEASES:
            continue
        for f in FINDINGS.values():
            if cx.prop in f.violates and f.applies(get_design("fixed", cx.release)):
                shown.add((f.name, cx.prop))
    paras = paragraphs(readme)
    for f in FINDINGS.values():
        if not paras.get(f.name):
            out.append(f"README.md has no paragraph for the finding {f.name} (a section '## {f.name} ...')")
        for p in f.violates:
            if (f.name, p) not in shown:
                out.append(f"no committed counterexample of the finding {f.name} breaking {p} (a "
                           f"counterexample of design fixed on go{', go'.join(releases_of(f))})")
    return out
