"""Seeded random walks on the reference semantics, for the differential tests of the
compiled successor functions (tests/test_compiled.py) and the C kernel (tests/test_kernel.py)."""

from __future__ import annotations

import random

from gentrace.model import System

WALK_LEN = 200  # the reader's loop can cycle, so walks are cut at this length


def sample_states(system: System, seed: int, count: int) -> list[tuple[int, ...]]:
    """Distinct states met on seeded random walks from the initial state (``System.apply``)."""
    rng = random.Random(seed)
    seen: dict[tuple[int, ...], None] = {}
    for _ in range(50 * count):
        if len(seen) >= count:
            break
        s = system.initial
        for _ in range(WALK_LEN):
            seen[s] = None
            en = system.enabled(s)
            if not en or len(seen) >= count:
                break
            t = system.apply(s, rng.choice(en))
            assert t is not None
            s = t
    return list(seen)
