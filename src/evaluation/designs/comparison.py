"""Outcome and comparison series: "what the rest of the country (or county) did".

Every design compares the treated unit with a comparison series that **never contains the
treated unit**:

* rates (e.g. unemployment in %): the labour-force-weighted mean over the comparison kommuner
  (population-weighted when the panel has no labour force, unweighted when it has neither);
* counts (e.g. households with ekonomiskt bistånd): the comparison *rate* per 1 000 inhabitants,
  Σ counts / Σ population × 1 000 (the plain sum of counts when the panel has no population).

The comparison set is ``"riket"`` (all kommuner), ``"lan"`` (the kommuner of the treated unit's
county, first two code digits) or an explicit list of unit codes. When the panel lacks the
kommuner of the set but has the aggregate (``"00"`` or the county code), as in a real national +
county panel, the aggregate is used with the treated unit subtracted by weights when possible;
otherwise it is used as is and ``diagnostics["includes_treated"]`` is ``True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from evaluation.data.panel import NATIONAL_CODE, measure_info, unit_names, wide
from evaluation.errors import DataError, DesignError

ComparisonSet = Literal["riket", "lan"] | Sequence[str]

# A kommun set whose weight is below this share of the aggregate's weight is incomplete: the
# aggregate (minus the treated unit) is used instead.
_MIN_COVERAGE = 0.95


@dataclass
class ComparisonSeries:
    """The comparison series of one outcome for one treated unit.

    Attributes
    ----------
    series
        Comparison values indexed by period: % for rates, per 1 000 inhabitants for counts
        (plain count when ``scale == "count"``).
    description, description_sv
        One sentence saying what the series is (English / Swedish).
    scale
        ``"percent"``/``"rate"`` (same unit as the outcome), ``"per_1000"`` or ``"count"``.
    diagnostics
        ``source`` (kommuner / aggregate / aggregate_minus_treated), ``units`` (codes used),
        ``n_units``, ``weights`` (labour_force / population / none), ``includes_treated``,
        ``coverage`` where known.
    """

    series: pd.Series
    description: str
    description_sv: str
    scale: str
    diagnostics: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- basic series
def outcome_series(panel: pd.DataFrame, *, unit: str, measure: str) -> pd.Series:
    """Values of one measure for one unit, indexed by period (sorted), NaN where missing.

    Raises
    ------
    DataError
        When the unit has no rows for the measure.
    """
    sub = panel[(panel["unit"] == unit) & (panel["measure"] == measure)]
    if sub.empty:
        raise DataError(
            f"Panelen saknar värden för {unit} och måttet {measure}: kontrollera enhetskoden och "
            "måttets namn.",
            f"The panel has no values for {unit} and the measure {measure}: check the unit code "
            "and the measure name.",
        )
    s = pd.Series(sub["value"].to_numpy(dtype=float), index=sub["period"].astype(str).to_numpy())
    s = s.sort_index()
    s.index.name = "period"
    s.name = measure
    return s


def population_series(panel: pd.DataFrame, unit: str) -> pd.Series | None:
    """Population of a unit by period: the ``population`` measure, else the column; else None."""
    rows = panel[panel["unit"] == unit]
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
def _population_wide(panel: pd.DataFrame) -> pd.DataFrame | None:
    """Periods × units population: the ``population`` measure, gaps filled from the column."""
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

    @property
    def kommuner(self) -> list[str]:
        return [u for u in self.values.columns if self.types.get(u) == "kommun"]

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
        if self.kind == "rate":
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


def _types(panel: pd.DataFrame) -> dict[str, str]:
    if "unit_type" in panel.columns:
        t = panel.drop_duplicates("unit").set_index("unit")["unit_type"].astype(str).to_dict()
    else:
        t = {}
    for u in panel["unit"].unique():
        if u not in t or t[u] in ("", "nan", "None"):
            t[u] = "riket" if u == NATIONAL_CODE else ("lan" if len(u) == 2 else "kommun")
    return t


def _pool(panel: pd.DataFrame, outcome: str) -> _Pool:
    if not (panel["measure"] == outcome).any():
        known = ", ".join(sorted(panel["measure"].unique()))
        raise DataError(
            f"Panelen saknar måttet {outcome}: välj ett av {known}.",
            f"The panel lacks the measure {outcome}: choose one of {known}.",
        )
    values = wide(panel, outcome)
    kind = measure_info(outcome, panel.loc[panel["measure"] == outcome, "value"]).kind
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
    else:
        weights, name = (population, "population") if population is not None else (None, "none")
    return _Pool(kind, outcome, values, weights, name, population, _types(panel),
                 labour_force=lf, names=unit_names(panel))


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


def _belongs_to(code: str, treated: str) -> bool:
    """True when ``code`` is the treated unit or lies inside it (a kommun of a treated län)."""
    if code == treated:
        return True
    return (len(treated) == 2 and treated != NATIONAL_CODE and len(code) == 4
            and code.startswith(treated))


def _set_members(pool: _Pool, *, focal: str, comparison: ComparisonSet,
                 exclude: Sequence[str]) -> list[str]:
    """Units of the comparison set of ``focal``, excluding ``exclude`` and anything inside them."""
    if isinstance(comparison, str) and comparison == "riket":
        members = pool.kommuner
    elif isinstance(comparison, str) and comparison == "lan":
        members = [u for u in pool.kommuner if u[:2] == focal[:2]]
    else:
        members = [str(c) for c in comparison if str(c) in pool.values.columns]
    return [u for u in members if not any(_belongs_to(u, e) for e in exclude)]


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

    Returns
    -------
    ComparisonSeries

    Raises
    ------
    DesignError
        Unknown comparison, ``"lan"`` for a county or the nation, or no comparison data.
    """
    _validate_set(comparison)
    return _comparison(_pool(panel, outcome), treated=treated, comparison=comparison)


def _comparison(pool: _Pool, *, treated: str, comparison: ComparisonSet) -> ComparisonSeries:
    """:func:`comparison_series` on a prepared pool."""
    _validate_set(comparison)
    outcome = pool.outcome
    if treated == NATIONAL_CODE:
        raise DesignError(
            "Riket kan inte jämföras med sig självt: välj en kommun eller ett län som "
            "utvärderad enhet.",
            "The nation cannot be compared with itself: choose a kommun or a county as the "
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
    members = _set_members(pool, focal=treated, comparison=comparison, exclude=[treated])
    agg = _aggregate_code(comparison, treated)
    if pool.kind == "count":
        scale = "per_1000" if pool.weights is not None else "count"
    else:
        scale = "rate"
    diag: dict[str, Any] = {"weights": pool.weight_name, "includes_treated": False,
                            "scale": scale}

    use_aggregate = False
    if agg is not None and agg in pool.values.columns and agg != treated:
        if not members:
            use_aggregate = True
        elif pool.weights is not None and agg in pool.weights.columns:
            inside = [u for u in pool.kommuner if (agg == NATIONAL_CODE or u[:2] == agg)]
            cov = (pool.weight_of(inside).sum(axis=1, min_count=1)
                   / pool.weight_of([agg])[agg]).median()
            diag["coverage"] = float(cov) if pd.notna(cov) else None
            use_aggregate = bool(pd.notna(cov) and cov < _MIN_COVERAGE)

    set_label = _set_label(comparison, treated, names)
    if use_aggregate:
        series, src, inc = _aggregate_minus(pool, agg=agg, treated=treated)
        diag.update(source=src, units=[agg], n_units=1, includes_treated=inc)
        what_en = f"{names.get(agg, agg)} (aggregate{'' if inc else ' minus the treated unit'})"
        minus_sv = "" if inc else " utan den utvärderade enheten"
        what_sv = f"{names.get(agg, agg)} (aggregat{minus_sv})"
    else:
        if not members:
            raise DesignError(
                f"Jämförelsegruppen {set_label[0]} har inga enheter med data för {outcome} utöver "
                f"{treated}: välj en annan jämförelsegrupp.",
                f"The comparison set {set_label[1]} has no units with data for {outcome} besides "
                f"{treated}: choose another comparison.",
            )
        num, den = pool.combine(members)
        series = pool.ratio(num, den)
        diag.update(source="kommuner", units=members, n_units=len(members))
        what_en = f"{set_label[1]} excluding {names.get(treated, treated)}, {len(members)} units"
        what_sv = f"{set_label[0]} utom {names.get(treated, treated)}, {len(members)} enheter"

    if pool.kind == "rate":
        wt_en = {"labour_force": "labour-force-weighted", "population": "population-weighted",
                 "labour_force_or_population": "labour-force-weighted"}.get(pool.weight_name,
                                                                             "unweighted")
        wt_sv = {"labour_force": "vägt med arbetskraften", "population": "vägt med folkmängden",
                 "labour_force_or_population": "vägt med arbetskraften"}.get(pool.weight_name,
                                                                            "ovägt")
        description = f"Mean ({wt_en}) of {what_en}."
        description_sv = f"Medelvärde ({wt_sv}) för {what_sv}."
    elif scale == "per_1000":
        description = f"Rate per 1 000 inhabitants (Σ count / Σ population) of {what_en}."
        description_sv = f"Antal per 1 000 invånare (Σ antal / Σ folkmängd) för {what_sv}."
    else:
        description = f"Sum of counts (no population in the panel) of {what_en}."
        description_sv = f"Summa antal (panelen saknar folkmängd) för {what_sv}."
    series = series.astype(float).replace([np.inf, -np.inf], np.nan)
    if not series.notna().any():
        raise DesignError(
            f"Jämförelsegruppen {set_label[0]} har inga värden för {outcome} när "
            f"{names.get(treated, treated)} har räknats bort: välj en annan jämförelsegrupp.",
            f"The comparison set {set_label[1]} has no values for {outcome} once "
            f"{names.get(treated, treated)} is taken out: choose another comparison.",
        )
    series.index.name = "period"
    series.name = "comparison"
    return ComparisonSeries(series, description, description_sv, scale, diag)


def _set_label(comparison: ComparisonSet, treated: str, names: dict[str, str]) -> tuple[str, str]:
    if isinstance(comparison, str) and comparison == "riket":
        return "riket", "the nation"
    if isinstance(comparison, str) and comparison == "lan":
        lan = names.get(treated[:2], f"län {treated[:2]}")
        return f"{lan} (kommunerna i länet)", f"{lan} (the county's kommuner)"
    return "de valda jämförelseenheterna", "the chosen comparison units"


def _aggregate_minus(pool: _Pool, *, agg: str, treated: str) -> tuple[pd.Series, str, bool]:
    """Aggregate series with the treated unit subtracted by weights where possible."""
    a = pool.values[agg]
    t = pool.values[treated] if treated in pool.values.columns else None
    w_ok = (pool.weights is not None and agg in pool.weights.columns
            and treated in pool.weights.columns
            and pool.weights[agg].notna().any() and pool.weights[treated].notna().any())
    if pool.kind == "rate":
        if t is not None and w_ok:
            wa, wt = pool.weights[agg], pool.weights[treated]
            return (a * wa - t * wt) / (wa - wt), "aggregate_minus_treated", False
        return a.copy(), "aggregate", True
    # counts
    if pool.weights is not None and agg in pool.weights.columns and pool.weights[agg].notna().any():
        pa = pool.weights[agg]
        if t is not None and w_ok:
            pt = pool.weights[treated]
            return (a - t) / (pa - pt) * 1000.0, "aggregate_minus_treated", False
        return a / pa * 1000.0, "aggregate", True
    if t is not None:
        return a - t, "aggregate_minus_treated", False
    return a.copy(), "aggregate", True


def similar_units(
    panel: pd.DataFrame,
    *,
    treated: str,
    outcome: str,
    n: int,
    periods: Sequence[str] | None = None,
) -> list[str]:
    """The ``n`` kommuner closest to ``treated`` in log population.

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

    Returns
    -------
    list of str
        Codes, closest first (ties broken by code).

    Raises
    ------
    DataError
        When the panel has neither population nor labour force to measure size.
    """
    return _similar(_pool(panel, outcome), treated=treated, n=n, periods=periods)


def _similar(pool: _Pool, *, treated: str, n: int,
             periods: Sequence[str] | None = None) -> list[str]:
    """:func:`similar_units` on a prepared pool."""
    size = pool.population
    if size is None or treated not in size.columns or size[treated].isna().all():
        size = pool.labour_force
    if size is None or treated not in size.columns or size[treated].isna().all():
        raise DataError(
            f"Folkmängd saknas för {treated}: lägg till måttet population (eller kolumnen "
            "population) så att kommuner av liknande storlek kan väljas.",
            f"Population is missing for {treated}: add the population measure (or column) so "
            "that kommuner of similar size can be chosen.",
        )
    if periods is None:
        periods = list(pool.values.index[pool.values[treated].notna()]) if treated in \
            pool.values.columns else list(pool.values.index)
    periods = [p for p in periods]
    missing_periods = [p for p in periods if p not in pool.values.index]
    if missing_periods:
        return []
    candidates = [u for u in pool.kommuner if not _belongs_to(u, treated)]
    vals = pool.values.loc[periods, candidates]
    complete = vals.notna().all(axis=0)
    candidates = [u for u in candidates if complete[u] and u in size.columns]
    log_size = np.log(size[candidates].where(size[candidates] > 0)).mean(axis=0)
    target = float(np.log(size[treated].where(size[treated] > 0)).mean())
    dist = (log_size - target).abs().dropna()
    order = sorted(dist.index, key=lambda u: (dist[u], u))
    return order[: max(int(n), 0)]
