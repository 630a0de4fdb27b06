"""Kolada (RKA) API v3: KPI values and metadata into the raw store and the canonical panel.

Endpoints (``https://api.kolada.se/v3``, see ``fixtures/API_NOTES.md``)::

    /data/kpi/<K,..>/municipality/<M,..>[/year/<Y,..>]   KPI values
    /municipality, /municipality_groups, /kpi            metadata

Every answer is an envelope ``{"count", "values": [...], "next_url", "previous_url"}``;
pages are followed through ``next_url`` until it is empty. Each page is saved as received with
:func:`evaluation.data.store.save_raw` (``data/raw/kolada/``, sidecar with URL, fetch time,
HTTP status, request key). When every page of a request has arrived, a small *fetch record*
(``fetch_<what>_<key>-<sha>.json``: request, time, list of page files with sha256) is saved
too — unless the pages are the very ones the newest fetch record of the same request lists:
an unchanged download then writes no file at all (the page files are named by their content, so
they are the stored ones) and the result says so (``attrs["unchanged"]``, "oförändrat").
``offline=True`` reads the pages of the latest fetch record of the same request; a fetch that
fails half-way leaves no fetch record, so offline keeps using the last complete answer.

Codes: Kolada ``0000`` (Riket) becomes ``00`` and the regions ``00NN`` become the län codes
``NN``; kommun codes are unchanged. Only the total over genders (``gender == "T"``) is kept.
A value of ``null`` (or status ``Missing``) becomes ``status = "suppressed"``; rows flagged
``isdeleted`` are dropped. A value sent as text in Swedish notation ("253,9", "1 234,5" with a
space, thin space or no-break space between thousands) is read as the number it is; any other
text is refused naming the KPI, kommun, year and value (:func:`evaluation.sources.numbers.number`).

An empty data answer (no values for any KPI, municipality and year asked for) raises
:class:`DataError` rather than returning an empty panel: it almost always means a wrong id or
a year that is not published yet, and an empty panel would only fail later with a vaguer message.
The empty answer is kept in the raw store but does not replace the latest good answer.

Kolada's terms: the data are free to use, but transformed numbers may not be presented as
Kolada's; reports cite :data:`CITATION`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation import paths
from evaluation.data import store
from evaluation.data.panel import validate_panel
from evaluation.errors import DataError
from evaluation.sources.http import Response, fetch_json
from evaluation.sources.numbers import number

__all__ = [
    "BASE_URL",
    "BATCH_SIZE",
    "CITATION",
    "PER_PAGE",
    "RAW_SOURCE",
    "SOURCE",
    "check_kpi_ids",
    "fetch_kpi_catalog",
    "kpi_kind",
    "fetch_kpi_values",
    "fetch_municipalities",
    "fetch_municipality_groups",
    "from_unit",
    "parse_values",
    "read_fetch_record",
    "to_unit",
    "values_from_pages",
]

BASE_URL = "https://api.kolada.se/v3"
#: Kolada's terms: cite the source, and say the numbers were processed.
CITATION = "Källa: Kolada, egen bearbetning"
#: Value of the panel's ``source`` column.
SOURCE = "Kolada"
#: Folder under ``data/raw/``.
RAW_SOURCE = "kolada"
#: Ids per URL (rKolada/koladapy use ~20–25; long URLs give HTTP 400).
BATCH_SIZE = 20
#: Rows per page (Kolada's maximum).
PER_PAGE = 5000
#: Kolada value statuses that mean "no value".
MISSING_STATUSES = frozenset({"missing"})

FetchJson = Callable[..., Response]
_KPI_ID = re.compile(r"^[A-Z]\d{5}$")
_RETIRED = re.compile(r"\(\s*-\s*(\d{4})\s*\)")


# --------------------------------------------------------------------------- codes
def to_unit(kolada_id: Any) -> str:
    """Kolada municipality id -> panel unit code (``0000`` -> ``00``, ``0019`` -> ``19``)."""
    code = str(kolada_id).strip()
    if code.isdigit() and len(code) == 4 and code.startswith("00"):
        return code[2:]
    return code


def from_unit(unit: Any) -> str:
    """Panel unit code -> Kolada municipality id (``00`` -> ``0000``, ``19`` -> ``0019``)."""
    code = str(unit).strip()
    if code.isdigit() and len(code) == 2:
        return "00" + code
    return code


# --------------------------------------------------------------------------- raw store plumbing
def _key(request: Mapping[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _check_envelope(payload: Any, url: str) -> list[Any]:
    if not isinstance(payload, dict) or not isinstance(payload.get("values"), list):
        found = sorted(payload)[:6] if isinstance(payload, dict) else type(payload).__name__
        raise DataError(
            f"Koladas svar från {url} har inte det väntade formatet (saknar listan 'values'; "
            f"fick {found}): API:t kan ha ändrats – uppdatera verktyget eller använd --offline.",
            f"Kolada's answer from {url} does not have the expected format (no 'values' list; "
            f"got {found}): the API may have changed – update the tool or use --offline.",
        )
    next_url = payload.get("next_url")
    if next_url is not None and not isinstance(next_url, str):
        raise DataError(
            f"Koladas svar från {url} har ett ogiltigt 'next_url' ({next_url!r}): API:t kan ha "
            "ändrats – uppdatera verktyget eller använd --offline.",
            f"Kolada's answer from {url} has an invalid 'next_url' ({next_url!r}): the API may "
            "have changed – update the tool or use --offline.",
        )
    return payload["values"]


def _fetch_pages(
    what: str,
    url: str,
    params: Mapping[str, Any] | None,
    request: Mapping[str, Any],
    *,
    offline: bool,
    fetch: FetchJson,
    max_pages: int = 1000,
    accept: Callable[[list[Any]], bool] = bool,
) -> tuple[list[Any], Path | None, bool]:
    """All ``values`` of a paged request, saved page by page; or read from the store offline.

    ``accept(rows)`` checks the complete answer before it is recorded as the latest good one
    (it may raise :class:`DataError`). Returns the rows, the fetch record (``None`` when
    ``accept`` returned false: the pages are then kept as received, but offline reads keep
    using the previous complete answer) and whether the answer is unchanged: the same pages as
    the newest fetch record, which is then returned and no new record written.
    """
    key = _key({"what": what, **request})
    if offline:
        rows, path = _read_offline(what, key, request)
        return rows, path, False
    pages = []
    rows: list[Any] = []
    next_url: str | None = url
    next_params = dict(params or {})
    number = 0
    while next_url:
        number += 1
        if number > max_pages:
            raise DataError(
                f"Kolada gav fler än {max_pages} sidor för {url}: begränsa frågan.",
                f"Kolada returned more than {max_pages} pages for {url}: narrow the request.",
            )
        response = fetch(next_url, params=next_params or None)
        payload = response.data if response.data is not None else response.json()
        values = _check_envelope(payload, response.url)
        raw = store.save_raw(
            response.body,
            source=RAW_SOURCE,
            name=f"{what}_{key}_p{number:03d}.json",
            meta={
                "url": response.url,
                "fetched_at": response.fetched_at,
                "status": response.status,
                "request": dict(request),
                "request_key": key,
                "page": number,
            },
        )
        pages.append({
            "file": raw.name,
            "sha256": store.sha256_bytes(response.body),
            "url": response.url,
            "status": response.status,
            "fetched_at": response.fetched_at,
        })
        rows.extend(values)
        next_url = payload.get("next_url") or None
        next_params = {}
    if not accept(rows):
        return rows, None, False
    newest = _newest_record(what, key)
    if newest is not None and [(p.get("file"), p.get("sha256")) for p in newest[0]["pages"]] == [
            (p["file"], p["sha256"]) for p in pages]:
        return rows, newest[1], True  # the same answer as last time: nothing new to store
    record = {
        "source": RAW_SOURCE,
        "what": what,
        "request": dict(request),
        "request_key": key,
        "fetched_at": pages[0]["fetched_at"] if pages else "",
        "pages": pages,
    }
    body = (json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    path = store.save_raw(
        body, source=RAW_SOURCE, name=f"fetch_{what}_{key}.json",
        meta={"fetched_at": record["fetched_at"], "request_key": key, "kind": "fetch record"},
    )
    return rows, path, False


def _fetch_records(what: str, key: str) -> list[tuple[dict[str, Any], Path]]:
    return [(record, path) for record, path in store.stored_json(RAW_SOURCE,
                                                                 f"fetch_{what}_{key}.json")
            if isinstance(record, dict) and record.get("request_key") == key]


def _newest_record(what: str, key: str) -> tuple[dict[str, Any], Path] | None:
    """The newest fetch record of a request (by fetch time, then name), if any."""
    records = [(record, path) for record, path in _fetch_records(what, key)
               if isinstance(record.get("pages"), list)]
    return max(records, key=lambda item: (str(item[0].get("fetched_at", "")), item[1].name),
               default=None)


def _read_offline(what: str, key: str, request: Mapping[str, Any]) -> tuple[list[Any], Path]:
    newest = _newest_record(what, key)
    folder = paths.raw_dir() / RAW_SOURCE
    if newest is None:
        raise DataError(
            f"Det finns inget sparat svar från Kolada för {what} {_describe(request)} i "
            f"{folder}: hämta data utan --offline först.",
            f"There is no stored Kolada answer for {what} {_describe(request)} in {folder}: "
            "fetch the data without --offline first.",
        )
    return read_fetch_record(newest[1]), newest[1]


def read_fetch_record(path: str | Path) -> list[Any]:
    """The ``values`` rows of every page a fetch record lists, checked against their sha256.

    Parameters
    ----------
    path
        A fetch record (``data/raw/kolada/fetch_<what>_<key>-<sha>.json``).

    Raises
    ------
    DataError
        When a page file is missing or was changed after it was stored.
    """
    path = Path(path)
    record = json.loads(path.read_text(encoding="utf-8"))
    folder = path.parent
    rows: list[Any] = []
    for page in record["pages"]:
        file = folder / page["file"]
        if not file.is_file() or store.sha256_file(file) != page["sha256"]:
            raise DataError(
                f"Den sparade Kolada-filen {file} saknas eller har ändrats: hämta data igen "
                "utan --offline.",
                f"The stored Kolada file {file} is missing or was changed: fetch the data again "
                "without --offline.",
            )
        rows.extend(_page_rows(file))
    return rows


def _page_rows(file: Path) -> list[Any]:
    payload = json.loads(file.read_bytes().decode("utf-8-sig"))
    return _check_envelope(payload, str(file))


def _record_pages(record: str | Path) -> list[Path]:
    path = Path(record)
    listed = json.loads(path.read_text(encoding="utf-8"))["pages"]
    return [path.parent / page["file"] for page in listed]


def _describe(request: Mapping[str, Any]) -> str:
    parts = [f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
             for k, v in request.items() if v not in (None, [], "")]
    return "(" + "; ".join(parts) + ")" if parts else ""


def _batches(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)] or [[]]


def _clean_ids(values: Iterable[Any] | str, what: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    out = sorted({str(v).strip() for v in values if str(v).strip()})
    if not out:
        raise DataError(
            f"Ange minst ett {what} för Kolada-hämtningen.",
            f"Give at least one {what} for the Kolada download.",
        )
    return out


# --------------------------------------------------------------------------- data
def parse_values(rows: Iterable[Mapping[str, Any]], names: Mapping[str, str] | None = None,
                 *, where: str = "Kolada") -> pd.DataFrame:
    """Kolada ``values`` rows -> canonical long panel (yearly, gender total only).

    Parameters
    ----------
    rows
        The ``values`` of one or more data pages.
    names
        Panel unit code (or Kolada id) -> name; units without a name keep their code.
    where
        Named in error messages (URL or file).
    """
    names = dict(names or {})
    records = []
    for row in rows:
        try:
            kpi, municipality, period = row["kpi"], row["municipality"], row["period"]
            entries = row["values"]
        except (KeyError, TypeError) as exc:
            raise DataError(
                f"En rad i Koladas svar ({where}) saknar fältet {exc}: API:t kan ha ändrats – "
                "uppdatera verktyget eller använd --offline.",
                f"A row in Kolada's answer ({where}) lacks the field {exc}: the API may have "
                "changed – update the tool or use --offline.",
            ) from exc
        if not isinstance(entries, list):
            raise DataError(
                f"En rad i Koladas svar ({where}) har inget 'values'-fält som lista: API:t kan ha "
                "ändrats – uppdatera verktyget eller använd --offline.",
                f"A row in Kolada's answer ({where}) has no 'values' list: the API may have "
                "changed – update the tool or use --offline.",
            )
        total = [e for e in entries if isinstance(e, dict) and e.get("gender") == "T"]
        if not total or total[0].get("isdeleted"):
            continue
        entry = total[0]
        value = entry.get("value")
        flag = str(entry.get("status") or "").strip().lower()
        suppressed = value is None or flag in MISSING_STATUSES
        unit = to_unit(municipality)
        records.append({
            "unit": unit,
            "unit_name": names.get(unit) or names.get(str(municipality)) or unit,
            "period": str(period).strip(),
            "measure": str(kpi).strip(),
            "value": float("nan") if suppressed else _number(value, kpi, municipality,
                                                              period, where),
            "status": "suppressed" if suppressed else "final",
            "source": SOURCE,
        })
    columns = ["unit", "unit_name", "period", "measure", "value", "status", "source"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    if frame.empty:
        return frame
    return validate_panel(frame, source=where)


def _number(value: Any, kpi: Any, municipality: Any, period: Any, where: str) -> float:
    """A Kolada value as a float (:func:`evaluation.sources.numbers.number`: numbers as they
    are, text in Swedish notation converted); anything else refused by name — an API change
    must not turn into a wrong number."""
    try:
        return number(value)
    except ValueError:
        raise DataError(
            f"Koladas svar ({where}) har värdet {value!r} för {kpi}, {municipality}, {period}, "
            "som inte är ett tal: API:t kan ha ändrats – uppdatera verktyget eller använd "
            "--offline.",
            f"Kolada's answer ({where}) has the value {value!r} for {kpi}, {municipality}, "
            f"{period}, which is not a number: the API may have changed – update the tool or "
            "use --offline.") from None


def _parses(rows: list[Any], url: str) -> bool:
    """True if ``rows`` parse into a panel (raises DataError naming ``url`` otherwise)."""
    parse_values(rows, where=url)
    return True


def _stored_names() -> dict[str, str]:
    """Unit names from the latest stored municipality list, if any (no network)."""
    try:
        frame = fetch_municipalities(offline=True)
    except DataError:
        return {}
    return dict(zip(frame["unit"], frame["title"], strict=True))


def fetch_kpi_values(
    kpi_ids: Iterable[str] | str,
    municipality_ids: Iterable[str] | str,
    years: Iterable[int | str] | None = None,
    *,
    base_url: str = BASE_URL,
    offline: bool = False,
    fetch: FetchJson = fetch_json,
    names: Mapping[str, str] | None = None,
    batch_size: int = BATCH_SIZE,
    per_page: int = PER_PAGE,
) -> pd.DataFrame:
    """KPI values per municipality and year as the canonical long panel.

    Parameters
    ----------
    kpi_ids
        Kolada KPI ids, e.g. ``["N03702"]``; check them first with :func:`check_kpi_ids`.
    municipality_ids
        Kommun codes (``"1984"``), län/riket codes in either form (``"19"`` or ``"0019"``,
        ``"00"`` or ``"0000"``) or Kolada group ids (``"G…"``).
    years
        Years to fetch; ``None`` = every year Kolada has.
    base_url
        API root (a local test server in tests).
    offline
        Read the latest stored answer for the same request instead of the network.
    fetch
        The JSON fetcher (:func:`evaluation.sources.http.fetch_json`; wrap it with
        :func:`functools.partial` to change retries, timeout or rate limiter).
    names
        Unit code -> name; default: the latest stored municipality list, else the code.
    batch_size
        Ids per URL; more ids are split into several requests.

    Returns
    -------
    pandas.DataFrame
        unit, unit_name, period (``YYYY``), measure (the KPI id), value, unit_type, status
        (``final`` or ``suppressed``), source (``"Kolada"``). ``attrs["page_files"]`` lists the
        stored pages; ``attrs["unchanged"]`` is true when every batch answered exactly what its
        newest fetch record holds (nothing new was written: "oförändrat").

    Raises
    ------
    evaluation.sources.http.Unreachable
        (a :class:`~evaluation.errors.SourceUnavailable`) when Kolada cannot be reached or keeps
        failing after the retries.
    DataError
        On a changed answer format (a value that is no number is named), invalid JSON, an empty
        answer, a refused request, or (offline) when nothing is stored for the request.
    """
    kpis = _clean_ids(kpi_ids, "KPI-id / KPI id")
    municipalities = sorted({from_unit(m) for m in _clean_ids(municipality_ids, "kommun")})
    year_list = None if years is None else sorted({str(int(y)) for y in years})
    if year_list == []:
        year_list = None
    rows: list[Any] = []
    records: list[str] = []
    unchanged = not offline
    root = base_url.rstrip("/")
    for kpi_batch, muni_batch in product(_batches(kpis, batch_size),
                                         _batches(municipalities, batch_size)):
        url = f"{root}/data/kpi/{','.join(kpi_batch)}/municipality/{','.join(muni_batch)}"
        if year_list:
            url += f"/year/{','.join(year_list)}"
        request = {"kpi": kpi_batch, "municipality": muni_batch, "year": year_list}
        batch_rows, record, same = _fetch_pages(
            "data", url, {"per_page": per_page}, request, offline=offline, fetch=fetch,
            accept=lambda found, url=url: bool(found) and _parses(found, url),
        )
        unchanged = unchanged and same
        rows.extend(batch_rows)
        if record is not None:
            records.append(str(record))
    if not rows:
        wanted = _describe({"kpi": kpis, "municipality": municipalities, "year": year_list})
        raise DataError(
            f"Kolada gav inga värden för {wanted}: kontrollera KPI-id:n mot katalogen "
            "(check_kpi_ids), kommunkoderna och åren – nyare år kanske inte är publicerade än.",
            f"Kolada returned no values for {wanted}: check the KPI ids against the catalogue "
            "(check_kpi_ids), the municipality codes and the years – recent years may not be "
            "published yet.",
        )
    if names is None:
        names = _stored_names()
    frame = parse_values(rows, names, where=f"Kolada {root}")
    if frame.empty:
        raise DataError(
            "Koladas svar innehöll inga totalvärden (kön T) för de begärda KPI:erna: välj ett "
            "KPI som redovisas totalt.",
            "Kolada's answer held no totals (gender T) for the requested KPIs: choose a KPI "
            "that is reported in total.",
        )
    # One batch per (kpi, municipality) pair: duplicates would mean overlapping requests.
    frame = frame.drop_duplicates(["unit", "period", "measure"], keep="last").reset_index(drop=True)
    # The stored pages of the batches' complete answers, so the panel can be rebuilt from raw
    # (identical answers are the same files: the raw store names them by content).
    frame.attrs["page_files"] = [str(page) for record in records
                                 for page in _record_pages(record)]
    frame.attrs["unchanged"] = unchanged
    return frame


def values_from_pages(pages: Iterable[str | Path],
                      names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rebuild :func:`fetch_kpi_values`' panel from its stored answer pages (no network).

    Parameters
    ----------
    pages
        Stored page files, as in ``fetch_kpi_values(...).attrs["page_files"]``.
    names
        Unit code -> name; default: the latest stored municipality list, else the code.
    """
    rows: list[Any] = []
    for page in pages:
        rows.extend(_page_rows(Path(page)))
    frame = parse_values(rows, _stored_names() if names is None else names,
                         where="Kolada (sparade svar)")
    return frame.drop_duplicates(["unit", "period", "measure"], keep="last").reset_index(drop=True)


# --------------------------------------------------------------------------- metadata
def _metadata(what: str, base_url: str, offline: bool, fetch: FetchJson,
              per_page: int) -> list[dict[str, Any]]:
    url = f"{base_url.rstrip('/')}/{what}"
    rows, _record, _same = _fetch_pages(
        what, url, {"per_page": per_page}, {}, offline=offline, fetch=fetch,
        accept=lambda found: bool(found) and _check_metadata(found, url))
    if not rows:
        raise DataError(
            f"Kolada gav en tom lista för {url}: försök igen senare eller använd --offline.",
            f"Kolada returned an empty list for {url}: try again later or use --offline.",
        )
    _check_metadata(rows, url)
    return rows


def _check_metadata(rows: list[Any], url: str) -> bool:
    bad = [r for r in rows if not isinstance(r, dict) or "id" not in r]
    if bad:
        raise DataError(
            f"Koladas lista {url} har poster utan 'id': API:t kan ha ändrats – uppdatera "
            "verktyget eller använd --offline.",
            f"Kolada's list {url} has entries without 'id': the API may have changed – update "
            "the tool or use --offline.",
        )
    return True


def fetch_municipalities(*, base_url: str = BASE_URL, offline: bool = False,
                         fetch: FetchJson = fetch_json, per_page: int = PER_PAGE) -> pd.DataFrame:
    """Kolada's municipality list: id (Kolada), unit (panel code), title, type (K/L)."""
    rows = _metadata("municipality", base_url, offline, fetch, per_page)
    frame = pd.DataFrame({
        "id": [str(r["id"]) for r in rows],
        "unit": [to_unit(r["id"]) for r in rows],
        "title": [str(r.get("title", "")) for r in rows],
        "type": [str(r.get("type", "")) for r in rows],
    })
    return frame.drop_duplicates("id").sort_values("id").reset_index(drop=True)


def fetch_municipality_groups(*, base_url: str = BASE_URL, offline: bool = False,
                              fetch: FetchJson = fetch_json,
                              per_page: int = PER_PAGE) -> pd.DataFrame:
    """Kolada's municipality groups in the long format of ``GroupTable.from_frame``.

    Columns group_id, group_title, member_id (panel code), member_title; one row per member.
    """
    rows = _metadata("municipality_groups", base_url, offline, fetch, per_page)
    records = []
    for group in rows:
        members = group.get("members")
        if not isinstance(members, list):
            raise DataError(
                f"Kommungruppen {group.get('id')} i Koladas svar saknar listan 'members': API:t "
                "kan ha ändrats – uppdatera verktyget eller använd --offline.",
                f"The municipality group {group.get('id')} in Kolada's answer has no 'members' "
                "list: the API may have changed – update the tool or use --offline.",
            )
        for member in members:
            records.append({
                "group_id": str(group["id"]),
                "group_title": str(group.get("title", "")),
                "member_id": to_unit(member.get("member_id", member.get("id", ""))),
                "member_title": str(member.get("member_title", member.get("title", ""))),
            })
    frame = pd.DataFrame.from_records(
        records, columns=["group_id", "group_title", "member_id", "member_title"]
    )
    return frame.sort_values(["group_id", "member_id"]).reset_index(drop=True)


def fetch_kpi_catalog(*, base_url: str = BASE_URL, offline: bool = False,
                      fetch: FetchJson = fetch_json, per_page: int = PER_PAGE) -> pd.DataFrame:
    """Kolada's KPI catalogue: one row per KPI (id, title, description, … as Kolada sends)."""
    rows = _metadata("kpi", base_url, offline, fetch, per_page)
    frame = pd.DataFrame.from_records(rows)
    frame["id"] = frame["id"].astype(str).str.strip()
    if "title" not in frame.columns:
        frame["title"] = ""
    frame["title"] = frame["title"].fillna("").astype(str)
    return frame.drop_duplicates("id").sort_values("id").reset_index(drop=True)


_PERCENT = re.compile(r"\(%\)|\bprocent\b|%\s*$")
_PER_INHABITANTS = re.compile(r"^antal\s*/\s*([\d ]+)\s*(inv|invånare)\.?$")
#: Title endings that name a statistic, not a unit: such levels get neutral "enheter".
_NOT_UNITS = frozenset({"genomsnitt", "medelvärde", "median", "index", "balanstal", "andel"})
_UNIT_EN = {"kr": "SEK", "tkr": "SEK thousand", "mnkr": "SEK million", "inv": "inhabitant",
            "invånare": "inhabitant", "antal": "number", "elev": "pupil", "dagar": "days"}


def kpi_kind(title: str) -> tuple[str, str, str]:
    """What a KPI is, read from its catalogue title: ``(kind, unit_sv, unit_en)``.

    Kolada titles end with their unit: "…, andel (%)" is a rate (effects in procentenheter),
    "…, antal" a count, "…, kr/inv" a level in kronor per inhabitant, "…, antal/1000 inv" a
    level per 1 000 inhabitants; any other ending is a level in the words of that ending (or
    in neutral "enheter" when the ending is not a unit, e.g. "(Ja = 1, Nej = 0)").

    Examples
    --------
    >>> kpi_kind("Biståndshushåll, ekonomiskt bistånd, antal")
    ('count', 'st.', 'units')
    >>> kpi_kind("Kostnad ekonomiskt bistånd, kr/inv")
    ('level', 'kr per invånare', 'SEK per inhabitant')
    """
    text = _RETIRED.sub("", str(title)).strip()
    if _PERCENT.search(text.casefold()):
        return "rate", "procentenheter", "percentage points"
    tail = text.rsplit(",", 1)[-1].strip()
    low = " ".join(tail.casefold().split())
    if low == "antal":
        return "count", "st.", "units"
    if m := _PER_INHABITANTS.match(low):
        n = m.group(1).replace(" ", "")
        grouped = f"{int(n):,}" if n.isdigit() else n
        return ("level", f"per {grouped.replace(',', ' ')} invånare",
                f"per {grouped} inhabitants")
    if "=" in low or len(low.split()) > 3 or not low or low.split()[0] in _NOT_UNITS:
        return "level", "enheter", "units"
    words = " ".join(tail.replace("/", " per ").split()).split()
    if words[0].casefold() == "antal" and len(words) > 1:  # "antal dagar" -> "dagar"
        words = words[1:]
    sv = " ".join("invånare" if w.casefold() == "inv" else w for w in words)
    en = " ".join(_UNIT_EN.get(w.casefold(), w) for w in words)
    return "level", sv, en


def check_kpi_ids(ids: Iterable[str] | str, catalog: pd.DataFrame, *,
                  titles: Mapping[str, str] | None = None,
                  allow_retired: bool = False) -> pd.DataFrame:
    """Check KPI ids against the fetched catalogue; return their catalogue rows.

    Parameters
    ----------
    ids
        KPI ids to use.
    catalog
        From :func:`fetch_kpi_catalog` (or the same columns id, title from a CSV).
    titles
        Optional id -> text the title must contain (case-insensitive): catches an id that
        Kolada has re-used for another indicator (e.g. N00945).
    allow_retired
        Accept KPIs whose title marks them as ended, e.g. ``"… (-2023)"``.

    Raises
    ------
    DataError
        Naming every unknown, re-used or (unless allowed) retired id.
    """
    wanted = _clean_ids(ids, "KPI-id / KPI id")
    known = catalog.assign(id=catalog["id"].astype(str).str.strip()).drop_duplicates("id")
    known = known.set_index("id", drop=False)
    unknown = [i for i in wanted if i not in known.index]
    if unknown:
        hint = [i for i in unknown if not _KPI_ID.match(i)]
        extra_sv = " (ett KPI-id är en bokstav och fem siffror, t.ex. N03702)" if hint else ""
        extra_en = " (a KPI id is a letter and five digits, e.g. N03702)" if hint else ""
        raise DataError(
            f"KPI-id:n {', '.join(unknown)} finns inte i Koladas katalog{extra_sv}: de kan vara "
            "avvecklade – sök rätt id i katalogen (fetch_kpi_catalog).",
            f"The KPI ids {', '.join(unknown)} are not in Kolada's catalogue{extra_en}: they may "
            "have been retired – look up the right id in the catalogue (fetch_kpi_catalog).",
        )
    rows = known.loc[wanted].reset_index(drop=True)
    title_of = dict(zip(rows["id"], rows.get("title", pd.Series([""] * len(rows))).astype(str),
                        strict=True))
    mismatched = [
        f"{i} ({title_of[i]!r})" for i, text in (titles or {}).items()
        if i in title_of and str(text).casefold() not in title_of[i].casefold()
    ]
    if mismatched:
        raise DataError(
            f"KPI-id:n {', '.join(mismatched)} betyder något annat i Koladas katalog än väntat: "
            "Kolada återanvänder id:n – välj rätt id i katalogen.",
            f"The KPI ids {', '.join(mismatched)} mean something else in Kolada's catalogue "
            "than expected: Kolada re-uses ids – choose the right id in the catalogue.",
        )
    retired = [f"{i} ({title_of[i]!r})" for i in wanted if _RETIRED.search(title_of[i])]
    if retired and not allow_retired:
        raise DataError(
            f"KPI-id:n {', '.join(retired)} är avslutade enligt Koladas katalog: välj en "
            "efterföljare i katalogen, eller tillåt avslutade serier (allow_retired=True) om "
            "du bara behöver historiska år.",
            f"The KPI ids {', '.join(retired)} have ended according to Kolada's catalogue: "
            "choose a successor in the catalogue, or allow ended series (allow_retired=True) "
            "if you only need past years.",
        )
    return rows
