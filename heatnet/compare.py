"""Plans side by side, and what changed between two of them.

:func:`load_plans` reads run folders and study folders (a sweep's or a Pareto front's) as
:class:`Plan` records; :func:`compare_table` gives one row per plan with its KPIs and the
decision on every retirable source and every candidate; :func:`diff_plans` says what changed
between two plans: decisions, KPIs, and the inputs that differ (economics, table cells by id and
column, profiles), read from each run's ``inputs/`` folder.

Pathway runs (spec v1.1 §4, one row per year in every table) are compared as pathways: the NPV,
CO2 summed over the seasons, the peak season's CO2, and the first year each element changes
state (``timeline.csv``); their diff adds what closes or is built in a different year, and CO2
and cost season by season (:class:`PathwayDiff`). Everything else that reads one row per id
(decisions, the decision matrix of a study) reads the last season
(:func:`heatnet.storage.year_tables`). A pathway run and a one-season run are not compared: their
costs and CO2 are not the same quantity (:func:`check_comparable`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heatnet import fmt
from heatnet.errors import InputError, Problem
from heatnet.network import Network
from heatnet.schema import BUILD_STATUSES, DECISION_SOURCE_STATUSES
from heatnet.storage import (
    INDEX_FILE,
    RunSummary,
    StoredRun,
    Study,
    is_blank,
    is_run,
    pathway_years,
    read_run,
    read_study,
    year_tables,
)

KPI_COLUMNS = ("objective_cny", "co2_t", "waste_heat_share", "unserved_mwh", "mip_gap")
"""KPIs of the comparison table, after ``scenario`` and ``status``."""
DIFF_KPIS = (
    "objective_cny",
    "co2_t",
    "waste_heat_share",
    "coal_share",
    "chp_share",
    "unserved_mwh",
    "heat_demand_mwh",
    "heat_produced_mwh",
    "losses_mwh",
    "mip_gap",
)
"""KPIs reported by :func:`diff_plans` (and the cost breakdown, as ``cost.<kind>``)."""
SECURITY_COLUMNS = ("served_share", "min_served_share", "binding_count", "cost_of_security_cny")
"""Security columns of the comparison table, after ``mip_gap``, when some plan has a security
block: α, the lowest served share in an outage, the number of binding cases, the cost of
security (from each plan's ``summary["security"]``)."""
DIFF_SECURITY = (*SECURITY_COLUMNS, "binding")
"""Security figures reported by :func:`diff_plans` as ``security.<key>`` (``binding``: the
binding cases' ids, comma-separated, or ``none``) when either plan has a security block."""
DECIDED = ("kept", "retired", "built", "not_built", "forced_built")
"""Decisions that make a source or pipe a column of the comparison (with the statuses below)."""
DIFF_COLUMNS = ("section", "table", "id", "field", "a", "b", "delta")
PATHWAY_COLUMNS = (
    "npv_cny",
    "co2_t",
    "peak_co2_t",
    "peak_co2_year",
    "unserved_mwh",
    "mip_gap",
    "first_year",
    "last_year",
)
"""KPIs of the comparison table of pathway plans, after ``scenario`` and ``status``: the NPV,
CO2 summed over the seasons, the CO2 of the season that emits most and its year, unserved heat
summed over the seasons, the gap, and the first and last season."""
PATHWAY_DIFF_KPIS = (
    "npv_cny",
    "co2_t",
    "peak_co2_t",
    "peak_co2_year",
    "unserved_mwh",
    "heat_demand_mwh",
    "mip_gap",
)
"""KPIs reported by :func:`diff_plans` for two pathway plans (sums over the seasons), and the
present value of each cost item, as ``npv.<kind>``."""
NEVER = "never"
"""A decision's year when it is never taken within the horizon (an empty timeline year)."""


@dataclass
class Plan:
    """One solved plan (a run folder), or a scenario of a study that has no run folder.

    Attributes:
        label: scenario name (study) or folder name (run); unique among loaded plans.
        folder: the run folder (None for a failed scenario).
        status: solver status, or ``failed``.
        summary: the run's summary.json (empty if none).
        sources, pipes: the run's result tables indexed by id (empty if none).
        network: the inputs the run was solved with (None if none).
        error: the study index's error text, if any.
        study: the study folder's name, if the plan came from a study.
        years: the seasons of a pathway run (empty for a one-season run); ``sources`` and
            ``pipes`` then hold the last season's rows.
        timeline: a pathway run's ``timeline.csv`` (None for a one-season run).
    """

    label: str
    folder: Path | None
    status: str
    summary: RunSummary
    sources: pd.DataFrame
    pipes: pd.DataFrame
    network: Network | None
    error: str = ""
    study: str = ""
    years: list[int] = dataclasses.field(default_factory=list)
    timeline: pd.DataFrame | None = None

    @property
    def is_pathway(self) -> bool:
        """True for a pathway run (several seasons, spec v1.1 §4)."""
        return bool(self.years)


def _plan_from_run(run: StoredRun, label: str) -> Plan:
    block = run.summary.get("pathway") or {}
    years = [int(y) for y in block.get("years") or []] or pathway_years(run.tables)
    tables = year_tables(run.tables)  # a pathway run: its last season; else as it is
    return Plan(
        label,
        run.folder,
        str(run.summary.get("status")),
        run.summary,
        tables.get("sources", pd.DataFrame()),
        tables.get("pipes", pd.DataFrame()),
        run.network,
        years=years,
        timeline=run.tables.get("timeline") if years else None,
    )


def _plans_of_study(study: Study) -> list[Plan]:
    """One plan per row of a study's ``index.csv`` (failed scenarios too, without figures)."""
    plans: list[Plan] = []
    index = study.index if study.index is not None else pd.DataFrame(columns=["scenario"])
    for _, row in index.iterrows():
        label = str(row["scenario"])
        if label in study.runs:
            plan = _plan_from_run(study.runs[label], label)
        else:
            err = row.get("error")
            plan = Plan(
                label,
                None,
                str(row.get("status") or "failed"),
                {},
                pd.DataFrame(),
                pd.DataFrame(),
                None,
                "" if is_blank(err) else str(err),
            )
        plan.study = study.name
        plans.append(plan)
    return plans


def load_plans(paths: Iterable[str | os.PathLike[str]]) -> list[Plan]:
    """Plans from run folders and study folders, in the order given (studies in index order).

    A study contributes one plan per row of its ``index.csv``, labelled by scenario (failed
    scenarios too, without figures). Labels that collide get their study's name in front.
    """
    plans: list[Plan] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if is_run(path):
            plans.append(_plan_from_run(read_run(path), path.name))
        elif (path / INDEX_FILE).is_file():
            plans.extend(_plans_of_study(read_study(path)))
        else:
            problems.append(
                Problem(
                    str(path),
                    "not a run folder or a study folder",
                    expected="a folder with summary.json (heatnet solve) or "
                    "index.csv (heatnet sweep / pareto)",
                    found="neither" if path.exists() else "no such folder",
                )
            )
    if problems:
        raise InputError(problems, context="cannot compare")
    counts: dict[str, int] = {}
    for p in plans:
        counts[p.label] = counts.get(p.label, 0) + 1
    for p in plans:
        if counts[p.label] > 1:
            p.label = f"{p.study}/{p.label}" if p.study else str(p.folder)
    seen: set[str] = set()
    for i, p in enumerate(plans):  # the same folder given twice, say
        if p.label in seen:
            p.label = f"{p.label}#{i + 1}"
        seen.add(p.label)
    return plans


Decided = dict[tuple[str, str], set[str]]
"""(table, id) → names of the networks in which it is retirable or a candidate."""

PlanTables = tuple[str, pd.DataFrame | None, pd.DataFrame | None]
"""One plan as :func:`decided_items` and :func:`plan_decision` read it: its network's name,
its ``sources`` and its ``pipes`` result tables (indexed by id; None or empty if none; a
pathway run's tables, with a ``year`` column, are read in their last season)."""


def last_season(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """A result table's rows of its last season when it has a ``year`` column (a pathway run,
    where ids repeat once per year), without that column; any other table as it is."""
    if df is None or df.empty or "year" not in df.columns:
        return df
    return df[df["year"] == df["year"].max()].drop(columns="year")


def decided_items(plans: Iterable[PlanTables]) -> Decided:
    """Every retirable source, candidate and committed source or pipe of any plan, in
    first-seen order, with the networks in which it is one."""
    out: Decided = {}
    for network, sources, pipes in plans:
        for table, df, statuses in (
            ("sources", last_season(sources), (*DECISION_SOURCE_STATUSES, *BUILD_STATUSES)),
            ("pipes", last_season(pipes), BUILD_STATUSES),
        ):
            if df is None or df.empty:
                continue
            mask = df["decision"].isin(DECIDED)
            if "status" in df.columns:
                mask |= df["status"].isin(statuses)
            for ident in df.index[mask]:
                out.setdefault((table, str(ident)), set()).add(network)
    return out


def plan_decision(plan: PlanTables, table: str, ident: str, decided: Decided) -> str:
    """The plan's decision on a source or pipe (a value of :data:`heatnet.schema.DECISIONS`,
    or ``""`` if the plan has no such row); a source that is retirable or a candidate in
    another plan of the same network but ``existing`` here (a scenario forced it) reads
    ``forced_kept``."""
    network, sources, pipes = plan
    df = last_season(sources if table == "sources" else pipes)
    if df is None or df.empty or ident not in df.index:
        return ""
    d = str(df.loc[ident, "decision"])
    forced = network in decided.get((table, ident), set())
    return "forced_kept" if d == "existing" and table == "sources" and forced else d


def _tables(plan: Plan) -> PlanTables:
    return (str(plan.summary.get("network")), plan.sources, plan.pipes)


def _decision_columns(plans: Sequence[Plan]) -> Decided:
    """Every retirable source and candidate of any plan, in first-seen order."""
    return decided_items(_tables(p) for p in plans)


def _decision(plan: Plan, table: str, ident: str, decided: Decided) -> str:
    return plan_decision(_tables(plan), table, ident, decided)


def security_figures(summary: RunSummary) -> dict[str, Any]:
    """A plan's :data:`DIFF_SECURITY` figures from ``summary["security"]`` (all None without a
    block; a figure not computed is None)."""
    b = summary.get("security") or {}
    binding = b.get("binding")
    return {
        "served_share": b.get("served_share"),
        "min_served_share": b.get("min_served_share"),
        "binding_count": None if binding is None else len(binding),
        "cost_of_security_cny": b.get("cost_of_security_cny"),
        "binding": None if binding is None else ", ".join(str(x) for x in binding) or "none",
    }


def has_security(plans: Iterable[Plan]) -> bool:
    """True when some plan was solved with a security block."""
    return any(p.summary.get("security") for p in plans)


# --- pathway runs ---------------------------------------------------------------------------

SEASON_COLUMNS = (
    "co2_t",
    "objective_cny",
    "discounted_cny",
    "unserved_mwh",
    "heat_demand_mwh",
    "discount_factor",
)
"""The columns of :func:`season_table`, from ``summary["pathway"]["per_year"]``."""

Change = tuple[str, int | None, str]
"""A pathway decision: kind (``retire``/``build``), the first season in which the element is in
its new state (None: never within the horizon), and the element's name."""


def check_comparable(plans: Sequence[Plan]) -> bool:
    """True when the solved plans are pathway runs, False when they are one-season runs;
    InputError when both kinds are given (an NPV over several seasons beside one year's cost,
    and CO2 summed over the seasons beside one season's, would be a misleading table). Plans
    without a summary (failed scenarios) are either kind."""
    solved = [p for p in plans if p.summary]
    pathway = [p.label for p in solved if p.is_pathway]
    season = [p.label for p in solved if not p.is_pathway]
    if pathway and season:
        raise InputError(
            [
                Problem(
                    None,
                    "a pathway run and a one-season run cannot be compared",
                    expected="only pathway runs, or only one-season runs",
                    found=f"pathway: {', '.join(pathway)}; one season: {', '.join(season)}",
                    hint="A pathway's cost is the NPV of all its seasons and its CO2 the sum "
                    "over them; a one-season run's are one year's. Compare each kind on its "
                    "own; a pathway's figures season by season are in its summary.json "
                    "(pathway.per_year)",
                )
            ],
            context="cannot compare",
        )
    return bool(pathway)


def season_table(summary: RunSummary) -> pd.DataFrame:
    """A pathway run's seasons, indexed by ``year``, with the :data:`SEASON_COLUMNS` (NaN where
    the summary has no such figure; ``discounted_cny`` = ``objective_cny`` × the discount factor
    when it is not given). Empty for a one-season run."""
    block = summary.get("pathway") or {}
    rows = []
    for rec in block.get("per_year") or []:
        row: dict[str, Any] = {k: rec.get(k) for k in SEASON_COLUMNS}
        row["year"] = int(rec["year"])
        cost, factor = rec.get("objective_cny"), rec.get("discount_factor")
        if row["discounted_cny"] is None and cost is not None and factor is not None:
            row["discounted_cny"] = float(cost) * float(factor)
        rows.append(row)
    table = pd.DataFrame(rows, columns=["year", *SEASON_COLUMNS]).set_index("year")
    return table.astype(float)


def _total(values: pd.Series, fallback: object) -> object:
    """The sum over the seasons (None when no season has the figure); ``fallback`` (the
    summary's own figure) when the summary has no seasons."""
    if values.empty:
        return fallback
    known = values.dropna()
    return float(known.sum()) if len(known) else None


def pathway_figures(summary: RunSummary) -> dict[str, Any]:
    """A pathway run's figures for comparisons (:data:`PATHWAY_COLUMNS` and
    ``heat_demand_mwh``): NPV, CO2, unserved heat and heat demand summed over the seasons; the
    CO2 of the season that emits most and its year (the first such season); the gap; the first
    and last season. All None for a summary without them."""
    block = summary.get("pathway") or {}
    seasons = season_table(summary)
    years = [int(y) for y in block.get("years") or seasons.index]
    co2 = seasons["co2_t"].dropna()
    return {
        "npv_cny": block.get("npv_cny", summary.get("objective_cny")),
        "co2_t": _total(seasons["co2_t"], summary.get("co2_t")),
        "peak_co2_t": float(co2.max()) if len(co2) else None,
        "peak_co2_year": int(co2.idxmax()) if len(co2) else None,
        "unserved_mwh": _total(seasons["unserved_mwh"], summary.get("unserved_mwh")),
        "heat_demand_mwh": _total(seasons["heat_demand_mwh"], None),
        "mip_gap": summary.get("mip_gap"),
        "first_year": years[0] if years else None,
        "last_year": years[-1] if years else None,
    }


def present_costs(summary: RunSummary) -> dict[str, float]:
    """Each cost item of a pathway run over its seasons, discounted:
    Σ_y δ_y × ``cost_breakdown_cny[item]`` of season y [CNY] (``total_cny`` left out)."""
    block = summary.get("pathway") or {}
    out: dict[str, float] = {}
    for rec in block.get("per_year") or []:
        factor = float(rec.get("discount_factor", 1.0))
        for k, v in (rec.get("cost_breakdown_cny") or {}).items():
            if k != "total_cny" and v is not None:
                out[k] = out.get(k, 0.0) + factor * float(v)
    return out


def change_years(plan: Plan) -> dict[tuple[str, str], Change]:
    """A pathway plan's decisions from its ``timeline.csv``, by (table, id): kind, the first
    season of the new state (None: never) and name. Empty for a one-season plan."""
    out: dict[tuple[str, str], Change] = {}
    if plan.timeline is None or plan.timeline.empty:
        return out
    for rec in plan.timeline.to_dict("records"):
        ident = str(rec["id"])
        element = rec.get("element")
        if not is_blank(element):
            table = "pipes" if str(element).lower().startswith("pipe") else "sources"
        else:  # an older timeline without the element column: where the id is
            in_pipes = ident in plan.pipes.index and ident not in plan.sources.index
            table = "pipes" if in_pipes else "sources"
        year, name = rec.get("year"), rec.get("name")
        out[(table, ident)] = (
            str(rec.get("kind") or ""),
            None if is_blank(year) else int(float(year)),
            "" if is_blank(name) else str(name),
        )
    return out


def change_text(change: Change) -> str:
    """A pathway decision in the comparison table: ``retired 2027``, ``kept`` (never retired),
    ``built 2026``, ``not_built`` (never built)."""
    kind, year, _ = change
    if kind == "retire":
        return "kept" if year is None else f"retired {year}"
    if kind == "build":
        return "not_built" if year is None else f"built {year}"
    return kind if year is None else f"{kind} {year}"


# --- the comparison table ----------------------------------------------------------------------


def _kpi_cells(plan: Plan, pathway: bool) -> dict[str, Any]:
    if pathway:
        figures = pathway_figures(plan.summary)
        return {k: figures[k] for k in PATHWAY_COLUMNS}
    return {k: plan.summary.get(k) for k in KPI_COLUMNS}


def compare_table(plans: Sequence[Plan]) -> pd.DataFrame:
    """One row per plan: ``scenario``, ``status``, the KPIs, the :data:`SECURITY_COLUMNS` when
    some plan has a security block, ``folder``, ``error``, then one column per retirable source
    and candidate (named by id; ``pipe:ID`` if a source has the same id) holding its decision:
    kept, retired, forced_kept, forced_retired, built, not_built, forced_built, existing or
    unavailable (:data:`heatnet.schema.DECISIONS`).

    Pathway plans (all of them or none: :func:`check_comparable`) have the
    :data:`PATHWAY_COLUMNS` as KPIs, and each decision column holds the first season of the new
    state (``retired 2027``, ``built 2026``; ``kept`` and ``not_built``: never), or, for an
    element without a timeline row, its decision in the last season."""
    pathway = check_comparable(plans)
    cols = _decision_columns(plans)
    changes = [change_years(p) for p in plans] if pathway else [{} for _ in plans]
    for ch in changes:
        for key in ch:
            cols.setdefault(key, set())
    source_ids = {i for t, i in cols if t == "sources"}
    secure = has_security(plans)
    rows = []
    for p, ch in zip(plans, changes, strict=True):
        row: dict[str, Any] = {"scenario": p.label, "status": p.status}
        row.update(_kpi_cells(p, pathway))
        if secure:
            figures = security_figures(p.summary)
            for k in SECURITY_COLUMNS:
                row[k] = figures[k]
        row["folder"] = str(p.folder) if p.folder else ""
        row["error"] = p.error
        for table, ident in cols:
            name = f"pipe:{ident}" if table == "pipes" and ident in source_ids else ident
            change = ch.get((table, ident))
            row[name] = change_text(change) if change else _decision(p, table, ident, cols)
        rows.append(row)
    return pd.DataFrame(rows)


def decision_columns(table: pd.DataFrame) -> list[str]:
    """The decision columns of a :func:`compare_table` result."""
    fixed = {
        "scenario",
        "status",
        "folder",
        "error",
        *KPI_COLUMNS,
        *PATHWAY_COLUMNS,
        *SECURITY_COLUMNS,
    }
    return [c for c in table.columns if c not in fixed]


# --------------------------------------------------------------------------------------------
# diff


SEASON_DIFF = ("co2_t", "objective_cny", "discounted_cny")
"""Figures of each season compared by :class:`PathwayDiff`."""


def _side(field: str, side: str) -> str:
    """``co2_t``, ``a`` → ``co2_a_t``: the column of one side, unit kept last."""
    stem, unit = field.rsplit("_", 1)
    return f"{stem}_{side}_{unit}"


@dataclass
class PathwayDiff:
    """What differs season by season between two pathway plans.

    Attributes:
        timing: ``table``, ``id``, ``name``, ``kind`` (retire/build), ``year_a``, ``year_b``:
            every element that changes state in a different season in the two plans. A year
            is the first season of the new state, or ``never``; for an element that is no
            decision in one plan, that plan's decision in its last season (``forced_kept``).
        seasons: one row per season of either plan, indexed by ``year``: for each of
            :data:`SEASON_DIFF` its ``_a_``, ``_b_`` and ``_delta_`` columns (b − a), e.g.
            ``co2_a_t``, ``co2_b_t``, ``co2_delta_t``, ``objective_a_cny`` (undiscounted),
            ``discounted_delta_cny`` (NaN where a plan has no such season).
        years_a, years_b: each plan's seasons.
        discount_rate_a, discount_rate_b: each plan's discount rate (None if unknown).
    """

    timing: pd.DataFrame
    seasons: pd.DataFrame
    years_a: list[int]
    years_b: list[int]
    discount_rate_a: float | None = None
    discount_rate_b: float | None = None

    def tidy(self) -> list[pd.DataFrame]:
        """The ``timeline`` and ``year`` sections of :meth:`PlanDiff.tidy`."""
        t = self.timing
        timeline = pd.DataFrame(
            {
                "section": "timeline",
                "table": t["table"],
                "id": t["id"],
                "field": t["kind"] + "_year",
                "a": t["year_a"],
                "b": t["year_b"],
                "delta": pd.Series(
                    [_year_delta(x, y) for x, y in zip(t["year_a"], t["year_b"], strict=True)],
                    index=t.index,
                    dtype=object,
                ),
            }
        )
        years = [
            pd.DataFrame(
                {
                    "section": "year",
                    "table": "pathway",
                    "id": self.seasons.index,
                    "field": field,
                    "a": self.seasons[_side(field, "a")],
                    "b": self.seasons[_side(field, "b")],
                    "delta": self.seasons[_side(field, "delta")],
                }
            )
            for field in SEASON_DIFF
        ]
        seasons = pd.concat(years).sort_values("id", kind="stable") if len(self.seasons) else None
        return [df for df in (timeline, seasons) if df is not None and len(df)]


def _year_delta(a: object, b: object) -> int | None:
    """b − a in years when both are seasons (not ``never`` or a decision)."""
    a, b = _plain(a), _plain(b)
    if isinstance(a, int) and isinstance(b, int) and not isinstance(a | b, bool):
        return b - a
    return None


def _state(plan: Plan, change: Change | None, key: tuple[str, str], decided: Decided) -> object:
    """A plan's year for :attr:`PathwayDiff.timing`: the season, ``never``, or its decision."""
    if change is not None:
        return NEVER if change[1] is None else change[1]
    return _decision(plan, key[0], key[1], decided) or "-"


def timing_differences(a: Plan, b: Plan) -> pd.DataFrame:
    """The elements two pathway plans change in different seasons (:attr:`PathwayDiff.timing`),
    in timeline order (a's, then b's own)."""
    ca, cb = change_years(a), change_years(b)
    decided = _decision_columns([a, b])
    rows = []
    for key in dict.fromkeys([*ca, *cb]):
        ya, yb = _state(a, ca.get(key), key, decided), _state(b, cb.get(key), key, decided)
        if ya == yb:
            continue
        kind, _, name = ca.get(key) or cb[key]
        rows.append(
            {"table": key[0], "id": key[1], "name": name, "kind": kind, "year_a": ya, "year_b": yb}
        )
    return pd.DataFrame(rows, columns=["table", "id", "name", "kind", "year_a", "year_b"])


def pathway_diff(a: Plan, b: Plan) -> PathwayDiff:
    """Season by season, what differs between two pathway plans."""
    sa, sb = season_table(a.summary), season_table(b.summary)
    years = sorted(set(sa.index) | set(sb.index))
    seasons = pd.DataFrame(index=pd.Index(years, name="year"))
    for field in SEASON_DIFF:
        va, vb = sa[field].reindex(years), sb[field].reindex(years)
        seasons[_side(field, "a")] = va.to_numpy()
        seasons[_side(field, "b")] = vb.to_numpy()
        seasons[_side(field, "delta")] = (vb - va).to_numpy()
    rates = [(p.summary.get("pathway") or {}).get("discount_rate") for p in (a, b)]
    return PathwayDiff(timing_differences(a, b), seasons, a.years, b.years, *rates)


@dataclass
class PlanDiff:
    """What changed from plan ``a`` to plan ``b``.

    Attributes:
        a, b: the two plans' labels.
        kpis: ``kpi``, ``a``, ``b``, ``delta`` (b - a) for every KPI and cost item.
        decisions: ``table``, ``id``, ``a``, ``b`` for every decision that differs.
        inputs: ``table``, ``id``, ``field``, ``a``, ``b`` for every input that differs
            (economics keys, table cells by id and column, rows present in one plan only,
            profiles, the ``pathway:`` block).
        pathway: for two pathway plans, what differs season by season (None otherwise); their
            ``decisions`` are then those of the last season.
    """

    a: str
    b: str
    kpis: pd.DataFrame
    decisions: pd.DataFrame
    inputs: pd.DataFrame
    pathway: PathwayDiff | None = None

    def tidy(self) -> pd.DataFrame:
        """All parts as one table: ``section``, ``table``, ``id``, ``field``, ``a``, ``b``,
        ``delta`` (the CSV that ``heatnet compare --diff`` writes). Sections: ``kpi``, for
        pathway plans ``timeline`` (field ``retire_year``/``build_year``; ``never``; delta in
        years) and ``year`` (id the season; fields ``co2_t``, ``objective_cny``,
        ``discounted_cny``), then ``decision`` and ``input``."""
        pathway = self.pathway.tidy() if self.pathway is not None else []
        parts = [
            pd.DataFrame(
                {
                    "section": "kpi",
                    "table": "summary",
                    "id": "",
                    "field": self.kpis["kpi"],
                    "a": self.kpis["a"],
                    "b": self.kpis["b"],
                    "delta": self.kpis["delta"],
                }
            ),
            *pathway,
            pd.DataFrame(
                {
                    "section": "decision",
                    "table": self.decisions["table"],
                    "id": self.decisions["id"],
                    "field": "decision",
                    "a": self.decisions["a"],
                    "b": self.decisions["b"],
                    "delta": None,
                }
            ),
            pd.DataFrame(
                {
                    "section": "input",
                    "table": self.inputs["table"],
                    "id": self.inputs["id"],
                    "field": self.inputs["field"],
                    "a": self.inputs["a"],
                    "b": self.inputs["b"],
                    "delta": None,
                }
            ),
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            return pd.DataFrame(columns=list(DIFF_COLUMNS))
        return pd.concat(parts, ignore_index=True)[list(DIFF_COLUMNS)]


def _same(x: object, y: object) -> bool:
    if _missing(x) and _missing(y):
        return True
    if _missing(x) or _missing(y):
        return False
    if (
        isinstance(x, (int, float, np.number))
        and isinstance(y, (int, float, np.number))
        and not isinstance(x, bool)
        and not isinstance(y, bool)
    ):
        return math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12)
    return x == y


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, (float, np.floating)) and math.isnan(x)) or x == ""


def _plain(x: object) -> object:
    return x.item() if isinstance(x, np.generic) else x


def _points_text(value: object) -> object:
    """A ``pathway:`` value as text: ``2025: 0, 2027: 500`` for (year, value) points,
    ``2025, 2026`` for years; anything else as it is."""
    if isinstance(value, tuple | list):
        return ", ".join(
            f"{v[0]}: {fmt.plain(v[1])}" if isinstance(v, tuple | list) else str(v) for v in value
        )
    return value


def _pathway_inputs(a: Network, b: Network) -> list[dict[str, Any]]:
    """The ``pathway:`` keys that differ (table ``pathway``), or the block in one network only."""
    pa, pb = a.pathway, b.pathway
    if pa is None and pb is None:
        return []
    if pa is None or pb is None:
        ends = ("absent", "present") if pa is None else ("present", "absent")
        return [{"table": "pathway", "id": "", "field": "(block)", "a": ends[0], "b": ends[1]}]
    da, db = dataclasses.asdict(pa), dataclasses.asdict(pb)
    return [
        {
            "table": "pathway",
            "id": "",
            "field": k,
            "a": _points_text(da[k]),
            "b": _points_text(db[k]),
        }
        for k in da
        if not _same(da[k], db[k])
    ]


def input_differences(a: Network, b: Network) -> pd.DataFrame:
    """Inputs that differ between two networks: ``table``, ``id``, ``field``, ``a``, ``b``.

    The ``pathway:`` block's keys; economics keys; every table cell by id and column (rows or
    columns present in one network only are listed too); profiles: the number of periods, then
    per profile column its weighted sum (full-load hours) when the values differ.
    """
    rows: list[dict[str, Any]] = _pathway_inputs(a, b)
    ea, eb = dataclasses.asdict(a.economics), dataclasses.asdict(b.economics)
    for key in ea:
        if not _same(ea[key], eb[key]):
            rows.append({"table": "economics", "id": "", "field": key, "a": ea[key], "b": eb[key]})
    for table in ("nodes", "sources", "pipes", "demands"):
        da, db = getattr(a, table), getattr(b, table)
        for ident in da.index.difference(db.index, sort=False):
            rows.append(
                {"table": table, "id": str(ident), "field": "(row)", "a": "present", "b": "absent"}
            )
        for ident in db.index.difference(da.index, sort=False):
            rows.append(
                {"table": table, "id": str(ident), "field": "(row)", "a": "absent", "b": "present"}
            )
        common_cols = [c for c in da.columns if c in db.columns]
        for col in [c for c in da.columns if c not in db.columns]:
            rows.append(
                {
                    "table": table,
                    "id": "",
                    "field": col,
                    "a": "column present",
                    "b": "column absent",
                }
            )
        for col in [c for c in db.columns if c not in da.columns]:
            rows.append(
                {
                    "table": table,
                    "id": "",
                    "field": col,
                    "a": "column absent",
                    "b": "column present",
                }
            )
        for ident in da.index.intersection(db.index, sort=False):
            ra, rb = da.loc[ident], db.loc[ident]
            for col in common_cols:
                if not _same(ra[col], rb[col]):
                    rows.append(
                        {
                            "table": table,
                            "id": str(ident),
                            "field": col,
                            "a": _plain(ra[col]),
                            "b": _plain(rb[col]),
                        }
                    )
    pa, pb = a.profiles, b.profiles
    if len(pa) != len(pb):
        rows.append({"table": "profiles", "id": "", "field": "periods", "a": len(pa), "b": len(pb)})
    else:
        for col in [c for c in pa.columns if c != "period"]:
            if col not in pb.columns:
                rows.append(
                    {
                        "table": "profiles",
                        "id": col,
                        "field": "(column)",
                        "a": "present",
                        "b": "absent",
                    }
                )
                continue
            va, vb = pa[col].to_numpy(dtype=float), pb[col].to_numpy(dtype=float)
            if not np.allclose(va, vb, rtol=1e-9, atol=0.0):
                wa, wb = a.weights_h, b.weights_h
                rows.append(
                    {
                        "table": "profiles",
                        "id": col,
                        "field": "weighted sum [h]" if col != "weight_h" else "sum [h]",
                        "a": float(va @ wa) if col != "weight_h" else float(va.sum()),
                        "b": float(vb @ wb) if col != "weight_h" else float(vb.sum()),
                    }
                )
        for col in [c for c in pb.columns if c not in pa.columns]:
            rows.append(
                {"table": "profiles", "id": col, "field": "(column)", "a": "absent", "b": "present"}
            )
    return pd.DataFrame(rows, columns=["table", "id", "field", "a", "b"])


def _kpi_rows(a: Plan, b: Plan, pathway: bool) -> list[dict[str, Any]]:
    """The KPI rows of a diff: :data:`DIFF_KPIS` and ``cost.<item>``, or for pathway plans
    :data:`PATHWAY_DIFF_KPIS` and ``npv.<item>`` (:func:`present_costs`)."""
    if pathway:
        fa, fb = pathway_figures(a.summary), pathway_figures(b.summary)
        pairs = [(k, fa[k], fb[k]) for k in PATHWAY_DIFF_KPIS]
        ca, cb, prefix = present_costs(a.summary), present_costs(b.summary), "npv"
        for costs in (ca, cb):  # an item that a pathway with costs never pays is 0 there
            for k in [*ca, *cb] if costs else []:
                costs.setdefault(k, 0.0)
    else:
        pairs = [(k, a.summary.get(k), b.summary.get(k)) for k in DIFF_KPIS]
        ca = dict(a.summary.get("cost_breakdown_cny") or {})
        cb = dict(b.summary.get("cost_breakdown_cny") or {})
        prefix = "cost"
    for k in dict.fromkeys([*ca, *cb]):
        if k != "total_cny":
            pairs.append((f"{prefix}.{k}", ca.get(k), cb.get(k)))
    return [{"kpi": k, "a": va, "b": vb, "delta": _delta(va, vb)} for k, va, vb in pairs]


def diff_plans(a: Plan, b: Plan) -> PlanDiff:
    """What changed from plan ``a`` to plan ``b``: KPIs, decisions and inputs; for two pathway
    plans also what changes state in a different season, and CO2 and cost season by season
    (InputError for a pathway plan and a one-season plan: :func:`check_comparable`)."""
    pathway = check_comparable([a, b])
    kpi_rows = _kpi_rows(a, b, pathway)
    if has_security([a, b]):
        sa, sb = security_figures(a.summary), security_figures(b.summary)
        for k in DIFF_SECURITY:
            va, vb = sa[k], sb[k]
            kpi_rows.append({"kpi": f"security.{k}", "a": va, "b": vb, "delta": _delta(va, vb)})
    # a pathway's KPIs hold seasons: 2027, not 2027.0
    kpis = pd.DataFrame(
        kpi_rows, columns=["kpi", "a", "b", "delta"], dtype=object if pathway else None
    )
    dec_rows = []
    decided = _decision_columns([a, b])
    for table, ident in decided:
        da, db = _decision(a, table, ident, decided), _decision(b, table, ident, decided)
        if da != db:
            dec_rows.append({"table": table, "id": ident, "a": da, "b": db})
    decisions = pd.DataFrame(dec_rows, columns=["table", "id", "a", "b"])
    if a.network is not None and b.network is not None:
        inputs = input_differences(a.network, b.network)
    else:
        inputs = pd.DataFrame(columns=["table", "id", "field", "a", "b"])
    extra = pathway_diff(a, b) if pathway else None
    return PlanDiff(a.label, b.label, kpis, decisions, inputs, extra)


def _delta(a: object, b: object) -> float | None:
    if (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return float(b) - float(a)
    return None


def find_plan(plans: Sequence[Plan], key: str) -> Plan:
    """The plan labelled ``key``, or the run folder at path ``key``; InputError otherwise."""
    for p in plans:
        if p.label == key:
            return p
    path = Path(key)
    for p in plans:
        if p.folder is not None and path.exists() and p.folder.resolve() == path.resolve():
            return p
    if (path / "summary.json").is_file():
        return _plan_from_run(read_run(path), path.name)
    from heatnet.errors import did_you_mean

    labels = [p.label for p in plans]
    raise InputError(
        [
            Problem(
                None,
                "unknown plan",
                column="--diff",
                expected="a scenario name of the studies given, or a run folder"
                + (f" (one of {', '.join(labels)})" if labels else ""),
                found=repr(key),
                hint=did_you_mean(key, labels),
            )
        ]
    )


# --------------------------------------------------------------------------------------------
# text for the console


def _fmt_num(key: str, values: Sequence[object]) -> tuple[str, list[str]]:
    """A KPI column in one unit (heatnet.fmt), for the console table."""
    return fmt.column(key, values)


def _kpi_block(table: pd.DataFrame, pathway: bool) -> pd.DataFrame:
    """The KPI columns of :func:`format_compare`, in one unit each."""
    columns: dict[str, Any] = {"status": table["status"]}
    keys = (
        (
            ("npv_cny", "NPV"),
            ("co2_t", "CO2, all seasons"),
            ("peak_co2_t", "peak CO2"),
            ("peak_co2_year", "peak in"),
            ("unserved_mwh", "unserved"),
            ("mip_gap", "gap"),
        )
        if pathway
        else (
            ("objective_cny", "cost"),
            ("co2_t", "CO2"),
            ("waste_heat_share", "waste heat"),
            ("unserved_mwh", "unserved"),
            ("mip_gap", "gap"),
        )
    )
    for key, label in keys:
        if key.endswith("_year"):
            columns[label] = [_year_text(v) for v in table[key]]
            continue
        unit, cells = _fmt_num(key, list(table[key]))
        columns[f"{label} [{unit}]"] = cells
    if pathway:
        columns["seasons"] = [
            f"{_year_text(a)}–{_year_text(b)}" if not fmt.is_missing(a) else fmt.MISSING
            for a, b in zip(table["first_year"], table["last_year"], strict=True)
        ]
    if "served_share" in table.columns:
        for key, label in (
            ("served_share", "α"),
            ("min_served_share", "min served"),
            ("binding_count", "binding"),
            ("cost_of_security_cny", "cost of security"),
        ):
            unit, cells = _fmt_num(key, list(table[key]))
            columns[f"{label} [{unit}]" if unit else label] = cells
    kpi = pd.DataFrame(columns, index=table.index)
    kpi.index = pd.Index(table["scenario"], name="plan")
    return kpi


def format_compare(table: pd.DataFrame) -> str:
    """The comparison as two readable blocks: KPIs by plan, then decisions (one row per
    retirable source or candidate, one column per plan). Pathway plans: NPV, CO2 over all
    seasons, the peak season, then the first season each element changes state."""
    if table.empty:
        return "no plans"
    pathway = "npv_cny" in table.columns
    lines = []
    if pathway:
        lines += [
            "pathway runs: NPV and CO2 over all seasons; peak: the season that emits most;",
            "decisions: the first season of the new state",
        ]
    lines.append(_kpi_block(table, pathway).to_string())
    failed = table[table["error"].astype(str) != ""]
    for _, row in failed.iterrows():
        lines.append(f"  {row['scenario']}: {row['error']}")
    firsts = {y for y in table["first_year"] if not fmt.is_missing(y)} if pathway else set()
    lasts = {y for y in table["last_year"] if not fmt.is_missing(y)} if pathway else set()
    if len(firsts) > 1 or len(lasts) > 1:
        lines.append(
            "  the plans cover different seasons: their NPVs and CO2 totals do not compare"
        )
    dec = decision_columns(table)
    if dec:
        block = table.set_index("scenario")[dec].T
        block.index.name = "first change" if pathway else "decision"
        block.columns.name = None
        lines += ["", block.to_string()]
    return "\n".join(lines)


def _kpi_lines(kpis: pd.DataFrame, skip: Sequence[str] = ()) -> list[str]:
    moved = kpis[
        [
            not _same(a, b) and k not in skip
            for k, a, b in zip(kpis["kpi"], kpis["a"], kpis["b"], strict=True)
        ]
    ]
    lines = [f"KPIs that changed ({fmt.count(len(moved))}):"]
    for _, r in moved.iterrows():
        key = str(r["kpi"])
        if key.endswith("_year"):  # a season: 2027, not 2,027
            text = f"{_year_text(r['a'])} {fmt.ARROW} {_year_text(r['b'])}"
        else:
            text = fmt.change(key, r["a"], r["b"])
        lines.append(f"  {key}: {text}")
    return lines


def _decision_lines(decisions: pd.DataFrame, title: str = "decisions that changed") -> list[str]:
    lines = [f"{title} ({fmt.count(len(decisions))}):"]
    for _, r in decisions.iterrows():
        kind = "source" if r["table"] == "sources" else "pipe"
        lines.append(f"  {r['id']} ({kind}): {r['a'] or '-'} → {r['b'] or '-'}")
    return lines


def _input_lines(inputs: pd.DataFrame) -> list[str]:
    lines = [f"inputs that differ ({fmt.count(len(inputs))}):"]
    for _, r in inputs.iterrows():
        where = r["table"] + (f" {r['id']}" if r["id"] else "")
        a, b = (_fmt_any(r[side], r["field"]) for side in ("a", "b"))
        lines.append(f"  {where} {r['field']}: {a} → {b}")
    return lines


def format_diff(diff: PlanDiff) -> str:
    """What changed from ``a`` to ``b``, in words: KPIs that moved, decisions, inputs (for two
    pathway plans: :func:`format_pathway_diff`)."""
    if diff.pathway is not None:
        return format_pathway_diff(diff)
    return "\n".join(
        [
            f"from {diff.a} to {diff.b}:",
            *_kpi_lines(diff.kpis),
            *_decision_lines(diff.decisions),
            *_input_lines(diff.inputs),
        ]
    )


def _year_text(v: object) -> str:
    """A season as a year (``2027``, no thousands separator), or the text it holds."""
    if fmt.is_missing(v):
        return fmt.MISSING
    if isinstance(v, int | float | np.number) and not isinstance(v, bool):
        return str(int(v))
    return str(v)


def _years_text(years: Sequence[int]) -> str:
    """``2025–2030`` for consecutive seasons, else ``2025, 2027, 2030``."""
    if not years:
        return fmt.MISSING
    if list(years) == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Rows of text cells as aligned lines (indented by two spaces): the first ``left``
    columns aligned left, the others (numbers) right."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).ljust(w) if j < left else str(c).rjust(w)
            for j, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return ("  " + "  ".join(parts)).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _unit_cells(
    key: str, columns: Sequence[Sequence[object]], signed: Sequence[bool]
) -> tuple[str, list[list[str]]]:
    """Columns of numbers in one unit (heatnet.fmt, chosen by the largest value): the unit's
    label and the cells, with a sign where ``signed`` (an exact zero shows without one)."""
    values = [float(v) for col in columns for v in col if not fmt.is_missing(v)]
    unit = fmt.unit_for(key, max((abs(v) for v in values), default=0.0))

    def cell(v: object, sign: bool) -> str:
        if fmt.is_missing(v):
            return fmt.MISSING
        x = float(v)  # type: ignore[arg-type]
        if unit is None:
            return fmt.plain(x, sign=sign and x != 0)
        return fmt.number(x / unit.divisor, unit.digits, sign=sign and x != 0)

    cells = [[cell(v, s) for v in col] for col, s in zip(columns, signed, strict=True)]
    return (unit.label if unit else ""), cells


def _season_lines(pw: PathwayDiff) -> list[str]:
    """CO2 per season, then cost per season (undiscounted and discounted), A, B and B − A."""
    s = pw.seasons
    if s.empty:
        return ["no figures per season in the summaries"]
    years = [str(y) for y in s.index]
    unit, co2 = _unit_cells(
        "co2_t", [s["co2_a_t"], s["co2_b_t"], s["co2_delta_t"]], (False, False, True)
    )
    lines = [f"CO2 per season [{unit}]:"]
    lines += text_table(("season", "A", "B", "B − A"), list(zip(years, *co2, strict=True)))
    names = [
        _side(f, side) for f in ("objective_cny", "discounted_cny") for side in ("a", "b", "delta")
    ]
    unit, cost = _unit_cells("objective_cny", [s[n] for n in names], [False, False, True] * 2)
    first = min([*pw.years_a, *pw.years_b], default=None)
    lines.append(f"cost per season [{unit}], as paid and discounted to {_year_text(first)}:")
    header = ("season", "A", "B", "B − A", "A disc.", "B disc.", "B − A disc.")
    lines += text_table(header, list(zip(years, *cost, strict=True)))
    return lines


def _timing_lines(timing: pd.DataFrame) -> list[str]:
    lines = [f"closed or built in a different season ({fmt.count(len(timing))}):"]
    if len(timing):
        rows = [
            (
                str(r["id"]),
                str(r["name"]) or "-",
                str(r["kind"]),
                _year_text(r["year_a"]),
                _year_text(r["year_b"]),
            )
            for _, r in timing.iterrows()
        ]
        lines += text_table(("id", "name", "kind", "A", "B"), rows, left=3)
    return lines


def _horizon_lines(pw: PathwayDiff) -> list[str]:
    """The seasons and the discount rate, with a warning when the two plans differ in them."""
    ra, rb = pw.discount_rate_a, pw.discount_rate_b
    lines = []
    if pw.years_a == pw.years_b:
        lines.append(f"seasons: {_years_text(pw.years_a)}")
    else:
        lines.append(f"seasons: A {_years_text(pw.years_a)}, B {_years_text(pw.years_b)}")
    if _same(ra, rb):
        lines[-1] += f"; discount rate {fmt.percent(ra)}" if not fmt.is_missing(ra) else ""
    if pw.years_a != pw.years_b:
        lines.append(
            "  the NPVs and CO2 totals cover different seasons: compare them season by season"
        )
    if not _same(ra, rb):
        lines.append(
            f"discount rate: A {fmt.percent(ra)}, B {fmt.percent(rb)} — the NPVs are "
            "discounted differently"
        )
    return lines


def format_pathway_diff(diff: PlanDiff) -> str:
    """What changed from pathway plan ``a`` to pathway plan ``b``, for a terminal: the seasons,
    the NPV, the KPIs that moved (sums over the seasons), what closes or is built in a different
    season, CO2 and cost season by season, the decisions of the last season, the inputs."""
    pw = diff.pathway
    if pw is None:
        return format_diff(diff)
    npv = diff.kpis.set_index("kpi")
    last = max([*pw.years_a, *pw.years_b], default=None)
    return "\n".join(
        [
            f"from {diff.a} (A) to {diff.b} (B), pathway runs:",
            *_horizon_lines(pw),
            f"NPV: {fmt.change('npv_cny', npv.loc['npv_cny', 'a'], npv.loc['npv_cny', 'b'])}",
            *_kpi_lines(diff.kpis, skip=("npv_cny",)),
            *_timing_lines(pw.timing),
            *_season_lines(pw),
            *_decision_lines(
                diff.decisions, f"decisions in the last season ({_year_text(last)}) that changed"
            ),
            *_input_lines(diff.inputs),
        ]
    )


def _fmt_any(v: object, field: str = "") -> str:
    """An input value as the file has it (no unit scaling), readable: ``8,760``, ``0.35``;
    a year (``earliest_year``, ``retire_by``, ``years``) without a thousands separator."""
    if _missing(v):
        return fmt.MISSING
    value = _plain(v)
    year_field = field.endswith("_year") or field in ("retire_by", "years")
    if year_field and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return fmt.plain(value)


# --- neighbouring points of a cost–CO2 front -------------------------------------------------

NEAR_TIE_SHARE = 0.005
"""Two neighbouring Pareto points whose costs differ by less than this share of the cost (or
by less than the sum of their MIP gaps times the cost) are a near tie when they retire
different sources."""

STEP_COLUMNS = (
    "point",
    "objective_cny",
    "co2_t",
    "mip_gap",
    "retired",
    "previous",
    "abatement_cny_per_t",
    "cost_difference_share",
    "near_tie_with",
)


def _near_tie(a: dict[str, Any], b: dict[str, Any]) -> tuple[bool, float]:
    """Whether neighbours ``a`` and ``b`` are a near tie, and their cost difference as a share
    of the larger cost."""
    cost = max(abs(a["objective_cny"]), abs(b["objective_cny"]))
    diff = abs(b["objective_cny"] - a["objective_cny"])
    share = diff / cost if cost > 0 else 0.0
    limit = max(NEAR_TIE_SHARE, a["mip_gap"] + b["mip_gap"]) * cost
    return set(a["retired"]) != set(b["retired"]) and diff < limit, share


def pareto_steps(runs: Any) -> pd.DataFrame:
    """The steps between neighbouring points of a cost–CO2 front (runs by label, or (label,
    run) pairs, each with a ``summary``), one row per point, sorted by CO2 from the most to
    the least (the front's own order, from the minimum-cost end).

    Columns (:data:`STEP_COLUMNS`): ``point``, ``objective_cny``, ``co2_t``, ``mip_gap``,
    ``retired`` (the point's retired sources); ``previous``, the neighbour with more CO2 (None
    for the first point); ``abatement_cny_per_t``, what each tonne of CO2 saved on the way
    from the previous point costs, (cost_b − cost_a) / (co2_a − co2_b) in CNY per tonne (NaN
    for the first point, or when the two emit the same); ``cost_difference_share``, the cost
    difference to the previous point as a share of the larger cost; ``near_tie_with``, the
    neighbours (previous or next) that retire a different set of sources at almost the same
    cost: a difference below :data:`NEAR_TIE_SHARE` of the cost, or below the sum of the two
    points' MIP gaps times the cost. Points without a cost are left out.
    """
    items = list(runs.items()) if hasattr(runs, "items") else list(runs)
    points = []
    for label, run in items:
        s = run.summary
        if s.get("objective_cny") is None:
            continue
        points.append(
            {
                "point": str(label),
                "objective_cny": float(s["objective_cny"]),
                "co2_t": float(s.get("co2_t") or 0.0),
                "mip_gap": float(s.get("mip_gap") or 0.0),
                "retired": [str(x) for x in s.get("retired") or []],
            }
        )
    points.sort(key=lambda p: -p["co2_t"])  # stable: file order among equal CO2
    for p in points:
        p.update(
            previous=None,
            abatement_cny_per_t=math.nan,
            cost_difference_share=math.nan,
            near_tie_with=[],
        )
    for a, b in itertools.pairwise(points):
        b["previous"] = a["point"]
        saved = a["co2_t"] - b["co2_t"]
        if saved > 1e-9 * max(abs(a["co2_t"]), 1.0):
            b["abatement_cny_per_t"] = (b["objective_cny"] - a["objective_cny"]) / saved
        tie, share = _near_tie(a, b)
        b["cost_difference_share"] = share
        if tie:
            a["near_tie_with"].append(b["point"])
            b["near_tie_with"].append(a["point"])
    for p in points:
        p["near_tie_with"].sort(key=[q["point"] for q in points].index)
    return pd.DataFrame(points, columns=list(STEP_COLUMNS))


__all__ = [
    "NEAR_TIE_SHARE",
    "NEVER",
    "PATHWAY_COLUMNS",
    "PathwayDiff",
    "Plan",
    "PlanDiff",
    "change_years",
    "check_comparable",
    "compare_table",
    "decided_items",
    "decision_columns",
    "diff_plans",
    "find_plan",
    "format_compare",
    "format_diff",
    "format_pathway_diff",
    "has_security",
    "input_differences",
    "last_season",
    "load_plans",
    "pareto_steps",
    "pathway_diff",
    "pathway_figures",
    "plan_decision",
    "present_costs",
    "season_table",
    "security_figures",
    "text_table",
    "timing_differences",
]
