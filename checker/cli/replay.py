"""``gentrace replay``: re-run counterexample files on the model.

One file (or ``-``, standard input): every step and the verdict, as before.  Several
files, or a directory (every ``*.json`` in it, sorted): one line per file and a table
of counts.  Exit 0 if every file reproduces, 1 if one does not, 2 if one cannot be
used (one ``gentrace: FILE: reason`` line each on stderr, and the others still run),
130 on Ctrl-C, after the summary of the files that finished.

This module does not import ``gentrace.cli.main``, which imports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gentrace.cli.args import UsageError

STDIN = "-"
REPRODUCED, NOT_REPRODUCED, ERROR = "REPRODUCED", "NOT REPRODUCED", "ERROR"
# The result of one file in --json: a word a script can compare.
RESULT = {REPRODUCED: "reproduced", NOT_REPRODUCED: "not-reproduced", ERROR: "error"}


def add_replay_parser(sub: Any) -> None:
    """The ``replay`` subcommand, on the subparsers ``sub`` of the ``gentrace`` parser."""
    r = sub.add_parser("replay", help="re-run counterexample files on the model",
                       description="Re-run a counterexample step by step on the concrete model. "
                       "With several files or a directory (every *.json in it), one line per file "
                       "and a table of counts. Exit 0 if every violation reproduces, 1 if one does "
                       "not, 2 if a file is unusable.")
    r.add_argument("files", nargs="+", metavar="FILE",
                   help="a counterexample file, a directory (every *.json in it, sorted), or - "
                   "to read one counterexample from standard input; several may be given")
    r.add_argument("--json", action="store_true",
                   help="print the replay as JSON (several files: one document with a list)")
    r.add_argument("--quiet", action="store_true",
                   help="print only the verdict line (several files: only the total)")
    r.set_defaults(func=cmd_replay)


@dataclass
class Done:
    """What replaying one file gave: a replay, or the reason the file is unusable."""

    name: str
    cx: Any = None      # gentrace.core.counterexample.Counterexample
    replay: Any = None  # gentrace.core.replay.Replay
    error: str = ""
    info: dict[str, str] | None = None  # design, release, property as far as the file says

    @property
    def status(self) -> str:
        if self.error:
            return ERROR
        return REPRODUCED if self.replay.reproduced else NOT_REPRODUCED

    def field(self, key: str) -> str:
        if self.cx is not None:
            return {"design": self.cx.design, "release": self.cx.release,
                    "property": self.cx.prop}[key]
        return (self.info or {}).get(key, "?")


def cmd_replay(args: argparse.Namespace) -> int:
    names: list[str] = [str(f) for f in args.files]
    if names.count(STDIN) > 1:
        raise UsageError("'-' (standard input) can be given only once")
    if len(names) == 1 and (names[0] == STDIN or not Path(names[0]).is_dir()):
        done = run_one(names[0])
        if done.error:
            print(f"gentrace: {done.error}", file=sys.stderr)
            return 2
        _print_detailed(done, args)
        return 0 if done.replay.reproduced else 1
    return _run_many(names, args)


# -- one file ------------------------------------------------------------------

def run_one(name: str) -> Done:
    """Load and replay ``name`` (``-``: standard input); never raises for a bad file."""
    from gentrace.core.counterexample import CounterexampleError, load, loads
    from gentrace.core.replay import ReplayError, replay

    where = "standard input" if name == STDIN else name
    text = None
    try:
        if name == STDIN:
            text = _read_stdin()
            cx = loads(text, where)
        else:
            cx = load(name)
    except CounterexampleError as e:
        return Done(name, error=str(e), info=_info(name, text))
    try:
        rp = replay(cx)
    except ReplayError as e:
        return Done(name, cx=cx, error=f"{where}: {e}")
    return Done(name, cx=cx, replay=rp)


def _read_stdin() -> str:
    from gentrace.core.counterexample import MAX_BYTES, CounterexampleError, read_at_most

    raw = getattr(sys.stdin, "buffer", None)
    try:
        if raw is None:
            return sys.stdin.read()
        data = read_at_most(raw, MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise CounterexampleError(f"standard input: more than {MAX_BYTES >> 20} MiB, too large "
                                      "to be a counterexample")
        return data.decode()
    except UnicodeDecodeError:
        raise CounterexampleError("standard input: not a text file (not UTF-8), so not a "
                                  "counterexample") from None
    except OSError as e:
        raise CounterexampleError(f"standard input: cannot read: {e.strerror}") from None


def _info(name: str, text: str | None) -> dict[str, str]:
    """Design, release and property as an unusable file states them, where it does."""
    from gentrace.core.counterexample import MAX_BYTES, read_at_most

    try:
        if text is None:
            with open(name, "rb") as f:  # bounded, as the loader reads it
                raw = read_at_most(f, MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                return {}
            text = raw.decode()
        doc = json.loads(text)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in ((k, doc.get(k)) for k in ("design", "release", "property"))
            if isinstance(v, str)}


def replay_json(done: Done) -> dict[str, Any]:
    """The JSON document of one replayed file (the single-file ``--json`` output)."""
    cx, rp = done.cx, done.replay
    return {
        "file": done.name, "release": cx.release, "design": cx.design, "property": cx.prop,
        "kind": cx.kind, "reproduced": rp.reproduced, "verdict": rp.verdict,
        "first_broken_step": rp.first_broken,
        "steps": [{"index": r.index, "thread": r.thread, "step": r.step, "go": r.go,
                   "changes": [{"field": f, "before": a, "after": b} for f, a, b in r.changes],
                   "property_fails_after": r.broken} for r in rp.rows],
    }


def _print_detailed(done: Done, args: argparse.Namespace) -> None:
    cx, rp = done.cx, done.replay
    if args.json:
        print(json.dumps(replay_json(done), indent=1))
        return
    if not args.quiet:
        print(f"design {cx.design} on Go {cx.release}, property {cx.prop} ({cx.kind}), {len(cx.steps)} steps, "
              f"found by {cx.engine}" + (f" (seed {cx.seed})" if cx.seed is not None else ""))
        print(f"bounds: {' '.join(f'{k}={v}' for k, v in cx.bounds.as_dict().items())}")
        print()
        tw = max([6] + [len(r.thread) for r in rp.rows])
        sw = max([4] + [len(r.step) for r in rp.rows])
        print(f"{'#':>3}  {'thread'.ljust(tw)}  {'step'.ljust(sw)}  changes")
        for r in rp.rows:
            ch = ", ".join(f"{f} {a}->{b}" for f, a, b in r.changes) or "(no change)"
            mark = "  <-- " + cx.prop + " fails" if r.index == rp.first_broken else ""
            print(f"{r.index:>3}  {r.thread.ljust(tw)}  {r.step.ljust(sw)}  {ch}{mark}")
            print(f"{'':>3}  {''.ljust(tw)}  go: {r.go}")
        print()
    status = REPRODUCED if rp.reproduced else NOT_REPRODUCED
    print(f"{status}: {rp.verdict}")


# -- several files ---------------------------------------------------------------

def expand(names: list[str]) -> tuple[list[str], list[str]]:
    """The files to replay (a directory stands for its ``*.json``, sorted), and the
    arguments that name none (one message each)."""
    files: list[str] = []
    bad: list[str] = []
    for name in names:
        p = Path(name)
        if name != STDIN and p.is_dir():
            try:
                found = sorted(str(f) for f in p.glob("*.json"))
            except OSError as e:
                bad.append(f"{name}: cannot list the directory: {e.strerror}")
                continue
            if not found:
                bad.append(f"{name}: is a directory with no counterexample files (*.json) in it")
            files += found
        else:
            files.append(name)
    return files, bad


def _run_many(names: list[str], args: argparse.Namespace) -> int:
    files, bad = expand(names)
    for msg in bad:
        print(f"gentrace: {msg}", file=sys.stderr)
    if not files:
        return 2
    done: list[Done] = []
    interrupted = False
    try:
        for name in files:
            d = run_one(name)
            if d.error:
                print(f"gentrace: {d.error}", file=sys.stderr)
            done.append(d)
    except KeyboardInterrupt:
        interrupted = True
    if args.json:
        print(json.dumps(summary_json(done, files, interrupted, bad), indent=1))
    else:
        print_summary(done, files, interrupted, quiet=args.quiet)
    if interrupted:
        print("gentrace: interrupted", file=sys.stderr)
        return 130
    if bad or any(d.status == ERROR for d in done):
        return 2
    return 0 if all(d.status == REPRODUCED for d in done) else 1


def _reason(d: Done) -> str:
    """The verdict, or why the file is unusable (without the file name the line starts with)."""
    if not d.error:
        return d.replay.verdict
    return d.error.removeprefix(f"{'standard input' if d.name == STDIN else d.name}: ")


def print_summary(done: list[Done], files: list[str], interrupted: bool, *,
                  quiet: bool = False) -> None:
    """One line per file, then the counts."""
    if not quiet and done:
        cols = ["file", "design", "release", "property"]
        rows = [[d.name, d.field("design"), d.field("release"), d.field("property"), d.status]
                for d in done]
        w = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(cols + ["result"])]
        head = [*cols, "result", "reason"]
        print("  ".join(h.ljust(w[k]) if k < len(w) else h for k, h in enumerate(head)).rstrip())
        for d, r in zip(done, rows, strict=True):
            print("  ".join(x.ljust(w[k]) for k, x in enumerate(r)) + "  " + _reason(d))
        print()
    counts = Counter(d.status for d in done)
    if not quiet:
        for status in (REPRODUCED, NOT_REPRODUCED, ERROR):
            print(f"{status.ljust(len(NOT_REPRODUCED))}  {counts[status]:>4}")
        print(f"{'total'.ljust(len(NOT_REPRODUCED))}  {len(done):>4}")
    line = (f"{len(done)} file(s): {counts[REPRODUCED]} reproduced, {counts[NOT_REPRODUCED]} not "
            f"reproduced, {counts[ERROR]} unusable")
    if interrupted:
        line += f"; interrupted (Ctrl-C) after {len(done)} of {len(files)} file(s)"
    print(line)


def summary_json(done: list[Done], files: list[str], interrupted: bool,
                 bad: list[str] | None = None) -> dict[str, Any]:
    """One document for several files: the counts and, per file, its replay or its error
    (``bad``: the arguments that named no file, as messages)."""
    counts = Counter(d.status for d in done)
    results = []
    for d in done:
        if d.error:
            results.append({"file": d.name, "result": RESULT[ERROR], "error": d.error,
                            **{k: d.field(k) for k in ("release", "design", "property")
                               if k in (d.info or {}) or d.cx is not None}})
        else:
            results.append({"result": RESULT[d.status], **replay_json(d)})
    return {
        "files": len(files), "replayed": len(done),
        "reproduced": counts[REPRODUCED], "not_reproduced": counts[NOT_REPRODUCED],
        "errors": counts[ERROR], "interrupted": interrupted,
        "ok": not interrupted and not bad and counts[REPRODUCED] == len(files),
        "no_files": list(bad or []),
        "results": results,
    }
