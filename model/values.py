"""The small value interface every step is written against.

A step's guard and update are ordinary Python expressions over the state vector.
Arithmetic, comparison and bit operators work unchanged on three kinds of value:

* plain Python ints (the concrete model: replay, tests, reference semantics),
* z3 bit-vector terms (symbolic evaluation of the very same step definitions),
* :class:`gentrace.model.expr.Expr` source fragments (compiled into the fast explorer).

What Python cannot overload (``if``, ``and``, ``or``, ``not``) goes through the
helpers below, which dispatch on the type of their arguments.  Only non-negative
values occur, so bit-vector semantics and integer semantics agree as long as the
z3 width is large enough (see ``model.smt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gentrace.model.expr import Expr

Val = Any

try:  # z3 is a declared dependency, but the concrete model must not need it.
    import z3 as _z3
except ImportError:  # pragma: no cover - exercised only without z3 installed
    _z3 = None


def _kind(*xs: Val) -> str:
    for x in xs:
        if isinstance(x, Expr):
            return "expr"
    if _z3 is not None:
        for x in xs:
            if isinstance(x, _z3.ExprRef):
                return "z3"
    return "int"


def ite(c: Val, a: Val, b: Val) -> Val:
    """``a if c else b`` for every value kind (both branches are evaluated)."""
    k = _kind(c, a, b)
    if k == "expr":
        return Expr.ite(c, a, b)
    if k == "z3":
        if isinstance(a, int) and isinstance(b, int):
            # Two Python constants would make an Int-sorted term; state fields
            # are bit-vectors, so lift the constants to the condition's width.
            w = _bv_width(c)
            a, b = _z3.BitVecVal(a, w), _z3.BitVecVal(b, w)
        return _z3.If(_as_bool(c), a, b)
    return a if c else b


def all_of(*xs: Val) -> Val:
    """Conjunction."""
    k = _kind(*xs)
    if k == "expr":
        return Expr.conj(xs)
    if k == "z3":
        return _z3.And(*[_as_bool(x) for x in xs])
    return all(xs)


def any_of(*xs: Val) -> Val:
    """Disjunction."""
    k = _kind(*xs)
    if k == "expr":
        return Expr.disj(xs)
    if k == "z3":
        return _z3.Or(*[_as_bool(x) for x in xs])
    return any(xs)


def neg(x: Val) -> Val:
    """Logical negation."""
    k = _kind(x)
    if k == "expr":
        return Expr.negate(x)
    if k == "z3":
        return _z3.Not(_as_bool(x))
    return not x


def let(x: Val) -> Val:
    """Name an intermediate value so that using it twice does not copy it twice.

    On ints and z3 terms this is the identity (z3 shares subterms already).  On
    :class:`Expr` values it emits ``tN = <source>`` into the step being compiled
    and returns ``tN``: a value scanned in a loop (the profBuf's records) would
    otherwise be pasted into its own next iteration, doubling the source each time.
    """
    if isinstance(x, Expr):
        return Expr.bind(x)
    return x


def minimum(a: Val, b: Val) -> Val:
    """``min(a, b)`` for every value kind."""
    return ite(a <= b, a, b)


def as_int(c: Val) -> Val:
    """A truth value as the int 1 or 0, for storing in the state vector."""
    return ite(c, 1, 0)


def bit(i: Val) -> Val:
    """The mask with bit ``i`` set."""
    return 1 << i


def has_bit(mask: Val, i: int) -> Val:
    """Whether bit ``i`` (a Python int) of ``mask`` is set."""
    return (mask & (1 << i)) != 0


def select(i: Val, options: Sequence[Val]) -> Val:
    """``options[i]`` for a value ``i`` that may be symbolic (out of range: last)."""
    out = options[-1]
    for j in range(len(options) - 2, -1, -1):
        out = ite(i == j, options[j], out)
    return out


# Width for constants when no bit-vector term says otherwise.
DEFAULT_BV_WIDTH = 32


def _bv_width(x: Val) -> int:
    """The width of the first bit-vector term inside ``x`` (a z3 expression)."""
    todo = [x]
    seen = 0
    while todo and seen < 10_000:
        e = todo.pop()
        seen += 1
        if _z3.is_bv(e):
            return int(e.size())
        if isinstance(e, _z3.ExprRef):
            todo.extend(e.children())
    return DEFAULT_BV_WIDTH


def _as_bool(x: Val) -> Val:
    if _z3 is not None and isinstance(x, _z3.BoolRef):
        return x
    if isinstance(x, bool):
        return _z3.BoolVal(x)
    if _z3 is not None and isinstance(x, _z3.ExprRef):
        return x != 0
    return _z3.BoolVal(bool(x))
