"""Statistics every engine reports, in one shape."""

from __future__ import annotations

import resource
import sys
from dataclasses import dataclass


@dataclass
class Stats:
    states: int
    transitions: int
    depth: int
    seconds: float
    peak_rss: int = 0  # bytes the process's peak resident set grew by during the run

    @property
    def rate(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "states": self.states,
            "transitions": self.transitions,
            "max_depth": self.depth,
            "seconds": round(self.seconds, 3),
            "states_per_second": round(self.rate),
            "peak_memory_bytes": self.peak_rss,
            "bytes_per_state": round(self.peak_rss / self.states, 1) if self.states else 0,
        }


def peak_rss_bytes() -> int:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024
