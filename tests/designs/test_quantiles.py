"""The remembered quantiles of :mod:`evaluation.designs.inference` are SciPy's own values."""

from __future__ import annotations

import itertools

from scipy import stats

from evaluation.designs.inference import f_quantile, normal_quantile, t_quantile


def test_each_quantile_is_scipys_for_its_own_arguments():
    """Asked in turns (so a remembered answer for other arguments would show), to the bit."""
    levels = [0.5 + 0.95 / 2, 0.5 + 0.9 / 2, 0.8, 0.5]
    dfs = [1, 2, 7, 38, 7.25, 120.5]
    for _ in range(2):
        for q, df in itertools.product(levels, dfs):
            assert t_quantile(q, df) == float(stats.t.ppf(q, df))
        for q in levels:
            assert normal_quantile(q) == float(stats.norm.ppf(q))
        for q, dfn, dfd in itertools.product(levels, [1, 3], [5, 38]):
            assert f_quantile(q, dfn, dfd) == float(stats.f.ppf(q, dfn, dfd))
    assert isinstance(t_quantile(0.975, 10), float)


def test_without_degrees_of_freedom_the_t_quantile_is_the_normal_one():
    """``df`` None (no t distribution applies) or infinite (the ITS's limit): the normal
    quantile to the bit, as the designs used before asking one function."""
    for q in (0.5 + 0.95 / 2, 0.8):
        assert t_quantile(q, None) == float(stats.norm.ppf(q))
        assert t_quantile(q, float("inf")) == float(stats.norm.ppf(q))
        assert t_quantile(q, 30) != float(stats.norm.ppf(q))
