"""The map and Sankey of the embedded Jinan network stay readable (issue 14, findings 10 and
11): sources in the legend by technology, long lines labelled, labels that do not overlap, a
width scale; short names in the Sankey, small flows grouped, the retirable points as one
group."""

from __future__ import annotations

import html
import itertools
import unicodedata

import pandas as pd
import plotly.graph_objects as go
import pytest

import heatnet
from heatnet import plot
from heatnet.trace import display_names, pipe_corridors, trace_heat
from tests.plot_nets import jinan_run


@pytest.fixture(scope="module")
def jinan() -> heatnet.StoredRun:
    return heatnet.read_run(jinan_run())


# --- map ----------------------------------------------------------------------------------------


def _labels(fig: go.Figure) -> go.Scatter:
    (layer,) = [t for t in fig.data if t.meta and t.meta.get("labels")]
    return layer


def test_map_legend_by_technology(jinan: heatnet.StoredRun) -> None:
    fig = plot.map_figure(jinan)
    entries = [t for t in fig.data if t.legendgroup == "sources"]
    info = plot.source_info(jinan)
    live = info.loc[info["decision"].isin(plot.IN_SERVICE)]
    assert {t.meta["technology"] for t in entries} <= set(live["technology"])
    assert len(entries) == len({t.meta["technology"] for t in entries}) >= 3  # one per technology
    for t in entries:
        assert t.name == plot.esc(f"source: {plot.tech_label(t.meta['technology'])}")
        assert t.marker.color == plot.tech_colour(t.meta["technology"])
    assert not any(t.name == "source in service" for t in fig.data)
    # the coal points (retirable, kept) are in the legend as coal boilers
    assert "source: coal boiler" in {t.name for t in entries}


def test_map_width_scale(jinan: heatnet.StoredRun) -> None:
    fig = plot.map_figure(jinan)
    scale = [t for t in fig.data if t.legendgroup == "width-scale"]
    assert len(scale) == 3
    refs = [t.meta["width_scale"] for t in scale]
    assert refs == sorted(refs, reverse=True)
    widths = [t.line.width for t in scale]
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == 3
    assert all(t.name.endswith(" GWh") and list(t.x) == [None] for t in scale)
    busiest = float(jinan.tables["pipes"]["heat_in_mwh"].max()) / 1000
    assert busiest / 2 < refs[0] <= busiest  # a round amount near the busiest pipe's heat
    assert "GWh" in scale[0].legendgrouptitle.text


def test_map_long_lines_are_labelled(jinan: heatnet.StoredRun) -> None:
    fig = plot.map_figure(jinan)
    texts = {html.unescape(t) for t in _labels(fig).text}
    pipes = jinan.network.pipes
    decision = jinan.tables["pipes"]["decision"]
    corridor = pipe_corridors(jinan, "project")
    names = display_names(pipes, pipes.index)
    long_ids = [
        p
        for p in pipes.index
        if pipes.at[p, "length_km"] >= plot.MAP_LONG_LINE_KM and decision[p] in plot.IN_SERVICE
    ]
    assert len(long_ids) >= 5
    for p in long_ids:
        wanted = {plot.shorten(corridor[p], 18), plot.shorten(names[p], 18)}
        assert texts & wanted, (p, wanted)
    assert "聊热入济 北线 (2025)" in texts
    assert "石热入济 (2023)" in texts
    assert "HYPOTHETICAL" not in texts  # a kind of pipe, not a line name
    # no label without labels
    assert not [
        t for t in plot.map_figure(jinan, show_labels=False).data if t.meta and "labels" in t.meta
    ]


def _box(x: float, y: float, text: str, size: float, sx: float, sy: float) -> tuple:
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62 for c in text)
    w, h = ems * size, 1.3 * size
    return (x * sx - w / 2, y * sy - h / 2, x * sx + w / 2, y * sy + h / 2)


def test_map_labels_do_not_overlap(jinan: heatnet.StoredRun) -> None:
    fig = plot.map_figure(jinan)
    layer = _labels(fig)
    sx, sy = layer.meta["px_per_x"], layer.meta["px_per_y"]
    texts = [html.unescape(t) for t in layer.text]
    boxes = [
        _box(x, y, t, s, sx, sy)
        for x, y, t, s in zip(layer.x, layer.y, texts, layer.textfont.size, strict=True)
    ]
    for a, b in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # few labels: the big districts and sources and the long lines, not all 27 nodes
    assert 10 <= len(texts) < len(jinan.network.nodes)
    # short names where given (信源: "信源电厂 余热首站", not the long note)
    assert "信源电厂 余热首站" in texts
    assert not any("信发集团" in t for t in texts)
    # the scale is the plot area's: equal ground scale at Jinan's latitude
    assert sy / sx == pytest.approx(1 / 0.8, rel=0.05)
    assert fig.layout.yaxis.scaleratio == pytest.approx(sy / sx)
    # hover keeps the full name
    (districts,) = [t for t in fig.data if t.name == "district (demand)"]
    assert all("<b>" in c for c in districts.customdata)


# --- Sankey -------------------------------------------------------------------------------------


def _frame(fig: go.Figure) -> tuple[list[str], pd.DataFrame]:
    (s,) = [t for t in fig.data if isinstance(t, go.Sankey)]
    labels = list(s.node.label)
    links = pd.DataFrame(
        {
            "source": [labels[i] for i in s.link.source],
            "target": [labels[i] for i in s.link.target],
            "value": list(s.link.value),
        }
    )
    return labels, links


def test_sankey_short_names(jinan: heatnet.StoredRun) -> None:
    labels, _ = _frame(plot.sankey_figure(jinan, trace_heat(jinan)))
    assert "信源电厂余热" in labels  # short_name of S_XINYUAN
    assert not any("北线建成前无法外送" in x or "…" in x for x in labels if "信源" in x)
    sources = jinan.network.sources
    assert display_names(sources, ["S_XINYUAN"]) == {"S_XINYUAN": "信源电厂余热"}
    full = display_names(sources, ["S_XINYUAN"], short=False)["S_XINYUAN"]
    assert full.startswith("信源电厂余热 (聊热入济北线热源)")
    # an empty short_name falls back to the name, a missing name to the id
    table = pd.DataFrame({"name": ["甲厂 (注)", ""], "short_name": ["", ""]}, index=["A", "B"])
    assert display_names(table, ["A", "B"]) == {"A": "甲厂 (注)", "B": "B"}


def test_sankey_groups_small_flows(jinan: heatnet.StoredRun) -> None:
    paths = trace_heat(jinan)
    labels, links = _frame(plot.sankey_figure(jinan, paths))
    produced = paths["heat_mwh"].sum() / 1000
    src = jinan.tables["sources"]
    retirable = src["decision"].isin(plot.RETIRABLE_DECISIONS)
    by_source = paths.groupby("source")["heat_mwh"].sum() / 1000
    small = [
        s
        for s, v in by_source.items()
        if v < plot.SANKEY_SMALL_SHARE * produced and not retirable[s]
    ]
    assert len(small) >= 2
    (other,) = [x for x in labels if x.startswith("other sources")]
    assert other == f"other sources ({len(small)})"
    out_of_other = links.loc[links["source"] == other, "value"].sum()
    assert out_of_other == pytest.approx(by_source[small].sum(), rel=1e-9)
    # totals are kept: out of the first column = heat produced; into each district = demand
    first = [x for x in labels if x not in set(links["target"])]
    assert links.loc[links["source"].isin(first), "value"].sum() == pytest.approx(
        src["heat_mwh"].sum() / 1000, rel=1e-7
    )
    losses = links.loc[links["target"] == "pipe losses", "value"].sum()
    assert losses == pytest.approx(jinan.tables["pipes"]["loss_mwh"].sum() / 1000, rel=1e-7)
    demand = jinan.tables["nodes"]["demand_mwh"].sum() / 1000
    into_districts = links.loc[links["target"] != "pipe losses"]
    middle = set(links["target"]) & set(links["source"])
    assert into_districts.loc[into_districts["source"].isin(middle), "value"].sum() == (
        pytest.approx(demand, rel=1e-7)
    )
    # no link carries a sliver split by technology: small parts of a pair are one grey link
    mixed = links.loc[links.duplicated(["source", "target"], keep=False)]
    assert (mixed["value"] >= plot.SANKEY_SMALL_SHARE * produced).sum() >= len(mixed) - 1


def test_sankey_retirable_group(jinan: heatnet.StoredRun) -> None:
    paths = trace_heat(jinan)
    fig = plot.sankey_figure(jinan, paths)
    labels, links = _frame(fig)
    src = jinan.tables["sources"]
    retirable = src.index[src["decision"].isin(plot.RETIRABLE_DECISIONS)]
    assert len(retirable) == 11
    kept = int(src.loc[retirable, "decision"].isin(["kept", "forced_kept"]).sum())
    label = f"coal points (retirable): {kept} kept, {len(retirable) - kept} retired"
    assert label in labels
    assert label in fig.layout.title.text
    heat = src.loc[retirable, "heat_mwh"].sum() / 1000
    assert links.loc[links["source"] == label, "value"].sum() == pytest.approx(heat, rel=1e-7)
    # no coal point has a node of its own
    names = display_names(jinan.network.sources, list(retirable))
    assert not set(names.values()) & set(labels)
    # one block at the bottom of the first column, every point in its hover
    (s,) = [t for t in fig.data if isinstance(t, go.Sankey)]
    i = labels.index(label)
    first = [j for j, x in enumerate(s.node.x) if x < 0.1]
    assert s.node.y[i] == max(s.node.y[j] for j in first)
    assert all(plot.esc(plot.shorten(names[r], 30)) in s.node.customdata[i] for r in retirable)


def test_sankey_retirable_group_when_all_are_retired(tiny: heatnet.StoredRun) -> None:
    labels, _ = _frame(plot.sankey_figure(tiny, trace_heat(tiny)))
    assert "coal points (retirable): 0 kept, 1 retired" in labels


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> heatnet.StoredRun:
    from tests.plot_nets import solve_tiny

    return heatnet.read_run(solve_tiny(tmp_path_factory.mktemp("readable")))
