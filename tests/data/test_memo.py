"""data/memo.py: results remembered per panel object, never stale, never shared."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.data import memo


def _panel() -> pd.DataFrame:
    return pd.DataFrame({"unit": ["0114", "0114", "0115", "0115"],
                         "unit_name": ["A", "A", "B", "B"],
                         "period": ["2022-01", "2022-02", "2022-01", "2022-02"],
                         "measure": ["m"] * 4, "value": [1.0, 2.0, 3.0, 4.0]})


def test_a_panel_changed_in_place_is_not_answered_from_memory():
    """The memory must fail to answer — recompute — when the panel's values change in place,
    and a caller changing what it got back must not change what is remembered."""
    panel = _panel()
    calls = []
    counted = memo.per_frame(lambda frame, m: calls.append(m) or frame["value"].sum())
    assert counted(panel, "m") == 10.0 and counted(panel, "m") == 10.0
    assert len(calls) == 1  # the second call came from memory
    panel.loc[0, "value"] = 100.0  # in place: same object
    assert counted(panel, "m") == 109.0 and len(calls) == 2
    first = memo.wide(panel, "m")
    first.iloc[0, 0] = -1.0
    assert memo.wide(panel, "m").iloc[0, 0] == 100.0
    assert memo.unit_names(panel) == {"0114": "A", "0115": "B"}


def test_the_memory_is_forgotten_with_the_panel():
    panel = _panel()
    memo.wide(panel, "m")
    key = id(panel)
    assert key in memo._MEMORY
    del panel
    import gc

    gc.collect()
    assert key not in memo._MEMORY


def test_remembered_tables_equal_what_they_stand_for():
    """``wide_until`` is the wide table of the rows up to a period, ``unit_means`` each unit's
    mean — equal to computing them from the panel directly, and not the same after a change."""
    from evaluation.data import panel as panel_module

    panel = _panel()
    pd.testing.assert_frame_equal(
        memo.wide_until(panel, "m", "2022-01"),
        panel_module.wide(panel[panel["period"] <= "2022-01"], "m"))
    pd.testing.assert_series_equal(memo.unit_means(panel, "m"),
                                   panel.groupby("unit")["value"].mean())
    panel.loc[1, "value"] = 8.0
    assert memo.unit_means(panel, "m")["0114"] == 4.5


def test_a_cut_by_period_is_one_object_per_date_and_follows_the_panel():
    """``rows_until`` gives the filtered rows, the same object each time for one panel and date
    (so the tables remembered for the cut serve every design re-fitted at that date), the panel
    itself when no row is later, and a new cut once the panel has changed in place."""
    panel = _panel()
    cut = memo.rows_until(panel, "2022-01")
    pd.testing.assert_frame_equal(cut, panel[panel["period"] <= "2022-01"])
    assert memo.rows_until(panel, "2022-01") is cut
    assert memo.rows_until(panel, "2022-02") is panel
    assert memo.rows_until(panel, "2021-12").empty
    memo.wide(cut, "m")  # the cut's own memory lives as long as the cut is handed out
    assert id(cut) in memo._MEMORY
    panel.loc[0, "value"] = 100.0  # in place: the old cut no longer stands for the panel
    fresh = memo.rows_until(panel, "2022-01")
    assert fresh is not cut and fresh["value"].tolist() == [100.0, 3.0]



def test_inside_a_block_each_panel_is_fingerprinted_once_and_checked_at_the_end(monkeypatch):
    """``unchanged_panels``: the memory still answers and still copies, but reads each panel's
    columns once when first asked and once when the block ends (not at every question)."""
    panel = _panel()
    prints = []
    real = memo._fingerprint
    monkeypatch.setattr(memo, "_fingerprint", lambda frame: prints.append(1) or real(frame))
    with memo.unchanged_panels():
        for _ in range(5):
            table = memo.wide(panel, "m")
            table.iloc[0, 0] = -1.0  # the caller's copy
            assert memo.unit_names(panel) == {"0114": "A", "0115": "B"}
        assert memo.wide(panel, "m").iloc[0, 0] == 1.0
        assert len(prints) == 1
    assert len(prints) == 2  # again at the end
    memo.wide(panel, "m")
    assert len(prints) == 3  # outside a block: at every question, as before


def test_a_panel_changed_inside_a_block_raises_and_its_memory_is_forgotten():
    """The check at the block's end can fail: a change in place inside the block raises, and
    the results remembered from the panel before the change are not answered again."""
    panel = _panel()
    with pytest.raises(memo.PanelChangedError, match="changed in place"):
        with memo.unchanged_panels():
            assert memo.unit_means(panel, "m")["0114"] == 1.5
            panel.loc[0, "value"] = 100.0
    assert id(panel) not in memo._MEMORY
    assert memo.unit_means(panel, "m")["0114"] == 51.0
    # an error raised inside the block is not replaced by the check's
    with pytest.raises(KeyError):
        with memo.unchanged_panels():
            memo.unit_means(panel, "m")
            panel.loc[0, "value"] = 7.0
            raise KeyError("the step's own error")
    assert memo.unit_means(panel, "m")["0114"] == 4.5
    # nested blocks are one block: the inner end does not check, the outer does
    with pytest.raises(memo.PanelChangedError):
        with memo.unchanged_panels():
            with memo.unchanged_panels():
                memo.unit_means(panel, "m")
            panel.loc[0, "value"] = 9.0
    assert memo._BLOCK.seen is None


def test_an_evaluation_step_that_changes_its_panel_fails(monkeypatch, evaluation_home):
    """The evaluation's steps (estimate, assess, sensitivity, horizon, pooled) run inside
    ``unchanged_panels``: a step that changed the panel it read would raise, not publish
    numbers remembered from the panel before the change."""
    from evaluation.checks import reliability as reliability_module
    from evaluation.evaluate import Evaluation, spec_from_parameters

    spec = spec_from_parameters(evaluation_id="memo", data="demo", treated="1987",
                                intervention="2022-04", outcomes=["unemployment_rate"],
                                post_end="2023-03", designs=["its"])
    ev = Evaluation.from_spec(spec)
    ev.estimate()

    def changing(panel, result, **kwargs):
        memo.wide(panel, "unemployment_rate")
        panel.loc[panel.index[0], "value"] = panel["value"].iloc[0] + 1.0
        return None

    monkeypatch.setattr(reliability_module, "reliability", changing)
    with pytest.raises(memo.PanelChangedError):
        ev.assess()
    for step in ("estimate", "assess", "sensitivity", "horizon", "pooled"):
        assert getattr(Evaluation, step).__wrapped__.__name__ == step
