"""Placebo inference shared by the designs that compare the treated unit with other units.

The decomposition (deviations of similar kommuner) and the comparison-group designs (placebo
estimates of the donors) make their intervals the same way:

* each comparison unit's no-effect estimate is divided by a *size scale* — the noise expected for
  a unit of that size, from one regression of log noise on log size over all units
  (:func:`size_scale_fit`), so it cannot collapse for a unit that happens to be fitted well;
* with enough units for the level (39 at 95 %) the studentised rank interval
  (:func:`studentized_interval`; exact under exchangeability), otherwise the placebo variance
  with a t(N − 1) critical value (:func:`placebo_variance_interval`; Arkhangelsky et al. 2021,
  Algorithm 4); :func:`placebo_inference` chooses;
* the p-value always comes from the same procedure as the interval;
* the comparison-group designs' interval is never narrower than the treated unit's own
  placebo estimates at earlier dates allow (:func:`in_time_floor`): a kommun that drifted away
  from its comparison group before the change would otherwise get a confident "effect".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np

from evaluation import distributions
from evaluation.results import CI_LEVEL


#: Level of the test "the treated unit drifted from its comparison group before the change".
DRIFT_TEST_LEVEL = 0.5


# --------------------------------------------------------------------------- quantiles
# The designs and the screen ask for the same few quantiles thousands of times (a screen: one
# per kommun, design and outcome), so they are remembered. Each is SciPy's own value
# (:mod:`evaluation.distributions`: the ``scipy.special`` function ``scipy.stats`` calls).
@functools.lru_cache(maxsize=4096)
def t_quantile(q: float, df: float | None) -> float:
    """``scipy.stats.t.ppf(q, df)``, remembered; with ``df`` None or infinite the normal
    quantile (:func:`normal_quantile`), which the designs use when no degrees of freedom
    apply."""
    if df is None or not math.isfinite(df):
        return normal_quantile(q)
    return float(distributions.t_ppf(q, df))


def two_sided_p(stat: float, df: float | None) -> float:
    """``2 · P(T > |stat|)`` for Student's t with ``df`` degrees of freedom; with ``df`` None
    or infinite the normal tail, as :func:`t_quantile` takes the normal quantile."""
    if df is None or not math.isfinite(df):
        return float(2 * distributions.norm_sf(abs(stat)))
    return float(2 * distributions.t_sf(abs(stat), df))


@functools.lru_cache(maxsize=256)
def normal_quantile(q: float) -> float:
    """``scipy.stats.norm.ppf(q)``, remembered."""
    return float(distributions.norm_ppf(q))


@functools.lru_cache(maxsize=4096)
def f_quantile(q: float, dfn: float, dfd: float) -> float:
    """``scipy.stats.f.ppf(q, dfn, dfd)``, remembered."""
    return float(distributions.f_ppf(q, dfn, dfd))


def min_units_for_level(ci_level: float) -> int:
    """Smallest number of comparison units that allows an empirical interval at ``ci_level``."""
    return math.ceil(2 / (1 - ci_level) - 1 - 1e-9)


def rank_interval(
    d: float, draws: np.ndarray, *, ci_level: float
) -> tuple[tuple[float, float] | None, float | None]:
    """Interval and p-value for an effect from placebo deviations (same procedure for both).

    Parameters
    ----------
    d
        The treated unit's deviation.
    draws
        Deviations of the comparison units (no effect), on the same scale as ``d``.
    ci_level
        Interval level.

    Returns
    -------
    (ci, p)
        ``ci = (d − D₍N−k+1₎, d − D₍k₎)`` with k = ⌊(1−level)/2·(N+1)⌋ and the two-sided p-value
        ``min(1, 2·min(1+#{D≤d}, 1+#{D≥d})/(N+1))``; ``(None, None)`` when k = 0.
    """
    D = np.sort(np.asarray(draws, dtype=float))
    N = len(D)
    k = math.floor((1 - ci_level) / 2 * (N + 1) + 1e-9)
    if k < 1:
        return None, None
    ci = (float(d - D[N - k]), float(d - D[k - 1]))
    below = 1 + int(np.sum(D <= d))
    above = 1 + int(np.sum(D >= d))
    p = min(1.0, 2 * min(below, above) / (N + 1))
    return ci, float(p)


def studentized_interval(
    estimate: float, scale: float, placebo: np.ndarray, placebo_scale: np.ndarray,
    ci_level: float = CI_LEVEL,
) -> tuple[tuple[float, float] | None, float | None]:
    """Rank-inversion interval and p-value of a studentised placebo-in-space test.

    ``T = estimate/scale`` is ranked among the donors' ``T_j = placebo_j/scale_j``; the interval
    is ``estimate − scale·[T₍N−k+1₎, T₍k₎]`` (None when the pool is too small for the level).
    Because the scales come from the pre-period only, an effect shifts ``estimate`` but not
    ``scale``, so this inverts the test exactly.
    """
    placebo = np.asarray(placebo, float)
    placebo_scale = np.asarray(placebo_scale, float)
    ok = np.isfinite(placebo) & np.isfinite(placebo_scale) & (placebo_scale > 0)
    if not (np.isfinite(scale) and scale > 0):
        return None, None
    ci, p = rank_interval(estimate / scale, placebo[ok] / placebo_scale[ok], ci_level=ci_level)
    if ci is None:
        return None, None
    return (ci[0] * scale, ci[1] * scale), p


def placebo_variance_interval(
    estimate: float, scale: float, placebo: np.ndarray, placebo_scale: np.ndarray,
    ci_level: float = CI_LEVEL,
) -> tuple[tuple[float, float] | None, float | None]:
    """Interval and p-value from the placebo variance (Arkhangelsky et al. 2021, Algorithm 4).

    Each of the ``N`` placebo units played the treated unit against the other donors; their
    estimates, divided by their size scales, estimate the spread of a no-effect estimate:
    ``se = scale · √(mean_j (placebo_j/scale_j)²)`` (around zero: a systematic placebo bias
    widens the interval instead of being ignored). The interval is ``estimate ± t(N−1)·se``
    and the p-value the matching two-sided t test, so the two can never disagree. Unlike the
    rank interval this exists for any ``N ≥ 2``; it rests on the placebo estimates being
    roughly normal (a model), which the report states when ``N`` is below 19 (no permutation
    test can reach 5 % there).
    """
    placebo = np.asarray(placebo, float)
    placebo_scale = np.asarray(placebo_scale, float)
    ok = np.isfinite(placebo) & np.isfinite(placebo_scale) & (placebo_scale > 0)
    n = int(ok.sum())
    if n < 2 or not (np.isfinite(scale) and scale > 0) or not np.isfinite(estimate):
        return None, None
    z = placebo[ok] / placebo_scale[ok]
    se = float(scale * np.sqrt(np.mean(z**2)))
    if not se > 0:
        return None, None
    q = t_quantile(0.5 + ci_level / 2, n - 1)
    p = two_sided_p(estimate / se, n - 1)
    return (estimate - q * se, estimate + q * se), p


def placebo_inference(
    estimate: float, scale: float, placebo: np.ndarray, placebo_scale: np.ndarray,
    ci_level: float = CI_LEVEL,
) -> tuple[tuple[float, float] | None, float | None, str]:
    """The comparison-group designs' interval, p-value and method name: the studentised rank
    interval with enough placebo units for the level (39 at 95 %), else the placebo-variance
    t interval."""
    n_placebo = int(np.isfinite(np.asarray(placebo, float)).sum())
    if n_placebo >= min_units_for_level(ci_level):
        ci, p = studentized_interval(estimate, scale, placebo, placebo_scale, ci_level)
        return ci, p, "studentised_placebo_rank"
    ci, p = placebo_variance_interval(estimate, scale, placebo, placebo_scale, ci_level)
    return ci, p, "placebo_variance_t"


def size_scale_fit(noise: Mapping[str, float], size: Mapping[str, float],
                   units: list[str] | None = None) -> dict[str, float]:
    """Size scales: ``exp(a + b·log size)`` fitted to ``log noise`` over every unit with both.

    ``noise`` is any per-unit measure of no-effect variation (a pre-period standard deviation,
    or an absolute deviation); ``b`` is clipped to [−1, 0] (noise never grows with size, and
    shrinks at most like 1/size). Returns scales for ``units`` (default: the units of
    ``size``); all ones when fewer than five units have a positive noise and size or all sizes
    are equal.
    """
    units = list(size) if units is None else list(units)
    ones = {u: 1.0 for u in units}
    cols = [u for u in noise if u in size and np.isfinite(noise[u]) and noise[u] > 0
            and np.isfinite(size[u]) and size[u] > 0]
    if len(cols) < 5 or not all(u in size and size[u] > 0 for u in units):
        return ones
    x = np.log(np.array([size[u] for u in cols], float))
    y = np.log(np.array([noise[u] for u in cols], float))
    if np.ptp(x) <= 0:
        return ones
    slope = float(np.clip(np.polyfit(x, y, 1)[0], -1.0, 0.0))
    centre = float(np.mean(y - slope * x))
    return {u: float(np.exp(centre + slope * np.log(size[u]))) for u in units}



def in_time_floor(
    estimate: float, ci: tuple[float, float] | None, p: float | None,
    in_time: np.ndarray, raw_in_time: np.ndarray, n_placebo: int,
    ci_level: float = CI_LEVEL, df_time: int | None = None,
) -> tuple[tuple[float, float] | None, float | None, bool]:
    """Widen a placebo-in-space interval to what the treated unit's own past allows.

    ``in_time`` are the design's estimates for the *treated* unit at placebo dates before the
    intervention (same window length, each fitted on the data before its window, carried
    forward to the report's distance from the pre-period); ``raw_in_time`` the same estimates
    before carrying forward. Nothing happened at those dates, so they show how far this unit
    drifts from its comparison group — a deviation the cross-section of placebo units cannot
    see when the treated unit is unlike them (a larger loading on the national cycle, a trend
    of its own).

    First a test: is ``mean(raw²)/se²`` (``se`` the in-space interval's half-width over its
    t(N−1) quantile) above the median of F(K, N−1) (:data:`DRIFT_TEST_LEVEL` = 0.5)? Only then
    is the unit's past taken as drift, and — in the spirit of Rambachan & Roth's (2023)
    relative-magnitudes bound with M̄ = 1 (the post-period deviation from the comparison group
    is no larger than the pre-period ones) — the interval becomes the hull of ``ci`` and
    ``estimate ± z·rms(in_time)`` (a bound on the drift, not a variance estimated from the N
    placebos, hence the normal quantile; ``df_time`` gives a t quantile instead, for callers
    whose in-time values are a spread with that many degrees of freedom), and the p-value
    ``max(p, p_time)`` with ``p_time`` the matching normal test. Both intervals contain the
    estimate, so the hull excludes zero exactly when both do: the p-value and the interval
    cannot disagree. The median, not 5 %:
    with three windows the test has little power, and a drift it cannot rule out is one it
    must allow for (the calibration study's "unlike" cell: DiD's false alarms 37 % → about
    5 %, at the cost of somewhat wider intervals where nothing drifts).

    Returns ``(ci, p, widened)``; unchanged when there is no interval or no in-time estimate.
    """
    values = np.asarray(in_time, float)
    values = values[np.isfinite(values)]
    if ci is None or p is None or len(values) == 0 or not np.isfinite(estimate):
        return ci, p, False
    df = max(int(n_placebo) - 1, 1)
    q = t_quantile(0.5 + ci_level / 2, df)
    se_space = (ci[1] - ci[0]) / (2 * q)
    raw = np.asarray(raw_in_time, float)
    raw = raw[np.isfinite(raw)]
    if se_space > 0 and len(raw):
        # are the unit's own past deviations larger than the placebo units' spread explains?
        f_stat = float(np.mean(raw**2)) / se_space**2
        if f_stat <= f_quantile(1 - DRIFT_TEST_LEVEL, len(raw), df):
            return ci, p, False
    # the floor bounds the unit's own drift (Rambachan & Roth's relative magnitude); it is not
    # a variance estimated from the N placebo units, so it takes the normal quantile
    rms = float(np.sqrt(np.mean(values**2)))
    z = t_quantile(0.5 + ci_level / 2, df_time)
    low, high = min(ci[0], estimate - z * rms), max(ci[1], estimate + z * rms)
    p_time = two_sided_p(estimate / rms, df_time) if rms > 0 else 0.0
    widened = low < ci[0] or high > ci[1]
    return (low, high), max(float(p), p_time), widened
