"""Sweep timings are the worker's own solve time, and an unreachable Dask scheduler fails fast,
with one line, and leaves no study folder behind."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.scenarios import load_scenarios
from heatnet.storage import read_summary
from heatnet.sweep import Sweep, run_sweep, solve_task
from tests.scenario_nets import retire_net

DELAY_S = 1.5
"""How long :func:`slow_start_worker` waits before it solves (overhead, not solve time)."""

TWO_SCENARIOS = (
    "scenarios:\n  base: {}\n  carbon_100:\n    economics: {carbon_price_cny_per_t: 100}\n"
)


def slow_start_worker(task: object) -> object:
    """A sweep worker that waits :data:`DELAY_S` before it solves (as a slow worker start or a
    busy cluster would): that wait is not the scenario's solve time."""
    time.sleep(DELAY_S)
    return solve_task(task)  # type: ignore[arg-type]


def _check_solve_times(result: Sweep) -> None:
    """index.csv's solve_s and each outcome's seconds are the run's own solve time (its
    summary's timings_s.total), not the time the scenario spent queued or starting."""
    index = pd.read_csv(result.folder / "index.csv").set_index("scenario")
    assert list(index.index) == ["base", "carbon_100"]
    for o in result.outcomes:
        assert o.ok, o.error
        total = read_summary(o.folder / "summary.json")["timings_s"]["total"]  # type: ignore[operator]
        assert o.seconds == pytest.approx(total, abs=1e-6)
        assert index.loc[o.scenario, "solve_s"] == pytest.approx(total, abs=2e-3)
        assert index.loc[o.scenario, "solve_s"] < DELAY_S


@pytest.fixture
def two(tmp_path: Path) -> tuple[heatnet.Network, Path]:
    folder = retire_net(tmp_path / "net")
    f = tmp_path / "two.yaml"
    f.write_text(TWO_SCENARIOS, encoding="utf-8")
    return heatnet.load_network(folder), f


def test_dask_solve_time_is_measured_in_the_worker(
    two: tuple[heatnet.Network, Path], tmp_path: Path
) -> None:
    """One single-threaded worker: the second scenario waits behind the first (queue time),
    and each waits DELAY_S before solving; neither counts as solve time."""
    distributed = pytest.importorskip("distributed")
    net, f = two
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = run_sweep(
            net,
            load_scenarios(f, net),
            tmp_path / "results",
            dask_address=client,
            worker=slow_start_worker,
        )
    _check_solve_times(result)


def test_local_solve_time_is_measured_in_the_worker(
    two: tuple[heatnet.Network, Path], tmp_path: Path
) -> None:
    net, f = two
    result = run_sweep(
        net, load_scenarios(f, net), tmp_path / "results", jobs=1, worker=slow_start_worker
    )
    _check_solve_times(result)


def test_unreachable_dask_scheduler_fails_fast_with_one_line(tmp_path: Path) -> None:
    """Nothing listens on 127.0.0.1:9 (discard port): one error line naming the address and
    the timeout, exit code 1, no study folder; a rerun behaves the same (not 'exists already')."""
    pytest.importorskip("distributed")
    folder = retire_net(tmp_path / "net")
    f = tmp_path / "two.yaml"
    f.write_text(TWO_SCENARIOS, encoding="utf-8")
    out = tmp_path / "results"
    address = "tcp://127.0.0.1:9"
    args = ["sweep", str(folder), str(f), "--out", str(out), "--dask", address]
    for _ in range(2):
        t0 = time.perf_counter()
        result = CliRunner().invoke(cli, [*args, "--dask-timeout", "1"])
        assert time.perf_counter() - t0 < 15
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.output
        assert address in errors[0]
        assert "1 s" in errors[0]
        assert len(result.output.splitlines()) <= 3, result.output
        assert not (out / "two").exists()
