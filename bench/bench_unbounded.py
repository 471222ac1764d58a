#!/usr/bin/env python3
"""Proofs for runs of any length: seconds per worker count, per phase, and what was proved.

``--method stated`` (the default) proves every property from the stated invariants of
``model/invariants.py`` (``checker/symbolic/stated.py``): Houdini over the lemmas,
consecution step by step, the implication, and the plain solver's re-check.  Prints one
line per worker count (and per ``--repeat``):

    python bench/bench_unbounded.py corrected 1.27 --workers 1,2,3 --repeat 3

    python bench/bench_unbounded.py corrected 1.27 --method explicit --workers 0 \
        --bound tracebuf=1 ring_tags=1 nested=0 [--props deadlock-freedom,single-reader]

``--method explicit`` searches every reachable state of the unbounded system per property
(``checker/explore/unbounded.py``) and prints states, depth and seconds.

Measured 2026-11-26 on the 2-core machine, stated invariants (corrected@1.27, canonical
capacities, ``--repeat 3``, nothing else running): every property proved, one Houdini round,
nothing dropped, with

* 1 worker: 67 lemmas, 109 queries, 6.2 to 8.5 s (consecution 3.9 to 5.4 s, re-check 1.4 to
  2.1 s);
* 2 workers: 82 lemmas, 134 queries, 11.2 to 13.5 s;
* 3 workers: 97 lemmas, 159 queries, 20.0 to 23.7 s.

Single runs of ``gentrace prove --unbounded --design corrected`` took 5.7, 9.7 and 16.0 s.
A mutant takes 10 to 40 s (Houdini needs 2 to 5 rounds to drop what it breaks).

Measured 2026-11-26 on the 2-core machine, shared with other jobs, explicit search
(corrected@1.27, capacities tracebuf=1 ring_tags=1 nested=0):

* no worker: deadlock-freedom proved, 13,665,568 states, depth 186, 93 s; single-reader
  proved, 15,647,936 states, depth 188, 124 s (about 130,000 states a second);
  reader-lifetime proved, 13,665,568 states, 138 s; sample-generation stopped at 60 million
  states (depth 140, 333 s) and flush-before-seal at 30 million (depth 127), their cones
  holding 53 to 55 of the 66 fields (trace buffers, ghost sets);
* one worker, deadlock-freedom: stopped at 60,002,959 states, depth 56, 703 s, about 11 GB
  (with no worker the whole search ends at depth 186: this one is far from its end).

The methods that proved nothing (mined invariants, z3's CHC engine, IC3) were removed;
their figures are in docs/proofs.md ("What was tried and proved nothing").
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gentrace.explore.unbounded import prove_explicit  # noqa: E402
from gentrace.model import PROPERTY_NAMES, System, get_design, parse_bounds  # noqa: E402
from gentrace.symbolic.stated import prove_stated  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("design")
    ap.add_argument("release")
    ap.add_argument("--workers", default="1,2,3")
    ap.add_argument("--bound", nargs="*", default=[])
    ap.add_argument("--seconds", type=float, default=1800)
    ap.add_argument("--method", choices=("stated", "explicit"), default="stated")
    ap.add_argument("--repeat", type=int, default=1, help="--method stated: runs per worker count")
    ap.add_argument("--props", default=",".join(PROPERTY_NAMES), help="--method explicit: which")
    ap.add_argument("--max-states", type=int, default=30_000_000, help="--method explicit")
    a = ap.parse_args()
    base = parse_bounds(a.bound)
    d = get_design(a.design, a.release)
    if a.method == "stated":
        for w in (int(x) for x in a.workers.split(",")):
            for _ in range(a.repeat):
                t = time.perf_counter()
                r = prove_stated(System(d, replace(base, workers=w), unbounded=True), max_seconds=a.seconds)
                proved = [p for p, v in r.verdicts.items() if v == "proved"]
                phases = " ".join(f"{k} {v:.1f} s" for k, v in r.seconds.items())
                print(f"{a.design}@{a.release} workers={w}: proved {len(proved)}/{len(r.verdicts)}; "
                      f"{len(r.survivors)} inductive lemmas of {len(r.lemmas)}, {r.rounds} round(s), "
                      f"{r.queries} queries; {phases}; wall {time.perf_counter() - t:.1f} s", flush=True)
                for p, v in r.verdicts.items():
                    if v != "proved":
                        print(f"    {p}: {r.methods[p]}", flush=True)
        return
    for w in (int(x) for x in a.workers.split(",")):
        sysm = System(d, replace(base, workers=w), unbounded=True)
        for p in a.props.split(","):
            r = prove_explicit(sysm, p, max_states=a.max_states, max_seconds=a.seconds)
            print(f"{a.design}@{a.release} workers={w} {p}: {r.verdict}, {r.states:,} states, depth "
                  f"{r.depth}, cone {r.kept}/{r.fields} fields, {r.seconds:.1f} s, "
                  f"{r.states / max(r.seconds, 1e-9):,.0f} states/s {r.note}", flush=True)


if __name__ == "__main__":
    main()
