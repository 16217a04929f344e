"""Where each source's heat goes: heat tracing over a run's result tables.

:func:`trace_heat` follows every source's heat through the pipes to the districts that use it
or the pipes that lose it, period by period, by proportional sharing (one linear solve per
period). It is analysis, not drawing: :func:`heatnet.plot.sankey_figure` draws the table it
returns.

The readers used here and by the figures (:func:`run_table`, :func:`period_table`,
:func:`resolve_period`, :func:`pipe_corridors`, :func:`display_names`) take anything with
``tables``, ``summary``, ``network`` and ``name`` (:class:`RunResults`): a
:class:`heatnet.run.StoredRun` read back with :func:`heatnet.read_run`, or the
:class:`heatnet.run.Run` that :func:`heatnet.solve` returns. Nothing here imports the model,
the solver or the figures.

Units: heat rates in MW, period weights in h, season heat in MWh.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from heatnet.errors import InputError, Problem
from heatnet.schema import DECISION_BY_STATUS

if TYPE_CHECKING:
    from heatnet.network import Network

LOCAL_CORRIDOR = "(local)"
"""Corridor key of heat used at the node of its source, without passing a pipe."""
DEAD_NODE_MW = 1e-9
"""A node with less heat passing through it than this [MW] carries no mix in that period."""


class RunResults(Protocol):
    """What the run figures and the tracing read: a run's result tables, summary and input
    network."""

    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    network: Network

    @property
    def name(self) -> str:
        """Run name."""
        ...


# --- reading a run's tables -------------------------------------------------------------------


def _cell_text(column: pd.Series | None, i: object) -> str:
    """The stripped text of ``column`` at ``i`` ("" for a missing column, row or value)."""
    value = column.get(i) if column is not None else None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def display_names(
    table: pd.DataFrame | None, ids: Sequence[str] | pd.Index, *, short: bool = True
) -> dict[str, str]:
    """Display name (raw text) by id: the ``short_name`` column where given (and ``short``),
    else the ``name`` column where given, else the id. ``short_name`` is display only (figure
    labels); ``short=False`` gives the full name, for hover texts."""
    out: dict[str, str] = {}
    columns = table.columns if table is not None else ()
    shorts = table["short_name"] if short and "short_name" in columns else None
    names = table["name"] if "name" in columns else None
    for i in ids:
        out[str(i)] = _cell_text(shorts, i) or _cell_text(names, i) or str(i)
    return out


def run_label(run: RunResults) -> str:
    """The run's name as stored (raw text)."""
    name = getattr(run, "name", None) or run.summary.get("name") or "run"
    return str(name)


def run_table(run: RunResults, key: str, figure: str) -> pd.DataFrame:
    """The run's result table ``key``; InputError naming the ``figure`` that needs it when the
    run has no such table."""
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


def period_table(run: RunResults) -> pd.DataFrame:
    """t, period, weight_h [h] (and the period totals where the run has periods.csv), by t."""
    per = run.tables.get("periods")
    if per is None:
        d = run_table(run, "dispatch", "period")
        per = d.drop_duplicates("t")[["t", "period", "weight_h"]]
    per = per.sort_values("t").reset_index(drop=True)
    per["period"] = per["period"].astype(str)
    return per


def resolve_period(run: RunResults, period: str | None) -> tuple[int, str] | None:
    """``(t, label)`` of a period given by its label, or ``"peak"`` for the period of highest
    demand; None for the whole season. Raises InputError for an unknown label."""
    if period is None:
        return None
    per = period_table(run)
    if str(period) == "peak":
        if "demand_mw" in per.columns:
            row = per.loc[per["demand_mw"].idxmax()]
        else:
            demand = run_table(run, "nodes", "period").groupby("t")["demand_mw"].sum()
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


@dataclass(frozen=True)
class _TraceInputs:
    """A run's heat balance as arrays over nodes, sources, arcs and the traced periods.

    Arcs are every pipe forward (from → to), then every pipe in reverse (to → from), so each
    direction of a bidirectional pipe is its own arc.

    Attributes:
        weights_h: hours each traced period stands for [h] (1 when one period is traced, so
            the results are rates [MW]).
        value_col: ``heat_mwh`` for the season, ``heat_mw`` for one period.
        node_ids: node ids; positions in this list index the node axis.
        source_ids: source ids, in the order of ``source_node`` and ``heat_mw``.
        source_node: node position of each source.
        heat_mw: heat produced g[s, t] [MW], sources × periods.
        tail: node position where each arc takes heat in.
        head: node position where each arc hands heat over.
        enter_mw: heat entering each arc e[a, t] [MW], arcs × periods.
        arrive_mw: heat leaving each arc r[a, t] = η_a(t) · e[a, t] [MW], arcs × periods.
        arc_corridor: corridor key of each arc.
        districts: ids of the nodes with demand.
        district_node: node position of each district.
        served_mw: demand met at each node D[n, t] = demand − unserved, ≥ 0 [MW],
            nodes × periods.
    """

    weights_h: np.ndarray
    value_col: str
    node_ids: list[str]
    source_ids: list[str]
    source_node: np.ndarray
    heat_mw: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    enter_mw: np.ndarray
    arrive_mw: np.ndarray
    arc_corridor: list[str]
    districts: list[str]
    district_node: np.ndarray
    served_mw: np.ndarray


@dataclass(frozen=True)
class _Commodities:
    """The labels heat is traced under, and where each is injected.

    A commodity k is a (source, corridor) pair: heat of source s that left its node through a
    pipe of that corridor. An injection q is an (arc, source, commodity) triple: arc a leaves
    the node of source s, and the share of s's own heat in a's flow becomes commodity k.

    Attributes:
        keys: (source position, corridor) of each commodity.
        arc: arc of each injection.
        source: source position of each injection.
        commodity: commodity of each injection.
    """

    keys: list[tuple[int, str]]
    arc: np.ndarray
    source: np.ndarray
    commodity: np.ndarray


def _wide(df: pd.DataFrame, key: str, col: str, ts: np.ndarray) -> pd.DataFrame:
    """``col`` summed by ``key`` (rows) and period ``t`` (columns ``ts``), 0 where missing."""
    return (
        df.pivot_table(index=key, columns="t", values=col, aggfunc="sum")
        .reindex(columns=ts)
        .fillna(0.0)
    )


def _arcs(
    flows: pd.DataFrame, ts: np.ndarray, pos: dict[str, int], corridors: dict[str, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """``(tail, head, enter_mw, arrive_mw, arc_corridor)`` of the arcs (see
    :class:`_TraceInputs`) from the ``flows`` table.

    A pipe's efficiency in period t is η = delivered / (forward + reverse), clipped to [0, 1]
    (1 when the pipe is idle); both directions share it, so each arc delivers
    r[a, t] = η · e[a, t] [MW] of the e[a, t] [MW] that enters it.
    """
    fwd = _wide(flows, "pipe", "flow_forward_mw", ts)
    pipe_ids = list(fwd.index)
    rev = _wide(flows, "pipe", "flow_reverse_mw", ts).reindex(pipe_ids).fillna(0.0).to_numpy()
    dlv = _wide(flows, "pipe", "delivered_mw", ts).reindex(pipe_ids).fillna(0.0).to_numpy()
    fwd_a = fwd.to_numpy(dtype=float)
    total = fwd_a + rev
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.clip(np.where(total > 0, dlv / total, 1.0), 0.0, 1.0)
    ends = flows.drop_duplicates("pipe").set_index("pipe").loc[pipe_ids]
    from_pos = np.array([pos[str(n)] for n in ends["from_node"]], dtype=int)
    to_pos = np.array([pos[str(n)] for n in ends["to_node"]], dtype=int)
    tail = np.concatenate([from_pos, to_pos])
    head = np.concatenate([to_pos, from_pos])
    enter = np.vstack([fwd_a, rev])
    arrive = enter * np.vstack([eta, eta])
    arc_corridor = [corridors.get(str(p), str(p)) for p in pipe_ids] * 2
    return tail, head, enter, arrive, arc_corridor


def _served(
    demand: pd.DataFrame, ts: np.ndarray, pos: dict[str, int], n_nodes: int
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """``(served_mw, districts, district_node)`` (see :class:`_TraceInputs`) from the ``nodes``
    table: D[n, t] = max(demand_mw − unserved_mw, 0) [MW]."""
    served_wide = _wide(demand, "node", "demand_mw", ts) - _wide(demand, "node", "unserved_mw", ts)
    served = np.zeros((n_nodes, len(ts)))
    for node, row in served_wide.iterrows():
        served[pos[str(node)]] = np.clip(row.to_numpy(dtype=float), 0.0, None)
    districts = [str(n) for n in served_wide.index]
    return served, districts, np.array([pos[n] for n in districts], dtype=int)


def _trace_inputs(
    run: RunResults, *, period: str | None = None, corridor_column: str | None = "project"
) -> _TraceInputs:
    """The arrays :func:`trace_heat` works on, from the run's ``dispatch``, ``flows``,
    ``nodes`` and ``periods`` tables: every period weighted by its hours [h], or only
    ``period`` (a label or ``"peak"``) with weight 1."""
    # the message of a missing table names the figure the user asked for
    dispatch = run_table(run, "dispatch", "sankey")
    flows = run_table(run, "flows", "sankey")
    demand = run_table(run, "nodes", "sankey")
    per = period_table(run)
    sel = resolve_period(run, period)
    if sel is None:
        ts = per["t"].to_numpy(dtype=int)
        weights = per["weight_h"].to_numpy(dtype=float)
    else:
        ts = np.array([sel[0]])
        weights = np.ones(1)
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
    gen = _wide(dispatch, "source", "heat_mw", ts)
    src_node = dispatch.drop_duplicates("source").set_index("source")["node"].astype(str)
    tail, head, enter, arrive, arc_corridor = _arcs(
        flows, ts, pos, pipe_corridors(run, corridor_column)
    )
    served, districts, d_pos = _served(demand, ts, pos, len(node_ids))
    return _TraceInputs(
        weights_h=weights,
        value_col="heat_mwh" if sel is None else "heat_mw",
        node_ids=node_ids,
        source_ids=[str(s) for s in gen.index],
        source_node=np.array([pos[src_node[s]] for s in gen.index], dtype=int),
        heat_mw=gen.to_numpy(dtype=float),
        tail=tail,
        head=head,
        enter_mw=enter,
        arrive_mw=arrive,
        arc_corridor=arc_corridor,
        districts=districts,
        district_node=d_pos,
        served_mw=served,
    )


def _commodities(inp: _TraceInputs) -> _Commodities:
    """One commodity per (source, corridor of a pipe leaving the source's node), in the order
    of the sources and of the arcs; one injection per (arc leaving a source's node, source)."""
    keys: list[tuple[int, str]] = []
    k_of: dict[tuple[int, str], int] = {}
    q_arc, q_src, q_k = [], [], []
    for i, sp in enumerate(inp.source_node):
        for a in np.flatnonzero(inp.tail == sp):
            key = (i, inp.arc_corridor[a])
            if key not in k_of:
                k_of[key] = len(keys)
                keys.append(key)
            q_arc.append(a)
            q_src.append(i)
            q_k.append(k_of[key])
    qa, qs, qk = (np.array(v, dtype=int) for v in (q_arc, q_src, q_k))
    return _Commodities(keys=keys, arc=qa, source=qs, commodity=qk)


def _own_shares(inp: _TraceInputs, j: int) -> tuple[np.ndarray, np.ndarray]:
    """``(through_mw, own_share)`` in period ``j``.

    Heat passing through node n: T[n] = Σ_{s at n} g[s] + Σ_{a: head(a) = n} r[a] [MW].
    Share of source s's own (not yet piped) heat in the mix at its node:
    σ[s] = g[s] / T[node(s)] [-], 0 at a node with T ≤ :data:`DEAD_NODE_MW`.
    """
    n_nodes = len(inp.node_ids)
    g = inp.heat_mw[:, j]
    through = np.bincount(inp.source_node, weights=g, minlength=n_nodes) + np.bincount(
        inp.head, weights=inp.arrive_mw[:, j], minlength=n_nodes
    )
    dead = through <= DEAD_NODE_MW
    safe = np.where(dead, 1.0, through)
    own_share = np.where(dead[inp.source_node], 0.0, g / safe[inp.source_node])
    return through, own_share


def _period_mix(
    inp: _TraceInputs, com: _Commodities, j: int, through: np.ndarray, own_share: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(mix, loss_mw)`` of the commodities in period ``j``.

    mix[n, k] [-] is the share of commodity k in the heat at node n, the solution of

        T[n] · x[n, k] − Σ_{a: head(a) = n} r[a] · x[tail(a), k]
            = Σ_{q = (a, s, k): head(a) = n} r[a] · σ[s]

    (what reaches n already labelled k, plus what arrives over an arc that left s's node with
    s's own heat), with x = 0 at nodes with T ≤ :data:`DEAD_NODE_MW`. A singular system (a
    lossless loop with no outlet) is solved by least squares.

    loss_mw[k] = Σ_a (e[a] − r[a]) · x[tail(a), k] + Σ_{q = (a, s, k)} (e[a] − r[a]) · σ[s]
    [MW] is what the pipes lose of commodity k.
    """
    n_nodes, n_k = len(inp.node_ids), len(com.keys)
    arr = inp.arrive_mw[:, j]
    ent = inp.enter_mw[:, j]
    qa, qs, qk = com.arc, com.source, com.commodity
    dead = through <= DEAD_NODE_MW
    m = np.diag(through)
    np.add.at(m, (inp.head, inp.tail), -arr)
    m[dead, :] = 0.0
    m[dead, dead] = 1.0
    inj = np.zeros((n_nodes, n_k))
    np.add.at(inj, (inp.head[qa], qk), arr[qa] * own_share[qs])
    inj[dead] = 0.0
    try:
        x = np.linalg.solve(m, inj)
    except np.linalg.LinAlgError:  # a lossless loop with no outlet: least squares
        x = np.linalg.lstsq(m, inj, rcond=None)[0]
    x[dead] = 0.0
    loss_flow = ent - arr
    k_loss = loss_flow @ x[inp.tail]
    np.add.at(k_loss, qk, loss_flow[qa] * own_share[qs])
    return x, k_loss


def _season_totals(
    inp: _TraceInputs, com: _Commodities
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(delivered, lost, local)`` summed over the traced periods, weighted by w[t] [h]:

    * delivered[d, k] = Σ_t w[t] · x[d, k, t] · D[d, t]: commodity k used at district d;
    * lost[k] = Σ_t w[t] · loss_mw[k, t]: commodity k lost in pipes;
    * local[s] = Σ_t w[t] · σ[s, t] · D[node(s), t]: source s used at its own node.

    In MWh for the season (w = period weights), in MW for one period (w = 1).
    """
    n_k = len(com.keys)
    delivered = np.zeros((len(inp.districts), n_k))
    lost = np.zeros(n_k)
    local = np.zeros(len(inp.source_ids))
    s_pos, d_pos, served = inp.source_node, inp.district_node, inp.served_mw
    for j, w in enumerate(inp.weights_h):
        through, own_share = _own_shares(inp, j)
        local += own_share * served[s_pos, j] * w
        if n_k == 0:
            continue
        x, k_loss = _period_mix(inp, com, j, through, own_share)
        delivered += x[d_pos] * served[d_pos, j][:, None] * w
        lost += k_loss * w
    return delivered, lost, local


def _paths_table(
    inp: _TraceInputs,
    com: _Commodities,
    delivered: np.ndarray,
    lost: np.ndarray,
    local: np.ndarray,
) -> pd.DataFrame:
    """The totals of :func:`_season_totals` as the rows :func:`trace_heat` returns, without
    rows below 1e-9 of all heat produced (solver noise)."""
    rows: list[tuple[str, str, str | None, str, float]] = []
    for k, (i, corridor) in enumerate(com.keys):
        for di, d in enumerate(inp.districts):
            rows.append((inp.source_ids[i], corridor, d, "delivered", float(delivered[di, k])))
        rows.append((inp.source_ids[i], corridor, None, "loss", float(lost[k])))
    district_set = set(inp.districts)
    for i, s in enumerate(inp.source_ids):
        node = inp.node_ids[inp.source_node[i]]
        if node in district_set:
            rows.append((s, LOCAL_CORRIDOR, node, "delivered", float(local[i])))
    value_col = inp.value_col
    out = pd.DataFrame(rows, columns=["source", "corridor", "district", "kind", value_col])
    scale = max(float(np.abs(inp.heat_mw).sum()), 1.0)
    return out.loc[out[value_col] > 1e-9 * scale].reset_index(drop=True)


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
    exactly (the mix at every node is one linear system, :func:`_period_mix`).

    Returns one row per (source, corridor, district or loss): ``source``, ``corridor``,
    ``district`` (demand node id; None for losses), ``kind`` (``delivered`` or ``loss``) and
    ``heat_mwh`` [MWh] for the season, or ``heat_mw`` [MW] at ``period`` (a label or
    ``"peak"``). Per source the rows add up to the source's heat; the loss rows add up to the
    pipes' losses; the delivered rows of a district add up to its demand less its unserved
    heat.
    """
    inp = _trace_inputs(run, period=period, corridor_column=corridor_column)
    com = _commodities(inp)
    delivered, lost, local = _season_totals(inp, com)
    return _paths_table(inp, com, delivered, lost, local)


# --- security of supply: which kept or built elements can reach the short districts ----------

SECURITY_AT_MINIMUM = 1e-6
"""A district whose served share is within this of its case's minimum share is at the minimum
(the tolerance of :data:`heatnet.security.BINDING_TOLERANCE`) [-]."""
PIPES_IN_SERVICE: tuple[str, ...] = ("existing", "built", "forced_built")
"""Pipe decisions that carry heat in a plan."""
SOURCES_IN_SERVICE: tuple[str, ...] = ("existing", "kept", "forced_kept", "built", "forced_built")
"""Source decisions that produce heat in a plan."""
PLAN_SOURCES: tuple[str, ...] = ("kept", "forced_kept", "built", "forced_built")
"""Sources a plan keeps or builds (listed as a binding case's elements)."""
PLAN_PIPES: tuple[str, ...] = ("built", "forced_built")
"""Pipes a plan builds (listed as a binding case's elements)."""
SECURITY_NEED_COLUMNS = ("contingency", "node", "kind", "element", "decision", "capacity_mw")
"""Columns of :func:`security_needs`."""


def security_short(run: RunResults) -> pd.DataFrame:
    """The districts at their case's minimum share in the binding cases of a run.

    Reads ``summary["security"]["binding"]`` and the ``security`` table; returns its rows
    (same columns) of the binding cases (the intact plan too, when its rule binds) where
    the district has design demand and ``served_share <= min_share +``
    :data:`SECURITY_AT_MINIMUM` (and heat is unserved, when the minimum is 100 %). Empty
    without a security table.
    """
    table = run.tables.get("security")
    block = run.summary.get("security") or {}
    if table is None or table.empty:
        return pd.DataFrame(columns=table.columns if table is not None else None)
    binding = {str(b) for b in block.get("binding") or []}
    t = table.assign(contingency=table["contingency"].astype(str), node=table["node"].astype(str))
    at_min = (
        t["contingency"].isin(binding)
        & (t["design_demand_mw"] > 0)
        & (t["served_share"] <= t["min_share"] + SECURITY_AT_MINIMUM)
        & ((t["min_share"] < 1.0) | (t["unserved_mw"] > SECURITY_AT_MINIMUM))
    )
    return t.loc[at_min].reset_index(drop=True)


def _decisions(run: RunResults, key: str) -> dict[str, str]:
    """Decision by id of the run's ``sources`` or ``pipes`` table (the network's statuses
    read as decisions where the run has no such table)."""
    table = run.tables.get(key)
    if table is not None and "decision" in table.columns:
        return {str(i): str(d) for i, d in table["decision"].items()}
    net = getattr(run.network, key)
    return {str(i): DECISION_BY_STATUS.get(str(s), str(s)) for i, s in net["status"].items()}


def security_needs(run: RunResults) -> pd.DataFrame:
    """For every district at the minimum in a binding case (:func:`security_short`), the
    plan's kept or built elements that can still get heat to it in that case.

    No solver: the lists come from the result tables and the network's graph alone. For case
    c and short district n, the graph has every pipe in service in the plan
    (:data:`PIPES_IN_SERVICE`) but c, each in its direction (both for bidirectional pipes),
    and every source in service (:data:`SOURCES_IN_SERVICE`) but c. Listed are

    * the sources the plan keeps or builds (:data:`PLAN_SOURCES`) at n or at a node from
      which a path leads to n, and
    * the pipes the plan builds (:data:`PLAN_PIPES`) that can carry heat from a source in
      service elsewhere towards n: their start is reachable from a node with such a source
      without passing n, and their end is n or leads to n.

    These are the plan's own decisions that can serve n when c fails: what the security rule
    can lean on in that case. It is a list of what *can* deliver, not a proof that each one
    is needed (the design-hour dispatch is not in the tables); existing elements, which no
    decision keeps, are not listed.

    Returns one row per (case, district, element): ``contingency``, ``node``, ``kind``
    (``source`` or ``pipe``), ``element`` (id), ``decision``, ``capacity_mw`` (the element's
    capacity in the network [MW]), in the security table's order of cases and districts, then
    sources before pipes in file order.
    """
    import networkx as nx

    short = security_short(run)
    if short.empty:
        return pd.DataFrame(columns=list(SECURITY_NEED_COLUMNS))
    net = run.network
    src_dec, pipe_dec = _decisions(run, "sources"), _decisions(run, "pipes")
    sources, pipes = net.sources, net.pipes
    rows: list[tuple[str, str, str, str, str, float]] = []
    for (case, kind), group in short.groupby(["contingency", "kind"], sort=False):
        out = str(case) if kind in ("pipe", "source") else None
        graph = nx.DiGraph()
        graph.add_nodes_from(str(n) for n in net.nodes.index)
        arcs: dict[str, list[tuple[str, str]]] = {}
        for pid, p in pipes.iterrows():
            if pipe_dec.get(str(pid)) not in PIPES_IN_SERVICE or (kind == "pipe" and pid == out):
                continue
            a, b = str(p["from_node"]), str(p["to_node"])
            arcs[str(pid)] = [(a, b), (b, a)] if bool(p.get("bidirectional", False)) else [(a, b)]
            graph.add_edges_from(arcs[str(pid)])
        live = [
            (str(sid), str(s["node"]))
            for sid, s in sources.iterrows()
            if src_dec.get(str(sid)) in SOURCES_IN_SERVICE and not (kind == "source" and sid == out)
        ]
        for node in group["node"]:
            upstream = {node} | (nx.ancestors(graph, node) if node in graph else set())
            elsewhere = graph.subgraph(n for n in graph if n != node)
            fed: set[str] = set()
            for _, at in live:
                if at != node and at not in fed:
                    fed |= {at} | nx.descendants(elsewhere, at)
            for sid, at in live:
                if src_dec[sid] in PLAN_SOURCES and at in upstream:
                    cap = float(sources.at[sid, "capacity_mw"])
                    rows.append((str(case), node, "source", sid, src_dec[sid], cap))
            for pid, pairs in arcs.items():
                if pipe_dec[pid] in PLAN_PIPES and any(
                    a in fed and b in upstream for a, b in pairs
                ):
                    cap = float(pipes.at[pid, "capacity_mw"])
                    rows.append((str(case), node, "pipe", pid, pipe_dec[pid], cap))
    return pd.DataFrame(rows, columns=list(SECURITY_NEED_COLUMNS))
