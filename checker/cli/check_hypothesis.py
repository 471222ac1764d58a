"""``gentrace check --engine hypothesis|all``: options, runs and the printed report.

Kept apart from :mod:`gentrace.cli.check` (the command and the explorer's run) so the
explorer's path there stays as it was; nothing here imports Hypothesis until a
Hypothesis run is asked for.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gentrace.cli.args import UsageError, positive_int, seed
from gentrace.cli.select import exit_status
from gentrace.cli.table import print_columns, print_interrupted, print_mismatches, print_table
from gentrace.model import Bounds, Design

ENGINES = ("explore", "hypothesis", "z3", "all")
DEFAULT_DEPTH = 10  # BMC's depth for --engine z3 and all


def add_check_options(c: argparse.ArgumentParser) -> None:
    """The options ``check`` gains for choosing and steering the engine."""
    c.add_argument("--engine", choices=ENGINES, default="explore",
                   help="explore: exhaustive (default); hypothesis: sampled runs, shrunk; "
                        "z3: bounded model checking to --depth steps; "
                        "all: the three, with whether they agree. A hypothesis run exits 0 when it "
                        "found no violation where none is expected and caught every design that "
                        "should violate something; a rare violation it did not meet (nf!) is "
                        "reported but does not fail it")
    c.add_argument("--hypothesis-profile", metavar="NAME", default=None,
                   help="Hypothesis settings profile: ci (default; derandomized), dev, thorough")
    c.add_argument("--schedule", choices=("mixed", "uniform", "pct", "swarm"), default=None,
                   help="how a Hypothesis run interleaves its threads: mixed (default: each run "
                        "draws PCT, swarm or uniform, with targeting), uniform (unbiased rule "
                        "calls), pct (random priorities and priority-change points), swarm "
                        "(a random subset of threads, signal targets and handler steps per run)")
    c.add_argument("--seed", type=seed, metavar="N", default=None,
                   help="make the Hypothesis run random with this seed (no example database)")
    c.add_argument("--examples", type=positive_int, metavar="N", default=None,
                   help="Hypothesis examples per round (default: the profile's max_examples)")
    c.add_argument("--depth", type=positive_int, metavar="K", default=None,
                   help=f"z3: bounded model checking to K steps (default {DEFAULT_DEPTH})")
    c.add_argument("--no-shrink", action="store_true",
                   help="skip Hypothesis's shrinking (counterexamples are still shortened by "
                        "delta debugging on their steps)")


def validate(args: argparse.Namespace) -> None:
    """Refuse option combinations that would be silently ignored (raises UsageError)."""
    hyp_only = [name for name, given in (
        ("--hypothesis-profile", args.hypothesis_profile is not None),
        ("--schedule", args.schedule is not None),
        ("--seed", args.seed is not None),
        ("--examples", args.examples is not None),
        ("--no-shrink", args.no_shrink)) if given]
    if args.engine in ("explore", "z3") and hyp_only:
        raise UsageError(f"{hyp_only[0]} applies to --engine hypothesis or all, not {args.engine}")
    if args.depth is not None and args.engine not in ("z3", "all"):
        raise UsageError(f"--depth applies to --engine z3 or all, not {args.engine}")
    explore_only = [name for name, given in (
        ("--max-states", args.max_states is not None),
        ("--max-seconds", args.max_seconds is not None),
        ("--no-liveness", args.no_liveness)) if given]
    if args.engine in ("hypothesis", "z3") and explore_only[:1] == ["--max-states"]:
        raise UsageError(f"--max-states applies to --engine explore or all, not {args.engine}")
    if args.engine == "hypothesis" and explore_only:
        raise UsageError(f"{explore_only[0]} applies to --engine explore or all, not hypothesis")
    if args.verbose and args.engine != "explore":
        raise UsageError(f"--verbose applies to --engine explore, not {args.engine}")
    if args.engine == "z3" and args.no_liveness:
        raise UsageError("--no-liveness applies to --engine explore or all, not z3")
    if args.hypothesis_profile is None:
        return
    from gentrace.stateful import profiles

    if args.hypothesis_profile not in profiles.PROFILES:
        raise UsageError(f"unknown Hypothesis profile {args.hypothesis_profile!r}: choose one of "
                         f"{', '.join(profiles.PROFILES)}")


def run(args: argparse.Namespace, designs: list[Design], bounds: Bounds) -> int:
    """``check`` with the Hypothesis engine, or with both engines side by side."""
    from gentrace.core import interrupt
    from gentrace.stateful import profiles, schedules
    from gentrace.stateful.engine import check_design as hunt_design
    from gentrace.stateful.engine import resolve_settings, sampling_verdict

    profile = args.hypothesis_profile or profiles.DEFAULT
    schedule = args.schedule or schedules.DEFAULT
    settings, _, _ = resolve_settings(profile, max_examples=args.examples, seed=args.seed,
                                      shrink=not args.no_shrink)
    how = describe_run(profile, settings, args.seed, args.examples, not args.no_shrink, schedule)
    show = not args.quiet and not args.json and sys.stderr.isatty()
    hyp_rows: list[Any] = []
    hunts: list[Any] = []
    exp_rows: list[Any] = []
    exp_runs: list[Any] = []
    z3_rows: list[Any] = []
    z3_runs: list[Any] = []
    depth = args.depth or DEFAULT_DEPTH
    stopped, at = "", 0  # why and in which design the run was interrupted
    with interrupt.installed():
        try:
            for at, d in enumerate(designs):  # noqa: B007 (`at` is read after the loop)
                if args.engine == "all":
                    from gentrace.explore.check import check_design as explore_design
                    _status(show, f"{d.name}: exploring")
                    res, outs = explore_design(d, bounds, max_states=args.max_states,
                                               max_seconds=args.max_seconds,
                                               liveness=not args.no_liveness, out=args.out)
                    exp_runs.append(res)
                    exp_rows.extend(outs)
                    if res.interrupted:
                        stopped = f"{d.label} was interrupted while exploring"
                        break
                _status(show, f"{d.name}: sampling with Hypothesis (profile {profile})")
                h, outs = hunt_design(d, bounds, profile=profile, max_examples=args.examples,
                                      seed=args.seed, out=args.out, shrink=not args.no_shrink,
                                      schedule=schedule)
                hunts.append(h)
                hyp_rows.extend(outs)
                if h.interrupted:
                    stopped = f"{d.label} was interrupted; its verdicts are those of a partial hunt"
                    break
                if args.engine == "all":
                    from gentrace.symbolic.check import bmc_design
                    _status(show, f"{d.name}: bounded model checking to depth {depth}")
                    zr, outs = bmc_design(d, bounds, depth, max_seconds=args.max_seconds, out=args.out)
                    z3_runs.append(zr)
                    z3_rows.extend(outs)
                    if zr.interrupted:
                        stopped = f"{d.label} was interrupted in bounded model checking"
                        break
        except KeyboardInterrupt:
            stopped = f"{designs[at].label} was interrupted before its results were complete"
        finally:
            _status(show, None)
    rows = exp_rows + hyp_rows + z3_rows
    sampled_ok, problems = sampling_verdict(hyp_rows)
    agreement = _agreement(exp_rows, hyp_rows, z3_rows, depth) if args.engine == "all" else []
    ok = (not stopped and sampled_ok and all(o.matches for o in exp_rows)
          and all(a["agree"] is not False for a in agreement))
    if args.json:
        doc: dict[str, Any] = {
            "bounds": bounds.as_dict(), "engine": args.engine, "ok": ok,
            "hypothesis": {"profile": profile, "seed": args.seed, "run": how,
                           "schedule": schedule, "schedule_doc": schedules.SCHEDULE_DOC[schedule],
                           **({"pct": [_pct_json(h) for h in hunts]} if schedule in ("mixed", "pct")
                              else {}),
                           "max_examples_per_round": settings.max_examples,
                           "derandomized": bool(settings.derandomize),
                           "shrink": not args.no_shrink,
                           "profile_settings": profiles.PROFILES[profile].doc},
            "sampling_problems": problems,
            "results": [o.as_json() for o in rows],
        }
        if args.engine == "all":
            doc["z3"] = {"method": "bmc", "depth": depth}
        if agreement:
            doc["agreement"] = agreement
            doc["agree"] = all(a["agree"] is not False for a in agreement)
        if stopped:
            doc["interrupted"] = stopped
            doc["not_run"] = [d.label for d in designs[at + 1:]]
        print(json.dumps(doc, indent=1))
    else:
        done_h = designs[:len(hunts)]
        if args.engine == "hypothesis" and done_h:
            _print_hypothesis(done_h, bounds, hunts, hyp_rows, how, args.out, problems)
        elif args.engine == "all" and hunts:
            _print_both(done_h, bounds, exp_runs, hunts, z3_runs, agreement, rows, how, depth,
                        args.out, problems)
        if stopped:
            print_interrupted(stopped, designs, at)
    if stopped:
        return 130
    if not ok and sampled_ok and all(a["agree"] is not False for a in agreement):
        return exit_status(exp_rows)  # 3 when explorer verdicts are only incomplete
    return 0 if ok else 1


def describe_run(profile: str, settings: Any, seed: int | None, examples: int | None,
                 shrink: bool, schedule: str = "mixed") -> str:
    """The Hypothesis run as it is made, not as the profile would make it by default."""
    if seed is not None:
        how = f"random with seed {seed} (--seed; no example database)"
    elif settings.derandomize:
        how = "derandomized (the same examples every run)"
    else:
        how = "random" + (", example database on" if settings.database is not None else "")
    ex = f"up to {settings.max_examples} examples per round" + (" (--examples)" if examples else "")
    steps = f"up to {settings.stateful_step_count} rule calls each"
    shrink_text = "" if shrink else ", no shrinking (--no-shrink)"
    return f"profile {profile}: {how}, {ex}, {steps}{shrink_text}; schedule {schedule}"


def _pct_json(h: Any) -> dict[str, Any]:
    return {"design": h.system.design.label, **(h.pct or {})}


def pct_line(hunts: list[Any]) -> str | None:
    """PCT's guarantee for the run, or None when no PCT runs were drawn."""
    bounds = [h.pct for h in hunts if h.pct]
    if not bounds:
        return None
    d, n = bounds[0]["d"], bounds[0]["n"]
    ks = sorted({b["k"] for b in bounds})
    dens = sorted({b["denominator"] for b in bounds})
    k = f"k={ks[0]}" if len(ks) == 1 else f"k={ks[0]}..{ks[-1]}"
    den = f"1/{dens[-1]:,}" if len(dens) == 1 else f"1/{dens[-1]:,} to 1/{dens[0]:,}"
    share = " (in mixed, about one run in five is a PCT run)" if hunts[0].schedule == "mixed" else ""
    return (f"PCT: d={d}, n={n} threads, {k} steps (a fair run's length): a defect of depth {d} "
            f"is met with probability at least 1/(n k^{d - 1}) = {den} per PCT run{share}")


def _status(show: bool, text: str | None) -> None:
    if not show:
        return
    sys.stderr.write("\r\033[K" + (f"  {text} ..." if text else ""))
    sys.stderr.flush()


def _cell(o: Any) -> str:
    cell = {"violated": "VIOL", "incomplete": "incompl"}.get(o.verdict, "nf")
    return cell + ("" if o.matches else "!")


def _runs(h: Any) -> str:
    t = h.tally
    rounds = f"{h.rounds} round{'s' if h.rounds != 1 else ''}"
    return f"{t.examples:,} ({t.clean:,} to the end), {rounds}, {h.seconds:.1f} s"


def _print_hypothesis(designs: list[Design], bounds: Bounds, hunts: list[Any], rows: list[Any],
                      how: str, out: Path | None, problems: list[str]) -> None:
    print(f"engine: hypothesis, {how}")
    line = pct_line(hunts)
    if line:
        print(line)
    print_table(designs, bounds, rows, "runs", _cell, lambda k: _runs(hunts[k]))
    print()
    print("VIOL: a counterexample was found and replays on the model. nf: no violation found in "
          "the runs that reached their end while the property was checked, which is a sample, "
          "not a proof. runs: every run of the model, generating, shrinking and replaying "
          "(to the end: those that met no violation).")
    print_mismatches(rows, lambda o: o.summary,
                     "Every violation expected was found, and none that was not.")
    _print_sampling(problems)
    _print_files(rows, out)


def _print_sampling(problems: list[str]) -> None:
    if not problems:
        print("Passed as a sample: no violation where none is expected, and every design that "
              "should violate a property was caught.")
        return
    print("Failed as a sample:")
    for p in problems:
        print(f"  {p}")


def _agreement(exp_rows: list[Any], hyp_rows: list[Any], z3_rows: list[Any],
               depth: int) -> list[dict[str, Any]]:
    """Per (design, property), whether the engines' verdicts fit together.

    They disagree (``agree: False``) when one engine shows a violation where the explorer
    checked the whole bound and found none, or when the explorer's shortest violation is
    within BMC's depth and BMC did not find it at that very length: both search the same
    relation, so either is an engine bug.  A violation the sample did not meet, or one
    deeper than BMC's depth, is no disagreement (``missed``).  A search cut short leaves
    nothing to compare (``agree: None``).
    """
    hyp = {(o.design.label, o.prop): o for o in hyp_rows}
    z3s = {(o.design.label, o.prop): o for o in z3_rows}
    out = []
    for e in exp_rows:
        key = (e.design.label, e.prop)
        h, z = hyp.get(key), z3s.get(key)
        if h is None or z is None:
            continue  # interrupted before its hunt or its BMC
        notes = []
        if "incomplete" in (e.verdict, h.verdict, z.verdict):
            agree = None
        elif e.verdict != "violated":
            agree = "violated" not in (h.verdict, z.verdict)
        else:
            shortest = len(e.counterexample.steps) if e.counterexample else 0
            if shortest <= depth:
                zlen = len(z.counterexample.steps) if z.counterexample else None
                agree = zlen == shortest
            else:
                agree = True
                if z.verdict != "violated":
                    notes.append(f"z3: deeper than {depth} steps ({shortest})")
            if h.verdict != "violated":
                notes.append("hypothesis: not met")
        out.append({"design": e.design.label, "property": e.prop, "explore": e.verdict,
                    "hypothesis": h.verdict, "hypothesis_summary": h.summary,
                    "z3": z.verdict, "z3_summary": z.summary, "agree": agree,
                    "missed": notes})
    return out


def _print_both(designs: list[Design], bounds: Bounds, exp_runs: list[Any], hunts: list[Any],
                z3_runs: list[Any], agreement: list[dict[str, Any]], rows: list[Any], how: str,
                depth: int, out: Path | None, problems: list[str]) -> None:
    print(f"engines: explore (exhaustive), hypothesis ({how}), z3 (bounded model checking to depth "
          f"{depth})")
    print(f"bounds: {' '.join(f'{k}={v}' for k, v in bounds.as_dict().items())}")
    print()
    marks = {True: "yes", False: "NO", None: "n/a"}
    print_columns(["design", "property", "explore", "hypothesis", "z3", "agree"],
                  [[a["design"], a["property"], a["explore"], a["hypothesis_summary"],
                    a["z3_summary"], marks[a["agree"]]] for a in agreement])
    print()
    # An interrupted run may have explored or hunted one design more than it checked with z3.
    for d, r, h, z in zip(designs, exp_runs, hunts, z3_runs, strict=False):
        print(f"{d.label}: explore {r.stats.states:,} states in {r.stats.seconds:.1f} s; "
              f"hypothesis runs {_runs(h)}; z3 {z.seconds:.1f} s")
    n_ok = sum(1 for a in agreement if a["agree"])
    n_bad = [a for a in agreement if a["agree"] is False]
    n_missed = sum(1 for a in agreement if a["missed"])
    print()
    print(f"{n_ok} of {len(agreement)} (design, property) pairs agree"
          + (f"; {len(n_bad)} do not:" if n_bad else "."))
    for a in n_bad:
        print(f"  {a['design']} / {a['property']}: explore {a['explore']}, "
              f"hypothesis {a['hypothesis_summary']}, z3 {a['z3_summary']}")
    if n_missed:
        print(f"{n_missed} violation(s) the explorer found were not met by the sample or lie deeper "
              f"than {depth} steps: no disagreement (see 'missed' in --json).")
    bad = [o for o in rows if not o.matches and o.engine == "explore"]
    if bad:
        print("Verdicts that differ from the design's expectation:")
        for o in bad:
            print(f"  explore: {o.design.label} / {o.prop}: {o.verdict}, expected {o.expected}")
    _print_sampling(problems)
    _print_files(rows, out)


def _print_files(rows: list[Any], out: Path | None) -> None:
    if out is not None:
        n = sum(1 for o in rows if o.file)
        print(f"{n} counterexample(s) written to {out}/ (replay with: gentrace replay FILE)")
    elif any(o.counterexample for o in rows):
        print("Write the counterexamples with --out DIR, then: gentrace replay DIR/FILE")
