#!/usr/bin/env python3
"""Fault injection: do the verdict matrix and the test suite notice small faults in ``model/``?

A check that never fails tells nothing.  This script plants one small fault at a
time in a copy of the model, runs the checks on that copy, and counts how many
faults they notice: a fault nobody notices is either an equivalent mutant (the
change makes no observable difference) or a gap in the checks, and the report
lists every such survivor with its source line so that a person can tell which.

    python bench/bench_faults.py --list                 # candidate faults per operator and file
    python bench/bench_faults.py                        # 60 sampled faults, 2 at a time
    python bench/bench_faults.py --sample 0 --jobs 2    # every candidate (slow)
    python bench/bench_faults.py --kinds off-by-one --files worker.py,handler.py --json

Fault operators (all found with the ``ast`` module, over every ``model/*.py``
except ``__init__.py``, in a stable order: file, operator, line, column):

* ``swap-compare``: one comparison operator becomes its negation:
  ``==``/``!=``, ``<``/``>=``, ``>``/``<=``.
* ``off-by-one``: an int constant ``c`` that is an operand of an arithmetic or
  bit operator, of a comparison, or of an augmented assignment becomes ``c+1``
  (and, as a separate fault, ``c-1`` when ``c > 0``).  Skipped as structural:
  constants that are call arguments, subscripts, dict/list/tuple elements,
  defaults (dataclass fields, parameters), and constants in module-level ALL_CAPS
  tables (``LIMITS`` and the like).
* ``drop-update``: one key/value pair is deleted from a dict display with at
  least two entries in step code: ``worker.py``, ``handler.py``, ``reader.py``,
  ``advancer.py``, ``profbuf.py``, ``context.py``, and any other model file that
  imports ``Step`` (a step's update is such a dict).
* ``swap-steps``: two adjacent elements swap places: adjacent ``st(...)`` or
  ``Step(...)`` calls in a list display, adjacent ``x.append(st(...))``
  statements, and adjacent strings in a list display that sets a thread's step
  order: one assigned to a name containing ``order``, or to a local name that
  such an assignment reads (the advancer's ``cpu`` list).
* ``negate-if``: ``ite(c, a, b)`` becomes ``ite(c, b, a)``.

No operator touches the inside of an f-string: that is message text (a step's Go
reference, an error), where a fault changes what is printed, not what is checked.

A fault is written back by splicing ``ast.unparse`` of the changed node (for a
swap: the two original source segments) into the file's text, so comments and
line numbers elsewhere stay as they were and the report's ``file:line`` is the
original's.  The splice is checked by parsing the result and comparing its AST
with the mutated one; should they differ, the whole file is written with
``ast.unparse`` instead.

Evaluation.  The working tree (the directory holding ``bench/``, without
``.venv``, ``.git``, caches, ``counterexamples``, ``build`` and ``*.egg-info``) is
snapshotted once at the start, so that edits made to it while the benchmark runs
cannot mix into the figures; every fault then gets its own fresh copy of that
snapshot, with exactly one fault in one file.  The unmodified snapshot is
evaluated first (the baseline): if its verdict matrix is not ok, or its test
suite fails, the figures would mean nothing and the script stops with one line.
Then, per fault, each stage with a timeout (``--timeout``, or three times what
the stage took on the baseline if that is longer):

1. the verdict matrix, ``python -m gentrace check --json --quiet`` (with ``--go
   all`` when the checker accepts it): caught when the exit status is non-zero or
   the document's ``ok`` is false; a run that produces no JSON document (an
   exception at import or build time) is caught as a crash, one that runs out of
   time as a timeout (both are part of the matrix's count, and shown apart);
2. only if the matrix did not catch it, the test suite, ``python -m pytest -x -q
   -p no:cacheprovider tests properties`` with the lint test deselected (a
   spliced line may break the line-length rule, which is not a behavioural
   check): caught when the exit status is non-zero.

A fault neither catches survives.  Both run with this script's interpreter, in
the copy (``cwd`` and ``PYTHONPATH``).  Figures are for reading, never asserted.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SKIP_NAMES = {".venv", ".git", "__pycache__", ".hypothesis", "counterexamples", "build",
              ".pytest_cache", ".ruff_cache"}
STEP_FILES = {"worker.py", "handler.py", "reader.py", "advancer.py", "profbuf.py", "context.py"}
OPERATORS = ("swap-compare", "off-by-one", "drop-update", "swap-steps", "negate-if")
LINT_TEST = "tests/test_lint.py::test_ruff_clean"
BASELINE_SLACK = 4  # the baseline's timeout, in units of --timeout
STAGE_SLACK = 3     # a fault's stage may take this many times the baseline's time before it times out

Variant = tuple[Any, ...]
Edit = tuple[int, int, int, int, str]  # lineno, col, end_lineno, end_col (UTF-8 bytes), replacement


# -- candidate sites --------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One fault: which operator, at which node of which file, and how.

    ``node`` is the node's index in ``ast.walk`` order of the file's parse, which
    is stable for a given text; ``variant`` picks one of the node's faults.
    """

    file: str
    operator: str
    node: int
    variant: Variant
    line: int
    col: int
    what: str

    def key(self) -> tuple[str, int, int, int, str]:
        return (self.file, OPERATORS.index(self.operator), self.line, self.col, repr(self.variant))


class FileInfo:
    """A model file's parse: nodes in walk order, each node's parent, and what the operators ask of it."""

    def __init__(self, rel: str, text: str) -> None:
        self.rel, self.text = rel, text
        self.tree = ast.parse(text)
        self.nodes = list(ast.walk(self.tree))
        self.parent: dict[int, ast.AST] = {}
        for n in self.nodes:
            for ch in ast.iter_child_nodes(n):
                self.parent[id(ch)] = n
        name = Path(rel).name
        self.step_code = name in STEP_FILES or any(
            isinstance(n, ast.ImportFrom) and any(a.name == "Step" for a in n.names) for n in self.nodes)

    def up(self, node: ast.AST) -> Iterator[ast.AST]:
        """The node's ancestors, nearest first."""
        p = self.parent.get(id(node))
        while p is not None:
            yield p
            p = self.parent.get(id(p))


SWAP_CMP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt,
}
CMP_SYM = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<="}


def is_step_call(n: ast.AST) -> bool:
    """``st(...)`` or ``Step(...)``: a call that builds one step."""
    return isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("st", "Step")


def is_step_append(n: ast.AST) -> bool:
    """A statement ``x.append(st(...))``."""
    return (isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
            and isinstance(n.value.func, ast.Attribute) and n.value.func.attr == "append"
            and len(n.value.args) == 1 and is_step_call(n.value.args[0]))


def target_names(n: ast.AST) -> list[str]:
    """Names (or attribute names) an assignment statement writes."""
    if isinstance(n, ast.Assign):
        targets = n.targets
    elif isinstance(n, ast.AugAssign | ast.AnnAssign):
        targets = [n.target]
    else:
        return []
    return [t.id if isinstance(t, ast.Name) else t.attr for t in targets if isinstance(t, ast.Name | ast.Attribute)]


def order_names(fi: FileInfo, scope: ast.AST) -> set[str]:
    """Local names that feed a step-order list in ``scope`` (``order += cpu + mloop`` reads ``cpu``)."""
    out: set[str] = set()
    for n in ast.walk(scope):
        if any("order" in t for t in target_names(n)) and getattr(n, "value", None) is not None:
            out |= {x.id for x in ast.walk(n.value) if isinstance(x, ast.Name)}  # type: ignore[attr-defined]
    return out


def in_fstring(fi: FileInfo, node: ast.AST) -> bool:
    return any(isinstance(a, ast.JoinedStr) for a in fi.up(node))


def in_caps_table(fi: FileInfo, node: ast.AST) -> bool:
    """Inside a module-level assignment to an ALL_CAPS name (a table such as LIMITS)."""
    for a in fi.up(node):
        if fi.parent.get(id(a)) is fi.tree:
            names = target_names(a)
            return bool(names) and all(x.isupper() for x in names)
    return False


def find_swap_compare(fi: FileInfo, n: ast.AST) -> Iterator[tuple[Variant, str]]:
    if isinstance(n, ast.Compare):
        for k, op in enumerate(n.ops):
            if type(op) in SWAP_CMP:
                yield ("op", k), f"{CMP_SYM[type(op)]} -> {CMP_SYM[SWAP_CMP[type(op)]]}"


def find_off_by_one(fi: FileInfo, n: ast.AST) -> Iterator[tuple[Variant, str]]:
    if not (isinstance(n, ast.Constant) and type(n.value) is int):
        return
    p = fi.parent.get(id(n))
    arithmetic = (isinstance(p, ast.BinOp | ast.Compare)
                  or (isinstance(p, ast.AugAssign) and p.value is n))
    if not arithmetic or in_caps_table(fi, n):
        return
    if isinstance(p, ast.BinOp) and any(isinstance(x, ast.JoinedStr) or (isinstance(x, ast.Constant)
                                                                       and isinstance(x.value, str))
                                        for x in (p.left, p.right)):
        return  # "%d" % 3: string formatting
    yield ("delta", 1), f"{n.value} -> {n.value + 1}"
    if n.value > 0:
        yield ("delta", -1), f"{n.value} -> {n.value - 1}"


def find_drop_update(fi: FileInfo, n: ast.AST) -> Iterator[tuple[Variant, str]]:
    if fi.step_code and isinstance(n, ast.Dict) and len(n.keys) >= 2:
        for k, key in enumerate(n.keys):
            label = ast.unparse(key) if key is not None else "**" + ast.unparse(n.values[k])
            yield ("key", k), f"drop {label}"


def find_swap_steps(fi: FileInfo, n: ast.AST) -> Iterator[tuple[Variant, str]]:
    if isinstance(n, ast.List):
        if any(is_step_call(e) for e in n.elts):
            for i in range(len(n.elts) - 1):
                if is_step_call(n.elts[i]) and is_step_call(n.elts[i + 1]):
                    yield ("elt", i), f"swap steps {i} and {i + 1} of the list"
            return
        stmt = fi.parent.get(id(n))
        names = target_names(stmt) if stmt is not None else []
        if not names or getattr(stmt, "value", None) is not n:
            return
        scope = next((a for a in fi.up(n) if isinstance(a, ast.FunctionDef)), fi.tree)
        if not any("order" in x for x in names) and not set(names) & order_names(fi, scope):
            return
        for i in range(len(n.elts) - 1):
            a, b = n.elts[i], n.elts[i + 1]
            if all(isinstance(x, ast.Constant) and isinstance(x.value, str) for x in (a, b)):
                yield ("elt", i), f"swap {a.value!r} and {b.value!r}"  # type: ignore[attr-defined]
        return
    for fld in ("body", "orelse", "finalbody"):
        body = getattr(n, fld, None)
        if isinstance(body, list):
            for i in range(len(body) - 1):
                if is_step_append(body[i]) and is_step_append(body[i + 1]):
                    yield ("stmt", fld, i), "swap two adjacent step appends"


def find_negate_if(fi: FileInfo, n: ast.AST) -> Iterator[tuple[Variant, str]]:
    if (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "ite"
            and len(n.args) == 3 and not n.keywords):
        yield ("swap",), "ite(c, a, b) -> ite(c, b, a)"


FINDERS: dict[str, Callable[[FileInfo, ast.AST], Iterator[tuple[Variant, str]]]] = {
    "swap-compare": find_swap_compare,
    "off-by-one": find_off_by_one,
    "drop-update": find_drop_update,
    "swap-steps": find_swap_steps,
    "negate-if": find_negate_if,
}


def sites_of(rel: str, text: str, kinds: list[str]) -> list[Site]:
    """Every candidate fault of the given operators in one file, in a stable order."""
    fi = FileInfo(rel, text)
    out = []
    for idx, n in enumerate(fi.nodes):
        if in_fstring(fi, n):
            continue  # message text: a fault there changes what is printed, not what is checked
        for kind in kinds:
            for variant, what in FINDERS[kind](fi, n):
                anchor = n
                if variant[0] == "stmt":
                    anchor = getattr(n, variant[1])[variant[2]]
                elif variant[0] == "elt":
                    anchor = n.elts[variant[1]]  # type: ignore[attr-defined]
                out.append(Site(rel, kind, idx, variant, anchor.lineno, anchor.col_offset, what))  # type: ignore[attr-defined]
    return sorted(out, key=Site.key)


def model_files(tree: Path, only: list[str] | None) -> list[Path]:
    """``model/*.py`` but ``__init__.py``; with ``only``, just those named there.

    A file may be named ``worker.py``, ``worker`` or ``model/worker.py``.
    """
    files = sorted(p for p in (tree / "model").glob("*.py") if p.name != "__init__.py")
    if only:
        want = set(only)
        files = [p for p in files if {p.name, p.stem, f"model/{p.name}"} & want]
    return files


def enumerate_sites(tree: Path, kinds: list[str], only: list[str] | None) -> list[Site]:
    out: list[Site] = []
    for p in model_files(tree, only):
        out += sites_of(f"model/{p.name}", p.read_text(encoding="utf-8"), kinds)
    return out


# -- applying one fault -----------------------------------------------------------


def span(n: ast.AST, text: str) -> Edit:
    return (n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, text)  # type: ignore[attr-defined]


def segment(src: str, n: ast.AST) -> str:
    seg = ast.get_source_segment(src, n)
    return seg if seg is not None else ast.unparse(n)


def apply_site(fi: FileInfo, site: Site) -> list[Edit]:
    """Mutate ``fi.tree`` in place as ``site`` says; return the text edits that do the same."""
    n = fi.nodes[site.node]
    v = site.variant
    if site.operator == "swap-compare":
        k = v[1]
        n.ops[k] = SWAP_CMP[type(n.ops[k])]()  # type: ignore[attr-defined]
        return [span(n, ast.unparse(n))]
    if site.operator == "off-by-one":
        n.value += v[1]  # type: ignore[attr-defined]
        return [span(n, ast.unparse(n))]
    if site.operator == "drop-update":
        del n.keys[v[1]], n.values[v[1]]  # type: ignore[attr-defined]
        return [span(n, ast.unparse(n))]
    if site.operator == "negate-if":
        args = n.args  # type: ignore[attr-defined]
        a, b = args[1], args[2]
        edits = [span(a, segment(fi.text, b)), span(b, segment(fi.text, a))]
        args[1], args[2] = b, a
        return edits
    if site.operator == "swap-steps":
        seq = getattr(n, v[1]) if v[0] == "stmt" else n.elts  # type: ignore[attr-defined]
        i = v[-1]
        a, b = seq[i], seq[i + 1]
        edits = [span(a, segment(fi.text, b)), span(b, segment(fi.text, a))]
        seq[i], seq[i + 1] = b, a
        return edits
    raise ValueError(f"unknown operator {site.operator}")


def splice(text: str, edits: list[Edit]) -> str:
    """Replace each edit's span (AST positions: 1-based lines, UTF-8 byte columns) with its text."""
    lines = text.split("\n")
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)

    def off(line: int, col: int) -> int:
        return starts[line - 1] + len(lines[line - 1].encode()[:col].decode())

    out = text
    for line, col, eline, ecol, rep in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:off(line, col)] + rep + out[off(eline, ecol):]
    return out


@dataclass
class Mutant:
    """A fault applied: the file's new text and the lines it changed, before and after."""

    text: str
    original: str
    mutated: str
    whole_file: bool


def one_line(lines: list[str], limit: int = 200) -> str:
    s = " ".join(x.strip() for x in lines if x.strip())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def mutate(text: str, site: Site) -> Mutant:
    """Apply ``site`` to ``text`` (the file it was found in)."""
    fi = FileInfo(site.file, text)
    edits = apply_site(fi, site)
    new = splice(text, edits)
    try:
        ok = ast.dump(ast.parse(new)) == ast.dump(fi.tree)
    except SyntaxError:
        ok = False
    first, last = min(e[0] for e in edits), max(e[2] for e in edits)
    old_lines = text.split("\n")
    if not ok:
        new = ast.unparse(fi.tree) + "\n"
        return Mutant(new, one_line(old_lines[first - 1:last]), "(file rewritten by ast.unparse)", True)
    new_lines = new.split("\n")
    new_last = last + len(new_lines) - len(old_lines)
    return Mutant(new, one_line(old_lines[first - 1:last]), one_line(new_lines[first - 1:new_last]), False)


# -- running the checks on a copy ---------------------------------------------------


class Stopped(Exception):
    """The run was interrupted: no further process is started."""


class Runner:
    """Runs child processes in their own process groups, so that all of them can be killed at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.procs: set[subprocess.Popen[str]] = set()
        self.stopping = threading.Event()

    def run(self, cmd: list[str], cwd: Path, timeout: float) -> tuple[int | None, str, str]:
        """Exit status (None on timeout), stdout and stderr of ``cmd`` run in ``cwd`` with it on PYTHONPATH."""
        env = dict(os.environ, PYTHONPATH=str(cwd))
        with self.lock:
            if self.stopping.is_set():
                raise Stopped
            p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, start_new_session=True)
            self.procs.add(p)
        try:
            out, err = p.communicate(timeout=timeout)
            rc: int | None = p.returncode
        except subprocess.TimeoutExpired:
            self.kill(p)
            out, err = p.communicate()
            rc = None
        finally:
            with self.lock:
                self.procs.discard(p)
        if self.stopping.is_set():
            raise Stopped
        return rc, out, err

    @staticmethod
    def kill(p: subprocess.Popen[str]) -> None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop_all(self) -> None:
        with self.lock:
            self.stopping.set()
            for p in list(self.procs):
                self.kill(p)


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=lambda _d, names: [
        n for n in names if n in SKIP_NAMES or n.endswith(".egg-info")])


def last_line(*texts: str) -> str:
    for t in texts:
        lines = [x for x in t.strip().splitlines() if x.strip()]
        if lines:
            return lines[-1].strip()[:200]
    return "(no output)"


@dataclass
class Stage:
    """What one check made of the copy: caught or not, how, and a one-line reason."""

    caught: bool
    how: str  # "matrix", "crash", "timeout", "tests", "tests-timeout", "" (not caught)
    detail: str
    seconds: float


def parse_doc(out: str) -> dict[str, Any] | None:
    try:
        doc = json.loads(out)
    except ValueError:
        i = out.find("{")
        try:
            doc = json.loads(out[i:]) if i >= 0 else None
        except ValueError:
            doc = None
    return doc if isinstance(doc, dict) and isinstance(doc.get("ok"), bool) else None


def run_matrix(runner: Runner, copy: Path, cmd: list[str], timeout: float) -> tuple[Stage, dict[str, Any] | None]:
    t0 = time.monotonic()
    rc, out, err = runner.run(cmd, copy, timeout)
    secs = time.monotonic() - t0
    if rc is None:
        return Stage(True, "timeout", f"no verdict within {timeout:.0f} s", secs), None
    doc = parse_doc(out)
    if doc is None:
        return Stage(True, "crash", f"exit {rc}: {last_line(err, out)}", secs), None
    if rc != 0 or not doc["ok"]:
        bad = [r for r in doc.get("results", []) if isinstance(r, dict) and not r.get("matches", True)]
        what = ", ".join(f"{r.get('design')}/{r.get('property')}: {r.get('verdict')} (expected {r.get('expected')})"
                         for r in bad[:3])
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        return Stage(True, "matrix", f"exit {rc}: {what or 'ok is ' + str(doc['ok']).lower()}{more}", secs), doc
    return Stage(False, "", f"{len(doc.get('results', []))} results", secs), doc


def test_cmd() -> list[str]:
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--deselect", LINT_TEST,
            "tests", "properties"]


def run_tests(runner: Runner, copy: Path, timeout: float) -> Stage:
    t0 = time.monotonic()
    rc, out, err = runner.run(test_cmd(), copy, timeout)
    secs = time.monotonic() - t0
    if rc is None:
        return Stage(True, "tests-timeout", f"tests did not finish within {timeout:.0f} s", secs)
    if rc != 0:
        failed = [x for x in out.splitlines() if x.startswith(("FAILED ", "ERROR "))]
        return Stage(True, "tests", (failed[0] if failed else f"exit {rc}: {last_line(out, err)}")[:200], secs)
    return Stage(False, "", last_line(out), secs)


# -- one fault, and the whole run ------------------------------------------------------


@dataclass
class Result:
    """The outcome of one fault: ``matrix``, ``crash``, ``timeout``, ``tests``, ``tests-timeout``, ``survived``."""

    site: Site
    outcome: str
    detail: str
    seconds: float
    original: str
    mutated: str

    def as_dict(self) -> dict[str, Any]:
        s = self.site
        return {"file": s.file, "line": s.line, "col": s.col, "operator": s.operator, "what": s.what,
                "outcome": self.outcome, "detail": self.detail, "seconds": round(self.seconds, 1),
                "original": self.original, "mutated": self.mutated}


MATRIX_OUTCOMES = ("matrix", "crash", "timeout")
TEST_OUTCOMES = ("tests", "tests-timeout")


@dataclass
class Plan:
    """How to evaluate a fault: the matrix command and each stage's timeout, as the baseline set them."""

    matrix_cmd: list[str]
    matrix_timeout: float
    tests_timeout: float
    note: str


def evaluate(runner: Runner, snapshot: Path, work: Path, site: Site, plan: Plan) -> Result:
    """Copy the snapshot, plant ``site`` in the copy, run the matrix and, if it noticed nothing, the tests."""
    t0 = time.monotonic()
    box = Path(tempfile.mkdtemp(prefix="fault-", dir=work))
    copy = box / "tree"
    try:
        copy_tree(snapshot, copy)
        path = copy / site.file
        m = mutate(path.read_text(encoding="utf-8"), site)
        path.write_text(m.text, encoding="utf-8")
        stage, _ = run_matrix(runner, copy, plan.matrix_cmd, plan.matrix_timeout)
        if not stage.caught:
            stage = run_tests(runner, copy, plan.tests_timeout)
        outcome = stage.how if stage.caught else "survived"
        return Result(site, outcome, stage.detail, time.monotonic() - t0, m.original, m.mutated)
    finally:
        shutil.rmtree(box, ignore_errors=True)


# Which releases the verdict matrix covers (``--go``): go1.24 by default, the release
# with the most behaviour (nested acquires, the trace.enabled flag, both findings'
# code); ``all`` takes every release, about seven times as long per fault.
GO = "1.24"


def matrix_command(runner: Runner, copy: Path, timeout: float, go: str = GO) -> list[str]:
    """The verdict-matrix command, with ``--go go`` when this checker has that option."""
    base = [sys.executable, "-m", "gentrace", "check", "--json", "--quiet"]
    rc, out, _ = runner.run(base + ["--help"], copy, timeout)
    return base + ["--go", go] if rc == 0 and re.search(r"--go[\s=]", out) else base


def baseline(runner: Runner, snapshot: Path, work: Path, timeout: float, tests: bool,
             go: str = GO) -> Plan:
    """Evaluate the unmodified snapshot; exit with one line if its checks do not pass.

    The baseline runs alone, with ``BASELINE_SLACK`` times the timeout.  A fault's
    stage gets ``timeout``, or ``STAGE_SLACK`` times what the stage took on the
    baseline if that is longer: a fault that merely runs as slowly as the intact
    model did, with other faults sharing the machine, is not caught by a timeout.
    """
    copy = work / "baseline"
    copy_tree(snapshot, copy)
    timeout_b = timeout * BASELINE_SLACK
    try:
        cmd = matrix_command(runner, copy, timeout_b, go)
        stage, doc = run_matrix(runner, copy, cmd, timeout_b)
        if doc is None and "--go" in cmd:  # the option exists but rejects "all": run without it
            cmd = cmd[: cmd.index("--go")]
            stage, doc = run_matrix(runner, copy, cmd, timeout_b)
        if stage.caught:
            sys.exit(f"baseline: the unmodified tree's verdict matrix is not ok ({stage.how}: {stage.detail}); "
                     "no faults injected, try again when the tree checks clean")
        note = f"matrix ok in {stage.seconds:.1f} s ({stage.detail})"
        plan = Plan(cmd, max(timeout, STAGE_SLACK * stage.seconds), timeout, note)
        if tests:
            ts = run_tests(runner, copy, timeout_b)
            if ts.caught:
                sys.exit(f"baseline: the unmodified tree's test suite fails ({ts.detail}); "
                         "no faults injected, try again when it passes")
            plan.note += f"; tests pass in {ts.seconds:.1f} s ({ts.detail})"
            plan.tests_timeout = max(timeout, STAGE_SLACK * ts.seconds)
        plan.note += f"; timeouts per fault: matrix {plan.matrix_timeout:.0f} s, tests {plan.tests_timeout:.0f} s"
        return plan
    finally:
        shutil.rmtree(copy, ignore_errors=True)


# -- report -----------------------------------------------------------------------------


COLUMNS = ("total", "matrix", "crash", "timeout", "tests", "survived")


def tally(results: list[Result], key: Callable[[Result], str]) -> dict[str, dict[str, int]]:
    """Per group: total, caught by the matrix (crashes and timeouts included), of which crash, of
    which timeout, caught by the tests only, survived."""
    out: dict[str, dict[str, int]] = {}
    for r in results:
        for g in (key(r), "all"):
            row = out.setdefault(g, dict.fromkeys(COLUMNS, 0))
            row["total"] += 1
            if r.outcome in MATRIX_OUTCOMES:
                row["matrix"] += 1
            if r.outcome in ("crash", "timeout"):
                row[r.outcome] += 1
            if r.outcome in TEST_OUTCOMES:
                row["tests"] += 1
            if r.outcome == "survived":
                row["survived"] += 1
    if "all" in out:
        out["all"] = out.pop("all")
    return out


def print_table(title: str, rows: dict[str, dict[str, int]]) -> None:
    w = max([len(title)] + [len(k) for k in rows])
    print(f"{title:{w}s} " + " ".join(f"{c:>8s}" for c in COLUMNS))
    for k, row in rows.items():
        print(f"{k:{w}s} " + " ".join(f"{row[c]:8d}" for c in COLUMNS))
    print()


def machine() -> dict[str, Any]:
    return {"processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
            "python": platform.python_version(), "platform": platform.platform()}


def report(results: list[Result], meta: dict[str, Any], as_json: bool) -> None:
    results = sorted(results, key=lambda r: r.site.key())
    by_op = tally(sorted(results, key=lambda r: OPERATORS.index(r.site.operator)), lambda r: r.site.operator)
    by_file = tally(results, lambda r: r.site.file)
    survivors = [r for r in results if r.outcome == "survived"]
    if as_json:
        doc = dict(meta, by_operator=by_op, by_file=by_file, faults=[r.as_dict() for r in results])
        print(json.dumps(doc, indent=1))
        return
    m = meta["machine"]
    print(f"# machine: {m['processor']}, {m['cpu_count']} CPUs, Python {m['python']}")
    print(f"# {len(results)} faults of {meta['candidates']} candidates (sample {meta['sample']}, "
          f"seed {meta['seed']}), {meta['jobs']} at a time, {meta['seconds']:.1f} s in total"
          + (" (INTERRUPTED)" if meta["interrupted"] else ""))
    print(f"# baseline: {meta['baseline']}")
    print(f"# matrix: {' '.join(meta['matrix_command'])}")
    print(f"# tests:  {' '.join(meta['test_command'])}")
    print("# matrix = caught by the verdict matrix (crash and timeout included); tests = caught by the tests only")
    print()
    print_table("operator", by_op)
    print_table("file", by_file)
    print(f"surviving faults: {len(survivors)}")
    for r in survivors:
        print(f"  {r.site.file}:{r.site.line}  {r.site.operator}  {r.site.what}")
        print(f"    - {r.original}")
        print(f"    + {r.mutated}")
    errors = [r for r in results if r.outcome == "error"]
    if errors:
        print(f"faults that could not be planted (counted in total only): {len(errors)}")
        for r in errors:
            print(f"  {r.site.file}:{r.site.line}  {r.site.operator}  {r.site.what}: {r.detail}")


def list_sites(sites: list[Site], as_json: bool) -> None:
    """Candidate counts per file and operator."""
    counts: dict[str, dict[str, int]] = {}
    for s in sites:
        for f in (s.file, "all"):
            row = counts.setdefault(f, dict.fromkeys(OPERATORS, 0))
            row[s.operator] += 1
    if "all" in counts:
        counts["all"] = counts.pop("all")
    if as_json:
        print(json.dumps({"candidates": len(sites), "per_file": counts}, indent=1))
        return
    w = max([4] + [len(k) for k in counts])
    print(f"{'file':{w}s} " + " ".join(f"{o:>12s}" for o in OPERATORS) + f" {'total':>7s}")
    for f, row in counts.items():
        print(f"{f:{w}s} " + " ".join(f"{row[o]:12d}" for o in OPERATORS) + f" {sum(row.values()):7d}")


def pick(sites: list[Site], n: int, seed: int) -> list[Site]:
    """A deterministic sample of ``n`` sites (all when ``n`` is 0 or at least their number), in site order."""
    if n <= 0 or n >= len(sites):
        return list(sites)
    chosen = random.Random(seed).sample(range(len(sites)), n)
    return [sites[i] for i in sorted(chosen)]


def csv(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=60, metavar="N", help="faults to run, sampled (0: all; default 60)")
    ap.add_argument("--seed", type=int, default=1, metavar="S", help="sampling seed (default 1)")
    ap.add_argument("--kinds", type=csv, default=list(OPERATORS), metavar="OP,...",
                    help="operators: " + ", ".join(OPERATORS))
    ap.add_argument("--files", type=csv, default=None, metavar="FILE,...",
                    help="model files to fault (worker.py, worker or model/worker.py)")
    ap.add_argument("--list", action="store_true", help="print the candidate count per operator and file, and stop")
    ap.add_argument("--go", default=GO, metavar="RELEASE|all",
                    help=f"the releases the verdict matrix covers (default {GO}; 'all' is slow)")
    ap.add_argument("--jobs", type=int, default=2, metavar="N", help="faults evaluated at once (default 2)")
    ap.add_argument("--timeout", type=float, default=300.0, metavar="S",
                    help="seconds per stage, at least (default 300; the baseline gets four times this)")
    ap.add_argument("--skip-baseline-tests", action="store_true",
                    help="check only the baseline's matrix, not its test suite")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of the tables")
    a = ap.parse_args()
    bad = [k for k in a.kinds if k not in OPERATORS]
    if bad:
        ap.error(f"unknown operator {bad[0]!r}: use {', '.join(OPERATORS)}")
    if a.jobs < 1 or a.timeout <= 0:
        ap.error("--jobs and --timeout must be positive")

    if a.list:
        list_sites(enumerate_sites(ROOT, a.kinds, a.files), a.json)
        return

    t0 = time.monotonic()
    runner = Runner()
    work = Path(tempfile.mkdtemp(prefix="gentrace-faults-"))
    results: list[Result] = []
    meta: dict[str, Any] = {"machine": machine(), "sample": a.sample, "seed": a.seed, "jobs": a.jobs,
                            "timeout": a.timeout, "kinds": a.kinds, "files": a.files, "interrupted": False}
    pool: ThreadPoolExecutor | None = None
    try:
        snapshot = work / "snapshot"
        copy_tree(ROOT, snapshot)
        sites = enumerate_sites(snapshot, a.kinds, a.files)
        chosen = pick(sites, a.sample, a.seed)
        meta["candidates"] = len(sites)
        print(f"{len(sites)} candidate faults, running {len(chosen)}; baseline first", file=sys.stderr, flush=True)
        plan = baseline(runner, snapshot, work, a.timeout, not a.skip_baseline_tests, a.go)
        print(f"baseline: {plan.note}", file=sys.stderr, flush=True)
        meta.update(baseline=plan.note, matrix_command=plan.matrix_cmd, test_command=test_cmd(),
                    matrix_timeout=round(plan.matrix_timeout), tests_timeout=round(plan.tests_timeout))
        pool = ThreadPoolExecutor(max_workers=a.jobs)
        futs: dict[Future[Result], Site] = {
            pool.submit(evaluate, runner, snapshot, work, s, plan): s for s in chosen}
        for fut in as_completed(futs):
            try:
                r = fut.result()
            except Stopped:
                continue
            except Exception as e:  # a fault that could not be planted: say so, keep going
                s = futs[fut]
                r = Result(s, "error", f"{type(e).__name__}: {e}", 0.0, "", "")
                print(f"error planting {s.operator} at {s.file}:{s.line}: {e}", file=sys.stderr)
            results.append(r)
            print(f"[{len(results):3d}/{len(chosen)}] {r.outcome:13s} {r.site.operator:12s} "
                  f"{r.site.file}:{r.site.line}  {r.site.what}  ({r.seconds:.0f} s)  {r.detail[:100]}",
                  file=sys.stderr, flush=True)
        pool.shutdown()
    except KeyboardInterrupt:
        runner.stop_all()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        meta["interrupted"] = True
        meta["seconds"] = round(time.monotonic() - t0, 1)
        meta.setdefault("candidates", 0)
        meta.setdefault("baseline", "(interrupted)")
        meta.setdefault("matrix_command", [])
        meta.setdefault("test_command", test_cmd())
        print("interrupted", file=sys.stderr)
        report(results, meta, a.json)
        sys.stdout.flush()
        shutil.rmtree(work, ignore_errors=True)
        os._exit(130)
    finally:
        if not meta["interrupted"]:
            shutil.rmtree(work, ignore_errors=True)
    meta["seconds"] = round(time.monotonic() - t0, 1)
    report(results, meta, a.json)


if __name__ == "__main__":
    main()
