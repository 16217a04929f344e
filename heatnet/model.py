"""The retirement-and-routing MILP as a Pyomo model (spec v1 §2).

:func:`build_model` turns a :class:`~heatnet.network.Network` into a :class:`HeatModel`: the
Pyomo ``ConcreteModel`` plus the index arrays that map variables back to ids. It calls one
``add_*`` function per family, in a fixed order; each docstring states the equation, the symbols
and their units. Only this module knows the algebra; only :mod:`heatnet.solve` knows the solver.

Symbols (all per period t of weight w_t [h]):

====================  =====================================================  ============
symbol                meaning                                                unit
====================  =====================================================  ============
g[s,t]                heat from source s                                     MW
fp[p,t], fm[p,t]      heat entering pipe p at from_node (fp) / to_node (fm)  MW
u[n,t]                unserved heat at demand node n                         MW
k[s], b[s], y[p]      keep retirable s, build candidate s, build candidate p {0,1}
cap_s, cap_p          source / pipe capacity                                 MW
avail[s,t]            per-unit available capacity                            –
eta_p                 pipe efficiency 1 - loss_fraction_per_km * length_km   –
D[n,t]                demand at node n                                       MW
====================  =====================================================  ============

Costs enter the objective multiplied by ``cost_scale`` (CNY → internal units) so that HiGHS
sees well-scaled coefficients; :mod:`heatnet.solve` divides it out again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from heatnet.errors import Problem, raise_if_errors
from heatnet.network import Network, annuity_factor

ACTIVE = ("existing", "retirable", "candidate")
BINARY_KINDS = ("keep_source", "build_source", "build_pipe")


@dataclass
class HeatModel:
    """A built model and the arrays that give its variables meaning.

    Positions: source i ↔ ``source_ids[i]``, pipe j ↔ ``pipe_ids[j]``, demand node m ↔
    ``demand_nodes[m]``, period t ↔ ``net.profiles.iloc[t]``.
    """

    net: Network
    m: pyo.ConcreteModel
    source_ids: list[str]
    pipe_ids: list[str]
    demand_nodes: list[str]
    node_ids: list[str]
    cap_avail_mw: np.ndarray  # (S, T)
    demand_mw: np.ndarray  # (M, T)
    eta: np.ndarray  # (P,)
    bidirectional: np.ndarray  # (P,) bool
    retirable: list[int]  # source positions with k
    candidate_sources: list[int]  # source positions with b
    candidate_pipes: list[int]  # pipe positions with y
    unit_cost_cny_per_mwh: np.ndarray  # (S,) variable + carbon
    cost_scale: float
    constant_cny: float
    allow_unserved: bool
    fixed: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def n_periods(self) -> int:
        """Number of periods T."""
        return self.demand_mw.shape[1]


def _linear(coefs: list[float], variables: list[pyo.Var], constant: float = 0.0) -> LinearExpression:
    return LinearExpression(constant=constant, linear_coefs=coefs, linear_vars=variables)


def add_variables(hm: HeatModel) -> None:
    """Declare the variables, with simple bounds where the limit is a constant.

    g[s,t] in [0, cap_s avail_{s,t}] (the bound is the limit itself for existing sources);
    fp[p,t] in [0, cap_p]; fm[p,t] in [0, cap_p] for bidirectional p only;
    u[n,t] in [0, D[n,t]] at demand nodes (only if unserved heat is allowed);
    k, b, y binary, only for retirable sources, candidate sources and candidate pipes.
    Unserved heat above the demand can never lower the cost, so its bound loses nothing.
    """
    m = hm.m
    T = hm.n_periods
    S, P, M = len(hm.source_ids), len(hm.pipe_ids), len(hm.demand_nodes)
    cap = hm.cap_avail_mw
    m.T = pyo.RangeSet(0, T - 1)
    m.g = pyo.Var(range(S), m.T, within=pyo.NonNegativeReals,
                  bounds=lambda _, i, t: (0.0, float(cap[i, t])))
    pcap = hm.net.pipes.loc[hm.pipe_ids, "capacity_mw"].to_numpy(dtype=float)
    m.fp = pyo.Var(range(P), m.T, within=pyo.NonNegativeReals,
                   bounds=lambda _, j, t: (0.0, float(pcap[j])))
    bi = [j for j in range(P) if hm.bidirectional[j]]
    m.fm = pyo.Var(bi, m.T, within=pyo.NonNegativeReals,
                   bounds=lambda _, j, t: (0.0, float(pcap[j])))
    if hm.allow_unserved:
        dem = hm.demand_mw
        m.u = pyo.Var(range(M), m.T, within=pyo.NonNegativeReals,
                      bounds=lambda _, n, t: (0.0, float(dem[n, t])))
    m.k = pyo.Var(hm.retirable, within=pyo.Binary)
    m.b = pyo.Var(hm.candidate_sources, within=pyo.Binary)
    m.y = pyo.Var(hm.candidate_pipes, within=pyo.Binary)
    _fix_decisions(hm)


def _fix_decisions(hm: HeatModel) -> None:
    """Fix the binaries named in ``hm.fixed``; unknown (kind, id) pairs are input errors."""
    m = hm.m
    slots = {
        "keep_source": (m.k, {hm.source_ids[i]: i for i in hm.retirable}, "retirable source"),
        "build_source": (m.b, {hm.source_ids[i]: i for i in hm.candidate_sources},
                         "candidate source"),
        "build_pipe": (m.y, {hm.pipe_ids[j]: j for j in hm.candidate_pipes}, "candidate pipe"),
    }
    problems = []
    for (kind, ident), value in hm.fixed.items():
        if kind not in slots:
            problems.append(Problem(None, "unknown decision kind", column="fixed",
                                    expected="keep_source, build_source or build_pipe",
                                    found=repr(kind)))
            continue
        var, positions, what = slots[kind]
        if ident not in positions:
            problems.append(Problem(None, f"not a {what}", id=str(ident), column=kind,
                                    expected=f"the id of a {what}", found=repr(ident)))
            continue
        if value not in (0, 1):
            problems.append(Problem(None, "decision must be 0 or 1", id=str(ident),
                                    column=kind, expected="0 or 1", found=repr(value)))
            continue
        var[positions[ident]].fix(float(value))
    raise_if_errors(problems, context="cannot fix decisions")


def add_source_limits(hm: HeatModel) -> None:
    """Source limit for sources with an on/off decision.

        g[s,t] <= cap_s * avail[s,t] * k_s        (retirable s)
        g[s,t] <= cap_s * avail[s,t] * b_s        (candidate s)        [MW]

    Existing sources are limited by the bound on g alone.
    """
    m = hm.m
    cap = hm.cap_avail_mw
    rows = [(i, m.k[i]) for i in hm.retirable] + [(i, m.b[i]) for i in hm.candidate_sources]
    index = [(i, t) for i, _ in rows for t in range(hm.n_periods)]
    switch = dict(rows)
    m.source_limit = pyo.Constraint(
        index,
        rule=lambda _, i, t: _linear([1.0, -float(cap[i, t])], [m.g[i, t], switch[i]]) <= 0,
    )


def add_pipe_limits(hm: HeatModel) -> None:
    """Pipe limit on the heat entering a pipe, shared by both directions.

        fp[p,t] + fm[p,t] <= cap_p * (1 or y_p)        [MW]

    For a one-way existing pipe the bound on fp is the limit, so no row is added.
    """
    m = hm.m
    pcap = hm.net.pipes.loc[hm.pipe_ids, "capacity_mw"].to_numpy(dtype=float)
    cand = set(hm.candidate_pipes)
    rows = [j for j in range(len(hm.pipe_ids)) if hm.bidirectional[j] or j in cand]
    T = hm.n_periods

    def rule(_: pyo.ConcreteModel, j: int, t: int) -> object:
        coefs = [1.0]
        variables = [m.fp[j, t]]
        if hm.bidirectional[j]:
            coefs.append(1.0)
            variables.append(m.fm[j, t])
        if j in cand:
            coefs.append(-float(pcap[j]))
            variables.append(m.y[j])
            return _linear(coefs, variables) <= 0
        return _linear(coefs, variables) <= float(pcap[j])

    m.pipe_limit = pyo.Constraint([(j, t) for j in rows for t in range(T)], rule=rule)


def add_heat_balance(hm: HeatModel) -> None:
    """Heat balance at every node n and period t [MW]:

        sum_{s at n} g[s,t]
        + sum_{p into n} eta_p fp[p,t] + sum_{p out of n} eta_p fm[p,t]
        - sum_{p out of n} fp[p,t] - sum_{p into n} fm[p,t]
        + u[n,t] = D[n,t]

    Nodes where no variable appears and nothing is demanded get no row.
    """
    m = hm.m
    net = hm.net
    node_pos = {n: i for i, n in enumerate(hm.node_ids)}
    terms: list[list[tuple[str, int, float]]] = [[] for _ in hm.node_ids]
    for i, sid in enumerate(hm.source_ids):
        terms[node_pos[net.sources.at[sid, "node"]]].append(("g", i, 1.0))
    pipes = net.pipes.loc[hm.pipe_ids]
    for j, (a, b) in enumerate(zip(pipes["from_node"], pipes["to_node"], strict=True)):
        eta = float(hm.eta[j])
        terms[node_pos[b]].append(("fp", j, eta))
        terms[node_pos[a]].append(("fp", j, -1.0))
        if hm.bidirectional[j]:
            terms[node_pos[a]].append(("fm", j, eta))
            terms[node_pos[b]].append(("fm", j, -1.0))
    demand = np.zeros((len(hm.node_ids), hm.n_periods))
    dem_pos = {}
    for mi, n in enumerate(hm.demand_nodes):
        demand[node_pos[n]] = hm.demand_mw[mi]
        dem_pos[node_pos[n]] = mi
        if hm.allow_unserved:
            terms[node_pos[n]].append(("u", mi, 1.0))
    comps = {"g": m.g, "fp": m.fp, "fm": m.fm}
    if hm.allow_unserved:
        comps["u"] = m.u
    rows = [n for n in range(len(hm.node_ids)) if terms[n] or demand[n].any()]
    m.balance_nodes = rows

    def rule(_: pyo.ConcreteModel, n: int, t: int) -> object:
        tn = terms[n]
        if not tn:
            return pyo.Constraint.Infeasible if demand[n, t] > 0 else pyo.Constraint.Skip
        expr = _linear([c for _, _, c in tn], [comps[k][i, t] for k, i, _ in tn])
        return expr == float(demand[n, t])

    m.balance = pyo.Constraint([(n, t) for n in rows for t in range(hm.n_periods)], rule=rule)


def add_emission_cap(hm: HeatModel) -> None:
    """Season emissions within the cap (if one is set) [tCO2]:

        E = sum_t w_t sum_s co2_s g[s,t] <= co2_cap_t

    The row is written in kilotonnes (both sides / 1000) to keep its numbers moderate.
    """
    cap = hm.net.economics.co2_cap_t
    if cap is None:
        return
    m = hm.m
    co2 = hm.net.sources.loc[hm.source_ids, "co2_t_per_mwh"].to_numpy(dtype=float)
    w = hm.net.weights_h
    coefs, variables = [], []
    for i in np.flatnonzero(co2 > 0):
        for t in range(hm.n_periods):
            coefs.append(float(w[t] * co2[i] / 1000.0))
            variables.append(m.g[int(i), t])
    m.co2_cap = pyo.Constraint(expr=_linear(coefs, variables) <= cap / 1000.0)


def annual_fixed_costs(hm: HeatModel) -> dict[str, object]:
    """One-off and fixed costs per year [CNY/year], as coefficients on the decisions:

        sum_{candidate s} (capex_s a(r, life_s) + fixed_s) b_s
        + sum_{candidate p} capex_p a(r, life_p) y_p
        + sum_{existing s} fixed_s
        + sum_{retirable s} [fixed_s k_s + retire_s a(r, n_ret) (1 - k_s)]
        + sum_{retired s} retire_s a(r, n_ret)

    Returns ``constant`` (CNY/year) and coefficient arrays ``keep``, ``build_source``,
    ``build_pipe`` aligned with ``hm.retirable``, ``hm.candidate_sources``,
    ``hm.candidate_pipes``.
    """
    net = hm.net
    econ = net.economics
    r = econ.discount_rate
    a_ret = annuity_factor(r, econ.retirement_annualisation_years)
    s = net.sources
    constant = float(s.loc[s["status"] == "existing", "fixed_cost_cny_per_year"].sum())
    retired = s["status"] == "retired"
    constant += float((s.loc[retired, "retirement_cost_cny"] * a_ret).sum())
    keep = []
    for i in hm.retirable:
        row = s.loc[hm.source_ids[i]]
        ret = row["retirement_cost_cny"] * a_ret
        constant += ret
        keep.append(row["fixed_cost_cny_per_year"] - ret)
    build_source = []
    for i in hm.candidate_sources:
        row = s.loc[hm.source_ids[i]]
        build_source.append(row["capex_cny"] * annuity_factor(r, row["lifetime_years"])
                            + row["fixed_cost_cny_per_year"])
    p = net.pipes
    build_pipe = [
        p.at[hm.pipe_ids[j], "capex_cny"] * annuity_factor(r, p.at[hm.pipe_ids[j], "lifetime_years"])
        for j in hm.candidate_pipes
    ]
    return {"constant": constant, "keep": np.array(keep, dtype=float),
            "build_source": np.array(build_source, dtype=float),
            "build_pipe": np.array(build_pipe, dtype=float)}


def add_unserved_cap(hm: HeatModel, max_unserved_mwh: float | None) -> None:
    """Optional cap on the season's unserved heat [MWh]:

        sum_t w_t sum_n u[n,t] <= max_unserved_mwh

    Used with the emission objective, where leaving heat unserved would otherwise be the
    cheapest way to emit nothing.
    """
    if max_unserved_mwh is None or not hm.allow_unserved:
        return
    m = hm.m
    w = hm.net.weights_h
    coefs, variables = [], []
    for n in range(len(hm.demand_nodes)):
        for t in range(hm.n_periods):
            coefs.append(float(w[t]))
            variables.append(m.u[n, t])
    m.unserved_cap = pyo.Constraint(expr=_linear(coefs, variables) <= float(max_unserved_mwh))


def add_emission_objective(hm: HeatModel) -> None:
    """Minimise season emissions [ktCO2] instead of cost:

        min E / 1000 = sum_t w_t sum_s co2_s g[s,t] / 1000

    ``cost_scale`` is set to 1e-3 so that the solver's objective divided by it reads in tCO2.
    """
    m = hm.m
    hm.cost_scale = 1e-3
    hm.constant_cny = 0.0
    co2 = hm.net.sources.loc[hm.source_ids, "co2_t_per_mwh"].to_numpy(dtype=float)
    w = hm.net.weights_h
    coefs, variables = [], []
    for i in np.flatnonzero(co2 > 0):
        for t in range(hm.n_periods):
            coefs.append(float(w[t] * co2[i] / 1000.0))
            variables.append(m.g[int(i), t])
    m.cost = pyo.Objective(expr=_linear(coefs, variables), sense=pyo.minimize)


def add_objective(hm: HeatModel) -> None:
    """Minimise the annual cost [CNY/year] (× ``cost_scale`` internally):

        fixed and one-off costs (see :func:`annual_fixed_costs`)
        + sum_t w_t [ sum_s (vc_s + carbon_price co2_s) g[s,t]
                      + sum_p pump_p (fp[p,t] + fm[p,t])
                      + VoLL sum_n u[n,t] ]

    vc [CNY/MWh], carbon_price [CNY/t], co2 [t/MWh], pump [CNY/MWh], VoLL =
    unserved_heat_cost_cny_per_mwh [CNY/MWh], w_t [h].
    """
    m = hm.m
    sc = hm.cost_scale
    w = hm.net.weights_h
    fixed = annual_fixed_costs(hm)
    hm.constant_cny = float(fixed["constant"])
    coefs: list[float] = []
    variables: list[object] = []

    def add(c: float, v: object) -> None:
        if c != 0.0:
            coefs.append(c * sc)
            variables.append(v)

    for i, c in zip(hm.retirable, fixed["keep"], strict=True):
        add(float(c), m.k[i])
    for i, c in zip(hm.candidate_sources, fixed["build_source"], strict=True):
        add(float(c), m.b[i])
    for j, c in zip(hm.candidate_pipes, fixed["build_pipe"], strict=True):
        add(float(c), m.y[j])
    uc = hm.unit_cost_cny_per_mwh
    for i in range(len(hm.source_ids)):
        if uc[i] != 0:
            for t in range(hm.n_periods):
                add(float(w[t] * uc[i]), m.g[i, t])
    pump = hm.net.pipes.loc[hm.pipe_ids, "pumping_cost_cny_per_mwh"].to_numpy(dtype=float)
    for j in np.flatnonzero(pump > 0):
        for t in range(hm.n_periods):
            add(float(w[t] * pump[j]), m.fp[int(j), t])
            if hm.bidirectional[j]:
                add(float(w[t] * pump[j]), m.fm[int(j), t])
    if hm.allow_unserved:
        voll = hm.net.economics.unserved_heat_cost_cny_per_mwh
        for n in range(len(hm.demand_nodes)):
            for t in range(hm.n_periods):
                if hm.demand_mw[n, t] > 0:
                    add(float(w[t] * voll), m.u[n, t])
    m.cost = pyo.Objective(expr=_linear(coefs, variables, hm.constant_cny * sc),
                           sense=pyo.minimize)


def _cost_scale(net: Network) -> float:
    """Power of ten that brings the largest per-period cost coefficient near 1e3."""
    econ = net.economics
    s = net.sources
    unit = (s["variable_cost_cny_per_mwh"] + econ.carbon_price_cny_per_t * s["co2_t_per_mwh"])
    biggest = max(float(unit.abs().max()) if len(s) else 0.0,
                  econ.unserved_heat_cost_cny_per_mwh, 1.0)
    biggest *= float(net.weights_h.max()) if net.n_periods else 1.0
    return float(10.0 ** -max(0, round(np.log10(biggest)) - 3))


def build_model(
    net: Network,
    *,
    allow_unserved: bool = True,
    fixed: Mapping[tuple[str, str], float] | None = None,
    objective: Literal["cost", "co2"] = "cost",
    max_unserved_mwh: float | None = None,
) -> HeatModel:
    """Build the MILP for ``net``.

    Args:
        net: a validated network.
        allow_unserved: add unserved-heat variables u (priced); without them a network short
            of heat is infeasible.
        fixed: decisions to fix, ``{(kind, id): 0 or 1}`` with kind one of
            ``keep_source``, ``build_source``, ``build_pipe``.
        objective: ``cost`` (the annual cost, spec §2) or ``co2`` (season emissions, for the
            minimum-emission end of a cost–CO2 front).
        max_unserved_mwh: optional cap on the season's unserved heat [MWh].
    """
    s = net.sources[net.sources["status"].isin(ACTIVE)]
    pipes = net.pipes[net.pipes["status"] != "unavailable"]
    source_ids = [str(i) for i in s.index]
    pipe_ids = [str(i) for i in pipes.index]
    avail = net.availability()[source_ids].to_numpy(dtype=float).T
    cap_avail = avail * s["capacity_mw"].to_numpy(dtype=float)[:, None]
    dem = net.demand_mw()
    econ = net.economics
    unit_cost = (s["variable_cost_cny_per_mwh"]
                 + econ.carbon_price_cny_per_t * s["co2_t_per_mwh"]).to_numpy(dtype=float)
    hm = HeatModel(
        net=net,
        m=pyo.ConcreteModel(name=net.name),
        source_ids=source_ids,
        pipe_ids=pipe_ids,
        demand_nodes=[str(c) for c in dem.columns],
        node_ids=[str(n) for n in net.nodes.index],
        cap_avail_mw=cap_avail,
        demand_mw=dem.to_numpy(dtype=float).T,
        eta=(1.0 - pipes["loss_fraction_per_km"] * pipes["length_km"]).to_numpy(dtype=float),
        bidirectional=pipes["bidirectional"].to_numpy(dtype=bool),
        retirable=[i for i, st in enumerate(s["status"]) if st == "retirable"],
        candidate_sources=[i for i, st in enumerate(s["status"]) if st == "candidate"],
        candidate_pipes=[j for j, st in enumerate(pipes["status"]) if st == "candidate"],
        unit_cost_cny_per_mwh=unit_cost,
        cost_scale=_cost_scale(net),
        constant_cny=0.0,
        allow_unserved=allow_unserved,
        fixed=dict(fixed or {}),
    )
    add_variables(hm)
    add_source_limits(hm)
    add_pipe_limits(hm)
    add_heat_balance(hm)
    add_emission_cap(hm)
    add_unserved_cap(hm, max_unserved_mwh)
    if objective == "co2":
        add_emission_objective(hm)
    else:
        add_objective(hm)
    return hm


def decisions_frame(hm: HeatModel) -> pd.DataFrame:
    """The binary decisions of a model: ``kind``, ``id``, position (for mapping solutions)."""
    rows = [("keep_source", hm.source_ids[i], i) for i in hm.retirable]
    rows += [("build_source", hm.source_ids[i], i) for i in hm.candidate_sources]
    rows += [("build_pipe", hm.pipe_ids[j], j) for j in hm.candidate_pipes]
    return pd.DataFrame(rows, columns=["kind", "id", "position"])
