"""Figures of a plan, drawn from result tables only (plotly).

One function per figure kind, each returning a :class:`plotly.graph_objects.Figure`:

* :func:`sankey_figure`   — the season's heat: sources → lines/corridors → districts, with pipe
  losses and unserved heat as their own flows [GWh], or one period [MW].
* :func:`map_figure`      — nodes at their coordinates, pipes by status and flow (no map tiles,
  works offline).
* :func:`dispatch_figure` — heat by technology or source over the season, against demand.
* :func:`duration_figure` — the load-duration curve with the heat that met it.
* :func:`prices_figure`   — the marginal heat price by demand district over the season, with
  each district's demand-weighted mean.
* :func:`security_figure` — security of supply: served share by outage × district at the
  design hour, binding cells framed, and the kept or built elements each binding case needs.
* :func:`timeline_figure` — a pathway run: the state of each element that changes (or could)
  in each year, with the deadlines and earliest years marked.
* :func:`co2_path_figure` — a pathway run: CO2 per year against the cap path, the peak year.
* :func:`costs_by_year_figure` — a pathway run: the cost of each season by kind, discounted
  total, NPV.
* :func:`matrix_figure`   — retirement plans: scenario × retirable source.
* :func:`builds_figure`   — build plans: scenario × candidate source or pipe.
* :func:`costs_figure`    — annual cost by kind and CO2, by scenario.
* :func:`pareto_figure`   — cost against CO2 for a sweep of CO2 caps, decisions on hover.

The run figures take anything with ``tables``, ``summary``, ``network`` and ``name`` — a
:class:`heatnet.run.StoredRun` read back with :func:`heatnet.read_run`, or the
:class:`heatnet.run.Run` that :func:`heatnet.solve` returns. The comparison figures take several
such runs with a label each. The season figures of a pathway run draw one year
(:func:`season_run`, the last by default). Nothing here imports the model or the solver. The
figures only draw: the analysis behind the Sankey (where each source's heat goes) and the
readers of a run's tables are in :mod:`heatnet.trace`; :func:`run_figure` traces the heat for a
Sankey.

Every name shown (node, source, pipe, corridor, scenario) is HTML-escaped: plotly renders a
little HTML in labels and hover text, and a name is data, not markup.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from heatnet import fmt
from heatnet.compare import PlanTables, decided_items, pareto_steps, plan_decision
from heatnet.errors import InputError, Problem
from heatnet.geo import WktError, parse_wkt_linestring
from heatnet.gis import read_background
from heatnet.schema import DECISIONS
from heatnet.storage import pathway_years, year_tables
from heatnet.trace import (
    LOCAL_CORRIDOR,
    SECURITY_AT_MINIMUM,
    RunResults,
    display_names,
    period_table,
    pipe_corridors,
    resolve_period,
    run_label,
    run_table,
    security_needs,
    security_short,
    trace_heat,
)

RUN_KINDS: tuple[str, ...] = ("sankey", "map", "dispatch", "duration", "prices", "security")
"""Figures of one season of a run (of a pathway run: one year, the last by default)."""
PATHWAY_KINDS: tuple[str, ...] = ("timeline", "co2_path", "costs_by_year")
"""Figures of a pathway run's years (spec v1.1 §4)."""
COMPARISON_KINDS: tuple[str, ...] = ("matrix", "builds", "costs", "pareto")
FIGURE_KINDS: tuple[str, ...] = RUN_KINDS + PATHWAY_KINDS + COMPARISON_KINDS

GroupBy = Literal["source", "technology"]

TECH_ORDER: tuple[str, ...] = (
    "waste_heat",
    "geothermal",
    "heat_pump",
    "chp",
    "electric_boiler",
    "other",
    "gas_boiler",
    "coal_boiler",
)
TECH_LABELS: dict[str, str] = {
    "waste_heat": "waste heat",
    "chp": "CHP",
    "coal_boiler": "coal boiler",
    "gas_boiler": "gas boiler",
    "heat_pump": "heat pump",
    "electric_boiler": "electric boiler",
    "geothermal": "geothermal",
    "other": "other",
}
TECH_COLOURS: dict[str, str] = {
    "waste_heat": "#2ca02c",
    "geothermal": "#8c564b",
    "heat_pump": "#17becf",
    "chp": "#1f77b4",
    "electric_boiler": "#9467bd",
    "other": "#bcbd22",
    "gas_boiler": "#ff7f0e",
    "coal_boiler": "#4d4d4d",
}
OTHER_COLOUR = "#7f7f7f"
UNSERVED_COLOUR = "#d62728"
LOSS_COLOUR = "#e377c2"
DISTRICT_COLOUR = "#6a3d9a"
CORRIDOR_COLOUR = "#5b7fa6"
PIPE_STYLE: dict[str, tuple[str, str, str]] = {
    # decision: (colour, dash, legend label)
    "existing": ("#5b7fa6", "solid", "existing pipe"),
    "built": ("#e8731a", "solid", "pipe built in this plan"),
    "forced_built": ("#c45a0c", "solid", "committed pipe (built by choice)"),
    "not_built": ("#9a9a9a", "dash", "candidate pipe, not built"),
    "unavailable": ("#cfcfcf", "dot", "unavailable pipe"),
}
PIPE_WIDTH_IDLE_PX = 1.5
"""Line width of a pipe carrying no heat [px]."""
PIPE_WIDTH_SPAN_PX = 10.5
"""Width added for the busiest pipe [px]; a pipe's width grows with √(its heat)."""
PIPE_WIDTH_BINS = 6
"""Width classes of pipes carrying heat: one line trace per decision and class."""
COST_LABELS: dict[str, str] = {
    "variable_cny": "fuel and variable",
    "carbon_cny": "carbon price",
    "fixed_cny": "fixed O&M",
    "capex_sources_cny": "new sources (annualised)",
    "capex_pipes_cny": "new pipes (annualised)",
    "retirement_cny": "retirements (annualised)",
    "pumping_cny": "pumping",
    "unserved_cny": "unserved-heat penalty",
}
COST_COLOURS: dict[str, str] = {
    "variable_cny": "#1f77b4",
    "carbon_cny": "#4d4d4d",
    "fixed_cny": "#aec7e8",
    "capex_sources_cny": "#2ca02c",
    "capex_pipes_cny": "#e8731a",
    "retirement_cny": "#98df8a",
    "pumping_cny": "#17becf",
    "unserved_cny": UNSERVED_COLOUR,
}
IN_SERVICE = ("existing", "kept", "built", "forced_kept", "forced_built")
RETIRED = ("retired", "forced_retired")
DECISION_STYLE: dict[str, tuple[str, str]] = {
    # decision: (colour, legend label); one entry per heatnet.schema.DECISIONS
    "kept": ("#6e6e6e", "kept"),
    "retired": ("#2ca02c", "retired (optimised)"),
    "forced_kept": ("#b3b3b3", "kept (by scenario)"),
    "forced_retired": ("#98df8a", "retired (by scenario)"),
    "built": ("#e8731a", "built (optimised)"),
    "not_built": ("#c6dbef", "not built"),
    "forced_built": ("#fdbf6f", "built (committed)"),
    "existing": ("#5b7fa6", "existing (no decision)"),
    "unavailable": ("#e7d4e8", "unavailable"),
}
"""Colour and legend label of every decision in the matrices."""
if set(DECISION_STYLE) != set(DECISIONS):  # pragma: no cover - a new decision needs a style
    raise AssertionError("plot.DECISION_STYLE must style every heatnet.schema.DECISIONS")
DECISION_TEXT: dict[str, str] = {
    "forced_kept": "forced keep",
    "forced_retired": "forced",
    "not_built": "not built",
    "forced_built": "committed",
}
"""Cell text of a decision in the matrices, where it differs from the decision itself."""
MWH_PER_GWH = 1000.0
CNY_PER_MCNY = 1e6
T_PER_KT = 1000.0


Runs = Mapping[str, RunResults] | Sequence[tuple[str, RunResults]]
"""Several runs with a label each (scenario or Pareto point), in display order."""


# --- names and small helpers ------------------------------------------------------------------


def esc(text: object) -> str:
    """``text`` made safe to show in a plotly label, hover text or HTML page."""
    return html.escape(str(text), quote=True)


def shorten(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` characters with an ellipsis (before escaping)."""
    return text if len(text) <= max_chars else text[: max(1, max_chars - 1)].rstrip() + "…"


def tech_label(tech: str) -> str:
    """Readable label of a technology code."""
    return TECH_LABELS.get(tech, tech.replace("_", " "))


def tech_colour(tech: str) -> str:
    """Colour of a technology (grey for codes outside the schema)."""
    return TECH_COLOURS.get(tech, OTHER_COLOUR)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _tech_rank(tech: str) -> tuple[int, str]:
    return (TECH_ORDER.index(tech) if tech in TECH_ORDER else len(TECH_ORDER), tech)


def _node_names(run: RunResults, *, short: bool = True) -> dict[str, str]:
    """Display name by node id: the short name (labels), or with ``short=False`` the full name
    (hover texts)."""
    nodes = run.network.nodes
    return display_names(nodes, nodes.index, short=short)


def source_info(run: RunResults) -> pd.DataFrame:
    """Per source id: raw display name (the short name where given), full name, node,
    technology, decision (from the result table)."""
    src = run.tables.get("sources")
    net = run.network.sources
    ids = src.index if src is not None else net.index
    table = net if {"name", "short_name"} & set(net.columns) else src
    names = display_names(table, ids)
    full = display_names(table, ids, short=False)
    base = src if src is not None else net
    out = pd.DataFrame(
        {
            "name": [names[str(i)] for i in ids],
            "full_name": [full[str(i)] for i in ids],
            "node": base.loc[ids, "node"].astype(str).to_numpy(),
            "technology": base.loc[ids, "technology"].astype(str).to_numpy(),
            "decision": (
                base.loc[ids, "decision"].astype(str).to_numpy()
                if "decision" in base.columns
                else "existing"
            ),
        },
        index=pd.Index([str(i) for i in ids], name="id"),
    )
    return out


# --- Sankey -----------------------------------------------------------------------------------


SANKEY_SMALL_SHARE = 0.01
"""Share of the heat produced below which Sankey flows are grouped: sources (or technologies),
corridors and districts carrying less become one "other" node per column (when there are at
least two of them), and the technology parts of a link below it become one grey link."""
RETIRABLE_DECISIONS: tuple[str, ...] = ("kept", "retired", "forced_kept", "forced_retired")
"""Decisions of retirable sources: in the Sankey they are one group of their own."""
SANKEY_OTHER = "\x00other"
"""Key of the "other" node of a Sankey column (no id contains a NUL character)."""
SANKEY_RETIRABLE = "\x00retirable"
"""Key of the Sankey group of the retirable sources."""
SANKEY_MIXED = "\x00mixed"
"""Technology key of a link that bundles the small technology parts of a flow."""
SANKEY_MEMBERS_SHOWN = 12
"""Members listed in the hover text of a grouped Sankey node."""


@dataclass
class _SankeyGraph:
    """Sankey nodes and links as plotly wants them: parallel lists, nodes found by
    ``(kind, key)``."""

    labels: list[str] = field(default_factory=list)
    hovers: list[str] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)
    index: dict[tuple[str, str], int] = field(default_factory=dict)
    src: list[int] = field(default_factory=list)
    dst: list[int] = field(default_factory=list)
    val: list[float] = field(default_factory=list)
    link_colour: list[str] = field(default_factory=list)
    link_hover: list[str] = field(default_factory=list)

    def add_node(self, kind: str, key: str, label: str, hover: str, colour: str) -> None:
        """Add node ``(kind, key)`` with its (escaped) label, hover text and colour."""
        self.index[(kind, key)] = len(self.labels)
        self.labels.append(label)
        self.hovers.append(hover)
        self.colours.append(colour)

    def add_link(self, a: int, b: int, value: float, colour: str, hover: str) -> None:
        """Add a flow of ``value`` from node ``a`` to node ``b``."""
        self.src.append(a)
        self.dst.append(b)
        self.val.append(value)
        self.link_colour.append(colour)
        self.link_hover.append(hover)

    def count(self, kind: str) -> int:
        """Number of nodes of ``kind``."""
        return sum(1 for k in self.index if k[0] == kind)


@dataclass(frozen=True)
class _SankeyText:
    """How the Sankey writes its numbers: ``fmt`` (number format) and ``unit`` (GWh or MW)."""

    fmt: str
    unit: str

    def value(self, v: float) -> str:
        """``v`` with its unit."""
        return f"{v:{self.fmt}} {self.unit}"


def _sankey_small(totals: pd.Series, limit: float, keep: Sequence[str] = ()) -> list[str]:
    """Keys of ``totals`` below ``limit`` (largest first, without ``keep``), when there are at
    least two of them: a single small node keeps its own name."""
    small = totals[(totals < limit) & ~totals.index.isin(list(keep))].sort_values(ascending=False)
    return [str(k) for k in small.index] if len(small) >= 2 else []


def _sankey_member_lines(names: Sequence[str], values: Sequence[float], t: _SankeyText) -> str:
    """Hover lines listing grouped members with their values (at most
    :data:`SANKEY_MEMBERS_SHOWN`)."""
    lines = [
        f"{esc(shorten(n, 40))}: {t.value(v)}"
        for n, v in zip(names[:SANKEY_MEMBERS_SHOWN], values[:SANKEY_MEMBERS_SHOWN], strict=True)
    ]
    if len(names) > SANKEY_MEMBERS_SHOWN:
        lines.append(f"… {len(names) - SANKEY_MEMBERS_SHOWN} more")
    return "<br>".join(lines)


def _sankey_retirable_label(info: pd.DataFrame, ids: Sequence[str]) -> str:
    """Label of the retirable group (raw text): what they are and how many are kept and
    retired."""
    techs = {str(info.at[s, "technology"]) for s in ids}
    what = "coal points" if techs == {"coal_boiler"} else "retirable sources"
    decisions = [str(info.at[s, "decision"]) for s in ids]
    kept = sum(d in ("kept", "forced_kept") for d in decisions)
    return f"{what} (retirable): {kept} kept, {len(ids) - kept} retired"


def _sankey_groups(
    graph: _SankeyGraph,
    paths: pd.DataFrame,
    info: pd.DataFrame,
    by: GroupBy,
    label_chars: int,
    t: _SankeyText,
) -> None:
    """First column: one node per technology (in :data:`TECH_ORDER`) or per source (largest
    first), then "other sources" (the small ones, :data:`SANKEY_SMALL_SHARE`), then the
    retirable sources as one block at the bottom (drawn even when all are retired)."""
    group_totals = paths.groupby("group")["value"].sum()
    regular = [g for g in group_totals.index if g not in (SANKEY_OTHER, SANKEY_RETIRABLE)]
    if by == "technology":
        for tech in sorted(regular, key=_tech_rank):
            label = esc(tech_label(tech))
            graph.add_node("group", tech, label, label, tech_colour(tech))
    else:
        for sid in group_totals[regular].sort_values(ascending=False).index:
            name = info.at[sid, "name"] if sid in info.index else sid
            full = info.at[sid, "full_name"] if sid in info.index else sid
            tech = info.at[sid, "technology"] if sid in info.index else "other"
            graph.add_node(
                "group",
                sid,
                esc(shorten(name, label_chars)),
                f"{esc(full)}<br>id {esc(sid)} · {esc(tech_label(tech))}",
                tech_colour(tech),
            )
    if SANKEY_OTHER in group_totals.index:
        small = paths.loc[paths["group"] == SANKEY_OTHER]
        member_col = "tech" if by == "technology" else "source"
        members = small.groupby(member_col)["value"].sum().sort_values(ascending=False)
        if by == "technology":
            names = [tech_label(str(k)) for k in members.index]
        else:
            names = [info.at[k, "name"] if k in info.index else str(k) for k in members.index]
        kind = "technologies" if by == "technology" else "sources"
        graph.add_node(
            "group",
            SANKEY_OTHER,
            f"other {kind} ({len(members)})",
            f"{len(members)} {kind} below {SANKEY_SMALL_SHARE:.0%} of the heat each:<br>"
            + _sankey_member_lines(names, list(members), t),
            OTHER_COLOUR,
        )
    ids = [str(s) for s in info.index[info["decision"].isin(RETIRABLE_DECISIONS)]]
    if ids:
        heat = paths.loc[paths["group"] == SANKEY_RETIRABLE].groupby("source")["value"].sum()
        ids.sort(key=lambda s: -float(heat.get(s, 0.0)))
        lines = [
            f"{esc(shorten(info.at[s, 'name'], 30))}: "
            f"{esc(str(info.at[s, 'decision']).replace('_', ' '))}, "
            f"{t.value(float(heat.get(s, 0.0)))}"
            for s in ids
        ]
        techs = {str(info.at[s, "technology"]) for s in ids}
        colour = tech_colour(techs.pop()) if len(techs) == 1 else OTHER_COLOUR
        label = _sankey_retirable_label(info, ids)
        graph.add_node(
            "group", SANKEY_RETIRABLE, esc(label), esc(label) + "<br>" + "<br>".join(lines), colour
        )


def _sankey_corridors(
    graph: _SankeyGraph,
    paths: pd.DataFrame,
    run: RunResults,
    corridor_column: str | None,
    label_chars: int,
    t: _SankeyText,
) -> None:
    """Middle column: one node per corridor (largest first; hover lists up to 8 of its
    pipes), then "other lines" (the small corridors), then local supply."""
    pipes = run.network.pipes
    pipe_names = display_names(pipes, pipes.index)
    corridor_pipes: dict[str, list[str]] = {}
    for pid, c in pipe_corridors(run, corridor_column).items():
        corridor_pipes.setdefault(c, []).append(pipe_names.get(pid, pid))
    for c in paths.groupby("corridor")["value"].sum().sort_values(ascending=False).index:
        if c in (LOCAL_CORRIDOR, SANKEY_OTHER):
            continue
        members = corridor_pipes.get(c, [])
        member_text = "<br>".join(esc(shorten(p, 60)) for p in members[:8])
        more = f"<br>… {len(members) - 8} more" if len(members) > 8 else ""
        graph.add_node(
            "corridor",
            c,
            esc(shorten(c, label_chars)),
            f"{esc(c)}<br><i>pipes:</i><br>{member_text}{more}",
            CORRIDOR_COLOUR,
        )
    small = paths.loc[paths["corridor"] == SANKEY_OTHER]
    if len(small):
        lumped = small.groupby("corridor_raw")["value"].sum().sort_values(ascending=False)
        graph.add_node(
            "corridor",
            SANKEY_OTHER,
            f"other lines ({len(lumped)})",
            f"{len(lumped)} lines below {SANKEY_SMALL_SHARE:.0%} of the heat each:<br>"
            + _sankey_member_lines([str(c) for c in lumped.index], list(lumped), t),
            CORRIDOR_COLOUR,
        )
    if (paths["corridor"] == LOCAL_CORRIDOR).any():
        graph.add_node(
            "corridor",
            LOCAL_CORRIDOR,
            "local supply (no pipe)",
            "heat used at the node of its source",
            "#a0a0a0",
        )


def _sankey_districts(
    graph: _SankeyGraph,
    districts: list[str],
    small: pd.Series,
    names: tuple[dict[str, str], dict[str, str]],
    flags: tuple[bool, bool],
    label_chars: int,
    t: _SankeyText,
) -> None:
    """Last column: one node per district, then "other districts" (``small``: their heat
    demand, when at least two are below :data:`SANKEY_SMALL_SHARE`), then the pipe-loss sink
    and the unserved-heat node where there are such flows (``flags``: losses, unserved).
    ``names``: short and full node names."""
    short, full = names
    for d in districts:
        if d in small.index:
            continue
        graph.add_node(
            "district",
            d,
            esc(shorten(short.get(d, d), label_chars)),
            f"{esc(full.get(d, d))}<br>id {esc(d)}",
            DISTRICT_COLOUR,
        )
    if len(small):
        graph.add_node(
            "district",
            SANKEY_OTHER,
            f"other districts ({len(small)})",
            f"{len(small)} districts below {SANKEY_SMALL_SHARE:.0%} of the heat each:<br>"
            + _sankey_member_lines([short.get(d, d) for d in small.index], list(small), t),
            DISTRICT_COLOUR,
        )
    has_losses, has_unserved = flags
    if has_losses:
        graph.add_node("sink", "loss", "pipe losses", "heat lost in pipes", LOSS_COLOUR)
    if has_unserved:
        graph.add_node("unserved", "unserved", "unserved heat", "demand not met", UNSERVED_COLOUR)


def _sankey_bundle(parts: pd.Series, limit: float) -> pd.Series:
    """Link values by (from key, to key, technology), with the technology parts below ``limit``
    of each (from, to) pair bundled under :data:`SANKEY_MIXED` where there are at least two."""
    if parts.empty:
        return parts
    df = parts.rename("value").reset_index()
    df.columns = ["a", "b", "tech", "value"]
    small = df["value"] < limit
    n_small = small.groupby([df["a"], df["b"]]).transform("sum")
    df.loc[small & (n_small >= 2), "tech"] = SANKEY_MIXED
    return df.groupby(["a", "b", "tech"], sort=False)["value"].sum()


def _sankey_link_colour(tech: str, alpha: float = 0.45) -> str:
    return _rgba(OTHER_COLOUR if tech == SANKEY_MIXED else tech_colour(tech), alpha)


def _sankey_links(
    graph: _SankeyGraph, paths: pd.DataFrame, unserved: pd.Series, limit: float, t: _SankeyText
) -> None:
    """Links: group → corridor and corridor → district (by technology; the parts below
    ``limit`` of a pair as one grey link), corridor → pipe losses (one per corridor), unserved
    heat → district; values in ``t.unit``."""
    labels, index = graph.labels, graph.index

    def what(tech: str) -> str:
        return "several technologies" if tech == SANKEY_MIXED else esc(tech_label(tech))

    first = _sankey_bundle(paths.groupby(["group", "corridor", "tech"])["value"].sum(), limit)
    for (grp, c, tech), v in first.items():
        a, b = index[("group", grp)], index[("corridor", c)]
        hover = f"{labels[a]} → {labels[b]}<br>{what(tech)}: {t.value(v)}"
        graph.add_link(a, b, float(v), _sankey_link_colour(tech), hover)
    delivered = paths.loc[paths["kind"] == "delivered"]
    second = _sankey_bundle(
        delivered.groupby(["corridor", "district", "tech"])["value"].sum(), limit
    )
    for (c, d, tech), v in second.items():
        a, b = index[("corridor", c)], index[("district", d)]
        hover = f"{labels[a]} → {labels[b]}<br>{what(tech)}: {t.value(v)}"
        graph.add_link(a, b, float(v), _sankey_link_colour(tech), hover)
    losses = paths.loc[paths["kind"] == "loss"]
    for c, v in losses.groupby("corridor")["value"].sum().items():
        a, b = index[("corridor", c)], index[("sink", "loss")]
        hover = f"pipe losses on {labels[a]}<br>{t.value(v)}"
        graph.add_link(a, b, float(v), _rgba(LOSS_COLOUR, 0.5), hover)
    for d, v in unserved.items():
        a, b = index[("unserved", "unserved")], index[("district", str(d))]
        hover = f"unserved heat at {labels[b]}<br>{t.value(v)}"
        graph.add_link(a, b, float(v), _rgba(UNSERVED_COLOUR, 0.6), hover)


def _sankey_unserved(run: RunResults, sel: tuple[int, str] | None, total: float) -> pd.Series:
    """Unserved heat by district [GWh] (or [MW] at period ``sel``), without values below
    1e-9 of ``total`` (the heat produced, same unit)."""
    demand = run_table(run, "nodes", "sankey")
    if sel:
        unserved = demand.loc[demand["t"] == sel[0]].groupby("node")["unserved_mw"].sum()
    else:
        unserved = demand.groupby("node")["unserved_mwh"].sum() / MWH_PER_GWH
    unserved.index = unserved.index.astype(str)
    return unserved[unserved > 1e-9 * max(total, 1.0)]


def _check_paths(paths: pd.DataFrame, sel: tuple[int, str] | None) -> str:
    """The value column of a traced table (``heat_mw`` at a period, else ``heat_mwh``);
    ValueError when the table was traced for the season and a period is drawn, or back."""
    value_col = "heat_mw" if sel else "heat_mwh"
    if value_col not in paths.columns:
        raise ValueError(
            f"the traced table has no {value_col} column: trace the run with the same period "
            "as the figure (heatnet.trace.trace_heat(run, period=...))"
        )
    return value_col


def _sankey_keys(
    paths: pd.DataFrame, info: pd.DataFrame, by: GroupBy, unserved: pd.Series, limit: float
) -> tuple[pd.DataFrame, pd.Series]:
    """``paths`` with the node key of each row in every column: ``group`` (technology or
    source; :data:`SANKEY_RETIRABLE` for the retirable sources; :data:`SANKEY_OTHER` for the
    small ones), ``corridor`` (``corridor_raw`` keeps the traced one) and ``district``; and the
    heat demand of the small districts that go into "other districts"."""
    retirable = set(info.index[info["decision"].isin(RETIRABLE_DECISIONS)])
    group = paths["tech"] if by == "technology" else paths["source"].astype(str)
    group = group.where(~paths["source"].astype(str).isin(retirable), SANKEY_RETIRABLE)
    small = _sankey_small(paths.groupby(group)["value"].sum(), limit, (SANKEY_RETIRABLE,))
    group = group.where(~group.isin(small), SANKEY_OTHER)
    corridors = paths.groupby("corridor")["value"].sum()
    small = _sankey_small(corridors, limit, (LOCAL_CORRIDOR,))
    corridor = paths["corridor"].where(~paths["corridor"].isin(small), SANKEY_OTHER)
    delivered = paths.loc[paths["kind"] == "delivered"]
    demand = delivered.groupby("district")["value"].sum().add(unserved, fill_value=0.0)
    small_d = demand[_sankey_small(demand, limit)]
    district = paths["district"].where(~paths["district"].isin(small_d.index), SANKEY_OTHER)
    keyed = paths.assign(group=group, corridor=corridor, corridor_raw=paths["corridor"])
    return keyed.assign(district=district), small_d


def _sankey_layout(graph: _SankeyGraph, height_px: float, pad_px: float) -> tuple[list, list]:
    """Node positions (x, y of the centre, fractions of the plot): sources in the first
    column in the graph's order, the retirable group at its bottom as one block; corridors and
    unserved heat in the middle, districts and pipe losses on the right, corridors and
    districts ordered by the mean height of the heat they take in (fewer crossing flows), the
    unserved-heat and pipe-loss nodes at the bottom. Node heights follow plotly: value ×
    the smallest (free height / heat) of the columns."""
    n = len(graph.labels)
    inflow, outflow = np.zeros(n), np.zeros(n)
    for a, b, v in zip(graph.src, graph.dst, graph.val, strict=True):
        outflow[a] += v
        inflow[b] += v
    size = np.maximum(inflow, outflow)
    kind_of = {i: kind for (kind, _), i in graph.index.items()}
    column_of = {"group": 0, "corridor": 1, "unserved": 1, "district": 2, "sink": 2}
    columns: list[list[int]] = [[], [], []]
    for i in range(n):
        columns[column_of[kind_of[i]]].append(i)
    columns = [[i for i in col if size[i] > 0] for col in columns]
    ky = min(
        (height_px - (len(col) - 1) * pad_px) / max(float(size[col].sum()), 1e-12)
        for col in columns
        if col
    )
    y = np.full(n, 0.5)
    x = np.full(n, 0.5)
    last = {0: ("group", SANKEY_RETIRABLE), 1: ("unserved", "unserved"), 2: ("sink", "loss")}
    for c, col in enumerate(columns):
        bottom = [i for i in col if i == graph.index.get(last[c])]
        body = [i for i in col if i not in bottom]
        if c > 0:
            centre: dict[int, float] = {}
            for i in body:
                w = [
                    (y[a], v)
                    for a, b, v in zip(graph.src, graph.dst, graph.val, strict=True)
                    if b == i
                ]
                total = sum(v for _, v in w)
                centre[i] = sum(p * v for p, v in w) / total if total > 0 else 1.0
            body.sort(key=lambda i: centre[i])
        top = 0.0
        for i in body:
            h = size[i] * ky
            y[i] = (top + h / 2) / height_px
            top += h + pad_px
        for i in bottom:
            y[i] = 1.0 - size[i] * ky / 2 / height_px
        x[col] = (0.001, 0.5, 0.999)[c]
    return [float(v) for v in x], [float(max(v, 0.001)) for v in y]


def sankey_figure(
    run: RunResults,
    paths: pd.DataFrame,
    *,
    by: GroupBy = "source",
    period: str | None = None,
    corridor_column: str | None = "project",
    label_chars: int = 28,
) -> go.Figure:
    """Sankey of heat: sources (or technologies) → lines/corridors → districts.

    Draws ``paths``, the table of :func:`heatnet.trace.trace_heat` for the same run,
    ``period`` and ``corridor_column``, and reads ``nodes`` (t, node, unserved_mw,
    unserved_mwh) and the network's node, source and pipe names. Pipe losses flow from each
    corridor to a "pipe losses" node; unserved heat flows from an "unserved heat" node into its
    district, so each district's inflow is its demand. Season values in GWh; with ``period`` (a
    label or ``"peak"``) the flows of that period in MW. Corridors are the pipes'
    ``corridor_column`` (``project`` in the Jinan data) or each pipe's name.

    To keep it readable:

    * the retirable sources (kept or retired: the decision that matters) are one node of their
      own at the bottom of the first column, labelled with how many are kept and retired; its
      hover lists each point with its decision and heat, and the subtitle repeats the count;
    * sources (or technologies), corridors and districts with less than
      :data:`SANKEY_SMALL_SHARE` of the heat produced are one "other" node per column (when
      there are at least two; hover lists them), and the technology parts of a link below that
      share are one grey link; all totals are kept;
    * labels are the ``short_name`` of nodes and sources where given (else the name), cut to
      ``label_chars`` characters; hover shows the full names.
    """
    sel = resolve_period(run, period)
    value_col = _check_paths(paths, sel)
    t = _SankeyText(fmt=",.0f" if sel else ",.1f", unit="MW" if sel else "GWh")
    info = source_info(run)
    tech = [info.at[s, "technology"] if s in info.index else "other" for s in paths["source"]]
    paths = paths.assign(tech=tech)
    paths["value"] = paths[value_col] * (1.0 if sel else 1.0 / MWH_PER_GWH)
    produced = float(paths["value"].sum())
    limit = SANKEY_SMALL_SHARE * produced
    unserved = _sankey_unserved(run, sel, produced)
    districts = [str(n) for n in run_table(run, "nodes", "sankey")["node"].drop_duplicates()]
    paths, small_districts = _sankey_keys(paths, info, by, unserved, limit)
    unserved = unserved.groupby(
        [SANKEY_OTHER if d in small_districts.index else d for d in unserved.index]
    ).sum()

    graph = _SankeyGraph()
    _sankey_groups(graph, paths, info, by, label_chars, t)
    _sankey_corridors(graph, paths, run, corridor_column, label_chars, t)
    flags = (bool((paths["kind"] == "loss").any()), bool(len(unserved)))
    names = (_node_names(run), _node_names(run, short=False))
    _sankey_districts(graph, districts, small_districts, names, flags, label_chars, t)
    _sankey_links(graph, paths, unserved, limit, t)

    lost = float(paths.loc[paths["kind"] == "loss", "value"].sum())
    when = f"period {esc(sel[1])}" if sel else "the season"
    notes = [
        f"produced {t.value(produced)}",
        f"pipe losses {t.value(lost)}",
        f"unserved {t.value(float(unserved.sum()))}",
    ]
    if ("group", SANKEY_RETIRABLE) in graph.index:
        retirable_heat = float(paths.loc[paths["group"] == SANKEY_RETIRABLE, "value"].sum())
        ids = [str(s) for s in info.index[info["decision"].isin(RETIRABLE_DECISIONS)]]
        notes.append(f"{esc(_sankey_retirable_label(info, ids))} ({t.value(retirable_heat)})")
    if (paths[["group", "corridor", "district"]] == SANKEY_OTHER).any().any():
        notes.append(f"flows below {SANKEY_SMALL_SHARE:.0%} of the heat grouped as other")
    title = (
        f"Heat flows of {when}: {esc(run_label(run))} [{t.unit}]<br><sup>"
        + " · ".join(notes)
        + "</sup>"
    )
    n_rows = max(graph.count(kind) for kind in ("group", "corridor", "district"))
    height = max(520, 34 * n_rows + 160)
    xs, ys = _sankey_layout(graph, height - 100, 12)
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=t.fmt,
            valuesuffix=f" {t.unit}",
            node={
                "label": graph.labels,
                "color": graph.colours,
                "customdata": graph.hovers,
                "x": xs,
                "y": ys,
                "pad": 12,
                "thickness": 16,
                "line": {"width": 0.5, "color": "#444"},
                "hovertemplate": "%{customdata}<br>%{value} <extra></extra>",
            },
            link={
                "source": graph.src,
                "target": graph.dst,
                "value": graph.val,
                "color": graph.link_colour,
                "customdata": graph.link_hover,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    fig.update_layout(
        title={"text": title},
        font={"size": 12},
        height=height,
        margin={"l": 20, "r": 20, "t": 80, "b": 20},
    )
    return fig


# --- network map ------------------------------------------------------------------------------

MAP_HEIGHT_PX = 720
"""Height of the map figure [px]."""
MAP_MARGIN: dict[str, int] = {"l": 60, "r": 20, "t": 80, "b": 50}
"""Margins of the map figure [px]."""
MAP_PLOT_PX: tuple[float, float] = (900.0, MAP_HEIGHT_PX - 80.0 - 50.0)
"""Plot area the labels are placed for (width, height) [px]: the map's height less its margins,
and the width left beside the legend on a 1,200 px wide page (the static export's)."""
MAP_PAD_SHARE = 0.08
"""Room around the nodes on either side, as a share of their span."""
MAP_LABEL_DISTRICT_SHARE = 0.03
"""A district is labelled when its demand is at least this share of all demand."""
MAP_LABEL_SOURCE_SHARE = 0.03
"""A node with sources (not a district) is labelled when they give at least this share of all
the heat produced."""
MAP_LONG_LINE_KM = 20.0
"""A pipe in service at least this long [km] is a long-distance line and gets a label."""
MAP_LABEL_FONT_PX = 11
"""Font size of district labels [px] (sources and lines one less)."""
MAP_NARROW_EM = 0.62
"""Estimated width of a narrow (not CJK) character [em] when placing labels."""
MAP_LINE_EM = 1.3
"""Estimated height of a label line [em] when placing labels."""
MAP_ARROW_MIN_PX = 40.0
"""Pipes shorter than this on screen [px] get no direction arrow."""
MAP_WIDTH_SCALE_SHARES: tuple[float, ...] = (1.0, 0.25, 0.05)
"""The width scale shows round amounts near these shares of the busiest pipe's heat."""
MAP_WIDTH_SCALE_COLOUR = "#8c8c8c"
"""Colour of the lines of the width scale."""


def node_positions(run: RunResults) -> tuple[dict[str, tuple[float, float]], bool]:
    """Node positions ``{id: (x, y)}`` and whether they are geographic (lon, lat). Without
    coordinates for every node, a schematic layout of the pipe graph is used instead."""
    nodes = run.network.nodes
    if {"lat", "lon"} <= set(nodes.columns):
        lat = pd.to_numeric(nodes["lat"], errors="coerce")
        lon = pd.to_numeric(nodes["lon"], errors="coerce")
        if len(nodes) and lat.notna().all() and lon.notna().all():
            return {str(n): (float(lon[n]), float(lat[n])) for n in nodes.index}, True
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(str(n) for n in nodes.index)
    pipes = run.network.pipes
    graph.add_edges_from(
        zip(pipes["from_node"].astype(str), pipes["to_node"].astype(str), strict=True)
    )
    layout = nx.spring_layout(graph, seed=7) if len(graph) > 1 else {n: np.zeros(2) for n in graph}
    return {n: (float(p[0]), float(p[1])) for n, p in layout.items()}, False


@dataclass(frozen=True)
class _MapValues:
    """The numbers a map shows, for the season [GWh] or one period [MW].

    Attributes:
        unit: ``GWh`` or ``MW``.
        fmt: number format of the hover texts.
        carried: heat entering each pipe, both directions, by pipe id.
        net_dir: forward less reverse heat by pipe id (its sign is the net direction).
        lost: heat lost in each pipe, by pipe id.
        src_heat: heat produced by each source, by source id.
        dem: ``demand`` and ``unserved`` heat by district node.
    """

    unit: str
    fmt: str
    carried: pd.Series
    net_dir: pd.Series
    lost: pd.Series
    src_heat: pd.Series
    dem: pd.DataFrame

    @property
    def max_carried(self) -> float:
        """Heat carried by the busiest pipe (at least 1e-9)."""
        return max(float(self.carried.max()) if len(self.carried) else 0.0, 1e-9)


def _map_values(run: RunResults, sel: tuple[int, str] | None) -> _MapValues:
    """Heat carried, lost and its net direction by pipe, heat by source and demand and unserved
    heat by district: season totals from ``pipes``, ``sources`` and ``nodes`` [GWh], or the
    period ``sel`` from ``flows``, ``dispatch`` and ``nodes`` [MW]."""
    demand = run_table(run, "nodes", "map")
    if sel:
        f = run_table(run, "flows", "map")
        f = f.loc[f["t"] == sel[0]].set_index("pipe")
        carried = (f["flow_forward_mw"] + f["flow_reverse_mw"]).astype(float)
        net_dir = (f["flow_forward_mw"] - f["flow_reverse_mw"]).astype(float)
        lost = f["loss_mw"].astype(float)
        d = run_table(run, "dispatch", "map")
        d = d.loc[d["t"] == sel[0]]
        src_heat = d.groupby("source")["heat_mw"].sum()
        dem = demand.loc[demand["t"] == sel[0]].groupby("node")[["demand_mw", "unserved_mw"]].sum()
    else:
        res_pipes = run_table(run, "pipes", "map")
        carried = res_pipes["heat_in_mwh"].astype(float) / MWH_PER_GWH
        net_dir = (res_pipes["forward_mwh"] - res_pipes["reverse_mwh"]).astype(float)
        lost = res_pipes["loss_mwh"].astype(float) / MWH_PER_GWH
        src_heat = run_table(run, "sources", "map")["heat_mwh"].astype(float) / MWH_PER_GWH
        dem = demand.groupby("node")[["demand_mwh", "unserved_mwh"]].sum() / MWH_PER_GWH
    dem.columns = ["demand", "unserved"]
    src_heat.index = src_heat.index.astype(str)
    return _MapValues(
        unit="MW" if sel else "GWh",
        fmt=",.0f" if sel else ",.1f",
        carried=carried,
        net_dir=net_dir,
        lost=lost,
        src_heat=src_heat,
        dem=dem,
    )


@dataclass(frozen=True)
class _PipeSegment:
    """One pipe as the map draws it: ends, decision, heat carried (0 when idle), net
    direction (sign of forward less reverse heat) and hover text."""

    pid: str
    decision: str
    x0: float
    y0: float
    x1: float
    y1: float
    value: float
    direction: float
    hover: str
    length_km: float = 0.0
    line: str = ""
    name: str = ""
    path: tuple[tuple[float, float], ...] = ()
    """The pipe's ``route_wkt`` points (lon, lat) on a geographic map; empty = straight."""


def _pipe_hover(
    pid: str,
    row: pd.Series,
    result: pd.Series | None,
    decision: str,
    value: float,
    lost: float,
    names: tuple[str, str, str],
    v: _MapValues,
) -> str:
    """Hover text of one pipe: ``names`` (pipe, from node, to node), decision, length,
    capacity, heat carried and ``lost`` and, with a season ``result`` row, peak flow and use of
    capacity."""
    pipe_name, a, b = names
    fmt, unit = v.fmt, v.unit
    lines = [
        f"<b>{esc(pipe_name)}</b>",
        f"pipe {esc(pid)}: {esc(a)} → {esc(b)}",
        f"{decision.replace('_', ' ')} · {float(row['length_km']):,.1f} km · "
        f"{float(row['capacity_mw']):,.0f} MW",
        f"heat carried: {value:{fmt}} {unit}",
        f"losses: {lost:{fmt}} {unit}",
    ]
    if result is not None:
        lines.append(
            f"peak flow: {float(result['peak_flow_mw']):,.0f} MW "
            f"({float(result['utilisation']) * 100:,.0f} % of capacity)"
        )
    return "<br>".join(lines)


def _pipe_segments(
    run: RunResults,
    pos: dict[str, tuple[float, float]],
    v: _MapValues,
    sel: tuple[int, str] | None,
) -> list[_PipeSegment]:
    """Every pipe with both ends placed, in the network's order. A pipe without a result row
    is drawn as existing; heat below 1e-6 of the largest pipe's is solver noise on an idle
    pipe and shown as 0."""
    net_pipes = run.network.pipes
    res_pipes = run_table(run, "pipes", "map")
    pipe_names = display_names(net_pipes, net_pipes.index)
    lines = pipe_corridors(run, "project")
    node_names = _node_names(run, short=False)
    max_carried = v.max_carried
    out = []
    for pid in net_pipes.index:
        row = net_pipes.loc[pid]
        a, b = str(row["from_node"]), str(row["to_node"])
        if a not in pos or b not in pos:
            continue
        decision = str(res_pipes.at[pid, "decision"]) if pid in res_pipes.index else "existing"
        value = float(v.carried.get(pid, 0.0))
        if value <= 1e-6 * max_carried:
            value = 0.0
        result = res_pipes.loc[pid] if pid in res_pipes.index and not sel else None
        names = (pipe_names[str(pid)], node_names.get(a, a), node_names.get(b, b))
        lost = float(v.lost.get(pid, 0.0))
        hover = _pipe_hover(str(pid), row, result, decision, value, lost, names, v)
        (x0, y0), (x1, y1) = pos[a], pos[b]
        direction = float(v.net_dir.get(pid, 0.0))
        length = float(row["length_km"])
        line = lines.get(str(pid), str(pid))
        name = pipe_names[str(pid)]
        out.append(
            _PipeSegment(
                str(pid), decision, x0, y0, x1, y1, value, direction, hover, length, line, name
            )
        )
    return out


def _with_routes(run: RunResults, segments: list[_PipeSegment]) -> list[_PipeSegment]:
    """The segments of a geographic map, each pipe with a ``route_wkt`` following it."""
    pipes = run.network.pipes
    if "route_wkt" not in pipes.columns:
        return segments
    out = []
    for s in segments:
        text = str(pipes.at[s.pid, "route_wkt"] or "").strip() if s.pid in pipes.index else ""
        try:
            path = tuple(parse_wkt_linestring(text)) if text else ()
        except WktError:  # validated when the network was read
            path = ()
        out.append(dataclasses.replace(s, path=path) if path else s)
    return out


def _middle_piece(s: _PipeSegment) -> tuple[tuple[float, float], tuple[float, float]]:
    """The piece of a pipe's drawn line at half its length (the whole line if straight)."""
    pts = s.path or ((s.x0, s.y0), (s.x1, s.y1))
    steps = [math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(pts)]
    half, walked = sum(steps) / 2, 0.0
    for i, step in enumerate(steps):
        if walked + step >= half and step > 0:
            return pts[i], pts[i + 1]
        walked += step
    return pts[0], pts[-1]


def pipe_width_bin(value: float, max_value: float) -> int:
    """Width class of a pipe carrying ``value`` when the busiest pipe carries ``max_value``
    (same unit): 0 for an idle pipe, else 1 … :data:`PIPE_WIDTH_BINS`, equal steps of
    √(value / max_value)."""
    if value <= 0 or max_value <= 0:
        return 0
    level = math.sqrt(min(value / max_value, 1.0))
    return min(PIPE_WIDTH_BINS, max(1, math.ceil(level * PIPE_WIDTH_BINS)))


def pipe_bin_width(width_bin: int) -> float:
    """Line width [px] of a width class: :data:`PIPE_WIDTH_IDLE_PX` for idle pipes, else
    ``PIPE_WIDTH_IDLE_PX + PIPE_WIDTH_SPAN_PX · √share`` at the middle of the class."""
    if width_bin <= 0:
        return PIPE_WIDTH_IDLE_PX
    return PIPE_WIDTH_IDLE_PX + PIPE_WIDTH_SPAN_PX * (width_bin - 0.5) / PIPE_WIDTH_BINS


def _pipe_line_traces(segments: list[_PipeSegment], max_carried: float) -> list[go.Scatter]:
    """The pipes as a few line traces: one per (decision, width class), segments separated by
    None. Decisions in :data:`PIPE_STYLE` order, thin before wide; one legend entry per
    decision (on its widest class), and the legend toggles all classes of a decision. Widths
    are relative to ``max_carried``, the heat of the busiest pipe."""
    groups: dict[tuple[str, int], list[_PipeSegment]] = {}
    for s in segments:
        groups.setdefault((s.decision, pipe_width_bin(s.value, max_carried)), []).append(s)
    rank = {d: i for i, d in enumerate(PIPE_STYLE)}
    order = sorted(groups, key=lambda g: (rank.get(g[0], len(rank)), g[1]))
    widest = {decision: k for decision, k in order}
    traces = []
    for decision, k in order:
        colour, dash, legend = PIPE_STYLE.get(decision, ("#7f7f7f", "solid", decision))
        xs: list[float | None] = []
        ys: list[float | None] = []
        for s in groups[(decision, k)]:
            if s.path:
                xs += [p[0] for p in s.path] + [None]
                ys += [p[1] for p in s.path] + [None]
                continue
            xs += [s.x0, s.x1, None]
            ys += [s.y0, s.y1, None]
        traces.append(
            go.Scatter(
                x=xs[:-1],
                y=ys[:-1],
                mode="lines",
                line={"color": colour, "width": pipe_bin_width(k), "dash": dash},
                name=esc(legend),
                legendgroup=f"pipe-{decision}",
                showlegend=widest[decision] == k,
                hoverinfo="skip",
                meta={
                    "decision": decision,
                    "width_bin": k,
                    "pipes": [esc(s.pid) for s in groups[(decision, k)]],
                },
            )
        )
    return traces


def _pipe_hover_trace(segments: list[_PipeSegment]) -> go.Scatter:
    """One layer of invisible markers at the pipes' midpoints carrying each pipe's hover text
    (the line traces skip hover); ``customdata`` is each pipe's escaped id."""
    colours = [PIPE_STYLE.get(s.decision, ("#7f7f7f",))[0] for s in segments]
    middles = [_middle_piece(s) for s in segments]
    return go.Scatter(
        x=[(a[0] + b[0]) / 2 for a, b in middles],
        y=[(a[1] + b[1]) / 2 for a, b in middles],
        mode="markers",
        name="pipe details",
        showlegend=False,
        marker={"size": 9, "color": colours, "opacity": 0.0},
        text=[s.hover for s in segments],
        customdata=[esc(s.pid) for s in segments],
        hovertemplate="%{text}<extra></extra>",
    )


@dataclass(frozen=True)
class _MapScale:
    """The pixel scale the map's labels are placed for: the plot area of
    :data:`MAP_PLOT_PX` showing ``x_range`` × ``y_range`` at equal ground scale (one unit of
    y is ``ratio`` units of x on screen).

    Attributes:
        sx: pixels per unit of x (longitude).
        sy: pixels per unit of y (latitude).
        x_range: x axis range.
        y_range: y axis range.
    """

    sx: float
    sy: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def px(self, x: float, y: float) -> tuple[float, float]:
        """Position (x, y) in pixels (y up)."""
        return x * self.sx, y * self.sy


def _map_scale(pos: dict[str, tuple[float, float]], geographic: bool) -> _MapScale:
    """Axis ranges (the nodes with :data:`MAP_PAD_SHARE` of the span around them) and the pixel
    scale of the plot area :data:`MAP_PLOT_PX` at equal ground scale."""
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    ratio = 1.0
    if geographic:
        ratio = 1.0 / max(math.cos(math.radians(float(np.mean(ys)))), 0.05)
    span_x = max(max(xs) - min(xs), 1e-3)
    span_y = max(max(ys) - min(ys), 1e-3)
    x_range = (min(xs) - MAP_PAD_SHARE * span_x, max(xs) + MAP_PAD_SHARE * span_x)
    y_range = (min(ys) - MAP_PAD_SHARE * span_y, max(ys) + MAP_PAD_SHARE * span_y)
    width, height = MAP_PLOT_PX
    sx = min(width / (x_range[1] - x_range[0]), height / ((y_range[1] - y_range[0]) * ratio))
    return _MapScale(sx, sx * ratio, x_range, y_range)


def _direction_arrows(segments: list[_PipeSegment], scale: _MapScale) -> list[dict[str, Any]]:
    """An arrow at the middle of every pipe carrying heat, pointing its net direction; none on
    pipes shorter than :data:`MAP_ARROW_MIN_PX` on screen (hover gives their direction)."""
    arrows = []
    for s in segments:
        if s.value <= 0 or abs(s.direction) <= 1e-9 or (s.x0, s.y0) == (s.x1, s.y1):
            continue
        if math.hypot((s.x1 - s.x0) * scale.sx, (s.y1 - s.y0) * scale.sy) < MAP_ARROW_MIN_PX:
            continue
        sgn = 1.0 if s.direction > 0 else -1.0
        (ax, ay), (bx, by) = _middle_piece(s)
        mx, my = (ax + bx) / 2, (ay + by) / 2
        # 6 % of the straight line's length, along the middle piece of the drawn line
        piece = max(math.hypot(bx - ax, by - ay), 1e-12)
        k = 0.06 * sgn * math.hypot(s.x1 - s.x0, s.y1 - s.y0) / piece
        dx, dy = (bx - ax) * k, (by - ay) * k
        arrows.append(
            {
                "x": mx + dx,
                "y": my + dy,
                "ax": mx - dx,
                "ay": my - dy,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "text": "",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1.2,
                "arrowwidth": 1.5,
                "arrowcolor": "#333",
            }
        )
    return arrows


def _nice_floor(value: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``value`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= value * (1 + 1e-12))


def _pipe_width_legend(max_carried: float, v: _MapValues) -> list[go.Scatter]:
    """The width scale: legend-only lines (no data) of round amounts of heat near the busiest
    pipe's, a quarter and a twentieth of it, each drawn at the width of its class."""
    if max_carried <= 1e-9:
        return []
    refs = sorted({_nice_floor(max_carried * share) for share in MAP_WIDTH_SCALE_SHARES})
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            line={
                "color": MAP_WIDTH_SCALE_COLOUR,
                "width": pipe_bin_width(pipe_width_bin(ref, max_carried)),
            },
            name=f"{ref:,.0f} {v.unit}",
            legendgroup="width-scale",
            legendgrouptitle={"text": f"pipe width: heat [{v.unit}]"} if i == 0 else None,
            hoverinfo="skip",
            meta={"width_scale": ref},
        )
        for i, ref in enumerate(reversed(refs))
    ]


@dataclass(frozen=True)
class _MapNodes:
    """What the node layers of a map read.

    Attributes:
        pos: node positions.
        names: display name by node id (the short name where given: labels).
        info: :func:`source_info` of the run.
        sources_at: source ids by node.
        hover: hover text by node id.
        v: the numbers shown.
    """

    pos: dict[str, tuple[float, float]]
    names: dict[str, str]
    info: pd.DataFrame
    sources_at: dict[str, list[str]]
    hover: dict[str, str]
    v: _MapValues


def _map_nodes(run: RunResults, pos: dict[str, tuple[float, float]], v: _MapValues) -> _MapNodes:
    """Names, sources and hover text of the placed nodes: full name, id, demand and unserved
    heat of a district, and each source at the node with its decision and heat."""
    info = source_info(run)
    names = _node_names(run)
    full = _node_names(run, short=False)
    fmt, unit = v.fmt, v.unit
    sources_at: dict[str, list[str]] = {}
    for sid, node in info["node"].items():
        sources_at.setdefault(node, []).append(sid)

    def source_line(sid: str) -> str:
        """One source in a node's hover text: name, technology, decision, heat."""
        decision = info.at[sid, "decision"]
        tech = info.at[sid, "technology"]
        heat = float(v.src_heat.get(sid, 0.0))
        return (
            f"{esc(shorten(info.at[sid, 'full_name'], 40))} ({esc(tech_label(tech))}): "
            f"{esc(decision.replace('_', ' '))}, {heat:{fmt}} {unit}"
        )

    hover = {}
    for n in pos:
        lines = [f"<b>{esc(full.get(n, n))}</b>", f"node {esc(n)}"]
        if n in v.dem.index:
            lines.append(f"demand: {float(v.dem.at[n, 'demand']):{fmt}} {unit}")
            lines.append(f"unserved: {float(v.dem.at[n, 'unserved']):{fmt}} {unit}")
        if n in sources_at:
            lines.append("sources:")
            lines += [source_line(s) for s in sources_at[n]]
        hover[n] = "<br>".join(lines)
    return _MapNodes(pos, names, info, sources_at, hover, v)


def _district_sizes(m: _MapNodes, districts: list[str]) -> dict[str, float]:
    """Marker diameter [px] of each district: 14 + 30 √(demand / largest demand)."""
    if not districts:
        return {}
    dvals = np.array([float(m.v.dem.at[n, "demand"]) for n in districts])
    dmax = max(float(dvals.max()), 1e-9)
    return {n: 14 + 30 * math.sqrt(d / dmax) for n, d in zip(districts, dvals, strict=True)}


def _district_traces(m: _MapNodes, districts: list[str]) -> list[go.Scatter]:
    """Districts as circles sized by demand, and a red triangle on each district short of
    heat."""
    if not districts:
        return []
    pos, dem = m.pos, m.v.dem
    sizes = _district_sizes(m, districts)
    traces = [
        go.Scatter(
            x=[pos[n][0] for n in districts],
            y=[pos[n][1] for n in districts],
            mode="markers",
            name="district (demand)",
            marker={
                "size": [sizes[n] for n in districts],
                "color": _rgba(DISTRICT_COLOUR, 0.35),
                "line": {"color": DISTRICT_COLOUR, "width": 1.5},
            },
            customdata=[m.hover[n] for n in districts],
            hovertemplate="%{customdata}<extra></extra>",
        )
    ]
    unserved_nodes = [n for n in districts if float(dem.at[n, "unserved"]) > 1e-6]
    if unserved_nodes:
        traces.append(
            go.Scatter(
                x=[pos[n][0] for n in unserved_nodes],
                y=[pos[n][1] for n in unserved_nodes],
                mode="markers",
                name="district short of heat",
                marker={"size": 12, "color": UNSERVED_COLOUR, "symbol": "triangle-down"},
                customdata=[m.hover[n] for n in unserved_nodes],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    return traces


@dataclass(frozen=True)
class _Serving:
    """A node with sources in service: heat of those sources, the technology of the largest
    and the marker's side [px]."""

    node: str
    heat: float
    tech: str
    size: float


def _serving_nodes(m: _MapNodes) -> list[_Serving]:
    """Nodes with a source in service, each sized by its output (8 + 16 √(heat / largest))
    and given the technology of its largest source."""
    info = m.info
    out = []
    for n, ids in m.sources_at.items():
        live = [s for s in ids if info.at[s, "decision"] in IN_SERVICE]
        if n not in m.pos or not live:
            continue
        heats = [float(m.v.src_heat.get(s, 0.0)) for s in live]
        top = live[int(np.argmax(heats))]
        out.append(_Serving(n, sum(heats), str(info.at[top, "technology"]), 0.0))
    hmax = max([s.heat for s in out] + [1e-9])
    return [
        _Serving(s.node, s.heat, s.tech, 8 + 16 * math.sqrt(max(s.heat, 0.0) / hmax)) for s in out
    ]


def _serving_traces(m: _MapNodes, serving: list[_Serving]) -> list[go.Scatter]:
    """Sources in service: one square per node, sized by the node's output; one trace (and
    legend entry) per technology of the node's largest source, in :data:`TECH_ORDER`."""
    by_tech: dict[str, list[_Serving]] = {}
    for s in serving:
        by_tech.setdefault(s.tech, []).append(s)
    return [
        go.Scatter(
            x=[m.pos[s.node][0] for s in group],
            y=[m.pos[s.node][1] for s in group],
            mode="markers",
            name=esc(f"source: {tech_label(tech)}"),
            legendgroup="sources",
            marker={
                "symbol": "square",
                "size": [s.size for s in group],
                "color": tech_colour(tech),
                "line": {"color": "#222", "width": 1},
            },
            customdata=[m.hover[s.node] for s in group],
            hovertemplate="%{customdata}<extra></extra>",
            meta={"technology": tech},
        )
        for tech, group in sorted(by_tech.items(), key=lambda kv: _tech_rank(kv[0]))
    ]


def _other_node_traces(m: _MapNodes) -> list[go.Scatter]:
    """Retired sources (red crosses), candidate sources not built (open diamonds) and the
    nodes with neither source nor demand (junctions, stations)."""
    traces = []
    retired_marker = {
        "symbol": "x",
        "size": 15,
        "color": UNSERVED_COLOUR,
        "line": {"color": "#fff", "width": 1},
    }
    candidate_marker = {"symbol": "diamond-open", "size": 12, "color": "#7f7f7f"}
    for decisions, trace_name, marker in (
        (RETIRED, "retired source", retired_marker),
        (("not_built",), "candidate source, not built", candidate_marker),
    ):
        at = [
            n
            for n, ids in m.sources_at.items()
            if n in m.pos and any(m.info.at[s, "decision"] in decisions for s in ids)
        ]
        if at:
            traces.append(_node_marker_trace(m, at, trace_name, marker))
    junctions = [n for n in m.pos if n not in m.sources_at and n not in m.v.dem.index]
    if junctions:
        marker = {"size": 7, "color": "#ffffff", "line": {"color": "#555", "width": 1.5}}
        traces.append(_node_marker_trace(m, junctions, "junction / station", marker))
    return traces


def _node_marker_trace(
    m: _MapNodes, at: list[str], name: str, marker: dict[str, Any]
) -> go.Scatter:
    """Unlabelled markers at nodes ``at``, with their hover text."""
    return go.Scatter(
        x=[m.pos[n][0] for n in at],
        y=[m.pos[n][1] for n in at],
        mode="markers",
        name=name,
        marker=marker,
        customdata=[m.hover[n] for n in at],
        hovertemplate="%{customdata}<extra></extra>",
    )


# --- map labels: few, placed so that they do not overlap -----------------------------------------


def map_text_px(text: str, font_px: float) -> tuple[float, float]:
    """Estimated size [px] of one line of ``text`` (raw, not escaped) at ``font_px``: wide
    (CJK) characters one em, others :data:`MAP_NARROW_EM` em; height
    :data:`MAP_LINE_EM` em."""
    import unicodedata

    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else MAP_NARROW_EM for c in text)
    return ems * font_px, MAP_LINE_EM * font_px


@dataclass(frozen=True)
class _LabelWish:
    """A label the map would like to show: raw text, colour, font size [px], and where it
    may go: centres [px] to try in order."""

    text: str
    colour: str
    font_px: float
    spots: list[tuple[float, float]]


Box = tuple[float, float, float, float]
"""A box in pixels: x0, y0, x1, y1."""


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _node_spots(cx: float, cy: float, r: float, w: float, h: float) -> list[tuple[float, float]]:
    """Label centres around a marker of radius ``r`` at (cx, cy) for a w × h label: below,
    above, right, left, the corners, then the same one and two lines further out."""
    spots = []
    for extra in (0.0, h, 2 * h):
        d = r + 3 + extra
        spots += [
            (cx, cy - d - h / 2),
            (cx, cy + d + h / 2),
            (cx + d + w / 2, cy),
            (cx - d - w / 2, cy),
            (cx + 0.7 * d + w / 2, cy - 0.7 * d - h / 2),
            (cx + 0.7 * d + w / 2, cy + 0.7 * d + h / 2),
            (cx - 0.7 * d - w / 2, cy - 0.7 * d - h / 2),
            (cx - 0.7 * d - w / 2, cy + 0.7 * d + h / 2),
        ]
    return spots


def _line_spots(
    p0: tuple[float, float], p1: tuple[float, float], w: float, h: float, width: float
) -> list[tuple[float, float]]:
    """Label centres beside a line from p0 to p1 [px] of ``width`` [px]: at its middle, then
    nearer either end, on either side."""
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    length = max(math.hypot(dx, dy), 1e-9)
    nx, ny = -dy / length, dx / length
    off = abs(nx) * w / 2 + abs(ny) * h / 2 + width / 2 + 3
    spots = []
    for t in (0.5, 0.38, 0.62, 0.28, 0.72):
        mx, my = p0[0] + t * dx, p0[1] + t * dy
        spots += [(mx + nx * off, my + ny * off), (mx - nx * off, my - ny * off)]
    return spots


def _place_labels(wishes: list[_LabelWish], obstacles: list[Box]) -> list[tuple[_LabelWish, Box]]:
    """Greedy placement in the order of ``wishes``: each label at the spot that overlaps no
    label placed before and covers least of the markers of ``obstacles`` (the first such spot);
    a label with no spot clear of the labels is left out (its name is in the hover)."""
    placed: list[tuple[_LabelWish, Box]] = []
    for wish in wishes:
        w, h = map_text_px(wish.text, wish.font_px)
        boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y in wish.spots]
        free = [b for b in boxes if not any(_overlaps(b, p) for _, p in placed)]
        if free:
            placed.append((wish, min(free, key=lambda b: _covered(b, obstacles))))
    return placed


def _covered(box: Box, obstacles: list[Box]) -> float:
    """Area of ``box`` covered by ``obstacles`` [px²] (overlaps counted once per obstacle)."""
    area = 0.0
    for o in obstacles:
        w = min(box[2], o[2]) - max(box[0], o[0])
        h = min(box[3], o[3]) - max(box[1], o[1])
        area += max(w, 0.0) * max(h, 0.0)
    return area


def _label_wishes(
    m: _MapNodes,
    districts: list[str],
    serving: list[_Serving],
    segments: list[_PipeSegment],
    scale: _MapScale,
    label_chars: int,
) -> tuple[list[_LabelWish], list[Box]]:
    """The labels worth showing, most important first, and the markers they should not
    cover: districts with at least :data:`MAP_LABEL_DISTRICT_SHARE` of the demand (largest
    first), nodes not a district with sources in service giving at least
    :data:`MAP_LABEL_SOURCE_SHARE` of the heat, and lines in service of at least
    :data:`MAP_LONG_LINE_KM` (one label per line name, on its longest pipe)."""
    wishes: list[_LabelWish] = []
    obstacles: list[Box] = []
    sizes = _district_sizes(m, districts)
    for n, d in sizes.items():
        cx, cy = scale.px(*m.pos[n])
        obstacles.append((cx - d / 2, cy - d / 2, cx + d / 2, cy + d / 2))
    for s in serving:
        cx, cy = scale.px(*m.pos[s.node])
        obstacles.append((cx - s.size / 2, cy - s.size / 2, cx + s.size / 2, cy + s.size / 2))
    total_demand = float(m.v.dem["demand"].clip(lower=0).sum())
    for n in sorted(districts, key=lambda n: -float(m.v.dem.at[n, "demand"])):
        if float(m.v.dem.at[n, "demand"]) < MAP_LABEL_DISTRICT_SHARE * total_demand:
            continue
        text = shorten(m.names.get(n, n), label_chars)
        w, h = map_text_px(text, MAP_LABEL_FONT_PX)
        spots = _node_spots(*scale.px(*m.pos[n]), sizes[n] / 2, w, h)
        wishes.append(_LabelWish(text, DISTRICT_COLOUR, MAP_LABEL_FONT_PX, spots))
    total_heat = sum(max(s.heat, 0.0) for s in serving)
    for s in sorted(serving, key=lambda s: -s.heat):
        if s.node in sizes or s.heat < MAP_LABEL_SOURCE_SHARE * total_heat or s.heat <= 0:
            continue
        text = shorten(m.names.get(s.node, s.node), label_chars)
        w, h = map_text_px(text, MAP_LABEL_FONT_PX - 1)
        spots = _node_spots(*scale.px(*m.pos[s.node]), s.size / 2, w, h)
        wishes.append(_LabelWish(text, "#333333", MAP_LABEL_FONT_PX - 1, spots))
    for line, seg in _long_lines(segments):
        text = shorten(line, label_chars + 4)
        w, h = map_text_px(text, MAP_LABEL_FONT_PX - 1)
        width = PIPE_WIDTH_IDLE_PX + PIPE_WIDTH_SPAN_PX
        spots = _line_spots(scale.px(seg.x0, seg.y0), scale.px(seg.x1, seg.y1), w, h, width)
        colour = PIPE_STYLE.get(seg.decision, ("#555555",))[0]
        wishes.append(_LabelWish(text, colour, MAP_LABEL_FONT_PX - 1, spots))
    return wishes, obstacles


def _long_lines(segments: list[_PipeSegment]) -> list[tuple[str, _PipeSegment]]:
    """The long-distance lines to label, longest first: pipes in service of at least
    :data:`MAP_LONG_LINE_KM`, one label per ``project`` (on its longest pipe) when the project's
    pipes (all of them, in service or not) form one connected line, else each pipe by its own
    name (a project such as ``HYPOTHETICAL`` names a kind of pipe, not a line)."""
    import networkx as nx

    by_line: dict[str, list[_PipeSegment]] = {}
    whole: dict[str, list[_PipeSegment]] = {}
    for seg in segments:
        whole.setdefault(seg.line, []).append(seg)
        if seg.length_km >= MAP_LONG_LINE_KM and seg.decision in IN_SERVICE:
            by_line.setdefault(seg.line, []).append(seg)
    out: list[tuple[str, _PipeSegment]] = []
    for line, segs in by_line.items():
        graph = nx.Graph([((s.x0, s.y0), (s.x1, s.y1)) for s in whole[line]])
        if nx.is_connected(graph):
            out.append((line, max(segs, key=lambda s: s.length_km)))
        else:
            out += [(s.name, s) for s in segs]
    return sorted(out, key=lambda item: -item[1].length_km)


def _label_trace(placed: list[tuple[_LabelWish, Box]], scale: _MapScale) -> go.Scatter:
    """The placed labels as one text layer (no hover, no legend); ``meta`` holds the pixel
    scale they were placed for (``px_per_x``, ``px_per_y``)."""
    return go.Scatter(
        x=[(b[0] + b[2]) / 2 / scale.sx for _, b in placed],
        y=[(b[1] + b[3]) / 2 / scale.sy for _, b in placed],
        mode="text",
        name="labels",
        text=[esc(w.text) for w, _ in placed],
        textposition="middle center",
        textfont={"size": [w.font_px for w, _ in placed], "color": [w.colour for w, _ in placed]},
        hoverinfo="skip",
        showlegend=False,
        cliponaxis=False,
        meta={"labels": True, "px_per_x": scale.sx, "px_per_y": scale.sy},
    )


def _map_axes(fig: go.Figure, scale: _MapScale, geographic: bool) -> None:
    """Longitude/latitude axes at equal ground scale (x stretched by 1 / cos(mean latitude)),
    or hidden axes with a note for a schematic layout; ranges of ``scale``."""
    if geographic:
        fig.update_xaxes(
            title_text="longitude [°E]",
            showgrid=True,
            gridcolor="#e6e6e6",
            zeroline=False,
            range=list(scale.x_range),
        )
        fig.update_yaxes(
            title_text="latitude [°N]",
            showgrid=True,
            gridcolor="#e6e6e6",
            zeroline=False,
            range=list(scale.y_range),
            scaleanchor="x",
            scaleratio=scale.sy / scale.sx,
        )
        return
    fig.update_xaxes(visible=False, range=list(scale.x_range))
    fig.update_yaxes(visible=False, range=list(scale.y_range), scaleanchor="x", scaleratio=1.0)
    fig.add_annotation(
        text="schematic layout: nodes.csv has no lat/lon for every node",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.06,
        showarrow=False,
        font={"size": 11, "color": "#666"},
    )


def _background_traces(
    background: str | os.PathLike[str] | Sequence[Sequence[tuple[float, float]]] | None,
    geographic: bool,
) -> list[go.Scatter]:
    """A planner's own district boundaries or roads (a GeoJSON file, read by
    :func:`heatnet.gis.read_background`, or lines of (lon, lat) points) as one thin grey line
    trace under the network; nothing without a background. A schematic map (nodes without
    lat/lon) cannot place it: InputError."""
    if background is None:
        return []
    if not geographic:
        raise InputError(
            [
                Problem(
                    "nodes.csv",
                    "a map background needs node coordinates",
                    column="lat/lon",
                    expected="lat and lon for every node",
                    found="a schematic layout",
                )
            ]
        )
    lines = read_background(background) if isinstance(background, str | os.PathLike) else background
    xs: list[float | None] = []
    ys: list[float | None] = []
    for line in lines:
        xs += [p[0] for p in line] + [None]
        ys += [p[1] for p in line] + [None]
    return [
        go.Scatter(
            x=xs[:-1],
            y=ys[:-1],
            mode="lines",
            line={"color": "#b8b8b0", "width": 1},
            name="background",
            hoverinfo="skip",
            showlegend=False,
        )
    ]


def map_figure(
    run: RunResults,
    *,
    period: str | None = None,
    label_chars: int = 14,
    show_labels: bool = True,
    background: str | os.PathLike[str] | Sequence[Sequence[tuple[float, float]]] | None = None,
) -> go.Figure:
    """Network map: nodes at their coordinates, pipes by decision, width by heat carried.

    Reads ``pipes`` (decision, heat_in_mwh, forward_mwh, reverse_mwh, loss_mwh, peak_flow_mw,
    utilisation), ``sources`` (decision, heat_mwh, peak_output_mw), ``nodes`` (demand_mwh,
    unserved_mwh, demand_mw, unserved_mw), with ``period`` also ``flows`` and ``dispatch``, and
    the network's nodes (name, short_name, lat, lon), sources and pipes (names, project, ends,
    length, capacity).

    Pipe colour: existing, built in this plan, candidate not built, unavailable; width: heat
    carried over the season (or at ``period``) in :data:`PIPE_WIDTH_BINS` classes of
    √(heat / largest heat), with a width scale of three round amounts in the legend; an arrow
    shows the net direction on pipes long enough on screen (:data:`MAP_ARROW_MIN_PX`). The
    pipes are a few line traces (one per decision and width class) and one layer of invisible
    midpoint markers holding each pipe's hover text, so the number of traces does not grow
    with the network. Districts are circles sized by demand; sources in service are squares
    sized by output, one legend entry per technology (of each node's largest source); retired
    sources are red crosses.

    Labels are few and do not overlap: districts with at least
    :data:`MAP_LABEL_DISTRICT_SHARE` of the demand, other nodes whose sources give at least
    :data:`MAP_LABEL_SOURCE_SHARE` of the heat (short names where given, cut to
    ``label_chars``), and lines in service of at least :data:`MAP_LONG_LINE_KM` by their
    ``project`` (else name, else id), beside the middle of the line. They are placed greedily,
    most important first, for a plot area of :data:`MAP_PLOT_PX`; a label with no free spot is
    left out. Every name is in the hover text; ``show_labels=False`` drops the labels. Drawn
    on plain longitude/latitude axes with equal scale (no map tiles, no internet); without
    coordinates, on a schematic layout.

    Pipes with a ``route_wkt`` follow their route. ``background``: a GeoJSON file of the
    planner's own district boundaries or roads (Polygon, MultiPolygon, LineString), or lines
    of (lon, lat) points, drawn in grey under the network (:func:`_background_traces`).
    """
    sel = resolve_period(run, period)
    pos, geographic = node_positions(run)
    scale = _map_scale(pos, geographic)
    v = _map_values(run, sel)
    segments = _pipe_segments(run, pos, v, sel)
    if geographic:
        segments = _with_routes(run, segments)
    m = _map_nodes(run, pos, v)
    districts = [n for n in v.dem.index.astype(str) if n in pos]
    serving = _serving_nodes(m)
    labels = []
    if show_labels:
        wishes, obstacles = _label_wishes(m, districts, serving, segments, scale, label_chars)
        labels = [_label_trace(_place_labels(wishes, obstacles), scale)]
    fig = go.Figure(
        [
            *_background_traces(background, geographic),
            *_pipe_line_traces(segments, v.max_carried),
            *_pipe_width_legend(v.max_carried, v),
            _pipe_hover_trace(segments),
            *_district_traces(m, districts),
            *_serving_traces(m, serving),
            *_other_node_traces(m),
            *labels,
        ]
    )
    when = f"period {esc(sel[1])}" if sel else "the season"
    fig.update_layout(
        title={
            "text": f"Network map: {esc(run_label(run))}<br><sup>pipe width = heat carried "
            f"over {when} [{v.unit}]; arrows = net direction</sup>"
        },
        annotations=_direction_arrows(segments, scale),
        hovermode="closest",
        plot_bgcolor="#fbfbf8",
        height=MAP_HEIGHT_PX,
        legend={"orientation": "v", "x": 1.01, "y": 1, "tracegroupgap": 6},
        margin=MAP_MARGIN,
    )
    _map_axes(fig, scale, geographic)
    return fig


# --- dispatch and duration --------------------------------------------------------------------


def _dispatch_wide(
    run: RunResults, by: GroupBy, figure: str
) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """heat_mw by t (rows) and group (columns), with labels and colours by group."""
    d = run_table(run, "dispatch", figure)
    info = source_info(run)
    key = "technology" if by == "technology" else "source"
    d = d.assign(**{key: d[key].astype(str)})
    wide = d.pivot_table(index="t", columns=key, values="heat_mw", aggfunc="sum").fillna(0.0)
    wide = wide.loc[:, wide.abs().max() > 1e-6]
    if by == "technology":
        order = sorted(wide.columns, key=_tech_rank)
        labels = {t: esc(tech_label(t)) for t in order}
        colours = {t: tech_colour(t) for t in order}
    else:
        techs = {s: info.at[s, "technology"] if s in info.index else "other" for s in wide.columns}
        order = sorted(wide.columns, key=lambda s: (_tech_rank(techs[s]), -wide[s].sum()))
        labels = {
            s: esc(shorten(info.at[s, "name"], 30)) if s in info.index else esc(s) for s in order
        }
        colours = {s: tech_colour(techs[s]) for s in order}
    return wide[order], labels, colours


def dispatch_figure(run: RunResults, *, by: GroupBy = "technology") -> go.Figure:
    """Heat by technology (or source) over the season, stacked, against demand [MW].

    Reads ``dispatch`` (t, source, technology, heat_mw), ``periods`` (t, period, demand_mw,
    unserved_mw) and the network's source names. The stack is heat produced (it includes what
    the pipes lose); unserved heat is stacked on top in red; the line is the districts' demand.
    """
    wide, labels, colours = _dispatch_wide(run, by, "dispatch")
    per = period_table(run).set_index("t")
    if "demand_mw" not in per.columns:
        n = run_table(run, "nodes", "dispatch").groupby("t")[["demand_mw", "unserved_mw"]].sum()
        per = per.join(n)
    wide = wide.reindex(per.index).fillna(0.0)
    x = per["period"].tolist()
    fig = go.Figure()
    for i, key in enumerate(wide.columns):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=wide[key].to_numpy(),
                name=labels[key],
                stackgroup="heat",
                mode="lines",
                line={"width": 0.4, "color": colours[key]},
                fillcolor=_rgba(colours[key], 0.85 if by == "technology" else 0.55 + 0.3 * (i % 2)),
                hovertemplate="%{fullData.name}: %{y:,.0f} MW<extra></extra>",
            )
        )
    if (per["unserved_mw"] > 1e-6).any():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=per["unserved_mw"].to_numpy(),
                name="unserved heat",
                stackgroup="heat",
                mode="lines",
                line={"width": 0.4, "color": UNSERVED_COLOUR},
                fillcolor=_rgba(UNSERVED_COLOUR, 0.8),
                hovertemplate="unserved: %{y:,.0f} MW<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=per["demand_mw"].to_numpy(),
            name="demand at the districts",
            mode="lines",
            line={"color": "#000", "width": 2},
            hovertemplate="demand: %{y:,.0f} MW<extra></extra>",
        )
    )
    fig.update_layout(
        title={
            "text": f"Dispatch over the season: {esc(run_label(run))}<br><sup>heat produced "
            f"by {by} (stacked, includes pipe losses) against demand [MW]</sup>"
        },
        hovermode="x unified",
        height=560,
        yaxis_title="heat [MW]",
        xaxis_title="period",
        legend={"traceorder": "normal"},
        margin={"l": 60, "r": 20, "t": 80, "b": 50},
    )
    return fig


def duration_figure(run: RunResults, *, by: GroupBy = "technology") -> go.Figure:
    """Load-duration curve: periods sorted by demand, with the heat that met it [MW].

    Reads ``periods`` (t, period, weight_h, demand_mw, unserved_mw) and ``dispatch`` (t,
    source, technology, heat_mw). The x axis is hours of the season (each period as wide as its
    weight), the line is the districts' demand, the stack is heat produced by technology (or
    source) in the same periods, unserved heat in red.
    """
    wide, labels, colours = _dispatch_wide(run, by, "duration")
    per = period_table(run).set_index("t")
    if "demand_mw" not in per.columns:
        n = run_table(run, "nodes", "duration").groupby("t")[["demand_mw", "unserved_mw"]].sum()
        per = per.join(n)
    order = per.sort_values("demand_mw", ascending=False, kind="stable").index
    w = per.loc[order, "weight_h"].to_numpy(dtype=float)
    start = np.concatenate([[0.0], np.cumsum(w)])  # len T + 1: the step closes at the end

    def steps(values: np.ndarray) -> np.ndarray:
        return np.concatenate([values, values[-1:]]) if len(values) else values

    wide = wide.reindex(order).fillna(0.0)
    periods = steps(per.loc[order, "period"].to_numpy(dtype=object))
    fig = go.Figure()
    for key in wide.columns:
        fig.add_trace(
            go.Scatter(
                x=start,
                y=steps(wide[key].to_numpy()),
                name=labels[key],
                stackgroup="heat",
                mode="lines",
                line={"width": 0.3, "color": colours[key], "shape": "hv"},
                fillcolor=_rgba(colours[key], 0.8),
                hovertemplate="%{fullData.name}: %{y:,.0f} MW<extra></extra>",
            )
        )
    unserved = per.loc[order, "unserved_mw"].to_numpy(dtype=float)
    if (unserved > 1e-6).any():
        fig.add_trace(
            go.Scatter(
                x=start,
                y=steps(unserved),
                name="unserved heat",
                stackgroup="heat",
                mode="lines",
                line={"width": 0.3, "color": UNSERVED_COLOUR, "shape": "hv"},
                fillcolor=_rgba(UNSERVED_COLOUR, 0.8),
                hovertemplate="unserved: %{y:,.0f} MW<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=start,
            y=steps(per.loc[order, "demand_mw"].to_numpy(dtype=float)),
            name="demand at the districts",
            mode="lines",
            line={"color": "#000", "width": 2, "shape": "hv"},
            customdata=[esc(p) for p in periods],
            hovertemplate="period %{customdata}: demand %{y:,.0f} MW<extra></extra>",
        )
    )
    fig.update_layout(
        title={
            "text": f"Load-duration curve: {esc(run_label(run))}<br><sup>periods sorted by "
            "demand; heat produced by " + by + " in the same periods [MW]</sup>"
        },
        hovermode="x unified",
        height=520,
        xaxis_title="hours of the season, sorted by demand [h]",
        yaxis_title="heat [MW]",
        margin={"l": 60, "r": 20, "t": 80, "b": 50},
    )
    return fig


# --- marginal heat prices ---------------------------------------------------------------------

PRICE_UNIT = "CNY/MWh"
ABATEMENT_UNIT = "CNY/t CO2"
PRICES_SHOWN = 12
"""The price figure draws at most this many districts (the largest by season demand)."""
PRICE_MEAN_COLOUR = "#000000"


def price_means(run: RunResults) -> pd.DataFrame:
    """The marginal heat price of each demand district, from ``prices`` and ``nodes``.

    One row per district (largest season demand first): ``node``, ``demand_mwh`` (season) and
    ``mean_cny_per_mwh``, the season's demand-weighted mean price
    Σ_t price[t] · demand_mwh[t] / Σ_t demand_mwh[t] (weighted by the periods' hours where a
    district has no demand). Districts are the nodes of ``nodes`` with demand in the season
    (every priced node when the run has no ``nodes`` table). InputError when the run has no
    prices (solved with ``--no-prices``, or a sweep's run: sweeps skip the price LP).
    """
    prices = run.tables.get("prices")
    if prices is None or prices.empty:
        raise InputError(
            [
                Problem(
                    "prices.csv",
                    "this run has no marginal heat prices",
                    expected="a run solved with nodal prices (heatnet solve without "
                    "--no-prices; sweeps skip them)",
                    found=f"no prices in run {run_label(run)!r}",
                )
            ]
        )
    p = prices.assign(node=prices["node"].astype(str))
    nodes = run.tables.get("nodes")
    if nodes is not None and not nodes.empty:
        d = nodes.assign(node=nodes["node"].astype(str))[["t", "node", "demand_mwh"]]
        season = d.groupby("node")["demand_mwh"].sum()
        season = season[season > 0]
        p = p[p["node"].isin(season.index)].merge(d, on=["t", "node"], how="left")
    else:
        p = p.assign(demand_mwh=0.0)
    p = p.assign(demand_mwh=p["demand_mwh"].fillna(0.0))
    rows = []
    for node, g in p.groupby("node", sort=False):
        w = g["demand_mwh"] if g["demand_mwh"].sum() > 0 else g["weight_h"]
        mean = float((g["price_cny_per_mwh"] * w).sum() / w.sum()) if w.sum() > 0 else math.nan
        rows.append((str(node), float(g["demand_mwh"].sum()), mean))
    out = pd.DataFrame(rows, columns=["node", "demand_mwh", "mean_cny_per_mwh"])
    return out.sort_values("demand_mwh", ascending=False, kind="stable").reset_index(drop=True)


def prices_figure(run: RunResults, *, label_chars: int = 24) -> go.Figure:
    """The marginal heat price by demand district over the season [CNY/MWh].

    Reads ``prices`` (t, period, weight_h, node, price_cny_per_mwh: the cost of one more MWh
    at the node in the period, from the LP with the plan's decisions fixed), ``nodes``
    (demand_mwh) and node names. One line per district (at most :data:`PRICES_SHOWN`, the
    largest by demand), its season's demand-weighted mean (:func:`price_means`) in the legend
    and on hover, and a black line for all districts together (per period, weighted by the
    districts' demand). A price far above the fuel costs is the unserved-heat penalty or a
    binding capacity. Each district trace's ``meta`` holds ``node`` and ``mean_cny_per_mwh``.
    """
    means = price_means(run)
    prices = run.tables["prices"]
    prices = prices.assign(node=prices["node"].astype(str))
    names = _node_names(run, short=False)
    fig = go.Figure()
    shown = means.head(PRICES_SHOWN)
    for r in shown.itertuples():
        mine = prices[prices["node"] == r.node].sort_values("t")
        mean_text = fmt.rate(r.mean_cny_per_mwh, PRICE_UNIT)
        name = shorten(names.get(r.node, r.node), label_chars)
        fig.add_trace(
            go.Scatter(
                x=mine["period"].astype(str).tolist(),
                y=mine["price_cny_per_mwh"].to_numpy(dtype=float),
                name=f"{esc(name)} (mean {mean_text})",
                mode="lines",
                line={"width": 1.6},
                meta={"node": r.node, "mean_cny_per_mwh": r.mean_cny_per_mwh},
                hovertemplate="%{fullData.name}<br>period %{x}: %{y:,.1f} "
                + PRICE_UNIT
                + f"<br>season's demand-weighted mean: {mean_text}<extra></extra>",
            )
        )
    nodes = run.tables.get("nodes")
    if nodes is not None and len(means) > 1 and means["demand_mwh"].sum() > 0:
        d = nodes.assign(node=nodes["node"].astype(str))[["t", "node", "demand_mwh"]]
        both = prices.merge(d[d["node"].isin(means["node"])], on=["t", "node"])
        both = both.assign(weighted=both["price_cny_per_mwh"] * both["demand_mwh"])
        g = both.groupby(["t", "period"])[["weighted", "demand_mwh"]].sum()
        g = g[g["demand_mwh"] > 0]
        line = (g["weighted"] / g["demand_mwh"]).rename("price").reset_index()
        overall = float(g["weighted"].sum() / g["demand_mwh"].sum())
        overall_text = fmt.rate(overall, PRICE_UNIT)
        fig.add_trace(
            go.Scatter(
                x=line["period"].astype(str).tolist(),
                y=line["price"].to_numpy(dtype=float),
                name=f"all districts (mean {overall_text})",
                mode="lines",
                line={"width": 2.4, "color": PRICE_MEAN_COLOUR, "dash": "dot"},
                meta={"mean_cny_per_mwh": overall},
                hovertemplate="all districts, weighted by demand<br>period %{x}: %{y:,.1f} "
                + PRICE_UNIT
                + f"<br>season's demand-weighted mean: {overall_text}<extra></extra>",
            )
        )
    more = (
        f"; the {PRICES_SHOWN} largest of {len(means)} districts by demand"
        if len(means) > PRICES_SHOWN
        else ""
    )
    fig.update_layout(
        title={
            "text": f"Marginal heat price by district: {esc(run_label(run))}<br><sup>cost of "
            f"one more MWh at each district in each period [{PRICE_UNIT}]; legend: the "
            f"season's demand-weighted mean{more}</sup>"
        },
        hovermode="closest",
        height=520,
        xaxis_title="period",
        yaxis_title=f"marginal heat price [{PRICE_UNIT}]",
        margin={"l": 70, "r": 20, "t": 80, "b": 50},
    )
    return fig


# --- comparisons ------------------------------------------------------------------------------


def labelled_runs(runs: Runs) -> list[tuple[str, RunResults]]:
    """``runs`` as a list of (label, run); InputError if it is empty or a label repeats."""
    items = list(runs.items()) if isinstance(runs, Mapping) else [tuple(r) for r in runs]
    labels = [str(label) for label, _ in items]
    problems = []
    if not items:
        problems.append(Problem(None, "nothing to compare", expected="at least one run"))
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        problems.append(
            Problem(
                None, "scenario labels repeat", expected="one label per run", found=", ".join(dup)
            )
        )
    if problems:
        raise InputError(problems)
    return [(str(label), run) for label, run in items]


def _unique_labels(names: dict[str, str], max_chars: int) -> dict[str, str]:
    """Short escaped labels by id, with the id added where two short labels would clash."""
    short = {i: shorten(n, max_chars) for i, n in names.items()}
    counts: dict[str, int] = {}
    for s in short.values():
        counts[s] = counts.get(s, 0) + 1
    return {i: esc(s if counts[s] == 1 else f"{s} [{i}]") for i, s in short.items()}


RETIREMENT_COLUMNS = ("kept", "retired", "forced_retired")
"""A source with one of these decisions in some run is a column of the retirement matrix."""
BUILD_COLUMNS = ("built", "not_built", "forced_built")
"""A source or pipe with one of these decisions in some run is a column of the builds matrix."""


def _run_tables(run: RunResults) -> PlanTables:
    return (str(run.summary.get("network")), run.tables.get("sources"), run.tables.get("pipes"))


def _pipe_names(run: RunResults, ids: Sequence[str]) -> dict[str, str]:
    net = getattr(run.network, "pipes", None)
    src = run.tables.get("pipes")
    table = net if net is not None and "name" in net.columns else src
    return display_names(table, ids)


def _decision_matrix(
    items: list[tuple[str, RunResults]],
    tables: tuple[str, ...],
    decisions: tuple[str, ...],
    *,
    count: tuple[str, ...],
    count_label: str,
    title: str,
    label_chars: int,
) -> go.Figure:
    """Scenario × (table, id) heatmap of decisions, one colour and one legend entry per
    decision drawn (:data:`DECISION_STYLE`); blank only where a run has no such row.

    Columns are the rows of ``tables`` whose decision is one of ``decisions`` in some run;
    each cell holds the run's decision as :func:`heatnet.compare.plan_decision` reads it (so a
    source a scenario set to existing reads ``forced_kept``). The heatmap's ``meta`` holds the
    decisions as ``{"decisions": rows × columns}``.
    """
    plans = [_run_tables(run) for _, run in items]
    decided = decided_items(plans)
    names: dict[tuple[str, str], str] = {}
    for (_, run), plan in zip(items, plans, strict=True):
        for table in tables:
            df = plan[1] if table == "sources" else plan[2]
            if df is None or df.empty or "decision" not in df.columns:
                continue
            ids = [str(i) for i in df.index[df["decision"].isin(decisions)]]
            if not ids:
                continue
            found = (
                {i: source_info(run).at[i, "name"] for i in ids}
                if table == "sources"
                else _pipe_names(run, ids)
            )
            for i in ids:
                names.setdefault((table, i), found[i])
    cols = list(names)
    labels = _unique_labels({f"{t}:{i}": n for (t, i), n in names.items()}, label_chars)
    states = list(DECISION_STYLE)
    code = {d: float(k) for k, d in enumerate(states)}
    z, text, hover, row_labels, drawn_rows = [], [], [], [], []
    for (label, _), plan in zip(items, plans, strict=True):
        zr, tr, hr, dr = [], [], [], []
        for table, ident in cols:
            decision = plan_decision(plan, table, ident, decided)
            df = plan[1] if table == "sources" else plan[2]
            heat_col = "heat_mwh" if table == "sources" else "heat_in_mwh"
            heat = (
                float(df.at[ident, heat_col]) / MWH_PER_GWH
                if (df is not None and ident in df.index and heat_col in df.columns)
                else 0.0
            )
            zr.append(code.get(decision) if decision else None)
            tr.append(DECISION_TEXT.get(decision, decision.replace("_", " ")))
            dr.append(decision)
            kind = "source" if table == "sources" else "pipe"
            what = DECISION_STYLE[decision][1] if decision in DECISION_STYLE else decision
            hr.append(
                f"<b>{esc(label)}</b><br>{esc(names[(table, ident)])}<br>{kind} {esc(ident)}"
                f"<br>{esc(what or 'not in this run')} · {heat:,.1f} GWh"
            )
        n = sum(1 for d in dr if d in count)
        row_labels.append(f"{esc(label)} ({n} {count_label})")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
        drawn_rows.append(dr)
    n_states = len(states)
    colorscale = []
    for k, d in enumerate(states):
        colour = DECISION_STYLE[d][0]
        colorscale += [[k / n_states, colour], [(k + 1) / n_states, colour]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[labels[f"{t}:{i}"] for t, i in cols],
            y=row_labels,
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            zmin=-0.5,
            zmax=n_states - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
            colorscale=colorscale,
            hovertemplate="%{customdata}<extra></extra>",
            meta={"decisions": drawn_rows},
        )
    )
    present = {d for row in drawn_rows for d in row if d}
    for d in states:
        if d not in present:
            continue
        colour, name = DECISION_STYLE[d]
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                legendgroup=f"decision-{d}",
                showlegend=True,
                marker={"symbol": "square", "size": 12, "color": colour},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        title={"text": title},
        height=max(320, 46 * len(items) + 260),
        plot_bgcolor="#ffffff",
        xaxis={"type": "category", "tickangle": -40, "side": "bottom"},
        yaxis={"type": "category", "autorange": "reversed"},
        legend={"orientation": "h", "x": 0, "y": 1.08},
        margin={"l": 20, "r": 20, "t": 100, "b": 40},
    )
    return fig


def matrix_figure(runs: Runs, *, label_chars: int = 18) -> go.Figure:
    """Retirement-plan matrix: one row per scenario, one column per retirable source.

    Reads each run's ``sources`` (decision, heat_mwh), ``summary['network']`` and source names.
    Columns are the sources that are kept or retired in at least one run (the retirable ones,
    and any a scenario forced out). Each cell has its decision's colour from
    :data:`DECISION_STYLE` (retired by the optimiser, retired or kept by the scenario, kept,
    and whatever else a scenario made of the source), with one legend entry per decision
    drawn; blank only where the run has no such source.
    """
    return _decision_matrix(
        labelled_runs(runs),
        ("sources",),
        RETIREMENT_COLUMNS,
        count=("retired", "forced_retired"),
        count_label="retired",
        title="Retirement plans: scenario × retirable source",
        label_chars=label_chars,
    )


def builds_figure(runs: Runs, *, label_chars: int = 18) -> go.Figure:
    """Build-plan matrix: one row per scenario, one column per candidate source or pipe.

    Reads each run's ``sources`` and ``pipes`` (decision, heat_mwh / heat_in_mwh),
    ``summary['network']`` and names. Columns are the sources and pipes that are built, not
    built or committed in at least one run. Cells and legend as in :func:`matrix_figure`.
    """
    return _decision_matrix(
        labelled_runs(runs),
        ("sources", "pipes"),
        BUILD_COLUMNS,
        count=("built", "forced_built"),
        count_label="built",
        title="Build plans: scenario × candidate source or pipe",
        label_chars=label_chars,
    )


def cost_keys(breakdowns: Sequence[Mapping[str, float]]) -> list[str]:
    """The cost kinds to stack: those of :data:`COST_LABELS` (in its order), then any other,
    that are at least 0.5 CNY in some breakdown (``total_cny`` left out)."""
    keys = [k for k in COST_LABELS if any(abs(b.get(k, 0.0)) > 0.5 for b in breakdowns)]
    keys += sorted(
        {
            k
            for b in breakdowns
            for k in b
            if k not in COST_LABELS and k != "total_cny" and abs(b[k]) > 0.5
        }
    )
    return keys


def costs_figure(runs: Runs) -> go.Figure:
    """Annual cost by kind [M CNY] and season CO2 [kt], by scenario.

    Reads each run's ``summary`` (cost_breakdown_cny, objective_cny, co2_t, status, mip_gap).
    Runs that are not proven optimal are marked with * in their label.
    """
    items = labelled_runs(runs)
    xs = [esc(label) + ("" if run.summary.get("optimal") else " *") for label, run in items]
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.64, 0.36],
        horizontal_spacing=0.1,
        subplot_titles=("annual cost by kind [M CNY]", "CO2 of the season [kt]"),
    )
    breakdowns = [run.summary.get("cost_breakdown_cny") or {} for _, run in items]
    for k in cost_keys(breakdowns):
        label = COST_LABELS.get(k, k.removesuffix("_cny").replace("_", " "))
        fig.add_trace(
            go.Bar(
                x=xs,
                y=[b.get(k, 0.0) / CNY_PER_MCNY for b in breakdowns],
                name=esc(label),
                marker_color=COST_COLOURS.get(k, OTHER_COLOUR),
                legendgroup="cost",
                hovertemplate="%{x}<br>%{fullData.name}: %{y:,.1f} M CNY<extra></extra>",
            ),
            row=1,
            col=1,
        )
    totals = [(run.summary.get("objective_cny") or 0.0) / CNY_PER_MCNY for _, run in items]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=totals,
            mode="markers+text",
            name="total",
            text=[f"{t:,.0f}" for t in totals],
            textposition="top center",
            marker={"symbol": "line-ew-open", "size": 18, "color": "#000"},
            customdata=[
                f"{run.summary.get('status')}, gap "
                f"{(run.summary.get('mip_gap') or 0.0) * 100:.3g} %"
                for _, run in items
            ],
            hovertemplate="%{x}<br>total %{y:,.1f} M CNY<br>%{customdata}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    co2 = [(run.summary.get("co2_t") or 0.0) / T_PER_KT for _, run in items]
    fig.add_trace(
        go.Bar(
            x=xs,
            y=co2,
            name="CO2",
            marker_color="#4d4d4d",
            text=[f"{v:,.0f}" for v in co2],
            textposition="outside",
            showlegend=False,
            hovertemplate="%{x}<br>CO2 %{y:,.1f} kt<extra></extra>",
        ),
        row=1,
        col=2,
    )
    note = " (* not proven optimal)" if any("*" in x for x in xs) else ""
    fig.update_layout(
        barmode="relative",
        height=520,
        title={"text": f"Cost and CO2 by scenario{note}"},
        margin={"l": 60, "r": 20, "t": 90, "b": 60},
    )
    fig.update_xaxes(type="category")
    return fig


def _decision_lines(run: RunResults, label_chars: int = 22) -> str:
    info = source_info(run)
    pipes = run.network.pipes
    pipe_names = display_names(pipes, pipes.index)
    s = run.summary

    def names(ids: list[str], table: dict[str, str]) -> str:
        if not ids:
            return "none"
        return ", ".join(esc(shorten(table.get(i, i), label_chars)) for i in ids)

    src_names = dict(info["name"])
    return "<br>".join(
        [
            f"retired ({len(s.get('retired', []))}): {names(s.get('retired', []), src_names)}",
            f"kept ({len(s.get('kept', []))}): {names(s.get('kept', []), src_names)}",
            f"pipes built: {names(s.get('built_pipes', []), pipe_names)}",
            f"sources built: {names(s.get('built_sources', []), src_names)}",
        ]
    )


def pareto_figure(runs: Runs, *, caps_t: Mapping[str, float | None] | None = None) -> go.Figure:
    """Pareto front: annual cost [M CNY] against season CO2 [kt], one point per run.

    Reads each run's ``summary`` (objective_cny, co2_t, status, optimal, mip_gap, retired,
    kept, built_pipes, built_sources, economics.co2_cap_t) and names. ``caps_t`` gives each
    point's CO2 cap [t] (default: the cap in the run's economics). Hover shows each point's
    decisions, the abatement cost from its neighbour with more CO2 [CNY/t CO2] and its near
    ties (:func:`heatnet.compare.pareto_steps`), and says when a point leaves more heat
    unserved (``unserved_mwh``) than the cheapest run (the minimum-cost plan of a front);
    points not proven optimal are drawn open.
    """
    items = labelled_runs(runs)
    steps = pareto_steps(items).set_index("point")
    priced = [r.summary for _, r in items if r.summary.get("objective_cny") is not None]
    cheapest = min(priced, key=lambda s: s["objective_cny"], default={})
    base_unserved = float(cheapest.get("unserved_mwh") or 0.0)
    rows = []
    for label, run in items:
        s = run.summary
        extra = float(s.get("unserved_mwh") or 0.0) - base_unserved * (1 + 1e-6)
        colder = (
            f"<b>leaves {fmt.energy(extra)} more heat unserved than the minimum-cost plan</b><br>"
            if extra > 1e-3
            else ""
        )
        cap = (caps_t or {}).get(label, (s.get("economics") or {}).get("co2_cap_t"))
        co2_kt = (s.get("co2_t") or 0.0) / T_PER_KT
        cost = (s.get("objective_cny") or 0.0) / CNY_PER_MCNY
        cap_text = "none" if cap is None else f"{float(cap) / T_PER_KT:,.0f} kt"
        step = ""
        if label in steps.index:
            st = steps.loc[label]
            if isinstance(st["previous"], str):
                step = (
                    f"abatement from point {esc(st['previous'])}: "
                    f"{fmt.rate(st['abatement_cny_per_t'], ABATEMENT_UNIT)}<br>"
                )
            if st["near_tie_with"]:
                step += (
                    "<b>near tie with point "
                    + " and ".join(esc(x) for x in st["near_tie_with"])
                    + "</b>: other retirements at almost the same cost<br>"
                )
        rows.append(
            {
                "label": label,
                "co2_kt": co2_kt,
                "cost_mcny": cost,
                "optimal": bool(s.get("optimal")),
                "hover": (
                    f"<b>{esc(label)}</b><br>CO2 cap: {cap_text}<br>"
                    f"cost {cost:,.1f} M CNY · CO2 {co2_kt:,.1f} kt<br>"
                    f"{esc(s.get('status'))}, gap {(s.get('mip_gap') or 0.0) * 100:.3g} %<br>"
                    + step
                    + colder
                    + _decision_lines(run)
                ),
            }
        )
    df = pd.DataFrame(rows).sort_values("co2_kt", kind="stable")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=df["co2_kt"],
            y=df["cost_mcny"],
            mode="lines",
            line={"color": "#9ab", "width": 2},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for optimal, name, symbol in (
        (True, "proven optimal", "circle"),
        (False, "not proven optimal", "circle-open"),
    ):
        part = df.loc[df["optimal"] == optimal]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["co2_kt"],
                y=part["cost_mcny"],
                mode="markers+text",
                name=name,
                text=[esc(x) for x in part["label"]],
                textposition="top right",
                marker={
                    "symbol": symbol,
                    "size": 11,
                    "color": "#1f77b4",
                    "line": {"width": 2, "color": "#1f77b4"},
                },
                customdata=part["hover"].tolist(),
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": "Cost against CO2 (Pareto front)"},
        height=540,
        xaxis_title="CO2 of the season [kt]",
        yaxis_title="annual cost [M CNY]",
        hovermode="closest",
        margin={"l": 70, "r": 20, "t": 70, "b": 60},
    )
    return fig


# --- security of supply -----------------------------------------------------------------------

SECURITY_COLOURSCALE = [
    [0.0, "#a50026"],
    [0.25, "#f46d43"],
    [0.5, "#fee08b"],
    [0.75, "#a6d96a"],
    [1.0, "#1a9850"],
]
"""Served share 0 % (red) … 100 % (green)."""
BINDING_FRAME = "#111111"


def security_table(run: RunResults) -> pd.DataFrame:
    """The run's ``security`` table (ids as text); InputError, saying why, when the run has
    no security block or (an infeasible solve) no plan to check."""
    block = run.summary.get("security")
    table = run.tables.get("security")
    if not block:
        raise InputError(
            [
                Problem(
                    "summary.json",
                    "this run has no security-of-supply check",
                    expected="a run of a network with a security: block in network.yaml "
                    "(or heatnet solve --security-share)",
                    found=f"no security block in run {run_label(run)!r}",
                )
            ]
        )
    if table is None or table.empty:
        raise InputError(
            [
                Problem(
                    "security.csv",
                    "the security figure needs the security table of a plan",
                    expected="a run with a plan (security.csv)",
                    found=f"run {run_label(run)!r} ({run.summary.get('status')}) has none",
                )
            ]
        )
    return table.assign(
        contingency=table["contingency"].astype(str), node=table["node"].astype(str)
    )


def security_case_labels(run: RunResults, cases: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Raw display label by case id: ``intact plan``, ``pipe P (name)``, ``source S (name)``."""
    pipes, info = run.network.pipes, source_info(run)
    pipe_names = display_names(pipes, pipes.index)
    out = {}
    for case, kind in cases:
        if kind == "intact":
            out[case] = "intact plan"
            continue
        name = (
            pipe_names.get(case, case)
            if kind == "pipe"
            else (str(info.at[case, "name"]) if case in info.index else case)
        )
        out[case] = f"{kind} {case}" + ("" if name == case else f" ({name})")
    return out


def _need_text(needs: pd.DataFrame, names: dict[str, str], label_chars: int) -> str:
    """``id (name): decision, capacity`` per element, or a note that none is listed."""
    if needs.empty:
        return "no kept or built element reaches it (existing elements only)"
    return "; ".join(
        f"{esc(r.kind)} {esc(r.element)}"
        + (
            f" ({esc(shorten(names[r.element], label_chars))})"
            if names.get(r.element, r.element) != r.element
            else ""
        )
        + f": {esc(str(r.decision).replace('_', ' '))}, {fmt.power(r.capacity_mw)}"
        for r in needs.itertuples()
    )


def security_figure(run: RunResults, *, label_chars: int = 18) -> go.Figure:
    """Security of supply at the design hour: served share by case × district [%].

    Reads ``summary["security"]`` (served_share, intact_share, design_factor, design_period,
    binding) and the ``security`` table (contingency, kind, node, design_demand_mw,
    served_mw, unserved_mw, served_share, min_share), and the network's names and graph.
    Rows: the intact plan, then each contingency in the order checked; columns: the demand
    nodes. Each cell is the share of the district's design-hour demand the plan can serve in
    that case (the best dispatch of :func:`heatnet.security.security_check`), on one colour
    scale 0–100 %; no cell is below its case's minimum share (the plan meets the rule). Cells
    at the minimum of a binding case are framed and marked ``min``; their hover lists the
    plan's kept or built elements that can still reach the district in that case
    (:func:`heatnet.trace.security_needs`). Hover shows design demand, served and unserved
    heat [MW]. The heatmap's ``meta`` holds ``cases``, ``nodes`` (ids, in drawn order) and
    ``binding_cells`` ([row, column] of each framed cell).
    """
    table = security_table(run)
    block = run.summary.get("security") or {}
    cases = list(dict.fromkeys(zip(table["contingency"], table["kind"], strict=True)))
    case_ids = [c for c, _ in cases]
    nodes = list(dict.fromkeys(table["node"]))
    node_names = _node_names(run)
    case_labels = security_case_labels(run, cases)
    row_labels = _unique_labels(case_labels, 2 * label_chars)
    col_labels = _unique_labels({n: node_names.get(n, n) for n in nodes}, label_chars)
    short = security_short(run)
    at_min = set(zip(short["contingency"], short["node"], strict=True))
    needs = security_needs(run)
    names = {
        **dict(source_info(run)["name"]),
        **display_names(run.network.pipes, run.network.pipes.index),
    }
    cell = table.set_index(["contingency", "node"])
    z, text, hover, frames = [], [], [], []
    for i, case in enumerate(case_ids):
        zr, tr, hr = [], [], []
        for j, node in enumerate(nodes):
            if (case, node) not in cell.index:
                zr.append(None)
                tr.append("")
                hr.append("")
                continue
            r = cell.loc[(case, node)]
            demand = float(r["design_demand_mw"])
            share = float(r["served_share"])
            binding = (case, node) in at_min
            zr.append(share * 100 if demand > 0 else None)
            tr.append(
                ("no demand" if demand <= 0 else fmt.percent(share))
                + ("<br>min" if binding else "")
            )
            lines = [
                f"<b>{esc(case_labels[case])}</b>",
                f"{esc(node_names.get(node, node))} (node {esc(node)})",
                f"served {fmt.percent(share)} of the design hour "
                f"(minimum {fmt.percent(float(r['min_share']))})",
                f"design demand {fmt.power(demand)} · served {fmt.power(r['served_mw'])} · "
                f"unserved {fmt.power(r['unserved_mw'])}",
            ]
            if binding:
                frames.append([i, j])
                mine = needs[(needs["contingency"] == case) & (needs["node"] == node)]
                lines += [
                    "<b>at the minimum: this case binds</b>",
                    "kept or built elements that can still reach it: "
                    + _need_text(mine, names, label_chars),
                ]
            hr.append("<br>".join(lines))
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[col_labels[n] for n in nodes],
            y=[row_labels[c] for c in case_ids],
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            zmin=0.0,
            zmax=100.0,
            colorscale=SECURITY_COLOURSCALE,
            colorbar={"title": {"text": "served [%]"}, "ticksuffix": " %"},
            xgap=2,
            ygap=2,
            hovertemplate="%{customdata}<extra></extra>",
            meta={
                "cases": [esc(c) for c in case_ids],
                "nodes": [esc(n) for n in nodes],
                "binding_cells": frames,
            },
        )
    )
    _security_layout(fig, run, block, frames, len(case_ids))
    return fig


def _security_layout(
    fig: go.Figure,
    run: RunResults,
    block: Mapping[str, Any],
    frames: list[list[int]],
    n_rows: int,
) -> None:
    """Frame the binding cells of the security heatmap; title, subtitle (the rule and the
    binding cases) and axes."""
    for i, j in frames:
        fig.add_shape(
            type="rect",
            x0=j - 0.5,
            x1=j + 0.5,
            y0=i - 0.5,
            y1=i + 0.5,
            xref="x",
            yref="y",
            line={"color": BINDING_FRAME, "width": 3},
            fillcolor="rgba(0,0,0,0)",
        )
    binding = [str(b) for b in block.get("binding") or []]
    sub = (
        f"α = {fmt.percent(block.get('served_share'))} in every outage, intact "
        f"{fmt.percent(block.get('intact_share', 1.0))}, design factor "
        f"{fmt.plain(block.get('design_factor', 1.0))} · binding: "
        + (esc(", ".join(binding)) if binding else "none")
        + (" (framed cells are at the minimum)" if frames else "")
    )
    fig.update_layout(
        title={
            "text": f"Security of supply at the design hour "
            f"({esc(block.get('design_period', ''))}): {esc(run_label(run))}<br><sup>{sub}</sup>"
        },
        height=max(320, 44 * n_rows + 220),
        plot_bgcolor="#ffffff",
        xaxis={"type": "category", "tickangle": -40, "title": {"text": "district"}},
        yaxis={"type": "category", "autorange": "reversed", "title": {"text": "case"}},
        margin={"l": 20, "r": 20, "t": 100, "b": 60},
    )


# --- pathway (spec v1.1 §4) -------------------------------------------------------------------

PATHWAY_COLUMNS: tuple[str, ...] = (
    "year",
    "discount_factor",
    "demand_scale",
    "carbon_price_cny_per_t",
    "co2_cap_t",
    "objective_cny",
    "discounted_cny",
    "co2_t",
    "unserved_mwh",
    "heat_demand_mwh",
)
"""Numeric columns of :func:`pathway_table` (``co2_cap_t`` NaN: no cap that year)."""
TIMELINE_STATES: dict[str, tuple[str, str, str]] = {
    # state: (colour, legend label, cell text); colours of heatnet.schema.DECISIONS
    "kept": (DECISION_STYLE["kept"][0], "in service (retirable, kept)", "kept"),
    "retired": (DECISION_STYLE["retired"][0], "retired", "retired"),
    "built": (DECISION_STYLE["built"][0], "built (in service)", "built"),
    "not_built": (DECISION_STYLE["not_built"][0], "not built (could be)", "not built"),
    "unavailable": (DECISION_STYLE["unavailable"][0], "not yet available", "not yet"),
    "existing": (DECISION_STYLE["existing"][0], "in service (no decision)", "in service"),
}
"""The state of an element in a year of the timeline: colour, legend label, cell text."""
STATE_OF_DECISION: dict[str, str] = {
    "forced_kept": "existing",
    "forced_built": "existing",
    "forced_retired": "retired",
}
"""The timeline state of a year's decision where it is not a state of its own."""
TIMELINE_KIND_ORDER: tuple[str, ...] = ("retire", "build", "available")
"""Row groups of the timeline: retirement decisions, build decisions, then elements that come
into service in a year without a decision (``earliest_year`` of an existing element)."""
DEADLINE_COLOUR = "#c0392b"
EARLIEST_COLOUR = "#1f3b73"
CO2_BAR_COLOUR = "#4d4d4d"
CAP_COLOUR = "#d62728"
DISCOUNTED_COLOUR = "#1f3b73"
TIMELINE_STATIC_SHOWN = 12
"""Names listed in the hover of the timeline's row of elements that never change."""


def pathway_block(run: RunResults) -> dict[str, Any]:
    """The run's ``summary["pathway"]`` block; InputError, saying why, when the run is not a
    pathway run or (an infeasible solve) has no years to draw."""
    block = run.summary.get("pathway")
    if not block:
        raise InputError(
            [
                Problem(
                    "summary.json",
                    "this run is not a pathway run",
                    expected="a run of a network with a pathway: block in network.yaml "
                    "(several heating seasons, docs/format.md)",
                    found=f"no pathway block in run {run_label(run)!r}",
                )
            ]
        )
    if not block.get("per_year"):
        raise InputError(
            [
                Problem(
                    "summary.json",
                    "the pathway figures need the years of a plan",
                    expected="a pathway run with a plan (summary.json pathway.per_year)",
                    found=f"run {run_label(run)!r} ({run.summary.get('status')}) has none",
                )
            ]
        )
    return dict(block)


def _number(value: object) -> float:
    """``value`` as a float, NaN for a missing one."""
    return math.nan if fmt.is_missing(value) else float(value)  # type: ignore[arg-type]


def pathway_table(run: RunResults) -> pd.DataFrame:
    """One row per year of a pathway run, from ``summary["pathway"]["per_year"]``: the
    :data:`PATHWAY_COLUMNS` (NaN where missing; ``co2_cap_t`` NaN = no cap), the ids
    ``retired_this_year`` and ``built_this_year`` (lists) and ``cost_breakdown_cny`` (the
    season's cost by kind, undiscounted [CNY]). InputError for a run that is not a pathway
    run (:func:`pathway_block`)."""
    rows = []
    for entry in pathway_block(run)["per_year"]:
        row: dict[str, Any] = {c: _number(entry.get(c)) for c in PATHWAY_COLUMNS}
        row["year"] = int(entry["year"])
        for key in ("retired_this_year", "built_this_year"):
            row[key] = [str(x) for x in entry.get(key) or []]
        row["cost_breakdown_cny"] = dict(entry.get("cost_breakdown_cny") or {})
        rows.append(row)
    return pd.DataFrame(rows).sort_values("year", kind="stable").reset_index(drop=True)


def _year_or_nan(value: object) -> float:
    """A year cell as a float (NaN: none, never)."""
    try:
        return _number(value)
    except (TypeError, ValueError):
        return math.nan


@dataclass
class Timeline:
    """Which element is in which state in which year of a pathway run (:func:`timeline_states`).

    Attributes:
        years: the run's years, in order.
        rows: one row per element that changes or could change: ``key`` (``element:id``),
            ``id``, ``element`` (source/pipe), ``kind`` (retire, build, available), ``name``
            and ``full_name`` (raw text), ``technology``, ``change_year`` (the year it is retired,
            built or comes into service; NaN: never), ``earliest_year`` and ``retire_by``
            (NaN: none).
        states: the state (a key of :data:`TIMELINE_STATES`) by row (same index as ``rows``)
            and year (columns).
        unchanged: ids of the elements in service in every year without a decision, by
            element (source, pipe).
        never: ids of the elements out of service in every year, by element.
    """

    years: list[int]
    rows: pd.DataFrame
    states: pd.DataFrame
    unchanged: dict[str, list[str]] = field(default_factory=dict)
    never: dict[str, list[str]] = field(default_factory=dict)


def _decisions_by_year(run: RunResults, table: str) -> pd.DataFrame:
    """The ``decision`` of each id (rows) in each year (columns) of a pathway run's table."""
    df = run.tables.get(table)
    if df is None or "year" not in df.columns or "decision" not in df.columns:
        return pd.DataFrame()
    long = pd.DataFrame(
        {
            "id": [str(i) for i in df.index],
            "year": df["year"].astype(int).to_numpy(),
            "decision": df["decision"].astype(str).to_numpy(),
        }
    )
    return long.pivot_table(index="id", columns="year", values="decision", aggfunc="first")


def _state_of(decision: object) -> str:
    text = str(decision)
    if text in TIMELINE_STATES:
        return text
    return STATE_OF_DECISION.get(text, "existing")


def _decision_row(
    key: tuple[str, str], kind: str, change: float, bounds: tuple[float, float], years: list[int]
) -> dict[str, Any]:
    """A timeline row's fields (names are added later)."""
    element, ident = key
    return {
        "key": f"{element}:{ident}",
        "id": ident,
        "element": element,
        "kind": kind,
        "change_year": change,
        "earliest_year": bounds[0],
        "retire_by": bounds[1],
        "states": _decision_states(kind, change, bounds[0], years),
    }


def _decision_states(kind: str, change: float, earliest: float, years: list[int]) -> list[str]:
    """The state of a retirement or build decision in each year."""
    out = []
    for y in years:
        done = not math.isnan(change) and y >= change
        if kind == "retire":
            out.append("retired" if done else "kept")
        elif done:
            out.append("built")
        else:
            out.append("unavailable" if not math.isnan(earliest) and y < earliest else "not_built")
    return out


def timeline_states(run: RunResults) -> Timeline:
    """The state of every element in every year of a pathway run.

    The retirement and build decisions come from the ``timeline`` table (id, kind
    retire/build, year: empty = never, element, earliest_year, retire_by): a retirable source
    is kept before its year and retired from it on; a candidate is not yet available before
    its ``earliest_year``, not built until its year and built from it on. Elements without a
    decision whose state still changes between years (an existing source with an
    ``earliest_year``: not yet available, then in service) are read from the year's
    ``decision`` in the ``sources`` and ``pipes`` tables. The rest never change: in service
    every year (``unchanged``) or never (``never``). Rows are ordered retirements, builds,
    then the others, each by year (never last) and name. InputError for a run that is not a
    pathway run.
    """
    pathway_block(run)
    years = [int(y) for y in pathway_table(run)["year"]]
    decided: dict[tuple[str, str], dict[str, Any]] = {}
    timeline = run.tables.get("timeline")
    if timeline is not None:
        for r in timeline.to_dict("records"):
            element = str(r.get("element") or ("source" if r.get("kind") == "retire" else ""))
            key = (element, str(r["id"]))
            bounds = (_year_or_nan(r.get("earliest_year")), _year_or_nan(r.get("retire_by")))
            change = _year_or_nan(r.get("year"))
            decided[key] = _decision_row(key, str(r["kind"]), change, bounds, years)
            decided[key]["fallback_name"] = str(r.get("name") or "")
            decided[key]["technology"] = str(r.get("technology") or "")
    unchanged: dict[str, list[str]] = {"source": [], "pipe": []}
    never: dict[str, list[str]] = {"source": [], "pipe": []}
    for element, table in (("source", "sources"), ("pipe", "pipes")):
        by_year = _decisions_by_year(run, table)
        net = getattr(run.network, table, None)
        earliest_col = net["earliest_year"] if net is not None and "earliest_year" in net else None
        for ident in by_year.index:
            if (element, ident) in decided:
                continue
            states = [_state_of(by_year.at[ident, y]) for y in years if y in by_year.columns]
            if len(set(states)) == 1:
                live = states[0] not in ("retired", "unavailable")
                (unchanged if live else never)[element].append(ident)
                continue
            live_years = [y for y, s in zip(years, states, strict=False) if s == "existing"]
            earliest = (
                _year_or_nan(earliest_col.get(ident)) if earliest_col is not None else math.nan
            )
            if math.isnan(earliest) and live_years:
                earliest = float(live_years[0])
            row = _decision_row(
                (element, ident), "available", earliest, (earliest, math.nan), years
            )
            row["states"] = states
            decided[(element, ident)] = row
    rows = pd.DataFrame(list(decided.values()))
    if rows.empty:
        rows = pd.DataFrame(columns=["key", "id", "element", "kind", "change_year", "states"])
    return _named_timeline(run, years, rows, unchanged, never)


def _named_timeline(
    run: RunResults,
    years: list[int],
    rows: pd.DataFrame,
    unchanged: dict[str, list[str]],
    never: dict[str, list[str]],
) -> Timeline:
    """The timeline with names, technologies and the row order of :func:`timeline_states`."""
    names, full = _element_names(run)
    tech = _element_technologies(run)
    for col in ("fallback_name", "technology", "earliest_year", "retire_by"):
        if col not in rows.columns:
            rows[col] = math.nan if col in ("earliest_year", "retire_by") else ""
    rows["name"] = [
        names.get(k) or (fb if isinstance(fb, str) and fb else str(i))
        for k, fb, i in zip(rows["key"], rows["fallback_name"], rows["id"], strict=True)
    ]
    rows["full_name"] = [full.get(k) or n for k, n in zip(rows["key"], rows["name"], strict=True)]
    rows["technology"] = [
        t if isinstance(t, str) and t else tech.get(k, "")
        for k, t in zip(rows["key"], rows["technology"], strict=True)
    ]
    rows = rows.assign(
        _kind=[
            TIMELINE_KIND_ORDER.index(k) if k in TIMELINE_KIND_ORDER else 9 for k in rows["kind"]
        ],
        _year=rows["change_year"].astype(float).fillna(math.inf),
        _element=(rows["element"] != "source").astype(int),
    )
    rows = rows.sort_values(["_kind", "_year", "_element", "name"], kind="stable")
    rows = rows.drop(columns=["_kind", "_year", "_element", "fallback_name"]).reset_index(drop=True)
    states = pd.DataFrame(list(rows.pop("states")), columns=years, index=rows.index)
    return Timeline(years, rows, states, unchanged, never)


def _element_names(run: RunResults) -> tuple[dict[str, str], dict[str, str]]:
    """Short and full display names by ``element:id`` (sources and pipes of the network)."""
    short: dict[str, str] = {}
    full: dict[str, str] = {}
    for element, table in (("source", "sources"), ("pipe", "pipes")):
        df = getattr(run.network, table, None)
        if df is None:
            continue
        for i, n in display_names(df, df.index).items():
            short[f"{element}:{i}"] = n
        for i, n in display_names(df, df.index, short=False).items():
            full[f"{element}:{i}"] = n
    return short, full


def _element_technologies(run: RunResults) -> dict[str, str]:
    """Technology by ``source:id`` (pipes have none)."""
    df = getattr(run.network, "sources", None)
    if df is None or "technology" not in df.columns:
        return {}
    return {f"source:{i}": str(t) for i, t in df["technology"].items()}


def _timeline_hover(r: Any, year: int, state: str) -> str:
    """Hover text of a timeline cell (escaped)."""
    what = f"{r.element} {esc(r.id)}"
    if isinstance(r.technology, str) and r.technology:
        what += f" · {esc(tech_label(r.technology))}"
    lines = [f"<b>{esc(r.full_name)}</b>", what, f"{year}: {TIMELINE_STATES[state][1]}"]
    change = float(r.change_year)
    known = not math.isnan(change)
    if r.kind == "retire":
        lines.append(f"retired from {change:.0f}" if known else "kept in every year")
    elif r.kind == "build":
        lines.append(f"built in {change:.0f}" if known else "not built in any year")
    else:
        lines.append(f"in service from {change:.0f}" if known else "never in service")
    earliest, deadline = float(r.earliest_year), float(r.retire_by)
    if not math.isnan(earliest):
        lines.append(f"earliest year: {earliest:.0f}")
    if not math.isnan(deadline):
        lines.append(f"retire by {deadline:.0f} (deadline)")
    return "<br>".join(lines)


def _timeline_static_hover(tl: Timeline, run: RunResults) -> str:
    """Hover text of the row of elements in service every year without a decision."""
    short, _ = _element_names(run)
    lines = ["<b>in service in every year, no decision</b>"]
    for element in ("source", "pipe"):
        ids = tl.unchanged.get(element, [])
        if not ids:
            continue
        shown = [esc(shorten(short.get(f"{element}:{i}", i), 30)) for i in ids]
        more = (
            f", … {len(ids) - TIMELINE_STATIC_SHOWN} more"
            if len(ids) > TIMELINE_STATIC_SHOWN
            else ""
        )
        lines.append(f"{len(ids)} {element}s: " + ", ".join(shown[:TIMELINE_STATIC_SHOWN]) + more)
    return "<br>".join(lines)


def _timeline_marks(fig: go.Figure, rows: pd.DataFrame, years: list[int]) -> None:
    """A bar at the left edge of the cell of each ``retire_by`` (the deadline: retired from
    that year on) and of each ``earliest_year`` after the first year (available from then);
    each trace's ``meta`` holds its marks as ``[key, year]``."""
    for column, name, colour, dash in (
        ("retire_by", "retire-by deadline (retired from this year on)", DEADLINE_COLOUR, "solid"),
        ("earliest_year", "earliest year (available from this year on)", EARLIEST_COLOUR, "dot"),
    ):
        xs: list[float | None] = []
        ys: list[float | None] = []
        marks: list[list[Any]] = []
        for i, (key, value) in enumerate(zip(rows["key"], rows[column], strict=True)):
            year = _year_or_nan(value)
            if math.isnan(year) or int(year) not in years:
                continue
            if column == "earliest_year" and int(year) == years[0]:
                continue  # available from the start: nothing to mark
            j = years.index(int(year))
            xs += [j - 0.5, j - 0.5, None]
            ys += [i - 0.5, i + 0.5, None]
            marks.append([esc(key), int(year)])
        if marks:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=name,
                    line={"color": colour, "width": 4, "dash": dash},
                    hoverinfo="skip",
                    meta={"marks": marks},
                )
            )


def timeline_figure(run: RunResults, *, label_chars: int = 22) -> go.Figure:
    """Pathway timeline: which element is in which state in which year.

    Reads the ``timeline`` table, the ``sources`` and ``pipes`` tables (their ``year`` and
    ``decision``), ``summary["pathway"]`` (the years) and names (``short_name`` where given)
    (:func:`timeline_states`). One row per element that changes or could change (retirable
    sources, candidates, elements that come into service in a later year), one column per
    year; each cell has its state's colour (:data:`TIMELINE_STATES`: the decision colours of
    the matrices), the year of the change in bold. A red bar at the left edge of a cell marks
    a ``retire_by`` deadline (retired from that year on), a dotted blue bar an
    ``earliest_year`` (available from that year on). The elements in service every year
    without a decision are one row at the bottom (hover lists them). The heatmap's ``meta``
    holds ``keys`` (``element:id`` by row), ``years`` and ``states`` (rows × years).
    """
    tl = timeline_states(run)
    years, rows = tl.years, tl.rows
    labels = _unique_labels(dict(zip(rows["key"], rows["name"], strict=True)), label_chars)
    row_labels = [labels[k] for k in rows["key"]]
    states = [list(tl.states.loc[i]) for i in rows.index]
    text, hover = [], []
    for r, st in zip(rows.itertuples(), states, strict=True):
        change = float(r.change_year)
        text.append(
            [
                f"<b>{TIMELINE_STATES[s][2]}</b>" if y == change else TIMELINE_STATES[s][2]
                for y, s in zip(years, st, strict=True)
            ]
        )
        hover.append([_timeline_hover(r, y, s) for y, s in zip(years, st, strict=True)])
    n_static = sum(len(v) for v in tl.unchanged.values())
    if n_static:
        row_labels.append(f"{n_static} other elements (no decision)")
        states.append(["existing"] * len(years))
        text.append([TIMELINE_STATES["existing"][2]] * len(years))
        hover.append([_timeline_static_hover(tl, run)] * len(years))
    order = list(TIMELINE_STATES)
    colorscale = []
    for k, s in enumerate(order):
        colorscale += [
            [k / len(order), TIMELINE_STATES[s][0]],
            [(k + 1) / len(order), TIMELINE_STATES[s][0]],
        ]
    fig = go.Figure(
        go.Heatmap(
            z=[[order.index(s) for s in st] for st in states],
            x=list(range(len(years))),
            y=list(range(len(row_labels))),
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            zmin=-0.5,
            zmax=len(order) - 0.5,
            colorscale=colorscale,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{customdata}<extra></extra>",
            meta={"keys": [esc(k) for k in rows["key"]], "years": years, "states": states},
        )
    )
    present = {s for st in states for s in st}
    for s in order:
        if s in present:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=TIMELINE_STATES[s][1],
                    marker={"symbol": "square", "size": 12, "color": TIMELINE_STATES[s][0]},
                    hoverinfo="skip",
                )
            )
    _timeline_marks(fig, rows, years)
    _timeline_layout(fig, run, tl, row_labels)
    return fig


def _timeline_layout(fig: go.Figure, run: RunResults, tl: Timeline, row_labels: list[str]) -> None:
    """Title (what is shown, and the elements left out), axes with the years and names."""
    counts = {e: len(tl.unchanged.get(e, [])) for e in ("source", "pipe")}
    notes = ["bold: the year of the change"]
    if any(counts.values()):
        notes.append(
            f"last row: {counts['source']} sources and {counts['pipe']} pipes in service every year"
        )
    out = sum(len(v) for v in tl.never.values())
    if out:
        notes.append(f"{out} elements out of service every year not shown")
    n = len(tl.years)
    fig.update_layout(
        title={
            "text": f"Pathway timeline: {esc(run_label(run))}<br><sup>"
            + esc(" · ".join(notes))
            + "</sup>"
        },
        height=max(320, 30 * len(row_labels) + 240),
        plot_bgcolor="#ffffff",
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(n)),
            "ticktext": [str(y) for y in tl.years],
            "range": [-0.5, n - 0.5],
            "side": "top",
            "title": {"text": "heating season [year]", "standoff": 6},
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={
            "tickmode": "array",
            "tickvals": list(range(len(row_labels))),
            "ticktext": row_labels,
            "range": [len(row_labels) - 0.5, -0.5],
            "showgrid": False,
            "zeroline": False,
        },
        legend={"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top"},
        margin={"l": 20, "r": 20, "t": 130, "b": 40},
    )


def co2_path_figure(run: RunResults) -> go.Figure:
    """CO2 of each season of a pathway run against the cap path, with the peak year.

    Reads ``summary["pathway"]`` (years, co2_peak_year, per year: co2_t, co2_cap_t,
    carbon_price_cny_per_t) (:func:`pathway_table`). Bars: the season's CO2, labelled with
    :func:`heatnet.fmt.co2`, the highest outlined; a bar above its cap would be red. The cap
    is a dashed red line over the years that have one only. With ``co2_peak_year`` P, a dotted
    line at P: from P on, a season never emits more than the one before. The unit (t, kt or
    Mt) follows the largest value. The bars' ``meta`` holds ``years`` and ``co2_t``, the cap
    line's ``years`` and ``co2_cap_t``; the layout's ``meta`` ``co2_peak_year`` and
    ``highest_year``.
    """
    block = pathway_block(run)
    per = pathway_table(run)
    years = [int(y) for y in per["year"]]
    co2 = per["co2_t"].to_numpy(dtype=float)
    caps = per["co2_cap_t"].to_numpy(dtype=float)
    capped = ~np.isnan(caps)
    top = float(np.nanmax(np.concatenate([co2, caps, [0.0]])))
    unit = fmt.co2_unit(top)
    highest = years[int(np.nanargmax(co2))] if np.isfinite(co2).any() else None
    over = capped & (co2 > np.where(capped, caps, np.inf) * (1 + 1e-6))
    prices = per["carbon_price_cny_per_t"].to_numpy(dtype=float)
    hover = [
        f"<b>{y}</b><br>CO2 {fmt.co2(c)}<br>cap {fmt.co2(k) if not math.isnan(k) else 'none'}"
        f"<br>carbon price {fmt.rate(p, 'CNY/t CO2')}"
        for y, c, k, p in zip(years, co2, caps, prices, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=years,
            y=co2 / unit.divisor,
            name="CO2 of the season",
            marker={
                "color": [CAP_COLOUR if o else CO2_BAR_COLOUR for o in over],
                "line": {
                    "color": ["#000" if y == highest else "rgba(0,0,0,0)" for y in years],
                    "width": 2.5,
                },
            },
            text=[fmt.co2(c) for c in co2],
            textposition="outside",
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            meta={"years": years, "co2_t": [float(c) for c in co2]},
        )
    )
    if capped.any():
        cap_years = [y for y, c in zip(years, capped, strict=True) if c]
        fig.add_trace(
            go.Scatter(
                x=cap_years,
                y=caps[capped] / unit.divisor,
                mode="lines+markers",
                name="CO2 cap",
                line={"color": CAP_COLOUR, "width": 2.5, "dash": "dash"},
                marker={"size": 9, "symbol": "line-ew-open", "line": {"width": 3}},
                customdata=[
                    f"{y}: cap {fmt.co2(c)}" for y, c in zip(cap_years, caps[capped], strict=True)
                ],
                hovertemplate="%{customdata}<extra></extra>",
                meta={"years": cap_years, "co2_cap_t": [float(c) for c in caps[capped]]},
            )
        )
    peak = block.get("co2_peak_year")
    notes = [f"bars: CO2 of each season [{unit.label}]"]
    notes.append("dashed: the cap (years with a cap)" if capped.any() else "no cap in any year")
    if highest is not None:
        notes.append(f"highest season {highest} (outlined)")
    if peak is not None:
        _peak_mark(fig, int(peak), years)
    fig.update_layout(
        title={
            "text": f"CO2 per year: {esc(run_label(run))}<br><sup>{esc(' · '.join(notes))}</sup>"
        },
        height=520,
        xaxis={"tickmode": "array", "tickvals": years, "title": {"text": "heating season [year]"}},
        yaxis={
            "title": {"text": f"CO2 of the season [{unit.label}]"},
            "range": [0, top / unit.divisor * 1.18 or 1.0],
        },
        legend={"orientation": "h", "x": 0, "y": -0.15, "yanchor": "top"},
        margin={"l": 70, "r": 20, "t": 100, "b": 60},
        meta={"co2_peak_year": None if peak is None else int(peak), "highest_year": highest},
    )
    return fig


def _peak_mark(fig: go.Figure, peak: int, years: list[int]) -> None:
    """A dotted line just before the bar of the peak year (half-way from the year before) and
    its note: from this year on, emissions never rise."""
    before = max((y for y in years if y < peak), default=peak - 1)
    edge = (before + peak) / 2
    fig.add_shape(
        type="line",
        x0=edge,
        x1=edge,
        y0=0,
        y1=1,
        xref="x",
        yref="paper",
        line={"color": EARLIEST_COLOUR, "width": 2, "dash": "dot"},
    )
    fig.add_annotation(
        x=edge,
        y=1,
        xref="x",
        yref="paper",
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        text=f"→ peak year {peak}: no rise from here on",
        font={"color": EARLIEST_COLOUR},
    )


def costs_by_year_figure(run: RunResults) -> go.Figure:
    """Cost of each season of a pathway run by kind, undiscounted, and the discounted total.

    Reads ``summary["pathway"]`` (npv_cny, discount_rate, per year: cost_breakdown_cny,
    objective_cny, discounted_cny) (:func:`pathway_table`). One stacked bar per year [M CNY]
    by kind (:data:`COST_LABELS`, the kinds of :func:`heatnet.results.cost_breakdown`; the
    capex and retirement annuities are paid in every year the asset exists or is retired),
    its total marked and labelled; the line is the discounted cost δ_y × cost. The title
    gives the net present value (the objective). Each bar trace's ``meta`` holds its
    ``key``.
    """
    block = pathway_block(run)
    per = pathway_table(run)
    years = [int(y) for y in per["year"]]
    breakdowns = list(per["cost_breakdown_cny"])
    fig = go.Figure()
    for k in cost_keys(breakdowns):
        label = COST_LABELS.get(k, k.removesuffix("_cny").replace("_", " "))
        fig.add_trace(
            go.Bar(
                x=years,
                y=[b.get(k, 0.0) / CNY_PER_MCNY for b in breakdowns],
                name=esc(label),
                marker_color=COST_COLOURS.get(k, OTHER_COLOUR),
                hovertemplate="%{x}: %{fullData.name} %{y:,.1f} M CNY<extra></extra>",
                meta={"key": k},
            )
        )
    totals = per["objective_cny"].to_numpy(dtype=float)
    fig.add_trace(
        go.Scatter(
            x=years,
            y=totals / CNY_PER_MCNY,
            mode="markers+text",
            name="cost of the season",
            text=[fmt.number(t / CNY_PER_MCNY) for t in totals],
            textposition="top center",
            marker={"symbol": "line-ew-open", "size": 22, "color": "#000", "line": {"width": 2}},
            customdata=[fmt.money(t) for t in totals],
            hovertemplate="%{x}: cost %{customdata}<extra></extra>",
        )
    )
    discounted = per["discounted_cny"].to_numpy(dtype=float)
    factors = per["discount_factor"].to_numpy(dtype=float)
    fig.add_trace(
        go.Scatter(
            x=years,
            y=discounted / CNY_PER_MCNY,
            mode="lines+markers",
            name="discounted (δ × cost)",
            line={"color": DISCOUNTED_COLOUR, "width": 2, "dash": "dot"},
            customdata=[
                f"{fmt.money(d)} (δ = {fmt.plain(round(f, 4))})"
                for d, f in zip(discounted, factors, strict=True)
            ],
            hovertemplate="%{x}: discounted %{customdata}<extra></extra>",
        )
    )
    rate = block.get("discount_rate")
    fig.update_layout(
        barmode="relative",
        title={
            "text": f"Cost per year: {esc(run_label(run))} · NPV "
            f"{esc(fmt.money(block.get('npv_cny')))}"
            f"<br><sup>undiscounted cost of each season by kind [M CNY]; dotted: discounted at "
            f"{esc(fmt.percent(rate))} a year to {years[0]}</sup>"
        },
        height=540,
        xaxis={"tickmode": "array", "tickvals": years, "title": {"text": "heating season [year]"}},
        yaxis={"title": {"text": "cost of the season [M CNY]"}},
        legend={"traceorder": "normal"},
        margin={"l": 70, "r": 20, "t": 100, "b": 60},
    )
    return fig


def pathway_figure(kind: str, run: RunResults) -> go.Figure:
    """The figure of ``kind`` (one of :data:`PATHWAY_KINDS`) for a pathway run; InputError for
    a run that is not one."""
    pathway_block(run)
    if kind == "timeline":
        return timeline_figure(run)
    if kind == "co2_path":
        return co2_path_figure(run)
    if kind == "costs_by_year":
        return costs_by_year_figure(run)
    raise InputError(
        [
            Problem(
                None,
                "unknown figure kind for a pathway run",
                column="--kind",
                expected="one of " + ", ".join(PATHWAY_KINDS),
                found=repr(kind),
            )
        ]
    )


# --- one season of a pathway run --------------------------------------------------------------


@dataclass
class SeasonRun:
    """One year of a pathway run shaped as a one-season run, for the static figures.

    Attributes:
        name: ``<run> · <year>``.
        summary: the run's summary with that year's objective, CO2, unserved heat, cost
            breakdown, KPIs and decisions.
        tables: the year's tables (:func:`heatnet.storage.year_tables`).
        network: the run's network.
        year: the year.
        folder: the run folder (None for a run not written).
    """

    name: str
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    network: Any
    year: int
    folder: Any = None


def season_run(run: RunResults, year: int | None = None) -> RunResults:
    """The season of ``year`` (None: the last) of a pathway run, as a one-season run; a
    one-season run as it is. InputError for a year the run does not have, or for a year
    asked of a run that is not a pathway run."""
    years = pathway_years(run.tables)
    if not years:
        if year is not None:
            raise InputError(
                [
                    Problem(
                        None,
                        "--year applies to a pathway run",
                        column="--year",
                        expected="a run of a network with a pathway: block",
                        found=f"run {run_label(run)!r} has one season",
                    )
                ]
            )
        return run
    tables = year_tables(run.tables, year)
    chosen = years[-1] if year is None else int(year)
    season = dict(run.summary)
    block = season.get("pathway") or {}
    entry = next((e for e in block.get("per_year") or [] if int(e["year"]) == chosen), {})
    season.update(_season_figures(tables), bound_cny=None)  # the run's bound is the NPV's
    security = season.get("security")
    if security and "security" in tables and security.get("year", chosen) != chosen:
        season["security"] = _season_security(security, tables["security"], chosen)
    for key in ("objective_cny", "co2_t", "unserved_mwh", "heat_demand_mwh", "cost_breakdown_cny"):
        if key in entry:
            season[key] = entry[key]
    name = f"{run_label(run)} · {chosen}"
    return SeasonRun(name, season, tables, run.network, chosen, getattr(run, "folder", None))


def _season_security(block: Mapping[str, Any], table: pd.DataFrame, year: int) -> dict[str, Any]:
    """The summary's security block for another year of a pathway run: its binding cases and
    lowest served share in an outage read from that year's ``security`` table, by the rule of
    :func:`heatnet.security.security_check` (a case binds where a district with demand gets
    no more than the minimum share, below 100 %, or with heat unserved at 100 %)."""
    t = table.assign(contingency=table["contingency"].astype(str))
    tight = (t["design_demand_mw"] > 0) & (
        t["served_share"] <= t["min_share"] + SECURITY_AT_MINIMUM
    )
    binds = tight & ((t["min_share"] < 1.0) | (t["unserved_mw"] > SECURITY_AT_MINIMUM))
    binding = list(dict.fromkeys(t.loc[binds, "contingency"]))
    outages = t[(t["kind"] != "intact") & (t["design_demand_mw"] > 0)]
    lowest = float(outages["served_share"].min()) if len(outages) else None
    return {**block, "year": year, "binding": binding, "min_served_share": lowest}


def _season_figures(tables: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """A season's heat [MWh], CO2 [t], shares [-] and decisions (ids) from its tables, as the
    summary of a one-season run has them (``heatnet.results.kpis`` and ``decisions``)."""
    s, p, n = tables.get("sources"), tables.get("pipes"), tables.get("nodes")
    out: dict[str, Any] = {}
    if s is not None and n is not None:
        produced = float(s["heat_mwh"].sum())
        by_tech = s.groupby("technology")["heat_mwh"].sum()
        demand, unserved = float(n["demand_mwh"].sum()), float(n["unserved_mwh"].sum())
        out.update(
            heat_demand_mwh=demand,
            heat_served_mwh=demand - unserved,
            unserved_mwh=unserved,
            heat_produced_mwh=produced,
            co2_t=float(s["co2_t"].sum()),
            **{
                f"{key}_share": float(by_tech.get(tech, 0.0)) / produced if produced else 0.0
                for key, tech in (
                    ("waste_heat", "waste_heat"),
                    ("coal", "coal_boiler"),
                    ("chp", "chp"),
                )
            },
        )
    if p is not None and "loss_mwh" in p.columns:
        out["losses_mwh"] = float(p["loss_mwh"].sum())

    def ids(df: pd.DataFrame | None, *wanted: str) -> list[str]:
        if df is None or "decision" not in df.columns:
            return []
        return [str(i) for d in wanted for i in df.index[df["decision"] == d]]

    out.update(
        retired=ids(s, "retired", "forced_retired"),
        kept=ids(s, "kept"),
        built_pipes=ids(p, "built"),
        built_sources=ids(s, "built"),
        not_built_pipes=ids(p, "not_built"),
        not_built_sources=ids(s, "not_built"),
    )
    return out


def run_figure(
    kind: str,
    run: RunResults,
    *,
    period: str | None = None,
    by: GroupBy | None = None,
    background: str | os.PathLike[str] | None = None,
    year: int | None = None,
) -> go.Figure:
    """The figure of ``kind`` (one of :data:`RUN_KINDS` or :data:`PATHWAY_KINDS`) for one run;
    for the Sankey, the run's heat is traced first (:func:`heatnet.trace.trace_heat`).
    ``background`` (a GeoJSON file) is drawn under a map. A season figure of a pathway run
    draws the season of ``year`` (None: the last year, :func:`season_run`)."""
    if kind in PATHWAY_KINDS:
        if year is not None:
            raise InputError(
                [Problem(None, f"--year does not apply to {kind}: it shows every year")]
            )
        return pathway_figure(kind, run)
    run = season_run(run, year)
    if kind == "sankey":
        paths = trace_heat(run, period=period)
        return sankey_figure(run, paths, by=by or "source", period=period)
    if kind == "map":
        return map_figure(run, period=period, background=background)
    if kind == "dispatch":
        return dispatch_figure(run, by=by or "technology")
    if kind == "duration":
        return duration_figure(run, by=by or "technology")
    if kind == "prices":
        return prices_figure(run)
    if kind == "security":
        return security_figure(run)
    raise InputError(
        [
            Problem(
                None,
                "unknown figure kind for a run",
                column="--kind",
                expected="one of " + ", ".join(RUN_KINDS + PATHWAY_KINDS),
                found=repr(kind),
            )
        ]
    )


def comparison_figure(
    kind: str, runs: Runs, *, caps_t: Mapping[str, float | None] | None = None
) -> go.Figure:
    """The figure of ``kind`` (one of :data:`COMPARISON_KINDS`) for several runs."""
    if kind == "matrix":
        return matrix_figure(runs)
    if kind == "builds":
        return builds_figure(runs)
    if kind == "costs":
        return costs_figure(runs)
    if kind == "pareto":
        return pareto_figure(runs, caps_t=caps_t)
    raise InputError(
        [
            Problem(
                None,
                "unknown comparison figure",
                column="--kind",
                expected="one of " + ", ".join(COMPARISON_KINDS),
                found=repr(kind),
            )
        ]
    )
