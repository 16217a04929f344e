"""Shortage diagnosis on a network whose bottleneck is known by construction."""

from __future__ import annotations

from pathlib import Path

import pytest

import heatnet
from heatnet.diagnose import format_shortage, shortage_diagnosis
from tests.helpers import write_network


def _bottleneck(folder: Path) -> Path:
    """60 MW needed at B in p1 (30 in p2). The plant at A has 50 MW but the pipe carries only
    40; the local boiler at B has 5 MW. A second pipe could help but costs too much.
    p1: 40 + 5 = 45 MW served, 15 MW short for 10 h; p2: fully served."""
    return write_network(
        folder,
        nodes=[{"id": "A", "name": "Plant"}, {"id": "B", "name": "城区"}],
        sources=[
            {
                "id": "S",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 50,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
            },
            {
                "id": "L",
                "node": "B",
                "technology": "gas_boiler",
                "capacity_mw": 5,
                "status": "existing",
                "variable_cost_cny_per_mwh": 300,
            },
        ],
        pipes=[
            {
                "id": "P",
                "from_node": "A",
                "to_node": "B",
                "length_km": 5,
                "capacity_mw": 40,
                "status": "existing",
            },
            {
                "id": "P2",
                "from_node": "A",
                "to_node": "B",
                "length_km": 5,
                "capacity_mw": 40,
                "status": "candidate",
                "capex_cny": 1e12,
            },
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 60, "profile": "h"}],
        profiles=[
            {"period": "p1", "weight_h": 10, "h": 1.0},
            {"period": "p2", "weight_h": 10, "h": 0.5},
        ],
        economics={"unserved_heat_cost_cny_per_mwh": 1000},
    )


def test_diagnosis_names_district_period_and_binding_limits(tmp_path: Path) -> None:
    run = heatnet.solve(_bottleneck(tmp_path / "n"))
    assert run.is_optimal
    diag = shortage_diagnosis(run.network, run.tables)
    assert diag["periods_short"] == 1
    (district,) = diag["districts"]
    assert district["node"] == "B"
    assert district["name"] == "城区"
    assert district["unserved_mwh"] == pytest.approx(150)
    assert district["worst_period"] == "p1"
    assert district["worst_unserved_mw"] == pytest.approx(15)
    assert diag["sources_at_capacity"] == {"L": 1}  # S sends only 40 of its 50 MW
    assert diag["pipes_at_capacity"] == {"P": 1}
    assert diag["idle_options"] == ["P2"]
    text = "\n".join(format_shortage(diag))
    assert "B (城区): 0.150 GWh unserved in 1 period(s); worst p1 with 15.0 MW" in text
    assert "sources L (1); pipes P (1)" in text


def test_no_diagnosis_when_nothing_is_short(tmp_path: Path) -> None:
    folder = _bottleneck(tmp_path / "n")
    csv = folder / "demands.csv"
    csv.write_text(csv.read_text().replace(",60,", ",40,"))
    run = heatnet.solve(folder)
    assert shortage_diagnosis(run.network, run.tables) == {}
    assert format_shortage({}) == []
