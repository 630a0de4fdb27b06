"""The panel a screen runs on: read once, checked once, shipped to every worker once.

:func:`load_screen_data` reads the demo or a panel file as an ordinary evaluation does
(:func:`evaluation.inputs.load_inputs`), keeps what the screened designs read — the kommuner and
riket (``00``), the outcomes and their weights (population, labour force) — and applies the
data checks of :func:`evaluation.inputs.check_inputs` once for all kommuner: a kommun whose
outcome series has a suppressed or missing value between the outcome's first period and the end
of the post window is not screened and leaves every comparison (as a comparison kommun with such
values leaves an ordinary evaluation), and is listed with the reason.

Each design call then gets only the rows it reads (:class:`Prepared`): the ITS and the
structural model the kommun and riket (the comparison is riket's published row with the kommun
subtracted, :func:`evaluation.designs.comparison.comparison_series`), the decomposition also
its similar kommuner. The numbers are the ones the whole panel gives — the drill-down test
asserts it — and the calls are several times faster than on the whole panel. Without a riket row
(a file of kommuner only) the comparison is computed from all kommuner and every call gets the
whole (slim) panel.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.panel import (
    MIN_PRE_PERIODS,
    NATIONAL_CODE,
    Measure,
    declare_measures,
    periods_between,
    read_panel,
    unit_names,
    unit_type_of,
)
from evaluation.errors import DataError
from evaluation.screen.settings import Resolved, ScreenSettings

#: Weights and sizes the designs read besides the outcomes.
WEIGHT_MEASURES = ("population", "labour_force")
#: Columns the designs read.
COLUMNS = ("unit", "unit_name", "period", "measure", "value", "unit_type", "population")


@dataclass
class ScreenData:
    """The checked, slimmed panel of one screen and what describes it.

    Attributes
    ----------
    panel
        Kommuner (screened ones only) and riket; the outcomes and their weights; the columns
        the designs read.
    kommuner
        Screened kommuner, sorted by code (a subset when asked for: the comparisons, e.g. the
        decomposition's similar kommuner, still come from every kommun in the panel).
    skipped
        Kommun code → ``(sv, en)`` reason it is not screened.
    measures
        What each outcome is (:func:`evaluation.inputs.resolve_measures`), declared in every
        worker before a design runs.
    data
        ``"demo"`` or the file's path, as a spec's ``data`` would name it.
    vintage
        Last period + 8 hex of the data file's sha256 (as an ordinary evaluation's).
    settings
        The resolved settings the panel was checked for.
    """

    panel: pd.DataFrame
    kommuner: list[str]
    names: dict[str, str]
    skipped: dict[str, tuple[str, str]]
    measures: dict[str, Measure]
    data: str
    data_path: str
    vintage: str
    first_period: str
    last_period: str
    simulated: bool
    settings: Resolved
    source: str = ""
    has_national: bool = True
    token: str = ""

    def __post_init__(self) -> None:
        if not self.token:  # the panel's identity (the settings may change between passes)
            h = hashlib.sha256(self.vintage.encode())
            h.update(f"{self.settings.post_end}|{self.settings.outcomes}".encode())
            h.update(",".join(self.kommuner).encode())
            h.update(str(self.panel.shape).encode())
            self.token = h.hexdigest()[:16]

    def with_exclude(self, exclude: list[str] | tuple[str, ...]) -> "ScreenData":
        """The same data with ``exclude`` left out of every comparison."""
        import dataclasses

        settings = dataclasses.replace(self.settings, exclude=tuple(sorted(exclude)))
        return dataclasses.replace(self, settings=settings, token=self.token)


def _load_panel(data: str, frequency: str) -> tuple[pd.DataFrame, Path, bool]:
    if data == "demo":
        from evaluation.data import demo

        panel, _ = demo.load_demo(frequency=frequency)
        return panel, demo.processed_panel_path(frequency), True
    path = Path(data).expanduser()
    return read_panel(path), path.resolve(), False


def load_screen_data(data: str, settings: ScreenSettings, *,
                     kommuner: list[str] | None = None) -> ScreenData:
    """Read and check the panel for ``settings``; ``kommuner`` restricts the screen to these
    codes (the comparisons still use every kommun, so their rows are the full screen's)."""
    from evaluation.data.store import sha256_file

    panel, path, simulated = _load_panel(str(data), settings.frequency)
    return prepare_screen_data(panel, settings, data=str(data), data_path=path,
                               vintage_hash=sha256_file(path)[:8], simulated=simulated,
                               kommuner=kommuner)


def prepare_screen_data(panel: pd.DataFrame, settings: ScreenSettings, *, data: str = "",
                        data_path: str | Path = "", vintage_hash: str = "",
                        simulated: bool = False,
                        kommuner: list[str] | None = None) -> ScreenData:
    """:func:`load_screen_data` on a panel already in memory (tests, the placebo study)."""
    from evaluation.inputs import resolve_measures
    from evaluation.spec import validate_values

    first = str(panel["period"].min())
    last = str(panel["period"].max())
    freq_data = "monthly" if len(first) == 7 else "yearly"
    if freq_data != settings.frequency:
        raise DataError(
            f"Datumet {settings.intervention} passar inte data med "
            f"{'månads' if freq_data == 'monthly' else 'års'}perioder ({first}–{last}).",
            f"The date {settings.intervention} does not match the data's {freq_data} periods "
            f"({first}–{last}).")
    present = set(panel["measure"].unique())
    missing = [o for o in settings.outcomes if o not in present]
    if missing:
        raise DataError(
            f"Utfallen {', '.join(missing)} finns inte i data: välj bland "
            f"{', '.join(sorted(present))}.",
            f"The outcomes {', '.join(missing)} are not in the data: choose among "
            f"{', '.join(sorted(present))}.")
    resolved = settings.resolve(last)
    if not first < settings.intervention <= last:
        raise DataError(
            f"Datumet {settings.intervention} ligger utanför data ({first}–{last}).",
            f"The date {settings.intervention} lies outside the data ({first}–{last}).")
    if resolved.post_end > last:
        raise DataError(
            f"Slutet på efterperioden ({resolved.post_end}) ligger efter sista perioden i data "
            f"({last}).",
            f"The end of the post window ({resolved.post_end}) is after the last period in the "
            f"data ({last}).")
    minimum = MIN_PRE_PERIODS[settings.frequency]
    if periods_between(first, settings.intervention) < minimum:
        raise DataError(
            f"Datumet {settings.intervention} ger för kort förperiod (data börjar {first}); "
            f"minst {minimum} perioder behövs.",
            f"The date {settings.intervention} leaves too short a pre-period (data start "
            f"{first}); at least {minimum} periods are needed.")

    types = (panel["unit_type"].astype(str) if "unit_type" in panel.columns
             else panel["unit"].map(unit_type_of))
    is_kommun = types == "kommun"
    keep_units = is_kommun | (panel["unit"] == NATIONAL_CODE)
    measures_kept = [*settings.outcomes, *(m for m in WEIGHT_MEASURES if m in present
                                           and m not in settings.outcomes)]
    slim = panel.loc[keep_units & panel["measure"].isin(measures_kept)]
    names = unit_names(slim)
    codes = sorted(slim.loc[slim["unit"] != NATIONAL_CODE, "unit"].unique())
    dropped = _incomplete(slim, settings.outcomes, resolved.post_end, codes, names,
                          settings.intervention, minimum)
    skipped = dict(dropped)
    screened = [c for c in codes if c not in skipped]
    if kommuner is not None:  # screen these; every comparison still uses all kommuner
        wanted = [str(k) for k in kommuner]
        unknown = sorted(set(wanted) - set(codes))
        if unknown:
            raise DataError(f"Kommunerna {', '.join(unknown)} finns inte i data.",
                            f"The municipalities {', '.join(unknown)} are not in the data.")
        skipped = {k: v for k, v in skipped.items() if k in wanted}
        screened = [c for c in screened if c in set(wanted)]
    if not screened:
        raise DataError("Ingen kommun i data har kompletta serier för utfallen.",
                        "No municipality in the data has complete series for the outcomes.")
    slim = slim.loc[~slim["unit"].isin(list(dropped))]
    cols = [c for c in COLUMNS if c in slim.columns]
    slim = slim[cols].reset_index(drop=True)
    if "unit_type" not in slim.columns:
        slim["unit_type"] = slim["unit"].map(unit_type_of)
    has_national = bool((slim["unit"] == NATIONAL_CODE).any())
    # what each outcome is, decided once as for an ordinary evaluation of the same values
    pseudo = validate_values({"evaluation_id": "screen", "data": data or "demo",
                              "treated": screened[0], "intervention": settings.intervention,
                              "outcomes": list(settings.outcomes)})
    measures = resolve_measures(pseudo, panel)
    declare_measures(measures)
    sources = sorted({str(s) for s in panel.get("source", pd.Series(dtype=str)).unique() if s})
    return ScreenData(
        panel=slim, kommuner=screened, names=names, skipped=skipped, measures=measures,
        data=str(data or ""), data_path=str(data_path), vintage=f"{last}-{vintage_hash}",
        first_period=first, last_period=last, simulated=simulated, settings=resolved,
        source=", ".join(sources), has_national=has_national)


def _incomplete(slim: pd.DataFrame, outcomes: tuple[str, ...], post_end: str,
                codes: list[str], names: dict[str, str], intervention: str,
                minimum: int) -> dict[str, tuple[str, str]]:
    """Kommuner that an ordinary evaluation could not evaluate, or would drop as comparison
    units: a suppressed or missing value of an outcome between the outcome's first period
    (riket's, else the earliest kommun's) and ``post_end``, or too short a series."""
    out: dict[str, tuple[str, str]] = {}
    window = slim[slim["period"] <= post_end]
    for outcome in outcomes:
        rows = window[window["measure"] == outcome]
        national = rows[rows["unit"] == NATIONAL_CODE]
        start = str((national if len(national) else rows)["period"].min())
        if periods_between(start, intervention) < minimum:
            continue  # reported for the whole screen by the pre-period check
        rows = rows[rows["period"] >= start]
        n_needed = periods_between(start, post_end) + 1
        bad = rows["value"].isna()
        if "status" in rows.columns:
            bad |= rows["status"].astype(str) == "suppressed"
        counts = rows.loc[~bad].groupby("unit")["period"].nunique()
        for code in codes:
            if code in out:
                continue
            if int(counts.get(code, 0)) < n_needed:
                out[code] = (
                    f"{names.get(code, code)} saknar eller har skyddade värden för {outcome} "
                    f"mellan {start} och {post_end}",
                    f"{names.get(code, code)} has missing or suppressed values of {outcome} "
                    f"between {start} and {post_end}")
    return out


# =========================================================================== per-call panels
#: The kommun panels a worker keeps at least (one per kommun and set of exclusions; about
#: 0.1 MB each with their tables).
SMALL_KEPT = 4

@dataclass
class Prepared:
    """A worker's view of one :class:`ScreenData`: the rows each call reads (built once per
    worker and data, :func:`prepared`).

    The decomposition reads the whole slim panel — always the same object, so the library's
    wide tables of it (:mod:`evaluation.data.memo`) are built once per worker and outcome — and
    chooses its similar kommuner there as in an ordinary evaluation. The ITS and the
    structural model of a kommun read a panel of the kommun and riket only (the comparison is
    riket's row with the kommun subtracted), one object per kommun shared by both designs and
    both outcomes — kept for every kommun of the screen (:data:`SMALL_KEPT`), since the first
    pass runs the primary design for every kommun before the others
    (:func:`evaluation.screen.core._flags_first`), and the kommun's tables are then not built
    again. Those tables are not built from the kommun's panel either: its pools are cut from
    the whole panel's, and each unit's series taken from the unit's own rows, built once per
    worker (:meth:`_prime`).
    """

    data: ScreenData
    by_unit: dict[str, pd.DataFrame]
    small: dict[tuple[str, tuple[str, ...]], pd.DataFrame] = field(default_factory=dict)
    #: The whole panel's layout and pools (:meth:`pool`), and each unit's names and series
    #: (:meth:`_prime`), kept: no memory lookups, whose fingerprint of the whole panel costs
    #: more than the lookup saves.
    layout: Any = None
    pools: dict[str, Any] = field(default_factory=dict)
    unit_tables: dict[str, tuple] = field(default_factory=dict)
    marked: dict[tuple[str, ...], pd.DataFrame] = field(default_factory=dict)

    def national_panel(self, kommun: str, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
        """What the ITS and the structural model of ``kommun`` read: the kommun, riket and
        the kommuner ``exclude`` leaves out of the comparison (subtracted from riket's row,
        :func:`evaluation.designs.comparison.exclude_from_comparison`)."""
        from evaluation.designs.comparison import exclude_from_comparison

        if not self.data.has_national:
            return self.decomposition_panel(exclude)
        key = (kommun, tuple(exclude))
        found = self.small.get(key)
        if found is None:
            if len(self.small) >= max(SMALL_KEPT, len(self.data.kommuner)):
                self.small.pop(next(iter(self.small)))
            units = [kommun, NATIONAL_CODE, *(u for u in exclude if u in self.by_unit)]
            found = pd.concat([self.by_unit[u] for u in units], ignore_index=True)
            if exclude:
                found = exclude_from_comparison(found, list(exclude))
            self._prime(found, units)
            self.small[key] = found
        return found

    def _prime(self, small: pd.DataFrame, units: list[str]) -> None:
        """Hand the library's per-panel memory (:mod:`evaluation.data.memo`) the tables of a
        kommun's panel, taken from what this worker built once: each outcome's pool cut from
        the whole panel's (:func:`~evaluation.designs.comparison.pool_of_units`, when the cut
        equals building it), and each unit's outcome and population series and name from its
        own rows (a unit's series are built from its rows alone). Riket's series were
        otherwise built again for every kommun, and every kommun's once per pass."""
        from evaluation.data import memo
        from evaluation.designs.comparison import (
            _layout,
            _outcome_series,
            _pool,
            pool_of_units,
            population_series,
        )

        outcomes = self.data.settings.outcomes
        if self.layout is None:
            self.layout = _layout(self.data.panel)
        known: list[tuple[Any, tuple, Any]] = []
        for outcome in outcomes:
            try:
                whole = self.pool(outcome)
            except DataError:
                continue  # the design says so itself
            cut = pool_of_units(self.data.panel, outcome, units, layout=self.layout,
                                whole=whole)
            if cut is not None:
                known.append((_pool, (outcome,), cut))
        names: dict[str, str] = {}
        for unit in units:
            if unit not in self.unit_tables:  # each unit's own tables, once per worker
                rows = self.by_unit[unit]
                series = {}
                for outcome in outcomes:
                    try:
                        series[outcome] = _outcome_series.uncached(rows, unit, outcome)
                    except DataError:
                        pass  # the design says so itself
                self.unit_tables[unit] = (memo.unit_names.uncached(rows), series,
                                          population_series.uncached(rows, unit))
            unit_names, series, population = self.unit_tables[unit]
            names.update(unit_names)  # each unit's first row, in order
            known += [(_outcome_series, (unit, o), s) for o, s in series.items()]
            known.append((population_series, (unit,), population))
        known.append((memo.unit_names, (), names))
        memo.remember(small, known)

    def decomposition_panel(self, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
        """What the decomposition reads: the whole slim panel (marked with ``exclude``; one
        object per set, so that the library's wide tables of it are built once)."""
        from evaluation.designs.comparison import exclude_from_comparison

        if not exclude:
            return self.data.panel
        key = tuple(exclude)
        if key not in self.marked:
            if len(self.marked) >= 8:
                self.marked.pop(next(iter(self.marked)))
            self.marked[key] = exclude_from_comparison(self.data.panel, list(exclude))
        return self.marked[key]

    def pool(self, outcome: str) -> Any:
        """The library's pool of ``outcome`` over the whole slim panel, kept (the kommun
        panels' pools are cut from it, :meth:`_prime`; the decomposition's similar kommuner
        are chosen in it). Raises :class:`~evaluation.errors.DataError` as the library does."""
        from evaluation.designs.comparison import _pool

        if outcome not in self.pools:
            self.pools[outcome] = _pool(self.data.panel, outcome)
        return self.pools[outcome]


_PREPARED: dict[str, Prepared] = {}


def prepared(data: ScreenData) -> Prepared:
    """The :class:`Prepared` view of ``data`` in this process (one per data token)."""
    found = _PREPARED.get(data.token)
    if found is None:
        _PREPARED.clear()  # one screen's data at a time per worker
        by_unit = {str(u): g.reset_index(drop=True) for u, g in data.panel.groupby("unit")}
        found = _PREPARED[data.token] = Prepared(data=data, by_unit=by_unit)
    return found


# =========================================================================== similar kommuner
def decomposition_windows(settings: Resolved) -> tuple[list[str], list[str]]:
    """The decomposition's two averaging windows (as :func:`~evaluation.designs.
    decomposition.decomposition` builds them)."""
    from evaluation.data.panel import shift_period

    t0, t1 = settings.compare_periods
    w = settings.compare_window
    return ([shift_period(t0, -k) for k in range(w - 1, -1, -1)],
            [shift_period(t1, -k) for k in range(w - 1, -1, -1)])


def similar_sets(data: ScreenData, outcome: str, n: int | None = None,
                 pool: Any = None) -> dict[str, list[str]]:
    """The decomposition's similar kommuner of every screened kommun, at once.

    The same choice as :func:`evaluation.designs.comparison._similar` (closest in mean log
    population over the panel's periods — the same means, read from the same table — ties by
    code, complete over both windows), for the riket comparison without the settings' excluded
    kommuner — vectorised over the kommuner (the library's per-kommun call costs about 9 ms).
    Every decomposition a worker computes re-checks its kommun's set against the library's own
    choice (:func:`evaluation.screen.tasks.run_designs`); a test checks every kommun.
    """
    from evaluation.designs.comparison import _log_mean_size, _pool
    from evaluation.designs.decomposition import N_SIMILAR

    n = N_SIMILAR if n is None else int(n)
    pool = _pool(data.panel, outcome) if pool is None else pool
    w0, w1 = decomposition_windows(data.settings)
    periods = [*w0, *w1]
    kommuner = [u for u in pool.values.columns if pool.types.get(u) == "kommun"]
    if any(p not in pool.values.index for p in periods):
        return {k: [] for k in data.kommuner}
    out: dict[str, list[str]] = {}
    complete = pool.values.loc[periods, kommuner].notna().all(axis=0)
    for size in (pool.population, pool.labour_force):
        if size is None:
            continue
        # every unit's mean log size as the library's choice reads it (one table per pool)
        log_sizes = _log_mean_size(pool, size)
        cands = [u for u in kommuner if complete[u] and u in size.columns]
        values = log_sizes[cands].to_numpy(dtype=float)
        codes = np.array(cands, dtype=object)
        names = codes.astype(str)
        sized = size.notna().any(axis=0)
        for k in data.kommuner:
            if k in out or k not in size.columns or not sized[k]:
                continue
            dist = np.abs(values - float(log_sizes[k]))
            ok = (codes != k) & ~np.isnan(dist)
            excluded = data.settings.exclude_for(k)
            if excluded:
                ok &= ~np.isin(names, list(excluded))
            order = np.lexsort((names[ok], dist[ok]))
            out[k] = [str(c) for c in codes[ok][order][:n]]
    return out


# =========================================================================== input hashes
def unit_hashes(data: ScreenData, cutoffs: list[str]) -> dict[str, dict[str, str]]:
    """Per cutoff period, a hash per unit of every value a design call can read up to it: its
    outcome, population and labour-force rows (value and population column) and its name.

    A unit whose population or labour force has a gap up to a cutoff is hashed over all
    periods for that cutoff: the library fills such gaps from later periods too.
    """
    panel = data.panel
    out: dict[str, dict[str, str]] = {c: {} for c in cutoffs}
    sub = panel.sort_values(["unit", "measure", "period"], kind="stable")
    units = sub["unit"].to_numpy(dtype=object)
    bounds = np.flatnonzero(np.r_[True, units[1:] != units[:-1], True])
    periods = sub["period"].to_numpy(dtype=object).astype(str)
    measures = sub["measure"].to_numpy(dtype=object).astype(str)
    values = sub["value"].to_numpy(dtype=float)
    pops = (sub["population"].to_numpy(dtype=float) if "population" in sub.columns
            else np.full(len(sub), np.nan))
    names = data.names
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        unit = str(units[a])
        p, m, v, q = periods[a:b], measures[a:b], values[a:b], pops[a:b]
        labels = np.char.add(np.char.add(m, ":"), p)
        weights = np.isin(m, WEIGHT_MEASURES)
        for cutoff in cutoffs:
            gap = bool(np.isnan(v[weights & (p <= cutoff)]).any())
            use = np.ones(len(p), bool) if gap else (p <= cutoff)
            h = hashlib.sha256(f"{unit}|{names.get(unit, '')}|{gap}".encode())
            h.update("\x1f".join(labels[use].tolist()).encode())
            h.update(np.ascontiguousarray(v[use]).tobytes())
            h.update(np.ascontiguousarray(q[use]).tobytes())
            out[cutoff][unit] = h.hexdigest()
    return out
