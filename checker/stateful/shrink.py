"""Shorten a failing run after Hypothesis has shrunk it: delta debugging on the step list.

Hypothesis shrinks the *program* (which thread runs, for how long, where a SIGPROF
lands); the run it stands for still carries the steps of threads that merely kept
going, and the fair completion of the teardown.  Here the concrete step sequence
itself is shortened: remove a chunk of steps, replay the rest on the model,
*skipping* any step that is no longer enabled (a thread whose earlier step was
removed simply stays where it was), and keep the result when the violation still
shows and the run got shorter.  Every candidate is a real run of the model,
built with ``compiled.successors`` only, so what comes out replays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from gentrace.model import System
from gentrace.stateful.machine import Schedule

# One scheduler view per system: each is built once, not on every shortening pass.
_schedule = cache(Schedule)

State = tuple[int, ...]


class _Runner:
    """Lenient replay of step lists on one system, judged by one property."""

    def __init__(self, system: System, prop: str, kind: str) -> None:
        self.succ = system.compiled.successors
        self.viol = system.compiled.violated
        self.fin = system.compiled.finished
        self.initial = system.initial
        self.bit = 1 << system.prop_index[prop]
        self.kind = kind
        self.runs = 0

    def run(self, steps: list[int]) -> list[int] | None:
        """The steps actually taken, cut at the violation, or None if it no longer shows."""
        self.runs += 1
        s = self.initial
        taken: list[int] = []
        invariant = self.kind != "deadlock"
        for i in steps:
            nxt = None
            for j, t in self.succ(s):
                if j == i:
                    nxt = t
                    break
            if nxt is None:
                continue
            s = nxt
            taken.append(i)
            if invariant and self.viol(s) & self.bit:
                return taken
        if invariant:
            return None
        # A deadlock: the run ends where nothing at all can move and not everyone is done.
        if not self.succ(s) and not self.fin(s):
            return taken
        return None


def minimize(system: System, path: list[int], prop: str, kind: str,
             budget: int = 5_000, seeds: Sequence[list[int]] = ()) -> tuple[list[int], int]:
    """A shorter run showing the same violation, and how many replays it took.

    ``path`` must show the violation (it is returned unchanged otherwise).  The
    search is greedy: chunks of halving size, then single steps, repeated until
    no single removal helps or ``budget`` replays are spent.  Then each prefix of
    the result is run to its end the ways the teardown does (fairly, and with
    each thread first); if one of those endings breaks the property sooner, the
    shorter run is shortened in turn.  A property can often break in more than
    one way (a sample lost at the stop, or read twice much earlier), and removing
    steps one chunk at a time cannot get from one way to the other.

    ``seeds`` are other runs of the same system (those that broke other
    properties in the same hunt): where one of them, or an ending of one of its
    prefixes, breaks ``prop`` in fewer steps, that run is shortened instead.  A
    sample read twice shows up as a second reader first and as a lost-or-doubled
    count two steps later; the run that found the first is the short way to the
    second.
    """
    r = _Runner(system, prop, kind)
    best = r.run(path)
    if best is None:
        return path, r.runs
    spent = lambda: r.runs >= budget  # noqa: E731
    best = _ddmin(best, r.run, spent)
    if kind == "deadlock":
        return best, r.runs
    best = _endings(system, best, r, spent, len(best)) or best
    for seed in seeds:
        if spent():
            break
        direct = r.run(seed)
        if direct is not None and len(direct) < len(best):
            best = _ddmin(direct, r.run, spent)
            best = _endings(system, best, r, spent, len(best)) or best
        best = _endings(system, seed, r, spent, len(best)) or best
    return best, r.runs


def _endings(system: System, start: list[int], r: _Runner, spent: Callable[[], bool],
             limit: int) -> list[int] | None:
    """A run shorter than ``limit`` from a prefix of ``start`` and an ending, shortened.

    Repeats from each result until no ending is sooner; None if none ever was.
    """
    best = None
    while not spent():
        sooner = _sooner_ending(system, start, r.bit, len(best) if best else limit)
        if sooner is None:
            break
        start = best = _ddmin(sooner, r.run, spent)
    return best


def _sooner_ending(system: System, best: list[int], bit: int, limit: int) -> list[int] | None:
    """The shortest prefix-plus-ending of ``best`` that breaks the property in under ``limit`` steps."""
    sch = _schedule(system)
    choice: list[int] | None = None
    s = system.initial
    for k in range(len(best)):
        succs = sch.succ(s)
        for first in [None, *range(len(sch.threads))]:
            taken: list[int] = []
            for i, t, _ in sch.complete(s, succs, first):
                taken.append(i)
                if k + len(taken) >= (len(choice) if choice is not None else limit):
                    break
                if sch.viol(t) & bit:
                    choice = best[:k] + taken
                    break
        s = dict(succs)[best[k]]
    return choice


def _ddmin(best: list[int], run: Callable[[list[int]], list[int] | None],
           spent: Callable[[], bool]) -> list[int]:
    chunk = max(len(best) // 2, 1)
    while True:
        improved = False
        i = 0
        while i < len(best) and not spent():
            cand = run(best[:i] + best[i + chunk:])
            if cand is not None and len(cand) < len(best):
                best = cand
                improved = True
                # Stay at i: the steps that slid into this position get their turn.
            else:
                i += chunk
        if spent():
            return best
        if chunk > 1:
            chunk = max(chunk // 2, 1)
        elif not improved:
            return best
