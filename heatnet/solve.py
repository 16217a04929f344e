"""The solve layer: the only code that knows how a model reaches HiGHS.

Routes (measured on the Jinan hourly season, see ``benchmarks/handoff_routes.py`` and
docs/performance.md):

* ``direct`` (default): the model's column and row families (:class:`heatnet.model.LinearProgram`)
  are assembled into one compressed-column matrix with numpy and passed to
  ``highspy.Highs.passModel`` in one call. No Pyomo objects are created.
* ``standard_form``: the same model as a Pyomo ``ConcreteModel``, compiled by Pyomo's
  ``LinearStandardFormCompiler`` into sparse matrices, then ``passModel``.
* ``lp_file``: Pyomo writes an LP file, HiGHS reads it. Kept for cross-checks.

After the MILP, the binaries can be fixed at their optimal values and the remaining LP solved
again to read the duals of the heat-balance rows: the marginal cost of heat at each node and
period (:attr:`SolveResult.prices_cny_per_mwh`).
"""

from __future__ import annotations

import dataclasses
import enum
import math
import resource
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import numpy as np

from heatnet.errors import Interrupted, SolveError
from heatnet.model import HeatModel
from heatnet.multiyear import PathwayModel
from heatnet.options import Route


class Status(str, enum.Enum):  # noqa: UP042 (str() of a member is unchanged)
    """How a solve ended, in planner's terms.

    ``feasible`` is used by the two-stage solve only: a plan that is feasible at full
    resolution, whose proven gap to the best bound is above the tolerance
    (:attr:`heatnet.options.SolveOptions.two_stage_gap`).
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INTERRUPTED = "interrupted"
    OTHER_LIMIT = "other_limit"
    ERROR = "error"


@dataclass(frozen=True)
class SolverSettings:
    """What HiGHS is told for one solve (the solver's part of
    :class:`heatnet.options.SolveOptions`; the strategy stays above this layer).

    Attributes:
        mip_gap: relative MIP gap at which HiGHS may stop [-].
        time_limit_s: wall-clock limit [s]; None = no limit.
        threads: HiGHS threads; None = HiGHS's choice. Fixed per process by HiGHS.
        verbose: show HiGHS's log live on the console.
        random_seed: HiGHS random seed.
        heat_prices: after a solve with a solution, fix the binaries and solve the LP for the
            duals of the heat balances (nodal prices).
        route: how the model reaches HiGHS (``direct``, ``standard_form`` or ``lp_file``).
        log_file: where HiGHS writes its log (None = no file).
    """

    mip_gap: float = 1e-4
    time_limit_s: float | None = None
    threads: int | None = None
    verbose: bool = False
    random_seed: int = 0
    heat_prices: bool = True
    route: Route = "direct"
    log_file: Path | None = None


@dataclass
class SolveResult:
    """What a solve produced.

    Attributes:
        status: how the solve ended (only ``optimal`` is a proven optimum within the gap).
        termination: HiGHS's own model status text.
        objective_cny: annual cost of the best solution found [CNY/year] (None if none).
        bound_cny: best proven lower bound on the annual cost [CNY/year].
        mip_gap: relative gap |objective - bound| / |objective| [-].
        has_solution: a feasible solution is available.
        build_s, handoff_s, solve_s, prices_s: seconds spent building the model, assembling
            and passing it to HiGHS, in HiGHS, and in the price LP.
        peak_rss_mb: peak resident memory of this process so far [MB].
        values: solution arrays by variable family: ``g`` (S, T), ``fp`` and ``fm`` (P, T),
            ``u`` (M, T) [MW], and ``k``, ``b``, ``y`` (0/1) aligned with the model's lists.
        prices_cny_per_mwh: marginal cost of heat by model node (rows, ``HeatModel.node_ids``)
            and period [CNY/MWh]; NaN where a node has no balance row. None if not computed.
        n_cols, n_rows, n_nonzeros, n_binaries: size of the problem passed to HiGHS.
        infeasibility: for an infeasible model, why, in network terms (an infeasible set of
            limits translated to ids; see :func:`explain_infeasibility`).
        infeasibility_error: why that explanation could not be computed ("" if it was, or
            if the model is not infeasible).
    """

    status: Status
    termination: str
    objective_cny: float | None
    bound_cny: float | None
    mip_gap: float | None
    has_solution: bool
    build_s: float = 0.0
    handoff_s: float = 0.0
    solve_s: float = 0.0
    prices_s: float = 0.0
    peak_rss_mb: float = 0.0
    values: dict[str, np.ndarray] = field(default_factory=dict)
    prices_cny_per_mwh: np.ndarray | None = None
    n_cols: int = 0
    n_rows: int = 0
    n_nonzeros: int = 0
    n_binaries: int = 0
    infeasibility: list[str] = field(default_factory=list)
    infeasibility_error: str = ""

    @property
    def is_optimal(self) -> bool:
        """True only for a proven optimum (within the requested MIP gap)."""
        return self.status is Status.OPTIMAL


def peak_rss_mb() -> float:
    """Peak resident set size of this process [MB].

    On Linux this is ``VmHWM`` of ``/proc/self/status``, the peak of this program's own memory:
    ``getrusage``'s ``ru_maxrss`` also counts the parent's memory at ``fork`` (it survives
    ``exec``), which overstates a small process started by a large one. Elsewhere,
    ``ru_maxrss`` (Linux and BSD report KiB).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


_STATUS = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kTimeLimit: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
    highspy.HighsModelStatus.kInterrupt: Status.INTERRUPTED,
    highspy.HighsModelStatus.kIterationLimit: Status.OTHER_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: Status.OTHER_LIMIT,
    highspy.HighsModelStatus.kObjectiveBound: Status.OTHER_LIMIT,
    highspy.HighsModelStatus.kObjectiveTarget: Status.OTHER_LIMIT,
    highspy.HighsModelStatus.kMemoryLimit: Status.OTHER_LIMIT,
}


@dataclass
class _Compiled:
    """The model as HiGHS sees it, and how its columns and rows map back to the model's.

    ``col_index[c]`` is the model column (``HeatModel.lp``) of HiGHS column c, ``row_index[r]``
    the model row of HiGHS row r (routes through Pyomo may drop or reorder both).
    """

    highs: highspy.Highs
    col_index: np.ndarray
    row_index: np.ndarray
    integer_cols: np.ndarray  # HiGHS column numbers


def new_highs() -> highspy.Highs:
    """A Highs instance without the copyright banner HiGHS prints to stdout on creation."""
    import os
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def _options(h: highspy.Highs, opts: SolverSettings) -> None:
    h.setOptionValue("output_flag", bool(opts.verbose or opts.log_file))
    h.setOptionValue("log_to_console", bool(opts.verbose))
    if opts.log_file is not None:
        h.setOptionValue("log_file", str(opts.log_file))
    h.setOptionValue("mip_rel_gap", float(opts.mip_gap))
    h.setOptionValue("random_seed", int(opts.random_seed))
    if opts.time_limit_s is not None:
        h.setOptionValue("time_limit", float(opts.time_limit_s))
    if opts.threads is not None:
        h.setOptionValue("threads", int(opts.threads))


#: after Ctrl-C, how long HiGHS may take to stop cleanly before heatnet stops waiting [s]
CANCEL_GRACE_S = 2.0
#: solvers still running after an interrupt's grace period (see :func:`solver_abandoned`)
_ABANDONED: list[highspy.Highs] = []


def solver_abandoned() -> bool:
    """True when an interrupted HiGHS did not stop within :data:`CANCEL_GRACE_S`: its thread
    still runs, and a normal interpreter shutdown would destroy it mid-solve (the C++
    runtime then aborts the process), so the caller should leave with ``os._exit``."""
    return bool(_ABANDONED)


def run_highs(h: highspy.Highs, stop_below: float | None = None) -> bool:
    """``h.run()`` in HiGHS's solver thread, so that Ctrl-C (or SIGTERM turned into
    KeyboardInterrupt by the CLI) stops the solve.

    On an interrupt HiGHS is asked to stop; if it has not stopped within ``CANCEL_GRACE_S``
    (presolve and the simplex check for interrupts only now and then) heatnet stops waiting —
    the solver thread is a daemon and ends with the process — and :class:`Interrupted` is
    raised, so no result is written.

    ``stop_below`` (a MIP, in HiGHS's objective units): stop as soon as an incumbent's
    objective is at most this value (a caller holding a valid bound from elsewhere knows
    such an incumbent is good enough). Returns True when the solve was stopped for that
    reason.
    """
    h.HandleKeyboardInterrupt = True
    found: list[float] = []
    if stop_below is not None:
        h.cbMipImprovingSolution.subscribe(
            lambda e: found.append(float(e.data_out.objective_function_value))
        )
    h.startSolve()
    stopped_early = False
    try:
        while not h.wait(0.1)[0]:
            if found and not stopped_early and min(found) <= stop_below:  # type: ignore[operator]
                h.cancelSolve()
                stopped_early = True
        return stopped_early
    except KeyboardInterrupt:
        h.cancelSolve()
        deadline = time.perf_counter() + CANCEL_GRACE_S
        stopped = False
        while time.perf_counter() < deadline and not stopped:
            stopped = bool(h.wait(0.1)[0])
        if not stopped:
            _ABANDONED.append(h)  # keep it alive: destroying a running solver aborts
        raise Interrupted(
            "interrupted: the solve was stopped and no results were written"
        ) from None


def run_started(h: highspy.Highs, started: bool, stop_below: float | None = None) -> bool:
    """:func:`run_highs`, and when a MIP start was offered (``started``), a check that the
    solution HiGHS returns is the one whose objective it reports.

    Why: HiGHS 1.16 can keep a user's MIP start as its incumbent with the objective it
    evaluated "in the reduced space" after presolve, lower than the start's real cost, and
    then report that objective with the start's values (seen on a two-season pathway whose
    second season has a zero CO2 cap: objective 3,500, values costing 3,678). When the
    values' cost (c·x + offset) and the reported objective disagree, the start is dropped
    and the model solved again from scratch. Returns what :func:`run_highs` returns.
    """
    stopped = run_highs(h, stop_below)
    if not started or stopped:
        return stopped
    sol = h.getSolution()
    if not sol.value_valid:
        return stopped
    lp = h.getLp()
    cost = float(np.dot(np.asarray(lp.col_cost_), np.asarray(sol.col_value)) + lp.offset_)
    reported = float(h.getInfo().objective_function_value)
    if abs(cost - reported) <= 1e-9 * max(1.0, abs(cost), abs(reported)):
        return stopped
    h.clearSolver()
    return run_highs(h, stop_below)


def _integer_mask(hm: HeatModel) -> np.ndarray:
    """Integer model columns; fixed binaries are passed as continuous columns (lb = ub), so a
    model whose binaries are all fixed is a pure LP (with duals)."""
    integer = hm.lp.integrality().copy()
    if hm.fixed_cols:
        integer[np.fromiter(hm.fixed_cols, dtype=np.int64)] = False
    return integer


def _compile_direct(hm: HeatModel, h: highspy.Highs) -> _Compiled:
    """Assemble the model's arrays into a column-wise matrix and pass it in one call."""
    lp = hm.lp
    col_lo, col_up, row_lo, row_up = lp.bounds()
    integer = _integer_mask(hm)
    starts, index, values = lp.matrix()
    n_col, n_row = lp.n_cols, lp.n_rows
    if integer.any():
        status = h.passModel(
            n_col,
            n_row,
            len(values),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize),
            float(lp.cost_constant),
            lp.cost,
            col_lo,
            col_up,
            row_lo,
            row_up,
            starts.astype(np.int32),
            index.astype(np.int32),
            values,
            integer.astype(np.int32),
        )
    else:  # a pure LP: no integrality vector, so HiGHS does not warn about an empty one
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = n_col, n_row
        model.offset_ = float(lp.cost_constant)
        model.col_cost_, model.col_lower_, model.col_upper_ = lp.cost, col_lo, col_up
        model.row_lower_, model.row_upper_ = row_lo, row_up
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.num_col_, model.a_matrix_.num_row_ = n_col, n_row
        model.a_matrix_.start_ = starts.astype(np.int32)
        model.a_matrix_.index_ = index.astype(np.int32)
        model.a_matrix_.value_ = values
        status = h.passModel(model)
    if status == highspy.HighsStatus.kError:
        raise SolveError("HiGHS rejected the model (passModel returned an error)")
    return _Compiled(h, np.arange(n_col), np.arange(n_row), np.flatnonzero(integer))


def _pyomo_lookup(hm: HeatModel) -> tuple[dict[int, int], dict[int, int]]:
    """id(VarData) → model column and id(ConstraintData) → model row, for the Pyomo routes."""
    m = hm.m
    cols: dict[int, int] = {}
    for name, fam in hm.lp.cols.items():
        var = getattr(m, name)
        for c, idx in enumerate(fam.pyomo_index(), start=fam.start):
            cols[id(var[idx])] = c
    rows: dict[int, int] = {}
    for name, fam in hm.lp.rows.items():
        con = getattr(m, name)
        if fam.n_periods or fam.size > 1:  # indexed, as heatnet.model.to_pyomo builds it
            for r, idx in enumerate(fam.pyomo_index(), start=fam.start):
                if idx in con:
                    rows[id(con[idx])] = r
        elif con.active:
            rows[id(con)] = fam.start
    return cols, rows


def _compile_standard_form(hm: HeatModel, h: highspy.Highs) -> _Compiled:
    import pyomo.environ as pyo
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    repn = LinearStandardFormCompiler().write(hm.m, mixed_form=True, set_sense=pyo.minimize)
    col_of, row_of = _pyomo_lookup(hm)
    col_index = np.fromiter(
        (col_of[id(v)] for v in repn.columns), dtype=np.int64, count=len(repn.columns)
    )
    row_index = np.fromiter(
        (row_of[id(r[0])] for r in repn.rows), dtype=np.int64, count=len(repn.rows)
    )
    col_lo, col_up, _, _ = hm.lp.bounds()
    integer = _integer_mask(hm)[col_index]
    A = repn.A.tocsc()
    rhs = np.asarray(repn.rhs, dtype=float)
    sense = np.array([r[1] for r in repn.rows], dtype=np.int8)
    inf = highspy.kHighsInf
    # mixed form: sense 0 is an equality, 1 an upper bound (<=), -1 a lower bound (>=)
    row_lower = np.where(sense <= 0, rhs, -inf)
    row_upper = np.where(sense >= 0, rhs, inf)
    n_col = len(col_index)
    c = repn.c.toarray().ravel() if repn.c.shape[0] else np.zeros(n_col)
    offset = float(repn.c_offset[0]) if len(repn.c_offset) else 0.0
    status = h.passModel(
        n_col,
        len(rhs),
        int(A.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        offset,
        c,
        col_lo[col_index],
        col_up[col_index],
        row_lower,
        row_upper,
        A.indptr.astype(np.int32),
        A.indices.astype(np.int32),
        A.data.astype(float),
        integer.astype(np.int32),
    )
    if status == highspy.HighsStatus.kError:
        raise SolveError("HiGHS rejected the model (passModel returned an error)")
    return _Compiled(h, col_index, row_index, np.flatnonzero(integer))


def _compile_lp_file(hm: HeatModel, h: highspy.Highs) -> _Compiled:
    col_of, row_of = _pyomo_lookup(hm)
    m = hm.m
    # fixed binaries are written as constants, so an all-fixed model is read as an LP
    with tempfile.TemporaryDirectory(prefix="heatnet-lp-") as tmp:
        path = Path(tmp) / "model.lp"
        _, smap_id = m.write(str(path), io_options={"symbolic_solver_labels": False})
        smap = m.solutions.symbol_map[smap_id]
        h.readModel(str(path))
    lp = h.getLp()
    names = list(lp.col_names_)
    # columns the model does not know (ONE_VAR_CONSTANT, the objective constant) map to -1
    col_index = np.array(
        [col_of.get(id(smap.bySymbol.get(name)), -1) for name in names], dtype=np.int64
    )
    rows = list(lp.row_names_)
    row_index = np.full(len(rows), -1, dtype=np.int64)
    for r, name in enumerate(rows):
        obj = smap.bySymbol.get(name[2:] if name.startswith(("c_e_", "c_l_", "c_u_")) else name)
        if obj is None:
            obj = smap.bySymbol.get(name)
        if obj is not None and id(obj) in row_of:
            row_index[r] = row_of[id(obj)]
    integ = (
        np.array([int(v) for v in lp.integrality_], dtype=np.int32)
        if len(lp.integrality_)
        else np.zeros(len(names), dtype=np.int32)
    )
    return _Compiled(h, col_index, row_index, np.flatnonzero(integ))


_COMPILERS = {
    "direct": _compile_direct,
    "standard_form": _compile_standard_form,
    "lp_file": _compile_lp_file,
}


def _values(hm: HeatModel, comp: _Compiled, x: np.ndarray) -> dict[str, np.ndarray]:
    """Solution arrays by family, shaped as documented in :class:`SolveResult`."""
    lp = hm.lp
    full = np.zeros(lp.n_cols)
    known = comp.col_index >= 0
    full[comp.col_index[known]] = x[known]
    for c, value in hm.fixed_cols.items():  # fixed columns may have been compiled away
        full[c] = value
    T = hm.n_periods
    out = {
        "g": np.zeros((len(hm.source_ids), T)),
        "fp": np.zeros((len(hm.pipe_ids), T)),
        "fm": np.zeros((len(hm.pipe_ids), T)),
        "u": np.zeros((len(hm.demand_nodes), T)),
    }
    for name, arr in out.items():
        fam = lp.cols.get(name)
        if fam is not None and fam.size:
            arr[fam.positions] = full[fam.block()]
    for name in ("k", "b", "y"):
        fam = lp.cols[name]
        out[name] = full[fam.start : fam.start + fam.size].copy()
    if hm.security is not None:  # design-hour dispatch per case: (entities, cases)
        n_cases = hm.security.n
        for name, n in (("sec_g", len(hm.source_ids)), ("sec_fp", len(hm.pipe_ids))):
            out[name] = np.zeros((n, n_cases))
            out[name][lp.cols[name].positions] = full[lp.cols[name].block()]
        out["sec_fm"] = np.zeros((len(hm.pipe_ids), n_cases))
        fm = lp.cols["sec_fm"]
        if fm.size:
            out["sec_fm"][fm.positions] = full[fm.block()]
        out["sec_u"] = full[lp.cols["sec_u"].block()].reshape(len(hm.demand_nodes), n_cases)
    return out


def _fix_integers_and_resolve(comp: _Compiled, x: np.ndarray) -> None:
    """Fix the integer columns at their values in ``x`` and re-solve as an LP (for duals)."""
    h = comp.highs
    ints = comp.integer_cols
    if len(ints):
        vals = np.round(x[ints])
        h.changeColsIntegrality(
            len(ints), ints.astype(np.int32), np.zeros(len(ints), dtype=np.int32)
        )
        h.changeColsBounds(len(ints), ints.astype(np.int32), vals, vals)
        h.setOptionValue("time_limit", highspy.kHighsInf)
        run_highs(h)


def _heat_prices(hm: HeatModel, comp: _Compiled, x: np.ndarray) -> np.ndarray:
    """Fix the integer columns at their values, re-solve as an LP, return nodal prices."""
    _fix_integers_and_resolve(comp, x)
    h = comp.highs
    sol = h.getSolution()
    prices = np.full((len(hm.node_ids), hm.n_periods), np.nan)
    balance = hm.lp.rows.get("balance")
    if not sol.dual_valid or balance is None:
        return prices
    duals = np.full(hm.lp.n_rows, np.nan)
    ok = comp.row_index >= 0
    duals[comp.row_index[ok]] = np.asarray(sol.row_dual)[ok]
    w = hm.net.weights_h
    prices[balance.positions] = duals[balance.block()] / hm.cost_scale / w[None, :]
    return prices


#: IIS computation is skipped above this many columns (it can take longer than the solve)
IIS_MAX_COLUMNS = 2_000_000
#: at most this many grouped limits are listed in an infeasibility explanation
MAX_EXPLANATION_LINES = 15


def _locate(hm: HeatModel, families: Mapping[str, Any], index: int) -> tuple[str, int, int]:
    """(family name, entity position, period or -1) of a model column or row number."""
    for name, fam in families.items():
        if fam.start <= index < fam.start + fam.size:
            local = index - fam.start
            if fam.n_periods:
                return name, int(fam.positions[local // fam.n_periods]), local % fam.n_periods
            return name, int(fam.positions[local]), -1
    return "?", -1, -1


#: how telling each kind of limit is, most telling first: caps and decisions, then
#: capacities, then where heat is needed
_LIMIT_RANK = {
    "security": 0,
    "co2_cap": 0,
    "unserved_cap": 0,
    "decision": 1,
    "source": 2,
    "pipe": 3,
    "one_way": 4,
    "demand": 5,
    "junction": 6,
    "unserved": 7,
}


class _Limits:
    """Members of an infeasible set grouped into network limits, each with the periods in
    which it appears and its rank (:data:`_LIMIT_RANK`)."""

    def __init__(self, hm: HeatModel) -> None:
        self.hm = hm
        self.periods = hm.net.profiles["period"].astype(str).to_numpy()
        self.groups: dict[str, list[str]] = {}
        self.rank: dict[str, int] = {}

    def add(self, key: str, t: int, kind: str) -> None:
        """Record limit ``key`` of kind ``kind`` in period t (−1: not tied to a period)."""
        self.groups.setdefault(key, [])
        self.rank[key] = _LIMIT_RANK[kind]
        if t >= 0:
            self.groups[key].append(self.periods[t])

    def node_label(self, pos: int) -> str:
        """``id (name)`` of model node ``pos``."""
        nodes = self.hm.net.nodes
        nid = self.hm.node_ids[pos]
        name = str(nodes["name"].get(nid, "")) if "name" in nodes else ""
        return f"{nid} ({name})" if name and name != nid else nid

    def lines(self) -> list[str]:
        """The limits as text, most telling first, at most :data:`MAX_EXPLANATION_LINES`."""
        out = []
        ranked = sorted(self.groups.items(), key=lambda kv: self.rank[kv[0]])
        for key, ts in ranked[:MAX_EXPLANATION_LINES]:
            seen = sorted(set(ts))
            if not seen:
                out.append(key)
                continue
            more = f" and {len(seen) - 3} more" if len(seen) > 3 else ""
            word = "period" if len(seen) == 1 else "periods"
            out.append(f"{key} — in {word} {', '.join(seen[:3])}{more}")
        if len(self.groups) > MAX_EXPLANATION_LINES:
            out.append(f"and {len(self.groups) - MAX_EXPLANATION_LINES} more limits")
        return out


def _add_iis_rows(limits: _Limits, comp: _Compiled, rows: Any) -> None:
    """Translate the infeasible set's rows: heat balances, source and pipe limits, caps."""
    hm = limits.hm
    net = hm.net
    demand_nodes = set(hm.demand_nodes)
    for r in rows:
        row = int(comp.row_index[r]) if 0 <= r < len(comp.row_index) else -1
        fam, pos, t = _locate(hm, hm.lp.rows, row)
        if fam.startswith("sec_"):
            _add_security_row(limits, fam, pos, t)
        elif fam == "balance" and hm.node_ids[pos] in demand_nodes:
            limits.add(f"heat demand at {limits.node_label(pos)} must be met", t, "demand")
        elif fam == "balance":
            limits.add(
                f"heat balance at {limits.node_label(pos)} (heat in = heat out)", t, "junction"
            )
        elif fam == "source_limit":
            sid = hm.source_ids[pos]
            cap = net.sources.at[sid, "capacity_mw"]
            limits.add(
                f"source {sid} can give at most {cap:,.1f} MW (if kept or built)", t, "source"
            )
        elif fam == "pipe_limit":
            pid = hm.pipe_ids[pos]
            cap = net.pipes.at[pid, "capacity_mw"]
            limits.add(f"pipe {pid} carries at most {cap:,.1f} MW (if built)", t, "pipe")
        elif fam == "co2_cap":
            limits.add(f"the CO2 cap of {net.economics.co2_cap_t:,.0f} t", t, "co2_cap")
        elif fam == "unserved_cap":
            limits.add("the cap on unserved heat", t, "unserved_cap")


def _add_iis_columns(limits: _Limits, comp: _Compiled, cols: Any, bounds: Any) -> None:
    """Translate the infeasible set's column bounds: available capacity, pipe capacity and
    direction, fixed decisions, unserved heat."""
    hm = limits.hm
    net = hm.net
    upper_codes = (
        int(highspy.IisBoundStatus.kIisBoundStatusUpper),
        int(highspy.IisBoundStatus.kIisBoundStatusBoxed),
    )
    for c, bound in zip(cols, bounds, strict=True):
        col = int(comp.col_index[c]) if 0 <= c < len(comp.col_index) else -1
        fam, pos, t = _locate(hm, hm.lp.cols, col)
        upper = int(bound) in upper_codes
        if fam.startswith("sec_"):
            _add_security_column(limits, fam, pos, t, upper)
        elif fam == "g" and upper:
            avail = hm.cap_avail_mw[pos, max(t, 0)]
            limits.add(f"source {hm.source_ids[pos]} has {avail:,.1f} MW available", t, "source")
        elif fam in ("fp", "fm") and upper:
            pid = hm.pipe_ids[pos]
            cap = net.pipes.at[pid, "capacity_mw"]
            limits.add(f"pipe {pid} carries at most {cap:,.1f} MW", t, "pipe")
        elif fam == "fm" or (fam == "fp" and not hm.bidirectional[pos]):
            pid = hm.pipe_ids[pos]
            p = net.pipes.loc[pid]
            limits.add(f"pipe {pid} is one-way ({p['from_node']} → {p['to_node']})", -1, "one_way")
        elif fam in ("k", "b", "y"):
            ids = hm.pipe_ids if fam == "y" else hm.source_ids
            what = {"k": "kept", "b": "built", "y": "built"}[fam]
            limits.add(
                f"{ids[pos]} is {'not ' if upper else ''}{what} (fixed decision)", -1, "decision"
            )
        elif fam == "u" and upper:
            limits.add(
                f"unserved heat at {hm.demand_nodes[pos]} is limited to its demand", t, "unserved"
            )


def _case(hm: HeatModel, c: int) -> str:
    """A security case in words: ``the intact plan`` or ``outage of <id>``."""
    sec = hm.security
    if sec is None or not 0 <= c < sec.n or sec.kinds[c] == "intact":
        return "at the design hour, intact"
    return f"at the design hour, outage of {sec.kinds[c]} {sec.names[c]}"


def _add_security_row(limits: _Limits, fam: str, pos: int, c: int) -> None:
    """Translate a security row (heat balance, source or pipe limit in a design-hour case)."""
    hm = limits.hm
    case = _case(hm, c)
    if fam == "sec_balance" and hm.node_ids[pos] in set(hm.demand_nodes):
        limits.add(
            f"security: district {limits.node_label(pos)} must be served — {case}", -1, "demand"
        )
    elif fam == "sec_balance":
        limits.add(f"security: heat balance at {limits.node_label(pos)} — {case}", -1, "junction")
    elif fam == "sec_source_limit":
        limits.add(
            f"security: source {hm.source_ids[pos]} only if kept or built — {case}", -1, "source"
        )
    elif fam == "sec_pipe_limit":
        limits.add(f"security: pipe {hm.pipe_ids[pos]} only if built — {case}", -1, "pipe")


def _add_security_column(limits: _Limits, fam: str, pos: int, c: int, upper: bool) -> None:
    """Translate a security column bound: what a source, pipe or district can do in a case."""
    hm = limits.hm
    sec = hm.security
    if sec is None or not upper:
        return
    case = _case(hm, c)
    if fam == "sec_g":
        avail = 0.0 if sec.source_out[pos, c] else hm.cap_avail_mw[pos, sec.design_period]
        limits.add(
            f"security: source {hm.source_ids[pos]} has {avail:,.1f} MW — {case}", -1, "source"
        )
    elif fam in ("sec_fp", "sec_fm"):
        cap = 0.0 if sec.pipe_out[pos, c] else float(_pipe_capacity_of(hm, pos))
        limits.add(f"security: pipe {hm.pipe_ids[pos]} carries {cap:,.1f} MW — {case}", -1, "pipe")
    elif fam == "sec_u":
        d = float(sec.design_demand_mw[pos])
        share = float(sec.min_share[c])
        limits.add(
            f"security: district {hm.demand_nodes[pos]} must get {share:.0%} of its "
            f"{d:,.1f} MW design demand — {case}",
            -1,
            "security",
        )


def _pipe_capacity_of(hm: HeatModel, pos: int) -> float:
    return float(hm.net.pipes.at[hm.pipe_ids[pos], "capacity_mw"])


def _relaxation_is_feasible(comp: _Compiled) -> bool:
    """Drop the integrality of the binaries and solve again: True if the LP relaxation of an
    infeasible MILP is feasible (then only the yes/no nature of the decisions is at fault)."""
    ints = comp.integer_cols
    if not len(ints):
        return False
    h = comp.highs
    h.changeColsIntegrality(len(ints), ints.astype(np.int32), np.zeros(len(ints), dtype=np.int32))
    h.setOptionValue("time_limit", highspy.kHighsInf)
    run_highs(h)
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def explain_infeasibility(hm: HeatModel, comp: _Compiled) -> tuple[list[str], str]:
    """Why an infeasible model is infeasible, as limits of the network.

    Computes an infeasible subsystem with HiGHS (``getIis`` from the LP: a set of rows and
    bounds that cannot hold together, not always the smallest) on the model (its LP
    relaxation for a MILP: if even the relaxation is infeasible, no choice of decisions
    helps) and translates each member to network terms: heat balance at a node in a period,
    capacity of a source or pipe, the CO2 cap. Repeated members (the same limit in many
    periods) are grouped.

    Returns the explanation lines and, when HiGHS could not compute a subsystem, why not
    (lines empty); the error is "" otherwise.
    """
    h = comp.highs
    if h.getNumCol() > IIS_MAX_COLUMNS:
        return [
            f"the model is too large for an infeasibility analysis ({h.getNumCol():,} "
            "columns); solve with unserved heat allowed to see where heat is short"
        ], ""
    if _relaxation_is_feasible(comp):
        return [
            "every limit can be met with fractional build/keep decisions, but no "
            "yes/no combination meets them all: e.g. a pipe or source is needed only "
            "in part"
        ], ""
    # an infeasible subsystem from the LP (not a dual ray); reducing it to an irreducible one
    # (kIisStrategyIrreducible) took 20 s on the daily Jinan model and did not finish, so the
    # set is not always minimal, but every member is part of the conflict HiGHS found
    h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyFromLp))
    try:
        status, iis = h.getIis()
    except Exception as exc:  # any failure of HiGHS here is reported, not raised
        return [], f"HiGHS getIis failed: {type(exc).__name__}: {exc}"
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return [], f"HiGHS getIis found no valid infeasible set (status {status})"
    limits = _Limits(hm)
    _add_iis_rows(limits, comp, iis.row_index_)
    _add_iis_columns(limits, comp, iis.col_index_, iis.col_bound_)
    return limits.lines(), ""


def _warm_start(hm: HeatModel, comp: _Compiled, start: Mapping[tuple[str, str], float]) -> None:
    """Offer HiGHS a partial MIP start: values for some binaries, by (kind, id)."""
    lp = hm.lp
    src = {sid: i for i, sid in enumerate(hm.source_ids)}
    pipe = {pid: j for j, pid in enumerate(hm.pipe_ids)}
    family = {"keep_source": ("k", src), "build_source": ("b", src), "build_pipe": ("y", pipe)}
    highs_col = {int(c): n for n, c in enumerate(comp.col_index) if c >= 0}
    integer = set(comp.integer_cols.tolist())
    cols, vals = [], []
    for (kind, ident), value in start.items():
        if kind not in family:
            continue
        name, positions = family[kind]
        fam = lp.cols[name]
        local = np.flatnonzero(fam.positions == positions.get(ident, -1))
        if not len(local):
            continue
        c = highs_col.get(int(fam.index(local[0])))
        if c is not None and c in integer:
            cols.append(c)
            vals.append(float(value))
    if cols:
        comp.highs.setSolution(
            len(cols), np.array(cols, dtype=np.int32), np.array(vals, dtype=float)
        )


@dataclass
class _Outcome:
    """What HiGHS ended with: status, the solution (if valid) and objective, bound and gap
    in CNY (the internal objective divided by the cost scale)."""

    status: Status
    termination: str
    has_solution: bool
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None

    def result(
        self,
        comp: _Compiled,
        times: tuple[float, float, float, float],
        build_s: float,
        **details: Any,
    ) -> SolveResult:
        """The :class:`SolveResult`: status, objective, bound and gap, the times between
        ``times`` (start, handed off, solved, prices done), the problem's size, ``details``."""
        t0, t1, t2, t3 = times
        h = comp.highs
        return SolveResult(
            status=self.status,
            termination=self.termination,
            objective_cny=self.objective,
            bound_cny=self.bound,
            mip_gap=self.gap,
            has_solution=self.has_solution,
            build_s=build_s,
            handoff_s=t1 - t0,
            solve_s=t2 - t1,
            prices_s=t3 - t2,
            peak_rss_mb=peak_rss_mb(),
            n_cols=int(h.getNumCol()),
            n_rows=int(h.getNumRow()),
            n_nonzeros=int(h.getNumNz()),
            n_binaries=len(comp.integer_cols),
            **details,
        )


def _outcome(comp: _Compiled, cost_scale: float) -> _Outcome:
    """Read the result of a finished HiGHS run."""
    h = comp.highs
    model_status = h.getModelStatus()
    status = _STATUS.get(model_status, Status.ERROR)
    info = h.getInfo()
    sol = h.getSolution()
    has_solution = bool(sol.value_valid) and status not in (Status.INFEASIBLE, Status.UNBOUNDED)
    is_mip = len(comp.integer_cols) > 0
    objective = bound = gap = None
    if has_solution:
        objective = float(info.objective_function_value) / cost_scale
        if is_mip:
            bound = float(info.mip_dual_bound) / cost_scale
            gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else None
        elif status is Status.OPTIMAL:
            bound, gap = objective, 0.0
    elif is_mip and math.isfinite(info.mip_dual_bound):
        bound = float(info.mip_dual_bound) / cost_scale
    return _Outcome(
        status,
        h.modelStatusToString(model_status),
        has_solution,
        np.asarray(sol.col_value) if has_solution else None,
        objective,
        bound,
        gap,
    )


def solve_model(
    hm: HeatModel,
    options: SolverSettings | None = None,
    build_s: float = 0.0,
    warm_start: Mapping[tuple[str, str], float] | None = None,
) -> SolveResult:
    """Solve a built model with HiGHS and return the result (never raises on non-optimal).

    A result whose status is not ``optimal`` may still carry a feasible solution
    (``has_solution``); callers must not present it as optimal. ``warm_start`` offers
    values of binaries ``{(kind, id): 0/1}`` as a starting point (e.g. a neighbouring
    scenario's plan); HiGHS completes and checks it.
    """
    opts = options or SolverSettings()
    t0 = time.perf_counter()
    h = new_highs()
    _options(h, opts)
    comp = _COMPILERS[opts.route](hm, h)
    if warm_start:
        _warm_start(hm, comp, warm_start)
    t1 = time.perf_counter()
    run_started(h, bool(warm_start))
    t2 = time.perf_counter()
    out = _outcome(comp, hm.cost_scale)
    status = out.status
    why, why_error = explain_infeasibility(hm, comp) if status is Status.INFEASIBLE else ([], "")
    values: dict[str, np.ndarray] = {}
    prices = None
    t3 = t2
    if out.x is not None:
        values = _values(hm, comp, out.x)
        if opts.heat_prices and status is Status.OPTIMAL:
            prices = _heat_prices(hm, comp, out.x)
        t3 = time.perf_counter()
    return out.result(
        comp,
        (t0, t1, t2, t3),
        build_s,
        values=values,
        prices_cny_per_mwh=prices,
        infeasibility=why,
        infeasibility_error=why_error,
    )


# --- the pathway model (spec v1.1 §4) ---------------------------------------------------------


def _year_compiled(pm: PathwayModel, comp: _Compiled, n: int) -> _Compiled:
    """The HiGHS columns and rows of year number n, numbered as that year's own model."""
    hm = pm.models[n]
    c0, r0 = pm.col_start[n], pm.row_start[n]
    col = comp.col_index - c0
    row = comp.row_index - r0
    col[(col < 0) | (col >= hm.lp.n_cols)] = -1
    row[(row < 0) | (row >= hm.lp.n_rows)] = -1
    return _Compiled(comp.highs, col, row, comp.integer_cols)


def _pathway_prices(pm: PathwayModel, comp: _Compiled, x: np.ndarray) -> list[np.ndarray]:
    """Nodal prices of every year [CNY/MWh]: the stacked model's balance duals with the
    binaries fixed, divided by the cost scale, δ_y and w_t."""
    _fix_integers_and_resolve(comp, x)
    sol = comp.highs.getSolution()
    out = []
    for n, hm in enumerate(pm.models):
        prices = np.full((len(hm.node_ids), hm.n_periods), np.nan)
        balance = hm.lp.rows.get("balance")
        if sol.dual_valid and balance is not None:
            duals = np.asarray(sol.row_dual)[pm.row_start[n] + balance.block()]
            scale = pm.cost_scale * float(pm.discount[n]) * hm.net.weights_h[None, :]
            prices[balance.positions] = duals / scale
        out.append(prices)
    return out


def explain_pathway_infeasibility(pm: PathwayModel, comp: _Compiled) -> tuple[list[str], str]:
    """:func:`explain_infeasibility` for a pathway: the infeasible set's members translated
    season by season (``<year>: …``), plus the rows linking the seasons."""
    h = comp.highs
    if h.getNumCol() > IIS_MAX_COLUMNS or _relaxation_is_feasible(comp):
        return explain_infeasibility(pm.models[0], comp)
    h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyFromLp))
    try:
        status, iis = h.getIis()
    except Exception as exc:  # any failure of HiGHS here is reported, not raised
        return [], f"HiGHS getIis failed: {type(exc).__name__}: {exc}"
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return [], f"HiGHS getIis found no valid infeasible set (status {status})"
    rows = np.asarray(iis.row_index_, dtype=np.int64)
    cols = np.asarray(iis.col_index_, dtype=np.int64)
    bounds = np.asarray(iis.col_bound_, dtype=np.int64)
    lines: list[str] = []
    for n, hm in enumerate(pm.models):
        yc = _year_compiled(pm, comp, n)
        limits = _Limits(hm)
        _add_iis_rows(limits, yc, [r for r in rows if yc.row_index[r] >= 0])
        mine = [i for i, c in enumerate(cols) if yc.col_index[c] >= 0]
        _add_iis_columns(limits, yc, cols[mine], bounds[mine])
        lines += [f"{pm.years[n]}: {line}" for line in limits.lines()]
    linked = {name for name in ("keep_order", "build_order", "co2_peak") if name in pm.lp.rows}
    for name in sorted(linked):
        fam = pm.lp.rows[name]
        if any(fam.start <= comp.row_index[r] < fam.start + fam.size for r in rows):
            lines.append(
                {
                    "keep_order": "a retired source stays retired in later seasons",
                    "build_order": "a built source or pipe stays built in later seasons",
                    "co2_peak": "emissions may not rise after the peak year "
                    f"{pm.net.pathway.co2_peak_year if pm.net.pathway else ''}",
                }[name]
            )
    return lines[: MAX_EXPLANATION_LINES + len(linked)], ""


def _pathway_warm_start(pm: PathwayModel, comp: _Compiled, start: Mapping[Any, float]) -> None:
    """Offer a plan as a MIP start: ``{(kind, id): 0/1}`` sets the decision in every year
    that has it, ``{(kind, id, year): 0/1}`` in that year."""
    integer = set(comp.integer_cols.tolist())
    cols, vals = [], []
    for key, value in start.items():
        kind, ident = key[0], str(key[1])
        if kind not in ("keep_source", "build_source", "build_pipe"):
            continue
        for n, year in enumerate(pm.years):
            if len(key) > 2 and int(key[2]) != year:
                continue
            c = pm.decision_column(n, kind, ident)
            if c is not None and c in integer:
                cols.append(c)
                vals.append(float(value))
    if cols:
        comp.highs.setSolution(
            len(cols), np.array(cols, dtype=np.int32), np.array(vals, dtype=float)
        )


def _with_known_bound(
    out: _Outcome, known_bound_cny: float, mip_gap: float, stopped_early: bool
) -> _Outcome:
    """``out`` with the better of its bound and a bound known from elsewhere, its gap
    recomputed, and ``optimal`` when that gap is within ``mip_gap``."""
    if out.objective is None:
        return out
    bound = known_bound_cny if out.bound is None else max(out.bound, known_bound_cny)
    gap = max(0.0, (out.objective - bound) / max(abs(out.objective), 1e-9))
    status, termination = out.status, out.termination
    if gap <= mip_gap and status in (Status.OPTIMAL, Status.TIME_LIMIT, Status.INTERRUPTED):
        status = Status.OPTIMAL
        if stopped_early or out.status is not Status.OPTIMAL:
            termination = "Optimal (incumbent within the gap of the seasons' bound)"
    return dataclasses.replace(out, status=status, termination=termination, bound=bound, gap=gap)


def solve_pathway_model(
    pm: PathwayModel,
    options: SolverSettings | None = None,
    build_s: float = 0.0,
    warm_start: Mapping[Any, float] | None = None,
    known_bound_cny: float | None = None,
) -> tuple[SolveResult, list[SolveResult]]:
    """Solve a stacked pathway model (:mod:`heatnet.multiyear`) in one HiGHS call.

    Returns the whole pathway's result (objective = the discounted total, bound and gap of
    the MILP) and one result per year whose ``objective_cny`` is that season's undiscounted
    annual cost, with the season's values and prices; the years' results share the
    pathway's status. Only the ``direct`` route is offered (the stacked model has no Pyomo
    form).

    ``known_bound_cny``: a valid lower bound on the optimum found elsewhere (the seasons
    solved alone, :func:`heatnet.pathway.solve_by_season`). The reported bound is the
    better of it and HiGHS's, and HiGHS is stopped as soon as its incumbent is within
    ``mip_gap`` of it (then reported ``optimal``: proven within the gap).
    """
    opts = options or SolverSettings()
    t0 = time.perf_counter()
    h = new_highs()
    _options(h, opts)
    comp = _compile_direct(pm, h)  # type: ignore[arg-type]  # duck-typed: lp, fixed_cols
    if warm_start:
        _pathway_warm_start(pm, comp, warm_start)
    stop_below = None
    if known_bound_cny is not None and known_bound_cny > 0 and len(comp.integer_cols):
        # gap (z - L) / z <= g  <=>  z <= L / (1 - g), in HiGHS's units (CNY × scale)
        stop_below = known_bound_cny / (1.0 - opts.mip_gap) * pm.cost_scale
    t1 = time.perf_counter()
    stopped_early = run_started(h, bool(warm_start), stop_below)
    t2 = time.perf_counter()
    out = _outcome(comp, pm.cost_scale)
    if known_bound_cny is not None and out.has_solution:
        out = _with_known_bound(out, known_bound_cny, opts.mip_gap, stopped_early)
    status = out.status
    why, why_error = (
        explain_pathway_infeasibility(pm, comp) if status is Status.INFEASIBLE else ([], "")
    )
    years: list[SolveResult] = []
    t3 = t2
    if out.x is not None:
        x = out.x
        prices: list[np.ndarray | None] = [None] * len(pm.years)
        for n, hm in enumerate(pm.models):
            c0 = pm.col_start[n]
            x_n = x[c0 : c0 + hm.lp.n_cols]
            local = _Compiled(
                h, np.arange(hm.lp.n_cols), np.arange(hm.lp.n_rows), comp.integer_cols
            )
            cost = float((hm.lp.cost @ x_n + hm.lp.cost_constant) / hm.cost_scale)
            years.append(
                SolveResult(
                    status=status,
                    termination=out.termination,
                    objective_cny=cost,
                    bound_cny=None,
                    mip_gap=None,
                    has_solution=True,
                    values=_values(hm, local, x_n),
                )
            )
        if opts.heat_prices and status is Status.OPTIMAL:
            prices = list(_pathway_prices(pm, comp, x))
            for n, p in enumerate(prices):
                years[n].prices_cny_per_mwh = p
        t3 = time.perf_counter()
    whole = out.result(
        comp, (t0, t1, t2, t3), build_s, infeasibility=why, infeasibility_error=why_error
    )
    return whole, years
