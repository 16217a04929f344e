"""An unreachable CO2 cap is explained by the least CO2 any plan can reach, then by at most
ten limits (issue 14, finding 14).

``clean_short_net`` — demand 100 MW for 10 h = 1,000 MWh at B, no unserved heat allowed.
Twelve zero-carbon boilers Z01 … Z12 of 5 MW each give at most 12 × 5 × 10 = 600 MWh; the
coal boiler (100 MW, 1 tCO2/MWh) must give the other 400 MWh. The least CO2 of any plan is
400 t, so a cap of 100 t cannot hold; the solver's infeasible set is the cap, the demand at B
and each of the twelve boilers' capacity (at least 14 limits).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.results import format_summary
from tests.helpers import nodes, write_network

N_CLEAN = 12


def clean_short_net(folder: Path) -> Path:
    """The network described in the module docstring."""
    clean = [
        {
            "id": f"Z{i:02d}",
            "node": "B",
            "technology": "heat_pump",
            "capacity_mw": 5,
            "status": "existing",
            "variable_cost_cny_per_mwh": 150,
        }
        for i in range(1, N_CLEAN + 1)
    ]
    return write_network(
        folder,
        nodes=nodes("B"),
        sources=[
            {
                "id": "COAL",
                "node": "B",
                "technology": "coal_boiler",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 100,
                "co2_t_per_mwh": 1.0,
            },
            *clean,
        ],
        pipes=[],
        demands=[{"id": "D", "node": "B", "design_load_mw": 100, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 10, "h": 1.0}],
        economics={"discount_rate": 0.0},
        name="clean_short",
    )


def _explanation(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("why no plan exists"))
    return lines[start:]


def test_cli_leads_with_the_least_reachable_co2(tmp_path: Path) -> None:
    folder = clean_short_net(tmp_path / "net")
    result = CliRunner().invoke(
        cli,
        [
            "solve",
            str(folder),
            "--co2-cap",
            "100",
            "--no-unserved-heat",
            "--no-prices",
            "--out",
            str(tmp_path / "results"),
        ],
    )
    assert result.exit_code == 2, result.output
    why = _explanation(result.output)
    assert "400 t" in why[0], result.output
    assert "CO2 cap of 100 t" in why[0], result.output
    limits = [line for line in why if line.startswith("  - ")]
    assert 1 <= len(limits) <= 10, result.output
    assert any(re.fullmatch(r"  and \d+ more limits", line) for line in why), result.output


def test_summary_holds_the_least_co2_and_ten_limits(tmp_path: Path) -> None:
    net = heatnet.load_network(clean_short_net(tmp_path / "net")).with_economics(co2_cap_t=100)
    run = heatnet.solve(net, heatnet.SolveOptions(allow_unserved=False, heat_prices=False))
    assert run.summary["status"] == "infeasible"
    why = run.summary["infeasibility"]
    assert why["least_co2_t"] == pytest.approx(400, rel=1e-6)
    assert why["co2_cap_t"] == pytest.approx(100)
    assert len(why["limits_in_conflict"]) <= 11
    assert re.fullmatch(r"and \d+ more limits", why["limits_in_conflict"][-1])
    assert "400 t" in _explanation(format_summary(run.summary))[0]


def test_reachable_cap_is_not_blamed(tmp_path: Path) -> None:
    """200 MW needed at B and 160 MW of boilers in all: no plan exists whatever the cap, so the
    explanation does not lead with the CO2 cap."""
    net = heatnet.load_network(clean_short_net(tmp_path / "net")).with_economics(co2_cap_t=1e6)
    net = net.replace(demands=net.demands.assign(design_load_mw=200.0))
    run = heatnet.solve(net, heatnet.SolveOptions(allow_unserved=False, heat_prices=False))
    assert run.summary["status"] == "infeasible"
    first = _explanation(format_summary(run.summary))[0]
    assert "least CO2" not in first
