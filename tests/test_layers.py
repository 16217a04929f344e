"""The package's layers (docs/architecture.md): a module may import from its own layer or the
layers below it, never from a layer above, and no two modules import each other in a circle.

Imports inside ``if TYPE_CHECKING:`` blocks are for annotations only and are not counted;
imports inside functions are (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

import heatnet

PACKAGE = Path(heatnet.__file__).parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "schema", "network", "options", "data", "fmt", "geo"),
    ("io", "validate", "profiles", "aggregate", "scenarios", "generate", "excel", "gis", "years"),
    ("model", "multiyear", "solve"),
    ("results", "diagnose", "trace", "stages", "storage", "security", "rules", "pathway"),
    ("run", "_worker", "sweep", "pareto", "compare", "explain"),
    ("plot", "export", "report", "workbook"),
    ("cli", "__init__"),
)
"""Bottom to top. ``heatnet`` itself (``__init__``) is the public face, at the top."""

LAYER_OF = {module: n for n, layer in enumerate(LAYERS) for module in layer}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> set[str]:
    """heatnet modules imported at run time (any depth, TYPE_CHECKING blocks left out)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "heatnet":
                found.update(a.name for a in node.names if a.name in LAYER_OF)
            elif node.module.startswith("heatnet."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("heatnet."):
                    found.add(a.name.split(".")[1])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in sorted(PACKAGE.glob("*.py")):
        g.add_node(path.stem)
        for target in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if target != path.stem:
                g.add_edge(path.stem, target)
    return g


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules - set(LAYER_OF) == set(), "place new modules in LAYERS and the docs"
    assert set(LAYER_OF) - modules == set(), "a module in LAYERS no longer exists"


def test_no_module_imports_from_a_layer_above() -> None:
    upward = [
        f"{a} (layer {LAYER_OF[a]}) imports {b} (layer {LAYER_OF[b]})"
        for a, b in _graph().edges
        if b in LAYER_OF and a in LAYER_OF and LAYER_OF[b] > LAYER_OF[a]
    ]
    assert upward == []


def test_no_import_circles() -> None:
    assert list(nx.simple_cycles(_graph())) == []


def test_the_checker_sees_upward_and_circular_imports() -> None:
    """The checks above can fail: a lazy import, a ``from heatnet import`` and a
    TYPE_CHECKING-only import are told apart."""
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
from heatnet import plot
if TYPE_CHECKING:
    from heatnet.cli import main
def f():
    from heatnet.run import solve
"""
    assert _imports(ast.parse(source)) == {"plot", "run"}
    g = nx.DiGraph([("io", "validate"), ("validate", "io")])
    assert list(nx.simple_cycles(g))


@pytest.mark.parametrize("module", ["scenarios", "storage", "io", "validate"])
def test_lower_layers_do_not_load_the_solver(module: str) -> None:
    """Parsing a scenario file or reading a run folder does not pull in HiGHS or Pyomo: no
    import path from these modules reaches the solve layer."""
    reach = nx.descendants(_graph(), module)
    assert "solve" not in reach, sorted(reach)
    assert "model" not in reach, sorted(reach)


MAX_FUNCTION_LINES = 120


def test_no_function_is_longer_than_120_lines() -> None:
    """Long functions hide the steps of a computation: split them into named helpers."""
    long = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.name}:{node.lineno} {node.name} ({n} lines)")
    assert long == []
