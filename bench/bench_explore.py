#!/usr/bin/env python3
"""Exhaustive-checker throughput and memory, per design, at the canonical and a larger bound.

Each run happens in a fresh interpreter so that its peak-memory growth belongs to
that run alone.  Prints states, transitions, seconds, states per second and bytes
of peak resident memory per stored state, with and without the liveness pass.

    python bench/bench_explore.py                 # every design, canonical and large
    python bench/bench_explore.py --designs fixed --bounds large
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
import json, sys
from checker.explore import explore
from model import build, get_design, parse_bounds
system = build(get_design(sys.argv[1]), parse_bounds(sys.argv[2].split()))
res = explore(system, liveness=sys.argv[3] == "1")
print(json.dumps(res.stats.as_dict()))
"""


def run(design: str, bound: str, liveness: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", CHILD, design, bound, "1" if liveness else "0"],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def main() -> None:
    sys.path.insert(0, ROOT)
    from model import DESIGNS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", default=",".join(DESIGNS))
    ap.add_argument("--bounds", default="canonical,large",
                    help="comma-separated; each a named bound or space-separated KEY=VALUE list")
    ap.add_argument("--no-liveness-too", action="store_true",
                    help="also measure each run without the liveness pass")
    a = ap.parse_args()
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.machine()}")
    print(f"{'design':28s} {'bound':10s} {'live':4s} {'states':>9s} {'trans':>9s} {'depth':>5s} "
          f"{'seconds':>8s} {'states/s':>9s} {'B/state':>8s}")
    for bound in a.bounds.split(","):
        for d in a.designs.split(","):
            for live in ([True, False] if a.no_liveness_too else [True]):
                st = run(d, bound, live)
                print(f"{d:28s} {bound:10s} {'yes' if live else 'no':4s} {st['states']:9d} "
                      f"{st['transitions']:9d} {st['max_depth']:5d} {st['seconds']:8.2f} "
                      f"{st['states_per_second']:9d} {st['bytes_per_state']:8.1f}", flush=True)


if __name__ == "__main__":
    main()
