"""Figures from result tables: heat tracing worked by hand, then every figure of a solved tiny
network checked against the tables it reads (sums, decisions, escaping)."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

import heatnet
from heatnet import plot
from heatnet.errors import InputError
from tests.helpers import two_node
from tests.plot_nets import EVIL, solve_tiny, write_study

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


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
    paths = plot.trace_heat(run)
    s1_b = 50 * 90 / 110
    assert _by(paths, source="S1", corridor="line P1", district="B") == pytest.approx(s1_b)
    assert _by(paths, source="S2", corridor=plot.LOCAL_CORRIDOR, district="B") == (
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
    paths = plot.trace_heat(run)
    assert _by(paths, corridor=plot.LOCAL_CORRIDOR) == pytest.approx(100 / 11)
    assert _by(paths, corridor="line AB", district="A") == pytest.approx(10 / 11)
    assert _by(paths, district="B") == pytest.approx(40)
    assert _by(paths, district="C") == pytest.approx(20)
    assert _by(paths, kind="loss") == pytest.approx(30)
    assert set(paths["corridor"]) == {"line AB", plot.LOCAL_CORRIDOR}


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
    paths = plot.trace_heat(run)
    assert _by(paths, source="S2", district="A") == pytest.approx(25 / 8)
    assert _by(paths, source="S1", district="B") == pytest.approx(25 / 8)
    assert _by(paths, source="S1") == pytest.approx(30)
    assert _by(paths, kind="loss") == pytest.approx(10)


# --- a solved tiny network --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> heatnet.StoredRun:
    return heatnet.read_run(solve_tiny(tmp_path_factory.mktemp("plot")))


def test_tiny_optimum_has_every_decision(tiny: heatnet.StoredRun) -> None:
    s = tiny.summary
    assert s["retired"] == ["COAL"]
    assert s["built_pipes"] == ["P1"]
    assert s["not_built_pipes"] == ["PX"]
    assert s["not_built_sources"] == ["HP"]
    assert s["unserved_mwh"] > 1


def test_trace_closes_on_solved_run(tiny: heatnet.StoredRun) -> None:
    paths = plot.trace_heat(tiny)
    src = tiny.tables["sources"]["heat_mwh"]
    by_source = paths.groupby("source")["heat_mwh"].sum()
    for sid, heat in src[src > 0].items():
        assert by_source[sid] == pytest.approx(heat, rel=1e-7)
    assert _by(paths, kind="loss") == pytest.approx(tiny.tables["pipes"]["loss_mwh"].sum())
    n = tiny.tables["nodes"].groupby("node")[["demand_mwh", "unserved_mwh"]].sum()
    got = paths.loc[paths["kind"] == "delivered"].groupby("district")["heat_mwh"].sum()
    for node, row in n.iterrows():
        assert got[node] == pytest.approx(row["demand_mwh"] - row["unserved_mwh"], rel=1e-7)


def _sankey(fig: go.Figure) -> go.Sankey:
    return next(t for t in fig.data if isinstance(t, go.Sankey))


def _links(fig: go.Figure) -> pd.DataFrame:
    s = _sankey(fig)
    labels = list(s.node.label)
    return pd.DataFrame(
        {
            "source": [labels[i] for i in s.link.source],
            "target": [labels[i] for i in s.link.target],
            "value": list(s.link.value),
        }
    )


def test_sankey_season_gwh(tiny: heatnet.StoredRun) -> None:
    fig = plot.sankey_figure(tiny)
    links = _links(fig)
    src = tiny.tables["sources"]
    source_labels = {plot.esc(n) for n in ("余热电厂 W", "东区调峰锅炉")}
    out_of_sources = links.loc[links["source"].isin(source_labels), "value"].sum()
    assert out_of_sources == pytest.approx(src["heat_mwh"].sum() / 1000, rel=1e-7)
    losses = links.loc[links["target"] == "pipe losses", "value"].sum()
    assert losses == pytest.approx(tiny.tables["pipes"]["loss_mwh"].sum() / 1000, rel=1e-7)
    unserved = tiny.tables["nodes"].groupby("node")["unserved_mwh"].sum() / 1000
    short = links.loc[links["source"] == "unserved heat"]
    assert short["value"].sum() == pytest.approx(unserved.sum(), rel=1e-9)
    assert set(short["target"]) == {plot.esc(plot.shorten(EVIL, 28))}
    # sources → corridors → districts: the waste heat enters by the long-distance line
    assert set(links.loc[links["source"] == plot.esc("余热电厂 W"), "target"]) == {"长输线"}
    # each district's inflow is its demand
    demand = tiny.tables["nodes"].groupby("node")["demand_mwh"].sum() / 1000
    inflow = links.groupby("target")["value"].sum()
    assert inflow[plot.esc("东区 (城区)")] == pytest.approx(demand["A"], rel=1e-7)
    # names are escaped: no raw tag anywhere in the figure
    assert EVIL not in fig.to_json()
    assert ESCAPED[:20] in " ".join(_sankey(fig).node.label)


def test_sankey_by_technology_and_period(tiny: heatnet.StoredRun) -> None:
    fig = plot.sankey_figure(tiny, by="technology")
    labels = set(_sankey(fig).node.label)
    assert {"waste heat", "gas boiler"} <= labels
    assert "coal boiler" not in labels  # retired: no heat
    peak = plot.sankey_figure(tiny, period="peak")
    links = _links(peak)
    d = tiny.tables["dispatch"]
    at_peak = d.loc[d["period"] == "2025-12-01", "heat_mw"].sum()
    groups = links.loc[
        ~links["source"].isin(["unserved heat"]) & ~links["target"].isin(["pipe losses"])
    ]
    first = groups.loc[groups["source"].isin({plot.esc("余热电厂 W"), plot.esc("东区调峰锅炉")})]
    assert first["value"].sum() == pytest.approx(at_peak, rel=1e-7)
    assert "[MW]" in peak.layout.title.text
    same = plot.sankey_figure(tiny, period="2025-12-01")
    assert list(_sankey(same).link.value) == list(_sankey(peak).link.value)
    with pytest.raises(InputError, match="unknown period"):
        plot.sankey_figure(tiny, period="2031-01-01")


def test_map_pipes_by_decision(tiny: heatnet.StoredRun) -> None:
    fig = plot.map_figure(tiny)
    assert not any(t.type in ("scattergeo", "scattermapbox", "scattermap") for t in fig.data)
    pipes = {t.meta["pipe"]: t for t in fig.data if t.meta and "pipe" in t.meta}
    assert set(pipes) == set(tiny.tables["pipes"].index)  # one trace per pipe
    for pid, decision in tiny.tables["pipes"]["decision"].items():
        assert pipes[pid].meta["decision"] == decision
        assert pipes[pid].line.color == plot.PIPE_STYLE[decision][0]
    assert pipes["PX"].line.dash == "dash"
    assert pipes["P1"].line.width > pipes["PB"].line.width > pipes["PX"].line.width
    # pipe P1 starts at W (lon 116.30, lat 36.60)
    assert list(pipes["P1"].x) == [116.30, 116.70]
    assert list(pipes["P1"].y) == [36.60, 36.72]
    assert fig.layout.yaxis.scaleanchor == "x"
    retired = next(t for t in fig.data if t.name == "retired source")
    assert (retired.x[0], retired.y[0]) == (117.06, 36.64)
    assert "燃煤热源厂 C" in retired.customdata[0]
    assert "retired" in retired.customdata[0]
    assert EVIL not in fig.to_json()
    districts = next(t for t in fig.data if t.name == "district (demand)")
    assert any(ESCAPED in h for h in districts.customdata)


def test_map_without_coordinates_is_schematic(tmp_path: Path) -> None:
    run = heatnet.solve(two_node(tmp_path / "n"), heatnet.SolveOptions(heat_prices=False))
    fig = plot.map_figure(run)
    assert "schematic" in fig.layout.annotations[-1].text
    lines = [t for t in fig.data if t.meta and "pipe" in t.meta]
    assert len(lines) == 1


def test_dispatch_stacks_add_up(tiny: heatnet.StoredRun) -> None:
    fig = plot.dispatch_figure(tiny)
    stacked = [t for t in fig.data if t.stackgroup == "heat"]
    names = [t.name for t in stacked]
    assert names == ["waste heat", "gas boiler", "unserved heat"]
    per = tiny.tables["periods"]
    total = sum(pd.Series(t.y) for t in stacked)
    assert list(total) == pytest.approx(list(per["heat_produced_mw"] + per["unserved_mw"]))
    demand = next(t for t in fig.data if t.name == "demand at the districts")
    assert list(demand.y) == pytest.approx(list(per["demand_mw"]))
    by_source = plot.dispatch_figure(tiny, by="source")
    assert {t.name for t in by_source.data if t.stackgroup} >= {
        plot.esc("余热电厂 W"),
        plot.esc("东区调峰锅炉"),
    }


def test_duration_curve(tiny: heatnet.StoredRun) -> None:
    fig = plot.duration_figure(tiny)
    demand = next(t for t in fig.data if t.name == "demand at the districts")
    assert list(demand.x) == [0, 10, 30, 60]  # weights 10, 20, 30 h sorted by demand
    assert list(demand.y)[:3] == sorted(demand.y[:3], reverse=True)


# --- comparisons ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("study") / "study"
    return write_study(root, {"base": {}, "keep <b>coal</b>": {"coal_fixed_cny": 0.0}})


def test_read_study_and_matrix(study: Path) -> None:
    from heatnet.report import read_study

    st = read_study(study)
    assert list(st.runs) == ["base", "keep <b>coal</b>"]
    fig = plot.matrix_figure(st.runs)
    heat = fig.data[0]
    assert list(heat.x) == [plot.esc("燃煤热源厂 C")]
    assert [row[0] for row in heat.z] == [0.0, 1.0]  # retired, kept
    assert [row[0] for row in heat.text] == ["retired", "kept"]
    assert heat.y[1].startswith("keep &lt;b&gt;coal&lt;/b&gt;")
    assert "<b>coal</b>" not in fig.to_json()


def test_costs_and_pareto(study: Path) -> None:
    from heatnet.report import read_study

    runs = read_study(study).runs
    fig = plot.costs_figure(runs)
    total = next(t for t in fig.data if t.name == "total")
    expected = [r.summary["objective_cny"] / 1e6 for r in runs.values()]
    assert list(total.y) == pytest.approx(expected)
    bars = [t for t in fig.data if isinstance(t, go.Bar) and t.name != "CO2"]
    assert sum(pd.Series(b.y) for b in bars).tolist() == pytest.approx(expected)
    co2 = next(t for t in fig.data if t.name == "CO2")
    assert list(co2.y) == pytest.approx([r.summary["co2_t"] / 1000 for r in runs.values()])
    front = plot.pareto_figure(runs, caps_t={"base": None, "keep <b>coal</b>": 5000.0})
    points = [t for t in front.data if t.mode == "markers+text"]
    hover = " ".join(h for t in points for h in t.customdata)
    assert "retired (1): 燃煤热源厂 C" in hover
    assert "pipes built: 长输线 1段" in hover
    assert "CO2 cap: 5 kt" in hover
    assert "<b>coal</b>" not in front.to_json()


def test_read_study_problems(tmp_path: Path, study: Path) -> None:
    from heatnet.report import read_study

    with pytest.raises(InputError, match="not a study folder"):
        read_study(tmp_path)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "index.csv").write_text("scenario,folder\nx,nowhere\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns"):
        read_study(bad)
    (bad / "index.csv").write_text(
        "scenario,folder,status,objective_cny,co2_t\nx,nowhere,optimal,1,1\n"
        "failed one,,infeasible,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="run folder cannot be read"):
        read_study(bad)
    # a Pareto study: points with and without a run folder
    (study / "pareto.csv").write_text(
        "point,co2_cap_t,status,objective_cny,co2_t,mip_gap,folder\n"
        "0,,optimal,1,1,0,s0\n1,10,optimal,1,1,0,s1\n2,1,infeasible,,,,\n",
        encoding="utf-8",
    )
    try:
        st = read_study(study)
        assert list(st.pareto_runs) == ["0", "1"]
        assert st.caps_t == {"0": None, "1": 10.0, "2": 1.0}
        assert st.skipped == ["2 (infeasible)"]
    finally:
        (study / "pareto.csv").unlink()


def test_labels_must_be_unique(tiny: heatnet.StoredRun) -> None:
    with pytest.raises(InputError, match="labels repeat"):
        plot.costs_figure([("a", tiny), ("a", tiny)])


def test_plot_layer_does_not_import_the_solver() -> None:
    """plot.py and export.py read result tables only: no model, solver or run imports."""
    root = Path(plot.__file__).parent
    for module in ("plot.py", "export.py"):
        tree = ast.parse((root / module).read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
        assert not imported & {
            "heatnet.model",
            "heatnet.solve",
            "heatnet.run",
            "heatnet.results",
            "pyomo",
            "highspy",
        }, module
