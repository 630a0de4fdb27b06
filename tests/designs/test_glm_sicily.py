"""Segmented quasi-Poisson regression reproduces Lopez Bernal, Cummins & Gasparrini (2017).

Reference: Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for the
evaluation of public health interventions: a tutorial. Int J Epidemiol 2017;46(1):348–355.
Data: the Sicily smoking-ban series (Jan 2002 – Nov 2006, ban Jan 2005) from
gasparrini/2017_lopezbernal_IJE_codedata @85456263, read from the shared data folder.
Published values (paper and the authors' R code): rate ratio of the step 0.8944 (model
``aces ~ smokban + time``, offset log(stdpop)), quasi-Poisson 95 % CI 0.839–0.953, Poisson
0.865–0.925; with two harmonic pairs (period 12): 0.8851, quasi-Poisson 0.839–0.933, Poisson
0.854–0.917. Tolerances: ±0.0005 on the rate ratio (published to 4 decimals), ±0.002 on the
interval limits (published to 3 decimals).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.designs.glm import fit_poisson_glm, harmonics, segmented_poisson_its
from evaluation.errors import DesignError
from evaluation.paths import shared_data_dir

RR_TOL = 0.0005
CI_TOL = 0.002


@pytest.fixture(scope="module")
def sicily() -> pd.DataFrame:
    path = shared_data_dir() / "benchmarks" / "sicily_its" / "sicily.csv"
    if not path.is_file():
        pytest.skip(f"Sicily benchmark not available ({path}); it lives in ../shared/data")
    return pd.read_csv(path)


def test_lopez_bernal_2017_ije_quasi_poisson_step_and_trend(sicily):
    res = segmented_poisson_its(sicily, outcome="aces", step="smokban", time="time",
                                offset="stdpop")
    assert res.rate_ratio == pytest.approx(0.8944, abs=RR_TOL)
    assert res.ci[0] == pytest.approx(0.839, abs=CI_TOL)
    assert res.ci[1] == pytest.approx(0.953, abs=CI_TOL)
    assert res.dispersion == pytest.approx(3.6, abs=0.05)  # README: dispersion ≈ 3.6


def test_lopez_bernal_2017_ije_plain_poisson_interval(sicily):
    res = segmented_poisson_its(sicily, outcome="aces", step="smokban", time="time",
                                offset="stdpop", dispersion="poisson")
    assert res.rate_ratio == pytest.approx(0.8944, abs=RR_TOL)
    assert res.ci == pytest.approx((0.865, 0.925), abs=CI_TOL)
    assert res.dispersion == 1.0


def test_lopez_bernal_2017_ije_two_harmonic_pairs(sicily):
    quasi = segmented_poisson_its(sicily, outcome="aces", step="smokban", time="time",
                                  offset="stdpop", harmonic_pairs=2, season="month", period=12)
    assert quasi.rate_ratio == pytest.approx(0.8851, abs=RR_TOL)
    assert quasi.ci == pytest.approx((0.839, 0.933), abs=CI_TOL)
    poisson = segmented_poisson_its(sicily, outcome="aces", step="smokban", time="time",
                                    offset="stdpop", harmonic_pairs=2, dispersion="poisson")
    assert poisson.ci == pytest.approx((0.854, 0.917), abs=CI_TOL)


def test_lopez_bernal_2017_ije_step_alone_is_not_the_published_model(sicily):
    """Without the trend the step picks up the secular decline (README: 1.034)."""
    X = pd.DataFrame({"const": 1.0, "smokban": sicily["smokban"].astype(float)})
    fit = fit_poisson_glm(sicily["aces"], X, offset=np.log(sicily["stdpop"]))
    assert fit.rate_ratio("smokban")[0] == pytest.approx(1.034, abs=0.001)


def test_harmonics_and_errors():
    h = harmonics(np.arange(1, 13), pairs=2, period=12)
    assert list(h.columns) == ["sin1", "cos1", "sin2", "cos2"]
    assert h["cos1"].iloc[11] == pytest.approx(1.0)
    with pytest.raises(DesignError, match="saknar kolumnerna"):
        segmented_poisson_its(pd.DataFrame({"aces": [1, 2]}), outcome="aces", step="smokban",
                              time="time")
    with pytest.raises(DesignError, match="Okänd dispersion"):
        fit_poisson_glm(np.ones(5), pd.DataFrame({"c": np.ones(5)}), dispersion="nb")
