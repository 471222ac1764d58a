"""Compile a system's steps and predicates into plain Python functions.

The step definitions are evaluated once on :class:`~model.expr.Expr` values,
which turns each guard and update into source text (:func:`lower`, in a
:class:`~model.expr.Dialect`); the text is assembled into one ``successors(s)``
function that dispatches on each thread's program counter and builds successor
tuples directly.  This is the explorer's hot path; the reference semantics
(``System.apply``) evaluates the same definitions on ints, and a differential
test keeps the two in agreement.  ``compile_c`` prints the same lowering as C
(the compiled kernel): one walk over the step definitions, two printers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gentrace.model.expr import PYTHON, Dialect, Expr
from gentrace.model.layout import Layout, Step

# A predicate over a state's fields (evaluated here on Expr values).
Pred = Callable[[Sequence[Any]], Any]
Lets = list[tuple[str, str]]  # (name, source) bindings, in order, evaluated before the code


@dataclass(frozen=True)
class Compiled:
    successors: Callable[[tuple[int, ...]], list[tuple[int, tuple[int, ...]]]]
    # The same function building ``bytes`` states when every field fits a byte
    # (``packed``): the explorer's visited-set keys, with no conversion step.
    # Every compiled function accepts either representation.
    successors_packed: Callable[[Any], list[tuple[int, Any]]]
    packed: bool
    violated: Callable[[tuple[int, ...]], int]   # bit i: invariant i fails
    witnessed: Callable[[tuple[int, ...]], int]  # bit i: antecedent of invariant i holds
    finished: Callable[[tuple[int, ...]], bool]
    source: str


@dataclass(frozen=True)
class StepCode:
    """One step lowered: its guard (None: only the program counter and idle tests) and the
    fields it changes, each with the bindings evaluated before it.  Right-hand sides read
    the old state ``s``: the update is simultaneous."""

    index: int
    guard_lets: Lets
    guard: str | None
    update_lets: Lets
    updates: list[tuple[int, str]]  # (field, value), by field, only fields that change


@dataclass(frozen=True)
class Group:
    """The steps of one thread (or handler): enabled when ``s[idle] == 0`` (if ``idle`` is
    not None) and ``s[pc_field]`` is one of the ``by_pc`` keys, in increasing order."""

    pc_field: int
    idle: int | None
    by_pc: list[tuple[int, list[StepCode]]]


@dataclass(frozen=True)
class PredCode:
    lets: Lets
    code: str


@dataclass(frozen=True)
class Lowered:
    """A system's steps and predicates as source text in one dialect.  The order of the
    groups, program counters and steps is the order successors are generated in (the
    explorer's breadth-first order, whatever the printer)."""

    dialect: Dialect
    groups: list[Group]
    violated: list[PredCode]   # per invariant: the property holds
    witnessed: list[PredCode]  # per invariant: its antecedent holds
    finished: PredCode


def _bound(make: Callable[[], Any]) -> tuple[Any, Lets]:
    """Run ``make`` (which evaluates step code on Expr values); return its result and its
    ``let`` bindings."""
    Expr.bindings.clear()
    Expr._counter = 0  # names are local to the block that follows: same text every build
    out = make()
    lets = list(Expr.bindings)
    Expr.bindings.clear()
    return out, lets


def lower(layout: Layout, steps: Sequence[Step], invariants: Sequence[tuple[Pred, Pred]],
          finished: Pred, dialect: Dialect = PYTHON) -> Lowered:
    """Evaluate every guard, update and predicate on :class:`Expr` values printed in
    ``dialect``; fields read as ``s[i]``."""
    with Expr.printing(dialect):
        S = [Expr(f"s[{i}]") for i in range(len(layout))]
        src = Expr.src
        order: dict[tuple[int, int | None], list[int]] = {}
        for i, st in enumerate(steps):
            order.setdefault((st.pc_field, st.idle_field), []).append(i)
        groups = []
        for (pc_field, idle), idxs in order.items():
            by_pc: dict[int, list[StepCode]] = {}
            for i in idxs:
                st = steps[i]
                guard, glets = (None, []) if st.guard is None else _bound(lambda st=st: src(st.guard(S)))
                upd, ulets = _bound(lambda st=st: {f: src(v) for f, v in st.update(S).items()})
                changed = [(f, v) for f, v in sorted(upd.items()) if v != f"s[{f}]"]
                by_pc.setdefault(st.pc, []).append(StepCode(i, glets, guard, ulets, changed))
            groups.append(Group(pc_field, idle, sorted(by_pc.items())))
        viol, wit = [], []
        for ok_pred, wit_pred in invariants:
            code, lets = _bound(lambda p=ok_pred: src(p(S)))
            viol.append(PredCode(lets, code))
            code, lets = _bound(lambda p=wit_pred: src(p(S)))
            wit.append(PredCode(lets, code))
        code, lets = _bound(lambda: src(finished(S)))
        return Lowered(dialect, groups, viol, wit, PredCode(lets, code))


def python_source(low: Lowered) -> str:
    """The Python printer: ``successors``, ``violated``, ``witnessed``, ``finished``."""
    lines = ["def successors(s):", "    out = []", "    add = out.append"]

    def lets(xs: Lets, ind: str) -> None:
        lines.extend(f"{ind}{name} = {code}" for name, code in xs)

    for g in low.groups:
        ind = "    "
        if g.idle is not None:
            lines.append(f"{ind}if s[{g.idle}] == 0:")
            ind += "    "
        lines.append(f"{ind}pc = s[{g.pc_field}]")
        kw = "if"
        for pc, at_pc in g.by_pc:
            lines.append(f"{ind}{kw} pc == {pc}:")
            kw = "elif"
            for sc in at_pc:
                inner = ind + "    "
                if sc.guard is not None:
                    lets(sc.guard_lets, inner)
                    lines.append(f"{inner}if {sc.guard}:")
                    inner += "    "
                # Copy the state and assign the changed fields: much cheaper than
                # a tuple display of every field.  Right-hand sides read ``s``,
                # the old state, so the update is simultaneous.
                lets(sc.update_lets, inner)
                lines.append(f"{inner}l = COPY(s)")
                lines.extend(f"{inner}l[{f}] = {v}" for f, v in sc.updates)
                lines.append(f"{inner}add(({sc.index}, PACK(l)))")
    lines.append("    return out")

    lines.append("def violated(s):")
    lines.append("    m = 0")
    for k, p in enumerate(low.violated):
        lets(p.lets, "    ")
        lines.append(f"    if not {p.code}: m |= {1 << k}")
    lines.append("    return m")
    lines.append("def witnessed(s):")
    lines.append("    m = 0")
    for k, p in enumerate(low.witnessed):
        lets(p.lets, "    ")
        lines.append(f"    if {p.code}: m |= {1 << k}")
    lines.append("    return m")
    lines.append("def finished(s):")
    lets(low.finished.lets, "    ")
    lines.append(f"    return bool({low.finished.code})")
    return "\n".join(lines) + "\n"


def compile_system(name: str, layout: Layout, steps: Sequence[Step],
                   invariants: Sequence[tuple[Pred, Pred]], finished: Pred) -> Compiled:
    """Compile a system's parts: its steps, each invariant's ``(ok, witness)`` predicates (in
    property order) and ``finished``; ``name`` labels the generated code.

    The parts are passed one by one, not as the ``System``, so that this module does not
    depend on ``gentrace.model.system`` (which builds a system and calls this).
    """
    source = python_source(lower(layout, steps, invariants, finished))
    code = compile(source, f"<gentrace {name}>", "exec")
    ns: dict[str, Any] = {"COPY": list, "PACK": tuple}
    exec(code, ns)  # noqa: S102
    packed = all(m < 256 for m in layout.maxv)
    nsp: dict[str, Any] = {"COPY": bytearray, "PACK": bytes} if packed else ns
    exec(code, nsp)  # noqa: S102
    return Compiled(ns["successors"], nsp["successors"], packed, ns["violated"], ns["witnessed"],
                    ns["finished"], source)
