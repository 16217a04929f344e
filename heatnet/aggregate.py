"""Typical days: a season of hourly (or sub-daily) periods aggregated into K representative days.

Method (deterministic; no random starts):

1. **Days.** The season's periods are cut into days of ``24 / weight_h`` consecutive rows
   (every row must have the same ``weight_h``, dividing 24 h). Each day becomes one vector: its
   rows of every profile column, each column divided by its largest absolute value in the
   season so that columns count alike.
2. **Peak day.** The day holding the design hour — the period of largest total demand
   ``sum_c L_c * profile_c[t]`` (``L_c``: the design load on profile column c, from
   ``peak_weights``) — is always a cluster of its own, so the stage-1 design sees the real peak.
3. **Clustering.** The other days are grouped into K − 1 clusters by Ward's hierarchical
   clustering (``scipy.cluster.hierarchy.linkage(method="ward")``, cut with ``maxclust``).
4. **Representatives.** Each cluster becomes one representative day, ordered by date:

   * ``mean`` (default): hour h of the representative is the mean of hour h over the cluster's
     days. Every original period then belongs to exactly one aggregated period, whose profile is
     the weighted mean of its members and whose weight is their sum, so season energy
     ``sum_t w_t p_t`` is kept exactly for every column — and the model on these days is a
     **relaxation** of the full-resolution model (see :attr:`TypicalDays.is_relaxation`).
   * ``medoid``: the cluster's real day nearest to its mean. Keeps a real day's shape, but
     season energy is only approximately kept and the model is *not* a relaxation.

   A representative row's ``weight_h`` is (days in its cluster) × (the original ``weight_h``),
   so the weights add up to the season's hours. Row labels (``period``) are those of the
   cluster's medoid day.

**Why the mean representation gives a valid lower bound.** Map any plan that is feasible at
full resolution to typical days by averaging each variable over the periods an aggregated period
stands for (weights w_t). Every constraint of the model is linear, with time-independent
coefficients on the variables except the demand and the available capacity, which enter as
``D[n,t]`` and ``cap_s avail[s,t] k_s`` — linear in the profiles; the averaged plan therefore
satisfies the averaged constraints, which are exactly the constraints of the model built on the
averaged profiles, and it has the same cost (the objective is a weighted sum over periods). So
the typical-day model's optimum — and any valid lower bound HiGHS proves for it — is a lower
bound on the full-resolution optimum. With medoid days this argument fails (a medoid is not the
average of its members) and the typical-day optimum can lie on either side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from heatnet.errors import Problem, raise_if_errors

Representation = Literal["mean", "medoid"]
HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class TypicalDays:
    """K typical days of a season and how the season's days map onto them.

    Attributes:
        profiles: the aggregated profiles table (``period``, ``weight_h`` and the same profile
            columns), K × ``steps_per_day`` rows in date order.
        steps_per_day: rows per day in the original profiles.
        day_labels: label (``period`` of the first row) of every original day.
        assignment: (n_days,) cluster number of every original day.
        representative_day: (K,) original day number of each cluster's medoid.
        days_per_cluster: (K,) number of days each cluster stands for.
        peak_day: original day number of the design hour.
        representation: ``mean`` or ``medoid``.
    """

    profiles: pd.DataFrame
    steps_per_day: int
    day_labels: list[str]
    assignment: np.ndarray
    representative_day: np.ndarray
    days_per_cluster: np.ndarray
    peak_day: int
    representation: Representation

    @property
    def k(self) -> int:
        """Number of typical days K."""
        return len(self.representative_day)

    @property
    def is_relaxation(self) -> bool:
        """True when a model on these days is a relaxation of the full-resolution model, so
        that its optimum (and proven bound) is a valid lower bound (``mean`` representation)."""
        return self.representation == "mean"

    def period_map(self) -> np.ndarray:
        """(T,) aggregated row of every original period."""
        steps = self.steps_per_day
        day = np.repeat(np.arange(len(self.assignment)), steps)
        return self.assignment[day] * steps + np.tile(np.arange(steps), len(self.assignment))

    def as_time_slices(
        self, profiles: pd.DataFrame, peak_weights: Mapping[str, float] | None
    ) -> TimeSlices:
        """The same grouping as :class:`TimeSlices`: slice = (typical day, step of the day),
        standing for that step of every day of the cluster. With the ``mean`` representation
        the slices' profiles are the typical days' rows, so refining the slices
        (:meth:`TimeSlices.refine`) starts exactly where the typical days are. Every hour of
        the peak day is a slice of its own (the peak day is a cluster of one day)."""
        value_cols = [c for c in profiles.columns if c not in ("period", "weight_h")]
        peak = _design_hour(profiles[value_cols].to_numpy(dtype=float), value_cols, peak_weights)
        rows = self.period_map()
        groups = [np.flatnonzero(rows == r) for r in range(self.k * self.steps_per_day)]
        return _from_groups(groups, len(rows), peak)


def _days(profiles: pd.DataFrame) -> tuple[int, int, list[Problem]]:
    """(steps per day, number of days, problems) of a profiles table."""
    problems: list[Problem] = []
    w = profiles["weight_h"].to_numpy(dtype=float)
    if not len(w):
        return 0, 0, [Problem(None, "no periods to aggregate", column="weight_h")]
    if not np.allclose(w, w[0]):
        problems.append(
            Problem(
                None,
                "typical days need periods of equal length",
                column="weight_h",
                expected="the same weight_h on every row",
                found=f"weights from {w.min():g} to {w.max():g} h",
                hint="aggregate a full-resolution season (e.g. hourly rows)",
            )
        )
        return 0, 0, problems
    steps = HOURS_PER_DAY / w[0]
    if abs(steps - round(steps)) > 1e-9 or round(steps) < 1:
        problems.append(
            Problem(
                None,
                "periods do not divide a day",
                column="weight_h",
                expected="a weight_h that divides 24 h",
                found=f"{w[0]:g} h",
            )
        )
        return 0, 0, problems
    steps_i = round(steps)
    if len(w) % steps_i:
        problems.append(
            Problem(
                None,
                "the season is not a whole number of days",
                column="period",
                expected=f"a multiple of {steps_i} rows",
                found=f"{len(w)} rows",
            )
        )
    return steps_i, len(w) // steps_i, problems


def _design_hour(
    values: np.ndarray, value_cols: Sequence[str], peak_weights: Mapping[str, float] | None
) -> int:
    """Row of the design hour: the largest total demand ``sum_c L_c * profile_c[t]`` (``L_c``
    from ``peak_weights``, default 1 for every column)."""
    weights = peak_weights or dict.fromkeys(value_cols, 1.0)
    demand = np.zeros(len(values))
    for col, load in weights.items():
        if col in value_cols:
            demand += float(load) * values[:, list(value_cols).index(col)]
    return int(np.argmax(demand))


def _features(values: np.ndarray, value_cols: Sequence[str], cols: Sequence[str]) -> np.ndarray:
    """The ``cols`` of ``values``, each divided by its largest absolute value (so that columns
    count alike in a clustering; all-zero columns are left as they are)."""
    feat = values[:, [list(value_cols).index(c) for c in cols]]
    scale = np.abs(feat).max(axis=0) if len(feat) else np.ones(len(cols))
    scale[scale == 0] = 1.0
    return feat / scale


def typical_days(
    profiles: pd.DataFrame,
    k: int,
    *,
    peak_weights: Mapping[str, float] | None = None,
    columns: Sequence[str] | None = None,
    representation: Representation = "mean",
) -> TypicalDays:
    """Aggregate a season's profiles into ``k`` typical days (see the module docstring).

    Args:
        profiles: ``period``, ``weight_h`` and per-unit profile columns, one row per period.
        k: number of typical days, including the peak day (2 <= k <= number of days; k equal
            to the number of days returns every day, unchanged).
        peak_weights: design load on each profile column [MW], to find the design hour as the
            period of largest total demand; default: every profile column with weight 1.
        columns: profile columns to cluster on (default: every column but period/weight_h).
        representation: ``mean`` (a relaxation; energy kept exactly) or ``medoid``.

    Raises:
        InputError: unequal or non-dividing period lengths, a partial day, or k out of range.
    """
    value_cols = [c for c in profiles.columns if c not in ("period", "weight_h")]
    cols = list(columns) if columns is not None else value_cols
    steps, n_days, problems = _days(profiles)
    if n_days and not 1 <= k <= n_days:
        problems.append(
            Problem(
                None,
                "number of typical days out of range",
                column="k",
                expected=f"1 to {n_days} (the days in the season)",
                found=str(k),
            )
        )
    if n_days > 1 and k == 1:
        problems.append(
            Problem(
                None,
                "one typical day cannot be the peak day and stand for the whole season",
                column="k",
                expected="at least 2",
                found="1",
            )
        )
    if representation not in ("mean", "medoid"):
        problems.append(
            Problem(
                None,
                "unknown representation",
                column="representation",
                expected="mean or medoid",
                found=repr(representation),
            )
        )
    raise_if_errors(problems, context="cannot aggregate the profiles into typical days")
    values = profiles[value_cols].to_numpy(dtype=float)  # (T, C)
    T = n_days * steps
    values = values[:T]
    w_row = float(profiles["weight_h"].iloc[0])
    labels = [str(x) for x in profiles["period"].iloc[:T]]
    day_labels = labels[::steps]

    peak_day = _design_hour(values, value_cols, peak_weights) // steps
    # day vectors: (n_days, steps × features)
    features = _features(values, value_cols, cols).reshape(n_days, steps * len(cols))

    others = np.array([d for d in range(n_days) if d != peak_day], dtype=np.int64)
    assignment = np.empty(n_days, dtype=np.int64)
    if k >= n_days:
        assignment[:] = np.arange(n_days)
    else:
        n_other_clusters = k - 1
        if len(others) <= n_other_clusters:
            labels_other = np.arange(len(others))
        elif n_other_clusters == 1:
            labels_other = np.zeros(len(others), dtype=np.int64)
        else:
            from scipy.cluster.hierarchy import fcluster, linkage  # 0.25 s to import: on use

            tree = linkage(features[others], method="ward")
            labels_other = fcluster(tree, t=n_other_clusters, criterion="maxclust") - 1
        assignment[others] = labels_other + 1
        assignment[peak_day] = 0
    # medoid of each cluster: the member nearest the cluster mean
    clusters = np.unique(assignment)
    medoids = []
    for c in clusters:
        members = np.flatnonzero(assignment == c)
        centre = features[members].mean(axis=0)
        medoids.append(int(members[np.argmin(((features[members] - centre) ** 2).sum(axis=1))]))
    order = np.argsort(medoids, kind="stable")  # date order of the medoid days
    renumber = np.empty(len(clusters), dtype=np.int64)
    renumber[order] = np.arange(len(clusters))
    assignment = renumber[np.searchsorted(clusters, assignment)]
    medoid_days = np.array(medoids, dtype=np.int64)[order]
    counts = np.bincount(assignment, minlength=len(clusters))

    by_day = values.reshape(n_days, steps, len(value_cols))
    rows = []
    for c, day in enumerate(medoid_days):
        mean = representation == "mean"
        rows.append(by_day[assignment == c].mean(axis=0) if mean else by_day[day])
    out = pd.DataFrame(np.concatenate(rows, axis=0), columns=value_cols)
    out.insert(0, "weight_h", np.repeat(counts * w_row, steps).astype(float))
    out.insert(0, "period", [labels[day * steps + s] for day in medoid_days for s in range(steps)])
    return TypicalDays(
        profiles=out,
        steps_per_day=steps,
        day_labels=day_labels,
        assignment=assignment,
        representative_day=medoid_days,
        days_per_cluster=counts,
        peak_day=peak_day,
        representation=representation,
    )


def aggregation_error(profiles: pd.DataFrame, td: TypicalDays) -> dict[str, float]:
    """Root-mean-square difference between each original profile column and its typical-day
    reconstruction, over the season's periods [per unit]."""
    value_cols = [c for c in profiles.columns if c not in ("period", "weight_h")]
    T = len(td.assignment) * td.steps_per_day
    original = profiles[value_cols].to_numpy(dtype=float)[:T]
    rebuilt = td.profiles[value_cols].to_numpy(dtype=float)[td.period_map()]
    return {
        c: float(np.sqrt(np.mean((original[:, i] - rebuilt[:, i]) ** 2)))
        for i, c in enumerate(value_cols)
    }


@dataclass(frozen=True)
class TimeSlices:
    """A season's periods grouped into K time slices (groups of periods, in any order).

    The model has no link between periods (no storage, no ramping), so the order of periods
    does not matter and any grouping of them is a valid aggregation: slice s stands for its
    member periods, with the weighted mean of their profiles and the sum of their weights.
    As for typical days in the ``mean`` representation, the model on time slices is then a
    **relaxation** of the full-resolution model (see the module docstring): its optimum and
    any bound HiGHS proves for it are lower bounds on the full-resolution optimum.

    Attributes:
        assignment: (T,) slice of every original period; slices are numbered by their first
            member period, so slice order follows the season.
        peak_period: original period of the design hour (always a slice of its own).
    """

    assignment: np.ndarray
    peak_period: int

    @property
    def k(self) -> int:
        """Number of slices K."""
        return int(self.assignment.max()) + 1 if len(self.assignment) else 0

    @property
    def is_relaxation(self) -> bool:
        """Always True: a slice is the exact weighted mean of its periods."""
        return True

    def period_map(self) -> np.ndarray:
        """(T,) slice of every original period."""
        return self.assignment

    def members(self) -> list[np.ndarray]:
        """Original periods of every slice."""
        order = np.argsort(self.assignment, kind="stable")
        cuts = np.cumsum(np.bincount(self.assignment, minlength=self.k))[:-1]
        return np.split(order, cuts)

    def aggregate(self, profiles: pd.DataFrame) -> pd.DataFrame:
        """The profiles table on the slices: one row per slice, its ``weight_h`` the sum of
        its members' and every profile column their ``weight_h``-weighted mean; ``period``
        is the label of the slice's first member."""
        value_cols = [c for c in profiles.columns if c not in ("period", "weight_h")]
        w = profiles["weight_h"].to_numpy(dtype=float)
        values = profiles[value_cols].to_numpy(dtype=float)
        k = self.k
        weight = np.bincount(self.assignment, weights=w, minlength=k)
        sums = np.zeros((k, len(value_cols)))
        np.add.at(sums, self.assignment, w[:, None] * values)
        out = pd.DataFrame(sums / weight[:, None], columns=value_cols)
        first = [int(m[0]) for m in self.members()]
        out.insert(0, "weight_h", weight)
        out.insert(0, "period", [str(profiles["period"].iloc[i]) for i in first])
        return out

    def refine(
        self,
        cost_per_h: np.ndarray,
        loss_cny: np.ndarray,
        share: float = 0.9,
    ) -> TimeSlices:
        """Split the slices that lose most, to tighten the relaxation where it matters.

        Args:
            cost_per_h: (T,) operating cost of every original period per hour of it
                [CNY/h], from the full-resolution dispatch of a design.
            loss_cny: (K,) aggregation loss of every slice for the same design [CNY]: the
                full-resolution operating cost of its periods minus the slice's cost in the
                time-slice model (>= 0 up to solver tolerance, by convexity).
            share: split the largest-loss slices that together hold this share of the total
                loss.

        Each chosen slice (with at least two periods) is cut in two along ``cost_per_h``:
        its periods sorted by cost per hour and cut where the weighted within-group variance
        of cost per hour is least (the exact 1-D two-means split), which separates e.g. the
        hours short of heat from the rest. Returns ``self`` when nothing can be split.
        """
        loss = np.maximum(np.asarray(loss_cny, dtype=float), 0.0)
        if not len(loss) or loss.sum() <= 0:
            return self
        members = self.members()
        order = np.argsort(-loss, kind="stable")
        n_chosen = int(np.searchsorted(np.cumsum(loss[order]), share * loss.sum())) + 1
        chosen = {int(s) for s in order[:n_chosen] if loss[s] > 0 and len(members[s]) > 1}
        if not chosen:
            return self
        groups: list[np.ndarray] = []
        for s, periods in enumerate(members):
            if s in chosen:
                groups.extend(_two_means_1d(periods, np.asarray(cost_per_h)[periods]))
            else:
                groups.append(periods)
        return _from_groups(groups, len(self.assignment), self.peak_period)


def _two_means_1d(periods: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
    """Cut ``periods`` in two along ``x`` where the within-group sum of squares is least."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    n = len(xs)
    csum, csq = np.cumsum(xs), np.cumsum(xs**2)
    j = np.arange(1, n)  # left group = first j sorted periods
    sse_left = csq[j - 1] - csum[j - 1] ** 2 / j
    sse_right = (csq[-1] - csq[j - 1]) - (csum[-1] - csum[j - 1]) ** 2 / (n - j)
    cut = int(j[np.argmin(sse_left + sse_right)])
    return [np.sort(periods[order[:cut]]), np.sort(periods[order[cut:]])]


def _from_groups(groups: Sequence[np.ndarray], n_periods: int, peak: int) -> TimeSlices:
    """TimeSlices from groups of periods, numbered by their first period."""
    groups = sorted((g for g in groups if len(g)), key=lambda g: int(g.min()))
    assignment = np.empty(n_periods, dtype=np.int64)
    for s, g in enumerate(groups):
        assignment[g] = s
    return TimeSlices(assignment=assignment, peak_period=peak)


def time_slices(
    profiles: pd.DataFrame,
    k: int,
    *,
    peak_weights: Mapping[str, float] | None = None,
    columns: Sequence[str] | None = None,
) -> TimeSlices:
    """Group a season's periods into ``k`` time slices of similar profile values.

    Method (deterministic): the design hour (largest ``sum_c L_c * profile_c[t]``, as for
    typical days) is a slice of its own; the other periods are grouped into ``k`` − 1 slices
    by Ward's hierarchical clustering of their profile vectors, each column divided by its
    largest absolute value. Periods may have any ``weight_h`` (hourly rows, typical-day rows,
    days). See :class:`TimeSlices` for why the slice model bounds the full one from below.

    Args:
        profiles: ``period``, ``weight_h`` and profile columns, one row per period.
        k: number of slices, 2 <= k <= T (k = T keeps every period).
        peak_weights: design load on each profile column [MW] (default: weight 1 each).
        columns: profile columns to cluster on (default: all).

    Raises:
        InputError: k out of range or no periods.
    """
    value_cols = [c for c in profiles.columns if c not in ("period", "weight_h")]
    cols = list(columns) if columns is not None else value_cols
    n = len(profiles)
    problems: list[Problem] = []
    if n == 0:
        problems.append(Problem(None, "no periods to aggregate", column="weight_h"))
    elif not (min(2, n) <= k <= n):
        problems.append(
            Problem(
                None,
                "number of time slices out of range",
                column="k",
                expected=f"{min(2, n)} to {n} (the periods in the profiles)",
                found=str(k),
            )
        )
    raise_if_errors(problems, context="cannot aggregate the profiles into time slices")
    values = profiles[value_cols].to_numpy(dtype=float)
    peak = _design_hour(values, value_cols, peak_weights)
    feat = _features(values, value_cols, cols)
    others = np.array([t for t in range(n) if t != peak], dtype=np.int64)
    if k >= n:
        groups = [np.array([t]) for t in range(n)]
    elif k - 1 == 1 or len(others) <= 1:
        groups = [np.array([peak]), others]
    else:
        from scipy.cluster.hierarchy import fcluster, linkage  # 0.25 s to import: on use

        labels = fcluster(linkage(feat[others], method="ward"), t=k - 1, criterion="maxclust")
        groups = [np.array([peak])] + [others[labels == c] for c in np.unique(labels)]
    return _from_groups(groups, n, peak)
