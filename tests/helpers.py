"""Build small network folders for tests from plain Python rows."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

Row = Mapping[str, Any]


def write_csv(path: Path, rows: Sequence[Row], header: Sequence[str] | None = None) -> None:
    """Write rows (dicts) to a CSV; the header is the union of keys in order of appearance."""
    if header is None:
        header = []
        for r in rows:
            header += [k for k in r if k not in header]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["" if r.get(k) is None else r.get(k) for k in header])


def nodes(*ids: str) -> list[dict[str, object]]:
    """Node rows named after their ids."""
    return [{"id": i, "name": i} for i in ids]


def write_network(
    folder: Path,
    *,
    nodes: Sequence[Row],
    sources: Sequence[Row],
    pipes: Sequence[Row],
    demands: Sequence[Row],
    profiles: Sequence[Row],
    economics: Mapping[str, Any] | None = None,
    security: Mapping[str, Any] | None = None,
    constraints: Mapping[str, Any] | None = None,
    pathway: Mapping[str, Any] | None = None,
    name: str = "test",
) -> Path:
    """Write a complete network folder (profiles in ``profiles.csv``) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {"name": name, "profiles": "profiles.csv"}
    if economics:
        doc["economics"] = dict(economics)
    if security:
        doc["security"] = dict(security)
    if constraints:
        doc["constraints"] = dict(constraints)
    if pathway:
        doc["pathway"] = dict(pathway)
    (folder / "network.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    write_csv(folder / "nodes.csv", nodes, ["id", "name", "lat", "lon"] if nodes else ["id"])
    write_csv(
        folder / "sources.csv",
        sources,
        None if sources else ["id", "node", "technology", "capacity_mw", "status"],
    )
    write_csv(
        folder / "pipes.csv",
        pipes,
        None if pipes else ["id", "from_node", "to_node", "length_km", "capacity_mw", "status"],
    )
    write_csv(
        folder / "demands.csv",
        demands,
        None if demands else ["id", "node", "design_load_mw", "profile"],
    )
    write_csv(folder / "profiles.csv", profiles)
    return folder


def two_node(folder: Path, **overrides: Any) -> Path:
    """A source at A, a demand at B, one existing pipe A→B; two periods of 10 h."""
    spec: dict[str, Any] = {
        "nodes": [{"id": "A", "name": "Plant"}, {"id": "B", "name": "Town"}],
        "sources": [
            {
                "id": "S1",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
            }
        ],
        "pipes": [
            {
                "id": "P1",
                "from_node": "A",
                "to_node": "B",
                "length_km": 10,
                "capacity_mw": 80,
                "status": "existing",
            }
        ],
        "demands": [{"id": "D1", "node": "B", "design_load_mw": 60, "profile": "heat"}],
        "profiles": [
            {"period": "t1", "weight_h": 10, "heat": 1.0},
            {"period": "t2", "weight_h": 10, "heat": 0.5},
        ],
    }
    spec.update(overrides)
    return write_network(folder, **spec)
