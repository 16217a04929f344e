"""Security of supply in figures, reports and comparisons (issue 12): real runs of the
hand-worked ``secure_city`` (tests/test_security.py; variants in tests/plot_nets.py)."""

from __future__ import annotations

import types
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from click.testing import CliRunner

import heatnet
from heatnet import plot
from heatnet.cli import cli
from heatnet.cli import plot as plot_command
from heatnet.compare import (
    SECURITY_COLUMNS,
    compare_table,
    decision_columns,
    diff_plans,
    format_compare,
    format_diff,
    load_plans,
)
from heatnet.errors import InputError
from heatnet.report import run_report_html, study_report_html
from heatnet.storage import read_study
from heatnet.trace import security_needs, security_short
from tests.plot_nets import solve_secure


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("secreport")
    return {
        # COAL 20 MW kept; with P out A gets exactly 30 of 60 MW: P binds
        "tight": solve_secure(root, "tight", security_cost=True),
        # α = 0.1: GAS alone serves 1/6 with P out; COAL retired; nothing binds
        "loose": solve_secure(root, "loose", served_share=0.1, coal_mw=60.0),
        # candidate Q built instead of keeping COAL; P binds, Q is what it leans on
        "pipe": solve_secure(root, "pipe", coal_mw=60.0, q_mw=20.0),
        "plain": solve_secure(root, "plain", served_share=None),
    }


def _heatmap(fig: go.Figure) -> go.Heatmap:
    return next(t for t in fig.data if isinstance(t, go.Heatmap))


def test_figure_frames_the_binding_cell(runs: dict[str, Path]) -> None:
    run = heatnet.read_run(runs["tight"])
    assert run.summary["security"]["binding"] == ["P"]
    assert run.summary["kept"] == ["COAL"]
    fig = plot.security_figure(run)
    hm = _heatmap(fig)
    assert hm.meta["cases"] == ["intact", "P"]
    assert hm.meta["nodes"] == ["A"]
    assert hm.meta["binding_cells"] == [[1, 0]]
    assert [list(r) for r in hm.z] == [[pytest.approx(100.0)], [pytest.approx(50.0)]]
    assert list(hm.y) == ["intact plan", "pipe P"]
    assert list(hm.x) == ["city"]
    assert (hm.zmin, hm.zmax) == (0.0, 100.0)
    assert hm.text[1][0] == "50.0 %<br>min"
    assert hm.text[0][0] == "100.0 %"
    assert len(fig.layout.shapes) == 1
    shape = fig.layout.shapes[0]
    assert (shape.x0, shape.x1, shape.y0, shape.y1) == (-0.5, 0.5, 0.5, 1.5)
    hover = hm.customdata[1][0]
    assert "design demand 60.0 MW · served 30.0 MW · unserved 30.0 MW" in hover
    assert "source COAL: kept, 20.0 MW" in hover
    assert "binding: P" in fig.layout.title.text
    assert "α = 50.0 %" in fig.layout.title.text


def test_figure_without_a_binding_case(runs: dict[str, Path]) -> None:
    run = heatnet.read_run(runs["loose"])
    assert run.summary["security"]["binding"] == []
    fig = plot.security_figure(run)
    hm = _heatmap(fig)
    assert hm.meta["binding_cells"] == []
    assert hm.z[1][0] == pytest.approx(100 / 6)
    assert "min" not in hm.text[1][0]
    assert len(fig.layout.shapes) == 0
    assert "binding: none" in fig.layout.title.text
    assert security_short(run).empty
    assert security_needs(run).empty


def test_needs_list_the_built_pipe_reachable_without_the_failed_one(
    runs: dict[str, Path],
) -> None:
    run = heatnet.read_run(runs["pipe"])
    assert run.summary["built_pipes"] == ["Q"]
    assert run.summary["retired"] == ["COAL"]
    needs = security_needs(run)
    assert needs.to_dict("records") == [
        {
            "contingency": "P",
            "node": "A",
            "kind": "pipe",
            "element": "Q",
            "decision": "built",
            "capacity_mw": 20.0,
        }
    ]
    # the same plan with Q drawn the wrong way (A → R, one direction): it cannot bring heat
    # to A, so nothing is listed; the rule is read from the tables alone, no solve
    pipes = run.network.pipes.copy()
    pipes.loc["Q", ["from_node", "to_node", "bidirectional"]] = ["A", "R", False]
    turned = types.SimpleNamespace(
        summary=run.summary,
        tables=run.tables,
        network=run.network.replace(pipes=pipes),
        name="turned",
    )
    assert security_needs(turned).empty
    # a failed source is out too: make the binding case the source WH instead of P
    table = run.tables["security"].copy()
    table.loc[table["contingency"] == "P", ["contingency", "kind"]] = ["WH", "source"]
    as_source = types.SimpleNamespace(
        summary={**run.summary, "security": {**run.summary["security"], "binding": ["WH"]}},
        tables={**run.tables, "security": table},
        network=run.network,
        name="wh",
    )
    assert security_needs(as_source).empty  # Q only carries WH's heat: nothing else feeds it


def test_run_report_has_a_security_section(runs: dict[str, Path]) -> None:
    text = run_report_html(heatnet.read_run(runs["tight"]))
    assert '<h2 id="security">Security of supply</h2>' in text
    assert 'id="fig-security"' in text
    section = text[text.index('id="security"') : text.index("<h2>Districts</h2>")]
    for expected in (
        "50.0 %",  # α and the lowest share
        "cold",  # the design period
        "1.0 M CNY",  # cost of security: COAL's fixed cost
        "1: P",  # binding
        "source COAL: kept, 20.0 MW",
        "What the binding cases lean on",
    ):
        assert expected in section, expected
    loose = run_report_html(heatnet.read_run(runs["loose"]))
    assert "No case binds" in loose
    assert "cost of security" not in loose  # not computed for this run


def test_a_run_without_security_has_no_section_and_no_figure(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    run = heatnet.read_run(runs["plain"])
    assert "Security of supply" not in run_report_html(run)
    with pytest.raises(InputError, match="no security-of-supply check"):
        plot.security_figure(run)
    res = CliRunner().invoke(
        cli, ["plot", str(runs["plain"]), "--kind", "security", "--out", str(tmp_path / "s.html")]
    )
    assert res.exit_code == 1
    assert "no security-of-supply check" in res.output
    assert "Traceback" not in res.output
    res = CliRunner().invoke(
        cli, ["plot", str(runs["tight"]), "--kind", "security", "--out", str(tmp_path / "s.html")]
    )
    assert res.exit_code == 0, res.output
    assert "Security of supply" in (tmp_path / "s.html").read_text(encoding="utf-8")


def test_cli_offers_every_figure_kind() -> None:
    kind = next(p for p in plot_command.params if p.name == "kind")
    assert tuple(kind.type.choices) == plot.FIGURE_KINDS
    assert "security" in plot.RUN_KINDS


def _study(runs: dict[str, Path], root: Path, labels: tuple[str, ...]) -> Path:
    root.mkdir()
    rows = []
    for label in labels:
        folder = runs[label]
        target = root / label
        target.symlink_to(folder, target_is_directory=True)
        s = heatnet.read_run(folder).summary
        rows.append(
            {
                "scenario": label,
                "folder": label,
                "status": s["status"],
                "objective_cny": s["objective_cny"],
                "co2_t": s["co2_t"],
            }
        )
    pd.DataFrame(rows).to_csv(root / "index.csv", index=False)
    return root


def test_study_report_has_security_columns(runs: dict[str, Path], tmp_path: Path) -> None:
    study = read_study(_study(runs, tmp_path / "study", ("tight", "loose", "plain")))
    text = study_report_html(study)
    for header in ("lowest served share in an outage", "binding cases", "cost of security"):
        assert header in text
    assert "<td>16.7 %</td>" in text  # loose: the lowest share, 1/6
    assert "<td>1.0</td>" in text  # tight: the cost of security [M CNY/year]
    plain = read_study(_study(runs, tmp_path / "plain", ("plain",)))
    assert "binding cases" not in study_report_html(plain)


def test_compare_has_security_columns(runs: dict[str, Path]) -> None:
    plans = load_plans([runs["tight"], runs["loose"], runs["plain"]])
    table = compare_table(plans).set_index("scenario")
    assert set(SECURITY_COLUMNS) <= set(table.columns)
    assert not set(SECURITY_COLUMNS) & set(decision_columns(table.reset_index()))
    assert table.loc["tight", "served_share"] == pytest.approx(0.5)
    assert table.loc["tight", "min_served_share"] == pytest.approx(0.5)
    assert table.loc["tight", "binding_count"] == 1
    assert table.loc["tight", "cost_of_security_cny"] == pytest.approx(1e6, rel=1e-6)
    assert table.loc["loose", "binding_count"] == 0
    assert pd.isna(table.loc["loose", "cost_of_security_cny"])
    assert pd.isna(table.loc["plain", "served_share"])
    text = format_compare(compare_table(plans))
    for header in ("α [%]", "min served [%]", "binding", "cost of security [M CNY]"):
        assert header in text
    assert "16.7" in text
    without = compare_table(load_plans([runs["plain"]]))
    assert not set(SECURITY_COLUMNS) & set(without.columns)


def test_diff_shows_security_changes(runs: dict[str, Path]) -> None:
    plans = load_plans([runs["loose"], runs["tight"], runs["plain"]])
    by = {p.label: p for p in plans}
    diff = diff_plans(by["loose"], by["tight"])
    kpis = diff.kpis.set_index("kpi")
    assert kpis.loc["security.served_share", "delta"] == pytest.approx(0.4)
    assert kpis.loc["security.binding", "b"] == "P"
    assert kpis.loc["security.binding", "a"] == "none"
    text = format_diff(diff)
    assert "security.served_share: 10.0 % → 50.0 % (+40.0 pp)" in text
    assert "security.min_served_share: 16.7 % → 50.0 % (+33.3 pp)" in text
    assert "security.binding_count: 0 → 1 (+1)" in text
    assert "security.binding: none → P" in text
    assert "security.cost_of_security_cny: n/a → 1.0 M CNY" in text
    tidy = diff.tidy()
    assert "security.served_share" in set(tidy["field"])
    none = diff_plans(by["plain"], by["plain"]).kpis
    assert not none["kpi"].str.startswith("security.").any()
