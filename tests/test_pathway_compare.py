"""``heatnet compare`` and ``--diff`` on pathway runs (issue 13, spec v1.1 §4).

The run folders are made by hand with :func:`write_pathway_run`, exactly as the pathway output
contract has them (a leading ``year`` column in every table, ``timeline.csv``, the summary's
``pathway`` block), on the retirement network of tests/scenario_nets.py: COAL retirable, PW a
candidate pipe. A season with COAL kept costs 8,500 CNY and emits 70 t; with COAL retired it
costs 11,600 CNY and emits nothing (the one-season optima of that network).

The last tests compare real pathway solves of the same network (``real_runs``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.compare import (
    NEVER,
    compare_table,
    decision_columns,
    diff_plans,
    find_plan,
    format_compare,
    format_diff,
    last_season,
    load_plans,
    plan_decision,
)
from heatnet.errors import InputError
from heatnet.io import write_network
from heatnet.network import Pathway
from heatnet.scenarios import load_scenarios
from heatnet.storage import INDEX_COLUMNS, read_run
from heatnet.sweep import run_sweep
from heatnet.workbook import export_workbook
from tests.scenario_nets import retire_net

YEARS = (2025, 2026, 2027, 2028)
RATE = 0.05
KEPT = {"fixed_cny": 500.0, "capex_pipes_cny": 1_000.0, "variable_cny": 7_000.0}
RETIRED = {"retirement_cny": 100.0, "capex_pipes_cny": 1_000.0, "variable_cny": 10_500.0}
E_NOTATION = r"\d(\.\d+)?e[+-]\d"


def _season(year: int, retire_year: int | None, build_year: int | None) -> dict[str, object]:
    """One ``per_year`` entry of the summary's pathway block."""
    kept = retire_year is None or year < retire_year
    breakdown = dict(KEPT if kept else RETIRED)
    if build_year is None or year < build_year:
        breakdown["capex_pipes_cny"] = 0.0
    total = sum(breakdown.values())
    factor = (1 + RATE) ** -(year - YEARS[0])
    return {
        "year": year,
        "discount_factor": factor,
        "demand_scale": 1.0,
        "carbon_price_cny_per_t": 0.0,
        "co2_cap_t": None,
        "objective_cny": total,
        "discounted_cny": total * factor,
        "co2_t": 70.0 if kept else 0.0,
        "unserved_mwh": 0.0,
        "heat_demand_mwh": 100.0,
        "retired": [] if kept else ["COAL"],
        "built": [] if build_year is None or year < build_year else ["PW"],
        "retired_this_year": ["COAL"] if year == retire_year else [],
        "built_this_year": ["PW"] if year == build_year else [],
        "cost_breakdown_cny": {**breakdown, "total_cny": total},
    }


def _tables(
    years: Sequence[int], retire_year: int | None, build_year: int | None
) -> dict[str, pd.DataFrame]:
    """sources, pipes, periods and timeline as a pathway run writes them."""
    sources, pipes, periods = [], [], []
    for y in years:
        kept = retire_year is None or y < retire_year
        built = build_year is not None and y >= build_year
        for ident, name, tech, status, decision, co2 in (
            ("CHP", "CHP plant", "chp", "existing", "existing", 0.0),
            ("COAL", "Coal", "coal_boiler", "retirable", "kept" if kept else "retired", 70.0),
            ("WASTE", "Waste heat", "waste_heat", "existing", "existing", 0.0),
        ):
            row = {"id": ident, "year": y, "name": name, "technology": tech, "status": status}
            row.update(decision=decision, co2_t=co2 if decision == "kept" else 0.0)
            sources.append(row)
        pipes.append({"id": "P", "year": y, "status": "existing", "decision": "existing"})
        pw = "built" if built else "not_built"
        pipes.append({"id": "PW", "year": y, "status": "candidate", "decision": pw})
        periods.append({"year": y, "t": 0, "period": "p0", "weight_h": 10.0, "demand_mw": 10.0})
    timeline = pd.DataFrame(
        [
            {"id": "COAL", "kind": "retire", "year": retire_year, "element": "source"},
            {"id": "PW", "kind": "build", "year": build_year, "element": "pipe"},
        ]
    )
    timeline["name"] = ["Coal", ""]
    timeline["technology"] = ["coal_boiler", ""]
    timeline["earliest_year"] = [None, None]
    timeline["retire_by"] = [None, None]
    timeline["year"] = timeline["year"].astype("Int64")
    return {
        "sources": pd.DataFrame(sources).set_index("id"),
        "pipes": pd.DataFrame(pipes).set_index("id"),
        "periods": pd.DataFrame(periods),
        "timeline": timeline,
    }


def write_pathway_run(
    folder: Path,
    *,
    retire_year: int | None,
    build_year: int | None = 2025,
    years: Sequence[int] = YEARS,
) -> Path:
    """A pathway run folder by the output contract: COAL retires in ``retire_year`` and PW is
    built in ``build_year`` (None: never)."""
    folder.mkdir(parents=True)
    seasons = [_season(y, retire_year, build_year) for y in years]
    npv = sum(s["discounted_cny"] for s in seasons)  # type: ignore[misc]
    last = seasons[-1]
    summary = {
        "name": folder.name,
        "network": "test",
        "status": "optimal",
        "optimal": True,
        "objective_cny": npv,
        "mip_gap": 0.0,
        "co2_t": sum(s["co2_t"] for s in seasons),  # type: ignore[misc]
        "retired": last["retired"],
        "built_pipes": last["built"],
        "pathway": {
            "years": list(years),
            "discount_rate": RATE,
            "co2_peak_year": None,
            "npv_cny": npv,
            "per_year": seasons,
        },
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    for key, df in _tables(years, retire_year, build_year).items():
        df.to_csv(folder / f"{key}.csv", index=key in ("sources", "pipes"))
    write_network(
        heatnet.load_network(retire_net(folder.parent / f".{folder.name}_net")), folder / "inputs"
    )
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pathway_compare")
    out = {
        "early": write_pathway_run(root / "early", retire_year=2027),
        "late": write_pathway_run(root / "late", retire_year=2028),
        "never": write_pathway_run(root / "never", retire_year=None, build_year=2026),
    }
    out["season"] = heatnet.solve(retire_net(root / "net1")).write(root, "season")
    return out


def test_the_fixture_follows_the_contract(runs: dict[str, Path]) -> None:
    run = read_run(runs["early"])
    assert list(run.tables["sources"].columns[:1]) == ["year"]
    assert run.tables["sources"].index.name == "id"
    assert run.tables["timeline"]["year"].isna().sum() == 0
    assert read_run(runs["never"]).tables["timeline"]["year"].isna().sum() == 1


def test_diff_shows_the_coal_point_that_retires_a_year_later(runs: dict[str, Path]) -> None:
    plans = load_plans([runs["early"], runs["late"]])
    d = diff_plans(plans[0], plans[1])
    assert d.pathway is not None
    assert d.pathway.timing.to_dict("records") == [
        {
            "table": "sources",
            "id": "COAL",
            "name": "Coal",
            "kind": "retire",
            "year_a": 2027,
            "year_b": 2028,
        }
    ]
    # the last season: both retired, so no decision differs there
    assert d.decisions.empty
    assert d.inputs.empty


def test_diff_has_the_co2_and_cost_path_side_by_side(runs: dict[str, Path]) -> None:
    plans = load_plans([runs["early"], runs["late"]])
    d = diff_plans(plans[0], plans[1])
    assert d.pathway is not None
    s = d.pathway.seasons
    assert list(s.index) == list(YEARS)
    assert list(s["co2_a_t"]) == [70, 70, 0, 0]
    assert list(s["co2_b_t"]) == [70, 70, 70, 0]
    assert list(s["co2_delta_t"]) == [0, 0, 70, 0]
    # 2027: COAL kept in B (8,500) instead of retired (11,600): 3,100 CNY less, discounted ×δ
    assert list(s["objective_delta_cny"]) == pytest.approx([0, 0, -3_100, 0])
    delta_2027 = -3_100 * 1.05**-2
    assert list(s["discounted_delta_cny"]) == pytest.approx([0, 0, delta_2027, 0])
    kpi = d.kpis.set_index("kpi")
    assert kpi.loc["npv_cny", "delta"] == pytest.approx(delta_2027)
    assert kpi.loc["co2_t", "a"] == pytest.approx(140)
    assert kpi.loc["co2_t", "delta"] == pytest.approx(70)
    assert kpi.loc["peak_co2_year", "a"] == 2025
    # the cost items' present values add up to the NPV
    items = kpi[kpi.index.str.startswith("npv.")]
    assert items["a"].sum() == pytest.approx(kpi.loc["npv_cny", "a"])
    assert kpi.loc["npv.retirement_cny", "delta"] == pytest.approx(-100 * 1.05**-2)


def test_never_is_spelt_out(runs: dict[str, Path]) -> None:
    plans = load_plans([runs["early"], runs["never"]])
    d = diff_plans(plans[0], plans[1])
    assert d.pathway is not None
    timing = d.pathway.timing.set_index("id")
    assert timing.loc["COAL", "year_b"] == NEVER
    assert (timing.loc["PW", "year_a"], timing.loc["PW", "year_b"]) == (2025, 2026)
    # the last season differs too: COAL retired in A, kept in B
    assert d.decisions.to_dict("records") == [
        {"table": "sources", "id": "COAL", "a": "retired", "b": "kept"}
    ]
    text = format_diff(d)
    assert re.search(r"^  COAL +Coal +retire +2027 +never$", text, re.M), text
    assert re.search(r"^  PW +- +build +2025 +2026$", text, re.M), text
    assert "decisions in the last season (2028) that changed (1):" in text


def test_diff_text_reads_in_a_terminal(runs: dict[str, Path]) -> None:
    plans = load_plans([runs["early"], runs["late"]])
    text = format_diff(diff_plans(plans[0], plans[1]))
    lines = text.splitlines()
    assert lines[0] == "from early (A) to late (B), pathway runs:"
    assert lines[1] == "seasons: 2025–2028; discount rate 5.0 %"
    # 37,137 CNY → 34,325 CNY: COAL kept a season longer saves 3,100 CNY in 2027, × 1.05^-2
    assert lines[2] == "NPV: 0.0371 M CNY → 0.0343 M CNY (-0.00281 M CNY)"
    assert "closed or built in a different season (1):" in lines
    assert re.search(r"^  id +name +kind +A +B$", text, re.M), text
    assert re.search(r"^  COAL +Coal +retire +2027 +2028$", text, re.M), text
    assert "CO2 per season [t]:" in lines
    assert re.search(r"^  season +A +B +B − A$", text, re.M)
    assert re.search(r"^  2027 +0 +70 +\+70$", text, re.M), text
    assert re.search(r"^  2026 +70 +70 +0$", text, re.M), text
    assert "cost per season [M CNY], as paid and discounted to 2025:" in lines
    assert re.search(r"^  2027 +0\.0116 +0\.0085 +-0\.0031 ", text, re.M), text
    assert "  co2_t: 140 t → 210 t (+70 t)" in lines
    assert "  peak_co2_t" not in text  # both peak at 70 t in 2025
    assert re.search(E_NOTATION, text) is None
    assert max(len(line) for line in lines) <= 100


def test_cli_diff_writes_the_tidy_csv(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "d.csv"
    r = CliRunner().invoke(
        cli, ["compare", "--diff", str(runs["early"]), str(runs["late"]), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "COAL" in r.output
    assert "CO2 per season" in r.output
    tidy = pd.read_csv(out, keep_default_na=False)
    assert list(tidy.columns) == ["section", "table", "id", "field", "a", "b", "delta"]
    assert list(dict.fromkeys(tidy["section"])) == ["kpi", "timeline", "year"]
    timeline = tidy[tidy["section"] == "timeline"]
    assert timeline[["table", "id", "field", "a", "b", "delta"]].to_dict("records") == [
        {"table": "sources", "id": "COAL", "field": "retire_year", "a": 2027, "b": 2028, "delta": 1}
    ]
    years = tidy[tidy["section"] == "year"]
    co2 = years[years["field"] == "co2_t"]
    assert list(co2["id"].astype(int)) == list(YEARS)
    assert list(co2["delta"].astype(float)) == [0, 0, 70, 0]
    assert set(years["field"]) == {"co2_t", "objective_cny", "discounted_cny"}


def test_compare_table_of_pathway_runs(runs: dict[str, Path]) -> None:
    table = compare_table(load_plans([runs["early"], runs["late"], runs["never"]]))
    table = table.set_index("scenario")
    assert list(table.columns[:9]) == [
        "status",
        "npv_cny",
        "co2_t",
        "peak_co2_t",
        "peak_co2_year",
        "unserved_mwh",
        "mip_gap",
        "first_year",
        "last_year",
    ]
    assert table["COAL"].to_dict() == {
        "early": "retired 2027",
        "late": "retired 2028",
        "never": "kept",
    }
    assert table["PW"].to_dict() == {
        "early": "built 2025",
        "late": "built 2025",
        "never": "built 2026",
    }
    assert table["co2_t"].to_dict() == {"early": 140, "late": 210, "never": 280}
    assert set(table["peak_co2_t"]) == {70}
    assert set(table["peak_co2_year"]) == {2025}
    assert table.loc["late", "npv_cny"] == pytest.approx(
        json.loads((runs["late"] / "summary.json").read_text())["pathway"]["npv_cny"]
    )
    text = format_compare(table.reset_index())
    assert "NPV [M CNY]" in text
    assert "CO2, all seasons [t]" in text
    assert "peak in" in text
    assert "2025–2028" in text
    assert re.search(r"^COAL +retired 2027 +retired 2028 +kept$", text, re.M), text
    assert "first change" in text


def test_a_pathway_run_and_a_one_season_run_are_not_compared(
    runs: dict[str, Path],
) -> None:
    plans = load_plans([runs["early"], runs["season"]])
    with pytest.raises(InputError, match="a pathway run and a one-season run cannot be compared"):
        compare_table(plans)
    with pytest.raises(InputError, match=r"pathway: early; one season: season"):
        diff_plans(plans[0], plans[1])
    r = CliRunner().invoke(cli, ["compare", str(runs["early"]), str(runs["season"])])
    assert r.exit_code == 1
    assert "cannot compare" in r.output
    assert "NPV of all its seasons" in r.output
    assert "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["compare", "--diff", str(runs["season"]), str(runs["late"])])
    assert r.exit_code == 1
    assert "a pathway run and a one-season run cannot be compared" in r.output


def test_decisions_read_the_last_season(runs: dict[str, Path]) -> None:
    """Code that reads one row per id (the decision matrix) reads a pathway's last season."""
    run = read_run(runs["never"])
    sources = run.tables["sources"]
    assert sources.index.duplicated().any()
    plan = ("test", sources, run.tables["pipes"])
    assert plan_decision(plan, "sources", "COAL", {}) == "kept"
    assert plan_decision(plan, "pipes", "PW", {}) == "built"
    last = last_season(sources)
    assert last is not None
    assert not last.index.duplicated().any()
    assert "year" not in last
    early = find_plan(load_plans([runs["early"]]), "early")
    assert early.years == list(YEARS)
    assert early.sources.loc["COAL", "decision"] == "retired"


def _pathway_study(root: Path, runs: dict[str, Path]) -> Path:
    folder = root / "study"
    folder.mkdir()
    rows = []
    for label in ("early", "late"):
        row = dict.fromkeys(INDEX_COLUMNS, "")
        row.update(scenario=label, folder=str(runs[label]), status="optimal")
        rows.append(row)
    row = dict.fromkeys(INDEX_COLUMNS, "")
    row.update(scenario="broken", status="failed", error="worker process died")
    rows.append(row)
    pd.DataFrame(rows, columns=list(INDEX_COLUMNS)).to_csv(folder / "index.csv", index=False)
    return folder


def test_a_study_of_pathway_scenarios(runs: dict[str, Path], tmp_path: Path) -> None:
    study = _pathway_study(tmp_path, runs)
    table = compare_table(load_plans([study])).set_index("scenario")
    assert table.loc["broken", "status"] == "failed"
    assert table.loc["broken", "COAL"] == ""
    assert decision_columns(table.reset_index()) == ["COAL", "PW"]
    r = CliRunner().invoke(cli, ["compare", str(study), "--diff", "early", "late"])
    assert r.exit_code == 0, r.output
    assert (study / "diff_early_late.csv").is_file()
    wb = openpyxl.load_workbook(export_workbook(study, tmp_path / "s.xlsx"))
    rows = list(wb["decisions"].iter_rows(values_only=True))
    assert rows[1] == ("COAL", "retired 2027", "retired 2028", None)  # broken: no plan
    kpis = [c.value for c in wb["kpis"][1]]
    assert "npv_cny" in kpis
    assert "peak_co2_year" in kpis


def test_a_pathway_run_exports_to_excel(runs: dict[str, Path], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(export_workbook(runs["early"], tmp_path / "r.xlsx"))
    assert {"summary", "sources", "pipes", "periods", "timeline", "seasons"} <= set(wb.sheetnames)
    header = [c.value for c in wb["sources"][1]]
    assert header[:2] == ["id", "year"]
    assert wb["sources"].max_row == 1 + 3 * len(YEARS)
    timeline = [r for r in wb["timeline"].iter_rows(values_only=True)]
    assert timeline[0][:3] == ("id", "kind", "year")
    assert timeline[1][:3] == ("COAL", "retire", 2027)
    seasons = list(wb["seasons"].iter_rows(values_only=True))
    assert seasons[0][0] == "year"
    assert [r[0] for r in seasons[1:]] == list(YEARS)
    summary = list(wb["summary"].iter_rows(values_only=True))
    cells = {r[0]: r for r in summary if r and isinstance(r[0], str)}
    assert cells["objective_cny"][2] == "CNY, NPV over the seasons"
    assert cells["co2_t"][2] == "tCO2, all seasons"
    decided = [r for r in summary if r and r[0] in ("source", "pipe")]
    assert [(r[1], r[3]) for r in decided] == [("COAL", "retired"), ("PW", "built")]
    assert any(r and str(r[0]).startswith("Decisions in the last season (2028)") for r in summary)


# --------------------------------------------------------------------------------------------
# real pathway solves


def _solve_pathway(root: Path, name: str, prices: tuple[tuple[int, float], ...]) -> Path:
    net = heatnet.load_network(retire_net(root / f"{name}_net"))
    net = net.replace(pathway=Pathway(years=YEARS, carbon_price_cny_per_t=prices))
    return heatnet.solve(net).write(root, name)


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two pathway solves of the retirement network, 2025–2028, discount rate 0.

    Keeping COAL costs 500 + 1,000 + 70 × (100 + c) a season at carbon price c (coal is
    dearer than the CHP at 150 CNY/MWh from c = 50), retiring it 11,600: keeping pays while
    c < 44.3 CNY/t, and a retired point cannot come back, so COAL goes in the first season
    with c ≥ 44.3. ``fast``: c rises from 0 in 2025 to 50 in 2027 (25 in 2026), COAL retires in
    2027; ``slow``: to 50 in 2028 (16.7, 33.3 before), COAL retires in 2028."""
    root = tmp_path_factory.mktemp("pathway_solves")
    return {
        "fast": _solve_pathway(root, "fast", ((2025, 0.0), (2027, 50.0))),
        "slow": _solve_pathway(root, "slow", ((2025, 0.0), (2028, 50.0))),
    }


def test_real_pathway_runs_diff(real_runs: dict[str, Path]) -> None:
    fast, slow = load_plans([real_runs["fast"], real_runs["slow"]])
    d = diff_plans(fast, slow)
    assert d.pathway is not None
    timing = d.pathway.timing
    assert timing[["table", "id", "kind", "year_a", "year_b"]].to_dict("records") == [
        {"table": "sources", "id": "COAL", "kind": "retire", "year_a": 2027, "year_b": 2028}
    ]
    s = d.pathway.seasons
    assert list(s["co2_a_t"]) == pytest.approx([70, 70, 0, 0])
    assert list(s["co2_delta_t"]) == pytest.approx([0, 0, 70, 0])
    # 2027: fast pays 11,600 with COAL retired, slow keeps it at c = 33.3: 1,500 + 70 × 133.3
    # 2026 differs in price but not in plan: fast 1,500 + 70 × 125, slow 1,500 + 70 × 116.7
    kept_2027 = 1_500 + 70 * (100 + 100 / 3)
    deltas = [0, 70 * (100 / 6 - 25), kept_2027 - 11_600, 0]
    assert list(s["objective_delta_cny"]) == pytest.approx(deltas)
    assert list(s["discounted_delta_cny"]) == pytest.approx(deltas)  # discount rate 0
    kpi = d.kpis.set_index("kpi")
    assert kpi.loc["npv_cny", "delta"] == pytest.approx(sum(deltas))
    assert kpi.loc["co2_t", "a"] == pytest.approx(140)
    assert kpi.loc["co2_t", "b"] == pytest.approx(210)
    inputs = {r["field"]: (r["a"], r["b"]) for r in d.inputs.to_dict("records")}
    assert inputs == {"carbon_price_cny_per_t": ("2025: 0, 2027: 50", "2025: 0, 2028: 50")}
    text = format_diff(d)
    assert re.search(r"^  COAL +- +retire +2027 +2028$", text, re.M), text
    assert re.search(r"^  2027 +0 +70 +\+70$", text, re.M), text
    assert "pathway carbon_price_cny_per_t: 2025: 0, 2027: 50 → 2025: 0, 2028: 50" in text


def test_real_pathway_runs_compare_and_export(
    real_runs: dict[str, Path], runs: dict[str, Path], tmp_path: Path
) -> None:
    table = compare_table(load_plans([real_runs["fast"], real_runs["slow"]]))
    table = table.set_index("scenario")
    assert table["COAL"].to_dict() == {"fast": "retired 2027", "slow": "retired 2028"}
    assert table["PW"].to_dict() == {"fast": "built 2025", "slow": "built 2025"}
    assert table["co2_t"].to_dict() == pytest.approx({"fast": 140, "slow": 210})
    assert set(table["peak_co2_year"]) == {2025}
    r = CliRunner().invoke(
        cli,
        [
            "compare",
            str(real_runs["fast"]),
            str(real_runs["slow"]),
            "--out",
            str(tmp_path / "c.csv"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert re.search(r"^COAL +retired 2027 +retired 2028$", r.output, re.M), r.output
    r = CliRunner().invoke(cli, ["compare", str(real_runs["fast"]), str(runs["season"])])
    assert r.exit_code == 1
    assert "a pathway run and a one-season run cannot be compared" in r.output
    wb = openpyxl.load_workbook(export_workbook(real_runs["fast"], tmp_path / "fast.xlsx"))
    assert {"timeline", "seasons", "dispatch", "prices"} <= set(wb.sheetnames)
    for sheet in ("sources", "pipes", "dispatch", "flows", "nodes", "prices", "periods"):
        assert "year" in [c.value for c in wb[sheet][1]], sheet
    timeline = list(wb["timeline"].iter_rows(values_only=True))
    assert ("COAL", "retire", 2027) in [row[:3] for row in timeline]


PATHWAY_SCENARIOS = """\
scenarios:
  fast:
    pathway: {carbon_price_cny_per_t: {2025: 0, 2027: 50}}
  slow:
    pathway: {carbon_price_cny_per_t: {2025: 0, 2028: 50}}
  one_season:
    pathway: null
"""


def test_a_real_study_of_pathway_scenarios(tmp_path: Path) -> None:
    """A sweep of pathway scenarios compares as pathways; the scenario without the block is
    a one-season run, and a table with it is refused with the message."""
    net = heatnet.load_network(retire_net(tmp_path / "net"))
    net = net.replace(pathway=Pathway(years=YEARS))
    f = tmp_path / "plans.yaml"
    f.write_text(PATHWAY_SCENARIOS, encoding="utf-8")
    study = run_sweep(net, load_scenarios(f, net), tmp_path / "results", jobs=1).folder
    plans = {p.label: p for p in load_plans([study])}
    table = compare_table([plans["fast"], plans["slow"]]).set_index("scenario")
    assert table["COAL"].to_dict() == {"fast": "retired 2027", "slow": "retired 2028"}
    r = CliRunner().invoke(cli, ["compare", str(study), "--diff", "fast", "slow"])
    assert r.exit_code == 0, r.output
    assert re.search(r"^  COAL +- +retire +2027 +2028$", r.output, re.M), r.output
    r = CliRunner().invoke(cli, ["compare", str(study)])
    assert r.exit_code == 1
    assert "pathway: fast, slow; one season: one_season" in r.output


def test_years_in_the_input_diff_have_no_thousands_separator() -> None:
    from heatnet.compare import _fmt_any

    assert _fmt_any(2024.0, "retire_by") == "2024"
    assert _fmt_any(2026, "earliest_year") == "2026"
    assert _fmt_any(8760.0, "capacity_mw") == "8,760"
