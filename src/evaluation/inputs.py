"""Load the data a spec names and check that it can support the evaluation.

Everything here runs before any notebook: an invalid spec or data set fails with one sentence
(Swedish by default) naming the field, the YAML line and the fix. :func:`load_inputs` reads the
data (noting what the reader converted, :attr:`Inputs.conversions`), checks it against the spec
(:func:`check_inputs`: periods, the evaluated kommun's series, comparison units, codes under
``donors``, impossible values) and checks what the chosen designs need (:func:`check_designs`:
the post window, :func:`design_post_requirements`, and the donor pools) — a design that cannot
run is a note (:attr:`Inputs.design_notes`), a spec under which none can is refused. See
``docs/inputs.md``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation import paths
from evaluation.data.panel import (
    MEASURES,
    MIN_PRE_PERIODS,
    NATIONAL_CODE,
    Conversion,
    Measure,
    declare_measures,
    declared_measure,
    panel_measures,
    period_range,
    periods_between,
    read_panel,
    rows_where,
    shift_period,
    undeclared,
    unit_names,
    unit_types,
    with_compact_text,
)
from evaluation.data.store import sha256_file
from evaluation.errors import DataError, DesignError, EvaluationError, SpecError
from evaluation.spec import Spec, default_donors, spec_error


@dataclass
class Inputs:
    """A spec's validated data: the panel restricted to usable units, and what was dropped."""

    spec: Spec
    panel: pd.DataFrame
    treated: str
    treated_name: str
    post_end: str
    data_path: Path
    data_sha256: str
    truth: pd.DataFrame | None = None
    dropped: dict[str, str] = field(default_factory=dict)  # unit code -> reason (sv)
    simulated: bool = False
    #: What each outcome is (kind, unit), resolved once by :func:`resolve_measures`.
    measures: dict[str, Measure] = field(default_factory=dict)
    #: What the reader converted to read the data file (``;`` separator, decimal commas,
    #: thousands separators, Latin-1, BOM, XLSX, other period spellings, suppression marks),
    #: each a (Swedish, English) note for the report's data box; empty for a clean file.
    conversions: list[Conversion] = field(default_factory=list)
    #: Designs of the spec that cannot run on these data, with why (from
    #: :func:`design_post_requirements` and the donor pools, :func:`check_designs`): one
    #: ``{"design", "outcome" (None: every outcome), "key" (the spec key to change), "sv",
    #: "en"}`` per design skipped (post-window notes also carry "why_*" and "fix_*").
    design_notes: list[dict[str, str | None]] = field(default_factory=list)
    #: The whole panel as read (every measure and unit, before the checks dropped comparison
    #: units): what the descriptive sections read, kept so that the file is read once. Never
    #: modified in place (readers copy or filter).
    as_read: pd.DataFrame | None = None

    def conversion_notes(self, language: str = "sv") -> list[str]:
        """:attr:`conversions` in one language, for the data box."""
        return [c.text(language) for c in self.conversions]

    def skipped_designs(self, outcome: str | None = None) -> dict[str, dict[str, str | None]]:
        """Design name -> its note in :attr:`design_notes`, for ``outcome`` (or for every
        outcome when None): the designs the evaluation must skip and say why."""
        return {n["design"]: n for n in self.design_notes
                if outcome is None or n["outcome"] in (None, outcome)}

    @property
    def unit_type(self) -> str:
        """``kommun``, or ``lan`` when a län is evaluated (against the other län)."""
        return "lan" if len(self.treated) == 2 else "kommun"

    @property
    def excluded(self) -> list[str]:
        """Units the spec leaves out of every comparison: ``donors.exclude`` (neighbours,
        spill-over) and ``donors.similar_reforms``, as far as they are in the data."""
        present = {str(u) for u in self.panel["unit"].unique()}
        wanted = [*self.spec.donors.get("exclude", []), *self.spec.donors.get("similar_reforms",
                                                                                [])]
        return [u for u in dict.fromkeys(wanted) if u in present and u != self.treated]

    def comparison_panel(self) -> pd.DataFrame:
        """The panel marked so that the national comparison series (ITS, decomposition) leave
        :attr:`excluded` out, as the donor pool does."""
        from evaluation.designs.comparison import exclude_from_comparison

        return exclude_from_comparison(self.panel, self.excluded)

    @property
    def frequency(self) -> str:
        return self.spec.frequency

    @property
    def last_period(self) -> str:
        return str(self.panel["period"].max())

    @property
    def first_period(self) -> str:
        return str(self.panel["period"].min())

    @property
    def data_vintage(self) -> str:
        """Last period + first 8 hex of the processed data's sha256 (no colons)."""
        return f"{self.last_period}-{self.data_sha256[:8]}"

    @property
    def post_window(self) -> tuple[str, str]:
        return (self.spec.intervention, self.post_end)

    def preliminary_periods(self) -> dict[str, list[str]]:
        """Per outcome, the periods where the treated unit's value is preliminary."""
        sub = self.panel[(self.panel["unit"] == self.treated)
                         & (self.panel["measure"].isin(self.spec.outcomes))
                         & (self.panel["status"] == "preliminary")]
        return {m: sorted(g["period"]) for m, g in sub.groupby("measure")}

    def pre_periods(self) -> dict[str, dict[str, Any]]:
        """Per outcome: the first period of the kommun's series, the number of periods before
        the change and the minimum the designs need (a source's coverage decides which designs
        can run: SCB's monthly BAS per kommun starts 2020-01)."""
        from evaluation.data.panel import MIN_PRE_PERIODS

        p = self.panel
        out = {}
        for outcome in self.spec.outcomes:
            periods = p.loc[(p["unit"] == self.treated) & (p["measure"] == outcome), "period"]
            if periods.empty:
                continue
            first = str(periods.min())
            out[outcome] = {"first": first,
                            "n": periods_between(first, self.spec.intervention),
                            "minimum": MIN_PRE_PERIODS[self.spec.frequency]}
        return out

    def data_info(self) -> dict[str, Any]:
        from evaluation.sources.kolada import CITATION, SOURCE

        # Kolada's terms: transformed numbers are cited as "Kolada, egen bearbetning".
        kolada = CITATION.removeprefix("Källa: ")
        sources = sorted({kolada if s == SOURCE else s
                          for s in self.panel["source"].unique() if s})
        rows = rows_where(self.panel, self.panel["measure"].isin(self.spec.outcomes),
                          ["measure", "source"])
        names = unit_names(self.panel) if self.excluded else {}
        by_measure = {
            m: sorted({kolada if s == SOURCE else s for s in g["source"].unique() if s})
            or [str(self.data_path.name)]
            for m, g in rows.groupby("measure")
        }
        return {
            "source": ", ".join(sources) or str(self.data_path.name),
            "sources_by_measure": by_measure,
            "measures": {m: {"kind": info.kind, "unit_sv": info.unit_sv,
                             "unit_en": info.unit_en, "origin": info.origin}
                         for m, info in self.measures.items()},
            "excluded": {u: names.get(u, u) for u in self.excluded},
            "has_population": bool((self.panel["measure"] == "population").any() or (
                "population" in self.panel.columns and self.panel["population"].notna().any())),
            "path": str(self.data_path),
            "first_period": self.first_period,
            "last_period": self.last_period,
            "frequency": self.frequency,
            "preliminary": self.preliminary_periods(),
            # units of the evaluated unit's kind: kommuner, or län when a län is evaluated
            "n_units": int(self.panel.loc[self.panel["unit_type"] == self.unit_type,
                                          "unit"].nunique()),
            "unit_type": self.unit_type,
            "data_vintage": self.data_vintage,
            "sha256": self.data_sha256,
            "dropped": dict(self.dropped),
            "simulated": self.simulated,
            "series_breaks": self._series_breaks(),
            "conversions": [{"sv": c.sv, "en": c.en} for c in self.conversions],
            "design_notes": [dict(n) for n in self.design_notes],
        }

    def _series_breaks(self) -> dict[str, str]:
        if not self.spec.sources:
            return {}
        from evaluation.sources.collect import series_breaks

        return series_breaks(self.spec.evaluation_id)


def load_inputs(spec: Spec) -> Inputs:
    """Load the panel for ``spec`` and run every data check."""
    truth = None
    conversions: list[Conversion] = []
    if spec.data == "demo":
        from evaluation.data import demo

        panel, truth = demo.load_demo(frequency=spec.frequency)
        data_path = demo.processed_panel_path(spec.frequency)
        simulated = True
    else:
        data_path = _sources_panel_path(spec) if spec.sources else _resolve_data_path(spec)
        panel = read_panel(data_path, notes=conversions)
        simulated = False
    panel = with_compact_text(panel)
    inputs = check_inputs(spec, panel, data_path=data_path)
    inputs.truth = truth
    inputs.simulated = simulated
    inputs.conversions = conversions
    inputs.design_notes = check_designs(inputs)
    inputs.as_read = panel
    return inputs


#: Inputs handed to a notebook that runs in this process (:mod:`evaluation.notebook_engine`),
#: by the path their file would have: no pickle to write and read (57 MB on the demo,
#: 0.15–0.3 CPU-s both ways). :func:`release` removes the entry when the notebook is done.
_HANDED: dict[str, Inputs] = {}


def hand_over(inputs: Inputs, path: str | Path, *, in_process: bool = False) -> Path:
    """Leave ``inputs``, read and checked, for the notebook (:func:`take_over`) at ``path``.

    ``evaluation run`` checks the spec and the data in its own process before it starts the
    notebook, so that a run that cannot succeed fails at once, with one sentence; the notebook
    then read and checked the same files again (0.7 CPU-s on the demo: the parquet files, the
    panel's checks, the donor pools). The command leaves what it read in its run's staging
    folder instead, and removes it when the notebook is done (:func:`release`): a pickle,
    written and read by the same code in the same run, for a kernel; for a notebook run in
    this process (``in_process``) the inputs themselves, kept in memory under ``path``."""
    import pickle

    path = Path(path)
    if in_process:
        _HANDED[str(path)] = inputs
        return path
    try:
        path.write_bytes(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:  # no room for it: the kernel reads the data itself, as before
        path.unlink(missing_ok=True)
    return path


def handed_over(path: str | Path) -> bool:
    """Whether inputs wait at ``path``, in a file or in memory."""
    return str(Path(path)) in _HANDED or Path(path).is_file()


def release(path: str | Path) -> None:
    """Remove the inputs handed over at ``path`` (the file, or the entry in memory)."""
    _HANDED.pop(str(Path(path)), None)
    Path(path).unlink(missing_ok=True)


def take_over(spec: Spec, path: str | Path | None) -> Inputs:
    """The inputs :func:`hand_over` left at ``path`` when they are this spec's — the same
    parameters and spec file, the data file unchanged since it was read (its SHA-256) — and
    else, or when there are none, ``load_inputs(spec)``: a notebook run by hand reads its data
    itself. Inputs handed over in memory are taken as a shallow copy (the command keeps its
    own for the manifest; the panels in them are never changed in place)."""
    import copy
    import pickle

    if not path or not handed_over(path):
        return load_inputs(spec)
    inputs: Any = _HANDED.get(str(Path(path)))
    if inputs is not None:
        inputs = copy.copy(inputs)
        inputs.dropped, inputs.measures = dict(inputs.dropped), dict(inputs.measures)
        inputs.conversions, inputs.design_notes = (list(inputs.conversions),
                                                   [dict(n) for n in inputs.design_notes])
    else:
        try:
            inputs = pickle.loads(Path(path).read_bytes())
        except Exception:  # noqa: BLE001  (a file cut short or unreadable: read the data here)
            inputs = None
    if (not isinstance(inputs, Inputs) or inputs.spec.parameters() != spec.parameters()
            or (inputs.spec.path or None) != (spec.path or None)
            or not inputs.data_path.is_file()
            or sha256_file(inputs.data_path) != inputs.data_sha256):
        return load_inputs(spec)
    inputs.spec = spec
    declare_measures(inputs.measures)  # as check_inputs does
    return inputs


def data_last_period(spec: Spec) -> str | None:
    """The last period in the spec's data, read without the data checks (for the analysis
    plan, which is recorded before the data cover the intervention); None if unreadable."""
    try:
        if spec.data == "demo":
            from evaluation.data import demo

            panel, _ = demo.load_demo(frequency=spec.frequency)
        else:
            path = _sources_panel_path(spec) if spec.sources else _resolve_data_path(spec)
            panel = read_panel(path)
    except EvaluationError:
        return None
    periods = panel["period"].dropna()
    return str(periods.max()) if len(periods) else None


def _sources_panel_path(spec: Spec) -> Path:
    from evaluation.sources.collect import panel_path

    path = panel_path(spec.evaluation_id)
    if not path.is_file():
        raise DataError(
            f"Data för {spec.evaluation_id} är inte hämtade än: kör 'evaluation fetch "
            f"{spec.path or '<spec>'}' (eller make update) först.",
            f"The data of {spec.evaluation_id} have not been fetched yet: run 'evaluation fetch "
            f"{spec.path or '<spec>'}' (or make update) first.",
        )
    return path


def _resolve_data_path(spec: Spec) -> Path:
    candidate = Path(spec.data).expanduser()
    if candidate.is_absolute():
        return candidate
    for base in (spec.base_dir, Path.cwd(), paths.home(), paths.project_root()):
        if (base / candidate).is_file():
            return (base / candidate).resolve()
    if (spec.base_dir / candidate).is_dir():
        raise spec_error(
            "data", spec.line("data"),
            f"pekar på {spec.data}, som är en mapp: ange filen i mappen (CSV, XLSX eller "
            "parquet).",
            f"points to {spec.data}, which is a folder: give the file in it (CSV, XLSX or "
            "parquet).")
    raise spec_error(
        "data", spec.line("data"),
        f"pekar på {spec.data}, som inte finns: ange 'demo' eller sökvägen till en CSV-, XLSX- "
        "eller parquetfil (relativ till specifikationen).",
        f"points to {spec.data}, which does not exist: give 'demo' or the path to a CSV, XLSX "
        "or parquet file (relative to the spec).",
    )


def simulated_path(path: Path | None) -> bool:
    """Whether ``path`` is the bundled demo panel (fictional kommuner with their own codes)."""
    from evaluation.data import demo

    if path is None:
        return False
    return any(Path(path) == demo.processed_panel_path(f) for f in ("monthly", "yearly"))


def resolve_unit(spec: Spec, panel: pd.DataFrame) -> str:
    """The treated unit's code, from a code or a kommun name that resolves uniquely."""
    names = unit_names(panel)
    value = spec.treated.strip()
    if value in names:
        return value
    if value.isdigit() and len(value) == 3 and "0" + value in names:
        return "0" + value
    matches = [code for code, name in names.items() if name.casefold() == value.casefold()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise spec_error("treated", spec.line("treated"),
                         f"'{value}' matchar flera enheter ({', '.join(sorted(matches))}): "
                         "ange kommunkoden i stället.",
                         f"'{value}' matches several units ({', '.join(sorted(matches))}): "
                         "give the municipality code instead.")
    near = nearest(value, names)
    raise spec_error(
        "treated", spec.line("treated"),
        f"'{value}' finns inte i data{near[0]}: ange en kommunkod med fyra siffror inom "
        "citattecken (t.ex. \"0114\") eller ett kommunnamn som finns i data.",
        f"'{value}' is not in the data{near[1]}: give a four-digit municipality code in quotes "
        "(e.g. \"0114\") or a municipality name present in the data.",
    )


def nearest(value: str, names: dict[str, str]) -> tuple[str, str]:
    """' (närmast: 0114 Upplands Väsby)' / ' (nearest: …)': the unit in the data whose code
    (or, for a name, whose name) is closest to ``value`` — empty when nothing is close."""
    from evaluation.data.validity import nearest_code

    value = str(value).strip()
    if value.isdigit():
        code = nearest_code(value, sorted(names))
    else:
        by_name = {str(n).casefold(): c for c, n in names.items()}
        hits = difflib.get_close_matches(value.casefold(), sorted(by_name), n=1, cutoff=0.6)
        code = by_name[hits[0]] if hits else None
    if code is None:
        return "", ""
    label = f"{code} {names.get(code, '')}".strip()
    return f" (närmast i data: {label})", f" (nearest in the data: {label})"


def check_inputs(spec: Spec, panel: pd.DataFrame, *, data_path: Path) -> Inputs:
    """Check the panel against the spec; drop unusable comparison units and name them."""
    freq_of_data = "monthly" if len(str(panel["period"].iloc[0])) == 7 else "yearly"
    if freq_of_data != spec.frequency:
        raise spec_error(
            "intervention", spec.line("intervention"),
            f"'{spec.intervention}' har inte samma periodformat som data "
            f"({panel['period'].iloc[0]}): skriv "
            f"{'ÅÅÅÅ-MM' if freq_of_data == 'monthly' else 'ÅÅÅÅ'}.",
            f"'{spec.intervention}' does not match the data's period format "
            f"({panel['period'].iloc[0]}): write "
            f"{'YYYY-MM' if freq_of_data == 'monthly' else 'YYYY'}.",
        )
    treated = resolve_unit(spec, panel)
    names = unit_names(panel)
    measures = set(panel["measure"].unique())
    for outcome in spec.outcomes:
        if outcome not in measures:
            close = difflib.get_close_matches(outcome, sorted(measures), n=1, cutoff=0.6)
            hint_sv = f" (menade du '{close[0]}'?)" if close else ""
            hint_en = f" (did you mean '{close[0]}'?)" if close else ""
            raise spec_error("outcomes", spec.line("outcomes"),
                             f"nämner '{outcome}', som inte finns i data{hint_sv}: välj bland "
                             f"{', '.join(sorted(measures))}.",
                             f"names '{outcome}', which is not in the data{hint_en}: choose "
                             f"among {', '.join(sorted(measures))}.")
    first, last = str(panel["period"].min()), str(panel["period"].max())
    if not first < spec.intervention <= last:
        raise spec_error(
            "intervention", spec.line("intervention"),
            f"({spec.intervention}) ligger utanför data ({first}–{last}): välj en period inom "
            "dataperioden eller hämta data som täcker insatsen.",
            f"({spec.intervention}) is outside the data ({first}–{last}): choose a period within "
            "the data or fetch data covering the intervention.",
        )
    minimum = MIN_PRE_PERIODS[spec.frequency]
    n_pre = periods_between(first, spec.intervention)
    if n_pre < minimum:
        unit_sv, unit_en = ("månader", "months") if spec.frequency == "monthly" else ("år", "years")
        raise spec_error(
            "intervention", spec.line("intervention"),
            f"ger bara {n_pre} {unit_sv} förperiod (data börjar {first}); minst {minimum} "
            f"{unit_sv} behövs: hämta äldre data eller välj ett senare startdatum.",
            f"leaves only {n_pre} {unit_en} of pre-period (data start {first}); at least "
            f"{minimum} {unit_en} are needed: fetch older data or choose a later start.",
        )
    post_end = spec.post_end or last
    if post_end > last:
        raise spec_error("post_end", spec.line("post_end"),
                         f"({post_end}) ligger efter sista perioden i data ({last}): ta bort raden "
                         "eller välj en tidigare period.",
                         f"({post_end}) is after the last period in the data ({last}): remove "
                         "the line or choose an earlier period.")
    for p in spec.compare_periods:
        if not first <= p <= last:
            raise spec_error("compare_periods", spec.line("compare_periods"),
                             f"innehåller {p}, som ligger utanför data ({first}–{last}): välj "
                             "perioder inom data.",
                             f"contains {p}, outside the data ({first}–{last}): choose periods "
                             "within the data.")
    _check_donor_codes(spec, names, treated)
    expected = period_range(first, post_end)
    where = str(data_path.name) if data_path else "Data"
    dropped: dict[str, str] = {}
    sub = rows_where(panel, panel["measure"].isin(spec.outcomes) & (panel["period"] <= post_end),
                     ["unit", "measure", "period", "value", "status"])
    treated_rows = sub[sub["unit"] == treated]
    starts: dict[str, str] = {}  # each outcome's first period for the treated unit
    for outcome in spec.outcomes:
        rows = treated_rows[treated_rows["measure"] == outcome]
        present = set(rows["period"])
        # The treated unit's own series must be complete from its first observation.
        own_first = min(present) if present else first
        starts[outcome] = own_first
        missing = [p for p in expected if p >= own_first and p not in present]
        if missing or not present:
            gap = missing[0] if missing else first
            raise DataError(
                f"{where} saknar {outcome} för {names.get(treated, treated)} ({treated}) för "
                f"{gap}{' med flera' if len(missing) > 1 else ''}: komplettera filen eller välj "
                "ett annat utfall.",
                f"{where} lacks {outcome} for {names.get(treated, treated)} ({treated}) in {gap}"
                f"{' and more' if len(missing) > 1 else ''}: complete the file or choose another "
                "outcome.",
            )
        if periods_between(own_first, spec.intervention) < minimum:
            raise spec_error(
                "intervention", spec.line("intervention"),
                f"ger för kort förperiod för {outcome} i {names.get(treated, treated)} "
                f"(data börjar {own_first}); minst {minimum} perioder behövs.",
                f"leaves too short a pre-period for {outcome} in {names.get(treated, treated)} "
                f"(data start {own_first}); at least {minimum} periods are needed.",
            )
        suppressed = rows[(rows["status"] == "suppressed") | rows["value"].isna()]
        if len(suppressed):
            p = suppressed["period"].iloc[0]
            raise DataError(
                f"{where}: värdet för {outcome} i {names.get(treated, treated)} {p} är skyddat "
                "eller saknas (t.ex. '<5' eller '..'): välj ett annat utfall eller en period utan "
                "skyddade värden.",
                f"{where}: the value of {outcome} for {names.get(treated, treated)} in {p} is "
                "suppressed or missing (e.g. '<5' or '..'): choose another outcome or a window "
                "without suppressed values.",
            )
    # Comparison units: drop (and name) those with suppressed or missing values.
    # Sources differ in coverage (SCB's monthly BAS from 2020, Socialstyrelsen from 2012): a
    # comparison unit needs each outcome's periods from the treated unit's first one on.
    # (One pass over the rows, then one step per unit and outcome: linear in the rows.)
    others = sub[sub["unit"] != treated]
    start_of = others["measure"].map(starts).fillna(first)
    own = others[others["period"] >= start_of]
    flags = own.assign(_bad=(own["status"] == "suppressed") | own["value"].isna()).groupby(
        ["unit", "measure"]).agg(_bad=("_bad", "any"), _n=("period", "nunique"))
    groups = pd.MultiIndex.from_frame(others[["unit", "measure"]].drop_duplicates())
    flags = flags.reindex(groups.sort_values())
    needed = {m: sum(1 for p in expected if p >= starts.get(m, first)) for m in spec.outcomes}
    for (unit, measure), bad, count in flags.itertuples(name=None):
        if unit in dropped:
            continue
        if not pd.isna(bad) and bool(bad):
            dropped[unit] = "skyddade värden"
        elif (0 if pd.isna(count) else count) < needed.get(measure, len(expected)):
            dropped[unit] = "saknade perioder"
    if dropped:
        panel = panel[~panel["unit"].isin(list(dropped))]
    types = unit_types(panel)
    if isinstance(spec.comparison, list):
        unknown = [c for c in spec.comparison if c not in types and c not in dropped]
        if unknown:
            near = nearest(unknown[0], {u: n for u, n in names.items() if u != treated})
            raise spec_error("comparison", spec.line("comparison"),
                             f"nämner {', '.join(unknown)}, som inte finns i data{near[0]}: "
                             "kontrollera koderna (fyra siffror inom citattecken).",
                             f"names {', '.join(unknown)}, which are not in the data{near[1]}: "
                             "check the codes (four digits in quotes).")
    elif spec.comparison == "riket" and NATIONAL_CODE not in types and not any(
        t == "kommun" for u, t in types.items() if u != treated
    ):
        raise spec_error("comparison", spec.line("comparison"),
                         "är riket, men data har varken riket (00) eller andra kommuner: "
                         "lägg till jämförelsedata.",
                         "is riket, but the data has neither riket (00) nor other municipalities: "
                         "add comparison data.")
    measures = resolve_measures(spec, panel)
    from evaluation.data.validity import check_outcome_values, check_population, check_unit_codes

    if not simulated_path(data_path):
        check_unit_codes(panel, where)
    check_population(panel, names=names, source=where)
    check_outcome_values(panel, outcomes=list(spec.outcomes),
                         kinds={m: info.kind for m, info in measures.items()},
                         treated=treated, intervention=spec.intervention, names=names,
                         source=where)
    declare_measures(measures)
    return Inputs(
        spec=spec, panel=panel.reset_index(drop=True), treated=treated,
        treated_name=names.get(treated, treated), post_end=post_end, data_path=data_path,
        data_sha256=sha256_file(data_path), dropped=dropped, measures=measures,
    )


def resolve_measures(spec: Spec, panel: pd.DataFrame) -> dict[str, Measure]:
    """What each outcome is — rate, count or level, and its unit — decided once per evaluation.

    In this order: the spec's ``outcome_kinds``; the panel's ``kind``/``unit_text`` columns;
    for a Kolada source (or an outcome named by a KPI id) the KPI catalogue's title ("…, andel
    (%)", "…, antal", "…, kr/inv"); the shipped measure list; else the outcome is a level in
    neutral units (never a rate in procentenheter, never a count that needs a population).
    :func:`check_inputs` registers the result (:func:`evaluation.data.panel.declare_measures`),
    so every design, check and report text reads the same kind through ``measure_info``.
    """
    # the outcomes, and the other measures the spec fetches or declares (the comparison
    # group's and the target's measures are labelled the same way)
    names = list(dict.fromkeys([*spec.outcomes, *spec.sources, *spec.outcome_kinds]))
    in_data = {m: v for m, v in panel_measures(panel).items() if m in names}
    kolada = _kolada_measures(spec, names)
    out: dict[str, Measure] = {}
    for name in names:
        shipped = MEASURES.get(name)
        if name in spec.outcome_kinds:
            entry = dict(spec.outcome_kinds[name])
            out[name] = declared_measure(name, entry.pop("kind"), origin="spec", **entry)
        elif name in in_data:
            out[name] = in_data[name]
        elif name in kolada:
            found = kolada[name]
            out[name] = shipped if shipped and shipped.kind == found.kind else found
        elif shipped is not None:
            out[name] = shipped
        else:
            out[name] = undeclared(name)
    return out


def _kolada_measures(spec: Spec, names: list[str] | None = None) -> dict[str, Measure]:
    """Measures whose KPI title in Kolada's stored catalogue says what they are."""
    names = list(spec.outcomes) if names is None else names
    kpis = {name: str(spec.sources[name]["kpi"]) for name in names
            if spec.sources.get(name, {}).get("source") == "kolada"}
    kpis.update({name: name for name in names
                 if name not in kpis and re.fullmatch(r"[A-Z]\d{5}", name)})
    if not kpis:
        return {}
    from evaluation.errors import EvaluationError
    from evaluation.sources import kolada

    try:
        catalog = kolada.fetch_kpi_catalog(offline=True)  # stored by 'evaluation fetch'
    except EvaluationError:
        return {}
    titles = dict(zip(catalog["id"], catalog["title"], strict=True))
    out = {}
    for name, kpi in kpis.items():
        title = titles.get(kpi)
        if title:
            kind, unit_sv, unit_en = kolada.kpi_kind(title)
            out[name] = declared_measure(name, kind, unit_sv=unit_sv, unit_en=unit_en,
                                         label_sv=title, label_en=title, origin="kolada")
    return out


# --------------------------------------------------------------------------- designs
def _check_donor_codes(spec: Spec, names: dict[str, str], treated: str) -> None:
    """Refuse a code under ``donors`` (units, exclude, similar_reforms) that is not in the
    data, naming the nearest code that is: a typo would otherwise leave a neighbour in the
    comparison, or an empty list of donors, with nobody told."""
    for key in ("units", "exclude", "similar_reforms"):
        unknown = [c for c in spec.donors.get(key) or [] if c not in names]
        if not unknown:
            continue
        line = spec.line(f"donors.{key}") or spec.line("donors")
        near = nearest(unknown[0], {u: n for u, n in names.items() if u != treated})
        more_sv = f" (och {len(unknown) - 1} till)" if len(unknown) > 1 else ""
        more_en = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise spec_error(
            f"donors.{key}", line,
            f"nämner '{unknown[0]}'{more_sv}, som inte finns i data{near[0]}: rätta koden eller "
            "ta bort den – annars räknas fel kommuner som jämförelse.",
            f"names '{unknown[0]}'{more_en}, which is not in the data{near[1]}: correct the "
            "code or remove it – otherwise the wrong municipalities are compared with.",
        )


def design_post_requirements(spec: Spec, *, post_end: str,
                             first: str | None = None) -> dict[str, dict[str, Any]]:
    """What each of the spec's designs needs of the post window, and whether it has it.

    Every design needs one period after the change (the spec makes ``post_end`` at least the
    intervention). The decomposition compares the windows ending at ``compare_periods``
    (``compare_window`` periods each): its later period must lie within the post window
    (``post_end`` at least ``compare_periods[1]``) and its base window must start within the
    data (at or after ``first``, the evaluated kommun's first period). A design whose window
    is not there is skipped and says so; it is not an error unless no design can run.

    Returns
    -------
    dict
        Design name -> ``{"needs": last period needed, "ok": bool, "key": the spec key to
        change (``post_end``, ``compare_periods``) or None, "sv"/"en": the note (the design
        is skipped, and why), "why_sv"/"why_en" and "fix_sv"/"fix_en": its parts}`` (texts
        empty when ``ok``), in report order.
    """
    from evaluation.designs.registry import designs

    out: dict[str, dict[str, Any]] = {}
    for design in designs(spec.designs):
        entry: dict[str, Any] = {"needs": spec.intervention, "ok": True, "key": None,
                                 "sv": "", "en": "", "why_sv": "", "why_en": "",
                                 "fix_sv": "", "fix_en": ""}
        if design.name == "decomposition" and len(spec.compare_periods) == 2:
            t0, t1 = spec.compare_periods
            window = max(int(spec.compare_window), 1)
            base = shift_period(t0, -(window - 1))
            entry["needs"] = t1
            if post_end < t1:
                entry.update(
                    ok=False, key="post_end",
                    why_sv=(f"dekompositionen jämför {t0} med {t1}, men efterperioden slutar "
                            f"{post_end} (post_end)"),
                    why_en=(f"the decomposition compares {t0} with {t1}, but the post window "
                            f"ends {post_end} (post_end)"),
                    fix_sv=f"välj post_end {t1} eller senare, eller tidigare compare_periods",
                    fix_en=f"choose post_end {t1} or later, or earlier compare_periods")
            elif first is not None and base < first:
                entry.update(
                    ok=False, key="compare_periods",
                    why_sv=(f"dekompositionens basfönster ({compare_text(base, t0)}, "
                            f"compare_window {window}) börjar före data ({first})"),
                    why_en=(f"the decomposition's base window ({compare_text(base, t0)}, "
                            f"compare_window {window}) starts before the data ({first})"),
                    fix_sv="välj ett kortare compare_window eller senare compare_periods",
                    fix_en="choose a shorter compare_window or later compare_periods")
            if not entry["ok"]:
                entry["sv"] = (f"{entry['why_sv'][0].upper()}{entry['why_sv'][1:]}, så den "
                               f"hoppas över: {entry['fix_sv']}.")
                entry["en"] = (f"{entry['why_en'][0].upper()}{entry['why_en'][1:]}, so it is "
                               f"skipped: {entry['fix_en']}.")
        out[design.name] = entry
    return out


def compare_text(a: str, b: str) -> str:
    return a if a == b else f"{a}–{b}"


def check_designs(inputs: Inputs) -> list[dict[str, str | None]]:
    """The designs of the spec that cannot run on these inputs, each with its sentence
    (:attr:`Inputs.design_notes`) — or a refusal when the spec's own settings make them
    impossible, or when no design can run for an outcome.

    * a post window too short for a design (:func:`design_post_requirements`): the design is
      skipped;
    * donor settings (``donors``) that leave fewer donors than the comparison-group designs
      need (:data:`evaluation.designs.donors.MIN_DONORS`) or none: refused
      (:class:`SpecError` naming ``donors``, its line and the fix) — the same pool the report
      would use; with the default settings (every kommun in the data) too few kommuner in the
      data only skip those designs;
    * an outcome for which no chosen design can run: refused, naming ``post_end`` or
      ``designs``.
    """
    from evaluation.designs.registry import designs

    spec = inputs.spec
    chosen = designs(spec.designs)
    first = min(inputs.pre_periods().get(o, {}).get("first", inputs.first_period)
                for o in spec.outcomes)
    notes: list[dict[str, str | None]] = []
    post = design_post_requirements(spec, post_end=inputs.post_end, first=first)
    for name, entry in post.items():
        if not entry["ok"]:
            notes.append({"design": name, "outcome": None, "key": entry["key"],
                          "sv": entry["sv"], "en": entry["en"],
                          "why_sv": entry["why_sv"], "why_en": entry["why_en"],
                          "fix_sv": entry["fix_sv"], "fix_en": entry["fix_en"]})
    donor_designs = [d.name for d in chosen if d.needs_donors and post[d.name]["ok"]]
    if donor_designs:
        from evaluation.evaluate import Evaluation

        evaluation = Evaluation(inputs=inputs)
        custom = spec.donors != default_donors()
        listed = ", ".join(donor_designs)
        for outcome in spec.outcomes:
            try:
                evaluation.donor_pool(outcome)
            except DesignError as exc:
                if custom:
                    line = spec.line("donors")
                    raise SpecError(
                        f"{exc.sv.rstrip('.')} – ändra 'donors'"
                        f"{f' (rad {line})' if line else ''} eller ta bort {listed} ur designs.",
                        f"{exc.en.rstrip('.')} – change 'donors'"
                        f"{f' (line {line})' if line else ''} or remove {listed} from designs.",
                    ) from None
                notes += [{"design": d, "outcome": outcome, "key": "donors", "sv": exc.sv,
                           "en": exc.en} for d in donor_designs]
    for outcome in spec.outcomes:
        skipped = {n["design"] for n in notes if n["outcome"] in (None, outcome)}
        if all(d.name in skipped for d in chosen):
            reasons = [n for n in notes if n["outcome"] in (None, outcome)]
            keys = {n["key"] for n in reasons}
            key = keys.pop() if len(keys) == 1 and "donors" not in keys else "designs"
            first = reasons[0]
            if first.get("why_sv"):
                why_sv = f"{first['why_sv']}; {first['fix_sv']}"
                why_en = f"{first['why_en']}; {first['fix_en']}"
            else:
                why_sv, why_en = first["sv"].rstrip("."), first["en"].rstrip(".")
            raise spec_error(
                key, spec.line(key),
                f"lämnar ingen design som kan köras för {outcome}: {why_sv}"
                f"{' – eller lägg till its under designs' if key != 'designs' else ''}.",
                f"leaves no design that can run for {outcome}: {why_en}"
                f"{' – or add its under designs' if key != 'designs' else ''}.",
            )
    return notes
