"""Outcome and comparison series: "what the rest of the country (or county) did".

Every design compares the treated unit with a comparison series that **never contains the
treated unit**, and the series is described as what it is (``description_sv``/``description``):

* a published aggregate row of the comparison set in the data — ``00`` (riket) for
  ``"riket"``, the county code for ``"lan"`` — *is* that comparison: the treated unit (and any
  excluded unit, see below) is subtracted with the weights (labour force or population for rates
  and levels, population for counts; plain subtraction for counts without population); where no
  weights exist the row is used as published and ``diagnostics["includes_treated"]`` says that
  the treated unit is in it;
* without such a row the series is computed from the other units of the treated unit's own kind
  (kommuner for a kommun, län for a län): rates the labour-force-weighted mean
  (population-weighted without labour force, unweighted without either), levels the
  population-weighted (or unweighted) mean, counts Σ counts / Σ population × 1 000 (the plain
  sum without population). The description then says "medel av N kommuner", never "riket".

The comparison set is ``"riket"``, ``"lan"`` (the kommuner of the treated unit's county, first two
code digits) or an explicit list of unit codes. ``exclude`` (or a panel marked by
:func:`exclude_from_comparison`) leaves further units out — neighbours with spill-over, kommuner
with a similar reform: they are never members, and they are subtracted from a published aggregate
where the weights allow; ``diagnostics["excluded_included"]`` names those that stay in it.

What an outcome is (rate, count or level) comes from
:func:`evaluation.data.panel.measure_info`; levels are compared additively, like rates.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from evaluation.data.memo import per_frame, unit_names, wide
from evaluation.data.panel import NATIONAL_CODE, first_of_each_unit, measure_info, unit_type_of
from evaluation.designs.wide import positions
from evaluation.errors import DataError, DesignError

ComparisonSet = Literal["riket", "lan"] | Sequence[str]

#: ``panel.attrs`` key of the units :func:`exclude_from_comparison` marks.
EXCLUDE_ATTR = "comparison_exclude"


def exclude_from_comparison(panel: pd.DataFrame, units: Sequence[str]) -> pd.DataFrame:
    """``panel`` (a shallow copy) marked so that every comparison series built from it leaves
    ``units`` out, as :func:`comparison_series`'s ``exclude`` does.

    For designs that take only a panel (the ITS): the units' rows stay, so they can still be
    subtracted from a published aggregate. The mark travels with the panel's ``attrs``.
    """
    out = panel.copy(deep=False)
    out.attrs = {**panel.attrs, EXCLUDE_ATTR: sorted({str(u) for u in units})}
    return out


def excluded_units(panel: pd.DataFrame, exclude: Sequence[str] | None = None) -> list[str]:
    """``exclude`` if given, else the units :func:`exclude_from_comparison` marked."""
    if exclude is None:
        exclude = panel.attrs.get(EXCLUDE_ATTR, ())
    return [str(u) for u in exclude]


@dataclass
class ComparisonSeries:
    """The comparison series of one outcome for one treated unit.

    Attributes
    ----------
    series
        Comparison values indexed by period: % for rates, the outcome's unit for levels, per
        1 000 inhabitants for counts (plain count when ``scale == "count"``).
    description, description_sv
        One sentence saying what the series is (English / Swedish), with the number of units
        and the weighting, e.g. "Befolkningsviktat medel av 59 kommuner i data (alla utom
        Arboga)." or "Riket (raden 00 i data) utan Arboga, borträknad med folkmängden som vikt."
    scale
        ``"rate"`` (same unit as the outcome, rates and levels), ``"per_1000"`` or ``"count"``.
    diagnostics
        ``source`` (kommuner / aggregate / aggregate_minus_treated), ``aggregate`` (the row
        used, or None), ``national`` (the series is riket's published row), ``units`` (codes
        used), ``n_units``, ``unit_type`` (kommun / lan), ``weights`` (labour_force /
        population / none), ``includes_treated``, ``subtracted`` (units taken out of the
        aggregate), ``excluded`` (units asked to be left out) and ``excluded_included`` (those
        a published aggregate still contains).
    """

    series: pd.Series
    description: str
    description_sv: str
    scale: str
    diagnostics: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- basic series
@per_frame
def _unit_rows(panel: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The panel's rows of one unit (remembered per panel: re-fits ask for them again)."""
    return panel[panel["unit"] == unit]


def outcome_series(panel: pd.DataFrame, *, unit: str, measure: str) -> pd.Series:
    """Values of one measure for one unit, indexed by period (sorted), NaN where missing
    (remembered per panel: a design's re-fits ask for the same series again).

    Raises
    ------
    DataError
        When the unit has no rows for the measure.
    """
    return _outcome_series(panel, unit, measure)


@per_frame
def _outcome_series(panel: pd.DataFrame, unit: str, measure: str) -> pd.Series:
    rows = _unit_rows(panel, unit)
    at = rows["measure"].to_numpy(dtype=object) == measure
    if not at.any():
        raise DataError(
            f"Panelen saknar värden för {unit} och måttet {measure}: kontrollera enhetskoden och "
            "måttets namn.",
            f"The panel has no values for {unit} and the measure {measure}: check the unit code "
            "and the measure name.",
        )
    periods = rows["period"].to_numpy(dtype=object)[at]
    values = rows["value"].to_numpy(dtype=float)[at]
    if _distinct_text(periods):  # by array sort: a third of the time
        order = np.argsort(periods)
        s = pd.Series(values[order], index=periods[order])
    else:  # a period twice (sort_index's own order of the ties), or not text
        s = pd.Series(values, index=rows.loc[at, "period"].astype(str).to_numpy()).sort_index()
    s.index.name = "period"
    s.name = measure
    return s


def _distinct_text(periods: np.ndarray) -> bool:
    """Whether every period is a string and none occurs twice."""
    listed = periods.tolist()
    return all(type(p) is str for p in listed) and len(set(listed)) == len(listed)


def treated_window(y_raw: pd.Series, *, treated: str, outcome: str, intervention: str,
                   post_end: str | None) -> tuple[pd.Series, str, str, str, str]:
    """Check the evaluated unit's series against the intervention and the post window (the
    same sentences for every time-series design).

    Returns ``(values without gaps, frequency, first period, last period, post_end)``; raises
    :class:`~evaluation.errors.DesignError` for no values, a date in the wrong format or
    outside the data, or a post window end outside ``[intervention, last]``.
    """
    from evaluation.data.panel import period_frequency

    y_all = y_raw.dropna()
    if y_all.empty:
        raise DesignError(
            f"{treated} saknar värden för {outcome}: välj en annan enhet eller ett annat mått.",
            f"{treated} has no values for {outcome}: choose another unit or measure.",
        )
    freq = period_frequency(str(y_all.index[0]))
    try:
        int_freq = period_frequency(str(intervention))
    except Exception as exc:  # DataError with a format message
        raise DesignError(
            f"Startdatum för insatsen '{intervention}' har fel format: skriv ÅÅÅÅ-MM (månadsdata) "
            "eller ÅÅÅÅ (årsdata).",
            f"The intervention date '{intervention}' has the wrong format: write YYYY-MM "
            "(monthly data) or YYYY (yearly data).",
        ) from exc
    if int_freq != freq:
        fmt_sv, fmt_en = ("ÅÅÅÅ-MM", "YYYY-MM") if freq == "monthly" else ("ÅÅÅÅ", "YYYY")
        raise DesignError(
            f"Startdatum för insatsen '{intervention}' passar inte data med "
            f"{'månads' if freq == 'monthly' else 'års'}perioder: skriv det som {fmt_sv}.",
            f"The intervention date '{intervention}' does not match {freq} data: write it as "
            f"{fmt_en}.",
        )
    first, last = str(y_all.index[0]), str(y_all.index[-1])
    if not (first < intervention <= last):
        raise DesignError(
            f"Startdatum för insatsen ({intervention}) ligger utanför data för {treated} "
            f"({first}–{last}): välj ett startdatum efter första perioden och senast {last}.",
            f"The intervention date ({intervention}) lies outside the data for {treated} "
            f"({first}–{last}): choose a date after the first period and no later than {last}.",
        )
    if post_end is None:
        post_end = last
    elif not (intervention <= post_end <= last):
        raise DesignError(
            f"Slutet på efterperioden ({post_end}) måste ligga mellan startdatum {intervention} "
            f"och sista perioden med data ({last}).",
            f"The end of the post-period ({post_end}) must lie between the intervention "
            f"{intervention} and the last period with data ({last}).",
        )
    return y_all, freq, first, last, post_end


@per_frame
def population_series(panel: pd.DataFrame, unit: str) -> pd.Series | None:
    """Population of a unit by period: the ``population`` measure, else the column; else None
    (remembered per panel)."""
    rows = _unit_rows(panel, unit)
    periods = rows["period"].to_numpy(dtype=object)
    at = rows["measure"].to_numpy(dtype=object) == "population"
    measured = rows["value"].to_numpy(dtype=float)[at]
    column = (rows["population"].to_numpy(dtype=float) if "population" in rows.columns
              else np.full(len(rows), np.nan))
    has_measure = bool((~np.isnan(measured)).any())
    has_column = bool((~np.isnan(column)).any())
    if not has_measure and not has_column:
        return None
    if not (_distinct_text(periods[at]) and all(type(p) is str for p in periods.tolist())):
        return _population_series_pandas(rows)  # a period twice, or not text: pandas' rules
    # the column: each period's first value (as groupby("period").first() after dropna)
    col_periods, first = np.unique(periods[~np.isnan(column)], return_index=True)
    col_values = column[~np.isnan(column)][first]
    if not has_measure:
        index, values = col_periods, col_values
    else:  # the measure, its gaps (and periods) filled from the column (combine_first)
        index = np.union1d(periods[at], col_periods) if has_column else np.sort(periods[at])
        values = np.full(len(index), np.nan)
        values[np.searchsorted(index, col_periods)] = col_values
        mine = np.searchsorted(index, periods[at])
        values[mine] = np.where(np.isnan(measured), values[mine], measured)
    out = pd.Series(values, index=np.asarray(index, dtype=object))
    out.index.name = "period"
    out.name = "population"
    return out


def _population_series_pandas(rows: pd.DataFrame) -> pd.Series | None:
    """:func:`population_series` by pandas (a period twice among the population rows)."""
    out: pd.Series | None = None
    pop_rows = rows[rows["measure"] == "population"]
    if not pop_rows.empty and pop_rows["value"].notna().any():
        out = pd.Series(pop_rows["value"].to_numpy(dtype=float),
                        index=pop_rows["period"].astype(str).to_numpy())
    if "population" in rows.columns and rows["population"].notna().any():
        col = rows.dropna(subset=["population"]).groupby("period")["population"].first()
        col.index = col.index.astype(str)
        out = col.astype(float) if out is None else out.combine_first(col.astype(float))
    if out is None or out.dropna().empty:
        return None
    out = out.sort_index()
    out.index.name = "period"
    out.name = "population"
    return out


# --------------------------------------------------------------------------- wide pool
@per_frame
def _population_wide(panel: pd.DataFrame) -> pd.DataFrame | None:
    """Periods × units population: the ``population`` measure, gaps filled from the column
    (remembered per panel: the pools of every outcome of a panel share it)."""
    out: pd.DataFrame | None = None
    if (panel["measure"] == "population").any():
        out = wide(panel, "population")
    if "population" in panel.columns and panel["population"].notna().any():
        lacking = set(panel["unit"].unique()) if out is None else (
            set(panel["unit"].unique()) - set(out.columns[out.notna().any()]))
        if lacking:
            rows = panel.loc[panel["unit"].isin(lacking) & panel["population"].notna(),
                             ["unit", "period", "population"]].drop_duplicates(["unit", "period"])
            col = rows.pivot(index="period", columns="unit", values="population")
            out = col if out is None else _fill_from(out, col)
    if out is None or out.notna().sum().sum() == 0:
        return None
    return out.sort_index()


def _fill_from(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """``a`` with its NaN (and missing rows/columns) taken from ``b`` (fast combine_first)."""
    index = a.index.union(b.index)
    columns = a.columns.union(b.columns)
    av = a.reindex(index=index, columns=columns).to_numpy(dtype=float)
    bv = b.reindex(index=index, columns=columns).to_numpy(dtype=float)
    return pd.DataFrame(np.where(np.isnan(av), bv, av), index=index, columns=columns)


def _fill_within_unit(frame: pd.DataFrame) -> pd.DataFrame:
    """Carry slowly-moving weights (population, labour force) to the periods they lack."""
    return frame.sort_index().ffill().bfill()


@dataclass
class _Pool:
    """Wide tables (periods × units) of one outcome and its weights."""

    kind: str
    outcome: str
    values: pd.DataFrame
    weights: pd.DataFrame | None
    weight_name: str
    population: pd.DataFrame | None
    types: dict[str, str]
    labour_force: pd.DataFrame | None = None
    names: dict[str, str] = field(default_factory=dict)
    #: The columns of each unit type (listed once: the decomposition asks once per similar unit).
    _kinds: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)
    #: The tables as arrays, each with the table it was made from (:meth:`array`).
    _arrays: dict[str, tuple[Any, np.ndarray]] = field(default_factory=dict, repr=False,
                                                       compare=False)

    @property
    def kommuner(self) -> list[str]:
        return self._of_kind("kommun")

    def peers(self, unit: str) -> list[str]:
        """Units of ``unit``'s own kind (kommuner for a kommun, län for a län), itself too."""
        return self._of_kind(self.types.get(unit) or unit_type_of(unit))

    def _of_kind(self, kind: str) -> list[str]:
        """The columns of one unit type, in column order."""
        if kind not in self._kinds:
            self._kinds[kind] = [u for u in self.values.columns if self.types.get(u) == kind]
        return list(self._kinds[kind])

    def array(self, name: str) -> np.ndarray | None:
        """The table ``name`` (``values``, ``weights``, ``population``, ``labour_force``) as a
        float array, made once per table (:func:`pool_of_units` cuts it once per kommun, the
        decomposition reads its windows from it). Not a copy: callers must not change it."""
        table = getattr(self, name)
        if table is None:
            return None
        return self._kept(name, table, lambda t: t.to_numpy(dtype=float))

    def weight_array(self) -> np.ndarray:
        """:meth:`weight_of` every column of ``values``, as an array (ones without weights)."""
        if self.weights is None:
            return np.ones(self.values.shape)
        return self._kept("weights_aligned", self.weights, lambda t: t.reindex(
            index=self.values.index, columns=self.values.columns).to_numpy(dtype=float))

    def _kept(self, key: str, table: Any, make: Callable[[Any], np.ndarray]) -> np.ndarray:
        """``make(table)``, kept under ``key`` while ``table`` is the same object."""
        found = self._arrays.get(key)
        if found is None or found[0] is not table:
            found = self._arrays[key] = (table, make(table))
        return found[1]

    def weight_of(self, units: Sequence[str]) -> pd.DataFrame:
        """Weights aligned with ``values`` for ``units``; 1 where the panel has no weights."""
        idx = self.values.index
        if self.weights is None:
            return pd.DataFrame(1.0, index=idx, columns=list(units))
        return self.weights.reindex(index=idx, columns=list(units))

    def combine(self, units: Sequence[str]) -> tuple[pd.Series, pd.Series]:
        """Numerator and denominator of the comparison value over ``units``, per period."""
        units = list(units)
        y = self.values[units]
        w = self.weight_of(units)
        ok = y.notna() & w.notna()
        if self.kind != "count":  # rates and levels: weighted mean
            num = (y * w).where(ok).sum(axis=1, min_count=1)
            den = w.where(ok).sum(axis=1, min_count=1)
        else:
            num = y.where(ok).sum(axis=1, min_count=1)
            den = w.where(ok).sum(axis=1, min_count=1)
        return num, den

    def ratio(self, num: pd.Series | np.ndarray, den: pd.Series | np.ndarray):
        """Comparison value from numerator and denominator (see :meth:`combine`)."""
        if self.kind == "count":
            return num if self.weights is None else num / den * 1000.0
        return num / den


@per_frame
def _types(panel: pd.DataFrame) -> dict[str, str]:
    """Each unit's type: the ``unit_type`` of its first row as text, derived from the code
    where that is missing (remembered per panel)."""
    t = ({u: str(v) for u, v in first_of_each_unit(panel, "unit_type").items()}
         if "unit_type" in panel.columns else {})
    for u in panel["unit"].unique():
        if u not in t or t[u] in ("", "nan", "None"):
            t[u] = unit_type_of(u)
    return t


@per_frame
def _pool(panel: pd.DataFrame, outcome: str) -> _Pool:
    """The wide tables of ``outcome`` and its weights, remembered per panel object (the
    re-fits of one evaluation share them; see :mod:`evaluation.data.memo`)."""
    if not (panel["measure"] == outcome).any():
        known = ", ".join(sorted(panel["measure"].unique()))
        raise DataError(
            f"Panelen saknar måttet {outcome}: välj ett av {known}.",
            f"The panel lacks the measure {outcome}: choose one of {known}.",
        )
    values = wide(panel, outcome)
    kind = measure_info(outcome).kind
    population = _population_wide(panel)
    if population is not None:
        population = _fill_within_unit(
            population.reindex(index=values.index.union(population.index)))
        population = population.reindex(index=values.index)
    weights: pd.DataFrame | None
    lf = wide(panel, "labour_force") if (panel["measure"] == "labour_force").any() else None
    if kind == "rate":
        if lf is not None:
            weights = _fill_within_unit(lf.reindex(index=values.index.union(lf.index)))
            weights = weights.reindex(index=values.index)
            name = "labour_force"
            if population is not None:  # units without labour force fall back to population
                missing = [u for u in population.columns if u not in weights.columns]
                if missing:
                    name = "labour_force_or_population"
                    weights = pd.concat([weights, population[missing]], axis=1)
        elif population is not None:
            weights, name = population, "population"
        else:
            weights, name = None, "none"
    else:  # levels (e.g. kr per invånare) by population; counts per 1 000 inhabitants
        weights, name = (population, "population") if population is not None else (None, "none")
    return _Pool(kind, outcome, values, weights, name, population, _types(panel),
                 labour_force=lf, names=unit_names(panel))


@dataclass(frozen=True)
class _Layout:
    """Each measure's periods and, per unit, how many rows and distinct periods it has."""

    periods: dict[str, int]  # measure → distinct periods in the panel
    rows: dict[str, dict[str, tuple[int, int]]]  # measure → unit → (rows, distinct periods)
    populated: frozenset[str]  # units with a value of the population measure


@per_frame
def _layout(panel: pd.DataFrame) -> _Layout:
    rows = panel[["measure", "unit", "period"]]
    size = rows.groupby(["measure", "unit"], observed=True)["period"].agg(["size", "nunique"])
    n_periods = rows.groupby("measure", observed=True)["period"].nunique()
    per_unit: dict[str, dict[str, tuple[int, int]]] = {}
    for (measure, unit), n, distinct in size.itertuples(name=None):
        per_unit.setdefault(str(measure), {})[str(unit)] = (int(n), int(distinct))
    pop = panel.loc[(panel["measure"] == "population") & panel["value"].notna(), "unit"]
    return _Layout({str(m): int(n) for m, n in n_periods.items()}, per_unit,
                   frozenset(str(u) for u in pop.unique()))


def pool_of_units(panel: pd.DataFrame, outcome: str, units: Sequence[str], *,
                  layout: _Layout | None = None, whole: _Pool | None = None) -> _Pool | None:
    """The pool of ``outcome`` over ``panel``'s rows of ``units`` alone, cut from the pool of
    the whole ``panel`` instead of built again (the screen's panel of one kommun and riket:
    about 3.5 ms a kommun, twice per pass); None when the cut might differ from building it.

    The cut equals ``_pool`` of those rows when every unit has rows of the outcome, of the
    population measure (with a value) and of the labour force (when the panel has it), no
    unit has a period twice, and for each of these measures one of the units has every
    period the panel has: then every table has the same periods (the panel's), the same
    sorted columns, and each unit's column is built from its own rows alone (filling weights
    within a unit over periods another unit adds changes no value at the periods kept); the
    weights are the labour force of each of the units, so their name is ``"labour_force"``
    even where the whole panel falls back to population for a unit without it. Tests check
    the equality on every demo kommun, and that a set of units lacking a period declines.
    ``layout`` and ``whole`` (``_layout(panel)`` and ``_pool(panel, outcome)``), when the
    caller keeps them.
    """
    layout = _layout(panel) if layout is None else layout
    units = list(dict.fromkeys(str(u) for u in units))
    needed = [outcome, "population"] + (["labour_force"] if "labour_force" in layout.rows
                                        else [])
    for measure in needed:
        counts = [layout.rows.get(measure, {}).get(u) for u in units]
        if any(c is None or c[0] != c[1] for c in counts):
            return None  # a unit without rows of the measure, or with a period twice
        if max(c[1] for c in counts) != layout.periods[measure]:
            return None  # no unit has all the panel's periods: the tables would be shorter
    if not set(units) <= layout.populated:
        return None
    whole = _pool(panel, outcome) if whole is None else whole
    columns = pd.Index(np.asarray(sorted(units), dtype=object), dtype=object, name="unit")

    def cut(field_name: str) -> pd.DataFrame | None:
        # table[columns], built from the table's array (kept with the pool): a quarter of
        # the time
        table = getattr(whole, field_name)
        if table is None:
            return None
        at = positions(table.columns, columns)  # a unit not in the table is a KeyError
        return pd.DataFrame(whole.array(field_name)[:, at], index=table.index,
                            columns=columns.rename(table.columns.name))

    name = "labour_force" if whole.kind == "rate" and whole.labour_force is not None \
        else whole.weight_name
    return _Pool(whole.kind, outcome, cut("values"), cut("weights"), name, cut("population"),
                 {u: whole.types[u] for u in units}, labour_force=cut("labour_force"),
                 names={u: whole.names[u] for u in units})


# --------------------------------------------------------------------------- membership
def _validate_set(comparison: ComparisonSet) -> None:
    if isinstance(comparison, str):
        if comparison not in ("riket", "lan"):
            raise DesignError(
                f"Okänd jämförelsegrupp {comparison!r}: välj 'riket', 'lan' eller en lista med "
                "kommunkoder.",
                f"Unknown comparison {comparison!r}: choose 'riket', 'lan' or a list of unit "
                "codes.",
            )
    elif len(list(comparison)) == 0:
        raise DesignError(
            "Listan med jämförelseenheter är tom: ange minst en kommunkod.",
            "The list of comparison units is empty: give at least one unit code.",
        )


def _outside(units: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """``units`` without the excluded ones and anything inside them (the kommuner of an
    excluded län). Set lookups: the decomposition filters the whole pool once per similar
    unit."""
    exact = set(exclude)
    counties = {e for e in exact if len(e) == 2 and e != NATIONAL_CODE}
    return [u for u in units
            if u not in exact and not (len(u) == 4 and u[:2] in counties)]


def _set_members(pool: _Pool, *, focal: str, comparison: ComparisonSet,
                 exclude: Sequence[str]) -> list[str]:
    """Units of the comparison set of ``focal``, excluding ``exclude`` and anything inside them;
    for ``"riket"`` the units of ``focal``'s own kind (a län is compared with län)."""
    if isinstance(comparison, str) and comparison == "riket":
        members = [u for u in pool.peers(focal) if u != focal] or pool.kommuner
    elif isinstance(comparison, str) and comparison == "lan":
        members = [u for u in pool.kommuner if u[:2] == focal[:2]]
    else:
        members = [str(c) for c in comparison if str(c) in pool.values.columns]
    return _outside(members, exclude)


def _aggregate_code(comparison: ComparisonSet, treated: str) -> str | None:
    if isinstance(comparison, str) and comparison == "riket":
        return NATIONAL_CODE
    if isinstance(comparison, str) and comparison == "lan":
        return treated[:2]
    return None


# --------------------------------------------------------------------------- public API
def comparison_series(
    panel: pd.DataFrame,
    *,
    outcome: str,
    treated: str,
    comparison: ComparisonSet = "riket",
    exclude: Sequence[str] | None = None,
) -> ComparisonSeries:
    """The comparison series for ``treated``, never containing the treated unit.

    Parameters
    ----------
    panel
        Canonical long panel.
    outcome
        Measure name, e.g. ``"unemployment_rate"`` or ``"households_assistance"``.
    treated
        Code of the treated unit.
    comparison
        ``"riket"``, ``"lan"`` or a list of unit codes.
    exclude
        Units to leave out as well (neighbours, kommuner with a similar reform); default the
        units :func:`exclude_from_comparison` marked on ``panel``.

    Returns
    -------
    ComparisonSeries

    Raises
    ------
    DesignError
        Unknown comparison, ``"lan"`` for a county or the nation, or no comparison data.
    """
    _validate_set(comparison)
    listed = comparison if isinstance(comparison, str) else tuple(comparison)
    found = _comparison_of(panel, outcome, treated, listed,
                           tuple(excluded_units(panel, exclude)))
    return ComparisonSeries(found.series.copy(), found.description, found.description_sv,
                            found.scale, copy.deepcopy(found.diagnostics))


@per_frame
def _comparison_of(panel: pd.DataFrame, outcome: str, treated: str,
                   comparison: str | tuple[str, ...], exclude: tuple[str, ...]
                   ) -> ComparisonSeries:
    """:func:`comparison_series`, remembered per panel (the designs of one kommun, and an
    evaluation's re-fits at other dates, ask for the same series again; callers get copies)."""
    return _comparison(_pool(panel, outcome), treated=treated,
                       comparison=comparison if isinstance(comparison, str) else list(comparison),
                       exclude=list(exclude))


def _comparison(pool: _Pool, *, treated: str, comparison: ComparisonSet,
                exclude: Sequence[str] = ()) -> ComparisonSeries:
    """:func:`comparison_series` on a prepared pool."""
    _validate_set(comparison)
    outcome = pool.outcome
    if treated == NATIONAL_CODE:
        raise DesignError(
            "Riket kan inte jämföras med sig självt: välj en kommun eller ett län som "
            "utvärderad enhet.",
            "The nation cannot be compared with itself: choose a municipality or a county as the "
            "treated unit.",
        )
    if isinstance(comparison, str) and comparison == "lan" and len(treated) != 4:
        raise DesignError(
            f"Jämförelse med länet fungerar bara för en kommun, inte för {treated}: välj 'riket' "
            "eller en lista.",
            f"Comparison with the county only works for a kommun, not for {treated}: choose "
            "'riket' or a list.",
        )
    names = pool.names
    excluded = [e for e in dict.fromkeys(str(u) for u in exclude) if e != treated]
    members = _set_members(pool, focal=treated, comparison=comparison,
                           exclude=[treated, *excluded])
    agg = _aggregate_code(comparison, treated)
    if pool.kind == "count":
        scale = "per_1000" if pool.weights is not None else "count"
    else:
        scale = "rate"
    diag: dict[str, Any] = {"weights": pool.weight_name, "includes_treated": False,
                            "scale": scale, "aggregate": None, "national": False,
                            "subtracted": [], "excluded": excluded, "excluded_included": []}
    # A published aggregate row of the set is the comparison (the treated unit taken out).
    use_aggregate = (agg is not None and agg in pool.values.columns and agg != treated
                     and bool(pool.values[agg].notna().any()))
    if use_aggregate and scale == "per_1000" and (
            agg not in pool.weights.columns or not pool.weights[agg].notna().any()):
        use_aggregate = False  # a count row without its population cannot be put per 1 000
    if use_aggregate:
        remove = [treated, *(e for e in excluded if e in pool.values.columns)]
        series, subtracted = _aggregate_minus(pool, agg=agg, remove=remove)
        kept = [u for u in remove if u not in subtracted]
        inc = treated not in subtracted
        diag.update(source="aggregate" if not subtracted else "aggregate_minus_treated",
                    units=[agg], n_units=1, includes_treated=inc, aggregate=agg,
                    national=agg == NATIONAL_CODE, subtracted=subtracted,
                    excluded_included=[u for u in kept if u != treated]
                    + [e for e in excluded if e not in pool.values.columns
                       and _inside_set(e, agg)],
                    unit_type=pool.types.get(agg, unit_type_of(agg)))
        description_sv, description = _aggregate_text(pool, agg, subtracted, diag, treated)
    else:
        if not members:
            set_label = _set_label(comparison, treated, names)
            raise DesignError(
                f"Jämförelsegruppen {set_label[0]} har inga enheter med data för {outcome} utöver "
                f"{treated}: välj en annan jämförelsegrupp.",
                f"The comparison set {set_label[1]} has no units with data for {outcome} besides "
                f"{treated}: choose another comparison.",
            )
        num, den = pool.combine(members)
        series = pool.ratio(num, den)
        kinds = {pool.types.get(u, unit_type_of(u)) for u in members}
        diag.update(source="kommuner", units=members, n_units=len(members),
                    unit_type=kinds.pop() if len(kinds) == 1 else "mixed")
        description_sv, description = _members_text(pool, comparison, treated, members, excluded,
                                                    diag["unit_type"])
    # as float, ±inf as NaN (``astype(float).replace([inf, -inf], nan)``, without pandas'
    # replace machinery: a tenth of a re-screen's comparison series)
    values = series.to_numpy(dtype=float)
    values = np.where(np.isinf(values), np.nan, values)
    series = pd.Series(values, index=series.index, name=series.name)
    if np.isnan(values).all():
        set_label = _set_label(comparison, treated, names)
        raise DesignError(
            f"Jämförelsegruppen {set_label[0]} har inga värden för {outcome} när "
            f"{names.get(treated, treated)} har räknats bort: välj en annan jämförelsegrupp.",
            f"The comparison set {set_label[1]} has no values for {outcome} once "
            f"{names.get(treated, treated)} is taken out: choose another comparison.",
        )
    series.index.name = "period"
    series.name = "comparison"
    return ComparisonSeries(series, description, description_sv, scale, diag)


def _inside_set(code: str, agg: str) -> bool:
    return agg == NATIONAL_CODE or code[:2] == agg


def _listing(codes: Sequence[str], names: dict[str, str], language: str) -> str:
    items = [names.get(u, u) for u in codes]
    if len(items) <= 1:
        return "".join(items)
    word = " och " if language == "sv" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


_WEIGHT_WORDS = {
    # weight name -> (Swedish, English) "by …" phrase
    "labour_force": ("med arbetskraften som vikt", "with labour-force weights"),
    "labour_force_or_population": ("med arbetskraften som vikt",
                                   "with labour-force weights"),
    "population": ("med folkmängden som vikt", "with population weights"),
}


def _aggregate_text(pool: _Pool, agg: str, subtracted: list[str], diag: dict[str, Any],
                    treated: str) -> tuple[str, str]:
    """(sv, en) description of a published aggregate used as the comparison."""
    names = pool.names
    if agg == NATIONAL_CODE:
        base_sv, base_en = "Riket (raden 00 i data)", "Sweden as a whole (the 00 row in the data)"
    else:
        lan = names.get(agg, f"län {agg}")
        base_sv, base_en = (f"{lan} (raden {agg} i data)", f"{lan} (the {agg} row in the data)")
    per_sv = ", antal per 1 000 invånare" if diag["scale"] == "per_1000" else ""
    per_en = ", per 1,000 inhabitants" if diag["scale"] == "per_1000" else ""
    parts_sv, parts_en = [base_sv], [base_en]
    if subtracted:
        how_sv, how_en = ("", "")
        if pool.kind != "count":
            how_sv, how_en = _WEIGHT_WORDS.get(pool.weight_name, ("", ""))
        elif pool.weights is not None:
            how_sv, how_en = "(både antal och folkmängd)", "(both counts and population)"
        parts_sv.append(f"utan {_listing(subtracted, names, 'sv')}, borträknad"
                        f"{'e' if len(subtracted) > 1 else ''} {how_sv}".rstrip())
        parts_en.append(f"without {_listing(subtracted, names, 'en')}, subtracted "
                        f"{how_en}".rstrip())
    text_sv, text_en = parts_sv[0], parts_en[0]
    if len(parts_sv) > 1:
        text_sv, text_en = f"{text_sv} {parts_sv[1]}", f"{text_en} {parts_en[1]}"
    text_sv, text_en = text_sv + per_sv, text_en + per_en
    if diag["includes_treated"]:
        who = names.get(treated, treated)
        text_sv += (f", som publicerad: {who} ingår i serien eftersom data saknar vikter "
                    "(folkmängd) att räkna bort den med")
        text_en += (f", as published: {who} is part of it, since the data have no weights "
                    "(population) to subtract it with")
    if diag["excluded_included"]:
        listed_sv = _listing(diag["excluded_included"], names, "sv")
        listed_en = _listing(diag["excluded_included"], names, "en")
        text_sv += (f"; de uteslutna {listed_sv} ingår i den publicerade serien och kunde inte "
                    "räknas bort")
        text_en += (f"; the excluded {listed_en} are part of the published series and could "
                    "not be subtracted")
    return text_sv + ".", text_en + "."


def _members_text(pool: _Pool, comparison: ComparisonSet, treated: str, members: list[str],
                  excluded: list[str], unit_type: str) -> tuple[str, str]:
    """(sv, en) description of a comparison computed from the member units."""
    names = pool.names
    n = len(members)
    noun_sv = {"kommun": "kommuner", "lan": "län"}.get(unit_type, "enheter")
    noun_en = {"kommun": "municipalities", "lan": "counties"}.get(unit_type, "units")
    if pool.kind == "count":
        if pool.weights is not None:
            head_sv = "Antal per 1 000 invånare (summan av antalet delad med summan av folkmängden)"
            head_en = "Count per 1,000 inhabitants (sum of counts over sum of population)"
        else:
            head_sv = "Summan av antalet (data saknar folkmängd)"
            head_en = "Sum of the counts (the data have no population)"
        what_sv, what_en = f"i {n} {noun_sv}", f"over {n} {noun_en}"
    else:
        head_sv, head_en = {
            "labour_force": ("Medel vägt med arbetskraften", "Labour-force-weighted mean"),
            "labour_force_or_population": ("Medel vägt med arbetskraften",
                                           "Labour-force-weighted mean"),
            "population": ("Befolkningsviktat medel", "Population-weighted mean"),
        }.get(pool.weight_name, ("Ovägt medel", "Unweighted mean"))
        what_sv, what_en = f"av {n} {noun_sv}", f"of {n} {noun_en}"
    who = names.get(treated, treated)
    if isinstance(comparison, str) and comparison == "riket":
        set_sv, set_en = f"i data (alla utom {who}", f"in the data (all but {who}"
    elif isinstance(comparison, str) and comparison == "lan":
        lan_sv = names.get(treated[:2], f"län {treated[:2]}")
        lan_en = names.get(treated[:2], f"county {treated[:2]}")
        set_sv, set_en = f"i {lan_sv} (alla utom {who}", f"in {lan_en} (all but {who}"
    else:
        set_sv, set_en = "(de valda jämförelseenheterna", "(the chosen comparison units"
    left = [e for e in excluded if e not in members]
    if left:
        set_sv += f", utan de uteslutna {_listing(left, names, 'sv')}"
        set_en += f", without the excluded {_listing(left, names, 'en')}"
    return f"{head_sv} {what_sv} {set_sv}).", f"{head_en} {what_en} {set_en})."


def _set_label(comparison: ComparisonSet, treated: str, names: dict[str, str]) -> tuple[str, str]:
    if isinstance(comparison, str) and comparison == "riket":
        return "riket", "the nation"
    if isinstance(comparison, str) and comparison == "lan":
        return (f"{names.get(treated[:2], f'län {treated[:2]}')} (kommunerna i länet)",
                f"{names.get(treated[:2], f'county {treated[:2]}')} (the county's "
                "municipalities)")
    return "de valda jämförelseenheterna", "the chosen comparison units"


def _aggregate_minus(pool: _Pool, *, agg: str,
                     remove: Sequence[str]) -> tuple[pd.Series, list[str]]:
    """The aggregate ``agg`` with the units ``remove`` subtracted where the data allow.

    Rates and levels: ``(a·w_a − Σ y_u·w_u) / (w_a − Σ w_u)`` with the pool's weights (a unit
    needs its values and weights); counts with population: ``(a − Σ y_u) / (p_a − Σ p_u) ×
    1000``; counts without population: ``a − Σ y_u``. Returns the series and the units
    actually subtracted (the others stay in the published aggregate).
    """
    # columns as arrays (the same index throughout): the same operations in the same order
    # as on the Series, a fifth of the time
    index = pool.values.index
    y = {u: pool.values[u].to_numpy(dtype=float) for u in dict.fromkeys([agg, *remove])
         if u in pool.values.columns}
    a = y[agg]
    present = [u for u in remove if u in y and not np.isnan(y[u]).all()]
    w = pool.weights
    wv = {} if w is None else {u: w[u].to_numpy(dtype=float) for u in dict.fromkeys([agg, *present])
                               if u in w.columns}
    have_w = agg in wv and not np.isnan(wv[agg]).all()
    if have_w:
        can = [u for u in present if u in wv and not np.isnan(wv[u]).all()]
        wa = wv[agg]
        if pool.kind != "count":
            num = a * wa - sum((y[u] * wv[u] for u in can), start=0.0 * a)
            den = wa - sum((wv[u] for u in can), start=0.0 * wa)
            return pd.Series(num / den, index=index), can
        num = a - sum((y[u] for u in can), start=0.0 * a)
        den = wa - sum((wv[u] for u in can), start=0.0 * wa)
        return pd.Series(num / den * 1000.0, index=index), can
    if pool.kind == "count":  # no population: the plain sum, counts subtract exactly
        return pd.Series(a - sum((y[u] for u in present), start=0.0 * a), index=index), present
    return pd.Series(a.copy(), index=index), []


def similar_units(
    panel: pd.DataFrame,
    *,
    treated: str,
    outcome: str,
    n: int,
    periods: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
) -> list[str]:
    """The ``n`` units of ``treated``'s kind (kommuner, or län for a län) closest to it in log
    population.

    Parameters
    ----------
    panel
        Canonical long panel.
    treated
        Code of the treated unit (excluded, as are kommuner inside a treated county).
    outcome
        Units missing the outcome at any of ``periods`` are excluded.
    n
        Number of units wanted; fewer are returned when fewer qualify.
    periods
        Periods that must be present; default: every period where the treated unit has data.
    exclude
        Units never chosen (neighbours, similar reforms); default the units
        :func:`exclude_from_comparison` marked on ``panel``.

    Returns
    -------
    list of str
        Codes, closest first (ties broken by code).

    Raises
    ------
    DataError
        When the panel has neither population nor labour force to measure size.
    """
    return _similar(_pool(panel, outcome), treated=treated, n=n, periods=periods,
                    exclude=excluded_units(panel, exclude))


def _log_mean_size(pool: _Pool, size: pd.DataFrame) -> pd.Series:
    """Every unit's mean log size (population or labour force; non-positive values left out)
    over the pool's periods, computed once per pool and size table (the similar kommuner of
    every placebo unit and re-fit are chosen from it)."""
    memory = pool.__dict__.setdefault("_log_mean_size", {})
    found = memory.get(id(size))
    if found is None or found[0] is not size:
        found = memory[id(size)] = (size, np.log(size.where(size > 0)).mean(axis=0))
    return found[1]


def _similar(pool: _Pool, *, treated: str, n: int,
             periods: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> list[str]:
    """:func:`similar_units` on a prepared pool."""
    size = pool.population
    if size is None or treated not in size.columns or size[treated].isna().all():
        size = pool.labour_force
    if size is None or treated not in size.columns or size[treated].isna().all():
        raise DataError(
            f"Folkmängd saknas för {treated}: lägg till måttet population (eller kolumnen "
            "population) så att kommuner av liknande storlek kan väljas.",
            f"Population is missing for {treated}: add the population measure (or column) so "
            "that municipalities of similar size can be chosen.",
        )
    if periods is None:
        periods = list(pool.values.index[pool.values[treated].notna()]) if treated in \
            pool.values.columns else list(pool.values.index)
    periods = [p for p in periods]
    missing_periods = [p for p in periods if p not in pool.values.index]
    if missing_periods:
        return []
    peers = [u for u in pool.peers(treated) if u != treated] or pool.kommuner
    candidates = _outside(peers, [treated, *exclude])
    # by position (label lookups of a few hundred units were most of the cost)
    values = pool.values
    block = pool.array("values")[np.ix_(positions(values.index, periods),
                                        positions(values.columns, candidates))]
    complete = ~np.isnan(block).any(axis=0)  # in the order of ``candidates``
    sized = set(size.columns)
    candidates = [u for u, ok in zip(candidates, complete.tolist(), strict=True)
                  if ok and u in sized]
    log_sizes = _log_mean_size(pool, size)
    target = float(log_sizes[treated])
    dist = np.abs(log_sizes.to_numpy()[positions(log_sizes.index, candidates)] - target)
    # nearest in size first, ties by code (units without a size left out before sorting)
    known = [(d, u) for d, u in zip(dist.tolist(), candidates, strict=True) if d == d]
    return [u for _, u in sorted(known)][: max(int(n), 0)]
