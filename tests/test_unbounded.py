"""The unbounded system contains every bounded run, and its local ghost state agrees.

``model.System(..., unbounded=True)`` drops the run bounds (sections, signals,
advances) and replaces the per-sample ghost ids by one tracked sample.  The proofs
for runs of any length are about that system, so it must contain every run of the
bounded systems the other engines explore: here random bounded runs are mapped step
by step onto the unbounded system (a delivery becomes the tracked sample's or an
anonymous one, the stopping advance becomes ``publish.stop``, a worker's last
release is followed by ``exit``), and after each step the two states must agree
field by field, sample ids mapped (the chosen delivery to the tracked id 1, any
other to 2), and the sticky property bits must agree: exactly, for the order-based
ones on designs that respect the protocol; for the sample-based ones, the tracked
sample's breaks imply the bounded system's.
"""

from __future__ import annotations

import random

import pytest
from gentrace.model import System, get_design, parse_bounds
from gentrace.model.context import Ctx

CASES = [("corrected", "1.27", []), ("corrected", "1.24", []), ("fixed", "1.22", ["ring"]),
         ("no-drain", "1.27", ["signals=2"]), ("handler-no-elision", "1.24", [])]
ORDER = ("broken.event-generation", "broken.flush-before-seal", "broken.generation-order")
SAMPLE = ("broken.sample-generation", "broken.sample-conservation")
SKIP = {"sigprof.delivered", "sample.tracked", "W0.sections", "W1.sections", "A.advances"}


def bounded_run(sysm: System, rng: random.Random, limit: int = 300) -> list[int]:
    s, path = sysm.initial, []
    for _ in range(limit):
        en = sysm.enabled(s)
        if not en:
            break
        i = rng.choice(en)
        path.append(i)
        s = sysm.apply(s, i)
    return path


def map_id(x: int, k: int, ovf: int) -> int:
    """A bounded record's first word as the unbounded system holds it (tracked sample: ``k``)."""
    if x == 0:
        return 0
    if x == ovf:
        return 3
    return 1 if x == k else 2


def agree(b: System, u: System, sb: tuple[int, ...], su: tuple[int, ...], k: int, exact_order: bool) -> str:
    """"" when the states agree, else the first field that does not."""
    Lb, Lu = b.layout, u.layout
    ovf = b.ctx.pb[0].OVF
    for f, name in enumerate(Lu.names):
        if name in SKIP or name.endswith(".lastEventGen"):
            continue
        vu = su[f]
        if name == "sample.tracked.gen":
            want = sb[b.ctx.sgen[k]]
        elif name in ("samples.emitted", "samples.overflowed") or name.endswith(".ids"):
            want = ((sb[Lb.index[name]] >> k) & 1) << 1
        elif ".data[" in name or name.endswith("sigprof.sample"):
            want = map_id(sb[Lb.index[name]], k, ovf)
        elif name.endswith(".overflow") and name.startswith("profBuf"):
            want = min(sb[Lb.index[name]], 1)
        elif name in SAMPLE:
            if vu > sb[Lb.index[name]]:
                return f"{name}: the tracked sample's break is not the bounded system's"
            continue
        elif name in ORDER and not exact_order:
            continue
        else:
            want = sb[Lb.index[name]]
        if vu != want:
            return f"{name}: unbounded {vu}, bounded {want}"
    return ""


def replay_unbounded(b: System, u: System, path: list[int], k: int, exact_order: bool) -> None:
    sb, su = b.initial, u.initial
    delivered = 0
    adv = b.advancer
    for n, i in enumerate(path, 1):
        st = b.steps[i]
        name = st.name
        if name == "sigprof.deliver":
            delivered += 1
            name = "sigprof.deliver.tracked" if delivered == k else "sigprof.deliver"
        if st.thread == "A" and name == "publish" and sb[adv.adv] == b.bounds.advances:
            name = "publish.stop"
        nb = b.apply(sb, i)
        assert nb is not None
        j = u.step_index[f"{st.thread}:{name}"]
        nu = u.apply(su, j)
        assert nu is not None, f"step {n} {st.thread}:{name} is not enabled in the unbounded system"
        w = next((w for w in b.workers if w.name == st.thread), None)
        if w is not None and nb[w.pc] == w.DONE and name == "traceRelease":
            nu = u.apply(nu, u.step_index[f"{st.thread}:exit"])
            assert nu is not None
        sb, su = nb, nu
        why = agree(b, u, sb, su, k, exact_order)
        assert not why, f"after step {n} ({st.thread}:{name}), tracking delivery {k}: {why}"


@pytest.mark.parametrize("name,release,bound", CASES, ids=[f"{c[0]}@{c[1]}" for c in CASES])
def test_bounded_runs_are_runs_of_the_unbounded_system(name: str, release: str, bound: list[str]) -> None:
    d = get_design(name, release)
    bounds = parse_bounds(bound)
    b, u = System(d, bounds), System(d, bounds, unbounded=True)
    exact = not d.violates
    rng = random.Random(f"{name}{release}")
    for _ in range(12):
        path = bounded_run(b, rng)
        for k in range(1, bounds.signals + 1):
            replay_unbounded(b, u, path, k, exact)


def test_the_mapping_is_checked() -> None:
    """Twin: a state that differs in one real field is caught."""
    d = get_design("corrected", "1.27")
    bounds = parse_bounds([])
    b, u = System(d, bounds), System(d, bounds, unbounded=True)
    su = list(u.initial)
    su[u.layout.index["flushedGen"]] = 5
    assert "flushedGen" in agree(b, u, b.initial, tuple(su), 1, True)


def test_unbounded_layout_has_no_run_counters() -> None:
    u = System(get_design("corrected", "1.27"), parse_bounds(["workers=2"]), unbounded=True)
    names = set(u.layout.names)
    assert not names & {"sigprof.delivered", "W0.sections", "A.advances"}
    keys = {st.key for st in u.steps}
    assert {"W0:exit", "A:publish.stop", "W0:sigprof.deliver.tracked"} <= keys


def test_the_unbounded_system_runs_past_every_bound() -> None:
    """More sections, signals and advances than any bound allows, on one run.  (Signals
    without end can keep an M busy forever and starve the advancer: the walk gives
    the advancer's steps precedence half of the time, and signals a tenth of the rest.)"""
    d = get_design("corrected", "1.27")
    u = System(d, parse_bounds([]), unbounded=True)
    rng = random.Random(7)
    s, counts = u.initial, {"W0:traceRelease": 0, "A:seal": 0, "W0:sigprof.deliver": 0}
    for _ in range(4000):
        en = [i for i in u.enabled(s) if u.steps[i].key not in ("A:publish.stop", "W0:exit")]
        adv = [i for i in en if u.steps[i].thread == "A" and "sigprof" not in u.steps[i].name]
        quiet = [i for i in en if "deliver" not in u.steps[i].name]
        i = rng.choice(adv if adv and rng.random() < 0.5 else
                       quiet if quiet and rng.random() < 0.9 else en)
        key = u.steps[i].key
        if key in counts:
            counts[key] += 1
        s = u.apply(s, i)
        assert all(v <= m for v, m in zip(s, u.layout.maxv, strict=True))
    assert counts["W0:traceRelease"] > 6 and counts["A:seal"] > 10 and counts["W0:sigprof.deliver"] > 7


def test_ctx_local_order_needs_the_advancer() -> None:
    """The local order reads the advancer's generation: a Ctx without one refuses to judge."""
    c = Ctx(get_design("corrected", "1.27"), parse_bounds([]), unbounded=True)
    with pytest.raises(AssertionError):
        c.live([0] * len(c.L), 5)
