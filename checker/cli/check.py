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
from gentrace.cli.select import exit_status, joined, prepare_out, select_designs
from gentrace.cli.table import print_interrupted, print_mismatches, print_table
from gentrace.core import interrupt
from gentrace.explore.check import check_design
from gentrace.model import CANONICAL, DESIGNS, FINDINGS, NAMED, RELEASES, Bounds, parse_bounds
from gentrace.model.releases import DEFAULT as DEFAULT_RELEASE

CELL = {"holds": "holds", "violated": "VIOL", "vacuous": "vacuous", "incomplete": "incompl"}


def add_check_parser(sub: Any) -> None:
    """The ``check`` subcommand, on the subparsers ``sub`` of the ``gentrace`` parser."""
    c = sub.add_parser("check", help="explore designs and compare verdicts with expectations",
                       description="Explore every design (or one) at a bound and print a matrix of "
                       "design x property, observed verdict against expected. Exit status: 0 when "
                       "every verdict matches its expectation; 1 when one contradicts it; 2 on bad "
                       "input; 3 when a budget cut a search short (or --no-liveness skipped a part) "
                       "and nothing found contradicts an expectation; 130 on Ctrl-C.")
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
                   help="stop each design's exploration after N states (verdicts then 'incomplete')")
    c.add_argument("--max-seconds", type=positive_float, metavar="S",
                   help="stop each design's exploration after S seconds: a budget per design, not "
                   "for the whole run (verdicts then 'incomplete')")
    c.add_argument("--no-liveness", action="store_true",
                   help="skip the check that every state can still reach completion (saves "
                   "memory); deadlock-freedom is then reported incomplete unless a deadlock is found")
    c.add_argument("--kernel", choices=("auto", "c", "python"), default="auto",
                   help="the explorer's engine: c, the compiled kernel (built with the machine's C "
                   "compiler, cached); python, the pure-Python search (same results, slower); auto "
                   "(default): c, except that a search whose kernel is not built yet and that ends "
                   "within a few thousand states stays in Python. Without a C compiler or cffi, c "
                   "and auto run python and say so")
    c.add_argument("--quiet", action="store_true", help="no progress on the terminal")
    c.add_argument("--verbose", action="store_true",
                   help="list the steps that never fired at this bound, design by design (--json has "
                   "them in each result's stats.steps_never_fired)")
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
                                             progress=prog, kernel=args.kernel)
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
    status = 130 if stopped else exit_status(rows)
    unshown = findings_not_shown(done, bounds, rows)
    if args.json:
        doc: dict[str, Any] = {"bounds": bounds.as_dict(), "engine": "explore", "ok": ok,
                               "status": STATUS[status], "results": [o.as_json() for o in rows],
                               "cut_short": [_cut_json(r) for r in runs if r.cut and not r.interrupted],
                               "findings_not_shown": unshown}
        if stopped:
            doc["interrupted"] = stopped
            doc["not_run"] = [d.label for d in designs[at + 1:]]
        print(json.dumps(doc, indent=1))
    else:
        if done:
            _print_matrix(done, bounds, runs, rows, args, unshown)
        if stopped:
            print_interrupted(stopped, designs, at)
    return status


# What each exit status of ``check`` means, as --json's "status" says it.
STATUS = {0: "every verdict matches its expectation",
          1: "a verdict contradicts its expectation",
          3: "incomplete: a budget cut a search short or a part of the check was skipped, and "
             "nothing found contradicts an expectation",
          130: "interrupted (Ctrl-C)"}


def findings_not_shown(designs: list[Any], bounds: Bounds,
                       rows: list[Any] | None = None) -> list[dict[str, str]]:
    """The findings (:mod:`gentrace.model.findings`) a run of the shipped design ``fixed``
    did not show, each with the command that shows it: its defect is in none of the designs
    run, the bound is too small for it, or (given the run's ``rows``) the search that should
    have shown it was cut short.  Empty when ``fixed`` was not run."""
    fixed = [d for d in designs if d.name == "fixed"]
    if not fixed:
        return []
    out = []
    for f in FINDINGS.values():
        heirs = [d for d in designs if f.applies(d)]
        reachable = [d for d in heirs if any(f.shows(p, bounds) for p in f.violates)]
        if rows is None and reachable:
            continue
        labels = {d.label for d in reachable}
        if rows is not None and any(o.verdict == "violated" and o.prop in f.violates
                                    and o.design.label in labels for o in rows):
            continue
        mine = [d.release for d in fixed if f.applies(d)]
        if reachable:
            rel, why = mine[-1] if mine else reachable[-1].release, "the search was cut short"
        elif mine:
            rel, why = mine[-1], "the bound is too small for it"
        else:
            have = [r for r in RELEASES.values() if DESIGNS["fixed"].exists_on(r)
                    and f.applies(DESIGNS["fixed"].on(r))]
            if not have:
                continue
            names = [f"go{r.name}" for r in have]
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            why = f"its defect is in {listed} only"
            rel = [r for r in have if not r.same_as][-1] if any(not r.same_as for r in have) else have[-1]
        shows = [n for n, b in sorted(NAMED.items(), key=lambda nb: _size(nb[1]))
                 if all(f.shows(p, b) for p in f.violates)]
        if not shows:
            continue
        bound = "" if shows[0] == "canonical" else f" --bound {shows[0]}"
        out.append({"finding": f.name, "why": why,
                    "command": f"gentrace check --go {rel.name} --design fixed{bound}"})
    return out


def _size(b: Bounds) -> int:
    return b.workers + b.signals + b.sections + b.advances


def _cut_json(res: Any) -> dict[str, Any]:
    st = res.stats
    return {"design": res.system.design.label, "cut": res.cut, "states": st.states,
            "depth": st.depth, "seconds": round(st.seconds, 3), "states_per_second": round(st.rate)}


class _Progress:
    """A one-line progress display on stderr, shown once a run passes two seconds and redrawn
    at most every ``every`` seconds (the search reports far more often: a log captured from a
    terminal would fill with redraws)."""

    def __init__(self, name: str, every: float = 0.5) -> None:
        self.name = name
        self.every = every
        self.shown = False
        self.last = float("-inf")

    def __call__(self, st: Any) -> None:
        if st.seconds < 2 or st.seconds - self.last < self.every:
            return
        self.shown = True
        self.last = st.seconds
        sys.stderr.write(f"\r  {self.name}: {st.states:,} states, depth {st.depth}, "
                         f"{st.rate:,.0f} states/s, {st.seconds:.0f} s ")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _print_matrix(designs: list[Any], bounds: Bounds, runs: list[Any], rows: list[Any],
                  args: argparse.Namespace, unshown: list[dict[str, str]]) -> None:
    def size(k: int) -> str:
        res = runs[k]
        text = f"{res.stats.states:,} in {res.stats.seconds:.1f} s"
        return text if res.complete else f"{text} ({res.cut})"

    print_table(designs, bounds, rows, "states",
                lambda o: CELL[o.verdict] + ("*" if o.skipped else "")
                + ("" if o.matches or o.verdict == "incomplete" else "!"),
                size)
    print()
    print("VIOL: a counterexample was found. holds: exhaustively checked at this bound. "
          "vacuous: the property's antecedent never occurred (expected where the bound cannot reach "
          "it). incompl: a budget or Ctrl-C cut the search short, or a part of the check was "
          "skipped (*).")
    for why in dict.fromkeys(o.skipped for o in rows if o.skipped):
        props = sorted({o.prop for o in rows if o.skipped == why})
        print(f"*: {', '.join(props)}: {why}.")
    contradicted = [o for o in rows if o.verdict != "incomplete"]
    print_mismatches(contradicted, lambda o: f"observed {o.verdict}",
                     "Every verdict matches its expectation." if len(contradicted) == len(rows)
                     else "Nothing found contradicts an expectation.")
    _print_cut(runs, rows, bounds)
    if args.out is not None:
        n = sum(1 for o in rows if o.file)
        print(f"{n} counterexample(s) written to {args.out}/ (replay with: gentrace replay FILE)")
    elif any(o.counterexample for o in rows):
        print("Write the counterexamples with --out DIR, then: gentrace replay DIR/FILE")
    _print_never_fired(runs, args.verbose)
    if unshown:
        print("Findings this run does not show (gentrace list describes them):")
        for u in unshown:
            print(f"  {u['finding']} ({u['why']}): {u['command']}")


def _print_cut(runs: list[Any], rows: list[Any], bounds: Bounds) -> None:
    """For searches a budget cut short: how far each got, and what to try instead."""
    cut = [r for r in runs if r.cut and not r.interrupted]
    n = sum(1 for o in rows if o.verdict == "incomplete")
    if not cut:
        return
    print(f"{_n(n, 'verdict')} incomplete, nothing contradicted: a budget cut "
          f"{_n(len(cut), 'search', 'searches')} short (--max-states and --max-seconds are per "
          "design); exit status 3:")
    for r in cut:
        st = r.stats
        print(f"  {r.system.design.label}: {r.cut} after {st.states:,} states, depth {st.depth}, "
              f"{st.rate:,.0f} states/s")
    smaller = "" if bounds == CANONICAL else "--bound canonical, or "
    print(f"To finish: a smaller bound ({smaller}fewer workers, signals, sections or advances), "
          "--engine hypothesis (samples runs at any bound), or a larger budget.")


def _n(k: int, one: str, many: str = "") -> str:
    return f"{k:,} {one if k == 1 else many or one + 's'}"


def _print_never_fired(runs: list[Any], verbose: bool) -> None:
    """The steps no run reached at this bound: how many in one line; the list with --verbose."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for r in runs:
        if r.complete and r.uncovered_steps():
            groups.setdefault(tuple(r.uncovered_steps()), []).append(r.system.design.label)
    if not groups:
        return
    if not verbose:
        counts = sorted({len(u) for u in groups})
        many = str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
        n = sum(len(names) for names in groups.values())
        print(f"note: {many} {'step' if many == '1' else 'steps'} never fired at this bound in "
              f"{_n(n, 'design')} (--verbose lists them)")
        return
    for u, names in groups.items():
        who = names[0] if len(names) == 1 else f"{len(names)} designs ({names[0]}, ...)"
        print(f"note: in {who}, steps never fired at this bound: {', '.join(u)}")
