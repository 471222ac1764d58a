"""The ``gentrace`` command line: check, replay, list."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from checker.cli.args import positive_float, positive_int
from checker.core import interrupt
from model import (
    DESIGNS,
    FINDINGS,
    NAMED,
    PROPERTIES,
    PROPERTY_NAMES,
    RELEASES,
    Bounds,
    BoundsError,
    DesignError,
    ReleaseError,
    designs_of,
    parse_bounds,
    parse_designs,
    parse_releases,
)
from model.bounds import DOC, LIMITS
from model.releases import DEFAULT as DEFAULT_RELEASE

SHORT = {
    "sample-generation": "sample-gen",
    "event-generation": "event-gen",
    "flush-before-seal": "seal",
    "no-unflushed-at-stop": "unflushed",
    "sample-conservation": "conserve",
    "deadlock-freedom": "deadlock",
    "single-reader": "1-reader",
    "generation-order": "gen-order",
    "reader-lifetime": "reader-life",
}
CELL = {"holds": "holds", "violated": "VIOL", "vacuous": "vacuous", "incomplete": "incompl"}


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


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
    from checker.cli.check_hypothesis import add_check_options
    add_check_options(c)
    c.set_defaults(func=cmd_check)

    from checker.cli.replay import add_replay_parser
    add_replay_parser(sub)

    ls = sub.add_parser("list", help="designs, properties, and bounds with their defaults")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    return p


# -- check -------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    from checker.cli import check_hypothesis as stateful_cli
    from checker.explore.check import check_design

    stateful_cli.validate(args)
    designs = select_designs(_joined(args.design), _joined(args.go))
    bounds = parse_bounds(args.bound)
    if args.out is not None:
        # Refuse an unusable --out before spending time on the search.
        if args.out.exists() and not args.out.is_dir():
            raise UsageError(f"--out {args.out}: exists and is not a directory")
        try:
            args.out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UsageError(f"--out {args.out}: cannot create the directory ({e.strerror})") from None
        if not os.access(args.out, os.W_OK):
            raise UsageError(f"--out {args.out}: the directory is not writable")
    if args.engine != "explore":
        return stateful_cli.run(args, designs, bounds)
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


def print_interrupted(why: str, designs: list[Any], k: int) -> None:
    """The last lines of a run that Ctrl-C stopped in design ``k``: what finished, what did not."""
    rest = designs[k + 1:]
    print()
    print(f"Interrupted (Ctrl-C): {why}. {k} of {len(designs)} design(s) checked in full"
          + (f"; not run: {', '.join(d.label for d in rest)}" if rest else "") + ".")


def _joined(values: list[str] | None) -> str | None:
    """Repeated ``--design``/``--go`` options as one comma-separated list (``all`` wins)."""
    if not values:
        return None
    parts = [p.strip() for v in values for p in v.split(",") if p.strip()]
    return "all" if "all" in parts else ",".join(dict.fromkeys(parts))


def select_designs(names: str | None, go: str | None) -> list[Any]:
    """The designs named (or all) on each release asked for, release by release.

    With several releases, a named design is taken on the releases that have it
    (``legacy`` exists only for go1.22); a name that no release asked for has is an error.
    """
    releases = parse_releases(go)
    if len(releases) == 1:
        return parse_designs(names, releases[0])
    out = []
    for rel in releases:
        if names in (None, "all"):
            out += designs_of(rel)
            continue
        for part in names.split(","):
            d = DESIGNS.get(part.strip())
            if d is None:
                parse_designs(part)  # raises the unknown-design error
            elif d.exists_on(rel):
                out.append(d.on(rel))
    if not out:
        raise DesignError(f"design {names!r} is a design of none of the releases {go!r}; see 'gentrace list'")
    return out


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


# -- replay ------------------------------------------------------------------

def print_table(designs: list[Any], bounds: Bounds, rows: list[Any], last: str,
                cell: Callable[[Any], str], size: Callable[[int], str]) -> None:
    """The bounds, then per release design x property cells (``cell(outcome)``) and ``size(k)``."""
    w = max(len(d.name) for d in designs) + 2
    print(f"bounds: {' '.join(f'{k}={v}' for k, v in bounds.as_dict().items())}")
    head = "design".ljust(w) + "".join(SHORT[p].ljust(12) for p in PROPERTY_NAMES) + last
    by = {(o.design.label, o.prop): o for o in rows}
    release = None
    for k, d in enumerate(designs):
        if d.release != release:
            release = d.release
            same = f", the same protocol as {release.same_as}" if release.same_as else ""
            print()
            print(f"Go {release.name} ({release.versions}{same})")
            print(head)
            print("-" * len(head) + "-" * 14)
        print(d.name.ljust(w) + "".join(cell(by[(d.label, p)]).ljust(12) for p in PROPERTY_NAMES)
              + size(k))


def print_mismatches(rows: list[Any], observed: Any, all_match: str) -> None:
    """List the outcomes that differ from their expectation (``observed(o)`` says what was seen)."""
    bad = [o for o in rows if not o.matches]
    if not bad:
        print(all_match)
        return
    print("'!' marks a verdict that differs from the design's expectation:")
    for o in bad:
        print(f"  {o.design.label} / {o.prop}: {observed(o)}, expected {o.expected}")


# -- list --------------------------------------------------------------------

def cmd_list(args: argparse.Namespace) -> int:
    b = Bounds()
    if args.json:
        print(json.dumps({
            "releases": [{"name": r.name, "versions": r.versions, "same_as": r.same_as,
                          "notes": r.notes, "designs": [d.name for d in designs_of(r)]}
                         for r in RELEASES.values()],
            "designs": [{"name": d.name, "summary": d.summary, "go": d.go,
                         "releases": list(d.releases or RELEASES),
                         "expected": {r.name: {p: d.on(r).expected(p, b) for p in PROPERTY_NAMES}
                                      for r in RELEASES.values() if d.exists_on(r)},
                         "expected_given_enough": {
                             r.name: {p: d.on(r).expected(p) for p in PROPERTY_NAMES}
                             for r in RELEASES.values() if d.exists_on(r)},
                         "needs": d.needs,
                         "not_always": {p: why for p, (_, _, why) in d.shows.items()},
                         "conditions": {p: d.conditions(p) for p in d.violates if d.conditions(p)},
                         "why": d.violates, "corrects": list(d.corrects)} for d in DESIGNS.values()],
            "findings": [{"name": f.name, "title": f.title, "releases": f.releases, "where": f.where,
                          "violates": f.violates, "correction": f.correction}
                         for f in FINDINGS.values()],
            "properties": [{"name": k, "meaning": v} for k, v in PROPERTIES.items()],
            "bounds": [{"name": k, "canonical": getattr(b, k), "min": LIMITS[k][0],
                        "max": LIMITS[k][1], "meaning": DOC[k]} for k in DOC],
            "named_bounds": {k: v.as_dict() for k, v in NAMED.items()},
        }, indent=1))
        return 0
    print("releases (--go; default the newest):")
    for r in RELEASES.values():
        same = f" (the same protocol as {r.same_as})" if r.same_as else ""
        print(f"  {r.name.ljust(7)} {r.versions}{same}: {r.notes}")
        print(f"          designs: {', '.join(d.name for d in designs_of(r))}")
    print()
    print("designs (a variant is a delta on each release it exists for):")
    for d in DESIGNS.values():
        where = f" (Go {', '.join(d.releases)} only)" if d.releases else ""
        print(f"  {d.name}{where}")
        print(f"      {d.summary}")
        print(f"      go: {d.go}")
        if d.violates:
            for p, why in d.violates.items():
                at = f" (needs {d.conditions(p)})" if d.conditions(p) else ""
                print(f"      violates {p}{at}: {why}")
                if p in d.shows:
                    print(f"          not always: {d.shows[p][2]}")
        else:
            print("      no defect of its own")
    print()
    print("findings (inherited by every variant that keeps the code; expected violated):")
    for f in FINDINGS.values():
        print(f"  {f.name} ({f.releases}): {f.title}")
        print(f"      go: {f.where}")
        for p, why in f.violates.items():
            print(f"      violates {p}: {why}")
        print(f"      corrected by the design {f.correction}")
    print()
    print("properties:")
    for k, v in PROPERTIES.items():
        print(f"  {k.ljust(22)} {v}")
    print()
    print("bounds (--bound KEY=VALUE; canonical value shown):")
    for k in DOC:
        lo, hi = LIMITS[k]
        rng = f"{lo}..{hi}" if hi < 1 << 20 else f">= {lo}"
        print(f"  {k.ljust(10)} {str(getattr(b, k)).rjust(3)}   {DOC[k]} ({rng})")
    print()
    print("named bounds: " + "; ".join(
        f"{k} = {' '.join(f'{kk}={vv}' for kk, vv in v.as_dict().items() if vv != getattr(b, kk)) or '(the defaults)'}"
        for k, v in NAMED.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
