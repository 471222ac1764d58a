"""``gentrace export``: one design at one bound written out for another model checker
(``--promela``: a Promela program for Spin; see :mod:`gentrace.export.promela`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gentrace.cli.args import UsageError
from gentrace.cli.select import joined, select_designs
from gentrace.export import promela
from gentrace.model import RELEASES, build, parse_bounds
from gentrace.model.releases import DEFAULT as DEFAULT_RELEASE


def add_export_parser(sub: Any) -> None:
    """The ``export`` subcommand, on the subparsers ``sub`` of the ``gentrace`` parser."""
    e = sub.add_parser("export", help="write one design at one bound as a Promela program for Spin",
                       description="Write the model of one design at one bound, generated from the "
                       "same step definitions the explorer runs, as a program for another model "
                       "checker. --promela: a Promela program for Spin; its header says which "
                       "properties Spin checks and how, and how to run it.")
    fmt = e.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--promela", action="store_true", help="a Promela program (Spin)")
    e.add_argument("--design", action="append", default=None, metavar="NAME",
                   help="the design to write (default fixed)")
    e.add_argument("--go", action="append", default=None, metavar="RELEASE",
                   help=f"the Go release whose protocol to model: {', '.join(RELEASES)} (default "
                   f"{DEFAULT_RELEASE}, the newest)")
    e.add_argument("--bound", nargs="+", action="extend", metavar="canonical|KEY=VALUE", default=None,
                   help="a named bound (canonical, large, ring) and/or KEY=VALUE overrides applied on "
                   "top of it, in order, as for 'gentrace check'")
    e.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    e.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    designs = select_designs(joined(args.design) or "fixed", joined(args.go))
    if len(designs) != 1:
        raise UsageError(f"export writes one design at a time, and --design/--go name {len(designs)} "
                         f"({', '.join(d.label for d in designs[:3])}{', ...' if len(designs) > 3 else ''})")
    bounds = parse_bounds(args.bound)
    if args.out is not None:
        if args.out.is_dir():
            raise UsageError(f"--out {args.out}: is a directory; give a file name")
        if not args.out.parent.is_dir():
            raise UsageError(f"--out {args.out}: the directory {args.out.parent} does not exist")
    text = promela(build(designs[0], bounds))
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text)
    except OSError as err:
        raise UsageError(f"--out {args.out}: cannot write ({err.strerror})") from None
    print(f"wrote {args.out}: {designs[0].label} at {' '.join(f'{k}={v}' for k, v in bounds.as_dict().items())}",
          file=sys.stderr)
    return 0
