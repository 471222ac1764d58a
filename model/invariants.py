"""Stated invariants of the unbounded system: the lemmas its proofs rest on.

Each lemma is a predicate over one state, written with the same value helpers as the
steps (so it evaluates on ints, on the explorer's compiled code and on z3 terms), with a
one-line reason.  The lemmas are quantified over the Ms: a lemma about "each worker" is
one instance per worker, named after it, so the same list serves 1, 2 or 3 workers.

``checker/symbolic/stated.py`` proves that their conjunction is an inductive invariant
(true initially, kept by every step) and that it implies a property.  Nothing here is
trusted: a lemma that is false in some reachable state fails its consecution check or
its initiation, and the tests evaluate every lemma on every state the exhaustive
explorer reaches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gentrace.model.generation import next_gen
from gentrace.model.readcpu import READ_STEPS
from gentrace.model.releases import NESTED_ENTRY
from gentrace.model.values import Val, all_of, any_of, neg

Pred = Callable[[Sequence[Val]], Val]


@dataclass(frozen=True)
class Lemma:
    """One stated invariant: ``pred`` holds in every reachable state, because ``reason``."""

    name: str
    reason: str
    pred: Pred
    # The properties this lemma is for; empty: the structural base every proof uses.
    props: frozenset[str] = frozenset()


def as_val(c: Val) -> Val:
    """A truth value as 1 or 0 (for arithmetic in a lemma)."""
    from gentrace.model.values import as_int
    return as_int(c)


def sum_of(xs: Sequence[Val]) -> Val:
    out: Val = 0
    for x in xs:
        out = out + x
    return out


def implies(a: Val, b: Val) -> Val:
    return any_of(neg(a), b)


def iff(a: Val, b: Val) -> Val:
    return all_of(implies(a, b), implies(b, a))


class _Pc:
    """Program-counter tests for one thread or handler, by step name."""

    def __init__(self, field: int, names: Sequence[str]) -> None:
        self.field, self.names = field, list(names)

    def __call__(self, s: Sequence[Val], *names: str) -> Val:
        return any_of(*[s[self.field] == self.names.index(n) for n in names if n in self.names])

    def has(self, name: str) -> bool:
        return name in self.names


def lemmas(system) -> list[Lemma]:  # type: ignore[no-untyped-def]
    """The stated invariants of an unbounded ``system`` (``System(..., unbounded=True)``)."""
    if not system.unbounded:
        raise ValueError("stated invariants are about the unbounded system")
    return _Builder(system).build()


class _Builder:
    def __init__(self, system) -> None:  # type: ignore[no-untyped-def]
        self.sysm = system
        self.c = system.ctx
        self.out: list[Lemma] = []

    def add(self, name: str, reason: str, pred: Pred, props: Sequence[str] = ()) -> None:
        self.out.append(Lemma(name, reason, pred, frozenset(props)))

    def build(self) -> list[Lemma]:
        self.generations()
        self.handlers()
        self.marker()
        self.drainers()
        self.rings()
        self.threads()
        self.regions()
        self.buffers()
        self.order()
        self.samples()
        self.goals()
        return self.out

    def on_ring(self, s: Sequence[Val], idx: Val, fn: Callable[[Any], Val]) -> Val:
        """``fn(ring)`` for the profBuf ``idx`` names (which may be symbolic)."""
        return all_of(*[implies(idx == p, fn(rg)) for p, rg in enumerate(self.c.pb)])

    # -- trace.gen, trace.enabled and the advancer ---------------------------------

    def generations(self) -> None:
        sysm, c = self.sysm, self.c
        a = sysm.advancer
        A = _Pc(a.pc, a.pcs.names)
        top, wrap = c.bounds.top, c.design.wrap_to
        gen, ag = c.gen, a.g
        # Where the advancer is between its load of trace.gen and its seal.
        after_publish = [n for n in a.order[a.order.index("publish") + 1: a.order.index("seal") + 1]]
        stop_tail = [n for n in a.order[a.order.index("seal") + 1:]]

        self.add("advancer.idle-gen",
                 "the advancer clears its gen at each seal that is not the stop, and starts with 0",
                 lambda s: implies(A(s, "load-gen"), s[ag] == 0))
        self.add("advancer.running",
                 "trace.gen is 0 only once the advancer has published the stop",
                 lambda s: implies(A(s, "load-gen", "publish"), s[gen] != 0))
        self.add("advancer.publish-gen",
                 "only the advancer writes trace.gen, so between its load and its store they agree",
                 lambda s: implies(A(s, "publish"), s[ag] == s[gen]))
        self.add("advancer.finishing",
                 "after publishing, trace.gen is the next generation of the one being finished, "
                 "or 0 when stopping",
                 lambda s: implies(A(s, *after_publish),
                                   all_of(s[ag] != 0, any_of(s[gen] == 0,
                                                             s[gen] == next_gen(s[ag], top, wrap)))))
        self.add("advancer.stopped",
                 "after the stop's seal, trace.gen stays 0",
                 lambda s: implies(A(s, *stop_tail), s[gen] == 0))
        if c.enabled is not None:
            en = c.enabled
            clear = a.at["stop.clear-enabled"]
            self.add("enabled.follows-gen",
                     "trace.enabled is cleared right after trace.gen.Store(0), never set again",
                     lambda s: all_of(implies(s[gen] != 0, s[en] == 1),
                                      implies(s[a.pc] == clear, all_of(s[gen] == 0, s[en] == 1))))

    # -- SIGPROF handlers and signalLock ---------------------------------------------

    def handlers(self) -> None:
        c = self.c
        hs = self.sysm.handlers
        holding = []
        for h in hs:
            H = _Pc(h.pc, h.pcs.names)
            inside = h.order[h.order.index("siglock") + 1: h.order.index("sigunlock") + 1]
            holding.append(lambda s, H=H, inside=inside: H(s, *inside))
        for h in hs:
            H = _Pc(h.pc, h.pcs.names)
            locals_ = [f for f in (h.locked, h.g, h.sid, h.ov) if f is not None]
            self.add(f"{h.m}.sigprof.idle",
                     "a handler clears its locals as it returns, and a delivery with tracing off "
                     "returns at once",
                     lambda s, h=h, locals_=locals_: implies(s[h.pc] == h.IDLE,
                                                             all_of(*[s[f] == 0 for f in locals_])))
            if "load" in h.at and h.g is not None:
                before = h.order[: h.order.index("load") + 1]
                after = h.order[h.order.index("load") + 1: h.order.index("sigunlock") + 1]
                self.add(f"{h.m}.sigprof.accepted",
                         "a delivery carries a sample; past its load of trace.gen the handler has "
                         "a non-zero gen (with 0 it returns)",
                         lambda s, h=h, H=H, before=before, after=after: all_of(
                             implies(H(s, *before), all_of(s[h.sid] != 0, s[h.g] == 0, s[h.ov] == 0)),
                             implies(H(s, *after), all_of(s[h.sid] != 0, s[h.g] != 0))))
                rings = c.pb
                self.add(f"{h.m}.sigprof.room",
                         "only the handler holding signalLock writes b.w, and a read only frees "
                         "words: the room it saw stays",
                         lambda s, h=h, H=H, rings=rings: all_of(
                             implies(H(s, "w.takeOverflow", "w.overflowRecord"), self.on_ring(
                                 s, c.prof_of(s[h.g]), lambda rg: rg.can_write_two_records(s, c.bounds.rec_words))),
                             implies(H(s, "w.record"), self.on_ring(
                                 s, c.prof_of(s[h.g]), lambda rg: rg.can_write_record(s, c.bounds.rec_words)))))
        self.add("signalLock.held",
                 "signalLock is 1 exactly while one handler is between its CAS and its Store(0)",
                 lambda s: all_of(
                     (s[c.siglock] == 1) == any_of(*[hold(s) for hold in holding]),
                     *[neg(all_of(holding[i](s), holding[j](s)))
                       for i in range(len(hs)) for j in range(i + 1, len(hs))]))

    # -- the Ms: each one's write marker and the generations loaded on it -------------

    def ms(self) -> list[tuple[str, Any, Any, Pred, list[int]]]:
        """Each M: (name, thread, handler, "the thread holds its marker", loaded gen fields)."""
        sysm = self.sysm
        out = []
        for t, h in zip(sysm.threads, sysm.handlers, strict=True):
            T = _Pc(t.pc, t.pcs.names)
            if t is sysm.advancer:
                held: Pred = lambda s: False  # noqa: E731  the advancer never takes its own
                loaded: list[int] = []
            elif t is sysm.reader:
                region = ["load-gen", "undo", *READ_STEPS, "release"] if t.locked else []
                held = lambda s, T=T, region=region: T(s, *region)  # noqa: E731
                loaded = [t.g]
            else:
                region = ["load-gen", "undo", "reenter-load-gen", "nested.enabled",
                          "nested.load-gen", "nested.write", "write", "release"]
                held = lambda s, T=T, region=region: T(s, *region)  # noqa: E731
                loaded = [t.g] + ([t.ng] if t.nests else [])
            if h.g is not None:
                loaded.append(h.g)
            out.append((t.name, t, h, held, loaded))
        return out

    def marker(self) -> None:
        c, a = self.c, self.sysm.advancer
        A = _Pc(a.pc, a.pcs.names)
        gen = c.gen
        for name, t, h, held, loaded in self.ms():
            H = _Pc(h.pc, h.pcs.names)
            seq = t.seq
            if h.locked is not None:
                after_lock = h.order[h.order.index("lock") + 1:]
                self.add(f"{name}.marker",
                         f"{name}'s marker is set exactly while {name} is inside traceAcquire/"
                         "traceRelease or its handler took it, never both (the handler takes it "
                         "only when it is clear)",
                         lambda s, seq=seq, held=held, h=h, H=H, after_lock=after_lock: all_of(
                             (s[seq] == 1) == any_of(held(s), s[h.locked] == 1),
                             neg(all_of(held(s), s[h.locked] == 1)),
                             implies(s[h.locked] == 1, H(s, *after_lock)),
                             implies(H(s, *after_lock), s[seq] == 1)))
            else:
                self.add(f"{name}.marker",
                         f"{name}'s marker is set exactly while {name} is inside traceAcquire/"
                         "traceRelease",
                         lambda s, seq=seq, held=held: (s[seq] == 1) == held(s))
            # The advancer's steps from its publish up to and including its wait for this M.
            if t is a or f"wait-even({name})" not in a.order:
                pre: list[str] = []
            else:
                pre = a.order[a.order.index("publish") + 1: a.order.index(f"wait-even({name})") + 1]
            for v in loaded:
                vname = self.sysm.layout.names[v]
                self.add(f"{vname}.live",
                         f"{vname} was loaded from trace.gen under {name}'s marker: it is the current "
                         "generation, or the one being finished while the advancer has not yet "
                         f"waited for {name}",
                         lambda s, v=v, pre=pre: implies(
                             s[v] != 0, any_of(s[v] == s[gen],
                                               all_of(s[v] == s[a.g], A(s, *pre)) if pre else False)))
                if t is not a:
                    self.add(f"{vname}.under-marker",
                             f"{vname} is non-zero only while {name}'s marker is set",
                             lambda s, v=v, seq=seq: implies(s[v] != 0, s[seq] == 1))

    # -- the readers of profBufs -------------------------------------------------------

    def drainers(self) -> None:
        sysm, c = self.sysm, self.c
        W = c.bounds.ring_words
        for d in (sysm.reader, sysm.advancer):
            D = _Pc(d.pc, d.pcs.names)
            if not D.has("read.emit"):
                self.add(f"{d.name}.read.never",
                         f"{d.name} never calls traceReadCPU in this design",
                         lambda s, d=d: all_of(s[d.busy] == 0, s[d.pos] == 0, s[d.left] == 0, s[d.eof] == 0))
                continue
            self.add(f"{d.name}.read.busy",
                     f"{d.name} is draining only inside traceReadCPU, with a generation loaded",
                     lambda s, d=d, D=D: all_of(implies(s[d.busy] == 1, D(s, *READ_STEPS)),
                                                implies(D(s, *READ_STEPS), s[d.g] != 0)))

            def walk(rg, s, d=d):  # type: ignore[no-untyped-def]
                # The records still to hand over end where rNext is, and were read (lie
                # between b.r and rNext).
                handed = (s[rg.rn] + 2 * W - s[rg.r]) & rg.dm
                return all_of(s[d.left] >= 1, s[d.pos] + s[d.left] <= W,
                              ((s[d.pos] + s[d.left]) & (W - 1)) == (s[rg.rn] & (W - 1)),
                              s[d.left] <= handed)
            self.add(f"{d.name}.read.walk",
                     f"{d.name} hands over the records its read returned, one a step, up to rNext "
                     "(and holds no position otherwise)",
                     lambda s, d=d, D=D, walk=walk: all_of(
                         implies(neg(D(s, "read.emit")), all_of(s[d.pos] == 0, s[d.left] == 0)),
                         implies(D(s, "read.emit"), self.on_ring(s, d.prof(s), lambda rg: walk(rg, s)))))

    def rings(self) -> None:
        """profBuf shape, for records of one word (``rec_words=1``: no wraparound marker)."""
        c = self.c
        b = c.bounds
        if b.rec_words != 1:
            return
        for rg in c.pb:
            W, T = rg.W, rg.T

            def shape(s, rg=rg, W=W, T=T):  # type: ignore[no-untyped-def]
                unread = (s[rg.w] + 2 * W - s[rg.r]) & rg.dm
                handed = (s[rg.rn] + 2 * W - s[rg.r]) & rg.dm
                parts = [unread <= min(W, T), handed <= unread,
                         ((s[rg.w] + 2 * W - s[rg.rn]) & rg.dm) == ((s[rg.wt] + 2 * T - s[rg.rnt]) & rg.tm),
                         handed == ((s[rg.rnt] + 2 * T - s[rg.rt]) & rg.tm)]
                for j, f in enumerate(rg.data):
                    dist = (j + W - (s[rg.r] & (W - 1))) & (W - 1)
                    parts.append((s[f] != 0) == (dist < unread))
                return all_of(*parts)
            self.add(f"{rg.name}.shape",
                     "each record is one word and one tag; the words between b.r and b.w hold "
                     "records, the others are free (cleared); rNext lies between b.r and b.w",
                     shape)

    def threads(self) -> None:
        sysm, c = self.sysm, self.c
        gen = c.gen
        r = sysm.reader
        R = _Pc(r.pc, r.pcs.names)
        if r.locked:
            self.add("R.gen-loaded",
                     "the reader loads trace.gen under its marker and clears its gen at traceRelease",
                     lambda s: all_of(implies(R(s, *READ_STEPS, "release"), s[r.g] != 0),
                                      implies(R(s, "loop-check", "acquire", "load-gen", "undo", "done"),
                                              all_of(s[r.g] == 0, s[r.busy] == 0))))
            self.add("R.eof",
                     "read reports eof only once the profBuf is closed, which StopTrace does after "
                     "trace.gen.Store(0)",
                     lambda s: all_of(implies(s[r.eof] == 1, all_of(s[gen] == 0, R(s, "release"))),
                                      *[implies(s[rg.eof] == 1, s[gen] == 0) for rg in c.pb]))
            self.add("R.exit",
                     "the reader exits only when traceEnabled() is false, its acquire saw gen 0, "
                     "or read reported eof: all after the stop, and trace.gen stays 0",
                     lambda s: implies(R(s, "undo", "done"), s[gen] == 0))
        for w in sysm.workers:
            Wp = _Pc(w.pc, w.pcs.names)
            body = ["nested.enabled", "nested.load-gen", "nested.write", "write", "release"]
            before = ("enabled", "acquire", "load-gen", "undo", "done")
            pair = ("nested.enabled", "nested.load-gen", "nested.write")
            parts: list[Callable[[Sequence[Val]], Val]] = [
                lambda s, w=w, Wp=Wp, body=body: implies(Wp(s, *body), s[w.g] != 0),
                lambda s, w=w, Wp=Wp, before=before: implies(Wp(s, *before), s[w.g] == 0),
                lambda s, w=w, Wp=Wp: implies(Wp(s, "undo"), s[gen] == 0),
                # m.locks: the outer acquire's acquirem from its seqlock-inc to its release
                # or undo, and one more inside a nested pair that passed traceEnabled().
                lambda s, w=w, Wp=Wp, body=body: s[w.locks] == as_val(Wp(s, "load-gen", "undo",
                                                                         "reenter-load-gen", *body))
                + (as_val(Wp(s, "nested.load-gen", "nested.write")) if w.nests else 0),
            ]
            if w.reentrant:
                parts.append(lambda s, w=w, Wp=Wp: all_of(
                    neg(Wp(s, "reenter-load-gen")),
                    s[w.reentered] == (1 if w.nests else 0) * as_val(Wp(s, "nested.write"))))
            if w.nests:
                N = w.nests
                parts += [
                    lambda s, w=w, Wp=Wp, before=before: implies(
                        Wp(s, *before), all_of(s[w.nested_done] == 0, s[w.ng] == 0, s[w.wrote] == 0)),
                    lambda s, w=w, Wp=Wp, N=N, pair=pair: implies(Wp(s, *pair), s[w.nested_done] < N),
                    lambda s, w=w, Wp=Wp, N=N: implies(Wp(s, "write", "release"),
                                                       all_of(s[w.nested_done] <= N, s[w.ng] == 0)),
                    lambda s, w=w, Wp=Wp: implies(Wp(s, "write"), s[w.wrote] == 0),
                    lambda s, w=w, Wp=Wp: implies(Wp(s, "release"), s[w.wrote] == 1),
                    lambda s, w=w, Wp=Wp: implies(Wp(s, "nested.enabled", "nested.load-gen"), s[w.ng] == 0),
                ]
                if w.mode == NESTED_ENTRY:
                    parts.append(lambda s, w=w, Wp=Wp: implies(Wp(s, "nested.write"), s[w.ng] == s[w.g]))
            self.add(f"{w.name}.section",
                     f"{w.name} holds a non-zero gen from its load to its traceRelease; its m.locks "
                     "count is 1 inside the section and 2 inside a nested pair, its reentered count "
                     "is 1 only inside a nested pair (no locker leaks), and its nested pairs are "
                     "counted from 0 each section",
                     lambda s, parts=parts: all_of(*[p(s) for p in parts]))

    # -- what the flush properties rest on -----------------------------------------------

    def regions(self) -> None:
        """The advancer's phases, by its program counter (names in its order)."""
        a = self.sysm.advancer
        self.A = _Pc(a.pc, a.pcs.names)
        o = a.order
        self.after_publish = o[o.index("publish") + 1: o.index("seal") + 1]

        def upto(name: str) -> list[str]:
            return o[o.index("publish") + 1: o.index(name) + 1] if name in o else []
        self.upto = upto
        # Until it has drained the profBuf of the generation it finishes: up to its
        # last read step in program order (the read's steps loop back to its commit).
        reads = [n for n in o if n in READ_STEPS]
        self.draining = upto(reads[-1]) if reads else []

    def live_as(self, s: Sequence[Val], v: Val, region: list[str]) -> Val:
        """``v`` is the current generation, or the advancer's while it is in ``region``."""
        a = self.sysm.advancer
        return any_of(v == s[self.c.gen], all_of(v == s[a.g], self.A(s, *region)))

    def buffers(self) -> None:
        sysm, c, a = self.sysm, self.c, self.sysm.advancer
        EVENTS = ("event-generation", "flush-before-seal", "no-unflushed-at-stop")
        CPUBUF = ("flush-before-seal", "no-unflushed-at-stop", "sample-generation", "sample-conservation")
        RINGS = ("no-unflushed-at-stop", "sample-generation", "sample-conservation")
        self.add("flushedGen.behind",
                 "flushedGen is stored only at the seal, with the generation just finished",
                 lambda s: all_of(implies(self.A(s, *self.after_publish), s[c.flushed] != s[a.g]),
                                  implies(self.A(s, "load-gen", "publish"), s[c.flushed] != s[c.gen])))
        for w in sysm.workers:
            for p, tb in enumerate(w.buf):
                self.add(f"{tb.name}.batch",
                         f"{w.name} writes an event of a live generation into buf[gen%2]; the advancer "
                         f"flushes buf[gen%2] of {w.name} once {w.name} is seen outside traceAcquire, so "
                         "a batch's generation is the current one, or the finishing one until that flush",
                         lambda s, tb=tb, p=p, w=w: all_of(
                             implies(s[tb.hdr] != 0, all_of((s[tb.hdr] & 1) == p, s[tb.content] == 0,
                                                            self.live_as(s, s[tb.hdr], self.upto(f"flush({w.name})")))),
                             implies(s[tb.hdr] == 0, all_of(s[tb.n] == 0, s[tb.content] == 0))),
                         EVENTS)
        cpu = self.upto("cpu-flush")
        for p, tb in enumerate(c.cpubuf):
            self.add(f"{tb.name}.batch",
                     "samples are written into cpuBuf[gen%2] by a drainer with a live gen; the advancer "
                     "flushes cpuBuf[gen%2] after its drain",
                     lambda s, tb=tb, p=p: all_of(
                         implies(s[tb.hdr] != 0, all_of((s[tb.hdr] & 1) == p,
                                                        self.live_as(s, s[tb.hdr], cpu))),
                         implies(s[tb.hdr] == 0, all_of(s[tb.n] == 0, s[tb.content] == 0))),
                     CPUBUF)
        reads = [n for n in ("read.take-overflow", "read.load-eof") if n in a.pcs.names]
        for p, rg in enumerate(c.pb):
            self.add(f"{rg.name}.pending",
                     "records are written into profBuf[gen%2] with a live gen, and the advancer drains "
                     "the finishing generation's profBuf until a read finds it empty",
                     lambda s, rg=rg, p=p: implies(neg(rg.empty(s)), any_of(
                         all_of(s[c.gen] != 0, (s[c.gen] & 1) == p),
                         all_of((s[a.g] & 1) == p, self.A(s, *self.draining)))),
                     RINGS)
        if reads:
            self.add("A.drained",
                     "the advancer's read found no data, and after its wait for every M nothing "
                     "writes the finishing generation's profBuf",
                     lambda s: implies(self.A(s, *reads), self.on_ring(s, a.prof(s), lambda rg: rg.empty(s))),
                     RINGS)

    def order(self) -> None:
        sysm, c, a = self.sysm, self.c, self.sysm.advancer
        for w in sysm.workers:
            last = w.last
            self.add(f"{w.name}.lastEventGen",
                     f"{w.name}'s latest event generation is live (the seal forgets it), and no later "
                     "than the generation it holds now",
                     lambda s, w=w, last=last: all_of(
                         implies(s[last] != 0, self.live_as(s, s[last], self.after_publish)),
                         implies(all_of(s[w.g] != 0, s[last] != 0, s[last] != s[w.g]),
                                 all_of(s[w.g] == s[c.gen], s[last] == s[a.g]))),
                     ("generation-order",))

    def samples(self) -> None:
        sysm, c, a = self.sysm, self.c, self.sysm.advancer
        SG = ("sample-generation", "sample-conservation")
        sg, tracked = c.sgen[1], c.delivered
        hs = sysm.handlers
        self.add("sample.tracked.once",
                 "the tracked sample is delivered at most once, to one handler, and has no "
                 "generation before it is accepted",
                 lambda s: all_of(
                     implies(s[tracked] == 0, s[sg] == 0),
                     *[implies(s[h.sid] == 1, s[tracked] == 1) for h in hs],
                     *[neg(all_of(s[hs[i].sid] == 1, s[hs[j].sid] == 1))
                       for i in range(len(hs)) for j in range(i + 1, len(hs))]),
                 SG)
        for h in hs:
            if h.g is None:
                continue
            self.add(f"{h.m}.sigprof.tracked",
                     "a handler carrying the tracked sample accepted it under the gen it loaded",
                     lambda s, h=h: implies(s[h.sid] == 1, any_of(all_of(s[h.g] == 0, s[sg] == 0),
                                                                  all_of(s[h.g] != 0, s[sg] == s[h.g]))),
                     SG)
        drainers = [d for d in (sysm.reader, sysm.advancer) if _Pc(d.pc, d.pcs.names).has("read.emit")]
        for p, _rg, f, pending in self.pending_words(drainers, with_ring=True):
            self.add(f"{self.sysm.layout.names[f]}.tracked",
                     "the tracked sample waits in profBuf[gen%2] of the generation it was accepted "
                     "under, which stays live until the advancer has drained that profBuf",
                     lambda s, f=f, p=p, pending=pending: implies(
                         all_of(s[f] == 1, pending(s)),
                         all_of(s[sg] != 0, (s[sg] & 1) == p, self.live_as(s, s[sg], self.draining))),
                     SG)
        carrying = {"siglock", "logload", "w.hasOverflow", "w.canWrite", "w.takeOverflow",
                     "w.overflowRecord", "w.record", "w.incrementOverflow"}
        pend = self.pending_words(drainers)

        def where(s):  # type: ignore[no-untyped-def]
            at = [all_of(s[h.sid] == 1, _Pc(h.pc, h.pcs.names)(s, *carrying)) for h in hs]
            at += [all_of(s[f] == 1, pending(s)) for f, pending in pend]
            at += [(s[tb.content] & 2) != 0 for tb in c.cpubuf]
            done = [(s[c.emitted] & 2) != 0, (s[c.overflowed] & 2) != 0]
            count = sum_of([as_val(x) for x in at + done])
            untracked = [(s[f] & 1) == 0 for f in [tb.content for tb in c.cpubuf] + [c.emitted, c.overflowed]]
            return all_of(implies(s[sg] != 0, count == 1), *untracked,
                          implies(s[sg] == 0, all_of(*[neg(x) for x in at[len(hs):] + done])))
        self.add("sample.tracked.where",
                 "an accepted sample is in exactly one place: its handler, its profBuf (not yet "
                 "handed over), a cpuBuf batch, the trace, or the overflow count",
                 where, ("sample-conservation",))
        o = a.order
        for p, f in enumerate(c.clw):
            clear = f"stop.clear-cpuLogWrite[{p}]"
            later = o[o.index(clear) + 1:] if clear in o else []
            self.add(f"cpuLogWrite[{p}].set",
                     "StopTrace clears cpuLogWrite only after the stop's wait for every M, when no "
                     "handler holds a live generation",
                     lambda s, f=f, later=later: implies(s[f] == 0, self.A(s, *later)),
                     ("sample-conservation",))
        for tb in c.cpubuf:
            self.add(f"{tb.name}.tracked",
                     "a batch holds the tracked sample only if the sample's generation is the batch's",
                     lambda s, tb=tb: implies((s[tb.content] & 2) != 0, s[tb.hdr] == s[sg]),
                     SG)

    def pending_words(self, drainers, with_ring: bool = False):  # type: ignore[no-untyped-def]
        """Each data word of each profBuf, with "its record is still to be handed over": not
        yet returned by a read, or returned and not yet walked past by its drainer."""
        c = self.c
        out = []
        for p, rg in enumerate(c.pb):
            W = rg.W
            for j, f in enumerate(rg.data):
                def pending(s, rg=rg, j=j, p=p, W=W):  # type: ignore[no-untyped-def]
                    unhanded = ((s[rg.w] + 2 * W - s[rg.rn]) & rg.dm)
                    dist = (j + W - (s[rg.rn] & (W - 1))) & (W - 1)
                    parts = [dist < unhanded]
                    for d in drainers:
                        D = _Pc(d.pc, d.pcs.names)
                        parts.append(all_of(D(s, "read.emit"), c.prof_of(s[d.g]) == p,
                                            s[d.pos] <= j, j < s[d.pos] + s[d.left]))
                    return any_of(*parts)
                out.append((p, rg, f, pending) if with_ring else (f, pending))
        return out

    def goals(self) -> None:
        c = self.c
        if not self.sysm.workers:
            self.add("flushes.no-events", "with no worker M no event is ever written, so no event "
                     "batch is ever flushed", lambda s: (s[c.flushes] & 1) == 0)
        for p, f in c.viol.items():
            self.add(f"goal.{p}", f"no flush (or event) has broken {p} so far: the property itself",
                     lambda s, f=f: s[f] == 0, (p,))
