"""The counterexample file format every engine writes and ``gentrace replay`` reads.

A counterexample is data: design, bounds, property, the violation as the engine
saw it, and the step sequence (thread, step name, Go reference).  Replay on the
concrete model is the single judge of whether it is real.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from gentrace.model import DEFAULT_RELEASE, PROPERTY_NAMES, Bounds, System, get_design, get_release
from gentrace.model.bounds import bounds_from_dict

FORMAT = "gentrace-counterexample"
# Version 2: the Go release is part of the file, and profBufs are rings (bounds
# ring_words, ring_tags, ...).  Version 1 files came from a model whose profBuf was
# a FIFO: their steps do not run on this one.
VERSION = 2
KINDS = ("invariant", "self-deadlock", "deadlock", "no-completion")
# The most a counterexample file may hold: far more than any engine writes (a step is about
# 200 bytes), far less than what would exhaust memory.
MAX_BYTES = 64 << 20


class CounterexampleError(ValueError):
    """A counterexample file that cannot be read; the message says what is wrong."""


@dataclass
class Counterexample:
    design: str
    bounds: Bounds
    prop: str
    kind: str
    message: str
    steps: list[tuple[str, str]]  # (thread, step name)
    engine: str = "explore"
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    release: str = DEFAULT_RELEASE

    @classmethod
    def from_path(cls, system: System, prop: str, kind: str, message: str, path: list[int],
                  engine: str = "explore", seed: int | None = None) -> Counterexample:
        steps = [(system.steps[i].thread, system.steps[i].name) for i in path]
        return cls(system.design.name, system.bounds, prop, kind, message, steps, engine, seed,
                   release=system.design.release.name)

    def to_json(self, system: System | None = None) -> dict[str, Any]:
        gos = {}
        if system is not None:
            gos = {(st.thread, st.name): st.go for st in system.steps}
        return {
            "format": FORMAT,
            "version": VERSION,
            "release": self.release,
            "design": self.design,
            "bounds": self.bounds.as_dict(),
            "property": self.prop,
            "engine": self.engine,
            "seed": self.seed,
            "violation": {"kind": self.kind, "message": self.message},
            "steps": [
                {"thread": t, "step": n, **({"go": gos[(t, n)]} if (t, n) in gos else {})}
                for t, n in self.steps
            ],
            **self.extra,
        }

    def filename(self) -> str:
        return f"go{self.release}--{self.design}--{self.prop}.json"

    def write(self, directory: Path, system: System | None = None) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / self.filename()
        path.write_text(json.dumps(self.to_json(system), indent=1) + "\n")
        return path


def load(path: str | Path) -> Counterexample:
    """Read and validate a counterexample file (raises CounterexampleError)."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            raw = read_at_most(f, MAX_BYTES + 1)  # /dev/zero or a runaway file is not read whole
        if len(raw) > MAX_BYTES:
            raise CounterexampleError(f"{p}: larger than {MAX_BYTES >> 20} MiB, too large to be a "
                                      "counterexample")
        text = raw.decode()
    except FileNotFoundError:
        raise CounterexampleError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise CounterexampleError(f"{p}: is a directory, not a counterexample file") from None
    except UnicodeDecodeError:
        raise CounterexampleError(f"{p}: not a text file (not UTF-8), so not a counterexample") from None
    except OSError as e:
        raise CounterexampleError(f"{p}: cannot read: {e.strerror}") from None
    return loads(text, str(p))


def read_at_most(f: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of ``f``, read a MiB at a time: memory follows what the file
    holds, not the limit (``f.read(limit)`` would reserve the whole limit at once)."""
    chunks = []
    n = 0
    while n < limit:
        chunk = f.read(min(1 << 20, limit - n))
        if not chunk:
            break
        chunks.append(chunk)
        n += len(chunk)
    return b"".join(chunks)


def loads(text: str, where: str = "counterexample") -> Counterexample:
    """Read a counterexample from its text (raises CounterexampleError naming ``where``)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise CounterexampleError(f"{where}: not JSON: {e}") from None
    except RecursionError:
        raise CounterexampleError(f"{where}: JSON nested too deeply to be a counterexample") from None
    except ValueError:  # an integer past Python's digit limit (int_max_str_digits)
        raise CounterexampleError(f"{where}: a number in it has more than {sys.get_int_max_str_digits()} "
                                  "digits, so it is not a counterexample") from None
    return parse(doc, where)


def parse(doc: Any, where: str = "counterexample") -> Counterexample:
    if (isinstance(doc, dict) and "format" not in doc and isinstance(doc.get("results"), list)
            and isinstance(doc.get("engine"), str)):
        raise CounterexampleError(
            f"{where}: a 'gentrace check --json' document, not a counterexample: each result's "
            "counterexample is in its \"counterexample\" field; write them as files with "
            "'gentrace check --out DIR' and replay them with 'gentrace replay DIR'")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CounterexampleError(
            f"{where}: not a gentrace counterexample (expected \"format\": \"{FORMAT}\")")
    if doc.get("version") == 1:
        raise CounterexampleError(
            f"{where}: format version 1 was written by a gentrace whose profBuf was a FIFO, and its "
            "steps do not run on the ring model; run 'gentrace check --out DIR' again to get version 2")
    if not isinstance(doc.get("version"), int) or isinstance(doc.get("version"), bool):
        raise CounterexampleError(
            f"{where}: \"version\" must be the whole number {VERSION}, not {json.dumps(doc.get('version'))}")
    if doc["version"] != VERSION:
        raise CounterexampleError(
            f"{where}: format version {doc.get('version')!r} is not supported; this gentrace "
            f"reads version {VERSION}")
    from gentrace.model.bounds import BoundsError
    from gentrace.model.designs import DesignError
    from gentrace.model.releases import ReleaseError
    try:
        release = get_release(_req(doc, "release", str, where)).name
        design = get_design(_req(doc, "design", str, where), release).name
    except (DesignError, ReleaseError) as e:
        raise CounterexampleError(f"{where}: {_without_all(str(e))}") from None
    except CounterexampleError:
        raise
    except ValueError:  # get_release's int() of a patch it cannot read: '1.24.²', thousands of digits
        raise CounterexampleError(f"{where}: unknown Go release {doc['release'][:40]!r}; see "
                                  "'gentrace list' for the releases gentrace models") from None
    try:
        bounds = bounds_from_dict(doc.get("bounds"))
    except (BoundsError, TypeError) as e:
        raise CounterexampleError(f"{where}: {e}") from None
    prop = _req(doc, "property", str, where)
    if prop not in PROPERTY_NAMES:
        raise CounterexampleError(
            f"{where}: unknown property {prop!r}; known: {', '.join(PROPERTY_NAMES)}")
    viol = doc.get("violation")
    if not isinstance(viol, dict) or viol.get("kind") not in KINDS:
        raise CounterexampleError(
            f"{where}: \"violation\" must be an object whose \"kind\" is one of {', '.join(KINDS)}")
    steps_doc = doc.get("steps")
    if not isinstance(steps_doc, list):
        raise CounterexampleError(f"{where}: \"steps\" must be a list")
    steps = []
    for i, st in enumerate(steps_doc, 1):
        if not (isinstance(st, dict) and isinstance(st.get("thread"), str)
                and isinstance(st.get("step"), str)):
            raise CounterexampleError(
                f"{where}: step {i} must be an object with string \"thread\" and \"step\"")
        steps.append((st["thread"], st["step"]))
    seed = doc.get("seed")
    extra = {k: v for k, v in doc.items() if k not in {
        "format", "version", "release", "design", "bounds", "property", "engine", "seed", "violation", "steps"}}
    return Counterexample(design, bounds, prop, viol["kind"], str(viol.get("message", "")),
                          steps, str(doc.get("engine", "?")), seed if isinstance(seed, int) else None,
                          extra, release)


def _without_all(message: str) -> str:
    """A name error as a file needs it: a file names one design and one release, so the
    command line's "or 'all'" does not apply."""
    return message.removesuffix(" (or 'all')").replace(", or 'all'", "")


def _req(doc: dict[str, Any], key: str, typ: type, where: str) -> Any:
    v = doc.get(key)
    if not isinstance(v, typ):
        raise CounterexampleError(f"{where}: \"{key}\" is missing or not a {typ.__name__}")
    return v


_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")
