"""Every design inside real Go toolchains: the heavy ``gentrace runtime`` run behind the README's table.

    .venv/bin/python bench/bench_runtime.py                      # go1.22.10 and go1.27.3, every design, 10 runs
    .venv/bin/python bench/bench_runtime.py --go 1.22.10 --design no-drain --runs 3

Per release and design: a hard-linked GOROOT copy with the design's edits, Go's own
TestTraceCPUProfile (Default, Stress) ``--runs`` times, the project's workload as
many times with its traces checked by conform, and the model's expected verdicts,
side by side (see ``gentrace runtime --help``).  About a minute per design at
``--runs 10`` on a 2-core machine; the JSON document goes to ``--out``
(default ``$TMPDIR/gentrace-runtime.json``).  Not part of the test run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gentrace.cli.main import main  # noqa: E402


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--go", default="all", help="release(s), as for gentrace runtime (default all)")
    p.add_argument("--design", default="all", help="design(s) (default all)")
    p.add_argument("--runs", type=int, default=10, help="runs per design (default 10)")
    p.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gentrace-runtime.json")
    return p.parse_known_args(argv)


if __name__ == "__main__":
    args, rest = parse(sys.argv[1:])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sys.exit(main(["runtime", "--go", args.go, "--design", args.design, "--runs", str(args.runs),
                   "--out", str(args.out), *rest]))
