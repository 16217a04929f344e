"""Plan reports: one self-contained HTML file per run or study, and the study-folder loader.

:func:`write_report` turns a run folder (``results/<run>/``) or a study folder
(``results/<study>/`` with ``index.csv`` and/or ``pareto.csv`` and one run folder per scenario
or point) into ``report.html``: the summary tables and every figure of :mod:`heatnet.plot`,
with plotly.js inlined once, so the file opens offline and can be mailed as it is. Every name
is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from heatnet import fmt as human
from heatnet import plot
from heatnet.compare import NEAR_TIE_SHARE, pareto_steps
from heatnet.errors import InputError, Problem
from heatnet.explain import EXPLAIN_FILE, display_rows, read_explain
from heatnet.export import PLOTLY_CONFIG
from heatnet.plot import esc
from heatnet.storage import RunSummary, Study, is_blank, is_study, read_run, read_study
from heatnet.trace import security_needs, security_short, trace_heat

REPORT_FILE = "report.html"
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)
"""Content-Security-Policy of the report: nothing may be loaded from anywhere."""
STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
       sans-serif; margin: 1.5rem auto; max-width: 1400px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
p.meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .92rem; }
th, td { border: 1px solid #ddd; padding: .25rem .55rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
table.kv td:first-child { white-space: nowrap; background: #fafafa; }
.banner { padding: .6rem 1rem; border-radius: 4px; margin: .8rem 0; }
.ok { background: #e8f5e9; border: 1px solid #a5d6a7; }
.warn { background: #fdecea; border: 1px solid #f5a9a3; }
.figure { margin: 1rem 0 2rem; }
"""


# --- HTML building blocks ---------------------------------------------------------------------


def figure_div(fig: go.Figure, div_id: str) -> str:
    """A figure as an HTML fragment (no plotly.js; the page carries it once)."""
    body = pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config=PLOTLY_CONFIG,
    )
    return f'<div class="figure" id="{esc(div_id)}-box">{body}</div>'


def html_table(
    rows: Sequence[Sequence[object]], header: Sequence[str] | None = None, css_class: str = ""
) -> str:
    """A table from rows of cells; text is escaped, numbers are right-aligned."""
    out = [f'<table class="{esc(css_class)}">' if css_class else "<table>"]
    if header:
        out.append("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        cells = []
        for cell in row:
            cls = ' class="num"' if isinstance(cell, (int, float)) else ""
            cells.append(f"<td{cls}>{_fmt(cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _fmt(cell: object) -> str:
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float):
        return "" if math.isnan(cell) else f"{cell:,.1f}"
    if isinstance(cell, int):
        return f"{cell:,d}"
    return esc("" if cell is None else cell)


def page(title: str, body: str) -> str:
    """A complete HTML page with plotly.js inlined once in the head."""
    try:
        version = metadata.version("heatnet")
    except metadata.PackageNotFoundError:  # pragma: no cover
        version = "unknown"
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n</head>\n<body>\n'
        f'{body}\n<p class="meta">made by heatnet {esc(version)} on {esc(stamp)}; opens '
        "offline (plotly.js is inside this file)</p>\n</body>\n</html>\n"
    )


def _gwh(mwh: float | None) -> float:
    return float(mwh or 0.0) / plot.MWH_PER_GWH


def _mcny(cny: float | None) -> float:
    return float(cny or 0.0) / plot.CNY_PER_MCNY


def _names(ids: Sequence[str], names: dict[str, str], max_chars: int = 24) -> str:
    """``id (short name)`` for each id, or "none"."""
    if not ids:
        return "none"
    out = []
    for i in ids:
        name = names.get(i, i)
        out.append(i if name == i else f"{i} ({plot.shorten(name, max_chars)})")
    return f"{len(ids)}: " + "; ".join(out)


def status_banner(summary: RunSummary) -> str:
    """Green line for a proven optimum, red warning otherwise."""
    gap = summary.get("mip_gap")
    gap_txt = f"{gap * 100:.3g} %" if gap is not None else "n/a"
    if summary.get("optimal"):
        return (
            f'<div class="banner ok">proven optimal (HiGHS: {esc(summary.get("termination"))}'
            f", gap {esc(gap_txt)})</div>"
        )
    return (
        f'<div class="banner warn"><b>NOT OPTIMAL</b>: status {esc(summary.get("status"))} '
        f"(HiGHS: {esc(summary.get('termination'))}), gap {esc(gap_txt)}: the figures are "
        "from the best plan found, not a proven optimum</div>"
    )


def summary_rows(run: plot.RunResults) -> list[tuple[str, object]]:
    """Key figures of a run as (label with unit, value) rows."""
    s = run.summary
    info = plot.source_info(run)
    src_names = dict(info["name"])
    pipes = run.network.pipes
    pipe_names = plot.display_names(pipes, pipes.index)
    rows: list[tuple[str, object]] = [
        ("network", s.get("network", "")),
        ("run folder", str(getattr(run, "folder", ""))),
        ("status", s.get("status", "")),
        ("annual cost [M CNY]", _mcny(s.get("objective_cny"))),
        ("annual cost [亿 CNY]", float(s.get("objective_cny") or 0.0) / 1e8),
        (
            "best bound [M CNY]",
            human.MISSING if s.get("bound_cny") is None else _mcny(s.get("bound_cny")),
        ),
        ("CO2 of the season [kt]", float(s.get("co2_t") or 0.0) / plot.T_PER_KT),
        ("heat demand [GWh]", _gwh(s.get("heat_demand_mwh"))),
        ("heat served [GWh]", _gwh(s.get("heat_served_mwh"))),
        ("unserved heat [GWh]", _gwh(s.get("unserved_mwh"))),
        ("heat produced [GWh]", _gwh(s.get("heat_produced_mwh"))),
        ("pipe losses [GWh]", _gwh(s.get("losses_mwh"))),
        ("waste-heat share [%]", float(s.get("waste_heat_share") or 0.0) * 100),
        ("CHP share [%]", float(s.get("chp_share") or 0.0) * 100),
        ("coal share [%]", float(s.get("coal_share") or 0.0) * 100),
        ("retirable sources retired", _names(s.get("retired", []), src_names)),
        ("retirable sources kept", _names(s.get("kept", []), src_names)),
        ("pipes built", _names(s.get("built_pipes", []), pipe_names)),
        ("sources built", _names(s.get("built_sources", []), src_names)),
        (
            "candidates not built",
            _names(
                s.get("not_built_pipes", []) + s.get("not_built_sources", []),
                {**src_names, **pipe_names},
            ),
        ),
        ("periods / season hours", f"{s.get('periods', '')} / {s.get('season_hours', '')}"),
    ]
    return [(k, f"{v:,.1f}" if isinstance(v, float) else v) for k, v in rows]


def district_rows(run: plot.RunResults) -> list[list[object]]:
    """One row per demand node: id, name, season demand and unserved heat, peak demand."""
    nodes = run.tables.get("nodes")
    if nodes is None:
        return []
    names = plot.display_names(run.network.nodes, run.network.nodes.index)
    g = nodes.groupby("node", sort=False)
    season = g[["demand_mwh", "unserved_mwh"]].sum()
    peak = g[["demand_mw", "unserved_mw"]].max()
    return [
        [
            str(n),
            names.get(str(n), str(n)),
            _gwh(season.at[n, "demand_mwh"]),
            _gwh(season.at[n, "unserved_mwh"]),
            float(peak.at[n, "demand_mw"]),
            float(peak.at[n, "unserved_mw"]),
        ]
        for n in season.index
    ]


def sources_rows(run: plot.RunResults) -> list[list[object]]:
    """One row per source: id, name, technology, decision, capacity, heat, CO2, cost."""
    src = run.tables.get("sources")
    if src is None:
        return []
    info = plot.source_info(run)
    rows = []
    for sid in src.index:
        r = src.loc[sid]
        rows.append(
            [
                str(sid),
                info.at[str(sid), "name"],
                plot.tech_label(str(r["technology"])),
                str(r["decision"]).replace("_", " "),
                float(r["capacity_mw"]),
                _gwh(r["heat_mwh"]),
                float(r["capacity_factor"]) * 100,
                float(r["co2_t"]) / plot.T_PER_KT,
                _mcny(r["total_cost_cny"]),
            ]
        )
    return rows


def explain_section(folder: str | os.PathLike[str] | None) -> str:
    """The "How firm is each decision" section from the run's ``explain.csv`` (written by
    ``heatnet explain``); "" when the run has none."""
    table = read_explain(folder) if folder else None
    if table is None:
        return ""
    header, rows = display_rows(table)
    ties = int(table["near_tie"].sum()) if "near_tie" in table.columns else 0
    limit = table["near_tie_limit_cny"].dropna() if "near_tie_limit_cny" in table else None
    margin = (
        f" (a flip costing less than {esc(human.money(float(limit.iloc[0])))} a year)"
        if limit is not None and len(limit)
        else ""
    )
    return (
        "<h2>How firm is each decision</h2>"
        f'<p class="meta">each retirement and build decision fixed the other way, one solve '
        f"each (heatnet explain; {EXPLAIN_FILE}); sorted by the change in annual cost. "
        f"{ties} of {len(table)} are near ties{margin}: the cost alone does not decide "
        "them.</p>\n" + html_table(rows, header)
    )


def security_rows(run: plot.RunResults) -> list[tuple[str, str]]:
    """The summary's security block as (label, text) rows, numbers through :mod:`heatnet.fmt`
    (shares in %, money in M CNY)."""
    b = run.summary.get("security") or {}
    pipes = run.network.pipes
    names = {**dict(plot.source_info(run)["name"]), **plot.display_names(pipes, pipes.index)}
    ids = [str(c) for c in b.get("contingencies") or []]
    rows = [
        ("served share in every outage (α)", human.percent(b.get("served_share"))),
        ("served share of the intact plan", human.percent(b.get("intact_share", 1.0))),
        ("design factor", human.plain(b.get("design_factor", 1.0))),
        ("design period", str(b.get("design_period", human.MISSING))),
        ("contingencies checked", _names(ids, names)),
    ]
    if b.get("skipped"):
        rows.append(("skipped (retired or unavailable)", _names(list(b["skipped"]), names)))
    rows += [
        ("binding", _names([str(x) for x in b.get("binding") or []], names)),
        ("lowest served share in an outage", human.percent(b.get("min_served_share"))),
    ]
    if "cost_of_security_cny" in b:
        status = b.get("cost_of_security_status")
        cost = human.money(b.get("cost_of_security_cny"))
        rows.append(
            (
                "cost of security [per year]",
                cost if status in (None, "optimal") else f"{cost} (solve without: {status})",
            )
        )
    return rows


def security_need_rows(run: plot.RunResults) -> list[list[str]]:
    """One row per district at the minimum in a binding case: case, district, served share,
    and the plan's kept or built elements that can still reach it
    (:func:`heatnet.trace.security_needs`)."""
    short = security_short(run)
    if short.empty:
        return []
    needs = security_needs(run)
    cases = list(dict.fromkeys(zip(short["contingency"], short["kind"], strict=True)))
    labels = plot.security_case_labels(run, cases)
    node_names = plot.display_names(run.network.nodes, run.network.nodes.index)
    pipes = run.network.pipes
    names = {**dict(plot.source_info(run)["name"]), **plot.display_names(pipes, pipes.index)}
    rows = []
    for r in short.itertuples():
        mine = needs[(needs["contingency"] == r.contingency) & (needs["node"] == r.node)]
        elements = "; ".join(
            f"{e.kind} {e.element}"
            + ("" if names.get(e.element, e.element) == e.element else f" ({names[e.element]})")
            + f": {str(e.decision).replace('_', ' ')}, {human.power(e.capacity_mw)}"
            for e in mine.itertuples()
        )
        rows.append(
            [
                labels[r.contingency],
                f"{node_names.get(r.node, r.node)} ({r.node})",
                f"{human.percent(r.served_share)} (minimum {human.percent(r.min_share)})",
                elements or "none: only existing elements reach it",
            ]
        )
    return rows


def security_section(run: plot.RunResults) -> str:
    """The "Security of supply" section of a run report: the summary's security block, the
    case × district heatmap (:func:`heatnet.plot.security_figure`) and the binding cases'
    elements; ``""`` for a run without a security block."""
    if not run.summary.get("security"):
        return ""
    parts = [
        '<h2 id="security">Security of supply</h2>',
        html_table(security_rows(run), ["figure", "value"], "kv"),
    ]
    if run.tables.get("security") is None:
        parts.append("<p>No plan to check: the solve found none.</p>")
        return "\n".join(parts)
    parts.append(figure_div(plot.security_figure(run), "fig-security"))
    rows = security_need_rows(run)
    if rows:
        parts += [
            "<h3>What the binding cases lean on</h3>",
            "<p>For each district at its minimum share in a binding case: the sources this "
            "plan keeps or builds, and the pipes it builds, that can still get heat to the "
            "district with the failed element out (paths in the plan's network, pipes in "
            "their direction). What can deliver, read from the tables without a solve; "
            "existing elements are not listed.</p>",
            html_table(
                rows,
                ["case", "district", "served share", "kept or built elements that reach it"],
            ),
        ]
    else:
        parts.append("<p>No case binds: every district gets more than the minimum share.</p>")
    return "\n".join(parts)


def prices_section(run: plot.RunResults) -> str:
    """The "Marginal heat price by district" section of a run report: the price figure
    (:func:`heatnet.plot.prices_figure`) and one row per district with its season's
    demand-weighted mean, lowest and highest price; a note when the run has no prices."""
    parts = ['<h2 id="prices">Marginal heat price by district</h2>']
    prices = run.tables.get("prices")
    if prices is None or prices.empty:
        parts.append(
            "<p>No prices: this run was solved without nodal prices (heatnet solve "
            "--no-prices, or a run of a sweep, which skips the price LP).</p>"
        )
        return "\n".join(parts)
    means = plot.price_means(run)
    names = plot.display_names(run.network.nodes, run.network.nodes.index)
    p = prices.assign(node=prices["node"].astype(str)).groupby("node")["price_cny_per_mwh"]
    low, high = p.min(), p.max()
    rows = [
        [
            r.node,
            names.get(r.node, r.node),
            human.energy(r.demand_mwh),
            human.rate(r.mean_cny_per_mwh, plot.PRICE_UNIT),
            human.rate(low.get(r.node), plot.PRICE_UNIT),
            human.rate(high.get(r.node), plot.PRICE_UNIT),
        ]
        for r in means.itertuples()
    ]
    parts += [
        "<p>The cost of one more MWh of heat at each district in each period, from the LP with "
        "this plan's decisions fixed (prices.csv). The mean is weighted by the district's "
        "demand over the season. A price far above the fuel costs means a capacity limit "
        "binds there, or heat is left unserved (the penalty).</p>",
        figure_div(plot.prices_figure(run), "fig-prices"),
        html_table(
            rows,
            [
                "id",
                "name",
                "demand of the season",
                "mean price (demand-weighted)",
                "lowest price",
                "highest price",
            ],
        ),
    ]
    return "\n".join(parts)


PATHWAY_HEADER = (
    "year",
    "cost of the season [M CNY]",
    "discounted cost [M CNY]",
    "discount factor",
    "carbon price [CNY/t CO2]",
    "CO2",
    "CO2 cap",
    "unserved heat",
    "retired this year",
    "built this year",
)
"""Columns of the per-year table of a pathway report (the CO2 and unserved-heat headers get
their unit from :func:`heatnet.fmt.column`)."""


def pathway_rows(run: plot.RunResults) -> tuple[list[str], list[list[object]]]:
    """The per-year table of a pathway run: one row per year with the season's cost
    (undiscounted) and discounted cost [M CNY], discount factor, carbon price, CO2 and cap
    (one unit for both; ``none`` for a year without a cap), unserved heat, and the elements
    retired and built that year (id and name)."""
    per = plot.pathway_table(run)
    names = {
        **dict(zip(run.network.sources.index.astype(str), _display(run, "sources"), strict=True)),
        **dict(zip(run.network.pipes.index.astype(str), _display(run, "pipes"), strict=True)),
    }
    co2 = list(per["co2_t"])
    caps = [None if math.isnan(c) else c for c in per["co2_cap_t"]]
    co2_unit, co2_cells = human.column("co2_t", co2 + [c for c in caps if c is not None])
    cap_cells = iter(co2_cells[len(co2) :])
    energy_unit, unserved = human.column("unserved_mwh", list(per["unserved_mwh"]))
    header = list(PATHWAY_HEADER)
    header[5:8] = [f"CO2 [{co2_unit}]", f"CO2 cap [{co2_unit}]", f"unserved heat [{energy_unit}]"]
    rows: list[list[object]] = []
    for i, r in enumerate(per.itertuples()):
        rows.append(
            [
                str(r.year),
                _mcny(r.objective_cny),
                _mcny(r.discounted_cny),
                human.plain(round(r.discount_factor, 4)),
                human.number(r.carbon_price_cny_per_t),
                co2_cells[i],
                "none" if caps[i] is None else next(cap_cells),
                unserved[i],
                _names(r.retired_this_year, names),
                _names(r.built_this_year, names),
            ]
        )
    return header, rows


def _display(run: plot.RunResults, table: str) -> list[str]:
    """Display names of the network's sources or pipes, in table order."""
    df = getattr(run.network, table)
    names = plot.display_names(df, df.index)
    return [names[str(i)] for i in df.index]


def pathway_section(run: plot.RunResults, season: plot.RunResults) -> str:
    """The "Pathway" section of a pathway run's report: the years, discount rate, NPV and peak
    year; the timeline, the CO2 path and the cost per year; the per-year table
    (:func:`pathway_rows`); and a note that the sections after it show one season
    (``season``, the last year). ``""`` for a run that is not a pathway run."""
    block = run.summary.get("pathway")
    if not block:
        return ""
    years = [int(y) for y in block.get("years") or []]
    span = f"{years[0]}–{years[-1]} ({len(years)} heating seasons)" if years else human.MISSING
    peak = block.get("co2_peak_year")
    rows = [
        ("years", span),
        ("net present value of the pathway (the objective)", human.money(block.get("npv_cny"))),
        ("discount rate", human.percent(block.get("discount_rate"))),
        ("emissions never rise from", "no peak year" if peak is None else str(peak)),
    ]
    parts = [
        '<h2 id="pathway">Pathway</h2>',
        "<p>The plan over several heating seasons, with decisions that cannot be undone: a "
        "retired source stays retired, a built one stays built. Costs are those of each "
        "season (undiscounted) and, discounted to the first year, add up to the NPV.</p>",
        html_table(rows, ["figure", "value"], "kv"),
    ]
    if not block.get("per_year"):
        parts.append("<p>No plan: the solve found none.</p>")
        return "\n".join(parts)
    header, table = pathway_rows(run)
    parts += [
        "<h3>Which element changes in which year</h3>",
        figure_div(plot.timeline_figure(run), "fig-timeline"),
        "<h3>CO2 per year</h3>",
        figure_div(plot.co2_path_figure(run), "fig-co2-path"),
        "<h3>Cost per year</h3>",
        figure_div(plot.costs_by_year_figure(run), "fig-costs-by-year"),
        html_table(table, header),
    ]
    year = getattr(season, "year", None)
    if year is not None:
        parts.append(
            f'<p class="banner ok" id="season-note">The sections below show one heating '
            f"season: the last year, {esc(year)}. Another year: heatnet plot RUN --kind map "
            "--year YEAR (and sankey, dispatch, duration, prices).</p>"
        )
    return "\n".join(parts)


def run_report_html(run: plot.RunResults) -> str:
    """The HTML report of one run: summary, cost breakdown, Sankey, map, dispatch, load
    duration, marginal heat price by district, security of supply (when the run has a security
    block), and the tables of districts and sources. A pathway run's report starts with the
    Pathway section (:func:`pathway_section`) and draws the rest for its last year."""
    season = plot.season_run(run)
    year = getattr(season, "year", None)
    of = "" if year is None else f" of {year}"
    s = season.summary
    name = plot.run_label(run)
    cb = s.get("cost_breakdown_cny") or {}
    cost_rows = [
        (plot.COST_LABELS.get(k, k), _mcny(v)) for k, v in cb.items() if k != "total_cny"
    ] + [("total", _mcny(cb.get("total_cny")))]
    warnings = s.get("warnings") or []
    parts = [
        f"<h1>heatnet report: {esc(name)}</h1>",
        f'<p class="meta">network {esc(s.get("network", ""))} · input hash '
        f"{esc(str(s.get('input_hash', ''))[:12])}</p>",
        status_banner(run.summary),
        pathway_section(run, season),
        f"<h2>Summary{esc(of)}</h2>",
        html_table(summary_rows(season), ["figure", "value"], "kv"),
        f"<h2>Annual cost by kind{esc(of)} [M CNY]</h2>",
        html_table(cost_rows, ["kind", "M CNY"]),
        f"<h2>Heat flows of the season{esc(of)}</h2>",
        figure_div(plot.sankey_figure(season, trace_heat(season)), "fig-sankey"),
        f"<h2>Network map{esc(of)}</h2>",
        figure_div(plot.map_figure(season), "fig-map"),
        f"<h2>Dispatch over the season{esc(of)}</h2>",
        figure_div(plot.dispatch_figure(season), "fig-dispatch"),
        f"<h2>Load-duration curve{esc(of)}</h2>",
        figure_div(plot.duration_figure(season), "fig-duration"),
        prices_section(season),
        security_section(season),
        f"<h2>Districts{esc(of)}</h2>",
        html_table(
            district_rows(season),
            [
                "id",
                "name",
                "demand [GWh]",
                "unserved [GWh]",
                "peak demand [MW]",
                "largest shortfall [MW]",
            ],
        ),
        f"<h2>Sources{esc(of)}</h2>",
        html_table(
            sources_rows(season),
            [
                "id",
                "name",
                "technology",
                "decision",
                "capacity [MW]",
                "heat [GWh]",
                "capacity factor [%]",
                "CO2 [kt]",
                "cost [M CNY/year]",
            ],
        ),
    ]
    parts.append(explain_section(getattr(run, "folder", None)))
    if warnings:
        parts.append(
            "<h2>Input warnings</h2><ul>"
            + "".join(f"<li>{esc(w)}</li>" for w in warnings)
            + "</ul>"
        )
    return page(f"heatnet report: {name}", "\n".join(parts))


STUDY_SECURITY_HEADER = (
    "served share α",
    "lowest served share in an outage",
    "binding cases",
    "cost of security [M CNY/year]",
)
"""Columns the scenario table of a study report gains when some scenario has a security
block."""


def study_security_cells(summary: RunSummary) -> list[str]:
    """A scenario's :data:`STUDY_SECURITY_HEADER` cells (``n/a`` where not computed, ``-``
    without a security block)."""
    b = summary.get("security") or {}
    if not b:
        return ["-"] * len(STUDY_SECURITY_HEADER)
    binding = b.get("binding")
    cost = b.get("cost_of_security_cny")
    return [
        human.percent(b.get("served_share")),
        human.percent(b.get("min_served_share")),
        human.MISSING if binding is None else human.count(len(binding)),
        human.number(cost / plot.CNY_PER_MCNY) if cost is not None else human.MISSING,
    ]


def study_descriptions(study: Study) -> dict[str, str]:
    """Each scenario's ``description`` from ``index.csv`` ("" where blank or missing)."""
    index = study.index
    if index is None or "description" not in index.columns:
        return {}
    return {
        str(label): "" if is_blank(text) else str(text)
        for label, text in zip(index["scenario"], index["description"], strict=True)
    }


PARETO_HEADER = (
    "point",
    "CO2 cap [kt]",
    "status",
    "annual cost [M CNY]",
    "CO2 [kt]",
    "retirable sources retired",
    "abatement cost from the previous point [CNY/t CO2]",
    "near tie",
)
"""Columns of the Pareto table of a study report."""


def pareto_rows(study: Study) -> tuple[list[str], list[list[object]]]:
    """The Pareto table: one row per point, from the most CO2 to the least
    (:func:`heatnet.compare.pareto_steps`), with the abatement cost from the previous point
    and the neighbours it is a near tie with."""
    steps = pareto_steps(study.pareto_runs).set_index("point")
    order = list(steps.index) + [p for p in study.pareto_runs if p not in steps.index]
    rows: list[list[object]] = []
    for label in order:
        s = study.pareto_runs[label].summary
        cap = study.caps_t.get(label)
        abatement, tie = "-", ""
        if label in steps.index:
            st = steps.loc[label]
            if isinstance(st["previous"], str):
                abatement = human.number(st["abatement_cny_per_t"])
            tie = "; ".join(
                f"with point {other} (cost "
                f"{human.percent(_cost_share(steps, label, other), 2)} apart)"
                for other in st["near_tie_with"]
            )
        rows.append(
            [
                label,
                "none" if cap is None else cap / 1e3,
                s.get("status", ""),
                _mcny(s.get("objective_cny")),
                float(s.get("co2_t") or 0.0) / 1e3,
                len(s.get("retired", [])),
                abatement,
                tie,
            ]
        )
    return list(PARETO_HEADER), rows


def _cost_share(steps: Any, a: str, b: str) -> float:
    """The cost difference of neighbours ``a`` and ``b`` as a share of the larger cost."""
    later = b if steps.at[b, "previous"] == a else a
    return float(steps.at[later, "cost_difference_share"])


def near_tie_note(study: Study) -> str:
    """A sentence above the Pareto table naming the neighbouring points that retire different
    sources at almost the same cost; "" when there are none."""
    steps = pareto_steps(study.pareto_runs).set_index("point")
    pairs = [
        (str(st.previous), str(label))
        for label, st in steps.iterrows()
        if isinstance(st.previous, str) and st.previous in st.near_tie_with
    ]
    if not pairs:
        return ""

    def retired(label: str) -> str:
        run = study.pareto_runs[label]
        names = dict(plot.source_info(run)["name"])
        return f"{label} retires " + _names([str(x) for x in steps.at[label, "retired"]], names)

    texts = [
        f"points {a} and {b} cost within {human.percent(_cost_share(steps, a, b), 2)} of each "
        f"other but retire different sources ({retired(a)}; {retired(b)})"
        for a, b in pairs
    ]
    return (
        f'<p class="banner warn">Near tie{"s" if len(pairs) > 1 else ""}: '
        + esc("; ".join(texts))
        + esc(
            f". Their costs differ by less than {human.percent(NEAR_TIE_SHARE)} of the cost "
            "(or less than the solves' MIP gaps): the cost alone does not decide between "
            "these plans, so a jump in the number of retirements along the front shows "
            "alternatives of about equal cost, not a trend."
        )
        + "</p>"
    )


def study_report_html(study: Study) -> str:
    """The HTML report of a study: scenario table (with the scenarios' descriptions from
    ``index.csv`` when some scenario has one, and security columns when some scenario has a
    security block), retirement matrix, build matrix after it (when any run has a candidate or
    a committed source or pipe), cost and CO2, and the Pareto front when the study has one,
    with its table (abatement cost between neighbouring points, near ties named above it)."""
    parts = [
        f"<h1>heatnet study: {esc(study.name)}</h1>",
        f'<p class="meta">{len(study.runs)} scenario runs, {len(study.pareto_runs)} '
        "Pareto points</p>",
    ]
    if study.runs:
        rows = []
        for label, run in study.runs.items():
            s = run.summary
            rows.append(
                [
                    label,
                    s.get("status", ""),
                    bool(s.get("optimal")),
                    _mcny(s.get("objective_cny")),
                    float(s.get("co2_t") or 0.0) / 1e3,
                    _gwh(s.get("unserved_mwh")),
                    len(s.get("retired", [])),
                    len(s.get("built_pipes", [])),
                ]
            )
        pathway = any(run.summary.get("pathway") for run in study.runs.values())
        header = [
            "scenario",
            "status",
            "optimal",
            # a pathway run's objective is its net present cost and its CO2 all seasons'
            "annual cost, or a pathway's net present cost [M CNY]"
            if pathway
            else ("annual cost [M CNY]"),
            "CO2 (a pathway: all seasons) [kt]" if pathway else "CO2 [kt]",
            "unserved [GWh]",
            "retirable sources retired",
            "pipes built",
        ]
        descriptions = study_descriptions(study)
        if any(descriptions.values()):
            for row, label in zip(rows, study.runs, strict=True):
                row.insert(1, descriptions.get(label, ""))
            header.insert(1, "description")
        if any(run.summary.get("security") for run in study.runs.values()):
            for row, run in zip(rows, study.runs.values(), strict=True):
                row += study_security_cells(run.summary)
            header += list(STUDY_SECURITY_HEADER)
        parts += [
            "<h2>Scenarios</h2>",
            html_table(rows, header),
            "<h2>Retirement plans</h2>",
            figure_div(plot.matrix_figure(study.runs), "fig-matrix"),
        ]
        builds = plot.builds_figure(study.runs)
        if len(builds.data[0].x or ()):
            parts += ["<h2>Build plans</h2>", figure_div(builds, "fig-builds")]
        parts += [
            "<h2>Cost and CO2 by scenario</h2>",
            figure_div(plot.costs_figure(study.runs), "fig-costs"),
        ]
    if study.pareto_runs:
        header, rows = pareto_rows(study)
        parts += [
            "<h2>Cost against CO2 (Pareto front)</h2>",
            figure_div(plot.pareto_figure(study.pareto_runs, caps_t=study.caps_t), "fig-pareto"),
            "<p>Points from the most CO2 (the minimum-cost plan) to the least. The abatement "
            "cost is what each tonne of CO2 saved on the way from the previous point costs: "
            "(cost − previous cost) / (previous CO2 − CO2), in CNY per tonne.</p>",
            near_tie_note(study),
            html_table(rows, header),
        ]
        if not study.runs:
            parts += [
                "<h2>Retirement along the front</h2>",
                figure_div(plot.matrix_figure(study.pareto_runs), "fig-pareto-matrix"),
            ]
    if study.skipped:
        parts.append(
            "<h2>Without a plan</h2><ul>"
            + "".join(f"<li>{esc(x)}</li>" for x in study.skipped)
            + "</ul>"
        )
    return page(f"heatnet study: {study.name}", "\n".join(parts))


def write_report(folder: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write the report of a run folder or a study folder (default ``<folder>/report.html``)
    and return its path."""
    path = Path(folder)
    if is_study(path):
        text = study_report_html(read_study(path))
    else:
        text = run_report_html(read_run(path))
    target = Path(out) if out is not None else path / REPORT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


# --- figures for the command line -------------------------------------------------------------


def load_for_plot(paths: Sequence[Path], kind: str) -> tuple[Any, Path]:
    """What ``heatnet plot`` draws from: one run for a run figure, a study or several runs for
    a comparison; and the folder that gets the file by default."""
    if kind in plot.RUN_KINDS + plot.PATHWAY_KINDS:
        if len(paths) != 1:
            raise InputError(
                [
                    Problem(
                        None,
                        f"a {kind} figure shows one run",
                        column="RUN",
                        expected="one run folder",
                        found=f"{len(paths)} folders",
                    )
                ]
            )
        return read_run(paths[0]), paths[0]
    if kind not in plot.COMPARISON_KINDS:
        raise InputError(
            [
                Problem(
                    None,
                    "unknown figure kind",
                    column="--kind",
                    expected="one of " + ", ".join(plot.FIGURE_KINDS),
                    found=repr(kind),
                )
            ]
        )
    if len(paths) == 1 and is_study(paths[0]):
        return read_study(paths[0]), paths[0]
    runs = [read_run(p) for p in paths]
    labels: dict[str, plot.RunResults] = {}
    for p, r in zip(paths, runs, strict=True):
        label = p.resolve().name
        labels[label if label not in labels else str(p)] = r
    return labels, paths[0] if len(paths) == 1 else Path(".")


def cli_figure(
    paths: Sequence[Path],
    kind: str,
    *,
    period: str | None = None,
    by: plot.GroupBy | None = None,
    background: Path | None = None,
    year: int | None = None,
) -> tuple[go.Figure, Path]:
    """The figure ``heatnet plot`` draws, and the folder for its default file name;
    ``background`` (a GeoJSON of district boundaries or roads) goes under a map only;
    ``year`` picks the season of a pathway run that a season figure draws (default: the
    last year)."""
    if background is not None and kind != "map":
        raise InputError(
            [Problem(None, f"--background applies to map, not {kind}", column="--background")]
        )
    if year is not None and kind not in plot.RUN_KINDS:
        raise InputError(
            [
                Problem(
                    None,
                    f"--year does not apply to {kind}",
                    column="--year",
                    expected="a season figure: " + ", ".join(plot.RUN_KINDS),
                    hint="timeline, co2_path and costs_by_year show every year",
                )
            ]
        )
    loaded, home = load_for_plot(paths, kind)
    if kind in plot.PATHWAY_KINDS:
        if period is not None or by is not None:
            raise InputError(
                [Problem(None, f"--period and --by do not apply to {kind}", column="--period/--by")]
            )
        return plot.pathway_figure(kind, loaded), home
    if kind in plot.RUN_KINDS:
        if period is not None and kind not in ("sankey", "map"):
            raise InputError(
                [
                    Problem(
                        None, f"--period applies to sankey and map, not {kind}", column="--period"
                    )
                ]
            )
        if by is not None and kind in ("map", "prices", "security"):
            raise InputError(
                [Problem(None, "--by applies to sankey, dispatch and duration", column="--by")]
            )
        figure = plot.run_figure(
            kind, loaded, period=period, by=by, background=background, year=year
        )
        return figure, home
    if period is not None or by is not None:
        raise InputError(
            [Problem(None, f"--period and --by do not apply to {kind}", column="--period/--by")]
        )
    if isinstance(loaded, Study):
        if kind == "pareto":
            if not loaded.pareto_runs:
                raise InputError(
                    [
                        Problem(
                            "pareto.csv",
                            "this study has no Pareto front",
                            expected="a study folder with pareto.csv",
                            found=str(loaded.folder),
                        )
                    ]
                )
            return plot.pareto_figure(loaded.pareto_runs, caps_t=loaded.caps_t), home
        runs = loaded.runs or loaded.pareto_runs
        return plot.comparison_figure(kind, runs), home
    return plot.comparison_figure(kind, loaded), home
