"""False alarms of the ITS under persistent errors, monthly and yearly (seeded Monte Carlo).

DGP: ``evaluation.checks.calibration_dgp`` — 30 donor kommuner plus the treated one, driven by
a national random walk (with month-of-year seasonality for monthly data); each kommun's local
error is an AR(1) with coefficient φ plus white noise, both scaled by √(20 000 / population)
(populations log-uniform 3 000–300 000); **no effect**. The ITS runs with its defaults
(comparison: the population-weighted nation without the treated kommun).

Reference: a 95 % interval excludes 0 in 5 % of the draws when there is no effect. Pass
criterion: the false-alarm rate over R seeded draws (seeds 0 … R − 1) lies in the Monte Carlo
band 0.05 ± 2·√(0.05·0.95/R) (R = 200: 0.019–0.081; R = 300: 0.025–0.075), and the median
interval width is at most 1.5 times the oracle width 2·1.96·sd(estimate − true effect) over
the same draws.

Yearly cells are judged one-sided (at most the band's upper end, as the calibration study's
binomial test does): the yearly default carries a damped local trend, which makes it
conservative where nothing drifts and keeps it calibrated where the kommun has a trend of its
own (the "unlike" cell: loading 1.6 and 0.1 a year).

Observed (these seeds): monthly 72 pre / 12 post months, φ = 0.9: 0.070, φ = 0.97: 0.075;
yearly 10 pre / 3 post years, φ = 0.6: 0.010, unlike 0.013 (median width / oracle 1.00 and
1.02); the plain AR(1) default before it: 0.030 and 0.117 (widths 0.72, 0.84), the latter
asserted below to exceed the band. Seeds
0–199 are on the high side for the monthly cells: over R = 1000 draws the rates are 0.048 and
0.065 (see the table in ``evaluation.designs.its``). Before the change (IndependentErrors as
the yearly default, AR(1)+noise averaging without the support envelope for monthly data) the
same cells gave 0.157 (yearly, asserted below to lie outside the band, so this check can fail)
and 0.085 / 0.105 (monthly φ = 0.9 / 0.97).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from evaluation.checks.calibration_dgp import OUTCOME, Cell, draw
from evaluation.designs.its import ErrorModel, IndependentErrors, its

LEVEL = 0.95
NOMINAL = 1 - LEVEL


def _band(R: int) -> tuple[float, float]:
    half = 2 * math.sqrt(NOMINAL * (1 - NOMINAL) / R)
    return NOMINAL - half, NOMINAL + half


def _false_alarms(cell: Cell, R: int,
                  error_model: ErrorModel | None = None) -> tuple[float, float, float]:
    """False-alarm rate, median width and oracle width over seeds 0 … R − 1."""
    rejected, widths, estimates = [], [], []
    for seed in range(R):
        d = draw(cell, seed=seed)
        res = its(d.panel, outcome=OUTCOME, treated=d.treated, intervention=d.intervention,
                  post_end=d.post_end, error_model=error_model)
        rejected.append(res.ci[0] > 0 or res.ci[1] < 0)
        widths.append(res.ci[1] - res.ci[0])
        estimates.append(res.average_effect - d.effect)
    oracle = 2 * 1.96 * float(np.std(estimates))
    return float(np.mean(rejected)), float(np.median(widths)), oracle


@pytest.mark.slow
@pytest.mark.parametrize(("cell", "R"), [
    (Cell(frequency="monthly", phi=0.9, n_donors=30), 200),
    (Cell(frequency="monthly", phi=0.97, n_donors=30), 200),
    (Cell(frequency="yearly", phi=0.6, n_donors=30), 300),
    (Cell(frequency="yearly", phi=0.6, n_donors=30, variant="unlike"), 300),
], ids=["monthly-0.9", "monthly-0.97", "yearly-0.6", "yearly-0.6-unlike"])
def test_false_alarms_within_the_monte_carlo_band(cell, R):
    rate, width, oracle = _false_alarms(cell, R)
    lo, hi = _band(R)
    if cell.frequency == "yearly":
        lo = 0.0  # one-sided: conservative is allowed, the width bound below limits it
    assert lo <= rate <= hi, (
        f"{cell.label()}: false alarms {rate:.3f} outside {NOMINAL} ± {hi - NOMINAL:.3f} "
        f"over {R} draws")
    assert width <= 1.5 * oracle, (
        f"{cell.label()}: median width {width:.3f} > 1.5 × oracle {oracle:.3f}")


@pytest.mark.slow
def test_independent_errors_on_yearly_data_exceed_the_band():
    """The old yearly default (independent errors, OLS t with n − k df) calls persistence an
    effect far more often than 5 %: observed 0.157 on seeds 0–299."""
    R = 300
    rate, _, _ = _false_alarms(Cell(frequency="yearly", phi=0.6, n_donors=30), R,
                               error_model=IndependentErrors())
    assert rate > _band(R)[1]


@pytest.mark.slow
def test_plain_ar1_errors_call_a_local_trend_an_effect():
    """The yearly default before the damped trend (AR(1) integrated over φ) carries the last
    residual forward but not a slope: a kommun with a trend of its own (0.1 a year) and loading
    1.6 gets false alarms above the band (observed 0.117 on seeds 0–299)."""
    from evaluation.designs.its import AR1Errors

    R = 300
    rate, _, _ = _false_alarms(Cell(frequency="yearly", phi=0.6, n_donors=30, variant="unlike"),
                               R, error_model=AR1Errors())
    assert rate > _band(R)[1]
