"""The executable model of the Go tracer's CPU-sample / generation protocol.

``build(design, bounds)`` returns a :class:`System`; engines use only its
initial state, steps, ``apply``/``enabled``/compiled ``successors`` and the
property predicates.  Nothing here imports from ``checker``.
"""

from model.bounds import CANONICAL, NAMED, Bounds, BoundsError, parse_bounds
from model.designs import DESIGNS, Design, DesignError, get_design, parse_designs
from model.properties import PROPERTIES, PROPERTY_NAMES
from model.system import State, System, build

__all__ = [
    "CANONICAL", "NAMED", "Bounds", "BoundsError", "parse_bounds", "DESIGNS", "Design",
    "DesignError", "get_design", "parse_designs", "PROPERTIES", "PROPERTY_NAMES", "State",
    "System", "build",
]
