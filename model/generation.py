"""The generation counter: traceNextGen and the order of generations.

Go: ``trace2.go traceNextGen``: ``gen + 1``, except at ``^uintptr(0)`` where it
wraps to 4, so ``gen % 2`` and ``gen % 3`` keep alternating and no value is 0.
"""

from __future__ import annotations

from gentrace.model.values import Val, all_of, any_of, ite


def next_gen(g: Val, top: int, wrap_to: int = 4) -> Val:
    """traceNextGen over a word whose top value is ``top``."""
    return ite(g == top, wrap_to, g + 1)


def next_gen_int(g: int, top: int, wrap_to: int = 4) -> int:
    return wrap_to if g == top else g + 1


def sequence(first: int, count: int, top: int, wrap_to: int = 4) -> list[int]:
    """The first ``count`` generation values of a run starting at ``first``."""
    out = [first]
    while len(out) < count:
        out.append(next_gen_int(out[-1], top, wrap_to))
    return out


def is_sealed(flushed: Val, h: Val, gens: list[int]) -> Val:
    """Whether generation ``h`` is already finished, given ``flushedGen``.

    Generation values wrap, so "``flushedGen < h``" is taken in run order: ``h``
    is finished when it is ``flushedGen`` or comes before it in ``gens`` (the
    run's generations, first to last).  ``flushedGen == 0``: nothing finished.
    A value that repeats within a run (possible only with a defective wrap)
    counts as finished from its first occurrence on.
    """
    cases = []
    for k, fk in enumerate(gens):
        earlier = sorted(set(gens[: k + 1]))
        cases.append(all_of(flushed == fk, any_of(*[h == gj for gj in earlier])))
    return any_of(*cases)


def is_before(h: Val, m: Val, gens: list[int]) -> Val:
    """Whether generation ``h`` comes strictly before ``m`` in the run (first occurrences)."""
    first: dict[int, int] = {}
    for k, g in enumerate(gens):
        first.setdefault(g, k)
    cases = []
    for gm, km in first.items():
        earlier = [gh for gh, kh in first.items() if kh < km]
        if earlier:
            cases.append(all_of(m == gm, any_of(*[h == gh for gh in earlier])))
    return any_of(*cases)


def later_of(h: Val, m: Val, gens: list[int]) -> Val:
    """The later of two generations in run order (0, no generation yet, is the earliest)."""
    return ite(any_of(m == 0, is_before(m, h, gens)), h, m)


def cycle(top: int, wrap_to: int = 4) -> list[int]:
    """The values ``traceNextGen`` cycles through on a word whose top value is ``top``."""
    out = [wrap_to]
    while (n := next_gen_int(out[-1], top, wrap_to)) != wrap_to:
        out.append(n)
    return out


def rotations(cyc: list[int]) -> list[dict[int, int]]:
    """Value maps moving every generation 2, 4, ... places along the cycle ``cyc``.

    The protocol compares generations only with each other and with 0, takes ``g % 2``
    and advances by ``traceNextGen``: a rotation by an even number of places commutes with
    all of these when the cycle has even length (parities are kept).  A cycle of odd
    length (a wrap to 1) has no such rotation but the identity: none is returned."""
    if len(cyc) % 2:
        return []
    return [{v: cyc[(i + k) % len(cyc)] for i, v in enumerate(cyc)} for k in range(2, len(cyc), 2)]
