"""Security of supply (spec v1.1 §3): the plan must keep the city warm in single outages.

Hand-worked network (`secure_city`), one district A fed from remote waste heat R:

* WH at R: waste heat, existing, 100 MW, 20 CNY/MWh, no CO2.
* P: R → A, existing, 100 MW, lossless, no pumping cost, 30 km (a long line).
* COAL at A: retirable, 60 MW, 200 CNY/MWh, fixed cost 1,000,000 CNY/year if kept.
* GAS at A: existing, 10 MW, 400 CNY/MWh.
* Demand at A: 60 MW design load; two periods: 2,000 h at 0.5 and 1,000 h at 1.0 (the design
  period, D* = 60 MW).

Cost alone: WH covers every hour through P (30 and 60 MW), COAL is not needed, so it is
retired: 20 × (30 × 2,000 + 60 × 1,000) = 2,400,000 CNY/year.

With security, served share α and contingency P (the only way in for WH): at the design hour
with P out, A has GAS (10 MW) and, if kept, COAL (60 MW). α · 60 ≤ 10 needs α ≤ 1/6, so
α = 0.5 keeps COAL: 2,400,000 + 1,000,000 = 3,400,000 CNY/year (the cost of security is the
fixed cost, 1,000,000); α = 0.1 does not bind: 2,400,000. With COAL out of the question
(status retired), α = 0.5 cannot be met: infeasible, and the explanation names P.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import heatnet
from heatnet.network import Security
from heatnet.options import SolveOptions
from heatnet.solve import Status
from tests.helpers import write_network

REL = 1e-7
BASE = 2_400_000.0
FIXED = 1_000_000.0


def secure_city(folder: Path, coal_status: str = "retirable") -> Path:
    return write_network(
        folder,
        nodes=[{"id": "A", "name": "city"}, {"id": "R", "name": "remote"}],
        sources=[
            {
                "id": "WH",
                "node": "R",
                "technology": "waste_heat",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 20,
            },
            {
                "id": "COAL",
                "node": "A",
                "technology": "coal_boiler",
                "capacity_mw": 60,
                "status": coal_status,
                "variable_cost_cny_per_mwh": 200,
                "fixed_cost_cny_per_year": FIXED,
            },
            {
                "id": "GAS",
                "node": "A",
                "technology": "gas_boiler",
                "capacity_mw": 10,
                "status": "existing",
                "variable_cost_cny_per_mwh": 400,
            },
        ],
        pipes=[
            {
                "id": "P",
                "from_node": "R",
                "to_node": "A",
                "length_km": 30,
                "capacity_mw": 100,
                "status": "existing",
                "loss_fraction_per_km": 0,
                "pumping_cost_cny_per_mwh": 0,
            }
        ],
        demands=[{"id": "D", "node": "A", "design_load_mw": 60, "profile": "heat"}],
        profiles=[
            {"period": "mild", "weight_h": 2000, "heat": 0.5},
            {"period": "cold", "weight_h": 1000, "heat": 1.0},
        ],
    )


def with_security(net: heatnet.Network, **kw: object) -> heatnet.Network:
    return dataclasses.replace(net, security=Security(**kw))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> heatnet.Network:
    return heatnet.load_network(secure_city(tmp_path_factory.mktemp("sec") / "n"))


def test_cost_alone_retires_the_coal_point(net: heatnet.Network) -> None:
    run = heatnet.solve(net)
    assert run.is_optimal
    assert run.result.objective_cny == pytest.approx(BASE, rel=REL)
    assert run.summary["retired"] == ["COAL"]
    assert "security" not in run.summary


def test_security_keeps_the_coal_point(net: heatnet.Network, tmp_path: Path) -> None:
    secured = with_security(net, served_share=0.5, contingencies=("P",))
    run = heatnet.solve(secured, SolveOptions(security_cost=True))
    assert run.is_optimal
    assert run.result.objective_cny == pytest.approx(BASE + FIXED, rel=REL)
    assert run.summary["kept"] == ["COAL"]
    sec = run.summary["security"]
    assert sec["contingencies"] == ["P"]
    assert sec["design_period"] == "cold"
    assert sec["cost_of_security_cny"] == pytest.approx(FIXED, rel=1e-6)
    assert sec["cost_of_security_within_gaps"] is False
    assert sec["changed_by_security"] == {"COAL": "retired → kept"}
    # the check: with P out, A can get all 60 MW (GAS 10 + COAL 60 ≥ 60), intact too
    table = run.tables["security"].set_index("contingency")
    assert table.loc["P", "design_demand_mw"] == pytest.approx(60.0)
    assert table.loc["P", "served_mw"] == pytest.approx(60.0)
    assert table.loc["intact", "served_share"] == pytest.approx(1.0)
    assert sec["binding"] == []  # COAL gives more than the 30 MW the rule asks for
    folder = run.write(tmp_path / "results")
    back = pd.read_csv(folder / "security.csv")
    assert list(back.columns[:4]) == ["contingency", "kind", "node", "design_demand_mw"]
    assert heatnet.read_run(folder).tables["security"].shape == back.shape


def test_a_served_share_too_small_to_bind_gives_the_v1_optimum(net: heatnet.Network) -> None:
    run = heatnet.solve(with_security(net, served_share=0.1, contingencies=("P",)))
    assert run.result.objective_cny == pytest.approx(BASE, rel=REL)
    assert run.summary["retired"] == ["COAL"]
    # GAS alone gives 10 of the 60 MW with P out: 1/6 ≥ 0.1
    table = run.tables["security"].set_index("contingency")
    assert table.loc["P", "served_share"] == pytest.approx(1 / 6)


def test_the_optimum_never_falls_as_the_served_share_grows(net: heatnet.Network) -> None:
    shares = [0.05, 0.1, 1 / 6, 0.2, 0.5, 0.9, 1.0]
    costs = [
        heatnet.solve(
            with_security(net, served_share=a, contingencies=("P",)),
            SolveOptions(heat_prices=False),
        ).result.objective_cny
        for a in shares
    ]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(costs))
    assert costs[0] == pytest.approx(BASE, rel=REL)
    assert costs[-1] == pytest.approx(BASE + FIXED, rel=REL)


def test_auto_contingencies_are_the_long_lines_and_large_sources(net: heatnet.Network) -> None:
    run = heatnet.solve(with_security(net, served_share=0.5, min_length_km=20, min_source_mw=50))
    # P is 30 km; WH (100 MW) and COAL (60 MW) are at least 50 MW, GAS is not
    assert run.summary["security"]["contingencies"] == ["P", "WH", "COAL"]
    assert run.result.objective_cny == pytest.approx(BASE + FIXED, rel=REL)


def test_no_plan_passes_and_the_explanation_names_the_outage(tmp_path: Path) -> None:
    net = heatnet.load_network(secure_city(tmp_path / "n", coal_status="retired"))
    run = heatnet.solve(with_security(net, served_share=0.5, contingencies=("P",)))
    assert run.result.status is Status.INFEASIBLE
    why = " ".join(run.summary["infeasibility"]["limits_in_conflict"])
    assert "outage of pipe P" in why
    assert "district A" in why


def test_two_stage_designs_under_security_and_the_plan_passes(tmp_path: Path) -> None:
    """Security rows are in stage 1 (they carry binaries); the plan stage 2 gets passes
    the check at full resolution."""
    rows = []
    for day in range(6):
        for hour in range(24):
            heat = 0.5 + 0.3 * np.sin(np.pi * hour / 24) + (0.2 if day == 3 else 0.0)
            rows.append({"period": f"d{day}h{hour:02d}", "weight_h": 1.0, "heat": heat})
    folder = secure_city(tmp_path / "n")
    net = heatnet.load_network(folder)
    net = net.replace(profiles=pd.DataFrame(rows), profiles_path=None)
    secured = with_security(net, served_share=0.5, contingencies=("P",))
    for opts in (
        SolveOptions(two_stage=True, typical_days=2),
        SolveOptions(time_slices=4),
    ):
        run = heatnet.solve(secured, opts)
        assert run.summary["solve_mode"] == "two_stage"
        assert run.summary["kept"] == ["COAL"]
        table = run.tables["security"]
        p_rows = table[table["contingency"] == "P"]
        assert (p_rows["served_share"] >= 0.5 - 1e-9).all()
        assert run.summary["security"]["design_period"] == "d3h12"


def test_sweep_reports_the_cost_of_security_per_scenario(tmp_path: Path) -> None:
    """A study compares plans: each scenario with a security block also reports what
    security costs it (the same solve without the block)."""
    from heatnet.scenarios import load_scenarios
    from heatnet.sweep import run_sweep

    folder = secure_city(tmp_path / "n")
    text = (folder / "network.yaml").read_text(encoding="utf-8")
    text += "security:\n  served_share: 0.5\n  contingencies: [P]\n"
    (folder / "network.yaml").write_text(text, encoding="utf-8")
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(
        "scenarios:\n"
        "  base: {}\n"
        "  loose:\n    security: {served_share: 0.1}\n"
        "  no_security:\n    security: null\n",
        encoding="utf-8",
    )
    net = heatnet.load_network(folder)
    sweep = run_sweep(net, load_scenarios(scenarios, net), tmp_path / "results", jobs=1)
    by = {o.scenario: o.summary for o in sweep.outcomes}
    assert by["base"]["security"]["cost_of_security_cny"] == pytest.approx(FIXED, rel=1e-6)
    assert by["loose"]["security"]["cost_of_security_cny"] == pytest.approx(0.0, abs=1e-3)
    assert "security" not in by["no_security"]
    assert by["no_security"]["objective_cny"] == pytest.approx(BASE, rel=REL)


def test_cli_security_cost_and_summary_lines(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from heatnet.cli import cli

    folder = secure_city(tmp_path / "n")
    result = CliRunner().invoke(
        cli,
        [
            "solve",
            str(folder),
            "--security-share",
            "0.5",
            "--security-cost",
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "security: every district keeps 50.0 % of its design-hour demand" in result.output
    assert "cost of security: 1.0 M CNY" in result.output
    assert "security changes: COAL (retired → kept)" in result.output


def test_validate_summarises_the_security_and_constraints_blocks(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from heatnet.cli import cli

    folder = secure_city(tmp_path / "n")
    text = (folder / "network.yaml").read_text(encoding="utf-8")
    text += (
        "security:\n  served_share: 0.5\n  contingencies: [P, WH]\n"
        "constraints:\n  capex_budget_cny: 2.0e+8\n  min_heat_share: {waste_heat: 0.6}\n"
    )
    (folder / "network.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert (
        "security: 50.0 % of each district's design-hour demand in every outage "
        "(1 pipes, 1 sources, listed), intact 100.0 %, design factor 1.00"
    ) in result.output
    assert "constraints: capex budget 200.0 M CNY (2.00 亿); waste_heat ≥ 60.0 % of heat" in (
        result.output
    )


@pytest.mark.parametrize("share", [0.1, 0.5, 1.0])
def test_screened_contingencies_give_the_same_optimum(
    net: heatnet.Network, share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contingency screening (solve, check every outage, add the failed ones, solve again)
    ends at the optimum of the model with every case, with only the cases it needed."""
    secured = with_security(net, served_share=share, min_length_km=20, min_source_mw=50)
    whole = heatnet.solve(secured, SolveOptions(heat_prices=False))
    monkeypatch.setattr("heatnet.stages.SCREEN_SECURITY_COLUMNS", -1)
    screened = heatnet.solve(secured, SolveOptions(heat_prices=False))
    assert screened.is_optimal
    assert screened.result.objective_cny == pytest.approx(whole.result.objective_cny, rel=REL)
    assert "security screened" in screened.summary["termination"]
    table = screened.tables["security"]
    cont = table[table["contingency"] != "intact"]
    assert (cont["served_share"] >= share - 1e-6).all()


def test_the_check_reports_a_dispatch_that_meets_the_rule(tmp_path: Path) -> None:
    """Two districts of 100 MW fed from G; with BIG out only SMALL (110 MW) is left. Heat
    to B loses 10 % on its pipe, so the dispatch that leaves the least heat unserved gives A
    all 100 MW and B 9 MW (9 %), yet the plan meets a 50 % rule: A 50 MW, B 50 MW from
    55.6 MW sent (105.6 ≤ 110). The check must report the dispatch that meets the rule."""
    folder = write_network(
        tmp_path / "n",
        nodes=[{"id": n, "name": n} for n in ("G", "A", "B")],
        sources=[
            {
                "id": sid,
                "node": "G",
                "technology": "chp",
                "capacity_mw": cap,
                "status": "existing",
                "variable_cost_cny_per_mwh": cost,
            }
            for sid, cap, cost in (("BIG", 300, 10), ("SMALL", 110, 20))
        ],
        pipes=[
            {
                "id": "GA",
                "from_node": "G",
                "to_node": "A",
                "length_km": 10,
                "capacity_mw": 300,
                "status": "existing",
            },
            {
                "id": "GB",
                "from_node": "G",
                "to_node": "B",
                "length_km": 10,
                "capacity_mw": 300,
                "status": "existing",
                "loss_fraction_per_km": 0.01,
            },
        ],
        demands=[
            {"id": "DA", "node": "A", "design_load_mw": 100, "profile": "h"},
            {"id": "DB", "node": "B", "design_load_mw": 100, "profile": "h"},
        ],
        profiles=[{"period": "p", "weight_h": 1, "h": 1.0}],
        security={"served_share": 0.5, "contingencies": ["BIG"]},
    )
    run = heatnet.solve(folder)
    assert run.is_optimal
    table = run.tables["security"]
    outage = table[table["contingency"] == "BIG"].set_index("node")["served_share"]
    assert outage.min() >= 0.5 - 1e-9
    assert run.summary["security"]["min_served_share"] >= 0.5 - 1e-9
