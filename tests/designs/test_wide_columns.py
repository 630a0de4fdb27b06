"""Lookups shared by the wide-matrix designs (evaluation.designs.wide): reading columns by
position must give what selecting them by label gives — the same numbers, the same memory
layout (so that sums over it round the same way), a new array — and refuse what ``.loc``
refuses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.designs.wide import float_columns, positions, positions_or_missing


def _table(labels) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    values = rng.normal(size=(12, len(labels)))
    values[2, 1] = np.nan
    return pd.DataFrame(values, index=[f"2021-{m:02d}" for m in range(1, 13)],
                        columns=pd.Index(labels, dtype=object))


@pytest.mark.parametrize("dtype", [object, "str"])
def test_float_columns_equal_the_selection_with_its_layout(dtype):
    """On a table as the panel's ``wide`` builds it (its own array, one column per unit)."""
    table = _table(["0180", "1480", "1987", "2480", "0114"])
    table.columns = pd.Index(list(table.columns), dtype=dtype)
    labels = ["1987", "0114", "1480"]
    expected = table[labels].to_numpy(dtype=float)
    got = float_columns(table, labels)
    np.testing.assert_array_equal(got, expected)
    assert got.strides == expected.strides and got.flags["F_CONTIGUOUS"]
    assert np.nansum(got, axis=0).tobytes() == np.nansum(expected, axis=0).tobytes()
    got[:] = 0.0  # a new array: the table is not changed
    assert np.isfinite(table.to_numpy()).sum() == table.size - 1


def test_float_columns_look_labels_up_in_the_index_given():
    table = _table([180, 1480, 1987])  # integer labels, looked up as text
    got = float_columns(table, ["1987", "180"], index=pd.Index(["180", "1480", "1987"]))
    np.testing.assert_array_equal(got, table[[1987, 180]].to_numpy(dtype=float))


def test_a_missing_label_is_a_key_error():
    table = _table(["0180", "1480"])
    with pytest.raises(KeyError, match="9999"):
        float_columns(table, ["0180", "9999"])
    with pytest.raises(KeyError):
        positions(table.columns, ["nope"])


def test_a_column_left_out_may_hold_text_but_a_column_read_may_not():
    table = _table(["0180", "1480"])
    table["namn"] = "Stockholm"
    np.testing.assert_array_equal(float_columns(table, ["1480", "0180"]),
                                  table[["1480", "0180"]].to_numpy(dtype=float))
    with pytest.raises(ValueError):
        float_columns(table, ["namn"])


@pytest.mark.parametrize("dtype", [object, "str"])
def test_positions_equal_get_indexer_and_refuse_what_it_refuses(dtype):
    """Looked up in a dict, the positions are ``get_indexer``'s for every kind of label the
    designs pass (a list, numpy strings, an Index, a period index, nothing); a label not there
    is a KeyError naming it, and an index with a label twice is ``get_indexer``'s error."""
    units = pd.Index(["0180", "1480", "1987", "2480", "0114"], dtype=dtype)
    periods = pd.Index([f"2021-{m:02d}" for m in range(1, 13)], dtype=dtype)
    for index, labels in ((units, ["1987", "0114", "1480"]),
                          (units, np.array(["2480", "0180"])),
                          (units, pd.Index(["0114"], dtype=dtype)),
                          (periods, [f"2021-{m:02d}" for m in (12, 3, 4)]),
                          (units, [])):
        got = positions(index, labels)
        np.testing.assert_array_equal(got, index.get_indexer(labels))
        assert got.dtype == np.intp
    with pytest.raises(KeyError, match="'9999', '0000'"):
        positions(units, ["0180", "9999", "0000"])
    with pytest.raises(pd.errors.InvalidIndexError):
        positions(pd.Index(["0180", "1480", "0180"], dtype=dtype), ["1480"])
    # a plain list of labels serves as the index too (DiD's checked column labels)
    np.testing.assert_array_equal(positions(units.tolist(), ["2480", "0180"]), [3, 0])
    with pytest.raises(pd.errors.InvalidIndexError):
        positions(["0180", "1480", "0180"], ["1480"])


@pytest.mark.parametrize("dtype", [object, "str"])
def test_positions_or_missing_equal_get_indexer(dtype):
    """−1 where a label is not in the index, as ``get_indexer`` (what the ITS's grid and the
    decomposition's gap check read); a label twice in the index is its error."""
    periods = pd.Index([f"2021-{m:02d}" for m in (1, 2, 4, 5)], dtype=dtype)
    for labels in ([f"2021-{m:02d}" for m in range(1, 7)], ["2020-12"], []):
        got = positions_or_missing(periods, labels)
        np.testing.assert_array_equal(got, periods.get_indexer(labels))
    with pytest.raises(pd.errors.InvalidIndexError):
        positions_or_missing(pd.Index(["2021-01", "2021-01"], dtype=dtype), ["2021-01"])
