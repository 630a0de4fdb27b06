"""Staggered adoption: difference-in-differences with many cohorts (Callaway & Sant'Anna 2021).

Kommuner that adopt the same reform in different years (e.g. Kolada KPI U40826 switching
0 → 1) form *cohorts* g = the first treated year. Every cohort is compared with kommuner that
are not treated (never, or not yet): the national trend is what the comparison units did over
the same years, and the group-time effect ATT(g, t) is the cohort's change from its base year
to year t minus the comparison units' change.

References
    Callaway B, Sant'Anna PHC. Difference-in-differences with multiple time periods.
    *Journal of Econometrics* 2021;225(2):200–230 (the ATT(g,t), the aggregations, the
    influence-function inference).
    Sant'Anna PHC, Zhao J. Doubly robust difference-in-differences estimators.
    *Journal of Econometrics* 2020;219(1):101–122 (the 2 × 2 estimators of each cell).

Estimator of one cell ATT(g, t) (panel data, unit weights 1)
    Units: cohort g (D = 1) and the comparison units (D = 0): never treated (``control="never"``)
    or, with ``control="notyet"``, also the units first treated after max(t, base year) and not
    in cohort g. ΔY = Y_t − Y_base; covariates X (with an intercept) are taken in the earlier of
    the two years (the base year), as R ``did`` does with panel data.

    * ``"reg"`` — outcome regression (``DRDID::reg_did_panel``): OLS of ΔY on X among the
      comparison units; ATT = mean over cohort g of ΔY − X β̂.
    * ``"ipw"`` — normalised (Hájek) inverse-probability weighting (``DRDID::std_ipw_did_panel``):
      logit propensity p(X) of being in cohort g; comparison units weighted p/(1 − p), both
      weighted means normalised to sum to one.
    * ``"dr"`` (default) — the locally efficient doubly robust estimator with a logit propensity
      and an OLS outcome model (``DRDID::drdid_panel``, Sant'Anna & Zhao's τ^dr,p). This is what
      R ``did::att_gt(est_method = "dr")`` calls for panel data (``compute.att_gt.R`` and
      ``compute.att_gt2.R`` of did 2.5.1 call ``drdid_panel``, not ``drdid_imp_panel``).
    * ``"dr_imp"`` — Sant'Anna & Zhao's "improved" doubly robust estimator
      (``DRDID::drdid_imp_panel``, the default of ``DRDID::drdid``): the propensity score is
      fitted by the calibration (inverse probability tilting) loss of Graham et al. / Tan,
      the outcome model by OLS weighted by p/(1 − p), which makes the estimator's influence
      function free of estimation effects. Identical to ``"dr"`` without covariates.

    Each estimator's influence function (the asymptotically linear representation, including
    the estimation effect of the propensity score and the regression coefficients) is computed
    for the units of the cell and scaled by n/n₁ (n all units, n₁ the units in the cell), so
    the standard error of any linear combination of cells is sqrt(Σ_i ψ_i²)/n (R's
    ``bstrap = FALSE`` analytic standard errors; the unit is the only cluster). Propensity
    scores are capped at 1 − 10⁻⁶ and comparison units with p ≥ 0.995 get weight 0 (DRDID's
    trimming); a cell whose fitted propensity reaches 0.999 (no overlap) is an error.

Base period
    ``"varying"`` (R's default): before the cohort's first year, ATT(g, t) compares t with t − 1
    (placebo steps); from the first year on, t with g − 1 (the last year before the cohort's
    start). ``"universal"``: every cell compares with g − 1 and ATT(g, g − 1) = 0.

Aggregations (R ``did::aggte``). The cohort-size weights P(G = g) are estimated, so their
influence function is added wherever cohorts are weighted by size: the simple ATT, the group
overall, and every event-time and calendar-year element (the dynamic and calendar overalls are
plain means of those elements).
    * ``simple`` — all post-treatment ATT(g, t) weighted by cohort size;
    * ``group`` — per cohort the mean of its post ATT(g, t); overall the cohort-size weighted
      mean of those;
    * ``dynamic`` — per event time e = t − g the cohort-size weighted mean of ATT(g, g + e),
      pre-periods included (e < 0); overall the mean over e ≥ 0;
    * ``calendar`` — per year the cohort-size weighted mean of the post ATT(g, t); overall the
      mean over those years.
    ``pretest`` is R's Wald test that all pre-treatment ATT(g, t) are zero (reported, not a gate).

Data rules
    The panel must be balanced in the outcome (and the covariates); units with missing years are
    named in the error, or dropped with ``unbalanced="drop"`` (R's default behaviour) and listed in
    ``excluded``. ``first_treated`` 0 or ∞ means never treated, and a first year after the last
    year of the panel counts as never treated in the panel (as in R). A cohort starting in or
    before the first year has no pre-period: an error, or dropped with ``no_pre_period="exclude"``
    (R drops them with a warning). With ``control="never"`` never-treated units are required
    (R instead warns and turns the last cohort into the comparison group); with
    ``control="notyet"`` and no never-treated unit the years from the last cohort's first year on
    are dropped and that cohort serves only as comparison (as R does).
    :func:`adoption_from_flags` turns a yearly 0/1 flag panel into first-treated years and
    excludes always-treated and switch-back (1 → 0) units with a reason in Swedish and English.

Entry points
    :func:`estimate_staggered` (long table) → :class:`StaggeredResult`; :func:`staggered_from_wide`
    (units × years matrix, the numerical core); :func:`adoption_from_flags`;
    :func:`multiplier_bootstrap` (bootstrap SEs and uniform bands, seeded);
    :func:`place_unit` (one kommun's own estimate among the cohorts' effects, for its report).
    Without covariates the four estimators coincide and the cell is computed in closed form
    (difference of mean changes and its influence function).

Why an own implementation
    The Python port ``csdid`` (PyPI) lists ``plotnine`` and ``twine`` among its runtime
    dependencies (``install_requires``), which is not acceptable for this tool, and ``pyfixest``
    is not installable here. The formulas follow the papers; R ``did`` 2.5.1 / ``DRDID`` source
    was read for the exact conventions (the n/n₁ scaling, the trimming, the base periods, the
    aggregation weights and their influence function) and the code written from scratch on
    numpy/scipy. Validation (``tests/designs/test_staggered.py``): R ``did`` 2.5.1 reproduced to
    ≤ 1e-9 on ``mpdta`` (never/not-yet × dr/ipw/reg, ``~lpop``; every ATT(g,t), aggregation and
    the pre-test), on csdid's simulated panels with a covariate (never/not-yet × dr/reg) and
    with ``base_period="universal"``; simulated coverage and placebo rejection.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd

from evaluation.errors import DesignError

Control = Literal["never", "notyet"]
Method = Literal["dr", "ipw", "reg", "dr_imp"]
BasePeriod = Literal["varying", "universal"]
AggregateKind = Literal["simple", "group", "dynamic", "calendar"]

CONTROLS: tuple[str, ...] = ("never", "notyet")
METHODS: tuple[str, ...] = ("dr", "ipw", "reg", "dr_imp")
BASE_PERIODS: tuple[str, ...] = ("varying", "universal")
KINDS: tuple[str, ...] = ("simple", "group", "dynamic", "calendar")

PS_CAP = 1 - 1e-6
"""Propensity scores are capped here before dividing by 1 − p (DRDID)."""
TRIM_LEVEL = 0.995
"""Comparison units with a propensity score at or above this get weight 0 (DRDID's trim.level)."""
OVERLAP_LIMIT = 0.999
"""A cell whose largest fitted propensity score reaches this violates overlap (R ``did``)."""
_SE_FLOOR = math.sqrt(np.finfo(float).eps) * 10
"""Standard errors at or below this are reported as missing (R ``did``)."""
_MAX_LISTED = 8


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Exclusion:
    """Why a unit was left out: a short code and one sentence in Swedish and English.

    Codes: ``always_treated``, ``switch_back``, ``adoption_year_unknown``, ``no_flag`` (from
    :func:`adoption_from_flags`), ``no_pre_period``, ``unbalanced``, ``excluded_by_caller``.
    """

    code: str
    sv: str
    en: str

    def text(self, language: str = "sv") -> str:
        return self.en if language == "en" else self.sv

    def __str__(self) -> str:
        return self.sv


@dataclass
class Aggregate:
    """One aggregation of the ATT(g, t).

    ``att``/``se``/``ci_low``/``ci_high`` are the overall value; :attr:`table` holds the
    elements (column ``group``, ``event_time`` or ``period`` plus ``att, se, ci_low, ci_high``),
    None for ``simple``. ``influence`` is the overall value's influence function per unit (ψ_i,
    so that se = sqrt(Σψ²)/n), in the order of :attr:`StaggeredResult.units`;
    ``element_influence`` the elements' (units × elements).
    """

    kind: str
    att: float
    se: float
    ci_low: float
    ci_high: float
    key: str | None = None
    keys: np.ndarray | None = field(default=None, repr=False)
    values: np.ndarray | None = field(default=None, repr=False)
    ses: np.ndarray | None = field(default=None, repr=False)
    z: float = field(default=math.nan, repr=False)
    influence: np.ndarray | None = field(default=None, repr=False)
    element_influence: np.ndarray | None = field(default=None, repr=False)

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    @property
    def table(self) -> pd.DataFrame | None:
        """The elements: ``<key>, att, se, ci_low, ci_high`` (built on access)."""
        if self.key is None:
            return None
        return pd.DataFrame({self.key: self.keys.astype(np.int64), "att": self.values,
                             "se": self.ses, "ci_low": self.values - self.z * self.ses,
                             "ci_high": self.values + self.z * self.ses})

    def to_frame(self) -> pd.DataFrame:
        """The elements and the overall value (last row, key ``"overall"``) in one table."""
        overall = pd.DataFrame({"key": ["overall"], "att": [self.att], "se": [self.se],
                                "ci_low": [self.ci_low], "ci_high": [self.ci_high]})
        if self.table is None:
            return overall
        elements = self.table.rename(columns={self.table.columns[0]: "key"})
        return pd.concat([elements, overall], ignore_index=True)


@dataclass
class Pretest:
    """Wald test that every pre-treatment ATT(g, t) is zero (R ``att_gt``'s ``W``, ``Wpval``)."""

    statistic: float
    df: int
    p_value: float


@dataclass
class StaggeredResult:
    """Group-time effects and their aggregations.

    Attributes
    ----------
    att_gt
        One row per cell: ``group, period, event_time, base_period, post, att, se, ci_low,
        ci_high, n_treated, n_control``.
    simple, group, dynamic, calendar
        The four :class:`Aggregate` values (R ``aggte`` types).
    pretest
        Wald test of the pre-treatment cells, None when there is none.
    excluded
        Unit → :class:`Exclusion` for every unit left out (including those passed in).
    n_units
        Units used (cohorts + comparison units).
    cohorts
        ``group, n_units, share`` per estimated cohort (share of all units used: the weight
        P(G = g) of the aggregations).
    n_never_treated
        Never-treated units used.
    units
        Unit labels in the row order of :attr:`influence` and of each aggregate's influence.
    influence
        n × (cells) matrix of the cells' influence functions (columns in ``att_gt`` order).
    notes
        Sentences (sv, en) on what was adjusted, e.g. years dropped without never-treated units.
    """

    att_gt: pd.DataFrame
    simple: Aggregate
    group: Aggregate
    dynamic: Aggregate
    calendar: Aggregate
    pretest: Pretest | None
    excluded: dict[Hashable, Exclusion]
    n_units: int
    cohorts: pd.DataFrame
    n_never_treated: int
    periods: list[int]
    control: str
    method: str
    base_period: str
    alpha: float
    covariates: tuple[str, ...]
    units: list[Hashable] = field(repr=False)
    influence: np.ndarray = field(repr=False)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def aggregate(self, kind: AggregateKind) -> Aggregate:
        """The aggregation ``kind``: ``"simple"``, ``"group"``, ``"dynamic"`` or ``"calendar"``."""
        if kind not in KINDS:
            raise DesignError(
                f"Aggregeringen '{kind}' finns inte: välj en av {', '.join(KINDS)}.",
                f"The aggregation '{kind}' does not exist: choose one of {', '.join(KINDS)}.")
        return getattr(self, kind)

    def to_frame(self) -> pd.DataFrame:
        """The ATT(g, t) table."""
        return self.att_gt.copy()

    def summary(self) -> str:
        """A few plain lines: the setting, the simple ATT and the overall aggregations."""
        level = round(100 * (1 - self.alpha))
        lines = [
            f"Staggered DiD (Callaway & Sant'Anna), method={self.method}, "
            f"control={self.control}, base_period={self.base_period}",
            f"units {self.n_units} (never treated {self.n_never_treated}), cohorts "
            + ", ".join(f"{g} (n={n})" for g, n in zip(self.cohorts.group, self.cohorts.n_units))
            + (f", excluded {len(self.excluded)}" if self.excluded else ""),
        ]
        for kind in KINDS:
            a = self.aggregate(kind)
            lines.append(f"{kind:>8}: {a.att: .4f} (SE {a.se:.4f}; {level} % CI "
                         f"{a.ci_low: .4f} … {a.ci_high: .4f})")
        if self.pretest is not None:
            lines.append(f"pre-test: W = {self.pretest.statistic:.3f}, df = {self.pretest.df}, "
                         f"p = {self.pretest.p_value:.4f}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return "<pre>" + self.summary() + "</pre>" + self.att_gt.to_html(index=False)


# --------------------------------------------------------------------------- helpers
def _listed(items: Sequence[Any]) -> str:
    shown = ", ".join(str(x) for x in list(items)[:_MAX_LISTED])
    return shown + (f" (+{len(items) - _MAX_LISTED})" if len(items) > _MAX_LISTED else "")


def _as_periods(values: pd.Series, what_sv: str, what_en: str) -> pd.Series:
    """Integer periods from ints, floats with integer values or 'YYYY' strings."""
    if pd.api.types.is_numeric_dtype(values):
        numeric = values.astype(float)
    else:
        numeric = pd.to_numeric(values.astype(str).str.strip(), errors="coerce")
    bad = values[numeric.isna() | (numeric % 1 != 0)]
    if len(bad):
        raise DesignError(
            f"{what_sv} måste vara hela år (t.ex. 2019) men har värdena {_listed(bad.unique())}: "
            "använd årliga perioder.",
            f"{what_en} must be whole years (e.g. 2019) but has the values "
            f"{_listed(bad.unique())}: use yearly periods.")
    return numeric.astype(np.int64)


def _check_columns(panel: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(panel, pd.DataFrame):
        raise TypeError("panel must be a pandas DataFrame")
    missing = [c for c in columns if c not in panel.columns]
    if missing:
        raise DesignError(
            f"Tabellen saknar kolumnerna {_listed(missing)}: ange rätt kolumnnamn.",
            f"The table lacks the columns {_listed(missing)}: give the right column names.")


def _check_choice(value: str, choices: Sequence[str], name: str) -> None:
    if value not in choices:
        raise DesignError(
            f"'{name}' är '{value}' men måste vara en av {', '.join(choices)}: ändra värdet.",
            f"'{name}' is '{value}' but must be one of {', '.join(choices)}: change the value.")


def _unbalanced(units: Sequence[Any]) -> DesignError:
    return DesignError(
        f"Panelen är inte balanserad eftersom {_listed(units)} saknar värden för några år: "
        "komplettera dem eller ange unbalanced=\"drop\" för att utesluta dem.",
        f"The panel is not balanced because {_listed(units)} lack values for some years: "
        "complete them or pass unbalanced=\"drop\" to exclude them.")


def _missing_first(units: Sequence[Any]) -> DesignError:
    return DesignError(
        f"Första behandlingsår saknas för {_listed(units)}: ange 0 för enheter som aldrig "
        "behandlas.",
        f"The first treated year is missing for {_listed(units)}: give 0 for units that are "
        "never treated.")


# --------------------------------------------------------------------------- adoption
def adoption_from_flags(
    flags: pd.DataFrame, *, unit: str, period: str, flag: str
) -> tuple[pd.Series, dict[Hashable, Exclusion]]:
    """First treated year per unit from a yearly 0/1 flag panel (0 = never treated).

    Parameters
    ----------
    flags
        Long table with one row per unit and year, e.g. Kolada KPI U40826 (1 = the kommun has
        the organisational form that year). Missing flags are skipped: a unit whose observed
        flags are all 0 counts as never treated, one with no observed flag is excluded.
    unit, period, flag
        Column names.

    Returns
    -------
    first_treated
        Series indexed by unit (name ``first_treated``): the first year with flag 1 after at
        least one observed 0, or 0 for units never flagged. Excluded units are not in it.
    excluded
        Unit → :class:`Exclusion`: ``always_treated`` (flag 1 already in its first observed year:
        no year before adoption), ``switch_back`` (a 1 followed by a 0: the design assumes that
        adoption is not reversed), ``adoption_year_unknown`` (missing years between the last
        0 and the first 1) and ``no_flag`` (no observed flag at all).
    """
    _check_columns(flags, [unit, period, flag])
    frame = flags[[unit, period, flag]].copy()
    frame["_period"] = _as_periods(frame[period], f"Kolumnen '{period}'", f"The column '{period}'")
    dup = frame.duplicated([unit, "_period"], keep=False)
    if dup.any():
        raise DesignError(
            f"Flaggtabellen har flera rader för samma enhet och år (t.ex. "
            f"{_listed(frame.loc[dup, unit].unique())}): behåll en rad per enhet och år.",
            f"The flag table has several rows for the same unit and year (e.g. "
            f"{_listed(frame.loc[dup, unit].unique())}): keep one row per unit and year.")
    values = pd.to_numeric(frame[flag], errors="coerce")
    bad = frame.loc[(values.isna() & frame[flag].notna())
                    | (values.notna() & ~values.isin([0, 1])), flag]
    if len(bad):
        shown = _listed([repr(v) for v in bad.unique()])
        raise DesignError(
            f"Flaggan '{flag}' får bara vara 0 eller 1 men har värdena {shown}: koda om den "
            "till 0/1.",
            f"The flag '{flag}' may only be 0 or 1 but has the values {shown}: recode it to 0/1.")
    frame["_flag"] = values
    grid = np.sort(frame["_period"].unique())
    position = {p: i for i, p in enumerate(grid)}

    first: dict[Hashable, int] = {}
    excluded: dict[Hashable, Exclusion] = {}
    for code, rows in frame.sort_values("_period").groupby(unit, sort=True):
        seen = rows.dropna(subset=["_flag"])
        years = seen["_period"].to_numpy()
        f = seen["_flag"].to_numpy().astype(int)
        if len(f) == 0:
            excluded[code] = Exclusion(
                "no_flag", f"{code} saknar värden för flaggan och lämnas utanför.",
                f"{code} has no values of the flag and is left out.")
            continue
        if not f.any():
            first[code] = 0
            continue
        k = int(np.argmax(f == 1))
        start = int(years[k])
        if k == 0:
            excluded[code] = Exclusion(
                "always_treated",
                f"{code} har reformen redan första året den finns i data ({start}), så det finns "
                "inget år före införandet att jämföra med.",
                f"{code} has the reform already in its first year in the data ({start}), so "
                "there is no year before adoption to compare with.")
            continue
        back = np.flatnonzero(f[k:] == 0)
        if len(back):
            year = int(years[k + back[0]])
            excluded[code] = Exclusion(
                "switch_back",
                f"{code} införde reformen {start} men lämnade den {year}; designen förutsätter "
                "att ett införande består.",
                f"{code} adopted the reform in {start} but left it in {year}; the design "
                "assumes that adoption is not reversed.")
            continue
        last_zero = int(years[k - 1])
        if position[start] - position[last_zero] > 1:
            excluded[code] = Exclusion(
                "adoption_year_unknown",
                f"{code} saknar värden mellan {last_zero} (0) och {start} (1), så införandeåret "
                "är okänt.",
                f"{code} has no values between {last_zero} (0) and {start} (1), so the year of "
                "adoption is unknown.")
            continue
        first[code] = start
    series = pd.Series(first, name="first_treated", dtype=np.int64)
    series.index.name = unit
    return series, excluded


# --------------------------------------------------------------------------- 2x2 estimators
def _expit(index: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(index, -35, 35)))


def _logit(X: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Logit MLE by Newton–Raphson; (fitted probabilities, coefficients, converged).

    X holds the intercept in its first column."""
    beta = np.zeros(X.shape[1])
    beta[0] = math.log(D.mean() / (1 - D.mean()))
    if X.shape[1] == 1:  # intercept only: the MLE is the share treated
        return np.full(len(D), D.mean()), beta, True
    for _ in range(100):
        p = _expit(X @ beta)
        H = X.T @ ((p * (1 - p))[:, None] * X)
        step = np.linalg.solve(H, X.T @ (D - p))
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            return _expit(X @ beta), beta, True
    return _expit(X @ beta), beta, False


def _calibrated_ps(X: np.ndarray, D: np.ndarray) -> np.ndarray:
    """Propensity score by the calibration loss mean(−D·x'γ + (1 − D)·exp(x'γ)) (Tan 2020;
    DRDID ``pscore.cal``): the comparison units' weights exp(x'γ) = p/(1 − p) reproduce the
    cohort's covariate totals exactly. Newton with step halving from the logit estimate."""
    _, gamma, _ = _logit(X, D)

    def loss(g: np.ndarray) -> float:
        idx = np.clip(X @ g, -35, 35)
        return float(np.mean(-D * idx + (1 - D) * np.exp(idx)))

    current = loss(gamma)
    for _ in range(200):
        e = np.exp(np.clip(X @ gamma, -35, 35))
        grad = X.T @ (-D + (1 - D) * e) / len(D)
        H = X.T @ (((1 - D) * e)[:, None] * X) / len(D)
        step = np.linalg.solve(H, grad)
        t = 1.0
        while t > 1e-8:
            trial = gamma - t * step
            value = loss(trial)
            if value <= current + 1e-14:
                break
            t /= 2
        gamma, current = trial, value
        if np.max(np.abs(t * step)) < 1e-10:
            break
    return _expit(X @ gamma)


class _CellError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _att_reg(dy: np.ndarray, D: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    n = len(D)
    c = D == 0
    XtX = X[c].T @ X[c]
    if np.linalg.cond(XtX) > 1 / np.finfo(float).eps:
        raise _CellError("singular")
    beta = np.linalg.solve(XtX, X[c].T @ dy[c])
    out = X @ beta
    mD = D.mean()
    eta_t = np.mean(D * dy) / mD
    eta_c = np.mean(D * out) / mD
    att = eta_t - eta_c
    lin_ols = (((1 - D) * (dy - out))[:, None] * X) @ np.linalg.inv(XtX / n)
    M1 = np.mean(D[:, None] * X, axis=0)
    inf_treat = D * (dy - eta_t) / mD
    inf_cont = (D * (out - eta_c) + lin_ols @ M1) / mD
    return att, inf_treat - inf_cont


def _propensity(X: np.ndarray, D: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logit fit with R ``did``'s overlap check; (capped p, trim indicator, linear rep.)."""
    p, _, converged = _logit(X, D)
    if not converged or p.max() >= OVERLAP_LIMIT:
        raise _CellError("overlap")
    p = np.minimum(p, PS_CAP)
    trim = np.where(D == 1, 1.0, (p < TRIM_LEVEL).astype(float))
    n = len(D)
    H = X.T @ ((p * (1 - p))[:, None] * X)
    lin_ps = ((D - p)[:, None] * X) @ (np.linalg.inv(H) * n)
    return p, trim, lin_ps


def _att_ipw(dy: np.ndarray, D: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    p, trim, lin_ps = _propensity(X, D)
    w_t = trim * D
    w_c = trim * p * (1 - D) / (1 - p)
    eta_t = np.mean(w_t * dy) / w_t.mean()
    eta_c = np.mean(w_c * dy) / w_c.mean()
    inf_treat = w_t * (dy - eta_t) / w_t.mean()
    M2 = np.mean((w_c * (dy - eta_c))[:, None] * X, axis=0)
    inf_cont = (w_c * (dy - eta_c) + lin_ps @ M2) / w_c.mean()
    return eta_t - eta_c, inf_treat - inf_cont


def _att_dr(dy: np.ndarray, D: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    n = len(D)
    p, trim, lin_ps = _propensity(X, D)
    c = D == 0
    XtX = X[c].T @ X[c]
    if np.linalg.cond(XtX) > 1 / np.finfo(float).eps:
        raise _CellError("singular")
    beta = np.linalg.solve(XtX, X[c].T @ dy[c])
    resid = dy - X @ beta
    w_t = trim * D
    w_c = trim * p * (1 - D) / (1 - p)
    eta_t = np.mean(w_t * resid) / w_t.mean()
    eta_c = np.mean(w_c * resid) / w_c.mean()
    lin_ols = (((1 - D) * resid)[:, None] * X) @ np.linalg.inv(XtX / n)
    M1 = np.mean(w_t[:, None] * X, axis=0)
    M2 = np.mean((w_c * (resid - eta_c))[:, None] * X, axis=0)
    M3 = np.mean(w_c[:, None] * X, axis=0)
    inf_treat = (w_t * (resid - eta_t) - lin_ols @ M1) / w_t.mean()
    inf_cont = (w_c * (resid - eta_c) + lin_ps @ M2 - lin_ols @ M3) / w_c.mean()
    return eta_t - eta_c, inf_treat - inf_cont


def _att_dr_imp(dy: np.ndarray, D: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    p0, _, converged = _logit(X, D)
    if not converged or p0.max() >= OVERLAP_LIMIT:
        raise _CellError("overlap")
    p = np.minimum(_calibrated_ps(X, D) if X.shape[1] > 1 else p0, PS_CAP)
    trim = np.where(D == 1, 1.0, (p < TRIM_LEVEL).astype(float))
    c = D == 0
    odds = p / (1 - p)
    XtWX = X[c].T @ (odds[c][:, None] * X[c])
    if np.linalg.cond(XtWX) > 1 / np.finfo(float).eps:
        raise _CellError("singular")
    beta = np.linalg.solve(XtWX, X[c].T @ (odds[c] * dy[c]))
    summand = trim * (1 - (1 - D) / (1 - p)) * (dy - X @ beta)
    mD = D.mean()
    att = summand.mean() / mD
    return att, trim * (summand - D * att) / mD


def _att_unconditional(dy: np.ndarray, D: np.ndarray) -> tuple[float, np.ndarray]:
    """Without covariates all four estimators reduce to the difference of mean changes
    (the logit MLE is the share treated, the regression the comparison mean); this is their
    common value and influence function, computed directly."""
    share = D.mean()
    if share >= TRIM_LEVEL:  # every comparison unit would be trimmed
        raise _CellError("overlap")
    c = D == 0
    m_t, m_c = dy[~c].mean(), dy[c].mean()
    return m_t - m_c, np.where(c, -(dy - m_c) / (1 - share), (dy - m_t) / share)


_ESTIMATORS = {"reg": _att_reg, "ipw": _att_ipw, "dr": _att_dr, "dr_imp": _att_dr_imp}


# --------------------------------------------------------------------------- aggregation
def _weights_if(keep: np.ndarray, pg: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Influence function of the estimated weights pg[keep]/Σpg[keep] (n × len(keep)).

    ``member`` is the n × cells indicator 1{G_i = g(cell)}; pg the cells' P(G = g).
    """
    centred = member[:, keep] - pg[keep]
    total = pg[keep].sum()
    return centred / total - centred.sum(axis=1, keepdims=True) * (pg[keep] / total**2)


def _se(psi: np.ndarray) -> float:
    se = math.sqrt(float(np.sum(psi**2))) / len(psi)
    return se if se > _SE_FLOOR else math.nan


def _combine(att: np.ndarray, inf: np.ndarray, keep: np.ndarray, weights: np.ndarray,
             wif: np.ndarray | None) -> tuple[float, np.ndarray]:
    value = float(np.sum(att[keep] * weights))
    psi = inf[:, keep] @ weights
    if wif is not None:
        psi = psi + wif @ att[keep]
    return value, psi


def _aggregate(kind: str, att: np.ndarray, inf: np.ndarray, g: np.ndarray, t: np.ndarray,
               pg: np.ndarray, member: np.ndarray, z: float) -> Aggregate:
    post = g <= t

    def overall(value: float, psi: np.ndarray, key: str | None = None,
                keys: np.ndarray | None = None, values: np.ndarray | None = None,
                psis: np.ndarray | None = None) -> Aggregate:
        se = _se(psi)
        ses = None if psis is None else np.array([_se(p) for p in psis.T])
        return Aggregate(kind, value, se, value - z * se, value + z * se, key, keys, values,
                         ses, z, psi, psis)

    if kind == "simple":
        keep = np.flatnonzero(post)
        value, psi = _combine(att, inf, keep, pg[keep] / pg[keep].sum(),
                              _weights_if(keep, pg, member))
        return overall(value, psi)

    if kind == "group":
        groups = np.unique(g)
        values, psis = [], []
        for gg in groups:
            keep = np.flatnonzero((g == gg) & post)
            v, psi = _combine(att, inf, keep, np.full(len(keep), 1 / len(keep)), None)
            values.append(v)
            psis.append(psi)
        values_a, psi_g = np.array(values), np.column_stack(psis)
        # one column per cohort: its P(G = g) and membership indicator
        first = np.array([np.flatnonzero(g == gg)[0] for gg in groups])
        pgg, member_g = pg[first], member[:, first]
        all_g = np.arange(len(groups))
        value, psi = _combine(values_a, psi_g, all_g, pgg / pgg.sum(),
                              _weights_if(all_g, pgg, member_g))
        return overall(value, psi, "group", groups, values_a, psi_g)

    if kind == "dynamic":
        e_all = t - g
        events = np.unique(e_all)
        values, psis = [], []
        for e in events:
            keep = np.flatnonzero(e_all == e)
            v, psi = _combine(att, inf, keep, pg[keep] / pg[keep].sum(),
                              _weights_if(keep, pg, member))
            values.append(v)
            psis.append(psi)
        values_a, psi_e = np.array(values), np.column_stack(psis)
        pos = np.flatnonzero(events >= 0)
        value, psi = _combine(values_a, psi_e, pos, np.full(len(pos), 1 / len(pos)), None)
        return overall(value, psi, "event_time", events, values_a, psi_e)

    if kind == "calendar":
        periods = np.unique(t[post])
        values, psis = [], []
        for tt in periods:
            keep = np.flatnonzero((t == tt) & post)
            v, psi = _combine(att, inf, keep, pg[keep] / pg[keep].sum(),
                              _weights_if(keep, pg, member))
            values.append(v)
            psis.append(psi)
        values_a, psi_t = np.array(values), np.column_stack(psis)
        all_t = np.arange(len(periods))
        value, psi = _combine(values_a, psi_t, all_t, np.full(len(periods), 1 / len(periods)),
                              None)
        return overall(value, psi, "period", periods, values_a, psi_t)
    raise AssertionError(kind)


def _pretest(att: np.ndarray, inf: np.ndarray, pre: np.ndarray) -> Pretest | None:
    keep = np.flatnonzero(pre)
    if len(keep) == 0:
        return None
    n = inf.shape[0]
    V = inf[:, keep].T @ inf[:, keep] / n
    if np.linalg.cond(V) > 1 / np.finfo(float).eps:
        return None
    b = att[keep]
    W = float(n * b @ np.linalg.solve(V, b))
    from scipy import special

    return Pretest(W, len(keep), float(special.chdtrc(len(keep), W)))


# --------------------------------------------------------------------------- main
def estimate_staggered(
    panel: pd.DataFrame,
    *,
    unit: str,
    period: str,
    outcome: str,
    first_treated: str | pd.Series,
    covariates: Sequence[str] = (),
    control: Control = "never",
    method: Method = "dr",
    base_period: BasePeriod = "varying",
    alpha: float = 0.05,
    exclude: Mapping[Hashable, Exclusion | str] | None = None,
    unbalanced: Literal["error", "drop"] = "error",
    no_pre_period: Literal["error", "exclude"] = "error",
) -> StaggeredResult:
    """Callaway & Sant'Anna (2021) group-time ATTs and their aggregations.

    Parameters
    ----------
    panel
        Long table, one row per unit and year.
    unit, period, outcome
        Column names; periods are whole years (ints or ``"YYYY"`` strings).
    first_treated
        Column of ``panel`` with the first treated year per unit (0 or ∞ = never treated), or a
        Series indexed by unit as returned by :func:`adoption_from_flags` (units of the panel
        missing from it are excluded).
    covariates
        Columns used in the propensity score and outcome models, taken in each cell's base
        year (time-invariant covariates such as a population size at the start).
    control
        ``"never"`` (never-treated units) or ``"notyet"`` (also units not yet treated).
    method
        ``"dr"`` (R ``did``'s default), ``"ipw"``, ``"reg"`` or ``"dr_imp"``.
    base_period
        ``"varying"`` (R's default) or ``"universal"``.
    alpha
        Pointwise intervals are estimate ± z_{1−α/2}·SE.
    exclude
        Units to leave out, with their reasons (e.g. the ``excluded`` of
        :func:`adoption_from_flags`); copied into the result's ``excluded``.
    unbalanced
        ``"error"`` (default): units with missing years are named in an error; ``"drop"``:
        they are left out and listed in ``excluded`` (R's behaviour).
    no_pre_period
        ``"error"`` (default) or ``"exclude"`` for cohorts treated in or before the first year.

    Returns
    -------
    StaggeredResult
        ATT(g, t) table, the four aggregations with SEs and intervals, the pre-test, the
        exclusions with their reasons and the influence functions.

    Raises
    ------
    DesignError
        One sentence in Swedish and English naming what is wrong and what to do: no
        never-treated units with ``control="never"``, no treated cohort, a cohort without a
        pre-period, an unbalanced panel, missing first-treated years, a cell without overlap.
    """
    _check_choice(control, CONTROLS, "control")
    _check_choice(method, METHODS, "method")
    _check_choice(base_period, BASE_PERIODS, "base_period")
    _check_choice(unbalanced, ("error", "drop"), "unbalanced")
    _check_choice(no_pre_period, ("error", "exclude"), "no_pre_period")
    if not 0 < alpha < 1:
        raise DesignError(f"alpha måste ligga mellan 0 och 1 (är {alpha}): ange t.ex. 0.05.",
                          f"alpha must lie between 0 and 1 (is {alpha}): give e.g. 0.05.")
    covariates = tuple(covariates)
    by_column = isinstance(first_treated, str)
    columns = [unit, period, outcome, *covariates] + ([first_treated] if by_column else [])
    _check_columns(panel, columns)
    data = panel[list(dict.fromkeys(columns))].copy()
    data["_t"] = _as_periods(data[period], f"Kolumnen '{period}'", f"The column '{period}'")
    text = [c for c in (outcome, *covariates) if not pd.api.types.is_numeric_dtype(data[c])]
    if text:
        raise DesignError(
            f"Kolumnerna {_listed(text)} är inte numeriska: utfall och kovariater måste vara tal "
            "(koda kategorier som 0/1-kolumner).",
            f"The columns {_listed(text)} are not numeric: outcome and covariates must be "
            "numbers (encode categories as 0/1 columns).")

    excluded: dict[Hashable, Exclusion] = {}
    for code, why in (exclude or {}).items():
        excluded[code] = why if isinstance(why, Exclusion) else Exclusion(
            "excluded_by_caller", str(why), str(why))
    data = data[~data[unit].isin(list(excluded))]

    # -- first treated year per unit
    if by_column:
        ft = data.groupby(unit, sort=True)[first_treated]
        varying = ft.nunique(dropna=False)
        if (varying > 1).any():
            which = _listed(varying.index[varying > 1])
            raise DesignError(
                f"Kolumnen '{first_treated}' varierar över åren för {which}: ange samma första "
                "behandlingsår på alla rader för en enhet.",
                f"The column '{first_treated}' varies over the years for {which}: give the same "
                "first treated year on all rows of a unit.")
        g_raw = ft.first()
    else:
        g_raw = pd.Series(first_treated)
        missing_units = sorted(set(data[unit]) - set(g_raw.index))
        for code in missing_units:
            excluded[code] = Exclusion(
                "excluded_by_caller",
                f"{code} har inget första behandlingsår och lämnas utanför.",
                f"{code} has no first treated year and is left out.")
        data = data[~data[unit].isin(missing_units)]
        g_raw = g_raw.reindex(sorted(data[unit].unique()))
    if data.empty:
        raise DesignError(
            "Ingen enhet återstår efter uteslutningarna: kontrollera att första behandlingsår "
            "anges med samma enhetskoder som panelen.",
            "No unit remains after the exclusions: check that the first treated years use the "
            "same unit codes as the panel.")
    g_num = pd.to_numeric(g_raw, errors="coerce").astype(float)
    if g_num.isna().any():
        raise _missing_first(g_num.index[g_num.isna()].tolist())
    g_num[np.isinf(g_num)] = 0

    # -- balance
    dup = data.duplicated([unit, "_t"], keep=False)
    if dup.any():
        raise DesignError(
            f"Panelen har flera rader för samma enhet och år (t.ex. "
            f"{_listed(data.loc[dup, unit].unique())}): behåll en rad per enhet och år.",
            f"The panel has several rows for the same unit and year (e.g. "
            f"{_listed(data.loc[dup, unit].unique())}): keep one row per unit and year.")
    values = [outcome, *covariates]
    wide = {v: data.set_index([unit, "_t"])[v].unstack("_t").sort_index(axis=0).sort_index(axis=1)
            for v in values}
    periods = wide[outcome].columns.to_numpy(dtype=np.int64)
    holes = pd.Series(False, index=wide[outcome].index)
    for v in values:
        holes |= wide[v].isna().any(axis=1)
    if holes.any():
        bad = holes.index[holes].tolist()
        if unbalanced == "error":
            raise _unbalanced(bad)
        for code in bad:
            excluded[code] = Exclusion(
                "unbalanced",
                f"{code} saknar värden för några år och lämnas utanför (balanserad panel krävs).",
                f"{code} lacks values for some years and is left out (a balanced panel is "
                "required).")
        keep_units = holes.index[~holes]
        wide = {v: w.loc[keep_units] for v, w in wide.items()}
    return staggered_from_wide(
        wide[outcome], g_num.reindex(wide[outcome].index),
        covariates={c: wide[c] for c in covariates}, control=control, method=method,
        base_period=base_period, alpha=alpha, no_pre_period=no_pre_period, excluded=excluded)


def staggered_from_wide(
    Y: pd.DataFrame | np.ndarray,
    first_treated: pd.Series | Sequence[float] | np.ndarray,
    periods: Sequence[int] | None = None,
    *,
    covariates: Mapping[str, pd.DataFrame | np.ndarray] | None = None,
    units: Sequence[Hashable] | None = None,
    control: Control = "never",
    method: Method = "dr",
    base_period: BasePeriod = "varying",
    alpha: float = 0.05,
    no_pre_period: Literal["error", "exclude"] = "error",
    excluded: Mapping[Hashable, Exclusion] | None = None,
) -> StaggeredResult:
    """The numerical core of :func:`estimate_staggered` on a wide, balanced matrix.

    Parameters
    ----------
    Y
        units × years outcome matrix without missing values (a DataFrame: index = units,
        columns = years; or an array with ``periods`` and optionally ``units``).
    first_treated
        First treated year per row of ``Y`` (0 or ∞ = never treated).
    covariates
        Name → units × years matrix, same layout as ``Y``.
    excluded
        Exclusions already made (copied into the result).

    The other parameters are those of :func:`estimate_staggered`.
    """
    _check_choice(control, CONTROLS, "control")
    _check_choice(method, METHODS, "method")
    _check_choice(base_period, BASE_PERIODS, "base_period")
    _check_choice(no_pre_period, ("error", "exclude"), "no_pre_period")
    if not 0 < alpha < 1:
        raise DesignError(f"alpha måste ligga mellan 0 och 1 (är {alpha}): ange t.ex. 0.05.",
                          f"alpha must lie between 0 and 1 (is {alpha}): give e.g. 0.05.")
    if isinstance(Y, pd.DataFrame):
        units = Y.index.tolist() if units is None else list(units)
        periods = Y.columns.tolist() if periods is None else periods
        Y = Y.to_numpy(dtype=float)
    Y = np.asarray(Y, dtype=float)
    if periods is None:
        raise TypeError("periods are required when Y is an array")
    periods = np.asarray(periods, dtype=np.int64)
    units = list(range(Y.shape[0])) if units is None else list(units)
    if Y.shape != (len(units), len(periods)):
        raise ValueError("Y must be units × periods")
    if np.any(np.diff(periods) <= 0):
        raise DesignError(
            "Åren i panelen är inte unika och sorterade: sortera kolumnerna efter år.",
            "The years of the panel are not unique and sorted: sort the columns by year.")
    G = np.asarray(first_treated, dtype=float).copy()
    if G.shape != (len(units),):
        raise ValueError("first_treated must have one value per row of Y")
    covariates = dict(covariates or {})
    names = tuple(covariates)
    Xcov = [np.asarray(covariates[c], dtype=float) for c in names]
    holes = np.isnan(Y).any(axis=1)
    for M in Xcov:
        holes |= np.isnan(M).any(axis=1)
    if holes.any():
        bad = [u for u, h in zip(units, holes) if h]
        raise _unbalanced(bad)
    if np.isnan(G).any():
        bad = [u for u, g in zip(units, G) if np.isnan(g)]
        raise _missing_first(bad)
    G[np.isinf(G)] = 0
    excluded = dict(excluded or {})

    # -- cohorts
    notes: list[tuple[str, str]] = []
    G[G > periods.max()] = 0  # first treated after the panel: not treated within it (as R)
    early = (G > 0) & (G <= periods.min())
    if early.any():
        early_units = [u for u, e in zip(units, early) if e]
        cohorts_early = sorted({int(x) for x in G[early]})
        if no_pre_period == "error":
            raise DesignError(
                f"Kohorten {_listed(cohorts_early)} ({_listed(early_units)}) behandlas redan "
                f"första året i panelen ({periods.min()}) och har ingen förperiod: förläng panelen "
                "bakåt eller ange no_pre_period=\"exclude\".",
                f"The cohort {_listed(cohorts_early)} ({_listed(early_units)}) is treated already "
                f"in the first year of the panel ({periods.min()}) and has no pre-period: extend "
                "the panel back or pass no_pre_period=\"exclude\".")
        for u, gg in zip(units, G):
            if gg > 0 and gg <= periods.min():
                excluded[u] = Exclusion(
                    "no_pre_period",
                    f"{u} behandlas från {int(gg)}, redan första året i panelen, och har ingen "
                    "förperiod.",
                    f"{u} is treated from {int(gg)}, already the first year of the panel, and "
                    "has no pre-period.")
        keep = ~early
        units = [u for u, k in zip(units, keep) if k]
        G, Y, Xcov = G[keep], Y[keep], [M[keep] for M in Xcov]
    if not (G > 0).any():
        raise DesignError(
            "Ingen enhet inför reformen under panelens år (ingen behandlad kohort): kontrollera "
            "kolumnen med första behandlingsår.",
            "No unit adopts the reform within the years of the panel (no treated cohort): check "
            "the column with the first treated year.")
    if not (G == 0).any():
        if control == "never":
            raise DesignError(
                "Det finns inga enheter som aldrig behandlas, så control=\"never\" saknar "
                "jämförelsegrupp: använd control=\"notyet\" eller lägg till obehandlade enheter.",
                "There are no never-treated units, so control=\"never\" has no comparison group: "
                "use control=\"notyet\" or add untreated units.")
        last = G.max()
        keep_t = periods < last
        if G[(G > 0) & (G < last)].size == 0 or keep_t.sum() < 2:
            raise DesignError(
                "Utan enheter som aldrig behandlas finns bara den sista kohorten att jämföra med, "
                "och då återstår ingen kohort att skatta: lägg till obehandlade enheter.",
                "Without never-treated units only the last cohort is left as comparison, and no "
                "cohort remains to estimate: add untreated units.")
        notes.append((
            f"Inga enheter behandlas aldrig: åren från {int(last)} utesluts och kohorten "
            f"{int(last)} används bara som jämförelse.",
            f"No unit is never treated: the years from {int(last)} on are dropped and the "
            f"cohort {int(last)} serves only as comparison."))
        periods, Y, Xcov = periods[keep_t], Y[:, keep_t], [M[:, keep_t] for M in Xcov]
        glist = np.unique(G[(G > 0) & (G < last)])
    else:
        glist = np.unique(G[G > 0])

    n = len(units)
    ones = np.ones((n, 1))
    Xs = [np.column_stack([ones] + [M[:, j] for M in Xcov]) for j in range(len(periods))]

    # -- cells
    estimator = _ESTIMATORS[method]
    rows: list[tuple[int, int, int, bool, float, int, int]] = []
    columns_if: list[np.ndarray] = []
    t_start = 1 if base_period == "varying" else 0
    for gg in glist:
        pre_idx = np.flatnonzero(periods < gg)
        base_g = int(pre_idx[-1])
        in_g = G == gg
        for j in range(t_start, len(periods)):
            post = gg <= periods[j]
            base = base_g if (post or base_period == "universal") else j - 1
            if base == j:  # universal base year itself: normalised to 0
                rows.append((int(gg), int(periods[j]), int(periods[base]), False, 0.0,
                             int(in_g.sum()), 0))
                columns_if.append(np.zeros(n))
                continue
            if control == "never":
                ctrl = G == 0
            else:
                cutoff = max(periods[j], periods[base])
                ctrl = (G == 0) | ((G > cutoff) & ~in_g)
            cell = in_g | ctrl
            D = in_g[cell].astype(float)
            if ctrl.sum() == 0:
                raise DesignError(
                    f"Kohorten {int(gg)} saknar jämförelseenheter år {periods[j]}: använd "
                    "control=\"never\" eller lägg till obehandlade enheter.",
                    f"The cohort {int(gg)} has no comparison units in {periods[j]}: use "
                    "control=\"never\" or add untreated units.")
            dy = Y[cell, j] - Y[cell, base]
            X = Xs[min(j, base)][cell]
            try:
                att, inf = (estimator(dy, D, X) if names else _att_unconditional(dy, D))
            except (_CellError, np.linalg.LinAlgError) as exc:
                code = exc.code if isinstance(exc, _CellError) else "singular"
                what_sv = ("propensity-modellen skiljer nästan helt kohorten från "
                           "jämförelseenheterna (ingen överlappning)" if code == "overlap" else
                           "kovariaterna är linjärt beroende bland jämförelseenheterna")
                what_en = ("the propensity model almost separates the cohort from the comparison "
                           "units (no overlap)" if code == "overlap" else
                           "the covariates are collinear among the comparison units")
                raise DesignError(
                    f"Effekten för gruppen som infört förändringen {int(gg)} kan inte skattas för "
                    f"år {periods[j]}: {what_sv}; använd färre kovariater eller "
                    "regressionsmetoden (reg).",
                    f"The effect for the cohort adopting in {int(gg)} cannot be estimated for "
                    f"{periods[j]}: {what_en}; use fewer covariates or the regression method "
                    "(reg).") from exc
            psi = np.zeros(n)
            psi[cell] = inf * (n / cell.sum())
            rows.append((int(gg), int(periods[j]), int(periods[base]), bool(post), float(att),
                         int(in_g.sum()), int(ctrl.sum())))
            columns_if.append(psi)

    inf = np.column_stack(columns_if)
    g_i, t_i, base_i, post_v, att_v, n_t, n_c = (np.array(c) for c in zip(*rows))
    z = NormalDist().inv_cdf(1 - alpha / 2)
    se = np.sqrt(np.sum(inf**2, axis=0)) / n
    se[se <= _SE_FLOOR] = np.nan
    att_gt = pd.DataFrame({
        "group": g_i, "period": t_i, "event_time": t_i - g_i, "base_period": base_i,
        "post": post_v.astype(bool), "att": att_v.astype(float), "se": se,
        "ci_low": att_v - z * se, "ci_high": att_v + z * se, "n_treated": n_t, "n_control": n_c})
    att_v = att_v.astype(float)
    g_v, t_v = g_i.astype(float), t_i.astype(float)
    share = {gg: float(np.mean(G == gg)) for gg in glist}
    pg = np.array([share[gg] for gg in g_v])
    member = (G[:, None] == g_v[None, :]).astype(float)
    aggregates = {kind: _aggregate(kind, att_v, inf, g_v, t_v, pg, member, z) for kind in KINDS}
    normalised = base_i == t_i
    pre = (g_v > t_v) & ~normalised
    cohorts = pd.DataFrame({"group": [int(x) for x in glist],
                            "n_units": [int(np.sum(G == x)) for x in glist],
                            "share": [share[x] for x in glist]})
    return StaggeredResult(
        att_gt=att_gt, pretest=_pretest(att_v, inf, pre), excluded=excluded, n_units=n,
        cohorts=cohorts, n_never_treated=int(np.sum(G == 0)), periods=periods.tolist(),
        control=control, method=method, base_period=base_period, alpha=alpha,
        covariates=names, units=units, influence=inf, notes=notes, **aggregates)


# --------------------------------------------------------------------------- bootstrap
@dataclass
class UniformBand:
    """Simultaneous (uniform) confidence band from the multiplier bootstrap.

    ``table``: the elements (``group``/``event_time``/``period``, or ``group, period`` for
    ``att_gt``) with ``att``, the bootstrap ``se`` and the band ``ci_low``/``ci_high`` =
    att ∓ ``critical_value`` · se, which covers all elements jointly with probability 1 − α.
    """

    kind: str
    critical_value: float
    draws: int
    seed: int | None
    table: pd.DataFrame


def multiplier_bootstrap(result: StaggeredResult, kind: str = "dynamic", *, draws: int = 999,
                         seed: int | None = None, alpha: float | None = None) -> UniformBand:
    """Bootstrap standard errors and a uniform band for the elements of an aggregation.

    Rademacher multipliers V_i = ±1 on the units' influence functions (Callaway & Sant'Anna
    2021, Algorithm 1; as R ``did``'s ``mboot``): b = Σ_i V_i ψ_i / n per draw; the standard
    error is the interquartile range of b divided by 1.349 (the normal IQR) and the critical
    value the 1 − α quantile of max_k |b_k| / se_k. Elements with no variance (the normalised
    base year under ``base_period="universal"``) are left out of the maximum.

    Parameters
    ----------
    kind
        ``"dynamic"``, ``"group"``, ``"calendar"`` or ``"att_gt"``.
    draws, seed
        Number of draws and the seed of the random generator (same seed, same band).
    alpha
        Defaults to the result's.
    """
    alpha = result.alpha if alpha is None else alpha
    if kind == "att_gt":
        psi = result.influence
        table = result.att_gt[["group", "period", "att"]].copy()
    elif kind in ("dynamic", "group", "calendar"):
        agg = result.aggregate(kind)
        psi = agg.element_influence
        table = agg.table[[agg.key, "att"]].copy()
    else:
        raise DesignError(
            f"Bandet kan inte beräknas för '{kind}': välj dynamic, group, calendar eller att_gt.",
            f"The band cannot be computed for '{kind}': choose dynamic, group, calendar or "
            "att_gt.")
    if draws < 100:
        raise DesignError(f"draws är {draws}: ange minst 100 (t.ex. 999).",
                          f"draws is {draws}: give at least 100 (e.g. 999).")
    rng = np.random.default_rng(seed)
    n = psi.shape[0]
    V = rng.integers(0, 2, size=(draws, n), dtype=np.int8) * 2.0 - 1.0
    b = V @ psi / n
    q75, q25 = np.quantile(b, [0.75, 0.25], axis=0)
    se = (q75 - q25) / (NormalDist().inv_cdf(0.75) - NormalDist().inv_cdf(0.25))
    live = se > _SE_FLOOR
    se = np.where(live, se, np.nan)
    tmax = np.max(np.abs(b[:, live]) / se[live], axis=1)
    crit = float(np.quantile(tmax, 1 - alpha))
    table["se"] = se
    table["ci_low"] = table["att"] - crit * se
    table["ci_high"] = table["att"] + crit * se
    return UniformBand(kind, crit, draws, seed, table.reset_index(drop=True))


# --------------------------------------------------------------------------- one kommun
def _percentile(values: np.ndarray, x: float) -> float | None:
    """Mid-rank percentile of x among values (ties count half), in %."""
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return None
    return float(100 * (np.sum(values < x) + 0.5 * np.sum(values == x)) / len(values))


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def place_unit(result: StaggeredResult, estimate: float, se: float | None = None, *,
               cohort: int | None = None) -> dict[str, Any]:
    """Where one kommun's own estimate falls among the cohorts' effects.

    Parameters
    ----------
    result
        The staggered estimate for the reform (all adopting kommuner).
    estimate, se
        The kommun's own effect estimate (same outcome and unit) and its standard error (None
        when its design gives no standard error; the interval fields are then None).
    cohort
        The kommun's adoption year, to compare with its own cohort's ATT.

    Returns
    -------
    dict
        ``percentile_att_gt`` (mid-rank percentile, %, among the post-treatment ATT(g, t)),
        ``percentile_group`` (among the cohorts' ATTs), ``percentile_event_time`` (among the
        event-time ATTs for e ≥ 0), ``range_att_gt`` (min, max of the post ATT(g, t)),
        ``simple_att``/``simple_ci``, ``ci`` (the kommun's interval), ``overlaps_simple``
        (whether the two intervals overlap), ``difference`` (estimate − simple ATT) and
        ``z_difference`` (difference / sqrt(se² + se_simple²), treating the two as independent,
        which is conservative when the kommun is one of the adopters), and with ``cohort`` the
        cohort's ATT, interval and overlap.
    """
    z = NormalDist().inv_cdf(1 - result.alpha / 2)
    post = result.att_gt.loc[result.att_gt["post"], "att"].to_numpy(float)
    dyn = result.dynamic.table
    dyn_post = dyn.loc[dyn["event_time"] >= 0, "att"].to_numpy(float)
    own_ci = None if se is None or not math.isfinite(se) else (estimate - z * se,
                                                               estimate + z * se)
    simple = result.simple
    out: dict[str, Any] = {
        "estimate": float(estimate),
        "se": None if se is None else float(se),
        "ci": own_ci,
        "percentile_att_gt": _percentile(post, estimate),
        "percentile_group": _percentile(result.group.table["att"].to_numpy(float), estimate),
        "percentile_event_time": _percentile(dyn_post, estimate),
        "range_att_gt": (float(np.min(post)), float(np.max(post))),
        "simple_att": simple.att,
        "simple_se": simple.se,
        "simple_ci": simple.ci,
        "overlaps_simple": None if own_ci is None else _overlaps(own_ci, simple.ci),
        "difference": float(estimate - simple.att),
        "z_difference": None if own_ci is None else
        float((estimate - simple.att) / math.sqrt(se**2 + simple.se**2)),
        "ci_level": 1 - result.alpha,
    }
    if cohort is not None:
        table = result.group.table.set_index("group")
        if cohort not in table.index:
            raise DesignError(
                f"Kohorten {cohort} finns inte i skattningen (kohorter: "
                f"{_listed(table.index.tolist())}): ange kommunens införandeår.",
                f"The cohort {cohort} is not in the estimate (cohorts: "
                f"{_listed(table.index.tolist())}): give the municipality's adoption year.")
        row = table.loc[cohort]
        ci = (float(row["ci_low"]), float(row["ci_high"]))
        out.update(cohort=cohort, cohort_att=float(row["att"]), cohort_se=float(row["se"]),
                   cohort_ci=ci, overlaps_cohort=None if own_ci is None else _overlaps(own_ci, ci))
    return out
