"""The retirement-and-routing MILP (spec v1 §2), built as vectorised families of columns and rows.

:func:`build_model` turns a :class:`~heatnet.network.Network` into a :class:`HeatModel`: the
model's variable and constraint families as sparse arrays (:class:`LinearProgram`, what HiGHS
receives) plus the index arrays that map columns back to ids. It calls one ``add_*`` function
per family, in a fixed order; each docstring states the equation, the symbols and their units.
Only this module knows the algebra; only :mod:`heatnet.solve` knows the solver.

Every family is built from precomputed arc lists with numpy, over all periods at once, so the
cost of building does not grow with Python loops over periods (docs/performance.md). The same
model is available as a Pyomo ``ConcreteModel`` (:attr:`HeatModel.m`, built on first use from
the same arrays) for Pyomo-based routes, inspection and writing LP files.

Symbols (all per period t of weight w_t [h]):

====================  =====================================================  ============
symbol                meaning                                                unit
====================  =====================================================  ============
g[s,t]                heat from source s                                     MW
fp[p,t], fm[p,t]      heat entering pipe p at from_node (fp) / to_node (fm)  MW
u[n,t]                unserved heat at demand node n                         MW
k[s], b[s], y[p]      keep retirable s, build candidate s, build candidate p {0,1}
cap_s, cap_p          source / pipe capacity                                 MW
avail[s,t]            per-unit available capacity                            –
eta_p                 pipe efficiency 1 - loss_fraction_per_km * length_km   –
D[n,t]                demand at node n                                       MW
====================  =====================================================  ============

Costs enter the objective multiplied by ``cost_scale`` (CNY → internal units) so that HiGHS
sees well-scaled coefficients (:func:`_cost_scale`); :mod:`heatnet.solve` divides it out again.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from heatnet.errors import Problem, raise_if_errors
from heatnet.network import Network, annuity_factor, contingency_set
from heatnet.schema import ACTIVE_SOURCE_STATUSES

if TYPE_CHECKING:
    import pyomo.environ as pyo

ACTIVE = ACTIVE_SOURCE_STATUSES
BINARY_KINDS = ("keep_source", "build_source", "build_pipe")
#: HiGHS warns about objective coefficients outside [1e-4, 1e6] (its "excessively small / large
#: costs" thresholds); :func:`_cost_scale` keeps the scaled objective inside this window.
SMALL_COST = 1e-4
LARGE_COST = 1e6


@dataclass
class Family:
    """A family of columns or rows: ``positions`` along its entity axis × ``n_periods``.

    Item (k, t) of the family — entity ``positions[k]`` in period t — is column (or row)
    ``start + k * max(n_periods, 1) + t``; families without a time axis have ``n_periods``
    0 and item k at ``start + k``.
    """

    name: str
    start: int
    positions: np.ndarray
    n_periods: int

    @property
    def size(self) -> int:
        """Number of columns or rows in the family."""
        return len(self.positions) * max(self.n_periods, 1)

    def index(self, local: np.ndarray, t: np.ndarray | int = 0) -> np.ndarray:
        """Global column/row numbers of items (local entity number, period)."""
        return self.start + np.asarray(local) * max(self.n_periods, 1) + np.asarray(t)

    def block(self) -> np.ndarray:
        """Global numbers of the whole family as a (entities, periods) array."""
        return np.arange(self.start, self.start + self.size).reshape(
            len(self.positions), max(self.n_periods, 1)
        )

    def pyomo_index(self) -> list[object]:
        """Index tuples of the family in the Pyomo model: (position, t) or position."""
        pos = [int(p) for p in self.positions]
        if self.n_periods:
            return [(p, t) for p in pos for t in range(self.n_periods)]
        return pos


@dataclass
class LinearProgram:
    """A mixed-integer linear program as arrays: min c x + c0 s.t. row_lo <= A x <= row_up,
    col_lo <= x <= col_up, x integer where ``integer``.

    Columns and rows are grouped in named :class:`Family` blocks (``cols["g"]``,
    ``rows["balance"]``…). The matrix is kept as COO triplets until :meth:`matrix` is called.
    """

    cols: dict[str, Family] = field(default_factory=dict)
    rows: dict[str, Family] = field(default_factory=dict)
    col_lower: list[np.ndarray] = field(default_factory=list)
    col_upper: list[np.ndarray] = field(default_factory=list)
    col_integer: list[np.ndarray] = field(default_factory=list)
    row_lower: list[np.ndarray] = field(default_factory=list)
    row_upper: list[np.ndarray] = field(default_factory=list)
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cost_constant: float = 0.0
    n_cols: int = 0
    n_rows: int = 0

    def add_cols(
        self,
        name: str,
        positions: np.ndarray | list[int],
        n_periods: int,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        integer: bool = False,
    ) -> Family:
        """Add a column family; ``lower``/``upper`` broadcast to (entities, periods)."""
        pos = np.asarray(positions, dtype=np.int64)
        fam = Family(name, self.n_cols, pos, n_periods)
        shape = (len(pos), max(n_periods, 1))
        self.col_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), shape).ravel())
        self.col_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), shape).ravel())
        self.col_integer.append(np.full(fam.size, integer))
        self.n_cols += fam.size
        self.cols[name] = fam
        return fam

    def add_rows(
        self,
        name: str,
        positions: np.ndarray | list[int],
        n_periods: int,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
    ) -> Family:
        """Add a row family; ``lower``/``upper`` broadcast to (entities, periods)."""
        pos = np.asarray(positions, dtype=np.int64)
        fam = Family(name, self.n_rows, pos, n_periods)
        shape = (len(pos), max(n_periods, 1))
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), shape).ravel())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), shape).ravel())
        self.n_rows += fam.size
        self.rows[name] = fam
        return fam

    def add_entries(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        """Add matrix coefficients A[rows, cols] += values (arrays broadcast together)."""
        r, c, v = np.broadcast_arrays(np.asarray(rows), np.asarray(cols), np.asarray(values))
        keep = v != 0
        self.entries.append(
            (
                r[keep].ravel().astype(np.int64),
                c[keep].ravel().astype(np.int64),
                v[keep].ravel().astype(float),
            )
        )

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column lower, column upper, row lower, row upper (concatenated)."""

        def cat(parts: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0)

        return cat(self.col_lower), cat(self.col_upper), cat(self.row_lower), cat(self.row_upper)

    def integrality(self) -> np.ndarray:
        """True for integer columns."""
        return np.concatenate(self.col_integer) if self.col_integer else np.zeros(0, bool)

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The constraint matrix in compressed-column form: (starts, row indices, values).

        Duplicate (row, column) entries are summed.
        """
        if self.entries:
            r = np.concatenate([e[0] for e in self.entries])
            c = np.concatenate([e[1] for e in self.entries])
            v = np.concatenate([e[2] for e in self.entries])
        else:
            r = c = np.zeros(0, np.int64)
            v = np.zeros(0)
        order = np.lexsort((r, c))
        r, c, v = r[order], c[order], v[order]
        if len(r) > 1:
            dup = (np.diff(r) == 0) & (np.diff(c) == 0)
            if dup.any():
                first = np.concatenate(([True], ~dup))
                group = np.cumsum(first) - 1
                v = np.bincount(group, weights=v)
                r, c = r[first], c[first]
        starts = np.zeros(self.n_cols + 1, dtype=np.int64)
        np.cumsum(np.bincount(c, minlength=self.n_cols), out=starts[1:])
        return starts, r, v

    @property
    def n_nonzeros(self) -> int:
        """Number of stored matrix coefficients (before summing duplicates)."""
        return int(sum(len(e[0]) for e in self.entries))


@dataclass
class HeatModel:
    """A built model and the arrays that give its columns meaning.

    Positions: source i ↔ ``source_ids[i]``, pipe j ↔ ``pipe_ids[j]``, demand node m ↔
    ``demand_nodes[m]``, period t ↔ ``net.profiles.iloc[t]``. ``lp`` holds the model as
    HiGHS receives it; :attr:`m` is the same model as a Pyomo ``ConcreteModel``.
    """

    net: Network
    source_ids: list[str]
    pipe_ids: list[str]
    demand_nodes: list[str]
    node_ids: list[str]
    cap_avail_mw: np.ndarray  # (S, T)
    demand_mw: np.ndarray  # (M, T)
    eta: np.ndarray  # (P,)
    bidirectional: np.ndarray  # (P,) bool
    retirable: list[int]  # source positions with k
    candidate_sources: list[int]  # source positions with b
    candidate_pipes: list[int]  # pipe positions with y
    unit_cost_cny_per_mwh: np.ndarray  # (S,) variable + carbon
    cost_scale: float
    constant_cny: float
    allow_unserved: bool
    fixed: dict[tuple[str, str], float] = field(default_factory=dict)
    lp: LinearProgram = field(default_factory=LinearProgram)
    #: binary columns fixed by ``fixed``: global column → value
    fixed_cols: dict[int, float] = field(default_factory=dict)
    #: the security cases (None without a security block), set by :func:`add_security`
    security: SecurityCases | None = None
    #: names of the user's rows (family ``extra``), set by :func:`add_extra`
    extra_names: list[str] = field(default_factory=list)
    _pyomo: Any = field(default=None, repr=False)

    @property
    def n_periods(self) -> int:
        """Number of periods T."""
        return self.demand_mw.shape[1]

    @property
    def co2_t_per_mwh(self) -> np.ndarray:
        """Emission factor of each model source, in ``source_ids`` order [tCO2/MWh]."""
        return self.net.sources.loc[self.source_ids, "co2_t_per_mwh"].to_numpy(dtype=float)

    @property
    def m(self) -> pyo.ConcreteModel:
        """The model as a Pyomo ``ConcreteModel`` (built from :attr:`lp` on first use).

        Components: variables ``g``, ``fp``, ``fm``, ``u`` indexed (position, t) and ``k``,
        ``b``, ``y`` indexed by position; constraints ``balance``, ``source_limit``,
        ``pipe_limit`` indexed (position, t), and ``co2_cap``, ``unserved_cap`` if present;
        objective ``cost``. Fixed decisions are fixed variables.
        """
        if self._pyomo is None:
            self._pyomo = to_pyomo(self)
        return self._pyomo


def _pipe_capacity(hm: HeatModel) -> np.ndarray:
    return hm.net.pipes.loc[hm.pipe_ids, "capacity_mw"].to_numpy(dtype=float)


def add_variables(hm: HeatModel) -> None:
    """Declare the variables, with simple bounds where the limit is a constant.

    g[s,t] in [0, cap_s avail_{s,t}] (the bound is the limit itself for existing sources);
    fp[p,t] in [0, cap_p]; fm[p,t] in [0, cap_p] for bidirectional p only;
    u[n,t] in [0, D[n,t]] at demand nodes (only if unserved heat is allowed);
    k, b, y binary, only for retirable sources, candidate sources and candidate pipes.
    Unserved heat above the demand can never lower the cost, so its bound loses nothing.
    """
    lp = hm.lp
    T = hm.n_periods
    S, P, M = len(hm.source_ids), len(hm.pipe_ids), len(hm.demand_nodes)
    pcap = _pipe_capacity(hm)
    lp.add_cols("g", np.arange(S), T, 0.0, hm.cap_avail_mw)
    lp.add_cols("fp", np.arange(P), T, 0.0, pcap[:, None])
    bi = np.flatnonzero(hm.bidirectional)
    lp.add_cols("fm", bi, T, 0.0, pcap[bi, None])
    if hm.allow_unserved:
        lp.add_cols("u", np.arange(M), T, 0.0, hm.demand_mw)
    lp.add_cols("k", hm.retirable, 0, 0.0, 1.0, integer=True)
    lp.add_cols("b", hm.candidate_sources, 0, 0.0, 1.0, integer=True)
    lp.add_cols("y", hm.candidate_pipes, 0, 0.0, 1.0, integer=True)
    lp.cost = np.zeros(lp.n_cols)
    _fix_decisions(hm)


def _fix_decisions(hm: HeatModel) -> None:
    """Fix the binaries named in ``hm.fixed``; unknown (kind, id) pairs are input errors.

    A fixed binary keeps its column with both bounds at the value (HiGHS's presolve removes
    it; with every binary fixed the model is a pure LP).
    """
    lp = hm.lp
    slots = {
        "keep_source": (
            "k",
            {hm.source_ids[i]: n for n, i in enumerate(hm.retirable)},
            "retirable source",
        ),
        "build_source": (
            "b",
            {hm.source_ids[i]: n for n, i in enumerate(hm.candidate_sources)},
            "candidate source",
        ),
        "build_pipe": (
            "y",
            {hm.pipe_ids[j]: n for n, j in enumerate(hm.candidate_pipes)},
            "candidate pipe",
        ),
    }
    problems = []
    lower, upper = lp.col_lower, lp.col_upper
    family_block = {name: list(lp.cols).index(name) for name in ("k", "b", "y")}
    for (kind, ident), value in hm.fixed.items():
        if kind not in slots:
            problems.append(
                Problem(
                    None,
                    "unknown decision kind",
                    column="fixed",
                    expected="keep_source, build_source or build_pipe",
                    found=repr(kind),
                )
            )
            continue
        name, positions, what = slots[kind]
        if ident not in positions:
            problems.append(
                Problem(
                    None,
                    f"not a {what}",
                    id=str(ident),
                    column=kind,
                    expected=f"the id of a {what}",
                    found=repr(ident),
                )
            )
            continue
        if value not in (0, 1):
            problems.append(
                Problem(
                    None,
                    "decision must be 0 or 1",
                    id=str(ident),
                    column=kind,
                    expected="0 or 1",
                    found=repr(value),
                )
            )
            continue
        local = positions[ident]
        block = family_block[name]
        lower[block] = np.array(lower[block])
        upper[block] = np.array(upper[block])
        lower[block][local] = upper[block][local] = float(value)
        hm.fixed_cols[int(lp.cols[name].index(local))] = float(value)
    raise_if_errors(problems, context="cannot fix decisions")


def add_source_limits(hm: HeatModel) -> None:
    """Source limit for sources with an on/off decision.

        g[s,t] <= cap_s * avail[s,t] * k_s        (retirable s)
        g[s,t] <= cap_s * avail[s,t] * b_s        (candidate s)        [MW]

    Existing sources are limited by the bound on g alone.
    """
    _source_limit_rows(hm, "source_limit", hm.lp.cols["g"], hm.cap_avail_mw)


def _source_limit_rows(hm: HeatModel, name: str, g: Family, cap_avail_mw: np.ndarray) -> None:
    """Rows ``g[s,t] - cap_avail[s,t] * (k_s or b_s) <= 0`` for the switched sources, over
    the family's second axis (periods, or the security cases)."""
    lp = hm.lp
    T = g.n_periods
    switched = [(i, lp.cols["k"].index(n)) for n, i in enumerate(hm.retirable)]
    switched += [(i, lp.cols["b"].index(n)) for n, i in enumerate(hm.candidate_sources)]
    if not switched:
        return
    src = np.array([i for i, _ in switched], dtype=np.int64)
    switch_col = np.array([c for _, c in switched], dtype=np.int64)
    rows = lp.add_rows(name, src, T, -np.inf, 0.0).block()  # (n, T)
    t = np.arange(T)
    lp.add_entries(rows, g.index(src[:, None], t), 1.0)
    lp.add_entries(rows, switch_col[:, None], -cap_avail_mw[src])


def add_pipe_limits(hm: HeatModel) -> None:
    """Pipe limit on the heat entering a pipe, shared by both directions.

        fp[p,t] + fm[p,t] <= cap_p * (1 or y_p)        [MW]

    For a one-way existing pipe the bound on fp is the limit, so no row is added.
    """
    _pipe_limit_rows(hm, "pipe_limit", hm.lp.cols["fp"], hm.lp.cols["fm"])


def _pipe_limit_rows(hm: HeatModel, name: str, fp: Family, fm: Family) -> None:
    """Rows ``fp[p,t] + fm[p,t] - cap_p y_p <= 0`` (candidate p) and ``<= cap_p`` (existing
    two-way p), over the families' second axis (periods, or the security cases)."""
    lp = hm.lp
    T = fp.n_periods
    pcap = _pipe_capacity(hm)
    cand = np.zeros(len(hm.pipe_ids), dtype=bool)
    cand[hm.candidate_pipes] = True
    pipes = np.flatnonzero(hm.bidirectional | cand)
    if not len(pipes):
        return
    upper = np.where(cand[pipes], 0.0, pcap[pipes])[:, None]
    rows = lp.add_rows(name, pipes, T, -np.inf, upper).block()
    t = np.arange(T)
    lp.add_entries(rows, fp.index(pipes[:, None], t), 1.0)
    fm_local = np.full(len(hm.pipe_ids), -1)
    fm_local[fm.positions] = np.arange(len(fm.positions))
    bi = hm.bidirectional[pipes]
    lp.add_entries(rows[bi], fm.index(fm_local[pipes[bi]][:, None], t), 1.0)
    y = lp.cols["y"]
    y_local = np.full(len(hm.pipe_ids), -1)
    y_local[y.positions] = np.arange(len(y.positions))
    is_cand = cand[pipes]
    lp.add_entries(
        rows[is_cand], y.index(y_local[pipes[is_cand]])[:, None], -pcap[pipes[is_cand]][:, None]
    )


def add_heat_balance(hm: HeatModel) -> None:
    """Heat balance at every node n and period t [MW]:

        sum_{s at n} g[s,t]
        + sum_{p into n} eta_p fp[p,t] + sum_{p out of n} eta_p fm[p,t]
        - sum_{p out of n} fp[p,t] - sum_{p into n} fm[p,t]
        + u[n,t] = D[n,t]

    Nodes where no variable appears and nothing is demanded get no row.
    """
    lp = hm.lp
    _balance_rows(
        hm, "balance", lp.cols["g"], lp.cols["fp"], lp.cols["fm"], lp.cols.get("u"), hm.demand_mw
    )


def _balance_rows(
    hm: HeatModel,
    name: str,
    g: Family,
    fp: Family,
    fm: Family,
    u: Family | None,
    demand_mw: np.ndarray,
) -> None:
    """Heat balance rows (see :func:`add_heat_balance`) over the families' second axis
    (periods, or the security cases); ``demand_mw`` is (demand nodes, that axis)."""
    lp = hm.lp
    net = hm.net
    T = g.n_periods
    node_pos = {n: i for i, n in enumerate(hm.node_ids)}
    pipes = net.pipes.loc[hm.pipe_ids]
    src_node = np.array(
        [node_pos[n] for n in net.sources.loc[hm.source_ids, "node"]], dtype=np.int64
    )
    from_node = np.array([node_pos[n] for n in pipes["from_node"]], dtype=np.int64)
    to_node = np.array([node_pos[n] for n in pipes["to_node"]], dtype=np.int64)
    dem_node = np.array([node_pos[n] for n in hm.demand_nodes], dtype=np.int64)
    # the arc list: one term (node, first column of the term's row of columns, coefficient)
    bi = fm.positions
    eta = hm.eta.astype(float)
    term_node = [src_node, to_node, from_node, from_node[bi], to_node[bi]]
    term_col = [
        g.index(np.arange(len(src_node))),
        fp.index(np.arange(len(from_node))),
        fp.index(np.arange(len(from_node))),
        fm.index(np.arange(len(bi))),
        fm.index(np.arange(len(bi))),
    ]
    term_coef = [np.ones(len(src_node)), eta, -np.ones(len(from_node)), eta[bi], -np.ones(len(bi))]
    if u is not None:
        term_node.append(dem_node)
        term_col.append(u.index(np.arange(len(dem_node))))
        term_coef.append(np.ones(len(dem_node)))
    tn, tc, tv = (np.concatenate(x) for x in (term_node, term_col, term_coef))
    demand = np.zeros((len(hm.node_ids), T))
    demand[dem_node] = demand_mw
    has_terms = np.zeros(len(hm.node_ids), dtype=bool)
    has_terms[tn] = True
    nodes = np.flatnonzero(has_terms | demand.any(axis=1))
    row_of_node = np.full(len(hm.node_ids), -1)
    row_of_node[nodes] = np.arange(len(nodes))
    fam = lp.add_rows(name, nodes, T, demand[nodes], demand[nodes])
    t = np.arange(T)
    lp.add_entries(fam.index(row_of_node[tn][:, None], t), tc[:, None] + t, tv[:, None])


def add_emission_cap(hm: HeatModel) -> None:
    """Season emissions within the cap (if one is set) [tCO2]:

        E = sum_t w_t sum_s co2_s g[s,t] <= co2_cap_t

    Both sides are divided by a power of ten, 10^max(0, floor(log10 cap) - 3), to keep the
    row's numbers moderate: the row is in tonnes for caps below 10,000 t, in tens of tonnes up
    to 100,000 t, and so on (kilotonnes for caps of millions of tonnes). HiGHS's feasibility
    tolerance applies in the row's unit.
    """
    cap = hm.net.economics.co2_cap_t
    if cap is None:
        return
    lp = hm.lp
    unit_t = 10.0 ** max(0, math.floor(math.log10(cap)) - 3) if cap > 0 else 1.0
    co2 = hm.co2_t_per_mwh
    w = hm.net.weights_h
    emitting = np.flatnonzero(co2 > 0)
    row = lp.add_rows("co2_cap", [0], 0, -np.inf, cap / unit_t).start
    t = np.arange(hm.n_periods)
    lp.add_entries(
        row, lp.cols["g"].index(emitting[:, None], t), w[None, :] * co2[emitting, None] / unit_t
    )


def annual_fixed_costs(hm: HeatModel) -> dict[str, object]:
    """One-off and fixed costs per year [CNY/year], as coefficients on the decisions:

        sum_{candidate s} (capex_s a(r, life_s) + fixed_s) b_s
        + sum_{candidate p} capex_p a(r, life_p) y_p
        + sum_{existing s} fixed_s
        + sum_{committed s} (capex_s a(r, life_s) + fixed_s)
        + sum_{committed p} capex_p a(r, life_p)
        + sum_{retirable s} [fixed_s k_s + retire_s a(r, n_ret) (1 - k_s)]
        + sum_{retired s} retire_s a(r, n_ret)

    Returns ``constant`` (CNY/year) and coefficient arrays ``keep``, ``build_source``,
    ``build_pipe`` aligned with ``hm.retirable``, ``hm.candidate_sources``,
    ``hm.candidate_pipes``. A committed source or pipe costs what a built candidate costs, as
    a constant.
    """
    net = hm.net
    econ = net.economics
    r = econ.discount_rate
    a_ret = annuity_factor(r, econ.retirement_annualisation_years)
    s = net.sources
    constant = float(s.loc[s["status"] == "existing", "fixed_cost_cny_per_year"].sum())
    retired = s["status"] == "retired"
    constant += float((s.loc[retired, "retirement_cost_cny"] * a_ret).sum())
    ret_ids = [hm.source_ids[i] for i in hm.retirable]
    ret = s.loc[ret_ids, "retirement_cost_cny"].to_numpy(dtype=float) * a_ret
    constant += float(ret.sum())
    committed = s.loc[s["status"] == "committed"]
    constant += sum(
        c * annuity_factor(r, life) + f
        for c, life, f in zip(
            committed["capex_cny"],
            committed["lifetime_years"],
            committed["fixed_cost_cny_per_year"],
            strict=True,
        )
    )
    committed_pipes = net.pipes.loc[net.pipes["status"] == "committed"]
    constant += sum(
        c * annuity_factor(r, life)
        for c, life in zip(
            committed_pipes["capex_cny"], committed_pipes["lifetime_years"], strict=True
        )
    )
    keep = s.loc[ret_ids, "fixed_cost_cny_per_year"].to_numpy(dtype=float) - ret
    cand = s.loc[[hm.source_ids[i] for i in hm.candidate_sources]]
    build_source = np.array(
        [
            c * annuity_factor(r, life) + f
            for c, life, f in zip(
                cand["capex_cny"],
                cand["lifetime_years"],
                cand["fixed_cost_cny_per_year"],
                strict=True,
            )
        ],
        dtype=float,
    )
    p = net.pipes.loc[[hm.pipe_ids[j] for j in hm.candidate_pipes]]
    build_pipe = np.array(
        [
            c * annuity_factor(r, life)
            for c, life in zip(p["capex_cny"], p["lifetime_years"], strict=True)
        ],
        dtype=float,
    )
    return {
        "constant": constant,
        "keep": keep,
        "build_source": build_source,
        "build_pipe": build_pipe,
    }


def add_unserved_cap(hm: HeatModel, max_unserved_mwh: float | None) -> None:
    """Optional cap on the season's unserved heat [MWh]:

        sum_t w_t sum_n u[n,t] <= max_unserved_mwh

    Used with the emission objective, where leaving heat unserved would otherwise be the
    cheapest way to emit nothing.
    """
    if max_unserved_mwh is None or not hm.allow_unserved:
        return
    lp = hm.lp
    row = lp.add_rows("unserved_cap", [0], 0, -np.inf, float(max_unserved_mwh)).start
    u = lp.cols["u"]
    lp.add_entries(row, u.block(), hm.net.weights_h[None, :])


def _decision_columns(hm: HeatModel) -> dict[str, int]:
    """Column of every binary decision by id: ``k`` of a retirable source, ``b`` of a
    candidate source, ``y`` of a candidate pipe."""
    lp = hm.lp
    cols = {hm.source_ids[i]: int(lp.cols["k"].index(n)) for n, i in enumerate(hm.retirable)}
    cols |= {
        hm.source_ids[i]: int(lp.cols["b"].index(n)) for n, i in enumerate(hm.candidate_sources)
    }
    cols |= {hm.pipe_ids[j]: int(lp.cols["y"].index(n)) for n, j in enumerate(hm.candidate_pipes)}
    return cols


def add_capex_budget(hm: HeatModel) -> None:
    """Capital budget (spec v1.1 §5), if one is set [CNY, one-off, not annualised]:

        sum_{candidate s} capex_s b_s + sum_{candidate p} capex_p y_p
            <= capex_budget_cny - sum_{committed s, p} capex

    A committed source or pipe (built by the planner's choice) spends its capex too.
    """
    rules = hm.net.constraints
    if rules is None or rules.capex_budget_cny is None:
        return
    net, lp = hm.net, hm.lp
    committed = float(
        net.sources.loc[net.sources["status"] == "committed", "capex_cny"].fillna(0).sum()
        + net.pipes.loc[net.pipes["status"] == "committed", "capex_cny"].fillna(0).sum()
    )
    cols = _decision_columns(hm)
    ids = [hm.source_ids[i] for i in hm.candidate_sources]
    capex = list(net.sources.loc[ids, "capex_cny"].fillna(0).to_numpy(dtype=float))
    pipe_ids = [hm.pipe_ids[j] for j in hm.candidate_pipes]
    ids += pipe_ids
    capex += list(net.pipes.loc[pipe_ids, "capex_cny"].fillna(0).to_numpy(dtype=float))
    # in millions of CNY, so that the row's numbers stay moderate
    row = lp.add_rows("capex_budget", [0], 0, -np.inf, (rules.capex_budget_cny - committed) / 1e6)
    lp.add_entries(
        row.start, np.array([cols[i] for i in ids], dtype=np.int64), np.array(capex) / 1e6
    )


def add_retire_together(hm: HeatModel) -> None:
    """Retire-together groups (spec v1.1 §5): all retired or all kept.

    k_i - k_j = 0        for consecutive ids i, j of every group
    """
    rules = hm.net.constraints
    if rules is None or not rules.retire_together:
        return
    cols = _decision_columns(hm)
    pairs = [
        (a, b)
        for group in rules.retire_together
        for a, b in itertools.pairwise(group)
        if a in cols or b in cols
    ]
    rows = hm.lp.add_rows("retire_together", np.arange(len(pairs)), 0, 0.0, 0.0)
    # an id without a keep column is retired this season (a pathway deadline): k = 0
    for n, (a, b) in enumerate(pairs):
        for ident, sign in ((a, 1.0), (b, -1.0)):
            if ident in cols:
                hm.lp.add_entries(rows.index(n), cols[ident], sign)


def add_at_most_one_of(hm: HeatModel) -> None:
    """At-most-one-of groups (spec v1.1 §5): of each group of candidates, at most one built.

    sum_{i in group} (b_i or y_i) <= 1
    """
    rules = hm.net.constraints
    if rules is None or not rules.at_most_one_of:
        return
    cols = _decision_columns(hm)
    groups = rules.at_most_one_of
    rows = hm.lp.add_rows("at_most_one_of", np.arange(len(groups)), 0, -np.inf, 1.0)
    for g, group in enumerate(groups):
        # a candidate without a column cannot be built this season (a pathway's earliest year)
        present = [cols[i] for i in group if i in cols]
        hm.lp.add_entries(rows.index(g), np.array(present, dtype=np.int64), 1.0)


def add_min_heat_share(hm: HeatModel) -> None:
    """Minimum heat share of a technology (spec v1.1 §5) [MWh]:

        sum_t w_t sum_{s of tech} g[s,t] - share sum_t w_t sum_s g[s,t] >= 0

    One row per technology named; it links the periods, as the CO2 cap does.
    """
    rules = hm.net.constraints
    if rules is None or not rules.min_heat_share:
        return
    lp = hm.lp
    tech = hm.net.sources.loc[hm.source_ids, "technology"].to_numpy()
    w = hm.net.weights_h
    g = lp.cols["g"].block()  # (S, T)
    rows = lp.add_rows("min_heat_share", np.arange(len(rules.min_heat_share)), 0, 0.0, np.inf)
    for n, (technology, share) in enumerate(rules.min_heat_share):
        coef = (tech == technology).astype(float) - float(share)
        lp.add_entries(rows.index(n), g, coef[:, None] * w[None, :] / 1e3)  # GWh


@dataclass(frozen=True)
class Variables:
    """The model's decisions and season totals by name, as Pyomo variables, for
    :data:`ExtraRules`.

    Attributes:
        keep: ``keep[id]`` ∈ {0, 1} of every retirable source (1 = kept).
        build: ``build[id]`` ∈ {0, 1} of every candidate source and pipe (1 = built).
        heat: ``heat[id]`` ≥ 0, every source's heat over the season [MWh].
    """

    keep: Any
    build: Any
    heat: Any


ExtraRules = Callable[["pyo.ConcreteModel", Variables], None]
"""A function ``fn(m, v)`` that adds linear Pyomo constraints to ``m`` over ``v``'s variables
(and variables of its own); see :func:`add_extra`."""


def add_extra(hm: HeatModel, extra: ExtraRules | None) -> None:
    """The user's own linear rules, written in Pyomo, appended to the model as rows.

    ``extra(m, v)`` gets a small Pyomo model holding only the named variables of
    :class:`Variables` and adds constraints (and, if it needs them, variables of its own).
    Only those components go through Pyomo: each constraint is read as a linear expression
    (``generate_standard_repn``) and becomes one row of family ``extra``, on every route:

        keep[id]  -> k_id          build[id] -> b_id or y_id
        heat[id]  -> sum_t w_t g[id,t]  [MWh]
        own variable x -> a new column with x's bounds and domain (no cost)

    Raises ValueError for a nonlinear constraint or an objective (the objective is heatnet's).
    """
    if extra is None:
        return
    import pyomo.environ as pyo
    from pyomo.repn.standard_repn import generate_standard_repn

    lp = hm.lp
    cols = _decision_columns(hm)
    m = pyo.ConcreteModel(name="extra")
    keep_ids = [hm.source_ids[i] for i in hm.retirable]
    build_ids = [hm.source_ids[i] for i in hm.candidate_sources]
    build_ids += [hm.pipe_ids[j] for j in hm.candidate_pipes]
    m.keep = pyo.Var(keep_ids, domain=pyo.Binary)
    m.build = pyo.Var(build_ids, domain=pyo.Binary)
    m.heat = pyo.Var(list(hm.source_ids), domain=pyo.NonNegativeReals)
    extra(m, Variables(m.keep, m.build, m.heat))
    if any(True for _ in m.component_data_objects(pyo.Objective, active=True)):
        raise ValueError("extra rules may add constraints only: the objective is heatnet's")
    g = lp.cols["g"].block()
    w = hm.net.weights_h
    terms: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for ident in keep_ids:
        terms[id(m.keep[ident])] = (np.array([cols[ident]]), np.ones(1))
    for ident in build_ids:
        terms[id(m.build[ident])] = (np.array([cols[ident]]), np.ones(1))
    for n, ident in enumerate(hm.source_ids):
        terms[id(m.heat[ident])] = (g[n], w)
    own = [v for v in m.component_data_objects(pyo.Var) if id(v) not in terms]
    if own:
        fam = lp.add_cols(
            "extra_vars",
            np.arange(len(own)),
            0,
            np.array([-np.inf if v.lb is None else v.lb for v in own])[:, None],
            np.array([np.inf if v.ub is None else v.ub for v in own])[:, None],
        )
        lp.col_integer[-1] = np.array([v.is_integer() or v.is_binary() for v in own])
        lp.cost = np.concatenate([lp.cost, np.zeros(len(own))])
        for n, v in enumerate(own):
            terms[id(v)] = (np.array([fam.index(n)]), np.ones(1))
    rows = list(m.component_data_objects(pyo.Constraint, active=True))
    if not rows:
        return
    lower, upper, entries = [], [], []
    for r, con in enumerate(rows):
        repn = generate_standard_repn(con.body, compute_values=True)
        if not repn.is_linear():
            raise ValueError(f"extra rule {con.name!r} is not linear")
        const = float(repn.constant or 0.0)
        lower.append(-np.inf if con.lower is None else pyo.value(con.lower) - const)
        upper.append(np.inf if con.upper is None else pyo.value(con.upper) - const)
        for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            c, a = terms[id(var)]
            entries.append((np.full(len(c), r), c, float(coef) * a))
    fam = lp.add_rows(
        "extra", np.arange(len(rows)), 0, np.array(lower)[:, None], np.array(upper)[:, None]
    )
    for r, c, a in entries:
        lp.add_entries(fam.start + r, c, a)
    hm.extra_names = [con.name for con in rows]


def links_periods(net: Network) -> bool:
    """True when a row sums over the season's periods (the CO2 cap, a minimum heat share),
    so that a model with its decisions fixed does not separate into one LP per period."""
    rules = net.constraints
    return net.economics.co2_cap_t is not None or bool(rules and rules.min_heat_share)


def add_constraints(hm: HeatModel) -> None:
    """The planners' own rules of ``net.constraints`` (spec v1.1 §5), if any."""
    add_capex_budget(hm)
    add_retire_together(hm)
    add_at_most_one_of(hm)
    add_min_heat_share(hm)


def add_emission_objective(hm: HeatModel) -> None:
    """Minimise season emissions [ktCO2] instead of cost:

        min E / 1000 = sum_t w_t sum_s co2_s g[s,t] / 1000

    ``cost_scale`` is set to 1e-3 so that the solver's objective divided by it reads in tCO2.
    """
    lp = hm.lp
    hm.cost_scale = 1e-3
    hm.constant_cny = 0.0
    co2 = hm.co2_t_per_mwh
    w = hm.net.weights_h
    emitting = np.flatnonzero(co2 > 0)
    lp.cost[:] = 0.0
    lp.cost[lp.cols["g"].block()[emitting]] = w[None, :] * co2[emitting, None] / 1000.0
    lp.cost_constant = 0.0


def add_objective(hm: HeatModel) -> None:
    """Minimise the annual cost [CNY/year] (× ``cost_scale`` internally):

        fixed and one-off costs (see :func:`annual_fixed_costs`)
        + sum_t w_t [ sum_s (vc_s + carbon_price co2_s) g[s,t]
                      + sum_p pump_p (fp[p,t] + fm[p,t])
                      + VoLL sum_n u[n,t] ]

    vc [CNY/MWh], carbon_price [CNY/t], co2 [t/MWh], pump [CNY/MWh], VoLL =
    unserved_heat_cost_cny_per_mwh [CNY/MWh], w_t [h].
    """
    lp = hm.lp
    sc = hm.cost_scale
    w = hm.net.weights_h
    fixed = annual_fixed_costs(hm)
    hm.constant_cny = float(fixed["constant"])
    c = lp.cost
    c[:] = 0.0
    c[lp.cols["k"].block()[:, 0]] = fixed["keep"]
    c[lp.cols["b"].block()[:, 0]] = fixed["build_source"]
    c[lp.cols["y"].block()[:, 0]] = fixed["build_pipe"]
    c[lp.cols["g"].block()] = hm.unit_cost_cny_per_mwh[:, None] * w[None, :]
    pump = _pumping_cost(hm)
    c[lp.cols["fp"].block()] = pump[:, None] * w[None, :]
    fm = lp.cols["fm"]
    c[fm.block()] = pump[fm.positions, None] * w[None, :]
    if hm.allow_unserved:
        voll = hm.net.economics.unserved_heat_cost_cny_per_mwh
        c[lp.cols["u"].block()] = np.where(hm.demand_mw > 0, voll * w[None, :], 0.0)
    c *= sc
    lp.cost_constant = hm.constant_cny * sc


def period_costs(hm: HeatModel, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """Operating cost of every period of a solution [CNY], shape (T,):

        cost_t = w_t [ sum_s (vc_s + carbon_price co2_s) g[s,t]
                       + sum_p pump_p (fp[p,t] + fm[p,t]) + VoLL sum_n u[n,t] ]

    i.e. the objective's time-indexed terms (fixed and one-off costs excluded), read from the
    model's own cost vector. ``values`` are solution arrays by family as in
    :class:`heatnet.solve.SolveResult` (``g``, ``fp``, ``fm``, ``u``: entities × T).
    """
    lp = hm.lp
    out = np.zeros(hm.n_periods)
    for name in ("g", "fp", "fm", "u"):
        fam = lp.cols.get(name)
        if fam is None or not fam.size or name not in values:
            continue
        out += (lp.cost[fam.block()] * np.asarray(values[name])[fam.positions]).sum(axis=0)
    return out / hm.cost_scale


def _pumping_cost(hm: HeatModel) -> np.ndarray:
    return hm.net.pipes.loc[hm.pipe_ids, "pumping_cost_cny_per_mwh"].to_numpy(dtype=float)


def _cost_scale(net: Network, hm: HeatModel | None = None) -> float:
    """Power of ten by which the objective [CNY] is multiplied before HiGHS sees it.

    HiGHS warns when an objective coefficient is above 1e6 or (nonzero and) below 1e-4
    (``LARGE_COST``, ``SMALL_COST``). The largest coefficients are the annualised capex of
    candidates (up to ~1e8–1e9 CNY/year on a binary) or VoLL × w_t; the smallest are
    per-period operating costs w_t × cost [CNY/MWh × h] (down to ~0.1 for hourly pumping).
    The scale centres the coefficients' range [min, max] on the window in log terms
    (geometric mean of min and max → 10), then, if the range fits in the window, moves the
    scale just enough to bring both ends inside it. ``hm`` adds the decisions' costs.
    """
    econ = net.economics
    s = net.sources
    w = net.weights_h
    unit = s["variable_cost_cny_per_mwh"] + econ.carbon_price_cny_per_t * s["co2_t_per_mwh"]
    per_mwh = np.concatenate(
        [
            np.abs(unit.to_numpy(dtype=float)),
            np.abs(net.pipes["pumping_cost_cny_per_mwh"].to_numpy(dtype=float)),
            [econ.unserved_heat_cost_cny_per_mwh],
        ]
    )
    per_mwh = per_mwh[per_mwh > 0]
    big: list[float] = []
    small: list[float] = []
    if len(per_mwh) and len(w):
        big.append(float(per_mwh.max() * w.max()))
        small.append(float(per_mwh.min() * w.min()))
    if hm is not None:
        fixed = annual_fixed_costs(hm)
        onoff = np.abs(np.concatenate([fixed["keep"], fixed["build_source"], fixed["build_pipe"]]))
        onoff = onoff[onoff > 0]
        if len(onoff):
            big.append(float(onoff.max()))
            small.append(float(onoff.min()))
    if not big:
        return 1.0
    log_max, log_min = math.log10(max(big)), math.log10(min(small))
    centre = math.log10(math.sqrt(SMALL_COST * LARGE_COST))
    exponent = round(centre - (log_max + log_min) / 2)
    hi = math.floor(math.log10(LARGE_COST) - log_max)  # largest exponent keeping max <= 1e6
    lo = math.ceil(math.log10(SMALL_COST) - log_min)  # smallest keeping min >= 1e-4
    if lo <= hi:
        exponent = min(max(exponent, lo), hi)
    return float(10.0**exponent)


@dataclass
class SecurityCases:
    """The design-hour cases of a security block (spec v1.1 §3): the intact plan first, then
    one case per contingency, each with what is out of service and how much may go unserved.

    Attributes:
        names: ``"intact"`` and the contingency ids, in that order (C + 1 cases).
        kinds: ``"intact"``, ``"pipe"`` or ``"source"`` per case.
        design_period: the design period t* (position in the model's periods): the largest
            total demand, the first on ties.
        design_demand_mw: D*_n = design_factor × demand at t*, (demand nodes,) [MW].
        source_out: (sources, cases) True where the case takes the source out.
        pipe_out: (pipes, cases) True where the case takes the pipe out.
        min_share: (cases,) share of D*_n each demand node must get: intact_share for the
            intact case, served_share for every contingency [-].
        skipped: listed contingencies with nothing left to lose (retired, unavailable).
    """

    names: list[str]
    kinds: list[str]
    design_period: int
    design_demand_mw: np.ndarray
    source_out: np.ndarray
    pipe_out: np.ndarray
    min_share: np.ndarray
    skipped: list[str]

    @property
    def n(self) -> int:
        """Number of cases, the intact one included."""
        return len(self.names)


def security_cases(hm: HeatModel, only: Collection[str] | None = None) -> SecurityCases | None:
    """The cases of ``hm.net.security`` for this model (None without a security block):
    the intact plan and every contingency, or only the contingencies in ``only``."""
    sec = hm.net.security
    if sec is None:
        return None
    pipe_ids, source_ids, skipped = contingency_set(hm.net)
    if only is not None:
        pipe_ids = [i for i in pipe_ids if i in only]
        source_ids = [i for i in source_ids if i in only]
    names = ["intact", *pipe_ids, *source_ids]
    kinds = ["intact"] + ["pipe"] * len(pipe_ids) + ["source"] * len(source_ids)
    t_star = int(np.argmax(hm.demand_mw.sum(axis=0))) if hm.n_periods else 0
    source_out = np.zeros((len(hm.source_ids), len(names)), dtype=bool)
    pipe_out = np.zeros((len(hm.pipe_ids), len(names)), dtype=bool)
    src_pos = {sid: i for i, sid in enumerate(hm.source_ids)}
    pipe_pos = {pid: j for j, pid in enumerate(hm.pipe_ids)}
    for c, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        if kind == "source":
            source_out[src_pos[name], c] = True
        elif kind == "pipe":
            pipe_out[pipe_pos[name], c] = True
    min_share = np.full(len(names), float(sec.served_share))
    min_share[0] = float(sec.intact_share)
    return SecurityCases(
        names=names,
        kinds=kinds,
        design_period=t_star,
        design_demand_mw=sec.design_factor * hm.demand_mw[:, t_star],
        source_out=source_out,
        pipe_out=pipe_out,
        min_share=min_share,
        skipped=skipped,
    )


def relax_security_shares(hm: HeatModel) -> None:
    """Let every security case leave up to its whole design demand unserved (sec_u <= D*_n),
    so that the model of a fixed plan is always feasible and its least unserved heat per
    case shows which cases the plan fails (:mod:`heatnet.security`)."""
    cases = hm.security
    if cases is None:
        return
    block = list(hm.lp.cols).index("sec_u")
    upper = np.repeat(cases.design_demand_mw[:, None], cases.n, axis=1)
    hm.lp.col_upper[block] = upper.ravel()


def add_security(hm: HeatModel, only: Collection[str] | None = None) -> None:
    """Security of supply at the design hour (spec v1.1 §3), if the network has a block;
    ``only``: the contingencies to add (the intact case always), None for all.

    For every case c (the intact plan and each contingency), a design-hour dispatch of its
    own that shares the plan's binaries k, b, y:

        0 <= sec_g[s,c] <= cap_s avail[s,t*] (0 if c takes s out)      [MW]
        sec_g[s,c] <= cap_s avail[s,t*] (k_s or b_s)                    (switched s)
        0 <= sec_fp[p,c], sec_fm[p,c] <= cap_p (0 if c takes p out)
        sec_fp[p,c] + sec_fm[p,c] <= cap_p (1 or y_p)
        heat balance at every node with D*_n = design_factor D[n,t*] and unserved sec_u[n,c]
        0 <= sec_u[n,c] <= (1 - share_c) D*_n,  share_c = intact_share (intact) or
                                                 served_share (contingencies)

    The columns carry no cost: they only restrict which plans are allowed. The case axis is
    the families' second axis (where the season families have periods).
    """
    cases = security_cases(hm, only)
    hm.security = cases
    if cases is None:
        return
    lp = hm.lp
    n_before = lp.n_cols
    C = cases.n
    S, P, M = len(hm.source_ids), len(hm.pipe_ids), len(hm.demand_nodes)
    cap_star = np.repeat(hm.cap_avail_mw[:, [cases.design_period]], C, axis=1)
    g = lp.add_cols("sec_g", np.arange(S), C, 0.0, np.where(cases.source_out, 0.0, cap_star))
    pcap = np.repeat(_pipe_capacity(hm)[:, None], C, axis=1)
    pipe_up = np.where(cases.pipe_out, 0.0, pcap)
    fp = lp.add_cols("sec_fp", np.arange(P), C, 0.0, pipe_up)
    bi = np.flatnonzero(hm.bidirectional)
    fm = lp.add_cols("sec_fm", bi, C, 0.0, pipe_up[bi])
    allowed = (1.0 - cases.min_share)[None, :] * cases.design_demand_mw[:, None]
    u = lp.add_cols("sec_u", np.arange(M), C, 0.0, np.maximum(allowed, 0.0))
    lp.cost = np.concatenate([lp.cost, np.zeros(lp.n_cols - n_before)])
    _source_limit_rows(hm, "sec_source_limit", g, cap_star)
    _pipe_limit_rows(hm, "sec_pipe_limit", fp, fm)
    demand = np.repeat(cases.design_demand_mw[:, None], C, axis=1)
    _balance_rows(hm, "sec_balance", g, fp, fm, u, demand)


def build_model(
    net: Network,
    *,
    allow_unserved: bool = True,
    fixed: Mapping[tuple[str, str], float] | None = None,
    objective: Literal["cost", "co2"] = "cost",
    max_unserved_mwh: float | None = None,
    security: bool | Collection[str] = True,
    extra: ExtraRules | None = None,
) -> HeatModel:
    """Build the MILP for ``net``.

    Args:
        net: a validated network.
        allow_unserved: add unserved-heat variables u (priced); without them a network short
            of heat is infeasible.
        fixed: decisions to fix, ``{(kind, id): 0 or 1}`` with kind one of
            ``keep_source``, ``build_source``, ``build_pipe``.
        objective: ``cost`` (the annual cost, spec §2) or ``co2`` (season emissions, for the
            minimum-emission end of a cost–CO2 front).
        max_unserved_mwh: optional cap on the season's unserved heat [MWh].
        security: add the security-of-supply families of ``net.security`` (if any): True for
            every case, a collection of contingency ids for the intact case and those only
            (screening, :func:`heatnet.stages.solve_secured`), False for none. A model whose
            decisions are all fixed (stage 2) needs none: they depend on the decisions only,
            which stage 1 chose under them.
        extra: the user's own rules in Pyomo (:func:`add_extra`).
    """
    if net.pathway is not None:
        raise ValueError(
            "build_model builds one season; a network with a pathway block is built by "
            "heatnet.multiyear.build_pathway_model (or one season of it: "
            "heatnet.years.year_network)"
        )
    s = net.sources[net.sources["status"].isin(ACTIVE)]
    pipes = net.pipes[net.pipes["status"] != "unavailable"]
    source_ids = [str(i) for i in s.index]
    pipe_ids = [str(i) for i in pipes.index]
    avail = net.availability()[source_ids].to_numpy(dtype=float).T
    cap_avail = avail * s["capacity_mw"].to_numpy(dtype=float)[:, None]
    dem = net.demand_mw()
    econ = net.economics
    unit_cost = (
        s["variable_cost_cny_per_mwh"] + econ.carbon_price_cny_per_t * s["co2_t_per_mwh"]
    ).to_numpy(dtype=float)
    status = s["status"].to_numpy()
    hm = HeatModel(
        net=net,
        source_ids=source_ids,
        pipe_ids=pipe_ids,
        demand_nodes=[str(c) for c in dem.columns],
        node_ids=[str(n) for n in net.nodes.index],
        cap_avail_mw=cap_avail,
        demand_mw=dem.to_numpy(dtype=float).T,
        eta=(1.0 - pipes["loss_fraction_per_km"] * pipes["length_km"]).to_numpy(dtype=float),
        bidirectional=pipes["bidirectional"].to_numpy(dtype=bool),
        retirable=[int(i) for i in np.flatnonzero(status == "retirable")],
        candidate_sources=[int(i) for i in np.flatnonzero(status == "candidate")],
        candidate_pipes=[int(j) for j in np.flatnonzero(pipes["status"].to_numpy() == "candidate")],
        unit_cost_cny_per_mwh=unit_cost,
        cost_scale=1.0,
        constant_cny=0.0,
        allow_unserved=allow_unserved,
        fixed=dict(fixed or {}),
    )
    hm.cost_scale = _cost_scale(net, hm)
    add_variables(hm)
    add_source_limits(hm)
    add_pipe_limits(hm)
    add_heat_balance(hm)
    add_emission_cap(hm)
    add_unserved_cap(hm, max_unserved_mwh)
    add_constraints(hm)
    add_extra(hm, extra)
    if objective == "co2":
        add_emission_objective(hm)
    else:
        add_objective(hm)
    if security is True:
        add_security(hm)
    elif security is not False:
        add_security(hm, only=security)
    return hm


def to_pyomo(hm: HeatModel) -> pyo.ConcreteModel:
    """The same model as a Pyomo ``ConcreteModel``, built from :attr:`HeatModel.lp`.

    One Pyomo component per family, with the family's name; every row is a
    ``LinearExpression`` over the family's columns. Used by the Pyomo-based hand-off routes
    and to write LP files; it holds the same numbers HiGHS receives from the direct route.
    Pyomo is imported here only: the direct route never loads it.
    """
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    lp = hm.lp
    m = pyo.ConcreteModel(name=hm.net.name)
    col_lo, col_up, row_lo, row_up = lp.bounds()
    integer = lp.integrality()
    col_vars: list[object] = [None] * lp.n_cols
    for name, fam in lp.cols.items():
        index = fam.pyomo_index()
        cols = range(fam.start, fam.start + fam.size)
        bounds = dict(
            zip(
                index,
                zip(
                    col_lo[fam.start : fam.start + fam.size],
                    col_up[fam.start : fam.start + fam.size],
                    strict=True,
                ),
                strict=True,
            )
        )
        kinds = dict(zip(index, integer[fam.start : fam.start + fam.size], strict=True))

        def domain(_: pyo.ConcreteModel, *i: object, k: dict[object, bool] = kinds) -> object:
            # bounds carry the limits: binaries are integer columns within [0, 1]
            return pyo.Integers if k[i if len(i) > 1 else i[0]] else pyo.Reals

        var = pyo.Var(
            index,
            within=domain,
            bounds=lambda _, *i, b=bounds: tuple(map(float, b[i if len(i) > 1 else i[0]])),
        )
        m.add_component(name, var)
        for c, i in zip(cols, index, strict=True):
            col_vars[c] = var[i]
    for c, value in hm.fixed_cols.items():
        col_vars[c].fix(value)  # type: ignore[attr-defined]
    starts, rows, vals = lp.matrix()
    # transpose to rows: for each row the (column, value) pairs
    order = np.argsort(rows, kind="stable")
    col_of = np.repeat(np.arange(lp.n_cols), np.diff(starts))[order]
    val_of = vals[order]
    row_starts = np.zeros(lp.n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=lp.n_rows), out=row_starts[1:])

    def expression(r: int) -> LinearExpression:
        a, b = row_starts[r], row_starts[r + 1]
        return LinearExpression(
            constant=0.0,
            linear_coefs=[float(v) for v in val_of[a:b]],
            linear_vars=[col_vars[c] for c in col_of[a:b]],
        )

    def finite(x: float) -> float | None:
        return float(x) if math.isfinite(x) else None

    def make_rule(row_at: dict[object, int]) -> object:
        def rule(_: pyo.ConcreteModel, *i: object) -> object:
            key = i if len(i) > 1 else (i[0] if i else None)
            r = row_at[key]
            lo, up = finite(row_lo[r]), finite(row_up[r])
            if row_starts[r] == row_starts[r + 1]:
                ok = (lo is None or lo <= 0) and (up is None or up >= 0)
                return pyo.Constraint.Skip if ok else pyo.Constraint.Infeasible
            if lo is not None and lo == up:
                return expression(r) == lo
            return (lo, expression(r), up)

        return rule

    for name, fam in lp.rows.items():
        index = fam.pyomo_index()
        if fam.n_periods or fam.size > 1:
            rule = make_rule(dict(zip(index, range(fam.start, fam.start + fam.size), strict=True)))
            m.add_component(name, pyo.Constraint(index, rule=rule))
        else:  # a single row: Pyomo calls the rule with index None
            m.add_component(name, pyo.Constraint(rule=make_rule({None: fam.start})))
    nz = np.flatnonzero(lp.cost)
    m.cost = pyo.Objective(
        expr=LinearExpression(
            constant=float(lp.cost_constant),
            linear_coefs=[float(v) for v in lp.cost[nz]],
            linear_vars=[col_vars[c] for c in nz],
        ),
        sense=pyo.minimize,
    )
    return m


def decisions_frame(hm: HeatModel) -> pd.DataFrame:
    """The binary decisions of a model: ``kind``, ``id``, position (for mapping solutions)."""
    rows = [("keep_source", hm.source_ids[i], i) for i in hm.retirable]
    rows += [("build_source", hm.source_ids[i], i) for i in hm.candidate_sources]
    rows += [("build_pipe", hm.pipe_ids[j], j) for j in hm.candidate_pipes]
    return pd.DataFrame(rows, columns=["kind", "id", "position"])
