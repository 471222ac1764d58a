"""Findings: properties that a release's shipped design was shown to violate.

Each finding was confirmed against the Go source step by step; its counterexample
is kept under ``findings/`` and replays on the model.  A finding is data, like a
design: which variants inherit it (every variant that keeps the defective code),
the properties it breaks with a reason each, the smallest bound that shows each,
and the correction, which is a design of its own (``model/designs.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gentrace.model.bounds import Bounds
from gentrace.model.releases import NESTED_FRESH

# A finding's ``applies`` and ``inherited`` take a design (``gentrace.model.designs.Design``), typed
# ``Any`` here: ``gentrace.model.designs`` imports this module, and this module does not import it back.


@dataclass(frozen=True)
class Finding:
    name: str
    title: str
    releases: str
    where: str
    applies: Callable[[Any], bool]  # design -> whether it keeps the defective code
    violates: dict[str, str]
    shows_at: Callable[[str, Bounds], bool]
    correction: str

    def shows(self, prop: str, bounds: Bounds) -> bool:
        """Whether ``bounds`` is large enough for the finding to break ``prop``."""
        return self.shows_at(prop, bounds)


def split_by_ring_end(b: Bounds) -> bool:
    """Whether two of the run's samples can sit in a profBuf with the end of a ring between them.

    The samples' records are laid out one after the other from ``ring_start`` and
    ``tag_start`` (a read in between frees room but moves nothing); a record that
    starts at word 0 of the data ring (after the exact end, or after a
    wraparound marker) or at tag 0 follows the end of a ring.
    """
    if b.signals < 2 or b.ring_tags < 2:
        return False
    pos, tpos = b.ring_start, b.tag_start
    for k in range(1, b.signals + 1):
        start = pos if pos + b.rec_words <= b.ring_words else 0
        if k > 1 and (start == 0 or tpos == 0):
            return True
        pos = (start + b.rec_words) % b.ring_words
        tpos = (tpos + 1) % b.ring_tags
    return False


def _single_read_shows(prop: str, b: Bounds) -> bool:
    if not split_by_ring_end(b):
        return False
    if prop == "sample-generation":
        return b.advances >= 2  # the record left in profBuf[g%2] is read under g+2
    return True


def _fresh_gen_shows(prop: str, b: Bounds) -> bool:
    # nested >= 1 is GODEBUG=traceallocfree=1: without it nothing nests (model/worker.py).
    if b.nested < 1 or b.workers < 1 or b.sections < 1:
        return False
    if prop == "generation-order":
        return b.advances >= 1  # the nested acquire must see the next generation
    return True


FINDINGS: dict[str, Finding] = {f.name: f for f in [
    Finding(
        name="single-read-drain",
        title="the drain at traceAdvance reads the profBuf once, and one read stops at the end of the data "
              "ring (a marker counts as that end) or at the end of the tag ring",
        releases="go1.22.0 to go1.27 (every release since CL 555495)",
        where="trace2cpu.go traceReadCPU: one trace.cpuLogRead[gen%2].read(profBufNonBlocking) per call; "
              "profbuf.go profBuf.read: 'we might need to stop early and return the rest in the next call'",
        applies=lambda d: (not d.legacy and d.cpu_drain and not d.drain_loop),
        violates={
            "sample-generation": "a record past the end of a ring stays in profBuf[g%2] after "
                                 "traceAdvance's one read; the reader reads it under g+2",
            "no-unflushed-at-stop": "a record past the end of a ring stays in the profBuf after the "
                                    "final drain; the reader has already exited",
            "sample-conservation": "that record is never emitted, nor counted as overflow",
        },
        shows_at=_single_read_shows,
        correction="drain-until-empty",
    ),
    Finding(
        name="reentrant-fresh-gen",
        title="a reentrant traceAcquire loads trace.gen afresh: gen 0 at StopTrace leaks the seqlock and "
              "m.locks, and the next gen during an advance sends the M's events back in time "
              "(under GODEBUG=traceallocfree=1)",
        releases="go1.24, go1.25 (with GODEBUG=traceallocfree=1)",
        where="traceruntime.go traceAcquireEnabled: `mp := acquirem(); if mp.trace.seqlock.Load()%2 == 1 { "
              "mp.trace.reentered++; return traceLocker{mp, trace.gen.Load()} }`; callers release "
              "only `if trace.ok()` (stack.go stackalloc/stackfree, mheap.go, malloc.go, mgcsweep.go, "
              "each behind traceAllocFreeEnabled(): only under GODEBUG=traceallocfree=1)",
        applies=lambda d: (d.release.nested == NESTED_FRESH and not d.nested_entry_gen
                           and d.nested_override is None),
        violates={
            "deadlock-freedom": "a nested traceAcquire after trace.gen.Store(0) gets a locker that is not "
                                "ok, so its caller never calls traceRelease; reentered stays 1, the outer "
                                "traceRelease only decrements it, the seqlock stays odd, and "
                                "traceAdvance(stop) waits for that M forever",
            "generation-order": "a nested traceAcquire during an advance gets the next generation, while "
                                "the outer section's later events still go to the older one",
            "locks-balanced": "the nested traceAcquire's acquirem() (before reentered++) is never undone: "
                              "the caller of a locker that is not ok skips traceRelease and its releasem, "
                              "so m.locks stays above 0 after the section: the goroutine can no longer be "
                              "preempted and its next park throws 'schedule: holding locks'",
        },
        shows_at=_fresh_gen_shows,
        correction="reentrant-entry-gen",
    ),
]}


def inherited(d: Any) -> list[Finding]:
    """The findings a design variant inherits from its release's code."""
    return [f for f in FINDINGS.values() if f.applies(d)]
