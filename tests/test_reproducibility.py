"""Reproducibility (issue #7.5): the same inputs and options give the same decisions, objective
and result tables; the summary records an input hash, the options and package versions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.storage import input_hash
from tests.helpers import write_network

# differ between two runs of the same plan; everything else in summary.json must not
VOLATILE = ("timings_s", "peak_rss_mb", "name")


def decision_network(folder: Path) -> Path:
    """Retire-or-keep coal, build-or-not a pipe and a heat pump: a plan with real decisions.

    The coal plant is cheap to run but carbon-priced; waste heat at W reaches the town only
    through a candidate pipe; a candidate heat pump follows an availability profile.
    """
    return write_network(
        folder,
        nodes=[{"id": n, "name": n} for n in ("A", "B", "W", "H")],
        sources=[
            {
                "id": "CHP",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 60,
                "status": "existing",
                "variable_cost_cny_per_mwh": 180,
                "co2_t_per_mwh": 0.2,
            },
            {
                "id": "COAL",
                "node": "B",
                "technology": "coal_boiler",
                "capacity_mw": 40,
                "status": "retirable",
                "variable_cost_cny_per_mwh": 90,
                "co2_t_per_mwh": 0.9,
                "fixed_cost_cny_per_year": 3000,
                "retirement_cost_cny": 20000,
            },
            {
                "id": "WASTE",
                "node": "W",
                "technology": "waste_heat",
                "capacity_mw": 15,
                "status": "existing",
                "variable_cost_cny_per_mwh": 5,
            },
            {
                "id": "HP",
                "node": "H",
                "technology": "heat_pump",
                "capacity_mw": 20,
                "status": "candidate",
                "variable_cost_cny_per_mwh": 120,
                "capex_cny": 50000,
                "lifetime_years": 20,
                "availability": "hp",
            },
        ],
        pipes=[
            {
                "id": "PA",
                "from_node": "A",
                "to_node": "B",
                "length_km": 8,
                "capacity_mw": 60,
                "status": "existing",
                "loss_fraction_per_km": 0.001,
            },
            {
                "id": "PW",
                "from_node": "W",
                "to_node": "B",
                "length_km": 4,
                "capacity_mw": 20,
                "status": "candidate",
                "capex_cny": 80000,
                "lifetime_years": 30,
                "loss_fraction_per_km": 0.002,
            },
            {
                "id": "PH",
                "from_node": "H",
                "to_node": "B",
                "length_km": 2,
                "capacity_mw": 20,
                "status": "candidate",
                "capex_cny": 30000,
                "lifetime_years": 30,
            },
        ],
        demands=[{"id": "TOWN", "node": "B", "design_load_mw": 70, "profile": "heat"}],
        profiles=[
            {"period": "cold", "weight_h": 500, "heat": 1.0, "hp": 0.6},
            {"period": "mid", "weight_h": 1500, "heat": 0.6, "hp": 0.9},
            {"period": "mild", "weight_h": 1000, "heat": 0.3, "hp": 1.0},
        ],
        economics={"carbon_price_cny_per_t": 80, "discount_rate": 0.05},
        name="repro",
    )


def solve_cli(folder: Path, out: Path, name: str) -> Path:
    result = CliRunner().invoke(
        cli, ["solve", str(folder), "--out", str(out), "--name", name], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out / name


def stable(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in VOLATILE}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("repro")
    net = decision_network(root / "net")
    return net, solve_cli(net, root / "results", "r1"), solve_cli(net, root / "results", "r2")


def test_the_plan_has_decisions(two_runs: tuple[Path, Path, Path]) -> None:
    summary = json.loads((two_runs[1] / "summary.json").read_text(encoding="utf-8"))
    assert summary["optimal"]
    decided = summary["retired"] + summary["kept"] + summary["built_pipes"]
    decided += summary["built_sources"] + summary["not_built_pipes"]
    decided += summary["not_built_sources"]
    assert sorted(decided) == ["COAL", "HP", "PH", "PW"]


def test_same_inputs_give_identical_tables(two_runs: tuple[Path, Path, Path]) -> None:
    _, a, b = two_runs
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    tables = [f for f in files_a if f.suffix in (".csv", ".yaml")]
    assert {"sources.csv", "pipes.csv", "dispatch.csv", "flows.csv"} <= {f.name for f in tables}
    for f in tables:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f"{f} differs between runs"


def test_same_inputs_give_the_same_summary(two_runs: tuple[Path, Path, Path]) -> None:
    _, a, b = two_runs
    sa = json.loads((a / "summary.json").read_text(encoding="utf-8"))
    sb = json.loads((b / "summary.json").read_text(encoding="utf-8"))
    assert (sa["name"], sb["name"]) == ("r1", "r2")
    assert stable(sa) == stable(sb)
    assert set(sa) - set(stable(sa)) == set(VOLATILE)


def test_summary_records_hash_options_and_versions(two_runs: tuple[Path, Path, Path]) -> None:
    net, a, _ = two_runs
    s = json.loads((a / "summary.json").read_text(encoding="utf-8"))
    assert len(s["input_hash"]) == 64
    assert s["input_hash"] == input_hash(heatnet.load_network(net))
    assert s["options"]["mip_gap"] == pytest.approx(1e-4)
    assert {"allow_unserved", "heat_prices", "time_limit_s", "threads"} <= set(s["options"])
    assert s["economics"]["carbon_price_cny_per_t"] == 80
    for pkg in ("python", "heatnet", "highspy", "pyomo", "pandas", "numpy"):
        assert s["versions"][pkg] not in ("", "not installed"), pkg
    # the inputs that were solved are stored and give the same hash
    assert input_hash(heatnet.load_network(a / "inputs")) == s["input_hash"]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("sources.csv", "COAL,B,coal_boiler,40,", "COAL,B,coal_boiler,41,"),
        ("profiles.csv", "mild,1000,0.3,", "mild,1000,0.31,"),
        ("pipes.csv", "PH,H,B,2,", "PH,H,B,2.5,"),
        ("network.yaml", "carbon_price_cny_per_t: 80", "carbon_price_cny_per_t: 81"),
    ],
    ids=["source-capacity", "profile-value", "pipe-length", "carbon-price"],
)
def test_one_changed_cell_changes_the_hash(
    two_runs: tuple[Path, Path, Path], tmp_path: Path, file: str, old: str, new: str
) -> None:
    net, a, _ = two_runs
    copy = shutil.copytree(net, tmp_path / "net")
    text = (copy / file).read_text(encoding="utf-8")
    assert old in text
    (copy / file).write_text(text.replace(old, new), encoding="utf-8")
    stored = json.loads((a / "summary.json").read_text(encoding="utf-8"))["input_hash"]
    assert input_hash(heatnet.load_network(copy)) != stored


def test_the_hash_is_of_values_not_bytes(two_runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Saving the same network again from Excel (BOM, CRLF, 40 written as 40.0) keeps the hash."""
    net, a, _ = two_runs
    copy = shutil.copytree(net, tmp_path / "net")
    for path in copy.glob("*.csv"):
        content = path.read_text(encoding="utf-8").replace(",40,", ",40.0,")
        path.write_bytes(b"\xef\xbb\xbf" + content.replace("\n", "\r\n").encode("utf-8"))
    stored = json.loads((a / "summary.json").read_text(encoding="utf-8"))["input_hash"]
    assert input_hash(heatnet.load_network(copy)) == stored


def test_python_solve_twice_gives_the_same_plan(two_runs: tuple[Path, Path, Path]) -> None:
    net = heatnet.load_network(two_runs[0])
    runs = [heatnet.solve(net, heatnet.SolveOptions()) for _ in range(2)]
    first, second = runs
    assert first.is_optimal
    assert second.is_optimal
    assert first.result.objective_cny == second.result.objective_cny
    for key in (
        "retired",
        "kept",
        "built_pipes",
        "built_sources",
        "not_built_pipes",
        "not_built_sources",
    ):
        assert first.summary[key] == second.summary[key], key
    assert first.tables.keys() == second.tables.keys()
    for key, df in first.tables.items():
        pd.testing.assert_frame_equal(df, second.tables[key], check_exact=True, obj=key)
    # and the same plan as the command line's
    cli_summary = json.loads((two_runs[1] / "summary.json").read_text(encoding="utf-8"))
    assert first.result.objective_cny == cli_summary["objective_cny"]
    assert first.summary["input_hash"] == cli_summary["input_hash"]
