"""The quantiles and tail probabilities of :mod:`evaluation.distributions` are SciPy's own
(``scipy.stats``' values for the same arguments, to the bit), without importing
``scipy.stats`` (a run does not: ``tests/test_imports.py``)."""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import stats

from evaluation import distributions as d

RNG = np.random.default_rng(20261202)
#: The levels the designs ask for (0.5 + level/2 for 80–99 %, one-sided 5 % and 10 %) and a
#: spread of others.
QS = [0.5 + lv / 2 for lv in (0.5, 0.8, 0.9, 0.95, 0.99)] + [0.025, 0.05, 0.1, 0.75] + list(
    RNG.uniform(0.001, 0.999, 30))
DFS = [1, 2, 3, 4.5, 7, 10, 19, 38, 100, 1e4] + list(RNG.uniform(1, 300, 10))
XS = [0.0, -0.0, 1e-9, 0.3, 1.96, 2.5, 7.0, 40.0, -1.5, math.inf, -math.inf] + list(
    RNG.normal(0, 3, 30))


def test_normal_and_t_are_scipys_to_the_bit():
    for q in QS:
        assert d.norm_ppf(q) == stats.norm.ppf(q)
        for df in DFS:
            assert d.t_ppf(q, df) == stats.t.ppf(q, df), (q, df)
    for x in XS:
        assert d.norm_sf(x) == stats.norm.sf(x), x
        for df in DFS:
            assert d.t_sf(x, df) == stats.t.sf(x, df), (x, df)
    # arrays too, as the designs pass them
    x = np.array(XS)
    assert np.array_equal(d.t_sf(x, 7.0), stats.t.sf(x, 7.0))


def test_f_quantile_is_scipys_to_the_bit():
    for q, dfn, dfd in itertools.product(QS[:12], [1, 2, 5, 12.5], [1, 5, 30.5, 200]):
        assert d.f_ppf(q, dfn, dfd) == stats.f.ppf(q, dfn, dfd), (q, dfn, dfd)


def test_binomial_tail_is_scipys_to_the_bit_inside_and_outside_the_support():
    """The reliability check's exact test asks for ``P(X ≥ k) = sf(k − 1)`` for every k from 0
    (below the support: 1) to n (sf(n − 1)); beyond n it is 0."""
    for n, p in itertools.product([20, 50, 100, 250, 1000], [0.05, 0.1, 0.5]):
        k = np.arange(n + 3) - 2
        assert np.array_equal(d.binom_sf(k, n, p), stats.binom.sf(k, n, p)), (n, p)
        for one in (-1, 0, 3, n - 1, n, n + 2):
            assert d.binom_sf(one, n, p) == stats.binom.sf(one, n, p)
            assert np.ndim(d.binom_sf(one, n, p)) == 0


def test_negative_binomial_quantile_is_scipys_for_real_sizes():
    """The target's count band: ``nbinom.ppf`` at both tails for sizes ``k`` (real, from
    dispersion) and means from a handful to a large kommun's count."""
    sizes = [0.3, 0.5, 1, 2.7, 10, 55.5, 300, 1e4, 1e6] + list(RNG.uniform(0.2, 5000, 12))
    means = [0.5, 1, 3, 20, 150, 1200, 9000, 1e5] + list(RNG.uniform(1, 5000, 6))
    for q in (0.005, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.995):
        for k, mean in itertools.product(sizes, means):
            p = k / (k + mean)
            assert d.nbinom_ppf(q, k, p) == stats.nbinom.ppf(q, k, p), (q, k, mean)


def test_negative_binomial_quantile_outside_its_domain_is_nan():
    for q, n, p in [(0.0, 2, 0.5), (1.0, 2, 0.5), (0.5, 0, 0.5), (0.5, 2, 0.0), (0.5, 2, 1.5)]:
        assert math.isnan(d.nbinom_ppf(q, n, p))


def test_two_sided_p_is_t_or_normal_as_the_quantiles():
    """``inference.two_sided_p``: twice the t tail of |stat|, the normal one when df is None or
    infinite (as ``t_quantile``) — SciPy's values, either sign of the statistic."""
    from evaluation.designs.inference import two_sided_p

    for x in XS:
        for df in DFS[:6]:
            assert two_sided_p(x, df) == 2 * stats.t.sf(abs(x), df), (x, df)
            assert two_sided_p(-x, df) == two_sided_p(x, df)
        for df in (None, math.inf):
            assert two_sided_p(x, df) == 2 * stats.norm.sf(abs(x)), (x, df)
