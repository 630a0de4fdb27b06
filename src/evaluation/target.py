"""Target follow-up (måluppföljning): progress against a target path, net of the national trend.

A kommun sets a target ("halve the number of long-term recipients of ekonomiskt bistånd from 59
in 2019 to 30 by 2021, with an interim target of 44 by March 2021"). :func:`follow_up` answers
three questions per period after the baseline:

1. **Where is the kommun on the target path?** The path runs linearly from the baseline to the
   goal through any interim targets (see *Time placement* below); a period is *on track* when the
   observed value is at or beyond the path in the goal's direction.
2. **How much of the progress would the national trend have delivered anyway?** The
   *national-trend counterfactual* is ``baseline × national(t) / national(baseline)``: what the
   kommun would have had if it had moved exactly like the country. Its band is described under
   *The band* below. The share of the observed progress the country explains is
   ``progress_national / progress_observed`` (only when the observed progress is positive).
3. **Is the movement larger than the noise of a small count?** For a count, ``within_noise`` is
   true when the progress so far, ``|observed − baseline|``, or the distance still remaining to
   the goal (only while the goal is not reached: once passed, nothing remains) is at most
   ``z·√baseline`` (±1.96·√59 ≈ ±15 for 59 recipients at the 95 % level). This is the plain
   rule of thumb the text states; the band below is the fuller comparison. For a rate or a
   level the Poisson rule does not apply: ``within_noise`` is ``None`` and only the historical
   spread is used in the band.

Time placement
--------------
Targets are written "by" a date, so every period is placed at its **end**: ``"2021-03"`` at the
end of March 2021, ``"2021"`` at the end of December 2021. A yearly value therefore sits where
December sits, and a monthly interim target on yearly data lies between two yearly points (March
2021 is a quarter of the way from 2020 to 2021). The path is linear in that time between its
anchors (baseline, interims, goal). The follow-up ends at the goal period, the date the target
was set for (the band's spread comes from the pre-baseline periods and has no basis far beyond
it); the last value after it is reported as it is (``after_goal``), without a band. On monthly
data a yearly baseline is read at December of that year; a monthly baseline on yearly data must
be a December (it is then that year) — any other month is an error, since no yearly value
belongs to it.

The band
--------
The band is a prediction interval for the *observed* value at ``t`` if the kommun had moved
exactly like the country since the baseline. It has two sources of spread:

* **Historical deviation** (all kinds): how far the kommun's log ratio to the country,
  ``e_s = log(kommun_s) − log(riket_s)``, has wandered over ``h`` periods before the baseline —
  the mean of ``(e_{s+h} − e_s)²`` over all pre-baseline pairs (an empirical variogram; at least
  :data:`MIN_PAIRS` pairs per lag; beyond the longest such lag it grows linearly with ``h``, as a
  random walk would). For a count the part Poisson noise explains, the mean of
  ``1/kommun_s + 1/kommun_{s+h}``, is subtracted (never below zero), so it is not counted twice.
* **Poisson noise** (counts only), of both the baseline count (which is itself one draw) and the
  count at ``t``: the baseline rate gets the Jeffreys posterior ``Gamma(B + ½, 1)``, the historical
  deviation a log-normal factor with mean one and variance ``exp(σ²_h) − 1``, and their product is
  matched to a Gamma distribution; the count at ``t`` is then negative binomial and the band its
  exact ``(1 − level)/2`` and ``(1 + level)/2`` quantiles (whole numbers).

For a rate or a level the band is ``expected · exp(±z·σ_h)`` with the raw (not Poisson-corrected)
variogram. With fewer than :data:`MIN_PAIRS` pre-baseline pairs a count keeps the Poisson band
(``band["method"] == "poisson"``) and a rate or level has no band (``"none"``). The band says
nothing about revisions of the data or a change of definition.

Missing national series
-----------------------
If the national unit has no value at the baseline (or no values at all), the follow-up is made
without the counterfactual: ``national["available"]`` is false with a ``reason``, the expected
values and the band are missing, and the text says why. It is not an error: the progress and the
target path are still worth reporting.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation import distributions
from evaluation.data.panel import (
    NATIONAL_CODE,
    Measure,
    measure_info,
    panel_measures,
    period_frequency,
    period_range,
    periods_between,
)
from evaluation.errors import DataError, SpecError, field_error, field_where

TARGET_KEYS = ("measure", "baseline", "goal", "interim", "label")
#: Fewest pre-baseline pairs a lag of the historical spread is estimated from.
MIN_PAIRS = 3
#: Years where the definition of long-term assistance changed (see :func:`long_term_count`).
SERIES_BREAK_YEARS = (2017, 2021)
#: Measures whose data carry the 2017/2021 series-break note.
LONG_TERM_MEASURES = ("long_term_recipients", "long_term_share", "N31816")

#: Measures the target follow-up knows even when nobody declared them (a count of persons).
TARGET_MEASURES: dict[str, Measure] = {
    "long_term_recipients": Measure(
        "long_term_recipients", "count", "Personer med långvarigt ekonomiskt bistånd",
        "Long-term recipients of social assistance", "personer", "persons"),
    "long_term_share": Measure(
        "long_term_share", "rate", "Personer med långvarigt ekonomiskt bistånd, andel av "
        "vuxna", "Long-term recipients of social assistance, share of adults",
        "procentenheter", "percentage points"),
}

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_EXAMPLE = ('target: {measure: long_term_recipients, baseline: {period: "2019", value: 59}, '
            'goal: {period: "2021", value: 30}}')


# --------------------------------------------------------------------------- helpers
def long_term_count(share_pct: Any, adults: Any) -> Any:
    """Number of long-term recipients from Kolada's N31816 and the adult population.

    N31816 is long-term recipients of ekonomiskt bistånd as a percentage of inhabitants aged 18
    or more, so the count is ``share_pct / 100 × adults``. Works on numbers, numpy arrays and
    pandas Series (the result has the input's shape and index). The share is published with one
    decimal, so the count is only known to about ±0.05 % of the adults (±4 persons for 7 400
    adults): do not read its last digit.

    Series break: "långvarigt" means at least 10 of 12 months in the year; Socialstyrelsen
    revised the method in 2021 and recalculated the series back to 2017. Values before 2017 are
    not comparable with later ones, and values fetched before the revision differ from today's;
    :func:`follow_up` lists the break years a long-term series crosses in ``series_breaks``.

    Raises
    ------
    DataError
        A share outside 0–100 or a negative adult population.
    """
    share = np.asarray(share_pct, dtype=float)
    people = np.asarray(adults, dtype=float)
    if np.any((share < 0) | (share > 100)):
        raise DataError(
            "Andelen med långvarigt ekonomiskt bistånd ska vara en procentsats mellan 0 och 100: "
            "kontrollera att N31816 inte redan är omräknad till antal.",
            "The share of long-term recipients must be a percentage between 0 and 100: check "
            "that N31816 has not already been turned into a count.")
    if np.any(people < 0):
        raise DataError("Antalet vuxna kan inte vara negativt: kontrollera befolkningsuppgiften.",
                        "The number of adults cannot be negative: check the population figure.")
    count = share / 100.0 * people
    if isinstance(share_pct, pd.Series):
        return pd.Series(count, index=share_pct.index, name=share_pct.name)
    if isinstance(adults, pd.Series):
        return pd.Series(count, index=adults.index, name=adults.name)
    return float(count) if count.ndim == 0 else count


def add_long_term_counts(panel: pd.DataFrame, *, share: str = "long_term_share",
                         adults: str = "adults",
                         name: str = "long_term_recipients") -> pd.DataFrame:
    """``panel`` with the measure ``name`` added: :func:`long_term_count` of ``share`` (N31816,
    % of adults) and ``adults`` (inhabitants 18+, e.g. N02104) for every unit and period that
    has both (riket too, so the national-trend counterfactual works). Other columns are copied
    from the share's rows; a ``kind`` column gets "count". An existing ``name`` is replaced.

    Raises
    ------
    DataError
        ``share`` or ``adults`` is not in the panel.
    """
    for measure in (share, adults):
        if not (panel["measure"] == measure).any():
            raise DataError(f"Måttet {measure} finns inte i panelen: hämta det för att räkna ut "
                            "antalet med långvarigt ekonomiskt bistånd.",
                            f"The measure {measure} is not in the panel: fetch it to compute "
                            "the number of long-term recipients.")
    keys = ["unit", "period"]
    rows = panel[panel["measure"] == share].copy()
    people = panel.loc[panel["measure"] == adults, keys + ["value"]]
    rows = rows.merge(people, on=keys, suffixes=("", "_adults"))
    rows["value"] = long_term_count(rows["value"].astype(float), rows["value_adults"])
    rows = rows.drop(columns="value_adults").dropna(subset=["value"])
    rows["measure"] = name
    if "kind" in rows.columns:
        rows["kind"] = "count"
    for column, text in (("unit_text", "personer"), ("unit_text_en", "persons")):
        if column in rows.columns:
            rows[column] = text
    kept = panel[panel["measure"] != name]
    return pd.concat([kept, rows[panel.columns]], ignore_index=True)


def anchor(period: str) -> int:
    """A period's end in months: ``"2021-03"`` → 12·2021 + 3; ``"2021"`` → 12·2021 + 12 (its
    December). Used to place periods of either frequency on one time axis."""
    text = str(period)
    year = int(text[:4])
    return 12 * year + (int(text[5:7]) if len(text) > 4 else 12)


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _clean(x: Any) -> Any:
    """JSON-friendly: numpy scalars to Python, NaN to None, containers recursively."""
    if isinstance(x, Mapping):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(float(x)) else None
    return x


# --------------------------------------------------------------------------- validation
_where = field_where
_spec_error = field_error


def _period_value(value: Any, key: str, line: int | None) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        raise _spec_error(key, line, "är ett datum: skriv perioden inom citattecken som ÅÅÅÅ-MM "
                          "eller ÅÅÅÅ, t.ex. \"2021-03\".",
                          "is a date: write the period in quotes as YYYY-MM or YYYY, e.g. "
                          "\"2021-03\".")
    text = str(value).strip() if isinstance(value, str) else ""
    if not _PERIOD.match(text):
        raise _spec_error(key, line, f"har perioden {value!r}: skriv ÅÅÅÅ (t.ex. \"2021\") eller "
                          "ÅÅÅÅ-MM (t.ex. \"2021-03\").",
                          f"has the period {value!r}: write YYYY (e.g. \"2021\") or YYYY-MM "
                          "(e.g. \"2021-03\").")
    return text


def _number(value: Any, key: str, line: int | None) -> float:
    number = float("nan")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.replace(" ", "").replace("\u00a0", "").replace(",", "."))
        except ValueError:
            pass
    if not math.isfinite(number):
        raise _spec_error(key, line, f"ska vara ett tal, inte {value!r}: skriv t.ex. 30.",
                          f"must be a number, not {value!r}: write e.g. 30.")
    return number


def _point(value: Any, key: str, line: int | None, *, relative: bool) -> dict[str, Any]:
    """One ``{period, value}`` (or, when ``relative``, ``{period, change}``) item."""
    example = ('{period: "2021", value: 30} eller {period: "2021", change: -0.5}' if relative
               else '{period: "2019", value: 59}')
    example_en = example.replace(" eller ", " or ")
    allowed = {"period", "value", "change"} if relative else {"period", "value"}
    if not isinstance(value, Mapping) or "period" not in value or set(value) - allowed:
        raise _spec_error(key, line, f"ska ha formen {example}.", f"must have the form "
                          f"{example_en}.")
    period = _period_value(value["period"], key, line)
    amount = None if value.get("value") is None else _number(value["value"], key, line)
    change = None if value.get("change") is None else _number(value["change"], key, line)
    if amount is not None and amount < 0:
        raise _spec_error(key, line, f"har värdet {amount:g}: ett målvärde kan inte vara "
                          "negativt, skriv 0 eller mer.", f"has the value {amount:g}: a target "
                          "value cannot be negative, write 0 or more.")
    if relative and (amount is None) == (change is None):
        both = amount is not None
        raise _spec_error(key, line, "ska ha antingen value (en nivå) eller change (en relativ "
                          f"förändring, −0,5 = halvering), inte {'båda' if both else 'ingen'}: "
                          f"skriv t.ex. {example}.",
                          "must have either value (a level) or change (a relative change, "
                          f"-0.5 = halve), not {'both' if both else 'neither'}: write e.g. "
                          f"{example_en}.")
    if change is not None and not (-1 <= change and change != 0):
        raise _spec_error(key, line, f"har change {change:g}: skriv en relativ förändring skild "
                          "från 0 och inte under −1, t.ex. -0.5 för en halvering.",
                          f"has change {change:g}: write a relative change other than 0 and not "
                          "below -1, e.g. -0.5 to halve.")
    out = {"period": period, "value": amount}
    if relative:
        out["change"] = change
    return out


def _interim_list(value: Any, line: int | None) -> list[dict[str, Any]]:
    if value is None:
        return []
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, list):
        raise _spec_error("target.interim", line, "ska vara en lista, t.ex. "
                          "[{period: \"2021-03\", value: 44}].",
                          "must be a list, e.g. [{period: \"2021-03\", value: 44}].")
    points = [_point(v, "target.interim", line, relative=True) for v in items]
    return sorted(points, key=lambda p: anchor(p["period"]))


def _check_order(baseline: Mapping, goal: Mapping, interim: Sequence[Mapping],
                 line: int | None) -> None:
    start, end = anchor(baseline["period"]), anchor(goal["period"])
    if end <= start:
        raise _spec_error("target.goal", line, f"har perioden {goal['period']}, som inte ligger "
                          f"efter utgångsläget {baseline['period']}: skriv en senare period.",
                          f"has the period {goal['period']}, which is not after the baseline "
                          f"{baseline['period']}: write a later period.")
    seen: set[int] = set()
    for item in interim:
        at = anchor(item["period"])
        if not start < at < end or at in seen:
            raise _spec_error("target.interim", line, f"har perioden {item['period']}: ett "
                              f"delmål ska ligga mellan utgångsläget ({baseline['period']}) och "
                              f"målet ({goal['period']}), högst ett per period.",
                              f"has the period {item['period']}: an interim target must lie "
                              f"between the baseline ({baseline['period']}) and the goal "
                              f"({goal['period']}), at most one per period.")
        seen.add(at)


def validate_target(value: Any, line: int | None = None) -> dict[str, Any]:
    """The spec's ``target:`` block, checked and normalised.

    Shape (``value`` of baseline optional, goal and interims by ``value`` or relative
    ``change``; periods ``"YYYY"`` or ``"YYYY-MM"``)::

        target:
          measure: long_term_recipients
          baseline: {period: "2019", value: 59}
          goal: {period: "2021", value: 30}          # or {period: "2021", change: -0.5}
          interim: [{period: "2021-03", value: 44}]  # optional
          label: "Halvera antalet med långvarigt ekonomiskt bistånd"   # optional

    Returns ``{"measure", "baseline": {"period", "value"}, "goal": {"period", "value",
    "change"}, "interim": [{"period", "value", "change"}, ...] (in time order), "label"}`` with
    ``None`` for what was not given. Validating the result again returns it unchanged.

    Raises
    ------
    SpecError
        One sentence (Swedish and English) naming the field, what is wrong and what to write.
    """
    if not isinstance(value, Mapping):
        raise _spec_error("target", line, "ska vara ett block med measure, baseline och goal: "
                          f"skriv t.ex. {_EXAMPLE}.", "must be a block with measure, baseline "
                          f"and goal: write e.g. {_EXAMPLE}.")
    unknown = sorted(str(k) for k in set(value) - set(TARGET_KEYS))
    if unknown:
        raise _spec_error("target", line, f"har okänd nyckel {unknown[0]!r}: använd measure, "
                          "baseline, goal, interim och label.", f"has the unknown key "
                          f"{unknown[0]!r}: use measure, baseline, goal, interim and label.")
    for key in ("measure", "baseline", "goal"):
        if value.get(key) is None:
            raise _spec_error("target", line, f"saknar {key}: skriv t.ex. {_EXAMPLE}.",
                              f"lacks {key}: write e.g. {_EXAMPLE}.")
    measure = value["measure"]
    if not isinstance(measure, str) or not measure.strip():
        raise _spec_error("target.measure", line, "ska vara namnet på ett mått i panelen, t.ex. "
                          "long_term_recipients.", "must be the name of a measure in the panel, "
                          "e.g. long_term_recipients.")
    baseline = _point(value["baseline"], "target.baseline", line, relative=False)
    goal = _point(value["goal"], "target.goal", line, relative=True)
    interim = _interim_list(value.get("interim"), line)
    _check_order(baseline, goal, interim, line)
    if baseline["value"] is not None and goal["value"] == baseline["value"]:
        raise _spec_error("target.goal", line, f"har samma värde som utgångsläget "
                          f"({goal['value']:g}): skriv det värde som ska nås.",
                          f"has the same value as the baseline ({goal['value']:g}): write the "
                          "value to be reached.")
    label = value.get("label")
    return {"measure": measure.strip(), "baseline": baseline, "goal": goal, "interim": interim,
            "label": None if label is None else str(label).strip() or None}


# --------------------------------------------------------------------------- the result
@dataclass
class TargetFollowUp:
    """The target follow-up of one kommun; :meth:`to_dict` is what the report reads.

    ``rows`` has one dict per period of the measure from the baseline to the later of the goal
    and the last observed value: ``period, horizon`` (periods since the baseline), ``observed,
    target`` (the path), ``progress`` (movement towards the goal, positive = good),
    ``share_achieved`` (of the change the goal requires), ``remaining`` (still to go, 0 once the
    goal level is reached), ``on_track``, ``expected, expected_low, expected_high`` (the
    national-trend counterfactual and its band), ``progress_national``, ``share_national``,
    ``vs_national`` ("better", "within", "worse": the observed value beyond, inside or behind
    the band in the goal's direction), ``within_noise`` (with its two parts
    ``progress_within_noise`` and ``remaining_within_noise``; ``None`` unless a count) and
    ``preliminary``. ``latest`` is the row of the last observed period after the baseline (or
    ``None``); ``within_noise`` at the top is that row's.

    ``noise`` is ``{"applies"`` (a count), ``"z"``, ``"half_width"`` (z·√baseline, ``None``
    unless a count), ``"progress_within"``, ``"remaining_within"`` (for the latest period) and
    ``"goal_within"`` (the change the goal requires is itself within the noise)``}``.
    ``band`` is ``{"method"`` ("poisson_history", "poisson", "history" or "none"), ``"level"``,
    ``"history_lags"``, ``"history_periods"``, ``"spread_sd_one_period"``}``; ``national`` is
    ``{"available", "reason"`` (None, "missing", "missing_baseline"), ``"unit", "name"}``.
    ``baseline`` is ``{"period", "data_period", "value", "source"`` ("spec" or "panel")``}``,
    ``goal`` ``{"period", "data_period", "value", "change"}`` and ``interim`` a list of
    ``{"period", "value", "change"}`` with the value resolved.
    """

    measure: str
    label: str | None
    measure_label: dict[str, str]
    kind: str
    unit: dict[str, str]
    frequency: str
    treated: str
    treated_name: str
    national_unit: str
    level: float
    baseline: dict[str, Any]
    goal: dict[str, Any]
    interim: list[dict[str, Any]]
    direction: int
    required_change: float
    rows: list[dict[str, Any]]
    history: list[dict[str, Any]]
    latest: dict[str, Any] | None
    national: dict[str, Any]
    band: dict[str, Any]
    noise: dict[str, Any]
    within_noise: bool | None
    series_breaks: list[int] = field(default_factory=list)
    #: the last value after the goal period (the follow-up itself ends at the goal period)
    after_goal: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dict (NaN → ``None``) with the fields above as keys."""
        return _clean({name: getattr(self, name) for name in self.__dataclass_fields__})

    def frame(self) -> pd.DataFrame:
        """``rows`` as a DataFrame indexed by period."""
        return pd.DataFrame(self.rows).set_index("period")


# --------------------------------------------------------------------------- reading the panel
def _resolve_measure(panel: pd.DataFrame, name: str, kind: str | None) -> Measure:
    info = measure_info(name)
    if info.origin == "undeclared":
        info = panel_measures(panel).get(name) or TARGET_MEASURES.get(name, info)
    if kind is not None and kind != info.kind:
        info = Measure(name, kind, info.label_sv, info.label_en,
                       *(("procentenheter", "percentage points") if kind == "rate"
                         else (info.unit_sv, info.unit_en)), origin="argument")
    return info


def _measure_rows(panel: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = panel[panel["measure"].astype(str) == measure]
    if rows.empty:
        known = ", ".join(sorted(panel["measure"].astype(str).unique())[:8])
        raise DataError(f"Måttet {measure} finns inte i panelen: välj ett av {known}.",
                        f"The measure {measure} is not in the panel: choose one of {known}.")
    return rows


def _series(rows: pd.DataFrame, unit: str) -> pd.Series:
    sub = rows[rows["unit"].astype(str) == unit]
    values = pd.to_numeric(sub["value"], errors="coerce")
    out = pd.Series(values.to_numpy(dtype=float), index=sub["period"].astype(str).to_numpy())
    return out[np.isfinite(out)].groupby(level=0).last().sort_index()


def _preliminary(rows: pd.DataFrame, unit: str) -> set[str]:
    if "status" not in rows.columns:
        return set()
    sub = rows[(rows["unit"].astype(str) == unit) & (rows["status"] == "preliminary")]
    return set(sub["period"].astype(str))


def _unit_name(rows: pd.DataFrame, unit: str) -> str:
    if "unit_name" in rows.columns:
        names = rows.loc[rows["unit"].astype(str) == unit, "unit_name"].dropna()
        if len(names):
            return str(names.iloc[0])
    return unit


def _data_period(period: str, frequency: str) -> str | None:
    """The period of the data's frequency a spec period falls on (placed at its end): a year
    on monthly data is its December; a December on yearly data is its year; other months on
    yearly data have none."""
    if period_frequency(period) == frequency:
        return period
    if frequency == "monthly":
        return f"{period}-12"
    return period[:4] if period.endswith("-12") else None


# --------------------------------------------------------------------------- the pieces
def _baseline(spec: Mapping, own: pd.Series, frequency: str, treated: str,
              name: str) -> tuple[str, float, str]:
    period = spec["baseline"]["period"]
    base = _data_period(period, frequency)
    if base is None:
        raise DataError(
            f"Utgångsläget {period} är en månad men måttet finns bara per år: skriv "
            f"utgångsläget som ett år, t.ex. \"{period[:4]}\".",
            f"The baseline {period} is a month but the measure is yearly: write the baseline "
            f"as a year, e.g. \"{period[:4]}\".")
    if spec["baseline"]["value"] is not None:
        return base, float(spec["baseline"]["value"]), "spec"
    if base not in own.index:
        raise DataError(
            f"{name} ({treated}) saknar värde för utgångsläget {base}: skriv värdet i "
            f"specifikationen, t.ex. baseline: {{period: \"{period}\", value: 59}}.",
            f"{name} ({treated}) has no value for the baseline {base}: write the value in the "
            f"spec, e.g. baseline: {{period: \"{period}\", value: 59}}.")
    return base, float(own[base]), "panel"


def _check_goal_in_data(spec: Mapping, own: pd.Series, measure: str) -> None:
    goal = spec["goal"]["period"]
    if not len(own):
        return
    first = str(own.index[0])
    if anchor(goal) < anchor(first):
        raise DataError(
            f"Målperioden {goal} ligger före första värdet av {measure} ({first}): skriv en "
            f"målperiod från {first} och framåt.",
            f"The goal period {goal} is before the first value of {measure} ({first}): write a "
            f"goal period from {first} on.")


def _level(point: Mapping, baseline: float) -> float:
    if point.get("value") is not None:
        return float(point["value"])
    return baseline * (1.0 + float(point["change"]))


def _path(periods: Sequence[str], anchors: Sequence[tuple[str, float]]) -> np.ndarray:
    """The target path at each period: linear in time between the anchors, flat after the
    goal."""
    times = np.array([anchor(p) for p, _ in anchors], dtype=float)
    values = np.array([v for _, v in anchors], dtype=float)
    return np.interp([anchor(p) for p in periods], times, values)


def _spread(own: pd.Series, national: pd.Series, base: str,
            count: bool) -> dict[int, tuple[float, float]]:
    """Excess variance of the log ratio kommun/riket over ``h`` periods and its degrees of
    freedom, by lag ``h``, from the pre-baseline periods (see the module docstring)."""
    both = pd.concat([own, national], axis=1, keys=["own", "nat"]).dropna()
    both = both[(both.index <= base) & (both["own"] > 0) & (both["nat"] > 0)]
    if len(both) < 2:
        return {}
    pos = np.array([periods_between(base, str(p)) for p in both.index])
    e = np.log(both["own"].to_numpy()) - np.log(both["nat"].to_numpy())
    inv = 1.0 / both["own"].to_numpy()
    where = {int(p): i for i, p in enumerate(pos)}
    out: dict[int, tuple[float, float]] = {}
    for h in range(1, int(pos.max() - pos.min()) + 1):
        pairs = [(where[p], where[p + h]) for p in where if p + h in where]
        if len(pairs) < MIN_PAIRS:
            continue
        i, j = np.array(pairs).T
        raw = float(np.mean((e[j] - e[i]) ** 2))
        poisson = float(np.mean(inv[i] + inv[j])) if count else 0.0
        out[h] = (max(0.0, raw - poisson), max(1.0, len(pairs) / h))
    return out


def _spread_at(spread: Mapping[int, tuple[float, float]], h: int,
               level: float) -> float | None:
    """The excess log variance at lag ``h``, scaled by ``(t_df/z)²`` for having been estimated
    from few pairs; ``None`` without history."""
    if not spread:
        return None
    if h <= 0:
        return 0.0
    longest = max(spread)
    if h > longest:
        var, df = spread[longest]
        var *= h / longest
    else:
        var, df = spread[max([k for k in spread if k <= h] or [min(spread)])]
    q = 0.5 + level / 2
    return var * (float(distributions.t_ppf(q, df)) / float(distributions.norm_ppf(q))) ** 2


def _count_band(baseline: float, ratio: float, var: float, level: float) -> tuple[float, float]:
    """Negative-binomial prediction interval of the count at ``t`` (module docstring)."""
    a = max(baseline, 0.0) + 0.5
    mean = ratio * a
    if not mean > 0:
        return 0.0, 0.0
    cv2 = (1.0 / a + 1.0) * math.exp(var) - 1.0
    k = 1.0 / cv2
    alpha = 1.0 - level
    lo, hi = (distributions.nbinom_ppf(q, k, k / (k + mean)) for q in (alpha / 2, 1 - alpha / 2))
    return float(lo), float(hi)


def _band(expected: float, baseline: float, ratio: float, var: float | None, count: bool,
          level: float) -> tuple[float, float]:
    if not math.isfinite(expected):
        return math.nan, math.nan
    if count:
        return _count_band(baseline, ratio, var or 0.0, level)
    if var is None:
        return math.nan, math.nan
    z = float(distributions.norm_ppf(0.5 + level / 2))
    width = math.exp(z * math.sqrt(var))
    return expected / width, expected * width


def _ratio(national: pd.Series, base: str, periods: Sequence[str]) -> tuple[np.ndarray, dict]:
    if national.empty:
        return np.full(len(periods), np.nan), {"available": False, "reason": "missing"}
    if base not in national.index or not national[base] > 0:
        return np.full(len(periods), np.nan), {"available": False, "reason": "missing_baseline"}
    ratio = national.reindex(list(periods)).to_numpy(dtype=float) / float(national[base])
    return ratio, {"available": True, "reason": None}


def _vs_national(obs: float, lo: float, hi: float, direction: int) -> str | None:
    if not (_finite(obs) and _finite(lo) and _finite(hi)):
        return None
    if lo <= obs <= hi:
        return "within"
    below = obs < lo
    return "better" if below == (direction < 0) else "worse"


def _row(period: str, h: int, obs: float, path: float, expected: float, band: tuple,
         ctx: Mapping[str, Any]) -> dict[str, Any]:
    b, g, d, hw = ctx["baseline"], ctx["goal"], ctx["direction"], ctx["half_width"]
    has = _finite(obs)
    progress = (obs - b) * d + 0.0 if has else math.nan  # + 0.0: never −0
    remaining = max(0.0, (g - obs) * d) if has else math.nan
    progress_national = (expected - b) * d + 0.0 if _finite(expected) else math.nan
    share_national = (progress_national / progress
                      if has and progress > 0 and _finite(progress_national) else math.nan)
    within = None
    if has and hw is not None and h > 0:
        within = bool(abs(obs - b) <= hw or 0 < remaining <= hw)
    return {
        "period": period, "horizon": h, "observed": obs, "target": path,
        "progress": progress, "share_achieved": progress / abs(g - b) + 0.0 if has else math.nan,
        "remaining": remaining, "on_track": bool((obs - path) * d >= 0) if has else None,
        "expected": expected, "expected_low": band[0], "expected_high": band[1],
        "progress_national": progress_national, "share_national": share_national,
        "vs_national": _vs_national(obs, band[0], band[1], d), "within_noise": within,
        "preliminary": period in ctx["preliminary"],
        "progress_within_noise": bool(abs(obs - b) <= hw) if within is not None else None,
        "remaining_within_noise": bool(0 < remaining <= hw) if within is not None else None,
    }


def _series_breaks(measure: str, periods: Sequence[str]) -> list[int]:
    if measure not in LONG_TERM_MEASURES and not measure.startswith("long_term"):
        return []
    years = [int(str(p)[:4]) for p in periods]
    if not years:
        return []
    return [y for y in SERIES_BREAK_YEARS if min(years) < y <= max(years)]


def _band_method(count: bool, national_ok: bool, spread: Mapping) -> str:
    if not national_ok:
        return "none"
    if count:
        return "poisson_history" if spread else "poisson"
    return "history" if spread else "none"


# --------------------------------------------------------------------------- follow-up
def follow_up(panel: pd.DataFrame, target: Mapping[str, Any], *, treated: str,
              national_unit: str = NATIONAL_CODE, level: float = 0.95,
              kind: str | None = None) -> TargetFollowUp:
    """Follow up ``target`` for the kommun ``treated`` in the long ``panel``.

    Parameters
    ----------
    panel
        Long panel with ``unit, period, measure, value`` (``unit_name``, ``status``, ``kind``
        used when present); periods ``"YYYY"`` or ``"YYYY-MM"``.
    target
        The ``target:`` block (raw or from :func:`validate_target`).
    treated
        The kommun's code.
    national_unit
        The unit whose development is "the national trend" (riket, ``"00"``).
    level
        Level of the band and of the noise rule (0.95 → ±1.96·√baseline).
    kind
        Override of the measure's kind (``"count"``, ``"rate"``, ``"level"``); by default it
        is what :func:`evaluation.data.panel.measure_info` says, else the panel's ``kind``
        column, else :data:`TARGET_MEASURES`, else "level".

    Raises
    ------
    SpecError
        The target block is invalid (:func:`validate_target`).
    DataError
        The measure is not in the panel, the kommun has no values of it, the baseline has no
        value in the panel nor in the spec, a monthly baseline on yearly data, or the goal
        period is before the first value. A missing national series is *not* an error (see
        the module docstring).
    """
    spec = validate_target(target)
    treated = str(treated)
    name = spec["measure"]
    info = _resolve_measure(panel, name, kind)
    rows = _measure_rows(panel, name)
    own, national = _series(rows, treated), _series(rows, str(national_unit))
    place = _unit_name(rows, treated)
    if own.empty and spec["baseline"]["value"] is None:
        raise DataError(f"{place} ({treated}) har inga värden för {name} i panelen: kontrollera "
                        "kommunkoden eller hämta måttet för kommunen.",
                        f"{place} ({treated}) has no values of {name} in the panel: check the "
                        "municipality code or fetch the measure for it.")
    frequency = period_frequency(str(rows["period"].astype(str).iloc[0]))
    _check_goal_in_data(spec, own, name)
    base, b, source = _baseline(spec, own, frequency, treated, place)
    g = _level(spec["goal"], b)
    if g == b:
        raise DataError(f"Målet ({g:g}) är lika med utgångsläget: skriv det värde som ska nås.",
                        f"The goal ({g:g}) equals the baseline: write the value to be reached.")
    direction = 1 if g > b else -1
    interim = [dict(p, value=_level(p, b)) for p in spec["interim"]]
    goal_period = _data_period(spec["goal"]["period"], frequency) or spec["goal"]["period"][:4]
    last = own.index[-1] if len(own) else base
    # The follow-up ends at the goal period: that is the date the target was set for, and the
    # national-trend band has no basis far beyond it (its spread comes from the pre-baseline
    # periods). Values after it are reported as they are (``after_goal``).
    periods = period_range(base, goal_period)
    anchors = ([(spec["baseline"]["period"], b)] + [(p["period"], p["value"]) for p in interim]
               + [(spec["goal"]["period"], g)])
    path = _path(periods, anchors)
    count = info.kind == "count"
    ratio, national_info = _ratio(national, base, periods)
    national_info["unit"] = str(national_unit)
    national_info["name"] = _unit_name(rows, str(national_unit))
    spread = _spread(own, national, base, count) if national_info["available"] else {}
    z = float(distributions.norm_ppf(0.5 + level / 2))
    half_width = z * math.sqrt(max(b, 0.0)) if count else None
    ctx = {"baseline": b, "goal": g, "direction": direction, "half_width": half_width,
           "preliminary": _preliminary(rows, treated)}
    out_rows = []
    for i, period in enumerate(periods):
        h = periods_between(base, period)
        expected = b * ratio[i] if _finite(ratio[i]) else math.nan
        var = _spread_at(spread, h, level)
        band = _band(expected, b, ratio[i], var, count, level) if h > 0 else (math.nan,) * 2
        obs = float(own[period]) if period in own.index else math.nan
        out_rows.append(_row(period, h, obs, float(path[i]), expected, band, ctx))
    observed = [r for r in out_rows if r["horizon"] > 0 and _finite(r["observed"])]
    latest = observed[-1] if observed else None
    later = [(str(p), float(v)) for p, v in own.items()
             if str(p) > goal_period and _finite(float(v))]
    after_goal = ({"period": later[-1][0], "observed": later[-1][1],
                   "preliminary": later[-1][0] in ctx["preliminary"]} if later else None)
    history = [{"period": str(p), "observed": float(v)} for p, v in own.items() if p < base]
    noise = {
        "applies": count, "z": z, "half_width": half_width,
        "progress_within": latest["progress_within_noise"] if latest else None,
        "remaining_within": latest["remaining_within_noise"] if latest else None,
        "goal_within": bool(abs(g - b) <= half_width) if count else None,
    }
    used = [p for p in own.index if p <= periods[-1]]
    return TargetFollowUp(
        measure=name, label=spec["label"],
        measure_label={"sv": info.label_sv, "en": info.label_en}, kind=info.kind,
        unit={"sv": info.unit_sv, "en": info.unit_en}, frequency=frequency, treated=treated,
        treated_name=place, national_unit=str(national_unit), level=float(level),
        baseline={"period": spec["baseline"]["period"], "data_period": base, "value": b,
                  "source": source},
        goal={"period": spec["goal"]["period"], "data_period": goal_period, "value": g,
              "change": spec["goal"]["change"]},
        interim=interim, direction=direction, required_change=g - b, rows=out_rows,
        history=history, latest=latest, national=national_info,
        band={"method": _band_method(count, national_info["available"], spread),
              "level": float(level), "history_lags": len(spread),
              "history_periods": int(sum(1 for p in own.index if p <= base)),
              "spread_sd_one_period": math.sqrt(spread[min(spread)][0]) if spread else None},
        noise=noise, within_noise=latest["within_noise"] if latest else None,
        series_breaks=_series_breaks(name, used), after_goal=after_goal,
    )
