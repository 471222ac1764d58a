"""Every reachable state of the unbounded system, for one property: a proof for runs of any length.

The unbounded system (``model.System(..., unbounded=True)``) has no run bounds but a finite
state: the generation word wraps, the buffers keep their capacities, one tracked sample
stands for every sample.  So a breadth-first search that runs out of new states has seen
every state of every run, however long, and a property that holds on each of them holds
on all runs.  Two exact reductions make that search end in practice:

* **Cone of influence** (``model/cone.py``): the fields the property, the guards and
  "every thread has finished" cannot depend on are set to 0 in every state.  No guard
  reads them and nothing inside the cone is computed from them, so the runs are the same
  step for step and the property is decided the same way.
* **Generations up to rotation** (``model/generation.py rotations``): a state is stored
  with every generation field moved along traceNextGen's cycle so that the first non-zero
  of ``trace.gen``, the advancer's ``gen``, ``flushedGen`` and then the other generation
  fields is the first value of the cycle with its parity.  The steps commute with such a rotation and no property tells
  rotated states apart; the search starts from the model's initial state, so what it
  proves is for the model's first generation (and, by the same symmetry, every other).

A violation found this way is a run: the steps from the initial state, which replay on
the full concrete model (the reductions keep the steps' enabledness), and the replay must
break the property or the search raises: an engine bug, never a verdict.
"""

from __future__ import annotations

import gc
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from gentrace.explore.search import _path, checkpoint
from gentrace.model import PROPERTY_NAMES, System
from gentrace.model.cone import cone
from gentrace.model.generation import cycle, rotations

PROVED, VIOLATED, VACUOUS, INCOMPLETE = "proved", "violated", "vacuous", "incomplete"


@dataclass
class UnboundedResult:
    """``verdict`` for ``prop``: proved (every reachable state seen), vacuous (every state
    seen, and none in which the property says anything, e.g. generation-order with no
    worker), violated (``steps`` from the initial state break it, replayed on the model)
    or incomplete (``note``)."""

    prop: str
    verdict: str
    states: int
    depth: int
    seconds: float
    kept: int           # fields in the property's cone of influence
    fields: int         # fields in the state
    rotations: int      # rotations of the generation cycle the states are taken up to
    steps: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def method(self) -> str:
        sym = f", generations up to {self.rotations + 1} rotations" if self.rotations else ""
        return (f"every reachable state of the unbounded system ({self.states:,} states, depth "
                f"{self.depth}; cone of influence {self.kept} of {self.fields} fields{sym})")


class Canon:
    """The stored form of a state: fields outside the cone zeroed, generations rotated."""

    def __init__(self, system: System, prop: str) -> None:
        L = system.layout
        keep = cone(system, [prop])
        self.kept = len(keep)
        self.drop = [f for f in range(len(L.names)) if f not in keep]
        b = system.bounds
        cyc = cycle(b.top, system.design.wrap_to)
        self.pos = {v: i for i, v in enumerate(cyc)}
        self.rots = rotations(cyc)
        self.n = len(cyc)
        self.gens = [f for f in range(len(L.names)) if L.gen[f] and f in keep]
        c = system.ctx
        # The field whose value fixes the rotation: the first non-zero of these (any
        # order is exact, as long as it is fixed: a rotation never makes a field 0).
        first = [f for f in (c.gen, c.adv_g, c.flushed) if f is not None and f in keep]
        self.anchors = first + [f for f in self.gens if f not in first]
        # table[k][v]: v moved 2k places along the cycle (k = 0: unchanged).
        self.tables = [bytes(range(256))]
        for r in self.rots:
            t = bytearray(range(256))
            for v, w in r.items():
                t[v] = w
            self.tables.append(bytes(t))

    def __call__(self, s: bytes) -> bytes:
        x = bytearray(s)
        for f in self.drop:
            x[f] = 0
        if self.rots:
            for f in self.anchors:
                v = x[f]
                if v:
                    i = self.pos.get(v)
                    if i is not None and i > 1:
                        k = (self.n - (i - i % 2)) // 2  # moves v to position i % 2
                        t = self.tables[k]
                        for g in self.gens:
                            x[g] = t[x[g]]
                    break
        return bytes(x)


def prove_explicit(system: System, prop: str, *, max_states: int | None = None,
                   max_seconds: float | None = None,
                   progress: Callable[[int, int, float], None] | None = None) -> UnboundedResult:
    """Search every reachable state of the unbounded ``system`` for a violation of ``prop``."""
    assert system.unbounded, "this search is about the unbounded system"
    comp = system.compiled
    if not comp.packed:
        raise ValueError("a field does not fit a byte; use smaller capacities")
    canon = Canon(system, prop)
    k = PROPERTY_NAMES.index(prop)
    bit = 1 << k
    succ, viol, fin, wit = comp.successors_packed, comp.violated, comp.finished, comp.witnessed
    deadlock = prop == "deadlock-freedom"
    t0 = time.perf_counter()
    init = canon(bytes(system.initial))
    ids = {init: 0}
    parent, via = array("i", [-1]), array("H", [0])
    frontier = [init]
    depth, count, bad = 0, 1, -1
    witnessed = wit(init) & bit
    note = ""
    enabled = gc.isenabled()
    gc.disable()
    try:
        if viol(init) & bit:
            bad = 0
        while frontier and bad < 0:
            nxt = []
            first = count - len(frontier)
            for j, s in enumerate(frontier):
                outs = succ(s)
                if deadlock and not outs and not fin(s):
                    bad = first + j
                    break
                for step, t in outs:
                    t = canon(t)
                    if t not in ids:
                        ids[t] = count
                        parent.append(first + j)
                        via.append(step)
                        nxt.append(t)
                        count += 1
                        if not witnessed:
                            witnessed = wit(t) & bit
                        if viol(t) & bit:
                            bad = count - 1
                            break
                if bad >= 0:
                    break
                if j % 4096 == 0:
                    note = checkpoint(t0, count, max_states, max_seconds, None if progress is None else
                                      lambda el, c=count, d=depth: progress(c, d, el))
                    if note:
                        break
            if note:
                break
            if nxt:
                depth += 1
            frontier = nxt
    except KeyboardInterrupt:
        note = "interrupted"
    finally:
        if enabled:
            gc.enable()
    el = time.perf_counter() - t0
    res = UnboundedResult(prop, INCOMPLETE, count, depth, el, canon.kept, len(system.initial),
                          len(canon.rots), note=note)
    if bad >= 0:
        res.verdict, res.steps = VIOLATED, _path(parent, via, bad)
        _replay(system, prop, res.steps)
    elif not note:
        res.verdict = PROVED if witnessed else VACUOUS
    return res


def _replay(system: System, prop: str, steps: list[int]) -> None:
    """The run must break ``prop`` on the full concrete model, or the search is wrong."""
    s = tuple(system.initial)
    for i in steps:
        t = system.apply(s, i)
        if t is None:
            raise AssertionError(f"unbounded search: step {system.steps[i].key} of its run is not "
                                 "enabled on the concrete model")
        s = t
    ok = system.invariants[system.prop_index[prop]].ok(list(s))
    stuck = prop == "deadlock-freedom" and not system.enabled(s) and not system.finished(s)
    if ok and not stuck:
        raise AssertionError(f"unbounded search: its run does not break {prop} on the concrete model")
