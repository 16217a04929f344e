"""summary.json has one typed shape (heatnet.storage.RunSummary): every key the package reads
is declared there, and every key a solve writes too, so a misspelt key fails here."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import get_type_hints

import pytest

import heatnet
from heatnet.storage import RunSummary
from tests.helpers import two_node

PACKAGE = Path(heatnet.__file__).parent
KEYS = set(get_type_hints(RunSummary))


def _is_summary(node: ast.expr) -> bool:
    """``summary``, ``*_summary``, ``x.summary`` or ``s`` bound to one of those."""
    if isinstance(node, ast.Attribute):
        return node.attr == "summary"
    return isinstance(node, ast.Name) and node.id.endswith("summary")


def summary_keys_read(source: str) -> set[tuple[int, str]]:
    """(line, key) of ``summary["key"]`` and ``summary.get("key"…)`` in ``source``."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Subscript)
            and _is_summary(node.value)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            found.add((node.lineno, node.slice.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and _is_summary(node.func.value)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add((node.lineno, node.args[0].value))
    return found


def test_every_summary_key_read_in_the_package_is_declared() -> None:
    unknown = []
    n_read = 0
    for path in sorted(PACKAGE.glob("*.py")):
        for line, key in summary_keys_read(path.read_text(encoding="utf-8")):
            n_read += 1
            if key not in KEYS:
                unknown.append(f"{path.name}:{line}: {key!r}")
    assert unknown == []
    assert n_read > 20  # the scan finds the reads (it is not silently empty)


def test_the_scan_catches_a_misspelt_key() -> None:
    source = 'x = run.summary["objective_cyn"]\ny = summary.get("co2_t")\n'
    assert {k for _, k in summary_keys_read(source)} - KEYS == {"objective_cyn"}


@pytest.mark.parametrize("allow_unserved", [True, False])
def test_a_written_summary_has_only_declared_keys(tmp_path: Path, allow_unserved: bool) -> None:
    folder = two_node(tmp_path / "net")
    run = heatnet.solve(folder, heatnet.SolveOptions(allow_unserved=allow_unserved))
    written = json.loads((run.write(tmp_path / "results") / "summary.json").read_text())
    assert set(written) - KEYS == set()
    assert {"status", "objective_cny", "co2_t", "timings_s", "solve_mode"} <= set(written)
