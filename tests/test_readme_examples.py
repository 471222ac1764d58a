"""The README's examples are the program's real output.

Every fenced block in README.md that opens with ``$ gentrace ARGS`` is run (in a
scratch directory where ``findings/`` is the repository's) and its output compared
line by line with the block.  Only timings (``5.1 s``) may differ.  A block may
leave out lines: a line ``...`` stands for any number of lines, and a line ending in
`` ...`` matches any line that begins with the text before it.

The designs table is checked against the designs themselves: each row lists the
properties its design is expected to violate, with the conditions ``gentrace list``
gives for each.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gentrace.cli.main import main
from gentrace.model import DESIGNS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
TIMING = re.compile(r"\b\d+(\.\d+)? s\b")


def examples() -> list[tuple[str, list[str]]]:
    out, block = [], None
    for line in README.splitlines():
        if line.startswith("```"):
            if block is None:
                block = []
                continue
            if block and block[0].startswith("$ gentrace "):
                out.append((block[0][2:], block[1:]))
            block = None
        elif block is not None:
            block.append(line)
    return out


def shape(line: str) -> str:
    return TIMING.sub("N s", line.rstrip())


def compare(expected: list[str], actual: list[str]) -> str | None:
    """None if ``actual`` has the shape of ``expected``; otherwise what differs."""
    i, gap = 0, False
    for k, e in enumerate(expected, 1):
        if e.strip() == "...":
            gap = True
            continue
        prefix = e.endswith(" ...")
        want = shape(e[:-4] if prefix else e)

        def ok(a: str, want: str = want, prefix: bool = prefix) -> bool:
            return shape(a).startswith(want) if prefix else shape(a) == want
        if gap:
            while i < len(actual) and not ok(actual[i]):
                i += 1
        if i >= len(actual) or not ok(actual[i]):
            got = actual[i] if i < len(actual) else "(end of output)"
            return f"README line {k} of the block:\n  {e}\nprogram:\n  {got}"
        i, gap = i + 1, False
    if not gap and i < len(actual):
        return f"the program prints more after the block's last line:\n  {actual[i]}"
    return None


EXAMPLES = examples()


def test_the_readme_has_examples_to_check() -> None:
    cmds = [c for c, _ in EXAMPLES]
    assert any(c.startswith("gentrace check --go") for c in cmds)
    assert any(c.startswith("gentrace check --engine hypothesis") for c in cmds)
    assert sum(c.startswith("gentrace replay") for c in cmds) >= 2


@pytest.mark.parametrize("cmd,expected", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_is_the_real_output(cmd: str, expected: list[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "findings").symlink_to(ROOT / "findings")
    monkeypatch.chdir(tmp_path)
    code = main(cmd.split()[1:])
    out, _ = capsys.readouterr()
    assert code == 0, out
    problem = compare(expected, out.splitlines())
    assert problem is None, f"{cmd}: {problem}"


def test_the_comparison_catches_a_changed_line() -> None:
    # The twin: a block whose wording or numbers drifted from the program is caught.
    actual = ["bounds: workers=1", "", "fixed   holds   427,915 in 5.1 s", "note: x, y", "more"]
    assert compare(["bounds: workers=1", "", "fixed   holds   427,915 in 9.9 s", "note: ...",
                    "..."], actual) is None
    assert compare(["bounds: workers=2", "..."], actual) is not None
    assert compare(["bounds: workers=1", "", "fixed   holds   427,916 in 5.1 s", "..."],
                   actual) is not None
    assert compare(["bounds: workers=1", "...", "missing line"], actual) is not None
    assert compare(["bounds: workers=1", "", "fixed   holds   427,915 in 5.1 s"], actual) is not None


def designs_table() -> dict[str, str]:
    section = README.split("## Designs", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `([a-z0-9-]+)`[^|]*\|[^|]*\| (.*) \|$", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_the_designs_table_lists_what_each_design_violates() -> None:
    rows = designs_table()
    assert set(rows) == set(DESIGNS)
    for name, cell in rows.items():
        own = cell.split(";", 1)[0].strip()
        assert own == DESIGNS[name].own_violations(), name
