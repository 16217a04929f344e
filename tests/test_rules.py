"""Planners' own rules (spec v1.1 §5) and ``heatnet.solve(extra=fn)``, hand-worked.

`rules_city`: district A (60 MW flat for 1,000 h: 60,000 MWh), lossless pipes, discount rate 0:

* WH1 at R1 (20 CNY/MWh) behind candidate pipe C1 (capex 1,000,000, 10 years: 100,000/yr);
* WH2 at R2 (30 CNY/MWh) behind candidate pipe C2 (capex 500,000, 10 years: 50,000/yr);
* COAL1, COAL2 at A: retirable, 80 MW, 200 CNY/MWh, fixed 100,000 and 200,000 CNY/yr;
* GAS at A: existing, 100 MW, 400 CNY/MWh.

Free optimum: build C1, retire both coal points: 20 × 60,000 + 100,000 = 1,300,000.
* budget 800,000 (C1 does not fit): build C2: 30 × 60,000 + 50,000 = 1,850,000.
* coal ≥ 10 % of the heat: 6,000 MWh from COAL1 (the cheaper to keep): 1,300,000 + 6,000 ×
  (200 − 20) + 100,000 = 2,480,000; with COAL1 and COAL2 retired together: + 200,000 =
  2,680,000.
* demand 150 MW (150,000 MWh): free, both lines: 20 × 100,000 + 30 × 50,000 + 150,000 =
  3,650,000; at most one of C1, C2: C1 and 50 MW from COAL1: 2,000,000 + 100,000 +
  200 × 50,000 + 100,000 = 12,200,000.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pyomo.environ as pyo
import pytest

import heatnet
from heatnet.model import Variables
from heatnet.network import Constraints
from heatnet.options import SolveOptions
from tests.helpers import write_network

REL = 1e-7


def rules_city(
    folder: Path, demand_mw: float = 60.0, periods: int = 1, weight_h: float = 1000.0
) -> Path:
    def source(i: str, node: str, tech: str, cap: float, status: str, vc: float, **kw: Any):
        return {
            "id": i,
            "node": node,
            "technology": tech,
            "capacity_mw": cap,
            "status": status,
            "variable_cost_cny_per_mwh": vc,
            **kw,
        }

    def pipe(i: str, a: str, status: str, capex: float) -> dict[str, Any]:
        return {
            "id": i,
            "from_node": a,
            "to_node": "A",
            "length_km": 10,
            "capacity_mw": 100,
            "status": status,
            "loss_fraction_per_km": 0,
            "pumping_cost_cny_per_mwh": 0,
            "capex_cny": capex,
            "lifetime_years": 10,
        }

    return write_network(
        folder,
        nodes=[{"id": n, "name": n} for n in ("A", "R1", "R2")],
        sources=[
            source("WH1", "R1", "waste_heat", 100, "existing", 20),
            source("WH2", "R2", "waste_heat", 100, "existing", 30),
            source(
                "COAL1", "A", "coal_boiler", 80, "retirable", 200, fixed_cost_cny_per_year=100_000
            ),
            source(
                "COAL2", "A", "coal_boiler", 80, "retirable", 200, fixed_cost_cny_per_year=200_000
            ),
            source("GAS", "A", "gas_boiler", 100, "existing", 400),
        ],
        pipes=[pipe("C1", "R1", "candidate", 1_000_000), pipe("C2", "R2", "candidate", 500_000)],
        demands=[{"id": "D", "node": "A", "design_load_mw": demand_mw, "profile": "heat"}],
        profiles=[{"period": f"h{i}", "weight_h": weight_h, "heat": 1.0} for i in range(periods)],
        economics={"discount_rate": 0.0},
    )


def solve(net: heatnet.Network, rules: Constraints | None = None, **kw: Any) -> heatnet.Run:
    run = heatnet.solve(dataclasses.replace(net, constraints=rules), **kw)
    assert run.is_optimal, run.summary["status"]
    return run


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> heatnet.Network:
    return heatnet.load_network(rules_city(tmp_path_factory.mktemp("rules") / "n"))


def test_free_optimum(net: heatnet.Network) -> None:
    run = solve(net)
    assert run.result.objective_cny == pytest.approx(1_300_000, rel=REL)
    assert run.summary["built_pipes"] == ["C1"]
    assert run.summary["retired"] == ["COAL1", "COAL2"]


def test_capital_budget(net: heatnet.Network) -> None:
    run = solve(net, Constraints(capex_budget_cny=800_000))
    assert run.result.objective_cny == pytest.approx(1_850_000, rel=REL)
    assert run.summary["built_pipes"] == ["C2"]
    block = run.summary["constraints"]["capex_budget"]
    assert block["spent_cny"] == pytest.approx(500_000)
    assert block["binding"] is False  # the budget changed the plan but is not spent up
    on_limit = solve(net, Constraints(capex_budget_cny=500_000))
    assert on_limit.summary["constraints"]["binding"] == ["capex_budget"]


def test_minimum_heat_share_and_retire_together(net: heatnet.Network) -> None:
    share = Constraints(min_heat_share=(("coal_boiler", 0.1),))
    run = solve(net, share)
    assert run.result.objective_cny == pytest.approx(2_480_000, rel=REL)
    assert run.summary["kept"] == ["COAL1"]
    (rule,) = run.summary["constraints"]["min_heat_share"]
    assert rule["share"] == pytest.approx(0.1)
    assert rule["binding"] is True
    together = dataclasses.replace(share, retire_together=(("COAL1", "COAL2"),))
    run = solve(net, together)
    assert run.result.objective_cny == pytest.approx(2_680_000, rel=REL)
    assert run.summary["kept"] == ["COAL1", "COAL2"]
    assert run.summary["constraints"]["retire_together"] == [
        {"ids": ["COAL1", "COAL2"], "state": "kept"}
    ]


def test_at_most_one_of(tmp_path: Path) -> None:
    net = heatnet.load_network(rules_city(tmp_path / "n", demand_mw=150))
    assert solve(net).result.objective_cny == pytest.approx(3_650_000, rel=REL)
    run = solve(net, Constraints(at_most_one_of=(("C1", "C2"),)))
    assert run.result.objective_cny == pytest.approx(12_200_000, rel=REL)
    assert run.summary["built_pipes"] == ["C1"]
    assert run.summary["constraints"]["binding"] == ["at_most_one_of: C1, C2"]


def coal_share(m: pyo.ConcreteModel, v: Variables) -> None:
    """The minimum coal share as your own rule: coal heat ≥ 10 % of all heat."""
    m.coal = pyo.Constraint(
        expr=v.heat["COAL1"] + v.heat["COAL2"] >= 0.1 * sum(v.heat[s] for s in v.heat)
    )


def together(m: pyo.ConcreteModel, v: Variables) -> None:
    coal_share(m, v)
    m.together = pyo.Constraint(expr=v.keep["COAL1"] == v.keep["COAL2"])


@pytest.mark.parametrize("route", ["direct", "standard_form", "lp_file"])
def test_extra_rules_reproduce_the_declarative_ones_on_every_route(
    net: heatnet.Network, route: str
) -> None:
    run = heatnet.solve(net, SolveOptions(route=route), extra=together)  # type: ignore[arg-type]
    assert run.is_optimal
    assert run.result.objective_cny == pytest.approx(2_680_000, rel=REL)
    assert run.summary["kept"] == ["COAL1", "COAL2"]


def test_extra_rules_hold_in_both_stages(tmp_path: Path) -> None:
    """960 hourly periods (40 days): 57,600 MWh; C1 and 10 % coal from COAL1:
    20 × 57,600 + 100,000 + 5,760 × 180 + 100,000 = 2,388,800."""
    net = heatnet.load_network(rules_city(tmp_path / "n", periods=960, weight_h=1.0))
    run = heatnet.solve(net, SolveOptions(two_stage=True, typical_days=2), extra=coal_share)
    assert run.summary["solve_mode"] == "two_stage"
    assert run.result.objective_cny == pytest.approx(2_388_800, rel=1e-6)
    coal = run.sources.loc[["COAL1", "COAL2"], "heat_mwh"].sum()
    assert coal >= 0.1 * run.sources["heat_mwh"].sum() - 1e-3


def test_extra_rules_with_a_variable_of_their_own(net: heatnet.Network) -> None:
    """An auxiliary binary: either C1 is built or both coal points stay (a made-up rule)."""

    def rule(m: pyo.ConcreteModel, v: Variables) -> None:
        m.z = pyo.Var(domain=pyo.Binary)
        m.a = pyo.Constraint(expr=v.build["C1"] >= 1 - m.z)
        m.b = pyo.Constraint(expr=v.keep["COAL1"] + v.keep["COAL2"] >= 2 * m.z)
        m.no_c1 = pyo.Constraint(expr=v.build["C1"] == 0)

    run = heatnet.solve(net, extra=rule)
    assert run.summary["kept"] == ["COAL1", "COAL2"]
    assert run.summary["built_pipes"] == ["C2"]
    # C2 line, both coal points kept: 1,800,000 + 50,000 + 300,000
    assert run.result.objective_cny == pytest.approx(2_150_000, rel=REL)


def test_extra_rules_must_be_linear_and_add_no_objective(net: heatnet.Network) -> None:
    def square(m: pyo.ConcreteModel, v: Variables) -> None:
        m.c = pyo.Constraint(expr=v.heat["GAS"] ** 2 <= 1)

    def objective(m: pyo.ConcreteModel, v: Variables) -> None:
        m.o = pyo.Objective(expr=v.heat["GAS"])

    with pytest.raises(ValueError, match="not linear"):
        heatnet.solve(net, extra=square)
    with pytest.raises(ValueError, match="objective"):
        heatnet.solve(net, extra=objective)
