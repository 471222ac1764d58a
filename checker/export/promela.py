"""One design at one bound as a Promela program for Spin, from the model's own steps.

Nothing here restates the transition relation: every guard, update, property and the
``finished`` predicate is obtained by evaluating the model's definitions (``System.guard``,
``Step.update``, ``Invariant.ok``, ``System.finished``) on :class:`~gentrace.model.expr.Expr`
values printed in the Promela dialect, as ``gentrace.model.compile`` does for the explorer.

The program, and why it has exactly the explorer's state space:

- The state vector is the model's, one global variable per field (``bit``/``byte``/
  ``short``/``int`` by the field's declared range), initialised as the model's initial state.
- Each thread (a worker, the reader, the advancer, each with its SIGPROF handler's steps)
  is an ``active proctype`` whose body is one ``do`` loop with an option per step:
  ``d_step { enabled -> update; asserts }``.  A ``d_step`` is a single transition of Spin
  with no intermediate state stored, and its first statement (the step's whole enabling
  condition: program counter, idle handler, guard) decides whether it is executable, so
  one option is one step of the model.  Every process stays at its loop head, so Spin's
  process counters are constant and a Spin state is the model's state and nothing else:
  Spin and the explorer store the same number of states.  (One process looping over every
  step would store the same states too; a process per thread is chosen because Spin's
  trails and reports then name the thread that moved, for a few constant bytes of process
  bookkeeping in Spin's state vector.  Spin's partial-order reduction finds nothing to
  reduce: it works on local variables and exclusive channels, and every variable here is
  global.)
- An update is simultaneous in the model (every right-hand side reads the state before the
  step).  Sub-expressions the model names with ``let`` become ``hidden`` temporaries
  ``tN``, computed first (from the state before the step).  Fields are then assigned in an
  order in which none is overwritten while a right-hand side still to run reads it; where
  the reads form a cycle, a field's old value is first saved in a ``hidden`` temporary
  ``uN``, which those right-hand sides read instead.  ``hidden`` variables are not part of
  Spin's state vector, and each is written before it is read within one d_step.
- The invariants are assertions at the end of each step that writes a field the invariant
  reads (a step that writes none cannot change its truth); the initial state is judged
  when the program is written (and, should it break an invariant, once more by Spin, in an
  option of ``completion`` enabled only in the initial state, which loops back to it).
  Each assertion names its property: ``assert(ok_sample_generation)``, so Spin's report
  says which one broke.
- Deadlock: a state with no enabled step in which not every thread has finished is Spin's
  *invalid end state* (no process sits at an end label).  The process ``completion`` has
  one option, ``FINISHED``, executable exactly in finished states, where it loops back to
  the same state: a finished state is never an end state, so only the model's deadlocks are.

What Spin does not check here: deadlock-freedom's no-completion part (from every reachable
state some run lets every thread finish) is a branching-time property (AG EF finished) that
neither assertions nor LTL express; vacuity (whether a property's antecedent ever occurs)
is not judged either, so Spin's silence means "holds or vacuous".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gentrace.model import PROPERTY_NAMES, System
from gentrace.model.expr import PROMELA, Dialect, Expr

# Promela's reserved words and predefined names: a field may not be called one of these.
RESERVED = frozenset("""
    active assert atomic bit bool break byte c_code c_decl c_expr c_state c_track chan d_proctype
    d_step do else empty enabled eval false fi full get_priority goto hidden if init inline int
    len local mtype nempty never nfull non_atomic np_ od of pc_value pid print printf printm
    priority proctype provided run select set_priority short show skip timeout trace true typedef
    unless unsigned xr xs _ _last _nr_pr _pid _priority
""".split())

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def field_names(system: System) -> list[str]:
    """The state vector's fields as Promela identifiers (``profBuf[0].w`` is ``profBuf_0_w``):
    unique, never a reserved word, ``FINISHED``, ``completion``, a property's flag ``ok_...``
    or of the temporaries' form ``tN``/``uN``."""
    out: list[str] = []
    seen: set[str] = set()
    for name in system.layout.names:
        base = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", name)).strip("_") or "field"
        if (base[0].isdigit() or base in RESERVED or base in ("FINISHED", "completion")
                or base.startswith("ok_") or re.fullmatch(r"[tu]\d+", base)):
            base = "f_" + base
        n, k = base, 1
        while n in seen:
            k += 1
            n = f"{base}_{k}"
        seen.add(n)
        out.append(n)
    return out


def field_type(maxv: int) -> str:
    """The smallest Promela type holding 0..maxv."""
    if maxv <= 1:
        return "bit"
    if maxv <= 255:
        return "byte"
    if maxv <= 32767:
        return "short"
    return "int"


def type_max(t: str) -> int:
    return {"bit": 1, "byte": 255, "short": 32767, "int": 2**31 - 1}[t]


def _evaluate(make: Callable[[], Any]) -> tuple[list[tuple[str, str]], Any]:
    """Run ``make`` (model code on Expr values); its ``let`` bindings ``tN`` (numbered from 1
    for every block, so the text does not depend on what was evaluated before) and result."""
    Expr.bindings.clear()
    Expr._counter = 0
    try:
        out = make()
        return list(Expr.bindings), out
    finally:
        Expr.bindings.clear()
        Expr._counter = 0


def _reads(codes: Sequence[str], names: set[str]) -> set[str]:
    return {m for c in codes for m in _IDENT.findall(c) if m in names}


@dataclass(frozen=True)
class StepCode:
    """One step as straight-line code: when ``guard`` holds, run ``body`` in order.

    ``body`` is a list of ``(target, expression)`` assignments: temporaries ``tN`` (the
    model's ``let`` bindings, from the state before the step), then the fields, with a
    field's old value saved in a temporary ``uN`` where a later right-hand side still
    reads it.  Run in order it is the model's simultaneous update.  ``writes`` are the
    fields the step may change."""

    index: int
    key: str
    go: str
    thread: str
    guard: str
    body: tuple[tuple[str, str], ...]
    writes: frozenset[str]


@dataclass(frozen=True)
class PredCode:
    """A predicate as straight-line code: the bindings ``tN`` in order, then ``expr``."""

    name: str
    bindings: tuple[tuple[str, str], ...]
    expr: str
    reads: frozenset[str]


def _symbols(system: System, names: list[str]) -> list[Expr]:
    return [Expr(n) for n in names]


def step_code(system: System, dialect: Dialect = PROMELA) -> list[StepCode]:
    """Every step of ``system`` as straight-line code in ``dialect`` (Promela by default; the
    Python dialect gives the same program in Python, for testing)."""
    names = field_names(system)
    S = _symbols(system, names)
    nameset = set(names)
    out = []
    with Expr.printing(dialect):
        for i, st in enumerate(system.steps):
            gb, g = _evaluate(lambda st=st: Expr.src(system.guard(st, S)))
            if gb:  # no guard names a sub-expression today; inline the names if one does
                for tname, code in reversed(gb):
                    g = re.sub(rf"\b{tname}\b", f"({code})", g)
            binds, upd = _evaluate(lambda st=st: {f: Expr.src(v) for f, v in st.update(S).items()})
            changes = [(names[f], v) for f, v in sorted(upd.items()) if v != names[f]]
            written = {n for n, _ in changes}
            body: list[tuple[str, str]] = list(binds)  # tN: computed first, from the old state
            body += _sequential(changes, nameset)
            out.append(StepCode(i, st.key, st.go, st.thread, g, tuple(body), frozenset(written)))
    return out


def _sequential(changes: list[tuple[str, str]], names: set[str]) -> list[tuple[str, str]]:
    """The simultaneous assignment ``changes`` as assignments run one after another.

    A field is assigned once no other pending right-hand side reads it; when every pending
    field is still read by another, the first one's old value is saved in a temporary
    ``uN``, which those right-hand sides read instead."""
    pending = [(n, v, _reads([v], names)) for n, v in changes]
    out: list[tuple[str, str]] = []
    saved = 0
    while pending:
        for k, (n, v, _) in enumerate(pending):
            if not any(n in r for j, (_, _, r) in enumerate(pending) if j != k):
                out.append((n, v))
                del pending[k]
                break
        else:
            n = pending[0][0]
            saved += 1
            u = f"u{saved}"
            out.append((u, n))
            pat = re.compile(rf"\b{n}\b")
            pending = [(m, pat.sub(u, w), r - {n}) for m, w, r in pending]
    return out


def pred_code(system: System, dialect: Dialect = PROMELA) -> tuple[list[PredCode], PredCode]:
    """The invariants' ``ok`` predicates (in property order) and ``finished``, in ``dialect``."""
    names = field_names(system)
    S = _symbols(system, names)
    nameset = set(names)
    preds = []
    with Expr.printing(dialect):
        for inv in system.invariants:
            b, e = _evaluate(lambda inv=inv: Expr.src(inv.ok(S)))
            preds.append(PredCode(inv.prop, tuple(b), e,
                                  frozenset(_reads([e, *(c for _, c in b)], nameset))))
        b, e = _evaluate(lambda: Expr.src(system.finished(S)))
        for tname, code in reversed(b):  # a #define cannot hold statements
            e = re.sub(rf"\b{tname}\b", f"({code})", e)
        fin = PredCode("finished", (), e, frozenset(_reads([e], nameset)))
    return preds, fin


def ok_name(prop: str) -> str:
    """The hidden flag a property's assertion reads: ``ok_sample_generation``."""
    return "ok_" + re.sub(r"[^A-Za-z0-9]", "_", prop)


def _comment(text: str) -> str:
    return " ".join(text.replace("*/", "* /").replace("/*", "/ *").split())


def _wrap(prefix: str, items: list[str], width: int = 100) -> list[str]:
    lines, cur = [], prefix
    for k, it in enumerate(items):
        piece = it + ("," if k < len(items) - 1 else ";")
        if len(cur) + len(piece) + 1 > width and cur != prefix:
            lines.append(cur.rstrip())
            cur = " " * len(prefix)
        cur += piece + " "
    lines.append(cur.rstrip())
    return lines


def promela(system: System) -> str:
    """The Promela program of ``system`` (deterministic: the same text for the same design,
    release and bound).  See the module docstring for its structure."""
    names = field_names(system)
    L = system.layout
    steps = step_code(system)
    preds, fin = pred_code(system)
    checked = [p for p in preds if p.expr != PROMELA.true]
    d, b = system.design, system.bounds
    init_bad = [p.name for p, inv in zip(preds, system.invariants, strict=True)
                if not inv.ok(system.initial)]

    out = ["/*",
           f" * gentrace export: design {d.name} on go{d.release.name}, bound "
           + " ".join(f"{k}={v}" for k, v in b.as_dict().items()) + ".",
           " * Generated from the model's step definitions (gentrace.model); do not edit.",
           f" * {len(L)} state fields, {len(steps)} steps, "
           f"{len({s.thread for s in steps})} threads (with their SIGPROF handlers).",
           " *",
           " * One Spin state is one state of the model: each thread is a process looping over",
           " * d_step options, one per step (enabling condition first, then the simultaneous update),",
           " * so every process stays at its loop head and Spin stores exactly the states that",
           " * `gentrace check` counts. Temporaries are hidden (outside the state vector).",
           " *",
           " * Checked by Spin:",
           ]
    for p in preds:
        if p.name == "deadlock-freedom":
            how = ("its self-deadlock part" + (" as assert(ok_deadlock_freedom)" if p in checked
                                                else " (no handler waits on its own M here: nothing to assert)")
                   + "; a deadlocked state (no step enabled, some thread unfinished) as Spin's "
                   "invalid end state")
        else:
            how = f"assert({ok_name(p.name)}) after every step that writes a field it reads"
        out.append(f" *   {p.name}: {how}")
    out += [" * Not checked by Spin:",
            " *   deadlock-freedom's no-completion part (can every reachable state still reach the end?):",
            " *     a branching-time property (AG EF finished) that assertions and LTL cannot state;",
            " *   vacuity: Spin reports no violation both where a property holds and where it is vacuous.",
            " * The initial state "
            + ("satisfies every invariant (judged when this file was written)." if not init_bad else
               "breaks " + ", ".join(init_bad) + ": asserted there by Spin too (a self-loop of completion)."),
            " *",
            " * Run:  spin -a model.pml && gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c && ./pan -m1000000 -c0",
            " *   (-c0: go on after a violation and count every error; drop -DNOREDUCE for Spin's",
            " *   partial-order reduction, which has little to reduce: every variable is global.)",
            " */",
            "",
            f"/* The state vector ({len(L)} fields), initialised as the model's initial state. */"]
    for i, n in enumerate(names):
        t = field_type(L.maxv[i])
        note = f"{L.names[i]}: 0..{L.maxv[i]}"
        if L.labels[i]:
            note += " (" + " ".join(f"{k}={lab}" for k, lab in enumerate(L.labels[i] or [])) + ")"
        out.append(f"{t} {n} = {L.init[i]};  /* {_comment(note)} */")
    def count(kind: str, targets: list[str]) -> int:
        return max([0] + [int(t[1:]) for t in targets if re.fullmatch(kind + r"\d+", t)])

    targets = [t for s in steps for t, _ in s.body] + [t for p in preds for t, _ in p.bindings]
    ntemp, nlate = count("t", targets), count("u", targets)
    out += ["", "/* Temporaries of one d_step: hidden, not part of the state. */"]
    if ntemp:
        out += _wrap("hidden int ", [f"t{k}" for k in range(1, ntemp + 1)])
    if nlate:
        out += _wrap("hidden int ", [f"u{k}" for k in range(1, nlate + 1)])
    if checked:
        out += _wrap("hidden byte ", [ok_name(p.name) for p in checked])
    out += ["", f"#define FINISHED {fin.expr}", ""]

    threads = list(dict.fromkeys(s.thread for s in steps))
    for th in threads:
        proc = re.sub(r"[^A-Za-z0-9_]", "_", th)
        if proc in names or proc in RESERVED or not proc[0].isalpha() or proc == "completion":
            proc = "p_" + proc
        out += [f"active proctype {proc}() {{", "  do"]
        for s in steps:
            if s.thread != th:
                continue
            out.append(f"  :: d_step {{ /* step {s.index} {_comment(s.key)}: {_comment(s.go)} */")
            out.append(f"       {s.guard} ->")
            stmts = [f"{t} = {v}" for t, v in s.body]
            for p in checked:
                if p.reads & s.writes:
                    stmts += [f"{t} = {v}" for t, v in p.bindings]
                    stmts += [f"{ok_name(p.name)} = {p.expr}", f"assert({ok_name(p.name)})"]
            if not stmts:
                stmts = ["skip"]
            out += [f"       {x};" for x in stmts[:-1]] + [f"       {stmts[-1]}", "     }"]
        out += ["  od", "}", ""]
    out += ["/* Finished states loop here, so they are never end states: Spin's invalid end states",
            " * are exactly the model's deadlocks. */",
            "active proctype completion() {"]
    out += ["  do", "  :: FINISHED"]
    if init_bad:  # a self-loop on the initial state: no state is added
        stmts = []
        for p in preds:
            if p.name in init_bad:
                stmts += [f"{t} = {v}" for t, v in p.bindings]
                stmts += [f"{ok_name(p.name)} = {p.expr}", f"assert({ok_name(p.name)})"]
        initial = " && ".join(f"({n} == {v})" for n, v in zip(names, system.initial, strict=True))
        out += [f"  :: d_step {{ /* the initial state */ ({initial}) ->"]
        out += [f"       {x};" for x in stmts[:-1]] + [f"       {stmts[-1]}", "     }"]
    out += ["  od", "}", ""]
    assert [p.name for p in preds] == list(PROPERTY_NAMES)
    return "\n".join(out)
