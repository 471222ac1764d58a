"""Ctrl-C always stops a check, keeps what finished, prints no traceback, and exits 130.

The interrupts here are real SIGINTs sent to the test's own process (or, in the
last test, to a ``gentrace`` child process).  Two of them are swallowed on
purpose, as the interpreter swallows a KeyboardInterrupt raised inside a garbage
collector callback (Hypothesis registers one) or a ``__del__``: the run must stop
all the same.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gentrace.explore.check
import gentrace.stateful.engine
import pytest
from gentrace.cli.main import main
from gentrace.model import PROPERTY_NAMES

REPO = Path(__file__).resolve().parent.parent
ARGS = ["check", "--go", "1.26", "--design", "no-drain,fixed"]


def swallowed_sigint() -> None:
    """A SIGINT whose KeyboardInterrupt is lost, as in a gc callback."""
    try:
        signal.raise_signal(signal.SIGINT)
    except KeyboardInterrupt:
        pass


def interrupt_second_search(monkeypatch: pytest.MonkeyPatch, send: Callable[[], None]) -> None:
    """Make the search of the second design (``fixed``) receive ``send()`` mid-way."""
    real = gentrace.explore.check.explore

    def explore(system: Any, **kw: Any) -> Any:
        if system.design.name != "fixed":
            return real(system, **kw)
        sent = []

        def progress(st: Any) -> None:
            if not sent:
                sent.append(1)
                send()
        return real(system, **{**kw, "progress": progress})

    monkeypatch.setattr(gentrace.explore.check, "explore", explore)


@pytest.mark.parametrize("send", [lambda: signal.raise_signal(signal.SIGINT), swallowed_sigint],
                         ids=["raised", "swallowed"])
def test_an_interrupted_search_keeps_the_finished_design(
        send: Callable[[], None], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    interrupt_second_search(monkeypatch, send)
    code = main([*ARGS, "--json"])
    out, err = capsys.readouterr()
    assert code == 130 and err == ""
    doc = json.loads(out)
    assert not doc["ok"] and "fixed@1.26 was interrupted" in doc["interrupted"]
    rows = {(r["design"], r["property"]): r for r in doc["results"]}
    # The finished design keeps its verdicts; the interrupted one is incomplete
    # (or violated, for what its partial search had already found).
    assert rows[("no-drain", "sample-generation")]["verdict"] == "violated"
    assert all(rows[("no-drain", p)]["stats"]["complete"] for p in PROPERTY_NAMES)
    for p in PROPERTY_NAMES:
        r = rows[("fixed", p)]
        assert r["verdict"] in ("incomplete", "violated") and r["stats"]["interrupted"]
    assert rows[("fixed", "sample-generation")]["verdict"] == "incomplete"


def test_the_matrix_of_an_interrupted_run_shows_what_finished(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    interrupt_second_search(monkeypatch, swallowed_sigint)
    code = main([*ARGS, "--design", "corrected"])
    out, err = capsys.readouterr()
    assert code == 130 and err == ""
    lines = out.splitlines()
    assert any(line.startswith("no-drain ") and "VIOL" in line for line in lines)
    fixed = next(line for line in lines if line.startswith("fixed "))
    assert "incompl" in fixed and "interrupted (Ctrl-C)" in fixed
    assert not any(line.startswith("corrected ") for line in lines)
    assert lines[-1] == ("Interrupted (Ctrl-C): fixed@1.26 was interrupted; its verdicts are those "
                         "of a partial search. 1 of 3 design(s) checked in full; not run: "
                         "corrected@1.26.")


def test_a_hunt_stops_on_an_interrupt_lost_in_a_gc_callback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = gentrace.stateful.engine.run_state_machine_as_test

    def run(cls: Any, **kw: Any) -> Any:
        if "fixed" in cls.__name__:
            fired = []

            def callback(phase: str, info: Any) -> None:
                if not fired:
                    fired.append(1)
                    signal.raise_signal(signal.SIGINT)  # raised here, and lost
            gc.callbacks.append(callback)
            try:
                gc.collect()
            finally:
                gc.callbacks.remove(callback)
            assert fired
        return real(cls, **kw)

    monkeypatch.setattr(gentrace.stateful.engine, "run_state_machine_as_test", run)
    code = main(["check", "--engine", "hypothesis", "--go", "1.26", "--design", "no-drain,fixed",
                 "--examples", "5", "--no-shrink", "--seed", "1", "--json"])
    out, err = capsys.readouterr()
    assert code == 130
    assert "Traceback" not in err and "Exception ignored" not in err
    doc = json.loads(out)
    rows = {(r["design"], r["property"]): r for r in doc["results"]}
    # The finished hunt keeps its verdicts; the interrupted one's are incomplete.
    assert {rows[("no-drain", p)]["verdict"] for p in PROPERTY_NAMES} <= {"violated", "not-found"}
    assert not rows[("no-drain", "sample-generation")]["stats"].get("interrupted")
    assert {rows[("fixed", p)]["verdict"] for p in PROPERTY_NAMES} == {"incomplete"}
    assert rows[("fixed", "event-generation")]["summary"].startswith("cut short: no violation found in")


def test_ctrl_c_on_a_real_hypothesis_run_exits_130_without_noise(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.Popen(
        [sys.executable, "-m", "gentrace", "check", "--engine", "hypothesis", "--go", "1.24",
         "--design", "fixed", "--seed", "5", "--examples", "100000"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # well into the hunt (not a timing assertion: any moment must work)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (out, err)
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "@seed" not in out and "reproduce" not in out


def test_ctrl_c_inside_a_z3_query_of_a_proof_exits_130(tmp_path: Path) -> None:
    """z3 takes SIGINT for itself while it searches and answers "unknown": that must stop
    the run (130), not become an "incomplete" verdict."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.Popen(
        [sys.executable, "-m", "gentrace", "prove", "--unbounded", "--design", "corrected",
         "--workers", "2,3"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)  # inside the consecution checks (any moment must work)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert "interrupted" in out and "solver answered unknown" not in out
