"""Seeded Monte Carlo checks that the 95 % intervals cover the true effect about 95 % of the time.

Pass criterion: the empirical coverage over R draws lies in 0.95 ± 2·√(0.95·0.05/R)
(for R = 200: 0.919–0.981). The data-generating processes are in ``_design_sim.py``:

* ITS: one kommun and the nation; local = national-driven mean + seasonality + AR(1) errors
  (φ = 0.7, stationary sd 0.2 on the natural scale for rates, 0.2 on the log scale plus Poisson
  noise for counts); 48 pre-months, 12 post-months, effect phased in over 6 months. The truth
  is the realised mean of (observed − counterfactual outcome), so the interval must cover the
  counterfactual's own noise.
* Decomposition: 150 kommuner, size-dependent noise, two periods. With N = 59 similar units
  the rank interval's exact coverage under exchangeability is 1 − 2/60 = 0.967.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _design_sim import decomposition_draw, its_draw

from evaluation.designs.decomposition import N_SIMILAR, decomposition
from evaluation.designs.its import its

R = 200
LEVEL = 0.95
BAND = 2 * math.sqrt(LEVEL * (1 - LEVEL) / R)


def _assert_coverage(hits: list[bool], what: str) -> float:
    coverage = float(np.mean(hits))
    assert abs(coverage - LEVEL) <= BAND, (
        f"{what}: coverage {coverage:.3f} outside {LEVEL} ± {BAND:.3f} over {R} draws")
    return coverage


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "outcome", "effect"), [
    ("rate", "unemployment_rate", -0.5),
    ("count", "households_assistance", -0.15),
])
def test_its_interval_coverage(kind, outcome, effect):
    hits = []
    for seed in range(R):
        panel, intervention, truth = its_draw(seed=seed, kind=kind, effect=effect)
        res = its(panel, outcome=outcome, treated="1987", intervention=intervention)
        hits.append(res.ci[0] <= truth <= res.ci[1])
    # observed (seeds 0–199): rate 0.945, count 0.975 (before the ITS support envelope: 0.950,
    # 0.975)
    _assert_coverage(hits, f"its {kind}")


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "outcome", "effect"), [
    ("rate", "unemployment_rate", -0.8),
    ("count", "households_assistance", -0.15),
])
def test_decomposition_interval_coverage(kind, outcome, effect):
    hits = []
    for seed in range(R):
        panel, truth = decomposition_draw(seed=seed, kind=kind, effect=effect)
        res = decomposition(panel, outcome=outcome, treated="1987",
                            compare_periods=("2022-04", "2023-04"))
        assert res.diagnostics["n_units"] == N_SIMILAR
        hits.append(res.ci[0] <= truth <= res.ci[1])
    _assert_coverage(hits, f"decomposition {kind}")  # observed (59 units): rate 0.970, count 0.965
