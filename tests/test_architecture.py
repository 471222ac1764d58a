"""The packages' layering, and no import cycles among the modules of ``checker/`` and ``model/``.

Every module under ``checker/`` and ``model/`` is parsed with ``ast`` and each of its
imports of another module of the tree is an edge of the import graph.  Counted, wherever
the import statement stands:

- imports at the top of a module;
- imports inside a function or method (lazy imports).  A lazy import is still a
  dependency: the code needs the other module to run, only later.  Making an import lazy
  is the usual way to hide a cycle from the interpreter, not to remove it, so for cycles
  and layering it counts like any other;
- imports under ``if TYPE_CHECKING:``.  A type named in a signature is part of what a
  reader of the module must know, and ``model/compile.py`` <-> ``model/system.py`` was
  a cycle of exactly this kind.

Not counted: the parent package that Python runs first when a submodule is imported
(``import checker.core.replay`` runs ``checker/core/__init__.py``).  A package's
``__init__`` may re-export its own modules' names, and those modules import each other
directly, never through their package.

The layers (``checker/__init__.py`` says the same in words):

- ``model``: imports nothing from ``checker``;
- ``checker.core``: imports only ``model`` (and the standard library, third-party packages);
- an engine, i.e. any other package under ``checker/`` but ``cli`` (``explore``,
  ``stateful``, and the ones to come): imports only ``checker.core``, ``model`` and itself;
- ``checker.cli``: may import anything;
- ``checker/__init__.py`` and ``checker/__main__.py``: the entry; no other module sits
  directly in ``checker/``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP = ("model", "checker")
CORE, CLI, MODEL, ENTRY = "checker.core", "checker.cli", "model", "checker"

Graph = dict[str, set[str]]


# -- the graph ---------------------------------------------------------------------

def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    """Every module of the tree under ``root``, by dotted name."""
    return {module_name(root, p): p for top in TOP for p in sorted((root / top).rglob("*.py"))}


def _known(name: str, known: set[str]) -> str | None:
    """The module of the tree ``name`` is, or the package nearest it that is (None: not ours)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of the tree that the module ``name`` (at ``path``) imports, anywhere in it."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, up level - 1 more
                pkg = name.split(".") if is_package else name.split(".")[:-1]
                pkg = pkg[:len(pkg) - (node.level - 1)]
                base = ".".join([*pkg, base] if base else pkg)
            # ``from pkg import mod`` imports the module pkg.mod; ``from mod import x``, mod.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            m = _known(t, known)
            if m is not None and m != name:
                out.add(m)
    return out


def import_graph(root: Path = ROOT) -> Graph:
    mods = modules(root)
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


# -- the rules ---------------------------------------------------------------------

def cycles(graph: Graph) -> list[list[str]]:
    """The import cycles: each strongly connected component of more than one module (or a
    module importing itself), sorted, as one list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm; the graphs are small
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def layer(name: str) -> str:
    """``model``, ``checker.core``, ``checker.cli``, ``checker`` (the entry), or the engine's
    package (``checker.explore``, ``checker.stateful``, ...)."""
    if name.split(".")[0] == "model":
        return MODEL
    if name in ("checker", "checker.__main__"):
        return ENTRY
    return ".".join(name.split(".")[:2])


def allowed(src: str, dst: str) -> bool:
    """Whether a module of layer ``src`` may import a module of layer ``dst``."""
    if src in (CLI, ENTRY):
        return True
    if src == MODEL:
        return dst == MODEL
    if src == CORE:
        return dst in (CORE, MODEL)
    return dst in (src, CORE, MODEL)  # an engine


def layer_breaches(graph: Graph) -> list[str]:
    """Every import that crosses the layering the wrong way, as ``a -> b (layer may not import layer)``."""
    out = []
    for src in sorted(graph):
        for dst in sorted(graph[src]):
            if not allowed(layer(src), layer(dst)):
                out.append(f"{src} -> {dst} ({layer(src)} may not import {layer(dst)})")
    return out


# -- the tree as it is -------------------------------------------------------------

GRAPH = import_graph()


def test_the_graph_sees_the_tree() -> None:
    # Spot checks that the parser finds what is there: a top-level import, a lazy one
    # (inside a function), an import of a module through its package (``from pkg import mod``).
    assert {"checker.cli", "checker.core", "checker.explore", "checker.stateful", "model"} <= set(GRAPH)
    assert "checker.core.counterexample" in GRAPH["checker.explore.check"]
    assert "checker.stateful.engine" in GRAPH["checker.cli.check_hypothesis"]  # lazy
    assert "checker.core.interrupt" in GRAPH["checker.explore.search"]  # from checker.core import interrupt
    assert "model.compile" in GRAPH["model.system"]


def test_no_import_cycles() -> None:
    assert cycles(GRAPH) == []


def test_the_packages_keep_their_layers() -> None:
    assert layer_breaches(GRAPH) == []


def test_every_checker_module_is_in_a_package() -> None:
    """Only the entry sits directly in checker/; everything else is in core, an engine or cli."""
    assert sorted(p.name for p in (ROOT / "checker").glob("*.py")) == ["__init__.py", "__main__.py"]


def test_the_explorer_path_does_not_import_hypothesis() -> None:
    """``gentrace list`` and ``gentrace check`` with the explorer never import Hypothesis
    (nor the Hypothesis engine); only a Hypothesis run does."""
    code = ("import contextlib, io, sys\n"
            "from checker.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['list']) == 0\n"
            "    main(['check', '--go', '1.22', '--design', 'fixed', '--bound', 'ring', '--quiet'])\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'hypothesis'\n"
            "             or m.startswith('checker.stateful.'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# -- the twins: a breach or a cycle is caught --------------------------------------

def test_a_cycle_is_caught() -> None:
    graph: Graph = {
        "model.a": {"model.b"}, "model.b": {"model.c"}, "model.c": {"model.a"},  # a ring of three
        "model.d": {"model.a"},                                                    # leads in, not part
        "model.e": {"model.e"},                                                    # imports itself
    }
    assert cycles(graph) == [["model.a", "model.b", "model.c"], ["model.e"]]
    assert cycles({"model.a": {"model.b"}, "model.b": set()}) == []


def test_a_layering_breach_is_caught() -> None:
    graph: Graph = {
        "model.system": {"checker.core.replay"},                     # model -> checker
        "checker.core.replay": {"model.system", "checker.explore.search", "checker.cli.main"},
        "checker.explore.search": {"checker.core.replay", "checker.stateful.engine"},  # engine -> engine
        "checker.symbolic.bmc": {"checker.cli.main", "checker.symbolic.smt"},  # engine -> cli
        "checker.symbolic.smt": {"model.system"},
        "checker.stateful.engine": {"checker.core.replay", "checker.stateful.machine"},
        "checker.stateful.machine": set(),
        "checker.cli.main": {"checker.explore.search", "checker.stateful.engine", "model.system"},
        "checker.__main__": {"checker.cli.main"},
    }
    assert layer_breaches(graph) == [
        "checker.core.replay -> checker.cli.main (checker.core may not import checker.cli)",
        "checker.core.replay -> checker.explore.search (checker.core may not import checker.explore)",
        "checker.explore.search -> checker.stateful.engine "
        "(checker.explore may not import checker.stateful)",
        "checker.symbolic.bmc -> checker.cli.main (checker.symbolic may not import checker.cli)",
        "model.system -> checker.core.replay (model may not import checker.core)",
    ]


def test_lazy_and_type_only_imports_are_edges(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "checker" / "core").mkdir(parents=True)
    for f in ("model/__init__.py", "checker/__init__.py", "checker/core/__init__.py", "model/b.py",
              "checker/core/x.py"):
        (tmp_path / f).write_text("")
    (tmp_path / "model" / "a.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from model.b import B\n"
        "def f():\n"
        "    from checker.core import x\n"
        "    import json, hypothesis.stateful\n")
    graph = import_graph(tmp_path)
    assert graph["model.a"] == {"model.b", "checker.core.x"}
    assert layer_breaches(graph) == ["model.a -> checker.core.x (model may not import checker.core)"]


@pytest.mark.parametrize("src,dst,ok", [
    ("model", "model", True), ("model", "checker.core", False),
    ("checker.core", "model", True), ("checker.core", "checker.stateful", False),
    ("checker.stateful", "checker.core", True), ("checker.stateful", "checker.explore", False),
    ("checker.explore", "checker.cli", False), ("checker.cli", "checker.stateful", True),
])
def test_the_rules(src: str, dst: str, ok: bool) -> None:
    assert allowed(src, dst) is ok
