"""The README's and the docs' examples are the program's real output.

Every fenced block in README.md and docs/*.md that opens with ``$ gentrace ARGS`` is
run (in a scratch directory where ``findings/`` and ``tests/`` are the repository's)
and its output compared line by line with the block.  Only timings (``5.1 s``) may
differ.  A block may leave out lines: a line ``...`` stands for any number of lines,
and a line ending in `` ...`` matches any line that begins with the text before it.
A command that appears in several blocks is run once.

The designs table (docs/designs.md) is checked against the designs themselves: each
row lists the properties its design is expected to violate, with the conditions
``gentrace list`` gives for each.  Every relative link in README.md and docs/*.md
points to a file that exists, and a ``#anchor`` to a heading of that file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gentrace.cli.main import main
from gentrace.model import DESIGNS

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIMING = re.compile(r"\b\d+(\.\d+)? s\b")


def examples_in(text: str) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    block: list[str] | None = None
    for line in text.splitlines():
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


def examples() -> list[tuple[str, str, list[str]]]:
    return [(page.relative_to(ROOT).as_posix(), cmd, lines)
            for page in PAGES for cmd, lines in examples_in(page.read_text())]


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
            return f"line {k} of the block:\n  {e}\nprogram:\n  {got}"
        i, gap = i + 1, False
    if not gap and i < len(actual):
        return f"the program prints more after the block's last line:\n  {actual[i]}"
    return None


EXAMPLES = examples()
RUNS: dict[str, tuple[int, str]] = {}


def test_the_readme_and_docs_have_examples_to_check() -> None:
    where = {(page, cmd.split()[1]) for page, cmd, _ in EXAMPLES}
    for command in ("check", "replay", "prove", "conform"):
        assert ("README.md", command) in where, command
    cmds = [c for _, c, _ in EXAMPLES]
    assert any(c.startswith("gentrace check --go") for c in cmds)
    assert any(c.startswith("gentrace check --engine hypothesis") for c in cmds)
    assert sum(c.startswith("gentrace replay") for c in cmds) >= 3
    assert any(p.startswith("docs/") for p, _, _ in EXAMPLES)


def test_the_examples_are_found_in_every_page() -> None:
    # The twin of the collection: a block in a page is found, one without "$ " is not.
    text = "x\n```\n$ gentrace list\nreleases\n```\n```\ngentrace list\n```\n```sh\n$ ls\n```\n"
    assert examples_in(text) == [("gentrace list", ["releases"])]


@pytest.mark.parametrize("page,cmd,expected", EXAMPLES, ids=[f"{p}: {c}" for p, c, _ in EXAMPLES])
def test_example_is_the_real_output(page: str, cmd: str, expected: list[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    if cmd not in RUNS:
        (tmp_path / "findings").symlink_to(ROOT / "findings")
        (tmp_path / "tests").symlink_to(ROOT / "tests")
        monkeypatch.chdir(tmp_path)
        code = main(cmd.split()[1:])
        RUNS[cmd] = (code, capsys.readouterr().out)
    code, out = RUNS[cmd]
    assert code == 0, out
    problem = compare(expected, out.splitlines())
    assert problem is None, f"{page}: {cmd}: {problem}"


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


def designs_table(text: str) -> dict[str, str]:
    section = text.split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `([a-z0-9-]+)`[^|]*\|[^|]*\| (.*) \|$", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def table_problems(text: str) -> list[str]:
    rows = designs_table(text)
    problems = [f"no row for {n}" for n in sorted(set(DESIGNS) - set(rows))]
    problems += [f"{n} is no design" for n in sorted(set(rows) - set(DESIGNS))]
    for name, cell in rows.items():
        own = cell.split(";", 1)[0].strip()
        if name in DESIGNS and own != DESIGNS[name].own_violations():
            problems.append(f"{name}: {own}")
    return problems


def test_the_designs_table_lists_what_each_design_violates() -> None:
    assert table_problems((ROOT / "docs" / "designs.md").read_text()) == []


def test_the_designs_table_check_catches_a_wrong_row() -> None:
    # The twin: a row that claims another violation, or a missing row, is caught.
    text = (ROOT / "docs" / "designs.md").read_text()
    row = next(ln for ln in text.splitlines() if ln.startswith("| `handler-waits-for-seqlock`"))
    wrong = text.replace(row, row.replace("deadlock-freedom (signals >= 1)", "single-reader"))
    assert table_problems(wrong) == ["handler-waits-for-seqlock: single-reader"]
    assert table_problems(text.replace(row + "\n", "")) == ["no row for handler-waits-for-seqlock"]


# Links: [text](target), not inside code spans or blocks.
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def anchors(text: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown page."""
    out = set()
    for line in re.sub(r"^```.*?^```", "", text, flags=re.S | re.M).splitlines():
        m = re.match(r"#+ (.*)$", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            out.add(slug)
    return out


def strip_code(text: str) -> str:
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def broken_links(page: Path) -> list[str]:
    bad = []
    for m in LINK.finditer(strip_code(page.read_text())):
        target = m.group(1) or m.group(2)
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and (dest.suffix != ".md" or anchor not in anchors(dest.read_text())):
            bad.append(f"{target}: no such heading")
    return bad


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page) == []


def test_a_broken_link_is_caught(tmp_path: Path) -> None:
    # The twin: a missing file and a missing heading are both reported; good links are not.
    (tmp_path / "b.md").write_text("# Title\n\n## A `code` heading: here\n")
    page = tmp_path / "a.md"
    page.write_text("[ok](b.md) [ok](b.md#a-code-heading-here) [ok](#top) [web](https://x.y)\n"
                    "# Top\n[gone](c.md) [bad](b.md#nowhere) `[not a link](c.md)`\n")
    assert broken_links(page) == ["c.md: no such file", "b.md#nowhere: no such heading"]
