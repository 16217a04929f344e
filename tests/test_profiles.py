"""Tests of heatnet.profiles: hand-worked arithmetic, invariants, Jinan files, CSV reader."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from heatnet import profiles as pr
from heatnet.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "demand_profiles"
REGENERATE = (
    "python -c 'from pathlib import Path; from heatnet.profiles import build_jinan_profiles; "
    'build_jinan_profiles(Path("demand_profiles"))\''
)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype={"period": str})


def _write(tmp_path: Path, text: str, name: str = "temps.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------ degree-hour arithmetic


def test_degree_hour_profile_hand_worked() -> None:
    q = pr.degree_hour_profile([18.0, 5.35, -5.3, 25.0], t_indoor_c=18.0, t_design_c=-5.3)
    # (18 - 5.35) / (18 + 5.3) = 12.65 / 23.3
    np.testing.assert_allclose(q, [0.0, 0.542918454935622, 1.0, 0.0], rtol=0, atol=1e-12)


def test_degree_hour_profile_clips_at_zero_and_exceeds_one_below_design() -> None:
    q = pr.degree_hour_profile([17.99, 18.0, 30.0, -28.6], t_indoor_c=18.0, t_design_c=-5.3)
    assert q[1] == 0.0
    assert q[2] == 0.0
    assert q[0] > 0.0
    assert q[3] == pytest.approx(2.0)  # 46.6 K below indoor = twice the design difference


def test_degree_hour_profile_rejects_indoor_below_design() -> None:
    with pytest.raises(ValueError, match="t_indoor_c"):
        pr.degree_hour_profile([0.0], t_indoor_c=-6.0, t_design_c=-5.3)


# ---------------------------------------------------------------------------- thermal inertia


def test_inertia_step_response_hand_worked() -> None:
    tau = 1.0 / math.log(2.0)  # alpha = 1 - exp(-1/tau) = 1/2
    out = pr.thermal_inertia_smoothing([0.0, 10.0, 10.0, 10.0], inertia_h=tau)
    np.testing.assert_allclose(out, [0.0, 5.0, 7.5, 8.75], atol=1e-12)


def test_inertia_default_first_step() -> None:
    out = pr.thermal_inertia_smoothing([0.0, 10.0], inertia_h=12.0)
    assert out[1] == pytest.approx(10.0 * (1.0 - math.exp(-1.0 / 12.0)))  # 0.7996 K
    assert pr.DEFAULT_INERTIA_H == 12.0


def test_inertia_zero_is_identity() -> None:
    series = [3.0, -2.0, 7.5]
    np.testing.assert_array_equal(pr.thermal_inertia_smoothing(series, inertia_h=0.0), series)


def test_inertia_attenuates_daily_cycle_as_documented() -> None:
    hours = np.arange(24 * 20)
    out = pr.thermal_inertia_smoothing(np.sin(2 * np.pi * hours / 24), inertia_h=12.0)
    amplitude = (out[-24:].max() - out[-24:].min()) / 2
    assert amplitude == pytest.approx(1 / math.sqrt(1 + (2 * math.pi * 12 / 24) ** 2), abs=0.01)


# ------------------------------------------------------------------------------- heat pump


def test_heat_pump_curve_at_anchor_points() -> None:
    temps, values = zip(*pr.HEAT_PUMP_CURVE, strict=True)
    np.testing.assert_allclose(pr.heat_pump_capacity(temps), values, atol=1e-12)
    # the anchors follow the documented rule a = 1 - 0.02 (7 - T) from -20 to 7 °C
    for t, a in pr.HEAT_PUMP_CURVE[1:]:
        assert a == pytest.approx(1 - 0.02 * (7 - t))
    np.testing.assert_array_equal(pr.heat_pump_capacity([7.0, 15.0, -25.0, -40.0]), [1, 1, 0, 0])


@given(st.floats(min_value=-80, max_value=60, allow_nan=False))
def test_heat_pump_capacity_within_zero_and_one(t: float) -> None:
    assert 0.0 <= float(pr.heat_pump_capacity(t)) <= 1.0


# ------------------------------------------------------------------------------- aggregation


def test_aggregate_hand_worked() -> None:
    frame = pd.DataFrame(
        {"period": ["a", "b", "c"], "weight_h": [1.0, 3.0, 2.0], "x": [1.0, 0.0, 0.5]}
    )
    out = pr.aggregate_profiles(frame, ["d1", "d1", "d2"])
    assert out["period"].tolist() == ["d1", "d2"]
    assert out["weight_h"].tolist() == [4.0, 2.0]
    assert out["x"].tolist() == [0.25, 0.5]


@given(
    st.lists(
        st.tuples(st.floats(0.1, 100), st.floats(0, 3), st.integers(0, 4)), min_size=1, max_size=40
    )
)
def test_aggregate_conserves_weighted_sums(rows: list[tuple[float, float, int]]) -> None:
    frame = pd.DataFrame(
        {
            "period": [f"t{i}" for i in range(len(rows))],
            "weight_h": [w for w, _, _ in rows],
            "x": [x for _, x, _ in rows],
        }
    )
    out = pr.aggregate_profiles(frame, [f"g{g}" for _, _, g in rows])
    assert out["weight_h"].sum() == pytest.approx(frame["weight_h"].sum())
    assert (out["weight_h"] * out["x"]).sum() == pytest.approx(
        (frame["weight_h"] * frame["x"]).sum()
    )


# ------------------------------------------------------------------------ synthetic temperature


def test_mean_preserving_curve_reproduces_group_means() -> None:
    group = np.repeat([0, 1, 2], [31, 28, 31])
    curve = pr.mean_preserving_curve(group, [-0.4, 3.2, 9.4])
    for g, m in enumerate([-0.4, 3.2, 9.4]):
        assert curve[group == g].mean() == pytest.approx(m, abs=1e-9)
    assert np.abs(np.diff(curve)).max() < 0.5  # smooth: no monthly steps


def test_diurnal_shape_zero_mean_min_0600_max_1400() -> None:
    s = pr.diurnal_shape()
    assert s.mean() == pytest.approx(0.0, abs=1e-12)
    assert int(np.argmin(s)) == 6
    assert int(np.argmax(s)) == 14


def test_synthetic_full_months_reproduce_normals() -> None:
    daily = pr.synthetic_daily_means(pr.JINAN_NORMALS, date(2025, 11, 15), date(2026, 3, 15))
    months = pd.to_datetime(daily["date"]).dt.month
    for month, normal in pr.JINAN_NORMALS.items():
        sel = months == month
        assert daily.loc[sel, "mean_c"].mean() == pytest.approx(normal.mean_c, abs=0.05)
        assert daily.loc[sel, "range_c"].mean() == pytest.approx(
            normal.max_c - normal.min_c, abs=0.05
        )


def test_committed_temperature_file_monthly_means_and_design_days() -> None:
    temps = _read(pr.JINAN_FILES["temperature"])
    assert len(temps) == 2904
    assert temps["period"].iloc[0] == "2025-11-15T00:00"
    assert temps["period"].iloc[-1] == "2026-03-15T23:00"
    stamp = pd.to_datetime(temps["period"])
    for month in (12, 1, 2):  # whole months inside the season
        mean = temps.loc[stamp.dt.month == month, "temperature_c"].mean()
        assert mean == pytest.approx(pr.JINAN_NORMALS[month].mean_c, abs=0.05)
    daily = temps.groupby(stamp.dt.date)["temperature_c"].mean().sort_values().to_numpy()
    assert len(daily) == 121
    assert (daily[:5] <= -5.3 + 0.01).all()  # five days at or below the design temperature
    assert daily[4] == pytest.approx(-5.3, abs=0.01)
    assert daily[5] > -5.3 + 0.01


# ------------------------------------------------------------------------------ Jinan files


def test_committed_profile_files_shape() -> None:
    hourly, daily = _read(pr.JINAN_FILES["hourly"]), _read(pr.JINAN_FILES["daily"])
    assert list(hourly.columns) == ["period", "weight_h", "space_heating", "heat_pump_capacity"]
    assert list(daily.columns) == list(hourly.columns)
    assert len(hourly) == 2904
    assert (hourly["weight_h"] == 1).all()
    assert (hourly["period"].iloc[0], hourly["period"].iloc[-1]) == (
        "2025-11-15T00:00",
        "2026-03-15T23:00",
    )
    assert len(daily) == 121
    assert (daily["weight_h"] == 24).all()
    assert (daily["period"].iloc[0], daily["period"].iloc[-1]) == ("2025-11-15", "2026-03-15")
    for frame in (hourly, daily):
        values = frame[["space_heating", "heat_pump_capacity"]]
        assert (values >= 0).all().all()
        assert (frame["heat_pump_capacity"] <= 1).all()
        assert values.round(6).equals(values)


def test_committed_daily_is_weighted_aggregation_of_hourly() -> None:
    hourly, daily = _read(pr.JINAN_FILES["hourly"]), _read(pr.JINAN_FILES["daily"])
    expected = pr.aggregate_daily(hourly)
    assert expected["period"].tolist() == daily["period"].tolist()
    np.testing.assert_array_equal(daily["weight_h"], expected["weight_h"])
    for col in ("space_heating", "heat_pump_capacity"):
        np.testing.assert_allclose(daily[col], expected[col], rtol=0, atol=1e-6)
        total_hourly = (hourly["weight_h"] * hourly[col]).sum()
        assert (daily["weight_h"] * daily[col]).sum() == pytest.approx(
            total_hourly, abs=24 * 121e-6
        )


def test_committed_files_equal_fresh_regeneration(tmp_path: Path) -> None:
    fresh = pr.build_jinan_profiles(tmp_path)
    for key, path in fresh.items():
        committed = (DATA / pr.JINAN_FILES[key]).read_text(encoding="utf-8")
        assert path.read_text(encoding="utf-8") == committed, f"stale {path.name}: {REGENERATE}"


# -------------------------------------------------------------------------------- make_profiles


def test_make_profiles_hand_worked(tmp_path: Path) -> None:
    rows = "\n".join(
        f"2026-01-0{1 + h // 24}T{h % 24:02d}:00,{t}" for h, t in enumerate([-5.3] * 48)
    )
    path = _write(tmp_path, "period,temperature_c\n" + rows + "\n")
    hourly = pr.make_profiles(path, inertia_h=0.0)
    assert len(hourly) == 48
    assert (hourly["space_heating"] == 1.0).all()
    assert hourly["heat_pump_capacity"].iloc[0] == pytest.approx(1 - 0.02 * 12.3)
    daily = pr.make_profiles(path, resolution="daily", t_indoor_c=20.0, t_design_c=-5.3)
    assert daily["period"].tolist() == ["2026-01-01", "2026-01-02"]
    assert daily["weight_h"].tolist() == [24.0, 24.0]
    np.testing.assert_allclose(daily["space_heating"], 1.0)


def test_make_profiles_collects_option_problems(tmp_path: Path) -> None:
    path = _write(tmp_path, "period,temperature_c\n2026-01-01T00:00,1\n")
    with pytest.raises(InputError) as info:
        pr.make_profiles(path, t_indoor_c=-10.0, inertia_h=-1.0, resolution="weekly")  # type: ignore[arg-type]
    assert {p.column for p in info.value.problems} == {"t_indoor_c", "inertia_h", "resolution"}


def test_write_profiles_is_atomic_and_overwrites(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"period": ["a"], "weight_h": [24.0], "space_heating": [0.1234564], "x": [-0.0000001]}
    )
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    pr.write_profiles(frame, target)
    assert target.read_text() == "period,weight_h,space_heating,x\na,24,0.123456,0\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


# ---------------------------------------------------------------------------- temperature reader


def test_reader_reports_several_problems_with_locations(tmp_path: Path) -> None:
    text = (
        "period,temperature_c\n"
        "2025-11-15T00:00,3.1\n"
        "2025-11-15T01:00,cold\n"  # line 3: non-numeric
        "yesterday,2.0\n"  # line 4: bad timestamp
        "2025-11-15T01:00,1.5\n"  # line 5: duplicate of line 3
        "2025-11-15T00:00,1.0\n"  # line 6: out of order
    )
    with pytest.raises(InputError) as info:
        pr.read_temperature_csv(_write(tmp_path, text))
    found = {(p.file, p.line, p.column) for p in info.value.problems}
    assert found == {
        ("temps.csv", 3, "temperature_c"),
        ("temps.csv", 4, "period"),
        ("temps.csv", 5, "period"),
        ("temps.csv", 6, "period"),
    }
    by_line = {p.line: p for p in info.value.problems}
    assert by_line[3].found == "'cold'"
    assert "°C" in (by_line[3].expected or "")
    assert "line 3" in (by_line[5].found or "")
    assert "temps.csv:4" in str(info.value)


def test_reader_missing_column_names_header_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        pr.read_temperature_csv(_write(tmp_path, "period,temp\n2025-11-15T00:00,1\n"))
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.found) == (1, "temperature_c", "period,temp")


@pytest.mark.parametrize("text", ["", "\n\n", "period,temperature_c\n"])
def test_reader_empty_file(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError) as info:
        pr.read_temperature_csv(_write(tmp_path, text))
    assert info.value.problems[0].file == "temps.csv"


def test_reader_reports_missing_hours(tmp_path: Path) -> None:
    text = "period,temperature_c\n2025-11-15T00:00,1\n2025-11-15T01:00,1\n2025-11-15T04:00,1\n"
    with pytest.raises(InputError) as info:
        pr.read_temperature_csv(_write(tmp_path, text))
    (problem,) = info.value.problems
    assert (problem.line, problem.found) == (4, "2025-11-15T04:00")
    assert (problem.expected or "").startswith("2025-11-15T02:00")


def test_reader_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.csv"):
        pr.read_temperature_csv(tmp_path / "nope.csv")


def test_reader_accepts_good_file_with_extra_column_and_bom(tmp_path: Path) -> None:
    text = "\ufeffstation,period,temperature_c\nX,2025-11-15 00:00,-1.5\nX,2025-11-15T01:00,-2\n"
    frame = pr.read_temperature_csv(_write(tmp_path, text))
    assert frame["temperature_c"].tolist() == [-1.5, -2.0]
    assert frame["period"].iloc[1] == pd.Timestamp("2025-11-15 01:00")
