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
from gentrace.core.counterexample import load
from gentrace.core.replay import replay


@pytest.mark.parametrize("argv,needle", [
    (["prove", "--unbounded", "--workers", "x"], "'x' is not a whole number"),
    (["prove", "--unbounded", "--workers", "9"], "out of range"),
    (["prove", "--bmc", "2", "--workers", "1"], "--workers goes with --unbounded"),
    (["prove", "--bmc", "2", "--method", "explicit"], "--method goes with --unbounded"),
    # The mined-invariant search was removed (it proved nothing): an unknown method now.
    (["prove", "--unbounded", "--method", "mined"], "unknown value for --method 'mined'"),
    (["prove", "--unbounded", "--seed", "1"], "unrecognized arguments: --seed 1"),
    (["prove", "--unbounded", "--max-states", "9"], "--max-states goes with --unbounded --method explicit"),
    (["prove", "--unbounded", "--method", "explicit", "--max-states", "0"], "at least 1"),
    (["prove", "--unbounded", "--method", "magic"], "unknown value for --method 'magic'"),
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


SMALL = ["--bound", "tracebuf=1", "ring_tags=1", "nested=0"]


def test_explicit_cut_short_is_incomplete_and_says_where(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["prove", "--unbounded", "--method", "explicit", "--design", "corrected",
                        "--workers", "1", "--max-states", "5000", "--json", *SMALL], capsys)
    (row,) = json.loads(out)["proofs"]
    assert row["method"] == "explicit"
    assert set(row["verdicts"].values()) == {"incomplete"}
    assert all("state budget of 5000 reached" in m for m in row["methods"].values())
    assert all(n >= 5000 for n in row["states"].values())
    assert code == 1


def test_explicit_shows_a_broken_design(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Twin: reader-exits-when-empty breaks reader-lifetime: a bounded run shows it (expected),
    and the explicit search's own verdicts on the rest are never a wrong 'proved'."""
    code, out, _ = run(["prove", "--unbounded", "--method", "explicit", "--design",
                        "reader-exits-when-empty", "--workers", "1", "--max-states", "5000",
                        "--out", str(tmp_path), "--json", *SMALL], capsys)
    (row,) = json.loads(out)["proofs"]
    assert row["verdicts"]["reader-lifetime"] == "violated"
    assert replay(load(Path(row["files"]["reader-lifetime"]))).reproduced
    assert code == 1


def test_explicit_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["prove", "--unbounded", "--method", "explicit", "--design", "corrected",
                        "--workers", "0", "--max-states", "3000", *SMALL], capsys)
    assert out.startswith("engine: exhaustive search of the unbounded system")
    assert "state budget of 3000 reached" in out and code == 1


def test_stated_is_the_default_and_proves_the_corrected_design(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["prove", "--unbounded", "--design", "corrected", "--workers", "0", "--json"], capsys)
    (row,) = json.loads(out)["proofs"]
    assert row["method"] == "stated" and row["verdict"] == "proved" and row["matches"] and code == 0
    assert row["verdicts"]["generation-order"] == "vacuous"
    assert all("re-checked by a plain solver" in m for p, m in row["methods"].items()
               if row["verdicts"][p] == "proved")
    used = row["lemmas_used"]
    assert "signalLock.held" in used["single-reader"]
    assert "goal.sample-generation" in used["sample-generation"]
    assert "goal.sample-generation" not in used["single-reader"]


@pytest.mark.heavy
def test_stated_table_says_what_a_mutant_breaks(capsys: pytest.CaptureFixture[str]) -> None:
    """Twin: a design that breaks a lemma is not proved where the lemma was needed, and the
    table says which lemma and which step."""
    code, out, _ = run(["prove", "--unbounded", "--design", "handler-no-elision", "--go", "1.22",
                        "--workers", "0", "--bound", "tracebuf=1", "nested=0"], capsys)
    assert out.startswith("engine: z3, stated invariants")
    assert "violated" in out and "lemmas that fail here" in out and "can break it" in out
    assert code == 1


def test_invariants_are_listed_with_their_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["prove", "--invariants", "--design", "corrected", "--workers", "2"], capsys)
    assert code == 0
    assert "go1.27 corrected, 2 worker(s):" in out
    assert "  W1.marker: W1's marker is set exactly while" in out
    assert "[for sample-conservation, sample-generation]" in out
    code, out, _ = run(["prove", "--invariants", "--design", "corrected", "--json"], capsys)
    (doc,) = json.loads(out)["invariants"]
    assert doc["workers"] == 1 and all(i["reason"] for i in doc["invariants"])


def test_invariants_is_a_listing_not_a_proof(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["prove", "--invariants", "--unbounded"], capsys)
    assert code == 2 and "--invariants lists the stated invariants" in err and err.count("\n") == 1
