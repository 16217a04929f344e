"""Scenario sweeps: solve every scenario of a file, in parallel processes or on a Dask cluster.

Study folder (read by the report and plot code; keep it stable)::

    results/<study>/
      study.json            network, scenario file and its SHA-256, options, started/finished
      index.csv             one row per scenario (see INDEX_COLUMNS)
      <scenario>/           a normal run folder (docs/results.md), one per scenario solved

Each scenario is solved in its own process with ``SolveOptions(threads=1)`` (HiGHS fixes its
thread count per process): locally in a ``ProcessPoolExecutor`` (spawn context, one fresh
process per scenario so that each run's memory figure is its own), or as one task per scenario
on a Dask cluster. Workers get the scenario's :class:`~heatnet.network.Network` object and
return the :class:`~heatnet.run.Run`; this process writes the run folders (atomically, as each
scenario finishes) and rewrites ``index.csv`` (atomically) after each one, so an interrupted
sweep leaves only complete folders and a consistent index, and ``resume=True`` finishes it.

A scenario that fails (an exception, a crashed worker process, no solution) is recorded in the
index with status ``failed`` (or the solver's status) and its error, and the others go on.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from heatnet import fmt
from heatnet._worker import SweepTask, TaskResult, error_text, run_task, solve_task
from heatnet.errors import HeatnetError, InputError, Problem
from heatnet.network import Network
from heatnet.options import SolveOptions
from heatnet.scenarios import ScenarioSet, scenario_network
from heatnet.storage import (
    INDEX_COLUMNS,
    Run,
    RunSummary,
    input_hash,
    now_text,
    options_dict,
    package_versions,
    prepare_study_dir,
    read_study_meta,
    read_summary,
    write_index,
    write_study_meta,
)

FAILED = "failed"
DASK_TIMEOUT_S = 10.0
"""Default time allowed for connecting to a Dask scheduler [s]."""


@dataclass
class ScenarioOutcome:
    """How one scenario of a study ended.

    Attributes:
        scenario: its name.
        status: the solver status (``optimal``, ``time_limit``, ``infeasible``…) or ``failed``.
        folder: its run folder (None if nothing was written).
        summary: the run's summary.json content (None if it failed).
        error: why it failed or is not optimal ("" if optimal).
        seconds: wall-clock time of the solve in the worker [s].
        resumed: True if an earlier sweep had already solved it (``resume=True``).
    """

    scenario: str
    status: str
    folder: Path | None = None
    summary: RunSummary | None = None
    error: str = ""
    seconds: float = 0.0
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """True for a proven optimum."""
        return self.status == "optimal"


@dataclass
class Sweep:
    """A finished (or interrupted) sweep (read the folder back with
    :func:`heatnet.storage.read_study`).

    Attributes:
        folder: the study folder.
        outcomes: one per scenario, in scenario-file order (scenarios not reached are absent).
        index: the content of ``index.csv``.
    """

    folder: Path
    outcomes: list[ScenarioOutcome] = field(default_factory=list)
    index: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def not_ok(self) -> list[ScenarioOutcome]:
        """Scenarios that failed or are not proven optimal."""
        return [o for o in self.outcomes if not o.ok]


ProgressCallback = Callable[[ScenarioOutcome, int, int], None]
"""Called after each scenario with (outcome, scenarios done, scenarios in all)."""


# --------------------------------------------------------------------------------------------
# the study folder


def index_row(outcome: ScenarioOutcome, study_dir: Path, description: str = "") -> dict[str, Any]:
    """One row of ``index.csv``; ``folder`` is relative to the study folder."""
    s = outcome.summary or {}
    folder = ""
    if outcome.folder is not None:
        folder = os.path.relpath(outcome.folder, study_dir)

    def ids(key: str) -> str:
        return ";".join(s.get(key, []) or [])

    return {
        "scenario": outcome.scenario,
        "folder": folder,
        "status": outcome.status,
        "objective_cny": s.get("objective_cny"),
        "co2_t": s.get("co2_t"),
        "mip_gap": s.get("mip_gap"),
        "waste_heat_share": s.get("waste_heat_share"),
        "unserved_mwh": s.get("unserved_mwh"),
        "error": outcome.error,
        "coal_share": s.get("coal_share"),
        "retired": ids("retired"),
        "built_pipes": ids("built_pipes"),
        "built_sources": ids("built_sources"),
        "solve_s": round(outcome.seconds, 3) if outcome.seconds else None,
        "input_hash": s.get("input_hash", ""),
        "description": description,
    }


def outcome_of_run(run: Run, folder: Path | None, seconds: float) -> ScenarioOutcome:
    """The outcome of a returned run (status from the solver; no folder if no solution)."""
    summary = dict(run.summary)
    if folder is not None:
        summary["name"] = folder.name
    status = str(summary["status"])
    error = ""
    if not run.result.has_solution:
        error = f"no solution ({status}); no run folder written"
    elif not run.is_optimal:
        gap = summary.get("mip_gap")
        error = (
            f"not proven optimal ({status}; gap {fmt.quantity('mip_gap', gap)})"
            if gap is not None
            else (f"not proven optimal ({status})")
        )
    return ScenarioOutcome(
        run.name, status, folder, summary if run.result.has_solution else None, error, seconds
    )


# --------------------------------------------------------------------------------------------
# executors


Done = Callable[[str, "Run | None", str, float], None]
"""(scenario, run or None, error text, seconds) → None."""


def _mp_context() -> multiprocessing.context.BaseContext:
    """``forkserver`` with the solver stack preloaded where the platform has it (Linux,
    macOS): each fresh worker then starts in milliseconds; ``spawn`` elsewhere (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["heatnet._worker"])
        return ctx
    return multiprocessing.get_context("spawn")


def _new_pool(jobs: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(), max_tasks_per_child=1)


def run_local(
    tasks: list[SweepTask], jobs: int, done: Done, worker: Callable[[SweepTask], Run] = solve_task
) -> None:
    """Solve the tasks in up to ``jobs`` worker processes (one fresh process per task).

    A task that kills its worker process (say, out of memory) breaks the pool: the tasks that
    were running then are retried one at a time in a new pool, so that only the culprit is
    reported as failed.
    """
    normal = deque(tasks)
    isolated: deque[SweepTask] = deque()
    inflight: dict[cf.Future[TaskResult], tuple[SweepTask, float, bool]] = {}
    pool = _new_pool(jobs)

    def submit(task: SweepTask, alone: bool) -> bool:
        try:
            fut = pool.submit(run_task, worker, task)
        except cf.process.BrokenProcessPool:
            return False
        inflight[fut] = (task, time.perf_counter(), alone)
        return True

    def settle(fut: cf.Future[TaskResult]) -> bool:
        """Report a finished task; False if it was lost to a broken pool."""
        task, t0, alone = inflight.pop(fut)
        seconds = time.perf_counter() - t0  # only when the worker could not time it itself
        try:
            res = fut.result()
        except cf.process.BrokenProcessPool:
            if alone:
                done(
                    task.scenario,
                    None,
                    "the worker process died while solving this scenario (out of memory?)",
                    seconds,
                )
            else:
                isolated.append(task)
            return False
        except Exception as exc:
            done(task.scenario, None, error_text(exc), seconds)
        else:
            done(task.scenario, res.run, res.error, res.seconds)
        return True

    try:
        while normal or isolated or inflight:
            broken = False
            if isolated:
                if not inflight:
                    task = isolated.popleft()
                    if not submit(task, True):
                        isolated.appendleft(task)
                        broken = True
            else:
                while normal and len(inflight) < jobs:
                    task = normal.popleft()
                    if not submit(task, False):
                        normal.appendleft(task)
                        broken = True
                        break
            if not broken:
                finished, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    broken |= not settle(fut)
            if broken:
                # every task still in flight was lost with the pool (or finished just before)
                cf.wait(list(inflight))
                for fut in list(inflight):
                    settle(fut)
                pool.shutdown(wait=True, cancel_futures=True)
                pool = _new_pool(jobs)
    except BaseException:  # Ctrl-C: stop the running solves now, not when HiGHS returns
        _terminate(pool)
        raise
    pool.shutdown(wait=True)


def _terminate(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel the queued tasks and end the worker processes at once (their runs are lost;
    nothing of theirs has been written)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)


def connect_dask(address: Any, timeout: float = DASK_TIMEOUT_S) -> Any:
    """A ``distributed.Client`` connected to the scheduler at ``address`` (returned as is if it
    is a Client already).

    Raises InputError if Dask is not installed, HeatnetError (one line naming the address and
    the timeout) if no scheduler answers within ``timeout`` seconds.
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise InputError(
            [
                Problem(
                    None,
                    "Dask is not installed",
                    column="--dask",
                    expected='pip install ".[dask]" (from the heatnet clone)',
                    found=str(exc),
                )
            ]
        ) from exc
    if isinstance(address, Client):
        return address
    try:
        return Client(address, timeout=timeout)
    except Exception as exc:  # OSError / TimeoutError from the comm layer, ValueError, …
        why = "" if isinstance(exc, OSError | TimeoutError) else f" ({error_text(exc)})"
        raise HeatnetError(
            f"cannot connect to the Dask scheduler at {address} within {timeout:g} s{why}; "
            "is `dask scheduler` running there? (--dask-timeout S waits longer)"
        ) from None


def run_dask(
    tasks: list[SweepTask],
    address: Any,
    done: Done,
    worker: Callable[[SweepTask], Run] = solve_task,
    timeout: float = DASK_TIMEOUT_S,
) -> None:
    """Solve the tasks as one Dask task each on the cluster at ``address`` (a scheduler
    address such as ``tcp://10.0.0.5:8786``, or a ``distributed.Client``); ``timeout`` is the
    time allowed for connecting [s] (see :func:`connect_dask`).

    Workers need heatnet installed (same version); they receive the Network objects, so they
    need no access to the network's files. Start them with one thread each
    (``dask worker ADDRESS --nthreads 1``) so that solves do not share a process. Each task
    times its solve on the worker, so time spent queued is not counted as solve time.
    """
    from distributed import as_completed

    client = connect_dask(address, timeout)
    own = client is not address
    try:
        futures = {}
        for t in tasks:
            fut = client.submit(
                run_task,
                worker,
                t,
                key=f"heatnet-{t.scenario}-{os.urandom(4).hex()}",
                pure=False,
            )
            futures[fut] = (t, time.perf_counter())
        try:
            for fut in as_completed(list(futures)):
                task, t0 = futures[fut]
                try:
                    res = fut.result()
                except Exception as exc:  # the worker died repeatedly, the task was lost…
                    done(task.scenario, None, error_text(exc), time.perf_counter() - t0)
                else:
                    done(task.scenario, res.run, res.error, res.seconds)
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        if own:
            client.close()


# --------------------------------------------------------------------------------------------
# the sweep


def sweep_tasks(
    net: Network,
    scenarios: ScenarioSet,
    options: SolveOptions,
) -> tuple[list[SweepTask], list[Problem]]:
    """One task per scenario (the scenario applied to ``net``); InputError listing every
    problem if any scenario gives an invalid network. Returns the tasks and the warnings.

    A scenario with a security block also reports its cost of security (the same solve
    without the block): a study compares plans, and what security costs is part of each."""
    tasks: list[SweepTask] = []
    problems: list[Problem] = []
    for sc in scenarios:
        new, found = scenario_network(net, sc)
        problems += found
        if new is not None:
            warnings = tuple(p for p in found if p.severity == "warning")
            opts = options
            if new.security is not None:
                opts = dataclasses.replace(options, security_cost=True)
            tasks.append(SweepTask(sc.name, new, opts, warnings))
    if any(p.severity == "error" for p in problems):
        raise InputError(problems, context="scenarios cannot be applied")
    return tasks, problems


def run_sweep(
    net: Network,
    scenarios: ScenarioSet,
    results_dir: str | os.PathLike[str] = "results",
    *,
    study: str | None = None,
    options: SolveOptions | None = None,
    jobs: int | None = None,
    dask_address: Any = None,
    dask_timeout: float = DASK_TIMEOUT_S,
    resume: bool = False,
    on_progress: ProgressCallback | None = None,
    worker: Callable[[SweepTask], Run] = solve_task,
) -> Sweep:
    """Solve every scenario and write the study folder ``results_dir/<study>/``.

    Args:
        net: the base network.
        scenarios: the scenarios (from :func:`heatnet.scenarios.load_scenarios`).
        results_dir: folder receiving the study folder.
        study: study name (default: the scenario file's ``study:`` or stem).
        options: solver options; ``threads`` is set to 1 for every scenario.
        jobs: parallel worker processes (default: the number of cores, at most one per
            scenario); ignored with ``dask_address``.
        dask_address: run on this Dask scheduler (address or ``distributed.Client``). It is
            connected to before the study folder is made, so a scheduler that cannot be
            reached leaves nothing behind (HeatnetError).
        dask_timeout: time allowed for connecting to the scheduler at ``dask_address`` [s].
        resume: finish an earlier sweep of the same study: scenarios whose run folder exists
            with the same inputs are not solved again.
        on_progress: called after each scenario (see :data:`ProgressCallback`).
        worker: the function solving one task in a worker (must be importable by workers).

    Returns the :class:`Sweep`; never raises for a failing scenario (see ``Sweep.not_ok``).
    """
    opts = dataclasses.replace(options or SolveOptions(), threads=1, verbose=False)
    study_name = study or scenarios.study
    tasks, _ = sweep_tasks(net, scenarios, opts)
    client = connect_dask(dask_address, dask_timeout) if dask_address is not None else None
    try:
        folder = prepare_study_dir(results_dir, study_name, resume)
        return _sweep_into(
            folder,
            net,
            scenarios,
            study_name,
            tasks,
            opts,
            jobs,
            dask_address,
            client,
            resume,
            on_progress,
            worker,
        )
    finally:
        if client is not None and client is not dask_address:
            client.close()


def _sweep_into(
    folder: Path,
    net: Network,
    scenarios: ScenarioSet,
    study_name: str,
    tasks: list[SweepTask],
    opts: SolveOptions,
    jobs: int | None,
    dask_address: Any,
    client: Any,
    resume: bool,
    on_progress: ProgressCallback | None,
    worker: Callable[[SweepTask], Run],
) -> Sweep:
    """:func:`run_sweep` once its study folder exists (and its Dask client is connected)."""
    descriptions = {sc.name: sc.description for sc in scenarios}
    order = [sc.name for sc in scenarios]
    meta: dict[str, Any] = {
        "study": study_name,
        "kind": "sweep",
        "network": str(net.folder) if net.folder else net.name,
        "network_name": net.name,
        "scenario_file": str(scenarios.path) if scenarios.path else None,
        "scenario_file_sha256": scenarios.sha256,
        "scenarios": order,
        "options": options_dict(opts),
        "executor": f"dask {dask_address}"
        if dask_address is not None
        else f"local processes (jobs={jobs or 'auto'})",
        "started": now_text(),
        "finished": None,
        "versions": package_versions(),
    }
    earlier = read_study_meta(folder) if resume else {}
    if earlier.get("started"):  # a resumed study keeps its first start and lists the resumes
        meta["resumed"] = [*earlier.get("resumed", []), meta["started"]]
        meta["started"] = earlier["started"]
    write_study_meta(folder, meta)
    outcomes: dict[str, ScenarioOutcome] = {}

    def rows() -> list[dict[str, Any]]:
        return [index_row(outcomes[n], folder, descriptions[n]) for n in order if n in outcomes]

    todo: list[SweepTask] = []
    for t in tasks:
        existing = _existing_run(folder, t)
        if existing is None:
            todo.append(t)
        else:
            outcomes[t.scenario] = existing
    n_total = len(tasks)
    if outcomes:
        write_index(folder, rows())
        for o in [outcomes[n] for n in order if n in outcomes]:
            if on_progress:
                on_progress(o, len(outcomes), n_total)

    def done(name: str, run: Run | None, error: str, seconds: float) -> None:
        if run is None:
            outcome = ScenarioOutcome(name, FAILED, error=error or "failed", seconds=seconds)
        else:
            try:
                written = run.write(folder, name=name) if run.result.has_solution else None
            except OSError as exc:
                outcome = ScenarioOutcome(
                    name,
                    FAILED,
                    error=f"cannot write the run folder: {error_text(exc)}",
                    seconds=seconds,
                )
            else:
                outcome = outcome_of_run(run, written, seconds)
        outcomes[name] = outcome
        write_index(folder, rows())
        if on_progress:
            on_progress(outcome, len(outcomes), n_total)

    try:
        if todo:
            if client is not None:
                run_dask(todo, client, done, worker)
            else:
                n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
                run_local(todo, n_jobs, done, worker)
    finally:
        index = write_index(folder, rows())
        meta["finished"] = now_text()
        meta["complete"] = len(outcomes) == n_total
        write_study_meta(folder, meta)
    return Sweep(folder, [outcomes[n] for n in order if n in outcomes], index)


def _existing_run(study_dir: Path, task: SweepTask) -> ScenarioOutcome | None:
    """The outcome of an earlier sweep's run folder for this scenario, if there is one."""
    run_dir = study_dir / task.scenario
    summary_path = run_dir / "summary.json"
    if not summary_path.is_file():
        return None
    summary = read_summary(summary_path)
    if summary.get("input_hash") != input_hash(task.network):
        return ScenarioOutcome(
            task.scenario,
            FAILED,
            error=f"{run_dir} exists but was solved with other inputs "
            "(the scenario or network changed); remove that folder or start a new study",
        )
    status = str(summary.get("status"))
    error = "" if summary.get("optimal") else f"not proven optimal ({status})"
    return ScenarioOutcome(task.scenario, status, run_dir, summary, error, resumed=True)


__all__ = [
    "INDEX_COLUMNS",
    "ScenarioOutcome",
    "Sweep",
    "SweepTask",
    "run_sweep",
    "solve_task",
]
