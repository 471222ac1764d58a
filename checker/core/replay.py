"""Replay a counterexample on the concrete model, step by step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gentrace.core.counterexample import Counterexample
from gentrace.model import System, build, get_design


class ReplayError(ValueError):
    """The file's steps do not run on the model; the message says where and why."""


@dataclass
class Row:
    index: int
    thread: str
    step: str
    go: str
    changes: list[tuple[str, str, str]]
    broken: bool  # the property fails in the state after this step


@dataclass
class Replay:
    system: System
    rows: list[Row]
    reproduced: bool
    verdict: str  # one line: what the final state shows
    first_broken: int | None  # first step after which an invariant fails


# How far replay looks ahead to decide a "no-completion" claim.
LOOKAHEAD_STATES = 2_000_000


def replay(cx: Counterexample) -> Replay:
    system = build(get_design(cx.design, cx.release), cx.bounds)
    inv = system.invariants[system.prop_index[cx.prop]]
    s = system.initial
    rows: list[Row] = []
    history: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
    first = None
    for i, (thread, name) in enumerate(cx.steps, 1):
        idx = system.step_index.get(f"{thread}:{name}")
        if idx is None:
            threads = sorted({st.thread for st in system.steps})
            if thread not in threads:
                raise ReplayError(f"step {i}: no thread {thread!r} in design {cx.design} at these "
                                  f"bounds (threads: {', '.join(threads)})")
            raise ReplayError(f"step {i}: thread {thread} has no step {name!r} in design {cx.design}")
        t = system.apply(s, idx)
        if t is None:
            raise ReplayError(
                f"step {i} ({thread} {name}) is not enabled at that point of the run; the file "
                "does not describe a run of this model")
        broken = not inv.ok(t)
        if broken and first is None:
            first = i
        rows.append(Row(i, thread, name, system.steps[idx].go, system.diff(s, t), bool(broken)))
        history.append((idx, s, t))
        s = t
    reproduced, verdict = judge(system, cx.prop, cx.kind, s, history)
    return Replay(system, rows, reproduced, verdict, first)


def judge(system: System, prop: str, kind: str, s: tuple[int, ...],
          history: Sequence[tuple[int, tuple[int, ...], tuple[int, ...]]] | None = None
          ) -> tuple[bool, str]:
    """Whether state ``s`` shows a violation of ``prop`` of the given kind.

    ``history``, the run's steps as (step index, state before, state after), lets the
    message name the step that broke a property kept as a sticky ghost bit."""
    from gentrace.core.explain import explain

    if kind in ("invariant", "self-deadlock"):
        inv = system.invariants[system.prop_index[prop]]
        if inv.ok(s):
            return False, f"{prop} holds in the final state"
        return True, explain(system, prop, s, history)
    if prop != "deadlock-freedom":
        return False, f"a {kind} violation can only be of deadlock-freedom, not {prop}"
    if system.finished(s):
        return False, "every thread has finished in the final state"
    if kind == "deadlock":
        if system.enabled(s):
            return False, "a step is still enabled in the final state"
        return True, "deadlock: no step is enabled but " + "; ".join(system.stuck_threads(s))
    # no-completion: search forward for a finished state.
    succ, fin = system.compiled.successors, system.compiled.finished
    seen = {s}
    todo = [s]
    while todo:
        x = todo.pop()
        if fin(x):
            return False, "a run from the final state lets every thread finish"
        for _, y in succ(x):
            if y not in seen:
                seen.add(y)
                todo.append(y)
        if len(seen) > LOOKAHEAD_STATES:
            return False, (f"undecided: more than {LOOKAHEAD_STATES} states reachable from the "
                           "final state without finding a finished one")
    return True, "no run from here lets every thread finish: " + "; ".join(system.stuck_threads(s))
