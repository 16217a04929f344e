"""Cost–CO2 fronts: hand-worked points, monotone costs, ends equal to the single-objective
optima, the pareto.csv contract, warm starts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.compare import compare_table, load_plans
from heatnet.pareto import PARETO_COLUMNS, pareto_caps, pareto_front, warm_start_from
from heatnet.stages import min_emissions_t
from tests.scenario_nets import pareto_net, retire_net

CONTRACT = ["point", "co2_cap_t", "status", "objective_cny", "co2_t", "mip_gap", "folder"]


def _monotone(front: heatnet.pareto.ParetoFront) -> None:
    """Cost never falls and emissions never rise as the cap tightens (within the MIP gap)."""
    t = front.table
    for (_, looser), (_, tighter) in zip(
        t.iloc[:-1].iterrows(), t.iloc[1:].iterrows(), strict=True
    ):
        gap = max(looser["mip_gap"] or 0.0, tighter["mip_gap"] or 0.0, 1e-9)
        assert tighter["objective_cny"] >= looser["objective_cny"] * (1 - gap)
        assert tighter["co2_t"] <= looser["co2_t"] * (1 + 1e-6) + 1e-6
        assert tighter["co2_t"] <= tighter["co2_cap_t"] * (1 + 1e-6) + 1e-6


def test_hand_worked_front(tmp_path: Path) -> None:
    """(tests/scenario_nets.py) cost = 13,000 - 200 (C - 30) for caps C in [30, 60] t."""
    net = heatnet.load_network(pareto_net(tmp_path / "net"))
    opts = heatnet.SolveOptions(mip_gap=0.0)
    front = pareto_front(net, opts, points=2, results_dir=tmp_path / "results", study="pf")
    t = front.table
    assert list(t.columns) == list(PARETO_COLUMNS)
    assert list(t.columns[:7]) == CONTRACT
    assert list(t["point"]) == [0, 1, 2, 3]
    assert (t["status"] == "optimal").all()
    assert front.e_max_t == pytest.approx(60)
    assert front.e_min_t == pytest.approx(30)
    assert t["co2_cap_t"].iloc[1:3].tolist() == pytest.approx([50, 40])
    assert t["objective_cny"].tolist() == pytest.approx([7_000, 9_000, 11_000, 13_000], rel=1e-5)
    assert t["co2_t"].tolist() == pytest.approx([60, 50, 40, 30], rel=1e-5)
    assert (t["built_pipes"] == "PW").all()
    _monotone(front)
    # ends = the single-objective optima
    plain = heatnet.solve(net, opts)
    assert t["objective_cny"].iloc[0] == pytest.approx(plain.result.objective_cny, rel=1e-12)
    e_min, _ = min_emissions_t(net, opts, max_unserved_mwh=plain.summary["unserved_mwh"])
    assert t["co2_t"].iloc[-1] == pytest.approx(e_min, rel=1e-5)
    # the files: pareto.csv, a run folder per point, an index that compare reads
    on_disk = pd.read_csv(tmp_path / "results" / "pf" / "pareto.csv")
    assert list(on_disk.columns[:7]) == CONTRACT
    for folder in on_disk["folder"]:
        assert (tmp_path / "results" / "pf" / folder / "summary.json").is_file()
    assert on_disk["folder"].iloc[-1] == "point_03_min_co2"
    table = compare_table(load_plans([tmp_path / "results" / "pf"]))
    assert list(table["scenario"]) == list(on_disk["folder"])


def test_front_with_retirement_decisions_is_monotone(tmp_path: Path) -> None:
    """retire_net at 20 CNY/t: coal costs 120 CNY/MWh, below the CHP's 150. Minimum cost keeps
    COAL (500 + 1,000 + 70 × 120 = 9,900, 70 t); under a cap of x t, keeping costs
    12,000 - 30 x and retiring 11,600, so COAL is kept down to x = 13.3 t and retired at the
    zero-emission end (11,600)."""
    net = heatnet.load_network(retire_net(tmp_path / "net", carbon_price=20))
    front = pareto_front(
        net, heatnet.SolveOptions(), points=3, results_dir=tmp_path / "results", study="pr"
    )
    assert len(front.points) == 5
    assert all(p.run.is_optimal for p in front.points)
    _monotone(front)
    assert front.table["co2_t"].iloc[-1] == pytest.approx(0, abs=1e-6)
    assert front.table["retired"].iloc[-1] == "COAL"


def test_no_trade_off_gives_the_two_ends_only(tmp_path: Path) -> None:
    """Carbon price 100: the cheapest plan already emits nothing, so the front is one point
    twice (the min-cost and min-CO2 ends), with no caps between."""
    net = heatnet.load_network(retire_net(tmp_path / "net", carbon_price=100))
    front = pareto_front(
        net, heatnet.SolveOptions(), points=3, results_dir=tmp_path / "results", study="flat"
    )
    assert list(front.table["point"]) == [0, 1]
    assert front.table["objective_cny"].tolist() == pytest.approx([11_600, 11_600])


def test_caps_and_warm_start_helpers() -> None:
    assert pareto_caps(100.0, 40.0, 2) == pytest.approx([80.0, 60.0])
    assert pareto_caps(100.0, 40.0, 0) == []
    sources = pd.DataFrame(
        {"decision": ["kept", "retired", "built", "not_built", "existing"]},
        index=["K", "R", "B", "N", "E"],
    )
    pipes = pd.DataFrame(
        {"decision": ["built", "not_built", "existing", "unavailable"]},
        index=["PB", "PN", "PE", "PU"],
    )
    assert warm_start_from(sources, pipes) == {
        ("keep_source", "K"): 1.0,
        ("keep_source", "R"): 0.0,
        ("build_source", "B"): 1.0,
        ("build_source", "N"): 0.0,
        ("build_pipe", "PB"): 1.0,
        ("build_pipe", "PN"): 0.0,
    }


def test_cli_pareto(tmp_path: Path) -> None:
    folder = pareto_net(tmp_path / "net")
    result = CliRunner().invoke(
        cli,
        [
            "pareto",
            str(folder),
            "--points",
            "1",
            "--out",
            str(tmp_path / "results"),
            "--study",
            "cli",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "E_max 60 t, E_min 30 t" in result.output
    t = pd.read_csv(tmp_path / "results" / "cli" / "pareto.csv")
    assert t["objective_cny"].tolist() == pytest.approx([7_000, 10_000, 13_000], rel=1e-5)
