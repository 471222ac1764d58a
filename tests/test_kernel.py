"""The compiled kernel agrees with the reference semantics and with the Python engine.

The kernel's C is printed from the same lowering of the step definitions as the Python
successor function, but through another printer, packing and a search of its own, so:

- its successor function (packing included) is held to ``System.apply`` on states
  sampled by seeded random walks, for every design of every release (the newest release's
  designs and every release's ``fixed`` by default; the rest under ``-m heavy``), and in
  the same order as the Python function (the breadth-first order);
- whole searches are held to the Python engine: states, transitions, depth, verdicts,
  antecedents, fired steps, and every finding's kind, message and path;
- a kernel built from a deliberately corrupted source fails both comparisons.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import zlib
from typing import Any

import pytest
from gentrace.cli.main import main
from gentrace.explore import kernel as ck
from gentrace.explore import search
from gentrace.explore.search import explore
from gentrace.model import CANONICAL, PROPERTY_NAMES, build, get_design, parse_bounds
from gentrace.model.compile import compile_system
from gentrace.model.compile_c import bit_layout
from gentrace.model.designs import designs_of
from gentrace.model.releases import DEFAULT, RELEASES
from gentrace.model.system import System
from walks import sample_states

try:
    ck.compiler()
    ck._ffi()
except ck.KernelUnavailable as e:  # pragma: no cover - the project's machines have both
    pytest.skip(f"no compiled kernel here: {e}", allow_module_level=True)

SAMPLES = 60


class Model:
    """The exported functions of one model part in a loaded library."""

    def __init__(self, lib: ck.Library, prefix: str, system: System) -> None:
        self.ffi, self.system, n = lib.ffi, system, len(system.layout)
        self.succ = getattr(lib.lib, f"{prefix}successors")
        self.repack_fn = getattr(lib.lib, f"{prefix}repack")
        self.viol = getattr(lib.lib, f"{prefix}violated_at")
        self.wit = getattr(lib.lib, f"{prefix}witnessed_at")
        self.fin = getattr(lib.lib, f"{prefix}finished_at")
        self.s = self.ffi.new("int64_t[]", n)
        self.out = self.ffi.new("int64_t[]", max(len(system.steps), 1) * n)
        self.steps = self.ffi.new("uint16_t[]", max(len(system.steps), 1))
        self.n = n

    def successors(self, s: tuple[int, ...]) -> list[tuple[int, tuple[int, ...]]]:
        self.s[0:self.n] = list(s)
        k = self.succ(self.s, self.out, self.steps)
        return [(self.steps[i], tuple(self.out[i * self.n:(i + 1) * self.n])) for i in range(k)]

    def repack(self, s: list[int]) -> list[int]:
        self.s[0:self.n] = s
        out = self.ffi.new("int64_t[]", self.n)
        self.repack_fn(self.s, out)
        return list(out)

    def masks(self, s: tuple[int, ...]) -> tuple[int, int, bool]:
        self.s[0:self.n] = list(s)
        return self.viol(self.s), self.wit(self.s), bool(self.fin(self.s))


def differences(m: Model, states: list[tuple[int, ...]]) -> list[str]:
    """Where the kernel's model part and the reference semantics disagree."""
    system, bad = m.system, []
    for s in states:
        want = [(i, system.apply(s, i)) for i in system.enabled(s)]
        got = m.successors(s)
        if sorted(got) != sorted(want):
            bad.append(f"successors differ in {system.describe_state(s)}")
        elif got != system.compiled.successors(s):
            bad.append(f"successors in another order than the Python engine's in {s}")
        vmask = sum(1 << k for k, inv in enumerate(system.invariants) if not inv.ok(s))
        wmask = sum(1 << k for k, inv in enumerate(system.invariants) if inv.witness(s))
        if m.masks(s) != (vmask, wmask, bool(system.finished(s))):
            bad.append(f"predicates differ in {s}: {m.masks(s)} != {(vmask, wmask, bool(system.finished(s)))}")
    return bad


def every_system(heavy: bool) -> list[tuple[str, str]]:
    """(design, release): every design of every release, or (by default) the newest
    release's designs and every release's fixed."""
    out = []
    for r in RELEASES.values():
        for d in designs_of(r):
            if heavy or r.name == DEFAULT or d.name == "fixed":
                out.append((d.name, r.name))
    return out


def check_every_system(cases: list[tuple[str, str]]) -> None:
    systems = [build(get_design(d, r), CANONICAL) for d, r in cases]
    lib, prefixes = ck.models_library(systems)
    sampled = 0
    for (d, r), system, prefix in zip(cases, systems, prefixes, strict=True):
        states = sample_states(system, seed=zlib.crc32(f"{d}@{r}".encode()), count=SAMPLES)
        bad = differences(Model(lib, prefix, system), states)
        assert not bad, f"{d}@{r}: {bad[0]}"
        sampled += len(states)
    assert sampled >= SAMPLES * len(cases) // 2


def test_kernel_successors_match_reference_on_every_release() -> None:
    check_every_system(every_system(heavy=False))


@pytest.mark.heavy
def test_kernel_successors_match_reference_on_every_design_of_every_release() -> None:
    check_every_system(every_system(heavy=True))


# Whole searches at small bounds, both engines.  Each builds one kernel (cached).
SEARCHES = [
    ("legacy", "1.22", ("advances=1",), True, None),                     # invariant violations
    ("handler-waits-for-seqlock", "1.27", ("advances=1",), True, None),  # a self-deadlock
    ("fixed", "1.27", ("workers=0", "signals=2"), True, None),           # single-read-drain
    ("fixed", "1.27", ("workers=0", "signals=2"), True, 3000),           # a state budget
    ("reader-unlocked", "1.26", ("advances=1", "sections=1"), False, None),
    ("fixed", "1.24", ("sections=1", "advances=1"), True, None),         # holds everywhere
    # Generations near the top of a 62-bit word: the kernel's int64 arithmetic, wrap included.
    ("fixed", "1.27", ("workers=0", "advances=1", "word=62", f"first_gen={(1 << 62) - 2}"), True, None),
]


def same_search(a: Any, b: Any) -> list[str]:
    """Where two exploration results differ (empty: nowhere)."""
    out = []
    for f in ("states", "transitions", "depth"):
        if getattr(a.stats, f) != getattr(b.stats, f):
            out.append(f"{f}: {getattr(a.stats, f)} != {getattr(b.stats, f)}")
    for f in ("complete", "cut", "verdicts", "witnessed", "fired", "skipped"):
        if getattr(a, f) != getattr(b, f):
            out.append(f"{f}: {getattr(a, f)} != {getattr(b, f)}")
    fa = {p: (x.kind, x.message, x.path) for p, x in a.findings.items()}
    fb = {p: (x.kind, x.message, x.path) for p, x in b.findings.items()}
    if fa != fb:
        out.append(f"findings: {fa} != {fb}")
    return out


@pytest.mark.parametrize("design,release,bounds,liveness,budget", SEARCHES,
                         ids=[f"{d}@{r}-{'-'.join(b)}{'' if lv else '-noliveness'}{f'-max{m}' if m else ''}"
                              for d, r, b, lv, m in SEARCHES])
def test_whole_search_matches_the_python_engine(design: str, release: str, bounds: tuple[str, ...],
                                                liveness: bool, budget: int | None) -> None:
    system = build(get_design(design, release), parse_bounds(list(bounds)))
    c = explore(system, liveness=liveness, max_states=budget, kernel="c")
    py = explore(system, liveness=liveness, max_states=budget, kernel="python")
    assert c.kernel == "c" and py.kernel == "python"
    assert not same_search(c, py), same_search(c, py)
    if budget:
        assert not c.complete and budget <= c.stats.states
    if bounds == ("workers=0", "signals=2") and not budget:
        assert c.verdicts["sample-generation"] == "violated"  # the ring bound shows single-read-drain
    assert c.stats.state_bytes == 8 * bit_layout(system.layout).words
    assert c.stats.state_bytes < py.stats.state_bytes


def blind_to_self_wait(system: System) -> System:
    """The same system without the self-deadlock invariant (deadlock-freedom's invariant
    always holds), in both engines' code: only the deadlock and no-completion parts of the
    search can find the waiting handler."""
    dl = PROPERTY_NAMES.index("deadlock-freedom")
    invs = list(system.invariants)
    invs[dl] = dataclasses.replace(invs[dl], ok=lambda s: True)
    clone = object.__new__(System)
    clone.__dict__.update(system.__dict__)
    clone.invariants = invs
    clone.compiled = compile_system("blind", system.layout, system.steps,
                                    [(i.ok, i.witness) for i in invs], system.finished)
    return clone


def test_deadlock_and_no_completion_passes_match_the_python_engine() -> None:
    system = blind_to_self_wait(System(get_design("handler-waits-for-seqlock", "1.27"),
                                       parse_bounds(["advances=1"])))
    c, py = explore(system, kernel="c"), explore(system, kernel="python")
    assert c.kernel == "c"
    assert not same_search(c, py), same_search(c, py)
    assert c.findings["deadlock-freedom"].kind in ("deadlock", "no-completion")


def test_packing_holds_every_value_of_every_field() -> None:
    system = build(get_design("fixed", "1.27"), parse_bounds(["workers=2", "signals=2"]))
    bl = bit_layout(system.layout)
    spans = sorted((bl.word[i], bl.shift[i], bl.shift[i] + bl.width[i]) for i in range(len(system.layout)))
    for (w0, _, e0), (w1, b1, _) in zip(spans, spans[1:], strict=False):
        assert w0 != w1 or e0 <= b1, "two fields overlap"
    assert all(e <= 64 for _, _, e in spans)
    assert all(m < 1 << bl.width[i] for i, m in enumerate(system.layout.maxv))
    lib, (prefix,) = ck.models_library([system])
    m = Model(lib, prefix, system)
    top = list(system.layout.maxv)
    assert m.repack(top) == top
    rng = random.Random(7)
    for _ in range(50):
        s = [rng.randint(0, v) for v in top]
        assert m.repack(s) == s


def corrupted(source: str) -> str:
    """The kernel source with the first field update of the first step dropped."""
    lines = source.splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if "& ~(0x" in line)
    return "".join(lines[:first] + lines[first + 1:])


def test_a_corrupted_kernel_is_caught() -> None:
    """Twin of the two comparisons above: a wrong generated source fails both."""
    system = build(get_design("legacy", "1.22"), parse_bounds(["advances=1"]))
    bad_source = corrupted(ck.kernel_source(system))
    assert bad_source != ck.kernel_source(system)
    lib = ck.load(system, bad_source)
    assert differences(Model(lib, "m_", system), sample_states(system, seed=1, count=SAMPLES))
    good = explore(system, kernel="python")
    bad = search._explore_c(system, lib, None, None, True, None)
    assert same_search(bad, good)


def test_without_a_compiler_the_python_engine_runs_and_says_so(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CC", "no-such-compiler")
    monkeypatch.setattr(ck, "_NOTED", set())
    system = build(get_design("fixed", "1.27"), parse_bounds(["workers=0", "advances=1"]))
    res = explore(system, kernel="c")
    again = explore(system, kernel="auto")
    assert res.kernel == again.kernel == "python"
    assert "no-such-compiler" in res.kernel_note
    err = capsys.readouterr().err
    assert err.count("using the Python engine") == 1, err  # said once
    assert main(["check", "--design", "fixed", "--bound", "workers=0", "advances=1", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)["results"][0]["stats"]
    assert stats["kernel"] == "python" and "no-such-compiler" in stats["kernel_note"]


def test_the_cache_builds_a_source_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("GENTRACE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(ck, "_LOADED", {})
    src = "int gt_probe(void) { return 41 + 1; }\n"
    first = ck.build_library(src, "int gt_probe(void);")
    assert first.built and first.lib.gt_probe() == 42 and first.path.parent == tmp_path
    monkeypatch.setattr(ck, "_LOADED", {})  # a new process: only the disk cache is left
    second = ck.build_library(src, "int gt_probe(void);")
    assert not second.built and second.path == first.path
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".c", ".so"]


def test_a_broken_source_is_reported_not_loaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Twin: what does not compile is a one-line reason (the explorer then runs Python)."""
    monkeypatch.setenv("GENTRACE_CACHE_DIR", str(tmp_path))
    with pytest.raises(ck.KernelUnavailable, match="C compiler failed"):
        ck.build_library("int gt_probe(void) { return }\n", "int gt_probe(void);")
    assert not list(tmp_path.glob("*.so"))


def test_auto_keeps_small_searches_in_python_and_builds_the_kernel_for_the_rest(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("GENTRACE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(ck, "_LOADED", {})
    system = build(get_design("fixed", "1.27"), parse_bounds(["workers=0", "advances=1"]))
    small = explore(system, kernel="auto")
    assert small.kernel == "python" and small.complete and not list(tmp_path.glob("*.so"))
    monkeypatch.setattr(search, "PROBE_STATES", small.stats.states // 2)
    # A user's budget below the probe is the user's: the probe's cut result stands.
    cut = explore(system, kernel="auto", max_states=small.stats.states // 4)
    assert cut.kernel == "python" and "state budget" in cut.cut and not list(tmp_path.glob("*.so"))
    big = explore(system, kernel="auto")  # the probe is cut: the kernel is built and runs
    assert big.kernel == "c" and list(tmp_path.glob("*.so"))
    assert not same_search(big, small)


def test_ctrl_c_stops_the_kernel_and_keeps_what_it_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel returns to Python every KERNEL_EVERY states, where a pending Ctrl-C stops
    the search: the result is partial, says so, and keeps the findings made so far."""
    monkeypatch.setattr(search, "KERNEL_EVERY", 500)
    system = build(get_design("legacy", "1.22"), parse_bounds(["advances=1"]))
    calls = []

    def progress(st: Any) -> None:
        calls.append(st.states)
        if st.states >= 20_000:
            raise KeyboardInterrupt

    res = explore(system, kernel="c", progress=progress)
    assert res.kernel == "c" and res.interrupted and not res.complete
    assert 20_000 <= res.stats.states < 20_000 + 500 + len(system.steps)
    assert calls == sorted(calls) and len(calls) > 10
    full = explore(system, kernel="c")
    assert full.complete and full.stats.states > res.stats.states
    # What the partial search found is what the full one found first (the same paths).
    for p, f in res.findings.items():
        if f.kind == "invariant":
            assert full.findings[p].path == f.path
    assert {res.verdicts[p] for p in PROPERTY_NAMES} <= {"violated", "incomplete"}


def test_a_value_past_its_declared_range_stops_the_kernel() -> None:
    """The kernel packs each field in the bits its declared range needs; a step that gives
    a field more would be cut silently, so the search stops and names the field.  (The
    declared ranges are right: every other test here runs without this error.)"""
    system = build(get_design("legacy", "1.22"), parse_bounds(["advances=1"]))
    gen = system.layout.index["sample1.gen"]
    assert system.layout.maxv[gen] == 15
    narrow = object.__new__(System)
    narrow.__dict__.update(system.__dict__)
    narrow.layout = copy.copy(system.layout)
    narrow.layout.maxv = list(system.layout.maxv)
    narrow.layout.maxv[gen] = 7  # 0 at first, then generation 14 or 15
    with pytest.raises(RuntimeError, match="field sample1.gen .* past its declared range"):
        explore(narrow, kernel="c")


def test_a_system_past_the_kernels_arithmetic_runs_in_python(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Twin of the 62-bit search above: a 64-bit word does not fit int64; said, not cut."""
    monkeypatch.setattr(ck, "_NOTED", set())
    system = build(get_design("fixed", "1.27"), parse_bounds(["workers=0", "advances=1", "word=64"]))
    res = explore(system, kernel="c")
    assert res.kernel == "python" and "62 bits" in res.kernel_note
    assert "62 bits" in capsys.readouterr().err
