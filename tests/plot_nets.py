"""Small solved runs and studies for the figure, report and browser tests.

``tiny_net`` — five nodes with coordinates and Chinese names, one district named
``<script>alert(1)</script>``; every kind of decision appears in its optimum:

    WASTE at W  waste heat, 100 MW, 10 CNY/MWh; reaches the town only through candidate P1
    GAS   at A  gas boiler, 30 MW, 300 CNY/MWh (local peaking at district A)
    COAL  at C  retirable coal, 80 MW, 150 CNY/MWh, fixed 5,000,000 CNY/year → retired (the
                 few hours short of heat cost less than keeping it)
    HP    at B  candidate heat pump, capex 1e9 → not built
    P1 W→J candidate (cheap, built), P2 J→A, PB J→B, TIE A↔B (bidirectional), PC C→A,
    PX W→B candidate (dear, not built)

Demand: 60 MW at A and 55 MW at B times the profile 1.2 / 0.7 / 0.4 over 10 / 20 / 30 h. In
the first period demand (138 MW) exceeds what waste heat and gas can bring (130 MW less
losses), so some heat is unserved.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import heatnet
from heatnet.export import find_browser
from tests.helpers import write_network

EVIL = "<script>alert(1)</script>"


def tiny_net(folder: Path, *, coal_fixed_cny: float = 5e6, carbon_price: float = 0.0) -> Path:
    """The network of the module docstring (``coal_fixed_cny`` 0 keeps the coal plant)."""
    return write_network(
        folder,
        nodes=[
            {"id": "W", "name": "余热首站 W", "lat": 36.60, "lon": 116.30},
            {"id": "J", "name": "中继泵站", "lat": 36.72, "lon": 116.70},
            {"id": "A", "name": "东区 (城区)", "lat": 36.66, "lon": 117.00},
            {"id": "B", "name": EVIL, "lat": 36.70, "lon": 117.12},
            {"id": "C", "name": "燃煤热源 C", "lat": 36.64, "lon": 117.06},
        ],
        sources=[
            {
                "id": "WASTE",
                "node": "W",
                "technology": "waste_heat",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 10,
                "name": "余热电厂 W",
            },
            {
                "id": "GAS",
                "node": "A",
                "technology": "gas_boiler",
                "capacity_mw": 30,
                "status": "existing",
                "variable_cost_cny_per_mwh": 300,
                "co2_t_per_mwh": 0.2,
                "name": "东区调峰锅炉",
            },
            {
                "id": "COAL",
                "node": "C",
                "technology": "coal_boiler",
                "capacity_mw": 80,
                "status": "retirable",
                "variable_cost_cny_per_mwh": 150,
                "co2_t_per_mwh": 0.4,
                "fixed_cost_cny_per_year": coal_fixed_cny,
                "name": "燃煤热源厂 C",
            },
            {
                "id": "HP",
                "node": "B",
                "technology": "heat_pump",
                "capacity_mw": 20,
                "status": "candidate",
                "variable_cost_cny_per_mwh": 50,
                "capex_cny": 1e9,
                "lifetime_years": 20,
                "name": "热泵 (候选)",
            },
        ],
        pipes=[
            {
                "id": "P1",
                "from_node": "W",
                "to_node": "J",
                "length_km": 40,
                "capacity_mw": 120,
                "status": "candidate",
                "loss_fraction_per_km": 1e-4,
                "capex_cny": 1e6,
                "lifetime_years": 40,
                "name": "长输线 1段",
                "project": "长输线",
            },
            {
                "id": "P2",
                "from_node": "J",
                "to_node": "A",
                "length_km": 30,
                "capacity_mw": 120,
                "status": "existing",
                "loss_fraction_per_km": 1e-4,
                "name": "长输线 2段",
                "project": "长输线",
            },
            {
                "id": "PB",
                "from_node": "J",
                "to_node": "B",
                "length_km": 25,
                "capacity_mw": 40,
                "status": "existing",
                "loss_fraction_per_km": 1e-4,
                "name": "支线 J-B",
                "project": "支线",
            },
            {
                "id": "TIE",
                "from_node": "A",
                "to_node": "B",
                "length_km": 10,
                "capacity_mw": 60,
                "status": "existing",
                "bidirectional": True,
                "loss_fraction_per_km": 2e-4,
                "name": "联络线 A-B",
                "project": "城区联络",
            },
            {
                "id": "PC",
                "from_node": "C",
                "to_node": "A",
                "length_km": 3,
                "capacity_mw": 80,
                "status": "existing",
                "loss_fraction_per_km": 2e-4,
                "name": "燃煤接入",
                "project": "燃煤接入",
            },
            {
                "id": "PX",
                "from_node": "W",
                "to_node": "B",
                "length_km": 80,
                "capacity_mw": 100,
                "status": "candidate",
                "loss_fraction_per_km": 1e-4,
                "capex_cny": 5e9,
                "lifetime_years": 40,
                "name": "备选线",
                "project": "备选线",
            },
        ],
        demands=[
            {"id": "DA", "node": "A", "design_load_mw": 60, "profile": "heat"},
            {"id": "DB", "node": "B", "design_load_mw": 55, "profile": "heat"},
        ],
        profiles=[
            {"period": "2025-12-01", "weight_h": 10, "heat": 1.2},
            {"period": "2025-12-02", "weight_h": 20, "heat": 0.7},
            {"period": "2025-12-03", "weight_h": 30, "heat": 0.4},
        ],
        economics={"discount_rate": 0.06, "carbon_price_cny_per_t": carbon_price},
        name="tiny",
    )


def solve_tiny(root: Path, name: str = "tiny", *, prices: bool = False, **net_args: Any) -> Path:
    """Solve ``tiny_net`` and write the run to ``root/<name>/``; return the run folder.
    ``prices``: also solve the nodal-price LP (``prices.csv``)."""
    net = tiny_net(root / f"net_{name}", **net_args)
    run = heatnet.solve(net, heatnet.SolveOptions(heat_prices=prices), name=name)
    assert run.is_optimal, run.summary["status"]
    return run.write(root, name=name)


def write_study(root: Path, scenarios: dict[str, dict[str, Any]]) -> Path:
    """A study folder ``root/`` with one tiny run per scenario (``tiny_net`` arguments) and
    ``index.csv``; scenario labels are written as given (folders get safe names)."""
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, (label, args) in enumerate(scenarios.items()):
        folder = solve_tiny(root, name=f"s{i}", **args)
        s = heatnet.read_run(folder).summary
        rows.append(
            {
                "scenario": label,
                "folder": folder.name,
                "status": s["status"],
                "objective_cny": s["objective_cny"],
                "co2_t": s["co2_t"],
            }
        )
    pd.DataFrame(rows).to_csv(root / "index.csv", index=False)
    return root


@functools.lru_cache(maxsize=1)
def jinan_run() -> Path:
    """The embedded Jinan network solved once per test session (1 % gap, with the nodal
    prices, which the report's price figure draws; the price LP takes well under a second)."""
    root = Path(tempfile.mkdtemp(prefix="heatnet-jinan-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    run = heatnet.solve(None, heatnet.SolveOptions(mip_gap=0.01, heat_prices=True), name="jinan")
    assert run.result.has_solution
    return run.write(root, name="jinan")


def require_browser() -> str:
    """Chromium's path; skips the test when there is none, unless HEATNET_REQUIRE_BROWSER=1
    (CI), where a missing browser fails it."""
    path = find_browser()
    if path is not None:
        return path
    reason = (
        "no Chromium found for static export / browser tests: apt-get install chromium "
        "or set BROWSER_PATH"
    )
    if os.environ.get("HEATNET_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (HEATNET_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def solve_secure(
    root: Path,
    name: str,
    *,
    served_share: float | None = 0.5,
    coal_mw: float = 20.0,
    q_mw: float | None = None,
    security_cost: bool = False,
) -> Path:
    """``secure_city`` (tests/test_security.py) solved into ``root/results/<name>/``: COAL of
    ``coal_mw`` MW, with ``q_mw`` a candidate pipe Q R → A beside P (capex 1e6 CNY, 20 years),
    and a security block (contingency P, share ``served_share``; None: no block).

    With the defaults (COAL 20 MW, α = 0.5) security keeps COAL and P binds: with P out, A
    gets GAS 10 + COAL 20 = 30 of its 60 MW, exactly the minimum. With COAL 60 MW and
    ``q_mw=20`` it builds Q instead (cheaper than keeping COAL) and P binds again (Q 20 +
    GAS 10 MW). With ``served_share=0.1`` nothing binds (GAS alone serves 1/6).
    """
    from heatnet.network import Security
    from tests.test_security import secure_city

    net = heatnet.load_network(secure_city(root / f"{name}-net"))
    sources = net.sources.copy()
    sources.loc["COAL", "capacity_mw"] = coal_mw
    pipes = net.pipes
    if q_mw is not None:
        q = pipes.loc[["P"]].copy()
        q.index = pd.Index(["Q"], name=pipes.index.name)
        q[["status", "capacity_mw", "capex_cny", "lifetime_years"]] = ["candidate", q_mw, 1e6, 20]
        pipes = pd.concat([pipes, q])
    security = None if served_share is None else Security(served_share, contingencies=("P",))
    net = net.replace(sources=sources, pipes=pipes, security=security)
    options = heatnet.SolveOptions(heat_prices=False, security_cost=security_cost)
    run = heatnet.solve(net, options, name=name)
    assert run.is_optimal, run.summary["status"]
    return run.write(root / "results", name=name)
