"""Checks and lookups shared by the designs that work on wide matrices (periods × units)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import DesignError


def positions(index: Any, labels: Sequence[Hashable]) -> np.ndarray:
    """Where ``labels`` are in ``index`` (a pandas Index or a list, of unique labels), for
    reading a table's array by position; a label not there is a KeyError, as with ``.loc``,
    and an index with a label twice is an error, as for ``get_indexer``.

    Looked up in a dict of the index's labels: ``index.get_indexer(labels)`` first makes an
    Index of a list of labels (with pandas' Arrow strings, 0.15–0.2 ms for the demo's 290
    kommuner); the dict costs a third of that, built included."""
    at = positions_or_missing(index, labels)
    if (at < 0).any():
        missing = [label for label, i in zip(labels, at, strict=True) if i < 0]
        raise KeyError(f"{missing} not in index")
    return at


def positions_or_missing(index: Any, labels: Sequence[Hashable]) -> np.ndarray:
    """``index.get_indexer(labels)`` — each label's position in ``index``, −1 where it is not
    there — by a dict of the index's labels (see :func:`positions`); an index with a label
    twice is ``get_indexer``'s error."""
    names = index.tolist() if hasattr(index, "tolist") else list(index)
    lookup = dict(zip(names, range(len(names))))
    if len(lookup) != len(names):
        return pd.Index(names).get_indexer(labels)  # raises: the labels are not unique
    return np.fromiter((lookup.get(label, -1) for label in labels), dtype=np.intp,
                       count=len(labels))


def on_grid(series: Any, periods: Sequence[Hashable]) -> np.ndarray:
    """``series.reindex(periods).to_numpy(float)`` without a Series (NaN where a period is
    missing; a period twice in ``series`` is an error, as for ``reindex``): a reindex to a list
    of text labels builds an index of pandas' Arrow strings first (0.2–0.4 ms a call)."""
    at = positions_or_missing(series.index, periods)  # raises on a label twice, as reindex
    values = series.to_numpy(dtype=float)
    return np.where(at >= 0, values[np.maximum(at, 0)] if len(values) else np.nan, np.nan)


def float_columns(frame: Any, labels: Sequence[Hashable], index: Any = None) -> np.ndarray:
    """``frame[labels].to_numpy(dtype=float)`` as a new array, the columns read by position
    (:func:`positions` of ``labels`` in ``index``, default the frame's columns; a label not
    there is a KeyError). Selecting by label builds a new frame and its column index, which
    cost 0.3–0.5 ms a call on the demo's 290 kommuner, with pandas' Arrow-string labels most;
    this costs 0.1 ms. The array is laid out as the selection's from a table with an array of
    its own (one column per unit contiguous, as the panel's ``wide`` tables give), so what is
    computed from it is the same to the last bit."""
    at = positions(frame.columns if index is None else index, labels)
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):  # a column left out that is not a number
        return frame.iloc[:, at].to_numpy(dtype=float)
    return values[:, at]


def mean_skipping_nan(values: np.ndarray, axis: int | None = None) -> Any:
    """The mean of ``values`` without their NaN — along ``axis``, or of all of them as a
    float — NaN where every value is NaN. The arithmetic of pandas' ``mean()`` (NaN filled with
    zero, summed, divided by the count), so an array read from a table gives the table's
    mean."""
    ok = ~np.isnan(values)
    count = ok.sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(ok, values, 0.0).sum(axis=axis) / count
    return float(mean) if axis is None else mean


def donor_columns(columns: Sequence[Hashable], treated: Sequence[Hashable],
                  donors: Sequence[Hashable] | None) -> list[Hashable]:
    """The comparison units: every column but the treated ones when ``donors`` is None, else
    ``donors`` after checking that each is in the data, none is treated and none repeats."""
    treated = list(treated)
    if donors is None:
        treated_set = set(treated)
        return [c for c in columns if c not in treated_set]
    pool = list(donors)
    columns = set(columns)
    missing = [str(d) for d in pool if d not in columns]
    if missing:
        raise DesignError(
            f"Jämförelseenheterna {', '.join(missing[:5])} finns inte i data: ta bort dem ur "
            "listan eller hämta deras data.",
            f"The comparison units {', '.join(missing[:5])} are not in the data: remove them "
            "from the list or load their data.",
        )
    treated_set = set(treated)
    inside = [str(d) for d in pool if d in treated_set]
    if inside:
        raise DesignError(
            f"Den behandlade enheten {', '.join(inside)} står också bland jämförelseenheterna: "
            "ta bort den ur listan.",
            f"The treated unit {', '.join(inside)} is also listed as a comparison unit: remove "
            "it from the list.",
        )
    if len(set(pool)) != len(pool):
        raise DesignError(
            "Någon jämförelseenhet står flera gånger i listan: ange varje enhet en gång.",
            "A comparison unit is listed several times: give each unit once.",
        )
    return pool
