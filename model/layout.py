"""State layout (named fields of a flat int vector), program counters, and steps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from model.values import Val


class Layout:
    """Names, initial values and value ranges of the state vector's fields."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}
        self.init: list[int] = []
        self.maxv: list[int] = []
        self.labels: list[list[str] | None] = []
        self.ghost: list[bool] = []

    def add(self, name: str, init: int = 0, maxv: int = 1, *,
            labels: list[str] | None = None, ghost: bool = False) -> int:
        if name in self.index:
            raise ValueError(f"duplicate field {name}")
        i = len(self.names)
        self.names.append(name)
        self.index[name] = i
        self.init.append(init)
        self.maxv.append(max(maxv, init))
        self.labels.append(labels)
        self.ghost.append(ghost)
        return i

    def __len__(self) -> int:
        return len(self.names)

    def show(self, i: int, v: int) -> str:
        """A field value as a person reads it (program counters by name)."""
        labels = self.labels[i]
        if labels is not None and 0 <= v < len(labels):
            return labels[v]
        return str(v)


class Pcs:
    """The program counter values of one thread, in declaration order."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, name: str) -> int:
        self.names.append(name)
        return len(self.names) - 1


Guard = Callable[[Sequence[Val]], Val]
Update = Callable[[Sequence[Val]], dict[int, Val]]


@dataclass(frozen=True)
class Step:
    """One atomic step of one thread: guard and update over the state vector.

    The step is enabled when ``s[pc_field] == pc``, the M is not running a signal
    handler (``s[idle_field] == 0``, for a thread's own steps), and ``guard``
    holds.  ``update`` returns the fields it changes.  ``go`` names the Go file,
    function and statement the step stands for.
    """

    thread: str
    name: str
    go: str
    pc_field: int
    pc: int
    update: Update
    guard: Guard | None = None
    idle_field: int | None = None
    waits_on_own_m: bool = False
    waits_for: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        return f"{self.thread}:{self.name}"
