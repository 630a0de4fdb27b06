"""The shipped yearly demo (notebooks/params/exempelstad_ar.yaml: 7 pre-years, 289 kommuner):
every design reports a finite interval within the spread of the outcome across the panel — no
end further from the estimate than the standard deviation over all kommun-years (2.60 p.p. for
unemployment) — and a p-value that agrees with it.

Measured (unemployment, widths): decomposition 1.88, ITS 2.72, SC 1.68, DiD 2.55, SDID 1.55;
largest half-width 1.36 (ITS). The first version of this test bounded the full width by one
SD; the yearly ITS now allows a damped local trend of the kommun's own (its pre-period
residuals fall by 1.1 p.p. over the seven years), and four years forecast from seven are
honestly that uncertain (the same model is calibrated at 7 pre / 4 post years: 1.3 % false
alarms, width 0.98 of the oracle; see ``AR1DampedTrendErrors``).

Before issue 10 synthetic control divided each placebo by its own pre-period RMSPE; with seven
pre-years 35 of 79 placebos fitted to 1e-6 and the printed interval was ±10¹² p.p. The size
scales are now pooled across kommuner (donor_designs.size_scales) and cannot collapse.
"""

from __future__ import annotations

import math

import pytest

from evaluation.evaluate import Evaluation
from evaluation.paths import params_dir
from evaluation.spec import load_spec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def yearly():
    ev = Evaluation.from_spec(load_spec(params_dir() / "exempelstad_ar.yaml"))
    return ev, ev.estimate()


def test_every_yearly_interval_is_finite_and_honest(yearly):
    ev, results = yearly
    panel = ev.inputs.panel
    assert {r.design for r in results} == {"decomposition", "its", "synthetic_control", "did",
                                           "sdid"}
    for r in results:
        kommuner = panel[(panel["measure"] == r.outcome) & (panel["unit"].str.len() == 4)]
        spread = kommuner["value"].std()
        assert r.testable, (r.outcome, r.design)
        lo, hi = r.ci
        assert math.isfinite(lo) and math.isfinite(hi)
        assert max(hi - r.average_effect, r.average_effect - lo) <= spread, (
            r.outcome, r.design, r.ci, spread)
        assert (r.p_value <= 0.05) == r.significant, (r.outcome, r.design, r.p_value)
