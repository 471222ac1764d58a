"""The ``gentrace`` command line: list, check, exit codes, and refusal of bad input.

Most tests call ``gentrace.cli.main.main`` in-process; a few run ``python -m gentrace``
as a user would, to show that no traceback reaches the terminal.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_run import run
from gentrace.core.counterexample import load, parse
from gentrace.core.replay import replay
from gentrace.model import CANONICAL, DESIGNS, FINDINGS, NAMED, PROPERTY_NAMES, RELEASES, Bounds

REPO = Path(__file__).resolve().parent.parent
VERDICTS = {"holds", "violated", "vacuous", "incomplete"}


def check_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, err = run(["check", "--json", *argv], capsys)
    assert err == ""
    return code, json.loads(out)


def assert_one_line_error(code: int, out: str, err: str) -> None:
    assert code == 2, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    assert err.startswith("gentrace: ") and err.count("\n") == 1, err


# -- list ---------------------------------------------------------------------------

def test_list_names_every_design_property_and_bound(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["list"], capsys)
    assert (code, err) == (0, "")
    for name in [*DESIGNS, *PROPERTY_NAMES, *(f.name for f in dataclasses.fields(Bounds))]:
        assert name in out, name
    for d in DESIGNS.values():
        for prop in d.violates:
            assert f"violates {prop}" in out


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["list", "--json"], capsys)
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert [d["name"] for d in doc["designs"]] == list(DESIGNS)
    for d in doc["designs"]:
        design = DESIGNS[d["name"]]
        for rel, exp in d["expected"].items():
            assert exp == {p: design.on(rel).expected(p, CANONICAL) for p in PROPERTY_NAMES}
        assert set(d["why"]) <= {p for rel in d["expected_given_enough"].values()
                                 for p, v in rel.items() if v == "violated"}
        assert set(d["needs"]) <= set(d["why"])
    corrected = next(d for d in doc["designs"] if d["name"] == "corrected")
    assert all(v == "holds" for rel in corrected["expected_given_enough"].values() for v in rel.values()), \
        "the corrected design holds everything on every release"
    fixed = next(d for d in doc["designs"] if d["name"] == "fixed")
    assert fixed["expected_given_enough"]["1.27"]["sample-conservation"] == "violated", "a finding"
    assert [r["name"] for r in doc["releases"]] == list(RELEASES)
    assert {f["name"] for f in doc["findings"]} == set(FINDINGS)
    assert [p["name"] for p in doc["properties"]] == list(PROPERTY_NAMES)
    assert {b["name"]: b["canonical"] for b in doc["bounds"]} == CANONICAL.as_dict()
    for b in doc["bounds"]:
        assert b["min"] <= b["canonical"] <= b["max"]
    assert doc["named_bounds"] == {k: v.as_dict() for k, v in NAMED.items()}


# -- check ----------------------------------------------------------------------------

def test_check_json_document_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = check_json(["--go", "1.22", "--design", "legacy"], capsys)
    assert code == 0
    assert doc["bounds"] == CANONICAL.as_dict()
    assert doc["ok"] is True
    results = doc["results"]
    assert [(r["design"], r["property"]) for r in results] == [("legacy", p) for p in PROPERTY_NAMES]
    for r in results:
        assert {"design", "property", "verdict", "expected", "counterexample", "stats"} <= set(r)
        assert r["verdict"] in VERDICTS
        assert r["verdict"] == r["expected"] == DESIGNS["legacy"].expected(r["property"], CANONICAL)
        assert (r["counterexample"] is not None) == (r["verdict"] == "violated")
        stats = r["stats"]
        assert stats["complete"] is True
        assert stats["states"] > 0 and stats["transitions"] >= stats["states"] - 1
        assert {"max_depth", "seconds", "states_per_second"} <= set(stats)
    for r in results:
        if r["counterexample"] is not None:
            cx = parse(r["counterexample"])
            assert (cx.design, cx.prop, cx.bounds) == ("legacy", r["property"], CANONICAL)
            assert replay(cx).reproduced


def test_check_json_several_designs(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = check_json(["--go", "1.22", "--design", "legacy,handler-waits-for-seqlock"], capsys)
    assert code == 0
    assert len(doc["results"]) == 2 * len(PROPERTY_NAMES)
    dl = [r for r in doc["results"] if r["property"] == "deadlock-freedom"]
    assert [r["verdict"] for r in dl] == ["holds", "violated"]


def test_check_text_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "--go", "1.22", "--design", "legacy"], capsys)
    assert (code, err) == (0, "")
    row = next(line for line in out.splitlines() if line.startswith("legacy "))
    assert row.split()[1:8] == ["VIOL", "holds", "holds", "VIOL", "VIOL", "holds", "holds"]
    assert "Every verdict matches its expectation." in out
    assert "!" not in row


def test_check_out_writes_replayable_counterexamples(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "cx"
    code, doc = check_json(["--go", "1.22", "--design", "legacy", "--out", str(out_dir)], capsys)
    assert code == 0
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == sorted(f"go1.22--legacy--{p}.json" for p in DESIGNS["legacy"].violates)
    for r in doc["results"]:
        if r["counterexample"] is not None:
            assert Path(r["counterexample_file"]).name == f"go1.22--legacy--{r['property']}.json"
    for name in files:
        assert replay(load(out_dir / name)).reproduced


def test_check_no_liveness_still_finds_a_deadlock(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = check_json(["--design", "handler-waits-for-seqlock", "--no-liveness"], capsys)
    assert code == 0
    assert {r["property"]: r["verdict"] for r in doc["results"]}["deadlock-freedom"] == "violated"


def test_check_no_liveness_does_not_claim_deadlock_freedom(capsys: pytest.CaptureFixture[str]) -> None:
    # Without the no-completion pass only part of deadlock-freedom was checked:
    # the verdict is incomplete, says which part was skipped, and is not a match.
    code, doc = check_json(["--design", "fixed", "--no-liveness"], capsys)
    dl = next(r for r in doc["results"] if r["property"] == "deadlock-freedom")
    assert code == 3 and (dl["verdict"], dl["matches"]) == ("incomplete", False)
    assert "no-completion" in dl["skipped"] and "--no-liveness" in dl["skipped"]
    others = [r for r in doc["results"] if r["property"] != "deadlock-freedom"]
    assert {r["verdict"] for r in others} == {"holds"} and not any("skipped" in r for r in others)
    code, out, _ = run(["check", "--design", "fixed", "--no-liveness"], capsys)
    row = next(line for line in out.splitlines() if line.startswith("fixed "))
    assert "incompl* " in row and "holds" in row
    assert "*: deadlock-freedom: the no-completion part" in out
    code, doc = check_json(["--design", "fixed"], capsys)  # the twin: with it, holds
    assert code == 0
    assert next(r for r in doc["results"] if r["property"] == "deadlock-freedom")["verdict"] == "holds"


def test_a_verdict_against_expectation_exits_1(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    violates = set(DESIGNS["legacy"].violates)
    wrong = dataclasses.replace(DESIGNS["legacy"], violates={})  # claims legacy is correct
    monkeypatch.setitem(DESIGNS, "legacy", wrong)
    code, doc = check_json(["--go", "1.22", "--design", "legacy"], capsys)
    assert code == 1
    assert doc["ok"] is False
    bad = {r["property"] for r in doc["results"] if not r["matches"]}
    assert bad == violates and {"sample-generation", "no-unflushed-at-stop"} <= bad
    code, out, _ = run(["check", "--go", "1.22", "--design", "legacy"], capsys)
    assert code == 1
    assert "legacy@1.22 / sample-generation: observed violated, expected holds" in out


@pytest.mark.parametrize("budget", [["--max-states", "100"], ["--max-seconds", "1e-9"]])
def test_a_budget_makes_verdicts_incomplete_never_holds(budget: list[str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = check_json(["--design", "fixed", *budget], capsys)
    assert code == 3, "fixed is expected to hold everything, which a cut search cannot show"
    assert doc["ok"] is False
    for r in doc["results"]:
        assert r["verdict"] == "incomplete", r
        assert r["stats"]["complete"] is False
        assert "budget" in r["stats"]["cut"]


def test_a_budget_keeps_violations_found_before_the_cut(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = check_json(["--design", "reader-unlocked", "--max-states", "20000"], capsys)
    verdicts = {r["property"]: r["verdict"] for r in doc["results"]}
    assert set(verdicts.values()) == {"violated", "incomplete"}
    assert verdicts["deadlock-freedom"] == "incomplete"
    assert code == 3, "deadlock-freedom is expected to hold, which a cut search cannot show"


# -- bad input: exit 2, one line, no traceback ---------------------------------------------

BAD = {
    "unknown design": ["check", "--design", "nonsense"],
    "unknown design in a list": ["check", "--design", "fixed,nonsense"],
    "bad bound key": ["check", "--bound", "threads=2"],
    "bound out of range": ["check", "--bound", "workers=9"],
    "odd word": ["check", "--bound", "word=5"],
    "bound not a number": ["check", "--bound", "signals=many"],
    "two named bounds": ["check", "--bound", "large", "canonical"],
    "two named bounds across repeats": ["check", "--bound", "large", "--bound", "ring"],
    "unknown named bound": ["check", "--bound", "huge"],
    "no bound given": ["check", "--bound"],
    "max-states 0": ["check", "--max-states", "0"],
    "max-states negative": ["check", "--max-states", "-3"],
    "max-states not a number": ["check", "--max-states", "lots"],
    "max-seconds 0": ["check", "--max-seconds", "0"],
    "max-seconds not a number": ["check", "--max-seconds", "soon"],
    "unknown subcommand": ["frobnicate"],
    "unknown check option": ["check", "--frob"],
    "unknown list option": ["list", "--frob"],
    "unknown replay option": ["replay", "--frob", "x.json"],
    "replay without a file": ["replay"],
    "stray argument": ["list", "extra"],
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_one_line(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(BAD[case], capsys)
    assert_one_line_error(code, out, err)
    assert out == ""


def test_bad_input_messages_say_what_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(BAD["unknown design"], capsys)
    assert "nonsense" in err and "fixed" in err, "names the bad design and the known ones"
    _, _, err = run(BAD["bound out of range"], capsys)
    assert "workers=9" in err and "0 to 4" in err
    _, _, err = run(BAD["max-states 0"], capsys)
    assert "--max-states" in err


def test_out_that_is_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "file"
    f.write_text("")
    code, out, err = run(["check", "--go", "1.22", "--design", "legacy", "--out", str(f)], capsys)
    assert_one_line_error(code, out, err)
    assert "not a directory" in err


def test_no_subcommand_shows_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([], capsys)
    assert code == 2
    assert "check" in out and "replay" in out and "list" in out
    assert "Traceback" not in err


# -- as a user runs it ------------------------------------------------------------------

def gentrace(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "gentrace", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [["check", "--design", "nonsense"], ["check", "--bound", "word=5"],
                                  ["replay", "no-such-file.json"], ["frobnicate"]],
                         ids=["design", "bound", "replay", "subcommand"])
def test_subprocess_bad_input_has_no_traceback(args: list[str], tmp_path: Path) -> None:
    p = gentrace(*args, cwd=tmp_path)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert p.stderr.startswith("gentrace: ") and p.stderr.count("\n") == 1, p.stderr
    assert p.stdout == ""


def test_subprocess_check_and_replay(tmp_path: Path) -> None:
    p = gentrace("check", "--go", "1.22", "--design", "legacy", "--out", str(tmp_path), "--quiet")
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    files = sorted(tmp_path.iterdir())
    assert len(files) == len(DESIGNS["legacy"].violates)
    r = gentrace("replay", str(files[0]))
    assert r.returncode == 0
    assert "REPRODUCED" in r.stdout


def test_vacuous_is_expected_where_the_bound_cannot_reach_the_property(
        capsys: pytest.CaptureFixture[str]) -> None:
    """At the bound `ring` there are no workers, so the event properties are vacuous, as expected."""
    code, out, _ = run(["check", "--design", "fixed", "--bound", "ring", "--quiet"], capsys)
    row = next(line for line in out.splitlines() if line.startswith("fixed "))
    assert "vacuous " in row and "!" not in row
    assert code == 0 and "Every verdict matches its expectation." in out
    code, doc = check_json(["--design", "fixed", "--bound", "ring"], capsys)
    ev = next(r for r in doc["results"] if r["property"] == "event-generation")
    assert (ev["verdict"], ev["expected"], ev["matches"]) == ("vacuous", "vacuous", True)


def test_vacuous_where_the_bound_reaches_the_property_is_a_mismatch(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The twin: claim the bound reaches every property, and the vacuous verdicts are caught."""
    from gentrace.model import designs
    monkeypatch.setattr(designs, "antecedent_reachable", lambda prop, b: True)
    code, out, _ = run(["check", "--design", "fixed", "--bound", "ring", "--quiet"], capsys)
    assert code == 1 and "fixed@1.27 / event-generation: observed vacuous, expected holds" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        run(["--version"], capsys)
    out = capsys.readouterr().out
    assert e.value.code == 0 and re.fullmatch(r"gentrace \S+\n", out), out


def test_repeated_options_merge_instead_of_overriding(capsys: pytest.CaptureFixture[str]) -> None:
    """--bound large --bound workers=2 keeps large; --design a --design b checks both."""
    code, doc = check_json(["--bound", "large", "--bound", "workers=2", "--design", "fixed",
                            "--design", "corrected", "--max-states", "10"], capsys)
    assert (doc["bounds"]["signals"], doc["bounds"]["workers"]) == (2, 2)
    assert {r["design"] for r in doc["results"]} == {"fixed", "corrected"}
    code, doc = check_json(["--go", "1.24", "--go", "1.26", "--design", "corrected",
                            "--max-states", "10"], capsys)
    assert {r["release"] for r in doc["results"]} == {"1.24", "1.26"}
