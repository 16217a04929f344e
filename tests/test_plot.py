"""Figures from result tables: every figure of a solved tiny network checked against the
tables it reads (sums, decisions, escaping), and the map of generated cities at scale. Heat
tracing itself is tested in test_trace.py."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import heatnet
from heatnet import plot
from heatnet.errors import InputError
from heatnet.generate import generate_city
from heatnet.trace import trace_heat
from tests.helpers import two_node
from tests.plot_nets import EVIL, solve_tiny, write_study

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


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
    fig = plot.sankey_figure(tiny, trace_heat(tiny))
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
    fig = plot.sankey_figure(tiny, trace_heat(tiny), by="technology")
    labels = set(_sankey(fig).node.label)
    assert {"waste heat", "gas boiler"} <= labels
    assert "coal boiler" not in labels  # retired: no heat
    peak = plot.sankey_figure(tiny, trace_heat(tiny, period="peak"), period="peak")
    links = _links(peak)
    d = tiny.tables["dispatch"]
    at_peak = d.loc[d["period"] == "2025-12-01", "heat_mw"].sum()
    groups = links.loc[
        ~links["source"].isin(["unserved heat"]) & ~links["target"].isin(["pipe losses"])
    ]
    first = groups.loc[groups["source"].isin({plot.esc("余热电厂 W"), plot.esc("东区调峰锅炉")})]
    assert first["value"].sum() == pytest.approx(at_peak, rel=1e-7)
    assert "[MW]" in peak.layout.title.text
    day = "2025-12-01"
    same = plot.sankey_figure(tiny, trace_heat(tiny, period=day), period=day)
    assert list(_sankey(same).link.value) == list(_sankey(peak).link.value)
    assert plot.run_figure("sankey", tiny, period="peak").to_json() == peak.to_json()
    with pytest.raises(InputError, match="unknown period"):
        plot.sankey_figure(tiny, trace_heat(tiny), period="2031-01-01")
    # a season's trace drawn as a period (or back) is a programming error, not a figure
    with pytest.raises(ValueError, match="same period"):
        plot.sankey_figure(tiny, trace_heat(tiny), period="peak")
    with pytest.raises(ValueError, match="same period"):
        plot.sankey_figure(tiny, trace_heat(tiny, period="peak"))


def test_sankey_does_not_change_the_traced_table(tiny: heatnet.StoredRun) -> None:
    paths = trace_heat(tiny)
    before = paths.copy()
    plot.sankey_figure(tiny, paths, by="technology")
    pd.testing.assert_frame_equal(paths, before)


def _pipe_lines(fig: go.Figure) -> dict[str, tuple[go.Scatter, list[float], list[float]]]:
    """The map's pipe line traces by pipe id: (trace, [x0, x1], [y0, y1]) of each segment."""
    out = {}
    for t in fig.data:
        if not (t.meta and "pipes" in t.meta):
            continue
        xs, ys = [*t.x, None], [*t.y, None]
        assert xs[2::3] == [None] * len(t.meta["pipes"])  # one segment per pipe, then a gap
        for i, pid in enumerate(t.meta["pipes"]):
            out[pid] = (t, list(xs[3 * i : 3 * i + 2]), list(ys[3 * i : 3 * i + 2]))
    return out


def _hover_layer(fig: go.Figure) -> go.Scatter:
    (layer,) = [t for t in fig.data if t.name == "pipe details"]
    return layer


def test_map_pipes_by_decision(tiny: heatnet.StoredRun) -> None:
    fig = plot.map_figure(tiny)
    assert not any(t.type in ("scattergeo", "scattermapbox", "scattermap") for t in fig.data)
    pipes = _pipe_lines(fig)
    assert set(pipes) == set(tiny.tables["pipes"].index)  # every pipe drawn once
    for pid, decision in tiny.tables["pipes"]["decision"].items():
        line = pipes[pid][0]
        assert line.meta["decision"] == decision
        assert line.line.color == plot.PIPE_STYLE[decision][0]
    assert pipes["PX"][0].line.dash == "dash"
    width = {pid: p[0].line.width for pid, p in pipes.items()}
    assert width["P1"] > width["TIE"] > width["PX"] == width["PC"] == plot.PIPE_WIDTH_IDLE_PX
    assert width["P1"] >= width["PB"] > width["TIE"]
    # one legend entry per decision
    legend = [t.name for t in fig.data if t.meta and "pipes" in t.meta and t.showlegend]
    assert legend == ["existing pipe", "pipe built in this plan", "candidate pipe, not built"]
    # pipe P1 starts at W (lon 116.30, lat 36.60)
    assert pipes["P1"][1] == [116.30, 116.70]
    assert pipes["P1"][2] == [36.60, 36.72]
    hover = _hover_layer(fig)
    assert list(hover.customdata) == list(tiny.network.pipes.index)
    p1 = list(hover.customdata).index("P1")
    assert (hover.x[p1], hover.y[p1]) == pytest.approx((116.50, 36.66))
    assert "pipe P1: 余热首站 W → 中继泵站" in hover.text[p1]
    assert "built" in hover.text[p1]
    assert fig.layout.yaxis.scaleanchor == "x"
    retired = next(t for t in fig.data if t.name == "retired source")
    assert (retired.x[0], retired.y[0]) == (117.06, 36.64)
    assert "燃煤热源厂 C" in retired.customdata[0]
    assert "retired" in retired.customdata[0]
    assert EVIL not in fig.to_json()
    districts = next(t for t in fig.data if t.name == "district (demand)")
    assert any(ESCAPED in h for h in districts.customdata)


def test_pipe_width_classes() -> None:
    assert plot.pipe_width_bin(0.0, 10.0) == 0
    assert plot.pipe_width_bin(1e-12, 10.0) == 1
    assert plot.pipe_width_bin(10.0, 10.0) == plot.PIPE_WIDTH_BINS
    bins = [plot.pipe_width_bin(v, 100.0) for v in (1, 4, 9, 25, 50, 100)]
    assert bins == sorted(bins)
    widths = [plot.pipe_bin_width(k) for k in range(plot.PIPE_WIDTH_BINS + 1)]
    assert widths == sorted(widths)
    # within half a class of the continuous width 1.5 + 10.5 √(share)
    for share in (0.01, 0.2, 0.5, 0.9, 1.0):
        exact = plot.PIPE_WIDTH_IDLE_PX + plot.PIPE_WIDTH_SPAN_PX * share**0.5
        got = plot.pipe_bin_width(plot.pipe_width_bin(share, 1.0))
        assert abs(got - exact) <= plot.PIPE_WIDTH_SPAN_PX / plot.PIPE_WIDTH_BINS / 2 + 1e-12


def test_map_without_coordinates_is_schematic(tmp_path: Path) -> None:
    run = heatnet.solve(two_node(tmp_path / "n"), heatnet.SolveOptions(heat_prices=False))
    fig = plot.map_figure(run)
    assert "schematic" in fig.layout.annotations[-1].text
    assert list(_pipe_lines(fig)) == [str(p) for p in run.network.pipes.index]


def city_run(n_districts: int, seed: int = 0) -> Any:
    """A generated city with made-up result tables (no solve): every pipe decision, idle and
    busy pipes, kept and retired coal, districts short of heat."""
    net = generate_city(n_districts, seed=seed, resolution="daily")
    rng = np.random.default_rng(seed)
    p, s, d = net.pipes, net.sources, net.demands
    decision = np.where(
        p["status"] == "existing",
        "existing",
        np.where(rng.random(len(p)) < 0.5, "built", "not_built"),
    ).astype(object)
    decision[: max(1, len(p) // 50)] = "unavailable"
    busy = np.isin(decision, ["existing", "built"]) & (rng.random(len(p)) > 0.1)
    carried = np.where(busy, rng.uniform(0.0, 2e5, len(p)), 0.0)
    forward = carried * rng.random(len(p))
    pipes = pd.DataFrame(
        {
            "decision": decision,
            "heat_in_mwh": carried,
            "forward_mwh": forward,
            "reverse_mwh": carried - forward,
            "loss_mwh": carried * 1e-3,
            "peak_flow_mw": carried / 2904,
            "utilisation": carried / 2904 / p["capacity_mw"].to_numpy(),
        },
        index=p.index,
    )
    src_decision = s["status"].map(
        {"existing": "existing", "retirable": "kept", "candidate": "not_built"}
    )
    src_decision[(s["status"] == "retirable") & (rng.random(len(s)) < 0.5)] = "retired"
    running = src_decision.isin(["existing", "kept"]).to_numpy()
    sources = pd.DataFrame(
        {
            "node": s["node"],
            "technology": s["technology"],
            "decision": src_decision,
            "heat_mwh": np.where(running, rng.uniform(0.0, 5e5, len(s)), 0.0),
        },
        index=s.index,
    )
    demand = d["design_load_mw"].to_numpy() * 1500
    nodes = pd.DataFrame(
        {
            "t": 0,
            "node": d["node"].to_numpy(),
            "demand_mwh": demand,
            "unserved_mwh": np.where(rng.random(len(d)) < 0.05, demand * 0.01, 0.0),
        }
    )
    return SimpleNamespace(
        name=net.name,
        summary={},
        network=net,
        tables={"pipes": pipes, "sources": sources, "nodes": nodes},
    )


def test_map_traces_do_not_grow_with_the_network() -> None:
    """Pipes are drawn as one line trace per (decision, width class) and one hover layer, so
    a 400-district city has no more traces than a 50-district one (at most 4 decisions × 7
    width classes + the hover layer + 3 width-scale entries + 5 node layers + one source layer
    per technology + the labels), and every pipe is in the hover layer."""
    bound = len(plot.PIPE_STYLE) * (plot.PIPE_WIDTH_BINS + 1) + 1 + 3 + 5 + len(plot.TECH_ORDER)
    bound += 1
    counts = {}
    for n in (50, 400):
        run = city_run(n)
        fig = plot.map_figure(run)
        counts[n] = len(fig.data)
        assert counts[n] <= bound
        pipe_ids = [str(p) for p in run.network.pipes.index]
        assert len(pipe_ids) > n  # far more pipes than traces
        hover = _hover_layer(fig)
        assert list(hover.customdata) == pipe_ids
        assert all(f"pipe {pid}:" in text for pid, text in zip(pipe_ids, hover.text, strict=True))
        drawn = _pipe_lines(fig)
        assert sorted(drawn) == sorted(pipe_ids)
        decisions = run.tables["pipes"]["decision"]
        assert all(drawn[pid][0].meta["decision"] == decisions[pid] for pid in pipe_ids)
        legend = {t.name for t in fig.data if t.meta and "pipes" in t.meta and t.showlegend}
        assert legend == {plot.PIPE_STYLE[d][2] for d in set(decisions)}
    assert counts[400] - counts[50] <= 2 * plot.PIPE_WIDTH_BINS


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
    from heatnet.storage import read_study

    st = read_study(study)
    assert list(st.runs) == ["base", "keep <b>coal</b>"]
    fig = plot.matrix_figure(st.runs)
    heat = fig.data[0]
    assert list(heat.x) == [plot.esc("燃煤热源厂 C")]
    assert [row[0] for row in heat.meta["decisions"]] == ["retired", "kept"]
    assert all(z is not None for row in heat.z for z in row)
    assert [row[0] for row in heat.text] == ["retired", "kept"]
    assert heat.y[1].startswith("keep &lt;b&gt;coal&lt;/b&gt;")
    assert "<b>coal</b>" not in fig.to_json()


def test_costs_and_pareto(study: Path) -> None:
    from heatnet.storage import read_study

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
    from heatnet.storage import read_study

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
