"""``gentrace conform TRACE...``: check real Go execution traces against the model's properties.

Each file is read (go1.22 to go1.27 formats) and checked: its generations consecutive and
complete, every CPU sample in the generation whose time window holds its timestamp
(sample-generation), no M writing an earlier generation after a later one
(generation-order); see :mod:`gentrace.runtime.conform` for the rules.  A table per file, or
one JSON document with ``--json``.  Exit 0 when nothing is violated, 1 when something is, 2
when a file is not a trace of a supported version (one ``gentrace: FILE: reason`` line on
stderr each, the other files still checked), 130 on Ctrl-C after the files that finished.

This module does not import ``gentrace.cli.main``, which imports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gentrace.runtime.conform import ConformReport, conform_file
from gentrace.runtime.trace_reader import TraceError


def add_conform_parser(sub: Any) -> None:
    """The ``conform`` subcommand, on the subparsers ``sub`` of the ``gentrace`` parser."""
    p = sub.add_parser(
        "conform", help="check real Go execution traces against the model's properties",
        description="Read Go execution traces (go1.22 and later: 'go 1.22/1.23/1.25/1.26 trace' "
        "headers) and check what the model's properties say a trace can show: generations "
        "consecutive and complete, each CPU sample in the generation current when it was taken "
        "(sample-generation), no M writing an earlier generation after a later one "
        "(generation-order). Exit 0 if nothing is violated, 1 if something is, 2 if a file is "
        "not a trace of a supported version.")
    p.add_argument("traces", nargs="+", metavar="TRACE",
                   help="an execution trace file (go test -trace, runtime/trace, the flight "
                   "recorder); several may be given")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document: a report per trace and the unreadable files")
    p.add_argument("--generations", action="store_true",
                   help="also print a table of the generations (batches, events, samples, window)")
    p.set_defaults(func=cmd_conform)


def cmd_conform(args: argparse.Namespace) -> int:
    reports: list[ConformReport] = []
    unreadable: list[dict[str, str]] = []
    interrupted = False
    try:
        for name in args.traces:
            try:
                rep = conform_file(name)
            except TraceError as e:
                print(f"gentrace: {name}: {e}", file=sys.stderr)
                unreadable.append({"path": name, "error": str(e)})
                continue
            reports.append(rep)
            if not args.json:
                if len(reports) > 1:
                    print()
                print(rep.render(per_generation=args.generations), flush=True)
    except KeyboardInterrupt:
        interrupted = True
    if args.json:
        print(json.dumps(conform_json(reports, unreadable, interrupted), indent=1))
    elif len(args.traces) > 1 and not interrupted:
        bad = sum(1 for r in reports if r.violations)
        print()
        n = len(reports)
        print(f"{n} {'trace' if n == 1 else 'traces'} checked: {n - bad} conform, {bad} violate"
              + (f"; {len(unreadable)} unreadable" if unreadable else ""))
    if interrupted:
        print("gentrace: interrupted", file=sys.stderr)
        return 130
    if unreadable:
        return 2
    return 1 if any(r.violations for r in reports) else 0


def conform_json(reports: list[ConformReport], unreadable: list[dict[str, str]],
                 interrupted: bool = False) -> dict[str, Any]:
    """The ``--json`` document: one report per readable trace, the unreadable ones, totals."""
    return {"traces": [r.to_json() for r in reports], "unreadable": unreadable,
            "violations": sum(r.violations for r in reports), "interrupted": interrupted}
