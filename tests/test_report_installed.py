"""``gentrace report`` as installed, and the findings a report needs.

The repository is installed with ``pip install --no-deps --target`` into a scratch folder
and run as ``python -m gentrace`` from a folder outside the checkout, with a small committed
check result (``tests/data/report/check-ring.json``: ``gentrace check --go 1.27 --design
fixed,corrected --bound ring --json``), so no engine runs and the test takes seconds.  The
report it writes must hold every finding's paragraph and every committed counterexample's
diagram, and the replay command it prints must work from its folder.  A findings folder
missing a paragraph or a counterexample is refused (exit 2); the twins show the complete
one is taken.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gentrace.cli.main import build_parser, main
from gentrace.cli.report import plan
from gentrace.core.counterexample import parse
from gentrace.model import FINDINGS
from gentrace.report import content
from gentrace.report.findings import paragraphs, problems, shows_command
from gentrace.report.results import Results
from gentrace.report.story import ident

ROOT = Path(__file__).resolve().parent.parent
FINDINGS_DIR = ROOT / "findings"
CHECK = ROOT / "tests" / "data" / "report" / "check-ring.json"


def committed() -> list[tuple[str, dict]]:
    return [(f.name, json.loads(f.read_text())) for f in sorted(FINDINGS_DIR.glob("*.json"))]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository installed as a user installs it (from a copy, so the shared tree gets no
    build folder)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("checker", "model", "findings"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(src)], check=True, capture_output=True, text=True)
    return target


def installed(site: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def missing_from(md: str, page: str, brief: str) -> list[str]:
    """Every finding's paragraph and every committed counterexample's diagram that the report
    (report.md, index.html, summary.md) lacks."""
    out = []
    paras = paragraphs((FINDINGS_DIR / "README.md").read_text())
    for f in FINDINGS.values():
        for p in paras[f.name]:
            if p not in md:
                out.append(f"report.md: {f.name}: {p[:40]}")
        if paras[f.name][1] not in brief:
            out.append(f"summary.md: {f.name}")
    for name, doc in committed():
        i = ident(parse(doc, name))
        at = md.find(f'<a id="{i}"></a>')
        if at < 0 or "```mermaid\nsequenceDiagram" not in md[at:at + 4000]:
            out.append(f"report.md: diagram {i}")
        if not re.search(rf'<figure class="sw" id="{i}"', page):
            out.append(f"index.html: diagram {i}")
    return out


def test_an_installed_report_has_every_finding_and_its_replay_command_works(site: Path, tmp_path: Path) -> None:
    away = tmp_path / "elsewhere"
    away.mkdir()
    where = installed(site, away, "-c", "import gentrace; print(gentrace.__file__)")
    assert where.stdout.startswith(str(site)), where  # the installed copy runs, not the checkout
    run = installed(site, away, "-m", "gentrace", "report", "--out", "rep", "--results", str(CHECK),
                    "--no-lemmas")
    assert run.returncode == 0, run.stderr
    rep = away / "rep"
    md, page, brief = ((rep / n).read_text() for n in ("report.md", "index.html", "summary.md"))
    assert missing_from(md, page, brief) == []
    assert "(no paragraph for" not in md
    # The replay command the report prints, run from the report's folder with the installed copy.
    m = re.search(r"from the report's directory \(`rep`\)[^\n]*\n\n```sh\n(gentrace replay [^\n]+)\n```", md)
    assert m, md[md.find("## 7."):][:1500]
    replay = installed(site, rep, "-m", *m.group(1).split())
    assert replay.returncode == 0, replay.stdout + replay.stderr
    n = len(committed())
    assert f"{n} file(s): {n} reproduced" in replay.stdout


def test_missing_from_catches_a_report_without_a_paragraph_or_a_diagram(tmp_path: Path) -> None:
    """The twin of the check above: a report made without the findings' README and with one
    committed counterexample fewer is caught."""
    res = Results()
    res.add(json.loads(CHECK.read_text()), "check.json")
    for name, doc in committed()[1:]:
        res.add(doc, f"findings/{name}")
    from gentrace.report import html, markdown

    rep = content.build(res, content.Inputs(findings_readme=""))
    gone = missing_from(markdown.render(rep), html.render(rep), markdown.render_brief(rep))
    first = ident(parse(committed()[0][1], "x"))
    assert f"report.md: diagram {first}" in gone and f"index.html: diagram {first}" in gone
    assert any(g.startswith("report.md: single-read-drain") for g in gone)
    assert "summary.md: reentrant-fresh-gen" in gone


# -- findings that lack something --------------------------------------------------------

def findings_copy(tmp_path: Path) -> Path:
    d = tmp_path / "findings"
    shutil.copytree(FINDINGS_DIR, d, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return d


def report(tmp_path: Path, findings: Path) -> int:
    return main(["report", "--findings", str(findings), "--results", str(CHECK), "--no-lemmas", "--quiet",
                 "--out", str(tmp_path / "rep")])


def test_complete_findings_make_a_report(tmp_path: Path) -> None:
    d = findings_copy(tmp_path)
    assert problems((d / "README.md").read_text(), committed()) == []
    assert report(tmp_path, d) == 0
    copied = sorted(p.name for p in (tmp_path / "rep" / "findings").iterdir())
    assert copied == sorted(["README.md", *(n for n, _ in committed())])


@pytest.mark.parametrize("damage,needle", [
    ("paragraph", "no paragraph for the finding reentrant-fresh-gen"),
    ("counterexample", "no committed counterexample of the finding reentrant-fresh-gen breaking generation-order"),
    ("not-a-counterexample", "check.json is not a counterexample file"),
    ("readme", "no README.md"),
])
def test_findings_missing_something_are_an_error(damage: str, needle: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    d = findings_copy(tmp_path)
    if damage == "paragraph":
        text = (d / "README.md").read_text()
        (d / "README.md").write_text(text[:text.index("## reentrant-fresh-gen")])
    elif damage == "counterexample":
        (d / "go1.24--fixed--generation-order.json").unlink()
    elif damage == "not-a-counterexample":
        shutil.copy(CHECK, d / "check.json")
    else:
        (d / "README.md").unlink()
    assert report(tmp_path, d) == 2
    o, e = capsys.readouterr()
    assert o == "" and e.count("\n") == 1 and e.startswith("gentrace: ") and needle in e, e
    assert not (tmp_path / "rep").exists()  # refused before anything was written


# -- what a default report covers, and what it says it left out ------------------------

def test_the_default_report_runs_every_finding_and_the_proofs() -> None:
    runs = dict(plan(build_parser().parse_args(["report"]), False))
    fresh = runs["check-finding-reentrant-fresh-gen.json"]
    assert fresh[:3] == ["check", "--go", "1.24,1.25"] and "fixed" in fresh[fresh.index("--design") + 1]
    assert runs["check-finding-single-read-drain.json"][fresh.index("--bound") + 1] == "ring"
    proofs = runs["proofs.json"]
    assert proofs[:2] == ["prove", "--unbounded"] and proofs[proofs.index("--go") + 1] == "1.24,1.25,1.27"
    # The twin: a release chosen, and no proofs asked for, run neither.
    chosen = dict(plan(build_parser().parse_args(["report", "--go", "1.27", "--proofs", "none"]), False))
    assert "check-finding-reentrant-fresh-gen.json" not in chosen and "proofs.json" not in chosen


def summary_of(res: Results) -> str:
    from gentrace.report import markdown

    return markdown.render_brief(content.build(res, content.Inputs(out="rep", results=["check.json"])))


def test_the_summary_names_what_it_leaves_out_with_the_command_that_adds_it() -> None:
    res = Results()
    res.add(json.loads(CHECK.read_text()), "check.json")  # go1.27 only, no proofs, no go1.24 files
    text = summary_of(res)
    fresh = FINDINGS["reentrant-fresh-gen"]
    assert f"not shown by these results: `{shows_command(fresh)}` shows it" in text
    assert "not shown by these results)" not in text and "not shown by these results;" not in text
    left = next(line for line in text.splitlines() if line.startswith("- **Left out**"))
    assert "go1.24, go1.25" in left and "`gentrace report --go all --out rep`" in left
    assert ("`gentrace prove --unbounded --go 1.27 --design fixed,corrected --workers 1,2,3 --json > "
            "proofs.json`") in left and "`gentrace report --results check.json proofs.json --out rep`" in left
    # With corrected's proofs on one worker, what is left is fixed's and more workers'.
    res.add({"engine": "z3", "proofs": [{"release": "1.27", "design": "corrected", "workers": 1, "seconds": 1.0,
                                         "method": "stated", "verdicts": {"sample-generation": "proved"},
                                         "expected": {"sample-generation": "holds"}}]}, "proofs.json")
    left = next(line for line in summary_of(res).splitlines() if line.startswith("- **Left out**"))
    assert "proofs of `fixed`" in left and "with 2 and 3 workers" in left


def test_a_proof_that_is_not_as_expected_fails_the_report(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    doc = {"engine": "z3", "proofs": [{"release": "1.27", "design": "corrected", "workers": 1, "seconds": 1.0,
                                       "method": "stated", "verdicts": {"sample-generation": "proved"},
                                       "expected": {"sample-generation": "holds"}}]}
    p = tmp_path / "proofs.json"
    p.write_text(json.dumps(doc))
    argv = ["report", "--results", str(CHECK), str(p), "--no-lemmas", "--quiet", "--out", str(tmp_path / "r")]
    assert main(argv) == 0
    assert "every verdict as expected" in (tmp_path / "r" / "summary.md").read_text()
    doc["proofs"][0]["verdicts"]["sample-generation"] = "incomplete"
    p.write_text(json.dumps(doc))
    assert main(argv) == 1
    assert "**1 not as expected**" in (tmp_path / "r" / "summary.md").read_text()


@pytest.mark.parametrize("given_proofs", [True, False])
def test_proofs_given_are_not_run_again(given_proofs: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gentrace.cli.report as cli_report

    calls: list[list[str]] = []
    proofs = {"engine": "z3", "proofs": [{"release": "1.27", "design": "corrected", "workers": 1,
                                          "seconds": 1.0, "method": "stated",
                                          "verdicts": {"sample-generation": "proved"},
                                          "expected": {"sample-generation": "holds"}}]}

    def fake(argv: list[str]) -> tuple[int, Any]:  # the engines are not what this test is about
        calls.append(argv)
        return 0, json.loads(CHECK.read_text()) if argv[0] == "check" else proofs

    monkeypatch.setattr(cli_report, "run_json", fake)
    argv = ["report", "--go", "1.27", "--bound", "ring", "--no-lemmas", "--quiet", "--out", str(tmp_path / "r")]
    if given_proofs:
        p = tmp_path / "proofs.json"
        p.write_text(json.dumps(proofs))
        argv += ["--results", str(p)]
    assert main(argv) == 0
    ran = [" ".join(a[:2]) for a in calls]
    assert ran == (["check --go"] if given_proofs else ["check --go", "prove --unbounded"])
