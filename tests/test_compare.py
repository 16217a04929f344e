"""compare and --diff on plans whose differences are known (tests/scenario_nets.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.compare import compare_table, diff_plans, find_plan, load_plans
from heatnet.errors import InputError
from heatnet.scenarios import load_scenarios
from heatnet.sweep import run_sweep
from tests.scenario_nets import crashing_worker, retire_net

SCENARIOS = """\
scenarios:
  base: {}
  carbon_100:
    economics: {carbon_price_cny_per_t: 100}
  keep_coal:
    economics: {carbon_price_cny_per_t: 100}
    sources: {COAL: {status: existing}}
  late_pw:
    economics: {carbon_price_cny_per_t: 100}
    pipes: {PW: {status: unavailable}}
  growth:
    demand_scale: 1.1
  boom: {}
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("compare")
    net = heatnet.load_network(retire_net(root / "net"))
    f = root / "plans.yaml"
    f.write_text(SCENARIOS, encoding="utf-8")
    result = run_sweep(
        net, load_scenarios(f, net), root / "results", jobs=2, worker=crashing_worker
    )
    return result.folder


def test_compare_table_has_the_known_decisions(study: Path) -> None:
    table = compare_table(load_plans([study])).set_index("scenario")
    assert list(table.index) == ["base", "carbon_100", "keep_coal", "late_pw", "growth", "boom"]
    assert list(table.columns[:6]) == [
        "status",
        "objective_cny",
        "co2_t",
        "waste_heat_share",
        "unserved_mwh",
        "mip_gap",
    ]
    assert table["COAL"].to_dict() == {
        "base": "kept",
        "carbon_100": "retired",
        "keep_coal": "forced_kept",
        "late_pw": "retired",
        "growth": "kept",
        "boom": "",
    }
    assert table["PW"].to_dict() == {
        "base": "built",
        "carbon_100": "built",
        "keep_coal": "built",
        "late_pw": "unavailable",
        "growth": "built",
        "boom": "",
    }
    assert "CHP" not in table.columns
    assert "P" not in table.columns
    assert table.loc["base", "objective_cny"] == pytest.approx(8_500)
    assert table.loc["late_pw", "objective_cny"] == pytest.approx(15_100)
    # growth: 110 MWh, waste heat still 30 MWh, coal 80 MWh: 1,000 + 8,000 + 500
    assert table.loc["growth", "objective_cny"] == pytest.approx(9_500)
    assert table.loc["base", "co2_t"] == pytest.approx(70)
    assert table.loc["base", "waste_heat_share"] == pytest.approx(0.3)
    assert table.loc["boom", "status"] == "failed"
    assert "worker process died" in table.loc["boom", "error"]


def test_diff_names_decisions_kpis_and_inputs(study: Path) -> None:
    plans = load_plans([study])
    d = diff_plans(find_plan(plans, "base"), find_plan(plans, "late_pw"))
    assert d.decisions.to_dict("records") == [
        {"table": "sources", "id": "COAL", "a": "kept", "b": "retired"},
        {"table": "pipes", "id": "PW", "a": "built", "b": "unavailable"},
    ]
    kpi = d.kpis.set_index("kpi")
    assert kpi.loc["objective_cny", "delta"] == pytest.approx(6_600)
    assert kpi.loc["co2_t", "delta"] == pytest.approx(-70)
    assert kpi.loc["cost.retirement_cny", "b"] == pytest.approx(100)
    inputs = {
        (r["table"], r["id"], r["field"]): (r["a"], r["b"]) for r in d.inputs.to_dict("records")
    }
    assert inputs == {
        ("economics", "", "carbon_price_cny_per_t"): (0.0, 100.0),
        ("pipes", "PW", "status"): ("candidate", "unavailable"),
    }
    g = diff_plans(find_plan(plans, "base"), find_plan(plans, "growth"))
    assert g.decisions.empty
    assert [(r["table"], r["id"], r["field"]) for r in g.inputs.to_dict("records")] == [
        ("demands", "D", "design_load_mw")
    ]
    assert g.inputs.iloc[0]["b"] == pytest.approx(11)
    same = diff_plans(find_plan(plans, "carbon_100"), find_plan(plans, "carbon_100"))
    assert same.decisions.empty
    assert same.inputs.empty
    assert (same.kpis["delta"].fillna(0) == 0).all()


def test_runs_and_studies_mix_and_labels_stay_unique(study: Path, tmp_path: Path) -> None:
    plans = load_plans([study, study / "base"])
    labels = [p.label for p in plans]
    assert len(set(labels)) == len(labels)
    assert labels[0] == f"{study.name}/base"
    assert labels[-1] == str(study / "base")
    with pytest.raises(InputError, match="not a run folder or a study folder"):
        load_plans([tmp_path])
    with pytest.raises(InputError, match="Did you mean 'late_pw'"):
        find_plan(load_plans([study]), "late_p")


def test_cli_compare_and_diff_write_csv(study: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cmp.csv"
    result = runner.invoke(cli, ["compare", str(study), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "forced_kept" in result.output
    assert "cost [M CNY]" in result.output
    assert "0.0085" in result.output  # 8,500 CNY/yr (issue 14: costs in M CNY)
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table["scenario"]) == [
        "base",
        "carbon_100",
        "keep_coal",
        "late_pw",
        "growth",
        "boom",
    ]
    assert {"COAL", "PW", "objective_cny", "co2_t", "waste_heat_share", "unserved_mwh"} <= set(
        table.columns
    )
    result = runner.invoke(cli, ["compare", str(study), "--diff", "base", "keep_coal"])
    assert result.exit_code == 0, result.output
    assert "COAL (source): kept → forced_kept" in result.output
    assert "sources COAL status: retirable → existing" in result.output
    assert "economics carbon_price_cny_per_t: 0 → 100" in result.output
    tidy = pd.read_csv(study / "diff_base_keep_coal.csv", keep_default_na=False)
    assert list(tidy.columns) == ["section", "table", "id", "field", "a", "b", "delta"]
    assert set(tidy["section"]) == {"kpi", "decision", "input"}
    # two run folders given directly
    result = runner.invoke(
        cli,
        [
            "compare",
            "--diff",
            str(study / "base"),
            str(study / "growth"),
            "--out",
            str(tmp_path / "d.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "demands D design_load_mw: 10 → 11" in result.output


E_NOTATION = r"\d(\.\d+)?e[+-]\d"


def test_format_diff_speaks_m_cny_and_percent() -> None:
    """Issue 14 (9): no e-notation and no bare fractions in the diff text."""
    import re

    from heatnet.compare import PlanDiff, format_diff

    kpis = pd.DataFrame(
        [
            {"kpi": "objective_cny", "a": 4.19104e9, "b": 4.37827e9, "delta": 1.87231e8},
            {"kpi": "waste_heat_share", "a": 0.419, "b": 0.45, "delta": 0.031},
            {"kpi": "co2_t", "a": 1_200_000.0, "b": 900_000.0, "delta": -300_000.0},
            {"kpi": "unserved_mwh", "a": 0.0, "b": 0.0, "delta": 0.0},
            {"kpi": "cost.coal_cny", "a": None, "b": 2.5e8, "delta": None},
        ]
    )
    empty = pd.DataFrame(columns=["table", "id", "field", "a", "b"])
    text = format_diff(PlanDiff("a", "b", kpis, empty.drop(columns="field"), empty))
    assert re.search(E_NOTATION, text) is None, text
    assert (
        "  objective_cny: 4,191.0 M CNY (41.91 亿) → 4,378.3 M CNY (43.78 亿) (+187.2 M CNY)"
        in text
    )
    assert "  waste_heat_share: 41.9 % → 45.0 % (+3.1 pp)" in text
    assert "  co2_t: 1.200 Mt → 0.900 Mt (-0.300 Mt)" in text
    assert "  cost.coal_cny: n/a → 250.0 M CNY (2.50 亿)" in text
    assert "unserved_mwh" not in text  # did not change
    assert "KPIs that changed (4):" in text


def test_cli_diff_and_table_use_the_formatter(study: Path) -> None:
    import re

    runner = CliRunner()
    result = runner.invoke(cli, ["compare", str(study), "--diff", "base", "carbon_100"])
    assert result.exit_code == 0, result.output
    assert re.search(E_NOTATION, result.output) is None, result.output
    assert "objective_cny: 0.0085 M CNY → " in result.output
    assert " M CNY (+" in result.output
    assert re.search(r"coal_share: [\d.]+ % → [\d.]+ % \([+-][\d.]+ pp\)", result.output)
    table = runner.invoke(cli, ["compare", str(study)])
    assert "cost [M CNY]" in table.output
    assert "waste heat [%]" in table.output
    assert "0.0085" in table.output
