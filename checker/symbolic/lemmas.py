"""Arithmetic lemmas on traceNextGen, proved on bit-vectors by z3.

Go (``trace.go``/``trace2.go``)::

    func traceNextGen(gen uintptr) uintptr {
        if gen == ^uintptr(0) {
            // gen is used both %2 and %3 and we want both patterns to continue when
            // we loop around. ^uint32(0) and ^uint64(0) are both odd and multiples of
            // 3. Therefore the next generation number is 4.
            return 4
        }
        return gen + 1
    }

Each lemma is a formula over a w-bit ``gen`` that z3 proves valid (its negation is
unsatisfiable) or refutes with a concrete witness.  The model runs a small word
(``--bound word=W``, canonically 4 bits); :func:`small_word_lemmas` proves, for every
word size the bounds allow, the facts that make a small word stand for the real one:
its top value is odd and a multiple of 3, so the wrap to 4 continues both the
parity and the mod-3 pattern exactly as at 32 and 64 bits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import z3


def next_gen(g: z3.BitVecRef, wrap_to: int = 4) -> z3.BitVecRef:
    w = g.size()
    return z3.If(g == z3.BitVecVal((1 << w) - 1, w), z3.BitVecVal(wrap_to, w), g + 1)


@dataclass
class Lemma:
    name: str
    width: int
    statement: str
    verdict: str           # proved | refuted | incomplete
    witness: int | None    # a gen that refutes it, when refuted
    seconds: float


def _decide(name: str, width: int, statement: str, claim: z3.BoolRef, g: z3.ExprRef,
            timeout_ms: int = 60_000) -> Lemma:
    t = time.perf_counter()
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.add(z3.Not(claim))
    r = s.check()
    secs = time.perf_counter() - t
    if r == z3.unsat:
        return Lemma(name, width, statement, "proved", None, secs)
    if r == z3.sat:
        return Lemma(name, width, statement, "refuted", _num(s.model().eval(g, model_completion=True)),
                     secs)
    return Lemma(name, width, statement, "incomplete", None, secs)


def _num(v: z3.ExprRef) -> int:
    return v.as_long()


def _urem(x: z3.BitVecRef, m: int) -> z3.BitVecRef:
    return z3.URem(x, z3.BitVecVal(m, x.size()))


def next_gen_lemmas(width: int, wrap_to: int = 4) -> list[Lemma]:
    """The lemmas on ``traceNextGen`` (or its variant wrapping to ``wrap_to``) at ``width`` bits.

    "Never zero" is decided on the bit-vector itself, where ``gen + 1`` wraps.  The
    residue lemmas are decided on the integers the word holds: ``gen`` ranges over
    0..2^width-1 and ``traceNextGen`` is ``wrap_to`` at the top and ``gen + 1`` below
    it, which never overflows, so the integer function is exactly the machine one.
    Bit-blasting a remainder by 3 of a 64-bit word is beyond the solver's patience;
    linear integer arithmetic with ``mod`` by a constant is not.
    """
    g = z3.BitVec("gen", width)
    sfx = "" if wrap_to == 4 else f"[wrap to {wrap_to}]"
    top = (1 << width) - 1
    gi = z3.Int("gen")
    in_word = z3.And(gi >= 1, gi <= top)  # g != 0

    def nxt(x: z3.ArithRef) -> z3.ArithRef:
        return z3.If(x == top, z3.IntVal(wrap_to), x + 1)

    n1, n2 = nxt(gi), nxt(nxt(gi))
    return [
        _decide("never-zero", width, f"traceNextGen{sfx}(g) != 0 for every g",
                next_gen(g, wrap_to) != 0, g),
        _decide("parity-alternates", width,
                f"g != 0 implies g and traceNextGen{sfx}(g) differ in parity",
                z3.Implies(in_word, gi % 2 != n1 % 2), gi),
        _decide("mod3-alternates", width,
                f"g != 0 implies g, traceNextGen{sfx}(g) and the next one after it are distinct mod 3",
                z3.Implies(in_word, z3.And(gi % 3 != n1 % 3, n1 % 3 != n2 % 3, gi % 3 != n2 % 3)),
                gi),
    ]


def small_word_lemmas(width: int) -> list[Lemma]:
    """Why a ``width``-bit word stands for the real one: the facts the runtime relies on."""
    top = z3.BitVecVal((1 << width) - 1, width)
    g = z3.BitVec("gen", width)  # unused by the closed facts; kept for a uniform result
    return [
        _decide("top-odd", width, "the top value ^uintN(0) is odd", _urem(top, 2) == 1, g),
        _decide("top-multiple-of-3", width, "the top value ^uintN(0) is a multiple of 3",
                _urem(top, 3) == 0, g),
        _decide("wrap-continues-pattern", width,
                "the wrap value 4 follows the top as top + 1 would: even, and 1 mod 3",
                z3.And(_urem(z3.BitVecVal(4, width), 2) == 0,
                       _urem(z3.BitVecVal(4, width), 3) == 1), g),
    ] + next_gen_lemmas(width)
