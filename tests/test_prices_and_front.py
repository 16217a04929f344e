"""Finding 12 of the user trial (issue 14): the marginal heat price by district (figure, report,
``heatnet plot --kind prices``), and the study report's description column, build matrix,
abatement cost between neighbouring Pareto points and near ties along the front."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet import compare, plot
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.pareto import pareto_front
from heatnet.report import run_report_html, study_report_html
from heatnet.storage import read_study
from tests.plot_nets import EVIL, solve_tiny, write_study
from tests.scenario_nets import pareto_net, retire_net

# --- marginal heat price by district ----------------------------------------------------------


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solve_tiny(tmp_path_factory.mktemp("priced"), prices=True)


@pytest.fixture(scope="module")
def unpriced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solve_tiny(tmp_path_factory.mktemp("unpriced"))


def _weighted_means(run: heatnet.StoredRun) -> dict[str, float]:
    """The season's demand-weighted mean price of each demand district, from the tables."""
    p = run.tables["prices"].merge(run.tables["nodes"], on=["t", "node"])
    out = {}
    for node, g in p.groupby("node"):
        w = g["demand_mwh"]
        out[str(node)] = float((g["price_cny_per_mwh"] * w).sum() / w.sum())
    return out


def test_prices_is_a_figure_kind_everywhere() -> None:
    assert "prices" in plot.RUN_KINDS
    assert "prices" in plot.FIGURE_KINDS
    kind = next(p for p in cli.commands["plot"].params if p.name == "kind")
    assert tuple(kind.type.choices) == plot.FIGURE_KINDS


def test_prices_figure_one_line_per_district(priced: Path) -> None:
    run = heatnet.read_run(priced)
    prices = run.tables["prices"]
    assert not prices.empty
    fig = plot.prices_figure(run)
    districts = [t for t in fig.data if (t.meta or {}).get("node")]
    assert sorted(t.meta["node"] for t in districts) == ["A", "B"]  # demand nodes only
    means = _weighted_means(run)
    for t in districts:
        node = t.meta["node"]
        mine = prices[prices["node"] == node].sort_values("t")
        assert list(t.y) == pytest.approx(mine["price_cny_per_mwh"].tolist())
        assert t.meta["mean_cny_per_mwh"] == pytest.approx(means[node], rel=1e-9)
        shown = heatnet.fmt.number(means[node]) + " CNY/MWh"
        assert shown in t.name  # the weighted mean in the legend …
        assert shown in t.hovertemplate  # … and on hover
    assert EVIL not in fig.to_json()  # district A's name, escaped


def test_prices_figure_without_prices(unpriced: Path) -> None:
    with pytest.raises(InputError, match="no marginal heat prices"):
        plot.prices_figure(heatnet.read_run(unpriced))


def test_run_report_prices_section(priced: Path, unpriced: Path) -> None:
    text = run_report_html(heatnet.read_run(priced))
    assert "Marginal heat price by district" in text
    assert 'id="fig-prices"' in text
    text = run_report_html(heatnet.read_run(unpriced))
    assert 'id="fig-prices"' not in text
    assert "solved without nodal prices" in text


def test_cli_plot_prices(priced: Path, unpriced: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["plot", str(priced), "--kind", "prices"])
    assert res.exit_code == 0, res.output
    assert "Plotly.newPlot" in (priced / "prices.html").read_text(encoding="utf-8")
    res = runner.invoke(cli, ["plot", str(unpriced), "--kind", "prices"])
    assert res.exit_code == 1
    assert "no marginal heat prices" in res.output
    assert "Traceback" not in res.output


# --- study report: descriptions and the build matrix ------------------------------------------


@pytest.fixture(scope="module")
def described(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_study(
        tmp_path_factory.mktemp("described") / "study",
        {"base": {}, "keep coal": {"coal_fixed_cny": 0.0}},
    )
    index = pd.read_csv(root / "index.csv")
    index["description"] = ["today's plan", f"coal without fixed cost {EVIL}"]
    index.to_csv(root / "index.csv", index=False)
    return root


def test_study_report_description_column(described: Path) -> None:
    text = study_report_html(read_study(described))
    table = text[text.index("<h2>Scenarios</h2>") : text.index('id="fig-matrix"')]
    assert "<th>description</th>" in table
    assert "today&#x27;s plan" in table
    assert "coal without fixed cost &lt;script&gt;" in table
    assert EVIL not in text


def test_study_report_builds_matrix_after_retirements(described: Path) -> None:
    text = study_report_html(read_study(described))
    matrix = text.index('id="fig-matrix"')
    builds = text.index('id="fig-builds"')
    costs = text.index('id="fig-costs"')
    assert matrix < text.index("<h2>Build plans</h2>") < builds < costs


# --- Pareto front: abatement cost and near ties -----------------------------------------------


def _run(cost: float, co2: float, retired: list[str], gap: float = 0.0) -> SimpleNamespace:
    return SimpleNamespace(
        summary={"objective_cny": cost, "co2_t": co2, "retired": retired, "mip_gap": gap}
    )


def test_pareto_steps_abatement_and_near_ties() -> None:
    runs = {
        "min cost": _run(1_000_000, 900, ["C1"]),
        "min co2": _run(1_400_000, 100, [f"C{i}" for i in range(1, 10)]),
        "b": _run(1_003_000, 500, [f"C{i}" for i in range(1, 7)]),
        "c": _run(1_004_000, 400, []),  # 0.1 % above b, retires nothing: a near tie
        "d": _run(1_100_000, 300, [], gap=0.05),  # same retirements as c: no tie
    }
    steps = compare.pareto_steps(runs).set_index("point")
    assert list(steps.index) == ["min cost", "b", "c", "d", "min co2"]  # by CO2, most first
    assert steps.at["b", "previous"] == "min cost"
    assert steps.at["b", "abatement_cny_per_t"] == pytest.approx(3_000 / 400)
    assert steps.at["c", "abatement_cny_per_t"] == pytest.approx(1_000 / 100)
    assert steps.at["min co2", "abatement_cny_per_t"] == pytest.approx(300_000 / 200)
    assert pd.isna(steps.at["min cost", "abatement_cny_per_t"])
    assert steps.at["b", "near_tie_with"] == ["min cost", "c"]  # 0.3 % and 0.1 %
    assert steps.at["c", "near_tie_with"] == ["b"]
    assert steps.at["d", "near_tie_with"] == []  # same retirements as c
    # d and min co2: 27 % apart, but d's gap is 5 %: not a tie; with a 30 % gap it is
    assert steps.at["min co2", "near_tie_with"] == []
    runs["d"] = _run(1_100_000, 300, [], gap=0.3)
    assert compare.pareto_steps(runs).set_index("point").at["min co2", "near_tie_with"] == ["d"]


def test_pareto_steps_equal_co2_has_no_abatement() -> None:
    steps = compare.pareto_steps({"a": _run(10.0, 5.0, []), "b": _run(12.0, 5.0, ["X"])})
    assert steps["abatement_cny_per_t"].isna().all()


def test_study_report_abatement_cost(tmp_path: Path) -> None:
    """pareto_net: cost = 13,000 - 200 (C - 30), so every step abates at 200 CNY/t."""
    net = heatnet.load_network(pareto_net(tmp_path / "net"))
    pareto_front(net, heatnet.SolveOptions(mip_gap=0.0), points=2, results_dir=tmp_path, study="pf")
    study = read_study(tmp_path / "pf")
    steps = compare.pareto_steps(study.pareto_runs)
    assert steps["abatement_cny_per_t"].iloc[1:].tolist() == pytest.approx([200.0] * 3)
    text = study_report_html(study)
    assert "abatement cost from the previous point [CNY/t CO2]" in text
    assert text.count("<td>200.0</td>") == 3
    fig = plot.pareto_figure(study.pareto_runs, caps_t=study.caps_t)
    hover = " ".join(h for t in fig.data if t.customdata is not None for h in t.customdata)
    assert hover.count("abatement from point 0: 200.0 CNY/t CO2") == 1
    assert "Near tie" not in text  # no sentence, and an empty near-tie column
    assert "with point" not in text


def test_study_report_near_tie(tmp_path: Path) -> None:
    """retire_net at 20 CNY/t with caps 56, 42, 28, 14 t: keeping COAL costs 12,000 - 30 x
    under a cap of x t, retiring it 11,600; at 14 t the kept plan costs 11,580, 0.17 % below
    the zero-CO2 end that retires COAL: a near tie."""
    net = heatnet.load_network(retire_net(tmp_path / "net", carbon_price=20))
    pareto_front(net, heatnet.SolveOptions(), points=4, results_dir=tmp_path, study="pr")
    study = read_study(tmp_path / "pr")
    steps = compare.pareto_steps(study.pareto_runs).set_index("point")
    assert steps.at["4", "near_tie_with"] == ["5"]
    assert steps.at["5", "near_tie_with"] == ["4"]
    assert sum(len(x) for x in steps["near_tie_with"]) == 2
    text = study_report_html(study)
    table = text[text.index("Pareto front") :]
    assert "<th>near tie</th>" in table
    sentence = re.search(r"<p[^>]*>Near ties?:.*?</p>", table, re.S)
    assert sentence is not None
    assert "points 4 and 5" in sentence.group(0)
    assert sentence.group(0).index("Near tie") < table.index("<th>near tie</th>")
