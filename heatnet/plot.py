"""Figures of a plan, drawn from result tables only (plotly).

One function per figure kind, each returning a :class:`plotly.graph_objects.Figure`:

* :func:`sankey_figure`   — the season's heat: sources → lines/corridors → districts, with pipe
  losses and unserved heat as their own flows [GWh], or one period [MW].
* :func:`map_figure`      — nodes at their coordinates, pipes by status and flow (no map tiles,
  works offline).
* :func:`dispatch_figure` — heat by technology or source over the season, against demand.
* :func:`duration_figure` — the load-duration curve with the heat that met it.
* :func:`matrix_figure`   — retirement plans: scenario × retirable source.
* :func:`costs_figure`    — annual cost by kind and CO2, by scenario.
* :func:`pareto_figure`   — cost against CO2 for a sweep of CO2 caps, decisions on hover.

The run figures take anything with ``tables``, ``summary``, ``network`` and ``name`` — a
:class:`heatnet.run.StoredRun` read back with :func:`heatnet.read_run`, or the
:class:`heatnet.run.Run` that :func:`heatnet.solve` returns. The comparison figures take several
such runs with a label each. Nothing here imports the model or the solver.

Every name shown (node, source, pipe, corridor, scenario) is HTML-escaped: plotly renders a
little HTML in labels and hover text, and a name is data, not markup.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from heatnet.errors import InputError, Problem

if TYPE_CHECKING:
    from heatnet.network import Network

RUN_KINDS: tuple[str, ...] = ("sankey", "map", "dispatch", "duration")
COMPARISON_KINDS: tuple[str, ...] = ("matrix", "costs", "pareto")
FIGURE_KINDS: tuple[str, ...] = RUN_KINDS + COMPARISON_KINDS

GroupBy = Literal["source", "technology"]

LOCAL_CORRIDOR = "(local)"
"""Corridor key of heat used at the node of its source, without passing a pipe."""

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
    "not_built": ("#9a9a9a", "dash", "candidate pipe, not built"),
    "unavailable": ("#cfcfcf", "dot", "unavailable pipe"),
}
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
IN_SERVICE = ("existing", "kept", "built")
RETIRED = ("retired", "forced_retired")
MWH_PER_GWH = 1000.0
CNY_PER_MCNY = 1e6
T_PER_KT = 1000.0


class RunResults(Protocol):
    """What the run figures read: a run's result tables, summary and input network."""

    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    network: Network

    @property
    def name(self) -> str:
        """Run name."""
        ...


Runs = Mapping[str, RunResults] | Sequence[tuple[str, RunResults]]
"""Several runs with a label each (scenario or Pareto point), in display order."""


# --- names and small helpers ------------------------------------------------------------------


def esc(text: object) -> str:
    """``text`` made safe to show in a plotly label, hover text or HTML page."""
    return html.escape(str(text), quote=True)


def shorten(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` characters with an ellipsis (before escaping)."""
    return text if len(text) <= max_chars else text[: max(1, max_chars - 1)].rstrip() + "…"


def display_names(table: pd.DataFrame | None, ids: Sequence[str] | pd.Index) -> dict[str, str]:
    """Display name (raw text) by id: the ``name`` column where given, else the id."""
    out: dict[str, str] = {}
    names = table["name"] if table is not None and "name" in table.columns else None
    for i in ids:
        value = names.get(i) if names is not None else None
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else value
        out[str(i)] = str(text).strip() or str(i)
    return out


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


def run_label(run: RunResults) -> str:
    """The run's name as stored (raw text)."""
    name = getattr(run, "name", None) or run.summary.get("name") or "run"
    return str(name)


def _table(run: RunResults, key: str, figure: str) -> pd.DataFrame:
    df = run.tables.get(key)
    if df is None:
        raise InputError(
            [
                Problem(
                    f"{key}.csv",
                    f"the {figure} figure needs the {key} table",
                    expected=f"a run folder with {key}.csv (heatnet solve writes it)",
                    found=f"no {key} table in run {run_label(run)!r}",
                )
            ]
        )
    return df


def _periods(run: RunResults) -> pd.DataFrame:
    """t, period, weight_h (and the period totals where the run has periods.csv), by t."""
    per = run.tables.get("periods")
    if per is None:
        d = _table(run, "dispatch", "period")
        per = d.drop_duplicates("t")[["t", "period", "weight_h"]]
    per = per.sort_values("t").reset_index(drop=True)
    per["period"] = per["period"].astype(str)
    return per


def resolve_period(run: RunResults, period: str | None) -> tuple[int, str] | None:
    """``(t, label)`` of a period given by its label, or ``"peak"`` for the period of highest
    demand; None for the whole season. Raises InputError for an unknown label."""
    if period is None:
        return None
    per = _periods(run)
    if str(period) == "peak":
        if "demand_mw" in per.columns:
            row = per.loc[per["demand_mw"].idxmax()]
        else:
            demand = _table(run, "nodes", "period").groupby("t")["demand_mw"].sum()
            row = per.loc[per["t"] == int(demand.idxmax())].iloc[0]
        return int(row["t"]), str(row["period"])
    hit = per.loc[per["period"] == str(period)]
    if hit.empty:
        examples = ", ".join(per["period"].head(3)) + (", …" if len(per) > 3 else "")
        raise InputError(
            [
                Problem(
                    "periods.csv",
                    "unknown period",
                    column="--period",
                    expected=f"'peak' or a period label of the run ({examples})",
                    found=repr(period),
                )
            ]
        )
    return int(hit["t"].iloc[0]), str(hit["period"].iloc[0])


def _node_names(run: RunResults) -> dict[str, str]:
    nodes = run.network.nodes
    return display_names(nodes, nodes.index)


def source_info(run: RunResults) -> pd.DataFrame:
    """Per source id: raw name, node, technology, decision (from the result table)."""
    src = run.tables.get("sources")
    net = run.network.sources
    ids = src.index if src is not None else net.index
    names = display_names(net if "name" in net.columns else src, ids)
    base = src if src is not None else net
    out = pd.DataFrame(
        {
            "name": [names[str(i)] for i in ids],
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


def pipe_corridors(run: RunResults, corridor_column: str | None = "project") -> dict[str, str]:
    """Corridor key by pipe id: the pipe's ``corridor_column`` (e.g. ``project``) where the
    network has that column and the cell is filled, else the pipe's display name."""
    pipes = run.network.pipes
    names = display_names(pipes, pipes.index)
    col = pipes[corridor_column] if corridor_column and corridor_column in pipes.columns else None
    out = {}
    for pid in pipes.index:
        value = col.get(pid) if col is not None else None
        if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value):
            out[str(pid)] = names[str(pid)]
        else:
            out[str(pid)] = str(value)
    return out


# --- heat tracing -----------------------------------------------------------------------------


def trace_heat(
    run: RunResults, *, period: str | None = None, corridor_column: str | None = "project"
) -> pd.DataFrame:
    """Where each source's heat went: by corridor, to which district, or lost in pipes.

    Reads ``dispatch`` (t, source, node, heat_mw), ``flows`` (t, pipe, from_node, to_node,
    flow_forward_mw, flow_reverse_mw, delivered_mw), ``nodes`` (t, node, demand_mw,
    unserved_mw), ``periods`` (t, period, weight_h) and the network's pipes (corridor names).

    Heat is traced by proportional sharing, period by period: the heat at a node is a mix of
    what arrives and what is produced there, and every pipe leaving the node and the demand
    served there take the same mix. Each source's heat is labelled with the corridor of the
    first pipe it enters (``LOCAL_CORRIDOR`` when it is used at its own node) and keeps that
    label downstream, so heat that crosses several corridors is counted once. Each direction of
    a bidirectional pipe is its own arc, so loops and ties that change direction are traced
    exactly (the mix at every node is one linear system).

    Returns one row per (source, corridor, district or loss): ``source``, ``corridor``,
    ``district`` (demand node id; None for losses), ``kind`` (``delivered`` or ``loss``) and
    ``heat_mwh`` for the season, or ``heat_mw`` at ``period``. Per source the rows add up to
    the source's heat; the loss rows add up to the pipes' losses; the delivered rows of a
    district add up to its demand less its unserved heat.
    """
    dispatch = _table(run, "dispatch", "sankey")
    flows = _table(run, "flows", "sankey")
    demand = _table(run, "nodes", "sankey")
    per = _periods(run)
    sel = resolve_period(run, period)
    if sel is None:
        ts = per["t"].to_numpy(dtype=int)
        weights = per["weight_h"].to_numpy(dtype=float)
        value_col = "heat_mwh"
    else:
        ts = np.array([sel[0]])
        weights = np.ones(1)
        value_col = "heat_mw"
    corridors = pipe_corridors(run, corridor_column)

    node_ids = list(
        dict.fromkeys(
            [str(n) for n in run.network.nodes.index]
            + [str(n) for n in flows["from_node"]]
            + [str(n) for n in flows["to_node"]]
            + [str(n) for n in dispatch["node"]]
            + [str(n) for n in demand["node"]]
        )
    )
    pos = {n: i for i, n in enumerate(node_ids)}
    n_nodes = len(node_ids)

    def wide(df: pd.DataFrame, key: str, col: str) -> pd.DataFrame:
        return (
            df.pivot_table(index=key, columns="t", values=col, aggfunc="sum")
            .reindex(columns=ts)
            .fillna(0.0)
        )

    gen = wide(dispatch, "source", "heat_mw")
    src_ids = [str(s) for s in gen.index]
    src_node = dispatch.drop_duplicates("source").set_index("source")["node"].astype(str)
    s_pos = np.array([pos[src_node[s]] for s in gen.index], dtype=int)
    g = gen.to_numpy(dtype=float)

    fwd = wide(flows, "pipe", "flow_forward_mw")
    pipe_ids = list(fwd.index)
    rev = wide(flows, "pipe", "flow_reverse_mw").reindex(pipe_ids).fillna(0.0).to_numpy()
    dlv = wide(flows, "pipe", "delivered_mw").reindex(pipe_ids).fillna(0.0).to_numpy()
    fwd_a = fwd.to_numpy(dtype=float)
    total = fwd_a + rev
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.clip(np.where(total > 0, dlv / total, 1.0), 0.0, 1.0)
    ends = flows.drop_duplicates("pipe").set_index("pipe").loc[pipe_ids]
    from_pos = np.array([pos[str(n)] for n in ends["from_node"]], dtype=int)
    to_pos = np.array([pos[str(n)] for n in ends["to_node"]], dtype=int)
    # arcs: every pipe forward (from → to) then reverse (to → from)
    tail = np.concatenate([from_pos, to_pos])
    head = np.concatenate([to_pos, from_pos])
    enter = np.vstack([fwd_a, rev])
    arrive = enter * np.vstack([eta, eta])
    arc_corridor = [corridors.get(str(p), str(p)) for p in pipe_ids] * 2

    served_wide = wide(demand, "node", "demand_mw") - wide(demand, "node", "unserved_mw")
    served = np.zeros((n_nodes, len(ts)))
    for node, row in served_wide.iterrows():
        served[pos[str(node)]] = np.clip(row.to_numpy(dtype=float), 0.0, None)
    districts = [str(n) for n in served_wide.index]
    d_pos = np.array([pos[n] for n in districts], dtype=int)

    # commodities k = (source, corridor of the first pipe); q = (arc, source, k) triples
    commodities: list[tuple[int, str]] = []
    k_of: dict[tuple[int, str], int] = {}
    q_arc, q_src, q_k = [], [], []
    for i, sp in enumerate(s_pos):
        for a in np.flatnonzero(tail == sp):
            key = (i, arc_corridor[a])
            if key not in k_of:
                k_of[key] = len(commodities)
                commodities.append(key)
            q_arc.append(a)
            q_src.append(i)
            q_k.append(k_of[key])
    qa, qs, qk = (np.array(v, dtype=int) for v in (q_arc, q_src, q_k))
    n_k = len(commodities)

    delivered = np.zeros((len(districts), n_k))
    lost = np.zeros(n_k)
    local = np.zeros(len(src_ids))
    eps = 1e-9
    for j in range(len(ts)):
        arr = arrive[:, j]
        ent = enter[:, j]
        through = np.bincount(s_pos, weights=g[:, j], minlength=n_nodes) + np.bincount(
            head, weights=arr, minlength=n_nodes
        )
        dead = through <= eps
        safe = np.where(dead, 1.0, through)
        own_share = np.where(dead[s_pos], 0.0, g[:, j] / safe[s_pos])  # share of s at its node
        local += own_share * served[s_pos, j] * weights[j]
        if n_k == 0:
            continue
        m = np.diag(through)
        np.add.at(m, (head, tail), -arr)
        m[dead, :] = 0.0
        m[dead, dead] = 1.0
        inj = np.zeros((n_nodes, n_k))
        np.add.at(inj, (head[qa], qk), arr[qa] * own_share[qs])
        inj[dead] = 0.0
        try:
            x = np.linalg.solve(m, inj)
        except np.linalg.LinAlgError:  # a lossless loop with no outlet: least squares
            x = np.linalg.lstsq(m, inj, rcond=None)[0]
        x[dead] = 0.0
        loss_flow = ent - arr
        k_loss = loss_flow @ x[tail]
        np.add.at(k_loss, qk, loss_flow[qa] * own_share[qs])
        delivered += x[d_pos] * served[d_pos, j][:, None] * weights[j]
        lost += k_loss * weights[j]

    rows: list[tuple[str, str, str | None, str, float]] = []
    for k, (i, corridor) in enumerate(commodities):
        for di, d in enumerate(districts):
            rows.append((src_ids[i], corridor, d, "delivered", float(delivered[di, k])))
        rows.append((src_ids[i], corridor, None, "loss", float(lost[k])))
    district_set = set(districts)
    for i, s in enumerate(src_ids):
        node = node_ids[s_pos[i]]
        if node in district_set:
            rows.append((s, LOCAL_CORRIDOR, node, "delivered", float(local[i])))
    out = pd.DataFrame(rows, columns=["source", "corridor", "district", "kind", value_col])
    scale = max(float(np.abs(g).sum()), 1.0)
    return out.loc[out[value_col] > 1e-9 * scale].reset_index(drop=True)


# --- Sankey -----------------------------------------------------------------------------------


def sankey_figure(
    run: RunResults,
    *,
    by: GroupBy = "source",
    period: str | None = None,
    corridor_column: str | None = "project",
    label_chars: int = 28,
) -> go.Figure:
    """Sankey of heat: sources (or technologies) → lines/corridors → districts.

    Reads what :func:`trace_heat` reads, plus ``nodes`` (unserved_mw, unserved_mwh) and the
    network's node, source and pipe names. Pipe losses flow from each corridor to a "pipe
    losses" node; unserved heat flows from an "unserved heat" node into its district, so each
    district's inflow is its demand. Season values in GWh; with ``period`` (a label or
    ``"peak"``) the flows of that period in MW. Corridors are the pipes' ``corridor_column``
    (``project`` in the Jinan data) or each pipe's name. Labels are cut to ``label_chars``
    characters; hover shows the full names.
    """
    sel = resolve_period(run, period)
    paths = trace_heat(run, period=period, corridor_column=corridor_column)
    value_col = "heat_mw" if sel else "heat_mwh"
    unit = "MW" if sel else "GWh"
    to_unit = 1.0 if sel else 1.0 / MWH_PER_GWH
    info = source_info(run)
    node_names = _node_names(run)
    pipes = run.network.pipes
    pipe_names = display_names(pipes, pipes.index)
    corridors = pipe_corridors(run, corridor_column)

    paths["tech"] = [
        info.at[s, "technology"] if s in info.index else "other" for s in paths["source"]
    ]
    paths["group"] = paths["tech"] if by == "technology" else paths["source"]
    paths["value"] = paths[value_col] * to_unit

    demand = _table(run, "nodes", "sankey")
    if sel:
        unserved = demand.loc[demand["t"] == sel[0]].groupby("node")["unserved_mw"].sum()
    else:
        unserved = demand.groupby("node")["unserved_mwh"].sum() / MWH_PER_GWH
    unserved = unserved[unserved > 1e-9 * max(float(paths["value"].sum()), 1.0)]

    labels: list[str] = []
    hovers: list[str] = []
    colours: list[str] = []
    index: dict[tuple[str, str], int] = {}

    def add_node(kind: str, key: str, label: str, hover: str, colour: str) -> None:
        index[(kind, key)] = len(labels)
        labels.append(label)
        hovers.append(hover)
        colours.append(colour)

    group_totals = paths.groupby("group")["value"].sum()
    if by == "technology":
        for tech in sorted(group_totals.index, key=_tech_rank):
            add_node("group", tech, esc(tech_label(tech)), esc(tech_label(tech)), tech_colour(tech))
    else:
        for sid in group_totals.sort_values(ascending=False).index:
            name = info.at[sid, "name"] if sid in info.index else sid
            tech = info.at[sid, "technology"] if sid in info.index else "other"
            add_node(
                "group",
                sid,
                esc(shorten(name, label_chars)),
                f"{esc(name)}<br>id {esc(sid)} · {esc(tech_label(tech))}",
                tech_colour(tech),
            )
    corridor_pipes: dict[str, list[str]] = {}
    for pid, c in corridors.items():
        corridor_pipes.setdefault(c, []).append(pipe_names.get(pid, pid))
    for c in paths.groupby("corridor")["value"].sum().sort_values(ascending=False).index:
        if c == LOCAL_CORRIDOR:
            continue
        members = corridor_pipes.get(c, [])
        member_text = "<br>".join(esc(shorten(p, 60)) for p in members[:8])
        more = f"<br>… {len(members) - 8} more" if len(members) > 8 else ""
        add_node(
            "corridor",
            c,
            esc(shorten(c, label_chars)),
            f"{esc(c)}<br><i>pipes:</i><br>{member_text}{more}",
            CORRIDOR_COLOUR,
        )
    if (paths["corridor"] == LOCAL_CORRIDOR).any():
        add_node(
            "corridor",
            LOCAL_CORRIDOR,
            "local supply (no pipe)",
            "heat used at the node of its source",
            "#a0a0a0",
        )
    for d in [str(n) for n in demand["node"].drop_duplicates()]:
        name = node_names.get(d, d)
        add_node(
            "district",
            d,
            esc(shorten(name, label_chars)),
            f"{esc(name)}<br>id {esc(d)}",
            DISTRICT_COLOUR,
        )
    if (paths["kind"] == "loss").any():
        add_node("sink", "loss", "pipe losses", "heat lost in pipes", LOSS_COLOUR)
    if len(unserved):
        add_node("unserved", "unserved", "unserved heat", "demand not met", UNSERVED_COLOUR)

    src: list[int] = []
    dst: list[int] = []
    val: list[float] = []
    link_colour: list[str] = []
    link_hover: list[str] = []

    def add_link(a: int, b: int, value: float, colour: str, hover: str) -> None:
        src.append(a)
        dst.append(b)
        val.append(value)
        link_colour.append(colour)
        link_hover.append(hover)

    fmt = ",.1f" if not sel else ",.0f"
    for (grp, c, tech), v in paths.groupby(["group", "corridor", "tech"])["value"].sum().items():
        a, b = index[("group", grp)], index[("corridor", c)]
        add_link(
            a,
            b,
            float(v),
            _rgba(tech_colour(tech), 0.45),
            f"{labels[a]} → {labels[b]}<br>{v:{fmt}} {unit}",
        )
    delivered = paths.loc[paths["kind"] == "delivered"]
    by_district = delivered.groupby(["corridor", "district", "tech"])["value"].sum()
    for (c, d, tech), v in by_district.items():
        a, b = index[("corridor", c)], index[("district", d)]
        add_link(
            a,
            b,
            float(v),
            _rgba(tech_colour(tech), 0.45),
            f"{labels[a]} → {labels[b]}<br>{esc(tech_label(tech))}: {v:{fmt}} {unit}",
        )
    losses = paths.loc[paths["kind"] == "loss"]
    for (c, tech), v in losses.groupby(["corridor", "tech"])["value"].sum().items():
        a, b = index[("corridor", c)], index[("sink", "loss")]
        add_link(
            a,
            b,
            float(v),
            _rgba(LOSS_COLOUR, 0.5),
            f"pipe losses on {labels[a]}<br>{esc(tech_label(tech))}: {v:{fmt}} {unit}",
        )
    for d, v in unserved.items():
        a, b = index[("unserved", "unserved")], index[("district", str(d))]
        add_link(
            a,
            b,
            float(v),
            _rgba(UNSERVED_COLOUR, 0.6),
            f"unserved heat at {labels[b]}<br>{v:{fmt}} {unit}",
        )

    produced = float(paths["value"].sum())
    lost = float(losses["value"].sum())
    short = float(unserved.sum())
    when = f"period {esc(sel[1])}" if sel else "the season"
    title = (
        f"Heat flows of {when}: {esc(run_label(run))} [{unit}]<br><sup>produced "
        f"{produced:{fmt}} {unit} · pipe losses {lost:{fmt}} {unit} · unserved "
        f"{short:{fmt}} {unit}</sup>"
    )
    n_rows = max(
        sum(1 for k in index if k[0] == kind) for kind in ("group", "corridor", "district")
    )
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=fmt,
            valuesuffix=f" {unit}",
            node={
                "label": labels,
                "color": colours,
                "customdata": hovers,
                "pad": 12,
                "thickness": 16,
                "line": {"width": 0.5, "color": "#444"},
                "hovertemplate": "%{customdata}<br>%{value} <extra></extra>",
            },
            link={
                "source": src,
                "target": dst,
                "value": val,
                "color": link_colour,
                "customdata": link_hover,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )
    fig.update_layout(
        title={"text": title},
        font={"size": 12},
        height=max(520, 34 * n_rows + 160),
        margin={"l": 20, "r": 20, "t": 80, "b": 20},
    )
    return fig


# --- network map ------------------------------------------------------------------------------


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


def map_figure(
    run: RunResults, *, period: str | None = None, label_chars: int = 14, show_labels: bool = True
) -> go.Figure:
    """Network map: nodes at their coordinates, pipes by decision, width by heat carried.

    Reads ``pipes`` (decision, heat_in_mwh, forward_mwh, reverse_mwh, loss_mwh, peak_flow_mw,
    utilisation), ``sources`` (decision, heat_mwh, peak_output_mw), ``nodes`` (demand_mwh,
    unserved_mwh, demand_mw, unserved_mw), with ``period`` also ``flows`` and ``dispatch``, and
    the network's nodes (name, lat, lon), sources and pipes (names, ends, length, capacity).

    Pipe colour: existing, built in this plan, candidate not built, unavailable; width: heat
    carried over the season (or at ``period``); an arrow shows the net direction. Districts are
    circles sized by demand; sources are squares coloured by technology and sized by output;
    retired sources are red crosses. Names are labelled for districts and for sources giving at
    least 5 % of the largest output (all names are in the hover text); ``show_labels=False``
    drops the labels. Drawn on plain longitude/latitude axes with equal scale (no map tiles, no
    internet); without coordinates, on a schematic layout.
    """
    sel = resolve_period(run, period)
    pos, geographic = node_positions(run)
    node_names = _node_names(run)
    net_pipes = run.network.pipes
    res_pipes = _table(run, "pipes", "map")
    pipe_names = display_names(net_pipes, net_pipes.index)
    info = source_info(run)
    res_sources = _table(run, "sources", "map")
    demand = _table(run, "nodes", "map")
    unit = "MW" if sel else "GWh"
    fmt = ",.0f" if sel else ",.1f"

    # heat carried and net direction by pipe
    if sel:
        f = _table(run, "flows", "map")
        f = f.loc[f["t"] == sel[0]].set_index("pipe")
        carried = (f["flow_forward_mw"] + f["flow_reverse_mw"]).astype(float)
        net_dir = (f["flow_forward_mw"] - f["flow_reverse_mw"]).astype(float)
        lost = f["loss_mw"].astype(float)
        d = _table(run, "dispatch", "map")
        d = d.loc[d["t"] == sel[0]]
        src_heat = d.groupby("source")["heat_mw"].sum()
        dem = demand.loc[demand["t"] == sel[0]].groupby("node")[["demand_mw", "unserved_mw"]].sum()
        dem.columns = ["demand", "unserved"]
    else:
        carried = res_pipes["heat_in_mwh"].astype(float) / MWH_PER_GWH
        net_dir = (res_pipes["forward_mwh"] - res_pipes["reverse_mwh"]).astype(float)
        lost = res_pipes["loss_mwh"].astype(float) / MWH_PER_GWH
        src_heat = res_sources["heat_mwh"].astype(float) / MWH_PER_GWH
        dem = demand.groupby("node")[["demand_mwh", "unserved_mwh"]].sum() / MWH_PER_GWH
        dem.columns = ["demand", "unserved"]
    src_heat.index = src_heat.index.astype(str)
    max_carried = max(float(carried.max()) if len(carried) else 0.0, 1e-9)

    fig = go.Figure()
    shown_legend: set[str] = set()
    mid_x, mid_y, mid_text, mid_colour = [], [], [], []
    arrows = []
    for pid in net_pipes.index:
        pid_s = str(pid)
        row = net_pipes.loc[pid]
        a, b = str(row["from_node"]), str(row["to_node"])
        if a not in pos or b not in pos:
            continue
        decision = str(res_pipes.at[pid, "decision"]) if pid in res_pipes.index else "existing"
        colour, dash, legend = PIPE_STYLE.get(decision, ("#7f7f7f", "solid", decision))
        value = float(carried.get(pid, 0.0))
        if value <= 1e-6 * max_carried:  # solver noise on an idle pipe
            value = 0.0
        width = 1.5 if value <= 0 else 1.5 + 10.5 * math.sqrt(value / max_carried)
        (x0, y0), (x1, y1) = pos[a], pos[b]
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                line={"color": colour, "width": width, "dash": dash},
                name=legend,
                legendgroup=f"pipe-{decision}",
                showlegend=decision not in shown_legend,
                hoverinfo="skip",
                meta={"pipe": esc(pid_s), "decision": decision},
            )
        )
        shown_legend.add(decision)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        mid_x.append(mx)
        mid_y.append(my)
        mid_colour.append(colour)
        r = res_pipes.loc[pid] if pid in res_pipes.index else None
        lines = [
            f"<b>{esc(pipe_names[pid_s])}</b>",
            f"pipe {esc(pid_s)}: {esc(node_names.get(a, a))} → {esc(node_names.get(b, b))}",
            f"{decision.replace('_', ' ')} · {float(row['length_km']):,.1f} km · "
            f"{float(row['capacity_mw']):,.0f} MW",
        ]
        lines.append(f"heat carried: {value:{fmt}} {unit}")
        lines.append(f"losses: {float(lost.get(pid, 0.0)):{fmt}} {unit}")
        if r is not None and not sel:
            lines.append(
                f"peak flow: {float(r['peak_flow_mw']):,.0f} MW "
                f"({float(r['utilisation']) * 100:,.0f} % of capacity)"
            )
        mid_text.append("<br>".join(lines))
        direction = float(net_dir.get(pid, 0.0))
        if value > 0 and abs(direction) > 1e-9 and (x0, y0) != (x1, y1):
            sgn = 1.0 if direction > 0 else -1.0
            dx, dy = (x1 - x0) * 0.06 * sgn, (y1 - y0) * 0.06 * sgn
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
    fig.add_trace(
        go.Scatter(
            x=mid_x,
            y=mid_y,
            mode="markers",
            name="pipe details",
            showlegend=False,
            marker={"size": 9, "color": mid_colour, "opacity": 0.0},
            text=mid_text,
            hovertemplate="%{text}<extra></extra>",
        )
    )

    sources_at: dict[str, list[str]] = {}
    for sid, node in info["node"].items():
        sources_at.setdefault(node, []).append(sid)

    def source_line(sid: str) -> str:
        decision = info.at[sid, "decision"]
        tech = info.at[sid, "technology"]
        heat = float(src_heat.get(sid, 0.0))
        return (
            f"{esc(shorten(info.at[sid, 'name'], 40))} ({esc(tech_label(tech))}): "
            f"{esc(decision.replace('_', ' '))}, {heat:{fmt}} {unit}"
        )

    def node_hover(n: str) -> str:
        lines = [f"<b>{esc(node_names.get(n, n))}</b>", f"node {esc(n)}"]
        if n in dem.index:
            lines.append(f"demand: {float(dem.at[n, 'demand']):{fmt}} {unit}")
            lines.append(f"unserved: {float(dem.at[n, 'unserved']):{fmt}} {unit}")
        if n in sources_at:
            lines.append("sources:")
            lines += [source_line(s) for s in sources_at[n]]
        return "<br>".join(lines)

    # districts
    districts = [n for n in dem.index.astype(str) if n in pos]
    if districts:
        dvals = np.array([float(dem.at[n, "demand"]) for n in districts])
        dmax = max(float(dvals.max()), 1e-9)
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in districts],
                y=[pos[n][1] for n in districts],
                mode="markers+text" if show_labels else "markers",
                name="district (demand)",
                marker={
                    "size": 14 + 30 * np.sqrt(dvals / dmax),
                    "color": _rgba(DISTRICT_COLOUR, 0.35),
                    "line": {"color": DISTRICT_COLOUR, "width": 1.5},
                },
                text=[esc(shorten(node_names.get(n, n), label_chars)) for n in districts],
                textposition="bottom center",
                textfont={"size": 10, "color": DISTRICT_COLOUR},
                customdata=[node_hover(n) for n in districts],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
        unserved_nodes = [n for n in districts if float(dem.at[n, "unserved"]) > 1e-6]
        if unserved_nodes:
            fig.add_trace(
                go.Scatter(
                    x=[pos[n][0] for n in unserved_nodes],
                    y=[pos[n][1] for n in unserved_nodes],
                    mode="markers",
                    name="district short of heat",
                    marker={"size": 12, "color": UNSERVED_COLOUR, "symbol": "triangle-down"},
                    customdata=[node_hover(n) for n in unserved_nodes],
                    hovertemplate="%{customdata}<extra></extra>",
                )
            )
    # sources in service: one marker per node, coloured by its largest source
    serving = [
        n
        for n, ids in sources_at.items()
        if n in pos and any(info.at[s, "decision"] in IN_SERVICE for s in ids)
    ]
    if serving:
        heat_at = []
        colour_at = []
        for n in serving:
            ids = [s for s in sources_at[n] if info.at[s, "decision"] in IN_SERVICE]
            heats = [float(src_heat.get(s, 0.0)) for s in ids]
            heat_at.append(sum(heats))
            top = ids[int(np.argmax(heats))] if heats else ids[0]
            colour_at.append(tech_colour(info.at[top, "technology"]))
        hmax = max(max(heat_at), 1e-9)
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in serving],
                y=[pos[n][1] for n in serving],
                mode="markers+text" if show_labels else "markers",
                name="source in service",
                marker={
                    "symbol": "square",
                    "size": [8 + 16 * math.sqrt(h / hmax) for h in heat_at],
                    "color": colour_at,
                    "line": {"color": "#222", "width": 1},
                },
                text=[
                    esc(shorten(node_names.get(n, n), label_chars))
                    if n not in districts and h >= 0.05 * hmax
                    else ""
                    for n, h in zip(serving, heat_at, strict=True)
                ],
                textposition="top center",
                textfont={"size": 9, "color": "#333"},
                customdata=[node_hover(n) for n in serving],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    for decisions, trace_name, marker in (
        (
            RETIRED,
            "retired source",
            {
                "symbol": "x",
                "size": 15,
                "color": UNSERVED_COLOUR,
                "line": {"color": "#fff", "width": 1},
            },
        ),
        (
            ("not_built",),
            "candidate source, not built",
            {"symbol": "diamond-open", "size": 12, "color": "#7f7f7f"},
        ),
    ):
        at = [
            n
            for n, ids in sources_at.items()
            if n in pos and any(info.at[s, "decision"] in decisions for s in ids)
        ]
        if at:
            fig.add_trace(
                go.Scatter(
                    x=[pos[n][0] for n in at],
                    y=[pos[n][1] for n in at],
                    mode="markers",
                    name=trace_name,
                    marker=marker,
                    customdata=[node_hover(n) for n in at],
                    hovertemplate="%{customdata}<extra></extra>",
                )
            )
    junctions = [n for n in pos if n not in sources_at and n not in dem.index]
    if junctions:
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in junctions],
                y=[pos[n][1] for n in junctions],
                mode="markers",
                name="junction / station",
                marker={"size": 7, "color": "#ffffff", "line": {"color": "#555", "width": 1.5}},
                customdata=[node_hover(n) for n in junctions],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )

    when = f"period {esc(sel[1])}" if sel else "the season"
    fig.update_layout(
        title={
            "text": f"Network map: {esc(run_label(run))}<br><sup>pipe width = heat carried "
            f"over {when} [{unit}]; arrows = net direction</sup>"
        },
        annotations=arrows,
        hovermode="closest",
        plot_bgcolor="#fbfbf8",
        height=720,
        legend={"orientation": "v", "x": 1.01, "y": 1},
        margin={"l": 60, "r": 20, "t": 80, "b": 50},
    )
    if geographic:
        lats = [p[1] for p in pos.values()]
        ratio = 1.0 / max(math.cos(math.radians(float(np.mean(lats)))), 0.05)
        fig.update_xaxes(
            title_text="longitude [°E]", showgrid=True, gridcolor="#e6e6e6", zeroline=False
        )
        fig.update_yaxes(
            title_text="latitude [°N]",
            showgrid=True,
            gridcolor="#e6e6e6",
            zeroline=False,
            scaleanchor="x",
            scaleratio=ratio,
        )
    else:
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.0)
        fig.add_annotation(
            text="schematic layout: nodes.csv has no lat/lon for every node",
            xref="paper",
            yref="paper",
            x=0,
            y=-0.06,
            showarrow=False,
            font={"size": 11, "color": "#666"},
        )
    return fig


# --- dispatch and duration --------------------------------------------------------------------


def _dispatch_wide(
    run: RunResults, by: GroupBy, figure: str
) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """heat_mw by t (rows) and group (columns), with labels and colours by group."""
    d = _table(run, "dispatch", figure)
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
    per = _periods(run).set_index("t")
    if "demand_mw" not in per.columns:
        n = _table(run, "nodes", "dispatch").groupby("t")[["demand_mw", "unserved_mw"]].sum()
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
    per = _periods(run).set_index("t")
    if "demand_mw" not in per.columns:
        n = _table(run, "nodes", "duration").groupby("t")[["demand_mw", "unserved_mw"]].sum()
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


def matrix_figure(runs: Runs, *, label_chars: int = 18) -> go.Figure:
    """Retirement-plan matrix: one row per scenario, one column per retirable source.

    Reads each run's ``sources`` (decision, technology, heat_mwh, co2_t) and source names.
    Columns are the sources that are kept or retired in at least one run (the retirable ones,
    and any a scenario forced out). Cells: retired by the optimiser (green), retired by the
    scenario (light green), kept (grey); blank where the run has no such source.
    """
    items = labelled_runs(runs)
    names: dict[str, str] = {}
    for _, run in items:
        info = source_info(run)
        for sid in info.index[info["decision"].isin(("kept", *RETIRED))]:
            names.setdefault(sid, info.at[sid, "name"])
    cols = list(names)
    col_labels = _unique_labels(names, label_chars)
    code = {"retired": 0.0, "forced_retired": 0.5, "kept": 1.0}
    z, text, hover, row_labels = [], [], [], []
    for label, run in items:
        info = source_info(run)
        src = run.tables.get("sources")
        zr, tr, hr = [], [], []
        for sid in cols:
            decision = info.at[sid, "decision"] if sid in info.index else None
            zr.append(code.get(decision or ""))
            tr.append(
                {"retired": "retired", "forced_retired": "forced", "kept": "kept"}.get(
                    decision or "", ""
                )
            )
            heat = (
                float(src.at[sid, "heat_mwh"]) / MWH_PER_GWH
                if (src is not None and sid in src.index)
                else 0.0
            )
            hr.append(
                f"<b>{esc(label)}</b><br>{esc(names[sid])}<br>id {esc(sid)}<br>"
                f"{esc((decision or 'not in this run').replace('_', ' '))}"
                f" · {heat:,.1f} GWh"
            )
        n_ret = sum(1 for v in zr if v is not None and v < 1)
        row_labels.append(f"{esc(label)} ({n_ret} retired)")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[col_labels[c] for c in cols],
            y=row_labels,
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=2,
            ygap=2,
            colorscale=[
                [0.0, "#2ca02c"],
                [0.25, "#2ca02c"],
                [0.25, "#98df8a"],
                [0.75, "#98df8a"],
                [0.75, "#6e6e6e"],
                [1.0, "#6e6e6e"],
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    for name, colour in (
        ("retired (optimised)", "#2ca02c"),
        ("retired (by scenario)", "#98df8a"),
        ("kept", "#6e6e6e"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                marker={"symbol": "square", "size": 12, "color": colour},
            )
        )
    fig.update_layout(
        title={"text": "Retirement plans: scenario × retirable source"},
        height=max(320, 46 * len(items) + 260),
        plot_bgcolor="#ffffff",
        xaxis={"type": "category", "tickangle": -40, "side": "bottom"},
        yaxis={"type": "category", "autorange": "reversed"},
        legend={"orientation": "h", "x": 0, "y": 1.08},
        margin={"l": 20, "r": 20, "t": 100, "b": 40},
    )
    return fig


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
    keys = [k for k in COST_LABELS if any(abs(b.get(k, 0.0)) > 0.5 for b in breakdowns)]
    keys += sorted(
        {
            k
            for b in breakdowns
            for k in b
            if k not in COST_LABELS and k != "total_cny" and abs(b[k]) > 0.5
        }
    )
    for k in keys:
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
    decisions; points not proven optimal are drawn open.
    """
    items = labelled_runs(runs)
    rows = []
    for label, run in items:
        s = run.summary
        cap = (caps_t or {}).get(label, (s.get("economics") or {}).get("co2_cap_t"))
        co2_kt = (s.get("co2_t") or 0.0) / T_PER_KT
        cost = (s.get("objective_cny") or 0.0) / CNY_PER_MCNY
        cap_text = "none" if cap is None else f"{float(cap) / T_PER_KT:,.0f} kt"
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


def run_figure(
    kind: str, run: RunResults, *, period: str | None = None, by: GroupBy | None = None
) -> go.Figure:
    """The figure of ``kind`` (one of :data:`RUN_KINDS`) for one run."""
    if kind == "sankey":
        return sankey_figure(run, by=by or "source", period=period)
    if kind == "map":
        return map_figure(run, period=period)
    if kind == "dispatch":
        return dispatch_figure(run, by=by or "technology")
    if kind == "duration":
        return duration_figure(run, by=by or "technology")
    raise InputError(
        [
            Problem(
                None,
                "unknown figure kind for a run",
                column="--kind",
                expected="one of " + ", ".join(RUN_KINDS),
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
