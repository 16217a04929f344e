"""The network data model: one immutable object holding typed tables and the pipe graph.

A :class:`Network` is what the loader returns and what the model, scenarios and results read.
It is never changed in place: scenario functions build a new one with :func:`dataclasses.replace`
and copies of the tables.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from heatnet import schema


@dataclass(frozen=True)
class Economics:
    """Economic parameters of a network (``economics:`` in ``network.yaml``).

    Attributes:
        discount_rate: for annualising one-off costs [1/year].
        carbon_price_cny_per_t: price on every tonne emitted [CNY/tCO2].
        co2_cap_t: cap on season emissions, or None for no cap [tCO2].
        unserved_heat_cost_cny_per_mwh: penalty on heat not delivered [CNY/MWh].
        retirement_annualisation_years: years over which a retirement cost is annualised [years].
    """

    discount_rate: float = 0.06
    carbon_price_cny_per_t: float = 0.0
    co2_cap_t: float | None = None
    unserved_heat_cost_cny_per_mwh: float = 20000.0
    retirement_annualisation_years: float = 20.0


@dataclass(frozen=True)
class Security:
    """Security of supply (``security:`` in ``network.yaml``, spec v1.1 §3): every plan must
    still serve a share of each district's design-hour demand in every single outage.

    Attributes:
        served_share: α, the share of each district's design-hour demand served in every
            contingency [-], in (0, 1].
        intact_share: the share the intact plan must serve at the design hour [-], in (0, 1].
        design_factor: design-hour demand = design_load_mw × profile at the design period ×
            this factor [-] (a cold wave beyond the design temperature: > 1).
        contingencies: the pipe and source ids that may fail, or None for ``auto``: every
            existing or candidate pipe of at least ``min_length_km`` and every existing,
            retirable or candidate source of at least ``min_source_mw``.
        min_length_km: ``auto``'s shortest pipe [km].
        min_source_mw: ``auto``'s smallest source [MW].
    """

    served_share: float
    intact_share: float = 1.0
    design_factor: float = 1.0
    contingencies: tuple[str, ...] | None = None
    min_length_km: float = 20.0
    min_source_mw: float = 1000.0


@dataclass(frozen=True)
class Constraints:
    """Planners' own rules (``constraints:`` in ``network.yaml``, spec v1.1 §5).

    Attributes:
        capex_budget_cny: Σ capex_cny of every candidate built (one-off, not annualised) ≤
            this [CNY]; None = no budget.
        retire_together: groups of retirable source ids: all retired or all kept.
        at_most_one_of: groups of candidate source or pipe ids: at most one built.
        min_heat_share: technology → least share of the season's produced heat [-].
    """

    capex_budget_cny: float | None = None
    retire_together: tuple[tuple[str, ...], ...] = ()
    at_most_one_of: tuple[tuple[str, ...], ...] = ()
    min_heat_share: tuple[tuple[str, float], ...] = ()


YearPoints = tuple[tuple[int, float], ...]
"""A per-year mapping as (year, value) points in year order (a plain number: one point)."""


def interpolate(points: YearPoints, year: int) -> float:
    """The value of a per-year mapping in ``year``: linear between the years it names, held
    flat before the first and after the last (spec v1.1 §4)."""
    years = [p[0] for p in points]
    values = [p[1] for p in points]
    return float(np.interp(year, years, values))


@dataclass(frozen=True)
class Pathway:
    """A sequence of heating seasons with decisions that cannot be undone (``pathway:`` in
    ``network.yaml``, spec v1.1 §4).

    Attributes:
        years: the heating seasons, strictly increasing (2025 = the 2025–26 season).
        demand_scale: factor on every design load, as (year, factor) points [-]; empty: 1.
        carbon_price_cny_per_t: (year, price) points [CNY/tCO2]; None: the ``economics:``
            price in every year.
        co2_cap_t: (year, cap) points [tCO2]; no cap before the first year named,
            interpolated between, held after the last; None: the ``economics:`` cap (if any)
            in every year.
        co2_peak_year: from this year on, season emissions never rise (None: no peak rule).
    """

    years: tuple[int, ...]
    demand_scale: YearPoints = ()
    carbon_price_cny_per_t: YearPoints | None = None
    co2_cap_t: YearPoints | None = None
    co2_peak_year: int | None = None

    def demand_scale_in(self, year: int) -> float:
        """Factor on every design load in ``year`` [-]."""
        return interpolate(self.demand_scale, year) if self.demand_scale else 1.0

    def carbon_price_in(self, year: int, economics: Economics) -> float:
        """Carbon price in ``year`` [CNY/tCO2]."""
        if self.carbon_price_cny_per_t is None:
            return economics.carbon_price_cny_per_t
        return interpolate(self.carbon_price_cny_per_t, year)

    def co2_cap_in(self, year: int, economics: Economics) -> float | None:
        """CO2 cap on the season of ``year`` [tCO2], None for no cap."""
        if self.co2_cap_t is None:
            return economics.co2_cap_t
        if year < self.co2_cap_t[0][0]:
            return None
        return interpolate(self.co2_cap_t, year)

    def discount_factor(self, year: int, economics: Economics) -> float:
        """δ_y = (1 + r)^-(y - y0), y0 the first year [-]."""
        return float((1.0 + economics.discount_rate) ** -(year - self.years[0]))


def contingency_set(net: Network) -> tuple[list[str], list[str], list[str]]:
    """The pipes and sources of ``net.security`` that can fail, in file order, and the ids
    skipped because they are retired or unavailable (nothing left to lose).

    Returns (pipe ids, source ids, skipped ids); all empty without a security block.
    """
    sec = net.security
    if sec is None:
        return [], [], []
    pipes, sources = net.pipes, net.sources
    pipe_live = pipes["status"].isin(schema.LIVE_PIPE_STATUSES)
    source_live = sources["status"].isin(schema.ACTIVE_SOURCE_STATUSES)
    if sec.contingencies is None:
        chosen_p = pipes.index[pipe_live & (pipes["length_km"] >= sec.min_length_km)]
        chosen_s = sources.index[source_live & (sources["capacity_mw"] >= sec.min_source_mw)]
        return [str(i) for i in chosen_p], [str(i) for i in chosen_s], []
    wanted = set(sec.contingencies)
    p_ids = [str(i) for i in pipes.index if i in wanted and pipe_live[i]]
    s_ids = [str(i) for i in sources.index if i in wanted and source_live[i]]
    skipped = [c for c in sec.contingencies if c not in set(p_ids) | set(s_ids)]
    return p_ids, s_ids, skipped


def annuity_factor(rate: float, years: float) -> float:
    """Capital recovery factor a(r, n) = r / (1 - (1 + r)^-n), or 1/n when r = 0 [1/year]."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


@dataclass(frozen=True, eq=False)
class Network:
    """A validated heat network.

    Tables are indexed by ``id`` (profiles by period position ``t``) and carry the schema
    columns with their units in the names, plus any extra columns of the input files.

    Attributes:
        name: network name.
        description: free text.
        economics: economic parameters.
        nodes: ``name``, ``lat``, ``lon`` by node id.
        sources: by source id; see ``heatnet.schema.SOURCES``.
        pipes: by pipe id; see ``heatnet.schema.PIPES``.
        demands: by demand id; see ``heatnet.schema.DEMANDS``.
        profiles: one row per period: ``period``, ``weight_h`` and per-unit profile columns.
        folder: folder the network was read from (None if built in memory).
        profiles_path: the profiles CSV it was read from (None if built in memory).
        security: the security-of-supply rule (None: no security constraints).
        constraints: the planners' own rules (None: none).
        pathway: the seasons of a pathway run (None: one season, spec §2).
        line_numbers: ``{file: {id: line}}`` for messages that point back into the files.
    """

    name: str
    economics: Economics
    nodes: pd.DataFrame
    sources: pd.DataFrame
    pipes: pd.DataFrame
    demands: pd.DataFrame
    profiles: pd.DataFrame
    description: str = ""
    folder: Path | None = None
    profiles_path: Path | None = None
    security: Security | None = None
    constraints: Constraints | None = None
    pathway: Pathway | None = None
    line_numbers: dict[str, dict[str, int]] = field(default_factory=dict, compare=False)

    def replace(self, **changes: object) -> Network:
        """A copy with some fields changed; tables are copied so the original stays intact."""
        copied = {
            k: getattr(self, k).copy()
            for k in ("nodes", "sources", "pipes", "demands", "profiles")
            if k not in changes
        }
        return dataclasses.replace(self, **copied, **changes)  # type: ignore[arg-type]

    def with_economics(self, **changes: object) -> Network:
        """A copy with some economic parameters changed (names as in :class:`Economics`)."""
        return self.replace(economics=dataclasses.replace(self.economics, **changes))

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The pipe network: nodes with their attributes, one edge per pipe (key = pipe id).

        Node attributes: ``name``, ``lat``, ``lon``, ``sources`` (ids), ``demands`` (ids).
        Edge attributes: every column of ``pipes`` for that pipe.
        """
        g = nx.MultiDiGraph(name=self.name)
        for nid, row in self.nodes.iterrows():
            g.add_node(nid, **row.to_dict(), sources=[], demands=[])
        for sid, node in self.sources["node"].items():
            g.nodes[node]["sources"].append(sid)
        for did, node in self.demands["node"].items():
            g.nodes[node]["demands"].append(did)
        for pid, row in self.pipes.iterrows():
            g.add_edge(row["from_node"], row["to_node"], key=pid, **row.to_dict())
        return g

    @property
    def weights_h(self) -> np.ndarray:
        """Hours each period stands for, shape (T,) [h]."""
        return self.profiles["weight_h"].to_numpy(dtype=float)

    @property
    def n_periods(self) -> int:
        """Number of periods T."""
        return len(self.profiles)

    @property
    def season_hours(self) -> float:
        """Sum of period weights [h]."""
        return float(self.weights_h.sum())

    def demand_mw(self) -> pd.DataFrame:
        """Heat demand by period (rows) and demand node (columns) [MW].

        demand_{n,t} = sum over demands d at n of design_load_mw_d * profile_{d,t}.
        """
        d = self.demands
        per_demand = self.profiles[d["profile"].to_list()].to_numpy(dtype=float) * d[
            "design_load_mw"
        ].to_numpy(dtype=float)
        frame = pd.DataFrame(per_demand, columns=d["node"].to_list())
        out = frame.T.groupby(level=0, sort=False).sum().T
        out.index = self.profiles.index
        out.columns.name = "node"
        return out

    def availability(self) -> pd.DataFrame:
        """Per-unit available capacity by period (rows) and source (columns) [-]."""
        cols = {}
        for sid, prof in self.sources["availability"].items():
            if prof:
                cols[sid] = self.profiles[prof].to_numpy(dtype=float)
            else:
                cols[sid] = np.ones(self.n_periods)
        return pd.DataFrame(cols, index=self.profiles.index, columns=self.sources.index)

    def line_of(self, file: str, item_id: str) -> int | None:
        """Line in ``file`` where ``item_id`` was defined, if the network was read from files."""
        return self.line_numbers.get(file, {}).get(item_id)


def network_summary(net: Network) -> dict[str, object]:
    """Key figures of a network for a planner's first look.

    Returns a dict with ``nodes``, ``sources`` (count by technology × status),
    ``capacity_mw_by_technology`` (× status), ``pipes`` (count and km by status),
    ``peak_demand_mw``, ``peak_period``, ``season_demand_gwh``, ``periods``,
    ``season_hours`` and ``note_columns`` (``{file: [column, …]}``: the columns heatnet keeps
    as notes, by file, files without any left out).
    """
    s = net.sources
    sources = pd.crosstab(s["technology"], s["status"]) if len(s) else pd.DataFrame()
    cap = (
        s.pivot_table(
            index="technology",
            columns="status",
            values="capacity_mw",
            aggfunc="sum",
            fill_value=0.0,
        )
        if len(s)
        else pd.DataFrame()
    )
    p = net.pipes
    pipes = p.groupby("status").agg(count=("length_km", "size"), length_km=("length_km", "sum"))
    demand = net.demand_mw().sum(axis=1)
    t_peak = int(demand.to_numpy().argmax()) if len(demand) else 0
    tables = dict(zip(schema.TABLES, (net.nodes, net.sources, net.pipes, net.demands), strict=True))
    notes = {t.file: [c for c in df.columns if c not in t.names] for t, df in tables.items()}
    return {
        "nodes": len(net.nodes),
        "sources": sources,
        "capacity_mw_by_technology": cap,
        "pipes": pipes,
        "peak_demand_mw": float(demand.max()) if len(demand) else 0.0,
        "peak_period": str(net.profiles["period"].iloc[t_peak]) if len(demand) else "",
        "season_demand_gwh": float((demand * net.weights_h).sum() / 1000.0),
        "periods": net.n_periods,
        "season_hours": net.season_hours,
        "note_columns": {file: cols for file, cols in notes.items() if cols},
    }
