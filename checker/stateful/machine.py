"""The RuleBasedStateMachine the Hypothesis engine runs: one model run per example.

:func:`machine_class` builds it from a :class:`~model.System`, for any design and
bound.  Its state is one state of the model, starting at ``system.initial``.

Rules, which are the scheduling choices of one run:

* ``start(first_signal_at)``: SIGPROF may land once that many atomic steps have
  run.  A timer signal can come at any time; without this, a rule chosen as
  often as any other would deliver every signal within the first few calls, and
  the defects that need a sample near StopTrace would hardly ever be tried.
* ``run(order)``: a schedule written as a string, one letter per thread:
  ``w x y z`` for the workers W0..W3, ``r`` for the CPU reader, ``a`` for the
  advancer.  A lower-case letter lets that thread take one atomic step, an
  upper-case one up to four (so ``"wAAr"`` reads "W0 steps, the advancer runs up to
  eight steps, the reader steps").  A thread's steps include those of the
  SIGPROF handler running on its M, which is all it can do while the handler
  is in flight.  Naming threads rather than indexing the enabled steps keeps a
  letter's meaning when Hypothesis deletes what came before it, so a shrunk
  failure reads as a schedule; a string is one choice, so a whole stretch of
  fine-grained interleaving costs Hypothesis no more than one rule argument.
* ``sigprof(m, after)``: M takes ``after`` more steps of its own, then a SIGPROF
  lands on it: "the signal lands on W0 just after its traceAcquire".  Where the
  handler then stalls is up to the ``run`` strings that follow.  (A third
  argument, the handler steps to take before the M is preempted, was tried and
  bought nothing: median examples to the first failure over 20 random seeds,
  without / with it, 63 / 97 for handler-no-seqlock, 188 / 194 for
  handler-gen-before-seqlock, 27 / 69 for reader-unlocked.)

The invariant is every model property checked by this run (all are state
predicates: the model keeps a sticky ghost bit for those about transitions),
and it is checked after every atomic step, not only after every rule.

The teardown drives the run to its end without new signals: first with a fair
round-robin scheduler (advances, then StopTrace, then every thread finishing;
a state where nothing can move before everyone is done is a deadlock), then
once more from the same point for each thread given priority over the others,
so a thread paused when the rules ended can stay paused while the rest of the
run goes on; that is how a late SIGPROF handler meets a finished generation.

Only the model's interface is used: ``initial``, ``compiled.successors``,
``compiled.violated``, ``compiled.finished``, each step's thread and tags, and
the state layout's field names (to notice that a run crossed the generation
counter's wrap).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from gentrace.core import interrupt
from gentrace.core.explain import explain
from gentrace.model import PROPERTY_NAMES, System
from gentrace.stateful.schedules import DEFAULT, PCT, Plan, Swarm, plans, targeted
from hypothesis import strategies as st
from hypothesis import target
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

State = tuple[int, ...]
Succs = list[tuple[int, State]]

MAX_ORDER = 32  # letters in one ``run`` string
LONG = 4        # steps an upper-case letter allows
MAX_AFTER = 7   # steps an M may take before its signal lands
# A fair schedule of the largest bounds finishes in a few hundred steps; far more
# means the model cycles, which the teardown notices long before this.
TEARDOWN_CAP = 100_000


class EngineError(RuntimeError):
    """The engine itself went wrong (a failure that does not replay, a livelock)."""


class PropertyViolation(AssertionError):
    """A run of the model violated ``prop``; ``path`` is the step sequence to it."""

    prop: str = ""

    def __init__(self, kind: str, message: str, path: list[int]) -> None:
        super().__init__(f"{self.prop} ({kind}): {message} after {len(path)} steps")
        self.kind, self.message, self.path = kind, message, path


def _camel(prop: str) -> str:
    return "".join(w.capitalize() for w in prop.split("-"))


# One exception type per property: Hypothesis tells bugs apart by the exception
# type and the line that raised it, so each property is shrunk on its own and
# one run can report several.
VIOLATIONS: dict[str, type[PropertyViolation]] = {
    p: type(f"{_camel(p)}Violated", (PropertyViolation,), {"prop": p, "__module__": __name__})
    for p in PROPERTY_NAMES
}


class Schedule:
    """The scheduler's view of a system: threads, their letters, step tables.

    At most one of a thread's own steps is enabled at a time (its program, or
    its M's handler while one is in flight); signal deliveries are told apart
    by their ``deliver`` tag.
    """

    def __init__(self, system: System) -> None:
        self.system = system
        self.threads: list[str] = list(dict.fromkeys(s.thread for s in system.steps))
        tix = {t: k for k, t in enumerate(self.threads)}
        self.thread_of = [tix[s.thread] for s in system.steps]
        self.deliver = ["deliver" in s.tags for s in system.steps]
        # A handler's steps share their pc with the delivery of a signal on that M.
        handler_pc = {s.pc_field for s in system.steps if "deliver" in s.tags}
        self.handler = [s.pc_field in handler_pc and "deliver" not in s.tags for s in system.steps]
        self.handler_pc = {tix[s.thread]: s.pc_field for s in system.steps if "deliver" in s.tags}
        self.targets = [t for t in self.threads if tix[t] in self.handler_pc]
        self.succ = system.compiled.successors
        self.viol = system.compiled.violated
        self.fin = system.compiled.finished
        self.letters = _letters(self.threads)
        self.letter: dict[str, tuple[int, int]] = {}
        for k, c in enumerate(self.letters):
            self.letter[c] = (k, 1)
            self.letter[c.upper()] = (k, LONG)
        self.alphabet = "".join(sorted(self.letter))
        self.gen_field = system.layout.index["gen"]
        self.top = system.bounds.top
        self.horizon = self.fair_length()

    def own(self, succs: Succs, t: int) -> tuple[int, State] | None:
        """Thread ``t``'s step (its handler's while one is in flight)."""
        for i, s in succs:
            if self.thread_of[i] == t and not self.deliver[i]:
                return i, s
        return None

    def delivery(self, succs: Succs, t: int) -> tuple[int, State] | None:
        for i, s in succs:
            if self.thread_of[i] == t and self.deliver[i]:
                return i, s
        return None

    def complete(self, s: State, succs: Succs,
                 first: int | None = None) -> Iterator[tuple[int, State, Succs]]:
        """The rest of a run from ``s``: steps, with each new state's successors.

        No new signals unless nothing else can move.  ``first`` None: fair round
        robin, each thread in turn takes one step.  Otherwise thread ``first``
        moves whenever it can and the others share the rest; if that makes the run
        cycle (a spinning reader starving the thread it waits for), the rest is
        fair.  Ends when every thread is done, when nothing can move, or when the
        fair schedule comes back to a state it was in.
        """
        n = len(self.threads)
        turn = 0
        seen: set[tuple[State, int]] = set()
        for _ in range(TEARDOWN_CAP):
            if self.fin(s) or not succs:
                return
            key = (s, turn if first is None else -1)
            if key in seen:
                if first is None:
                    return
                first = None
                seen.clear()
                continue
            seen.add(key)
            nxt = self.own(succs, first) if first is not None else None
            if nxt is None:
                for k in range(n):
                    t = (turn + k) % n
                    nxt = self.own(succs, t)
                    if nxt is not None:
                        turn = (t + 1) % n
                        break
                else:
                    nxt = next((x for x in succs if self.deliver[x[0]]), succs[0])
            s = nxt[1]
            succs = self.succ(s)
            yield nxt[0], s, succs
        raise EngineError(f"{self.system.design.name}: a schedule did not finish in "
                          f"{TEARDOWN_CAP} steps")

    def pct(self, s: State, succs: Succs, plan: PCT) -> Iterator[tuple[int, State, Succs]]:
        """The run from ``s`` that a PCT plan schedules (see :mod:`gentrace.stateful.schedules`).

        Ends when every thread is done, when only a signal could move, or after
        ``TEARDOWN_CAP`` steps (the teardown then takes over).
        """
        tix = {t: k for k, t in enumerate(self.threads)}
        n, d = len(self.threads), len(plan.changes) + 1
        prio = {tix[t]: d + n - 1 - r for r, t in enumerate(plan.priorities)}
        changes, signals = list(plan.changes), list(plan.signals)
        ci = si = 0
        lowest = 0  # a spinning thread yields below every priority given so far
        seen = {s}
        for step in range(TEARDOWN_CAP):
            if self.fin(s) or not succs:
                return
            nxt = None
            if si < len(signals) and signals[si][0] <= step:
                nxt = self.delivery(succs, tix[signals[si][1]])
                if nxt is not None or not any(self.deliver[i] for i, _ in succs):
                    si += 1  # landed, or no signal can land any more: it is spent
            if nxt is None:
                best = -1 << 30
                for i, t in succs:
                    if not self.deliver[i] and prio[self.thread_of[i]] > best:
                        best, nxt = prio[self.thread_of[i]], (i, t)
            if nxt is None:
                return
            i, s = nxt
            succs = self.succ(s)
            yield i, s, succs
            th = self.thread_of[i]
            while ci < len(changes) and changes[ci] <= step + 1:
                ci += 1
                prio[th] = d - ci
                lowest = min(lowest, prio[th])
            if s in seen:
                lowest -= 1
                prio[th] = lowest
            seen.add(s)

    def fair_length(self) -> int:
        """Steps a signal-free round-robin run takes from the initial state to the end.

        Also sets ``own_steps``: how many of them each thread took.
        """
        s, n, turn, taken = self.system.initial, len(self.threads), 0, 0
        self.own_steps = [0] * n
        while not self.fin(s) and taken < TEARDOWN_CAP:
            succs = self.succ(s)
            for k in range(n):
                nxt = self.own(succs, (turn + k) % n)
                if nxt is not None:
                    self.own_steps[(turn + k) % n] += 1
                    turn = (turn + k + 1) % n
                    s = nxt[1]
                    taken += 1
                    break
            else:
                break
        return taken


def _letters(threads: list[str]) -> str:
    """One lower-case letter per thread: w..z for W0..W3, else the name's initial."""
    out = ""
    for t in threads:
        m = re.fullmatch(r"W(\d+)", t)
        c = "wxyz"[int(m.group(1))] if m and int(m.group(1)) < 4 else t[0].lower()
        if c in out or not c.isalpha():
            c = next(ch for ch in "bcdefghijklmnopqstuv" if ch not in out)
        out += c
    return out


@dataclass
class Tally:
    """What the examples of one hunt did; shared by every machine instance."""

    t0: float = field(default_factory=time.perf_counter)
    examples: int = 0      # machine runs started (generating, shrinking, replaying)
    clean: int = 0         # runs driven to their end with no violation
    steps: int = 0         # atomic steps of those runs (rules and fair completion)
    crossed_wrap: int = 0  # clean runs whose gen went from the top of the word to the wrap value
    first: dict[str, tuple[int, float]] = field(default_factory=dict)  # prop -> (example, s)

    def failed(self, prop: str) -> None:
        if prop not in self.first:
            self.first[prop] = (self.examples, time.perf_counter() - self.t0)


def orders(sch: Schedule, schedule: str) -> st.SearchStrategy[str]:
    """The ``run`` rule's strings: any letters (uniform), or, under swarm, the letters of a
    random subset of the threads for each call, so that one call is a stretch in which only
    those threads move ("the advancer runs alone for twenty steps"); mixed draws either."""
    anything = st.text(alphabet=sch.alphabet, min_size=1, max_size=MAX_ORDER)
    subset = st.sets(st.sampled_from(sch.letters), min_size=1).flatmap(
        lambda on: st.text(alphabet="".join(sorted(on | {c.upper() for c in on})), min_size=1,
                           max_size=MAX_ORDER))
    return {"uniform": anything, "pct": anything, "swarm": subset}.get(schedule, anything | subset)


def machine_class(system: System, props: list[str] | tuple[str, ...] = PROPERTY_NAMES,
                  tally: Tally | None = None, attempt: int = 0,
                  schedule: str = DEFAULT) -> type[RuleBasedStateMachine]:
    """A RuleBasedStateMachine over ``system`` that checks ``props``.

    ``schedule`` (one of :data:`~gentrace.stateful.schedules.SCHEDULES`) is how
    each run's plan is drawn.  ``attempt`` only renames the class: Hypothesis
    derives a derandomized run's examples (and its database key) from the
    machine, so a repeated attempt with the same properties needs a new name to
    see new examples.
    """
    sch = Schedule(system)
    tally = tally if tally is not None else Tally()
    mask = 0
    for p in props:
        mask |= 1 << system.prop_index[p]
    names = list(PROPERTY_NAMES)
    dl = system.prop_index["deadlock-freedom"]
    check_deadlock = "deadlock-freedom" in props
    gen_f, top, n = sch.gen_field, sch.top, len(sch.threads)
    scored = targeted(schedule)
    handler_pc = sch.handler_pc
    rest = {f: system.initial[f] for f in handler_pc.values()}

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.s = system.initial
            self.path: list[int] = []
            self.succs = sch.succ(self.s)
            self.next_signal = 0
            self.plan: Plan | None = None
            self.enabled: set[int] | None = None  # swarm: the threads the rules may move
            self.targets: set[int] | None = None  # swarm: the Ms a signal may land on
            self.stops: dict[int, int | None] = {}  # swarm: own steps before a thread stalls
            self.handler_steps: int | None = None  # swarm: steps before a handler stalls
            self.moved = [0] * n   # own steps each thread took in the rules
            self.hmoved = [0] * n  # steps of each M's handler since its signal landed
            self.failed = False
            self.at_top = self.s[gen_f] == top
            self.crossed = False
            # The score for hypothesis.target: advances one handler lived through in flight.
            self.advances = 0
            self.since: dict[int, int] = {}
            self.score = 0
            tally.examples += 1

        # -- one atomic step, checked ------------------------------------------
        def _take(self, i: int, t: State, succs: Succs | None = None) -> None:
            # Ctrl-C raised inside one of Hypothesis's gc callbacks is swallowed by
            # the interpreter; this raises it again (see gentrace.core.interrupt).
            interrupt.check()
            g0 = self.s[gen_f]
            self.s = t
            self.path.append(i)
            self.succs = sch.succ(t) if succs is None else succs
            g = t[gen_f]
            if g == top:
                self.at_top = True
            elif self.at_top and g != 0:
                self.crossed = True
            if scored:
                self._score(i, g != g0)
            self._check()

        def _score(self, i: int, advanced: bool) -> None:
            m = sch.thread_of[i]
            if sch.deliver[i]:
                self.since[m] = self.advances
            if advanced:
                self.advances += 1
                for m2, a in list(self.since.items()):
                    if self.s[handler_pc[m2]] == rest[handler_pc[m2]]:
                        del self.since[m2]  # that handler has returned
                    else:
                        self.score = max(self.score, self.advances - a)

        def _check(self) -> None:
            bad = sch.viol(self.s) & mask
            if not bad:
                return
            # Several properties often break in the same state (a record left
            # behind at the stop is unflushed *and* lost).  Hypothesis takes one
            # exception per run, so which one is a function of the run itself:
            # different runs then report different properties instead of one
            # always hiding the others.
            bits = [k for k in range(len(names)) if bad >> k & 1]
            k = bits[hash(tuple(self.path)) % len(bits)]
            kind = "self-deadlock" if k == dl else "invariant"
            self._fail(names[k], kind, explain(system, names[k], self.s))

        def _fail(self, prop: str, kind: str, message: str) -> None:
            self.failed = True
            tally.failed(prop)
            raise VIOLATIONS[prop](kind, message, list(self.path))

        def _steps(self, t: int, count: int) -> None:
            if self.enabled is None:
                for _ in range(count):
                    nxt = sch.own(self.succs, t)
                    if nxt is None:
                        return
                    self._take(*nxt)
                return
            if t not in self.enabled:
                return
            stop, hstop = self.stops[t], self.handler_steps
            for _ in range(count):
                nxt = sch.own(self.succs, t)
                if nxt is None:
                    return
                if sch.handler[nxt[0]]:
                    if hstop is not None and self.hmoved[t] >= hstop:
                        return
                    self.hmoved[t] += 1
                else:
                    if stop is not None and self.moved[t] >= stop:
                        return
                    self.moved[t] += 1
                self._take(*nxt)

        # -- rules -------------------------------------------------------------
        @initialize(plan=plans(sch.threads, sch.targets, sch.horizon, system.bounds.signals,
                               schedule, stops=sch.own_steps))
        def start(self, plan: Plan) -> None:
            self.plan = plan
            if isinstance(plan, PCT):
                # The plan schedules the whole run; the rules find nothing left to move.
                self.enabled = set()
                for i, t, succs in sch.pct(self.s, self.succs, plan):
                    self._take(i, t, succs)
                return
            self.next_signal = plan.first_signal_at
            if isinstance(plan, Swarm):
                self.enabled = {sch.threads.index(t) for t in plan.threads}
                self.stops = {sch.threads.index(t): k for t, k in zip(plan.threads, plan.stops,
                                                                      strict=True)}
                self.targets = {sch.threads.index(t) for t in plan.targets}
                self.handler_steps = plan.handler_steps

        @rule(order=orders(sch, schedule))
        def run(self, order: str) -> None:
            for c in order:
                self._steps(*sch.letter[c])

        # No precondition: a signal that cannot land yet (its time has not come,
        # none is left) leaves only M's ``after`` steps.  A rule whose
        # precondition fails when Hypothesis's swarm testing has switched the
        # other rule off makes the example invalid, and Hypothesis then drops
        # it, teardown and violation included.
        @rule(m=st.sampled_from(sch.threads), after=st.integers(0, MAX_AFTER))
        def sigprof(self, m: str, after: int) -> None:
            t = sch.threads.index(m)
            self._steps(t, after)
            if len(self.path) < self.next_signal or isinstance(self.plan, PCT):
                return
            if self.targets is not None and t not in self.targets:
                return
            nxt = sch.delivery(self.succs, t)
            if nxt is not None:
                self.hmoved[t] = 0
                self._take(*nxt)

        @invariant()
        def properties_hold(self) -> None:
            self._check()

        # -- the end of the run --------------------------------------------------
        def teardown(self) -> None:
            if self.failed:
                return
            s0, n0, succs0 = self.s, len(self.path), self.succs
            a0, since0 = self.advances, dict(self.since)
            self._drive(None)
            steps, crossed = len(self.path), self.crossed
            for first in range(n):
                self.s, self.succs = s0, succs0
                self.advances, self.since = a0, dict(since0)
                del self.path[n0:]
                self._drive(first)
            tally.clean += 1
            tally.steps += steps
            tally.crossed_wrap += crossed
            if scored and currently_in_test_context():
                target(float(self.score), label="advances one SIGPROF handler lived through")

        def _drive(self, first: int | None) -> None:
            """Run to the end (see :meth:`Schedule.complete`), checking every step."""
            for i, t, succs in sch.complete(self.s, self.succs, first):
                self._take(i, t, succs)
            if sch.fin(self.s) or not check_deadlock:
                return
            if not self.succs:
                self._fail("deadlock-freedom", "deadlock", "deadlock: no step is enabled but "
                           + "; ".join(system.stuck_threads(self.s)))
            # The fair schedule came back to where it was: some thread can never
            # finish, and no handler waits on its own M (the invariant would have
            # said so).  Without deadlock-freedom checked there is nothing more
            # this run can show.
            raise EngineError(f"{system.design.name}: a fair schedule cycles without finishing "
                              "and no handler waits on its own M (a livelock, which the "
                              "exhaustive engine reports as no-completion)")

    # Hypothesis keys its example database (and a derandomized run's seed) on the
    # machine's source, which is the same for every design; a distinct name makes
    # the key distinct per design, bound and set of properties checked.
    b = system.bounds
    tag = "_".join(f"{k}{v}" for k, v in b.as_dict().items())
    Machine.__name__ = Machine.__qualname__ = (
        f"Gentrace_{system.design.name}_{tag}_{mask:x}_{schedule}".replace("-", "_")
        + (f"_again{attempt}" if attempt else ""))
    # Python 3.13 finds a class's source by line number, whatever its name; the
    # extra digest Hypothesis mixes in (as it does for parametrized tests) keeps
    # the key distinct there too.
    Machine._hypothesis_internal_add_digest = Machine.__name__.encode()  # type: ignore[attr-defined]
    Machine.__doc__ = (f"Runs of design {system.design.name} at "
                       f"{' '.join(f'{k}={v}' for k, v in b.as_dict().items())}, checking "
                       f"{', '.join(props)}.")
    return Machine
