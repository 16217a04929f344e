"""The ``heatnet`` command line: a thin layer over the library.

Every command turns a :class:`heatnet.errors.HeatnetError` into a plain message on stderr and a
non-zero exit code (1 for bad input, 2 for a solve that is not proven optimal); ``--debug``
shows the Python traceback instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from heatnet.errors import HeatnetError, InputError, Problem


class _HeatnetGroup(click.Group):
    """Click group that prints heatnet errors as messages instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HeatnetError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


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
@click.option("--profiles", type=click.Path(path_type=Path), help="Use this profiles CSV instead "
              "of the one in network.yaml.")
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
    click.echo(f"  nodes: {s['nodes']}")
    click.echo(f"  periods: {s['periods']} covering {s['season_hours']:,.0f} h")
    click.echo("  sources by technology and status:")
    click.echo(_frame_text(s["sources"]))
    click.echo("  capacity by technology and status [MW]:")
    click.echo(_frame_text(s["capacity_mw_by_technology"]))
    click.echo("  pipes by status:")
    click.echo(_frame_text(s["pipes"]))
    click.echo(f"  peak demand: {s['peak_demand_mw']:,.1f} MW (period {s['peak_period']})")
    click.echo(f"  season demand: {s['season_demand_gwh']:,.1f} GWh")
    _echo_warnings(problems)


@cli.command("format-doc")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if the file differs from what the schema gives.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("docs/format.md"), show_default=True, help="File to write or check.")
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
@click.option("--profiles", type=click.Path(path_type=Path),
              help="Profiles CSV to use instead of the network's.")
@click.option("--carbon-price", type=click.FloatRange(min=0), metavar="CNY_PER_T",
              help="Override economics.carbon_price_cny_per_t [CNY/tCO2].")
@click.option("--co2-cap", type=click.FloatRange(min=0), metavar="T",
              help="Override economics.co2_cap_t: cap on season emissions [tCO2].")
@click.option("--mip-gap", type=click.FloatRange(min=0, max=1), default=1e-4,
              show_default=True, help="Relative MIP gap at which to stop.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), metavar="S",
              help="Time limit for the solver [s].")
@click.option("--threads", type=click.IntRange(min=1), help="HiGHS threads (default: HiGHS's "
              "choice).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("results"),
              show_default=True, help="Folder that receives the run folder.")
@click.option("--name", help="Run name (default: <network>_<timestamp>).")
@click.option("--no-unserved-heat", is_flag=True,
              help="Forbid unserved heat: a network short of heat is then infeasible.")
@click.option("--no-prices", is_flag=True, help="Skip the nodal heat-price LP.")
@click.option("-v", "--verbose", is_flag=True, help="Show the HiGHS log live.")
def solve(network: Path | None, profiles: Path | None, carbon_price: float | None,
          co2_cap: float | None, mip_gap: float, time_limit: float | None,
          threads: int | None, out: Path, name: str | None, no_unserved_heat: bool,
          no_prices: bool, verbose: bool) -> None:
    """Choose coal retirements, pipe and source builds and the season's dispatch at least
    annual cost (default network: the embedded Jinan network).

    Writes results/<name>/ (summary.json and result tables) and prints a summary. Exit code
    0 for a proven optimum, 2 when the solve stopped early (time limit) or found no plan.
    """
    import heatnet
    from heatnet.io import load_network
    from heatnet.results import format_summary
    from heatnet.run import check_run_name

    if name is not None:
        check_run_name(name)
    net = load_network(network, profiles)
    econ: dict[str, float] = {}
    if carbon_price is not None:
        econ["carbon_price_cny_per_t"] = carbon_price
    if co2_cap is not None:
        econ["co2_cap_t"] = co2_cap
    if econ:
        net = net.with_economics(**econ)
    options = heatnet.SolveOptions(mip_gap=mip_gap, time_limit_s=time_limit, threads=threads,
                                   verbose=verbose, allow_unserved=not no_unserved_heat,
                                   heat_prices=not no_prices)
    click.echo(f"solving {net.name!r}: {len(net.sources)} sources, {len(net.pipes)} pipes, "
               f"{net.n_periods} periods ({net.season_hours:,.0f} h)", err=True)
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
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Profiles CSV to write (period, weight_h, space_heating, "
              "heat_pump_capacity).")
@click.option("--indoor-c", type=float, default=18.0, show_default=True,
              help="Indoor set point [°C].")
@click.option("--design-c", type=float, default=-5.3, show_default=True,
              help="Design outdoor temperature (daily mean) [°C]; profile = 1 there.")
@click.option("--inertia-h", type=click.FloatRange(min=0), default=12.0, show_default=True,
              help="Time constant of the buildings' thermal inertia smoothing [h]; 0 = none.")
@click.option("--resolution", type=click.Choice(["hourly", "daily"]), default="hourly",
              show_default=True, help="Hourly rows, or daily rows of weight 24 h.")
def profiles(temperature_csv: Path, out: Path, indoor_c: float, design_c: float,
             inertia_h: float, resolution: str) -> None:
    """Make demand and availability profiles from an hourly temperature CSV
    (columns period, temperature_c) by the heating degree-hour method (docs/profiles.md)."""
    from heatnet.profiles import make_profiles, write_profiles

    df = make_profiles(temperature_csv, t_indoor_c=indoor_c, t_design_c=design_c,
                       inertia_h=inertia_h, resolution=resolution)  # type: ignore[arg-type]
    write_profiles(df, out)
    w = df["weight_h"].to_numpy()
    sh = df["space_heating"].to_numpy()
    click.echo(f"wrote {out}: {len(df)} periods, {w.sum():,.0f} h; space_heating peak "
               f"{sh.max():.3f}, season load factor {float((sh * w).sum() / w.sum()):.3f}")


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(standalone_mode=True))
