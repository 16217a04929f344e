"""The ``pathway:`` block of network.yaml and the pathway columns ``earliest_year`` and
``retire_by`` (spec v1.1 §4) on the input side: reading, the per-year values as the model reads
them, checks (every problem at once, with file, line, field, expected and found), writing back,
scenario overrides, ``heatnet validate`` and the input hash. The model side is tested
elsewhere."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from heatnet.cli import cli
from heatnet.errors import InputError, Problem
from heatnet.io import load_network, read_network, write_network
from heatnet.network import Economics, Network, Pathway
from heatnet.scenarios import apply_scenario, read_scenarios, scenario_network
from heatnet.storage import input_hash
from tests.helpers import two_node
from tests.helpers import write_network as write_folder

# network.yaml of every network below: lines 1 to 3, then the pathway block from line 4
HEAD = "name: path\nprofiles: profiles.csv\neconomics: {carbon_price_cny_per_t: 50}\n"

YEARS = (2025, 2026, 2027, 2028, 2029, 2030)

FULL = (
    "pathway:\n"  # 4
    "  years: [2025, 2026, 2027, 2028, 2029, 2030]\n"  # 5
    "  demand_scale: {2025: 1.0, 2030: 1.15}\n"  # 6
    "  carbon_price_cny_per_t: {2025: 96, 2030: 200}\n"  # 7
    "  co2_cap_t: {2029: 1.5e6, 2030: 1.4e6}\n"  # 8
    "  co2_peak_year: 2028\n"  # 9
)


def source(ident: str, status: str, **more: object) -> dict:
    return {
        "id": ident,
        "node": "A",
        "technology": "coal_boiler" if status == "retirable" else "chp",
        "capacity_mw": 100,
        "status": status,
        "variable_cost_cny_per_mwh": 50,
        **more,
    }


def pipe(ident: str, status: str, **more: object) -> dict:
    return {
        "id": ident,
        "from_node": "A",
        "to_node": "B",
        "length_km": 10,
        "capacity_mw": 80,
        "status": status,
        **more,
    }


def network(
    folder: Path,
    pathway: str | None = None,
    *,
    sources: dict[str, dict[str, object]] | None = None,
    pipes: dict[str, dict[str, object]] | None = None,
) -> Path:
    """Nodes A, B; sources S1 (chp, existing, line 2), COAL (coal boiler, retirable, line 3),
    NEW (chp, candidate, line 4); pipes P1 (existing, line 2), P_NEW (candidate, line 3), both
    A→B; network.yaml = HEAD + ``pathway``. ``sources`` and ``pipes`` add cells by id."""
    extra_s = sources or {}
    extra_p = pipes or {}
    two_node(
        folder,
        sources=[
            source("S1", "existing", **extra_s.get("S1", {})),
            source("COAL", "retirable", **extra_s.get("COAL", {})),
            source("NEW", "candidate", capex_cny=1e8, **extra_s.get("NEW", {})),
        ],
        pipes=[
            pipe("P1", "existing", **extra_p.get("P1", {})),
            pipe("P_NEW", "candidate", capex_cny=1e8, **extra_p.get("P_NEW", {})),
        ],
    )
    (folder / "network.yaml").write_text(HEAD + (pathway or ""), encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[Problem]:
    net, problems = read_network(folder)
    assert net is None, "the network should not load"
    return problems


def at(problems: list[Problem], line: int, message: str) -> Problem:
    found = [p for p in problems if p.line == line and p.message == message]
    assert len(found) == 1, (line, message, [str(p) for p in problems])
    return found[0]


# --------------------------------------------------------------------------------------------
# reading


@pytest.mark.parametrize("block", [None, "pathway:\n", "pathway: none\n", "pathway: null\n"])
def test_no_block_is_one_season(block: str | None, tmp_path: Path) -> None:
    assert load_network(network(tmp_path / "n", block)).pathway is None


def test_every_key_is_read(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", FULL))
    assert net.pathway == Pathway(
        years=YEARS,
        demand_scale=((2025, 1.0), (2030, 1.15)),
        carbon_price_cny_per_t=((2025, 96.0), (2030, 200.0)),
        co2_cap_t=((2029, 1.5e6), (2030, 1.4e6)),
        co2_peak_year=2028,
    )
    path = net.pathway
    assert all(type(y) is int for y in path.years)
    assert type(path.co2_peak_year) is int
    for key in ("demand_scale", "carbon_price_cny_per_t", "co2_cap_t"):
        assert all(type(y) is int and type(v) is float for y, v in getattr(path, key)), key


def test_the_per_year_values_as_the_model_reads_them(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", FULL))
    path, econ = net.pathway, net.economics
    # linear between the years named, held flat outside them
    assert path.demand_scale_in(2025) == 1.0
    assert path.demand_scale_in(2027) == pytest.approx(1.0 + 0.15 * 2 / 5)
    assert path.demand_scale_in(2030) == pytest.approx(1.15)
    assert path.demand_scale_in(2024) == 1.0
    assert path.demand_scale_in(2031) == pytest.approx(1.15)
    assert path.carbon_price_in(2026, econ) == pytest.approx(96 + 104 / 5)
    assert path.carbon_price_in(2030, econ) == 200
    # the cap: none before the first year named, then interpolated, then held
    assert [path.co2_cap_in(y, econ) for y in YEARS] == [None, None, None, None, 1.5e6, 1.4e6]
    assert path.co2_cap_in(2031, econ) == 1.4e6
    assert path.discount_factor(2027, Economics(discount_rate=0.1)) == pytest.approx(1 / 1.21)


def test_plain_numbers_and_absent_keys(tmp_path: Path) -> None:
    block = "pathway:\n  years: [2026, 2028]\n  demand_scale: 1.1\n  co2_cap_t: 2.0e+6\n"
    net = load_network(network(tmp_path / "n", block))
    path, econ = net.pathway, net.economics
    assert path == Pathway(
        years=(2026, 2028),
        demand_scale=((2026, 1.1),),
        carbon_price_cny_per_t=None,
        co2_cap_t=((2026, 2e6),),
        co2_peak_year=None,
    )
    # a plain number: the same in every year; an absent key: economics in every year
    assert [path.demand_scale_in(y) for y in path.years] == [1.1, 1.1]
    assert [path.co2_cap_in(y, econ) for y in path.years] == [2e6, 2e6]
    assert [path.carbon_price_in(y, econ) for y in path.years] == [50.0, 50.0]
    only_years = load_network(network(tmp_path / "m", "pathway: {years: [2025]}\n")).pathway
    assert only_years == Pathway(years=(2025,))
    assert only_years.demand_scale_in(2025) == 1.0
    assert only_years.co2_cap_in(2025, econ) is None


def test_null_and_empty_values_are_the_defaults(tmp_path: Path) -> None:
    block = (
        "pathway:\n  years: [2025, 2026]\n  demand_scale:\n  carbon_price_cny_per_t: {}\n"
        "  co2_cap_t: null\n  co2_peak_year: null\n"
    )
    assert load_network(network(tmp_path / "n", block)).pathway == Pathway(years=(2025, 2026))


def test_years_as_text_keys_and_mappings_in_any_order(tmp_path: Path) -> None:
    """Mappings that went through JSON (the Excel and GIS round trips) have text keys."""
    block = (
        "pathway:\n  years: [2025, 2026, 2027]\n"
        "  carbon_price_cny_per_t: {'2027': 150, '2025': 100}\n"
        "  demand_scale: {2027: 1.2, 2025.0: 1}\n"
    )
    path = load_network(network(tmp_path / "n", block)).pathway
    assert path.carbon_price_cny_per_t == ((2025, 100.0), (2027, 150.0))
    assert path.demand_scale == ((2025, 1.0), (2027, 1.2))


def test_the_pathway_columns_are_float_columns_with_nan_for_blank(tmp_path: Path) -> None:
    folder = network(
        tmp_path / "n",
        FULL,
        sources={"NEW": {"earliest_year": 2027}, "COAL": {"retire_by": "2029"}},
        pipes={"P_NEW": {"earliest_year": "2028.0"}},
    )
    net = load_network(folder)
    for df, columns in (
        (net.sources, ("earliest_year", "retire_by")),
        (net.pipes, ("earliest_year",)),
    ):
        for column in columns:
            assert df[column].dtype == np.float64, column
    assert net.sources["earliest_year"].to_dict() == pytest.approx(
        {"S1": math.nan, "COAL": math.nan, "NEW": 2027.0}, nan_ok=True
    )
    assert net.sources.loc["COAL", "retire_by"] == 2029.0
    assert net.sources[["retire_by"]].drop(index="COAL").isna().all().all()
    assert net.pipes["earliest_year"].to_dict() == pytest.approx(
        {"P1": math.nan, "P_NEW": 2028.0}, nan_ok=True
    )
    assert "retire_by" not in net.pipes.columns
    # a file without the columns: present all the same, every value NaN
    plain = load_network(network(tmp_path / "m", FULL))
    assert plain.sources[["earliest_year", "retire_by"]].isna().all().all()
    assert plain.pipes["earliest_year"].isna().all()
    assert plain.sources["retire_by"].dtype == np.float64


# --------------------------------------------------------------------------------------------
# writing back


@pytest.mark.parametrize(
    "block",
    [
        FULL,
        "pathway:\n  years: [2026]\n",
        "pathway:\n  years: [2025, 2027]\n  demand_scale: 1.2\n  co2_cap_t: 0\n",
        "pathway:\n  years: [2025, 2026]\n  carbon_price_cny_per_t: {2026: 0}\n",
    ],
)
def test_round_trip(block: str, tmp_path: Path) -> None:
    folder = network(
        tmp_path / "n",
        block,
        sources={"NEW": {"earliest_year": 2026}, "COAL": {"retire_by": 2026}},
        pipes={"P_NEW": {"earliest_year": 2026}},
    )
    net = load_network(folder)
    write_network(net, tmp_path / "copy")
    again = load_network(tmp_path / "copy")
    assert again.pathway == net.pathway
    assert again.economics == net.economics
    for table in ("nodes", "sources", "pipes", "demands", "profiles"):
        assert getattr(again, table).equals(getattr(net, table)), table
    assert input_hash(again) == input_hash(net)


def test_a_block_set_in_memory_is_written(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n"))
    path = Pathway(
        years=(2025, 2026, 2027),
        demand_scale=((2025, 1.0), (2027, 1.1)),
        carbon_price_cny_per_t=((2026, 120.0),),
        co2_cap_t=((2027, 3e5),),
        co2_peak_year=2026,
    )
    write_network(dataclasses.replace(net, pathway=path), tmp_path / "copy")
    assert load_network(tmp_path / "copy").pathway == path
    doc = yaml.safe_load((tmp_path / "copy" / "network.yaml").read_text("utf-8"))
    assert doc["pathway"] == {
        "years": [2025, 2026, 2027],
        "demand_scale": {2025: 1.0, 2027: 1.1},
        "carbon_price_cny_per_t": {2026: 120.0},
        "co2_cap_t": {2027: 3e5},
        "co2_peak_year": 2026,
    }
    write_network(net, tmp_path / "plain")
    assert "pathway" not in (tmp_path / "plain" / "network.yaml").read_text("utf-8")


def test_helper_writes_the_block(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "n",
        nodes=[{"id": "A"}, {"id": "B"}],
        sources=[source("S1", "existing")],
        pipes=[pipe("P1", "existing")],
        demands=[{"id": "D1", "node": "B", "design_load_mw": 50, "profile": "heat"}],
        profiles=[{"period": "t1", "weight_h": 10, "heat": 1.0}],
        pathway={"years": [2025, 2026], "demand_scale": {2026: 1.1}, "co2_peak_year": 2025},
    )
    assert load_network(folder).pathway == Pathway(
        years=(2025, 2026), demand_scale=((2026, 1.1),), co2_peak_year=2025
    )


# --------------------------------------------------------------------------------------------
# bad values of the block: every problem at once, each placed


def test_every_bad_value_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        "pathway:\n"  # 4
        "  years:\n"  # 5
        "    - 2025\n"  # 6
        "    - 2027\n"  # 7
        "    - 2026\n"  # 8
        "    - 2027.5\n"  # 9
        "  demand_scale: {2025: 0, 2031: 1.1}\n"  # 10
        "  carbon_price_cny_per_t: {2025: -1, next: 5}\n"  # 11
        "  co2_cap_t: lots\n"  # 12
        "  co2_peak_year: 2024\n"  # 13
        "  co2_peek_year: 2028\n"  # 14
    )
    problems = problems_of(network(tmp_path / "n", text))
    assert all(p.file == "network.yaml" for p in problems)
    assert all(p.expected and p.found for p in problems)
    assert all(p.severity == "error" for p in problems)

    p = at(problems, 8, "years out of order")
    assert (p.column, p.expected, p.found) == (
        "pathway.years",
        "years strictly increasing, each once",
        "2026 after 2027 (item 3)",
    )
    p = at(problems, 9, "not a whole year")
    assert p.found == "2027.5 (item 4)"
    assert p.expected.startswith("a non-empty list of whole years, strictly increasing")
    p = at(problems, 10, "value out of range")
    assert (p.column, p.expected, p.found) == ("pathway.demand_scale", "a finite number > 0", "0")
    p = at(problems, 10, "unknown year")
    assert (p.column, p.found) == ("pathway.demand_scale", "2031")
    assert p.expected == "one of the years of pathway.years (2025, 2026, 2027)"
    p = at(problems, 11, "value out of range")
    assert (p.column, p.expected) == ("pathway.carbon_price_cny_per_t", "a finite number >= 0")
    p = at(problems, 11, "not a year")
    assert p.found == "'next'"
    p = at(problems, 12, "not a number")
    assert (p.column, p.found) == ("pathway.co2_cap_t", "'lots'")
    p = at(problems, 13, "peak year outside the years")
    assert (p.column, p.found) == ("pathway.co2_peak_year", "2024")
    assert p.expected == "one of the years of pathway.years (2025, 2026, 2027)"
    p = at(problems, 14, "unknown key")
    assert (p.column, p.hint) == ("pathway.co2_peek_year", "Did you mean 'co2_peak_year'?")
    assert "carbon_price_cny_per_t" in p.expected
    assert len(problems) == 9, [str(p) for p in problems]


@pytest.mark.parametrize(
    ("text", "line", "column", "message", "found", "hint"),
    [
        (
            "pathway: [2025, 2026]\n",
            4,
            "pathway",
            "pathway must be a mapping",
            "[2025, 2026]",
            None,
        ),
        (
            "pathwya:\n  years: [2025]\n",
            4,
            "pathwya",
            "unknown key",
            "'pathwya'",
            "Did you mean 'pathway'?",
        ),
        (
            "pathway:\n  demand_scale: 1.1\n",
            4,
            "pathway.years",
            "missing key",
            "no such key",
            None,
        ),
        (
            "pathway: {}\n",
            4,
            "pathway.years",
            "missing key",
            "no such key",
            None,
        ),
        ("pathway:\n  years:\n", 5, "pathway.years", "missing value", "nothing", None),
        ("pathway:\n  years: []\n", 5, "pathway.years", "no years", "an empty list", None),
        (
            "pathway:\n  years: 2025\n",
            5,
            "pathway.years",
            "not a list of years",
            "int 2025",
            "A list of one year is written [2025]",
        ),
        (
            "pathway:\n  years: [2025, 2026, 2026]\n",
            5,
            "pathway.years",
            "year named twice",
            "2026 again (item 3; first as item 2)",
            None,
        ),
        (
            "pathway:\n  years: [2025, '2026']\n",
            5,
            "pathway.years",
            "not a whole year",
            "'2026' (item 2)",
            None,
        ),
        (
            "pathway:\n  years: [2025, true]\n",
            5,
            "pathway.years",
            "not a whole year",
            "True (item 2)",
            None,
        ),
        (
            "pathway:\n  years: [2025]\n  co2_peak_year: 2025.5\n",
            6,
            "pathway.co2_peak_year",
            "not a whole year",
            "2025.5",
            None,
        ),
        (
            "pathway:\n  years: [2025]\n  demand_scale: [1.0, 1.1]\n",
            6,
            "pathway.demand_scale",
            "not a number or a mapping of year to value",
            "list [1.0, 1.1]",
            None,
        ),
        (
            "pathway:\n  years: [2025]\n  demand_scale: {2025: 1, '2025': 2}\n",
            6,
            "pathway.demand_scale",
            "year named twice",
            "'2025' again (first as 2025)",
            None,
        ),
        (
            "pathway:\n  years: [2025]\n  co2_cap_t:\n    2025:\n",
            7,
            "pathway.co2_cap_t",
            "missing value",
            "nothing",
            None,
        ),
        (
            "pathway:\n  years: [2025]\n  carbon_price_cny_per_t: '96'\n",
            6,
            "pathway.carbon_price_cny_per_t",
            "not a number",
            "'96'",
            None,
        ),
        (
            "pathway:\n  years: [2025]\n  co2_cap_t: 1e13\n",
            6,
            "pathway.co2_cap_t",
            "number too large",
            "10000000000000.0",
            None,
        ),
    ],
)
def test_block_shape_problems(
    text: str, line: int, column: str, message: str, found: str, hint: str | None, tmp_path: Path
) -> None:
    (p,) = problems_of(network(tmp_path / "n", text))
    assert (p.file, p.line, p.column, p.message) == ("network.yaml", line, column, message)
    assert p.expected
    assert p.found == found
    if hint is not None or message != "number too large":
        assert p.hint == hint


def test_bad_block_and_bad_csv_are_reported_together(tmp_path: Path) -> None:
    folder = network(tmp_path / "n", "pathway:\n  years: [2025, 2024]\n")
    path = folder / "sources.csv"
    path.write_text(path.read_text("utf-8").replace("coal_boiler", "coalboiler"), "utf-8")
    problems = problems_of(folder)
    assert {(p.file, p.column) for p in problems} == {
        ("network.yaml", "pathway.years"),
        ("sources.csv", "technology"),
    }


# --------------------------------------------------------------------------------------------
# the columns earliest_year and retire_by


def test_good_columns_load(tmp_path: Path) -> None:
    folder = network(
        tmp_path / "n",
        FULL,
        sources={
            "S1": {"earliest_year": 2026},
            "COAL": {"retire_by": 2030},
            "NEW": {"earliest_year": 2020},  # before the first year: available from the start
        },
        pipes={"P_NEW": {"earliest_year": 2030}},
    )
    net, problems = read_network(folder)
    assert net is not None, [str(p) for p in problems]
    assert problems == []


@pytest.mark.parametrize(
    ("cells", "file", "line", "column", "message", "expected", "found"),
    [
        (
            {"sources": {"COAL": {"earliest_year": 2027}}},
            "sources.csv",
            3,
            "earliest_year",
            "earliest_year on a retirable source",
            "no earliest_year on a retirable source",
            "2027 on a source with status retirable",
        ),
        (
            {"sources": {"S1": {"retire_by": 2028}}},
            "sources.csv",
            2,
            "retire_by",
            "retire_by on a source that is not retirable",
            "retire_by only on a source with status retirable",
            "2028 on a source with status existing",
        ),
        (
            {"sources": {"NEW": {"retire_by": 2028}}},
            "sources.csv",
            4,
            "retire_by",
            "retire_by on a source that is not retirable",
            "retire_by only on a source with status retirable",
            "2028 on a source with status candidate",
        ),
        (
            {"sources": {"COAL": {"retire_by": 2031}}},
            "sources.csv",
            3,
            "retire_by",
            "deadline outside the horizon",
            "a year from 2025 to 2030 (pathway.years)",
            "2031",
        ),
        (
            {"sources": {"COAL": {"retire_by": 2024}}},
            "sources.csv",
            3,
            "retire_by",
            "deadline outside the horizon",
            "a year from 2025 to 2030 (pathway.years)",
            "2024",
        ),
        (
            {"sources": {"NEW": {"earliest_year": 2027.5}}},
            "sources.csv",
            4,
            "earliest_year",
            "not a whole year",
            "empty, or a whole year such as 2027",
            "2027.5",
        ),
        (
            {"sources": {"COAL": {"retire_by": "2028.25"}}},
            "sources.csv",
            3,
            "retire_by",
            "not a whole year",
            "empty, or a whole year within pathway.years",
            "2028.25",
        ),
        (
            {"pipes": {"P_NEW": {"earliest_year": "soon"}}},
            "pipes.csv",
            3,
            "earliest_year",
            "not a number",
            "empty, or a whole year such as 2027",
            "'soon'",
        ),
        (
            {"pipes": {"P1": {"retire_by": 2028}}},
            "pipes.csv",
            2,
            "retire_by",
            "retire_by on a pipe",
            "retire_by only on a source with status retirable (pipes never retire)",
            "'2028'",
        ),
    ],
)
def test_column_errors(
    cells: dict[str, dict[str, dict[str, object]]],
    file: str,
    line: int,
    column: str,
    message: str,
    expected: str,
    found: str,
    tmp_path: Path,
) -> None:
    folder = network(tmp_path / "n", FULL, sources=cells.get("sources"), pipes=cells.get("pipes"))
    (p,) = problems_of(folder)
    assert (p.file, p.line, p.column, p.message, p.severity) == (
        file,
        line,
        column,
        message,
        "error",
    )
    assert p.id is not None
    assert p.expected.startswith(expected)
    assert p.found == found


def test_earliest_year_after_the_horizon_is_a_warning(tmp_path: Path) -> None:
    folder = network(
        tmp_path / "n",
        FULL,
        sources={"NEW": {"earliest_year": 2031}},
        pipes={"P_NEW": {"earliest_year": 2035}},
    )
    net, problems = read_network(folder)
    assert net is not None
    got = [(p.file, p.line, p.id, p.column, p.severity) for p in problems]
    assert got == [
        ("sources.csv", 4, "NEW", "earliest_year", "warning"),
        ("pipes.csv", 3, "P_NEW", "earliest_year", "warning"),
    ]
    assert "never available" in problems[0].message
    assert problems[1].found == "2035"
    assert problems[1].expected == "a year up to 2030 (pathway.years), or empty"


def test_status_errors_hold_without_a_block_too(tmp_path: Path) -> None:
    folder = network(tmp_path / "n", sources={"COAL": {"earliest_year": 2027}})
    errors = [p for p in problems_of(folder) if p.severity == "error"]
    assert [(p.line, p.message) for p in errors] == [(3, "earliest_year on a retirable source")]


def test_columns_without_a_block_give_one_warning(tmp_path: Path) -> None:
    folder = network(
        tmp_path / "n",
        sources={"NEW": {"earliest_year": 2027}, "COAL": {"retire_by": 2031}},
        pipes={"P_NEW": {"earliest_year": 2026}},
    )
    net, problems = read_network(folder)
    assert net is not None  # a one-season solve ignores the columns
    (p,) = problems
    assert p.severity == "warning"
    assert p.message == "pathway columns are ignored in a one-season solve"
    assert p.file == "sources.csv"
    assert p.column == "earliest_year, retire_by"
    assert p.found == (
        "values in sources.csv: earliest_year, retire_by; pipes.csv: earliest_year, "
        "and no pathway block"
    )
    assert "pathway: block" in p.expected
    # blank columns are no values: no warning
    blank = network(tmp_path / "m", sources={"NEW": {"earliest_year": ""}})
    assert read_network(blank)[1] == []


def test_validate_shows_the_block(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(network(tmp_path / "n", FULL))])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if "pathway:" in x)
    assert line.strip() == (
        "pathway: 2025–2030 (6 seasons); demand ×1.00 to ×1.15; carbon price 96.0 CNY/t to "
        "200.0 CNY/t; CO2 cap in 2029–2030 (1.400 Mt to 1.500 Mt); emissions peak in 2028"
    )
    plain = "pathway:\n  years: [2025, 2026]\n  co2_cap_t: {2026: 5000}\n"
    result = CliRunner().invoke(cli, ["validate", str(network(tmp_path / "m", plain))])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if "pathway:" in x)
    assert line.strip() == (
        "pathway: 2025–2026 (2 seasons); demand ×1.00; carbon price 50.0 CNY/t (economics); "
        "CO2 cap in 2026 (5.0 kt); no peak year"
    )
    result = CliRunner().invoke(cli, ["validate", str(network(tmp_path / "o"))])
    assert "pathway" not in result.stdout


def test_validate_lists_the_problems(tmp_path: Path) -> None:
    text = "pathway:\n  years: [2025, 2026]\n  co2_peak_year: 2027\n"
    folder = network(tmp_path / "n", text, sources={"S1": {"retire_by": 2026}})
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "network.yaml:6, field 'pathway.co2_peak_year'" in result.stderr
    assert "sources.csv:2, id 'S1', field 'retire_by'" in result.stderr
    assert "2 problems found" in result.stderr


def test_format_doc_documents_the_block_and_columns() -> None:
    from heatnet.schema import format_markdown

    text = format_markdown()
    assert "### pathway (an optional mapping under `pathway:`)" in text
    for key in ("years", "demand_scale", "co2_peak_year", "earliest_year", "retire_by"):
        assert f"| `{key}` |" in text, key
    docs = Path(__file__).resolve().parents[1] / "docs" / "format.md"
    assert docs.read_text(encoding="utf-8") == text


# --------------------------------------------------------------------------------------------
# scenarios


@pytest.fixture
def planned(tmp_path: Path) -> Network:
    return load_network(network(tmp_path / "planned", FULL))


@pytest.fixture
def plain(tmp_path: Path) -> Network:
    return load_network(network(tmp_path / "plain"))


def scenarios(tmp_path: Path, text: str, net: Network) -> tuple[object, list[Problem]]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return read_scenarios(path, net)


def test_scenario_keys_replace_the_networks(planned: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"
        "  base: {}\n"
        "  fast_carbon:\n"
        "    pathway: {carbon_price_cny_per_t: {2025: 96, 2030: 300}}\n"
        "  flat:\n"
        "    pathway: {demand_scale: 1.05, co2_cap_t: null, co2_peak_year: null}\n"
        "  capped:\n"
        "    pathway: {co2_cap_t: 1.2e6}\n"  # text to PyYAML: read as a number
    )
    sset, problems = scenarios(tmp_path, text, planned)
    assert sset is not None, [str(p) for p in problems]
    base = planned.pathway
    assert apply_scenario(planned, sset["base"]).pathway == base
    fast = apply_scenario(planned, sset["fast_carbon"]).pathway
    assert fast == dataclasses.replace(base, carbon_price_cny_per_t=((2025, 96.0), (2030, 300.0)))
    flat = apply_scenario(planned, sset["flat"]).pathway
    assert flat == dataclasses.replace(
        base, demand_scale=((2025, 1.05),), co2_cap_t=None, co2_peak_year=None
    )
    capped = apply_scenario(planned, sset["capped"]).pathway
    assert capped.co2_cap_t == ((2025, 1.2e6),)
    assert planned.pathway == base  # the base is never changed


@pytest.mark.parametrize("removal", ["null", "none", "~", ""])
def test_scenario_removes_the_block(removal: str, planned: Network, tmp_path: Path) -> None:
    sset, problems = scenarios(tmp_path, f"scenarios:\n  drop:\n    pathway: {removal}\n", planned)
    assert sset is not None, [str(p) for p in problems]
    assert apply_scenario(planned, sset["drop"]).pathway is None
    assert apply_scenario(planned, {"pathway": None}).pathway is None


def test_scenario_adds_a_block(plain: Network, tmp_path: Path) -> None:
    text = "scenarios:\n  path:\n    pathway: {years: [2025, 2026], demand_scale: {2026: 1.1}}\n"
    sset, problems = scenarios(tmp_path, text, plain)
    assert sset is not None, [str(p) for p in problems]
    path = apply_scenario(plain, sset["path"]).pathway
    assert path == Pathway(years=(2025, 2026), demand_scale=((2026, 1.1),))
    assert plain.pathway is None


def test_added_block_needs_years(plain: Network, tmp_path: Path) -> None:
    text = "scenarios:\n  path:\n    pathway:\n      demand_scale: 1.1\n"
    sset, problems = scenarios(tmp_path, text, plain)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.id, p.column, p.message) == (
        "s.yaml",
        3,
        "path",
        "pathway.years",
        "missing key",
    )
    assert p.expected
    assert p.found == "no such key"
    with pytest.raises(InputError, match=r"pathway\.years"):
        apply_scenario(plain, {"pathway": {"co2_peak_year": 2025}})


def test_scenario_changes_the_years(planned: Network, tmp_path: Path) -> None:
    """A plain number (one point at the first year) follows a new first year; the other
    points keep their years and must be among the new ones."""
    flat = load_network(
        network(
            tmp_path / "flat",
            "pathway:\n  years: [2025, 2026, 2027]\n  demand_scale: 1.1\n  co2_cap_t: 5.0e+5\n"
            "  carbon_price_cny_per_t: {2025: 80, 2027: 120}\n",
        )
    )
    later = apply_scenario(
        flat,
        {"pathway": {"years": [2027, 2028], "carbon_price_cny_per_t": {2027: 100}}},
    ).pathway
    assert later == Pathway(
        years=(2027, 2028),
        demand_scale=((2027, 1.1),),
        carbon_price_cny_per_t=((2027, 100.0),),
        co2_cap_t=((2027, 5e5),),
    )
    # the network's demand_scale names 2025 and 2030: not among the scenario's years
    text = "scenarios:\n  short:\n    pathway:\n      years: [2026, 2027, 2028]\n"
    sset, problems = scenarios(tmp_path, text, planned)
    assert sset is None
    got = {(p.file, p.line, p.column, p.found) for p in problems}
    assert got == {
        ("network.yaml", 6, "pathway.demand_scale", "2025"),
        ("network.yaml", 6, "pathway.demand_scale", "2030"),
        ("network.yaml", 7, "pathway.carbon_price_cny_per_t", "2025"),
        ("network.yaml", 7, "pathway.carbon_price_cny_per_t", "2030"),
        ("network.yaml", 8, "pathway.co2_cap_t", "2029"),
        ("network.yaml", 8, "pathway.co2_cap_t", "2030"),
    }
    assert all("'short'" in p.message and "unknown year" in p.message for p in problems)
    assert all(
        p.hint == f"pathway.years is given in s.yaml: give {p.column[8:]} there too"
        for p in problems
    )


def test_scenario_values_are_checked_like_network_yaml(planned: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"  # 1
        "  bad:\n"  # 2
        "    pathway:\n"  # 3
        "      years: [2025, 2025]\n"  # 4
        "      demand_scale: {2025: -1}\n"  # 5
        "      co2_peak: 2028\n"  # 6
        "      carbon_price_cny_per_t:\n"  # 7
        "        2031: 100\n"  # 8
    )
    sset, problems = scenarios(tmp_path, text, planned)
    assert sset is None
    got = {(p.line, p.column, p.message) for p in problems}
    assert got == {
        (4, "pathway.years", "year named twice"),
        (5, "pathway.demand_scale", "value out of range"),
        (6, "pathway.co2_peak", "unknown key"),
    }
    assert all(p.file == "s.yaml" and p.id == "bad" for p in problems)
    assert all(p.expected and p.found for p in problems)
    hints = {p.message: p.hint for p in problems}
    assert hints["unknown key"] == "Did you mean 'co2_peak_year'?"
    # once the values are good, the years are checked on the scenario's network
    fixed = "scenarios:\n  x:\n    pathway:\n      carbon_price_cny_per_t:\n        2031: 100\n"
    sset, problems = scenarios(tmp_path, fixed, planned)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.column, p.message) == (
        "s.yaml",
        5,
        "pathway.carbon_price_cny_per_t",
        "scenario 'x': unknown year",
    )
    assert p.hint is None


def test_scenario_pathway_must_be_a_mapping(planned: Network, tmp_path: Path) -> None:
    sset, problems = scenarios(tmp_path, "scenarios:\n  x:\n    pathway: [2025]\n", planned)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.column, p.message) == ("s.yaml", 3, "pathway", "must be a mapping")


def test_scenario_overrides_the_columns(planned: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"  # 1
        "  deadline:\n"  # 2
        "    sources:\n"  # 3
        "      COAL: {retire_by: 2027}\n"  # 4
        "      NEW: {earliest_year: 2028}\n"  # 5
        "    pipes:\n"  # 6
        "      P_NEW: {earliest_year: 2026}\n"  # 7
        "  late:\n"  # 8
        "    sources:\n"  # 9
        "      COAL: {retire_by: 2035}\n"  # 10
        "      S1: {retire_by: 2027}\n"  # 11
    )
    sset, problems = scenarios(tmp_path, text, planned)
    assert sset is None
    got = {(p.file, p.line, p.id, p.column, p.message) for p in problems}
    assert got == {
        ("sources.csv", 3, "COAL", "retire_by", "scenario 'late': deadline outside the horizon"),
        (
            "sources.csv",
            2,
            "S1",
            "retire_by",
            "scenario 'late': retire_by on a source that is not retirable",
        ),
    }
    good = "\n".join(text.splitlines()[:7]) + "\n"
    sset, problems = scenarios(tmp_path, good, planned)
    assert sset is not None, [str(p) for p in problems]
    new = apply_scenario(planned, sset["deadline"])
    assert new.sources.loc["COAL", "retire_by"] == 2027
    assert new.sources.loc["NEW", "earliest_year"] == 2028
    assert new.pipes.loc["P_NEW", "earliest_year"] == 2026
    assert new.sources["retire_by"].dtype == np.float64
    assert math.isnan(planned.sources.loc["COAL", "retire_by"])
    # null clears a cell
    cleared = apply_scenario(new, {"sources": {"COAL": {"retire_by": None}}})
    assert math.isnan(cleared.sources.loc["COAL", "retire_by"])


def test_scenario_that_changes_a_status_must_clear_retire_by(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", FULL, sources={"COAL": {"retire_by": 2028}}))
    new, problems = scenario_network(net, {"sources": {"COAL": {"status": "existing"}}})
    assert new is None
    (p,) = problems
    assert (p.file, p.line, p.column) == ("sources.csv", 3, "retire_by")
    assert p.found == "2028 on a source with status existing"
    assert "also clear retire_by" in p.hint
    fixed = {"sources": {"COAL": {"status": "existing", "retire_by": None}}}
    assert scenario_network(net, fixed)[0] is not None


def test_scenario_without_block_warns_about_the_columns(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", FULL, sources={"COAL": {"retire_by": 2028}}))
    new, problems = scenario_network(net, {"pathway": None})
    assert new is not None
    (p,) = problems
    assert (p.severity, p.column) == ("warning", "retire_by")
    assert "ignored in a one-season solve" in p.message


# --------------------------------------------------------------------------------------------
# input hash


def test_input_hash_sees_the_block(planned: Network) -> None:
    without = dataclasses.replace(planned, pathway=None)
    assert input_hash(planned) != input_hash(without)
    path = planned.pathway
    for change in (
        {"years": (2025, 2026)},
        {"demand_scale": ()},
        {"carbon_price_cny_per_t": None},
        {"co2_cap_t": ((2029, 1.5e6),)},
        {"co2_peak_year": None},
    ):
        other = dataclasses.replace(planned, pathway=dataclasses.replace(path, **change))
        assert input_hash(other) != input_hash(planned), change


def test_blank_pathway_columns_leave_the_hash_as_before(tmp_path: Path) -> None:
    """Networks without dates hash as before the columns existed (resumed studies match)."""
    net = load_network(network(tmp_path / "a", FULL))
    blank = dataclasses.replace(
        net,
        sources=net.sources.drop(columns=["earliest_year", "retire_by"]),
        pipes=net.pipes.drop(columns=["earliest_year"]),
    )
    cleared = dataclasses.replace(
        net,
        sources=net.sources.assign(earliest_year=float("nan"), retire_by=float("nan")),
        pipes=net.pipes.assign(earliest_year=float("nan")),
    )
    assert input_hash(cleared) == input_hash(blank)


def test_input_hash_sees_the_columns(tmp_path: Path) -> None:
    a = load_network(network(tmp_path / "a", FULL))
    b = load_network(network(tmp_path / "b", FULL, sources={"COAL": {"retire_by": 2028}}))
    assert input_hash(a) != input_hash(b)
