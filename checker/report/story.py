"""A counterexample as a swimlane diagram's data: lanes, steps, what each step changed.

The counterexample is replayed on the concrete model (``gentrace.core.replay``), which is
the judge of whether it is real and gives, per step, the fields it changed and the Go
statement it stands for.  From that this module works out what a reviewer needs to see:

* one lane per M (workers, the CPU reader's M, the advancer's M), and on which lane a
  SIGPROF handler is running (a step named ``sigprof.*`` runs on the M it interrupted;
  the handler's band spans from its delivery to its return);
* which shared state each step changed (generation, flushedGen, trace.enabled; the
  profBufs; trace buffers and cpuBuf; the Ms' seqlocks), as annotations;
* the *subject*: the sample (``#k``) or the M whose events break the property, named
  by the replay's final message, and the steps that touch it, from its creation to the
  step where the property fails;
* runs of three or more steps that change nothing the property depends on, which the
  renderers collapse (the steps stay in the page, folded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gentrace.core.counterexample import Counterexample
from gentrace.core.replay import replay
from gentrace.model import System

SAMPLE_PROPS = ("sample-generation", "sample-conservation", "no-unflushed-at-stop")
EVENT_PROPS = ("event-generation", "flush-before-seal", "generation-order")
COLLAPSE_AT = 3  # a run of this many irrelevant steps is folded

# Categories of shared state, in the order annotations list them.
GENERATION, PROFBUF, TRACEBUF, SEQLOCK = "generation", "profBuf", "trace buffers", "seqlock"
CATEGORIES = (GENERATION, PROFBUF, TRACEBUF, SEQLOCK)

_BUF = re.compile(r"^(cpuBuf\[\d+\]|W\d+\.buf\[\d+\])\.")
_SEQ = re.compile(r"^(W\d+|R|A)\.(seqlock|reentered)$")


def category(name: str) -> str | None:
    """The kind of shared state a field is, or None for an M's private or ghost field."""
    if name in ("gen", "flushedGen", "trace.enabled"):
        return GENERATION
    if name.startswith("profBuf[") or name.startswith("cpuLogWrite["):
        return PROFBUF
    if _BUF.match(name):
        return TRACEBUF
    if _SEQ.match(name):
        return SEQLOCK
    return None


def depends_on(prop: str) -> tuple[str, ...]:
    """The categories of shared state a property's verdict depends on."""
    if prop in EVENT_PROPS:
        return (GENERATION, TRACEBUF, SEQLOCK)
    if prop == "deadlock-freedom":
        return (GENERATION, SEQLOCK, PROFBUF)
    return CATEGORIES


@dataclass
class Step:
    n: int
    lane: str
    name: str
    go: str
    handler: bool                      # a SIGPROF handler step, drawn inside its M's lane
    shared: list[tuple[str, str]]      # (category, "field before->after")
    private: list[str]                 # the other changes, "field before->after"
    subject: bool = False              # touches the sample or M that breaks the property
    in_life: bool = False              # between the subject's creation and the failure
    fails: bool = False                # the property fails after this step
    relevant: bool = True              # shown unfolded
    handlers_active: tuple[str, ...] = ()  # lanes whose handler is running after this step


@dataclass
class Segment:
    steps: list[Step]
    collapsed: bool


@dataclass
class Story:
    ident: str
    release: str
    design: str
    prop: str
    engine: str
    kind: str
    bounds: dict[str, int]
    lanes: list[str]
    lane_titles: dict[str, str]
    steps: list[Step]
    segments: list[Segment]
    subject: str                  # "sample #2", "W0's events", ""
    verdict: str
    reproduced: bool
    fail_step: int
    sources: list[str] = field(default_factory=list)
    also_on: list[str] = field(default_factory=list)  # other releases with the very same steps

    @property
    def title(self) -> str:
        return f"{self.design} on Go {self.release}: {self.prop}"

    def signature(self) -> tuple[object, ...]:
        """What makes two stories the same diagram: the same steps with the same Go statements
        (releases that share the protocol's source, such as go1.24 and go1.25)."""
        return (self.design, self.prop, self.kind, tuple(sorted(self.bounds.items())),
                tuple((s.lane, s.name, s.go) for s in self.steps))


def lane_title(lane: str) -> str:
    if lane == "R":
        return "R: the CPU reader goroutine's M"
    if lane == "A":
        return "A: the advancer's M (traceAdvance, StopTrace)"
    return f"{lane}: worker M"


def ident(cx: Counterexample) -> str:
    """An anchor for a counterexample, stable across runs: release, design, property, engine."""
    raw = f"cx-{cx.release}-{cx.design}-{cx.prop}-{cx.engine}"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", raw)


def _subject(cx: Counterexample, verdict: str, system: System) -> tuple[str, str]:
    """What breaks the property: ("sample", "2"), ("m", "W0") or ("", "")."""
    sample = re.search(r"(?<![\w?])#(\d+)", verdict)
    if cx.prop in SAMPLE_PROPS or (sample and cx.prop not in ("deadlock-freedom", "generation-order")):
        if sample:
            return "sample", sample.group(1)
        if system.bounds.signals == 1:
            return "sample", "1"
    m = re.search(r"waiting for (W\d+|R|A)'s", verdict) or re.search(r"\b(W\d+)\b", verdict)
    if m:
        return "m", m.group(1)
    if cx.prop == "reader-lifetime":
        return "m", "R"
    return "", ""


def _touches(kind: str, who: str, name: str, before: str, after: str) -> bool:
    if kind == "sample":
        tok = re.compile(rf"(?<![0-9])#{who}(?![0-9])")
        if name == f"sample{who}.gen" or tok.search(before) or tok.search(after):
            return True
        if name.endswith(".sigprof.sample") or re.search(r"\.data\[\d+\]$", name):
            return who in (before, after)
        return False
    if kind == "m":
        return (name.startswith(f"{who}.") and not name.startswith(f"{who}.sigprof.")
                and name != f"{who}.pc")
    return False


def build_story(cx: Counterexample, sources: list[str] | None = None) -> Story:
    """Replay ``cx`` and lay its run out as lanes, annotated steps and foldable runs.

    Raises ``gentrace.core.replay.ReplayError`` when the steps do not run on the model."""
    rp = replay(cx)
    system = rp.system
    lanes = [t.name for t in system.threads]
    handler_pcs = [(t.name, h) for t, h in zip(system.threads, system.handlers, strict=True)]
    kind, who = _subject(cx, rp.verdict, system)
    fail = rp.first_broken or len(rp.rows)
    deps = depends_on(cx.prop)
    steps: list[Step] = []
    s = system.initial
    for row in rp.rows:
        idx = system.step_index[f"{row.thread}:{row.step}"]
        t = system.apply(s, idx)
        assert t is not None  # replay ran this very step
        shared, private, touched = [], [], False
        for name, before, after in row.changes:
            text = f"{name} {before}->{after}"
            cat = category(name)
            if cat is not None:
                shared.append((cat, text))
            else:
                private.append(text)
            touched |= _touches(kind, who, name, before, after)
        active = tuple(m for m, h in handler_pcs if t[h.pc] != h.IDLE)
        relevant = (touched or row.index == fail or any(c in deps for c, _ in shared)
                    or any(ch[0] == f"broken.{cx.prop}" for ch in row.changes))
        steps.append(Step(row.index, row.thread, row.step, row.go, row.step.startswith("sigprof."),
                          shared, private, touched, False, row.index == fail, relevant, active))
        s = t
    touching = [st.n for st in steps if st.subject]
    start = touching[0] if touching else fail
    for st in steps:
        st.in_life = start <= st.n <= fail and bool(touching)
    steps[0].relevant = steps[-1].relevant = True
    subject = {"sample": f"sample #{who}", "m": f"{who}'s trace state"}.get(kind, "")
    return Story(ident(cx), cx.release, cx.design, cx.prop, cx.engine, cx.kind, cx.bounds.as_dict(),
                 lanes, {ln: lane_title(ln) for ln in lanes}, steps, segments(steps), subject,
                 rp.verdict, rp.reproduced, fail, list(sources or []))


def segments(steps: list[Step]) -> list[Segment]:
    """Consecutive steps, with every run of COLLAPSE_AT or more irrelevant ones folded."""
    out: list[Segment] = []
    run: list[Step] = []

    def close() -> None:
        if not run:
            return
        folded = len(run) >= COLLAPSE_AT
        if folded or not out or out[-1].collapsed:
            out.append(Segment(list(run), folded))
        else:
            out[-1].steps.extend(run)
        run.clear()

    for st in steps:
        if not st.relevant:
            run.append(st)
            continue
        close()
        if out and not out[-1].collapsed:
            out[-1].steps.append(st)
        else:
            out.append(Segment([st], False))
    close()
    return out
