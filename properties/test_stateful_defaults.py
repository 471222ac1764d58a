"""The promise of ``gentrace check --engine hypothesis`` at its defaults, per release.

At the defaults (the ``ci`` profile, derandomized, the mixed schedule) a run on a
release exits 0: no violation where none is expected, and every design that should
violate a property is caught (a rare violation not met is ``nf!``, reported but not
failing; see :func:`gentrace.stateful.engine.sampling_verdict`).

Each release's run takes minutes of CPU (go1.27: 140 CPU seconds with shrinking),
so every release is behind ``-m heavy``; the default test run keeps only the twin:
the same command with a budget too small to catch anything fails, so the exit
status is not 0 for free.

Not yet met (issue 20): on go1.27 the derandomized default run catches neither
handler-no-seqlock nor handler-gen-before-seqlock, so these are expected failures
until the schedules find them at the defaults.
"""

from __future__ import annotations

import json

import pytest
from gentrace.cli.main import main
from gentrace.model.releases import RELEASES

DEFAULT_RELEASE = "1.27"
OTHERS = [r for r in RELEASES if r != DEFAULT_RELEASE]


def _default_run(release: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--engine", "hypothesis", "--go", release, "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["hypothesis"]["schedule"] == "mixed" and doc["hypothesis"]["derandomized"]
    assert (code, doc["sampling_problems"]) == (0, []), doc["sampling_problems"]


NOT_YET = pytest.mark.xfail(reason="issue 20: the default run does not yet catch every design",
                            strict=False)


@pytest.mark.heavy
@NOT_YET
def test_the_default_run_catches_every_design_on_the_default_release(
        capsys: pytest.CaptureFixture[str]) -> None:
    _default_run(DEFAULT_RELEASE, capsys)


@pytest.mark.heavy
@NOT_YET
@pytest.mark.parametrize("release", OTHERS)
def test_the_default_run_catches_every_design_on_every_release(
        release: str, capsys: pytest.CaptureFixture[str]) -> None:
    _default_run(release, capsys)


def test_twin_a_run_too_small_to_catch_anything_does_not_exit_0(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--engine", "hypothesis", "--design", "handler-gen-before-seqlock",
                 "--examples", "1", "--no-shrink", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["sampling_problems"], doc
