"""``gentrace replay`` over several files, a directory, or standard input.

One line per file and a table of counts; exit 0 if all reproduce, 1 if one does not,
2 if one is unusable (a ``gentrace: FILE: reason`` line each on stderr, the others still
replayed); ``--json`` one document; Ctrl-C prints what finished and exits 130.  One
file keeps the detailed output.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import gentrace.cli.replay as replay_cli
import pytest
from gentrace.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = sorted((ROOT / "findings").glob("*.json"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The committed findings, copied: every one reproduces."""
    d = tmp_path / "cx"
    d.mkdir()
    for f in FINDINGS:
        shutil.copy(f, d / f.name)
    return d


def not_reproducing(folder: Path) -> Path:
    """A finding without its last step: a valid file that shows no violation."""
    src = folder / "go1.27--fixed--sample-generation.json"
    doc = json.loads(src.read_text())
    doc["steps"].pop()
    out = folder / "zz-short.json"
    out.write_text(json.dumps(doc))
    return out


def rows(out: str) -> list[str]:
    """The summary's per-file lines (between the header and the blank line)."""
    lines = out.splitlines()
    assert lines[0].split() == ["file", "design", "release", "property", "result", "reason"], lines[0]
    return lines[1:lines.index("")]


def counts(out: str) -> dict[str, int]:
    got = dict(re.findall(r"^(REPRODUCED|NOT REPRODUCED|ERROR|total) +(\d+)$", out, re.M))
    return {k: int(v) for k, v in got.items()}


def no_traceback(err: str) -> None:
    assert "Traceback" not in err


def test_a_directory_gives_one_line_per_file_and_the_counts(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = rows(out)
    assert len(lines) == len(FINDINGS)
    for line, f in zip(lines, FINDINGS, strict=True):
        doc = json.loads(f.read_text())
        assert line.startswith(str(folder / f.name)), "sorted by name"
        assert line.split()[1:5] == [doc["design"], doc["release"], doc["property"], "REPRODUCED"]
    assert counts(out) == {"REPRODUCED": len(FINDINGS), "NOT REPRODUCED": 0, "ERROR": 0,
                           "total": len(FINDINGS)}
    assert "go:" not in out, "no step listing"


def test_several_files_on_the_command_line(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(folder.glob("*.json"))[:2]
    assert main(["replay", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert [r.split()[0] for r in rows(out)] == [str(f) for f in files]


def test_one_file_keeps_the_detailed_replay(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(FINDINGS[0])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("design fixed on Go ")
    assert "  go: " in out and out.splitlines()[-1].startswith("REPRODUCED: ")


def test_one_that_does_not_reproduce_makes_the_exit_1(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    short = not_reproducing(folder)
    assert main(["replay", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    last = rows(out)[-1]
    assert last.startswith(str(short)) and "NOT REPRODUCED  sample-generation holds" in last
    assert counts(out)["NOT REPRODUCED"] == 1 and counts(out)["REPRODUCED"] == len(FINDINGS)


def test_unusable_files_are_named_on_stderr_and_the_others_still_run(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_reproducing(folder)
    (folder / "broken.json").write_text("{")
    doc = json.loads(FINDINGS[0].read_text())
    doc["steps"][0]["step"] = "teleport"
    (folder / "teleport.json").write_text(json.dumps(doc))
    missing = tmp_path / "missing.json"
    assert main(["replay", str(folder), str(missing)]) == 2, "unusable beats not reproduced"
    out, err = capsys.readouterr()
    no_traceback(err)
    assert err.splitlines() == [
        f"gentrace: {folder / 'broken.json'}: not JSON: Expecting property name enclosed in "
        "double quotes: line 1 column 2 (char 1)",
        f"gentrace: {folder / 'teleport.json'}: step 1: thread {doc['steps'][0]['thread']} has no step "
        "'teleport' in design fixed",
        f"gentrace: {missing}: no such file",
    ]
    by_file = {r.split()[0]: r for r in rows(out)}
    assert len(by_file) == len(FINDINGS) + 4
    assert re.search(r"\?  +\?  +\?  +ERROR  +not JSON", by_file[str(folder / "broken.json")])
    assert re.search(r"fixed +1\.24 +deadlock-freedom +ERROR +step 1: thread \S+ has no step",
                     by_file[str(folder / "teleport.json")])
    assert counts(out) == {"REPRODUCED": len(FINDINGS), "NOT REPRODUCED": 1, "ERROR": 3,
                           "total": len(FINDINGS) + 4}


def test_a_directory_without_counterexamples_among_others(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["replay", str(empty), str(FINDINGS[0])]) == 2
    out, err = capsys.readouterr()
    assert err == f"gentrace: {empty}: is a directory with no counterexample files (*.json) in it\n"
    assert len(rows(out)) == 1 and "REPRODUCED" in rows(out)[0]


def test_json_gives_one_document_with_a_list(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_reproducing(folder)
    (folder / "broken.json").write_text("[]")
    assert main(["replay", "--json", str(folder)]) == 2
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert err.count("\n") == 1 and "not a gentrace counterexample" in err
    assert (doc["files"], doc["replayed"], doc["reproduced"], doc["not_reproduced"], doc["errors"]) == (
        len(FINDINGS) + 2, len(FINDINGS) + 2, len(FINDINGS), 1, 1)
    assert doc["ok"] is False and doc["interrupted"] is False
    res = {Path(r["file"]).name: r for r in doc["results"]}
    assert res["broken.json"]["result"] == "error" and "not a gentrace" in res["broken.json"]["error"]
    assert res["zz-short.json"]["result"] == "not-reproduced"
    ok = res[FINDINGS[0].name]
    assert ok["result"] == "reproduced" and ok["reproduced"] is True and ok["steps"]
    assert main(["replay", "--json", str(FINDINGS[0]), str(FINDINGS[1])]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_quiet_prints_only_the_total(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--quiet", str(folder)]) == 0
    assert capsys.readouterr().out == f"{len(FINDINGS)} file(s): {len(FINDINGS)} reproduced, 0 not " \
        "reproduced, 0 unusable\n"


# -- standard input ------------------------------------------------------------------

def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_dash_reads_one_counterexample_from_stdin(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    stdin(monkeypatch, FINDINGS[0].read_bytes())
    assert main(["replay", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("design fixed on Go ") and out.splitlines()[-1].startswith("REPRODUCED: ")


def test_dash_among_files(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin(monkeypatch, FINDINGS[0].read_bytes())
    assert main(["replay", "-", str(FINDINGS[1])]) == 0
    assert [r.split()[0] for r in rows(capsys.readouterr().out)] == ["-", str(FINDINGS[1])]


@pytest.mark.parametrize("data,needle", [(b"\xff\xfe", "standard input: not a text file"),
                                         (b"{", "standard input: not JSON")])
def test_unusable_stdin(data: bytes, needle: str, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    stdin(monkeypatch, data)
    assert main(["replay", "-"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"gentrace: {needle}") and err.count("\n") == 1


def test_dash_twice_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "-", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gentrace: '-' (standard input) can be given only once")


# -- a check --json document -------------------------------------------------------------

def test_a_check_json_document_says_where_its_counterexamples_are(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cx = json.loads(FINDINGS[0].read_text())
    doc: dict[str, Any] = {"bounds": cx["bounds"], "engine": "explore", "ok": True, "results": [
        {"release": cx["release"], "design": cx["design"], "property": cx["property"],
         "verdict": "violated", "counterexample": cx, "counterexample_file": None}]}
    path = tmp_path / "check.json"
    path.write_text(json.dumps(doc))
    for argv in (["replay", str(path)], ["replay", str(path), str(FINDINGS[0])]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert f"{path}: a 'gentrace check --json' document, not a counterexample" in err
        assert "\"counterexample\" field" in err and "gentrace check --out DIR" in err


# -- Ctrl-C --------------------------------------------------------------------------

@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_prints_what_finished_and_exits_130(
        as_json: bool, folder: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    real = replay_cli.run_one
    calls = []

    def interrupted_on_the_third(name: str) -> replay_cli.Done:
        calls.append(name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(name)

    monkeypatch.setattr(replay_cli, "run_one", interrupted_on_the_third)
    assert main(["replay", *(["--json"] if as_json else []), str(folder)]) == 130
    out, err = capsys.readouterr()
    assert err == "gentrace: interrupted\n"
    if as_json:
        doc = json.loads(out)
        assert doc["interrupted"] is True and doc["ok"] is False
        assert (doc["files"], doc["replayed"], doc["reproduced"]) == (len(FINDINGS), 2, 2)
    else:
        assert len(rows(out)) == 2
        assert out.splitlines()[-1].endswith(f"interrupted (Ctrl-C) after 2 of {len(FINDINGS)} file(s)")


def test_the_replay_module_does_not_import_the_command_line() -> None:
    """gentrace.cli.main imports gentrace.cli.replay: the other way round would be a cycle."""
    code = "import sys, gentrace.cli.replay; assert 'gentrace.cli.main' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
