"""Security of supply of a plan: what each district gets at the design hour in every outage.

The security rows of the model (:func:`heatnet.model.add_security`) only restrict which plans
are allowed; they carry no cost, so the design-hour dispatch the solver returns with them is
one of many. To report a plan's security, :func:`security_check` solves a small LP of its own:
the plan's decisions fixed, the design period only, and for every case (the intact plan and
each contingency) the dispatch that leaves the least heat unserved. Its table says how much of
each district's design-hour demand the plan can serve in each case; a case is *binding* when
some district gets no more than the security rule's minimum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from heatnet.errors import SolveError
from heatnet.model import build_model, relax_security_shares
from heatnet.network import Network
from heatnet.solve import SolverSettings, Status, solve_model

#: a district whose servable share is within this of the minimum share has no margin [-]
BINDING_TOLERANCE = 1e-6

SECURITY_COLUMNS = (
    "contingency",
    "kind",
    "node",
    "design_demand_mw",
    "served_mw",
    "unserved_mw",
    "served_share",
    "min_share",
)
"""Columns of ``security.csv``: one row per case (``intact`` first) × demand node."""


@dataclass
class SecurityCheck:
    """A plan's security at the design hour.

    Attributes:
        table: one row per case × demand node (:data:`SECURITY_COLUMNS`); shares are of the
            design-hour demand D*_n [-], powers in MW.
        design_period: label of the design period t*.
        contingencies: the contingency ids checked, in order.
        skipped: listed contingencies with nothing left to lose (retired or unavailable).
        binding: contingencies (or ``intact``) where some district gets no more than the
            minimum share.
        violated: cases the plan fails (some district below the minimum share); empty for a
            plan solved with every case.
    """

    table: pd.DataFrame
    design_period: str
    contingencies: list[str]
    skipped: list[str]
    binding: list[str]
    violated: list[str]


def design_period(net: Network) -> int:
    """The design period t*: the period of the largest total demand (the first on ties)."""
    return int(np.argmax(net.demand_mw().sum(axis=1).to_numpy()))


def security_check(net: Network, design: Mapping[tuple[str, str], float]) -> SecurityCheck | None:
    """Serve as much as the plan ``design`` can at the design hour in every case of
    ``net.security`` (None without a block).

    The LP: the model of the design period alone with every decision fixed, and cost zero
    but for 1 per MW of security-case unserved heat, so each case's dispatch leaves the
    least heat unserved (the cases share no variables, so the total's optimum is each
    case's) while every district gets the rule's share. When the plan cannot meet the rule
    in some case, the LP is solved again with every case free to leave its whole design
    demand unserved: a case whose least unserved heat at some district is then above the
    rule's allowance is one the plan *fails* (``violated``). A plan from a solve with every
    case in the model fails none.
    """
    if net.security is None:
        return None
    t_star = design_period(net)
    one = net.replace(profiles=net.profiles.iloc[[t_star]].reset_index(drop=True))
    # first with the rule's shares as rows: a plan that meets them gets a dispatch that meets
    # them (the least total unserved heat alone may leave one district below its share while
    # another dispatch serves every district its share); a plan that fails some case makes
    # that LP infeasible, and the relaxed LP then shows which cases it fails
    for relax in (False, True):
        hm = build_model(one, fixed=design)
        cases = hm.security
        if cases is None:  # the block was dropped in between: nothing to check
            return None
        if relax:
            relax_security_shares(hm)
        lp = hm.lp
        lp.cost[:] = 0.0
        lp.cost[lp.cols["sec_u"].block()] = 1.0
        lp.cost_constant = 0.0
        res = solve_model(hm, SolverSettings(heat_prices=False))
        if res.status is not Status.INFEASIBLE:
            break
    if res.status is not Status.OPTIMAL:
        raise SolveError(
            f"the security check of the plan did not solve ({res.status.value}): "
            "the plan does not meet the security rule"
        )
    d = cases.design_demand_mw
    unserved = res.values["sec_u"]  # (nodes, cases)
    rows = []
    binding: list[str] = []
    violated: list[str] = []
    for c, (name, kind) in enumerate(zip(cases.names, cases.kinds, strict=True)):
        share = np.where(d > 0, 1.0 - unserved[:, c] / np.where(d > 0, d, 1.0), 1.0)
        tight = (d > 0) & (share <= cases.min_share[c] + BINDING_TOLERANCE)
        if ((d > 0) & (share < cases.min_share[c] - BINDING_TOLERANCE)).any():
            violated.append(name)
        elif (tight.any() and cases.min_share[c] < 1.0) or (tight & (unserved[:, c] > 0)).any():
            binding.append(name)
        for m, node in enumerate(hm.demand_nodes):
            rows.append(
                (
                    name,
                    kind,
                    node,
                    d[m],
                    d[m] - unserved[m, c],
                    unserved[m, c],
                    share[m],
                    cases.min_share[c],
                )
            )
    table = pd.DataFrame(rows, columns=list(SECURITY_COLUMNS))
    return SecurityCheck(
        table=table,
        design_period=str(net.profiles["period"].iloc[t_star]),
        contingencies=cases.names[1:],
        skipped=cases.skipped,
        binding=binding,
        violated=violated,
    )


def security_summary(
    net: Network,
    design: Mapping[tuple[str, str], float] | None,
    tables: dict[str, pd.DataFrame],
) -> dict[str, object]:
    """The summary's ``security`` block of a plan (its decisions ``design``; None without a
    plan): the rule, and the check's design period, contingencies, skipped ids, binding
    cases and least served share. Adds the check's table to ``tables`` as ``security``."""
    sec = net.security
    if sec is None:
        return {}
    block: dict[str, object] = {
        "served_share": sec.served_share,
        "intact_share": sec.intact_share,
        "design_factor": sec.design_factor,
    }
    check = security_check(net, design) if design is not None else None
    if check is not None:
        tables["security"] = check.table
        contingencies = check.table[check.table["contingency"] != "intact"]
        block.update(
            design_period=check.design_period,
            contingencies=check.contingencies,
            skipped=check.skipped,
            binding=check.binding,
            min_served_share=(
                float(contingencies["served_share"].min()) if len(contingencies) else None
            ),
        )
    return block
