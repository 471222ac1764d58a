#!/usr/bin/env python3
"""Hypothesis engine: examples and seconds to the first failure, shrunk length vs shortest.

For every design at the canonical bound, under a settings profile (ci unless told
otherwise, with Hypothesis's shrinking on, as ``gentrace check --engine
hypothesis`` runs it):

* examples and seconds until the design's first failure;
* for each property found: the example that first broke it, the length of the
  run Hypothesis shrank it to (rules plus teardown), the length after delta
  debugging (what the counterexample file holds) and the shortest counterexample
  the exhaustive checker finds at the same bound, with their ratio;
* properties the explorer finds violated that the hunt did not find.

Then, over ``--seeds`` random seeds (the profile's settings, not derandomized,
no shrinking), the spread of the examples to each design's first failure at
the canonical bound (median and 90th percentile), per schedule (``uniform``, the
engine before schedules; ``pct``; ``swarm``; ``mixed``, the default), on every
release (``--releases``): one derandomized draw is one sample of that distribution.

Then, at the profile's larger bound (beyond exhaustive reach), examples and
seconds until each design's first failure (without shrinking Hypothesis stops
there); and examples per second on fixed at both bounds.  Figures, not assertions: run it by hand and quote it.

    python bench/bench_stateful.py                     # ci, every design
    python bench/bench_stateful.py --designs legacy,fixed --patience 1
    python bench/bench_stateful.py --no-canonical --no-larger --seeds 5 --cap 600  # the spread only
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    sys.path.insert(0, ROOT)
    from gentrace.explore import VIOLATED as EXPLORED
    from gentrace.explore import explore
    from gentrace.model import CANONICAL, DESIGNS, PROPERTY_NAMES, build
    from gentrace.model.releases import RELEASES
    from gentrace.stateful import profiles
    from gentrace.stateful.engine import hunt, resolve_settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", default=",".join(DESIGNS))
    ap.add_argument("--profile", default=profiles.DEFAULT, choices=list(profiles.PROFILES))
    ap.add_argument("--patience", type=int, default=60,
                    help="rounds in a row without a new find before a canonical hunt stops "
                         "(the property tests use 60; 1 is what gentrace check does)")
    ap.add_argument("--no-larger", action="store_true", help="skip the larger bound")
    ap.add_argument("--no-canonical", action="store_true",
                    help="skip the canonical-bound hunts (the slow part)")
    ap.add_argument("--seeds", type=int, default=20,
                    help="random seeds for the spread of first failures (0: skip)")
    ap.add_argument("--schedules", default="uniform,pct,swarm,mixed",
                    help="schedules compared in the spread (uniform: before; mixed: the default)")
    ap.add_argument("--releases", default="all",
                    help="releases for the spread: all (default), or a comma-separated list")
    ap.add_argument("--cap", type=int, default=2000,
                    help="examples after which a design counts as not caught in the spread")
    a = ap.parse_args()
    designs = a.designs.split(",")
    settings, name, seed = resolve_settings(a.profile)
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.machine()}")
    print(f"# profile {name}: {profiles.PROFILES[name].doc}; patience {a.patience}"
          + (f"; seed {seed}" if seed is not None else ""))
    print()
    print("canonical bound: " + " ".join(f"{k}={v}" for k, v in CANONICAL.as_dict().items()))
    print(f"{'design':27s} {'first failure':>20s} {'examples':>9s} {'seconds':>8s}  per property: "
          "first example / Hypothesis-shrunk / after delta debugging / shortest (ratio)")
    ratios: list[float] = []
    firsts: list[int] = []
    rates: dict[str, float] = {}
    for d in [] if a.no_canonical else designs:
        system = build(DESIGNS[d], CANONICAL)
        ex = explore(system, liveness=False)
        want = {p for p in PROPERTY_NAMES if ex.verdicts[p] == EXPLORED}
        t = time.perf_counter()
        res = hunt(system, settings=settings, profile=name, seed=seed,
                   patience=a.patience if want else 1, until=want)
        secs = time.perf_counter() - t
        if res.findings:
            first = min(res.findings.values(), key=lambda f: (f.example, f.seconds))
            ff = f"{first.example} ex, {first.seconds:.1f} s"
            firsts.append(first.example)
        else:
            ff = "-"
            rates[d] = res.tally.examples / secs
        print(f"{d:27s} {ff:>20s} {res.tally.examples:9d} {secs:8.1f}")
        for p in PROPERTY_NAMES:
            if p in res.findings:
                f = res.findings[p]
                shortest = len(ex.findings[p].path)
                r = len(f.path) / shortest
                ratios.append(r)
                print(f"    {p:22s} {f.example:6d} {f.shrunk_length:5d} {len(f.path):5d} "
                      f"{shortest:5d}  ({r:.2f}x)")
            elif p in want:
                print(f"    {p:22s} NOT FOUND in {res.tally.examples} examples "
                      f"(the explorer finds it in {len(ex.findings[p].path)} steps)")
    if ratios:
        print()
        print(f"delta-debugged length / shortest: max {max(ratios):.2f}x, "
              f"mean {sum(ratios) / len(ratios):.2f}x over {len(ratios)} violations; "
              f"{sum(1 for r in ratios if r <= 1.5)} within 1.5x")
    if firsts:
        print(f"first failure: at most {max(firsts)} examples; "
              f"{sum(1 for x in firsts if x <= 200)} of {len(firsts)} designs within 200")
    for d, r in rates.items():
        print(f"{d}: {r:.0f} examples per second at the canonical bound")

    if a.seeds:
        rels: list[str | None] = (list(RELEASES) if a.releases == "all" else
                                  [None] if not a.releases else a.releases.split(","))
        spread(designs, a.profile, a.seeds, a.schedules.split(","), rels, a.cap)
    if a.no_larger:
        return
    b = profiles.larger_bounds(name)
    # The first failure is met while generating; shrinking at this bound costs
    # tens of seconds a violation and changes none of these figures.
    settings, _, _ = resolve_settings(a.profile, shrink=False)
    print()
    print("larger bound (Hypothesis shrinking off; delta debugging on; a mutant gets up to "
          "5 rounds): "
          + " ".join(f"{k}={v}" for k, v in b.as_dict().items()))
    print(f"{'design':27s} {'first failure':>20s} {'examples':>9s} {'seconds':>8s}")
    for d in designs:
        system = build(DESIGNS[d], b)
        t = time.perf_counter()
        res = hunt(system, settings=settings, profile=name, seed=seed, until=set(),
                   patience=1 if d == "fixed" else 5)
        secs = time.perf_counter() - t
        if res.findings:
            first = min(res.findings.values(), key=lambda f: (f.example, f.seconds))
            ff = f"{first.example} ex, {first.seconds:.1f} s"
        else:
            ff = "-"
        print(f"{d:27s} {ff:>20s} {res.tally.examples:9d} {secs:8.1f}"
              + ("" if res.findings else f"   {res.tally.examples / secs:.0f} examples/s"))


def spread(designs: list[str], profile: str, n: int, schedules_: list[str] | None = None,
           releases: list[str | None] | None = None, cap: int = 2000) -> None:
    """Examples to each design's first failure over ``n`` random seeds, per schedule.

    ``uniform`` is the engine before schedules existed (the baseline), ``mixed`` the
    default.  A design not caught within ``cap`` examples counts as ``>cap``.
    """
    from gentrace.model import CANONICAL, DESIGNS, PROPERTY_NAMES, build, get_design
    from gentrace.model.releases import RELEASES
    from gentrace.stateful.engine import hunt, resolve_settings
    from gentrace.stateful.schedules import SCHEDULES
    from hypothesis import settings as Settings

    schedules_ = schedules_ or ["uniform", "pct", "swarm", "mixed"]
    settings, name, _ = resolve_settings(profile, shrink=False, max_examples=cap)
    settings = Settings(settings, derandomize=False, database=None)
    assert set(schedules_) <= set(SCHEDULES)

    def show(x: float) -> str:
        return f">{cap}" if x > cap else f"{x:g}"

    for rel in releases or [None]:
        print()
        print(f"first failure over {n} random seeds (0..{n - 1}; {name} settings but random, "
              f"up to {cap} examples, no shrinking), canonical bound, release {rel or 'default'}")
        print(f"{'design':27s} " + " ".join(f"{s + ' med/p90':>15s}" for s in schedules_)
              + f" {'seconds':>8s}")
        for d in designs:
            if d not in DESIGNS or (rel is not None and rel not in RELEASES):
                continue
            try:
                design = get_design(d, rel)
            except (KeyError, ValueError):
                continue  # the design does not exist on this release
            if not any(design.expected(p, CANONICAL) == "violated" for p in PROPERTY_NAMES):
                continue
            system = build(design, CANONICAL)
            cells = []
            t = time.perf_counter()
            for sch in schedules_:
                firsts = []
                for seed in range(n):
                    res = hunt(system, settings=settings, profile=name, seed=seed, until=set(),
                               schedule=sch)
                    firsts.append(min((f.example for f in res.findings.values()), default=cap + 1))
                firsts.sort()
                p90 = firsts[min(n - 1, (9 * n + 9) // 10 - 1)]
                med = firsts[(n - 1) // 2] if n % 2 else (firsts[n // 2 - 1] + firsts[n // 2]) / 2
                cells.append(f"{show(med)}/{show(p90)}")
            print(f"{d:27s} " + " ".join(f"{c:>15s}" for c in cells)
                  + f" {time.perf_counter() - t:8.1f}", flush=True)


if __name__ == "__main__":
    main()
