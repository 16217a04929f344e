"""One solve from end to end: network → mode → model(s) → HiGHS → result tables → summary.

``heatnet.solve(...)`` reads the network (or takes it as given), chooses how to solve it
(:func:`choose_mode`: one MILP, or a design stage on aggregated periods and the full season
as an LP, :mod:`heatnet.stages`), builds the result tables (:mod:`heatnet.results`) and the
summary (:class:`heatnet.storage.RunSummary`), and returns a :class:`~heatnet.storage.Run`;
``Run.write()`` stores it under ``results/<name>/`` (:mod:`heatnet.storage`).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from heatnet.diagnose import shortage_diagnosis
from heatnet.errors import InputError, Problem, SolveError
from heatnet.io import network_and_warnings
from heatnet.model import ExtraRules, HeatModel
from heatnet.network import Network
from heatnet.options import SolveOptions
from heatnet.pathway import (
    design_pathway,
    discounted_breakdown,
    pathway_block,
    pathway_tables,
    solve_pathway_once,
)
from heatnet.results import build_tables, decisions, make_summary, top_limits
from heatnet.rules import constraints_summary
from heatnet.schema import DECISION_SOURCE_STATUSES, check_run_name
from heatnet.security import security_summary
from heatnet.solve import SolveResult, Status
from heatnet.stages import (
    DesignOutcome,
    TimeSliceDesign,
    TypicalDayDesign,
    design_and_dispatch,
    full_model_columns,
    min_emissions_t,
    plan_decisions,
    solve_season_milp,
    solver_settings,
    typical_day_network,
)
from heatnet.storage import Run, RunSummary, default_run_name, year_tables


def solve(
    network: Network | str | os.PathLike[str] | None = None,
    options: SolveOptions | None = None,
    *,
    profiles: str | os.PathLike[str] | None = None,
    name: str | None = None,
    fixed: Mapping[tuple[str, str], float] | None = None,
    warm_start: Mapping[tuple[str, str], float] | None = None,
    extra: ExtraRules | None = None,
) -> Run:
    """Solve the retirement-and-routing MILP for a network and return the :class:`Run`.

    Args:
        network: a :class:`Network`, a network folder, or None for the embedded Jinan network.
        options: solver options (gap, time limit, threads, typical days, two-stage …).
        profiles: profiles CSV to use instead of the network's (only with a folder).
        name: run name (default ``<network>_<timestamp>``).
        fixed: decisions to fix, ``{(kind, id): 0 or 1}``; kind is ``keep_source``,
            ``build_source`` or ``build_pipe``.
        warm_start: decisions offered to HiGHS as a starting plan (same keys as ``fixed``).
        extra: your own rules, ``extra(m, v)`` adding linear Pyomo constraints over the named
            variables ``v.keep[id]``, ``v.build[id]`` and ``v.heat[id]`` (season heat, MWh)
            — see :func:`heatnet.model.add_extra` and docs/rules.md. They hold on every
            route and in both stages of a two-stage solve.

    The mode (:func:`choose_mode`) is ``two_stage`` for hourly seasons by default: the
    retirements and builds are chosen on K typical days (stage 1, a MILP), then fixed, and the
    full season is solved as an LP (stage 2), so every reported figure — cost, CO2, unserved
    heat, prices — is at full resolution. The result's bound is stage 1's proven bound (valid
    for the full-resolution MILP, see :mod:`heatnet.aggregate`) and its gap the design gap;
    the time limit applies to stage 1. The summary's ``solve_mode`` says which mode was used.

    The run is returned whatever the solver status; check ``run.is_optimal``.
    """
    t_start = time.perf_counter()
    net, warnings = network_and_warnings(network, profiles)
    run_name = check_run_name(name) if name else default_run_name(net)
    opts = automatic_options(net, options or SolveOptions(), fixed)
    mode, k = choose_mode(net, opts, fixed)
    if net.pathway is not None:
        return _pathway_run(net, opts, (mode, k), run_name, warnings, fixed, warm_start, extra)
    outcome: DesignOutcome | None = None
    with tempfile.TemporaryDirectory(prefix="heatnet-log-") as tmp:
        if mode == "two_stage":
            outcome = _design(net, opts, k, Path(tmp), fixed, warm_start, extra)
            res, hm, log = outcome.result, outcome.model, outcome.log
        else:
            if mode == "typical_days":
                net, _ = typical_day_network(net, k)
            res, hm, log = _one_stage(net, opts, Path(tmp) / "highs.log", fixed, warm_start, extra)
    why = res.infeasibility or (outcome.stage1.infeasibility if outcome else [])
    why_error = res.infeasibility_error or (outcome.stage1.infeasibility_error if outcome else "")
    if why_error:
        warnings = [
            *warnings,
            Problem(
                None, f"the infeasibility could not be explained: {why_error}", severity="warning"
            ),
        ]
    tables = build_tables(hm, res) if res.has_solution and hm is not None else {}
    summary = make_summary(net, opts, res, tables, time.perf_counter() - t_start, warnings)
    if tables and summary.get("unserved_mwh", 0.0) > 0:
        summary["shortage"] = shortage_diagnosis(net, tables)
    if res.status is Status.INFEASIBLE:
        summary["infeasibility"] = _explain(net, opts, why, why_error, fixed)
    _mode_keys(summary, opts, mode, k, outcome)
    if net.security is not None:
        summary["security"] = _security(net, opts, res, tables, fixed)
    if net.constraints is not None:
        summary["constraints"] = constraints_summary(net, tables)
    return Run(run_name, net, opts, res, tables, summary, warnings, log)


def _mode_keys(
    summary: RunSummary, opts: SolveOptions, mode: str, k: int, outcome: DesignOutcome | None
) -> None:
    """The summary's ``solve_mode``, ``typical_days``, ``time_slices`` and ``two_stage``."""
    summary["solve_mode"] = mode
    slices = opts.time_slices is not None and mode == "two_stage"
    summary["typical_days"] = k if mode != "single_stage" and not slices else None
    summary["time_slices"] = outcome.block.get("time_slices") if outcome and slices else None
    if outcome is not None:
        summary["two_stage"] = outcome.block


def _pathway_run(
    net: Network,
    opts: SolveOptions,
    mode_k: tuple[SolveMode, int],
    run_name: str,
    warnings: list[Problem],
    fixed: Mapping[tuple[str, str], float] | None,
    warm_start: Mapping[tuple[str, str], float] | None,
    extra: ExtraRules | None,
) -> Run:
    """:func:`solve` for a network with a ``pathway:`` block (spec v1.1 §4,
    :mod:`heatnet.pathway`): the same modes, the tables with a ``year`` column, the
    ``timeline`` table and the summary's ``pathway`` block. Figures that describe one plan
    (decisions, security, rules) are the last year's."""
    t_start = time.perf_counter()
    mode, k = mode_k
    outcome: DesignOutcome | None = None
    with tempfile.TemporaryDirectory(prefix="heatnet-log-") as tmp:
        if mode == "two_stage":
            t0 = time.perf_counter()
            grouping = (
                TimeSliceDesign.of(net, k)
                if opts.time_slices is not None
                else TypicalDayDesign.of(net, k)
            )
            outcome = design_pathway(
                net, opts, grouping, Path(tmp), fixed, warm_start, time.perf_counter() - t0, extra
            )
            res, sol, log = outcome.result, outcome.model, outcome.log
        else:
            if mode == "typical_days":
                net, _ = typical_day_network(net, k)
            res, sol, log = solve_pathway_once(
                net, opts, Path(tmp) / "highs.log", fixed, warm_start, extra
            )
    tables = pathway_tables(net, sol) if res.has_solution and sol is not None else {}
    summary = make_summary(net, opts, res, tables, time.perf_counter() - t_start, warnings)
    if tables:
        block = pathway_block(net, sol, tables, opts.allow_unserved)
        summary["pathway"] = block
        summary["cost_breakdown_cny"] = discounted_breakdown(block)
        last = year_tables(tables)
        summary.update(decisions(last["sources"], last["pipes"]))
        last_net = sol.models[-1].net
        if last_net.security is not None:
            summary["security"] = {
                "year": sol.years[-1],
                **security_summary(last_net, plan_decisions(sol.results[-1], last_net), {}),
            }
        if last_net.constraints is not None:
            summary["constraints"] = constraints_summary(last_net, last)
    if res.status is Status.INFEASIBLE:
        why = res.infeasibility or (outcome.stage1.infeasibility if outcome else [])
        summary["infeasibility"] = {"limits_in_conflict": top_limits(why)}
    _mode_keys(summary, opts, mode, k, outcome)
    return Run(run_name, net, opts, res, tables, summary, warnings, log)


def _security(
    net: Network,
    opts: SolveOptions,
    res: SolveResult,
    tables: dict[str, pd.DataFrame],
    fixed: Mapping[tuple[str, str], float] | None,
) -> dict[str, object]:
    """The summary's ``security`` block (:func:`heatnet.security.security_summary`), the
    ``security`` table added to ``tables``; with ``opts.security_cost``, the same solve
    without the block gives the cost of security [CNY/year]."""
    design = plan_decisions(res, net) if tables else None
    block = security_summary(net, design, tables)
    if opts.security_cost and res.objective_cny is not None:
        without = solve(
            net.replace(security=None),
            dataclasses.replace(opts, security_cost=False, heat_prices=False),
            fixed=fixed,
        )
        cost = without.result.objective_cny
        block["cost_of_security_cny"] = None if cost is None else res.objective_cny - cost
        block["cost_of_security_status"] = without.summary["status"]
        if cost is not None:
            # two MIP optima, each within its gap: a difference inside the gaps is no cost
            gaps = (res.mip_gap or 0.0) * abs(res.objective_cny) + (
                without.result.mip_gap or 0.0
            ) * abs(cost)
            block["cost_of_security_within_gaps"] = abs(res.objective_cny - cost) <= gaps
        if tables and without.tables:
            block["changed_by_security"] = _changed_decisions(tables, without.tables)
    return block


def _changed_decisions(
    secure: dict[str, pd.DataFrame], free: dict[str, pd.DataFrame]
) -> dict[str, str]:
    """What security changes in the plan: ``{id: "decision without → with security"}`` for
    every source and pipe whose decision differs."""
    out: dict[str, str] = {}
    for table in ("sources", "pipes"):
        a, b = free[table]["decision"], secure[table]["decision"]
        for ident in a.index[a.reindex(b.index).ne(b).reindex(a.index).fillna(False)]:
            out[str(ident)] = f"{a[ident]} → {b[ident]}"
    return out


DEFAULT_TYPICAL_DAYS = 12
SolveMode = Literal["single_stage", "two_stage", "typical_days"]


def _all_decided(net: Network, fixed: Mapping[tuple[str, str], float] | None) -> bool:
    """True when ``fixed`` settles every decision (retirable and candidate sources, candidate
    pipes), so that the model is an LP."""
    n_decisions = int(net.sources["status"].isin(DECISION_SOURCE_STATUSES).sum()) + int(
        (net.pipes["status"] == "candidate").sum()
    )
    return n_decisions <= len(fixed or {})


def choose_mode(
    net: Network, options: SolveOptions, fixed: Mapping[tuple[str, str], float] | None = None
) -> tuple[SolveMode, int]:
    """How :func:`solve` will solve ``net``: the mode and the number of typical days K.

    * ``two_stage``: ``options.two_stage`` is True, or it is None (automatic) and the profiles
      are finer than daily (``weight_h`` < 24 h) with more than 24·K periods — e.g. the hourly
      season (2,904 periods) with K = 12. Needs free binaries: with every decision fixed the
      full-resolution model is already an LP and is solved as one (``single_stage``).
    * ``typical_days``: ``options.two_stage`` is False and ``options.typical_days`` is set:
      one MILP on the K typical days; every reported figure is then at typical-day resolution.
    * ``single_stage``: one MILP at the profiles' own resolution (the daily default network).

    With ``options.time_slices`` set the mode is ``two_stage`` on K = ``time_slices`` time
    slices (any resolution); it cannot be combined with ``typical_days`` or a single stage.
    """
    if options.time_slices is not None:
        clash = (
            [
                Problem(
                    None,
                    "time slices and typical days are two ways to aggregate the "
                    "design stage; choose one",
                    column="time_slices",
                    expected="time_slices or typical_days",
                    found="both",
                )
            ]
            if options.typical_days is not None
            else []
        )
        if options.two_stage is False:
            clash.append(
                Problem(
                    None,
                    "time slices are a design stage: they need a two-stage solve",
                    column="time_slices",
                    expected="two-stage",
                    found="single-stage",
                )
            )
        if clash:
            raise InputError(clash, context="conflicting solve options")
    k = options.time_slices or options.typical_days or DEFAULT_TYPICAL_DAYS
    w = net.weights_h
    sub_daily = bool(len(w)) and float(np.median(w)) < 24.0
    all_fixed = _all_decided(net, fixed)
    if options.time_slices is not None:
        two = True
    elif options.two_stage is None:
        two = sub_daily and net.n_periods > 24 * k
    else:
        two = bool(options.two_stage)
    if two and not all_fixed:
        return "two_stage", k
    if options.two_stage is False and options.typical_days is not None:
        return "typical_days", k
    return "single_stage", k


#: Above this many columns in the full-resolution MILP, a solve with no aggregation chosen
#: designs on time slices (see :func:`automatic_options`).
AUTO_SLICES_COLUMNS = 500_000
AUTO_TIME_SLICES = 24


def automatic_options(
    net: Network, options: SolveOptions, fixed: Mapping[tuple[str, str], float] | None = None
) -> SolveOptions:
    """The options a solve really uses: when the caller chose no aggregation (``two_stage``,
    ``typical_days`` and ``time_slices`` all None), decisions are free and the
    full-resolution MILP would exceed :data:`AUTO_SLICES_COLUMNS` columns, design on
    :data:`AUTO_TIME_SLICES` time slices — a city-scale MILP at full resolution does not
    reach a useful gap in minutes on 2 cores (docs/performance.md). Otherwise unchanged."""
    if (
        options.two_stage is not None
        or options.typical_days is not None
        or options.time_slices is not None
    ):
        return options
    if _all_decided(net, fixed) or full_model_columns(net) <= AUTO_SLICES_COLUMNS:
        return options
    return dataclasses.replace(options, time_slices=min(AUTO_TIME_SLICES, net.n_periods))


def _explain(
    net: Network,
    opts: SolveOptions,
    why: list[str],
    why_error: str,
    fixed: Mapping[tuple[str, str], float] | None,
) -> dict[str, object]:
    """Why a solve is infeasible: with a CO2 cap, the least CO2 any plan reaches under the
    same unserved-heat rule (:func:`_least_co2`); the solver's infeasible subsystem in network
    terms (``why``), cut to the :data:`~heatnet.results.MAX_LIMITS_SHOWN` most telling
    limits; and (when unserved heat was forbidden) where the best plan would leave heat
    unserved if allowed."""
    out: dict[str, object] = {}
    cap = net.economics.co2_cap_t
    if cap is not None:
        out.update(_least_co2(net, opts, fixed), co2_cap_t=cap)
    out["limits_in_conflict"] = top_limits(why)
    if why_error:
        out["analysis_failed"] = why_error
    if not opts.allow_unserved:
        probe = solve(
            net,
            dataclasses.replace(
                opts, allow_unserved=True, heat_prices=False, two_stage=False, typical_days=None
            ),
            fixed=fixed,
        )
        if probe.tables:
            out["shortage_if_unserved_heat_were_allowed"] = shortage_diagnosis(net, probe.tables)
    return out


def _least_co2(
    net: Network, opts: SolveOptions, fixed: Mapping[tuple[str, str], float] | None
) -> dict[str, object]:
    """The least season CO2 of any plan for ``net`` without its CO2 cap, at the solve's
    unserved-heat rule (none when unserved heat is forbidden, else at most
    ``opts.max_unserved_mwh``) and with its fixed decisions: ``least_co2_t`` [tCO2],
    ``least_co2_status`` and ``least_co2_max_unserved_mwh`` (0 = all heat served, None = no
    limit). Empty when no plan exists even without the cap (the cap is then not the cause)."""
    try:
        least, res = min_emissions_t(
            net.with_economics(co2_cap_t=None),
            dataclasses.replace(opts, heat_prices=False, verbose=False, log_file=None),
            max_unserved_mwh=opts.max_unserved_mwh if opts.allow_unserved else None,
            fixed=fixed,
        )
    except SolveError:
        return {}
    return {
        "least_co2_t": float(least),
        "least_co2_status": res.status.value,
        "least_co2_max_unserved_mwh": opts.max_unserved_mwh if opts.allow_unserved else 0.0,
    }


def _one_stage(
    net: Network,
    opts: SolveOptions,
    log_path: Path,
    fixed: Mapping[tuple[str, str], float] | None,
    warm_start: Mapping[tuple[str, str], float] | None,
    extra: ExtraRules | None = None,
) -> tuple[SolveResult, HeatModel, str]:
    """One MILP on ``net``'s own periods: the result, the model and the HiGHS log."""
    res, hm = solve_season_milp(
        net, opts, solver_settings(opts, log_file=log_path), fixed, extra, warm_start
    )
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    return res, hm, log


def _design(
    net: Network,
    opts: SolveOptions,
    k: int,
    log_dir: Path,
    fixed: Mapping[tuple[str, str], float] | None,
    warm_start: Mapping[tuple[str, str], float] | None,
    extra: ExtraRules | None = None,
) -> DesignOutcome:
    """The two-stage solve on time slices (if chosen) or typical days."""
    t0 = time.perf_counter()
    grouping = (
        TimeSliceDesign.of(net, k) if opts.time_slices is not None else TypicalDayDesign.of(net, k)
    )
    aggregate_s = time.perf_counter() - t0
    return design_and_dispatch(
        net, opts, grouping, log_dir, fixed, warm_start, aggregate_s, extra=extra
    )


__all__ = [
    "Run",
    "SolveOptions",
    "SolveResult",
    "Status",
    "choose_mode",
    "make_summary",
    "solve",
]
