"""Property tests of the pathway model (spec v1.1 §4) on random small networks.

* The optimum equals an independent calculation (``tests.reference_lp.reference_pathway``:
  every season's binaries priced by the enumerated §2 LPs, every sequence of them over the
  years enumerated, the sequences that undo a decision or break a date dropped).
* No retired point comes back and no built asset goes away, in every plan heatnet returns
  (also with a CO2 peak year, which the reference does not cover).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import heatnet
from tests.helpers import write_network
from tests.reference_lp import reference_pathway
from tests.test_property_milp import HypothesisDraws, SeededDraws, cost_tolerance, random_network

YEAR_SETS = ([2025, 2026], [2025, 2026, 2027], [2025, 2027, 2030])


def random_pathway(d: SeededDraws | HypothesisDraws, spec: dict[str, Any]) -> dict[str, Any]:
    """A pathway block for ``spec`` (and dates on some of its rows, in place)."""
    years = d.pick(YEAR_SETS)
    block: dict[str, Any] = {"years": years}
    if d.pick([False, True]):
        block["carbon_price_cny_per_t"] = {
            y: d.pick([0, 30, 80, 200]) for y in years[:: d.int(1, 2)]
        }
    if d.pick([False, True]):
        block["demand_scale"] = {years[0]: 1.0, years[-1]: d.pick([0.8, 1.2, 1.5])}
    if d.pick([False, False, True]):
        block["co2_cap_t"] = {years[-1]: d.pick([0, 5, 50, 500])}
    for row in [*spec["sources"], *spec["pipes"]]:
        if row["status"] in ("existing", "candidate") and d.pick([False, False, True]):
            row["earliest_year"] = d.pick(years[1:])
        elif row["status"] == "retirable" and d.pick([False, False, True]):
            row["retire_by"] = d.pick(years)
    return block


@st.composite
def pathway_cases(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[dict, dict]:
    d = HypothesisDraws(draw)
    spec = random_network(d)
    return spec, random_pathway(d, spec)


def solve(spec: dict[str, Any], pathway: dict[str, Any], how: str = "auto") -> heatnet.Run:
    with tempfile.TemporaryDirectory(prefix="heatnet-pathway-") as tmp:
        folder = write_network(Path(tmp) / "net", **spec, pathway=pathway)
        return heatnet.solve(folder, heatnet.SolveOptions(mip_gap=1e-9, pathway_solve=how))  # type: ignore[arg-type]


def assert_irreversible(run: heatnet.Run) -> None:
    """Kept never follows retired; not built never follows built, year after year."""
    for table, on in (("sources", ("kept",)), ("pipes", ("built", "forced_built"))):
        df = run.tables[table]
        for ident in df.index.unique():
            history = df.loc[[ident]].sort_values("year")["decision"].tolist()
            if table == "sources" and "retired" not in history and "kept" not in history:
                history = [h for h in history if h in ("built", "not_built")]
                state = [h == "built" for h in history]
                assert state == sorted(state), (ident, history)  # built stays built
                continue
            state = [h in on for h in history if h not in ("unavailable", "existing")]
            if table == "sources":
                assert state == sorted(state, reverse=True), (ident, history)
            else:
                assert state == sorted(state), (ident, history)


@pytest.mark.parametrize("how", ["stacked", "seasons"])
@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(case=pathway_cases())
def test_pathway_optimum_equals_enumerated_sequences(how: str, case: tuple[dict, dict]) -> None:
    """Both ways of solving the pathway MILP (the stacked MILP, and the seasons alone first)
    reach the optimum of the independent reference."""
    spec, pathway = case
    run = solve(spec, pathway, how)
    assert run.is_optimal, run.summary["status"]
    ref = reference_pathway(spec, pathway)
    tol = cost_tolerance(spec) * len(pathway["years"]) * 2.0
    assert run.result.objective_cny == pytest.approx(ref, rel=1e-6, abs=tol)
    block = run.summary["pathway"]
    total = sum(y["discount_factor"] * y["objective_cny"] for y in block["per_year"])
    assert total == pytest.approx(run.result.objective_cny, rel=1e-6, abs=tol)
    for y in block["per_year"]:
        assert y["cost_breakdown_cny"]["total_cny"] == pytest.approx(
            y["objective_cny"], rel=1e-6, abs=tol
        )
    assert_irreversible(run)
    event(f"years: {len(pathway['years'])}")


@pytest.mark.parametrize("how", ["stacked", "seasons"])
@pytest.mark.parametrize("seed", range(8))
def test_plans_never_undo_a_decision_with_a_peak_year(seed: int, how: str) -> None:
    d = SeededDraws(seed)
    spec = random_network(d)
    pathway = random_pathway(d, spec)
    pathway["co2_peak_year"] = pathway["years"][0]
    run = solve(spec, pathway, how)
    assert run.is_optimal
    assert_irreversible(run)
    co2 = [y["co2_t"] for y in run.summary["pathway"]["per_year"]]
    assert all(b <= a * (1 + 1e-6) + 1e-6 for a, b in itertools.pairwise(co2))
