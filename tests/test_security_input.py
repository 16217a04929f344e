"""The ``security:`` block of network.yaml (spec v1.1 §3) on the input side: reading, checks
(every problem at once, with file, line, field, expected and found), writing back, scenario
overrides, the input hash and the ``solve`` options ``--security-share``/``--no-security``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.errors import InputError, Problem
from heatnet.io import load_network, read_network, write_network
from heatnet.network import Network, Security, contingency_set
from heatnet.scenarios import apply_scenario, read_scenarios, scenario_network
from heatnet.storage import input_hash
from tests.helpers import two_node

# network.yaml of every network below: security starts on line 3
HEAD = "name: sec\nprofiles: profiles.csv\n"


def network(folder: Path, security: str | None = None) -> Path:
    """Nodes A, B; sources S1 (existing, 1200 MW) and S2 (retirable, at B); pipes P1 (10 km)
    and P_LONG (30 km, candidate) from A to B; network.yaml = HEAD + ``security``."""
    two_node(
        folder,
        sources=[
            {
                "id": "S1",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 1200,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50,
            },
            {
                "id": "S2",
                "node": "B",
                "technology": "coal_boiler",
                "capacity_mw": 50,
                "status": "retirable",
                "variable_cost_cny_per_mwh": 80,
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
            },
            {
                "id": "P_LONG",
                "from_node": "A",
                "to_node": "B",
                "length_km": 30,
                "capacity_mw": 80,
                "status": "candidate",
                "capex_cny": 1e6,
            },
        ],
    )
    (folder / "network.yaml").write_text(HEAD + (security or ""), encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[Problem]:
    net, problems = read_network(folder)
    assert net is None, "the network should not load"
    return problems


def at(problems: list[Problem], line: int, column: str) -> Problem:
    found = [p for p in problems if p.line == line and p.column == column]
    assert len(found) == 1, (line, column, [str(p) for p in problems])
    return found[0]


# --------------------------------------------------------------------------------------------
# reading and writing


def test_no_block_is_no_security(tmp_path: Path) -> None:
    assert load_network(network(tmp_path / "n")).security is None
    assert load_network(network(tmp_path / "m", "security:\n")).security is None
    assert load_network(network(tmp_path / "o", "security: none\n")).security is None


def test_defaults_and_auto(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", "security:\n  served_share: 0.7\n"))
    assert net.security == Security(served_share=0.7)
    assert net.security.contingencies is None
    # auto: pipes of at least 20 km, sources of at least 1000 MW
    assert contingency_set(net) == (["P_LONG"], ["S1"], [])


def test_every_key_is_read(tmp_path: Path) -> None:
    text = (
        "security:\n"
        "  served_share: 0.5\n"
        "  intact_share: 0.9\n"
        "  design_factor: 1.2\n"
        "  contingencies: [P1, S2]\n"
        "  min_length_km: 5\n"
        "  min_source_mw: 1e2\n"
    )
    net = load_network(network(tmp_path / "n", text))
    assert net.security == Security(
        served_share=0.5,
        intact_share=0.9,
        design_factor=1.2,
        contingencies=("P1", "S2"),
        min_length_km=5.0,
        min_source_mw=100.0,
    )
    auto = load_network(network(tmp_path / "m", text.replace("[P1, S2]", "AUTO")))
    assert auto.security is not None
    assert auto.security.contingencies is None


@pytest.mark.parametrize(
    "block",
    [
        "security:\n  served_share: 0.5\n  contingencies: [P1, S2]\n  design_factor: 1.3\n",
        "security:\n  served_share: 1\n  contingencies: auto\n  min_source_mw: 0\n",
        "security:\n  served_share: 0.2\n  contingencies: []\n  intact_share: 0.95\n",
    ],
)
def test_round_trip(block: str, tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", block))
    write_network(net, tmp_path / "copy")
    again = load_network(tmp_path / "copy")
    assert again.security == net.security
    assert again.economics == net.economics


def test_a_block_set_in_memory_is_written(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n"))
    sec = Security(served_share=0.6, contingencies=("P_LONG",), min_length_km=0.0)
    write_network(dataclasses.replace(net, security=sec), tmp_path / "copy")
    assert load_network(tmp_path / "copy").security == sec
    write_network(net, tmp_path / "plain")
    assert "security" not in (tmp_path / "plain" / "network.yaml").read_text("utf-8")


# --------------------------------------------------------------------------------------------
# bad values: every problem at once, each placed


def test_every_bad_value_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        "security:\n"  # 3
        "  served_share: 0\n"  # 4
        "  intact_share: 1.5\n"  # 5
        "  design_factor: -1\n"  # 6
        "  min_length_km: -2\n"  # 7
        "  min_source_mw: half\n"  # 8
        "  contingencies: [P11, S2, S2, null]\n"  # 9
        "  served_shar: 0.5\n"  # 10
    )
    problems = problems_of(network(tmp_path / "n", text))
    assert all(p.file == "network.yaml" for p in problems)
    assert all(p.expected and p.found for p in problems)
    assert all(p.severity == "error" for p in problems)

    p = at(problems, 4, "security.served_share")
    assert (p.message, p.expected, p.found) == (
        "value out of range",
        "a finite number > 0 and <= 1",
        "0",
    )
    p = at(problems, 5, "security.intact_share")
    assert (p.message, p.expected, p.found) == (
        "value out of range",
        "a finite number > 0 and <= 1",
        "1.5",
    )
    p = at(problems, 6, "security.design_factor")
    assert (p.message, p.expected, p.found) == ("value out of range", "a finite number > 0", "-1")
    p = at(problems, 7, "security.min_length_km")
    assert (p.message, p.expected, p.found) == ("value out of range", "a finite number >= 0", "-2")
    p = at(problems, 8, "security.min_source_mw")
    assert (p.message, p.found) == ("not a number", "'half'")
    p = at(problems, 10, "security.served_shar")
    assert p.message == "unknown key"
    assert p.hint == "Did you mean 'served_share'?"
    assert "intact_share" in p.expected
    # the list: a null item, an unknown id and a repeated one, all on line 9
    line9 = sorted(p.message for p in problems if p.line == 9)
    assert line9 == ["contingency named twice", "not an id", "unknown contingency id"]
    unknown = next(p for p in problems if p.message == "unknown contingency id")
    assert unknown.column == "security.contingencies"
    assert unknown.found == "'P11'"
    assert unknown.hint == "Did you mean 'P1'?"
    assert unknown.expected == "the id of a pipe or source (2 pipes and 2 sources defined)"
    twice = next(p for p in problems if p.message == "contingency named twice")
    assert twice.found == "'S2' again (item 3; first as item 2)"
    assert len(problems) == 9


def test_ids_of_a_block_list_are_placed_on_their_own_lines(tmp_path: Path) -> None:
    text = "security:\n  served_share: 0.5\n  contingencies:\n    - P1\n    - S11\n    - P1\n"
    problems = problems_of(network(tmp_path / "n", text))
    assert [(p.line, p.message) for p in problems] == [
        (7, "unknown contingency id"),
        (8, "contingency named twice"),
    ]
    assert problems[0].hint == "Did you mean 'S1'?"  # did-you-mean over source ids too


@pytest.mark.parametrize(
    ("value", "message", "found", "hint"),
    [
        ("atuo", "not auto or a list of ids", "'atuo'", "Did you mean 'auto'?"),
        ("P1", "not auto or a list of ids", "'P1'", "A list of one id is written [P1]"),
        ("{P1: 1}", "not auto or a list of ids", "dict {'P1': 1}", None),
        ("[P1, [S1]]", "not an id", "['S1'] (item 2)", None),
        ("[P1, true]", "not an id", "True (item 2)", None),
    ],
)
def test_contingencies_are_auto_or_a_list(
    value: str, message: str, found: str, hint: str | None, tmp_path: Path
) -> None:
    text = f"security:\n  served_share: 0.5\n  contingencies: {value}\n"
    (p,) = problems_of(network(tmp_path / "n", text))
    assert (p.file, p.line, p.column, p.message) == (
        "network.yaml",
        5,
        "security.contingencies",
        message,
    )
    assert p.found == found
    assert p.hint == hint
    assert p.expected is not None
    assert "auto" in p.expected or "id" in p.expected


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("security:\n  intact_share: 0.9\n", 3, "security.served_share", "missing key"),
        ("security:\n  served_share:\n", 4, "security.served_share", "missing value"),
        ("security:\n  served_share: true\n", 4, "security.served_share", "not a number"),
        ("security: 0.7\n", 3, "security", "security must be a mapping"),
        ("security: [P1]\n", 3, "security", "security must be a mapping"),
        ("securty:\n  served_share: 0.7\n", 3, "securty", "unknown key"),
        (
            "security:\n  served_share: 0.5\n  min_source_mw: 1e13\n",
            5,
            "security.min_source_mw",
            "number too large",
        ),
    ],
)
def test_block_shape_problems(
    text: str, line: int, column: str, message: str, tmp_path: Path
) -> None:
    (p,) = problems_of(network(tmp_path / "n", text))
    assert (p.file, p.line, p.column, p.message) == ("network.yaml", line, column, message)
    assert p.expected
    assert p.found
    if column == "securty":
        assert p.hint == "Did you mean 'security'?"


def test_bad_block_and_bad_csv_are_reported_together(tmp_path: Path) -> None:
    folder = network(tmp_path / "n", "security:\n  served_share: 2\n  contingencies: [P2]\n")
    text = (folder / "sources.csv").read_text("utf-8").replace("1200", "-1")
    (folder / "sources.csv").write_text(text, "utf-8")
    problems = problems_of(folder)
    assert {(p.file, p.column) for p in problems} == {
        ("network.yaml", "security.served_share"),
        ("network.yaml", "security.contingencies"),
        ("sources.csv", "capacity_mw"),
    }


@pytest.mark.parametrize(
    ("table", "row", "status"), [("sources", "S2", "retired"), ("pipes", "P_LONG", "unavailable")]
)
def test_retired_or_unavailable_id_is_skipped_with_a_warning(
    table: str, row: str, status: str, tmp_path: Path
) -> None:
    folder = network(
        tmp_path / "n", f"security:\n  served_share: 0.5\n  contingencies: [P1, {row}]\n"
    )
    path = folder / f"{table}.csv"
    old = "retirable" if table == "sources" else "candidate"
    path.write_text(path.read_text("utf-8").replace(old, status), "utf-8")
    net, problems = read_network(folder)
    assert net is not None
    warnings = [p for p in problems if p.column == "security.contingencies"]
    assert len(warnings) == 1
    w = warnings[0]
    assert w.severity == "warning"
    assert (w.file, w.line) == ("network.yaml", 5)
    assert "skipped: nothing left to lose" in w.message
    assert w.found == f"{table[:-1]} {row!r} with status {status}"
    pipes, sources, skipped = contingency_set(net)
    assert skipped == [row]
    assert "P1" in pipes
    assert row not in pipes + sources


# --------------------------------------------------------------------------------------------
# heatnet validate


def test_validate_lists_the_problems_of_the_block(tmp_path: Path) -> None:
    folder = network(tmp_path / "n", "security:\n  served_share: 1.2\n  contingencies: [P_LONGG]\n")
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "network.yaml:4, field 'security.served_share'" in result.stderr
    assert "network.yaml:5, field 'security.contingencies'" in result.stderr
    assert "Did you mean 'P_LONG'?" in result.stderr
    assert "2 problems found" in result.stderr


def test_validate_shows_the_skip_warning_and_succeeds(tmp_path: Path) -> None:
    folder = network(tmp_path / "n", "security:\n  served_share: 0.5\n  contingencies: [S2]\n")
    path = folder / "sources.csv"
    path.write_text(path.read_text("utf-8").replace("retirable", "retired"), "utf-8")
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "nothing left to lose" in result.stderr


# --------------------------------------------------------------------------------------------
# scenarios


@pytest.fixture
def secure(tmp_path: Path) -> Network:
    block = "security:\n  served_share: 0.7\n  contingencies: [P1]\n  design_factor: 1.1\n"
    return load_network(network(tmp_path / "secure", block))


@pytest.fixture
def plain(tmp_path: Path) -> Network:
    return load_network(network(tmp_path / "plain"))


def scenarios(tmp_path: Path, text: str, net: Network) -> tuple[object, list[Problem]]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return read_scenarios(path, net)


def test_scenario_keys_merge_into_the_block(secure: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"
        "  base: {}\n"
        "  lax:\n"
        "    security: {served_share: 0.5}\n"
        "  auto:\n"
        "    security:\n"
        "      contingencies: auto\n"
        "      min_length_km: 5\n"
        "  cold:\n"
        "    security: {design_factor: '1.3e0', intact_share: 0.9}\n"
    )
    sset, problems = scenarios(tmp_path, text, secure)
    assert sset is not None, [str(p) for p in problems]
    base = apply_scenario(secure, sset["base"])
    assert base.security == secure.security
    lax = apply_scenario(secure, sset["lax"])
    assert lax.security == dataclasses.replace(secure.security, served_share=0.5)
    auto = apply_scenario(secure, sset["auto"])
    assert auto.security.contingencies is None
    assert auto.security.min_length_km == 5
    assert auto.security.served_share == 0.7
    cold = apply_scenario(secure, sset["cold"])
    assert (cold.security.design_factor, cold.security.intact_share) == (1.3, 0.9)
    assert secure.security.served_share == 0.7  # the base is never changed


@pytest.mark.parametrize("removal", ["null", "none", "~", ""])
def test_scenario_removes_the_block(removal: str, secure: Network, tmp_path: Path) -> None:
    sset, problems = scenarios(tmp_path, f"scenarios:\n  drop:\n    security: {removal}\n", secure)
    assert sset is not None, [str(p) for p in problems]
    assert apply_scenario(secure, sset["drop"]).security is None
    assert apply_scenario(secure, {"security": None}).security is None


def test_scenario_adds_a_block(plain: Network, tmp_path: Path) -> None:
    text = "scenarios:\n  n1:\n    security: {served_share: 0.6, contingencies: [P_LONG]}\n"
    sset, problems = scenarios(tmp_path, text, plain)
    assert sset is not None, [str(p) for p in problems]
    sec = apply_scenario(plain, sset["n1"]).security
    assert sec == Security(served_share=0.6, contingencies=("P_LONG",))
    assert plain.security is None


def test_added_block_needs_served_share(plain: Network, tmp_path: Path) -> None:
    text = "scenarios:\n  n1:\n    security:\n      contingencies: [P1]\n"
    sset, problems = scenarios(tmp_path, text, plain)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.id, p.column, p.message) == (
        "s.yaml",
        3,
        "n1",
        "security.served_share",
        "missing key",
    )
    assert p.expected
    assert p.found == "no such key"
    # the same rule when applied without reading a file
    with pytest.raises(InputError, match="served_share"):
        apply_scenario(plain, {"security": {"design_factor": 1.2}})


def test_scenario_values_are_checked_like_network_yaml(secure: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"  # 1
        "  bad:\n"  # 2
        "    security:\n"  # 3
        "      served_share: 1.5\n"  # 4
        "      design_factr: 2\n"  # 5
        "      contingencies: atuo\n"  # 6
        "      min_length_km: far\n"  # 7
    )
    sset, problems = scenarios(tmp_path, text, secure)
    assert sset is None
    got = {(p.line, p.column, p.message) for p in problems}
    assert got == {
        (4, "security.served_share", "value out of range"),
        (5, "security.design_factr", "unknown key"),
        (6, "security.contingencies", "not auto or a list of ids"),
        (7, "security.min_length_km", "not a number"),
    }
    assert all(p.file == "s.yaml" and p.id == "bad" for p in problems)
    assert all(p.expected and p.found for p in problems)
    hints = {p.column: p.hint for p in problems}
    assert hints["security.design_factr"] == "Did you mean 'design_factor'?"
    assert hints["security.contingencies"] == "Did you mean 'auto'?"


def test_scenario_security_must_be_a_mapping(secure: Network, tmp_path: Path) -> None:
    sset, problems = scenarios(tmp_path, "scenarios:\n  x:\n    security: 0.5\n", secure)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.column, p.message) == ("s.yaml", 3, "security", "must be a mapping")


def test_scenario_security_key_typo(secure: Network, tmp_path: Path) -> None:
    sset, problems = scenarios(tmp_path, "scenarios:\n  x:\n    securty: {}\n", secure)
    assert sset is None
    assert problems[0].hint == "Did you mean 'security'?"


def test_scenario_ids_point_into_the_scenario_file(secure: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"  # 1
        "  x:\n"  # 2
        "    security:\n"  # 3
        "      contingencies:\n"  # 4
        "        - P1\n"  # 5
        "        - S22\n"  # 6
        "        - P1\n"  # 7
    )
    sset, problems = scenarios(tmp_path, text, secure)
    assert sset is None
    got = [(p.file, p.line, p.column) for p in problems]
    assert got == [("s.yaml", 6, "security.contingencies"), ("s.yaml", 7, "security.contingencies")]
    assert "unknown contingency id" in problems[0].message
    assert "'x'" in problems[0].message  # tagged with the scenario
    assert problems[0].hint == "Did you mean 'S2'?"
    assert "contingency named twice" in problems[1].message


def test_scenario_that_retires_a_listed_source_warns(tmp_path: Path) -> None:
    block = "security:\n  served_share: 0.5\n  contingencies: [P1, S2]\n"
    net = load_network(network(tmp_path / "n", block))
    text = "scenarios:\n  coal_out:\n    sources: {S2: {status: retired}}\n"
    sset, problems = scenarios(tmp_path, text, net)
    assert sset is not None
    (w,) = problems
    assert w.severity == "warning"
    assert (w.file, w.line) == ("network.yaml", 5)  # the list is the network's
    assert "nothing left to lose" in w.message
    assert "'coal_out'" in w.message
    new, problems = scenario_network(net, sset["coal_out"])
    assert new is not None
    assert contingency_set(new)[2] == ["S2"]


def test_scenario_list_with_a_retired_id_warns_in_the_scenario_file(
    secure: Network, tmp_path: Path
) -> None:
    text = (
        "scenarios:\n"
        "  x:\n"
        "    pipes: {P_LONG: {status: unavailable}}\n"
        "    security: {contingencies: [P1, P_LONG]}\n"
    )
    sset, problems = scenarios(tmp_path, text, secure)
    assert sset is not None
    (w,) = problems
    assert (w.file, w.line, w.severity) == ("s.yaml", 4, "warning")


# --------------------------------------------------------------------------------------------
# input hash


def test_input_hash_sees_the_block(secure: Network, plain: Network) -> None:
    assert input_hash(secure) != input_hash(dataclasses.replace(secure, security=None))
    lax = dataclasses.replace(
        secure, security=dataclasses.replace(secure.security, served_share=0.5)
    )
    assert input_hash(lax) != input_hash(secure)
    auto = dataclasses.replace(
        secure, security=dataclasses.replace(secure.security, contingencies=None)
    )
    assert input_hash(auto) != input_hash(secure)
    assert input_hash(dataclasses.replace(secure, security=None)) == input_hash(
        dataclasses.replace(plain, name=secure.name)
    )


# --------------------------------------------------------------------------------------------
# heatnet solve --security-share / --no-security


class _Stop(heatnet.errors.HeatnetError):
    """Raised by the stand-in solver: the test only wants the network handed to it."""


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> list[Network]:
    seen: list[Network] = []

    def fake_solve(net: Network, options: object, name: str | None = None) -> None:
        seen.append(net)
        raise _Stop("stopped before solving")

    monkeypatch.setattr(heatnet, "solve", fake_solve)
    return seen


def solve(*args: str) -> object:
    return CliRunner().invoke(cli, ["solve", *args])


def test_solve_help_lists_the_options() -> None:
    result = solve("--help")
    assert result.exit_code == 0
    assert "--security-share A" in result.output
    assert "--no-security" in result.output


def test_security_share_overrides_served_share(
    handed: list[Network], secure: Network, tmp_path: Path
) -> None:
    result = solve(str(secure.folder), "--security-share", "0.4", "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert "stopped before solving" in result.stderr
    (net,) = handed
    assert net.security == dataclasses.replace(secure.security, served_share=0.4)


def test_security_share_creates_a_default_block(
    handed: list[Network], plain: Network, tmp_path: Path
) -> None:
    solve(str(plain.folder), "--security-share", "1", "--out", str(tmp_path / "r"))
    (net,) = handed
    assert net.security == Security(served_share=1.0)


def test_no_security_drops_the_block(
    handed: list[Network], secure: Network, tmp_path: Path
) -> None:
    solve(str(secure.folder), "--no-security", "--out", str(tmp_path / "r"))
    (net,) = handed
    assert net.security is None
    assert len(net.pipes) == len(secure.pipes)


def test_without_either_flag_the_block_is_kept(
    handed: list[Network], secure: Network, tmp_path: Path
) -> None:
    solve(str(secure.folder), "--out", str(tmp_path / "r"))
    assert handed[0].security == secure.security


@pytest.mark.parametrize("share", ["0", "1.5", "-0.1", "half"])
def test_security_share_out_of_range_is_a_usage_error(
    share: str, handed: list[Network], secure: Network, tmp_path: Path
) -> None:
    result = solve(str(secure.folder), "--security-share", share, "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert "--security-share" in result.stderr
    assert handed == []


def test_the_two_flags_exclude_each_other(
    handed: list[Network], secure: Network, tmp_path: Path
) -> None:
    result = solve(
        str(secure.folder), "--security-share", "0.5", "--no-security", "--out", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "cannot be used together" in result.stderr
    assert handed == []


def test_no_security_solves_the_v1_model(tmp_path: Path) -> None:
    folder = two_node(tmp_path / "n")
    yaml_path = folder / "network.yaml"
    yaml_path.write_text(
        yaml_path.read_text("utf-8") + "security:\n  served_share: 0.9\n  contingencies: [P1]\n",
        "utf-8",
    )
    out = tmp_path / "results"
    result = CliRunner().invoke(
        cli, ["solve", str(folder), "--no-security", "--out", str(out), "--name", "r"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "r" / "summary.json").is_file()
