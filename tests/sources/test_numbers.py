"""Values in a changed format (issue 14 §3): numbers sent as text are read in Swedish notation
or refused — never turned into a wrong number. Reference: Språkrådet's rules for Swedish number
notation (decimal comma; a space, in print a thin or no-break space, between groups of three
digits; U+2212 as the minus sign)."""

from __future__ import annotations

import pytest

from evaluation.sources.numbers import number


@pytest.mark.parametrize("value, expected", [
    (17, 17.0),
    (253.9, 253.9),
    ("253,9", 253.9),
    ("253.9", 253.9),
    (" 42 ", 42.0),
    ("1 234,5", 1234.5),             # space
    ("1\u2009234,5", 1234.5),        # thin space
    ("1\u202f234\u202f567", 1234567.0),  # narrow no-break space
    ("12\u00a0345", 12345.0),        # no-break space
    ("1\u2007234", 1234.0),          # figure space
    ("\u22123,5", -3.5),             # minus sign
    ("-1 234,5", -1234.5),
    ("1e3", 1000.0),
])
def test_numbers_as_text_are_read(value, expected):
    assert number(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [
    "ca 250", "", " ", "1.234,5", "1,234.5", "1,234,567", "12 34", "1 2345", "1 234 5,5",
    "NaN", "inf", "1_000", "0x10", True, None, [1], float("nan"), float("inf"), "5 %",
])
def test_anything_else_is_refused(value):
    with pytest.raises(ValueError):
        number(value)
