"""Target follow-up (måluppföljning): validation, target path, national-trend counterfactual,
the noise sentence, presentation and an honesty check of the band."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

from evaluation.data.panel import period_range
from evaluation.errors import DataError, SpecError
from evaluation.report.target_report import (
    noise_sentences,
    target_figure,
    target_table,
    target_text,
)
from evaluation.target import follow_up, long_term_count, validate_target

YEARS = [str(y) for y in range(2012, 2022)]
NOISE_SV = "mindre än det slumpen ensam kan ge"
NOISE_EN = "smaller than what chance alone can produce"


def _panel(own, national, periods=YEARS, measure="long_term_recipients", unit="1443",
           name="Bollebygd") -> pd.DataFrame:
    rows = [("00", "Riket", p, measure, v) for p, v in zip(periods, national) if v is not None]
    rows += [(unit, name, p, measure, v) for p, v in zip(periods, own) if v is not None]
    return pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])


def _target(**kw):
    out = {"measure": "long_term_recipients", "baseline": {"period": "2019"},
           "goal": {"period": "2021", "value": 30}}
    out.update(kw)
    return out


def _bollebygd(last: float, *, national_fall: float = 0.10) -> dict:
    """59 in 2019 (with a flat, noise-free history), ``last`` in 2021; the country falls by
    ``national_fall`` from 2019 to 2021."""
    national = [30_000.0] * 8 + [30_000 * (1 - national_fall / 2), 30_000 * (1 - national_fall)]
    own = [59.0] * 8 + [59 - (59 - last) / 2, float(last)]
    d = follow_up(_panel(own, national), _target(), treated="1443").to_dict()
    return d


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("block, field, hint_sv, hint_en", [
    ("not a block", "'target'", "skriv", "write"),
    ({**_target(), "deadline": "2021"}, "'target'", "använd measure", "use measure"),
    ({"measure": "x", "baseline": {"period": "2019"}}, "'target'", "saknar goal", "lacks goal"),
    (_target(goal={"period": "2021", "value": 30, "change": -0.5}), "'target.goal'",
     "antingen value", "either value"),
    (_target(goal={"period": "2021"}), "'target.goal'", "antingen value", "either value"),
    (_target(goal={"period": "2018", "value": 30}), "'target.goal'", "skriv en senare period",
     "write a later period"),
    (_target(goal={"period": "21-03", "value": 30}), "'target.goal'", "ÅÅÅÅ-MM", "YYYY-MM"),
    (_target(goal={"period": dt.date(2021, 3, 31), "value": 30}), "'target.goal'",
     "inom citattecken", "in quotes"),
    (_target(goal={"period": "2021", "value": -3}), "'target.goal'", "skriv 0 eller mer",
     "write 0 or more"),
    (_target(goal={"period": "2021", "value": "trettio"}), "'target.goal'", "skriv t.ex. 30",
     "write e.g. 30"),
    (_target(goal={"period": "2021", "change": -1.5}), "'target.goal'", "t.ex. -0.5",
     "e.g. -0.5"),
    (_target(goal={"period": "2021", "change": 0}), "'target.goal'", "skild från 0",
     "other than 0"),
    (_target(interim=[{"period": "2022-03", "value": 44}]), "'target.interim'",
     "mellan utgångsläget", "between the baseline"),
    (_target(interim=[{"period": "2021-03"}]), "'target.interim'", "antingen value",
     "either value"),
    (_target(interim="2021-03"), "'target.interim'", "ska vara en lista", "must be a list"),
    (_target(baseline={"period": "2019", "change": -0.5}), "'target.baseline'",
     "ska ha formen", "must have the form"),
    (_target(baseline={"period": "2019", "value": 30}), "'target.goal'", "skriv det värde",
     "write the value"),
    (_target(measure=["a", "b"]), "'target.measure'", "t.ex. long_term_recipients",
     "e.g. long_term_recipients"),
])
def test_validation_errors_say_what_to_write(block, field, hint_sv, hint_en):
    with pytest.raises(SpecError) as info:
        validate_target(block, line=12)
    error = info.value
    assert error.sv.startswith(f"Fältet {field} (rad 12)") and hint_sv in error.sv
    assert error.text("en").startswith(f"The field {field} (line 12)") and hint_en in error.en
    for text in (error.sv, error.en):  # one sentence
        assert text.endswith(".") and not re.search(r"[.:;] [A-ZÅÄÖ]", text[20:]), text


def test_validation_normalises_and_is_idempotent():
    raw = {"measure": " long_term_recipients ", "baseline": {"period": 2019, "value": 59},
           "goal": {"period": "2021", "change": "-0,5"},
           "interim": {"period": "2021-03", "value": 44}, "label": "Halvera"}
    spec = validate_target(raw)
    assert spec == {
        "measure": "long_term_recipients", "baseline": {"period": "2019", "value": 59.0},
        "goal": {"period": "2021", "value": None, "change": -0.5},
        "interim": [{"period": "2021-03", "value": 44.0, "change": None}], "label": "Halvera"}
    assert validate_target(spec) == spec


# --------------------------------------------------------------------------- the path
def test_path_through_a_monthly_interim_on_yearly_data():
    """Periods are placed at their end: 2019 = Dec 2019, interim Mar 2021, goal Dec 2021."""
    panel = _panel([59.0] * 10, [30_000.0] * 10)
    d = follow_up(panel, _target(interim=[{"period": "2021-03", "value": 44}]),
                  treated="1443").to_dict()
    path = {r["period"]: r["target"] for r in d["rows"]}
    assert path == pytest.approx({"2019": 59.0, "2020": 59 - 15 * 12 / 15, "2021": 30.0})
    assert d["interim"] == [{"period": "2021-03", "value": 44.0, "change": None}]


def test_path_on_monthly_data_is_linear_between_anchors_and_ends_at_the_goal():
    periods = period_range("2018-01", "2021-02")
    panel = _panel([59.0] * len(periods), [30_000.0] * len(periods), periods=periods)
    target = _target(baseline={"period": "2019"}, goal={"period": "2020-12", "change": -0.4},
                     interim=[{"period": "2020-06", "value": 50}])
    d = follow_up(panel, target, treated="1443").to_dict()
    path = {r["period"]: r["target"] for r in d["rows"]}
    assert d["baseline"]["data_period"] == "2019-12"  # a yearly baseline is read at December
    assert d["goal"]["value"] == pytest.approx(59 * 0.6)
    assert path["2019-12"] == 59 and path["2020-03"] == pytest.approx(54.5)
    assert path["2020-06"] == 50 and path["2020-09"] == pytest.approx((50 + 35.4) / 2)
    assert path["2020-12"] == pytest.approx(35.4)
    # the follow-up ends at the goal period; the last later value is reported as it is
    assert max(path) == "2020-12"
    assert d["after_goal"] == {"period": "2021-02", "observed": 59.0, "preliminary": False}
    assert "senare, i februari 2021, var värdet 59" in target_text(d, "sv")


def test_progress_share_and_on_track():
    d = _bollebygd(40)
    latest = d["latest"]
    assert latest["period"] == "2021" and latest["progress"] == 19
    assert latest["share_achieved"] == pytest.approx(19 / 29)
    assert latest["remaining"] == 10 and latest["on_track"] is False
    assert _bollebygd(25)["latest"]["on_track"] is True
    assert _bollebygd(25)["latest"]["remaining"] == 0


# --------------------------------------------------------------------------- counterfactual
def test_national_counterfactual_is_baseline_times_the_national_ratio():
    d = _bollebygd(50)
    rows = {r["period"]: r for r in d["rows"]}
    assert rows["2021"]["expected"] == pytest.approx(59 * 0.9, rel=1e-12)
    assert rows["2020"]["expected"] == pytest.approx(59 * 0.95, rel=1e-12)
    assert rows["2021"]["expected_low"] < 59 * 0.9 < rows["2021"]["expected_high"]
    assert rows["2021"]["progress_national"] == pytest.approx(59 * 0.1)
    assert rows["2021"]["share_national"] == pytest.approx(59 * 0.1 / 9)
    assert d["national"]["available"] is True
    json.dumps(d)  # plain, JSON-ready


def test_band_is_honest_for_a_kommun_that_moves_like_the_country():
    """A kommun that moves exactly like the country plus Poisson noise (also at the baseline and
    in its history) lands inside the 95 % band about 95 % of the time. Tolerance: the 99.9 %
    binomial band of 500 replications around 95 % from below; from above the band may be
    conservative by design (the estimated extra spread cannot be negative), up to the 99.9 %
    binomial band around 97.5 %."""
    n = 500
    rng = np.random.default_rng(20210331)
    national = np.array([40, 39.5, 39, 38, 37, 36, 35, 34, 32, 30.6]) * 1000
    mean = 59 * national / national[7]
    hits = 0
    for _ in range(n):
        own = rng.poisson(mean).astype(float)
        d = follow_up(_panel(own, national), _target(), treated="1443").to_dict()
        row = d["rows"][-1]
        hits += row["expected_low"] <= row["observed"] <= row["expected_high"]
    low = stats.binom.ppf(0.001, n, 0.95) / n
    high = stats.binom.ppf(0.999, n, 0.975) / n
    assert low <= hits / n <= high, (hits / n, low, high)


def test_band_check_can_fail():
    """The country fell 10 %, the kommun 50 %: the kommun is outside (below) the band."""
    d = _bollebygd(29.5)
    row = d["latest"]
    assert row["observed"] < row["expected_low"] and row["vs_national"] == "better"
    assert "under intervallet" in target_text(d)
    worse = _bollebygd(85.0)["latest"]
    assert worse["vs_national"] == "worse"


# --------------------------------------------------------------------------- the noise sentence
def test_noise_sentence_for_59_to_50_in_both_languages():
    d = _bollebygd(50)
    assert d["within_noise"] is True and d["noise"]["half_width"] == pytest.approx(
        1.959964 * 59 ** 0.5, rel=1e-5)
    sv, en = target_text(d, "sv"), target_text(d, "en")
    assert ("Skillnaden mot utgångsläget (9 personer) är mindre än det slumpen ensam kan ge för "
            "ett så litet antal (ungefär ±15): det går inte att säga att antalet har minskat."
            ) in sv
    assert ("The difference from the baseline (9 persons) is smaller than what chance alone can "
            "produce for such a small number (about ±15): it cannot be said that the number has "
            "decreased.") in en


def test_no_noise_sentence_for_59_to_20():
    d = _bollebygd(20)
    assert d["within_noise"] is False and noise_sentences(d) == []
    assert NOISE_SV not in target_text(d, "sv") and NOISE_EN not in target_text(d, "en")
    assert "Målnivån (30) är därmed nådd." in target_text(d, "sv")


def test_noise_sentence_when_the_remaining_distance_is_small():
    d = _bollebygd(35)
    assert d["noise"]["progress_within"] is False and d["noise"]["remaining_within"] is True
    assert "Det som återstår till målet (5 personer)" in target_text(d, "sv")
    assert "whether the goal has been reached or not" in target_text(d, "en")


def test_a_rate_gets_no_poisson_sentence():
    rng = np.random.default_rng(1)
    national = np.linspace(8.0, 6.0, 10)
    own = national + 1.0 + rng.normal(0, 0.1, 10)
    panel = _panel(own, national, measure="unemployment_rate")
    target = {"measure": "unemployment_rate", "baseline": {"period": "2019"},
              "goal": {"period": "2021", "change": -0.2}}
    d = follow_up(panel, target, treated="1443").to_dict()
    assert d["kind"] == "rate" and d["within_noise"] is None and d["noise"]["applies"] is False
    assert d["band"]["method"] == "history"
    row = d["latest"]
    assert row["expected_low"] < row["expected"] < row["expected_high"]
    sv, en = target_text(d, "sv"), target_text(d, "en")
    assert NOISE_SV not in sv and "±" not in sv and NOISE_EN not in en
    assert "Måttet är en andel och inte ett antal" in sv and "is a share, not a count" in en
    assert "procentenheter" in sv and "\u00a0%" in sv


# --------------------------------------------------------------------------- data errors
def test_measure_not_in_panel():
    with pytest.raises(DataError, match="finns inte i panelen") as info:
        follow_up(_panel([59.0] * 10, [30_000.0] * 10), _target(measure="nope"),
                  treated="1443")
    assert "choose one of long_term_recipients" in info.value.en


def test_no_baseline_value_anywhere():
    own = [59.0] * 7 + [None, 50.0, 45.0]
    with pytest.raises(DataError, match="saknar värde för utgångsläget 2019") as info:
        follow_up(_panel(own, [30_000.0] * 10), _target(), treated="1443")
    assert "write the value in the spec" in info.value.en
    given = _target(baseline={"period": "2019", "value": 59})
    d = follow_up(_panel(own, [30_000.0] * 10), given, treated="1443").to_dict()
    assert d["baseline"]["source"] == "spec" and d["baseline"]["value"] == 59


def test_goal_before_the_data_start():
    panel = _panel([59.0] * 10, [30_000.0] * 10)
    target = _target(baseline={"period": "2008", "value": 59},
                     goal={"period": "2010", "value": 30})
    with pytest.raises(DataError, match="före första värdet") as info:
        follow_up(panel, target, treated="1443")
    assert "write a goal period from 2012 on" in info.value.en


def test_monthly_baseline_on_yearly_data():
    with pytest.raises(DataError, match="skriv utgångsläget som ett år"):
        follow_up(_panel([59.0] * 10, [30_000.0] * 10),
                  _target(baseline={"period": "2019-06", "value": 59}), treated="1443")


def test_missing_national_series_gives_a_follow_up_without_counterfactual():
    panel = _panel([59.0] * 9 + [50.0], [None] * 10)
    d = follow_up(panel, _target(), treated="1443").to_dict()
    assert d["national"] == {"available": False, "reason": "missing", "unit": "00",
                             "name": "00"}
    assert d["latest"]["expected"] is None and d["band"]["method"] == "none"
    assert d["within_noise"] is True
    assert "Rikets värden saknas" in target_text(d) and "National values are missing" in \
        target_text(d, "en")
    target_figure(d)
    target_table(d)


# --------------------------------------------------------------------------- presentation
def test_figure_and_table_build():
    d = _bollebygd(40)
    d_interim = follow_up(
        _panel([59.0] * 8 + [52.0, 40.0], [30_000.0] * 8 + [28_500.0, 27_000.0]),
        _target(interim=[{"period": "2021-03", "value": 44}], label="Halvera antalet"),
        treated="1443").to_dict()
    for data in (d, d_interim):
        for language in ("sv", "en"):
            fig = target_figure(data, language, simulated=language == "en")
            assert isinstance(fig, Figure)
            fig.canvas.draw()
    texts = [t.get_text() for t in target_figure(d_interim).findobj(
        lambda a: hasattr(a, "get_text"))]
    joined = " ".join(texts)
    for label in ("Observerat", "Målbana", "Med rikets utveckling", "Utgångsläge", "Delmål",
                  "Mål", "Antal personer", "95\u00a0%-intervall, rikets utveckling"):
        assert label in joined
    en = " ".join(t.get_text() for t in target_figure(d_interim, "en", simulated=True).findobj(
        lambda a: hasattr(a, "get_text")))
    assert "Target path" in en and "SIMULATED DATA" in en

    table = target_table(d_interim)
    assert list(table.columns) == [
        "Period", "Observerat", "Målbana", "Med rikets utveckling", "95\u00a0%-intervall",
        "Framsteg mot målet", "Andel av målet", "I fas med målbanan",
        "Jämfört med rikets utveckling"]
    assert list(table["Period"]) == ["2019", "2020", "2021"]
    assert table["Målbana"].tolist() == ["59", "47", "30"]
    raw = target_table(d_interim, "en", formatted=False)
    assert raw["Target path"].tolist() == pytest.approx([59, 47, 30])
    assert raw["Interval, lower"].iloc[1] <= raw["With the national trend"].iloc[1]
    assert table.attrs["raw"]["columns"][0] == "Period"


def test_text_states_goal_position_and_national_share():
    sv = target_text(_bollebygd(50), "sv")
    assert sv.startswith("Målet är att antalet personer med långvarigt ekonomiskt bistånd i "
                         "Bollebygd ska minska från 59 år 2019 till 30 år 2021.")
    assert "År 2021 var antalet 50, 9 färre än i utgångsläget." in sv
    assert "31\u00a0% av den minskning som målet kräver" in sv
    assert "20 personer efter målbanan" in sv
    assert "hade antalet år 2021 varit omkring 53" in sv
    assert "Rikets utveckling motsvarar alltså ungefär 66\u00a0% av minskningen." in sv
    en = target_text(_bollebygd(50), "en")
    assert "The national trend thus accounts for about 66% of the reduction." in en


# --------------------------------------------------------------------------- helpers
def test_long_term_count_and_series_break_note():
    assert long_term_count(1.2, 7400) == pytest.approx(88.8)
    shares = pd.Series([1.0, 0.5], index=["2019", "2021"])
    counts = long_term_count(shares, 7000)
    assert isinstance(counts, pd.Series) and counts.tolist() == pytest.approx([70.0, 35.0])
    with pytest.raises(DataError, match="mellan 0 och 100"):
        long_term_count(120, 7000)
    d = _bollebygd(50)  # 2012–2021: crosses both 2017 and 2021
    assert d["series_breaks"] == [2017, 2021]
    assert "räknade om serien bakåt till 2017" in target_text(d)
    short = follow_up(_panel([59.0, 58.0, 57.0], [3e4, 3e4, 3e4], periods=["2018", "2019",
                                                                       "2020"]),
                      _target(goal={"period": "2020", "value": 30}), treated="1443").to_dict()
    assert short["series_breaks"] == [] and "2017" not in target_text(short)


def test_goal_within_the_noise_and_a_lagging_national_series():
    national = [30_000.0] * 9 + [None]  # riket not yet published for 2021
    own = [59.0] * 9 + [50.0]
    target = _target(goal={"period": "2021", "value": 50})
    d = follow_up(_panel(own, national), target, treated="1443").to_dict()
    assert d["noise"]["goal_within"] is True and d["national"]["available"] is True
    sv = target_text(d)
    assert "Redan den förändring som målet kräver (9 personer)" in sv
    assert "Rikets värde år 2021 finns ännu inte" in sv
    assert "The national value in 2021 is not available yet" in target_text(d, "en")


def test_add_long_term_counts_feeds_the_follow_up():
    from evaluation.target import add_long_term_counts

    years = ["2017", "2018", "2019", "2020", "2021"]
    rows = []
    for unit, name, shares, adults in (
            ("00", "Riket", [1.2, 1.15, 1.1, 1.05, 1.0], 8_000_000.0),
            ("1443", "Bollebygd", [0.85, 0.82, 0.8, 0.6, 0.4], 7_400.0)):
        for p, s in zip(years, shares):
            rows += [(unit, name, p, "long_term_share", s), (unit, name, p, "adults", adults)]
    panel = pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])
    full = add_long_term_counts(panel)
    counts = full[(full["measure"] == "long_term_recipients") & (full["unit"] == "1443")]
    assert counts["value"].tolist() == pytest.approx([62.9, 60.68, 59.2, 44.4, 29.6])
    d = follow_up(full, _target(), treated="1443").to_dict()
    assert d["kind"] == "count" and d["baseline"]["value"] == pytest.approx(59.2)
    assert d["band"]["method"] == "poisson"  # two years before the baseline: no history spread
    assert d["series_breaks"] == [2021]
    assert "kan vara för smalt" in target_text(d)
    with pytest.raises(DataError, match="adults"):
        add_long_term_counts(panel[panel["measure"] != "adults"])
