"""Tiny networks whose optimum is worked out by hand in each docstring.

Every test solves with the real HiGHS solver and checks the objective, the decisions and the
figures a planner would read (heat, losses, CO2, unserved heat, prices).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import heatnet
from tests.helpers import nodes, write_network

REL = 1e-7


def _solve(folder: Path, **options: object) -> heatnet.Run:
    run = heatnet.solve(folder, heatnet.SolveOptions(**options))
    assert run.is_optimal, run.summary["status"]
    # the tables recompute every cost from the solution; they must add up to the objective
    assert run.summary["cost_breakdown_cny"]["total_cny"] == pytest.approx(
        run.result.objective_cny, rel=1e-9, abs=1e-6
    )
    return run


def test_lossy_pipe(tmp_path: Path) -> None:
    """Source at A (50 CNY/MWh) feeds 90 MW at B for 10 h through a 10 km pipe losing
    1 %/km (eta = 0.9). The source must send 90 / 0.9 = 100 MW: cost = 50 * 100 * 10 =
    50,000 CNY; losses 10 MW * 10 h = 100 MWh; heat costs 50 / 0.9 = 55.56 CNY/MWh at B."""
    folder = write_network(
        tmp_path / "n",
        nodes=nodes("A", "B"),
        sources=[
            {
                "id": "S",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 200,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
            }
        ],
        pipes=[
            {
                "id": "P",
                "from_node": "A",
                "to_node": "B",
                "length_km": 10,
                "capacity_mw": 150,
                "status": "existing",
                "loss_fraction_per_km": 0.01,
            }
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 90, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 10, "h": 1.0}],
    )
    run = _solve(folder)
    assert run.result.objective_cny == pytest.approx(50_000, rel=REL)
    assert run.summary["losses_mwh"] == pytest.approx(100, rel=REL)
    assert run.sources.loc["S", "heat_mwh"] == pytest.approx(1000, rel=REL)
    price = run.prices.set_index("node")["price_cny_per_mwh"]
    assert price["B"] == pytest.approx(50 / 0.9, rel=1e-6)
    assert price["A"] == pytest.approx(50, rel=1e-6)
    # energy balance closes: produced = served + lost
    s = run.summary
    assert s["heat_produced_mwh"] == pytest.approx(s["heat_served_mwh"] + s["losses_mwh"])


def _keep_or_retire(folder: Path, fixed: float, retirement: float) -> Path:
    """Retirable coal at B: 100 CNY/MWh and a fixed cost; remote CHP at A: 150 CNY/MWh.
    Demand 10 MW for 10 h = 100 MWh. Discount rate 0, retirement over 20 years."""
    return write_network(
        folder,
        nodes=nodes("A", "B"),
        sources=[
            {
                "id": "CHP",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 50,
                "status": "existing",
                "variable_cost_cny_per_mwh": 150,
            },
            {
                "id": "COAL",
                "node": "B",
                "technology": "coal_boiler",
                "capacity_mw": 50,
                "status": "retirable",
                "variable_cost_cny_per_mwh": 100,
                "fixed_cost_cny_per_year": fixed,
                "retirement_cost_cny": retirement,
            },
        ],
        pipes=[
            {
                "id": "P",
                "from_node": "A",
                "to_node": "B",
                "length_km": 1,
                "capacity_mw": 50,
                "status": "existing",
            }
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 10, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 10, "h": 1.0}],
        economics={"discount_rate": 0.0, "retirement_annualisation_years": 20},
    )


@pytest.mark.parametrize(
    ("fixed", "retirement", "decision", "objective"),
    [
        # keep: 4,000 + 100 * 100 = 14,000 < retire: 150 * 100 = 15,000
        (4_000, 0, "kept", 14_000),
        # keep: 6,000 + 10,000 = 16,000 > retire: 15,000
        (6_000, 0, "retired", 15_000),
        # retiring now costs 40,000 / 20 = 2,000 a year: 15,000 + 2,000 = 17,000 > 16,000
        (6_000, 40_000, "kept", 16_000),
    ],
)
def test_keep_or_retire_against_fixed_cost(
    tmp_path: Path, fixed: float, retirement: float, decision: str, objective: float
) -> None:
    run = _solve(_keep_or_retire(tmp_path / "n", fixed, retirement))
    assert run.sources.loc["COAL", "decision"] == decision
    assert run.result.objective_cny == pytest.approx(objective, rel=REL)
    assert (["COAL"] if decision == "retired" else []) == run.summary["retired"]


def _candidate_pipe(folder: Path, capex: float) -> Path:
    """Local boiler at B (200 CNY/MWh) or a candidate pipe from cheap waste heat at A
    (50 CNY/MWh). Demand 10 MW for 100 h = 1,000 MWh; the pipe saves 150 * 1,000 =
    150,000 CNY a year. Capex over 10 years at 0 % = capex / 10 a year."""
    return write_network(
        folder,
        nodes=nodes("A", "B"),
        sources=[
            {
                "id": "WASTE",
                "node": "A",
                "technology": "waste_heat",
                "capacity_mw": 50,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
            },
            {
                "id": "LOCAL",
                "node": "B",
                "technology": "gas_boiler",
                "capacity_mw": 50,
                "status": "existing",
                "variable_cost_cny_per_mwh": 200,
            },
        ],
        pipes=[
            {
                "id": "NEW",
                "from_node": "A",
                "to_node": "B",
                "length_km": 20,
                "capacity_mw": 50,
                "status": "candidate",
                "capex_cny": capex,
                "lifetime_years": 10,
            }
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 10, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 100, "h": 1.0}],
        economics={"discount_rate": 0.0},
    )


@pytest.mark.parametrize(
    ("capex", "built", "objective"),
    [
        (1_000_000, True, 100_000 + 50 * 1_000),  # 100,000 a year < 150,000 saved
        (2_000_000, False, 200 * 1_000),  # 200,000 a year > 150,000 saved
    ],
)
def test_candidate_pipe_built_only_when_it_pays(
    tmp_path: Path, capex: float, built: bool, objective: float
) -> None:
    run = _solve(_candidate_pipe(tmp_path / "n", capex))
    assert run.pipes.loc["NEW", "decision"] == ("built" if built else "not_built")
    assert run.summary["built_pipes"] == (["NEW"] if built else [])
    assert run.result.objective_cny == pytest.approx(objective, rel=REL)
    assert run.summary["waste_heat_share"] == pytest.approx(1.0 if built else 0.0)


def test_annuity_with_discounting(tmp_path: Path) -> None:
    """The same pipe at 6 % over 10 years costs capex * 0.06 / (1 - 1.06^-10) =
    1,000,000 * 0.135868 = 135,868 CNY a year < 150,000 saved: built."""
    folder = _candidate_pipe(tmp_path / "n", 1_000_000)
    text = (
        (folder / "network.yaml").read_text().replace("discount_rate: 0.0", "discount_rate: 0.06")
    )
    (folder / "network.yaml").write_text(text)
    run = _solve(folder)
    annuity = 0.06 / (1 - 1.06**-10)
    assert run.result.objective_cny == pytest.approx(1_000_000 * annuity + 50_000, rel=REL)


def _co2_case(folder: Path, cap: float | None) -> Path:
    """Retirable coal (50 CNY/MWh, 0.4 t/MWh, fixed 1,000 CNY/yr) and existing gas
    (100 CNY/MWh, 0.2 t/MWh) at one node; demand 10 MW for 100 h = 1,000 MWh.
    Emissions with x MWh of coal: 0.4 x + 0.2 (1,000 - x) = 200 + 0.2 x."""
    econ: dict[str, object] = {"discount_rate": 0.0}
    if cap is not None:
        econ["co2_cap_t"] = cap
    return write_network(
        folder,
        nodes=nodes("B"),
        sources=[
            {
                "id": "COAL",
                "node": "B",
                "technology": "coal_boiler",
                "capacity_mw": 20,
                "status": "retirable",
                "variable_cost_cny_per_mwh": 50,
                "co2_t_per_mwh": 0.4,
                "fixed_cost_cny_per_year": 1000,
            },
            {
                "id": "GAS",
                "node": "B",
                "technology": "gas_boiler",
                "capacity_mw": 20,
                "status": "existing",
                "variable_cost_cny_per_mwh": 100,
                "co2_t_per_mwh": 0.2,
            },
        ],
        pipes=[],
        demands=[{"id": "D", "node": "B", "design_load_mw": 10, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 100, "h": 1.0}],
        economics=econ,
    )


@pytest.mark.parametrize(
    ("cap", "decision", "objective", "co2"),
    [
        # no cap: all coal, 1,000 + 50 * 1,000 = 51,000; 400 t
        (None, "kept", 51_000, 400),
        # cap 240 t: x <= 200 MWh of coal: 1,000 + 50 * 200 + 100 * 800 = 91,000 < 100,000
        (240, "kept", 91_000, 240),
        # cap 200 t: no coal can run, so keeping it only costs its fixed cost: retire
        (200, "retired", 100_000, 200),
    ],
)
def test_co2_cap_forces_retirement(
    tmp_path: Path, cap: float | None, decision: str, objective: float, co2: float
) -> None:
    run = _solve(_co2_case(tmp_path / "n", cap))
    assert run.sources.loc["COAL", "decision"] == decision
    assert run.result.objective_cny == pytest.approx(objective, rel=REL)
    assert run.summary["co2_t"] == pytest.approx(co2, rel=1e-6)


def test_carbon_price_enters_unit_cost(tmp_path: Path) -> None:
    """At 300 CNY/t coal costs 50 + 0.4 * 300 = 170 and gas 100 + 0.2 * 300 = 160: gas runs,
    coal is retired. Objective 160 * 1,000 = 160,000 (carbon part 0.2 * 1,000 * 300)."""
    folder = _co2_case(tmp_path / "n", None)
    run = heatnet.solve(heatnet.load_network(folder).with_economics(carbon_price_cny_per_t=300))
    assert run.is_optimal
    assert run.result.objective_cny == pytest.approx(160_000, rel=REL)
    assert run.summary["cost_breakdown_cny"]["carbon_cny"] == pytest.approx(60_000, rel=REL)
    assert run.summary["retired"] == ["COAL"]


def test_capacity_short_gives_priced_unserved_heat(tmp_path: Path) -> None:
    """50 MW of supply against 80 MW of demand for 10 h, unserved heat at 1,000 CNY/MWh:
    cost = 50 * 50 * 10 + 1,000 * 30 * 10 = 325,000; 300 MWh unserved; the marginal heat
    at B costs the penalty, 1,000 CNY/MWh."""
    folder = write_network(
        tmp_path / "n",
        nodes=nodes("A", "B"),
        sources=[
            {
                "id": "S",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 50,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
            }
        ],
        pipes=[
            {
                "id": "P",
                "from_node": "A",
                "to_node": "B",
                "length_km": 1,
                "capacity_mw": 100,
                "status": "existing",
            }
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 80, "profile": "h"}],
        profiles=[{"period": "cold", "weight_h": 10, "h": 1.0}],
        economics={"unserved_heat_cost_cny_per_mwh": 1000},
    )
    run = _solve(folder)
    assert run.result.objective_cny == pytest.approx(325_000, rel=REL)
    assert run.summary["unserved_mwh"] == pytest.approx(300, rel=REL)
    assert run.summary["unserved_by_node_mwh"] == {"B": pytest.approx(300, rel=REL)}
    price = run.prices.set_index("node")["price_cny_per_mwh"]
    assert price["B"] == pytest.approx(1000, rel=1e-6)


def _two_way(folder: Path, bidirectional: bool) -> Path:
    """Cheap source at A (10 CNY/MWh, available in p1 only), dear source at B (20 CNY/MWh);
    50 MW needed at B in p1 and at A in p2, 5 h each; one 60 MW pipe A→B (pumping 1 CNY/MWh),
    usable both ways or not."""
    return write_network(
        folder,
        nodes=nodes("A", "B"),
        sources=[
            {
                "id": "SA",
                "node": "A",
                "technology": "waste_heat",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 10,
                "availability": "a",
            },
            {
                "id": "SB",
                "node": "B",
                "technology": "gas_boiler",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 20,
            },
        ],
        pipes=[
            {
                "id": "P",
                "from_node": "A",
                "to_node": "B",
                "length_km": 5,
                "capacity_mw": 60,
                "status": "existing",
                "bidirectional": str(bidirectional).lower(),
                "pumping_cost_cny_per_mwh": 1,
            }
        ],
        demands=[
            {"id": "DA", "node": "A", "design_load_mw": 50, "profile": "da"},
            {"id": "DB", "node": "B", "design_load_mw": 50, "profile": "db"},
        ],
        profiles=[
            {"period": "p1", "weight_h": 5, "a": 1, "da": 0, "db": 1},
            {"period": "p2", "weight_h": 5, "a": 0, "da": 1, "db": 0},
        ],
    )


def test_flow_reverses_between_periods(tmp_path: Path) -> None:
    """Cheap source at A (10 CNY/MWh) is available in p1 only (availability 1, 0); dear
    source at B (20 CNY/MWh) always. p1: 50 MW needed at B → flows A→B; p2: 50 MW needed at A
    → flows B→A on the same bidirectional pipe. 5 h each, pumping 1 CNY/MWh:
    (10 + 1) * 50 * 5 + (20 + 1) * 50 * 5 = 2,750 + 5,250 = 8,000 CNY."""
    folder = _two_way(tmp_path / "n", bidirectional=True)
    run = _solve(folder)
    assert run.result.objective_cny == pytest.approx(8_000, rel=REL)
    f = run.flows.set_index("period")
    assert f.loc["p1", "flow_forward_mw"] == pytest.approx(50)
    assert f.loc["p1", "flow_reverse_mw"] == pytest.approx(0, abs=1e-9)
    assert f.loc["p2", "flow_reverse_mw"] == pytest.approx(50)
    assert f.loc["p2", "net_flow_mw"] == pytest.approx(-50)


def test_one_way_pipe_cannot_reverse(tmp_path: Path) -> None:
    """The same network with a one-way pipe: in p2 A's demand can only be met as unserved heat
    (20,000 CNY/MWh default): 2,750 + 20,000 * 50 * 5 = 5,002,750 CNY."""
    folder = _two_way(tmp_path / "n", bidirectional=False)
    run = _solve(folder)
    assert run.result.objective_cny == pytest.approx(2_750 + 20_000 * 250, rel=REL)
    assert run.summary["unserved_mwh"] == pytest.approx(250)


def test_shared_capacity_of_a_bidirectional_pipe(tmp_path: Path) -> None:
    """Capacity is shared by both directions: f+ + f- <= 30. Demand 40 MW at B with a local
    source at 100 CNY/MWh and a cheap one at A (10): only 30 MW can come through.
    1 h: 10 * 30 + 100 * 10 = 1,300 CNY."""
    folder = write_network(
        tmp_path / "n",
        nodes=nodes("A", "B"),
        sources=[
            {
                "id": "SA",
                "node": "A",
                "technology": "waste_heat",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 10,
            },
            {
                "id": "SB",
                "node": "B",
                "technology": "gas_boiler",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 100,
            },
        ],
        pipes=[
            {
                "id": "P",
                "from_node": "A",
                "to_node": "B",
                "length_km": 1,
                "capacity_mw": 30,
                "status": "existing",
            }
        ],
        demands=[{"id": "DB", "node": "B", "design_load_mw": 40, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 1, "h": 1}],
    )
    run = _solve(folder)
    assert run.result.objective_cny == pytest.approx(1_300, rel=REL)
    assert run.pipes.loc["P", "utilisation"] == pytest.approx(1.0)
    # the marginal MWh at B comes from the local boiler; at A from the cheap source
    price = run.prices.set_index("node")["price_cny_per_mwh"]
    assert price["B"] == pytest.approx(100, rel=1e-6)
    assert price["A"] == pytest.approx(10, rel=1e-6)


def test_candidate_source_and_fixed_costs(tmp_path: Path) -> None:
    """A candidate heat pump (capex 300,000 over 10 years at 0 %, fixed 5,000/yr, 60 CNY/MWh)
    against an existing gas boiler (fixed 2,000/yr, 200 CNY/MWh) for 1,000 MWh:
    build: 30,000 + 5,000 + 60,000 + 2,000 = 97,000 < 202,000 without."""
    folder = write_network(
        tmp_path / "n",
        nodes=nodes("B"),
        sources=[
            {
                "id": "HP",
                "node": "B",
                "technology": "heat_pump",
                "capacity_mw": 20,
                "status": "candidate",
                "variable_cost_cny_per_mwh": 60,
                "capex_cny": 300_000,
                "lifetime_years": 10,
                "fixed_cost_cny_per_year": 5_000,
            },
            {
                "id": "GAS",
                "node": "B",
                "technology": "gas_boiler",
                "capacity_mw": 20,
                "status": "existing",
                "variable_cost_cny_per_mwh": 200,
                "fixed_cost_cny_per_year": 2_000,
            },
        ],
        pipes=[],
        demands=[{"id": "D", "node": "B", "design_load_mw": 10, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 100, "h": 1.0}],
        economics={"discount_rate": 0.0},
    )
    run = _solve(folder)
    assert run.summary["built_sources"] == ["HP"]
    assert run.result.objective_cny == pytest.approx(97_000, rel=REL)
    cb = run.summary["cost_breakdown_cny"]
    assert cb["capex_sources_cny"] == pytest.approx(30_000)
    assert cb["fixed_cny"] == pytest.approx(7_000)
