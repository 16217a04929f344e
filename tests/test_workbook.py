"""Runs and studies as Excel workbooks (heatnet.workbook, ``heatnet export --format xlsx``),
re-read with openpyxl and checked cell by cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.compare import compare_table, decision_columns, load_plans
from heatnet.errors import InputError
from heatnet.scenarios import load_scenarios
from heatnet.storage import read_run
from heatnet.sweep import run_sweep
from heatnet.workbook import EXPORT_FILE, export_workbook, number_format
from tests.scenario_nets import retire_net

SCENARIOS = """\
scenarios:
  base: {}
  carbon_100:
    economics: {carbon_price_cny_per_t: 100}
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xlsx_run")
    return heatnet.solve(retire_net(root / "net")).write(root / "results")


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xlsx_study")
    net = heatnet.load_network(retire_net(root / "net"))
    f = root / "plans.yaml"
    f.write_text(SCENARIOS, encoding="utf-8")
    return run_sweep(net, load_scenarios(f, net), root / "results", jobs=1).folder


def test_number_formats_by_unit() -> None:
    assert number_format("total_cost_cny") == "#,##0"
    assert number_format("fixed_cost_cny_per_year") == "#,##0"
    assert number_format("heat_mwh") == "#,##0.0"
    assert number_format("peak_output_mw") == "#,##0.0"
    assert number_format("waste_heat_share") == "0.0%"
    assert number_format("utilisation") == "0.0%"
    assert number_format("mip_gap") == "0.00%"
    assert number_format("co2_t") == "#,##0"
    assert number_format("price_cny_per_mwh") == "#,##0.00"
    assert number_format("co2_t_per_mwh") == "0.000"
    assert number_format("weight_h") == "#,##0.##"
    assert number_format("t") is None


def _table(ws: openpyxl.worksheet.worksheet.Worksheet) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_run_workbook_cell_by_cell(run_dir: Path) -> None:
    out = export_workbook(run_dir)
    assert out == run_dir / EXPORT_FILE
    run = read_run(run_dir)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "summary"
    assert set(wb.sheetnames[1:]) == set(run.tables)
    # summary: KPIs with units and number formats, then the decisions
    cells = {r[0].value: r for r in wb["summary"].iter_rows() if isinstance(r[0].value, str)}
    obj = cells["objective_cny"]
    assert obj[1].value == pytest.approx(run.summary["objective_cny"])
    assert obj[1].number_format == "#,##0"
    assert obj[2].value == "CNY/year"
    share = cells["waste_heat_share"]
    assert share[1].value == pytest.approx(run.summary["waste_heat_share"])
    assert share[1].number_format == "0.0%"
    assert cells["co2_t"][2].value == "tCO2/season"
    assert cells["status"][1].value == run.summary["status"]
    decided = {
        (r[0].value, r[1].value): r[3].value
        for r in wb["summary"].iter_rows()
        if r[0].value in ("source", "pipe")
    }
    sources, pipes = run.tables["sources"], run.tables["pipes"]
    for ident, rec in sources.iterrows():
        if rec["decision"] not in ("existing", "unavailable"):
            assert decided[("source", ident)] == rec["decision"]
    for ident, rec in pipes.iterrows():
        if rec["decision"] not in ("existing", "unavailable"):
            assert decided[("pipe", ident)] == rec["decision"]
    # every result table: same cells, frozen header, filter, formats by unit
    for key, df in run.tables.items():
        ws = wb[key]
        df = df.reset_index() if key in ("sources", "pipes") else df
        got = _table(ws)
        assert list(got.columns) == list(df.columns)
        assert len(got) == len(df)
        for col in df.columns:
            for a, b in zip(df[col], got[col], strict=True):
                if pd.isna(a):
                    assert b is None, (key, col)
                elif isinstance(a, float | int) and not isinstance(a, bool):
                    assert b == pytest.approx(a), (key, col)
                else:
                    assert b == a, (key, col)
        assert ws.freeze_panes in ("A2", "B2")
        assert ws.auto_filter.ref.startswith("A1:")
        assert ws.auto_filter.ref.endswith(str(len(df) + 1))
        if len(df):
            for j, col in enumerate(df.columns, start=1):
                if pd.api.types.is_numeric_dtype(df[col]) and df[col].notna().iloc[0]:
                    assert ws.cell(2, j).number_format == (number_format(col) or "General")
    src = wb["sources"]
    header = [c.value for c in src[1]]
    assert src.cell(2, header.index("total_cost_cny") + 1).number_format == "#,##0"
    assert src.cell(2, header.index("heat_mwh") + 1).number_format == "#,##0.0"
    assert src.cell(2, header.index("capacity_factor") + 1).number_format == "0.0%"
    assert src.freeze_panes == "B2"


def test_study_workbook_has_the_compare_tables(study_dir: Path, tmp_path: Path) -> None:
    out = export_workbook(study_dir, tmp_path / "study.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["summary", "kpis", "decisions", "index"]
    table = compare_table(load_plans([study_dir]))
    dec = decision_columns(table)
    kpis = _table(wb["kpis"])
    assert list(kpis["scenario"]) == list(table["scenario"])
    assert list(kpis["objective_cny"]) == pytest.approx(list(table["objective_cny"]))
    assert wb["kpis"].cell(2, 3).number_format == "#,##0"
    assert wb["kpis"].cell(2, list(kpis.columns).index("waste_heat_share") + 1).number_format == (
        "0.0%"
    )
    decisions = _table(wb["decisions"]).set_index("item")
    assert list(decisions.index) == dec
    for _, row in table.iterrows():
        for item in dec:
            assert decisions.loc[item, row["scenario"]] == row[item]
    assert wb["decisions"].freeze_panes == "B2"
    summary = {r[0]: r[1] for r in wb["summary"].iter_rows(values_only=True) if r[0]}
    assert summary["plans"] == 2
    assert summary["solved"] == 2


def test_cli_export_and_bad_folder(run_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "run.xlsx"
    r = runner.invoke(cli, ["export", str(run_dir), "--format", "xlsx", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "summary"
    r = runner.invoke(cli, ["export", str(tmp_path)])
    assert r.exit_code == 1
    assert "not a run folder or a study folder" in r.output
    with pytest.raises(InputError, match=r"ending in \.xlsx"):
        export_workbook(run_dir, tmp_path / "x.csv")
