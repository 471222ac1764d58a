#!/usr/bin/env python3
"""The Z3 engine's speed: relation size, BMC seconds per depth, lemma times.

For each design asked (default: fixed, corrected and handler-waits-for-seqlock on the
newest release, at the canonical bound) it prints the relation's size (fields, steps,
bit width), then BMC depth by depth: seconds for that depth, seconds so far, and the
properties first violated there, until depth K or the budget.  Then the lemmas on
traceNextGen with their times.

    python bench/bench_symbolic.py                              # K=16, 300 s per design
    python bench/bench_symbolic.py --go 1.24 --designs fixed --k 20 --max-seconds 900
    python bench/bench_symbolic.py --bound ring --designs reader-exits-when-empty
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gentrace.model import build, get_design, parse_bounds  # noqa: E402
from gentrace.symbolic.bmc import bmc  # noqa: E402
from gentrace.symbolic.lemmas import next_gen_lemmas, small_word_lemmas  # noqa: E402
from gentrace.symbolic.relation import Symbolic  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--go", default="1.27")
    ap.add_argument("--designs", default="fixed,corrected,handler-waits-for-seqlock")
    ap.add_argument("--bound", nargs="+", default=["canonical"])
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("--no-lemmas", action="store_true")
    a = ap.parse_args()
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.machine()}")
    bounds = parse_bounds(a.bound)
    print(f"# go{a.go}, bound: {' '.join(f'{k}={v}' for k, v in bounds.as_dict().items())}")
    for name in a.designs.split(","):
        t = time.perf_counter()
        system = build(get_design(name, a.go), bounds)
        sym = Symbolic(system)
        _ = sym.terms
        print(f"\n{name}: {len(system.layout)} fields, {len(system.steps)} steps, {sym.width}-bit, "
              f"relation built in {time.perf_counter() - t:.2f} s")
        print(f"  {'depth':>5} {'seconds':>9} {'total':>9}  first violated here")
        seen: set[str] = set()

        def progress(d: int, total: float) -> None:
            pass

        res = bmc(sym, a.k, max_seconds=a.max_seconds, progress=progress)
        total = 0.0
        for d, secs in enumerate(res.per_depth):
            total += secs
            new = sorted(p for p, f in res.findings.items() if len(f.path) == d and p not in seen)
            seen.update(new)
            print(f"  {d:>5} {secs:>9.2f} {total:>9.1f}  {', '.join(new)}")
        print(f"  reached depth {res.depth} of {a.k}" + (f" ({res.cut})" if res.cut else ""))
    if a.no_lemmas:
        return
    print("\nlemmas:")
    for w in (32, 64):
        for wrap in (4, 1):
            for lm in next_gen_lemmas(w, wrap):
                print(f"  {w:>2}-bit wrap to {wrap}: {lm.name:<18} {lm.verdict:<10} {lm.seconds * 1000:7.1f} ms")
    t = time.perf_counter()
    for w in range(4, 65):
        small_word_lemmas(w)
    print(f"  small-word lemmas for every word from 4 to 64 bits: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
