"""Why a plan is short of heat, in network terms.

With priced unserved heat the model always has a solution; when some heat is unserved, a
planner needs to know where, when, and which limits bound at those moments: sources running at
their available capacity and pipes running full. :func:`shortage_diagnosis` reads that from
the result tables alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from heatnet.network import Network

TOLERANCE_MW = 1e-6


def shortage_diagnosis(
    net: Network,
    tables: dict[str, pd.DataFrame],
    *,
    tol_mw: float = TOLERANCE_MW,
    max_periods: int = 5,
) -> dict[str, Any]:
    """Districts and periods short of heat, and the limits that bound in those periods.

    Args:
        net: the network as solved.
        tables: result tables (``nodes``, ``dispatch``, ``flows``, ``sources``, ``pipes``).
        tol_mw: unserved heat or headroom below this counts as zero [MW].
        max_periods: how many of the worst periods to name per district.

    Returns:
        ``{}`` when no heat is unserved; otherwise ``districts`` (per node: ``node``,
        ``name``, ``unserved_mwh``, ``periods``, ``worst_period``, ``worst_unserved_mw``,
        ``worst_periods``), ``periods_short`` (count), ``sources_at_capacity`` and
        ``pipes_at_capacity`` (id → number of short periods in which it ran at its limit) and
        ``idle_options`` (retired sources and unbuilt candidates that could have added
        capacity).
    """
    nodes = tables["nodes"]
    short = nodes[nodes["unserved_mw"] > tol_mw]
    if short.empty:
        return {}
    names = net.nodes["name"] if "name" in net.nodes else pd.Series(dtype=object)
    districts = []
    for node, grp in short.groupby("node", sort=False):
        worst = grp.sort_values("unserved_mw", ascending=False)
        name = str(names.get(node, "")) or str(node)
        districts.append(
            {
                "node": str(node),
                "name": name,
                "unserved_mwh": float(grp["unserved_mwh"].sum()),
                "periods": int(grp["t"].nunique()),
                "worst_period": str(worst["period"].iloc[0]),
                "worst_unserved_mw": float(worst["unserved_mw"].iloc[0]),
                "worst_periods": [str(p) for p in worst["period"].head(max_periods)],
            }
        )
    districts.sort(key=lambda d: -d["unserved_mwh"])
    short_t = set(short["t"].astype(int))

    d = tables["dispatch"]
    d = d[d["t"].isin(short_t)]
    avail = net.availability()
    cap = net.sources["capacity_mw"]
    limit = np.array([avail.at[t, s] * cap[s] for t, s in zip(d["t"], d["source"], strict=True)])
    in_service = tables["sources"]["in_service"].reindex(d["source"]).to_numpy(dtype=bool)
    at_cap = d[(d["heat_mw"].to_numpy() >= limit - tol_mw) & (limit > tol_mw) & in_service]
    sources = at_cap.groupby("source")["t"].nunique().sort_values(ascending=False)

    f = tables["flows"]
    f = f[f["t"].isin(short_t)]
    pcap = net.pipes["capacity_mw"].reindex(f["pipe"]).to_numpy(dtype=float)
    full = f[(f["flow_forward_mw"] + f["flow_reverse_mw"]).to_numpy() >= pcap - tol_mw]
    pipes = full.groupby("pipe")["t"].nunique().sort_values(ascending=False)

    s_tab, p_tab = tables["sources"], tables["pipes"]
    idle = [
        str(i)
        for i in s_tab.index[s_tab["decision"].isin(["retired", "not_built", "forced_retired"])]
    ]
    idle += [str(i) for i in p_tab.index[p_tab["decision"] == "not_built"]]
    return {
        "districts": districts,
        "periods_short": len(short_t),
        "sources_at_capacity": {str(k): int(v) for k, v in sources.items()},
        "pipes_at_capacity": {str(k): int(v) for k, v in pipes.items()},
        "idle_options": idle,
    }


def format_shortage(diag: dict[str, Any]) -> list[str]:
    """Console lines for a shortage diagnosis (empty list when nothing is short)."""
    if not diag:
        return []
    lines = [f"SHORT OF HEAT in {diag['periods_short']} period(s):"]
    for d in diag["districts"]:
        label = d["node"] if d["name"] == d["node"] else f"{d['node']} ({d['name']})"
        lines.append(
            f"  {label}: {d['unserved_mwh'] / 1e3:,.3f} GWh unserved in {d['periods']} "
            f"period(s); worst {d['worst_period']} with {d['worst_unserved_mw']:,.1f} MW"
        )

    def top(items: dict[str, int]) -> str:
        return ", ".join(f"{k} ({v})" for k, v in list(items.items())[:8]) or "none"

    lines.append(
        "  at their limit in those periods (count of periods): sources "
        f"{top(diag['sources_at_capacity'])}; pipes {top(diag['pipes_at_capacity'])}"
    )
    if diag["idle_options"]:
        lines.append("  capacity left unused by the plan: " + ", ".join(diag["idle_options"]))
    return lines
