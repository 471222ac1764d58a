"""Run Spin on an exported program: generate the verifier (``spin -a``), compile it with the
machine's C compiler, run it, and read its report (states stored, transitions, errors, which
assertions failed, invalid end states, its time); read a counterexample Spin wrote back as
the model's steps (:func:`trail`), to replay on ``System.apply``.

Needs ``spin`` (Debian package ``spin``, 6.5.2) and a C compiler on the PATH; callers ask
:func:`available` first.  The verifier is an exhaustive depth-first search for safety
(``-DSAFETY``: assertions and invalid end states, no cycle detection), with Spin's
partial-order reduction off (``-DNOREDUCE``) unless ``por`` is asked for.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from gentrace.export.promela import ok_name
from gentrace.model import PROPERTY_NAMES

SPIN_RELEASE = "6.5.2"


def compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")


def available() -> bool:
    """Whether ``spin`` and a C compiler are on the PATH."""
    return shutil.which("spin") is not None and compiler() is not None


def spin_version() -> str:
    out = subprocess.run(["spin", "-V"], capture_output=True, text=True, check=False).stdout
    return out.strip()


class SpinError(RuntimeError):
    """Spin or the compiler refused the program, or the verifier failed to run to its end."""


@dataclass
class PanResult:
    """What one verifier run reported."""

    states: int
    transitions: int
    errors: int
    depth: int
    vector_bytes: int       # Spin's state vector, as stored (its compressed form, no overhead)
    seconds: float          # wall-clock time of the search (the verifier's own run)
    cpu_seconds: float      # user + system time of the verifier process
    failed: set[str] = field(default_factory=set)  # properties whose assertion failed
    invalid_end: bool = False  # a deadlock: no step enabled, not every thread finished
    por: bool = False
    output: str = ""


@dataclass
class Built:
    pan: Path
    spin_seconds: float
    cc_seconds: float
    por: bool


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def build(text: str, workdir: Path, *, por: bool = False, opt: str = "-O2") -> Built:
    """Write ``text`` to ``workdir/model.pml`` and build its verifier ``workdir/pan``
    (``pan_por`` with Spin's partial-order reduction)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "model.pml").write_text(text)
    t0 = time.perf_counter()
    r = subprocess.run(["spin", "-a", "model.pml"], cwd=workdir, capture_output=True, text=True, check=False)
    t1 = time.perf_counter()
    if r.returncode != 0 or not (workdir / "pan.c").exists():
        raise SpinError("spin -a refused the program: " + (r.stdout + r.stderr).strip()[:2000])
    exe = workdir / ("pan_por" if por else "pan")
    cc = compiler()
    assert cc is not None
    flags = [opt, "-DSAFETY"] + ([] if por else ["-DNOREDUCE"])
    r = subprocess.run([cc, *flags, "-o", str(exe), "pan.c"], cwd=workdir, capture_output=True, text=True,
                       check=False)
    t2 = time.perf_counter()
    if r.returncode != 0:
        raise SpinError(f"{cc} {' '.join(flags)} pan.c failed: " + (r.stdout + r.stderr).strip()[:2000])
    return Built(exe, t1 - t0, t2 - t1, por)


def _num(pattern: str, text: str, conv: type = int) -> float | int:
    m = re.search(pattern, text)
    if m is None:
        raise SpinError(f"the verifier's report has no {pattern!r}:\n{text[-2000:]}")
    return conv(m.group(1))


def run(built: Built, *, hash_bits: int = 24, depth: int = 1_000_000, stop_at_first: bool = False) -> PanResult:
    """Run the verifier: exhaustive unless ``stop_at_first`` (then it stops at its first error)."""
    args = [str(built.pan), f"-m{depth}", f"-w{hash_bits}", "-c1" if stop_at_first else "-c0"]
    (built.pan.parent / "model.pml.trail").unlink(missing_ok=True)
    c0 = _child_cpu()
    t0 = time.perf_counter()
    r = subprocess.run(args, cwd=built.pan.parent, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    cpu = _child_cpu() - c0
    out = r.stdout + r.stderr
    if r.returncode != 0 and "errors:" not in out:
        raise SpinError(f"the verifier failed (exit {r.returncode}):\n{out[-2000:]}")
    return read_report(out, wall=wall, cpu=cpu, por=built.por, depth=depth)


def read_report(out: str, *, wall: float = 0.0, cpu: float = 0.0, por: bool = False,
                depth: int = 0) -> PanResult:
    """The verifier's report ``out`` read: a cut search (its depth bound too small) is an error;
    errors are read from the numbered lines (``pan:1: assertion violated ok_...``, ``pan:2:
    invalid end state``), not from the summary's list of what was checked."""
    if "max search depth too small" in out:
        raise SpinError(f"the verifier's depth bound -m{depth} was too small: the search was cut")
    props = {ok_name(p): p for p in PROPERTY_NAMES}
    failed = {props.get(m, m) for m in re.findall(r"^pan:\d+: assertion violated (ok_\w+)", out, re.M)}
    vec = re.search(r"state-vector as stored = (\d+) byte", out)
    elapsed = re.search(r"pan: elapsed time ([0-9.e+]+) seconds", out)
    return PanResult(
        states=int(_num(r"(\d+) states, stored", out)),
        transitions=int(_num(r"(\d+) transitions \(= stored\+matched\)", out)),
        errors=int(_num(r"errors: (\d+)", out)),
        depth=int(_num(r"depth reached (\d+)", out)),
        vector_bytes=int(vec.group(1)) if vec else 0,
        seconds=float(elapsed.group(1)) if elapsed else wall,
        cpu_seconds=cpu,
        failed=failed,
        invalid_end=re.search(r"^pan:\d+: invalid end state", out, re.M) is not None,
        por=por,
        output=out,
    )


def guard_lines(text: str) -> dict[int, int]:
    """Step index by the lines (1-based) of its ``d_step {`` and of its first statement (the
    enabling condition) in the program ``text``: Spin names the first by the former."""
    out = {}
    for no, line in enumerate(text.split("\n"), 1):
        m = re.match(r"\s*:: d_step \{ /\* step (\d+) ", line)
        if m:
            out[no] = out[no + 1] = int(m.group(1))
    return out


def trail(built: Built) -> list[int]:
    """The steps (indices into ``System.steps``) of the counterexample the verifier wrote (run
    it with ``stop_at_first``): ``spin -t -p`` replays the trail, and each transition's first
    statement is a step's enabling condition, whose line names the step."""
    work = built.pan.parent
    if not (work / "model.pml.trail").exists():
        raise SpinError("the verifier wrote no trail: it found no error")
    r = subprocess.run(["spin", "-t", "-p", "model.pml"], cwd=work, capture_output=True, text=True, check=False)
    lines = guard_lines((work / "model.pml").read_text())
    steps, seen = [], set()
    for m in re.finditer(r"^\s*(\d+):\s+proc\s+\d+ \(\w+:\d+\) \S+:(\d+) \(state \d+\)\s+\[", r.stdout, re.M):
        n, line = int(m.group(1)), int(m.group(2))
        if n in seen:
            continue
        seen.add(n)
        if line in lines:  # else completion's FINISHED or initial-state option: no step of the model
            steps.append(lines[line])
    return steps


def hash_bits_for(states: int) -> int:
    """A hash table (``-w``) about twice the expected number of states."""
    return max(18, min(30, (2 * max(states, 1)).bit_length()))
