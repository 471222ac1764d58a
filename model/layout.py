"""State layout (named fields of a flat int vector), program counters, and steps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from gentrace.model.values import Val


class Layout:
    """Names, initial values and value ranges of the state vector's fields."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}
        self.init: list[int] = []
        self.maxv: list[int] = []
        self.labels: list[list[str] | None] = []
        self.bits: list[list[str] | None] = []
        self.ghost: list[bool] = []
        # Fields that hold a generation value (or 0): what a rotation of the generation
        # cycle acts on.
        self.gen: list[bool] = []

    def add(self, name: str, init: int = 0, maxv: int = 1, *,
            labels: list[str] | None = None, bits: list[str] | None = None,
            ghost: bool = False, gen: bool = False) -> int:
        """A field; ``labels`` names its values (a program counter), ``bits`` names the
        bits of a field that is a set (bit i stands for ``bits[i]``)."""
        if name in self.index:
            raise ValueError(f"duplicate field {name}")
        i = len(self.names)
        self.names.append(name)
        self.index[name] = i
        self.init.append(init)
        self.maxv.append(max(maxv, init))
        self.labels.append(labels)
        self.bits.append(bits)
        self.ghost.append(ghost)
        self.gen.append(gen)
        return i

    def __len__(self) -> int:
        return len(self.names)

    def show(self, i: int, v: int) -> str:
        """A field value as a person reads it: program counters by name, a set field as
        the set of what its bits stand for (``{#1,#2}``, ``{}`` when empty).  ``gen``: the
        field holds a generation value or 0."""
        labels = self.labels[i]
        if labels is not None and 0 <= v < len(labels):
            return labels[v]
        bits = self.bits[i]
        if bits is not None:
            return show_set(bits, v)
        return str(v)


def show_set(bits: list[str], v: int) -> str:
    """The bitmask ``v`` as the set of the names of its bits (an unnamed bit as ``bit<i>``)."""
    names = [bits[i] if i < len(bits) else f"bit{i}" for i in range(v.bit_length()) if v >> i & 1]
    return "{" + ",".join(names) + "}"


def sample_bits(signals: int) -> list[str]:
    """Bit names of a mask of sample ids: bit k stands for sample #k (ids start at 1).

    Bit 0 (``#?``) is set only when a reader writes a record whose first word was already
    freed, which happens when two readers drain one profBuf at once (``single-reader``
    broken): the model clears the words a read commits past, so the id is gone."""
    return ["#?"] + [f"#{k}" for k in range(1, signals + 1)]


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
