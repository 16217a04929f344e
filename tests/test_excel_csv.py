"""Result CSVs that Excel opens correctly and that carry no solver noise (user-trial findings 7, 8).

Excel on Chinese Windows reads a CSV without a byte-order mark in the local code page (GBK), so
Chinese names become mojibake: every CSV heatnet writes starts with the UTF-8 BOM, and heatnet
reads them back. Result tables carry no solver noise (``2249.9999999999995``, ``-5.4e-12``) and
spell booleans one way, ``true``/``false``, as the input format does.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import heatnet
from heatnet import results
from heatnet.io import write_csv_atomic
from heatnet.storage import read_study, write_index
from tests.helpers import two_node

BOM = b"\xef\xbb\xbf"


def _noisy_network(folder: Path) -> Path:
    """A two-node network whose exact figures (61.7 MW through a 0.97-efficient pipe, 50.1
    CNY/MWh) come out of the solver and of numpy as 50.099999999999994, 783.6517000000001."""
    return two_node(
        folder,
        nodes=[{"id": "A", "name": "信源电厂"}, {"id": "B", "name": "Town"}],
        pipes=[
            {
                "id": "P1",
                "from_node": "A",
                "to_node": "B",
                "length_km": 7,
                "capacity_mw": 80,
                "status": "existing",
                "loss_fraction_per_km": 0.003,
                "pumping_cost_cny_per_mwh": 1.3,
            }
        ],
        demands=[{"id": "D1", "node": "B", "design_load_mw": 61.7, "profile": "heat"}],
        profiles=[
            {"period": "t1", "weight_h": 10, "heat": 1.0},
            {"period": "t2", "weight_h": 7.3, "heat": 0.37},
        ],
        sources=[
            {
                "id": "信源电厂",
                "node": "A",
                "technology": "chp",
                "capacity_mw": 100,
                "status": "existing",
                "variable_cost_cny_per_mwh": 50.1,
                "co2_t_per_mwh": 0.27,
            },
            {
                "id": "S2",
                "node": "A",
                "technology": "coal_boiler",
                "capacity_mw": 100,
                "status": "retired",
                "variable_cost_cny_per_mwh": 80,
                "retirement_cost_cny": 1000,
            },
        ],
    )


@pytest.fixture(scope="module")
def noisy_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[heatnet.Run, Path]:
    root = tmp_path_factory.mktemp("excel")
    run = heatnet.solve(_noisy_network(root / "net"))
    return run, run.write(root / "results", name="r")


def _cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))


# --- finding 7: UTF-8 with BOM ----------------------------------------------------------------


def test_every_csv_of_a_run_folder_starts_with_the_utf8_bom(
    noisy_run: tuple[heatnet.Run, Path],
) -> None:
    _, folder = noisy_run
    files = sorted(folder.glob("*.csv")) + sorted((folder / "inputs").glob("*.csv"))
    assert len(files) >= 11
    for f in files:
        assert f.read_bytes().startswith(BOM), f"{f.relative_to(folder)} has no BOM"
    # the BOM makes the Chinese readable in Excel; the text itself is plain UTF-8
    assert "信源电厂" in (folder / "sources.csv").read_bytes()[3:].decode("utf-8")


def test_write_csv_atomic_writes_a_bom_once(tmp_path: Path) -> None:
    write_csv_atomic(pd.DataFrame({"id": ["信源电厂"], "x": [1.5]}), tmp_path / "t.csv")
    data = (tmp_path / "t.csv").read_bytes()
    assert data == BOM + "id,x\n信源电厂,1.5\n".encode()


def test_a_written_run_reads_back_with_id_as_index(noisy_run: tuple[heatnet.Run, Path]) -> None:
    run, folder = noisy_run
    stored = heatnet.read_run(folder)
    for key in ("sources", "pipes"):
        df = stored.tables[key]
        assert df.index.name == "id"
        assert not any(str(c).startswith("\ufeff") for c in df.columns)
    assert "信源电厂" in stored.tables["sources"].index
    for key in ("dispatch", "flows", "nodes", "prices", "periods"):
        assert stored.tables[key].columns[0] == "t", key
    # the copied inputs (network loader, BOM accepted) give the same network
    assert list(stored.network.nodes.index) == ["A", "B"]
    assert stored.network.nodes.loc["A", "name"] == "信源电厂"
    assert stored.summary["input_hash"] == run.summary["input_hash"]
    assert stored.tables["sources"]["in_service"].dtype == bool


def test_a_study_index_with_a_bom_reads_back(
    noisy_run: tuple[heatnet.Run, Path], tmp_path: Path
) -> None:
    run, _ = noisy_run
    study = tmp_path / "study"
    run.write(study, name="基准")
    write_index(
        study,
        [
            {
                "scenario": "基准",
                "folder": "基准",
                "status": "optimal",
                "objective_cny": run.summary["objective_cny"],
                "co2_t": run.summary["co2_t"],
            }
        ],
    )
    assert (study / "index.csv").read_bytes().startswith(BOM)
    back = read_study(study)
    assert back.index is not None
    assert back.index.columns[0] == "scenario"
    assert list(back.runs) == ["基准"]


# --- finding 8: no solver noise, one boolean spelling -----------------------------------------


def test_clean_table_removes_the_noise_the_trial_saw() -> None:
    df = pd.DataFrame(
        {
            "id": ["S1", "S2", "S3"],
            "capacity_mw": [2249.9999999999995, 50.0, 100.0],
            "heat_mwh": [-5.456968e-12, 1234.5678, 0.0],
            "total_cost_cny": [1.2e8, -9.0e-10, 3.3e6],
            "in_service": [True, False, True],
        }
    )
    out = results.clean_table(df)
    assert out["capacity_mw"].to_list() == [2250.0, 50.0, 100.0]
    assert out["heat_mwh"].to_list() == [0.0, 1234.5678, 0.0]
    assert not np.signbit(out["heat_mwh"]).any()  # no -0.0 in the CSV either
    assert out["total_cost_cny"].to_list() == [1.2e8, 0.0, 3.3e6]
    assert out["in_service"].to_list() == [True, False, True]
    assert df["capacity_mw"].iloc[0] == 2249.9999999999995  # the input is not changed
    # ten significant digits: a planner's figures keep every digit they show
    big = results.clean_table(pd.DataFrame({"x_cny": [123456789.1234, 12345678906.0, 1e9 + 6]}))
    assert big["x_cny"].to_list() == [123456789.1, 12345678910.0, 1e9 + 6]
    small = results.clean_values(np.array([0.000123456789123, 0.1 + 0.2, 0.5]))
    assert small.tolist() == [0.0001234567891, 0.3, 0.5]
    # the relative rule: a billionth of the column's largest figure is noise, more is not
    assert results.clean_values(np.array([1e6, 9e-4, 2e-3])).tolist() == [1e6, 0.0, 2e-3]
    # NaN (not applicable) stays NaN; ints and text are left alone
    nan = results.clean_table(pd.DataFrame({"a_mw": [np.nan, 1.0], "t": [0, 1], "s": ["x", "y"]}))
    assert math.isnan(nan["a_mw"].iloc[0])
    assert nan["t"].dtype == np.int64


def test_solve_tables_carry_no_float_noise(noisy_run: tuple[heatnet.Run, Path]) -> None:
    run, folder = noisy_run
    prices = run.tables["prices"].set_index(["t", "node"])["price_cny_per_mwh"]
    assert prices[(0, "A")] == 50.1  # raw: 50.099999999999994
    assert run.tables["pipes"].loc["P1", "heat_delivered_mwh"] == 783.6517  # 783.6517000000001
    text = "".join(f.read_text("utf-8-sig") for f in folder.glob("*.csv"))
    assert "50.099999999999994" not in text
    assert "783.6517000000001" not in text
    for f in folder.glob("*.csv"):
        for row in _cells(f)[1:]:
            for cell in row:
                try:
                    x = float(cell)
                except ValueError:
                    continue
                assert x == 0 or abs(x) >= 1e-6, f"{f.name}: noise {cell}"
                assert len(cell.lstrip("-").replace(".", "").strip("0")) <= 10 or "e" in cell, (
                    f"{f.name}: {cell} has more than 10 significant digits"
                )


def test_summary_totals_still_add_up_to_the_objective(
    noisy_run: tuple[heatnet.Run, Path],
) -> None:
    run, _ = noisy_run
    s = run.summary
    assert s["cost_breakdown_cny"]["total_cny"] == pytest.approx(s["objective_cny"], rel=1e-7)
    assert run.tables["sources"]["total_cost_cny"].sum() + run.tables["pipes"][
        "pumping_cost_cny"
    ].sum() == pytest.approx(s["objective_cny"], rel=1e-7)


def test_every_csv_spells_booleans_true_false(noisy_run: tuple[heatnet.Run, Path]) -> None:
    _, folder = noisy_run
    files = sorted(folder.glob("*.csv")) + sorted((folder / "inputs").glob("*.csv"))
    seen = set()
    for f in files:
        for row in _cells(f)[1:]:
            seen.update(c for c in row if c.lower() in ("true", "false"))
    assert seen
    assert seen <= {"true", "false"}, seen
    header, *rows = _cells(folder / "sources.csv")
    assert {r[header.index("in_service")] for r in rows} == {"true", "false"}
