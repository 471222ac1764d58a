"""The report as one self-contained HTML page: inline CSS and SVG, no script, no network.

A counterexample is drawn as a swimlane diagram: a header of lanes (one per M), then one
row per step.  Each row's left cell is an SVG of the lanes (a vertical line per M, the
SIGPROF handler's band inside the lane of the M it interrupted, a mark on the lane that
steps); its right cell is text: the step, the shared state it changed, its other changes
and its Go reference.  A folded run of steps is a ``<details>`` element whose summary
row draws the lanes dashed; it opens without script.
"""

from __future__ import annotations

import html
import re

from gentrace.report.blocks import Block, Bullets, Cell, Code, Diagram, Fold, Heading, Para, Table
from gentrace.report.content import Report
from gentrace.report.story import CATEGORIES, Segment, Step, Story

LANE_W = 92     # px per lane
ROW_MIN = 34    # px: the least height of a step row

CSS = """
:root{--ink:#1d2330;--mute:#5b6475;--line:#c9cfda;--ok:#dff3e4;--viol:#fde2e1;--bad:#b00020;
--nf:#eef1f6;--hand:#ffe3c2;--life:#fff4cc;--lifeb:#e0a800;--fail:#ffd6d6}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;
background:#fafbfc}
main{max-width:1180px;margin:0 auto;padding:20px 28px 60px;background:#fff}
h1{font-size:22px;margin:8px 0 12px}h2{font-size:19px;margin:34px 0 8px;border-bottom:2px solid #e3e7ee;
padding-bottom:4px}h3{font-size:16px;margin:22px 0 6px}h4{font-size:14px;margin:16px 0 4px}
code{font:12.5px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f3f7;
padding:0 3px;border-radius:3px}
pre{background:#f5f7fa;border:1px solid #e3e7ee;padding:8px 10px;overflow-x:auto;white-space:pre-wrap;
word-break:break-all}pre code{background:none;padding:0}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #dde2ea;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}
table.matrix td{text-align:center;white-space:nowrap}table.matrix td:first-child{text-align:left}
td.ok{background:var(--ok)}td.viol{background:var(--viol)}td.nf,td.vac{background:var(--nf)}
td.inc{background:#fff1c9}td.bad{outline:2px solid var(--bad);font-weight:700;color:var(--bad)}
td.miss{outline:2px dashed #c98a00;outline-offset:-3px}
td.stats{text-align:left!important;color:var(--mute);font-size:12px;white-space:normal!important;
min-width:12em}
.tw{overflow-x:auto;max-width:100%}
td a{color:inherit}
p.caption{margin:14px 0 2px}p.warn{color:var(--bad)}
details.fold>summary{cursor:pointer;margin:6px 0;font-weight:500}
figure.sw{margin:10px 0 22px;border:1px solid #dde2ea;border-radius:6px;padding:0 0 4px}
figure.sw figcaption{padding:8px 10px;background:#f6f8fb;border-bottom:1px solid #dde2ea}
.sw-head,.st,.sw-run>summary{display:grid;grid-template-columns:var(--lw) 1fr}
.sw-head{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);z-index:1}
.sw-head .tx{padding:6px 8px;color:var(--mute);font-size:12px}
.ln{position:relative;min-height:34px}
.ln svg{position:absolute;left:0;top:0;height:100%;display:block}
.st .tx{padding:4px 8px 6px;border-top:1px solid #eef0f4;font-size:12.5px}
.st.life{background:linear-gradient(90deg,transparent 0,var(--life) 0)}
.st.life .tx{border-left:4px solid var(--lifeb)}
.st.fail{background:var(--fail)}.st.fail .tx{border-left:4px solid var(--bad)}
.n{display:inline-block;min-width:2.2em;color:var(--mute);font-variant-numeric:tabular-nums}
.m{font-weight:700}.hs{color:#a65200;font-size:11px;font-weight:600}
.chg{display:inline-block;margin:1px 3px 1px 0;padding:0 4px;border-radius:3px;font:12px ui-monospace,
Menlo,Consolas,monospace}
.c-generation{background:#dbe8ff}.c-profBuf{background:#ffe0c7}.c-trace-buffers{background:#dcf3e2}
.c-seqlock{background:#ece0ff}
.priv{color:var(--mute);font:11.5px ui-monospace,Menlo,Consolas,monospace}
.go{color:#254a7a;font:11.5px ui-monospace,Menlo,Consolas,monospace}
.tag{display:inline-block;padding:0 5px;border-radius:8px;font-size:11px;font-weight:700;margin-left:4px}
.tag.touch{background:var(--lifeb);color:#fff}.tag.fails{background:var(--bad);color:#fff}
.sw-run>summary{cursor:pointer;list-style:none;background:#f7f8fa}
.sw-run>summary::-webkit-details-marker{display:none}
.sw-run>summary .tx{padding:5px 8px;color:var(--mute);font-style:italic;border-top:1px dashed var(--line)}
.sw-run[open]>summary .tx::before{content:"\\25BE  "}.sw-run>summary .tx::before{content:"\\25B8  "}
.legend span{margin-right:10px}
.verdict{margin-top:4px}
"""


def _inline(text: str) -> str:
    """Escape ``text`` and turn its inline marks into HTML (``code``, **bold**, [t](#a))."""
    out = []
    for k, part in enumerate(re.split(r"`([^`]*)`", text)):
        if k % 2:
            out.append(f"<code>{html.escape(part)}</code>")
            continue
        s = html.escape(part, quote=False)
        s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
        s = re.sub(r"\[([^\]]+)\]\((#[\w.-]+)\)", r'<a href="\2">\1</a>', s)
        out.append(s)
    # A link whose text is code: [`x`](#a) was split at the backticks.
    joined = "".join(out)
    return re.sub(r"\[(<code>[^<]*</code>)\]\((#[\w.-]+)\)", r'<a href="\2">\1</a>', joined)


def render(report: Report) -> str:
    """The page."""
    body = "\n".join(_block(b) for b in report.blocks)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(report.title)}</title>\n<style>{CSS}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def _block(b: Block) -> str:
    if isinstance(b, Heading):
        anchor = f' id="{html.escape(b.anchor)}"' if b.anchor else ""
        return f"<h{b.level}{anchor}>{_inline(b.text)}</h{b.level}>"
    if isinstance(b, Para):
        cls = f' class="{b.cls}"' if b.cls else ""
        return f"<p{cls}>{_inline(b.text)}</p>"
    if isinstance(b, Bullets):
        tag = "ol" if b.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in b.items) + f"</{tag}>"
    if isinstance(b, Table):
        cls = f' class="{b.cls}"' if b.cls else ""
        head = "".join(f"<th>{_inline(h)}</th>" for h in b.head)
        rows = "".join("<tr>" + "".join(_td(c) for c in r) + "</tr>\n" for r in b.rows)
        return (f'<div class="tw"><table{cls}><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody>'
                "</table></div>")
    if isinstance(b, Code):
        return f"<pre><code>{html.escape(b.text)}</code></pre>"
    if isinstance(b, Fold):
        inner = "\n".join(_block(x) for x in b.blocks)
        return (f"<details class=\"fold\"{' open' if b.open else ''}><summary>{_inline(b.summary)}</summary>\n"
                f"{inner}\n</details>")
    if isinstance(b, Diagram):
        return diagram(b.story)
    raise TypeError(f"unknown block {b!r}")


def _td(c: Cell) -> str:
    cls = f' class="{c.cls}"' if c.cls else ""
    if c.key:
        cls += f' data-key="{html.escape(c.key)}"'
    text = _inline(c.text)
    if c.link:
        text = f'<a href="{html.escape(c.link)}">{text}</a>'
    return f"<td{cls}>{text}</td>"


# -- the swimlane diagram ------------------------------------------------------------

def _x(story: Story, lane: str) -> int:
    return story.lanes.index(lane) * LANE_W + LANE_W // 2


def _lanes_svg(story: Story, step: Step | None, before: tuple[str, ...], dashed: bool = False) -> str:
    """The lanes beside one row: lines, handler bands, and the stepping M's mark."""
    w = LANE_W * len(story.lanes)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="100%" '
             f'role="img" aria-label="lanes">']
    bands = set(before) | (set(step.handlers_active) if step else set())
    if step is not None and step.handler:
        bands.add(step.lane)
    for lane in story.lanes:
        x = _x(story, lane)
        if lane in bands:
            parts.append(f'<rect x="{x - 16}" y="0" width="32" height="100%" fill="#ffe3c2" '
                         'stroke="#f0b27a" stroke-width="1"/>')
        dash = ' stroke-dasharray="3 4"' if dashed else ""
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="100%" stroke="#9aa4b5" stroke-width="2"{dash}/>')
    if step is not None:
        x = _x(story, step.lane)
        color = "#b00020" if step.fails else ("#a65200" if step.handler else "#2f5fb3")
        if step.in_life:
            parts.append('<line x1="4" y1="0" x2="4" y2="100%" stroke="#e0a800" stroke-width="6"/>')
        if step.fails:
            parts.append(f'<path d="M{x - 8} 8 L{x + 8} 24 M{x + 8} 8 L{x - 8} 24" stroke="{color}" '
                         'stroke-width="4"/>')
        elif step.subject:
            parts.append(f'<polygon points="{_star(x, 16)}" fill="#e0a800" stroke="#7a5a00"/>')
        else:
            parts.append(f'<circle cx="{x}" cy="16" r="7" fill="{color}"/>')
        if step.shared:
            # A tick toward the right: this step changed shared state (annotated in the text).
            parts.append(f'<line x1="{x + 9}" y1="16" x2="{w}" y2="16" stroke="{color}" '
                         'stroke-width="1.5" stroke-dasharray="2 2"/>')
    parts.append("</svg>")
    return "".join(parts)


def _star(cx: int, cy: int) -> str:
    import math

    pts = []
    for k in range(10):
        r = 9 if k % 2 == 0 else 4
        a = math.pi / 2 + k * math.pi / 5
        pts.append(f"{cx + r * math.cos(a):.1f},{cy - r * math.sin(a):.1f}")
    return " ".join(pts)


def _row(story: Story, st: Step, before: tuple[str, ...]) -> str:
    cls = "st" + (" life" if st.in_life else "") + (" fail" if st.fails else "")
    hs = ' <span class="hs">SIGPROF handler on ' + html.escape(st.lane) + "</span>" if st.handler else ""
    tags = ""
    if st.subject and story.subject:
        tags += f'<span class="tag touch">★ {html.escape(story.subject)}</span>'
    if st.fails:
        tags += f'<span class="tag fails">✗ {html.escape(story.prop)} fails here</span>'
    shared = "".join(f'<span class="chg c-{c.replace(" ", "-")}" title="{html.escape(c)}">'
                     f"{html.escape(t)}</span>" for c, t in st.shared)
    priv = f'<div class="priv">{html.escape(", ".join(st.private))}</div>' if st.private else ""
    return (f'<div class="{cls}" id="{story.ident}-s{st.n}"><div class="ln">{_lanes_svg(story, st, before)}</div>'
            f'<div class="tx"><span class="n">{st.n}</span><span class="m">{html.escape(st.lane)}</span> '
            f"<code>{html.escape(st.name)}</code>{hs}{tags}"
            f'<div>{shared}</div>{priv}<div class="go">go: {html.escape(st.go)}</div></div></div>')


def _run_summary(story: Story, seg: Segment) -> str:
    lanes = sorted({s.lane for s in seg.steps}, key=story.lanes.index)
    a, b = seg.steps[0].n, seg.steps[-1].n
    return (f"steps {a} to {b}: {len(seg.steps)} steps of {', '.join(lanes)} that change nothing "
            f"{story.prop} depends on (click to show)")


def diagram(story: Story) -> str:
    """One counterexample as a swimlane figure."""
    w = LANE_W * len(story.lanes)
    head_svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="46" role="img" '
                f'aria-label="lanes: {" ".join(story.lanes)}">']
    for lane in story.lanes:
        x = _x(story, lane)
        title = html.escape(story.lane_titles[lane])
        head_svg.append(f'<rect x="{x - 38}" y="6" width="76" height="24" rx="4" fill="#e8eef9" '
                        f'stroke="#7d8fb3"><title>{title}</title></rect>'
                        f'<text x="{x}" y="23" text-anchor="middle" font-size="13" font-weight="700" '
                        f'font-family="system-ui,sans-serif" fill="#1d2330">{html.escape(lane)}</text>'
                        f'<line x1="{x}" y1="30" x2="{x}" y2="46" stroke="#9aa4b5" stroke-width="2"/>')
    head_svg.append("</svg>")
    legend = "; ".join(html.escape(story.lane_titles[ln]) for ln in story.lanes)
    cats = " ".join(f'<span class="chg c-{c.replace(" ", "-")}">{html.escape(c)}</span>' for c in CATEGORIES)
    also = f" (the same steps on {', '.join('go' + r for r in story.also_on)})" if story.also_on else ""
    cap = (f"<figcaption><strong>{html.escape(story.design)}</strong> on Go {html.escape(story.release)}{also}: "
           f"<strong>{html.escape(story.prop)}</strong> ({html.escape(story.kind)}), {len(story.steps)} steps, "
           f"found by {html.escape(story.engine)}; bounds <code>"
           + html.escape(" ".join(f"{k}={v}" for k, v in story.bounds.items())) + "</code>"
           + (f"; highlighted: the life of <strong>{html.escape(story.subject)}</strong>" if story.subject else "")
           + f'<div class="verdict">{"REPRODUCED" if story.reproduced else "NOT REPRODUCED"}: '
           f"{html.escape(story.verdict)}</div>"
           f'<div class="legend">lanes: {legend}. shared state: {cats}</div></figcaption>')
    rows = [f'<div class="sw-head"><div class="ln">{"".join(head_svg)}</div>'
            '<div class="tx">step, shared-state changes (coloured), other changes, Go reference</div></div>']
    before: tuple[str, ...] = ()
    for seg in story.segments:
        if seg.collapsed:
            inner = []
            for st in seg.steps:
                inner.append(_row(story, st, before))
                before = st.handlers_active
            rows.append(f'<details class="sw-run"><summary><div class="ln">'
                        f"{_lanes_svg(story, None, _active_before(story, seg), dashed=True)}</div>"
                        f'<div class="tx">{html.escape(_run_summary(story, seg))}</div></summary>'
                        + "".join(inner) + "</details>")
            continue
        for st in seg.steps:
            rows.append(_row(story, st, before))
            before = st.handlers_active
    return (f'<figure class="sw" id="{story.ident}" style="--lw:{w}px">{cap}\n' + "\n".join(rows)
            + "\n</figure>")


def _active_before(story: Story, seg: Segment) -> tuple[str, ...]:
    first = seg.steps[0].n
    prev = [s for s in story.steps if s.n == first - 1]
    return prev[0].handlers_active if prev else ()
