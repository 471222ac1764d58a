"""A reader for Go execution traces from go1.22 on: generations, CPU samples, event times.

It reads what the conformance checks need and no more: for each generation its number, its
frequency, its CPU samples (timestamp and M), and for each M the first and last timestamp and
the number of the events it wrote in that generation.  Strings, stacks and experimental
batches are skipped by their size (not decoded, so not validated); every event of an M's batch
is decoded, since the timestamps are deltas and the event types give the argument counts (see
:mod:`gentrace.runtime.trace_format`).  Times stay in ticks, exact integers, until a report
turns them into nanoseconds as Go's parser does (:meth:`Generation.ns`).

Generations are kept as the file has them: a new one starts where a batch names another
generation than the previous batch, or after an end-of-generation marker (Go126).  The reader
does not require them to be consecutive or complete: that is what
:mod:`gentrace.runtime.conform` checks and reports.  What it refuses (:class:`TraceError`, one
line) is a file that is not a trace of a supported format version, or whose bytes cannot be
decoded: a bad or unsupported header, a byte where a batch should start that is not a batch,
an event type the version does not have, a batch or event running past its end, a varint
that overflows 64 bits (as Go's reader refuses it), a generation number 0, two frequency events
in one generation.  No size the file states is allocated: a batch is at most
``MAX_BATCH_SIZE`` bytes and must fit in the file, so what the reader holds grows with the
file's length alone.

Speed: the file is read into memory once and the events of a batch are decoded in one tight
loop over its bytes (a one-byte varint, the common case, costs one comparison).
``bench/bench_conform.py`` measures the throughput.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gentrace.runtime import trace_format as tf

_U64 = 1 << 64


class TraceError(Exception):
    """The file is not a readable trace of a supported version: a one-line reason."""


@dataclass(slots=True)  # slots: a file of tiny batches makes one per five bytes
class Generation:
    """One generation as the file has it (its batches are contiguous in the file)."""

    gen: int
    offset: int                 # byte offset of its first batch
    freq: int = 0               # ticks per second; 0 when it has no frequency event
    clock_snapshot: bool = False  # Go125 on: the sync batch had its EvClockSnapshot
    ended: bool = False         # Go126 on: an EvEndOfGeneration follows it
    batches: int = 0            # batches of M events
    other_batches: int = 0      # strings, stacks, CPU samples, sync, experimental
    events: int = 0             # timed events in the M batches
    lo: int | None = None       # ticks of the earliest and latest timed event of any M
    hi: int | None = None
    # M -> [first tick, last tick, events] of what that M wrote in this generation.
    ms: dict[int, list[int]] = field(default_factory=dict)
    sample_ticks: list[int] = field(default_factory=list)  # CPU samples, in file order
    sample_ms: list[int] = field(default_factory=list)

    def ns(self, ticks: int) -> int:
        """Ticks as nanoseconds, computed exactly as Go's parser does (``frequency.mul``)."""
        if not self.freq:
            return ticks
        return int(float(ticks) * (1.0 / (float(self.freq) / 1e9)))


@dataclass
class Trace:
    """A decoded trace: its format and its generations in file order."""

    path: str
    fmt: tf.Format
    size: int
    generations: list[Generation]
    stray_markers: list[int] = field(default_factory=list)  # offsets of EndOfGeneration with no generation

    @property
    def samples(self) -> int:
        return sum(len(g.sample_ticks) for g in self.generations)

    @property
    def events(self) -> int:
        return sum(g.events for g in self.generations)


def read_header(data: bytes) -> tf.Format:
    """The format version named by the header, or :class:`TraceError` saying why not."""
    m = tf.HEADER_RE.match(data[:tf.HEADER_LEN])
    if m is None:
        if not data:
            raise TraceError("empty file, not a Go execution trace")
        if len(data) < tf.HEADER_LEN and data.startswith(b"go 1."):
            raise TraceError(f"truncated: {size_phrase(len(data))}, shorter than a trace header")
        raise TraceError("not a Go execution trace: no 'go 1.N trace' header")
    v = int(m.group(1))
    if v in tf.FORMATS:
        return tf.FORMATS[v]
    why = " (the format before go1.22)" if v in tf.OLD_FORMATS or v < tf.GO122 else ""
    raise TraceError(f"unsupported trace version 'go 1.{v} trace'{why}; "
                     f"supported: {tf.supported_headers()}")


def read_trace(path: str | Path) -> Trace:
    """Read and decode the trace file at ``path`` (:class:`TraceError` if it cannot be)."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            # The header first: a file that is not a trace (/dev/zero, /dev/urandom) is refused
            # before the rest, however long, is read.
            read_header(f.read(tf.HEADER_LEN))
            f.seek(0)
            data = f.read()
    except IsADirectoryError:
        raise TraceError("is a directory, not a trace file") from None
    except OSError as e:
        raise TraceError(e.strerror or str(e)) from None
    return decode(data, str(path))


def _uvarint(data: bytes, i: int, what: str, at: int) -> tuple[int, int]:
    v = 0
    s = 0
    try:
        while True:
            b = data[i]
            i += 1
            v |= (b & 0x7F) << s
            if b < 0x80:
                if v >= _U64:
                    raise _overflow(what, at, i)
                return v, i
            s += 7
            if s > 63:  # past ten bytes, Go's MaxVarintLen64 (and no quadratic build-up)
                raise _overflow(what, at, i)
    except IndexError:
        raise TraceError(f"truncated: the {what} of the batch at byte {at} runs past the end "
                         f"of the file ({len(data)} bytes)") from None


def _overflow(what: str, at: int, i: int) -> TraceError:
    return TraceError(f"the {what} of the batch at byte {at} is a varint that overflows 64 bits "
                      f"(byte {i - 1})")


def decode(data: bytes, path: str = "<bytes>") -> Trace:
    """Decode a whole trace held in memory (see the module docstring for what is kept)."""
    fmt = read_header(data)
    n = len(data)
    gens: list[Generation] = []
    trace = Trace(path=path, fmt=fmt, size=n, generations=gens)
    cur: Generation | None = None
    i = tf.HEADER_LEN
    timed = fmt.timed_args
    while i < n:
        at = i
        b = data[i]
        if b == tf.EV_END_OF_GENERATION and fmt.has_end_marker:
            if cur is None or cur.ended:
                trace.stray_markers.append(at)
            else:
                cur.ended = True
            i += 1
            continue
        experimental = False
        if b == tf.EV_EVENT_BATCH:
            i += 1
        elif b == tf.EV_EXPERIMENTAL_BATCH and fmt.has_experimental:
            experimental = True
            if i + 1 >= n:
                raise TraceError(f"truncated: the experimental batch at byte {at} has no header")
            i += 2
        else:
            raise TraceError(f"byte {at}: expected a batch, found event type {b} "
                             f"({tf.event_name(b)})")
        gen, i = _uvarint(data, i, "generation", at)
        m, i = _uvarint(data, i, "M", at)
        ts, i = _uvarint(data, i, "timestamp", at)
        size, i = _uvarint(data, i, "size", at)
        if size > tf.MAX_BATCH_SIZE:
            raise TraceError(f"the batch at byte {at} has size {size}, more than the maximum "
                             f"{tf.MAX_BATCH_SIZE}")
        end = i + size
        if end > n:
            raise TraceError(f"truncated: the batch at byte {at} needs {size} bytes, "
                             f"{n - i} remain")
        if gen == 0:
            raise TraceError(f"the batch at byte {at} has generation number 0, which the "
                             "runtime never uses")
        if cur is None or cur.gen != gen or cur.ended:
            cur = Generation(gen=gen, offset=at)
            gens.append(cur)
        if m >= 1 << 63:
            m -= _U64  # Go's ThreadID is signed: NoThread is -1
        if experimental or size == 0:
            if experimental:
                cur.other_batches += 1
            else:
                cur.batches += 1
            i = end
            continue
        kind = data[i]
        if kind == tf.EV_STRINGS or kind == tf.EV_STACKS:
            cur.other_batches += 1
        elif kind == tf.EV_CPU_SAMPLES:
            cur.other_batches += 1
            _cpu_samples(data, i + 1, end, cur, at)
        elif kind == tf.EV_FREQUENCY and not fmt.has_sync_batch:
            cur.other_batches += 1
            freq, j = _uvarint(data, i + 1, "frequency", at)
            if j > end:
                raise TraceError(f"the frequency batch at byte {at} runs past its size")
            _set_freq(cur, freq, at)
        elif kind == tf.EV_SYNC and fmt.has_sync_batch:
            cur.other_batches += 1
            _sync(data, i + 1, end, cur, at)
        else:
            cur.batches += 1
            _m_events(data, i, end, ts, timed, cur, m, at, fmt.version)
        i = end
    return trace


def _set_freq(g: Generation, freq: int, at: int) -> None:
    if g.freq:
        raise TraceError(f"generation {g.gen} has a second frequency event (batch at byte {at})")
    if freq == 0:
        raise TraceError(f"the frequency in the batch at byte {at} is 0")
    g.freq = freq


def _sync(data: bytes, i: int, end: int, g: Generation, at: int) -> None:
    """A Go125 sync batch: EvFrequency [freq] and EvClockSnapshot [dt, mono, sec, nsec]."""
    while i < end:
        t = data[i]
        if t == tf.EV_FREQUENCY:
            freq, i = _uvarint(data, i + 1, "frequency", at)
            _set_freq(g, freq, at)
        elif t == tf.EV_CLOCK_SNAPSHOT:
            if g.clock_snapshot:
                raise TraceError(f"generation {g.gen} has a second clock snapshot (batch at byte {at})")
            g.clock_snapshot = True
            i += 1
            for _ in range(4):
                _, i = _uvarint(data, i, "clock snapshot", at)
        else:
            raise TraceError(f"the sync batch at byte {at} holds event type {t} ({tf.event_name(t)})")
    if i != end:
        raise TraceError(f"the sync batch at byte {at} runs past its size")


def _cpu_samples(data: bytes, i: int, end: int, g: Generation, at: int) -> None:
    """EvCPUSample [timestamp, M, P, goroutine, stack] events, to the end of the batch."""
    ticks = g.sample_ticks
    ms = g.sample_ms
    while i < end:
        if data[i] != tf.EV_CPU_SAMPLE:
            raise TraceError(f"the CPU sample batch at byte {at} holds event type {data[i]} "
                             f"({tf.event_name(data[i])})")
        ts, i = _uvarint(data, i + 1, "CPU sample", at)
        m, i = _uvarint(data, i, "CPU sample", at)
        for _ in range(3):
            _, i = _uvarint(data, i, "CPU sample", at)
        ticks.append(ts)
        ms.append(m - _U64 if m >= 1 << 63 else m)
    if i != end:
        raise TraceError(f"the CPU sample batch at byte {at} runs past its size")


def _m_events(data: bytes, i: int, end: int, t: int, timed: tuple[int, ...], g: Generation,
              m: int, at: int, version: int) -> None:
    """Decode the timed events of one M's batch ``data[i:end]`` whose base time is ``t``.

    The hot loop of the reader: per event a type byte, its timestamp delta (added to ``t``)
    and ``timed[type] - 1`` further uvarints, skipped byte by byte.
    """
    start = i
    count = 0
    first = -1
    try:
        while i < end:
            k = timed[data[i]]
            if not k:
                raise TraceError(f"the batch of M {m} at byte {at} holds event type {data[i]} "
                                 f"({tf.event_name(data[i])}), which is not a timed event of "
                                 f"the format 'go 1.{version} trace' (at byte {i})")
            b = data[i + 1]
            i += 2
            if b < 0x80:
                t += b
            else:
                v = b & 0x7F
                s = 7
                while True:
                    b = data[i]
                    i += 1
                    v |= (b & 0x7F) << s
                    if b < 0x80:
                        break
                    s += 7
                    if s > 63:
                        raise _overflow(f"timestamp delta of M {m}", at, i)
                if v >= _U64:
                    raise _overflow(f"timestamp delta of M {m}", at, i)
                t += v
            if first < 0:
                first = t
            count += 1
            k -= 1
            while k:
                if data[i] < 0x80:
                    k -= 1
                i += 1
    except IndexError:
        raise TraceError(f"truncated: the last event of the batch at byte {at} runs past the end "
                         "of the file") from None
    if i != end:
        raise TraceError(f"the batch of M {m} at byte {at} has an event running past its size "
                         f"({size_phrase(end - start)})")
    if not count:
        return
    g.events += count
    span = g.ms.get(m)
    if span is None:
        g.ms[m] = [first, t, count]
    else:
        if first < span[0]:
            span[0] = first
        if t > span[1]:
            span[1] = t
        span[2] += count
    if g.lo is None or first < g.lo:
        g.lo = first
    if g.hi is None or t > g.hi:
        g.hi = t


def size_phrase(n: int) -> str:
    """``n`` bytes in words (``1 byte``, ``2 bytes``)."""
    return f"{n} byte" + ("" if n == 1 else "s")
