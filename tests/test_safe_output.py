"""Safe output (issue #7.6): run names cannot leave the results folder, result CSVs cannot run
as spreadsheet formulas, and YAML is read safely (no Python objects)."""

from __future__ import annotations

import csv
import io
import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import heatnet
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.io import neutralise_cell
from tests.helpers import two_node, write_network


def run(*args: str, cwd: Path | None = None) -> Result:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# --------------------------------------------------------------------------------------------
# run names


ESCAPING_NAMES = [
    "../x",
    "..",
    ".",
    "a/b",
    "a\\b",
    "../../etc",
    "x/../../y",
    "",
    " ",
    ".hidden",
    "-rf",
    "a\x00b",
    "a\nb",
    "con/..",
    "~",
    "~/x",
    "x" * 101,
]


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_run_names_that_could_escape_are_refused(tmp_path: Path, name: str) -> None:
    net = two_node(tmp_path / "work" / "net")
    before = tree(tmp_path)
    result = run("solve", str(net), "--out", "results", "--name", name, cwd=tmp_path / "work")
    assert result.exit_code == 1, result.output
    assert "invalid run name" in result.stderr
    assert "field '--name'" in result.stderr
    assert "expected" in result.stderr
    assert "found" in result.stderr
    assert "Traceback" not in result.output
    assert tree(tmp_path) == before, "nothing may be written anywhere"


def test_absolute_run_name_is_refused(tmp_path: Path) -> None:
    net = two_node(tmp_path / "net")
    target = Path("/tmp") / f"heatnet-escape-{uuid.uuid4().hex}"
    result = run("solve", str(net), "--out", str(tmp_path / "results"), "--name", str(target))
    assert result.exit_code == 1
    assert "invalid run name" in result.stderr
    assert not target.exists()
    assert not (tmp_path / "results").exists()


def test_python_api_refuses_escaping_names_too(tmp_path: Path) -> None:
    net = two_node(tmp_path / "net")
    with pytest.raises(InputError, match="invalid run name"):
        heatnet.solve(net, name="../x")
    run_ = heatnet.solve(net, name="ok")
    for bad in ("../x", "/tmp/x", "a/b", ".."):
        with pytest.raises(InputError, match="invalid run name"):
            run_.write(tmp_path / "results", name=bad)
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())


def test_plain_and_chinese_run_names_are_accepted(tmp_path: Path) -> None:
    net = two_node(tmp_path / "net")
    for name in ("base_2025", "济南-方案1", "v1.2"):
        result = run("solve", str(net), "--out", str(tmp_path / "results"), "--name", name)
        assert result.exit_code == 0, result.output
        assert (tmp_path / "results" / name / "summary.json").is_file()


# --------------------------------------------------------------------------------------------
# formula injection in result CSVs

PLANT = '=HYPERLINK("http://x")'
TOWN = "-cmd"
SOURCE = "+1"
PIPE = "@SUM(A1)"
PERIOD = "=1+1"
NOTE = "=cmd|' /C calc'!A0"  # DDE payload


def formula_network(folder: Path) -> Path:
    return write_network(
        folder,
        nodes=[{"id": PLANT, "name": "=evil()"}, {"id": TOWN, "name": "@town"}],
        sources=[
            {
                "id": SOURCE,
                "node": PLANT,
                "technology": "chp",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": -5,
                "note": NOTE,
                "elevation_m": "-12",
            },
        ],
        pipes=[
            {
                "id": PIPE,
                "from_node": PLANT,
                "to_node": TOWN,
                "length_km": 10,
                "capacity_mw": 80,
                "status": "existing",
            }
        ],
        demands=[{"id": "D1", "node": TOWN, "design_load_mw": 60, "profile": "heat"}],
        profiles=[
            {"period": PERIOD, "weight_h": 10, "heat": 1.0},
            {"period": "t2", "weight_h": 10, "heat": 0.5},
        ],
    )


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def formula_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formulas")
    net = formula_network(root / "net")
    result = run("solve", str(net), "--out", str(root / "results"), "--name", "r")
    assert result.exit_code == 0, result.output
    return root / "results" / "r"


def result_cells(folder: Path) -> dict[str, list[str]]:
    """Every cell of every result CSV of a run (not the copied inputs)."""
    return {
        p.name: [
            c for row in csv.reader(io.StringIO(p.read_text("utf-8"), newline="")) for c in row
        ]
        for p in folder.glob("*.csv")
    }


def test_no_result_cell_starts_like_a_formula(formula_run: Path) -> None:
    cells = result_cells(formula_run)
    assert {
        "sources.csv",
        "pipes.csv",
        "dispatch.csv",
        "flows.csv",
        "nodes.csv",
        "prices.csv",
        "periods.csv",
    } <= set(cells)
    for file, values in cells.items():
        for value in values:
            if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert value[:1] == "-", f"{file}: {value!r}"
                assert is_number(value), f"{file}: {value!r}"


@pytest.mark.parametrize(
    ("text", "files"),
    [
        (PLANT, ("sources.csv", "pipes.csv", "dispatch.csv", "flows.csv", "prices.csv")),
        (TOWN, ("pipes.csv", "flows.csv", "nodes.csv", "prices.csv")),
        (SOURCE, ("sources.csv", "dispatch.csv")),
        (PIPE, ("pipes.csv", "flows.csv")),
        (PERIOD, ("dispatch.csv", "flows.csv", "nodes.csv", "prices.csv", "periods.csv")),
        (NOTE, ("sources.csv",)),
    ],
    ids=["hyperlink-node", "minus-node", "plus-source", "at-pipe", "formula-period", "dde-note"],
)
def test_formula_text_is_kept_but_quoted(
    formula_run: Path, text: str, files: tuple[str, ...]
) -> None:
    cells = result_cells(formula_run)
    for file in files:
        assert "'" + text in cells[file], f"{text!r} not neutralised in {file}"
        assert text not in cells[file]


def test_negative_numbers_are_not_touched(formula_run: Path) -> None:
    cells = result_cells(formula_run)
    assert "-5.0" in cells["sources.csv"]  # variable_cost_cny_per_mwh
    assert "'-5.0" not in cells["sources.csv"]
    assert "-12" in cells["sources.csv"]  # a note column holding a number
    prices = cells["prices.csv"]
    assert any(is_number(v) and float(v) < 0 for v in prices), "negative prices expected"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-cmd", "'-cmd"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("-1", "-1"),
        ("-1.5e3", "-1.5e3"),
        ("-", "'-"),
        ("-1+cmd|x", "'-1+cmd|x"),
        ("ok", "ok"),
        ("", ""),
        (-5.0, -5.0),
        (None, None),
    ],
)
def test_neutralise_cell(value: object, expected: object) -> None:
    assert neutralise_cell(value) == expected


def test_inputs_copy_keeps_the_raw_ids_so_the_run_reads_back(formula_run: Path) -> None:
    """``inputs/`` is the network as solved (read back by read_run), not a report: its ids are
    stored unchanged."""
    stored = heatnet.read_run(formula_run)
    assert list(stored.network.sources.index) == [SOURCE]
    assert stored.tables["sources"].index.tolist() == ["'" + SOURCE]


# --------------------------------------------------------------------------------------------
# YAML is read safely


PYTHON_TAGS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/apply:subprocess.check_call [["touch", "{marker}"]]',
    "!!python/name:os.system",
    '!!python/object/new:os.system ["touch {marker}"]',
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_network_yaml_python_tags_are_errors_not_code(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "executed"
    net = two_node(tmp_path / "net")
    (net / "network.yaml").write_text(
        f"name: {tag.format(marker=marker)}\nprofiles: profiles.csv\n", encoding="utf-8"
    )
    result = run("solve", str(net), "--out", str(tmp_path / "results"))
    assert result.exit_code == 1
    assert "network.yaml:1" in result.stderr
    assert "not valid YAML" in result.stderr
    assert not marker.exists()
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_scenario_yaml_python_tags_are_errors_not_code(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "executed"
    net = two_node(tmp_path / "net")
    scen = tmp_path / "s.yaml"
    scen.write_text(
        f"scenarios:\n  a:\n    description: {tag.format(marker=marker)}\n", encoding="utf-8"
    )
    result = run("sweep", str(net), str(scen), "--out", str(tmp_path / "results"), "-j", "1")
    assert result.exit_code == 1
    assert "s.yaml:3" in result.stderr
    assert not marker.exists()
    assert not (tmp_path / "results").exists()
