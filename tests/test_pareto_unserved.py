"""A Pareto front is the cost of cutting CO2, not of cold homes (issue 14, finding 13): by
default every point leaves no more heat unserved than the minimum-cost plan, and a point that
leaves more (only with ``allow_more_unserved``) is marked.

``cold_net`` — demand 10 MW for 10 h = 100 MWh at B; unserved heat costs 300 CNY/MWh;
discount rate 0.

    COAL  at B: existing, 50 MW, 100 CNY/MWh, 1 tCO2/MWh
    WASTE at W: existing, 6 MW (60 MWh), 0 CNY/MWh, 0 tCO2, reaches B only through the
                candidate pipe PW (capex 20,000 CNY, lifetime 1 year → 20,000 CNY/yr)

* Minimum cost: coal serves all, 10,000 CNY, E_max = 100 t, U = 0 (unserved heat at 300 is
  dearer than coal at 100; PW costs more than it saves).
* Least CO2 serving all (U = 0): build PW, waste 60 MWh, coal 40 MWh: E_min = 40 t, cost
  20,000 + 4,000 = 24,000.
* One cap between (points=1): 100 - (100 - 40) / 2 = 70 t.
  - unserved heat free to grow: coal 70 MWh + 30 MWh unserved = 7,000 + 9,000 = 16,000, less
    than building PW (24,000); at the end cap (40 t): coal 40 + 60 unserved = 4,000 +
    18,000 = 22,000 < 24,000. Both points meet their cap by leaving homes cold.
  - unserved heat held at U = 0: both points build PW: 24,000 CNY, 40 t.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.pareto import pareto_front
from heatnet.plot import pareto_figure
from heatnet.storage import read_study
from tests.helpers import nodes, write_network


def cold_net(folder: Path) -> Path:
    """The network described in the module docstring."""
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
                "id": "WASTE",
                "node": "W",
                "technology": "waste_heat",
                "capacity_mw": 6,
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
                "capex_cny": 20_000,
                "lifetime_years": 1,
            }
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 10, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 10, "h": 1.0}],
        economics={"discount_rate": 0.0, "unserved_heat_cost_cny_per_mwh": 300},
        name="cold",
    )


OPTS = heatnet.SolveOptions(mip_gap=0.0)


def test_front_holds_the_minimum_cost_service_level(tmp_path: Path) -> None:
    net = heatnet.load_network(cold_net(tmp_path / "net"))
    front = pareto_front(net, OPTS, points=1, results_dir=tmp_path / "results", study="held")
    t = front.table
    assert front.e_max_t == pytest.approx(100)
    assert front.e_min_t == pytest.approx(40)
    assert t["co2_cap_t"].iloc[1] == pytest.approx(70)
    assert t["unserved_mwh"].tolist() == pytest.approx([0, 0, 0], abs=1e-6)
    assert t["objective_cny"].tolist() == pytest.approx([10_000, 24_000, 24_000], rel=1e-6)
    assert t["co2_t"].tolist() == pytest.approx([100, 40, 40], rel=1e-6)
    assert t["built_pipes"].tolist() == ["", "PW", "PW"]
    assert not t["unserved_above_min_cost"].any()
    on_disk = pd.read_csv(tmp_path / "results" / "held" / "pareto.csv")
    assert on_disk["unserved_above_min_cost"].tolist() == [False, False, False]


def test_more_unserved_heat_only_when_allowed_and_marked(tmp_path: Path) -> None:
    net = heatnet.load_network(cold_net(tmp_path / "net"))
    front = pareto_front(
        net,
        OPTS,
        points=1,
        results_dir=tmp_path / "results",
        study="cold",
        allow_more_unserved=True,
    )
    t = front.table
    assert t["unserved_mwh"].tolist() == pytest.approx([0, 30, 60], abs=1e-3)
    assert t["objective_cny"].tolist() == pytest.approx([10_000, 16_000, 22_000], rel=1e-6)
    assert t["unserved_above_min_cost"].tolist() == [False, True, True]
    # the figure's hover says which points leave homes cold
    study = read_study(tmp_path / "results" / "cold")
    fig = pareto_figure(study.pareto_runs, caps_t=study.caps_t)
    hovers = [h for trace in fig.data if trace.customdata is not None for h in trace.customdata]
    marked = [h for h in hovers if "more heat unserved than the minimum-cost plan" in h]
    assert len(marked) == 2


def test_cli_pareto_marks_points_with_more_unserved_heat(tmp_path: Path) -> None:
    folder = cold_net(tmp_path / "net")
    args = ["pareto", str(folder), "--points", "1", "--out", str(tmp_path / "results")]
    held = CliRunner().invoke(cli, [*args, "--study", "held"])
    assert held.exit_code == 0, held.output
    assert "more unserved" not in held.output.split("E_max")[0]
    loose = CliRunner().invoke(cli, [*args, "--study", "loose", "--allow-more-unserved"])
    assert loose.exit_code == 0, loose.output
    table = loose.output.split("E_max")[0]
    marked = [line for line in table.splitlines() if "more unserved" in line]
    assert len(marked) == 2, loose.output
    t = pd.read_csv(tmp_path / "results" / "loose" / "pareto.csv")
    assert t["unserved_above_min_cost"].tolist() == [False, True, True]
