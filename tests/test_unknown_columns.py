"""Unknown columns in network CSVs: misspelt or unit-carrying names are errors, notes are kept.

A misspelt header used to be accepted silently, so the column it was meant to be took its
default (zero cost, zero CO2) and the optimiser solved the wrong network.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet import schema
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.io import read_network, resolve_network_path
from tests.helpers import two_node, write_csv

NOTES_LINE = "extra columns kept as notes: "


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def copy_jinan(tmp_path: Path) -> Path:
    """A copy of the embedded network whose network.yaml points at the original profiles."""
    original = resolve_network_path(None)
    folder = tmp_path / "jinan"
    shutil.copytree(original, folder)
    yaml_path = folder / "network.yaml"
    text = yaml_path.read_text("utf-8")
    match = re.search(r"^profiles:\s*(\S+)\s*$", text, flags=re.MULTILINE)
    assert match, "network.yaml has a profiles: line"
    profiles = (original / match.group(1)).resolve()
    text = text[: match.start()] + f"profiles: {json.dumps(str(profiles))}" + text[match.end() :]
    yaml_path.write_text(text, "utf-8")
    return folder


def rename_columns(path: Path, renames: dict[str, str]) -> None:
    """Rename header cells of a CSV (the data rows are left as they are)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    for old in renames:
        assert old in rows[0], f"{path.name} has no column {old!r}"
    rows[0] = [renames.get(h, h) for h in rows[0]]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("  - ")]


def source(**extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "S1",
        "node": "A",
        "technology": "chp",
        "capacity_mw": 100,
        "status": "existing",
        "variable_cost_cny_per_mwh": 50,
    }
    return row | extra


def pipe(**extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "P1",
        "from_node": "A",
        "to_node": "B",
        "length_km": 10,
        "capacity_mw": 80,
        "status": "existing",
    }
    return row | extra


def with_extra(folder: Path, file: str, column: str, value: object = "1") -> Path:
    """The two-node network with one extra column in ``file``."""
    if file == "nodes.csv":  # two_node writes nodes.csv with a fixed header: write it here
        folder = two_node(folder)
        write_csv(folder / file, [{"id": "A", "name": "Plant", column: value}, {"id": "B"}])
        return folder
    rows = {
        "sources.csv": {"sources": [source(**{column: value})]},
        "pipes.csv": {"pipes": [pipe(**{column: value})]},
        "demands.csv": {
            "demands": [
                {"id": "D1", "node": "B", "design_load_mw": 60, "profile": "heat", column: value}
            ]
        },
    }
    return two_node(folder, **rows[file])


# --------------------------------------------------------------------------------------------
# the reported case


def test_misspelt_cost_and_co2_headers_stop_validate_and_solve(tmp_path: Path) -> None:
    """``varible_cost_cny_per_mwh`` and ``co2_per_mwh`` in Jinan's sources.csv: both named,
    each with a did-you-mean to the right column; nothing is solved with zero cost and CO2."""
    folder = copy_jinan(tmp_path)
    rename_columns(
        folder / "sources.csv",
        {"variable_cost_cny_per_mwh": "varible_cost_cny_per_mwh", "co2_t_per_mwh": "co2_per_mwh"},
    )
    result = run_cli("validate", str(folder))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert "2 problems found" in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 2, result.stderr
    for found, expected in (
        ("varible_cost_cny_per_mwh", "variable_cost_cny_per_mwh"),
        ("co2_per_mwh", "co2_t_per_mwh"),
    ):
        line = next(x for x in lines if f"field {found!r}" in x)
        assert line.startswith(f"  - sources.csv:1, field {found!r}: unknown column"), line
        assert f"expected a column named {expected!r}, found {found!r}" in line
        assert f"Did you mean {expected!r}?" in line

    with pytest.raises(InputError) as info:
        heatnet.solve(folder)
    assert sorted(p.column for p in info.value.errors) == [
        "co2_per_mwh",
        "varible_cost_cny_per_mwh",
    ]
    assert all(p.file == "sources.csv" and p.line == 1 for p in info.value.errors)


def test_misspelt_optional_column_in_a_small_network(tmp_path: Path) -> None:
    folder = with_extra(tmp_path / "net", "pipes.csv", "pumping_cost_cny_per_mw", "5")
    net, problems = read_network(folder)
    assert net is None
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.file, p.line, p.column) == ("pipes.csv", 1, "pumping_cost_cny_per_mw")
    assert p.expected == "a column named 'pumping_cost_cny_per_mwh'"
    assert p.found == "'pumping_cost_cny_per_mw'"
    assert p.hint == (
        "Did you mean 'pumping_cost_cny_per_mwh'? "
        "Until it is renamed, every row takes pumping_cost_cny_per_mwh = 0 (the default)"
    )


@pytest.mark.parametrize(
    ("file", "column", "meant"),
    [
        ("nodes.csv", "lng", "lon"),
        ("nodes.csv", "Lat", "lat"),
        ("sources.csv", "availabilty", "availability"),
        ("pipes.csv", "bidirectinal", "bidirectional"),
    ],
)
def test_misspelt_column_without_a_unit_is_an_error(
    tmp_path: Path, file: str, column: str, meant: str
) -> None:
    folder = with_extra(tmp_path / "net", file, column)
    net, problems = read_network(folder)
    assert net is None
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.file, p.column, p.expected) == (file, column, f"a column named {meant!r}")


# --------------------------------------------------------------------------------------------
# unit suffixes


@pytest.mark.parametrize(
    ("file", "column"),
    [
        ("sources.csv", "subsidy_cny"),
        ("sources.csv", "fuel_cost_cny"),
        ("sources.csv", "Fuel_Cost_CNY"),
        ("sources.csv", "emissions_t"),
        ("sources.csv", "commissioning_year"),
        ("sources.csv", "fuel_price_per_gj"),
        ("sources.csv", "heat_mwh_2024"),
        ("pipes.csv", "heat_loss_mwh"),
        ("pipes.csv", "age_years"),
        ("demands.csv", "peak_mw"),
        ("nodes.csv", "elevation_km"),
    ],
)
def test_column_with_a_unit_is_an_error(tmp_path: Path, file: str, column: str) -> None:
    folder = with_extra(tmp_path / "net", file, column)
    result = run_cli("validate", str(folder))
    assert result.exit_code == 1, result.output
    (line,) = problem_lines(result.stderr)
    assert line.startswith(f"  - {file}:1, field {column!r}: unknown column"), line
    assert f"found {column!r}" in line


def test_unit_column_close_to_nothing_points_to_the_format(tmp_path: Path) -> None:
    column = "subsidy_cny"
    assert not difflib.get_close_matches(column, schema.SOURCES.names, cutoff=0.6)
    folder = with_extra(tmp_path / "net", "sources.csv", column)
    net, problems = read_network(folder)
    assert net is None
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.file, p.line, p.column, p.found) == ("sources.csv", 1, column, repr(column))
    assert p.expected == "a known column of sources.csv; see heatnet format-doc"
    assert p.hint is not None
    assert "Did you mean" not in p.hint
    assert "if it is only a note, name it note_subsidy_cny or without a unit" in p.hint


@pytest.mark.parametrize(
    "column",
    [
        "note",
        "owner",
        "备注",
        "supply_temp",  # _t only as a whole token
        "district_mwater",  # _mw only as a whole token
        "route_kmz",
        "t_supply",  # a unit token needs a word before it
        "share_percent",
        "per_unit_note",
        "area_wan_m2",
    ],
)
def test_plain_extra_columns_stay_notes(tmp_path: Path, column: str) -> None:
    folder = with_extra(tmp_path / "net", "sources.csv", column, "x")
    net, problems = read_network(folder)
    assert net is not None, problems
    assert net.sources.loc["S1", column] == "x"


def test_all_unknown_columns_are_reported_at_once(tmp_path: Path) -> None:
    folder = two_node(
        tmp_path / "net",
        sources=[source(varible_cost_cny_per_mwh=1, fuel_cost_cny=2, note="x")],
        pipes=[pipe(heat_loss_mwh=1)],
        demands=[{"id": "D1", "node": "B", "design_load_mw": 60, "profile": "heat", "peak_mw": 1}],
    )
    result = run_cli("validate", str(folder))
    assert result.exit_code == 1
    fields = sorted(re.findall(r"field '([^']+)'", result.stderr))
    assert fields == ["fuel_cost_cny", "heat_loss_mwh", "peak_mw", "varible_cost_cny_per_mwh"]


def test_misspelt_required_column_is_reported_once(tmp_path: Path) -> None:
    """A required column under another name is a missing column (with a rename hint); the
    name it has is not reported a second time as unknown."""
    row = source()
    row["capacity_mwh"] = row.pop("capacity_mw")
    folder = two_node(tmp_path / "net", sources=[row])
    net, problems = read_network(folder)
    assert net is None
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.message, p.column) == ("missing column", "capacity_mw")
    assert p.hint == "rename column 'capacity_mwh' to 'capacity_mw'"


# --------------------------------------------------------------------------------------------
# notes in the summary


def test_note_columns_are_allowed_and_listed_once_in_the_summary(tmp_path: Path) -> None:
    folder = two_node(
        tmp_path / "net",
        nodes=[{"id": "A", "name": "Plant"}, {"id": "B", "name": "Town"}],
        sources=[source(owner="city", note="main plant")],
        pipes=[pipe(备注="老管线")],
    )
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count(NOTES_LINE) == 1, out
    (line,) = [x for x in out.splitlines() if NOTES_LINE in x]
    assert line == f"  {NOTES_LINE}sources.csv: owner, note; pipes.csv: 备注"
    assert out.count("owner") == 1
    assert result.stderr == ""


def test_no_notes_line_without_extra_columns(tmp_path: Path) -> None:
    result = run_cli("validate", str(two_node(tmp_path / "net")))
    assert result.exit_code == 0, result.output
    assert NOTES_LINE not in result.stdout


def test_embedded_network_is_valid_and_lists_its_notes(tmp_path: Path) -> None:
    result = run_cli("validate", str(copy_jinan(tmp_path)))
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.stdout.splitlines() if NOTES_LINE in x]
    listed = dict(part.split(": ") for part in line.split(NOTES_LINE)[1].split("; "))
    assert set(listed) == {"nodes.csv", "sources.csv", "pipes.csv", "demands.csv"}
    # documented notes of the Jinan data (networks/jinan/SOURCES.md §7), kept as notes
    assert "note_tunnel_km" in listed["pipes.csv"].split(", ")
    assert "note_design_loss_mw" in listed["pipes.csv"].split(", ")


# --------------------------------------------------------------------------------------------
# columns of another table, and profiles


@pytest.mark.parametrize(
    ("file", "column", "owners"),
    [
        ("sources.csv", "design_load_mw", "demands.csv"),
        ("sources.csv", "length_km", "pipes.csv"),
        ("demands.csv", "capacity_mw", "sources.csv, pipes.csv"),
        ("demands.csv", "variable_cost_cny_per_mwh", "sources.csv"),
        ("nodes.csv", "capex_cny", "sources.csv, pipes.csv"),
    ],
)
def test_data_column_of_another_table_is_an_error_naming_that_table(
    tmp_path: Path, file: str, column: str, owners: str
) -> None:
    folder = with_extra(tmp_path / "net", file, column, "5")
    net, problems = read_network(folder)
    assert net is None
    (p,) = [p for p in problems if p.severity == "error"]
    assert (p.file, p.column) == (file, column)
    assert p.hint is not None
    assert f"{column!r} is a column of {owners}, not of {file}" in p.hint


def test_descriptive_column_of_another_table_is_a_note(tmp_path: Path) -> None:
    """``name`` (a nodes.csv column) on sources, pipes and demands, as the Jinan data has it."""
    folder = two_node(
        tmp_path / "net",
        sources=[source(name="热电厂")],
        pipes=[pipe(name="一号线")],
        demands=[{"id": "D1", "node": "B", "design_load_mw": 60, "profile": "heat", "name": "城"}],
    )
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0, result.output
    assert f"  {NOTES_LINE}sources.csv: name; pipes.csv: name; demands.csv: name\n" in result.stdout


def test_profile_columns_are_named_by_the_user(tmp_path: Path) -> None:
    """Profile columns with unit-like or close-to-schema names are profiles, not errors."""
    folder = two_node(
        tmp_path / "net",
        demands=[{"id": "D1", "node": "B", "design_load_mw": 60, "profile": "heat_mw_per_mw"}],
        profiles=[
            {"period": "t1", "weight_h": 10, "heat_mw_per_mw": 1.0, "weight": 0.2, "co2_t": 1},
            {"period": "t2", "weight_h": 10, "heat_mw_per_mw": 0.5, "weight": 0.1, "co2_t": 1},
        ],
    )
    result = run_cli("validate", str(folder))
    assert result.exit_code == 0, result.output
    assert NOTES_LINE not in result.stdout


# --------------------------------------------------------------------------------------------
# the rule itself


@pytest.mark.parametrize(
    ("name", "has_unit"),
    [
        ("co2_t", True),
        ("co2_t_per_mwh", True),
        ("x_mw", True),
        ("x_mwh", True),
        ("x_cny", True),
        ("x_km", True),
        ("x_year", True),
        ("x_years", True),
        ("cost_cny_2024", True),
        ("a_per_b", True),
        ("X_MW", True),
        ("supply_temp", False),
        ("x_mwater", False),
        ("x_kmz", False),
        ("x_tonnes", False),
        ("t", False),
        ("mw", False),
        ("mw_total", False),
        ("per_unit", False),
        ("cost_per", False),
        ("note", False),
    ],
)
def test_unit_rule(name: str, has_unit: bool) -> None:
    assert schema.has_unit(name) is has_unit


def test_a_note_prefix_keeps_a_column_with_a_unit_as_a_note(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "net")
    path = folder / "sources.csv"
    df = pd.read_csv(path)
    df["note_fuel_cost_cny"] = 1.0
    df.to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"{NOTES_LINE}sources.csv: note_fuel_cost_cny" in result.stdout
