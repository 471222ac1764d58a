"""``gentrace list``: releases, designs, findings, properties and bounds, as text or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from gentrace.cli.select import joined
from gentrace.model import (
    DESIGNS,
    FINDINGS,
    NAMED,
    PROPERTIES,
    PROPERTY_NAMES,
    RELEASES,
    Bounds,
    designs_of,
    parse_releases,
)
from gentrace.model.bounds import DOC, LIMITS


def add_list_parser(sub: Any) -> None:
    """The ``list`` subcommand, on the subparsers ``sub`` of the ``gentrace`` parser."""
    ls = sub.add_parser("list", help="releases, designs, findings, properties, and bounds with their defaults",
                        description="What gentrace models: the Go releases, the designs (each with the "
                        "Go source it stands for, in the file names of the newest release asked for "
                        "that has it), the findings, the properties and the bounds.")
    ls.add_argument("--go", action="append", default=None, metavar="RELEASE|all",
                    help=f"only these release(s): {', '.join(RELEASES)}, a comma-separated list, or "
                    "'all' (default); a full version such as 1.24.3 names its minor release")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    b = Bounds()
    go = joined(args.go)
    releases = list(RELEASES.values()) if go is None else parse_releases(go)
    designs = [d for d in DESIGNS.values() if any(d.exists_on(r) for r in releases)]
    findings = [f for f in FINDINGS.values() if any(f.applies(d.on(r)) for d in DESIGNS.values()
                                                    for r in releases if d.exists_on(r))]

    def newest(d: Any) -> Any:
        """The newest release asked for that has design ``d``: its file names are used."""
        return [r for r in releases if d.exists_on(r)][-1]

    def where(f: Any) -> str:
        have = [r for r in releases if any(f.applies(d.on(r)) for d in DESIGNS.values() if d.exists_on(r))]
        return have[-1].ref(f.where)

    if args.json:
        print(json.dumps({
            "releases": [{"name": r.name, "versions": r.versions, "same_as": r.same_as,
                          "patches": [f"go{'.'.join(r.name.split('.')[:2])}.{p}" for p in r.patches],
                          "files": {"trace": r.f_trace, "cpu": r.f_cpu, "runtime": r.f_runtime},
                          "notes": r.notes, "designs": [d.name for d in designs_of(r)]}
                         for r in releases],
            "designs": [{"name": d.name, "summary": d.summary, "go": newest(d).ref(d.go),
                         "releases": list(d.releases or RELEASES),
                         "expected": {r.name: {p: d.on(r).expected(p, b) for p in PROPERTY_NAMES}
                                      for r in releases if d.exists_on(r)},
                         "expected_given_enough": {
                             r.name: {p: d.on(r).expected(p) for p in PROPERTY_NAMES}
                             for r in releases if d.exists_on(r)},
                         "needs": d.needs,
                         "not_always": {p: why for p, (_, _, why) in d.shows.items()},
                         "conditions": {p: d.conditions(p) for p in d.violates if d.conditions(p)},
                         "why": d.violates, "corrects": list(d.corrects)} for d in designs],
            "findings": [{"name": f.name, "title": f.title, "releases": f.releases, "where": where(f),
                          "violates": f.violates, "correction": f.correction}
                         for f in findings],
            "properties": [{"name": k, "meaning": v} for k, v in PROPERTIES.items()],
            "bounds": [{"name": k, "canonical": getattr(b, k), "min": LIMITS[k][0],
                        "max": LIMITS[k][1], "meaning": DOC[k]} for k in DOC],
            "named_bounds": {k: v.as_dict() for k, v in NAMED.items()},
        }, indent=1))
        return 0
    print("releases (--go; default the newest):")
    for r in releases:
        same = f" (the same protocol as {r.same_as})" if r.same_as else ""
        known = (f" (known: go{r.name}.{r.patches[0]} to go{r.name}.{r.patches[1]})"
                 if r.versions.endswith(".x") else "")
        print(f"  {r.name.ljust(7)} {r.versions}{known}{same}: {r.notes}")
        print(f"          designs: {', '.join(d.name for d in designs_of(r))}")
    print()
    print("designs (a variant is a delta on each release it exists for; Go files as named in the "
          "newest release listed that has it):")
    for d in designs:
        only = f" (Go {', '.join(d.releases)} only)" if d.releases else ""
        print(f"  {d.name}{only}")
        print(f"      {d.summary}")
        print(f"      go: {newest(d).ref(d.go)}")
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
    for f in findings:
        print(f"  {f.name} ({f.releases}): {f.title}")
        print(f"      go: {where(f)}")
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
