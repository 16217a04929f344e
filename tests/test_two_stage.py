"""Two-stage solves: design on typical days, then the full season as an LP with it fixed.

Checked on a small network with hourly profiles (8 days × 24 h): the reported figures are at
full resolution and feasible there; the stage-2 cost is the full-resolution LP with the chosen
decisions; the stage-1 bound is a valid bound on the full-resolution MILP; a peak the typical
days miss shows as unserved heat; the mode is chosen and reported as documented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.io import load_network
from heatnet.options import SolveOptions
from heatnet.run import choose_mode
from tests.helpers import write_network

DAYS, HOURS = 8, 24
REL = 1e-7


def hourly_profiles(heat: np.ndarray, hp: np.ndarray) -> list[dict[str, Any]]:
    return [
        {
            "period": f"2026-01-{d + 1:02d}T{h:02d}:00",
            "weight_h": 1.0,
            "heat": round(float(heat[d * HOURS + h]), 6),
            "hp": round(float(hp[d * HOURS + h]), 6),
        }
        for d in range(DAYS)
        for h in range(HOURS)
    ]


def city(folder: Path) -> Path:
    """Remote waste heat behind a candidate pipe, a retirable coal boiler, gas peaking and a
    candidate heat pump; a demand with a seasonal swing, a daily cycle and a peak day."""
    t = np.arange(DAYS * HOURS)
    day, hour = t // HOURS, t % HOURS
    heat = 0.6 + 0.25 * np.sin(np.pi * day / DAYS) + 0.1 * np.cos(2 * np.pi * (hour - 6) / 24)
    heat[day == 5] += 0.2
    hp = np.clip(1.1 - 0.4 * heat, 0, 1)
    return write_network(
        folder,
        nodes=[{"id": "A", "name": "city"}, {"id": "R", "name": "remote"}],
        sources=[
            {
                "id": "WH",
                "node": "R",
                "technology": "waste_heat",
                "capacity_mw": 90,
                "status": "existing",
                "variable_cost_cny_per_mwh": 20,
            },
            {
                "id": "COAL",
                "node": "A",
                "technology": "coal_boiler",
                "capacity_mw": 60,
                "status": "retirable",
                "variable_cost_cny_per_mwh": 80,
                "co2_t_per_mwh": 0.4,
                "fixed_cost_cny_per_year": 150_000,
                "retirement_cost_cny": 500_000,
            },
            {
                "id": "GAS",
                "node": "A",
                "technology": "gas_boiler",
                "capacity_mw": 40,
                "status": "existing",
                "variable_cost_cny_per_mwh": 200,
                "co2_t_per_mwh": 0.2,
            },
            {
                "id": "HP",
                "node": "A",
                "technology": "heat_pump",
                "capacity_mw": 30,
                "status": "candidate",
                "variable_cost_cny_per_mwh": 50,
                "capex_cny": 2_000_000,
                "lifetime_years": 20,
                "availability": "hp",
            },
        ],
        pipes=[
            {
                "id": "P_R",
                "from_node": "R",
                "to_node": "A",
                "length_km": 20,
                "capacity_mw": 80,
                "status": "candidate",
                "bidirectional": False,
                "loss_fraction_per_km": 1e-4,
                "pumping_cost_cny_per_mwh": 1.0,
                "capex_cny": 20_000_000,
                "lifetime_years": 40,
            }
        ],
        demands=[{"id": "D", "node": "A", "design_load_mw": 120, "profile": "heat"}],
        profiles=hourly_profiles(heat, hp),
        economics={
            "discount_rate": 0.06,
            "carbon_price_cny_per_t": 50,
            "unserved_heat_cost_cny_per_mwh": 5000,
        },
    )


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> heatnet.Network:
    return load_network(city(tmp_path_factory.mktemp("two_stage") / "city"))


@pytest.fixture(scope="module")
def full_milp(net: heatnet.Network) -> heatnet.Run:
    return heatnet.solve(net, SolveOptions(two_stage=False, mip_gap=0.0))


def two_stage(net: heatnet.Network, k: int) -> heatnet.Run:
    """One round on K typical days (no refinement: tests/test_stages.py covers that)."""
    return heatnet.solve(
        net, SolveOptions(two_stage=True, typical_days=k, mip_gap=0.0, max_refinements=0)
    )


@pytest.mark.parametrize("k", [2, 3])
def test_figures_are_at_full_resolution_and_feasible(net: heatnet.Network, k: int) -> None:
    run = two_stage(net, k)
    s = run.summary
    assert s["solve_mode"] == "two_stage"
    ts = s["two_stage"]
    assert ts["typical_days"] == k
    assert ts["stage1_periods"] == k * HOURS
    assert ts["stage2_periods"] == DAYS * HOURS
    assert run.result.has_solution
    # every table has the full season's periods
    nodes = run.nodes
    assert nodes["t"].nunique() == DAYS * HOURS
    assert run.periods["weight_h"].sum() == pytest.approx(DAYS * HOURS)
    # served + unserved = demand in every period; produced = served + losses over the season
    demand = net.demand_mw()["A"].to_numpy()
    np.testing.assert_allclose(nodes["demand_mw"].to_numpy(), demand)
    produced = run.dispatch.groupby("t")["heat_mw"].sum().to_numpy()
    loss = run.flows.groupby("t")["loss_mw"].sum().to_numpy()
    served = demand - nodes["unserved_mw"].to_numpy()
    np.testing.assert_allclose(produced - loss, served, atol=1e-6)
    # no source above its available capacity, no pipe above its capacity
    cap = run.dispatch.merge(net.sources[["capacity_mw"]], left_on="source", right_index=True)
    assert (cap["heat_mw"] <= cap["capacity_mw"] + 1e-6).all()
    # both objectives, the bound and the design gap are reported, consistently
    assert s["objective_cny"] == pytest.approx(ts["stage2_objective_cny"], rel=1e-12)
    assert s["bound_cny"] == pytest.approx(ts["stage1_bound_cny"], rel=1e-12)
    assert ts["stage1_objective_cny"] is not None
    gap = (ts["stage2_objective_cny"] - ts["stage1_bound_cny"]) / ts["stage2_objective_cny"]
    assert ts["design_gap"] == pytest.approx(max(gap, 0.0), abs=1e-12)
    assert s["mip_gap"] == ts["design_gap"]
    assert s["cost_breakdown_cny"]["total_cny"] == pytest.approx(s["objective_cny"], rel=REL)


def test_stage2_cost_is_the_full_resolution_lp_with_the_chosen_decisions(
    net: heatnet.Network,
) -> None:
    run = two_stage(net, 3)
    design = {
        tuple(key.split(":", 1)): float(v)
        for key, v in run.summary["two_stage"]["decisions"].items()
    }
    lp = heatnet.solve(net, SolveOptions(two_stage=False), fixed=design)
    assert lp.summary["solve_mode"] == "single_stage"
    assert lp.result.n_binaries == 0
    assert lp.result.objective_cny == pytest.approx(run.result.objective_cny, rel=REL)
    # the prices come from the same LP
    a = run.prices.set_index(["t", "node"])["price_cny_per_mwh"]
    b = lp.prices.set_index(["t", "node"])["price_cny_per_mwh"]
    np.testing.assert_allclose(a.to_numpy(), b.loc[a.index].to_numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("k", [2, 4, DAYS])
def test_typical_day_bound_is_valid_for_the_full_milp(
    net: heatnet.Network, full_milp: heatnet.Run, k: int
) -> None:
    run = two_stage(net, k)
    optimum = full_milp.result.objective_cny
    tol = 1e-7 * abs(optimum)
    assert run.result.bound_cny <= optimum + tol
    assert run.result.objective_cny >= optimum - tol
    if k == DAYS:  # every day kept: stage 1 is the full MILP
        assert run.result.objective_cny == pytest.approx(optimum, rel=REL)
        assert run.summary["two_stage"]["design_gap"] == pytest.approx(0.0, abs=1e-7)
        assert run.is_optimal


def test_a_missed_peak_shows_as_unserved_heat(tmp_path: Path) -> None:
    """Heat-pump availability dips on a day that is not the demand peak: two typical days
    average the dip away, stage 1 retires the coal boiler, and the full season is short."""
    t = np.arange(DAYS * HOURS)
    day, hour = t // HOURS, t % HOURS
    heat = np.full(len(t), 100 / 120)
    heat[(day == 0) & (hour == 12)] = 105 / 120  # the demand peak is on day 0
    hp = np.ones(len(t))
    hp[(day == 5) & (hour < 6)] = 0.4  # 60 MW for 6 h on day 5
    folder = write_network(
        tmp_path / "dip",
        nodes=[{"id": "A"}],
        sources=[
            {
                "id": "HP",
                "node": "A",
                "technology": "heat_pump",
                "capacity_mw": 150,
                "status": "existing",
                "variable_cost_cny_per_mwh": 30,
                "availability": "hp",
            },
            {
                "id": "COAL",
                "node": "A",
                "technology": "coal_boiler",
                "capacity_mw": 60,
                "status": "retirable",
                "variable_cost_cny_per_mwh": 100,
                "fixed_cost_cny_per_year": 5_000_000,
            },
        ],
        pipes=[],
        demands=[{"id": "D", "node": "A", "design_load_mw": 120, "profile": "heat"}],
        profiles=hourly_profiles(heat, hp),
        economics={"unserved_heat_cost_cny_per_mwh": 100_000},
    )
    net = load_network(folder)
    run = two_stage(net, 2)
    ts = run.summary["two_stage"]
    assert ts["decisions"]["keep_source:COAL"] == 0
    assert ts["stage1_unserved_mwh"] == pytest.approx(0.0, abs=1e-6)
    assert ts["stage2_unserved_mwh"] == pytest.approx(40 * 6, rel=1e-6)
    assert run.summary["unserved_mwh"] == pytest.approx(40 * 6, rel=1e-6)
    assert run.summary["cost_breakdown_cny"]["unserved_cny"] == pytest.approx(240 * 100_000)
    # the full MILP keeps the boiler; the two-stage plan is feasible, not optimal
    full = heatnet.solve(net, SolveOptions(two_stage=False))
    assert full.summary["kept"] == ["COAL"]
    assert run.result.bound_cny <= full.result.objective_cny * (1 + 1e-9)
    assert ts["design_gap"] > 0.5
    assert run.summary["status"] == "feasible"
    assert not run.is_optimal


def test_mode_is_chosen_as_documented(net: heatnet.Network) -> None:
    assert choose_mode(net, SolveOptions()) == ("single_stage", 12)  # 192 <= 24 × 12 periods
    assert choose_mode(net, SolveOptions(typical_days=3)) == ("two_stage", 3)
    assert choose_mode(net, SolveOptions(typical_days=8)) == ("single_stage", 8)
    assert choose_mode(net, SolveOptions(two_stage=False, typical_days=3)) == ("typical_days", 3)
    all_fixed = {("keep_source", "COAL"): 1, ("build_source", "HP"): 0, ("build_pipe", "P_R"): 1}
    assert choose_mode(net, SolveOptions(two_stage=True), all_fixed)[0] == "single_stage"
    jinan_daily = load_network(None)
    assert choose_mode(jinan_daily, SolveOptions())[0] == "single_stage"


def test_single_stage_on_typical_days_reports_that_resolution(net: heatnet.Network) -> None:
    run = heatnet.solve(net, SolveOptions(two_stage=False, typical_days=3))
    assert run.summary["solve_mode"] == "typical_days"
    assert run.summary["periods"] == 3 * HOURS
    assert run.summary["season_hours"] == pytest.approx(DAYS * HOURS)
    assert "two_stage" not in run.summary


def test_cli_two_stage_and_single_stage(tmp_path: Path) -> None:
    folder = city(tmp_path / "city")
    runner = CliRunner()
    two = runner.invoke(
        cli,
        [
            "solve",
            str(folder),
            "--typical-days",
            "3",
            "--out",
            str(tmp_path / "res"),
            "--name",
            "two",
        ],
    )
    assert two.exit_code in (0, 2), two.output
    assert "two-stage: design on 3 typical days" in two.output
    single = runner.invoke(
        cli,
        [
            "solve",
            str(folder),
            "--typical-days",
            "3",
            "--single-stage",
            "--out",
            str(tmp_path / "res"),
            "--name",
            "one",
        ],
    )
    assert single.exit_code == 0, single.output
    assert "typical-day resolution" in single.output
