"""The study report's decision matrices (issue 14, finding 2): every decision state a run or a
comparison can produce has a colour and a legend entry, and no cell where a run has a decision
is left blank. Fake runs (result tables by hand), one per state."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from heatnet import plot
from heatnet.schema import DECISIONS, PIPE_DECISIONS, SOURCE_DECISIONS


@dataclass
class FakeNetwork:
    sources: pd.DataFrame
    pipes: pd.DataFrame


@dataclass
class FakeRun:
    """What the matrices read: ``summary['network']``, the sources and pipes tables."""

    name: str
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    network: Any = None


#: source status in the run's inputs → the decision its results table holds
SOURCE_ROW = {
    "kept": "retirable",
    "retired": "retirable",
    "forced_retired": "retired",
    "existing": "existing",
    "unavailable": "unavailable",
    "built": "candidate",
    "not_built": "candidate",
    "forced_built": "committed",
}


def _sources(rows: dict[str, str]) -> pd.DataFrame:
    """``{id: decision}`` → a sources result table."""
    return pd.DataFrame(
        {
            "decision": list(rows.values()),
            "status": [SOURCE_ROW[d] for d in rows.values()],
            "name": [f"name {i}" for i in rows],
            "node": "A",
            "technology": "coal_boiler",
            "heat_mwh": 1.0,
            "co2_t": 0.0,
        },
        index=pd.Index(list(rows), name="id"),
    )


def _pipes(rows: dict[str, str]) -> pd.DataFrame:
    status = {
        "built": "candidate",
        "not_built": "candidate",
        "forced_built": "committed",
        "existing": "existing",
        "unavailable": "unavailable",
    }
    return pd.DataFrame(
        {
            "decision": list(rows.values()),
            "status": [status[d] for d in rows.values()],
            "name": [f"pipe {i}" for i in rows],
            "from_node": "A",
            "to_node": "B",
            "heat_in_mwh": 1.0,
        },
        index=pd.Index(list(rows), name="id"),
    )


def fake_run(label: str, source: str, pipe: str, network: str = "net") -> FakeRun:
    """A run whose retirable source R, candidate source C and candidate pipe P have the given
    decisions (the source's decision for both R and C)."""
    s = _sources({"R": source, "C": source})
    p = _pipes({"P": pipe})
    return FakeRun(
        label,
        {"network": network},
        {"sources": s, "pipes": p},
        FakeNetwork(s.drop(columns="decision"), p.drop(columns="decision")),
    )


def every_state_runs() -> list[tuple[str, FakeRun]]:
    """One run per source decision; R and C are decided (kept/retired, built/not_built) in the
    first runs, so ``existing`` in the same network reads ``forced_kept``, and ``existing`` in
    another network stays ``existing``."""
    pipe_cycle = ["built", "not_built", "forced_built", "unavailable", "existing"]
    out = []
    for i, d in enumerate(SOURCE_ROW):
        out.append((f"run_{d}", fake_run(f"run_{d}", d, pipe_cycle[i % len(pipe_cycle)])))
    out.append(("other_net", fake_run("other_net", "existing", "existing", network="other")))
    return out


def _colour_at(heat: go.Heatmap, z: float) -> str:
    """The heatmap's colour for value ``z`` (a banded colour scale)."""
    pos = (z - heat.zmin) / (heat.zmax - heat.zmin)
    scale = [(float(a), str(c)) for a, c in heat.colorscale]
    for (a, ca), (b, cb) in itertools.pairwise(scale):
        if a <= pos <= b and ca == cb:
            return ca
    raise AssertionError(f"z={z} falls on no colour band")


def _legend(fig: go.Figure) -> dict[str, str]:
    """Legend label → colour of the legend-only traces."""
    return {
        t.name: t.marker.color
        for t in fig.data
        if isinstance(t, go.Scatter) and t.showlegend is not False and t.name
    }


def _states_of(fig: go.Figure) -> list[list[str]]:
    heat = fig.data[0]
    return [[str(c) for c in row] for row in heat.meta["decisions"]]


def test_every_decision_state_has_a_style() -> None:
    assert set(plot.DECISION_STYLE) == set(DECISIONS)
    colours = [c for c, _ in plot.DECISION_STYLE.values()]
    labels = [lab for _, lab in plot.DECISION_STYLE.values()]
    assert len(set(colours)) == len(colours), "two states share a colour"
    assert len(set(labels)) == len(labels)
    assert set(SOURCE_DECISIONS) >= {"kept", "retired", "forced_kept", "forced_retired"}
    assert set(PIPE_DECISIONS) >= {"built", "not_built", "forced_built", "unavailable"}


@pytest.mark.parametrize("kind", ["matrix", "builds"])
def test_every_cell_with_a_decision_has_its_colour_and_legend_entry(kind: str) -> None:
    runs = every_state_runs()
    fig = plot.matrix_figure(runs) if kind == "matrix" else plot.builds_figure(runs)
    heat = fig.data[0]
    legend = _legend(fig)
    states = _states_of(fig)
    seen: set[str] = set()
    for r, row in enumerate(states):
        for c, state in enumerate(row):
            z = heat.z[r][c]
            if not state:
                assert z is None
                continue
            seen.add(state)
            assert z is not None, (kind, r, c, state)
            colour, label = plot.DECISION_STYLE[state]
            assert _colour_at(heat, z) == colour, (state, z)
            assert legend.get(label) == colour, (state, label, legend)
    # only states that are drawn are in the legend
    assert set(legend) == {plot.DECISION_STYLE[s][1] for s in seen}
    if kind == "matrix":
        # the retirement matrix shows every source state, forced_kept included
        col = list(heat.x).index(plot.esc("name R"))
        assert [row[col] for row in states] == [
            "kept",
            "retired",
            "forced_retired",
            "forced_kept",
            "unavailable",
            "built",
            "not_built",
            "forced_built",
            "existing",
        ]
    else:
        assert {"built", "not_built", "forced_built", "unavailable"} <= seen


def test_all_states_are_drawn_somewhere() -> None:
    """Between them, the two matrices of these runs draw every decision state."""
    runs = every_state_runs()
    drawn = set()
    for fig in (plot.matrix_figure(runs), plot.builds_figure(runs)):
        drawn |= {s for row in _states_of(fig) for s in row if s}
    assert drawn == set(DECISIONS)


def test_scenario_forced_keep_is_not_blank() -> None:
    """The user-trial case: keep_lashan_reserve × COAL_LASHAN (status existing by scenario)."""
    runs = [
        ("base", fake_run("base", "retired", "built")),
        ("keep_lashan_reserve", fake_run("keep_lashan_reserve", "existing", "built")),
    ]
    fig = plot.matrix_figure(runs)
    heat = fig.data[0]
    assert all(z is not None for row in heat.z for z in row)
    assert "forced_kept" in {s for row in _states_of(fig) for s in row}
    assert plot.DECISION_STYLE["forced_kept"][1] in _legend(fig)
