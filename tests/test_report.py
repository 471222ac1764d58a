"""``gentrace report``: the structure of the page and the Markdown, from small fixed results.

The results are made in-process at the bound ``ring`` (a second each): the explorer on
three designs of go1.27, a short Hypothesis run and BMC to depth 4 on ``fixed``, the
lemmas, plus the committed ``findings/``.  Every structural check is a function that
returns what is missing, and each has a twin feeding it a broken page.
"""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from gentrace.cli.main import main
from gentrace.cli.report import run_json
from gentrace.model import FINDINGS, PROPERTY_NAMES
from gentrace.report import content, html, markdown
from gentrace.report.blocks import TIMING, without_timings
from gentrace.report.results import Results, ResultsError
from gentrace.report.story import COLLAPSE_AT, build_story, depends_on

ROOT = Path(__file__).resolve().parents[1]
FINDINGS_DIR = ROOT / "findings"
RUNS = [
    ("check-explore.json", ["check", "--go", "1.27", "--design", "fixed,corrected,handler-no-seqlock",
                            "--bound", "ring", "--json"]),
    ("check-hypothesis.json", ["check", "--engine", "hypothesis", "--go", "1.27", "--design", "fixed",
                               "--bound", "ring", "--examples", "10", "--json"]),
    ("bmc.json", ["prove", "--bmc", "4", "--go", "1.27", "--design", "fixed", "--bound", "ring", "--json"]),
    ("lemmas.json", ["prove", "--lemmas", "--json"]),
]


def make_docs() -> list[tuple[str, Any]]:
    docs = []
    for name, argv in RUNS:
        code, doc = run_json(argv)
        assert doc is not None, argv
        docs.append((name, doc))
    docs += [(f"findings/{f.name}", json.loads(f.read_text())) for f in sorted(FINDINGS_DIR.glob("*.json"))]
    return docs


def results_of(docs: list[tuple[str, Any]]) -> Results:
    r = Results()
    for name, doc in docs:
        r.add(doc, name)
    return r


def inputs() -> content.Inputs:
    return content.Inputs(commands=[f"gentrace {' '.join(a)} > {n}" for n, a in RUNS],
                          versions={"gentrace": "test"},
                          findings_readme=(FINDINGS_DIR / "README.md").read_text())


@pytest.fixture(scope="module")
def docs() -> list[tuple[str, Any]]:
    return make_docs()


@pytest.fixture(scope="module")
def made(docs: list[tuple[str, Any]]) -> tuple[Results, content.Report, str, str]:
    res = results_of(docs)
    rep = content.build(res, inputs())
    return res, rep, html.render(rep), markdown.render(rep)


# -- reading a page back ------------------------------------------------------------

class Page(HTMLParser):
    """What a structural check needs from the HTML: figures, step rows' text, matrix cells."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.figures: set[str] = set()
        self.rows: dict[str, str] = {}
        self.cells: dict[str, str] = {}
        self.svgs = 0
        self._open: list[tuple[str, str, str]] = []  # (tag, kind, key)
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "svg":
            self.svgs += 1
        if tag == "figure" and "sw" in cls and a.get("id"):
            self.figures.add(a["id"] or "")
        kind, key = "", ""
        if tag == "div" and "st" in cls and a.get("id"):
            kind, key = "row", a["id"] or ""
            self.rows[key] = ""
        elif tag == "td" and a.get("data-key"):
            kind, key = "cell", a["data-key"] or ""
            self.cells[key] = ""
        self._open.append((tag, kind, key))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            t, _, _ = self._open.pop()
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, kind, key in self._open:
            if kind == "row":
                self.rows[key] += data
            elif kind == "cell":
                self.cells[key] += data


def missing_diagrams(page: Page, md: str, rep: content.Report) -> list[str]:
    """Counterexamples (stories) with no figure in the page or no Mermaid diagram in the Markdown."""
    out = []
    for s in rep.stories:
        if s.ident not in page.figures:
            out.append(f"html: {s.ident}")
        at = md.find(f'<a id="{s.ident}"></a>')
        if at < 0 or "```mermaid\nsequenceDiagram" not in md[at:at + 4000]:
            out.append(f"md: {s.ident}")
    return out


def steps_without_go(page: Page, md: str, rep: content.Report) -> list[str]:
    """Steps whose row does not show their Go reference as text (page), or whose table lacks it (md)."""
    out = []
    for s in rep.stories:
        for st in s.steps:
            row = page.rows.get(f"{s.ident}-s{st.n}", "")
            if f"go: {st.go}" not in " ".join(row.split()):
                out.append(f"html: {s.ident} step {st.n}")
        at = md.find(f'<a id="{s.ident}"></a>')
        table = md[at:md.find("</details>", at)]
        for st in s.steps:
            cell = st.go.replace("|", "\\|").replace("<", "&lt;")
            if f"| {st.n} | {st.lane} |" not in table or cell not in table:
                out.append(f"md: {s.ident} step {st.n}")
    return out


def verdicts_not_in_matrix(page: Page, res: Results) -> list[str]:
    """Verdicts whose matrix cell is missing or says another verdict."""
    word = {"holds": "holds", "violated": "VIOL", "vacuous": "vacuous", "not-found": ("nf", "none<=")}
    out = []
    for v in res.verdicts:
        key = f"{v.release}|{v.bound}|{v.engine}|{v.design}|{v.prop}"
        text = page.cells.get(key)
        want = word.get(v.verdict, "incompl")
        if text is None or not text.startswith(want) or (text.endswith("!") == v.matches):
            out.append(f"{key}: {text!r} for {v.verdict}")
    return out


# -- the structure ------------------------------------------------------------------

def test_every_counterexample_has_its_diagram(made: tuple[Any, ...]) -> None:
    res, rep, page_text, md = made
    page = Page(page_text)
    viol = [v for v in res.verdicts if v.verdict == "violated"]
    assert viol and all(v.counterexample for v in viol)
    # Every violated verdict and every findings file is drawn (as itself or as the same steps).
    drawn = {(s.release, s.design, s.prop, s.engine) for s in rep.stories}
    drawn |= {(r, s.design, s.prop, s.engine) for s in rep.stories for r in s.also_on}
    for v in viol:
        assert (v.release, v.design, v.prop, v.engine) in drawn, v.key
    for _, cx, _ in res.counterexamples:
        assert (cx.release, cx.design, cx.prop, cx.engine) in drawn
    assert rep.problems == [] and all(s.reproduced for s in rep.stories)
    assert missing_diagrams(page, md, rep) == []


def test_a_missing_diagram_is_caught(made: tuple[Any, ...]) -> None:
    _, rep, page_text, md = made
    s = rep.stories[0]
    broken = page_text.replace(f'<figure class="sw" id="{s.ident}"', '<figure class="sw" id="gone"', 1)
    assert missing_diagrams(Page(broken), md, rep) == [f"html: {s.ident}"]
    cut = md.replace(f'<a id="{s.ident}"></a>\n', "", 1)
    assert missing_diagrams(Page(page_text), cut, rep) == [f"md: {s.ident}"]


def test_every_step_shows_its_go_reference(made: tuple[Any, ...]) -> None:
    _, rep, page_text, md = made
    assert sum(len(s.steps) for s in rep.stories) > 100
    assert steps_without_go(Page(page_text), md, rep) == []


def test_a_step_without_its_go_reference_is_caught(made: tuple[Any, ...]) -> None:
    _, rep, page_text, md = made
    s = rep.stories[-1]
    st = s.steps[len(s.steps) // 2]
    row = page_text.index(f'id="{s.ident}-s{st.n}"')
    go = page_text.index('<div class="go">', row)
    broken = page_text[:go] + page_text[page_text.index("</div>", go) + 6:]
    assert steps_without_go(Page(broken), md, rep) == [f"html: {s.ident} step {st.n}"]


def test_every_verdict_is_in_the_matrix(made: tuple[Any, ...]) -> None:
    res, _, page_text, _ = made
    assert {v.engine for v in res.verdicts} == {"explore", "hypothesis", "z3"}
    assert verdicts_not_in_matrix(Page(page_text), res) == []


def test_a_verdict_missing_from_the_matrix_is_caught(made: tuple[Any, ...]) -> None:
    res, _, page_text, _ = made
    v = next(x for x in res.verdicts if x.design == "fixed" and x.prop == "sample-generation"
             and x.engine == "explore")
    key = f"{v.release}|{v.bound}|{v.engine}|{v.design}|{v.prop}"
    broken = re.sub(rf'data-key="{re.escape(key)}"><a [^>]*>VIOL</a>', f'data-key="{key}">holds', page_text)
    assert broken != page_text
    assert verdicts_not_in_matrix(Page(broken), res) == [f"{key}: 'holds' for violated"]
    # A verdict that differs from its expectation must carry its '!'.
    wrong = copy.deepcopy(res)
    wrong.verdicts[0].matches = not wrong.verdicts[0].matches
    assert len(verdicts_not_in_matrix(Page(page_text), wrong)) == 1


def test_mismatch_is_marked_and_summarised(docs: list[tuple[str, Any]]) -> None:
    bad = copy.deepcopy(docs)
    row = next(r for r in bad[0][1]["results"] if r["design"] == "corrected")
    row["matches"], row["expected"] = False, "violated"
    res = results_of(bad)
    rep = content.build(res, inputs())
    page = Page(html.render(rep))
    key = f"{row['release']}|{res.verdicts[0].bound}|explore|corrected|{row['property']}"
    assert page.cells[key].endswith("!")
    assert "1 verdict(s) differ from their expectation" in markdown.render(rep)


def test_summary_is_five_lines_and_what_is_left_out_and_names_every_finding(made: tuple[Any, ...]) -> None:
    _, rep, _, md = made
    summary = md[md.index("## 1. Summary"):md.index("## 2.")]
    lines = [ln for ln in summary.splitlines() if ln.startswith("- ")]
    # These results hold go1.27 only and no proof: the sixth line says so, with the commands.
    assert [ln.split("**")[1] for ln in lines] == ["Checked", "Holds", "Violated",
                                                   "Proved for runs of any length", "Findings", "Left out"]
    assert "`gentrace report --go all --out report`" in lines[5] and "gentrace prove --unbounded" in lines[5]
    for f in FINDINGS:
        assert f"`{f}`" in lines[4]
    assert "sample-generation, no-unflushed-at-stop, sample-conservation (at `ring` on go1.27)" in lines[2]


def test_sections_come_in_the_order_a_reviewer_asks(made: tuple[Any, ...]) -> None:
    _, _, page_text, md = made
    heads = re.findall(r"^## (\d)\. ", md, flags=re.M)
    assert heads == ["1", "2", "3", "4", "5", "6", "7"]
    assert re.findall(r'<h2 id="(\w+)"', page_text) == [a for a, _ in content.SECTIONS]


def test_page_loads_nothing_from_the_network(made: tuple[Any, ...]) -> None:
    _, _, page_text, _ = made
    assert "<script" not in page_text and "<link" not in page_text and "@import" not in page_text
    assert not re.search(r'(src|href)="(https?:)?//', page_text)
    assert 'src="' not in page_text


def test_same_results_same_report_apart_from_timings(docs: list[tuple[str, Any]]) -> None:
    # A second, independent run of the same commands: other timings, everything else the same.
    again = make_docs()
    one = content.build(results_of(docs), inputs())
    two = content.build(results_of(again), inputs())
    for render in (html.render, markdown.render):
        a, b = render(one), render(two)
        assert TIMING.search(a)
        assert without_timings(a) == without_timings(b)


def test_a_changed_figure_is_not_taken_for_a_timing(made: tuple[Any, ...]) -> None:
    _, _, page_text, _ = made
    m = re.search(r"(\d[\d,]*) states", page_text)
    assert m
    changed = page_text.replace(m.group(0), "1" + m.group(0), 1)
    assert without_timings(changed) != without_timings(page_text)
    assert without_timings("in 12.3 s") == without_timings("in 0.4 s")


# -- the diagrams' content ---------------------------------------------------------

def test_story_of_single_read_drain() -> None:
    from gentrace.core.counterexample import load

    s = build_story(load(FINDINGS_DIR / "go1.27--fixed--sample-generation.json"))
    assert s.lanes == ["R", "A"] and s.subject == "sample #2" and s.fail_step == 45
    assert [st.n for st in s.steps if st.fails] == [45]
    life = [st.n for st in s.steps if st.in_life]
    assert life[0] == 11 and life[-1] == 45  # from the delivery of sample #2 to the flush
    assert all(st.handler == st.name.startswith("sigprof.") for st in s.steps)
    deliver = s.steps[10]
    assert deliver.name == "sigprof.deliver" and "R" in deliver.handlers_active
    folded = [st for seg in s.segments if seg.collapsed for st in seg.steps]
    assert folded and all(len(seg.steps) >= COLLAPSE_AT for seg in s.segments if seg.collapsed)
    deps = depends_on(s.prop)
    for st in folded:
        assert not st.subject and not st.fails and not any(c in deps for c, _ in st.shared)
    assert [st.n for seg in s.segments for st in seg.steps] == list(range(1, 46))
    # The drain's one read (step 25) and the late flush (45) are annotated as profBuf / buffer changes.
    assert any(c == "profBuf" for c, _ in s.steps[24].shared)
    assert any(t.startswith("cpuBuf[0].ids") for _, t in s.steps[43].shared)


def test_story_of_a_deadlock_names_the_m() -> None:
    from gentrace.core.counterexample import load

    s = build_story(load(FINDINGS_DIR / "go1.24--fixed--deadlock-freedom.json"))
    assert s.lanes == ["W0", "R", "A"] and s.subject == "W0's trace state"
    assert s.fail_step == len(s.steps) and s.steps[-1].fails


def test_mermaid_is_balanced(made: tuple[Any, ...]) -> None:
    _, rep, _, md = made
    blocks = re.findall(r"```mermaid\n(.*?)```", md, re.S)
    assert len(blocks) == len(rep.stories)
    rects = 0
    for b in blocks:
        lines = [ln.strip() for ln in b.splitlines()]
        assert lines[0] == "sequenceDiagram"
        assert sum(ln.startswith("rect ") for ln in lines) == sum(ln == "end" for ln in lines)
        rects += sum(ln.startswith("rect ") for ln in lines)
        for ln in lines[1:]:
            # Mermaid reads ';' and '#' as syntax: messages carry them as entity codes only.
            text = ln.split(":", 1)[1] if ":" in ln else ""
            assert ";" not in re.sub(r"#\w+;", "", text), ln
    assert rects > 0  # the SIGPROF handler is drawn inside a lane


# -- proofs, runtime rows, and reading documents -----------------------------------------

PROOF_DOC = {"engine": "z3", "method": "unbounded", "results": [
    {"release": "1.27", "design": "corrected", "workers": "any", "verdict": "proved", "method": "k-induction",
     "invariants": [{"name": "drained", "reason": "every record of g is read before g is sealed"}],
     "seconds": 12.5},
    {"release": "1.27", "design": "fixed", "workers": 1, "verdict": "violated", "method": "k-induction",
     "invariants": [], "seconds": 3.25}]}
def _runtime_row(design: str, failed: int, misplaced: int, violates: list[str]) -> dict[str, Any]:
    """A row as ``gentrace runtime --json`` prints it (checker/runtime/run.py DesignRun)."""
    return {"design": design, "version": "1.27.3", "applicable": True, "reason": "", "edits": ["tracecpu.go"],
            "test": {"runs": 20, "passed": {"Default": 20 - failed}, "failed": {"Default": failed},
                     "skipped": {}, "hangs": 0, "crashes": 0, "reasons": [], "stopped": "",
                     "build_error": None, "seconds": 40.0},
            "workload": {"runs": 5, "traces": 5, "hangs": 0, "crashes": 0, "violations": {},
                         "vacuous": {}, "samples": 900, "generations": 30, "misplaced": misplaced,
                         "order_breaks": 0, "offsets": {}, "examples": [], "conform_error": None,
                         "build_error": None, "seconds": 9.5},
            "seconds": 50.0,
            "model": {"release": "1.27", "exists": True, "violates": violates, "findings": []}}


RUNTIME_DOC = {"runs": 20, "workload_runs": 5, "machine": {"cpus": 2}, "wall_seconds": 100.0, "results": [
    _runtime_row("fixed", 3, 2, ["sample-generation"]), _runtime_row("drain-until-empty", 0, 0, [])]}


def test_proofs_and_runtime_rows_are_shown(docs: list[tuple[str, Any]]) -> None:
    res = results_of([*docs, ("unbounded.json", PROOF_DOC), ("runtime.json", RUNTIME_DOC)])
    assert len(res.proofs) == 2 and len(res.runtime) == 2
    md = markdown.render(content.build(res, inputs()))
    proofs = md[md.index("## 6."):md.index("## 7.")]
    assert "| go1.27 | `corrected` | all | any | proved | k-induction | **drained**: every record" in proofs
    assert "12.5 s" in proofs
    findings = md[md.index("## 5."):md.index("## 6.")]
    assert ("| 1.27 | drain-until-empty | go1.27.3 | Default 0/20 | 0 | 5 | 900 | 0 | 0 | none | none | 50.0 s |"
            in findings), findings
    assert "| 1.27 | fixed | go1.27.3 | Default 3/20 | 0 | 5 | 900 | 2 | 0 | none | sample-generation |" in findings
    assert ("**Proved for runs of any length**: `fixed` (1 worker): 1 violated of 1 on go1.27; `corrected` "
            "(any workers): 1 proved of 1 on go1.27.") in md


def test_without_proofs_the_report_says_so(made: tuple[Any, ...]) -> None:
    _, _, _, md = made
    assert "no such proof is in these results" in md
    assert "Real-runtime figures: none in these results" in md


@pytest.mark.parametrize("doc,needle", [
    ([1, 2], "not a JSON object"),
    ({"foo": 1}, "not a document gentrace prints"),
    ({"results": [{"release": "1.27", "design": "fixed", "property": "nosuch", "verdict": "holds"}]},
     "unknown property"),
    ({"format": "gentrace-counterexample", "version": 1}, "version 1"),
])
def test_unusable_documents_are_refused(doc: Any, needle: str) -> None:
    with pytest.raises(ResultsError, match=needle):
        Results().add(doc, "x.json")


# -- the command -----------------------------------------------------------------------

def test_cli_report_from_results(tmp_path: Path, docs: list[tuple[str, Any]],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    for name, doc in docs[:len(RUNS)]:
        p = tmp_path / name
        p.write_text(json.dumps(doc))
        files.append(str(p))
    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--results", *files]) == 0
    o, e = capsys.readouterr()
    assert o.startswith(f"wrote {out}/index.html, {out}/report.md and {out}/summary.md") and e == ""
    page = (out / "index.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and (out / "report.md").read_text().startswith("# gentrace")
    assert not (out / "results").exists()  # nothing was run
    brief = (out / "summary.md").read_text()
    assert len(brief) < 65536 and "## 1. Summary" in brief and "```mermaid" in brief
    # Its matrix has no links, and its legend does not promise any.
    assert "(it links to its diagram)" not in brief and content.LINKS_BRIEF in brief
    assert "(it links to its diagram)" in (out / "report.md").read_text()
    # A verdict that differs from its expectation makes the report exit 1 (it is still written).
    doc = json.loads(Path(files[0]).read_text())
    doc["results"][0]["matches"] = False
    Path(files[0]).write_text(json.dumps(doc))
    (out / "index.html").unlink()
    assert main(["report", "--out", str(out), "--results", *files, "--quiet"]) == 1
    assert (out / "index.html").exists() and capsys.readouterr().out == ""


def test_cli_report_runs_the_explorer_when_given_no_check_results(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rep"
    code = main(["report", "--out", str(out), "--go", "1.27", "--design", "fixed,corrected",
                 "--bound", "ring", "--no-lemmas", "--proofs", "none", "--json"])
    o, _ = capsys.readouterr()
    assert code == 0
    summary = json.loads(o)
    assert summary["verdicts"] == 2 * len(PROPERTY_NAMES)
    assert summary["mismatches"] == 0 and summary["not_replayed"] == 0
    kept = out / "results" / "check-explore.json"
    assert json.loads(kept.read_text())["engine"] == "explore"
    md = (out / "report.md").read_text()
    assert "gentrace check --go 1.27 --design fixed,corrected --bound ring --json > check-explore.json" in md
    # The kept results make the same report again, without running anything.
    again = tmp_path / "again"
    assert main(["report", "--out", str(again), "--results", str(out / "results"), "--quiet",
                 "--no-lemmas"]) == 0
    strip = lambda t: without_timings(t.replace(str(out / "results") + "/", "results/"))  # noqa: E731
    a = strip((out / "report.md").read_text())
    b = strip((again / "report.md").read_text().replace(f"--out {again}", f"--out {out}"))
    # Only the commands differ: the second report ran none.
    assert a.split("## 1. Summary")[1].split("## 7.")[0] == b.split("## 1. Summary")[1].split("## 7.")[0]


@pytest.mark.parametrize("argv,needle", [
    (["report", "--results", "/nonexistent.json"], "no such file"),
    (["report", "--go", "1.19"], "1.19"),
    (["report", "--bound", "workers=99"], "workers=99"),
    (["report", "--findings", "/nonexistent"], "not a directory"),
])
def test_bad_input_is_one_line(argv: list[str], needle: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--out", str(tmp_path / "o")]) == 2
    o, e = capsys.readouterr()
    assert o == "" and e.count("\n") == 1 and e.startswith("gentrace: ") and needle in e, e


def test_run_options_conflict_with_check_results(tmp_path: Path, docs: list[tuple[str, Any]],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "c.json"
    p.write_text(json.dumps(docs[0][1]))
    assert main(["report", "--results", str(p), "--go", "1.24", "--out", str(tmp_path / "o")]) == 2
    assert "give one or the other" in capsys.readouterr().err


def test_a_counterexample_that_does_not_replay_is_named_and_fails_the_report(
        tmp_path: Path, docs: list[tuple[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    check = tmp_path / "check.json"
    check.write_text(json.dumps(docs[0][1]))
    cx = json.loads((FINDINGS_DIR / "go1.24--fixed--generation-order.json").read_text())
    cx["steps"] = cx["steps"][1:]  # without W0's first step (seqlock-inc) its next one is not enabled
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(cx))
    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--results", str(check), str(broken), "--no-lemmas"]) == 1
    o = capsys.readouterr().out
    assert "1 not replayed" in o and "not drawn: " in o and "broken.json" in o
    assert "Not drawn: " in (out / "report.md").read_text()


def test_ctrl_c_writes_what_finished_and_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import gentrace.cli.report as cli_report

    real, calls = cli_report.run_json, []

    def interrupted_second(argv: list[str]) -> tuple[int, Any]:
        calls.append(argv)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(argv)

    monkeypatch.setattr(cli_report, "run_json", interrupted_second)
    out = tmp_path / "rep"
    code = main(["report", "--out", str(out), "--go", "1.27", "--design", "fixed", "--bound", "ring"])
    assert code == 130 and [a[0] for a in calls] == ["check", "prove"]
    assert "Interrupted (Ctrl-C)" in capsys.readouterr().out
    md = (out / "report.md").read_text()
    assert "| `fixed` | [VIOL](#" in md  # the check that finished is in the report
    assert "## 6." in md and "None in these results (`gentrace prove --lemmas --json`)" in md
    assert sorted(p.name for p in (out / "results").iterdir()) == ["check-explore.json"]


def test_proof_rows_with_a_verdict_per_property_are_one_row_each() -> None:
    doc = {"engine": "z3", "results": [
        {"release": "1.24", "design": "corrected", "workers": 2, "seconds": 4.0,
         "verdicts": {"sample-generation": "proved", "deadlock-freedom": "incomplete"},
         "methods": {"sample-generation": "inductive invariant (Houdini)",
                     "deadlock-freedom": "not inductive with the mined invariants"},
         "invariants": [{"name": "seqlock-even-when-idle", "reason": "only the M writes it"}]}]}
    res = Results()
    res.add(doc, "u.json")
    assert [(p.prop, p.verdict, p.method) for p in res.proofs] == [
        ("deadlock-freedom", "incomplete", "not inductive with the mined invariants"),
        ("sample-generation", "proved", "inductive invariant (Houdini)")]
    assert res.verdicts == [] and all(p.invariants[0]["name"] == "seqlock-even-when-idle" for p in res.proofs)


def test_every_row_of_proofs_is_a_proof_whatever_its_verdict() -> None:
    """``prove --unbounded --method explicit`` rows carry no invariants and may be all
    incomplete: they are proofs (section 6), never bounded verdicts in the matrix."""
    doc = {"engine": "z3", "proofs": [
        {"release": "1.27", "design": "corrected", "workers": 0, "seconds": 1.5, "method": "explicit",
         "verdicts": {"single-reader": "incomplete", "generation-order": "vacuous"},
         "methods": {"single-reader": "state budget of 2000 reached after 2,373 states (depth 9)",
                     "generation-order": "no reachable state where the property says anything"}}]}
    res = Results()
    res.add(doc, "u.json")
    assert res.verdicts == []
    assert [(p.prop, p.verdict) for p in res.proofs] == [("generation-order", "vacuous"),
                                                        ("single-reader", "incomplete")]
