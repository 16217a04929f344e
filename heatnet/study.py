"""The study folder contract shared by sweeps, Pareto fronts, comparisons and reports.

A study folder ``results/<study>/`` holds one run folder per scenario (or Pareto point),
``index.csv`` (one row per scenario), ``study.json`` (how it was made) and, for a Pareto study,
``pareto.csv`` (one row per point). Readers rely only on the leading "contract" columns.
"""

from __future__ import annotations

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
)
"""Columns of ``pareto.csv``; the first seven are the contract."""

PARETO_REQUIRED: tuple[str, ...] = PARETO_COLUMNS[:7]
"""What a reader needs from ``pareto.csv``."""
