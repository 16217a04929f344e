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
from dataclasses import dataclass, field
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


def _dist(a: np.ndarray, b: np.ndarray) -> float:
    """Straight distance between two points [km]."""
    return float(np.hypot(*(a - b)))


@dataclass
class _City:
    """The rows of a city being generated, one dict per CSV row, in the order they are added."""

    nodes: list[dict[str, object]] = field(default_factory=list)
    sources: list[dict[str, object]] = field(default_factory=list)
    pipes: list[dict[str, object]] = field(default_factory=list)
    demands: list[dict[str, object]] = field(default_factory=list)

    def node(self, ident: str, label: str, x_km: float, y_km: float) -> None:
        """Add a node at ``(x_km, y_km)`` east and north of Jinan's coordinates; lat/lon from
        ``KM_PER_DEG_LAT`` (longitude scaled by cos(latitude))."""
        self.nodes.append(
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
        self,
        ident: str,
        a: str,
        b: str,
        dist_km: float,
        cap_mw: float,
        status: str,
        bidirectional: bool,
        capex: bool = False,
    ) -> None:
        """Add a pipe ``a`` → ``b``: route length = ``ROUTE_FACTOR`` × ``dist_km`` (at least
        ``MIN_LENGTH_KM``) [km], pumping cost per MWh and, with ``capex``, a build cost of
        ``PIPE_CAPEX_CNY_PER_MW_KM`` × capacity × length [CNY]."""
        length = round(max(dist_km * ROUTE_FACTOR, MIN_LENGTH_KM), 2)
        self.pipes.append(
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
        self,
        ident: str,
        at: str,
        tech: str,
        cap_mw: float,
        status: str,
        vc: float,
        co2: float,
        **extra: object,
    ) -> None:
        """Add a source at node ``at``: capacity [MW], variable cost ``vc`` [CNY/MWh], ``co2``
        [t/MWh] and any further columns in ``extra``."""
        self.sources.append(
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


@dataclass(frozen=True)
class _Grid:
    """The districts on their jittered square grid.

    Attributes:
        side: grid width in cells (⌈√n⌉).
        cells: integer grid position of each district, shape (n, 2).
        xy: position of each district [km], shape (n, 2).
        ids: district ids ``D####``.
    """

    side: int
    cells: np.ndarray
    xy: np.ndarray
    ids: list[str]

    @property
    def cell(self) -> dict[tuple[int, int], int]:
        """District index by grid position."""
        return {(int(g[0]), int(g[1])): i for i, g in enumerate(self.cells)}

    def pairs(self, offsets: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
        """``(i, j)`` for every district i and each offset (dx, dy) whose district j exists,
        by i then offset."""
        cell = self.cell
        return [
            (i, cell[(int(g[0]) + dx, int(g[1]) + dy)])
            for i, g in enumerate(self.cells)
            for dx, dy in offsets
            if (int(g[0]) + dx, int(g[1]) + dy) in cell
        ]

    @property
    def centre(self) -> np.ndarray:
        """Mean district position [km]."""
        return self.xy.mean(axis=0)

    @property
    def extent(self) -> float:
        """Distance from the centre to the farthest district, plus one grid step [km]."""
        return float(np.hypot(*(self.xy - self.centre).T).max()) + DISTRICT_SPACING_KM


def _grid(n: int, rng: np.random.Generator) -> _Grid:
    """``n`` districts on a ⌈√n⌉-wide square grid, row by row, each moved by up to a quarter
    step in x and y; positions in km (``DISTRICT_SPACING_KM`` per step)."""
    side = math.ceil(math.sqrt(n))
    cells = np.array([(i % side, i // side) for i in range(n)], dtype=float)
    xy = (cells + rng.uniform(-0.25, 0.25, size=cells.shape)) * DISTRICT_SPACING_KM
    return _Grid(side=side, cells=cells, xy=xy, ids=[f"D{i:04d}" for i in range(n)])


def _add_districts(city: _City, grid: _Grid, rng: np.random.Generator) -> None:
    """A node, a demand (design load log-uniform 50–400 MW, ``space_heating``) and an existing
    local gas peaking boiler (40 % of the load) per district."""
    load = np.exp(rng.uniform(math.log(50.0), math.log(400.0), size=len(grid.ids)))
    for i, d in enumerate(grid.ids):
        city.node(d, f"district {i}", *grid.xy[i])
        city.demands.append(
            {
                "id": d,
                "node": d,
                "design_load_mw": round(float(load[i]), 1),
                "profile": "space_heating",
            }
        )
        city.source(f"PK{i:04d}", d, "gas_boiler", 0.4 * load[i], "existing", 324.0, 0.2)


def _tie_links(grid: _Grid, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Grid neighbour links to tie: a random spanning tree (Kruskal over a random order, with
    union-find), then 30 % of the other links."""
    links = grid.pairs(((1, 0), (0, 1)))
    order = rng.permutation(len(links))
    parent = list(range(len(grid.ids)))

    def find(a: int) -> int:
        """Root of ``a``'s tree (halving the path on the way)."""
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
    return ties


def _add_grid_ties(city: _City, grid: _Grid, rng: np.random.Generator) -> None:
    """Existing bidirectional ties ``T####`` (300–800 MW) over the links of
    :func:`_tie_links`, in sorted order."""
    for t, (a, b) in enumerate(sorted(_tie_links(grid, rng))):
        city.pipe(
            f"T{t:04d}",
            grid.ids[a],
            grid.ids[b],
            _dist(grid.xy[a], grid.xy[b]),
            rng.uniform(300.0, 800.0),
            "existing",
            True,
        )


def _add_junctions(city: _City, grid: _Grid) -> list[tuple[str, np.ndarray]]:
    """A junction ``H###`` at the centre of each 4 × 4 block of the grid, tied to the block's
    central districts by existing bidirectional 1,200 MW trunks; returns (id, position [km])
    of each junction."""
    cell = grid.cell
    junctions: list[tuple[str, np.ndarray]] = []
    for bx in range(0, grid.side, 4):
        for by in range(0, grid.side, 4):
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
            city.node(j, f"junction {len(junctions)}", *centre)
            for m in members:
                dist = _dist(centre, grid.xy[m])
                city.pipe(f"{j}_D{m:04d}", j, grid.ids[m], dist, 1200.0, "existing", True)
            junctions.append((j, centre))
    return junctions


def _nearest_junction(
    grid: _Grid, junctions: list[tuple[str, np.ndarray]], p: np.ndarray
) -> tuple[str, float]:
    """(id, distance [km]) of the junction nearest to ``p``; the nearest district when the
    city has no junction."""
    if not junctions:
        k = int(np.argmin(np.hypot(*(grid.xy - p).T)))
        return grid.ids[k], _dist(grid.xy[k], p)
    k = int(np.argmin([_dist(c, p) for _, c in junctions]))
    return junctions[k][0], _dist(junctions[k][1], p)


def _add_coal(city: _City, grid: _Grid, rng: np.random.Generator) -> None:
    """Retirable coal boilers ``COAL####`` at one district in 4 (100–250 MW), with the Jinan
    coal points' costs."""
    n = len(grid.ids)
    for c, i in enumerate(sorted(rng.choice(n, size=max(1, n // 4), replace=False))):
        cap = rng.uniform(100.0, 250.0)
        city.source(
            f"COAL{c:04d}",
            grid.ids[i],
            "coal_boiler",
            cap,
            "retirable",
            165.6,
            0.4248,
            fixed_cost_cny_per_year=round(15_000.0 * cap),
            retirement_cost_cny=round(143_000.0 * cap),
        )


def _outside(grid: _Grid, rng: np.random.Generator, r_min: float, r_max: float) -> np.ndarray:
    """A point in a random direction, ``r_min``–``r_max`` km beyond the grid's extent."""
    angle = rng.uniform(0, 2 * math.pi)
    r = grid.extent + rng.uniform(r_min, r_max)
    return grid.centre + r * np.array([math.cos(angle), math.sin(angle)])


def _add_edge_sources(
    city: _City, grid: _Grid, junctions: list[tuple[str, np.ndarray]], rng: np.random.Generator
) -> None:
    """CHP plants ``CHP###`` (one per 20 districts, 400–1,200 MW) 2–8 km outside the grid on an
    existing one-way link to the nearest junction; then remote waste heat ``WH###`` (one per
    25 districts, 1,000–2,800 MW) 40–110 km out, reachable only by a candidate one-way line
    ``L###``."""
    n = len(grid.ids)
    for c in range(max(1, n // 20)):
        p = _outside(grid, rng, 2.0, 8.0)
        ident = f"CHP{c:03d}"
        city.node(ident, f"CHP plant {c}", *p)
        cap = rng.uniform(400.0, 1200.0)
        city.source(ident, ident, "chp", cap, "existing", 126.0, 0.144)
        to, d = _nearest_junction(grid, junctions, p)
        city.pipe(f"E_{ident}", ident, to, d, cap, "existing", False)
    for c in range(max(1, n // 25)):
        p = _outside(grid, rng, 40.0, 110.0)
        ident = f"WH{c:03d}"
        city.node(ident, f"remote waste heat {c}", *p)
        cap = rng.uniform(1000.0, 2800.0)
        city.source(ident, ident, "waste_heat", cap, "existing", 90.0, 0.0)
        to, d = _nearest_junction(grid, junctions, p)
        city.pipe(f"L{c:03d}", ident, to, d, cap, "candidate", False, capex=True)


def _add_candidates(city: _City, grid: _Grid, rng: np.random.Generator) -> None:
    """Candidate bidirectional ties ``CT###`` (one per 10 districts, 400–800 MW) between
    districts two grid steps apart, then candidate heat pumps ``HP###`` (one per 20
    districts, 50–150 MW, 1.5 M CNY/MW, 20 years) at districts."""
    n = len(grid.ids)
    far = grid.pairs(((2, 0), (0, 2), (2, 2)))
    n_cand = min(len(far), max(1, n // 10)) if far else 0
    for c, e in enumerate(
        sorted(rng.choice(len(far), size=n_cand, replace=False)) if n_cand else []
    ):
        a, b = far[e]
        city.pipe(
            f"CT{c:03d}",
            grid.ids[a],
            grid.ids[b],
            _dist(grid.xy[a], grid.xy[b]),
            rng.uniform(400.0, 800.0),
            "candidate",
            True,
            capex=True,
        )
    for c, i in enumerate(sorted(rng.choice(n, size=max(1, n // 20), replace=False))):
        cap = rng.uniform(50.0, 150.0)
        city.source(
            f"HP{c:03d}",
            grid.ids[i],
            "heat_pump",
            cap,
            "candidate",
            150.0,
            0.3,
            capex_cny=round(1.5e6 * cap),
            lifetime_years=20.0,
            availability="heat_pump_capacity",
        )


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
    # one generator drawn in a fixed order: the steps below must stay in this order
    rng = np.random.default_rng(seed)
    n = n_districts
    city = _City()
    grid = _grid(n, rng)
    _add_districts(city, grid, rng)
    _add_grid_ties(city, grid, rng)
    junctions = _add_junctions(city, grid)
    _add_coal(city, grid, rng)
    _add_edge_sources(city, grid, junctions, rng)
    _add_candidates(city, grid, rng)
    return _network(
        name or f"city{n}_s{seed}",
        city.nodes,
        city.sources,
        city.pipes,
        city.demands,
        _profiles(resolution, typical_days),
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
