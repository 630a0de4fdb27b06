"""SCB Statistikdatabasen, PxWebApi v2: json-stat2 answers into the canonical long panel.

API (base :data:`DEFAULT_BASE_URL`): ``GET /config`` gives the rate limit
(``maxCallsPerTimeWindow`` calls per ``timeWindow`` seconds) and ``maxDataCells``;
``GET /tables/<id>/data?lang=sv&outputFormat=json-stat2&valueCodes[Region]=1984&...`` (the
same selection as a POST body ``{"selection": [{"variableCode", "valueCodes", "codelist"}]}``)
gives the data; GET is used so the shared retrying layer :mod:`evaluation.sources.http` applies.
Variables with ``elimination: false`` (``Tid``, ``ContentsCode``, often ``Region``) must be
selected. See ``shared/data/fixtures/API_NOTES.md``.

json-stat2 (https://json-stat.org/full/): ``id`` lists the dimensions, ``size`` their lengths,
``value`` holds the cells in row-major order over ``id`` (the last dimension varies fastest) as a
list or as a sparse ``{"index": value}`` dict; ``status`` (list, dict or one string for all
cells) carries symbols such as ``".."`` (not available / too uncertain), ``"."`` (not
applicable). A cell without a value becomes ``status="suppressed"`` with a NaN value. A value
sent as text is read strictly (:func:`evaluation.sources.numbers.number`: "253,9", "1 234,5"
with a space, thin or no-break space between thousands); a text that is a cell symbol
(``".."``) counts as no value, and any other text is refused naming the table, the cell
(region, contents, time) and the value — a changed format must not become a wrong number or a
silently missing one.

An unchanged download writes no new file: :func:`fetch_table` compares the answer with the
newest stored answer of the same table and selection (by sha256) and, when they are equal,
stores nothing and says so (``attrs["unchanged"]``, "oförändrat"). A changed answer is stored
with a small fetch record (``fetch_<table>-<request key>-<sha>.json``: file, sha256, time), so
that the newest answer is known even when it equals an older one (A, B, A).

Series break in population: from reference year 2025 SCB protects every population figure with
the Cell Key Method (small random noise), and the monthly table changed (TAB6471, 2025M01–;
the older monthly table BefolkManad covers 2000–2024). :func:`join_population` joins the two and
marks the change as a series break at :data:`POPULATION_BREAK` (``"2025-01"``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation import paths
from evaluation.data import store
from evaluation.data.panel import NATIONAL_CODE, validate_panel
from evaluation.errors import DataError
from evaluation.sources.numbers import number

DEFAULT_BASE_URL = "https://statistikdatabasen.scb.se/api/v2"
SOURCE = "scb"
#: First month of the Cell-Key-Method population tables (TAB6471, TAB5557).
POPULATION_BREAK = "2025-01"
#: Cell symbols that mean "no value published" (SCB / PxWeb conventions).
SUPPRESSED_SYMBOLS = ("..", ".", "…", "...", "x", "X", "-", "–")

__all__ = [
    "DEFAULT_BASE_URL",
    "POPULATION_BREAK",
    "ScbConfig",
    "fetch_table",
    "join_population",
    "parse_config",
    "parse_jsonstat2",
    "parse_metadata",
    "parse_pxweb_v1",
    "read_config",
    "scb_period",
    "selection_body",
    "selection_query",
    "to_panel",
]


# --------------------------------------------------------------------------- json-stat2
def _schema_error(what: str, what_en: str) -> DataError:
    return DataError(
        f"SCB:s svar har inte formatet json-stat2 ({what}): kontrollera tabell-id och urval, "
        "eller om SCB har ändrat API:t.",
        f"SCB's answer is not in json-stat2 format ({what_en}): check the table id and selection, "
        "or whether SCB has changed the API.",
    )


def _categories(dim_id: str, dim: Any, size: int) -> tuple[list[str], dict[str, str]]:
    """Category codes in index order and their labels."""
    if not isinstance(dim, Mapping) or not isinstance(dim.get("category"), Mapping):
        raise _schema_error(f"dimensionen {dim_id} saknar 'category'",
                            f"dimension {dim_id} lacks 'category'")
    category = dim["category"]
    index = category.get("index")
    labels = category.get("label") or {}
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, Mapping):
        codes = [str(c) for c, _ in sorted(index.items(), key=lambda item: int(item[1]))]
    elif index is None and isinstance(labels, Mapping) and len(labels) == 1:
        codes = [str(next(iter(labels)))]
    else:
        raise _schema_error(f"dimensionen {dim_id} saknar 'category.index'",
                            f"dimension {dim_id} lacks 'category.index'")
    if len(codes) != size:
        raise _schema_error(f"dimensionen {dim_id} har {len(codes)} kategorier men size {size}",
                            f"dimension {dim_id} has {len(codes)} categories but size {size}")
    return codes, {c: str(labels.get(c, c)) for c in codes}


def _cells(raw: Any, n: int, what: str) -> list[Any]:
    """A json-stat2 ``value``/``status`` member as a dense list of ``n`` cells."""
    if raw is None:
        return [None] * n
    if isinstance(raw, list):
        if len(raw) != n:
            raise _schema_error(f"'{what}' har {len(raw)} celler men tabellen {n}",
                                f"'{what}' has {len(raw)} cells but the table {n}")
        return list(raw)
    if isinstance(raw, Mapping):
        dense: list[Any] = [None] * n
        for key, item in raw.items():
            try:
                pos = int(key)
            except (TypeError, ValueError):
                raise _schema_error(f"'{what}' har nyckeln {key!r}",
                                    f"'{what}' has the key {key!r}") from None
            if not 0 <= pos < n:
                raise _schema_error(f"'{what}' har positionen {pos} utanför tabellen",
                                    f"'{what}' has the position {pos} outside the table")
            dense[pos] = item
        return dense
    if isinstance(raw, str) and what == "status":
        return [raw] * n
    raise _schema_error(f"'{what}' är varken lista eller objekt",
                        f"'{what}' is neither list nor object")


def _cell_values(values: list[Any], ids: list[str], codes: list[list[str]], sizes: list[int],
                 where: str) -> np.ndarray:
    """The ``value`` cells as floats (NaN where there is no value); text read strictly."""
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, str) and value.strip() in SUPPRESSED_SYMBOLS:
            continue  # a symbol in place of the value: no value published
        try:
            out[i] = number(value)
        except ValueError:
            if isinstance(value, float) and math.isnan(value):
                continue
            place = ", ".join(f"{dim} {dim_codes[k]}" for dim, dim_codes, k in
                              zip(ids, codes, np.unravel_index(i, sizes), strict=True))
            raise DataError(
                f"SCB:s svar ({where}) har värdet {value!r} i cellen {place}, som inte är ett "
                "tal: SCB kan ha ändrat formatet – uppdatera verktyget eller använd --offline.",
                f"SCB's answer ({where}) has the value {value!r} in the cell {place}, which is "
                "not a number: SCB may have changed the format – update the tool or use "
                "--offline.",
            ) from None
    return out


def parse_jsonstat2(obj: Mapping[str, Any] | bytes | str, *, where: str = "") -> pd.DataFrame:
    """Turn a json-stat2 dataset into a flat table, one row per cell.

    Parameters
    ----------
    obj
        The parsed answer (dict) or its raw JSON text/bytes.
    where
        Named in error messages (the table id); default the dataset's label.

    Returns
    -------
    pandas.DataFrame
        One column per dimension (category *codes* as strings, in the order of ``id``), then
        ``value`` (float, NaN when missing), ``symbol`` (the status symbol or ``""``) and
        ``status`` (``"suppressed"`` when the value is missing, else ``"final"``). ``attrs``
        holds ``labels`` ({dimension: {code: label}}), ``dimension_labels``, ``roles``, ``label``,
        ``updated`` and ``source``.

    Raises
    ------
    DataError
        When the answer is not a json-stat2 dataset (a changed schema, an error page, ...), or
        a value is a text that is no number (naming the cell and the value).
    """
    if isinstance(obj, (bytes, bytearray, str)):
        try:
            obj = json.loads(obj)
        except ValueError as exc:
            raise _schema_error("ogiltig JSON", "invalid JSON") from exc
    if not isinstance(obj, Mapping):
        raise _schema_error("svaret är inget JSON-objekt", "the answer is not a JSON object")
    if obj.get("class", "dataset") != "dataset" or "dimension" not in obj:
        raise _schema_error("'class' är inte 'dataset' eller 'dimension' saknas",
                            "'class' is not 'dataset' or 'dimension' is missing")
    ids, sizes, dims = obj.get("id"), obj.get("size"), obj["dimension"]
    if (not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes)
            or not isinstance(dims, Mapping)):
        raise _schema_error("'id' och 'size' saknas eller har olika längd",
                            "'id' and 'size' are missing or differ in length")
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise _schema_error("'size' är inte heltal", "'size' is not integers") from None
    codes: list[list[str]] = []
    labels: dict[str, dict[str, str]] = {}
    dim_labels: dict[str, str] = {}
    for dim_id, size in zip(ids, sizes, strict=True):
        if dim_id not in dims:
            raise _schema_error(f"dimensionen {dim_id} saknas", f"dimension {dim_id} is missing")
        dim_codes, dim_label_map = _categories(dim_id, dims[dim_id], size)
        codes.append(dim_codes)
        labels[dim_id] = dim_label_map
        dim_labels[dim_id] = str(dims[dim_id].get("label", dim_id))
    n = math.prod(sizes)
    values = _cells(obj.get("value"), n, "value")
    symbols = _cells(obj.get("status"), n, "status")

    # Row-major: the last dimension varies fastest, exactly like a C-ordered ndarray.
    grid = np.indices(sizes).reshape(len(sizes), -1) if n else np.zeros((len(sizes), 0), int)
    frame = pd.DataFrame({
        dim_id: np.asarray(dim_codes, dtype=object)[grid[i]] if n else np.array([], dtype=object)
        for i, (dim_id, dim_codes) in enumerate(zip(ids, codes, strict=True))
    })
    frame["value"] = _cell_values(values, ids, codes, sizes,
                                  where or str(obj.get("label") or "json-stat2"))
    frame["symbol"] = ["" if s is None else str(s) for s in symbols]
    frame["status"] = np.where(frame["value"].isna(), "suppressed", "final")
    frame.attrs.update({
        "labels": labels, "dimension_labels": dim_labels, "roles": dict(obj.get("role") or {}),
        "label": obj.get("label", ""), "updated": obj.get("updated", ""),
        "source": obj.get("source", "SCB"),
    })
    return frame


def parse_metadata(obj: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Dimensions of a ``/tables/<id>/metadata`` answer (json-stat2 without values).

    Returns {dimension id: {"label", "codes", "labels", "elimination", "codelists"}} in ``id``
    order; ``elimination`` False means the variable must be selected.
    """
    if not isinstance(obj, Mapping) or not isinstance(obj.get("dimension"), Mapping):
        raise _schema_error("'dimension' saknas", "'dimension' is missing")
    ids, sizes = obj.get("id") or [], obj.get("size") or []
    if len(ids) != len(sizes):
        raise _schema_error("'id' och 'size' har olika längd", "'id' and 'size' differ in length")
    out: dict[str, dict[str, Any]] = {}
    for dim_id, size in zip(ids, sizes, strict=True):
        dim = obj["dimension"].get(dim_id)
        codes, labels = _categories(dim_id, dim, int(size))
        ext = dim.get("extension") or {}
        out[dim_id] = {
            "label": str(dim.get("label", dim_id)), "codes": codes, "labels": labels,
            "elimination": bool(ext.get("elimination", True)),
            "codelists": [c.get("id") for c in ext.get("codelists") or []
                          if isinstance(c, Mapping)],
        }
    return out


def parse_pxweb_v1(obj: Mapping[str, Any]) -> pd.DataFrame:
    """A PxWebApi v1 ``"json"`` answer (``columns`` / ``data`` with ``key`` and ``values``) as a
    flat table: one column per dimension (``type`` d or t) and one per content code (``type``
    c), values as floats (".." and other symbols -> NaN; text read as in
    :func:`parse_jsonstat2`, and text that is no number refused by name)."""
    try:
        columns, rows = obj["columns"], obj["data"]
        dims = [c["code"] for c in columns if c.get("type") in ("d", "t")]
        contents = [c["code"] for c in columns if c.get("type") == "c"]
        records = []
        for row in rows:
            if len(row["key"]) != len(dims) or len(row["values"]) != len(contents):
                raise ValueError("key/values length")
            records.append([*row["key"], *row["values"]])
    except (KeyError, TypeError, ValueError) as exc:
        raise _schema_error("inget PxWeb v1 json-svar", "not a PxWeb v1 json answer") from exc
    frame = pd.DataFrame(records, columns=[*dims, *contents])
    for code in contents:
        frame[code] = [_v1_value(value, code, row, dims) for value, row in
                       zip(frame[code], frame[dims].itertuples(index=False), strict=True)]
    return frame


def _v1_value(value: Any, code: str, key: Sequence[Any], dims: list[str]) -> float:
    if value is None or (isinstance(value, str) and value.strip() in SUPPRESSED_SYMBOLS):
        return float("nan")
    try:
        return number(value)
    except ValueError:
        place = ", ".join(f"{dim} {k}" for dim, k in zip(dims, key, strict=True))
        raise DataError(
            f"SCB:s svar har värdet {value!r} för {code} ({place}), som inte är ett tal: SCB "
            "kan ha ändrat formatet – uppdatera verktyget eller använd --offline.",
            f"SCB's answer has the value {value!r} for {code} ({place}), which is not a "
            "number: SCB may have changed the format – update the tool or use --offline.",
        ) from None


# --------------------------------------------------------------------------- periods
_SCB_MONTH = re.compile(r"^(\d{4})M(0[1-9]|1[0-2])$")
_SCB_YEAR = re.compile(r"^\d{4}$")


def scb_period(code: str) -> str:
    """``"2025M01"`` -> ``"2025-01"``, ``"2024"`` -> ``"2024"``; other periods are an error."""
    code = str(code).strip()
    if match := _SCB_MONTH.match(code):
        return f"{match.group(1)}-{match.group(2)}"
    if _SCB_YEAR.match(code):
        return code
    raise DataError(
        f"SCB-perioden {code!r} stöds inte: välj en tabell med månader (ÅÅÅÅMmm) eller år (ÅÅÅÅ).",
        f"The SCB period {code!r} is not supported: choose a table with months (YYYYMmm) or "
        "years (YYYY).",
    )


# --------------------------------------------------------------------------- panel
def _unit_name(code: str, label: str) -> str:
    """SCB labels sometimes carry the code ("1984 Arboga"); keep the name only."""
    label = str(label).strip()
    if label.startswith(code + " "):
        return label[len(code) + 1:].strip()
    return label or code


def to_panel(
    df: pd.DataFrame,
    measure: str | Mapping[str, str],
    *,
    region_dim: str = "Region",
    time_dim: str = "Tid",
    contents_dim: str = "ContentsCode",
    filters: Mapping[str, str] | None = None,
    status: str = "final",
    source: str = "SCB",
) -> pd.DataFrame:
    """Turn :func:`parse_jsonstat2` output into the canonical long panel.

    Parameters
    ----------
    df
        Output of :func:`parse_jsonstat2` (its ``attrs["labels"]`` give unit names).
    measure
        The panel measure name, or {ContentsCode: measure name} when the table has several
        contents (codes not named are dropped).
    region_dim, time_dim, contents_dim
        Dimension ids of region, time and table contents.
    filters
        {dimension: code} to keep, e.g. ``{"Kon": "TotSa", "Alder": "TotSA"}``. Every dimension
        other than region, time and contents must have one category left.
    status
        Status of published values (``"final"`` or ``"preliminary"``); missing cells are
        ``"suppressed"``.
    source
        Text for the ``source`` column.

    Returns
    -------
    pandas.DataFrame
        Canonical long panel (validated): unit codes as strings (``"00"`` riket, 2-digit län,
        4-digit kommun), periods ``YYYY-MM`` or ``YYYY``.
    """
    for dim in (region_dim, time_dim):
        if dim not in df.columns:
            raise DataError(
                f"SCB-tabellen saknar dimensionen {dim!r} (har {', '.join(_dims(df))}): ange rätt "
                "region_dim/time_dim.",
                f"The SCB table lacks the dimension {dim!r} (has {', '.join(_dims(df))}): give the "
                "right region_dim/time_dim.",
            )
    frame = df
    for dim, code in (filters or {}).items():
        if dim not in frame.columns:
            raise DataError(
                f"Filtret {dim!r} finns inte i SCB-tabellen (dimensioner: {', '.join(_dims(df))}).",
                f"The filter {dim!r} is not in the SCB table (dimensions: {', '.join(_dims(df))}).",
            )
        frame = frame[frame[dim] == str(code)]
        if frame.empty:
            raise DataError(
                f"SCB-tabellen har ingen kategori {code!r} i {dim!r}: välj en kod som finns i "
                "svaret.",
                f"The SCB table has no category {code!r} in {dim!r}: choose a code in the answer.",
            )
    if isinstance(measure, Mapping):
        if contents_dim not in frame.columns:
            raise DataError(
                f"SCB-tabellen saknar {contents_dim!r}: ange measure som ett namn.",
                f"The SCB table lacks {contents_dim!r}: give measure as one name.",
            )
        frame = frame[frame[contents_dim].isin(list(measure))]
        measures = frame[contents_dim].map(dict(measure))
    else:
        measures = pd.Series(measure, index=frame.index)
    keys = {region_dim, time_dim} | ({contents_dim} if isinstance(measure, Mapping) else set())
    for dim in _dims(df):
        if dim not in keys and frame[dim].nunique() > 1:
            cats = sorted(frame[dim].unique())[:5]
            raise DataError(
                f"Dimensionen {dim!r} har flera kategorier ({', '.join(cats)} …): välj en med "
                f"filters={{'{dim}': '…'}} eller i urvalet.",
                f"The dimension {dim!r} has several categories ({', '.join(cats)} …): choose one "
                f"with filters={{'{dim}': '…'}} or in the selection.",
            )
    labels = df.attrs.get("labels", {}).get(region_dim, {})
    units = frame[region_dim].astype(str)
    panel = pd.DataFrame({
        "unit": units,
        "unit_name": [_unit_name(u, labels.get(u, u)) for u in units],
        "period": frame[time_dim].map(scb_period),
        "measure": measures,
        "value": frame["value"],
        "status": np.where(frame["status"] == "suppressed", "suppressed", status),
        "source": source,
    })
    panel.loc[panel["unit"] == NATIONAL_CODE, "unit_name"] = panel.loc[
        panel["unit"] == NATIONAL_CODE, "unit_name"].replace({"": "Riket"})
    return validate_panel(panel.reset_index(drop=True), source=f"SCB {df.attrs.get('label', '')}")


def _dims(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in ("value", "symbol", "status")]


# --------------------------------------------------------------------------- population break
def join_population(
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    measure: str = "population",
    break_period: str = POPULATION_BREAK,
) -> pd.DataFrame:
    """Join the older monthly population series (BefolkManad, –2024M12) with TAB6471 (2025M01–).

    Rows of ``old`` before ``break_period`` are kept, rows of ``new`` from ``break_period`` on;
    where both have a (unit, period) on the same side of the break, the new table wins. The
    result marks SCB's change of disclosure method (Cell Key Method from reference year 2025) as
    a series break: column ``series_break`` holds ``break_period`` on every row of ``measure``
    and ``attrs["series_break"] == break_period`` (``attrs["series_breaks"]`` maps the measure
    to it). Designs and plots should treat the values on either side as not fully comparable
    (the noise is small, but sums of units no longer equal totals).

    Parameters
    ----------
    old, new
        Canonical long panels (other measures are passed through unchanged).
    measure
        The population measure name.
    break_period
        First period of the new method, ``"2025-01"``.

    Returns
    -------
    pandas.DataFrame
        Canonical long panel plus the ``series_break`` column.
    """
    old_m = old[old["measure"] == measure]
    new_m = new[new["measure"] == measure]
    if old_m.empty or new_m.empty:
        raise DataError(
            f"join_population behöver måttet {measure!r} i båda tabellerna (äldre månadstabell och "
            "TAB6471).",
            f"join_population needs the measure {measure!r} in both tables (older monthly table "
            "and TAB6471).",
        )
    old_m = old_m[old_m["period"] < break_period]
    new_before = new_m[new_m["period"] < break_period]
    new_keys = set(zip(new_before["unit"], new_before["period"], strict=True))
    if new_keys:
        keep = [(u, p) not in new_keys for u, p in zip(old_m["unit"], old_m["period"], strict=True)]
        old_m = old_m[keep]
    joined = pd.concat([old_m, new_m], ignore_index=True)
    rest = pd.concat([old[old["measure"] != measure], new[new["measure"] != measure]],
                     ignore_index=True).drop_duplicates(["unit", "period", "measure"], keep="last")
    panel = validate_panel(pd.concat([joined, rest], ignore_index=True),
                           source="SCB folkmängd per månad")
    panel["series_break"] = np.where(panel["measure"] == measure, break_period, "")
    panel.attrs["series_break"] = break_period
    panel.attrs["series_breaks"] = {measure: break_period}
    return panel


# --------------------------------------------------------------------------- rate limit
@dataclass(frozen=True)
class ScbConfig:
    """What ``GET /config`` says: at most ``max_calls`` calls per ``time_window`` seconds."""

    max_calls: int
    time_window: float
    max_cells: int | None = None
    default_format: str = "json-stat2"
    license: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def rate_limiter(self) -> Any:
        """An :class:`evaluation.sources.http.RateLimiter` honouring this limit."""
        from evaluation.sources.http import RateLimiter

        return RateLimiter(self.max_calls, self.time_window)


def parse_config(obj: Mapping[str, Any]) -> ScbConfig:
    """Read the rate limit from a ``/config`` answer (``maxCallsPerTimeWindow``, ``timeWindow``;
    ``maxCalls`` is accepted as an alias)."""
    if not isinstance(obj, Mapping):
        raise _schema_error("/config är inget JSON-objekt", "/config is not a JSON object")
    calls = obj.get("maxCallsPerTimeWindow", obj.get("maxCalls"))
    window = obj.get("timeWindow")
    try:
        calls, window = int(calls), float(window)
    except (TypeError, ValueError):
        raise _schema_error("/config saknar maxCallsPerTimeWindow/timeWindow",
                            "/config lacks maxCallsPerTimeWindow/timeWindow") from None
    if calls < 1 or window <= 0:
        raise _schema_error("/config har en ogiltig gräns för anrop",
                            "/config has an invalid call limit")
    cells = obj.get("maxDataCells")
    return ScbConfig(
        max_calls=calls, time_window=window, max_cells=int(cells) if cells is not None else None,
        default_format=str(obj.get("defaultDataFormat", "json-stat2")),
        license=str(obj.get("license", "")), raw=dict(obj),
    )


# --------------------------------------------------------------------------- fetching
FetchJson = Callable[..., Any]


def _default_fetch_json() -> FetchJson:
    from evaluation.sources import http  # written beside this module; imported lazily

    return http.fetch_json


def _call(fetch_json: FetchJson, url: str, **kwargs: Any) -> tuple[Any, bytes, dict[str, Any]]:
    """Call ``fetch_json(url, **kwargs)``: (parsed answer, raw bytes as received, meta).

    ``fetch_json`` may return an object with ``.data`` and ``.body`` (like
    :class:`evaluation.sources.http.Response`), raw bytes/str, or the parsed JSON itself (then the
    stored bytes are its canonical JSON text).
    """
    answer = fetch_json(url, **kwargs)
    if isinstance(answer, (bytes, bytearray, str)):
        raw = answer.encode("utf-8") if isinstance(answer, str) else bytes(answer)
        try:
            return json.loads(raw), raw, {}
        except ValueError as exc:
            raise _schema_error("ogiltig JSON", "invalid JSON") from exc
    data, raw = getattr(answer, "data", None), getattr(answer, "body", None)
    if isinstance(raw, (bytes, bytearray)) and not callable(data):
        if data is None:
            try:
                data = json.loads(raw)
            except ValueError as exc:
                raise _schema_error("ogiltig JSON", "invalid JSON") from exc
        meta = {"http_status": getattr(answer, "status", None),
                "fetched_at": getattr(answer, "fetched_at", None),
                "final_url": getattr(answer, "url", None)}
        return data, bytes(raw), {k: v for k, v in meta.items() if v is not None}
    return answer, json.dumps(answer, ensure_ascii=False, sort_keys=True).encode("utf-8"), {}


def read_config(
    *,
    base_url: str = DEFAULT_BASE_URL,
    fetch_json: FetchJson | None = None,
    offline: bool = False,
) -> ScbConfig:
    """``GET <base_url>/config`` (stored in the raw store) and return its rate limit.

    With ``offline=True`` the latest stored ``/config`` answer is used.
    """
    url = f"{base_url.rstrip('/')}/config"
    if offline:
        return parse_config(json.loads(_latest_raw("config", url).read_bytes()))
    obj, raw, meta = _call(fetch_json or _default_fetch_json(), url)
    config = parse_config(obj)
    store.save_raw(raw, source=SOURCE, name="config.json",
                   meta={"url": url, "method": "GET", **meta})
    return config


def selection_body(
    selection: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    """A POST body from ``{"Region": ["1984"], "Tid": "top(12)"}`` or from a list of
    ``{"variableCode", "valueCodes", "codelist"?}`` items (passed through)."""
    if isinstance(selection, Mapping):
        items = []
        for code, values in selection.items():
            codelist = None
            if isinstance(values, Mapping):
                codelist, values = values.get("codelist"), values.get("valueCodes")
            if isinstance(values, str):
                values = [values]
            item: dict[str, Any] = {"variableCode": str(code),
                                    "valueCodes": [str(v) for v in values or []]}
            if codelist:
                item["codelist"] = str(codelist)
            items.append(item)
        return {"selection": items}
    return {"selection": [dict(item) for item in selection]}


def selection_query(body: Mapping[str, Any], *, lang: str = "sv") -> str:
    """The GET query of a selection: ``valueCodes[Region]=1984&codelist[Region]=...``.

    PxWebApi v2 takes the selection either as a POST body or as these GET parameters; GET is
    used so the shared retrying GET layer applies. Every variable must be listed: a GET without
    selection silently returns SCB's default selection.
    """
    pairs = [("lang", lang), ("outputFormat", "json-stat2")]
    for item in body["selection"]:
        code = str(item["variableCode"])
        pairs.append((f"valueCodes[{code}]", ",".join(str(v) for v in item["valueCodes"])))
        if item.get("codelist"):
            pairs.append((f"codelist[{code}]", str(item["codelist"])))
    return urllib.parse.urlencode(pairs, safe="[](),*")


def _request_key(table_id: str, body: Mapping[str, Any], lang: str) -> str:
    text = json.dumps({"table": table_id, "lang": lang, "body": body}, sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _newest_raw(stem: str) -> Path | None:
    """The newest stored answer named ``stem``: the file of its newest fetch record, else (an
    answer stored without records, e.g. ``/config``) the file saved last."""
    folder = paths.raw_dir() / SOURCE
    records = [(str(record.get("fetched_at", "")), path.name, folder / str(record["file"]))
               for record, path in store.stored_json(SOURCE, f"fetch_{stem}.json")
               if isinstance(record, dict) and record.get("file")]
    records = [item for item in records if item[2].is_file()]
    if records:
        return max(records)[2]
    found = [(str(store.read_raw_meta(path).get("created", "")), path.stat().st_mtime, path)
             for path in store.stored(SOURCE, f"{stem}.json")]
    return max(found)[2] if found else None


def _latest_raw(stem: str, what: str) -> Path:
    newest = _newest_raw(stem)
    if newest is None:
        folder = paths.raw_dir() / SOURCE
        raise DataError(
            f"Inget sparat SCB-svar för {what} finns i {folder}: kör utan --offline först.",
            f"No stored SCB answer for {what} in {folder}: run without --offline first.",
        )
    return newest


def fetch_table(
    table_id: str,
    selection: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    base_url: str = DEFAULT_BASE_URL,
    fetch_json: FetchJson | None = None,
    offline: bool = False,
    lang: str = "sv",
    limiter: Any = None,
) -> pd.DataFrame:
    """GET a selection from ``/tables/<table_id>/data`` (json-stat2) and parse the answer.

    A valid answer is stored as received with :func:`evaluation.data.store.save_raw`
    (``source="scb"``, name ``<table_id>-<request key>.json``, meta: url, selection, table,
    lang, HTTP status, fetch time) with a fetch record naming it the newest; an answer equal to
    the newest stored one stores nothing ("oförändrat", ``attrs["unchanged"]``). An answer that
    is not json-stat2, or holds a value that is no number, raises :class:`DataError` and stores
    nothing, so the last good answer stays the one ``offline`` uses. With ``offline=True`` no
    request is made: the latest stored answer for the same table and selection is parsed.

    Parameters
    ----------
    table_id
        E.g. ``"TAB6471"``.
    selection
        See :func:`selection_body`; select every variable with ``elimination: false``.
    base_url
        API base, default :data:`DEFAULT_BASE_URL`.
    fetch_json
        ``fetch_json(url, **kwargs)``; default :func:`evaluation.sources.http.fetch_json`
        (retries, timeouts; ``Unreachable`` — a ``SourceUnavailable`` — when SCB cannot be
        reached, ``DataError`` when it refuses the request).
    offline
        Use the raw store only.
    lang
        ``"sv"`` or ``"en"`` (labels).
    limiter
        A rate limiter (``ScbConfig.rate_limiter()`` from :func:`read_config`) shared by
        successive calls; passed to ``fetch_json`` as ``rate_limiter``.

    Returns
    -------
    pandas.DataFrame
        :func:`parse_jsonstat2` output; ``attrs["raw_file"]`` is the stored raw file,
        ``attrs["unchanged"]`` true when the answer equals the newest stored one.
    """
    if not re.fullmatch(r"[A-Za-z0-9_]+", str(table_id)):
        raise DataError(
            f"Ogiltigt SCB-tabell-id {table_id!r}: använd t.ex. 'TAB6471'.",
            f"Invalid SCB table id {table_id!r}: use e.g. 'TAB6471'.",
        )
    body = selection_body(selection)
    stem = f"{table_id}-{_request_key(table_id, body, lang)}"
    url = f"{base_url.rstrip('/')}/tables/{table_id}/data?{selection_query(body, lang=lang)}"
    unchanged = False
    if offline:
        raw_file = _latest_raw(stem, f"{table_id} ({json.dumps(body, ensure_ascii=False)})")
        frame = parse_jsonstat2(raw_file.read_bytes(), where=table_id)
    else:
        kwargs = {"rate_limiter": limiter} if limiter is not None else {}
        obj, raw, meta = _call(fetch_json or _default_fetch_json(), url, **kwargs)
        # a broken answer is rejected before anything is stored
        frame = parse_jsonstat2(obj, where=table_id)
        if frame.empty:
            raise DataError(
                f"SCB svarade utan några celler för {table_id}: kontrollera urvalet (koder och "
                "perioder som finns i tabellen).",
                f"SCB answered with no cells for {table_id}: check the selection (codes and "
                "periods that exist in the table).",
            )
        newest = _newest_raw(stem)
        digest = store.sha256_bytes(raw)
        if newest is not None and store.sha256_file(newest) == digest:
            raw_file, unchanged = newest, True  # the same answer as last time: nothing to store
        else:
            raw_file = store.save_raw(raw, source=SOURCE, name=f"{stem}.json", meta={
                "url": url, "method": "GET", "selection": body, "table": table_id, "lang": lang,
                "updated": obj.get("updated", "") if isinstance(obj, Mapping) else "", **meta})
            fetched = datetime.now(UTC).isoformat(timespec="microseconds")
            record = {"file": raw_file.name, "sha256": digest, "fetched_at": fetched,
                      "url": url, "table": table_id}
            text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            store.save_raw(text.encode("utf-8"), source=SOURCE, name=f"fetch_{stem}.json",
                           meta={"fetched_at": fetched, "kind": "fetch record"})
    frame.attrs["raw_file"] = str(raw_file)
    frame.attrs["table"] = table_id
    frame.attrs["unchanged"] = unchanged
    return frame
