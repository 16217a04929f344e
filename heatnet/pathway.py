"""Pathway runs (spec v1.1 §4): several heating seasons, decisions that cannot be undone.

:func:`solve_pathway` solves the stacked pathway MILP of :mod:`heatnet.multiyear` either in
one go at the profiles' own resolution, or in two stages through the same design loop as a
season (:func:`heatnet.stages.design_and_dispatch` with a :class:`PathwayProblem`): the
plan of every year is designed at once on aggregated periods (typical days or time slices,
the same for every year since the years share the profile), then each year is dispatched
at full resolution with its decisions fixed — year by year, or as one LP of all years when
a ``co2_peak_year`` links the years' emissions. Refinement splits the slices where the
discounted loss summed over the years is largest.

:func:`pathway_tables`, :func:`timeline_table` and :func:`pathway_block` turn the years'
results into the run's tables (each with a leading ``year`` column), ``timeline.csv`` and the
summary's ``pathway`` block.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heatnet.model import ExtraRules, HeatModel, period_costs
from heatnet.multiyear import build_pathway_model
from heatnet.network import Network
from heatnet.options import SolveOptions
from heatnet.results import BUILT, build_tables, cost_breakdown, decisions
from heatnet.security import security_summary
from heatnet.solve import SolveResult, SolverSettings, Status, solve_pathway_model
from heatnet.stages import (
    DesignGrouping,
    DesignOutcome,
    design_and_dispatch,
    plan_decisions,
    solve_fixed_design,
    solver_settings,
)
from heatnet.years import EARLIEST_YEAR, RETIRE_BY, year_column, year_networks

YearDesign = dict[tuple[str, str, int], float]
"""A pathway plan: ``{(kind, id, year): 0 or 1}`` for every decision of every year."""

_TIMES = ("build_s", "handoff_s", "solve_s", "prices_s")


@dataclass
class PathwaySolution:
    """The seasons of a solved pathway: per year its model (whose ``net`` is the year's
    network) and result (``objective_cny``: the season's undiscounted cost [CNY])."""

    years: list[int]
    models: list[HeatModel]
    results: list[SolveResult]
    discount: np.ndarray

    def discounted_period_costs(self) -> np.ndarray:
        """Σ_y δ_y × operating cost of every period [CNY], shape (T,)."""
        return sum(
            (
                d * period_costs(hm, res.values)
                for d, hm, res in zip(self.discount, self.models, self.results, strict=True)
            ),
            start=np.zeros(self.models[0].n_periods),
        )


def solve_stacked(
    net: Network,
    opts: SolveOptions,
    settings: SolverSettings,
    *,
    fixed: Mapping[tuple[str, str], float] | None = None,
    fixed_by_year: list[dict[tuple[str, str], float]] | None = None,
    warm_start: Mapping[Any, float] | None = None,
    extra: ExtraRules | None = None,
    security: bool = True,
) -> tuple[SolveResult, PathwaySolution]:
    """Build and solve the stacked pathway model of ``net`` in one HiGHS call."""
    t0 = time.perf_counter()
    pm = build_pathway_model(
        net,
        allow_unserved=opts.allow_unserved,
        fixed=fixed,
        max_unserved_mwh=opts.max_unserved_mwh,
        security=security,
        extra=extra,
        fixed_by_year=fixed_by_year,
    )
    whole, years = solve_pathway_model(
        pm, settings, build_s=time.perf_counter() - t0, warm_start=warm_start
    )
    return whole, PathwaySolution(pm.years, pm.models, years, pm.discount)


def _combine(results: list[SolveResult], discount: np.ndarray, chunks: int) -> SolveResult:
    """One result for years solved one by one: the discounted sum of their costs, their
    times and sizes added; the first year not solved to optimality gives the status."""
    common: dict[str, Any] = {
        key: sum(getattr(r, key) for r in results)
        for key in (*_TIMES, "n_cols", "n_rows", "n_nonzeros")
    }
    common["peak_rss_mb"] = max(r.peak_rss_mb for r in results)
    bad = next((r for r in results if r.status is not Status.OPTIMAL), None)
    if bad is not None:
        return dataclasses.replace(bad, values={}, prices_cny_per_mwh=None, **common)
    total = float(sum(d * r.objective_cny for d, r in zip(discount, results, strict=True)))
    return SolveResult(
        status=Status.OPTIMAL,
        termination=f"{results[0].termination} ({chunks} seasons solved one by one)",
        objective_cny=total,
        bound_cny=total,
        mip_gap=0.0,
        has_solution=True,
        **common,
    )


def dispatch_design(
    net: Network, opts: SolveOptions, design: Mapping[Any, float], extra: ExtraRules | None
) -> tuple[SolveResult, PathwaySolution]:
    """Every season of ``net`` at full resolution with its decisions of ``design``
    (``{(kind, id, year): 0/1}``) fixed: one LP per year
    (:func:`heatnet.stages.solve_fixed_design`), or one LP of all years when the
    ``co2_peak_year`` rows link their emissions."""
    pairs = year_networks(net)
    by_year = [
        {(kind, ident): v for (kind, ident, y), v in design.items() if y == year}
        for year, _ in pairs
    ]
    pw = net.pathway
    if pw is not None and pw.co2_peak_year is not None:
        return solve_stacked(
            net, opts, solver_settings(opts), fixed_by_year=by_year, extra=extra, security=False
        )
    discount = np.array([pw.discount_factor(y, net.economics) if pw else 1.0 for y, _ in pairs])
    results: list[SolveResult] = []
    models: list[HeatModel] = []
    for n, (_, yearnet) in enumerate(pairs):
        year_opts = opts if n == 0 else dataclasses.replace(opts, log_file=None)
        res, hm = solve_fixed_design(yearnet, year_opts, by_year[n], extra)
        results.append(res)
        models.append(hm)
        if res.status is not Status.OPTIMAL:
            break
    whole = _combine(results, discount, len(pairs))
    return whole, PathwaySolution([y for y, _ in pairs], models, results, discount)


@dataclass
class PathwayProblem:
    """The pathway as the design loop's problem (:class:`heatnet.stages.DesignProblem`):
    stage 1 the stacked MILP on aggregated periods, stage 2 :func:`dispatch_design`."""

    net: Network
    opts: SolveOptions
    fixed: dict[tuple[str, str], float] = field(default_factory=dict)
    extra: ExtraRules | None = None

    def stage1(
        self,
        net1: Network,
        settings: SolverSettings,
        start: Mapping[Any, float] | None,
        active: set[str],
    ) -> tuple[SolveResult, PathwaySolution]:
        """The pathway MILP on aggregated periods (every security case in every year)."""
        return solve_stacked(
            net1, self.opts, settings, fixed=self.fixed, warm_start=start, extra=self.extra
        )

    def design(self, net1: Network, res1: SolveResult, model1: PathwaySolution) -> YearDesign:
        """Every year's decisions ``{(kind, id, year): 0/1}``."""
        return plan_by_year(model1)

    def stage2(
        self, design: Mapping[Any, float], opts: SolveOptions
    ) -> tuple[SolveResult, PathwaySolution]:
        """Every year at full resolution with its decisions fixed."""
        return dispatch_design(self.net, opts, design, self.extra)

    def period_costs(self, model: PathwaySolution, res: SolveResult) -> np.ndarray:
        """Discounted operating cost per period, summed over the years [CNY]."""
        return model.discounted_period_costs()

    def describe(self, design: Mapping[Any, float]) -> dict[str, int]:
        """``"kind:id:year"`` → 0/1."""
        return {f"{kind}:{ident}:{year}": int(v) for (kind, ident, year), v in design.items()}


def plan_by_year(sol: PathwaySolution) -> YearDesign:
    """Every year's binary decisions of a solved pathway, ``{(kind, id, year): 0/1}``."""
    out: YearDesign = {}
    for year, hm, res in zip(sol.years, sol.models, sol.results, strict=True):
        for (kind, ident), v in plan_decisions(res, hm.net).items():
            out[(kind, ident, year)] = v
    return out


def solve_pathway_once(
    net: Network,
    opts: SolveOptions,
    log_path: Path,
    fixed: Mapping[tuple[str, str], float] | None,
    warm_start: Mapping[Any, float] | None,
    extra: ExtraRules | None = None,
) -> tuple[SolveResult, PathwaySolution, str]:
    """The pathway MILP at the profiles' own resolution: result, seasons and HiGHS log."""
    res, sol = solve_stacked(
        net,
        opts,
        solver_settings(opts, log_file=log_path),
        fixed=fixed,
        warm_start=warm_start,
        extra=extra,
    )
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    return res, sol, log


def design_pathway(
    net: Network,
    opts: SolveOptions,
    grouping: DesignGrouping,
    log_dir: Path,
    fixed: Mapping[tuple[str, str], float] | None,
    warm_start: Mapping[Any, float] | None,
    aggregate_s: float,
    extra: ExtraRules | None = None,
) -> DesignOutcome:
    """The two-stage pathway solve (module docstring); ``outcome.model`` is the
    :class:`PathwaySolution` of the best plan."""
    problem = PathwayProblem(net, opts, dict(fixed or {}), extra)
    return design_and_dispatch(
        net, opts, grouping, log_dir, fixed, warm_start, aggregate_s, extra, problem=problem
    )


# --- tables and summary -----------------------------------------------------------------------


def _with_year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    out = df.copy()
    out.insert(0, "year", year)
    return out


def pathway_tables(net: Network, sol: PathwaySolution) -> dict[str, pd.DataFrame]:
    """Every result table of every season of the pathway network ``net``, one under the
    other with a leading ``year`` column (``sources`` and ``pipes`` keep their id index),
    plus ``security`` per year when the network has a security block, and ``timeline``."""
    per_year: dict[str, list[pd.DataFrame]] = {}
    for year, hm, res in zip(sol.years, sol.models, sol.results, strict=True):
        tables = build_tables(hm, res)
        if hm.net.security is not None:
            security_summary(hm.net, plan_decisions(res, hm.net), tables)
        for key, df in tables.items():
            per_year.setdefault(key, []).append(_with_year(df, year))
    out = {key: pd.concat(frames) for key, frames in per_year.items()}
    for key, df in out.items():
        if key not in ("sources", "pipes"):
            out[key] = df.reset_index(drop=True)
    out["timeline"] = timeline_table(net, out)
    return out


def timeline_table(net: Network, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per decision of the pathway network ``net`` (spec v1.1 §4): ``id``, ``kind``
    (``retire`` for a retirable source, ``build`` for a candidate source or pipe), ``year``
    (the first season it is retired — by the optimiser or its ``retire_by`` — or built;
    empty = never), and for reading: ``element``, ``name``, ``technology``,
    ``earliest_year``, ``retire_by``."""
    rows = []
    for element, table in (("source", tables["sources"]), ("pipe", tables["pipes"])):
        base = net.sources if element == "source" else net.pipes
        for ident, row in base.iterrows():
            history = table.loc[[ident]].sort_values("year")
            decided = history["decision"]
            if row["status"] == "retirable":  # a deadline in the first season: never kept
                kind, done = "retire", decided.isin(("retired", "forced_retired"))
            elif row["status"] == "candidate":
                kind, done = "build", decided.isin(BUILT)
            else:
                continue
            years = history.loc[done.to_numpy(), "year"]
            rows.append(
                {
                    "id": ident,
                    "kind": kind,
                    "year": int(years.iloc[0]) if len(years) else None,
                    "element": element,
                    "name": row.get("name", ""),
                    "technology": row.get("technology", ""),
                    "earliest_year": _first_value(history, EARLIEST_YEAR),
                    "retire_by": _first_value(history, RETIRE_BY),
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "id",
            "kind",
            "year",
            "element",
            "name",
            "technology",
            "earliest_year",
            "retire_by",
        ],
    )
    out["year"] = out["year"].astype("Int64")
    return out


def _first_value(history: pd.DataFrame, column: str) -> float | None:
    values = year_column(history, column).dropna()
    return float(values.iloc[0]) if len(values) else None


def pathway_block(
    net: Network, sol: PathwaySolution, tables: Mapping[str, pd.DataFrame], allow_unserved: bool
) -> dict[str, Any]:
    """The summary's ``pathway`` block (docs/results.md): the years and, per year, the
    season's undiscounted cost, discounted cost, CO2, unserved heat, the retired and built
    ids (state that season, and what changed), and the cost by kind."""
    pw = net.pathway
    per_year: list[dict[str, Any]] = []
    before: dict[str, set[str]] = {"retired": set(), "built": set()}
    for year, hm, res, d in zip(sol.years, sol.models, sol.results, sol.discount, strict=True):
        one = {
            key: df[df["year"] == year].drop(columns="year")
            for key, df in tables.items()
            if key != "timeline"
        }
        state = decisions(one["sources"], one["pipes"])
        built = state["built_sources"] + state["built_pipes"]
        breakdown = cost_breakdown(hm.net, one, allow_unserved)
        per_year.append(
            {
                "year": year,
                "discount_factor": float(d),
                "demand_scale": pw.demand_scale_in(year) if pw else 1.0,
                "carbon_price_cny_per_t": hm.net.economics.carbon_price_cny_per_t,
                "co2_cap_t": hm.net.economics.co2_cap_t,
                "objective_cny": res.objective_cny,
                "discounted_cny": None if res.objective_cny is None else d * res.objective_cny,
                "co2_t": float(one["sources"]["co2_t"].sum()),
                "unserved_mwh": float(one["nodes"]["unserved_mwh"].sum()),
                "heat_demand_mwh": float(one["nodes"]["demand_mwh"].sum()),
                "retired": state["retired"],
                "built": built,
                "retired_this_year": [i for i in state["retired"] if i not in before["retired"]],
                "built_this_year": [i for i in built if i not in before["built"]],
                "cost_breakdown_cny": breakdown,
            }
        )
        before = {"retired": set(state["retired"]), "built": set(built)}
    npv = float(sum(y["discounted_cny"] or 0.0 for y in per_year))
    return {
        "years": list(sol.years),
        "discount_rate": net.economics.discount_rate,
        "co2_peak_year": None if pw is None else pw.co2_peak_year,
        "npv_cny": npv,
        "per_year": per_year,
    }


def discounted_breakdown(block: Mapping[str, Any]) -> dict[str, float]:
    """The cost by kind summed over the years, each year × δ_y [CNY]: adds up to the NPV."""
    out: dict[str, float] = {}
    for y in block["per_year"]:
        for key, value in y["cost_breakdown_cny"].items():
            out[key] = out.get(key, 0.0) + y["discount_factor"] * value
    return out
