"""Checks on a loaded network: references, physics, graph reachability, capacity adequacy.

Each ``check_*`` function takes a :class:`~heatnet.network.Network` and returns a list of
:class:`~heatnet.errors.Problem` (errors and warnings); none of them raises.
:func:`check_network` runs them all. Per-cell checks (types, ranges, choices) happen earlier, in
:mod:`heatnet.io`, while the files are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd

from heatnet.errors import Problem, Severity, did_you_mean
from heatnet.geo import ROUTE_END_TOLERANCE_M, WktError, distance_m, parse_wkt_linestring
from heatnet.network import Network
from heatnet.schema import (
    ACTIVE_SOURCE_STATUSES,
    BUILD_STATUSES,
    MAX_MAGNITUDE,
    PATHWAY_PER_YEAR,
    PIPES,
    SOURCES,
    TOO_LARGE_HINT,
)

ACTIVE_SOURCE = ACTIVE_SOURCE_STATUSES
#: Hours in a leap year: the periods of one season cannot stand for more (costs are annual).
HOURS_PER_YEAR = 8784.0


def _unknown_ref(
    net: Network, file: str, column: str, refs: pd.Series, known: Iterable[str], what: str
) -> list[Problem]:
    known = list(known)
    known_set = set(known)
    out = []
    for ident, ref in refs.items():
        if ref and ref not in known_set:
            out.append(
                Problem(
                    file,
                    f"unknown {what}",
                    line=net.line_of(file, str(ident)),
                    id=str(ident),
                    column=column,
                    expected=f"the id of a {what} ({len(known_set)} defined)",
                    found=repr(ref),
                    hint=did_you_mean(ref, known),
                )
            )
    return out


def check_references(net: Network, profiles_label: str = "profiles") -> list[Problem]:
    """Every node id and profile-column name used in a table is defined."""
    nodes = net.nodes.index
    profile_cols = [c for c in net.profiles.columns if c not in ("period", "weight_h")]
    out = _unknown_ref(net, "sources.csv", "node", net.sources["node"], nodes, "node")
    out += _unknown_ref(net, "demands.csv", "node", net.demands["node"], nodes, "node")
    out += _unknown_ref(net, "pipes.csv", "from_node", net.pipes["from_node"], nodes, "node")
    out += _unknown_ref(net, "pipes.csv", "to_node", net.pipes["to_node"], nodes, "node")
    what = f"profile column of {profiles_label}"
    out += _unknown_ref(net, "demands.csv", "profile", net.demands["profile"], profile_cols, what)
    out += _unknown_ref(
        net, "sources.csv", "availability", net.sources["availability"], profile_cols, what
    )
    return out


def check_pipes(net: Network) -> list[Problem]:
    """No pipe from a node to itself; efficiency 1 - loss_fraction_per_km * length_km > 0."""
    out = []
    p = net.pipes
    for pid, row in p.iterrows():
        line = net.line_of("pipes.csv", str(pid))
        if row["from_node"] and row["from_node"] == row["to_node"]:
            out.append(
                Problem(
                    "pipes.csv",
                    "pipe from a node to itself",
                    line=line,
                    id=str(pid),
                    column="to_node",
                    expected="a node other than from_node",
                    found=repr(row["to_node"]),
                )
            )
        eta = 1.0 - row["loss_fraction_per_km"] * row["length_km"]
        if np.isfinite(eta) and eta <= 0:
            out.append(
                Problem(
                    "pipes.csv",
                    "the pipe would lose all its heat",
                    line=line,
                    id=str(pid),
                    column="loss_fraction_per_km",
                    expected="1 - loss_fraction_per_km * length_km > 0",
                    found=f"{row['loss_fraction_per_km']:g} * {row['length_km']:g} km = "
                    f"{1 - eta:.3g} lost",
                    hint="loss_fraction_per_km is a share per km, e.g. 0.0001 for 0.01 %/km",
                )
            )
    return out


def _node_coord(net: Network, node: str) -> tuple[float, float] | None:
    """(lon, lat) of a node, or None when the node is unknown or has no coordinates."""
    nodes = net.nodes
    if node not in nodes.index or not {"lat", "lon"} <= set(nodes.columns):
        return None
    lon, lat = nodes.at[node, "lon"], nodes.at[node, "lat"]
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    return (lon, lat) if np.isfinite(lon) and np.isfinite(lat) else None


def check_routes(net: Network) -> list[Problem]:
    """Every non-empty ``route_wkt`` is a WKT LINESTRING of at least 2 points in WGS84 range,
    starting within :data:`~heatnet.geo.ROUTE_END_TOLERANCE_M` of its from_node and ending
    within it of its to_node (nodes without coordinates are not checked)."""
    out: list[Problem] = []
    p = net.pipes
    if "route_wkt" not in p.columns:
        return out
    tol = ROUTE_END_TOLERANCE_M
    for pid, row in p.iterrows():
        text = str(row["route_wkt"] or "")
        if not text.strip():
            continue
        line = net.line_of("pipes.csv", str(pid))
        shown = text if len(text) <= 60 else text[:57] + "…"

        def bad(message: str, found: str, hint: str | None = None, *, _line=line, _pid=pid) -> None:
            out.append(
                Problem(
                    "pipes.csv",
                    message,
                    line=_line,
                    id=str(_pid),
                    column="route_wkt",
                    expected=schema_route_expected(),
                    found=found,
                    hint=hint,
                )
            )

        try:
            coords = parse_wkt_linestring(text)
        except WktError as exc:
            bad("route_wkt is not a usable WKT LINESTRING", f"{shown!r} ({exc})")
            continue
        for end, node, coord in (
            ("starts", row["from_node"], coords[0]),
            ("ends", row["to_node"], coords[-1]),
        ):
            at = _node_coord(net, str(node))
            if at is None:
                continue
            d = distance_m(coord, at)
            if d > tol:
                other = row["to_node"] if end == "starts" else row["from_node"]
                other_at = _node_coord(net, str(other))
                reversed_ = other_at is not None and distance_m(coord, other_at) <= tol
                bad(
                    f"route_wkt {end} {d:,.0f} m from its {'from' if end == 'starts' else 'to'}"
                    f"_node {node}",
                    f"{end} at ({coord[0]:g} {coord[1]:g}), {d:,.0f} m from {node} "
                    f"(at {at[0]:g} {at[1]:g}); tolerance {tol:g} m",
                    "The route runs from to_node to from_node: reverse its points"
                    if reversed_
                    else "Check the route's first and last points and the node's lat/lon "
                    "(WKT is lon lat)",
                )
    return out


def schema_route_expected() -> str:
    """What a valid ``route_wkt`` looks like (from the schema)."""
    return PIPES.column("route_wkt").expected()


def check_costs(net: Network) -> list[Problem]:
    """Warnings on values that never apply or look wrong (they do not stop a solve)."""
    out = []
    for sid, row in net.sources.iterrows():
        line = net.line_of("sources.csv", str(sid))
        # an empty status is an invalid one, already reported: no follow-on warnings
        if row["capex_cny"] > 0 and row["status"] not in (*BUILD_STATUSES, ""):
            out.append(
                Problem(
                    "sources.csv",
                    "capex is only used for candidate and committed sources and is ignored here",
                    line=line,
                    id=str(sid),
                    column="capex_cny",
                    found=f"{row['capex_cny']:g} on a source with status {row['status']}",
                    severity="warning",
                )
            )
        if row["retirement_cost_cny"] > 0 and row["status"] not in ("retirable", "retired", ""):
            out.append(
                Problem(
                    "sources.csv",
                    "retirement cost is only used for retirable sources and is ignored here",
                    line=line,
                    id=str(sid),
                    column="retirement_cost_cny",
                    found=f"{row['retirement_cost_cny']:g} on a source with status {row['status']}",
                    severity="warning",
                )
            )
        if row["variable_cost_cny_per_mwh"] < 0:
            out.append(
                Problem(
                    "sources.csv",
                    "negative variable cost: the optimiser will "
                    "produce heat and burn it in pipe losses to earn it",
                    line=line,
                    id=str(sid),
                    column="variable_cost_cny_per_mwh",
                    expected="a cost >= 0",
                    found=f"{row['variable_cost_cny_per_mwh']:g}",
                    severity="warning",
                )
            )
    for pid, row in net.pipes.iterrows():
        if row["capex_cny"] > 0 and row["status"] not in (*BUILD_STATUSES, ""):
            out.append(
                Problem(
                    "pipes.csv",
                    "capex is only used for candidate and committed pipes and is ignored here",
                    line=net.line_of("pipes.csv", str(pid)),
                    id=str(pid),
                    column="capex_cny",
                    found=f"{row['capex_cny']:g} on a pipe with status {row['status']}",
                    severity="warning",
                )
            )
    for did, row in net.demands.iterrows():
        if row["design_load_mw"] == 0:
            out.append(
                Problem(
                    "demands.csv",
                    "design load is zero: this demand never needs heat",
                    line=net.line_of("demands.csv", str(did)),
                    id=str(did),
                    column="design_load_mw",
                    found="0",
                    severity="warning",
                )
            )
    return out


def flow_graph(net: Network) -> nx.DiGraph:
    """Directed graph of where heat can go: from→to for every usable pipe, both ways if
    bidirectional (existing and candidate pipes; unavailable pipes left out)."""
    g = nx.DiGraph()
    g.add_nodes_from(net.nodes.index)
    for _, row in net.pipes.iterrows():
        if row["status"] == "unavailable":
            continue
        g.add_edge(row["from_node"], row["to_node"])
        if row["bidirectional"]:
            g.add_edge(row["to_node"], row["from_node"])
    return g


def check_graph(net: Network, severity: Severity = "error") -> list[Problem]:
    """Every demand node can be reached by heat from some usable source through the pipes
    (existing or candidate, respecting direction); nodes with nothing attached are flagged."""
    g = flow_graph(net)
    src_nodes = set(net.sources.loc[net.sources["status"].isin(ACTIVE_SOURCE), "node"])
    src_nodes &= set(g.nodes)
    reach: set[str] = set()
    for n in src_nodes:
        if n not in reach:
            reach |= nx.descendants(g, n) | {n}
    out = []
    demand_mwh = (net.demand_mw().mul(net.weights_h, axis=0)).sum()
    for did, row in net.demands.iterrows():
        node = row["node"]
        if node in g.nodes and node not in reach:
            gwh = demand_mwh.get(node, 0.0) / 1000
            out.append(
                Problem(
                    "demands.csv",
                    "no source can reach this demand through the pipes",
                    line=net.line_of("demands.csv", str(did)),
                    id=str(did),
                    column="node",
                    expected="a path of pipes (direction respected) from a source's node",
                    found=f"node {node!r} unreachable; its {gwh:,.1f} GWh would all be unserved",
                    hint="check pipe directions (bidirectional) and node ids",
                    severity=severity,
                )
            )
    used = set(net.sources["node"]) | set(net.demands["node"])
    for nid in net.nodes.index:
        if g.degree(nid) == 0 and nid not in used:
            out.append(
                Problem(
                    "nodes.csv",
                    "node has no pipes, sources or demands",
                    line=net.line_of("nodes.csv", str(nid)),
                    id=str(nid),
                    severity="warning",
                )
            )
    return out


def check_season(net: Network, profiles_label: str = "profiles") -> list[Problem]:
    """The periods cover at most a year: the objective adds one year of annualised capex and
    fixed costs to the season's running costs."""
    hours = float(np.nansum(net.weights_h))
    if hours <= HOURS_PER_YEAR:
        return []
    return [
        Problem(
            profiles_label,
            "the periods cover more than a year",
            column="weight_h",
            expected=f"weights adding up to at most {HOURS_PER_YEAR:g} h (one heating "
            "season or one year)",
            found=f"{hours:,.0f} h in {net.n_periods} periods",
            hint="weight_h is the number of hours each row stands for, e.g. 1 for "
            "hourly rows and 24 for daily rows",
        )
    ]


def check_demand_size(net: Network) -> list[Problem]:
    """design_load_mw times the largest value of its profile stays a number the solver can
    handle (each factor is checked on its own when read)."""
    out = []
    for did, row in net.demands.iterrows():
        peak = float(net.profiles[row["profile"]].max()) if net.n_periods else 0.0
        mw = row["design_load_mw"] * peak
        if np.isfinite(mw) and mw > MAX_MAGNITUDE:
            out.append(
                Problem(
                    "demands.csv",
                    "demand too large",
                    line=net.line_of("demands.csv", str(did)),
                    id=str(did),
                    column="design_load_mw",
                    expected=f"design_load_mw × peak of profile {row['profile']!r} at most "
                    f"{MAX_MAGNITUDE:g} MW",
                    found=f"{row['design_load_mw']:g} MW × {peak:g} = {mw:g} MW",
                    hint=TOO_LARGE_HINT,
                )
            )
    return out


def check_capacity(net: Network) -> list[Problem]:
    """Warn when even every usable source (candidates included) cannot cover the peak demand.

    Capacity in period t = sum over existing, retirable and candidate sources of
    capacity_mw * availability_t; compared with total demand_t (pipe losses ignored).
    """
    if net.n_periods == 0 or net.demands.empty:
        return []
    active = net.sources["status"].isin(ACTIVE_SOURCE)
    cap = (net.availability().loc[:, active] * net.sources.loc[active, "capacity_mw"]).sum(axis=1)
    demand = net.demand_mw().sum(axis=1)
    short = demand - cap
    t = int(short.to_numpy().argmax())
    if short.iloc[t] <= 0:
        return []
    n_short = int((short > 0).sum())
    period = net.profiles["period"].iloc[t]
    return [
        Problem(
            None,
            "available capacity is below demand: some heat will be unserved (priced at "
            f"{net.economics.unserved_heat_cost_cny_per_mwh:,.0f} CNY/MWh)",
            found=f"{cap.iloc[t]:,.1f} MW of capacity against {demand.iloc[t]:,.1f} MW of demand "
            f"in period {period!r} (short in {n_short} of {net.n_periods} periods)",
            severity="warning",
        )
    ]


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _first_status(df: pd.DataFrame) -> dict[str, str]:
    """``{id: status}``, the first row of an id kept (a duplicated id is reported elsewhere)."""
    out: dict[str, str] = {}
    for ident, status in df["status"].items():
        out.setdefault(str(ident), str(status))
    return out


def check_security(
    net: Network, *, file: str = "network.yaml", lines: Mapping[str, int] | None = None
) -> list[Problem]:
    """The ids of ``security.contingencies`` (spec v1.1 §3): each a pipe or source id, each
    once; a retired or unavailable one is skipped with a warning (nothing left to lose).

    Args:
        net: the network; nothing to check without a block or with ``contingencies: auto``.
        file: the file the list is in (a scenario file when a scenario sets it).
        lines: ``{"security.contingencies.I": line, ...}`` as :func:`heatnet.io.security_lines`
            gives them; default: the network's own (``net.line_numbers["network.yaml"]``).
    """
    sec = net.security
    if sec is None or sec.contingencies is None:
        return []
    lines = net.line_numbers.get("network.yaml", {}) if lines is None else lines
    key_line = lines.get("security.contingencies") or lines.get("security")
    pipes, sources = _first_status(net.pipes), _first_status(net.sources)
    known = [*pipes, *sources]
    out: list[Problem] = []
    first: dict[str, int] = {}
    for i, ident in enumerate(sec.contingencies):
        line = lines.get(f"security.contingencies.{i}", key_line)
        column = "security.contingencies"
        if ident in first:
            out.append(
                Problem(
                    file,
                    "contingency named twice",
                    line=line,
                    column=column,
                    expected="each pipe or source id once in the list",
                    found=f"{ident!r} again (item {i + 1}; first as item {first[ident] + 1})",
                )
            )
            continue
        first[ident] = i
        if ident not in pipes and ident not in sources:
            out.append(
                Problem(
                    file,
                    "unknown contingency id",
                    line=line,
                    column=column,
                    expected=f"the id of a pipe or source ({_count(len(pipes), 'pipe')} "
                    f"and {_count(len(sources), 'source')} defined)",
                    found=repr(ident),
                    hint=did_you_mean(ident, known),
                )
            )
            continue
        what, status = ("pipe", pipes[ident]) if ident in pipes else ("source", sources[ident])
        if status in ("retired", "unavailable"):
            out.append(
                Problem(
                    file,
                    "contingency skipped: nothing left to lose",
                    line=line,
                    column=column,
                    expected="a pipe or source in the model (not retired or unavailable)",
                    found=f"{what} {ident!r} with status {status}",
                    hint="it is left out of the security check; one list can serve every "
                    "scenario of a study",
                    severity="warning",
                )
            )
    return out


CONSTRAINT_STATUS: dict[str, tuple[str, str]] = {
    "retire_together": (
        "retirable",
        "a source with status retirable (its retirement is a decision)",
    ),
    "at_most_one_of": (
        "candidate",
        "a source or pipe with status candidate (its building is a decision)",
    ),
}
"""The status each group rule of ``constraints:`` needs of its ids, and that need in words."""


def check_constraints(
    net: Network,
    *,
    file: str = "network.yaml",
    lines: Mapping[str, int] | None = None,
    files: Mapping[str, str] | None = None,
) -> list[Problem]:
    """The ``constraints:`` block against the network (spec v1.1 §5).

    ``retire_together`` ids must be sources with status ``retirable``, ``at_most_one_of`` ids
    sources or pipes with status ``candidate``; every id once in its group (an id may be in
    several groups). The ``min_heat_share`` shares must add up to at most 1, and a technology
    with a share above 0 needs a source of that technology in the model. Ids that are empty
    (an item the loader already reported) are skipped.

    Args:
        net: the network; nothing to check without a block.
        file: the file the block is in.
        lines: ``{"constraints.KEY.I.J": line, ...}`` as :func:`heatnet.io.constraints_lines`
            gives them; default: the network's own (``net.line_numbers["network.yaml"]``).
        files: the file of each key given somewhere else than ``file`` (a scenario's keys).
    """
    rules = net.constraints
    if rules is None:
        return []
    lines = net.line_numbers.get("network.yaml", {}) if lines is None else lines
    files = files or {}
    pipes, sources = _first_status(net.pipes), _first_status(net.sources)
    out: list[Problem] = []

    def line_of(*path: object) -> int | None:
        while path:
            key = ".".join(("constraints", *map(str, path)))
            if key in lines:
                return lines[key]
            path = path[:-1]
        return lines.get("constraints")

    for key, groups in (
        ("retire_together", rules.retire_together),
        ("at_most_one_of", rules.at_most_one_of),
    ):
        tables = (
            {"source": sources} if key == "retire_together" else {"source": sources, "pipe": pipes}
        )
        out += _group_problems(key, groups, tables, files.get(key, file), line_of)
    out += _share_problems(net, files.get("min_heat_share", file), line_of)
    return out


def _group_problems(
    key: str,
    groups: tuple[tuple[str, ...], ...],
    tables: Mapping[str, Mapping[str, str]],
    where: str,
    line_of: Callable[..., int | None],
) -> list[Problem]:
    """The ids of the ``key`` groups (retire_together, at_most_one_of): known, unambiguous,
    once per group, with the status the rule needs (``tables``: status by id per kind)."""
    status_needed, need = CONSTRAINT_STATUS[key]
    column = f"constraints.{key}"
    known = [i for table in tables.values() for i in table]
    defined = " and ".join(_count(len(t), w) for w, t in tables.items())
    out: list[Problem] = []
    for i, group in enumerate(groups):
        first: dict[str, int] = {}
        for j, ident in enumerate(group):
            if not ident:
                continue
            line = line_of(key, i, j)
            if ident in first:
                out.append(
                    Problem(
                        where,
                        "id named twice in a group",
                        line=line,
                        column=column,
                        expected="each id once in its group",
                        found=f"{ident!r} again (item {j + 1} of group {i + 1}; first as "
                        f"item {first[ident] + 1})",
                    )
                )
                continue
            first[ident] = j
            found_in = [(w, t[ident]) for w, t in tables.items() if ident in t]
            if not found_in:
                what = " or ".join(tables)
                out.append(
                    Problem(
                        where,
                        f"unknown {what} id",
                        line=line,
                        column=column,
                        expected=f"the id of a {status_needed} {what} ({defined} defined)",
                        found=repr(ident),
                        hint=did_you_mean(ident, known),
                    )
                )
                continue
            if len(found_in) > 1:
                out.append(
                    Problem(
                        where,
                        "ambiguous id: both a source and a pipe",
                        line=line,
                        column=column,
                        expected="an id that names one source or one pipe",
                        found=f"{ident!r} in sources.csv and in pipes.csv",
                        hint="Give the source or the pipe another id",
                    )
                )
                continue
            what, status = found_in[0]
            if status and status != status_needed:
                out.append(
                    Problem(
                        where,
                        f"wrong status for {key}",
                        line=line,
                        column=column,
                        expected=need,
                        found=f"{what} {ident!r} with status {status}",
                    )
                )
    return out


def _share_problems(net: Network, where: str, line_of: Callable[..., int | None]) -> list[Problem]:
    """The ``min_heat_share`` rules: shares adding up to at most 1, and a source of every
    technology that must deliver a share."""
    rules = net.constraints
    out: list[Problem] = []
    if rules is None or not rules.min_heat_share:
        return out
    column = "constraints.min_heat_share"
    total = sum(share for _, share in rules.min_heat_share)
    if total > 1 + 1e-9:
        terms = " + ".join(f"{tech} {share:g}" for tech, share in rules.min_heat_share)
        out.append(
            Problem(
                where,
                "heat shares add up to more than 1: no plan can meet them",
                line=line_of("min_heat_share"),
                column=column,
                expected="shares that add up to at most 1",
                found=f"{total:g} ({terms})",
            )
        )
    active = net.sources[net.sources["status"].isin(ACTIVE_SOURCE_STATUSES)]
    present = {str(t) for t in active["technology"]}
    if "" not in set(map(str, net.sources["technology"])):
        for tech, share in rules.min_heat_share:
            if share > 0 and tech not in present:
                out.append(
                    Problem(
                        where,
                        "no source of this technology: no plan can meet the share",
                        line=line_of("min_heat_share", tech),
                        column=column,
                        expected=f"a source with technology {tech} and status "
                        + ", ".join(ACTIVE_SOURCE_STATUSES[:-1])
                        + f" or {ACTIVE_SOURCE_STATUSES[-1]}, or a share of 0",
                        found=f"{tech}: {share:g}, and no such source in the model",
                    )
                )
    return out


def check_pathway(
    net: Network,
    *,
    file: str = "network.yaml",
    lines: Mapping[str, int] | None = None,
    files: Mapping[str, str] | None = None,
) -> list[Problem]:
    """The ``pathway:`` block and the pathway columns against the network (spec v1.1 §4).

    Every year a per-year mapping names, and ``co2_peak_year``, must be one of ``years``
    (the loader has checked that the years are whole and in order). The columns
    ``earliest_year`` and ``retire_by`` are checked by :func:`check_pathway_columns`.

    Args:
        net: the network.
        file: the file the block is in.
        lines: ``{"pathway.KEY.YEAR": line, ...}`` as :func:`heatnet.io.block_lines` gives
            them; default: the network's own (``net.line_numbers["network.yaml"]``).
        files: the file of each key given somewhere else than ``file`` (a scenario's keys).
    """
    out = check_pathway_columns(net)
    path = net.pathway
    if path is None or not path.years:
        return out
    lines = net.line_numbers.get("network.yaml", {}) if lines is None else lines
    files = files or {}
    years = set(path.years)
    listed = ", ".join(str(y) for y in sorted(years))

    def problem(key: str, year: int, message: str, *, line_key: str) -> Problem:
        hint = None
        if "years" in files and key not in files:  # a scenario's years, the network's key
            hint = f"pathway.years is given in {files['years']}: give {key} there too"
        return Problem(
            files.get(key, file),
            message,
            line=lines.get(line_key) or lines.get(f"pathway.{key}") or lines.get("pathway"),
            column=f"pathway.{key}",
            expected=f"one of the years of pathway.years ({listed})",
            found=str(year),
            hint=hint,
        )

    for key in PATHWAY_PER_YEAR:
        for year, _ in getattr(path, key) or ():
            if year not in years:
                out.append(problem(key, year, "unknown year", line_key=f"pathway.{key}.{year}"))
    peak = path.co2_peak_year
    if peak is not None and peak not in years:
        message = "peak year outside the years"
        out.append(problem("co2_peak_year", peak, message, line_key="pathway.co2_peak_year"))
    return out


PATHWAY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sources.csv", "earliest_year"),
    ("sources.csv", "retire_by"),
    ("pipes.csv", "earliest_year"),
)
"""The pathway columns of the network's tables (file, column)."""


def check_pathway_columns(net: Network) -> list[Problem]:
    """``earliest_year`` (sources, pipes) and ``retire_by`` (sources) (spec v1.1 §4).

    Errors: a year that is not a whole number, ``earliest_year`` on a retirable source,
    ``retire_by`` on anything but a retirable source (a ``retire_by`` note column in
    pipes.csv too), and with a pathway a ``retire_by`` outside its years. Warnings: with a
    pathway an ``earliest_year`` after its last year (never available); without one, a
    single warning that the columns are ignored.
    """
    frames = {"sources.csv": net.sources, "pipes.csv": net.pipes}
    out = _pipe_retire_by(net)
    given: dict[str, list[str]] = {}
    for file, column in PATHWAY_COLUMNS:
        df = frames[file]
        if column not in df.columns:
            continue
        values = pd.to_numeric(df[column], errors="coerce")
        for ident, value in values.items():
            if np.isnan(value):
                continue
            given.setdefault(file, [])
            if column not in given[file]:
                given[file].append(column)
            status = str(df.at[ident, "status"]) if "status" in df.columns else ""
            problem = _year_cell_problem(net, file, column, str(ident), float(value), status)
            if problem is not None:
                out.append(problem)
    if net.pathway is None and given:
        where = "; ".join(f"{f}: {', '.join(c)}" for f, c in given.items())
        out.append(
            Problem(
                next(iter(given)),
                "pathway columns are ignored in a one-season solve",
                column=", ".join(dict.fromkeys(c for cols in given.values() for c in cols)),
                expected="a pathway: block in network.yaml (or the scenario) to plan over "
                "several seasons",
                found=f"values in {where}, and no pathway block",
                severity="warning",
            )
        )
    return out


def _year_cell_problem(
    net: Network, file: str, column: str, ident: str, value: float, status: str
) -> Problem | None:
    """The problem of one ``earliest_year`` or ``retire_by`` cell (None if it is fine)."""
    path = net.pathway
    col = SOURCES.column(column) if file == "sources.csv" else PIPES.column(column)

    def problem(
        message: str,
        expected: str,
        found: str,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> Problem:
        return Problem(
            file,
            message,
            line=net.line_of(file, ident),
            id=ident,
            column=column,
            expected=expected,
            found=found,
            hint=hint,
            severity=severity,
        )

    if not float(value).is_integer():
        return problem("not a whole year", col.expected(), f"{value:g}")
    year = int(value)
    if column == "earliest_year" and status == "retirable":
        return problem(
            "earliest_year on a retirable source",
            "no earliest_year on a retirable source (it is in service from the first year; "
            "the optimiser decides when it retires)",
            f"{year} on a source with status retirable",
            hint="A plant that is not there yet is existing or a candidate with earliest_year",
        )
    if column == "retire_by" and status not in ("retirable", ""):
        return problem(
            "retire_by on a source that is not retirable",
            "retire_by only on a source with status retirable",
            f"{year} on a source with status {status}",
            hint="Make it retirable: the optimiser then retires it by that season at the "
            "latest (a scenario that changes the status must also clear retire_by)",
        )
    if path is None or not path.years:
        return None
    first, last = min(path.years), max(path.years)
    if column == "retire_by" and not first <= year <= last:
        return problem(
            "deadline outside the horizon",
            f"a year from {first} to {last} (pathway.years)",
            str(year),
        )
    if column == "earliest_year" and year > last:
        return problem(
            "never available in the horizon: earliest_year after the last year",
            f"a year up to {last} (pathway.years), or empty",
            str(year),
            severity="warning",
        )
    return None


def _pipe_retire_by(net: Network) -> list[Problem]:
    """A ``retire_by`` column in pipes.csv is not a note: pipes never retire (spec v1.1 §4)."""
    pipes = net.pipes
    if "retire_by" not in pipes.columns:
        return []
    out = []
    for ident, value in pipes["retire_by"].items():
        text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else value
        if str(text).strip():
            out.append(
                Problem(
                    "pipes.csv",
                    "retire_by on a pipe",
                    line=net.line_of("pipes.csv", str(ident)),
                    id=str(ident),
                    column="retire_by",
                    expected="retire_by only on a source with status retirable (pipes never "
                    "retire)",
                    found=repr(str(text).strip()),
                    hint="Remove the column, or name it note_retire_by if it is only a note",
                )
            )
    return out


def _blank_refs(net: Network) -> bool:
    """True if a cell the graph and capacity checks read is empty (missing or invalid, already
    reported by the loader): those checks would crash or report follow-on errors."""
    cells = (
        (net.sources, ("node", "status")),
        (net.pipes, ("from_node", "to_node", "status")),
        (net.demands, ("node", "profile")),
    )
    return any(bool((df[c] == "").any()) for df, cols in cells for c in cols)


def _bad_numbers(net: Network) -> bool:
    """True if a number the capacity check reads is missing or invalid (already reported by
    the loader): the check would warn about a shortage that is only a bad cell."""
    values = [
        net.sources["capacity_mw"],
        net.demands["design_load_mw"],
        *(net.profiles[c] for c in net.profiles.columns if c != "period"),
    ]
    return any(bool(v.isna().any()) for v in values)


def check_network(
    net: Network,
    *,
    cross_checks: bool = True,
    strict_graph: bool = True,
    profiles_label: str = "profiles",
    security_file: str = "network.yaml",
    security_lines: Mapping[str, int] | None = None,
    constraints_lines: Mapping[str, int] | None = None,
    constraints_files: Mapping[str, str] | None = None,
    pathway_lines: Mapping[str, int] | None = None,
    pathway_files: Mapping[str, str] | None = None,
) -> list[Problem]:
    """All checks on a network; ``cross_checks=False`` runs only those needing one table.

    ``security_file`` and ``security_lines`` say where the security block's contingency list
    is written (see :func:`check_security`); ``constraints_lines`` and ``constraints_files``
    where the keys of the constraints block are (see :func:`check_constraints`), and
    ``pathway_lines`` and ``pathway_files`` those of the pathway block (see
    :func:`check_pathway`).
    """
    out = check_pipes(net) + check_season(net, profiles_label)
    if not cross_checks:
        return out
    refs = check_references(net, profiles_label)
    out += refs
    out += check_costs(net)
    out += check_routes(net)
    out += check_security(net, file=security_file, lines=security_lines)
    out += check_constraints(net, lines=constraints_lines, files=constraints_files)
    out += check_pathway(net, lines=pathway_lines, files=pathway_files)
    if any(p.severity == "error" for p in refs) or _blank_refs(net):
        return out
    out += check_graph(net, "error" if strict_graph else "warning")
    if not _bad_numbers(net):
        out += check_demand_size(net)
        out += check_capacity(net)
    return out
