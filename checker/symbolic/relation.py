"""The model as formulas: initial states, the transition relation, the properties.

Nothing here restates the model.  Each step's guard and update are the very
functions the concrete model and the explorer run (``model/worker.py`` and its
siblings), evaluated on a vector of z3 bit-vector constants instead of ints
(``model/values.py`` dispatches ``ite``, ``all_of`` ... on the kind of value).  A step
added to the model comes to this relation for free, and ``tests/test_symbolic.py``
holds the two to each other on states the explorer reaches.

One transition from ``x`` to ``y`` (:meth:`Symbolic.trans`): a choice variable ``c``
names the step taken;

* ``c`` is a step index and that step's guard holds in ``x``
  (``Implies(c == i, guard_i(x))`` for each step, and ``c < len(steps)``);
* every field is the update of the step taken if that step writes it, else kept:
  ``y[f] == If(c == i1, upd_i1[f], If(c == i2, upd_i2[f], ..., x[f]))`` over the
  steps that write ``f``.

That is the disjunction "one disjunct per step: guard, update, frame", written per
field so that each update term appears once: a step writes a few of the ~100
fields, and a disjunct with a frame equality per field would repeat the whole
state once per step.

:class:`Steps` offers a second relation for bounded model checking: in one
transition every M takes at most one step and the steps taken are pairwise
independent, so they commute and any order of them is a run (see there).

Widths: every field holds a small non-negative int below a declared maximum
(``Layout.maxv``).  One width serves all fields, with room for twice the largest
maximum, so no sum of two in-range values wraps and bit-vector and integer
semantics agree on every reachable value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import z3
from gentrace.model import System
from gentrace.model.cone import reads as _fields_in

BV = z3.BitVecRef


def width_for(system: System) -> int:
    """Bits for every field: room for twice the largest value any field may hold."""
    top = max(system.layout.maxv)
    return max(8, (2 * top + 1).bit_length() + 1)


class Symbolic:
    """The transition relation of one design at one bound, as z3 formulas."""

    def __init__(self, system: System, width: int = 0) -> None:
        self.system = system
        self.width = width or width_for(system)
        self._x = self.state("x")  # the template state the step terms are built over
        self.cbits = max(1, len(system.steps).bit_length())

    # -- states ------------------------------------------------------------------

    def state(self, tag: str) -> list[BV]:
        """A fresh state vector, one constant per field, named ``<tag>.<field>``."""
        return [z3.BitVec(f"{tag}.{n}", self.width) for n in self.system.layout.names]

    def choice(self, tag: str) -> BV:
        """The step-choice variable of one transition."""
        return z3.BitVec(f"{tag}.step", self.cbits)

    def const(self, v: int) -> BV:
        return z3.BitVecVal(v, self.width)

    def value(self, model: z3.ModelRef, xs: Sequence[BV]) -> tuple[int, ...]:
        """The concrete state ``xs`` denotes in ``model``."""
        return tuple(model.eval(x, model_completion=True).as_long() for x in xs)

    def is_state(self, xs: Sequence[BV], s: Sequence[int]) -> z3.BoolRef:
        return z3.And(*[x == self.const(v) for x, v in zip(xs, s, strict=True)])

    def in_range(self, xs: Sequence[BV]) -> z3.BoolRef:
        """Every field within its declared range."""
        return z3.And(*[z3.ULE(x, self.const(m))
                        for x, m in zip(xs, self.system.layout.maxv, strict=True)])

    # -- the relation --------------------------------------------------------------

    def init(self, xs: Sequence[BV]) -> z3.BoolRef:
        return self.is_state(xs, self.system.initial)

    @cached_property
    def terms(self) -> tuple[list[z3.BoolRef], list[dict[int, Any]]]:
        """Each step's guard and update over the template state."""
        sysm = self.system
        guards = [_bool(sysm.guard(st, self._x)) for st in sysm.steps]
        updates = [{f: self._bv(v) for f, v in st.update(self._x).items()} for st in sysm.steps]
        return guards, updates

    def guard(self, i: int, xs: Sequence[BV]) -> z3.BoolRef:
        return self._subst(self.terms[0][i], xs)

    def update(self, i: int, xs: Sequence[BV]) -> dict[int, Any]:
        return {f: self._subst(t, xs) for f, t in self.terms[1][i].items()}

    def step(self, i: int, xs: Sequence[BV], ys: Sequence[BV]) -> z3.BoolRef:
        """Step ``i`` taken from ``xs`` to ``ys``: its guard, its update, every other field kept."""
        upd = self.update(i, xs)
        return z3.And(self.guard(i, xs),
                      *[y == upd.get(f, x) for f, (x, y) in enumerate(zip(xs, ys, strict=True))])

    @cached_property
    def writers(self) -> dict[int, list[int]]:
        """Field -> the steps that write it."""
        out: dict[int, list[int]] = {}
        for i, u in enumerate(self.terms[1]):
            for f in u:
                out.setdefault(f, []).append(i)
        return out

    def trans(self, xs: Sequence[BV], ys: Sequence[BV], c: BV, guards: bool = True) -> z3.BoolRef:
        """Some enabled step, named by ``c``, takes ``xs`` to ``ys``.  ``guards=False``:
        the step's update whether or not it is enabled (see :meth:`chosen_guard`)."""
        gs, updates = self.terms
        parts = [z3.ULT(c, z3.BitVecVal(len(gs), self.cbits))]
        if guards:
            parts += [z3.Implies(c == i, g) for i, g in enumerate(gs)]
        for f, (x, y) in enumerate(zip(self._x, ys, strict=True)):
            term: Any = x
            for i in reversed(self.writers.get(f, [])):
                term = z3.If(c == i, updates[i][f], term)
            parts.append(y == term)
        return self._subst(z3.And(*parts), xs)

    def successors(self, s: Sequence[int]) -> set[tuple[int, tuple[int, ...]]]:
        """Every (step, successor) the relation allows from the concrete state ``s``, by
        asking z3 for one more until there is none (what the differential tests compare
        with the concrete model)."""
        x, y, c = self.state("x"), self.state("y"), self.choice("c")
        solver = z3.Solver()
        solver.add(self.is_state(x, s), self.trans(x, y, c))
        found = set()
        while solver.check() == z3.sat:
            m = solver.model()
            i, t = m.eval(c, model_completion=True).as_long(), self.value(m, y)
            found.add((i, t))
            solver.add(z3.Not(z3.And(c == i, self.is_state(y, t))))
        return found

    def chosen_guard(self, xs: Sequence[BV], c: BV) -> z3.BoolRef:
        """The guard of the step ``c`` names holds in ``xs``."""
        return self._subst(z3.Or(*[z3.And(c == i, g) for i, g in enumerate(self.terms[0])]), xs)

    def enabled_any(self, xs: Sequence[BV]) -> z3.BoolRef:
        return self._subst(z3.Or(*self.terms[0]), xs)

    # -- properties ----------------------------------------------------------------

    def ok(self, prop: str, xs: Sequence[BV]) -> z3.BoolRef:
        """The property's state predicate, which every reachable state satisfies if it holds."""
        inv = self.system.invariants[self.system.prop_index[prop]]
        return _bool(inv.ok(list(xs)))

    def finished(self, xs: Sequence[BV]) -> z3.BoolRef:
        return _bool(self.system.finished(list(xs)))

    def deadlocked(self, xs: Sequence[BV]) -> z3.BoolRef:
        """No step is enabled, yet some thread has not finished."""
        return z3.And(z3.Not(self.finished(xs)), z3.Not(self.enabled_any(xs)))

    def bad(self, prop: str, xs: Sequence[BV]) -> z3.BoolRef:
        """A state that shows a violation of ``prop`` (for deadlock-freedom, its safety part:
        a handler waiting on its own M, or no step enabled before everyone is done)."""
        b = z3.Not(self.ok(prop, xs))
        if prop == "deadlock-freedom":
            b = z3.Or(b, self.deadlocked(xs))
        return b

    # -- helpers -------------------------------------------------------------------

    def _subst(self, t: Any, xs: Sequence[BV]) -> Any:
        return z3.substitute(t, *zip(self._x, xs, strict=True))

    def _bv(self, v: Any) -> Any:
        if isinstance(v, bool) or isinstance(v, z3.BoolRef):
            return z3.If(_bool(v), self.const(1), self.const(0))
        if isinstance(v, int):
            return self.const(v)
        if v.size() != self.width:
            raise ValueError(f"a term of width {v.size()} in a relation of width {self.width}")
        return v


class Steps(Symbolic):
    """Step semantics: in one transition each M takes at most one step, and the steps
    taken together are pairwise independent.

    Two steps of different Ms are independent when neither writes a field the other
    reads or writes (read and write sets are taken from the step's own guard and update
    terms).  Independent steps commute: from the same state, either order reaches the
    same state and neither disables the other (each one's guard reads nothing the other
    writes), so a transition of this relation is a run of the interleaving model in any
    order of its steps, and a counterexample decodes into an ordinary path.  An M with no
    step to take stays still, and so may every M (a stuttering transition), which makes
    a state reachable within K transitions reachable in exactly K.

    The point is depth: threads that run side by side advance together, so a violation
    that takes 35 interleaved steps needs far fewer transitions, and a SAT solver's cost
    grows steeply with the number of transitions unrolled.
    """

    @cached_property
    def groups(self) -> list[list[int]]:
        """The steps of each M (its thread's and its SIGPROF handler's), M by M."""
        by: dict[str, list[int]] = {}
        for i, st in enumerate(self.system.steps):
            by.setdefault(st.thread, []).append(i)
        return list(by.values())

    @cached_property
    def access(self) -> tuple[list[set[int]], list[set[int]]]:
        """Each step's read set and write set of fields."""
        guards, updates = self.terms
        names = {x.decl().name(): f for f, x in enumerate(self._x)}
        reads, writes = [], []
        for g, u in zip(guards, updates, strict=True):
            r = _fields_in(g, names)
            for t in u.values():
                r |= _fields_in(t, names)
            reads.append(r)
            writes.append(set(u))
        return reads, writes

    def dependent(self, i: int, j: int) -> bool:
        r, w = self.access
        return bool(w[i] & (r[j] | w[j]) or w[j] & r[i])

    @cached_property
    def conflicts(self) -> list[tuple[int, int, int, int]]:
        """(M a, its step's position, M b, its step's position) of every dependent pair."""
        out = []
        for a, ga in enumerate(self.groups):
            for b in range(a + 1, len(self.groups)):
                for ja, i in enumerate(ga, 1):
                    for jb, j in enumerate(self.groups[b], 1):
                        if self.dependent(i, j):
                            out.append((a, ja, b, jb))
        return out

    def choices(self, tag: str) -> list[BV]:
        """One choice per M: 0 for no step, j for its j-th step."""
        return [z3.BitVec(f"{tag}.m{k}", max(1, (len(g) + 1).bit_length()))
                for k, g in enumerate(self.groups)]

    def strans(self, xs: Sequence[BV], ys: Sequence[BV], cs: Sequence[BV]) -> z3.BoolRef:
        guards, updates = self.terms
        parts = []
        sel: dict[int, Any] = {}
        for k, g in enumerate(self.groups):
            c = cs[k]
            parts.append(z3.ULE(c, z3.BitVecVal(len(g), c.size())))
            for j, i in enumerate(g, 1):
                sel[i] = c == j
                parts.append(z3.Implies(sel[i], guards[i]))
        for a, ja, b, jb in self.conflicts:
            parts.append(z3.Not(z3.And(cs[a] == ja, cs[b] == jb)))
        for f, (x, y) in enumerate(zip(self._x, ys, strict=True)):
            term: Any = x
            for i in reversed(self.writers.get(f, [])):
                term = z3.If(sel[i], updates[i][f], term)
            parts.append(y == term)
        return self._subst(z3.And(*parts), xs)

    def decode(self, model: z3.ModelRef, cs: Sequence[BV]) -> list[int]:
        """The steps one transition took, M by M (any order of them is a run)."""
        out = []
        for k, c in enumerate(cs):
            v = model.eval(c, model_completion=True).as_long()
            if v:
                out.append(self.groups[k][v - 1])
        return out


def _bool(v: Any) -> z3.BoolRef:
    if isinstance(v, z3.BoolRef):
        return v
    if isinstance(v, bool | int):
        return z3.BoolVal(bool(v))
    return v != 0
