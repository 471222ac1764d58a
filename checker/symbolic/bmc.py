"""Bounded model checking: a violation within K steps, or none within K steps.

The run is unrolled one transition at a time.  At depth k the solver is asked
whether some state reached in exactly k steps from the initial state violates a
property not found yet; the first depth at which one does is the length of its
shortest violation, since every shorter depth was asked before and had none.  So a
BMC counterexample is exactly as short as the explorer's.  "None within K steps" is
all BMC can say of the rest: it is never reported as "holds".

Each query is bit-blasted and handed to z3's SAT solver (``simplify``,
``propagate-values``, ``solve-eqs``, ``bit-blast``, ``sat``), which on this model is
far faster than the incremental SMT core (``bench/bench_symbolic.py``: at the
canonical bound, depth 16 in tens of seconds instead of minutes).  The cost still
grows steeply with depth: the deepest shortest violations of the canonical bound
(35 to 53 steps) are beyond a few minutes' budget, which the explorer reaches in
seconds.  BMC's part is an independent engine built from the same step definitions,
and the shortest violations it does reach.

What deadlock-freedom means here: a handler waiting on its own M (an invariant) or a
state where no step is enabled before every thread is done.  "No run from here can
finish" is not a property of a bounded prefix, so BMC does not look for it.

A satisfying assignment is decoded into the steps it chose; the caller writes it in
the common counterexample format and replays it on the concrete model before it
reports it (one that does not replay is an engine bug, raised as such).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import z3
from gentrace.core import interrupt
from gentrace.model import PROPERTY_NAMES
from gentrace.symbolic.relation import Symbolic

TACTIC = ("simplify", "propagate-values", "solve-eqs", "bit-blast", "sat")


@dataclass
class BmcFinding:
    prop: str
    kind: str            # invariant | self-deadlock | deadlock
    path: list[int]      # step indices, one per transition
    seconds: float       # from the start of the run to this finding


@dataclass
class BmcResult:
    k: int                           # the depth asked for
    depth: int                       # the deepest depth decided for every property left (-1: none)
    cut: str                         # why the search stopped before k, "" if it did not
    findings: dict[str, BmcFinding]
    seconds: float
    per_depth: list[float] = field(default_factory=list)  # seconds spent on each depth

    @property
    def complete(self) -> bool:
        return not self.cut

    @property
    def interrupted(self) -> bool:
        return self.cut == INTERRUPTED


INTERRUPTED = "interrupted (Ctrl-C)"
Progress = Callable[[int, float], None]


def solver(timeout_ms: int | None = None) -> z3.Solver:
    s = z3.Then(*TACTIC).solver()
    if timeout_ms is not None:
        s.set("timeout", timeout_ms)
    return s


def bmc(sym: Symbolic, k: int, props: Sequence[str] = PROPERTY_NAMES, *,
        max_seconds: float | None = None, progress: Progress | None = None) -> BmcResult:
    """Look for the shortest violation of each of ``props`` within ``k`` steps."""
    t0 = time.perf_counter()
    xs = [sym.state("s0")]
    cs: list[z3.BitVecRef] = []
    frames = [sym.init(xs[0])]
    todo = list(props)
    found: dict[str, BmcFinding] = {}
    per_depth: list[float] = []
    cut = ""
    depth = -1
    try:
        for d in range(k + 1):
            td = time.perf_counter()
            if d > 0:
                xs.append(sym.state(f"s{d}"))
                cs.append(sym.choice(f"t{d}"))
                frames.append(sym.trans(xs[d - 1], xs[d], cs[d - 1]))
            while todo:
                interrupt.check()
                left = None if max_seconds is None else max_seconds - (time.perf_counter() - t0)
                if left is not None and left <= 0:
                    cut = f"time budget of {max_seconds:g} s reached"
                    break
                s = solver(None if left is None else max(1, int(left * 1000)))
                s.add(*frames, z3.Or(*[sym.bad(p, xs[d]) for p in todo]))
                r = s.check()
                if r == z3.unsat:
                    break
                if r == z3.unknown:
                    why = s.reason_unknown()
                    cut = (f"time budget of {max_seconds:g} s reached" if "timeout" in why or "canceled" in why
                           else f"the solver gave up at depth {d} ({why})")
                    break
                m = s.model()
                path = [m.eval(c, model_completion=True).as_long() for c in cs]
                for p in list(todo):
                    kind = _kind(sym, p, xs[d], m)
                    if kind:
                        found[p] = BmcFinding(p, kind, path, time.perf_counter() - t0)
                        todo.remove(p)
            per_depth.append(time.perf_counter() - td)
            if cut:
                break
            depth = d
            if progress is not None:
                progress(d, time.perf_counter() - t0)
            if not todo:
                break
    except KeyboardInterrupt:
        cut = INTERRUPTED
    return BmcResult(k, depth, cut, found, time.perf_counter() - t0, per_depth)


def _kind(sym: Symbolic, prop: str, xs: Sequence[z3.BitVecRef], m: z3.ModelRef) -> str:
    """How the state the model chose violates ``prop`` ("" if it does not)."""
    if z3.is_true(m.eval(z3.Not(sym.ok(prop, xs)), model_completion=True)):
        return "self-deadlock" if prop == "deadlock-freedom" else "invariant"
    if prop == "deadlock-freedom" and z3.is_true(m.eval(sym.deadlocked(xs), model_completion=True)):
        return "deadlock"
    return ""
