"""The spec's ``sources:`` block: where each outcome comes from (validation only, no I/O).

Each key is a measure name in the evaluation's panel (an outcome, or ``population`` for the
per-capita scale of counts); each value names a source and its id::

    sources:
      households_assistance: {source: kolada, kpi: N31910}
      unemployment_rate:
        source: scb
        table: TAB6260
        contents: "000007SF"
        filters: {Alder: "20-64", Kon: "1+2"}
        status: preliminary
      ame_participants: {source: file, path: egna/ame_*.xlsx, mapping: own_series.yaml}

Kinds and their keys (``*`` = required):

``kolada``  (yearly; in a monthly spec only for ``population``, which is interpolated per
            month between its 31 December values when the panel is built) ``kpi``\\* (checked
            against Kolada's fetched KPI catalogue: unknown and ended ids fail); ``title``
            (text the KPI's title must contain, which catches an id Kolada has re-used);
            ``units`` (kommun/län codes, default every kommun, län and riket in Kolada's
            municipality list); ``years`` (``[2010, 2024]`` as first and last year).
``scb``     ``table``\\*, ``contents``\\* (ContentsCode); ``region`` (codes, default ``*``:
            every region in the table); ``codelist`` (region codelist, e.g.
            ``vs_RegionKommun07``); ``time`` (default ``*``); ``filters`` ({variable: code}
            for every other variable); ``status`` (``final`` or ``preliminary``); ``before``
            (an older table with the same keys that continues the series back in time, e.g.
            BefolkManad before TAB6471: the two are joined at the new table's first period,
            which is recorded as a series break).
``file``    ``path``\\* (a file or a glob such as ``export/*.xlsx``, relative to the spec) and
            ``mapping``\\* (a shipped mapping name or a YAML file, see
            :mod:`evaluation.sources.importer`); ``measure`` (the measure in the file, default the
            key itself, or the file's only measure).
"""

from __future__ import annotations

import re
from typing import Any

from evaluation.errors import SpecError, field_error, field_where

KINDS = ("kolada", "scb", "file")
#: Allowed keys per kind; the first tuple holds the required ones.
KIND_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "kolada": (("kpi",), ("units", "years", "title")),
    "scb": (("table", "contents"), ("region", "codelist", "time", "filters", "status",
                                     "before")),
    "file": (("path", "mapping"), ("measure",)),
}
_MEASURE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_KPI = re.compile(r"^[A-Z]\d{5}$")

__all__ = ["KINDS", "KIND_KEYS", "validate_sources"]


_where = field_where
_error = field_error


def _codes(value: Any, key: str, line: int | None) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        code = str(item).strip()
        if isinstance(item, (list, dict)) or not code.isdigit() or len(code) not in (2, 4):
            raise _error(key, line, f"innehåller '{item}', som inte är en kod för riket (00), ett "
                         "län (två siffror) eller en kommun (fyra siffror).",
                         f"contains '{item}', which is not a code of riket (00), a county (two "
                         "digits) or a municipality (four digits).")
        out.append(code)
    return sorted(set(out))


def validate_sources(value: Any, lines: dict[str, int] | None = None,
                     frequency: str = "monthly") -> dict[str, dict[str, Any]]:
    """Validate the ``sources`` block; return {measure: {"source": kind, ...}} as plain JSON.

    Parameters
    ----------
    value
        The block as read (strings as typed) or as already validated (papermill passes it back).
    lines
        YAML lines of ``sources`` and its sub-keys (``"sources.unemployment_rate"``).
    frequency
        The spec's frequency: Kolada has yearly values only.

    Raises
    ------
    SpecError
        Not a mapping, an unknown source kind or key, a missing id, a malformed KPI id, code
        or status, or a Kolada source in a monthly evaluation.
    """
    lines = lines or {}
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        raise _error("sources", lines.get("sources"),
                     "ska vara en grupp med ett utfall per rad, t.ex. 'households_assistance: "
                     "{source: kolada, kpi: N31910}' på en indragen rad under 'sources:'.",
                     "must be a block with one outcome per line, e.g. 'households_assistance: "
                     "{source: kolada, kpi: N31910}' on an indented line under 'sources:'.")
    out: dict[str, dict[str, Any]] = {}
    for measure, entry in value.items():
        key = f"sources.{measure}"
        line = lines.get(key, lines.get("sources"))
        if not _MEASURE.match(str(measure)):
            raise _error(key, line, "är inget giltigt måttnamn: använd bokstäver, siffror och _.",
                         "is not a valid measure name: use letters, digits and _.")
        if not isinstance(entry, dict):
            raise _error(key, line, "ska ange källa och id, t.ex. {source: kolada, kpi: N31910}.",
                         "must give a source and an id, e.g. {source: kolada, kpi: N31910}.")
        kind = str(entry.get("source") or "").strip()
        if kind not in KINDS:
            raise _error(key, line, f"har source '{kind}': välj kolada, scb eller file.",
                         f"has source '{kind}': choose kolada, scb or file.")
        required, optional = KIND_KEYS[kind]
        unknown = [k for k in entry if k not in ("source", *required, *optional)]
        if unknown:
            allowed = ", ".join(("source", *required, *optional))
            raise _error(key, line, f"har okänt fält {unknown[0]!r}: för {kind} gäller {allowed}.",
                         f"has the unknown field {unknown[0]!r}: {kind} takes {allowed}.")
        missing = [k for k in required if entry.get(k) in (None, "", [])]
        if missing:
            raise _error(key, line, f"saknar {', '.join(missing)} (källa {kind}).",
                         f"lacks {', '.join(missing)} (source {kind}).")
        clean: dict[str, Any] = {"source": kind}
        where = (key, line)
        if kind == "kolada":
            # a yearly population is interpolated per month when the panel is built
            clean.update(_kolada_entry(entry, where,
                                       "yearly" if measure == "population" else frequency))
        elif kind == "scb":
            clean.update(_scb_entry(entry, where))
        else:
            clean.update(_file_entry(entry))
        out[str(measure)] = clean
    return out


def _kolada_entry(entry: dict[str, Any], where: tuple[str, int | None],
                  frequency: str) -> dict[str, Any]:
    key, line = where
    if frequency != "yearly":
        raise _error(key, line, "hämtas från Kolada, som bara har årsvärden: skriv insatsens start "
                     "som ett år (ÅÅÅÅ) eller välj en månadskälla (scb, file).",
                     "comes from Kolada, which has yearly values only: write the intervention "
                     "as a year (YYYY) or choose a monthly source (scb, file).")
    kpi = str(entry["kpi"]).strip()
    if not _KPI.match(kpi):
        raise _error(key, line, f"har kpi '{kpi}': ett Kolada-id är en bokstav och fem siffror, "
                     "t.ex. N31910.",
                     f"has kpi '{kpi}': a Kolada id is a letter and five digits, e.g. N31910.")
    clean: dict[str, Any] = {"kpi": kpi}
    if entry.get("title") not in (None, ""):
        clean["title"] = str(entry["title"]).strip()
    if entry.get("units") not in (None, "", []):
        clean["units"] = _codes(entry["units"], key, line)
    if entry.get("years") not in (None, "", []):
        years = entry["years"] if isinstance(entry["years"], list) else [entry["years"]]
        if not (len(years) in (1, 2) and all(str(y).strip().isdigit()
                                             and len(str(y).strip()) == 4 for y in years)):
            raise _error(key, line, "har years som inte är [första år, sista år], t.ex. "
                         "[2010, 2024].",
                         "has years that are not [first year, last year], e.g. [2010, 2024].")
        clean["years"] = [int(str(y).strip()) for y in years]
    return clean


def _scb_entry(entry: dict[str, Any], where: tuple[str, int | None]) -> dict[str, Any]:
    key, line = where
    clean: dict[str, Any] = {"table": str(entry["table"]).strip(),
                             "contents": str(entry["contents"]).strip()}
    if not re.fullmatch(r"[A-Za-z0-9_]+", clean["table"]):
        raise _error(key, line, f"har table '{clean['table']}': skriv tabell-id:t, t.ex. TAB6471.",
                     f"has table '{clean['table']}': write the table id, e.g. TAB6471.")
    region = entry.get("region")
    clean["region"] = "*" if region in (None, "", "*") else _codes(region, key, line)
    for sub in ("codelist", "time"):
        if entry.get(sub) not in (None, ""):
            clean[sub] = str(entry[sub]).strip()
    filters = entry.get("filters") or {}
    if not isinstance(filters, dict):
        raise _error(key, line, "har filters som inte är {variabel: kod}, t.ex. {Kon: \"1+2\"}.",
                     "has filters that are not {variable: code}, e.g. {Kon: \"1+2\"}.")
    clean["filters"] = {str(k): str(v) for k, v in filters.items()}
    status = str(entry.get("status") or "final").strip()
    if status not in ("final", "preliminary"):
        raise _error(key, line, f"har status '{status}': skriv final eller preliminary.",
                     f"has status '{status}': write final or preliminary.")
    clean["status"] = status
    before = entry.get("before")
    if before not in (None, "", {}):
        if not isinstance(before, dict) or "before" in before:
            raise _error(key, line, "har ett before som inte är en enda äldre tabell, t.ex. "
                         "{table: BefolkManad, contents: \"BE0101N1\"}.",
                         "has a before that is not one older table, e.g. {table: BefolkManad, "
                         "contents: \"BE0101N1\"}.")
        required, optional = KIND_KEYS["scb"]
        unknown = [k for k in before if k not in (*required, *optional)]
        missing = [k for k in required if before.get(k) in (None, "")]
        if unknown or missing:
            problem_sv = (f"med okänt fält {unknown[0]!r}" if unknown
                          else f"som saknar {missing[0]}")
            problem_en = (f"with the unknown field {unknown[0]!r}" if unknown
                          else f"without {missing[0]}")
            raise _error(key, line, f"har ett before {problem_sv}.",
                         f"has a before {problem_en}.")
        clean["before"] = _scb_entry(before, where)
    return clean


def _file_entry(entry: dict[str, Any]) -> dict[str, Any]:
    clean = {"path": str(entry["path"]).strip(), "mapping": str(entry["mapping"]).strip()}
    if entry.get("measure") not in (None, ""):
        clean["measure"] = str(entry["measure"]).strip()
    return clean
