"""On z3 terms, ite of two int constants is a bit-vector, so every step evaluates symbolically."""

from __future__ import annotations

import pytest
import z3
from gentrace.model import CANONICAL, build, get_design
from gentrace.model.values import as_int, ite

STEPS = ["W0:event.write", "R:read.emit", "R:read.commit", "R:read.load-w", "A:flush(W0)",
         "A:read.emit", "A:read.commit", "A:cpu-flush", "W0:sigprof.profBuf-write.record"]


def test_ite_of_int_constants_under_a_bitvector_condition_is_a_bitvector() -> None:
    x = z3.BitVec("x", 32)
    assert ite(x == 3, 1, 0).sort() == z3.BitVecSort(32)
    assert as_int(x == 3).sort() == z3.BitVecSort(32)


@pytest.mark.parametrize("key", STEPS)
def test_every_step_evaluates_on_bitvectors(key: str) -> None:
    system = build(get_design("fixed"), CANONICAL)
    xs = z3.BitVecs(" ".join(f"s{j}" for j in range(len(system.layout))), 32)
    st = system.steps[system.step_index[key]]
    system.guard(st, xs)
    for v in st.update(xs).values():
        assert not isinstance(v, z3.ExprRef) or z3.is_bv(v)
