"""What a sweep's worker processes run.

Importing this module loads the whole solver stack (heatnet, Pyomo, HiGHS, and the SciPy
modules Pyomo loads lazily on its first model, about 1.5 s), so that worker processes forked
from a preloaded fork server start warm: see :func:`heatnet.sweep.run_local`.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from pyomo.common.dependencies import scipy_available

from heatnet.errors import Problem
from heatnet.network import Network
from heatnet.options import SolveOptions
from heatnet.run import solve
from heatnet.storage import Run

bool(scipy_available)  # triggers Pyomo's deferred SciPy import now rather than in each solve


@dataclass(frozen=True)
class SweepTask:
    """One scenario to solve: what a worker process receives.

    Attributes:
        scenario: scenario name (also the run name and folder name).
        network: the base network with the scenario applied.
        options: solver options (``threads=1`` in a sweep).
        warnings: input warnings of the scenario's network (recorded in the run's summary).
    """

    scenario: str
    network: Network
    options: SolveOptions
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class TaskResult:
    """What :func:`run_task` sends back from a worker.

    Attributes:
        run: the solved run (None if the worker function raised).
        error: why it failed ("" if a run came back).
        seconds: the solve's wall-clock time in the worker [s]: the run's own
            ``timings_s.total`` (so that index.csv agrees with its summary.json), else the time
            the worker function took. Time spent queued or starting a worker is not counted.
    """

    run: Run | None
    error: str
    seconds: float


def error_text(exc: BaseException) -> str:
    """One line saying what an exception is (its type and message)."""
    text = f"{type(exc).__name__}: {exc}".strip()
    if not str(exc):
        tb = traceback.format_exception_only(type(exc), exc)
        text = "".join(tb).strip()
    return text.replace("\n", " | ")


def run_task(worker: Callable[[SweepTask], Run], task: SweepTask) -> TaskResult:
    """Call ``worker(task)`` in the worker and time it there (what a sweep submits, locally
    and on Dask); an exception becomes a failed :class:`TaskResult` with its text."""
    t0 = time.perf_counter()
    try:
        run = worker(task)
    except Exception as exc:
        return TaskResult(None, error_text(exc), time.perf_counter() - t0)
    seconds = time.perf_counter() - t0
    total = (run.summary.get("timings_s") or {}).get("total")
    if isinstance(total, int | float) and total > 0:
        seconds = float(total)
    return TaskResult(run, "", seconds)


def solve_task(task: SweepTask) -> Run:
    """Solve one scenario (runs in a worker process or on a Dask worker); the scenario's input
    warnings go into the run's summary like a folder's warnings in a plain solve."""
    run = solve(task.network, task.options, name=task.scenario)
    if task.warnings:
        run.warnings = [*task.warnings, *run.warnings]
        run.summary["warnings"] = [str(p) for p in run.warnings]
    return run
