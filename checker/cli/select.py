"""What the commands that run designs share: which designs the options name, and --out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gentrace.cli.args import UsageError
from gentrace.model import DESIGNS, DesignError, designs_of, parse_designs, parse_releases


def prepare_out(out: Path | None) -> None:
    """Refuse an unusable ``--out`` before spending time on a search (raises UsageError)."""
    if out is None:
        return
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--out {out}: cannot create the directory ({e.strerror})") from None
    if not os.access(out, os.W_OK):
        raise UsageError(f"--out {out}: the directory is not writable")


def joined(values: list[str] | None) -> str | None:
    """Repeated ``--design``/``--go`` options as one comma-separated list (``all`` wins)."""
    if not values:
        return None
    parts = [p.strip() for v in values for p in v.split(",") if p.strip()]
    return "all" if "all" in parts else ",".join(dict.fromkeys(parts))


def select_designs(names: str | None, go: str | None) -> list[Any]:
    """The designs named (or all) on each release asked for, release by release.

    With several releases, a named design is taken on the releases that have it
    (``legacy`` exists only for go1.22); a name that no release asked for has is an error.
    """
    releases = parse_releases(go)
    if len(releases) == 1:
        return parse_designs(names, releases[0])
    out = []
    for rel in releases:
        if names in (None, "all"):
            out += designs_of(rel)
            continue
        for part in names.split(","):
            d = DESIGNS.get(part.strip())
            if d is None:
                parse_designs(part)  # raises the unknown-design error
            elif d.exists_on(rel):
                out.append(d.on(rel))
    if not out:
        raise DesignError(f"design {names!r} is a design of none of the releases {go!r}; see 'gentrace list'")
    return out


def exit_status(rows: list[Any]) -> int:
    """0 when every verdict matches; 1 when one contradicts its expectation (an incomplete
    verdict contradicts nothing); otherwise 3 when one is incomplete."""
    if any(not o.matches and o.verdict != "incomplete" for o in rows):
        return 1
    return 3 if any(not o.matches for o in rows) else 0
