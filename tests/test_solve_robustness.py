"""Solves that do not end in an optimum: time limits, infeasibility, interruption.

The rule under test: a run that is not a proven optimum is never presented as one — its status
says so, the CLI exits with 2, and a run without any solution writes no results folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.generate import write_city
from tests.helpers import write_network


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic 60-district city on 4 typical days: about 13 s to prove optimal on 2 cores,
    so a 0.5 s limit always stops the search early."""
    folder = tmp_path_factory.mktemp("city") / "c60"
    write_city(folder, 60, seed=3, resolution="typical", typical_days=4)
    return folder


def _do_nothing_plan(net: heatnet.Network) -> dict[tuple[str, str], float]:
    """Keep every coal point, build nothing: always feasible (unserved heat is priced)."""
    plan: dict[tuple[str, str], float] = {}
    for sid, st in net.sources["status"].items():
        if st == "retirable":
            plan[("keep_source", str(sid))] = 1
        elif st == "candidate":
            plan[("build_source", str(sid))] = 0
    for pid, st in net.pipes["status"].items():
        if st == "candidate":
            plan[("build_pipe", str(pid))] = 0
    return plan


def test_time_limit_with_incumbent_is_flagged_not_optimal(city: Path, tmp_path: Path) -> None:
    net = heatnet.load_network(city)
    run = heatnet.solve(
        net, heatnet.SolveOptions(time_limit_s=0.5), warm_start=_do_nothing_plan(net)
    )
    assert run.result.status is heatnet.Status.TIME_LIMIT
    assert not run.is_optimal
    assert run.result.has_solution
    s = run.summary
    assert s["status"] == "time_limit"
    assert s["optimal"] is False
    assert s["mip_gap"] > 1e-3
    assert s["bound_cny"] < s["objective_cny"]
    folder = run.write(tmp_path / "results")
    assert (folder / "summary.json").is_file()
    text = heatnet.results.format_summary(s)
    assert text.startswith("NOT OPTIMAL")
    assert "status: time_limit" in text


def test_time_limit_without_incumbent_writes_nothing(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = CliRunner().invoke(
        cli, ["solve", str(city), "--time-limit", "1e-9", "--out", str(out), "--name", "x"]
    )
    assert result.exit_code == 2, result.output
    assert "NO SOLUTION" in result.output
    assert "no results written" in result.output
    assert not out.exists() or not any(out.iterdir())


def _short_network(folder: Path) -> Path:
    """B needs 70 MW in p1; the pipe brings 40 and the coal point 20: 10 MW short."""
    return write_network(
        folder,
        nodes=[{"id": "A", "name": "Plant"}, {"id": "B", "name": "城区"}],
        sources=[
            {
                "id": "S",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 50,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
            },
            {
                "id": "C",
                "node": "B",
                "technology": "coal_boiler",
                "capacity_mw": 20,
                "status": "retirable",
                "variable_cost_cny_per_mwh": 80,
                "co2_t_per_mwh": 0.4,
            },
        ],
        pipes=[
            {
                "id": "P",
                "from_node": "A",
                "to_node": "B",
                "length_km": 5,
                "capacity_mw": 40,
                "status": "existing",
                "bidirectional": "false",
            }
        ],
        demands=[{"id": "D", "node": "B", "design_load_mw": 70, "profile": "h"}],
        profiles=[
            {"period": "p1", "weight_h": 10, "h": 1.0},
            {"period": "p2", "weight_h": 10, "h": 0.5},
        ],
    )


def test_infeasible_without_unserved_heat_says_why(tmp_path: Path) -> None:
    folder = _short_network(tmp_path / "n")
    out = tmp_path / "results"
    result = CliRunner().invoke(
        cli, ["solve", str(folder), "--no-unserved-heat", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    text = result.output
    assert "status: infeasible" in text
    assert "why no plan exists" in text
    # the irreducible set, in network terms
    assert "heat demand at B (城区) must be met — in period p1" in text
    assert "source C has 20.0 MW available — in period p1" in text
    assert "pipe P carries at most 40.0 MW — in period p1" in text
    # and how much would be missing
    assert "B (城区): 0.100 GWh unserved in 1 period(s); worst p1 with 10.0 MW" in text
    assert not out.exists() or not any(out.iterdir())


def test_infeasible_co2_cap_is_named(tmp_path: Path) -> None:
    folder = _short_network(tmp_path / "n")
    csv = folder / "demands.csv"
    csv.write_text(csv.read_text().replace(",70,", ",60,"))  # feasible without a cap
    net = heatnet.load_network(folder).with_economics(co2_cap_t=10)
    run = heatnet.solve(net, heatnet.SolveOptions(allow_unserved=False))
    assert run.result.status is heatnet.Status.INFEASIBLE
    why = run.summary["infeasibility"]["limits_in_conflict"]
    assert "the CO2 cap of 10 t" in why
    assert not run.tables


def test_shortage_is_diagnosed_when_unserved_heat_is_priced(tmp_path: Path) -> None:
    run = heatnet.solve(_short_network(tmp_path / "n"))
    assert run.is_optimal
    short = run.summary["shortage"]
    assert short["districts"][0]["node"] == "B"
    assert short["sources_at_capacity"] == {"C": 1}
    assert short["pipes_at_capacity"] == {"P": 1}
    assert "SHORT OF HEAT in 1 period(s):" in heatnet.results.format_summary(run.summary)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_solve_leaves_no_finished_looking_folder(
    city: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    out = tmp_path / "results"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from heatnet.cli import main; main()",
            "solve",
            str(city),
            "--out",
            str(out),
            "--name",
            "stopped",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    # wait until the solve has started (the CLI announces it on stderr), then interrupt
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.startswith("solving"), line
    time.sleep(1.5)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    leftovers = list(out.iterdir()) if out.exists() else []
    assert leftovers == []
