"""The results a report is made of, read from the JSON documents the commands print.

Every document is recognised by its shape, not by a file name, so a report takes any mix:

* ``gentrace check --json`` (any ``--engine``) and ``gentrace prove --bmc K --json``:
  ``results`` rows of release, design, property, engine, verdict, expected, stats;
* ``gentrace prove --lemmas --json``: ``lemmas``;
* proofs for runs of any length (``gentrace prove --unbounded --json``): rows with a
  ``method`` and ``invariants``, or a verdict ``proved``, in ``results`` or ``proofs``;
* ``gentrace runtime --json``: ``engine`` ``runtime`` (or a ``runtime`` list): rows shown
  beside the model's verdicts as they are given;
* a counterexample file (format ``gentrace-counterexample``).

A later document's row for the same (engine, release, design, property, bounds), or the
same proof (release, design, property, workers), replaces an earlier one's, so a
rerun can be layered over an old results file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gentrace.core.counterexample import FORMAT, Counterexample, CounterexampleError, parse
from gentrace.model import PROPERTY_NAMES

PROOF_METHODS = ("unbounded", "induction", "k-induction", "pdr", "spacer", "ic3", "chc")


class ResultsError(ValueError):
    """A document that is none of the shapes a report reads; the message says which it is not."""


def bounds_key(bounds: dict[str, Any] | None) -> str:
    """Bounds as the one-line text every table shows (``workers=1 sections=2 ...``)."""
    if not bounds:
        return "(bounds not given)"
    return " ".join(f"{k}={v}" for k, v in bounds.items())


@dataclass
class Verdict:
    """One (engine, release, design, property) verdict at one bound."""

    engine: str
    release: str
    design: str
    prop: str
    verdict: str
    expected: str
    matches: bool
    bounds: dict[str, Any]
    stats: dict[str, Any]
    source: str
    summary: str = ""
    counterexample: dict[str, Any] | None = None
    method: str = ""      # z3: "bmc"
    depth: int | None = None
    skipped: str = ""

    @property
    def bound(self) -> str:
        return bounds_key(self.bounds)

    @property
    def miss(self) -> bool:
        """An expected violation that a sampling or bounded engine did not reach: reported,
        never a disagreement (the explorer's complete search is what shows it)."""
        return (not self.matches and self.expected == "violated" and self.engine != "explore"
                and self.verdict in ("not-found", "incomplete"))

    @property
    def differs(self) -> bool:
        """A verdict that contradicts the design's expectation (a miss does not)."""
        return not self.matches and not self.miss

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.engine, self.release, self.design, self.prop, self.bound)


@dataclass
class Proof:
    """A proof (or refutation) for runs of any length: one row of an unbounded prover."""

    release: str
    design: str
    verdict: str
    method: str
    seconds: float | None
    invariants: list[dict[str, Any]]
    source: str
    prop: str = ""
    workers: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def expected(self) -> str:
        """What the prover expected of this property ("" when the row does not say)."""
        exp = self.extra.get("expected")
        return str(exp.get(self.prop, "")) if isinstance(exp, dict) else ""

    @property
    def differs(self) -> bool:
        """A proof row whose verdict is not the expected one: a violation shown where one is
        expected, vacuous where vacuous is, proved everywhere else (as ``prove --unbounded``
        judges it).  A row that states no expectation never differs."""
        if not self.expected or not self.prop:
            return False
        return self.verdict != {"violated": "violated", "vacuous": "vacuous"}.get(self.expected, "proved")

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.release, self.design, self.prop, str(self.workers))


@dataclass
class Source:
    """Where a document came from and what it held, for the report's reproduce section."""

    name: str
    kind: str
    engine: str = ""
    bounds: dict[str, Any] | None = None
    detail: str = ""   # e.g. the Hypothesis run's settings, or BMC's depth


@dataclass
class Results:
    verdicts: list[Verdict] = field(default_factory=list)
    lemmas: list[dict[str, Any]] = field(default_factory=list)
    proofs: list[Proof] = field(default_factory=list)
    runtime: list[dict[str, Any]] = field(default_factory=list)
    counterexamples: list[tuple[str, Counterexample, dict[str, Any]]] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. an interrupted run's note

    def add(self, doc: Any, where: str) -> None:
        """Read one document (raises ResultsError for one the report cannot use)."""
        if not isinstance(doc, dict):
            raise ResultsError(f"{where}: not a JSON object, so none of the documents gentrace prints")
        if doc.get("format") == FORMAT:
            try:
                cx = parse(doc, where)
            except CounterexampleError as e:
                raise ResultsError(str(e)) from None
            self.counterexamples.append((where, cx, doc))
            self.sources.append(Source(where, "counterexample", cx.engine, cx.bounds.as_dict()))
            return
        used = False
        if doc.get("interrupted"):
            self.notes.append(f"{where}: the run was interrupted ({doc['interrupted']}); "
                              f"not run: {', '.join(doc.get('not_run', [])) or 'nothing'}")
        if isinstance(doc.get("lemmas"), list):
            self.lemmas = [lm for lm in doc["lemmas"] if isinstance(lm, dict)]
            self.sources.append(Source(where, "lemmas", "z3"))
            used = True
        runtime_rows = _runtime_rows(doc)
        if runtime_rows is not None:
            self.runtime.extend(runtime_rows)
            self.sources.append(Source(where, "runtime", "runtime"))
            return
        rows = doc.get("results") if isinstance(doc.get("results"), list) else []
        proofs = doc.get("proofs") if isinstance(doc.get("proofs"), list) else []
        if "results" in doc or "proofs" in doc:
            used = True
            self._rows(doc, rows, proofs, where)
        if not used:
            raise ResultsError(
                f"{where}: not a document gentrace prints (expected the JSON of 'gentrace check "
                "--json', 'gentrace prove --json', 'gentrace runtime --json' or a counterexample file)")

    def _rows(self, doc: dict[str, Any], rows: list[Any], proofs: list[Any], where: str) -> None:
        bounds = doc.get("bounds") if isinstance(doc.get("bounds"), dict) else None
        method = str(doc.get("method", ""))
        engines = set()
        # (row, whether it came from "proofs": every such row is a proof, whatever its verdict)
        expanded: list[tuple[Any, bool]] = []
        for row, is_proof in [*((r, False) for r in rows), *((r, True) for r in proofs)]:
            if isinstance(row, dict) and isinstance(row.get("verdicts"), dict):
                # One row per design with a verdict per property: one proof row each.
                methods = row.get("methods") if isinstance(row.get("methods"), dict) else {}
                for p, verdict in sorted(row["verdicts"].items()):
                    expanded.append(({**{k: v for k, v in row.items() if k not in ("verdicts", "methods")},
                                      "property": p, "verdict": verdict,
                                      "method": methods.get(p, row.get("method", method))}, is_proof))
            else:
                expanded.append((row, is_proof))
        for row, is_proof in expanded:
            if not isinstance(row, dict):
                raise ResultsError(f"{where}: a row of \"results\" is not an object")
            if is_proof or _is_proof(row, method):
                pr = _proof(row, method, where)
                self.proofs = [o for o in self.proofs if o.key != pr.key]
                self.proofs.append(pr)
                engines.add("z3 (unbounded)")
                continue
            v = _verdict(row, bounds, doc, where)
            engines.add(v.engine)
            self.verdicts = [o for o in self.verdicts if o.key != v.key]
            self.verdicts.append(v)
        detail = ""
        hyp = doc.get("hypothesis")
        if isinstance(hyp, dict) and hyp.get("run"):
            detail = f"hypothesis {hyp['run']}"
        if method == "bmc":
            detail = f"bounded model checking to depth {doc.get('k')}"
        self.sources.append(Source(where, "results", ", ".join(sorted(engines)) or str(doc.get("engine", "")),
                                   bounds, detail))

    # -- views ---------------------------------------------------------------

    def releases(self) -> list[str]:
        from gentrace.model import RELEASES

        seen = {v.release for v in self.verdicts} | {p.release for p in self.proofs}
        seen |= {cx.release for _, cx, _ in self.counterexamples}
        return [r for r in RELEASES if r in seen]

    def engines(self) -> list[str]:
        order = {"explore": 0, "hypothesis": 1, "z3": 2}
        return sorted({v.engine for v in self.verdicts}, key=lambda e: (order.get(e, 9), e))


def _is_proof(row: dict[str, Any], method: str) -> bool:
    return ("invariants" in row or row.get("verdict") == "proved" or "property" not in row and "workers" in row
            or method in PROOF_METHODS or str(row.get("method", "")) in PROOF_METHODS)


def _proof(row: dict[str, Any], method: str, where: str) -> Proof:
    for key in ("release", "design", "verdict"):
        if not isinstance(row.get(key), str):
            raise ResultsError(f"{where}: a proof row has no string \"{key}\"")
    invs = row.get("invariants") if isinstance(row.get("invariants"), list) else []
    secs = row.get("seconds", (row.get("stats") or {}).get("seconds"))
    known = {"release", "design", "verdict", "method", "invariants", "seconds", "property", "workers"}
    return Proof(row["release"], row["design"], row["verdict"], str(row.get("method") or method or "?"),
                 float(secs) if isinstance(secs, (int, float)) else None,
                 [i if isinstance(i, dict) else {"name": str(i), "reason": ""} for i in invs],
                 where, str(row.get("property", "")), row.get("workers"),
                 {k: v for k, v in sorted(row.items()) if k not in known})


def _verdict(row: dict[str, Any], bounds: dict[str, Any] | None, doc: dict[str, Any], where: str) -> Verdict:
    for key in ("release", "design", "property", "verdict"):
        if not isinstance(row.get(key), str):
            raise ResultsError(f"{where}: a row of \"results\" has no string \"{key}\"")
    if row["property"] not in PROPERTY_NAMES:
        raise ResultsError(f"{where}: unknown property {row['property']!r} in a result row")
    engine = str(row.get("engine") or doc.get("engine") or "explore")
    cx = row.get("counterexample") if isinstance(row.get("counterexample"), dict) else None
    stats = row.get("stats") if isinstance(row.get("stats"), dict) else {}
    return Verdict(engine, row["release"], row["design"], row["property"], row["verdict"],
                   str(row.get("expected", "?")), bool(row.get("matches", row["verdict"] == row.get("expected"))),
                   bounds or (cx or {}).get("bounds") or {}, stats, where, str(row.get("summary", "")), cx,
                   str(stats.get("method", "")), row.get("depth") if isinstance(row.get("depth"), int) else None,
                   str(row.get("skipped", "")))


def _runtime_rows(doc: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The rows of a ``gentrace runtime --json`` document, flattened for a table, or None if
    it is not one.  A runtime row names a Go toolchain (``version``) and says whether the
    design could be applied to it (``applicable``), which no model row does."""
    rows: Any = None
    if isinstance(doc.get("runtime"), list):
        rows = doc["runtime"]
    elif doc.get("engine") == "runtime":
        rows = doc.get("results") if isinstance(doc.get("results"), list) else doc.get("rows", [])
    elif isinstance(doc.get("results"), list) and doc["results"] and all(
            isinstance(r, dict) and "version" in r and "applicable" in r for r in doc["results"]):
        rows = doc["results"]
    if rows is None:
        return None
    return [flatten_runtime(r) for r in rows if isinstance(r, dict)]


def flatten_runtime(r: dict[str, Any]) -> dict[str, Any]:
    """One runtime row as table cells: release, design, toolchain, the test's and the workload's
    figures, and the model's verdicts beside them; other plain fields as they are."""
    model = r.get("model") if isinstance(r.get("model"), dict) else {}
    out: dict[str, Any] = {"release": r.get("release") or model.get("release") or "?",
                           "design": r.get("design", "?")}
    if "version" in r:
        out["toolchain"] = f"go{r['version']}"
    if r.get("applicable") is False:
        out["runtime"] = f"not applicable: {r.get('reason', '')}"
    test = r.get("test") if isinstance(r.get("test"), dict) else None
    if test:
        if test.get("build_error"):
            out["test"] = "build failed"
        else:
            failed = test.get("failed") or {}
            out["test failed / runs"] = ", ".join(f"{k} {v}/{test.get('runs', '?')}" for k, v in failed.items())
            out["test hangs"] = test.get("hangs", 0)
    work = r.get("workload") if isinstance(r.get("workload"), dict) else None
    if work:
        if work.get("build_error") or work.get("conform_error"):
            out["workload"] = "failed: " + str(work.get("build_error") or work.get("conform_error"))[:80]
        else:
            out["traces"] = work.get("traces", 0)
            out["samples"] = work.get("samples", 0)
            out["misplaced samples"] = work.get("misplaced", 0)
            out["order breaks"] = work.get("order_breaks", 0)
            viol = work.get("violations") or {}
            out["trace violations"] = ", ".join(f"{k} {v}" for k, v in sorted(viol.items()) if v) or "none"
    if model:
        out["model violates"] = ", ".join(model.get("violates") or []) or "none"
    skip = {"release", "design", "version", "applicable", "reason", "edits", "test", "workload", "model"}
    for k, v in r.items():
        if k not in skip and k not in out and (v is None or isinstance(v, (str, int, float, bool))):
            out[k] = v
    return out
