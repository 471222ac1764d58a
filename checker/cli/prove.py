"""``gentrace prove``: the Z3 engine: bounded model checking and the arithmetic lemmas.

``--bmc K`` runs bounded model checking to depth K on every design asked for and
prints a matrix: ``VIOL`` with the depth of the shortest violation (its counterexample
replayed on the concrete model), ``none<=K`` where no violation lies within K steps (a
violation may lie deeper: it is never "holds"), ``incompl`` where a budget or Ctrl-C
cut the search short.  ``--lemmas`` proves the lemmas on ``traceNextGen``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gentrace.cli.args import UsageError, positive_float, positive_int
from gentrace.cli.prove_unbounded import capacities, parse_workers, print_unbounded, run_unbounded
from gentrace.cli.select import joined, prepare_out, select_designs
from gentrace.cli.table import print_interrupted, print_table
from gentrace.core import interrupt
from gentrace.model import RELEASES, Bounds, parse_bounds
from gentrace.model.bounds import LIMITS
from gentrace.model.releases import DEFAULT as DEFAULT_RELEASE

WORDS = range(LIMITS["word"][0], LIMITS["word"][1] + 1)


def non_negative_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"{v} is negative: use 0 or more")
    return v


def add_prove_parser(sub: Any) -> None:
    p = sub.add_parser(
        "prove", help="the Z3 engine: bounded model checking (--bmc K), proofs for runs of any "
        "length (--unbounded), arithmetic lemmas (--lemmas)",
        description="The Z3 engine. --bmc K: per design and property, the shortest violation "
        "within K steps (replayed on the concrete model before it is reported) or 'none within K "
        "steps', never 'holds'. --unbounded: per design, property and worker count, a proof that "
        "the property holds in runs of any length (any number of sections, signals and advances), "
        "or a violation replayed on the model; --invariants lists the stated invariants those "
        "proofs rest on. --lemmas: traceNextGen's lemmas on 32- and 64-bit words, and the "
        "facts that make the model's small word stand for the real one. Exit 0 when no violation "
        "is found where none is expected, every proof expected is made and every lemma about the "
        "real traceNextGen is proved; 1 otherwise; 2 on bad input; 130 on Ctrl-C.")
    p.add_argument("--bmc", type=non_negative_int, metavar="K",
                   help="bounded model checking to depth K")
    p.add_argument("--lemmas", action="store_true", help="prove the lemmas on traceNextGen")
    p.add_argument("--unbounded", action="store_true",
                   help="prove the properties for runs of any length (any number of sections, "
                   "signals and advances; the bound's capacities are kept), per worker count")
    p.add_argument("--workers", metavar="LIST",
                   help="--unbounded: worker counts to prove for, e.g. 1,2 (default 1,2,3)")
    p.add_argument("--method", choices=("stated", "explicit"), default="stated",
                   help="--unbounded: stated (the default: the stated invariants of "
                   "model/invariants.py, proved inductive step by step and re-checked by a plain "
                   "solver) or explicit (every reachable state of the unbounded system, per "
                   "property, on its cone of influence, generations up to rotation)")
    p.add_argument("--invariants", action="store_true",
                   help="list the stated invariants (name, reason, the properties they serve) of "
                   "each design asked for, with --workers' first count (default 1), and exit")
    p.add_argument("--max-states", type=positive_int, metavar="N",
                   help="--unbounded --method explicit: stop each property's search after N "
                   "states (default 30,000,000, about 5 GB of memory; the verdict is then incomplete)")
    p.add_argument("--design", action="append", default=None, metavar="NAME|all",
                   help="a design name, a comma-separated list, or 'all' (default)")
    p.add_argument("--go", action="append", default=None, metavar="RELEASE|all",
                   help=f"release(s): {', '.join(RELEASES)}, a list or 'all' (default {DEFAULT_RELEASE})")
    p.add_argument("--bound", nargs="+", action="extend", metavar="canonical|KEY=VALUE", default=None,
                   help="a named bound and/or KEY=VALUE overrides, as for check")
    p.add_argument("--max-seconds", type=positive_float, metavar="S",
                   help="stop each design's BMC (--unbounded: each design and worker count's proof) "
                   "after S seconds (verdicts then 'incomplete')")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="write each counterexample to DIR (goREL--DESIGN--PROP--z3.json)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--quiet", action="store_true", help="no progress on the terminal")
    p.set_defaults(func=cmd_prove)


def cmd_prove(args: argparse.Namespace) -> int:
    if args.invariants:
        return list_invariants(args)
    if args.bmc is None and not args.lemmas and not args.unbounded:
        raise UsageError("say what to prove: --bmc K (bounded model checking to depth K), --lemmas "
                         "(traceNextGen) and/or --unbounded (runs of any length)")
    if args.workers is not None and not args.unbounded:
        raise UsageError("--workers goes with --unbounded (the other modes take workers from --bound)")
    if args.method != "stated" and not args.unbounded:
        raise UsageError("--method goes with --unbounded")
    if args.max_states is not None and args.method != "explicit":
        raise UsageError("--max-states goes with --unbounded --method explicit")
    parse_workers(args.workers)
    wants_designs = args.bmc is not None or args.unbounded
    designs = select_designs(joined(args.design), joined(args.go)) if wants_designs else []
    bounds = parse_bounds(args.bound)
    prepare_out(args.out)
    doc: dict[str, Any] = {"engine": "z3"}
    ok = True
    stopped, at = "", 0
    with interrupt.installed():
        if args.lemmas:
            lemmas = run_lemmas()
            ok &= all(lm["verdict"] == lm["expected"] for lm in lemmas)
            doc["lemmas"] = lemmas
            if not args.json:
                print_lemmas(lemmas)
        if args.bmc is not None:
            rows, runs, stopped, at = run_bmc(args, designs, bounds)
            ok &= not stopped and all(o.matches or o.verdict != "violated" for o in rows)
            doc.update({"bounds": bounds.as_dict(), "method": "bmc", "k": args.bmc,
                        "results": [o.as_json() for o in rows]})
            if stopped:
                doc["interrupted"] = stopped
                doc["not_run"] = [d.label for d in designs[at + 1:]]
            if not args.json:
                if runs:
                    print_bmc(designs[:len(runs)], bounds, runs, rows, args)
                if stopped:
                    print_interrupted(stopped, designs, at)
        if args.unbounded and not stopped:
            urows, stopped = run_unbounded(args, designs, bounds)
            ok &= not stopped and all(r["matches"] for r in urows)
            doc["proofs"] = urows
            doc["capacities"] = capacities(bounds)
            if stopped:
                doc["interrupted"] = stopped
            if not args.json:
                if urows:
                    print_unbounded(urows, bounds)
                if stopped:
                    print(f"interrupted: {stopped}")
    doc["ok"] = ok
    if args.json:
        print(json.dumps(doc, indent=1))
    if stopped:
        return 130
    return 0 if ok else 1


def list_invariants(args: argparse.Namespace) -> int:
    """``gentrace prove --invariants``: the stated invariants, design by design."""
    from dataclasses import replace

    from gentrace.model import System
    from gentrace.model.invariants import lemmas

    if args.bmc is not None or args.lemmas or args.unbounded:
        raise UsageError("--invariants lists the stated invariants; run it without --bmc, --lemmas "
                         "and --unbounded")
    workers = parse_workers(args.workers or "1")[0]
    designs = select_designs(joined(args.design), joined(args.go))
    bounds = replace(parse_bounds(args.bound), workers=workers)
    docs = []
    for d in designs:
        lems = lemmas(System(d, bounds, unbounded=True))
        docs.append({"release": d.release.name, "design": d.name, "workers": workers,
                     "invariants": [{"name": lm.name, "reason": lm.reason,
                                     "for": sorted(lm.props) or "every property"} for lm in lems]})
    if args.json:
        print(json.dumps({"invariants": docs}, indent=1))
        return 0
    by_release: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_release.setdefault(doc["release"], []).append(doc)
    for rel, group in by_release.items():
        if len(group) == 1:
            doc = group[0]
            print(f"go{rel} {doc['design']}, {workers} worker(s): {len(doc['invariants'])} "
                  "stated invariants (model/invariants.py)")
            for inv in doc["invariants"]:
                print(f"  {_invariant_line(inv)}")
        else:
            _print_invariants_once(rel, group, workers)
        print()
    return 0


def _invariant_line(inv: dict[str, Any], where: str = "") -> str:
    used = "" if inv["for"] == "every property" else f"  [for {', '.join(inv['for'])}]"
    return f"{inv['name']}{where}: {inv['reason']}{used}"


def _print_invariants_once(rel: str, group: list[dict[str, Any]], workers: int) -> None:
    """Several designs of one release: each invariant once (a reason that differs between
    designs once per wording, naming the designs of the rarer ones), then which designs keep
    which, designs with the same set on one line."""
    order: list[str] = []
    wordings: dict[str, dict[str, list[str]]] = {}  # name -> reason -> designs
    invs: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in group:
        for inv in doc["invariants"]:
            if inv["name"] not in wordings:
                order.append(inv["name"])
            wordings.setdefault(inv["name"], {}).setdefault(inv["reason"], []).append(doc["design"])
            invs.setdefault((inv["name"], inv["reason"]), inv)
    print(f"go{rel}, {workers} worker(s): {len(order)} stated invariants (model/invariants.py) over "
          f"{len(group)} designs; which designs keep which follows the list")
    for name in order:
        common = max(wordings[name].values(), key=len)
        for reason, names in wordings[name].items():
            where = "" if names is common else f" (in {', '.join(names)})"
            print(f"  {_invariant_line(invs[(name, reason)], where)}")
    kept: dict[tuple[str, ...], list[str]] = {}
    for doc in group:
        have = {inv["name"] for inv in doc["invariants"]}
        kept.setdefault(tuple(n for n in order if n not in have), []).append(doc["design"])
    print("designs:")
    for missing, names in kept.items():
        n = len(order) - len(missing)
        what = f"all {n}" if not missing else f"{n}, all but {', '.join(missing)}"
        print(f"  {', '.join(names)}: {what}")


def check_z3(args: argparse.Namespace, depth: int) -> int:
    """``gentrace check --engine z3``: the same run as ``gentrace prove --bmc K``."""
    args.bmc, args.lemmas, args.unbounded, args.workers = depth, False, False, None
    args.method, args.max_states, args.invariants = "stated", None, False
    return cmd_prove(args)


def run_bmc(args: argparse.Namespace, designs: list[Any], bounds: Bounds
            ) -> tuple[list[Any], list[Any], str, int]:
    from gentrace.symbolic.check import bmc_design

    show = not args.quiet and not args.json and sys.stderr.isatty()
    rows: list[Any] = []
    runs: list[Any] = []
    for k, d in enumerate(designs):
        def progress(depth: int, secs: float, d: Any = d) -> None:
            if show:
                sys.stderr.write(f"\r\033[K  {d.label}: BMC depth {depth} of {args.bmc}, {secs:.0f} s")
                sys.stderr.flush()
        try:
            res, outs = bmc_design(d, bounds, args.bmc, max_seconds=args.max_seconds, out=args.out,
                                   progress=progress)
        except KeyboardInterrupt:
            return rows, runs, f"{d.label} was interrupted before its results were complete", k
        finally:
            if show:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
        runs.append(res)
        rows.extend(outs)
        if res.interrupted:
            return rows, runs, f"{d.label} was interrupted; its verdicts are those of a partial search", k
    return rows, runs, "", 0


def _cell(o: Any) -> str:
    if o.verdict == "violated":
        cell = f"VIOL@{len(o.counterexample.steps)}"
    elif o.verdict == "not-found":
        cell = f"none<={o.depth}"
    else:
        cell = "incompl"
    return cell + ("" if o.matches else "!")


def print_bmc(designs: list[Any], bounds: Bounds, runs: list[Any], rows: list[Any],
              args: argparse.Namespace) -> None:
    print(f"engine: z3, bounded model checking to depth {args.bmc}")
    print_table(designs, bounds, rows, "seconds",
                _cell, lambda k: f"{runs[k].seconds:.1f} s" + (f" ({runs[k].cut})" if runs[k].cut else ""))
    print()
    print("VIOL@n: a violation n steps from the start, the shortest there is, replayed on the model. "
          "none<=K: no violation within K steps (one may lie deeper; never 'holds'). incompl: a budget "
          "or Ctrl-C cut the search short. deadlock-freedom: a handler waiting on its own M, or no "
          "step enabled before every thread is done ('no run can finish' is not a bounded property).")
    unexpected = [o for o in rows if o.verdict == "violated" and not o.matches]
    missed = [o for o in rows if o.verdict != "violated" and o.expected == "violated"]
    for o in unexpected:
        print(f"  unexpected: {o.design.label} / {o.prop}: violated, expected {o.expected}")
    if missed:
        print(f"{len(missed)} expected violation(s) lie deeper than {args.bmc} steps or were cut short "
              "(marked '!'); the explorer finds them (gentrace check).")
    if not unexpected:
        print("No violation where none is expected.")
    if args.out is not None:
        n = sum(1 for o in rows if o.file)
        print(f"{n} counterexample(s) written to {args.out}/ (replay with: gentrace replay {args.out})")


def run_lemmas() -> list[dict[str, Any]]:
    """Every lemma, with the verdict it must get: the real traceNextGen's are proved, the
    wrap-to-1 variant's parity lemma refuted, and odd word sizes refuted."""
    from gentrace.symbolic.lemmas import next_gen_lemmas, small_word_lemmas

    out = []
    for w in (32, 64):
        for lm in next_gen_lemmas(w):
            out.append(_lemma(lm, "traceNextGen", "proved"))
        for lm in next_gen_lemmas(w, wrap_to=1):
            want = "refuted" if lm.name == "parity-alternates" else "proved"
            out.append(_lemma(lm, "wrap-to-one", want))
    for w in WORDS:
        for lm in small_word_lemmas(w):
            odd_breaks = w % 2 == 1 and lm.name in ("top-multiple-of-3", "mod3-alternates")
            out.append(_lemma(lm, "small-word", "refuted" if odd_breaks else "proved"))
    return out


def _lemma(lm: Any, group: str, expected: str) -> dict[str, Any]:
    return {"group": group, "name": lm.name, "width": lm.width, "statement": lm.statement,
            "verdict": lm.verdict, "expected": expected, "witness": lm.witness,
            "seconds": round(lm.seconds, 4)}


def print_lemmas(lemmas: list[dict[str, Any]]) -> None:
    print("lemmas on traceNextGen (z3, bit-vectors and the integers they hold):")
    for lm in lemmas:
        if lm["group"] == "small-word":
            continue
        wit = f", witness gen = {lm['witness']:#x}" if lm["witness"] is not None else ""
        mark = "" if lm["verdict"] == lm["expected"] else f"  (expected {lm['expected']}!)"
        print(f"  {lm['group']:<13} {lm['width']:>2}-bit  {lm['verdict']:<10} {lm['statement']}{wit}{mark}")
    small = [lm for lm in lemmas if lm["group"] == "small-word"]
    even = sorted({lm["width"] for lm in small if lm["width"] % 2 == 0})
    good = all(lm["verdict"] == "proved" for lm in small if lm["width"] % 2 == 0)
    bad_odd = sorted({lm["width"] for lm in small if lm["width"] % 2 == 1 and lm["verdict"] == "refuted"})
    wrong = [lm for lm in small if lm["verdict"] != lm["expected"]]
    print(f"  small-word    every even word from {even[0]} to {even[-1]} bits: "
          f"{'proved' if good else 'NOT proved'}: the top value is odd and a multiple of 3, the wrap "
          "to 4 continues both patterns, and traceNextGen never yields 0 and alternates parity and "
          "mod 3 as at 32 and 64 bits")
    print(f"  small-word    odd words ({len(bad_odd)} of them, {bad_odd[0]} to {bad_odd[-1]} bits): "
          "refuted, the top is not a multiple of 3 (which is why the bounds take even words only)")
    for lm in wrong:
        print(f"  UNEXPECTED: {lm['width']}-bit {lm['name']}: {lm['verdict']}, expected {lm['expected']}")
