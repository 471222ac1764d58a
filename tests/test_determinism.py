"""The same design at the same bounds gives the same system, search and counterexamples.

Reports quote state counts and counterexample files are compared across runs,
so nothing may depend on object identity, set order or string hashing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gentrace.explore import explore
from gentrace.model import CANONICAL, DESIGNS, System, get_design, parse_bounds

REPO = Path(__file__).resolve().parent.parent
SMALL = parse_bounds(["advances=1"])
WRAP = parse_bounds(["advances=1", "first_gen=15", "sections=1"])  # the one advance crosses the wrap


def summary(system: System) -> dict[str, Any]:
    res = explore(system)
    return {
        "states": res.stats.states,
        "transitions": res.stats.transitions,
        "depth": res.stats.depth,
        "verdicts": res.verdicts,
        "fired": sorted(res.fired),
        "findings": {p: [f.kind, f.message, [system.steps[i].key for i in f.path]]
                     for p, f in sorted(res.findings.items())},
    }


@pytest.mark.parametrize("design", list(DESIGNS))
def test_building_twice_gives_the_same_system(design: str) -> None:
    a, b = System(get_design(design), CANONICAL), System(get_design(design), CANONICAL)
    assert a is not b
    assert a.compiled.source == b.compiled.source
    assert [st.key for st in a.steps] == [st.key for st in b.steps]
    assert [st.go for st in a.steps] == [st.go for st in b.steps]
    assert a.layout.names == b.layout.names
    assert a.initial == b.initial


@pytest.mark.parametrize("design,bounds", [("legacy", CANONICAL), ("wrap-to-one", WRAP),
                                           ("handler-waits-for-seqlock", SMALL)],
                         ids=["legacy", "wrap-to-one", "handler-waits-for-seqlock"])
def test_exploring_twice_gives_the_same_counts_and_paths(design: str, bounds: Any) -> None:
    first = summary(System(get_design(design), bounds))
    second = summary(System(get_design(design), bounds))
    assert first == second
    assert first["findings"], "the comparison covers counterexample paths"


_SCRIPT = """
import hashlib, json
from gentrace.explore import explore
from gentrace.model import System, get_design, parse_bounds
s = System(get_design("wrap-to-one"), parse_bounds(["advances=1", "first_gen=15", "sections=1"]))
r = explore(s)
print(json.dumps({
    "source": hashlib.sha256(s.compiled.source.encode()).hexdigest(),
    "states": r.stats.states, "transitions": r.stats.transitions,
    "paths": {p: [s.steps[i].key for i in f.path] for p, f in sorted(r.findings.items())},
}))
"""


def test_string_hashing_does_not_change_the_result() -> None:
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED=seed)
        p = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        outs.append(json.loads(p.stdout))
    assert outs[0] == outs[1]
    assert outs[0]["paths"]
