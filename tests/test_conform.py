"""gentrace conform: the checks (gentrace.runtime.conform) and the command, on hand-made traces
with known defects and their twins without, and on the committed real traces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gentrace.cli import conform as cli_conform
from gentrace.cli.main import main
from gentrace.runtime import trace_format as tf
from gentrace.runtime.conform import HOLDS, VACUOUS, VIOL, ConformReport, conform_file, conform_trace
from gentrace.runtime.trace_reader import decode
from gentrace.runtime.trace_writer import HandGen, batch, header, m_batch, uvarint, write_trace

DATA = Path(__file__).parent / "data" / "traces"
REAL = sorted(DATA.glob("*.trace"))

# Four generations at 1000 ticks per second (1 tick = 1 ms, so the tables read in ticks).
# Windows: g1 [100, 1000], g2 [1010, 2000], g3 [2010, 3000], g4 [3010, 4000].  Allowed spans (the rule in conform.py):
# g1 (-inf, 1010], g2 [1000, 2010], g3 [2000, 3010], g4 [3000, +inf).
WINDOWS = {1: (100, 1000), 2: (1010, 2000), 3: (2010, 3000), 4: (3010, 4000)}


def gens(extra: dict[int, list[tuple[int, int]]] | None = None, m2: int = 2) -> list[HandGen]:
    out = []
    for g, (lo, hi) in WINDOWS.items():
        samples = [((lo + hi) // 2, 1)] + (extra or {}).get(g, [])
        out.append(HandGen(g, events={1: [lo, (lo + hi) // 2, hi - 10], m2: [lo + 10, hi]},
                           samples=samples, freq=1000))
    return out


def check(hand: list[HandGen], version: int = tf.GO126) -> ConformReport:
    return conform_trace(decode(write_trace(hand, version), "hand.trace"))


@pytest.mark.parametrize("version", tf.SUPPORTED)
def test_well_placed_samples_hold(version: int) -> None:
    r = check(gens(), version)
    assert [r.verdict(p) for p in ("generations", "sample-generation", "generation-order")] == [HOLDS] * 3
    assert (r.samples, r.inside, r.boundary, r.violations) == (4, 4, 0, 0)
    assert r.histogram == {0: 4}
    assert r.order_ms == 2


def test_sample_two_generations_late_is_caught() -> None:
    """Taken at 1500 (generation 2's time), written in generation 4: CL 555495's misattribution."""
    r = check(gens({4: [(1500, 7)]}))
    assert r.verdict("sample-generation") == VIOL and r.violations == 1
    (s,) = r.misplaced
    assert (s.gen, s.index, s.m, s.ticks, s.ns, s.expected, s.off) == (4, 1, 7, 1500, 1_500_000_000, 2, 2)
    assert r.histogram == {0: 4, 2: 1}
    assert r.verdict("generations") == HOLDS and r.verdict("generation-order") == HOLDS


def test_sample_in_the_boundary_zone_holds_and_just_outside_it_does_not() -> None:
    # 1005 lies between hi(g1)=1000 and lo(g2)=1010: it may belong to either.
    r = check(gens({2: [(1005, 1)], 1: [(1005, 1)]}))
    assert r.verdict("sample-generation") == HOLDS and (r.boundary, r.misplaced) == (2, [])
    # 990 is inside g1's window, before g2's span starts at 1000: one generation late.
    r = check(gens({2: [(990, 1)]}))
    assert [(s.gen, s.expected, s.off) for s in r.misplaced] == [(2, 1, 1)]


def test_sample_written_early_has_a_negative_offset() -> None:
    r = check(gens({1: [(2500, 1)]}))
    assert [(s.gen, s.expected, s.off) for s in r.misplaced] == [(1, 3, -2)]
    assert r.histogram == {-2: 1, 0: 4}


def test_batches_without_an_m_do_not_widen_a_window() -> None:
    # traceAdvance writes generation 2's leftover goroutine statuses (M = -1) at 2500, after
    # generation 3 began at 2010: they do not make 2500 a time of generation 2.
    hand = gens({2: [(2400, 1)]})
    hand[1].events[-1] = [2500]
    r = check(hand)
    assert [(s.gen, s.expected, s.off) for s in r.misplaced] == [(2, 3, -1)]
    assert (r.generations[1].first_ns, r.generations[1].last_ns) == (1_010_000_000, 2_000_000_000)
    # The twin: the same M = -1 events, the sample inside the boundary zone [2000, 2010].
    hand = gens({2: [(2005, 1)]})
    hand[1].events[-1] = [2500]
    r = check(hand)
    assert r.verdict("sample-generation") == HOLDS and r.boundary == 1


def test_first_and_last_generations_are_open_ended() -> None:
    r = check(gens({1: [(1, 1)], 4: [(10**9, 1)]}))
    assert r.verdict("sample-generation") == HOLDS and r.boundary == 2


def test_one_generation_or_no_sample_is_vacuous() -> None:
    one = gens()[:1]
    assert check(one).verdict("sample-generation") == VACUOUS
    none = gens()
    for g in none:
        g.samples = []
    r = check(none)
    assert r.verdict("sample-generation") == VACUOUS and r.violations == 0


def test_missing_generation_is_caught() -> None:
    hand = gens()
    del hand[2]
    r = check(hand)
    assert r.verdict("generations") == VIOL
    assert r.gen_problems == ["generation 3 is missing (between 2 and 4)"]


def test_repeated_and_backward_generations_are_caught() -> None:
    hand = gens()
    hand[3].gen = 2
    r = check(hand)
    assert r.gen_problems == [f"generation 2 (byte {r_offset(hand, 3)}) follows generation 3"]
    hand = gens()[:2] + [HandGen(2, events={1: [2500]})]
    assert check(hand).gen_problems[0].startswith("generation 2 (byte ")


def r_offset(hand: list[HandGen], index: int) -> int:
    return decode(write_trace(hand)).generations[index].offset


def test_missing_frequency_and_end_marker_are_caught() -> None:
    hand = gens()
    hand[1].freq = None
    hand[3].end = False
    r = check(hand)
    assert r.gen_problems == ["generation 2 has no frequency event",
                              "generation 2 has no clock snapshot",  # the same sync batch
                              "generation 4 has no end-of-generation marker (the trace is cut off)"]
    assert not r.generations[1].complete and r.generations[0].complete


def test_missing_clock_snapshot_in_a_go125_trace() -> None:
    sync = batch(1, -1, 0, bytes([tf.EV_SYNC, tf.EV_FREQUENCY]) + uvarint(10**9))
    r = conform_trace(decode(header(25) + sync + m_batch(1, 1, [10, 20])))
    assert r.gen_problems == ["generation 1 has no clock snapshot"]


def test_stray_end_marker_is_caught() -> None:
    r = conform_trace(decode(write_trace(gens()) + bytes([tf.EV_END_OF_GENERATION])))
    assert r.verdict("generations") == VIOL and "ends no generation" in r.gen_problems[0]


def test_m_writing_an_earlier_generation_after_a_later_one_is_caught() -> None:
    hand = gens()
    hand[0].events[1] = [100, 500, 1500]  # M 1's last generation-1 event after its first of generation 2
    r = check(hand)
    assert r.verdict("generation-order") == VIOL
    (b,) = r.order_breaks
    assert (b.m, b.gen, b.earlier_gen, b.by_ticks) == (1, 2, 1, 490)
    assert (b.first_ns, b.earlier_last_ns) == (1_010_000_000, 1_500_000_000)


def test_events_without_an_m_are_not_an_ms_order() -> None:
    hand = gens(m2=-1)
    hand[0].events[-1] = [100, 1500]  # NoThread batches: not an M's program order
    r = check(hand)
    assert r.verdict("generation-order") == HOLDS and r.order_ms == 1


def test_no_m_in_two_generations_is_vacuous() -> None:
    hand = [HandGen(1, events={1: [10, 20]}), HandGen(2, events={2: [30, 40]})]
    assert check(hand).verdict("generation-order") == VACUOUS


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_traces_conform(path: Path) -> None:
    r = conform_file(path)
    assert r.violations == 0
    assert [r.verdict(p) for p in ("generations", "sample-generation", "generation-order")] == [HOLDS] * 3


# -- the command ----------------------------------------------------------------------

def write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_cli_exit_0_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conform", "--generations", write(tmp_path, "ok.trace", write_trace(gens()))]) == 0
    out = capsys.readouterr().out
    assert "go 1.26 trace (go1.26, go1.27)" in out
    assert "4 generations (1..4), 20 events in 8 M batches, 4 CPU samples" in out
    assert "sample-generation  holds    4 samples: 4 inside their generation's window" in out
    assert "   gen  batches   events  samples   Ms  window (ms)" in out
    assert "     2        2        5        1    2  910.000 .. 1900.000" in out


def test_cli_exit_1_lists_misplaced_samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.trace", write_trace(gens({4: [(1500, 7)]})))
    assert main(["conform", path]) == 1
    out = capsys.readouterr().out
    assert "sample-generation  VIOL" in out
    assert "           4       1        7    1400.000         2  +2" in out
    assert "generations off  samples" in out and "             +2  1" in out


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.trace", write_trace(gens({4: [(1500, 7)]})))
    assert main(["conform", "--json", path]) == 1
    doc = json.loads(capsys.readouterr().out)
    (rep,) = doc["traces"]
    assert doc["violations"] == 1 and doc["unreadable"] == [] and rep["format"] == "go 1.26 trace"
    sg = rep["properties"]["sample-generation"]
    assert sg["verdict"] == "VIOL" and sg["histogram"] == {"0": 4, "2": 1}
    assert sg["misplaced"] == [{"gen": 4, "index": 1, "m": 7, "ticks": 1500, "ns": 1_500_000_000,
                                "expected_gen": 2, "off": 2}]
    assert [g["gen"] for g in rep["generations"]] == [1, 2, 3, 4]


@pytest.mark.parametrize("data, reason", [
    (header(21) + b"\x00" * 32, "unsupported trace version 'go 1.21 trace' (the format before go1.22)"),
    (b"PK\x03\x04 a zip file", "not a Go execution trace"),
    (write_trace(gens())[:-3], "truncated"),
])
def test_cli_exit_2_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, reason: str) -> None:
    path = write(tmp_path, "x.trace", data)
    assert main(["conform", path]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    (line,) = cap.err.splitlines()
    assert line.startswith(f"gentrace: {path}: {reason}") and "Traceback" not in cap.err


def test_cli_several_files_worst_status_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.trace", write_trace(gens()))
    bad = write(tmp_path, "bad.trace", write_trace(gens({4: [(1500, 7)]})))
    junk = write(tmp_path, "junk.trace", b"junk")
    assert main(["conform", good, bad]) == 1
    assert capsys.readouterr().out.rstrip().endswith("2 traces checked: 1 conform, 1 violate")
    assert main(["conform", good, junk, bad]) == 2
    cap = capsys.readouterr()
    assert "3 traces checked" not in cap.out and "2 traces checked: 1 conform, 1 violate; 1 unreadable" in cap.out
    assert cap.err.count("\n") == 1


def test_cli_interrupt_keeps_finished_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    good = write(tmp_path, "good.trace", write_trace(gens()))
    real = cli_conform.conform_file
    calls = []

    def fake(name: str) -> ConformReport:
        calls.append(name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(name)

    monkeypatch.setattr(cli_conform, "conform_file", fake)
    assert main(["conform", good, good]) == 130
    cap = capsys.readouterr()
    assert "good.trace: go 1.26 trace" in cap.out and "gentrace: interrupted" in cap.err


def test_cli_real_traces(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conform", "--json", *map(str, REAL)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [t["format"] for t in doc["traces"]] == ["go 1.22 trace", "go 1.23 trace", "go 1.25 trace",
                                                    "go 1.26 trace"]
    assert doc["violations"] == 0
