"""Exhaustive breadth-first exploration of every interleaving within a bound.

It keeps going after the first violation so that every property gets its own
verdict and its own shortest counterexample (BFS order: the first state found
violating a property is at minimal depth).  Deadlock-freedom is checked three
ways: a handler waiting on its own M (an invariant, reported as self-deadlock),
a state with no enabled step where some thread has not finished, and a state
from which no run lets every thread finish (found after the search by walking
the transition graph backwards from the finished states).
"""

from __future__ import annotations

import gc
import sys
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gentrace.core import interrupt
from gentrace.core.stats import Stats, peak_rss_bytes
from gentrace.model import PROPERTY_NAMES, System

HOLDS, VIOLATED, VACUOUS, INCOMPLETE = "holds", "violated", "vacuous", "incomplete"
INTERRUPTED = "interrupted (Ctrl-C)"
NO_LIVENESS = ("the no-completion part (can every state still reach the end?) was skipped "
               "(--no-liveness); only deadlocked states and self-deadlocks were looked for")


@dataclass
class Finding:
    """A property violation found at state ``state_id`` (reached by ``path``)."""

    prop: str
    kind: str  # invariant | self-deadlock | deadlock | no-completion
    message: str
    path: list[int]


@dataclass
class ExploreResult:
    system: System
    complete: bool
    cut: str  # why the search stopped early, "" when complete
    stats: Stats
    findings: dict[str, Finding]
    witnessed: set[str]
    fired: set[int]
    verdicts: dict[str, str] = field(default_factory=dict)
    kernel: str = "python"  # the engine that ran: the compiled kernel (c) or python
    kernel_note: str = ""  # why the compiled kernel did not run, when it was asked for
    # property -> the part of its check that was not run (its verdict is then incomplete)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def interrupted(self) -> bool:
        return self.cut == INTERRUPTED

    def uncovered_steps(self) -> list[str]:
        return [st.key for i, st in enumerate(self.system.steps) if i not in self.fired]


Progress = Callable[[Stats], None]


KERNELS = ("auto", "c", "python")
# Under kernel="auto", a search whose kernel is not built yet runs in Python for this many
# states first: most small searches end there, sooner than a compiler run would.
PROBE_STATES = 20_000


def explore(system: System, *, max_states: int | None = None, max_seconds: float | None = None,
            liveness: bool = True, progress: Progress | None = None,
            kernel: str = "python") -> ExploreResult:
    """Every state of ``system`` within its bound, breadth first.

    ``kernel``: ``"python"`` runs the search in Python on the compiled successor function;
    ``"c"`` runs it in the compiled kernel (:mod:`gentrace.explore.kernel`), with the same
    states, order, verdicts and counterexamples, or, where the kernel cannot run, in
    Python after a one-line note on stderr (the result's ``kernel_note`` says why);
    ``"auto"``: as ``"c"``, but while the kernel is not built yet (no cached library) the
    search first runs in Python for :data:`PROBE_STATES` states, and one that ends there
    is the result (the same as the kernel's).
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel {kernel!r} is not one of {', '.join(KERNELS)}")
    if kernel == "python":
        return _explore_py(system, max_states, max_seconds, liveness, progress)
    from gentrace.explore import kernel as ck
    try:
        source = ck.kernel_source(system)
        if kernel == "auto" and not ck.is_built(source):
            probe = PROBE_STATES if max_states is None else min(max_states, PROBE_STATES)
            res = _explore_py(system, probe, max_seconds, liveness, progress)
            probe_cut = res.cut.startswith("state budget") and (max_states is None or probe < max_states)
            if not probe_cut:
                return res
            if max_seconds is not None:
                max_seconds = max(max_seconds - res.stats.seconds, 1e-9)
        lib = ck.load(system, source)
    except ck.KernelUnavailable as e:
        res = _explore_py(system, max_states, max_seconds, liveness, progress)
        res.kernel_note = ck.fallback_note(str(e))
        return res
    return _explore_c(system, lib, max_states, max_seconds, liveness, progress)


def _explore_py(system: System, max_states: int | None, max_seconds: float | None,
                liveness: bool, progress: Progress | None) -> ExploreResult:
    # The search allocates millions of small tuples and creates no reference
    # cycles; the cyclic collector would only rescan the growing frontier.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _explore(system, max_states, max_seconds, liveness, progress)
    finally:
        if enabled:
            gc.enable()


def _explore(system: System, max_states: int | None, max_seconds: float | None,
             liveness: bool, progress: Progress | None) -> ExploreResult:
    comp = system.compiled
    succ, viol, wit, fin = comp.successors_packed, comp.violated, comp.witnessed, comp.finished
    nprops = len(system.invariants)
    all_bits = (1 << nprops) - 1
    # States are ``bytes`` when every field fits one (the compiled successor
    # function then builds them directly), tuples otherwise; either is its own key.
    small = comp.packed
    key: Callable[[tuple[int, ...]], object] = bytes if small else tuple  # type: ignore[assignment]

    t0 = time.perf_counter()
    rss0 = peak_rss_bytes()
    init = system.initial
    ids: dict[object, int] = {key(init): 0}
    parent = array("i", [-1])
    via = array("H", [0])
    # Transitions, grouped by source (sources are expanded in id order):
    # state i's successors are dst_e[off[i]:off[i + 1]].
    off, dst_e = array("i"), array("i")
    finals = array("i")
    fired = bytearray(len(system.steps))
    found: dict[int, tuple[int, str, str]] = {}  # prop bit -> (state id, kind, message)
    found_bits = 0
    witnessed = wit(init)
    first_deadlock = -1

    def note(sid: int, s: tuple[int, ...]) -> None:
        nonlocal found_bits
        m = viol(s) & ~found_bits
        if not m:
            return
        for k in range(nprops):
            if m >> k & 1:
                prop = PROPERTY_NAMES[k]
                kind = "self-deadlock" if prop == "deadlock-freedom" else "invariant"
                found[k] = (sid, kind, _message(system, prop, tuple(s)))
        found_bits |= m

    note(0, init)
    # The frontier holds the states themselves, shared with the visited dict, so
    # a level costs no memory beyond its list.
    frontier: list[object] = [key(init)]
    transitions = 0
    depth = 0
    cut = ""
    count = 1
    # Budgets and progress are looked at every 4096 states and at the state
    # budget, so a run stops within one state's successors of that budget.
    every = 4096
    next_check = min(every, max_states) if max_states is not None else every
    ids_get = ids.get
    parent_append, via_append = parent.append, via.append
    off_append, dst_append = off.append, dst_e.append
    try:
        while frontier:
            nxt: list[object] = []
            nxt_append = nxt.append
            sid = count - len(frontier) - 1
            for s in frontier:
                sid += 1
                outs = succ(s)
                if liveness:
                    off_append(len(dst_e))
                if fin(s):
                    finals.append(sid)
                elif not outs and first_deadlock < 0:
                    first_deadlock = sid
                for step, t in outs:
                    fired[step] = 1
                    tid = ids_get(t)
                    if tid is None:
                        tid = count
                        count += 1
                        ids[t] = tid
                        parent_append(sid)
                        via_append(step)
                        nxt_append(t)
                        if viol(t) & ~found_bits:
                            note(tid, t)
                        if witnessed != all_bits:
                            witnessed |= wit(t)
                    if liveness:
                        dst_append(tid)
                transitions += len(outs)
                if count >= next_check:
                    next_check = count + every
                    if max_states is not None:
                        next_check = min(next_check, max_states)
                    cut = checkpoint(t0, count, max_states, max_seconds, None if progress is None else
                                     lambda el, c=count, n=transitions, d=depth + 1: progress(Stats(c, n, d, el)))
                    if cut:
                        break
            if cut:
                break
            if nxt:
                depth += 1
            frontier = nxt
    except KeyboardInterrupt:
        # Keep what was found: every finding so far has its whole path recorded.
        cut = INTERRUPTED
    def unfinishable() -> int:
        off.append(len(dst_e))
        return _first_unfinishable(len(parent), off, dst_e, finals)

    key_bytes = sys.getsizeof(key(init))
    store = (sys.getsizeof(ids) + len(ids) * key_bytes
             + sum(len(a) * a.itemsize for a in (parent, via)))
    return _conclude(system, Run(
        cut, liveness, found, found_bits, witnessed, first_deadlock, fired, len(parent), transitions,
        depth, t0, rss0, lambda sid: _path(parent, via, sid),
        lambda sid: _state_of(system, parent, via, sid), unfinishable, "python", key_bytes, store))


@dataclass
class Run:
    """What a search (Python or compiled) hands to :func:`_conclude`."""

    cut: str
    liveness: bool
    found: dict[int, tuple[int, str, str]]  # prop bit -> (state id, kind, message)
    found_bits: int
    witnessed: int
    first_deadlock: int
    fired: bytes | bytearray
    states: int
    transitions: int
    depth: int
    t0: float
    rss0: int
    path: Callable[[int], list[int]]
    state: Callable[[int], tuple[int, ...]]
    unfinishable: Callable[[], int]  # after a complete search with liveness
    kernel: str
    state_bytes: int  # one stored state
    store_bytes: int  # the visited store: states, their index, parent links


def _conclude(system: System, r: Run) -> ExploreResult:
    """Deadlocks and the no-completion pass, then findings, stats and verdicts."""
    complete = not r.cut
    found, found_bits = r.found, r.found_bits
    dl = PROPERTY_NAMES.index("deadlock-freedom")
    dl_bit = 1 << dl
    if not found_bits & dl_bit and r.first_deadlock >= 0:
        s = r.state(r.first_deadlock)
        found[dl] = (r.first_deadlock, "deadlock",
                     "deadlock: no step is enabled but " + "; ".join(system.stuck_threads(s)))
        found_bits |= dl_bit
    if complete and r.liveness and not found_bits & dl_bit:
        stuck = r.unfinishable()
        if stuck >= 0:
            s = r.state(stuck)
            found[dl] = (stuck, "no-completion",
                         "no run from here lets every thread finish: "
                         + "; ".join(system.stuck_threads(s)))
            found_bits |= dl_bit

    elapsed = time.perf_counter() - r.t0
    stats = Stats(r.states, r.transitions, r.depth, elapsed,
                  peak_rss=max(peak_rss_bytes() - r.rss0, 0), state_bytes=r.state_bytes,
                  store_bytes=r.store_bytes)
    findings = {}
    for k, (sid, kind, msg) in found.items():
        findings[PROPERTY_NAMES[k]] = Finding(PROPERTY_NAMES[k], kind, msg, r.path(sid))
    wset = {PROPERTY_NAMES[k] for k in range(len(system.invariants)) if r.witnessed >> k & 1}
    res = ExploreResult(system, complete, r.cut, stats, findings, wset,
                        {i for i, f in enumerate(r.fired) if f}, kernel=r.kernel)
    if not r.liveness:
        res.skipped["deadlock-freedom"] = NO_LIVENESS
    for p in PROPERTY_NAMES:
        if p in findings:
            res.verdicts[p] = VIOLATED
        elif not complete or p in res.skipped:
            res.verdicts[p] = INCOMPLETE
        elif p not in wset:
            res.verdicts[p] = VACUOUS
        else:
            res.verdicts[p] = HOLDS
    return res


# The compiled kernel returns to Python at least this often (states expanded, states
# added), for budgets, progress and Ctrl-C: a few hundredths of a second.
KERNEL_EVERY = 1 << 16


def _explore_c(system: System, lib: Any, max_states: int | None, max_seconds: float | None,
               liveness: bool, progress: Progress | None) -> ExploreResult:
    """The search in the compiled kernel (``kernel.c``): the same breadth-first order and
    bookkeeping as :func:`_explore`, so the same states, verdicts and counterexamples."""
    from gentrace.explore.kernel import INFO
    ffi, C = lib.ffi, lib.lib
    t0 = time.perf_counter()
    rss0 = peak_rss_bytes()
    k = C.gt_new(1 if liveness else 0)
    if k == ffi.NULL:
        raise MemoryError("the compiled kernel could not allocate its store")
    k = ffi.gc(k, C.gt_free)
    buf = ffi.new("int64_t[]", len(INFO))
    nf = len(system.layout)
    sbuf = ffi.new("int64_t[]", nf)

    def info() -> dict[str, int]:
        C.gt_info(k, buf)
        return dict(zip(INFO, buf, strict=True))

    cut = ""
    try:
        while True:
            count = info()["count"]
            limit = count + KERNEL_EVERY
            if max_states is not None:
                limit = min(limit, max_states)
            rc = C.gt_run(k, limit, KERNEL_EVERY)
            if rc == -3:
                f = C.gt_bad_field()
                raise RuntimeError(f"the model gave field {system.layout.names[f]} a value past its declared "
                                   f"range (at most {system.layout.maxv[f]}): the layout must declare more")
            if rc < 0:
                raise MemoryError("the compiled kernel ran out of memory")
            if rc == 1:
                break
            i = info()
            cut = checkpoint(t0, i["count"], max_states, max_seconds, None if progress is None else
                             lambda el, c=i["count"], n=i["transitions"], d=i["depth"]:
                             progress(Stats(c, n, d + 1, el)))
            if cut:
                break
    except KeyboardInterrupt:
        cut = INTERRUPTED
    i = info()

    def state(sid: int) -> tuple[int, ...]:
        C.gt_state(k, sid, sbuf)
        return tuple(sbuf)

    def path(sid: int) -> list[int]:
        out = []
        while sid > 0:
            out.append(C.gt_via(k, sid))
            sid = C.gt_parent(k, sid)
        out.reverse()
        return out

    def unfinishable() -> int:
        r = C.gt_unfinishable(k)
        if r == -2:
            raise MemoryError("the compiled kernel ran out of memory in the no-completion pass")
        return int(r)

    found: dict[int, tuple[int, str, str]] = {}
    for p in range(len(system.invariants)):
        if i["found_bits"] >> p & 1:
            sid = C.gt_found(k, p)
            prop = PROPERTY_NAMES[p]
            kind = "self-deadlock" if prop == "deadlock-freedom" else "invariant"
            found[p] = (sid, kind, _message(system, prop, state(sid)))
    fired = ffi.new("uint8_t[]", max(len(system.steps), 1))
    C.gt_fired(k, fired)
    return _conclude(system, Run(
        cut, liveness, found, i["found_bits"], i["witnessed"], i["first_deadlock"],
        bytes(ffi.buffer(fired, len(system.steps))), i["count"], i["transitions"], i["depth"], t0, rss0,
        path, state, unfinishable, "c", 8 * i["words"], i["store_bytes"]))


def checkpoint(t0: float, count: int, max_states: int | None, max_seconds: float | None,
               report: Callable[[float], None] | None) -> str:
    """A search's periodic check: report progress (with the seconds since ``t0``), then the
    budget used up ("" if none), then a pending Ctrl-C (raised)."""
    elapsed = time.perf_counter() - t0
    if report is not None:
        report(elapsed)
    cut = over_budget(count, elapsed, max_states, max_seconds)
    if not cut:
        interrupt.check()
    return cut


def over_budget(count: int, elapsed: float, max_states: int | None, max_seconds: float | None) -> str:
    """Which budget a search has used up ("" if none)."""
    if max_states is not None and count >= max_states:
        return f"state budget of {max_states} reached"
    if max_seconds is not None and elapsed >= max_seconds:
        return f"time budget of {max_seconds:g} s reached"
    return ""


def _path(parent: array, via: array, sid: int) -> list[int]:
    out = []
    while sid > 0:
        out.append(via[sid])
        sid = parent[sid]
    out.reverse()
    return out


def _state_of(system: System, parent: array, via: array, sid: int) -> tuple[int, ...]:
    s = system.initial
    for step in _path(parent, via, sid):
        t = system.apply(s, step)
        assert t is not None
        s = t
    return s


def _first_unfinishable(n: int, off: array, dst: array, finals: array) -> int:
    """The lowest state id (so: shallowest) from which no finished state is reachable.

    "Can finish" is the least fixpoint of ``ok[s] = finished(s) or any(ok[t])``.
    One sweep in decreasing id settles every state with a path to a finished
    state through higher ids (most of them: BFS ids grow with depth); the few
    left are swept again until nothing changes.
    """
    ok = bytearray(n)
    for f in finals:
        ok[f] = 1
    get = ok.__getitem__
    for s in range(n - 1, -1, -1):
        if not ok[s] and any(map(get, dst[off[s]:off[s + 1]])):
            ok[s] = 1
    pending = []
    i = ok.find(0)
    while i >= 0:
        pending.append(i)
        i = ok.find(0, i + 1)
    changed = True
    while pending and changed:
        changed = False
        rest = []
        for s in reversed(pending):
            if any(map(get, dst[off[s]:off[s + 1]])):
                ok[s] = 1
                changed = True
            else:
                rest.append(s)
        rest.reverse()
        pending = rest
    return pending[0] if pending else -1


def _message(system: System, prop: str, s: tuple[int, ...]) -> str:
    from gentrace.core.explain import explain
    return explain(system, prop, s)
