"""Exhaustive breadth-first exploration of every interleaving within a bound.

It keeps going after the first violation so that every property gets its own
verdict and its own shortest counterexample (BFS order: the first state found
violating a property is at minimal depth).  Deadlock-freedom is checked three
ways: a handler waiting on its own M (an invariant, reported as self-deadlock),
a state with no enabled step where some thread has not finished, and a state
from which no run lets every thread finish (found after the search by walking
the transition graph backwards from the finished states).
"""

from __future__ import annotations

import gc
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from gentrace.core import interrupt
from gentrace.core.stats import Stats, peak_rss_bytes
from gentrace.model import PROPERTY_NAMES, System

HOLDS, VIOLATED, VACUOUS, INCOMPLETE = "holds", "violated", "vacuous", "incomplete"
INTERRUPTED = "interrupted (Ctrl-C)"
NO_LIVENESS = ("the no-completion part (can every state still reach the end?) was skipped "
               "(--no-liveness); only deadlocked states and self-deadlocks were looked for")


@dataclass
class Finding:
    """A property violation found at state ``state_id`` (reached by ``path``)."""

    prop: str
    kind: str  # invariant | self-deadlock | deadlock | no-completion
    message: str
    path: list[int]


@dataclass
class ExploreResult:
    system: System
    complete: bool
    cut: str  # why the search stopped early, "" when complete
    stats: Stats
    findings: dict[str, Finding]
    witnessed: set[str]
    fired: set[int]
    verdicts: dict[str, str] = field(default_factory=dict)
    # property -> the part of its check that was not run (its verdict is then incomplete)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def interrupted(self) -> bool:
        return self.cut == INTERRUPTED

    def uncovered_steps(self) -> list[str]:
        return [st.key for i, st in enumerate(self.system.steps) if i not in self.fired]


Progress = Callable[[Stats], None]


def explore(system: System, *, max_states: int | None = None, max_seconds: float | None = None,
            liveness: bool = True, progress: Progress | None = None) -> ExploreResult:
    # The search allocates millions of small tuples and creates no reference
    # cycles; the cyclic collector would only rescan the growing frontier.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _explore(system, max_states, max_seconds, liveness, progress)
    finally:
        if enabled:
            gc.enable()


def _explore(system: System, max_states: int | None, max_seconds: float | None,
             liveness: bool, progress: Progress | None) -> ExploreResult:
    comp = system.compiled
    succ, viol, wit, fin = comp.successors_packed, comp.violated, comp.witnessed, comp.finished
    nprops = len(system.invariants)
    all_bits = (1 << nprops) - 1
    # States are ``bytes`` when every field fits one (the compiled successor
    # function then builds them directly), tuples otherwise; either is its own key.
    small = comp.packed
    key: Callable[[tuple[int, ...]], object] = bytes if small else tuple  # type: ignore[assignment]

    t0 = time.perf_counter()
    rss0 = peak_rss_bytes()
    init = system.initial
    ids: dict[object, int] = {key(init): 0}
    parent = array("i", [-1])
    via = array("H", [0])
    # Transitions, grouped by source (sources are expanded in id order):
    # state i's successors are dst_e[off[i]:off[i + 1]].
    off, dst_e = array("i"), array("i")
    finals = array("i")
    fired = bytearray(len(system.steps))
    found: dict[int, tuple[int, str, str]] = {}  # prop bit -> (state id, kind, message)
    found_bits = 0
    witnessed = wit(init)
    first_deadlock = -1

    def note(sid: int, s: tuple[int, ...]) -> None:
        nonlocal found_bits
        m = viol(s) & ~found_bits
        if not m:
            return
        for k in range(nprops):
            if m >> k & 1:
                prop = PROPERTY_NAMES[k]
                kind = "self-deadlock" if prop == "deadlock-freedom" else "invariant"
                found[k] = (sid, kind, _message(system, prop, tuple(s)))
        found_bits |= m

    note(0, init)
    # The frontier holds the states themselves, shared with the visited dict, so
    # a level costs no memory beyond its list.
    frontier: list[object] = [key(init)]
    transitions = 0
    depth = 0
    cut = ""
    count = 1
    # Budgets and progress are looked at every 4096 states and at the state
    # budget, so a run stops within one state's successors of that budget.
    every = 4096
    next_check = min(every, max_states) if max_states is not None else every
    ids_get = ids.get
    parent_append, via_append = parent.append, via.append
    off_append, dst_append = off.append, dst_e.append
    try:
        while frontier:
            nxt: list[object] = []
            nxt_append = nxt.append
            sid = count - len(frontier) - 1
            for s in frontier:
                sid += 1
                outs = succ(s)
                if liveness:
                    off_append(len(dst_e))
                if fin(s):
                    finals.append(sid)
                elif not outs and first_deadlock < 0:
                    first_deadlock = sid
                for step, t in outs:
                    fired[step] = 1
                    tid = ids_get(t)
                    if tid is None:
                        tid = count
                        count += 1
                        ids[t] = tid
                        parent_append(sid)
                        via_append(step)
                        nxt_append(t)
                        if viol(t) & ~found_bits:
                            note(tid, t)
                        if witnessed != all_bits:
                            witnessed |= wit(t)
                    if liveness:
                        dst_append(tid)
                transitions += len(outs)
                if count >= next_check:
                    next_check = count + every
                    if max_states is not None:
                        next_check = min(next_check, max_states)
                    cut = checkpoint(t0, count, max_states, max_seconds, None if progress is None else
                                     lambda el, c=count, n=transitions, d=depth + 1: progress(Stats(c, n, d, el)))
                    if cut:
                        break
            if cut:
                break
            if nxt:
                depth += 1
            frontier = nxt
    except KeyboardInterrupt:
        # Keep what was found: every finding so far has its whole path recorded.
        cut = INTERRUPTED
    complete = not cut
    dl = PROPERTY_NAMES.index("deadlock-freedom")
    dl_bit = 1 << dl
    if not found_bits & dl_bit and first_deadlock >= 0:
        s = _state_of(system, parent, via, first_deadlock)
        found[dl] = (first_deadlock, "deadlock",
                     "deadlock: no step is enabled but " + "; ".join(system.stuck_threads(s)))
        found_bits |= dl_bit
    if complete and liveness and not found_bits & dl_bit:
        off.append(len(dst_e))
        stuck = _first_unfinishable(len(parent), off, dst_e, finals)
        if stuck >= 0:
            s = _state_of(system, parent, via, stuck)
            found[dl] = (stuck, "no-completion",
                         "no run from here lets every thread finish: "
                         + "; ".join(system.stuck_threads(s)))
            found_bits |= dl_bit

    elapsed = time.perf_counter() - t0
    stats = Stats(len(parent), transitions, depth, elapsed,
                  peak_rss=max(peak_rss_bytes() - rss0, 0))
    findings = {}
    for k, (sid, kind, msg) in found.items():
        findings[PROPERTY_NAMES[k]] = Finding(PROPERTY_NAMES[k], kind, msg,
                                              _path(parent, via, sid))
    wset = {PROPERTY_NAMES[k] for k in range(nprops) if witnessed >> k & 1}
    res = ExploreResult(system, complete, cut, stats, findings, wset,
                        {i for i, f in enumerate(fired) if f})
    if not liveness:
        res.skipped["deadlock-freedom"] = NO_LIVENESS
    for p in PROPERTY_NAMES:
        if p in findings:
            res.verdicts[p] = VIOLATED
        elif not complete or p in res.skipped:
            res.verdicts[p] = INCOMPLETE
        elif p not in wset:
            res.verdicts[p] = VACUOUS
        else:
            res.verdicts[p] = HOLDS
    return res


def checkpoint(t0: float, count: int, max_states: int | None, max_seconds: float | None,
               report: Callable[[float], None] | None) -> str:
    """A search's periodic check: report progress (with the seconds since ``t0``), then the
    budget used up ("" if none), then a pending Ctrl-C (raised)."""
    elapsed = time.perf_counter() - t0
    if report is not None:
        report(elapsed)
    cut = over_budget(count, elapsed, max_states, max_seconds)
    if not cut:
        interrupt.check()
    return cut


def over_budget(count: int, elapsed: float, max_states: int | None, max_seconds: float | None) -> str:
    """Which budget a search has used up ("" if none)."""
    if max_states is not None and count >= max_states:
        return f"state budget of {max_states} reached"
    if max_seconds is not None and elapsed >= max_seconds:
        return f"time budget of {max_seconds:g} s reached"
    return ""


def _path(parent: array, via: array, sid: int) -> list[int]:
    out = []
    while sid > 0:
        out.append(via[sid])
        sid = parent[sid]
    out.reverse()
    return out


def _state_of(system: System, parent: array, via: array, sid: int) -> tuple[int, ...]:
    s = system.initial
    for step in _path(parent, via, sid):
        t = system.apply(s, step)
        assert t is not None
        s = t
    return s


def _first_unfinishable(n: int, off: array, dst: array, finals: array) -> int:
    """The lowest state id (so: shallowest) from which no finished state is reachable.

    "Can finish" is the least fixpoint of ``ok[s] = finished(s) or any(ok[t])``.
    One sweep in decreasing id settles every state with a path to a finished
    state through higher ids (most of them: BFS ids grow with depth); the few
    left are swept again until nothing changes.
    """
    ok = bytearray(n)
    for f in finals:
        ok[f] = 1
    get = ok.__getitem__
    for s in range(n - 1, -1, -1):
        if not ok[s] and any(map(get, dst[off[s]:off[s + 1]])):
            ok[s] = 1
    pending = []
    i = ok.find(0)
    while i >= 0:
        pending.append(i)
        i = ok.find(0, i + 1)
    changed = True
    while pending and changed:
        changed = False
        rest = []
        for s in reversed(pending):
            if any(map(get, dst[off[s]:off[s + 1]])):
                ok[s] = 1
                changed = True
            else:
                rest.append(s)
        rest.reverse()
        pending = rest
    return pending[0] if pending else -1


def _message(system: System, prop: str, s: tuple[int, ...]) -> str:
    from gentrace.core.explain import explain
    return explain(system, prop, s)
