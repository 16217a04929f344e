"""``heatnet explain``: every decision of a run flipped, one solve each, against hand-worked
optima; the command end to end; Dask; the report section.

``two_coal`` — one node B, demand 10 MW for 10 h = 100 MWh, carbon price 0, no pipes:

    CHP    existing,  150 CNY/MWh, 0 tCO2/MWh, fixed 188,000 CNY/yr (a constant)
    COAL_A retirable, 5 MW, 100 CNY/MWh, 1 tCO2/MWh, fixed 2,000 CNY/yr, no retirement cost
    COAL_B retirable, 5 MW, 100 CNY/MWh, 1 tCO2/MWh, fixed 0

Keeping a coal point saves (150 − 100) × 50 MWh = 2,500 CNY of CHP heat, less its fixed cost:
COAL_A is worth 500 CNY/yr, COAL_B 2,500.

* run: both kept, 188,000 + 2,000 + 100 × 100 = 200,000 CNY/yr, CO2 100 t.
* COAL_A retired: 188,000 + 50 × 100 (COAL_B) + 50 × 150 (CHP) = 200,500 → Δcost +500
  (0.25 % < 0.5 %: a near tie), ΔCO2 −50 t, 10 CNY per tonne avoided.
* COAL_B retired: 188,000 + 2,000 + 5,000 + 7,500 = 202,500 → Δcost +2,500 (1.25 %: not a
  near tie), ΔCO2 −50 t, 50 CNY/t.

With the CHP at 4 MW and unserved heat not allowed, the plan is the same, and either
retirement leaves 5 + 4 = 9 MW for a 10 MW demand: both flips are infeasible.

``retire_net`` (tests/scenario_nets.py, carbon price 0): 8,500 CNY/yr, COAL kept, PW built.
COAL retired: 11,600 (+3,100, CO2 70 → 0 t: 3,100 / 70 = 44.29 CNY/t); PW not built:
500 + 100 × 100 = 10,500 (+2,000, CO2 +30 t). Near-tie margin 0.5 % × 8,500 = 42.5: neither.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.explain import EXPLAIN_COLUMNS, EXPLAIN_FILE, explain_run, read_explain
from heatnet.report import run_report_html
from tests.helpers import nodes, write_network
from tests.scenario_nets import retire_net


def two_coal(folder: Path, chp_mw: float = 50) -> Path:
    """The two-coal network of the module docstring."""
    coal = {
        "node": "B",
        "technology": "coal_boiler",
        "capacity_mw": 5,
        "status": "retirable",
        "variable_cost_cny_per_mwh": 100,
        "co2_t_per_mwh": 1.0,
    }
    return write_network(
        folder,
        nodes=nodes("B"),
        sources=[
            {
                "id": "CHP",
                "node": "B",
                "technology": "chp",
                "capacity_mw": chp_mw,
                "status": "existing",
                "variable_cost_cny_per_mwh": 150,
                "fixed_cost_cny_per_year": 188_000,
            },
            {"id": "COAL_A", "name": "煤 A", **coal, "fixed_cost_cny_per_year": 2_000},
            {"id": "COAL_B", **coal, "fixed_cost_cny_per_year": 0},
        ],
        pipes=[],
        demands=[{"id": "D", "node": "B", "design_load_mw": 10, "profile": "h"}],
        profiles=[{"period": "p1", "weight_h": 10, "h": 1.0}],
        economics={"discount_rate": 0.0, "carbon_price_cny_per_t": 0.0},
        name="two_coal",
    )


def solved(net_dir: Path, out: Path, options: heatnet.SolveOptions | None = None) -> Path:
    run = heatnet.solve(heatnet.load_network(net_dir), options or heatnet.SolveOptions())
    assert run.is_optimal
    return run.write(out, name="run")


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def two_coal_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("explain")
    return solved(two_coal(root / "net"), root / "results")


def check_two_coal(table: pd.DataFrame) -> None:
    """The hand-worked flips of the module docstring."""
    assert list(table["id"]) == ["COAL_A", "COAL_B"]  # sorted by Δcost
    t = table.set_index("id")
    assert set(t["kind"]) == {"keep_source"}
    assert set(t["decision"]) == {"kept"}
    assert set(t["flipped_to"]) == {"retired"}
    assert set(t["status"]) == {"optimal"}
    assert t.loc["COAL_A", "name"] == "煤 A"
    assert t["objective_cny"].tolist() == pytest.approx([200_500, 202_500], rel=1e-7)
    assert t["delta_cost_cny"].tolist() == pytest.approx([500, 2_500], abs=1e-3)
    assert t["delta_cost_share"].tolist() == pytest.approx([0.0025, 0.0125], abs=1e-9)
    assert t["delta_co2_t"].tolist() == pytest.approx([-50, -50], abs=1e-6)
    assert t["cny_per_t_avoided"].tolist() == pytest.approx([10, 50], abs=1e-6)
    assert t["near_tie"].tolist() == [True, False]
    assert t["near_tie_limit_cny"].tolist() == pytest.approx([1_000, 1_000], rel=1e-6)


def test_flips_match_the_hand_worked_optima(two_coal_run: Path) -> None:
    before = digests(two_coal_run)
    run = heatnet.read_run(two_coal_run)
    assert run.summary["objective_cny"] == pytest.approx(200_000, rel=1e-9)
    assert sorted(run.summary["kept"]) == ["COAL_A", "COAL_B"]
    ex = explain_run(two_coal_run, jobs=1)
    assert ex.path == two_coal_run / EXPLAIN_FILE
    assert ex.objective_cny == pytest.approx(200_000, rel=1e-9)
    assert ex.near_tie_share == 0.005
    check_two_coal(ex.table)
    assert ex.not_answered.empty
    # explain.csv is the table, read back; no other file of the run changed
    back = read_explain(two_coal_run)
    assert back is not None
    assert list(back.columns) == list(EXPLAIN_COLUMNS)
    check_two_coal(back)
    after = digests(two_coal_run)
    assert after.pop(EXPLAIN_FILE)
    assert after == before


def test_an_infeasible_flip_is_reported_as_such(tmp_path: Path) -> None:
    folder = solved(
        two_coal(tmp_path / "net", chp_mw=4),
        tmp_path / "results",
        heatnet.SolveOptions(allow_unserved=False),
    )
    ex = explain_run(folder, jobs=1)
    t = ex.table.set_index("id")
    assert list(t["status"]) == ["infeasible", "infeasible"]
    assert t["delta_cost_cny"].isna().all()
    assert not t["near_tie"].any()
    assert ex.not_answered.empty  # infeasible is an answer
    assert "infeasible" in run_report_html(heatnet.read_run(folder))


def test_explain_command_end_to_end(tmp_path: Path) -> None:
    net = retire_net(tmp_path / "net")
    out = tmp_path / "results"
    runner = CliRunner()
    solved_ = runner.invoke(cli, ["solve", str(net), "--out", str(out), "--name", "r"])
    assert solved_.exit_code == 0, solved_.output
    run_dir = out / "r"
    assert "How firm" not in run_report_html(heatnet.read_run(run_dir))
    result = runner.invoke(cli, ["explain", str(run_dir), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("decision"))
    assert "Δcost [M CNY/yr]" in lines[first]
    # sorted by Δcost: PW (+2,000 CNY = +0.002 M CNY) before COAL (+3,100)
    assert lines[first + 1].startswith("build_pipe PW")
    assert "built → not_built" in lines[first + 1]
    assert "+0.002" in lines[first + 1]
    assert lines[first + 2].startswith("keep_source COAL")
    assert "+0.0031" in lines[first + 2]
    assert "44" in lines[first + 2]  # 3,100 / 70 CNY per tonne avoided
    assert not any("near tie" in line for line in lines[first:])
    t = read_explain(run_dir)
    assert t is not None
    t = t.set_index("id")
    assert t.loc["PW", "delta_cost_cny"] == pytest.approx(2_000, abs=1e-3)
    assert t.loc["PW", "delta_co2_t"] == pytest.approx(30, abs=1e-6)
    assert pd.isna(t.loc["PW", "cny_per_t_avoided"])  # CO2 rises
    assert t.loc["COAL", "delta_cost_cny"] == pytest.approx(3_100, abs=1e-3)
    assert t.loc["COAL", "cny_per_t_avoided"] == pytest.approx(3_100 / 70, rel=1e-6)
    reported = runner.invoke(cli, ["report", str(run_dir)])
    assert reported.exit_code == 0, reported.output
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "How firm is each decision" in html
    assert "0 of 2 are near ties" in html
    assert "built → not_built" in html


def test_explain_command_rejects_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", str(tmp_path)])
    assert result.exit_code == 1
    assert "not a heatnet run folder" in result.output


def test_flips_on_dask_give_the_same_table(two_coal_run: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    local = read_explain(two_coal_run)
    if local is None:  # this test run alone
        local = explain_run(two_coal_run, jobs=1).table
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ex = explain_run(two_coal_run, dask_address=client)
    check_two_coal(ex.table)
    assert ex.table["delta_cost_cny"].tolist() == pytest.approx(
        local["delta_cost_cny"].tolist(), abs=1e-6
    )
