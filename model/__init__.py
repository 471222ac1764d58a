"""The executable model of the Go tracer's CPU-sample / generation protocol.

``build(design, bounds)`` returns a :class:`System`; engines use only its
initial state, steps, ``apply``/``enabled``/compiled ``successors`` and the
property predicates.  Nothing here imports from ``checker``.
"""

from gentrace.model.bounds import CANONICAL, NAMED, Bounds, BoundsError, parse_bounds
from gentrace.model.designs import DESIGNS, Design, DesignError, designs_of, get_design, parse_designs
from gentrace.model.findings import FINDINGS, Finding
from gentrace.model.properties import PROPERTIES, PROPERTY_NAMES
from gentrace.model.releases import DEFAULT as DEFAULT_RELEASE
from gentrace.model.releases import RELEASES, Release, ReleaseError, get_release, parse_releases
from gentrace.model.system import State, System, build

__all__ = [
    "CANONICAL", "NAMED", "Bounds", "BoundsError", "parse_bounds", "DESIGNS", "Design",
    "DesignError", "designs_of", "get_design", "parse_designs", "FINDINGS", "Finding",
    "DEFAULT_RELEASE", "RELEASES", "Release", "ReleaseError", "get_release", "parse_releases",
    "PROPERTIES", "PROPERTY_NAMES", "State",
    "System", "build",
]
