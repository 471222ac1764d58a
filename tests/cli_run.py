"""Run the ``gentrace`` command line in-process, for the tests of its commands."""

from __future__ import annotations

import pytest
from gentrace.cli.main import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The exit status and what the command printed on stdout and stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err
