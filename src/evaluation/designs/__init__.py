"""Estimators of the local effect net of the national development, one function per design.

Every design returns an :class:`evaluation.results.EffectResult`.

* :func:`decomposition` — two-period change = national-predicted change + local deviation;
  interval from kommuner of similar size.
* :func:`its` — interrupted time series with the comparison series as control and an
  autocorrelated error model.
* :func:`comparison_series`, :func:`similar_units` — the comparison building blocks.
* :func:`segmented_poisson_its` — the Lopez Bernal et al. (2017) segmented Poisson GLM.
* :func:`synthetic_control`, :func:`did`, :func:`synthetic_did` — comparison-group designs
  against a donor pool (:func:`evaluation.designs.donors.donor_pool`; not imported here, since
  it reads the spec's validation), with studentised placebo-in-space inference; their
  numerical cores on wide matrices are :mod:`~evaluation.designs.synth`,
  :mod:`~evaluation.designs.did` and :mod:`~evaluation.designs.sdid`.

``evaluation check`` (and ``evaluation run`` before its notebook starts) reads the designs'
registry to check a spec, so no module of this package imports SciPy or statsmodels at its top:
each function imports what it uses, and a check, or a run whose data fail it, never pays for
them (``tests/test_imports.py`` checks it).
"""

from evaluation.designs.comparison import (
    ComparisonSeries,
    comparison_series,
    outcome_series,
    population_series,
    similar_units,
)
from evaluation.designs.decomposition import decomposition, rank_interval
from evaluation.designs.donor_designs import (
    comparison_group_design,
    did,
    synthetic_control,
    synthetic_did,
)
from evaluation.designs.glm import GlmFit, fit_poisson_glm, harmonics, segmented_poisson_its
from evaluation.designs.its import (
    AR1DampedTrendErrors,
    AR1Errors,
    AR1NoiseErrors,
    ErrorFit,
    ErrorModel,
    IndependentErrors,
    its,
)

__all__ = [
    "AR1DampedTrendErrors",
    "AR1Errors",
    "AR1NoiseErrors",
    "ComparisonSeries",
    "ErrorFit",
    "ErrorModel",
    "GlmFit",
    "IndependentErrors",
    "comparison_group_design",
    "comparison_series",
    "did",
    "decomposition",
    "fit_poisson_glm",
    "harmonics",
    "its",
    "outcome_series",
    "population_series",
    "rank_interval",
    "segmented_poisson_its",
    "similar_units",
    "synthetic_control",
    "synthetic_did",
]
