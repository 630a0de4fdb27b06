"""Screen results on disk, so that a re-screen recomputes only what changed.

Two stores under one folder (default ``data/processed/screen-cache/``, git-ignored like all
derived data):

**Results** (:class:`ResultCache`, ``entries.sqlite``): one JSON row per kommun × outcome ×
design — the design's ``summary.json`` record, the pre-period mean the verdict reads, the series
the figure draws, or the design's error. The key (:func:`entry_key`) is a SHA-256 of

* the code: the source of the designs, the verdict, the result contract and the screen's
  tasks (:func:`code_fingerprint`) — changed code never reuses old numbers;
* the settings that design depends on (:meth:`~evaluation.screen.settings.Resolved.
  for_design`: the decomposition its two periods and window, the ITS and the structural
  model the date and the end of the post window, the structural model its seed);
* the kommun, the outcome, what the outcome is (its declared kind and unit);
* the hash of every value the call reads (:func:`evaluation.screen.data.unit_hashes`): the
  kommun's and riket's outcome, population and labour-force rows up to the last period the
  design uses — the end of the post window for the ITS and the structural model, the end of
  the later window for the decomposition — and, for the decomposition, the same hashes of its
  similar kommuner, whose set (re-chosen on the whole panel every time) is part of the key —
  the set, not its order: the order follows the kommuner's mean population over all periods,
  which a new month moves, and changes the decomposition's numbers only in the last bits of its
  floating-point sums.

The data vintage is recorded in each entry but is not part of the key: a new month changes the
vintage of every kommun, while the hashes change only where a value the call reads changed.

**What a new month changes.** With the default window (the post window ends at the last
period) every kommun's post window grows by one month, so:

* the decomposition is **reused**: it compares the year before the change with the first year,
  which a new month does not move; it is recomputed only for kommuner whose values in those
  windows (or whose similar kommuner's) were revised, or whose similar kommuner changed;
* the ITS is **recomputed, but its pre-period fit is reused**: its error model's restricted
  likelihood over the (φ, ρ) grid — a quarter to a half of an ITS call, less the longer the
  post window (measured: 0.045–0.060 CPU s per call fresh, 0.036–0.043 s with the stored fit,
  45-month window) — depends only on the pre-period
  residuals, the times and the design matrix, so it is stored (:class:`FitStore`) under the
  hash of exactly those arrays and the error model's settings, and handed back to
  :func:`evaluation.designs.its.its` through its public ``error_model`` argument
  (:class:`StoredErrorModel`). The forecast over the longer window is computed anew, so the
  result is the one a fresh fit gives, bit for bit;
* the structural model is **recomputed, but its pre-period fit is reused**: the maximum-
  likelihood fit, the parameter draws with their importance weights and the random
  generator's state after them depend only on the standardised pre-period series and
  regressors, the model's settings and the seed, so they are stored
  (:class:`StructuralPrefits`) under the hash of exactly those and handed back through
  :func:`evaluation.designs.structural.structural`'s ``prefit`` argument; the paths over the
  longer window and the forecast are simulated anew, so the result is the one a fresh fit
  gives (tested).

With a fixed ``post_end`` a new month changes nothing the calls read and everything is reused;
a revised month recomputes the kommuner (and, for the decomposition, the kommuner whose similar
kommuner) it touches; a revision of riket recomputes every kommun.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.errors import RunFailure

#: Bump when the layout of an entry changes.
SCHEMA = 1


def default_cache_dir() -> Path:
    from evaluation import paths

    return paths.processed_dir() / "screen-cache"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 (16 hex) of the source of everything a screened number comes from."""
    import evaluation

    root = Path(evaluation.__file__).parent
    files = sorted([*(root / "designs").glob("*.py"), root / "verdict.py", root / "results.py",
                    root / "data" / "panel.py", root / "checks" / "sensitivity.py",
                    root / "screen" / "tasks.py", root / "screen" / "cache.py"])
    h = hashlib.sha256(str(SCHEMA).encode())
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def entry_key(*, design: str, outcome: str, kommun: str, settings: dict[str, Any],
              measure: Any, inputs: list[str]) -> str:
    """The key of one kommun × outcome × design result (see the module docstring)."""
    payload = {"code": code_fingerprint(), "design": design, "outcome": outcome,
               "kommun": kommun, "settings": settings, "measure": repr(measure),
               "inputs": inputs}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResultCache:
    """The entries in one SQLite file, ``folder/entries.sqlite`` (key → the entry as JSON);
    ``None`` folder: no cache.

    One file instead of one per entry: a re-screen writes some 1 700 entries, and creating a
    file costs about half a millisecond of system time on an ordinary disk, a row in a
    transaction a few microseconds. :meth:`put_many` writes a batch's entries in one
    transaction, so a run stopped half-way keeps the batches it finished. SQLite's default
    rollback journal, not its write-ahead log, which does not work on a network drive (a
    municipality's home folders often are one).

    A file that is not a readable database (damaged, or not SQLite) is moved aside to
    ``entries.sqlite.unreadable`` and a new one is started: the cache holds only what can be
    computed again. An entry that cannot be read is a miss. A database another run keeps
    locked for longer than :attr:`TIMEOUT` seconds stops the screen before it computes, with a
    sentence saying so; entries that cannot be written then (:meth:`put_many`) are counted in
    ``failed`` (the screen's ``stats["cache_unwritten"]``) and computed again next time; the
    screen's results are not affected.
    """

    FILE = "entries.sqlite"
    #: Seconds to wait for another run's transaction (each lasts milliseconds).
    TIMEOUT = 60.0

    def __init__(self, folder: str | Path | None):
        self.folder = None if folder is None else Path(folder)
        self.hits = 0
        self.misses = 0
        self.written = 0
        self.failed = 0
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        assert self.folder is not None
        if self._db is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / self.FILE
            try:
                self._db = self._open(path)
            except sqlite3.OperationalError as exc:  # locked (or unreachable): not damaged
                raise RunFailure(
                    f"Screeningens cache {path} går inte att öppna ({exc}): vänta tills en "
                    "annan screening med samma cache är klar, eller välj en annan mapp med "
                    "--cache (eller --no-cache).",
                    f"The screen's cache {path} cannot be opened ({exc}): wait until another "
                    "screen using the same cache has finished, or choose another folder with "
                    "--cache (or --no-cache).") from exc
            except sqlite3.DatabaseError:  # not a database, or damaged
                path.replace(path.with_name(self.FILE + ".unreadable"))
                self._db = self._open(path)
        return self._db

    @classmethod
    def _open(cls, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=cls.TIMEOUT)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, "
                       "entry TEXT NOT NULL)")
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            self.misses += 1
            return None
        try:
            row = self._connect().execute("SELECT entry FROM entries WHERE key = ?",
                                          (key,)).fetchone()
            entry = None if row is None else json.loads(row[0])
        except (sqlite3.DatabaseError, ValueError):
            entry = None
        if not isinstance(entry, dict):
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        self.put_many([(key, entry)])

    def put_many(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        """Store entries in one transaction."""
        if self.folder is None or not items:
            return
        rows = [(key, json.dumps(entry, ensure_ascii=False, allow_nan=False,
                                 separators=(",", ":"))) for key, entry in items]
        db = self._connect()
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO entries (key, entry) VALUES (?, ?)",
                               rows)
        except sqlite3.DatabaseError:  # locked too long: computed again next time
            self.failed += len(rows)
            return
        self.written += len(rows)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# =========================================================================== ITS fits
def _fit_key(model: Any, resid: np.ndarray, times: np.ndarray, design: np.ndarray,
             weights: np.ndarray) -> str:
    return _parts_key((type(model).__name__, repr(model), resid, times, design, weights))


def _parts_key(parts: tuple) -> str:
    """SHA-256 of the code fingerprint and ``parts`` (arrays by shape and bytes, the rest by
    ``repr``)."""
    h = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            a = np.ascontiguousarray(part, dtype=float)
            h.update(b"array" + str(a.shape).encode())
            h.update(a.tobytes())
        else:
            h.update(b"repr" + repr(part).encode())
    return h.hexdigest()


def _load(path: Path) -> Any | None:
    """A stored pickle, or None when it is missing or unreadable (then it is recomputed)."""
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError,
            ValueError):
        return None


class FitStore:
    """The ITS error-model fits on disk, keyed by the exact arrays they were fitted to.

    A grid fit is stored without correlation matrices: the default AR(1)+noise fits hold none
    (their forecasts come from the filtered state at the end of the pre-period), and other
    grid fits rebuild theirs from their grid points when they forecast
    (:func:`evaluation.designs.its._grid_corr`, the function they were fitted with, so the
    bits are the same). ``None`` folder: nothing is stored.
    """

    def __init__(self, folder: str | Path | None):
        self.folder = None if folder is None else Path(folder)
        self.hits = 0
        self.fits = 0
        self.structural_hits = 0
        self.structural_fits = 0
        self.count_model_hits = 0
        self.count_model_fits = 0

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / "its-fits" / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> Any | None:
        fit = None if self.folder is None else _load(self._path(key))
        if fit is not None:
            self.hits += 1
        return fit

    def put(self, key: str, fit: Any) -> None:
        if self.folder is None:
            return
        import copy

        compact = fit
        if getattr(fit, "corr_pp", np.zeros(0)).size:  # rebuilt from the grid when needed
            compact = copy.copy(fit)
            compact.corr_pp = np.zeros((0, 0, 0))
        _atomic_write(self._path(key), pickle.dumps(compact, protocol=pickle.HIGHEST_PROTOCOL))


#: What a :class:`FitStore` counts, under the names of the screen's statistics (statistic →
#: the store's attribute): fitted and read back, per kind of stored fit.
FIT_COUNTS = {"its_fits": "fits", "its_fit_reused": "hits",
              "structural_fits": "structural_fits", "structural_fit_reused": "structural_hits",
              "count_model_fits": "count_model_fits", "count_model_reused": "count_model_hits"}


def fit_counts(store: FitStore | None) -> dict[str, int]:
    """The store's counts as the screen's statistics (:data:`FIT_COUNTS`; zeros without one)."""
    return {name: getattr(store, attr) if store is not None else 0
            for name, attr in FIT_COUNTS.items()}


class _StoredParts:
    """Pre-period fits in a :class:`FitStore`'s folder (``FOLDER``), keyed by the exact inputs
    of the fit (``parts``, by :func:`_parts_key`); passed to a design as its ``prefit``. The
    store counts what was read back and what was fitted (its attributes ``HITS`` and
    ``FITS``)."""

    FOLDER = ""
    HITS = ""
    FITS = ""

    def __init__(self, store: FitStore):
        self.store = store

    def _path(self, parts: tuple) -> Path | None:
        if self.store.folder is None:
            return None
        key = _parts_key(parts)
        return self.store.folder / self.FOLDER / key[:2] / f"{key}.pkl"

    def _encode(self, value: Any) -> Any:
        return value

    def _decode(self, found: Any) -> Any:
        return found

    def get(self, parts: tuple) -> Any | None:
        path = self._path(parts)
        found = None if path is None else _load(path)
        if found is None:
            return None
        setattr(self.store, self.HITS, getattr(self.store, self.HITS) + 1)
        return self._decode(found)

    def put(self, parts: tuple, value: Any) -> None:
        setattr(self.store, self.FITS, getattr(self.store, self.FITS) + 1)
        path = self._path(parts)
        if path is not None:
            _atomic_write(path, pickle.dumps(self._encode(value),
                                             protocol=pickle.HIGHEST_PROTOCOL))


class StructuralPrefits(_StoredParts):
    """The structural model's pre-period fits (see
    :func:`evaluation.designs.structural._engine`). The draws' simulation starts are stored as
    one array per part (:func:`_stack_starts`)."""

    FOLDER, HITS, FITS = "structural-fits", "structural_hits", "structural_fits"

    def _encode(self, value: dict[str, Any]) -> dict[str, Any]:
        return _stack_starts(value)

    def _decode(self, found: dict[str, Any]) -> dict[str, Any]:
        return _unstack_starts(found)


class CountModelPrefits(_StoredParts):
    """The ITS's pre-period GLM fits of counts (see :func:`evaluation.designs.its.its`): a
    re-screen after a new month fits the same pre-period again for every kommun (a third of a
    count ITS's time)."""

    FOLDER, HITS, FITS = "its-count-models", "count_model_hits", "count_model_fits"


#: The parts of a draw's simulation start: the start, its covariance's root, and the draw's
#: transition, R·Q^½ and noise sd (``structural._start_roots``).
_START_PARTS = ("start", "root", "transition", "selection", "noise_sd")


def _stack_starts(value: dict[str, Any]) -> dict[str, Any]:
    """A pre-period fit with its draws' starts in one array per part (a pickle of a few
    arrays loads in a tenth of the time of one with five small arrays per draw); starts of
    another shape are kept as they are."""
    starts = value.get("starts")
    if not starts:
        return value
    if not all(len(v) == 3 and isinstance(v[2], tuple) and len(v[2]) == 3
               for v in starts.values()):
        return value
    rows = [(j, a, root, *dynamics) for j, (a, root, dynamics) in starts.items()]
    stacked = {"draws": np.array([r[0] for r in rows], dtype=np.int64)}
    for i, name in enumerate(_START_PARTS, start=1):
        stacked[name] = np.stack([np.asarray(r[i], dtype=float) for r in rows])
    return {**value, "starts": stacked}


def _unstack_starts(found: dict[str, Any]) -> dict[str, Any]:
    """The starts as ``structural._start_roots`` made them (rows of the stacked arrays; the
    noise sd as a float)."""
    starts = found.get("starts")
    if not isinstance(starts, dict) or "draws" not in starts:
        return found
    a, root, t, rq, sd = (starts[name] for name in _START_PARTS)
    return {**found, "starts": {int(j): (a[i], root[i], (t[i], rq[i], float(sd[i])))
                                for i, j in enumerate(starts["draws"].tolist())}}


class StoredErrorModel:
    """An ITS error model whose fits come from a :class:`FitStore` when the same pre-period
    was fitted before (the same residuals, times, design and weights), else from ``inner``.

    Passed as :func:`evaluation.designs.its.its`'s ``error_model``; ``inner`` is the default
    model the ITS would use itself, so the result equals the ITS without it.
    """

    def __init__(self, inner: Any, store: FitStore):
        self.inner = inner
        self.store = store
        self.name = inner.name

    def fit(self, resid: np.ndarray, *, times: np.ndarray, design: np.ndarray,
            weights: np.ndarray) -> Any:
        key = _fit_key(self.inner, resid, times, design, weights)
        found = self.store.get(key)
        if found is not None:
            return found
        fit = self.inner.fit(resid, times=times, design=design, weights=weights)
        self.store.fits += 1
        self.store.put(key, fit)
        return fit
