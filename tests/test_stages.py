"""The one design loop of heatnet.stages: one status rule for typical days and time slices,
and infeasibility that cannot be explained is said, not hidden."""

from __future__ import annotations

from pathlib import Path

import highspy
import pytest

import heatnet
from heatnet.options import SolveOptions
from heatnet.results import format_summary
from heatnet.solve import Status
from heatnet.stages import design_gap, design_status
from tests.test_solve_robustness import _short_network
from tests.test_two_stage import city


@pytest.mark.parametrize(
    ("stage2", "gap", "out_of_time", "expected"),
    [
        (Status.OPTIMAL, 0.001, False, Status.OPTIMAL),
        (Status.OPTIMAL, 0.001, True, Status.OPTIMAL),  # within target: the limit did not matter
        (Status.OPTIMAL, 0.02, False, Status.FEASIBLE),
        (Status.OPTIMAL, 0.02, True, Status.TIME_LIMIT),
        (Status.OPTIMAL, None, False, Status.FEASIBLE),  # no valid bound (medoid days)
        (Status.OPTIMAL, None, True, Status.TIME_LIMIT),
        (Status.INFEASIBLE, 0.0, False, Status.INFEASIBLE),  # stage 2's own status wins
        (Status.TIME_LIMIT, 0.0, True, Status.TIME_LIMIT),
    ],
)
def test_one_status_rule(
    stage2: Status, gap: float | None, out_of_time: bool, expected: Status
) -> None:
    assert design_status(stage2, gap, 0.005, out_of_time) is expected


def test_design_gap() -> None:
    assert design_gap(110.0, 100.0) == pytest.approx(10 / 110)
    assert design_gap(100.0, 101.0) == 0.0  # a bound above the plan is a rounding artefact
    assert design_gap(None, 1.0) is None
    assert design_gap(1.0, None) is None


@pytest.mark.parametrize(
    "grouping",
    [{"typical_days": 2, "max_refinements": 0}, {"time_slices": 4, "max_refinements": 0}],
)
def test_both_groupings_report_above_target_as_feasible(
    tmp_path: Path, grouping: dict[str, int]
) -> None:
    """A target of zero cannot be met by an aggregated design: both groupings say
    ``feasible`` (not optimal, not time_limit) with the same summary block shape."""
    net = heatnet.load_network(city(tmp_path / "n"))
    opts = SolveOptions(two_stage=True, mip_gap=0.0, two_stage_gap=0.0, **grouping)
    run = heatnet.solve(net, opts)
    ts = run.summary["two_stage"]
    assert ts["design_gap"] > 0
    assert run.result.status is Status.FEASIBLE
    assert not run.is_optimal
    assert ts["stopped_by_time_limit"] is False
    assert len(ts["rounds"]) == 1
    for key in ("aggregation", "best_bound_cny", "stage1_unserved_mwh", "stage2_unserved_mwh"):
        assert key in ts
    assert set(ts["timings_s"]) == {"aggregate", "stage1", "stage2", "total"}


def test_a_failed_infeasibility_analysis_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: highspy.Highs) -> None:
        raise RuntimeError("IIS not available")

    monkeypatch.setattr(highspy.Highs, "getIis", broken)
    folder = _short_network(tmp_path / "n")
    run = heatnet.solve(folder, SolveOptions(allow_unserved=False))
    assert run.result.status is Status.INFEASIBLE
    assert run.result.infeasibility_error == "HiGHS getIis failed: RuntimeError: IIS not available"
    assert any("could not be explained" in w for w in run.summary["warnings"])
    assert run.summary["infeasibility"]["analysis_failed"] == run.result.infeasibility_error
    text = format_summary(run.summary)
    assert "warning: the infeasibility analysis failed: HiGHS getIis failed" in text


def test_typical_days_are_refined_until_the_design_is_proven(tmp_path: Path) -> None:
    """Issue 14.16: two typical days of this city leave a 0.98 % design gap (one round,
    ``feasible``); refined as time slices (typical day × hour, then split where the dispatch
    loses most) the default solve proves the 0.5 % target, and every bound it reports is
    below the full MILP's optimum."""
    net = heatnet.load_network(city(tmp_path / "n"))
    full = heatnet.solve(net, SolveOptions(two_stage=False, mip_gap=0.0)).result.objective_cny
    one = heatnet.solve(net, SolveOptions(two_stage=True, typical_days=2, max_refinements=0))
    assert one.summary["status"] == "feasible"
    assert one.summary["two_stage"]["design_gap"] > 0.005
    run = heatnet.solve(net, SolveOptions(two_stage=True, typical_days=2))
    ts = run.summary["two_stage"]
    assert run.is_optimal
    assert ts["design_gap"] <= 0.005
    assert len(ts["rounds"]) >= 2
    assert ts["typical_days"] == 2
    assert ts["time_slices"] > 2 * 24  # the typical days' 48 slices, split
    assert "typical days refined into time slices" in run.summary["termination"]
    for r in ts["rounds"]:
        assert r["stage1_bound_cny"] <= full * (1 + 1e-9)
    assert ts["best_bound_cny"] <= full * (1 + 1e-9) <= run.result.objective_cny * (1 + 1e-9)
    assert "refined to" in format_summary(run.summary)
