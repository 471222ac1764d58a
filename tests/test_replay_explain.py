"""What a replay says: sets of samples shown as sets, and final messages that name values.

Ghost fields that are sets (``samples.emitted``, ``samples.overflowed``, ``cpuBuf[p].ids``,
``flushes``) are shown as the sets they are, ``{#1,#2}``, never as the bitmask integer,
wherever a state is shown (replay text and JSON, ``describe_state``).  The verdict of a
replay names the case and its values: which sample, batch, M, generation, step.
"""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path

import pytest
from gentrace.cli.main import main
from gentrace.core.counterexample import Counterexample, load
from gentrace.core.explain import explain
from gentrace.core.replay import replay
from gentrace.explore import explore
from gentrace.model import PROPERTY_NAMES, System, build, get_design, parse_bounds
from gentrace.model.layout import Layout

ROOT = Path(__file__).resolve().parent.parent

# Small bounds at which these designs break every property between them (each
# explores in well under a second).
RUNS = [
    ("wrap-to-one", "1.22", ["signals=0"]),               # event-generation, flush-before-seal (events)
    ("cpu-flush-before-m-loop", "1.27", ["workers=0"]),   # sample-*, flush-before-seal (cpuBuf), ...
    ("reader-exits-when-empty", "1.27", ["workers=0", "advances=1"]),
    ("handler-waits-for-seqlock", "1.27", ["sections=1", "advances=0"]),  # self-deadlock
    ("nested-fresh-gen", "1.27", ["advances=1", "signals=0"]),  # deadlock, generation-order, locks
]
STICKY = ("sample-generation", "event-generation", "flush-before-seal", "generation-order")

SET = r"\{(#(\d+|\?)(,#(\d+|\?))*)?\}"
FLUSHES = r"\{((events|samples)(,(events|samples))*)?\}"


def is_set_field(name: str) -> bool:
    return name in ("samples.emitted", "samples.overflowed") or bool(re.fullmatch(r"cpuBuf\[\d\]\.ids", name))


@pytest.fixture(scope="module")
def cxs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The committed findings, and every counterexample of RUNS, as files."""
    out = tmp_path_factory.mktemp("cx")
    files = sorted((ROOT / "findings").glob("*.json"))
    for name, rel, b in RUNS:
        system = build(get_design(name, rel), parse_bounds(b))
        res = explore(system, liveness=False)
        for prop, f in res.findings.items():
            cx = Counterexample.from_path(system, prop, f.kind, f.message, f.path)
            files.append(cx.write(out, system))
    return files


# -- showing sets -----------------------------------------------------------------

def test_a_set_field_is_shown_as_a_set() -> None:
    L = Layout()
    i = L.add("s", 0, 7, bits=["#?", "#1", "#2"])
    j = L.add("plain", 0, 7)
    assert [L.show(i, v) for v in (0, 2, 6, 1)] == ["{}", "{#1}", "{#1,#2}", "{#?}"]
    assert L.show(i, 8) == "{bit3}", "a bit without a name is still shown, never dropped"
    assert L.show(j, 6) == "6"


def test_the_set_fields_are_declared_as_sets() -> None:
    system = build(get_design("fixed", "1.27"), parse_bounds(["signals=2"]))
    L = system.layout
    sets = {n for n, bits in zip(L.names, L.bits, strict=True) if bits is not None}
    assert sets == {"samples.emitted", "samples.overflowed", "cpuBuf[0].ids", "cpuBuf[1].ids", "flushes"}
    # An event batch's "stale" is a flag, not a set: it stays 0 or 1.
    stale = [i for i, n in enumerate(L.names) if n.endswith(".stale")]
    assert stale and all(L.maxv[i] == 1 for i in stale)
    s = list(system.initial)
    s[L.index["samples.emitted"]] = 0b110
    s[L.index["flushes"]] = 3
    shown = system.describe_state(tuple(s))
    assert shown["samples.emitted"] == "{#1,#2}" and shown["samples.overflowed"] == "{}"
    assert shown["flushes"] == "{events,samples}"


def test_replay_shows_no_bitmask_as_a_number(cxs: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    seen = set()
    for path in cxs:
        assert main(["replay", str(path)]) == 0
        out = capsys.readouterr().out
        for line in re.findall(r"^ *\d+  \S+ +\S+ +(.*?)(?:  <-- .*)?$", out, re.M):
            for change in [] if line == "(no change)" else line.split(", "):
                # A set's own commas have no space after them.
                name, _, values = change.partition(" ")
                before, after = values.split("->")
                if is_set_field(name):
                    seen.add(name.split("[")[0])
                    assert re.fullmatch(SET, before) and re.fullmatch(SET, after), (path.name, change)
                elif name == "flushes":
                    seen.add(name)
                    assert re.fullmatch(FLUSHES, before) and re.fullmatch(FLUSHES, after), change
        assert main(["replay", "--json", str(path)]) == 0
        for st in json.loads(capsys.readouterr().out)["steps"]:
            for ch in st["changes"]:
                if is_set_field(ch["field"]):
                    assert re.fullmatch(SET, ch["before"]) and re.fullmatch(SET, ch["after"]), ch
    assert seen == {"samples.emitted", "cpuBuf", "flushes"}, "the runs show every kind of set"


# -- final messages ------------------------------------------------------------------

NAMES_VALUES = {
    "sample-generation": r"samples? #\d+ \(accepted in generation \d+\).* reached the trace in cpuBuf\[\d\], "
                         r"a batch of generation \d+ holding \{#\d+.*\}, flushed at step \d+ \(A cpu-flush\)",
    "event-generation": r"W\d\.buf\[\d\], a batch of generation \d+, was flushed into the trace at step \d+ "
                        r"\(.+\) holding an event of generation \d+ that W\d wrote into it at step \d+",
    "flush-before-seal": r"step \d+ \(.+\) flushed (cpuBuf|W\d\.buf)\[\d\], a batch of generation \d+, "
                         r"(under generation \d+, not its header's \d+|after generation \d+ was finished "
                         r"\(flushedGen was \d+\))",
    "no-unflushed-at-stop": r"StopTrace returned but .*(holds \d+ record|batch of generation \d+)",
    "sample-conservation": r"#\d+ \(gen \d+\)|sample #\d+",
    "deadlock-freedom": r"(deadlock|self-deadlock): .*\b(W\d|R|A)\b.*waiting for",
    "single-reader": r"\b(R|A|W\d)\b.*\b(R|A|W\d)\b.* profBuf\[\d\] at once",
    "generation-order": r"W\d wrote an event of generation (\d+) at step \d+ \(.+\) after it had written "
                        r"one of generation (\d+) \(W\d\.lastEventGen\)",
    "reader-lifetime": r"exited \(R\.pc done\) while tracing was on \(gen \d+",
    "locks-balanced": r"W\d\.locks is [1-9]\d* with W\d outside its sections \(W\d\.pc (enabled|acquire|done)\)"
                      r": an acquirem\(\) with no releasem\(\)",
}


def test_every_property_has_a_counterexample_here(cxs: list[Path]) -> None:
    assert {load(p).prop for p in cxs} == set(PROPERTY_NAMES)
    assert {load(p).kind for p in cxs} == {"invariant", "self-deadlock", "deadlock"}


def test_the_verdict_names_the_case_and_its_values(cxs: list[Path]) -> None:
    for path in cxs:
        cx = load(path)
        rp = replay(cx)
        assert rp.reproduced, (path.name, rp.verdict)
        assert re.search(NAMES_VALUES[cx.prop], rp.verdict), (path.name, rp.verdict)
        assert "broken." not in rp.verdict, "replay knows the step that broke it"
        if cx.prop == "generation-order":
            m = re.search(NAMES_VALUES[cx.prop], rp.verdict)
            assert m is not None and m.group(1) != m.group(2)


def test_from_the_final_state_alone_a_sticky_message_claims_no_step(cxs: list[Path]) -> None:
    """The engines explain a state without its run: the message says what the state keeps."""
    for path in cxs:
        cx = load(path)
        if cx.prop not in STICKY:
            continue
        system = build(get_design(cx.design, cx.release), cx.bounds)
        s = system.initial
        for t, n in cx.steps:
            nxt = system.apply(s, system.step_index[f"{t}:{n}"])
            assert nxt is not None
            s = nxt
        text = explain(system, cx.prop, s)
        assert f"broken.{cx.prop} is set" in text, text
        assert "step " not in text.replace("the step that set it", ""), text


def _run_to(system: System, prop: str) -> list[int]:
    """The shortest run to a state whose broken.<prop> bit is set (breadth first)."""
    f = system.ctx.viol[prop]
    parent: dict[tuple[int, ...], tuple[int, tuple[int, ...]] | None] = {system.initial: None}
    todo = deque([system.initial])
    while todo:
        x = todo.popleft()
        if x[f]:
            path = []
            while (p := parent[x]) is not None:
                path.append(p[0])
                x = p[1]
            return path[::-1]
        for i, y in system.compiled.successors(x):
            if y not in parent:
                parent[y] = (i, x)
                todo.append(y)
    raise AssertionError(f"no state breaks {prop}")


def test_a_record_read_after_another_reader_freed_it_is_named_as_such(tmp_path: Path) -> None:
    """Two readers on one profBuf (reader-unlocked): the reader writes records whose first
    word the other's commit had freed; the model cannot tell their samples apart (#?), and
    the message says so instead of naming a sample."""
    system = build(get_design("reader-unlocked", "1.27"),
                   parse_bounds(["workers=0", "signals=2", "ring_words=4"]))
    path = _run_to(system, "sample-conservation")
    cx = Counterexample.from_path(system, "sample-conservation", "invariant", "", path)
    rp = replay(load(cx.write(tmp_path, system)))
    assert rp.reproduced
    assert re.search(r"step \d+ \(R read\.emit\) wrote a second #\? record into cpuBuf\[\d\], a batch "
                     r"of generation \d+ holding \{#\?\}", rp.verdict), rp.verdict
    assert "not in the state" in rp.verdict


def test_a_sample_flushed_twice_is_named() -> None:
    """traceCPUFlush flushing a batch whose sample has already reached the trace."""
    system = build(get_design("fixed", "1.27"), parse_bounds(["workers=0", "signals=1"]))
    L, idx = system.layout.index, system.step_index["A:cpu-flush"]
    b = list(system.initial)
    for name, v in {"A.pc": system.advancer.at["cpu-flush"], "A.gen": 14, "cpuBuf[0].hdr": 14,
                    "cpuBuf[0].n": 1, "cpuBuf[0].ids": 0b10, "sample1.gen": 14,
                    "samples.emitted": 0b10}.items():
        b[L[name]] = v
    a = system.apply(tuple(b), idx)
    assert a is not None and a[system.ctx.viol["sample-conservation"]] == 1
    text = explain(system, "sample-conservation", a, [(idx, tuple(b), a)])
    assert text.startswith("step 1 (A cpu-flush) flushed cpuBuf[0], a batch of generation 14 holding "
                           "{#1}, and {#1} had reached the trace already"), text
