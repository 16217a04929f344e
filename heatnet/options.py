"""What a user asks of a solve: :class:`SolveOptions` (solver settings and solve strategy).

The solve layer (:mod:`heatnet.solve`) sees only the solver's part of it
(:class:`heatnet.solve.SolverSettings`); the strategy — unserved heat, typical days, two
stages, time slices — is read by :mod:`heatnet.stages` and :mod:`heatnet.run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Route = Literal["direct", "standard_form", "lp_file"]
"""How a model reaches HiGHS (see :mod:`heatnet.solve`)."""


@dataclass(frozen=True)
class SolveOptions:
    """Options for one solve.

    Attributes:
        mip_gap: relative MIP gap at which HiGHS may stop [-] (HiGHS default 1e-4).
        time_limit_s: wall-clock limit for the MILP [s]; None = no limit.
        threads: HiGHS threads; None = HiGHS's choice. Fixed per process by HiGHS.
        verbose: show HiGHS's log live on the console.
        random_seed: HiGHS random seed (same seed, same inputs → same answer).
        heat_prices: after the MILP, fix the binaries and solve the LP for nodal prices.
        allow_unserved: allow priced unserved heat (the model is then always feasible).
        route: how the model reaches HiGHS (``direct``, ``standard_form`` or ``lp_file``).
        log_file: where HiGHS writes its log (None = no file).
        typical_days: number K of typical days for the design stage (or for a single-stage
            solve on typical days); None = 12 when a two-stage solve is chosen automatically,
            full resolution otherwise (see :func:`heatnet.run.solve`).
        two_stage: True = choose retirements and builds on K typical days, then fix them and
            solve the full season as an LP; False = one MILP (on the K typical days if
            ``typical_days`` is set, else at full resolution); None = two-stage for profiles
            finer than daily with more than 24·K periods.
        two_stage_gap: a two-stage plan is reported ``optimal`` when its full-resolution cost
            is within this relative gap (or ``mip_gap``, if larger) of the best valid lower
            bound [-]; above it the status is ``feasible`` (or ``time_limit`` when the time
            limit stopped the design).
        time_slices: design on K time slices instead of typical days (two-stage only):
            groups of periods with similar profiles, the peak period alone, refined where
            the full-resolution dispatch shows the slices lose most until the design gap is
            within ``two_stage_gap`` (see :func:`heatnet.stages.design_and_dispatch`).
            None = typical days.
        max_refinements: at most this many refinements of the time slices.
        security_cost: with a security block, also solve without it and report the
            difference as the cost of security (``summary.security.cost_of_security_cny``).
        max_unserved_mwh: cap on the season's unserved heat [MWh] (with ``allow_unserved``);
            None = no cap. The Pareto front holds it at the minimum-cost plan's level.
        pathway_solve: how a pathway's MILP is solved (spec v1.1 §4). ``seasons``: each
            season's MILP alone first, warm-started from the season before; when their plans
            are already irreversible (and keep the CO2 peak) they are the pathway's optimum,
            else the stacked MILP finishes from them with their bound
            (:func:`heatnet.pathway.solve_by_season`). ``stacked``: the stacked MILP of all
            seasons at once. ``auto``: ``seasons`` above
            :data:`heatnet.pathway.AUTO_SEASONS_COLUMNS` columns in the stacked model,
            ``stacked`` below (docs/pathway.md, measured).
    """

    mip_gap: float = 1e-4
    time_limit_s: float | None = None
    threads: int | None = None
    verbose: bool = False
    random_seed: int = 0
    heat_prices: bool = True
    allow_unserved: bool = True
    route: Route = "direct"
    log_file: Path | None = None
    typical_days: int | None = None
    two_stage: bool | None = None
    two_stage_gap: float = 0.005
    time_slices: int | None = None
    max_refinements: int = 8
    security_cost: bool = False
    max_unserved_mwh: float | None = None
    pathway_solve: Literal["auto", "seasons", "stacked"] = "auto"
