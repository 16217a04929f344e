"""Bad-input catalogue (issue #7.1): corrupted networks, profiles and scenario files through the
command line.

Every case corrupts a copy of one small valid network and runs ``heatnet solve`` (or ``heatnet
sweep`` for scenario files, ``heatnet profiles`` for temperature files). A bad input must give
exit code 1, one problem line naming the file, the line and the field, with "expected" and
"found", no traceback, and nothing written to the results folder. A few inputs that look odd
but are valid (BOM, CRLF, Chinese ids) must load and solve.

Lines are counted as a spreadsheet shows them: header = line 1, first data row = line 2.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from heatnet.cli import cli
from heatnet.errors import InputError
from tests.helpers import write_network

HEATNET = Path(sys.executable).with_name("heatnet")

# --------------------------------------------------------------------------------------------
# the valid network every case starts from
#
# nodes.csv     2 A   3 B   4 C
# sources.csv   2 S1 (chp, existing, at A)      3 S2 (heat pump, candidate, at C, availability hp)
# pipes.csv     2 P1 A-B existing               3 P2 C->B candidate, one-way
# demands.csv   2 D1 at B, profile heat
# profiles.csv  2 t1   3 t2   4 t3              columns period, weight_h, heat, hp


def rich_network(folder: Path) -> Path:
    return write_network(
        folder,
        nodes=[
            {"id": "A", "name": "Plant", "lat": 36.65, "lon": 117.0},
            {"id": "B", "name": "Town"},
            {"id": "C", "name": "Depot"},
        ],
        sources=[
            {
                "id": "S1",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
                "capex_cny": None,
                "availability": None,
            },
            {
                "id": "S2",
                "node": "C",
                "technology": "heat_pump",
                "capacity_mw": 40,
                "status": "candidate",
                "variable_cost_cny_per_mwh": 20,
                "capex_cny": 1e6,
                "availability": "hp",
            },
        ],
        pipes=[
            {
                "id": "P1",
                "from_node": "A",
                "to_node": "B",
                "length_km": 10,
                "capacity_mw": 80,
                "status": "existing",
                "bidirectional": "true",
                "capex_cny": None,
            },
            {
                "id": "P2",
                "from_node": "C",
                "to_node": "B",
                "length_km": 5,
                "capacity_mw": 50,
                "status": "candidate",
                "bidirectional": "false",
                "capex_cny": 1e6,
            },
        ],
        demands=[{"id": "D1", "node": "B", "design_load_mw": 60, "profile": "heat"}],
        profiles=[
            {"period": "t1", "weight_h": 10, "heat": 1.0, "hp": 0.5},
            {"period": "t2", "weight_h": 10, "heat": 0.5, "hp": 1.0},
            {"period": "t3", "weight_h": 4, "heat": 0.2, "hp": 1.0},
        ],
        name="rich",
    )


YAML_TEXT = "name: rich\nprofiles: profiles.csv\neconomics:\n  carbon_price_cny_per_t: 50\n"
PATHWAY_TEXT = YAML_TEXT + "pathway:\n  years: [2025, 2026, 2027]\n"
"""The valid network with a pathway block (lines 5 and 6)."""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = rich_network(tmp_path_factory.mktemp("catalogue") / "base")
    (folder / "network.yaml").write_text(YAML_TEXT, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------------------------
# corruptions (each returns a function of the network folder)

Corrupt = Callable[[Path], None]


def text(file: str, content: str, encoding: str = "utf-8") -> Corrupt:
    def f(folder: Path) -> None:
        (folder / file).write_bytes(content.encode(encoding))

    return f


def raw(file: str, content: bytes) -> Corrupt:
    def f(folder: Path) -> None:
        (folder / file).write_bytes(content)

    return f


def replace(file: str, old: str, new: str) -> Corrupt:
    def f(folder: Path) -> None:
        path = folder / file
        before = path.read_text(encoding="utf-8")
        assert old in before, f"{old!r} not in {file}"
        path.write_text(before.replace(old, new, 1), encoding="utf-8")

    return f


def cell(file: str, line: int, column: str, value: str) -> Corrupt:
    """Set one cell (``line`` as a spreadsheet counts it: header = 1)."""

    def f(folder: Path) -> None:
        path = folder / file
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows[line - 1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")

    return f


def add_column(file: str, column: str, values: dict[int, str]) -> Corrupt:
    """Add a column, empty but in the lines of ``values`` (as a spreadsheet counts them)."""

    def f(folder: Path) -> None:
        path = folder / file
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows[0].append(column)
        for line, row in enumerate(rows[1:], start=2):
            row.append(values.get(line, ""))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")

    return f


def delete(file: str) -> Corrupt:
    return lambda folder: (folder / file).unlink()


def both(*fs: Corrupt) -> Corrupt:
    def f(folder: Path) -> None:
        for g in fs:
            g(folder)

    return f


def reencode(encoding: str, prefix: bytes = b"", crlf: bool = False) -> Corrupt:
    """Re-encode every CSV and network.yaml (e.g. UTF-8 with a BOM, as Excel writes)."""

    def f(folder: Path) -> None:
        for path in folder.iterdir():
            content = path.read_text(encoding="utf-8")
            if crlf:
                content = content.replace("\n", "\r\n")
            path.write_bytes(prefix + content.encode(encoding))

    return f


def chinese_ids(folder: Path) -> None:
    """Every id and name in Chinese (nodes, sources, pipes, demands, profile columns)."""
    names = {
        "A": "热电厂",
        "B": "历下区",
        "C": "换热站",
        "S1": "华能黄台",
        "S2": "热泵一号",
        "P1": "主干线一",
        "P2": "支线二",
        "D1": "历下民用",
        "heat": "采暖",
        "hp": "热泵出力",
    }
    for path in folder.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows = [[names.get(c, c) for c in row] for row in rows]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    replace("network.yaml", "name: rich", "name: 济南测试网")(folder)


# --------------------------------------------------------------------------------------------
# the catalogue


@dataclass(frozen=True)
class Case:
    """One corrupted input and the problem it must be reported as.

    ``line`` is None only for problems about a whole file or column (empty, missing, not text,
    not a YAML mapping, periods longer than a year), ``field`` for those and for problems of a
    whole row or of YAML syntax; ``fragments`` must all appear on the same problem line.
    """

    id: str
    corrupt: Corrupt
    file: str
    line: int | None
    field: str | None
    fragments: tuple[str, ...] = ()
    marks: tuple[pytest.MarkDecorator, ...] = field(default=())


def case(
    id: str, corrupt: Corrupt, file: str, line: int | None, column: str | None, *fragments: str
) -> Case:
    return Case(id, corrupt, file, line, column, fragments)


NETWORK_CASES: list[Case] = [
    # ---- network.yaml
    case(
        "yaml-syntax",
        text("network.yaml", "name: rich\nprofiles: [profiles.csv\n"),
        "network.yaml",
        3,
        None,
        "not valid YAML",
    ),
    case(
        "yaml-tab-indent",
        text("network.yaml", YAML_TEXT.replace("  carbon", "\tcarbon")),
        "network.yaml",
        4,
        None,
        "not valid YAML",
        "'\\t'",
    ),
    case(
        "yaml-unknown-key",
        replace("network.yaml", "profiles:", "profile:"),
        "network.yaml",
        2,
        "profile",
        "unknown key",
        "Did you mean 'profiles'?",
    ),
    case(
        "yaml-duplicated-key",
        replace("network.yaml", "name: rich\n", "name: a\nname: b\n"),
        "network.yaml",
        2,
        "name",
        "duplicated key",
    ),
    case(
        "yaml-not-a-mapping",
        text("network.yaml", "- name\n- profiles\n"),
        "network.yaml",
        None,
        None,
        "not a YAML mapping",
        "found list",
    ),
    case(
        "yaml-economics-negative",
        replace("network.yaml", "50", "-50"),
        "network.yaml",
        4,
        "economics.carbon_price_cny_per_t",
        "expected a finite number >= 0",
        "found -50",
    ),
    case(
        "yaml-economics-text",
        replace("network.yaml", "50", "fifty yuan"),
        "network.yaml",
        4,
        "economics.carbon_price_cny_per_t",
        "not a number",
        "'fifty yuan'",
    ),
    case(
        "yaml-economics-too-large",
        replace(
            "network.yaml", "carbon_price_cny_per_t: 50", "unserved_heat_cost_cny_per_mwh: 1e13"
        ),
        "network.yaml",
        4,
        "economics.unserved_heat_cost_cny_per_mwh",
        "number too large",
        "found 10000000000000.0",
    ),
    case(
        "yaml-economics-huge-integer",
        replace("network.yaml", "50", "9" * 400),
        "network.yaml",
        4,
        "economics.carbon_price_cny_per_t",
        "value out of range",
    ),
    # ---- network.yaml: the security block (spec v1.1 §3); it starts on line 5
    case(
        "yaml-security-share-out-of-range",
        text("network.yaml", YAML_TEXT + "security:\n  served_share: 1.5\n"),
        "network.yaml",
        6,
        "security.served_share",
        "value out of range",
        "expected a finite number > 0 and <= 1",
        "found 1.5",
    ),
    case(
        "yaml-security-factor-zero",
        text("network.yaml", YAML_TEXT + "security:\n  served_share: 1\n  design_factor: 0\n"),
        "network.yaml",
        7,
        "security.design_factor",
        "expected a finite number > 0",
        "found 0",
    ),
    case(
        "yaml-security-length-text",
        text("network.yaml", YAML_TEXT + "security:\n  served_share: 1\n  min_length_km: far\n"),
        "network.yaml",
        7,
        "security.min_length_km",
        "not a number",
        "found 'far'",
    ),
    case(
        "yaml-security-unknown-key",
        text("network.yaml", YAML_TEXT + "security:\n  served_share: 1\n  intact_shar: 1\n"),
        "network.yaml",
        7,
        "security.intact_shar",
        "unknown key",
        "Did you mean 'intact_share'?",
    ),
    case(
        "yaml-security-missing-share",
        text("network.yaml", YAML_TEXT + "security:\n  contingencies: auto\n"),
        "network.yaml",
        5,
        "security.served_share",
        "missing key",
    ),
    case(
        "yaml-security-auto-misspelt",
        text("network.yaml", YAML_TEXT + "security:\n  served_share: 1\n  contingencies: atuo\n"),
        "network.yaml",
        7,
        "security.contingencies",
        "not auto or a list of ids",
        "Did you mean 'auto'?",
    ),
    case(
        "yaml-security-unknown-id",
        text(
            "network.yaml",
            YAML_TEXT + "security:\n  served_share: 1\n  contingencies:\n    - P1\n    - P22\n",
        ),
        "network.yaml",
        9,
        "security.contingencies",
        "unknown contingency id",
        "found 'P22'",
        "Did you mean 'P2'?",
    ),
    case(
        "yaml-security-id-twice",
        text(
            "network.yaml", YAML_TEXT + "security:\n  served_share: 1\n  contingencies: [S1, S1]\n"
        ),
        "network.yaml",
        7,
        "security.contingencies",
        "contingency named twice",
        "found 'S1' again",
    ),
    # ---- network.yaml: the constraints block (spec v1.1 §5); it starts on line 5
    case(
        "yaml-constraints-budget-negative",
        text("network.yaml", YAML_TEXT + "constraints:\n  capex_budget_cny: -1\n"),
        "network.yaml",
        6,
        "constraints.capex_budget_cny",
        "value out of range",
        "expected a finite number >= 0",
        "found -1",
    ),
    case(
        "yaml-constraints-budget-text",
        text("network.yaml", YAML_TEXT + "constraints:\n  capex_budget_cny: 6 billion\n"),
        "network.yaml",
        6,
        "constraints.capex_budget_cny",
        "not a number",
        "found '6 billion'",
    ),
    case(
        "yaml-constraints-unknown-key",
        text("network.yaml", YAML_TEXT + "constraints:\n  capex_budget: 1.0e+9\n"),
        "network.yaml",
        6,
        "constraints.capex_budget",
        "unknown key",
        "Did you mean 'capex_budget_cny'?",
    ),
    case(
        "yaml-constraints-not-a-mapping",
        text("network.yaml", YAML_TEXT + "constraints: 6.0e+9\n"),
        "network.yaml",
        5,
        "constraints",
        "constraints must be a mapping",
        "found 6000000000.0",
    ),
    case(
        "yaml-constraints-group-of-one",
        text("network.yaml", YAML_TEXT + "constraints:\n  at_most_one_of: [[S2, P2], [S2]]\n"),
        "network.yaml",
        6,
        "constraints.at_most_one_of",
        "a group of fewer than 2 ids says nothing",
        "found ['S2'] (group 2)",
    ),
    case(
        "yaml-constraints-flat-list",
        text("network.yaml", YAML_TEXT + "constraints:\n  at_most_one_of: [S2, P2]\n"),
        "network.yaml",
        6,
        "constraints.at_most_one_of",
        "not a list of groups",
        "A list of one group is written [[S2, P2]]",
    ),
    case(
        "yaml-constraints-null-id",
        text("network.yaml", YAML_TEXT + "constraints:\n  at_most_one_of:\n    - [S2, null]\n"),
        "network.yaml",
        7,
        "constraints.at_most_one_of",
        "not an id",
        "found nothing (item 2 of group 1)",
    ),
    case(
        "yaml-constraints-unknown-id",
        text(
            "network.yaml",
            YAML_TEXT + "constraints:\n  at_most_one_of:\n    - [S2, P22]\n",
        ),
        "network.yaml",
        7,
        "constraints.at_most_one_of",
        "unknown source or pipe id",
        "found 'P22'",
        "Did you mean 'P2'?",
    ),
    case(
        "yaml-constraints-not-retirable",
        text("network.yaml", YAML_TEXT + "constraints:\n  retire_together: [[S1, S2]]\n"),
        "network.yaml",
        6,
        "constraints.retire_together",
        "wrong status for retire_together",
        "expected a source with status retirable",
        "found source 'S1' with status existing",
    ),
    case(
        "yaml-constraints-not-candidate",
        text("network.yaml", YAML_TEXT + "constraints:\n  at_most_one_of: [[P1, P2]]\n"),
        "network.yaml",
        6,
        "constraints.at_most_one_of",
        "wrong status for at_most_one_of",
        "expected a source or pipe with status candidate",
        "found pipe 'P1' with status existing",
    ),
    case(
        "yaml-constraints-id-twice",
        text("network.yaml", YAML_TEXT + "constraints:\n  at_most_one_of: [[S2, P2, S2]]\n"),
        "network.yaml",
        6,
        "constraints.at_most_one_of",
        "id named twice in a group",
        "found 'S2' again (item 3 of group 1; first as item 1)",
    ),
    case(
        "yaml-constraints-unknown-technology",
        text("network.yaml", YAML_TEXT + "constraints:\n  min_heat_share:\n    heatpump: 0.2\n"),
        "network.yaml",
        7,
        "constraints.min_heat_share",
        "unknown technology",
        "found 'heatpump'",
        "Did you mean 'heat_pump'?",
    ),
    case(
        "yaml-constraints-share-out-of-range",
        text("network.yaml", YAML_TEXT + "constraints:\n  min_heat_share:\n    chp: 1.5\n"),
        "network.yaml",
        7,
        "constraints.min_heat_share",
        "value out of range",
        "expected a finite number >= 0 and <= 1",
        "found 1.5",
    ),
    case(
        "yaml-constraints-shares-over-one",
        text(
            "network.yaml",
            YAML_TEXT + "constraints:\n  min_heat_share: {chp: 0.7, heat_pump: 0.4}\n",
        ),
        "network.yaml",
        6,
        "constraints.min_heat_share",
        "heat shares add up to more than 1",
        "found 1.1 (chp 0.7 + heat_pump 0.4)",
    ),
    # ---- network.yaml: the pathway block (spec v1.1 §4); it starts on line 5
    case(
        "yaml-pathway-years-out-of-order",
        text("network.yaml", YAML_TEXT + "pathway:\n  years: [2025, 2027, 2026]\n"),
        "network.yaml",
        6,
        "pathway.years",
        "years out of order",
        "expected years strictly increasing, each once",
        "found 2026 after 2027 (item 3)",
    ),
    case(
        "yaml-pathway-year-not-whole",
        text("network.yaml", YAML_TEXT + "pathway:\n  years: [2025, 2026.5]\n"),
        "network.yaml",
        6,
        "pathway.years",
        "not a whole year",
        "found 2026.5 (item 2)",
    ),
    case(
        "yaml-pathway-unknown-year",
        text("network.yaml", PATHWAY_TEXT + "  demand_scale: {2025: 1.0, 2031: 1.2}\n"),
        "network.yaml",
        7,
        "pathway.demand_scale",
        "unknown year",
        "expected one of the years of pathway.years (2025, 2026, 2027)",
        "found 2031",
    ),
    case(
        "yaml-pathway-peak-year-outside",
        text("network.yaml", PATHWAY_TEXT + "  co2_peak_year: 2030\n"),
        "network.yaml",
        7,
        "pathway.co2_peak_year",
        "peak year outside the years",
        "found 2030",
    ),
    case(
        "yaml-pathway-unknown-key",
        text("network.yaml", PATHWAY_TEXT + "  carbon_price: 100\n"),
        "network.yaml",
        7,
        "pathway.carbon_price",
        "unknown key",
        "Did you mean 'carbon_price_cny_per_t'?",
    ),
    case(
        "yaml-pathway-missing-years",
        text("network.yaml", YAML_TEXT + "pathway:\n  demand_scale: 1.1\n"),
        "network.yaml",
        5,
        "pathway.years",
        "missing key",
    ),
    case(
        "sources-earliest-year-on-retirable",
        both(
            text("network.yaml", PATHWAY_TEXT),
            cell("sources.csv", 2, "status", "retirable"),
            add_column("sources.csv", "earliest_year", {2: "2026"}),
        ),
        "sources.csv",
        2,
        "earliest_year",
        "earliest_year on a retirable source",
        "found 2026 on a source with status retirable",
    ),
    case(
        "sources-retire-by-on-existing",
        both(
            text("network.yaml", PATHWAY_TEXT),
            add_column("sources.csv", "retire_by", {2: "2026"}),
        ),
        "sources.csv",
        2,
        "retire_by",
        "retire_by on a source that is not retirable",
        "found 2026 on a source with status existing",
    ),
    case(
        "sources-retire-by-outside-horizon",
        both(
            text("network.yaml", PATHWAY_TEXT),
            cell("sources.csv", 2, "status", "retirable"),
            add_column("sources.csv", "retire_by", {2: "2031"}),
        ),
        "sources.csv",
        2,
        "retire_by",
        "deadline outside the horizon",
        "expected a year from 2025 to 2027 (pathway.years)",
        "found 2031",
    ),
    case(
        "pipes-earliest-year-not-whole",
        both(
            text("network.yaml", PATHWAY_TEXT),
            add_column("pipes.csv", "earliest_year", {3: "2026.5"}),
        ),
        "pipes.csv",
        3,
        "earliest_year",
        "not a whole year",
        "found 2026.5",
    ),
    case(
        "yaml-python-tag",
        replace("network.yaml", "name: rich", 'name: !!python/object/apply:os.system ["true"]'),
        "network.yaml",
        1,
        None,
        "not valid YAML",
        "python/object/apply:os.system",
    ),
    case(
        "yaml-gbk",
        text("network.yaml", "name: 济南\nprofiles: profiles.csv\n", "gbk"),
        "network.yaml",
        1,
        None,
        "not UTF-8",
        "GBK",
        "CSV UTF-8",
    ),
    case(
        "yaml-only-comments",
        text("network.yaml", "# name: rich\n---\n"),
        "network.yaml",
        None,
        None,
        "no settings in the file",
    ),
    case(
        "yaml-control-character",
        text("network.yaml", "name: ri\x01ch\nprofiles: x.csv\n"),
        "network.yaml",
        1,
        None,
        "not valid YAML",
        "U+0001",
    ),
    case(
        "profiles-key-missing",
        text("network.yaml", "name: rich\n"),
        "network.yaml",
        None,
        "profiles",
        "missing key",
    ),
    case(
        "profiles-file-missing",
        replace("network.yaml", "profiles.csv", "profiles/heat.csv"),
        "profiles/heat.csv",
        None,
        None,
        "file not found",
        "network.yaml line 2",
    ),
    case(
        "profiles-path-is-a-folder",
        replace("network.yaml", "profiles.csv", "."),
        ".",
        None,
        None,
        "is a folder",
    ),
    case(
        "profiles-path-with-nul",
        replace("network.yaml", "profiles.csv", '"a\\0b.csv"'),
        "network.yaml",
        2,
        "profiles",
        "not a usable file name",
    ),
    case(
        "profiles-path-too-long",
        replace("network.yaml", "profiles.csv", "p" * 5000 + ".csv"),
        "network.yaml",
        2,
        "profiles",
        "not a usable file name",
    ),
    # ---- sources.csv: types, special numbers, ranges, choices, references
    case(
        "capacity-text",
        cell("sources.csv", 2, "capacity_mw", "lots"),
        "sources.csv",
        2,
        "capacity_mw",
        "not a number",
        "found 'lots'",
    ),
    case(
        "capacity-empty",
        cell("sources.csv", 3, "capacity_mw", ""),
        "sources.csv",
        3,
        "capacity_mw",
        "missing value",
        "found an empty cell",
    ),
    case(
        "capacity-zero",
        cell("sources.csv", 2, "capacity_mw", "0"),
        "sources.csv",
        2,
        "capacity_mw",
        "expected a finite number > 0",
        "found '0'",
    ),
    case(
        "capacity-negative",
        cell("sources.csv", 2, "capacity_mw", "-100"),
        "sources.csv",
        2,
        "capacity_mw",
        "value out of range",
        "found '-100'",
    ),
    case(
        "capacity-nan",
        cell("sources.csv", 2, "capacity_mw", "NaN"),
        "sources.csv",
        2,
        "capacity_mw",
        "not a number",
        "found 'NaN'",
    ),
    case(
        "capacity-inf",
        cell("sources.csv", 2, "capacity_mw", "inf"),
        "sources.csv",
        2,
        "capacity_mw",
        "infinite value",
        "found 'inf'",
    ),
    case(
        "capacity-overflows-to-inf",
        cell("sources.csv", 3, "capacity_mw", "1e309"),
        "sources.csv",
        3,
        "capacity_mw",
        "infinite value",
        "found '1e309'",
    ),
    case(
        "capacity-full-width-digits",
        cell("sources.csv", 2, "capacity_mw", "１２３"),
        "sources.csv",
        2,
        "capacity_mw",
        "not a number",
        "full-width",
    ),
    case(
        "capacity-decimal-comma",
        cell("sources.csv", 2, "capacity_mw", "100,5"),
        "sources.csv",
        2,
        "capacity_mw",
        "not a number",
        "found '100,5'",
    ),
    case(
        "capacity-huge",
        cell("sources.csv", 2, "capacity_mw", "1e13"),
        "sources.csv",
        2,
        "capacity_mw",
        "number too large",
        "at most 1e+12",
        "'1e13'",
    ),
    # capex 1e300 used to give a wrong plan reported as optimal (HiGHS's infinite cost)
    case(
        "capex-1e300",
        cell("sources.csv", 3, "capex_cny", "1e300"),
        "sources.csv",
        3,
        "capex_cny",
        "number too large",
        "number of zeros",
    ),
    case(
        "technology-unknown",
        cell("sources.csv", 2, "technology", "coal boiler"),
        "sources.csv",
        2,
        "technology",
        "unknown technology",
        "Did you mean 'coal_boiler'?",
    ),
    case(
        "status-typo",
        cell("sources.csv", 3, "status", "candidte"),
        "sources.csv",
        3,
        "status",
        "unknown status",
        "Did you mean 'candidate'?",
    ),
    case(
        "source-unknown-node",
        cell("sources.csv", 3, "node", "Z"),
        "sources.csv",
        3,
        "node",
        "unknown node",
        "found 'Z'",
    ),
    case(
        "availability-unknown-profile",
        cell("sources.csv", 3, "availability", "hp2"),
        "sources.csv",
        3,
        "availability",
        "unknown profile column",
        "Did you mean 'hp'?",
    ),
    case(
        "sources-duplicated-column",
        replace("sources.csv", "status,", "capacity_mw,"),
        "sources.csv",
        1,
        "capacity_mw",
        "duplicated column",
        "2 times",
    ),
    case(
        "sources-missing-column",
        replace("sources.csv", "capacity_mw", "capacity"),
        "sources.csv",
        1,
        "capacity_mw",
        "missing column",
        "rename column 'capacity'",
    ),
    case(
        "sources-empty-file",
        text("sources.csv", ""),
        "sources.csv",
        None,
        None,
        "the file is empty",
    ),
    case(
        "sources-xlsx-renamed-csv",
        raw("sources.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00"),
        "sources.csv",
        None,
        None,
        "NUL bytes",
        "xlsx",
    ),
    case(
        "sources-missing-file", delete("sources.csv"), "sources.csv", None, None, "file not found"
    ),
    case(
        "sources-unclosed-quote",
        both(
            replace("sources.csv", "availability", "availability,note"),
            replace("sources.csv", ",\n", ',,"plant one\n'),
        ),
        "sources.csv",
        2,
        None,
        "cannot be read as CSV",
        "quote",
    ),
    # ---- pipes.csv
    case(
        "pipe-self-loop",
        cell("pipes.csv", 2, "to_node", "A"),
        "pipes.csv",
        2,
        "to_node",
        "pipe from a node to itself",
    ),
    case(
        "pipe-negative-length",
        cell("pipes.csv", 3, "length_km", "-5"),
        "pipes.csv",
        3,
        "length_km",
        "value out of range",
        "found '-5'",
    ),
    case(
        "pipe-loses-all-heat",
        both(
            replace("pipes.csv", "capex_cny", "capex_cny,loss_fraction_per_km"),
            replace("pipes.csv", "true,\n", "true,,0.2\n"),
        ),
        "pipes.csv",
        2,
        "loss_fraction_per_km",
        "would lose all its heat",
    ),
    case(
        "pipe-bool-not-true-false",
        cell("pipes.csv", 2, "bidirectional", "maybe"),
        "pipes.csv",
        2,
        "bidirectional",
        "not a true/false value",
        "found 'maybe'",
    ),
    case(
        "pipe-ragged-row",
        replace("pipes.csv", "false,1000000.0", "false,1000000.0,x,y"),
        "pipes.csv",
        3,
        None,
        "more fields than the header",
        "found 10 fields",
    ),
    case(
        "pipe-unknown-node",
        cell("pipes.csv", 2, "from_node", "a"),
        "pipes.csv",
        2,
        "from_node",
        "unknown node",
        "Did you mean 'A'?",
    ),
    case(
        "pipe-unknown-status",
        cell("pipes.csv", 3, "status", "planned"),
        "pipes.csv",
        3,
        "status",
        "unknown status",
        "found 'planned'",
    ),
    # ---- demands.csv
    case(
        "demand-negative-load",
        cell("demands.csv", 2, "design_load_mw", "-60"),
        "demands.csv",
        2,
        "design_load_mw",
        "value out of range",
        "found '-60'",
    ),
    case(
        "demand-unknown-profile",
        cell("demands.csv", 2, "profile", "heating"),
        "demands.csv",
        2,
        "profile",
        "unknown profile column",
        "found 'heating'",
    ),
    case(
        "demand-unreachable",
        both(
            cell("pipes.csv", 2, "from_node", "B"),
            cell("pipes.csv", 2, "to_node", "A"),
            cell("pipes.csv", 2, "bidirectional", "false"),
            cell("pipes.csv", 3, "status", "unavailable"),
        ),
        "demands.csv",
        2,
        "node",
        "no source can reach",
        "unreachable",
    ),
    case(
        "demand-times-profile-too-large",
        both(
            cell("demands.csv", 2, "design_load_mw", "1e9"), cell("profiles.csv", 3, "heat", "5e4")
        ),
        "demands.csv",
        2,
        "design_load_mw",
        "demand too large",
        "1e+09 MW × 50000",
    ),
    case(
        "demands-duplicated-id",
        replace("demands.csv", "D1,B,60,heat\n", "D1,B,60,heat\nD1,B,10,heat\n"),
        "demands.csv",
        3,
        "id",
        "duplicated id",
        "first on line 2",
    ),
    case(
        "demands-gbk",
        text("demands.csv", "id,node,design_load_mw,profile\n民用,B,60,heat\n", "gbk"),
        "demands.csv",
        2,
        None,
        "not UTF-8",
        "GBK",
    ),
    # ---- nodes.csv
    case(
        "node-latitude-out-of-range",
        cell("nodes.csv", 2, "lat", "136.65"),
        "nodes.csv",
        2,
        "lat",
        "expected a finite number >= -90 and <= 90",
        "'136.65'",
    ),
    case(
        "nodes-duplicated-id",
        replace("nodes.csv", "C,Depot", "A,Depot"),
        "nodes.csv",
        4,
        "id",
        "duplicated id",
    ),
    case(
        "nodes-reserved-column-name",
        replace("nodes.csv", "lon", "_line"),
        "nodes.csv",
        1,
        "_line",
        "reserved",
    ),
    # ---- the profiles CSV ("mismatched profile lengths" and bad values)
    case(
        "profile-column-shorter",
        replace("profiles.csv", "t3,4,0.2,1.0", "t3,4,0.2,"),
        "profiles.csv",
        4,
        "hp",
        "missing value",
    ),
    case(
        "profile-row-ragged-short",
        replace("profiles.csv", "t3,4,0.2,1.0", "t3,4"),
        "profiles.csv",
        4,
        "heat",
        "missing value",
    ),
    case(
        "profile-row-ragged-long",
        replace("profiles.csv", "t2,10,0.5,1.0", "t2,10,0.5,1.0,7"),
        "profiles.csv",
        3,
        None,
        "more fields than the header",
        "found 5 fields",
    ),
    case(
        "profile-header-only",
        text("profiles.csv", "period,weight_h,heat,hp\n"),
        "profiles.csv",
        None,
        None,
        "no periods",
        "only a header",
    ),
    case(
        "profile-nan",
        cell("profiles.csv", 2, "heat", "nan"),
        "profiles.csv",
        2,
        "heat",
        "not a number",
        "found 'nan'",
    ),
    case(
        "profile-infinite",
        cell("profiles.csv", 3, "hp", "Infinity"),
        "profiles.csv",
        3,
        "hp",
        "infinite value",
    ),
    case(
        "profile-negative",
        cell("profiles.csv", 3, "heat", "-0.5"),
        "profiles.csv",
        3,
        "heat",
        "expected a finite number >= 0",
        "found '-0.5'",
    ),
    case(
        "profile-weight-zero",
        cell("profiles.csv", 2, "weight_h", "0"),
        "profiles.csv",
        2,
        "weight_h",
        "expected a finite number > 0",
    ),
    case(
        "profile-weights-longer-than-a-year",
        cell("profiles.csv", 3, "weight_h", "9000"),
        "profiles.csv",
        None,
        "weight_h",
        "more than a year",
        "found 9,014 h in 3 periods",
    ),
    case(
        "profile-duplicated-period",
        cell("profiles.csv", 4, "period", "t2"),
        "profiles.csv",
        4,
        "period",
        "duplicated period",
        "also on line 3",
    ),
    case(
        "profile-duplicated-column",
        replace("profiles.csv", "heat,hp", "heat,heat"),
        "profiles.csv",
        1,
        "heat",
        "duplicated column",
    ),
    case(
        "profile-reserved-column-name",
        replace("profiles.csv", "hp\n", "hp,_line\n"),
        "profiles.csv",
        1,
        "_line",
        "reserved",
    ),
]

# valid inputs that look unusual: they must load and solve
SOLVES: list[tuple[str, Corrupt, str]] = [
    ("utf8-bom-crlf-excel", reencode("utf-8", b"\xef\xbb\xbf", crlf=True), "S1"),
    ("chinese-ids", chinese_ids, "华能黄台"),
    # PyYAML alone reads 1.5e6 (no dot, unsigned exponent) as text
    (
        "yaml-exponent-without-dot",
        replace("network.yaml", "carbon_price_cny_per_t: 50", "co2_cap_t: 1.5e6"),
        "S1",
    ),
    (
        "quoted-fields-and-blank-lines",
        both(
            replace("sources.csv", "S1,A,chp", '"S1","A", chp '),
            replace("demands.csv", "\n", "\n\n"),
        ),
        "S1",
    ),
]


# --------------------------------------------------------------------------------------------
# scenario files (heatnet sweep NETWORK SCENARIOS.yaml)


SCENARIO_OK = (
    "study: s\nscenarios:\n  base: {}\n  dear:\n    economics:\n      carbon_price_cny_per_t: 200\n"
)

SCENARIO_CASES: list[Case] = [
    case(
        "scenario-yaml-syntax",
        text("s.yaml", "scenarios:\n  base: {\n  dear: 1\n"),
        "s.yaml",
        4,
        None,
        "not valid YAML",
        "the end of the file",
    ),
    case(
        "scenario-unknown-key",
        text("s.yaml", "scenarios:\n  dear:\n    economic: {}\n"),
        "s.yaml",
        3,
        "economic",
        "unknown scenario key",
        "Did you mean 'economics'?",
    ),
    case(
        "scenario-unknown-source",
        text("s.yaml", "scenarios:\n  keep:\n    sources:\n      S9: {status: existing}\n"),
        "s.yaml",
        4,
        "sources.S9",
        "unknown id in sources.csv",
        "found S9",
    ),
    case(
        "scenario-negative-capacity",
        text("s.yaml", "scenarios:\n  small:\n    sources:\n      S1:\n        capacity_mw: -5\n"),
        "s.yaml",
        5,
        "sources.S1.capacity_mw",
        "value out of range",
        "found -5",
    ),
    case(
        "scenario-demand-scale-text",
        text("s.yaml", "scenarios:\n  growth:\n    demand_scale: ten percent\n"),
        "s.yaml",
        3,
        "demand_scale",
        "not a number",
        "found ten percent",
    ),
    case(
        "scenario-name-escapes",
        text("s.yaml", "scenarios:\n  ../x: {}\n"),
        "s.yaml",
        2,
        None,
        "invalid scenario name",
        "found ../x",
    ),
    case(
        "scenario-profiles-missing",
        text("s.yaml", "scenarios:\n  cold:\n    profiles: nowhere.csv\n"),
        "nowhere.csv",
        None,
        None,
        "file not found",
    ),
    case(
        "scenario-security-share-text",
        text("s.yaml", "scenarios:\n  secure:\n    security:\n      served_share: most\n"),
        "s.yaml",
        4,
        "security.served_share",
        "not a number",
        "found 'most'",
    ),
    case(
        "scenario-security-without-share",
        text("s.yaml", "scenarios:\n  secure:\n    security: {contingencies: [P1]}\n"),
        "s.yaml",
        3,
        "security.served_share",
        "missing key",
        "found no such key",
    ),
    case(
        "scenario-security-unknown-id",
        text(
            "s.yaml",
            "scenarios:\n  secure:\n    security:\n      served_share: 0.5\n"
            "      contingencies: [S1, S11]\n",
        ),
        "s.yaml",
        5,
        "security.contingencies",
        "unknown contingency id",
        "found 'S11'",
        "Did you mean 'S1'?",
    ),
    case(
        "scenario-constraints-budget-text",
        text("s.yaml", "scenarios:\n  tight:\n    constraints:\n      capex_budget_cny: lots\n"),
        "s.yaml",
        4,
        "constraints.capex_budget_cny",
        "not a number",
        "found 'lots'",
    ),
    case(
        "scenario-constraints-group-of-one",
        text("s.yaml", "scenarios:\n  pick:\n    constraints:\n      at_most_one_of: [[S2]]\n"),
        "s.yaml",
        4,
        "constraints.at_most_one_of",
        "a group of fewer than 2 ids says nothing",
    ),
    case(
        "scenario-constraints-unknown-id",
        text(
            "s.yaml",
            "scenarios:\n  pick:\n    constraints:\n      at_most_one_of:\n        - [S2, P22]\n",
        ),
        "s.yaml",
        5,
        "constraints.at_most_one_of",
        "unknown source or pipe id",
        "found 'P22'",
        "Did you mean 'P2'?",
    ),
    case(
        "scenario-constraints-not-a-mapping",
        text("s.yaml", "scenarios:\n  pick:\n    constraints: [[S2, P2]]\n"),
        "s.yaml",
        3,
        "constraints",
        "must be a mapping",
    ),
    case(
        "scenario-pathway-unknown-key",
        text("s.yaml", "scenarios:\n  path:\n    pathway: {years: [2025], co2_peak: 2025}\n"),
        "s.yaml",
        3,
        "pathway.co2_peak",
        "unknown key",
        "Did you mean 'co2_peak_year'?",
    ),
    case(
        "scenario-pathway-unknown-year",
        text(
            "s.yaml",
            "scenarios:\n  path:\n    pathway:\n      years: [2025, 2026]\n"
            "      carbon_price_cny_per_t: {2025: 96, 2030: 200}\n",
        ),
        "s.yaml",
        5,
        "pathway.carbon_price_cny_per_t",
        "unknown year",
        "found 2030",
    ),
    case(
        "scenario-retire-by-on-existing",
        text("s.yaml", "scenarios:\n  path:\n    sources: {S1: {retire_by: 2026}}\n"),
        "sources.csv",
        2,
        "retire_by",
        "retire_by on a source that is not retirable",
        "found 2026 on a source with status existing",
    ),
    case(
        "scenario-python-tag",
        text("s.yaml", 'scenarios: !!python/object/apply:os.system ["true"]\n'),
        "s.yaml",
        1,
        None,
        "not valid YAML",
        "python/object/apply",
    ),
]


# --------------------------------------------------------------------------------------------
# hourly temperature files (heatnet profiles TEMPERATURE.csv)

TEMPERATURE_OK = (
    "period,temperature_c\n2025-11-15T00:00,3.5\n2025-11-15T01:00,2.0\n2025-11-15T02:00,1.0\n"
)

TEMPERATURE_CASES: list[Case] = [
    case(
        "temperature-not-a-number",
        text("t.csv", TEMPERATURE_OK.replace("2.0", "cold")),
        "t.csv",
        3,
        "temperature_c",
        "not a plausible temperature",
        "'cold'",
    ),
    case(
        "temperature-missing-hour",
        text("t.csv", TEMPERATURE_OK.replace("2025-11-15T01:00,2.0\n", "")),
        "t.csv",
        3,
        "period",
        "missing hours",
        "2025-11-15T01:00",
    ),
    case(
        "temperature-missing-column",
        text("t.csv", TEMPERATURE_OK.replace("temperature_c", "temp")),
        "t.csv",
        1,
        "temperature_c",
        "is missing",
        "found period,temp",
    ),
    Case(
        "temperature-gbk",
        text("t.csv", TEMPERATURE_OK.replace("3.5", "三点五"), "gbk"),
        "t.csv",
        2,
        None,
        ("UTF-8",),
    ),
]


# --------------------------------------------------------------------------------------------
# checks


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("  - ")]


def located(line: str, file: str, at: int | None) -> bool:
    """The problem line starts with ``file[:at]`` (the file may be given with its folder)."""
    head = line.removeprefix("  - ").split(" ", 1)[0].rstrip(":,")
    want = f"{file}:{at}" if at is not None else file
    return head == want or head.endswith("/" + want)


def assert_reported(c: Case, stderr: str) -> None:
    """One problem line names the file, line and field and has expected, found, fragments."""
    assert "Traceback" not in stderr
    lines = [
        line
        for line in problem_lines(stderr)
        if located(line, c.file, c.line) and (c.field is None or f"field {c.field!r}" in line)
    ]
    assert lines, f"no problem at {c.file}:{c.line} field {c.field!r} in:\n{stderr}"
    good = [
        line
        for line in lines
        if "expected " in line and "found " in line and all(f in line for f in c.fragments)
    ]
    assert good, f"{c.fragments} with expected/found not on one line of:\n" + "\n".join(lines)


def assert_nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir()), list(out.rglob("*"))


def params(cases: list[Case]) -> list[object]:
    return [pytest.param(c, id=c.id, marks=c.marks) for c in cases]


def test_catalogue_is_large_enough() -> None:
    ids = [c.id for c in (*NETWORK_CASES, *SCENARIO_CASES, *TEMPERATURE_CASES)]
    ids += [s[0] for s in SOLVES]
    assert len(set(ids)) == len(ids), "case ids must be unique"
    assert len(NETWORK_CASES) >= 30
    assert len(SCENARIO_CASES) >= 5


@pytest.mark.parametrize("c", params(NETWORK_CASES))
def test_bad_network_is_refused_clearly(c: Case, base: Path, tmp_path: Path) -> None:
    folder = shutil.copytree(base, tmp_path / "net")
    c.corrupt(folder)
    out = tmp_path / "results"
    result = run("solve", str(folder), "--out", str(out), "--name", "r")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert_reported(c, result.stderr)
    assert_nothing_written(out)


@pytest.mark.parametrize(
    ("corrupt", "id_in_results"), [pytest.param(f, i, id=n) for n, f, i in SOLVES]
)
def test_unusual_but_valid_input_solves(
    corrupt: Corrupt, id_in_results: str, base: Path, tmp_path: Path
) -> None:
    folder = shutil.copytree(base, tmp_path / "net")
    corrupt(folder)
    out = tmp_path / "results"
    result = run("solve", str(folder), "--out", str(out), "--name", "r")
    assert result.exit_code == 0, result.output
    assert "status: optimal" in result.stdout
    sources = (out / "r" / "sources.csv").read_text(encoding="utf-8")
    assert id_in_results in sources


def test_exponent_without_dot_is_a_number_but_quoted_is_text(base: Path, tmp_path: Path) -> None:
    from heatnet.io import load_network, read_network

    folder = shutil.copytree(base, tmp_path / "net")
    replace("network.yaml", "carbon_price_cny_per_t: 50", "co2_cap_t: 1.5e6")(folder)
    assert load_network(folder).economics.co2_cap_t == 1.5e6
    replace("network.yaml", "1.5e6", "'1.5e6'")(folder)
    net, problems = read_network(folder)
    assert net is None
    assert [p.message for p in problems] == ["not a number"]


@pytest.mark.parametrize(
    "cid", ["capacity-nan", "capacity-zero", "status-typo", "pipe-unknown-status", "profile-nan"]
)
def test_a_bad_cell_gives_no_follow_on_warnings(cid: str, base: Path, tmp_path: Path) -> None:
    """A bad value is reported once: no 'capacity below demand' or 'capex ignored' warnings
    computed from the cell that could not be read."""
    folder = shutil.copytree(base, tmp_path / "net")
    {c.id: c for c in NETWORK_CASES}[cid].corrupt(folder)
    result = run("solve", str(folder), "--out", str(tmp_path / "res"))
    assert result.exit_code == 1
    assert "1 problem found" in result.stderr
    assert "warning" not in result.stderr


def test_the_base_network_solves(base: Path, tmp_path: Path) -> None:
    result = run("solve", str(base), "--out", str(tmp_path / "res"), "--name", "r")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


@pytest.fixture(scope="module")
def scenario_base(tmp_path_factory: pytest.TempPathFactory, base: Path) -> Path:
    folder = tmp_path_factory.mktemp("scenarios")
    shutil.copytree(base, folder / "net")
    (folder / "s.yaml").write_text(SCENARIO_OK, encoding="utf-8")
    return folder


def test_the_base_scenario_file_is_valid(scenario_base: Path) -> None:
    from heatnet.io import load_network
    from heatnet.scenarios import load_scenarios

    assert len(load_scenarios(scenario_base / "s.yaml", load_network(scenario_base / "net"))) == 2


@pytest.mark.parametrize("c", params(SCENARIO_CASES))
def test_bad_scenario_file_is_refused_clearly(c: Case, scenario_base: Path, tmp_path: Path) -> None:
    folder = shutil.copytree(scenario_base, tmp_path / "study")
    c.corrupt(folder)
    out = tmp_path / "results"
    result = run("sweep", str(folder / "net"), str(folder / "s.yaml"), "--out", str(out), "-j", "1")
    assert result.exit_code == 1, result.output
    assert_reported(c, result.stderr)
    assert_nothing_written(out)


@pytest.mark.parametrize("c", params(TEMPERATURE_CASES))
def test_bad_temperature_file_is_refused_clearly(c: Case, tmp_path: Path) -> None:
    c.corrupt(tmp_path)
    result = run("profiles", str(tmp_path / "t.csv"), "--out", str(tmp_path / "p.csv"))
    assert result.exit_code == 1, result.output
    assert_reported(c, result.stderr)
    assert not (tmp_path / "p.csv").exists()


def test_good_temperature_file_makes_profiles(tmp_path: Path) -> None:
    text("t.csv", TEMPERATURE_OK)(tmp_path)
    result = run("profiles", str(tmp_path / "t.csv"), "--out", str(tmp_path / "p.csv"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.csv").is_file()


# --------------------------------------------------------------------------------------------
# the installed console script, and --debug


SUBPROCESS_CASES = ("yaml-gbk", "profiles-file-missing", "profile-row-ragged-short")


def test_console_script_cases_and_debug(base: Path, tmp_path: Path) -> None:
    """A few cases through the real ``heatnet`` executable (run at once to save time): exit 1,
    plain message; with ``--debug`` the same input shows a traceback."""
    assert HEATNET.is_file(), f"console script not installed at {HEATNET}"
    by_id = {c.id: c for c in NETWORK_CASES}
    jobs = []
    for i, cid in enumerate((*SUBPROCESS_CASES, SUBPROCESS_CASES[0])):
        debug = i == len(SUBPROCESS_CASES)
        folder = shutil.copytree(base, tmp_path / f"net{i}")
        by_id[cid].corrupt(folder)
        out = tmp_path / f"results{i}"
        cmd = [
            str(HEATNET),
            *(["--debug"] if debug else []),
            "solve",
            str(folder),
            "--out",
            str(out),
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
        )
        jobs.append((by_id[cid], debug, out, proc))
    for c, debug, out, proc in jobs:
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 1, stderr
        assert stdout == ""
        assert_nothing_written(out)
        if debug:
            assert "Traceback (most recent call last)" in stderr
            assert "heatnet.errors.InputError" in stderr
            assert f"{c.file}:{c.line}" in stderr
        else:
            assert_reported(c, stderr)


def test_debug_through_click_reraises_the_heatnet_error(base: Path, tmp_path: Path) -> None:
    folder = shutil.copytree(base, tmp_path / "net")
    cell("sources.csv", 2, "capacity_mw", "-1")(folder)
    with pytest.raises(InputError, match=r"sources\.csv:2, id 'S1', field 'capacity_mw'"):
        run("--debug", "solve", str(folder), "--out", str(tmp_path / "res"))
    assert not (tmp_path / "res").exists()
