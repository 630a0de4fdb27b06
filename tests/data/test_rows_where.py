"""``rows_where``: a panel's rows where a condition holds, with only the columns asked for."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.data.panel import rows_where


def _panel() -> pd.DataFrame:
    return pd.DataFrame({"unit": ["0114", "0115", "0114", "0115"],
                         "unit_name": ["A", "B", "A", "B"],
                         "period": ["2022-01", "2022-01", "2022-02", "2022-02"],
                         "measure": ["x", "x", "y", "x"], "value": [1.0, 2.0, 3.0, 4.0],
                         "source": ["s"] * 4}).astype({"unit": "str", "period": "str"})


def test_the_rows_and_columns_asked_for_as_a_full_selection_gives_them():
    panel = _panel()
    where = panel["measure"] == "x"
    got = rows_where(panel, where, ["unit", "value"])
    pd.testing.assert_frame_equal(got, panel[where][["unit", "value"]])
    assert list(got.columns) == ["unit", "value"] and list(got.index) == [0, 1, 3]


def test_an_array_condition_and_no_matching_row():
    panel = _panel()
    got = rows_where(panel, np.array([False, False, True, False]), ["period"])
    assert got["period"].tolist() == ["2022-02"]
    assert rows_where(panel, panel["unit"] == "9999", ["unit", "value"]).empty
