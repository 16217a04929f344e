"""What a sweep's worker processes run.

Importing this module loads the whole solver stack (heatnet, Pyomo, HiGHS, and the SciPy
modules Pyomo loads lazily on its first model, about 1.5 s), so that worker processes forked
from a preloaded fork server start warm: see :func:`heatnet.sweep.run_local`.
"""

from __future__ import annotations

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


def solve_task(task: SweepTask) -> Run:
    """Solve one scenario (runs in a worker process or on a Dask worker); the scenario's input
    warnings go into the run's summary like a folder's warnings in a plain solve."""
    run = solve(task.network, task.options, name=task.scenario)
    if task.warnings:
        run.warnings = [*task.warnings, *run.warnings]
        run.summary["warnings"] = [str(p) for p in run.warnings]
    return run
