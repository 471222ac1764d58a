"""``gentrace prove --unbounded``: properties for runs of any length, per design and worker count.

For every design asked for and every worker count (``--workers``, default 1,2,3):

* the properties the design is expected to violate at the bound are looked for with the
  exhaustive explorer on the bounded system.  A bounded run is a run of the unbounded
  system (a delivery is the tracked sample or another, the last advance is the stop, a
  worker that ran its sections exits), so its counterexample, replayed on the concrete
  model and written with ``--out``, shows the violation for runs of any length too;
* every other property is proved from the stated invariants (``model/invariants.py``,
  checked by ``checker/symbolic/stated.py``): ``proved`` only when the lemmas that survive
  are inductive and imply it, all re-checked by a plain solver; otherwise ``incomplete``,
  with what stopped it;
* or, with ``--method explicit``, to the search of every reachable state of the unbounded
  system (``checker/explore/unbounded.py``): ``proved`` when the search ends and no state
  breaks it, ``vacuous`` when no state gives the property a say, ``violated`` with a run
  replayed on the model, ``incomplete`` when ``--max-states`` or ``--max-seconds`` cut it.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from typing import Any

from gentrace.cli.args import UsageError
from gentrace.model import PROPERTY_NAMES, Bounds, System

RUN_BOUNDS = ("sections", "signals", "advances")


def parse_workers(text: str | None) -> list[int]:
    if not text:
        return [1, 2, 3]
    out = []
    for part in text.split(","):
        try:
            w = int(part)
        except ValueError:
            raise UsageError(f"--workers {text!r}: {part!r} is not a whole number; e.g. --workers 1,2") from None
        if not 0 <= w <= 4:
            raise UsageError(f"--workers {text!r}: {w} is out of range; use 0 to 4")
        out.append(w)
    return sorted(dict.fromkeys(out))


def capacities(b: Bounds) -> str:
    """The bound's parameters the unbounded system keeps (all but the run bounds)."""
    return " ".join(f"{k}={v}" for k, v in b.as_dict().items() if k not in RUN_BOUNDS and k != "workers")


def run_unbounded(args: argparse.Namespace, designs: list[Any], bounds: Bounds) -> tuple[list[dict[str, Any]], str]:
    """Every (design, workers) row; the second value says what an interrupt cut short."""
    from gentrace.explore.check import check_design

    show = not args.quiet and not args.json and sys.stderr.isatty()
    rows: list[dict[str, Any]] = []
    for d in designs:
        for w in parse_workers(args.workers):
            b = replace(bounds, workers=w)
            label = f"{d.label} workers={w}"
            expected = {p: d.expected(p, unbounded_view(b)) for p in PROPERTY_NAMES}
            t0 = time.perf_counter()
            row: dict[str, Any] = {"release": d.release.name, "design": d.name, "workers": w,
                                   "expected": expected, "verdicts": {}, "methods": {}, "files": {}}
            try:
                violated = [p for p, e in expected.items() if e == "violated"]
                if violated:
                    _explore_violations(check_design, d, b, violated, row, args)
                todo = [p for p in PROPERTY_NAMES if p not in row["verdicts"]]

                def say(msg: str, label: str = label) -> None:
                    if show:
                        sys.stderr.write(f"\r\033[K  {label}: {msg}")
                        sys.stderr.flush()
                if todo and args.method == "explicit":
                    _explicit(d, b, todo, row, args, say)
                elif todo:
                    _stated(d, b, todo, row, args, say)
            except KeyboardInterrupt:
                return rows, f"{label} was interrupted before its results were complete"
            finally:
                if show:
                    sys.stderr.write("\r\033[K")
                    sys.stderr.flush()
            row["seconds"] = round(time.perf_counter() - t0, 2)
            row["verdict"] = _overall(row["verdicts"])
            row["matches"] = all(_matches(row["verdicts"][p], expected[p]) for p in PROPERTY_NAMES)
            rows.append(row)
    return rows, ""


def unbounded_view(b: Bounds) -> Bounds:
    """Run bounds large enough for every defect the catalogue knows to show, with the
    capacities of ``b``: what the unbounded system's expectations are judged at (it has
    every run of every such bound)."""
    return replace(b, sections=max(b.sections, 2), signals=max(b.signals, 3),
                   advances=max(b.advances, 3))


def showing_bound(d: Any, prop: str, b: Bounds) -> Bounds:
    """The first of a few growing run bounds (capacities kept) at which ``d`` is expected to
    violate ``prop``: where the explorer is sent to show it."""
    ladder = [b, replace(b, signals=max(b.signals, 2)), replace(b, advances=max(b.advances, 3)),
              replace(b, signals=max(b.signals, 2), advances=max(b.advances, 3)), unbounded_view(b)]
    for c in ladder:
        if d.expected(prop, c) == "violated":
            return c
    return b


def _explore_violations(check_design: Any, d: Any, b: Bounds, props: list[str], row: dict[str, Any],
                        args: argparse.Namespace) -> None:
    """The expected violations, shown on a bounded system (its runs are runs of the unbounded
    one): at the first run bound that shows each."""
    by: dict[Bounds, list[str]] = {}
    for p in props:
        by.setdefault(showing_bound(d, p, b), []).append(p)
    for c, ps in by.items():
        _, outs = check_design(d, c, out=args.out)
        at = "" if c == b else " at " + " ".join(f"{k}={getattr(c, k)}" for k in RUN_BOUNDS
                                                  if getattr(c, k) != getattr(b, k))
        for o in outs:
            if o.prop in ps:
                row["verdicts"][o.prop] = "violated" if o.verdict == "violated" else "incomplete"
                row["methods"][o.prop] = (f"a bounded run (exhaustive explorer{at}), replayed on the model"
                                          if o.verdict == "violated" else f"explorer{at}: {o.verdict}")
                if o.file is not None:
                    row["files"][o.prop] = str(o.file)


def _stated(d: Any, b: Bounds, props: list[str], row: dict[str, Any], args: argparse.Namespace,
            say: Any) -> None:
    """Each property from the stated invariants (``model/invariants.py``)."""
    from gentrace.symbolic.stated import prove_stated

    res = prove_stated(System(d, b, unbounded=True), props=props, max_seconds=args.max_seconds,
                       progress=say)
    row["method"] = "stated"
    row["verdicts"].update(res.verdicts)
    row["methods"].update(res.methods)
    row["invariant_size"] = len(res.survivors)
    row["invariants"] = [{"name": f"{len(res.lemmas)} stated invariants",
                          "reason": "model/invariants.py, each with its reason (gentrace prove "
                          "--invariants lists them); each proof uses the structural ones and its "
                          "property's own"}]
    row["lemmas_used"] = res.used
    row["lemmas_dropped"] = res.dropped
    row["queries"] = res.queries
    row["seconds_by_phase"] = {k: round(v, 2) for k, v in res.seconds.items()}
    if res.ctis:
        c = res.ctis[0]
        row["cti"] = {"lemma": c.lemma, "step": c.step,
                      "state": res_state(d, b, c.state)}


def res_state(d: Any, b: Bounds, s: tuple[int, ...]) -> dict[str, str]:
    """A state as field -> value, the fields that differ from the initial state."""
    sysm = System(d, b, unbounded=True)
    L = sysm.layout
    return {L.names[i]: L.show(i, v) for i, v in enumerate(s) if v != sysm.initial[i]}


def _explicit(d: Any, b: Bounds, props: list[str], row: dict[str, Any], args: argparse.Namespace,
              say: Any) -> None:
    """Each property by a search of every reachable state of the unbounded system."""
    from gentrace.explore.unbounded import prove_explicit

    sysm = System(d, b, unbounded=True)
    row["method"] = "explicit"
    row["states"] = {}
    for p in props:
        r = prove_explicit(sysm, p, max_states=args.max_states or DEFAULT_MAX_STATES,
                           max_seconds=args.max_seconds,
                           progress=lambda n, depth, el, p=p: say(f"{p}: {n:,} states, depth {depth}, "
                                                                   f"{el:.0f} s"))
        row["verdicts"][p] = r.verdict
        row["states"][p] = r.states
        if r.verdict == "proved":
            row["methods"][p] = r.method
        elif r.verdict == "vacuous":
            row["methods"][p] = "no reachable state where the property says anything: " + r.method
        elif r.verdict == "violated":
            row["methods"][p] = (f"a run of {len(r.steps)} steps of the unbounded system, replayed "
                                 f"on the model (cone of influence {r.kept} of {r.fields} fields)")
        else:
            row["methods"][p] = f"{r.note} after {r.states:,} states (depth {r.depth})"
        if r.note == "interrupted":
            raise KeyboardInterrupt


DEFAULT_MAX_STATES = 30_000_000


def _overall(verdicts: dict[str, str]) -> str:
    vs = set(verdicts.values())
    if "violated" in vs:
        return "violated"
    return "proved" if vs <= {"proved", "vacuous"} and "proved" in vs else "incomplete"


def _matches(verdict: str, expected: str) -> bool:
    """Whether a verdict is the expected one: a violation shown, a vacuous property found
    vacuous, any other property proved."""
    return verdict == {"violated": "violated", "vacuous": "vacuous"}.get(expected, "proved")


def print_unbounded(rows: list[dict[str, Any]], bounds: Bounds) -> None:
    explicit = any(r.get("method") == "explicit" for r in rows)
    engine = "exhaustive search of the unbounded system" if explicit else "z3, stated invariants"
    print(f"engine: {engine}, proofs for runs of any length (any number of sections, signals and "
          "advances)")
    print(f"capacities kept: {capacities(bounds)}")
    head = (f"{'design':<28} {'workers':>7}  {'proved':>6}  {'vacuous':>7}  {'violated':>8}  {'incompl':>7}  "
            f"{'invariant' if explicit else 'lemmas':>9}  time")
    print(head)
    for r in rows:
        vs = list(r["verdicts"].values())
        inv = r.get("invariant_size", 0)
        mark = "" if r["matches"] else "  !"
        other = len(vs) - vs.count("proved") - vs.count("violated") - vs.count("vacuous")
        print(f"{r['release'] + ' ' + r['design']:<28} {r['workers']:>7}  {vs.count('proved'):>6}  "
              f"{vs.count('vacuous'):>7}  {vs.count('violated'):>8}  {other:>7}  {inv:>9}  "
              f"{r['seconds']:.1f} s{mark}")
    print()
    if explicit:
        print("proved: every reachable state of the unbounded system satisfies the property (its "
              "cone of influence, generations up to rotation; deadlock-freedom: its safety part). "
              "violated: a run, replayed on the model. incompl: the search was cut short, or "
              "the property is vacuous (no state where it says anything).")
    else:
        print("proved: the stated invariants (model/invariants.py; gentrace prove --invariants "
              "lists them) that hold initially and that every step keeps, each checked on its own, "
              "imply the property (k-induction with k = 1); all three re-checked by a plain solver "
              "on the whole relation. violated: a bounded run, replayed on the model. "
              "incompl: a lemma is not inductive for this design, or does not imply the property "
              "(the first reason is shown). vacuous: the lemmas rule out every state where the property "
              "says anything (no worker, no event). lemmas: how many stated invariants were inductive "
              "(a lemma a design breaks is dropped, with the step that breaks it).")
    for r in rows:
        for p, v in r["verdicts"].items():
            if v != "proved" or not _matches(v, r["expected"][p]):
                where = f" ({r['files'][p]})" if p in r["files"] else ""
                print(f"  {r['design']} workers={r['workers']} {p}: {v}: {r['methods'][p]}{where}")
        if r.get("note"):
            print(f"  {r['design']} workers={r['workers']}: {r['note']}")
