"""GIS files (docs/gis.md): networks as GeoJSON and back, GeoPackage and Shapefile through the
optional gis extra, a solved plan as layers, route_wkt, and map backgrounds. GeoJSON is
re-read with json and checked feature by feature."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet import gis, plot
from heatnet.cli import cli
from heatnet.data import default_network_path
from heatnet.errors import InputError
from heatnet.geo import (
    WktError,
    distance_m,
    format_wkt_linestring,
    line_length_km,
    parse_wkt_linestring,
)
from heatnet.io import load_network, read_network
from heatnet.storage import input_hash
from tests.helpers import two_node, write_network
from tests.plot_nets import jinan_run, solve_tiny, tiny_net

TABLES = ("nodes", "sources", "pipes", "demands", "profiles")
LAYER_OF = {"node": "nodes", "pipe": "pipes", "source": "sources", "demand": "demands"}


def assert_same_network(a: heatnet.Network, b: heatnet.Network) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert (a.name, a.description) == (b.name, b.description)
    assert a.economics == b.economics
    assert a.security == b.security
    assert a.constraints == b.constraints
    assert a.pathway == b.pathway
    assert input_hash(a) == input_hash(b)


def _json(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def check_features(net: heatnet.Network, path: Path) -> dict[str, Any]:
    """Every row of every table is one feature, with each cell as a property and the geometry
    at the node's lat/lon (pipes: the route or a straight line)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert data["heatnet"]["format"] == "heatnet-network"
    at = {
        str(n): [float(r["lon"]), float(r["lat"])]
        for n, r in net.nodes.iterrows()
        if not (math.isnan(r["lat"]) or math.isnan(r["lon"]))
    }
    seen: dict[str, list[str]] = {k: [] for k in LAYER_OF}
    for f in data["features"]:
        props = f["properties"]
        layer = props["layer"]
        table = getattr(net, LAYER_OF[layer])
        row = table.loc[props["id"]]
        seen[layer].append(props["id"])
        assert f["id"] == props["id"]
        assert set(props) == {"layer", "id", *map(str, table.columns)}
        for col in table.columns:
            assert props[col] == _json(row[col]), (layer, props["id"], col)
        geom = f["geometry"]
        if layer == "node":
            want = at.get(props["id"])
            assert geom == (None if want is None else {"type": "Point", "coordinates": want})
        elif layer == "pipe":
            if row["route_wkt"]:
                route = [list(p) for p in parse_wkt_linestring(row["route_wkt"])]
                assert geom == {"type": "LineString", "coordinates": route}
            elif row["from_node"] in at and row["to_node"] in at:
                want = [at[row["from_node"]], at[row["to_node"]]]
                assert geom == {"type": "LineString", "coordinates": want}
            else:
                assert geom is None
        else:
            want = at.get(row["node"])
            assert geom == (None if want is None else {"type": "Point", "coordinates": want})
    for layer, ids in seen.items():
        assert ids == [str(i) for i in getattr(net, LAYER_OF[layer]).index]
    prof = data["heatnet"]["profiles"]
    assert prof["columns"] == list(net.profiles.columns)
    assert len(prof["rows"]) == len(net.profiles)
    return data


def round_trip(src: Path, tmp_path: Path, suffix: str = ".geojson") -> heatnet.Network:
    out = tmp_path / f"net{suffix}"
    gis.convert(src, out)
    folder, _ = gis.read_network_gis(out, tmp_path / f"back{suffix.replace('.', '_')}")
    return load_network(folder)


# --- geometry -----------------------------------------------------------------------------------


def test_wkt_parse_and_format() -> None:
    pts = parse_wkt_linestring("LINESTRING(116.3 36.6, 116.5 36.7,116.7 36.72)")
    assert pts == [(116.3, 36.6), (116.5, 36.7), (116.7, 36.72)]
    assert parse_wkt_linestring(format_wkt_linestring(pts)) == pts
    assert parse_wkt_linestring("linestring z (1 2 3, 4 5 6)") == [(1.0, 2.0), (4.0, 5.0)]
    for bad in (
        "POINT (1 2)",
        "LINESTRING (1 2)",
        "LINESTRING (1 2, x 3)",
        "LINESTRING (1 95, 2 3)",
    ):
        with pytest.raises(WktError):
            parse_wkt_linestring(bad)
    # one degree of latitude is about 111.2 km
    assert distance_m((117.0, 36.0), (117.0, 37.0)) == pytest.approx(111_195, rel=1e-3)
    assert line_length_km([(117.0, 36.0), (117.0, 36.5), (117.0, 37.0)]) == pytest.approx(
        111.2, rel=1e-3
    )


# --- network → GeoJSON → network ----------------------------------------------------------------


def test_jinan_round_trip_feature_by_feature(tmp_path: Path) -> None:
    src = default_network_path()
    net = load_network(src)
    gis.convert(src, tmp_path / "jinan.geojson")
    data = check_features(net, tmp_path / "jinan.geojson")
    assert data["heatnet"]["network_yaml"]["security"]["served_share"] == net.security.served_share
    folder, _ = gis.read_network_gis(tmp_path / "jinan.geojson", tmp_path / "back")
    assert_same_network(net, load_network(folder))
    assert (folder / "profiles.csv").is_file()


PATHWAY_YAML = (
    "name: path\nprofiles: profiles.csv\n"
    "pathway:\n"
    "  years: [2025, 2026, 2027]\n"
    "  demand_scale: {2025: 1.0, 2027: 1.1}\n"
    "  carbon_price_cny_per_t: 120\n"
    "  co2_cap_t: {2026: 1.5e6, 2027: 1.4e6}\n"  # 1.5e6: a number to heatnet, text to PyYAML
    "  co2_peak_year: 2026\n"
    "constraints:\n"
    "  retire_together: [[C1, C2]]\n"
)


def _pathway_net(folder: Path) -> Path:
    """two_node with a pathway block written by hand, the pathway columns and constraints."""

    def source(ident: str, status: str, **more: object) -> dict[str, object]:
        tech = "coal_boiler" if status == "retirable" else "chp"
        row = {"id": ident, "node": "A", "technology": tech, "capacity_mw": 50, "status": status}
        return row | more

    def pipe(ident: str, status: str, **more: object) -> dict[str, object]:
        row = {"id": ident, "from_node": "A", "to_node": "B", "length_km": 10, "status": status}
        return row | {"capacity_mw": 80} | more

    two_node(
        folder,
        sources=[
            source("S1", "existing"),
            source("C1", "retirable", retire_by=2027),
            source("C2", "retirable"),
            source("N", "candidate", earliest_year=2026, capex_cny=1e7),
        ],
        pipes=[pipe("P1", "existing"), pipe("P2", "candidate", earliest_year=2027)],
    )
    (folder / "network.yaml").write_text(PATHWAY_YAML, "utf-8")
    return folder


def _helper_networks(tmp_path: Path) -> dict[str, Path]:
    route = "LINESTRING (116.3 36.6, 116.5 36.75, 116.7 36.72)"
    return {
        "two_node (no coordinates)": two_node(tmp_path / "two"),
        "pathway (block and columns)": _pathway_net(tmp_path / "pathway"),
        "tiny (coordinates, Chinese names, notes)": tiny_net(tmp_path / "tiny"),
        "routed, secure, with notes": write_network(
            tmp_path / "routed",
            nodes=[
                {"id": "W", "name": "余热", "lat": 36.6, "lon": 116.3, "kind": "plant"},
                {"id": "J", "name": "泵站", "lat": 36.72, "lon": 116.7},
                {"id": "X", "name": "no place"},
            ],
            sources=[
                {
                    "id": "S",
                    "node": "W",
                    "technology": "waste_heat",
                    "capacity_mw": 100,
                    "status": "existing",
                },
                {
                    "id": "G",
                    "node": "J",
                    "technology": "gas_boiler",
                    "capacity_mw": 40,
                    "status": "candidate",
                    "capex_cny": 1e7,
                    "note_site": "=SUM(A1)",
                },
            ],
            pipes=[
                {
                    "id": "P",
                    "from_node": "W",
                    "to_node": "J",
                    "length_km": 40.5,
                    "capacity_mw": 90,
                    "status": "existing",
                    "bidirectional": "false",
                    "route_wkt": route,
                },
                {
                    "id": "Q",
                    "from_node": "J",
                    "to_node": "X",
                    "length_km": 3,
                    "capacity_mw": 50,
                    "status": "candidate",
                    "capex_cny": 2e6,
                },
            ],
            demands=[
                {"id": "D", "node": "J", "design_load_mw": 60, "profile": "heat"},
                {"id": "E", "node": "X", "design_load_mw": 5, "profile": "heat"},
            ],
            profiles=[
                {"period": "t1", "weight_h": 10, "heat": 1.0},
                {"period": "t2", "weight_h": 14.5, "heat": 0.3333333333333333},
            ],
            economics={"carbon_price_cny_per_t": 96, "co2_cap_t": 1234.5},
            security={"served_share": 0.5, "contingencies": ["P"]},
        ),
    }


def test_helper_networks_round_trip(tmp_path: Path) -> None:
    for label, src in _helper_networks(tmp_path).items():
        net = load_network(src)
        out = tmp_path / f"{src.name}.geojson"
        gis.convert(src, out)
        check_features(net, out)
        folder, _ = gis.read_network_gis(out, tmp_path / f"{src.name}-back")
        try:
            assert_same_network(net, load_network(folder))
        except AssertionError as exc:  # pragma: no cover - message only
            raise AssertionError(f"{label}: {exc}") from exc


def test_pathway_travels_in_the_collection(tmp_path: Path) -> None:
    net = load_network(_pathway_net(tmp_path / "p"))
    assert net.pathway is not None
    assert net.pathway.co2_cap_t == ((2026, 1.5e6), (2027, 1.4e6))
    block = gis.network_collection(net)["heatnet"]["network_yaml"]["pathway"]
    assert block["co2_cap_t"] == {"2026": 1.5e6, "2027": 1.4e6}  # numbers, keys as JSON text
    assert block["years"] == [2025, 2026, 2027]
    # a network built in memory: every block as write_network writes it
    memory = dataclasses.replace(net, folder=None)
    doc = gis.network_yaml_document(memory)
    assert doc["pathway"] == {
        "years": [2025, 2026, 2027],
        "demand_scale": {"2025": 1.0, "2027": 1.1},
        "carbon_price_cny_per_t": {"2025": 120.0},
        "co2_cap_t": {"2026": 1.5e6, "2027": 1.4e6},
        "co2_peak_year": 2026,
    }
    assert doc["constraints"]["retire_together"] == [["C1", "C2"]]
    folder, _ = gis.collection_to_folder(gis.network_collection(memory), tmp_path / "back")
    back = load_network(folder)
    assert back.pathway == net.pathway
    assert back.constraints == net.constraints
    assert back.sources.loc["C1", "retire_by"] == 2027
    assert back.pipes.loc["P2", "earliest_year"] == 2027
    assert back.sources["earliest_year"].dtype == float


def test_round_trip_solves_to_the_same_optimum(tmp_path: Path) -> None:
    src = tiny_net(tmp_path / "tiny")
    back = round_trip(src, tmp_path)
    opts = heatnet.SolveOptions(heat_prices=False)
    a, b = heatnet.solve(src, opts), heatnet.solve(back, opts)
    assert a.is_optimal
    assert b.is_optimal
    assert b.summary["objective_cny"] == a.summary["objective_cny"]
    assert b.summary["built_pipes"] == a.summary["built_pipes"]


@pytest.mark.slow
def test_jinan_round_trip_solves_to_the_same_optimum(tmp_path: Path) -> None:
    back = round_trip(default_network_path(), tmp_path)
    stored = heatnet.read_run(jinan_run())  # the session's one Jinan solve
    run = heatnet.solve(back, heatnet.SolveOptions(mip_gap=0.01, heat_prices=False))
    assert run.summary["objective_cny"] == pytest.approx(stored.summary["objective_cny"], rel=1e-9)
    assert run.summary["retired"] == stored.summary["retired"]
    assert run.summary["built_pipes"] == stored.summary["built_pipes"]


def test_cli_convert_both_ways(tmp_path: Path) -> None:
    src = tiny_net(tmp_path / "tiny")
    runner = CliRunner()
    res = runner.invoke(cli, ["convert", str(src), str(tmp_path / "t.geojson")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["convert", str(tmp_path / "t.geojson"), str(tmp_path / "t")])
    assert res.exit_code == 0, res.output
    assert_same_network(load_network(src), load_network(tmp_path / "t"))
    # an existing target is refused without --force, replaced with it
    res = runner.invoke(cli, ["convert", str(src), str(tmp_path / "t.geojson")])
    assert res.exit_code == 1
    assert "--force" in res.output
    res = runner.invoke(cli, ["convert", str(tmp_path / "t.geojson"), str(tmp_path / "t")])
    assert res.exit_code == 1
    assert "not empty" in res.output
    args = ["convert", str(tmp_path / "t.geojson"), str(tmp_path / "t"), "--force"]
    assert runner.invoke(cli, args).exit_code == 0


# --- GeoJSON drawn or edited in a GIS -----------------------------------------------------------


def _tiny_collection(tmp_path: Path) -> dict[str, Any]:
    src = tiny_net(tmp_path / "tiny")
    gis.convert(src, tmp_path / "tiny.geojson")
    return json.loads((tmp_path / "tiny.geojson").read_text(encoding="utf-8"))


def _feature(data: dict[str, Any], layer: str, ident: str) -> dict[str, Any]:
    (f,) = [
        f
        for f in data["features"]
        if f["properties"]["layer"] == layer and f["properties"]["id"] == ident
    ]
    return f


def _convert(data: dict[str, Any], tmp_path: Path, **kw: Any) -> heatnet.Network:
    path = tmp_path / "edited.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    folder, _ = gis.read_network_gis(path, tmp_path / "edited", **kw)
    return load_network(folder)


def test_drawn_pipe_is_snapped_routed_and_measured(tmp_path: Path) -> None:
    data = _tiny_collection(tmp_path)
    p1 = _feature(data, "pipe", "P1")
    w, j = p1["geometry"]["coordinates"]
    # drawn in a GIS: ends ~20 m off the nodes, a bend, no nodes or length given
    start = [w[0] + 0.0002, w[1]]
    bend = [(w[0] + j[0]) / 2, w[1] + 0.1]
    end = [j[0], j[1] - 0.0001]
    props = {k: v for k, v in p1["properties"].items() if k not in ("from_node", "to_node")}
    props.update(id="NEW", length_km=None, route_wkt=None)
    data["features"].append(
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [start, bend, end]},
            "properties": props,
        }
    )
    net = _convert(data, tmp_path)
    row = net.pipes.loc["NEW"]
    assert (row["from_node"], row["to_node"]) == ("W", "J")
    route = parse_wkt_linestring(row["route_wkt"])
    assert route == [tuple(w), tuple(bend), tuple(j)]  # ends snapped onto the nodes
    assert row["length_km"] == pytest.approx(round(line_length_km(route), 3))


def test_unsnappable_ends_are_listed(tmp_path: Path) -> None:
    data = _tiny_collection(tmp_path)
    p1 = _feature(data, "pipe", "P1")
    p1["geometry"]["coordinates"][0][0] += 0.01  # ~900 m east of W
    px = _feature(data, "pipe", "PX")
    px["properties"]["to_node"] = None
    px["geometry"]["coordinates"][-1][1] += 0.02  # ~2.2 km north of B, no to_node
    with pytest.raises(InputError) as err:
        _convert(data, tmp_path)
    problems = err.value.errors
    assert len(problems) == 2
    first, second = problems
    assert first.file == "edited.geojson"
    assert (first.id, first.column) == ("P1", "from_node")
    assert "feature" in first.message
    assert "start" in first.message
    assert "m from from_node W" in first.found
    assert "50 m" in first.expected
    assert (second.id, second.column) == ("PX", "to_node")
    assert "nearest node B" in second.found
    assert not (tmp_path / "edited").exists()
    # a wider tolerance snaps both
    net = _convert(data, tmp_path, snap_m=3000)
    assert net.pipes.at["PX", "to_node"] == "B"


def test_unknown_layer_and_bad_geometry(tmp_path: Path) -> None:
    data = _tiny_collection(tmp_path)
    _feature(data, "pipe", "P2")["properties"]["layer"] = "pipes"
    _feature(data, "node", "J")["geometry"] = {"type": "LineString", "coordinates": [[1, 2]]}
    data["features"].append({"type": "Feature", "geometry": None, "properties": {"id": "Z"}})
    with pytest.raises(InputError) as err:
        _convert(data, tmp_path)
    by_column = {(p.id, p.column): p for p in err.value.errors}
    layer = by_column[("P2", "layer")]
    assert "unknown layer" in layer.message
    assert layer.found == "'pipes'"
    assert "Did you mean 'pipe'?" in layer.hint
    assert ("Z", "layer") in by_column
    assert by_column[("J", "geometry")].message.startswith("node geometry is not usable")


def test_format_problems_point_at_features(tmp_path: Path) -> None:
    data = _tiny_collection(tmp_path)
    _feature(data, "pipe", "PB")["properties"]["capacity_mw"] = -5
    _feature(data, "demand", data["features"][-1]["properties"]["id"])["properties"]["node"] = "Q"
    with pytest.raises(InputError) as err:
        _convert(data, tmp_path)
    text = str(err.value)
    cap = next(p for p in err.value.errors if p.column == "capacity_mw")
    assert cap.file == "edited.geojson"
    assert cap.id == "PB"
    assert "pipe feature" in cap.message
    assert "'Q'" in text


def test_not_geojson(tmp_path: Path) -> None:
    path = tmp_path / "x.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be read as JSON"):
        gis.read_network_gis(path, tmp_path / "out")
    path.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(InputError, match="not a GeoJSON FeatureCollection"):
        gis.read_network_gis(path, tmp_path / "out")


# --- route_wkt in pipes.csv ---------------------------------------------------------------------


def _routed(tmp_path: Path, route: str) -> list[Any]:
    folder = two_node(
        tmp_path / f"r{abs(hash(route))}",
        nodes=[
            {"id": "A", "name": "Plant", "lat": 36.6, "lon": 116.3},
            {"id": "B", "name": "Town", "lat": 36.7, "lon": 116.5},
        ],
        pipes=[
            {
                "id": "P1",
                "from_node": "A",
                "to_node": "B",
                "length_km": 25,
                "capacity_mw": 80,
                "status": "existing",
                "route_wkt": route,
            }
        ],
    )
    _, problems = read_network(folder)
    return [p for p in problems if p.column == "route_wkt"]


def test_route_wkt_is_validated(tmp_path: Path) -> None:
    assert _routed(tmp_path, "LINESTRING (116.3 36.6, 116.4 36.68, 116.5 36.7)") == []
    assert _routed(tmp_path, "LINESTRING (116.3002 36.6, 116.5 36.7)") == []  # ~18 m off
    cases = {
        "LINESTRING (116.3 36.6)": "a line needs at least 2",
        "POINT (116.3 36.6)": "not a WKT LINESTRING",
        "LINESTRING (116.3 36.6, 116.5 96.7)": "latitude 96.7",
        "LINESTRING (36.6 116.3, 36.7 116.5)": "latitude 116.3",
        "LINESTRING (116.3 36.6, 116.5 36.8)": "ends",
        "LINESTRING (116.5 36.7, 116.3 36.6)": "starts",
    }
    for route, words in cases.items():
        p = _routed(tmp_path, route)[0]
        assert p.severity == "error"
        assert (p.file, p.id, p.column, p.line) == ("pipes.csv", "P1", "route_wkt", 2)
        assert words in p.message + p.found, (route, str(p))
    reversed_ = _routed(tmp_path, "LINESTRING (116.5 36.7, 116.3 36.6)")
    assert [p.message.split()[1] for p in reversed_] == ["starts", "ends"]
    assert all("reverse" in p.hint for p in reversed_)


# --- a solved plan ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solve_tiny(tmp_path_factory.mktemp("gis"))


def test_export_plan_geojson(tiny_run: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        cli, ["export", str(tiny_run), "--format", "geojson", "--out", str(tmp_path / "p.geojson")]
    )
    assert res.exit_code == 0, res.output
    stored = heatnet.read_run(tiny_run)
    net, pipes, sources = stored.network, stored.tables["pipes"], stored.tables["sources"]
    at = {n: [r["lon"], r["lat"]] for n, r in net.nodes.iterrows()}
    layer = json.loads((tmp_path / "p-pipes.geojson").read_text(encoding="utf-8"))
    assert layer["type"] == "FeatureCollection"
    assert [f["id"] for f in layer["features"]] == list(net.pipes.index)
    for f in layer["features"]:
        pid, props = f["id"], f["properties"]
        assert props["decision"] == pipes.at[pid, "decision"]
        assert props["heat_in_mwh"] == pytest.approx(pipes.at[pid, "heat_in_mwh"])
        a, b = net.pipes.at[pid, "from_node"], net.pipes.at[pid, "to_node"]
        assert f["geometry"] == {"type": "LineString", "coordinates": [at[a], at[b]]}
    decisions = {f["id"]: f["properties"]["decision"] for f in layer["features"]}
    assert decisions["P1"] == "built"
    assert decisions["PX"] == "not_built"
    assert decisions["P2"] == "existing"
    layer = json.loads((tmp_path / "p-sources.geojson").read_text(encoding="utf-8"))
    for f in layer["features"]:
        assert f["properties"]["decision"] == sources.at[f["id"], "decision"]
        assert f["properties"]["heat_mwh"] == pytest.approx(sources.at[f["id"], "heat_mwh"])
        assert f["geometry"]["coordinates"] == at[net.sources.at[f["id"], "node"]]
    layer = json.loads((tmp_path / "p-nodes.geojson").read_text(encoding="utf-8"))
    demand = {f["id"]: f["properties"].get("demand_mwh") for f in layer["features"]}
    total = stored.tables["nodes"]["demand_mwh"].sum()
    assert sum(v for v in demand.values() if v is not None) == pytest.approx(total)
    assert demand["W"] is None  # no demand at the waste-heat plant


def test_export_default_names(tiny_run: Path) -> None:
    res = CliRunner().invoke(cli, ["export", str(tiny_run), "--format", "geojson"])
    assert res.exit_code == 0, res.output
    for name in ("pipes", "sources", "nodes"):
        assert (tiny_run / f"plan-{name}.geojson").is_file()


# --- GeoPackage and Shapefile (gis extra) ------------------------------------------------------


def test_gpkg_and_shp_need_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyogrio", None)  # import pyogrio → ImportError
    src = two_node(tmp_path / "two")
    for suffix in (".gpkg", ".shp"):
        with pytest.raises(InputError) as err:
            gis.convert(src, tmp_path / f"x{suffix}")
        assert "gis" in str(err.value)
        assert 'pip install "heatnet[gis]"' in str(err.value)
    res = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "x.gpkg")])
    assert res.exit_code == 1
    assert "heatnet[gis]" in res.output
    gis.convert(src, tmp_path / "x.geojson")  # GeoJSON needs nothing more
    assert (tmp_path / "x.geojson").is_file()


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_gpkg_and_shp_round_trip(tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("pyogrio")
    for src in _helper_networks(tmp_path).values():
        net = load_network(src)
        back = round_trip(src, tmp_path / src.name, suffix)
        assert_same_network(net, back)
    assert not list(tmp_path.rglob("*.aux.xml"))


def test_export_plan_gpkg(tiny_run: Path, tmp_path: Path) -> None:
    pyogrio = pytest.importorskip("pyogrio")
    out = tmp_path / "plan.gpkg"
    res = CliRunner().invoke(cli, ["export", str(tiny_run), "--format", "gpkg", "--out", str(out)])
    assert res.exit_code == 0, res.output
    layers = {str(name): str(kind) for name, kind in pyogrio.list_layers(str(out))}
    assert layers == {"pipes": "LineString", "sources": "Point", "nodes": "Point"}
    meta, _, _, values = pyogrio.raw.read(str(out), layer="pipes")
    fields = dict(zip(list(meta["fields"]), values, strict=True))
    assert "built" in list(fields["decision"])
    assert "heat_in_mwh" in fields


# --- maps ---------------------------------------------------------------------------------------


def test_map_draws_routes_and_background(tmp_path: Path) -> None:
    src = tiny_net(tmp_path / "tiny")
    pipes = pd.read_csv(src / "pipes.csv", dtype=str, keep_default_na=False)
    nodes = pd.read_csv(src / "nodes.csv").set_index("id")
    bend = (116.5, 36.5)
    route = format_wkt_linestring(
        [
            (nodes.at["W", "lon"], nodes.at["W", "lat"]),
            bend,
            (nodes.at["J", "lon"], nodes.at["J", "lat"]),
        ]
    )
    pipes["route_wkt"] = ["" if p != "P1" else route for p in pipes["id"]]
    pipes.to_csv(src / "pipes.csv", index=False)
    run_dir = heatnet.solve(src, heatnet.SolveOptions(heat_prices=False)).write(tmp_path / "r")
    areas = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "东区"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[116.9, 36.6], [117.1, 36.6], [117.1, 36.7], [116.9, 36.6]]],
                },
            },
            {
                "type": "Feature",
                "properties": {"name": "road"},
                "geometry": {"type": "LineString", "coordinates": [[116.3, 36.7], [117.2, 36.7]]},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [1, 2]},
            },
        ],
    }
    bg = tmp_path / "areas.geojson"
    bg.write_text(json.dumps(areas), encoding="utf-8")
    fig = plot.map_figure(heatnet.read_run(run_dir), background=bg)
    first = fig.data[0]
    assert first.name == "background"
    assert list(first.x) == [116.9, 117.1, 117.1, 116.9, None, 116.3, 117.2]
    p1 = next(t for t in fig.data if t.meta and "P1" in t.meta.get("pipes", []))
    assert bend[0] in list(p1.x)
    assert bend[1] in list(p1.y)
    # the CLI passes --background through
    out = tmp_path / "map.html"
    res = CliRunner().invoke(
        cli, ["plot", str(run_dir), "--kind", "map", "--background", str(bg), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    # other geometry is an error naming the feature
    areas["features"].append(
        {"type": "Feature", "properties": {}, "geometry": {"type": "GeometryCollection"}}
    )
    bg.write_text(json.dumps(areas), encoding="utf-8")
    with pytest.raises(InputError, match=r"feature 4"):
        plot.map_figure(heatnet.read_run(run_dir), background=bg)
    res = CliRunner().invoke(
        cli, ["plot", str(run_dir), "--kind", "dispatch", "--background", str(bg)]
    )
    assert res.exit_code == 1
    assert "--background applies to map" in res.output
