"""Figures and the report section of a pathway run (issue 13, spec v1.1 §4): the timeline, the
CO2 path, the cost per year, the season figures of one year (``--year``) and the report.

Most tests draw a hand-made run folder that follows the pathway output contract exactly
(:func:`write_pathway_run`): the tiny network of tests/plot_nets.py solved once, its tables
repeated for four years with a leading ``year`` column and the decisions of a made-up plan,
``timeline.csv`` and the ``pathway`` block of ``summary.json``. The last test solves a real
pathway network end to end.
"""

from __future__ import annotations

import html
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import heatnet
from heatnet import fmt, plot
from heatnet.cli import cli
from heatnet.errors import InputError
from heatnet.report import run_report_html, write_report
from heatnet.storage import TABLE_FILES, year_tables
from tests.plot_nets import EVIL, solve_tiny, tiny_net

YEARS = (2025, 2026, 2027, 2028)
RATE = 0.06
DECISIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # (table, id): decision in each of YEARS
    ("sources", "COAL"): ("kept", "kept", "retired", "retired"),  # retired from 2027
    ("sources", "HP"): ("not_built",) * 4,  # never built
    ("pipes", "P1"): ("unavailable", "built", "built", "built"),  # earliest 2026, built then
    ("pipes", "PX"): ("unavailable", "unavailable", "not_built", "not_built"),  # earliest 2027
    ("pipes", "TIE"): ("unavailable", "existing", "existing", "existing"),  # exists from 2026
}
TIMELINE = [
    # id, kind, year, element, name, technology, earliest_year, retire_by
    ("COAL", "retire", 2027, "source", "燃煤热源厂 C", "coal_boiler", None, 2028),
    ("HP", "build", None, "source", "热泵 (候选)", "heat_pump", None, None),
    ("P1", "build", 2026, "pipe", "长输线 1段", "", 2026, None),
    ("PX", "build", None, "pipe", "备选线", "", 2027, None),
]
CO2_T = (5200.0, 5600.0, 3100.0, 2900.0)
CAPS_T = (None, None, 4000.0, 3500.0)
PRICES = (0.0, 250.0, 500.0, 500.0)
PEAK_YEAR = 2026


def cost_breakdown(i: int) -> dict[str, float]:
    """A made-up cost of year ``YEARS[i]`` by kind [CNY] that adds up to its total."""
    items = {
        "fixed_cny": 1.0e6 - (5e5 if i >= 2 else 0.0),
        "capex_sources_cny": 0.0,
        "capex_pipes_cny": 66_461.5 if i >= 1 else 0.0,
        "retirement_cny": 3.0e5 if i >= 2 else 0.0,
        "variable_cny": 2.0e6 + 1.0e5 * i,
        "carbon_cny": CO2_T[i] * PRICES[i],
        "pumping_cny": 0.0,
        "unserved_cny": 1.7e6 - 2e5 * i,
    }
    items["total_cny"] = sum(items.values())
    return items


def pathway_block() -> dict[str, Any]:
    """The ``pathway`` block of summary.json of the made-up plan (the contract of issue 13)."""
    per_year = []
    for i, year in enumerate(YEARS):
        cb = cost_breakdown(i)
        factor = (1 + RATE) ** -(year - YEARS[0])
        retired = ["COAL"] if year >= 2027 else []
        built = ["P1"] if year >= 2026 else []
        per_year.append(
            {
                "year": year,
                "discount_factor": factor,
                "demand_scale": 1.0 + 0.05 * i,
                "carbon_price_cny_per_t": PRICES[i],
                "co2_cap_t": CAPS_T[i],
                "objective_cny": cb["total_cny"],
                "discounted_cny": cb["total_cny"] * factor,
                "co2_t": CO2_T[i],
                "unserved_mwh": 1000.0 - 100 * i,
                "heat_demand_mwh": 5000.0 + 250 * i,
                "retired": retired,
                "built": built,
                "retired_this_year": retired if year == 2027 else [],
                "built_this_year": built if year == 2026 else [],
                "cost_breakdown_cny": cb,
            }
        )
    return {
        "years": list(YEARS),
        "discount_rate": RATE,
        "co2_peak_year": PEAK_YEAR,
        "npv_cny": sum(p["discounted_cny"] for p in per_year),
        "per_year": per_year,
    }


def write_pathway_run(root: Path, name: str = "pathway") -> Path:
    """A pathway run folder ``root/<name>/`` following the output contract of issue 13: every
    table of the tiny run repeated for :data:`YEARS` with a leading ``year`` column and the
    decisions of :data:`DECISIONS`, ``timeline.csv`` (:data:`TIMELINE`) and the summary's
    ``pathway`` block, ``objective_cny`` = its NPV."""
    base = solve_tiny(root / "base", prices=True)
    folder = root / name
    shutil.copytree(base, folder)
    stored = heatnet.read_run(base)
    for key, df in stored.tables.items():
        parts = []
        for i, year in enumerate(YEARS):
            part = df.copy()
            if key in ("sources", "pipes"):
                for (table, ident), decisions in DECISIONS.items():
                    if table == key:
                        part.loc[ident, "decision"] = decisions[i]
            part.insert(0, "year", year)
            parts.append(part)
        both = pd.concat(parts)
        both.to_csv(folder / f"{key}.csv", index=key in ("sources", "pipes"))
    columns = ["id", "kind", "year", "element", "name", "technology", "earliest_year"]
    pd.DataFrame(TIMELINE, columns=[*columns, "retire_by"]).to_csv(
        folder / "timeline.csv", index=False
    )
    summary = dict(stored.summary)
    block = pathway_block()
    summary.update(pathway=block, objective_cny=block["npv_cny"], name=name)
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pathway_run(tmp_path_factory.mktemp("pathway"))


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solve_tiny(tmp_path_factory.mktemp("oneseason"))


@pytest.fixture(scope="module")
def run(run_dir: Path) -> heatnet.StoredRun:
    return heatnet.read_run(run_dir)


def test_fixture_follows_the_contract(run: heatnet.StoredRun) -> None:
    for key in TABLE_FILES:
        if key in run.tables and key != "timeline":
            assert run.tables[key].columns[0] == "year", key
    assert run.tables["sources"].index.name == "id"
    assert list(run.tables["timeline"].columns[:3]) == ["id", "kind", "year"]
    assert run.summary["objective_cny"] == run.summary["pathway"]["npv_cny"]


# --- timeline ---------------------------------------------------------------------------------


def states_of(fig: Any) -> dict[str, dict[int, str]]:
    heat = fig.data[0]
    years = list(heat.meta["years"])
    return {
        html.unescape(key): dict(zip(years, row, strict=True))
        for key, row in zip(heat.meta["keys"], heat.meta["states"], strict=False)
    }


def test_timeline_states_by_year(run: heatnet.StoredRun) -> None:
    fig = plot.timeline_figure(run)
    states = states_of(fig)
    assert states["source:COAL"] == {2025: "kept", 2026: "kept", 2027: "retired", 2028: "retired"}
    assert states["pipe:P1"] == {2025: "unavailable", 2026: "built", 2027: "built", 2028: "built"}
    assert states["source:HP"] == dict.fromkeys(YEARS, "not_built")
    assert states["pipe:PX"] == {
        2025: "unavailable",
        2026: "unavailable",
        2027: "not_built",
        2028: "not_built",
    }
    # no decision, but it comes into service in 2026: a row of its own, read from the tables
    assert states["pipe:TIE"] == {
        2025: "unavailable",
        2026: "existing",
        2027: "existing",
        2028: "existing",
    }
    # rows: retirements, then builds by year (never last), then the rest
    assert list(states) == ["source:COAL", "pipe:P1", "source:HP", "pipe:PX", "pipe:TIE"]


def test_timeline_cells_colours_and_change_year(run: heatnet.StoredRun) -> None:
    fig = plot.timeline_figure(run)
    heat = fig.data[0]
    # the colour of each cell is its state's, the decision colours of the matrices
    order = list(plot.TIMELINE_STATES)
    scale = dict((round(v, 6), c) for v, c in heat.colorscale)
    for row_z, row_states in zip(heat.z, heat.meta["states"], strict=False):
        for z, state in zip(row_z, row_states, strict=True):
            assert order[z] == state
            assert scale[round(z / len(order), 6)] == plot.TIMELINE_STATES[state][0]
    assert plot.TIMELINE_STATES["retired"][0] == plot.DECISION_STYLE["retired"][0]
    # the year of the change is bold, the others not
    coal = list(heat.text[0])
    assert coal == ["kept", "kept", "<b>retired</b>", "retired"]
    assert list(heat.text[1]) == ["not yet", "<b>built</b>", "built", "built"]
    assert "<b>" not in "".join(heat.text[2])  # HP: never built
    # the hover names the element, the year's state and the deadline
    hover = heat.customdata[0][3]
    assert "燃煤热源厂 C" in hover
    assert "2028: retired" in hover
    assert "retired from 2027" in hover
    assert "retire by 2028 (deadline)" in hover


def test_timeline_marks_deadline_and_earliest_year(run: heatnet.StoredRun) -> None:
    fig = plot.timeline_figure(run)
    marks = {t.name: t for t in fig.data if t.meta and "marks" in t.meta}
    (deadline,) = [t for n, t in marks.items() if n.startswith("retire-by deadline")]
    assert deadline.meta["marks"] == [["source:COAL", 2028]]
    # the bar is the left edge of the 2028 cell of COAL's row (row 0, column 3)
    assert list(deadline.x[:2]) == [2.5, 2.5]
    assert list(deadline.y[:2]) == [-0.5, 0.5]
    (earliest,) = [t for n, t in marks.items() if n.startswith("earliest year")]
    assert sorted(map(tuple, earliest.meta["marks"])) == [
        ("pipe:P1", 2026),
        ("pipe:PX", 2027),
        ("pipe:TIE", 2026),
    ]


def test_timeline_summarises_the_elements_that_never_change(run: heatnet.StoredRun) -> None:
    tl = plot.timeline_states(run)
    assert sorted(tl.unchanged["source"]) == ["GAS", "WASTE"]
    assert sorted(tl.unchanged["pipe"]) == ["P2", "PB", "PC"]
    fig = plot.timeline_figure(run)
    labels = list(fig.layout.yaxis.ticktext)
    assert len(labels) == len(tl.rows) + 1
    assert labels[-1] == "5 other elements (no decision)"
    assert list(fig.data[0].meta["states"][-1]) == ["existing"] * 4
    assert "2 sources and 3 pipes in service every year" in fig.layout.title.text
    # names: short names of the network (the district named <script> is not an element here)
    assert "燃煤热源厂 C" in labels
    assert list(fig.layout.xaxis.ticktext) == [str(y) for y in YEARS]
    assert fig.layout.xaxis.title.text == "heating season [year]"


# --- CO2 path ---------------------------------------------------------------------------------


def test_co2_path_against_the_cap(run: heatnet.StoredRun) -> None:
    fig = plot.co2_path_figure(run)
    bars = fig.data[0]
    assert list(bars.x) == list(YEARS)
    assert list(bars.meta["co2_t"]) == list(CO2_T)
    assert [float(v) for v in bars.y] == pytest.approx([c / 1000 for c in CO2_T])  # kt
    assert fig.layout.yaxis.title.text == "CO2 of the season [kt]"
    assert list(bars.text) == [fmt.co2(c) for c in CO2_T]
    (cap,) = [t for t in fig.data if t.name == "CO2 cap"]
    assert list(cap.x) == [2027, 2028]  # exactly the capped years
    assert list(cap.meta["co2_cap_t"]) == [4000.0, 3500.0]
    assert [float(v) for v in cap.y] == pytest.approx([4.0, 3.5])
    assert fig.layout.meta["co2_peak_year"] == PEAK_YEAR
    assert fig.layout.meta["highest_year"] == 2026
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == PEAK_YEAR - 0.5  # before the peak year's bar
    assert any("peak year 2026" in a.text for a in fig.layout.annotations)
    # no bar is above its cap: all grey
    assert set(bars.marker.color) == {plot.CO2_BAR_COLOUR}


def test_co2_path_without_caps_or_peak(tmp_path: Path) -> None:
    folder = write_pathway_run(tmp_path)
    summary = json.loads((folder / "summary.json").read_text("utf-8"))
    summary["pathway"]["co2_peak_year"] = None
    for entry in summary["pathway"]["per_year"]:
        entry["co2_cap_t"] = None
    summary["pathway"]["per_year"][0]["co2_t"] = 6e6  # Mt from a million tonnes on
    (folder / "summary.json").write_text(json.dumps(summary), "utf-8")
    fig = plot.co2_path_figure(heatnet.read_run(folder))
    assert [t.name for t in fig.data] == ["CO2 of the season"]
    assert not fig.layout.shapes
    assert fig.layout.meta["co2_peak_year"] is None
    assert fig.layout.yaxis.title.text == "CO2 of the season [Mt]"
    assert fig.data[0].text[0] == "6.000 Mt"


# --- cost per year ----------------------------------------------------------------------------


def test_cost_stack_adds_up_to_each_year(run: heatnet.StoredRun) -> None:
    fig = plot.costs_by_year_figure(run)
    bars = [t for t in fig.data if t.type == "bar"]
    keys = {t.meta["key"] for t in bars}
    assert keys == {k for k, v in cost_breakdown(3).items() if v and k != "total_cny"}
    for i, year in enumerate(YEARS):
        stacked = sum(float(t.y[i]) for t in bars)
        objective = run.summary["pathway"]["per_year"][i]["objective_cny"]
        assert stacked == pytest.approx(objective / 1e6)
        assert list(t.x[i] for t in bars) == [year] * len(bars)
    (total,) = [t for t in fig.data if t.name == "cost of the season"]
    assert list(total.text) == [
        fmt.number(cost_breakdown(i)["total_cny"] / 1e6) for i in range(len(YEARS))
    ]
    (discounted,) = [t for t in fig.data if t.name.startswith("discounted")]
    per = run.summary["pathway"]["per_year"]
    assert [float(v) for v in discounted.y] == pytest.approx(
        [p["discounted_cny"] / 1e6 for p in per]
    )
    assert f"NPV {fmt.money(run.summary['pathway']['npv_cny'])}" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "cost of the season [M CNY]"
    assert fig.layout.barmode == "relative"


# --- not a pathway run ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", plot.PATHWAY_KINDS)
def test_pathway_figure_of_a_one_season_run(tiny_dir: Path, kind: str) -> None:
    with pytest.raises(InputError, match="this run is not a pathway run"):
        plot.pathway_figure(kind, heatnet.read_run(tiny_dir))
    res = CliRunner().invoke(cli, ["plot", str(tiny_dir), "--kind", kind])
    assert res.exit_code == 1
    assert "this run is not a pathway run" in res.output
    assert "pathway: block in network.yaml" in res.output
    assert not (tiny_dir / f"{kind}.html").exists()


def test_year_of_a_one_season_run(tiny_dir: Path) -> None:
    res = CliRunner().invoke(cli, ["plot", str(tiny_dir), "--kind", "map", "--year", "2025"])
    assert res.exit_code == 1
    assert "--year applies to a pathway run" in res.output


# --- the season figures of one year -----------------------------------------------------------


def test_season_run_is_one_year(run: heatnet.StoredRun) -> None:
    last = plot.season_run(run)
    assert last.year == 2028
    assert last.name == f"{run.name} · 2028"
    assert "year" not in last.tables["dispatch"].columns
    assert "timeline" not in last.tables
    assert last.tables["sources"].index.is_unique
    assert last.summary["objective_cny"] == run.summary["pathway"]["per_year"][-1]["objective_cny"]
    assert last.summary["retired"] == ["COAL"]
    assert last.summary["built_pipes"] == ["P1"]
    assert last.summary["bound_cny"] is None
    first = plot.season_run(run, 2025)
    assert first.summary["retired"] == []
    assert first.summary["kept"] == ["COAL"]
    assert first.summary["built_pipes"] == []
    assert first.summary["co2_t"] == CO2_T[0]
    with pytest.raises(InputError, match="the run has no such year"):
        plot.season_run(run, 2031)


@pytest.mark.parametrize("kind", ["map", "sankey", "dispatch", "duration", "prices"])
def test_season_kinds_on_a_pathway_run(run: heatnet.StoredRun, kind: str) -> None:
    fig = plot.run_figure(kind, run)
    assert "· 2028" in fig.layout.title.text
    assert "· 2025" in plot.run_figure(kind, run, year=2025).layout.title.text


def test_map_of_a_year_draws_that_years_decisions(run: heatnet.StoredRun) -> None:
    def pipe_decisions(fig: Any) -> set[str]:
        return {t.meta["decision"] for t in fig.data if t.meta and "decision" in t.meta}

    first = plot.run_figure("map", run, year=2025)
    last = plot.run_figure("map", run)
    assert "built" not in pipe_decisions(first)
    assert "built" in pipe_decisions(last)


def test_cli_plot_pathway_run(run_dir: Path) -> None:
    runner = CliRunner()
    for kind in ("map", "sankey", "dispatch"):
        res = runner.invoke(cli, ["plot", str(run_dir), "--kind", kind])
        assert res.exit_code == 0, res.output
        assert (run_dir / f"{kind}.html").is_file()
        res = runner.invoke(cli, ["plot", str(run_dir), "--kind", kind, "--year", "2026"])
        assert res.exit_code == 0, res.output
        text = (run_dir / f"{kind}-2026.html").read_text("utf-8")
        assert "pathway \\u00b7 2026" in text or "pathway · 2026" in text  # the title
    for kind in plot.PATHWAY_KINDS:
        res = runner.invoke(cli, ["plot", str(run_dir), "--kind", kind])
        assert res.exit_code == 0, res.output
        assert (run_dir / f"{kind}.html").is_file()
    res = runner.invoke(cli, ["plot", str(run_dir), "--kind", "map", "--year", "2030"])
    assert res.exit_code == 1
    assert "the run has no such year" in res.output
    assert "2025, 2026, 2027, 2028" in res.output
    res = runner.invoke(cli, ["plot", str(run_dir), "--kind", "timeline", "--year", "2026"])
    assert res.exit_code == 1
    assert "--year does not apply to timeline" in res.output


# --- report -----------------------------------------------------------------------------------


def test_report_pathway_section(run: heatnet.StoredRun) -> None:
    text = run_report_html(run)
    for div in ("fig-timeline", "fig-co2-path", "fig-costs-by-year", "fig-sankey", "fig-map"):
        assert f'id="{div}"' in text
    section = text[text.index('<h2 id="pathway">') : text.index("<h2>Summary of 2028</h2>")]
    assert fmt.money(run.summary["pathway"]["npv_cny"]) in section
    assert "2025–2028 (4 heating seasons)" in section
    assert "the last year, 2028" in section
    # the per-year table: one row per year, costs, CO2 and cap in one unit, decisions named
    rows = section[section.index("<th>year</th>") :].split("<tr>")[1:]
    assert len(rows) == len(YEARS)
    assert "<th>CO2 [kt]</th>" in section
    assert "<th>CO2 cap [kt]</th>" in section
    cells = [[c.split(">", 1)[1] for c in r.split("</td>")[:-1]] for r in rows]
    assert [c[0] for c in cells] == [str(y) for y in YEARS]
    assert cells[0][1] == f"{cost_breakdown(0)['total_cny'] / 1e6:,.1f}"
    assert [c[5] for c in cells] == ["5.2", "5.6", "3.1", "2.9"]
    assert [c[6] for c in cells] == ["none", "none", "4.0", "3.5"]
    assert cells[2][8] == "1: COAL (燃煤热源厂 C)"
    assert cells[1][9] == "1: P1 (长输线 1段)"
    assert cells[0][8] == "none"
    # the season sections are the last year's, and say so
    assert "<h2>Network map of 2028</h2>" in text
    assert EVIL not in text.replace(text[text.index("<script") : text.index("</script>")], "")


def test_write_report_of_a_pathway_run(run_dir: Path) -> None:
    res = CliRunner().invoke(cli, ["report", str(run_dir)])
    assert res.exit_code == 0, res.output
    assert 'id="pathway"' in (run_dir / "report.html").read_text("utf-8")


def test_one_season_report_has_no_pathway_section(tiny_dir: Path) -> None:
    text = write_report(tiny_dir, tiny_dir / "r.html").read_text("utf-8")
    assert 'id="pathway"' not in text
    assert "fig-timeline" not in text
    assert "<h2>Summary</h2>" in text


# --- a real pathway solve ---------------------------------------------------------------------


def test_end_to_end_pathway_solve(tmp_path: Path) -> None:
    """tiny_net over three seasons: the carbon price jumps to 5,000 CNY/t in 2027, which makes
    the coal point (fixed cost 1.6 M CNY/year) not worth keeping from then on; the long line
    P1 can be built from 2026 (earliest_year), and is. A cap from 2027 and a peak year 2026.
    The solve's run folder draws every figure and the report."""
    net = heatnet.io.read_network(tiny_net(tmp_path / "net", coal_fixed_cny=1.6e6))[0]
    assert net is not None
    pipes = net.pipes.assign(earliest_year=math.nan)
    pipes.loc["P1", "earliest_year"] = 2026
    pathway = heatnet.network.Pathway(
        years=(2025, 2026, 2027),
        carbon_price_cny_per_t=((2025, 0.0), (2026, 0.0), (2027, 5000.0)),
        co2_cap_t=((2027, 1000.0),),
        co2_peak_year=2026,
    )
    solved = heatnet.solve(net.replace(pathway=pathway, pipes=pipes), name="pw")
    assert solved.is_optimal, solved.summary["status"]
    folder = solved.write(tmp_path / "results", name="pw")
    run = heatnet.read_run(folder)
    years = [2025, 2026, 2027]

    # the timeline: COAL kept, then retired from 2027; P1 not available, then built from 2026
    fig = plot.pathway_figure("timeline", run)
    assert list(fig.data[0].meta["years"]) == years
    states = states_of(fig)
    assert states["source:COAL"] == {2025: "kept", 2026: "kept", 2027: "retired"}
    assert states["pipe:P1"] == {2025: "unavailable", 2026: "built", 2027: "built"}
    assert states["source:HP"] == dict.fromkeys(years, "not_built")
    (earliest,) = [t for t in fig.data if t.meta and "marks" in t.meta]
    assert earliest.meta["marks"] == [["pipe:P1", 2026]]

    # the cost stack adds up to each season's cost; the CO2 path and its cap
    per = run.summary["pathway"]["per_year"]
    bars = [t for t in plot.costs_by_year_figure(run).data if t.type == "bar"]
    for i, entry in enumerate(per):
        assert sum(float(t.y[i]) for t in bars) == pytest.approx(
            entry["objective_cny"] / 1e6, rel=1e-6, abs=1e-6
        )
    co2 = plot.co2_path_figure(run)
    assert [float(c) for c in co2.data[0].meta["co2_t"]] == pytest.approx([e["co2_t"] for e in per])
    (cap,) = [t for t in co2.data if t.name == "CO2 cap"]
    assert list(cap.x) == [2027]
    assert co2.layout.meta["co2_peak_year"] == 2026

    # the season figures of any year, from the run folder and through the command line
    assert plot.season_run(run, 2026).summary["kept"] == ["COAL"]
    assert plot.season_run(run).summary["retired"] == ["COAL"]
    for kind in ("map", "sankey", "dispatch", "duration", "prices"):
        for year in (None, 2025):
            assert plot.run_figure(kind, run, year=year).data
    res = CliRunner().invoke(cli, ["plot", str(folder), "--kind", "sankey", "--year", "2026"])
    assert res.exit_code == 0, res.output
    assert (folder / "sankey-2026.html").is_file()
    text = run_report_html(run)
    assert 'id="fig-timeline"' in text
    assert "the last year, 2027" in text
    assert year_tables(run.tables)["sources"].index.is_unique


def test_security_of_a_pathway_year(tmp_path: Path) -> None:
    """secure_city with security (P binds, tests/plot_nets.solve_secure) over two seasons:
    the security figure of each year reads that year's table, with the binding case of that
    year framed, and the report has both the pathway and the security sections."""
    from heatnet.network import Security
    from tests.test_security import secure_city

    net = heatnet.load_network(secure_city(tmp_path / "net"))
    sources = net.sources.copy()
    sources.loc["COAL", "capacity_mw"] = 20.0
    net = net.replace(
        sources=sources,
        security=Security(0.5, contingencies=("P",)),
        pathway=heatnet.network.Pathway(years=(2025, 2026)),
    )
    solved = heatnet.solve(net, heatnet.SolveOptions(heat_prices=False), name="sec")
    assert solved.is_optimal, solved.summary["status"]
    run = heatnet.read_run(solved.write(tmp_path / "results", name="sec"))
    for year in (2025, 2026):
        season = plot.season_run(run, year)
        assert season.summary["security"]["binding"] == ["P"]
        assert season.summary["security"]["min_served_share"] == pytest.approx(0.5)
        fig = plot.run_figure("security", run, year=year)
        assert f"sec · {year}" in fig.layout.title.text
        assert len(fig.data[0].meta["binding_cells"]) == 1
    text = run_report_html(run)
    assert 'id="pathway"' in text
    assert 'id="security"' in text
