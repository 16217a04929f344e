"""Synthetic cities (heatnet.generate): reproducible, valid, scaled as documented, solvable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.generate import generate_city, write_city
from heatnet.io import read_network
from heatnet.solve import SolveOptions


def test_same_seed_same_city_other_seed_other_city() -> None:
    a = generate_city(40, seed=7, resolution="daily")
    b = generate_city(40, seed=7, resolution="daily")
    c = generate_city(40, seed=8, resolution="daily")
    for table in ("nodes", "sources", "pipes", "demands"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    assert not a.demands["design_load_mw"].equals(c.demands["design_load_mw"])


@pytest.mark.parametrize("n", [1, 9, 100])
def test_city_is_valid_and_scaled_as_documented(tmp_path: Path, n: int) -> None:
    path = write_city(tmp_path / f"city{n}", n, seed=1, resolution="daily")
    net, problems = read_network(path)
    assert net is not None, [str(p) for p in problems]
    assert not [p for p in problems if p.severity == "error"]
    s, p, d = net.sources, net.pipes, net.demands
    assert len(d) == n
    assert d["design_load_mw"].between(50, 400).all()
    assert (s["technology"] == "gas_boiler").sum() == n  # one local peaking boiler each
    assert (s["status"] == "retirable").sum() == max(1, n // 4)  # coal points
    assert (s["technology"] == "chp").sum() == max(1, n // 20)
    remote = s[s["technology"] == "waste_heat"]
    assert len(remote) == max(1, n // 25)
    # every remote source is reached only by a candidate line of 40 km or more
    lines = p[p["from_node"].isin(remote["node"])]
    assert (lines["status"] == "candidate").all()
    assert (lines["length_km"] >= 40).all()
    assert (p["length_km"] >= 1.0).all()
    assert (s["status"] == "candidate").sum() == max(1, n // 20)  # heat pumps
    if n >= 9:
        assert (net.nodes.index.str.startswith("H")).sum() >= 1  # junctions
        ties = p[(p["status"] == "existing") & p["bidirectional"]]
        assert len(ties) >= n - 1  # at least a spanning tree: a meshed grid


@pytest.mark.parametrize(
    ("resolution", "periods"), [("daily", 121), ("typical", 96), ("hourly", 2904)]
)
def test_profiles_cover_the_season(resolution: str, periods: int) -> None:
    net = generate_city(4, resolution=resolution, typical_days=4)  # type: ignore[arg-type]
    assert net.n_periods == periods
    assert net.season_hours == pytest.approx(2904)


def test_small_city_solves() -> None:
    net = generate_city(9, seed=2, resolution="typical", typical_days=3)
    run = heatnet.solve(net, SolveOptions())
    assert run.is_optimal
    assert run.summary["solve_mode"] == "single_stage"
    assert run.summary["cost_breakdown_cny"]["total_cny"] == pytest.approx(
        run.result.objective_cny, rel=1e-7
    )


def test_bad_size_is_an_input_error() -> None:
    with pytest.raises(InputError, match="at least one district"):
        generate_city(0)


def test_cli_generate(tmp_path: Path) -> None:
    out = tmp_path / "city"
    result = CliRunner().invoke(
        cli, ["generate", str(out), "-n", "16", "--seed", "3", "--resolution", "daily"]
    )
    assert result.exit_code == 0, result.output
    assert "16 districts, 121 periods" in result.output
    net, _problems = read_network(out)
    assert net is not None
    assert len(net.demands) == 16
