"""The seasons of a pathway (spec v1.1 §4) as one-season networks.

A pathway network (``Network.pathway`` set) stands for a sequence of heating seasons. For
each year y, :func:`year_network` gives the one-season network of §2 that the year's model is
built from:

* every design load × ``demand_scale_y``;
* the carbon price and CO2 cap of year y (``economics`` where the block does not set them);
* an existing or committed source or pipe whose ``earliest_year`` is after y does not exist
  yet (status ``unavailable``: no heat, no fixed cost), nor can a candidate be built
  (``unavailable`` too: no decision that year);
* a retirable source whose ``retire_by`` is y or earlier is ``retired`` (the policy
  deadline: no heat, its retirement annuity paid).

The year's decisions are then linked across years by :mod:`heatnet.multiyear`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from heatnet.network import Network

#: optional pathway columns (spec v1.1 §4): season from which an element exists / may be
#: built, and the season from which a retirable source must be retired
EARLIEST_YEAR = "earliest_year"
RETIRE_BY = "retire_by"


def year_column(df: pd.DataFrame, column: str) -> pd.Series:
    """A pathway year column as floats (NaN = none), all NaN when the table lacks it."""
    if column not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype=float)
    return pd.to_numeric(df[column], errors="coerce").astype(float)


def pathway_years(net: Network) -> list[int]:
    """The seasons of ``net``: its pathway's years, or [] for a one-season network."""
    return [] if net.pathway is None else [int(y) for y in net.pathway.years]


def year_network(net: Network, year: int) -> Network:
    """The one-season network of ``year`` of the pathway network ``net`` (module docstring);
    it has no pathway block, so it solves as spec §2."""
    pw = net.pathway
    if pw is None:
        return net
    demands = net.demands.copy()
    demands["design_load_mw"] = demands["design_load_mw"].astype(float) * pw.demand_scale_in(year)
    sources = net.sources.copy()
    not_yet = year_column(sources, EARLIEST_YEAR) > year
    live = sources["status"].isin(("existing", "committed", "candidate"))
    sources.loc[not_yet & live, "status"] = "unavailable"
    due = (year_column(sources, RETIRE_BY) <= year) & (sources["status"] == "retirable")
    sources.loc[due, "status"] = "retired"
    pipes = net.pipes.copy()
    pipe_not_yet = year_column(pipes, EARLIEST_YEAR) > year
    pipe_live = pipes["status"].isin(("existing", "committed", "candidate"))
    pipes.loc[pipe_not_yet & pipe_live, "status"] = "unavailable"
    economics = dataclasses.replace(
        net.economics,
        carbon_price_cny_per_t=pw.carbon_price_in(year, net.economics),
        co2_cap_t=pw.co2_cap_in(year, net.economics),
    )
    return net.replace(
        sources=sources, pipes=pipes, demands=demands, economics=economics, pathway=None
    )


def year_networks(net: Network) -> list[tuple[int, Network]]:
    """(year, one-season network) for every season of ``net`` (one pair, the network
    itself with year 0, for a network without a pathway)."""
    if net.pathway is None:
        return [(0, net)]
    return [(int(y), year_network(net, int(y))) for y in net.pathway.years]
