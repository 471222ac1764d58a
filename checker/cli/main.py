"""The ``gentrace`` command line: the parser and the entry point (``check``, ``replay``, ``list``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gentrace.cli.args import UsageError, did_you_mean
from gentrace.cli.check import add_check_parser
from gentrace.cli.conform import add_conform_parser
from gentrace.cli.export import add_export_parser
from gentrace.cli.listing import add_list_parser
from gentrace.cli.prove import add_prove_parser
from gentrace.cli.replay import add_replay_parser
from gentrace.cli.report import add_report_parser
from gentrace.cli.runtime import add_runtime_parser
from gentrace.model import BoundsError, DesignError, ReleaseError


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{did_you_mean(self, message)} (see '{self.prog} --help')")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "cmd", None):
            parser.print_help()
            return 2
        return int(args.func(args))
    except UsageError as e:
        print(f"gentrace: {e}", file=sys.stderr)
        return 2
    except (BoundsError, DesignError, ReleaseError) as e:
        print(f"gentrace: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gentrace: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gentrace")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def build_parser() -> Parser:
    p = Parser(prog="gentrace", description=(
        "Machine-checked design evidence for the Go execution tracer's CPU-sample / generation "
        "protocol (Go CL 555495): an executable model, checkers, counterexample replay."))
    p.add_argument("--version", action="version", version=f"gentrace {_version()}")
    sub = p.add_subparsers(dest="cmd", parser_class=Parser)

    add_check_parser(sub)
    add_replay_parser(sub)
    add_prove_parser(sub)
    add_list_parser(sub)
    add_runtime_parser(sub)
    add_conform_parser(sub)
    add_report_parser(sub)
    add_export_parser(sub)
    return p


if __name__ == "__main__":
    sys.exit(main())
