"""Synthetic city networks for benchmarks and scale tests, reproducible by seed.

:func:`generate_city` lays out ``n_districts`` demand districts on a jittered square grid
(spacing ``DISTRICT_SPACING_KM``) around Jinan's coordinates and adds, in this order:

* **districts** ``D####``: design load drawn log-uniformly from 50–400 MW (profile
  ``space_heating``), each with an existing local peaking boiler (``gas_boiler``, 40 % of the
  load, 324 CNY/MWh, 0.2 t/MWh — the Jinan network's local peaking figures);
* **grid ties** ``T####``: existing bidirectional pipes between neighbouring districts: a random
  spanning tree of the grid plus 30 % of the remaining neighbour links (a meshed grid);
  300–800 MW;
* **junctions** ``H###``: one per 4 × 4 block of districts, tied to the block's four central
  districts by existing bidirectional 1,200 MW trunk pipes;
* **coal points** ``COAL####``: one retirable coal boiler per 4 districts, at the district node,
  100–250 MW (165.6 CNY/MWh, 0.4248 t/MWh, fixed 15,000 CNY/MW/year, retirement cost
  143,000 CNY/MW — the Jinan coal points' figures);
* **CHP** ``CHP###``: one existing CHP per 20 districts at its own node, 400–1,200 MW, linked to
  the nearest junction by an existing one-way pipe;
* **remote waste-heat lines** ``WH###`` / ``L###``: one existing waste-heat source per 25
  districts, 40–110 km outside the grid (1,000–2,800 MW, 90 CNY/MWh), reachable only by a
  *candidate* one-way long pipe to the nearest junction (capex 20,000 CNY per MW·km, the
  聊热入济 north line's 2.25e9 CNY for 50 km × 2,250 MW);
* **candidate ties** ``CT###`` (one per 10 districts, bidirectional, between districts two grid
  steps apart, 400–800 MW) and **candidate heat pumps** ``HP###`` (one per 20 districts,
  50–150 MW, 1.5 M CNY/MW, 20 years, availability ``heat_pump_capacity``).

Pipes lose 1e-4 of their heat per km and cost 0.117 CNY/MWh per km to pump (Jinan's long
lines). Economics are the Jinan network's (8 %, 96 CNY/t, VoLL 20,000 CNY/MWh).

Profiles: the embedded Jinan hourly season (2,904 periods), its 12 typical days (288 periods,
:func:`heatnet.aggregate.typical_days`) or its days (121 periods).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from heatnet.data import data_root
from heatnet.errors import InputError, Problem
from heatnet.network import Economics, Network

Resolution = Literal["hourly", "typical", "daily"]
DISTRICT_SPACING_KM = 4.0
ROUTE_FACTOR = 1.2  # pipe route length / straight distance
MIN_LENGTH_KM = 1.0
LOSS_PER_KM = 1e-4
PUMPING_CNY_PER_MWH_KM = 0.117
PIPE_CAPEX_CNY_PER_MW_KM = 20_000.0
ORIGIN_LAT, ORIGIN_LON = 36.67, 117.0
KM_PER_DEG_LAT = 111.0


def _profiles(resolution: Resolution, typical_days: int) -> pd.DataFrame:
    folder = data_root() / "demand_profiles"
    if resolution == "daily":
        return pd.read_csv(folder / "jinan_daily.csv")
    hourly = pd.read_csv(folder / "jinan_hourly.csv")
    if resolution == "hourly":
        return hourly
    from heatnet.aggregate import typical_days as make_typical_days

    return make_typical_days(hourly, typical_days, peak_weights={"space_heating": 1.0}).profiles


def generate_city(
    n_districts: int,
    *,
    seed: int = 0,
    resolution: Resolution = "typical",
    typical_days: int = 12,
    name: str | None = None,
) -> Network:
    """A synthetic city of ``n_districts`` districts (see the module docstring).

    Args:
        n_districts: number of demand districts (>= 1).
        seed: random seed; the same seed and size give the same network.
        resolution: profiles: ``hourly`` (2,904 periods), ``typical`` (``typical_days`` × 24
            periods) or ``daily`` (121 periods).
        typical_days: K for ``typical`` profiles.
        name: network name (default ``city<N>_s<seed>``).
    """
    if n_districts < 1:
        raise InputError(
            [
                Problem(
                    None,
                    "a city needs at least one district",
                    column="n_districts",
                    expected=">= 1",
                    found=str(n_districts),
                )
            ]
        )
    rng = np.random.default_rng(seed)
    n = n_districts
    side = math.ceil(math.sqrt(n))
    grid = np.array([(i % side, i // side) for i in range(n)], dtype=float)
    xy = (grid + rng.uniform(-0.25, 0.25, size=grid.shape)) * DISTRICT_SPACING_KM  # km

    nodes: list[dict[str, object]] = []
    sources: list[dict[str, object]] = []
    pipes: list[dict[str, object]] = []
    demands: list[dict[str, object]] = []

    def node(ident: str, label: str, x_km: float, y_km: float) -> None:
        nodes.append(
            {
                "id": ident,
                "name": label,
                "lat": round(ORIGIN_LAT + y_km / KM_PER_DEG_LAT, 5),
                "lon": round(
                    ORIGIN_LON + x_km / (KM_PER_DEG_LAT * math.cos(math.radians(ORIGIN_LAT))), 5
                ),
            }
        )

    def pipe(
        ident: str,
        a: str,
        b: str,
        dist_km: float,
        cap_mw: float,
        status: str,
        bidirectional: bool,
        capex: bool = False,
    ) -> None:
        length = round(max(dist_km * ROUTE_FACTOR, MIN_LENGTH_KM), 2)
        pipes.append(
            {
                "id": ident,
                "from_node": a,
                "to_node": b,
                "length_km": length,
                "capacity_mw": round(cap_mw, 1),
                "status": status,
                "bidirectional": bidirectional,
                "loss_fraction_per_km": LOSS_PER_KM,
                "pumping_cost_cny_per_mwh": round(PUMPING_CNY_PER_MWH_KM * length, 4),
                "capex_cny": round(PIPE_CAPEX_CNY_PER_MW_KM * cap_mw * length) if capex else 0.0,
                "lifetime_years": 40.0,
            }
        )

    def source(
        ident: str,
        at: str,
        tech: str,
        cap_mw: float,
        status: str,
        vc: float,
        co2: float,
        **extra: object,
    ) -> None:
        sources.append(
            {
                "id": ident,
                "node": at,
                "technology": tech,
                "capacity_mw": round(cap_mw, 1),
                "status": status,
                "variable_cost_cny_per_mwh": vc,
                "co2_t_per_mwh": co2,
                **extra,
            }
        )

    def dist(a, b):
        return float(np.hypot(*(a - b)))

    district = [f"D{i:04d}" for i in range(n)]
    load = np.exp(rng.uniform(math.log(50.0), math.log(400.0), size=n))
    for i, d in enumerate(district):
        node(d, f"district {i}", *xy[i])
        demands.append(
            {
                "id": d,
                "node": d,
                "design_load_mw": round(float(load[i]), 1),
                "profile": "space_heating",
            }
        )
        source(f"PK{i:04d}", d, "gas_boiler", 0.4 * load[i], "existing", 324.0, 0.2)

    # grid ties: random spanning tree over grid neighbours, plus 30 % of the other links
    cell = {(int(g[0]), int(g[1])): i for i, g in enumerate(grid)}
    links = [
        (i, cell[(int(g[0]) + dx, int(g[1]) + dy)])
        for i, g in enumerate(grid)
        for dx, dy in ((1, 0), (0, 1))
        if (int(g[0]) + dx, int(g[1]) + dy) in cell
    ]
    order = rng.permutation(len(links))
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    ties, extra_links = [], []
    for e in order:
        a, b = links[e]
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            ties.append(links[e])
        else:
            extra_links.append(links[e])
    ties += [extra_links[e] for e in range(len(extra_links)) if rng.random() < 0.3]
    for t, (a, b) in enumerate(sorted(ties)):
        pipe(
            f"T{t:04d}",
            district[a],
            district[b],
            dist(xy[a], xy[b]),
            rng.uniform(300.0, 800.0),
            "existing",
            True,
        )

    # junctions: one per 4 x 4 block, at the block's centre, tied to its central districts
    junctions: list[tuple[str, np.ndarray]] = []
    for bx in range(0, side, 4):
        for by in range(0, side, 4):
            members = [
                cell[(x, y)]
                for x in range(bx + 1, bx + 3)
                for y in range(by + 1, by + 3)
                if (x, y) in cell
            ]
            if not members:
                continue
            j = f"H{len(junctions):03d}"
            centre = np.array([bx + 1.5, by + 1.5]) * DISTRICT_SPACING_KM
            node(j, f"junction {len(junctions)}", *centre)
            for m in members:
                pipe(f"{j}_D{m:04d}", j, district[m], dist(centre, xy[m]), 1200.0, "existing", True)
            junctions.append((j, centre))

    def nearest_junction(p: np.ndarray) -> tuple[str, float]:
        if not junctions:
            k = int(np.argmin(np.hypot(*(xy - p).T)))
            return district[k], dist(xy[k], p)
        k = int(np.argmin([dist(c, p) for _, c in junctions]))
        return junctions[k][0], dist(junctions[k][1], p)

    # coal points (retirable, at district nodes)
    for c, i in enumerate(sorted(rng.choice(n, size=max(1, n // 4), replace=False))):
        cap = rng.uniform(100.0, 250.0)
        source(
            f"COAL{c:04d}",
            district[i],
            "coal_boiler",
            cap,
            "retirable",
            165.6,
            0.4248,
            fixed_cost_cny_per_year=round(15_000.0 * cap),
            retirement_cost_cny=round(143_000.0 * cap),
        )

    centre_xy = xy.mean(axis=0)
    extent = float(np.hypot(*(xy - centre_xy).T).max()) + DISTRICT_SPACING_KM

    def outside(r_min: float, r_max: float) -> np.ndarray:
        angle = rng.uniform(0, 2 * math.pi)
        r = extent + rng.uniform(r_min, r_max)
        return centre_xy + r * np.array([math.cos(angle), math.sin(angle)])

    # CHP plants at the city edge, existing one-way link to the nearest junction
    for c in range(max(1, n // 20)):
        p = outside(2.0, 8.0)
        ident = f"CHP{c:03d}"
        node(ident, f"CHP plant {c}", *p)
        cap = rng.uniform(400.0, 1200.0)
        source(ident, ident, "chp", cap, "existing", 126.0, 0.144)
        to, d = nearest_junction(p)
        pipe(f"E_{ident}", ident, to, d, cap, "existing", False)

    # remote waste heat: existing source, candidate long line
    for c in range(max(1, n // 25)):
        p = outside(40.0, 110.0)
        ident = f"WH{c:03d}"
        node(ident, f"remote waste heat {c}", *p)
        cap = rng.uniform(1000.0, 2800.0)
        source(ident, ident, "waste_heat", cap, "existing", 90.0, 0.0)
        to, d = nearest_junction(p)
        pipe(f"L{c:03d}", ident, to, d, cap, "candidate", False, capex=True)

    # candidate ties two grid steps apart
    far = [
        (i, cell[(int(g[0]) + dx, int(g[1]) + dy)])
        for i, g in enumerate(grid)
        for dx, dy in ((2, 0), (0, 2), (2, 2))
        if (int(g[0]) + dx, int(g[1]) + dy) in cell
    ]
    n_cand = min(len(far), max(1, n // 10)) if far else 0
    for c, e in enumerate(
        sorted(rng.choice(len(far), size=n_cand, replace=False)) if n_cand else []
    ):
        a, b = far[e]
        pipe(
            f"CT{c:03d}",
            district[a],
            district[b],
            dist(xy[a], xy[b]),
            rng.uniform(400.0, 800.0),
            "candidate",
            True,
            capex=True,
        )

    # candidate heat pumps at districts
    for c, i in enumerate(sorted(rng.choice(n, size=max(1, n // 20), replace=False))):
        cap = rng.uniform(50.0, 150.0)
        source(
            f"HP{c:03d}",
            district[i],
            "heat_pump",
            cap,
            "candidate",
            150.0,
            0.3,
            capex_cny=round(1.5e6 * cap),
            lifetime_years=20.0,
            availability="heat_pump_capacity",
        )

    profiles = _profiles(resolution, typical_days)
    return _network(
        name or f"city{n}_s{seed}",
        nodes,
        sources,
        pipes,
        demands,
        profiles,
        description=f"synthetic city: {n} districts, seed {seed}, {resolution} "
        f"profiles (heatnet.generate)",
    )


def _network(
    name: str,
    nodes: list[dict[str, object]],
    sources: list[dict[str, object]],
    pipes: list[dict[str, object]],
    demands: list[dict[str, object]],
    profiles: pd.DataFrame,
    description: str,
) -> Network:
    """A :class:`Network` from row dicts, with every schema column and its default."""
    from heatnet import schema

    def table(rows: list[dict[str, object]], spec: schema.TableSchema) -> pd.DataFrame:
        df = pd.DataFrame(rows)
        for col in spec.columns:
            if col.name not in df.columns:
                df[col.name] = col.default if col.default is not None else ""
            elif col.default is not None:
                df[col.name] = df[col.name].fillna(col.default)
        return df.set_index("id")

    prof = profiles.reset_index(drop=True)
    prof.index.name = "t"
    return Network(
        name=name,
        economics=Economics(
            discount_rate=0.08,
            carbon_price_cny_per_t=96.0,
            unserved_heat_cost_cny_per_mwh=20000.0,
            retirement_annualisation_years=20.0,
        ),
        nodes=table(nodes, schema.NODES),
        sources=table(sources, schema.SOURCES),
        pipes=table(pipes, schema.PIPES),
        demands=table(demands, schema.DEMANDS),
        profiles=prof,
        description=description,
    )


def write_city(
    folder: str | os.PathLike[str],
    n_districts: int,
    *,
    seed: int = 0,
    resolution: Resolution = "typical",
    typical_days: int = 12,
) -> Path:
    """Generate a city and write it as a network folder (new or empty), then check that it
    loads and validates; returns the folder."""
    from heatnet.io import load_network, write_network

    net = generate_city(n_districts, seed=seed, resolution=resolution, typical_days=typical_days)
    path = write_network(net, folder)
    load_network(path)  # raises InputError listing every problem if the city were invalid
    return path
