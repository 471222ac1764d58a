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
    # The explorer's visited store (0 where an engine keeps none): bytes of one stored
    # state, and of the whole store (states, their index, parent links).
    state_bytes: int = 0
    store_bytes: int = 0

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
            **({"state_bytes": self.state_bytes,
                "store_bytes_per_state": round(self.store_bytes / self.states, 1) if self.states else 0}
               if self.state_bytes else {}),
        }


def peak_rss_bytes() -> int:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024
