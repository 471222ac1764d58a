#!/usr/bin/env python3
"""The explorer's two engines side by side: the Python search and the compiled kernel.

For fixed@1.27 (or --design/--go) at each bound, one run of each engine, each in a fresh
interpreter (so that its peak-memory growth is its own), prints: states, transitions,
depth, whether the search completed, seconds of search (and of the kernel's build,
0 when it was cached), CPU seconds, states per second of wall time and of CPU time,
each with the kernel's ratio to Python,
bytes of one stored state, bytes of the visited store per state, and bytes of peak
resident memory per state.  The Python engine runs under a time budget (its states per
second are measured on the part it explored); the kernel runs to completion unless
--c-seconds cuts it.  Issue 18's targets: workers=2 signals=2 and workers=3 exhaustive
under 60 s each; bytes per state at canonical and at workers=2 signals=2.

    python bench/bench_kernel.py
    python bench/bench_kernel.py --bounds "canonical;signals=2" --python-seconds 20

The machine is shared: the load average is printed with each row, and CPU seconds
beside wall seconds.

Measured 2026-12-02 on the project's 2-core machine while other jobs ran (load average
11 to 13, so a run got a third of a core or less; compare the CPU columns), with
``--python-seconds 30 --c-seconds 120``, fixed@1.27, liveness on:

    bound               engine  states       done  seconds  cpu s  states/cpu-s  ratio  B/state  store B  rss B
    canonical           python     405,528   no      30.3    5.4        75,800             121    178.7  221.7
    canonical           c          476,286   yes      2.2    0.3     1,587,620   20.9       24     50.7   65.9
    signals=2           python     725,051   no      30.1    7.7        93,797             122    185.8  257.4
    signals=2           c        9,212,274   yes     37.3    8.1     1,141,546   12.2       32     53.1   77.5
    workers=2           python     553,019   no      30.2    8.3        66,629             142    185.9  226.5
    workers=2           c       34,990,283   no     120.1   39.7       881,812   13.2       32     67.7   96.7
    workers=2 signals=2 python     884,869   no      30.0   10.9        81,106             143    196.4  235.2
    workers=2 signals=2 c       27,590,877   no     120.2   26.3     1,050,681   13.0       32     62.1   77.6
    workers=3           python     303,148   no      30.1    5.0        60,873             163    203.6  244.1
    workers=3           c       17,563,784   no     120.5   20.5       858,865   14.1       40     71.7  100.6

(B/state: one stored state; store B: the visited store per state, index and parent links
included; rss B: peak resident growth per state, the no-completion pass's edges
included.)  A longer kernel run at workers=2 signals=2 reached 65 million states at depth
29 in 69 CPU seconds (4.2 GB) and was stopped with levels still growing by about 2.5
million states each: neither 60-second target is met by the kernel alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, resource, sys, time
from gentrace.explore import kernel as ck
from gentrace.explore.search import explore
from gentrace.model import build, get_design, parse_bounds
design, release, bound, engine, budget = sys.argv[1:6]
system = build(get_design(design, release), parse_bounds(bound.split()))
build_s = 0.0
if engine == "c":
    t = time.perf_counter()
    lib = ck.load(system)
    build_s = time.perf_counter() - t if lib.built else 0.0
cpu = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
c0 = cpu()
res = explore(system, kernel=engine, max_seconds=float(budget) or None)
out = {**res.stats.as_dict(), "complete": res.complete, "cpu_seconds": round(cpu() - c0, 2),
       "build_seconds": round(build_s, 2), "kernel": res.kernel,
       "verdicts": res.verdicts}
print(json.dumps(out))
"""

BOUNDS = "canonical;signals=2;workers=2;workers=2 signals=2;workers=3"


def run(design: str, release: str, bound: str, engine: str, budget: float) -> dict:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", CHILD, design, release, bound, engine, str(budget)],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"{engine} at {bound} failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--design", default="fixed")
    ap.add_argument("--go", default="1.27")
    ap.add_argument("--bounds", default=BOUNDS,
                    help=f"semicolon-separated; each a named bound and/or space-separated KEY=VALUE "
                    f"(default {BOUNDS!r})")
    ap.add_argument("--python-seconds", type=float, default=30.0,
                    help="time budget of each Python run (default 30; 0: none)")
    ap.add_argument("--c-seconds", type=float, default=0.0,
                    help="time budget of each kernel run (default 0: none)")
    a = ap.parse_args()
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.machine()}; {a.design}@{a.go}")
    print(f"{'bound':22s} {'engine':6s} {'states':>11s} {'trans':>11s} {'depth':>5s} {'done':4s} "
          f"{'seconds':>8s} {'build':>5s} {'cpu':>7s} {'states/s':>9s} {'ratio':>6s} {'st/cpu-s':>9s} "
          f"{'ratio':>6s} {'B/state':>7s} "
          f"{'store B':>7s} {'rss B':>6s} {'load':>5s}")
    for bound in a.bounds.split(";"):
        bound = bound.strip() or "canonical"
        rates = {}
        for engine, budget in (("python", a.python_seconds), ("c", a.c_seconds)):
            load = os.getloadavg()[0]
            st = run(a.design, a.go, bound, engine, budget)
            cpu_rate = st["states"] / st["cpu_seconds"] if st["cpu_seconds"] else 0.0
            rates[engine] = (st["states_per_second"], cpu_rate)
            ratio = cratio = ""
            if engine == "c" and rates["python"][0] and rates["python"][1]:
                ratio = f"{rates['c'][0] / rates['python'][0]:.1f}"
                cratio = f"{rates['c'][1] / rates['python'][1]:.1f}"
            print(f"{bound:22s} {st['kernel']:6s} {st['states']:11d} {st['transitions']:11d} "
                  f"{st['max_depth']:5d} {'yes' if st['complete'] else 'no':4s} {st['seconds']:8.2f} "
                  f"{st['build_seconds']:5.1f} {st['cpu_seconds']:7.2f} {st['states_per_second']:9d} "
                  f"{ratio:>6s} {cpu_rate:9.0f} {cratio:>6s} {st.get('state_bytes', 0):7d} "
                  f"{st.get('store_bytes_per_state', 0):7.1f} "
                  f"{st['bytes_per_state']:6.1f} {load:5.1f}", flush=True)
            if engine == "c" and st["complete"]:
                bad = sorted(p for p, v in st["verdicts"].items() if v == "violated")
                print(f"{'':22s} verdicts: {len(st['verdicts'])} properties, violated: "
                      f"{', '.join(bad) or 'none'}", flush=True)


if __name__ == "__main__":
    main()
