"""Validation: every kind of problem names file, line, id and field, with expected and found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from heatnet.errors import InputError, Problem
from heatnet.io import load_network, read_network
from heatnet.network import Pathway
from heatnet.validate import check_network, check_pathway, flow_graph
from tests.helpers import two_node, write_csv


def pipe(pid: str = "P1", **kw: Any) -> dict[str, Any]:
    row = {
        "id": pid,
        "from_node": "A",
        "to_node": "B",
        "length_km": 10,
        "capacity_mw": 80,
        "status": "existing",
    }
    return row | kw


def source(sid: str = "S1", **kw: Any) -> dict[str, Any]:
    row = {"id": sid, "node": "A", "technology": "chp", "capacity_mw": 100, "status": "existing"}
    return row | kw


def demand(did: str = "D1", **kw: Any) -> dict[str, Any]:
    row = {"id": did, "node": "B", "design_load_mw": 60, "profile": "heat"}
    return row | kw


def problems_of(folder: Path, **kwargs: Any) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of reading ``folder``."""
    net, problems = read_network(folder, **kwargs)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    assert (net is None) == bool(errors)
    return errors, warnings


def only_error(folder: Path, **kwargs: Any) -> Problem:
    errors, _ = problems_of(folder, **kwargs)
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


def errors_by_place(folder: Path, count: int) -> dict[tuple[str | None, str | None], Problem]:
    """The errors of ``folder`` keyed by (id, column), asserting there are ``count`` of them
    and that no two share a place."""
    errors, _ = problems_of(folder)
    assert len(errors) == count, "\n".join(map(str, errors))
    out = {(p.id, p.column): p for p in errors}
    assert len(out) == count
    return out


def assert_problem(
    p: Problem,
    file: str | None,
    line: int | None,
    ident: str | None,
    column: str | None,
    expected: str | None = None,
    found: str | None = None,
    message: str | None = None,
) -> None:
    """``p`` points at exactly this place, and its text says so (with expected and found)."""
    assert (p.file, p.line, p.id, p.column) == (file, line, ident, column), repr(p)
    text = str(p)
    if file is not None:
        assert text.startswith(f"{file}:{line}" if line is not None else file), text
    if ident is not None:
        assert f"id {ident!r}" in text, text
    if column is not None:
        assert f"field {column!r}" in text, text
    if expected is not None:
        assert expected in (p.expected or ""), repr(p)
        assert f"expected {p.expected}" in text, text
    if found is not None:
        assert found in (p.found or ""), repr(p)
        assert f"found {p.found}" in text, text
    if message is not None:
        assert message in p.message, repr(p)


# --------------------------------------------------------------------------------------------
# files and columns


@pytest.mark.parametrize(
    "file",
    ["network.yaml", "nodes.csv", "sources.csv", "pipes.csv", "demands.csv", "profiles.csv"],
)
def test_missing_file(tmp_path: Path, file: str) -> None:
    folder = two_node(tmp_path)
    (folder / file).unlink()
    p = only_error(folder)
    assert_problem(
        p,
        file,
        None,
        None,
        None,
        expected=str(folder / file),
        found="nothing",
        message="file not found",
    )


def test_missing_column_with_rename_hint(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_csv(
        folder / "sources.csv",
        [{"id": "S1", "node": "A", "technology": "chp", "capacity": 100, "status": "existing"}],
    )
    p = only_error(folder)
    assert_problem(
        p,
        "sources.csv",
        1,
        None,
        "capacity_mw",
        expected="a column named 'capacity_mw'",
        found="columns id, node, technology, capacity, status",
        message="missing column",
    )
    assert p.hint == "rename column 'capacity' to 'capacity_mw'"


def test_missing_profile_column_in_demands_does_not_crash(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    write_csv(folder / "demands.csv", [{"id": "D1", "node": "B", "design_load_mw": 60}])
    p = only_error(folder)
    assert_problem(p, "demands.csv", 1, None, "profile", message="missing column")


def test_missing_to_node_column_gives_no_follow_on_errors(tmp_path: Path) -> None:
    folder = two_node(tmp_path)
    (folder / "pipes.csv").write_text(
        "id,from_node,length_km,capacity_mw,status\nP1,A,10,80,existing\n", "utf-8"
    )
    p = only_error(folder)
    assert_problem(p, "pipes.csv", 1, None, "to_node", message="missing column")


def test_missing_required_value(tmp_path: Path) -> None:
    folder = two_node(tmp_path, demands=[demand(), demand("D2", profile="")])
    p = only_error(folder)  # and no crash computing demand of an unnamed profile
    assert_problem(
        p,
        "demands.csv",
        3,
        "D2",
        "profile",
        expected="a non-empty text",
        found="an empty cell",
        message="missing value",
    )


def test_missing_id(tmp_path: Path) -> None:
    folder = two_node(tmp_path, pipes=[pipe(), pipe("")])
    p = only_error(folder)
    assert_problem(p, "pipes.csv", 3, None, "id", found="an empty cell", message="missing value")


# --------------------------------------------------------------------------------------------
# ids and references


def test_duplicated_ids(tmp_path: Path) -> None:
    folder = two_node(
        tmp_path,
        nodes=[{"id": "A"}, {"id": "B"}, {"id": "A"}],
        sources=[source(), source("S2"), source("S1", node="B")],
        pipes=[pipe(), pipe("P2"), pipe("P1")],
        demands=[demand(), demand("D2"), demand("D1")],
    )
    errors, _ = problems_of(folder)
    assert len(errors) == 4
    for p, (file, ident) in zip(
        errors,
        [("nodes.csv", "A"), ("sources.csv", "S1"), ("pipes.csv", "P1"), ("demands.csv", "D1")],
        strict=True,
    ):
        assert_problem(
            p,
            file,
            4,
            ident,
            "id",
            expected="a unique id",
            found=f"{ident!r} again (first on line 2)",
            message="duplicated id",
        )


def test_unknown_nodes(tmp_path: Path) -> None:
    folder = two_node(
        tmp_path,
        sources=[source(), source("S2", node="a")],
        demands=[demand(node="Bx")],
        pipes=[pipe(), pipe("P2", from_node="AA"), pipe("P3", to_node="C")],
    )
    errors, _ = problems_of(folder)  # and no follow-on "unreachable" error
    expected = [
        ("sources.csv", 3, "S2", "node", "a"),
        ("demands.csv", 2, "D1", "node", "Bx"),
        ("pipes.csv", 3, "P2", "from_node", "AA"),
        ("pipes.csv", 4, "P3", "to_node", "C"),
    ]
    assert len(errors) == len(expected), "\n".join(map(str, errors))
    for p, (file, line, ident, column, ref) in zip(errors, expected, strict=True):
        assert_problem(
            p,
            file,
            line,
            ident,
            column,
            expected="the id of a node (2 defined)",
            found=repr(ref),
            message="unknown node",
        )


def test_unknown_node_has_did_you_mean(tmp_path: Path) -> None:
    nodes = [{"id": "H_HUASHAN"}, {"id": "B"}, {"id": "A"}]
    folder = two_node(tmp_path, nodes=nodes, pipes=[pipe(), pipe("P2", to_node="H_HUASHN")])
    p = only_error(folder)
    assert p.hint == "Did you mean 'H_HUASHAN'?"


@pytest.mark.parametrize(
    ("key", "rows", "file", "column", "ident", "line"),
    [
        ("demands", [demand(), demand("D2", profile="hot")], "demands.csv", "profile", "D2", 3),
        ("sources", [source(availability="avail")], "sources.csv", "availability", "S1", 2),
    ],
)
def test_unknown_profile_column(
    tmp_path: Path,
    key: str,
    rows: list[dict[str, Any]],
    file: str,
    column: str,
    ident: str,
    line: int,
) -> None:
    folder = two_node(tmp_path, **{key: rows})
    p = only_error(folder)
    assert_problem(
        p,
        file,
        line,
        ident,
        column,
        expected="the id of a profile column of profiles.csv",
        found=repr(rows[-1][column]),
        message="unknown profile column",
    )


def test_known_availability_profile_is_used(tmp_path: Path) -> None:
    profiles = [
        {"period": "t1", "weight_h": 10, "heat": 1.0, "avail": 0.8},
        {"period": "t2", "weight_h": 10, "heat": 0.5, "avail": 0.9},
    ]
    net = load_network(
        two_node(tmp_path, sources=[source(availability="avail")], profiles=profiles)
    )
    assert list(net.availability()["S1"]) == [0.8, 0.9]


# --------------------------------------------------------------------------------------------
# values


BAD_CAPACITIES = [
    ("abc", "not a number"),
    ("nan", "not a number"),
    ("NaN", "not a number"),
    ("inf", "infinite value"),
    ("-inf", "infinite value"),
    ("-5", "value out of range"),
    ("0", "value out of range"),
    ("", "missing value"),
    ("1,5", "not a number"),
]


def test_bad_capacity(tmp_path: Path) -> None:
    pipes = [pipe(f"P{i}", capacity_mw=text) for i, (text, _) in enumerate(BAD_CAPACITIES)]
    errors = errors_by_place(two_node(tmp_path, pipes=[pipe("OK"), *pipes]), len(pipes))
    for i, (text, message) in enumerate(BAD_CAPACITIES):
        p = errors[(f"P{i}", "capacity_mw")]
        found = repr(text) if text else "an empty cell"
        assert_problem(
            p,
            "pipes.csv",
            3 + i,
            f"P{i}",
            "capacity_mw",
            expected="a finite number > 0",
            found=found,
            message=message,
        )


OUT_OF_RANGE = {
    "pipes": [
        ("length_km", 0, "a finite number > 0"),
        ("lifetime_years", 0, "a finite number > 0"),
        ("loss_fraction_per_km", -0.01, "a finite number >= 0 and < 1"),
        ("loss_fraction_per_km", 1, "a finite number >= 0 and < 1"),
        ("pumping_cost_cny_per_mwh", -1, "a finite number >= 0"),
        ("capex_cny", -1, "a finite number >= 0"),
    ],
    "sources": [
        ("capacity_mw", 0, "a finite number > 0"),
        ("co2_t_per_mwh", -0.3, "a finite number >= 0"),
        ("fixed_cost_cny_per_year", -1, "a finite number >= 0"),
        ("retirement_cost_cny", -1, "a finite number >= 0"),
        ("capex_cny", -1, "a finite number >= 0"),
        ("lifetime_years", -25, "a finite number > 0"),
    ],
    "demands": [("design_load_mw", -60, "a finite number >= 0")],
}


def test_values_out_of_range(tmp_path: Path) -> None:
    row = {"pipes": pipe, "sources": source, "demands": demand}
    tables = {
        key: [
            row[key](),
            *(row[key](f"X{i}", **{col: value}) for i, (col, value, _) in enumerate(cases)),
        ]
        for key, cases in OUT_OF_RANGE.items()
    }
    found_errors, _ = problems_of(two_node(tmp_path, **tables))
    errors = {(p.file, p.id, p.column): p for p in found_errors}
    assert len(errors) == len(found_errors) == sum(map(len, OUT_OF_RANGE.values()))
    for key, cases in OUT_OF_RANGE.items():
        for i, (col, value, expected) in enumerate(cases):
            p = errors[(f"{key}.csv", f"X{i}", col)]
            assert_problem(
                p,
                f"{key}.csv",
                3 + i,
                f"X{i}",
                col,
                expected=expected,
                found=repr(str(value)),
                message="value out of range",
            )


def test_coordinates_out_of_range(tmp_path: Path) -> None:
    nodes = [{"id": "A", "lat": 36.7, "lon": 117.0}, {"id": "B", "lat": 117.0, "lon": 36.7}]
    folder = two_node(tmp_path, nodes=nodes)
    p = only_error(folder)
    assert_problem(
        p,
        "nodes.csv",
        3,
        "B",
        "lat",
        expected="a finite number >= -90 and <= 90",
        found="'117.0'",
        message="value out of range",
    )


@pytest.mark.parametrize(
    ("column", "text", "hint"),
    [
        ("status", "Exist", "Did you mean 'existing'?"),
        ("technology", "coal", None),
        ("technology", "heatpump", "Did you mean 'heat_pump'?"),
    ],
)
def test_unknown_choice_for_sources(
    tmp_path: Path, column: str, text: str, hint: str | None
) -> None:
    folder = two_node(tmp_path, sources=[source(**{column: text})])
    p = only_error(folder)  # an unknown status gives no follow-on "unreachable" error
    assert_problem(
        p,
        "sources.csv",
        2,
        "S1",
        column,
        expected="one of ",
        found=repr(text),
        message=f"unknown {column}",
    )
    assert p.hint == hint


def test_unknown_pipe_status(tmp_path: Path) -> None:
    folder = two_node(tmp_path, pipes=[pipe(status="retirable")])
    p = only_error(folder)
    assert_problem(
        p,
        "pipes.csv",
        2,
        "P1",
        "status",
        expected="one of existing, candidate, committed, unavailable",
        found="'retirable'",
        message="unknown status",
    )


def test_pipe_from_a_node_to_itself(tmp_path: Path) -> None:
    folder = two_node(tmp_path, pipes=[pipe(), pipe("P2", from_node="B", to_node="B")])
    p = only_error(folder)
    assert_problem(
        p,
        "pipes.csv",
        3,
        "P2",
        "to_node",
        expected="a node other than from_node",
        found="'B'",
        message="pipe from a node to itself",
    )


EFFICIENCY_ZERO_OR_LESS = [(0.1, 10), (0.05, 25), (0.5, 2.5)]


def test_pipe_efficiency_not_positive(tmp_path: Path) -> None:
    pipes = [
        pipe(f"P{i}", loss_fraction_per_km=loss, length_km=length)
        for i, (loss, length) in enumerate(EFFICIENCY_ZERO_OR_LESS)
    ]
    folder = two_node(tmp_path, pipes=[pipe("OK", loss_fraction_per_km=0.05), *pipes])
    errors = errors_by_place(folder, len(pipes))
    for i, (loss, length) in enumerate(EFFICIENCY_ZERO_OR_LESS):
        assert_problem(
            errors[(f"P{i}", "loss_fraction_per_km")],
            "pipes.csv",
            3 + i,
            f"P{i}",
            "loss_fraction_per_km",
            expected="1 - loss_fraction_per_km * length_km > 0",
            found=f"{loss:g} * {length:g} km",
            message="lose all its heat",
        )


def test_pipe_efficiency_just_positive_is_fine(tmp_path: Path) -> None:
    net = load_network(two_node(tmp_path, pipes=[pipe(loss_fraction_per_km=0.099)]))
    assert net.pipes.loc["P1", "loss_fraction_per_km"] == 0.099


# --------------------------------------------------------------------------------------------
# profiles


BAD_WEIGHTS = [
    (0, "value out of range"),
    (-1, "value out of range"),
    ("x", "not a number"),
    ("", "missing value"),
    ("inf", "infinite value"),
]
BAD_VALUES = [(-0.1, "value out of range"), ("nan", "not a number"), ("", "missing value")]


def test_profile_weights_not_positive_and_values_negative(tmp_path: Path) -> None:
    profiles = [{"period": "ok", "weight_h": 10, "heat": 1.0, "avail": 1}]
    profiles += [
        {"period": f"w{i}", "weight_h": w, "heat": 1.0, "avail": 1}
        for i, (w, _) in enumerate(BAD_WEIGHTS)
    ]
    profiles += [
        {"period": f"v{i}", "weight_h": 1, "heat": 0.5, "avail": v}
        for i, (v, _) in enumerate(BAD_VALUES)
    ]
    errors, _ = problems_of(two_node(tmp_path, profiles=profiles))
    assert len(errors) == len(BAD_WEIGHTS) + len(BAD_VALUES), "\n".join(map(str, errors))
    by_line = {p.line: p for p in errors}
    cases = [("weight_h", w, m, "a finite number > 0") for w, m in BAD_WEIGHTS]
    cases += [("avail", v, m, "a finite number >= 0") for v, m in BAD_VALUES]
    for line, (column, value, message, expected) in enumerate(cases, start=3):
        found = repr(str(value)) if value != "" else "an empty cell"
        assert_problem(
            by_line[line],
            "profiles.csv",
            line,
            None,
            column,
            expected=expected,
            found=found,
            message=message,
        )


def test_duplicated_period(tmp_path: Path) -> None:
    profiles = [
        {"period": "t1", "weight_h": 10, "heat": 1.0},
        {"period": "t1", "weight_h": 10, "heat": 0.5},
    ]
    p = only_error(two_node(tmp_path, profiles=profiles))
    assert_problem(
        p,
        "profiles.csv",
        3,
        None,
        "period",
        expected="each period once",
        found="'t1' (also on line 2)",
        message="duplicated period",
    )


# --------------------------------------------------------------------------------------------
# all at once


def test_problems_in_every_file_are_reported_together(tmp_path: Path) -> None:
    folder = two_node(
        tmp_path,
        nodes=[{"id": "A"}, {"id": "B"}, {"id": "B"}],
        sources=[source(technology="nuclear")],
        pipes=[pipe(to_node="X"), pipe("P2", capacity_mw=-5)],
        demands=[demand(design_load_mw="lots")],
        profiles=[
            {"period": "t1", "weight_h": 0, "heat": 1.0},
            {"period": "t2", "weight_h": 10, "heat": -0.5},
        ],
        economics={"carbon_prise_cny_per_t": 100},
    )
    with pytest.raises(InputError) as info:
        load_network(folder)
    exc = info.value
    got = {(p.file, p.line, p.id, p.column) for p in exc.errors}
    assert got == {
        ("network.yaml", 2, None, "economics.carbon_prise_cny_per_t"),
        ("nodes.csv", 4, "B", "id"),
        ("sources.csv", 2, "S1", "technology"),
        ("pipes.csv", 2, "P1", "to_node"),
        ("pipes.csv", 3, "P2", "capacity_mw"),
        ("demands.csv", 2, "D1", "design_load_mw"),
        ("profiles.csv", 2, None, "weight_h"),
        ("profiles.csv", 3, None, "heat"),
    }
    text = str(exc)
    assert text.splitlines()[0].endswith("8 problems found")
    for p in exc.errors:
        assert f"  - {p}" in text


# --------------------------------------------------------------------------------------------
# graph


def test_one_way_pipe_pointing_the_wrong_way_is_an_error(tmp_path: Path) -> None:
    folder = two_node(tmp_path, pipes=[pipe(from_node="B", to_node="A", bidirectional="false")])
    p = only_error(folder)
    assert_problem(
        p,
        "demands.csv",
        2,
        "D1",
        "node",
        expected="direction respected",
        found="node 'B' unreachable",
        message="no source can reach",
    )
    assert "0.9 GWh" in (p.found or "")  # 60 MW x 10 h + 30 MW x 10 h


def test_one_way_unreachable_is_a_warning_when_not_strict(tmp_path: Path) -> None:
    folder = two_node(tmp_path, pipes=[pipe(from_node="B", to_node="A", bidirectional="false")])
    net, problems = read_network(folder, strict_graph=False)
    assert net is not None
    assert [(p.file, p.id, p.severity) for p in problems if "reach" in p.message] == [
        ("demands.csv", "D1", "warning")
    ]


def test_bidirectional_pipe_reaches_the_demand(tmp_path: Path) -> None:
    folder = two_node(tmp_path, pipes=[pipe(from_node="B", to_node="A", bidirectional="true")])
    errors, warnings = problems_of(folder)
    assert errors == []
    assert warnings == []


def test_one_way_chain_in_the_right_direction(tmp_path: Path) -> None:
    nodes = [{"id": "A"}, {"id": "J"}, {"id": "B"}]
    pipes = [
        pipe("P1", to_node="J", bidirectional="no"),
        pipe("P2", from_node="J", to_node="B", bidirectional="no"),
    ]
    errors, _ = problems_of(two_node(tmp_path, nodes=nodes, pipes=pipes))
    assert errors == []


def test_unavailable_pipe_is_ignored(tmp_path: Path) -> None:
    folder = two_node(tmp_path, pipes=[pipe(status="unavailable")])
    p = only_error(folder)
    assert_problem(p, "demands.csv", 2, "D1", "node", message="no source can reach")
    net, _ = read_network(folder, strict_graph=False)
    assert net is not None
    assert not flow_graph(net).has_edge("A", "B")


def test_candidate_pipe_counts_as_reachable(tmp_path: Path) -> None:
    folder = two_node(tmp_path, pipes=[pipe(status="candidate", capex_cny=1e8)])
    errors, warnings = problems_of(folder)
    assert errors == []
    assert warnings == []


def test_candidate_source_counts_as_reachable(tmp_path: Path) -> None:
    sources = [source(status="candidate", capex_cny=1e8)]
    errors, _ = problems_of(two_node(tmp_path, sources=sources))
    assert errors == []


@pytest.mark.parametrize("status", ["unavailable", "retired"])
def test_source_that_cannot_run_does_not_reach(tmp_path: Path, status: str) -> None:
    p = only_error(two_node(tmp_path, sources=[source(status=status)]))
    assert_problem(p, "demands.csv", 2, "D1", "node", message="no source can reach")


def test_only_the_unreachable_demand_is_reported(tmp_path: Path) -> None:
    nodes = [{"id": "A"}, {"id": "B"}, {"id": "C"}]
    demands = [demand(), demand("D2", node="C"), demand("D3", node="A")]
    pipes = [pipe(), pipe("P2", from_node="C", to_node="B", bidirectional="false")]
    p = only_error(two_node(tmp_path, nodes=nodes, demands=demands, pipes=pipes))
    assert_problem(p, "demands.csv", 3, "D2", "node", found="node 'C' unreachable")


def test_isolated_node_is_a_warning(tmp_path: Path) -> None:
    nodes = [{"id": "A"}, {"id": "B"}, {"id": "Z"}]
    errors, warnings = problems_of(two_node(tmp_path, nodes=nodes))
    assert errors == []
    assert len(warnings) == 1
    assert_problem(warnings[0], "nodes.csv", 4, "Z", None, message="no pipes, sources or demands")


# --------------------------------------------------------------------------------------------
# capacity and cost warnings


def test_capacity_below_peak_is_a_warning_with_both_numbers(tmp_path: Path) -> None:
    folder = two_node(tmp_path, sources=[source(capacity_mw=40)])
    net, problems = read_network(folder)
    assert net is not None  # a warning does not stop loading
    assert len(problems) == 1
    w = problems[0]
    assert w.severity == "warning"
    assert "40.0 MW of capacity" in (w.found or "")
    assert "60.0 MW of demand" in (w.found or "")
    assert "period 't1'" in (w.found or "")
    assert "short in 1 of 2 periods" in (w.found or "")
    assert "20,000 CNY/MWh" in w.message
    assert load_network(folder).sources.loc["S1", "capacity_mw"] == 40


def test_capacity_counts_availability_and_candidates(tmp_path: Path) -> None:
    profiles = [
        {"period": "t1", "weight_h": 10, "heat": 0.5, "avail": 1.0},
        {"period": "t2", "weight_h": 10, "heat": 1.0, "avail": 0.5},
    ]
    sources = [
        source(availability="avail"),
        source("S2", capacity_mw=5, status="candidate"),
        source("S3", capacity_mw=500, status="unavailable"),
    ]
    net, problems = read_network(two_node(tmp_path, sources=sources, profiles=profiles))
    assert net is not None
    (w,) = problems
    assert "55.0 MW of capacity against 60.0 MW of demand in period 't2'" in (w.found or "")


def test_enough_capacity_gives_no_warning(tmp_path: Path) -> None:
    net, problems = read_network(two_node(tmp_path, sources=[source(capacity_mw=60)]))
    assert net is not None
    assert problems == []


def test_cost_warnings(tmp_path: Path) -> None:
    folder = two_node(
        tmp_path,
        pipes=[pipe(capex_cny=5e6)],
        sources=[
            source(capex_cny=7),
            source("S2", retirement_cost_cny=3),
            source("S3", status="candidate", retirement_cost_cny=3),
            source("S4", variable_cost_cny_per_mwh=-10),
        ],
        demands=[demand(), demand("D2", design_load_mw=0)],
    )
    net, problems = read_network(folder)
    assert net is not None
    assert all(p.severity == "warning" for p in problems)
    expected = [
        ("sources.csv", 2, "S1", "capex_cny", "7 on a source with status existing"),
        ("sources.csv", 3, "S2", "retirement_cost_cny", "3 on a source with status existing"),
        ("sources.csv", 4, "S3", "retirement_cost_cny", "3 on a source with status candidate"),
        ("sources.csv", 5, "S4", "variable_cost_cny_per_mwh", "-10"),
        ("pipes.csv", 2, "P1", "capex_cny", "5e+06 on a pipe with status existing"),
        ("demands.csv", 3, "D2", "design_load_mw", "0"),
    ]
    assert len(problems) == len(expected), "\n".join(map(str, problems))
    for w, (file, line, ident, column, found) in zip(problems, expected, strict=True):
        assert_problem(w, file, line, ident, column, found=found)


def test_costs_where_they_apply_give_no_warning(tmp_path: Path) -> None:
    sources = [
        source(),
        source("S2", status="retirable", retirement_cost_cny=1e6),
        source("S3", status="candidate", capex_cny=1e8),
    ]
    pipes = [pipe(), pipe("P2", status="candidate", capex_cny=1e8)]
    net, problems = read_network(two_node(tmp_path, sources=sources, pipes=pipes))
    assert net is not None
    assert problems == []


def test_pathway_checks_on_a_network_built_in_memory(tmp_path: Path) -> None:
    """A network built in memory may lack the pathway columns, or hold them as text: the
    checks read what is there and never crash."""
    net = load_network(two_node(tmp_path))
    bare = net.replace(
        sources=net.sources.drop(columns=["earliest_year", "retire_by"]),
        pipes=net.pipes.drop(columns=["earliest_year"]),
        pathway=Pathway(years=(2025, 2026), co2_peak_year=2026),
    )
    assert check_pathway(bare) == []
    assert [p for p in check_network(bare) if p.severity == "error"] == []
    texts = net.sources.assign(earliest_year=["2030"], retire_by=[""]).astype(
        {"earliest_year": object, "retire_by": object}
    )
    (p,) = check_pathway(net.replace(sources=texts, pathway=Pathway(years=(2025, 2026))))
    assert (p.file, p.id, p.column, p.severity) == ("sources.csv", "S1", "earliest_year", "warning")
    # a block whose years could not be read (reported by the loader): no follow-on problems
    assert check_pathway(net.replace(pathway=Pathway(years=(), co2_peak_year=2030))) == []
