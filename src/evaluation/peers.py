"""Peer comparison: the treated kommun against each kommun of a chosen group, year by year.

Evaluators often ask how their kommun stands against similar or neighbouring kommuner
(Bollebygd's 2020 investigation compared staffing, unemployment and ekonomiskt bistånd with the
other Sjuhärad kommuner). This module builds that comparison. It is **descriptive**: it shows
where the kommun ranks and how far it is from the group's mean, never what the reform did
(that is the designs' job, net of the national trend). The report says so in words
(:func:`evaluation.report.peer_report.peer_text`).

The spec's ``comparison_group`` block chooses the group (see :func:`validate_comparison_group`)::

    comparison_group:
      group: G116237            # Kolada group id or title, e.g. "Sjuhärad kommunalförbund", OR
      members: ["1443", "1490", "1452"]   # explicit kommun codes (exactly one of group/members)
      measures: [unemployment_rate, households_assistance, cost_assistance_per_inhabitant]
      years: [2017, 2024]       # optional, inclusive

``measures`` replaces the default, the evaluation's outcomes (list the outcomes too when you
add an extra measure). Every measure must be in the panel (e.g. fetched from Kolada under
``sources``).

How the table is built (:func:`peer_table`):

* **Calendar years.** Monthly data are turned into calendar years: a rate or a level is the
  mean of the year's months, a count the mean number per month ("genomsnittligt antal per
  månad", not the year's sum). A year is compared on the months the treated kommun has data for:
  with all 12 months it is a full year; with fewer (typically the latest year, e.g. January–June)
  it is kept as a *partial* year (``partial=True``, ``months`` < 12, ``first_month``/``last_month``)
  and every kommun's value is the mean of those same months, so the kommuner stay comparable
  within the year (seasonality is the same for all), though not with full years.
  ``partial_years="drop"`` leaves partial years out instead. A kommun missing any of those
  months gets a row with a missing value that year (not ranked, listed in the table's notes);
  a kommun without any value that year has no row. Years without data for the treated kommun
  are left out.
* **Per 1 000 inhabitants.** A count (households, persons) is compared per 1 000 inhabitants
  when the panel has a ``population`` measure (or column): a count of households in a kommun of
  9 700 and one of 100 000 says nothing raw. Ranks and the group mean use that value
  (``compared``; ``basis == "per_1000"``). Without population a count is compared raw
  (``basis == "value"``) and a note says so. Rates (%) and levels (e.g. kr per invånare) are
  compared as they are.
* **Ranks.** Within each measure and year, over the kommuner with a value: rank 1 is the
  **lowest** value (ties share the lower rank). Low is not always good (low cost may mean low
  service); the rank only orders the numbers.
* **Group mean.** Unweighted mean over every kommun of the group with a value that year,
  **the treated kommun included** — as Kolada's group means ("ovägt medel").

Members or measures missing from the data are listed in the table's notes
(``table.attrs["notes"]``, Swedish and English), not raised, unless no peer or no measure is
left (then :class:`~evaluation.errors.DataError`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evaluation.data.panel import (
    Measure,
    declared_measures,
    measure_info,
    panel_measures,
)
from evaluation.errors import DataError, SpecError, field_error, field_where

if TYPE_CHECKING:  # evaluation.designs.donors imports evaluation.spec, which will import us
    from evaluation.designs.donors import GroupTable

__all__ = [
    "COLUMNS",
    "COMPARISON_KEYS",
    "PeerGroup",
    "comparison_measures",
    "peer_comparison",
    "peer_table",
    "resolve_group",
    "resolve_members",
    "validate_comparison_group",
]

#: Sub-keys of the spec's ``comparison_group`` block.
COMPARISON_KEYS = ("group", "members", "measures", "years")
#: Columns of :func:`peer_table`, in order.
COLUMNS = (
    "measure", "year", "unit", "unit_name", "treated", "value", "population", "per_1000",
    "compared", "basis", "rank", "n_ranked", "group_mean", "kind", "months", "partial",
    "first_month", "last_month", "preliminary",
)
POPULATION = "population"
PER = 1000
_MEASURE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_YEAR = re.compile(r"^\d{4}$")


# =========================================================================== spec block
_where = field_where
_error = field_error


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, tuple)) and len(value) == 0)


def validate_comparison_group(value: Any,
                              line: int | Mapping[str, int] | None = None) -> dict[str, Any]:
    """Validate the spec's ``comparison_group`` block and return it complete (JSON-able).

    Parameters
    ----------
    value
        The block as read (scalars as typed text) or the dict this function returned (it is
        idempotent, so papermill can pass it back). ``None`` or an empty block: no comparison
        (returns ``{}``).
    line
        YAML line of ``comparison_group``, or the spec's line map (``"comparison_group"`` and
        ``"comparison_group.members"`` …), for the messages.

    Returns
    -------
    dict
        ``group`` (str or None), ``members`` (list of codes, kommuner 4 digits with a lost
        leading zero restored, län 2 digits), ``measures`` (list of names, or None for the
        evaluation's outcomes) and ``years`` (``[first, last]`` as ints, or None for every
        year); ``{}`` when there is no block.

    Raises
    ------
    SpecError
        One sentence (Swedish and English) for: a block that is not a mapping, an unknown
        sub-key, both or neither of ``group`` and ``members``, a code that is not a kommun or
        län code, a measure name that is not a name, or ``years`` that is not two years in order.
    """
    lines: dict[str, int] = dict(line) if isinstance(line, Mapping) else {}
    top = lines.get("comparison_group") if isinstance(line, Mapping) else line

    def at(sub: str) -> int | None:
        return lines.get(f"comparison_group.{sub}", top)

    if value is None or value == {}:
        return {}
    if not isinstance(value, Mapping):
        raise _error("comparison_group", top,
                     "ska vara en grupp av underfält, t.ex. 'group: G116237' på en indragen rad "
                     "under 'comparison_group:'.",
                     "must be a block of sub-fields, e.g. 'group: G116237' on an indented line "
                     "under 'comparison_group:'.")
    allowed = ", ".join(COMPARISON_KEYS)
    for sub in value:
        if sub not in COMPARISON_KEYS:
            raise _error(f"comparison_group.{sub}", at(str(sub)),
                         f"är okänt: tillåtna fält under comparison_group är {allowed}; "
                         "kontrollera stavningen.",
                         f"is unknown: allowed fields under comparison_group are {allowed}; "
                         "check the spelling.")
    group, members = value.get("group"), value.get("members")
    if _blank(group) == _blank(members):
        both = not _blank(group)
        raise _error("comparison_group", top,
                     ("anger både group och members: välj en av dem (en Kolada-grupp eller en "
                      "lista med kommunkoder)." if both else
                      "saknar group och members: ange en Kolada-grupp (group: G116237) eller "
                      "kommunkoder (members: [\"1443\", \"1490\"])."),
                     ("gives both group and members: choose one of them (a Kolada group or a "
                      "list of kommun codes)." if both else
                      "has neither group nor members: give a Kolada group (group: G116237) or "
                      "kommun codes (members: [\"1443\", \"1490\"])."))
    out: dict[str, Any] = {"group": None, "members": [], "measures": None, "years": None}
    if not _blank(group):
        if isinstance(group, (list, tuple, dict)):
            raise _error("comparison_group.group", at("group"),
                         "ska vara ett gruppnamn eller grupp-id från Kolada, inte en lista: "
                         "använd members för en egen lista med kommunkoder.",
                         "must be one Kolada group title or id, not a list: use members for a "
                         "list of kommun codes of your own.")
        out["group"] = str(group).strip()
    else:
        out["members"] = _member_codes(members, at("members"))
    measures = value.get("measures")
    if not _blank(measures):
        out["measures"] = _measure_names(measures, at("measures"))
    years = value.get("years")
    if not _blank(years):
        out["years"] = _year_range(years, at("years"))
    return out


def _member_codes(value: Any, line: int | None) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else [value]
    codes: list[str] = []
    for item in items:
        code = _code(item)
        if isinstance(item, (list, tuple, dict, bool)) or not code.isdigit() or \
                len(code) not in (2, 4) or code in ("00", "0000"):
            raise _error("comparison_group.members", line,
                         f"innehåller '{item}', som inte är en kommun- eller länskod: skriv "
                         "koder med fyra siffror inom citattecken, t.ex. [\"1443\", \"1490\"].",
                         f"contains '{item}', which is not a kommun or county code: write "
                         "four-digit codes in quotes, e.g. [\"1443\", \"1490\"].")
        if code not in codes:
            codes.append(code)
    return codes


def _measure_names(value: Any, line: int | None) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else [value]
    names: list[str] = []
    for item in items:
        name = str(item).strip() if not isinstance(item, (list, tuple, dict)) else ""
        if not _MEASURE_NAME.match(name):
            raise _error("comparison_group.measures", line,
                         f"innehåller '{item}', som inte är ett måttnamn: skriv måttens namn som "
                         "i data, t.ex. [unemployment_rate, households_assistance].",
                         f"contains '{item}', which is not a measure name: write the measures' "
                         "names as in the data, e.g. [unemployment_rate, households_assistance].")
        if name not in names:
            names.append(name)
    return names


def _year_range(value: Any, line: int | None) -> list[int]:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    texts = [str(v).strip() for v in items]
    if len(texts) != 2 or not all(_YEAR.match(v) for v in texts) or int(texts[0]) > int(texts[1]):
        raise _error("comparison_group.years", line,
                     f"har värdet {value!r}: skriv första och sista året i ordning, t.ex. "
                     "years: [2017, 2024].",
                     f"has the value {value!r}: write the first and the last year in order, "
                     "e.g. years: [2017, 2024].")
    return [int(texts[0]), int(texts[1])]


def comparison_measures(block: Mapping[str, Any], outcomes: Sequence[str]) -> list[str]:
    """The measures compared: the block's ``measures``, else the evaluation's ``outcomes``."""
    chosen = (block or {}).get("measures")
    return list(chosen) if chosen else list(dict.fromkeys(outcomes))


# =========================================================================== members
@dataclass
class PeerGroup:
    """The kommuner compared, as resolved from the spec block.

    Attributes
    ----------
    members
        Codes, the treated kommun first, then the others sorted.
    treated
        The treated kommun's code.
    group_id, group_title
        The Kolada group (``None`` for an explicit ``members`` list).
    treated_added
        The treated kommun was not in the group or list and was added.
    names
        Code -> name known from the group table (the panel's names win in the table).
    notes
        ``{"sv": ..., "en": ...}`` sentences for the report (e.g. the treated kommun added).
    """

    members: list[str]
    treated: str
    group_id: str | None = None
    group_title: str | None = None
    treated_added: bool = False
    names: dict[str, str] = field(default_factory=dict)
    notes: list[dict[str, str]] = field(default_factory=list)

    def title(self, language: str = "sv") -> str | None:
        """The group's title without Kolada's "(ovägt medel)"."""
        return clean_title(self.group_title) if self.group_title else None


def clean_title(title: str) -> str:
    """``"Sjuhärad kommunalförbund (ovägt medel)"`` -> ``"Sjuhärad kommunalförbund"``."""
    text = re.sub(r"\s*\((ovägt|vägt) medel\)\s*", " ", str(title), flags=re.IGNORECASE)
    return " ".join(text.split())


def resolve_group(spec_block: Mapping[str, Any], groups: GroupTable | None,
                  treated: str) -> PeerGroup:
    """The kommuner of the comparison: the Kolada group's members or the listed codes.

    The treated kommun is always included (first), also when the group or list leaves it out
    — then :attr:`PeerGroup.treated_added` is set and a note says it is compared with the group
    and counted in the group's mean.

    ``group`` is matched against the group table's ids and titles (case, commas and
    "(ovägt medel)" aside), else against titles containing it when exactly one does
    (``group: Sjuhärad``).

    Raises
    ------
    DataError
        ``group`` is given but there is no group table, the group is unknown or ambiguous, or
        no kommun other than the treated one is left.
    """
    block = validate_comparison_group(spec_block)
    if not block:
        raise DataError(
            "Det finns inget block comparison_group i specifikationen, så ingen jämförelse med "
            "liknande kommuner görs.",
            "The spec has no comparison_group block, so no comparison with similar "
            "municipalities is made.",
        )
    treated = _code(treated)
    group_id = group_title = None
    names: dict[str, str] = {}
    if block["group"] is not None:
        if groups is None:
            raise DataError(
                f"comparison_group.group ('{block['group']}') behöver Koladas grupptabell, men "
                "ingen finns: hämta data med sources (då hämtas grupperna) eller ange "
                "kommunerna under comparison_group.members.",
                f"comparison_group.group ('{block['group']}') needs Kolada's group table, but "
                "there is none: fetch the data with sources (the groups come with them) or list "
                "the kommuner under comparison_group.members.",
            )
        group_id = _find_group(groups, block["group"])
        group_title = groups.titles()[group_id]
        listed = groups.members(group_id)
        names = {c: n for c, n in groups.names.items() if c in set(listed) | {treated}}
    else:
        listed = list(block["members"])
    added = treated not in listed
    peers = sorted({c for c in listed if c != treated})
    if not peers:
        where_sv = f"gruppen {clean_title(group_title)}" if group_title else "listan members"
        where_en = f"the group {clean_title(group_title)}" if group_title else "the members list"
        raise DataError(
            f"I {where_sv} finns ingen annan kommun än den utvärderade ({treated}): välj en "
            "grupp eller lista med fler kommuner.",
            f"{where_en[:1].upper() + where_en[1:]} has no kommun other than the evaluated one "
            f"({treated}): choose a group or list with more kommuner.",
        )
    notes: list[dict[str, str]] = []
    if added:
        name = names.get(treated, treated)
        what_sv = f"gruppen {clean_title(group_title)}" if group_title else "listan members"
        what_en = f"the group {clean_title(group_title)}" if group_title else "the members list"
        notes.append({
            "sv": f"{name} ingår inte i {what_sv} men jämförs ändå med gruppens kommuner och "
                  "räknas in i gruppens medelvärde.",
            "en": f"{name} is not in {what_en} but is compared with its kommuner all the same "
                  "and counted in the group's mean.",
        })
    return PeerGroup(members=[treated, *peers], treated=treated, group_id=group_id,
                     group_title=group_title, treated_added=added, names=names, notes=notes)


def resolve_members(spec_block: Mapping[str, Any], groups: GroupTable | None,
                    treated: str) -> list[str]:
    """The codes compared, treated kommun first (see :func:`resolve_group`, which also gives the
    group's title and the notes for the report)."""
    return resolve_group(spec_block, groups, treated).members


def _find_group(groups: GroupTable, text: str) -> str:
    found = groups.find(text)
    if found is not None:
        return found
    titles = groups.titles()
    wanted = _norm(text)
    hits = sorted(g for g, title in titles.items() if wanted and wanted in _norm(title))
    if len(hits) == 1:
        return hits[0]
    if hits:
        listed = "; ".join(f"{g} {titles[g]}" for g in hits[:5])
        more_sv = f" (och {len(hits) - 5} till)" if len(hits) > 5 else ""
        more_en = f" (and {len(hits) - 5} more)" if len(hits) > 5 else ""
        raise DataError(
            f"comparison_group.group '{text}' passar {len(hits)} grupper i Koladas grupptabell "
            f"– {listed}{more_sv}: skriv grupp-id:t.",
            f"comparison_group.group '{text}' matches {len(hits)} groups in Kolada's group "
            f"table – {listed}{more_en}: write the group id.",
        )
    close = difflib.get_close_matches(wanted, [_norm(t) for t in titles.values()], n=3,
                                      cutoff=0.6)
    by_norm = {_norm(t): (g, t) for g, t in titles.items()}
    hint = "; ".join(f"{by_norm[c][0]} {by_norm[c][1]}" for c in close)
    raise DataError(
        f"comparison_group.group '{text}' finns inte i Koladas grupptabell"
        + (f" (menade du {hint}?)" if hint else "")
        + ": skriv gruppens id (t.ex. G116237) eller namn som i Kolada.",
        f"comparison_group.group '{text}' is not in Kolada's group table"
        + (f" (did you mean {hint}?)" if hint else "")
        + ": write the group's id (e.g. G116237) or title as in Kolada.",
    )


def _norm(title: str) -> str:
    text = str(title).casefold().replace("(ovägt medel)", " ").replace(",", " ")
    return " ".join(text.split())


def _code(value: Any) -> str:
    """A unit code as text, a leading zero lost by a spreadsheet or YAML restored."""
    code = str(value).strip()
    if code.endswith(".0"):
        code = code[:-2]
    if code.isdigit() and len(code) in (1, 3):
        code = code.zfill(len(code) + 1)
    return code


# =========================================================================== the table
def _measure(name: str, from_panel: Mapping[str, Measure]) -> Measure:
    """What ``name`` is: declared for the evaluation, else the panel's ``kind`` column, else
    shipped/undeclared (:func:`evaluation.data.panel.measure_info`)."""
    if name in declared_measures():
        return measure_info(name)
    if name in from_panel:
        return from_panel[name]
    return measure_info(name)


def _join(items: Sequence[str], language: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {'och' if language == 'sv' else 'and'} {items[-1]}"


def peer_table(panel: pd.DataFrame, *, treated: str, members: Iterable[str],
               measures: Sequence[str], years: Sequence[int] | None = None,
               names: Mapping[str, str] | None = None,
               partial_years: str = "keep") -> pd.DataFrame:
    """The comparison, one row per measure, calendar year and kommun.

    Parameters
    ----------
    panel
        The long panel (``unit, unit_name, period, measure, value``; periods ``YYYY`` or
        ``YYYY-MM``; optional ``status``, ``population``, ``kind``).
    treated
        The evaluated kommun's code (added to ``members`` when missing).
    members
        The group's codes (e.g. :func:`resolve_members`).
    measures
        Measures to compare (e.g. :func:`comparison_measures`).
    years
        ``[first, last]`` calendar years, inclusive; ``None`` for all.
    names
        Code -> name for kommuner the panel does not name (e.g. :attr:`PeerGroup.names`).
    partial_years
        ``"keep"`` (default): a year with fewer than 12 months for the treated kommun is
        compared on those months and marked ``partial``; ``"drop"``: such years are left out.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: measure, year (int), unit, unit_name, treated (bool), value
        (calendar-year value: mean for rates/levels, mean per month for counts), population,
        per_1000 (counts with a population), compared (what ranks and means use), basis
        (``"per_1000"`` or ``"value"``), rank (1 = lowest, Int64, missing without a value),
        n_ranked (kommuner ranked that year), group_mean (unweighted, all members incl. the
        treated kommun), kind, months (months compared; missing for yearly data), partial,
        first_month/last_month (``YYYY-MM`` or None), preliminary (any value preliminary).
        ``attrs``: treated, treated_name, members (with data), missing_members, missing_measures,
        frequency, notes (``[{"sv", "en"}]`` sentences for the report).

    Raises
    ------
    DataError
        The panel lacks columns, none of the measures or none of the peers has data, the treated
        kommun has none, or no year is left in ``years``.
    """
    if partial_years not in ("keep", "drop"):
        raise ValueError("partial_years must be 'keep' or 'drop'")
    missing_cols = [c for c in ("unit", "unit_name", "period", "measure", "value")
                    if c not in panel.columns]
    if missing_cols:
        raise DataError(
            f"Panelen saknar kolumnerna {', '.join(missing_cols)}, så jämförelsen med liknande "
            "kommuner kan inte göras.",
            f"The panel lacks the columns {', '.join(missing_cols)}, so the comparison with "
            "similar municipalities cannot be made.",
        )
    treated = _code(treated)
    wanted = list(dict.fromkeys([treated, *(_code(m) for m in members)]))
    measures = list(dict.fromkeys(measures))
    if not measures:
        raise DataError("Inga mått att jämföra: ange comparison_group.measures.",
                        "No measures to compare: give comparison_group.measures.")
    frame = panel.copy()
    frame["unit"] = frame["unit"].map(_code)
    frame["period"] = frame["period"].astype(str).str.strip()
    frame["measure"] = frame["measure"].astype(str)
    frame = frame[frame["unit"].isin(wanted)]
    monthly = bool(frame["period"].str.len().eq(7).any()) if len(frame) else False
    frame["year"] = frame["period"].str[:4].astype(int)
    frame["month"] = frame["period"].str[5:7].where(frame["period"].str.len() == 7, "")
    if years:
        frame = frame[frame["year"].between(int(years[0]), int(years[1]))]
    values = pd.to_numeric(frame["value"], errors="coerce")
    if "status" in frame.columns:
        values = values.where(frame["status"].astype(str) != "suppressed")
    frame["value"] = values

    all_names = dict(names or {})
    for unit, unit_name in panel.drop_duplicates("unit")[["unit", "unit_name"]].itertuples(
            index=False):
        text = "" if pd.isna(unit_name) else str(unit_name).strip()
        if text and text.casefold() not in ("nan", "none"):
            all_names[_code(unit)] = text
    treated_name = all_names.get(treated, treated)
    notes: list[dict[str, str]] = []
    declared_in_panel = panel_measures(panel)

    data = frame[frame["value"].notna()]
    absent_measures = [m for m in measures if m not in set(data["measure"])]
    if len(absent_measures) == len(measures):
        span = f" {years[0]}–{years[1]}" if years else ""
        raise DataError(
            f"Data saknar värden{span} för alla mått i jämförelsen ({', '.join(measures)}): "
            "lägg till måtten i data eller välj andra under comparison_group.measures.",
            f"The data have no values{span} for any measure of the comparison "
            f"({', '.join(measures)}): add the measures to the data or choose others under "
            "comparison_group.measures.",
        )
    no_treated = [m for m in measures if m not in absent_measures
                  and not ((data["measure"] == m) & (data["unit"] == treated)).any()]
    usable = [m for m in measures if m not in absent_measures and m not in no_treated]
    if not usable:
        raise DataError(
            f"{treated_name} ({treated}) saknar värden för måtten i jämförelsen "
            f"({', '.join(measures)}), så kommunen kan inte jämföras med gruppen.",
            f"{treated_name} ({treated}) has no values for the measures of the comparison "
            f"({', '.join(measures)}), so it cannot be compared with the group.",
        )
    if absent_measures:
        notes.append({
            "sv": f"Måtten {_join(absent_measures, 'sv')} finns inte i data och jämförs inte."
            if len(absent_measures) > 1 else
            f"Måttet {absent_measures[0]} finns inte i data och jämförs inte.",
            "en": f"The measures {_join(absent_measures, 'en')} are not in the data and are not "
                  "compared." if len(absent_measures) > 1 else
            f"The measure {absent_measures[0]} is not in the data and is not compared.",
        })
    if no_treated:
        notes.append({
            "sv": f"{treated_name} saknar värden för {_join(no_treated, 'sv')}, som därför inte "
                  "jämförs.",
            "en": f"{treated_name} has no values for {_join(no_treated, 'en')}, which is "
                  "therefore not compared.",
        })

    present = set(data.loc[data["measure"].isin(usable), "unit"])
    missing_members = [u for u in wanted if u not in present and u != treated]
    peers_left = [u for u in wanted if u in present and u != treated]
    if not peers_left:
        raise DataError(
            f"Ingen av kommunerna i jämförelsegruppen ({', '.join(wanted[1:]) or '–'}) har "
            f"värden för {', '.join(usable)} i data: hämta data för gruppens kommuner (t.ex. en "
            "källa under sources utan units) eller välj en annan grupp.",
            f"None of the kommuner of the comparison group ({', '.join(wanted[1:]) or '–'}) "
            f"has values for {', '.join(usable)} in the data: fetch data for the group's "
            "kommuner (e.g. a source under sources without units) or choose another group.",
        )
    if missing_members:
        labels = [f"{all_names[u]} ({u})" if u in all_names else u for u in missing_members]
        listed, listed_en = _join(labels, "sv"), _join(labels, "en")
        one = len(missing_members) == 1
        notes.append({
            "sv": f"{listed} finns inte i data och ingår därför inte i jämförelsen.",
            "en": f"{listed_en} {'is' if one else 'are'} not in the data and therefore not part "
                  "of the comparison.",
        })
    kept = [treated, *peers_left]

    population = _population(frame, kept, monthly)
    parts: list[pd.DataFrame] = []
    incomplete: set[str] = set()
    no_population: list[str] = []
    for name in usable:
        info = _measure(name, declared_in_panel)
        rows, short = _yearly(data[data["measure"] == name], treated, kept, monthly,
                              partial_years)
        incomplete |= short
        if rows.empty:
            continue
        rows["measure"] = name
        rows["kind"] = info.kind
        rows = rows.merge(population, on=["unit", "year"], how="left")
        scaled = info.kind == "count" and name != POPULATION
        if scaled and rows["population"].notna().any():
            pop = rows["population"].where(rows["population"] > 0)
            rows["per_1000"] = rows["value"] / pop * PER
            rows["compared"] = rows["per_1000"]
            rows["basis"] = "per_1000"
        else:
            if scaled:
                no_population.append(name)
            rows["per_1000"] = np.nan
            rows["compared"] = rows["value"]
            rows["basis"] = "value"
        parts.append(rows)
    if not parts:
        span = f" {years[0]}–{years[1]}" if years else ""
        raise DataError(
            f"Inget år{span} har fullständiga värden för {treated_name} ({treated}) i "
            "jämförelsens mått: välj andra år under comparison_group.years.",
            f"No year{span} has complete values for {treated_name} ({treated}) in the "
            "comparison's measures: choose other years under comparison_group.years.",
        )
    table = pd.concat(parts, ignore_index=True)
    grouped = table.groupby(["measure", "year"])["compared"]
    table["rank"] = grouped.rank(method="min", ascending=True).astype("Int64")
    table["n_ranked"] = grouped.transform("count").astype("Int64")
    table["group_mean"] = grouped.transform("mean")
    table["treated"] = table["unit"] == treated
    table["unit_name"] = table["unit"].map(lambda u: all_names.get(u, u))
    order = {m: i for i, m in enumerate(usable)}
    position = {u: i for i, u in enumerate(kept)}
    table = table.sort_values(
        ["measure", "year", "unit"],
        key=lambda s: s.map(order) if s.name == "measure" else (
            s.map(position) if s.name == "unit" else s),
    ).reset_index(drop=True)
    table = table[list(COLUMNS)]

    if no_population:
        notes.append({
            "sv": f"Folkmängd saknas i data, så {_join(no_population, 'sv')} jämförs i antal och "
                  "inte per 1 000 invånare; rangordningen speglar då också kommunernas storlek.",
            "en": f"Population is missing from the data, so {_join(no_population, 'en')} is "
                  "compared as a number and not per 1 000 inhabitants; the ranking then also "
                  "reflects the kommuner's size.",
        })
    if incomplete:
        listed = _join([all_names.get(u, u) for u in kept if u in incomplete], "sv")
        listed_en = _join([all_names.get(u, u) for u in kept if u in incomplete], "en")
        notes.append({
            "sv": f"{listed} saknar värden för delar av något år och rangordnas inte de åren.",
            "en": f"{listed_en} lack values for part of some year and are not ranked in those "
                  "years." if len(incomplete) > 1 else
            f"{listed_en} lacks values for part of some year and is not ranked in those years.",
        })
    table.attrs = {
        "treated": treated,
        "treated_name": treated_name,
        "members": kept,
        "missing_members": missing_members,
        "missing_measures": [*absent_measures, *no_treated],
        "frequency": "monthly" if monthly else "yearly",
        "notes": notes,
    }
    return table


def _population(frame: pd.DataFrame, units: list[str], monthly: bool) -> pd.DataFrame:
    """unit, year, population: the ``population`` measure's yearly mean, else the panel's
    ``population`` column's."""
    sub = frame[(frame["measure"] == POPULATION) & frame["unit"].isin(units)
                & frame["value"].notna()]
    if len(sub):
        values = sub[["unit", "year", "value"]].rename(columns={"value": "population"})
    elif "population" in frame.columns:
        values = frame.loc[frame["unit"].isin(units), ["unit", "year", "population"]].copy()
        values["population"] = pd.to_numeric(values["population"], errors="coerce")
        values = values[values["population"].notna()]
    else:
        return pd.DataFrame({"unit": pd.Series(dtype=str), "year": pd.Series(dtype=int),
                             "population": pd.Series(dtype=float)})
    return values.groupby(["unit", "year"], as_index=False)["population"].mean()


def _yearly(sub: pd.DataFrame, treated: str, units: list[str], monthly: bool,
            partial_years: str) -> tuple[pd.DataFrame, set[str]]:
    """One measure's calendar-year values (see the module docstring) and the units that lacked
    some of a year's months."""
    base_cols = ["unit", "year", "value", "months", "partial", "first_month", "last_month",
                 "preliminary"]
    status = sub["status"].astype(str) if "status" in sub.columns else pd.Series(
        "final", index=sub.index)
    sub = sub.assign(prelim=status.eq("preliminary"))
    if not monthly:
        rows = sub[["unit", "year", "value", "prelim"]].rename(columns={"prelim": "preliminary"})
        treated_years = set(rows.loc[rows["unit"] == treated, "year"])
        rows = rows[rows["year"].isin(treated_years)].copy()
        rows["months"] = pd.array([pd.NA] * len(rows), dtype="Int64")
        rows["partial"] = False
        rows["first_month"] = None
        rows["last_month"] = None
        return rows[base_cols].reset_index(drop=True), set()
    out: list[dict[str, Any]] = []
    short: set[str] = set()
    mine = sub[sub["unit"] == treated]
    for year, own in mine.groupby("year"):
        months = sorted(set(own["month"]))
        partial = len(months) < 12
        if partial and partial_years == "drop":
            continue
        this = sub[(sub["year"] == year) & sub["month"].isin(months)]
        for unit in units:
            cells = this[this["unit"] == unit]
            if cells.empty:
                continue  # no data this year: simply absent (not ranked)
            complete = set(cells["month"]) >= set(months)
            if not complete:
                short.add(unit)
            out.append({
                "unit": unit, "year": int(year),
                "value": float(cells["value"].mean()) if complete else np.nan,
                "months": len(months), "partial": partial,
                "first_month": f"{year}-{months[0]}", "last_month": f"{year}-{months[-1]}",
                "preliminary": bool(cells["prelim"].any()),
            })
    rows = pd.DataFrame(out, columns=base_cols)
    rows["months"] = rows["months"].astype("Int64")
    return rows, short


# =========================================================================== all at once
def peer_comparison(panel: pd.DataFrame, spec_block: Mapping[str, Any], *, treated: str,
                    outcomes: Sequence[str], groups: GroupTable | None = None,
                    partial_years: str = "keep") -> tuple[pd.DataFrame, PeerGroup]:
    """Resolve the group, build the table and attach the group's notes and title.

    Returns the :func:`peer_table` (with ``attrs["group_title"]``, ``attrs["group_id"]`` and the
    group's notes first in ``attrs["notes"]``) and the :class:`PeerGroup`.
    """
    block = validate_comparison_group(spec_block)
    group = resolve_group(block, groups, treated)
    table = peer_table(panel, treated=group.treated, members=group.members,
                       measures=comparison_measures(block, outcomes), years=block.get("years"),
                       names=group.names, partial_years=partial_years)
    table.attrs["notes"] = [*group.notes, *table.attrs.get("notes", [])]
    table.attrs["group_title"] = group.title()
    table.attrs["group_id"] = group.group_id
    return table, group
