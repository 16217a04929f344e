"""Tiny networks with hand-worked optima for the scenario, sweep, compare and Pareto tests.

Solves inside the test process use HiGHS's default thread count: HiGHS fixes its thread count
per process, and the other test modules solve with the default (a sweep's worker processes use
one thread each).

``retire_net`` — a retirable coal plant at the town B, a dearer CHP at A behind an existing
pipe, and a candidate waste-heat link. Demand 10 MW for 10 h = 100 MWh; discount rate 0.

    CHP   at A: existing, 150 CNY/MWh, 0 tCO2/MWh
    COAL  at B: retirable, 100 CNY/MWh, 1 tCO2/MWh, fixed 500 CNY/yr,
                retirement 2,000 CNY over 20 years = 100 CNY/yr
    WASTE at W: existing, 0 CNY/MWh, 3 MW, reaches B only through candidate pipe PW
                (capex 1,000 CNY, lifetime 1 year → 1,000 CNY/yr)
    P  : A→B existing, 50 MW;  PW: W→B candidate, 50 MW

Optima (cost, CNY/yr):
  * carbon price 0: waste 30 MWh (PW built: 1,000) + coal 70 MWh (7,000) + fixed 500 = 8,500;
    without PW: 500 + 10,000 = 10,500; retiring: 100 + 1,000 + 70 × 150 = 11,600. → 8,500,
    COAL kept, PW built, CO2 70 t.
  * carbon price 100 (coal 200 CNY/MWh): keep: 500 + 1,000 + 70 × 150 (CHP cheaper) = 12,000
    vs retire: 100 + 1,000 + 10,500 = 11,600 → COAL retired, PW built, 11,600, CO2 0.
  * carbon 100 and COAL forced kept (status existing): 500 + 1,000 + 10,500 = 12,000.
  * carbon 100 and PW unavailable: retire: 100 + 15,000 = 15,100 vs keep: 500 + 15,000
    → 15,100, COAL retired.

``pareto_net`` — coal (100 CNY/MWh, 1 t/MWh) and gas (200 CNY/MWh, 0.5 t/MWh) at B, free
zero-carbon waste heat (4 MW) at W behind candidate pipe PW (1,000 CNY/yr); demand 100 MWh.
PW is always built. With a cap C on CO2 in [30, 60] t: coal x = 2 (C - 30) MWh, gas 60 - x,
cost = 1,000 + 100 x + 200 (60 - x) = 13,000 - 200 (C - 30). Min cost 7,000 at C = 60 (E_max);
min CO2 E_min = 30 t at cost 13,000.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import nodes, write_network


def retire_rows(carbon_price: float = 0.0) -> dict[str, Any]:
    """The rows of the retirement network described in the module docstring, as the
    keyword arguments of ``write_network`` (and of ``tests.reference_lp``)."""
    return dict(
        nodes=nodes("A", "B", "W"),
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
                "co2_t_per_mwh": 1.0,
                "fixed_cost_cny_per_year": 500,
                "retirement_cost_cny": 2000,
            },
            {
                "id": "WASTE",
                "node": "W",
                "technology": "waste_heat",
                "capacity_mw": 3,
                "status": "existing",
                "variable_cost_cny_per_mwh": 0,
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
            },
            {
                "id": "PW",
                "from_node": "W",
                "to_node": "B",
                "length_km": 1,
                "capacity_mw": 50,
                "status": "candidate",
                "capex_cny": 1000,
                "lifetime_years": 1,
            },
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 10, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 10, "h": 1.0}],
        economics={
            "discount_rate": 0.0,
            "retirement_annualisation_years": 20,
            "carbon_price_cny_per_t": carbon_price,
        },
    )


def retire_net(folder: Path, carbon_price: float = 0.0) -> Path:
    """The retirement network described in the module docstring."""
    return write_network(folder, **retire_rows(carbon_price), name="retire")


def pareto_net(folder: Path) -> Path:
    """The Pareto network described in the module docstring."""
    return write_network(
        folder,
        nodes=nodes("B", "W"),
        sources=[
            {
                "id": "COAL",
                "node": "B",
                "technology": "coal_boiler",
                "capacity_mw": 50,
                "status": "existing",
                "variable_cost_cny_per_mwh": 100,
                "co2_t_per_mwh": 1.0,
            },
            {
                "id": "GAS",
                "node": "B",
                "technology": "gas_boiler",
                "capacity_mw": 50,
                "status": "existing",
                "variable_cost_cny_per_mwh": 200,
                "co2_t_per_mwh": 0.5,
            },
            {
                "id": "WASTE",
                "node": "W",
                "technology": "waste_heat",
                "capacity_mw": 4,
                "status": "existing",
                "variable_cost_cny_per_mwh": 0,
            },
        ],
        pipes=[
            {
                "id": "PW",
                "from_node": "W",
                "to_node": "B",
                "length_km": 1,
                "capacity_mw": 50,
                "status": "candidate",
                "capex_cny": 1000,
                "lifetime_years": 1,
            }
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 10, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 10, "h": 1.0}],
        economics={"discount_rate": 0.0},
        name="pareto",
    )


def crashing_worker(task: object) -> object:
    """A sweep worker that kills its process for the scenario named ``boom`` (as an
    out-of-memory kill would) and solves every other scenario normally."""
    import os

    from heatnet.sweep import solve_task

    if getattr(task, "scenario", "") == "boom":
        os._exit(3)
    return solve_task(task)  # type: ignore[arg-type]


SCENARIOS_YAML = """\
scenarios:
  base: {}
  carbon_100:
    economics: {carbon_price_cny_per_t: 100}
  keep_coal:
    description: coal forced to stay
    economics: {carbon_price_cny_per_t: 100}
    sources: {COAL: {status: existing}}
"""
"""Three scenarios of ``retire_net`` with optima 8,500, 11,600 and 12,000 CNY/yr."""
