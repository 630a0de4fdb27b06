"""Poisson / quasi-Poisson regression for interrupted time series of counts.

The model of Lopez Bernal, Cummins & Gasparrini (2017, *Int J Epidemiol* 46:348–355,
"Interrupted time series regression for the evaluation of public health interventions: a
tutorial"): ``count ~ step + time (+ harmonics)`` with ``offset(log(population))``; the step
coefficient exponentiated is the rate ratio of the intervention. Quasi-Poisson scales the
covariance by the Pearson dispersion ``χ² / (n − k)``, as R's ``glm(family = quasipoisson)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evaluation import distributions
from evaluation.errors import DesignError

Dispersion = Literal["quasi", "poisson"]


@dataclass
class GlmFit:
    """A fitted log-link Poisson GLM.

    Attributes
    ----------
    params, cov
        Coefficients and their covariance (scaled by ``dispersion`` for quasi-Poisson).
    dispersion
        Pearson χ² / df for quasi-Poisson, 1 for Poisson.
    df_resid
        n − k.
    fitted, linear_predictor
        μ̂ and η̂ = log μ̂ (including the offset) per observation.
    """

    params: pd.Series
    cov: pd.DataFrame
    dispersion: float
    df_resid: int
    fitted: np.ndarray
    linear_predictor: np.ndarray
    pearson_dispersion: float

    def rate_ratio(self, name: str, *, ci_level: float = 0.95) -> tuple[float, float, float]:
        """exp(coefficient) with a Wald interval on the log scale (normal quantile, as R)."""
        b = float(self.params[name])
        se = float(np.sqrt(self.cov.loc[name, name]))
        z = distributions.norm_ppf(0.5 + ci_level / 2)
        return float(np.exp(b)), float(np.exp(b - z * se)), float(np.exp(b + z * se))


def fit_poisson_glm(
    y: np.ndarray | pd.Series,
    X: pd.DataFrame | np.ndarray,
    *,
    offset: np.ndarray | pd.Series | None = None,
    dispersion: Dispersion = "quasi",
    names: Sequence[str] | None = None,
) -> GlmFit:
    """Fit ``log E[y] = offset + X β`` by Poisson maximum likelihood.

    Parameters
    ----------
    y
        Non-negative counts.
    X
        Design matrix with named columns (include a constant yourself), or an array with
        ``names``.
    offset
        Log exposure, e.g. ``log(population)``; ``None`` for no offset.
    dispersion
        ``"quasi"`` scales the covariance by Pearson χ²/df; ``"poisson"`` fixes it at 1.
    names
        The columns' names when ``X`` is an array.

    Returns
    -------
    GlmFit
    """
    if dispersion not in ("quasi", "poisson"):
        raise DesignError(
            f"Okänd dispersion {dispersion!r}: välj 'quasi' eller 'poisson'.",
            f"Unknown dispersion {dispersion!r}: choose 'quasi' or 'poisson'.",
        )
    y_arr = np.asarray(y, dtype=float)
    X_arr = np.asarray(X, dtype=float)
    off = None if offset is None else np.asarray(offset, dtype=float)
    if len(y_arr) <= X_arr.shape[1]:
        raise DesignError(
            "För få observationer för regressionsmodellen: använd en längre förperiod.",
            "Too few observations for the regression model: use a longer pre-period.",
        )
    finite = np.isfinite(y_arr).all() and np.isfinite(X_arr).all() and (
        off is None or np.isfinite(off).all())
    if not finite or (y_arr < 0).any():
        raise DesignError(
            "Regressionsmodellen fick saknade, oändliga eller negativa antal: kontrollera "
            "utfallet och folkmängden.",
            "The regression model got missing, infinite or negative counts: check the outcome "
            "and the population.",
        )
    params, cov_unscaled, mu = _poisson_irls(y_arr, X_arr,
                                             np.zeros(len(y_arr)) if off is None else off)
    df_resid = int(len(y_arr) - X_arr.shape[1])
    pearson = float(np.sum((y_arr - mu) ** 2 / mu) / df_resid)
    scale = pearson if dispersion == "quasi" else 1.0
    names = list(X.columns) if names is None else list(names)
    eta = np.log(mu)
    return GlmFit(
        params=pd.Series(params, index=names),
        cov=pd.DataFrame(cov_unscaled * scale, index=names, columns=names),
        dispersion=scale,
        df_resid=df_resid,
        fitted=mu,
        linear_predictor=eta,
        pearson_dispersion=pearson,
    )


#: Convergence of :func:`_poisson_irls`: the deviance changes by at most this much between
#: iterations (statsmodels' ``GLM.fit`` default, ``tol=1e-8`` on the deviance, absolute).
DEVIANCE_TOL = 1e-8
#: Iterations at most (statsmodels' default).
MAX_ITER = 100


def _poisson_irls(y: np.ndarray, X: np.ndarray, offset: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson log-link maximum likelihood by iteratively reweighted least squares: the
    coefficients, their unscaled covariance ``(X'WX)⁻¹`` and the fitted means.

    The iteration is statsmodels' ``GLM(y, X, family=Poisson(), offset=offset).fit()``
    (``_fit_irls``) step for step — start at ``μ = (y + ȳ)/2``, weighted least squares on the
    working response, stop when the deviance moves by at most :data:`DEVIANCE_TOL`, then the
    coefficients and covariance from the pseudo-inverse of the last weighted design, the means
    from those coefficients — written out here because importing statsmodels' GLM (and with it
    ``scipy.stats``) cost a run more than its 115 fits (docs/speed.md, fifteenth session).
    ``tests/designs/test_glm_irls.py`` compares every output with statsmodels' on random
    designs.
    """
    eps = np.finfo(float).eps

    def deviance(mu: np.ndarray) -> float:
        ratio = np.clip(y / mu, eps, np.inf)
        return float(np.sum(2 * (y * np.log(ratio) - (y - mu))))

    mu = (y + y.mean()) / 2.0
    eta = np.log(np.clip(mu, eps, np.inf))
    history = [np.inf, deviance(mu)]
    for _ in range(MAX_ITER):
        clipped = np.clip(mu, eps, np.inf)
        weights = 1.0 / ((1.0 / clipped) ** 2 * np.abs(mu))
        z = eta + (1.0 / clipped) * (y - mu) - offset
        root = np.sqrt(weights)
        if not (np.isfinite(z).all() and np.isfinite(root).all()):
            raise DesignError(
                "Regressionsmodellen för antal konvergerar inte (oändliga värden): kontrollera "
                "utfallet och folkmängden.",
                "The count regression model does not converge (infinite values): check the "
                "outcome and the population.",
            )
        params = np.linalg.lstsq(root[:, None] * X, root * z, rcond=-1)[0]
        eta = X @ params + offset
        mu = np.exp(eta)
        history.append(deviance(mu))
        if abs(history[-2] - history[-1]) <= DEVIANCE_TOL:
            break
    pinv = np.linalg.pinv(root[:, None] * X, rcond=1e-15)
    params = pinv @ (root * z)
    return params, pinv @ pinv.T, np.exp(X @ params + offset)


def harmonics(values: np.ndarray | pd.Series, *, pairs: int, period: float) -> pd.DataFrame:
    """Fourier terms ``sin(2πk·v/period)``, ``cos(2πk·v/period)`` for k = 1..pairs.

    Same terms as ``tsModel::harmonic(month, pairs, period)`` in R.
    """
    v = np.asarray(values, dtype=float)
    cols: dict[str, np.ndarray] = {}
    for k in range(1, pairs + 1):
        cols[f"sin{k}"] = np.sin(2 * np.pi * k * v / period)
        cols[f"cos{k}"] = np.cos(2 * np.pi * k * v / period)
    return pd.DataFrame(cols, index=getattr(values, "index", None))


@dataclass
class GlmItsResult:
    """Step-change rate ratio of a segmented Poisson regression."""

    rate_ratio: float
    ci: tuple[float, float]
    dispersion: float
    fit: GlmFit


def segmented_poisson_its(
    data: pd.DataFrame,
    *,
    outcome: str,
    step: str,
    time: str,
    offset: str | None = None,
    harmonic_pairs: int = 0,
    season: str = "month",
    period: float = 12,
    dispersion: Dispersion = "quasi",
    ci_level: float = 0.95,
) -> GlmItsResult:
    """Lopez Bernal et al. (2017) ITS: ``outcome ~ step + time [+ harmonics(season)]``.

    Parameters
    ----------
    data
        One row per period with the outcome count, the 0/1 ``step`` indicator, a ``time``
        index and (optionally) an exposure column used as ``offset(log(exposure))``.
    harmonic_pairs
        Number of sin/cos pairs of ``season`` with the given ``period`` (0 = none).
    dispersion
        ``"quasi"`` (Pearson-scaled, default) or ``"poisson"``.

    Returns
    -------
    GlmItsResult
        The rate ratio exp(β_step), its Wald interval and the dispersion.
    """
    missing = [c for c in (outcome, step, time, offset) if c is not None and c not in data]
    if harmonic_pairs and season not in data:
        missing.append(season)
    if missing:
        raise DesignError(
            f"Tabellen saknar kolumnerna {', '.join(missing)}: lägg till dem eller ange andra "
            "namn.",
            f"The table lacks the columns {', '.join(missing)}: add them or name other columns.",
        )
    X = pd.DataFrame({"const": 1.0, step: data[step].astype(float), time: data[time].astype(float)})
    if harmonic_pairs:
        X = pd.concat([X, harmonics(data[season], pairs=harmonic_pairs, period=period)], axis=1)
    off = None if offset is None else np.log(data[offset].astype(float))
    fit = fit_poisson_glm(data[outcome], X, offset=off, dispersion=dispersion)
    rr, lo, hi = fit.rate_ratio(step, ci_level=ci_level)
    return GlmItsResult(rate_ratio=rr, ci=(lo, hi), dispersion=fit.dispersion, fit=fit)
