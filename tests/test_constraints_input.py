"""The ``constraints:`` block of network.yaml (spec v1.1 §5) on the input side: reading, checks
(every problem at once, with file, line, field, expected and found), statuses, writing back,
scenario overrides and the input hash. The model side is tested elsewhere."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from heatnet.cli import cli
from heatnet.errors import InputError, Problem
from heatnet.io import load_network, read_network, write_network
from heatnet.network import Constraints, Network
from heatnet.scenarios import apply_scenario, read_scenarios, scenario_network
from heatnet.schema import TOO_LARGE_HINT
from heatnet.storage import input_hash
from tests.helpers import two_node
from tests.helpers import write_network as write_folder

# network.yaml of every network below: constraints starts on line 3
HEAD = "name: rules\nprofiles: profiles.csv\n"


def source(ident: str, node: str, technology: str, status: str, **more: object) -> dict:
    return {
        "id": ident,
        "node": node,
        "technology": technology,
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


def network(folder: Path, constraints: str | None = None) -> Path:
    """Nodes A, B; sources S1 (chp, existing), COAL_A and COAL_B (coal boilers, retirable),
    WH (waste heat, candidate); pipes P1 (existing), P_NEW and P_ALT (candidates), all A→B;
    network.yaml = HEAD + ``constraints``."""
    two_node(
        folder,
        sources=[
            source("S1", "A", "chp", "existing"),
            source("COAL_A", "A", "coal_boiler", "retirable"),
            source("COAL_B", "B", "coal_boiler", "retirable"),
            source("WH", "A", "waste_heat", "candidate", capex_cny=2e8),
        ],
        pipes=[
            pipe("P1", "existing"),
            pipe("P_NEW", "candidate", capex_cny=1e8),
            pipe("P_ALT", "candidate", capex_cny=1.5e8),
        ],
    )
    (folder / "network.yaml").write_text(HEAD + (constraints or ""), encoding="utf-8")
    return folder


FULL = (
    "constraints:\n"  # 3
    "  capex_budget_cny: 6.0e+9\n"  # 4
    "  retire_together: [[COAL_A, COAL_B]]\n"  # 5
    "  at_most_one_of: [[P_NEW, P_ALT], [WH, P_NEW]]\n"  # 6
    "  min_heat_share: {waste_heat: 0.6, chp: 0.1}\n"  # 7
)


def problems_of(folder: Path) -> list[Problem]:
    net, problems = read_network(folder)
    assert net is None, "the network should not load"
    return problems


def at(problems: list[Problem], line: int, message: str) -> Problem:
    found = [p for p in problems if p.line == line and p.message == message]
    assert len(found) == 1, (line, message, [str(p) for p in problems])
    return found[0]


# --------------------------------------------------------------------------------------------
# reading and writing


@pytest.mark.parametrize(
    "block", [None, "constraints:\n", "constraints: none\n", "constraints: {}\n"]
)
def test_no_block_or_an_empty_one_is_no_constraints(block: str | None, tmp_path: Path) -> None:
    assert load_network(network(tmp_path / "n", block)).constraints is None


def test_every_key_is_read(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", FULL))
    assert net.constraints == Constraints(
        capex_budget_cny=6e9,
        retire_together=(("COAL_A", "COAL_B"),),
        at_most_one_of=(("P_NEW", "P_ALT"), ("WH", "P_NEW")),
        min_heat_share=(("waste_heat", 0.6), ("chp", 0.1)),
    )
    assert isinstance(net.constraints.capex_budget_cny, float)


def test_every_key_is_optional(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", "constraints:\n  capex_budget_cny: 5e8\n"))
    assert net.constraints == Constraints(capex_budget_cny=5e8)
    nulls = (
        "constraints:\n  capex_budget_cny: null\n  retire_together:\n  at_most_one_of: []\n"
        "  min_heat_share: {}\n"
    )
    assert load_network(network(tmp_path / "m", nulls)).constraints == Constraints()


def test_block_lists_and_upper_case_technologies(tmp_path: Path) -> None:
    text = (
        "constraints:\n"
        "  retire_together:\n"
        "    - - COAL_A\n"
        "      - COAL_B\n"
        "  min_heat_share:\n"
        "    Waste_Heat: 0.25\n"
    )
    net = load_network(network(tmp_path / "n", text))
    assert net.constraints == Constraints(
        retire_together=(("COAL_A", "COAL_B"),), min_heat_share=(("waste_heat", 0.25),)
    )


@pytest.mark.parametrize(
    "block",
    [
        FULL,
        "constraints:\n  capex_budget_cny: 0\n",
        "constraints:\n  at_most_one_of: [[WH, P_ALT, P_NEW]]\n  min_heat_share: {chp: 0}\n",
        "constraints:\n  capex_budget_cny: null\n",
    ],
)
def test_round_trip(block: str, tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n", block))
    write_network(net, tmp_path / "copy")
    again = load_network(tmp_path / "copy")
    assert again.constraints == net.constraints
    assert again.constraints is not None
    assert again.economics == net.economics


def test_a_block_set_in_memory_is_written(tmp_path: Path) -> None:
    net = load_network(network(tmp_path / "n"))
    rules = Constraints(
        capex_budget_cny=1.25e9,
        retire_together=(("COAL_A", "COAL_B"), ("COAL_B", "COAL_A")),
        at_most_one_of=(("WH", "P_ALT"),),
        min_heat_share=(("chp", 0.3), ("waste_heat", 0.2)),
    )
    write_network(dataclasses.replace(net, constraints=rules), tmp_path / "copy")
    assert load_network(tmp_path / "copy").constraints == rules
    doc = yaml.safe_load((tmp_path / "copy" / "network.yaml").read_text("utf-8"))
    assert doc["constraints"] == {
        "capex_budget_cny": 1.25e9,
        "retire_together": [["COAL_A", "COAL_B"], ["COAL_B", "COAL_A"]],
        "at_most_one_of": [["WH", "P_ALT"]],
        "min_heat_share": {"chp": 0.3, "waste_heat": 0.2},
    }
    write_network(net, tmp_path / "plain")
    assert "constraints" not in (tmp_path / "plain" / "network.yaml").read_text("utf-8")


def test_helper_writes_the_block(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "n",
        nodes=[{"id": "A"}, {"id": "B"}],
        sources=[source("S1", "A", "chp", "existing"), source("S2", "A", "chp", "retirable")],
        pipes=[pipe("P1", "existing")],
        demands=[{"id": "D1", "node": "B", "design_load_mw": 50, "profile": "heat"}],
        profiles=[{"period": "t1", "weight_h": 10, "heat": 1.0}],
        constraints={"capex_budget_cny": 1e9, "min_heat_share": {"chp": 0.5}},
    )
    assert load_network(folder).constraints == Constraints(
        capex_budget_cny=1e9, min_heat_share=(("chp", 0.5),)
    )


# --------------------------------------------------------------------------------------------
# bad values: every problem at once, each placed


def test_every_bad_value_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        "constraints:\n"  # 3
        "  capex_budget_cny: -5\n"  # 4
        "  retire_together: [[COAL_A], [COAL_A, COAL_B, COAL_A], COAL_B]\n"  # 5
        "  at_most_one_of: [[P_NEW, P_NEWW], [S1, P1], [WH, null]]\n"  # 6
        "  min_heat_share: {wasteheat: 0.5, chp: 1.5, coal_boiler: lots}\n"  # 7
        "  retire_togther: []\n"  # 8
    )
    problems = problems_of(network(tmp_path / "n", text))
    assert all(p.file == "network.yaml" for p in problems)
    assert all(p.expected and p.found for p in problems)
    assert all(p.severity == "error" for p in problems)

    p = at(problems, 4, "value out of range")
    assert (p.column, p.expected, p.found) == (
        "constraints.capex_budget_cny",
        "a finite number >= 0",
        "-5",
    )
    p = at(problems, 5, "a group of fewer than 2 ids says nothing")
    assert (p.column, p.expected, p.found) == (
        "constraints.retire_together",
        "a group of at least 2 ids",
        "['COAL_A'] (group 1)",
    )
    p = at(problems, 5, "id named twice in a group")
    assert p.found == "'COAL_A' again (item 3 of group 2; first as item 1)"
    assert p.expected == "each id once in its group"
    p = at(problems, 5, "not a group of ids")
    assert p.found == "'COAL_B' (group 3)"
    assert "a list of groups" in p.expected
    p = at(problems, 6, "unknown source or pipe id")
    assert (p.column, p.found, p.hint) == (
        "constraints.at_most_one_of",
        "'P_NEWW'",
        "Did you mean 'P_NEW'?",
    )
    assert p.expected == "the id of a candidate source or pipe (4 sources and 3 pipes defined)"
    s1 = next(p for p in problems if p.found == "source 'S1' with status existing")
    assert (s1.line, s1.message) == (6, "wrong status for at_most_one_of")
    assert s1.expected.startswith("a source or pipe with status candidate")
    p1 = next(p for p in problems if p.found == "pipe 'P1' with status existing")
    assert (p1.line, p1.column) == (6, "constraints.at_most_one_of")
    p = at(problems, 6, "not an id")
    assert p.found == "nothing (item 2 of group 3)"
    p = at(problems, 7, "unknown technology")
    assert (p.column, p.found, p.hint) == (
        "constraints.min_heat_share",
        "'wasteheat'",
        "Did you mean 'waste_heat'?",
    )
    assert p.expected.startswith("one of waste_heat, chp")
    p = at(problems, 7, "value out of range")
    assert (p.expected, p.found) == ("a finite number >= 0 and <= 1", "1.5")
    p = at(problems, 7, "not a number")
    assert p.found == "'lots'"
    p = at(problems, 8, "unknown key")
    assert (p.column, p.hint) == ("constraints.retire_togther", "Did you mean 'retire_together'?")
    assert "capex_budget_cny" in p.expected
    assert len(problems) == 12, [str(p) for p in problems]


def test_ids_of_a_block_list_are_placed_on_their_own_lines(tmp_path: Path) -> None:
    text = (
        "constraints:\n"  # 3
        "  at_most_one_of:\n"  # 4
        "    - - P_NEW\n"  # 5
        "      - P_ALTT\n"  # 6
        "      - P_NEW\n"  # 7
        "    - [WH, COAL_A]\n"  # 8
        "  min_heat_share:\n"  # 9
        "    chp: 0.5\n"  # 10
        "    geothermal: 0.2\n"  # 11
    )
    problems = problems_of(network(tmp_path / "n", text))
    assert [(p.line, p.message) for p in problems] == [
        (6, "unknown source or pipe id"),
        (7, "id named twice in a group"),
        (8, "wrong status for at_most_one_of"),
        (11, "no source of this technology: no plan can meet the share"),
    ]
    assert problems[0].hint == "Did you mean 'P_ALT'?"
    assert problems[2].found == "source 'COAL_A' with status retirable"


@pytest.mark.parametrize(
    ("text", "line", "column", "message", "found", "hint"),
    [
        (
            "constraints: 6e9\n",
            3,
            "constraints",
            "constraints must be a mapping",
            "6000000000.0",
            None,
        ),
        (
            "constraints: [[P_NEW, P_ALT]]\n",
            3,
            "constraints",
            "constraints must be a mapping",
            "[['P_NEW', 'P_ALT']]",
            None,
        ),
        (
            "constrains:\n  capex_budget_cny: 1\n",
            3,
            "constrains",
            "unknown key",
            "'constrains'",
            "Did you mean 'constraints'?",
        ),
        (
            "constraints:\n  capex_budget_cny: true\n",
            4,
            "constraints.capex_budget_cny",
            "not a number",
            "True",
            None,
        ),
        (
            "constraints:\n  capex_budget_cny: 1e13\n",
            4,
            "constraints.capex_budget_cny",
            "number too large",
            "10000000000000.0",
            TOO_LARGE_HINT,
        ),
        (
            "constraints:\n  retire_together: [COAL_A, COAL_B]\n",
            4,
            "constraints.retire_together",
            "not a list of groups",
            "['COAL_A', 'COAL_B']",
            "A list of one group is written [[COAL_A, COAL_B]]",
        ),
        (
            "constraints:\n  retire_together: COAL_A\n",
            4,
            "constraints.retire_together",
            "not a list of groups",
            "str 'COAL_A'",
            "A list of one group is written [[COAL_A, …]]",
        ),
        (
            "constraints:\n  at_most_one_of: {WH: P_NEW}\n",
            4,
            "constraints.at_most_one_of",
            "not a list of groups",
            "dict {'WH': 'P_NEW'}",
            None,
        ),
        (
            "constraints:\n  at_most_one_of: [[]]\n",
            4,
            "constraints.at_most_one_of",
            "a group of fewer than 2 ids says nothing",
            "[] (group 1)",
            None,
        ),
        (
            "constraints:\n  at_most_one_of: [[WH, [P_NEW]]]\n",
            4,
            "constraints.at_most_one_of",
            "not an id",
            "['P_NEW'] (item 2 of group 1)",
            None,
        ),
        (
            "constraints:\n  min_heat_share: [waste_heat, 0.5]\n",
            4,
            "constraints.min_heat_share",
            "not a mapping of technology to share",
            "list ['waste_heat', 0.5]",
            None,
        ),
        (
            "constraints:\n  min_heat_share: {chp:}\n",
            4,
            "constraints.min_heat_share",
            "missing value",
            "nothing",
            None,
        ),
        (
            "constraints:\n  min_heat_share: {chp: 0.5, CHP: 0.1}\n",
            4,
            "constraints.min_heat_share",
            "technology named twice",
            "'CHP' again (first as 'chp')",
            None,
        ),
        (
            "constraints:\n  min_heat_share: {chp: -0.1}\n",
            4,
            "constraints.min_heat_share",
            "value out of range",
            "-0.1",
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
    assert p.hint == hint


def test_bad_block_and_bad_csv_are_reported_together(tmp_path: Path) -> None:
    folder = network(
        tmp_path / "n", "constraints:\n  capex_budget_cny: -1\n  at_most_one_of: [[X, WH]]\n"
    )
    path = folder / "sources.csv"
    path.write_text(path.read_text("utf-8").replace("waste_heat", "wasteheat"), "utf-8")
    problems = problems_of(folder)
    assert {(p.file, p.column) for p in problems} == {
        ("network.yaml", "constraints.capex_budget_cny"),
        ("network.yaml", "constraints.at_most_one_of"),
        ("sources.csv", "technology"),
    }


# --------------------------------------------------------------------------------------------
# statuses and the network


@pytest.mark.parametrize(
    ("group", "found"),
    [
        ("[COAL_A, S1]", "source 'S1' with status existing"),
        ("[COAL_A, WH]", "source 'WH' with status candidate"),
    ],
)
def test_retire_together_needs_retirable_sources(group: str, found: str, tmp_path: Path) -> None:
    (p,) = problems_of(network(tmp_path / "n", f"constraints:\n  retire_together: [{group}]\n"))
    assert (p.line, p.column, p.message) == (
        4,
        "constraints.retire_together",
        "wrong status for retire_together",
    )
    assert p.found == found
    assert p.expected == "a source with status retirable (its retirement is a decision)"


def test_retire_together_names_sources_only(tmp_path: Path) -> None:
    (p,) = problems_of(network(tmp_path / "n", "constraints:\n  retire_together: [[COAL_A, P1]]\n"))
    assert (p.message, p.found) == ("unknown source id", "'P1'")
    assert p.expected == "the id of a retirable source (4 sources defined)"
    (q,) = problems_of(
        network(tmp_path / "m", "constraints:\n  retire_together: [[COAL_A, COAL_BB]]\n")
    )
    assert q.hint == "Did you mean 'COAL_B'?"


@pytest.mark.parametrize(
    ("ident", "found"),
    [
        ("S1", "source 'S1' with status existing"),
        ("COAL_A", "source 'COAL_A' with status retirable"),
        ("P1", "pipe 'P1' with status existing"),
    ],
)
def test_at_most_one_of_needs_candidates(ident: str, found: str, tmp_path: Path) -> None:
    text = f"constraints:\n  at_most_one_of: [[WH, {ident}]]\n"
    (p,) = problems_of(network(tmp_path / "n", text))
    assert (p.line, p.column, p.message, p.found) == (
        4,
        "constraints.at_most_one_of",
        "wrong status for at_most_one_of",
        found,
    )
    assert p.expected == "a source or pipe with status candidate (its building is a decision)"


def test_an_id_may_be_in_several_groups(tmp_path: Path) -> None:
    text = (
        "constraints:\n"
        "  retire_together: [[COAL_A, COAL_B], [COAL_B, COAL_A]]\n"
        "  at_most_one_of: [[WH, P_NEW], [P_NEW, P_ALT], [WH, P_ALT]]\n"
    )
    net, problems = read_network(network(tmp_path / "n", text))
    assert net is not None, [str(p) for p in problems]
    assert problems == []


def test_an_id_of_both_a_source_and_a_pipe_is_ambiguous(tmp_path: Path) -> None:
    folder = network(tmp_path / "n", "constraints:\n  at_most_one_of: [[WH, P_NEW]]\n")
    path = folder / "sources.csv"
    path.write_text(path.read_text("utf-8").replace("WH,", "P_NEW,"), "utf-8")
    (folder / "network.yaml").write_text(
        HEAD + "constraints:\n  at_most_one_of: [[P_NEW, P_ALT]]\n", "utf-8"
    )
    (p,) = problems_of(folder)
    assert p.message == "ambiguous id: both a source and a pipe"
    assert p.found == "'P_NEW' in sources.csv and in pipes.csv"


@pytest.mark.parametrize(
    ("shares", "ok"),
    [
        ("{waste_heat: 0.6, chp: 0.4}", True),
        ("{waste_heat: 0.5, chp: 0.3, coal_boiler: 0.2}", True),
        ("{waste_heat: 0.7, chp: 0.4}", False),
        ("{waste_heat: 0, geothermal: 0}", True),
    ],
)
def test_shares_add_up_to_at_most_one(shares: str, ok: bool, tmp_path: Path) -> None:
    net, problems = read_network(
        network(tmp_path / "n", f"constraints:\n  min_heat_share: {shares}\n")
    )
    if ok:
        assert net is not None, [str(p) for p in problems]
        return
    (p,) = problems
    assert (p.file, p.line, p.column) == ("network.yaml", 4, "constraints.min_heat_share")
    assert p.message == "heat shares add up to more than 1: no plan can meet them"
    assert p.expected == "shares that add up to at most 1"
    assert p.found == "1.1 (waste_heat 0.7 + chp 0.4)"


def test_a_share_needs_a_source_of_its_technology(tmp_path: Path) -> None:
    text = "constraints:\n  min_heat_share:\n    chp: 0.2\n    gas_boiler: 0.1\n"
    (p,) = problems_of(network(tmp_path / "n", text))
    assert (p.line, p.column) == (6, "constraints.min_heat_share")
    assert p.message == "no source of this technology: no plan can meet the share"
    assert p.found == "gas_boiler: 0.1, and no such source in the model"
    # an unavailable source is not in the model
    folder = network(tmp_path / "m", "constraints:\n  min_heat_share: {waste_heat: 0.2}\n")
    path = folder / "sources.csv"
    path.write_text(path.read_text("utf-8").replace("candidate", "unavailable"), "utf-8")
    (q,) = [p for p in problems_of(folder) if p.severity == "error"]
    assert q.found == "waste_heat: 0.2, and no such source in the model"


def test_validate_lists_the_problems_of_the_block(tmp_path: Path) -> None:
    text = "constraints:\n  capex_budget_cny: -1\n  at_most_one_of: [[WH, P_NEWW]]\n"
    result = CliRunner().invoke(cli, ["validate", str(network(tmp_path / "n", text))])
    assert result.exit_code == 1
    assert "network.yaml:4, field 'constraints.capex_budget_cny'" in result.stderr
    assert "network.yaml:5, field 'constraints.at_most_one_of'" in result.stderr
    assert "Did you mean 'P_NEW'?" in result.stderr
    assert "2 problems found" in result.stderr


def test_validate_accepts_a_good_block(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(network(tmp_path / "n", FULL))])
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------------------------
# scenarios


@pytest.fixture
def ruled(tmp_path: Path) -> Network:
    return load_network(network(tmp_path / "ruled", FULL))


@pytest.fixture
def plain(tmp_path: Path) -> Network:
    return load_network(network(tmp_path / "plain"))


def scenarios(tmp_path: Path, text: str, net: Network) -> tuple[object, list[Problem]]:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return read_scenarios(path, net)


def test_scenario_keys_replace_the_networks(ruled: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"
        "  base: {}\n"
        "  tight:\n"
        "    constraints: {capex_budget_cny: 5e9}\n"
        "  no_budget:\n"
        "    constraints: {capex_budget_cny: null}\n"
        "  other_pair:\n"
        "    constraints:\n"
        "      at_most_one_of: [[WH, P_ALT]]\n"
        "      min_heat_share: {chp: 0.2}\n"
        "  free:\n"
        "    constraints: {retire_together: [], at_most_one_of: null}\n"
    )
    sset, problems = scenarios(tmp_path, text, ruled)
    assert sset is not None, [str(p) for p in problems]
    base = ruled.constraints
    assert apply_scenario(ruled, sset["base"]).constraints == base
    tight = apply_scenario(ruled, sset["tight"]).constraints
    assert tight == dataclasses.replace(base, capex_budget_cny=5e9)
    assert isinstance(tight.capex_budget_cny, float)
    assert apply_scenario(ruled, sset["no_budget"]).constraints == dataclasses.replace(
        base, capex_budget_cny=None
    )
    other = apply_scenario(ruled, sset["other_pair"]).constraints
    assert other == dataclasses.replace(
        base, at_most_one_of=(("WH", "P_ALT"),), min_heat_share=(("chp", 0.2),)
    )
    free = apply_scenario(ruled, sset["free"]).constraints
    assert free == dataclasses.replace(base, retire_together=(), at_most_one_of=())
    assert ruled.constraints.capex_budget_cny == 6e9  # the base is never changed


@pytest.mark.parametrize("removal", ["null", "none", "~", ""])
def test_scenario_removes_the_block(removal: str, ruled: Network, tmp_path: Path) -> None:
    text = f"scenarios:\n  drop:\n    constraints: {removal}\n"
    sset, problems = scenarios(tmp_path, text, ruled)
    assert sset is not None, [str(p) for p in problems]
    assert apply_scenario(ruled, sset["drop"]).constraints is None
    assert apply_scenario(ruled, {"constraints": None}).constraints is None


def test_scenario_adds_a_block(plain: Network, tmp_path: Path) -> None:
    text = "scenarios:\n  pair:\n    constraints: {retire_together: [[COAL_A, COAL_B]]}\n"
    sset, problems = scenarios(tmp_path, text, plain)
    assert sset is not None, [str(p) for p in problems]
    rules = apply_scenario(plain, sset["pair"]).constraints
    assert rules == Constraints(retire_together=(("COAL_A", "COAL_B"),))
    assert plain.constraints is None
    assert apply_scenario(plain, {"constraints": {"capex_budget_cny": 1e9}}).constraints == (
        Constraints(capex_budget_cny=1e9)
    )


def test_scenario_values_are_checked_like_network_yaml(ruled: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"  # 1
        "  bad:\n"  # 2
        "    constraints:\n"  # 3
        "      capex_budget_cny: lots\n"  # 4
        "      retire_togeter: []\n"  # 5
        "      at_most_one_of: [[WH]]\n"  # 6
        "      min_heat_share:\n"  # 7
        "        waste_heat: 1.2\n"  # 8
        "        coal: 0.1\n"  # 9
    )
    sset, problems = scenarios(tmp_path, text, ruled)
    assert sset is None
    got = {(p.line, p.column, p.message) for p in problems}
    assert got == {
        (4, "constraints.capex_budget_cny", "not a number"),
        (5, "constraints.retire_togeter", "unknown key"),
        (6, "constraints.at_most_one_of", "a group of fewer than 2 ids says nothing"),
        (8, "constraints.min_heat_share", "value out of range"),
        (9, "constraints.min_heat_share", "unknown technology"),
    }
    assert all(p.file == "s.yaml" and p.id == "bad" for p in problems)
    assert all(p.expected and p.found for p in problems)
    hints = {p.message: p.hint for p in problems}
    assert hints["unknown key"] == "Did you mean 'retire_together'?"


def test_scenario_constraints_must_be_a_mapping(ruled: Network, tmp_path: Path) -> None:
    sset, problems = scenarios(tmp_path, "scenarios:\n  x:\n    constraints: 5e9\n", ruled)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.column, p.message) == (
        "s.yaml",
        3,
        "constraints",
        "must be a mapping",
    )


def test_scenario_ids_point_into_the_scenario_file(ruled: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"  # 1
        "  x:\n"  # 2
        "    constraints:\n"  # 3
        "      retire_together:\n"  # 4
        "        - [COAL_A, COAL_BB]\n"  # 5
        "        - - COAL_B\n"  # 6
        "          - S1\n"  # 7
    )
    sset, problems = scenarios(tmp_path, text, ruled)
    assert sset is None
    got = [(p.file, p.line, p.column) for p in problems]
    assert got == [
        ("s.yaml", 5, "constraints.retire_together"),
        ("s.yaml", 7, "constraints.retire_together"),
    ]
    assert "unknown source id" in problems[0].message
    assert "'x'" in problems[0].message  # tagged with the scenario
    assert problems[0].hint == "Did you mean 'COAL_B'?"
    assert problems[1].found == "source 'S1' with status existing"


def test_scenario_sum_of_replaced_shares(ruled: Network, tmp_path: Path) -> None:
    text = "scenarios:\n  x:\n    constraints:\n      min_heat_share: {chp: 0.6, waste_heat: 0.5}\n"
    sset, problems = scenarios(tmp_path, text, ruled)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.column) == ("s.yaml", 4, "constraints.min_heat_share")
    assert p.found == "1.1 (chp 0.6 + waste_heat 0.5)"


def test_scenario_that_changes_a_listed_status_points_at_network_yaml(
    ruled: Network, tmp_path: Path
) -> None:
    text = "scenarios:\n  keep_a:\n    sources: {COAL_A: {status: existing}}\n"
    sset, problems = scenarios(tmp_path, text, ruled)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.column) == ("network.yaml", 5, "constraints.retire_together")
    assert "'keep_a'" in p.message
    assert p.found == "source 'COAL_A' with status existing"
    # the scenario that also replaces the rule is fine, and its other keys stay the network's
    fixed = text + "    constraints: {retire_together: []}\n"
    sset, problems = scenarios(tmp_path, fixed, ruled)
    assert sset is not None, [str(p) for p in problems]
    new, _ = scenario_network(ruled, sset["keep_a"])
    assert new is not None
    assert new.constraints.at_most_one_of == ruled.constraints.at_most_one_of


def test_scenario_keeps_network_lines_for_its_other_keys(ruled: Network, tmp_path: Path) -> None:
    text = (
        "scenarios:\n"
        "  x:\n"
        "    pipes: {P_ALT: {status: existing}}\n"
        "    constraints: {capex_budget_cny: 1e9}\n"
    )
    sset, problems = scenarios(tmp_path, text, ruled)
    assert sset is None
    (p,) = problems
    assert (p.file, p.line, p.column) == ("network.yaml", 6, "constraints.at_most_one_of")
    assert p.found == "pipe 'P_ALT' with status existing"


def test_apply_scenario_raises_on_a_bad_mapping(ruled: Network) -> None:
    with pytest.raises(InputError, match="at_most_one_of"):
        apply_scenario(ruled, {"constraints": {"at_most_one_of": [["WH", "S1"]]}})
    with pytest.raises(InputError, match="Did you mean 'min_heat_share'"):
        apply_scenario(ruled, {"constraints": {"min_heat_shares": {"chp": 0.1}}})


# --------------------------------------------------------------------------------------------
# input hash


def test_input_hash_sees_the_block(ruled: Network, plain: Network) -> None:
    without = dataclasses.replace(ruled, constraints=None)
    assert input_hash(ruled) != input_hash(without)
    rules = ruled.constraints
    for change in (
        {"capex_budget_cny": 5e9},
        {"capex_budget_cny": None},
        {"retire_together": ()},
        {"at_most_one_of": (("P_NEW", "P_ALT"),)},
        {"min_heat_share": (("waste_heat", 0.5), ("chp", 0.1))},
    ):
        other = dataclasses.replace(ruled, constraints=dataclasses.replace(rules, **change))
        assert input_hash(other) != input_hash(ruled), change
    assert input_hash(dataclasses.replace(ruled, constraints=Constraints())) != input_hash(without)
    # a network without a block hashes as before the block existed
    assert input_hash(without) == input_hash(dataclasses.replace(plain, name=ruled.name))
    assert input_hash(ruled) == input_hash(dataclasses.replace(ruled))
