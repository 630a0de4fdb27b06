"""Swedish and English formatting: exact strings.

Conventions come from babel's CLDR data (sv: U+00A0 group separator, U+2212 minus, U+00A0 before
"%"); rounding is half away from zero as in Swedish official statistics.
"""

from __future__ import annotations

import math

import pytest

from evaluation.report import format as fmt

NB = "\u00a0"
MINUS = "\u2212"


def test_number_swedish_and_english():
    assert fmt.number(-1234.5) == f"{MINUS}1{NB}234,5"
    assert fmt.number(-1234.5, language="en") == "-1,234.5"
    assert fmt.number(1234567, 0) == f"1{NB}234{NB}567"
    assert fmt.number(0.25) == "0,3"  # half away from zero
    assert fmt.number(-0.04) == "0,0"  # never "−0,0"
    assert fmt.number(3, 2) == "3,00"


def test_signed():
    assert fmt.signed(0.9) == "+0,9"
    assert fmt.signed(-0.9) == f"{MINUS}0,9"
    assert fmt.signed(0.0) == "0,0"
    assert fmt.signed(12.34, 1, "en") == "+12.3"


def test_percent():
    assert fmt.percent(-0.15) == f"{MINUS}15,0{NB}%"
    assert fmt.percent(-0.15, language="en") == "-15.0%"
    assert fmt.percent(6.1, fraction=False) == f"6,1{NB}%"
    assert fmt.percent(0.142, 0, plus=True) == f"+14{NB}%"


def test_percentage_points():
    assert fmt.pp(-1.0) == f"{MINUS}1,0 procentenheter"
    assert fmt.pp(-1.0, language="en") == "-1.0 percentage points"
    assert fmt.pp(0.5, plus=True) == "+0,5 procentenheter"


def test_period_label():
    assert fmt.period_label("2022-04") == "april 2022"
    assert fmt.period_label("2022-04", "en") == "April 2022"
    assert fmt.period_label("2022") == "2022"
    assert fmt.period_label("2022-04-01") == "1 april 2022"
    assert fmt.period_label(None) == "–"
    with pytest.raises(ValueError):
        fmt.period_label("april")


def test_period_ranges_and_lists():
    assert fmt.period_range_label("2022-04", "2023-03") == "april 2022–mars 2023"
    assert fmt.period_range_label("2022", "2022") == "2022"
    assert fmt.period_list(["2025-02", "2025-01", "2025-03", "2025-06"]) == (
        "januari 2025–mars 2025, juni 2025"
    )
    assert fmt.period_list([], "en") == "none"
    assert fmt.period_short("2022-04") == "apr. 2022"


def test_ci_text():
    assert fmt.ci_text(-1.5, -0.4) == f"95{NB}% KI: {MINUS}1,5 till {MINUS}0,4"
    assert fmt.ci_text(-1.5, -0.4, language="en") == "95% CI: -1.5 to -0.4"
    assert fmt.ci_text(-1.5, -0.4, "pp", colon=False) == (
        f"95{NB}% KI {MINUS}1,5 till {MINUS}0,4 procentenheter"
    )
    assert fmt.ci_text(-0.2, -0.08, "%", decimals=0) == (
        f"95{NB}% KI: {MINUS}20{NB}% till {MINUS}8{NB}%"
    )
    assert fmt.ci_text(-25, -10, "hushåll", decimals=0) == (
        f"95{NB}% KI: {MINUS}25 till {MINUS}10 hushåll"
    )
    assert fmt.ci_text(None, 1.0) == f"95{NB}% KI: –"
    assert fmt.ci_label(0.9) == f"90{NB}% KI"
    assert fmt.level_label(0.95, "en") == "95%"


def test_p_value():
    assert fmt.p_value(0.03) == "p = 0,03"
    assert fmt.p_value(0.0004) == "p < 0,001"
    assert fmt.p_value(0.004) == "p = 0,004"
    assert fmt.p_value(0.4213, "en") == "p = 0.42"
    assert fmt.p_value(0.0004, "en", prefix=False) == "< 0.001"
    assert fmt.p_value(0.03, prefix=False) == "0,03"


def test_date():
    import datetime

    assert fmt.date("2022-04-01") == "1 april 2022"
    assert fmt.date(datetime.date(2025, 5, 15), "en") == "15 May 2025"
    assert fmt.date(datetime.datetime(2025, 5, 15, 13, 0)) == "15 maj 2025"


@pytest.mark.parametrize("bad", [None, float("nan"), math.inf, -math.inf, "abc"])
@pytest.mark.parametrize(
    "func",
    [fmt.number, fmt.signed, fmt.percent, fmt.pp, fmt.p_value],
)
def test_missing_values_are_a_dash(func, bad):
    out = func(bad)
    assert out == "–"
    assert "nan" not in out.lower()


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="sv"):
        fmt.number(1.0, language="de")
