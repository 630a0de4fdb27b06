"""The raw -> processed path every data source goes through.

``data/raw/<source>/`` holds files exactly as received: the name is a deterministic stem plus
the first 12 hex digits of the content's sha256 (``panel_monthly-0123456789ab.csv``), beside a
``<file>.json`` sidecar (source, created time, sha256, meta). Raw files are never overwritten:
saving identical content again reuses the existing file. ``data/processed/`` holds validated
parquet files rebuilt from raw. Every write goes to a temporary file in the target folder and is
moved into place with :func:`os.replace`, so a failed write never leaves a partial file.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation import paths
from evaluation.data.panel import panel_frequency, read_panel
from evaluation.errors import DataError, WriteFailure

HASH_LENGTH = 12
_COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".zip")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

__all__ = [
    "build_processed",
    "read_raw_meta",
    "replace_dir",
    "save_raw",
    "sha256_bytes",
    "sha256_file",
    "stored",
    "stored_json",
    "to_yearly",
    "write_bytes",
    "write_failure",
    "write_parquet",
]


# --------------------------------------------------------------------------- hashing
def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's content, read in chunks.

    Parameters
    ----------
    path
        The file to hash.

    Returns
    -------
    str
        64 lowercase hex digits.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- atomic writes
#: errno -> (Swedish reason, English reason, Swedish fix, English fix).
_OS_REASONS = {
    errno.ENOSPC: ("disken är full", "the disk is full",
                   "frigör utrymme och kör igen", "free some space and run again"),
    errno.EDQUOT: ("diskkvoten är slut", "the disk quota is exhausted",
                   "frigör utrymme och kör igen", "free some space and run again"),
    errno.EROFS: ("filsystemet är skrivskyddat", "the file system is read-only",
                  "välj en skrivbar mapp med EVALUATION_HOME och kör igen",
                  "choose a writable folder with EVALUATION_HOME and run again"),
    errno.EACCES: ("behörighet saknas", "permission denied",
                   "ge skrivrättighet till mappen eller välj en annan med EVALUATION_HOME",
                   "make the folder writable or choose another with EVALUATION_HOME"),
    errno.EPERM: ("åtgärden är inte tillåten", "the operation is not permitted",
                  "ge skrivrättighet till mappen eller välj en annan med EVALUATION_HOME",
                  "make the folder writable or choose another with EVALUATION_HOME"),
}


def os_reason(exc: BaseException) -> tuple[str, str, str, str]:
    """(reason sv, reason en, fix sv, fix en) of an operating-system error, in words."""
    code = getattr(exc, "errno", None)
    if code in _OS_REASONS:
        return _OS_REASONS[code]
    text = getattr(exc, "strerror", None) or exc.__class__.__name__
    return (text, text, "kontrollera mappen och kör igen", "check the folder and run again")


def write_failure(path: str | Path, exc: BaseException, *, done_sv: str = "",
                  done_en: str = "") -> WriteFailure:
    """One sentence for a write that failed (disk full, read-only, permission denied),
    naming the path and the fix; ``done_sv``/``done_en`` say what was left as it was
    (", inget publicerades")."""
    reason_sv, reason_en, fix_sv, fix_en = os_reason(exc)
    error = WriteFailure(
        f"{path} kunde inte skrivas ({reason_sv}){done_sv}: {fix_sv}.",
        f"{path} could not be written ({reason_en}){done_en}: {fix_en}.",
    )
    error.path = Path(path)  # type: ignore[attr-defined]  # for a caller's own sentence
    return error


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _finish(tmp: str | Path, path: Path) -> None:
    """Give ``tmp`` the permissions of a normally created file and move it to ``path``."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def _atomic(path: str | Path, write: Callable[[str], None]) -> Path:
    """Let ``write`` fill a temporary file beside ``path``, then move it into place; a failure
    leaves no partial file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise write_failure(path.parent, exc, done_sv=", inget skrevs",
                            done_en=", nothing was written") from exc
    try:
        write(tmp)
        _finish(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        kept = path.exists()
        raise write_failure(path, exc,
                            done_sv=", den tidigare filen är orörd" if kept else ", inget skrevs",
                            done_en=(", the previous file is untouched" if kept
                                     else ", nothing was written")) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder + ``os.replace``).

    Parameters
    ----------
    path
        Target file; its folder is created if needed.
    data
        The bytes to write.

    Returns
    -------
    Path
        ``path``.
    """
    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    return _atomic(path, write)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as parquet to ``path`` atomically (no index).

    Parameters
    ----------
    frame
        The table to write.
    path
        Target ``.parquet`` file; its folder is created if needed.

    Returns
    -------
    Path
        ``path``.
    """
    return _atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))


@contextmanager
def replace_dir(target: str | Path) -> Iterator[Path]:
    """Build a whole folder atomically.

    Yields an empty staging folder beside ``target``; when the block ends without error the
    staging folder replaces ``target`` (the old one is removed), otherwise it is deleted and
    ``target`` is left as it was.

    Parameters
    ----------
    target
        The folder to (re)build, e.g. ``processed_dir() / "demo"``.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-build-", dir=target.parent))
        os.chmod(staging, 0o777 & ~_umask())
    except OSError as exc:
        raise write_failure(target.parent, exc, done_sv=", inget skrevs",
                            done_en=", nothing was written") from exc
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    try:
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(staging, target)
    except BaseException as exc:
        if old is not None and not target.exists() and (old / target.name).exists():
            os.replace(old / target.name, target)  # put the previous folder back
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if isinstance(exc, OSError):
            raise write_failure(target, exc, done_sv=", den tidigare mappen är orörd",
                                done_en=", the previous folder is untouched") from exc
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- raw store
def _check_name(value: str, what: str) -> str:
    if not isinstance(value, str) or not _SAFE_NAME.match(value) or ".." in value:
        raise DataError(
            f"Ogiltigt värde {value!r} för {what}: använd bara bokstäver a–z, siffror, '_', '-' "
            "och '.', utan snedstreck.",
            f"Invalid value {value!r} for {what}: use only letters a–z, digits, '_', '-' and '.', "
            "without slashes.",
        )
    return value


def _split_name(name: str) -> tuple[str, str]:
    """Stem and suffix of a raw file name; ``a.csv.gz`` -> (``a``, ``.csv.gz``)."""
    suffixes = Path(name).suffixes
    if not suffixes:
        return name, ""
    take = 2 if suffixes[-1].lower() in _COMPRESSED and len(suffixes) >= 2 else 1
    suffix = "".join(suffixes[-take:])
    return name[: -len(suffix)], suffix


def _to_bytes(data: pd.DataFrame | bytes, suffix: str) -> bytes:
    if isinstance(data, pd.DataFrame):
        if suffix.lower() not in (".csv", ".csv.gz"):
            raise DataError(
                f"En tabell sparas som .csv eller .csv.gz, inte {suffix}: ändra namnet.",
                f"A table is saved as .csv or .csv.gz, not {suffix}: change the name.",
            )
        content = data.to_csv(index=False, lineterminator="\n").encode("utf-8")
        # mtime=0 keeps the gzip bytes (and so the hash) deterministic.
        if suffix.endswith(".gz"):
            return gzip.compress(content, compresslevel=6, mtime=0)
        return content
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise DataError(
        f"save_raw fick en {type(data).__name__}: skicka en pandas DataFrame eller bytes.",
        f"save_raw got a {type(data).__name__}: pass a pandas DataFrame or bytes.",
    )


def save_raw(
    data: pd.DataFrame | bytes,
    *,
    source: str,
    name: str,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Store data exactly as received under ``raw_dir()/<source>/``; never overwrite.

    A DataFrame is stored as UTF-8 CSV without index (gzip-compressed, deterministically, if
    ``name`` ends with ``.csv.gz``); bytes are stored unchanged. The file is named
    ``<stem>-<sha12><suffix>``: ``name`` gives the stem and, if it has one, the suffix (default
    ``.csv`` for a DataFrame, ``.bin`` for bytes). A sidecar ``<file>.json`` records
    source, name, created time (UTC), sha256, size and ``meta``. If a file with the same content
    already exists it is reused unchanged (its sidecar keeps the first created time).

    Parameters
    ----------
    data
        A DataFrame (written as CSV) or the raw bytes of a download.
    source
        Folder per source, e.g. ``"demo"``, ``"kolada"``.
    name
        Deterministic, timestamp-free stem with optional suffix, e.g. ``"panel_monthly"``,
        ``"panel_monthly.csv.gz"`` or ``"answer.json"``.
    meta
        JSON-serialisable facts about the data (query, parameters, URL, ...).

    Returns
    -------
    Path
        The stored raw file.
    """
    _check_name(source, "source")
    _check_name(name, "name")
    stem, suffix = _split_name(name)
    if not suffix:
        suffix = ".csv" if isinstance(data, pd.DataFrame) else ".bin"
    content = _to_bytes(data, suffix)
    digest = sha256_bytes(content)
    folder = paths.raw_dir() / source
    target = folder / f"{stem}-{digest[:HASH_LENGTH]}{suffix}"
    sidecar = target.with_name(target.name + ".json")
    if target.exists():
        existing = sha256_file(target)
        if existing != digest:
            raise DataError(
                f"Rådatafilen {target} har ändrats efter att den sparades (sha256 stämmer inte): "
                "flytta undan den och hämta data igen.",
                f"The raw file {target} was changed after it was saved (sha256 mismatch): move it "
                "away and fetch the data again.",
            )
    else:
        write_bytes(target, content)
    if not sidecar.exists():
        record = {
            "source": source,
            "name": name,
            "file": target.name,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "sha256": digest,
            "size": len(content),
            "meta": dict(meta or {}),
        }
        text = json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n"
        write_bytes(sidecar, text.encode("utf-8"))
    return target


def stored(source: str, name: str) -> list[Path]:
    """Every raw file saved under ``source`` with this ``name`` (as given to :func:`save_raw`),
    whatever its content: ``<stem>-<sha12><suffix>``, sidecars excluded, sorted by file name.

    Parameters
    ----------
    source
        The raw store folder, e.g. ``"kolada"``.
    name
        The deterministic name, e.g. ``"fetch_data_ab12.json"``.
    """
    stem, suffix = _split_name(_check_name(name, "name"))
    folder = paths.raw_dir() / _check_name(source, "source")
    pattern = re.compile(re.escape(stem) + r"-[0-9a-f]{%d}" % HASH_LENGTH + re.escape(suffix))
    return sorted(path for path in folder.glob(f"{stem}-*{suffix}")
                  if pattern.fullmatch(path.name))


def stored_json(source: str, name: str) -> list[tuple[Any, Path]]:
    """The parsed content of every :func:`stored` JSON file (unreadable files are skipped)."""
    found = []
    for path in stored(source, name):
        try:
            found.append((json.loads(path.read_text(encoding="utf-8")), path))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
    return found


def read_raw_meta(raw_file: str | Path) -> dict[str, Any]:
    """The sidecar record of a raw file (empty dict if it has none)."""
    sidecar = Path(str(raw_file) + ".json")
    if not sidecar.is_file():
        return {}
    return json.loads(sidecar.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- processed
def build_processed(
    raw_file: str | Path,
    *,
    name: str,
    out_dir: str | Path | None = None,
    reader: Callable[[Path], pd.DataFrame] | None = None,
) -> Path:
    """Read and validate a raw file and write it as parquet to ``<out_dir>/<name>.parquet``.

    Parameters
    ----------
    raw_file
        A file under ``raw_dir()`` (or anywhere).
    name
        Stem of the processed file.
    out_dir
        Target folder; defaults to :func:`evaluation.paths.processed_dir`.
    reader
        Reads and validates the file; defaults to :func:`evaluation.data.panel.read_panel`
        (canonical long panel). Pass another reader for non-panel tables.

    Returns
    -------
    Path
        The written parquet file. Nothing is written if reading or validation fails.
    """
    _check_name(name, "name")
    frame = (reader or read_panel)(Path(raw_file))
    target = Path(out_dir) if out_dir is not None else paths.processed_dir()
    return write_parquet(frame, target / f"{name}.parquet")


# --------------------------------------------------------------------------- frequency
def to_yearly(panel: pd.DataFrame) -> pd.DataFrame:
    """Turn a monthly long panel into a yearly one (periods ``YYYY``), complete years only.

    Every measure is the annual mean of its twelve monthly values (rates: mean of the monthly
    rates; stocks counted at month end such as ``households_assistance``, ``unemployed`` and
    ``labour_force``: the average monthly stock), except ``population``, which is the December
    value. The ``population`` column likewise holds the December value. A (unit, measure, year)
    is kept only when all twelve months are present; a year with a missing (NaN) month gets
    NaN. Status is ``preliminary`` if any month is preliminary, ``suppressed`` if the value is
    missing because a month is suppressed, else ``final``.

    Parameters
    ----------
    panel
        Canonical monthly long panel (see :mod:`evaluation.data.panel`).

    Returns
    -------
    pandas.DataFrame
        Canonical yearly long panel, sorted by measure, unit, period.
    """
    if panel.empty:
        return panel.copy()
    if panel_frequency(panel) != "monthly":
        raise DataError(
            "to_yearly behöver en månadspanel (perioder ÅÅÅÅ-MM).",
            "to_yearly needs a monthly panel (periods YYYY-MM).",
        )
    frame = panel.copy()
    if "status" not in frame.columns:
        frame["status"] = "final"
    frame["_year"] = frame["period"].str[:4]
    frame["_dec"] = frame["period"].str[5:7] == "12"
    frame["_pre"] = frame["status"] == "preliminary"
    frame["_sup"] = frame["status"] == "suppressed"
    keys = ["unit", "measure", "_year"]
    grouped = frame.groupby(keys, sort=False)
    agg = grouped.agg(
        _months=("period", "nunique"),
        _count=("value", "count"),
        _mean=("value", "mean"),
        _pre=("_pre", "any"),
        _sup=("_sup", "any"),
    )
    december = frame[frame["_dec"]].set_index(keys)
    agg["_december"] = december["value"].reindex(agg.index)
    if "population" in frame.columns:
        agg["population"] = december["population"].reindex(agg.index)
    carried = [c for c in ("unit_name", "unit_type", "source") if c in frame.columns]
    firsts = grouped[carried].first()
    agg = agg.join(firsts)
    agg = agg[agg["_months"] == 12].reset_index()
    is_population = agg["measure"] == "population"
    value = np.where(is_population, agg["_december"], agg["_mean"])
    complete = agg["_count"] == 12
    agg["value"] = np.where(complete | is_population, value, np.nan)
    agg["status"] = np.select(
        [agg["_pre"], agg["value"].isna() & agg["_sup"]], ["preliminary", "suppressed"], "final"
    )
    agg["period"] = agg["_year"]
    columns = ["unit", "unit_name", "period", "measure", "value"]
    columns += [c for c in ("unit_type", "population", "status", "source") if c in agg.columns]
    return agg[columns].sort_values(["measure", "unit", "period"]).reset_index(drop=True)
