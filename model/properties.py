"""The properties: stable names and what each means (the README explains each)."""

from __future__ import annotations

from gentrace.model.bounds import Bounds

PROPERTIES: dict[str, str] = {
    "sample-generation": "every CPU sample reaches the trace in a batch of the generation that was "
                         "current when the handler accepted it",
    "event-generation": "every ordinary event reaches the trace in a batch of the generation its "
                        "writer acquired",
    "flush-before-seal": "a batch for generation g is flushed only while g is unfinished, and under "
                         "the generation in its header",
    "no-unflushed-at-stop": "once StopTrace has returned and no handler is mid-flight, every profBuf "
                            "and every trace buffer is empty",
    "sample-conservation": "every accepted sample is emitted exactly once or counted as overflow",
    "deadlock-freedom": "every thread can run to completion; no handler waits on something its own "
                        "interrupted M holds",
    "single-reader": "no two readers drain the same profBuf at once, and no two writers write one at once",
    "generation-order": "on each M, an event written later in program order never lands in an earlier "
                        "generation than an event that M wrote before it",
    "reader-lifetime": "the CPU reader goroutine exits only once tracing has stopped (trace.gen is 0)",
    "locks-balanced": "every acquirem of the tracer is matched by its releasem: an M outside its "
                      "traceAcquire/traceRelease sections holds no m.locks count",
}

PROPERTY_NAMES: tuple[str, ...] = tuple(PROPERTIES)


def antecedent_reachable(prop: str, b: Bounds) -> bool:
    """Whether a run at bounds ``b`` can reach the situation ``prop`` speaks of at all.

    Where it cannot, the only honest verdict is ``vacuous``: no events without a
    worker's section, no samples without a signal.  A design defect that empties
    a property out at a bound that does reach it shows as a mismatch.
    """
    events = b.workers >= 1 and b.sections >= 1
    samples = b.signals >= 1
    return {
        "sample-generation": samples,
        "event-generation": events,
        "flush-before-seal": events or samples,
        "sample-conservation": samples,
        "generation-order": events,
        "locks-balanced": events,
    }.get(prop, True)
