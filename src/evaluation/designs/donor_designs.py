"""Comparison-group designs on the long panel: synthetic control, DiD and synthetic DiD.

The numerical cores (:mod:`~evaluation.designs.synth`, :mod:`~evaluation.designs.did`,
:mod:`~evaluation.designs.sdid`) work on wide matrices; this module turns the canonical long
panel into such a matrix for one treated kommun and its donor pool, runs the design, and returns
the shared :class:`~evaluation.results.EffectResult`.

Scale. Counts from kommuner of 2 500 to 1 000 000 inhabitants cannot be combined directly, so
count outcomes are fitted per 1 000 inhabitants and the effect is converted back to the count
with the treated kommun's own population (``effect_count_t = effect_rate_t · population_t / 1000``).

Inference, the same for all three designs. With one treated unit, cluster-robust standard errors
have nothing to cluster on; instead each donor in turn plays the treated unit against the other
donors (the actually treated unit is never in a placebo's pool), in the spirit of Conley & Taber
(2011), Abadie, Diamond & Hainmueller (2010) and Arkhangelsky et al. (2021, Algorithm 4).
Municipalities of very different size are not exchangeable — a small kommun's estimate is
noisier — so each estimate is divided by a *size scale* (:func:`size_scales`: the pre-period noise
predicted from the unit's population by a regression pooled over all units, so it can never
collapse the way a unit's own pre-period fit error does when a design fits it perfectly). Then:

* with at least 39 placebo units (95 %): the studentised rank interval
  ``est − s·[T₍N−k+1₎, T₍k₎]``, exact under exchangeability (the placebo units are the
  :data:`~evaluation.designs.decomposition.N_SIMILAR` (79) donors closest in size);
* with 2–38 (Kolada's "Liknande kommuner": 7; Sjuhärad: 8; a län's kommuner: about 20;
  Proposition 99: 38): the placebo variance ``se = s·√(mean (placebo/s_j)²)`` with a
  Student-t(N − 1) critical value (Arkhangelsky et al. 2021, Algorithm 4; no jackknife — it is
  undefined with one treated unit). Below 19 placebos no permutation test can reach 5 %, so the
  interval rests on this model; ``diagnostics["model_based"]`` says so and the report states it.

The interval is then never narrower than the treated unit's own past allows: the design is
re-fitted for the treated unit alone at up to :data:`MAX_IN_TIME` earlier dates (windows of the
report's length, each fitted on the data before it; :func:`in_time_estimates`), and the interval
widened to ``estimate ± z·rms(in-time estimates)`` when they are larger than the placebo
spread explains
(:func:`~evaluation.designs.inference.in_time_floor`). A kommun unlike every donor (a larger
loading on the national cycle, a trend of its own) shows it there, and the design then says
"we cannot tell" instead of reporting its drift as an effect.

The p-value always comes from the same procedure as the interval, so the two cannot disagree.
Synthetic control also reports ADH's post/pre-RMSPE ratio rank (``rmspe_ratio_rank`` of N + 1;
``permutation_min_p`` is the smallest value such a rank can give).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.memo import unit_means, unit_names, wide, wide_until
from evaluation.data.panel import MIN_PRE_PERIODS, measure_info
from evaluation.designs.decomposition import N_SIMILAR
from evaluation.designs.inference import (  # noqa: F401  (re-exported)
    min_units_for_level,
    in_time_floor,
    placebo_inference,
    placebo_variance_interval,
    size_scale_fit,
    studentized_interval,
)
from evaluation.designs.wide import donor_columns, float_columns, mean_skipping_nan
from evaluation.errors import DesignError
from evaluation.results import CI_LEVEL, EffectResult

DESIGN_NAMES = ("synthetic_control", "did", "sdid")
#: At most this many placebo windows in time for the treated unit's own floor.
MAX_IN_TIME = 3
#: Event-study bins: quarters of monthly data, single years of yearly data.
EVENT_BIN = {"monthly": 3, "yearly": 1}


@dataclass
class WideData:
    """One outcome as a periods × units matrix on the fitting scale (rate or per 1 000)."""

    Y: pd.DataFrame  # periods × [treated, *donors]
    treated: str
    donors: list[str]
    n_pre: int
    kind: str
    frequency: str
    population: pd.Series | None  # treated unit's population per period (counts)
    observed: pd.Series  # treated unit in natural units
    names: dict[str, str]
    placebo_units: list[str]  # donors that play the treated unit in the placebo inference

    @property
    def post(self) -> np.ndarray:
        return np.arange(len(self.Y)) >= self.n_pre

    def to_natural(self, values: np.ndarray) -> np.ndarray:
        """Per-period values on the fitting scale → natural units (counts: × population/1000)."""
        if self.kind != "count" or self.population is None:
            return np.asarray(values, dtype=float)
        return np.asarray(values, dtype=float) * self.population.to_numpy() / 1000.0

    @property
    def count_factor(self) -> float:
        """Mean post-period population / 1000: converts an average effect per 1 000 to a count."""
        if self.kind != "count" or self.population is None:
            return 1.0
        return float(self.population.to_numpy()[self.post].mean() / 1000.0)


def wide_data(
    panel: pd.DataFrame,
    *,
    outcome: str,
    treated: str,
    intervention: str,
    post_end: str,
    donors: Sequence[str] | None = None,
) -> WideData:
    """The matrix a comparison-group design is fitted on.

    Periods run from the first period in which the treated unit and every donor have a value
    to ``post_end``. ``donors`` default: every other unit of the treated unit's type (kommun,
    län) with complete data in that span.
    """
    values = wide_until(panel, outcome, post_end)
    if treated not in values.columns or values[treated].isna().all():
        raise DesignError(
            f"{treated} saknar värden för {outcome}: välj ett utfall som finns i data.",
            f"{treated} has no values for {outcome}: choose an outcome present in the data.",
        )
    names = unit_names(panel)
    kind = measure_info(outcome, values[treated]).kind
    first = values[treated].first_valid_index()
    values = values.loc[first:]
    if donors is None:
        same_type = [u for u in values.columns if u != treated and len(u) == len(treated)
                     and u != "00"]
        donors = [u for u in same_type if values[u].notna().all()]
    donors = donor_columns(list(values.columns), [treated],
                           [str(u) for u in donors if str(u) != treated])
    Y = values[[treated, *donors]]
    observed = Y[treated].copy()
    population = None
    if kind == "count":
        pop = wide_until(panel, "population", post_end).reindex(
            index=Y.index, columns=Y.columns).ffill().bfill()
        if pop.isna().any().any() or (pop <= 0).any().any():
            bad = [u for u in Y.columns if pop[u].isna().any() or (pop[u] <= 0).any()]
            raise DesignError(
                f"Folkmängd saknas för {', '.join(bad[:5])}: antal kan bara jämföras mellan "
                "kommuner per 1 000 invånare; lägg till måttet population.",
                f"Population is missing for {', '.join(bad[:5])}: counts can only be compared "
                "across municipalities per 1,000 inhabitants; add the population measure.",
            )
        population = pop[treated].copy()
        Y = Y / pop * 1000.0
    Y = Y.dropna(how="any")
    n_pre = int((Y.index < intervention).sum())
    if n_pre < 2 or n_pre == len(Y):
        raise DesignError(
            f"Insatsen {intervention} lämnar {n_pre} perioder före och {len(Y) - n_pre} efter med "
            "fullständiga data: välj en tidpunkt med data på båda sidor.",
            f"The intervention {intervention} leaves {n_pre} periods before and "
            f"{len(Y) - n_pre} after with complete data: choose a date with data on both sides.",
        )
    if population is not None:
        population = population.reindex(Y.index)
    return WideData(Y=Y, treated=treated, donors=donors, n_pre=n_pre, kind=kind,
                    frequency="monthly" if len(str(Y.index[0])) == 7 else "yearly",
                    population=population, observed=observed.reindex(Y.index), names=names,
                    placebo_units=nearest_in_size(panel, treated, donors, N_SIMILAR))


def nearest_in_size(panel: pd.DataFrame, treated: str, donors: Sequence[str],
                    n: int) -> list[str]:
    """The ``n`` donors closest to ``treated`` in log mean population (or labour force); all
    donors, in their order, when there are at most ``n`` or no size measure."""
    donors = list(donors)
    if len(donors) <= n:
        return donors
    for measure in ("population", "labour_force"):
        size = unit_means(panel, measure)
        known = set(size.index)
        if treated in known and size.get(treated, 0) > 0 and all(u in known for u in donors):
            # the same arithmetic as on the Series, on an array (no label lookup per donor)
            dist = np.abs(np.log(np.clip(size.reindex(donors).to_numpy(dtype=float), 1.0, None))
                          - np.log(size[treated]))
            chosen = {u for _, u in sorted(zip(dist.tolist(), donors, strict=True))[:n]}
            return [u for u in donors if u in chosen]
    return donors


#: SDID's weights kept by a caller that fits similar problems again, as the start of the next
#: search (:func:`~evaluation.designs.sdid.synthdid_estimate`'s ``omega_start`` and
#: ``lambda_start``: a shorter path to the same weights, bit for bit — the optimum is unique
#: and computed from the final free set alone): the unit weights by (treated unit, its donors
#: in order), for the same units fitted again at other placebo dates and in earlier windows;
#: the time weights by (number of periods, number of pre-periods), for every fit of a window
#: — the treated unit's and each placebo unit's, whose controls differ by a unit or two, so
#: their time weights barely move (on the demo: 5 155 exchanges of the time-weight searches
#: become 1 250, a run's 9 832 of all searches 5 927). A caller's own dict, never a module's:
#: what one evaluation fitted never steers another's path.
WeightStarts = dict[tuple[str, tuple[str, ...]] | tuple[int, int], np.ndarray]


def _sdid_fit(M: np.ndarray, focal: str, pool: Sequence[str], n_pre: int,
              starts: WeightStarts | None) -> Any:
    """SDID (exact weights) of ``M`` (the donors' rows in ``pool``'s order, then ``focal``'s),
    started from and recorded in ``starts`` when given."""
    from evaluation.designs.sdid import synthdid_estimate

    units, periods = (focal, tuple(pool)), (int(M.shape[1]), int(n_pre))
    starts = {} if starts is None else starts
    fit = synthdid_estimate(M, len(pool), n_pre, solver="exact", omega_start=starts.get(units),
                            lambda_start=starts.get(periods))
    starts[units], starts[periods] = fit.omega, fit.lambda_
    return fit


def placebo_date_runs(
    panel: pd.DataFrame,
    *,
    design: str,
    outcome: str,
    treated: str,
    units: Sequence[str],
    donors: Sequence[str],
    intervention: str,
    post_end: str,
    ci_level: float = CI_LEVEL,
    starts: WeightStarts | None = None,
) -> pd.DataFrame:
    """The design as the report runs it, with each of ``units`` in turn as the treated unit, at
    a (placebo) date: one row per unit with ``estimate``, ``low``, ``high`` and ``level`` (the
    unit's post-window mean) on the fitting scale (p.p./level, or per 1 000 for counts).

    One set of fits serves every unit: ``treated`` against ``donors`` and each of the report's
    placebo units against the other donors (the report's own placebo fits, plus any unit under
    test that is not among them), so a comparison kommun's run has the same pool as in the
    report's placebo inference; its placebo units are the report's (and ``treated``, whose fit
    against all donors then plays a placebo). At a placebo date nothing happened, so whether
    the unit under test sits in a placebo's pool does not change the null distribution; with a
    real effect it never does (the treated unit is never in a placebo pool). ``starts``: SDID's
    weights of earlier fits of the same units, to start from (:data:`WeightStarts`).
    """
    data = wide_data(panel, outcome=outcome, treated=treated, intervention=intervention,
                     post_end=post_end, donors=list(donors))
    # the report's placebo units (closest to ``treated`` in size) serve every unit under test,
    # which is itself one of them or close in size: one set of fits per date, as in the report
    extra = [u for u in units if u != treated and u not in data.placebo_units]
    data.placebo_units = [d for d in data.donors if d in data.placebo_units or d in extra]
    base = [treated, *data.placebo_units]
    near = {u: [v for v in base if v != u] if u != treated else list(data.placebo_units)
            for u in units}
    fit = _fit(data, design, robustness=False, starts=starts)
    estimates = {treated: float(fit["estimate"]),
                 **{u: float(v) for u, v in zip(fit["placebo_units"], fit["placebo"],
                                                strict=True)}}
    scales = size_scales(data, panel, list(estimates))
    post = data.post
    rows = []
    for u in units:
        if u not in estimates:
            continue
        others = [v for v in near[u] if v in estimates]
        ci, p, method = placebo_inference(
            estimates[u], scales[u], np.array([estimates[v] for v in others]),
            np.array([scales[v] for v in others]), ci_level)
        pool = list(data.donors) if u == treated else [d for d in data.donors if d != u]
        own = in_time_estimates(data.Y, u, pool, data.n_pre, design, data.frequency,
                                starts=starts)
        ci, p, _ = in_time_floor(estimates[u], ci, p, *_in_time_arrays(own), len(others),
                                 ci_level)
        rows.append({"unit": u, "estimate": estimates[u],
                     "low": np.nan if ci is None else ci[0],
                     "high": np.nan if ci is None else ci[1],
                     "level": float(data.Y[u].to_numpy()[post].mean()), "method": method})
    return pd.DataFrame(rows)


def point_estimate(Y: pd.DataFrame, treated: str, donors: Sequence[str], n_pre: int,
                   design: str, starts: WeightStarts | None = None) -> float:
    """The design's average effect for ``treated`` on ``Y`` (fitting scale), nothing else
    (``starts``: see :data:`WeightStarts`)."""
    donors = list(donors)
    if design == "synthetic_control":
        from evaluation.designs.synth import fit_synth

        return float(fit_synth(Y, treated, n_pre, donors=donors).att)
    if design == "did":
        from evaluation.designs.did import twfe_did

        return float(twfe_did(Y, treated, n_pre, donors=donors).att)
    if design == "sdid":
        M = float_columns(Y, [*donors, treated]).T
        return float(_sdid_fit(M, treated, donors, n_pre, starts).tau)
    raise ValueError(f"unknown design {design!r}")


def in_time_estimates(Y: pd.DataFrame, treated: str, donors: Sequence[str], n_pre: int,
                      design: str, frequency: str, starts: WeightStarts | None = None
                      ) -> dict[str, tuple[float, float]]:
    """The design's estimates for ``treated`` at placebo dates before the intervention, and the
    factor that carries each forward to the report's distance from the pre-period.

    Windows of the post window's length ``L`` laid back to back before the intervention (the
    nearest first), each fitted on the data before it only and leaving a pre-period of at least
    ``L`` and half the design minimum (12 months, 3 years); at most :data:`MAX_IN_TIME`. A
    window fitted on ``m`` pre-periods sees a drift of the treated unit from its comparison
    group over about ``(m + L)/2`` periods (the distance from the pre-period's centre to the
    window's); the report's window over ``(n_pre + L)/2``. A drift grows with that distance
    (linearly for a trend of its own, like its square root for a random walk), so each estimate
    is carried forward by ``(n_pre + L)/(m + L)`` — the trend's factor, the cautious one. Keys
    are each window's first period, values ``(estimate, factor)``.
    """
    n_post = len(Y) - n_pre
    min_pre = max(n_post, MIN_PRE_PERIODS[frequency] // 2)
    out: dict[str, tuple[float, float]] = {}
    # back to back when the past has room for MAX_IN_TIME windows, else overlapping by half
    step = n_post if n_pre - n_post - (MAX_IN_TIME - 1) * n_post >= min_pre else max(
        1, -(-n_post // 2))
    for k in range(MAX_IN_TIME):
        pre_k = n_pre - n_post - k * step
        if pre_k < min_pre:
            break
        try:
            est = point_estimate(Y.iloc[:pre_k + n_post], treated, donors, pre_k, design,
                                 starts)
        except (DesignError, ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(est):
            out[str(Y.index[pre_k])] = (est, (n_pre + n_post) / (pre_k + n_post))
    return out


def _in_time_arrays(in_time: dict[str, tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """(estimates carried forward, raw estimates) for :func:`in_time_floor`."""
    raw = np.array([v[0] for v in in_time.values()], float)
    return raw * np.array([v[1] for v in in_time.values()], float), raw


def size_scales(data: WideData, panel: pd.DataFrame, units: Sequence[str]) -> dict[str, float]:
    """How noisy each unit's estimate is expected to be, from its size (never from its fit).

    The noise of a kommun's series shrinks with its population (register and Poisson noise,
    small local labour markets). Each unit's pre-period noise is measured as the standard
    deviation of the first differences of its outcome minus the cross-unit mean (on the fitting
    scale); ``log noise`` is regressed on ``log size`` (population, else labour force) across
    the treated unit and all donors, the slope clipped to [−1, 0], and the fitted value is the
    unit's scale. Pooling across units means the scale cannot collapse for a unit whose
    pre-period a design happens to fit perfectly (synthetic control with seven pre-years and 79
    donors fits 35 of them to 1e-6: dividing by that fit gave intervals of ±10¹²). Without a
    size measure every scale is 1 (the plain placebo variance of synthdid).
    """
    units = list(units)
    size = None
    for measure in ("population", "labour_force"):
        # the pre-period's sizes only: later data (a new month) must not move the scales
        s = pre_period_means(panel, measure, list(data.Y.columns), list(data.Y.index[:data.n_pre]))
        if all(u in s and s[u] > 0 for u in data.Y.columns):
            size = s
            break
    if size is None or data.n_pre < 3:
        return {u: 1.0 for u in units}
    pre = data.Y.iloc[:data.n_pre]
    noise = pre.sub(pre.mean(axis=1), axis=0).diff().iloc[1:].std(axis=0, ddof=1)
    return size_scale_fit(noise.to_dict(), size, units)


def pre_period_means(panel: pd.DataFrame, measure: str, units: Sequence[str],
                     periods: Sequence[str]) -> dict[str, float]:
    """Each of ``units``' mean of ``measure`` over ``periods``, missing values skipped (NaN for
    a unit without a value there; a unit without any row of ``measure`` left out): what the
    long panel's rows give by unit, read off the remembered periods × units table
    (:func:`evaluation.data.memo.wide`) instead of filtering the long panel for every fit."""
    table = wide(panel, measure)
    cols = [u for u in units if u in table.columns]
    means = mean_skipping_nan(
        table.reindex(index=list(periods), columns=cols).to_numpy(dtype=float), axis=0)
    return dict(zip(cols, means.tolist(), strict=True))


def _pre_sd(path: np.ndarray, n_pre: int) -> float:
    pre = np.asarray(path, float)[:n_pre]
    return float(np.sqrt(np.mean((pre - pre.mean()) ** 2))) if n_pre > 1 else float("nan")


# ---------------------------------------------------------------------------- the three designs
def _fit(data: WideData, design: str, robustness: bool = True,
         starts: WeightStarts | None = None) -> dict[str, Any]:
    """Point estimate, effect path, scale, placebo estimates/scales and design extras
    (``robustness=False`` skips the extras that do not enter the interval: leave-one-out,
    placebo in time, the event study; ``starts``: see :data:`WeightStarts`)."""
    Y, tr, donors, n_pre = data.Y, data.treated, data.donors, data.n_pre
    if design == "synthetic_control":
        from evaluation.designs.synth import fit_synth, leave_one_out, placebo_in_space

        fit = fit_synth(Y, tr, n_pre, donors=donors)
        space = placebo_in_space(Y, tr, n_pre, donors=donors, studentize=True,
                                 placebos=data.placebo_units)
        loo = leave_one_out(Y, tr, n_pre, donors=donors) if robustness else None
        table = space.table
        placebos = table[(table["role"] == "placebo")
                         & table.index.isin(data.placebo_units)]
        gaps = space.gaps
        ratio_rank = int(1 + (placebos["rmspe_ratio"] >= fit.rmspe_ratio).sum())
        return {
            "estimate": fit.att, "effect": fit.gap.to_numpy(), "scale": fit.pre_rmspe,
            "placebo": placebos["att"].to_numpy(),
            "placebo_scale": placebos["pre_rmspe"].to_numpy(),
            "placebo_units": list(placebos.index),
            "weights": {str(k): float(v) for k, v in fit.weights.items() if v > 1e-6},
            "extras": {
                "pre_rmspe": fit.pre_rmspe, "post_rmspe": fit.post_rmspe,
                # the typical placebo unit's pre-period fit (the verdict's pre-fit gate)
                "placebo_pre_rmspe_median": float(np.median(placebos["pre_rmspe"]))
                if len(placebos) else None,
                # ADH's post/pre RMSPE ratio ranked among the same placebo units
                "rmspe_ratio": fit.rmspe_ratio,
                "rmspe_ratio_rank": ratio_rank,
                "rmspe_ratio_p_value": ratio_rank / (len(placebos) + 1),
                "leave_one_out": {} if loo is None else {
                    str(u): float(v) for u, v in loo.table["att"].items()},
                "gap": [float(x) for x in fit.gap],
                "placebo_gaps": {str(u): [float(x) for x in gaps[u]] for u in gaps.columns
                                 if u != tr and u in data.placebo_units},
            },
        }
    if design == "did":
        from evaluation.designs.did import (event_study, permutation_inference, pretrend_test,
                                            twfe_did)

        fit = twfe_did(Y, tr, n_pre, donors=donors)
        perm = permutation_inference(Y, tr, n_pre, donors=donors, scale="pre_sd")
        keep = perm.placebo.index.isin(data.placebo_units)
        gap = fit.gap.to_numpy()
        bin_size = EVENT_BIN[data.frequency]
        try:
            if not robustness:
                raise DesignError("", "")
            events = event_study(Y, tr, n_pre, donors=donors, bin_size=bin_size)
            pretrend = pretrend_test(Y, tr, n_pre, donors=donors, bin_size=bin_size)
            event_records = events.to_dict(orient="records")
            pretrend_p = pretrend.p_value
        except DesignError:
            event_records, pretrend_p = [], None
        return {
            "estimate": fit.att, "effect": gap - gap[:n_pre].mean(), "scale": perm.scale_treated,
            "placebo": perm.placebo.to_numpy()[keep],
            "placebo_scale": perm.placebo_scale.to_numpy()[keep],
            "placebo_units": list(perm.placebo.index[keep]), "weights": None,
            "extras": {"event_study": event_records, "event_bin": bin_size,
                       "pretrend_p_value": pretrend_p},
        }
    if design == "sdid":
        values = Y.to_numpy().T  # units × periods, looked up by position (one per fit)
        at = {u: i for i, u in enumerate(Y.columns)}

        def one(focal: str, pool: list[str]):
            return _sdid_fit(values[[*(at[u] for u in pool), at[focal]]], focal, pool, n_pre,
                             starts)

        fit = one(tr, donors)
        placebo, scales = [], []
        for u in data.placebo_units:
            f = one(u, [d for d in donors if d != u])
            placebo.append(f.tau)
            scales.append(_pre_sd(f.effect_path, n_pre))
        return {
            "estimate": float(fit.tau), "effect": np.asarray(fit.effect_path, float),
            "scale": _pre_sd(fit.effect_path, n_pre),
            "placebo": np.array(placebo), "placebo_scale": np.array(scales),
            "placebo_units": list(data.placebo_units),
            "weights": {
                "unit": {u: float(w) for u, w in zip(donors, fit.omega, strict=True) if w > 1e-6},
                "time": {str(p): float(w) for p, w in zip(Y.index[:n_pre], fit.lambda_,
                                                         strict=True) if w > 1e-6},
            },
            "extras": {"omega_intercept": float(fit.omega_intercept),
                       "zeta_omega": float(fit.zeta_omega), "sigma_hat": float(fit.sigma_hat)},
        }
    raise ValueError(f"unknown design {design!r}")


def comparison_group_design(
    panel: pd.DataFrame,
    *,
    design: str,
    outcome: str,
    treated: str,
    intervention: str,
    post_end: str | None = None,
    donors: Any = None,
    ci_level: float = CI_LEVEL,
) -> EffectResult:
    """Run ``design`` (``"synthetic_control"``, ``"did"`` or ``"sdid"``) for one treated unit.

    Parameters
    ----------
    panel
        Canonical long panel.
    post_end
        Last period of the post window (default: the last period with data).
    donors
        A :class:`~evaluation.designs.donors.DonorPool`, a list of unit codes, or None (every
        other unit of the same type with complete data).
    ci_level
        Interval level of the studentised placebo-in-space interval (no random draws: the
        placebo fits are deterministic).

    Returns
    -------
    EffectResult
        ``average_effect`` in natural units (p.p. or households); counts also relative to the
        counterfactual; ``weights`` for SC (unit weights) and SDID (``{"unit", "time"}``).
    """
    if design not in DESIGN_NAMES:
        raise ValueError(f"unknown design {design!r}")
    if post_end is None:
        post_end = str(panel.loc[panel["measure"] == outcome, "period"].max())
    pool = donors
    donor_list = list(getattr(pool, "members", pool)) if pool is not None else None
    data = wide_data(panel, outcome=outcome, treated=treated, intervention=intervention,
                     post_end=post_end, donors=donor_list)
    if len(data.donors) < 2:
        raise DesignError(
            f"Jämförelsegruppen har {len(data.donors)} kommuner: minst 2 behövs; välj en större "
            "grupp (donors: pool: all).",
            f"The comparison group has {len(data.donors)} units: at least 2 are needed; choose a "
            "larger pool (donors: pool: all).",
        )
    starts: WeightStarts = {}  # the treated unit's SDID weights start its earlier windows
    fit = _fit(data, design, starts=starts)
    need = min_units_for_level(ci_level)
    placebo = np.asarray(fit["placebo"], float)
    n_placebo = int(np.isfinite(placebo).sum())
    # Size scales (pooled across units, never a unit's own fit error, so they cannot collapse).
    scales = size_scales(data, panel, [data.treated, *fit["placebo_units"]])
    scale = scales[data.treated]
    placebo_scale = np.array([scales[u] for u in fit["placebo_units"]])
    ci_scaled, p_value, method = placebo_inference(fit["estimate"], scale, placebo,
                                                   placebo_scale, ci_level)
    # never narrower than the treated unit's own placebo estimates at earlier dates allow
    in_time = in_time_estimates(data.Y, data.treated, data.donors, data.n_pre, design,
                                data.frequency, starts)
    ci_space = ci_scaled
    ci_scaled, p_value, widened = in_time_floor(fit["estimate"], ci_scaled, p_value,
                                                *_in_time_arrays(in_time), n_placebo, ci_level)
    if design == "synthetic_control":
        # the report's "placebo in time" sentence: the nearest of those windows, which ends
        # just before the real intervention
        nearest = str(data.Y.index[data.n_pre - (len(data.Y) - data.n_pre)]) \
            if len(data.Y) <= 2 * data.n_pre else None
        fit["extras"]["placebo_in_time"] = None if nearest not in in_time else {
            "start": nearest, "end": str(data.Y.index[data.n_pre - 1]),
            "att": float(in_time[nearest][0])}
    post = data.post
    effect_nat = data.to_natural(fit["effect"])
    observed = data.observed.to_numpy(float)
    counterfactual = observed - effect_nat
    factor = data.count_factor
    average = float(fit["estimate"]) * factor
    ci = None if ci_scaled is None else (ci_scaled[0] * factor, ci_scaled[1] * factor)
    n_post = int(post.sum())
    rel = rel_ci = None
    if data.kind == "count":
        # relative effect Σ effect / Σ counterfactual with Σ counterfactual = Σ observed − n·δ:
        # monotone in the average effect δ, so the interval of δ maps end to end (the
        # counterfactual moves with δ; it is not held fixed)
        s_obs = float(observed[post].sum())

        def relative(delta: float) -> float:
            cf_sum = s_obs - delta * n_post
            return delta * n_post / cf_sum if cf_sum > 0 else float("inf")

        if s_obs - average * n_post > 0:
            rel = relative(average)
            rel_ci = None if ci is None else (relative(ci[0]), relative(ci[1]))
    frame = pd.DataFrame({"observed": observed, "counterfactual": counterfactual,
                          "effect": effect_nat, "post": post}, index=data.Y.index)
    frame.index.name = "period"
    pool_dict = pool.to_dict() if hasattr(pool, "to_dict") else None
    diagnostics: dict[str, Any] = {
        "n_donors": len(data.donors),
        "donors": list(data.donors),
        "donor_pool": pool_dict,
        "n_pre": data.n_pre,
        "n_post": n_post,
        "scale": "per 1000 inhabitants" if data.kind == "count" else data.kind,
        "studentising_scale": scale,
        # the design's own pre-period fit error (shown; not used for inference: it collapses
        # when a design fits the pre-period perfectly)
        "pre_fit_error": fit["scale"],
        "estimate_on_fitting_scale": float(fit["estimate"]),
        "placebo_estimates": {u: float(v) for u, v in zip(fit["placebo_units"], fit["placebo"],
                                                          strict=True)},
        "placebo_scales": {u: float(v) for u, v in zip(fit["placebo_units"], placebo_scale,
                                                       strict=True)},
        # each placebo unit's post-period mean on the fitting scale (for relative power steps)
        "placebo_levels": {u: float(data.Y[u].to_numpy()[post].mean())
                           for u in fit["placebo_units"]},
        "n_placebo": n_placebo,
        # a permutation (rank) test over N placebos can never give a one-sided p below 1/(N+1)
        # (two-sided 2/(N+1)); below 19 placebos it cannot reach 5 % and the interval rests on
        # the t model of the placebo variance
        "min_p_value": min(1.0, 2.0 / (n_placebo + 1)),
        "permutation_min_p": min(1.0, 1.0 / (n_placebo + 1)),
        "model_based": method == "placebo_variance_t" and n_placebo + 1 < 1 / (1 - ci_level),
        "min_units_needed": need,
        "inference": method if ci is not None else None,
        # the treated unit's own estimates at earlier placebo dates (on the fitting scale, like
        # the leave-one-out estimates) and whether they widened the interval (its
        # placebo-in-space interval, in natural units, kept for the record)
        "in_time_estimates": {k: float(v[0]) for k, v in in_time.items()},
        "in_time_widened": bool(widened),
        "ci_in_space": None if ci_space is None else (ci_space[0] * factor,
                                                      ci_space[1] * factor),
        "not_testable_reason": None if ci is not None else (
            f"{n_placebo} comparison units: at least 2 are needed for a placebo interval"),
        "not_testable_reason_sv": None if ci is not None else (
            f"{n_placebo} jämförelseenheter: minst 2 behövs för ett placebointervall"),
        **fit["extras"],
    }
    first_post = str(data.Y.index[data.n_pre])
    return EffectResult(
        design=design,
        outcome=outcome,
        kind=data.kind,
        unit=measure_info(outcome).effect_unit,
        treated=treated,
        treated_name=data.names.get(treated, treated),
        intervention=first_post,
        post_window=(first_post, str(data.Y.index[-1])),
        frame=frame,
        average_effect=average,
        ci=ci,
        p_value=p_value,
        p_value_method=method if ci is not None else "not_testable",
        cumulative_effect=float(effect_nat[post].sum()),
        cumulative_ci=None if ci is None else (ci[0] * n_post, ci[1] * n_post),
        relative_effect=rel,
        relative_ci=rel_ci,
        ci_level=ci_level,
        weights=fit["weights"],
        diagnostics=diagnostics,
    )


def synthetic_control(panel: pd.DataFrame, **kwargs: Any) -> EffectResult:
    """Synthetic control (simplex weights on the pre-period outcomes); see
    :func:`comparison_group_design`."""
    return comparison_group_design(panel, design="synthetic_control", **kwargs)


def did(panel: pd.DataFrame, **kwargs: Any) -> EffectResult:
    """Two-way fixed effects difference-in-differences against the donor pool."""
    return comparison_group_design(panel, design="did", **kwargs)


def synthetic_did(panel: pd.DataFrame, **kwargs: Any) -> EffectResult:
    """Synthetic difference-in-differences (Arkhangelsky et al. 2021)."""
    return comparison_group_design(panel, design="sdid", **kwargs)


# =========================================================================== registration
def _declare(name: str, order: int) -> Any:
    """A comparison-group design as the registry sees it (one entry per design name)."""
    from evaluation.designs.registry import Design, shifted

    def estimate(ctx: Any) -> EffectResult:
        return comparison_group_design(ctx.panel, design=name, outcome=ctx.outcome,
                                       treated=ctx.treated, intervention=ctx.intervention,
                                       post_end=ctx.post_end, donors=ctx.donors,
                                       ci_level=ctx.ci_level)

    def rerun(result: EffectResult, data: pd.DataFrame, *, unit: str, shift: int,
              comparison: Any = "riket") -> EffectResult:
        # the same pool; a comparison kommun playing the treated one swaps places with it
        donors = [str(u) for u in result.diagnostics.get("donors") or []]
        pool = donors if unit == result.treated else [
            result.treated, *(d for d in donors if d != unit)]
        return comparison_group_design(
            data, design=name, outcome=result.outcome, treated=unit,
            intervention=shifted(result.intervention, shift),
            post_end=shifted(result.post_window[1], shift), donors=pool,
            ci_level=result.ci_level)

    def run_at(panel: pd.DataFrame, *, outcome: str, unit: str, date: str, post_end: str,
               comparison: Any = "riket") -> EffectResult:
        # donors: every other unit of the same type (kommuner, or län on the county panel)
        return comparison_group_design(panel, design=name, outcome=outcome, treated=unit,
                                       intervention=date, post_end=post_end)

    def point(ctx: Any) -> float:
        """The average effect alone (one fit, no placebo inference), natural units."""
        pool = ctx.donors
        donors = list(getattr(pool, "members", pool)) if pool is not None else None
        data = wide_data(ctx.panel, outcome=ctx.outcome, treated=ctx.treated,
                         intervention=ctx.intervention, post_end=ctx.post_end, donors=donors)
        return point_estimate(data.Y, data.treated, data.donors, data.n_pre,
                              name) * data.count_factor

    def figures(result: EffectResult, *, language: str = "sv",
                simulated: bool = False) -> list:
        from evaluation.report import figures as fig

        out = [("", fig.observed_vs_counterfactual(result, language=language,
                                                   simulated=simulated))]
        if name == "synthetic_control":
            out.append(("_placebo", fig.placebo_gaps(result, language=language,
                                                     simulated=simulated)))
        elif name == "did" and result.diagnostics.get("event_study"):
            out.append(("_eventstudie", fig.event_study(result, language=language,
                                                        simulated=simulated)))
        else:
            out.append(("_effekt", fig.effect_path(result, language=language,
                                                   simulated=simulated)))
        return out

    return Design(name=name, order=order, estimate=estimate, rerun=rerun, run_at=run_at,
                  figures=figures, method_key=name, needs_donors=True, point=point)


DESIGNS = (_declare("synthetic_control", 30), _declare("did", 40), _declare("sdid", 50))
