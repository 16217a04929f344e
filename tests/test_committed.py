"""Status ``committed`` (issue 14, finding 4b): a candidate forced into service by the planner
or a scenario, with its capex annuity and fixed cost paid exactly as if the optimiser had built
it. Status ``existing`` leaves the capex out, so it cannot answer "what if we build it anyway"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import heatnet
from heatnet.compare import compare_table, load_plans
from heatnet.results import DECISION_BY_STATUS
from heatnet.scenarios import apply_scenario, load_scenarios
from heatnet.schema import (
    ACTIVE_SOURCE_STATUSES,
    DECISIONS,
    PIPE_DECISIONS,
    PIPE_STATUSES,
    SOURCE_DECISIONS,
    SOURCE_STATUSES,
)
from heatnet.sweep import run_sweep
from heatnet.validate import check_network
from tests.helpers import two_node

CAPEX_CNY = 50_000.0
LIFETIME_YEARS = 10.0


def tie_net(
    folder: Path, pipe_status: str = "candidate", source: dict[str, Any] | None = None
) -> heatnet.Network:
    """two_node with a second pipe P2 A→B beside the existing P1.

    Demand 60 MW × (1.0, 0.5) × 10 h = 900 MWh, from S1 at 50 CNY/MWh (45,000 CNY). P1 pumps
    at 2 CNY/MWh, P2 at 1 CNY/MWh: P2 saves 900 × (2 − 1) = 900 CNY/yr. No losses. Discount
    rate 0, so P2's capex annuity is 50,000 / 10 = 5,000 CNY/yr > 900: not built at optimum.
    """
    p1 = {
        "id": "P1",
        "from_node": "A",
        "to_node": "B",
        "length_km": 10,
        "capacity_mw": 80,
        "status": "existing",
        "pumping_cost_cny_per_mwh": 2,
        "loss_fraction_per_km": 0,
    }
    p2 = p1 | {
        "id": "P2",
        "status": pipe_status,
        "pumping_cost_cny_per_mwh": 1,
        "capex_cny": CAPEX_CNY,
        "lifetime_years": LIFETIME_YEARS,
    }
    sources = [
        {
            "id": "S1",
            "node": "A",
            "technology": "chp",
            "capacity_mw": 100,
            "status": "existing",
            "variable_cost_cny_per_mwh": 50,
        }
    ]
    if source:
        sources.append(source)
    folder = two_node(folder, pipes=[p1, p2], sources=sources, economics={"discount_rate": 0})
    return heatnet.load_network(folder)


def _check_breakdown(run: heatnet.Run) -> None:
    b = run.summary["cost_breakdown_cny"]
    parts = sum(v for k, v in b.items() if k != "total_cny")
    assert parts == pytest.approx(run.result.objective_cny, rel=1e-9)
    assert b["total_cny"] == pytest.approx(run.result.objective_cny, rel=1e-9)


def test_committed_pipe_pays_its_capex_by_hand(tmp_path: Path) -> None:
    """By hand (see :func:`tie_net`):

    * free choice: P2 not built; 45,000 + 900 × 2 pumping = 46,800 CNY/yr;
    * P2 committed: 45,000 + 900 × 1 pumping + 50,000 / 10 capex annuity = 50,900 CNY/yr,
      i.e. 46,800 + (5,000 annuity − 900 operating saving) = 46,800 + 4,100;
    * P2 existing (the old way to force it): 45,000 + 900 = 45,900 CNY/yr, a "saving" of 900
      that is only the capex left out.
    """
    opts = heatnet.SolveOptions()
    net = tie_net(tmp_path / "net")
    free = heatnet.solve(net, opts)
    assert free.is_optimal
    assert free.result.objective_cny == pytest.approx(46_800, rel=1e-9)
    assert free.pipes.loc["P2", "decision"] == "not_built"

    committed = heatnet.solve(apply_scenario(net, {"pipes": {"P2": {"status": "committed"}}}), opts)
    assert committed.is_optimal
    assert committed.result.objective_cny == pytest.approx(50_900, rel=1e-9)
    assert committed.result.objective_cny - free.result.objective_cny == pytest.approx(
        5_000 - 900, rel=1e-9
    )
    p2 = committed.pipes.loc["P2"]
    assert p2["decision"] == "forced_built"
    assert bool(p2["in_service"])
    assert p2["capex_annual_cny"] == pytest.approx(5_000)
    assert committed.summary["cost_breakdown_cny"]["capex_pipes_cny"] == pytest.approx(5_000)
    _check_breakdown(committed)
    _check_breakdown(free)

    existing = heatnet.solve(apply_scenario(net, {"pipes": {"P2": {"status": "existing"}}}), opts)
    assert existing.result.objective_cny == pytest.approx(45_900, rel=1e-9)
    assert existing.result.objective_cny < committed.result.objective_cny


def test_committed_source_pays_capex_and_fixed_cost(tmp_path: Path) -> None:
    """A heat pump HP at B (60 MW, 40 CNY/MWh, fixed 1,000 CNY/yr, capex 100,000 over 20 years
    at r = 0: 5,000 CNY/yr). Free choice builds it: 900 × 40 + 1,000 + 5,000 = 42,000 CNY/yr
    (no pumping: the heat is made at B) < 46,800. Committed: the same 42,000, with decision
    forced_built and the same costs on its row; a built candidate and a committed one cost the
    same."""
    hp = {
        "id": "HP",
        "node": "B",
        "technology": "heat_pump",
        "capacity_mw": 60,
        "status": "candidate",
        "variable_cost_cny_per_mwh": 40,
        "fixed_cost_cny_per_year": 1_000,
        "capex_cny": 100_000,
        "lifetime_years": 20,
    }
    opts = heatnet.SolveOptions()
    net = tie_net(tmp_path / "net", source=hp)
    free = heatnet.solve(net, opts)
    assert free.sources.loc["HP", "decision"] == "built"
    assert free.result.objective_cny == pytest.approx(42_000, rel=1e-9)
    committed = heatnet.solve(
        apply_scenario(net, {"sources": {"HP": {"status": "committed"}}}), opts
    )
    assert committed.result.objective_cny == pytest.approx(42_000, rel=1e-9)
    row = committed.sources.loc["HP"]
    assert row["decision"] == "forced_built"
    assert bool(row["in_service"])
    assert row["capex_annual_cny"] == pytest.approx(5_000)
    assert row["fixed_cost_cny"] == pytest.approx(1_000)
    for col in ("capex_annual_cny", "fixed_cost_cny", "total_cost_cny"):
        assert row[col] == pytest.approx(free.sources.loc["HP", col]), col
    _check_breakdown(committed)


def test_committed_is_a_status_with_one_decision() -> None:
    assert "committed" in SOURCE_STATUSES
    assert "committed" in PIPE_STATUSES
    assert "committed" in ACTIVE_SOURCE_STATUSES
    assert DECISION_BY_STATUS["committed"] == "forced_built"
    assert set(DECISION_BY_STATUS.values()) <= set(DECISIONS)
    assert set(SOURCE_DECISIONS) | set(PIPE_DECISIONS) == set(DECISIONS)


def test_capex_on_committed_is_meaningful(tmp_path: Path) -> None:
    """Like on a candidate: no 'capex is ignored' warning on a committed pipe or source."""
    hp = {
        "id": "HP",
        "node": "B",
        "technology": "heat_pump",
        "capacity_mw": 60,
        "status": "committed",
        "capex_cny": 100_000,
    }
    net = tie_net(tmp_path / "net", "committed", hp)
    found = [p for p in check_network(net) if p.column == "capex_cny"]
    assert found == []
    # and on an existing pipe it is still ignored, with a warning
    net2 = tie_net(tmp_path / "net2", "existing")
    assert any(p.column == "capex_cny" and p.id == "P2" for p in check_network(net2))


SCENARIOS = """\
scenarios:
  base: {}
  build_p2:
    pipes: {P2: {status: committed}}
  p2_as_existing:
    pipes: {P2: {status: existing}}
"""


def test_scenario_file_commits_and_compare_shows_forced_built(tmp_path: Path) -> None:
    net = tie_net(tmp_path / "net")
    f = tmp_path / "plans.yaml"
    f.write_text(SCENARIOS, encoding="utf-8")
    sset = load_scenarios(f, net)
    result = run_sweep(net, sset, tmp_path / "results", jobs=1)
    table = compare_table(load_plans([result.folder])).set_index("scenario")
    assert table["P2"].to_dict() == {
        "base": "not_built",
        "build_p2": "forced_built",
        "p2_as_existing": "existing",
    }
    assert table.loc["build_p2", "objective_cny"] == pytest.approx(50_900)
    assert table.loc["p2_as_existing", "objective_cny"] == pytest.approx(45_900)
