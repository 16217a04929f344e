"""heatnet's pathway model (spec v1.1 §4) against PyPSA's multi-investment-period optimisation.

    # one PyPSA solve (in .venv-bench); prints one JSON line
    .venv-bench/bin/python benchmarks/pypsa_pathway.py NETWORK [--years 2025,...] [options]
    # the same network solved by heatnet (heatnet.solve, pathway run) in this process
    .venv/bin/python benchmarks/pypsa_pathway.py NETWORK --tool heatnet [options]
    # both tools, each in a fresh process, on the comparison networks; table in benchmarks/out/
    .venv/bin/python benchmarks/pypsa_pathway.py --compare [--cases city25_s0,jinan8] [--mip-gap G]

NETWORK is a heatnet network folder with a ``pathway:`` block, or any folder plus ``--years``
(and ``--demand-scale A:B``, ``--carbon-price A:B`` — linear from the first to the last year —,
``--co2-peak-year``, ``--co2-cap YEAR=T,...``). Both tools read the folder with heatnet's loader.

The pathway in PyPSA 1.4 terms (``n.optimize(multi_investment_periods=True)`` semantics, built
with ``n.optimize.create_model(multi_investment_periods=True)`` so that the extra rows can be
added, then solved by HiGHS through linopy's direct interface):

* investment periods = the pathway's years; snapshots = MultiIndex (period, timestep), every
  year the same T periods of the season; snapshot weightings (objective, generators, stores) =
  the period's ``weight_h``; ``investment_period_weightings``: objective = δ_y = (1+r)^-(y-y0),
  years = 1 (each model year is one heating season, and heatnet counts only the listed years);
* operating costs: PyPSA weights ``marginal_cost`` × p by snapshot weight × period objective
  weight, i.e. Σ_y δ_y Σ_t w_t c_{s,y} g — heatnet's Σ_y δ_y C_y. The per-year carbon price is
  a ``marginal_cost`` *time series* over the multi-indexed snapshots (vc + price_y × co2);
* demand × demand_scale_y: ``Load.p_set`` over the multi-indexed snapshots; unserved heat a
  generator per demand bus with p_nom = the largest scaled demand and p_max_pu = D_{y,t}/p_nom;
* a **candidate** (source or pipe) that can be built in any year y_b ≥ ``earliest_year`` and
  stays built: one modular extendable copy per possible build year (``build_year`` = y_b,
  ``lifetime`` covering the horizon), ``p_nom_mod`` = ``p_nom_max`` = capacity, and one extra
  linopy row Σ_copies n_mod ≤ 1. PyPSA charges an extendable asset's ``capital_cost`` ×
  p_nom × Σ over the periods where it is active of the period's *objective* weighting, so with
  capital_cost = (capex × a(r, lifetime) + fixed) / capacity the annuity is paid, discounted by
  δ_y, in exactly the years the asset exists — heatnet's rule. (``lifetime`` both annualises an
  ``overnight_cost`` and ends an asset's activity in PyPSA; we give the annuity ourselves as
  ``capital_cost``, so ``lifetime`` = max(lifetime_years, years to the horizon's end) only keeps
  the asset active to the end, as heatnet does);
* a **retirable** source: no native equivalent (PyPSA's lifetime is an input, not a decision,
  and an asset's p_nom is one variable for all periods). Emulated exactly with one modular
  extendable copy per "last kept year" Y_j (``build_year`` = y0, ``lifetime`` ending after Y_j,
  only Y_j before ``retire_by``) and Σ_copies n_mod ≤ 1 (no copy = retired from the first
  year). Cost: fixed × k + retirement annuity × (1 − k) per year = the constant Σ_y δ_y ret
  plus ``capital_cost`` = (fixed − ret) / capacity on the chosen copy's active years;
* an existing or committed source or pipe with ``earliest_year``: non-extendable,
  ``build_year`` = earliest_year; fixed costs (and a committed asset's annuity) of the years it
  exists, and retirement annuities of retired sources, are constants added to the objective;
* a pipe is a Link with efficiency 1 − loss × length and marginal cost = pumping cost; a
  bidirectional pipe is a forward and a reverse link (same build_year/lifetime) whose flows
  share the capacity through an extra linopy row (as in benchmarks/pypsa_case.py);
* CO2 cap of year y: a native ``GlobalConstraint`` (type ``primary_energy``, carrier attribute
  ``co2_emissions``, ``investment_period`` = y); ``co2_peak_year`` P (E_y ≤ E_{y−1} for y−1 ≥
  P): no native global constraint links two periods' emissions, so it is an extra linopy row.

Not expressed: the security block (§3) and the planners' rules (§5) — the run refuses a
network that has them (the comparison networks are prepared without them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import math
import sys
import time
import warnings
from pathlib import Path

from _rss import peak_rss_mb  # benchmarks/ is on sys.path: scripts run from it

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out" / "pathway"


def annuity(rate: float, years: float) -> float:
    return 1.0 / years if rate == 0 else rate / (1.0 - (1.0 + rate) ** (-years))


# --- the network -----------------------------------------------------------------------------


def _points(text: str | None, years: list[int]) -> tuple[tuple[int, float], ...] | None:
    """'A:B' → linear from A in the first year to B in the last; 'A' → A every year."""
    if text is None:
        return None
    parts = [float(x) for x in text.split(":")]
    if len(parts) == 1:
        return ((years[0], parts[0]),)
    return ((years[0], parts[0]), (years[-1], parts[1]))


def load(args: argparse.Namespace) -> object:
    """The network of the command line: the folder, with a pathway from the options if given."""
    from heatnet.io import load_network
    from heatnet.network import Pathway

    net = load_network(args.network)
    if args.years:
        years = [int(y) for y in args.years.split(",")]
        cap = None
        if args.co2_cap:
            cap = tuple(
                sorted(
                    (int(k), float(v)) for k, v in (p.split("=") for p in args.co2_cap.split(","))
                )
            )
        net = net.replace(
            pathway=Pathway(
                years=tuple(years),
                demand_scale=_points(args.demand_scale, years) or (),
                carbon_price_cny_per_t=_points(args.carbon_price, years),
                co2_cap_t=cap,
                co2_peak_year=args.co2_peak_year,
            )
        )
    if net.pathway is None:
        raise SystemExit("the network has no pathway: block; give --years")
    if args.no_security:
        net = net.replace(security=None)
    return net


def _year(value: object) -> float:
    """A year cell as a float (NaN: empty)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _num(value: object) -> float:
    """A cost cell as a float (0: empty)."""
    v = _year(value)
    return 0.0 if v != v else v


# --- PyPSA -----------------------------------------------------------------------------------


class Built:
    """The PyPSA network and what the extra rows and the comparison need."""

    def __init__(self) -> None:
        self.constant = 0.0  # CNY, added to PyPSA's objective
        self.pairs: list[tuple[str, str, float, bool]] = []  # (fwd, rev, cap, extendable)
        # (component, "build" | "retire", id) → [(copy name, build year | last kept year)]
        self.groups: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
        self.emitters: list[tuple[str, float]] = []  # (generator, tCO2/MWh)


def build(net: object) -> tuple[object, Built]:
    """The PyPSA multi-investment-period network of a heatnet pathway network."""
    import numpy as np
    import pandas as pd
    import pypsa

    from heatnet.years import EARLIEST_YEAR, RETIRE_BY, year_column

    if net.security is not None:
        raise SystemExit("PyPSA cannot express the security block (spec §3): use --no-security")
    if net.constraints is not None:
        raise SystemExit("the planners' rules (spec §5) are not mapped to PyPSA")
    pw = net.pathway
    econ = net.economics
    years = [int(y) for y in pw.years]
    y0, ylast, Y = years[0], years[-1], len(years)
    r = econ.discount_rate
    a_ret = annuity(r, econ.retirement_annualisation_years)
    delta = np.array([pw.discount_factor(y, econ) for y in years])
    scale = np.array([pw.demand_scale_in(y) for y in years])
    price = np.array([pw.carbon_price_in(y, econ) for y in years])
    T = net.n_periods
    b = Built()

    n = pypsa.Network()
    n.set_snapshots(pd.MultiIndex.from_product([years, range(T)], names=["period", "timestep"]))
    n.investment_periods = years
    n.investment_period_weightings.loc[:, "objective"] = delta
    n.investment_period_weightings.loc[:, "years"] = 1.0
    w = np.tile(net.weights_h, Y)
    # a whole frame: `.loc[:, :] = ...` drops the MultiIndex's "snapshot" name under pandas 3,
    # and every time series added after that loses its snapshot dimension
    n.snapshot_weightings = pd.DataFrame(
        {c: w for c in n.snapshot_weightings.columns}, index=n.snapshots
    )
    sns = n.snapshots
    period_of = sns.get_level_values("period").to_numpy()
    n.add("Carrier", ["heat"])
    n.add("Bus", [str(i) for i in net.nodes.index], carrier="heat")

    # demand × demand_scale_y
    dem = net.demand_mw()
    D = np.concatenate([dem.to_numpy() * s for s in scale])  # (Y T, nodes)
    loads = [f"load_{c}" for c in dem.columns]
    n.add(
        "Load",
        loads,
        bus=[str(c) for c in dem.columns],
        p_set=pd.DataFrame(D, index=sns, columns=loads),
    )
    peak = D.max(axis=0)
    has = peak > 0
    un = [f"unserved_{c}" for c, h in zip(dem.columns, has, strict=True) if h]
    n.add(
        "Generator",
        un,
        bus=[str(c) for c, h in zip(dem.columns, has, strict=True) if h],
        carrier="heat",
        p_nom=peak[has],
        marginal_cost=econ.unserved_heat_cost_cny_per_mwh,
        p_max_pu=pd.DataFrame(D[:, has] / peak[has], index=sns, columns=un),
    )

    # sources
    caps = [pw.co2_cap_in(y, econ) for y in years]
    any_cap = any(c is not None for c in caps)
    s = net.sources
    avail = net.availability()
    earliest = year_column(s, EARLIEST_YEAR)
    retire_by = year_column(s, RETIRE_BY)
    rows: list[dict[str, object]] = []
    for sid, row in s.iterrows():
        status = row["status"]
        cap = float(row["capacity_mw"])
        fixed = _num(row["fixed_cost_cny_per_year"])
        ey = earliest[sid]
        if status == "retired":
            b.constant += float(delta.sum()) * _num(row["retirement_cost_cny"]) * a_ret
            continue
        if status == "unavailable":
            continue
        unit = float(row["variable_cost_cny_per_mwh"]) + price * float(row["co2_t_per_mwh"])
        base = {
            "bus": str(row["node"]),
            "carrier": f"c_{sid}" if any_cap else "heat",
            "marginal_cost": np.repeat(unit, T),
            "p_max_pu": np.tile(avail[sid].to_numpy(dtype=float), Y),
            "co2": float(row["co2_t_per_mwh"]),
            "cap": cap,
        }
        if status in ("existing", "committed"):
            by = int(ey) if ey == ey and ey > y0 else y0
            yearly = fixed
            if status == "committed":
                yearly += _num(row["capex_cny"]) * annuity(r, float(row["lifetime_years"]))
            b.constant += float(delta[np.array(years) >= by].sum()) * yearly
            rows.append(
                {
                    **base,
                    "name": f"gen_{sid}",
                    "p_nom": cap,
                    "ext": False,
                    "build_year": by,
                    "lifetime": np.inf,
                    "capital_cost": 0.0,
                }
            )
        elif status == "retirable":
            ret = _num(row["retirement_cost_cny"]) * a_ret
            b.constant += float(delta.sum()) * ret
            copies = []
            for j, yj in enumerate(years):
                if retire_by[sid] == retire_by[sid] and yj >= retire_by[sid]:
                    break
                end = years[j + 1] if j + 1 < Y else yj + 1  # active for periods < end
                name = f"gen_{sid}@keep{yj}"
                copies.append((name, yj))
                rows.append(
                    {
                        **base,
                        "name": name,
                        "p_nom": 0.0,
                        "ext": True,
                        "build_year": y0,
                        "lifetime": end - y0,
                        "capital_cost": (fixed - ret) / cap,
                    }
                )
            b.groups[("Generator", "retire", str(sid))] = copies
        elif status == "candidate":
            life = float(row["lifetime_years"])
            cc = (_num(row["capex_cny"]) * annuity(r, life) + fixed) / cap
            copies = []
            for yj in years:
                if ey == ey and yj < ey:
                    continue
                name = f"gen_{sid}@build{yj}"
                copies.append((name, yj))
                rows.append(
                    {
                        **base,
                        "name": name,
                        "p_nom": 0.0,
                        "ext": True,
                        "build_year": yj,
                        "lifetime": max(life, ylast - yj + 1),
                        "capital_cost": cc,
                    }
                )
            b.groups[("Generator", "build", str(sid))] = copies
    if any_cap:
        carriers = sorted({str(x["carrier"]) for x in rows})
        co2_of = {f"c_{sid}": float(v) for sid, v in s["co2_t_per_mwh"].items()}
        n.add("Carrier", carriers, co2_emissions=[co2_of[c] for c in carriers])
    names = [str(x["name"]) for x in rows]
    ext = np.array([bool(x["ext"]) for x in rows])
    cap_of = np.array([float(x["cap"]) for x in rows])
    n.add(
        "Generator",
        names,
        bus=[x["bus"] for x in rows],
        carrier=[x["carrier"] for x in rows],
        p_nom=[x["p_nom"] for x in rows],
        p_nom_extendable=ext,
        p_nom_mod=np.where(ext, cap_of, 0.0),
        p_nom_max=np.where(ext, cap_of, np.inf),
        capital_cost=[x["capital_cost"] for x in rows],
        build_year=[x["build_year"] for x in rows],
        lifetime=[x["lifetime"] for x in rows],
        marginal_cost=pd.DataFrame(
            np.column_stack([x["marginal_cost"] for x in rows]), index=sns, columns=names
        ),
        p_max_pu=pd.DataFrame(
            np.column_stack([x["p_max_pu"] for x in rows]), index=sns, columns=names
        ),
    )
    b.emitters = [(str(x["name"]), float(x["co2"])) for x in rows if float(x["co2"]) > 0]
    for y, c in zip(years, caps, strict=True):
        if c is not None:
            n.add(
                "GlobalConstraint",
                f"co2_cap_{y}",
                type="primary_energy",
                carrier_attribute="co2_emissions",
                sense="<=",
                constant=float(c),
                investment_period=y,
            )

    # pipes
    p = net.pipes
    p_earliest = year_column(p, EARLIEST_YEAR)
    links: list[dict[str, object]] = []
    for pid, row in p.iterrows():
        status = row["status"]
        if status == "unavailable":
            continue
        cap = float(row["capacity_mw"])
        eta = 1.0 - float(row["loss_fraction_per_km"]) * float(row["length_km"])
        pump = float(row["pumping_cost_cny_per_mwh"])
        bi = bool(row["bidirectional"])
        ey = p_earliest[pid]
        base = {"from": str(row["from_node"]), "to": str(row["to_node"]), "eta": eta, "pump": pump}
        if status in ("existing", "committed"):
            by = int(ey) if ey == ey and ey > y0 else y0
            if status == "committed":
                yearly = float(row["capex_cny"]) * annuity(r, float(row["lifetime_years"]))
                b.constant += float(delta[np.array(years) >= by].sum()) * yearly
            variants = [(f"{pid}", by, np.inf, False, 0.0)]
        else:  # candidate
            life = float(row["lifetime_years"])
            cc = float(row["capex_cny"]) * annuity(r, life) / cap
            variants = [
                (f"{pid}@build{yj}", yj, max(life, ylast - yj + 1), True, cc)
                for yj in years
                if not (ey == ey and yj < ey)
            ]
            b.groups[("Link", "build", str(pid))] = [(f"fwd_{v[0]}", v[1]) for v in variants]
        for name, by, life, is_ext, cc in variants:
            links.append(
                {
                    **base,
                    "name": f"fwd_{name}",
                    "bus0": base["from"],
                    "bus1": base["to"],
                    "p_nom": 0.0 if is_ext else cap,
                    "ext": is_ext,
                    "mod": cap if is_ext else 0.0,
                    "build_year": by,
                    "lifetime": life,
                    "capital_cost": cc,
                }
            )
            if bi:
                links.append(
                    {
                        **base,
                        "name": f"rev_{name}",
                        "bus0": base["to"],
                        "bus1": base["from"],
                        "p_nom": cap,
                        "ext": False,
                        "mod": 0.0,
                        "build_year": by,
                        "lifetime": life,
                        "capital_cost": 0.0,
                    }
                )
                b.pairs.append((f"fwd_{name}", f"rev_{name}", cap, is_ext))
    if links:
        ext = np.array([bool(x["ext"]) for x in links])
        n.add(
            "Link",
            [x["name"] for x in links],
            bus0=[x["bus0"] for x in links],
            bus1=[x["bus1"] for x in links],
            efficiency=[x["eta"] for x in links],
            marginal_cost=[x["pump"] for x in links],
            p_nom=[x["p_nom"] for x in links],
            p_nom_extendable=ext,
            p_nom_mod=[x["mod"] for x in links],
            p_nom_max=np.where(ext, [x["mod"] for x in links], np.inf),
            capital_cost=[x["capital_cost"] for x in links],
            build_year=[x["build_year"] for x in links],
            lifetime=[x["lifetime"] for x in links],
        )
    b.period_of = period_of  # type: ignore[attr-defined]
    b.years = years  # type: ignore[attr-defined]
    return n, b


def extra_rows(n: object, b: Built, net: object) -> None:
    """The rows PyPSA does not make: shared capacity of two-way pipes, at most one copy of
    each candidate / retirable, and the CO2 peak (E_y − E_{y−1} ≤ 0 for y−1 ≥ P)."""
    import numpy as np
    import xarray as xr
    from pypsa_case import shared_capacity

    m = n.model
    shared_capacity(n, b.pairs)
    for comp in ("Generator", "Link"):
        groups = [(k[2], [c for c, _ in v]) for k, v in b.groups.items() if k[0] == comp and v]
        if not groups:
            continue
        nmod = m[f"{comp}-n_mod"]
        names = [c for _, cs in groups for c in cs]
        owner = xr.DataArray(
            [g for g, cs in groups for _ in cs], coords={"name": names}, dims="name"
        )
        lhs = nmod.sel(name=names).groupby(owner).sum()
        m.add_constraints(lhs <= 1, name=f"{comp}-one-copy")
    pw = net.pathway
    if pw.co2_peak_year is None or not b.emitters:
        return
    years = b.years
    p = m["Generator-p"]
    sns = n.snapshots
    w = n.snapshot_weightings["generators"].to_numpy()
    gens = [g for g, _ in b.emitters]
    co2 = np.array([c for _, c in b.emitters])

    def emissions(y: int) -> object:
        sel = sns[b.period_of == y]
        coef = xr.DataArray(
            w[b.period_of == y][:, None] * co2[None, :] / 1000.0,  # ktCO2
            coords={"snapshot": sel, "name": gens},
            dims=("snapshot", "name"),
        )
        return (p.sel(snapshot=sel, name=gens) * coef).sum()

    for prev, y in itertools.pairwise(years):
        if prev >= int(pw.co2_peak_year):
            m.add_constraints(emissions(y) - emissions(prev) <= 0, name=f"co2_peak_{y}")


def pypsa_timeline(n: object, b: Built) -> dict[str, object]:
    """The year each candidate is built / each retirable retired (None: never), from the copies
    chosen."""
    out: dict[str, object] = {}
    years = b.years
    for (comp, kind, ident), copies in b.groups.items():
        # (a retirable without copies, retire_by at the first year, is retired from it)
        static = n.c.generators.static if comp == "Generator" else n.c.links.static
        nom = static["p_nom_opt"]
        chosen = [y for name, y in copies if nom[name] > 0.5]
        if kind == "retire":
            # kept up to and including the chosen year; retired from the next listed year
            if not chosen:
                out[f"retire:{ident}"] = years[0]
            else:
                j = years.index(chosen[0])
                out[f"retire:{ident}"] = years[j + 1] if j + 1 < len(years) else None
        else:
            out[f"build:{ident}"] = chosen[0] if chosen else None
    return out


def _plan(text: str | None) -> dict[str, int | None] | None:
    """A plan ({"build:ID" | "retire:ID": year or None}) from JSON text or a JSON file."""
    if not text:
        return None
    return json.loads(text if text.lstrip().startswith("{") else Path(text).read_text())


def fix_plan(n: object, b: Built, plan: dict[str, int | None]) -> None:
    """Fix every copy's n_mod to a plan (the other tool's): the built copy of its build year,
    the kept copy of the last year before its retirement (none if retired from the first)."""
    years = b.years
    m = n.model
    for comp in ("Generator", "Link"):
        names: list[str] = []
        values: list[float] = []
        for (c, kind, ident), copies in b.groups.items():
            if c != comp or not copies or f"{kind}:{ident}" not in plan:
                continue
            y = plan[f"{kind}:{ident}"]
            if kind == "build":
                pick = y
            elif y is None:
                pick = years[-1]
            else:
                j = years.index(int(y))
                pick = years[j - 1] if j > 0 else None
            names += [nm for nm, _ in copies]
            values += [1.0 if pick is not None and yc == int(pick) else 0.0 for _, yc in copies]
        if names:
            import xarray as xr

            rhs = xr.DataArray(values, coords={"name": names}, dims="name")
            m.add_constraints(m[f"{comp}-n_mod"].sel(name=names) == rhs, name=f"{comp}-plan")


def run_pypsa(args: argparse.Namespace) -> dict[str, object]:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    t0 = time.perf_counter()
    import pypsa  # noqa: F401

    t_import = time.perf_counter()
    net = load(args)
    t_load = time.perf_counter()
    n, b = build(net)
    model = n.optimize.create_model(multi_investment_periods=True, include_objective_constant=False)
    extra_rows(n, b, net)
    plan = _plan(args.fix_plan)
    if plan is not None:
        fix_plan(n, b, plan)
    t_build = time.perf_counter()
    opts: dict[str, object] = {"mip_rel_gap": args.mip_gap, "output_flag": False}
    if args.time_limit:
        opts["time_limit"] = args.time_limit
    if args.threads:
        opts["threads"] = args.threads
    status, condition = n.optimize.solve_model(solver_name="highs", io_api="direct", **opts)
    t_solve = time.perf_counter()
    obj = float(n.objective) + b.constant if n.objective is not None else None
    try:
        bound = float(model.solver_model.getInfo().mip_dual_bound) + b.constant
    except Exception:
        bound = None
    gap = (obj - bound) / abs(obj) if obj and bound is not None else None
    n_int = int(
        sum(
            v.attrs.get("integer", False) * (v.labels != -1).sum().item()
            for _, v in model.variables.items()
        )
    )
    return {
        "tool": "pypsa",
        "mode": "multi-investment-period MILP (linopy direct)"
        + (", plan fixed" if plan is not None else ""),
        "status": f"{status}/{condition}",
        "objective_cny": obj,
        "bound_cny": bound,
        "gap": gap,
        "import_s": t_import - t0,
        "load_s": t_load - t_import,
        "build_s": t_build - t_load,
        "solve_s": t_solve - t_build,
        "total_s": t_solve - t_import,
        "peak_rss_mb": peak_rss_mb(),
        "n_cols": int(model.nvars),
        "n_rows": int(model.ncons),
        "n_integers": n_int,
        "years": b.years,
        "timeline": pypsa_timeline(n, b) if obj is not None else {},
    }


# --- heatnet ---------------------------------------------------------------------------------


def run_heatnet(args: argparse.Namespace) -> dict[str, object]:
    t0 = time.perf_counter()
    import heatnet
    from heatnet.options import SolveOptions

    t_import = time.perf_counter()
    net = load(args)
    t_load = time.perf_counter()
    opts = SolveOptions(
        mip_gap=args.mip_gap,
        time_limit_s=args.time_limit,
        two_stage=False,
        heat_prices=False,
        threads=args.threads,
    )
    plan = _plan(args.fix_plan)
    if plan is not None:
        return heatnet_at_plan(net, opts, plan, t0, t_import, t_load)
    run = heatnet.solve(net, opts)
    t_end = time.perf_counter()
    s, res = run.summary, run.result
    timeline: dict[str, object] = {}
    tl = run.tables.get("timeline")
    if tl is not None:
        for _, row in tl.iterrows():
            y = _year(row["year"])
            timeline[f"{row['kind']}:{row['id']}"] = None if y != y else int(y)
    return {
        "tool": "heatnet",
        "mode": s.get("solve_mode"),
        "status": s["status"],
        "objective_cny": s["objective_cny"],
        "bound_cny": s["bound_cny"],
        "gap": s["mip_gap"],
        "import_s": t_import - t0,
        "load_s": t_load - t_import,
        "build_s": res.build_s,
        "handoff_s": res.handoff_s,
        "solve_s": res.solve_s,
        "total_s": t_end - t_import,
        "peak_rss_mb": peak_rss_mb(),
        "n_cols": res.n_cols,
        "n_rows": res.n_rows,
        "n_integers": res.n_binaries,
        "years": [int(y) for y in net.pathway.years],
        "timeline": timeline,
    }


def heatnet_at_plan(
    net: object,
    opts: object,
    plan: dict[str, int | None],
    t0: float,
    t_import: float,
    t_load: float,
) -> dict[str, object]:
    """heatnet's stacked pathway model with every year's decisions fixed to a plan (the other
    tool's): b, y = 1 from the build year on, k = 0 from the retirement year on."""
    from heatnet.pathway import solve_stacked
    from heatnet.stages import solver_settings

    years = [int(y) for y in net.pathway.years]
    sources = set(net.sources.index)
    by_year: list[dict[tuple[str, str], float]] = []
    for y in years:
        fixed: dict[tuple[str, str], float] = {}
        for key, when in plan.items():
            kind, ident = key.split(":", 1)
            if kind == "build":
                name = "build_source" if ident in sources else "build_pipe"
                fixed[(name, ident)] = float(when is not None and y >= int(when))
            else:
                fixed[("keep_source", ident)] = float(not (when is not None and y >= int(when)))
        by_year.append(fixed)
    res, _ = solve_stacked(net, opts, solver_settings(opts), fixed_by_year=by_year)
    t_end = time.perf_counter()
    return {
        "tool": "heatnet",
        "mode": "stacked pathway model, plan fixed",
        "status": res.status.value if hasattr(res.status, "value") else str(res.status),
        "objective_cny": res.objective_cny,
        "bound_cny": res.bound_cny,
        "gap": res.mip_gap,
        "import_s": t_import - t0,
        "load_s": t_load - t_import,
        "build_s": res.build_s,
        "handoff_s": res.handoff_s,
        "solve_s": res.solve_s,
        "total_s": t_end - t_import,
        "peak_rss_mb": peak_rss_mb(),
        "n_cols": res.n_cols,
        "n_rows": res.n_rows,
        "years": years,
        "timeline": plan,
    }


# --- the comparison --------------------------------------------------------------------------

CASES: dict[str, dict[str, object]] = {
    # (a) a small generated city: 288 periods, 5 years, demand 1.0 → 1.1, carbon 60 → 160
    "city25_s0": {
        "city": (25, 0),
        "years": list(range(2025, 2030)),
        "demand": (1.0, 1.1),
        "price": (60.0, 160.0),
    },
    # another seed and a larger size: the agreement is not a coincidence
    "city25_s1": {
        "city": (25, 1),
        "years": list(range(2025, 2030)),
        "demand": (1.0, 1.1),
        "price": (60.0, 160.0),
    },
    "city50_s2": {
        "city": (50, 2),
        "years": list(range(2025, 2030)),
        "demand": (1.0, 1.1),
        "price": (60.0, 160.0),
    },
    # the CO2 rows binding on a city: a peak from 2026 (emulated) and caps of 0.70 Mt in
    # 2028 and 0.65 Mt in 2029 (native; without them the city emits 0.66 → 0.82 Mt)
    "city25_s0_peak_cap": {
        "city": (25, 0),
        "years": list(range(2025, 2030)),
        "demand": (1.0, 1.1),
        "price": (60.0, 160.0),
        "peak": 2026,
        "cap": {2028: 7.0e5, 2029: 6.5e5},
    },
    # retirement chosen by the optimiser mid-horizon (a synthetic stress case for the
    # emulated retirement): demand falling 1.0 → 0.7 (say, retrofits), carbon 60 → 400, the
    # coal points' retirement costs × 0.2
    "city25_s0_decline": {
        "city": (25, 0),
        "years": list(range(2025, 2030)),
        "demand": (1.0, 0.7),
        "price": (60.0, 400.0),
        "retire_cost": 0.2,
    },
    "city25_s1_decline": {
        "city": (25, 1),
        "years": list(range(2025, 2030)),
        "demand": (1.0, 0.7),
        "price": (60.0, 400.0),
        "retire_cost": 0.2,
    },
    # (b) Jinan, daily profile (121 periods), 8 seasons 2023–2030: every candidate buildable
    # from 2023, every coal point retirable in any year, no security block
    "jinan8": {
        "folder": "networks/jinan",
        "years": list(range(2023, 2031)),
        "demand": (1.0, 1.144),
        "price": (68.15, 160.0),
    },
    # (b') the same with a CO2 peak from 2028 (emulated in PyPSA) and a 2030 cap (native)
    "jinan8_peak_cap": {
        "folder": "networks/jinan",
        "years": list(range(2023, 2031)),
        "demand": (1.0, 1.144),
        "price": (68.15, 160.0),
        "peak": 2028,
        "cap": {2030: 2.0e6},
    },
    # (c) the embedded back-test as it is (earliest_year on a source and eight candidate
    # pipes, co2_peak_year 2029), with the real closures as retire_by deadlines
    "jinan_backtest_deadlines": {
        "folder": "networks/jinan_pathway_backtest",
        "retire_by": {
            "COAL_DONGXIN": 2023,
            "COAL_MINGHU": 2024,
            "COAL_NANJIAO": 2026,
            "COAL_XIBU": 2026,
            "COAL_LASHAN": 2026,
            "COAL_LIANHUASHAN": 2026,
            "COAL_BEIJIAO": 2026,
            "COAL_AGG_WEST": 2026,
            "COAL_AGG_CENTRAL": 2026,
            "COAL_AGG_EAST": 2026,
        },
    },
}


def prepare(case: str, root: Path) -> Path:
    """The case's network folder (with its pathway block, no security block), written once."""
    from heatnet.generate import generate_city
    from heatnet.io import load_network, write_network
    from heatnet.network import Pathway

    folder = root / case
    if folder.exists() and (folder / "network.yaml").exists():
        return folder
    spec = CASES[case]
    if "city" in spec:
        size, seed = spec["city"]  # type: ignore[misc]
        net = generate_city(size, seed=seed, resolution="typical")
    else:
        net = load_network(ROOT / str(spec["folder"]))
    if "years" in spec:
        years = list(spec["years"])  # type: ignore[arg-type]
        d0, d1 = spec["demand"]  # type: ignore[misc]
        c0, c1 = spec["price"]  # type: ignore[misc]
        cap = spec.get("cap")
        net = net.replace(
            pathway=Pathway(
                years=tuple(years),
                demand_scale=((years[0], d0), (years[-1], d1)),
                carbon_price_cny_per_t=((years[0], c0), (years[-1], c1)),
                co2_cap_t=tuple(sorted(cap.items())) if cap else None,  # type: ignore[union-attr]
                co2_peak_year=spec.get("peak"),  # type: ignore[arg-type]
            )
        )
    if "retire_cost" in spec:
        sources = net.sources.copy()
        retirable = sources["status"] == "retirable"
        sources.loc[retirable, "retirement_cost_cny"] *= float(spec["retire_cost"])  # type: ignore[arg-type]
        net = net.replace(sources=sources)
    if "retire_by" in spec:
        sources = net.sources.copy()
        if "retire_by" not in sources.columns:
            sources["retire_by"] = ""
        sources["retire_by"] = sources["retire_by"].astype(object)
        for sid, y in spec["retire_by"].items():  # type: ignore[union-attr]
            sources.loc[sid, "retire_by"] = int(y)
        net = net.replace(sources=sources)
    net = net.replace(security=None, constraints=None)
    write_network(net, folder)
    return folder


def compare(args: argparse.Namespace) -> None:
    """Both tools on each case, each in a fresh process; with ``--cross``, each tool's optimal
    plan (read from the CSV) evaluated in the other tool's model instead. Rows are kept by
    (case, tool) in ``pathway_pypsa.csv``; ``pathway_pypsa.md`` is rewritten from it."""
    import pandas as pd
    from run import bench_python, machine, run_process

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    nets = out / "networks"
    py_bench = bench_python()
    cases = args.cases.split(",") if args.cases else list(CASES)
    csv = out / "pathway_pypsa.csv"
    rows: list[dict[str, object]] = (
        pd.read_csv(csv).to_dict("records") if (args.merge or args.cross) and csv.exists() else []
    )
    python = {"heatnet": Path(sys.executable), "pypsa": py_bench}
    for case in cases:
        folder = prepare(case, nets)
        runs: list[tuple[str, str, str | None]] = []  # (row label, tool, plan)
        if args.cross:
            done = {r["tool"]: r for r in rows if r["case"] == case}
            for tool, other in (("pypsa", "heatnet"), ("heatnet", "pypsa")):
                if other in done and isinstance(done[other].get("timeline"), str):
                    runs.append((f"{tool}@{other}_plan", tool, str(done[other]["timeline"])))
        else:
            runs = [("heatnet", "heatnet", None), ("pypsa", "pypsa", None)]
        for label, tool, plan in runs:
            cmd = [
                str(python[tool]),
                str(BENCH / "pypsa_pathway.py"),
                str(folder),
                "--tool",
                tool,
                "--mip-gap",
                str(args.mip_gap),
            ]
            if plan is not None:
                cmd += ["--fix-plan", plan]
            if args.time_limit:
                cmd += ["--time-limit", str(args.time_limit)]
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            print(f"{case} {label} ...", flush=True)
            t0 = time.perf_counter()
            res = run_process(cmd, args.memory_limit_gb, (args.time_limit or 900.0) * 2 + 120.0)
            res["wall_s"] = time.perf_counter() - t0
            res["case"], res["tool"] = case, label
            res["mip_gap_requested"] = args.mip_gap
            res["timeline"] = json.dumps(res.get("timeline", {}), sort_keys=True)
            res["years"] = json.dumps(res.get("years", []))
            print(
                "   ",
                {
                    k: res.get(k)
                    for k in ("status", "objective_cny", "gap", "total_s", "peak_rss_mb")
                },
                flush=True,
            )
            rows = [r for r in rows if (r["case"], r["tool"]) != (case, label)] + [res]
            write_tables(rows, out, machine())
    write_tables(rows, out, machine())
    print(f"wrote {csv} and {out / 'pathway_pypsa.md'}")


def write_tables(rows: list[dict[str, object]], out: Path, machine_line: str) -> None:
    """The CSV and the Markdown table, rows in case order then tool order."""
    import pandas as pd

    order = {c: i for i, c in enumerate(CASES)}
    tools = ["heatnet", "pypsa", "pypsa@heatnet_plan", "heatnet@pypsa_plan"]
    df = pd.DataFrame(rows)
    df = df.sort_values(
        by=["case", "tool"],
        key=lambda col: col.map(
            order if col.name == "case" else {t: i for i, t in enumerate(tools)}
        ),
        kind="stable",
    )
    df.to_csv(out / "pathway_pypsa.csv", index=False)
    (out / "pathway_pypsa.md").write_text(markdown(df, machine_line), encoding="utf-8")


def _f(x: object, fmt: str) -> str:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else format(v, fmt)


def markdown(df: object, machine_line: str) -> str:
    import pandas as pd

    assert isinstance(df, pd.DataFrame)
    lines = [
        f"Machine: {machine_line}",
        "",
        "| case | years | tool | gap asked | status | build s | solve s | total s | wall s "
        "| peak RSS GB | columns | rows | integers | NPV M CNY | gap |",
        "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _, r in df.iterrows():
        years = json.loads(r["years"]) if isinstance(r.get("years"), str) else []
        span = f"{years[0]}–{years[-1]} ({len(years)})" if years else ""
        lines.append(
            f"| {r['case']} | {span} | {r['tool']} | {_f(r.get('mip_gap_requested'), 'g')} "
            f"| {r.get('status', '')} "
            f"| {_f(r.get('build_s'), '.2f')} | {_f(r.get('solve_s'), '.1f')} "
            f"| {_f(r.get('total_s'), '.1f')} | {_f(r.get('wall_s'), '.1f')} "
            f"| {_f((r.get('peak_rss_mb') or 0) / 1024, '.2f')} | {_f(r.get('n_cols'), ',.0f')} "
            f"| {_f(r.get('n_rows'), ',.0f')} | {_f(r.get('n_integers'), ',.0f')} "
            f"| {_f((r.get('objective_cny') or float('nan')) / 1e6, ',.3f')} "
            f"| {_f((r.get('gap') or 0) * 100, '.4f')} % |"
        )
    lines += [
        "",
        "Optima compared: relative difference |a − b| / max(|a|, |b|); they agree when it is "
        "within the sum of the two solves' proven gaps + 1e-6. Decisions: build / retire "
        "years that differ between the two plans. Cross-evaluation: each tool's plan fixed in "
        "the other tool's model (an LP once the plan is fixed), relative difference to the "
        "plan's own objective — the models are the same when it is ~1e-12.",
        "",
        "| case | heatnet NPV M CNY | PyPSA NPV M CNY | difference | tolerance | agree "
        "| PyPSA / heatnet total time | decisions that differ (heatnet/PyPSA) "
        "| PyPSA at heatnet's plan − heatnet | heatnet at PyPSA's plan − PyPSA |",
        "|---|---:|---:|---:|---:|---|---:|---|---:|---:|",
    ]
    for case, g in df.groupby("case", sort=False):
        got = {r["tool"]: r for _, r in g.iterrows() if pd.notna(r.get("objective_cny"))}
        if "heatnet" not in got or "pypsa" not in got:
            continue
        h, p = got["heatnet"], got["pypsa"]
        a, b_ = float(h["objective_cny"]), float(p["objective_cny"])
        diff = abs(a - b_) / max(abs(a), abs(b_))
        tol = float(h.get("gap") or 0) + float(p.get("gap") or 0) + 1e-6
        th, tp = json.loads(h["timeline"]), json.loads(p["timeline"])
        differ = [k for k in sorted(set(th) | set(tp)) if th.get(k) != tp.get(k)]
        text = ", ".join(f"{k} {th.get(k)}/{tp.get(k)}" for k in differ) or "none"

        def cross(label: str, ref: float, got: dict = got) -> str:
            r = got.get(label)
            if r is None:
                return "–"
            d = (float(r["objective_cny"]) - ref) / abs(ref)
            return f"{d:+.1e} ({float(r['total_s']):.1f} s)"

        # a solve stopped by its time limit: the ratio is a lower bound
        stopped = any("time_limit" in str(r.get("status")) for r in (h, p))
        ratio = f"{'≥ ' if stopped else ''}{float(p['total_s']) / float(h['total_s']):.1f}×"
        lines.append(
            f"| {case} | {a / 1e6:,.3f} | {b_ / 1e6:,.3f} | {diff * 100:.5f} % "
            f"| {tol * 100:.4f} % | {'yes' if diff <= tol else 'no'} "
            f"| {ratio} | {text} "
            f"| {cross('pypsa@heatnet_plan', a)} | {cross('heatnet@pypsa_plan', b_)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("network", nargs="?")
    ap.add_argument("--tool", choices=["pypsa", "heatnet"], default="pypsa")
    ap.add_argument("--compare", action="store_true", help="run both tools on the cases")
    ap.add_argument("--cases", help=f"comma-separated, of: {', '.join(CASES)}")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--merge", action="store_true", help="keep other cases' rows in the CSV")
    ap.add_argument("--memory-limit-gb", type=float, default=20.0)
    ap.add_argument("--years", help="comma-separated pathway years (overrides the folder's)")
    ap.add_argument("--demand-scale", help="A:B, linear from the first to the last year")
    ap.add_argument("--carbon-price", help="A:B CNY/t, linear from the first to the last year")
    ap.add_argument("--co2-peak-year", type=int)
    ap.add_argument("--co2-cap", help="YEAR=T,... per-year caps [tCO2]")
    ap.add_argument("--no-security", action="store_true", help="drop the security block")
    ap.add_argument("--mip-gap", type=float, default=1e-4)
    ap.add_argument("--time-limit", type=float)
    ap.add_argument("--threads", type=int)
    ap.add_argument(
        "--fix-plan",
        help="evaluate a plan instead of optimising: JSON text or file, "
        '{"build:ID": year|null, "retire:ID": year|null} (the timeline of the other tool)',
    )
    ap.add_argument(
        "--cross",
        action="store_true",
        help="with --compare: only evaluate each tool's optimal plan (from the CSV) in the "
        "other tool's model",
    )
    args = ap.parse_args()
    if args.compare:
        compare(args)
        return
    if not args.network:
        ap.error("give a NETWORK folder or --compare")
    fn = run_pypsa if args.tool == "pypsa" else run_heatnet
    print(json.dumps(fn(args)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
