"""The compiled kernel: the explorer's search in C, generated from the step definitions.

The model part of the C source is printed by :mod:`gentrace.model.compile_c` from the same
lowering as the Python successor function; the search (``kernel.c`` beside this file) is
appended to it.  The result is built with the machine's C compiler (``$CC``, else ``cc``
or ``gcc``) into a shared library and loaded through cffi (its ABI mode: no Python
headers needed, only a compiler).  Libraries are cached by the hash of their source and
compiler command under ``$GENTRACE_CACHE_DIR``, else ``$XDG_CACHE_HOME/gentrace``, else
``~/.cache/gentrace``, so a second run builds nothing.

Where there is no compiler or no cffi, or the system does not fit the kernel, the
explorer runs its Python engine instead and says so once (:func:`fallback_note`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gentrace.model.compile_c import Unsupported, bit_layout, c_exports, c_source
from gentrace.model.system import System

# -O1: as fast as -O2 on the kernel (its time goes to memory), and quicker to build.
CFLAGS = ("-O1", "-w", "-shared", "-fPIC")
ENGINE_C = Path(__file__).with_name("kernel.c")

ENGINE_CDEF = """
typedef struct gt_kernel gt_kernel;
gt_kernel *gt_new(int liveness);
int gt_run(gt_kernel *k, uint64_t count_limit, uint64_t max_expand);
void gt_info(gt_kernel *k, int64_t *o);
int64_t gt_found(gt_kernel *k, int p);
int64_t gt_bad_field(void);
void gt_fired(gt_kernel *k, uint8_t *o);
int64_t gt_parent(gt_kernel *k, uint64_t id);
int gt_via(gt_kernel *k, uint64_t id);
void gt_state(gt_kernel *k, uint64_t id, int64_t *s);
int64_t gt_unfinishable(gt_kernel *k);
void gt_free(gt_kernel *k);
"""
# The fields of gt_info, in order.
INFO = ("count", "transitions", "depth", "found_bits", "witnessed", "first_deadlock", "finals",
        "edges", "store_bytes", "liveness_bytes", "words", "cursor")


class KernelUnavailable(Exception):
    """The compiled kernel cannot run here or for this system; the message says why."""


def cache_dir() -> Path:
    env = os.environ.get("GENTRACE_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "gentrace"


def compiler() -> list[str]:
    """The C compiler command, or raise :class:`KernelUnavailable`."""
    cc = os.environ.get("CC", "").split()
    if cc:
        if shutil.which(cc[0]) is None:
            raise KernelUnavailable(f"the C compiler $CC={cc[0]} was not found")
        return cc
    for name in ("cc", "gcc", "clang"):
        if shutil.which(name):
            return [name]
    raise KernelUnavailable("no C compiler (cc, gcc or clang) was found")


def _ffi() -> Any:
    try:
        import cffi
    except ImportError:
        raise KernelUnavailable("cffi is not installed") from None
    return cffi.FFI()


@dataclass
class Library:
    ffi: Any
    lib: Any
    path: Path
    built: bool  # built by this call (not found in the cache)


_LOADED: dict[str, Library] = {}


def _key(source: str, flags: Sequence[str] = CFLAGS) -> tuple[list[str], str]:
    cc = compiler()
    return cc, hashlib.sha256("\0".join([*cc, *flags, source]).encode()).hexdigest()[:32]


def is_built(source: str) -> bool:
    """Whether the library of ``source`` is in the cache (or loaded): using it costs no
    compiler run.  Raises :class:`KernelUnavailable` where no kernel can be built."""
    _ffi()
    cc, key = _key(source)
    return key in _LOADED or (cache_dir() / f"kernel-{key}.so").exists()


def build_library(source: str, cdef: str, flags: Sequence[str] = CFLAGS) -> Library:
    """Build (or find in the cache) and load the shared library of C ``source``, declaring
    ``cdef`` to cffi."""
    ffi = _ffi()
    cc, key = _key(source, flags)
    if key in _LOADED:
        return _LOADED[key]
    d = cache_dir()
    so = d / f"kernel-{key}.so"
    built = False
    if not so.exists():
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise KernelUnavailable(f"cannot create the kernel cache {d}: {e.strerror}") from None
        # Written and built under temporary names, then renamed (atomic): builds of the
        # same source in two processes at once do not read each other's half-written files.
        src = d / f"kernel-{key}.c"
        tmps = []
        try:
            for suffix in (".c", ".so"):
                fd, name = tempfile.mkstemp(prefix=f".kernel-{key}-", suffix=suffix, dir=d)
                os.close(fd)
                tmps.append(name)
            tmp_c, tmp_so = tmps
            Path(tmp_c).write_text(source)
            r = subprocess.run([*cc, *flags, "-o", tmp_so, tmp_c], capture_output=True, text=True)
            os.replace(tmp_c, src)  # kept beside the library: what was built, to read
            if r.returncode != 0:
                first = (r.stderr.strip().splitlines() or ["(no message)"])[0]
                raise KernelUnavailable(f"the C compiler failed on {src}: {first}")
            os.replace(tmp_so, so)
            built = True
        finally:
            for name in tmps:
                if os.path.exists(name):
                    os.unlink(name)
    ffi.cdef(cdef)
    try:
        lib = ffi.dlopen(str(so))
    except OSError as e:
        raise KernelUnavailable(f"cannot load {so}: {e}") from None
    _LOADED[key] = Library(ffi, lib, so, built)
    return _LOADED[key]


def model_source(system: System, prefix: str = "m_") -> str:
    try:
        return c_source(system.layout, system.steps, [(i.ok, i.witness) for i in system.invariants],
                        system.finished, prefix)
    except Unsupported as e:
        raise KernelUnavailable(str(e)) from None


_SOURCES: weakref.WeakKeyDictionary[System, str] = weakref.WeakKeyDictionary()


def kernel_source(system: System) -> str:
    """The whole C source of ``system``'s kernel: model part, then the search (made once
    per system)."""
    if system not in _SOURCES:
        _SOURCES[system] = "#include <stdint.h>\n" + model_source(system) + "\n" + ENGINE_C.read_text()
    return _SOURCES[system]


def load(system: System, source: str | None = None) -> Library:
    """The kernel library of ``system`` (``source``: its C source, for tests that alter it)."""
    return build_library(source if source is not None else kernel_source(system),
                         ENGINE_CDEF + c_exports("m_"))


def models_library(systems: Sequence[System]) -> tuple[Library, list[str]]:
    """One library holding the model parts of several systems (the differential tests: one
    compiler run for many designs), with each system's prefix.  Systems with the same
    model part share it.  Built without optimisation: it runs no search, and builds in a
    third of the time."""
    parts: dict[str, str] = {}
    prefixes = []
    for s in systems:
        text = model_source(s, "PREFIX_")
        if text not in parts:
            parts[text] = f"s{len(parts)}_"
        prefixes.append(parts[text])
    source = "#include <stdint.h>\n" + "".join(t.replace("PREFIX_", p) for t, p in parts.items())
    cdef = "".join(c_exports(p) for p in parts.values())
    return build_library(source, cdef, ("-O0", *CFLAGS[1:])), prefixes


def state_bytes(system: System) -> int:
    """Bytes of one packed state in the kernel's store."""
    return 8 * bit_layout(system.layout).words


_NOTED: set[str] = set()


def fallback_note(reason: str) -> str:
    """The one-line note that the Python engine runs instead, printed once per process."""
    note = f"gentrace: the compiled kernel is not available ({reason}); using the Python engine"
    if reason not in _NOTED:
        _NOTED.add(reason)
        print(note, file=sys.stderr, flush=True)
    return note
