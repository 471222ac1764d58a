"""The report as GitHub-flavoured Markdown, for an issue or a CL description.

A counterexample becomes a Mermaid ``sequenceDiagram``: a participant per M, each step a
message from the M to itself, shared-state changes as ``Note over``, a SIGPROF handler's
steps inside a ``rect`` (the handler drawn inside the lane of the M it interrupted), the
sample's life marked ★ and the failing step ✗; folded runs are one note.  Below it, a
folded table lists every step with its Go reference, as text.
"""

from __future__ import annotations

import re

from gentrace.report.blocks import Block, Bullets, Cell, Code, Diagram, Fold, Heading, Para, Table
from gentrace.report.content import LINKS, LINKS_BRIEF, Report
from gentrace.report.story import Step, Story

HANDLER_RECT = "rgba(255, 200, 140, 0.35)"
# Characters Mermaid would read as syntax, as its entity codes.
_ENTITY = {"#": "#35;", ";": "#59;", ":": "#58;", "<": "#lt;", ">": "#gt;"}


def render(report: Report) -> str:
    """report.md: every section, every diagram with its table of steps."""
    out = [_block(b) for b in report.blocks]
    return "\n\n".join(x for x in out if x) + "\n"


def render_brief(report: Report) -> str:
    """summary.md: the paste-sized version (GitHub takes at most 65,536 characters in an issue
    or a comment): summary, matrix without links, each finding with one diagram and no table."""
    out = []
    for b in report.brief:
        if isinstance(b, Table):
            b = Table(b.head, [[Cell(c.text, c.cls) for c in r] for r in b.rows], b.cls)
        elif isinstance(b, Para) and LINKS in b.text:
            b = Para(b.text.replace(LINKS, LINKS_BRIEF), b.cls)
        out.append(diagram(b.story, steps=False) if isinstance(b, Diagram) else _block(b))
    return "\n\n".join(x for x in out if x) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _link(c: Cell) -> str:
    return f"[{c.text}]({c.link})" if c.link else c.text


def _block(b: Block) -> str:
    if isinstance(b, Heading):
        anchor = f'<a id="{b.anchor}"></a>\n' if b.anchor else ""
        return f"{anchor}{'#' * b.level} {b.text}"
    if isinstance(b, Para):
        return b.text
    if isinstance(b, Bullets):
        mark = "1." if b.ordered else "-"
        return "\n".join(f"{mark} {i}" for i in b.items)
    if isinstance(b, Table):
        lines = ["| " + " | ".join(_cell(h) for h in b.head) + " |",
                 "|" + "|".join("---" for _ in b.head) + "|"]
        for r in b.rows:
            lines.append("| " + " | ".join(_cell(_link(c)) for c in r) + " |")
        return "\n".join(lines)
    if isinstance(b, Code):
        return f"```{b.lang}\n{b.text}\n```"
    if isinstance(b, Fold):
        inner = "\n\n".join(x for x in (_block(y) for y in b.blocks) if x)
        return (f"<details{' open' if b.open else ''}>\n<summary>{_plain(b.summary)}</summary>\n\n"
                f"{inner}\n\n</details>")
    if isinstance(b, Diagram):
        return diagram(b.story)
    raise TypeError(f"unknown block {b!r}")


def _plain(text: str) -> str:
    """Inline marks as HTML, for the text of a <summary> (where Markdown is not rendered)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"`([^`]*)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)


def _m(text: str) -> str:
    """Text made safe inside a Mermaid message or note."""
    text = text.replace("->", "→")
    return "".join(_ENTITY.get(ch, ch) for ch in text)


def _msg(story: Story, st: Step) -> str:
    mark = ""
    if st.subject and story.subject:
        mark = "★ "
    if st.fails:
        mark = "✗ " + mark
    return _m(f"{mark}{st.n} {st.name}")


def diagram(story: Story, steps: bool = True) -> str:
    """The counterexample as a Mermaid sequence diagram and (``steps``) a folded table of its steps."""
    lines = ["```mermaid", "sequenceDiagram"]
    for lane in story.lanes:
        lines.append(f"    participant {lane} as {_m(story.lane_titles[lane].replace(': ', ' - '))}")
    in_handler = ""
    for seg in story.segments:
        if seg.collapsed:
            if in_handler:
                lines.append("    end")
                in_handler = ""
            lanes = sorted({s.lane for s in seg.steps}, key=story.lanes.index)
            span = f"{story.lanes[0]},{story.lanes[-1]}" if len(story.lanes) > 1 else story.lanes[0]
            what = (f"steps {seg.steps[0].n} to {seg.steps[-1].n} ({len(seg.steps)} steps of "
                    f"{', '.join(lanes)}) change nothing {story.prop} depends on"
                    + (": see the table below" if steps else ""))
            lines.append(f"    Note over {span}: {_m(what)}")
            continue
        for st in seg.steps:
            want = st.lane if st.handler else ""
            if want != in_handler:
                if in_handler:
                    lines.append("    end")
                if want:
                    lines.append(f"    rect {HANDLER_RECT}")
                    lines.append(f"    Note over {want}: {_m('SIGPROF handler on ' + want)}")
                in_handler = want
            lines.append(f"    {st.lane}->>{st.lane}: {_msg(story, st)}")
            notes = [t for _, t in st.shared]
            if notes:
                lines.append(f"    Note right of {st.lane}: {_m(', '.join(notes))}")
            if st.fails:
                lines.append(f"    Note over {st.lane}: {_m(story.prop + ' fails here')}")
            if st.handler and st.lane not in st.handlers_active:
                lines.append("    end")  # the handler returned
                in_handler = ""
    if in_handler:
        lines.append("    end")
    lines.append("```")
    also = f" (the same steps on {', '.join('go' + r for r in story.also_on)})" if story.also_on else ""
    head = (f"**{story.design}** on Go {story.release}{also}: **{story.prop}** ({story.kind}), "
            f"{len(story.steps)} steps, found by {story.engine}; bounds "
            f"`{' '.join(f'{k}={v}' for k, v in story.bounds.items())}`"
            + (f"; ★ marks the steps that touch {story.subject}" if story.subject else "")
            + f"; ✗ the step after which the property fails.\n\n"
              f"{'REPRODUCED' if story.reproduced else 'NOT REPRODUCED'}: {story.verdict}")
    rows = ["| # | M | step | shared state | other changes | Go |", "|---|---|---|---|---|---|"]
    for st in story.steps:
        mark = ("✗ " if st.fails else "") + ("★ " if st.subject and story.subject else "")
        name = f"{mark}`{st.name}`" + (" (SIGPROF)" if st.handler else "")
        rows.append("| " + " | ".join(_cell(x) for x in (
            str(st.n), st.lane, name, ", ".join(f"`{t}`" for _, t in st.shared),
            ", ".join(st.private), st.go)) + " |")
    table = ("<details>\n<summary>Every step, with its Go reference</summary>\n\n" + "\n".join(rows)
             + "\n\n</details>")
    if not steps:
        return f"{head}\n\n" + "\n".join(lines)
    return f'<a id="{story.ident}"></a>\n{head}\n\n' + "\n".join(lines) + "\n\n" + table
