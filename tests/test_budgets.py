"""Budgets cut the search where asked, and what is cut short is never called "holds"."""

from __future__ import annotations

import pytest
from gentrace.explore import INCOMPLETE, VIOLATED, explore
from gentrace.model import CANONICAL, build, get_design


@pytest.mark.parametrize("budget", [1, 100, 5000])
def test_state_budget_is_honoured(budget: int) -> None:
    system = build(get_design("fixed"), CANONICAL)
    res = explore(system, max_states=budget)
    most = max(len(system.steps), 1)
    assert budget <= res.stats.states <= budget + most
    assert not res.complete and "state budget" in res.cut
    assert set(res.verdicts.values()) == {INCOMPLETE}


def test_violation_found_before_the_cut_still_counts() -> None:
    """Twin: a budget does not hide what was already found."""
    res = explore(build(get_design("handler-waits-for-seqlock"), CANONICAL), max_states=500)
    assert res.verdicts["deadlock-freedom"] == VIOLATED
    assert res.verdicts["sample-generation"] == INCOMPLETE
