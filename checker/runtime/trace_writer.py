"""A small writer of Go execution traces, for tests: hand-made traces with known contents.

It writes the wire format :mod:`gentrace.runtime.trace_format` describes, for any supported
format version: per generation a frequency batch (a sync batch with a clock snapshot from
Go125), a strings and a stacks batch (so the reader has something to skip), one batch of
timed events per M at the given tick times, a CPU sample batch, and from Go126 the
end-of-generation marker.  Events alternate between types with one, three and four
arguments, with multi-byte argument values, so that a reader that miscounts arguments or
varint bytes loses its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gentrace.runtime import trace_format as tf


def uvarint(v: int) -> bytes:
    """``v`` as an unsigned LEB128 varint (Go's ``binary.AppendUvarint``)."""
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def header(version: int) -> bytes:
    """The 16-byte header of format version ``version`` (any number: for bad-version tests)."""
    return f"go 1.{version} trace".encode() + b"\x00\x00\x00"


def batch(gen: int, m: int, ts: int, payload: bytes) -> bytes:
    """An EvEventBatch: header (generation, M, base time, size) and ``payload``."""
    return (bytes([tf.EV_EVENT_BATCH]) + uvarint(gen) + uvarint(m % (1 << 64)) + uvarint(ts)
            + uvarint(len(payload)) + payload)


# Timed events used: ProcStop [dt], GoStart [dt, g, seq], GoUnblock [dt, g, seq, stack].
_SHAPES = ((11, 0), (16, 2), (21, 3))


def m_batch(gen: int, m: int, times: list[int]) -> bytes:
    """One batch of M ``m``'s timed events at the tick times ``times`` (nondecreasing)."""
    base = times[0] - 5 if times and times[0] >= 5 else 0
    out = bytearray()
    last = base
    for k, t in enumerate(times):
        typ, extra = _SHAPES[k % len(_SHAPES)]
        out.append(typ)
        out += uvarint(t - last)
        for j in range(extra):
            out += uvarint(1000 + 300 * k + 70000 * j)  # multi-byte arguments
        last = t
    return batch(gen, m, base, bytes(out))


def sample_batch(gen: int, samples: list[tuple[int, int]]) -> bytes:
    """A CPU sample batch: each sample (tick time, M) with P 0, goroutine 1, stack 1."""
    out = bytearray([tf.EV_CPU_SAMPLES])
    for ts, m in samples:
        out.append(tf.EV_CPU_SAMPLE)
        out += uvarint(ts) + uvarint(m) + uvarint(0) + uvarint(1) + uvarint(1)
    return batch(gen, -1, samples[0][0] if samples else 0, bytes(out))


def sync_batch(gen: int, freq: int, version: int, ts: int) -> bytes:
    """The frequency batch (Go122/Go123), or the sync batch with a clock snapshot (Go125 on)."""
    if version >= tf.GO125:
        payload = (bytes([tf.EV_SYNC, tf.EV_FREQUENCY]) + uvarint(freq)
                   + bytes([tf.EV_CLOCK_SNAPSHOT]) + uvarint(3) + uvarint(ts) + uvarint(1_700_000_000)
                   + uvarint(5))
    else:
        payload = bytes([tf.EV_FREQUENCY]) + uvarint(freq)
    return batch(gen, -1, ts, payload)


def strings_and_stacks(gen: int) -> bytes:
    """A strings batch (two strings) and a stacks batch (one stack of one frame)."""
    strings = bytes([tf.EV_STRINGS])
    for sid, text in ((1, b"main.burn"), (2, b"main.go")):
        strings += bytes([tf.EV_STRING]) + uvarint(sid) + uvarint(len(text)) + text
    stacks = bytes([tf.EV_STACKS, tf.EV_STACK]) + uvarint(1) + uvarint(1)
    stacks += uvarint(0x401000) + uvarint(1) + uvarint(2) + uvarint(42)
    return batch(gen, -1, 0, strings) + batch(gen, -1, 0, stacks)


@dataclass
class HandGen:
    """One generation of a hand-made trace."""

    gen: int
    events: dict[int, list[int]] = field(default_factory=dict)  # M -> tick times of its events
    samples: list[tuple[int, int]] = field(default_factory=list)  # (tick time, M)
    freq: int | None = 1_000_000_000  # ticks per second; None: no frequency batch
    end: bool = True  # Go126: write the end-of-generation marker


def write_trace(gens: list[HandGen], version: int = tf.GO126) -> bytes:
    """The bytes of a trace of format ``version`` holding ``gens`` in this order."""
    out = bytearray(header(version))
    for g in gens:
        first = min((t[0] for t in g.events.values() if t), default=1)
        if g.freq is not None:
            out += sync_batch(g.gen, g.freq, version, first)
        out += strings_and_stacks(g.gen)
        for m, times in g.events.items():
            out += m_batch(g.gen, m, times)
        if g.samples:
            out += sample_batch(g.gen, g.samples)
        if version >= tf.GO126 and g.end:
            out.append(tf.EV_END_OF_GENERATION)
    return bytes(out)
