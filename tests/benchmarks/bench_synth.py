"""Wall time of synthetic control on the demo panel, and a comparison with pysyncon.

Usage: ``make bench-synth`` (or ``python tests/benchmarks/bench_synth.py``). Builds the monthly
demo panel in a temporary EVALUATION_HOME, pivots ``unemployment_rate`` over the 290 kommuner
(4-digit codes) to wide, treats Exempelstad (``1987``) from 2022-04 with the post-period through
2023-03 and times the outcome-only fit plus the full placebo-in-space run (every kommun in turn,
the treated unit excluded from the placebo pools). Target: <= 1 s on 2 cores.

Both packages are timed alike: the best of ``--repeat`` runs (default 3) of the same problems,
wall and CPU time (user + system of this process), BLAS pinned to one thread for both (set
before NumPy is imported).

If ``pysyncon`` is importable (it is never a runtime dependency; ``make bench-synth`` installs
it into ``.venv-bench``), the same problems are solved with ``pysyncon.Synth`` and a fixed V:
the predictors are the pre-period outcome rows and ``custom_V`` is their variance across units,
which undoes pysyncon's division of every predictor by its SD, so both packages minimise the
same outcome-only pre-period squared error. The script prints both times, their ratio and the
largest absolute weight difference (treated fit and every placebo).

Options: ``--pysyncon-placebos N`` limits the pysyncon placebo run to the first N kommuner
(pysyncon needs about half a second per fit); the default runs all of them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile

# Small dense problems: multi-threaded BLAS only adds synchronisation (and collapses when the
# machine is busy). Both packages run single-threaded BLAS unless the caller sets otherwise.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from timing import best_of  # noqa: E402

TREATED = "1987"
INTERVENTION = "2022-04"
LAST_POST = "2023-03"
HOW_TO_GET_PYSYNCON = (
    "pysyncon not installed: run `make bench-synth` (creates .venv-bench with "
    "`pip install pysyncon` next to this project) to add the comparison."
)


def demo_matrix() -> tuple[pd.DataFrame, int]:
    """Wide unemployment-rate matrix (periods x kommuner) and the number of pre-periods."""
    from evaluation.data.demo import load_demo

    panel, _ = load_demo("monthly")
    rows = panel[(panel["measure"] == "unemployment_rate") & (panel["unit"].str.len() == 4)]
    Y = rows.pivot(index="period", columns="unit", values="value").sort_index()
    Y = Y.loc[:LAST_POST]
    return Y, int((Y.index < INTERVENTION).sum())


def ours(Y: pd.DataFrame, n_pre: int):
    from evaluation.designs.synth import fit_synth, placebo_in_space

    fit = fit_synth(Y, TREATED, n_pre)
    placebos = placebo_in_space(Y, TREATED, n_pre)
    return fit, placebos


def pysyncon_weights(Y: pd.DataFrame, n_pre: int, unit: str, donors: list[str]) -> np.ndarray:
    from pysyncon import Synth

    pre = Y.iloc[:n_pre]
    variance = pre[[*donors, unit]].std(axis=1) ** 2
    synth = Synth()
    synth.fit(X0=pre[donors], X1=pre[unit], Z0=pre[donors], Z1=pre[unit],
              custom_V=variance.to_numpy())
    # SLSQP meets the constraints only to ~1e-8: put its weights back on the simplex
    w = np.clip(np.asarray(synth.W, dtype=float), 0.0, None)
    return w / w.sum()


def _mspe_gap(Y: pd.DataFrame, n_pre: int, unit: str, pool: list[str], w_theirs: np.ndarray,
              w_ours: np.ndarray) -> float:
    """Relative pre-period MSPE excess of pysyncon's weights over ours (> 0: ours fit better)."""
    pre = Y.iloc[:n_pre]
    ours = float(np.mean((pre[unit] - pre[pool].to_numpy() @ w_ours) ** 2))
    theirs = float(np.mean((pre[unit] - pre[pool].to_numpy() @ w_theirs) ** 2))
    return (theirs - ours) / ours


def compare_pysyncon(Y: pd.DataFrame, n_pre: int, placebos, t_fit_ours: tuple[float, float],
                     t_all_ours: tuple[float, float], limit: int | None, repeat: int) -> None:
    units = [c for c in Y.columns if c != TREATED]
    run = units if limit is None else units[:limit]

    def placebo_weights() -> dict[str, np.ndarray]:
        return {unit: pysyncon_weights(Y, n_pre, unit, [u for u in units if u != unit])
                for unit in run}

    fit_wall, fit_cpu, w_treated = best_of(lambda: pysyncon_weights(Y, n_pre, TREATED, units),
                                           repeat)
    pl_wall, pl_cpu, theirs = best_of(placebo_weights, repeat)
    ours = placebos.weights[TREATED].loc[units].to_numpy()
    diff = float(np.max(np.abs(w_treated - ours)))
    excess = [_mspe_gap(Y, n_pre, TREATED, units, w_treated, ours)]
    for unit, w in theirs.items():
        pool = [u for u in units if u != unit]
        ours = placebos.weights[unit].loc[pool].to_numpy()
        diff = max(diff, float(np.max(np.abs(w - ours))))
        excess.append(_mspe_gap(Y, n_pre, unit, pool, w, ours))
    print(f"pysyncon: fit (treated)               : {fit_wall:8.3f} s wall, {fit_cpu:8.3f} s "
          f"CPU (best of {repeat}; pysyncon/ours CPU {fit_cpu / t_fit_ours[1]:6.0f}x)")
    t_all, c_all = fit_wall + pl_wall, fit_cpu + pl_cpu
    n_fits = len(run) + 1
    per_fit, per_fit_ours = c_all / n_fits, t_all_ours[1] / (len(units) + 1)
    label = f"{len(run)} placebos" + ("" if limit is None else f" (of {len(units)})")
    print(f"pysyncon: fit + {label:21s} : {t_all:8.3f} s wall, {c_all:8.3f} s CPU (best of "
          f"{repeat}; {per_fit:.3f} CPU-s per fit; pysyncon/ours per fit "
          f"{per_fit / per_fit_ours:6.0f}x)")
    print(f"largest |weight difference| vs ours   : {diff:.2e}")
    excess_arr = np.array(excess)
    print(f"pre-MSPE of pysyncon relative to ours : min {excess_arr.min():+.1e}, median "
          f"{np.median(excess_arr):+.1e}, max {excess_arr.max():+.1e} "
          f"({int(np.sum(excess_arr < -1e-9))} fits where pysyncon's is lower)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pysyncon-placebos", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each timing, for both packages alike (best is shown)")
    args = parser.parse_args()
    os.environ["EVALUATION_HOME"] = tempfile.mkdtemp(prefix="evaluation-bench-")

    Y, n_pre = demo_matrix()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"demo panel: {Y.shape[1]} kommuner x {Y.shape[0]} months "
          f"({Y.index[0]}..{Y.index[-1]}), pre-periods {n_pre}, treated {TREATED}; "
          f"{cores} cores, BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}")
    from evaluation.designs.synth import fit_synth

    r = args.repeat
    w_fit, c_fit, fit = best_of(lambda: fit_synth(Y, TREATED, n_pre), r)
    w_all, c_all, (fit, placebos) = best_of(lambda: ours(Y, n_pre), r)
    print(f"ours: fit (treated)                   : {w_fit:8.4f} s wall, {c_fit:8.4f} s CPU "
          f"(best of {r})")
    print(f"ours: fit + {placebos.n_placebos} placebos in space      : {w_all:8.4f} s wall, "
          f"{c_all:8.4f} s CPU (best of {r}; target <= 1 s)")
    print(f"ours: ATT {fit.att:+.3f}, pre-RMSPE {fit.pre_rmspe:.3f}, "
          f"{int((fit.weights > 0).sum())} donors with weight, "
          f"placebo p (RMSPE ratio) {placebos.p_value:.3f}, p (|ATT|) "
          f"{placebos.p_value_att:.3f}")
    if importlib.util.find_spec("pysyncon") is None:
        print(HOW_TO_GET_PYSYNCON)
        return
    compare_pysyncon(Y, n_pre, placebos, (w_fit, c_fit), (w_all, c_all),
                     args.pysyncon_placebos, r)


if __name__ == "__main__":
    main()
