"""Pathway runs (spec v1.1 §4): several heating seasons, decisions that cannot be undone.

The pathway MILP of :mod:`heatnet.multiyear` is solved either in one go at the profiles' own
resolution, or in two stages through the same design loop as a season
(:func:`heatnet.stages.design_and_dispatch` with a :class:`PathwayProblem`): the plan of
every year is designed on aggregated periods (typical days or time slices, the same for
every year since the years share the profile), then each year is dispatched at full
resolution with its decisions fixed — year by year, or as one LP of all years when a
``co2_peak_year`` links the years' emissions. Refinement splits the slices where the
discounted loss summed over the years is largest. Either way the MILP itself is solved by
:func:`solve_pathway_milp`: the stacked MILP at once (:func:`solve_stacked`), or the
seasons alone first and linked up after (:func:`solve_by_season`), as
``SolveOptions.pathway_solve`` asks.

:func:`pathway_tables`, :func:`timeline_table` and :func:`pathway_block` turn the years'
results into the run's tables (each with a leading ``year`` column), ``timeline.csv`` and the
summary's ``pathway`` block.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heatnet.model import ExtraRules, HeatModel, period_costs
from heatnet.multiyear import build_pathway_model, fixed_for_year
from heatnet.network import Network
from heatnet.options import SolveOptions
from heatnet.results import BUILT, build_tables, cost_breakdown, decisions
from heatnet.security import security_summary
from heatnet.solve import SolveResult, SolverSettings, Status, solve_pathway_model
from heatnet.stages import (
    DesignGrouping,
    DesignOutcome,
    design_and_dispatch,
    design_gap,
    full_model_columns,
    plan_decisions,
    solve_fixed_design,
    solve_season_milp,
    solver_settings,
)
from heatnet.years import EARLIEST_YEAR, RETIRE_BY, year_column, year_networks

YearDesign = dict[tuple[str, str, int], float]
"""A pathway plan: ``{(kind, id, year): 0 or 1}`` for every decision of every year."""

_TIMES = ("build_s", "handoff_s", "solve_s", "prices_s")
_SIZES = ("n_cols", "n_rows", "n_nonzeros")

#: Above this many columns in the stacked pathway model, ``pathway_solve="auto"`` solves the
#: seasons alone first (:func:`solve_by_season`). Below it the stacked MILP's nodes are cheap
#: and it proves the bound that irreversibility adds faster than the seasons can be solved
#: one by one (Jinan, daily, 8 seasons, 62,000 columns: 55 s stacked against 82–89 s
#: seasons first, whose plans do not link up); above it the seasons' smaller MILPs win
#: (city of 1,000 districts, 24 time slices × 5 seasons: 0.6 % in 540 s against 5.9 % at
#: 1,131 s; measured in benchmarks/RESULTS.md).
AUTO_SEASONS_COLUMNS = 100_000


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
    known_bound_cny: float | None = None,
) -> tuple[SolveResult, PathwaySolution]:
    """Build and solve the stacked pathway model of ``net`` in one HiGHS call
    (``known_bound_cny``: see :func:`heatnet.solve.solve_pathway_model`)."""
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
        pm,
        settings,
        build_s=time.perf_counter() - t0,
        warm_start=warm_start,
        known_bound_cny=known_bound_cny,
    )
    return whole, PathwaySolution(pm.years, pm.models, years, pm.discount)


def solve_pathway_milp(
    net: Network,
    opts: SolveOptions,
    settings: SolverSettings,
    *,
    fixed: Mapping[tuple[str, str], float] | None = None,
    warm_start: Mapping[Any, float] | None = None,
    extra: ExtraRules | None = None,
    active: set[str] | None = None,
) -> tuple[SolveResult, PathwaySolution]:
    """The pathway MILP of ``net`` as ``opts.pathway_solve`` asks: :func:`solve_by_season`
    or :func:`solve_stacked` (``auto``: seasons first above :data:`AUTO_SEASONS_COLUMNS`
    columns in the stacked model)."""
    how = opts.pathway_solve
    if how == "auto":
        how = "seasons" if full_model_columns(net) > AUTO_SEASONS_COLUMNS else "stacked"
    if how == "stacked":
        return solve_stacked(net, opts, settings, fixed=fixed, warm_start=warm_start, extra=extra)
    return solve_by_season(
        net, opts, settings, fixed=fixed, warm_start=warm_start, extra=extra, active=active
    )


def solve_by_season(
    net: Network,
    opts: SolveOptions,
    settings: SolverSettings,
    *,
    fixed: Mapping[tuple[str, str], float] | None = None,
    warm_start: Mapping[Any, float] | None = None,
    extra: ExtraRules | None = None,
    active: set[str] | None = None,
) -> tuple[SolveResult, PathwaySolution]:
    """The pathway MILP, season by season first.

    Without its linking rows (``keep_order``, ``build_order``, ``co2_peak``;
    :mod:`heatnet.multiyear`) the stacked MILP falls apart into one MILP per season, so:

    1. Each season's MILP is solved alone, in order, warm-started from the plan of the
       season before (or from ``warm_start``, ``{(kind, id, year): 0/1}`` or
       ``{(kind, id): 0/1}``), with the security cases screened as for one season
       (:func:`heatnet.stages.solve_secured`; ``active`` as there). Dropping rows relaxes
       a minimisation, so L = Σ_y δ_y L_y, with L_y season y's proven bound, is a valid
       lower bound on the pathway's optimum.
    2. When the seasons' plans already satisfy the linking rows — nothing retired comes
       back, nothing built goes away, and from the ``co2_peak_year`` on no season emits
       more than the one before — together they are a feasible pathway of cost
       Σ_y δ_y C_y, within the seasons' gaps of L: the answer, without the stacked MILP.
       (With rising demand and carbon prices the seasons' plans usually are irreversible
       already; the one-season MILPs are far smaller than the stacked one.)
    3. Otherwise the stacked MILP (:func:`solve_stacked`, every security case in the
       model) is solved, warm-started from the seasons' plans made irreversible (a
       candidate built from the first season any plan builds it, a retirable source kept
       up to the last season any plan keeps it), with L as a known bound: HiGHS stops as
       soon as its incumbent is within ``settings.mip_gap`` of L, and the reported bound
       is the better of L and HiGHS's.

    ``settings.time_limit_s`` covers both steps; ``settings.log_file`` receives every
    season's HiGHS log, then the stacked MILP's. A season with no solution (infeasible,
    or out of time) sends the pathway to the stacked MILP, whose explanation of an
    infeasible pathway names the seasons.
    """
    t_start = time.perf_counter()
    pw = net.pathway
    if pw is None:
        raise ValueError("solve_by_season needs a network with a pathway block")
    pairs = year_networks(net)
    years = [y for y, _ in pairs]
    discount = np.array([pw.discount_factor(y, net.economics) for y in years])
    active = set() if active is None else active
    seasons = PathwaySolution([], [], [], discount)
    logs: list[str] = []
    why = ""
    for year, yearnet in pairs:
        res, hm = _solve_season(
            year,
            yearnet,
            opts,
            settings,
            t_start,
            fixed,
            extra,
            active,
            logs,
            _season_start(warm_start, year) or _last_plan(seasons) or None,
        )
        seasons.years.append(year)
        seasons.models.append(hm)
        seasons.results.append(res)
        if not res.has_solution:
            why = f"season {year} alone has no solution ({res.status.value})"
            break
        if not why and not _links_hold(net, seasons, last_only=True):
            why = f"the seasons' plans do not link up from {year}"
            if len(seasons.years) < len(years) and not _worth_finishing(
                net, seasons, opts, settings, fixed, extra
            ):
                break  # the stacked MILP decides; the remaining seasons would not help
    spent = _added(seasons.results, _TIMES)
    complete = len(seasons.years) == len(years) and all(r.has_solution for r in seasons.results)
    known = _seasons_bound(seasons) if complete else None
    if complete and not why:
        _write_logs(settings.log_file, logs)
        return _combine_seasons(seasons.results, discount, known), seasons
    start = (
        irreversible_plan(seasons, years) if all(r.has_solution for r in seasons.results) else None
    )
    if complete and start is not None and known is not None:
        repaired = _repaired_within_gap(
            net, seasons, start, known, why, opts, settings, fixed, extra
        )
        if repaired is not None:
            _write_logs(settings.log_file, logs)
            return _with_times(repaired[0], spent), repaired[1]
    stacked_log = (
        settings.log_file.with_name(f"{settings.log_file.name}.stacked")
        if settings.log_file
        else None
    )
    whole, sol = solve_stacked(
        net,
        opts,
        dataclasses.replace(
            settings, time_limit_s=_remaining_s(settings, t_start), log_file=stacked_log
        ),
        fixed=fixed,
        warm_start=start,
        extra=extra,
        known_bound_cny=known,
    )
    if stacked_log is not None:
        logs.append(f"==== stacked MILP ({why}) ====\n{_read_and_remove(stacked_log)}")
    _write_logs(settings.log_file, logs)
    return _with_times(whole, spent), sol


def _repaired_within_gap(
    net: Network,
    seasons: PathwaySolution,
    plan: YearDesign,
    known: float,
    why: str,
    opts: SolveOptions,
    settings: SolverSettings,
    fixed: Mapping[tuple[str, str], float] | None,
    extra: ExtraRules | None,
) -> tuple[SolveResult, PathwaySolution] | None:
    """The seasons' plans made irreversible (``plan``), costed in one LP, as the answer when
    that cost is within ``settings.mip_gap`` of the seasons' bound ``known`` (else None)."""
    whole, sol = _plan_cost(net, seasons.years, plan, opts, settings, fixed, extra)
    gap = design_gap(whole.objective_cny, known)
    if whole.status is not Status.OPTIMAL or gap is None or gap > settings.mip_gap:
        return None
    return dataclasses.replace(
        whole,
        termination=f"{len(seasons.years)} seasons solved alone ({why}); their plans made "
        "irreversible are within the gap of their bound",
        bound_cny=known,
        mip_gap=gap,
        n_binaries=sum(r.n_binaries for r in seasons.results),
    ), sol


def _solve_season(
    year: int,
    yearnet: Network,
    opts: SolveOptions,
    settings: SolverSettings,
    t_start: float,
    fixed: Mapping[tuple[str, str], float] | None,
    extra: ExtraRules | None,
    active: set[str],
    logs: list[str],
    start: Mapping[tuple[str, str], float] | None,
) -> tuple[SolveResult, HeatModel]:
    """One season's MILP alone, security cases screened, its log appended to ``logs``."""
    log = (
        settings.log_file.with_name(f"{settings.log_file.name}.season")
        if settings.log_file
        else None
    )
    res, hm = solve_season_milp(
        yearnet,
        opts,
        dataclasses.replace(settings, time_limit_s=_remaining_s(settings, t_start), log_file=log),
        fixed_for_year(fixed, yearnet),
        extra,
        start,
        active,
    )
    if log is not None:
        logs.append(f"==== season {year}, alone ====\n{_read_and_remove(log)}")
    return res, hm


def _last_plan(seasons: PathwaySolution) -> dict[tuple[str, str], float]:
    """The plan of the last season solved ({} before the first)."""
    if not seasons.results:
        return {}
    return plan_decisions(seasons.results[-1], seasons.models[-1].net)


def _added(results: list[SolveResult], keys: tuple[str, ...]) -> dict[str, Any]:
    """The results' ``keys`` (times, sizes) summed, and their peak memory (the largest)."""
    out: dict[str, Any] = {key: sum(getattr(r, key) for r in results) for key in keys}
    out["peak_rss_mb"] = max((r.peak_rss_mb for r in results), default=0.0)
    return out


def _with_times(whole: SolveResult, spent: Mapping[str, float]) -> SolveResult:
    """``whole`` with the seasons' solve times added."""
    return dataclasses.replace(whole, **{key: getattr(whole, key) + spent[key] for key in _TIMES})


def _seasons_bound(seasons: PathwaySolution) -> float | None:
    """Σ_y δ_y L_y over the solved seasons, L_y a season's proven bound [CNY] (None when a
    season has none)."""
    total = 0.0
    for d, r in zip(seasons.discount, seasons.results, strict=False):  # discount: every year
        if r.bound_cny is None:
            return None
        total += float(d) * r.bound_cny
    return total


def _plan_cost(
    net: Network,
    years: list[int],
    plan: Mapping[tuple[str, str, int], float],
    opts: SolveOptions,
    settings: SolverSettings,
    fixed: Mapping[tuple[str, str], float] | None,
    extra: ExtraRules | None,
) -> tuple[SolveResult, PathwaySolution]:
    """The pathway of ``years`` (the first seasons of ``net``'s) with every decision fixed to
    ``plan``: one LP with every security case, the planners' rules and the peak rows, so an
    infeasible result means the plan breaks one of them."""
    pw = net.pathway
    sub = net
    if pw is not None and list(pw.years) != years:
        sub = net.replace(pathway=dataclasses.replace(pw, years=tuple(years)))
    by_year = [{(k, i): v for (k, i, y), v in plan.items() if y == year} for year in years]
    return solve_stacked(
        sub,
        opts,
        dataclasses.replace(settings, log_file=None, time_limit_s=None),
        fixed=fixed,
        fixed_by_year=by_year,
        extra=extra,
    )


def _worth_finishing(
    net: Network,
    seasons: PathwaySolution,
    opts: SolveOptions,
    settings: SolverSettings,
    fixed: Mapping[tuple[str, str], float] | None,
    extra: ExtraRules | None,
) -> bool:
    """At the first season whose plan does not link up with the one before: is solving the
    remaining seasons alone still worth it?

    It is when the plans so far, made irreversible, cost (one LP) within the gap of the
    seasons' bound so far, their excess taken against the whole pathway's likely cost (the
    cost so far scaled by the discount factors to come). Each season's excess over its bound
    is at least 0, so a larger excess already would leave the seasons' bound too weak to
    prove the gap, and the stacked MILP must decide anyway."""
    plan = irreversible_plan(seasons, seasons.years)
    whole, _ = _plan_cost(
        net,
        seasons.years,
        plan,
        opts,
        dataclasses.replace(settings, heat_prices=False),
        fixed,
        extra,
    )
    bound = _seasons_bound(seasons)
    if whole.objective_cny is None or bound is None:
        return False
    n = len(seasons.years)
    scale = float(seasons.discount.sum() / seasons.discount[:n].sum())
    return (whole.objective_cny - bound) <= settings.mip_gap * whole.objective_cny * scale


def _remaining_s(settings: SolverSettings, t_start: float) -> float | None:
    """Seconds left of ``settings.time_limit_s`` (at least 1; None without a limit)."""
    if settings.time_limit_s is None:
        return None
    return max(settings.time_limit_s - (time.perf_counter() - t_start), 1.0)


def _season_start(start: Mapping[Any, float] | None, year: int) -> dict[tuple[str, str], float]:
    """Year ``year``'s part of a warm start given by year or for every year."""
    if not start:
        return {}
    return {
        (str(key[0]), str(key[1])): v
        for key, v in start.items()
        if len(key) == 2 or int(key[2]) == year
    }


def _read_and_remove(path: Path) -> str:
    """A HiGHS log's text ("" if HiGHS wrote none); the file is removed."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace")
    path.unlink()
    return text


def _write_logs(path: Path | None, logs: list[str]) -> None:
    if path is not None:
        path.write_text("\n".join(logs), encoding="utf-8")


def season_co2_t(hm: HeatModel, values: Mapping[str, np.ndarray]) -> float:
    """A season's emissions E = Σ_t w_t Σ_s co2_s g[s,t] [tCO2]."""
    return float(hm.co2_t_per_mwh @ values["g"] @ hm.net.weights_h)


def _links_hold(net: Network, seasons: PathwaySolution, last_only: bool = False) -> bool:
    """True when the seasons' solutions satisfy the rows that link the seasons: no decision
    undone between consecutive seasons that both have it, and no rise in emissions from
    the ``co2_peak_year`` on (to a relative 1e-7). ``last_only``: only between the last
    two seasons."""
    pairs = list(zip(seasons.models, seasons.results, strict=True))
    if last_only:
        pairs = pairs[-2:]
    plans = [plan_decisions(r, hm.net) for hm, r in pairs]
    for before, after in itertools.pairwise(plans):
        for key, v in after.items():
            if key not in before:
                continue
            if key[0] == "keep_source" and v > before[key] + 0.5:
                return False
            if key[0] in ("build_source", "build_pipe") and v < before[key] - 0.5:
                return False
    pw = net.pathway
    if pw is not None and pw.co2_peak_year is not None:
        years = seasons.years[len(seasons.years) - len(pairs) :]
        co2 = [season_co2_t(hm, r.values) for hm, r in pairs]
        for n in range(1, len(co2)):
            if years[n - 1] >= int(pw.co2_peak_year) and co2[n] > co2[n - 1] * (1 + 1e-7) + 1e-6:
                return False
    return True


def irreversible_plan(seasons: PathwaySolution, years: list[int]) -> YearDesign:
    """The solved seasons' plans made irreversible: a candidate built from the first season
    whose plan builds it on, a retirable source kept in every season up to the last one
    whose plan keeps it. Both err on the side of capacity (more is available than the
    seasons' plans asked for), so the plan tends to stay feasible. ``years``: every season
    of the pathway; those after the last solved season take its values (a start to be
    completed by HiGHS, not a plan)."""
    plans = {
        year: plan_decisions(r, hm.net)
        for year, hm, r in zip(seasons.years, seasons.models, seasons.results, strict=True)
    }
    last = seasons.years[-1]
    out: YearDesign = {}
    keys = {key for plan in plans.values() for key in plan}
    for kind, ident in keys:
        seq = [(y, plans[y][(kind, ident)]) for y in seasons.years if (kind, ident) in plans[y]]
        if kind == "keep_source":
            last_kept = max((y for y, v in seq if v > 0.5), default=None)
            for y, _ in seq:
                out[(kind, ident, y)] = float(last_kept is not None and y <= last_kept)
        else:
            first = min((y for y, v in seq if v > 0.5), default=None)
            for y, _ in seq:
                out[(kind, ident, y)] = float(first is not None and y >= first)
        if (kind, ident, last) in out:
            for y in years:
                if y > last:
                    out[(kind, ident, y)] = out[(kind, ident, last)]
    return out


def _combine_seasons(
    results: list[SolveResult], discount: np.ndarray, bound: float | None
) -> SolveResult:
    """The pathway's result from seasons solved alone whose plans link up: the discounted
    sum of their costs, the bound Σ δ_y L_y, their sizes and times added; the first
    season not solved to optimality gives the status."""
    objective = float(
        sum(d * float(r.objective_cny) for d, r in zip(discount, results, strict=True))
    )  # type: ignore[arg-type]
    bad = next((r for r in results if r.status is not Status.OPTIMAL), None)
    n = len(results)
    return SolveResult(
        status=Status.OPTIMAL if bad is None else bad.status,
        termination=(
            f"{results[0].termination if bad is None else bad.termination} "
            f"({n} seasons solved alone; their plans are irreversible, so together they "
            "are the pathway's plan)"
        ),
        objective_cny=objective,
        bound_cny=bound,
        mip_gap=design_gap(objective, bound),
        has_solution=True,
        **_added(results, (*_TIMES, *_SIZES, "n_binaries")),
    )


def _combine(results: list[SolveResult], discount: np.ndarray, chunks: int) -> SolveResult:
    """One result for years solved one by one: the discounted sum of their costs, their
    times and sizes added; the first year not solved to optimality gives the status."""
    common = _added(results, (*_TIMES, *_SIZES))
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
        """The pathway MILP on aggregated periods (:func:`solve_pathway_milp`)."""
        return solve_pathway_milp(
            net1,
            self.opts,
            settings,
            fixed=self.fixed,
            warm_start=start,
            extra=self.extra,
            active=active,
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
    res, sol = solve_pathway_milp(
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
