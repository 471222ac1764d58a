"""Hypothesis settings profiles for the stateful engine, registered in one place.

Select one with ``--hypothesis-profile NAME`` (pytest, via Hypothesis's own plugin)
or ``gentrace check --engine hypothesis --hypothesis-profile NAME``.  The root
``conftest.py`` imports this module and makes ``ci`` the default of a test run.

* ``ci``: derandomized (every run tests the same examples, so a red build is red
  again on a re-run), a bounded number of examples and rule calls per example.
  Hypothesis refuses a database together with ``derandomize``; a derandomized
  run retries the same failing example first anyway, because it is the same run.
* ``dev``: random, with the example database in ``.hypothesis/`` so that a
  failure found once is replayed first on the next run.
* ``thorough``: many examples and longer runs, with the database, for a nightly
  job or a reviewer's machine; the larger bound ``properties/`` uses with it goes
  further too (``gentrace check`` runs at the bound it is given, whatever the profile).

Each profile also names the bound that ``properties/`` uses for "beyond the
exhaustive checker's reach" (see :func:`larger_bounds`).
"""

from __future__ import annotations

from dataclasses import dataclass

from gentrace.model.bounds import Bounds
from hypothesis import HealthCheck, settings

# Runs of the model are long programs of rule calls; their time per example varies
# with the bound, so a per-example deadline or a "too slow" health check would
# only measure the machine the tests run on.
_COMMON: dict[str, object] = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@dataclass(frozen=True)
class Profile:
    name: str
    doc: str
    options: dict[str, object]
    larger: Bounds  # a bound beyond exhaustive reach, for properties/


PROFILES: dict[str, Profile] = {
    p.name: p for p in (
        Profile("ci", "derandomized, 200 examples of up to 10 rule calls; the default test run",
                {"derandomize": True, "max_examples": 200, "stateful_step_count": 10},
                Bounds(workers=3, signals=4, advances=4)),
        Profile("dev", "random, example database on, 300 examples of up to 10 rule calls",
                {"derandomize": False, "max_examples": 300, "stateful_step_count": 10},
                Bounds(workers=3, signals=4, advances=4)),
        Profile("thorough", "random, example database on, 3000 examples of up to 20 rule calls",
                {"derandomize": False, "max_examples": 3000, "stateful_step_count": 20},
                Bounds(workers=4, sections=3, signals=6, advances=6, ring_words=4, ring_start=3)),
    )
}
DEFAULT = "ci"


def register() -> None:
    """Register every profile with Hypothesis.

    Each is built on Hypothesis's own defaults, not on whatever profile happens
    to be loaded, so ``dev`` keeps the example database even after ``ci`` (which
    has none) was loaded.
    """
    base = settings.get_profile("default")
    for p in PROFILES.values():
        settings.register_profile(p.name, base, **_COMMON, **p.options)  # type: ignore[arg-type]


def base_name(name: str | None = None) -> str:
    """The gentrace profile behind Hypothesis's current (or the given) profile name.

    Hypothesis's pytest plugin derives profiles such as ``ci-with-verbose-verbosity``
    from the selected one; those keep the base profile's larger bound.
    """
    if name is None:
        name = settings.get_current_profile_name()
    base = name.split("-with-", 1)[0]
    return base if base in PROFILES else DEFAULT


def larger_bounds(name: str | None = None) -> Bounds:
    """The bound beyond exhaustive reach that the active profile tests at."""
    return PROFILES[base_name(name)].larger.validate()


def get(name: str) -> settings:
    """The settings of a registered profile (raises KeyError for an unknown name)."""
    if name not in PROFILES:
        raise KeyError(name)
    return settings.get_profile(name)


register()
