"""Compile a system's steps and predicates into plain Python functions.

The step definitions are evaluated once on :class:`~model.expr.Expr` values,
which turns each guard and update into source text; the text is assembled into
one ``successors(s)`` function that dispatches on each thread's program counter
and builds successor tuples directly.  This is the explorer's hot path; the
reference semantics (``System.apply``) evaluates the same definitions on ints,
and a differential test keeps the two in agreement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gentrace.model.expr import Expr
from gentrace.model.layout import Layout, Step

# A predicate over a state's fields (evaluated here on Expr values).
Pred = Callable[[Sequence[Any]], Any]


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


def _bound(make: Callable[[], Any], lines: list[str], ind: str) -> Any:
    """Run ``make`` (which evaluates step code on Expr values) and emit its ``let`` bindings."""
    Expr.bindings.clear()
    Expr._counter = 0  # names are local to the block that follows: same text every build
    out = make()
    lines += [f"{ind}{name} = {code}" for name, code in Expr.bindings]
    Expr.bindings.clear()
    return out


def compile_system(name: str, layout: Layout, steps: Sequence[Step],
                   invariants: Sequence[tuple[Pred, Pred]], finished: Pred) -> Compiled:
    """Compile a system's parts: its steps, each invariant's ``(ok, witness)`` predicates (in
    property order) and ``finished``; ``name`` labels the generated code.

    The parts are passed one by one, not as the ``System``, so that this module does not
    depend on ``gentrace.model.system`` (which builds a system and calls this).
    """
    n = len(layout)
    S = [Expr(f"s[{i}]") for i in range(n)]
    src = Expr.src
    lines = ["def successors(s):", "    out = []", "    add = out.append"]
    groups: dict[tuple[int, int | None], list[int]] = {}
    for i, st in enumerate(steps):
        groups.setdefault((st.pc_field, st.idle_field), []).append(i)
    for (pc_field, idle), idxs in groups.items():
        ind = "    "
        if idle is not None:
            lines.append(f"{ind}if s[{idle}] == 0:")
            ind += "    "
        lines.append(f"{ind}pc = s[{pc_field}]")
        by_pc: dict[int, list[int]] = {}
        for i in idxs:
            by_pc.setdefault(steps[i].pc, []).append(i)
        kw = "if"
        for pc, at_pc in sorted(by_pc.items()):
            lines.append(f"{ind}{kw} pc == {pc}:")
            kw = "elif"
            for i in at_pc:
                st = steps[i]
                inner = ind + "    "
                if st.guard is not None:
                    guard = _bound(lambda st=st: src(st.guard(S)), lines, inner)
                    lines.append(f"{inner}if {guard}:")
                    inner += "    "
                # Copy the state and assign the changed fields: much cheaper than
                # a tuple display of every field.  Right-hand sides read ``s``,
                # the old state, so the update is simultaneous.
                body: list[str] = []
                upd = _bound(lambda st=st: {f: src(v) for f, v in st.update(S).items()}, body, "")
                body.append("l = COPY(s)")
                body += [f"l[{f}] = {v}" for f, v in sorted(upd.items()) if v != f"s[{f}]"]
                body.append(f"add(({i}, PACK(l)))")
                lines += [inner + b for b in body]
    lines.append("    return out")

    lines.append("def violated(s):")
    lines.append("    m = 0")
    for k, (ok_pred, _) in enumerate(invariants):
        ok = _bound(lambda p=ok_pred: src(p(S)), lines, "    ")
        lines.append(f"    if not {ok}: m |= {1 << k}")
    lines.append("    return m")
    lines.append("def witnessed(s):")
    lines.append("    m = 0")
    for k, (_, wit_pred) in enumerate(invariants):
        wit = _bound(lambda p=wit_pred: src(p(S)), lines, "    ")
        lines.append(f"    if {wit}: m |= {1 << k}")
    lines.append("    return m")
    lines.append("def finished(s):")
    fin = _bound(lambda: src(finished(S)), lines, "    ")
    lines.append(f"    return bool({fin})")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<gentrace {name}>", "exec")
    ns: dict[str, Any] = {"COPY": list, "PACK": tuple}
    exec(code, ns)  # noqa: S102
    packed = all(m < 256 for m in layout.maxv)
    nsp: dict[str, Any] = {"COPY": bytearray, "PACK": bytes} if packed else ns
    exec(code, nsp)  # noqa: S102
    return Compiled(ns["successors"], nsp["successors"], packed, ns["violated"], ns["witnessed"],
                    ns["finished"], source)
