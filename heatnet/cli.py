"""The ``heatnet`` command line: a thin layer over the library.

Every command turns a :class:`heatnet.errors.HeatnetError` into a plain message on stderr and a
non-zero exit code (1 for bad input, 2 for a solve that is not proven optimal); ``--debug``
shows the Python traceback instead.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd

from heatnet import fmt as human
from heatnet.errors import HeatnetError, InputError, Interrupted, Problem

if TYPE_CHECKING:
    from heatnet.network import Economics, Network, Pathway


class _HeatnetGroup(click.Group):
    """Click group that prints heatnet errors as messages instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HeatnetError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            if isinstance(exc, Interrupted):
                _leave_if_solver_running(exc.exit_code)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo("interrupted: stopped before finishing; no results were written", err=True)
            ctx.exit(Interrupted.exit_code)


def _leave_if_solver_running(code: int) -> None:
    """Exit at once (``os._exit``) when an interrupted HiGHS is still running: a normal exit
    would destroy it mid-solve and the C++ runtime would abort the process (exit -6 instead
    of 130)."""
    from heatnet.solve import solver_abandoned

    if solver_abandoned():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


@click.group(cls=_HeatnetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.version_option(package_name="heatnet")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """heatnet: plan district-heating networks (retire coal, build pipes, route heat)."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


NETWORK_ARG = click.argument(
    "network", required=False, type=click.Path(path_type=Path), metavar="[NETWORK]"
)


def _echo_warnings(problems: list[Problem]) -> None:
    warnings = [p for p in problems if p.severity == "warning"]
    if warnings:
        click.echo(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:", err=True)
        for p in warnings:
            click.echo(f"  - {p}", err=True)


def _frame_text(df: pd.DataFrame, indent: str = "    ") -> str:
    text = df.to_string(float_format=lambda v: f"{v:,.1f}")
    return "\n".join(indent + line for line in text.splitlines())


@cli.command()
@NETWORK_ARG
@click.option(
    "--profiles",
    type=click.Path(path_type=Path),
    help="Use this profiles CSV instead of the one in network.yaml.",
)
def validate(network: Path | None, profiles: Path | None) -> None:
    """Check a network folder (default: the embedded Jinan network) and summarise it.

    Every problem is listed with file, line, id and field; the exit code is 1 if any is an
    error.
    """
    from heatnet.io import read_network, resolve_network_path
    from heatnet.network import network_summary

    net, problems = read_network(network, profiles)
    if net is None:
        raise InputError(problems, context=f"network {resolve_network_path(network)} is invalid")
    s = network_summary(net)
    click.echo(f"network {net.name!r} ({net.folder}) is valid")
    click.echo(f"  nodes: {human.count(s['nodes'])}")
    click.echo(f"  periods: {human.count(s['periods'])} covering {s['season_hours']:,.0f} h")
    click.echo("  sources by technology and status:")
    click.echo(_frame_text(s["sources"]))
    click.echo("  capacity by technology and status [MW]:")
    click.echo(_frame_text(s["capacity_mw_by_technology"]))
    click.echo("  pipes by status:")
    click.echo(_frame_text(s["pipes"]))
    click.echo(f"  peak demand: {human.power(s['peak_demand_mw'])} (period {s['peak_period']})")
    click.echo(f"  season demand: {human.energy(s['season_demand_gwh'] * 1e3)}")
    if s["note_columns"]:
        notes = "; ".join(f"{f}: {', '.join(c)}" for f, c in s["note_columns"].items())
        click.echo(f"  extra columns kept as notes: {notes}")
    for line in _blocks_text(net):
        click.echo(f"  {line}")
    _echo_warnings(problems)


def _blocks_text(net: Network) -> list[str]:
    """The security, constraints and pathway blocks of a network in a line each (none if
    absent)."""
    from heatnet.network import contingency_set

    lines = []
    sec = net.security
    if sec is not None:
        pipes, sources, skipped = contingency_set(net)
        how = "auto" if sec.contingencies is None else "listed"
        lines.append(
            f"security: {human.percent(sec.served_share)} of each district's design-hour "
            f"demand in every outage ({human.count(len(pipes))} pipes, "
            f"{human.count(len(sources))} sources, {how}"
            + (f"; {len(skipped)} skipped" if skipped else "")
            + f"), intact {human.percent(sec.intact_share)}, design factor "
            f"{human.number(sec.design_factor, 2)}"
        )
    rules = net.constraints
    if rules is not None:
        parts = []
        if rules.capex_budget_cny is not None:
            parts.append(f"capex budget {human.money(rules.capex_budget_cny)}")
        if rules.retire_together:
            parts.append(f"{len(rules.retire_together)} retire-together group(s)")
        if rules.at_most_one_of:
            parts.append(f"{len(rules.at_most_one_of)} at-most-one-of group(s)")
        parts += [f"{t} ≥ {human.percent(v)} of heat" for t, v in rules.min_heat_share]
        lines.append("constraints: " + ("; ".join(parts) or "none"))
    if net.pathway is not None:
        lines.append(_pathway_text(net.pathway, net.economics))
    return lines


def _pathway_text(path: Pathway, econ: Economics) -> str:
    """The pathway block in a line: years, the ranges of the per-year values over the years
    (as the model reads them), the years with a CO2 cap and the peak year."""
    years = path.years

    def span(values: list[float], show: Any) -> str:
        low, high = min(values), max(values)
        return show(low) if low == high else f"{show(low)} to {show(high)}"

    scales = [path.demand_scale_in(y) for y in years]
    prices = [path.carbon_price_in(y, econ) for y in years]
    caps = {y: path.co2_cap_in(y, econ) for y in years}
    capped = [y for y, c in caps.items() if c is not None]
    parts = [
        f"pathway: {years[0]}–{years[-1]} ({human.count(len(years))} seasons)",
        "demand " + span(scales, lambda v: "×" + human.number(v, 2)),
        "carbon price "
        + span(prices, lambda v: human.rate(v, "CNY/t"))
        + (" (economics)" if path.carbon_price_cny_per_t is None else ""),
    ]
    if capped:
        values = [c for c in caps.values() if c is not None]
        parts.append(
            f"CO2 cap in {capped[0]}–{capped[-1]} ({span(values, human.co2)})"
            if len(capped) > 1
            else f"CO2 cap in {capped[0]} ({human.co2(values[0])})"
        )
    else:
        parts.append("no CO2 cap")
    peak = path.co2_peak_year
    parts.append(f"emissions peak in {peak}" if peak is not None else "no peak year")
    return "; ".join(parts)


@cli.command("format-doc")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 if the file differs from what the schema gives.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("docs/format.md"),
    show_default=True,
    help="File to write or check.",
)
def format_doc(check: bool, out: Path) -> None:
    """Write the network-format reference (docs/format.md) from heatnet's schema tables."""
    from heatnet.schema import format_markdown

    text = format_markdown()
    if check:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current != text:
            click.echo(f"{out} is out of date: run `heatnet format-doc`", err=True)
            sys.exit(1)
        click.echo(f"{out} is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8", newline="\n")
    click.echo(f"wrote {out}")


@cli.command()
@NETWORK_ARG
@click.option(
    "--profiles",
    type=click.Path(path_type=Path),
    help="Profiles CSV to use instead of the network's.",
)
@click.option(
    "--carbon-price",
    type=click.FloatRange(min=0, max=1e12),
    metavar="CNY_PER_T",
    help="Override economics.carbon_price_cny_per_t [CNY/tCO2].",
)
@click.option(
    "--co2-cap",
    type=click.FloatRange(min=0, max=1e12),
    metavar="T",
    help="Override economics.co2_cap_t: cap on season emissions [tCO2].",
)
@click.option(
    "--security-share",
    type=click.FloatRange(min=0, max=1, min_open=True),
    metavar="A",
    help="Security of supply: every district keeps this share (0 < A <= 1) of its "
    "design-hour demand in every single outage (sets security.served_share; adds a "
    "security block with default settings if the network has none).",
)
@click.option(
    "--no-security",
    is_flag=True,
    help="Solve without the network's security block (no outage constraints).",
)
@click.option(
    "--security-cost",
    is_flag=True,
    help="Also solve without the security block and report the difference as the cost of "
    "security (summary.json security.cost_of_security_cny).",
)
@click.option(
    "--mip-gap",
    type=click.FloatRange(min=0, max=1),
    default=1e-4,
    show_default=True,
    help="Relative MIP gap at which to stop.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    metavar="S",
    help="Time limit for the solver [s].",
)
@click.option(
    "--threads", type=click.IntRange(min=1), help="HiGHS threads (default: HiGHS's choice)."
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("results"),
    show_default=True,
    help="Folder that receives the run folder.",
)
@click.option("--name", help="Run name (default: <network>_<timestamp>).")
@click.option(
    "--no-unserved-heat",
    is_flag=True,
    help="Forbid unserved heat: a network short of heat is then infeasible.",
)
@click.option("--no-prices", is_flag=True, help="Skip the nodal heat-price LP.")
@click.option(
    "--typical-days",
    type=click.IntRange(min=1),
    metavar="K",
    help="Typical days for the design stage (default 12 when two-stage), or, with "
    "--single-stage, solve on K typical days only.",
)
@click.option(
    "--time-slices",
    type=click.IntRange(min=2),
    metavar="K",
    help="Design on K time slices (groups of periods with similar load, the peak "
    "alone) refined until the design gap is within --design-gap, instead of "
    "typical days; any resolution. For large networks (docs/performance.md).",
)
@click.option(
    "--design-gap",
    type=click.FloatRange(min=0, max=1),
    default=0.005,
    show_default=True,
    help="Two-stage: a plan is optimal when its full-resolution "
    "cost is within this relative gap of the valid bound.",
)
@click.option(
    "--two-stage/--single-stage",
    "two_stage",
    default=None,
    help="Design on typical days, then the full season as an LP with the design "
    "fixed (default for hourly profiles) / one MILP.  [default: automatic]",
)
@click.option(
    "--route",
    type=click.Choice(["direct", "standard_form", "lp_file"]),
    default="direct",
    show_default=True,
    help="How the model reaches HiGHS: direct arrays (fastest, measured), or the "
    "Pyomo model through its standard-form compiler or an LP file.",
)
@click.option(
    "--pathway-solve",
    type=click.Choice(["auto", "seasons", "stacked"]),
    default="auto",
    show_default=True,
    help="Pathway networks: 'seasons' solves each season alone first and uses the stacked "
    "MILP of all seasons only when their plans do not link up (undo a decision, or raise "
    "emissions after the peak); 'stacked' goes to the stacked MILP at once; 'auto' picks "
    "seasons for models above 100,000 columns (docs/pathway.md).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the HiGHS log live.")
def solve(
    network: Path | None,
    profiles: Path | None,
    carbon_price: float | None,
    co2_cap: float | None,
    security_share: float | None,
    no_security: bool,
    security_cost: bool,
    mip_gap: float,
    time_limit: float | None,
    threads: int | None,
    out: Path,
    name: str | None,
    no_unserved_heat: bool,
    no_prices: bool,
    typical_days: int | None,
    time_slices: int | None,
    design_gap: float,
    two_stage: bool | None,
    route: str,
    pathway_solve: str,
    verbose: bool,
) -> None:
    """Choose coal retirements, pipe and source builds and the season's dispatch at least
    annual cost (default network: the embedded Jinan network).

    Hourly profiles are solved in two stages by default (docs/performance.md): retirements and
    builds on 12 typical days, then the full season as an LP with them fixed; every figure is
    at full resolution and the gap is the design's gap to a valid bound. Models above
    500,000 columns (city-scale networks) are designed on 24 time slices refined in rounds
    until the design gap is within --design-gap (or --mip-gap, if larger).

    Writes results/<name>/ (summary.json and result tables) and prints a summary. Exit code
    0 for a proven optimum, 2 when the solve stopped early (time limit) or found no plan.
    """
    import dataclasses

    import heatnet
    from heatnet.io import load_network
    from heatnet.network import Security
    from heatnet.results import format_summary
    from heatnet.schema import check_run_name

    if security_share is not None and no_security:
        raise click.UsageError("--security-share and --no-security cannot be used together")
    if name is not None:
        check_run_name(name)
    net = load_network(network, profiles)
    if no_security:
        net = dataclasses.replace(net, security=None)
    elif security_share is not None:
        sec = net.security or Security(served_share=security_share)
        net = dataclasses.replace(
            net, security=dataclasses.replace(sec, served_share=security_share)
        )
    econ: dict[str, float] = {}
    if carbon_price is not None:
        econ["carbon_price_cny_per_t"] = carbon_price
    if co2_cap is not None:
        econ["co2_cap_t"] = co2_cap
    if econ:
        net = net.with_economics(**econ)
    options = heatnet.SolveOptions(
        mip_gap=mip_gap,
        time_limit_s=time_limit,
        threads=threads,
        verbose=verbose,
        allow_unserved=not no_unserved_heat,
        heat_prices=not no_prices,
        typical_days=typical_days,
        time_slices=time_slices,
        two_stage_gap=design_gap,
        two_stage=two_stage,
        route=route,
        security_cost=security_cost,
        pathway_solve=pathway_solve,
    )  # type: ignore[arg-type]
    click.echo(
        f"solving {net.name!r}: {len(net.sources)} sources, {len(net.pipes)} pipes, "
        f"{human.count(net.n_periods)} periods ({human.count(round(net.season_hours))} h)",
        err=True,
    )
    run = heatnet.solve(net, options, name=name)
    folder = run.write(out) if run.result.has_solution else None
    click.echo(format_summary(run.summary))
    if folder is not None:
        click.echo(f"results: {folder}")
    else:
        click.echo("no results written: there is no solution to report")
    if not run.is_optimal:
        sys.exit(2)


@cli.command()
@click.argument("temperature_csv", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="Profiles CSV to write (period, weight_h, space_heating, heat_pump_capacity).",
)
@click.option(
    "--indoor-c", type=float, default=18.0, show_default=True, help="Indoor set point [°C]."
)
@click.option(
    "--design-c",
    type=float,
    default=-5.3,
    show_default=True,
    help="Design outdoor temperature (daily mean) [°C]; profile = 1 there.",
)
@click.option(
    "--inertia-h",
    type=click.FloatRange(min=0),
    default=12.0,
    show_default=True,
    help="Time constant of the buildings' thermal inertia smoothing [h]; 0 = none.",
)
@click.option(
    "--resolution",
    type=click.Choice(["hourly", "daily"]),
    default="hourly",
    show_default=True,
    help="Hourly rows, or daily rows of weight 24 h.",
)
def profiles(
    temperature_csv: Path,
    out: Path,
    indoor_c: float,
    design_c: float,
    inertia_h: float,
    resolution: str,
) -> None:
    """Make demand and availability profiles from an hourly temperature CSV
    (columns period, temperature_c) by the heating degree-hour method (docs/profiles.md)."""
    from heatnet.profiles import make_profiles, write_profiles

    df = make_profiles(
        temperature_csv,
        t_indoor_c=indoor_c,
        t_design_c=design_c,
        inertia_h=inertia_h,
        resolution=resolution,
    )  # type: ignore[arg-type]
    write_profiles(df, out)
    w = df["weight_h"].to_numpy()
    sh = df["space_heating"].to_numpy()
    click.echo(
        f"wrote {out}: {human.count(len(df))} periods, {w.sum():,.0f} h; space_heating peak "
        f"{sh.max():.3f}, season load factor {float((sh * w).sum() / w.sum()):.3f}"
    )


# --------------------------------------------------------------------------------------------
# scenario studies: sweep, compare, pareto (docs/scenarios.md)


def _solver_options(
    mip_gap: float, time_limit: float | None, threads: int | None, no_prices: bool
) -> Any:
    import heatnet

    return heatnet.SolveOptions(
        mip_gap=mip_gap, time_limit_s=time_limit, threads=threads, heat_prices=not no_prices
    )


def _progress() -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


STUDY_OPTIONS = [
    click.option(
        "--out",
        "out",
        type=click.Path(path_type=Path),
        default=Path("results"),
        show_default=True,
        help="Folder that receives the study folder.",
    ),
    click.option("--study", help="Study name: the folder results/<study>/."),
    click.option(
        "--mip-gap",
        type=click.FloatRange(min=0, max=1),
        default=1e-4,
        show_default=True,
        help="Relative MIP gap at which to stop.",
    ),
    click.option(
        "--time-limit",
        type=click.FloatRange(min=0, min_open=True),
        metavar="S",
        help="Time limit for each solve [s].",
    ),
    click.option("--no-prices", is_flag=True, help="Skip the nodal heat-price LPs."),
]


def _study_options(f: Any) -> Any:
    for option in reversed(STUDY_OPTIONS):
        f = option(f)
    return f


def _parallel_options(what: str, written: str) -> Any:
    """``--jobs``, ``--dask`` and ``--dask-timeout`` of a command that solves many ``what``
    (scenarios, flips) at once; ``written``: what a failed connection leaves unwritten."""

    def decorate(f: Any) -> Any:
        for option in reversed(
            [
                click.option(
                    "-j",
                    "--jobs",
                    type=click.IntRange(min=1),
                    help=f"{what} solved at once, each in its own process with one HiGHS "
                    "thread (default: the number of cores).",
                ),
                click.option(
                    "--dask",
                    "dask_address",
                    metavar="ADDRESS",
                    help="Solve on this Dask scheduler (e.g. tcp://10.0.0.5:8786) instead of "
                    'local processes; needs the dask extra (pip install ".[dask]"). See '
                    "docs/scenarios.md.",
                ),
                click.option(
                    "--dask-timeout",
                    type=click.FloatRange(min=0, min_open=True),
                    default=10.0,
                    show_default=True,
                    metavar="S",
                    help=f"Give up connecting to the --dask scheduler after S seconds ({written}).",
                ),
            ]
        ):
            f = option(f)
        return f

    return decorate


@cli.command()
@click.argument("network", type=click.Path(path_type=Path))
@click.argument("scenario_file", type=click.Path(path_type=Path), metavar="SCENARIOS.yaml")
@_parallel_options("Scenarios", "nothing is written")
@click.option(
    "--resume",
    is_flag=True,
    help="Finish an interrupted study: scenarios already solved are skipped.",
)
@_study_options
def sweep(
    network: Path,
    scenario_file: Path,
    jobs: int | None,
    dask_address: str | None,
    dask_timeout: float,
    resume: bool,
    out: Path,
    study: str | None,
    mip_gap: float,
    time_limit: float | None,
    no_prices: bool,
) -> None:
    """Solve every scenario of SCENARIOS.yaml on NETWORK into results/<study>/<scenario>/,
    with index.csv and study.json beside them.

    Exit code 0 when every scenario is proven optimal, 1 for bad input (nothing is solved),
    2 when some scenario failed or is not optimal (the others are still solved and written).
    A --dask scheduler that does not answer within --dask-timeout is exit code 1, and no study
    folder is made.
    """
    from heatnet.compare import compare_table, format_compare, load_plans
    from heatnet.io import load_network
    from heatnet.scenarios import read_scenarios
    from heatnet.sweep import run_sweep

    net = load_network(network)
    sset, problems = read_scenarios(scenario_file, net)
    if sset is None:
        raise InputError(problems, context=f"scenario file {scenario_file} cannot be used")
    _echo_warnings(problems)
    options = _solver_options(mip_gap, time_limit, 1, no_prices)
    where = f"Dask at {dask_address}" if dask_address else f"{jobs or 'all'} local processes"
    click.echo(
        f"sweep {study or sset.study!r}: {human.count(len(sset))} scenarios of {net.name!r} "
        f"on {where}",
        err=True,
    )
    with _progress() as bar:
        task = bar.add_task("scenarios", total=len(sset))

        def on_progress(o: Any, done: int, total: int) -> None:
            bar.update(task, completed=done)
            what = "already solved" if o.resumed else human.seconds(o.seconds)
            text = f"{o.scenario}: {o.status} ({what})" + (f" - {o.error}" if o.error else "")
            bar.console.print(text)

        try:
            result = run_sweep(
                net,
                sset,
                out,
                study=study,
                options=options,
                jobs=jobs,
                dask_address=dask_address,
                dask_timeout=dask_timeout,
                resume=resume,
                on_progress=on_progress,
            )
        except KeyboardInterrupt:
            click.echo(
                f"interrupted: finished scenarios are in {out / (study or sset.study)}; "
                "run the same command with --resume to finish",
                err=True,
            )
            sys.exit(130)
    plans = load_plans([result.folder])
    try:
        click.echo(format_compare(compare_table(plans)))
    except InputError as exc:  # pathway and one-season scenarios in one study: no joint table
        click.echo(f"note: no side-by-side table: {exc}")
    click.echo(f"study: {result.folder} (index.csv, study.json)")
    bad = result.not_ok
    if bad:
        click.echo(
            f"{len(bad)} scenario{'s' if len(bad) != 1 else ''} not optimal: "
            + "; ".join(f"{o.scenario} ({o.error or o.status})" for o in bad),
            err=True,
        )
        sys.exit(2)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="RUNS_OR_STUDY...")
@click.option(
    "--diff",
    nargs=2,
    metavar="A B",
    help="What changed from plan A to plan B (scenario names of the studies given, "
    "or run folders): decisions, KPIs and the inputs that differ; for two pathway runs also "
    "what closes or is built in a different year, and CO2 and cost year by year.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV to write (default: compare.csv or diff_A_B.csv in the study folder when "
    "one study is given, else in the current folder).",
)
def compare(paths: tuple[Path, ...], diff: tuple[str, str] | None, out: Path | None) -> None:
    """Put plans side by side: one row per run or scenario with cost, CO2, waste-heat share,
    unserved heat and the decision on every retirable source and candidate.

    Pathway runs: NPV, CO2 over all years, the peak year's CO2, and the first year each
    retirable source or candidate changes state. A pathway run and a one-season run are not
    compared (exit code 1)."""
    from heatnet.compare import (
        compare_table,
        diff_plans,
        find_plan,
        format_compare,
        format_diff,
        load_plans,
    )

    if not paths and not diff:
        raise click.UsageError("give run folders or study folders (or --diff A B)")
    from heatnet.io import write_csv_atomic

    plans = load_plans(paths)
    studies = [p for p in paths if (p / "index.csv").is_file()]
    home = studies[0] if len(paths) == 1 and studies else Path(".")
    if diff:
        a, b = find_plan(plans, diff[0]), find_plan(plans, diff[1])
        result = diff_plans(a, b)
        click.echo(format_diff(result))
        safe = "_".join(Path(x).name for x in diff).replace("/", "_")
        target = out or home / f"diff_{safe}.csv"
        write_csv_atomic(result.tidy(), target, neutralise=True)
    else:
        table = compare_table(plans)
        click.echo(format_compare(table))
        target = out or home / "compare.csv"
        write_csv_atomic(table, target, neutralise=True)
    click.echo(f"wrote {target}", err=True)


@cli.command()
@NETWORK_ARG
@click.option(
    "-k",
    "--points",
    type=click.IntRange(min=0),
    default=4,
    show_default=True,
    help="Caps between the minimum-cost and the minimum-CO2 ends.",
)
@click.option(
    "--threads", type=click.IntRange(min=1), help="HiGHS threads (default: HiGHS's choice)."
)
@click.option(
    "--allow-more-unserved",
    is_flag=True,
    help="Let capped points leave more heat unserved than the minimum-cost plan (priced as "
    "usual; such points are marked). By default every point serves at least as much heat.",
)
@_study_options
def pareto(
    network: Path | None,
    points: int,
    threads: int | None,
    allow_more_unserved: bool,
    out: Path,
    study: str | None,
    mip_gap: float,
    time_limit: float | None,
    no_prices: bool,
) -> None:
    """Trace the cost–CO2 trade-off of NETWORK by the epsilon-constraint method: the
    minimum-cost plan, the minimum-CO2 plan, and K caps evenly between, each a full run
    (warm-started from its neighbour) in results/<study>/, with pareto.csv.

    Exit code 2 if some point is not proven optimal.
    """
    from heatnet.io import load_network
    from heatnet.pareto import pareto_front, require_one_season

    net = load_network(network)
    require_one_season(net)
    options = _solver_options(mip_gap, time_limit, threads, no_prices)
    with _progress() as bar:
        task = bar.add_task("pareto", total=points + 3)

        def on_progress(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, description=f"pareto: {what}")

        front = pareto_front(
            net,
            options,
            points=points,
            results_dir=out,
            study=study,
            on_progress=on_progress,
            allow_more_unserved=allow_more_unserved,
        )
    t = front.table
    cap_unit, caps = human.column("co2_cap_t", t["co2_cap_t"])
    cost_unit, costs = human.column("objective_cny", t["objective_cny"])
    co2_unit, co2s = human.column("co2_t", t["co2_t"])
    unserved_unit, unserved = human.column("unserved_mwh", t["unserved_mwh"])
    shown = pd.DataFrame(
        {
            f"cap [{cap_unit}]": [c if c != human.MISSING else "none" for c in caps],
            "status": t["status"],
            f"cost [{cost_unit}/yr]": costs,
            f"CO2 [{co2_unit}]": co2s,
            f"unserved [{unserved_unit}]": unserved,
            "retired": [len(str(v).split(";")) if v else 0 for v in t["retired"].fillna("")],
            "pipes built": [
                len(str(v).split(";")) if v else 0 for v in t["built_pipes"].fillna("")
            ],
        },
        index=t["point"],
    )
    marked = t["unserved_above_min_cost"].astype(bool)
    if marked.any():
        shown["note"] = ["more unserved than point 0" if m else "" for m in marked]
    click.echo(shown.to_string())
    click.echo(
        f"E_max {human.co2(front.e_max_t)}, E_min {human.co2(front.e_min_t)}; "
        f"study: {front.folder} (pareto.csv); the points' decisions side by side: "
        f"heatnet compare {front.folder}"
    )
    if front.not_optimal:
        click.echo("not optimal: " + ", ".join(p.name for p in front.not_optimal), err=True)
        sys.exit(2)


# --------------------------------------------------------------------------------------------
# figures and reports (docs/plots.md)


@cli.command()
@click.argument(
    "runs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="RUN [RUN...]"
)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(
        # heatnet.plot.FIGURE_KINDS (not imported here: plotly is slow to load)
        [
            "sankey",
            "map",
            "dispatch",
            "duration",
            "prices",
            "security",
            "timeline",
            "co2_path",
            "costs_by_year",
            "matrix",
            "builds",
            "costs",
            "pareto",
        ]
    ),
    help="Figure: sankey, map, dispatch, duration, prices, security (one run folder; of a "
    "pathway run, one year: --year); timeline, co2_path, costs_by_year (a pathway run); "
    "matrix, builds, costs, pareto (a study folder, or several run folders).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "png", "svg", "pdf"]),
    help="Output format (default: from --out's suffix, else html). png/svg/pdf need "
    "Chromium (apt-get install chromium, or BROWSER_PATH).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (default: <kind>.<format> in the run or study folder).",
)
@click.option(
    "--period",
    help="Sankey or map of one period (a label from periods.csv, or "
    "'peak') in MW instead of the season in GWh.",
)
@click.option(
    "--by",
    type=click.Choice(["source", "technology"]),
    help="Group heat by source or by technology (sankey: source; dispatch and "
    "duration: technology).",
)
@click.option(
    "--year",
    type=int,
    help="Pathway run: draw this year's season (sankey, map, dispatch, duration, prices, "
    "security; default: the last year).",
)
@click.option(
    "--strict-fonts",
    is_flag=True,
    help="png/svg/pdf: fail, instead of warning, when the figure has Chinese names and no "
    "CJK font is installed (they would be drawn as boxes).",
)
@click.option(
    "--background",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="AREAS.geojson",
    help="map: draw these district boundaries or roads (GeoJSON Polygon, MultiPolygon, "
    "LineString features in WGS84) under the network; no internet tiles.",
)
def plot(
    runs: tuple[Path, ...],
    kind: str,
    fmt: str | None,
    out: Path | None,
    period: str | None,
    by: str | None,
    year: int | None,
    strict_fonts: bool,
    background: Path | None,
) -> None:
    """Draw one figure of a run (or of a study) to HTML, PNG, SVG or PDF."""
    import warnings

    from heatnet.export import MissingFontWarning, figure_format, write_figure
    from heatnet.report import cli_figure

    fig, home = cli_figure(
        list(runs),
        kind,
        period=period,
        by=by,  # type: ignore[arg-type]
        background=background,
        year=year,
    )
    fmt = figure_format(out, fmt) if out is not None else (fmt or "html")
    if out is None:
        suffix = (
            ""
            if period is None
            else "-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in period)
        ) + ("" if year is None else f"-{year}")
        out = home / f"{kind}{suffix}.{fmt}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingFontWarning)
        written = write_figure(fig, out, fmt, strict_fonts=strict_fonts)
    fonts = [str(w.message) for w in caught if issubclass(w.category, MissingFontWarning)]
    for message in dict.fromkeys(fonts):  # each once, as a line, not a traceback
        click.echo(f"warning: {message}", err=True)
    for w in caught:
        if not issubclass(w.category, MissingFontWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    click.echo(f"wrote {written}")


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), metavar="RUN_OR_STUDY")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="HTML file to write (default: report.html in the run or study folder).",
)
def report(folder: Path, out: Path | None) -> None:
    """Write one self-contained HTML report (summary tables and every figure; opens offline)
    of a run folder or a study folder."""
    from heatnet.report import write_report

    click.echo(f"wrote {write_report(folder, out)}")


@cli.command()
@click.argument("run", type=click.Path(path_type=Path), metavar="RUN")
@_parallel_options("Flips", "nothing is solved")
def explain(run: Path, jobs: int | None, dask_address: str | None, dask_timeout: float) -> None:
    """How firm each decision of RUN is: every retirement and build decision flipped, one
    solve each, with its cost (Δcost), CO2 (ΔCO2) and CNY per tonne avoided; near ties
    (within the run's gap or 0.5 % of its cost) are marked. Writes RUN/explain.csv (shown by
    heatnet report RUN).

    Exit code 0 when every flip is proven optimal or infeasible, 1 for bad input, 2 when some
    flip failed or is not proven optimal (its row says why).
    """
    from heatnet.explain import explain_run, flips, format_explanation
    from heatnet.storage import read_run

    stored = read_run(run)
    n = len(flips(stored))
    if not stored.summary.get("optimal"):
        click.echo(
            f"warning: run {stored.name} is not proven optimal ({stored.summary.get('status')}); "
            "the changes are measured from its plan",
            err=True,
        )
    where = f"Dask at {dask_address}" if dask_address else f"{jobs or 'all'} local processes"
    click.echo(f"explain {stored.name}: {human.count(n)} decisions to flip on {where}", err=True)
    with _progress() as bar:
        task = bar.add_task("flips", total=n)

        def on_progress(label: str, status: str, done: int, total: int) -> None:
            bar.update(task, completed=done)
            bar.console.print(f"{label}: {status}")

        ex = explain_run(
            stored,
            jobs=jobs,
            dask_address=dask_address,
            dask_timeout=dask_timeout,
            on_progress=on_progress,
        )
    click.echo(format_explanation(ex))
    click.echo(f"wrote {ex.path}")
    bad = ex.not_answered
    if len(bad):
        click.echo(
            f"{len(bad)} flip{'s' if len(bad) != 1 else ''} without a proven answer: "
            + "; ".join(f"{r.kind} {r.id} ({r.error or r.status})" for r in bad.itertuples()),
            err=True,
        )
        sys.exit(2)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--districts",
    "-n",
    type=click.IntRange(min=1),
    required=True,
    help="Number of demand districts.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed (same seed and size, same network).",
)
@click.option(
    "--resolution",
    type=click.Choice(["hourly", "typical", "daily"]),
    default="typical",
    show_default=True,
    help="Profiles: the Jinan hourly season (2,904 periods), its K typical days "
    "(K × 24 periods) or its days (121 periods).",
)
@click.option(
    "--typical-days",
    type=click.IntRange(min=2),
    default=12,
    show_default=True,
    metavar="K",
    help="K for --resolution typical.",
)
def generate(folder: Path, districts: int, seed: int, resolution: str, typical_days: int) -> None:
    """Write a synthetic city network to FOLDER (new or empty): districts on a meshed grid
    with junctions, coal points, CHP, remote waste-heat lines and candidates
    (heatnet.generate)."""
    from heatnet.generate import write_city
    from heatnet.io import load_network

    path = write_city(
        folder,
        districts,
        seed=seed,
        resolution=resolution,  # type: ignore[arg-type]
        typical_days=typical_days,
    )
    net = load_network(path)
    click.echo(
        f"wrote {path}: {len(net.nodes)} nodes, {len(net.sources)} sources, "
        f"{len(net.pipes)} pipes, {len(net.demands)} districts, {net.n_periods} periods"
    )


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace TARGET if it exists.")
@click.option(
    "--snap-m",
    type=click.FloatRange(min=0),
    default=50.0,
    show_default=True,
    metavar="M",
    help="GIS to folder: snap pipe line ends to nodes within M metres (further ends are errors).",
)
def convert(source: Path, target: Path, force: bool, snap_m: float) -> None:
    """Convert a network folder to an Excel workbook (NETWORK BOOK.xlsx) or a workbook to a
    network folder (BOOK.xlsx FOLDER). Both are checked as heatnet validate checks a folder
    (a workbook's problems name the sheet and the Excel row); nothing is written unless
    valid, and an existing TARGET is an error unless --force.

    GIS files work the same way, by suffix (docs/gis.md): NETWORK OUT.geojson and
    IN.geojson FOLDER need nothing more; .gpkg and .shp need the gis extra
    (pip install "heatnet[gis]")."""
    from heatnet.excel import is_workbook, network_to_workbook, workbook_to_network
    from heatnet.gis import gis_format

    if gis_format(source) is not None or gis_format(target) is not None:
        from heatnet.gis import convert as convert_gis

        if gis_format(source) is not None and gis_format(target) is not None:
            raise click.UsageError("give one network folder and one GIS file")
        paths, warnings = convert_gis(source, target, snap_m=snap_m, force=force)
        _echo_warnings(warnings)
        click.echo("wrote " + ", ".join(str(p) for p in paths))
        return
    if is_workbook(source) and is_workbook(target):
        raise click.UsageError("give one network folder and one .xlsx workbook")
    if is_workbook(source):
        written, warnings = workbook_to_network(source, target, force=force)
    elif is_workbook(target):
        written, warnings = network_to_workbook(source, target, force=force)
    else:
        raise click.UsageError(
            "one of SOURCE and TARGET must be an Excel workbook (.xlsx): "
            "heatnet convert NETWORK BOOK.xlsx, or heatnet convert BOOK.xlsx FOLDER"
        )
    _echo_warnings(warnings)
    click.echo(f"wrote {written}")


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), metavar="RUN_OR_STUDY")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "geojson", "gpkg"]),
    default="xlsx",
    show_default=True,
    help="File format of the export: xlsx; geojson or gpkg (a run's plan as GIS layers: "
    "pipes, sources, nodes; gpkg needs the gis extra).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (default: export.xlsx in the run or study folder; plan.geojson, "
    "which writes plan-pipes/-sources/-nodes.geojson, or plan.gpkg in the run folder).",
)
def export(folder: Path, fmt: str, out: Path | None) -> None:
    """Export a run (summary with KPIs and decisions, every result table) or a study (the
    tables of heatnet compare) as an Excel workbook for reports, or a run's plan as GIS
    layers that open in QGIS as they are (docs/gis.md)."""
    if fmt in ("geojson", "gpkg"):
        from heatnet.gis import write_plan
        from heatnet.storage import read_run

        stored = read_run(folder)
        paths = write_plan(stored.network, stored.tables, out or folder / f"plan.{fmt}", fmt)
        click.echo("wrote " + ", ".join(str(p) for p in paths))
        return
    from heatnet.workbook import export_workbook

    click.echo(f"wrote {export_workbook(folder, out)}")


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM (a scheduler or `kill`) stops heatnet the way Ctrl-C does: cleanly, nothing
    # half-written
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(cli.main(standalone_mode=True))
