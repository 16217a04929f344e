"""One solve from end to end: network → model → HiGHS → result tables → results folder.

``heatnet.solve(...)`` returns a :class:`Run`; ``Run.write()`` stores it under
``results/<name>/`` without ever overwriting an earlier run (the folder is written under a
temporary name and renamed only when complete).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import platform
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from heatnet.aggregate import TimeSlices, TypicalDays, time_slices, typical_days
from heatnet.diagnose import shortage_diagnosis
from heatnet.errors import InputError, Problem, SolveError
from heatnet.io import (
    read_network,
    resolve_network_path,
    shareable_mode,
    write_csv_atomic,
    write_json_atomic,
    write_network,
    write_text_atomic,
)
from heatnet.model import build_model, period_costs
from heatnet.network import Network
from heatnet.results import build_tables, cost_breakdown, decisions, kpis
from heatnet.solve import SolveOptions, SolveResult, Status, solve_model

TABLE_FILES = ("sources", "pipes", "dispatch", "flows", "nodes", "prices", "periods")
RUN_NAME = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]{0,99}$")


def input_hash(net: Network) -> str:
    """SHA-256 of everything that defines the optimisation (economics, tables, profiles)."""
    h = hashlib.sha256()
    h.update(json.dumps(dataclasses.asdict(net.economics), sort_keys=True).encode())
    for df in (net.nodes, net.sources, net.pipes, net.demands, net.profiles):
        h.update(df.to_csv(lineterminator="\n").encode())
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of heatnet, its solver stack and Python."""
    out = {"python": platform.python_version()}
    for pkg in ("heatnet", "pyomo", "highspy", "pandas", "numpy", "networkx", "plotly"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


@dataclass
class Run:
    """A finished solve: inputs, options, solver result, result tables and summary.

    ``tables`` is empty when the solver found no solution. Use :attr:`is_optimal` before
    presenting the figures as an optimum.
    """

    name: str
    network: Network
    options: SolveOptions
    result: SolveResult
    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)
    highs_log: str = ""

    @property
    def is_optimal(self) -> bool:
        """True only for a proven optimum within the MIP gap."""
        return self.result.is_optimal

    def __getattr__(self, item: str) -> pd.DataFrame:
        # sources, pipes, dispatch, flows, nodes, prices, periods as attributes
        tables = self.__dict__.get("tables", {})
        if item in TABLE_FILES:
            if item not in tables:
                raise AttributeError(
                    f"run {self.__dict__.get('name')!r} has no solution, so no {item} table"
                )
            return tables[item]
        raise AttributeError(item)

    def write(
        self, results_dir: str | os.PathLike[str] = "results", name: str | None = None
    ) -> Path:
        """Write the run to ``results_dir/<name>/`` (a new folder; ``-2``, ``-3``… is added
        if the name is taken) and return the folder."""
        root = Path(results_dir)
        folder_name = check_run_name(name or self.name)
        root.mkdir(parents=True, exist_ok=True)
        target = root / folder_name
        n = 2
        while target.exists():
            target = root / f"{folder_name}-{n}"
            n += 1
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{folder_name}.partial-"))
        try:
            os.chmod(tmp, shareable_mode(folder=True))
            write_json_atomic(tmp / "summary.json", dict(self.summary, name=target.name))
            for key, df in self.tables.items():
                index = not isinstance(df.index, pd.RangeIndex)
                write_csv_atomic(df, tmp / f"{key}.csv", index=index, neutralise=True)
            write_network(self.network, tmp / "inputs")
            if self.highs_log:
                write_text_atomic(tmp / "highs.log", self.highs_log)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target


def check_run_name(name: str) -> str:
    """A run name that is a plain folder name inside the results folder, or InputError."""
    if not RUN_NAME.match(name) or name in {".", ".."}:
        raise InputError(
            [
                Problem(
                    None,
                    "invalid run name",
                    column="--name",
                    expected="letters, digits, '_', '-', '.' (no '/' or '..'), "
                    "starting with a letter or digit, at most 100 characters",
                    found=repr(name),
                )
            ]
        )
    return name


def default_run_name(net: Network) -> str:
    """``<network>_<YYYYmmdd-HHMMSS>``, a new name for every solve."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = re.sub(r"[^A-Za-z0-9_.\-\u4e00-\u9fff]", "_", net.name) or "run"
    return f"{base}_{stamp}"


def make_summary(
    net: Network,
    options: SolveOptions,
    res: SolveResult,
    tables: dict[str, pd.DataFrame],
    hm_allow_unserved: bool,
    total_s: float,
    warnings: list[Problem],
) -> dict[str, Any]:
    """The JSON summary of a run (keys documented in docs/results.md)."""
    summary: dict[str, Any] = {
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
        k = kpis(tables["sources"], tables["pipes"], nodes)
        breakdown = cost_breakdown(net, tables, hm_allow_unserved)
        summary.update(k)
        summary["cost_breakdown_cny"] = breakdown
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
            "options": {
                k: (str(v) if isinstance(v, Path) else v)
                for k, v in dataclasses.asdict(options).items()
                if k != "log_file"
            },
            "input_hash": input_hash(net),
            "versions": package_versions(),
            "warnings": [str(p) for p in warnings],
        }
    )
    return summary


DEFAULT_TYPICAL_DAYS = 12
SolveMode = Literal["single_stage", "two_stage", "typical_days"]


def _all_decided(net: Network, fixed: Mapping[tuple[str, str], float] | None) -> bool:
    """True when ``fixed`` settles every decision (retirable and candidate sources, candidate
    pipes), so that the model is an LP."""
    n_decisions = int(net.sources["status"].isin(["retirable", "candidate"]).sum()) + int(
        (net.pipes["status"] == "candidate").sum()
    )
    return n_decisions <= len(fixed or {})


def design_gap(objective_cny: float | None, bound_cny: float | None) -> float | None:
    """Relative gap of a plan's cost to a valid lower bound, (cost − bound) / |cost|, at least
    0; None when either is missing."""
    if objective_cny is None or bound_cny is None:
        return None
    return max(0.0, (objective_cny - bound_cny) / abs(objective_cny)) if objective_cny else 0.0


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


def full_model_columns(net: Network) -> int:
    """Columns of ``net``'s full-resolution model, estimated without building it: per period
    one per active source, one or two per pipe (by direction) and one per demand node."""
    active = int(net.sources["status"].isin(["existing", "retirable", "candidate"]).sum())
    pipes = net.pipes[net.pipes["status"] != "unavailable"]
    per_period = (
        active + len(pipes) + int(pipes["bidirectional"].sum()) + int(net.demands["node"].nunique())
    )
    return per_period * net.n_periods


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


def _peak_weights(net: Network) -> dict[str, float]:
    """Design load on each profile column [MW] (to find the design hour)."""
    loads = net.demands.groupby("profile")["design_load_mw"].sum()
    return {str(c): float(v) for c, v in loads.items()}


def typical_day_network(net: Network, k: int) -> tuple[Network, TypicalDays]:
    """``net`` with its profiles replaced by K typical days (mean representation, the peak
    day kept; see :mod:`heatnet.aggregate`)."""
    td = typical_days(net.profiles, k, peak_weights=_peak_weights(net))
    profiles = td.profiles.copy()
    profiles.index = pd.RangeIndex(len(profiles), name=net.profiles.index.name)
    return net.replace(profiles=profiles, profiles_path=None), td


def _decisions(hm_res: SolveResult, net: Network) -> dict[tuple[str, str], float]:
    """The binary decisions of a solution, ``{(kind, id): 0 or 1}``."""
    s = net.sources[net.sources["status"].isin(["existing", "retirable", "candidate"])]
    p = net.pipes[net.pipes["status"] != "unavailable"]
    retirable = [str(i) for i in s.index[s["status"] == "retirable"]]
    cand_src = [str(i) for i in s.index[s["status"] == "candidate"]]
    cand_pipe = [str(i) for i in p.index[p["status"] == "candidate"]]
    v = hm_res.values
    out: dict[tuple[str, str], float] = {}
    for kind, ids, key in (
        ("keep_source", retirable, "k"),
        ("build_source", cand_src, "b"),
        ("build_pipe", cand_pipe, "y"),
    ):
        for ident, value in zip(ids, v[key], strict=True):
            out[(kind, ident)] = float(round(value))
    return out


#: Size [columns] of the period chunks a full-resolution LP with a fixed design is cut into.
#: Measured on the 1,000-district city × 288 periods: one LP of 1.65 M columns 84 s in HiGHS;
#: chunks of one period (5,700 columns) 25 s end to end; of 24 periods 31 s.
STAGE2_CHUNK_COLUMNS = 20_000


def solve_fixed_design(
    net: Network, opts: SolveOptions, design: Mapping[tuple[str, str], float]
) -> tuple[SolveResult, Any]:
    """The full-resolution model with every decision fixed: an LP, solved by period chunks.

    With the binaries fixed, periods are linked only by the season's emissions cap; without
    one, the LP separates into one LP per period. Cutting it into chunks of about
    :data:`STAGE2_CHUNK_COLUMNS` columns and solving them one after another gives the same
    optimum (the sum of the chunks' operating costs plus the design's fixed costs), prices
    and dispatch as one big LP, several times faster for city-scale networks (simplex time
    grows faster than linearly with size). With an emissions cap the LP is solved whole.

    Returns the result (values and prices over all periods) and the model of the whole
    season, built but, when chunked, not handed to HiGHS (the tables read it for shapes,
    ids and costs). ``opts.log_file`` receives the log of the first chunk.
    """
    t0 = time.perf_counter()
    hm = build_model(net, allow_unserved=opts.allow_unserved, fixed=design)
    build_s = time.perf_counter() - t0
    T = net.n_periods
    per_period = max(hm.lp.n_cols / max(T, 1), 1.0)
    chunk = max(1, int(STAGE2_CHUNK_COLUMNS // per_period))
    if net.economics.co2_cap_t is not None or chunk >= T:
        return solve_model(hm, opts, build_s=build_s), hm
    parts: list[tuple[int, int, SolveResult]] = []
    fixed_part = 0.0
    for a in range(0, T, chunk):
        b = min(a + chunk, T)
        profiles = net.profiles.iloc[a:b].reset_index(drop=True)
        profiles.index.name = net.profiles.index.name
        t1 = time.perf_counter()
        hm_c = build_model(
            net.replace(profiles=profiles, profiles_path=None),
            allow_unserved=opts.allow_unserved,
            fixed=design,
        )
        opts_c = opts if a == 0 else dataclasses.replace(opts, log_file=None, verbose=False)
        res_c = solve_model(hm_c, opts_c, build_s=time.perf_counter() - t1)
        parts.append((a, b, res_c))
        if a == 0 and res_c.objective_cny is not None:
            # every chunk's objective holds the design's fixed costs: take them once, here
            fixed_part = res_c.objective_cny - float(period_costs(hm_c, res_c.values).sum())
        if res_c.status is not Status.OPTIMAL:
            break  # the whole LP cannot be optimal; report this chunk's status
    results = [p[2] for p in parts]
    timing = {
        key: sum(getattr(r, key) for r in results) for key in ("handoff_s", "solve_s", "prices_s")
    }
    sizes = {
        key: sum(getattr(r, key) for r in results) for key in ("n_cols", "n_rows", "n_nonzeros")
    }
    common = dict(
        build_s=build_s + sum(r.build_s for r in results),
        peak_rss_mb=max(r.peak_rss_mb for r in results),
        n_binaries=0,
        **timing,
        **sizes,
    )
    last = results[-1]  # the chunks stop at the first one not solved to optimality
    if last.status is not Status.OPTIMAL:
        return dataclasses.replace(
            last,
            termination=f"{last.termination} in period chunk {parts[-1][0]}–{parts[-1][1] - 1}",
            **common,
        ), hm
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
    ), hm


def _read_log(path: Path) -> str:
    """A HiGHS log file's text ("" if HiGHS wrote none)."""
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _two_stage(
    net: Network,
    opts: SolveOptions,
    k: int,
    log_dir: Path,
    fixed: Mapping[tuple[str, str], float] | None,
    warm_start: Mapping[tuple[str, str], float] | None,
) -> tuple[SolveResult, Any, dict[str, Any], str]:
    """Design on K typical days, then the full season as an LP with the design fixed.

    Returns the combined result (figures of stage 2, bound of stage 1), the stage-2 model,
    the ``two_stage`` summary block and the combined HiGHS log.
    """
    t0 = time.perf_counter()
    net1, td = typical_day_network(net, k)
    aggregate_s = time.perf_counter() - t0
    log1, log2 = log_dir / "stage1.log", log_dir / "stage2.log"
    opts1 = dataclasses.replace(opts, heat_prices=False, log_file=log1)
    t1 = time.perf_counter()
    hm1 = build_model(net1, allow_unserved=opts.allow_unserved, fixed=fixed)
    res1 = solve_model(hm1, opts1, build_s=time.perf_counter() - t1, warm_start=warm_start)
    block: dict[str, Any] = {
        "typical_days": td.k,
        "representation": td.representation,
        "peak_day": td.day_labels[td.peak_day],
        "typical_day_labels": [td.day_labels[d] for d in td.representative_day],
        "days_per_typical_day": [int(n) for n in td.days_per_cluster],
        "stage1_periods": net1.n_periods,
        "stage2_periods": net.n_periods,
        "stage1_status": res1.status.value,
        "stage1_objective_cny": res1.objective_cny,
        "stage1_bound_cny": res1.bound_cny,
        "stage1_mip_gap": res1.mip_gap,
        "bound_source": (
            "stage-1 MILP dual bound on mean typical days (a relaxation of the "
            "full-resolution MILP)"
            if td.is_relaxation
            else "none"
        ),
    }

    if not res1.has_solution:
        block.update(
            stage2_objective_cny=None,
            design_gap=None,
            timings_s={"aggregate": aggregate_s, "stage1": _times(res1)},
        )
        return res1, None, block, _read_log(log1)
    design = {**_decisions(res1, net1), **dict(fixed or {})}
    opts2 = dataclasses.replace(opts, log_file=log2, time_limit_s=None)
    res2, hm2 = solve_fixed_design(net, opts2, design)
    bound = res1.bound_cny if td.is_relaxation else None
    obj2 = res2.objective_cny
    gap = design_gap(obj2, bound)
    status = res2.status
    if status is Status.OPTIMAL:
        status = (
            Status.OPTIMAL if gap is not None and gap <= opts.two_stage_gap else Status.FEASIBLE
        )
    unserved1 = float((res1.values["u"] * net1.weights_h).sum()) if res1.values else None
    block.update(
        stage2_status=res2.status.value,
        stage2_objective_cny=obj2,
        design_gap=gap,
        design_gap_tolerance=opts.two_stage_gap,
        stage1_unserved_mwh=unserved1,
        stage2_unserved_mwh=(
            float((res2.values["u"] * net.weights_h).sum()) if res2.values else None
        ),
        decisions={f"{kind}:{ident}": int(v) for (kind, ident), v in design.items()},
        timings_s={"aggregate": aggregate_s, "stage1": _times(res1), "stage2": _times(res2)},
    )
    result = dataclasses.replace(
        res2,
        status=status,
        termination=f"two-stage: stage 1 {res1.termination}, stage 2 {res2.termination}",
        bound_cny=bound,
        mip_gap=gap,
        build_s=res1.build_s + res2.build_s,
        handoff_s=res1.handoff_s + res2.handoff_s,
        solve_s=res1.solve_s + res2.solve_s,
        prices_s=res1.prices_s + res2.prices_s,
        n_binaries=res1.n_binaries,
        stage1=res1,
    )
    log = (
        f"==== stage 1: {td.k} typical days ====\n{_read_log(log1)}\n"
        f"==== stage 2: full resolution, design fixed ====\n{_read_log(log2)}"
    )
    return result, hm2, block, log


def _two_stage_slices(
    net: Network,
    opts: SolveOptions,
    k: int,
    log_dir: Path,
    fixed: Mapping[tuple[str, str], float] | None,
    warm_start: Mapping[tuple[str, str], float] | None,
) -> tuple[SolveResult, Any, dict[str, Any], str]:
    """Design on K time slices refined until the design gap is small, then the full season.

    Each round: (1) the MILP on the current slices (a relaxation, so its proven bound is a
    valid lower bound on the full-resolution optimum; the best bound of all rounds is kept),
    warm-started from the previous round's design; (2) the full-resolution LP with that
    design fixed (an upper bound: a real plan). The plan reported is the round with the
    lowest full-resolution cost; the design gap is (its cost − best bound) / its cost. The
    target gap is the larger of ``opts.two_stage_gap`` and ``opts.mip_gap`` (asking for a 1 %
    MIP gap means a plan within 1 %), and each stage-1 MILP is solved to a quarter of it,
    leaving the rest to the aggregation. The rounds stop when the gap is within the target,
    after
    ``opts.max_refinements`` refinements, when no slice can be split, or when the time limit
    (``opts.time_limit_s``, counted over all rounds) is spent. Between rounds the slices that
    lose most — full-resolution operating cost of their periods minus their cost in the
    slice model, for the same design — are split (:meth:`TimeSlices.refine`).

    Returns the combined result (figures of the best plan at full resolution, best bound),
    its full-resolution model, the ``two_stage`` summary block and the combined HiGHS log.
    """
    t_start = time.perf_counter()
    ts: TimeSlices = time_slices(net.profiles, k, peak_weights=_peak_weights(net))
    aggregate_s = time.perf_counter() - t_start
    w = net.weights_h
    rounds: list[dict[str, Any]] = []
    logs: list[str] = []
    best: tuple[SolveResult, Any, dict[tuple[str, str], float]] | None = None
    best_bound: float | None = None
    last1: SolveResult | None = None
    seen: dict[tuple[tuple[tuple[str, str], float], ...], tuple[SolveResult, Any]] = {}
    start = dict(warm_start or {}) or None
    totals = dict.fromkeys(("build_s", "handoff_s", "solve_s", "prices_s"), 0.0)
    target = max(opts.two_stage_gap, opts.mip_gap)
    out_of_time = False

    for r in range(opts.max_refinements + 1):
        remaining = None
        if opts.time_limit_s is not None:
            remaining = opts.time_limit_s - (time.perf_counter() - t_start)
            if remaining <= 0 and r > 0:
                out_of_time = True
                break
            remaining = max(remaining, 1.0)
        profiles1 = ts.aggregate(net.profiles)
        profiles1.index = pd.RangeIndex(len(profiles1), name=net.profiles.index.name)
        net1 = net.replace(profiles=profiles1, profiles_path=None)
        log1 = log_dir / f"round{r}_stage1.log"
        opts1 = dataclasses.replace(
            opts, heat_prices=False, log_file=log1, time_limit_s=remaining, mip_gap=target / 4
        )
        t1 = time.perf_counter()
        hm1 = build_model(net1, allow_unserved=opts.allow_unserved, fixed=fixed)
        res1 = solve_model(hm1, opts1, build_s=time.perf_counter() - t1, warm_start=start)
        logs.append(f"==== round {r}, stage 1: {ts.k} time slices ====\n{_read_log(log1)}")
        for key in ("build_s", "handoff_s", "solve_s", "prices_s"):
            totals[key] += getattr(res1, key)
        last1 = res1
        out_of_time = out_of_time or res1.status is Status.TIME_LIMIT
        if res1.bound_cny is not None and math.isfinite(res1.bound_cny):
            best_bound = res1.bound_cny if best_bound is None else max(best_bound, res1.bound_cny)
        info: dict[str, Any] = {
            "round": r,
            "time_slices": ts.k,
            "stage1_status": res1.status.value,
            "stage1_objective_cny": res1.objective_cny,
            "stage1_bound_cny": res1.bound_cny,
            "stage1_mip_gap": res1.mip_gap,
            "stage1_solve_s": res1.solve_s,
        }
        if not res1.has_solution:
            rounds.append(info)
            break
        design = {**_decisions(res1, net1), **dict(fixed or {})}
        key_ = tuple(sorted(design.items()))
        if key_ in seen:
            res2, hm2 = seen[key_]
            info["stage2"] = "same design as an earlier round"
        else:
            log2 = log_dir / f"round{r}_stage2.log"
            opts2 = dataclasses.replace(opts, log_file=log2, time_limit_s=None)
            res2, hm2 = solve_fixed_design(net, opts2, design)
            seen[key_] = (res2, hm2)
            logs.append(
                f"==== round {r}, stage 2: full resolution, design fixed ====\n{_read_log(log2)}"
            )
            for key in ("build_s", "handoff_s", "solve_s", "prices_s"):
                totals[key] += getattr(res2, key)
        info.update(stage2_status=res2.status.value, stage2_objective_cny=res2.objective_cny)
        if best is None or (
            res2.objective_cny is not None
            and (best[0].objective_cny is None or res2.objective_cny < best[0].objective_cny)
        ):
            best = (res2, hm2, design)
        gap = design_gap(best[0].objective_cny, best_bound)
        info.update(
            best_bound_cny=best_bound, design_gap=gap, elapsed_s=time.perf_counter() - t_start
        )
        rounds.append(info)
        if not res2.has_solution or (gap is not None and gap <= target):
            break
        if res1.status is not Status.OPTIMAL and res1.status is not Status.FEASIBLE:
            break  # stage 1 ran out of time: no round left to refine in
        cost_t = period_costs(hm2, res2.values)
        cost1 = period_costs(hm1, res1.values)
        loss = np.bincount(ts.assignment, weights=cost_t, minlength=ts.k) - cost1
        refined = ts.refine(cost_t / w, loss)
        if refined.k == ts.k:
            break
        ts, start = refined, design

    if last1 is None:
        raise SolveError("no design round ran: max_refinements must be at least 0")
    block: dict[str, Any] = {
        "aggregation": "time_slices",
        "time_slices": ts.k,
        "initial_time_slices": k,
        "peak_period": str(net.profiles["period"].iloc[ts.peak_period]),
        "stage1_periods": ts.k,
        "stage2_periods": net.n_periods,
        "stage1_status": last1.status.value,
        "stage1_objective_cny": last1.objective_cny,
        "stage1_bound_cny": last1.bound_cny,
        "stage1_mip_gap": last1.mip_gap,
        "bound_source": (
            "best stage-1 MILP dual bound over the rounds of time slices (each a "
            "relaxation of the full-resolution MILP)"
        ),
        "stopped_by_time_limit": out_of_time,
        "rounds": rounds,
    }
    if best is None:
        block.update(
            stage2_objective_cny=None,
            design_gap=None,
            timings_s={"aggregate": aggregate_s, "total": time.perf_counter() - t_start},
        )
        return last1, None, block, "\n".join(logs)
    res2, hm2, design = best
    obj2 = res2.objective_cny
    gap = design_gap(obj2, best_bound)
    status = res2.status
    if status is Status.OPTIMAL:
        if gap is not None and gap <= target:
            status = Status.OPTIMAL
        else:  # a plan, but not proven within the target: say why the rounds stopped
            status = Status.TIME_LIMIT if out_of_time else Status.FEASIBLE
    block.update(
        stage2_status=res2.status.value,
        stage2_objective_cny=obj2,
        best_bound_cny=best_bound,
        design_gap=gap,
        design_gap_tolerance=target,
        stage2_unserved_mwh=(float((res2.values["u"] * w).sum()) if res2.values else None),
        decisions={f"{kind}:{ident}": int(v) for (kind, ident), v in design.items()},
        timings_s={"aggregate": aggregate_s, "total": time.perf_counter() - t_start},
    )
    result = dataclasses.replace(
        res2,
        status=status,
        termination=(
            f"two-stage on time slices: {len(rounds)} round(s), last stage 1 "
            f"{last1.termination}, stage 2 {res2.termination}"
        ),
        bound_cny=best_bound,
        mip_gap=gap,
        n_binaries=last1.n_binaries,
        stage1=last1,
        **totals,
    )
    return result, hm2, block, "\n".join(logs)


def _explain(
    net: Network,
    opts: SolveOptions,
    res: SolveResult,
    fixed: Mapping[tuple[str, str], float] | None,
) -> dict[str, Any]:
    """Why a solve is infeasible: the solver's infeasible subsystem in network terms, and (when
    unserved heat was forbidden) where the best plan would leave heat unserved if allowed."""
    why = list(res.infeasibility or (res.stage1.infeasibility if res.stage1 else []))
    out: dict[str, Any] = {"limits_in_conflict": why}
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


def _times(res: SolveResult) -> dict[str, float]:
    return {
        "build": res.build_s,
        "handoff": res.handoff_s,
        "solve": res.solve_s,
        "prices": res.prices_s,
    }


def solve(
    network: Network | str | os.PathLike[str] | None = None,
    options: SolveOptions | None = None,
    *,
    profiles: str | os.PathLike[str] | None = None,
    name: str | None = None,
    fixed: Mapping[tuple[str, str], float] | None = None,
    warm_start: Mapping[tuple[str, str], float] | None = None,
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

    The mode (:func:`choose_mode`) is ``two_stage`` for hourly seasons by default: the
    retirements and builds are chosen on K typical days (stage 1, a MILP), then fixed, and the
    full season is solved as an LP (stage 2), so every reported figure — cost, CO2, unserved
    heat, prices — is at full resolution. The result's bound is stage 1's proven bound (valid
    for the full-resolution MILP, see :mod:`heatnet.aggregate`) and its gap the design gap;
    the time limit applies to stage 1. The summary's ``solve_mode`` says which mode was used.

    The run is returned whatever the solver status; check ``run.is_optimal``.
    """
    opts = options or SolveOptions()
    t_start = time.perf_counter()
    if isinstance(network, Network):
        net, warnings = network, []
        if profiles is not None:
            raise InputError(
                [
                    Problem(
                        None,
                        "profiles can only be swapped when the network is given as a folder",
                        column="profiles",
                    )
                ]
            )
    else:
        loaded, problems = read_network(network, profiles)
        if loaded is None:
            raise InputError(
                problems, context=f"network {resolve_network_path(network)} cannot be used"
            )
        net, warnings = loaded, [p for p in problems if p.severity == "warning"]
    run_name = check_run_name(name) if name else default_run_name(net)
    opts = automatic_options(net, opts, fixed)
    mode, k = choose_mode(net, opts, fixed)
    two_stage_block: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="heatnet-log-") as tmp:
        log_path = Path(tmp) / "highs.log"
        if mode == "two_stage":
            two_stage_fn = _two_stage_slices if opts.time_slices is not None else _two_stage
            res, hm, two_stage_block, log = two_stage_fn(net, opts, k, Path(tmp), fixed, warm_start)
        else:
            if mode == "typical_days":
                net, _ = typical_day_network(net, k)
            solve_opts = dataclasses.replace(opts, log_file=log_path)
            t0 = time.perf_counter()
            hm = build_model(net, allow_unserved=opts.allow_unserved, fixed=fixed)
            build_s = time.perf_counter() - t0
            res = solve_model(hm, solve_opts, build_s=build_s, warm_start=warm_start)
            log = (
                log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
            )
    tables = build_tables(hm, res) if res.has_solution and hm is not None else {}
    total = time.perf_counter() - t_start
    summary = make_summary(net, opts, res, tables, opts.allow_unserved, total, warnings)
    if tables and summary.get("unserved_mwh", 0.0) > 0:
        summary["shortage"] = shortage_diagnosis(net, tables)
    if res.status is Status.INFEASIBLE:
        summary["infeasibility"] = _explain(net, opts, res, fixed)
    summary["solve_mode"] = mode
    slices = opts.time_slices is not None and mode == "two_stage"
    summary["typical_days"] = k if mode != "single_stage" and not slices else None
    summary["time_slices"] = (two_stage_block or {}).get("time_slices") if slices else None
    if two_stage_block is not None:
        summary["two_stage"] = two_stage_block
    return Run(run_name, net, opts, res, tables, summary, warnings, log)


def min_emissions_t(
    net: Network,
    options: SolveOptions | None = None,
    *,
    max_unserved_mwh: float | None = None,
) -> tuple[float, SolveResult]:
    """The least season emissions any plan can reach [tCO2], and the solver result.

    Leaving heat unserved emits nothing, so give ``max_unserved_mwh`` (e.g. the unserved heat
    of the minimum-cost plan) to ask for the least emissions at that service level. The
    returned ``SolveResult.objective_cny`` holds tonnes here, not CNY.
    """
    opts = dataclasses.replace(options or SolveOptions(), heat_prices=False)
    t0 = time.perf_counter()
    hm = build_model(
        net, allow_unserved=opts.allow_unserved, objective="co2", max_unserved_mwh=max_unserved_mwh
    )
    res = solve_model(hm, opts, build_s=time.perf_counter() - t0)
    if res.objective_cny is None:
        raise SolveError(f"no plan found when minimising emissions (status {res.status.value})")
    return res.objective_cny, res


@dataclass
class StoredRun:
    """A run read back from its results folder (see :func:`read_run`).

    Attributes:
        folder: the run folder.
        summary: the parsed ``summary.json``.
        tables: result tables by name (``sources``, ``pipes``, ``dispatch``, ``flows``,
            ``nodes``, ``prices``, ``periods``); ``sources`` and ``pipes`` indexed by id.
        network: the resolved inputs the run was solved with (``inputs/``).
    """

    folder: Path
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    network: Network

    @property
    def name(self) -> str:
        """Run name (the folder name)."""
        return self.folder.name


def read_run(folder: str | os.PathLike[str]) -> StoredRun:
    """Read a run folder written by :meth:`Run.write` (tables as written, ids as index for
    ``sources`` and ``pipes``). Raises :class:`InputError` if it is not a complete run."""
    path = Path(folder)
    summary_path = path / "summary.json"
    if not summary_path.is_file():
        raise InputError(
            [
                Problem(
                    str(path),
                    "not a heatnet run folder",
                    expected="a folder with summary.json written by heatnet solve",
                    found="no summary.json",
                )
            ]
        )
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    tables: dict[str, pd.DataFrame] = {}
    for key in TABLE_FILES:
        f = path / f"{key}.csv"
        if f.is_file():
            df = pd.read_csv(f, keep_default_na=False, na_values=[""])
            if key in ("sources", "pipes") and "id" in df.columns:
                df = df.set_index("id")
            tables[key] = df
    # a scenario may strand a district (a warning when it was solved): read the inputs the same way
    net, problems = read_network(path / "inputs", strict_graph=False)
    if net is None:
        raise InputError(problems, context=f"the inputs of run {path} cannot be read")
    return StoredRun(path, summary, tables, net)


__all__ = [
    "Run",
    "SolveOptions",
    "SolveResult",
    "Status",
    "StoredRun",
    "choose_mode",
    "cost_breakdown",
    "read_run",
    "solve",
]
