"""One exhaustive exploration per design at the canonical bound, shared by the tests."""

from __future__ import annotations

from functools import cache

from checker.explore import ExploreResult, explore
from model import CANONICAL, build, get_design


@cache
def explored(design: str) -> ExploreResult:
    return explore(build(get_design(design), CANONICAL))
