"""Demand and availability profiles: outdoor temperature in, per-unit profile columns out.

The method, in four steps (symbols: T outdoor air temperature [°C], t_i indoor design temperature
[°C], t_d outdoor design temperature [°C], tau thermal-inertia time constant [h]):

1. **Temperature.** For the embedded Jinan data, an hourly series is synthesised from monthly
   climate normals (:func:`synthetic_temperature`): a smooth daily-mean curve whose monthly means
   equal the normals, a daily cycle whose range is the normal diurnal range, and a deterministic
   day-to-day (synoptic) anomaly with zero monthly mean, scaled so that the season holds exactly
   ``DESIGN_DAYS`` = 5 days at or below the design temperature (the GB 50736-2012 definition of the
   heating design temperature: the daily mean not guaranteed on 5 days a year). Any other city
   supplies its own hourly temperature CSV instead (:func:`read_temperature_csv`).
2. **Building response (optional).** T_eff = first-order lag of T with time constant tau
   (:func:`thermal_inertia_smoothing`); default tau = ``DEFAULT_INERTIA_H`` = 12 h.
3. **Space heating.** q = max(0, (t_i - T_eff) / (t_i - t_d)), per unit of design load
   (:func:`degree_hour_profile`); q = 1 at the design temperature.
4. **Heat-pump availability.** a = piecewise-linear derating of an air-source heat pump with the
   raw outdoor temperature T (:func:`heat_pump_capacity`), 1 at and above 7 °C.

Profiles can be aggregated to days (:func:`aggregate_daily`); weighted energy is conserved exactly.

Jinan climate normals (``JINAN_NORMALS``): intended source is the Wikipedia "Jinan" climate table,
which cites the China Meteorological Administration 1991-2020 normals,
https://en.wikipedia.org/wiki/Jinan#Climate . That table could not be retrieved from the stored
reference copies available when this module was written, so the values are a transcription that
is **unverified** except where cross-checked: January daily mean -0.4 °C (Wikipedia text mirrored
at https://nomadpub.com/jinan-weather) and November mean daily max/min 13.1/4.5 °C
(https://www.chinadiscovery.com/jinan-tours/weather-seasons.html). Check them against the CMA table
before client use; ``demand_profiles/README.md`` lists the status of every value.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from heatnet.errors import InputError, Problem, raise_if_errors
from heatnet.io import read_text, write_text_atomic

FloatArray = npt.NDArray[np.float64]


class ClimateNormal(NamedTuple):
    """Monthly climate normal [°C]: daily mean, mean daily maximum, mean daily minimum."""

    mean_c: float
    max_c: float
    min_c: float


#: Jinan (station 54823) monthly normals, month number -> normal [°C]; see the module docstring.
JINAN_NORMALS: Mapping[int, ClimateNormal] = {
    11: ClimateNormal(8.6, 13.1, 4.5),
    12: ClimateNormal(2.0, 6.4, -1.5),
    1: ClimateNormal(-0.4, 4.6, -4.1),
    2: ClimateNormal(3.2, 8.6, -1.2),
    3: ClimateNormal(9.4, 15.0, 4.4),
}
#: Jinan heating season (FACTS.md: 15 Nov - 15 Mar, 121 days = 2,904 hours), local time.
SEASON_FIRST_HOUR = datetime(2025, 11, 15, 0, 0)
SEASON_LAST_HOUR = datetime(2026, 3, 15, 23, 0)
#: GB 50736-2012: the heating design temperature is the daily mean not guaranteed on 5 days/year.
DESIGN_DAYS = 5
T_INDOOR_C = 18.0
T_DESIGN_C = -5.3
#: ASSUMPTION: daily cycle minimum at 06:00 and maximum at 14:00 local time, half-cosine flanks.
DIURNAL_MIN_HOUR = 6
DIURNAL_MAX_HOUR = 14
#: ASSUMPTION: synoptic anomaly = sum of sines with periods in the 5-23 day band of North China
#: cold-air outbreaks; weights and phases are fixed, arbitrary constants (deterministic pattern).
SYNOPTIC_PERIODS_D = (5.1, 8.3, 13.7, 22.9)
SYNOPTIC_WEIGHTS = (0.6, 1.0, 0.8, 0.5)
SYNOPTIC_PHASES_RAD = (0.3, 1.7, 4.1, 2.6)
#: ASSUMPTION: building + network thermal-inertia time constant [h] (see docs/profiles.md).
DEFAULT_INERTIA_H = 12.0
#: Air-source heat pump, (outdoor temperature [°C], available capacity per unit of rated capacity).
#: Temperatures are standard test points: 7 °C rating point (EN 14511 A7), 2 and -7 °C (EN 14825),
#: -12 °C (GB/T 25127 low-ambient rating), -20/-25 °C cut-out band. The values are ASSUMPTIONS:
#: 2 % of rated capacity lost per K below 7 °C, a = 1 - 0.02 (7 - T), down to -20 °C, then a linear
#: ramp to 0 at -25 °C (units of a fleet cutting out at different temperatures).
HEAT_PUMP_CURVE: tuple[tuple[float, float], ...] = (
    (-25.0, 0.0),
    (-20.0, 0.46),
    (-12.0, 0.62),
    (-7.0, 0.72),
    (2.0, 0.90),
    (7.0, 1.0),
)
HOUR_FORMAT = "%Y-%m-%dT%H:%M"
PROFILE_DECIMALS = 6
TEMPERATURE_DECIMALS = 2
PLAUSIBLE_TEMPERATURE_C = (-70.0, 60.0)
MAX_REPORTED_PROBLEMS = 30
JINAN_FILES = {
    "temperature": "jinan_temperature_hourly.csv",
    "hourly": "jinan_hourly.csv",
    "daily": "jinan_daily.csv",
}


# --------------------------------------------------------------------------- temperature series


def mean_preserving_curve(group: npt.ArrayLike, group_means: npt.ArrayLike) -> FloatArray:
    """Smoothest daily series whose mean over each group (month) equals the given mean.

    Solves min sum_d (x_{d+1} - 2 x_d + x_{d-1})^2 subject to mean(x_d, d in g) = m_g for every
    group g (a discrete histospline), through its linear KKT system.

    Parameters
    ----------
    group : array of int, shape (n_days,)
        Group index 0..G-1 of each day, e.g. the month of each day in calendar order.
    group_means : array of float, shape (G,)
        Required mean of each group, in the unit of the result (e.g. °C).

    Returns
    -------
    numpy.ndarray, shape (n_days,)
        The daily values; their group means equal ``group_means`` to solver precision.
    """
    g = np.asarray(group, dtype=int)
    m = np.asarray(group_means, dtype=float)
    n, k = g.size, m.size
    second_diff = np.diff(np.eye(n), 2, axis=0)
    averaging = np.zeros((k, n))
    averaging[g, np.arange(n)] = 1.0
    averaging /= averaging.sum(axis=1, keepdims=True)
    kkt = np.block(
        [[2.0 * second_diff.T @ second_diff, averaging.T], [averaging, np.zeros((k, k))]]
    )
    return np.linalg.solve(kkt, np.concatenate([np.zeros(n), m]))[:n]


def synoptic_pattern(n_days: int) -> FloatArray:
    """Deterministic day-to-day anomaly shape a_d = sum_k w_k sin(2 pi d / P_k + phi_k) [-].

    ``d`` is the day index 0..n_days-1; ``P_k`` [d], ``w_k`` and ``phi_k`` are the fixed
    ``SYNOPTIC_*`` constants. Unscaled: :func:`synthetic_daily_means` scales it to the design
    condition.
    """
    d = np.arange(n_days, dtype=float)
    terms = [
        w * np.sin(2.0 * np.pi * d / p + phi)
        for p, w, phi in zip(SYNOPTIC_PERIODS_D, SYNOPTIC_WEIGHTS, SYNOPTIC_PHASES_RAD, strict=True)
    ]
    return np.sum(terms, axis=0)


def diurnal_shape(min_hour: int = DIURNAL_MIN_HOUR, max_hour: int = DIURNAL_MAX_HOUR) -> FloatArray:
    """Hourly daily-cycle shape s_h for h = 0..23, -1 near ``min_hour`` and +1 near ``max_hour``.

    Half-cosine rise from min to max, half-cosine fall from max to the next day's min; the 24
    values are shifted to a zero mean so that the cycle never changes a daily mean.
    """
    rise = (max_hour - min_hour) % 24
    x = (np.arange(24) - min_hour) % 24
    s = np.where(x <= rise, -np.cos(np.pi * x / rise), np.cos(np.pi * (x - rise) / (24 - rise)))
    return s - s.mean()


def synthetic_daily_means(
    normals: Mapping[int, ClimateNormal],
    first_day: date,
    last_day: date,
    *,
    t_design_c: float = T_DESIGN_C,
    design_days: int = DESIGN_DAYS,
) -> pd.DataFrame:
    """Daily mean temperature and diurnal range over the whole months spanning a season.

    T_d = B_d + k a_d, where B is :func:`mean_preserving_curve` through the monthly mean normals,
    a is :func:`synoptic_pattern` with each calendar month's mean removed (so monthly means stay
    equal to the normals), and k >= 0 [K] is found by bisection so that the ``design_days``-th
    coldest T_d inside the season equals ``t_design_c``. The diurnal range R_d [K] is the
    mean-preserving curve through the monthly (max - min) normals.

    Parameters
    ----------
    normals : mapping month -> ClimateNormal
        Monthly normals [°C] for every month from ``first_day`` to ``last_day``.
    first_day, last_day : datetime.date
        First and last day of the heating season (inclusive).
    t_design_c : float
        Outdoor design temperature [°C], a daily mean.
    design_days : int
        Number of season days at or below ``t_design_c`` (5 in GB 50736).

    Returns
    -------
    pandas.DataFrame
        Columns ``date``, ``mean_c`` [°C], ``range_c`` [K], ``in_season`` (bool), one row per day
        of every month touched by the season.
    """
    start = pd.Timestamp(first_day.year, first_day.month, 1)
    end = pd.Timestamp(last_day) + pd.offsets.MonthEnd(0)
    days = pd.date_range(start, end, freq="D")
    months = list(dict.fromkeys(zip(days.year, days.month, strict=True)))
    missing = sorted({mo for _, mo in months} - set(normals))
    if missing:
        raise ValueError(f"no climate normal for month(s) {missing}")
    group = np.array([months.index(ym) for ym in zip(days.year, days.month, strict=True)])
    chosen = [normals[mo] for _, mo in months]
    base = mean_preserving_curve(group, [n.mean_c for n in chosen])
    diurnal = mean_preserving_curve(group, [n.max_c - n.min_c for n in chosen])
    anomaly = synoptic_pattern(days.size)
    anomaly -= (np.bincount(group, anomaly) / np.bincount(group))[group]
    in_season = np.asarray((days >= pd.Timestamp(first_day)) & (days <= pd.Timestamp(last_day)))

    def kth_coldest(k: float) -> float:
        return float(np.sort((base + k * anomaly)[in_season])[design_days - 1])

    low, high = 0.0, 1.0
    if kth_coldest(low) <= t_design_c:
        raise ValueError("the normals alone are colder than the design temperature")
    while kth_coldest(high) > t_design_c:
        high *= 2.0
        if high > 1e3:
            raise ValueError("no anomaly amplitude reaches the design temperature")
    for _ in range(80):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if kth_coldest(mid) > t_design_c else (low, mid)
    return pd.DataFrame(
        {
            "date": days.date,
            "mean_c": base + high * anomaly,
            "range_c": diurnal,
            "in_season": in_season,
        }
    )


def synthetic_temperature(
    normals: Mapping[int, ClimateNormal] = JINAN_NORMALS,
    first_hour: datetime = SEASON_FIRST_HOUR,
    last_hour: datetime = SEASON_LAST_HOUR,
    *,
    t_design_c: float = T_DESIGN_C,
) -> pd.DataFrame:
    """Hourly outdoor temperature T_{d,h} = T_d + (R_d / 2) s_h for the season [°C].

    T_d and R_d come from :func:`synthetic_daily_means`, s_h from :func:`diurnal_shape`. The
    season must start at 00:00 and end at 23:00 (whole days).

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (datetime64, local time, start of the hour) and ``temperature_c``.
    """
    if first_hour.hour != 0 or last_hour.hour != 23:
        raise ValueError("the season must run from 00:00 on its first day to 23:00 on its last")
    daily = synthetic_daily_means(
        normals, first_hour.date(), last_hour.date(), t_design_c=t_design_c
    )
    daily = daily[daily["in_season"]]
    shape = diurnal_shape()
    values = daily["mean_c"].to_numpy()[:, None] + daily["range_c"].to_numpy()[:, None] / 2 * shape
    periods = pd.date_range(first_hour, last_hour, freq="h")
    return pd.DataFrame({"period": periods, "temperature_c": values.ravel()})


# --------------------------------------------------------------------------------- profiles


def thermal_inertia_smoothing(
    temperature_c: npt.ArrayLike, inertia_h: float = DEFAULT_INERTIA_H, step_h: float = 1.0
) -> FloatArray:
    """Outdoor temperature as the heated buildings feel it: a first-order lag [°C].

    T_eff[0] = T[0]; T_eff[i] = T_eff[i-1] + alpha (T[i] - T_eff[i-1]), alpha = 1 - exp(-step_h /
    inertia_h), the exact discretisation of tau dT_eff/dt = T - T_eff for inputs held over each
    step. A cycle of period P [h] keeps 1 / sqrt(1 + (2 pi tau / P)^2) of its amplitude: with
    tau = 12 h the 24 h cycle keeps 30 %, a 5-day swing 85 %. ``inertia_h = 0`` returns T.

    Parameters
    ----------
    temperature_c : array of float
        Outdoor temperature at equal steps [°C].
    inertia_h : float
        Time constant tau [h], >= 0.
    step_h : float
        Time step of the series [h], > 0.
    """
    t = np.asarray(temperature_c, dtype=float)
    if inertia_h < 0 or step_h <= 0:
        raise ValueError("inertia_h must be >= 0 and step_h > 0")
    if inertia_h == 0 or t.size == 0:
        return t.copy()
    alpha = 1.0 - math.exp(-step_h / inertia_h)
    out = np.empty_like(t)
    out[0] = t[0]
    for i in range(1, t.size):
        out[i] = out[i - 1] + alpha * (t[i] - out[i - 1])
    return out


def degree_hour_profile(
    temperature_c: npt.ArrayLike, t_indoor_c: float = T_INDOOR_C, t_design_c: float = T_DESIGN_C
) -> FloatArray:
    """Space-heating demand per unit of design load: q = max(0, (t_i - T) / (t_i - t_d)) [-].

    q = 1 at the design temperature t_d, 0 at or above the indoor temperature t_i, and above 1
    when T is colder than t_d (an unsmoothed design night: 1 + diurnal half-range / (t_i - t_d)).

    Parameters
    ----------
    temperature_c : array of float
        Outdoor (or inertia-smoothed) temperature T [°C].
    t_indoor_c : float
        Indoor design temperature t_i [°C].
    t_design_c : float
        Outdoor design temperature t_d [°C], below ``t_indoor_c``.
    """
    if t_indoor_c <= t_design_c:
        raise ValueError("t_indoor_c must be above t_design_c")
    t = np.asarray(temperature_c, dtype=float)
    return np.maximum(0.0, (t_indoor_c - t) / (t_indoor_c - t_design_c))


def heat_pump_capacity(temperature_c: npt.ArrayLike) -> FloatArray:
    """Available air-source heat-pump capacity per unit of rated capacity (at 7 °C) [-].

    Piecewise-linear through ``HEAT_PUMP_CURVE``; 1 at and above 7 °C, 0 at and below -25 °C, so
    always within [0, 1]. Use the raw outdoor temperature: the machine has no thermal inertia.
    """
    x, y = zip(*HEAT_PUMP_CURVE, strict=True)
    return np.clip(np.interp(np.asarray(temperature_c, dtype=float), x, y), 0.0, 1.0)


def aggregate_profiles(profiles: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Merge rows that share a label into one period, conserving weighted energy exactly.

    weight_h of a merged period = sum of its rows' weight_h; each profile column p becomes the
    weighted mean sum(w p) / sum(w), so sum over periods of w p is unchanged. Periods keep the
    order of their first row.
    """
    value_cols = [c for c in profiles.columns if c not in ("period", "weight_h")]
    w = profiles["weight_h"].to_numpy(dtype=float)
    frame = pd.DataFrame({"period": list(labels), "weight_h": w})
    for col in value_cols:
        frame[col] = profiles[col].to_numpy(dtype=float) * w
    out = frame.groupby("period", sort=False, as_index=False).sum()
    for col in value_cols:
        out[col] = out[col] / out["weight_h"]
    return out


def aggregate_daily(profiles: pd.DataFrame) -> pd.DataFrame:
    """Aggregate timestamped periods (e.g. ``2025-11-15T00:00``) to days (``2025-11-15``)."""
    labels = pd.to_datetime(profiles["period"]).dt.strftime("%Y-%m-%d")
    return aggregate_profiles(profiles, labels.tolist())


# ------------------------------------------------------------------------------------ I/O


def read_temperature_csv(path: Path) -> pd.DataFrame:
    """Read and check an hourly temperature CSV with columns ``period`` and ``temperature_c``.

    ``period`` is a local timestamp (ISO 8601, e.g. ``2025-11-15T00:00``) at whole hours, strictly
    increasing by one hour; ``temperature_c`` is the outdoor temperature [°C]. Extra columns are
    ignored. Every problem found is collected (file, line with header = line 1, column, expected,
    found) and raised together.

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (datetime64) and ``temperature_c`` (float).

    Raises
    ------
    heatnet.errors.InputError
        If the file is missing, empty or has any invalid row.
    """
    path = Path(path)
    name = path.name
    read_problems: list[Problem] = []
    text = read_text(path, name, read_problems)
    if text is None:
        raise InputError(read_problems, context=f"cannot read {name}")
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    layout = "a header line period,temperature_c, then one row per hour"
    if not rows:
        raise InputError([_bad(name, 1, None, "the file is empty", layout, "nothing")])
    header = [h.strip() for h in rows[0][1]]
    found = ",".join(header)
    problems = [
        _bad(name, rows[0][0], col, f"column {col!r} is missing", layout, found)
        for col in ("period", "temperature_c")
        if col not in header
    ]
    if not problems and len(rows) == 1:
        problems.append(_bad(name, 2, None, "no data rows", layout, "only the header"))
    raise_if_errors(problems, f"cannot read {name}")
    i_period, i_temp = header.index("period"), header.index("temperature_c")
    low, high = PLAUSIBLE_TEMPERATURE_C
    stamps: list[tuple[int, datetime]] = []
    temps: list[float] = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            problems.append(
                _bad(name, line, None, "wrong number of fields", f"{len(header)}", f"{len(row)}")
            )
            continue
        raw_period, raw_temp = row[i_period].strip(), row[i_temp].strip()
        stamp = _parse_hour(raw_period)
        if stamp is None:
            expected = "a local time at a whole hour, e.g. 2025-11-15T00:00"
            problems.append(
                _bad(name, line, "period", "not a timestamp", expected, repr(raw_period))
            )
        else:
            stamps.append((line, stamp))
        try:
            value = float(raw_temp)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            expected = f"a number of °C between {low:g} and {high:g}"
            message = "not a plausible temperature"
            problems.append(_bad(name, line, "temperature_c", message, expected, repr(raw_temp)))
        temps.append(value)
    problems += _check_hourly_sequence(name, stamps)
    if len(problems) > MAX_REPORTED_PROBLEMS:
        extra = len(problems) - MAX_REPORTED_PROBLEMS
        problems = [*problems[:MAX_REPORTED_PROBLEMS], Problem(name, f"and {extra} more problems")]
    raise_if_errors(problems, f"cannot read {name}")
    return pd.DataFrame({"period": pd.to_datetime([s for _, s in stamps]), "temperature_c": temps})


def _bad(
    file: str | None, line: int | None, column: str | None, message: str, expected: str, found: str
) -> Problem:
    """A located input problem (shorthand for :class:`heatnet.errors.Problem`)."""
    return Problem(file, message, line, column=column, expected=expected, found=found)


def _parse_hour(text: str) -> datetime | None:
    """A naive (local) ISO timestamp at a whole hour, or None."""
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is not None or stamp.minute or stamp.second or stamp.microsecond:
        return None
    return stamp


def _check_hourly_sequence(name: str, stamps: list[tuple[int, datetime]]) -> list[Problem]:
    """Duplicates and disorder first; gaps only when the order is sound (avoids cascades)."""
    problems: list[Problem] = []
    first_seen: dict[datetime, int] = {}
    for (line_a, a), (line_b, b) in pairwise([(0, datetime.min), *stamps]):
        if b in first_seen:
            found = f"{b:{HOUR_FORMAT}}, also on line {first_seen[b]}"
            problems.append(
                _bad(name, line_b, "period", "duplicate period", "each hour once", found)
            )
        elif b < a:
            expected = f"a time after {a:{HOUR_FORMAT}} (line {line_a})"
            problems.append(
                _bad(name, line_b, "period", "out of order", expected, f"{b:{HOUR_FORMAT}}")
            )
        first_seen.setdefault(b, line_b)
    if problems:
        return problems
    for (line_a, a), (line_b, b) in pairwise(stamps):
        if b - a != timedelta(hours=1):
            expected = f"{a + timedelta(hours=1):{HOUR_FORMAT}} (the hour after line {line_a})"
            problem = _bad(name, line_b, "period", "missing hours", expected, f"{b:{HOUR_FORMAT}}")
            problems.append(problem)
    return problems


def make_profiles(
    temperature_csv: Path,
    *,
    t_indoor_c: float = T_INDOOR_C,
    t_design_c: float = T_DESIGN_C,
    inertia_h: float = DEFAULT_INERTIA_H,
    resolution: Literal["hourly", "daily"] = "hourly",
) -> pd.DataFrame:
    """Profiles table from an hourly temperature CSV (what ``heatnet profiles`` runs).

    space_heating = :func:`degree_hour_profile` of :func:`thermal_inertia_smoothing` (T,
    ``inertia_h``); heat_pump_capacity = :func:`heat_pump_capacity` (T). Values are rounded to
    ``PROFILE_DECIMALS``; the daily table is the exact weighted aggregation of the rounded hourly
    one (then rounded).

    Parameters
    ----------
    temperature_csv : pathlib.Path
        Hourly temperature file, see :func:`read_temperature_csv`.
    t_indoor_c : float
        Indoor design temperature [°C].
    t_design_c : float
        Outdoor design temperature [°C] (daily mean); profile 1.0 there.
    inertia_h : float
        Thermal-inertia time constant [h]; 0 turns smoothing off.
    resolution : {"hourly", "daily"}
        Hourly rows (weight_h 1, period ``YYYY-MM-DDTHH:MM``) or daily rows (weight_h = hours in
        the day, period ``YYYY-MM-DD``).

    Returns
    -------
    pandas.DataFrame
        Columns ``period``, ``weight_h``, ``space_heating``, ``heat_pump_capacity``.

    Raises
    ------
    heatnet.errors.InputError
        For invalid options or an invalid temperature file.
    """
    options = [
        ("t_indoor_c", t_indoor_c > t_design_c, f"above t_design_c = {t_design_c:g} °C"),
        ("inertia_h", inertia_h >= 0, ">= 0 h"),
        ("resolution", resolution in ("hourly", "daily"), "hourly or daily"),
    ]
    values = {"t_indoor_c": t_indoor_c, "inertia_h": inertia_h, "resolution": resolution}
    problems = [
        _bad(None, None, key, f"invalid {key}", expected, repr(values[key]))
        for key, ok, expected in options
        if not ok
    ]
    raise_if_errors(problems, "invalid profile options")
    temperature = read_temperature_csv(temperature_csv)
    t = temperature["temperature_c"].to_numpy()
    smoothed = thermal_inertia_smoothing(t, inertia_h)
    hourly = pd.DataFrame(
        {
            "period": temperature["period"].dt.strftime(HOUR_FORMAT),
            "weight_h": 1.0,
            "space_heating": degree_hour_profile(smoothed, t_indoor_c, t_design_c),
            "heat_pump_capacity": heat_pump_capacity(t),
        }
    ).round(PROFILE_DECIMALS)
    if resolution == "hourly":
        return hourly
    return aggregate_daily(hourly).round(PROFILE_DECIMALS)


def _format(value: float, decimals: int) -> str:
    """Fixed-point text without trailing zeros and without ``-0`` (stable, diff-friendly)."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _write_atomic(frame: pd.DataFrame, path: Path, decimals: int) -> None:
    """Write ``frame`` as CSV to a temp file in the target folder, then ``os.replace`` it."""
    path = Path(path)
    lines = [",".join(frame.columns)]
    columns = [
        [_format(v, decimals) for v in frame[c]]
        if pd.api.types.is_float_dtype(frame[c])
        else [str(v) for v in frame[c]]
        for c in frame.columns
    ]
    lines += [",".join(cells) for cells in zip(*columns, strict=True)]
    write_text_atomic(path, "\n".join(lines) + "\n")


def write_profiles(df: pd.DataFrame, path: Path) -> None:
    """Write a profiles table atomically (temp file in the same folder, then ``os.replace``).

    Numbers are written with at most ``PROFILE_DECIMALS`` decimals, trailing zeros dropped.
    """
    _write_atomic(df, path, PROFILE_DECIMALS)


def build_jinan_profiles(out_dir: Path) -> dict[str, Path]:
    """Regenerate the embedded Jinan files from ``JINAN_NORMALS`` into ``out_dir``.

    Writes the synthetic hourly temperature (rounded to ``TEMPERATURE_DECIMALS``), then builds the
    hourly and daily profiles from that file with the default options, so each file follows from
    the previous one exactly as a user's run would.

    Returns
    -------
    dict
        ``{"temperature": path, "hourly": path, "daily": path}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {key: out_dir / name for key, name in JINAN_FILES.items()}
    temperature = synthetic_temperature()
    temperature["period"] = temperature["period"].dt.strftime(HOUR_FORMAT)
    _write_atomic(
        temperature.round(TEMPERATURE_DECIMALS), paths["temperature"], TEMPERATURE_DECIMALS
    )
    for resolution in ("hourly", "daily"):
        write_profiles(
            make_profiles(paths["temperature"], resolution=resolution), paths[resolution]
        )
    return paths
