"""Ctrl-C that always stops a run, even when Python swallows the exception.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be when
the signal is handled.  If that is inside a garbage-collector callback (Hypothesis
registers one to time collections) or a ``__del__`` method, Python prints
"Exception ignored in ..." and carries on: the interrupt is lost and the run goes
on to exit 0.  :func:`installed` replaces the SIGINT handler with one that also
records the request, and the engines call :func:`check` at points where raising
is safe (the explorer every few thousand states, the Hypothesis machine at every
rule), so an interrupt the interpreter dropped is raised again there.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_requested = False


def _handler(signum: int, frame: FrameType | None) -> None:
    global _requested
    _requested = True
    raise KeyboardInterrupt


def requested() -> bool:
    """Whether Ctrl-C was pressed since :func:`installed` was entered."""
    return _requested


def check() -> None:
    """Raise ``KeyboardInterrupt`` if an interrupt was requested (and possibly swallowed)."""
    if _requested:
        raise KeyboardInterrupt


@contextmanager
def installed() -> Iterator[None]:
    """Run the body with the recording SIGINT handler (a no-op off the main thread)."""
    global _requested
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _requested = False
    old = signal.signal(signal.SIGINT, _handler)
    old_hook = sys.unraisablehook

    def hook(u: Any) -> None:
        # The swallowed interrupt is raised again by check(); its "Exception
        # ignored in ..." traceback is noise addressed to nobody.
        if not isinstance(u.exc_value, KeyboardInterrupt):
            old_hook(u)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        sys.unraisablehook = old_hook
        _requested = False
