"""Counterexample files: write, load, replay; and every way a file can be unusable.

A counterexample found by exploration must reproduce when read back; one that
does not describe a violation must not (exit 1); a file that cannot be used
must be refused with one line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from gentrace.cli.main import main
from gentrace.core.counterexample import FORMAT, VERSION, Counterexample, CounterexampleError, load, parse
from gentrace.core.replay import ReplayError, replay
from gentrace.explore import VIOLATED, explore
from gentrace.model import CANONICAL, DESIGNS, build, get_design, parse_bounds

DESIGNS_TO_RUN = ("legacy", "handler-waits-for-seqlock", "reader-unlocked")

FIXED_RUN = [("W0", "sigprof.deliver"), ("W0", "sigprof.seqlock-take-or-elide"),
             ("W0", "sigprof.load-gen"), ("A", "load-gen"), ("A", "publish")]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every counterexample of a few designs at the canonical bound, written to files."""
    out = tmp_path_factory.mktemp("cx")
    files = {}
    for name in DESIGNS_TO_RUN:
        system = build(get_design(name), CANONICAL)
        res = explore(system)
        assert res.complete
        for prop, f in res.findings.items():
            assert res.verdicts[prop] == VIOLATED
            cx = Counterexample.from_path(system, prop, f.kind, f.message, f.path)
            files[(name, prop)] = cx.write(out, system)
    return files


@pytest.fixture(scope="module")
def doc(written: dict[tuple[str, str], Path]) -> dict[str, Any]:
    """A valid counterexample document, to be spoiled by the tests below."""
    return json.loads(written[("legacy", "sample-generation")].read_text())


def one_line_error(capsys: pytest.CaptureFixture[str], code: int) -> str:
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith("gentrace: ") and err.endswith("\n")
    assert err.count("\n") == 1, err
    return err


# -- round trips ------------------------------------------------------------------

def test_every_expected_violation_was_written(written: dict[tuple[str, str], Path]) -> None:
    for name in DESIGNS_TO_RUN:
        assert {p for d, p in written if d == name} == set(DESIGNS[name].violates)


def test_written_files_load_back_unchanged(written: dict[tuple[str, str], Path]) -> None:
    for (name, prop), path in written.items():
        cx = load(path)
        assert path.name == f"go{cx.release}--{name}--{prop}.json"
        assert (cx.design, cx.bounds, cx.prop, cx.engine) == (name, CANONICAL, prop, "explore")
        d = json.loads(path.read_text())
        assert d["format"] == FORMAT and d["version"] == VERSION
        assert all(st["go"] for st in d["steps"]), "every step names its Go statement"
        assert [(st["thread"], st["step"]) for st in d["steps"]] == cx.steps
        assert cx.to_json(build(get_design(name, cx.release), CANONICAL)) == d


def test_every_written_counterexample_reproduces(written: dict[tuple[str, str], Path]) -> None:
    for path in written.values():
        rp = replay(load(path))
        assert rp.reproduced, (path.name, rp.verdict)
        assert len(rp.rows) == len(load(path).steps)


def test_replay_command_reproduces(written: dict[tuple[str, str], Path],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    for path in written.values():
        assert main(["replay", str(path)]) == 0
        out, err = capsys.readouterr()
        assert err == ""
        assert out.splitlines()[-1].startswith("REPRODUCED: ")


def test_replay_json_output(written: dict[tuple[str, str], Path],
                            capsys: pytest.CaptureFixture[str]) -> None:
    path = written[("legacy", "no-unflushed-at-stop")]
    assert main(["replay", "--json", str(path)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["reproduced"] is True
    assert (d["design"], d["property"]) == ("legacy", "no-unflushed-at-stop")
    assert len(d["steps"]) == len(load(path).steps)
    assert d["first_broken_step"] == len(d["steps"])


def test_replay_quiet_prints_only_the_verdict(written: dict[tuple[str, str], Path],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--quiet", str(written[("legacy", "sample-generation")])]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("REPRODUCED")


# -- files that do not show a violation: exit 1 -------------------------------------

def test_counterexample_without_its_last_step_does_not_reproduce(
        written: dict[tuple[str, str], Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    for (name, prop), path in written.items():
        d = json.loads(path.read_text())
        if d["violation"]["kind"] != "invariant":
            continue
        d["steps"].pop()
        short = tmp_path / f"{name}--{prop}.json"
        short.write_text(json.dumps(d))
        assert not replay(load(short)).reproduced, short.name
        assert main(["replay", "--quiet", str(short)]) == 1
        out, err = capsys.readouterr()
        assert out.startswith("NOT REPRODUCED") and err == ""


def test_self_deadlock_without_its_last_step_does_not_reproduce(
        written: dict[tuple[str, str], Path]) -> None:
    cx = load(written[("handler-waits-for-seqlock", "deadlock-freedom")])
    assert cx.kind == "self-deadlock"
    assert replay(cx).reproduced
    cx.steps.pop()
    assert not replay(cx).reproduced


@pytest.mark.parametrize("prop", list(DESIGNS["legacy"].violates) + ["single-reader"])
def test_a_run_of_fixed_shows_no_violation(prop: str, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cx = Counterexample("fixed", CANONICAL, prop, "invariant", "", FIXED_RUN)
    path = cx.write(tmp_path)
    assert main(["replay", str(path)]) == 1
    assert "NOT REPRODUCED" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["deadlock", "no-completion"])
def test_fixed_is_not_stuck(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bounds = parse_bounds(["advances=0"])
    cx = Counterexample("fixed", bounds, "deadlock-freedom", kind, "", FIXED_RUN[:3])
    assert main(["replay", "--quiet", str(cx.write(tmp_path))]) == 1
    assert capsys.readouterr().out.startswith("NOT REPRODUCED")


def test_deadlock_kind_is_only_for_deadlock_freedom(tmp_path: Path) -> None:
    cx = Counterexample("fixed", CANONICAL, "sample-generation", "deadlock", "", FIXED_RUN)
    rp = replay(load(cx.write(tmp_path)))
    assert not rp.reproduced
    assert "deadlock-freedom" in rp.verdict


# -- unusable files: exit 2, one line, no traceback ------------------------------------

def spoil(d: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    where: Any = d
    for k in path[:-1]:
        where = where[k]
    if value is DELETE:
        del where[path[-1]]
    else:
        where[path[-1]] = value
    return d


DELETE = object()

SPOILED = {
    "wrong format": (("format",), "something-else", "not a gentrace counterexample"),
    "no format": (("format",), DELETE, "not a gentrace counterexample"),
    "unsupported version": (("version",), 3, "version 3 is not supported"),
    "version as a string": (("version",), "2", "\"version\" must be the whole number 2, not \"2\""),
    "bound of the wrong type": (("bounds", "workers"), True, "workers=True is not a whole number"),
    "bound as a string": (("bounds", "workers"), "one", "workers='one' is not a whole number"),
    "version 1 (FIFO model)": (("version",), 1, "format version 1 was written by a gentrace whose "
                               "profBuf was a FIFO"),
    "unknown release": (("release",), "1.99", "unknown Go release '1.99'"),
    "design not of the release": (("release",), "1.27", "design 'legacy' is not a design of Go 1.27"),
    "unknown design": (("design",), "nonsense", "unknown design 'nonsense'"),
    "design not a string": (("design",), 3, "\"design\""),
    "unknown property": (("property",), "liveness", "unknown property 'liveness'"),
    "bounds not an object": (("bounds",), [1, 2], "bounds must be a JSON object"),
    "odd word": (("bounds", "word"), 5, "word=5 is odd"),
    "unknown bound": (("bounds", "threads"), 2, "unknown bound 'threads'"),
    "missing bound": (("bounds", "workers"), DELETE, "bound 'workers' is missing"),
    "bound out of range": (("bounds", "ring_words"), 32, "ring_words=32 is out of range"),
    "bound not a number": (("bounds", "signals"), "two", "signals='two'"),
    "first gen beyond the word": (("bounds", "first_gen"), 16, "first_gen=16 does not fit"),
    "unknown violation kind": (("violation", "kind"), "livelock", "\"violation\""),
    "steps not a list": (("steps",), {"thread": "W0"}, "\"steps\" must be a list"),
    "step without thread": (("steps", 0, "thread"), DELETE, "step 1 must be an object"),
    "step not an object": (("steps", 1), "W0:traceAcquire.seqlock-inc", "step 2 must be an object"),
    "unknown step": (("steps", 0, "step"), "teleport", "thread W0 has no step 'teleport'"),
    "unknown thread": (("steps", 0, "thread"), "W7", "no thread 'W7'"),
    "step not enabled": (("steps", 0, "step"), "traceRelease", "is not enabled"),
}


@pytest.mark.parametrize("case", list(SPOILED))
def test_unusable_file_is_refused_in_one_line(case: str, doc: dict[str, Any], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    where, value, needle = SPOILED[case]
    path = tmp_path / "cx.json"
    path.write_text(json.dumps(spoil(doc, where, value)))
    err = one_line_error(capsys, main(["replay", str(path)]))
    assert needle in err, err
    assert str(path) in err or err.startswith("gentrace: step "), "the message says which file"


def test_the_unspoiled_document_reproduces(doc: dict[str, Any], tmp_path: Path) -> None:
    """The twin of the test above: only the spoiling makes the file unusable."""
    path = tmp_path / "cx.json"
    path.write_text(json.dumps(doc))
    assert main(["replay", "--quiet", str(path)]) == 0


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_error(capsys, main(["replay", str(tmp_path / "nope.json")]))
    assert "no such file" in err


def test_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_error(capsys, main(["replay", str(tmp_path)]))
    assert "is a directory" in err


@pytest.mark.parametrize("text", ["", "{", "not json at all", "{\"format\": }"])
def test_not_json(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cx.json"
    path.write_text(text)
    err = one_line_error(capsys, main(["replay", str(path)]))
    assert "not JSON" in err


@pytest.mark.parametrize("value", [[], 3, "text", None])
def test_json_that_is_not_an_object(value: Any, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cx.json"
    path.write_text(json.dumps(value))
    err = one_line_error(capsys, main(["replay", str(path)]))
    assert "not a gentrace counterexample" in err


def test_parse_and_replay_raise_their_own_errors(doc: dict[str, Any]) -> None:
    with pytest.raises(CounterexampleError, match="unknown property"):
        parse(spoil(doc, ("property",), "x"))
    cx = parse(spoil(doc, ("steps", 0, "step"), "traceRelease"))
    with pytest.raises(ReplayError, match="step 1 .* is not enabled"):
        replay(cx)
    assert replay(parse(doc)).reproduced


def test_steps_beyond_the_bounds_are_refused(doc: dict[str, Any], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The same steps under bounds with no worker: thread W0 does not exist there."""
    d = spoil(doc, ("bounds", "workers"), 0)
    assert any(st["thread"] == "W0" for st in d["steps"])
    path = tmp_path / "cx.json"
    path.write_text(json.dumps(d))
    err = one_line_error(capsys, main(["replay", str(path)]))
    assert "no thread 'W0'" in err


def test_a_files_unknown_design_or_release_offers_no_all(doc: dict[str, Any], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`all` is a command-line word; a file names one design on one release."""
    from gentrace.cli.main import main

    for key, value in (("design", "nonsense"), ("release", "9.9")):
        p = tmp_path / f"{key}.json"
        p.write_text(json.dumps({**doc, key: value}))
        err = one_line_error(capsys, main(["replay", str(p)]))
        assert f"{value!r}" in err and "'all'" not in err, err
