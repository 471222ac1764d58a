#!/usr/bin/env python3
"""Exhaustive-checker throughput and memory, per release and design, at the canonical and a larger bound.

Each run happens in a fresh interpreter so that its peak-memory growth belongs to
that run alone.  Prints states, transitions, seconds, states per second and bytes
of peak resident memory per stored state, with and without the liveness pass.
Releases that are the same protocol as another (go1.22.0, go1.25, go1.27) are
skipped unless named.

    python bench/bench_explore.py                 # every design of every protocol, canonical and large
    python bench/bench_explore.py --go 1.24 --designs fixed --bounds large
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
from gentrace.explore import explore
from gentrace.model import build, get_design, parse_bounds
system = build(get_design(sys.argv[1], sys.argv[4]), parse_bounds(sys.argv[2].split()))
res = explore(system, liveness=sys.argv[3] == "1")
print(json.dumps(res.stats.as_dict()))
"""


def run(design: str, bound: str, liveness: bool, release: str) -> dict:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", CHILD, design, bound, "1" if liveness else "0",
                          release],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def main() -> None:
    sys.path.insert(0, ROOT)
    from gentrace.model import DESIGNS, RELEASES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--go", default=",".join(r.name for r in RELEASES.values() if not r.same_as),
                    help="comma-separated releases (default: one of each protocol)")
    ap.add_argument("--designs", default="all", help="comma-separated, or all (default)")
    ap.add_argument("--bounds", default="canonical,large",
                    help="comma-separated; each a named bound or space-separated KEY=VALUE list")
    ap.add_argument("--no-liveness-too", action="store_true",
                    help="also measure each run without the liveness pass")
    a = ap.parse_args()
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.machine()}")
    print(f"{'release':7s} {'design':28s} {'bound':10s} {'live':4s} {'states':>9s} {'trans':>9s} "
          f"{'depth':>5s} {'seconds':>8s} {'states/s':>9s} {'B/state':>8s}")
    for bound in a.bounds.split(","):
        for rel in a.go.split(","):
            names = [d for d in DESIGNS if DESIGNS[d].exists_on(RELEASES[rel])]
            if a.designs != "all":
                names = [d for d in a.designs.split(",") if d in names]
            for d in names:
                for live in ([True, False] if a.no_liveness_too else [True]):
                    st = run(d, bound, live, rel)
                    print(f"{rel:7s} {d:28s} {bound:10s} {'yes' if live else 'no':4s} {st['states']:9d} "
                          f"{st['transitions']:9d} {st['max_depth']:5d} {st['seconds']:8.2f} "
                          f"{st['states_per_second']:9d} {st['bytes_per_state']:8.1f}", flush=True)


if __name__ == "__main__":
    main()
