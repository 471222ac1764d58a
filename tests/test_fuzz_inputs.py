"""Bad input, at scale: the trace reader and the counterexample loader, fuzzed with Hypothesis.

Both read files users hand them (``gentrace conform TRACE``, ``gentrace replay FILE``).  Whatever
the bytes, the outcome is a result (the file was read) or one line naming the file and the
reason, exit 2: never a traceback, a hang, or memory that grows with a number the file states
rather than with the file's length.

Inputs: random bytes; random bytes after a valid header (so the batch decoder sees them);
traces made batch by batch from edge values (varints that overflow 64 bits or are padded,
sizes of 2^60, bad batch bytes, events a version lacks); the committed traces
(``tests/data/traces``) and the committed counterexamples (``findings/``) truncated,
bit-flipped, overwritten, spliced with such pieces; and the counterexamples with fields
changed (wrong types, missing keys, huge numbers, deep nesting, names of unknown or other
designs, releases and steps, out-of-range values).

Each target runs twice: at the level of the functions (decode and check; load and replay) and
through the command line in-process.  The runs are derandomized with a modest number of
examples each; ``bench/bench_fuzz.py`` runs the same targets for minutes.  A per-example
deadline is the hang guard (generous: an input that takes it is quadratic, not slow), and a
separate test measures the memory decoding takes (tracemalloc: bytes, not time) against the
file's length.  The crashes found so far are pinned as ``@example`` and as plain tests.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from gentrace.cli.main import main
from gentrace.core.counterexample import CounterexampleError, loads
from gentrace.core.replay import ReplayError, replay
from gentrace.model import DESIGNS, PROPERTY_NAMES
from gentrace.runtime import trace_format as tf
from gentrace.runtime.conform import _nearest_holding, conform_trace
from gentrace.runtime.trace_reader import TraceError, decode
from gentrace.runtime.trace_writer import batch, header, sample_batch, sync_batch, uvarint
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
TRACE_FILES = sorted((ROOT / "tests" / "data" / "traces").glob("*.trace"))
TRACES = {p.name: p.read_bytes() for p in TRACE_FILES}
FINDINGS = {p.name: p.read_text() for p in sorted((ROOT / "findings").glob("*.json"))}

# The default run: fixed seed, few examples, a deadline far above any honest input's time.
EXAMPLES = 60
FUZZ = settings(derandomize=True, max_examples=EXAMPLES, deadline=timedelta(seconds=10),
                database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])


# -- what an outcome may be ---------------------------------------------------------

def one_line(msg: str) -> str:
    """``msg`` if it is one non-empty line; else the test fails saying what it was."""
    assert msg and "\n" not in msg and "\r" not in msg, f"not one line: {msg!r:.300}"
    return msg


def judge_trace(data: bytes) -> str | None:
    """Decode and check ``data`` as ``gentrace conform`` does: None if it was read, the
    one-line reason if it was refused.  Any other exception propagates (a crash)."""
    try:
        rep = conform_trace(decode(data, "fuzz.trace"))
    except TraceError as e:
        return one_line(str(e))
    rep.render(per_generation=True)
    json.dumps(rep.to_json())
    return None


def judge_counterexample(text: str) -> str | None:
    """Load and replay ``text`` as ``gentrace replay`` does: None if it replayed, the one-line
    reason if it was refused.  Any other exception propagates (a crash)."""
    try:
        rp = replay(loads(text, "fuzz.json"))
    except (CounterexampleError, ReplayError) as e:
        return one_line(str(e))
    one_line(rp.verdict)
    return None


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``gentrace ARGV`` in-process: exit status, stdout, stderr (no pytest fixture, so that
    Hypothesis can call it once per example)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def check_cli(argv: list[str], ok: tuple[int, ...], bad_files: int = 1) -> tuple[int, str]:
    """Run ``argv``; a refused file gives exit 2 and one ``gentrace:`` line on stderr, an
    accepted one an exit status in ``ok`` and nothing on stderr.  The status and stderr."""
    code, _out, err = run_cli(argv)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == bad_files and err.endswith("\n"), f"stderr: {err!r:.500}"
        assert all(line.startswith("gentrace: ") for line in lines), f"stderr: {err!r:.500}"
        assert "Traceback" not in err
    else:
        assert code in ok, (code, err[:500])
        assert err == "", f"stderr: {err!r:.500}"
    return code, err


@contextlib.contextmanager
def scratch_file(data: bytes, suffix: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="gentrace-fuzz-") as d:
        path = Path(d) / f"input{suffix}"
        path.write_bytes(data)
        yield str(path)


# -- byte-level mutation -----------------------------------------------------------------

def overlong(v: int, extra: int) -> bytes:
    """``v`` as a varint padded with ``extra`` continuation bytes (same value, longer)."""
    b = bytearray(uvarint(v))
    for _ in range(extra):
        b[-1] |= 0x80
        b.append(0)
    return bytes(b)


EDGE = [0, 1, 2, 0x7F, 0x80, tf.MAX_BATCH_SIZE, tf.MAX_BATCH_SIZE + 1, 1 << 32, 1 << 60,
        (1 << 63) - 1, 1 << 63, (1 << 64) - 1]
PIECES = [
    b"\xff" * 9 + b"\x01",            # 2^64 - 1: the longest valid varint
    b"\xff" * 9 + b"\x02",            # 2^64: overflows
    b"\xff" * 10 + b"\x01",           # eleven bytes: overflows
    b"\xff" * 64 + b"\x01",
    b"\xff" * 5000 + b"\x01",
    b"\x80" * 20 + b"\x00",           # a zero padded past ten bytes
    uvarint(1 << 60), uvarint(1 << 70),
    bytes([tf.EV_EVENT_BATCH]) + uvarint(1) + uvarint(0) + uvarint(0) + uvarint(1 << 60),
    bytes([tf.EV_EVENT_BATCH]) + uvarint(0) + uvarint(0) + uvarint(0) + uvarint(0),
    bytes([tf.EV_EXPERIMENTAL_BATCH]), bytes([tf.EV_END_OF_GENERATION]) * 3,
    bytes([0]), bytes([255]), bytes([tf.EV_CPU_SAMPLES]), bytes([tf.EV_SYNC]),
]


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` after one to four edits: truncate, flip a bit, overwrite, delete, splice."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "overwrite", "delete", "splice"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "truncate":
            del data[pos:]
        elif op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "overwrite":
            new = draw(st.binary(min_size=1, max_size=12))
            data[pos:pos + len(new)] = new
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 64))]
        else:
            data[pos:pos] = draw(st.sampled_from(PIECES) | st.binary(min_size=1, max_size=8))
    return bytes(data)


# -- traces ---------------------------------------------------------------------------

def _varint(draw: st.DrawFn, v: int) -> bytes:
    how = draw(st.sampled_from(["plain", "plain", "plain", "padded", "overflow"]))
    if how == "padded":
        return overlong(v, draw(st.integers(1, 12)))
    if how == "overflow":
        return draw(st.sampled_from(PIECES[1:6]))
    return uvarint(v)


@st.composite
def crafted_traces(draw: st.DrawFn) -> bytes:
    """A header of a supported version and batches made of edge values: any batch kind,
    sizes that lie, varints that overflow, events the version lacks, stray markers."""
    version = draw(st.sampled_from(tf.SUPPORTED))
    out = bytearray(header(version))
    small = st.integers(0, 300)
    value = st.sampled_from(EDGE) | small
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["m", "m", "cpu", "freq", "sync", "skip", "marker", "junk"]))
        if kind == "marker":
            out.append(tf.EV_END_OF_GENERATION)
            continue
        if kind == "junk":
            out += draw(st.binary(min_size=1, max_size=16))
            continue
        payload = bytearray()
        if kind == "m":
            for _ in range(draw(st.integers(0, 8))):
                payload.append(draw(st.sampled_from(sorted(tf.TIMED)) | st.integers(0, 255)))
                for _ in range(draw(st.integers(0, 5))):
                    payload += _varint(draw, draw(value))
        elif kind == "cpu":
            payload.append(tf.EV_CPU_SAMPLES)
            for _ in range(draw(st.integers(0, 4))):
                payload.append(draw(st.sampled_from([tf.EV_CPU_SAMPLE] * 4 + [0, 255])))
                for _ in range(draw(st.integers(3, 6))):
                    payload += _varint(draw, draw(value))
        elif kind == "freq":
            payload += bytes([tf.EV_FREQUENCY]) + _varint(draw, draw(value))
        elif kind == "sync":
            payload.append(tf.EV_SYNC)
            for t in draw(st.lists(st.sampled_from([tf.EV_FREQUENCY, tf.EV_CLOCK_SNAPSHOT, 0, 9]),
                                   max_size=3)):
                payload.append(t)
                for _ in range(draw(st.integers(1, 4))):
                    payload += _varint(draw, draw(value))
        else:
            payload.append(draw(st.sampled_from([tf.EV_STRINGS, tf.EV_STACKS])))
            payload += draw(st.binary(max_size=20))
        size = len(payload) + draw(st.sampled_from([0, 0, 0, 0, -1, 1]))
        if draw(st.integers(0, 9)) == 0:
            size = draw(st.sampled_from(EDGE))
        lead = bytes([tf.EV_EVENT_BATCH])
        if version >= tf.GO123 and draw(st.integers(0, 9)) == 0:
            lead = bytes([tf.EV_EXPERIMENTAL_BATCH, draw(st.integers(0, 255))])
        out += lead
        for v in (draw(st.sampled_from([1, 1, 2, 3]) | value), draw(value), draw(value)):
            out += _varint(draw, v)
        out += _varint(draw, max(size, 0)) + payload
    return bytes(out)


def trace_inputs() -> st.SearchStrategy[bytes]:
    """Every kind of trace input the fuzzer tries."""
    after_header = st.builds(lambda v, b: header(v) + b, st.sampled_from(tf.SUPPORTED),
                             st.binary(max_size=512))
    committed = st.sampled_from(sorted(TRACES)).flatmap(lambda n: mutated(TRACES[n]))
    return st.one_of(st.binary(max_size=512), after_header, crafted_traces(), committed,
                     crafted_traces().flatmap(mutated))


# Regression inputs: each crashed, hung or allocated without bound before its fix.
H26 = header(tf.GO126)
LONG_VARINT_HEADER = H26 + b"\x01" + b"\xff" * 400_000 + b"\x01"  # quadratic before the cap: 47 s
HUGE_DELTA = (H26 + sync_batch(1, 1000, tf.GO126, 0)                  # 4200-bit tick: float overflow
              + batch(1, 1, 0, bytes([11]) + b"\xff" * 600 + b"\x01"))



def many_misplaced(gens: int, samples: int) -> bytes:
    """``gens`` generations of one event each and, in the last, ``samples`` CPU samples taken
    before them all: each sample's nearest holding generation is the first, the farthest."""
    out = bytearray(header(tf.GO122))
    for g in range(1, gens + 1):
        out += batch(g, 1, 100 * g, bytes([11, 0]))
    for k in range(0, samples, 4000):
        out += sample_batch(gens, [(1, 1)] * min(4000, samples - k))
    return bytes(out)


MANY_MISPLACED = many_misplaced(5000, 5000)  # quadratic search for their generation: minutes


@FUZZ
@given(trace_inputs())
@example(LONG_VARINT_HEADER)
@example(HUGE_DELTA)
@example(MANY_MISPLACED)
def test_trace_reader_reads_or_refuses_in_one_line(data: bytes) -> None:
    judge_trace(data)


@FUZZ
@given(trace_inputs(), st.sampled_from(["one", "json", "many"]))
@example(HUGE_DELTA, "one")
@example(MANY_MISPLACED, "many")
def test_conform_command_refuses_bad_traces_in_one_line(data: bytes, how: str) -> None:
    good = str(TRACE_FILES[0])
    with scratch_file(data, ".trace") as path:
        argv = {"one": ["conform", "--generations", path], "json": ["conform", "--json", path],
                "many": ["conform", path, good]}[how]
        check_cli(argv, ok=(0, 1))


# -- counterexamples -----------------------------------------------------------------------

HUGE = "\x00huge\x00"   # placeholders that become text json.dumps cannot write
DEEP = "\x00deep\x00"
STEP_NAMES = sorted({(s["thread"], s["step"]) for t in FINDINGS.values() for s in json.loads(t)["steps"]})
NAMES = sorted({*DESIGNS, "shipped", "", "1.22", "1.22.0", "1.22.13", "1.24", "1.24.99", "1.27", "2.0",
                "1.24.\u00b2", "1.24." + "9" * 4400, "go1.24.\u0663",
                *PROPERTY_NAMES, "invariant", "deadlock", "no-completion", "self-deadlock",
                *(t for t, _ in STEP_NAMES), *(n for _, n in STEP_NAMES)})

scalars = (st.none() | st.booleans() | st.integers(-(1 << 70), 1 << 70) | st.sampled_from(EDGE)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(NAMES) | st.sampled_from([HUGE, DEEP]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), inner,
                                             max_size=3), max_leaves=8)


def _paths(doc: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*at, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:6]):
            yield from _paths(v, (*at, i))


def _dump(doc: Any, draw: st.DrawFn) -> str:
    text = json.dumps(doc, indent=draw(st.sampled_from([None, 1])))
    huge = draw(st.sampled_from(["1" + "0" * 5000, "-9" * 2200, "1e99999", str(1 << 64), "0.5e-99999"]))
    depth = draw(st.sampled_from([50, 2000, 100_000]))
    return (text.replace(json.dumps(HUGE), huge)
            .replace(json.dumps(DEEP), "[" * depth + "]" * depth))


@st.composite
def changed_counterexamples(draw: st.DrawFn) -> str:
    """A committed counterexample with one to three fields changed, dropped or renamed, or its
    steps reshuffled or renamed."""
    doc = json.loads(FINDINGS[draw(st.sampled_from(sorted(FINDINGS)))])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(doc))))
        op = draw(st.sampled_from(["set", "set", "drop", "rename", "steps"]))
        if op == "steps" and isinstance(doc, dict) and doc.get("steps") and isinstance(doc["steps"], list):
            steps = doc["steps"]
            how = draw(st.sampled_from(["cut", "repeat", "swap", "rename", "other"]))
            i = draw(st.integers(0, len(steps) - 1))
            if how == "cut":
                del steps[i:]
            elif how == "repeat":
                steps[i:i] = steps[i:i + draw(st.integers(1, 3))] * draw(st.integers(1, 50))
            elif how == "swap":
                j = draw(st.integers(0, len(steps) - 1))
                steps[i], steps[j] = steps[j], steps[i]
            elif how == "rename" and isinstance(steps[i], dict):
                steps[i]["step"] = draw(st.sampled_from(NAMES) | st.text(max_size=8))
            elif isinstance(steps[i], dict):
                steps[i]["thread"], steps[i]["step"] = draw(st.sampled_from(STEP_NAMES))
            continue
        if not path:
            doc = draw(json_values)
            continue
        *up, last = path
        parent = doc
        for k in up:
            parent = parent[k]
        if op == "drop":
            del parent[last]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(NAMES) | st.text(max_size=6))] = parent.pop(last)
        else:
            parent[last] = draw(json_values)
    return _dump(doc, draw)


def counterexample_inputs() -> st.SearchStrategy[bytes]:
    """Every kind of counterexample input the fuzzer tries, as file bytes."""
    committed = st.sampled_from(sorted(FINDINGS)).flatmap(lambda n: mutated(FINDINGS[n].encode()))
    return st.one_of(st.binary(max_size=256), st.text(max_size=256).map(str.encode),
                     changed_counterexamples().map(str.encode), committed,
                     changed_counterexamples().flatmap(lambda t: mutated(t.encode())))


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


FIRST = FINDINGS[sorted(FINDINGS)[0]]
HUGE_INT_FORMAT = '{"format": 1' + "0" * 5000 + "}"   # ValueError past the digit limit
HUGE_SEED = FIRST.replace('"seed": null', '"seed": ' + "9" * 4400)


SUPERSCRIPT_PATCH = FIRST.replace('"release": "1.24"', '"release": "1.24.\u00b2"')  # int('²') fails
LONG_PATCH = FIRST.replace('"release": "1.24"', '"release": "1.24.' + "9" * 4400 + '"')


@FUZZ
@given(counterexample_inputs())
@example(HUGE_INT_FORMAT.encode())
@example(HUGE_SEED.encode())
@example(SUPERSCRIPT_PATCH.encode())
@example(LONG_PATCH.encode())
def test_counterexample_loader_reads_or_refuses_in_one_line(data: bytes) -> None:
    judge_counterexample(_text(data))


@FUZZ
@given(counterexample_inputs(), st.sampled_from(["one", "json", "many"]))
@example(HUGE_INT_FORMAT.encode(), "one")
@example(HUGE_INT_FORMAT.encode(), "many")
def test_replay_command_refuses_bad_files_in_one_line(data: bytes, how: str) -> None:
    good = str(ROOT / "findings" / sorted(FINDINGS)[0])
    with scratch_file(data, ".json") as path:
        argv = {"one": ["replay", path], "json": ["replay", "--json", path],
                "many": ["replay", "--quiet", path, good]}[how]
        check_cli(argv, ok=(0, 1))


# -- the regressions, one by one ------------------------------------------------------------

@pytest.mark.parametrize("piece", [b"\xff" * 9 + b"\x02", b"\xff" * 10 + b"\x01", b"\x80" * 20 + b"\x00"],
                         ids=["2^64", "eleven-bytes", "padded-zero"])
def test_a_varint_past_64_bits_is_refused(piece: bytes) -> None:
    data = H26 + bytes([tf.EV_EVENT_BATCH]) + piece + uvarint(1) + uvarint(0) + uvarint(0)
    with pytest.raises(TraceError, match="overflows 64 bits"):
        decode(data)


def test_the_longest_varint_still_reads() -> None:
    """The twin: ten bytes holding 2^64 - 1 are a valid varint (Go's MaxVarintLen64)."""
    data = H26 + bytes([tf.EV_EVENT_BATCH]) + uvarint(1) + b"\xff" * 9 + b"\x01" + uvarint(0) + uvarint(0)
    t = decode(data)
    assert t.generations[0].gen == 1 and t.generations[0].batches == 1


def test_a_timestamp_delta_past_64_bits_is_refused() -> None:
    with pytest.raises(TraceError, match="overflows 64 bits"):
        decode(HUGE_DELTA)


@pytest.mark.parametrize("size", [1 << 60, (1 << 64) - 1])
def test_a_huge_batch_size_allocates_nothing(size: int) -> None:
    data = H26 + bytes([tf.EV_EVENT_BATCH]) + uvarint(1) + uvarint(0) + uvarint(0) + uvarint(size) + b"\x0b\x01"
    with pytest.raises(TraceError, match="more than the maximum"):
        decode(data)
    assert _peak(lambda: judge_trace(data)) < 1 << 20


def _peak(f: Callable[[], object]) -> int:
    """The most memory (bytes, as tracemalloc counts them) ``f`` held at once."""
    tracemalloc.start()
    try:
        f()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@settings(FUZZ, max_examples=25)
@given(trace_inputs())
def test_memory_follows_the_file_length_not_its_numbers(data: bytes) -> None:
    """What reading and checking a trace holds at once is bounded by the file's length
    (a generous constant per byte), never by a size or count the file states."""
    assert _peak(lambda: judge_trace(data)) <= (1 << 20) + 400 * len(data)


def test_huge_json_numbers_are_refused_in_one_line() -> None:
    with pytest.raises(CounterexampleError, match="number"):
        loads(HUGE_INT_FORMAT, "x.json")


def test_a_huge_seed_is_refused_not_printed() -> None:
    msg = judge_counterexample(HUGE_SEED)
    assert msg is not None and "number" in msg


ZERO = Path("/dev/zero")


@pytest.mark.skipif(not ZERO.exists(), reason="no /dev/zero")
@pytest.mark.parametrize("argv", [["conform", str(ZERO)], ["replay", str(ZERO)],
                                  ["replay", "--quiet", str(ZERO), str(ROOT / "findings" / sorted(FINDINGS)[0])]],
                         ids=["conform", "replay", "replay-many"])
def test_an_endless_file_is_refused_without_reading_it_whole(argv: list[str]) -> None:
    """/dev/zero never ends: the trace reader refuses its header before reading on, the
    loader reads at most its limit."""
    code, _out, err = run_cli(argv)
    assert code == 2 and err.count("\n") == 1 and err.startswith("gentrace: "), err


def test_the_judges_catch_a_crash_and_a_second_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The twin of the fuzz tests: what they would miss if the judges let it pass."""
    import gentrace.cli.conform as cli_conform

    def boom(*args: object) -> None:
        raise OverflowError("int too large to convert to float")

    def two_lines(*args: object) -> None:
        raise TraceError("first line\nsecond line")

    data = TRACES[sorted(TRACES)[0]]
    with scratch_file(data, ".trace") as path:
        assert check_cli(["conform", path], ok=(0, 1)) == (0, "")
        monkeypatch.setattr(cli_conform, "conform_file", boom)
        with pytest.raises(OverflowError):
            check_cli(["conform", path], ok=(0, 1))
        monkeypatch.setattr(cli_conform, "conform_file", two_lines)
        with pytest.raises(AssertionError, match="stderr"):
            check_cli(["conform", path], ok=(0, 1))
    monkeypatch.setattr(sys.modules[__name__], "decode", boom)
    with pytest.raises(OverflowError):
        judge_trace(data)
    with pytest.raises(AssertionError, match="not one line"):
        one_line("refused:\nbecause")


def test_a_file_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader's read limit (64 MiB), lowered to the size of a committed counterexample:
    one byte less is refused in one line, from a file and from standard input; the file
    itself still loads (the twin)."""
    import gentrace.core.counterexample as cxmod

    text = FINDINGS[sorted(FINDINGS)[0]]
    with scratch_file(text.encode(), ".json") as path:
        monkeypatch.setattr(cxmod, "MAX_BYTES", len(text.encode()))
        assert check_cli(["replay", "--quiet", path], ok=(0,)) == (0, "")
        monkeypatch.setattr(cxmod, "MAX_BYTES", len(text.encode()) - 1)
        code, err = check_cli(["replay", path], ok=())
        assert code == 2 and "too large to be a counterexample" in err
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        code, err = check_cli(["replay", "-"], ok=())
        assert code == 2 and "too large to be a counterexample" in err


def test_reading_a_small_file_reserves_no_more_than_it_holds() -> None:
    """``f.read(limit)`` reserves the whole 64 MiB limit at once; reading by the MiB does not."""
    with scratch_file(b"{", ".json") as path:
        assert _peak(lambda: run_cli(["replay", path])) < 4 << 20


def test_many_misplaced_samples_each_find_their_generation() -> None:
    rep = conform_trace(decode(many_misplaced(300, 50)))
    assert len(rep.misplaced) == 50 and {(s.expected, s.off) for s in rep.misplaced} == {(1, 299)}


def _nearest_by_definition(lows: list[float], highs: list[float], i: int, t: int) -> int | None:
    for d in range(1, len(lows)):
        for j in (i - d, i + d):
            if 0 <= j < len(lows) and lows[j] <= t <= highs[j]:
                return j
    return None


spans = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=12)


@settings(FUZZ, max_examples=100)
@given(spans, st.booleans(), st.booleans(), st.lists(st.tuples(st.integers(0, 11), st.integers(-2, 22)),
                                                     max_size=10))
def test_the_sweep_finds_the_nearest_holding_generation_as_defined(
        pairs: list[tuple[int, int]], open_lo: bool, open_hi: bool, queries: list[tuple[int, int]]) -> None:
    """The sweep over samples (O(n log n)) against the definition (nearest first, the lower of
    two at one distance), on spans of any shape, some empty."""
    lows: list[float] = [float(a) for a, _ in pairs]
    highs: list[float] = [float(b) for _, b in pairs]
    if open_lo:
        lows[0] = float("-inf")
    if open_hi:
        highs[-1] = float("inf")
    queries = [(i % len(lows), t) for i, t in queries]
    assert _nearest_holding(lows, highs, queries) == [_nearest_by_definition(lows, highs, i, t)
                                                      for i, t in queries]


@pytest.mark.parametrize("text", [SUPERSCRIPT_PATCH, LONG_PATCH], ids=["superscript", "4400-digits"])
def test_a_release_whose_patch_is_no_number_is_refused(text: str) -> None:
    assert '"release": "1.24"' not in text
    with pytest.raises(CounterexampleError, match="unknown Go release"):
        loads(text, "x.json")
