"""Source-code values: evaluating a step on these yields its Python source.

The explorer compiles every step of a system into one specialised Python function
by running the step definitions on :class:`Expr` values (``s[3]`` and the like),
so the fast path and the reference semantics come from one definition.  A
differential test checks the compiled successor function against direct
evaluation on ints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dialect:
    """How the few constructs that differ between target languages are spelled.

    Arithmetic, bitwise and comparison operators are spelled alike in Python, C and
    Promela; booleans, the conditional expression and the logical connectives are not.
    The step definitions are the same whatever the dialect: only their printing changes.
    """

    name: str
    true: str
    false: str
    ite: str   # with {c}, {a}, {b}
    conj: str  # the separator of a conjunction
    disj: str
    neg: str   # with {x}


PYTHON = Dialect("python", "True", "False", "({a} if {c} else {b})", " and ", " or ", "(not {x})")
C = Dialect("c", "1", "0", "({c} ? {a} : {b})", " && ", " || ", "(!{x})")
PROMELA = Dialect("promela", "true", "false", "({c} -> {a} : {b})", " && ", " || ", "(!{x})")


class Expr:
    """A fragment of source (Python by default, see :class:`Dialect`) that evaluates to an
    int or a bool."""

    __slots__ = ("code",)

    # The dialect the fragments are printed in; :meth:`printing` switches it for a build.
    dialect: Dialect = PYTHON

    def __init__(self, code: str) -> None:
        self.code = code

    @staticmethod
    @contextmanager
    def printing(dialect: Dialect) -> Iterator[None]:
        """Print every fragment built inside the block in ``dialect``."""
        old, Expr.dialect = Expr.dialect, dialect
        try:
            yield
        finally:
            Expr.dialect = old

    @staticmethod
    def src(x: Any) -> str:
        if isinstance(x, Expr):
            return x.code
        if isinstance(x, bool):
            return Expr.dialect.true if x else Expr.dialect.false
        if isinstance(x, int):
            return str(x)
        raise TypeError(f"cannot compile value {x!r}")

    # Bindings made while one step is being compiled: (name, source) in order.
    # compile.py clears the list before a step and emits it before the step's body.
    bindings: list[tuple[str, str]] = []
    _counter = 0

    @staticmethod
    def bind(x: Expr) -> Expr:
        if x.code.isidentifier() or x.code.lstrip("-").isdigit():
            return x
        Expr._counter += 1
        name = f"t{Expr._counter}"
        Expr.bindings.append((name, x.code))
        return Expr(name)

    @staticmethod
    def ite(c: Any, a: Any, b: Any) -> Expr:
        if isinstance(c, bool):
            return a if c else b
        return Expr(Expr.dialect.ite.format(c=Expr.src(c), a=Expr.src(a), b=Expr.src(b)))

    @staticmethod
    def join(op: str, xs: Iterable[Any], empty: str) -> Any:
        parts = [Expr.src(x) for x in xs]
        if not parts:
            return Expr(empty)
        return Expr("(" + op.join(parts) + ")")

    @staticmethod
    def conj(xs: Iterable[Any]) -> Any:
        return Expr.join(Expr.dialect.conj, xs, Expr.dialect.true)

    @staticmethod
    def disj(xs: Iterable[Any]) -> Any:
        return Expr.join(Expr.dialect.disj, xs, Expr.dialect.false)

    @staticmethod
    def negate(x: Any) -> Expr:
        return Expr(Expr.dialect.neg.format(x=Expr.src(x)))

    def _bin(self, op: str, other: Any, rev: bool = False) -> Expr:
        a, b = Expr.src(self), Expr.src(other)
        if rev:
            a, b = b, a
        return Expr(f"({a} {op} {b})")

    def __add__(self, o: Any) -> Expr: return self._bin("+", o)
    def __radd__(self, o: Any) -> Expr: return self._bin("+", o, True)
    def __sub__(self, o: Any) -> Expr: return self._bin("-", o)
    def __rsub__(self, o: Any) -> Expr: return self._bin("-", o, True)
    def __and__(self, o: Any) -> Expr: return self._bin("&", o)
    def __rand__(self, o: Any) -> Expr: return self._bin("&", o, True)
    def __or__(self, o: Any) -> Expr: return self._bin("|", o)
    def __ror__(self, o: Any) -> Expr: return self._bin("|", o, True)
    def __xor__(self, o: Any) -> Expr: return self._bin("^", o)
    def __rxor__(self, o: Any) -> Expr: return self._bin("^", o, True)
    def __lshift__(self, o: Any) -> Expr: return self._bin("<<", o)
    def __rlshift__(self, o: Any) -> Expr: return self._bin("<<", o, True)
    def __rshift__(self, o: Any) -> Expr: return self._bin(">>", o)
    def __eq__(self, o: Any) -> Expr: return self._bin("==", o)  # type: ignore[override]
    def __ne__(self, o: Any) -> Expr: return self._bin("!=", o)  # type: ignore[override]
    def __lt__(self, o: Any) -> Expr: return self._bin("<", o)
    def __le__(self, o: Any) -> Expr: return self._bin("<=", o)
    def __gt__(self, o: Any) -> Expr: return self._bin(">", o)
    def __ge__(self, o: Any) -> Expr: return self._bin(">=", o)

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        raise TypeError(
            "a state value was used in a Python condition; use model.values.ite/all_of/any_of"
        )

    def __repr__(self) -> str:
        return f"Expr({self.code})"
