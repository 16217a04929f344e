"""Network folders ⇄ Excel workbooks (heatnet.excel, ``heatnet convert``): the workbook is
re-read with openpyxl and checked cell by cell; bad workbooks give the folder loader's messages
with sheet and Excel row; round trips give the same network and the same optimum."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import heatnet
from heatnet import schema
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.excel import (
    SHEETS,
    SheetProblem,
    network_to_workbook,
    read_workbook,
    workbook_to_network,
)
from heatnet.io import load_network, read_network, read_text
from heatnet.storage import input_hash
from tests.helpers import two_node

JINAN = Path(__file__).resolve().parents[1] / "networks" / "jinan"


def _chinese_net(folder: Path, contingencies: object = ("P1",)) -> Path:
    """two_node with Chinese names, note columns and a security block."""
    return two_node(
        folder,
        nodes=[{"id": "A", "name": "信源电厂"}, {"id": "B", "name": "济南 城区"}],
        sources=[
            {
                "id": "S1",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
                "note_x": "007",
                "area_wan_m2": 7950,
            }
        ],
        security={
            "served_share": 0.5,
            "contingencies": list(contingencies)
            if isinstance(contingencies, tuple)
            else contingencies,
        },
        economics={"carbon_price_cny_per_t": 96, "co2_cap_t": None},
    )


def _rows(path: Path) -> list[list[str]]:
    text = read_text(path, path.name, []) or ""
    return [r for r in csv.reader(io.StringIO(text, newline="")) if r]


def _same_cell(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=0)
    except ValueError:
        return False


def test_workbook_cells_comments_dropdowns(tmp_path: Path) -> None:
    folder = _chinese_net(tmp_path / "net")
    book, _ = network_to_workbook(folder, tmp_path / "net.xlsx")
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == list(SHEETS)
    # every table sheet: the CSV's header and cells, numbers as number cells
    for sheet, file in (
        ("nodes", "nodes.csv"),
        ("sources", "sources.csv"),
        ("pipes", "pipes.csv"),
        ("demands", "demands.csv"),
        ("profiles", "profiles.csv"),
    ):
        ws = wb[sheet]
        rows = _rows(folder / file)
        for i, record in enumerate(rows, start=1):
            for j, text in enumerate(record, start=1):
                value = ws.cell(i, j).value
                if text == "":
                    assert value is None
                elif isinstance(value, int | float):
                    assert float(text) == value, (sheet, i, j)
                else:
                    assert value == text, (sheet, i, j)
        assert ws.freeze_panes in ("A2", "B2")
    src = wb["sources"]
    header = [c.value for c in src[1]]
    assert header[:5] == ["id", "node", "technology", "capacity_mw", "status"]
    cap = src.cell(1, 4)
    assert cap.comment is not None
    assert "Unit: MW" in cap.comment.text
    assert schema.SOURCES.column("capacity_mw").meaning.rstrip(".") in cap.comment.text
    assert isinstance(src.cell(2, 4).value, int)
    assert src.cell(2, 4).value == 100
    # Chinese names and a note that looks like a number survive as text
    nodes = wb["nodes"]
    assert nodes.cell(2, 2).value == "信源电厂"
    assert nodes.cell(3, 2).value == "济南 城区"
    note_col = header.index("note_x") + 1
    assert src.cell(2, note_col).value == "007"
    assert "note column" in src.cell(1, note_col).comment.text
    assert src.cell(2, header.index("area_wan_m2") + 1).value == 7950
    # drop-down lists on status and technology (and bidirectional where present)
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in src.data_validations.dataValidation}
    assert lists["C2"] == '"' + ",".join(schema.TECHNOLOGIES) + '"'
    assert lists["E2"] == '"' + ",".join(schema.SOURCE_STATUSES) + '"'
    pipe_lists = {
        str(dv.sqref).split(":")[0]: dv.formula1
        for dv in wb["pipes"].data_validations.dataValidation
    }
    assert pipe_lists["F2"] == '"' + ",".join(schema.PIPE_STATUSES) + '"'
    for dv in src.data_validations.dataValidation:
        assert dv.type == "list"
        assert dv.showErrorMessage
    # the network sheet: key / value rows, flattened with dots, lists as JSON
    net_rows = {r[0]: r[1:] for r in wb["network"].iter_rows(min_row=2, values_only=True)}
    assert net_rows["name"][0] == "test"
    assert net_rows["profiles"][0] == "profiles.csv"
    assert net_rows["economics.carbon_price_cny_per_t"][:2] == (96, "CNY/tCO2")
    assert net_rows["economics.co2_cap_t"][0] is None
    assert net_rows["security.served_share"][0] == 0.5
    assert net_rows["security.contingencies"][0] == '["P1"]'
    assert [c.value for c in wb["network"][1]] == ["key", "value", "unit", "meaning"]


@pytest.mark.parametrize("contingencies", [("P1",), "auto"])
def test_round_trip_cell_by_cell(tmp_path: Path, contingencies: object) -> None:
    folder = _chinese_net(tmp_path / "net", contingencies)
    book, _ = network_to_workbook(folder, tmp_path / "net.xlsx")
    back, _ = workbook_to_network(book, tmp_path / "back")
    for file in ("nodes.csv", "sources.csv", "pipes.csv", "demands.csv", "profiles.csv"):
        a, b = _rows(folder / file), _rows(back / file)
        assert len(a) == len(b), file
        for ra, rb in zip(a, b, strict=True):
            rb = rb + [""] * (len(ra) - len(rb))  # trailing empty cells are left out
            assert len(ra) == len(rb)
            assert all(_same_cell(x, y) for x, y in zip(ra, rb, strict=True)), (file, ra, rb)
    na, _ = read_network(folder)
    nb, _ = read_network(back)
    assert na is not None
    assert nb is not None
    assert input_hash(na) == input_hash(nb)
    assert nb.nodes.loc["A", "name"] == "信源电厂"
    assert nb.security is not None
    assert nb.security.contingencies == na.security.contingencies
    a, b = heatnet.solve(folder).summary, heatnet.solve(back).summary
    assert b["status"] == a["status"]
    if contingencies == "auto":  # losing the only pipe leaves nothing: infeasible with P1
        assert b["status"] == "optimal"
        assert b["objective_cny"] == pytest.approx(a["objective_cny"], rel=1e-12)


@pytest.mark.slow
def test_jinan_round_trip_same_optimum(tmp_path: Path) -> None:
    book, _ = network_to_workbook(JINAN, tmp_path / "jinan.xlsx")
    back, _ = workbook_to_network(book, tmp_path / "jinan")
    a, _ = read_network(JINAN)
    b, _ = read_network(back)
    assert a is not None
    assert b is not None
    assert input_hash(a) == input_hash(b)  # the same problem, cell for cell
    for table in ("nodes", "sources", "pipes", "demands"):
        assert getattr(a, table).equals(getattr(b, table)), table
    run = heatnet.solve(back)
    assert run.is_optimal
    original = heatnet.solve(JINAN)
    assert run.summary["objective_cny"] == pytest.approx(original.summary["objective_cny"])
    assert sorted(run.summary.get("retired", [])) == sorted(original.summary.get("retired", []))


def _book(tmp_path: Path) -> Path:
    book, _ = network_to_workbook(_chinese_net(tmp_path / "net"), tmp_path / "net.xlsx")
    return book


def _add_sources(ws: openpyxl.worksheet.worksheet.Worksheet, n: int) -> None:
    """Rows 3 … n of sources: copies of row 2 with new ids."""
    for r in range(3, n + 1):
        for j in range(1, ws.max_column + 1):
            ws.cell(r, j, ws.cell(2, j).value)
        ws.cell(r, 1, f"S{r}")


def test_bad_status_names_sheet_and_row(tmp_path: Path) -> None:
    book = _book(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["sources"]
    _add_sources(ws, 8)
    ws.cell(7, 5, "retireable")
    wb.save(book)
    net, problems = read_workbook(book)
    assert net is None
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1
    p = errors[0]
    assert isinstance(p, SheetProblem)
    assert (p.sheet, p.row, p.column, p.id) == ("sources", 7, "status", "S7")
    assert p.message == "unknown status"
    assert "retirable" in (p.hint or "")
    assert str(p).startswith("net.xlsx, sheet 'sources', row 7, id 'S7', field 'status'")
    with pytest.raises(InputError) as exc:
        workbook_to_network(book, tmp_path / "out")
    assert "sheet 'sources', row 7" in str(exc.value)
    assert not (tmp_path / "out").exists()
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".out")]


def test_misspelt_column_names_sheet_and_header_row(tmp_path: Path) -> None:
    book = _book(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["sources"]
    col = [c.value for c in ws[1]].index("variable_cost_cny_per_mwh") + 1
    ws.cell(1, col, "varible_cost_cny_per_mwh")
    wb.save(book)
    _, problems = read_workbook(book)
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1
    p = errors[0]
    assert isinstance(p, SheetProblem)
    assert (p.sheet, p.row, p.column, p.message) == (
        "sources",
        1,
        "varible_cost_cny_per_mwh",
        "unknown column",
    )
    assert "Did you mean 'variable_cost_cny_per_mwh'?" in (p.hint or "")


def test_rows_after_blank_rows_keep_their_excel_row(tmp_path: Path) -> None:
    book = _book(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["demands"]
    ws.cell(5, 1, "D2")
    ws.cell(5, 2, "B")
    ws.cell(5, 3, "lots")
    ws.cell(5, 4, "heat")
    wb.save(book)
    _, problems = read_workbook(book)
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.sheet, p.row, p.column, p.found) == ("demands", 5, "design_load_mw", "'lots'")


def test_network_sheet_problems_name_the_key_row(tmp_path: Path) -> None:
    book = _book(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["network"]
    keys = [c.value for c in ws["A"]]
    r = keys.index("economics.carbon_price_cny_per_t") + 1
    ws.cell(r, 2, -5)
    r2 = keys.index("security.contingencies") + 1
    ws.cell(r2, 2, '["P1", "NOPE"]')
    ws.cell(ws.max_row + 1, 1, "economics.discont_rate")
    ws.cell(ws.max_row, 2, 0.05)
    wb.save(book)
    _, problems = read_workbook(book)
    errors = {(p.column, p.row) for p in problems if p.severity == "error"}
    assert ("economics.carbon_price_cny_per_t", r) in errors
    assert ("economics.discont_rate", ws.max_row) in errors
    assert any(c and c.startswith("security.contingencies") and row == r2 for c, row in errors)
    for p in problems:
        assert isinstance(p, SheetProblem)
        assert p.sheet == "network"


PATHWAY_YAML = (
    "name: path\nprofiles: profiles.csv\n"
    "pathway:\n"
    "  years: [2025, 2026, 2027]\n"
    "  demand_scale: {2025: 1.0, 2027: 1.1}\n"
    "  carbon_price_cny_per_t: 120\n"
    "  co2_cap_t: {2026: 1.5e6, 2027: 1.4e6}\n"  # 1.5e6: a number to heatnet, text to PyYAML
    "  co2_peak_year: 2026\n"
)


def _pathway_net(folder: Path) -> Path:
    """two_node with a pathway block written by hand and the pathway columns."""
    coal = {"node": "A", "technology": "coal_boiler", "capacity_mw": 50, "status": "retirable"}
    two_node(
        folder,
        sources=[
            {
                "id": "S1",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 100,
                "status": "existing",
            },
            {"id": "C1", **coal, "retire_by": 2027},
            {"id": "N", **coal, "status": "candidate", "earliest_year": 2026},
        ],
        pipes=[
            {
                "id": "P1",
                "from_node": "A",
                "to_node": "B",
                "length_km": 10,
                "capacity_mw": 80,
                "status": "candidate",
                "earliest_year": 2027,
            }
        ],
    )
    (folder / "network.yaml").write_text(PATHWAY_YAML, "utf-8")
    return folder


def test_pathway_round_trip(tmp_path: Path) -> None:
    folder = _pathway_net(tmp_path / "net")
    book, _ = network_to_workbook(folder, tmp_path / "net.xlsx")
    wb = openpyxl.load_workbook(book)
    rows = {r[0]: r[1:] for r in wb["network"].iter_rows(min_row=2, values_only=True)}
    assert rows["pathway.years"][0] == "[2025, 2026, 2027]"
    assert rows["pathway.demand_scale.2027"][:2] == (1.1, "-")
    assert rows["pathway.co2_cap_t.2026"][:2] == (1.5e6, "tCO2/season")  # a number cell
    assert rows["pathway.carbon_price_cny_per_t"][0] == 120
    assert rows["pathway.co2_peak_year"][0] == 2026
    assert rows["pathway.co2_cap_t.2026"][2].startswith("cap on each season's emissions")
    header = [c.value for c in wb["sources"][1]]
    retire_by = header.index("retire_by") + 1
    assert wb["sources"].cell(3, retire_by).value == 2027
    assert "Unit: year" in wb["sources"].cell(1, retire_by).comment.text
    back, _ = workbook_to_network(book, tmp_path / "back")
    a, b = load_network(folder), load_network(back)
    assert a.pathway is not None
    assert b.pathway == a.pathway
    for table in ("nodes", "sources", "pipes", "demands", "profiles"):
        assert getattr(a, table).equals(getattr(b, table)), table
    assert input_hash(a) == input_hash(b)


def test_pathway_problems_name_the_key_row(tmp_path: Path) -> None:
    book, _ = network_to_workbook(_pathway_net(tmp_path / "net"), tmp_path / "net.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["network"]
    keys = [c.value for c in ws["A"]]
    r = keys.index("pathway.co2_peak_year") + 1
    ws.cell(r, 2, 2031)
    r2 = keys.index("pathway.demand_scale.2027") + 1
    ws.cell(r2, 1, "pathway.demand_scale.2028")
    wb.save(book)
    _, problems = read_workbook(book)
    errors = {(p.column, p.row, p.message) for p in problems if p.severity == "error"}
    assert errors == {
        ("pathway.co2_peak_year", r, "peak year outside the years"),
        ("pathway.demand_scale", r2, "unknown year"),
    }


def test_missing_sheet_and_formula_and_not_a_workbook(tmp_path: Path) -> None:
    book = _book(tmp_path)
    wb = openpyxl.load_workbook(book)
    del wb["pipes"]
    wb["sources"].cell(2, 4, "=50*2")  # a formula never computed (not saved by Excel)
    wb.save(book)
    _, problems = read_workbook(book)
    msgs = {(p.sheet, p.message) for p in problems if p.severity == "error"}
    assert ("pipes", "sheet not found") in msgs
    assert ("sources", "a formula without a computed value") in msgs
    bad = tmp_path / "bad.xlsx"
    bad.write_text("id,node\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be read as an Excel workbook"):
        workbook_to_network(bad, tmp_path / "x")


def test_existing_target_needs_force_and_nothing_is_half_written(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "net")
    book = tmp_path / "net.xlsx"
    book.write_bytes(b"old")
    with pytest.raises(InputError, match="exists already"):
        network_to_workbook(folder, book)
    assert book.read_bytes() == b"old"
    network_to_workbook(folder, book, force=True)
    assert openpyxl.load_workbook(book).sheetnames == list(SHEETS)
    target = tmp_path / "folder"
    target.mkdir()
    (target / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="exists already"):
        workbook_to_network(book, target)
    assert (target / "keep.txt").exists()
    workbook_to_network(book, target, force=True)
    assert not (target / "keep.txt").exists()
    assert (target / "network.yaml").is_file()
    leftovers = [f.name for f in tmp_path.iterdir() if f.name.startswith(".")]
    assert leftovers == []


def test_invalid_folder_is_not_converted(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "net")
    text = (folder / "sources.csv").read_text(encoding="utf-8").replace("existing", "exisitng")
    (folder / "sources.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"sources\.csv:2"):
        network_to_workbook(folder, tmp_path / "net.xlsx")
    assert not (tmp_path / "net.xlsx").exists()


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "net", nodes=[{"id": "A", "name": "=1+1"}, {"id": "B"}])
    book, _ = network_to_workbook(folder, tmp_path / "net.xlsx")
    cell = openpyxl.load_workbook(book)["nodes"].cell(2, 2)
    assert cell.value == "=1+1"
    assert cell.data_type == "s"
    back, _ = workbook_to_network(book, tmp_path / "back")
    nb, _ = read_network(back)
    assert nb is not None
    assert nb.nodes.loc["A", "name"] == "=1+1"


def test_cli_convert_both_ways(tmp_path: Path) -> None:
    folder = _chinese_net(tmp_path / "net")
    runner = CliRunner()
    book = tmp_path / "net.xlsx"
    r = runner.invoke(cli, ["convert", str(folder), str(book)])
    assert r.exit_code == 0, r.output
    assert book.is_file()
    r = runner.invoke(cli, ["convert", str(folder), str(book)])
    assert r.exit_code == 1
    assert "--force" in r.output
    r = runner.invoke(cli, ["convert", str(book), str(tmp_path / "back")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "back" / "profiles.csv").is_file()
    r = runner.invoke(cli, ["convert", str(folder), str(tmp_path / "other")])
    assert r.exit_code == 2
    assert ".xlsx" in r.output
