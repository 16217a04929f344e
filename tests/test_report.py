"""The HTML report (self-contained, escaped) and the ``heatnet plot`` / ``heatnet report``
commands. Rendering in a real browser and static export are in test_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from plotly.offline import get_plotlyjs

import heatnet
from heatnet.cli import cli
from heatnet.report import run_report_html, study_report_html, write_report
from heatnet.storage import read_study
from tests.plot_nets import EVIL, jinan_run, solve_tiny, write_study

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solve_tiny(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rstudy") / "study"
    return write_study(
        root, {"base": {}, "keep coal": {"coal_fixed_cny": 0.0}, EVIL: {"carbon_price": 100.0}}
    )


def outside_bundle(text: str) -> str:
    """The report without its one inlined copy of plotly.js."""
    bundle = get_plotlyjs()
    assert text.count(bundle) == 1
    return text.replace(bundle, "")


def test_run_report_is_self_contained_and_escaped(tiny_dir: Path) -> None:
    text = run_report_html(heatnet.read_run(tiny_dir))
    rest = outside_bundle(text)
    assert "<script src" not in rest
    assert "https://" not in rest
    assert "http://" not in rest
    assert 'http-equiv="Content-Security-Policy"' in rest
    for div in ("fig-sankey", "fig-map", "fig-dispatch", "fig-duration"):
        assert f'id="{div}"' in rest
    assert EVIL not in rest  # the node name never appears as markup
    assert ESCAPED in rest  # … but as text in the districts table
    assert ESCAPED.replace("/", "\\u002f") in rest  # and in the figures' data (JSON)
    # summary table figures come from summary.json
    s = heatnet.read_run(tiny_dir).summary
    assert f"{s['objective_cny'] / 1e6:,.1f}" in rest
    assert "COAL (燃煤热源厂 C)" in rest  # retired, named


def test_jinan_report(tmp_path: Path) -> None:
    run_dir = jinan_run()
    out = write_report(run_dir, tmp_path / "jinan.html")
    text = out.read_text(encoding="utf-8")
    rest = outside_bundle(text)
    assert "<script src" not in rest
    assert "信源电厂余热" in rest  # Chinese names as written (sources table)
    # the Sankey's data: its link values add up to the season's heat and losses
    payloads = re.findall(r'Plotly\.newPlot\(\s*"fig-sankey",\s*(\[.*?\]),\s*\{', rest, re.S)
    assert payloads
    sankey = json.loads(payloads[0])[0]
    run = heatnet.read_run(run_dir)
    labels = sankey["node"]["label"]
    targets = [labels[i] for i in sankey["link"]["target"]]
    losses = sum(
        v for v, t in zip(sankey["link"]["value"], targets, strict=True) if t == "pipe losses"
    )
    assert losses == pytest.approx(run.tables["pipes"]["loss_mwh"].sum() / 1000, rel=1e-6)
    assert "聊热入济 北线 (2025)" in labels


def test_study_report(study_dir: Path) -> None:
    text = study_report_html(read_study(study_dir))
    rest = outside_bundle(text)
    for div in ("fig-matrix", "fig-costs"):
        assert f'id="{div}"' in rest
    assert "fig-pareto" not in rest
    assert EVIL not in rest
    assert ESCAPED in rest


def test_cli_report_and_plot_html(tiny_dir: Path, study_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["report", str(tiny_dir)])
    assert res.exit_code == 0, res.output
    assert (tiny_dir / "report.html").is_file()
    res = runner.invoke(cli, ["report", str(study_dir), "--out", str(tmp_path / "s.html")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "s.html").stat().st_size > 1e6
    res = runner.invoke(
        cli, ["plot", str(tiny_dir), "--kind", "sankey", "--period", "peak", "--by", "technology"]
    )
    assert res.exit_code == 0, res.output
    written = tiny_dir / "sankey-peak.html"
    assert written.is_file()
    assert "Plotly.newPlot" in written.read_text(encoding="utf-8")
    res = runner.invoke(cli, ["plot", str(study_dir), "--kind", "matrix"])
    assert res.exit_code == 0, res.output
    assert (study_dir / "matrix.html").is_file()
    runs = [str(study_dir / "s0"), str(study_dir / "s1")]
    res = runner.invoke(cli, ["plot", *runs, "--kind", "costs", "--out", str(tmp_path / "c.html")])
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "sankey", "--period", "1999-01-01"], "unknown period"),
        (["--kind", "dispatch", "--period", "peak"], "--period applies to sankey and map"),
        (["--kind", "map", "--out", "x.png", "--format", "svg"], "does not match the format"),
        (["--kind", "pareto"], "no Pareto front"),
    ],
)
def test_cli_plot_errors(tiny_dir: Path, study_dir: Path, args: list[str], message: str) -> None:
    target = study_dir if "pareto" in args else tiny_dir
    res = CliRunner().invoke(cli, ["plot", str(target), *args])
    assert res.exit_code == 1
    assert message in res.output
    assert "Traceback" not in res.output


def test_cli_plot_not_a_run(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["plot", str(tmp_path), "--kind", "map"])
    assert res.exit_code == 1
    assert "not a heatnet run folder" in res.output


def test_cli_static_export_without_browser(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    res = CliRunner().invoke(cli, ["plot", str(tiny_dir), "--kind", "map", "--format", "png"])
    assert res.exit_code == 1
    assert "apt-get install chromium" in res.output
    assert "BROWSER_PATH" in res.output
