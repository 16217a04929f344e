"""Property test: on random small networks heatnet's MILP optimum equals an independent
calculation (tests/reference_lp.py: enumerate the binaries, solve each LP with scipy).

The networks are drawn through a two-method interface (``int``, ``pick``) so that the same
generator serves hypothesis (shrinkable, derandomised for CI) and plain seeded ``random``
(the LP-file cross-check on a fixed handful of seeds).
"""

from __future__ import annotations

import math
import random
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import heatnet
import heatnet.stages
from tests.helpers import write_network
from tests.reference_lp import SPEC_ECONOMICS, reference_optimum

TECHNOLOGIES = ("waste_heat", "chp", "coal_boiler", "gas_boiler", "heat_pump", "other")
MAX_BINARIES = 4
REL = 1e-6


class SeededDraws:
    """The generator's source of choices, from ``random.Random(seed)``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def pick(self, options: Sequence[Any]) -> Any:
        return self.rng.choice(list(options))


class HypothesisDraws:
    """The generator's source of choices, from hypothesis (so failures shrink)."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def pick(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(options)))


def random_network(d: SeededDraws | HypothesisDraws) -> dict[str, Any]:
    """Keyword arguments for ``write_network``: 2-5 nodes, 1-4 sources, 1-5 pipes, 1-3
    demands, 1-4 periods, at most four binaries, and sometimes an emission cap.

    A cost is empty (the spec's default), zero, or drawn from a range with a floor, so that a
    one-off or fixed cost that is not zero is worth over 100 CNY a year and a price is at least
    0.5 CNY/MWh (or 10 CNY/t): far above the tolerance of :func:`cost_tolerance`."""

    def num(lo: float, hi: float, per_unit: int = 100) -> float:  # lo..hi in 1/per_unit steps
        return d.int(round(lo * per_unit), round(hi * per_unit)) / per_unit

    def cost(lo: float, hi: float, per_unit: int = 100) -> float | None:
        return num(lo, hi, per_unit) if d.pick([True, False]) else d.pick([0.0, None])

    nodes = [{"id": f"N{i}", "name": f"节点{i}"} for i in range(d.int(2, 5))]
    ids = [n["id"] for n in nodes]
    profiles = []
    for t in range(d.int(1, 4)):
        row: dict[str, Any] = {"period": f"t{t}", "weight_h": num(0.5, 200, 2)}
        for col in ("h1", "h2", "avail"):  # two demand profiles and one availability column
            row[col] = d.pick([0.0, 1.0, num(0, 1)])
        profiles.append(row)
    budget = MAX_BINARIES

    def status(choices: Sequence[str]) -> str:
        nonlocal budget
        chosen = d.pick(choices) if budget else "existing"
        budget -= chosen != "existing"
        return chosen

    # capex and retirement costs on every source row: heatnet must ignore them where they do
    # not apply (capex off candidates, retirement cost off retirable sources)
    sources = [
        {
            "id": f"S{i}",
            "node": d.pick(ids),
            "technology": d.pick(TECHNOLOGIES),
            "capacity_mw": num(1, 100, 10),
            "status": status(("existing", "retirable", "candidate")),
            "variable_cost_cny_per_mwh": cost(5, 300),
            "co2_t_per_mwh": cost(0.05, 1),
            "fixed_cost_cny_per_year": cost(1e3, 2e5, 1),
            "retirement_cost_cny": cost(1e4, 2e6, 1),
            "capex_cny": cost(1e4, 3e6, 1),
            "lifetime_years": d.pick([None, d.int(1, 40)]),
            "availability": d.pick(["", "avail"]),
        }
        for i in range(d.int(1, 4))
    ]
    pipes = []
    for j in range(d.int(1, 5)):
        a = d.pick(ids)
        pipes.append(
            {
                "id": f"P{j}",
                "from_node": a,
                "to_node": d.pick([n for n in ids if n != a]),
                "length_km": num(0.5, 20, 10),
                "capacity_mw": num(1, 100, 10),
                "status": status(("existing", "candidate")),
                "bidirectional": d.pick([None, "true", "false"]),
                "loss_fraction_per_km": cost(0.001, 0.04, 1000),  # eta >= 1 - 0.04 * 20 = 0.2
                "pumping_cost_cny_per_mwh": cost(0.5, 20),
                "capex_cny": cost(1e4, 3e6, 1),
                "lifetime_years": d.pick([None, d.int(1, 60)]),
            }
        )
    # demands only where heat can arrive: from a source's node along pipes, direction respected
    sources_at = {s["node"] for s in sources}
    reach = set(sources_at)
    for _ in ids:
        for p in pipes:
            ends = [(p["from_node"], p["to_node"]), (p["to_node"], p["from_node"])]
            reach |= {b for a, b in ends[: 1 if p["bidirectional"] == "false" else 2] if a in reach}
    far = sorted(reach - sources_at)  # offered first, so that heat has to travel
    demands = [
        {
            "id": f"D{k}",
            "node": d.pick(far + sorted(reach & sources_at)),
            "design_load_mw": num(0, 80, 10),
            "profile": d.pick(["h1", "h2"]),
        }
        for k in range(d.int(1, 3))
    ]
    econ = {
        "discount_rate": d.pick([None, 0.0, num(0.01, 0.12)]),
        "carbon_price_cny_per_t": cost(10, 300),
        "unserved_heat_cost_cny_per_mwh": d.pick([None, num(100, 3000, 1)]),
        "retirement_annualisation_years": d.pick([None, d.int(1, 40)]),
    }
    spec = {
        "nodes": nodes,
        "sources": sources,
        "pipes": pipes,
        "demands": demands,
        "profiles": profiles,
        "economics": {k: v for k, v in econ.items() if v is not None},
    }
    if d.pick([False, True]):  # a cap of 0 to 1.2 x the emissions of the uncapped optimum
        share = d.pick([0.0, 1.0, num(0, 1.2)])
        # rounded up: a cap a fraction of a kilogram below a plan's emissions (94.547 t
        # against 94.5473 t) is within HiGHS's feasibility tolerance of that plan, and the
        # reference, exact, would buy 0.0014 MWh of unserved heat instead (27 CNY)
        co2 = share * reference_optimum(**spec).co2_t
        spec["economics"]["co2_cap_t"] = math.ceil(co2 * 1000 - 1e-9) / 1000
    return spec


@st.composite
def networks(draw: Callable[[st.SearchStrategy[Any]], Any]) -> dict[str, Any]:
    return random_network(HypothesisDraws(draw))


def solve(spec: dict[str, Any], **options: Any) -> heatnet.Run:
    with tempfile.TemporaryDirectory(prefix="heatnet-prop-") as tmp:
        folder = write_network(Path(tmp) / "net", **spec)
        return heatnet.solve(folder, heatnet.SolveOptions(mip_gap=1e-9, **options))


def cost_tolerance(spec: dict[str, Any]) -> float:
    """Absolute tolerance [CNY]: 1e-6 MW in every hour of the season at the dearest price of
    the network (unserved heat, a source's variable + carbon cost, or pumping).

    Why: HiGHS accepts solutions whose rows are off by its feasibility tolerances (1e-7 for
    LPs, 1e-6 for MIPs; MW on heatnet's balance rows), so the heat bought, and with it the
    cost, may be off by that much in every period. The term matters only where the relative
    one (1e-6) is smaller, i.e. for cheap plans; it is at most 16 CNY (4 periods x 200 h x
    20,000 CNY/MWh x 1e-6 MW) while a one-off or fixed cost that is not zero is worth over
    100 CNY a year and prices have floors (see random_network), so it cannot hide a missing or
    doubled term. In practice heatnet and the reference agree to ~1e-14 relative.
    """
    econ = {**SPEC_ECONOMICS, **spec["economics"]}
    carbon = float(econ["carbon_price_cny_per_t"])
    prices = [float(econ["unserved_heat_cost_cny_per_mwh"])]
    prices += [
        abs((s["variable_cost_cny_per_mwh"] or 0.0) + carbon * (s["co2_t_per_mwh"] or 0.0))
        for s in spec["sources"]
    ]
    prices += [p["pumping_cost_cny_per_mwh"] or 0.0 for p in spec["pipes"]]
    hours = sum(p["weight_h"] for p in spec["profiles"])
    return 1e-6 * hours * max(prices)


def check_against_reference(spec: dict[str, Any], run: heatnet.Run) -> list[str]:
    """Assert the run matches the reference; return labels describing the case."""
    ref = reference_optimum(**spec)
    assert run.is_optimal, run.summary["status"]
    objective = run.result.objective_cny
    tol = cost_tolerance(spec)
    assert objective == pytest.approx(ref.total_cny, rel=REL, abs=tol), ref
    # heatnet's own binaries, priced by the reference, cost the same (ties may differ)
    decision = {**run.sources["decision"].to_dict(), **run.pipes["decision"].to_dict()}
    chosen = tuple(int(decision[i] in ("kept", "built")) for i in ref.assignment)
    assert ref.totals[chosen] == pytest.approx(objective, rel=REL, abs=tol)
    summary = run.summary
    assert summary["cost_breakdown_cny"]["total_cny"] == pytest.approx(objective, rel=REL, abs=tol)
    hours = sum(p["weight_h"] for p in spec["profiles"])
    # produced = served + lost, to 1e-6 MW over the season (feasibility tolerance, as above)
    assert summary["heat_produced_mwh"] == pytest.approx(
        summary["heat_served_mwh"] + summary["losses_mwh"], rel=REL, abs=1e-6 * hours
    )
    labels = [f"binaries: {len(ref.assignment)}"]
    cap = spec["economics"].get("co2_cap_t")
    if cap is not None:
        # HiGHS meets the cap row to its MIP feasibility tolerance, 1e-6 in the row's unit,
        # which heatnet keeps at 1 t or, for caps over 10,000 t, below cap / 1000
        assert summary["co2_t"] <= cap * (1 + 1e-9) + 1e-6
        uncapped = {k: v for k, v in spec["economics"].items() if k != "co2_cap_t"}
        free = reference_optimum(**{**spec, "economics": uncapped}).total_cny
        labels.append("co2 cap binding" if free < ref.total_cny - tol else "co2 cap slack")
    if summary["unserved_mwh"] > 1e-6:
        labels.append("some heat unserved")
    return labels


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(networks())
def test_milp_optimum_equals_enumerated_lps(spec: dict[str, Any]) -> None:
    for label in check_against_reference(spec, solve(spec)):
        event(label)  # shown by pytest --hypothesis-show-statistics


@pytest.mark.parametrize("route", ["lp_file", "standard_form"])
@pytest.mark.parametrize("seed", range(6))
def test_pyomo_routes_give_the_same_optimum(seed: int, route: str) -> None:
    """The Pyomo model (through an LP file or Pyomo's standard-form compiler) and the direct
    arrays are the same model: same optimum, and both match the reference."""
    spec = random_network(SeededDraws(seed))
    default, pyomo_run = solve(spec), solve(spec, route=route)
    assert default.is_optimal
    assert pyomo_run.is_optimal
    assert pyomo_run.result.objective_cny == pytest.approx(
        default.result.objective_cny, rel=REL, abs=cost_tolerance(spec)
    )
    check_against_reference(spec, pyomo_run)


def random_security(d: SeededDraws | HypothesisDraws, spec: dict[str, Any]) -> dict[str, Any]:
    """A security block for ``spec``: one to three contingencies among its pipes and
    sources, served and intact shares from 0.05 to 1 (random networks are often short of
    heat even intact) and sometimes a design factor other than 1; half the time the shares
    are the largest of 0.9, 0.6, 0.3, 0.1 at which security changes the plan, if any."""
    ids = [str(p["id"]) for p in spec["pipes"]] + [str(s["id"]) for s in spec["sources"]]
    chosen = [i for i in ids if d.pick([False, True])][:3] or [d.pick(ids)]
    block: dict[str, Any] = {
        "served_share": d.pick([0.05, 0.1, 0.2, 0.4, 1.0]),
        "intact_share": d.pick([0.2, 0.5, 1.0]),
        "contingencies": chosen,
    }
    if d.pick([False, True]):
        block["design_factor"] = d.pick([0.8, 1.2])
    if d.pick([False, True]):
        # aim at the interesting case: the largest share at which security changes the plan
        free = reference_optimum(**spec).total_cny
        for a in (0.9, 0.6, 0.3, 0.1):
            trial = {**block, "served_share": a, "intact_share": a}
            total = reference_optimum(**spec, security=trial).total_cny
            if free + cost_tolerance(spec) < total < float("inf"):
                return trial
    return block


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.data())
def test_security_optimum_equals_enumerated_lps(data: st.DataObject) -> None:
    """With a security block, the optimum is the cheapest plan whose design hour passes the
    intact case and every listed outage, checked by an independent LP per case
    (tests/reference_lp.py); when no plan passes, heatnet says infeasible."""
    d = HypothesisDraws(data.draw)
    spec = random_network(d)
    spec["security"] = random_security(d, spec)
    ref = reference_optimum(**spec)
    screen = d.pick([False, True])  # contingency screening (heatnet.stages.solve_secured)
    with mock.patch.object(heatnet.stages, "SCREEN_SECURITY_COLUMNS", -1 if screen else 10**9):
        run = solve(spec)
    event("screened" if screen else "every case in the model")
    if ref.total_cny == float("inf"):
        assert run.result.status is heatnet.Status.INFEASIBLE, run.summary["status"]
        event("no plan passes")
        return
    assert run.is_optimal, run.summary["status"]
    tol = cost_tolerance(spec)
    assert run.result.objective_cny == pytest.approx(ref.total_cny, rel=REL, abs=tol), ref
    free = reference_optimum(**{k: v for k, v in spec.items() if k != "security"}).total_cny
    event("security binding" if free < ref.total_cny - tol else "security slack")
    shares = run.tables["security"]
    need = shares["min_share"] - 1e-6
    assert (shares["served_share"] >= need).all()


def random_rules(d: SeededDraws | HypothesisDraws, spec: dict[str, Any]) -> dict[str, Any]:
    """A constraints block for ``spec`` (spec v1.1 §5): a capital budget of part of the
    candidates' capex, a retire-together pair, an at-most-one-of pair and a minimum heat
    share of a technology the network has, each where the network allows it."""
    retirable = [str(s["id"]) for s in spec["sources"] if s["status"] == "retirable"]
    candidates = [str(s["id"]) for s in spec["sources"] if s["status"] == "candidate"]
    candidates += [str(p["id"]) for p in spec["pipes"] if p["status"] == "candidate"]
    rules: dict[str, Any] = {}
    capex = sum(
        float(x["capex_cny"] or 0.0)
        for x in spec["sources"] + spec["pipes"]
        if x["status"] == "candidate"
    )
    if capex and d.pick([False, True]):
        rules["capex_budget_cny"] = round(capex * d.pick([0.2, 0.5, 0.8]), 2)
    if len(retirable) >= 2 and d.pick([False, True]):
        rules["retire_together"] = [retirable[:2]]
    if len(candidates) >= 2 and d.pick([False, True]):
        rules["at_most_one_of"] = [candidates[:2]]
    if d.pick([False, True]):
        tech = d.pick(sorted({s["technology"] for s in spec["sources"]}))
        rules["min_heat_share"] = {tech: d.pick([0.05, 0.2, 0.5])}
    return rules


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.data())
def test_rules_optimum_equals_enumerated_lps(data: st.DataObject) -> None:
    """With a constraints block, the optimum is the cheapest assignment that meets every rule
    (tests/reference_lp.py filters the assignments and adds the share rows to each LP);
    when none does, heatnet says infeasible."""
    d = HypothesisDraws(data.draw)
    spec = random_network(d)
    rules = random_rules(d, spec)
    if not rules:
        return
    spec["constraints"] = rules
    ref = reference_optimum(**spec)
    run = solve(spec)
    if ref.total_cny == float("inf"):
        assert run.result.status is heatnet.Status.INFEASIBLE, run.summary["status"]
        event("no plan meets the rules")
        return
    assert run.is_optimal, run.summary["status"]
    tol = cost_tolerance(spec)
    assert run.result.objective_cny == pytest.approx(ref.total_cny, rel=REL, abs=tol), ref
    free = reference_optimum(**{k: v for k, v in spec.items() if k != "constraints"})
    event("rules bind" if free.total_cny < ref.total_cny - tol else "rules slack")
    for key in rules:
        event(f"rule {key}")
