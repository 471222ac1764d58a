"""What the model covers and what it abstracts (each with its reason), and the properties as
formulas printed from the model's own predicates.

The abstractions are argued in the model's code next to the steps they concern
(``model/worker.py``, ``handler.py``, ``reader.py``, ``advancer.py``, ``profbuf.py``) and
summed up in the README's model section; this is that list, for a reviewer.
"""

from __future__ import annotations

import re
from functools import cache

from gentrace.model import PROPERTY_NAMES, build, get_design
from gentrace.model.bounds import CANONICAL
from gentrace.model.expr import Expr

COVERS = (
    "The model is a state machine written after each release's own runtime source (go1.22.0 to go1.27): "
    "worker Ms writing events between `traceAcquire` and `traceRelease` (nested acquires from go1.24, "
    "under `GODEBUG=traceallocfree=1`), a "
    "SIGPROF handler that can land on any M between any two of its atomic steps and takes or elides that "
    "M's seqlock (go1.26: the `writing` flag), the two generation-parity profBufs as the rings of data "
    "words and tags `profbuf.go` implements (wraparound markers, overflow records, one-run reads), the "
    "CPU reader goroutine, and `traceAdvance`/`StopTrace` (per-M flush, drain, cpuBuf flush, seal, "
    "`traceStopReadCPU`). One step is one shared access; where a step is coarser, the code says why. "
    "Each design is a small delta on a release: the shipped one (`fixed`), the one before CL 555495 "
    "(`legacy`), plausible wrong turns, and corrections.")

ABSTRACTIONS: list[tuple[str, str]] = [
    ("The reader's 100 ms sleep and `traceStopReadCPU`'s wake are no steps",
     "the reader may run at any point anyway: every interleaving of its steps is explored, which "
     "includes every timing the sleep allows"),
    ("profBuf counts are kept modulo twice the ring size",
     "the same positions and the same differences as Go's 32-bit counts, which is all `profbuf.go` "
     "computes with them"),
    ("The tag ring holds no pointers", "the tracer writes none (`traceCPUSample` passes nil tags)"),
    ("`profReaderSleeping`, `profWriteExtra` and the wakeups are not modelled",
     "the tracer reads non-blocking (`profBufNonBlocking`), so no reader ever sleeps in `read`"),
    ("Words a reader has committed past are cleared",
     "no correct reader reads them again; a reader that does (two readers on one profBuf) shows as `#?`"),
    ("`traceAdvance` visits Ms in list order and waits at an odd one instead of revisiting it later",
     "the order of visits does not matter to the flushes: each M's buffer is flushed once it was seen "
     "even, and waiting admits every interleaving revisiting would"),
    ("The advancer's own M is not visited", "its seqlock is always even there: it holds no locker while "
                                            "it advances"),
    ("The reader's `traceAcquire` has no step for its `traceEnabled()` check (a worker's has one, "
     "before `acquirem`, as in Go)",
     "the reader's marker is never held at its acquire, so when the check fails gen is already 0 and "
     "the slow path's undo ends in the same state"),
    ("The reader's section has no nested pairs; `m.locks` is counted on worker Ms only",
     "under `GODEBUG=traceallocfree=1` its stack can grow there too (traceReadCPU's 1 KiB pcBuf), "
     "with the same leaks as a worker's; the findings show them on a worker M"),
    ("go1.23's nested `traceTryAcquire` has no step", "it changes nothing: the nested event is dropped"),
    ("Stack and string tables and the trace consumer are not modelled",
     "no property here is about them; a flush hands a batch to the trace, which is where the "
     "properties judge it"),
    ("Small bounds: a few Ms, sections, signals and advances, a 4-bit generation word, 2-word rings",
     "every defect the designs encode shows at these bounds (each expected violation says what it "
     "needs); a small word stands for the real one by the lemmas of section 6 (top value odd and a "
     "multiple of 3, the wrap to 4 continues both patterns)"),
    ("One step per shared access; an M's write into its own buffer is one step",
     "only the M itself touches its buffer and its seqlock, so splitting those steps adds no behaviour "
     "another thread could observe"),
]


@cache
def formulas() -> dict[str, str]:
    """Each property's state predicate, printed from the model (go1.27, canonical bound), with
    program counters by name instead of number."""
    system = build(get_design("fixed", "1.27"), CANONICAL)
    L = system.layout
    vals = [Expr(n) for n in L.names]
    out = {}
    for inv in system.invariants:
        Expr.bindings.clear()
        text = Expr.src(inv.ok(vals))
        if Expr.bindings:
            text += " where " + ", ".join(f"{n} = {c}" for n, c in Expr.bindings)
        Expr.bindings.clear()

        def name_pc(m: re.Match[str]) -> str:
            i = L.index.get(m.group(1))
            v = int(m.group(3))
            return f"{m.group(1)} {m.group(2)} {L.show(i, v) if i is not None else v}"

        text = re.sub(r"([\w.\[\]-]+\.pc) (==|!=) (\d+)", name_pc, text)
        if text == "True":
            text = "(no state formula: judged on the transition graph)"
        out[inv.prop] = text
    assert list(out) == list(PROPERTY_NAMES)
    return out
