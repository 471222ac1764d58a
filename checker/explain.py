"""One-line explanations of why a state violates a property."""

from __future__ import annotations

from model import System


def explain(system: System, prop: str, s: tuple[int, ...]) -> str:
    c = system.ctx
    L = system.layout
    if prop == "sample-generation":
        return "a CPU sample reached the trace in a batch of another generation than the one it was accepted in"
    if prop == "event-generation":
        return "an event reached the trace in a batch of another generation than its writer acquired"
    if prop == "flush-before-seal":
        return "a batch was flushed after its generation was finished, or under another generation than its header's"
    if prop == "no-unflushed-at-stop":
        left = []
        for pb in c.pb:
            if not pb.empty(s):
                n = (s[pb.wt] - s[pb.rnt]) & pb.tm
                left.append(f"{pb.name} holds {n} record(s) no reader was handed")
        for tb in c.cpubuf + [tb for w in system.workers for tb in w.buf]:
            if s[tb.hdr]:
                left.append(f"{tb.name} holds a batch of generation {s[tb.hdr]}")
        return "StopTrace returned but " + ", ".join(left)
    if prop == "sample-conservation":
        if s[c.viol["sample-conservation"]]:
            return "a CPU sample was written into the trace twice"
        lost = [k for k in range(1, system.bounds.signals + 1)
                if s[c.sgen[k]] and not ((s[c.emitted] | s[c.overflowed]) >> k) & 1]
        return ("StopTrace returned but accepted sample(s) "
                + ", ".join(f"#{k} (gen {s[c.sgen[k]]})" for k in lost)
                + " were neither emitted nor counted as overflow")
    if prop == "deadlock-freedom":
        waits = [t for t in system.stuck_threads(s) if "SIGPROF" in t and "waiting" in t]
        return ("self-deadlock: " + "; ".join(waits or system.stuck_threads(s))
                + ", held by the code the handler interrupted, which cannot run until it returns")
    if prop == "single-reader":
        return ("two readers drain the same profBuf at once (R.read.busy and A.read.busy both set), "
                "or two writers write one")
    if prop == "generation-order":
        return "an M wrote an event into an earlier generation than an event it had written before"
    if prop == "reader-lifetime":
        return f"the CPU reader goroutine exited while tracing was on (gen {s[c.gen]})"
    _ = L
    return prop
