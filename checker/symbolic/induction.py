"""Proofs for runs of any length: an inductive invariant of the unbounded system.

The unbounded system (``model.System(..., unbounded=True)``) has no run bounds but a
finite state: the generation word wraps, the buffers keep their capacities, and one
tracked sample stands for every sample.  A property holds on every run of any length
exactly when some inductive invariant (true initially, kept by every step) implies it.

How the invariant is found (Houdini, over candidates mined from reachable states):

1. **Mine.**  States reachable in the unbounded system: a breadth-first prefix and
   seeded random walks far deeper than the bounded engines go.
2. **Candidates**, in three families, each with its reason (:data:`FAMILIES`):

   * ``range``: a field takes only the values seen;
   * ``pair``: when a control field (a program counter, a flag, a small counter)
     has a value, another field takes only the values seen beside it;
   * ``property``: every property's state predicate, and "some step is enabled
     before everyone has finished" (the safety part of deadlock-freedom).

   Mined candidates hold on every mined state, not necessarily on every reachable one.
3. **Houdini.**  Ask z3 for a state satisfying every surviving candidate with a
   successor that breaks one; drop every candidate the successor breaks; repeat until
   no such step exists.  What survives is the largest inductive subset: true
   initially (the initial state was mined), kept by every step.
4. **k-induction** when a property is not in the survivors: its state predicate is
   checked by k-induction strengthened with the survivors (k = 1 .. ``max_k``), the
   base case being bounded model checking to depth k - 1.
5. **Re-check.**  The claimed invariant is checked again by a fresh, plain z3 solver
   (not the tactic the search used): initiation, consecution, and that it implies the
   property.  Only then is the property reported proved.

A property dropped by Houdini and not proved by k-induction is ``incomplete``: nothing
was shown either way.  A violation is never claimed here: a run of the unbounded
system that breaks a property is looked for by bounded model checking, whose
counterexamples replay on the concrete model.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3
from gentrace.core.interrupt import check as check_interrupt
from gentrace.model import PROPERTY_NAMES, System
from gentrace.symbolic.relation import Symbolic

FAMILIES = {
    "cluster-pair": "when one M's fields have given values, another M's (or a buffer's, a "
                    "profBuf's) fields take only the value tuples seen beside them",
    "cluster": "the fields of one thread, handler, buffer or profBuf take only the value "
               "tuples seen together; kept only while no step leads out of them",
    "range": "a field takes only the values it was seen to take in the reachable states "
             "mined; kept only while no step leads out of it",
    "pair": "when a control field (program counter, flag, small counter) has a value, another "
            "field takes only the values seen beside it; kept only while no step breaks it",
    "property": "the property itself (its state predicate), or: before every thread has "
                "finished, some step is enabled",
}
DEADLOCK_SAFETY = "deadlock-freedom/enabled"


@dataclass(frozen=True)
class Candidate:
    """One candidate invariant.

    * ``range``: ``field in allowed``;
    * ``pair``: ``x[key] == kv => field in allowed`` (``key`` one field or a cluster's
      fields, ``kv`` their values);
    * ``cluster``: the cluster's fields ``key`` take one of the value tuples ``tuples``;
    * ``property``: the property ``prop``'s state predicate.
    """

    family: str
    name: str
    field: int = -1
    allowed: frozenset[int] = frozenset()
    key: tuple[int, ...] = ()
    kv: tuple[int, ...] = ()
    tuples: frozenset[tuple[int, ...]] = frozenset()
    prop: str | None = None
    other: tuple[int, ...] = ()  # cluster-pair: the constrained cluster's fields

    def holds(self, s: Sequence[int], sysm: System) -> bool:
        if self.prop is not None:
            if self.prop == DEADLOCK_SAFETY:
                return bool(sysm.finished(s)) or bool(sysm.enabled(tuple(s)))
            return bool(sysm.invariants[sysm.prop_index[self.prop]].ok(list(s)))
        proj = tuple(s[k] for k in self.key)
        if self.family == "cluster":
            return proj in self.tuples
        if self.family == "cluster-pair":
            return proj != self.kv or tuple(s[f] for f in self.other) in self.tuples
        if self.key and proj != self.kv:
            return True
        return s[self.field] in self.allowed


@dataclass
class ProofResult:
    """What one proof attempt established, property by property."""

    design: str
    release: str
    workers: int
    verdicts: dict[str, str]            # property -> proved | incomplete
    methods: dict[str, str]             # property -> how it was proved, or why not
    invariant: list[Candidate]
    families: dict[str, int]            # family -> candidates in the invariant
    mined_states: int
    candidates: int
    rounds: int
    seconds: dict[str, float] = field(default_factory=dict)
    note: str = ""


def clusters(sysm: System) -> list[tuple[int, ...]]:
    """Fields that belong together: one M's (its thread's locals and its SIGPROF handler's,
    which share the M's seqlock), one trace buffer's, one profBuf's (named ``X.*`` and
    ``X.sigprof.*``, ``X.buf[p].*``, ``profBuf[p].*``)."""
    groups: dict[str, list[int]] = {}
    for f, name in enumerate(sysm.layout.names):
        parts = name.split(".")
        g = parts[0]
        if len(parts) > 2 and parts[1].startswith("buf["):
            g = f"{parts[0]}.{parts[1]}"
        groups.setdefault(g, []).append(f)
    return [tuple(v) for v in groups.values() if len(v) > 1]


class OutOfRange(Exception):
    """A state the abstraction must admit has a field beyond its declared range."""


class Table:
    """The abstraction of a set of states that the candidates state, as one-hot bit sets.

    A state is the int with bit ``f * W + s[f]`` set for each field ``f``.  ``all`` is the
    union of every state added (each field's values); ``by[K][t]`` the union of the
    states whose fields ``K`` (one field, or a cluster) have the values ``t``.  Adding a
    state is the abstract join: every candidate the table states can only weaken."""

    def __init__(self, sysm: System, keys: Sequence[tuple[int, ...]], cluster_keys: Sequence[tuple[int, ...]]) -> None:
        self.sysm = sysm
        self.n = len(sysm.layout)
        self.maxv = sysm.layout.maxv
        self.W = max(self.maxv) + 1
        self.keys = list(keys)
        self.cluster_keys = set(cluster_keys)
        # Cluster pairs: an M's value tuple constrains another cluster's tuple (the M's
        # own clusters first, so that "the reader drains profBuf[p] while the advancer
        # drains the other one" is one candidate).
        names = sysm.layout.names
        ms = [k for k in cluster_keys if names[k[0]].split(".")[0] in {t.name for t in sysm.threads}
              and "buf[" not in names[k[0]]]
        self.pairs: dict[tuple[tuple[int, ...], tuple[int, ...]], dict[tuple[int, ...], set[tuple[int, ...]]]] = {
            (a, b): {} for a in ms for b in cluster_keys if a != b}
        self.one = [[1 << (f * self.W + v) for v in range(self.W)] for f in range(self.n)]
        self.all = 0
        self.by: dict[tuple[int, ...], dict[tuple[int, ...], int]] = {k: {} for k in self.keys}

    def hot(self, s: Sequence[int]) -> int:
        one, maxv = self.one, self.maxv
        h = 0
        for f, v in enumerate(s):
            if v > maxv[f]:
                raise OutOfRange(f"{self.sysm.layout.names[f]} = {v} (declared at most {maxv[f]})")
            h |= one[f][v]
        return h

    def add(self, s: Sequence[int]) -> bool:
        """Join ``s``; whether it changed anything."""
        h = self.hot(s)
        changed = (self.all | h) != self.all
        self.all |= h
        for k in self.keys:
            row = self.by[k]
            t = tuple(s[f] for f in k)
            old = row.get(t, 0)
            if old | h != old:
                row[t] = old | h
                changed = True
        for (a, b), tab in self.pairs.items():
            ta, tb = tuple(s[f] for f in a), tuple(s[f] for f in b)
            got = tab.setdefault(ta, set())
            if tb not in got:
                got.add(tb)
                changed = True
        return changed

    def values(self, mask: int, f: int) -> frozenset[int]:
        bits = (mask >> (f * self.W)) & ((1 << self.W) - 1)
        return frozenset(v for v in range(self.W) if bits >> v & 1)

    def candidates(self) -> list[Candidate]:
        L = self.sysm.layout
        out: list[Candidate] = []
        glob = [self.values(self.all, f) for f in range(self.n)]
        for f in range(self.n):
            if len(glob[f]) <= L.maxv[f]:
                out.append(Candidate("range", f"{L.names[f]} in {_show(L, f, glob[f])}", f, glob[f]))
        for k in self.keys:
            kname = ",".join(L.names[f] for f in k)
            if k in self.cluster_keys:
                out.append(Candidate("cluster", f"({kname}) in {len(self.by[k])} value tuples",
                                     key=k, tuples=frozenset(self.by[k])))
            for kv in sorted(self.by[k]):
                mask = self.by[k][kv]
                shown = ",".join(L.show(f, v) for f, v in zip(k, kv, strict=True))
                for f in range(self.n):
                    if f in k:
                        continue
                    allowed = self.values(mask, f)
                    if allowed != glob[f]:
                        out.append(Candidate("pair", f"({kname}) = ({shown}) => {L.names[f]} in "
                                             f"{_show(L, f, allowed)}", f, allowed, key=k, kv=kv))
        for (a, b), tab in self.pairs.items():
            every = frozenset(self.by[b]) if b in self.by else None
            for ta in sorted(tab):
                tb = frozenset(tab[ta])
                if tb == every:
                    continue
                out.append(Candidate("cluster-pair", f"({L.names[a[0]]}..) = {ta} => ({L.names[b[0]]}..) in "
                                     f"{len(tb)} tuples", key=a, kv=ta, tuples=tb, other=b))
        return out


def key_fields(sysm: System, key_max: int = 16) -> list[tuple[int, ...]]:
    """The single fields a pair candidate is conditioned on: those with few values
    (program counters, flags, generations, small counters)."""
    return [(f,) for f, m in enumerate(sysm.layout.maxv) if 1 <= m < key_max]


def mine(sysm: System, table: Table, *, bfs: int, walks: int, walk_len: int, seed: int,
         deadline: float | None = None) -> int:
    """Join into ``table`` the states of a breadth-first prefix of ``bfs`` states and of
    ``walks`` random walks of ``walk_len`` steps (seeded); returns how many states.
    A deadline ends the mining early (fewer candidates survive then, none wrongly)."""
    succ = sysm.compiled.successors
    init = tuple(sysm.initial)
    seen = {init}
    todo = deque([init])
    popped = 0
    while todo and len(seen) < bfs:
        s = todo.popleft()
        popped += 1
        for _, t in succ(s):
            if t not in seen:
                seen.add(t)
                todo.append(t)
        check_interrupt()
        if deadline is not None and popped % 1024 == 0 and time.perf_counter() > deadline:
            break
    rng = random.Random(seed)
    for w in range(walks):
        walk(sysm, init, walk_len, rng, seen)
        if w % 16 == 0:
            check_interrupt()
            if deadline is not None and time.perf_counter() > deadline:
                break
    added = 0
    for s in seen:
        table.add(s)
        added += 1
        if added % 512 == 0:
            check_interrupt()
            if deadline is not None and time.perf_counter() > deadline:
                break
    return added


def walk(sysm: System, s: tuple[int, ...], n: int, rng: random.Random,
         into: set[tuple[int, ...]]) -> None:
    succ = sysm.compiled.successors
    for _ in range(n):
        nxt = succ(s)
        if not nxt:
            return
        s = tuple(rng.choice(nxt)[1])
        into.add(s)


def property_candidates(props: Sequence[str]) -> list[Candidate]:
    out = [Candidate("property", p, prop=p) for p in props]
    if "deadlock-freedom" in props:
        out.append(Candidate("property", DEADLOCK_SAFETY, prop=DEADLOCK_SAFETY))
    return out


def _show(L: Any, f: int, vals: frozenset[int]) -> str:
    return "{" + ",".join(L.show(f, v) for v in sorted(vals)) + "}"


class Encoder:
    """Candidates as z3 formulas over a state vector of the relation (cached)."""

    def __init__(self, sym: Symbolic) -> None:
        self.sym = sym
        self._cache: dict[tuple[Candidate, int], z3.BoolRef] = {}

    def formula(self, c: Candidate, xs: Sequence[Any]) -> z3.BoolRef:
        key = (c, id(xs))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._formula(c, xs)
        return hit

    def _formula(self, c: Candidate, xs: Sequence[Any]) -> z3.BoolRef:
        sym = self.sym
        if c.prop is not None:
            if c.prop == DEADLOCK_SAFETY:
                return z3.Not(sym.deadlocked(xs))
            return sym.ok(c.prop, xs)
        if c.family == "cluster":
            return z3.Or(*[self.eq(xs, c.key, t) for t in sorted(c.tuples)])
        if c.family == "cluster-pair":
            return z3.Implies(self.eq(xs, c.key, c.kv),
                              z3.Or(*[self.eq(xs, c.other, t) for t in sorted(c.tuples)]))
        x = xs[c.field]
        vals = sorted(c.allowed)
        if vals == list(range(vals[0], vals[-1] + 1)):
            body = z3.ULE(x, sym.const(vals[-1])) if vals[0] == 0 else \
                z3.And(z3.UGE(x, sym.const(vals[0])), z3.ULE(x, sym.const(vals[-1])))
        else:
            body = z3.Or(*[x == sym.const(v) for v in vals])
        if not c.key:
            return body
        return z3.Implies(self.eq(xs, c.key, c.kv), body)

    def eq(self, xs: Sequence[Any], key: tuple[int, ...], vals: tuple[int, ...]) -> z3.BoolRef:
        parts = [xs[f] == self.sym.const(v) for f, v in zip(key, vals, strict=True)]
        return parts[0] if len(parts) == 1 else z3.And(*parts)


def _blast() -> z3.Solver:
    """A solver that bit-blasts to SAT: on this relation far faster than the SMT core."""
    return z3.Then("simplify", "bit-blast", "sat").solver()


class CtiQuery:
    """One consecution query: a state satisfying every candidate whose successor leaves the
    declared ranges or breaks a candidate.  ``ask`` returns that successor, None when no
    such step exists (the candidates are inductive), or the solver's other answer."""

    def __init__(self, sym: Symbolic) -> None:
        self.sym, self.enc = sym, Encoder(sym)
        self.x, self.y, c = sym.state("x"), sym.state("y"), sym.choice("c")
        self.base = z3.And(sym.in_range(self.x), sym.trans(self.x, self.y, c))

    def ask(self, cands: Sequence[Candidate]) -> tuple[int, ...] | None | str:
        enc, x, y = self.enc, self.x, self.y
        s = _blast()
        s.add(self.base, *[enc.formula(k, x) for k in cands],
              z3.Or(z3.Not(self.sym.in_range(y)), *[z3.Not(enc.formula(k, y)) for k in cands]))
        r = s.check()
        if r == z3.unsat:
            return None
        if r != z3.sat:
            return str(r)
        return self.sym.value(s.model(), y)


def _rounds(sym: Symbolic, current: Callable[[], list[Candidate]],
            absorb: Callable[[tuple[int, ...]], None], deadline: float | None,
            on_round: Callable[[int, int], None] | None) -> tuple[list[Candidate], int, bool]:
    """The loop both searches share: ask for a counterexample to induction of the
    ``current`` candidates, let ``absorb`` weaken them by its successor state, until there
    is none (finished) or the budget or the solver stops it.  Returns (candidates,
    rounds, finished)."""
    query = CtiQuery(sym)
    rounds = 0
    while True:
        check_interrupt()
        if deadline is not None and time.perf_counter() > deadline:
            return current(), rounds, False
        cands = current()
        rounds += 1
        after = query.ask(cands)
        if after is None:
            return cands, rounds, True
        if isinstance(after, str):
            return cands, rounds, False
        absorb(after)
        if on_round is not None:
            on_round(rounds, len(cands))


def fixpoint(sym: Symbolic, table: Table, *, deadline: float | None, seed: int,
             walk_len: int = 200, walks: int = 8,
             on_round: Callable[[int, int], None] | None = None) -> tuple[list[Candidate], int, bool]:
    """Weaken the table's candidates until no step leads out of them.

    Each round asks z3 for a state satisfying every candidate with a successor that
    breaks one.  That successor joins the table (the candidates it breaks widen by its
    values), and so do random walks from it: an inductive invariant that contains a
    state contains everything reachable from it, so this costs no precision.  With
    no such step left, the candidates are an inductive invariant (the strongest one
    this abstraction can state from the states it was given).  Returns (invariant,
    rounds, finished); ``finished`` False when the budget or the solver cut it short."""
    sysm = sym.system
    rng = random.Random(seed)

    def absorb(after: tuple[int, ...]) -> None:
        if not table.add(after):
            raise RuntimeError("fixpoint: z3's successor breaks no candidate on the concrete model")
        more: set[tuple[int, ...]] = set()
        for _ in range(walks):
            walk(sysm, after, walk_len, rng, more)
        for t in more:
            table.add(t)
    return _rounds(sym, table.candidates, absorb, deadline, on_round)


def houdini(sym: Symbolic, cands: list[Candidate], *, deadline: float | None,
            on_round: Callable[[int, int], None] | None = None) -> tuple[list[Candidate], int, bool]:
    """The largest subset of ``cands`` that no step leads out of (Houdini).

    Each round asks z3 for a state satisfying every surviving candidate with a successor
    (within the declared ranges) that breaks one, and drops every candidate that
    successor breaks.  Returns (survivors, rounds, finished)."""
    sysm = sym.system
    active = [k for k in cands if k.holds(sysm.initial, sysm)]

    def absorb(after: tuple[int, ...]) -> None:
        bad = [f for f, v in enumerate(after) if v > sysm.layout.maxv[f]]
        if bad:
            raise OutOfRange(f"{sysm.layout.names[bad[0]]} = {after[bad[0]]} "
                             f"(declared at most {sysm.layout.maxv[bad[0]]})")
        keep = [k for k in active if k.holds(after, sysm)]
        if len(keep) == len(active):
            raise RuntimeError("houdini: z3's successor breaks no candidate on the concrete model")
        active[:] = keep
    return _rounds(sym, lambda: list(active), absorb, deadline, on_round)


def k_induction(sym: Symbolic, inv: list[Candidate], prop: str, k: int,
                deadline: float | None) -> str:
    """Whether ``prop`` is k-inductive relative to ``inv``: unsat (proved), sat, or unknown.

    Step case: a path x0 .. xk where every xi satisfies ``inv`` and the property for i < k
    and xk satisfies ``inv``, breaking the property at xk.  (``inv`` is inductive, so it
    holds on every reachable state; the base case, no violation within k - 1 steps, is
    :func:`base_case`.)"""
    enc = Encoder(sym)
    xs = [sym.state(f"k{i}") for i in range(k + 1)]
    s = _blast()
    if deadline is not None:
        s.set("timeout", max(1, int((deadline - time.perf_counter()) * 1000)))
    for i, xi in enumerate(xs):
        s.add(sym.in_range(xi), *[enc.formula(c, xi) for c in inv])
        if i < k:
            s.add(sym.ok(prop, xi), sym.trans(xi, xs[i + 1], sym.choice(f"kc{i}")))
    s.add(sym.bad(prop, xs[k]))
    return str(s.check())


def base_case(sym: Symbolic, prop: str, k: int) -> str:
    """No violation of ``prop`` within ``k`` steps of the initial state: "unsat" when none."""
    xs = [sym.state(f"b{i}") for i in range(k + 1)]
    s = _blast()
    s.add(sym.init(xs[0]))
    for i in range(k):
        s.add(sym.trans(xs[i], xs[i + 1], sym.choice(f"bc{i}")))
    s.add(z3.Or(*[sym.bad(prop, xi) for xi in xs]))
    return str(s.check())


def recheck(sym: Symbolic, inv: list[Candidate], prop: str) -> str:
    """An independent check of the claim "``inv`` is an inductive invariant implying ``prop``"
    with a plain z3 solver: "" if it holds, else what fails."""
    x, y, c = sym.state("rx"), sym.state("ry"), sym.choice("rc")
    enc = Encoder(sym)
    I = z3.And(sym.in_range(x), *[enc._formula(k, x) for k in inv])
    Iy = z3.And(sym.in_range(y), *[enc._formula(k, y) for k in inv])
    for what, q in (("initiation", z3.And(sym.init(x), z3.Not(I))),
                    ("consecution", z3.And(I, sym.trans(x, y, c), z3.Not(Iy))),
                    ("implies the property", z3.And(I, sym.bad(prop, x)))):
        r = z3.Solver().check(q)
        if r != z3.unsat:
            return f"{what}: {r}"
    return ""


def prove_unbounded(sysm: System, *, props: Sequence[str] = PROPERTY_NAMES, bfs: int = 150000,
                    walks: int = 600, walk_len: int = 600, seed: int = 0, max_k: int = 3,
                    max_seconds: float | None = None,
                    progress: Callable[[str], None] | None = None) -> ProofResult:
    """Try to prove every property of ``props`` for runs of any length on ``sysm``."""
    assert sysm.unbounded, "proofs are about the unbounded system"
    t0 = time.perf_counter()
    deadline = None if max_seconds is None else t0 + max_seconds
    say = progress or (lambda _m: None)
    cl = clusters(sysm)
    table = Table(sysm, key_fields(sysm) + cl, cl)
    mined = mine(sysm, table, bfs=bfs, walks=walks, walk_len=walk_len, seed=seed, deadline=deadline)
    t_mine = time.perf_counter() - t0
    say(f"mined {mined} states")
    if deadline is not None and time.perf_counter() > deadline:
        return ProofResult(sysm.design.name, sysm.design.release.name, sysm.bounds.workers,
                           dict.fromkeys(props, "incomplete"), dict.fromkeys(props, "cut short"),
                           [], {}, mined, 0, 0, {"mine": t_mine},
                           "the budget ran out while mining reachable states")
    sym = Symbolic(sysm)
    try:
        inv, rounds, done = fixpoint(sym, table, deadline=deadline, seed=seed, walks=0,
                                     on_round=lambda r, n: say(f"round {r}: {n} candidates"))
        why = "the search for an inductive invariant was cut short (budget or solver)"
    except OutOfRange as e:
        inv, rounds, done = table.candidates(), 0, False
        why = f"the candidates admit a state whose successors leave a field's range: {e}"
    secs = {"mine": t_mine, "fixpoint": time.perf_counter() - t0 - t_mine}
    fam = {f: sum(1 for k in inv if k.family == f) for f in FAMILIES}
    ncand = len(inv)
    if not done:
        return ProofResult(sysm.design.name, sysm.design.release.name, sysm.bounds.workers,
                           dict.fromkeys(props, "incomplete"), dict.fromkeys(props, "cut short"),
                           inv, fam, mined, ncand, rounds, secs, why)
    verdicts: dict[str, str] = {}
    methods: dict[str, str] = {}
    t1 = time.perf_counter()
    for p in props:
        check_interrupt()
        parts = [*inv, *property_candidates([p])]
        if p == "deadlock-freedom":
            parts = parts[:-2] + parts[-1:]  # its safety part only: some step enabled
            target = DEADLOCK_SAFETY
        else:
            target = p
        verdicts[p], methods[p] = "incomplete", "not implied by the invariant"
        for k in range(1, max_k + 1):
            if deadline is not None and time.perf_counter() > deadline:
                methods[p] = "cut short"
                break
            r = k_induction(sym, inv, p, k, deadline)
            if r == "unsat":
                if base_case(sym, p, k - 1) != "unsat":
                    methods[p] = f"{k}-induction's base case fails"
                    break
                verdicts[p] = "proved"
                methods[p] = ("implied by the inductive invariant" if k == 1 else
                              f"{k}-induction strengthened by the inductive invariant")
                if k == 1:
                    why = recheck(sym, inv, p)
                    if why:
                        raise RuntimeError(f"the invariant for {p} fails its re-check: {why}")
                break
            if r != "sat":
                methods[p] = f"{k}-induction: solver {r}"
                break
        del parts, target
    secs["properties"] = time.perf_counter() - t1
    return ProofResult(sysm.design.name, sysm.design.release.name, sysm.bounds.workers, verdicts,
                       methods, inv, fam, mined, ncand, rounds, secs)
