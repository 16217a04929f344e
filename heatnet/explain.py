"""How firm is each decision of a plan: the optimum with that one decision flipped.

``heatnet explain RUN`` reads a run folder and, for every decision the optimiser took (a
retirable source kept or retired, a candidate source or pipe built or not built: the
``decision`` column of ``sources.csv`` and ``pipes.csv``), solves the run's own inputs with the
run's own options once more with that decision fixed the other way
(``heatnet.solve(net, options, fixed={(kind, id): value}, warm_start=plan)``, the warm start
being the run's plan with the one decision flipped). The answer per decision:

* Δcost = flipped optimum − the run's objective [CNY/year];
* ΔCO2 = the flipped plan's season CO2 − the run's [t];
* CNY per tonne avoided = Δcost / (−ΔCO2), only when the flip lowers CO2;
* ``near_tie`` when Δcost < max(the run's gap, :data:`NEAR_TIE_SHARE`) × |objective|: within
  that margin the run cannot say which way is cheaper, so the decision is a planner's call,
  not a verdict (the flipped plan may even come out a little cheaper than the run's, by up to
  the run's gap);
* a flip that has no feasible plan (say, retiring the last source able to reach a district
  with unserved heat not allowed) is reported ``infeasible``.

The flips are independent solves, run through the sweep's executors
(:func:`heatnet.sweep.run_local`, :func:`heatnet.sweep.run_dask`): one process (or Dask task)
per flip, one HiGHS thread each, no nodal-price LP. Nothing of the run folder is changed
except ``explain.csv`` (:data:`EXPLAIN_COLUMNS`, raw numbers, written atomically once every
flip has ended); the HTML report of the run shows it when it exists.
"""

from __future__ import annotations

import dataclasses
import math
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from heatnet import fmt
from heatnet._worker import SweepTask
from heatnet.errors import InputError, Problem
from heatnet.io import write_csv_atomic
from heatnet.options import SolveOptions
from heatnet.pareto import warm_start_from
from heatnet.run import solve
from heatnet.storage import Run, RunSummary, StoredRun, read_run
from heatnet.sweep import DASK_TIMEOUT_S, FAILED, connect_dask, run_dask, run_local

EXPLAIN_FILE = "explain.csv"
NEAR_TIE_SHARE = 0.005
"""A flip costing less than this share of the objective (or the run's gap, if larger) is a
near-tie [-]."""

EXPLAIN_COLUMNS: tuple[str, ...] = (
    "kind",
    "id",
    "name",
    "decision",
    "flipped_to",
    "status",
    "objective_cny",
    "delta_cost_cny",
    "delta_cost_share",
    "co2_t",
    "delta_co2_t",
    "cny_per_t_avoided",
    "near_tie",
    "near_tie_limit_cny",
    "mip_gap",
    "error",
)
"""Columns of ``explain.csv`` (meanings in docs/results.md)."""

FLIPPED = {"kept": "retired", "retired": "kept", "built": "not_built", "not_built": "built"}
"""The optimiser's decisions that can be flipped, and their opposites."""
INFEASIBLE = "infeasible"
CONSOLE_NAME_CHARS = 16
"""Names longer than this are cut in the console table (explain.csv keeps them whole)."""


@dataclass(frozen=True)
class Flip:
    """One decision of a run, fixed the other way.

    Attributes:
        kind: ``keep_source``, ``build_source`` or ``build_pipe``.
        id: the source or pipe id.
        name: its display name ("" if it has none).
        decision: the run's decision (kept, retired, built, not_built).
        value: the flipped value of the binary (0 or 1).
    """

    kind: str
    id: str
    name: str
    decision: str
    value: float

    @property
    def flipped_to(self) -> str:
        """The decision after the flip."""
        return FLIPPED[self.decision]

    @property
    def label(self) -> str:
        """``kind:id``, the task's name."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class FlipTask(SweepTask):
    """A :class:`~heatnet._worker.SweepTask` that solves with decisions fixed and a warm start
    (pairs ``((kind, id), value)``; tuples, so that the task stays hashable)."""

    fixed: tuple[tuple[tuple[str, str], float], ...] = ()
    warm_start: tuple[tuple[tuple[str, str], float], ...] = ()


def solve_flip(task: SweepTask) -> Run:
    """Solve one flip (runs in a worker process or on a Dask worker); the run comes back
    without its result tables and log, which :func:`explain_run` does not read."""
    fixed = dict(getattr(task, "fixed", ()))
    warm = dict(getattr(task, "warm_start", ())) or None
    run = solve(task.network, task.options, fixed=fixed, warm_start=warm)
    return dataclasses.replace(run, tables={}, highs_log="")


@dataclass
class Explanation:
    """What :func:`explain_run` found.

    Attributes:
        folder: the run folder.
        path: ``explain.csv`` in it.
        table: its content, sorted by Δcost (infeasible and failed flips last).
        objective_cny: the run's objective [CNY/year].
        co2_t: the run's season CO2 [t].
        near_tie_share: the near-tie margin as a share of the objective [-].
    """

    folder: Path
    path: Path
    table: pd.DataFrame
    objective_cny: float
    co2_t: float
    near_tie_share: float

    @property
    def not_answered(self) -> pd.DataFrame:
        """Flips that failed or are not proven optimal (an infeasible flip is an answer)."""
        return self.table[~self.table["status"].isin(["optimal", INFEASIBLE])]


FlipProgress = Callable[[str, str, int, int], None]
"""Called after each flip with (``kind:id``, its status, flips done, flips in all)."""


def run_options(summary: RunSummary) -> SolveOptions:
    """The run's solve options (``summary.options``), for a flip: one HiGHS thread, quiet, no
    nodal-price LP and no cost-of-security solve (neither changes the objective)."""
    names = {f.name for f in dataclasses.fields(SolveOptions)} - {"log_file"}
    given = {k: v for k, v in (summary.get("options") or {}).items() if k in names}
    opts = SolveOptions(**given)
    return dataclasses.replace(
        opts, threads=1, verbose=False, heat_prices=False, security_cost=False
    )


def near_tie_share(summary: RunSummary) -> float:
    """max(the run's gap, :data:`NEAR_TIE_SHARE`) [-]."""
    gap = summary.get("mip_gap")
    gap = float(gap) if isinstance(gap, int | float) and math.isfinite(gap) else 0.0
    return max(gap, NEAR_TIE_SHARE)


def check_one_season(stored: StoredRun) -> None:
    """Raise :class:`InputError` for a pathway run: its decisions have a year each, so
    flipping one means a scenario (earliest_year, retire_by), not a flip."""
    if stored.summary.get("pathway"):
        raise InputError(
            [
                Problem(
                    str(stored.folder),
                    "explain flips the decisions of a one-season run",
                    column="pathway",
                    expected="a one-season run; in a pathway each decision has a year: "
                    "move it with a scenario (earliest_year, retire_by) and compare",
                    found="a pathway run",
                )
            ]
        )


def flips(stored: StoredRun) -> list[Flip]:
    """Every decision of the run that the optimiser took, in table order (sources, pipes);
    :class:`InputError` for a pathway run (:func:`check_one_season`)."""
    check_one_season(stored)
    out: list[Flip] = []
    for table, candidate_kind in (("sources", "build_source"), ("pipes", "build_pipe")):
        df = stored.tables.get(table)
        if df is None or "decision" not in df.columns:
            continue
        for ident, decision in df["decision"].items():
            if decision not in FLIPPED:
                continue
            kept_kind = decision in ("kept", "retired")
            kind = "keep_source" if kept_kind else candidate_kind
            value = 0.0 if decision in ("kept", "built") else 1.0
            name = df.at[ident, "name"] if "name" in df.columns else ""
            name = "" if fmt.is_missing(name) or str(name) == str(ident) else str(name)
            out.append(Flip(kind, str(ident), name, str(decision), value))
    return out


def flip_tasks(stored: StoredRun, options: SolveOptions) -> list[FlipTask]:
    """One task per flip: the run's inputs and options, the decision fixed the other way, the
    run's plan (with that decision flipped) as the warm start."""
    plan = warm_start_from(stored.tables["sources"], stored.tables["pipes"])
    tasks = []
    for f in flips(stored):
        key = (f.kind, f.id)
        start = {**plan, key: f.value}
        tasks.append(
            FlipTask(
                f.label,
                stored.network,
                options,
                fixed=((key, f.value),),
                warm_start=tuple(start.items()),
            )
        )
    return tasks


def _row(
    f: Flip, summary: Mapping[str, Any] | None, error: str, base: RunSummary, share: float
) -> dict[str, Any]:
    objective = float(base["objective_cny"] or 0.0)
    co2 = float(base.get("co2_t") or 0.0)
    limit = share * abs(objective)
    row: dict[str, Any] = {
        "kind": f.kind,
        "id": f.id,
        "name": f.name,
        "decision": f.decision,
        "flipped_to": f.flipped_to,
        "status": FAILED,
        "objective_cny": None,
        "delta_cost_cny": None,
        "delta_cost_share": None,
        "co2_t": None,
        "delta_co2_t": None,
        "cny_per_t_avoided": None,
        "near_tie": False,
        "near_tie_limit_cny": limit,
        "mip_gap": None,
        "error": error,
    }
    if summary is None:
        return row
    row["status"] = str(summary.get("status"))
    value = summary.get("objective_cny")
    if value is None:  # no plan: infeasible, or a limit before the first plan
        if row["status"] == INFEASIBLE:
            limits = (summary.get("infeasibility") or {}).get("limits_in_conflict") or []
            row["error"] = row["error"] or " | ".join(str(x) for x in limits[:3])
        elif not row["error"]:
            row["error"] = f"no plan found ({row['status']})"
        return row
    delta = float(value) - objective
    d_co2 = float(summary.get("co2_t") or 0.0) - co2
    row.update(
        objective_cny=float(value),
        delta_cost_cny=delta,
        delta_cost_share=delta / abs(objective) if objective else None,
        co2_t=float(summary.get("co2_t") or 0.0),
        delta_co2_t=d_co2,
        cny_per_t_avoided=delta / -d_co2 if d_co2 < 0 else None,
        near_tie=delta < limit,
        mip_gap=summary.get("mip_gap"),
    )
    if not summary.get("optimal") and not row["error"]:
        row["error"] = f"not proven optimal ({row['status']})"
    return row


def explain_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as ``explain.csv``'s table, sorted by Δcost (flips without a plan last)."""
    df = pd.DataFrame(rows, columns=list(EXPLAIN_COLUMNS))
    df["near_tie"] = df["near_tie"].astype(bool)
    df = df.sort_values(["delta_cost_cny", "kind", "id"], na_position="last", kind="stable")
    return df.reset_index(drop=True)


def explain_run(
    folder: str | os.PathLike[str] | StoredRun,
    *,
    jobs: int | None = None,
    dask_address: Any = None,
    dask_timeout: float = DASK_TIMEOUT_S,
    on_progress: FlipProgress | None = None,
    worker: Callable[[SweepTask], Run] = solve_flip,
) -> Explanation:
    """Flip every decision of the run in ``folder``, one solve each, and write
    ``<folder>/explain.csv``.

    Args:
        folder: a run folder (``heatnet solve``'s output, or a run of a study), or the run
            read back already (:func:`heatnet.storage.read_run`).
        jobs: flips solved at once in local processes (default: the number of cores, at most
            one per flip); ignored with ``dask_address``.
        dask_address: solve on this Dask scheduler (address or ``distributed.Client``),
            connected to before anything is solved (HeatnetError if it does not answer within
            ``dask_timeout`` seconds).
        on_progress: called after each flip (see :data:`FlipProgress`).
        worker: the function solving one flip in a worker (must be importable by workers).

    Returns the :class:`Explanation`; a flip that fails or is infeasible is a row of the table,
    never an exception. Raises InputError if ``folder`` is not a run with a plan.
    """
    stored = folder if isinstance(folder, StoredRun) else read_run(folder)
    base = stored.summary
    check_one_season(stored)
    if base.get("objective_cny") is None or "sources" not in stored.tables:
        raise InputError(
            [
                Problem(
                    str(stored.folder),
                    "the run has no plan to explain",
                    expected="a run folder with an objective and sources.csv",
                    found=f"status {base.get('status')}",
                )
            ]
        )
    stored.tables.setdefault("pipes", pd.DataFrame({"decision": []}))
    share = near_tie_share(base)
    tasks: list[SweepTask] = list(flip_tasks(stored, run_options(base)))
    by_label = {f.label: f for f in flips(stored)}
    rows: dict[str, dict[str, Any]] = {}

    def done(label: str, run: Run | None, error: str, seconds: float) -> None:
        summary = None if run is None else run.summary
        rows[label] = _row(by_label[label], summary, error, base, share)
        if on_progress:
            on_progress(label, rows[label]["status"], len(rows), len(tasks))

    if tasks:
        if dask_address is not None:
            client = connect_dask(dask_address, dask_timeout)
            try:
                run_dask(tasks, client, done, worker)
            finally:
                if client is not dask_address:
                    client.close()
        else:
            n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
            run_local(tasks, n_jobs, done, worker)
    table = explain_table([rows[t.scenario] for t in tasks if t.scenario in rows])
    path = stored.folder / EXPLAIN_FILE
    write_csv_atomic(table, path, neutralise=True)
    return Explanation(
        stored.folder,
        path,
        table,
        float(base["objective_cny"] or 0.0),
        float(base.get("co2_t") or 0.0),
        share,
    )


def read_explain(folder: str | os.PathLike[str]) -> pd.DataFrame | None:
    """``explain.csv`` of a run folder (None if the run has not been explained)."""
    path = Path(folder) / EXPLAIN_FILE
    if not path.is_file():
        return None
    df = pd.read_csv(
        path,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        dtype={"kind": str, "id": str, "name": str, "status": str, "error": str},
    )
    if "near_tie" in df.columns:
        df["near_tie"] = df["near_tie"].astype(str).str.lower() == "true"
    return df


# --- for people -------------------------------------------------------------------------------


def _signed(v: object, divisor: float, digits: int) -> str:
    if fmt.is_missing(v):
        return ""
    return fmt.number(float(v) / divisor, digits, sign=True)  # type: ignore[arg-type]


def note(row: Mapping[str, Any]) -> str:
    """``near tie``, ``infeasible``, or why the flip has no proven answer."""
    status = str(row.get("status"))
    if status == INFEASIBLE:
        error = row.get("error")
        why = "" if fmt.is_missing(error) or not str(error) else str(error).split(" | ")[0]
        return "infeasible" + (f": {why}" if why else ": no plan without this decision")
    parts = []
    if bool(row.get("near_tie")):
        parts.append("near tie")
    error = row.get("error")
    if not fmt.is_missing(error) and str(error):
        parts.append(str(error))
    return "; ".join(parts)


def display_rows(
    table: pd.DataFrame, max_name: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and text cells of the explanation (Δcost in M CNY/yr, ΔCO2 in kt or t), as
    printed by ``heatnet explain`` and shown in the report; names cut to ``max_name``
    characters (with …) when given."""
    d_co2 = pd.to_numeric(table["delta_co2_t"], errors="coerce").abs()
    unit = fmt.co2_unit(float(d_co2.max()) if d_co2.notna().any() else 0.0)
    header = [
        "decision",
        "run → flipped",
        "Δcost [M CNY/yr]",
        "Δcost [%]",
        f"ΔCO2 [{unit.label}]",
        "CNY/t avoided",
        "note",
    ]
    rows = []
    for rec in table.to_dict("records"):
        name = rec.get("name")
        what = f"{rec['kind']} {rec['id']}"
        if not fmt.is_missing(name) and str(name):
            text = str(name)
            if max_name is not None and len(text) > max_name:
                text = text[: max_name - 1].rstrip() + "…"
            what += f" ({text})"
        per_t = rec.get("cny_per_t_avoided")
        rows.append(
            [
                what,
                f"{rec['decision']} {fmt.ARROW} {rec['flipped_to']}",
                _signed(rec.get("delta_cost_cny"), 1e6, 1),
                _signed(rec.get("delta_cost_share"), 0.01, 2),
                _signed(rec.get("delta_co2_t"), unit.divisor, unit.digits),
                "" if fmt.is_missing(per_t) else fmt.number(per_t, 0),
                note(rec),
            ]
        )
    return header, rows


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_explanation(ex: Explanation) -> str:
    """The console text: what was flipped against what, then the table sorted by Δcost."""
    lines = [
        f"run {ex.folder.name}: annual cost {fmt.money(ex.objective_cny)}, "
        f"CO2 {fmt.co2(ex.co2_t)}; "
        f"{fmt.count(len(ex.table))} decisions flipped one at a time; near tie below "
        f"{fmt.percent(ex.near_tie_share, 2)} of the cost "
        f"({fmt.money(ex.near_tie_share * abs(ex.objective_cny))})",
    ]
    if ex.table.empty:
        return "\n".join([*lines, "no retirable or candidate decisions to flip"])
    header, rows = display_rows(ex.table, CONSOLE_NAME_CHARS)
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) for i, h in enumerate(header)]
    right = {2, 3, 4, 5}

    def line(cells: list[str]) -> str:
        out = []
        for i, c in enumerate(cells):
            pad = " " * (widths[i] - _width(c))
            out.append(pad + c if i in right else c + pad)
        return "  ".join(out).rstrip()

    lines += [line(header), *(line(r) for r in rows)]
    return "\n".join(lines)


__all__ = [
    "EXPLAIN_COLUMNS",
    "EXPLAIN_FILE",
    "NEAR_TIE_SHARE",
    "Explanation",
    "Flip",
    "FlipTask",
    "display_rows",
    "explain_run",
    "flip_tasks",
    "flips",
    "format_explanation",
    "near_tie_share",
    "read_explain",
    "run_options",
    "solve_flip",
]
