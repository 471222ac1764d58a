"""How one run of the Hypothesis engine interleaves its threads: schedules as strategies.

Each example of the engine's state machine starts by drawing a *plan* (the
``start`` rule's argument), and the plan says how the run is scheduled:

* :class:`Uniform`: the rules do it all.  ``run`` strings of thread letters and
  ``sigprof`` calls, drawn without bias, as the engine always did.  A defect
  that needs one thread to stall between two particular steps while another
  runs a long way is rare under it.
* :class:`Swarm` (swarm testing; Groce, Zhang, Eide, Chen and Regehr, ISSTA
  2012): the same rules, but each run enables a random subset of the features:
  the threads the rules may move, and for each a point where it stops moving
  (after so many steps of its own, or never), the Ms a signal may land on, and
  how many steps a delivered handler may take before it stalls.  Whatever is
  switched off waits for the teardown, which runs everyone to the end.  A
  thread stopped early is starved for the rest of the rule phase, which makes
  "the reader stalls just after reading gen while the advancer runs a whole
  advance", or "the handler stalls just after loading gen", common instead of
  rare.
* :class:`PCT` (probabilistic concurrency testing; Burckhardt, Kothari,
  Musuvathi and Nagarakatte, ASPLOS 2010): random distinct thread priorities
  and ``d - 1`` priority-change points among the run's ``k`` steps.  The
  highest-priority thread that can move takes the next step; at the i-th change
  point the thread that took it drops to priority ``d - i``, below every thread
  not yet demoted.  A defect of depth ``d`` (``d`` ordering constraints) is met
  with probability at least ``1 / (n k^(d-1))`` per run, ``n`` threads (see
  :func:`pct_bound`).  A SIGPROF is one more choice, drawn the same way: it
  lands on its M at a random step of the run.  A spinning thread (the run came
  back to a state it was in) yields: it drops below everyone, which PCT needs
  for threads that wait by spinning.  The plan drives the whole run to its end
  inside ``start``; the rules after it find nothing left to move.

``mixed`` (the default) draws each example's plan from one of the three (swarm
and uniform two runs in five each, PCT one), so one hunt gets the strengths of
each; the plan drawn is part of the example, so Hypothesis shrinks it like any
other argument (fewer signals, earlier change points, the identity order of
priorities, fewer features).

Targeting (``hypothesis.target``; Löscher and Sagonas, ISSTA 2017) is on in
every schedule but ``uniform`` (which stays the engine as it was, the baseline):
each run reports how many generation advances one SIGPROF handler lived
through while in flight, and Hypothesis's target phase mutates the
best-scoring runs to raise it.  Every handler defect in the catalogue needs a
handler in flight across at least one advance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

SCHEDULES = ("mixed", "uniform", "pct", "swarm")
DEFAULT = "mixed"
# d: a defect needing d ordering constraints; d - 1 priority-change points.
PCT_DEPTH = 3
# Swarm: a thread (or a handler) stalls after at most this many steps of its own.
SWARM_STOP = 12
SCHEDULE_DOC = {
    "mixed": "each run's schedule drawn from PCT, swarm and uniform, with targeting",
    "uniform": "rule calls drawn without bias (the engine before schedules), no targeting",
    "pct": f"PCT: random thread priorities, d={PCT_DEPTH} (d-1 random priority-change points), "
           "signals at random steps, with targeting",
    "swarm": "swarm: each run enables a random subset of threads (each stopping at a random "
             "point), signal targets and handler steps, with targeting",
}


@dataclass(frozen=True)
class Uniform:
    """The rules schedule the run; a SIGPROF may land once this many steps have run."""

    first_signal_at: int


@dataclass(frozen=True)
class Swarm:
    """The rules schedule the run, with only these features on."""

    threads: tuple[str, ...]   # threads the rules may move (others wait for the teardown)
    stops: tuple[int | None, ...]  # per thread above: it stalls after this many own steps
    targets: tuple[str, ...]   # Ms a SIGPROF may land on during the rules
    handler_steps: int | None  # a delivered handler stalls after this many steps
    first_signal_at: int


@dataclass(frozen=True)
class PCT:
    """Priorities (highest first), change points (step counts) and signals (step, M)."""

    priorities: tuple[str, ...]
    changes: tuple[int, ...]
    signals: tuple[tuple[int, str], ...]


Plan = Uniform | Swarm | PCT


def plans(threads: list[str], targets: list[str], horizon: int, signals: int,
          schedule: str = DEFAULT, depth: int = PCT_DEPTH,
          stops: list[int] | None = None) -> st.SearchStrategy[Any]:
    """The strategy of a run's plan under ``schedule`` (one of :data:`SCHEDULES`).

    ``horizon`` is ``k``, the steps of a run (the fair run's length); ``signals``
    the bound's SIGPROF budget; ``targets`` the threads a signal can land on;
    ``stops`` the steps each thread takes in a fair run (where swarm may stop it;
    default: up to :data:`SWARM_STOP`).
    """
    stops = stops or [SWARM_STOP] * len(threads)
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}")
    first = st.just(0) | st.integers(0, horizon)
    uniform = st.builds(Uniform, first)
    def stop(k: int) -> st.SearchStrategy[int | None]:
        return st.none() | st.integers(0, k)

    swarm = st.sets(st.sampled_from(threads), min_size=1).flatmap(
        lambda on: st.builds(
            Swarm,
            st.just(tuple(t for t in threads if t in on)),
            st.tuples(*(stop(k) for t, k in zip(threads, stops, strict=True) if t in on)),
            st.sets(st.sampled_from(targets)).map(lambda s: tuple(t for t in targets if t in s))
            if targets else st.just(()),
            # A handler is most often preempted early, just after it loaded gen.
            st.none() | st.integers(0, 3) | st.integers(0, SWARM_STOP), first))
    sig = st.tuples(st.integers(0, horizon), st.sampled_from(targets)) if targets else st.nothing()
    pct = st.builds(
        PCT,
        st.permutations(threads).map(tuple),
        st.lists(st.integers(1, horizon), min_size=depth - 1, max_size=depth - 1)
        .map(lambda c: tuple(sorted(c))),
        st.lists(sig, max_size=signals if targets else 0).map(lambda s: tuple(sorted(s))))
    return {"uniform": uniform, "swarm": swarm, "pct": pct,
            # PCT's change points rarely land where this model's defects need them (see
            # bench_stateful's spread): it gets one run in five, swarm and uniform two each.
            "mixed": st.one_of(swarm, uniform, swarm, uniform, pct)}[schedule]


def targeted(schedule: str) -> bool:
    """Whether runs under ``schedule`` report a score to ``hypothesis.target``."""
    return schedule != "uniform"


def pct_bound(threads: int, steps: int, depth: int = PCT_DEPTH) -> tuple[int, float]:
    """PCT's guarantee: the denominator ``n k^(d-1)`` and its inverse, the probability
    per run of meeting a given defect of depth ``d`` (Burckhardt et al., Theorem 9)."""
    den = threads * steps ** (depth - 1)
    return den, 1.0 / den
