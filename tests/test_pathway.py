"""Pathway solves (spec v1.1 §4) on hand-worked networks.

The network is ``tests.scenario_nets.retire_net`` as rows (discount rate 0): demand 100 MWh
at B; COAL retirable (100 CNY/MWh + carbon, 1 t/MWh, fixed 500 CNY/yr, retirement 100
CNY/yr); CHP existing (150 CNY/MWh); WASTE 30 MWh free behind candidate pipe PW (1,000
CNY/yr). One season's cost at carbon price p:

* keep COAL, PW built: 500 + 1,000 + 70 × min(100 + p, 150) = 8,500 + 70 × min(p, 50);
* retire COAL, PW built: 100 + 1,000 + 70 × 150 = 11,600.

Keeping wins while 8,500 + 70p < 11,600, i.e. p < 44.3 CNY/t.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyomo.environ as pyo
import pytest

import heatnet
from heatnet.data import default_network_path
from heatnet.io import read_network
from heatnet.network import Pathway, Security
from heatnet.storage import read_run
from tests.helpers import write_network
from tests.reference_lp import reference_optimum, reference_pathway
from tests.scenario_nets import retire_rows


def retire_spec(**economics: Any) -> dict[str, Any]:
    """The rows of ``tests.scenario_nets.retire_net`` (module docstring), economics changed."""
    spec = retire_rows()
    spec["economics"] = {**spec["economics"], **economics}
    return spec


YEARS = [2025, 2026, 2027]


def solve_pathway(tmp_path: Path, spec: dict[str, Any], pathway: dict[str, Any]) -> heatnet.Run:
    folder = write_network(tmp_path / "net", **spec, pathway=pathway)
    run = heatnet.solve(folder, heatnet.SolveOptions(mip_gap=1e-9))
    assert run.is_optimal, run.summary["termination"]
    return run


def per_year(run: heatnet.Run, key: str) -> list[Any]:
    return [y[key] for y in run.summary["pathway"]["per_year"]]


def timeline(run: heatnet.Run) -> dict[str, int | None]:
    t = run.tables["timeline"]
    years = [None if pd.isna(y) else int(y) for y in t["year"]]
    return dict(zip(t["id"].astype(str), years, strict=True))


def test_rising_carbon_price_retires_coal_from_year_three(tmp_path: Path) -> None:
    """Carbon 0, 20, 100 CNY/t: keep (8,500), keep (8,500 + 1,400), retire (11,600)."""
    pathway = {"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 20, 2027: 100}}
    run = solve_pathway(tmp_path, retire_spec(), pathway)
    assert per_year(run, "objective_cny") == pytest.approx([8500, 9900, 11600])
    assert run.result.objective_cny == pytest.approx(30000)
    assert run.summary["pathway"]["npv_cny"] == pytest.approx(30000)
    assert per_year(run, "retired") == [[], [], ["COAL"]]
    assert per_year(run, "retired_this_year") == [[], [], ["COAL"]]
    assert per_year(run, "built_this_year") == [["PW"], [], []]
    assert per_year(run, "co2_t") == pytest.approx([70, 70, 0])
    assert timeline(run) == {"COAL": 2027, "PW": 2025}
    assert run.summary["co2_t"] == pytest.approx(140)
    assert run.summary["cost_breakdown_cny"]["total_cny"] == pytest.approx(30000)
    for table in ("sources", "pipes", "dispatch", "flows", "nodes", "prices", "periods"):
        assert sorted(set(run.tables[table]["year"])) == YEARS, table
        assert next(iter(run.tables[table].columns)) == "year"
    # prices: the coal point is marginal while kept (100 + p), the CHP after
    prices = run.tables["prices"]
    at_b = prices[prices["node"] == "B"].set_index("year")["price_cny_per_mwh"]
    assert at_b.to_dict() == pytest.approx({2025: 100, 2026: 120, 2027: 150})


def test_a_retired_point_does_not_come_back(tmp_path: Path) -> None:
    """Carbon 0, 100, 0: each season alone would keep, retire, keep (28,600), but COAL
    cannot come back: retiring from 2026 costs 8,500 + 2 × 11,600 = 31,700, keeping
    throughout 8,500 + 12,000 + 8,500 = 29,000 (at 100 CNY/t the CHP is cheaper than coal,
    so the kept point stands idle in 2026 at its fixed cost)."""
    pathway = {"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 100, 2027: 0}}
    run = solve_pathway(tmp_path, retire_spec(), pathway)
    assert run.result.objective_cny == pytest.approx(29000)
    assert per_year(run, "retired") == [[], [], []]
    assert timeline(run)["COAL"] is None
    assert per_year(run, "co2_t") == pytest.approx([70, 0, 70])


def test_deadline_retires_the_point_from_that_season(tmp_path: Path) -> None:
    """retire_by 2026 at carbon 0: kept in 2025 (8,500), retired after (2 × 11,600)."""
    spec = retire_spec()
    spec["sources"][1]["retire_by"] = 2026
    run = solve_pathway(tmp_path, spec, {"years": YEARS})
    assert run.result.objective_cny == pytest.approx(8500 + 2 * 11600)
    assert timeline(run)["COAL"] == 2026
    decisions = run.tables["sources"].loc["COAL"].set_index("year")["decision"]
    assert decisions.to_dict() == {2025: "kept", 2026: "forced_retired", 2027: "forced_retired"}
    spec["sources"][1]["retire_by"] = 2025  # a deadline in the first season: never kept
    first = solve_pathway(tmp_path / "first", spec, {"years": YEARS})
    assert timeline(first)["COAL"] == 2025
    assert first.result.objective_cny == pytest.approx(3 * 11600)


def test_candidate_waits_for_its_earliest_year(tmp_path: Path) -> None:
    """PW from 2026: 2025 without it (keep coal: 500 + 100 × 100 = 10,500), then 8,500."""
    spec = retire_spec()
    spec["pipes"][1]["earliest_year"] = 2026
    run = solve_pathway(tmp_path, spec, {"years": YEARS})
    assert per_year(run, "objective_cny") == pytest.approx([10500, 8500, 8500])
    assert timeline(run)["PW"] == 2026
    pipes = run.tables["pipes"].loc["PW"].set_index("year")["decision"]
    assert pipes[2025] == "unavailable"


def test_existing_source_exists_from_its_earliest_year(tmp_path: Path) -> None:
    """WASTE from 2026: in 2025 PW would carry nothing, so it is not built (10,500)."""
    spec = retire_spec()
    spec["sources"][2]["earliest_year"] = 2026
    run = solve_pathway(tmp_path, spec, {"years": YEARS})
    assert per_year(run, "objective_cny") == pytest.approx([10500, 8500, 8500])
    assert timeline(run)["PW"] == 2026


def test_cap_applies_from_the_first_year_it_names(tmp_path: Path) -> None:
    """Cap 50 t from 2026: coal ≤ 50 MWh, 20 MWh from the CHP (9,500 < 11,600)."""
    run = solve_pathway(tmp_path, retire_spec(), {"years": YEARS, "co2_cap_t": {2026: 50}})
    assert per_year(run, "co2_cap_t") == [None, 50, 50]
    assert per_year(run, "objective_cny") == pytest.approx([8500, 9500, 9500])


def test_co2_peak_stops_emissions_rising_with_demand(tmp_path: Path) -> None:
    """Demand × 1.0, 1.0, 1.2 (scale held flat before 2026) with the peak in 2025: 2027's
    coal stays at 70 MWh and the CHP serves the growth (11,500 instead of 10,500). Burning
    more coal earlier to raise the peak would cost 100 CNY/MWh in each of two seasons to
    save 50 in one, so the earlier seasons are as without the rule."""
    pathway = {"years": YEARS, "demand_scale": {2026: 1.0, 2027: 1.2}}
    free = solve_pathway(tmp_path / "free", retire_spec(), pathway)
    assert per_year(free, "demand_scale") == pytest.approx([1.0, 1.0, 1.2])
    assert per_year(free, "objective_cny") == pytest.approx([8500, 8500, 10500])
    assert per_year(free, "co2_t") == pytest.approx([70, 70, 90])
    peak = solve_pathway(tmp_path / "peak", retire_spec(), {**pathway, "co2_peak_year": 2025})
    assert per_year(peak, "objective_cny") == pytest.approx([8500, 8500, 11500])
    assert per_year(peak, "co2_t") == pytest.approx([70, 70, 70])
    late = solve_pathway(tmp_path / "late", retire_spec(), {**pathway, "co2_peak_year": 2027})
    assert late.result.objective_cny == pytest.approx(free.result.objective_cny)


def test_discounting_weights_each_season(tmp_path: Path) -> None:
    """At r = 8 % the NPV is Σ δ_y × the season's cost, and each season's figures are as
    its own one-season solve (same plan: kept throughout at carbon 0)."""
    spec = retire_spec(discount_rate=0.08)
    run = solve_pathway(tmp_path, spec, {"years": YEARS})
    one = reference_optimum(**spec).total_cny
    assert per_year(run, "objective_cny") == pytest.approx([one] * 3)
    assert per_year(run, "discount_factor") == pytest.approx([1, 1 / 1.08, 1 / 1.08**2])
    assert run.result.objective_cny == pytest.approx(one * (1 + 1 / 1.08 + 1 / 1.08**2))


def test_one_year_pathway_is_the_static_model(tmp_path: Path) -> None:
    spec = retire_spec(carbon_price_cny_per_t=100)
    static = heatnet.solve(write_network(tmp_path / "static", **spec))
    run = solve_pathway(tmp_path, spec, {"years": [2030]})
    assert run.result.objective_cny == pytest.approx(static.result.objective_cny, rel=1e-12)
    assert run.result.objective_cny == pytest.approx(11600)
    for key in ("co2_t", "unserved_mwh", "retired", "built_pipes"):
        assert run.summary[key] == static.summary[key]  # type: ignore[literal-required]


def test_one_year_jinan_pathway_is_the_static_jinan_optimum() -> None:
    net, _ = read_network(default_network_path())
    static = heatnet.solve(net)
    run = heatnet.solve(net.replace(pathway=Pathway(years=(2025,))))
    assert run.is_optimal
    assert static.is_optimal
    gap = max(static.result.mip_gap or 0.0, run.result.mip_gap or 0.0)
    assert run.result.objective_cny == pytest.approx(static.result.objective_cny, rel=gap + 1e-9)


def test_run_folder_reads_back(tmp_path: Path) -> None:
    pathway = {"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 20, 2027: 100}}
    run = solve_pathway(tmp_path, retire_spec(), pathway)
    stored = read_run(run.write(tmp_path / "results"))
    assert stored.network.pathway == run.network.pathway
    assert list(stored.tables["timeline"]["id"]) == ["COAL", "PW"]
    summary = json.loads((stored.folder / "summary.json").read_text())
    assert [y["year"] for y in summary["pathway"]["per_year"]] == YEARS


@pytest.mark.parametrize(
    "pathway",
    [
        {"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 20, 2027: 100}},
        {"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 100, 2027: 0}},
        {"years": YEARS, "demand_scale": {2025: 1.0, 2027: 1.5}, "co2_cap_t": {2026: 60}},
    ],
)
def test_hand_worked_cases_match_the_reference(tmp_path: Path, pathway: dict[str, Any]) -> None:
    spec = retire_spec(discount_rate=0.05)
    run = solve_pathway(tmp_path, spec, pathway)
    assert run.result.objective_cny == pytest.approx(reference_pathway(spec, pathway), rel=1e-9)


def hourly_spec(**economics: Any) -> dict[str, Any]:
    """``retire_spec`` over 4 days of 24 hourly periods, demand following the hour and day."""
    spec = retire_spec(**economics)
    spec["profiles"] = [
        {
            "period": f"2026-01-0{day + 1} {hour:02d}:00",
            "weight_h": 1.0,
            "h": round(0.5 + 0.1 * day + 0.4 * (1 - abs(hour - 12) / 12), 4),
        }
        for day in range(4)
        for hour in range(24)
    ]
    return spec


@pytest.mark.parametrize(
    ("options", "peak"),
    [
        ({"two_stage": True, "typical_days": 2}, None),
        ({"time_slices": 4}, None),
        ({"time_slices": 4}, 2026),  # the peak rows link the years: stage 2 is one LP
    ],
)
def test_two_stage_pathway_brackets_the_full_optimum(
    tmp_path: Path, options: dict[str, Any], peak: int | None
) -> None:
    """Design on aggregated periods of every year at once, dispatch each year at full
    resolution: the bound is at most, and the plan's cost at least, the full MILP's
    optimum, and each season's figures are at full resolution (96 periods)."""
    pathway: dict[str, Any] = {
        "years": YEARS,
        "carbon_price_cny_per_t": {2025: 0, 2027: 100},
        "demand_scale": {2025: 1.0, 2027: 1.3},
    }
    if peak is not None:
        pathway["co2_peak_year"] = peak
    folder = write_network(tmp_path / "net", **hourly_spec(), pathway=pathway)
    full = heatnet.solve(folder, heatnet.SolveOptions(two_stage=False, mip_gap=1e-9))
    assert full.summary["solve_mode"] == "single_stage"
    two = heatnet.solve(folder, heatnet.SolveOptions(mip_gap=1e-9, two_stage_gap=1e-9, **options))
    assert two.summary["solve_mode"] == "two_stage"
    assert two.result.has_solution
    opt = full.result.objective_cny
    assert two.result.bound_cny <= opt * (1 + 1e-9) + 1e-6
    assert two.result.objective_cny >= opt * (1 - 1e-9) - 1e-6
    assert len(two.tables["periods"]) == 3 * 96
    npv = sum(y["discounted_cny"] for y in two.summary["pathway"]["per_year"])
    assert npv == pytest.approx(two.result.objective_cny, rel=1e-9)
    decisions = two.summary["two_stage"]["decisions"]
    assert set(decisions) >= {f"keep_source:COAL:{y}" for y in YEARS}
    if peak is not None:
        co2 = [y["co2_t"] for y in two.summary["pathway"]["per_year"]]
        assert co2[2] <= co2[1] * (1 + 1e-9) + 1e-6


def test_security_holds_in_every_year_and_keeps_the_point_from_the_start(
    tmp_path: Path,
) -> None:
    """``tests.test_security.secure_city`` with demand × 0.2, 0.6, 1.0 and served share 0.5
    in an outage of the line P: in 2025 GAS (10 MW) covers half of the 12 MW design hour, but
    from 2026 (36 MW) only COAL can, and a retired point cannot come back, so COAL is kept
    from 2025 at its fixed cost. Each season: WH serves 120,000 MWh × scale at 20 CNY/MWh."""
    from tests.test_security import FIXED, secure_city

    net = heatnet.load_network(secure_city(tmp_path / "n"))
    scale = {2025: 0.2, 2026: 0.6, 2027: 1.0}
    pathway = Pathway(years=tuple(YEARS), demand_scale=tuple(scale.items()))
    delta = [1.06**-n for n in range(3)]
    energy = [2_400_000.0 * scale[y] for y in YEARS]
    free = heatnet.solve(net.replace(pathway=pathway))
    assert free.result.objective_cny == pytest.approx(
        sum(d * e for d, e in zip(delta, energy, strict=True)), rel=1e-7
    )
    assert timeline(free)["COAL"] == 2025
    secure = heatnet.solve(
        net.replace(pathway=pathway, security=Security(served_share=0.5, contingencies=("P",)))
    )
    assert secure.is_optimal
    assert secure.result.objective_cny == pytest.approx(
        sum(d * (e + FIXED) for d, e in zip(delta, energy, strict=True)), rel=1e-7
    )
    assert timeline(secure)["COAL"] is None
    table = secure.tables["security"]
    assert sorted(set(table["year"])) == YEARS
    outage = table[(table["contingency"] == "P")].set_index("year")["served_share"]
    assert (outage >= 0.5 - 1e-9).all()


def test_an_unreachable_cap_names_the_season(tmp_path: Path) -> None:
    """CHP emitting 0.5 t/MWh, unserved heat forbidden and a cap of 10 t from 2027: the
    waste heat (30 MWh) leaves 70 MWh to burn, at least 35 t, so 2027 cannot be met; the
    explanation's lines say which season."""
    spec = retire_spec()
    spec["sources"][0]["co2_t_per_mwh"] = 0.5
    folder = write_network(
        tmp_path / "net", **spec, pathway={"years": YEARS, "co2_cap_t": {2027: 10}}
    )
    run = heatnet.solve(folder, heatnet.SolveOptions(allow_unserved=False))
    assert run.summary["status"] == "infeasible"
    assert not run.tables
    lines = run.summary["infeasibility"]["limits_in_conflict"]
    assert any(line.startswith("2027: the CO2 cap") for line in lines), lines
    assert not any(line.startswith(("2025", "2026")) and "CO2" in line for line in lines)


def test_one_season_studies_refuse_a_pathway(tmp_path: Path) -> None:
    """The cost–CO2 front and the decision flips are one-season tools: a clear input error,
    not a silently static answer."""
    from heatnet.errors import InputError
    from heatnet.explain import explain_run
    from heatnet.model import build_model
    from heatnet.pareto import pareto_front

    folder = write_network(tmp_path / "net", **retire_spec(), pathway={"years": YEARS})
    net = heatnet.load_network(folder)
    with pytest.raises(InputError, match="one-season study"):
        pareto_front(net, points=1, results_dir=tmp_path / "p")
    with pytest.raises(ValueError, match="one season"):
        build_model(net)
    stored = heatnet.solve(net).write(tmp_path / "results")
    with pytest.raises(InputError, match="one-season run"):
        explain_run(stored)


def test_a_sweep_mixing_pathway_and_one_season_scenarios_finishes(tmp_path: Path) -> None:
    """`pathway: null` in one scenario: both solve, the study is written, exit 0, and the
    console says why there is no side-by-side table."""
    from click.testing import CliRunner

    from heatnet.cli import cli

    folder = write_network(tmp_path / "net", **retire_spec(), pathway={"years": YEARS})
    f = tmp_path / "s.yaml"
    f.write_text("scenarios:\n  path: {}\n  season:\n    pathway: null\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["sweep", str(folder), str(f), "--jobs", "1", "--out", str(tmp_path / "results")]
    )
    assert result.exit_code == 0, result.output
    assert "note: no side-by-side table" in result.output
    study = tmp_path / "results" / "s"
    path = json.loads((study / "path" / "summary.json").read_text(encoding="utf-8"))
    season = json.loads((study / "season" / "summary.json").read_text(encoding="utf-8"))
    assert path["pathway"]["years"] == YEARS
    assert "pathway" not in season
    assert path["objective_cny"] == pytest.approx(3 * season["objective_cny"])


def test_own_pyomo_rules_hold_in_every_season(tmp_path: Path) -> None:
    """``extra`` keeping COAL (keep >= 1) in every season's model, carbon 0, 20, 100: 2027
    keeps it too, idle beside the cheaper CHP: 500 + 1,000 + 70 × 150 = 12,000."""
    pathway = {"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 20, 2027: 100}}
    folder = write_network(tmp_path / "net", **retire_spec(), pathway=pathway)

    def keep_coal(m: Any, v: Any) -> None:
        m.keep_coal = pyo.Constraint(expr=v.keep["COAL"] >= 1)

    run = heatnet.solve(folder, heatnet.SolveOptions(mip_gap=1e-9), extra=keep_coal)
    assert per_year(run, "objective_cny") == pytest.approx([8500, 9900, 12000])
    assert timeline(run)["COAL"] is None


@pytest.mark.parametrize(
    ("pathway", "alone"),
    [
        # keep, keep, retire: the seasons' own plans are already irreversible
        ({"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 20, 2027: 100}}, True),
        # keep, retire, keep alone: COAL would come back, so the stacked MILP decides
        ({"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 100, 2027: 0}}, False),
        # alone, 2027 emits 90 t > 70 t after the 2025 peak: the stacked MILP decides
        (
            {"years": YEARS, "demand_scale": {2026: 1.0, 2027: 1.2}, "co2_peak_year": 2025},
            False,
        ),
    ],
)
def test_seasons_first_gives_the_stacked_optimum(
    tmp_path: Path, pathway: dict[str, Any], alone: bool
) -> None:
    """Seasons solved alone (the default) and the stacked MILP give the same optimum;
    the stacked MILP is skipped exactly when the seasons' plans link up."""
    folder = write_network(tmp_path / "net", **retire_spec(discount_rate=0.05), pathway=pathway)
    runs = {
        how: heatnet.solve(folder, heatnet.SolveOptions(mip_gap=1e-9, pathway_solve=how))
        for how in ("seasons", "stacked")
    }
    for run in runs.values():
        assert run.is_optimal
    seasons, stacked = runs["seasons"], runs["stacked"]
    assert seasons.result.objective_cny == pytest.approx(stacked.result.objective_cny, rel=1e-9)
    if "co2_peak_year" not in pathway:  # the reference has no peak rows
        assert seasons.result.objective_cny == pytest.approx(
            reference_pathway(retire_spec(discount_rate=0.05), pathway), rel=1e-9
        )
    assert ("seasons solved alone" in seasons.summary["termination"]) is alone
    assert "season 2025, alone" in seasons.highs_log
    assert ("stacked MILP" in seasons.highs_log) is not alone
    assert timeline(seasons) == timeline(stacked)


def test_the_seasons_bound_stops_the_stacked_milp(tmp_path: Path) -> None:
    """Carbon 0, 100, 0: alone the seasons cost 8,500 + 11,600 + 8,500 = 28,600, a valid
    bound; the plan made irreversible keeps COAL throughout (29,000, the optimum). At a
    2 % gap 29,000 is within the gap of 28,600 (1.4 %), so the stacked MILP stops at once
    and the pathway is reported optimal with a bound of at least 28,600; at 1e-9 HiGHS
    proves 29,000."""
    pathway = {"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 100, 2027: 0}}
    folder = write_network(tmp_path / "net", **retire_spec(), pathway=pathway)
    run = heatnet.solve(folder, heatnet.SolveOptions(mip_gap=0.02))
    assert run.is_optimal
    assert run.result.objective_cny == pytest.approx(29000)
    assert 28600 - 1e-6 <= run.result.bound_cny <= 29000 + 1e-6
    assert run.result.mip_gap == pytest.approx((29000 - run.result.bound_cny) / 29000)
    tight = heatnet.solve(folder, heatnet.SolveOptions(mip_gap=1e-9))
    assert tight.result.bound_cny == pytest.approx(29000)


def test_a_mip_start_is_dropped_when_highs_misreports_its_cost(tmp_path: Path) -> None:
    """HiGHS 1.16 can keep a MIP start with the objective it evaluated after presolve and
    return the start's values with that (lower) objective. Here season 2026 has a zero CO2
    cap, so nothing may run (1.6 MWh unserved × 20,000 + three fixed costs = 35,000), and
    the start offered from 2025 builds S3: HiGHS reported 35,000 with S3 built (which costs
    1,782.27 more). The start must be dropped and the season solved again, so that the
    seasons' plans are seen not to link up and the optimum is the reference's."""
    source = {
        "node": "N0",
        "technology": "waste_heat",
        "capacity_mw": 1.0,
        "variable_cost_cny_per_mwh": 5.0,
        "co2_t_per_mwh": 0.05,
        "fixed_cost_cny_per_year": 1000.0,
        "retirement_cost_cny": 10000.0,
        "capex_cny": 10000.0,
        "lifetime_years": None,
        "availability": "",
    }
    pipe = {
        "from_node": "N0",
        "to_node": "N1",
        "length_km": 0.5,
        "status": "existing",
        "bidirectional": None,
        "loss_fraction_per_km": 0.001,
        "pumping_cost_cny_per_mwh": 0.5,
        "capex_cny": 10000.0,
        "lifetime_years": None,
    }
    spec: dict[str, Any] = {
        "nodes": [{"id": "N0", "name": "N0"}, {"id": "N1", "name": "N1"}],
        "sources": [
            *({"id": f"S{i}", **source, "status": "existing"} for i in range(3)),
            {"id": "S3", **source, "status": "candidate"},
        ],
        "pipes": [
            {"id": "P0", **pipe, "capacity_mw": 2.2},
            {"id": "P1", **pipe, "capacity_mw": 1.0},
        ],
        "demands": [{"id": "D0", "node": "N1", "design_load_mw": 3.2, "profile": "h2"}],
        "profiles": [
            {"period": f"t{t}", "weight_h": 0.5, "h1": 0.0, "h2": float(t == 1), "avail": 0.0}
            for t in range(4)
        ],
        "economics": {"carbon_price_cny_per_t": 10.0},
    }
    pathway = {"years": [2025, 2026], "co2_cap_t": {2026: 0}}
    folder = write_network(tmp_path / "net", **spec, pathway=pathway)
    run = heatnet.solve(folder, heatnet.SolveOptions(mip_gap=1e-9, pathway_solve="seasons"))
    assert run.is_optimal
    assert run.result.objective_cny == pytest.approx(reference_pathway(spec, pathway), rel=1e-9)
    for y in run.summary["pathway"]["per_year"]:
        assert y["cost_breakdown_cny"]["total_cny"] == pytest.approx(y["objective_cny"], rel=1e-9)
    assert per_year(run, "objective_cny")[1] == pytest.approx(35000)


@pytest.mark.parametrize(("how", "alone"), [("seasons", True), ("stacked", False)])
def test_cli_pathway_solve_option(tmp_path: Path, how: str, alone: bool) -> None:
    """``heatnet solve --pathway-solve`` reaches the solve: the same optimum (30,000, the
    rising-price case) either way, and the summary says which way it came."""
    from click.testing import CliRunner

    from heatnet.cli import cli

    pathway = {"years": YEARS, "carbon_price_cny_per_t": {2025: 0, 2026: 20, 2027: 100}}
    folder = write_network(tmp_path / "net", **retire_spec(), pathway=pathway)
    out = tmp_path / "results"
    result = CliRunner().invoke(
        cli,
        ["solve", str(folder), "--pathway-solve", how, "--mip-gap", "1e-9", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(next(out.glob("*/summary.json")).read_text(encoding="utf-8"))
    assert summary["objective_cny"] == pytest.approx(30000)
    assert ("seasons solved alone" in summary["termination"]) is alone
