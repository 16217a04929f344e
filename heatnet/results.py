"""Result tables and KPIs of a solve, with units in every column name.

:func:`build_tables` turns a model and its solution into tidy DataFrames:

* ``sources``  — one row per source: decision, season heat, costs, CO2.
* ``pipes``    — one row per pipe: decision, heat carried and lost, peak use, costs.
* ``dispatch`` — one row per (period, source): ``heat_mw``.
* ``flows``    — one row per (period, pipe): flows each way, net flow, loss.
* ``nodes``    — one row per (period, node with demand): demand, unserved heat.
* ``prices``   — one row per (period, node): marginal cost of heat [CNY/MWh].
* ``periods``  — one row per period: label, weight, totals.

:func:`cost_breakdown` and :func:`kpis` compute the figures a planner reads first. Every
figure here is recomputed from the solution values, independently of the solver's objective,
so the two can be checked against each other.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from heatnet import fmt
from heatnet.diagnose import format_shortage
from heatnet.model import HeatModel
from heatnet.network import Network, annuity_factor
from heatnet.schema import DECISION_BY_STATUS, IN_SERVICE_STATUSES
from heatnet.solve import SolveResult
from heatnet.storage import RunSummary, input_hash, options_dict, package_versions

if TYPE_CHECKING:
    from heatnet.errors import Problem
    from heatnet.options import SolveOptions

BUILT = ("built", "forced_built")
"""Decisions whose capex annuity is paid (the optimiser's build and a committed status)."""


REL_TOL = 1e-9
"""Values below ``REL_TOL · max(1, max |column|)`` are solver noise and are written as 0."""

ABS_TOL = 1e-6
"""Values below this in a column of MW, MWh, CNY, t or CNY/MWh are written as 0."""

ABS_TOL_SUFFIXES = ("_mw", "_mwh", "_cny", "_t", "_cny_per_mwh")
"""Column-name units that :data:`ABS_TOL` applies to."""

SIGNIFICANT_DIGITS = 10
"""Floats in the result tables keep this many significant digits."""


def clean_values(values: np.ndarray, abs_tol: float = 0.0) -> np.ndarray:
    """Solver noise removed from one column of floats (a new array; NaN and inf unchanged).

    1. A value is set to exactly 0 when ``|x| < max(REL_TOL · max(1, max|x|), abs_tol)``, the
       maximum taken over the column's finite values. HiGHS solves to a feasibility tolerance
       of about 1e-7 (primal) and 1e-6 (MIP) in the scaled model, and double precision keeps
       about 1e-16 relative: a value a billionth of the column's largest figure (or of 1, for a
       column of small numbers such as shares) cannot be told from 0 by the solver, so
       ``-5.456968e-12`` MWh or ``-9.0e-10`` CNY on a retired plant becomes 0 (and never
       ``-0.0``). ``abs_tol`` (:data:`ABS_TOL` = 1e-6 for MW, MWh, CNY, t: a watt, a
       millionth of a yuan, a gram) matches the MIP feasibility tolerance.
    2. The rest is rounded to :data:`SIGNIFICANT_DIGITS` (10) significant digits, so
       ``2249.9999999999995`` becomes ``2250.0`` and ``50.099999999999994`` becomes ``50.1``.
       That changes a value by at most 5e-10 of itself, far below what a planner reads and
       below the 1e-7 to which the summary's cost breakdown must add up to the objective.

    The rounding divides or multiplies an integer by an exact power of ten, so the result is the
    double nearest to the 10-digit decimal and pandas writes it in its short form.
    """
    x = np.array(values, dtype=float, copy=True)
    finite = np.isfinite(x)
    if not finite.any():
        return x
    scale = max(1.0, float(np.abs(x[finite]).max()))
    tol = max(REL_TOL * scale, abs_tol)
    x[finite & (np.abs(x) < tol)] = 0.0
    nz = finite & (x != 0.0)
    if nz.any():
        v = x[nz]
        shift = (SIGNIFICANT_DIGITS - 1) - np.floor(np.log10(np.abs(v))).astype(int)
        up = shift >= 0
        out = np.empty_like(v)
        # exact powers of ten (10**k is exact for k <= 22); tol >= 1e-9 keeps shift <= 18
        p_up = 10.0 ** np.clip(shift, 0, 22)
        p_down = 10.0 ** np.clip(-shift, 0, 22)
        out[up] = np.round(v[up] * p_up[up]) / p_up[up]
        out[~up] = np.round(v[~up] / p_down[~up]) * p_down[~up]
        big = -shift > 22  # beyond exact powers of ten: leave as is
        out[big] = v[big]
        x[nz] = out
    return x + 0.0  # no -0.0


def clean_table(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a result table with every float column cleaned by :func:`clean_values`
    (:data:`ABS_TOL` for columns whose name ends in a unit of :data:`ABS_TOL_SUFFIXES`).
    Integer, boolean and text columns are unchanged."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            name = str(col)
            abs_tol = ABS_TOL if name.endswith(ABS_TOL_SUFFIXES) else 0.0
            out[col] = clean_values(out[col].to_numpy(dtype=float), abs_tol)
    return out


def _period_frame(hm: HeatModel) -> pd.DataFrame:
    prof = hm.net.profiles
    return pd.DataFrame(
        {
            "t": np.arange(hm.n_periods),
            "period": prof["period"].to_numpy(),
            "weight_h": prof["weight_h"].to_numpy(dtype=float),
        }
    )


def _long(
    hm: HeatModel, values: np.ndarray, ids: list[str], id_name: str, value_name: str
) -> pd.DataFrame:
    """(ids × T) array → long table t, period, weight_h, <id_name>, <value_name>."""
    per = _period_frame(hm)
    n = len(ids)
    return pd.DataFrame(
        {
            "t": np.tile(per["t"].to_numpy(), n),
            "period": np.tile(per["period"].to_numpy(), n),
            "weight_h": np.tile(per["weight_h"].to_numpy(), n),
            id_name: np.repeat(np.asarray(ids, dtype=object), hm.n_periods),
            value_name: values.reshape(-1) if n else np.zeros(0),
        }
    )


def source_table(hm: HeatModel, res: SolveResult) -> pd.DataFrame:
    """One row per source of the network (including retired and unavailable ones)."""
    net = hm.net
    econ = net.economics
    w = net.weights_h
    s = net.sources
    out = s.copy()
    out.insert(0, "decision", [DECISION_BY_STATUS.get(st, "") for st in s["status"]])
    g = res.values["g"]
    heat = np.zeros(len(s))
    peak = np.zeros(len(s))
    pos = {sid: i for i, sid in enumerate(hm.source_ids)}
    in_service = np.array([st in IN_SERVICE_STATUSES for st in s["status"]])
    k = dict(zip(hm.retirable, res.values["k"], strict=True))
    b = dict(zip(hm.candidate_sources, res.values["b"], strict=True))
    for r, sid in enumerate(s.index):
        i = pos.get(sid)
        if i is None:
            continue
        heat[r] = float(g[i] @ w)
        peak[r] = float(g[i].max()) if g.shape[1] else 0.0
        if i in k:
            keep = k[i] > 0.5
            out.iloc[r, 0] = "kept" if keep else "retired"
            in_service[r] = keep
        elif i in b:
            built = b[i] > 0.5
            out.iloc[r, 0] = "built" if built else "not_built"
            in_service[r] = built
    a_ret = annuity_factor(econ.discount_rate, econ.retirement_annualisation_years)
    lifetimes = s["lifetime_years"].to_numpy(dtype=float)
    capex_annual = np.array(
        [
            c * annuity_factor(econ.discount_rate, life) if c else 0.0
            for c, life in zip(s["capex_cny"], lifetimes, strict=True)
        ]
    )
    retiring = out["decision"].isin(["retired", "forced_retired"]).to_numpy()
    built = out["decision"].isin(BUILT).to_numpy()
    out["in_service"] = in_service
    out["heat_mwh"] = heat
    out["peak_output_mw"] = peak
    hours = net.season_hours
    out["capacity_factor"] = np.where(s["capacity_mw"] > 0, heat / (s["capacity_mw"] * hours), 0)
    out["co2_t"] = heat * s["co2_t_per_mwh"].to_numpy(dtype=float)
    out["variable_cost_cny"] = heat * s["variable_cost_cny_per_mwh"].to_numpy(dtype=float)
    out["carbon_cost_cny"] = out["co2_t"] * econ.carbon_price_cny_per_t
    out["fixed_cost_cny"] = np.where(in_service, s["fixed_cost_cny_per_year"], 0.0)
    out["capex_annual_cny"] = np.where(built, capex_annual, 0.0)
    out["retirement_cost_annual_cny"] = np.where(retiring, s["retirement_cost_cny"] * a_ret, 0.0)
    out["total_cost_cny"] = out[
        [
            "variable_cost_cny",
            "carbon_cost_cny",
            "fixed_cost_cny",
            "capex_annual_cny",
            "retirement_cost_annual_cny",
        ]
    ].sum(axis=1)
    return out


def pipe_table(hm: HeatModel, res: SolveResult) -> pd.DataFrame:
    """One row per pipe: decision, heat entering and lost, peak flow, costs."""
    net = hm.net
    w = net.weights_h
    p = net.pipes
    out = p.copy()
    out.insert(0, "decision", [DECISION_BY_STATUS.get(st, "") for st in p["status"]])
    pos = {pid: j for j, pid in enumerate(hm.pipe_ids)}
    y = dict(zip(hm.candidate_pipes, res.values["y"], strict=True))
    fp, fm = res.values["fp"], res.values["fm"]
    n = len(p)
    cols = {
        c: np.zeros(n)
        for c in (
            "heat_in_mwh",
            "heat_delivered_mwh",
            "loss_mwh",
            "forward_mwh",
            "reverse_mwh",
            "peak_flow_mw",
        )
    }
    in_service = np.array([st in IN_SERVICE_STATUSES for st in p["status"]])
    for r, pid in enumerate(p.index):
        j = pos.get(pid)
        if j is None:
            continue
        fwd, rev = float(fp[j] @ w), float(fm[j] @ w)
        eta = float(hm.eta[j])
        cols["forward_mwh"][r] = fwd
        cols["reverse_mwh"][r] = rev
        cols["heat_in_mwh"][r] = fwd + rev
        cols["heat_delivered_mwh"][r] = eta * (fwd + rev)
        cols["loss_mwh"][r] = (1 - eta) * (fwd + rev)
        cols["peak_flow_mw"][r] = float((fp[j] + fm[j]).max()) if fp.shape[1] else 0.0
        if j in y:
            built = y[j] > 0.5
            out.iloc[r, 0] = "built" if built else "not_built"
            in_service[r] = built
    out["in_service"] = in_service
    for c, v in cols.items():
        out[c] = v
    out["utilisation"] = out["peak_flow_mw"] / p["capacity_mw"]
    out["pumping_cost_cny"] = out["heat_in_mwh"] * p["pumping_cost_cny_per_mwh"]
    r = net.economics.discount_rate
    capex = np.array(
        [
            c * annuity_factor(r, life) if c else 0.0
            for c, life in zip(p["capex_cny"], p["lifetime_years"], strict=True)
        ]
    )
    out["capex_annual_cny"] = np.where(out["decision"].isin(BUILT), capex, 0.0)
    return out


def dispatch_table(hm: HeatModel, res: SolveResult) -> pd.DataFrame:
    """Heat from each source in each period: t, period, weight_h, source, node, technology,
    heat_mw, heat_mwh."""
    d = _long(hm, res.values["g"], hm.source_ids, "source", "heat_mw")
    s = hm.net.sources
    d["node"] = s.loc[d["source"], "node"].to_numpy()
    d["technology"] = s.loc[d["source"], "technology"].to_numpy()
    d["heat_mwh"] = d["heat_mw"] * d["weight_h"]
    return d


def flow_table(hm: HeatModel, res: SolveResult) -> pd.DataFrame:
    """Pipe flows by period: flow_forward_mw (entering at from_node), flow_reverse_mw,
    net_flow_mw (forward − reverse, entering), delivered_mw and loss_mw."""
    fp, fm = res.values["fp"], res.values["fm"]
    f = _long(hm, fp, hm.pipe_ids, "pipe", "flow_forward_mw")
    f["flow_reverse_mw"] = fm.reshape(-1) if len(hm.pipe_ids) else np.zeros(0)
    p = hm.net.pipes
    f["from_node"] = p.loc[f["pipe"], "from_node"].to_numpy()
    f["to_node"] = p.loc[f["pipe"], "to_node"].to_numpy()
    eta = np.repeat(hm.eta, hm.n_periods)
    total = f["flow_forward_mw"] + f["flow_reverse_mw"]
    f["net_flow_mw"] = f["flow_forward_mw"] - f["flow_reverse_mw"]
    f["delivered_mw"] = eta * total
    f["loss_mw"] = (1 - eta) * total
    return f


def node_table(hm: HeatModel, res: SolveResult) -> pd.DataFrame:
    """Demand and unserved heat at each demand node by period [MW] and [MWh]."""
    d = _long(hm, hm.demand_mw, hm.demand_nodes, "node", "demand_mw")
    u = res.values.get("u")
    d["unserved_mw"] = u.reshape(-1) if u is not None and u.size else 0.0
    d["demand_mwh"] = d["demand_mw"] * d["weight_h"]
    d["unserved_mwh"] = d["unserved_mw"] * d["weight_h"]
    return d


def price_table(hm: HeatModel, res: SolveResult) -> pd.DataFrame:
    """Marginal cost of heat at each node and period [CNY/MWh] (empty if not computed)."""
    if res.prices_cny_per_mwh is None:
        return pd.DataFrame(columns=["t", "period", "weight_h", "node", "price_cny_per_mwh"])
    p = _long(hm, res.prices_cny_per_mwh, hm.node_ids, "node", "price_cny_per_mwh")
    return p.dropna(subset=["price_cny_per_mwh"]).reset_index(drop=True)


def cost_breakdown(
    net: Network, tables: dict[str, pd.DataFrame], allow_unserved: bool = True
) -> dict[str, float]:
    """Annual cost by kind from the result tables alone [CNY/year]; adds up to the objective.

    Keys: ``fixed_cny`` (in-service sources), ``capex_sources_cny``, ``capex_pipes_cny``,
    ``retirement_cny``, ``variable_cny``, ``carbon_cny``, ``pumping_cny``, ``unserved_cny``,
    ``total_cny``.
    """
    voll = net.economics.unserved_heat_cost_cny_per_mwh
    s, p, n = tables["sources"], tables["pipes"], tables["nodes"]
    items = {
        "fixed_cny": float(s["fixed_cost_cny"].sum()),
        "capex_sources_cny": float(s["capex_annual_cny"].sum()),
        "capex_pipes_cny": float(p["capex_annual_cny"].sum()),
        "retirement_cny": float(s["retirement_cost_annual_cny"].sum()),
        "variable_cny": float(s["variable_cost_cny"].sum()),
        "carbon_cny": float(s["carbon_cost_cny"].sum()),
        "pumping_cny": float(p["pumping_cost_cny"].sum()),
        "unserved_cny": float(n["unserved_mwh"].sum() * voll) if allow_unserved else 0.0,
    }
    items["total_cny"] = float(sum(items.values()))
    return items


def kpis(sources: pd.DataFrame, pipes: pd.DataFrame, nodes: pd.DataFrame) -> dict[str, float]:
    """Season figures: heat demand, served and unserved heat, losses [MWh], CO2 [t], and the
    share of produced heat from each technology group [-]."""
    produced = float(sources["heat_mwh"].sum())
    by_tech = sources.groupby("technology")["heat_mwh"].sum()

    def share(tech: str) -> float:
        return float(by_tech.get(tech, 0.0)) / produced if produced else 0.0

    demand = float(nodes["demand_mwh"].sum())
    unserved = float(nodes["unserved_mwh"].sum())
    return {
        "heat_demand_mwh": demand,
        "heat_served_mwh": demand - unserved,
        "unserved_mwh": unserved,
        "heat_produced_mwh": produced,
        "losses_mwh": float(pipes["loss_mwh"].sum()),
        "co2_t": float(sources["co2_t"].sum()),
        "waste_heat_share": share("waste_heat"),
        "coal_share": share("coal_boiler"),
        "chp_share": share("chp"),
    }


def decisions(sources: pd.DataFrame, pipes: pd.DataFrame) -> dict[str, list[str]]:
    """Ids by decision: ``retired``, ``kept``, ``built_pipes``, ``built_sources`` and the
    candidates left unbuilt."""

    def ids(df: pd.DataFrame, decision: str) -> list[str]:
        return [str(i) for i in df.index[df["decision"] == decision]]

    return {
        "retired": ids(sources, "retired") + ids(sources, "forced_retired"),
        "kept": ids(sources, "kept"),
        "built_pipes": ids(pipes, "built"),
        "built_sources": ids(sources, "built"),
        "not_built_pipes": ids(pipes, "not_built"),
        "not_built_sources": ids(sources, "not_built"),
    }


def build_tables(hm: HeatModel, res: SolveResult) -> dict[str, pd.DataFrame]:
    """All result tables of a solve that has a solution, without solver noise
    (:func:`clean_table`): the summary's figures are computed from these cleaned tables."""
    nodes = node_table(hm, res)
    per = _period_frame(hm)
    per["demand_mw"] = hm.demand_mw.sum(axis=0)
    per["unserved_mw"] = res.values["u"].sum(axis=0) if res.values["u"].size else 0.0
    per["heat_produced_mw"] = res.values["g"].sum(axis=0) if res.values["g"].size else 0.0
    tables = {
        "sources": source_table(hm, res),
        "pipes": pipe_table(hm, res),
        "dispatch": dispatch_table(hm, res),
        "flows": flow_table(hm, res),
        "nodes": nodes,
        "prices": price_table(hm, res),
        "periods": per,
    }
    return {key: clean_table(df) for key, df in tables.items()}


def _money(cny: float | None) -> str:
    return fmt.money(cny)


def _ids(label: str, ids: list[str]) -> str:
    return f"{label} ({fmt.count(len(ids))}): {', '.join(ids) if ids else 'none'}"


def _security_lines(sec: dict[str, Any] | None) -> list[str]:
    """The summary's security block in words (none without a block)."""
    if not sec or "contingencies" not in sec:
        return []
    n = len(sec["contingencies"])
    lines = [
        f"security: every district keeps {fmt.percent(sec['served_share'])} of its design-hour "
        f"demand (period {sec['design_period']}, × {fmt.number(sec['design_factor'], 2)}) in "
        f"each of {fmt.count(n)} outage{'s' if n != 1 else ''}; least served "
        f"{fmt.percent(sec.get('min_served_share'))}"
    ]
    if sec.get("binding"):
        lines.append(_ids("  binding (no margin)", sec["binding"]))
    if sec.get("skipped"):
        lines.append(_ids("  skipped (retired or unavailable)", sec["skipped"]))
    if "cost_of_security_cny" in sec:
        within = (
            " (within the two solves' gaps: no cost)"
            if sec.get("cost_of_security_within_gaps")
            else ""
        )
        lines.append(
            f"  cost of security: {fmt.money(sec['cost_of_security_cny'])} per year{within}"
        )
    changed = sec.get("changed_by_security")
    if changed:
        lines.append("  security changes: " + ", ".join(f"{i} ({c})" for i, c in changed.items()))
    return lines


MAX_LIMITS_SHOWN = 10
"""At most this many limits of an infeasible set are kept and shown, most telling first."""

_MORE_LIMITS = re.compile(r"and (\d+) more limits")


def top_limits(limits: list[str], n: int = MAX_LIMITS_SHOWN) -> list[str]:
    """The first ``n`` limits of a ranked explanation (most telling first), then one line
    ``and N more limits`` for the rest, counting a trailing ``and N more limits`` that
    ``limits`` already has."""
    kept = list(limits)
    more = 0
    if kept and (m := _MORE_LIMITS.fullmatch(kept[-1])):
        more, kept = int(m.group(1)), kept[:-1]
    more += max(len(kept) - n, 0)
    return kept[:n] + ([f"and {more} more limits"] if more else [])


def co2_cap_out_of_reach(infeasible: dict[str, Any]) -> bool:
    """True when an infeasibility explanation says the CO2 cap is below the least CO2 any plan
    reaches (``least_co2_t`` above ``co2_cap_t`` by more than the solver's tolerance)."""
    least, cap = infeasible.get("least_co2_t"), infeasible.get("co2_cap_t")
    return least is not None and cap is not None and least > cap * (1 + 1e-6) + 1e-6


def _infeasibility_lines(infeasible: dict[str, Any]) -> list[str]:
    """Why no plan exists: the least reachable CO2 first when the CO2 cap is out of reach,
    then at most :data:`MAX_LIMITS_SHOWN` limits of the infeasible set."""
    lines = []
    if co2_cap_out_of_reach(infeasible):
        limit = infeasible.get("least_co2_max_unserved_mwh")
        rule = (
            ""
            if limit is None
            else " serving all heat"
            if limit <= 0
            else f" leaving at most {fmt.energy(limit)} of heat unserved"
        )
        proven = infeasible.get("least_co2_status", "optimal") == "optimal"
        least = "the least CO2 any plan can reach" if proven else "the least CO2 found"
        lines.append(
            f"why no plan exists: the CO2 cap of {fmt.co2(infeasible['co2_cap_t'])} is below "
            f"{least}{rule}, {fmt.co2(infeasible['least_co2_t'])}"
        )
        lines.append("the limits that cannot all hold, most telling first:")
    else:
        lines.append("why no plan exists — these limits cannot all hold:")
    limits = top_limits(infeasible.get("limits_in_conflict", []))
    more = limits[-1] if limits and _MORE_LIMITS.fullmatch(limits[-1]) else None
    shown = limits[:-1] if more else limits
    lines += [f"  - {why}" for why in shown] or ["  - (the solver gave no infeasible set)"]
    if more:
        lines.append(f"  {more}")
    return lines


def format_summary(summary: RunSummary) -> str:
    """The console summary of a run: status first, then cost, CO2 and decisions."""
    lines = []
    status = summary["status"]
    gap = summary.get("mip_gap")
    gap_txt = fmt.quantity("mip_gap", gap)
    head = (
        f"status: {status} (HiGHS: {summary['termination']}), gap {gap_txt}, "
        f"bound {_money(summary.get('bound_cny'))}"
    )
    if not summary.get("optimal"):
        lines.append(
            "NOT OPTIMAL: the figures below are from the best solution found, not a proven optimum"
            if summary.get("objective_cny") is not None
            else "NO SOLUTION: the solver found no feasible plan"
        )
    lines.append(head)
    ts = summary.get("two_stage")
    if summary.get("solve_mode") == "two_stage" and ts and ts.get("aggregation") == "time_slices":
        dg = ts.get("design_gap")
        rounds = ts.get("rounds", [])
        k0, k1 = ts["initial_time_slices"], ts["time_slices"]
        n0, n1, plural = fmt.count(k0), fmt.count(k1), "s" if len(rounds) > 1 else ""
        slices = (
            f"{n0} time slices refined to {n1} in {len(rounds)} rounds"
            if k1 != k0
            else f"{n0} time slices ({len(rounds)} round{plural})"
        )
        lines.append(
            f"two-stage: design on {slices}, then the full season "
            f"({fmt.count(ts['stage2_periods'])} periods) as an LP with the design fixed; "
            f"design gap {fmt.quantity('design_gap', dg)} to the valid bound"
        )
    elif summary.get("solve_mode") == "two_stage" and ts:
        dg = ts.get("design_gap")
        rounds = ts.get("rounds", [])
        refined = (
            f" refined to {ts['time_slices']} time slices in {len(rounds)} rounds"
            if ts.get("time_slices")
            else ""
        )
        lines.append(
            f"two-stage: design on {ts['typical_days']} typical days{refined} (stage 1 "
            f"{_money(ts.get('stage1_objective_cny'))}), then the full season "
            f"({fmt.count(ts['stage2_periods'])} periods) as an LP with the design fixed; "
            f"design gap {fmt.quantity('design_gap', dg)} to the valid bound"
        )
    elif summary.get("solve_mode") == "typical_days":
        lines.append(
            f"solved on {summary.get('typical_days')} typical days: every figure is "
            "at typical-day resolution"
        )
    infeasible = summary.get("infeasibility")
    if infeasible:
        lines += _infeasibility_lines(infeasible)
        if infeasible.get("analysis_failed"):
            lines.append(
                f"warning: the infeasibility analysis failed: {infeasible['analysis_failed']}"
            )
        short = infeasible.get("shortage_if_unserved_heat_were_allowed")
        if short:
            lines.append("with unserved heat allowed, the best plan would be short of heat:")
            lines += format_shortage(short)[1:]
    if summary.get("objective_cny") is None:
        return "\n".join(lines)
    if summary.get("pathway"):
        return "\n".join(lines + pathway_lines(summary) + _times_lines(summary))
    lines.append(f"annual cost: {_money(summary['objective_cny'])}")
    cb = summary["cost_breakdown_cny"]
    kinds = {k: v for k, v in cb.items() if k != "total_cny" and abs(v) > 0.5}
    unit, cells = fmt.column("cost_cny", kinds.values())
    parts = [f"{k.removesuffix('_cny')} {c}" for k, c in zip(kinds, cells, strict=True)]
    lines.append(f"  by kind [{unit}]: " + (", ".join(parts) if parts else "nothing"))
    lines.append(
        f"CO2: {fmt.co2(summary['co2_t'])}   waste-heat share: "
        f"{fmt.percent(summary['waste_heat_share'])}   coal share: "
        f"{fmt.percent(summary['coal_share'])}"
    )
    lines.append(
        f"heat demand: {fmt.energy(summary['heat_demand_mwh'])}   unserved: "
        f"{fmt.energy(summary['unserved_mwh'])}   pipe losses: "
        f"{fmt.energy(summary['losses_mwh'])}"
    )
    lines += format_shortage(summary.get("shortage") or {})
    lines.append(_ids("retirable sources retired", summary["retired"]))
    lines.append(_ids("retirable sources kept", summary["kept"]))
    lines.append(_ids("pipes built", summary["built_pipes"]))
    lines.append(_ids("sources built", summary["built_sources"]))
    not_built = summary["not_built_pipes"] + summary["not_built_sources"]
    if not_built:
        lines.append(_ids("candidates not built", not_built))
    lines += _security_lines(summary.get("security"))
    return "\n".join(lines + _times_lines(summary))


def _times_lines(summary: RunSummary) -> list[str]:
    t = summary["timings_s"]
    return [
        f"times: build {fmt.seconds(t['build'])}, hand-off {fmt.seconds(t['handoff'])}, "
        f"solve {fmt.seconds(t['solve'])}, prices {fmt.seconds(t['prices'])}, total "
        f"{fmt.seconds(t['total'])}; peak memory {fmt.number(summary['peak_rss_mb'], 0)} MB"
    ]


def pathway_lines(summary: RunSummary) -> list[str]:
    """The console lines of a pathway run: the NPV, one line per season (cost, CO2 against
    its cap, unserved heat, what changes that season) and the last season's plan."""
    pw = summary["pathway"]
    years = pw["years"]
    rate = fmt.percent(pw["discount_rate"])
    lines = [
        f"pathway {years[0]}–{years[-1]} ({len(years)} seasons): net present cost "
        f"{_money(pw['npv_cny'])} (each season's cost discounted at {rate} to {years[0]})",
        f"CO2 over the seasons: {fmt.co2(summary['co2_t'])}"
        + (f"; emissions may not rise from {pw['co2_peak_year']}" if pw["co2_peak_year"] else ""),
    ]
    for y in pw["per_year"]:
        cap = y.get("co2_cap_t")
        changes = [f"retire {', '.join(y['retired_this_year'])}"] if y["retired_this_year"] else []
        changes += [f"build {', '.join(y['built_this_year'])}"] if y["built_this_year"] else []
        lines.append(
            f"  {y['year']}: cost {_money(y['objective_cny'])}, CO2 {fmt.co2(y['co2_t'])}"
            + (f" (cap {fmt.co2(cap)})" if cap is not None else "")
            + f", unserved {fmt.energy(y['unserved_mwh'])}"
            + (f"; {'; '.join(changes)}" if changes else "")
        )
    last = years[-1]
    lines.append(_ids(f"retired by {last}", summary["retired"]))
    lines.append(_ids(f"pipes built by {last}", summary["built_pipes"]))
    lines.append(_ids(f"sources built by {last}", summary["built_sources"]))
    lines += _security_lines(summary.get("security"))
    return lines


def make_summary(
    net: Network,
    options: SolveOptions,
    res: SolveResult,
    tables: dict[str, pd.DataFrame],
    total_s: float,
    warnings: list[Problem],
) -> RunSummary:
    """The JSON summary of a run (keys documented in docs/results.md)."""
    summary: RunSummary = {
        "network": net.name,
        "status": res.status.value,
        "termination": res.termination,
        "optimal": res.is_optimal,
        "objective_cny": res.objective_cny,
        "bound_cny": res.bound_cny,
        "mip_gap": res.mip_gap,
    }
    if tables:
        nodes = tables["nodes"]
        summary.update(kpis(tables["sources"], tables["pipes"], nodes))
        summary["cost_breakdown_cny"] = cost_breakdown(net, tables, options.allow_unserved)
        summary.update(decisions(tables["sources"], tables["pipes"]))
        short = nodes[nodes["unserved_mw"] > 1e-6]
        summary["unserved_by_node_mwh"] = {
            str(n): float(v) for n, v in short.groupby("node")["unserved_mwh"].sum().items()
        }
        summary["periods_short_of_heat"] = int(short["t"].nunique())
    summary.update(
        {
            "timings_s": {
                "build": res.build_s,
                "handoff": res.handoff_s,
                "solve": res.solve_s,
                "prices": res.prices_s,
                "total": total_s,
            },
            "peak_rss_mb": res.peak_rss_mb,
            "problem_size": {
                "columns": res.n_cols,
                "rows": res.n_rows,
                "nonzeros": res.n_nonzeros,
                "binaries": res.n_binaries,
            },
            "periods": net.n_periods,
            "season_hours": net.season_hours,
            "economics": dataclasses.asdict(net.economics),
            "options": options_dict(options),
            "input_hash": input_hash(net),
            "versions": package_versions(),
            "warnings": [str(p) for p in warnings],
        }
    )
    return summary
