"""Reports in a real headless Chromium, and static export (PNG, SVG, PDF) through kaleido.

Skipped when no Chromium is found, unless HEATNET_REQUIRE_BROWSER=1 (CI), where they fail.
Playwright drives the system Chromium (no browser download). Screenshots are kept in
``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import heatnet
from heatnet import plot
from heatnet.cli import cli
from heatnet.export import write_static
from heatnet.report import write_report
from heatnet.storage import read_study
from tests.plot_nets import (
    EVIL,
    jinan_run,
    require_browser,
    solve_secure,
    solve_tiny,
    write_study,
)
from tests.test_pathway_plots import write_pathway_run

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PLOTS_READY = """() => {
  const divs = Array.from(document.querySelectorAll('.js-plotly-plot'));
  return divs.length > 0 && divs.every(d => d._fullLayout && d.querySelector('svg.main-svg'));
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = require_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extra
        if os.environ.get("HEATNET_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        yield b
        b.close()


class Page:
    """A page that records console errors, uncaught exceptions, dialogs and requests."""

    def __init__(self, browser: Any, html_file: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(html_file.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function(PLOTS_READY, timeout=30_000)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def eval(self, script: str) -> Any:
        return self.page.evaluate(script)


def test_jinan_report_renders_offline(browser: Any, tmp_path: Path) -> None:
    report = write_report(jinan_run(), tmp_path / "jinan_report.html")
    page = Page(browser, report)
    assert page.errors == []
    assert page.requests == [report.resolve().as_uri()]  # nothing fetched: works offline
    # the Sankey is drawn, with Chinese names as written
    labels = page.eval(
        "Array.from(document.querySelectorAll('#fig-sankey .sankey-node "
        ".node-label')).map(n => n.textContent)"
    )
    assert len(labels) > 20
    assert "聊热入济 北线 (2025)" in labels
    assert any(x.startswith("信源电厂余热") for x in labels)
    links = page.eval("document.querySelectorAll('#fig-sankey .sankey-link').length")
    assert links > 20
    # the map: one drawn segment per pipe (a few line traces, a gap between segments), node
    # markers, equal-aspect lon/lat axes
    n_pipes = len(heatnet.read_run(jinan_run()).tables["pipes"])
    segments = page.eval(
        "Array.from(document.querySelectorAll('#fig-map .scatterlayer .trace .js-line'))"
        ".map(p => ((p.getAttribute('d') || '').match(/M/g) || []).length)"
        ".reduce((a, b) => a + b, 0)"
    )
    assert segments == n_pipes
    assert page.eval("document.getElementById('fig-map').data.length") < n_pipes
    markers = page.eval("document.querySelectorAll('#fig-map .scatterlayer .point').length")
    assert markers > 20
    assert page.eval("document.querySelector('#fig-map .xtitle').textContent") == ("longitude [°E]")
    # the legend: sources by technology and the width scale (three lines of different width)
    legend = page.eval(
        "Array.from(document.querySelectorAll('#fig-map .legend .legendtext'))"
        ".map(n => n.textContent)"
    )
    assert {"source: waste heat", "source: CHP", "source: coal boiler"} <= set(legend)
    assert "source in service" not in legend
    scale = [x for x in legend if x.endswith(" GWh")]
    assert len(scale) == 3
    widths = page.eval("""() => {
      const items = Array.from(document.querySelectorAll('#fig-map .legend .traces'));
      return items.filter(g => g.querySelector('.legendtext').textContent.endsWith(' GWh'))
        .map(g => parseFloat(g.querySelector('.legendlines path').style.strokeWidth));
    }""")
    assert len(set(widths)) == 3
    assert widths == sorted(widths, reverse=True)
    # labels: short names, long lines by their project
    texts = page.eval(
        "Array.from(document.querySelectorAll('#fig-map .textpoint text')).map(n => n.textContent)"
    )
    assert "信源电厂 余热首站" in texts
    assert "聊热入济 北线 (2025)" in texts
    # the marginal heat price: one drawn line per demand district, plus all districts
    run = heatnet.read_run(jinan_run())
    districts = plot.price_means(run)
    assert len(districts) == run.tables["nodes"]["node"].nunique()
    lines = page.eval(
        "Array.from(document.querySelectorAll('#fig-prices .scatterlayer .trace .js-line'))"
        ".filter(p => (p.getAttribute('d') || '').length > 20).length"
    )
    assert lines == len(districts) + 1
    legend = page.eval(
        "Array.from(document.querySelectorAll('#fig-prices .legend .legendtext'))"
        ".map(n => n.textContent)"
    )
    assert len(legend) == len(districts) + 1
    assert all(" CNY/MWh)" in x and "(mean " in x for x in legend)
    assert page.eval("document.querySelector('#fig-prices .ytitle').textContent") == (
        "marginal heat price [CNY/MWh]"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.locator("#fig-prices").screenshot(path=str(ARTIFACTS / "jinan_prices.png"))
    page.page.screenshot(path=str(ARTIFACTS / "jinan_report.png"), full_page=True)
    page.page.locator("#fig-sankey").screenshot(path=str(ARTIFACTS / "jinan_sankey.png"))
    page.page.locator("#fig-map").screenshot(path=str(ARTIFACTS / "jinan_map.png"))
    assert (ARTIFACTS / "jinan_report.png").stat().st_size > 10_000


def test_security_section_renders(browser: Any, tmp_path: Path) -> None:
    """A run of secure_city with security (P binds): the report's heatmap is drawn with its
    binding cell framed, and the page has no JavaScript errors."""
    report = write_report(solve_secure(tmp_path, "secure"), tmp_path / "secure_report.html")
    page = Page(browser, report)
    assert page.errors == []
    assert page.requests == [report.resolve().as_uri()]
    assert page.eval("document.getElementById('security').textContent") == "Security of supply"
    drawn = page.eval("document.querySelectorAll('#fig-security .heatmaplayer image').length")
    assert drawn == 1  # the heatmap is painted (plotly draws it as one image)
    assert page.eval("document.getElementById('fig-security').data[0].type") == "heatmap"
    frames = page.eval("document.querySelectorAll('#fig-security .shapelayer path').length")
    assert frames == 1  # the binding cell (P, city) is framed
    cells = page.eval("document.querySelector('#fig-security .heatmaplayer').textContent")
    assert "100.0 %" in cells
    assert "50.0 %min" in cells  # the binding cell's text: its share, then "min"
    assert page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.locator("#fig-security").screenshot(path=str(ARTIFACTS / "security_heatmap.png"))


def test_pathway_section_renders(browser: Any, tmp_path: Path) -> None:
    """A pathway run (the hand-made run of test_pathway_plots: COAL retired from 2027 with a
    2028 deadline, P1 built in 2026, caps in 2027 and 2028, peak year 2026): the timeline and
    the CO2 path are drawn, with their marks, names and hover, and the page has no errors."""
    report = write_report(write_pathway_run(tmp_path), tmp_path / "pathway_report.html")
    page = Page(browser, report)
    assert page.errors == []
    assert page.requests == [report.resolve().as_uri()]
    assert page.eval("document.getElementById('pathway').textContent") == "Pathway"
    # the timeline: one painted heatmap, the years across, the elements' names down
    assert page.eval("document.querySelectorAll('#fig-timeline .heatmaplayer image').length") == 1
    ticks = page.eval(
        "Array.from(document.querySelectorAll('#fig-timeline .xtick text')).map(n => n.textContent)"
    )
    assert ticks == ["2025", "2026", "2027", "2028"]
    rows = page.eval(
        "Array.from(document.querySelectorAll('#fig-timeline .ytick text')).map(n => n.textContent)"
    )
    assert rows[0] == "燃煤热源厂 C"
    assert rows[-1] == "5 other elements (no decision)"
    cells = page.eval("document.querySelector('#fig-timeline .heatmaplayer').textContent")
    assert "retired" in cells
    assert "not yet" in cells
    bold = page.eval(
        "Array.from(document.querySelectorAll('#fig-timeline .heatmaplayer text tspan'))"
        ".filter(t => t.style.fontWeight === 'bold').map(t => t.textContent)"
    )
    assert sorted(bold) == ["built", "in service", "retired"]  # P1, TIE, COAL: change years
    # the deadline and earliest-year bars are drawn, and in the legend
    bars = page.eval(
        "Array.from(document.querySelectorAll('#fig-timeline .scatterlayer .trace .js-line'))"
        ".filter(p => (p.getAttribute('d') || '').includes('M')).length"
    )
    assert bars == 4  # one bar per mark: COAL's deadline, P1's, PX's and TIE's earliest year
    legend = page.eval(
        "Array.from(document.querySelectorAll('#fig-timeline .legend .legendtext'))"
        ".map(n => n.textContent)"
    )
    assert "retire-by deadline (retired from this year on)" in legend
    assert "not yet available" in legend
    hover = page.eval("""() => {
      const gd = document.getElementById('fig-timeline');
      Plotly.Fx.hover(gd, {xval: 3, yval: 0});  // COAL's row, the 2028 column
      return document.querySelector('#fig-timeline .hoverlayer').textContent;
    }""")
    assert "2028: retired" in hover
    assert "retire by 2028 (deadline)" in hover
    # the CO2 path: four bars with their values, the cap over the capped years only, the peak
    assert page.eval("document.querySelectorAll('#fig-co2-path .barlayer .point').length") == 4
    labels = page.eval(
        "Array.from(document.querySelectorAll('#fig-co2-path .barlayer text'))"
        ".map(n => n.textContent)"
    )
    assert labels == ["5.2 kt", "5.6 kt", "3.1 kt", "2.9 kt"]
    cap = page.eval("""() => {
      const gd = document.getElementById('fig-co2-path');
      const i = gd.data.findIndex(t => t.name === 'CO2 cap');
      const path = gd.querySelectorAll('.scatterlayer .trace')[0].querySelector('.js-line');
      return {x: gd.data[i].x, drawn: (path.getAttribute('d') || '').split('L').length};
    }""")
    assert cap == {"x": [2027, 2028], "drawn": 2}
    assert page.eval("document.querySelector('#fig-co2-path .ytitle').textContent") == (
        "CO2 of the season [kt]"
    )
    notes = page.eval(
        "Array.from(document.querySelectorAll('#fig-co2-path .annotation-text'))"
        ".map(n => n.textContent)"
    )
    assert "→ peak year 2026: no rise from here on" in notes
    assert page.eval("document.querySelectorAll('#fig-costs-by-year .barlayer .point').length")
    assert page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.locator("#fig-timeline").screenshot(path=str(ARTIFACTS / "pathway_timeline.png"))
    page.page.locator("#fig-co2-path").screenshot(path=str(ARTIFACTS / "pathway_co2_path.png"))
    page.page.locator("#fig-costs-by-year").screenshot(
        path=str(ARTIFACTS / "pathway_costs_by_year.png")
    )


def test_script_name_is_shown_as_text(browser: Any, tmp_path: Path) -> None:
    report = write_report(solve_tiny(tmp_path), tmp_path / "tiny.html")
    page = Page(browser, report)
    assert page.errors == []
    assert page.dialogs == []  # alert(1) never ran
    labels = page.eval(
        "Array.from(document.querySelectorAll('#fig-sankey .node-label')).map(n => n.textContent)"
    )
    assert any(EVIL[:20] in x for x in labels)  # shown as text (cut to the label width)
    cells = page.eval("Array.from(document.querySelectorAll('td')).map(td => td.textContent)")
    assert EVIL in cells
    scripts = page.eval(
        "Array.from(document.querySelectorAll('script'))"
        ".filter(s => s.textContent.includes('alert(1)')).length"
    )
    injected = page.eval(
        "Array.from(document.querySelectorAll('script'))"
        ".filter(s => s.textContent.trim() === 'alert(1)').length"
    )
    assert injected == 0
    assert scripts <= 2  # only the scripts holding figure data (escaped text) mention it
    hover = page.eval("""() => {
      const gd = document.getElementById('fig-map');
      const i = gd.data.findIndex(t => t.name === 'district (demand)');
      const j = gd.data[i].customdata.findIndex(c => c.includes('node B'));
      Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: j}]);
      return document.querySelector('#fig-map .hoverlayer').textContent;
    }""")
    assert EVIL in hover  # the map's hover text shows the name as text too
    assert page.dialogs == []
    assert page.errors == []


def test_static_export_every_kind(tmp_path: Path) -> None:
    require_browser()
    run = heatnet.read_run(solve_tiny(tmp_path / "run"))
    runs = read_study(
        write_study(tmp_path / "study", {"base": {}, "keep": {"coal_fixed_cny": 0.0}})
    ).runs
    secure = heatnet.read_run(solve_secure(tmp_path / "secure", "secure"))
    priced = heatnet.read_run(solve_tiny(tmp_path / "priced", prices=True))
    special = {"security": secure, "prices": priced}
    figures = {kind: plot.run_figure(kind, special.get(kind, run)) for kind in plot.RUN_KINDS}
    pathway = heatnet.read_run(write_pathway_run(tmp_path / "pathway"))
    figures.update({kind: plot.pathway_figure(kind, pathway) for kind in plot.PATHWAY_KINDS})
    figures.update({kind: plot.comparison_figure(kind, runs) for kind in plot.COMPARISON_KINDS})
    items = [
        (fig, tmp_path / "out" / f"{kind}.{fmt}")
        for kind, fig in figures.items()
        for fmt in ("png", "svg")
    ]
    items.append((figures["sankey"], tmp_path / "out" / "sankey.pdf"))
    written = write_static(items)
    assert len(written) == len(plot.FIGURE_KINDS) * 2 + 1
    for path in written:
        data = path.read_bytes()
        assert len(data) > 1000, path
        if path.suffix == ".png":
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
        elif path.suffix == ".svg":
            assert b"<svg" in data[:500]
            assert EVIL.encode() not in data
        else:
            assert data[:5] == b"%PDF-"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "tiny_map.png").write_bytes((tmp_path / "out" / "map.png").read_bytes())


def test_cli_static_export(tmp_path: Path) -> None:
    require_browser()
    run_dir = solve_tiny(tmp_path)
    res = CliRunner().invoke(cli, ["plot", str(run_dir), "--kind", "dispatch", "--format", "svg"])
    assert res.exit_code == 0, res.output
    assert (run_dir / "dispatch.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
