"""One-line explanations of why a state violates a property, naming the values involved.

``explain(system, prop, s)`` says what the state ``s`` shows.  Several properties are
checked at a flush or at a write and kept as a sticky ghost bit (``broken.<property>``);
the batch that broke them is gone from the state by then, so from ``s`` alone the message
says only what the state still holds.  Given the run that led to ``s`` (``history``: one
``(step index, state before, state after)`` per step, as replay has it), the message
names the step that set the bit and the values it saw: which sample, batch, M and
generations.
"""

from __future__ import annotations

from collections.abc import Sequence

from gentrace.model import System
from gentrace.model.context import TraceBuf
from gentrace.model.generation import is_before, is_sealed
from gentrace.model.layout import show_set

State = tuple[int, ...]
History = Sequence[tuple[int, State, State]]


def explain(system: System, prop: str, s: State, history: History | None = None) -> str:
    c = system.ctx
    hist = list(history or [])
    if prop == "sample-generation":
        return _sample_generation(system, s, hist)
    if prop == "event-generation":
        return _event_generation(system, s, hist)
    if prop == "flush-before-seal":
        return _flush_before_seal(system, s, hist)
    if prop == "no-unflushed-at-stop":
        return _unflushed(system, s)
    if prop == "sample-conservation":
        return _conservation(system, s, hist)
    if prop == "deadlock-freedom":
        waits = [t for t in system.stuck_threads(s) if "SIGPROF" in t and "waiting" in t]
        return ("self-deadlock: " + "; ".join(waits or system.stuck_threads(s))
                + ", held by the code the handler interrupted, which cannot run until it returns")
    if prop == "single-reader":
        return _single_reader(system, s)
    if prop == "generation-order":
        return _generation_order(system, s, hist)
    if prop == "locks-balanced":
        held = [f"{w.name}.locks is {s[w.locks]} with {w.name} outside its sections ({w.name}.pc "
                f"{system.layout.show(w.pc, s[w.pc])})" for w in system.workers
                if w.outside(s) and s[w.locks] != 0]
        return ("; ".join(held) + ": an acquirem() with no releasem(), so in Go the goroutine can no "
                "longer be preempted and its next park throws 'schedule: holding locks'")
    if prop == "reader-lifetime":
        on = f", trace.enabled {s[c.enabled]}" if c.enabled is not None else ""
        return (f"the CPU reader goroutine exited ({system.reader.name}.pc done) while tracing was "
                f"on (gen {s[c.gen]}{on})")
    return prop


# -- helpers --------------------------------------------------------------------

def _breaking(system: System, prop: str, hist: list[tuple[int, State, State]]
              ) -> tuple[int, int, State, State] | None:
    """The step that set ``broken.<prop>``: (its number in the run, step index, before, after)."""
    f = system.ctx.viol[prop]
    for n, (i, b, a) in enumerate(hist, 1):
        if b[f] == 0 and a[f] != 0:
            return n, i, b, a
    return None


def _step(system: System, n: int, i: int) -> str:
    st = system.steps[i]
    return f"step {n} ({st.thread} {st.name})"


def _touched(tb: TraceBuf, b: State, a: State) -> bool:
    return any(b[f] != a[f] for f in (tb.hdr, tb.n, tb.content))


def _flushed(tb: TraceBuf, b: State, a: State) -> bool:
    """Whether the step from ``b`` to ``a`` flushed the batch in ``tb``: it held one, and the
    step did not just append to it (a flush clears the slot or refills it with a new batch)."""
    if b[tb.hdr] == 0 or not _touched(tb, b, a):
        return False
    return not (a[tb.hdr] == b[tb.hdr] and a[tb.n] == b[tb.n] + 1)


def _under(system: System, tb: TraceBuf, b: State, a: State) -> int:
    """The generation a flush of ``tb`` ran under: a refill flushes under the writer's
    generation, which is the new batch's header; traceAdvance flushes under its gen."""
    return a[tb.hdr] if a[tb.hdr] != 0 else b[system.advancer.g]


def _samples(system: System, mask: int) -> str:
    return show_set(system.ctx.sample_bits, mask)


def _accepted(system: System, s: State, k: int) -> str:
    g = s[system.ctx.sgen[k]]
    return f"accepted in generation {g}" if g else f"never accepted (sample{k}.gen is 0)"


def _trace_bufs(system: System) -> list[tuple[str | None, TraceBuf]]:
    """Every trace buffer, with the worker M that owns it (None for cpuBuf)."""
    return ([(None, tb) for tb in system.ctx.cpubuf]
            + [(w.name, tb) for w in system.workers for tb in w.buf])


def _event_gen(system: System, i: int, b: State) -> int | None:
    """The generation of the event the worker step ``i`` writes, from the state before it."""
    st = system.steps[i]
    for w in system.workers:
        if w.name == st.thread:
            if st.name.startswith("nested.") and w.nests:
                return b[w.ng]
            if st.name == "event.write":
                return b[w.g]
    return None


def _gone(prop: str, what: str, hist: list[tuple[int, State, State]]) -> str:
    see = "" if hist else " (replay the run to see the step that set it)"
    return f"broken.{prop} is set: {what}; the state no longer holds that batch{see}"


# -- properties -----------------------------------------------------------------

def _sample_generation(system: System, s: State, hist: list[tuple[int, State, State]]) -> str:
    c, signals = system.ctx, system.bounds.signals
    hit = _breaking(system, "sample-generation", hist)
    if hit is not None:
        n, i, b, a = hit
        for tb in c.cpubuf:
            if not _flushed(tb, b, a):
                continue
            hdr, ids = b[tb.hdr], b[tb.content]
            wrong = [k for k in range(1, signals + 1) if ids >> k & 1 and b[c.sgen[k]] != hdr]
            if wrong:
                who = ", ".join(f"#{k} ({_accepted(system, b, k)})" for k in wrong)
                return (f"sample{'s' if len(wrong) > 1 else ''} {who} reached the trace in "
                        f"{tb.name}, a batch of generation {hdr} "
                        f"holding {_samples(system, ids)}, flushed at {_step(system, n, i)}")
    acc = ", ".join(f"#{k} in generation {s[c.sgen[k]]}" for k in range(1, signals + 1)
                    if s[c.sgen[k]]) or "none"
    return _gone("sample-generation", "a CPU sample reached the trace in a batch of another "
                 f"generation than the one it was accepted in (accepted: {acc}; emitted: "
                 f"{_samples(system, s[c.emitted])})", hist)


def _event_generation(system: System, s: State, hist: list[tuple[int, State, State]]) -> str:
    hit = _breaking(system, "event-generation", hist)
    if hit is not None:
        n, i, b, a = hit
        for m, tb in _trace_bufs(system):
            if m is None or not _flushed(tb, b, a) or b[tb.content] != 1:
                continue
            hdr = b[tb.hdr]
            # The write that put the event of another generation into this batch.
            wrote = ""
            for n2 in range(n - 1, 0, -1):
                i2, b2, a2 = hist[n2 - 1]
                if b2[tb.content] == 0 and a2[tb.content] == 1:
                    g = _event_gen(system, i2, b2)
                    of = f"of generation {g}" if g is not None and g != hdr else "of another generation"
                    wrote = f" holding an event {of} that {m} wrote into it at {_step(system, n2, i2)}"
                    break
            return (f"{tb.name}, a batch of generation {hdr}, was flushed into the trace at "
                    f"{_step(system, n, i)}{wrote or ' holding an event of another generation'}")
    now = [f"{tb.name} (generation {s[tb.hdr]})" for m, tb in _trace_bufs(system)
           if m is not None and s[tb.content] == 1]
    again = f"; {', '.join(now)} again holds such an event" if now else ""
    return _gone("event-generation", "a flush put into the trace an M's batch holding an event of "
                 f"another generation than the batch's{again}", hist)


def _flush_before_seal(system: System, s: State, hist: list[tuple[int, State, State]]) -> str:
    c = system.ctx
    hit = _breaking(system, "flush-before-seal", hist)
    if hit is not None:
        n, i, b, a = hit
        for _, tb in _trace_bufs(system):
            if not _flushed(tb, b, a):
                continue
            hdr, under, fg = b[tb.hdr], _under(system, tb, b, a), b[c.flushed]
            why = []
            if under != hdr:
                why.append(f"under generation {under}, not its header's {hdr}")
            if is_sealed(fg, hdr, c.gens):
                why.append(f"after generation {hdr} was finished (flushedGen was {fg})")
            if why:
                return (f"{_step(system, n, i)} flushed {tb.name}, a batch of generation {hdr}, "
                        + " and ".join(why))
    return _gone("flush-before-seal", "a batch was flushed after its generation was finished or "
                 f"under another generation than its header's (flushedGen is now {s[c.flushed]})", hist)


def _unflushed(system: System, s: State) -> str:
    c = system.ctx
    left = []
    for pb in c.pb:
        if not pb.empty(s):
            nrec = (s[pb.wt] - s[pb.rnt]) & pb.tm
            span = (s[pb.w] - s[pb.rn]) & pb.dm
            ids = [s[pb.data[(s[pb.rn] + d) % pb.W]] for d in range(min(span, pb.W))]
            what = ", ".join(f"sample #{k}, {_accepted(system, s, k)}" for k in ids if 0 < k < pb.OVF)
            left.append(f"{pb.name} holds {nrec} record(s) no reader was handed"
                        + (f" ({what})" if what else ""))
    for d in (system.reader, system.advancer):
        if s[d.left]:
            left.append(f"{d.name} was handed {s[d.left]} record(s) it has not written "
                        f"({d.name}.read.left)")
    for _, tb in _trace_bufs(system):
        if s[tb.hdr]:
            held = f" with samples {_samples(system, s[tb.content])}" if tb.kind == "sample" else ""
            left.append(f"{tb.name} holds a batch of generation {s[tb.hdr]}{held}")
    return "StopTrace returned but " + (", ".join(left) or "nothing is left (the property holds)")


def _conservation(system: System, s: State, hist: list[tuple[int, State, State]]) -> str:
    c, signals = system.ctx, system.bounds.signals
    if s[c.viol["sample-conservation"]]:
        hit = _breaking(system, "sample-conservation", hist)
        if hit is not None:
            n, i, b, a = hit
            for tb in c.cpubuf:
                if not _touched(tb, b, a) or b[tb.hdr] == 0:
                    continue
                ids = b[tb.content]
                if _flushed(tb, b, a) and ids & b[c.emitted]:
                    return (f"{_step(system, n, i)} flushed {tb.name}, a batch of generation "
                            f"{b[tb.hdr]} holding {_samples(system, ids)}, and "
                            f"{_samples(system, ids & b[c.emitted])} had reached the trace "
                            "already: a CPU sample was written into the trace twice")
                if not _flushed(tb, b, a):
                    # An append leaves the set as it was: the sample is one it held already.
                    where = (f"{tb.name}, a batch of generation {b[tb.hdr]} holding "
                             f"{_samples(system, ids)}")
                    if ids == 1:
                        return (f"{_step(system, n, i)} wrote a second #? record into {where}, "
                                "which the model counts as a sample written twice; #? stands for "
                                "any record whose first word another reader's commit had already "
                                "freed (two readers drained one profBuf at once), so which samples "
                                "they were is not in the state")
                    one = ids & (ids - 1) == 0
                    what = (f"sample {_samples(system, ids)[1:-1]} again" if one
                            else "one of the samples it already holds")
                    return (f"{_step(system, n, i)} wrote {what} into {where}: a CPU sample was "
                            "written into the trace twice")
        return _gone("sample-conservation", "a CPU sample was written into the trace twice "
                     f"(emitted: {_samples(system, s[c.emitted])})", hist)
    lost = [k for k in range(1, signals + 1)
            if s[c.sgen[k]] and not ((s[c.emitted] | s[c.overflowed]) >> k) & 1]
    return ("StopTrace returned but accepted sample(s) "
            + ", ".join(f"#{k} (gen {s[c.sgen[k]]})" for k in lost)
            + " were neither emitted nor counted as overflow (emitted: "
            + f"{_samples(system, s[c.emitted])}, overflowed: {_samples(system, s[c.overflowed])})")


def _single_reader(system: System, s: State) -> str:
    c, r, a = system.ctx, system.reader, system.advancer
    out = []
    if r.draining(s) and a.draining(s) and r.prof(s) == a.prof(s):
        out.append(f"{r.name} (gen {s[r.g]}) and {a.name} (gen {s[a.g]}) both drain "
                   f"profBuf[{r.prof(s)}] at once ({r.name}.read.busy and {a.name}.read.busy are 1)")
    for p in range(c.nprof):
        at = [(t.name, h) for t, h in zip(system.threads, system.handlers, strict=True)
              if h.writing(s) and (c.prof_of(s[h.g]) if h.g is not None else 0) == p]
        if len(at) > 1:
            who = " and ".join(f"{m} (at {system.layout.show(h.pc, s[h.pc])}"
                               + (f", gen {s[h.g]})" if h.g is not None else ")") for m, h in at)
            out.append(f"the SIGPROF handlers on {who} both write profBuf[{p}] at once")
    return "; ".join(out) or "no two readers or writers share a profBuf (the property holds)"


def _generation_order(system: System, s: State, hist: list[tuple[int, State, State]]) -> str:
    hit = _breaking(system, "generation-order", hist)
    if hit is not None:
        n, i, b, a = hit
        for w in system.workers:
            if w.name != system.steps[i].thread:
                continue
            g, last = _event_gen(system, i, b), b[w.last]
            if g is not None and is_before(g, last, system.ctx.gens):
                return (f"{w.name} wrote an event of generation {g} at {_step(system, n, i)} after "
                        f"it had written one of generation {last} ({w.name}.lastEventGen), which "
                        "comes later in the run")
    latest = ", ".join(f"{w.name}.lastEventGen {s[w.last]}" for w in system.workers)
    return (f"broken.generation-order is set: an M wrote an event into an earlier generation than "
            f"an event it had written before; the state keeps only each M's latest generation "
            f"({latest})" + ("" if hist else ", so replay the run to see the step that set it"))
