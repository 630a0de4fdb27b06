"""What changed since the previous data vintage, and the history of an evaluation's results.

Each successful run publishes ``reports/<id>/<vintage>/`` and refreshes ``senaste/``. While the
notebook of a new vintage runs, ``senaste/summary.json`` is still the previous vintage's, so the
report can say what changed: new and revised months of the evaluated kommun's series, and each
design's estimate, interval, verdict and (synthetic control) donor weights. After publishing,
the run appends one row per outcome and design to ``reports/<id>/history.csv``; the report
shows that history as a small table.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation import paths
from evaluation.verdict import significance as _verdict  # one result's verdict key

HISTORY_FILE = "history.csv"
HISTORY_COLUMNS = ("data_vintage", "settings", "last_period", "outcome", "design",
                   "average_effect", "ci_low", "ci_high", "relative_effect", "p_value",
                   "verdict")
LATEST = "senaste"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def previous_summary(evaluation_id: str, settings: str | None = None) -> dict[str, Any] | None:
    """The newest published summary of the evaluation — with ``settings`` (the hash of the
    settings that change results, :func:`evaluation.spec.settings_key`), the newest of that
    configuration only, so that change notes never compare two configurations; None before
    the first run (of that configuration)."""
    root = paths.reports_dir() / evaluation_id
    latest = _read(root / LATEST / "summary.json") if (root / LATEST).is_dir() else None
    if settings is None or (latest and latest.get("settings") == settings):
        return latest
    found = []
    for folder in root.glob(f"*-{settings}") if root.is_dir() else []:
        summary = _read(folder / "summary.json")
        if summary and summary.get("settings") == settings:
            found.append((str(summary.get("data_vintage") or ""), folder.stat().st_mtime,
                          summary))
    return max(found, key=lambda item: item[:2])[2] if found else None


def _close(a: Any, b: Any, tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)


def compare(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> dict[str, Any]:
    """Changes from ``previous`` to ``current`` summary (None: first run).

    Returns ``{"previous_vintage", "same_data", "new_periods", "revised", "finalised",
    "results", "weights"}`` where ``revised`` lists ``{outcome, period, old, new}`` for values
    of the evaluated kommun that changed, ``finalised`` (listed separately) the values that were
    preliminary and are now final, changed or not, ``results`` each design whose estimate,
    interval or verdict changed, and ``weights`` the synthetic-control donors whose weight moved
    by ≥ 0.01.
    """
    if not previous:
        return {"previous_vintage": None, "same_data": False, "new_periods": [], "revised": [],
                "finalised": [], "results": [], "weights": []}
    old_series = previous.get("treated_series") or {}
    new_series = current.get("treated_series") or {}
    old_status = previous.get("treated_status") or {}
    new_status = current.get("treated_status") or {}
    new_periods: set[str] = set()
    revised, finalised = [], []
    for outcome, values in new_series.items():
        before = old_series.get(outcome) or {}
        was_preliminary = old_status.get(outcome) or {}
        is_preliminary = new_status.get(outcome) or {}
        for period, value in sorted(values.items()):
            change = {"outcome": outcome, "period": period, "old": before.get(period),
                      "new": value}
            if period not in before:
                new_periods.add(period)
            elif period in was_preliminary and period not in is_preliminary:
                finalised.append(change)
            elif not _close(before[period], value, 1e-12):
                revised.append(change)
    old_results = {(r["outcome"], r["design"]): r for r in previous.get("results") or []}
    results, weights = [], []
    for r in current.get("results") or []:
        key = (r["outcome"], r["design"])
        old = old_results.get(key)
        if old is None:
            continue
        changed = (not _close(old.get("average_effect"), r.get("average_effect"), 1e-9)
                   or any(not _close(a, b, 1e-9) for a, b in
                          zip(old.get("ci") or [None, None], r.get("ci") or [None, None],
                              strict=True))
                   or _verdict(old) != _verdict(r))
        if changed:
            results.append({"outcome": key[0], "design": key[1],
                            "old": old.get("average_effect"), "new": r.get("average_effect"),
                            "old_ci": old.get("ci"), "new_ci": r.get("ci"),
                            "old_verdict": _verdict(old), "new_verdict": _verdict(r)})
        if key[1] == "synthetic_control":
            ow, nw = old.get("weights") or {}, r.get("weights") or {}
            for unit in sorted(set(ow) | set(nw)):
                a, b = float(ow.get(unit, 0.0)), float(nw.get(unit, 0.0))
                if abs(a - b) >= 0.01:
                    weights.append({"outcome": key[0], "unit": unit, "old": a, "new": b})
    return {
        "previous_vintage": previous.get("data_vintage"),
        "same_data": previous.get("data_vintage") == current.get("data_vintage"),
        "new_periods": sorted(new_periods),
        "revised": revised,
        "finalised": finalised,
        "results": results,
        "weights": weights,
    }


def history_rows(summary: Mapping[str, Any]) -> pd.DataFrame:
    """One row per outcome and design of a summary, in :data:`HISTORY_COLUMNS`."""
    rows = []
    for r in summary.get("results") or []:
        ci = r.get("ci") or [None, None]
        rows.append({
            "data_vintage": summary.get("data_vintage"),
            "settings": summary.get("settings"),
            "last_period": (summary.get("data_vintage") or "").rsplit("-", 1)[0],
            "outcome": r.get("outcome"), "design": r.get("design"),
            "average_effect": r.get("average_effect"), "ci_low": ci[0], "ci_high": ci[1],
            "relative_effect": r.get("relative_effect"), "p_value": r.get("p_value"),
            "verdict": _verdict(r),
        })
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def history_path(evaluation_id: str) -> Path:
    return paths.reports_dir() / evaluation_id / HISTORY_FILE


def read_history(evaluation_id: str) -> pd.DataFrame:
    """``history.csv`` of an evaluation (empty frame before the first run)."""
    path = history_path(evaluation_id)
    if not path.is_file():
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    table = pd.read_csv(path, dtype={"data_vintage": str, "last_period": str,
                                     "settings": str})
    if "settings" not in table.columns:  # written before reports were keyed by settings
        table.insert(1, "settings", None)
    return table


def record(evaluation_id: str, summary: Mapping[str, Any]) -> Path:
    """Add (or replace) this vintage's and configuration's rows in ``history.csv`` (written
    atomically; rows of other configurations are kept, marked by their ``settings``)."""
    from evaluation.data.store import write_bytes

    old = read_history(evaluation_id)
    same = (old["data_vintage"] == summary.get("data_vintage")) & (
        old["settings"].fillna("") == (summary.get("settings") or ""))
    old = old[~same]
    new = history_rows(summary)
    frames = [f for f in (old, new) if not f.empty]
    table = pd.concat(frames, ignore_index=True) if frames else new
    table = table.sort_values(["last_period", "data_vintage", "outcome", "design"],
                              kind="stable")
    buffer = io.StringIO()
    table.to_csv(buffer, index=False)
    return write_bytes(history_path(evaluation_id), buffer.getvalue().encode("utf-8"))
