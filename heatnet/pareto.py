"""The cost–CO2 trade-off of a network by the epsilon-constraint method.

Points, from the cheapest plan to the cleanest (each one a full run with its decisions):

0. minimum cost: the plain solve; it gives the season emissions E_max [tCO2] and the unserved
   heat U [MWh] of the cheapest plan.
1. … K. the least-cost plan under the cap ``co2_cap_t = E_max - i (E_max - E_min) / (K + 1)``.
K+1. minimum CO2: E_min = the least emissions any plan reaches without leaving more heat
   unserved than U (:func:`heatnet.stages.min_emissions_t`); then the least-cost plan under the
   cap E_min (1 + 1e-6) + 1e-6 t. The small slack absorbs the solvers' feasibility tolerance,
   so the end point's emissions exceed E_min by at most a millionth.

Leaving heat unserved emits nothing, so a capped point could meet its cap with cold homes
rather than cleaner heat. The front is read as the cost of cutting CO2, so by default every
point holds the minimum-cost plan's service level: its unserved heat is at most
U (1 + 1e-6) + 1e-6 MWh (:attr:`heatnet.options.SolveOptions.max_unserved_mwh`). With
``allow_more_unserved`` the points price unserved heat as usual and may leave more; the column
``unserved_above_min_cost`` of ``pareto.csv`` marks each point that does.

Each point is warm-started from the decisions of the previous (looser) point, which is
feasible there too when the caps are close. A network whose own ``co2_cap_t`` is tighter than a
point's cap keeps its own cap. As the cap tightens, the annual cost never falls (within the
MIP gap): the test suite checks it.

Study folder: ``results/<study>/point_NN_…/`` run folders, ``pareto.csv`` (see
:data:`PARETO_COLUMNS`), ``index.csv`` and ``study.json`` as for a sweep (so ``heatnet compare``
reads it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from heatnet import fmt
from heatnet.errors import InputError, Problem, SolveError
from heatnet.io import write_csv_atomic
from heatnet.network import Network
from heatnet.options import SolveOptions
from heatnet.run import solve
from heatnet.stages import min_emissions_t
from heatnet.storage import (
    PARETO_COLUMNS,
    Run,
    now_text,
    options_dict,
    package_versions,
    prepare_study_dir,
    write_index,
    write_study_meta,
)
from heatnet.sweep import ScenarioOutcome, index_row, outcome_of_run

CAP_SLACK_REL = 1e-6
"""Relative slack on the minimum-CO2 cap [-]."""
CAP_SLACK_ABS_T = 1e-6
"""Absolute slack on the minimum-CO2 cap [tCO2]."""
UNSERVED_SLACK_REL = 1e-6
"""Relative slack on the unserved-heat limit of the minimum-CO2 problem and the points [-]."""
UNSERVED_SLACK_ABS_MWH = 1e-6
"""Absolute slack on that limit [MWh]."""
UNSERVED_MARK_TOL_MWH = 1e-3
"""A point is marked ``unserved_above_min_cost`` when its unserved heat exceeds the limit by
more than this [MWh] (solver tolerance)."""


@dataclass
class ParetoPoint:
    """One point of the front.

    Attributes:
        point: 0 (minimum cost) … K + 1 (minimum CO2).
        name: its run (folder) name.
        co2_cap_t: the cap it was solved with [tCO2] (None for the minimum-cost end).
        run: the solved run.
        folder: its run folder (None if it has no solution).
    """

    point: int
    name: str
    co2_cap_t: float | None
    run: Run
    folder: Path | None


@dataclass
class ParetoFront:
    """The result of :func:`pareto_front`.

    Attributes:
        folder: the study folder.
        points: the points from minimum cost to minimum CO2.
        table: the content of ``pareto.csv``.
        e_max_t: emissions of the minimum-cost plan [tCO2].
        e_min_t: least emissions at the minimum-cost plan's service level [tCO2].
        unserved_limit_mwh: unserved heat allowed when minimising emissions, and at every
            point unless ``allow_more_unserved`` [MWh].
        allow_more_unserved: the capped points were free to leave more heat unserved.
    """

    folder: Path
    points: list[ParetoPoint] = field(default_factory=list)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    e_max_t: float = 0.0
    e_min_t: float = 0.0
    unserved_limit_mwh: float = 0.0
    allow_more_unserved: bool = False

    @property
    def not_optimal(self) -> list[ParetoPoint]:
        """Points that are not proven optimal."""
        return [p for p in self.points if not p.run.is_optimal]


def warm_start_from(sources: pd.DataFrame, pipes: pd.DataFrame) -> dict[tuple[str, str], float]:
    """The decisions of a run as a warm start ``{(kind, id): 0/1}`` for :func:`heatnet.solve`.

    ``sources``/``pipes`` are the run's tables (indexed by id) with their ``decision`` column:
    kept/retired → ``keep_source`` 1/0, built/not_built → ``build_source``/``build_pipe`` 1/0.
    """
    out: dict[tuple[str, str], float] = {}
    for sid, decision in sources["decision"].items():
        if decision in ("kept", "retired"):
            out[("keep_source", str(sid))] = 1.0 if decision == "kept" else 0.0
        elif decision in ("built", "not_built"):
            out[("build_source", str(sid))] = 1.0 if decision == "built" else 0.0
    for pid, decision in pipes["decision"].items():
        if decision in ("built", "not_built"):
            out[("build_pipe", str(pid))] = 1.0 if decision == "built" else 0.0
    return out


def pareto_caps(e_max_t: float, e_min_t: float, points: int) -> list[float]:
    """The K intermediate caps, evenly spaced strictly between E_max and E_min [tCO2]."""
    step = (e_max_t - e_min_t) / (points + 1)
    return [e_max_t - i * step for i in range(1, points + 1)]


ParetoProgress = Callable[[int, int, str], None]
"""Called before each solve with (solves done, solves in all, what is being solved)."""


def require_one_season(net: Network) -> None:
    """Raise :class:`InputError` for a network with a pathway block: the front trades cost
    against one season's CO2."""
    if net.pathway is not None:
        raise InputError(
            [
                Problem(
                    str(net.folder) if net.folder else net.name,
                    "the cost–CO2 front is a one-season study",
                    column="pathway",
                    expected="a network without a pathway: block (or `pathway: null` in a "
                    "scenario); for a pathway, compare scenarios with co2_cap_t per year",
                    found="a pathway of " + ", ".join(str(y) for y in net.pathway.years),
                )
            ]
        )


def pareto_front(
    net: Network,
    options: SolveOptions | None = None,
    *,
    points: int = 4,
    results_dir: str | os.PathLike[str] = "results",
    study: str | None = None,
    on_progress: ParetoProgress | None = None,
    allow_more_unserved: bool = False,
) -> ParetoFront:
    """Solve the cost–CO2 front of ``net`` with ``points`` intermediate caps and write it.

    Args:
        net: the network (its carbon price stays in the cost).
        options: solver options for every point.
        points: number K of caps between the two ends (0 gives only the ends).
        results_dir: folder receiving the study folder.
        study: study name (default ``<network>_pareto_<timestamp>``).
        on_progress: called before each of the K + 3 solves.
        allow_more_unserved: let the capped points leave more heat unserved than the
            minimum-cost plan (priced as usual); by default they leave at most as much.

    Raises :class:`~heatnet.errors.SolveError` if the minimum-cost or the minimum-CO2 problem
    has no solution (nothing to trade off); a point without a solution is recorded and the
    front goes on.
    """
    opts = options or SolveOptions()
    if points < 0:
        raise ValueError("points must be >= 0")
    require_one_season(net)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = re.sub(r"[^A-Za-z0-9_.\-\u4e00-\u9fff]", "_", net.name) or "network"
    name = study or f"{base}_pareto_{stamp}"
    folder = prepare_study_dir(results_dir, name, resume=False)
    total = points + 3
    meta: dict[str, Any] = {
        "study": name,
        "kind": "pareto",
        "network": str(net.folder) if net.folder else net.name,
        "network_name": net.name,
        "scenario_file": None,
        "scenario_file_sha256": "",
        "points": points,
        "allow_more_unserved": allow_more_unserved,
        "options": options_dict(opts),
        "cap_slack": {"relative": CAP_SLACK_REL, "absolute_t": CAP_SLACK_ABS_T},
        "started": now_text(),
        "finished": None,
        "versions": package_versions(),
    }
    write_study_meta(folder, meta)
    front = ParetoFront(folder, allow_more_unserved=allow_more_unserved)
    outcomes: list[ScenarioOutcome] = []

    def record(point: int, label: str, cap: float | None, run: Run) -> ParetoPoint:
        written = run.write(folder, name=label) if run.result.has_solution else None
        p = ParetoPoint(point, label, cap, run, written)
        front.points.append(p)
        outcomes.append(outcome_of_run(run, written, float(run.summary["timings_s"]["total"])))
        front.table = _pareto_table(front.points, folder, front.unserved_limit_mwh)
        write_csv_atomic(front.table, folder / "pareto.csv", neutralise=True)
        write_index(folder, [index_row(o, folder) for o in outcomes])
        return p

    def progress(done: int, what: str) -> None:
        if on_progress:
            on_progress(done, total, what)

    try:
        progress(0, "minimum cost")
        first = record(
            0,
            "point_00_min_cost",
            net.economics.co2_cap_t,
            solve(net, opts, name="point_00_min_cost"),
        )
        if not first.run.result.has_solution:
            raise SolveError(
                f"the minimum-cost plan has no solution "
                f"({first.run.summary['status']}): there is no front to trace"
            )
        e_max = float(first.run.summary["co2_t"])
        unserved = float(first.run.summary["unserved_mwh"])
        limit = unserved * (1 + UNSERVED_SLACK_REL) + UNSERVED_SLACK_ABS_MWH
        front.unserved_limit_mwh = limit
        progress(1, "least emissions")
        e_min, _ = min_emissions_t(net, opts, max_unserved_mwh=limit)
        front.e_max_t, front.e_min_t = e_max, float(e_min)
        point_opts = (
            opts
            if allow_more_unserved or not opts.allow_unserved
            else dataclasses.replace(opts, max_unserved_mwh=limit)
        )
        end_cap = e_min * (1 + CAP_SLACK_REL) + CAP_SLACK_ABS_T
        caps = pareto_caps(e_max, e_min, points) if e_max > end_cap else []
        caps.append(end_cap)
        warm = warm_start_from(first.run.sources, first.run.pipes)
        n_last = len(caps)
        for i, cap in enumerate(caps, start=1):
            label = f"point_{i:02d}_min_co2" if i == n_last else f"point_{i:02d}"
            own = net.economics.co2_cap_t
            effective = cap if own is None else min(cap, own)
            progress(i + 1, f"cap {fmt.co2(effective)}")
            run = solve(
                net.with_economics(co2_cap_t=effective), point_opts, name=label, warm_start=warm
            )
            p = record(i, label, effective, run)
            if p.run.result.has_solution:
                warm = warm_start_from(p.run.sources, p.run.pipes)
        progress(total, "done")
    finally:
        meta.update(
            finished=now_text(),
            e_max_t=front.e_max_t,
            e_min_t=front.e_min_t,
            unserved_limit_mwh=front.unserved_limit_mwh,
        )
        write_study_meta(folder, meta)
    return front


def unserved_above(unserved_mwh: float | None, limit_mwh: float) -> bool:
    """True when a point leaves more heat unserved than the minimum-cost plan: more than the
    front's limit ``limit_mwh`` plus :data:`UNSERVED_MARK_TOL_MWH`."""
    return unserved_mwh is not None and unserved_mwh > limit_mwh + UNSERVED_MARK_TOL_MWH


def _pareto_table(points: list[ParetoPoint], folder: Path, limit_mwh: float) -> pd.DataFrame:
    rows = []
    for p in points:
        s = p.run.summary
        has = p.run.result.has_solution
        unserved = s.get("unserved_mwh") if has else None
        rows.append(
            {
                "point": p.point,
                "co2_cap_t": p.co2_cap_t,
                "status": s["status"],
                "objective_cny": s.get("objective_cny"),
                "co2_t": s.get("co2_t") if has else None,
                "mip_gap": s.get("mip_gap"),
                "folder": os.path.relpath(p.folder, folder) if p.folder else "",
                "unserved_mwh": unserved,
                "waste_heat_share": s.get("waste_heat_share") if has else None,
                "retired": ";".join(s.get("retired", [])),
                "built_pipes": ";".join(s.get("built_pipes", [])),
                "built_sources": ";".join(s.get("built_sources", [])),
                "unserved_above_min_cost": p.point > 0 and unserved_above(unserved, limit_mwh),
            }
        )
    return pd.DataFrame(rows, columns=list(PARETO_COLUMNS))


__all__ = [
    "PARETO_COLUMNS",
    "ParetoFront",
    "ParetoPoint",
    "pareto_caps",
    "pareto_front",
    "unserved_above",
    "warm_start_from",
]
