"""``gentrace report``: design-review evidence as ``DIR/index.html``, ``DIR/report.md`` and
``DIR/summary.md`` (the part that fits in an issue).

The report is made from JSON documents the other commands print (``--results FILE...``:
``check --json`` of any engine, ``prove --json``, ``runtime --json``, counterexample
files, or directories of them).  Where no check results are given, it runs the engines
itself, in this process, exactly as the commands it names in its "how to reproduce"
section (``check --json`` at the bound asked for, the findings' designs at the bound
that shows each finding, and ``prove --lemmas --json``), and keeps each document under
``DIR/results/`` so a later report can reuse them.  The findings' counterexamples and
paragraphs come from ``findings/``.

Exit 0 when the report is written and every verdict in it matches its expectation (an
expected violation that Hypothesis or BMC did not reach is reported, and does not count) and
every counterexample replays, 1 when one does not, 2 on bad input, 130 on Ctrl-C (after
writing a report of what finished).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from dataclasses import dataclass
from importlib.resources import files as resource_files
from pathlib import Path
from typing import Any

from gentrace.cli.args import UsageError
from gentrace.cli.select import joined, prepare_out, select_designs
from gentrace.model import FINDINGS, RELEASES, parse_bounds
from gentrace.model.releases import DEFAULT as DEFAULT_RELEASE
from gentrace.report.findings import bound_of, releases_of

ENGINES = ("explore", "hypothesis", "z3", "all")
FINDINGS_PACKAGE = "gentrace.findings"
# The designs proved for runs of any length by default (one worker: seconds each).
DEFAULT_PROOFS = "corrected"


@dataclass
class FindingsData:
    """The findings' README.md and counterexample files, read from wherever they come from."""

    where: str                      # for messages: "--findings DIR" or the package data's path
    readme: str
    files: list[tuple[str, str]]    # (file name, text) of every *.json, sorted by name
    path: Path | None               # the folder, when it is one (to avoid copying it onto itself)


def read_findings(arg: Path | None) -> FindingsData:
    """``--findings DIR``, or else the findings gentrace ships (the package data
    ``gentrace.findings``, found through importlib.resources in a checkout and when installed).
    Raises UsageError when they cannot be read."""
    if arg is not None:
        if not arg.is_dir():
            raise UsageError(f"--findings {arg}: not a directory")
        root: Any = arg
        where = f"--findings {arg}"
    else:
        try:
            root = resource_files(FINDINGS_PACKAGE)
        except ModuleNotFoundError:
            raise UsageError(f"the findings gentrace ships ({FINDINGS_PACKAGE}) are not installed; "
                             "give --findings DIR") from None
        where = f"the findings gentrace ships ({root})"
    try:
        entries = sorted((e for e in root.iterdir() if e.is_file()), key=lambda e: e.name)
        readme = next((e for e in entries if e.name == "README.md"), None)
        if readme is None:
            raise UsageError(f"{where}: no README.md (the findings' paragraphs)")
        return FindingsData(where, readme.read_text(encoding="utf-8"),
                            [(e.name, e.read_text(encoding="utf-8")) for e in entries if e.name.endswith(".json")],
                            root if isinstance(root, Path) else None)
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{where}: cannot read ({getattr(e, 'strerror', None) or e})") from None


def check_findings(data: FindingsData) -> list[tuple[str, Any]]:
    """The findings' counterexample files, parsed; UsageError (exit 2) when a finding lacks its
    paragraph or a committed counterexample, or a file is not one."""
    from gentrace.report.findings import problems

    docs = []
    for name, text in data.files:
        try:
            docs.append((name, json.loads(text)))
        except json.JSONDecodeError as e:
            raise UsageError(f"{data.where}: {name}: not JSON: {e}") from None
    found = problems(data.readme, docs)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise UsageError(f"{data.where}: {found[0]}{more}")
    return docs


def copy_findings(data: FindingsData, out: Path) -> Path:
    """The findings into ``out/findings/`` (README.md and the counterexample files, and no other
    *.json left from an earlier report), so the report's replay command works from ``out``."""
    dest = out / "findings"
    if data.path is not None and dest.exists() and dest.resolve() == data.path.resolve():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    keep = {name for name, _ in data.files}
    for old in dest.glob("*.json"):
        if old.name not in keep:
            old.unlink()
    (dest / "README.md").write_text(data.readme, encoding="utf-8")
    for name, text in data.files:
        (dest / name).write_text(text, encoding="utf-8")
    return dest


def add_report_parser(sub: Any) -> None:
    """The ``report`` subcommand, on the subparsers ``sub`` of the ``gentrace`` parser."""
    r = sub.add_parser(
        "report", help="design-review evidence: one HTML page and one Markdown document",
        description="Write DIR/index.html (self-contained: inline CSS and SVG, no network), "
        "DIR/report.md (GitHub Markdown with Mermaid diagrams) and DIR/summary.md (short enough for an "
        "issue): summary, scope, verdict matrix per "
        "release, every counterexample as a swimlane diagram, findings with their corrections, "
        "proofs and lemmas, how to reproduce. From --results FILE... (JSON printed by check, prove, "
        "runtime; counterexample files; directories of them), or else from runs it makes itself "
        "(kept in DIR/results/): the explorer on the release(s) asked for, every finding on the releases "
        "and at the bound that show it, proofs for runs of any length of corrected (one worker), the "
        "lemmas. The findings' paragraphs and counterexamples are copied into DIR/findings/ (from DIR: "
        "gentrace replay findings/). Exit 0 when written and every verdict and proof matches its "
        "expectation, 1 otherwise, 2 on bad input (a finding without its paragraph in the findings' "
        "README.md or without a committed counterexample is bad input: nothing is written), "
        "130 on Ctrl-C.")
    r.add_argument("--out", type=Path, default=Path("report"), metavar="DIR",
                   help="the directory to write index.html, report.md and summary.md into (default: report)")
    r.add_argument("--results", nargs="+", action="extend", default=None, metavar="FILE",
                   help="JSON documents to report on (a directory: every *.json in it, sorted); without "
                   "check results among them, the explorer is run")
    r.add_argument("--go", action="append", default=None, metavar="RELEASE|all",
                   help=f"release(s) to run when no check results are given (default {DEFAULT_RELEASE}, "
                   "and each finding's releases for its designs)")
    r.add_argument("--design", action="append", default=None, metavar="NAME|all",
                   help="design(s) to run when no check results are given (default all)")
    r.add_argument("--bound", nargs="+", action="extend", metavar="canonical|KEY=VALUE", default=None,
                   help="the bound to run at, as for check (default canonical, plus each finding's "
                   "designs at the bound that shows it)")
    r.add_argument("--engine", choices=ENGINES, default="explore",
                   help="the engine(s) to run when no check results are given, as for check "
                   "(default explore; all adds Hypothesis and BMC, which take minutes)")
    r.add_argument("--findings", type=Path, default=None, metavar="DIR",
                   help="the findings' counterexamples and README.md (default: the ones gentrace ships, "
                   "the package data gentrace.findings)")
    r.add_argument("--proofs", action="append", default=None, metavar="DESIGN|none",
                   help=f"design(s) to prove for runs of any length (prove --unbounded, one worker) on "
                   f"the releases checked, when no check results are given (default {DEFAULT_PROOFS}; "
                   "fixed takes minutes per release)")
    r.add_argument("--no-lemmas", action="store_true", help="do not run the Z3 lemmas")
    r.add_argument("--json", action="store_true", help="print what was written as one JSON document")
    r.add_argument("--quiet", action="store_true", help="print nothing but errors")
    r.set_defaults(func=cmd_report)


def _documents(names: list[str]) -> list[tuple[str, Any]]:
    """Each named file (a directory: its *.json, sorted) as (name, parsed JSON)."""
    out = []
    for name in names:
        p = Path(name)
        files = sorted(p.glob("*.json")) if p.is_dir() else [p]
        if p.is_dir() and not files:
            raise UsageError(f"--results {name}: the directory holds no *.json file")
        for f in files:
            try:
                text = f.read_text()
            except FileNotFoundError:
                raise UsageError(f"--results {f}: no such file") from None
            except (OSError, UnicodeDecodeError) as e:
                raise UsageError(f"--results {f}: cannot read ({getattr(e, 'strerror', None) or e})") from None
            try:
                out.append((str(f), json.loads(text)))
            except json.JSONDecodeError as e:
                raise UsageError(f"--results {f}: not JSON: {e}") from None
    return out


def run_json(argv: list[str]) -> tuple[int, Any]:
    """Run ``gentrace ARGV`` (``check`` or ``prove``) in this process: its exit status and the JSON
    it printed.  The commands' own parsers read ARGV, so a run is exactly the command it names."""
    from gentrace.cli.check import add_check_parser
    from gentrace.cli.prove import add_prove_parser

    parser = argparse.ArgumentParser(prog="gentrace")
    sub = parser.add_subparsers(dest="cmd")
    add_check_parser(sub)
    add_prove_parser(sub)
    args = parser.parse_args(argv)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = int(args.func(args))
    text = buf.getvalue()
    try:
        return code, json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        return code, None


def _bound_args(items: list[str] | None) -> list[str]:
    return ["--bound", *items] if items else []


def _finding_runs(designs: list[Any], names: str | None, own_releases: bool) -> list[tuple[str, list[str]]]:
    """Per finding, the run that shows it: (file name, argv).  On the releases among ``designs``
    that have it, at its bound when that is not the canonical one (the main run shows it
    there); with ``own_releases``, on its own releases when none of ``designs`` has it."""
    runs = []
    rels = [r for r in RELEASES if any(d.release.name == r for d in designs)]
    chosen = None if not names or names == "all" else names.split(",")
    for f in FINDINGS.values():
        b = bound_of(f)
        mine = [r for r in rels if r in releases_of(f)]
        if mine and b == "canonical":
            continue
        if not mine and own_releases:
            mine = releases_of(f)
        want = [n for n in dict.fromkeys(["fixed", f.correction, "corrected"]) if chosen is None or n in chosen]
        if not mine or not want:
            continue
        go = "all" if mine == list(RELEASES) else ",".join(mine)
        runs.append((f"check-finding-{f.name}.json",
                     ["check", "--go", go, "--design", ",".join(want), "--bound", b, "--json"]))
    return runs


def plan(args: argparse.Namespace, have_checks: bool) -> list[tuple[str, list[str]]]:
    """The runs to make, as (file name under DIR/results, gentrace argv)."""
    runs: list[tuple[str, list[str]]] = []
    if not have_checks:
        go = joined(args.go) or DEFAULT_RELEASE
        design = joined(args.design) or "all"
        designs = select_designs(design, go)
        parse_bounds(args.bound)  # refuse a bad bound before anything runs
        base = ["check", "--go", go, "--design", design, *_bound_args(args.bound), "--json"]
        if args.engine != "explore":
            base += ["--engine", args.engine]
        runs.append((f"check-{args.engine}.json", base))
        if not args.bound:
            runs += _finding_runs(designs, joined(args.design), own_releases=not args.go)
        proofs = joined(args.proofs) or DEFAULT_PROOFS
        if proofs != "none":
            checked = {r for _, a in runs for r in select_releases(a)}
            rels = ",".join(r for r in RELEASES if r in checked)
            select_designs(proofs, rels)  # refuse an unknown design before anything runs
            runs.append(("proofs.json", ["prove", "--unbounded", "--go", rels, "--design", proofs,
                                         "--workers", "1", "--json"]))
    if not args.no_lemmas:
        runs.append(("lemmas.json", ["prove", "--lemmas", "--json"]))
    return runs


def select_releases(argv: list[str]) -> list[str]:
    """The releases a check run's argv covers."""
    go = argv[argv.index("--go") + 1]
    return [d.release.name for d in select_designs("fixed", go)] if go != "all" else list(RELEASES)


def _versions() -> dict[str, str]:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("gentrace", "z3-solver", "hypothesis"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "(not installed)"
    return out


def _command(args: argparse.Namespace) -> str:
    """This run as one command line, for the report's "how to reproduce"."""
    parts = ["gentrace", "report", "--out", str(args.out)]
    if args.results:
        parts += ["--results", *map(str, args.results)]
    for opt in ("go", "design"):
        if getattr(args, opt):
            parts += [f"--{opt}", joined(getattr(args, opt)) or ""]
    if args.bound:
        parts += ["--bound", *args.bound]
    if args.engine != "explore":
        parts += ["--engine", args.engine]
    if args.findings is not None:
        parts += ["--findings", str(args.findings)]
    if args.proofs:
        parts += ["--proofs", joined(args.proofs) or ""]
    if args.no_lemmas:
        parts.append("--no-lemmas")
    return " ".join(parts)


def cmd_report(args: argparse.Namespace) -> int:
    from gentrace.core import interrupt
    from gentrace.report import content, html, markdown
    from gentrace.report.results import Results, ResultsError

    docs = _documents([str(x) for x in args.results]) if args.results else []
    findings = read_findings(args.findings)
    finding_docs = check_findings(findings)
    results = Results()
    for name, doc in docs:
        try:
            results.add(doc, name)
        except ResultsError as e:
            raise UsageError(str(e)) from None
    have_checks = bool(results.verdicts)
    if have_checks and (args.go or args.design or args.bound or args.proofs or args.engine != "explore"):
        raise UsageError("--go, --design, --bound, --proofs and --engine choose runs, and --results already "
                         "holds check results: give one or the other")
    runs = plan(args, have_checks)
    # What the documents given already hold is not run again.
    runs = [(n, a) for n, a in runs if not (n == "lemmas.json" and results.lemmas
                                            or n == "proofs.json" and results.proofs)]
    prepare_out(args.out)
    copied = copy_findings(findings, args.out)
    commands: list[str] = []
    stopped = False
    say = (lambda m: None) if (args.quiet or args.json) else (lambda m: print(m, file=sys.stderr))
    with interrupt.installed():
        for fname, argv in runs:
            say(f"gentrace {' '.join(argv)}")
            try:
                code, doc = run_json(argv)
            except KeyboardInterrupt:
                stopped = True
                break
            if doc is None:
                raise UsageError(f"'gentrace {' '.join(argv)}' printed no JSON document (exit {code})")
            keep = args.out / "results"
            keep.mkdir(parents=True, exist_ok=True)
            (keep / fname).write_text(json.dumps(doc, indent=1) + "\n")
            commands.append(f"gentrace {' '.join(argv)} > {fname}")
            results.add(doc, f"results/{fname}")
            if code == 130:
                stopped = True
                break
    for name, doc in finding_docs:
        try:
            results.add(doc, f"findings/{name}")
        except ResultsError as e:
            raise UsageError(f"{findings.where}: {e}") from None
    inputs = content.Inputs(commands=commands, versions=_versions(), findings_readme=findings.readme,
                            findings_dir="findings", report_command=_command(args), out=str(args.out),
                            results=[str(x) for x in args.results or []] or
                            ([str(args.out / "results")] if commands else []))
    rep = content.build(results, inputs)
    (args.out / "index.html").write_text(html.render(rep))
    (args.out / "report.md").write_text(markdown.render(rep))
    (args.out / "summary.md").write_text(markdown.render_brief(rep))
    bad = [v for v in results.verdicts if v.differs] + [p for p in results.proofs if p.differs]
    unreplayed = [s for s in rep.stories if not s.reproduced]
    summary = {"out": str(args.out), "files": [str(args.out / n) for n in ("index.html", "report.md", "summary.md")],
               "verdicts": len(results.verdicts), "mismatches": len(bad),
               "counterexamples": len(rep.stories), "not_replayed": len(unreplayed) + len(rep.problems),
               "proofs": len(results.proofs), "lemmas": len(results.lemmas),
               "runtime_rows": len(results.runtime), "findings": str(copied), "interrupted": stopped}
    if args.json:
        print(json.dumps(summary, indent=1))
    elif not args.quiet:
        print(f"wrote {args.out / 'index.html'}, {args.out / 'report.md'} and {args.out / 'summary.md'}: "
              f"{len(results.verdicts)} verdicts and {len(results.proofs)} proofs "
              f"({len(bad)} differ from their expectation), {len(rep.stories)} counterexample diagram(s)"
              + (f", {len(unreplayed) + len(rep.problems)} not replayed" if unreplayed or rep.problems else ""))
        for p in rep.problems:
            print(f"  not drawn: {p}")
        if stopped:
            print("Interrupted (Ctrl-C): the report holds what finished.")
    if stopped:
        return 130
    return 0 if not bad and not unreplayed and not rep.problems else 1
