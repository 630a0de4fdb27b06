"""Speed and large-sample simulation checks of the staggered-adoption design.

Usage: ``PYTHONPATH=src python tests/benchmarks/bench_staggered.py [--reps 4000]``
(not part of the test suite; it takes about a minute on one core with the default 4 000
replications).

1. Wall time (best of 3) of :func:`evaluation.designs.staggered.estimate_staggered` on mpdta
   (500 counties × 5 years) and on a Kolada-sized panel (290 kommuner × 2010–2024, six
   cohorts, two covariates, ``method="dr"``, both comparison groups).
2. The Monte-Carlo design of ``tests/designs/test_staggered.py`` with many more replications
   (the numbers quoted in that test's docstrings): coverage of the simple ATT's 95 % interval,
   bias, SE calibration; and the placebo rejection rate with not-yet-treated controls.
3. Covariates that matter: cohort membership and the untreated trend both depend on a
   time-invariant covariate x (conditional parallel trends only). The unconditional estimate is
   biased; ``dr``, ``ipw`` and ``reg`` with ``covariates=["x"]`` should be unbiased with
   ≈ 95 % coverage.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from evaluation.designs.staggered import estimate_staggered, staggered_from_wide  # noqa: E402
from timing import best_of  # noqa: E402

HERE = Path(__file__).resolve().parent
MPDTA = HERE.parent / "designs" / "data" / "mpdta" / "mpdta.csv"
Z = 1.959963984540054


def kolada_sized(seed: int = 1) -> pd.DataFrame:
    """290 kommuner × 2010–2024, cohorts 2013…2023 (every other year), 40 % never."""
    rng = np.random.default_rng(seed)
    years = np.arange(2010, 2025)
    codes = [f"{1000 + i:04d}" for i in range(290)]
    g = rng.choice([0, 2013, 2015, 2017, 2019, 2021, 2023], size=290,
                   p=[0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    lpop = rng.normal(10, 1, size=290)
    rural = rng.integers(0, 2, size=290).astype(float)
    y = (rng.normal(size=(290, 1)) + 0.05 * (years - 2010) + 0.02 * lpop[:, None]
         + rng.normal(0, 0.3, size=(290, len(years))) + 0.2 * ((g[:, None] > 0)
                                                              & (years >= g[:, None])))
    return pd.DataFrame({"kommun": np.repeat(codes, len(years)),
                         "ar": np.tile(years, 290), "y": y.ravel(),
                         "g": np.repeat(g, len(years)), "lpop": np.repeat(lpop, len(years)),
                         "rural": np.repeat(rural, len(years))})


def timing() -> None:
    mpdta = pd.read_csv(MPDTA)
    cols = dict(unit="countyreal", period="year", outcome="lemp", first_treated="first.treat")
    print("timing (best of 3)")
    plain = best_of(lambda: estimate_staggered(mpdta, **cols)).wall
    print(f"  mpdta, dr, never:           {1000 * plain:6.1f} ms")
    cov = best_of(lambda: estimate_staggered(mpdta, **cols, method="reg",
                                      covariates=["lpop"])).wall
    print(f"  mpdta, reg ~lpop, never:    {1000 * cov:6.1f} ms")
    panel = kolada_sized()
    kcols = dict(unit="kommun", period="ar", outcome="y", first_treated="g",
                 covariates=["lpop", "rural"])
    for control in ("never", "notyet"):
        t = best_of(lambda: estimate_staggered(panel, **kcols, control=control)).wall
        print(f"  290 kommuner × 15 years, dr ~lpop+rural, {control:6}: {1000 * t:6.1f} ms")


def simulation(reps: int) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "test_staggered", HERE.parent / "designs" / "test_staggered.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.REPLICATIONS = reps
    truth = mod._true_simple_att()
    for seed in (11, 12):
        Y, G = mod._simulate(seed, effect=True)
        fits = [staggered_from_wide(Y[r], G[r], mod.YEARS) for r in range(reps)]
        est = np.array([f.simple.att for f in fits])
        se = np.array([f.simple.se for f in fits])
        print(f"coverage (seed {seed}, {reps} reps): {np.mean(np.abs(est - truth) <= Z * se):.4f}"
              f"  bias/MC-SE {(est.mean() - truth) / (est.std(ddof=1) / math.sqrt(reps)):+.2f}"
              f"  mean SE / SD {se.mean() / est.std(ddof=1):.3f}")
        Y, G = mod._simulate(seed + 100, effect=False)
        fits = [staggered_from_wide(Y[r], G[r], mod.YEARS, control="notyet") for r in range(reps)]
        est = np.array([f.simple.att for f in fits])
        se = np.array([f.simple.se for f in fits])
        pre = np.array([f.pretest.p_value for f in fits])
        print(f"placebo  (seed {seed + 100}, {reps} reps): "
              f"rejection {np.mean(np.abs(est) > Z * se):.4f}"
              f"  pre-test rejection {np.mean(pre < 0.05):.4f}")


def covariate_simulation(reps: int, n: int = 400, seed: int = 3) -> None:
    """Adoption and the untreated trend both rise with x; the effect is 1 in every post cell."""
    rng = np.random.default_rng(seed)
    years = np.arange(2011, 2016)
    results: dict[str, list[tuple[float, float]]] = {}
    for _ in range(reps):
        x = rng.normal(size=n)
        p_treat = 1 / (1 + np.exp(-(x - 0.3)))
        treated = rng.random(n) < p_treat
        g = np.where(treated, rng.choice([2013, 2014], size=n), 0)
        y = (rng.normal(size=(n, 1)) + 0.4 * x[:, None] * (years - 2011)
             + rng.normal(0, 1, size=(n, len(years))) + 1.0 * ((g[:, None] > 0)
                                                               & (years >= g[:, None])))
        X = {"x": np.repeat(x[:, None], len(years), axis=1)}
        for label, kw in (("no covariates", {}), ("dr ~x", dict(covariates=X)),
                          ("ipw ~x", dict(covariates=X, method="ipw")),
                          ("reg ~x", dict(covariates=X, method="reg"))):
            fit = staggered_from_wide(y, g, years, **kw)
            results.setdefault(label, []).append((fit.simple.att, fit.simple.se))
    print(f"conditional parallel trends (effect 1, {reps} reps, {n} units)")
    for label, values in results.items():
        est, se = np.array(values).T
        coverage = np.mean(np.abs(est - 1) <= Z * se)
        print(f"  {label:14} mean {est.mean():.3f}  coverage {coverage:.3f}"
              f"  mean SE / SD {se.mean() / est.std(ddof=1):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=4000)
    parser.add_argument("--covariate-reps", type=int, default=1000)
    args = parser.parse_args()
    timing()
    simulation(args.reps)
    covariate_simulation(args.covariate_reps)


if __name__ == "__main__":
    main()
