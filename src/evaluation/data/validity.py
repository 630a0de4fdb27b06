"""Values no design may turn into a finding (issue "Bad input never becomes a published
finding").

The panel reader (:func:`evaluation.data.panel.validate_panel`) checks the *form* of the data;
these checks run on the evaluation's outcomes once their kinds are known, before any design,
and each refusal is one sentence naming the unit, period, value and the fix:

* a value that is not finite (``inf``) — a design would print it, or a p-value of 0;
* a rate outside 0–100 % (a share of the labour force cannot be 150 %);
* a negative count, or a monthly count that is not a whole number (households, persons at a
  time; a yearly count may be a yearly average, as Socialstyrelsen's "genomsnitt per månad");
* a negative population (the ``population`` measure or column scales every count);
* an outcome that does not vary in the evaluated kommun's pre-period (a constant series gives
  intervals of zero width, and "0,000 till 0,000" would read as certainty);
* a unit code that is no kommun, län or riket code when the other codes are Swedish ones (a
  typo such as 9999 would otherwise join the comparison kommuner silently), with the nearest
  valid code. The code list is SCB's, read from the public reference data
  (``<shared data>/sweden/kommunkoder_290_lan_skrgrupp.csv``, see
  :func:`evaluation.paths.shared_data_dir`); without it this one check is not made.

Suppressed values (status ``suppressed``) are missing, not wrong, and are left to the checks of
:mod:`evaluation.inputs`.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.data.panel import rows_where
from evaluation.errors import DataError

CODES_FILE = ("sweden", "kommunkoder_290_lan_skrgrupp.csv")
#: Share of a panel's four-digit codes that must be real kommun codes before the others are
#: called typos (fictional panels, such as the demo's, are left alone).
SWEDISH_SHARE = 0.8
#: A count may differ from a whole number by this much (a float stored as 147.0000001).
WHOLE_TOLERANCE = 1e-6


def codes_path() -> Path:
    from evaluation.paths import shared_data_dir

    return shared_data_dir().joinpath(*CODES_FILE)


def known_codes(path: Path | None = None) -> frozenset[str]:
    """The 290 kommun codes, the 21 län codes and ``00`` (SCB's codes, 2024); empty when the
    list is not available."""
    return _read_codes(path or codes_path())


@lru_cache(maxsize=4)
def _read_codes(path: Path) -> frozenset[str]:
    if not path.is_file():
        return frozenset()
    frame = pd.read_csv(path, dtype=str)
    return frozenset({"00", *frame["kommunkod"], *frame["lan_kod"]})


def nearest_code(code: str, candidates) -> str | None:
    """The candidate closest to ``code`` as a typo (difflib's similarity; among equally similar
    codes of digits the numerically nearest), or None when nothing is close."""
    code = str(code)
    scored = []
    for other in candidates:
        other = str(other)
        ratio = difflib.SequenceMatcher(None, code, other).ratio()
        if ratio < 0.5:
            continue
        distance = (abs(int(code) - int(other)) if code.isdigit() and other.isdigit()
                    else 0)
        scored.append((-ratio, len(other) != len(code), distance, other))
    return min(scored)[3] if scored else None


def check_unit_codes(panel: pd.DataFrame, source: str) -> None:
    """Refuse a code that is no Swedish region code in a panel of Swedish codes."""
    codes = sorted({str(u) for u in panel["unit"].unique()})
    four = [c for c in codes if len(c) == 4 and c.isdigit()]
    known = known_codes()
    if not known or not four or sum(c in known for c in four) < SWEDISH_SHARE * len(four):
        return
    unknown = [c for c in codes if c not in known]
    if not unknown:
        return
    code = unknown[0]
    near = nearest_code(code, known)
    hint_sv = f" (närmast giltiga kod: {near})" if near else ""
    hint_en = f" (nearest valid code: {near})" if near else ""
    more_sv = f" och {len(unknown) - 1} till" if len(unknown) > 1 else ""
    more_en = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
    raise DataError(
        f"{source} har enhetskoden {code!r}{more_sv}, som inte är någon kommun-, läns- eller "
        f"rikskod{hint_sv}: rätta koden eller ta bort raderna, annars blir den en "
        "jämförelsekommun som inte finns.",
        f"{source} has the unit code {code!r}{more_en}, which is no kommun, län or riket "
        f"code{hint_en}: correct the code or remove its rows, or it becomes a comparison "
        "municipality that does not exist.",
    )


def check_outcome_values(panel: pd.DataFrame, *, outcomes: list[str], kinds: dict[str, str],
                         treated: str, intervention: str, names: dict[str, str],
                         source: str) -> None:
    """Refuse non-finite, impossible and invariant outcome values (module docstring)."""
    for outcome in outcomes:
        rows = rows_where(panel, (panel["measure"] == outcome) & (panel["status"] != "suppressed"),
                          ["unit", "period", "value"])
        values = rows["value"].to_numpy(dtype=float)
        kind = kinds.get(outcome, "level")
        bad = np.isinf(values)
        what_sv, what_en = "inte ett ändligt tal", "not a finite number"
        if not bad.any() and kind == "rate":
            bad = (values < 0) | (values > 100)
            what_sv, what_en = "en andel utanför 0–100 %", "a share outside 0–100 %"
        if not bad.any() and kind == "count":
            bad = values < 0
            what_sv, what_en = "ett negativt antal", "a negative count"
            monthly = len(rows) and len(str(rows["period"].iloc[0])) == 7
            if not bad.any() and monthly:
                finite = np.nan_to_num(values)
                bad = np.abs(finite - np.round(finite)) > WHOLE_TOLERANCE
                what_sv, what_en = "ett antal som inte är ett heltal", "a count that is not whole"
        if bad.any():
            row = rows.iloc[int(np.flatnonzero(bad)[0])]
            unit = str(row["unit"])
            place = f"{names.get(unit, unit)} ({unit})"
            raise DataError(
                f"{source} har värdet {float(row['value'])!r} för {outcome} i {place} "
                f"{row['period']}, {what_sv}: rätta värdet eller markera det som skyddat "
                "(suppressed) – annars kan det bli ett resultat.",
                f"{source} has the value {float(row['value'])!r} for {outcome} in {place} "
                f"{row['period']}, {what_en}: correct it or mark it as suppressed – otherwise "
                "it can become a finding.",
            )
        own = rows[(rows["unit"] == treated) & (rows["period"] < intervention)]["value"]
        own = own.dropna()
        if len(own) >= 2 and float(own.max() - own.min()) == 0.0:
            place = f"{names.get(treated, treated)} ({treated})"
            raise DataError(
                f"{source}: {outcome} är {own.iloc[0]:g} i varje period före förändringen i "
                f"{place}: en serie utan variation kan inte visa en effekt (intervallen får "
                "bredden noll); kontrollera filen eller välj ett annat utfall.",
                f"{source}: {outcome} is {own.iloc[0]:g} in every period before the change in "
                f"{place}: a series without variation cannot show an effect (the intervals get "
                "zero width); check the file or choose another outcome.",
            )


def check_population(panel: pd.DataFrame, *, names: dict[str, str], source: str) -> None:
    """Refuse a negative population (measure or column): counts are compared per inhabitant."""
    rows = panel[(panel["measure"] == "population") & (panel["status"] != "suppressed")]
    candidates = [(rows, "value")]
    if "population" in panel.columns:
        candidates.append((panel, "population"))
    for frame, column in candidates:
        values = frame[column].to_numpy(dtype=float)
        bad = values < 0
        if not bad.any():
            continue
        row = frame.iloc[int(np.flatnonzero(bad)[0])]
        unit = str(row["unit"])
        place = f"{names.get(unit, unit)} ({unit})"
        raise DataError(
            f"{source} har folkmängden {float(row[column])!r} för {place} {row['period']}, ett "
            "negativt antal invånare: rätta värdet eller ta bort raden – folkmängden skalar "
            "varje antal.",
            f"{source} has the population {float(row[column])!r} for {place} {row['period']}, a "
            "negative number of inhabitants: correct it or remove the row – the population "
            "scales every count.",
        )
