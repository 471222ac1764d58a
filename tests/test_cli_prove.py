"""``gentrace prove``: bounded model checking and lemmas from the command line."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from cli_run import run
from gentrace.model import DESIGNS


@pytest.mark.parametrize("argv,needle", [
    (["prove"], "say what to prove"),
    (["prove", "--bmc", "-1"], "negative"),
    (["prove", "--bmc", "x"], "not a whole number"),
    (["prove", "--bmc", "3", "--design", "nosuch"], "unknown design"),
    (["prove", "--bmc", "3", "--go", "1.19"], "1.19"),
    (["prove", "--bmc", "3", "--bound", "workers=9"], "workers=9"),
])
def test_bad_input_is_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err, err


def test_prove_bmc_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["prove", "--bmc", "3", "--design", "handler-waits-for-seqlock,corrected",
                          "--json", "--out", str(tmp_path)], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["ok"] and doc["method"] == "bmc" and doc["k"] == 3
    cells = {(r["design"], r["property"]): r for r in doc["results"]}
    dl = cells[("handler-waits-for-seqlock", "deadlock-freedom")]
    assert dl["verdict"] == "violated" and dl["engine"] == "z3" and dl["counterexample_file"]
    assert {r["verdict"] for k, r in cells.items() if k[0] == "corrected"} == {"not-found"}
    code, out, _ = run(["replay", "--quiet", dl["counterexample_file"]], capsys)
    assert code == 0 and out.startswith("REPRODUCED")


def test_prove_text_says_none_within_k_never_holds(capsys: pytest.CaptureFixture[str]) -> None:
    # The handler's self-deadlock takes three steps since traceAcquire checks traceEnabled()
    # as a step of its own (enabled check, acquirem and seqlock, then the signal's wait).
    code, out, _ = run(["prove", "--bmc", "3", "--design", "corrected,handler-waits-for-seqlock"], capsys)
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("corrected "))
    assert "none<=3" in row and "holds" not in row
    row = next(line for line in out.splitlines() if line.startswith("handler-waits-for-seqlock "))
    assert "VIOL@3" in row


def test_an_unexpected_violation_exits_1(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    wrong = dataclasses.replace(DESIGNS["handler-waits-for-seqlock"], violates={})
    monkeypatch.setitem(DESIGNS, "handler-waits-for-seqlock", wrong)
    code, out, _ = run(["prove", "--bmc", "3", "--design", "handler-waits-for-seqlock"], capsys)
    assert code == 1 and "unexpected: handler-waits-for-seqlock@1.27 / deadlock-freedom" in out


def test_prove_lemmas(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["prove", "--lemmas", "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["ok"]
    real = [lm for lm in doc["lemmas"] if lm["group"] == "traceNextGen"]
    assert len(real) == 6 and {lm["verdict"] for lm in real} == {"proved"}
    wrap = [lm for lm in doc["lemmas"] if lm["group"] == "wrap-to-one" and lm["verdict"] == "refuted"]
    assert {lm["witness"] for lm in wrap} == {(1 << 32) - 1, (1 << 64) - 1}


@pytest.mark.parametrize("argv,needle", [
    (["check", "--depth", "3"], "--depth applies to --engine z3 or all"),
    (["check", "--engine", "z3", "--seed", "1"], "--seed applies to --engine hypothesis or all"),
    (["check", "--engine", "z3", "--no-liveness"], "--no-liveness applies"),
    (["check", "--engine", "z3", "--max-states", "9"], "--max-states applies"),
])
def test_engine_options_that_would_be_ignored_are_refused(argv: list[str], needle: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and needle in err and err.count("\n") == 1


def test_check_engine_z3_is_bmc(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--engine", "z3", "--design", "handler-waits-for-seqlock", "--depth", "3"],
                       capsys)
    assert code == 0 and out.startswith("engine: z3, bounded model checking to depth 3")
    assert "VIOL@3" in out


def test_three_engines_disagree_when_bmc_misses_a_violation_within_its_depth() -> None:
    # The agreement rule: the explorer's shortest violation within BMC's depth must be BMC's too.
    from types import SimpleNamespace

    from gentrace.cli.check_hypothesis import _agreement

    d = SimpleNamespace(label="x@1.27")
    cx5 = SimpleNamespace(steps=[("A", "s")] * 5)
    e = SimpleNamespace(design=d, prop="single-reader", verdict="violated", counterexample=cx5)
    h = SimpleNamespace(design=d, prop="single-reader", verdict="violated", summary="violated")
    z_missed = SimpleNamespace(design=d, prop="single-reader", verdict="not-found", summary="none",
                               counterexample=None)
    z_found = SimpleNamespace(design=d, prop="single-reader", verdict="violated", summary="v",
                              counterexample=cx5)
    assert _agreement([e], [h], [z_missed], 10)[0]["agree"] is False
    assert _agreement([e], [h], [z_found], 10)[0]["agree"] is True
    deeper = _agreement([e], [h], [z_missed], 4)[0]
    assert deeper["agree"] is True and deeper["missed"] == ["z3: deeper than 4 steps (5)"]
    holds = SimpleNamespace(design=d, prop="single-reader", verdict="holds", counterexample=None)
    assert _agreement([holds], [h], [z_missed], 10)[0]["agree"] is False  # a sample's violation
