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
    security: Mapping[str, Any] | None = None,
    constraints: Mapping[str, Any] | None = None,
    **_: Any,
) -> Reference:
    """Enumerate the binaries, solve each LP, return the cheapest plan.

    With ``security`` (spec v1.1 §3: served_share, intact_share, design_factor and a list of
    contingency ids), an assignment is allowed only if, at the design period (largest total
    demand, the first on ties), the intact plan and every single outage can each be
    dispatched with no more than (1 − share) of each demand node's design demand unserved
    (:func:`passes_security`); a plan that fails costs ``inf``.

    With ``constraints`` (spec v1.1 §5): an assignment that breaks the capital budget (one-off
    capex of the candidates built), a retire-together group (not all equal) or an
    at-most-one-of group (more than one built) costs ``inf``; each minimum heat share is one
    more row of the LP, Σ_t w_t Σ_{s of tech} g ≥ share Σ_t w_t Σ_s g, and an assignment
    whose LP it makes infeasible costs ``inf``."""
    rules = constraints or {}
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
    shares = list((rules.get("min_heat_share") or {}).items())
    for tech, share in shares:  # -(tech heat - share * all heat) <= 0, in MWh
        row = np.zeros((1, n_var))
        for s, src in enumerate(sources):
            row[0, g[s]] = -w * ((src["technology"] == tech) - float(share))
        A_ub = np.vstack([A_ub, row])
    by_id = {str(x["id"]): ("source", i) for i, x in enumerate(sources)}
    by_id |= {str(x["id"]): ("pipe", i) for i, x in enumerate(pipes)}

    retirable = [s for s, x in enumerate(sources) if x["status"] == "retirable"]
    cand_src = [s for s, x in enumerate(sources) if x["status"] == "candidate"]
    cand_pipe = [p for p, x in enumerate(pipes) if x["status"] == "candidate"]
    keys = [("source", s) for s in retirable + cand_src] + [("pipe", p) for p in cand_pipe]
    totals: dict[tuple[int, ...], float] = {}
    co2_t: dict[tuple[int, ...], float] = {}
    for bits in itertools.product((0, 1), repeat=len(keys)):
        on = dict(zip(keys, bits, strict=True))
        if not _meets_rules(rules, on, by_id, sources, pipes):
            totals[bits], co2_t[bits] = float("inf"), float("nan")
            continue
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
        b_ub = np.append(b_ub, np.zeros(len(shares)))
        lp = linprog(
            c,
            A_ub=A_ub,
            b_ub=b_ub,
            A_eq=A_eq,
            b_eq=b_eq,
            bounds=list(zip(np.zeros(n_var), upper, strict=True)),
            method="highs",
        )
        if shares and lp.status == 2:  # a share no dispatch of this plan can reach
            totals[bits], co2_t[bits] = float("inf"), float("nan")
            continue
        assert lp.status == 0, lp.message  # u >= 0 at every demand node: always feasible
        totals[bits] = annual + float(lp.fun)
        co2_t[bits] = float(A_co2[0] @ lp.x)
        if security and not passes_security(
            security, sources, pipes, at, D, dem_nodes, g_cap, one_way, on
        ):
            totals[bits] = float("inf")
    best = min(totals, key=totals.__getitem__)
    if not np.isfinite(totals[best]):
        return Reference(float("inf"), {}, float("nan"), totals)
    ids = [(sources if kind == "source" else pipes)[i]["id"] for kind, i in keys]
    return Reference(totals[best], dict(zip(ids, best, strict=True)), co2_t[best], totals)


def passes_security(
    security: Mapping[str, Any],
    sources: Sequence[Row],
    pipes: Sequence[Row],
    at: Mapping[str, int],
    D: np.ndarray,
    dem_nodes: Sequence[int],
    g_cap: np.ndarray,
    one_way: set[int],
    on: Mapping[tuple[str, int], int],
) -> bool:
    """Spec v1.1 §3 for one assignment ``on`` of the binaries: for the intact case and each
    contingency, is there a design-hour dispatch (sources within capacity × availability if
    in service and not out; pipes within capacity if built and not out; lossy flows; heat
    balance at every node) leaving at most (1 − share) D*_n unserved at each demand node?
    Solved as one feasibility LP per case with scipy."""
    share = float(security["served_share"])
    intact = float(security.get("intact_share", 1.0))
    factor = float(security.get("design_factor", 1.0))
    t_star = int(np.argmax(D.sum(axis=0)))
    d_star = factor * D[:, t_star]
    N, S, P = D.shape[0], len(sources), len(pipes)
    cases: list[tuple[str | None, float]] = [(None, intact)]
    cases += [(str(c), share) for c in security["contingencies"]]
    for out, need in cases:
        # columns: g (S), f+ (P), f- (P), u (len(dem_nodes))
        n = S + 2 * P + len(dem_nodes)
        A = np.zeros((N, n))
        upper = np.zeros(n)
        for s, src in enumerate(sources):
            live = src["status"] in ("existing", "retirable", "candidate")
            x = on.get(("source", s), 1) if live else 0
            upper[s] = 0.0 if str(src["id"]) == out else g_cap[s, t_star] * x
            A[at[src["node"]], s] += 1.0
        A_ub = np.zeros((P, n))
        for p, pipe in enumerate(pipes):
            a, b = at[pipe["from_node"]], at[pipe["to_node"]]
            eta = 1.0 - _num(pipe, "loss_fraction_per_km", 0.0) * float(pipe["length_km"])
            x = on.get(("pipe", p), 1) if pipe["status"] != "unavailable" else 0
            cap = 0.0 if str(pipe["id"]) == out else float(pipe["capacity_mw"]) * x
            fp, fm = S + p, S + P + p
            A[b, fp] += eta
            A[a, fp] -= 1.0
            A[a, fm] += eta
            A[b, fm] -= 1.0
            A_ub[p, [fp, fm]] = 1.0
            upper[fp] = cap
            upper[fm] = 0.0 if p in one_way else cap
        b_ub = np.array([upper[S + p] for p in range(P)])
        for m, node in enumerate(dem_nodes):
            A[node, S + 2 * P + m] = 1.0
            upper[S + 2 * P + m] = max(0.0, (1.0 - need) * d_star[node])
        lp = linprog(
            np.zeros(n),
            A_ub=A_ub if P else None,
            b_ub=b_ub if P else None,
            A_eq=A,
            b_eq=d_star,
            bounds=list(zip(np.zeros(n), upper, strict=True)),
            method="highs",
        )
        if lp.status != 0:
            return False
    return True


def _meets_rules(
    rules: Mapping[str, Any],
    on: Mapping[tuple[str, int], int],
    by_id: Mapping[str, tuple[str, int]],
    sources: Sequence[Row],
    pipes: Sequence[Row],
) -> bool:
    """The capital budget, retire-together and at-most-one-of rules for one assignment."""

    def x(ident: str) -> int:
        return on.get(by_id[ident], 1)

    budget = rules.get("capex_budget_cny")
    if budget is not None:
        spent = sum(
            _num(row, "capex_cny", 0.0) * on.get((kind, i), 0)
            for kind, rows in (("source", sources), ("pipe", pipes))
            for i, row in enumerate(rows)
            if row["status"] == "candidate"
        )
        if spent > float(budget) * (1 + 1e-9):
            return False
    for group in rules.get("retire_together") or []:
        if len({x(i) for i in group}) > 1:
            return False
    return all(sum(x(i) for i in group) <= 1 for group in rules.get("at_most_one_of") or [])


def _interpolate(points: Mapping[int, float] | float | None, year: int, default: float) -> float:
    """Spec v1.1 §4: linear between the years named, flat outside; a number: every year."""
    if points is None:
        return default
    if not isinstance(points, Mapping):
        return float(points)
    years = sorted(points)
    return float(np.interp(year, years, [float(points[y]) for y in years]))


def reference_pathway(spec: Mapping[str, Any], pathway: Mapping[str, Any]) -> float:
    """The pathway optimum of spec v1.1 §4 [CNY], written from the spec alone.

    Every season y is the §2 model of ``spec`` with its design loads × demand_scale_y, its
    carbon price and cap (no cap before the first year ``co2_cap_t`` names), and an
    existing source or pipe whose ``earliest_year`` is later than y left out (a candidate
    that is not built: no cost, no capacity). :func:`reference_optimum` prices every
    assignment of that season's binaries; then every sequence of assignments over the
    years is enumerated, those that bring a retired source back, take a built one away,
    build before ``earliest_year`` or keep from ``retire_by`` on are dropped, and the
    cheapest Σ_y (1 + r)^-(y - y0) × cost_y is returned. ``co2_peak_year`` is not covered
    (it links the seasons' dispatch). Tiny networks only: 2^(binaries × years).
    """
    years = [int(y) for y in pathway["years"]]
    econ = {**SPEC_ECONOMICS, **(spec.get("economics") or {})}
    r = float(econ["discount_rate"])
    caps = pathway.get("co2_cap_t")
    per_year: list[tuple[list[str], dict[tuple[int, ...], float], dict[str, int]]] = []
    for y in years:
        sources = [dict(s) for s in spec["sources"]]
        pipes = [dict(p) for p in spec["pipes"]]
        forced_off: dict[str, int] = {}
        for row in [*sources, *pipes]:
            early = row.get("earliest_year")
            late = row.get("retire_by")
            if early not in (None, "") and int(early) > y:
                if row["status"] == "existing":
                    row["status"] = "candidate"
                    row["capex_cny"], row["fixed_cost_cny_per_year"] = 0.0, 0.0
                forced_off[str(row["id"])] = 0
            if late not in (None, "") and int(late) <= y:
                forced_off[str(row["id"])] = 0
        cap = None
        if isinstance(caps, Mapping):
            cap = None if y < min(caps) else _interpolate(caps, y, 0.0)
        elif caps is not None:
            cap = float(caps)
        else:
            cap = econ["co2_cap_t"]
        scale = _interpolate(pathway.get("demand_scale"), y, 1.0)
        year_spec = {
            **spec,
            "sources": sources,
            "pipes": pipes,
            "demands": [
                {**d, "design_load_mw": float(d["design_load_mw"]) * scale} for d in spec["demands"]
            ],
            "economics": {
                **econ,
                "co2_cap_t": cap,
                "carbon_price_cny_per_t": _interpolate(
                    pathway.get("carbon_price_cny_per_t"), y, float(econ["carbon_price_cny_per_t"])
                ),
            },
        }
        ids = [str(s["id"]) for s in sources if s["status"] == "retirable"]
        ids += [str(s["id"]) for s in sources if s["status"] == "candidate"]
        ids += [str(p["id"]) for p in pipes if p["status"] == "candidate"]
        per_year.append((ids, reference_optimum(**year_spec).totals, forced_off))
    kinds = {str(s["id"]): s["status"] for s in spec["sources"]}
    kinds |= {str(p["id"]): p["status"] for p in spec["pipes"]}
    best = float("inf")
    for combo in itertools.product(*(list(t) for _, t, _ in per_year)):
        total, ok = 0.0, True
        previous: dict[str, int] = {}
        for n, bits in enumerate(combo):
            ids, totals, forced = per_year[n]
            on = dict(zip(ids, bits, strict=True))
            for ident, value in on.items():
                if ident in forced and value != forced[ident]:
                    ok = False
                before = previous.get(ident)
                if before is not None and kinds[ident] == "retirable" and value > before:
                    ok = False  # a retired source came back
                if before is not None and kinds[ident] == "candidate" and value < before:
                    ok = False  # a built asset went away
            if not ok:
                break
            previous = on
            total += (1.0 + r) ** -(years[n] - years[0]) * totals[bits]
        if ok:
            best = min(best, total)
    return best
