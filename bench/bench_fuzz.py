#!/usr/bin/env python3
"""Long fuzz runs of the trace reader and the counterexample loader (issue 23, item 14).

The targets and the inputs are those of tests/test_fuzz_inputs.py (random bytes; committed
traces and counterexamples truncated, bit-flipped, spliced, with fields changed; traces made
of edge values), run for longer than the default test run and with a seed of your choice:

    trace          decode and check a trace (gentrace.runtime: decode, conform_trace)
    conform-cli    gentrace conform FILE, in-process
    cx             load and replay a counterexample (gentrace.core: loads, replay)
    replay-cli     gentrace replay [--json|--quiet] FILE, in-process

Per target it prints how many inputs were tried, how many were read and how many refused, how
many distinct error messages they gave (and distinct shapes: the messages with numbers and
quoted names blanked), the slowest input's time and the largest memory one input held
(tracemalloc, on every K-th input, --memory-every: it makes an input about ten times slower)
with that input's length.  A crash (any
exception but the reader's or loader's own one-line error), a message of more than one line,
or a command-line run with a traceback stops the target; the input is written to --out.

    python bench/bench_fuzz.py --seconds 60                  # a minute per target
    python bench/bench_fuzz.py --examples 5000 --seed 7 --target trace --target cx
    python bench/bench_fuzz.py --seconds 30 --show 10         # and the ten commonest shapes
"""

from __future__ import annotations

import argparse
import platform
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_fuzz_inputs as fz  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


class TimeUp(Exception):
    """Raised from inside the Hypothesis run when --seconds have passed."""


@dataclass
class Stats:
    name: str
    tried: int = 0
    read: int = 0
    messages: Counter[str] = field(default_factory=Counter)
    slowest: float = 0.0
    slowest_len: int = 0
    peak: int = 0
    peak_len: int = 0
    measured: int = 0  # inputs whose memory was measured
    crash: str = ""
    seconds: float = 0.0

    @property
    def shapes(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for msg, n in self.messages.items():
            out[shape(msg)] += n
        return out


def shape(msg: str) -> str:
    """A message with its numbers and quoted names blanked: what kind of refusal it is."""
    msg = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", msg)
    msg = re.sub(r"(/[^\s:]+)+", "PATH", msg)
    return re.sub(r"-?\d+(\.\d+)?", "N", msg)


def trace_target(data: bytes) -> str | None:
    return fz.judge_trace(data)


def cx_target(data: bytes) -> str | None:
    return fz.judge_counterexample(fz._text(data))


def cli_target(argv_of: Callable[[str, int], list[str]], suffix: str) -> Callable[[bytes], str | None]:
    calls = [0]

    def run(data: bytes) -> str | None:
        calls[0] += 1
        with fz.scratch_file(data, suffix) as path:
            code, err = fz.check_cli(argv_of(path, calls[0]), ok=(0, 1))
            if code != 2:
                return None
            return err.strip().removeprefix("gentrace: ").replace(path, "FILE")
    return run


GOOD = str(ROOT / "findings" / sorted(fz.FINDINGS)[0])
TARGETS: dict[str, tuple[st.SearchStrategy[bytes], Callable[[bytes], str | None]]] = {
    "trace": (fz.trace_inputs(), trace_target),
    "conform-cli": (fz.trace_inputs(), cli_target(lambda p, _: ["conform", p], ".trace")),
    "cx": (fz.counterexample_inputs(), cx_target),
    # One file, alternately with --json (the several-file path is the default test's).
    "replay-cli": (fz.counterexample_inputs(),
                   cli_target(lambda p, k: ["replay", *(["--json"] if k % 2 else []), p], ".json")),
}


def run_target(name: str, examples: int, seconds: float | None, the_seed: int, out: Path,
               memory_every: int) -> Stats:
    strategy, target = TARGETS[name]
    stats = Stats(name)
    # Warm up (imports, the model's first build) outside the figures.
    fz.run_cli(["conform", str(next(iter(fz.TRACE_FILES)))] if "trace" in name or "conform" in name
               else ["replay", "--quiet", GOOD])
    start = time.perf_counter()

    @seed(the_seed)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def fuzz(data: bytes) -> None:
        if seconds is not None and time.perf_counter() - start > seconds:
            raise TimeUp
        measure = memory_every > 0 and stats.tried % memory_every == 0
        if measure:
            tracemalloc.start()
        t0 = time.perf_counter()
        try:
            msg = target(data)
        except BaseException as e:
            if isinstance(e, TimeUp | KeyboardInterrupt):
                raise
            path = out / f"crash-{name}-{stats.tried}.bin"
            path.write_bytes(data)
            stats.crash = f"{type(e).__name__}: {str(e)[:300]} (input written to {path})"
            raise
        finally:
            dt = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1] if measure else 0
            if measure:
                tracemalloc.stop()
        stats.tried += 1
        stats.measured += measure
        if msg is None:
            stats.read += 1
        else:
            stats.messages[msg[:500]] += 1
        if dt > stats.slowest:
            stats.slowest, stats.slowest_len = dt, len(data)
        if peak > stats.peak:
            stats.peak, stats.peak_len = peak, len(data)

    try:
        fuzz()
    except TimeUp:
        pass
    except Exception:
        if not stats.crash:
            raise
    finally:
        stats.seconds = time.perf_counter() - start
    return stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=None,
                    help="inputs per target (default: as many as --seconds allows; 1000 without it)")
    ap.add_argument("--seconds", type=float, default=None, help="time per target")
    ap.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    ap.add_argument("--target", action="append", choices=sorted(TARGETS),
                    help="run only this target (repeatable; default all)")
    ap.add_argument("--show", type=int, default=0, metavar="N",
                    help="also print each target's N commonest message shapes")
    ap.add_argument("--memory-every", type=int, default=10, metavar="K",
                    help="measure the memory of every K-th input (tracemalloc makes an input about "
                    "ten times slower; 1: every input, 0: none; default 10)")
    ap.add_argument("--out", type=Path, default=None,
                    help="where crashing inputs are written (default: a new temporary folder)")
    args = ap.parse_args()
    examples = args.examples if args.examples is not None else (10**9 if args.seconds else 1000)
    out = args.out or Path(tempfile.mkdtemp(prefix="gentrace-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"python {platform.python_version()} on {platform.machine()}, seed {args.seed}, "
          + (f"{args.seconds:g} s" if args.seconds else f"{examples} inputs") + " per target")
    head = (f"{'target':<12} {'inputs':>7} {'read':>6} {'refused':>7} {'messages':>8} {'shapes':>6} "
            f"{'inputs/s':>8} {'slowest':>14} {'peak memory':>20}")
    print(head)
    crashed = False
    all_stats = []
    for name in args.target or list(TARGETS):
        s = run_target(name, examples, args.seconds, args.seed, out, args.memory_every)
        all_stats.append(s)
        refused = s.tried - s.read
        rate = s.tried / s.seconds if s.seconds else 0.0
        print(f"{name:<12} {s.tried:>7} {s.read:>6} {refused:>7} {len(s.messages):>8} {len(s.shapes):>6} "
              f"{rate:>8.0f} {s.slowest * 1e3:>7.1f} ms {s.slowest_len:>5}B "
              f"{s.peak / 2**20:>8.2f} MiB {s.peak_len:>6}B ({s.measured} measured)", flush=True)
        if s.crash:
            crashed = True
            print(f"  CRASH after {s.tried} inputs: {s.crash}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MiB")
    for s in all_stats:
        if args.show:
            print(f"\n{s.name}: commonest refusals")
            for msg, n in s.shapes.most_common(args.show):
                print(f"  {n:>6}  {msg[:150]}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
