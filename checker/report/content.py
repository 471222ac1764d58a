"""What a report says, in the order a reviewer asks, as blocks (``gentrace.report.blocks``).

1. Summary (five lines), 2. Scope (the model, its abstractions, the properties), 3. the
verdict matrix per release, 4. counterexamples as swimlane diagrams, 5. findings,
6. proofs and lemmas, 7. how to reproduce.  Everything is sorted, and every duration goes
through :func:`~gentrace.report.blocks.secs`, so the same results give the same report
apart from timings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gentrace.core.replay import ReplayError
from gentrace.model import DESIGNS, FINDINGS, NAMED, PROPERTIES, PROPERTY_NAMES, RELEASES, get_design
from gentrace.model.bounds import DOC
from gentrace.report.blocks import Block, Bullets, Cell, Code, Diagram, Fold, Heading, Para, Table, secs
from gentrace.report.findings import paragraphs, shows_command
from gentrace.report.results import Results, Verdict, bounds_key
from gentrace.report.scope import ABSTRACTIONS, COVERS, formulas
from gentrace.report.story import Story, build_story

_NEWEST = list(RELEASES.values())[-1]  # a finding's Go files, as the newest release names them

SHORT = {"sample-generation": "sample-gen", "event-generation": "event-gen", "flush-before-seal": "seal",
         "no-unflushed-at-stop": "unflushed", "sample-conservation": "conserve", "deadlock-freedom": "deadlock",
         "single-reader": "1-reader", "generation-order": "gen-order", "reader-lifetime": "reader-life",
         "locks-balanced": "locks"}
ENGINE_TITLE = {"explore": "explore (exhaustive within the bound)",
                "hypothesis": "hypothesis (sampled runs: never 'holds')",
                "z3": "z3 (bounded model checking: never 'holds')"}


@dataclass
class Inputs:
    """What a report is made of besides the results: how they were made, and the findings' text."""

    commands: list[str] = field(default_factory=list)   # the commands that made the results
    report_command: str = ""                              # the command that made this report
    versions: dict[str, str] = field(default_factory=dict)
    findings_readme: str = ""                             # findings/README.md
    findings_dir: str = "findings"                        # where the report's findings are, from out
    out: str = "report"                                   # the report's directory, for commands
    results: list[str] = field(default_factory=list)      # the --results it read (or out/results)


@dataclass
class Report:
    title: str
    blocks: list[Block]
    stories: list[Story]
    problems: list[str]   # counterexamples that did not replay, named
    # The paste-sized version (summary.md): summary, matrix, each finding with one diagram.
    brief: list[Block] = field(default_factory=list)


def design_order(name: str) -> tuple[int, str]:
    names = list(DESIGNS)
    return (names.index(name) if name in names else len(names), name)


def build(results: Results, inputs: Inputs) -> Report:
    """The whole report from ``results``."""
    stories, problems = _stories(results)
    by_key = {(s.release, s.design, s.prop, s.engine, _bkey(s.bounds)): s for s in stories}
    for s in stories:
        for r in s.also_on:
            by_key.setdefault((r, s.design, s.prop, s.engine, _bkey(s.bounds)), s)
    blocks: list[Block] = [Heading(1, "gentrace: design-review evidence for the tracer's CPU-sample / "
                                      "generation protocol (Go CL 555495)")]
    blocks += _contents()
    blocks += _summary(results, stories, inputs)
    blocks += _scope(results)
    blocks += _matrix(results, by_key)
    blocks += _counterexamples(stories, problems)
    blocks += _findings(results, stories, inputs)
    blocks += _proofs(results)
    blocks += _reproduce(results, inputs)
    brief = [Heading(1, "gentrace: design-review evidence (summary)"),
             Para("The summary of a `gentrace report`: the full report (`report.md`, `index.html`) has "
                  "the model's scope, every counterexample as a diagram with every step's Go reference, "
                  "the proofs and the commands to reproduce it."),
             *_summary(results, stories, inputs), *_matrix(results, {}),
             *_brief_findings(results, stories, inputs)]
    return Report("gentrace report", blocks, stories, problems, brief)


def _brief_findings(results: Results, stories: list[Story], inputs: Inputs) -> list[Block]:
    """Each finding: what it is, one counterexample drawn, its correction's verdicts."""
    out: list[Block] = [_h(4)]
    paras = paragraphs(inputs.findings_readme)
    for f in FINDINGS.values():
        out.append(Heading(3, f"{f.name}: {f.title}", f"finding-{f.name}"))
        out.append(Para(f"**Releases**: {f.releases}. **Where**: {_NEWEST.ref(f.where)}."))
        out += [Para(p) for p in paras.get(f.name, [])[1:2]]
        mine = [s for s in stories if _finding_of(s) == f.name]
        if mine:
            out.append(Diagram(mine[0]))
        out.append(Para(f"Correction: `{f.correction}`"
                        + (f", {DESIGNS[f.correction].summary}." if f.correction in DESIGNS else ".")))
    return out


def _bkey(bounds: dict[str, Any]) -> str:
    return bounds_key(bounds)


# -- the diagrams -----------------------------------------------------------------

def _stories(results: Results) -> tuple[list[Story], list[str]]:
    """One story per counterexample; the same steps on several releases make one story."""
    from gentrace.core.counterexample import CounterexampleError, parse

    cxs: list[tuple[str, Any]] = []
    for v in results.verdicts:
        if v.verdict == "violated" and v.counterexample:
            try:
                cxs.append((f"{v.source} ({v.engine})", parse(v.counterexample, v.source)))
            except CounterexampleError as e:
                cxs.append((v.source, str(e)))
    cxs += [(src, cx) for src, cx, _ in results.counterexamples]
    stories: dict[tuple[Any, ...], Story] = {}
    problems: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for src, cx in cxs:
        if isinstance(cx, str):
            problems.append(cx)
            continue
        key = (cx.release, cx.design, cx.prop, cx.engine, _bkey(cx.bounds.as_dict()),
               repr(cx.steps))
        if key in seen:
            continue
        seen.add(key)
        try:
            st = build_story(cx, [src])
        except ReplayError as e:
            problems.append(f"{src}: {cx.design} on Go {cx.release}, {cx.prop}: does not replay: {e}")
            continue
        sig = (*st.signature(), st.engine)
        if sig in stories:
            first = stories[sig]
            if st.release != first.release and st.release not in first.also_on:
                first.also_on.append(st.release)
            first.sources += [s for s in st.sources if s not in first.sources]
            continue
        stories[sig] = st
    rel = list(RELEASES)
    out = sorted(stories.values(), key=lambda s: (s.design != "fixed", design_order(s.design),
                                                   rel.index(s.release), PROPERTY_NAMES.index(s.prop),
                                                   s.engine, _bkey(s.bounds)))
    # Anchors must be unique within the page.
    used: dict[str, int] = {}
    for s in out:
        n = used.get(s.ident, 0)
        used[s.ident] = n + 1
        if n:
            s.ident = f"{s.ident}-{n + 1}"
    return out, sorted(problems)


def _finding_of(s: Story) -> str:
    """The finding a story of a shipped design shows ("" if none)."""
    if s.design != "fixed":
        return ""
    d = get_design(s.design, s.release)
    for f in FINDINGS.values():
        if f.applies(d) and s.prop in f.violates:
            return f.name
    return ""


# -- 0. contents --------------------------------------------------------------------

SECTIONS = [("summary", "Summary"), ("scope", "Scope: what the model covers and abstracts"),
            ("matrix", "Verdicts per release"), ("counterexamples", "Counterexamples"),
            ("findings", "Findings"), ("proofs", "Proofs and lemmas"), ("reproduce", "How to reproduce")]


def _contents() -> list[Block]:
    return [Bullets([f"[{i}. {t}](#{a})" for i, (a, t) in enumerate(SECTIONS, 1)], ordered=False)]


def _h(k: int) -> Heading:
    a, t = SECTIONS[k]
    return Heading(2, f"{k + 1}. {t}", a)


# -- 1. summary ---------------------------------------------------------------------

def _releases_text(rels: Sequence[str]) -> str:
    return ", ".join(f"go{r}" for r in rels) or "none"


def bound_name(b: str) -> str:
    """A bound's name if it is a named one (``canonical``), else its KEY=VALUE text."""
    named = {bounds_key(v.as_dict()): n for n, v in NAMED.items()}
    return named.get(b, b)


def bound_order(b: str) -> tuple[int, str]:
    names = list(NAMED)
    n = bound_name(b)
    return (names.index(n) if n in names else len(names), b)


def _summary(results: Results, stories: list[Story], inputs: Inputs) -> list[Block]:
    v = results.verdicts
    rels = sorted({x.release for x in v}, key=list(RELEASES).index)
    designs = sorted({x.design for x in v}, key=design_order)
    bounds = sorted({x.bound for x in v}, key=bound_order)
    btext = ", ".join(f"`{bound_name(b)}`" for b in bounds) or "none"
    engines = []
    for e in results.engines():
        extra = ""
        if e == "z3":
            ks = sorted({x.depth for x in v if x.engine == "z3" and x.depth is not None})
            extra = f" (BMC to depth {', '.join(map(str, ks))})" if ks else ""
        engines.append(f"{e}{extra}")
    if results.lemmas:
        engines.append("z3 lemmas")
    if results.proofs:
        engines.append("z3 unbounded proofs")
    if results.runtime:
        engines.append("real Go runtime")
    files = sorted({cx.release for _, cx, _ in results.counterexamples}, key=list(RELEASES).index)
    line1 = (f"**Checked**: {_releases_text(rels)}; {len(designs)} design(s); bound(s) {btext} (section 2); "
             f"engines: {', '.join(engines) or 'none'}; {len(v)} verdicts"
             + (f"; and the findings' counterexample files of {_releases_text(files)}, replayed" if files else "")
             + ".")
    ex = [x for x in v if x.engine == "explore"]

    def on(rs: set[str]) -> str:
        return "every release checked" if set(rels) <= rs and len(rels) > 1 else _releases_text(
            sorted(rs, key=list(RELEASES).index))

    holds: list[str] = []
    for d in ("fixed", "corrected"):
        per = []
        for b in bounds:
            counts: dict[str, set[str]] = {}
            for r in rels:
                rows = [x for x in ex if x.design == d and x.release == r and x.bound == b]
                if rows:
                    n = sum(x.verdict == "holds" for x in rows)
                    vac = sum(x.verdict == "vacuous" for x in rows)
                    counts.setdefault(f"{n}/{len(rows)}" + (f" ({vac} vacuous)" if vac else ""), set()).add(r)
            if counts:
                per.append(f"at `{bound_name(b)}` " + ", ".join(f"{c} on {on(rs)}" for c, rs in counts.items()))
        if per:
            holds.append(f"`{d}` {'; '.join(per)}")
    bad = [x for x in v if x.differs]
    missed = [x for x in v if x.miss]
    other = " other" if missed else ""
    match = (f"all {len(v) - len(missed)}{other} verdicts match the designs' expectations" if not bad else
             f"**{len(bad)} verdict(s) differ from their expectation**: "
             + ", ".join(f"{x.design}@{x.release} {x.prop} ({x.engine}: {x.verdict}, expected {x.expected})"
                         for x in sorted(bad, key=lambda x: x.key)[:6]) + (" ..." if len(bad) > 6 else ""))
    if missed:
        match = (f"{len(missed)} expected violation(s) not reached by sampling or BMC (`nf!`, "
                 f"`none<=K!`: shown by the explorer, not a disagreement); {match}")
    line2 = ("**Holds** (exhaustively, within the bound; properties holding): "
             + (". ".join(holds) if holds else "no exhaustive results") + f". {match[0].upper()}{match[1:]}.")
    # Properties the shipped design violates, grouped by where (bound -> releases).
    where: dict[str, dict[str, set[str]]] = {}
    for x in ex:
        if x.design == "fixed" and x.verdict == "violated":
            where.setdefault(x.prop, {}).setdefault(x.bound, set()).add(x.release)
    groups: dict[str, list[str]] = {}
    for p in PROPERTY_NAMES:
        if p in where:
            text = "; ".join(f"at `{bound_name(b)}` on {on(rs)}" for b, rs in
                             sorted(where[p].items(), key=lambda kv: bound_order(kv[0])))
            groups.setdefault(text, []).append(p)
    viol = "; ".join(f"{', '.join(ps)} ({text})" for text, ps in groups.items())
    mutants = sorted({x.design for x in v if x.design != "fixed" and x.expected == "violated"},
                     key=design_order)
    caught = [d for d in mutants if any(x.design == d and x.verdict == "violated" for x in v)]
    want = [x for x in ex if x.expected == "violated"]
    found = sum(x.verdict == "violated" for x in want)
    line3 = (f"**Violated**: the shipped design `fixed`: {viol or 'nothing at these bounds'}; "
             f"{len(caught)} of {len(mutants)} other designs expected to violate a property were caught"
             + (f" (the explorer found {found} of the {len(want)} expected violations)" if want else "") + "; "
             f"{len(stories)} distinct counterexample(s), each replayed on the model.")
    if results.proofs:
        line4 = "**Proved for runs of any length**: " + _proofs_text(results) + "."
    else:
        lem = results.lemmas
        ok = sum(lm.get("verdict") == lm.get("expected") for lm in lem)
        line4 = ("**Proved for runs of any length**: no such proof is in these results (every verdict "
                 "above is within its bound; see **Left out**)" + (f"; the arithmetic of traceNextGen is proved "
                                                                  f"by z3: {ok} of {len(lem)} lemmas as expected"
                                                                  if lem else "") + ".")
    fl = []
    for f in FINDINGS.values():
        shown = sorted({s.release for s in stories if _finding_of(s) == f.name}
                       | {r for s in stories if _finding_of(s) == f.name for r in s.also_on},
                       key=list(RELEASES).index)
        corr = [x for x in ex if x.design == f.correction]
        corr_ok = corr and all(x.matches for x in corr)
        fl.append(f"[`{f.name}`](#finding-{f.name}) ({f.releases}; "
                  + (f"shown here on {_releases_text(shown)}" if shown else
                     f"not shown by these results: `{shows_command(f)}` shows it")
                  + f"; correction `{f.correction}`"
                  + ("" if not corr else ": as expected" if corr_ok else ": **differs**") + ")")
    line5 = "**Findings**: " + "; ".join(fl) + "."
    lines = [line1, line2, line3, line4, line5]
    left = _left_out(results, inputs)
    if left:
        lines.append("**Left out** (each with the command that adds it): " + "; ".join(left) + ".")
    return [_h(0), Bullets(lines)]


def _proofs_text(results: Results) -> str:
    """The proofs, per design and worker count: what was proved on which releases."""
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    for d, w in sorted({(p.design, str(p.workers)) for p in results.proofs},
                       key=lambda dw: (design_order(dw[0]), dw[1])):
        for r in RELEASES:
            rows = [p for p in results.proofs if p.design == d and str(p.workers) == w and p.release == r]
            if not rows:
                continue
            counts: dict[str, int] = {}
            for p in rows:
                counts[p.verdict] = counts.get(p.verdict, 0) + 1
            text = ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: kv[0] != "proved"))
            text += f" of {len(rows)}" + ("" if len(rows) != len(PROPERTY_NAMES) else " properties")
            groups.setdefault((d, w), {}).setdefault(text, []).append(r)
    parts = []
    for (d, w), by in groups.items():
        who = f"`{d}`" + ("" if w == "None" else f" ({w} worker{'s' if w != '1' else ''})")
        parts.append(who + ": " + "; ".join(f"{t} on {_releases_text(rs)}" for t, rs in by.items()))
    bad = [p for p in results.proofs if p.differs]
    tail = (f" (**{len(bad)} not as expected**: "
            + ", ".join(f"{p.design}@{p.release} {p.prop} {p.verdict}" for p in bad[:4])
            + (" ..." if len(bad) > 4 else "") + ")") if bad else (
        "; every verdict as expected" + ("" if not any(p.verdict == "violated" for p in results.proofs)
                                          else " (each violation shown by a bounded run, replayed)")
        if any(p.expected for p in results.proofs) else "")
    return "; ".join(parts) + tail


def _left_out(results: Results, inputs: Inputs) -> list[str]:
    """What a reviewer might look for and these results do not hold, each with its command."""
    out = []
    checked = [r for r in RELEASES if any(v.release == r for v in results.verdicts)]
    missing = [r for r in RELEASES if r not in checked]
    if results.verdicts and missing:
        out.append(f"the releases {_releases_text(missing)} were not checked (`gentrace report --go all "
                   f"--out {inputs.out}` checks every release: many minutes)")
    rels = ",".join(r for r in RELEASES if r in set(checked) | {p.release for p in results.proofs}) or "all"
    again = " ".join([*(inputs.results or [f"{inputs.out}/results"]), "proofs.json"])
    add = (f"`gentrace prove --unbounded --go {rels} --design fixed,corrected --workers 1,2,3 --json > "
           f"proofs.json`, minutes per design and release, then `gentrace report --results {again} "
           f"--out {inputs.out}`")
    if not results.proofs:
        out.append(f"proofs for runs of any length ({add})")
    else:
        designs = {p.design for p in results.proofs}
        workers = {str(p.workers) for p in results.proofs}
        lacking = [d for d in ("fixed", "corrected") if d not in designs]
        few = [] if "any" in workers else sorted({"1", "2", "3"} - workers)
        what = []
        if lacking:
            what.append("of " + ", ".join(f"`{d}`" for d in lacking)
                        + (" (which of its properties hold for runs of any length: minutes per release)"
                           if "fixed" in lacking else ""))
        if few:
            what.append(f"with {' and '.join(few)} workers")
        if what:
            out.append(f"proofs {' and '.join(what)} ({add})")
    return out


# -- 2. scope -----------------------------------------------------------------------

def _scope(results: Results) -> list[Block]:
    out: list[Block] = [_h(1), Para(COVERS)]
    out.append(Heading(3, "Abstractions, each with its reason", "abstractions"))
    out.append(Table(["what the model abstracts", "why that is sound for these properties"],
                     [[Cell(a), Cell(r)] for a, r in ABSTRACTIONS]))
    out.append(Heading(3, "Properties", "properties"))
    forms = formulas()
    out.append(Table(["property", "in words", "as the engines check it"],
                     [[Cell(f"`{p}`"), Cell(PROPERTIES[p]), Cell(f"`{forms[p]}`" if len(forms[p]) < 160
                                                                  else "(long: see below)")]
                      for p in PROPERTY_NAMES]))
    long = [p for p in PROPERTY_NAMES if len(forms[p]) >= 160]
    if long:
        out.append(Fold("Long formulas (go1.27, canonical bound; program counters by name)",
                        [b for p in long for b in (Para(f"`{p}`:"), Code(forms[p]))]))
    out.append(Para("The formulas are the predicates the explorer and the Z3 engine evaluate, printed from "
                    "the model's own definitions (`model/system.py`) over its state fields. A property that "
                    "is judged at a flush or a write is kept as a sticky ghost bit (`broken.<property>`), "
                    "set by that step; `deadlock-freedom` is also judged on the transition graph (a state "
                    "with no step enabled, or from which no run finishes), which no state formula says."))
    out.append(Heading(3, "Bounds", "bounds"))
    used = sorted({x.bound for x in results.verdicts}, key=bound_order)
    head = ["bound", "meaning"] + [f"`{bound_name(b)}`" if bound_name(b) != b else f"bound {i + 1}"
                                   for i, b in enumerate(used)]
    rows = []
    parsed = [dict(kv.split("=") for kv in b.split()) if "=" in b else {} for b in used]
    for k in DOC:
        rows.append([Cell(f"`{k}`"), Cell(DOC[k])] + [Cell(p.get(k, "?")) for p in parsed])
    out.append(Table(head, rows))
    return out


# -- 3. matrix ----------------------------------------------------------------------

def _cell(x: Verdict, story: Story | None) -> Cell:
    if x.engine == "z3":
        text = {"violated": f"VIOL@{len((x.counterexample or {}).get('steps', []))}",
                "not-found": f"none<={x.depth if x.depth is not None else '?'}"}.get(x.verdict, "incompl")
    elif x.engine == "hypothesis":
        text = {"violated": "VIOL", "not-found": "nf"}.get(x.verdict, "incompl")
    else:
        text = {"holds": "holds", "violated": "VIOL", "vacuous": "vacuous"}.get(x.verdict, "incompl")
    cls = {"violated": "viol", "holds": "ok", "not-found": "nf", "vacuous": "vac"}.get(x.verdict, "inc")
    if not x.matches:
        text += "!"
        cls += " miss" if x.miss else " bad"
    return Cell(text, cls, f"#{story.ident}" if story and x.verdict == "violated" else "")


def _size(rows: list[Verdict]) -> str:
    st = rows[0].stats
    e = rows[0].engine
    if e == "explore":
        more = "" if st.get("complete", True) else f" ({st.get('cut', 'cut short')})"
        return f"{st.get('states', 0):,} states, {st.get('transitions', 0):,} transitions, " \
               f"depth {st.get('max_depth', '?')}, {secs(st.get('seconds'))}{more}"
    if e == "hypothesis":
        return (f"{st.get('runs', '?')} runs ({st.get('runs_to_end', '?')} to the end), "
                f"{st.get('rounds', '?')} round(s), {secs(st.get('seconds'))}")
    if e == "z3":
        return f"{st.get('method', 'bmc')} depth {st.get('k', rows[0].depth)}, {secs(st.get('seconds'))}"
    return secs(st.get("seconds"))


# The matrix legend's words on links; summary.md, whose matrix has none, says where they are.
LINKS = " (it links to its diagram)"
LINKS_BRIEF = " (in report.md and index.html it links to its diagram)"


def _matrix(results: Results, by_key: dict[tuple[str, ...], Story]) -> list[Block]:
    out: list[Block] = [_h(2)]
    if not results.verdicts:
        return out + [Para("No verdicts in these results.")]
    out.append(Para("One table per release, bound and engine: design x property, the observed verdict. "
                    f"`VIOL` a counterexample was found and replays{LINKS}; `holds` the "
                    "whole state space within the bound was explored; `vacuous` explored, but the "
                    "property's situation never arose at this bound; `nf` Hypothesis met no violation in "
                    "its runs (a sample); `none<=K` no violation within K steps (BMC); `incompl` cut short. "
                    "A verdict that differs from the design's expectation is marked `!` (outlined dashed in the "
                    "page: an expected violation that Hypothesis or BMC did not reach). Statistics are "
                    "per design run: states, transitions and depth (explore), runs (hypothesis), depth "
                    "(z3), and seconds."))
    for r in results.releases():
        rows_r = [x for x in results.verdicts if x.release == r]
        if not rows_r:
            continue
        rel = RELEASES[r]
        same = f", the same protocol as go{rel.same_as}" if rel.same_as else ""
        out.append(Heading(3, f"Go {r} ({rel.versions}{same})", f"matrix-{r}"))
        out.append(Para(f"{rel.notes}."))
        for b in sorted({x.bound for x in rows_r}, key=bound_order):
            for e in results.engines():
                rows = [x for x in rows_r if x.bound == b and x.engine == e]
                if not rows:
                    continue
                out.append(Para(f"**{ENGINE_TITLE.get(e, e)}**, bound `{bound_name(b)}`"
                                + (f" (`{b}`)" if bound_name(b) != b else ""), "caption"))
                designs = sorted({x.design for x in rows}, key=design_order)
                idx = {(x.design, x.prop): x for x in rows}
                table = []
                for d in designs:
                    cells = [Cell(f"`{d}`")]
                    for p in PROPERTY_NAMES:
                        x = idx.get((d, p))
                        c = _cell(x, by_key.get((r, d, p, e, b))) if x else Cell("-", "none")
                        c.key = f"{r}|{b}|{e}|{d}|{p}"
                        cells.append(c)
                    mine = [x for x in rows if x.design == d]
                    cells.append(Cell(_size(mine), "stats"))
                    table.append(cells)
                out.append(Table(["design", *[SHORT[p] for p in PROPERTY_NAMES], "statistics"], table,
                                 "matrix"))
                bad = sorted((x for x in rows if x.differs), key=lambda x: x.key)
                for x in bad:
                    out.append(Para(f"`!` {x.design} / {x.prop}: observed {x.verdict}, expected "
                                    f"{x.expected}" + (f" ({x.summary})" if x.summary else ""), "warn"))
                missed = sorted((x for x in rows if x.miss), key=lambda x: x.key)
                if missed:
                    out.append(Para(f"`!` (dashed) {len(missed)} expected violation(s) not reached by this "
                                    "engine, which samples or searches to a depth (not a disagreement: "
                                    "the explorer shows them): "
                                    + ", ".join(f"{x.design} / {x.prop}" for x in missed) + "."))
    if results.notes:
        out.append(Para("Runs cut short: " + "; ".join(results.notes), "warn"))
    return out


# -- 4. counterexamples ---------------------------------------------------------------

def _story_summary(s: Story) -> str:
    also = f" (the same steps on {_releases_text(s.also_on)})" if s.also_on else ""
    return (f"`{s.design}` on go{s.release}{also}: {s.prop}, {len(s.steps)} steps, found by {s.engine}"
            + (f", {s.subject}" if s.subject else ""))


def _counterexamples(stories: list[Story], problems: list[str]) -> list[Block]:
    out: list[Block] = [_h(3)]
    out.append(Para(
        "Each counterexample, replayed on the model, as a swimlane diagram: one lane per M (`W0`... the "
        "workers, `R` the CPU reader goroutine's M, `A` the M running traceAdvance/StopTrace). A SIGPROF "
        "handler runs inside the lane of the M it interrupted (shaded band, steps `sigprof.*`). Changes to "
        "shared state are annotated where they happen (generation, profBuf, trace buffers, seqlock). The "
        "life of the sample or M whose data breaks the property is highlighted from its first step to "
        "the failure (marked ★ where a step touches it); the step after which the property fails is "
        "marked ✗. Runs of steps that change nothing the property depends on are folded; open them to "
        "see every step. Every step names the Go statement it stands for."))
    if not stories:
        out.append(Para("No counterexample in these results."))
    index = [[Cell(f"`{s.design}`"), Cell(_releases_text([s.release, *s.also_on])), Cell(f"`{s.prop}`"),
              Cell(s.engine), Cell(str(len(s.steps))), Cell(s.subject or "-"),
              Cell(("finding " + _finding_of(s)) if _finding_of(s) else "diagram", "", f"#{s.ident}")]
             for s in stories]
    if index:
        out.append(Table(["design", "release(s)", "property", "engine", "steps", "breaks on", "see"], index))
    for s in stories:
        if _finding_of(s):
            continue  # drawn under its finding
        out.append(Fold(_story_summary(s), [Diagram(s)], open=False))
    for p in problems:
        out.append(Para(f"Not drawn: {p}", "warn"))
    return out


# -- 5. findings ----------------------------------------------------------------------

def _findings(results: Results, stories: list[Story], inputs: Inputs) -> list[Block]:
    out: list[Block] = [_h(4)]
    paras = paragraphs(inputs.findings_readme)
    ex = [x for x in results.verdicts if x.engine == "explore"]
    for f in FINDINGS.values():
        out.append(Heading(3, f"{f.name}: {f.title}", f"finding-{f.name}"))
        out.append(Para(f"**Releases**: {f.releases}. **Where**: {_NEWEST.ref(f.where)}."))
        out.append(Bullets([f"`{p}`: {why}" for p, why in f.violates.items()]))
        for p in paras.get(f.name, []) or [f"(no paragraph for {f.name} in {inputs.findings_dir}/README.md)"]:
            out.append(Para(p))
        mine = [s for s in stories if _finding_of(s) == f.name]
        if not mine:
            out.append(Para("No counterexample of this finding in these results.", "warn"))
        drawn: set[str] = set()
        for s in mine:
            if s.prop in drawn:  # the same property on another release: folded
                out.append(Fold(_story_summary(s), [Diagram(s)]))
                continue
            drawn.add(s.prop)
            out.append(Heading(4, _story_summary(s), ""))
            out.append(Diagram(s))
        corr = f.correction
        out.append(Heading(4, f"The correction: `{corr}`", f"correction-{corr}"))
        if corr in DESIGNS:
            out.append(Para(f"{DESIGNS[corr].summary}. Go: {DESIGNS[corr].go}."))
        rows = []
        for d in (corr, "corrected", "fixed"):
            for x_rel in results.releases():
                cells = [x for x in ex if x.design == d and x.release == x_rel]
                for b in sorted({x.bound for x in cells}, key=bound_order):
                    by = {x.prop: x for x in cells if x.bound == b}
                    rows.append([Cell(f"`{d}`"), Cell(f"go{x_rel}"), Cell(f"`{bound_name(b)}`", "stats")]
                                + [_cell(by[p], None) if p in by else Cell("-", "none") for p in PROPERTY_NAMES])
        if rows:
            out.append(Table(["design", "release", "bound", *[SHORT[p] for p in PROPERTY_NAMES]], rows, "matrix"))
        else:
            out.append(Para("No exhaustive verdicts of the correction in these results.", "warn"))
        rt = [r for r in results.runtime if r.get("design") in (corr, "corrected", "fixed")]
        if rt:
            out.append(Para("Real runtime (as `gentrace runtime` reported it), beside the model:"))
            out.append(_runtime_table(rt))
    others = [r for r in results.runtime if r.get("design") not in
              {d for f in FINDINGS.values() for d in (f.correction, "corrected", "fixed")}]
    if others:
        out.append(Heading(3, "Real runtime: other designs", "runtime-other"))
        out.append(_runtime_table(others))
    if not results.runtime:
        out.append(Para("Real-runtime figures: none in these results (give `gentrace runtime --json` "
                        "output with `--results FILE` to show them beside the model's)."))
    return out


def _runtime_table(rows: list[dict[str, Any]]) -> Table:
    """Runtime rows as given (flattened by ``results.flatten_runtime``); durations through secs."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]

    def show(k: str, v: Any) -> str:
        if "seconds" in k:
            return secs(v)
        if isinstance(v, float):
            return f"{v:g}"
        return "-" if v is None else str(v)

    srt = sorted(rows, key=lambda r: (str(r.get("release")), design_order(str(r.get("design"))),
                                      str(r.get("toolchain", ""))))
    return Table(keys, [[Cell(show(k, r.get(k))) for k in keys] for r in srt])


# -- 6. proofs and lemmas --------------------------------------------------------------

def _proofs(results: Results) -> list[Block]:
    out: list[Block] = [_h(5), Heading(3, "Proofs for runs of any length", "unbounded")]
    if results.proofs:
        rows = []
        for p in sorted(results.proofs, key=lambda p: (list(RELEASES).index(p.release)
                                                       if p.release in RELEASES else 99,
                                                       design_order(p.design), p.prop, str(p.workers))):
            invs = "; ".join(f"**{i.get('name', '?')}**: {i.get('reason', '')}" for i in p.invariants) or "-"
            cls = {"proved": "ok", "violated": "viol"}.get(p.verdict, "inc")
            rows.append([Cell(f"go{p.release}"), Cell(f"`{p.design}`"), Cell(p.prop or "all"),
                         Cell("-" if p.workers is None else str(p.workers)), Cell(p.verdict, cls),
                         Cell(p.method), Cell(invs), Cell(secs(p.seconds))])
        out.append(Table(["release", "design", "property", "workers", "verdict", "method", "invariants",
                          "time"], rows))
    else:
        out.append(Para("None in these results: every verdict in this report holds within its bound "
                        "only. Proofs for runs of any length come from `gentrace prove --unbounded --json`; "
                        "give its output with `--results FILE`."))
    out.append(Heading(3, "Lemmas on traceNextGen", "lemmas"))
    lem = results.lemmas
    if not lem:
        out.append(Para("None in these results (`gentrace prove --lemmas --json`)."))
        return out
    out.append(Para("Method: each statement is a z3 query on bit-vectors of the given width (and on the "
                    "integers they hold), proved by showing its negation unsatisfiable; a refutation comes "
                    "with a witness. The variant that wraps to 1 and odd word sizes must be refuted."))
    main = [lm for lm in lem if lm.get("group") != "small-word"]
    out.append(Table(["group", "width", "statement", "verdict", "expected", "witness", "time"],
                     [[Cell(str(lm.get("group"))), Cell(f"{lm.get('width')}-bit"), Cell(str(lm.get("statement"))),
                       Cell(str(lm.get("verdict")), "ok" if lm.get("verdict") == lm.get("expected") else "bad"),
                       Cell(str(lm.get("expected"))),
                       Cell("-" if lm.get("witness") is None else f"gen = {lm['witness']:#x}"
                            if isinstance(lm.get("witness"), int) else str(lm.get("witness"))),
                       Cell(secs(lm.get("seconds")))] for lm in main]))
    small = [lm for lm in lem if lm.get("group") == "small-word"]
    if small:
        even = [lm for lm in small if isinstance(lm.get("width"), int) and lm["width"] % 2 == 0]
        odd = [lm for lm in small if isinstance(lm.get("width"), int) and lm["width"] % 2 == 1]
        ok = sum(lm.get("verdict") == lm.get("expected") for lm in small)
        total = sum(lm.get("seconds", 0) or 0 for lm in small)
        even_ok = "proved" if all(lm.get("verdict") == "proved" for lm in even) else "NOT all proved"
        out.append(Para(f"The small words the model uses stand for the real one: {len(even)} lemmas on every "
                        f"even width ({even_ok}), "
                        f"{len(odd)} on odd widths (the multiple-of-3 facts refuted, as they must be); "
                        f"{ok} of {len(small)} as expected, {secs(total)} in all."))
    return out


# -- 7. reproduce ------------------------------------------------------------------------

def _reproduce(results: Results, inputs: Inputs) -> list[Block]:
    out: list[Block] = [_h(6)]
    if inputs.commands:
        out.append(Para("The results in this report were made by these commands (each prints the JSON "
                        "document the report read; `gentrace report --results FILE...` reads them back):"))
        out.append(Code("\n".join(inputs.commands), "sh"))
    if inputs.report_command:
        out.append(Para("This report was made by:"))
        out.append(Code(inputs.report_command, "sh"))
    out.append(Para(f"Every counterexample replays step by step. The findings' paragraphs and counterexample "
                    f"files are copied into this report's folder `{inputs.findings_dir}/`; from the report's "
                    f"directory (`{inputs.out}`), with any installed gentrace:"))
    out.append(Code(f"gentrace replay {inputs.findings_dir}/", "sh"))
    out.append(Para("The other counterexamples replay once written with `--out DIR` by the command that found "
                    "them (`gentrace check --out DIR ...`, then `gentrace replay DIR`). The explorer shows each "
                    "finding again with `" + "`, `".join(shows_command(f) for f in FINDINGS.values()) + "`."))
    rows = [[Cell(s.name), Cell(s.kind), Cell(s.engine or "-"),
             Cell(f"`{bound_name(bounds_key(s.bounds))}`" if s.bounds else "-"), Cell(s.detail or "-")]
            for s in results.sources]
    if rows:
        out.append(Para("Inputs read:"))
        out.append(Table(["document", "kind", "engine", "bound", "how it was run"], rows))
    seeds = sorted({str(x.stats.get("seed")) for x in results.verdicts
                    if x.engine == "hypothesis" and "seed" in x.stats})
    prof = sorted({f"{x.stats.get('profile')}, " + ("derandomized" if x.stats.get("derandomized") else "random")
                   for x in results.verdicts if x.engine == "hypothesis"})
    if prof:
        out.append(Para(f"Hypothesis: profile {'; '.join(prof)}; seed(s): {', '.join(seeds) or 'none'} "
                        "(a derandomized run makes the same examples every time)."))
    if inputs.versions:
        out.append(Table(["component", "version"], [[Cell(k), Cell(v)] for k, v in sorted(inputs.versions.items())]))
    out.append(Para("Deterministic: the same results give the same report apart from durations, which are "
                    "the only numbers ending in ` s`."))
    return out
