"""A transition system: one design at one bound, built from the thread models.

This is the whole interface the engines use: ``initial``, ``steps`` (each with its
guard and update), ``enabled``/``apply`` on concrete states, the property
predicates, and ``successors`` compiled for speed from the same step definitions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gentrace.model.advancer import Advancer
from gentrace.model.bounds import Bounds
from gentrace.model.compile import compile_system
from gentrace.model.context import Ctx
from gentrace.model.designs import Design
from gentrace.model.handler import Handler
from gentrace.model.layout import Layout, Step
from gentrace.model.properties import PROPERTY_NAMES
from gentrace.model.reader import Reader
from gentrace.model.values import Val, all_of, any_of, neg
from gentrace.model.worker import Worker

State = tuple[int, ...]


@dataclass(frozen=True)
class Invariant:
    """A property checked on every reachable state: ``ok(s)`` must hold."""

    prop: str
    ok: Callable[[Sequence[Val]], Val]
    # The antecedent: a state in which the property says something non-trivial.
    # If no explored state satisfies it, the property is vacuous there.
    witness: Callable[[Sequence[Val]], Val]


class System:
    def __init__(self, design: Design, bounds: Bounds, unbounded: bool = False) -> None:
        """``unbounded``: the system without run bounds (see :class:`gentrace.model.context.Ctx`)."""
        self.design, self.bounds = design, bounds.validate()
        self.unbounded = unbounded
        self.ctx = c = Ctx(design, bounds, unbounded)
        self.layout: Layout = c.L
        self.workers = [Worker(c, f"W{i}") for i in range(bounds.workers)]
        self.reader = Reader(c)
        ms = [(w.name, w.seq, w.buf) for w in self.workers] + [(self.reader.name, self.reader.seq, None)]
        self.advancer = Advancer(c, ms, self.reader.pc, self.reader.DONE)
        self.threads = [*self.workers, self.reader, self.advancer]
        self.handlers: list[Handler] = []
        for t in self.threads:
            h = Handler(c, t.name, t.seq)
            t.idle = h.pc
            self.handlers.append(h)
        self.steps: list[Step] = []
        for t, h in zip(self.threads, self.handlers, strict=True):
            self.steps += t.steps()
            self.steps += h.steps()
        self.step_index = {st.key: i for i, st in enumerate(self.steps)}
        self.initial: State = tuple(self.layout.init)
        self.invariants = self._invariants()
        self.prop_index = {inv.prop: i for i, inv in enumerate(self.invariants)}
        self.compiled = compile_system(design.name, self.layout, self.steps,
                                       [(inv.ok, inv.witness) for inv in self.invariants], self.finished)

    # -- concrete semantics (the reference the compiled code is tested against) --

    def guard(self, st: Step, s: Sequence[Val]) -> Val:
        parts = [s[st.pc_field] == st.pc]
        if st.idle_field is not None:
            parts.append(s[st.idle_field] == 0)
        if st.guard is not None:
            parts.append(st.guard(s))
        return all_of(*parts)

    def apply(self, s: State, i: int) -> State | None:
        """The successor of ``s`` by step ``i``, or None if the step is not enabled."""
        st = self.steps[i]
        if not self.guard(st, s):
            return None
        out = list(s)
        for f, v in st.update(s).items():
            out[f] = int(v)
        return tuple(out)

    def enabled(self, s: State) -> list[int]:
        return [i for i, st in enumerate(self.steps) if self.guard(st, s)]

    # -- predicates --------------------------------------------------------

    def finished(self, s: Sequence[Val]) -> Val:
        """Every thread has run to completion and no handler is mid-flight."""
        return all_of(*[s[t.pc] == t.DONE for t in self.threads],
                      *[s[h.pc] == h.IDLE for h in self.handlers])

    def stopped(self, s: Sequence[Val]) -> Val:
        """StopTrace has returned and no handler is mid-flight."""
        return all_of(s[self.advancer.pc] == self.advancer.DONE,
                      *[s[h.pc] == h.IDLE for h in self.handlers])

    def accepted(self, s: Sequence[Val]) -> list[tuple[int, Val]]:
        return [(k, s[self.ctx.sgen[k]] != 0) for k in range(1, self.ctx.tracked + 1)]

    def _invariants(self) -> list[Invariant]:
        c = self.ctx
        r, a = self.reader, self.advancer

        def empty_everywhere(s):  # type: ignore[no-untyped-def]
            # No record a reader has not been handed, and none handed and unwritten.
            parts = [pb.empty(s) for pb in c.pb]
            parts += [s[d.left] == 0 for d in (r, a)]
            parts += [s[tb.hdr] == 0 for tb in c.cpubuf]
            parts += [s[tb.hdr] == 0 for w in self.workers for tb in w.buf]
            return all_of(*parts)

        def conserved(s):  # type: ignore[no-untyped-def]
            em, ov = s[c.emitted], s[c.overflowed]
            each = [any_of(s[c.sgen[k]] == 0, ((em | ov) & (1 << k)) != 0)
                    for k in range(1, c.tracked + 1)]
            return all_of(s[c.viol["sample-conservation"]] == 0,
                          any_of(neg(self.stopped(s)), all_of(*each)))

        def single(s):  # type: ignore[no-untyped-def]
            both = all_of(r.draining(s), a.draining(s), r.prof(s) == a.prof(s))
            writers = []
            for p in range(c.nprof):
                at = [all_of(h.writing(s), (c.prof_of(s[h.g]) if h.g is not None else 0) == p)
                      for h in self.handlers]
                for i in range(len(at)):
                    for j in range(i + 1, len(at)):
                        writers.append(all_of(at[i], at[j]))
            return neg(any_of(both, *writers))

        def self_wait(s):  # type: ignore[no-untyped-def]
            stuck = []
            for st in self.steps:
                if st.waits_on_own_m:
                    assert st.guard is not None
                    stuck.append(all_of(s[st.pc_field] == st.pc, neg(st.guard(s))))
            return neg(any_of(*stuck))

        def sticky(p: str):  # type: ignore[no-untyped-def]
            return lambda s: s[c.viol[p]] == 0

        any_samples = lambda s: s[c.emitted] != 0  # noqa: E731
        flushes_events = lambda s: (s[c.flushes] & 1) != 0  # noqa: E731
        invs = [
            Invariant("sample-generation", sticky("sample-generation"), any_samples),
            Invariant("event-generation", sticky("event-generation"), flushes_events),
            Invariant("flush-before-seal", sticky("flush-before-seal"),
                      lambda s: s[c.flushes] != 0),
            Invariant("no-unflushed-at-stop",
                      lambda s: any_of(neg(self.stopped(s)), empty_everywhere(s)), self.stopped),
            Invariant("sample-conservation", conserved,
                      lambda s: all_of(self.stopped(s), any_of(*[v for _, v in self.accepted(s)]))),
            Invariant("deadlock-freedom", self_wait, self.finished),
            Invariant("single-reader", single,
                      lambda s: any_of(r.draining(s), a.draining(s))),
            Invariant("generation-order", sticky("generation-order"),
                      lambda s: any_of(*[s[w.last] != 0 for w in self.workers])),
            Invariant("reader-lifetime",
                      lambda s: any_of(s[r.pc] != r.DONE, s[c.gen] == 0),
                      lambda s: s[r.pc] == r.DONE),
            # m.locks (acquirem/releasem): once a worker's section is over, nothing of it
            # is left held.  Witness: a worker at its traceRelease (a section ends next).
            Invariant("locks-balanced",
                      lambda s: all_of(*[any_of(neg(w.outside(s)), s[w.locks] == 0)
                                         for w in self.workers]),
                      lambda s: any_of(*[s[w.pc] == w.RELEASE for w in self.workers])),
        ]
        assert [i.prop for i in invs] == list(PROPERTY_NAMES)
        return invs

    # -- presentation ------------------------------------------------------

    def diff(self, s: State, t: State) -> list[tuple[str, str, str]]:
        """The fields that differ between two states, as (name, before, after)."""
        L = self.layout
        return [(L.names[i], L.show(i, s[i]), L.show(i, t[i]))
                for i in range(len(s)) if s[i] != t[i]]

    def describe_state(self, s: State) -> dict[str, Any]:
        L = self.layout
        return {L.names[i]: L.show(i, v) for i, v in enumerate(s)}

    def stuck_threads(self, s: State) -> list[str]:
        """Threads (and handlers) that have not finished in ``s``, with what they wait for."""
        out = []
        en = set(self.enabled(s))
        for t, h in zip(self.threads, self.handlers, strict=True):
            if s[h.pc] != h.IDLE:
                out.append(f"{t.name} in SIGPROF handler at {self.layout.show(h.pc, s[h.pc])}"
                           + self._waiting(s, h.pc, en))
            elif s[t.pc] != t.DONE:
                out.append(f"{t.name} at {self.layout.show(t.pc, s[t.pc])}"
                           + self._waiting(s, t.pc, en))
        return out

    def _waiting(self, s: State, pc_field: int, en: set[int]) -> str:
        for i, st in enumerate(self.steps):
            if st.pc_field == pc_field and s[pc_field] == st.pc and i not in en and st.waits_for:
                return f" waiting for {st.waits_for}"
        return ""


_CACHE: dict[tuple[str, str, Bounds, bool], System] = {}


def build(design: Design, bounds: Bounds, unbounded: bool = False) -> System:
    """The system for ``design`` (on its release) at ``bounds`` (built once per process).

    ``unbounded``: without run bounds (``sections``, ``signals``, ``advances`` ignored)."""
    key = (design.name, design.release.name, bounds, unbounded)
    if key not in _CACHE:
        _CACHE[key] = System(design, bounds, unbounded)
    return _CACHE[key]
