"""Time slices: the design stage on groups of periods, refined where they lose most.

Checked: the slices keep weights and energy and the design hour alone; the refinement cuts a
slice exactly where cost per hour separates best; a hand-worked network where the first slices
hide a shortage, the refinement finds it and changes the decision; on the two-stage test city
the slice bound is valid and the plan meets its design gap against the full MILP; the chunked
full-resolution LP equals the LP solved whole; conflicting options are refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.aggregate import TimeSlices, _two_means_1d, time_slices
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.io import load_network
from heatnet.options import SolveOptions
from heatnet.stages import solve_fixed_design
from tests.helpers import write_network
from tests.test_two_stage import city

REL = 1e-7


def profiles(n: int = 50, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    heat = rng.uniform(0.2, 0.9, n)
    heat[17] = 1.0  # the design hour
    return pd.DataFrame(
        {
            "period": [f"p{i}" for i in range(n)],
            "weight_h": rng.choice([1.0, 2.0, 24.0], n),
            "heat": heat,
            "hp": 1.0 - 0.5 * heat,
        }
    )


@pytest.mark.parametrize("k", [2, 3, 7, 50])
def test_slices_keep_weights_energy_and_the_design_hour(k: int) -> None:
    p = profiles()
    ts = time_slices(p, k)
    agg = ts.aggregate(p)
    assert ts.k == len(agg) <= k
    assert agg["weight_h"].sum() == pytest.approx(p["weight_h"].sum(), rel=1e-12)
    for col in ("heat", "hp"):
        season = float((p["weight_h"] * p[col]).sum())
        assert float((agg["weight_h"] * agg[col]).sum()) == pytest.approx(season, rel=1e-12)
    assert ts.peak_period == 17
    assert (ts.assignment == ts.assignment[17]).sum() == 1  # the design hour is alone
    assert agg.loc[ts.assignment[17], "heat"] == 1.0
    # every period belongs to exactly one slice; slices are numbered in season order
    firsts = [int(m[0]) for m in ts.members()]
    assert firsts == sorted(firsts)
    assert sorted(np.concatenate(ts.members()).tolist()) == list(range(len(p)))
    assert np.array_equal(ts.assignment, time_slices(p, k).assignment)  # deterministic


def test_k_out_of_range_is_reported() -> None:
    with pytest.raises(InputError, match="number of time slices out of range"):
        time_slices(profiles(), 51)
    with pytest.raises(InputError, match="expected 2 to 50"):
        time_slices(profiles(), 1)


def test_two_means_split_is_the_best_cut() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = rng.normal(size=int(rng.integers(2, 12)))
        periods = np.arange(len(x)) + 100
        left, right = _two_means_1d(periods, x)
        xs = np.sort(x)

        def sse(a: np.ndarray) -> float:
            return float(((a - a.mean()) ** 2).sum())

        best = min(sse(xs[:j]) + sse(xs[j:]) for j in range(1, len(xs)))
        got = sse(x[left - 100]) + sse(x[right - 100])
        assert got == pytest.approx(best, abs=1e-9)
        assert max(x[left - 100]) <= min(x[right - 100])


def test_refine_splits_the_slices_that_lose_most() -> None:
    # slices {0}, {1, 2, 3}, {4, 5}: slice 1 loses 90 %, slice 2 10 %
    ts = TimeSlices(assignment=np.array([0, 1, 1, 1, 2, 2]), peak_period=0)
    cost_per_h = np.array([50.0, 10.0, 1.0, 1.2, 3.0, 4.0])
    refined = ts.refine(cost_per_h, np.array([0.0, 9.0, 1.0]), share=0.8)
    assert [m.tolist() for m in refined.members()] == [[0], [1], [2, 3], [4, 5]]
    both = ts.refine(cost_per_h, np.array([0.0, 9.0, 1.0]), share=1.0)
    assert [m.tolist() for m in both.members()] == [[0], [1], [2, 3], [4], [5]]
    # nothing to gain, or nothing left to split: unchanged
    assert ts.refine(cost_per_h, np.zeros(3)) is ts
    single = TimeSlices(assignment=np.array([0, 1]), peak_period=0)
    assert single.refine(np.array([1.0, 2.0]), np.array([0.0, 5.0])) is single


def shortage_net(folder: Path) -> Path:
    """One district, 100 MW design load, four 1-h periods at 100 %, 90 %, 50 %, 40 %
    (100, 90, 50, 40 MW). Existing source S: 80 MW at 10 CNY/MWh. Candidate B: 50 MW at
    10 CNY/MWh for 25,000 CNY a year (capex 250,000 over 10 years at 0 %). VoLL 1,000.

    Without B, 20 + 10 = 30 MWh are unserved: 10 * 250 + 1,000 * 30 = 32,500 CNY.
    With B, all is served: 25,000 + 10 * 280 = 27,800 CNY — the optimum, B built.

    Two slices, {100 %} and {90, 50, 40 % → mean 60 MW}, see only the 20 MWh short in the
    peak hour: B would save 20 * 990 = 19,800 < 25,000, so round 0 keeps B unbuilt at a slice
    cost of 20,800 + 10 * 180 = 22,600 (the bound). Its full-resolution cost is 32,500, all the
    loss in slice 2, whose hours cost 10,800, 500 and 400 CNY/h: the refinement cuts off
    the 90 % hour. Round 1 sees 30 MWh short, builds B, and proves 27,800: design gap 0.
    """
    return write_network(
        folder,
        nodes=[{"id": "A", "name": "A"}],
        sources=[
            {
                "id": "S",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 80,
                "status": "existing",
                "variable_cost_cny_per_mwh": 10,
            },
            {
                "id": "B",
                "node": "A",
                "technology": "gas_boiler",
                "capacity_mw": 50,
                "status": "candidate",
                "variable_cost_cny_per_mwh": 10,
                "capex_cny": 250_000,
                "lifetime_years": 10,
            },
        ],
        pipes=[],
        demands=[{"id": "D", "node": "A", "design_load_mw": 100, "profile": "h"}],
        profiles=[
            {"period": f"p{i}", "weight_h": 1.0, "h": h} for i, h in enumerate([1.0, 0.9, 0.5, 0.4])
        ],
        economics={"discount_rate": 0.0, "unserved_heat_cost_cny_per_mwh": 1000},
    )


def test_refinement_finds_the_hidden_shortage(tmp_path: Path) -> None:
    net = load_network(shortage_net(tmp_path / "n"))
    run = heatnet.solve(net, SolveOptions(time_slices=2, mip_gap=0.0, two_stage_gap=1e-9))
    ts = run.summary["two_stage"]
    r0, r1 = ts["rounds"]
    assert r0["time_slices"] == 2
    assert r0["stage1_objective_cny"] == pytest.approx(22_600, rel=REL)
    assert r0["stage2_objective_cny"] == pytest.approx(32_500, rel=REL)
    assert r0["design_gap"] == pytest.approx((32_500 - 22_600) / 32_500, rel=1e-6)
    assert r1["time_slices"] == 3
    assert r1["stage1_bound_cny"] == pytest.approx(27_800, rel=REL)
    assert run.result.objective_cny == pytest.approx(27_800, rel=REL)
    assert run.is_optimal
    assert ts["decisions"] == {"build_source:B": 1}
    assert run.summary["unserved_mwh"] == pytest.approx(0.0, abs=1e-6)
    assert run.summary["solve_mode"] == "two_stage"
    assert run.summary["time_slices"] == 3
    # the same answer as the full MILP
    full = heatnet.solve(net, SolveOptions(two_stage=False, mip_gap=0.0))
    assert full.result.objective_cny == pytest.approx(27_800, rel=REL)


def test_no_refinement_rounds_means_the_first_design(tmp_path: Path) -> None:
    net = load_network(shortage_net(tmp_path / "n"))
    run = heatnet.solve(net, SolveOptions(time_slices=2, mip_gap=0.0, max_refinements=0))
    assert len(run.summary["two_stage"]["rounds"]) == 1
    assert run.result.objective_cny == pytest.approx(32_500, rel=REL)
    assert run.result.bound_cny == pytest.approx(22_600, rel=REL)
    assert run.summary["status"] == "feasible"  # 30 % design gap: never called optimal
    assert not run.is_optimal


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> heatnet.Network:
    return load_network(city(tmp_path_factory.mktemp("slices") / "city"))


@pytest.fixture(scope="module")
def full_optimum(net: heatnet.Network) -> float:
    return heatnet.solve(net, SolveOptions(two_stage=False, mip_gap=0.0)).result.objective_cny


@pytest.mark.parametrize("k", [2, 6, 24])
def test_slice_plan_meets_its_gap_against_the_full_milp(
    net: heatnet.Network, full_optimum: float, k: int
) -> None:
    run = heatnet.solve(net, SolveOptions(time_slices=k, mip_gap=0.0, two_stage_gap=1e-3))
    ts = run.summary["two_stage"]
    tol = 1e-7 * full_optimum
    for r in ts["rounds"]:  # every round's bound is valid for the full MILP
        assert r["stage1_bound_cny"] <= full_optimum + tol
    assert run.result.bound_cny <= full_optimum + tol
    assert run.result.objective_cny >= full_optimum - tol
    assert run.is_optimal
    assert run.result.objective_cny <= full_optimum * (1 + 1e-3) + tol
    # figures at full resolution, and feasible there: every period balances
    nodes = run.nodes
    assert nodes["t"].nunique() == net.n_periods
    demand = net.demand_mw()["A"].to_numpy()
    np.testing.assert_allclose(nodes["demand_mw"].to_numpy(), demand)
    produced = run.dispatch.groupby("t")["heat_mw"].sum().to_numpy()
    loss = run.flows.groupby("t")["loss_mw"].sum().to_numpy()
    np.testing.assert_allclose(produced - loss, demand - nodes["unserved_mw"].to_numpy(), atol=1e-6)
    cap = run.dispatch.merge(net.sources[["capacity_mw"]], left_on="source", right_index=True)
    assert (cap["heat_mw"] <= cap["capacity_mw"] + 1e-6).all()
    assert run.summary["cost_breakdown_cny"]["total_cny"] == pytest.approx(
        run.result.objective_cny, rel=REL
    )


def test_chunked_lp_equals_the_whole_lp(
    net: heatnet.Network,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    design = {("keep_source", "COAL"): 1.0, ("build_source", "HP"): 1.0, ("build_pipe", "P_R"): 1.0}
    opts = SolveOptions()
    monkeypatch.setattr("heatnet.stages.STAGE2_CHUNK_COLUMNS", 10**9)
    whole, _ = solve_fixed_design(net, opts, design)
    assert "period chunks" not in whole.termination
    monkeypatch.setattr("heatnet.stages.STAGE2_CHUNK_COLUMNS", 50)  # a few periods per chunk
    chunked, _ = solve_fixed_design(net, opts, design)
    assert "period chunks" in chunked.termination
    assert chunked.objective_cny == pytest.approx(whole.objective_cny, rel=1e-9)
    for name in ("g", "u"):
        assert chunked.values[name].shape == (len(whole.values[name]), net.n_periods)
    assert chunked.values["u"].sum() == pytest.approx(whole.values["u"].sum(), abs=1e-6)
    # the prices are the duals of the same LP: equal wherever the LP has one price
    np.testing.assert_allclose(
        chunked.prices_cny_per_mwh, whole.prices_cny_per_mwh, rtol=1e-6, atol=1e-6
    )
    # with an emissions cap the periods are linked: solved whole
    capped = net.with_economics(co2_cap_t=1e9)
    res, _ = solve_fixed_design(capped, opts, design)
    assert "period chunks" not in res.termination


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time_slices": 4, "typical_days": 2}, "choose one"),
        ({"time_slices": 4, "two_stage": False}, "need a two-stage solve"),
    ],
)
def test_conflicting_options_are_refused(
    net: heatnet.Network, options: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        heatnet.solve(net, SolveOptions(**options))  # type: ignore[arg-type]


def test_cli_time_slices(tmp_path: Path) -> None:
    folder = shortage_net(tmp_path / "n")
    result = CliRunner().invoke(
        cli,
        [
            "solve",
            str(folder),
            "--time-slices",
            "2",
            "--mip-gap",
            "0",
            "--design-gap",
            "0",
            "--out",
            str(tmp_path / "results"),
            "--name",
            "ts",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "design on 2 time slices refined to 3 in 2 rounds" in result.output
    bad = CliRunner().invoke(
        cli,
        [
            "solve",
            str(folder),
            "--time-slices",
            "2",
            "--typical-days",
            "2",
            "--out",
            str(tmp_path / "r2"),
        ],
    )
    assert bad.exit_code == 1
    assert "choose one" in bad.output
    assert not (tmp_path / "r2").exists()


def test_column_estimate_matches_the_built_model(net: heatnet.Network) -> None:
    from heatnet.model import build_model
    from heatnet.run import full_model_columns

    lp = build_model(net).lp
    time_indexed = sum(f.size for f in lp.cols.values() if f.n_periods)
    assert full_model_columns(net) == time_indexed


def test_large_models_design_on_time_slices_automatically(
    net: heatnet.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heatnet.run import automatic_options

    assert automatic_options(net, SolveOptions()) == SolveOptions()  # small: unchanged
    monkeypatch.setattr("heatnet.run.AUTO_SLICES_COLUMNS", 100)
    assert automatic_options(net, SolveOptions()).time_slices == 24
    # an explicit choice is never overridden
    for chosen in ({"two_stage": False}, {"typical_days": 3}, {"time_slices": 5}):
        opts = SolveOptions(**chosen)  # type: ignore[arg-type]
        assert automatic_options(net, opts) == opts
    # nothing to decide: the full-resolution LP
    every = {("keep_source", "COAL"): 1.0, ("build_source", "HP"): 0.0, ("build_pipe", "P_R"): 1.0}
    assert automatic_options(net, SolveOptions(), every) == SolveOptions()
    run = heatnet.solve(net, SolveOptions(mip_gap=0.0, two_stage_gap=1e-3))
    assert run.summary["solve_mode"] == "two_stage"
    assert run.summary["options"]["time_slices"] == 24
    assert run.summary["two_stage"]["aggregation"] == "time_slices"


def test_time_limit_is_never_reported_as_optimal() -> None:
    """A city too large for the time given: the rounds stop, and the run says so."""
    from heatnet.generate import generate_city

    net = generate_city(100, resolution="typical")
    run = heatnet.solve(
        net,
        SolveOptions(time_slices=24, time_limit_s=2.0, mip_gap=1e-6, two_stage_gap=1e-6, threads=1),
    )
    assert not run.is_optimal
    s = run.summary
    assert s["status"] == "time_limit"
    assert s["two_stage"]["stopped_by_time_limit"]
    if run.result.has_solution:  # a plan with its honest gap
        assert s["mip_gap"] > 1e-6
        assert s["objective_cny"] >= s["bound_cny"]
