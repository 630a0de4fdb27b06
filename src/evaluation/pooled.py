"""Pooled evidence: every kommun that made the same change (issue 15, part 3).

One kommun's own estimate rests on one kommun. When many kommuner made the same organisational
change in different years — Kolada's U40826 flags "ekonomiskt bistånd ingår i samma förvaltning
som arbetsmarknadsinsatserna" per kommun and year — the staggered-adoption design of Callaway &
Sant'Anna (2021, :mod:`evaluation.designs.staggered`) asks whether those kommuner, on average,
moved differently from the kommuner that had not (yet) made it, and the evaluated kommun's own
estimate can be placed among them (:func:`evaluation.designs.staggered.place_unit`).

The spec's ``pooled`` block (:func:`evaluation.spec.validate_pooled`) names the adopters: a flag
file (CSV ``unit, year, flag``, e.g. U40826 downloaded from Kolada; ``demo`` for the demo's
simulated flags) through :func:`~evaluation.designs.staggered.adoption_from_flags` — kommuner
flagged already in their first year and kommuner that switch back are excluded with their
reasons — or an explicit list ``{kommun: first year}`` (every other kommun never made it).

How the yearly values are built (:func:`yearly_values`)
    The designs need one value per kommun and calendar year. From a **monthly** panel: a rate
    (e.g. registered unemployment, %) or a level is the mean of the year's twelve months; a
    count (households with ekonomiskt bistånd) is the year's mean number per month divided by
    the year's mean population, times 1 000 — **per 1 000 inhabitants**, so kommuner of
    different size can be compared. From a **yearly** panel the values are taken as they are
    (counts per 1 000 inhabitants the same way). Only years in which the evaluated kommun has
    all twelve months (and, for a count, its population) are used; other kommuner missing a
    month of those years are left out with that reason. A count without any population in the
    data cannot be compared across kommuner and is not pooled (a note says so).

The evaluated kommun's own estimate on the same scale (:meth:`PooledEvidence.place_own`)
    The verdict's lead design gives an average effect over the post window in the outcome's own
    unit (percentage points; households) with an interval. Its standard error is the interval's
    half-width divided by z (for an asymmetric placebo interval this is an approximation). A
    rate or a level is already on the pooled scale (percentage points of the yearly mean is the
    same unit as of the monthly values). A count is divided by the kommun's mean population over
    the post window and multiplied by 1 000 (population treated as fixed), which puts it on the
    per 1 000 inhabitants scale of the pooled estimate. The post window (e.g. April 2022–March
    2023) need not match calendar years: the placement compares the kommun's average over its
    window with the cohorts' yearly effects, and the figure draws it over the years since the
    change that its window covers. When the lead design has no finite estimate or interval
    (or the population is missing), the scales cannot be made comparable and the kommun's own
    effect from the yearly data is placed instead (:func:`own_cohort_effect`): the kommun as a
    cohort of its own, ATT(g, t) against the same comparison kommuner, averaged over its post
    years, with a standard error from the spread of the same statistic over the never-treated
    kommuner (a single kommun has no within-cohort variance to give one). The summary says which.

The evaluated kommun is among the adopters (it made the change; its cohort is the flag's first
year, else the intervention's year, with a note when the two differ), so its own placement is
conservative (:func:`~evaluation.designs.staggered.place_unit`). Only the spec's
``donors.exclude`` (neighbours, spill-over) leaves the pooled estimate besides the flag's own
exclusions; ``donors.similar_reforms`` does not (those kommuner are what this section is about).

Entry points: :func:`pooled_evidence` → :class:`PooledEvidence` (``to_dict()`` is
``summary["pooled"]``); :func:`lead_records` picks each outcome's lead record from a summary.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.panel import Measure, measure_info
from evaluation.designs.staggered import (
    Exclusion,
    StaggeredResult,
    adoption_from_flags,
    estimate_staggered,
    place_unit,
)
from evaluation.errors import DataError, DesignError
from evaluation.errors import field_error as spec_error

__all__ = ["PER", "PooledEvidence", "PooledOutcome", "lead_records", "own_cohort_effect",
           "pooled_evidence", "read_flags", "yearly_values"]

PER = 1000
POPULATION = "population"
FLAG_COLUMNS = ("unit", "year", "flag")
DEMO = "demo"


# --------------------------------------------------------------------------- records
@dataclass
class PooledOutcome:
    """The pooled estimate for one outcome and where the evaluated kommun lies.

    ``scale`` is ``"mean"`` (rates and levels: the yearly mean) or ``"per_1000"`` (counts: the
    yearly mean per 1 000 inhabitants); ``unit_sv``/``unit_en`` name it ("procentenheter",
    "hushåll per 1 000 invånare"). ``own`` is what was placed (``source`` ``"lead_design"`` or
    ``"own_cohort"``), ``placement`` the :func:`place_unit` record, ``own_cohort`` the
    kommun's own yearly effect (always computed).
    """

    outcome: str
    kind: str
    scale: str
    unit_sv: str
    unit_en: str
    result: StaggeredResult
    years: list[int]
    cohort: int | None = None
    own_population: float | None = None
    own_cohort: dict[str, Any] | None = None
    own: dict[str, Any] | None = None
    placement: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        att = r.att_gt
        post = att[att["post"]]
        per_e = post.groupby("event_time")["group"].nunique()
        dynamic = r.dynamic.table
        group = r.group.table
        cohorts = r.cohorts.set_index("group")
        return {
            "outcome": self.outcome, "kind": self.kind, "scale": self.scale,
            "unit": {"sv": self.unit_sv, "en": self.unit_en},
            "years": [min(self.years), max(self.years)],
            "simple": _agg(r.simple), "group_overall": _agg(r.group),
            "dynamic_overall": _agg(r.dynamic),
            "dynamic": [{"event_time": int(row.event_time), "att": row.att, "se": row.se,
                         "ci_low": row.ci_low, "ci_high": row.ci_high,
                         "n_cohorts": int(per_e.get(row.event_time, 0)) if row.event_time >= 0
                         else int(att.loc[att["event_time"] == row.event_time, "group"]
                                  .nunique())}
                        for row in dynamic.itertuples()],
            "cohorts": [{"cohort": int(row.group), "n_units": int(cohorts.loc[row.group,
                                                                              "n_units"]),
                         "att": row.att, "se": row.se, "ci_low": row.ci_low,
                         "ci_high": row.ci_high} for row in group.itertuples()],
            "pretest": None if r.pretest is None else {
                "statistic": r.pretest.statistic, "df": r.pretest.df,
                "p_value": r.pretest.p_value},
            "pretrend": pretrend_test(r),
            "n_post_cells": int(len(post)),
            "n_units": r.n_units, "n_adopters": int(r.cohorts["n_units"].sum()),
            "n_never_treated": r.n_never_treated,
            "notes": [{"sv": sv, "en": en} for sv, en in r.notes],
            "own": self.own, "placement": self.placement, "own_cohort": self.own_cohort,
        }


def pretrend_test(result: StaggeredResult) -> dict[str, Any] | None:
    """Wald test that every pre-change event-time average (e < 0 of the dynamic aggregation) is
    zero, from their joint influence functions: W = n b' V⁻¹ b, χ² with as many degrees of
    freedom as event times.

    Used in the report instead of the cell-level :attr:`StaggeredResult.pretest`: with cohorts
    of a handful of kommuner the covariance of the individual pre-treatment ATT(g, t) is nearly
    singular (each cohort's cells share its few kommuner), which inflates that statistic; the
    event-time averages pool the cohorts. None without pre-change event times or when their
    covariance is singular."""
    d = result.dynamic
    if d.keys is None or d.element_influence is None:
        return None
    pre = np.flatnonzero((d.keys < 0) & np.isfinite(d.ses))
    if len(pre) == 0:
        return None
    psi = d.element_influence[:, pre]
    n = psi.shape[0]
    V = psi.T @ psi / n
    if np.linalg.cond(V) > 1e10:
        return None
    b = d.values[pre]
    W = float(n * b @ np.linalg.solve(V, b))
    from scipy import special

    return {"statistic": W, "df": int(len(pre)),
            "p_value": float(special.chdtrc(len(pre), W)),
            "event_times": [int(d.keys[pre[0]]), int(d.keys[pre[-1]])]}


def _agg(a: Any) -> dict[str, Any]:
    return {"att": a.att, "se": a.se, "ci": [a.ci_low, a.ci_high]}


@dataclass
class PooledEvidence:
    """Every outcome's pooled estimate, the adoption table and its exclusions.

    ``to_dict()`` is ``summary["pooled"]``: ``source`` (``kind`` flag/adopters, ``path``,
    ``sha256`` of the flag file, ``simulated``), ``control``, ``method``, ``ci_level``,
    ``treated`` (code, name, cohort), ``adopters`` (kommun → first year, as used),
    ``cohort_years``, ``flag_years``, ``excluded`` (one record per kommun left out: unit, name,
    code, sv, en), ``notes`` (``{"key", …values}`` for the report's ``pooled.note.<key>``
    texts, or ``{"sv", "en"}`` sentences of an outcome that could not be pooled) and
    ``outcomes`` (:meth:`PooledOutcome.to_dict`).
    """

    source: dict[str, Any]
    control: str
    method: str
    treated: str
    treated_name: str
    treated_cohort: int | None
    adopters: dict[str, int]
    excluded: dict[str, Exclusion]
    names: dict[str, str]
    outcomes: dict[str, PooledOutcome]
    post_window: tuple[str, str]
    flag_years: list[int] | None = None
    notes: list[dict[str, str]] = field(default_factory=list)
    ci_level: float = 0.95

    def place_own(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Place the kommun's own estimate of each outcome (its lead design's record from
        ``summary["results"]``, see :func:`lead_records`) among the cohorts' effects, converted
        to the pooled scale (see the module docstring); falls back to :attr:`own_cohort`."""
        for name, pooled in self.outcomes.items():
            record = records.get(name)
            own = _converted(record, pooled) if record else None
            if own is None and pooled.own_cohort is not None:
                own = {"source": "own_cohort", "design": None,
                       **{k: pooled.own_cohort[k] for k in ("estimate", "se", "event_times")}}
            if own is None:
                pooled.own, pooled.placement = None, None
                continue
            cohort = (self.treated_cohort
                      if self.treated_cohort in set(pooled.result.cohorts["group"]) else None)
            place = place_unit(pooled.result, own["estimate"], own.get("se"), cohort=cohort)
            pooled.own = {**own, "ci": list(place["ci"]) if place["ci"] else None}
            pooled.placement = {k: (list(v) if isinstance(v, tuple) else v)
                                for k, v in place.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "control": self.control, "method": self.method,
            "ci_level": self.ci_level,
            "treated": {"code": self.treated, "name": self.treated_name,
                        "cohort": self.treated_cohort},
            "adopters": dict(sorted(self.adopters.items())),
            "n_adopters": len(self.adopters),
            "cohort_years": sorted(set(self.adopters.values())),
            "flag_years": self.flag_years,
            "post_window": list(self.post_window),
            "excluded": [{"unit": code, "name": self.names.get(code, code), "code": why.code,
                          "sv": why.sv, "en": why.en}
                         for code, why in sorted(self.excluded.items())],
            "notes": list(self.notes),
            "outcomes": {name: p.to_dict() for name, p in self.outcomes.items()},
        }


# --------------------------------------------------------------------------- yearly values
def yearly_values(panel: pd.DataFrame, outcome: str, *, kind: str, treated: str,
                  units: Sequence[str] | None = None) -> tuple[pd.DataFrame, str]:
    """Units × years of one outcome on the pooled scale, and the scale (see the module
    docstring): ``"mean"`` (rates, levels) or ``"per_1000"`` (counts with a population).

    The years are those in which ``treated`` has all twelve months (monthly data) or a value
    (yearly data); a unit missing a month of such a year gets a missing value there. Raises
    :class:`DataError` for a count without population.
    """
    frame = panel[["unit", "period", "measure", "value"]
                  + (["population"] if "population" in panel.columns else [])]
    frame = frame[frame["measure"].isin([outcome, POPULATION])]
    if units is not None:
        frame = frame[frame["unit"].isin(list(units))]
    monthly = bool(frame["period"].astype(str).str.len().eq(7).any())
    years = frame["period"].astype(str).str[:4].astype(int)

    def wide(values: pd.Series, rows: pd.DataFrame) -> pd.DataFrame:
        data = pd.DataFrame({"unit": rows["unit"].to_numpy(), "year": years[rows.index],
                             "value": pd.to_numeric(values, errors="coerce").to_numpy()})
        data = data.dropna(subset=["value"])
        grouped = data.groupby(["unit", "year"])["value"]
        mean = grouped.mean().unstack("year")
        if monthly:
            mean = mean.where(grouped.count().unstack("year") == 12)
        return mean

    own = frame[frame["measure"] == outcome]
    values = wide(own["value"], own)
    scale = "mean"
    if kind == "count" and outcome != POPULATION:
        pop_rows = frame[frame["measure"] == POPULATION]
        if len(pop_rows):
            pop = wide(pop_rows["value"], pop_rows)
        elif "population" in frame.columns:
            pop = wide(own["population"], own)
        else:
            pop = None
        if pop is None or pop.isna().all().all():
            raise DataError(
                f"{outcome} är ett antal men data saknar folkmängd, så kommuner av olika storlek "
                "kan inte jämföras: lägg till måttet population.",
                f"{outcome} is a count but the data lack a population, so municipalities of "
                "different size cannot be compared: add the measure population.")
        pop = pop.reindex(index=values.index, columns=values.columns)
        values = values / pop.where(pop > 0) * PER
        scale = "per_1000"
    if treated not in values.index:
        raise DataError(f"{treated} saknar värden för {outcome}.",
                        f"{treated} has no values of {outcome}.")
    keep = values.columns[values.loc[treated].notna()]
    values = values[keep]
    values.columns = values.columns.astype(int)
    return values.sort_index(), scale


# --------------------------------------------------------------------------- adoption
def read_flags(path: Path) -> pd.DataFrame:
    """A flag file: CSV (``,`` or ``;``) with the columns ``unit``, ``year`` and ``flag``
    (0/1); codes keep their leading zero (``114`` → ``0114``)."""
    frame = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False,
                        na_values=[""])
    frame.columns = [str(c).strip().casefold() for c in frame.columns]
    missing = [c for c in FLAG_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"Flaggfilen {path.name} saknar kolumnerna {', '.join(missing)}: den ska ha en rad "
            "per kommun och år med kolumnerna unit, year och flag (0/1).",
            f"The flag file {path.name} lacks the columns {', '.join(missing)}: it must have "
            "one row per kommun and year with the columns unit, year and flag (0/1).")
    frame["unit"] = frame["unit"].astype(str).str.strip()
    short = frame["unit"].str.fullmatch(r"\d{3}")
    frame.loc[short, "unit"] = frame.loc[short, "unit"].str.zfill(4)
    frame["flag"] = frame["flag"].str.strip().str.replace(",", ".", regex=False)
    return frame


def _flag_file(block: Mapping[str, Any], base_dir: Path, lines: Mapping[str, int]) -> Path:
    flag = str(block["flag"])
    if flag == DEMO:
        from evaluation.data import demo

        return demo.demo_flags_path()
    path = Path(flag).expanduser()
    path = path if path.is_absolute() else (base_dir / path)
    if not path.is_file():
        raise spec_error("pooled.flag", lines.get("pooled.flag", lines.get("pooled")),
                         f"pekar på {flag}, som inte finns ({path}): ange sökvägen till "
                         "flaggfilen relativt specifikationen.",
                         f"points to {flag}, which does not exist ({path}): give the path of "
                         "the flag file relative to the spec.")
    return path


def _adoption(block: Mapping[str, Any], units: Sequence[str], *, base_dir: Path,
              lines: Mapping[str, int]) -> tuple[dict[str, int], dict[str, Exclusion],
                                                 dict[str, Any], list[int] | None]:
    """First year per kommun (0 = never), exclusions, the source record and the flag's years."""
    if block.get("flag"):
        path = _flag_file(block, base_dir, lines)
        flags = read_flags(path)
        first, excluded = _first_years(flags)
        flag_years = sorted({int(float(y)) for y in flags["year"].dropna()})
        source = {"kind": "flag", "path": str(block["flag"]),
                  "file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                  "simulated": block["flag"] == DEMO,
                  "name": _source_name(flags)}
        wanted = set(units)
        return ({str(k): int(v) for k, v in first.items() if k in wanted},
                {str(k): v for k, v in excluded.items() if k in wanted}, source, flag_years)
    listed = {str(k): int(v) for k, v in (block.get("adopters") or {}).items()}
    first = {u: listed.get(u, 0) for u in units}
    missing = sorted(set(listed) - set(units))
    source = {"kind": "adopters", "path": None, "file": None, "sha256": None,
              "simulated": False, "name": None, "not_in_data": missing}
    return first, {}, source, None


def _first_years(flags: pd.DataFrame) -> tuple[pd.Series, dict[str, Exclusion]]:
    """:func:`adoption_from_flags` of the flag table, in a fraction of the time: kommuner whose
    every observed flag is 0 are never treated (what it returns for them), so only the others go
    through its per-kommun loop — when they span every year of the table (its grid of years
    decides "adoption year unknown") and no row is repeated; otherwise the whole table does."""
    values = pd.to_numeric(flags["flag"], errors="coerce")
    zero = values.eq(0).groupby(flags["unit"]).all()
    never = zero.index[zero.to_numpy()]
    rest = flags[~flags["unit"].isin(never)]
    years = pd.to_numeric(flags["year"], errors="coerce")
    if (rest.empty or flags.duplicated(["unit", "year"]).any()
            or set(years[rest.index].dropna()) != set(years.dropna())):
        return adoption_from_flags(flags, unit="unit", period="year", flag="flag")
    first, excluded = adoption_from_flags(rest, unit="unit", period="year", flag="flag")
    both = pd.concat([first, pd.Series(0, index=never, dtype=np.int64)]).sort_index()
    return both.rename("first_treated"), excluded


def _source_name(flags: pd.DataFrame) -> str | None:
    if "source" not in flags.columns:
        return None
    names = [str(s) for s in dict.fromkeys(flags["source"].dropna()) if str(s).strip()]
    return ", ".join(names) or None


# --------------------------------------------------------------------------- own effect
def own_cohort_effect(Y: pd.DataFrame, first: pd.Series, unit: str, cohort: int, *,
                      control: str = "notyet") -> dict[str, Any] | None:
    """The kommun's own effect in the yearly data, as a cohort of its own.

    For every year t ≥ ``cohort``: ATT(g, t) = (Y_t − Y_{g−1}) of the kommun minus the mean
    change of the comparison kommuner (never treated, and with ``control="notyet"`` those
    first treated after t), as :mod:`evaluation.designs.staggered` computes a cell without
    covariates; the estimate is the mean over those years. Its standard error is the standard
    deviation of the same statistic for each never-treated kommun against the others
    (placebos), times sqrt(1 + 1/n): a cohort of one has no variance of its own. None when the
    kommun's base year is not in the data or fewer than five never-treated kommuner remain.
    """
    years = [int(c) for c in Y.columns]
    if unit not in Y.index or cohort - 1 not in years:
        return None
    post = [t for t in years if t >= cohort]
    if not post:
        return None
    G = first.reindex(Y.index).fillna(0).to_numpy(float)
    values = Y.to_numpy(float)
    k = Y.index.get_loc(unit)
    base = years.index(cohort - 1)
    never = np.flatnonzero((G == 0) & (np.arange(len(G)) != k))
    if len(never) < 5:
        return None
    effects, placebo = [], []
    for t in post:
        j = years.index(t)
        ctrl = (G == 0) if control == "never" else ((G == 0) | (G > t))
        ctrl[k] = False
        change = values[:, j] - values[:, base]
        mean = change[ctrl].mean()
        effects.append(change[k] - mean)
        n_c = ctrl.sum()
        # each never-treated kommun against the comparison kommuner without it
        placebo.append(change[never] - (mean * n_c - change[never]) / (n_c - 1))
    estimate = float(np.mean(effects))
    stats = np.mean(np.vstack(placebo), axis=0)
    se = float(np.std(stats, ddof=1) * math.sqrt(1 + 1 / len(stats)))
    return {"estimate": estimate, "se": se, "n_placebo": int(len(stats)),
            "att": [{"period": t, "att": float(e)} for t, e in zip(post, effects, strict=True)],
            "event_times": [post[0] - cohort, post[-1] - cohort]}


def _converted(record: Mapping[str, Any], pooled: PooledOutcome) -> dict[str, Any] | None:
    """The lead design's average effect and its standard error on the pooled scale (None when
    they cannot be made comparable)."""
    x, ci = record.get("average_effect"), record.get("ci")
    if x is None or not ci or any(v is None or not math.isfinite(float(v)) for v in ci):
        return None
    level = float(record.get("ci_level") or 0.95)
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    se = (float(ci[1]) - float(ci[0])) / (2 * z)
    factor = 1.0
    if pooled.scale == "per_1000":
        if not pooled.own_population:
            return None
        factor = PER / pooled.own_population
    window = record.get("post_window") or []
    spans = None
    if len(window) == 2 and pooled.cohort is not None:
        spans = [int(str(window[0])[:4]) - pooled.cohort, int(str(window[1])[:4]) - pooled.cohort]
    return {"source": "lead_design", "design": record.get("design"),
            "estimate": float(x) * factor, "se": se * factor,
            "native_estimate": float(x), "native_ci": [float(ci[0]), float(ci[1])],
            "population": pooled.own_population if pooled.scale == "per_1000" else None,
            "post_window": [str(w) for w in window] if len(window) == 2 else None,
            "event_times": spans}


def lead_records(summary: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per outcome, the summary's record of the design its verdict leads with (else the
    primary design's, else the outcome's first)."""
    verdicts = summary.get("verdict") or {}
    primary = summary.get("primary_design")
    out: dict[str, dict[str, Any]] = {}
    for r in summary.get("results") or []:
        outcome = r["outcome"]
        lead = (verdicts.get(outcome) or {}).get("lead") if isinstance(verdicts, Mapping) \
            else None
        wanted = lead or primary
        if outcome not in out or (r["design"] == wanted and out[outcome]["design"] != wanted):
            out[outcome] = dict(r)
    return out


# --------------------------------------------------------------------------- main
def pooled_evidence(
    panel: pd.DataFrame,
    block: Mapping[str, Any],
    *,
    treated: str,
    intervention: str,
    post_window: tuple[str, str],
    outcomes: Sequence[str],
    measures: Mapping[str, Measure] | None = None,
    exclude: Sequence[str] = (),
    treated_name: str | None = None,
    base_dir: Path | None = None,
    lines: Mapping[str, int] | None = None,
    alpha: float = 0.05,
) -> PooledEvidence:
    """The staggered-adoption estimate for every outcome over the kommuner of the ``pooled``
    block (see the module docstring).

    Parameters
    ----------
    panel
        The evaluation's long panel (monthly or yearly; ``unit, period, measure, value``,
        with a ``population`` measure or column for counts).
    block
        The validated ``pooled`` block.
    treated, intervention, post_window
        The evaluated kommun, the change's first period and the lead design's post window.
    exclude
        Kommuner the spec leaves out (``donors.exclude``: neighbours), with that reason.
    base_dir, lines
        Where a relative flag path is read from (the spec's folder) and the spec's lines.

    Raises
    ------
    DesignError, DataError, SpecError
        No outcome can be pooled, the flag file is missing or malformed, no cohort.
    """
    lines = dict(lines or {})
    measures = dict(measures or {})
    kind_of = {o: (measures.get(o) or measure_info(o)).kind for o in outcomes}
    width = len(str(treated))
    units = sorted({str(u) for u in panel["unit"].unique() if len(str(u)) == width})
    names = {}
    if "unit_name" in panel.columns:
        pairs = panel.drop_duplicates("unit")[["unit", "unit_name"]]
        names = {str(u): str(n) for u, n in zip(pairs["unit"], pairs["unit_name"], strict=True)
                 if isinstance(n, str) and n.strip()}
    treated_name = treated_name or names.get(treated, treated)
    first, excluded, source, flag_years = _adoption(block, units, base_dir=base_dir or Path.cwd(),
                                                    lines=lines)
    notes: list[dict[str, str]] = []
    # notes are keys of the report's catalogue (``pooled.note.<key>``) with their values
    if source.get("not_in_data"):
        notes.append({"key": "not_in_data", "units": ", ".join(source["not_in_data"])})
    year = int(str(intervention)[:4])
    cohort: int | None = first.get(treated)
    if treated in excluded:
        cohort = None
        notes.append({"key": "treated_excluded", "place": treated_name,
                      "sv": excluded[treated].sv, "en": excluded[treated].en})
    elif not cohort:
        cohort = first[treated] = year
        notes.append({"key": f"treated_added_{source['kind']}", "place": treated_name,
                      "year": year})
    elif cohort != year:
        notes.append({"key": "treated_year", "place": treated_name, "year": cohort,
                      "intervention": str(intervention)})
    for code in exclude:
        code = str(code)
        if code in units and code != treated and code not in excluded:
            excluded[code] = Exclusion(
                "excluded_by_spec",
                f"{code} lämnas utanför enligt specifikationen (donors.exclude, t.ex. en "
                "grannkommun som kan påverkas av förändringen).",
                f"{code} is left out as the spec says (donors.exclude, e.g. a neighbour that "
                "the change may affect).")
    if flag_years:
        last_flag = max(flag_years)
        notes_years = {"last_flag": last_flag}
    else:
        notes_years = {}
    first_series = pd.Series({u: g for u, g in first.items() if u not in excluded},
                             dtype=np.int64)

    results: dict[str, PooledOutcome] = {}
    skipped: list[dict[str, str]] = []
    for outcome in outcomes:
        info = measures.get(outcome) or measure_info(outcome)
        try:
            Y, scale = yearly_values(panel, outcome, kind=kind_of[outcome], treated=treated,
                                     units=units)
        except DataError as exc:
            skipped.append({"sv": exc.sv, "en": exc.en})
            continue
        long = Y.rename_axis(index="unit", columns="year").stack().rename("y").reset_index()
        result = estimate_staggered(
            long, unit="unit", period="year", outcome="y", first_treated=first_series,
            control=block.get("control", "notyet"), method=block.get("method", "dr"),
            alpha=alpha, exclude=excluded, unbalanced="drop", no_pre_period="exclude")
        unit_sv, unit_en = _units(info, scale)
        pooled = PooledOutcome(outcome=outcome, kind=info.kind, scale=scale, unit_sv=unit_sv,
                               unit_en=unit_en, result=result, years=[int(c) for c in Y.columns],
                               cohort=cohort if treated in result.units else None)
        if scale == "per_1000":
            pooled.own_population = _own_population(panel, treated, post_window)
        if pooled.cohort is not None:
            used = list(result.units)
            own = own_cohort_effect(Y.loc[used], first_series.reindex(used), treated, cohort,
                                    control=result.control)
            if own is not None:
                own["cohort"] = cohort
            pooled.own_cohort = own
        results[outcome] = pooled
    if not results:
        reasons = " ".join(s["sv"] for s in skipped)
        reasons_en = " ".join(s["en"] for s in skipped)
        raise DesignError(f"Ingen sammanvägd skattning kan göras: {reasons}",
                          f"No pooled estimate can be made: {reasons_en}")
    notes += skipped
    everything: dict[str, Exclusion] = {}
    for pooled in results.values():
        for code, why in pooled.result.excluded.items():
            everything.setdefault(str(code), why)
    last_year = max(max(p.years) for p in results.values())
    if notes_years and last_year > notes_years["last_flag"]:
        notes.append({"key": "flag_ends", "last": notes_years["last_flag"],
                      "next": notes_years["last_flag"] + 1, "end": last_year})
    used_adopters = {u: int(g) for u, g in first_series.items()
                     if g > 0 and u not in everything}
    return PooledEvidence(
        source=source, control=str(block.get("control", "notyet")),
        method=str(block.get("method", "dr")), treated=treated, treated_name=treated_name,
        treated_cohort=cohort if cohort is not None and treated not in everything else None,
        adopters=used_adopters, excluded=everything, names=names, outcomes=results,
        post_window=(str(post_window[0]), str(post_window[1])), flag_years=flag_years,
        notes=notes, ci_level=1 - alpha)


def _units(info: Measure, scale: str) -> tuple[str, str]:
    if info.kind == "rate":
        return "procentenheter", "percentage points"
    if scale == "per_1000":
        return (f"{info.unit('sv')} per 1\u00a0000 invånare",
                f"{info.unit('en')} per 1,000 inhabitants")
    return info.unit("sv"), info.unit("en")


def _own_population(panel: pd.DataFrame, treated: str,
                    window: tuple[str, str]) -> float | None:
    """The kommun's mean population over the post window (measure, else column)."""
    rows = panel[(panel["unit"] == treated) & (panel["period"].astype(str) >= str(window[0]))
                 & (panel["period"].astype(str) <= str(window[1]))]
    values = pd.to_numeric(rows.loc[rows["measure"] == POPULATION, "value"], errors="coerce")
    if values.dropna().empty and "population" in rows.columns:
        values = pd.to_numeric(rows["population"], errors="coerce")
    values = values.dropna()
    return float(values.mean()) if len(values) and values.mean() > 0 else None

