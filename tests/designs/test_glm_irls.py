"""The ITS count model's Poisson fit (:func:`evaluation.designs.glm._poisson_irls`) is
statsmodels' ``GLM(..., family=Poisson(), offset=...).fit()`` written out: the same
coefficients, covariance and fitted means, to the bit, on random designs with and without an
offset, with and without harmonics; bad counts get a clear error. (The published Sicily
results it reproduces: ``tests/designs/test_glm_sicily.py``.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from evaluation.designs.glm import _poisson_irls, fit_poisson_glm, harmonics
from evaluation.errors import DesignError


def _designs(n_cases: int = 120):
    rng = np.random.default_rng(7)
    for i in range(n_cases):
        n = int(rng.integers(8, 130))
        t = np.arange(n, dtype=float)
        cols = [np.ones(n), (t >= n // 2).astype(float), t][: int(rng.integers(1, 4))]
        X = np.column_stack(cols)
        if i % 3 == 0:
            X = np.column_stack([X, harmonics(t, pairs=2, period=12).to_numpy()])
        offset = np.log(rng.uniform(1e3, 1e5, n)) if i % 2 else None
        scale = -7.0 if offset is not None else rng.choice([0.5, 3.0, 7.0])
        lam = np.exp(X @ rng.normal(0, 0.2, X.shape[1]) * 0.1 + scale
                     + (0.0 if offset is None else offset))
        y = rng.poisson(lam).astype(float)
        if y.sum() > 0:
            yield y, X, offset


def test_the_fit_is_statsmodels_glm_to_the_bit():
    cases = 0
    for y, X, offset in _designs():
        ref = GLM(y, X, family=families.Poisson(), offset=offset).fit()
        params, cov, mu = _poisson_irls(y, X, np.zeros(len(y)) if offset is None else offset)
        assert np.array_equal(params, ref.params)
        assert np.array_equal(cov, ref.normalized_cov_params)
        assert np.array_equal(mu, ref.mu)
        cases += 1
    assert cases > 100


def test_fit_poisson_glm_reports_statsmodels_numbers():
    """The public fit: coefficients, quasi-Poisson covariance (Pearson χ²/df) and fitted values
    from statsmodels' fit, as before the fit was written out."""
    y, X, offset = next(d for d in _designs() if d[2] is not None and d[1].shape[1] >= 3)
    names = [f"x{j}" for j in range(X.shape[1])]
    fit = fit_poisson_glm(y, pd.DataFrame(X, columns=names), offset=offset)
    ref = GLM(y, X, family=families.Poisson(), offset=offset).fit()
    pearson = float(np.sum((y - ref.mu) ** 2 / ref.mu) / (len(y) - X.shape[1]))
    assert np.array_equal(fit.params.to_numpy(), ref.params)
    assert np.array_equal(fit.cov.to_numpy(), ref.normalized_cov_params * pearson)
    assert fit.pearson_dispersion == pearson and fit.dispersion == pearson
    assert np.array_equal(fit.fitted, ref.mu)
    plain = fit_poisson_glm(y, pd.DataFrame(X, columns=names), offset=offset,
                            dispersion="poisson")
    assert np.array_equal(plain.cov.to_numpy(), ref.normalized_cov_params)


@pytest.mark.parametrize("bad", ["nan_count", "negative_count", "inf_offset", "nan_design"])
def test_bad_counts_get_a_clear_error(bad):
    n = 24
    y = np.arange(n, dtype=float) + 5
    X = np.column_stack([np.ones(n), np.arange(n, dtype=float)])
    offset = np.full(n, np.log(5000.0))
    if bad == "nan_count":
        y[3] = np.nan
    elif bad == "negative_count":
        y[3] = -1
    elif bad == "inf_offset":
        offset[2] = np.inf
    else:
        X[4, 1] = np.nan
    with pytest.raises(DesignError) as err:
        fit_poisson_glm(y, X, offset=offset, names=["const", "time"])
    assert "kontrollera" in err.value.sv and "check" in err.value.en
