"""Heat tracing (heatnet.trace): worked by hand on one-period networks, then closed against
a solved tiny network's tables."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

import heatnet
from heatnet import trace
from heatnet.errors import InputError
from heatnet.trace import LOCAL_CORRIDOR, trace_heat
from tests.plot_nets import solve_tiny

# --- hand-worked tracing ----------------------------------------------------------------------


def fake_run(
    sources: list[tuple[str, str, float]],
    arcs: list[tuple[str, str, str, float, float, float]],
    served: dict[str, float],
    node_ids: list[str],
) -> Any:
    """One period of 1 h. sources: (id, node, heat_mw); arcs: (pipe, from, to, forward_mw,
    reverse_mw, eta); served: demand by node (nothing unserved)."""
    d = pd.DataFrame(
        [
            {
                "t": 0,
                "period": "p",
                "weight_h": 1.0,
                "source": s,
                "node": n,
                "technology": "chp",
                "heat_mw": h,
            }
            for s, n, h in sources
        ]
    )
    f = pd.DataFrame(
        [
            {
                "t": 0,
                "period": "p",
                "weight_h": 1.0,
                "pipe": p,
                "from_node": a,
                "to_node": b,
                "flow_forward_mw": fw,
                "flow_reverse_mw": rv,
                "delivered_mw": eta * (fw + rv),
                "loss_mw": (1 - eta) * (fw + rv),
            }
            for p, a, b, fw, rv, eta in arcs
        ]
    )
    n = pd.DataFrame(
        [
            {"t": 0, "period": "p", "weight_h": 1.0, "node": k, "demand_mw": v, "unserved_mw": 0.0}
            for k, v in served.items()
        ]
    )
    per = pd.DataFrame({"t": [0], "period": ["p"], "weight_h": [1.0]})
    pipes = pd.DataFrame(
        {"name": [p for p, *_ in arcs], "project": [f"line {p}" for p, *_ in arcs]},
        index=[p for p, *_ in arcs],
    )
    network = SimpleNamespace(
        nodes=pd.DataFrame({"name": node_ids}, index=node_ids), pipes=pipes, sources=pd.DataFrame()
    )
    return SimpleNamespace(
        name="fake",
        summary={},
        network=network,
        tables={"dispatch": d, "flows": f, "nodes": n, "periods": per},
    )


def _by(paths: pd.DataFrame, **match: Any) -> float:
    sel = paths
    for k, v in match.items():
        sel = sel.loc[sel[k].isna()] if v is None else sel.loc[sel[k] == v]
    return float(sel["heat_mwh"].sum())


def test_trace_chain_with_local_source() -> None:
    """S1 (100 MW at A) → P1 (eta 0.9) → B; S2 makes 20 MW at B; B serves 50 and sends 60
    through P2 (eta 0.5) to C, which is served 30. At B the mix is S1 90/110, S2 20/110:
    B serves S1 40.909 and S2 9.091 (local); P2 carries S1 49.09 and S2 10.91, half lost."""
    run = fake_run(
        [("S1", "A", 100.0), ("S2", "B", 20.0)],
        [("P1", "A", "B", 100.0, 0.0, 0.9), ("P2", "B", "C", 60.0, 0.0, 0.5)],
        {"B": 50.0, "C": 30.0},
        ["A", "B", "C"],
    )
    paths = trace_heat(run)
    s1_b = 50 * 90 / 110
    assert _by(paths, source="S1", corridor="line P1", district="B") == pytest.approx(s1_b)
    assert _by(paths, source="S2", corridor=LOCAL_CORRIDOR, district="B") == (
        pytest.approx(50 * 20 / 110)
    )
    s1_p2 = 60 * 90 / 110
    assert _by(paths, source="S1", district="C") == pytest.approx(s1_p2 * 0.5)
    assert _by(paths, source="S2", corridor="line P2", district="C") == (
        pytest.approx(60 * 20 / 110 * 0.5)
    )
    assert _by(paths, source="S1", kind="loss") == pytest.approx(10 + s1_p2 * 0.5)
    assert _by(paths, source="S1") == pytest.approx(100)
    assert _by(paths, source="S2") == pytest.approx(20)


def test_trace_loop() -> None:
    """A loop A→B→C→A: S1 makes 100 at A; AB (eta 0.9) carries 100, B serves 40 and sends 50
    through BC (eta 0.8); C serves 20 and sends 20 back through CA (eta 0.5); A serves 10. At A
    the mix is 100 local : 10 returned, so A serves 100/11 locally; every loss is 10."""
    run = fake_run(
        [("S1", "A", 100.0)],
        [
            ("AB", "A", "B", 100.0, 0.0, 0.9),
            ("BC", "B", "C", 50.0, 0.0, 0.8),
            ("CA", "C", "A", 20.0, 0.0, 0.5),
        ],
        {"A": 10.0, "B": 40.0, "C": 20.0},
        ["A", "B", "C"],
    )
    paths = trace_heat(run)
    assert _by(paths, corridor=LOCAL_CORRIDOR) == pytest.approx(100 / 11)
    assert _by(paths, corridor="line AB", district="A") == pytest.approx(10 / 11)
    assert _by(paths, district="B") == pytest.approx(40)
    assert _by(paths, district="C") == pytest.approx(20)
    assert _by(paths, kind="loss") == pytest.approx(30)
    assert set(paths["corridor"]) == {"line AB", LOCAL_CORRIDOR}


def test_trace_both_directions_at_once() -> None:
    """A bidirectional tie used both ways in one period is two arcs: A and B (30 MW each from
    S1 and S2) each send 10 MW across (eta 0.5) and serve 25. What reaches A is B's mix, which
    holds some of A's own heat: with y the share of S2 at A, 35 y = 5 (30 + 5 y) / 35, so
    y = 1/8 and A serves 25/8 MW of S2."""
    run = fake_run(
        [("S1", "A", 30.0), ("S2", "B", 30.0)],
        [("T", "A", "B", 10.0, 10.0, 0.5)],
        {"A": 25.0, "B": 25.0},
        ["A", "B"],
    )
    paths = trace_heat(run)
    assert _by(paths, source="S2", district="A") == pytest.approx(25 / 8)
    assert _by(paths, source="S1", district="B") == pytest.approx(25 / 8)
    assert _by(paths, source="S1") == pytest.approx(30)
    assert _by(paths, kind="loss") == pytest.approx(10)


# --- a solved tiny network --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> heatnet.StoredRun:
    return heatnet.read_run(solve_tiny(tmp_path_factory.mktemp("trace")))


def test_trace_closes_on_solved_run(tiny: heatnet.StoredRun) -> None:
    paths = trace_heat(tiny)
    src = tiny.tables["sources"]["heat_mwh"]
    by_source = paths.groupby("source")["heat_mwh"].sum()
    for sid, heat in src[src > 0].items():
        assert by_source[sid] == pytest.approx(heat, rel=1e-7)
    assert _by(paths, kind="loss") == pytest.approx(tiny.tables["pipes"]["loss_mwh"].sum())
    n = tiny.tables["nodes"].groupby("node")[["demand_mwh", "unserved_mwh"]].sum()
    got = paths.loc[paths["kind"] == "delivered"].groupby("district")["heat_mwh"].sum()
    for node, row in n.iterrows():
        assert got[node] == pytest.approx(row["demand_mwh"] - row["unserved_mwh"], rel=1e-7)


def test_trace_of_one_period(tiny: heatnet.StoredRun) -> None:
    """At a period the rows are rates [MW] that add up to the period's dispatch."""
    paths = trace_heat(tiny, period="peak")
    assert "heat_mwh" not in paths.columns
    d = tiny.tables["dispatch"]
    at_peak = d.loc[d["period"] == "2025-12-01"].groupby("source")["heat_mw"].sum()
    got = paths.groupby("source")["heat_mw"].sum()
    for sid, heat in at_peak[at_peak > 0].items():
        assert got[sid] == pytest.approx(heat, rel=1e-7)
    with pytest.raises(InputError, match="unknown period"):
        trace_heat(tiny, period="2031-01-01")


def test_trace_needs_the_flow_tables() -> None:
    """A run without a flows table is an input error naming the table."""
    run = fake_run([("S1", "A", 1.0)], [("P", "A", "B", 1.0, 0.0, 1.0)], {"B": 1.0}, ["A", "B"])
    del run.tables["flows"]
    with pytest.raises(InputError, match="needs the flows table"):
        trace_heat(run)


def test_trace_layer_reads_tables_only() -> None:
    """trace.py is results-layer analysis: no figures, reports, solver or run orchestration."""
    tree = ast.parse(Path(trace.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    forbidden = {"plot", "report", "run", "cli", "sweep", "compare", "model", "solve", "export"}
    assert not imported & {f"heatnet.{m}" for m in forbidden}
    assert not imported & {"plotly", "plotly.graph_objects", "pyomo", "highspy"}
