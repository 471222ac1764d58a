"""Shared pytest set-up for tests/ and properties/."""

from __future__ import annotations

import os

import pytest
from gentrace.stateful import profiles
from hypothesis import settings

# The Hypothesis settings profiles are registered in checker/stateful/profiles.py.  A test
# run uses ``ci`` unless ``--hypothesis-profile NAME`` (Hypothesis's own option,
# applied after this file is read) or GENTRACE_HYPOTHESIS_PROFILE picks another.
settings.load_profile(os.environ.get("GENTRACE_HYPOTHESIS_PROFILE", profiles.DEFAULT))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stateful-out", metavar="DIR", default=None,
        help="where the Hypothesis engine's tests write counterexample files "
             "(default: counterexamples/stateful under the repository root)")

