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
from typing import Any

import pandas as pd

from heatnet.errors import InputError, Problem, SolveError
from heatnet.io import read_network, resolve_network_path, write_network
from heatnet.model import build_model
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
                raise AttributeError(f"run {self.__dict__.get('name')!r} has no solution, "
                                     f"so no {item} table")
            return tables[item]
        raise AttributeError(item)

    def write(self, results_dir: str | os.PathLike[str] = "results",
              name: str | None = None) -> Path:
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
            summary = dict(self.summary, name=target.name)
            (tmp / "summary.json").write_text(
                json.dumps(summary, indent=2, ensure_ascii=False, default=_json_default),
                encoding="utf-8")
            for key, df in self.tables.items():
                write_result_csv(df, tmp / f"{key}.csv")
            write_network(self.network, tmp / "inputs")
            if self.highs_log:
                (tmp / "highs.log").write_text(self.highs_log, encoding="utf-8")
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target


def _json_default(obj: object) -> object:
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def neutralise_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula (= + - @) with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_result_csv(df: pd.DataFrame, path: Path) -> None:
    """Write a result table; text cells that look like formulas are neutralised."""
    out = df.copy()
    index = not isinstance(out.index, pd.RangeIndex)
    if index:
        out = out.reset_index()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.to_csv(path, index=False, lineterminator="\n")


def check_run_name(name: str) -> str:
    """A run name that is a plain folder name inside the results folder, or InputError."""
    if not RUN_NAME.match(name) or name in {".", ".."}:
        raise InputError([Problem(None, "invalid run name", column="--name",
                                  expected="letters, digits, '_', '-', '.' (no '/' or '..'), "
                                  "starting with a letter or digit, at most 100 characters",
                                  found=repr(name))])
    return name


def default_run_name(net: Network) -> str:
    """``<network>_<YYYYmmdd-HHMMSS>``, a new name for every solve."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = re.sub(r"[^A-Za-z0-9_.\-\u4e00-\u9fff]", "_", net.name) or "run"
    return f"{base}_{stamp}"


def make_summary(net: Network, options: SolveOptions, res: SolveResult,
                 tables: dict[str, pd.DataFrame], hm_allow_unserved: bool,
                 total_s: float, warnings: list[Problem]) -> dict[str, Any]:
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
            str(n): float(v) for n, v in short.groupby("node")["unserved_mwh"].sum().items()}
        summary["periods_short_of_heat"] = int(short["t"].nunique())
    summary.update({
        "timings_s": {"build": res.build_s, "handoff": res.handoff_s, "solve": res.solve_s,
                      "prices": res.prices_s, "total": total_s},
        "peak_rss_mb": res.peak_rss_mb,
        "problem_size": {"columns": res.n_cols, "rows": res.n_rows,
                         "nonzeros": res.n_nonzeros, "binaries": res.n_binaries},
        "periods": net.n_periods,
        "season_hours": net.season_hours,
        "economics": dataclasses.asdict(net.economics),
        "options": {k: (str(v) if isinstance(v, Path) else v)
                    for k, v in dataclasses.asdict(options).items() if k != "log_file"},
        "input_hash": input_hash(net),
        "versions": package_versions(),
        "warnings": [str(p) for p in warnings],
    })
    return summary


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
        options: solver options (gap, time limit, threads, …).
        profiles: profiles CSV to use instead of the network's (only with a folder).
        name: run name (default ``<network>_<timestamp>``).
        fixed: decisions to fix, ``{(kind, id): 0 or 1}``; kind is ``keep_source``,
            ``build_source`` or ``build_pipe``.
        warm_start: decisions offered to HiGHS as a starting plan (same keys as ``fixed``).

    The run is returned whatever the solver status; check ``run.is_optimal``.
    """
    opts = options or SolveOptions()
    t_start = time.perf_counter()
    if isinstance(network, Network):
        net, warnings = network, []
        if profiles is not None:
            raise InputError([Problem(None, "profiles can only be swapped when the network "
                                      "is given as a folder", column="profiles")])
    else:
        loaded, problems = read_network(network, profiles)
        if loaded is None:
            raise InputError(problems, context=f"network {resolve_network_path(network)} "
                             "cannot be used")
        net, warnings = loaded, [p for p in problems if p.severity == "warning"]
    run_name = check_run_name(name) if name else default_run_name(net)
    with tempfile.TemporaryDirectory(prefix="heatnet-log-") as tmp:
        log_path = Path(tmp) / "highs.log"
        solve_opts = dataclasses.replace(opts, log_file=log_path)
        t0 = time.perf_counter()
        hm = build_model(net, allow_unserved=opts.allow_unserved, fixed=fixed)
        build_s = time.perf_counter() - t0
        res = solve_model(hm, solve_opts, build_s=build_s, warm_start=warm_start)
        log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    tables = build_tables(hm, res) if res.has_solution else {}
    total = time.perf_counter() - t_start
    summary = make_summary(net, opts, res, tables, hm.allow_unserved, total, warnings)
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
    hm = build_model(net, allow_unserved=opts.allow_unserved, objective="co2",
                     max_unserved_mwh=max_unserved_mwh)
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
        raise InputError([Problem(str(path), "not a heatnet run folder",
                                  expected="a folder with summary.json written by heatnet "
                                  "solve", found="no summary.json")])
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    tables: dict[str, pd.DataFrame] = {}
    for key in TABLE_FILES:
        f = path / f"{key}.csv"
        if f.is_file():
            df = pd.read_csv(f, keep_default_na=False, na_values=[""])
            if key in ("sources", "pipes") and "id" in df.columns:
                df = df.set_index("id")
            tables[key] = df
    from heatnet.io import load_network

    return StoredRun(path, summary, tables, load_network(path / "inputs"))


__all__ = ["Run", "SolveOptions", "SolveResult", "Status", "StoredRun", "cost_breakdown", "read_run", "solve"]
