"""Which of the planners' own rules (``constraints:``, spec v1.1 §5) a plan meets with no
margin, read from the result tables alone.

A rule *binds* when the plan sits on its limit: the budget is spent to the yuan, a group of
competing candidates has one built, a technology delivers exactly its minimum share. A
retire-together group always holds; the summary says which way it went. (Whether relaxing a
rule would change the plan takes another solve: ``heatnet explain`` does that for decisions.)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from heatnet.network import Network

#: a quantity within this relative distance of its limit is on it [-]
ON_LIMIT = 1e-6

BUILT = ("built", "forced_built")


def constraints_summary(net: Network, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The summary's ``constraints`` block: each rule, what the plan did, and whether it binds
    ({} without a ``constraints:`` block or without a plan)."""
    rules = net.constraints
    if rules is None or not tables:
        return {}
    sources, pipes = tables["sources"], tables["pipes"]
    decision = pd.concat([sources["decision"], pipes["decision"]])
    out: dict[str, Any] = {}
    if rules.capex_budget_cny is not None:
        built = decision.index[decision.isin(BUILT)]
        capex = pd.concat([net.sources["capex_cny"], net.pipes["capex_cny"]])
        spent = float(capex.reindex(built).fillna(0.0).sum())
        budget = float(rules.capex_budget_cny)
        out["capex_budget"] = {
            "budget_cny": budget,
            "spent_cny": spent,
            "binding": spent >= budget * (1 - ON_LIMIT) - 1.0,
        }
    if rules.retire_together:
        out["retire_together"] = [
            {"ids": list(group), "state": str(decision.get(group[0], ""))}
            for group in rules.retire_together
        ]
    if rules.at_most_one_of:
        groups = []
        for group in rules.at_most_one_of:
            chosen = [i for i in group if decision.get(i) in BUILT]
            groups.append({"ids": list(group), "built": chosen, "binding": len(chosen) == 1})
        out["at_most_one_of"] = groups
    if rules.min_heat_share:
        produced = float(sources["heat_mwh"].sum())
        by_tech = sources.groupby("technology")["heat_mwh"].sum()
        shares = []
        for technology, share in rules.min_heat_share:
            achieved = float(by_tech.get(technology, 0.0)) / produced if produced else 0.0
            shares.append(
                {
                    "technology": technology,
                    "min_share": float(share),
                    "share": achieved,
                    "binding": achieved <= float(share) + ON_LIMIT,
                }
            )
        out["min_heat_share"] = shares
    out["binding"] = _binding(out)
    return out


def _binding(block: dict[str, Any]) -> list[str]:
    """The rules on their limit, in words (``capex_budget``, ``at_most_one_of: A, B``…)."""
    names = []
    if block.get("capex_budget", {}).get("binding"):
        names.append("capex_budget")
    names += [
        "at_most_one_of: " + ", ".join(g["ids"])
        for g in block.get("at_most_one_of", [])
        if g["binding"]
    ]
    names += [
        f"min_heat_share: {s['technology']}"
        for s in block.get("min_heat_share", [])
        if s["binding"]
    ]
    return names
