"""Where the project's CPU-heavy Go workload lives (``checker/runtime/workload/main.go``).

The workload is a standard-library-only ``package main``: build it inside any GOROOT with
``GO111MODULE=off go build -o workload main.go`` and run it with
``GODEBUG=traceadvanceperiod=<ns> ./workload -trace out.trace -duration 1s`` for a trace
with many generations and CPU samples (see the comment at the top of ``main.go``).
"""

from __future__ import annotations

from pathlib import Path


def workload_dir() -> Path:
    """The directory holding the workload's ``main.go``."""
    return Path(__file__).parent / "workload"


def workload_source() -> Path:
    """The workload's single source file."""
    return workload_dir() / "main.go"
