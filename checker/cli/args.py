"""Argument types for the command line (numbers with a range, one message shape), and
the error every command raises for bad input."""

from __future__ import annotations

import argparse
from collections.abc import Callable


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


def number(conv: Callable[[str], float], noun: str, ok: Callable[[float], bool],
           rule: str) -> Callable[[str], float]:
    """An argparse type: ``conv(text)`` must parse (else "is not {noun}") and satisfy ``ok``."""

    def parse(text: str) -> float:
        try:
            v = conv(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not ok(v):
            raise argparse.ArgumentTypeError(f"{text} must be {rule}")
        return v

    return parse


positive_int = number(int, "a whole number", lambda v: v >= 1, "at least 1")
positive_float = number(float, "a number of seconds", lambda v: v > 0, "more than 0")
seed = number(lambda t: int(t, 0), "a whole number", lambda v: 0 <= v < 1 << 64, "from 0 to 2^64-1")
