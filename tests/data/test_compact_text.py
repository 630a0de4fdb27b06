"""``with_compact_text``: five of a panel's text columns (``COMPACT_COLUMNS``: the unit's name
and type, the status, the source, the measure) as categoricals, nothing else changed — and the
evaluation's panel is held that way."""

from __future__ import annotations

import pandas as pd

from evaluation.data.panel import COMPACT_COLUMNS, rows_where, with_compact_text


def _panel() -> pd.DataFrame:
    frame = pd.DataFrame({
        "unit": ["0114", "0115", "00", "0114", "0115", "00"],
        "unit_name": ["Upplands Väsby", "Vallentuna", "Riket"] * 2,
        "period": ["2022-01"] * 3 + ["2022-02"] * 3,
        "measure": ["x"] * 6, "value": [1.0, 2.0, 3.0, 4.0, float("nan"), 6.0],
        "unit_type": ["kommun", "kommun", "riket"] * 2, "population": [1.0] * 6,
        "status": ["final"] * 4 + ["suppressed", "preliminary"], "source": ["SCB"] * 6})
    frame.attrs["note"] = "kept"
    return frame


def test_the_columns_become_categoricals_with_the_same_values_and_order():
    panel = _panel()
    before = panel.copy()
    compact = with_compact_text(panel)
    pd.testing.assert_frame_equal(panel, before)  # the frame given is not changed
    assert compact is not panel and list(compact.columns) == list(panel.columns)
    for column in COMPACT_COLUMNS:
        assert isinstance(compact[column].dtype, pd.CategoricalDtype), column
        assert compact[column].tolist() == panel[column].tolist(), column
    for column in ("unit", "period", "value", "population"):
        pd.testing.assert_series_equal(compact[column], panel[column])
    assert compact.attrs == {"note": "kept"}
    # as text again, the frame is the one given
    pd.testing.assert_frame_equal(compact.astype({c: "str" for c in COMPACT_COLUMNS}),
                                  panel)


def test_a_compact_panel_is_returned_as_it_is_and_missing_columns_are_skipped():
    compact = with_compact_text(_panel())
    assert with_compact_text(compact) is compact
    bare = _panel()[["unit", "unit_name", "period", "measure", "value"]]
    got = with_compact_text(bare)
    assert list(got.columns) == list(bare.columns)
    assert isinstance(got["unit_name"].dtype, pd.CategoricalDtype)


def test_selections_of_a_compact_panel_give_the_same_rows_and_values():
    panel = _panel()
    compact = with_compact_text(panel)
    where = (panel["period"] <= "2022-01") | (panel["status"] == "suppressed")
    assert compact[where.to_numpy()].astype(str).equals(panel[where].astype(str))
    got = rows_where(compact, compact["unit_type"] == "kommun", ["unit", "unit_name"])
    assert got["unit_name"].tolist() == ["Upplands Väsby", "Vallentuna"] * 2
    # a name looked up by unit code, as the descriptive sections do
    names = compact.drop_duplicates("unit").set_index("unit")["unit_name"]
    assert panel["unit"].map(names).tolist() == panel["unit_name"].tolist()


def test_the_evaluations_panel_holds_those_columns_as_categoricals(tmp_path):
    from _panels import small_panel, spec_text

    from evaluation.inputs import load_inputs
    from evaluation.spec import parse_spec

    small_panel().to_csv(tmp_path / "panel.csv", index=False)
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec_text("panel.csv"), encoding="utf-8")
    inputs = load_inputs(parse_spec(spec_path.read_text(), path=str(spec_path)))
    for frame in (inputs.panel, inputs.as_read):
        for column in COMPACT_COLUMNS:
            assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
        assert frame["unit"].dtype == "str" and frame["period"].dtype == "str"
    assert inputs.treated_name == "Ort 0"


def test_the_sensitivity_grids_log_view_of_a_compact_panel_equals_that_of_the_text_panel():
    """The log-scale variant renames the outcome's rows (a value the measure column does not
    hold yet, which a categorical refuses unless the category is added first)."""
    from evaluation.checks.sensitivity import LOG_PREFIX, _log

    panel = _panel()
    panel.loc[panel["unit"] == "0115", "measure"] = "y"
    got = _log(with_compact_text(panel), "x")
    want = _log(panel, "x")
    assert isinstance(got["measure"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(got.astype({c: "str" for c in COMPACT_COLUMNS}), want)
    assert got["measure"].tolist() == [LOG_PREFIX + "x", "y", LOG_PREFIX + "x"] * 2
