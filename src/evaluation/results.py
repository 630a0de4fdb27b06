"""The result contract every design returns.

Estimands, stated once and used everywhere:

* ``average_effect`` — mean over the post window of (observed − counterfactual), in the outcome's
  natural unit (percentage points for rates, households/persons for counts);
* ``relative_effect`` (count outcomes) — Σ(observed − counterfactual) / Σ counterfactual over the
  same window;
* ``cumulative_effect`` — Σ(observed − counterfactual) over the window.

The interval and the p-value come from the same procedure: two-sided, H0: average effect = 0.
"""

from __future__ import annotations

import copy
import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

CI_LEVEL = 0.95
#: Diagnostics copied into ``summary.json``: how the interval was made and what it can reach.
INFERENCE_KEYS = ("inference", "n_placebo", "model_based", "permutation_min_p",
                  "rmspe_ratio_rank", "rmspe_ratio_p_value", "not_testable_reason",
                  "in_time_widened", "in_time_estimates", "ci_in_space",
                  # the verdict's gates (evaluation.verdict): DiD's pre-trend test, synthetic
                  # control's pre-period fit against the placebo units', a before–after model
                  "pretrend_p_value", "pre_rmspe", "placebo_pre_rmspe_median", "has_comparison")


@dataclass
class EffectResult:
    """One design's estimate for one outcome.

    ``frame`` is indexed by period (string) with columns ``observed``, ``counterfactual``,
    ``effect`` and ``post`` (bool), optionally ``counterfactual_low``/``counterfactual_high``
    (pointwise band) and ``comparison`` (the comparison series used, for plotting).
    """

    design: str
    outcome: str
    kind: str  # "rate" or "count"
    unit: str  # natural unit key: "pp" or the count unit ("households", ...)
    treated: str
    treated_name: str
    intervention: str
    post_window: tuple[str, str]
    frame: pd.DataFrame
    average_effect: float
    ci: tuple[float, float] | None
    p_value: float | None
    p_value_method: str
    estimand: str = "average_effect"
    cumulative_effect: float | None = None
    cumulative_ci: tuple[float, float] | None = None
    relative_effect: float | None = None
    relative_ci: tuple[float, float] | None = None
    ci_level: float = CI_LEVEL
    weights: dict[str, Any] | None = None
    truth: dict[str, float] | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ views
    @property
    def testable(self) -> bool:
        """False when the design cannot attain its stated interval level ("ej prövbar")."""
        return self.ci is not None and all(math.isfinite(v) for v in self.ci)

    @property
    def significant(self) -> bool:
        return self.testable and (self.ci[0] > 0 or self.ci[1] < 0)

    def to_frame(self) -> pd.DataFrame:
        """Per-period table: observed, counterfactual, effect (and bands where present)."""
        return self.frame.copy()

    def plot_data(self) -> pd.DataFrame:
        return self.frame.reset_index().rename(columns={"index": "period"})

    def to_dict(self) -> dict[str, Any]:
        """The ``summary.json`` record (no NaN: missing values become null)."""
        return _clean(
            {
                "outcome": self.outcome,
                "design": self.design,
                "kind": self.kind,
                "estimand": self.estimand,
                "post_window": list(self.post_window),
                "average_effect": self.average_effect,
                "relative_effect": self.relative_effect,
                "ci": list(self.ci) if self.ci is not None else None,
                "relative_ci": list(self.relative_ci) if self.relative_ci is not None else None,
                "cumulative_effect": self.cumulative_effect,
                "cumulative_ci": list(self.cumulative_ci) if self.cumulative_ci else None,
                "unit": self.unit,
                "p_value": self.p_value,
                "p_value_method": self.p_value_method,
                "ci_level": self.ci_level,
                "weights": self.weights,
                "truth": self.truth,
                "inference": {k: self.diagnostics[k] for k in INFERENCE_KEYS
                              if self.diagnostics.get(k) is not None} or None,
            }
        )

    def summary(self) -> pd.Series:
        d = self.to_dict()
        return pd.Series({k: d[k] for k in ("design", "outcome", "average_effect", "ci",
                                            "relative_effect", "relative_ci", "p_value")})

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in self.summary().items()
        )
        return f"<table>{rows}</table>"


def _clean(value: Any) -> Any:
    """Make a structure JSON-safe: numpy scalars to Python, NaN/inf to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def pre_period_mean(frame: pd.DataFrame) -> float | None:
    """The mean of a result frame's observed pre-period values (``post`` false; missing values
    left out), or None when there is none: what the verdict, the reliability check's reference
    step and the national screen read as the outcome's level before the change (one
    definition, so that the screen's verdict equals the report's)."""
    observed = frame["observed"].to_numpy(dtype=float)
    keep = ~frame["post"].to_numpy(dtype=bool) & ~np.isnan(observed)
    # the values of .loc[~post, "observed"].dropna(), in order, and pandas' mean of them: with
    # no NaN left that is numpy's sum over the count (pandas' nanmean), without a Series
    values = observed[keep]
    return float(values.sum() / len(values)) if len(values) else None


def clean_json(value: Any) -> Any:
    return _clean(value)


#: Values a JSON document shares with its copy: they cannot be changed in place.
_IMMUTABLE = (str, int, float, bool, type(None))


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON document (what :func:`clean_json` makes): new dicts and lists,
    the immutable scalars shared, anything else copied by :func:`copy.deepcopy`. On the demo's
    ``summary.json`` 1.1 ms instead of ``copy.deepcopy``'s 3, which keeps a memo of every
    object it copies (the report asks for the summary 17 times)."""
    if type(value) is dict:
        return {k: copy_json(v) for k, v in value.items()}
    if type(value) is list:
        return [copy_json(v) for v in value]
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)
