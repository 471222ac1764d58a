"""The cone of influence of a property: the fields its verdict can depend on.

A field outside the cone is read by no step's guard and flows into no field inside it,
so every run's sequence of steps and every value inside the cone are the same whatever
the fields outside hold.  A search that forgets those fields (sets them to 0) explores
the same runs and decides the property the same way.  Computed from the steps' own
guard and update functions evaluated on symbolic values, so it follows the model.
"""

from __future__ import annotations

from typing import Any

import z3
from gentrace.model.system import System


def reads(t: Any, names: dict[str, int]) -> set[int]:
    """The fields a term reads (its uninterpreted constants named as fields)."""
    out: set[int] = set()
    todo, seen = [t], set()
    while todo:
        e = todo.pop()
        if not isinstance(e, z3.ExprRef) or e.get_id() in seen:
            continue
        seen.add(e.get_id())
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            f = names.get(e.decl().name())
            if f is not None:
                out.add(f)
        todo.extend(e.children())
    return out


def cone(system: System, props: list[str]) -> set[int]:
    """The fields that the properties ``props`` (and whether a state is final or stuck,
    which the guards decide) depend on, in ``system``."""
    L = system.layout
    xs = [z3.BitVec(f"cone.{n}", 16) for n in L.names]
    names = {f"cone.{n}": i for i, n in enumerate(L.names)}
    need: set[int] = set()
    for p in props:
        need |= reads(system.invariants[system.prop_index[p]].ok(xs), names)
    need |= reads(system.finished(xs), names)
    flows: dict[int, set[int]] = {}
    for st in system.steps:
        need |= reads(system.guard(st, xs), names)
        for f, v in st.update(xs).items():
            flows.setdefault(f, set()).update(reads(v, names))
    todo = list(need)
    while todo:
        f = todo.pop()
        for g in flows.get(f, ()):
            if g not in need:
                need.add(g)
                todo.append(g)
    return need
