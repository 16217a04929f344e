"""Scenario files: strict validation (every problem at once), and apply_scenario semantics."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.network import Pathway
from heatnet.scenarios import (
    SCENARIO_KEYS,
    apply_scenario,
    load_scenarios,
    read_scenarios,
    scenario_network,
)
from tests.helpers import write_csv
from tests.scenario_nets import retire_net

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def net(tmp_path: Path) -> heatnet.Network:
    return heatnet.load_network(retire_net(tmp_path / "net"))


def _tables(n: heatnet.Network) -> dict[str, object]:
    return {
        k: getattr(n, k).copy() for k in ("nodes", "sources", "pipes", "demands", "profiles")
    } | {"economics": n.economics}


def test_apply_scenario_never_changes_the_base(net: heatnet.Network, tmp_path: Path) -> None:
    before = _tables(net)
    write_csv(tmp_path / "alt.csv", [{"period": "q1", "weight_h": 5, "h": 2.0}])
    new = apply_scenario(
        net,
        {
            "economics": {"carbon_price_cny_per_t": 200, "co2_cap_t": 50},
            "sources": {"COAL": {"status": "retired", "capacity_mw": 10}},
            "pipes": {"PW": {"status": "unavailable", "bidirectional": False}},
            "demands": {"D": {"design_load_mw": 20}},
            "demand_scale": 1.5,
        },
    )
    after = _tables(net)
    for key, value in before.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, after[key])  # type: ignore[arg-type]
        else:
            assert value == after[key]
    assert new is not net
    assert new.economics.carbon_price_cny_per_t == 200
    assert new.economics.co2_cap_t == 50
    assert new.sources.loc["COAL", "status"] == "retired"
    assert new.sources.loc["COAL", "capacity_mw"] == 10
    assert new.pipes.loc["PW", "status"] == "unavailable"
    assert not new.pipes.loc["PW", "bidirectional"]
    # per-id override first, then demand_scale on every design load
    assert new.demands.loc["D", "design_load_mw"] == pytest.approx(30)
    # untouched cells keep their values and types
    assert new.sources.loc["CHP", "variable_cost_cny_per_mwh"] == 150
    assert new.sources["capacity_mw"].dtype == float


def test_profiles_swap_is_relative_to_the_scenario_file(
    net: heatnet.Network, tmp_path: Path
) -> None:
    (tmp_path / "study" / "profiles").mkdir(parents=True)
    write_csv(
        tmp_path / "study" / "profiles" / "cold.csv", [{"period": "c1", "weight_h": 10, "h": 1.2}]
    )
    f = tmp_path / "study" / "s.yaml"
    f.write_text("scenarios:\n  cold:\n    profiles: profiles/cold.csv\n", encoding="utf-8")
    sset = load_scenarios(f, net)
    new = apply_scenario(net, sset["cold"])
    assert new.profiles.loc[0, "h"] == pytest.approx(1.2)
    assert new.profiles_path == (tmp_path / "study" / "profiles" / "cold.csv").resolve()
    run = heatnet.solve(new, heatnet.SolveOptions())
    assert run.summary["heat_demand_mwh"] == pytest.approx(120)


def test_forced_statuses_give_the_hand_worked_optima(net: heatnet.Network) -> None:
    """(see tests/scenario_nets.py) carbon 100: free choice retires COAL (11,600); status
    existing forces keeping it (12,000); status retired at carbon 0 forces retirement:
    100 + 1,000 + 70 × 150 = 11,600 instead of 8,500."""
    opts = heatnet.SolveOptions()
    carbon = {"economics": {"carbon_price_cny_per_t": 100}}
    cases = [
        (carbon, 11_600, "retired"),
        (carbon | {"sources": {"COAL": {"status": "existing"}}}, 12_000, "existing"),
        ({"sources": {"COAL": {"status": "retired"}}}, 11_600, "forced_retired"),
        ({}, 8_500, "kept"),
    ]
    for scenario, objective, decision in cases:
        run = heatnet.solve(apply_scenario(net, scenario), opts)
        assert run.is_optimal
        assert run.result.objective_cny == pytest.approx(objective, rel=1e-9), scenario
        assert run.sources.loc["COAL", "decision"] == decision


def test_a_late_line_that_strands_a_district_is_a_warning(
    net: heatnet.Network, tmp_path: Path
) -> None:
    """Both links to B gone and COAL retired: B is stranded; its 100 MWh become unserved heat
    at 20,000 CNY/MWh, plus COAL's retirement (100 CNY/yr)."""
    sc = {
        "name": "island",
        "sources": {"COAL": {"status": "retired"}},
        "pipes": {"P": {"status": "unavailable"}, "PW": {"status": "unavailable"}},
    }
    new, problems = scenario_network(net, sc)
    assert new is not None
    warnings = [p for p in problems if p.severity == "warning"]
    assert any("no source can reach" in p.message and p.id == "D" for p in warnings)
    assert all("scenario 'island'" in p.message for p in problems)
    run = heatnet.solve(new, heatnet.SolveOptions())
    assert run.result.objective_cny == pytest.approx(2_000_100, rel=1e-9)
    assert run.summary["unserved_mwh"] == pytest.approx(100)
    # such a run can be read back (its inputs strand a district too)
    folder = run.write(tmp_path / "results", "island")
    assert heatnet.read_run(folder).network.pipes.loc["P", "status"] == "unavailable"


BAD = """\
study: demo
scenarios:
  base: {}
  carbon:
    economics:
      carbon_price_cny_per_t: 200
      co2_cap: 5
  late:
    pipes:
      PX: {status: unavailable}
      PW: {status: gone, lenght_km: 3}
  growth:
    demand_scale: -1
  "bad/name": {}
  typo:
    sourcs: {}
  dup:
    demand_scale: 1.1
    demand_scale: 1.2
extra: 1
"""


def test_every_problem_is_reported_at_once(net: heatnet.Network, tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(BAD, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenarios(f, net)
    errors = info.value.errors
    by = {(p.id, p.column): p for p in errors}
    assert all(p.file == "bad.yaml" for p in errors)
    unknown_key = by[("carbon", "economics.co2_cap")]
    assert unknown_key.line == 7
    assert unknown_key.hint == "Did you mean 'co2_cap_t'?"
    unknown_id = by[("late", "pipes.PX")]
    assert unknown_id.line == 10
    assert "unknown id" in unknown_id.message
    assert by[("late", "pipes.PW.status")].found == "gone"
    assert by[("late", "pipes.PW.status")].expected == (
        "one of existing, candidate, committed, unavailable"
    )
    assert by[("late", "pipes.PW.lenght_km")].hint == "Did you mean 'length_km'?"
    bad_value = by[("growth", "demand_scale")]
    assert (bad_value.line, bad_value.found) == (13, "-1")
    assert bad_value.expected == "a finite number > 0"
    assert ("bad/name", None) in by
    assert by[("typo", "sourcs")].hint == "Did you mean 'sources'?"
    assert "duplicated key" in by[("dup", "demand_scale")].message
    assert by[(None, "extra")].line == 20
    assert len(errors) == 9
    text = str(info.value)
    assert "scenario file" in text
    assert "9 problems" in text


def test_network_errors_after_applying_are_named_by_scenario(
    net: heatnet.Network, tmp_path: Path
) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        "scenarios:\n  a:\n    sources: {COAL: {node: NOWHERE}}\n"
        "  b:\n    demands: {D: {profile: nope}}\n",
        encoding="utf-8",
    )
    sset, problems = read_scenarios(f, net)
    assert sset is None
    errors = [p for p in problems if p.severity == "error"]
    assert any("scenario 'a'" in p.message and "unknown node" in p.message for p in errors)
    assert any("scenario 'b'" in p.message and "profile" in p.message for p in errors)


def test_numbers_written_as_text_and_null_caps(net: heatnet.Network) -> None:
    """PyYAML reads 1.5e6 (no dot) as text: it is still accepted as a number; null removes a
    cap."""
    capped = apply_scenario(net, {"economics": {"co2_cap_t": "1.5e6"}})
    assert capped.economics.co2_cap_t == 1.5e6
    uncapped = apply_scenario(capped, {"economics": {"co2_cap_t": None}})
    assert uncapped.economics.co2_cap_t is None
    with pytest.raises(InputError, match="not a number"):
        apply_scenario(net, {"economics": {"carbon_price_cny_per_t": "lots"}})


def test_extra_columns_can_be_overridden(net: heatnet.Network) -> None:
    jinan = heatnet.load_network(ROOT / "networks" / "jinan")
    new = apply_scenario(jinan, {"sources": {"COAL_LASHAN": {"name": "腊山 (reserve)"}}})
    assert new.sources.loc["COAL_LASHAN", "name"] == "腊山 (reserve)"
    with pytest.raises(InputError, match=r"unknown column of sources\.csv"):
        apply_scenario(net, {"sources": {"CHP": {"name": "not a column here"}}})
    with pytest.raises(InputError, match="the id cannot be changed"):
        apply_scenario(net, {"sources": {"CHP": {"id": "X"}}})


def test_jinan_examples_are_valid() -> None:
    net = heatnet.load_network(ROOT / "networks" / "jinan")
    sset, problems = read_scenarios(ROOT / "scenarios" / "jinan_examples.yaml", net)
    assert sset is not None, [str(p) for p in problems]
    assert not problems  # no warnings either
    assert {
        "base",
        "carbon_192",
        "late_south_line",
        "keep_lashan_reserve",
        "demand_growth_10pct",
        "co2_cap_1200kt",
    } <= set(sset.scenarios)
    late = apply_scenario(net, sset["late_south_line"])
    assert late.pipes.loc["E_S1", "status"] == "unavailable"
    assert sset["carbon_192"].economics == {"carbon_price_cny_per_t": 192.0}
    assert dataclasses.asdict(net.economics)["carbon_price_cny_per_t"] == 96


def test_cli_sweep_rejects_a_bad_scenario_file_before_solving(tmp_path: Path) -> None:
    folder = retire_net(tmp_path / "net")
    f = tmp_path / "bad.yaml"
    f.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["sweep", str(folder), str(f), "--out", str(tmp_path / "results")]
    )
    assert result.exit_code == 1
    assert "bad.yaml:7, id 'carbon', field 'economics.co2_cap'" in result.output
    assert "Did you mean 'co2_cap_t'?" in result.output
    assert not (tmp_path / "results").exists()


def test_every_scenario_key_is_documented() -> None:
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for key in SCENARIO_KEYS:
        assert f"| `{key}`" in docs or f", `{key}`" in docs, key


def test_a_pathway_scenario_with_deadlines(net: heatnet.Network, tmp_path: Path) -> None:
    """The pathway block and the pathway columns in one scenario, beside other keys: the
    scenario's block on a network without one, a deadline on the retirable coal plant and an
    availability year on the candidate pipe."""
    text = (
        "scenarios:\n"
        "  base: {}\n"
        "  path:\n"
        "    economics: {discount_rate: 0.05}\n"
        "    pathway:\n"
        "      years: [2025, 2026, 2027]\n"
        "      carbon_price_cny_per_t: {2025: 0, 2027: 100}\n"
        "      co2_peak_year: 2026\n"
        "    sources: {COAL: {retire_by: 2027}}\n"
        "    pipes: {PW: {earliest_year: 2026}}\n"
    )
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    sset = load_scenarios(tmp_path / "s.yaml", net)
    assert apply_scenario(net, sset["base"]).pathway is None
    new = apply_scenario(net, sset["path"])
    assert new.pathway == Pathway(
        years=(2025, 2026, 2027),
        carbon_price_cny_per_t=((2025, 0.0), (2027, 100.0)),
        co2_peak_year=2026,
    )
    assert new.pathway.carbon_price_in(2026, new.economics) == 50
    assert new.economics.discount_rate == 0.05
    assert new.sources.loc["COAL", "retire_by"] == 2027
    assert new.pipes.loc["PW", "earliest_year"] == 2026
    assert net.pathway is None
    assert net.sources["retire_by"].isna().all()
