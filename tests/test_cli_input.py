"""Small things a new user meets first: "did you mean", Go versions outside a release's
patch range, ``list --go``, each release's own Go file names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_run import run
from gentrace.model import RELEASES, ReleaseError, get_release


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("gentrace: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("argv,hint", [
    (["chek"], "unknown command 'chek': did you mean 'check'?"),
    (["lsit"], "did you mean 'list'?"),
    (["check", "--engine", "hypotesis"], "unknown value for --engine 'hypotesis': did you mean 'hypothesis'?"),
    (["check", "--desing", "fixed"], "'--desing': did you mean '--design'?"),
    (["prove", "--bcm", "3"], "'--bcm': did you mean '--bmc'?"),
])
def test_a_misspelling_gets_a_did_you_mean(argv: list[str], hint: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_error(*run(argv, capsys))
    assert hint in err, err


def test_no_suggestion_where_nothing_is_close(capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_error(*run(["frobnicate"], capsys))
    assert "did you mean" not in err and "choose from check, replay" in err


@pytest.mark.parametrize("version,last", [("1.22.13", "go1.22.12"), ("1.24.99", "go1.24.11"),
                                          ("go1.27.4", "go1.27.3")])
def test_a_patch_past_the_releases_covered_is_refused(version: str, last: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ReleaseError):
        get_release(version)
    err = one_line_error(*run(["check", "--go", version, "--design", "fixed"], capsys))
    assert version.removeprefix("go") in err and last in err and "gentrace list" in err


@pytest.mark.parametrize("version,release", [("1.22.0", "1.22.0"), ("1.22.1", "1.22"),
                                             ("go1.22.12", "1.22"), ("1.24.11", "1.24"),
                                             ("1.24.0", "1.24"), ("1.27.3", "1.27")])
def test_a_patch_inside_the_range_names_its_release(version: str, release: str) -> None:
    """The twin: the versions a release covers are accepted, first and last included."""
    assert get_release(version).name == release


def test_list_says_which_patches_each_release_covers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list"], capsys)
    assert code == 0 and "go1.24.x (known: go1.24.0 to go1.24.11)" in out
    last: dict[str, int] = {}
    for r in RELEASES.values():
        minor = ".".join(r.name.split(".")[:2])
        last[minor] = max(last.get(minor, 0), r.patches[1])
        assert get_release(f"{minor}.{r.patches[1]}") == r
    for minor, hi in last.items():
        with pytest.raises(ReleaseError):
            get_release(f"{minor}.{hi + 1}")


def test_list_go_shows_that_release_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["list", "--go", "1.24"], capsys)
    assert (code, err) == (0, "")
    assert "  1.24    go1.24.x" in out and "  1.27 " not in out and "  1.22 " not in out
    assert "reentrant-entry-gen" in out and "\n  legacy" not in out, "its designs only"
    assert "\n  reentrant-fresh-gen (go1.24, go1.25" in out
    code, out, _ = run(["list", "--go", "1.27", "--json"], capsys)
    doc = json.loads(out)
    assert [r["name"] for r in doc["releases"]] == ["1.27"]
    assert [f["name"] for f in doc["findings"]] == ["single-read-drain"], "go1.24's is not go1.27's"
    one_line_error(*run(["list", "--go", "1.19"], capsys))


def test_list_uses_each_releases_own_file_names(capsys: pytest.CaptureFixture[str]) -> None:
    """go1.23 renamed trace2cpu.go to tracecpu.go: list, like replay, says the file of the release."""
    code, out, _ = run(["list", "--go", "1.27"], capsys)
    assert "trace2" not in out and "go: tracecpu.go traceReadCPU: one trace.cpuLogRead" in out
    code, out, _ = run(["list", "--go", "1.22"], capsys)
    assert "go: trace2cpu.go traceReadCPU: one trace.cpuLogRead" in out
    code, out, _ = run(["list"], capsys)
    assert "go: tracecpu.go traceReadCPU: one trace.cpuLogRead" in out, "the newest release's names"
    legacy = out[out.index("\n  legacy"):].split("\n  ")[1:4]
    assert any("trace2" in line for line in legacy), "legacy exists on go1.22 only: its names"


@pytest.mark.parametrize("cmd", [["replay"], ["report", "--out", "{tmp}/r", "--results"]])
def test_a_malformed_json_file_gets_the_whole_message(cmd: list[str], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """json's message ends "starting at": the line and column it points at are part of it."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"design": "fixed",\n "release": "1.27')
    argv = [a.replace("{tmp}", str(tmp_path)) for a in cmd] + [str(bad)]
    err = one_line_error(*run(argv, capsys))
    assert err.rstrip().endswith("not JSON: Unterminated string starting at: line 2 column 13 (char 32)"), err


def test_one_readable_trace_of_two_is_one_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.trace"
    junk.write_text("junk\n")
    trace = Path(__file__).parent / "data" / "traces" / "workload-go1.27.3.trace"
    code, out, _ = run(["conform", str(junk), str(trace)], capsys)
    assert code == 2 and out.rstrip().endswith("1 trace checked: 1 conform, 0 violate; 1 unreadable")


def test_prove_help_describes_every_mode(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run(["prove", "--help"], capsys)
    out = capsys.readouterr().out
    description = " ".join(out.split("options:")[0].split())
    for mode in ("--bmc K", "--unbounded", "--invariants", "--lemmas"):
        assert mode in description, mode


def test_invariants_of_every_design_are_listed_once(capsys: pytest.CaptureFixture[str]) -> None:
    """14 designs share most of their invariants: each is printed once, then who keeps what."""
    code, out, _ = run(["prove", "--invariants", "--json"], capsys)
    docs = json.loads(out)["invariants"]
    names = {i["name"] for d in docs for i in d["invariants"]}
    code, out, _ = run(["prove", "--invariants"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) < len(names) + 20, len(lines)
    assert lines[0].startswith(f"go1.27, 1 worker(s): {len(names)} stated invariants") and "over 14 designs" in lines[0]
    listed = [x.split(":")[0].split(" (in ")[0].strip() for x in lines[1:lines.index("designs:")]]
    assert sorted(set(listed)) == sorted(names)
    keeps = "\n".join(lines[lines.index("designs:") + 1:])
    for d in docs:
        assert d["design"] in keeps
    reader_unlocked = next(d for d in docs if d["design"] == "reader-unlocked")
    missing = sorted(names - {i["name"] for i in reader_unlocked["invariants"]})
    line = next(x for x in keeps.splitlines() if x.startswith("  reader-unlocked:"))
    assert sorted(line.split("all but ")[1].split(", ")) == missing
    code, out, _ = run(["prove", "--invariants", "--design", "corrected"], capsys)
    assert out.startswith("go1.27 corrected, 1 worker(s):"), "one design: its own list, as before"
