"""``gentrace prove``: bounded model checking and lemmas from the command line."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from checker.cli.main import main
from model import DESIGNS


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


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
    code, out, _ = run(["prove", "--bmc", "2", "--design", "corrected,handler-waits-for-seqlock"], capsys)
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("corrected "))
    assert "none<=2" in row and "holds" not in row
    row = next(line for line in out.splitlines() if line.startswith("handler-waits-for-seqlock "))
    assert "VIOL@2" in row


def test_an_unexpected_violation_exits_1(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    wrong = dataclasses.replace(DESIGNS["handler-waits-for-seqlock"], violates={})
    monkeypatch.setitem(DESIGNS, "handler-waits-for-seqlock", wrong)
    code, out, _ = run(["prove", "--bmc", "2", "--design", "handler-waits-for-seqlock"], capsys)
    assert code == 1 and "unexpected: handler-waits-for-seqlock@1.27 / deadlock-freedom" in out


def test_prove_lemmas(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["prove", "--lemmas", "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["ok"]
    real = [lm for lm in doc["lemmas"] if lm["group"] == "traceNextGen"]
    assert len(real) == 6 and {lm["verdict"] for lm in real} == {"proved"}
    wrap = [lm for lm in doc["lemmas"] if lm["group"] == "wrap-to-one" and lm["verdict"] == "refuted"]
    assert {lm["witness"] for lm in wrap} == {(1 << 32) - 1, (1 << 64) - 1}
