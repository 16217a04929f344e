"""One PyPSA (linopy + HiGHS) solve of a heatnet network folder; prints one JSON line.

Runs in the benchmark venv (``.venv-bench``, with PyPSA), where heatnet is installed too; the
network is read with heatnet's own loader, so both tools see the same data.

The same MILP in PyPSA terms (spec v1 §2):

* every node is a ``Bus`` (carrier ``heat``); snapshots are the periods, and every snapshot
  weighting (objective, generators, stores) is the period's ``weight_h``;
* a demand is a ``Load`` with ``p_set`` = design load × profile;
* an existing source is a ``Generator`` with ``p_nom`` = capacity, ``p_max_pu`` =
  availability, ``marginal_cost`` = variable cost + carbon price × CO2;
* a **candidate** source is a *modular extendable* ``Generator``: ``p_nom_extendable``,
  ``p_nom_mod`` = ``p_nom_max`` = capacity (so p_nom = capacity × n_mod, n_mod ∈ {0, 1}), and
  ``capital_cost`` = (capex × annuity + fixed cost) / capacity;
* a **retirable** source is the same kind of generator where n_mod = 1 means *keep*: its cost
  fixed × k + retirement annuity × (1 − k) is written as the constant retirement annuity plus
  ``capital_cost`` = (fixed − retirement annuity) / capacity on p_nom;
* a pipe is a ``Link`` from_node → to_node with ``efficiency`` = 1 − loss × length and
  ``marginal_cost`` = pumping cost (per MWh entering, as heatnet); a bidirectional pipe is two
  links (forward and reverse) whose flows share the capacity through an extra constraint
  p_fwd + p_rev <= capacity (× n_mod for a candidate, which is modular extendable like a
  candidate source, with ``capital_cost`` = capex × annuity / capacity);
* unserved heat is a ``Generator`` at each demand bus with ``marginal_cost`` = VoLL and
  ``p_max_pu`` = demand / peak demand (u <= D, as heatnet);
* the fixed costs of existing sources and the retirement annuities are constants added to
  PyPSA's objective before comparing.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import warnings

from _rss import peak_rss_mb  # benchmarks/ is on sys.path: scripts run from it


def annuity(rate: float, years: float) -> float:
    return 1.0 / years if rate == 0 else rate / (1.0 - (1.0 + rate) ** (-years))


def build(net: object) -> tuple[object, float, list[tuple[str, str, float, bool]]]:
    """The PyPSA network, the objective constant [CNY] and the bidirectional pairs."""
    import numpy as np
    import pandas as pd
    import pypsa

    econ = net.economics
    r = econ.discount_rate
    a_ret = annuity(r, econ.retirement_annualisation_years)
    T = net.n_periods
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(T, name="snapshot"))
    w = net.weights_h
    n.snapshot_weightings.loc[:, :] = np.repeat(w[:, None], 3, axis=1)
    n.add("Carrier", ["heat"])
    n.add("Bus", [str(i) for i in net.nodes.index], carrier="heat")
    dem = net.demand_mw()
    n.add(
        "Load",
        [f"load_{c}" for c in dem.columns],
        bus=[str(c) for c in dem.columns],
        p_set=pd.DataFrame(
            dem.to_numpy(), index=n.snapshots, columns=[f"load_{c}" for c in dem.columns]
        ),
    )
    s = net.sources[net.sources["status"].isin(["existing", "retirable", "candidate"])]
    avail = net.availability()[s.index]
    constant = float(
        net.sources.loc[net.sources["status"] == "existing", "fixed_cost_cny_per_year"].sum()
    )
    constant += float(
        (net.sources.loc[net.sources["status"] == "retired", "retirement_cost_cny"] * a_ret).sum()
    )
    unit = (
        s["variable_cost_cny_per_mwh"] + econ.carbon_price_cny_per_t * s["co2_t_per_mwh"]
    ).to_numpy(dtype=float)
    cap = s["capacity_mw"].to_numpy(dtype=float)
    ext = s["status"].isin(["retirable", "candidate"]).to_numpy()
    capital = np.zeros(len(s))
    for i, (_sid, row) in enumerate(s.iterrows()):
        if row["status"] == "candidate":
            capital[i] = (
                row["capex_cny"] * annuity(r, row["lifetime_years"])
                + row["fixed_cost_cny_per_year"]
            ) / row["capacity_mw"]
        elif row["status"] == "retirable":
            ret = row["retirement_cost_cny"] * a_ret
            constant += ret
            capital[i] = (row["fixed_cost_cny_per_year"] - ret) / row["capacity_mw"]
    names = [f"gen_{i}" for i in s.index]
    if econ.co2_cap_t is not None:
        n.add(
            "Carrier",
            [f"c_{i}" for i in s.index],
            co2_emissions=s["co2_t_per_mwh"].to_numpy(dtype=float),
        )
    n.add(
        "Generator",
        names,
        bus=[str(b) for b in s["node"]],
        carrier=[f"c_{i}" for i in s.index] if econ.co2_cap_t is not None else "heat",
        p_nom=np.where(ext, 0.0, cap),
        p_nom_extendable=ext,
        p_nom_mod=np.where(ext, cap, 0.0),
        p_nom_max=np.where(ext, cap, np.inf),
        capital_cost=capital,
        marginal_cost=unit,
        p_max_pu=pd.DataFrame(avail.to_numpy(), index=n.snapshots, columns=names),
    )
    if econ.co2_cap_t is not None:
        n.add(
            "GlobalConstraint",
            "co2_cap",
            type="primary_energy",
            carrier_attribute="co2_emissions",
            sense="<=",
            constant=econ.co2_cap_t,
        )
    peak = dem.max(axis=0).to_numpy()
    has = peak > 0
    un = [f"unserved_{c}" for c, h in zip(dem.columns, has, strict=True) if h]
    n.add(
        "Generator",
        un,
        bus=[str(c) for c, h in zip(dem.columns, has, strict=True) if h],
        p_nom=peak[has],
        marginal_cost=econ.unserved_heat_cost_cny_per_mwh,
        p_max_pu=pd.DataFrame(dem.to_numpy()[:, has] / peak[has], index=n.snapshots, columns=un),
    )
    p = net.pipes[net.pipes["status"] != "unavailable"]
    eta = (1.0 - p["loss_fraction_per_km"] * p["length_km"]).to_numpy(dtype=float)
    pcap = p["capacity_mw"].to_numpy(dtype=float)
    cand = (p["status"] == "candidate").to_numpy()
    pcapital = np.array(
        [
            c * annuity(r, life) / k if cd else 0.0
            for c, life, k, cd in zip(p["capex_cny"], p["lifetime_years"], pcap, cand, strict=True)
        ]
    )
    fwd = [f"fwd_{i}" for i in p.index]
    n.add(
        "Link",
        fwd,
        bus0=[str(x) for x in p["from_node"]],
        bus1=[str(x) for x in p["to_node"]],
        efficiency=eta,
        marginal_cost=p["pumping_cost_cny_per_mwh"].to_numpy(dtype=float),
        p_nom=np.where(cand, 0.0, pcap),
        p_nom_extendable=cand,
        p_nom_mod=np.where(cand, pcap, 0.0),
        p_nom_max=np.where(cand, pcap, np.inf),
        capital_cost=pcapital,
    )
    bi = p["bidirectional"].to_numpy(dtype=bool)
    rev = [f"rev_{i}" for i in p.index[bi]]
    n.add(
        "Link",
        rev,
        bus0=[str(x) for x in p["to_node"][bi]],
        bus1=[str(x) for x in p["from_node"][bi]],
        efficiency=eta[bi],
        marginal_cost=p["pumping_cost_cny_per_mwh"].to_numpy(dtype=float)[bi],
        p_nom=pcap[bi],
    )
    pairs = [
        (f"fwd_{i}", f"rev_{i}", float(c), bool(cd))
        for i, c, cd in zip(p.index[bi], pcap[bi], cand[bi], strict=True)
    ]
    return n, constant, pairs


def shared_capacity(n: object, pairs: list[tuple[str, str, float, bool]]) -> None:
    """p_fwd + p_rev <= capacity (existing) or <= p_nom of the forward link (candidate)."""
    if not pairs:
        return
    m = n.model
    p = m["Link-p"]
    fixed = [(f, r_, c) for f, r_, c, cd in pairs if not cd]
    if fixed:
        import xarray as xr

        f_names = [f for f, _, _ in fixed]
        r_names = [r_ for _, r_, _ in fixed]
        lhs = p.sel(name=f_names) + p.sel(name=r_names).assign_coords(name=f_names)
        rhs = xr.DataArray([c for _, _, c in fixed], coords={"name": f_names}, dims="name")
        m.add_constraints(lhs <= rhs, name="Link-shared-capacity")
    ext = [(f, r_) for f, r_, _, cd in pairs if cd]
    if ext:
        f_names = [f for f, _ in ext]
        r_names = [r_ for _, r_ in ext]
        lhs = (
            p.sel(name=f_names)
            + p.sel(name=r_names).assign_coords(name=f_names)
            - m["Link-p_nom"].sel(name=f_names)
        )
        m.add_constraints(lhs <= 0, name="Link-shared-capacity-ext")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("network")
    ap.add_argument("--mip-gap", type=float, default=1e-4)
    ap.add_argument("--time-limit", type=float, default=None)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    t0 = time.perf_counter()
    from heatnet.io import load_network

    net = load_network(args.network)
    t_load = time.perf_counter()
    n, constant, pairs = build(net)
    model = n.optimize.create_model(include_objective_constant=False)
    shared_capacity(n, pairs)
    t_build = time.perf_counter()
    opts = {"mip_rel_gap": args.mip_gap, "output_flag": False}
    if args.time_limit:
        opts["time_limit"] = args.time_limit
    status, condition = n.optimize.solve_model(solver_name="highs", io_api="direct", **opts)
    t_solve = time.perf_counter()
    obj = float(n.objective) + constant if status == "ok" or n.objective is not None else None
    bound = None
    try:
        bound = float(model.solver_model.getInfo().mip_dual_bound) / 1.0 + constant
    except Exception:
        bound = None
    gap = (obj - bound) / abs(obj) if obj and bound is not None else None
    print(
        json.dumps(
            {
                "tool": "pypsa",
                "mode": "full MILP (linopy direct)",
                "status": f"{status}/{condition}",
                "objective_cny": obj,
                "bound_cny": bound,
                "gap": gap,
                "load_s": t_load - t0,
                "build_s": t_build - t_load,
                "solve_s": t_solve - t_build,
                "total_s": t_solve - t0,
                "peak_rss_mb": peak_rss_mb(),
                "n_cols": int(model.nvars),
                "n_rows": int(model.ncons),
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
