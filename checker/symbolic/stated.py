"""Proofs for runs of any length from the stated invariants (``model/invariants.py``).

A property holds on every run of the unbounded system, however long, when some set of
lemmas is

1. **initial**: every lemma holds in the initial state;
2. **inductive**: from any state where every lemma holds (and every field is within its
   declared range), every step leads to a state where every lemma holds again, the range
   included.  Each lemma is its own query, step by step, against the conjunction of all
   of them (they are mutually inductive);
3. **strong enough**: no state where every lemma holds breaks the property (for
   deadlock-freedom, its safety part).

That is k-induction with k = 1, strengthened by the lemmas.  Which lemmas: Houdini over
the stated ones (:func:`prove_stated`): a lemma false initially, or one some step can
break, is dropped with the reason, until every survivor is kept by every step.

Then the proof is **re-checked** by a fresh plain z3 solver on the monolithic relation
(``Symbolic.trans``, another encoding than the per-step terms of step 2): initiation,
consecution of the whole conjunction, and the implication.  Only a property whose every
check came back ``unsat`` from both is reported ``proved``.  A ``sat`` in step 2 is a
counterexample to induction (a state, a step, the lemma it breaks); ``unknown`` or a
time-out leaves the property ``incomplete``; the two encodings disagreeing is an engine
bug and raises.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3
from gentrace.core.interrupt import check as check_interrupt
from gentrace.model import PROPERTY_NAMES, System
from gentrace.model.invariants import Lemma
from gentrace.model.invariants import lemmas as stated_lemmas
from gentrace.symbolic.relation import Symbolic, _bool

RANGE = "fields.in-range"


@dataclass(frozen=True)
class Cti:
    """A counterexample to induction: from ``state`` (every lemma true), ``step`` breaks ``lemma``."""

    lemma: str
    step: str
    state: tuple[int, ...]
    after: tuple[int, ...]


@dataclass
class StatedResult:
    design: str
    release: str
    workers: int
    verdicts: dict[str, str]                 # property -> proved | vacuous | incomplete
    methods: dict[str, str]
    lemmas: list[Lemma]
    initial_failures: list[str] = field(default_factory=list)
    ctis: list[Cti] = field(default_factory=list)
    used: dict[str, list[str]] = field(default_factory=dict)   # property -> its surviving lemmas
    dropped: dict[str, str] = field(default_factory=dict)      # lemma -> why it was dropped
    survivors: list[str] = field(default_factory=list)
    rounds: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    queries: int = 0
    note: str = ""


def _solver(deadline: float | None) -> z3.Solver:
    s = z3.Solver()
    if deadline is not None:
        s.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
    return s


def _check(solver: z3.Solver, deadline: float | None, *assumptions: Any) -> Any:
    """``solver.check``, except that Ctrl-C stops the run.  z3 takes SIGINT for itself while
    it searches and answers ``unknown`` ("canceled"), so the interrupt is raised here."""
    r = solver.check(*assumptions)
    why = solver.reason_unknown() if r == z3.unknown else ""
    if r == z3.unknown and ("cancel" in why or "interrupt" in why) and (
            deadline is None or time.perf_counter() < deadline - 0.2):
        raise KeyboardInterrupt
    return r


def _substitute(terms: list[tuple[str, z3.BoolRef]], src: Sequence[Any], dst: Sequence[Any]
                ) -> list[tuple[str, z3.BoolRef]]:
    """``z3.substitute`` of ``src`` by ``dst`` in each term, with the arrays built once
    (the Python wrapper re-checks every pair's sorts on every call)."""
    n = len(src)
    fr, to = (z3.Ast * n)(), (z3.Ast * n)()
    for k in range(n):
        fr[k], to[k] = src[k].as_ast(), dst[k].as_ast()
    ctx = src[0].ctx
    return [(name, z3.BoolRef(z3.Z3_substitute(ctx.ref(), t.as_ast(), n, fr, to), ctx))
            for name, t in terms]


class Checker:
    """Initiation, consecution and implication of a lemma list on one unbounded system."""

    def __init__(self, system: System, lems: Sequence[Lemma] | None = None) -> None:
        self.system = system
        self.sym = Symbolic(system)
        self.lemmas = list(stated_lemmas(system) if lems is None else lems)
        self.x = self.sym.state("x")
        self.queries = 0

    def holds(self, lem: Lemma, s: Sequence[int]) -> bool:
        return bool(lem.pred(list(s)))

    def in_range(self, s: Sequence[int]) -> bool:
        return all(0 <= v <= m for v, m in zip(s, self.system.layout.maxv, strict=True))

    def initial_failures(self) -> list[str]:
        s0 = self.system.initial
        out = [lem.name for lem in self.lemmas if not self.holds(lem, s0)]
        if not self.in_range(s0):
            out.append(RANGE)
        return out

    def terms(self, xs: Sequence[Any], lems: Sequence[Lemma] | None = None,
              with_range: bool = True) -> list[tuple[str, z3.BoolRef]]:
        lems = self.lemmas if lems is None else lems
        out = [(RANGE, self.sym.in_range(xs))] if with_range else []
        return out + [(lem.name, _bool(lem.pred(list(xs)))) for lem in lems]

    def base(self) -> list[Lemma]:
        return [lem for lem in self.lemmas if not lem.props]

    def extras(self, prop: str) -> list[Lemma]:
        return [lem for lem in self.lemmas if prop in lem.props]

    def consecution(self, assume: Sequence[Lemma] | None = None, check: Sequence[Lemma] | None = None,
                    *, with_range: bool = True, deadline: float | None = None, first_only: bool = False,
                    progress: Callable[[str], None] | None = None) -> tuple[list[Cti], str]:
        """Every step from a state where ``assume`` holds (and every field is in range) to a
        state where each of ``check`` (and, ``with_range``, the range) holds again: the CTIs
        found, and why the check stopped short ("" when it ran to the end)."""
        sym, x = self.sym, self.x
        assume = self.lemmas if assume is None else assume
        check = assume if check is None else check
        solver = _solver(deadline)
        solver.add(*[t for _, t in self.terms(x, assume)])
        ctis: list[Cti] = []
        steps = self.system.steps
        # The lemmas over a template successor, built once; each step substitutes its update.
        tmpl = sym.state("succ")
        post_tmpl = self.terms(tmpl, check, with_range)
        for i, st in enumerate(steps):
            check_interrupt()
            if progress is not None:
                progress(f"consecution: step {i + 1}/{len(steps)} {st.key}")
            upd = sym.update(i, x)
            y = [upd.get(f, xf) for f, xf in enumerate(x)]
            post = _substitute(post_tmpl, tmpl, [v if not isinstance(v, int) else sym.const(v) for v in y])
            solver.push()
            solver.add(sym.guard(i, x))
            todo = list(post)
            while todo:
                if deadline is not None:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        solver.pop()
                        return ctis, "time budget spent"
                    solver.set("timeout", max(1, int(left * 1000)))
                self.queries += 1
                r = _check(solver, deadline, z3.Or(*[z3.Not(t) for _, t in todo]))
                if r == z3.unsat:
                    break
                if r != z3.sat:
                    solver.pop()
                    return ctis, f"solver answered {r} at step {st.key}"
                m = solver.model()
                state = sym.value(m, x)
                after = tuple(m.eval(v if not isinstance(v, int) else sym.const(v),
                                     model_completion=True).as_long() for v in y)
                broken = [n for n, t in todo if z3.is_false(m.eval(t, model_completion=True))]
                for n in broken:
                    ctis.append(Cti(n, st.key, state, after))
                if first_only:
                    solver.pop()
                    return ctis, ""
                todo = [(n, t) for n, t in todo if n not in broken]
            solver.pop()
        return ctis, ""

    def implies(self, prop: str, deadline: float | None = None,
                lems: Sequence[Lemma] | None = None) -> tuple[str, tuple[int, ...] | None]:
        """Whether every lemma state satisfies ``prop`` (for deadlock-freedom, its safety
        part): ``unsat`` (it does), ``sat`` with a lemma state breaking it, or ``unknown``."""
        s = _solver(deadline)
        s.add(*[t for _, t in self.terms(self.x, lems)])
        s.add(self.sym.bad(prop, self.x))
        self.queries += 1
        r = _check(s, deadline)
        if r == z3.sat:
            return "sat", self.sym.value(s.model(), self.x)
        return str(r), None

    def excludes_witness(self, prop: str, deadline: float | None, lems: Sequence[Lemma]) -> str:
        """``unsat`` when no state where every lemma holds gives ``prop`` a say (its antecedent,
        as the explorer's ``vacuous`` uses it): the property is then vacuous for every run."""
        s = _solver(deadline)
        s.add(*[t for _, t in self.terms(self.x, lems)])
        wit = self.system.invariants[self.system.prop_index[prop]].witness(list(self.x))
        s.add(_bool(wit))
        self.queries += 1
        return str(_check(s, deadline))

    def recheck(self, props: Sequence[str], deadline: float | None = None,
                lems: Sequence[Lemma] | None = None, only_props: bool = False) -> dict[str, str]:
        """A fresh plain solver, the monolithic relation: initiation, consecution, and each
        property's implication.  Returns check -> z3's answer (``unsat`` everywhere when the
        proof stands)."""
        sym = self.sym
        lems = self.lemmas if lems is None else lems
        x, y, ch = sym.state("rx"), sym.state("ry"), sym.choice("rc")

        def inv(xs: Sequence[Any]) -> z3.BoolRef:
            return z3.And(sym.in_range(xs), *[_bool(lem.pred(list(xs))) for lem in lems])

        out: dict[str, str] = {}
        checks = [] if only_props else [
            ("initiation", z3.And(sym.init(x), z3.Not(inv(x)))),
            ("consecution", z3.And(inv(x), sym.trans(x, y, ch), z3.Not(inv(y))))]
        checks += [(f"implies {p}", z3.And(inv(x), sym.bad(p, x))) for p in props]
        for name, f in checks:
            check_interrupt()
            s = z3.Solver()
            if deadline is not None:
                s.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
            s.add(f)
            self.queries += 1
            out[name] = str(_check(s, deadline))
        return out


def prove_stated(system: System, *, props: Sequence[str] = PROPERTY_NAMES,
                 max_seconds: float | None = None, lems: Sequence[Lemma] | None = None,
                 progress: Callable[[str], None] | None = None) -> StatedResult:
    """Prove each of ``props`` for runs of any length from the stated invariants.

    Houdini over the stated lemmas: those false initially are dropped, then every lemma
    some step can break (from a state where all surviving lemmas hold) is dropped, until
    none is.  The survivors are the largest inductive subset; for the designs the lemmas
    describe nothing is dropped, and for a mutant the dropped ones say where its defect
    lies.  Each property must then be implied by the survivors, and the whole proof is
    re-checked by a plain solver on the monolithic relation."""
    t0 = time.perf_counter()
    deadline = None if max_seconds is None else t0 + max_seconds
    ck = Checker(system, lems)
    d = system.design
    res = StatedResult(d.name, d.release.name, system.bounds.workers, {}, {}, ck.lemmas)
    say = progress or (lambda msg: None)
    res.initial_failures = ck.initial_failures()
    for n in res.initial_failures:
        res.dropped[n] = "false in the initial state"
    alive = [lem for lem in ck.lemmas if lem.name not in res.dropped]
    stop = "" if RANGE not in res.dropped else "a field is out of its range initially"
    t = time.perf_counter()
    rounds = 0
    while not stop:
        rounds += 1
        head = f"round {rounds}, {len(alive)} lemmas"
        ctis, stop = ck.consecution(alive, alive, deadline=deadline,
                                    progress=lambda m, head=head: say(f"{head}: {m}"))
        res.ctis += ctis
        broken = {c.lemma: c for c in ctis}
        if RANGE in broken:
            c = broken[RANGE]
            stop = f"step {c.step} takes a field out of its declared range"
            lost = [n for n in res.dropped if n != RANGE]
            if lost:
                stop += (f" once the lemmas that fail here are dropped ({len(lost)}, e.g. "
                         f"{lost[0]}: {res.dropped[lost[0]]})")
        for n, c in broken.items():
            res.dropped.setdefault(n, f"step {c.step} can break it")
        if not broken or stop:
            break
        alive = [lem for lem in alive if lem.name not in broken]
    res.rounds = rounds
    res.seconds["consecution"] = time.perf_counter() - t
    res.survivors = [lem.name for lem in alive]
    names = set(res.survivors)
    rc: dict[str, str] = {}
    for p in props:
        mine = [lem for lem in ck.lemmas if not lem.props or p in lem.props]
        res.used[p] = [lem.name for lem in mine if lem.name in names]
        lost = [lem.name for lem in mine if lem.name not in names]
        if stop:
            res.verdicts[p], res.methods[p] = "incomplete", f"no proof: {stop}"
            continue
        t = time.perf_counter()
        say(f"{p}: implication")
        r, _ = ck.implies(p, deadline, alive)
        res.seconds["implication"] = res.seconds.get("implication", 0.0) + time.perf_counter() - t
        if r != "unsat":
            why = ("the inductive lemmas do not imply it" if r == "sat"
                   else f"the solver answered {r} on the implication")
            if lost:
                why += f"; {len(lost)} of its lemmas fail here, e.g. {lost[0]} ({res.dropped[lost[0]]})"
            res.verdicts[p], res.methods[p] = "incomplete", why
            continue
        t = time.perf_counter()
        say(f"{p}: re-check by a plain solver")
        if not rc:
            rc = ck.recheck([], deadline, alive)
        rp = ck.recheck([p], deadline, alive, only_props=True)
        res.seconds["recheck"] = res.seconds.get("recheck", 0.0) + time.perf_counter() - t
        checks = {**rc, **rp}
        bad = [k for k in ("initiation", "consecution", f"implies {p}") if checks[k] != "unsat"]
        if bad and checks[bad[0]] == "sat":
            raise AssertionError(f"stated proof of {p}: the step-by-step checks passed but the plain "
                                 f"re-check finds {bad[0]} false: an engine bug")
        if bad:
            res.verdicts[p], res.methods[p] = "incomplete", f"the plain re-check answered {checks[bad[0]]} on {bad[0]}"
        elif ck.excludes_witness(p, deadline, alive) == "unsat":
            res.verdicts[p] = "vacuous"
            res.methods[p] = ("the inductive lemmas rule out every state where the property says "
                              "anything (e.g. no event is ever written): true, but it says nothing")
        else:
            res.verdicts[p] = "proved"
            res.methods[p] = (f"k-induction with k = 1 over {len(alive)} inductive stated lemmas "
                              f"({len(res.used[p])} of them written for it); re-checked by a plain solver")
    res.queries = ck.queries
    res.seconds["total"] = time.perf_counter() - t0
    return res
