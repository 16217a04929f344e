"""The pathway MILP (spec v1.1 §4): one season model per year, stacked, with the rows that
link the years.

:func:`build_pathway_model` builds the model of every season y with
:func:`heatnet.model.build_model` on the year's network (:func:`heatnet.years.year_network`:
scaled demand, that year's carbon price and cap, what exists and what is due), so each year
has its own operating variables and decisions k[s,y], b[s,y], y[p,y] and every v1 family
(security and the planners' rules included). The years' arrays are placed side by side in one
:class:`~heatnet.model.LinearProgram` (families named ``"<year>:<family>"``), and three
families link them:

====================  ==============================================================  =====
family                row                                                             unit
====================  ==============================================================  =====
``keep_order``        k[s,y] - k[s,y-1] <= 0   (a retired point stays retired)         –
``build_order``       b[s,y-1] - b[s,y] <= 0, y[p,y-1] - y[p,y] <= 0 (built stays)    –
``co2_peak``          E_y - E_{y-1} <= 0 for consecutive years with y-1 >= P          ktCO2
====================  ==============================================================  =====

with E_y = sum_t w_t sum_s co2_s g[s,t,y] the season emissions [tCO2] and P the
``co2_peak_year``. Pairs are formed only where both years have the decision: before its
``earliest_year`` a candidate has none (b = 0), and from its ``retire_by`` a retirable source
has none (k = 0), so the rows hold for them by construction.

Objective: sum_y δ_y C_y with δ_y = (1 + r)^-(y - y0) and C_y the §2 annual cost of year y
with that year's decisions [CNY] — a candidate's annuity and a retirement's annuity are paid
in every year the asset exists (is retired). With one year it is the §2 model, column for
column. With ``objective="co2"`` it is sum_y E_y / 1000 [ktCO2], undiscounted.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from heatnet.model import ExtraRules, HeatModel, LinearProgram, build_model
from heatnet.network import Network
from heatnet.years import year_networks

DECISION_FAMILIES = {"keep_source": "k", "build_source": "b", "build_pipe": "y"}


@dataclass
class PathwayModel:
    """The stacked pathway model and how it splits back into seasons.

    Attributes:
        net: the pathway network.
        years: the seasons, in order.
        models: one :class:`~heatnet.model.HeatModel` per year (its ``lp`` numbered from 0).
        col_start, row_start: where each year's columns and rows begin in :attr:`lp`.
        discount: δ_y per year [-] (all 1 for the emission objective).
        lp: the stacked model as HiGHS receives it.
        cost_scale: CNY → internal objective units (as :attr:`HeatModel.cost_scale`).
        fixed_cols: stacked columns fixed by ``fixed`` (as :attr:`HeatModel.fixed_cols`).
    """

    net: Network
    years: list[int]
    models: list[HeatModel]
    col_start: list[int]
    row_start: list[int]
    discount: np.ndarray
    lp: LinearProgram = field(default_factory=LinearProgram)
    cost_scale: float = 1.0
    fixed_cols: dict[int, float] = field(default_factory=dict)

    def decision_column(self, n: int, kind: str, ident: str) -> int | None:
        """Stacked column of decision (kind, id) in year number ``n`` (None if that year has
        no such decision)."""
        hm = self.models[n]
        name = DECISION_FAMILIES[kind]
        ids = hm.pipe_ids if kind == "build_pipe" else hm.source_ids
        members = {"k": hm.retirable, "b": hm.candidate_sources, "y": hm.candidate_pipes}[name]
        try:
            local = [ids[i] for i in members].index(ident)
        except ValueError:
            return None
        return self.col_start[n] + int(hm.lp.cols[name].index(local))

    def decision_ids(self, kind: str) -> list[str]:
        """Every id that has decision ``kind`` in some year, in first-seen order."""
        seen: dict[str, None] = {}
        name = DECISION_FAMILIES[kind]
        for hm in self.models:
            ids = hm.pipe_ids if kind == "build_pipe" else hm.source_ids
            members = {"k": hm.retirable, "b": hm.candidate_sources, "y": hm.candidate_pipes}
            seen.update(dict.fromkeys(ids[i] for i in members[name]))
        return list(seen)


def fixed_for_year(
    fixed: Mapping[tuple[str, str], float] | None, yearnet: Network
) -> dict[tuple[str, str], float]:
    """The decisions of ``fixed`` that exist in a year (a candidate before its earliest
    year, or a source past its deadline, has no decision to fix)."""
    if not fixed:
        return {}
    s, p = yearnet.sources["status"], yearnet.pipes["status"]
    has = {
        "keep_source": set(s.index[s == "retirable"]),
        "build_source": set(s.index[s == "candidate"]),
        "build_pipe": set(p.index[p == "candidate"]),
    }
    return {(k, i): v for (k, i), v in fixed.items() if k not in has or i in has[k]}


def _stack(pm: PathwayModel, weights: np.ndarray) -> None:
    """Place every year's columns, rows, entries and costs in ``pm.lp``, the costs × δ_y and
    rescaled to one cost scale (the smallest of the years')."""
    lp = pm.lp
    pm.cost_scale = min(hm.cost_scale for hm in pm.models)
    costs = []
    constant = 0.0
    for n, hm in enumerate(pm.models):
        sub = hm.lp
        c0, r0 = lp.n_cols, lp.n_rows
        pm.col_start.append(c0)
        pm.row_start.append(r0)
        for name, fam in sub.cols.items():
            lp.cols[f"{pm.years[n]}:{name}"] = type(fam)(
                fam.name, fam.start + c0, fam.positions, fam.n_periods
            )
        for name, fam in sub.rows.items():
            lp.rows[f"{pm.years[n]}:{name}"] = type(fam)(
                fam.name, fam.start + r0, fam.positions, fam.n_periods
            )
        lp.col_lower += sub.col_lower
        lp.col_upper += sub.col_upper
        lp.col_integer += sub.col_integer
        lp.row_lower += sub.row_lower
        lp.row_upper += sub.row_upper
        lp.entries += [(r + r0, c + c0, v) for r, c, v in sub.entries]
        lp.n_cols += sub.n_cols
        lp.n_rows += sub.n_rows
        factor = weights[n] * pm.cost_scale / hm.cost_scale
        costs.append(sub.cost * factor)
        constant += sub.cost_constant * factor
        pm.fixed_cols.update({c + c0: v for c, v in hm.fixed_cols.items()})
    lp.cost = np.concatenate(costs) if costs else np.zeros(0)
    lp.cost_constant = constant


def add_decision_order(pm: PathwayModel) -> None:
    """Irreversibility (spec v1.1 §4), for consecutive years n-1, n that both have the
    decision:

        k[s,n] - k[s,n-1] <= 0          (keep_order: a retired point stays retired)
        b[s,n-1] - b[s,n] <= 0          (build_order: a built source stays built)
        y[p,n-1] - y[p,n] <= 0          (build_order: a built pipe stays built)
    """
    lp = pm.lp
    for family, kinds, sign in (
        ("keep_order", ("keep_source",), 1.0),
        ("build_order", ("build_source", "build_pipe"), -1.0),
    ):
        later: list[int] = []
        earlier: list[int] = []
        for kind in kinds:
            for ident in pm.decision_ids(kind):
                cols = [pm.decision_column(n, kind, ident) for n in range(len(pm.years))]
                for a, b in itertools.pairwise(cols):
                    if a is not None and b is not None:
                        earlier.append(a)
                        later.append(b)
        rows = lp.add_rows(family, np.arange(len(later)), 0, -np.inf, 0.0)
        r = rows.index(np.arange(len(later)))
        lp.add_entries(r, np.asarray(later, dtype=np.int64), sign)
        lp.add_entries(r, np.asarray(earlier, dtype=np.int64), -sign)


def season_emissions(pm: PathwayModel, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stacked columns and coefficients of E_y / 1000 for year number n [ktCO2]."""
    hm = pm.models[n]
    co2 = hm.co2_t_per_mwh
    w = hm.net.weights_h
    g = hm.lp.cols["g"].block() + pm.col_start[n]
    return g.ravel(), (co2[:, None] * w[None, :] / 1000.0).ravel()


def add_co2_peak(pm: PathwayModel) -> None:
    """Carbon peaking (spec v1.1 §4), with P = ``co2_peak_year``, in ktCO2:

    E_y / 1000 - E_{y-1} / 1000 <= 0     for consecutive years with y-1 >= P
    """
    pw = pm.net.pathway
    if pw is None or pw.co2_peak_year is None:
        return
    pairs = [n for n in range(1, len(pm.years)) if pm.years[n - 1] >= int(pw.co2_peak_year)]
    lp = pm.lp
    rows = lp.add_rows("co2_peak", np.arange(len(pairs)), 0, -np.inf, 0.0)
    for r, n in enumerate(pairs):
        for m, sign in ((n, 1.0), (n - 1, -1.0)):
            cols, coef = season_emissions(pm, m)
            lp.add_entries(rows.index(r), cols, sign * coef)


def build_pathway_model(
    net: Network,
    *,
    allow_unserved: bool = True,
    fixed: Mapping[tuple[str, str], float] | None = None,
    objective: Literal["cost", "co2"] = "cost",
    max_unserved_mwh: float | None = None,
    security: bool | Collection[str] = True,
    extra: ExtraRules | None = None,
    fixed_by_year: Sequence[Mapping[tuple[str, str], float]] | None = None,
) -> PathwayModel:
    """Build the pathway MILP of ``net`` (``net.pathway`` set; module docstring).

    The arguments are those of :func:`heatnet.model.build_model` and apply in every year:
    ``fixed`` fixes a decision in every year that has it, ``max_unserved_mwh`` caps each
    season's unserved heat, ``extra`` adds the user's rules to each season's model.
    ``fixed_by_year`` (one mapping per year) fixes decisions year by year, on top of
    ``fixed`` (a plan's stage 2).
    """
    pw = net.pathway
    if pw is None:
        raise ValueError("build_pathway_model needs a network with a pathway block")
    pairs = year_networks(net)
    models = [
        build_model(
            yearnet,
            allow_unserved=allow_unserved,
            fixed={
                **fixed_for_year(fixed, yearnet),
                **fixed_for_year(fixed_by_year[n] if fixed_by_year else None, yearnet),
            },
            objective=objective,
            max_unserved_mwh=max_unserved_mwh,
            security=security,
            extra=extra,
        )
        for n, (_, yearnet) in enumerate(pairs)
    ]
    years = [y for y, _ in pairs]
    if objective == "co2":
        discount = np.ones(len(years))
    else:
        discount = np.array([pw.discount_factor(y, net.economics) for y in years])
    pm = PathwayModel(net, years, models, [], [], discount)
    _stack(pm, discount)
    add_decision_order(pm)
    add_co2_peak(pm)
    return pm
