"""Two-stage solves: design on aggregated periods, then dispatch the full season.

A two-stage solve chooses the plan — which sources to keep or build, which pipes to build —
on a small model of aggregated periods (stage 1, a MILP), then fixes it and solves the full
season at its own resolution (stage 2, an LP, :func:`solve_fixed_design`). Both groupings of
:mod:`heatnet.aggregate` go through one loop, :func:`design_and_dispatch`:

* **typical days** (:class:`TypicalDayDesign`): K mean days, the peak day kept; when their
  design is not within the target gap they become time slices (typical day × hour) and are
  refined like them.
* **time slices** (:class:`TimeSliceDesign`): K groups of periods, the design hour alone,
  refined between rounds where the full-resolution dispatch shows the slices lose most.

Both are relaxations of the full-resolution MILP (their periods are weighted means), so every
stage-1 dual bound is a valid lower bound on the full optimum and every stage-2 cost is the
cost of a real plan. The reported plan is the cheapest stage-2 plan; the design gap is
(its cost − best bound) / its cost. One status rule (:func:`design_status`) says what the
outcome is: ``optimal`` within the target gap, else ``time_limit`` if the time limit stopped
the design, else ``feasible``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from heatnet.aggregate import TimeSlices, TypicalDays, time_slices, typical_days
from heatnet.errors import SolveError
from heatnet.model import ExtraRules, HeatModel, build_model, links_periods, period_costs
from heatnet.network import Network, contingency_set
from heatnet.options import SolveOptions
from heatnet.schema import ACTIVE_SOURCE_STATUSES
from heatnet.security import security_check
from heatnet.solve import SolveResult, SolverSettings, Status, solve_model

Design = dict[tuple[str, str], float]
"""A plan's binary decisions, ``{(kind, id): 0 or 1}`` (kinds: ``heatnet.model.BINARY_KINDS``)."""

#: Size [columns] of the period chunks a full-resolution LP with a fixed design is cut into.
#: Measured on the 1,000-district city × 288 periods: one LP of 1.65 M columns 84 s in HiGHS;
#: chunks of one period (5,700 columns) 25 s end to end; of 24 periods 31 s.
STAGE2_CHUNK_COLUMNS = 20_000

_TIMES = ("build_s", "handoff_s", "solve_s", "prices_s")


def solver_settings(opts: SolveOptions, **changes: Any) -> SolverSettings:
    """The solver's part of ``opts`` (what :func:`heatnet.solve.solve_model` needs), with
    ``changes`` applied."""
    fields = {f.name: getattr(opts, f.name) for f in dataclasses.fields(SolverSettings)}
    return SolverSettings(**{**fields, **changes})


def design_gap(objective_cny: float | None, bound_cny: float | None) -> float | None:
    """Relative gap of a plan's cost to a valid lower bound, (cost − bound) / |cost|, at least
    0; None when either is missing."""
    if objective_cny is None or bound_cny is None:
        return None
    return max(0.0, (objective_cny - bound_cny) / abs(objective_cny)) if objective_cny else 0.0


def design_status(stage2: Status, gap: float | None, target: float, out_of_time: bool) -> Status:
    """The one status rule of a two-stage solve.

    A plan whose full-resolution LP is not optimal keeps that LP's status. Otherwise it is
    ``optimal`` when its design gap is known and at most ``target``; above it (or unknown),
    ``time_limit`` when the time limit stopped the design stage, else ``feasible``.
    """
    if stage2 is not Status.OPTIMAL:
        return stage2
    if gap is not None and gap <= target:
        return Status.OPTIMAL
    return Status.TIME_LIMIT if out_of_time else Status.FEASIBLE


def plan_decisions(res: SolveResult, net: Network) -> Design:
    """The binary decisions of a solution of ``net``'s model, ``{(kind, id): 0 or 1}``."""
    s = net.sources[net.sources["status"].isin(ACTIVE_SOURCE_STATUSES)]
    p = net.pipes[net.pipes["status"] != "unavailable"]
    ids = {
        "k": [str(i) for i in s.index[s["status"] == "retirable"]],
        "b": [str(i) for i in s.index[s["status"] == "candidate"]],
        "y": [str(i) for i in p.index[p["status"] == "candidate"]],
    }
    kinds = {"k": "keep_source", "b": "build_source", "y": "build_pipe"}
    out: Design = {}
    for key, kind in kinds.items():
        for ident, value in zip(ids[key], res.values[key], strict=True):
            out[(kind, ident)] = float(round(value))
    return out


def peak_weights(net: Network) -> dict[str, float]:
    """Design load on each profile column [MW] (to find the design hour)."""
    loads = net.demands.groupby("profile")["design_load_mw"].sum()
    return {str(c): float(v) for c, v in loads.items()}


def with_profiles(net: Network, profiles: pd.DataFrame) -> Network:
    """``net`` with its profiles replaced (rows renumbered from 0)."""
    profiles = profiles.copy()
    profiles.index = pd.RangeIndex(len(profiles), name=net.profiles.index.name)
    return net.replace(profiles=profiles, profiles_path=None)


def typical_day_network(net: Network, k: int) -> tuple[Network, TypicalDays]:
    """``net`` with its profiles replaced by K typical days (mean representation, the peak
    day kept; see :mod:`heatnet.aggregate`)."""
    td = typical_days(net.profiles, k, peak_weights=peak_weights(net))
    return with_profiles(net, td.profiles), td


def min_emissions_t(
    net: Network,
    options: SolveOptions | None = None,
    *,
    max_unserved_mwh: float | None = None,
    fixed: Mapping[tuple[str, str], float] | None = None,
) -> tuple[float, SolveResult]:
    """The least season emissions any plan can reach [tCO2], and the solver result.

    Leaving heat unserved emits nothing, so give ``max_unserved_mwh`` (e.g. the unserved heat
    of the minimum-cost plan) to ask for the least emissions at that service level. ``fixed``
    decisions are fixed as in :func:`solve`. The returned ``SolveResult.objective_cny`` holds
    tonnes here, not CNY.
    """
    opts = options or SolveOptions()
    t0 = time.perf_counter()
    hm = build_model(
        net,
        allow_unserved=opts.allow_unserved,
        fixed=fixed,
        objective="co2",
        max_unserved_mwh=max_unserved_mwh,
    )
    res = solve_model(
        hm, solver_settings(opts, heat_prices=False), build_s=time.perf_counter() - t0
    )
    if res.objective_cny is None:
        raise SolveError(f"no plan found when minimising emissions (status {res.status.value})")
    return res.objective_cny, res


#: Above this many security columns (design-hour cases × the network's sources, pipes and
#: districts), the contingencies are screened (:func:`solve_secured`). Measured on the
#: 1,000-district city × 288 periods with 139 contingencies (0.94 M security columns): every
#: case in the MILP, 2.1 % gap at 600 s and 11.5 GB; screened, 0.87 % proven in 451 s and
#: 3.3 GB (benchmarks/RESULTS.md).
SCREEN_SECURITY_COLUMNS = 200_000


def full_model_columns(net: Network) -> int:
    """Columns of ``net``'s full-resolution model, estimated without building it: per period
    one per active source, one or two per pipe (by direction) and one per demand node (× the
    seasons of a pathway)."""
    active = int(net.sources["status"].isin(ACTIVE_SOURCE_STATUSES).sum())
    pipes = net.pipes[net.pipes["status"] != "unavailable"]
    per_period = (
        active + len(pipes) + int(pipes["bidirectional"].sum()) + int(net.demands["node"].nunique())
    )
    years = 1 if net.pathway is None else len(net.pathway.years)
    return per_period * net.n_periods * years


def security_columns(net: Network) -> int:
    """Columns the security families of ``net`` would add with every case in the model."""
    if net.security is None:
        return 0
    pipes, sources, _ = contingency_set(net)
    live = net.pipes[net.pipes["status"] != "unavailable"]
    per_case = (
        int(net.sources["status"].isin(ACTIVE_SOURCE_STATUSES).sum())
        + len(live)
        + int(live["bidirectional"].sum())
        + int(net.demands["node"].nunique())
    )
    return (len(pipes) + len(sources) + 1) * per_case


def solve_secured(
    net: Network,
    build: Callable[[bool | frozenset[str]], HeatModel],
    settings: SolverSettings,
    warm_start: Mapping[tuple[str, str], float] | None = None,
    active: set[str] | None = None,
) -> tuple[SolveResult, HeatModel]:
    """Build (``build(security)``, see :func:`heatnet.model.build_model`) and solve the model
    of ``net``, whose network may carry a security block.

    Up to :data:`SCREEN_SECURITY_COLUMNS` every design-hour case is in the MILP. Above, the
    contingencies are *screened*, as transmission planners do for N-1: solve with the intact
    case and the contingencies found so far, check the plan against every contingency
    (:func:`heatnet.security.security_check`, one LP of the design period), add the ones it
    fails, and solve again, until the plan fails none. Every round is a relaxation of the
    full MILP (fewer rows), so its bound is valid; the last plan passes every case, so it is
    the full MILP's answer. The time limit covers all rounds; a plan still failing some case
    when it runs out is not reported (no solution). ``active``: contingencies already known
    to matter (a design loop's earlier rounds); it is updated with the ones found here.
    """
    if security_columns(net) <= SCREEN_SECURITY_COLUMNS:
        t0 = time.perf_counter()
        hm = build(True)
        return solve_model(
            hm, settings, build_s=time.perf_counter() - t0, warm_start=warm_start
        ), hm
    t_start = time.perf_counter()
    active = set() if active is None else active
    times = dict.fromkeys(_TIMES, 0.0)
    rounds = 0
    while True:
        remaining = None
        if settings.time_limit_s is not None:
            remaining = max(settings.time_limit_s - (time.perf_counter() - t_start), 1.0)
        t0 = time.perf_counter()
        hm = build(frozenset(active))
        res = solve_model(
            hm,
            dataclasses.replace(settings, time_limit_s=remaining),
            build_s=time.perf_counter() - t0,
            warm_start=warm_start,
        )
        rounds += 1
        for key in _TIMES:
            times[key] += getattr(res, key)
        if not res.has_solution:
            break
        check = security_check(hm.net, plan_decisions(res, hm.net))
        failed = [c for c in (check.violated if check else []) if c not in active]
        if not failed:
            break
        active.update(failed)
        warm_start = None  # the plan fails the new cases: no start
        if settings.time_limit_s is not None and (
            time.perf_counter() - t_start >= settings.time_limit_s
        ):
            res = dataclasses.replace(
                res,
                status=Status.TIME_LIMIT,
                has_solution=False,
                objective_cny=None,
                mip_gap=None,
                values={},
                termination=f"time limit with {len(failed)} contingencies still failed",
            )
            break
    pipes, sources, _ = contingency_set(net)
    n = len(pipes) + len(sources)
    return dataclasses.replace(
        res,
        termination=f"{res.termination} (security screened: {rounds} round(s), "
        f"{len(active)} of {n} contingencies in the model)",
        **times,
    ), hm


def solve_season_milp(
    net: Network,
    opts: SolveOptions,
    settings: SolverSettings,
    fixed: Mapping[tuple[str, str], float] | None = None,
    extra: ExtraRules | None = None,
    warm_start: Mapping[tuple[str, str], float] | None = None,
    active: set[str] | None = None,
) -> tuple[SolveResult, HeatModel]:
    """One season's MILP on ``net``'s own periods, built with ``opts``' unserved-heat
    settings, ``fixed`` and ``extra``, security cases screened (:func:`solve_secured`)."""
    return solve_secured(
        net,
        lambda security: build_model(
            net,
            allow_unserved=opts.allow_unserved,
            fixed=fixed,
            max_unserved_mwh=opts.max_unserved_mwh,
            extra=extra,
            security=security,
        ),
        settings,
        warm_start=warm_start,
        active=active,
    )


# --- stage 2 ----------------------------------------------------------------------------------


def solve_fixed_design(
    net: Network,
    opts: SolveOptions,
    design: Mapping[tuple[str, str], float],
    extra: ExtraRules | None = None,
) -> tuple[SolveResult, HeatModel]:
    """The full-resolution model with every decision fixed: an LP, solved by period chunks.

    With the binaries fixed, periods are linked only by the season's emissions cap and cap
    on unserved heat (``opts.max_unserved_mwh``); without them, the LP separates into one LP
    per period. Cutting it into chunks of about
    :data:`STAGE2_CHUNK_COLUMNS` columns and solving them one after another gives the same
    optimum (the sum of the chunks' operating costs plus the design's fixed costs), prices
    and dispatch as one big LP, several times faster for city-scale networks (simplex time
    grows faster than linearly with size). With a row over the whole season (the emissions
    or unserved-heat cap, a minimum heat share: :func:`heatnet.model.links_periods`) the LP
    is solved whole.

    Returns the result (values and prices over all periods) and the model of the whole
    season, built but, when chunked, not handed to HiGHS (the tables read it for shapes,
    ids and costs). ``opts.log_file`` receives the log of the first chunk.
    """
    t0 = time.perf_counter()
    hm = build_model(
        net,
        allow_unserved=opts.allow_unserved,
        fixed=design,
        max_unserved_mwh=opts.max_unserved_mwh,
        security=False,
        extra=extra,
    )
    build_s = time.perf_counter() - t0
    T = net.n_periods
    chunk = max(1, int(STAGE2_CHUNK_COLUMNS // max(hm.lp.n_cols / max(T, 1), 1.0)))
    # the user's rules may sum over the season (heat totals): solved whole too
    season_wide = links_periods(net) or opts.max_unserved_mwh is not None or extra is not None
    if season_wide or chunk >= T:
        return solve_model(hm, solver_settings(opts), build_s=build_s), hm
    parts: list[tuple[int, int, SolveResult]] = []
    fixed_part = 0.0
    for a in range(0, T, chunk):
        b = min(a + chunk, T)
        t1 = time.perf_counter()
        hm_c = build_model(
            with_profiles(net, net.profiles.iloc[a:b]),
            allow_unserved=opts.allow_unserved,
            fixed=design,
            security=False,
        )
        settings = solver_settings(opts) if a == 0 else solver_settings(opts, log_file=None)
        res_c = solve_model(
            hm_c,
            dataclasses.replace(settings, verbose=settings.verbose and a == 0),
            build_s=time.perf_counter() - t1,
        )
        parts.append((a, b, res_c))
        if a == 0 and res_c.objective_cny is not None:
            # every chunk's objective holds the design's fixed costs: take them once, here
            fixed_part = res_c.objective_cny - float(period_costs(hm_c, res_c.values).sum())
        if res_c.status is not Status.OPTIMAL:
            break  # the whole LP cannot be optimal; report this chunk's status
    return _stitch_chunks(hm, parts, chunk, build_s, fixed_part), hm


def _stitch_chunks(
    hm: HeatModel,
    parts: list[tuple[int, int, SolveResult]],
    chunk: int,
    build_s: float,
    fixed_part: float,
) -> SolveResult:
    """One result for the whole season from the period chunks' results: values and prices
    side by side, times and sizes added up, the objective as the design's fixed costs plus
    the operating cost of every period [CNY/year]."""
    results = [p[2] for p in parts]
    common: dict[str, Any] = {
        key: sum(getattr(r, key) for r in results)
        for key in ("handoff_s", "solve_s", "prices_s", "n_cols", "n_rows", "n_nonzeros")
    }
    common.update(
        build_s=build_s + sum(r.build_s for r in results),
        peak_rss_mb=max(r.peak_rss_mb for r in results),
        n_binaries=0,
    )
    last = results[-1]  # the chunks stop at the first one not solved to optimality
    if last.status is not Status.OPTIMAL:
        return dataclasses.replace(
            last,
            termination=f"{last.termination} in period chunk {parts[-1][0]}–{parts[-1][1] - 1}",
            **common,
        )
    first = results[0]
    values = {
        name: np.concatenate([r.values[name] for r in results], axis=1)
        for name in ("g", "fp", "fm", "u")
    }
    values.update({name: first.values[name] for name in ("k", "b", "y")})
    prices = None
    if all(r.prices_cny_per_mwh is not None for r in results):
        prices = np.concatenate([r.prices_cny_per_mwh for r in results], axis=1)
    objective = fixed_part + float(period_costs(hm, values).sum())
    return SolveResult(
        status=Status.OPTIMAL,
        termination=(
            f"{first.termination} ({len(results)} period chunks of up to {chunk} periods)"
        ),
        objective_cny=objective,
        bound_cny=objective,
        mip_gap=0.0,
        has_solution=True,
        values=values,
        prices_cny_per_mwh=prices,
        **common,
    )


# --- groupings of the design stage ------------------------------------------------------------


class DesignGrouping(Protocol):
    """How the design stage aggregates the season's periods."""

    kind: str  # "typical_days" or "time_slices": the key of K in a round's record

    @property
    def k(self) -> int:
        """Number of aggregated periods' groups."""
        ...

    def network(self, net: Network) -> Network:
        """``net`` on the aggregated periods."""
        ...

    def describe(self, net: Network) -> dict[str, Any]:
        """What the summary's ``two_stage`` block says about the grouping."""
        ...

    def stage1_gap(self, opts: SolveOptions, target: float) -> float:
        """The MIP gap to solve the design MILP on this grouping to [-]."""
        ...

    def refined(self, last: RoundCosts) -> DesignGrouping | None:
        """A finer grouping where the last round lost most, or None when it cannot refine."""
        ...


@dataclass
class RoundCosts:
    """A design round's operating cost per period [CNY]: ``stage1_cny`` on the grouping's
    periods, ``stage2_cny`` at full resolution with stage 1's design fixed (a pathway adds
    its years, discounted); ``net`` is the full-resolution network."""

    net: Network
    stage1_cny: np.ndarray
    stage2_cny: np.ndarray


def _split_slices(
    ts: TimeSlices, last: RoundCosts, stage1_cost_cny: np.ndarray
) -> TimeSlices | None:
    """Split the slices that lose most: the full-resolution operating cost of their periods
    minus their cost in the stage-1 model (``stage1_cost_cny``, per slice), for the same
    design [CNY/year] (:meth:`TimeSlices.refine`); None when no slice can be split."""
    cost_t = last.stage2_cny
    loss = np.bincount(ts.assignment, weights=cost_t, minlength=ts.k) - stage1_cost_cny
    finer = ts.refine(cost_t / last.net.weights_h, loss)
    return None if finer.k == ts.k else finer


@dataclass
class TypicalDayDesign:
    """K typical days (mean representation, the peak day kept). When their design is not
    within the target, they are refined as time slices: slice = (typical day, hour of the
    day), which is the same relaxation, then split where it loses most."""

    td: TypicalDays
    kind: str = "typical_days"

    @classmethod
    def of(cls, net: Network, k: int) -> TypicalDayDesign:
        """The typical days of ``net``'s profiles."""
        return cls(typical_days(net.profiles, k, peak_weights=peak_weights(net)))

    @property
    def k(self) -> int:
        """Number of typical days."""
        return self.td.k

    def network(self, net: Network) -> Network:
        """``net`` on the typical days."""
        return with_profiles(net, self.td.profiles)

    def describe(self, net: Network) -> dict[str, Any]:
        """Typical days, their labels and sizes, and the peak day."""
        td = self.td
        return {
            "aggregation": "typical_days",
            "typical_days": td.k,
            "representation": td.representation,
            "peak_day": td.day_labels[td.peak_day],
            "typical_day_labels": [td.day_labels[d] for d in td.representative_day],
            "days_per_typical_day": [int(n) for n in td.days_per_cluster],
            "bound_source": (
                "stage-1 MILP dual bound on mean typical days (a relaxation of the "
                "full-resolution MILP)"
                if td.is_relaxation
                else "none"
            ),
        }

    def stage1_gap(self, opts: SolveOptions, target: float) -> float:
        """The MIP gap asked for: typical days are the first, cheap round."""
        return opts.mip_gap

    def refined(self, last: RoundCosts) -> DesignGrouping | None:
        """The typical days as time slices, split where they lose most (None for medoid
        days, which are no relaxation, or when nothing can be split)."""
        if not self.td.is_relaxation:
            return None
        net = last.net
        ts = self.td.as_time_slices(net.profiles, peak_weights(net))
        rows = self.td.period_map()  # typical-day row of every period
        first = np.array([int(m[0]) for m in ts.members()])
        stage1_cost = last.stage1_cny[rows[first]]
        finer = _split_slices(ts, last, stage1_cost)
        if finer is None:
            return None
        return TimeSliceDesign(finer, ts.k, origin=self.describe(net))


@dataclass
class TimeSliceDesign:
    """K time slices, the design hour alone, refined between rounds. ``origin`` describes
    the typical days they were refined from, if any."""

    ts: TimeSlices
    initial_k: int
    origin: dict[str, Any] | None = None
    kind: str = "time_slices"

    @classmethod
    def of(cls, net: Network, k: int) -> TimeSliceDesign:
        """The time slices of ``net``'s profiles."""
        return cls(time_slices(net.profiles, k, peak_weights=peak_weights(net)), k)

    @property
    def k(self) -> int:
        """Number of time slices."""
        return self.ts.k

    def network(self, net: Network) -> Network:
        """``net`` on the time slices."""
        return with_profiles(net, self.ts.aggregate(net.profiles))

    def describe(self, net: Network) -> dict[str, Any]:
        """Slices now and at the start, and the design period (after the typical days'
        description when they started from typical days)."""
        now = {
            "time_slices": self.ts.k,
            "initial_time_slices": self.initial_k,
            "peak_period": str(net.profiles["period"].iloc[self.ts.peak_period]),
        }
        if self.origin is not None:
            return {
                **self.origin,
                **now,
                "bound_source": "best stage-1 MILP dual bound over the rounds: mean typical "
                "days, then time slices refined from them (each a relaxation of the "
                "full-resolution MILP)",
            }
        return {
            "aggregation": "time_slices",
            **now,
            "bound_source": (
                "best stage-1 MILP dual bound over the rounds of time slices (each a "
                "relaxation of the full-resolution MILP)"
            ),
        }

    def stage1_gap(self, opts: SolveOptions, target: float) -> float:
        """A quarter of the target: the rest is left to the aggregation."""
        return target / 4

    def refined(self, last: RoundCosts) -> DesignGrouping | None:
        """The slices that lose most, split in two (None when none can be)."""
        finer = _split_slices(self.ts, last, last.stage1_cny)
        return None if finer is None else TimeSliceDesign(finer, self.initial_k, self.origin)


# --- what the design loop solves --------------------------------------------------------------


class DesignProblem(Protocol):
    """What :func:`design_and_dispatch` designs and dispatches: one season
    (:class:`SeasonProblem`) or a pathway of seasons (:class:`heatnet.pathway.PathwayProblem`).
    A "model" is whatever the problem's stages return alongside their results."""

    net: Network

    def stage1(
        self,
        net1: Network,
        settings: SolverSettings,
        start: Mapping[Any, float] | None,
        active: set[str],
    ) -> tuple[SolveResult, Any]:
        """The design MILP on ``net1`` (``net`` on aggregated periods)."""
        ...

    def design(self, net1: Network, res1: SolveResult, model1: Any) -> dict[Any, float]:
        """The binary decisions of a stage-1 solution (the fixed ones included)."""
        ...

    def stage2(self, design: Mapping[Any, float], opts: SolveOptions) -> tuple[SolveResult, Any]:
        """The full-resolution LP of ``net`` with ``design`` fixed."""
        ...

    def period_costs(self, model: Any, res: SolveResult) -> np.ndarray:
        """Operating cost of every period of a solution [CNY] (:func:`period_costs`)."""
        ...

    def describe(self, design: Mapping[Any, float]) -> dict[str, int]:
        """A design as the summary's ``two_stage.decisions`` (``"kind:id"`` → 0/1)."""
        ...


@dataclass
class SeasonProblem:
    """One season (spec §2): the design MILP with every security case screened
    (:func:`solve_secured`) and the fixed-design LP in period chunks
    (:func:`solve_fixed_design`)."""

    net: Network
    opts: SolveOptions
    fixed: Design = field(default_factory=dict)
    extra: ExtraRules | None = None

    def stage1(
        self,
        net1: Network,
        settings: SolverSettings,
        start: Mapping[Any, float] | None,
        active: set[str],
    ) -> tuple[SolveResult, HeatModel]:
        """The design MILP of ``net1``, security cases screened."""
        return solve_season_milp(net1, self.opts, settings, self.fixed, self.extra, start, active)

    def design(self, net1: Network, res1: SolveResult, model1: HeatModel) -> Design:
        """The stage-1 plan and the fixed decisions."""
        return {**plan_decisions(res1, net1), **self.fixed}

    def stage2(self, design: Mapping[Any, float], opts: SolveOptions) -> tuple[SolveResult, Any]:
        """The full season with the plan fixed."""
        return solve_fixed_design(self.net, opts, design, self.extra)

    def period_costs(self, model: HeatModel, res: SolveResult) -> np.ndarray:
        """Operating cost per period [CNY]."""
        return period_costs(model, res.values)

    def describe(self, design: Mapping[Any, float]) -> dict[str, int]:
        """``"kind:id"`` → 0/1."""
        return {f"{kind}:{ident}": int(v) for (kind, ident), v in design.items()}


# --- the design loop --------------------------------------------------------------------------


@dataclass
class DesignOutcome:
    """What :func:`design_and_dispatch` found.

    Attributes:
        result: the solve as reported: figures of the best plan at full resolution, the best
            valid bound, the design gap as ``mip_gap`` and the status of
            :func:`design_status`; when stage 1 found no plan, stage 1's result.
        model: the full-resolution model of the best plan as the problem's stage 2 returns
            it (a :class:`~heatnet.model.HeatModel` for one season; None when there is no
            plan).
        stage1: the last stage-1 result.
        block: the summary's ``two_stage`` block (docs/results.md).
        log: the HiGHS logs of every stage, one after another.
    """

    result: SolveResult
    model: Any
    stage1: SolveResult
    block: dict[str, Any]
    log: str


@dataclass
class _Loop:
    """The state of the design rounds: the best plan and bound so far, totals and logs."""

    problem: DesignProblem
    opts: SolveOptions
    target: float
    t_start: float
    #: contingencies screening found to matter, kept from round to round
    security_active: set[str] = field(default_factory=set)
    net1: Network | None = None  # the network of the last stage 1
    rounds: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    best: tuple[SolveResult, Any, dict[Any, float]] | None = None
    best_bound: float | None = None
    seen: dict[tuple[tuple[Any, float], ...], tuple[SolveResult, Any]] = field(default_factory=dict)
    totals: dict[str, dict[str, float]] = field(
        default_factory=lambda: {s: dict.fromkeys(_TIMES, 0.0) for s in ("stage1", "stage2")}
    )
    out_of_time: bool = False

    @property
    def net(self) -> Network:
        """The full-resolution network."""
        return self.problem.net

    def add_times(self, stage: str, res: SolveResult) -> None:
        for key in _TIMES:
            self.totals[stage][key] += getattr(res, key)

    def remaining_s(self) -> float | None:
        """Seconds left of the time limit (None: no limit)."""
        if self.opts.time_limit_s is None:
            return None
        return self.opts.time_limit_s - (time.perf_counter() - self.t_start)


def _read_log(path: Path) -> str:
    """A HiGHS log file's text ("" if HiGHS wrote none)."""
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _stage1(
    loop: _Loop, grouping: DesignGrouping, r: int, log_dir: Path, start: Mapping[Any, float] | None
) -> tuple[Network, Any, SolveResult]:
    """Round r's design MILP on the grouping's periods, warm-started from ``start``."""
    opts = loop.opts
    remaining = loop.remaining_s()
    net1 = loop.net1 = grouping.network(loop.net)
    log1 = log_dir / f"round{r}_stage1.log"
    settings = solver_settings(
        opts,
        heat_prices=False,
        log_file=log1,
        time_limit_s=None if remaining is None else max(remaining, 1.0),
        mip_gap=grouping.stage1_gap(opts, loop.target),
    )
    res1, hm1 = loop.problem.stage1(net1, settings, start, loop.security_active)
    loop.logs.append(
        f"==== round {r}, stage 1: {grouping.k} {grouping.kind.replace('_', ' ')} ====\n"
        f"{_read_log(log1)}"
    )
    loop.add_times("stage1", res1)
    loop.out_of_time = loop.out_of_time or res1.status is Status.TIME_LIMIT
    if res1.bound_cny is not None and math.isfinite(res1.bound_cny):
        loop.best_bound = (
            res1.bound_cny if loop.best_bound is None else max(loop.best_bound, res1.bound_cny)
        )
    return net1, hm1, res1


def _stage2(
    loop: _Loop, design: Mapping[Any, float], r: int, log_dir: Path, info: dict[str, Any]
) -> tuple[SolveResult, Any]:
    """Round r's full-resolution LP with ``design`` fixed (once per distinct design)."""
    key = tuple(sorted(design.items()))
    if key in loop.seen:
        info["stage2"] = "same design as an earlier round"
        return loop.seen[key]
    log2 = log_dir / f"round{r}_stage2.log"
    res2, hm2 = loop.problem.stage2(
        design, dataclasses.replace(loop.opts, log_file=log2, time_limit_s=None)
    )
    loop.seen[key] = (res2, hm2)
    loop.logs.append(
        f"==== round {r}, stage 2: full resolution, design fixed ====\n{_read_log(log2)}"
    )
    loop.add_times("stage2", res2)
    return res2, hm2


def design_and_dispatch(
    net: Network,
    opts: SolveOptions,
    grouping: DesignGrouping,
    log_dir: Path,
    fixed: Mapping[tuple[str, str], float] | None = None,
    warm_start: Mapping[tuple[str, str], float] | None = None,
    aggregate_s: float = 0.0,
    extra: ExtraRules | None = None,
    problem: DesignProblem | None = None,
) -> DesignOutcome:
    """Design on aggregated periods, dispatch at full resolution; refine while it pays.

    Each round: (1) the MILP on the grouping's periods (a relaxation, so its proven bound is
    a valid lower bound on the full-resolution optimum; the best bound of all rounds is
    kept), warm-started from the previous round's design (round 0: ``warm_start``); (2) the
    full-resolution LP with that design fixed (an upper bound: a real plan). The target gap
    is the larger of ``opts.two_stage_gap`` and ``opts.mip_gap`` (asking for a 1 % MIP gap
    means a plan within 1 %). Typical days are solved to ``opts.mip_gap``; time slices to a
    quarter of the target, leaving the rest to the aggregation. Between rounds the grouping
    is split where the last design lost most (typical days become time slices first). The
    rounds stop when the gap is within the target, when nothing can be split, after
    ``opts.max_refinements`` refinements, or when the time limit (``opts.time_limit_s``, over
    all rounds; stage 2 has none) is spent. The user's rules (``extra``) hold in both stages:
    on the aggregated periods in stage 1 and over the full season in stage 2. ``problem``
    says what is designed (default: the season of ``net``, :class:`SeasonProblem`, with
    ``fixed`` and ``extra``).
    """
    target = max(opts.two_stage_gap, opts.mip_gap)
    problem = problem or SeasonProblem(net, opts, dict(fixed or {}), extra)
    loop = _Loop(problem, opts, target, time.perf_counter())
    start = dict(warm_start or {}) or None
    last1: SolveResult | None = None
    solved = grouping
    for r in range(opts.max_refinements + 1):
        remaining = loop.remaining_s()
        if r > 0 and remaining is not None and remaining <= 0:
            loop.out_of_time = True
            break
        net1, hm1, last1 = _stage1(loop, grouping, r, log_dir, start)
        solved = grouping
        info: dict[str, Any] = {
            "round": r,
            grouping.kind: grouping.k,
            "stage1_status": last1.status.value,
            "stage1_objective_cny": last1.objective_cny,
            "stage1_bound_cny": last1.bound_cny,
            "stage1_mip_gap": last1.mip_gap,
            "stage1_solve_s": last1.solve_s,
        }
        loop.rounds.append(info)
        if not last1.has_solution:
            break
        design = problem.design(net1, last1, hm1)
        res2, hm2 = _stage2(loop, design, r, log_dir, info)
        info.update(stage2_status=res2.status.value, stage2_objective_cny=res2.objective_cny)
        if loop.best is None or (
            res2.objective_cny is not None
            and (
                loop.best[0].objective_cny is None
                or res2.objective_cny < loop.best[0].objective_cny
            )
        ):
            loop.best = (res2, hm2, design)
        gap = design_gap(loop.best[0].objective_cny, loop.best_bound)
        info.update(
            best_bound_cny=loop.best_bound,
            design_gap=gap,
            elapsed_s=time.perf_counter() - loop.t_start,
        )
        if not res2.has_solution or (gap is not None and gap <= loop.target):
            break
        if last1.status not in (Status.OPTIMAL, Status.FEASIBLE):
            break  # stage 1 ran out of time: no round left to refine in
        finer = grouping.refined(
            RoundCosts(loop.net, problem.period_costs(hm1, last1), problem.period_costs(hm2, res2))
        )
        if finer is None:
            break
        grouping, start = finer, design
    if last1 is None or loop.net1 is None:
        raise SolveError("no design round ran: max_refinements must be at least 0")
    return _outcome(loop, solved, loop.net1, last1, aggregate_s)


def _outcome(
    loop: _Loop, grouping: DesignGrouping, net1: Network, last1: SolveResult, aggregate_s: float
) -> DesignOutcome:
    """The outcome of the rounds: the best plan with the best bound and one status
    (``grouping`` and ``net1``: the grouping and network of the last stage 1)."""
    net = loop.net
    block: dict[str, Any] = {
        **grouping.describe(net),
        "stage1_periods": net1.n_periods,
        "stage2_periods": net.n_periods,
        "stage1_status": last1.status.value,
        "stage1_objective_cny": last1.objective_cny,
        "stage1_bound_cny": last1.bound_cny,
        "stage1_mip_gap": last1.mip_gap,
        "stopped_by_time_limit": loop.out_of_time,
        "rounds": loop.rounds,
    }
    timings = {
        "aggregate": aggregate_s,
        "stage1": _times(loop.totals["stage1"]),
        "stage2": _times(loop.totals["stage2"]),
        "total": aggregate_s + time.perf_counter() - loop.t_start,
    }
    if loop.best is None:
        block.update(stage2_objective_cny=None, design_gap=None, timings_s=timings)
        return DesignOutcome(last1, None, last1, block, "\n".join(loop.logs))
    res2, hm2, design = loop.best
    gap = design_gap(res2.objective_cny, loop.best_bound)
    block.update(
        stage2_status=res2.status.value,
        stage2_objective_cny=res2.objective_cny,
        best_bound_cny=loop.best_bound,
        design_gap=gap,
        design_gap_tolerance=loop.target,
        stage1_unserved_mwh=_unserved_mwh(last1, net1.weights_h),
        stage2_unserved_mwh=_unserved_mwh(res2, net.weights_h),
        decisions=loop.problem.describe(design),
        timings_s=timings,
    )
    if grouping.kind == "typical_days":  # one round on typical days
        termination = f"two-stage: stage 1 {last1.termination}, stage 2 {res2.termination}"
    else:
        on = "typical days refined into time slices" if block.get("typical_days") else "time slices"
        termination = (
            f"two-stage on {on}: {len(loop.rounds)} round(s), last stage 1 "
            f"{last1.termination}, stage 2 {res2.termination}"
        )
    result = dataclasses.replace(
        res2,
        status=design_status(res2.status, gap, loop.target, loop.out_of_time),
        termination=termination,
        bound_cny=loop.best_bound,
        mip_gap=gap,
        n_binaries=last1.n_binaries,
        **{key: loop.totals["stage1"][key] + loop.totals["stage2"][key] for key in _TIMES},
    )
    return DesignOutcome(result, hm2, last1, block, "\n".join(loop.logs))


def _times(totals: Mapping[str, float]) -> dict[str, float]:
    """Stage times as the summary names them [s]."""
    return {key.removesuffix("_s"): totals[key] for key in _TIMES}


def _unserved_mwh(res: SolveResult, weights_h: np.ndarray) -> float | None:
    """Unserved heat of a solution [MWh] (None without one)."""
    return float((res.values["u"] * weights_h).sum()) if res.values else None
