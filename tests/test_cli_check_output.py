"""What ``gentrace check`` prints at the end of a run: the findings it cannot show, a search
cut short (and its exit status, 3), the steps that never fired, the ``--engine all`` table,
and how often the progress line is redrawn."""

from __future__ import annotations

import dataclasses
import json
import shlex

import pytest
from cli_run import run
from gentrace.cli.check import _Progress, findings_not_shown
from gentrace.cli.check_hypothesis import _print_both
from gentrace.cli.main import build_parser
from gentrace.cli.select import select_designs
from gentrace.core.stats import Stats
from gentrace.model import CANONICAL, DESIGNS, FINDINGS, NAMED, parse_bounds


def check_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code, out, err = run(["check", "--json", *argv], capsys)
    assert err == ""
    return code, json.loads(out)


# -- item: the findings a run cannot show -----------------------------------------------------

def test_the_default_run_names_every_finding_it_cannot_show() -> None:
    """At the defaults (newest release, every design, canonical bound) neither finding shows:
    single-read-drain needs a larger bound, reentrant-fresh-gen is go1.24's."""
    unshown = findings_not_shown(select_designs(None, None), CANONICAL)
    assert [u["finding"] for u in unshown] == list(FINDINGS)
    by = {u["finding"]: u["command"] for u in unshown}
    assert by["single-read-drain"] == "gentrace check --go 1.27 --design fixed --bound ring"
    assert by["reentrant-fresh-gen"] == "gentrace check --go 1.24 --design fixed"


@pytest.mark.parametrize("name", list(FINDINGS))
def test_each_command_named_shows_its_finding(name: str) -> None:
    """The command named for a finding runs the shipped design where it is expected violated."""
    u = next(u for u in findings_not_shown(select_designs(None, None), CANONICAL)
             if u["finding"] == name)
    args = build_parser().parse_args(shlex.split(u["command"])[1:])
    (d,) = select_designs(",".join(args.design), ",".join(args.go))
    bounds = parse_bounds(args.bound)
    for prop in FINDINGS[name].violates:
        assert d.expected(prop, bounds) == "violated", (name, prop)
    assert not any(x["finding"] == name for x in findings_not_shown([d], bounds))


def test_a_run_that_shows_a_finding_does_not_name_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = check_json(["--design", "fixed", "--bound", "ring"], capsys)
    assert code == 0
    violated = {r["property"] for r in doc["results"] if r["verdict"] == "violated"}
    assert violated == set(FINDINGS["single-read-drain"].violates), "the command shows it"
    assert [u["finding"] for u in doc["findings_not_shown"]] == ["reentrant-fresh-gen"]


def test_the_text_ends_with_one_line_per_finding_not_shown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--go", "1.24", "--design", "fixed", "--quiet"], capsys)
    assert code == 0
    tail = out.splitlines()[-2:]
    assert tail[0].startswith("Findings this run does not show")
    assert tail[1] == ("  single-read-drain (the bound is too small for it): "
                       "gentrace check --go 1.24 --design fixed --bound ring")


def test_a_search_cut_short_names_the_finding_it_did_not_reach(capsys: pytest.CaptureFixture[str]) -> None:
    """The bound `ring` shows single-read-drain, but not within 100 states."""
    code, doc = check_json(["--design", "fixed", "--bound", "ring", "--max-states", "100"], capsys)
    assert code == 3
    (u,) = [u for u in doc["findings_not_shown"] if u["finding"] == "single-read-drain"]
    assert u["why"] == "the search was cut short"
    assert u["command"] == "gentrace check --go 1.27 --design fixed --bound ring"


def test_a_run_without_the_shipped_design_names_no_finding(capsys: pytest.CaptureFixture[str]) -> None:
    assert findings_not_shown(select_designs("corrected", None), CANONICAL) == []
    assert findings_not_shown(select_designs("fixed", "1.24"), NAMED["large"]) == []


# -- item: a search cut short ----------------------------------------------------------------

def test_a_search_cut_short_exits_3_and_says_how_far_it_got(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "--design", "fixed", "--max-states", "5000", "--quiet"], capsys)
    assert code == 3, out
    assert "!" not in out and "expected holds" not in out, "an incomplete verdict contradicts nothing"
    assert "Nothing found contradicts an expectation." in out
    line = next(x for x in out.splitlines() if x.startswith("  fixed@1.27: "))
    assert "state budget of 5000 reached after 5,000 states, depth " in line and "states/s" in line
    assert "per design" in out and "--engine hypothesis" in out and "a larger budget" in out
    code, doc = check_json(["--design", "fixed", "--max-states", "5000"], capsys)
    assert code == 3 and doc["status"].startswith("incomplete")
    (cut,) = doc["cut_short"]
    assert cut["states"] == 5000 and cut["depth"] > 0 and "state budget" in cut["cut"]


def test_a_contradiction_found_before_the_cut_still_exits_1(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The twin: a violation where the design claims none is a mismatch, budget or not."""
    monkeypatch.setitem(DESIGNS, "reader-unlocked",
                        dataclasses.replace(DESIGNS["reader-unlocked"], violates={}))
    code, out, _ = run(["check", "--design", "reader-unlocked", "--max-states", "20000", "--quiet"],
                       capsys)
    assert code == 1
    assert "observed violated, expected holds" in out and "observed incomplete" not in out


def test_help_documents_the_exit_statuses_and_the_per_design_budget(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run(["check", "--help"], capsys)
    text = " ".join(capsys.readouterr().out.split())
    assert "3 when a budget cut a search short" in text and "130 on Ctrl-C" in text
    assert "a budget per design" in text


# -- item: the steps that never fired ---------------------------------------------------------

def test_never_fired_steps_are_one_short_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--go", "1.22", "--design", "legacy", "--quiet"], capsys)
    notes = [x for x in out.splitlines() if x.startswith("note:")]
    assert code == 0 and len(notes) == 1 and len(notes[0]) <= 100, notes
    assert "steps never fired" in notes[0] and "--verbose" in notes[0]
    code, out, _ = run(["check", "--go", "1.22", "--design", "legacy", "--quiet", "--verbose"], capsys)
    assert "takeOverflow" in out, "--verbose lists them"
    code, doc = check_json(["--go", "1.22", "--design", "legacy"], capsys)
    assert any("takeOverflow" in s for s in doc["results"][0]["stats"]["steps_never_fired"])


def test_verbose_is_refused_where_nothing_would_list_steps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", "--engine", "hypothesis", "--verbose"], capsys)
    assert code == 2 and err.count("\n") == 1 and "--verbose" in err


# -- item: the --engine all table --------------------------------------------------------------

def test_engine_all_columns_never_run_into_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    long_z3 = "no violation found within 10 steps"
    agreement = [{"design": "legacy@1.22", "property": p, "explore": "holds",
                  "hypothesis_summary": "no violation found in 585 runs to the end",
                  "z3_summary": long_z3, "agree": True, "missed": []}
                 for p in ("sample-generation", "deadlock-freedom")]
    _print_both([], CANONICAL, [], [], [], agreement, [], "how", 10, None, [])
    out = capsys.readouterr().out
    rows = [x for x in out.splitlines() if x.startswith("legacy@1.22")]
    assert len(rows) == 2
    for row in rows:
        assert f"{long_z3}  yes" in row, row
        assert "end  no violation" in row, row
    head = next(x for x in out.splitlines() if x.startswith("design"))
    assert head.index("z3") == rows[0].index(long_z3) and head.index("agree") == rows[0].index("yes")


# -- item: the progress line ------------------------------------------------------------------

def test_progress_is_redrawn_a_few_times_a_second(capsys: pytest.CaptureFixture[str]) -> None:
    """The search reports every 4,096 states (about 50 times a second): the line is redrawn
    at most twice a second of the run's own clock."""
    p = _Progress("fixed")
    for k in range(101):  # 100 reports over two seconds, from 2 s on
        p(Stats(states=4096 * k, transitions=0, depth=5, seconds=2 + k * 0.02))
    err = capsys.readouterr().err
    assert 1 <= err.count("\r") <= 5, err.count("\r")
    p(Stats(states=1, transitions=0, depth=5, seconds=60))
    assert "60 s" in capsys.readouterr().err, "a later report is still drawn"


def test_engine_all_cut_short_exits_3_too(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "--engine", "all", "--design", "corrected", "--examples", "5", "--no-shrink",
            "--depth", "2", "--quiet"]
    code, out, _ = run([*argv, "--max-states", "1000"], capsys)
    assert code == 3, out


def test_engine_all_contradiction_with_a_cut_exits_1(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The twin: claim corrected violates deadlock-freedom; nothing finds it, so the sample fails."""
    monkeypatch.setitem(DESIGNS, "corrected", dataclasses.replace(
        DESIGNS["corrected"], violates={"deadlock-freedom": "claimed"}))
    code, out, _ = run(["check", "--engine", "all", "--design", "corrected", "--examples", "5",
                        "--no-shrink", "--depth", "2", "--quiet", "--max-states", "1000"], capsys)
    assert code == 1, out
