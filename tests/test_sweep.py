"""Sweeps: same optima as single solves, the study folder contract, failures, resume, Dask."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.scenarios import load_scenarios
from heatnet.storage import INDEX_COLUMNS
from heatnet.sweep import Sweep, run_sweep
from tests.scenario_nets import SCENARIOS_YAML, crashing_worker, retire_net

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = [
    "scenario",
    "folder",
    "status",
    "objective_cny",
    "co2_t",
    "mip_gap",
    "waste_heat_share",
    "unserved_mwh",
    "error",
]
EXPECTED = {
    "base": (8_500, "kept"),
    "carbon_100": (11_600, "retired"),
    "keep_coal": (12_000, "existing"),
}


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Sweep]:
    root = tmp_path_factory.mktemp("sweep")
    folder = retire_net(root / "net")
    f = root / "three.yaml"
    f.write_text(SCENARIOS_YAML, encoding="utf-8")
    net = heatnet.load_network(folder)
    result = run_sweep(net, load_scenarios(f, net), root / "results", jobs=2)
    return folder, f, result


def test_sweep_gives_the_optima_of_single_solves(
    study: tuple[Path, Path, Sweep], tmp_path: Path
) -> None:
    """Each scenario solved on its own, with the overrides made by hand (a network folder
    written with the carbon price; the status edited in the table), gives the same optimum."""
    folder, _, result = study
    opts = heatnet.SolveOptions()
    base = heatnet.load_network(folder)
    carbon = heatnet.load_network(retire_net(tmp_path / "carbon", carbon_price=100))
    sources = carbon.sources.copy()
    sources.loc["COAL", "status"] = "existing"
    singles = {
        "base": heatnet.solve(base, opts),
        "carbon_100": heatnet.solve(carbon, opts),
        "keep_coal": heatnet.solve(carbon.replace(sources=sources), opts),
    }
    outcomes = {o.scenario: o for o in result.outcomes}
    assert list(outcomes) == ["base", "carbon_100", "keep_coal"]
    for name, run in singles.items():
        o = outcomes[name]
        assert o.ok
        assert run.is_optimal
        assert o.summary is not None
        assert o.summary["objective_cny"] == pytest.approx(run.result.objective_cny, rel=1e-9)
        assert o.summary["objective_cny"] == pytest.approx(EXPECTED[name][0], rel=1e-9)
        assert o.summary["retired"] == run.summary["retired"]
        assert o.summary["built_pipes"] == run.summary["built_pipes"] == ["PW"]
        stored = heatnet.read_run(o.folder)  # type: ignore[arg-type]
        assert stored.tables["sources"].loc["COAL", "decision"] == EXPECTED[name][1]
        assert stored.summary["options"]["threads"] == 1
    assert not result.not_ok


def test_study_folder_contract(study: tuple[Path, Path, Sweep]) -> None:
    _, f, result = study
    index = pd.read_csv(result.folder / "index.csv", keep_default_na=False)
    assert list(index.columns[: len(CONTRACT)]) == CONTRACT
    assert list(index.columns) == list(INDEX_COLUMNS)
    assert list(index["scenario"]) == ["base", "carbon_100", "keep_coal"]
    assert list(index["folder"]) == ["base", "carbon_100", "keep_coal"]  # relative
    assert set(index["status"]) == {"optimal"}
    assert index.set_index("scenario").loc["keep_coal", "description"] == "coal forced to stay"
    for folder in index["folder"]:
        assert (result.folder / folder / "summary.json").is_file()
    meta = json.loads((result.folder / "study.json").read_text(encoding="utf-8"))
    for key in (
        "network",
        "scenario_file",
        "scenario_file_sha256",
        "options",
        "started",
        "finished",
    ):
        assert meta[key], key
    assert meta["scenario_file"] == str(f.resolve())
    assert meta["options"]["threads"] == 1
    assert not [p for p in result.folder.iterdir() if p.name.startswith(".")]  # no temp files


def test_resume_skips_finished_scenarios(study: tuple[Path, Path, Sweep]) -> None:
    folder, f, result = study
    net = heatnet.load_network(folder)
    sset = load_scenarios(f, net)
    with pytest.raises(InputError, match="--resume"):
        run_sweep(net, sset, result.folder.parent)
    stamp = (result.folder / "base" / "summary.json").stat().st_mtime_ns
    t0 = time.perf_counter()
    again = run_sweep(net, sset, result.folder.parent, resume=True)
    assert time.perf_counter() - t0 < 5
    assert all(o.resumed for o in again.outcomes)
    assert [o.summary["objective_cny"] for o in again.outcomes] == [  # type: ignore[index]
        8_500,
        11_600,
        12_000,
    ]
    assert (result.folder / "base" / "summary.json").stat().st_mtime_ns == stamp
    assert sorted(p.name for p in result.folder.iterdir() if p.is_dir()) == [
        "base",
        "carbon_100",
        "keep_coal",
    ]


def test_resume_solves_only_what_is_missing_and_detects_changed_inputs(tmp_path: Path) -> None:
    folder = retire_net(tmp_path / "net")
    f = tmp_path / "s.yaml"
    f.write_text(
        "scenarios:\n  base: {}\n  carbon:\n    economics: {carbon_price_cny_per_t: 100}\n",
        encoding="utf-8",
    )
    net = heatnet.load_network(folder)
    sset = load_scenarios(f, net)
    # a study interrupted after its first scenario: only that folder exists
    heatnet.solve(net, heatnet.SolveOptions(), name="base").write(
        tmp_path / "results" / "st", "base"
    )
    resumed = run_sweep(net, sset, tmp_path / "results", study="st", resume=True, jobs=1)
    assert [(o.scenario, o.resumed, o.status) for o in resumed.outcomes] == [
        ("base", True, "optimal"),
        ("carbon", False, "optimal"),
    ]
    # the scenario file changed: the finished folder no longer matches its inputs
    f.write_text(
        "scenarios:\n  base:\n    economics: {carbon_price_cny_per_t: 5}\n", encoding="utf-8"
    )
    changed = run_sweep(net, load_scenarios(f, net), tmp_path / "results", study="st", resume=True)
    assert changed.outcomes[0].status == "failed"
    assert "other inputs" in changed.outcomes[0].error
    meta = json.loads((changed.folder / "study.json").read_text(encoding="utf-8"))
    assert len(meta["resumed"]) == 1  # the first sweep's start is kept
    assert meta["started"] <= meta["resumed"][0]


def test_failing_scenarios_are_reported_and_the_others_go_on(tmp_path: Path) -> None:
    """'boom' kills its worker process; 'island' has no feasible plan when unserved heat is
    forbidden (its solve raises); base and carbon_100 are still solved and written."""
    folder = retire_net(tmp_path / "net")
    f = tmp_path / "s.yaml"
    f.write_text(
        "scenarios:\n"
        "  base: {}\n"
        "  boom: {}\n"
        "  island:\n"
        "    sources: {COAL: {status: retired}}\n"
        "    pipes: {P: {status: unavailable}, PW: {status: unavailable}}\n"
        "  carbon_100:\n"
        "    economics: {carbon_price_cny_per_t: 100}\n",
        encoding="utf-8",
    )
    net = heatnet.load_network(folder)
    seen: list[tuple[str, int, int]] = []
    result = run_sweep(
        net,
        load_scenarios(f, net),
        tmp_path / "results",
        jobs=2,
        options=heatnet.SolveOptions(allow_unserved=False),
        worker=crashing_worker,
        on_progress=lambda o, done, total: seen.append((o.scenario, done, total)),
    )
    by = {o.scenario: o for o in result.outcomes}
    assert by["base"].ok
    assert by["carbon_100"].ok
    assert by["base"].summary["objective_cny"] == pytest.approx(8_500)  # type: ignore[index]
    assert by["boom"].status == "failed"
    assert "worker process died" in by["boom"].error
    # the solve layer raises for a trivially infeasible model (a failed scenario) or reports
    # status infeasible: either way it is reported with the reason
    assert by["island"].status in ("failed", "infeasible")
    assert "infeasible" in by["island"].error
    assert {o.scenario for o in result.not_ok} == {"boom", "island"}
    assert sorted(done for _, done, _ in seen) == [1, 2, 3, 4]
    index = pd.read_csv(result.folder / "index.csv", keep_default_na=False).set_index("scenario")
    assert index.loc["boom", "status"] == "failed"
    assert index.loc["boom", "folder"] == ""
    assert "worker process died" in index.loc["boom", "error"]
    assert float(index.loc["carbon_100", "objective_cny"]) == pytest.approx(11_600)
    assert sorted(p.name for p in result.folder.iterdir() if p.is_dir()) == ["base", "carbon_100"]


def test_cli_sweep_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import heatnet.sweep

    folder = retire_net(tmp_path / "net")
    f = tmp_path / "s.yaml"
    f.write_text("scenarios:\n  base: {}\n  boom: {}\n", encoding="utf-8")
    real = heatnet.sweep.run_sweep
    monkeypatch.setattr(
        heatnet.sweep, "run_sweep", lambda *a, **k: real(*a, **k, worker=crashing_worker)
    )
    result = CliRunner().invoke(
        cli, ["sweep", str(folder), str(f), "--jobs", "2", "--out", str(tmp_path / "results")]
    )
    assert result.exit_code == 2, result.output
    assert "1 scenario not optimal: boom (the worker process died" in result.output
    assert (tmp_path / "results" / "s" / "base" / "summary.json").is_file()
    ok = tmp_path / "ok.yaml"
    ok.write_text("scenarios:\n  base: {}\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["sweep", str(folder), str(ok), "--out", str(tmp_path / "results"), "--study", "fine"]
    )
    assert result.exit_code == 0, result.output
    assert "0.0085" in result.output  # 8,500 CNY/yr, shown in M CNY (issue 14)


def test_dask_local_cluster_gives_the_same_optima(
    study: tuple[Path, Path, Sweep], tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    folder, f, local = study
    net = heatnet.load_network(folder)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = run_sweep(
            net,
            load_scenarios(f, net),
            tmp_path / "results",
            dask_address=cluster.scheduler_address,
        )
    assert [o.scenario for o in result.outcomes] == ["base", "carbon_100", "keep_coal"]
    for a, b in zip(result.outcomes, local.outcomes, strict=True):
        assert a.ok
        assert a.summary["objective_cny"] == pytest.approx(  # type: ignore[index]
            b.summary["objective_cny"], rel=1e-9
        )  # type: ignore[index]
        assert a.summary["retired"] == b.summary["retired"]  # type: ignore[index]
        assert (a.folder / "inputs" / "network.yaml").is_file()  # type: ignore[operator]
    meta = json.loads((result.folder / "study.json").read_text(encoding="utf-8"))
    assert meta["executor"].startswith("dask ")


@pytest.mark.slow
def test_jinan_sweep_end_to_end(tmp_path: Path) -> None:
    """Two scenarios of the Jinan network in parallel, then the diff between them."""
    f = tmp_path / "jinan_two.yaml"
    f.write_text(
        "scenarios:\n  base: {}\n  late_south_line:\n    pipes: {E_S1: {status: unavailable}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "results"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["sweep", str(ROOT / "networks" / "jinan"), str(f), "--jobs", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    index = pd.read_csv(out / "jinan_two" / "index.csv").set_index("scenario")
    assert index.loc["late_south_line", "objective_cny"] >= index.loc["base", "objective_cny"]
    diff = runner.invoke(
        cli, ["compare", str(out / "jinan_two"), "--diff", "base", "late_south_line"]
    )
    assert diff.exit_code == 0, diff.output
    assert "E_S1 (pipe): built → unavailable" in diff.output
    assert "pipes E_S1 status: candidate → unavailable" in diff.output
    assert (out / "jinan_two" / "diff_base_late_south_line.csv").is_file()
