"""Quantiles and tail probabilities of the normal, t, F, binomial and negative binomial
distributions, computed by the ``scipy.special`` functions that ``scipy.stats``' distributions
themselves call, without importing ``scipy.stats``.

Importing ``scipy.stats`` builds every distribution's docstring and pulls in ``scipy.spatial``
and ``scipy.optimize``: about 0.5 CPU-s of each evaluation run, more than all the quantiles
the run asks for (docs/speed.md, fifteenth session). The run needs only the functions below;
each gives the value of the ``scipy.stats`` call named in its docstring, bit for bit (the
same ``scipy.special`` function on the same argument; the binomial and negative binomial ones
through the regularized incomplete beta function, which is what ``scipy.stats`` evaluates for
them too). ``tests/test_distributions.py`` compares them on grids of arguments.

Arguments are floats or arrays of floats; results are NumPy floats or arrays.
"""

from __future__ import annotations

import numpy as np

# ``scipy.special`` is imported inside each function: checking a spec imports modules that use
# these (the target, the designs' inference) without computing anything (tests/test_imports.py).


def norm_ppf(q):
    """``scipy.stats.norm.ppf(q)``."""
    from scipy import special

    return special.ndtri(q)


def norm_sf(x):
    """``scipy.stats.norm.sf(x)`` (``P(Z > x)``)."""
    from scipy import special

    return special.ndtr(-np.asarray(x, dtype=float))


def t_ppf(q, df):
    """``scipy.stats.t.ppf(q, df)``."""
    from scipy import special

    return special.stdtrit(df, q)


def t_sf(x, df):
    """``scipy.stats.t.sf(x, df)`` (``P(T > x)``)."""
    from scipy import special

    return special.stdtr(df, -np.asarray(x, dtype=float))


def f_ppf(q, dfn, dfd):
    """``scipy.stats.f.ppf(q, dfn, dfd)``."""
    from scipy import special

    return special.fdtri(dfn, dfd, q)


def binom_sf(k, n: int, p: float):
    """``scipy.stats.binom.sf(k, n, p)`` (``P(X > k)``, arrays of ``k`` too): the regularized
    incomplete beta ``I_p(k + 1, n − k)`` inside the support, 1 below it, 0 from ``n`` on."""
    from scipy import special

    k = np.floor(np.asarray(k, dtype=float))
    inside = (k >= 0) & (k < n)
    out = np.where(k < 0, 1.0, 0.0)
    out[inside] = special.betainc(k[inside] + 1.0, n - k[inside], p)
    return out[()] if out.ndim == 0 else out


def nbinom_cdf(k, n: float, p: float):
    """``scipy.stats.nbinom.cdf(k, n, p)`` for whole numbers ``k ≥ 0`` and real ``n > 0``
    (failures before the ``n``-th success): the regularized incomplete beta ``I_p(n, k + 1)``."""
    from scipy import special

    return special.betainc(n, np.floor(np.asarray(k, dtype=float)) + 1.0, p)


def nbinom_ppf(q: float, n: float, p: float) -> float:
    """``scipy.stats.nbinom.ppf(q, n, p)`` for ``0 < q < 1``: the smallest whole ``k ≥ 0``
    with ``nbinom_cdf(k) ≥ q``. ``special.nbdtrik`` (the continuous inverse) gives the start;
    a step or two on the exact CDF settles the integer."""
    from scipy import special

    if not 0.0 < q < 1.0 or not n > 0 or not 0.0 < p <= 1.0:
        return float("nan")
    start = special.nbdtrik(q, n, p)
    k = max(0.0, float(np.ceil(start))) if np.isfinite(start) else 0.0
    while k > 0 and nbinom_cdf(k - 1, n, p) >= q:
        k -= 1.0
    while nbinom_cdf(k, n, p) < q:
        k += 1.0
    return k
