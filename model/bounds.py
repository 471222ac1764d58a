"""Bounds: how much nondeterminism one exploration admits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any


class BoundsError(ValueError):
    """A bound that is unknown, malformed or impossible; the message says how to fix it."""


@dataclass(frozen=True)
class Bounds:
    """One configuration of the model's finite parameters.

    The canonical bound is what ``gentrace check`` uses by default: small enough
    for CI, large enough that every design variant's defect shows, with two
    advances before the stop (three generations, so a parity slot is reused), a
    trace buffer of two events (so a stale batch can be appended to, not only
    refilled), and a first generation just below the top of a 4-bit word, so
    every canonical run also crosses ``traceNextGen``'s wrap-around (14, 15, 4).

    The profBufs are rings as in ``profbuf.go``: ``ring_words`` data words and
    ``ring_tags`` tags (powers of two, as newProfBuf rounds them), a sample's
    record taking ``rec_words`` words and an overflow record one word (the
    shortest record: its stack is one word, the count).  A run begins in the
    middle of a trace, so the rings' read and write positions start at
    ``ring_start`` and ``tag_start``, not at 0.  Canonically the data ring has
    two words and starts at its last one: the second of two samples lands past
    the end of the ring, which is where ``profBuf.read`` stops a read.
    """

    workers: int = 1
    sections: int = 2
    signals: int = 1
    advances: int = 2
    tracebuf: int = 2
    word: int = 4
    first_gen: int = 14
    ring_words: int = 2
    ring_tags: int = 2
    rec_words: int = 1
    ring_start: int = 1
    tag_start: int = 0
    nested: int = 1

    @property
    def top(self) -> int:
        """The largest generation value of the word (``^uintptr(0)``)."""
        return (1 << self.word) - 1

    def _top_or(self, hi: int) -> int:
        """The word's top value if the word is sound, else ``hi`` (for messages)."""
        w = self.word
        return (1 << w) - 1 if isinstance(w, int) and not isinstance(w, bool) and 4 <= w <= 64 else hi

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def validate(self) -> Bounds:
        for key, (lo, hi) in LIMITS.items():
            v = getattr(self, key)
            if not isinstance(v, int) or isinstance(v, bool):
                raise BoundsError(f"bound {key}={v!r} is not a whole number: use one from {lo} to "
                                  f"{self._top_or(hi) if key == 'first_gen' else hi}")
            if key == "first_gen":
                continue  # judged against the word below, once the word is known to be sound
            if not lo <= v <= hi:
                raise BoundsError(
                    f"bound {key}={v!r} is out of range: use a whole number from {lo} to {hi}"
                )
        if self.word % 2:
            raise BoundsError(
                f"bound word={self.word} is odd: 2^{self.word}-1 is not a multiple of 3, "
                "and traceNextGen's wrap to 4 needs it to be; use an even word size"
            )
        for key in ("ring_words", "ring_tags"):
            v = getattr(self, key)
            if v & (v - 1):
                raise BoundsError(
                    f"bound {key}={v} is not a power of two: newProfBuf rounds its rings up to "
                    "powers of two; use 1, 2, 4, 8 or 16")
        if self.ring_words < 2:
            raise BoundsError("bound ring_words=1 cannot hold an overflow record and a sample; use 2 or more")
        if 2 * self.rec_words > self.ring_words:
            raise BoundsError(
                f"bound rec_words={self.rec_words} is more than half of ring_words={self.ring_words}: "
                "such a record may never fit after the skip at the end of the ring (the real ring "
                f"is far larger than a record); use rec_words at most {self.ring_words // 2}")
        if self.ring_start >= self.ring_words:
            raise BoundsError(f"bound ring_start={self.ring_start} is not a position of a "
                              f"{self.ring_words}-word ring: use 0 to {self.ring_words - 1}")
        if self.tag_start >= self.ring_tags:
            raise BoundsError(f"bound tag_start={self.tag_start} is not a position of a "
                              f"{self.ring_tags}-tag ring: use 0 to {self.ring_tags - 1}")
        if not 1 <= self.first_gen <= self.top:
            raise BoundsError(
                f"bound first_gen={self.first_gen} does not fit a {self.word}-bit word: "
                f"use 1 to {self.top}"
            )
        return self


# Inclusive ranges.  The upper limits keep a single exhaustive run finite in
# practice; the Hypothesis engine may go further through the same type.
LIMITS: dict[str, tuple[int, int]] = {
    "workers": (0, 4),
    "sections": (0, 6),
    "signals": (0, 7),
    "advances": (0, 10),
    "tracebuf": (1, 4),
    "word": (4, 64),
    "first_gen": (1, (1 << 64) - 1),
    "ring_words": (2, 16),
    "ring_tags": (1, 16),
    "rec_words": (1, 8),
    "ring_start": (0, 15),
    "tag_start": (0, 15),
    "nested": (0, 2),
}

DOC: dict[str, str] = {
    "workers": "worker Ms writing ordinary events",
    "sections": "traceAcquire/traceRelease critical sections per worker",
    "signals": "SIGPROF deliveries in total (each may hit any M)",
    "advances": "traceAdvance calls before the final StopTrace",
    "tracebuf": "trace buffer capacity, in events",
    "word": "generation counter width in bits (even, so the top value is a multiple of 3)",
    "first_gen": "generation in force when the model starts",
    "ring_words": "words in each profBuf's data ring (a power of two)",
    "ring_tags": "tags in each profBuf's tag ring: at most this many records (a power of two)",
    "rec_words": "words in a sample's profBuf record (an overflow record takes one)",
    "ring_start": "data ring position (read = write) when the run begins",
    "tag_start": "tag ring position (read = write) when the run begins",
    "nested": "GODEBUG=traceallocfree: 0 off (nothing nests), n >= 1 on, with up to n nested "
              "traceAcquire/traceRelease pairs per critical section, before or after its own event "
              "(Go 1.24 on; go1.23 drops them)",
}

CANONICAL = Bounds()

NAMED: dict[str, Bounds] = {
    "canonical": CANONICAL,
    # Canonical with a third signal, a ring of four words and two-word sample
    # records: overflow (and its record), wraparound markers and a full tag
    # ring are all reached.  The benchmark's "larger bound".
    "large": Bounds(signals=2),
    # No workers and two signals: the smallest bound at which two records sit on
    # either side of the end of the ring (the finding single-read-drain).
    "ring": Bounds(workers=0, signals=2),
}


def parse_bounds(items: list[str] | None) -> Bounds:
    """Parse at most one named bound and any ``KEY=VALUE`` overrides, in any order.

    The overrides apply, in the order given (a later one wins), on top of the named
    bound, or on top of canonical.
    """
    names = {f.name for f in fields(Bounds)}
    named = [item for item in items or [] if "=" not in item]
    for item in named:
        if item not in NAMED:
            raise BoundsError(
                f"bound {item!r} is neither a named bound ({', '.join(NAMED)}) nor KEY=VALUE; "
                "e.g. --bound large workers=2")
    if len(named) > 1:
        raise BoundsError(
            f"more than one named bound ({', '.join(named)}): name one, then KEY=VALUE overrides "
            "on top of it, e.g. --bound large workers=2")
    b = NAMED[named[0]] if named else CANONICAL
    for item in items or []:
        if "=" not in item:
            continue
        key, _, raw = item.partition("=")
        key = key.strip().replace("-", "_")
        if key not in names:
            raise BoundsError(
                f"unknown bound {key!r}: known bounds are {', '.join(sorted(names))}"
            )
        try:
            val = int(raw.strip(), 0)
        except ValueError:
            raise BoundsError(f"bound {key}={raw!r} is not a whole number") from None
        b = replace(b, **{key: val})
    return b.validate()


def bounds_from_dict(d: Any) -> Bounds:
    """Bounds from a JSON object (as written in counterexample files)."""
    if not isinstance(d, dict):
        raise BoundsError("bounds must be a JSON object of KEY: number")
    names = {f.name for f in fields(Bounds)}
    unknown = set(d) - names
    if unknown:
        raise BoundsError(f"unknown bound {sorted(unknown)[0]!r}: known bounds are {', '.join(sorted(names))}")
    missing = names - set(d)
    if missing:
        raise BoundsError(f"bound {sorted(missing)[0]!r} is missing")
    return Bounds(**d).validate()
