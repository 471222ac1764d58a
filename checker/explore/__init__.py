"""The exhaustive engine: every interleaving within a bound, breadth first.

``search`` holds the search (:func:`explore`, one system) and ``check`` runs a design
through it and compares each verdict with its expectation (:func:`check_design`).

May import ``gentrace.core`` and ``model``; never another engine or ``gentrace.cli``.
The main entry points are re-exported here (this imports no third-party package).
"""

from gentrace.explore.check import check_design
from gentrace.explore.search import HOLDS, INCOMPLETE, VACUOUS, VIOLATED, ExploreResult, explore

__all__ = ["HOLDS", "INCOMPLETE", "VACUOUS", "VIOLATED", "ExploreResult", "check_design", "explore"]
