"""An independent reference for the MILP of spec v1 §2 (spec/network-format.md).

Written from the spec alone, not from :mod:`heatnet.model`: it takes the plain rows that
``tests.helpers.write_network`` writes (missing or empty cells take the spec's defaults),
enumerates every assignment of the binaries k (keep retirable source), b (build candidate
source) and y (build candidate pipe), solves the LP that remains with
``scipy.optimize.linprog(method="highs")`` and adds the annual costs that depend only on the
binaries. The minimum over all assignments is the MILP optimum. Only for tiny networks:
the enumeration is 2^(number of binaries).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

Row = Mapping[str, Any]

SPEC_ECONOMICS = {
    "discount_rate": 0.06,
    "carbon_price_cny_per_t": 0.0,
    "co2_cap_t": None,
    "unserved_heat_cost_cny_per_mwh": 20000.0,
    "retirement_annualisation_years": 20.0,
}
TRUE_WORDS = ("true", "1", "yes")


def annuity(r: float, n: float) -> float:
    """a(r, n) = r / (1 - (1 + r)^-n), and 1/n when r = 0."""
    return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** -n)


def _num(row: Row, key: str, default: float) -> float:
    value = row.get(key)
    return default if value is None or value == "" else float(value)


@dataclass
class Reference:
    """The optimum: total annual cost [CNY], its binaries {id: 0/1} and emissions [t], and the
    total of every assignment (bits in the order of ``assignment``)."""

    total_cny: float
    assignment: dict[str, int]
    co2_t: float
    totals: dict[tuple[int, ...], float]


def reference_optimum(
    *,
    nodes: Sequence[Row],
    sources: Sequence[Row],
    pipes: Sequence[Row],
    demands: Sequence[Row],
    profiles: Sequence[Row],
    economics: Mapping[str, Any] | None = None,
    **_: Any,
) -> Reference:
    """Enumerate the binaries, solve each LP, return the cheapest plan."""
    econ = {**SPEC_ECONOMICS, **(economics or {})}
    r = float(econ["discount_rate"])
    carbon = float(econ["carbon_price_cny_per_t"])
    voll = float(econ["unserved_heat_cost_cny_per_mwh"])
    a_ret = annuity(r, float(econ["retirement_annualisation_years"]))
    w = np.array([float(p["weight_h"]) for p in profiles])
    T = len(w)

    def column(name: str) -> np.ndarray:
        return np.array([float(p[name]) for p in profiles])

    at = {str(n["id"]): i for i, n in enumerate(nodes)}
    N, S, P = len(nodes), len(sources), len(pipes)
    D = np.zeros((N, T))  # demand per node and period [MW]
    for d in demands:
        D[at[d["node"]]] += float(d["design_load_mw"]) * column(d["profile"])
    dem_nodes = list(dict.fromkeys(at[d["node"]] for d in demands))  # u only where demand is
    M = len(dem_nodes)

    # columns: g (S x T), f+ (P x T), f- (P x T), u (M x T); g[s, t] is a column index
    n_var = (S + 2 * P + M) * T
    blocks = np.split(np.arange(n_var), np.cumsum([S * T, P * T, P * T]))
    g, fp, fm, u = (block.reshape(-1, T) for block in blocks)
    c = np.zeros(n_var)
    A_eq, b_eq = np.zeros((N * T, n_var)), D.reshape(-1)  # heat balance, row n * T + t
    A_pipe = np.zeros((P * T, n_var))  # f+ + f- <= capacity * (1 or y), row p * T + t
    A_co2 = np.zeros((1, n_var))
    g_cap = np.zeros((S, T))
    for s, src in enumerate(sources):
        avail = column(src["availability"]) if src.get("availability") else np.ones(T)
        g_cap[s] = float(src["capacity_mw"]) * avail
        co2 = _num(src, "co2_t_per_mwh", 0.0)
        unit = _num(src, "variable_cost_cny_per_mwh", 0.0) + carbon * co2
        for t in range(T):
            c[g[s, t]] = w[t] * unit
            A_eq[at[src["node"]] * T + t, g[s, t]] = 1.0
            A_co2[0, g[s, t]] = w[t] * co2
    one_way = set()
    for p, pipe in enumerate(pipes):
        a, b = at[pipe["from_node"]], at[pipe["to_node"]]
        eta = 1.0 - _num(pipe, "loss_fraction_per_km", 0.0) * float(pipe["length_km"])
        pump = _num(pipe, "pumping_cost_cny_per_mwh", 0.0)
        if (
            pipe.get("bidirectional") not in (None, "")
            and str(pipe["bidirectional"]).lower() not in TRUE_WORDS
        ):
            one_way.add(p)
        for t in range(T):
            c[fp[p, t]] = c[fm[p, t]] = w[t] * pump
            A_eq[b * T + t, fp[p, t]] += eta
            A_eq[a * T + t, fp[p, t]] -= 1.0
            A_eq[a * T + t, fm[p, t]] += eta
            A_eq[b * T + t, fm[p, t]] -= 1.0
            A_pipe[p * T + t, [fp[p, t], fm[p, t]]] = 1.0
    for m, n in enumerate(dem_nodes):
        for t in range(T):
            c[u[m, t]] = w[t] * voll
            A_eq[n * T + t, u[m, t]] = 1.0
    A_ub, cap = A_pipe, econ["co2_cap_t"]
    if cap is not None:
        A_ub = np.vstack([A_pipe, A_co2])

    retirable = [s for s, x in enumerate(sources) if x["status"] == "retirable"]
    cand_src = [s for s, x in enumerate(sources) if x["status"] == "candidate"]
    cand_pipe = [p for p, x in enumerate(pipes) if x["status"] == "candidate"]
    keys = [("source", s) for s in retirable + cand_src] + [("pipe", p) for p in cand_pipe]
    totals: dict[tuple[int, ...], float] = {}
    co2_t: dict[tuple[int, ...], float] = {}
    for bits in itertools.product((0, 1), repeat=len(keys)):
        on = dict(zip(keys, bits, strict=True))
        annual = 0.0  # costs that depend only on the binaries [CNY/year]
        upper = np.full(n_var, np.inf)
        for s, src in enumerate(sources):
            fixed = _num(src, "fixed_cost_cny_per_year", 0.0)
            x = on.get(("source", s), 1)
            if src["status"] == "retirable":
                annual += fixed * x + _num(src, "retirement_cost_cny", 0.0) * a_ret * (1 - x)
            elif src["status"] == "candidate":
                life = _num(src, "lifetime_years", 25.0)
                annual += (_num(src, "capex_cny", 0.0) * annuity(r, life) + fixed) * x
            else:
                annual += fixed
            upper[g[s]] = g_cap[s] * x
        pipe_cap = np.zeros(P * T)
        for p, pipe in enumerate(pipes):
            x = on.get(("pipe", p), 1)
            if pipe["status"] == "candidate":
                annual += (
                    _num(pipe, "capex_cny", 0.0)
                    * annuity(r, _num(pipe, "lifetime_years", 40.0))
                    * x
                )
            pipe_cap[p * T : (p + 1) * T] = float(pipe["capacity_mw"]) * x
            if p in one_way:
                upper[fm[p]] = 0.0
        b_ub = pipe_cap if cap is None else np.append(pipe_cap, float(cap))
        lp = linprog(
            c,
            A_ub=A_ub,
            b_ub=b_ub,
            A_eq=A_eq,
            b_eq=b_eq,
            bounds=list(zip(np.zeros(n_var), upper, strict=True)),
            method="highs",
        )
        assert lp.status == 0, lp.message  # u >= 0 at every demand node: always feasible
        totals[bits] = annual + float(lp.fun)
        co2_t[bits] = float(A_co2[0] @ lp.x)
    best = min(totals, key=totals.__getitem__)
    ids = [(sources if kind == "source" else pipes)[i]["id"] for kind, i in keys]
    return Reference(totals[best], dict(zip(ids, best, strict=True)), co2_t[best], totals)
