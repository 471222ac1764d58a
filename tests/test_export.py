"""``gentrace export --promela``: the Promela program is the model's transition relation.

Default run (no Spin needed):

- the program is deterministic, names every step once, and holds what Spin needs (every
  field declared with its initial value in a type that holds its range, a process per
  thread, the ``FINISHED`` macro, an assertion per checked property, no Python spelling);
- an evaluator of the program's own text (a small parser of Promela expressions, C's
  precedence and truth values) runs each ``d_step`` on sampled states and must give what
  ``System.apply`` gives, and its assertions must fail exactly where the model's invariants
  do; a program whose updates run one after another without the temporaries (the model's
  updates are simultaneous) is caught by the same comparison;
- the command's output and its one-line errors.

``pytest -m spin tests/test_export.py`` runs Spin 6.5.2 itself (Debian package ``spin``, and
a C compiler) on a few designs at a small bound: the same number of states as the explorer,
and the same violated properties, including designs that break an assertion and one that
deadlocks.
"""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import pytest
from cli_run import run
from gentrace.explore import explore
from gentrace.export import promela
from gentrace.export.promela import field_names, field_type, ok_name, type_max
from gentrace.model import PROPERTY_NAMES, System, build, get_design, parse_bounds

SMALL = parse_bounds(["advances=1", "sections=1"])
CANON = parse_bounds(None)
# (design, release) pairs the default run evaluates: the shipped design on the newest release,
# the design before the change on the oldest, and designs whose steps differ (a handler that
# waits, no drain, a reentrant acquire, the other order in traceCPUFlush) on other releases.
EVALUATED = [("fixed", "1.27"), ("legacy", "1.22"), ("handler-waits-for-seqlock", "1.27"),
             ("no-drain", "1.27"), ("reentrant-entry-gen", "1.24"), ("flush-before-drain", "1.23")]


def system(design: str, release: str = "1.27", bounds=CANON) -> System:  # type: ignore[no-untyped-def]
    return build(get_design(design).on(release), bounds)


# -- a Promela expression evaluator (the subset the export prints) --------------------

TOKEN = re.compile(r"\s*(->|&&|\|\||==|!=|<=|>=|<<|>>|[A-Za-z_][A-Za-z0-9_]*|\d+|[()!~:+\-*/%&|^<>])")
BINARY = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", "<=", ">", ">="), ("<<", ">>"),
          ("+", "-"), ("*", "/", "%")]


def to_python(expr: str) -> str:
    """A Promela expression as a Python expression over ``E`` (the variables) with C's values:
    comparisons and connectives give 0 or 1, ``(c -> a : b)`` is the conditional."""
    toks = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if m is None:
            raise ValueError(f"cannot read {expr[pos:pos + 30]!r}")
        toks.append(m.group(1))
        pos = m.end()
    k = 0

    def peek() -> str | None:
        return toks[k] if k < len(toks) else None

    def take(want: str | None = None) -> str:
        nonlocal k
        t = toks[k]
        if want is not None and t != want:
            raise ValueError(f"expected {want!r}, got {t!r} in {expr[:80]!r}")
        k += 1
        return t

    def level(n: int) -> str:
        if n == len(BINARY):
            return unary()
        left = level(n + 1)
        while peek() in BINARY[n]:
            op = take()
            right = level(n + 1)
            if op == "||":
                left = f"int(bool({left}) or bool({right}))"
            elif op == "&&":
                left = f"int(bool({left}) and bool({right}))"
            elif op in ("==", "!=", "<", "<=", ">", ">="):
                left = f"int(({left}) {op} ({right}))"
            elif op == "/":
                left = f"int(({left}) / ({right}))"
            else:
                left = f"(({left}) {op} ({right}))"
        return left

    def unary() -> str:
        t = peek()
        if t == "!":
            take()
            return f"int(not ({unary()}))"
        if t in ("-", "~"):
            take()
            return f"({t}({unary()}))"
        return primary()

    def primary() -> str:
        t = take()
        if t == "(":
            e = level(0)
            if peek() == "->":
                take()
                a = level(0)
                take(":")
                b = level(0)
                e = f"(({a}) if ({e}) else ({b}))"
            take(")")
            return e
        if t.isdigit():
            return t
        if t == "true":
            return "1"
        if t == "false":
            return "0"
        if re.fullmatch(r"[A-Za-z_]\w*", t):
            return f"E[{t!r}]"
        raise ValueError(f"unexpected {t!r} in {expr[:80]!r}")

    out = level(0)
    if k != len(toks):
        raise ValueError(f"trailing {toks[k:]} in {expr[:80]!r}")
    return out


def test_evaluator_reads_c_precedence_and_truth_values() -> None:
    env = {"a": 3, "b": 0}
    ev = lambda e: eval(to_python(e), {"E": env})  # noqa: E731, S307
    assert ev("1 + 2 * 3") == 7
    assert ev("(a == 3) + (a != 3)") == 1
    assert ev("a & 1 == 1") == 1  # C: == binds tighter than &
    assert ev("(b -> 5 : (a > 2 -> 7 : 8))") == 7
    assert ev("!b && a || false") == 1
    assert ev("(a << 2) >> 1") == 6


# -- the program's structure -----------------------------------------------------------

def blocks(text: str) -> dict[int, tuple[str, list[str]]]:
    """Each step's d_step as (guard, statements), by step index."""
    out: dict[int, tuple[str, list[str]]] = {}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"\s*:: d_step \{ /\* step (\d+) ", line)
        if not m:
            continue
        guard = lines[i + 1].strip()
        assert guard.endswith("->"), guard
        stmts = []
        j = i + 2
        while lines[j].strip() != "}":
            stmts.append(lines[j].strip().rstrip(";"))
            j += 1
        out[int(m.group(1))] = (guard[:-2].strip(), stmts)
    return out


def missing_steps(text: str, s: System) -> list[str]:
    """The steps of ``s`` the program does not have exactly once (by index and key)."""
    return [st.key for i, st in enumerate(s.steps)
            if len(re.findall(rf"/\* step {i} {re.escape(st.key)}: ", text)) != 1]


def structure_problems(text: str, s: System) -> list[str]:
    """What Spin would need that the program lacks, or what is wrong in it."""
    bad = []
    L = s.layout
    names = field_names(s)
    for i, n in enumerate(names):
        m = re.search(rf"^(bit|byte|short|int) {n} = (\d+);", text, re.M)
        if m is None:
            bad.append(f"field {L.names[i]} not declared")
            continue
        if int(m.group(2)) != s.initial[i]:
            bad.append(f"field {L.names[i]} starts at {m.group(2)}, the model at {s.initial[i]}")
        if type_max(m.group(1)) < L.maxv[i]:
            bad.append(f"field {L.names[i]} is a {m.group(1)} but ranges to {L.maxv[i]}")
    for th in dict.fromkeys(st.thread for st in s.steps):
        if not re.search(rf"^active proctype \w*{re.escape(th)}\(\) \{{", text, re.M):
            bad.append(f"no process for thread {th}")
    if "active proctype completion()" not in text or not re.search(r"^#define FINISHED \(", text, re.M):
        bad.append("no completion process or FINISHED macro")
    for inv in s.invariants:
        trivially = inv.ok([0] * len(L)) is True and inv.prop == "deadlock-freedom"
        if f"assert({ok_name(inv.prop)})" not in text and not trivially:
            bad.append(f"property {inv.prop} is never asserted")
    body = text[text.index("*/") + 2:]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    for word in ("True", "False", " and ", " or ", "not ", " if ", " else "):
        if word in body:
            bad.append(f"Python spelling {word.strip()!r} in the program")
    if body.count("{") != body.count("}") or body.count("(") != body.count(")"):
        bad.append("unbalanced braces or parentheses")
    return bad


def test_export_is_deterministic() -> None:
    s = system("fixed")
    a = promela(s)
    promela(system("no-drain"))  # another export in between changes nothing
    fresh = System(get_design("fixed").on("1.27"), CANON)  # a new build, not the cached one
    assert promela(fresh) == a
    assert a == promela(s)


@pytest.mark.parametrize("design,release", EVALUATED)
def test_export_names_every_step_and_holds_what_spin_needs(design: str, release: str) -> None:
    s = system(design, release)
    text = promela(s)
    assert missing_steps(text, s) == []
    assert sorted(blocks(text)) == list(range(len(s.steps)))
    assert structure_problems(text, s) == []


def test_a_program_that_lost_a_step_or_a_declaration_is_caught() -> None:
    s = system("fixed")
    text = promela(s)
    k = len(s.steps) // 2
    lost = text.replace(f"/* step {k} {s.steps[k].key}: ", "/* ", 1)
    assert missing_steps(lost, s) == [s.steps[k].key]
    n = field_names(s)[0]
    assert structure_problems(re.sub(rf"^(\w+) {n} = \d+;", rf"\1 {n} = 99;", text, flags=re.M), s)
    assert structure_problems(text.replace("#define FINISHED", "#define DONE"), s)
    assert structure_problems(text.replace("assert(ok_single_reader)", "skip"), s)
    head, body = text.split("*/", 1)
    assert structure_problems(head + "*/" + body.replace(" && ", " and ", 1), s)


def test_field_names_are_unique_identifiers_that_clash_with_nothing() -> None:
    from types import SimpleNamespace

    raw = ["a.b", "a_b", "a[b]", "int", "t1", "u12", "FINISHED", "ok_x", "0x", "W0.pc"]
    names = field_names(SimpleNamespace(layout=SimpleNamespace(names=raw)))  # type: ignore[arg-type]
    assert len(set(names)) == len(raw)
    assert all(re.fullmatch(r"[A-Za-z_]\w*", n) for n in names)
    assert names[-1] == "W0_pc" and names[0] == "a_b"
    for n in names[3:9]:
        assert n.startswith("f_"), n


def test_field_types_hold_their_ranges() -> None:
    for maxv in (1, 2, 15, 255, 256, 32767, 32768):
        assert type_max(field_type(maxv)) >= maxv
    assert field_type(1) == "bit" and field_type(255) == "byte" and field_type(256) == "short"


# -- the program's steps against System.apply --------------------------------------------

def sample_states(s: System, seed: int, count: int, walks: int = 20) -> list[tuple[int, ...]]:
    """``count`` distinct states: the first ones breadth first, then a seeded choice among
    the states of ``walks`` random walks to the end (the reference semantics)."""
    rng = random.Random(seed)
    seen: dict[tuple[int, ...], None] = {s.initial: None}
    frontier = [s.initial]
    while frontier and len(seen) < count // 4:
        nxt = []
        for x in frontier:
            for i in s.enabled(x):
                t = s.apply(x, i)
                assert t is not None
                if t not in seen:
                    seen[t] = None
                    nxt.append(t)
        frontier = nxt
    walked: dict[tuple[int, ...], None] = {}
    for _ in range(walks):
        x = s.initial
        for _ in range(300):
            walked[x] = None
            en = s.enabled(x)
            if not en:
                break
            x = s.apply(x, rng.choice(en))  # type: ignore[assignment]
    rest = [x for x in walked if x not in seen]
    return list(seen) + rng.sample(rest, min(len(rest), count - len(seen)))


class Program:
    """The exported text, run: each step's d_step on a state of the model."""

    def __init__(self, text: str, s: System) -> None:
        self.names = field_names(s)
        self.steps = {}
        for i, (guard, stmts) in blocks(text).items():
            code = []
            for st in stmts:
                if st == "skip":
                    continue
                m = re.fullmatch(r"assert\((\w+)\)", st)
                if m:
                    code.append(("assert", m.group(1), None))
                    continue
                m = re.fullmatch(r"(\w+) = (.*)", st)
                assert m, st
                code.append(("set", m.group(1), compile(to_python(m.group(2)), st[:40], "eval")))
            self.steps[i] = (compile(to_python(guard), guard[:40], "eval"), code)
        m = re.search(r"^#define FINISHED (.*)$", text, re.M)
        assert m
        self.finished = compile(to_python(m.group(1)), "FINISHED", "eval")

    def env(self, state: tuple[int, ...]) -> dict[str, int]:
        return dict(zip(self.names, state, strict=True))

    def run(self, i: int, env: dict[str, int]) -> tuple[tuple[int, ...] | None, dict[str, int]]:
        """The state after step ``i`` from the state ``env`` (None when not enabled) and each
        assertion's value."""
        guard, code = self.steps[i]
        if not eval(guard, {"E": env}):  # noqa: S307
            return None, {}
        E = dict(env)
        asserted = {}
        for kind, target, expr in code:
            if kind == "assert":
                asserted[target] = E[target]
            else:
                E[target] = eval(expr, {"E": E})  # noqa: S307
        return tuple(E[n] for n in self.names), asserted


def disagreements(text: str, s: System, states: list[tuple[int, ...]]) -> list[str]:
    prog = Program(text, s)
    okname = {ok_name(inv.prop): inv for inv in s.invariants}
    types = [type_max(field_type(m)) for m in s.layout.maxv]
    bad: list[str] = []
    for x in states:
        env = prog.env(x)
        if bool(eval(prog.finished, {"E": env})) != bool(s.finished(x)):  # noqa: S307
            bad.append(f"FINISHED differs on {x}")
        for i, st in enumerate(s.steps):
            want = s.apply(x, i)
            got, asserted = prog.run(i, env)
            if got != want:
                bad.append(f"step {st.key} from {x}: program gives {got}, the model {want}")
                continue
            if want is None:
                continue
            if any(not 0 <= v <= t for v, t in zip(want, types, strict=True)):
                bad.append(f"step {st.key} from {x}: a value outside its field's type")
            for name, v in asserted.items():
                if bool(v) != bool(okname[name].ok(want)):
                    bad.append(f"step {st.key}: assert({name}) is {v} where the model says {okname[name].ok(want)}")
            for inv in s.invariants:
                if inv.ok(x) and not inv.ok(want) and ok_name(inv.prop) not in asserted:
                    bad.append(f"step {st.key} breaks {inv.prop} and does not assert it")
        if len(bad) > 5:
            break
    return bad


@pytest.mark.parametrize("design,release", EVALUATED)
def test_the_programs_steps_are_the_models_steps(design: str, release: str) -> None:
    s = system(design, release)
    assert disagreements(promela(s), s, sample_states(s, 7, 300)) == []


def test_the_evaluation_catches_updates_run_one_after_another() -> None:
    """The same program with its temporaries uN dropped (each field assigned its right-hand
    side directly, in order) is not the model's simultaneous update, and the comparison says so."""
    s = system("fixed")
    text = promela(s)
    saved: dict[str, str] = {}
    out = []
    for line in text.split("\n"):
        m = re.fullmatch(r"(\s*)(u\d+) = (\w+)(;?)", line)
        if m:
            saved[m.group(2)] = m.group(3)
            continue
        for u, f in saved.items():
            line = re.sub(rf"\b{u}\b", f, line)
        if line.strip() == "}":
            saved = {}
        out.append(line)
    naive = "\n".join(out)
    assert naive != text
    assert disagreements(naive, s, sample_states(s, 7, 300))


def test_the_evaluation_catches_a_wrong_guard() -> None:
    s = system("fixed")
    text = promela(s)
    i = next(i for i, st in enumerate(s.steps) if st.guard is not None)
    guard, _ = blocks(text)[i]
    wrong = text.replace(f"       {guard} ->", f"       (!{guard}) ->", 1)
    assert disagreements(wrong, s, sample_states(s, 7, 300))


def test_the_initial_state_passes_every_invariant_of_every_evaluated_design() -> None:
    # The program asserts invariants after steps only: it relies on this (and says so).
    for d, r in EVALUATED:
        s = system(d, r)
        assert all(inv.ok(s.initial) for inv in s.invariants)
        assert "satisfies every invariant" in promela(s)


# -- the command -------------------------------------------------------------------------

def test_command_writes_the_program(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["export", "--promela", "--design", "no-drain", "--bound", "signals=2"], capsys)
    assert code == 0
    assert out == promela(system("no-drain", "1.27", parse_bounds(["signals=2"])))
    f = tmp_path / "m.pml"
    code, out, err = run(["export", "--promela", "--go", "1.22", "--design", "legacy", "--out", str(f)], capsys)
    assert code == 0 and out == "" and "wrote" in err
    assert f.read_text() == promela(system("legacy", "1.22"))


@pytest.mark.parametrize("argv,message", [
    (["export"], "--promela is required"),
    (["export", "--promela", "--design", "nope"], "unknown design 'nope'"),
    (["export", "--promela", "--go", "1.99"], "unknown Go release '1.99'"),
    (["export", "--promela", "--bound", "signals=99"], "bound signals=99 is out of range"),
    (["export", "--promela", "--bound", "workers=x"], "is not a whole number"),
    (["export", "--promela", "--design", "all"], "export writes one design at a time"),
    (["export", "--promela", "--design", "legacy"], "is not a design of Go 1.27"),
    (["export", "--promela", "--out", "/nonexistent-dir/m.pml"], "does not exist"),
])
def test_command_bad_input_is_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


# -- Spin itself (pytest -m spin) --------------------------------------------------------

def _spin_available() -> bool:
    from gentrace.export.spin import available
    return available()


@pytest.mark.spin
@pytest.mark.parametrize("design", ["fixed", "no-drain", "handler-waits-for-seqlock", "nested-fresh-gen"])
def test_spin_counts_the_same_states_and_finds_the_same_violations(design: str, tmp_path: Path) -> None:
    if not _spin_available():
        pytest.fail("spin or a C compiler is missing: apt-get install spin gcc")
    from gentrace.export import spin
    s = system(design, "1.27", SMALL)
    res = explore(s, liveness=False)  # Spin checks no no-completion part either
    built = spin.build(promela(s), tmp_path, opt="-O1")
    pan = spin.run(built, hash_bits=spin.hash_bits_for(res.stats.states))
    assert pan.states == res.stats.states
    ours = {p for p in PROPERTY_NAMES if res.verdicts[p] == "violated"}
    found = set(pan.failed) | ({"deadlock-freedom"} if pan.invalid_end else set())
    assert found == ours
    if design != "fixed":
        assert ours, f"{design} breaks nothing at this bound: pick a bound where it does"


@pytest.mark.spin
def test_spin_refuses_a_broken_program(tmp_path: Path) -> None:
    if not _spin_available():
        pytest.fail("spin or a C compiler is missing")
    from gentrace.export import spin
    with pytest.raises(spin.SpinError):
        spin.build(promela(system("fixed", "1.27", SMALL)).replace("#define FINISHED", "#define DONE"), tmp_path)


def test_spin_tests_are_deselected_by_default() -> None:
    conf = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    opts = conf["tool"]["pytest"]["ini_options"]
    assert "not spin" in opts["addopts"]
    assert any(m.startswith("spin:") for m in opts["markers"])


def broken_at_start(s: System) -> System:
    """``s`` with reader-lifetime replaced by a predicate its initial state breaks."""
    import copy
    import dataclasses

    b = copy.copy(s)
    k = s.prop_index["reader-lifetime"]
    first = s.layout.index["gen"]
    inv = dataclasses.replace(s.invariants[k], ok=lambda x: x[first] != s.initial[first])
    b.invariants = [*s.invariants[:k], inv, *s.invariants[k + 1:]]
    return b


def test_an_initial_state_that_breaks_an_invariant_is_asserted_there() -> None:
    s = system("fixed", "1.27", SMALL)
    text = promela(broken_at_start(s))
    assert "The initial state breaks reader-lifetime" in text
    assert "assert(ok_reader_lifetime)" in text[text.index("active proctype completion()"):]
    assert "assert(ok_reader_lifetime)" not in promela(s)[promela(s).index("active proctype completion()"):]


@pytest.mark.spin
def test_spin_reports_an_initial_state_that_breaks_an_invariant(tmp_path: Path) -> None:
    if not _spin_available():
        pytest.fail("spin or a C compiler is missing")
    from gentrace.export import spin
    s = system("fixed", "1.27", SMALL)
    res = explore(s, liveness=False)
    pan = spin.run(spin.build(promela(broken_at_start(s)), tmp_path, opt="-O1"),
                   hash_bits=spin.hash_bits_for(res.stats.states))
    assert "reader-lifetime" in pan.failed
    assert pan.states == res.stats.states  # the assertion is a self-loop on the initial state


# -- reading Spin's report (no Spin needed) ----------------------------------------------

REPORT = """pan:1: assertion violated ok_no_unflushed_at_stop (at depth 49)
pan:2: assertion violated ok_sample_conservation (at depth 49)
pan:3: invalid end state (at depth 61)

(Spin Version 6.5.2 -- 6 December 2019)

Full statespace search for:
\tnever claim         \t- (none specified)
\tassertion violations\t+
\tcycle checks       \t- (disabled by -DSAFETY)
\tinvalid end states\t+

State-vector 100 byte, depth reached 240, errors: 6008
  4742028 states, stored
  8470756 states, matched
 13212784 transitions (= stored+matched)
        0 atomic steps
hash conflicts:    157735 (resolved)

Stats on memory usage (in Megabytes):
         \tstate-vector as stored = 76 byte + 20 byte overhead

pan: elapsed time 25.5 seconds
pan: rate 185962 states/second
"""


def test_spins_report_is_read() -> None:
    from gentrace.export.spin import read_report
    r = read_report(REPORT, cpu=9.5)
    assert (r.states, r.transitions, r.errors, r.depth, r.vector_bytes) == (4742028, 13212784, 6008, 240, 76)
    assert r.seconds == 25.5 and r.cpu_seconds == 9.5
    assert r.failed == {"no-unflushed-at-stop", "sample-conservation"} and r.invalid_end


def test_spins_report_without_errors_names_none() -> None:
    # The summary lists what was checked ("invalid end states +"): that is no violation.
    from gentrace.export.spin import SpinError, read_report
    clean = "\n".join(line for line in REPORT.split("\n") if not line.startswith("pan:") or "elapsed" in line)
    r = read_report(clean.replace("errors: 6008", "errors: 0"))
    assert r.failed == set() and not r.invalid_end and r.errors == 0
    with pytest.raises(SpinError, match="too small"):
        read_report("error: max search depth too small\n" + REPORT, depth=10)
    with pytest.raises(SpinError, match="states, stored"):
        read_report(REPORT.replace("states, stored", "states"))


def test_export_is_the_same_text_in_processes_with_different_hash_seeds(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    texts = []
    for seed in ("1", "2"):
        out = tmp_path / f"m{seed}.pml"
        r = subprocess.run([sys.executable, "-m", "gentrace", "export", "--promela", "--design", "no-drain",
                            "--out", str(out)], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stderr
        texts.append(out.read_text())
    assert texts[0] == texts[1] == promela(system("no-drain"))


@pytest.mark.spin
@pytest.mark.parametrize("design", ["no-drain", "handler-waits-for-seqlock", "nested-fresh-gen"])
def test_spins_counterexample_replays_on_the_model(design: str, tmp_path: Path) -> None:
    """Spin's trail, read back as the model's steps, runs on ``System.apply`` step by step to
    a state that breaks the property Spin reported (or a deadlock, for an invalid end state)."""
    if not _spin_available():
        pytest.fail("spin or a C compiler is missing")
    from gentrace.export import spin
    s = system(design, "1.27", SMALL)
    built = spin.build(promela(s), tmp_path, opt="-O1")
    pan = spin.run(built, stop_at_first=True)
    assert pan.errors == 1
    x = s.initial
    for i in spin.trail(built):
        y = s.apply(x, i)
        assert y is not None, f"step {s.steps[i].key} is not enabled where Spin took it"
        x = y
    if pan.invalid_end:
        assert s.enabled(x) == [] and not s.finished(x)
    else:
        (prop,) = pan.failed
        assert not s.invariants[s.prop_index[prop]].ok(x)


def test_guard_lines_name_each_step_by_its_first_statement() -> None:
    from gentrace.export.spin import guard_lines
    s = system("fixed")
    text = promela(s)
    lines = text.split("\n")
    found = guard_lines(text)
    assert sorted(set(found.values())) == list(range(len(s.steps))) and len(found) == 2 * len(s.steps)
    for no, i in found.items():
        here = lines[no - 1].strip()
        assert here == blocks(text)[i][0] + " ->" or here.startswith(f":: d_step {{ /* step {i} ")
