"""``gentrace prove --unbounded``: verdicts say exactly what was established.

A proof's search takes minutes (``bench/bench_unbounded.py``); here budgets of a few
seconds show the command's contract: an expected violation is shown by a bounded run
that replays, whatever was not established is ``incomplete`` (never ``proved``), and
the exit status says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run

from checker.core.counterexample import load
from checker.core.replay import replay


@pytest.mark.parametrize("argv,needle", [
    (["prove", "--unbounded", "--workers", "x"], "'x' is not a whole number"),
    (["prove", "--unbounded", "--workers", "9"], "out of range"),
    (["prove", "--bmc", "2", "--workers", "1"], "--workers goes with --unbounded"),
])
def test_bad_input_is_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_broken_design_is_violated_by_a_run_that_replays(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["prove", "--unbounded", "--design", "no-drain", "--workers", "1",
                        "--max-seconds", "3", "--out", str(tmp_path), "--json"], capsys)
    doc = json.loads(out)
    (row,) = doc["proofs"]
    assert row["verdicts"]["sample-generation"] == "violated"
    assert row["verdict"] == "violated"
    for p, f in row["files"].items():
        cx = load(Path(f))
        assert cx.prop == p
        assert replay(cx).reproduced
    # What was not shown either way is incomplete, and that fails the run.
    assert "proved" not in row["verdicts"].values() or row["matches"]
    assert code == 1


def test_a_cut_short_proof_is_incomplete(capsys: pytest.CaptureFixture[str]) -> None:
    """Twin: a design that holds everything, with no time to prove it, is not proved."""
    code, out, _ = run(["prove", "--unbounded", "--design", "corrected", "--workers", "1",
                        "--max-seconds", "2", "--json"], capsys)
    (row,) = json.loads(out)["proofs"]
    assert set(row["verdicts"].values()) == {"incomplete"}
    assert row["verdict"] == "incomplete" and not row["matches"] and code == 1
