"""The findings kept under findings/ replay, and the corrections hold where the shipped design fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from gentrace.core.counterexample import load
from gentrace.core.replay import replay
from gentrace.explore import VIOLATED, explore
from gentrace.model import FINDINGS, NAMED, build, get_design

FILES = sorted((Path(__file__).resolve().parent.parent / "findings").glob("*.json"))


def test_every_finding_has_files() -> None:
    names = {f.name for f in FILES}
    assert any(n.startswith("go1.24--fixed--deadlock-freedom") for n in names)
    assert any(n.endswith("--sample-generation.json") for n in names)
    assert len(FINDINGS) == 2


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_finding_replays(path: Path) -> None:
    cx = load(path)
    assert cx.design == "fixed", "a finding is against the design a release ships"
    rp = replay(cx)
    assert rp.reproduced, rp.verdict
    assert get_design(cx.design, cx.release).expected(cx.prop, cx.bounds) == VIOLATED


@pytest.mark.parametrize("release", ["1.22", "1.24", "1.26"])
def test_single_read_drain_and_its_correction(release: str) -> None:
    """The twin pair: the shipped drain loses a record at the bound `ring`, the correction does not."""
    ring = NAMED["ring"]
    shipped = explore(build(get_design("fixed", release), ring), kernel="auto")
    fixed = explore(build(get_design("drain-until-empty", release), ring), kernel="auto")
    for prop in FINDINGS["single-read-drain"].violates:
        assert shipped.verdicts[prop] == VIOLATED
        assert fixed.verdicts[prop] == "holds"
