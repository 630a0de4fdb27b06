"""CPU time of one fit against the pre-period length: is a fit linear in it?

Usage: ``OMP_NUM_THREADS=1 PYTHONPATH=src python tests/benchmarks/bench_scaling.py
[--lengths 60 120 240 480] [--repeat 3]``.

Simulated monthly panels of the calibration study (:mod:`evaluation.checks.calibration_dgp`:
20 comparison kommuner, AR(1) φ = 0.7, a 12-month post-period), pre-periods of the given
lengths. For each design the best of ``--repeat`` fits is timed (CPU seconds of this process)
and printed with its ratio to the shortest pre-period's time: a linear cost doubles when the
pre-period doubles, a quadratic one quadruples. The ITS's error model (the REML grid by Kalman
filter) is also timed alone, on the same residuals.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from timing import best_of  # noqa: E402


def _best(fn, repeat: int) -> float:
    return best_of(fn, repeat).cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[60, 120, 240, 480])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from evaluation.checks.calibration_dgp import OUTCOME, Cell, draw
    from evaluation.designs.decomposition import decomposition, default_compare_periods
    from evaluation.designs.donor_designs import synthetic_did
    from evaluation.designs.its import default_error_model, its

    designs = {
        "decomposition": lambda d: decomposition(
            d.panel, outcome=OUTCOME, treated=d.treated,
            compare_periods=tuple(default_compare_periods(d.intervention, 12)), window=12),
        "its": lambda d: its(d.panel, outcome=OUTCOME, treated=d.treated,
                             intervention=d.intervention, post_end=d.post_end),
        "sdid": lambda d: synthetic_did(d.panel, outcome=OUTCOME, treated=d.treated,
                                        intervention=d.intervention, post_end=d.post_end),
    }
    rows = {}
    for n_pre in args.lengths:
        d = draw(Cell("monthly", 0.7, 20, "base", n_pre=n_pre), seed=1)
        times = {name: _best(lambda f=f: f(d), args.repeat) for name, f in designs.items()}
        rng = np.random.default_rng(0)
        resid = rng.standard_normal(n_pre)
        X = np.column_stack([np.ones(n_pre), np.arange(n_pre)])
        model = default_error_model("monthly")
        times["its error model alone"] = _best(
            lambda: model.fit(resid, times=np.arange(n_pre, dtype=float), design=X,
                              weights=np.ones(n_pre)), args.repeat)
        rows[n_pre] = times
    first = args.lengths[0]
    names = list(rows[first])
    print(f"{'pre-period (months)':22s}" + "".join(f"{n:>16d}" for n in args.lengths))
    for name in names:
        cells = "".join(f"{rows[n][name]:9.4f} ({rows[n][name] / rows[first][name]:4.1f}×)"
                        for n in args.lengths)
        print(f"{name:22s}{cells}")
    print("CPU seconds per fit (best of %d); in brackets the ratio to %d months" %
          (args.repeat, first))


if __name__ == "__main__":
    main()
