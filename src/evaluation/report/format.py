"""Numbers, periods and intervals written the way a Swedish (or English) reader expects.

Everything goes through :mod:`babel`, so the output does not depend on the machine's locale
(an ``sv_SE`` locale is often missing on servers). Conventions, taken from babel's CLDR data and
used consistently:

* Swedish: decimal comma, non-breaking space (U+00A0) between digit groups, true minus sign
  (U+2212), a non-breaking space before ``%`` ("−15,0 %");
* English: decimal point, comma between digit groups, hyphen-minus, no space before ``%``.

Rounding is half away from zero (0,25 → 0,3), as in Swedish official statistics, and a value that
rounds to zero is written without a sign ("0,0", never "−0,0").

Missing values (``None``, NaN, ±inf) are written as an en dash "–": a report never says "nan".
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from babel.dates import format_date
from babel.numbers import format_decimal, get_minus_sign_symbol, get_plus_sign_symbol

Language = Literal["sv", "en"]
LANGUAGES: tuple[str, ...] = ("sv", "en")

MISSING = "\u2013"  # en dash: what a missing value looks like in a table or a sentence
NBSP = "\u00a0"
MINUS = "\u2212"

_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
_MONTHLY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEARLY = re.compile(r"^(\d{4})$")
_DAILY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def check_language(language: str) -> Language:
    """Return ``language`` if it is supported, else raise :class:`ValueError`."""
    if language not in LANGUAGES:
        raise ValueError(f"Unsupported language {language!r}: use 'sv' (default) or 'en'.")
    return language  # type: ignore[return-value]


def is_missing(x: Any) -> bool:
    """True for ``None``, NaN, ±inf and values that cannot be read as a number."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def _rounded(x: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=8192)
def _digits(value: Decimal, decimals: int, language: str) -> str:
    """Absolute value with the locale's group and decimal separators (remembered: a report's
    figures write the same tick labels thousands of times, and babel takes ~50 µs each)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(
        abs(value), format=pattern, locale=_LOCALES[language], decimal_quantization=True,
        group_separator=True,
    )


@functools.lru_cache(maxsize=None)
def _signs(language: str) -> tuple[str, str]:
    """The locale's (minus, plus) signs."""
    locale = _LOCALES[language]
    return get_minus_sign_symbol(locale), get_plus_sign_symbol(locale)


def _sign(value: Decimal, language: str, explicit_plus: bool) -> str:
    if value < 0:
        return _signs(language)[0]
    if value > 0 and explicit_plus:
        return _signs(language)[1]
    return ""


def number(x: float | None, decimals: int = 1, language: Language = "sv") -> str:
    """A number with the language's separators: ``-1234.5`` → "−1 234,5" (sv), "-1,234.5" (en).

    Parameters
    ----------
    x
        The value; ``None``/NaN/inf give "–".
    decimals
        Number of decimals shown (rounded half away from zero).
    language
        ``"sv"`` or ``"en"``.
    """
    check_language(language)
    if is_missing(x):
        return MISSING
    value = _rounded(float(x), decimals)
    return _sign(value, language, False) + _digits(value, decimals, language)


def signed(x: float | None, decimals: int = 1, language: Language = "sv") -> str:
    """Like :func:`number` with an explicit "+" for positive values: "+0,9", "−0,9", "0,0"."""
    check_language(language)
    if is_missing(x):
        return MISSING
    value = _rounded(float(x), decimals)
    return _sign(value, language, True) + _digits(value, decimals, language)


def percent(
    x: float | None,
    decimals: int = 1,
    language: Language = "sv",
    *,
    fraction: bool = True,
    plus: bool = False,
) -> str:
    """A percentage: ``-0.15`` → "−15,0 %" (sv), "-15.0%" (en).

    Parameters
    ----------
    x
        The value, a fraction (0.15 = 15 %) unless ``fraction=False`` (then 15 = 15 %).
    decimals
        Decimals of the percentage.
    language
        ``"sv"`` or ``"en"``.
    fraction
        Whether ``x`` is a fraction (the default, as ``relative_effect``) or already in percent.
    plus
        Write "+" before positive values.
    """
    check_language(language)
    if is_missing(x):
        return MISSING
    value = float(x) * (100.0 if fraction else 1.0)
    body = signed(value, decimals, language) if plus else number(value, decimals, language)
    return body + percent_sign(language)


def percent_sign(language: Language = "sv") -> str:
    """"\u00a0%" in Swedish (non-breaking space before the sign), "%" in English."""
    return f"{NBSP}%" if check_language(language) == "sv" else "%"


def pp(x: float | None, decimals: int = 1, language: Language = "sv", *, plus: bool = False) -> str:
    """Percentage points: "−1,0 procentenheter" (sv), "-1.0 percentage points" (en)."""
    check_language(language)
    if is_missing(x):
        return MISSING
    body = signed(x, decimals, language) if plus else number(x, decimals, language)
    return f"{body} {'procentenheter' if language == 'sv' else 'percentage points'}"


def level_label(level: float = 0.95, language: Language = "sv") -> str:
    """A confidence level as a percentage: 0.95 → "95 %" (sv), "95%" (en)."""
    pct = float(level) * 100
    decimals = 0 if abs(pct - round(pct)) < 1e-9 else 1
    return percent(pct, decimals, language, fraction=False)


def ci_label(level: float = 0.95, language: Language = "sv") -> str:
    """"95 % KI" (sv) or "95% CI" (en)."""
    return f"{level_label(level, language)} {'KI' if language == 'sv' else 'CI'}"


def interval(
    lo: float | None,
    hi: float | None,
    *,
    decimals: int = 1,
    language: Language = "sv",
    unit: str | None = None,
) -> str:
    """The two ends of an interval: "−1,5 till −0,4" (sv), "-1.5 to -0.4" (en).

    ``unit`` as in :func:`ci_text`. A missing end gives "–".
    """
    check_language(language)
    if is_missing(lo) or is_missing(hi):
        return MISSING
    word = "till" if language == "sv" else "to"
    if unit in ("%", "percent"):
        return (
            f"{percent(lo, decimals, language)} {word} {percent(hi, decimals, language)}"
        )
    text = f"{number(lo, decimals, language)} {word} {number(hi, decimals, language)}"
    if unit == "pp":
        text += " procentenheter" if language == "sv" else " percentage points"
    elif unit:
        text += f" {unit}"
    return text


def ci_text(
    lo: float | None,
    hi: float | None,
    unit: str | None = None,
    *,
    level: float = 0.95,
    decimals: int = 1,
    language: Language = "sv",
    colon: bool = True,
) -> str:
    """A labelled confidence interval: "95 % KI: −1,5 till −0,4" / "95% CI: -1.5 to -0.4".

    Parameters
    ----------
    lo, hi
        Interval ends; if either is missing the interval is written "–".
    unit
        ``None`` (plain numbers), ``"pp"`` (appends "procentenheter"/"percentage points"),
        ``"%"``/``"percent"`` (ends are fractions written as percentages) or any other text
        appended as is (e.g. "hushåll").
    level
        Confidence level, 0.95 → "95 %".
    decimals
        Decimals of the ends.
    language
        ``"sv"`` or ``"en"``.
    colon
        "95 % KI: …" (True) or "95 % KI …" (False, for use inside parentheses).
    """
    sep = ": " if colon else " "
    return ci_label(level, language) + sep + interval(
        lo, hi, decimals=decimals, language=language, unit=unit
    )


def p_value(p: float | None, language: Language = "sv", *, prefix: bool = True,
            alpha: float = 0.05) -> str:
    """A p-value: "p = 0,03", "p = 0,004", "p < 0,001" (sv); "p = 0.03" (en).

    Two decimals from 0.01 up, three below, and "< 0,001" under one per mille. A value that
    would print as the test level ``alpha`` without being it (0.0509 → "0,05") gets more
    decimals ("0,051"), so a printed p-value can never seem to contradict its verdict
    (p ≤ alpha ⇔ the interval excludes zero). ``prefix=False`` drops the leading "p"
    ("0,03", "< 0,001") for table cells. Missing → "–".
    """
    check_language(language)
    if is_missing(p):
        return MISSING
    p = float(p)
    head = "p " if prefix else ""
    if p < 0.001:
        return f"{head}< {number(0.001, 3, language)}"
    decimals = 2 if p >= 0.01 else 3
    while decimals < 6 and round(p, decimals) == alpha and not math.isclose(p, alpha,
                                                                             rel_tol=1e-9):
        decimals += 1
    if math.isclose(p, alpha, rel_tol=1e-9):
        decimals = max(decimals, 3)
    return f"{head}{'= ' if prefix else ''}{number(p, decimals, language)}"


def period_label(period: str | None, language: Language = "sv") -> str:
    """A period for people: "2022-04" → "april 2022" (sv) / "April 2022" (en); "2022" → "2022".

    A full date ("2022-04-01") is written as :func:`date`. Unknown formats raise
    :class:`ValueError`; ``None`` gives "–".
    """
    check_language(language)
    if period is None or (isinstance(period, float) and math.isnan(period)):
        return MISSING
    text = str(period).strip()
    if m := _MONTHLY.match(text):
        day = _dt.date(int(m.group(1)), int(m.group(2)), 1)
        return format_date(day, "LLLL y", locale=_LOCALES[language])
    if _YEARLY.match(text):
        return text
    if _DAILY.match(text):
        return date(text, language)
    raise ValueError(f"Unknown period format {text!r}: use YYYY-MM, YYYY or YYYY-MM-DD.")


def period_short(period: str, language: Language = "sv") -> str:
    """A compact period for axis ticks: "2022-04" → "apr. 2022" (sv) / "Apr 2022" (en)."""
    check_language(language)
    text = str(period).strip()
    if m := _MONTHLY.match(text):
        day = _dt.date(int(m.group(1)), int(m.group(2)), 1)
        return format_date(day, "LLL y", locale=_LOCALES[language])
    return period_label(text, language)


def period_range_label(start: str | None, end: str | None, language: Language = "sv") -> str:
    """Two periods joined by an en dash: "april 2022–mars 2023"; equal ends give one period."""
    if start is None or end is None:
        return MISSING
    if str(start) == str(end):
        return period_label(start, language)
    return f"{period_label(start, language)}\u2013{period_label(end, language)}"


def period_list(periods: Iterable[str], language: Language = "sv") -> str:
    """Periods with consecutive runs collapsed: "januari 2025–mars 2025, juni 2025".

    Empty input gives "inga" / "none".
    """
    check_language(language)
    items = sorted({str(p) for p in periods})
    if not items:
        return "inga" if language == "sv" else "none"
    runs: list[list[str]] = [[items[0]]]
    for p in items[1:]:
        if _next_period(runs[-1][-1]) == p:
            runs[-1].append(p)
        else:
            runs.append([p])
    return ", ".join(period_range_label(r[0], r[-1], language) for r in runs)


def _next_period(period: str) -> str | None:
    if m := _MONTHLY.match(period):
        year, month = int(m.group(1)), int(m.group(2))
        return f"{year + month // 12}-{month % 12 + 1:02d}"
    if _YEARLY.match(period):
        return str(int(period) + 1)
    return None


def date(d: _dt.date | _dt.datetime | str | None, language: Language = "sv") -> str:
    """A calendar date: "1 april 2022" (sv), "1 April 2022" (en). ISO strings are accepted."""
    check_language(language)
    if d is None:
        return MISSING
    if isinstance(d, str):
        d = _dt.date.fromisoformat(d.strip()[:10])
    if isinstance(d, _dt.datetime):
        d = d.date()
    return format_date(d, "d MMMM y", locale=_LOCALES[language])
