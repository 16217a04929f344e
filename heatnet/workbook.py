"""Runs and studies as Excel workbooks (``heatnet export FOLDER --format xlsx``; docs/excel.md).

A run's workbook has a ``summary`` sheet (the KPIs with their units, the cost breakdown, and
the decision on every source and pipe with a choice) and one sheet per result table, as the
run folder holds it; a pathway run's (spec v1.1 §4) adds a ``seasons`` sheet (the summary's
figures season by season), its tables keep their ``year`` column and ``timeline`` is a sheet
of its own, and its decisions are those of the last season. A study's workbook has a
``summary`` sheet and one sheet per table of ``heatnet compare``: ``kpis`` (one row per plan)
and ``decisions`` (one row per retirable source or candidate, one column per plan), then the
study's ``index`` and, for a Pareto study, ``pareto``.

Every table sheet has a frozen header, an autofilter, and number formats chosen by the
column's unit suffix (:func:`number_format`); the cells hold the raw numbers of the CSV files,
so that sums and charts in Excel work on them. The workbook is written with openpyxl in
write-only mode (large hourly tables stream to disk) and atomically.

This is presentation: it reads run and study folders only (:mod:`heatnet.storage`,
:mod:`heatnet.compare`), never the model.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from heatnet.compare import compare_table, decision_columns, load_plans
from heatnet.errors import HeatnetError, InputError, Problem
from heatnet.excel import save_workbook_atomic
from heatnet.schema import DECISIONS
from heatnet.storage import (
    TABLE_FILES,
    is_run,
    is_study,
    pathway_years,
    read_run,
    read_study,
    year_tables,
)

EXPORT_FILE = "export.xlsx"
"""Default name of the workbook, written into the run or study folder."""
MAX_ROWS = 1_048_576
"""Excel's rows per sheet."""

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=13)

FORMAT_MONEY = "#,##0"
FORMAT_ENERGY = "#,##0.0"
FORMAT_SHARE = "0.0%"
FORMAT_GAP = "0.00%"
FORMAT_TONNES = "#,##0"
FORMAT_PRICE = "#,##0.00"
FORMAT_INTENSITY = "0.000"
FORMAT_SMALL = "0.00E+00"
FORMAT_HOURS = "#,##0.##"
FORMAT_SECONDS = "#,##0.00"
FORMAT_YEARS = "0"
FORMAT_DEGREES = "0.0000"
FORMAT_RATE = "0.0%"

SHARE_NAMES = {"utilisation", "capacity_factor", "discount_rate", "mip_gap", "design_gap"}


def number_format(column: str) -> str | None:
    """The Excel number format of a numeric column, from its unit suffix (None: General).

    ``_cny`` → ``#,##0``; ``_mw``, ``_mwh``, ``_km`` → ``#,##0.0``; shares, utilisation,
    capacity factors and rates → ``0.0%`` (gaps ``0.00%``); ``_t`` → ``#,##0``;
    ``_cny_per_…`` → ``#,##0.00``; ``_t_per_…`` → ``0.000``; ``_fraction_per_…`` →
    ``0.00E+00``; ``_h`` → ``#,##0.##``; ``_s`` → ``#,##0.00``; ``_years`` → ``0``; ``lat``,
    ``lon`` → ``0.0000``.
    """
    name = column.rsplit(".", 1)[-1].lower()
    if name.endswith("_gap") or name in ("mip_gap", "gap", "design_gap"):
        return FORMAT_GAP
    if name.endswith(("_share", "_rate")) or name in SHARE_NAMES:
        return FORMAT_SHARE
    if name.endswith("_cny_per_year"):
        return FORMAT_MONEY
    if "_fraction_per_" in name:
        return FORMAT_SMALL
    if "_cny_per_" in name:
        return FORMAT_PRICE
    if "_t_per_" in name:
        return FORMAT_INTENSITY
    if "_per_" in name:
        return FORMAT_PRICE
    if name.endswith("_cny"):
        return FORMAT_MONEY
    if name.endswith(("_mw", "_mwh", "_km")):
        return FORMAT_ENERGY
    if name.endswith("_t"):
        return FORMAT_TONNES
    if name.endswith("_h") or name == "season_hours":
        return FORMAT_HOURS
    if name.endswith("_s"):
        return FORMAT_SECONDS
    if name.endswith(("_years", "_year")):
        return FORMAT_YEARS
    if name in ("lat", "lon"):
        return FORMAT_DEGREES
    return None


def unit_of(key: str) -> str:
    """The unit of a summary key, in words (``CNY/year``, ``MWh``, ``tCO2``, ``share`` …)."""
    name = key.rsplit(".", 1)[-1].lower()
    if name.endswith("_gap") or name in ("mip_gap", "gap"):
        return "share"
    if name.endswith("_share"):
        return "share of produced heat"
    if name in ("objective_cny", "bound_cny") or key.startswith("cost_breakdown_cny"):
        return "CNY/year"
    if name.endswith("_cny"):
        return "CNY"
    if name.endswith("_mwh"):
        return "MWh/season"
    if name.endswith("_mw"):
        return "MW"
    if name.endswith("_t"):
        return "tCO2/season"
    if name == "season_hours" or name.endswith("_h"):
        return "h"
    if name.endswith("_s"):
        return "s"
    if name.endswith("_mb"):
        return "MB"
    return ""


# --------------------------------------------------------------------------------------------
# cells


def _plain(value: object) -> object:
    """A value openpyxl can store: numpy scalars as Python, NaN as an empty cell, lists as
    text."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _cell(ws: Any, value: object, fmt: str | None = None, *, header: bool = False) -> Any:
    """A write-only cell: text starting with ``=`` stays text, numbers get ``fmt``."""
    value = _plain(value)
    cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if header:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    elif fmt and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = fmt
    return cell


def _width(name: str, values: Iterable[object]) -> float:
    longest = len(str(name))
    for i, v in enumerate(values):
        if i >= 300:
            break
        v = _plain(v)
        n = len(f"{v:,.1f}") if isinstance(v, float) else len(str(v)) if v is not None else 0
        longest = max(longest, n)
    return float(min(max(longest + 2, 8), 50))


def write_table(wb: Workbook, title: str, df: pd.DataFrame) -> None:
    """A table as a sheet: header row frozen (and the first column when it is ``id``),
    autofilter over the table, number formats by unit suffix, widths from the contents."""
    if len(df) + 1 > MAX_ROWS:
        raise HeatnetError(
            f"table {title!r} has {len(df):,} rows, more than an Excel sheet holds "
            f"({MAX_ROWS - 1:,}); use the CSV file of the run folder"
        )
    ws = wb.create_sheet(title[:31])
    columns = [str(c) for c in df.columns]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]
    formats = [number_format(c) if num else None for c, num in zip(columns, numeric, strict=True)]
    for j, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = _width(name, df.iloc[:, j - 1])
    if columns:
        ws.freeze_panes = "B2" if columns[0] in ("id", "scenario", "item") else "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(df) + 1, 1)}"
    ws.append([_cell(ws, c, header=True) for c in columns])
    for row in df.itertuples(index=False, name=None):
        ws.append([_cell(ws, v, f) for v, f in zip(row, formats, strict=True)])


def _key_value_block(
    ws: Any, title: str, rows: Sequence[tuple[str, object, str, str]], header: Sequence[str]
) -> None:
    ws.append([])
    ws.append([WriteOnlyCell(ws, value=title)])
    ws.append([_cell(ws, h, header=True) for h in header])
    for key, value, unit, meaning in rows:
        ws.append([_cell(ws, key), _cell(ws, value, number_format(key)), unit, meaning])


# --------------------------------------------------------------------------------------------
# runs


RUN_KPIS: tuple[tuple[str, str], ...] = (
    ("objective_cny", "annual cost of the plan"),
    ("bound_cny", "best proven lower bound on the cost"),
    ("mip_gap", "relative gap between cost and bound"),
    ("heat_demand_mwh", "heat demand over the season"),
    ("heat_served_mwh", "heat delivered"),
    ("unserved_mwh", "heat not delivered"),
    ("heat_produced_mwh", "heat produced by the sources"),
    ("losses_mwh", "heat lost in the pipes"),
    ("co2_t", "emissions over the season"),
    ("waste_heat_share", "share of produced heat from waste heat"),
    ("coal_share", "share of produced heat from coal"),
    ("chp_share", "share of produced heat from CHP"),
    ("periods_short_of_heat", "periods with unserved heat"),
    ("periods", "periods in the profiles"),
    ("season_hours", "hours the periods cover"),
)
"""Summary keys shown as KPIs, with their meaning (units from the key's suffix)."""

RUN_FACTS = ("name", "network", "status", "optimal", "termination", "solve_mode", "typical_days")

PATHWAY_KPIS: dict[str, tuple[str, str]] = {
    "objective_cny": ("CNY, NPV over the seasons", "discounted cost of the pathway"),
    "bound_cny": ("CNY, NPV over the seasons", "best proven lower bound on the NPV"),
    "co2_t": ("tCO2, all seasons", "emissions summed over the seasons"),
}
"""Units and meanings of the summary keys that differ in a pathway run (spec v1.1 §4)."""


def seasons_table(summary: Mapping[str, Any]) -> pd.DataFrame:
    """A pathway run's ``pathway.per_year`` as a table, one row per season (lists as text, the
    cost breakdown as ``cost_breakdown_cny.<item>`` columns); empty for a one-season run."""
    rows = []
    for rec in (summary.get("pathway") or {}).get("per_year") or []:
        row = {k: v for k, v in rec.items() if k != "cost_breakdown_cny"}
        for k, v in (rec.get("cost_breakdown_cny") or {}).items():
            row[f"cost_breakdown_cny.{k}"] = v
        rows.append(row)
    return pd.DataFrame(rows)


def decisions_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per source and pipe with a decision other than ``existing``/``unavailable``:
    ``kind``, ``id``, ``name``, ``decision``, ``meaning``."""
    rows: list[dict[str, object]] = []
    for kind, key in (("source", "sources"), ("pipe", "pipes")):
        df = tables.get(key)
        if df is None or df.empty or "decision" not in df.columns:
            continue
        for ident, rec in df.iterrows():
            decision = str(rec["decision"])
            if decision in ("existing", "unavailable"):
                continue
            name = rec.get("name", "")
            rows.append(
                {
                    "kind": kind,
                    "id": str(ident),
                    "name": "" if pd.isna(name) else str(name),
                    "decision": decision,
                    "meaning": DECISIONS.get(decision, ""),
                }
            )
    return pd.DataFrame(rows, columns=["kind", "id", "name", "decision", "meaning"])


def run_workbook(folder: str | os.PathLike[str]) -> Workbook:
    """The workbook of a run folder (not saved)."""
    run = read_run(folder)
    summary: Mapping[str, Any] = run.summary
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("summary")
    for j, w in enumerate((30, 22, 22, 60), start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.append([WriteOnlyCell(ws, value=f"heatnet run {run.name}")])
    for key in RUN_FACTS:
        if key in summary:
            ws.append([_cell(ws, key), _cell(ws, summary.get(key))])
    years = pathway_years(run.tables)
    if years:
        block = summary.get("pathway") or {}
        ws.append([_cell(ws, "pathway"), _cell(ws, f"seasons {years[0]}–{years[-1]}")])
        for key in ("discount_rate", "co2_peak_year"):
            ws.append([_cell(ws, key), _cell(ws, block.get(key), number_format(key))])
    kpis = [
        (key, summary.get(key), unit_of(key), meaning)
        if not years or key not in PATHWAY_KPIS
        else (key, summary.get(key), *PATHWAY_KPIS[key])
        for key, meaning in RUN_KPIS
        if key in summary
    ]
    _key_value_block(ws, "KPIs", kpis, ("kpi", "value", "unit", "meaning"))
    costs = summary.get("cost_breakdown_cny") or {}
    if costs and not years:  # a pathway's costs are in the seasons sheet
        rows = [(f"cost_breakdown_cny.{k}", v, "CNY/year", "") for k, v in costs.items()]
        _key_value_block(ws, "Cost breakdown", rows, ("cost", "value", "unit", "meaning"))
    dec = decisions_table(year_tables(run.tables))  # a pathway run: its last season
    ws.append([])
    title = f"Decisions in the last season ({years[-1]})" if years else "Decisions"
    ws.append([WriteOnlyCell(ws, value=title)])
    ws.append([_cell(ws, h, header=True) for h in dec.columns])
    for row in dec.itertuples(index=False, name=None):
        ws.append([_cell(ws, v) for v in row])
    if not len(dec):
        ws.append(["no source or pipe with a decision"])
    if years:
        ws.append([])
        ws.append(
            [
                "sheets: seasons (the summary by season), timeline (the season of each "
                "decision; empty = never), the result tables with their year column"
            ]
        )
        write_table(wb, "seasons", seasons_table(summary))
    for key in TABLE_FILES:
        df = run.tables.get(key)
        if df is None:
            continue
        index = not isinstance(df.index, pd.RangeIndex)
        write_table(wb, key, df.reset_index() if index else df)
    return wb


# --------------------------------------------------------------------------------------------
# studies


def study_workbook(folder: str | os.PathLike[str]) -> Workbook:
    """The workbook of a study folder (not saved): the tables of ``heatnet compare``."""
    study = read_study(folder)
    plans = load_plans([folder])
    table = compare_table(plans)
    dec_cols = decision_columns(table)
    kpis = table[[c for c in table.columns if c not in dec_cols]]
    if dec_cols:
        decisions = table.set_index("scenario")[dec_cols].T
        decisions.index.name = "item"
        decisions.columns = [str(c) for c in decisions.columns]
        decisions = decisions.reset_index()
    else:
        decisions = pd.DataFrame({"item": pd.Series(dtype=object)})
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("summary")
    for j, w in enumerate((24, 60), start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.append([WriteOnlyCell(ws, value=f"heatnet study {study.name}")])
    facts: list[tuple[str, object]] = [
        ("study", study.name),
        ("kind", "pareto" if study.pareto is not None else "sweep"),
        ("plans", len(plans)),
        ("solved", sum(p.folder is not None for p in plans)),
        ("without a run", "; ".join(study.skipped)),
    ]
    for k in ("network", "created", "scenario_file", "started", "finished"):
        if k in study.meta:
            facts.append((k, study.meta[k]))
    for k, v in facts:
        ws.append([_cell(ws, k), _cell(ws, v)])
    ws.append([])
    ws.append(
        [
            "sheets: kpis (one row per plan), decisions (one row per retirable source or "
            "candidate, one column per plan), index"
            + (", pareto" if study.pareto is not None else "")
        ]
    )
    write_table(wb, "kpis", kpis)
    write_table(wb, "decisions", decisions)
    if study.index is not None:
        write_table(wb, "index", study.index)
    if study.pareto is not None:
        write_table(wb, "pareto", study.pareto)
    return wb


# --------------------------------------------------------------------------------------------
# entry point


def export_workbook(
    folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None
) -> Path:
    """Write a run or study folder as an Excel workbook (default ``<folder>/export.xlsx``,
    replaced if it exists) and return its path."""
    path = Path(folder)
    target = Path(out) if out is not None else path / EXPORT_FILE
    if target.suffix.lower() != ".xlsx":
        raise InputError(
            [
                Problem(
                    str(target),
                    "not an Excel workbook name",
                    expected="a file name ending in .xlsx",
                    found=repr(target.name),
                )
            ]
        )
    if is_run(path):
        wb = run_workbook(path)
    elif is_study(path):
        wb = study_workbook(path)
    else:
        raise InputError(
            [
                Problem(
                    str(path),
                    "not a run folder or a study folder",
                    expected="a folder with summary.json (heatnet solve) or index.csv "
                    "(heatnet sweep / pareto)",
                    found="neither" if path.exists() else "no such folder",
                )
            ],
            context="nothing exported",
        )
    save_workbook_atomic(wb, target)
    return target


__all__ = ["EXPORT_FILE", "export_workbook", "number_format", "run_workbook", "study_workbook"]
