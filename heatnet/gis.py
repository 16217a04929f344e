"""Networks and plans as GIS files (layout and reasons: ``docs/gis.md``).

* GeoJSON, with no extra dependency: a network is one FeatureCollection whose features carry a
  ``layer`` property (``node``, ``pipe``, ``source``, ``demand``) and every column of their
  table as properties; ``network.yaml``, the column order of each table and the profiles
  travel in the collection's foreign member ``heatnet`` (which GIS programs ignore).
* GeoPackage and Shapefile through the optional ``gis`` extra (pyogrio): one layer per table
  (``nodes``, ``pipes``, ``sources``, ``demands``), the ``heatnet`` member as GeoPackage
  metadata or, for Shapefiles, in a ``.heatnet.json`` file beside them.

Nodes are points at their lat/lon; pipes are line strings along ``route_wkt`` when given, else
straight between their nodes; sources and demands are points at their node. Reading snaps line
ends to nodes within ``snap_m`` metres and reports every end it cannot snap.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from heatnet import schema
from heatnet.errors import InputError, Problem, did_you_mean
from heatnet.geo import (
    DEFAULT_SNAP_M,
    Coord,
    WktError,
    check_lon_lat,
    distance_m,
    format_wkt_linestring,
    line_length_km,
    linestring_wkb,
    parse_wkt_linestring,
    point_wkb,
    wkb_geometry,
)
from heatnet.io import (
    network_document,
    parse_yaml,
    read_network,
    resolve_network_path,
    shareable_mode,
    write_csv_atomic,
    write_text_atomic,
)
from heatnet.network import Network

FORMAT = "heatnet-network"
"""Value of ``heatnet.format`` in a network GeoJSON."""
FORMAT_VERSION = 1
LAYER_TABLES: dict[str, schema.TableSchema] = {
    "node": schema.NODES,
    "pipe": schema.PIPES,
    "source": schema.SOURCES,
    "demand": schema.DEMANDS,
}
"""The ``layer`` property of a feature and the table it is a row of."""
LAYER_NAMES: dict[str, str] = {
    "node": "nodes",
    "pipe": "pipes",
    "source": "sources",
    "demand": "demands",
}
"""Layer names in GeoPackages and Shapefiles (and the plan export's files)."""
SUFFIX_FORMATS: dict[str, str] = {".geojson": "geojson", ".gpkg": "gpkg", ".shp": "shp"}
"""GIS formats by file suffix."""
GIS_FORMATS: tuple[str, ...] = ("geojson", "gpkg", "shp")
EXTRA_HINT = (
    'Install the optional extra: pip install "heatnet[gis]" (in a checkout: pip install ".[gis]")'
)
BACKGROUND_TYPES = ("Polygon", "MultiPolygon", "LineString", "MultiLineString")


def gis_format(path: Path) -> str | None:
    """``geojson``, ``gpkg`` or ``shp`` by the file suffix, or None."""
    return SUFFIX_FORMATS.get(Path(path).suffix.lower())


def need_pyogrio(what: str) -> Any:
    """The pyogrio module, or :class:`InputError` naming the ``gis`` extra."""
    try:
        import pyogrio
    except ImportError:
        raise InputError(
            [
                Problem(
                    None,
                    f"{what} needs pyogrio, from heatnet's optional 'gis' extra",
                    expected="pyogrio installed",
                    found="no module named pyogrio",
                    hint=EXTRA_HINT + "; GeoJSON works without it",
                )
            ]
        ) from None
    # no .aux.xml files beside what is read or written
    pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": "NO"})
    return pyogrio


# --- values ------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """A table cell as JSON: NaN and None as null, numpy scalars as Python values."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, int | np.integer):
        return int(value)
    return value if isinstance(value, str) else str(value)


def _cell(value: Any) -> str:
    """A property value as the CSV text heatnet reads back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        f = float(value)
        return repr(f) if math.isfinite(f) else ""
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _node_coords(nodes: pd.DataFrame) -> dict[str, Coord]:
    out: dict[str, Coord] = {}
    if not {"lat", "lon"} <= set(nodes.columns):
        return out
    for nid, lat, lon in zip(nodes.index, nodes["lat"], nodes["lon"], strict=True):
        try:
            x, y = float(lon), float(lat)
        except (TypeError, ValueError):
            continue
        if math.isfinite(x) and math.isfinite(y):
            out[str(nid)] = (x, y)
    return out


def _point(coord: Coord | None) -> dict[str, Any] | None:
    return None if coord is None else {"type": "Point", "coordinates": [coord[0], coord[1]]}


def pipe_route(row: Mapping[str, Any], at: Mapping[str, Coord]) -> list[Coord] | None:
    """A pipe's line: its ``route_wkt`` when given and readable, else straight between its
    nodes, or None when a node has no coordinates."""
    text = str(row.get("route_wkt") or "").strip()
    if text:
        try:
            return parse_wkt_linestring(text)
        except WktError:
            pass
    a, b = at.get(str(row["from_node"])), at.get(str(row["to_node"]))
    return None if a is None or b is None else [a, b]


def _line(coords: Sequence[Coord] | None) -> dict[str, Any] | None:
    if coords is None:
        return None
    return {"type": "LineString", "coordinates": [[x, y] for x, y in coords]}


def _feature(layer: str | None, ident: str, row: Mapping[str, Any], geometry: Any) -> dict:
    props: dict[str, Any] = {} if layer is None else {"layer": layer}
    props["id"] = ident
    props.update({str(k): _json_value(v) for k, v in row.items()})
    return {"type": "Feature", "id": ident, "geometry": geometry, "properties": props}


# --- network → GeoJSON -------------------------------------------------------------------------


def network_yaml_document(net: Network) -> dict[str, Any]:
    """``network.yaml`` of ``net`` as a mapping without ``profiles``: the file's own keys when
    the network was read from a folder (every key kept, comments lost), else what
    :func:`heatnet.io.write_network` would write."""
    doc: dict[str, Any] | None = None
    if net.folder is not None and (Path(net.folder) / "network.yaml").is_file():
        # the loader's own YAML reading: 1.5e6 is a number (PyYAML alone reads it as text)
        text = (Path(net.folder) / "network.yaml").read_text(encoding="utf-8")
        loaded = parse_yaml(text, "network.yaml", [])
        doc = dict(loaded) if isinstance(loaded, dict) else None
    if doc is None:
        doc = network_document(net)
    doc.pop("profiles", None)
    return json.loads(json.dumps(doc, ensure_ascii=False, default=str))


def network_collection(net: Network) -> dict[str, Any]:
    """The network as one GeoJSON FeatureCollection (see the module docstring)."""
    at = _node_coords(net.nodes)
    features: list[dict[str, Any]] = []
    for nid, row in net.nodes.iterrows():
        features.append(_feature("node", str(nid), row, _point(at.get(str(nid)))))
    for pid, row in net.pipes.iterrows():
        features.append(_feature("pipe", str(pid), row, _line(pipe_route(row, at))))
    for layer, df in (("source", net.sources), ("demand", net.demands)):
        for ident, row in df.iterrows():
            features.append(_feature(layer, str(ident), row, _point(at.get(str(row["node"])))))
    prof = net.profiles
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "network_yaml": network_yaml_document(net),
        "columns": {
            layer: ["id", *map(str, df.columns)]
            for layer, df in (
                ("node", net.nodes),
                ("pipe", net.pipes),
                ("source", net.sources),
                ("demand", net.demands),
            )
        },
        "profiles": {
            "columns": [str(c) for c in prof.columns],
            "rows": [[_json_value(v) for v in r] for r in prof.itertuples(index=False)],
        },
    }
    return {"type": "FeatureCollection", "name": net.name, "heatnet": meta, "features": features}


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


def _dump_features(collection: Mapping[str, Any]) -> str:
    """GeoJSON text with one feature per line (readable, diffable, small)."""
    head = {k: v for k, v in collection.items() if k != "features"}
    feats = ",\n".join(_dump(f).rstrip("\n") for f in collection["features"])
    return _dump(head).rstrip("\n")[:-1] + ',"features":[\n' + feats + "\n]}\n"


def network_gis_paths(path: str | os.PathLike[str]) -> list[Path]:
    """The files :func:`write_network_gis` writes for ``path``."""
    out = Path(path)
    if gis_format(out) == "shp":
        layers, side = _shp_paths(out)
        return [*layers.values(), side]
    return [out]


def _refuse_existing(paths: Iterable[Path], force: bool) -> None:
    taken = [p for p in paths if p.exists()]
    if taken and not force:
        raise InputError(
            [
                Problem(
                    str(p),
                    "file exists",
                    expected="a new file name",
                    found="a file",
                    hint="Use --force to replace it",
                )
                for p in taken
            ]
        )


def write_network_gis(
    net: Network, path: str | os.PathLike[str], *, force: bool = False
) -> list[Path]:
    """Write ``net`` as a GIS file by suffix (.geojson, .gpkg, .shp); the files written. An
    existing file is an error unless ``force``."""
    out = Path(path)
    fmt = gis_format(out)
    _refuse_existing(network_gis_paths(out), force)
    collection = network_collection(net)
    if fmt == "geojson":
        write_text_atomic(out, _dump_features(collection))
        return [out]
    if fmt in ("gpkg", "shp"):
        return _write_ogr(collection, out, fmt)
    raise InputError([_suffix_problem(out)])


def _suffix_problem(path: Path) -> Problem:
    return Problem(
        str(path),
        "unknown GIS file type",
        expected="a name ending in .geojson, .gpkg or .shp",
        found=repr(path.suffix or "no suffix"),
    )


# --- GeoJSON → network -------------------------------------------------------------------------


def read_collection(path: Path) -> dict[str, Any]:
    """A GeoJSON FeatureCollection read from ``path`` (InputError when it is not one)."""
    label = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(
            [Problem(label, "file not found", expected=f"a file at {path}", found="nothing")]
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(
            [
                Problem(
                    label,
                    "cannot be read as JSON",
                    line=line,
                    expected="a GeoJSON FeatureCollection",
                    found=str(exc)[:200],
                )
            ]
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise InputError(
            [
                Problem(
                    label,
                    "not a GeoJSON FeatureCollection",
                    column="type",
                    expected="FeatureCollection",
                    found=repr(found),
                )
            ]
        )
    return data


def _line_coords(geometry: Any) -> list[Coord] | str | None:
    """The points of a LineString (or a MultiLineString of one line); None for no geometry;
    a message for anything else."""
    if geometry is None:
        return None
    if not isinstance(geometry, dict):
        return "not a GeoJSON geometry"
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "MultiLineString" and isinstance(coords, list) and len(coords) == 1:
        kind, coords = "LineString", coords[0]
    if kind != "LineString":
        return f"a {kind} (expected a LineString)"
    try:
        pts = [(float(c[0]), float(c[1])) for c in coords]
        for i, (x, y) in enumerate(pts, start=1):
            if not (math.isfinite(x) and math.isfinite(y)):
                return f"point {i} is not finite"
            check_lon_lat(x, y, f"point {i}")
    except WktError as exc:
        return str(exc)
    except (TypeError, ValueError, IndexError):
        return "coordinates are not [lon, lat] pairs"
    if len(pts) < 2:
        return f"{len(pts)} point; a line needs at least 2"
    return pts


def _point_coord(geometry: Any) -> Coord | str | None:
    if geometry is None:
        return None
    if not isinstance(geometry, dict):
        return "not a GeoJSON geometry"
    kind, c = geometry.get("type"), geometry.get("coordinates")
    if kind == "MultiPoint" and isinstance(c, list) and len(c) == 1:
        kind, c = "Point", c[0]
    if kind != "Point":
        return f"a {kind} (expected a Point)"
    try:
        x, y = float(c[0]), float(c[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            return "not finite"
        check_lon_lat(x, y)
    except WktError as exc:
        return str(exc)
    except (TypeError, ValueError, IndexError):
        return "coordinates are not [lon, lat]"
    return (x, y)


def _nearest(coord: Coord, at: Mapping[str, Coord]) -> tuple[str | None, float]:
    best, dist = None, math.inf
    for nid, c in at.items():
        d = distance_m(coord, c)
        if d < dist:
            best, dist = nid, d
    return best, dist


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Rows:
    """Features of one layer: their feature numbers (1-based), properties and geometries."""

    def __init__(self) -> None:
        self.numbers: list[int] = []
        self.props: list[dict[str, Any]] = []
        self.geoms: list[Any] = []


def _split_layers(features: Any, label: str, problems: list[Problem]) -> dict[str, _Rows]:
    rows = {layer: _Rows() for layer in LAYER_TABLES}
    if not isinstance(features, list):
        problems.append(
            Problem(label, "features is not a list", column="features", expected="a list")
        )
        return rows
    for i, f in enumerate(features, start=1):
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            problems.append(
                Problem(
                    label,
                    f"feature {i} has no properties",
                    column="properties",
                    expected="a GeoJSON Feature with a properties object",
                    found=repr(f)[:80],
                )
            )
            continue
        layer = props.get("layer")
        if layer not in LAYER_TABLES:
            problems.append(
                Problem(
                    label,
                    f"unknown layer (feature {i})",
                    id=None if _blank(props.get("id")) else str(props.get("id")),
                    column="layer",
                    expected="one of " + ", ".join(LAYER_TABLES),
                    found=repr(layer),
                    hint=did_you_mean(str(layer), LAYER_TABLES) if layer is not None else None,
                )
            )
            continue
        props = {k: v for k, v in props.items() if k != "layer"}
        rows[layer].numbers.append(i)
        rows[layer].props.append(props)
        rows[layer].geoms.append(f.get("geometry"))
    return rows


def _place_nodes(rows: _Rows, label: str, problems: list[Problem]) -> dict[str, Coord]:
    """Node coordinates: the Point geometry (moved in a GIS, it wins over lat/lon), else the
    lat/lon properties."""
    at: dict[str, Coord] = {}
    for n, props, geom in zip(rows.numbers, rows.props, rows.geoms, strict=True):
        got = _point_coord(geom)
        if isinstance(got, str):
            problems.append(
                Problem(
                    label,
                    f"node geometry is not usable (feature {n})",
                    id=str(props.get("id")),
                    column="geometry",
                    expected="a Point [lon, lat] in WGS84, or null",
                    found=got,
                )
            )
            continue
        if got is not None:
            props["lon"], props["lat"] = got
        try:
            x, y = float(props.get("lon")), float(props.get("lat"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if math.isfinite(x) and math.isfinite(y) and not _blank(props.get("id")):
            at[str(props["id"])] = (x, y)
    return at


def _snap_pipes(
    rows: _Rows, at: Mapping[str, Coord], snap_m: float, label: str, problems: list[Problem]
) -> None:
    """Snap each pipe line's ends to nodes (filling from_node/to_node when empty), set
    ``route_wkt`` from a line of more than 2 points, and ``length_km`` when empty."""
    for n, props, geom in zip(rows.numbers, rows.props, rows.geoms, strict=True):
        pid = None if _blank(props.get("id")) else str(props.get("id"))
        coords = _line_coords(geom)
        if isinstance(coords, str):
            problems.append(
                Problem(
                    label,
                    f"pipe geometry is not usable (feature {n})",
                    id=pid,
                    column="geometry",
                    expected="a LineString of at least 2 [lon, lat] points in WGS84, or null",
                    found=coords,
                )
            )
            continue
        if coords is None:
            continue
        ends: list[Coord] = []
        for column, coord, word in (
            ("from_node", coords[0], "start"),
            ("to_node", coords[-1], "end"),
        ):
            named = None if _blank(props.get(column)) else str(props.get(column))
            if named is not None:
                node_at = at.get(named)
                if node_at is None:  # unknown node (reported later) or no coordinates
                    ends.append(coord)
                    continue
                d = distance_m(coord, node_at)
                if d <= snap_m:
                    ends.append(node_at)
                    continue
                near, near_d = _nearest(coord, at)
                found = (
                    f"line {word} ({coord[0]:.6f} {coord[1]:.6f}) is {d:,.0f} m from "
                    f"{column} {named}"
                )
                if near is not None and near != named:
                    found += f"; nearest node {near} at {near_d:,.0f} m"
            else:
                near, near_d = _nearest(coord, at)
                if near is not None and near_d <= snap_m:
                    props[column] = near
                    ends.append(at[near])
                    continue
                found = f"line {word} ({coord[0]:.6f} {coord[1]:.6f}) has " + (
                    f"nearest node {near} at {near_d:,.0f} m" if near else "no node with lat/lon"
                )
            problems.append(
                Problem(
                    label,
                    f"pipe line {word} cannot be snapped to a node (feature {n})",
                    id=pid,
                    column=column,
                    expected=f"a node within {snap_m:g} m (--snap-m)",
                    found=found,
                    hint="Move the line end onto its node in the GIS, or raise --snap-m",
                )
            )
        if len(ends) < 2:
            continue
        given = str(props.get("route_wkt") or "").strip()
        try:
            same = bool(given) and parse_wkt_linestring(given) == coords
        except WktError:
            same = False
        snapped = [ends[0], *coords[1:-1], ends[1]]
        if not same:
            props["route_wkt"] = format_wkt_linestring(snapped) if len(coords) > 2 else ""
        if _blank(props.get("length_km")):
            props["length_km"] = round(line_length_km(snapped), 3)


def _snap_attached(
    rows: _Rows, layer: str, at: Mapping[str, Coord], snap_m: float, label: str, problems: list
) -> None:
    """A source or demand without ``node`` is placed at the node under its Point."""
    for n, props, geom in zip(rows.numbers, rows.props, rows.geoms, strict=True):
        if not _blank(props.get("node")):
            continue
        got = _point_coord(geom)
        if not isinstance(got, tuple):
            continue
        near, d = _nearest(got, at)
        if near is not None and d <= snap_m:
            props["node"] = near
            continue
        problems.append(
            Problem(
                label,
                f"{layer} point cannot be snapped to a node (feature {n})",
                id=None if _blank(props.get("id")) else str(props.get("id")),
                column="node",
                expected=f"a node id, or a point within {snap_m:g} m of a node (--snap-m)",
                found=f"nearest node {near} at {d:,.0f} m" if near else "no node with lat/lon",
            )
        )


def _table_text(rows: _Rows, columns: Sequence[str]) -> pd.DataFrame:
    names = list(dict.fromkeys(["id", *columns]))
    for props in rows.props:
        names += [k for k in props if k not in names]
    data = {c: [_cell(p.get(c)) for p in rows.props] for c in names}
    return pd.DataFrame(data, columns=names, dtype=object)


def _profiles_frame(meta: Mapping[str, Any], label: str, problems: list[Problem]) -> pd.DataFrame:
    prof = meta.get("profiles")
    try:
        cols = [str(c) for c in prof["columns"]]  # type: ignore[index]
        rows = [list(r) for r in prof["rows"]]  # type: ignore[index]
        if any(len(r) != len(cols) for r in rows):
            raise ValueError("a row's length differs from the columns'")
    except (TypeError, KeyError, ValueError) as exc:
        problems.append(
            Problem(
                label,
                "no usable profiles in the collection",
                column="heatnet.profiles",
                expected='{"columns": ["period", "weight_h", …], "rows": [[…], …]} '
                "(as heatnet convert writes it)",
                found=f"{type(exc).__name__}: {exc}"[:200] if prof is not None else "nothing",
            )
        )
        return pd.DataFrame()
    return pd.DataFrame([[_cell(v) for v in r] for r in rows], columns=cols, dtype=object)


def _yaml_doc(meta: Mapping[str, Any], name: str, profiles_name: str) -> dict[str, Any]:
    given = meta.get("network_yaml")
    doc = dict(given) if isinstance(given, dict) else {"name": name}
    doc.pop("profiles", None)
    out: dict[str, Any] = {}
    for key in ("name", "description"):
        if key in doc:
            out[key] = doc.pop(key)
    out["profiles"] = profiles_name
    out.update(doc)
    return out


def _problem_in_collection(p: Problem, label: str, lines: Mapping[str, dict[int, str]]) -> Problem:
    """A problem of the written folder, pointed back at the features of the collection."""
    files = {f"{LAYER_TABLES[layer].file}": layer for layer in LAYER_TABLES}
    if p.file in files and p.line is not None:
        where = lines[files[p.file]].get(p.line)
        if where:
            return replace(p, file=label, line=None, message=f"{p.message} ({where})")
    if p.file in files:
        return replace(p, file=f"{label} ({files[p.file]} features)")
    if p.file == "network.yaml":
        return replace(p, file=f"{label} (heatnet.network_yaml)", line=None)
    if p.file == "profiles.csv":
        row = None if p.line is None else p.line - 1
        return replace(
            p,
            file=f"{label} (heatnet.profiles)",
            line=None,
            message=p.message + (f" (row {row})" if row else ""),
        )
    return p


def collection_to_folder(
    collection: Mapping[str, Any],
    folder: str | os.PathLike[str],
    *,
    snap_m: float = DEFAULT_SNAP_M,
    label: str = "GeoJSON",
    force: bool = False,
) -> tuple[Path, list[Problem]]:
    """Write a network FeatureCollection as a network folder (new or empty), checked as
    :func:`heatnet.io.read_network` checks a folder; return it and the warnings.

    Every problem (unknown layer, unusable geometry, unsnapped line end, and every check of the
    network format) is raised at once as :class:`InputError`, pointing at the features. An
    existing folder that is not empty is an error unless ``force`` (then it is replaced).
    """
    target = Path(folder)
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not force:
        raise InputError(
            [
                Problem(
                    str(target),
                    "folder exists and is not empty",
                    expected="a new or empty folder",
                    found="files in it",
                )
            ]
        )
    problems: list[Problem] = []
    meta = collection.get("heatnet")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.append(
            Problem(label, "heatnet member is not an object", column="heatnet", found=str(meta))
        )
        meta = {}
    rows = _split_layers(collection.get("features"), label, problems)
    at = _place_nodes(rows["node"], label, problems)
    _snap_pipes(rows["pipe"], at, snap_m, label, problems)
    for layer in ("source", "demand"):
        _snap_attached(rows[layer], layer, at, snap_m, label, problems)
    profiles = _profiles_frame(meta, label, problems)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems, context=f"{label} cannot be converted")
    columns = meta.get("columns") if isinstance(meta.get("columns"), dict) else {}
    name = str(collection.get("name") or target.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    lines: dict[str, dict[int, str]] = {}
    try:
        os.chmod(tmp, shareable_mode(folder=True))
        doc = _yaml_doc(meta, name, "profiles.csv")
        write_text_atomic(
            tmp / "network.yaml", yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        )
        for layer, table in LAYER_TABLES.items():
            cols = [str(c) for c in columns.get(layer, table.names)]
            write_csv_atomic(_table_text(rows[layer], cols), tmp / table.file)
            lines[layer] = {
                line: f"{layer} feature {n}" for line, n in enumerate(rows[layer].numbers, start=2)
            }
        write_csv_atomic(profiles, tmp / "profiles.csv")
        net, found = read_network(tmp)
        found = [_problem_in_collection(p, label, lines) for p in found]
        if net is None:
            raise InputError(found, context=f"{label} cannot be converted")
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target, [p for p in found if p.severity != "error"]


def read_network_gis(
    path: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    *,
    snap_m: float = DEFAULT_SNAP_M,
    force: bool = False,
) -> tuple[Path, list[Problem]]:
    """Convert a GIS file (.geojson, .gpkg, .shp, by suffix) to a network folder."""
    src = Path(path)
    fmt = gis_format(src)
    if fmt == "geojson":
        collection = read_collection(src)
    elif fmt in ("gpkg", "shp"):
        collection = _read_ogr(src, fmt)
    else:
        raise InputError([_suffix_problem(src)])
    return collection_to_folder(collection, folder, snap_m=snap_m, label=src.name, force=force)


def convert(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    snap_m: float = DEFAULT_SNAP_M,
    force: bool = False,
) -> tuple[list[Path], list[Problem]]:
    """``heatnet convert`` for GIS files: a network folder to a GIS file (by the target's
    suffix), or a GIS file to a network folder (by the source's suffix). Returns the files or
    folder written and the warnings."""
    src, dst = Path(source), Path(target)
    if gis_format(src) is not None and not src.is_dir():
        folder, found = read_network_gis(src, dst, snap_m=snap_m, force=force)
        return [folder], found
    if gis_format(dst) is None:
        raise InputError([_suffix_problem(dst)])
    net, problems = read_network(resolve_network_path(src))
    if net is None:
        raise InputError(problems, context=f"network {src} cannot be used")
    return write_network_gis(net, dst, force=force), [p for p in problems if p.severity != "error"]


# --- GeoPackage and Shapefile (pyogrio) ----------------------------------------------------------


def _shp_paths(path: Path) -> tuple[dict[str, Path], Path]:
    stem = path.with_suffix("")
    layers = {layer: Path(f"{stem}-{LAYER_NAMES[layer]}.shp") for layer in LAYER_TABLES}
    return layers, Path(f"{stem}.heatnet.json")


def _field_array(values: list[Any]) -> np.ndarray:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        if len(present) == len(values):
            return np.array(values, dtype=bool)
        return np.array([_cell(v) for v in values], dtype=object)
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    return np.array(["" if v is None else _cell(v) for v in values], dtype=object)


def _write_layer(
    pyogrio: Any,
    path: Path,
    layer_name: str,
    features: list[dict[str, Any]],
    columns: Sequence[str],
    driver: str,
    **kwargs: Any,
) -> None:
    geoms, kinds = [], set()
    for f in features:
        g = f.get("geometry")
        if g is None:
            geoms.append(None)
        elif g["type"] == "Point":
            geoms.append(point_wkb(tuple(g["coordinates"])))  # type: ignore[arg-type]
            kinds.add("Point")
        else:
            geoms.append(linestring_wkb([tuple(c) for c in g["coordinates"]]))  # type: ignore[misc]
            kinds.add("LineString")
    fields = [_field_array([f["properties"].get(c) for f in features]) for c in columns]
    pyogrio.raw.write(
        str(path),
        np.array(geoms, dtype=object),
        fields,
        list(columns),
        layer=layer_name,
        driver=driver,
        geometry_type=kinds.pop() if len(kinds) == 1 else "Unknown",
        crs="EPSG:4326",
        **kwargs,
    )


def _write_ogr(collection: Mapping[str, Any], path: Path, fmt: str) -> list[Path]:
    pyogrio = need_pyogrio("GeoPackage" if fmt == "gpkg" else "Shapefile")
    meta = dict(collection["heatnet"])
    by_layer: dict[str, list[dict[str, Any]]] = {layer: [] for layer in LAYER_TABLES}
    for f in collection["features"]:
        by_layer[f["properties"]["layer"]].append(f)
    meta["name"] = collection.get("name")
    written: list[Path] = []
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(dir=path.parent))
    try:
        if fmt == "gpkg":
            tmp = tmp_dir / path.name
            for i, layer in enumerate(LAYER_TABLES):
                extra = {"dataset_metadata": {"heatnet": _dump(meta)}} if i == 0 else {}
                cols = ["layer", *meta["columns"][layer]]
                _write_layer(
                    pyogrio, tmp, LAYER_NAMES[layer], by_layer[layer], cols, "GPKG", **extra
                )
            os.replace(tmp, path)
            written.append(path)
        else:
            layers, side = _shp_paths(path)
            for layer, target in layers.items():
                cols = ["layer", *meta["columns"][layer]]
                tmp = tmp_dir / target.name
                with warnings.catch_warnings():
                    # field names cut to 10 characters: the side file keeps the full names
                    warnings.filterwarnings("ignore", "Normalized/laundered field name")
                    _write_layer(
                        pyogrio,
                        tmp,
                        target.stem,
                        by_layer[layer],
                        cols,
                        "ESRI Shapefile",
                        encoding="UTF-8",
                    )
            for part in sorted(tmp_dir.iterdir()):
                os.replace(part, path.parent / part.name)
            write_text_atomic(side, json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
            written += [*layers.values(), side]
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return written


def _ogr_features(
    pyogrio: Any, path: Path, layer_name: str | None, columns: Sequence[str] | None
) -> list[dict[str, Any]]:
    meta, _fids, geoms, values = pyogrio.raw.read(str(path), layer=layer_name)
    names = [str(n) for n in meta["fields"]]
    if columns is not None and len(columns) == len(names):
        names = list(columns)  # Shapefile field names are cut to 10 characters
    out = []
    for i in range(len(geoms)):
        props: dict[str, Any] = {}
        for name, arr in zip(names, values, strict=True):
            v = arr[i]
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            props[name] = v
        g = geoms[i]
        out.append(
            {
                "type": "Feature",
                "geometry": None if g is None else wkb_geometry(bytes(g)),
                "properties": props,
            }
        )
    return out


def _read_ogr(path: Path, fmt: str) -> dict[str, Any]:
    pyogrio = need_pyogrio("GeoPackage" if fmt == "gpkg" else "Shapefile")
    features: list[dict[str, Any]] = []
    label = path.name
    if fmt == "gpkg":
        if not path.is_file():
            raise InputError(
                [Problem(label, "file not found", expected=f"a file at {path}", found="nothing")]
            )
        info = pyogrio.read_info(str(path), layer=LAYER_NAMES["node"])
        text = (info.get("dataset_metadata") or {}).get("heatnet")
        meta = json.loads(text) if text else {}
        present = {str(r[0]) for r in pyogrio.list_layers(str(path))}
        for layer in LAYER_TABLES:
            if LAYER_NAMES[layer] in present:
                features += _ogr_features(pyogrio, path, LAYER_NAMES[layer], None)
    else:
        layers, side = _shp_paths(path)
        meta = json.loads(side.read_text(encoding="utf-8")) if side.is_file() else {}
        cols = meta.get("columns", {})
        missing = [p for p in layers.values() if not p.is_file()]
        if missing:
            raise InputError(
                [
                    Problem(
                        p.name,
                        "file not found",
                        expected=f"the {p.stem} Shapefile heatnet convert writes beside "
                        f"{path.name}",
                        found="nothing",
                    )
                    for p in missing
                ]
            )
        for layer, p in layers.items():
            given = cols.get(layer)
            features += _ogr_features(pyogrio, p, None, ["layer", *given] if given else None)
    for f in features:
        f["properties"].setdefault("layer", None)
    return {
        "type": "FeatureCollection",
        "name": meta.pop("name", None) or path.stem,
        "heatnet": meta,
        "features": features,
    }


# --- a solved plan ---------------------------------------------------------------------------


def _with_results(table: pd.DataFrame, results: pd.DataFrame | None) -> pd.DataFrame:
    """Network rows with the run's result columns (by id) joined after their own."""
    if results is None or not len(results):
        return table
    res = results.copy()
    if "id" in res.columns:
        res = res.set_index("id")
    res.index = res.index.astype(str)
    extra = [c for c in res.columns if c not in table.columns]
    out = table.copy()
    out.index = out.index.astype(str)
    return out.join(res[extra], how="left")


def _node_season(long: pd.DataFrame | None) -> pd.DataFrame | None:
    """The per-period node table as one row per node: ``demand_mwh`` and ``unserved_mwh``
    summed over the season, ``peak_demand_mw`` and ``peak_unserved_mw`` their largest."""
    if long is None or "node" not in long.columns or not len(long):
        return None
    g = long.assign(node=long["node"].astype(str)).groupby("node", sort=False)
    out = pd.DataFrame(index=pd.Index(g.size().index, name="id"))
    for col in ("demand_mwh", "unserved_mwh"):
        if col in long.columns:
            out[col] = g[col].sum()
    for col in ("demand_mw", "unserved_mw"):
        if col in long.columns:
            out[f"peak_{col}"] = g[col].max()
    return out


def plan_layers(net: Network, tables: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """A solved plan as three FeatureCollections, ``pipes``, ``sources`` and ``nodes``: each
    row of the network with the run's result columns (``decision``, ``heat_in_mwh``,
    ``heat_mwh``, ``demand_mwh`` …). Pipes follow ``route_wkt``; sources sit at their node."""
    at = _node_coords(net.nodes)
    nodes_res = _node_season(tables.get("nodes"))
    layers: dict[str, dict[str, Any]] = {}
    pipes = _with_results(net.pipes, tables.get("pipes"))
    sources = _with_results(net.sources, tables.get("sources"))
    nodes = _with_results(net.nodes, nodes_res)
    feats = {
        "pipes": [
            _feature(None, pid, row, _line(pipe_route(row, at))) for pid, row in pipes.iterrows()
        ],
        "sources": [
            _feature(None, sid, row, _point(at.get(str(row["node"]))))
            for sid, row in sources.iterrows()
        ],
        "nodes": [_feature(None, nid, row, _point(at.get(nid))) for nid, row in nodes.iterrows()],
    }
    for name, features in feats.items():
        layers[name] = {"type": "FeatureCollection", "name": name, "features": features}
    return layers


def plan_paths(out: str | os.PathLike[str], fmt: str) -> list[Path]:
    """The files :func:`write_plan` writes for ``out``: ``X.geojson`` gives
    ``X-pipes.geojson``, ``X-sources.geojson`` and ``X-nodes.geojson``; ``X.gpkg`` is one
    file."""
    target = Path(out)
    if fmt == "gpkg":
        return [target]
    stem = target.with_suffix("") if target.suffix.lower() == ".geojson" else target
    return [Path(f"{stem}-{name}.geojson") for name in ("pipes", "sources", "nodes")]


def write_plan(
    net: Network,
    tables: Mapping[str, pd.DataFrame],
    out: str | os.PathLike[str],
    fmt: str = "geojson",
) -> list[Path]:
    """Write a plan's layers (:func:`plan_layers`), each of which opens in QGIS as it is:
    ``geojson``: three files (:func:`plan_paths`), pure JSON; ``gpkg``: one GeoPackage with
    the layers ``pipes``, ``sources`` and ``nodes`` (needs the ``gis`` extra)."""
    layers = plan_layers(net, tables)
    target = Path(out)
    if fmt == "geojson":
        written = []
        for path, collection in zip(plan_paths(target, fmt), layers.values(), strict=True):
            write_text_atomic(path, _dump_features(collection))
            written.append(path)
        return written
    if fmt == "gpkg":
        pyogrio = need_pyogrio("GeoPackage")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_dir = Path(tempfile.mkdtemp(dir=target.parent))
        try:
            tmp = tmp_dir / target.name
            for name, collection in layers.items():
                feats = collection["features"]
                cols = list(dict.fromkeys(k for f in feats for k in f["properties"]))
                _write_layer(pyogrio, tmp, name, feats, cols, "GPKG")
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        return [target]
    raise InputError(
        [
            Problem(
                None,
                "unknown GIS format",
                column="--format",
                expected="geojson or gpkg",
                found=repr(fmt),
            )
        ]
    )


# --- background shapes for maps ----------------------------------------------------------------


def read_background(path: str | os.PathLike[str]) -> list[list[Coord]]:
    """The lines to draw under a map from a planner's GeoJSON: district boundaries (Polygon,
    MultiPolygon: every ring) and roads (LineString, MultiLineString), as (lon, lat) lists.
    Points are skipped; any other geometry, or a coordinate out of WGS84 range, is an error."""
    src = Path(path)
    collection = read_collection(src)
    problems: list[Problem] = []
    out: list[list[Coord]] = []
    for i, f in enumerate(collection.get("features") or [], start=1):
        g = f.get("geometry") if isinstance(f, dict) else None
        kind = g.get("type") if isinstance(g, dict) else None
        if kind in ("Point", "MultiPoint") or g is None:
            continue
        parts: Iterable[Any]
        coords = g.get("coordinates")
        if kind == "LineString":
            parts = [coords]
        elif kind in ("MultiLineString", "Polygon"):
            parts = coords
        elif kind == "MultiPolygon":
            parts = [ring for poly in coords for ring in poly]
        else:
            problems.append(
                Problem(
                    src.name,
                    f"geometry not drawn as a background (feature {i})",
                    column="geometry",
                    expected="one of " + ", ".join(BACKGROUND_TYPES),
                    found=repr(kind),
                )
            )
            continue
        try:
            for part in parts:
                line = [(float(c[0]), float(c[1])) for c in part]
                for x, y in line:
                    check_lon_lat(x, y)
                out.append(line)
        except (TypeError, ValueError, IndexError) as exc:
            problems.append(
                Problem(
                    src.name,
                    f"coordinates not usable (feature {i})",
                    column="geometry",
                    expected="[lon, lat] pairs in WGS84 degrees",
                    found=str(exc)[:120] or type(exc).__name__,
                )
            )
    if problems:
        raise InputError(problems, context=f"background {src} cannot be drawn")
    return out
