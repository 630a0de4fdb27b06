"""Results computed from one panel, remembered while that panel lives.

An evaluation re-fits its designs dozens of times on the *same* panel object (placebo dates,
shorter windows, the sensitivity grid, the horizon check). Each re-fit used to pivot the long
panel into periods × units tables again — about 40 % of the work of a re-fit. :func:`per_frame`
remembers such results per panel object: keyed by the object's identity, forgotten when the
object is garbage collected, and checked against a fingerprint (shape, columns and the sums of the
value and population columns) so that a panel changed in place is never answered from the memory.

A fingerprint reads the whole value and population columns (about 0.2 ms on the demo's 205 920
rows), and a run asks the memory some 1 600 times. Inside :func:`unchanged_panels` — the
evaluation's steps, which read their panels and never change them — each panel's fingerprint
is taken the first time it is asked about and again when the block ends: a panel changed in
the block raises there, and what was remembered for it is forgotten.

Callers get copies of DataFrames, never the remembered object itself.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from evaluation.data import panel as panel_module

T = TypeVar("T")
_MEMORY: dict[int, tuple[weakref.ref, tuple, dict[tuple, Any]]] = {}
#: per thread: the panels fingerprinted in the current :func:`unchanged_panels` block
_BLOCK = threading.local()


def _fingerprint(frame: pd.DataFrame) -> tuple:
    # ``tolist`` converts a text index at once (iterating it converts each label)
    parts: list[Any] = [frame.shape, tuple(frame.columns.tolist())]
    for column in ("value", "population"):
        if column in frame.columns:
            parts.append(_column_sum(frame[column]))
    return tuple(parts)


def _column_sum(column: pd.Series) -> Any:
    """A sum that changes when a value changes: of the 64-bit patterns of a float column
    (wrapping; NaN has a pattern too, so no copy is made to skip it), else of the values."""
    values = column.to_numpy()
    if values.dtype == np.float64:
        return int(np.ascontiguousarray(values).view(np.uint64).sum(dtype=np.uint64))
    return float(np.nansum(column.to_numpy(dtype=float, na_value=np.nan)))


def _slot(frame: pd.DataFrame) -> dict[tuple, Any]:
    key = id(frame)
    entry = _MEMORY.get(key)
    seen = getattr(_BLOCK, "seen", None)
    if (seen is not None and entry is not None and entry[0]() is frame
            and key in seen and seen[key][0]() is frame):
        return entry[2]  # fingerprinted earlier in this block, checked again at its end
    print_ = _fingerprint(frame)
    if seen is not None:
        seen[key] = (weakref.ref(frame), print_)
    if entry is not None and entry[0]() is frame and entry[1] == print_:
        return entry[2]
    results: dict[tuple, Any] = {}
    _MEMORY[key] = (weakref.ref(frame, lambda _ref, k=key: _MEMORY.pop(k, None)), print_,
                    results)
    return results


class PanelChangedError(RuntimeError):
    """A panel was changed in place inside :func:`unchanged_panels`."""


@contextlib.contextmanager
def unchanged_panels() -> Iterator[None]:
    """A block of work that does not change the panels it reads: each panel's fingerprint is
    taken once, when the memory is first asked about it, instead of at every question, and
    taken again when the block ends. A panel whose fingerprint changed raises
    :class:`PanelChangedError` (unless the block already raises) and its memory is forgotten,
    so nothing remembered from the changed panel is answered again. Nested blocks are one
    block; each thread has its own."""
    if getattr(_BLOCK, "seen", None) is not None:
        yield
        return
    seen: dict[int, tuple[weakref.ref, tuple]] = {}
    _BLOCK.seen = seen
    failed = True
    try:
        yield
        failed = False
    finally:
        _BLOCK.seen = None
        changed = []
        for key, (ref, print_) in seen.items():
            frame = ref()
            if frame is not None and _fingerprint(frame) != print_:
                entry = _MEMORY.get(key)
                if entry is not None and entry[0]() is frame:
                    del _MEMORY[key]
                changed.append(frame.shape)
        if changed and not failed:
            raise PanelChangedError(
                f"A panel of shape {changed[0]} was changed in place while the evaluation read "
                "it; what was remembered for it is forgotten (the panels must not be changed "
                "during a step).")


def _copy(value: Any) -> Any:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy()
    if isinstance(value, dict):
        return dict(value)
    return value


def per_frame(fn: Callable[..., T]) -> Callable[..., T]:
    """Remember ``fn(frame, *args)`` per panel object (hashable ``args`` only)."""

    @functools.wraps(fn)
    def wrapper(frame: pd.DataFrame, *args: Any) -> T:
        results = _slot(frame)
        key = (fn.__module__, fn.__qualname__, *args)
        if key not in results:
            results[key] = fn(frame, *args)
        return _copy(results[key])

    wrapper.uncached = fn  # type: ignore[attr-defined]
    wrapper.key = lambda *args: (fn.__module__, fn.__qualname__, *args)  # type: ignore
    return wrapper


def remember(frame: pd.DataFrame, known: list[tuple[Callable[..., Any], tuple, Any]]) -> None:
    """Take each ``value`` of ``known`` — ``(function, args, value)``, the function one of
    :func:`per_frame` — as ``function(frame, *args)`` from now on: for results known to equal
    them, e.g. cut from a larger panel's. Callers still get copies; the caller must not change
    a value afterwards."""
    results = _slot(frame)
    for function, args, value in known:
        results[function.key(*args)] = value  # type: ignore[attr-defined]


def rows_until(frame: pd.DataFrame, last: str) -> pd.DataFrame:
    """The rows of ``frame`` up to period ``last`` (``frame[frame["period"] <= last]``), the same
    object for the same ``frame`` and ``last`` while ``frame`` is unchanged — ``frame`` itself
    when no row comes later — so that what is remembered per panel serves every caller of the
    cut: the re-fits of all designs at one placebo date share one cut and its tables.

    Not a copy: callers must not change it, as they must not change the panel itself. Each cut
    (and what is remembered for it) lives as long as the panel: the demo evaluation's dozen cuts
    raise its peak memory by about 70–100 MB (650–680 MB against 577 MB)."""
    results = _slot(frame)
    key = (__name__, "rows_until", last)
    cut = results.get(key)
    if cut is None:
        keep = frame["period"] <= last
        cut = frame if bool(keep.all()) else frame[keep]
        results[key] = cut
    return cut


@per_frame
def wide(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """:func:`evaluation.data.panel.wide`, remembered per panel."""
    return panel_module.wide(frame, measure)


@per_frame
def wide_until(frame: pd.DataFrame, measure: str, last: str) -> pd.DataFrame:
    """:func:`evaluation.data.panel.wide` of the rows up to period ``last``, remembered per
    panel (the re-fits of a design at earlier dates share it).

    Cut from the whole table (:func:`wide`, built once) instead of filtering the long panel
    for every date: the periods up to ``last``, and the units with a row by then (a unit whose
    rows all come later has no column, as in the table of the filtered rows; a unit with rows
    but no values keeps its empty column)."""
    table = wide(frame, measure)
    first = _first_rows(frame, measure)
    return table.loc[table.index <= last, [u for u in table.columns if first[u] <= last]]


@per_frame
def _first_rows(frame: pd.DataFrame, measure: str) -> dict[str, str]:
    """Each unit's first period with a row of ``measure`` (a value or not)."""
    rows = panel_module.rows_where(frame, frame["measure"] == measure, ["unit", "period"])
    return {str(u): str(p) for u, p in rows.groupby("unit")["period"].min().items()}


@per_frame
def unit_means(frame: pd.DataFrame, measure: str) -> pd.Series:
    """Each unit's mean of ``measure`` over all its periods, remembered per panel."""
    rows = panel_module.rows_where(frame, frame["measure"] == measure, ["unit", "value"])
    return rows.groupby("unit")["value"].mean()


@per_frame
def unit_names(frame: pd.DataFrame) -> dict[str, str]:
    """:func:`evaluation.data.panel.unit_names`, remembered per panel."""
    return panel_module.unit_names(frame)


def clear() -> None:
    """Forget everything (tests)."""
    _MEMORY.clear()
