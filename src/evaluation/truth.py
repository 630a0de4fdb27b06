"""The simulated truth, computed for the same estimand and window as each result."""

from __future__ import annotations

import pandas as pd

from evaluation.results import EffectResult


def truth_for(result: EffectResult, truth: pd.DataFrame | None) -> dict[str, float] | None:
    """True value of ``result``'s estimand from the simulator's per-period truth table.

    ``truth`` has columns unit, period, measure, effect (natural units) and counterfactual
    (the value without the effect). Returns ``{"average_effect": …, "relative_effect": …}``
    (relative only for counts) or None when the unit has no recorded truth.
    """
    if truth is None:
        return None
    rows = truth[(truth["unit"] == result.treated) & (truth["measure"] == result.outcome)]
    if rows.empty:
        return None
    rows = rows.set_index("period").sort_index()
    start, end = result.post_window
    if result.design == "decomposition":
        # The decomposition compares two periods: the true deviation at the later one net of
        # the (scaled) effect already present at the earlier one.
        # With averaging windows (``compare_window``) both ends are window means.
        t0 = str(result.frame.index[0])
        windows = result.diagnostics.get("windows") or [[t0, t0], [end, end]]
        (a0, b0), (a1, b1) = windows
        w0, w1 = rows.loc[str(a0):str(b0)], rows.loc[str(a1):str(b1)]
        e0 = float(w0["effect"].mean()) if len(w0) else 0.0
        c0 = float(w0["counterfactual"].mean()) if len(w0) else float("nan")
        e1 = float(w1["effect"].mean()) if len(w1) else 0.0
        c1 = float(w1["counterfactual"].mean()) if len(w1) else float("nan")
        if result.kind == "count" and c0 > 0:
            deviation = e1 - e0 * c1 / c0
            return {"average_effect": deviation, "relative_effect": deviation / (c1 + e0 * c1 / c0)}
        return {"average_effect": e1 - e0}
    window = rows.loc[(rows.index >= start) & (rows.index <= end)]
    if window.empty:
        return None
    out = {"average_effect": float(window["effect"].mean())}
    if result.kind == "count":
        out["relative_effect"] = float(window["effect"].sum() / window["counterfactual"].sum())
    return out
