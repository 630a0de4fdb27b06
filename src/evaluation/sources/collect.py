"""Fetch a spec's ``sources:`` into the raw store and rebuild its processed panel from raw.

Two steps, both per evaluation:

1. :func:`fetch` asks every source of the spec for its current data (Kolada, SCB, or the
   spreadsheet files the spec names). Whatever arrives is stored as received by the source's own
   loader (``data/raw/kolada/``, ``data/raw/scb/``, ``data/raw/import/``), and a small *entry
   record* (``data/raw/fetches/<kind>_<key>-<sha>.json``: the source settings, the raw files
   with their sha256, and the time) ties those files to the spec's source entry. A record is
   written only when the fetch succeeded completely and its files differ from the latest record's:
   an unchanged download adds no file anywhere in the raw store (the loaders store nothing for
   an answer equal to their newest one) and the build says "oförändrat". ``offline=True``
   fetches nothing from the network (spreadsheet files, being local, are still read). While
   fetching, a line per source ("Hämtar 2/3: …") is written on stderr when it is a terminal;
   waits longer than 2 s are always announced (:mod:`evaluation.sources.http`).
2. :func:`rebuild` reads the raw files of every record of each entry, oldest first, and keeps
   for each (unit, period, measure) the value of the latest download: it is deterministic given
   the raw store. The panel is compared with the previous build: new periods, *revised* values
   (an old value changed), values that went from preliminary to final (listed separately) and
   newly suppressed values. Identical content makes no new build ("inga nya uppgifter"); a new
   build replaces ``data/processed/sources/<evaluation_id>/`` as a whole, so a failure leaves
   the previous build in place and no partial file.

Test servers are reached through the environment variables :data:`KOLADA_URL_VARIABLE` and
:data:`SCB_URL_VARIABLE`.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation import paths
from evaluation.data import store
from evaluation.data.panel import period_frequency, validate_panel
from evaluation.errors import DataError, SourceUnavailable
from evaluation.spec import Spec

KOLADA_URL_VARIABLE = "EVALUATION_KOLADA_URL"
SCB_URL_VARIABLE = "EVALUATION_SCB_URL"
RECORD_SOURCE = "fetches"
PANEL_FILE = "panel.parquet"
GROUPS_FILE = "groups.parquet"
BUILD_FILE = "build.json"
KEYS = ["unit", "period", "measure"]
#: How many changed values the build record lists by name (all are counted).
LIST_LIMIT = 50

__all__ = [
    "Build",
    "build_folder",
    "build_record",
    "entry_key",
    "fetch",
    "groups_path",
    "panel_changes",
    "panel_path",
    "rebuild",
    "series_breaks",
]


# --------------------------------------------------------------------------- locations
def build_folder(evaluation_id: str) -> Path:
    """``data/processed/sources/<evaluation_id>/``: the spec's built panel and its record."""
    return paths.processed_dir() / "sources" / evaluation_id


def panel_path(evaluation_id: str) -> Path:
    """The built panel of an evaluation with ``sources:``."""
    return build_folder(evaluation_id) / PANEL_FILE


def groups_path(evaluation_id: str) -> Path:
    """Kolada's municipality groups, fetched when the spec's donor pool needs them."""
    return build_folder(evaluation_id) / GROUPS_FILE


def _kolada_url() -> str:
    from evaluation.sources import kolada

    return os.environ.get(KOLADA_URL_VARIABLE) or kolada.BASE_URL


def _scb_url() -> str:
    from evaluation.sources import scb

    return os.environ.get(SCB_URL_VARIABLE) or scb.DEFAULT_BASE_URL


# --------------------------------------------------------------------------- entries
def _resolve(spec: Spec, text: str) -> str:
    candidate = Path(text).expanduser()
    if candidate.is_absolute():
        return str(candidate)
    return str((spec.base_dir / candidate).resolve())


def resolved_entry(spec: Spec, measure: str) -> dict[str, Any]:
    """The entry with file paths made absolute (relative paths are relative to the spec)."""
    entry = dict(spec.sources[measure])
    if entry["source"] == "file":
        entry["path"] = _resolve(spec, entry["path"])
        from evaluation.sources.importer import MAPPINGS_DIR

        mapping = entry["mapping"]
        candidate = _resolve(spec, mapping)
        # A file beside the spec wins over a shipped mapping of the same name.
        if Path(candidate).is_file() or not (MAPPINGS_DIR / f"{mapping}.yaml").is_file():
            entry["mapping"] = candidate
    return entry


#: Entry keys that check the data rather than choose them: not part of an entry's identity.
_CHECK_ONLY = ("title",)


def entry_key(entry: Mapping[str, Any]) -> str:
    """12 hex digits identifying a (resolved) source entry; specs asking the same share it."""
    chosen = {k: v for k, v in entry.items() if k not in _CHECK_ONLY}
    text = json.dumps(chosen, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _describe(measure: str, entry: Mapping[str, Any]) -> str:
    kind = entry["source"]
    if kind == "kolada":
        return f"{measure} (Kolada {entry['kpi']})"
    if kind == "scb":
        return f"{measure} (SCB {entry['table']})"
    return f"{measure} ({entry['path']})"


def _records(entry: Mapping[str, Any]) -> list[tuple[dict[str, Any], Path]]:
    """Every stored record of an entry, oldest first."""
    kind, key = entry["source"], entry_key(entry)
    found = [(record, path) for record, path in store.stored_json(RECORD_SOURCE,
                                                                  f"{kind}_{key}.json")
             if isinstance(record, dict) and record.get("key") == key]
    return sorted(found, key=lambda item: (str(item[0].get("fetched_at", "")), item[1].name))


def _listed(path: str | Path) -> dict[str, str]:
    """A raw file as a record lists it: path inside the raw store and sha256."""
    path = Path(path)
    return {"file": str(path.relative_to(paths.raw_dir())), "sha256": store.sha256_file(path)}


def _save_record(entry: Mapping[str, Any], files: list[str | Path],
                 extra: Mapping[str, Any] | None = None) -> tuple[Path, bool]:
    """Write the entry record unless the latest one lists the same files; return the latest
    record and whether it is new (False: the download was unchanged)."""
    key = entry_key(entry)
    listed = [_listed(f) for f in files]
    previous = _records(entry)
    if previous and previous[-1][0].get("files") == listed and previous[-1][0].get(
            "extra", {}) == dict(extra or {}):
        return previous[-1][1], False
    record = {
        "kind": entry["source"],
        "key": key,
        "entry": dict(entry),
        "fetched_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "files": listed,
        "extra": dict(extra or {}),
    }
    body = (json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    path = store.save_raw(body, source=RECORD_SOURCE, name=f"{entry['source']}_{key}.json",
                          meta={"fetched_at": record["fetched_at"], "key": key,
                                "kind": "entry record"})
    return path, True


# --------------------------------------------------------------------------- fetching
def _fetch_kolada(entry: Mapping[str, Any], *, fetch_json: Callable,
                  metadata: dict[str, pd.DataFrame]) -> list[Path]:
    """Fetch one KPI; the KPI catalogue and the municipality list are fetched once per run
    (into ``metadata``) and stored in the raw store like the values."""
    from evaluation.sources import kolada

    base = _kolada_url()
    if "catalog" not in metadata:
        metadata["catalog"] = kolada.fetch_kpi_catalog(base_url=base, fetch=fetch_json)
        metadata["municipalities"] = kolada.fetch_municipalities(base_url=base,
                                                                 fetch=fetch_json)
    titles = {entry["kpi"]: entry["title"]} if entry.get("title") else None
    kolada.check_kpi_ids([entry["kpi"]], metadata["catalog"], titles=titles)
    municipalities = metadata["municipalities"]
    ids = entry.get("units") or list(municipalities["id"])
    years = None
    if entry.get("years"):
        first, last = entry["years"][0], entry["years"][-1]
        years = range(int(first), int(last) + 1)
    frame = kolada.fetch_kpi_values([entry["kpi"]], ids, years, base_url=base,
                                    fetch=fetch_json,
                                    names=dict(zip(municipalities["unit"],
                                                   municipalities["title"], strict=True)))
    return [Path(p) for p in frame.attrs.get("page_files", [])]


def _scb_selection(entry: Mapping[str, Any]) -> dict[str, Any]:
    region: Any = entry.get("region", "*")
    region = ["*"] if region == "*" else list(region)
    if entry.get("codelist"):
        region = {"valueCodes": region, "codelist": entry["codelist"]}
    selection: dict[str, Any] = {"Region": region, "ContentsCode": [entry["contents"]],
                                 "Tid": [entry.get("time", "*")]}
    for variable, code in (entry.get("filters") or {}).items():
        selection[variable] = [code]
    return selection


def _fetch_scb(entry: Mapping[str, Any], *, limiter: Any, fetch_json: Callable) -> list[Path]:
    """The table's answer, preceded by the older table's when the entry has ``before``."""
    from evaluation.sources import scb

    files = []
    for table in ([entry["before"]] if entry.get("before") else []) + [entry]:
        frame = scb.fetch_table(table["table"], _scb_selection(table), base_url=_scb_url(),
                                limiter=limiter, fetch_json=fetch_json)
        files.append(Path(frame.attrs["raw_file"]))
    return files


def _file_paths(entry: Mapping[str, Any], download: str | None = None) -> list[Path]:
    pattern = entry["path"]
    found = sorted(Path(p) for p in glob.glob(pattern) if Path(p).is_file())
    if not found:
        where_sv = f" Filen hämtas från: {download}." if download else ""
        where_en = f" The file comes from: {download}." if download else ""
        raise DataError(
            f"Ingen fil matchar {pattern}: spara den nedladdade filen där eller rätta 'path' "
            f"under sources.{where_sv}",
            f"No file matches {pattern}: save the downloaded file there or correct 'path' "
            f"under sources.{where_en}",
        )
    return found


def _import_files(measure: str, entry: Mapping[str, Any]) -> tuple[list[Path], dict[str, Any]]:
    from evaluation.sources.importer import import_file, load_mapping

    mapping = load_mapping(entry["mapping"])
    files = []
    for path in _file_paths(entry, mapping.get("download")):
        panel = import_file(path, mapping, save_raw=True)
        _pick_measure(panel, measure, entry, str(path))  # fail now, not at rebuild
        files.append(Path(panel.attrs["raw_file"]))
    return files, {"mapping": json.loads(json.dumps(mapping, default=str))}


def fetch(spec: Spec, *, offline: bool = False, fetch_json: Callable | None = None) -> Build:
    """Fetch every source of ``spec`` into the raw store, then :func:`rebuild` its panel.

    Parameters
    ----------
    spec
        A spec with a ``sources:`` block.
    offline
        Fetch nothing from the network; the panel is rebuilt from what is stored (files named
        by ``source: file`` entries are still read, they are local).
    fetch_json
        The JSON fetcher (default :func:`evaluation.sources.http.fetch_json`; tests pass one
        with short timeouts).

    Returns
    -------
    Build
        See :func:`rebuild`; ``unchanged`` lists the measures whose download equalled the
        newest stored one (nothing was written for them).

    Raises
    ------
    evaluation.sources.http.Unreachable
        (a :class:`~evaluation.errors.SourceUnavailable`, exit code 1) when a source cannot be
        reached or keeps failing: one sentence naming the host and what to do.
    DataError
        One sentence naming the source entry or answer that is wrong and what to do.

    Stored data are unchanged by a failure: raw files are written to a temporary file and
    renamed, and a record is written only after every file of its entry has arrived.
    """
    if not spec.sources:
        raise DataError(
            f"{spec.evaluation_id} har inget block 'sources:' att hämta: lägg till det i "
            "specifikationen eller kör med data: <fil>.",
            f"{spec.evaluation_id} has no 'sources:' block to fetch: add one to the spec or use "
            "data: <file>.",
        )
    from evaluation.sources import http

    with http.messages_in(spec.language):
        fetcher = fetch_json or http.fetch_json
        limiter = None
        metadata: dict[str, pd.DataFrame] = {}
        unchanged: list[str] = []
        measures = list(spec.sources)
        for number, measure in enumerate(measures, start=1):
            entry = resolved_entry(spec, measure)
            kind = entry["source"]
            if offline and kind != "file":
                continue
            what = _describe(measure, entry)
            http.progress("sources.fetching", n=number, total=len(measures), what=what)
            if kind == "file":
                files, extra = _import_files(measure, entry)
                _record, new = _save_record(entry, files, extra)
            else:
                if kind == "kolada":
                    files = _fetch_kolada(entry, fetch_json=fetcher, metadata=metadata)
                else:
                    if limiter is None:
                        from evaluation.sources import scb

                        config = scb.read_config(base_url=_scb_url(), fetch_json=fetcher)
                        limiter = config.rate_limiter()
                    files = _fetch_scb(entry, limiter=limiter, fetch_json=fetcher)
                _record, new = _save_record(entry, files)
            if not new:
                unchanged.append(measure)
            http.progress("sources.changed" if new else "sources.unchanged", what=what)
        groups = None
        if spec.donors.get("pool") in ("kommungrupp", "liknande") or (
                spec.comparison_group.get("group")):
            from evaluation.sources import kolada

            groups = kolada.fetch_municipality_groups(base_url=_kolada_url(), offline=offline,
                                                      fetch=fetcher)
    build = rebuild(spec, groups=groups)
    build.unchanged = unchanged
    build.fetched = not offline or any(spec.sources[m]["source"] == "file" for m in measures)
    return build


# --------------------------------------------------------------------------- rebuilding
def _checked(record: Mapping[str, Any]) -> list[Path]:
    """The record's raw files, each checked against its sha256."""
    out = []
    for item in record.get("files", []):
        path = paths.raw_dir() / item["file"]
        if not path.is_file() or store.sha256_file(path) != item["sha256"]:
            raise DataError(
                f"Den sparade filen {path} saknas eller har ändrats efter att den sparades: "
                "hämta data igen (utan --offline).",
                f"The stored file {path} is missing or was changed after it was saved: fetch "
                "the data again (without --offline).",
            )
        out.append(path)
    return out


def _pick_measure(panel: pd.DataFrame, measure: str, entry: Mapping[str, Any],
                  where: str) -> pd.DataFrame:
    available = sorted(panel["measure"].unique())
    wanted = entry.get("measure") or (measure if measure in available else None)
    if wanted is None and len(available) == 1:
        wanted = available[0]
    if wanted not in available:
        raise DataError(
            f"{where} har inget mått {wanted or measure!r} (har {', '.join(available)}): ange "
            "'measure' under sources eller rätta mappningen.",
            f"{where} has no measure {wanted or measure!r} (has {', '.join(available)}): give "
            "'measure' under sources or correct the mapping.",
        )
    out = panel[panel["measure"] == wanted].copy()
    out["measure"] = measure
    return out


def _panel_of_record(measure: str, record: Mapping[str, Any]) -> pd.DataFrame:
    entry = record["entry"]
    files = _checked(record)
    kind = entry["source"]
    if kind == "kolada":
        from evaluation.sources import kolada

        panel = kolada.values_from_pages(files)
        return _pick_measure(panel, measure, {"measure": entry["kpi"]}, "Koladas svar")
    if kind == "scb":
        from evaluation.sources import scb

        tables = ([entry["before"]] if entry.get("before") else []) + [entry]
        frames = [scb.to_panel(scb.parse_jsonstat2(path.read_bytes()),
                               {table["contents"]: measure}, filters=table.get("filters") or None,
                               status=table.get("status", "final"), source="SCB")
                  for table, path in zip(tables, files, strict=True)]
        if len(frames) == 1:
            return frames[0]
        # The older table continues the series back in time; the join is a series break.
        start = str(frames[1]["period"].min())
        joined = scb.join_population(frames[0], frames[1], measure=measure, break_period=start)
        joined = joined.drop(columns="series_break")
        joined.attrs["series_break"] = start
        return joined
    from evaluation.sources.importer import import_file

    mapping = record.get("extra", {}).get("mapping")
    frames = [_pick_measure(import_file(path, mapping), measure, entry, str(path))
              for path in files]
    return pd.concat(frames, ignore_index=True)


def monthly_population(yearly: pd.DataFrame) -> pd.DataFrame:
    """A yearly population (Kolada's N01951 and SCB's yearly tables count it on 31 December)
    as a monthly one: each year's value is December's, the months between two Decembers are
    interpolated linearly, months before the first December take it and months after the last
    keep it. Population moves slowly; the per-capita scale of counts is all it is used for."""
    rows = []
    for unit, group in yearly.groupby("unit", sort=False):
        group = group.dropna(subset=["value"]).sort_values("period")
        if group.empty:
            continue
        years = [int(p) for p in group["period"]]
        months = pd.period_range(f"{years[0]}-01", f"{years[-1]}-12", freq="M")
        december = np.array([pd.Period(f"{y}-12", "M").ordinal for y in years])
        values = np.interp([m.ordinal for m in months], december,
                           group["value"].to_numpy(float))
        rows.append(pd.DataFrame({
            "unit": unit, "unit_name": group["unit_name"].iloc[-1],
            "period": [m.strftime("%Y-%m") for m in months], "measure": "population",
            "value": values.round(), "status": "final",
            "source": f"{group['source'].iloc[-1]} (årsvärden, interpolerade per månad)"
            if "source" in group else "interpolated"}))
    out = pd.concat(rows, ignore_index=True) if rows else yearly.iloc[0:0]
    for column in yearly.columns:
        if column not in out.columns:
            out[column] = yearly[column].iloc[0] if len(yearly) else None
    return out[[c for c in yearly.columns]]


def _content_sha(panel: pd.DataFrame) -> str:
    text = panel.to_csv(index=False, lineterminator="\n", float_format="%.12g")
    return store.sha256_bytes(text.encode("utf-8"))


@dataclass
class Build:
    """What :func:`rebuild` did."""

    evaluation_id: str
    path: Path
    changed: bool
    content_sha256: str
    changes: dict[str, Any] = field(default_factory=dict)
    records: dict[str, list[str]] = field(default_factory=dict)
    #: measure -> first period of a source's new method (the older table joined before it)
    series_breaks: dict[str, str] = field(default_factory=dict)
    #: measures whose download equalled the newest stored one (set by :func:`fetch`)
    unchanged: list[str] = field(default_factory=list)
    #: whether :func:`fetch` downloaded or read anything (False offline without files)
    fetched: bool = False

    @property
    def all_unchanged(self) -> bool:
        """Every source was fetched and gave exactly what was stored ("oförändrat")."""
        return self.fetched and set(self.unchanged) >= set(self.records)

    def text(self, language: str = "sv") -> str:
        """One line for the command line."""
        c = self.changes
        if not self.changed:
            if self.all_unchanged:
                return ("oförändrat – inga nya uppgifter" if language == "sv"
                        else "unchanged – no new data")
            return ("inga nya uppgifter" if language == "sv" else "no new data")
        if c.get("first_build"):
            return (f"data byggda: {c['n_rows']} värden, {c['first_period']}–{c['last_period']}"
                    if language == "sv" else
                    f"data built: {c['n_rows']} values, {c['first_period']}–{c['last_period']}")
        if language == "en":
            return (f"{len(c['new_periods'])} new periods, {c['n_revised']} revised values, "
                    f"{c['n_finalised']} preliminary → final, {c['n_suppressed']} newly "
                    "suppressed")
        return (f"{len(c['new_periods'])} nya perioder, {c['n_revised']} reviderade värden, "
                f"{c['n_finalised']} preliminära → slutliga, {c['n_suppressed']} nya skyddade "
                "värden")


def panel_changes(old: pd.DataFrame | None, new: pd.DataFrame) -> dict[str, Any]:
    """What changed between two builds of a panel.

    A value present in both is *revised* when it changed (beyond 1e-9) and was not preliminary
    before; a preliminary value that is now final is *finalised* (listed separately, whether or
    not it changed); a published value that is now suppressed counts as *suppressed*.

    Returns
    -------
    dict
        ``first_build``; ``new_periods`` (periods not in ``old``); ``n_revised``, ``n_finalised``,
        ``n_suppressed``; ``revised``, ``finalised`` and ``suppressed`` (up to
        :data:`LIST_LIMIT` rows each: unit, period, measure, old, new); ``n_rows``,
        ``first_period``, ``last_period``.
    """
    out: dict[str, Any] = {
        "first_build": old is None,
        "n_rows": int(len(new)),
        "first_period": str(new["period"].min()) if len(new) else "",
        "last_period": str(new["period"].max()) if len(new) else "",
        "new_periods": [], "n_revised": 0, "n_finalised": 0, "n_suppressed": 0,
        "revised": [], "finalised": [], "suppressed": [],
    }
    if old is None:
        return out
    out["new_periods"] = sorted(set(new["period"]) - set(old["period"]))
    both = old[KEYS + ["value", "status"]].merge(new[KEYS + ["value", "status"]], on=KEYS,
                                                 suffixes=("_old", "_new"))
    v_old, v_new = both["value_old"], both["value_new"]
    differs = ~((v_old - v_new).abs().le(1e-9) | (v_old.isna() & v_new.isna()))
    finalised = (both["status_old"] == "preliminary") & (both["status_new"] == "final")
    suppressed = (both["status_new"] == "suppressed") & (both["status_old"] != "suppressed")
    revised = differs & ~finalised & ~suppressed & (both["status_old"] != "preliminary")
    # A preliminary value that changed and stays preliminary is a revision too.
    revised |= differs & (both["status_old"] == "preliminary") & (
        both["status_new"] == "preliminary")

    def rows(mask: pd.Series) -> list[dict[str, Any]]:
        sub = both[mask].sort_values(KEYS).head(LIST_LIMIT)
        return [{"unit": r.unit, "period": r.period, "measure": r.measure,
                 "old": None if pd.isna(r.value_old) else float(r.value_old),
                 "new": None if pd.isna(r.value_new) else float(r.value_new)}
                for r in sub.itertuples()]

    for name, mask in (("revised", revised), ("finalised", finalised),
                       ("suppressed", suppressed)):
        out[f"n_{name}"] = int(mask.sum())
        out[name] = rows(mask)
    return out


def build_record(evaluation_id: str) -> dict[str, Any]:
    """``build.json`` of the latest build (raw records used, content hash, changes, series
    breaks); empty when there is no build."""
    try:
        return json.loads((build_folder(evaluation_id) / BUILD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def series_breaks(evaluation_id: str) -> dict[str, str]:
    """The series breaks recorded by the latest build (measure -> first period of the new
    method); empty when there is no build."""
    return dict(build_record(evaluation_id).get("series_breaks") or {})


def _read_build(evaluation_id: str) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    meta = build_record(evaluation_id)
    try:
        panel = pd.read_parquet(build_folder(evaluation_id) / PANEL_FILE)
    except (OSError, ValueError):
        return None, {}
    return (panel, meta) if meta else (None, {})


def _same_groups(path: Path, groups: pd.DataFrame) -> bool:
    try:
        stored = pd.read_parquet(path)
    except (OSError, ValueError):
        return False
    return stored.reset_index(drop=True).equals(groups.reset_index(drop=True))


def rebuild(spec: Spec, *, groups: pd.DataFrame | None = None) -> Build:
    """Rebuild ``spec``'s panel from the raw store (no network) and write it if it changed.

    For each source entry every stored record is read, oldest first, and the latest download of
    each (unit, period, measure) wins. A ``population`` entry also fills the panel's population
    column. The result is written to :func:`build_folder` (panel, ``build.json`` with the records
    used and the changes, and the groups when given) only if its content differs from the
    previous build.

    Raises
    ------
    SourceUnavailable
        When an entry has nothing stored yet (fetch without ``--offline`` first).
    DataError
        When a stored file was changed, or the sources give periods of another frequency than
        the spec's.
    """
    frames = []
    used: dict[str, list[str]] = {}
    breaks: dict[str, str] = {}
    interpolated = False
    entries = {measure: resolved_entry(spec, measure) for measure in spec.sources}
    for measure, entry in entries.items():
        records = _records(entry)
        if not records:
            # nothing wrong with the spec: the data are not here yet (a run failure, exit 1)
            raise SourceUnavailable(
                f"Det finns inga sparade data för {_describe(measure, entry)}: kör "
                "'evaluation fetch' utan --offline först.",
                f"There are no stored data for {_describe(measure, entry)}: run "
                "'evaluation fetch' without --offline first.",
            )
        parts = [_panel_of_record(measure, record) for record, _path in records]
        if parts[-1].attrs.get("series_break"):
            breaks[measure] = parts[-1].attrs["series_break"]
        combined = pd.concat(parts, ignore_index=True).drop_duplicates(KEYS, keep="last")
        if measure == "population" and spec.frequency == "monthly" and len(combined) and all(
                period_frequency(p) == "yearly" for p in combined["period"].unique()):
            combined = monthly_population(combined)
            interpolated = True
        frames.append(combined)
        used[measure] = [str(path.relative_to(paths.raw_dir())) for _r, path in records]
    panel = pd.concat(frames, ignore_index=True)
    others = panel.loc[panel["measure"] != "population", "period"]
    if interpolated and len(others):  # the months the outcomes cover, no more
        outside = (panel["measure"] == "population") & ~panel["period"].between(
            others.min(), others.max())
        panel = panel[~outside]
    wrong = sorted({p for p in panel["period"].unique() if period_frequency(p) != spec.frequency})
    if wrong:
        raise DataError(
            f"Källorna ger perioder som {wrong[0]}, men utvärderingen är "
            f"{'månadsvis' if spec.frequency == 'monthly' else 'årsvis'}: välj källor med samma "
            "periodicitet som insatsens startdatum.",
            f"The sources give periods such as {wrong[0]}, but the evaluation is "
            f"{spec.frequency}: choose sources with the same frequency as the intervention.",
        )
    if "population" in spec.sources:
        pop = panel[panel["measure"] == "population"].set_index(["unit", "period"])["value"]
        index = pd.MultiIndex.from_frame(panel[["unit", "period"]])
        panel["population"] = pop.reindex(index).to_numpy()
    # Names: one per unit (the latest source's), so a renamed kommun does not split.
    panel["unit_name"] = panel.groupby("unit")["unit_name"].transform("last")
    panel = validate_panel(panel, source=f"Källorna för {spec.evaluation_id}")
    sha = _content_sha(panel)
    old, meta = _read_build(spec.evaluation_id)
    target = build_folder(spec.evaluation_id)
    groups_changed = groups is not None and not _same_groups(target / GROUPS_FILE, groups)
    if old is not None and meta.get("content_sha256") == sha and not groups_changed:
        return Build(spec.evaluation_id, target / PANEL_FILE, False, sha, {}, used,
                     meta.get("series_breaks", {}))
    changes = panel_changes(old, panel)
    record = {
        "evaluation_id": spec.evaluation_id,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "content_sha256": sha,
        "sources": {m: {"entry": entries[m], "records": used[m]}
                    for m in spec.sources},
        "changes": changes,
        "series_breaks": breaks,
    }
    with store.replace_dir(target) as staging:
        panel.to_parquet(staging / PANEL_FILE, index=False)
        if groups is not None:
            groups.to_parquet(staging / GROUPS_FILE, index=False)
        elif (target / GROUPS_FILE).is_file():
            (staging / GROUPS_FILE).write_bytes((target / GROUPS_FILE).read_bytes())
        text = json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n"
        (staging / BUILD_FILE).write_text(text, encoding="utf-8")
    return Build(spec.evaluation_id, target / PANEL_FILE, True, sha, changes, used, breaks)
