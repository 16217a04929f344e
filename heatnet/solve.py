"""The solve layer: the only code that knows how a Pyomo model reaches HiGHS.

Route (measured, see ``benchmarks/handoff_routes.py``): Pyomo's standard-form compiler turns the
model into sparse matrices, which go to ``highspy.Highs.passModel`` in one call. The LP-file
route (Pyomo writes an LP file, HiGHS reads it) is kept as an option for cross-checks.

After the MILP, the binaries can be fixed at their optimal values and the remaining LP solved
again to read the duals of the heat-balance rows: the marginal cost of heat at each node and
period (:attr:`SolveResult.prices_cny_per_mwh`).
"""

from __future__ import annotations

import enum
import math
import resource
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from heatnet.errors import SolveError
from heatnet.model import HeatModel

Route = Literal["standard_form", "lp_file"]


class Status(str, enum.Enum):
    """How a solve ended, in planner's terms."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INTERRUPTED = "interrupted"
    OTHER_LIMIT = "other_limit"
    ERROR = "error"


@dataclass(frozen=True)
class SolveOptions:
    """Options for one solve.

    Attributes:
        mip_gap: relative MIP gap at which HiGHS may stop [-] (HiGHS default 1e-4).
        time_limit_s: wall-clock limit for the MILP [s]; None = no limit.
        threads: HiGHS threads; None = HiGHS's choice. Fixed per process by HiGHS.
        verbose: show HiGHS's log live on the console.
        random_seed: HiGHS random seed (same seed, same inputs → same answer).
        heat_prices: after the MILP, fix the binaries and solve the LP for nodal prices.
        allow_unserved: allow priced unserved heat (the model is then always feasible).
        route: how the model reaches HiGHS.
        log_file: where HiGHS writes its log (None = no file).
    """

    mip_gap: float = 1e-4
    time_limit_s: float | None = None
    threads: int | None = None
    verbose: bool = False
    random_seed: int = 0
    heat_prices: bool = True
    allow_unserved: bool = True
    route: Route = "standard_form"
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
        build_s, handoff_s, solve_s, prices_s: seconds spent building the Pyomo model,
            compiling and passing it to HiGHS, in HiGHS, and in the price LP.
        peak_rss_mb: peak resident memory of this process so far [MB].
        values: solution arrays by variable family: ``g`` (S, T), ``fp`` and ``fm`` (P, T),
            ``u`` (M, T) [MW], and ``k``, ``b``, ``y`` (0/1) aligned with the model's lists.
        prices_cny_per_mwh: marginal cost of heat by model node (rows, ``HeatModel.node_ids``)
            and period [CNY/MWh]; NaN where a node has no balance row. None if not computed.
        n_cols, n_rows, n_nonzeros, n_binaries: size of the problem passed to HiGHS.
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

    @property
    def is_optimal(self) -> bool:
        """True only for a proven optimum (within the requested MIP gap)."""
        return self.status is Status.OPTIMAL


def peak_rss_mb() -> float:
    """Peak resident set size of this process [MB] (Linux reports KiB)."""
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
    """The model as HiGHS sees it, and how its columns and rows map back."""

    highs: highspy.Highs
    col_family: np.ndarray  # family code per column
    col_pos: np.ndarray  # flat position within the family's array
    balance_rows: np.ndarray  # row index → flat (node, t) position, -1 elsewhere
    integer_cols: np.ndarray


_FAMILIES = ("g", "fp", "fm", "u", "k", "b", "y")


def _family_shapes(hm: HeatModel) -> dict[str, tuple[int, ...]]:
    T = hm.n_periods
    return {
        "g": (len(hm.source_ids), T),
        "fp": (len(hm.pipe_ids), T),
        "fm": (len(hm.pipe_ids), T),
        "u": (len(hm.demand_nodes), T),
        "k": (len(hm.source_ids),),
        "b": (len(hm.source_ids),),
        "y": (len(hm.pipe_ids),),
    }


def _var_lookup(hm: HeatModel) -> dict[int, tuple[int, int]]:
    """id(VarData) → (family code, flat position in that family's array)."""
    shapes = _family_shapes(hm)
    lookup: dict[int, tuple[int, int]] = {}
    for code, name in enumerate(_FAMILIES):
        comp = getattr(hm.m, name, None)
        if comp is None:
            continue
        shape = shapes[name]
        for idx, var in comp.items():
            flat = idx[0] * shape[1] + idx[1] if len(shape) == 2 else idx
            lookup[id(var)] = (code, int(flat))
    return lookup


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


def _options(h: highspy.Highs, opts: SolveOptions) -> None:
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


def _compile_standard_form(hm: HeatModel, h: highspy.Highs) -> _Compiled:
    repn = LinearStandardFormCompiler().write(hm.m, mixed_form=True,
                                              set_sense=pyo.minimize)
    lookup = _var_lookup(hm)
    cols = repn.columns
    n_col = len(cols)
    fam = np.empty(n_col, dtype=np.int8)
    pos = np.empty(n_col, dtype=np.int64)
    lower = np.empty(n_col)
    upper = np.empty(n_col)
    integrality = np.zeros(n_col, dtype=np.int32)
    for c, var in enumerate(cols):
        fam[c], pos[c] = lookup[id(var)]
        lb, ub = var.bounds
        lower[c] = -highspy.kHighsInf if lb is None else lb
        upper[c] = highspy.kHighsInf if ub is None else ub
        if var.is_integer() or var.is_binary():
            integrality[c] = 1
    A = repn.A.tocsc()
    rhs = np.asarray(repn.rhs, dtype=float)
    sense = np.array([r[1] for r in repn.rows], dtype=np.int8)
    row_lower = np.where(sense >= 0, np.where(sense == 0, rhs, -highspy.kHighsInf), rhs)
    row_upper = np.where(sense <= 0, np.where(sense == 0, rhs, highspy.kHighsInf), rhs)
    balance = hm.m.balance
    T = hm.n_periods
    bal_rows = np.full(len(repn.rows), -1, dtype=np.int64)
    bal_ids = {id(cd): n * T + t for (n, t), cd in balance.items()}
    for r, row in enumerate(repn.rows):
        flat = bal_ids.get(id(row[0]))
        if flat is not None:
            bal_rows[r] = flat
    c = repn.c.toarray().ravel() if repn.c.shape[0] else np.zeros(n_col)
    offset = float(repn.c_offset[0]) if len(repn.c_offset) else 0.0
    status = h.passModel(
        n_col, len(rhs), int(A.nnz), int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize), offset, c, lower, upper, row_lower, row_upper,
        A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data.astype(float),
        integrality,
    )
    if status == highspy.HighsStatus.kError:
        raise SolveError("HiGHS rejected the model (passModel returned an error)")
    return _Compiled(h, fam, pos, bal_rows, np.flatnonzero(integrality))


def _compile_lp_file(hm: HeatModel, h: highspy.Highs) -> _Compiled:
    with tempfile.TemporaryDirectory(prefix="heatnet-lp-") as tmp:
        path = Path(tmp) / "model.lp"
        _, smap_id = hm.m.write(str(path), io_options={"symbolic_solver_labels": False})
        smap = hm.m.solutions.symbol_map[smap_id]
        h.readModel(str(path))
    lookup = _var_lookup(hm)
    lp = h.getLp()
    names = list(lp.col_names_)
    fam = np.empty(len(names), dtype=np.int8)
    pos = np.empty(len(names), dtype=np.int64)
    for c, name in enumerate(names):
        var = smap.bySymbol[name]
        fam[c], pos[c] = lookup[id(var)]
    T = hm.n_periods
    bal_ids = {id(cd): n * T + t for (n, t), cd in hm.m.balance.items()}
    rows = list(lp.row_names_)
    bal_rows = np.full(len(rows), -1, dtype=np.int64)
    for r, name in enumerate(rows):
        obj = smap.bySymbol.get(name[2:] if name.startswith(("c_e_", "c_l_", "c_u_")) else name)
        if obj is None:
            obj = smap.bySymbol.get(name)
        if obj is not None and id(obj) in bal_ids:
            bal_rows[r] = bal_ids[id(obj)]
    integ = np.array([int(v) for v in lp.integrality_], dtype=np.int32) if len(
        lp.integrality_) else np.zeros(len(names), dtype=np.int32)
    return _Compiled(h, fam, pos, bal_rows, np.flatnonzero(integ))


def _values(hm: HeatModel, comp: _Compiled, x: np.ndarray) -> dict[str, np.ndarray]:
    shapes = _family_shapes(hm)
    out = {name: np.zeros(shape) for name, shape in shapes.items()}
    for code, name in enumerate(_FAMILIES):
        mask = comp.col_family == code
        if mask.any():
            out[name].reshape(-1)[comp.col_pos[mask]] = x[mask]
    # fixed decisions were compiled away as constants; put their values back
    for name in ("k", "b", "y"):
        var = getattr(hm.m, name)
        for idx, v in var.items():
            if v.fixed:
                out[name][idx] = float(v.value)
    out["k"] = out["k"][hm.retirable]
    out["b"] = out["b"][hm.candidate_sources]
    out["y"] = out["y"][hm.candidate_pipes]
    return out


def _heat_prices(hm: HeatModel, comp: _Compiled, x: np.ndarray) -> np.ndarray:
    """Fix the integer columns at their values, re-solve as an LP, return nodal prices."""
    h = comp.highs
    ints = comp.integer_cols
    if len(ints):
        vals = np.round(x[ints])
        h.changeColsIntegrality(len(ints), ints.astype(np.int32),
                                np.zeros(len(ints), dtype=np.int32))
        h.changeColsBounds(len(ints), ints.astype(np.int32), vals, vals)
        h.setOptionValue("time_limit", highspy.kHighsInf)
        h.run()
    sol = h.getSolution()
    prices = np.full((len(hm.node_ids), hm.n_periods), np.nan)
    if not sol.dual_valid:
        return prices
    duals = np.asarray(sol.row_dual)
    rows = np.flatnonzero(comp.balance_rows >= 0)
    flat = comp.balance_rows[rows]
    w = hm.net.weights_h
    t = flat % hm.n_periods
    prices.reshape(-1)[flat] = duals[rows] / hm.cost_scale / w[t]
    return prices


def _warm_start(hm: HeatModel, comp: _Compiled,
                start: Mapping[tuple[str, str], float]) -> None:
    """Offer HiGHS a partial MIP start: values for some binaries, by (kind, id)."""
    src = {sid: i for i, sid in enumerate(hm.source_ids)}
    pipe = {pid: j for j, pid in enumerate(hm.pipe_ids)}
    family = {"keep_source": (_FAMILIES.index("k"), src),
              "build_source": (_FAMILIES.index("b"), src),
              "build_pipe": (_FAMILIES.index("y"), pipe)}
    col_of = {(int(f), int(p)): c for c, (f, p) in
              enumerate(zip(comp.col_family, comp.col_pos, strict=True))
              if c in set(comp.integer_cols.tolist())}
    cols, vals = [], []
    for (kind, ident), value in start.items():
        code, positions = family[kind]
        c = col_of.get((code, positions.get(ident, -1)))
        if c is not None:
            cols.append(c)
            vals.append(float(value))
    if cols:
        comp.highs.setSolution(len(cols), np.array(cols, dtype=np.int32),
                               np.array(vals, dtype=float))


def solve_model(hm: HeatModel, options: SolveOptions | None = None,
                build_s: float = 0.0,
                warm_start: Mapping[tuple[str, str], float] | None = None) -> SolveResult:
    """Solve a built model with HiGHS and return the result (never raises on non-optimal).

    A result whose status is not ``optimal`` may still carry a feasible solution
    (``has_solution``); callers must not present it as optimal. ``warm_start`` offers
    values of binaries ``{(kind, id): 0/1}`` as a starting point (e.g. a neighbouring
    scenario's plan); HiGHS completes and checks it.
    """
    opts = options or SolveOptions()
    t0 = time.perf_counter()
    h = new_highs()
    _options(h, opts)
    comp = (_compile_lp_file if opts.route == "lp_file" else _compile_standard_form)(hm, h)
    if warm_start:
        _warm_start(hm, comp, warm_start)
    t1 = time.perf_counter()
    h.run()
    t2 = time.perf_counter()
    model_status = h.getModelStatus()
    status = _STATUS.get(model_status, Status.ERROR)
    info = h.getInfo()
    sol = h.getSolution()
    has_solution = bool(sol.value_valid) and status not in (Status.INFEASIBLE, Status.UNBOUNDED)
    is_mip = len(comp.integer_cols) > 0
    objective = bound = gap = None
    if has_solution:
        objective = float(info.objective_function_value) / hm.cost_scale
        if is_mip:
            bound = float(info.mip_dual_bound) / hm.cost_scale
            gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else None
        elif status is Status.OPTIMAL:
            bound, gap = objective, 0.0
    elif is_mip and math.isfinite(info.mip_dual_bound):
        bound = float(info.mip_dual_bound) / hm.cost_scale
    values: dict[str, np.ndarray] = {}
    prices = None
    t3 = t2
    if has_solution:
        x = np.asarray(sol.col_value)
        values = _values(hm, comp, x)
        if opts.heat_prices and status is Status.OPTIMAL:
            prices = _heat_prices(hm, comp, x)
        t3 = time.perf_counter()
    return SolveResult(
        status=status,
        termination=h.modelStatusToString(model_status),
        objective_cny=objective,
        bound_cny=bound,
        mip_gap=gap,
        has_solution=has_solution,
        build_s=build_s,
        handoff_s=t1 - t0,
        solve_s=t2 - t1,
        prices_s=t3 - t2,
        peak_rss_mb=peak_rss_mb(),
        values=values,
        prices_cny_per_mwh=prices,
        n_cols=int(h.getNumCol()),
        n_rows=int(h.getNumRow()),
        n_nonzeros=int(h.getNumNz()),
        n_binaries=len(comp.integer_cols),
    )
