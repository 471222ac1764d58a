"""``gentrace check``: its options, the designs it runs, and the explorer's run and matrix.

``--engine hypothesis|all`` is handed to :mod:`gentrace.cli.check_hypothesis`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gentrace.cli import check_hypothesis
from gentrace.cli.args import positive_float, positive_int
from gentrace.cli.select import joined, prepare_out, select_designs
from gentrace.cli.table import print_interrupted, print_mismatches, print_table
from gentrace.core import interrupt
from gentrace.explore.check import check_design
from gentrace.model import (
    RELEASES,
    Bounds,
    parse_bounds,
)
from gentrace.model.releases import DEFAULT as DEFAULT_RELEASE

CELL = {"holds": "holds", "violated": "VIOL", "vacuous": "vacuous", "incomplete": "incompl"}


def add_check_parser(sub: Any) -> None:
    """The ``check`` subcommand, on the subparsers ``sub`` of the ``gentrace`` parser."""
    c = sub.add_parser("check", help="explore designs and compare verdicts with expectations",
                       description="Explore every design (or one) at a bound and print a matrix of "
                       "design x property, observed verdict against expected. Exit 0 exactly when "
                       "every observation matches its expectation, 1 otherwise, 2 on bad input.")
    c.add_argument("--design", action="append", default=None, metavar="NAME|all",
                   help="a design name, a comma-separated list, or 'all' (default); repeated: all "
                   "of them")
    c.add_argument("--go", action="append", default=None, metavar="RELEASE|all",
                   help=f"the Go release(s) whose protocol to model: {', '.join(RELEASES)}, a "
                   f"comma-separated list, or 'all' (default {DEFAULT_RELEASE}, the newest); repeated: all "
                   "of them")
    c.add_argument("--bound", nargs="+", action="extend", metavar="canonical|KEY=VALUE", default=None,
                   help="a named bound (canonical, large, ring) and/or KEY=VALUE overrides applied on "
                   "top of it, in order; may be repeated; see 'gentrace list'")
    c.add_argument("--json", action="store_true", help="print one JSON document instead of the matrix")
    c.add_argument("--out", type=Path, metavar="DIR", help="write each counterexample to DIR")
    c.add_argument("--max-states", type=positive_int, metavar="N",
                   help="stop each exploration after N states (verdicts then 'incomplete')")
    c.add_argument("--max-seconds", type=positive_float, metavar="S",
                   help="stop each exploration after S seconds (verdicts then 'incomplete')")
    c.add_argument("--no-liveness", action="store_true",
                   help="skip the check that every state can still reach completion (saves "
                   "memory); deadlock-freedom is then reported incomplete unless a deadlock is found")
    c.add_argument("--quiet", action="store_true", help="no progress on the terminal")
    check_hypothesis.add_check_options(c)
    c.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    check_hypothesis.validate(args)
    designs = select_designs(joined(args.design), joined(args.go))
    bounds = parse_bounds(args.bound)
    prepare_out(args.out)
    if args.engine == "z3":
        from gentrace.cli.prove import check_z3
        return check_z3(args, args.depth or check_hypothesis.DEFAULT_DEPTH)
    if args.engine != "explore":
        return check_hypothesis.run(args, designs, bounds)
    show_progress = not args.quiet and not args.json and sys.stderr.isatty()
    rows: list[Any] = []
    runs: list[Any] = []
    stopped, at = "", 0  # why and in which design the run was interrupted
    with interrupt.installed():
        for k, d in enumerate(designs):
            prog = _Progress(d.name) if show_progress else None
            try:
                res, outcomes = check_design(d, bounds, max_states=args.max_states,
                                             max_seconds=args.max_seconds,
                                             liveness=not args.no_liveness, out=args.out,
                                             progress=prog)
            except KeyboardInterrupt:
                stopped, at = f"{d.label} was interrupted before its results were complete", k
                break
            finally:
                if prog:
                    prog.clear()
            runs.append(res)
            rows.extend(outcomes)
            if res.interrupted:
                stopped, at = f"{d.label} was interrupted; its verdicts are those of a partial search", k
                break
    done = designs[:len(runs)]
    ok = not stopped and all(o.matches for o in rows)
    if args.json:
        doc: dict[str, Any] = {"bounds": bounds.as_dict(), "engine": "explore", "ok": ok,
                               "results": [o.as_json() for o in rows]}
        if stopped:
            doc["interrupted"] = stopped
            doc["not_run"] = [d.label for d in designs[at + 1:]]
        print(json.dumps(doc, indent=1))
    else:
        if done:
            _print_matrix(done, bounds, runs, rows, args.out)
        if stopped:
            print_interrupted(stopped, designs, at)
    if stopped:
        return 130
    return 0 if ok else 1


class _Progress:
    """A one-line progress display on stderr, shown once a run passes two seconds."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown = False

    def __call__(self, st: Any) -> None:
        if st.seconds < 2:
            return
        self.shown = True
        sys.stderr.write(f"\r  {self.name}: {st.states:,} states, depth {st.depth}, "
                         f"{st.rate:,.0f} states/s, {st.seconds:.0f} s ")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _print_matrix(designs: list[Any], bounds: Bounds, runs: list[Any], rows: list[Any],
                  out: Path | None) -> None:
    def size(k: int) -> str:
        res = runs[k]
        text = f"{res.stats.states:,} in {res.stats.seconds:.1f} s"
        return text if res.complete else f"{text} ({res.cut})"

    print_table(designs, bounds, rows, "states",
                lambda o: CELL[o.verdict] + ("*" if o.skipped else "") + ("" if o.matches else "!"),
                size)
    print()
    print("VIOL: a counterexample was found. holds: exhaustively checked at this bound. "
          "vacuous: the property's antecedent never occurred (expected where the bound cannot reach "
          "it). incompl: a budget or Ctrl-C cut the search short, or a part of the check was "
          "skipped (*).")
    for why in dict.fromkeys(o.skipped for o in rows if o.skipped):
        props = sorted({o.prop for o in rows if o.skipped == why})
        print(f"*: {', '.join(props)}: {why}.")
    print_mismatches(rows, lambda o: f"observed {o.verdict}", "Every verdict matches its expectation.")
    if out is not None:
        n = sum(1 for o in rows if o.file)
        print(f"{n} counterexample(s) written to {out}/ (replay with: gentrace replay FILE)")
    elif any(o.counterexample for o in rows):
        print("Write the counterexamples with --out DIR, then: gentrace replay DIR/FILE")
    uncovered = [(r.system.design.label, r.uncovered_steps()) for r in runs if r.complete]
    groups: dict[tuple[str, ...], list[str]] = {}
    for n, u in uncovered:
        if u:
            groups.setdefault(tuple(u), []).append(n)
    for u, names in groups.items():
        who = names[0] if len(names) == 1 else f"{len(names)} designs ({names[0]}, ...)"
        print(f"note: in {who}, steps never fired at this bound: {', '.join(u)}")
