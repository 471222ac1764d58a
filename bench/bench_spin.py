#!/usr/bin/env python3
"""Spin and gentrace on the same model, in one run: state counts, times, states per second.

Exports the design at the bound (``gentrace export --promela``), builds Spin's verifier
(``spin -a``, then ``gcc -O2 -DSAFETY -DNOREDUCE``, and once more without ``-DNOREDUCE``
for Spin's partial-order reduction), runs it exhaustively (``-c0``: on past violations), and
runs gentrace's explorer on the same system (its compiled kernel and its Python engine;
``--kernel c`` for the kernel alone).  Prints both state counts (equal without
reduction; with it Spin stores fewer, and the difference is the reduction), the violated
properties each found, and the ratios of times and of states per second, by wall clock and
by CPU time (the machine may be shared: the load average is printed before and after).

The explorer runs without its no-completion pass (``--no-liveness``), which Spin has no
counterpart for; ``--liveness`` adds it (then gentrace does more than Spin).

Needs the Debian package ``spin`` (6.5.2) and gcc: ``apt-get update && apt-get install -y spin``.

    python bench/bench_spin.py                                 # fixed@1.27, canonical bound
    python bench/bench_spin.py --bound signals=2
    python bench/bench_spin.py --design flush-before-drain --bound signals=2 --no-por

Figures (the project's 2-core machine, load average 6 to 18 from other jobs, so compare CPU
seconds; fixed@1.27, the model as it stood at 12:00 UTC on 2026-12-02, 77 steps, 88 fields):

    canonical   476,286 states in every engine; kernel 0.29 CPU s, Python 5.58, Spin 1.23
                (POR 1.14): kernel/Spin 4.30 in states per CPU second, 4.12 by wall clock
    signals=2   9,212,274 states in every engine; kernel 12.70 CPU s, Spin 24.50 (POR 26.87):
                kernel/Spin 1.93 per CPU second, 1.71 by wall clock; every engine finds
                sample-generation, no-unflushed-at-stop and sample-conservation violated

An earlier model (75 steps, 86 fields, before the kernel): canonical 241,326 states in both,
Python 2.97 CPU s, Spin 0.48; signals=2 4,572,707 states in both, Python 52.6, Spin 12.0.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gentrace.explore import explore
from gentrace.export import promela, spin
from gentrace.model import PROPERTY_NAMES, build, get_design, parse_bounds
from gentrace.model.releases import DEFAULT as DEFAULT_RELEASE


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def tree() -> str:
    """The commit the model comes from, and whether model/ has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "model"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(not a git checkout)"
    return head + (" with uncommitted changes in model/" if dirty else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--design", default="fixed")
    ap.add_argument("--go", default=DEFAULT_RELEASE)
    ap.add_argument("--bound", nargs="+", action="extend", default=None, metavar="canonical|KEY=VALUE")
    ap.add_argument("--no-por", action="store_true", help="skip the run with Spin's partial-order reduction")
    ap.add_argument("--liveness", action="store_true", help="the explorer also runs its no-completion pass")
    ap.add_argument("--kernel", default="c,python", metavar="c,python",
                    help="the explorer's kernels to run, in order (default c,python)")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="build Spin's verifier in DIR and keep it")
    args = ap.parse_args()
    if not spin.available():
        sys.exit("bench_spin: needs spin and a C compiler: apt-get update && apt-get install -y spin gcc")

    design = get_design(args.design).on(args.go)
    bounds = parse_bounds(args.bound)
    bound_text = " ".join(f"{k}={v}" for k, v in bounds.as_dict().items())
    print(f"design {design.label}, bound {bound_text}; tree {tree()}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{spin.spin_version()}; load average before: {load()}")

    t0 = time.perf_counter()
    system = build(design, bounds)
    text = promela(system)
    print(f"export: {len(text):,} bytes of Promela, {len(system.steps)} steps, {len(system.layout)} fields, "
          f"in {time.perf_counter() - t0:.1f} s (with building the system)")

    work = args.keep or Path(tempfile.mkdtemp(prefix="gentrace-spin-"))
    ours = []  # (label, result, wall, cpu)
    for kernel in args.kernel.split(","):
        if kernel == "c":  # build (or load from the cache) the compiled kernel outside the timing
            explore(system, max_states=1, liveness=False, kernel="c")
        c0, w0 = time.process_time(), time.perf_counter()
        res = explore(system, liveness=args.liveness, kernel=kernel)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        label = f"gentrace explore ({res.kernel}{', +liveness' if args.liveness else ''})"
        ours.append((label, res, wall, cpu))

    runs = []
    for por in ([False] if args.no_por else [False, True]):
        built = spin.build(text, work, por=por)
        pan = spin.run(built, hash_bits=spin.hash_bits_for(ours[0][1].stats.states))
        runs.append((built, pan))

    print(f"load average after: {load()}")
    print()
    rows = [("engine", "states", "transitions", "search s", "cpu s", "states/s", "states/cpu-s", "build s",
             "violated")]
    for label, res, wall, cpu in ours:
        viol = sorted(p for p in PROPERTY_NAMES if res.verdicts[p] == "violated")
        rows.append((label, f"{res.stats.states:,}", f"{res.stats.transitions:,}", f"{wall:.2f}", f"{cpu:.2f}",
                     f"{res.stats.states / wall:,.0f}", f"{res.stats.states / max(cpu, 1e-9):,.0f}", "-",
                     ", ".join(viol) or "none"))
    for built, pan in runs:
        found = sorted(pan.failed | ({"deadlock-freedom"} if pan.invalid_end else set()))
        rows.append((f"spin -DSAFETY{'' if pan.por else ' -DNOREDUCE'}", f"{pan.states:,}", f"{pan.transitions:,}",
                     f"{pan.seconds:.2f}", f"{pan.cpu_seconds:.2f}", f"{pan.states / max(pan.seconds, 1e-9):,.0f}",
                     f"{pan.states / max(pan.cpu_seconds, 1e-9):,.0f}",
                     f"{built.spin_seconds + built.cc_seconds:.1f}", ", ".join(found) or "none"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = zip(r, widths, strict=True)
        print("  ".join(c.rjust(w) if 0 < i < 8 else c.ljust(w) for i, (c, w) in enumerate(cells)).rstrip())
    print()
    print("search s: wall clock of the search alone (Spin: its own 'elapsed time'); cpu s: the search's "
          "user + system time (Spin: the verifier process's, with its start-up). Spin's build (spin -a, "
          "gcc -O2) is not in its search time. Transitions: Spin counts stored + matched states, i.e. every "
          "transition, plus the initial state, plus one self-loop per finished state (the completion "
          "process's FINISHED option).")
    ok = True
    for built, pan in runs:
        name = "Spin with partial-order reduction" if pan.por else "Spin"
        found = pan.failed | ({"deadlock-freedom"} if pan.invalid_end else set())
        for label, res, wall, cpu in ours:
            g_states = res.stats.states
            g_viol = {p for p in PROPERTY_NAMES if res.verdicts[p] == "violated"}
            if pan.states == g_states:
                print(f"{name} vs {label}: the same {g_states:,} states.")
            elif pan.por:
                print(f"{name} vs {label}: {pan.states:,} states, {g_states - pan.states:,} fewer than "
                      f"{g_states:,}: the states its reduction skips (a subset of the interleavings).")
            else:
                ok = False
                print(f"{name} vs {label}: {pan.states:,} states against {g_states:,}: they should be equal "
                      "(a defect of the export)")
            if found != g_viol:
                ok = ok and pan.por
                print(f"  violated properties differ: Spin {sorted(found)}, gentrace {sorted(g_viol)}")
            rate, srate = g_states / wall, pan.states / max(pan.seconds, 1e-9)
            crate, scrate = g_states / max(cpu, 1e-9), pan.states / max(pan.cpu_seconds, 1e-9)
            print(f"  time gentrace/Spin: {wall / max(pan.seconds, 1e-9):.2f} (wall), "
                  f"{cpu / max(pan.cpu_seconds, 1e-9):.2f} (cpu); states per second gentrace/Spin: "
                  f"{rate / srate:.3f} (wall), {crate / scrate:.3f} (cpu)")
        print(f"  Spin's state vector {pan.vector_bytes} bytes as stored, depth {pan.depth}; build: spin -a "
              f"{built.spin_seconds:.1f} s, gcc -O2 {built.cc_seconds:.1f} s")
    if args.keep is None:
        for f in sorted(work.iterdir()):
            f.unlink()
        work.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
