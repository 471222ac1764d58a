"""Run one design inside a real Go toolchain: Go's own test, and the project's workload.

For one design on one release, :func:`run_design`

1. hard-links a scratch copy of the pristine GOROOT and writes the design's edits
   into its ``src/runtime`` (:mod:`gentrace.runtime.toolchain`,
   :mod:`gentrace.runtime.patches`);
2. builds Go's own test package with the copy's ``bin/go`` (``internal/trace/v2``
   on go1.22, ``internal/trace`` from go1.23) and runs ``TestTraceCPUProfile``'s
   subtests ``Default`` and ``Stress`` (the latter with
   ``GODEBUG=traceadvanceperiod=0``: a new generation all the time) ``runs``
   times, one process per run with its own timeout, counting failures per
   subtest; a run that times out is a hang, and a hang is a finding (the design
   ``handler-waits-for-seqlock`` spins in the signal handler on its own M);
3. builds the project's workload (``checker/runtime/workload``) with the same
   copy and runs it ``runs`` times with tracing and CPU profiling at a short
   generation period (``GODEBUG=traceadvanceperiod=...``), and hands each trace to
   ``conform`` (:mod:`gentrace.runtime.conform`), which checks sample-generation
   and generation-order on the real trace.

Everything runs under ``nice -n 10``.  The build cache is shared (keyed by
content).  The results are plain data, printed side by side by the command line.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gentrace.runtime.patches import NotApplicable, Patch, PatchError, apply_to_goroot, family_of, patch_for
from gentrace.runtime.toolchain import go_env, scratch_goroot

SUBTESTS = ("Default", "Stress")
MISPLACED_KEPT = 50  # misplaced samples kept per design, for reading the mechanism off the document
WORKLOAD_DIR = Path(__file__).with_name("workload")


@dataclass
class TestRuns:
    """Go's own ``TestTraceCPUProfile`` on one design: per subtest, how runs ended."""

    runs: int = 0
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUBTESTS, 0))
    failed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUBTESTS, 0))
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUBTESTS, 0))
    hangs: int = 0                 # runs stopped by the timeout
    crashes: int = 0               # runs that ended with no subtest verdict (and no timeout)
    reasons: list[str] = field(default_factory=list)  # each failed run's first line, counted
    stopped: str = ""              # why fewer runs were made than asked
    build_error: str | None = None
    seconds: float = 0.0

    def failures(self, sub: str) -> int:
        """Runs in which subtest ``sub`` failed or did not finish."""
        return self.failed[sub]


@dataclass
class WorkloadRuns:
    """The project's workload on one design, and conform's findings on its traces."""

    runs: int = 0
    traces: int = 0                # traces conform read
    hangs: int = 0
    crashes: int = 0               # workload exited non-zero
    violations: dict[str, int] = field(default_factory=dict)   # conform property -> traces VIOL
    vacuous: dict[str, int] = field(default_factory=dict)      # conform property -> traces vacuous
    samples: int = 0               # CPU samples in the traces
    generations: int = 0           # generations in the traces
    misplaced: int = 0             # samples outside their generation's span
    order_breaks: int = 0          # (M, generation) pairs going back in time
    offsets: dict[str, int] = field(default_factory=dict)  # generations off -> samples
    misplaced_samples: list[dict[str, Any]] = field(default_factory=list)  # the first few, as conform has them
    examples: list[str] = field(default_factory=list)
    conform_error: str | None = None
    build_error: str | None = None
    seconds: float = 0.0


@dataclass
class DesignRun:
    """One design on one release: what was applied and what the runtime said."""

    design: str
    version: str
    applicable: bool
    reason: str = ""               # why not applicable, or the patch error
    edits: list[str] = field(default_factory=list)
    test: TestRuns | None = None
    workload: WorkloadRuns | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def test_package(version: str) -> str:
    """The package holding the new tracer's ``TestTraceCPUProfile`` in ``version``."""
    return "internal/trace/v2" if family_of(version) == "1.22" else "internal/trace"


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float
         ) -> tuple[int | None, str]:
    """Run ``cmd`` niced in its own process group; (exit status or None on timeout, output)."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(["nice", "-n", "10", *cmd], cwd=cwd, env=env, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc: int | None = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        except BaseException:
            _kill(p)
            raise
        if rc is None:
            _kill(p)
        out.seek(0)
        return rc, out.read().decode(errors="replace")


def _kill(p: subprocess.Popen) -> None:  # type: ignore[type-arg]
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


_SUB = re.compile(r"^\s*--- (PASS|FAIL|SKIP): TestTraceCPUProfile/(\w+)", re.M)
_WHY = re.compile(r"^\s+\w+_test\.go:\d+: (.+)$", re.M)


def _reason(line: str) -> str:
    """A failure line with its numbers blanked, so equal causes count once."""
    return re.sub(r"\d+", "N", line.strip())[:140]


def run_go_test(goroot: Path, version: str, runs: int, *, env: dict[str, str], work: Path,
                timeout: float, max_hangs: int = 2,
                on_run: Callable[[int], None] | None = None) -> TestRuns:
    """Build Go's trace test with ``goroot`` and run TestTraceCPUProfile ``runs`` times.

    Runs stop early once ``max_hangs`` of them have timed out: a hang is the
    finding, and every further run would only wait out its timeout again.
    """
    res = TestRuns()
    t0 = time.monotonic()
    pkg = test_package(version)
    pkgdir = goroot / "src" / pkg
    binary = work / "trace.test"
    rc, out = _run([str(goroot / "bin" / "go"), "test", "-c", "-o", str(binary), "."],
                   cwd=pkgdir, env=env, timeout=900)
    if rc != 0:
        res.build_error = _first_lines(out) if rc is not None else "build timed out"
        res.seconds = time.monotonic() - t0
        return res
    pattern = "^TestTraceCPUProfile$/^(" + "|".join(SUBTESTS) + ")$"
    reasons: Counter[str] = Counter()
    for k in range(runs):
        rc, out = _run([str(binary), "-test.run", pattern, "-test.v", "-test.count", "1",
                        "-test.timeout", f"{int(timeout) + 5}s"],
                       cwd=pkgdir, env=env, timeout=timeout)
        res.runs += 1
        seen = {m.group(2): m.group(1) for m in _SUB.finditer(out)}
        timed_out = rc is None or "panic: test timed out" in out
        if timed_out:
            res.hangs += 1
        for sub in SUBTESTS:
            v = seen.get(sub)
            if v == "PASS":
                res.passed[sub] += 1
            elif v == "SKIP":
                res.skipped[sub] += 1
            else:
                res.failed[sub] += 1
        if not seen and not timed_out:
            res.crashes += 1
        if rc != 0:
            found = _WHY.findall(out)
            why = "timed out (hang)" if timed_out else _reason(found[0] if found else _first_lines(out, 1))
            reasons[why] += 1
        if on_run:
            on_run(k + 1)
        if res.hangs >= max_hangs:
            res.stopped = f"stopped after {res.hangs} hung runs"
            break
    res.reasons = [f"{n}x {w}" for w, n in reasons.most_common(4)]
    res.seconds = time.monotonic() - t0
    return res


def _first_lines(text: str, n: int = 3) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return " | ".join(lines[:n])[:300] or "(no output)"


def _conform() -> Callable[[str], Any] | None:
    """``conform_file`` from :mod:`gentrace.runtime.conform`, if that module is present."""
    try:
        from gentrace.runtime.conform import conform_file
    except ImportError:
        return None
    return conform_file  # type: ignore[no-any-return]


def _conform_properties() -> tuple[str, ...]:
    from gentrace.runtime import conform

    return tuple(getattr(conform, "PROPERTIES", ("generations", "sample-generation", "generation-order")))


def run_workload(goroot: Path, runs: int, *, env: dict[str, str], work: Path, timeout: float,
                 period_ns: int, duration: str, max_hangs: int = 2, godebug: str = "") -> WorkloadRuns:
    """Build the project's workload with ``goroot``, run it ``runs`` times, conform each trace."""
    res = WorkloadRuns()
    t0 = time.monotonic()
    binary = work / "workload"
    rc, out = _run([str(goroot / "bin" / "go"), "build", "-o", str(binary), "main.go"],
                   cwd=WORKLOAD_DIR, env=env, timeout=900)
    if rc != 0:
        res.build_error = _first_lines(out) if rc is not None else "build timed out"
        res.seconds = time.monotonic() - t0
        return res
    conform = _conform()
    if conform is None:
        res.conform_error = "gentrace.runtime.conform is not available"
    run_env = dict(env, GODEBUG=f"traceadvanceperiod={period_ns}" + (f",{godebug}" if godebug else ""))
    for k in range(runs):
        trace = work / f"workload-{k}.trace"
        rc, out = _run([str(binary), "-trace", str(trace), "-duration", duration],
                       cwd=work, env=run_env, timeout=timeout)
        res.runs += 1
        if rc is None:
            res.hangs += 1
            if res.hangs >= max_hangs:
                break
            continue
        if rc != 0:
            res.crashes += 1
            res.examples.append(f"exit {rc}: {_first_lines(out, 2)}")
        if conform is None or not trace.is_file():
            continue
        try:
            rep = conform(trace)
        except Exception as e:  # a trace conform cannot read is itself a result
            res.conform_error = f"{type(e).__name__}: {e}"[:200]
            continue
        res.traces += 1
        res.samples += int(getattr(rep, "samples", 0) or 0)
        res.generations += len(getattr(rep, "generations", []) or [])
        res.misplaced += len(getattr(rep, "misplaced", []) or [])
        res.order_breaks += len(getattr(rep, "order_breaks", []) or [])
        for prop in _conform_properties():
            v = rep.verdict(prop)
            if v == "VIOL":
                res.violations[prop] = res.violations.get(prop, 0) + 1
            elif v == "vacuous":
                res.vacuous[prop] = res.vacuous.get(prop, 0) + 1
        for problem in list(getattr(rep, "gen_problems", []) or [])[:1]:
            if len(res.examples) < 3:
                res.examples.append(str(problem)[:200])
        for s in list(getattr(rep, "misplaced", []) or [])[:MISPLACED_KEPT]:
            if len(res.misplaced_samples) < MISPLACED_KEPT:
                res.misplaced_samples.append(dict(s.to_json(), trace=k))
        for off, n in (getattr(rep, "histogram", {}) or {}).items():
            res.offsets[str(off)] = res.offsets.get(str(off), 0) + n
        trace.unlink(missing_ok=True)
    res.seconds = time.monotonic() - t0
    return res


def run_design(design: str, version: str, pristine: Path, *, runs: int, scratch: Path,
               gocache: Path, test_timeout: float = 60.0, workload_runs: int | None = None,
               workload_timeout: float = 30.0, period_ns: int = 1_000_000,
               duration: str = "1s", max_hangs: int = 2, godebug: str = "", keep: bool = False,
               on_run: Callable[[int], None] | None = None) -> DesignRun:
    """Apply ``design`` to a scratch copy of ``pristine`` and run the test and the workload.

    A design with no meaning on the release comes back not applicable with the
    reason; an edit whose anchor is missing raises :class:`PatchError`.
    """
    t0 = time.monotonic()
    p = patch_for(design, version)
    if isinstance(p, NotApplicable):
        return DesignRun(design, version, False, p.reason)
    assert isinstance(p, Patch)
    dest = scratch / f"go{version}-{design}"
    goroot = scratch_goroot(pristine, dest)
    try:
        apply_to_goroot(p, goroot, version=version)
        work = dest / "work"
        work.mkdir()
        env = go_env(goroot, gocache, dest / "gopath")
        result = DesignRun(design, version, True, edits=[f"{e.file}: {e.go}" for e in p.edits])
        result.test = run_go_test(goroot, version, runs, env=env, work=work, timeout=test_timeout,
                                  max_hangs=max_hangs, on_run=on_run)
        wl_runs = runs if workload_runs is None else workload_runs
        if wl_runs > 0:
            result.workload = run_workload(goroot, wl_runs, env=env, work=work,
                                           timeout=workload_timeout, period_ns=period_ns,
                                           duration=duration, max_hangs=max_hangs, godebug=godebug)
        result.seconds = time.monotonic() - t0
        return result
    finally:
        if not keep:
            shutil.rmtree(dest, ignore_errors=True)


__all__ = ["DesignRun", "PatchError", "TestRuns", "WorkloadRuns", "run_design", "test_package"]
