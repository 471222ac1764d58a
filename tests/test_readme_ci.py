"""CI proves the README: .ci/run runs the README's test command and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Set up", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README's Set up section has no sh code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_setup_commands() -> None:
    cmds = setup_commands()
    assert len(cmds) == 2, cmds
    assert cmds[0].endswith("gentrace check")
    assert "pytest" in cmds[1] and "[test]" in cmds[1]
    # "Set up" is the first section of the README.
    headings = re.findall(r"^## (.+)$", (ROOT / "README.md").read_text(), re.M)
    assert headings[0] == "Set up"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("#")
                and not ln.startswith("set ") and not ln.startswith("cd ")]
    assert commands == [setup_commands()[1]]
