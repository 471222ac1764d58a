"""Argument types for the command line (numbers with a range, one message shape), and
the error every command raises for bad input."""

from __future__ import annotations

import argparse
import difflib
import re
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


def did_you_mean(parser: argparse.ArgumentParser, message: str) -> str:
    """An argparse error message, with "did you mean" for a misspelt command, choice or option
    (argparse before Python 3.12 suggests nothing)."""
    m = re.search(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)$", message)
    if m:
        what, bad, choices = m.group(1), m.group(2), re.findall(r"'([^']*)'", m.group(3))
        close = difflib.get_close_matches(bad, choices, n=1, cutoff=0.6)
        noun = "command" if what == "cmd" else f"value for {what}"
        hint = f": did you mean '{close[0]}'?" if close else ""
        return f"unknown {noun} '{bad}'{hint} (choose from {', '.join(choices)})"
    m = re.match(r"unrecognized arguments: (.*)$", message)
    if m:
        options = sorted({o for p in _parsers(parser) for a in p._actions for o in a.option_strings})
        hints = [f"'{w}': did you mean '{close[0]}'?" for w in m.group(1).split()
                 if w.startswith("--") and (close := difflib.get_close_matches(
                     w.split("=")[0], options, n=1, cutoff=0.7))]
        if hints:
            return f"{message} ({'; '.join(hints)})"
    return message


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and every subcommand's parser."""
    out = [parser]
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for sub in dict.fromkeys(a.choices.values()):
                out += _parsers(sub)
    return out
