"""``gentrace report``'s page in a real browser: headless Chromium renders ``index.html``.

Checks that the page is not blank (a screenshot, decoded here) and that every diagram a
reader sees without opening anything has SVG lanes with a size (measured by the browser:
a copy of the page gets a small script that writes each SVG's bounding box into the DOM,
read back with ``--dump-dom``; the report itself carries no script).  Each check has a
twin: a blank page, and a page whose SVGs have no size, must be caught.

Skipped, with the reason, where no Chromium is installed (CI machines have none): install
Debian's ``chromium`` package as the README says.  The Mermaid check of ``report.md`` runs
only when ``GENTRACE_MERMAID_JS`` names a local ``mermaid.min.js`` (``npm install mermaid``).
"""

from __future__ import annotations

import html as htmllib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from gentrace.report import content, html, markdown
from gentrace.report.results import Results

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p),
                None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (apt-get install -y chromium, see the README's "
    "'Design-review evidence' section): index.html is not rendered in a browser here")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--allow-file-access-from-files"]

MEASURE = """<script>
const out = [];
document.querySelectorAll('figure.sw').forEach(f => {
  const d = f.closest('details');
  const svgs = [...f.querySelectorAll(':scope > .sw-head svg, :scope > .st svg')].map(s => {
    const r = s.getBoundingClientRect(); return [r.width, r.height]; });
  out.push({id: f.id, visible: d === null || d.open, svgs: svgs});
});
const pre = document.createElement('pre'); pre.id = 'measure';
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>"""


def chromium(args: list[str], page: Path) -> str:
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([CHROMIUM or "chromium", *FLAGS, f"--user-data-dir={profile}", *args,
                            page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    return r.stdout


def measure(page: Path) -> list[dict[str, Any]]:
    """Every diagram's SVG sizes, as the browser lays the page out."""
    probe = page.with_name("probe-" + page.name)
    probe.write_text(page.read_text().replace("</body>", MEASURE + "\n</body>"))
    dom = chromium(["--dump-dom", "--window-size=1280,2000"], probe)
    m = re.search(r'<pre id="measure">(.*?)</pre>', dom, re.S)
    assert m, "the browser did not run the measuring script"
    return json.loads(htmllib.unescape(m.group(1)))


def unrendered(figures: list[dict[str, Any]]) -> list[str]:
    """Visible diagrams with no SVG, or an SVG without width or height."""
    bad = []
    for f in figures:
        if not f["visible"]:
            continue
        if not f["svgs"] or any(w <= 0 or h <= 0 for w, h in f["svgs"]):
            bad.append(f["id"])
    return bad


def png_pixels(data: bytes, max_rows: int = 280) -> tuple[int, int, list[bytes]]:
    """Width, height and the pixels of the first ``max_rows`` rows of an 8-bit RGB or RGBA PNG
    (what Chromium writes); the top of a screenshot is enough to tell a drawing from nothing."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    h = bpp = 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(min(h, max_rows)):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, [bytes(r[i:i + 3]) for r in rows for i in range(0, stride, bpp)]


def blank(png: Path) -> bool:
    """Whether a screenshot shows (next to) nothing: under 1% of pixels differ from the commonest."""
    _, _, px = png_pixels(png.read_bytes())
    counts: dict[bytes, int] = {}
    for p in px[::7]:
        counts[p] = counts.get(p, 0) + 1
    return max(counts.values()) > 0.99 * sum(counts.values())


def screenshot(page: Path, out: Path) -> Path:
    chromium([f"--screenshot={out}", "--window-size=800,450"], page)
    assert out.exists(), "the browser wrote no screenshot"
    return out


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report of the committed findings (every one a diagram), written as the command writes it."""
    res = Results()
    for f in sorted((ROOT / "findings").glob("*.json")):
        res.add(json.loads(f.read_text()), f"findings/{f.name}")
    rep = content.build(res, content.Inputs(findings_readme=(ROOT / "findings" / "README.md").read_text()))
    d = tmp_path_factory.mktemp("report")
    (d / "index.html").write_text(html.render(rep))
    (d / "report.md").write_text(markdown.render(rep))
    return d / "index.html"


def test_diagrams_render_with_a_size(page: Path) -> None:
    figures = measure(page)
    visible = [f for f in figures if f["visible"]]
    assert len(visible) >= 3, figures
    assert unrendered(figures) == []
    # Each step row's lanes are at least a line of text high, and as wide as the lanes.
    for f in visible:
        assert all(h >= 30 and w >= 150 for w, h in f["svgs"]), f["id"]


def test_zero_size_svgs_are_caught(page: Path) -> None:
    squashed = page.with_name("squashed.html")
    squashed.write_text(page.read_text().replace("</style>", ".ln svg{height:0!important;width:0!important}"
                                                             "</style>"))
    figures = measure(squashed)
    assert unrendered(figures) == [f["id"] for f in figures if f["visible"]] != []


def test_screenshot_of_a_diagram_is_not_blank(page: Path) -> None:
    # One diagram alone on a page, as the report draws it: the screenshot shows its lanes.
    from gentrace.core.counterexample import load
    from gentrace.report.blocks import Diagram
    from gentrace.report.story import build_story

    story = build_story(load(ROOT / "findings" / "go1.27--fixed--sample-generation.json"))
    one = page.with_name("one.html")
    one.write_text(html.render(content.Report("one", [Diagram(story)], [story], [])))
    shot = screenshot(one, page.with_name("one.png"))
    assert not blank(shot)
    # The lanes are drawn: the lanes' grey (#9aa4b5) and the handler's band (#ffe3c2) are on screen.
    _, _, px = png_pixels(shot.read_bytes())
    assert bytes.fromhex("9aa4b5") in set(px) and bytes.fromhex("ffe3c2") in set(px)


def test_a_blank_page_is_caught(page: Path) -> None:
    empty = page.with_name("empty.html")
    empty.write_text("<!DOCTYPE html><html><body style='background:#fff'></body></html>")
    assert blank(screenshot(empty, page.with_name("empty.png")))


MERMAID = os.environ.get("GENTRACE_MERMAID_JS", "")
HARNESS = """<!DOCTYPE html><html><body><pre id="out">pending</pre>
<script src="%s"></script><script>
const blocks = %s; mermaid.initialize({startOnLoad: false});
(async () => { const res = [];
  for (let i = 0; i < blocks.length; i++) {
    try { await mermaid.parse(blocks[i]); const r = await mermaid.render('m' + i, blocks[i]);
          res.push('ok ' + r.svg.length); }
    catch (e) { res.push('ERR ' + String(e.message || e).slice(0, 200).replace(/\\n/g, ' ')); } }
  document.getElementById('out').textContent = res.join('\\n'); })();
</script></body></html>"""


def mermaid_results(md: str, where: Path) -> list[str]:
    blocks = re.findall(r"```mermaid\n(.*?)```", md, re.S)
    where.write_text(HARNESS % (Path(MERMAID).resolve().as_uri(), json.dumps(blocks)))
    dom = chromium(["--dump-dom", "--virtual-time-budget=30000"], where)
    m = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    return m.group(1).splitlines() if m else ["ERR no output"]


@pytest.mark.skipif(not MERMAID or not Path(MERMAID).is_file(),
                    reason="GENTRACE_MERMAID_JS does not name a local mermaid.min.js: report.md's Mermaid "
                    "diagrams are not parsed here")
def test_mermaid_diagrams_parse(page: Path) -> None:
    md = page.with_name("report.md").read_text()
    got = mermaid_results(md, page.with_name("mermaid.html"))
    assert got and all(r.startswith("ok ") for r in got), got
    broken = md.replace("sequenceDiagram\n", "sequenceDiagram\n    W0->>: ) (( end\n", 1)
    assert mermaid_results(broken, page.with_name("mermaid2.html"))[0].startswith("ERR")
