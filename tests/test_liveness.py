"""The deadlock-freedom checks beyond the self-deadlock invariant."""

from __future__ import annotations

import dataclasses
from array import array

from gentrace.core.counterexample import Counterexample
from gentrace.core.replay import replay
from gentrace.explore.search import VIOLATED, _first_unfinishable, explore
from gentrace.model import PROPERTY_NAMES, get_design, parse_bounds
from gentrace.model.system import System

SMALL = parse_bounds(["advances=1"])
DL = 1 << PROPERTY_NAMES.index("deadlock-freedom")


def graph(edges: dict[int, list[int]], n: int) -> tuple[array, array]:
    off, dst = array("i"), array("i")
    for s in range(n):
        off.append(len(dst))
        dst.extend(edges.get(s, []))
    off.append(len(dst))
    return off, dst


def test_unfinishable_cycle_is_found() -> None:
    # 0 -> 1 -> 2 (finished); 0 -> 3 <-> 4 (a cycle with no way out)
    off, dst = graph({0: [1, 3], 1: [2], 3: [4], 4: [3]}, 5)
    assert _first_unfinishable(5, off, dst, array("i", [2])) == 3


def test_cycle_with_an_exit_is_fine() -> None:
    # A back edge (4 -> 1) and a way out from the cycle through a lower id.
    off, dst = graph({0: [1], 1: [3], 3: [4], 4: [1, 2]}, 5)
    assert _first_unfinishable(5, off, dst, array("i", [2])) == -1


def without_self_wait_invariant(system: System) -> System:
    """The same system, but blind to a handler waiting on its own M."""
    blind = dataclasses.replace(system.compiled,
                                violated=lambda s, v=system.compiled.violated: v(s) & ~DL)
    clone = object.__new__(System)
    clone.__dict__.update(system.__dict__)
    clone.compiled = blind
    return clone


def test_liveness_pass_catches_the_waiting_handler_on_its_own() -> None:
    """Twin of deadlock-freedom holding for fixed: even without the self-wait
    invariant, the waiting handler leaves states from which nothing can finish."""
    system = without_self_wait_invariant(System(get_design("handler-waits-for-seqlock"), SMALL))
    res = explore(system)
    assert res.verdicts["deadlock-freedom"] == VIOLATED
    f = res.findings["deadlock-freedom"]
    assert f.kind in ("deadlock", "no-completion")
    assert "waiting for W0's seqlock" in f.message or "seqlock" in f.message
    cx = Counterexample.from_path(system, "deadlock-freedom", f.kind, f.message, f.path)
    assert replay(cx).reproduced


def test_fixed_can_always_finish() -> None:
    res = explore(System(get_design("fixed"), SMALL))
    assert res.verdicts["deadlock-freedom"] == "holds"
    assert "deadlock-freedom" in res.witnessed
