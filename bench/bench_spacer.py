#!/usr/bin/env python3
"""How far z3's CHC engine (Spacer) gets on the bounded relation: a probe, not a verdict.

Encodes "some reachable state violates PROPERTY" as Horn clauses over the bit-vector
relation of ``checker/symbolic/relation.py`` (Inv(init); Inv(x) and T(x, y) imply
Inv(y); Inv(x) and bad(x) imply Err) and asks Spacer, with a time limit, whether
Err is derivable.  ``unsat`` would be a proof for this bound (with an invariant to
re-check); ``sat`` a violation; a time-out is what it printed when this was measured.

    python bench/bench_spacer.py corrected 1.27 ring single-reader --seconds 200
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import z3  # noqa: E402
from gentrace.model import build, get_design, parse_bounds  # noqa: E402
from gentrace.symbolic.relation import Symbolic  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("design")
    ap.add_argument("release")
    ap.add_argument("bound", nargs="+")
    ap.add_argument("--prop", default="single-reader")
    ap.add_argument("--seconds", type=int, default=200)
    a = ap.parse_args()
    sym = Symbolic(build(get_design(a.design, a.release), parse_bounds(a.bound)))
    x, y, c = sym.state("x"), sym.state("y"), sym.choice("c")
    fp = z3.Fixedpoint()
    fp.set(engine="spacer")
    fp.set("timeout", a.seconds * 1000)
    inv = z3.Function("Inv", *[v.sort() for v in x], z3.BoolSort())
    err = z3.Function("Err", z3.BoolSort())
    fp.register_relation(inv, err)
    fp.declare_var(*x, *y, c)
    fp.rule(inv(*x), sym.init(x))
    fp.rule(inv(*y), [inv(*x), sym.trans(x, y, c)])
    fp.rule(err(), [inv(*x), sym.bad(a.prop, x)])
    t = time.perf_counter()
    try:
        r = str(fp.query(err()))
    except z3.Z3Exception as e:
        r = f"no answer ({e})"
    print(f"{a.design}@{a.release} {' '.join(a.bound)} {a.prop}: {r} after {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
