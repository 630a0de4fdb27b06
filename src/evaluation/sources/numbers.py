"""Numbers in the sources' answers, read strictly: a changed format must not become a wrong number.

Kolada and SCB send numbers as JSON numbers. Should an answer carry them as text instead,
:func:`number` reads Swedish notation — a decimal comma ("253,9") and a space, thin space
(U+2009), narrow no-break space (U+202F), figure space (U+2007) or no-break space (U+00A0)
between groups of three digits ("1 234,5") — as well as a decimal point ("253.9") and the
minus sign U+2212. Anything else (two decimal marks, "1,234,567", "ca 250", "NaN", a bool, an
empty text) raises ``ValueError``; the loaders turn it into a :class:`DataError` naming the
KPI or table cell and the value.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["number"]

_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " "})
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}( \d{3})+")


def number(value: Any) -> float:
    """``value`` as a finite float, from a JSON number or a text in Swedish or plain notation.

    Examples
    --------
    >>> number("253,9"), number("1\u2009234,5"), number("−3"), number(17)
    (253.9, 1234.5, -3.0, 17.0)

    Raises
    ------
    ValueError
        When ``value`` is no number in a notation read here, or not finite.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a truth value, not a number")
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        result = _from_text(value)
    else:
        raise ValueError(f"{value!r} is not a number")
    if not math.isfinite(result):
        raise ValueError(f"{value!r} is not a finite number")
    return result


def _from_text(value: str) -> float:
    text = value.translate(_SPACES).strip().replace("\u2212", "-")
    if "," in text:
        if "." in text or text.count(",") > 1:
            raise ValueError(f"{value!r} has an ambiguous decimal mark")
        text = text.replace(",", ".")
    whole, _, fraction = text.partition(".")
    if " " in whole:
        if " " in fraction or not _GROUPED.fullmatch(whole):
            raise ValueError(f"{value!r} has spaces that do not separate thousands")
        text = text.replace(" ", "")
    if not _PLAIN.fullmatch(text):
        raise ValueError(f"{value!r} is not a number")
    return float(text)
