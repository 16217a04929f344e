"""Reading network folders: defaults, encodings, CSV shapes, network.yaml and profiles."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from heatnet import schema
from heatnet.errors import InputError, Problem
from heatnet.io import load_network, network_document, read_network, write_network
from heatnet.network import Economics
from tests.helpers import two_node, write_csv

PIPE_HEADER = "id,from_node,to_node,length_km,capacity_mw,status"


def errors_of(folder: Path, **kwargs: object) -> list[Problem]:
    """The errors read_network reports for ``folder`` (asserting it refused the network)."""
    net, problems = read_network(folder, **kwargs)
    errors = [p for p in problems if p.severity == "error"]
    assert net is None, "the network should not load"
    assert errors, "an unusable network must report at least one error"
    return errors


def only_error(folder: Path, **kwargs: object) -> Problem:
    errors = errors_of(folder, **kwargs)
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


def loads(folder: Path, **kwargs: object):
    net, problems = read_network(folder, **kwargs)
    assert net is not None, "\n".join(map(str, problems))
    return net


# --------------------------------------------------------------------------------------------
# defaults


MINIMAL_ROWS: dict[str, list[dict[str, object]]] = {
    "nodes": [{"id": "A"}, {"id": "B"}],
    "sources": [
        {"id": "S1", "node": "A", "technology": "chp", "capacity_mw": 100, "status": "existing"}
    ],
    "pipes": [
        {
            "id": "P1",
            "from_node": "A",
            "to_node": "B",
            "length_km": 10,
            "capacity_mw": 80,
            "status": "existing",
        }
    ],
}
DEFAULTED = (schema.NODES, schema.SOURCES, schema.PIPES)


@pytest.mark.parametrize("empty_cells", [False, True], ids=["column-absent", "cell-empty"])
def test_every_schema_default_is_applied(tmp_path: Path, empty_cells: bool) -> None:
    folder = two_node(tmp_path)
    for table in DEFAULTED:
        rows = MINIMAL_ROWS[table.file.removesuffix(".csv")]
        if empty_cells:
            rows = [r | {c.name: "" for c in table.columns if not c.required} for r in rows]
        write_csv(folder / table.file, rows)
        header = (folder / table.file).read_text("utf-8").splitlines()[0].split(",")
        assert len(header) == (
            len(table.columns) if empty_cells else sum(c.required for c in table.columns)
        )
    net = loads(folder)
    checked = 0
    for table in DEFAULTED:
        df = getattr(net, table.file.removesuffix(".csv"))
        for col in table.columns:
            if col.required:
                continue
            assert col.name in df.columns, col.name
            for value in df[col.name]:
                if col.default is None:
                    assert col.dtype == "float", col.name
                    assert math.isnan(value), (col.name, value)
                else:
                    assert value == col.default, (table.file, col.name, value, col.default)
                checked += 1
    assert checked == sum(
        len(MINIMAL_ROWS[t.file.removesuffix(".csv")]) * sum(not c.required for c in t.columns)
        for t in DEFAULTED
    )
    assert net.pipes["bidirectional"].dtype == bool
    assert net.sources["lifetime_years"].dtype == float


def test_economics_defaults_when_absent(tmp_path: Path) -> None:
    econ = loads(two_node(tmp_path)).economics
    for col in schema.ECONOMICS:
        assert getattr(econ, col.name) == col.default, col.name
    assert econ == Economics()


def test_empty_description_and_name_default(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "network.yaml").write_text("name: tiny\nprofiles: profiles.csv\n", "utf-8")
    net = loads(folder)
    assert net.name == "tiny"
    assert net.description == ""


BOOL_SPELLINGS = [
    ("true", True),
    ("false", False),
    ("1", True),
    ("0", False),
    ("yes", True),
    ("no", False),
    ("TRUE", True),
    ("False", False),
    (" No ", False),
    ("", True),
]


def test_bool_spellings(tmp_path: Path) -> None:
    pipes = [
        {
            "id": f"P{i}",
            "from_node": "A",
            "to_node": "B",
            "length_km": 10,
            "capacity_mw": 80,
            "status": "existing",
            "bidirectional": text,
        }
        for i, (text, _) in enumerate(BOOL_SPELLINGS)
    ]
    net = loads(two_node(tmp_path, pipes=pipes))
    assert net.pipes["bidirectional"].dtype == bool
    got = [net.pipes.loc[f"P{i}", "bidirectional"] for i in range(len(BOOL_SPELLINGS))]
    assert [bool(v) for v in got] == [value for _, value in BOOL_SPELLINGS]


def test_bad_bool_is_a_problem(tmp_path: Path) -> None:
    pipes = [
        {
            "id": "P1",
            "from_node": "A",
            "to_node": "B",
            "length_km": 10,
            "capacity_mw": 80,
            "status": "existing",
            "bidirectional": "maybe",
        }
    ]
    p = only_error(two_node(tmp_path, pipes=pipes))
    assert (p.file, p.line, p.id, p.column) == ("pipes.csv", 2, "P1", "bidirectional")
    assert p.expected == "true or false"
    assert p.found == "'maybe'"


def test_numbers_with_spaces_and_exponents(tmp_path: Path) -> None:
    pipes = [
        {
            "id": "P1",
            "from_node": "A",
            "to_node": "B",
            "length_km": " 1e1 ",
            "capacity_mw": "80.5",
            "status": " Existing ",
        }
    ]
    net = loads(two_node(tmp_path, pipes=pipes))
    assert net.pipes.loc["P1", "length_km"] == 10.0
    assert net.pipes.loc["P1", "capacity_mw"] == 80.5
    assert net.pipes.loc["P1", "status"] == "existing"


# --------------------------------------------------------------------------------------------
# extra columns, encodings


def test_extra_columns_are_kept_as_text_after_the_schema_columns(tmp_path: Path) -> None:
    nodes = [
        {"id": "A", "name": "Plant", "district": "历下区"},
        {"id": "B", "name": "Town", "district": "槐荫区"},
    ]
    pipes = [
        {
            "id": "P1",
            "from_node": "A",
            "to_node": "B",
            "length_km": 10,
            "capacity_mw": 80,
            "status": "existing",
            "dn": "1400",
            "notes": "built 2019",
        }
    ]
    folder = two_node(tmp_path, pipes=pipes)
    write_csv(folder / "nodes.csv", nodes)  # the helper's nodes.csv has a fixed header
    net = loads(folder)
    assert net.nodes.loc["A", "district"] == "历下区"
    assert net.pipes.loc["P1", "dn"] == "1400"  # kept as text, not converted
    assert net.pipes.loc["P1", "notes"] == "built 2019"
    assert list(net.pipes.columns) == [*schema.PIPES.names[1:], "dn", "notes"]
    assert "_line" not in net.pipes.columns


def test_utf8_with_bom_loads(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    for file in (
        "network.yaml",
        "nodes.csv",
        "sources.csv",
        "pipes.csv",
        "demands.csv",
        "profiles.csv",
    ):
        path = folder / file
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    net = loads(folder)
    assert net.name == "test"
    assert list(net.nodes.index) == ["A", "B"]
    assert list(net.nodes.index.names) == ["id"]
    assert list(net.sources.index) == ["S1"]
    assert list(net.pipes.index) == ["P1"]
    assert list(net.demands.index) == ["D1"]
    assert list(net.profiles.columns) == ["period", "weight_h", "heat"]


def test_chinese_names_and_ids_load(tmp_path: Path) -> None:
    nodes = [{"id": "热源", "name": "黄台电厂"}, {"id": "城区", "name": "历下区 (东)"}]
    sources = [
        {
            "id": "黄台",
            "node": "热源",
            "technology": "chp",
            "capacity_mw": 100,
            "status": "existing",
        }
    ]
    pipes = [
        {
            "id": "石热入济",
            "from_node": "热源",
            "to_node": "城区",
            "length_km": 10,
            "capacity_mw": 80,
            "status": "existing",
        }
    ]
    demands = [{"id": "D1", "node": "城区", "design_load_mw": 60, "profile": "采暖"}]
    profiles = [{"period": "2025-11-15", "weight_h": 24, "采暖": 0.5}]
    net = loads(
        two_node(
            tmp_path, nodes=nodes, sources=sources, pipes=pipes, demands=demands, profiles=profiles
        )
    )
    assert net.nodes.loc["热源", "name"] == "黄台电厂"
    assert net.pipes.loc["石热入济", "to_node"] == "城区"
    assert net.demand_mw().loc[0, "城区"] == pytest.approx(30.0)


def test_gbk_file_is_a_clear_problem_not_a_crash(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "nodes.csv").write_bytes("id,name\nA,黄台电厂\nB,城区\n".encode("gbk"))
    p = only_error(folder)
    assert p.file == "nodes.csv"
    assert p.line == 2
    assert "not UTF-8" in p.message
    assert p.expected == "UTF-8 text"
    assert "GBK" in (p.found or "")
    assert "UTF-8" in (p.hint or "")
    with pytest.raises(InputError, match=r"nodes\.csv:2"):
        load_network(folder)


def test_binary_file_is_a_problem(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "sources.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    p = only_error(folder)
    assert p.file == "sources.csv"
    assert "NUL" in p.message


# --------------------------------------------------------------------------------------------
# CSV shapes


def test_empty_files(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "pipes.csv").write_text("", "utf-8")
    (folder / "sources.csv").write_text("\n\n", "utf-8")
    (folder / "demands.csv").write_text("  \n", "utf-8")
    errors = errors_of(folder)
    assert sorted((p.file, p.message) for p in errors) == [
        ("demands.csv", "the file is empty"),
        ("pipes.csv", "the file is empty"),
        ("sources.csv", "the file is empty"),
    ]


def test_header_only_table_loads_with_no_rows(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "demands.csv").write_text("id,node,design_load_mw,profile\n", "utf-8")
    net = loads(folder)
    assert len(net.demands) == 0
    assert list(net.demands.columns) == ["node", "design_load_mw", "profile"]


def test_header_only_profiles_is_an_error(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "profiles.csv").write_text("period,weight_h,heat\n", "utf-8")
    p = only_error(folder)
    assert p.file == "profiles.csv"
    assert p.message == "no periods"


def test_duplicated_columns(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "nodes.csv").write_text("id,name,lat,name\nA,x,36,y\nB,x,36,y\n", "utf-8")
    p = only_error(folder)
    assert (p.file, p.line, p.column) == ("nodes.csv", 1, "name")
    assert p.found == "'name' 2 times"


def test_header_column_without_name(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "nodes.csv").write_text("id,,lat\nA,x,36\nB,x,36\n", "utf-8")
    p = only_error(folder)
    assert (p.file, p.line) == ("nodes.csv", 1)
    assert "column 2" in p.message


def test_row_with_too_many_fields(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "nodes.csv").write_text("id,name\nA,Plant\nB,Town,Jinan\n", "utf-8")
    p = only_error(folder)
    assert (p.file, p.line) == ("nodes.csv", 3)
    assert (p.expected, p.found) == ("2 fields", "3 fields")
    assert "Quote" in (p.hint or "")


def test_trailing_empty_fields_are_ignored(tmp_path: Path) -> None:
    """Excel leaves trailing commas after a deleted column; they are not extra fields."""
    folder = two_node(tmp_path)
    (folder / "nodes.csv").write_text("id,name\nA,Plant,,\nB,Town,\n", "utf-8")
    assert loads(folder).nodes.loc["B", "name"] == "Town"


def test_short_row_cells_count_as_empty(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "pipes.csv").write_text(f"{PIPE_HEADER}\nP1,A,B\n", "utf-8")
    errors = errors_of(folder)
    assert {(p.line, p.id, p.column, p.message) for p in errors} == {
        (2, "P1", "length_km", "missing value"),
        (2, "P1", "capacity_mw", "missing value"),
        (2, "P1", "status", "missing value"),
    }


def test_blank_lines_do_not_shift_line_numbers(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "pipes.csv").write_text(
        f"{PIPE_HEADER}\n\n\nP1,A,B,10,-1,existing\n\n,,,\nP2,A,B,x,5,existing\n", "utf-8"
    )
    errors = errors_of(folder)
    assert sorted((p.line, p.id, p.column) for p in errors) == [
        (4, "P1", "capacity_mw"),
        (7, "P2", "length_km"),
    ]


def test_line_numbers_count_quoted_newlines_and_crlf(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    text = (
        f'{PIPE_HEADER},notes\r\nP1,A,B,10,80,existing,"two\r\nlines"\r\nP2,A,B,-3,80,existing,\r\n'
    )
    (folder / "pipes.csv").write_bytes(text.encode("utf-8"))
    p = only_error(folder)
    assert (p.file, p.line, p.id, p.column) == ("pipes.csv", 4, "P2", "length_km")


def test_blank_line_before_header_reports_header_line(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "pipes.csv").write_text(
        "\nid,from_node,to_node,length_km,capacity_mw\nP1,A,B,10,80\n", "utf-8"
    )
    p = only_error(folder)
    assert (p.file, p.line, p.column, p.message) == ("pipes.csv", 2, "status", "missing column")


def test_line_numbers_are_recorded_for_messages(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "nodes.csv").write_text("id,name\n\nA,Plant\nB,Town\n", "utf-8")
    net = loads(folder)
    assert net.line_of("nodes.csv", "A") == 3
    assert net.line_of("nodes.csv", "B") == 4
    assert net.line_of("pipes.csv", "P1") == 2


# --------------------------------------------------------------------------------------------
# network.yaml


def write_yaml(folder: Path, text: str) -> None:
    (folder / "network.yaml").write_text(text, "utf-8")


def test_unknown_top_level_key_has_did_you_mean(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(folder, "name: x\nprofiles: profiles.csv\nprofile: other.csv\n")
    p = only_error(folder)
    assert (p.file, p.line, p.column, p.message) == ("network.yaml", 3, "profile", "unknown key")
    assert p.hint == "Did you mean 'profiles'?"
    assert "profiles" in (p.expected or "")
    assert p.found == "'profile'"


def test_unknown_economics_key_has_did_you_mean(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(
        folder,
        "name: x\nprofiles: profiles.csv\neconomics:\n  discount_rate: 0.05\n  carbon_price: 100\n",
    )
    p = only_error(folder)
    assert (p.file, p.line, p.column) == ("network.yaml", 5, "economics.carbon_price")
    assert p.hint == "Did you mean 'carbon_price_cny_per_t'?"
    assert "Did you mean 'carbon_price_cny_per_t'?" in str(p)


def test_bad_yaml_syntax_names_the_line(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(
        folder,
        "name: x\nprofiles: profiles.csv\neconomics:\n  discount_rate: [0.05\n"
        "  carbon_price_cny_per_t: 3\n",
    )
    p = only_error(folder)
    assert p.file == "network.yaml"
    assert p.message.startswith("not valid YAML")
    assert p.line == 5


@pytest.mark.parametrize(
    ("text", "found"), [("- a\n- b\n", "list"), ("just text\n", "str"), ("42\n", "int")]
)
def test_yaml_that_is_not_a_mapping(tmp_path: Path, text: str, found: str) -> None:
    folder = two_node(tmp_path)
    write_yaml(folder, text)
    p = only_error(folder)
    assert (p.file, p.message, p.found) == ("network.yaml", "not a YAML mapping", found)


def test_missing_profiles_key(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(folder, "name: x\n")
    p = only_error(folder)
    assert (p.file, p.column, p.message) == ("network.yaml", "profiles", "missing key")


def test_null_profiles_key(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(folder, "name: x\nprofiles:\n")
    p = only_error(folder)
    assert (p.file, p.line, p.column, p.message) == ("network.yaml", 2, "profiles", "missing value")


def test_missing_profiles_file(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(folder, "name: x\nprofiles: profiles/nothing.csv\n")
    p = only_error(folder)
    assert (p.file, p.message) == ("profiles/nothing.csv", "file not found")


ECONOMICS_OUT_OF_RANGE = {
    "discount_rate": "-0.01",
    "carbon_price_cny_per_t": "-5",
    "co2_cap_t": "-1",
    "unserved_heat_cost_cny_per_mwh": ".inf",
    "retirement_annualisation_years": "0",
}
ECONOMICS_NOT_A_NUMBER = {
    "discount_rate": "'0.05'",
    "carbon_price_cny_per_t": "true",
    "co2_cap_t": "[1, 2]",
    "unserved_heat_cost_cny_per_mwh": "cheap",
}


@pytest.mark.parametrize(
    ("values", "message"),
    [(ECONOMICS_OUT_OF_RANGE, "value out of range"), (ECONOMICS_NOT_A_NUMBER, "not a number")],
    ids=["out-of-range", "not-a-number"],
)
def test_economics_bad_values(tmp_path: Path, values: dict[str, str], message: str) -> None:
    folder = two_node(tmp_path)
    body = "".join(f"  {k}: {v}\n" for k, v in values.items())
    write_yaml(folder, f"name: x\nprofiles: profiles.csv\neconomics:\n{body}")
    errors = errors_of(folder)
    assert len(errors) == len(values), "\n".join(map(str, errors))
    cols = {c.name: c for c in schema.ECONOMICS}
    for line, key in enumerate(values, start=4):
        p = next(p for p in errors if p.column == f"economics.{key}")
        assert (p.file, p.line, p.message) == ("network.yaml", line, message)
        assert p.expected == cols[key].expected()
        assert p.found is not None


def test_economics_nan_is_rejected(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(folder, "name: x\nprofiles: profiles.csv\neconomics:\n  discount_rate: .nan\n")
    p = only_error(folder)
    assert (p.line, p.column, p.found) == (4, "economics.discount_rate", "nan")


def test_economics_must_be_a_mapping(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(folder, "name: x\nprofiles: profiles.csv\neconomics: 5\n")
    p = only_error(folder)
    assert (p.file, p.line, p.column) == ("network.yaml", 3, "economics")


def test_economics_values_and_null_co2_cap(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(
        folder,
        "name: x\nprofiles: profiles.csv\neconomics:\n  discount_rate: 0\n"
        "  carbon_price_cny_per_t: 96\n  co2_cap_t: null\n"
        "  unserved_heat_cost_cny_per_mwh: 5000\n  retirement_annualisation_years: 10\n",
    )
    econ = loads(folder).economics
    assert econ == Economics(
        discount_rate=0.0,
        carbon_price_cny_per_t=96.0,
        co2_cap_t=None,
        unserved_heat_cost_cny_per_mwh=5000.0,
        retirement_annualisation_years=10.0,
    )


def test_co2_cap_value(tmp_path: Path) -> None:
    net = loads(two_node(tmp_path, economics={"co2_cap_t": 1000}))
    assert net.economics.co2_cap_t == 1000.0


def test_empty_economics_block_means_defaults(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_yaml(folder, "name: x\nprofiles: profiles.csv\neconomics:\n")
    assert loads(folder).economics == Economics()


def test_network_yaml_path_is_accepted(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    net = loads(folder / "network.yaml")
    assert net.folder == folder.resolve()


def test_missing_folder(tmp_path: Path) -> None:
    net, problems = read_network(tmp_path / "nowhere")
    assert net is None
    assert [p.message for p in problems] == ["network folder not found"]


# --------------------------------------------------------------------------------------------
# profiles


def test_profiles_are_read_in_order(tmp_path: Path) -> None:
    net = loads(two_node(tmp_path))
    assert list(net.profiles["period"]) == ["t1", "t2"]
    assert list(net.profiles["heat"]) == [1.0, 0.5]
    assert net.season_hours == 20.0
    assert net.profiles_path == (tmp_path / "profiles.csv").resolve()


def test_profiles_override(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "net")
    # the network's own profiles file is broken: the override must be used instead
    (folder / "profiles.csv").write_text("period,weight_h,heat\nt1,-1,x\n", "utf-8")
    other = tmp_path / "other.csv"
    write_csv(
        other,
        [
            {"period": "p1", "weight_h": 5, "heat": 0.2},
            {"period": "p2", "weight_h": 7, "heat": 0.4},
            {"period": "p3", "weight_h": 9, "heat": 0.1},
        ],
    )
    net = loads(folder, profiles=other)
    assert list(net.profiles["period"]) == ["p1", "p2", "p3"]
    assert net.season_hours == 21.0
    assert net.profiles_path == other
    assert net.demand_mw()["B"].max() == pytest.approx(24.0)
    assert load_network(folder, profiles=other).n_periods == 3
    with pytest.raises(InputError):
        load_network(folder)


def test_profiles_override_problems_name_the_override(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "net")
    other = tmp_path / "other.csv"
    write_csv(other, [{"period": "p1", "weight_h": 5, "heat": -0.2}])
    p = only_error(folder, profiles=other)
    assert p.file == str(other)
    assert (p.line, p.column) == (2, "heat")


def test_duplicated_yaml_keys_are_errors(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "n")
    (folder / "network.yaml").write_text(
        "name: a\nprofiles: profiles.csv\neconomics:\n  discount_rate: 0.1\n  discount_rate: 0.2\n",
        encoding="utf-8",
    )
    net, problems = read_network(folder)
    assert net is None
    dup = [p for p in problems if p.message == "duplicated key"]
    assert [(p.file, p.line, p.column) for p in dup] == [("network.yaml", 5, "discount_rate")]


def test_every_block_is_read_with_its_lines_and_written_back_in_order(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "n")
    (folder / "network.yaml").write_text(
        "name: t\n"  # 1
        "profiles: profiles.csv\n"  # 2
        "security:\n"  # 3
        "  served_share: 0.5\n"  # 4
        "constraints:\n"  # 5
        "  capex_budget_cny: 1.0e+9\n"  # 6
        "pathway:\n"  # 7
        "  years: [2025, 2026]\n"  # 8
        "  demand_scale:\n"  # 9
        "    2026: 1.1\n",  # 10
        encoding="utf-8",
    )
    net = loads(folder)
    assert net.security is not None
    assert net.constraints is not None
    assert net.pathway is not None
    lines = net.line_numbers["network.yaml"]
    assert (lines["security"], lines["constraints"], lines["pathway"]) == (3, 5, 7)
    assert (lines["pathway.years"], lines["pathway.years.1"]) == (8, 8)
    assert (lines["pathway.demand_scale"], lines["pathway.demand_scale.2026"]) == (9, 10)
    write_network(net, tmp_path / "copy")
    doc = yaml.safe_load((tmp_path / "copy" / "network.yaml").read_text("utf-8"))
    assert list(doc) == [
        "name",
        "description",
        "profiles",
        "economics",
        "security",
        "constraints",
        "pathway",
    ]
    assert doc["pathway"] == {"years": [2025, 2026], "demand_scale": {2026: 1.1}}
    assert network_document(net) == {k: v for k, v in doc.items() if k != "profiles"}
    again = loads(tmp_path / "copy")
    assert (again.security, again.constraints, again.pathway) == (
        net.security,
        net.constraints,
        net.pathway,
    )


def test_the_pathway_columns_are_float_columns_always_present(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "n")
    net = loads(folder)  # the files have none of them
    for df, column in (
        (net.sources, "earliest_year"),
        (net.sources, "retire_by"),
        (net.pipes, "earliest_year"),
    ):
        assert df[column].dtype == float, column
        assert df[column].isna().all(), column
    assert "retire_by" not in net.pipes.columns
