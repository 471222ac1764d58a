"""Each step's effect in isolation, checked against the Go source each step cites.

States are reached by replaying short step sequences from the initial state with
the reference semantics (``System.apply``); a few tests then overwrite a field
to put a step in front of a situation the protocol forbids (a sealed generation,
a stale writer), which is exactly what the ghost bits must catch.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

import pytest
from gentrace.model import build, get_design, parse_bounds
from gentrace.model.generation import next_gen, next_gen_int, sequence

BROKEN = ("broken.sample-generation", "broken.event-generation", "broken.flush-before-seal",
          "broken.sample-conservation")

# One whole traceAdvance(false) of the fixed design when no sample is pending:
# the empty profBuf makes the drain a single read that returns nothing.
DRAIN = ("A:read.commit", "A:read.load-w", "A:read.take-overflow", "A:read.load-eof")
FIXED_ADVANCE = ("A:load-gen", "A:publish", "A:wait-even(W0)", "A:flush(W0)", "A:wait-even(R)",
                 *DRAIN, "A:cpu-flush", "A:seal")
# profBuf.write of a sample with room and no pending overflow.
WRITE = ("profBuf-write.hasOverflow", "profBuf-write.canWrite", "profBuf-write.record")
# A complete traceCPUSample on W0 in the fixed design, the seqlock taken.
FIXED_HANDLER = ("W0:sigprof.deliver", "W0:sigprof.seqlock-take-or-elide", "W0:sigprof.load-gen",
                 "W0:sigprof.signalLock-acquire", "W0:sigprof.cpuLogWrite-load",
                 *(f"W0:sigprof.{x}" for x in WRITE), "W0:sigprof.signalLock-release",
                 "W0:sigprof.seqlock-release")
ENTER = ("W0:traceAcquire.traceEnabled", "W0:traceAcquire.seqlock-inc")
SECTION = (*ENTER, "W0:traceAcquire.load-gen", "W0:event.write",
           "W0:traceRelease")


class Walk:
    """A state of one system, moved along by named steps; fields read by name.

    Go 1.22 without nested acquires unless the bounds say otherwise (``release=``
    picks another release): the sequences below are written against it.
    """

    def __init__(self, design: str = "fixed", *bounds: str, release: str = "1.22") -> None:
        self.sys = build(get_design(design, release), parse_bounds(["nested=0", *bounds]))
        self.s = self.sys.initial

    def do(self, *keys: str) -> Walk:
        for k in keys:
            assert k in self.sys.step_index, f"{self.sys.design.name} has no step {k}"
            t = self.sys.apply(self.s, self.sys.step_index[k])
            assert t is not None, f"{k} is not enabled"
            self.s = t
        return self

    def can(self, key: str) -> bool:
        return self.sys.apply(self.s, self.sys.step_index[key]) is not None

    def has(self, key: str) -> bool:
        return key in self.sys.step_index

    def __getitem__(self, name: str) -> int:
        return self.s[self.sys.layout.index[name]]

    def pc(self, name: str) -> str:
        i = self.sys.layout.index[name]
        return self.sys.layout.show(i, self.s[i])

    def set(self, fields: Mapping[str, int]) -> Walk:
        out = list(self.s)
        for name, v in fields.items():
            out[self.sys.layout.index[name]] = v
        self.s = tuple(out)
        return self

    def ok(self, prop: str) -> bool:
        return bool(self.sys.invariants[self.sys.prop_index[prop]].ok(self.s))

    def thread_enabled(self, prefix: str, signals: bool = True) -> list[str]:
        """Enabled steps whose key starts with ``prefix`` (without deliveries if not ``signals``)."""
        keys = [self.sys.steps[i].key for i in self.sys.enabled(self.s)]
        return [k for k in keys
                if k.startswith(prefix) and (signals or not k.endswith(":sigprof.deliver"))]

    def ring(self, p: int) -> list[int]:
        """The sample ids of profBuf[p]'s records that no reader has been handed, in order."""
        rg = self.sys.ctx.pb[p]
        out, pos = [], self.s[rg.rn]
        for _ in range((self.s[rg.wt] - self.s[rg.rnt]) & rg.tm):
            x = self.s[rg.data[pos & (rg.W - 1)]]
            if x == 0:  # wraparound marker
                pos = (pos + rg.W - (pos & (rg.W - 1))) & rg.dm
                x = self.s[rg.data[0]]
            out.append(x)
            pos = (pos + (1 if x == rg.OVF else rg.rec)) & rg.dm
        return out

    def no_broken_bits(self) -> bool:
        return all(self[b] == 0 for b in BROKEN)


# -- worker Ms: traceAcquire / event / traceRelease ---------------------------------

def test_acquire_makes_the_seqlock_odd_before_it_loads_gen() -> None:
    w = Walk()
    assert (w["W0.seqlock"], w["gen"]) == (0, 14)
    w.do(*ENTER)
    assert w["W0.seqlock"] == 1
    assert w["W0.gen"] == 0, "gen is loaded by a separate, later step"
    assert not w.can("W0:event.write")
    w.do("W0:traceAcquire.load-gen")
    assert w["W0.gen"] == 14
    assert w["W0.seqlock"] == 1
    assert w.can("W0:event.write")


def test_acquire_sees_the_generation_published_after_its_increment() -> None:
    w = Walk().do(*ENTER, "A:load-gen", "A:publish")
    w.do("W0:traceAcquire.load-gen")
    assert w["W0.gen"] == 15


def test_acquire_while_tracing_is_off_returns_before_touching_the_m() -> None:
    """traceAcquire: `if !traceEnabled() { return traceLocker{} }` before acquirem and the marker."""
    for release in ("1.22", "1.24", "1.26"):
        w = Walk("fixed", "advances=0", release=release).do("A:load-gen", "A:publish")
        assert w["gen"] == 0
        if release != "1.22":
            w.do("A:stop.clear-enabled")
        w.do("W0:traceAcquire.traceEnabled")
        assert (w.pc("W0.pc"), w["W0.seqlock"], w["W0.locks"]) == ("done", 0, 0), release
    # Twin: the same check before the stop passes, and the M goes on to take its marker.
    w = Walk("fixed", "advances=0", release="1.24").do("W0:traceAcquire.traceEnabled")
    assert w.pc("W0.pc") == "acquire"


def test_acquire_while_tracing_is_off_is_undone() -> None:
    w = Walk("fixed", "advances=0").do("W0:traceAcquire.traceEnabled", "A:load-gen", "A:publish")
    assert w["gen"] == 0
    w.do("W0:traceAcquire.seqlock-inc", "W0:traceAcquire.load-gen")
    assert w["W0.seqlock"] == 1
    assert not w.can("W0:event.write")
    assert w.thread_enabled("W0:", signals=False) == ["W0:traceAcquire.undo"]
    w.do("W0:traceAcquire.undo")
    assert w["W0.seqlock"] == 0
    assert w.pc("W0.pc") == "done"
    assert w.thread_enabled("W0:trace") == []


def test_release_makes_the_seqlock_even_and_ends_the_section() -> None:
    w = Walk().do(*SECTION[:4])
    assert w["W0.seqlock"] == 1
    w.do("W0:traceRelease")
    assert w["W0.seqlock"] == 0
    assert w["W0.gen"] == 0
    assert w["W0.sections"] == 1
    assert w.can("W0:traceAcquire.traceEnabled")
    w.do(*SECTION)
    assert w["W0.sections"] == 2
    assert w.pc("W0.pc") == "done", "canonical bound: two sections per worker"
    assert not w.can("W0:traceAcquire.traceEnabled")


def test_event_goes_into_the_buffer_of_its_generations_parity() -> None:
    w = Walk().do(*SECTION)
    assert (w["W0.buf[0].hdr"], w["W0.buf[0].n"]) == (14, 1)
    assert w["W0.buf[1].hdr"] == 0
    w.do("A:load-gen", "A:publish", *SECTION[:4])
    assert (w["W0.buf[1].hdr"], w["W0.buf[1].n"]) == (15, 1)
    assert (w["W0.buf[0].hdr"], w["W0.buf[0].n"]) == (14, 1), "the gen-14 batch is left alone"
    assert w["W0.buf[1].stale"] == 0 and w["W0.buf[0].stale"] == 0


def test_event_into_a_batch_appends_to_it() -> None:
    w = Walk().do(*SECTION, *SECTION[:4])
    assert (w["W0.buf[0].hdr"], w["W0.buf[0].n"]) == (14, 2)
    assert w["flushes"] == 0, "nothing reached the trace yet"


def test_event_into_a_full_batch_flushes_it_and_starts_a_new_one() -> None:
    w = Walk("fixed", "sections=3").do(*SECTION, *SECTION)
    assert w["W0.buf[0].n"] == 2  # tracebuf=2: full
    assert w["flushes"] & 1 == 0
    w.do(*SECTION[:4])
    assert w["flushes"] & 1 == 1, "the full batch was handed to the trace"
    assert (w["W0.buf[0].hdr"], w["W0.buf[0].n"]) == (14, 1)
    assert w.no_broken_bits()


def test_refill_of_a_batch_of_a_sealed_generation_sets_the_flush_before_seal_bit() -> None:
    w = Walk("fixed", "sections=3").do(*SECTION, *SECTION, *SECTION[:3])
    w.set({"flushedGen": 14})  # pretend generation 14 was already finished
    assert w.ok("flush-before-seal")
    w.do("W0:event.write")
    assert w["broken.flush-before-seal"] == 1
    assert not w.ok("flush-before-seal")


def test_refill_under_another_generation_than_the_header_sets_the_flush_before_seal_bit() -> None:
    w = Walk("fixed", "sections=3").do(*SECTION, *SECTION, *SECTION[:3])
    w.set({"W0.gen": 4})  # a writer of gen 4 (same parity) meets the full batch of 14
    w.do("W0:event.write")
    assert w["broken.flush-before-seal"] == 1
    assert (w["W0.buf[0].hdr"], w["W0.buf[0].n"]) == (4, 1)


def test_event_of_another_generation_in_a_batch_breaks_event_generation_when_flushed() -> None:
    w = Walk().do(*SECTION, *SECTION[:3])
    w.set({"W0.gen": 4})
    w.do("W0:event.write")
    assert w["W0.buf[0].stale"] == 1
    assert w["broken.event-generation"] == 0, "judged when the batch reaches the trace"
    w.do("W0:traceRelease", "A:load-gen", "A:publish", "A:wait-even(W0)", "A:flush(W0)")
    assert w["broken.event-generation"] == 1
    assert not w.ok("event-generation")


# -- the SIGPROF handler of the fixed design ---------------------------------------

def test_handler_takes_the_seqlock_of_an_even_m_and_writes_the_sample() -> None:
    w = Walk().do("W0:sigprof.deliver")
    assert (w["sigprof.delivered"], w["W0.sigprof.sample"]) == (1, 1)
    w.do("W0:sigprof.seqlock-take-or-elide")
    assert (w["W0.seqlock"], w["W0.sigprof.locked"]) == (1, 1)
    w.do("W0:sigprof.load-gen")
    assert w["W0.sigprof.gen"] == 14
    assert w["sample1.gen"] == 14, "accepted under the gen it loaded"
    w.do("W0:sigprof.signalLock-acquire")
    assert w["signalLock"] == 1
    w.do("W0:sigprof.cpuLogWrite-load", *(f"W0:sigprof.{x}" for x in WRITE))
    assert w.ring(0) == [1]
    assert w.ring(1) == []
    w.do("W0:sigprof.signalLock-release")
    assert w["signalLock"] == 0
    assert w["W0.seqlock"] == 1, "the seqlock is released last"
    w.do("W0:sigprof.seqlock-release")
    assert w["W0.seqlock"] == 0
    assert w.pc("W0.sigprof.pc") == "idle"
    assert (w["W0.sigprof.locked"], w["W0.sigprof.gen"], w["W0.sigprof.sample"]) == (0, 0, 0)


def test_handler_elides_the_seqlock_of_an_odd_m() -> None:
    w = Walk().do(*ENTER, "W0:sigprof.deliver")
    w.do("W0:sigprof.seqlock-take-or-elide")
    assert (w["W0.seqlock"], w["W0.sigprof.locked"]) == (1, 0)
    w.do(*FIXED_HANDLER[2:])
    assert w["W0.seqlock"] == 1, "the interrupted critical section still holds it"
    assert w.ring(0) == [1]
    w.do("W0:traceAcquire.load-gen", "W0:event.write", "W0:traceRelease")
    assert w["W0.seqlock"] == 0


def test_an_m_makes_no_progress_while_its_handler_runs() -> None:
    w = Walk().do("W0:sigprof.deliver")
    assert w.thread_enabled("W0:") == ["W0:sigprof.seqlock-take-or-elide"]
    assert w.can("A:load-gen") and w.can("R:loop.traceEnabled"), "other Ms run on"
    w.do(*FIXED_HANDLER[1:])
    assert w.can("W0:traceAcquire.traceEnabled")


def test_signal_while_tracing_is_off_is_not_accepted() -> None:
    w = Walk("fixed", "advances=0").do("A:load-gen", "A:publish", "W0:sigprof.deliver")
    assert w["sigprof.delivered"] == 1
    assert w.pc("W0.sigprof.pc") == "idle"
    assert (w["W0.sigprof.sample"], w["sample1.gen"]) == (0, 0)
    assert w["W0.seqlock"] == 0


def test_handler_that_loads_gen_zero_releases_its_seqlock_and_returns() -> None:
    w = Walk("fixed", "advances=0").do("W0:sigprof.deliver", "W0:sigprof.seqlock-take-or-elide",
                                       "A:load-gen", "A:publish", "W0:sigprof.load-gen")
    assert w.pc("W0.sigprof.pc") == "unlock"
    assert (w["W0.sigprof.sample"], w["sample1.gen"]) == (0, 0)
    w.do("W0:sigprof.seqlock-release")
    assert w["W0.seqlock"] == 0
    assert w.pc("W0.sigprof.pc") == "idle"
    assert w.ring(0) == w.ring(1) == []


def test_handler_that_elided_and_loads_gen_zero_returns_without_touching_the_seqlock() -> None:
    w = Walk("fixed", "advances=0").do(*ENTER, "W0:sigprof.deliver",
                                       "W0:sigprof.seqlock-take-or-elide", "A:load-gen",
                                       "A:publish", "W0:sigprof.load-gen")
    assert w.pc("W0.sigprof.pc") == "idle"
    assert w["W0.seqlock"] == 1


def test_handler_writes_the_profbuf_of_its_generations_parity() -> None:
    w = Walk().do("A:load-gen", "A:publish", *FIXED_HANDLER)
    assert w["sample1.gen"] == 15
    assert w.ring(1) == [1]
    assert w.ring(0) == []


def test_handler_skips_the_write_once_cpuLogWrite_is_cleared() -> None:
    w = Walk().do(*FIXED_HANDLER[:4]).set({"cpuLogWrite[0]": 0})
    w.do("W0:sigprof.cpuLogWrite-load")
    assert not w.can("W0:sigprof.profBuf-write.hasOverflow")
    w.do("W0:sigprof.signalLock-release", "W0:sigprof.seqlock-release")
    assert w.ring(0) == []


def test_signalLock_keeps_a_second_writer_out() -> None:
    w = Walk("fixed", "signals=2").do(*FIXED_HANDLER[:4])
    w.do("R:sigprof.deliver", "R:sigprof.seqlock-take-or-elide", "R:sigprof.load-gen")
    assert not w.can("R:sigprof.signalLock-acquire")
    w.do(*FIXED_HANDLER[4:9])
    assert w.can("R:sigprof.signalLock-acquire")


def test_write_into_a_full_profbuf_is_dropped_and_counted_as_overflow() -> None:
    w = Walk("fixed", "signals=2", "ring_tags=1").do(*FIXED_HANDLER)  # room for one record
    assert w["samples.overflowed"] == 0
    w.do("R:sigprof.deliver", "R:sigprof.seqlock-take-or-elide", "R:sigprof.load-gen",
         "R:sigprof.signalLock-acquire", "R:sigprof.cpuLogWrite-load",
         *(f"R:sigprof.{x}" for x in WRITE[:2]))
    assert w.pc("R.sigprof.pc") == "w.incrementOverflow"
    w.do("R:sigprof.profBuf-write.incrementOverflow")
    assert w["profBuf[0].overflow"] == 1, "a pending overflow count, turned into a record later"
    assert w.ring(0) == [1], "the ring is unchanged"
    assert w["samples.overflowed"] == 1 << 2, "sample #2, and only it, overflowed"


def test_no_more_signals_than_the_bound() -> None:
    w = Walk().do("W0:sigprof.deliver")
    assert not any(w.can(f"{m}:sigprof.deliver") for m in ("W0", "R", "A"))


# -- handler variants ------------------------------------------------------------

def test_no_elision_always_toggles_the_seqlock() -> None:
    w = Walk("handler-no-elision").do("W0:sigprof.deliver", "W0:sigprof.seqlock-take")
    assert (w["W0.seqlock"], w["W0.sigprof.locked"]) == (1, 1)
    w = Walk("handler-no-elision").do(*ENTER, "W0:sigprof.deliver",
                                      "W0:sigprof.seqlock-take")
    assert w["W0.seqlock"] == 0, "an M inside its critical section now looks idle"
    assert w.can("A:load-gen")
    w.do("A:load-gen", "A:publish")
    assert w.can("A:wait-even(W0)")


def test_waiting_handler_cannot_take_the_seqlock_of_an_odd_m() -> None:
    w = Walk("handler-waits-for-seqlock").do(*ENTER, "W0:sigprof.deliver")
    assert not w.can("W0:sigprof.seqlock-wait-and-take")
    assert w.thread_enabled("W0:") == [], "the M waits for its own handler: self-deadlock"
    assert not w.ok("deadlock-freedom")
    stuck = w.sys.stuck_threads(w.s)
    assert "W0 in SIGPROF handler at lock waiting for W0's seqlock to be even" in stuck, stuck
    assert not any(t.startswith("A ") and "waiting" in t for t in stuck), "the advancer can move"


def test_waiting_handler_takes_the_seqlock_of_an_even_m() -> None:
    w = Walk("handler-waits-for-seqlock").do("W0:sigprof.deliver")
    assert w.ok("deadlock-freedom")
    w.do("W0:sigprof.seqlock-wait-and-take")
    assert (w["W0.seqlock"], w["W0.sigprof.locked"]) == (1, 1)


def test_handler_without_seqlock_never_touches_it() -> None:
    keys = ("W0:sigprof.deliver", "W0:sigprof.load-gen", "W0:sigprof.signalLock-acquire",
            "W0:sigprof.cpuLogWrite-load", *(f"W0:sigprof.{x}" for x in WRITE),
            "W0:sigprof.signalLock-release")
    for pre in ((), ENTER):
        w = Walk("handler-no-seqlock").do(*pre)
        before = w["W0.seqlock"]
        for k in keys:
            w.do(k)
            assert w["W0.seqlock"] == before
        assert w.pc("W0.sigprof.pc") == "idle"
        assert w.ring(0) == [1]
    assert not Walk("handler-no-seqlock").has("W0:sigprof.seqlock-take-or-elide")


def test_handler_gen_before_seqlock_loads_gen_first() -> None:
    w = Walk("handler-gen-before-seqlock").do("W0:sigprof.deliver")
    assert w.thread_enabled("W0:") == ["W0:sigprof.load-gen"]
    w.do("W0:sigprof.load-gen")
    assert (w["W0.sigprof.gen"], w["W0.seqlock"]) == (14, 0)
    w.do("W0:sigprof.seqlock-take-or-elide")
    assert w["W0.seqlock"] == 1


def test_legacy_handler_accepts_under_the_gen_of_its_check_and_ignores_the_seqlock() -> None:
    w = Walk("legacy").do(*ENTER, "W0:sigprof.deliver")
    assert w["sample1.gen"] == 14
    w.do("W0:sigprof.signalLock-acquire", "W0:sigprof.cpuLogWrite-load", *(f"W0:sigprof.{x}" for x in WRITE),
         "W0:sigprof.signalLock-release")
    assert w["W0.seqlock"] == 1
    assert w.ring(0) == [1]
    assert "profBuf[1].len" not in w.sys.layout.index, "legacy has one profBuf"


# -- traceNextGen ----------------------------------------------------------------

@pytest.mark.parametrize("word", [4, 8, 32, 64])
def test_next_gen_wraps_from_the_top_of_the_word_to_4(word: int) -> None:
    top = (1 << word) - 1
    assert top % 3 == 0 and top % 2 == 1
    assert next_gen_int(top, top) == 4
    assert next_gen(top, top) == 4
    assert next_gen(top - 1, top) == top
    assert next_gen(1, top) == 2
    gens = sequence(top - 3, 8, top)
    assert gens == [top - 3, top - 2, top - 1, top, 4, 5, 6, 7]
    for a, b in pairwise(gens):
        assert a % 2 != b % 2 and a % 3 != b % 3 and b != 0


def test_wrap_to_one_breaks_the_parity_alternation() -> None:
    assert next_gen_int(15, 15, wrap_to=1) == 1
    assert 15 % 2 == 1 % 2


def test_advances_cross_the_wrap_to_4() -> None:
    w = Walk().do(*FIXED_ADVANCE)
    assert (w["gen"], w["flushedGen"]) == (15, 14)
    w.do("A:load-gen", "A:publish")
    assert w["gen"] == 4


def test_wrap_to_one_design_wraps_to_1() -> None:
    w = Walk("wrap-to-one").do(*FIXED_ADVANCE, "A:load-gen", "A:publish")
    assert w["gen"] == 1


# -- the advancer: traceAdvance ----------------------------------------------------

def test_publish_stores_the_next_generation() -> None:
    w = Walk().do("A:load-gen")
    assert (w["A.gen"], w["gen"]) == (14, 14)
    w.do("A:publish")
    assert w["gen"] == 15
    assert w["A.gen"] == 14, "the advancer works on the old generation"
    assert w["flushedGen"] == 0


def test_the_final_advance_publishes_zero() -> None:
    w = Walk().do(*FIXED_ADVANCE, *FIXED_ADVANCE)
    assert (w["gen"], w["A.advances"]) == (4, 2)
    w.do("A:load-gen", "A:publish")
    assert w["gen"] == 0
    w = Walk("fixed", "advances=0").do("A:load-gen", "A:publish")
    assert w["gen"] == 0


def test_wait_even_is_disabled_while_the_m_is_odd() -> None:
    w = Walk().do(*ENTER, "A:load-gen", "A:publish")
    assert not w.can("A:wait-even(W0)")
    w.do("W0:traceAcquire.load-gen")
    assert w["W0.gen"] == 15
    assert not w.can("A:wait-even(W0)")
    w.do("W0:event.write")
    assert not w.can("A:wait-even(W0)")
    w.do("W0:traceRelease")
    assert w.can("A:wait-even(W0)")


def test_wait_even_waits_for_the_reader_inside_its_drain() -> None:
    w = Walk().do("R:loop.traceEnabled", "R:traceAcquire.seqlock-inc", "A:load-gen", "A:publish",
                  "A:wait-even(W0)", "A:flush(W0)")
    assert not w.can("A:wait-even(R)")
    w.do("R:traceAcquire.load-gen", "R:read.commit", "R:read.load-w", "R:read.take-overflow")
    assert not w.can("A:wait-even(R)")
    w.do("R:read.load-eof", "R:traceRelease")
    assert w.can("A:wait-even(R)")


def test_advancer_flushes_the_m_buffer_of_the_old_generation() -> None:
    w = Walk().do(*SECTION, "A:load-gen", "A:publish", "A:wait-even(W0)")
    assert w["W0.buf[0].hdr"] == 14
    w.do("A:flush(W0)")
    assert (w["W0.buf[0].hdr"], w["W0.buf[0].n"]) == (0, 0)
    assert w["flushes"] & 1 == 1
    assert w.no_broken_bits()


def test_advancer_leaves_the_buffer_of_the_other_parity_alone() -> None:
    w = Walk().do("A:load-gen", "A:publish", *SECTION, "A:wait-even(W0)", "A:flush(W0)")
    assert w["W0.buf[1].hdr"] == 15, "the new generation's batch stays"
    assert w["flushes"] == 0


def test_cpu_flush_drains_the_profbuf_then_flushes_cpubuf() -> None:
    w = Walk().do(*FIXED_HANDLER, *FIXED_ADVANCE[:5])
    assert not w.can("A:cpu-flush")
    w.do("A:read.commit", "A:read.load-w")
    assert (w["A.read.left"], w["A.read.busy"]) == (1, 1)
    assert w.ring(0) == [], "handed to the reader: b.rNext is past it"
    assert w["profBuf[0].r"] != w["profBuf[0].rNext"], "committed only by the next read"
    w.do("A:read.emit")
    assert (w["cpuBuf[0].hdr"], w["cpuBuf[0].n"], w["cpuBuf[0].ids"]) == (14, 1, 1 << 1)
    assert (w["A.read.left"], w["A.read.busy"]) == (0, 0)
    assert w.pc("A.pc") == "cpu-flush", "one read: traceReadCPU returns"
    w.do("A:cpu-flush")
    assert w["cpuBuf[0].hdr"] == 0
    assert w["samples.emitted"] == 1 << 1
    assert w["flushes"] & 2 == 2
    assert w["flushedGen"] == 0, "sealing comes after the flush"
    w.do("A:seal")
    assert w["flushedGen"] == 14
    assert w.no_broken_bits()
    assert w.pc("A.pc") == "load-gen"
    assert w["A.advances"] == 1


def test_flush_before_drain_leaves_the_drained_samples_in_cpubuf() -> None:
    w = Walk("flush-before-drain").do(*FIXED_HANDLER, *FIXED_ADVANCE[:5])
    assert not w.can("A:read.commit")
    w.do("A:cpu-flush", "A:read.commit", "A:read.load-w", "A:read.emit", "A:seal")
    assert w["flushedGen"] == 14
    assert w["cpuBuf[0].hdr"] == 14, "a batch of a sealed generation is still pending"
    assert w["samples.emitted"] == 0


def test_no_drain_leaves_the_sample_in_the_profbuf() -> None:
    w = Walk("no-drain").do(*FIXED_HANDLER, *FIXED_ADVANCE[:5], "A:cpu-flush", "A:seal")
    assert not w.has("A:read.commit")
    assert w.ring(0) == [1]
    assert w["flushedGen"] == 14


def test_cpu_flush_before_m_loop_drains_before_waiting_for_the_ms() -> None:
    w = Walk("cpu-flush-before-m-loop").do(*ENTER, "A:load-gen",
                                           "A:publish")
    assert w.thread_enabled("A:", signals=False) == ["A:read.commit"]
    w = Walk().do(*ENTER, "A:load-gen", "A:publish")
    assert w.thread_enabled("A:", signals=False) == [], "fixed waits for W0 first"


def test_stop_clears_cpuLogWrite_closes_the_profbufs_and_waits_for_the_reader() -> None:
    w = Walk("fixed", "advances=0").do(*FIXED_ADVANCE)
    assert w.pc("A.pc") == "stop.clear-cpuLogWrite[0]"
    w.do("A:stop.clear-cpuLogWrite[0]", "A:stop.clear-cpuLogWrite[1]")
    assert w["cpuLogWrite[0]"] == w["cpuLogWrite[1]"] == 0
    w.do("A:stop.close-profBuf[0]", "A:stop.close-profBuf[1]")
    assert w["profBuf[0].eof"] == w["profBuf[1].eof"] == 1
    assert not w.can("A:stop.wait-reader")
    w.do("R:loop.traceEnabled")
    assert w.pc("R.pc") == "done"
    w.do("A:stop.wait-reader")
    assert w.pc("A.pc") == "done"
    assert w.sys.stopped(w.s)
    assert w.ok("no-unflushed-at-stop") and w.ok("sample-conservation")


def test_fixed_stop_drains_a_pending_sample() -> None:
    w = Walk("fixed", "advances=0").do(*FIXED_HANDLER, *FIXED_ADVANCE[:5], "A:read.commit",
                                       "A:read.load-w", "A:read.emit", "A:cpu-flush", "A:seal")
    w.do("A:stop.clear-cpuLogWrite[0]", "A:stop.clear-cpuLogWrite[1]", "A:stop.close-profBuf[0]",
         "A:stop.close-profBuf[1]", "R:loop.traceEnabled", "A:stop.wait-reader")
    assert w["samples.emitted"] == 1 << 1
    assert w.ok("no-unflushed-at-stop") and w.ok("sample-conservation")


def test_legacy_stop_loses_a_pending_sample() -> None:
    w = Walk("legacy", "advances=0").do(
        "W0:sigprof.deliver", "W0:sigprof.signalLock-acquire", "W0:sigprof.cpuLogWrite-load",
        *(f"W0:sigprof.{x}" for x in WRITE), "W0:sigprof.signalLock-release")
    w.do("A:load-gen", "A:publish", "A:wait-even(W0)", "A:flush(W0)", "A:wait-even(R)",
         "A:cpu-flush", "A:seal", "A:stop.clear-cpuLogWrite[0]", "A:stop.close-profBuf[0]",
         "R:loop.traceEnabled", "A:stop.wait-reader")
    assert w.sys.stopped(w.s)
    assert w.ring(0) == [1]
    assert not w.ok("no-unflushed-at-stop")
    assert not w.ok("sample-conservation")


# -- the CPU reader goroutine ----------------------------------------------------

def test_reader_drains_under_its_seqlock_into_cpubuf_of_its_generation() -> None:
    w = Walk().do(*FIXED_HANDLER, "R:loop.traceEnabled", "R:traceAcquire.seqlock-inc")
    assert w["R.seqlock"] == 1
    w.do("R:traceAcquire.load-gen")
    assert w["R.gen"] == 14
    w.do("R:read.commit", "R:read.load-w")
    assert (w["R.read.left"], w["R.read.eof"]) == (1, 0)
    w.do("R:read.emit")
    assert (w["cpuBuf[0].hdr"], w["cpuBuf[0].ids"]) == (14, 1 << 1)
    assert w.ring(0) == [] and w["R.read.left"] == 0
    assert w["R.seqlock"] == 1
    w.do("R:traceRelease")
    assert w["R.seqlock"] == 0
    assert w.pc("R.pc") == "loop-check"
    assert w.no_broken_bits()


def test_reader_reads_the_profbuf_of_its_generations_parity() -> None:
    w = Walk().do(*FIXED_HANDLER, "A:load-gen", "A:publish", "R:loop.traceEnabled",
                  "R:traceAcquire.seqlock-inc", "R:traceAcquire.load-gen", "R:read.commit",
                  "R:read.load-w")
    assert w["R.gen"] == 15
    assert w.pc("R.pc") == "read.take-overflow", "profBuf[1] is empty"
    assert w["R.read.left"] == 0, "the gen-14 sample stays for traceCPUFlush(14)"
    assert w.ring(0) == [1]


def test_reader_exits_at_end_of_file() -> None:
    w = Walk().do("R:loop.traceEnabled", "R:traceAcquire.seqlock-inc", "R:traceAcquire.load-gen")
    w.set({"profBuf[0].eof": 1})
    w.do("R:read.commit", "R:read.load-w", "R:read.take-overflow", "R:read.load-eof")
    assert w["R.read.eof"] == 1
    w.do("R:traceRelease")
    assert w.pc("R.pc") == "done"
    assert w["R.seqlock"] == 0


def test_legacy_reader_stamps_a_record_with_the_generation_current_when_read() -> None:
    w = Walk("legacy").do("W0:sigprof.deliver", "W0:sigprof.signalLock-acquire",
                          "W0:sigprof.cpuLogWrite-load", *(f"W0:sigprof.{x}" for x in WRITE),
                          "W0:sigprof.signalLock-release")
    assert w["sample1.gen"] == 14
    w.do("A:load-gen", "A:publish", "R:loop.traceEnabled", "R:read.commit", "R:read.load-w",
         "R:read.emit")
    assert w.pc("R.pc") == "acquire", "legacy: a traceAcquire for each record"
    w.do("R:traceAcquire.seqlock-inc", "R:traceAcquire.load-gen")
    assert w["R.gen"] == 15
    w.do("R:emit-sample")
    assert (w["cpuBuf[1].hdr"], w["cpuBuf[1].ids"]) == (15, 1 << 1)
    assert w["broken.sample-generation"] == 0
    w.do("R:traceRelease", "A:wait-even(W0)", "A:flush(W0)", "A:wait-even(R)",
         "A:cpu-flush", "A:seal", "A:load-gen", "A:publish", "A:wait-even(W0)", "A:flush(W0)",
         "A:wait-even(R)", "A:cpu-flush")
    assert w["broken.sample-generation"] == 1, "sample of 14 reached the trace in a batch of 15"
    assert not w.ok("sample-generation")


def test_unlocked_reader_loads_gen_without_the_seqlock() -> None:
    w = Walk("reader-unlocked").do("R:loop.traceEnabled", "R:load-gen-unlocked")
    assert (w["R.gen"], w["R.seqlock"]) == (14, 0)
    w.do("A:load-gen", "A:publish", "A:wait-even(W0)", "A:flush(W0)")
    assert w.can("A:wait-even(R)"), "nothing tells the advancer the reader holds gen 14"


# -- invariants on crafted states --------------------------------------------------

def test_single_reader_fails_when_both_drain_the_same_profbuf() -> None:
    w = Walk()
    assert w.ok("single-reader")
    w.set({"R.gen": 14, "R.read.busy": 1, "A.gen": 14, "A.read.busy": 1})
    assert not w.ok("single-reader")
    w.set({"A.gen": 15})
    assert w.ok("single-reader"), "different parities: different profBufs"


def test_initial_state_satisfies_every_invariant_in_every_design() -> None:
    for name in ("fixed", "legacy", "handler-no-elision", "wrap-to-one"):
        w = Walk(name)
        assert all(inv.ok(w.s) for inv in w.sys.invariants), name
        assert not w.sys.finished(w.s)


# -- the profBuf ring (profbuf.go) ------------------------------------------------

def sample_on(m: str, write: tuple[str, ...] = WRITE) -> tuple[str, ...]:
    """A whole traceCPUSample on M (seqlock taken), its profBuf.write as given."""
    return (f"{m}:sigprof.deliver", f"{m}:sigprof.seqlock-take-or-elide", f"{m}:sigprof.load-gen",
            f"{m}:sigprof.signalLock-acquire", f"{m}:sigprof.cpuLogWrite-load",
            *(f"{m}:sigprof.{x}" for x in write), f"{m}:sigprof.signalLock-release",
            f"{m}:sigprof.seqlock-release")


def reader_turn(w: Walk, *read: str) -> Walk:
    return w.do("R:loop.traceEnabled", "R:traceAcquire.seqlock-inc", "R:traceAcquire.load-gen",
                *(f"R:{x}" for x in read), "R:traceRelease")


def test_a_read_stops_at_the_end_of_the_ring_and_the_next_read_returns_the_rest() -> None:
    # Canonical ring: two words from word 1.  Sample 1 takes word 1, sample 2 word 0.
    w = Walk("fixed", "signals=2").do(*sample_on("W0"), *sample_on("R"))
    assert (w["profBuf[0].data[1]"], w["profBuf[0].data[0]"]) == (1, 2)
    assert w.ring(0) == [1, 2]
    reader_turn(w, "read.commit", "read.load-w", "read.emit")
    assert w["cpuBuf[0].ids"] == 1 << 1, "the read returned only the record before the end"
    assert w.ring(0) == [2]
    reader_turn(w, "read.commit", "read.load-w", "read.emit")
    assert w["cpuBuf[0].ids"] == (1 << 1) | (1 << 2), "the next read returns the rest"
    assert w.ring(0) == []


def test_the_read_is_committed_by_the_next_read() -> None:
    w = Walk("fixed", "signals=2").do(*sample_on("W0"))
    reader_turn(w, "read.commit", "read.load-w", "read.emit")
    assert w["profBuf[0].r"] == 1 and w["profBuf[0].rNext"] == 2, "returned, not yet committed"
    assert w["profBuf[0].data[1]"] == 1, "the record is still in the ring"
    w.do("R:loop.traceEnabled", "R:traceAcquire.seqlock-inc", "R:traceAcquire.load-gen",
         "R:read.commit")
    assert w["profBuf[0].r"] == 2 and w["profBuf[0].data[1]"] == 0, "committed and freed"


def test_the_traceAdvance_drain_reads_once_and_leaves_the_rest() -> None:
    """single-read-drain, step by step: the record past the end stays for the reader under g+2."""
    w = Walk("fixed", "signals=2").do(*sample_on("W0"), *sample_on("R"), *FIXED_ADVANCE[:5],
                                      "A:read.commit", "A:read.load-w", "A:read.emit")
    assert w.pc("A.pc") == "cpu-flush", "traceReadCPU returned after one read"
    assert w.ring(0) == [2], "sample 2, of generation 14, is still in profBuf[0]"
    w = Walk("drain-until-empty", "signals=2").do(*sample_on("W0"), *sample_on("R"),
                                                  *FIXED_ADVANCE[:5], "A:read.commit",
                                                  "A:read.load-w", "A:read.emit")
    assert w.pc("A.pc") == "read.commit", "the correction reads again"
    w.do("A:read.commit", "A:read.load-w", "A:read.emit", "A:read.commit", "A:read.load-w",
         "A:read.take-overflow", "A:read.load-eof")
    assert w.pc("A.pc") == "cpu-flush" and w.ring(0) == []
    assert w["cpuBuf[0].ids"] == (1 << 1) | (1 << 2)


def test_a_record_that_does_not_fit_before_the_end_leaves_a_marker() -> None:
    # Four words, two-word records, from word 3: the record goes to word 0.
    w = Walk("fixed", "ring_words=4", "rec_words=2", "ring_start=3").do(*sample_on("W0"))
    assert (w["profBuf[0].data[3]"], w["profBuf[0].data[0]"]) == (0, 1)
    assert w["profBuf[0].w"] == 6, "skip 1 + record 2 from 3"
    reader_turn(w, "read.commit", "read.load-w", "read.emit")
    assert w["cpuBuf[0].ids"] == 1 << 1, "the read skipped the marker"
    assert w["profBuf[0].rNext"] == 6


def test_overflow_is_counted_and_reported_later_as_a_record() -> None:
    # Two tags: two records fill the ring; the third sample overflows.
    w = Walk("fixed", "workers=0", "signals=4", "ring_words=4", "ring_start=0")
    w.do(*sample_on("R"), *sample_on("A"))
    assert w.ring(0) == [1, 2]
    w.do(*sample_on("R", WRITE[:2] + ("profBuf-write.incrementOverflow",)))
    assert w["profBuf[0].overflow"] == 1 and w["samples.overflowed"] == 1 << 3
    # The reader takes both records, and commits them at its next read.
    reader_turn(w, "read.commit", "read.load-w", "read.emit", "read.emit")
    reader_turn(w, "read.commit", "read.load-w", "read.take-overflow")
    assert w["profBuf[0].overflow"] == 0, "an empty ring with a pending count: the read takes it"
    assert w["cpuBuf[0].ids"] == (1 << 1) | (1 << 2), "traceReadCPU skips the overflow record"


def test_the_writer_turns_a_pending_overflow_into_a_record() -> None:
    w = Walk("fixed", "workers=0", "signals=4", "ring_words=4", "ring_start=0")
    w.do(*sample_on("R"), *sample_on("A"),
         *sample_on("R", WRITE[:2] + ("profBuf-write.incrementOverflow",)))
    reader_turn(w, "read.commit", "read.load-w", "read.emit", "read.emit")
    w.do("R:loop.traceEnabled", "R:traceAcquire.seqlock-inc", "R:traceAcquire.load-gen",
         "R:read.commit")  # frees the ring; the reader is now between commit and load-w
    w.do(*sample_on("A", ("profBuf-write.hasOverflow", "profBuf-write.canWrite",
                          "profBuf-write.takeOverflow", "profBuf-write.overflowRecord",
                          "profBuf-write.record")))
    ovf = w.sys.ctx.pb[0].OVF
    assert w.ring(0) == [ovf, 4] and w["profBuf[0].overflow"] == 0
    w.do("R:read.load-w", "R:read.emit", "R:read.emit")
    assert w["cpuBuf[0].ids"] == 1 << 4, "sample 4 only: the overflow record was skipped"
    assert w["samples.emitted"] == (1 << 1) | (1 << 2), "the full batch of 1 and 2 was flushed by the refill"


# -- releases ----------------------------------------------------------------------

def test_go123_handler_reads_trace_enabled_which_stop_clears_after_gen() -> None:
    w = Walk("fixed", "advances=0", release="1.23").do("A:load-gen", "A:publish")
    assert (w["gen"], w["trace.enabled"]) == (0, 1), "gen.Store(0) first"
    assert w.pc("A.pc") == "stop.clear-enabled"
    w.do("W0:sigprof.deliver")
    assert w["W0.sigprof.sample"] == 1, "trace.enabled still true: the handler goes on"
    w.do("W0:sigprof.seqlock-take-or-elide", "W0:sigprof.load-gen")
    assert w.pc("W0.sigprof.pc") == "unlock" and w["sample1.gen"] == 0, "and bails at gen 0"
    assert "trace.enabled" not in Walk("fixed").sys.layout.index, "go1.22: traceEnabled is gen != 0"


def test_go124_nested_acquire_at_stop_leaks_the_seqlock() -> None:
    """reentrant-fresh-gen, step by step."""
    w = Walk("fixed", "nested=1", "advances=0", release="1.24")
    w.do(*ENTER, "W0:traceAcquire.load-gen", "W0:nested.traceEnabled")
    assert (w["W0.seqlock"], w["W0.reentered"]) == (1, 1)
    w.do("A:load-gen", "A:publish", "W0:nested.load-gen")
    assert w.pc("W0.pc") == "write", "gen 0: not ok, so no event and no traceRelease"
    w.do("W0:event.write", "W0:traceRelease")
    assert (w["W0.seqlock"], w["W0.reentered"]) == (1, 0), "the outer release only undid reentered"
    w.do("A:stop.clear-enabled")
    assert not w.can("A:wait-even(W0)"), "StopTrace waits for W0 forever"


def test_go124_nested_acquire_at_stop_leaks_m_locks() -> None:
    """The nested traceAcquire's acquirem() runs before reentered++; a locker that is not ok is
    never released, so releasem never runs: m.locks stays 1 once the section is over."""
    w = Walk("fixed", "nested=1", "advances=0", "sections=2", release="1.24")
    w.do(*ENTER)
    assert w["W0.locks"] == 1, "acquirem in traceAcquireEnabled"
    w.do("W0:traceAcquire.load-gen", "W0:nested.traceEnabled")
    assert w["W0.locks"] == 2, "the nested acquire's acquirem"
    w.do("A:load-gen", "A:publish", "W0:nested.load-gen", "W0:event.write", "W0:traceRelease")
    assert (w.pc("W0.pc"), w["W0.locks"]) == ("enabled", 1)
    assert not w.ok("locks-balanced")
    # traceAcquire's traceEnabled() check comes first: once trace.enabled is false the next
    # section gets traceLocker{} without acquirem or reentered++, though the marker is held.
    w.do("A:stop.clear-enabled", "W0:traceAcquire.traceEnabled")
    assert (w.pc("W0.pc"), w["W0.locks"], w["W0.reentered"], w["W0.seqlock"]) == ("done", 1, 0, 1)


def test_go124_leaked_marker_takes_the_reentrant_path_while_trace_enabled_is_still_true() -> None:
    """Twin of the check above: before `trace.enabled = false` the next acquire passes
    traceEnabled(), finds its marker held, and leaks a second acquirem (gen 0: not ok)."""
    w = Walk("fixed", "nested=1", "advances=0", "sections=2", release="1.24")
    w.do(*ENTER, "W0:traceAcquire.load-gen", "W0:nested.traceEnabled", "A:load-gen", "A:publish",
         "W0:nested.load-gen", "W0:event.write", "W0:traceRelease")
    w.do("W0:traceAcquire.traceEnabled", "W0:traceAcquire.seqlock-inc")
    assert (w.pc("W0.pc"), w["W0.reentered"], w["W0.locks"]) == ("reenter-load-gen", 1, 2)
    w.do("W0:traceAcquire.reentrant-load-gen")
    assert (w.pc("W0.pc"), w["W0.locks"]) == ("done", 2)


def test_go126_nested_acquire_at_stop_keeps_m_locks_balanced() -> None:
    """Twin: go1.26's entry generation keeps the locker ok, so every acquirem has its releasem."""
    w = Walk("fixed", "nested=1", "advances=0", "sections=1", release="1.26")
    w.do(*ENTER, "W0:traceAcquire.load-gen",
         "W0:nested.traceEnabled", "A:load-gen", "A:publish")
    assert w["W0.locks"] == 2
    w.do("W0:nested.write+release", "W0:event.write", "W0:traceRelease")
    assert (w.pc("W0.pc"), w["W0.locks"]) == ("done", 0)
    assert w.ok("locks-balanced")


def test_nesting_happens_after_the_sections_own_event_too() -> None:
    """Under traceallocfree=1 a stack growth in tl.stack nests after the event is written."""
    w = Walk("fixed", "nested=1", "advances=0", "sections=1", release="1.24")
    w.do(*ENTER, "W0:traceAcquire.load-gen",
         "W0:event.write")
    assert w.can("W0:traceRelease") and w.can("W0:nested.traceEnabled(after)")
    w.do("A:load-gen", "A:publish", "W0:nested.traceEnabled(after)", "W0:nested.load-gen")
    assert w.pc("W0.pc") == "release", "gen 0: back to the section's release, the pair left open"
    assert not w.can("W0:nested.traceEnabled(after)"), "nested=1: one pair per section"
    w.do("W0:traceRelease")
    assert (w["W0.locks"], w["W0.seqlock"]) == (1, 1) and not w.ok("locks-balanced")


def test_without_traceallocfree_nothing_nests() -> None:
    """nested=0 is GODEBUG=traceallocfree=0: no nested step at all."""
    w = Walk("fixed", "nested=0", release="1.24")
    assert not any(k.startswith("W0:nested.") for k in w.sys.step_index)
    assert any(k.startswith("W0:nested.") for k in Walk("fixed", "nested=1", release="1.24").sys.step_index)


def test_go126_nested_acquire_uses_the_entry_generation() -> None:
    w = Walk("fixed", "nested=1", "advances=0", release="1.26")
    w.do(*ENTER, "W0:traceAcquire.load-gen", "A:load-gen", "A:publish",
         "W0:nested.traceEnabled")
    assert (w["W0.nested.gen"], w["W0.reentered"]) == (14, 1), "mp.trace.entryGen, not gen 0"
    w.do("W0:nested.write+release", "W0:event.write", "W0:traceRelease")
    assert (w["W0.seqlock"], w["W0.reentered"]) == (0, 0)
    assert w.can("A:stop.clear-enabled") and w.do("A:stop.clear-enabled").can("A:wait-even(W0)")


def test_go124_nested_acquire_during_an_advance_writes_into_the_next_generation() -> None:
    w = Walk("fixed", "nested=1", release="1.24")
    w.do(*ENTER, "W0:traceAcquire.load-gen", "W0:nested.traceEnabled",
         "A:load-gen", "A:publish", "W0:nested.load-gen", "W0:nested.write+release")
    assert (w["W0.buf[1].hdr"], w["W0.lastEventGen"]) == (15, 15)
    assert w.ok("generation-order")
    w.do("W0:event.write")
    assert w["W0.buf[0].hdr"] == 14 and not w.ok("generation-order"), "14 after 15 on one M"


def test_go126_writing_flag_makes_no_elision_clear_the_flag() -> None:
    w = Walk("handler-no-elision", release="1.26").do(*ENTER,
                                                      "W0:sigprof.deliver", "W0:sigprof.seqlock-take")
    assert w["W0.seqlock"] == 1, "writing.Store(true) on a set flag"
    w.do("W0:sigprof.load-gen", "W0:sigprof.signalLock-acquire", "W0:sigprof.cpuLogWrite-load",
         *(f"W0:sigprof.{x}" for x in WRITE), "W0:sigprof.signalLock-release",
         "W0:sigprof.seqlock-release")
    assert w["W0.seqlock"] == 0, "writing.Store(false): the M's section now looks idle"
    w = Walk("handler-no-elision").do(*ENTER, "W0:sigprof.deliver",
                                      "W0:sigprof.seqlock-take", "W0:sigprof.load-gen")
    assert w["W0.seqlock"] == 0, "go1.22: Add(1) makes it even while the handler runs"
