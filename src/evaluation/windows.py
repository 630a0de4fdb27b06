"""The decomposition's default comparison windows, in a module of their own: the spec module
reads them without importing the designs package (scipy and statsmodels, about 0.7 s of
start-up). :mod:`evaluation.designs.decomposition` re-exports them.
"""

from __future__ import annotations

from evaluation.data.panel import period_frequency, shift_period

#: Periods averaged at each end by default: a full year for monthly data (the year before the
#: change against the first year), so month-to-month noise and seasonality largely cancel.
COMPARE_WINDOW = {"monthly": 12, "yearly": 1}


def default_compare_periods(intervention: str, window: int | None = None) -> list[str]:
    """The decomposition's default ``(t0, t1)``: the base is always the period before the
    intervention (never an already treated one), the end the last period of the first post
    window.

    Monthly data: the month before the intervention and the last month of the first
    ``max(window, 12)`` months, so with the default 12-month window the year before is compared
    with the first year. Yearly data: the year before the intervention and the last of the first
    ``window`` post years (by default the intervention year itself, the first treated year).
    """
    if period_frequency(intervention) == "yearly":
        length = max(int(window or COMPARE_WINDOW["yearly"]), 1)
    else:
        length = max(int(window or COMPARE_WINDOW["monthly"]), 12)
    return [shift_period(intervention, -1), shift_period(intervention, length - 1)]
