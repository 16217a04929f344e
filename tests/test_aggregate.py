"""Typical days (heatnet.aggregate): weights, the peak day, energy, determinism, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heatnet.aggregate import aggregation_error, typical_days
from heatnet.errors import InputError

N_DAYS = 30
PEAK_DAY = 17


def season(n_days: int = N_DAYS, steps: int = 24, seed: int = 3) -> pd.DataFrame:
    """Hourly-like profiles: a seasonal curve, a daily cycle, noise, one clear peak day."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_days * steps)
    day = t // steps
    hour = t % steps
    heat = (
        0.5
        + 0.3 * np.sin(np.pi * day / n_days)
        + 0.1 * np.cos(2 * np.pi * hour / steps)
        + 0.03 * rng.standard_normal(len(t))
    )
    heat[day == PEAK_DAY] += 0.4
    avail = np.clip(1.0 - 0.3 * heat + 0.02 * rng.standard_normal(len(t)), 0.0, 1.0)
    return pd.DataFrame(
        {
            "period": [f"d{d:03d}h{h:02d}" for d, h in zip(day, hour, strict=True)],
            "weight_h": 24.0 / steps,
            "heat": np.clip(heat, 0.0, None),
            "hp": avail,
        }
    )


@pytest.mark.parametrize("k", [2, 5, 12])
def test_weights_add_up_to_the_season(k: int) -> None:
    p = season()
    td = typical_days(p, k, peak_weights={"heat": 1.0})
    assert td.k == k
    assert len(td.profiles) == k * 24
    assert td.profiles["weight_h"].sum() == pytest.approx(p["weight_h"].sum())
    assert td.days_per_cluster.sum() == N_DAYS
    # each representative row stands for (days in its cluster) × 1 h
    np.testing.assert_allclose(
        td.profiles["weight_h"].to_numpy(), np.repeat(td.days_per_cluster, 24).astype(float)
    )
    np.testing.assert_array_equal(np.bincount(td.assignment, minlength=k), td.days_per_cluster)


@pytest.mark.parametrize("representation", ["mean", "medoid"])
def test_peak_day_is_kept_as_its_own_typical_day(representation: str) -> None:
    p = season()
    td = typical_days(p, 4, peak_weights={"heat": 1.0}, representation=representation)
    assert td.peak_day == PEAK_DAY
    cluster = td.assignment[PEAK_DAY]
    assert td.days_per_cluster[cluster] == 1
    assert td.representative_day[cluster] == PEAK_DAY
    rows = td.profiles.iloc[cluster * 24 : (cluster + 1) * 24]
    original = p.iloc[PEAK_DAY * 24 : (PEAK_DAY + 1) * 24]
    np.testing.assert_array_equal(rows["heat"].to_numpy(), original["heat"].to_numpy())
    assert rows["period"].tolist() == original["period"].tolist()
    assert td.profiles["heat"].max() == pytest.approx(p["heat"].max())


def test_peak_follows_the_design_loads() -> None:
    """With the weight on another column, the design hour is that column's peak."""
    p = season()
    p.loc[5 * 24 + 3, "hp"] = 5.0  # a spike in the other column on day 5
    assert typical_days(p, 3, peak_weights={"hp": 1.0}).peak_day == 5
    assert typical_days(p, 3, peak_weights={"heat": 1.0}).peak_day == PEAK_DAY


def test_mean_representation_keeps_season_energy_exactly() -> None:
    p = season()
    td = typical_days(p, 6, peak_weights={"heat": 1.0})
    assert td.is_relaxation
    for col in ("heat", "hp"):
        original = float((p[col] * p["weight_h"]).sum())
        aggregated = float((td.profiles[col] * td.profiles["weight_h"]).sum())
        assert aggregated == pytest.approx(original, rel=1e-12)
    # every aggregated value is the mean of the original periods mapped onto it
    rebuilt = pd.Series(p["heat"].to_numpy()).groupby(td.period_map()).mean()
    np.testing.assert_allclose(rebuilt.to_numpy(), td.profiles["heat"].to_numpy())


def test_medoid_rows_are_real_days() -> None:
    p = season()
    td = typical_days(p, 5, peak_weights={"heat": 1.0}, representation="medoid")
    assert not td.is_relaxation
    for c, day in enumerate(td.representative_day):
        np.testing.assert_array_equal(
            td.profiles["hp"].to_numpy()[c * 24 : (c + 1) * 24],
            p["hp"].to_numpy()[day * 24 : (day + 1) * 24],
        )


def test_deterministic_and_in_date_order() -> None:
    p = season()
    a = typical_days(p, 7, peak_weights={"heat": 1.0})
    b = typical_days(p.copy(), 7, peak_weights={"heat": 1.0})
    pd.testing.assert_frame_equal(a.profiles, b.profiles)
    np.testing.assert_array_equal(a.assignment, b.assignment)
    assert list(a.representative_day) == sorted(a.representative_day)


def test_every_day_kept_when_k_equals_the_days() -> None:
    p = season(n_days=6)
    td = typical_days(p, 6, peak_weights={"heat": 1.0})
    np.testing.assert_allclose(td.profiles[["heat", "hp"]].to_numpy(), p[["heat", "hp"]].to_numpy())
    assert aggregation_error(p, td) == {"heat": 0.0, "hp": 0.0}


def test_more_days_fit_better() -> None:
    p = season()
    errors = [
        aggregation_error(p, typical_days(p, k, peak_weights={"heat": 1.0}))["heat"]
        for k in (2, 6, 15)
    ]
    assert errors[0] > errors[1] > errors[2]


def test_daily_rows_are_days_of_one_row() -> None:
    p = season(steps=1)
    td = typical_days(p, 4, peak_weights={"heat": 1.0})
    assert td.steps_per_day == 1
    assert len(td.profiles) == 4
    assert td.profiles["weight_h"].sum() == pytest.approx(24.0 * N_DAYS)


@pytest.mark.parametrize(
    ("change", "k", "message"),
    [
        ("unequal", 3, "equal length"),
        ("partial", 3, "whole number of days"),
        (None, 0, "out of range"),
        (None, N_DAYS + 1, "out of range"),
        (None, 1, "peak day"),
        ("odd_weight", 3, "divide a day"),
    ],
)
def test_bad_input_is_reported(change: str | None, k: int, message: str) -> None:
    p = season()
    if change == "unequal":
        p.loc[0, "weight_h"] = 2.0
    elif change == "partial":
        p = p.iloc[:-5]
    elif change == "odd_weight":
        p["weight_h"] = 7.0
    with pytest.raises(InputError, match=message):
        typical_days(p, k, peak_weights={"heat": 1.0})
