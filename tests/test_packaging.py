"""What ``pip install .`` installs: one import name, ``gentrace``, with the findings as data.

The repository keeps its top-level folders (``checker/``, ``model/``, ``findings/``) and
pyproject.toml maps them under one name: ``checker/`` is the package ``gentrace``,
``model/`` is ``gentrace.model``, ``findings/`` is ``gentrace.findings``.  These tests build
the real wheel, install it into a scratch folder and run it from outside the checkout, so a
file left out of the package (the Go workload, a finding's paragraph or counterexample) or
a stray top-level package (``model``, ``checker``: names other projects use) is caught.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
FOLDERS = {"checker": "gentrace", "model": "gentrace.model", "findings": "gentrace.findings"}


def package_folders(root: Path = ROOT) -> set[str]:
    """Every folder of the tree that is a package, by the import name it installs as."""
    out = set()
    for folder, name in FOLDERS.items():
        for init in (root / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(root / folder).parts
            out.add(".".join([name, *rel]))
    return out


def test_the_package_list_is_the_tree() -> None:
    cfg = PYPROJECT["tool"]["setuptools"]
    assert set(cfg["packages"]) == package_folders()
    assert cfg["package-dir"] == {v: k for k, v in FOLDERS.items()}


def test_a_package_left_out_of_the_list_is_caught(tmp_path: Path) -> None:
    """The twin: a tree with a new engine folder that pyproject.toml does not list differs."""
    for folder in ("checker/newengine", "model", "findings"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "checker" / "__init__.py").write_text("")
    found = package_folders(tmp_path)
    assert found == {"gentrace", "gentrace.newengine", "gentrace.model", "gentrace.findings"}
    assert found - set(PYPROJECT["tool"]["setuptools"]["packages"]) == {"gentrace.newengine"}


def test_dependencies_are_what_the_product_imports() -> None:
    deps = PYPROJECT["project"]["dependencies"]
    names = {d.split("=")[0].split(">")[0].split("<")[0].strip() for d in deps}
    assert "pytest" not in names  # nothing in model/ or checker/ imports it
    assert "pytest" in " ".join(PYPROJECT["project"]["optional-dependencies"]["test"])
    # Hypothesis is pinned: derandomised runs make the same examples only with the same version.
    assert any(d.startswith("hypothesis==") for d in deps), deps
    for folder in ("checker", "model"):
        for f in (ROOT / folder).rglob("*.py"):
            assert "import pytest" not in f.read_text(), f


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # The test extra installs the setuptools pyproject.toml builds with, so no isolated
    # build environment (and no download) is needed.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (whl,) = out.glob("gentrace-*.whl")
    return whl


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    return target


def test_the_wheel_holds_one_top_level_name_and_the_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"gentrace"}
    for f in ["gentrace/__main__.py", "gentrace/model/system.py", "gentrace/findings/README.md",
              "gentrace/runtime/workload/main.go",
              *(f"gentrace/findings/{p.name}" for p in (ROOT / "findings").glob("*.json"))]:
        assert f in names, f
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "gentrace = gentrace.cli.main:main" in zipfile.ZipFile(wheel).read(entry).decode()


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_installed_copy_runs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    r = run_installed(installed, tmp_path, "-c", "import gentrace, gentrace.model; print(gentrace.__file__)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().startswith(str(installed)), r.stdout  # not the checkout's copy
    r = run_installed(installed, tmp_path, "-m", "gentrace", "list")
    assert r.returncode == 0, r.stderr
    assert "single-read-drain" in r.stdout


def test_the_installed_findings_replay(installed: Path, tmp_path: Path) -> None:
    """The findings ship with the package, and each of their counterexamples replays."""
    r = run_installed(installed, tmp_path, "-c",
                      "import importlib.resources as r; "
                      "print(sorted(p.name for p in r.files('gentrace.findings').iterdir() "
                      "if p.name.endswith('.json')))")
    assert r.returncode == 0, r.stderr
    shipped = eval(r.stdout)  # noqa: S307 - a list of names printed by the line above
    assert shipped == sorted(p.name for p in (ROOT / "findings").glob("*.json"))
    files = [str(installed / "gentrace" / "findings" / n) for n in shipped]
    r = run_installed(installed, tmp_path, "-m", "gentrace", "replay", *files)
    assert r.returncode == 0, r.stdout + r.stderr
