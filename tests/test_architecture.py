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
(``import gentrace.core.replay`` runs ``checker/core/__init__.py``).  A package's
``__init__`` may re-export its own modules' names, and those modules import each other
directly, never through their package.

The layers (``checker/__init__.py`` says the same in words):

The folders install under one name (``pyproject.toml``): ``model/`` is ``gentrace.model``,
``checker/`` is ``gentrace`` itself.

- ``gentrace.model``: imports nothing from the rest of ``gentrace``;
- ``gentrace.core``: imports only ``gentrace.model`` (and the standard library, third-party packages);
- an engine, i.e. any other package under ``checker/`` but ``cli`` (``explore``,
  ``stateful``, and the ones to come): imports only ``gentrace.core``, ``gentrace.model`` and itself;
- ``gentrace.cli``: may import anything;
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
# The folders of the tree and the import names they install as (pyproject.toml's package-dir).
TOP = {"model": "gentrace.model", "checker": "gentrace"}
CORE, CLI, MODEL, ENTRY = "gentrace.core", "gentrace.cli", "gentrace.model", "gentrace"

Graph = dict[str, set[str]]


# -- the graph ---------------------------------------------------------------------

def module_name(root: Path, path: Path) -> str:
    """The import name of the file at ``path``: ``model/x.py`` is ``gentrace.model.x``,
    ``checker/core/y.py`` is ``gentrace.core.y``."""
    top, *parts = path.relative_to(root).with_suffix("").parts
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join([TOP[top], *parts])


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
    """``model``, ``gentrace.core``, ``gentrace.cli``, ``checker`` (the entry), or the engine's
    package (``gentrace.explore``, ``gentrace.stateful``, ...)."""
    if name == MODEL or name.startswith(MODEL + "."):
        return MODEL
    if name in (ENTRY, ENTRY + ".__main__"):
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
    assert {"gentrace.cli", "gentrace.core", "gentrace.explore", "gentrace.stateful", "gentrace.model"} <= set(GRAPH)
    assert "gentrace.core.counterexample" in GRAPH["gentrace.explore.check"]
    assert "gentrace.stateful.engine" in GRAPH["gentrace.cli.check_hypothesis"]  # lazy
    assert "gentrace.core.interrupt" in GRAPH["gentrace.explore.search"]  # from gentrace.core import interrupt
    assert "gentrace.model.compile" in GRAPH["gentrace.model.system"]


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
            "from gentrace.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['list']) == 0\n"
            "    main(['check', '--go', '1.22', '--design', 'fixed', '--bound', 'ring', '--quiet'])\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'hypothesis'\n"
            "             or m.startswith('gentrace.stateful.'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# -- the twins: a breach or a cycle is caught --------------------------------------

def test_a_cycle_is_caught() -> None:
    graph: Graph = {
        "gentrace.model.a": {"gentrace.model.b"},  # a ring of three
        "gentrace.model.b": {"gentrace.model.c"},
        "gentrace.model.c": {"gentrace.model.a"},
        "gentrace.model.d": {"gentrace.model.a"},  # leads in, not part
        "gentrace.model.e": {"gentrace.model.e"},  # imports itself
    }
    assert cycles(graph) == [["gentrace.model.a", "gentrace.model.b", "gentrace.model.c"], ["gentrace.model.e"]]
    assert cycles({"gentrace.model.a": {"gentrace.model.b"}, "gentrace.model.b": set()}) == []


def test_a_layering_breach_is_caught() -> None:
    graph: Graph = {
        "gentrace.model.system": {"gentrace.core.replay"},                     # model -> checker
        "gentrace.core.replay": {"gentrace.model.system", "gentrace.explore.search", "gentrace.cli.main"},
        "gentrace.explore.search": {"gentrace.core.replay", "gentrace.stateful.engine"},  # engine -> engine
        "gentrace.symbolic.bmc": {"gentrace.cli.main", "gentrace.symbolic.smt"},  # engine -> cli
        "gentrace.symbolic.smt": {"gentrace.model.system"},
        "gentrace.stateful.engine": {"gentrace.core.replay", "gentrace.stateful.machine"},
        "gentrace.stateful.machine": set(),
        "gentrace.cli.main": {"gentrace.explore.search", "gentrace.stateful.engine", "gentrace.model.system"},
        "gentrace.__main__": {"gentrace.cli.main"},
    }
    assert layer_breaches(graph) == [
        "gentrace.core.replay -> gentrace.cli.main (gentrace.core may not import gentrace.cli)",
        "gentrace.core.replay -> gentrace.explore.search (gentrace.core may not import gentrace.explore)",
        "gentrace.explore.search -> gentrace.stateful.engine "
        "(gentrace.explore may not import gentrace.stateful)",
        "gentrace.model.system -> gentrace.core.replay (gentrace.model may not import gentrace.core)",
        "gentrace.symbolic.bmc -> gentrace.cli.main (gentrace.symbolic may not import gentrace.cli)",
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
        "    from gentrace.model.b import B\n"
        "def f():\n"
        "    from gentrace.core import x\n"
        "    import json, hypothesis.stateful\n")
    graph = import_graph(tmp_path)
    assert graph["gentrace.model.a"] == {"gentrace.model.b", "gentrace.core.x"}
    assert layer_breaches(graph) == [
        "gentrace.model.a -> gentrace.core.x (gentrace.model may not import gentrace.core)"]


@pytest.mark.parametrize("src,dst,ok", [
    ("gentrace.model", "gentrace.model", True), ("gentrace.model", "gentrace.core", False),
    ("gentrace.core", "gentrace.model", True), ("gentrace.core", "gentrace.stateful", False),
    ("gentrace.stateful", "gentrace.core", True), ("gentrace.stateful", "gentrace.explore", False),
    ("gentrace.explore", "gentrace.cli", False), ("gentrace.cli", "gentrace.stateful", True),
])
def test_the_rules(src: str, dst: str, ok: bool) -> None:
    assert allowed(src, dst) is ok
