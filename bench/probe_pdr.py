#!/usr/bin/env python3
"""A probe, not a verdict: IC3 (property-directed reachability) over the model's own relation.

Needs ``pip install python-sat`` (not a dependency of the project: this probe did not
converge, see the figures at the end of this docstring).

    python bench/probe_pdr.py corrected 1.27 --props single-reader --seconds 300 \
        --bound tracebuf=1 ring_tags=1 nested=0 workers=1

The unbounded system has a finite state: every field is a small int in its declared range.
IC3 looks for an inductive invariant made of *lemmas*, each one "never all of these field
values together" (the negation of a cube ``f1 = v1 and f2 = v2 ...``).  Any set of states
is such a conjunction, so the language is complete for a finite system; IC3's job is to
find a small one.  It keeps frames ``F_0 = init``, ``F_1 .. F_k``, each an
over-approximation of the states reachable in that many steps, and:

1. asks for a state of ``F_k`` that breaks a property (or leaves its declared range);
2. blocks it: asks whether ``F_{i-1}`` has a predecessor of it outside it; if so blocks the
   predecessor first (down to ``F_0``, which is a counterexample: a run from the initial
   state); if not, the state is *generalised* into a small cube whose negation is
   inductive relative to ``F_{i-1}`` (unsat core, then dropping one literal at a time), and
   that lemma is learned;
3. pushes every lemma forward to the next frame while it stays inductive relative to its
   own; when a frame has nothing left to push, it equals the next one, and its lemmas are
   an inductive invariant.

Two things make it fast here.  Cubes are over field values, not bits, so a lemma reads as
a sentence about the model ("no worker at traceAcquire holds its own seqlock").  And known
reachable states (a breadth-first prefix of the explicit search) veto a generalisation that
would exclude one of them before the solver is asked: such a cube is never blockable.

Symmetry: the workers are identical and start alike, so each lemma's images under every
permutation of the workers hold in every frame too, and are learned with it.

A claimed invariant is re-checked afterwards by a separate plain solver (:func:`recheck`);
the search's verdict alone is never reported as a proof.

Measured 2026-11-26 on the 2-core machine (corrected@1.27, capacities tracebuf=1
ring_tags=1 nested=0), queries on Glucose 4 through python-sat (about 700 a second, seven
times z3's incremental solver on the same queries):

* unbounded, 1 worker, single-reader: frame 5 after 807 s, 7,081 lemmas in the top frame,
  200,000 queries, no frame empty (not converged); the other properties alike;
* unbounded, no worker, all properties: frame 5 after 162 s, 5,382 lemmas, not converged;
* with the generation rotations' images of every lemma: fewer discoveries, slower frames,
  not converged either;
* even the bounded system at bound ``ring`` (55,808 states, which the explorer searches in
  0.4 s) does not converge in 120 s (frame 10, 2,711 lemmas), also with every reachable
  state as the veto set: the model's fine-grained fields (ring positions, generation
  values) need thousands of "never these values together" lemmas for an invariant.

What did prove properties for runs of any length is the explicit search of the unbounded
system on each property's cone of influence, generations up to rotation
(``checker/explore/unbounded.py``).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import os
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import z3

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gentrace.core.interrupt import check as check_interrupt  # noqa: E402
from gentrace.model import PROPERTY_NAMES, System, get_design, parse_bounds  # noqa: E402
from gentrace.model.generation import next_gen_int  # noqa: E402
from gentrace.symbolic.relation import Symbolic  # noqa: E402

Cube = tuple[tuple[int, int], ...]  # sorted (field, value) pairs
INF = 1 << 30


@dataclass
class PdrResult:
    """``status``: ``proved`` (``lemmas`` is an inductive invariant implying the
    properties), ``violated`` (``trace``: the steps of a run from the initial state to a
    state that breaks one; ``prop`` names it) or ``incomplete`` (``note`` says why)."""

    status: str
    lemmas: list[Cube] = field(default_factory=list)
    trace: list[int] = field(default_factory=list)
    prop: str = ""
    note: str = ""
    frames: int = 0
    queries: int = 0
    seconds: float = 0.0


class Reach:
    """Known reachable states, indexed so that "does this cube contain one?" is a few ANDs:
    for each field and value, the set of states (bit i: state i) that have it."""

    def __init__(self, states: Sequence[Sequence[int]], nfields: int,
                 sym: Symmetry | None = None) -> None:
        n = len(states)
        cols: list[dict[int, list[int]]] = [{} for _ in range(nfields)]
        for i, s in enumerate(states):
            for f, v in enumerate(s):
                cols[f].setdefault(v, []).append(i)
        base = [{v: _bitset(ix, n) for v, ix in c.items()} for c in cols]
        # The images: block k of the bits holds the states mapped by symmetry k.
        maps = sym.maps() if sym else [({}, {})]
        self.n = n * len(maps)
        self.bits: list[dict[int, int]] = [{} for _ in range(nfields)]
        for k, (fmap, vmap) in enumerate(maps):
            for f in range(nfields):
                g = fmap.get(f, f)  # field f of the image is field g of the state
                for v, b in base[g].items():
                    w = vmap.get(v, v) if sym and f in sym.gens else v
                    d = self.bits[f]
                    d[w] = d.get(w, 0) | (b << (k * n))

    def hits(self, cube: Cube) -> bool:
        return self.count(cube) != 0

    def count(self, cube: Cube) -> int:
        m = -1
        for f, v in cube:
            m &= self.bits[f].get(v, 0)
            if not m:
                return 0
        return m.bit_count() if m > 0 else self.n


def _bitset(ix: list[int], n: int) -> int:
    a = bytearray((n + 7) // 8)
    for i in ix:
        a[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(a, "little")


def mine(sysm: System, *, bfs: int, walks: int, walk_len: int, seed: int) -> list[tuple[int, ...]]:
    """States of ``sysm``: a breadth-first prefix of ``bfs`` states and ``walks`` seeded
    random walks of ``walk_len`` steps from the initial state."""
    comp = sysm.compiled
    succ = comp.successors_packed
    key = bytes if comp.packed else tuple
    init = key(sysm.initial)
    seen = {init: None}
    todo = deque([init])
    while todo and len(seen) < bfs:
        s = todo.popleft()
        for _, t in succ(s):
            if t not in seen:
                seen[t] = None
                todo.append(t)
        check_interrupt()
    rng = random.Random(seed)
    for _ in range(walks):
        s = init
        for _ in range(walk_len):
            nxt = succ(s)
            if not nxt:
                break
            s = rng.choice(nxt)[1]
            seen.setdefault(s, None)
        check_interrupt()
    return [tuple(s) for s in seen]


class Symmetry:
    """The permutations of the workers and the rotations of the generation cycle."""

    def __init__(self, sysm: System) -> None:
        self.perms = worker_perms(sysm)
        self.rots = rotations(sysm)
        self.gens = {f for f, g in enumerate(sysm.layout.gen) if g}

    def cubes(self, cube: Cube) -> list[Cube]:
        """The cube's images (itself first)."""
        out = [cube]
        for m in self.perms:
            out.append(tuple(sorted((m.get(f, f), v) for f, v in cube)))
        for c in list(out):
            for r in self.rots:
                out.append(tuple(sorted((f, r.get(v, v) if f in self.gens else v) for f, v in c)))
        return list(dict.fromkeys(out))

    def maps(self) -> list[tuple[dict[int, int], dict[int, int]]]:
        """Every symmetry as (field map, generation value map), the identity first.
        (A permutation maps a field to the field whose value it takes.)"""
        fm = [{}] + [{v: k for k, v in m.items()} for m in self.perms]
        vm = [{}] + self.rots
        return [(f, v) for v in vm for f in fm]


def gen_cycle(sysm: System) -> list[int]:
    """The values ``traceNextGen`` cycles through on the model's word, in order."""
    b, wrap = sysm.bounds, sysm.design.wrap_to
    out = [wrap]
    while (n := next_gen_int(out[-1], b.top, wrap)) != wrap:
        out.append(n)
    return out


def rotations(sysm: System) -> list[dict[int, int]]:
    """Value maps that move every generation 2, 4, ... places along the cycle.

    The steps compare generations only for equality and with 0, take ``g % 2``, and
    advance by ``traceNextGen``; a rotation by an even number of places commutes with all
    of these when the cycle's length is even (it keeps parities; a cycle of odd length,
    as with a wrap to 1, has none but the identity)."""
    cyc = gen_cycle(sysm)
    if len(cyc) % 2 or not sysm.unbounded:  # a bounded run's order of generations is fixed
        return []
    return [{v: cyc[(i + k) % len(cyc)] for i, v in enumerate(cyc)} for k in range(2, len(cyc), 2)]


def worker_perms(sysm: System) -> list[dict[int, int]]:
    """Field maps of every non-identity permutation of the workers (their fields by name)."""
    names = sysm.layout.names
    ws = [w.name for w in sysm.workers]
    out = []
    for p in itertools.permutations(range(len(ws))):
        if list(p) == list(range(len(ws))):
            continue
        m: dict[int, int] = {}
        for f, n in enumerate(names):
            for i, w in enumerate(ws):
                if n.startswith(w + "."):
                    m[f] = sysm.layout.index[ws[p[i]] + n[len(w):]]
        out.append(m)
    return out


class Cnf:
    """Formulas over the state's bits, bit-blasted once into clauses for a SAT solver.

    Each field of a state is a vector of named Boolean variables (``x.7.0`` is bit 0 of
    field 7 of ``x``), so the clauses z3's bit-blaster and Tseitin transformation return
    keep those names, and a cube's literal ``field = value`` is a conjunction of bit
    literals: its negation, a lemma, is a single clause."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.ids: dict[str, int] = {}

    def var(self, name: str) -> int:
        i = self.ids.get(name)
        if i is None:
            i = self.ids[name] = len(self.ids) + 1
        return i

    def vector(self, tag: str, n: int, width: int) -> tuple[list[list[int]], list[Any]]:
        """``n`` bit-vectors of ``width`` bits: their bit variables and z3 terms."""
        bits, terms = [], []
        for f in range(n):
            bs = [z3.Bool(f"{tag}.{f}.{k}") for k in range(width)]
            bits.append([self.var(b.decl().name()) for b in bs])
            terms.append(z3.Concat(*[z3.If(b, z3.BitVecVal(1, 1), z3.BitVecVal(0, 1))
                                     for b in reversed(bs)]) if width > 1 else
                         z3.If(bs[0], z3.BitVecVal(1, 1), z3.BitVecVal(0, 1)))
        return bits, terms

    def blast(self, formulas: Sequence[z3.BoolRef]) -> list[list[int]]:
        g = z3.Goal()
        g.add(*formulas)
        out: list[list[int]] = []
        for sub in z3.Then("simplify", "bit-blast", "tseitin-cnf")(g):
            for e in sub:
                lits = e.children() if z3.is_or(e) else [e]
                clause = []
                for lit in lits:
                    neg = z3.is_not(lit)
                    v = lit.children()[0] if neg else lit
                    if z3.is_true(v) or z3.is_false(v):
                        if z3.is_true(v) != neg:
                            clause = None
                            break
                        continue
                    n = self.var(v.decl().name())
                    clause.append(-n if neg else n)
                if clause is not None:
                    out.append(clause)
        return out


class Pdr:
    def __init__(self, sysm: System, props: Sequence[str], *, reach: Reach | None = None,
                 symmetry: bool = True, progress: Callable[[str], None] | None = None,
                 solver: str = "g4", ranges: bool = True) -> None:
        from pysat.solvers import Solver

        self.sysm = sysm
        self.props = list(props)
        self.sym = sym = Symbolic(sysm)
        self.init = tuple(sysm.initial)
        self.reach = reach
        self.cycle = gen_cycle(sysm)
        self.gen_f = sysm.ctx.gen
        self.gen_fields = [f for f, g in enumerate(sysm.layout.gen) if g]
        self.sy = Symmetry(sysm) if symmetry else None
        self.progress = progress
        n = len(self.init)
        cnf = self.cnf = Cnf(sym.width)
        self.xb, x = cnf.vector("x", n, sym.width)
        self.yb, y = cnf.vector("y", n, sym.width)
        cb, c = cnf.vector("c", 1, sym.cbits)
        self.cb = cb[0]
        B = z3.Bool
        # Every frame past the first lies within the properties and the declared ranges
        # (a step out of them is what the search looks for), so the solver never
        # considers states that are bad already.
        # ``ranges``: staying within the declared ranges (and generations on the cycle) is
        # proved too, and assumed in every frame; needed for the rotation symmetry.
        self.ranges = ranges = ranges or (self.sy is not None and bool(self.sy.rots))
        dom = self.domain if ranges else (lambda xs: z3.BoolVal(True))
        formulas = [sym.trans(x, y, c[0]),
                    z3.Implies(B("pdr.init"), self.initial(x)),
                    z3.Implies(B("pdr.ok"), z3.And(dom(x),
                                                   *[z3.Not(sym.bad(p, x)) for p in self.props])),
                    *[z3.Implies(B(f"pdr.bad.{p}"), sym.bad(p, y)) for p in self.props],
                    z3.Implies(B("pdr.bad.in-range"), z3.Not(dom(y)))]
        clauses = cnf.blast(formulas)
        # Lifting (see :meth:`lift`): the step's update whatever its guard, and a variable
        # that holds when the chosen step is enabled.
        lift = cnf.blast([sym.trans(x, y, c[0], guards=False),
                          B("pdr.enabled") == sym.chosen_guard(x, c[0])])
        self.a_enabled = cnf.var("pdr.enabled")
        self.a_init, self.a_ok, self.a_inf = (cnf.var(k) for k in ("pdr.init", "pdr.ok", "pdr.inf"))
        self.bad_lit = {p: cnf.var(f"pdr.bad.{p}") for p in [*self.props, *(["in-range"] if ranges else [])]}
        self.S = Solver(name=solver, bootstrap_with=clauses)
        self.L = Solver(name=solver, bootstrap_with=lift)
        self.next_var = len(cnf.ids) + 1
        self.acts: list[int] = []  # acts[i]: lemmas at level i + 1
        self.lemmas: dict[int, set[Cube]] = {INF: set()}
        self.queries = 0

    def fresh(self) -> int:
        v = self.next_var
        self.next_var += 1
        return v

    # -- the initial states and the domain ----------------------------------------------

    def initial(self, xs: Sequence[Any]) -> z3.BoolRef:
        """The model's initial state; unbounded, with any generation of the cycle as the
        first one (a proof for every first generation is a proof for the model's)."""
        k = self.sym.const
        if not self.sysm.unbounded:
            return self.sym.init(xs)
        return z3.And(*[x == k(v) for f, (x, v) in enumerate(zip(xs, self.init, strict=True)) if f != self.gen_f],
                      z3.Or(*[xs[self.gen_f] == k(v) for v in self.cycle]))

    def domain(self, xs: Sequence[Any]) -> z3.BoolRef:
        """Every field in its declared range, and every generation field 0 or on the cycle."""
        k = self.sym.const
        return z3.And(self.sym.in_range(xs),
                      *[z3.Or(xs[f] == k(0), *[xs[f] == k(v) for v in self.cycle])
                        for f in self.gen_fields])

    # -- literals and frames ----------------------------------------------------------

    def bits(self, side: list[list[int]], f: int, v: int) -> list[int]:
        """The bit literals of ``field f = v``."""
        return [b if v >> k & 1 else -b for k, b in enumerate(side[f])]

    def frame(self, i: int) -> list[int]:
        """Assumptions selecting F_i."""
        if i == 0:
            return [self.a_init]
        return [*self.acts[i - 1:], self.a_inf, self.a_ok]

    def clause(self, cube: Cube) -> list[int]:
        """``not cube`` over x: one clause."""
        return [-b for f, v in cube for b in self.bits(self.xb, f, v)]

    def learn(self, cube: Cube, level: int) -> None:
        act = self.a_inf if level == INF else self.acts[level - 1]
        for c in self.images(cube):
            self.S.add_clause([-act, *self.clause(c)])
            self.lemmas.setdefault(level, set()).add(c)

    def images(self, cube: Cube) -> list[Cube]:
        """The cube's images under the symmetries (workers permuted, generations rotated)."""
        return self.sy.cubes(cube) if self.sy else [cube]

    def check(self, assumptions: list[int]) -> bool:
        self.queries += 1
        check_interrupt()
        return bool(self.S.solve(assumptions=assumptions))

    def model(self) -> tuple[tuple[int, ...], int]:
        """The x state and the step of the last satisfiable query."""
        m = self.S.get_model()

        def val(bs: list[int]) -> int:
            return sum(1 << k for k, b in enumerate(bs) if m[b - 1] > 0)
        return tuple(val(bs) for bs in self.xb), val(self.cb)

    # -- queries ------------------------------------------------------------------

    def lift(self, s: tuple[int, ...], step: int, cube: Cube) -> Cube:
        """The fields of ``s`` that alone make step ``step`` enabled and lead into ``cube``.

        The step is a function of the state, so ``s``, the step and "not enabled, or the
        successor outside the cube" are unsatisfiable together, and the unsat core over
        ``s``'s literals is a partial state every completion of which takes the step into
        the cube: one obligation stands for all of them."""
        t = self.fresh()
        self.L.add_clause([-t, -self.a_enabled,
                           *[-b for f, v in cube for b in self.bits(self.yb, f, v)]])
        xs: dict[int, int] = {}
        for f, v in enumerate(s):
            for b in self.bits(self.xb, f, v):
                xs[b] = f
        cs = [b if step >> k & 1 else -b for k, b in enumerate(self.cb)]
        try:
            if self.L.solve(assumptions=[t, *cs, *xs]):
                raise AssertionError("a step of the relation is not a function of the state")
            keep = {xs[b] for b in self.L.get_core() or () if b in xs}
            return tuple((f, s[f]) for f in sorted(keep))
        finally:
            self.L.add_clause([-t])

    def find_bad(self, k: int) -> tuple[tuple[int, ...], int, str] | None:
        """A state of F_k with a step to one that breaks a property or leaves the ranges."""
        for name, b in self.bad_lit.items():
            if self.check([*self.frame(k), b]):
                s, step = self.model()
                return s, step, name
        return None

    def rel_ind(self, cube: Cube, i: int) -> tuple[bool, Any]:
        """Is ``not cube`` inductive relative to F_i (no step from F_i and outside the
        cube into it)?  (True, core cube) or (False, (predecessor, step))."""
        t = self.fresh()
        self.S.add_clause([-t, *self.clause(cube)])
        ys: dict[int, tuple[int, int]] = {}
        for f, v in cube:
            for b in self.bits(self.yb, f, v):
                ys[b] = (f, v)
        try:
            if self.check([*self.frame(i), t, *ys]):
                return False, self.model()
            core = {ys[b] for b in self.S.get_core() or () if b in ys}
            return True, tuple(sorted(core))
        finally:
            self.S.add_clause([-t])

    def excludes_init(self, cube: Cube) -> bool:
        free = self.gen_f if self.sysm.unbounded else -1
        return any((v not in self.cycle) if f == free else self.init[f] != v for f, v in cube)

    def fix_init(self, core: Cube, full: Cube) -> Cube:
        """``core`` with a literal of ``full`` added back if it no longer excludes init."""
        if self.excludes_init(core):
            return core
        for lit in full:
            if self.excludes_init((lit,)):
                return tuple(sorted((*core, lit)))
        raise AssertionError("a cube blocked relative to a frame contains the initial state")

    def away_from_reach(self, core: Cube, full: Cube) -> Cube:
        """``core`` grown by literals of ``full`` until it holds no known reachable state.

        A core that holds one is a fact about the first few steps only, never part of an
        invariant: blocking it just pushes the same question one frame further.  (When
        ``full`` itself is known reachable there is nothing to gain, and ``core`` stays.)"""
        if self.reach is None or not self.reach.hits(core) or self.reach.hits(full):
            return core
        cube = set(core)
        rest = [lit for lit in full if lit not in cube]
        while self.reach.hits(tuple(cube)):
            best = min(rest, key=lambda lit: self.reach.count((*cube, lit)))
            cube.add(best)
            rest.remove(best)
        return tuple(sorted(cube))

    def generalize(self, cube: Cube, i: int) -> Cube:
        """Drop literals while ``not cube`` stays inductive relative to F_i."""
        for lit in list(cube):
            if lit not in cube:
                continue
            cand = tuple(l for l in cube if l != lit)
            if not cand or not self.excludes_init(cand):
                continue
            if self.reach is not None and self.reach.hits(cand):
                continue
            ok, core = self.rel_ind(cand, i)
            if ok:
                cube = self.fix_init(core, cand)
        return cube

    def push_level(self, cube: Cube, i: int, k: int) -> int:
        """The highest level j in [i, k] such that ``not cube`` is inductive relative to F_(j-1)."""
        while i < k:
            ok, _ = self.rel_ind(cube, i)
            if not ok:
                break
            i += 1
        return i

    # -- the loop -------------------------------------------------------------------

    def block(self, s: tuple[int, ...], k: int, last: int) -> list[int] | None:
        """Block the state ``s`` of F_k (whose step ``last`` is bad) at level k; a run (its
        steps, ``last`` included) if it cannot be blocked."""
        full = tuple(enumerate(s))
        n = itertools.count()
        # (level, order, cube, parent entry, step to parent)
        root = (k, next(n), full, None, last)
        heap = [root]
        while heap:
            ob = heapq.heappop(heap)
            i, _, cube, parent, _st = ob
            if i == 0 or not self.excludes_init(cube):
                return self._trace(ob)
            if self.blocked(cube, i):
                continue
            ok, res = self.rel_ind(cube, i - 1)
            if ok:
                g = self.generalize(self.away_from_reach(self.fix_init(res, cube), cube), i - 1)
                j = self.push_level(g, i, k)
                self.learn(g, j)
                if j < k:
                    heapq.heappush(heap, (j + 1, next(n), cube, parent, _st))
            else:
                pred, step = res
                heapq.heappush(heap, ob)
                heapq.heappush(heap, (i - 1, next(n), self.lift(pred, step, cube), ob, step))
        return None

    def blocked(self, cube: Cube, i: int) -> bool:
        """Syntactically: a lemma at level >= i excludes the (full-state) cube."""
        d = dict(cube)
        for lvl, cs in self.lemmas.items():
            if lvl >= i:
                for c in cs:
                    if all(d.get(f) == v for f, v in c):
                        return True
        return False

    def _trace(self, ob: Any) -> list[int]:
        steps = []
        while ob is not None:
            steps.append(ob[4])
            ob = ob[3]
        return steps

    def propagate(self, k: int) -> int | None:
        """Push lemmas forward; the level whose frame equals the next one, if any."""
        for i in range(1, k + 1):
            for cube in sorted(self.lemmas.get(i, ())):
                if cube not in self.lemmas.get(i, ()):
                    continue
                ok, _ = self.rel_ind(cube, i)
                if ok:
                    for c in self.images(cube):
                        self.lemmas[i].discard(c)
                    self.learn(cube, i + 1)
            if not self.lemmas.get(i) and i < k:
                return i
        return None

    def run(self, deadline: float | None = None) -> PdrResult:
        t0 = time.perf_counter()
        res = PdrResult("incomplete")
        try:
            # A violation in the initial state itself.
            x = self.sym.state("x")
            for name in self.props:
                s = z3.Solver()
                s.add(self.initial(x), self.sym.bad(name, x))
                if s.check() == z3.sat:
                    return self._done(PdrResult("violated", prop=name), t0)
            k = 1
            self.acts.append(self.fresh())
            while True:
                while True:
                    if deadline is not None and time.perf_counter() > deadline:
                        return self._done(PdrResult("incomplete", note=f"time budget reached at "
                                                    f"frame {k}"), t0)
                    bad = self.find_bad(k)
                    if bad is None:
                        break
                    s, last, name = bad
                    tr = self.block(s, k, last)
                    if tr is not None:
                        return self._done(PdrResult("violated", trace=tr, prop=name), t0)
                self.acts.append(self.fresh())
                eq = self.propagate(k)
                if self.progress:
                    self.progress(f"frame {k}: " + " ".join(
                        f"{len(self.lemmas.get(i, ()))}" for i in range(1, k + 2))
                        + f" lemmas, {self.queries} queries, {time.perf_counter() - t0:.1f} s")
                if eq is not None:
                    inv = sorted(set().union(*[cs for lvl, cs in self.lemmas.items() if lvl > eq]))
                    return self._done(PdrResult("proved", lemmas=inv, frames=k), t0)
                k += 1
        except Incomplete as e:
            res.note = str(e)
        return self._done(res, t0)

    def _done(self, r: PdrResult, t0: float) -> PdrResult:
        r.queries = self.queries
        r.seconds = time.perf_counter() - t0
        r.frames = r.frames or len(self.acts)
        return r


class Incomplete(Exception):
    pass


def recheck(sysm: System, props: Sequence[str], lemmas: Sequence[Cube], *, ranges: bool,
            timeout_ms: int = 0) -> str:
    """Re-check a claimed invariant with a fresh plain z3 solver over bit-vectors (not the
    bit-blasted clauses the search used): every initial state satisfies it, every step
    from a state satisfying it leads to one, and it implies every property.

    The invariant: the properties, the declared ranges (if ``ranges``), and every lemma
    "never this cube".  Returns ``ok`` or what failed."""
    sym = Symbolic(sysm)
    x, y, c = sym.state("x"), sym.state("y"), sym.choice("c")
    probe = Pdr.__new__(Pdr)  # only for initial() and domain(), which need these fields
    probe.sysm, probe.sym, probe.init, probe.gen_f = sysm, sym, tuple(sysm.initial), sysm.ctx.gen
    probe.cycle = gen_cycle(sysm)
    probe.gen_fields = [f for f, g in enumerate(sysm.layout.gen) if g]

    def inv(xs: Sequence[Any]) -> z3.BoolRef:
        k = sym.const
        parts = [z3.Not(sym.bad(p, xs)) for p in props]
        if ranges:
            parts.append(probe.domain(xs))
        parts += [z3.Or(*[xs[f] != k(v) for f, v in cube]) for cube in lemmas]
        return z3.And(*parts)

    def unsat(*fs: z3.BoolRef) -> str:
        s = z3.Solver()
        if timeout_ms:
            s.set("timeout", timeout_ms)
        s.add(*fs)
        r = s.check()
        return "ok" if r == z3.unsat else ("a counterexample" if r == z3.sat else "unknown")

    for what, r in (("initiation", lambda: unsat(probe.initial(x), z3.Not(inv(x)))),
                    ("consecution", lambda: unsat(inv(x), sym.trans(x, y, c), z3.Not(inv(y))))):
        got = r()
        if got != "ok":
            return f"{what}: {got}"
    return "ok"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("design")
    ap.add_argument("release")
    ap.add_argument("--bound", nargs="*", default=[])
    ap.add_argument("--bounded", action="store_true", help="the bounded system, not the unbounded one")
    ap.add_argument("--props", default=",".join(PROPERTY_NAMES))
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--bfs", type=int, default=50000)
    ap.add_argument("--no-symmetry", action="store_true")
    a = ap.parse_args()
    sysm = System(get_design(a.design, a.release), parse_bounds(a.bound), unbounded=not a.bounded)
    props = a.props.split(",")
    sy = None if a.no_symmetry else Symmetry(sysm)
    reach = Reach(mine(sysm, bfs=a.bfs, walks=200, walk_len=2000, seed=0), len(sysm.initial), sy)
    p = Pdr(sysm, props, reach=reach, symmetry=not a.no_symmetry, progress=print)
    r = p.run(deadline=time.perf_counter() + a.seconds)
    print(f"{r.status} {r.prop or ''} {r.note} lemmas={len(r.lemmas)} queries={r.queries} "
          f"{r.seconds:.1f} s")
    if r.status == "proved":
        print("re-check:", recheck(sysm, props, r.lemmas, ranges=p.ranges))


if __name__ == "__main__":
    main()
