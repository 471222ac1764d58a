"""CI proves the README: .ci/run runs the README's test command and nothing else.

The README opens with exactly two set-up commands, each in a block of its own, so that
copying the first (install and run the main job) does not also run the test suite.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_blocks(text: str) -> list[list[str]]:
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, re.S | re.M)
    return [[line for line in b.splitlines() if line.strip()] for b in blocks]


def setup_problems(text: str) -> list[str]:
    problems = []
    headings = re.findall(r"^## (.+)$", text, re.M)
    if not headings or headings[0] != "Set up":
        problems.append(f"the first section is {headings[:1]}, not 'Set up'")
        return problems
    blocks = setup_blocks(text)
    if len(blocks) != 2:
        problems.append(f"{len(blocks)} sh blocks in Set up, not 2")
    elif any(len(b) != 1 for b in blocks):
        problems.append("a set-up block holds more than one command")
    else:
        if not blocks[0][0].endswith("gentrace check") or "pytest" in blocks[0][0]:
            problems.append(f"the first block is not the main job: {blocks[0][0]}")
        if "pytest" not in blocks[1][0] or "[test]" not in blocks[1][0]:
            problems.append(f"the second block is not the test suite: {blocks[1][0]}")
    return problems


def readme() -> str:
    return (ROOT / "README.md").read_text()


def test_readme_opens_with_two_setup_commands_in_two_blocks() -> None:
    assert setup_problems(readme()) == []


def test_one_block_with_both_commands_is_caught() -> None:
    # The twin: the two commands in one block (copying it would run the tests too) fail.
    text = readme()
    first, second = (b[0] for b in setup_blocks(text))
    head, rest = text.split("## Set up", 1)
    rest = rest.split("\n## ", 1)[1]
    one = f"{head}## Set up\n\n```sh\n{first}\n{second}\n```\n\n## {rest}"
    assert setup_problems(one) == ["1 sh blocks in Set up, not 2"]
    swapped = f"{head}## Set up\n\n```sh\n{second}\n```\n\n```sh\n{first}\n```\n\n## {rest}"
    assert setup_problems(swapped) != []


def test_ci_runs_exactly_the_readme_test_command() -> None:
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("#")
                and not ln.startswith("set ") and not ln.startswith("cd ")]
    assert commands == [setup_blocks(readme())[1][0]]
