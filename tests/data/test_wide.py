"""data/panel.wide: the periods × units table, built without ``pivot`` but equal to it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.data.panel import wide


def _pivot(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The definition: pandas' pivot of the measure's rows, with Python-string labels."""
    out = frame[frame["measure"] == measure].pivot(
        index="period", columns="unit", values="value").sort_index()
    out.index = pd.Index(out.index.to_numpy(dtype=object), dtype=object, name="period")
    out.columns = pd.Index(out.columns.to_numpy(dtype=object), dtype=object, name="unit")
    return out


def _long(seed: int) -> pd.DataFrame:
    """A shuffled long panel of two measures with missing pairs and NaN values."""
    rng = np.random.default_rng(seed)
    units = ["2584", "00", "0114", "1480", "25", "0180"]
    periods = [f"20{y}-{m:02d}" for y in (21, 22) for m in range(1, 13)]
    rows = [(u, p, m, float(rng.normal())) for u in units for p in periods
            for m in ("rate", "population")]
    frame = pd.DataFrame(rows, columns=["unit", "period", "measure", "value"])
    frame = frame.iloc[rng.permutation(len(frame))[: int(0.8 * len(frame))]]
    frame.loc[frame.index[::7], "value"] = np.nan
    frame["unit_name"] = frame["unit"]
    return frame.reset_index(drop=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_table_equals_pivot(seed):
    """Sorted periods and units, NaN for pairs without a row and for NaN values, the same
    labels and dtypes as pandas' pivot, on shuffled input with gaps."""
    frame = _long(seed)
    for measure in ("rate", "population"):
        got = wide(frame, measure)
        pd.testing.assert_frame_equal(got, _pivot(frame, measure))
        assert got.index.dtype == object and got.columns.dtype == object
        assert isinstance(got.columns[0], str)


def test_a_pair_twice_is_an_error_as_in_pivot():
    frame = _long(0)
    twin = frame[frame["measure"] == "rate"].iloc[[0]].assign(value=9.0)
    with pytest.raises(ValueError, match="duplicate"):
        wide(pd.concat([frame, twin], ignore_index=True), "rate")


def test_unusual_input_takes_pivot_itself():
    """Integer values and a missing unit code are left to pivot (same result as before)."""
    frame = _long(1)
    ints = frame.dropna(subset=["value"]).assign(value=lambda f: (f["value"] * 10).round()
                                                 .astype(int))
    pd.testing.assert_frame_equal(wide(ints, "rate"), _pivot(ints, "rate"))
    assert wide(frame.iloc[:0], "rate").empty


def test_the_table_up_to_a_date_equals_the_table_of_the_rows_up_to_it():
    """memo.wide_until cuts the whole table: the same as the table of the rows up to the date,
    also for a unit whose rows all come later (no column) and a unit with rows but no values
    by then (an empty column)."""
    from evaluation.data import memo

    frame = _long(2)
    late = frame[(frame["unit"] == "0180") & (frame["period"] < "2022-03")].index
    frame = frame.drop(late).reset_index(drop=True)  # 0180's rows start in 2022-03
    empty = (frame["unit"] == "1480") & (frame["period"] < "2022-06")
    frame.loc[empty, "value"] = np.nan  # 1480 has rows, without values, until 2022-05
    for last in ("2021-05", "2022-02", "2022-03", "2022-05", "2022-12"):
        for measure in ("rate", "population"):
            got = memo.wide_until(frame, measure, last)
            pd.testing.assert_frame_equal(got, wide(frame[frame["period"] <= last], measure))
    assert "0180" not in memo.wide_until(frame, "rate", "2022-02").columns
    assert memo.wide_until(frame, "rate", "2022-02")["1480"].isna().all()


def test_the_first_row_of_each_unit_is_what_drop_duplicates_keeps():
    """panel.first_of_each_unit (unit names and types of a panel): each unit's value on its
    first row, in order of first appearance, on shuffled rows with missing values; a missing
    unit code takes drop_duplicates itself."""
    from evaluation.data.panel import first_of_each_unit, unit_names

    frame = _long(0)
    frame["unit_name"] = frame["unit"] + "-" + frame.index.astype(str)  # differs per row
    frame.loc[frame.index[3:9], "unit_name"] = None
    for column in ("unit_name", "period", "value"):
        reference = dict(frame.drop_duplicates("unit")[["unit", column]]
                         .itertuples(index=False))
        got = first_of_each_unit(frame, column)
        assert list(got) == list(reference)
        assert all(got[u] == reference[u] or (pd.isna(got[u]) and pd.isna(reference[u]))
                   for u in got)
    assert list(unit_names(frame.iloc[:0])) == []
    gap = frame.copy()
    gap.loc[gap.index[5], "unit"] = None
    assert list(first_of_each_unit(gap, "unit_name")) == list(
        dict(gap.drop_duplicates("unit")[["unit", "unit_name"]].itertuples(index=False)))
