"""Plans side by side, and what changed between two of them.

:func:`load_plans` reads run folders and study folders (a sweep's or a Pareto front's) as
:class:`Plan` records; :func:`compare_table` gives one row per plan with its KPIs and the
decision on every retirable source and every candidate; :func:`diff_plans` says what changed
between two plans: decisions, KPIs, and the inputs that differ (economics, table cells by id and
column, profiles), read from each run's ``inputs/`` folder.
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
    read_run,
    read_study,
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


def _plan_from_run(run: StoredRun, label: str) -> Plan:
    return Plan(
        label,
        run.folder,
        str(run.summary.get("status")),
        run.summary,
        run.tables.get("sources", pd.DataFrame()),
        run.tables.get("pipes", pd.DataFrame()),
        run.network,
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
its ``sources`` and its ``pipes`` result tables (indexed by id; None or empty if none)."""


def decided_items(plans: Iterable[PlanTables]) -> Decided:
    """Every retirable source, candidate and committed source or pipe of any plan, in
    first-seen order, with the networks in which it is one."""
    out: Decided = {}
    for network, sources, pipes in plans:
        for table, df, statuses in (
            ("sources", sources, (*DECISION_SOURCE_STATUSES, *BUILD_STATUSES)),
            ("pipes", pipes, BUILD_STATUSES),
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
    df = sources if table == "sources" else pipes
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


def compare_table(plans: Sequence[Plan]) -> pd.DataFrame:
    """One row per plan: ``scenario``, ``status``, the KPIs, the :data:`SECURITY_COLUMNS` when
    some plan has a security block, ``folder``, ``error``, then one column per retirable source
    and candidate (named by id; ``pipe:ID`` if a source has the same id) holding its decision:
    kept, retired, forced_kept, forced_retired, built, not_built, forced_built, existing or
    unavailable (:data:`heatnet.schema.DECISIONS`)."""
    cols = _decision_columns(plans)
    source_ids = {i for t, i in cols if t == "sources"}
    secure = has_security(plans)
    rows = []
    for p in plans:
        row: dict[str, Any] = {"scenario": p.label, "status": p.status}
        for k in KPI_COLUMNS:
            row[k] = p.summary.get(k)
        if secure:
            figures = security_figures(p.summary)
            for k in SECURITY_COLUMNS:
                row[k] = figures[k]
        row["folder"] = str(p.folder) if p.folder else ""
        row["error"] = p.error
        for table, ident in cols:
            name = f"pipe:{ident}" if table == "pipes" and ident in source_ids else ident
            row[name] = _decision(p, table, ident, cols)
        rows.append(row)
    return pd.DataFrame(rows)


def decision_columns(table: pd.DataFrame) -> list[str]:
    """The decision columns of a :func:`compare_table` result."""
    fixed = {"scenario", "status", "folder", "error", *KPI_COLUMNS, *SECURITY_COLUMNS}
    return [c for c in table.columns if c not in fixed]


# --------------------------------------------------------------------------------------------
# diff


@dataclass
class PlanDiff:
    """What changed from plan ``a`` to plan ``b``.

    Attributes:
        a, b: the two plans' labels.
        kpis: ``kpi``, ``a``, ``b``, ``delta`` (b - a) for every KPI and cost item.
        decisions: ``table``, ``id``, ``a``, ``b`` for every decision that differs.
        inputs: ``table``, ``id``, ``field``, ``a``, ``b`` for every input that differs
            (economics keys, table cells by id and column, rows present in one plan only,
            profiles).
    """

    a: str
    b: str
    kpis: pd.DataFrame
    decisions: pd.DataFrame
    inputs: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """All three parts as one table: ``section``, ``table``, ``id``, ``field``, ``a``,
        ``b``, ``delta`` (the CSV that ``heatnet compare --diff`` writes)."""
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


def input_differences(a: Network, b: Network) -> pd.DataFrame:
    """Inputs that differ between two networks: ``table``, ``id``, ``field``, ``a``, ``b``.

    Economics keys; every table cell by id and column (rows or columns present in one network
    only are listed too); profiles: the number of periods, then per profile column its
    weighted sum (full-load hours) when the values differ.
    """
    rows: list[dict[str, Any]] = []
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


def diff_plans(a: Plan, b: Plan) -> PlanDiff:
    """What changed from plan ``a`` to plan ``b``: KPIs, decisions and inputs."""
    kpi_rows = []
    for k in DIFF_KPIS:
        va, vb = a.summary.get(k), b.summary.get(k)
        kpi_rows.append({"kpi": k, "a": va, "b": vb, "delta": _delta(va, vb)})
    ca = a.summary.get("cost_breakdown_cny") or {}
    cb = b.summary.get("cost_breakdown_cny") or {}
    for k in dict.fromkeys([*ca, *cb]):
        if k == "total_cny":
            continue
        va, vb = ca.get(k), cb.get(k)
        kpi_rows.append({"kpi": f"cost.{k}", "a": va, "b": vb, "delta": _delta(va, vb)})
    if has_security([a, b]):
        sa, sb = security_figures(a.summary), security_figures(b.summary)
        for k in DIFF_SECURITY:
            va, vb = sa[k], sb[k]
            kpi_rows.append({"kpi": f"security.{k}", "a": va, "b": vb, "delta": _delta(va, vb)})
    kpis = pd.DataFrame(kpi_rows, columns=["kpi", "a", "b", "delta"])
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
    return PlanDiff(a.label, b.label, kpis, decisions, inputs)


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


def format_compare(table: pd.DataFrame) -> str:
    """The comparison as two readable blocks: KPIs by plan, then decisions (one row per
    retirable source or candidate, one column per plan)."""
    if table.empty:
        return "no plans"
    columns: dict[str, Any] = {"status": table["status"]}
    for key, label in (
        ("objective_cny", "cost"),
        ("co2_t", "CO2"),
        ("waste_heat_share", "waste heat"),
        ("unserved_mwh", "unserved"),
        ("mip_gap", "gap"),
    ):
        unit, cells = _fmt_num(key, list(table[key]))
        columns[f"{label} [{unit}]"] = cells
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
    lines = [kpi.to_string()]
    failed = table[table["error"].astype(str) != ""]
    for _, row in failed.iterrows():
        lines.append(f"  {row['scenario']}: {row['error']}")
    dec = decision_columns(table)
    if dec:
        block = table.set_index("scenario")[dec].T
        block.index.name = "decision"
        block.columns.name = None
        lines += ["", block.to_string()]
    return "\n".join(lines)


def format_diff(diff: PlanDiff) -> str:
    """What changed from ``a`` to ``b``, in words: KPIs that moved, decisions, inputs."""
    lines = [f"from {diff.a} to {diff.b}:"]
    k = diff.kpis
    moved = k[[not _same(a, b) for a, b in zip(k["a"], k["b"], strict=True)]]
    lines.append(f"KPIs that changed ({fmt.count(len(moved))}):")
    for _, r in moved.iterrows():
        lines.append(f"  {r['kpi']}: {fmt.change(str(r['kpi']), r['a'], r['b'])}")
    lines.append(f"decisions that changed ({fmt.count(len(diff.decisions))}):")
    for _, r in diff.decisions.iterrows():
        kind = "source" if r["table"] == "sources" else "pipe"
        lines.append(f"  {r['id']} ({kind}): {r['a'] or '-'} → {r['b'] or '-'}")
    lines.append(f"inputs that differ ({fmt.count(len(diff.inputs))}):")
    for _, r in diff.inputs.iterrows():
        where = r["table"] + (f" {r['id']}" if r["id"] else "")
        lines.append(f"  {where} {r['field']}: {_fmt_any(r['a'])} → {_fmt_any(r['b'])}")
    return "\n".join(lines)


def _fmt_any(v: object) -> str:
    """An input value as the file has it (no unit scaling), readable: ``8,760``, ``0.35``."""
    if _missing(v):
        return fmt.MISSING
    return fmt.plain(_plain(v))


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
    "Plan",
    "PlanDiff",
    "compare_table",
    "decided_items",
    "decision_columns",
    "diff_plans",
    "find_plan",
    "format_compare",
    "format_diff",
    "has_security",
    "input_differences",
    "load_plans",
    "pareto_steps",
    "plan_decision",
    "security_figures",
]
