"""The run-folder and study-folder contract: what heatnet writes, and how it is read back.

A **run folder** ``results/<run>/`` holds ``summary.json`` (:class:`RunSummary`), one CSV per
result table (:data:`TABLE_FILES`), ``inputs/`` (the resolved network the run was solved
with) and ``highs.log``. It is written under a temporary name and renamed only when complete,
and never overwrites an earlier run (:meth:`Run.write`); :func:`read_run` reads it back.

A **study folder** ``results/<study>/`` holds one run folder per scenario (or Pareto point),
``index.csv`` (one row per scenario, :data:`INDEX_COLUMNS`), ``study.json`` (how it was made)
and, for a Pareto study, ``pareto.csv`` (one row per point, :data:`PARETO_COLUMNS`). Readers
rely only on the leading "contract" columns; :func:`read_study` is the one reader, used by
``compare``, ``report`` and ``plot``.

Everything that writes or reads these folders goes through this module, so that scenarios,
sweeps, reports and comparisons depend on the contract, not on the code that solves.
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import pandas as pd

from heatnet.errors import InputError, Problem
from heatnet.io import (
    read_network,
    shareable_mode,
    write_csv_atomic,
    write_json_atomic,
    write_network,
    write_text_atomic,
)
from heatnet.network import Network
from heatnet.schema import check_run_name
from heatnet.years import EARLIEST_YEAR, RETIRE_BY

PATHWAY_COLUMNS = (EARLIEST_YEAR, RETIRE_BY)
"""Optional pathway columns left out of the input hash when blank everywhere."""

if TYPE_CHECKING:
    from heatnet.options import SolveOptions
    from heatnet.solve import SolveResult

TABLE_FILES = (
    "sources",
    "pipes",
    "dispatch",
    "flows",
    "nodes",
    "prices",
    "periods",
    "security",
    "timeline",
)
"""Result tables of a run, each written as ``<name>.csv``. In a pathway run (spec v1.1 §4)
every table but ``timeline`` has a leading ``year`` column, and ``timeline`` (one row per
decision: ``id``, ``kind`` retire/build, ``year``, empty = never) exists only there."""

SUMMARY_FILE = "summary.json"
INDEX_FILE = "index.csv"
STUDY_FILE = "study.json"
PARETO_FILE = "pareto.csv"

INDEX_COLUMNS: tuple[str, ...] = (
    "scenario",
    "folder",
    "status",
    "objective_cny",
    "co2_t",
    "mip_gap",
    "waste_heat_share",
    "unserved_mwh",
    "error",
    "coal_share",
    "retired",
    "built_pipes",
    "built_sources",
    "solve_s",
    "input_hash",
    "description",
)
"""Columns of ``index.csv``; the first nine are the contract, the rest informative."""

INDEX_REQUIRED: tuple[str, ...] = INDEX_COLUMNS[:5]
"""What a reader needs from ``index.csv`` (scenario, folder, status, objective, CO2)."""

PARETO_COLUMNS: tuple[str, ...] = (
    "point",
    "co2_cap_t",
    "status",
    "objective_cny",
    "co2_t",
    "mip_gap",
    "folder",
    "unserved_mwh",
    "waste_heat_share",
    "retired",
    "built_pipes",
    "built_sources",
    "unserved_above_min_cost",
)
"""Columns of ``pareto.csv``; the first seven are the contract."""

PARETO_REQUIRED: tuple[str, ...] = PARETO_COLUMNS[:7]
"""What a reader needs from ``pareto.csv``."""


class RunSummary(TypedDict, total=False):
    """The shape of ``summary.json`` (meaning of every key: docs/results.md).

    Written by :func:`heatnet.run.make_summary`, read by every layer above it. Keys that
    need a solution (the KPIs, the cost breakdown and the decisions) are absent when the
    solver found none.
    """

    name: str
    network: str
    status: str
    termination: str
    optimal: bool
    objective_cny: float | None
    bound_cny: float | None
    mip_gap: float | None
    heat_demand_mwh: float
    heat_served_mwh: float
    unserved_mwh: float
    heat_produced_mwh: float
    losses_mwh: float
    co2_t: float
    waste_heat_share: float
    coal_share: float
    chp_share: float
    cost_breakdown_cny: dict[str, float]
    retired: list[str]
    kept: list[str]
    built_pipes: list[str]
    built_sources: list[str]
    not_built_pipes: list[str]
    not_built_sources: list[str]
    unserved_by_node_mwh: dict[str, float]
    periods_short_of_heat: int
    timings_s: dict[str, Any]
    peak_rss_mb: float
    problem_size: dict[str, int]
    periods: int
    season_hours: float
    economics: dict[str, Any]
    options: dict[str, Any]
    input_hash: str
    versions: dict[str, str]
    warnings: list[str]
    shortage: dict[str, Any]
    infeasibility: dict[str, Any]
    solve_mode: str
    typical_days: int | None
    time_slices: int | None
    two_stage: dict[str, Any]
    security: dict[str, Any]
    pathway: dict[str, Any]
    constraints: dict[str, Any]


def input_hash(net: Network) -> str:
    """SHA-256 of everything that defines the optimisation (economics, the security,
    constraints and pathway blocks, tables, profiles). A network without one of the optional
    blocks, or with an optional pathway column left blank everywhere, hashes as before the
    block or column existed, so resumed studies of such networks still match."""
    h = hashlib.sha256()
    h.update(json.dumps(dataclasses.asdict(net.economics), sort_keys=True).encode())
    for key in ("security", "constraints", "pathway"):
        block = getattr(net, key)
        if block is not None:
            h.update(json.dumps({key: dataclasses.asdict(block)}).encode())
    for df in (net.nodes, net.sources, net.pipes, net.demands, net.profiles):
        blank = [c for c in PATHWAY_COLUMNS if c in df.columns and df[c].isna().all()]
        h.update(df.drop(columns=blank).to_csv(lineterminator="\n").encode())
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


def options_dict(options: SolveOptions) -> dict[str, Any]:
    """Solve options as JSON-ready data (paths as text, no log file)."""
    return {
        k: (str(v) if isinstance(v, Path) else v)
        for k, v in dataclasses.asdict(options).items()
        if k != "log_file"
    }


def now_text() -> str:
    """The local time as ISO 8601 text, to the second (``started``/``finished`` stamps)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def default_run_name(net: Network) -> str:
    """``<network>_<YYYYmmdd-HHMMSS>``, a new name for every solve."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = re.sub(r"[^A-Za-z0-9_.\-\u4e00-\u9fff]", "_", net.name) or "run"
    return f"{base}_{stamp}"


# --- run folders ------------------------------------------------------------------------------


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
    summary: RunSummary
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
            write_json_atomic(tmp / SUMMARY_FILE, dict(self.summary, name=target.name))
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
    summary: RunSummary
    tables: dict[str, pd.DataFrame]
    network: Network

    @property
    def name(self) -> str:
        """Run name (the folder name)."""
        return self.folder.name


def pathway_years(tables: Mapping[str, pd.DataFrame]) -> list[int]:
    """The years of a pathway run's tables (empty for a one-season run)."""
    sources = tables.get("sources")
    if sources is None or "year" not in sources.columns:
        return []
    return sorted(int(y) for y in pd.unique(sources["year"]))


def year_tables(
    tables: Mapping[str, pd.DataFrame], year: int | None = None
) -> dict[str, pd.DataFrame]:
    """The tables of one season of a pathway run, shaped as a one-season run's (no ``year``
    column, no ``timeline``): ``year`` None = the last year. A one-season run's tables are
    returned as they are. Raises :class:`InputError` for a year the run does not have."""
    years = pathway_years(tables)
    if not years:
        return dict(tables)
    chosen = years[-1] if year is None else int(year)
    if chosen not in years:
        raise InputError(
            [
                Problem(
                    None,
                    "the run has no such year",
                    column="year",
                    expected=", ".join(str(y) for y in years),
                    found=str(year),
                )
            ]
        )
    out: dict[str, pd.DataFrame] = {}
    for key, df in tables.items():
        if key == "timeline":
            continue
        if "year" in df.columns:
            df = df[df["year"] == chosen].drop(columns="year")
            if isinstance(df.index, pd.RangeIndex) or df.index.name is None:
                df = df.reset_index(drop=True)
        out[key] = df
    return out


def is_run(folder: Path) -> bool:
    """True for a folder holding a run's ``summary.json``."""
    return (folder / SUMMARY_FILE).is_file()


def read_summary(path: Path) -> RunSummary:
    """A ``summary.json`` file's content."""
    data: RunSummary = json.loads(path.read_text(encoding="utf-8"))
    return data


def read_run(folder: str | os.PathLike[str]) -> StoredRun:
    """Read a run folder written by :meth:`Run.write` (tables as written, ids as index for
    ``sources`` and ``pipes``). Raises :class:`InputError` if it is not a complete run."""
    path = Path(folder)
    if not is_run(path):
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
    summary = read_summary(path / SUMMARY_FILE)
    tables: dict[str, pd.DataFrame] = {}
    for key in TABLE_FILES:
        f = path / f"{key}.csv"
        if f.is_file():
            df = pd.read_csv(f, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
            if key in ("sources", "pipes") and "id" in df.columns:
                df = df.set_index("id")
            tables[key] = df
    # a scenario may strand a district (a warning when it was solved): read the inputs the same way
    net, problems = read_network(path / "inputs", strict_graph=False)
    if net is None:
        raise InputError(problems, context=f"the inputs of run {path} cannot be read")
    return StoredRun(path, summary, tables, net)


# --- study folders ----------------------------------------------------------------------------


def prepare_study_dir(results_dir: str | os.PathLike[str], study: str, resume: bool) -> Path:
    """The study folder: new (or empty), or existing when resuming; InputError otherwise."""
    folder = Path(results_dir) / check_run_name(study)
    if folder.exists() and any(folder.iterdir()) and not resume:
        raise InputError(
            [
                Problem(
                    str(folder),
                    "the study folder exists already",
                    expected="a new study name, or --resume to finish it",
                    found="a folder with files in it",
                    hint="Use --resume to skip the scenarios already solved, or "
                    "--study NAME to start a new study",
                )
            ]
        )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_index(study_dir: Path, rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Write ``index.csv`` atomically (temp file + rename) and return it."""
    df = pd.DataFrame(list(rows), columns=list(INDEX_COLUMNS))
    write_csv_atomic(df, study_dir / INDEX_FILE, neutralise=True)
    return df


def write_study_meta(study_dir: Path, meta: Mapping[str, Any]) -> None:
    """Write ``study.json`` atomically."""
    write_json_atomic(study_dir / STUDY_FILE, dict(meta))


def read_study_meta(study_dir: Path) -> dict[str, Any]:
    """``study.json`` of a study folder ({} when missing or unreadable)."""
    try:
        data = json.loads((study_dir / STUDY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class Study:
    """A study folder read back: its index tables and the runs they point to.

    Attributes:
        folder: the study folder.
        meta: ``study.json`` ({} if the folder has none).
        index: ``index.csv`` (scenario, folder, status, objective_cny, co2_t, …), or None.
        pareto: ``pareto.csv`` (point, co2_cap_t, status, objective_cny, co2_t, mip_gap,
            folder), or None.
        runs: the scenarios' runs by scenario label, in index order (rows without a run folder,
            e.g. infeasible scenarios, are left out and listed in ``skipped``).
        pareto_runs: the Pareto points' runs by point label, in file order.
        caps_t: the CO2 cap of each Pareto point [t] (None for no cap).
        skipped: rows without a run folder, as ``"<label> (<status>)"``.
    """

    folder: Path
    meta: dict[str, Any]
    index: pd.DataFrame | None
    pareto: pd.DataFrame | None
    runs: dict[str, StoredRun] = field(default_factory=dict)
    pareto_runs: dict[str, StoredRun] = field(default_factory=dict)
    caps_t: dict[str, float | None] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Study name (the folder name)."""
        return self.folder.name


def is_study(folder: Path) -> bool:
    """True for a study folder: ``index.csv`` or ``pareto.csv``, and no ``summary.json``."""
    return (
        folder.is_dir()
        and ((folder / INDEX_FILE).is_file() or (folder / PARETO_FILE).is_file())
        and not is_run(folder)
    )


def is_blank(value: object) -> bool:
    """True for a missing table cell (None, NaN or empty text)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == ""


def _read_table(path: Path, required: Sequence[str], problems: list[Problem]) -> pd.DataFrame:
    df = pd.read_csv(
        path,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        dtype={"scenario": str, "point": str, "folder": str, "error": str},
    )
    missing = [c for c in required if c not in df.columns]
    if missing:
        problems.append(
            Problem(
                path.name,
                "missing columns",
                expected=", ".join(required),
                found="no " + ", ".join(missing),
            )
        )
    return df


def _load_runs(
    study: Study, df: pd.DataFrame, label_col: str, file: str, problems: list[Problem]
) -> dict[str, StoredRun]:
    """The run folders named by a study table's ``folder`` column, by label."""
    out: dict[str, StoredRun] = {}
    for line, row in enumerate(df.itertuples(index=False), start=2):
        rec = row._asdict()
        label = str(rec[label_col])
        if label in out:
            problems.append(Problem(file, "label repeats", line=line, id=label, column=label_col))
            continue
        if is_blank(rec.get("folder")):
            study.skipped.append(f"{label} ({rec.get('status', 'no run')})")
            continue
        run_dir = Path(str(rec["folder"]))
        run_dir = run_dir if run_dir.is_absolute() else study.folder / run_dir
        try:
            out[label] = read_run(run_dir)
        except InputError as exc:
            problems.append(
                Problem(
                    file,
                    "run folder cannot be read",
                    line=line,
                    id=label,
                    column="folder",
                    found=f"{run_dir}: {exc.errors[0]}",
                )
            )
    return out


def read_study(folder: str | os.PathLike[str]) -> Study:
    """Read a study folder: ``study.json``, ``index.csv`` and/or ``pareto.csv``, and every run
    folder they name (``folder`` relative to the study). Raises InputError listing every
    problem (missing columns, repeated labels, run folders that are named but missing or
    incomplete)."""
    path = Path(folder)
    problems: list[Problem] = []
    if not is_study(path):
        raise InputError(
            [
                Problem(
                    str(path),
                    "not a study folder",
                    expected="a folder with index.csv (scenarios) or pareto.csv (Pareto points)",
                    found="neither" if path.is_dir() else "no such folder",
                )
            ]
        )
    tables = {
        name: _read_table(path / name, required, problems) if (path / name).is_file() else None
        for name, required in ((INDEX_FILE, INDEX_REQUIRED), (PARETO_FILE, PARETO_REQUIRED))
    }
    if problems:
        raise InputError(problems, context=f"study {path} cannot be read")
    study = Study(path, read_study_meta(path), tables[INDEX_FILE], tables[PARETO_FILE])
    if study.index is not None:
        study.runs = _load_runs(study, study.index, "scenario", INDEX_FILE, problems)
    if study.pareto is not None:
        study.pareto_runs = _load_runs(study, study.pareto, "point", PARETO_FILE, problems)
        for rec in study.pareto.itertuples(index=False):
            cap = rec.co2_cap_t
            study.caps_t[str(rec.point)] = None if is_blank(cap) else float(cap)
    if problems:
        raise InputError(problems, context=f"study {path} cannot be read")
    return study
