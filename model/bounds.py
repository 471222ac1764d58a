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
    One signal is enough for every defect; ``large`` adds a second, which is what
    it takes to overflow the one-record profBuf.
    """

    workers: int = 1
    sections: int = 2
    signals: int = 1
    advances: int = 2
    profbuf: int = 1
    tracebuf: int = 2
    word: int = 4
    first_gen: int = 14

    @property
    def top(self) -> int:
        """The largest generation value of the word (``^uintptr(0)``)."""
        return (1 << self.word) - 1

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def validate(self) -> Bounds:
        for key, (lo, hi) in LIMITS.items():
            v = getattr(self, key)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise BoundsError(
                    f"bound {key}={v!r} is out of range: use a whole number from {lo} to {hi}"
                )
        if self.word % 2:
            raise BoundsError(
                f"bound word={self.word} is odd: 2^{self.word}-1 is not a multiple of 3, "
                "and traceNextGen's wrap to 4 needs it to be; use an even word size"
            )
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
    "profbuf": (1, 4),
    "tracebuf": (1, 4),
    "word": (4, 64),
    "first_gen": (1, (1 << 64) - 1),
}

DOC: dict[str, str] = {
    "workers": "worker Ms writing ordinary events",
    "sections": "traceAcquire/traceRelease critical sections per worker",
    "signals": "SIGPROF deliveries in total (each may hit any M)",
    "advances": "traceAdvance calls before the final StopTrace",
    "profbuf": "profBuf capacity, in records",
    "tracebuf": "trace buffer capacity, in events",
    "word": "generation counter width in bits (even, so the top value is a multiple of 3)",
    "first_gen": "generation in force when the model starts",
}

CANONICAL = Bounds()

NAMED: dict[str, Bounds] = {
    "canonical": CANONICAL,
    # Canonical plus a second signal: two samples can race for the one profBuf
    # slot, so overflow is reached.  The benchmark's "larger bound".
    "large": Bounds(signals=2),
}


def parse_bounds(items: list[str] | None) -> Bounds:
    """Parse ``canonical``, another named bound, or ``KEY=VALUE`` overrides.

    Overrides apply on top of the named bound given first, or on top of canonical.
    """
    b = CANONICAL
    names = {f.name for f in fields(Bounds)}
    for i, item in enumerate(items or []):
        if "=" not in item:
            if item in NAMED and i == 0:
                b = NAMED[item]
                continue
            raise BoundsError(
                f"bound {item!r} is neither a named bound ({', '.join(NAMED)}) first "
                "nor KEY=VALUE; e.g. --bound workers=2 signals=3"
            )
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
