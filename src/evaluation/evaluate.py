"""One evaluation from spec to results and report files — what the notebook calls.

The notebook stays a report: each cell is one call here, and every number or sentence it shows
comes from the results.
"""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from evaluation import paths
from evaluation.data import memo
from evaluation.data.panel import declare_measures, measure_info
from evaluation.designs.registry import names as design_names
from evaluation.errors import DesignError
from evaluation.inputs import Inputs, load_inputs, take_over
from evaluation.results import CI_LEVEL, EffectResult, clean_json, copy_json, pre_period_mean
from evaluation.spec import KEYS as SPEC_KEYS
from evaluation.spec import Spec, validate_values
from evaluation.truth import truth_for

#: Default designs in report order (national comparisons first, then the comparison-group
#: designs against the donor pool), as the registry declares them.
DESIGNS = design_names(default_only=True)
PRIMARY_DESIGN = "its"


def spec_from_parameters(**parameters: Any) -> Spec:
    """Re-validate notebook parameters (papermill passes the validated spec's values)."""
    raw = {k: v for k, v in parameters.items() if v is not None and k in SPEC_KEYS}
    raw = {k: (str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
           for k, v in raw.items()}
    return validate_values(raw, path=parameters.get("spec_path") or None)


def _reads_panels(step: Callable[..., Any]) -> Callable[..., Any]:
    """A step that reads the evaluation's panels without changing them: the per-panel memory
    checks each panel's fingerprint at its first use in the step and at the step's end, not
    at every question (:func:`evaluation.data.memo.unchanged_panels`)."""

    @functools.wraps(step)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with memo.unchanged_panels():
            return step(*args, **kwargs)

    return wrapper


@dataclass
class Evaluation:
    """A loaded evaluation: validated inputs, and the results once :meth:`estimate` ran."""

    inputs: Inputs
    results: list[EffectResult] = field(default_factory=list)
    checks: list[Any] = field(default_factory=list)
    donor_pools: dict[str, Any] = field(default_factory=dict)  # outcome -> DonorPool
    # (outcome, design) -> why a design could not be run (e.g. no comparison municipalities)
    skipped: dict[tuple[str, str], DesignError] = field(default_factory=dict)
    sensitivity_grid: Any = None  # pandas DataFrame once :meth:`sensitivity` ran
    horizons: dict[str, Any] = field(default_factory=dict)  # outcome -> :meth:`horizon`
    peer_table: Any = None  # DataFrame once :meth:`peers` ran with a comparison_group
    target_result: Any = None  # dict once :meth:`target_follow_up` ran with a target
    pooled_result: Any = None  # PooledEvidence once :meth:`pooled` ran with a pooled block
    _pooled_placed: Any = field(default=None, repr=False)  # (lead records, summary["pooled"])

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_spec(cls, spec: Spec) -> "Evaluation":
        return cls(inputs=load_inputs(spec))

    @classmethod
    def from_parameters(cls, *, checked_inputs: str = "", **parameters: Any) -> "Evaluation":
        """The notebook's parameters; ``checked_inputs`` is where ``evaluation run`` left the
        data it read and checked (:func:`~evaluation.inputs.take_over`), empty when the
        notebook is run by hand."""
        spec = spec_from_parameters(**parameters)
        return cls(inputs=take_over(spec, checked_inputs))

    @property
    def spec(self) -> Spec:
        return self.inputs.spec

    @property
    def language(self) -> str:
        return self.spec.language

    @property
    def simulated(self) -> bool:
        return self.inputs.simulated

    # ------------------------------------------------------------------ estimation
    @_reads_panels
    def estimate(self) -> list[EffectResult]:
        """Run every design for every outcome; warnings go into each result's diagnostics.

        The spec's excluded kommuner (``donors.exclude``, ``donors.similar_reforms``) leave every
        design: the donor pool, and — through :meth:`Inputs.comparison_panel` — the comparison
        series of the ITS and the decomposition and the decomposition's reference kommuner
        (a published national row that still contains them says so in its diagnostics).
        Effects are labelled in each outcome's declared unit (``Inputs.measures``).
        The designs are the spec's ``designs:`` (default: every registered default design,
        :mod:`evaluation.designs.registry`), in report order.
        """
        from evaluation.designs.registry import EvaluationContext

        spec, inputs = self.spec, self.inputs
        if inputs.measures:  # this evaluation's declarations, also after another was loaded
            declare_measures(inputs.measures)
        national_panel = inputs.comparison_panel()
        results = []
        self.skipped = {}
        chosen = self.designs()
        for outcome in spec.outcomes:
            pool, pool_error = None, None
            if any(d.needs_donors for d in chosen):
                try:
                    pool = self.donor_pool(outcome)
                except DesignError as exc:  # e.g. data with only the kommun and riket
                    pool_error = exc
            context = EvaluationContext(
                panel=inputs.panel, national_panel=national_panel, outcome=outcome,
                treated=inputs.treated, intervention=spec.intervention,
                post_end=inputs.post_end, comparison=spec.comparison,
                compare_periods=tuple(spec.compare_periods), compare_window=spec.compare_window,
                donors=pool, seed=spec.seed, ci_level=CI_LEVEL)
            too_short = inputs.skipped_designs(outcome)  # e.g. a post window too short
            for design in chosen:
                note = too_short.get(design.name)
                if note is not None:
                    self.skipped[(outcome, design.name)] = DesignError(note["sv"], note["en"])
                    continue
                if design.needs_donors and pool_error is not None:
                    self.skipped[(outcome, design.name)] = pool_error
                    continue
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        result = design.estimate(context)
                    except DesignError as exc:
                        if not design.needs_donors:
                            raise
                        # the comparison-group designs need comparison municipalities; the
                        # national designs still answer, and the report says why these did not
                        self.skipped[(outcome, design.name)] = exc
                        continue
                if caught:
                    result.diagnostics.setdefault("warnings", []).extend(
                        sorted({str(w.message) for w in caught})
                    )
                # every design's effect is in the outcome's declared unit
                result.unit = (inputs.measures.get(outcome) or measure_info(outcome)).effect_unit
                result.truth = truth_for(result, inputs.truth)
                results.append(result)
        self.results = results
        return results

    def designs(self) -> list[Any]:
        """The designs this evaluation runs (the spec's ``designs:`` or the registry's
        defaults), in report order."""
        from evaluation.designs.registry import designs

        return designs(self.spec.designs)

    @cached_property
    def _unit_tables(self) -> tuple[Any, Any]:
        """Units table and municipality groups for the donor pools, read once per evaluation:
        the demo's; Kolada's groups as fetched with a spec's ``sources`` (when its pool needs
        them); otherwise none (the pool is then every kommun in the data, or a list)."""
        from evaluation.designs.donors import GroupTable

        if not self.inputs.simulated:
            from evaluation.sources.collect import groups_path

            path = groups_path(self.spec.evaluation_id)
            if self.spec.sources and path.is_file():
                import pandas as pd

                return None, GroupTable.from_frame(pd.read_parquet(path), source="Kolada")
            return None, None
        from evaluation.data import demo

        return (demo.load_demo_units(),
                GroupTable.from_frame(demo.load_demo_groups(), source="demo"))

    def donor_pool(self, outcome: str) -> Any:
        """The spec's donor pool for ``outcome`` (kept for the report and summary.json)."""
        from evaluation.designs.donors import donor_pool

        inputs = self.inputs
        units, groups = self._unit_tables
        periods = inputs.panel.loc[(inputs.panel["measure"] == outcome)
                                   & (inputs.panel["unit"] == inputs.treated), "period"]
        pool = donor_pool(inputs.panel, treated=inputs.treated, outcome=outcome,
                          config=self.spec.donors, units=units, groups=groups,
                          start=str(periods.min()), end=inputs.post_end, lines=self.spec.lines)
        self.donor_pools[outcome] = pool
        return pool

    @_reads_panels
    def assess(self) -> list[Any]:
        """False-alarm rate and power of each result's design on comparison units like this one
        ("Hur säkra är slutsatserna?"), seeded from the spec."""
        from evaluation.checks.reliability import reliability

        self.checks = [
            reliability(self.inputs.panel, r, comparison=self.spec.comparison,
                        seed=self.spec.seed)
            for r in self.results
        ]
        return self.checks

    @_reads_panels
    def sensitivity(self) -> Any:
        """Every design re-estimated under other reasonable choices (anticipation, phase-in,
        the spec's ``intervention_variants``, a later pre-period start, without 2020–21);
        flips feed the verdict (:mod:`evaluation.checks.sensitivity`)."""
        from evaluation.checks.sensitivity import run_grid

        self.sensitivity_grid = run_grid(self, named=self.spec.intervention_variants)
        return self.sensitivity_grid

    @_reads_panels
    def horizon(self) -> dict[str, Any]:
        """"Hur många månader till?": for every outcome whose verdict is *data räcker inte*
        (rule R5), the post window at which the lead design's minimum detectable effect would
        reach the smallest relevant one — or that more months will not help
        (:mod:`evaluation.checks.horizon`). Run after :meth:`assess` and :meth:`sensitivity`."""
        from evaluation.checks.horizon import NOT_APPLICABLE, horizon

        draft = {"results": [r.to_dict() for r in self.results],
                 "checks": [c.to_dict() for c in self.checks],
                 "sensitivity": (None if self.sensitivity_grid is None
                                 else self.sensitivity_grid.to_dict(orient="records")),
                 "primary_design": self.spec.primary_design or PRIMARY_DESIGN}
        self.horizons = {}
        for outcome, v in self.verdicts(draft).items():
            lead, bound = v.get("lead"), v.get("relevant_effect")
            if v.get("rule") != "R5" or lead in NOT_APPLICABLE or not bound:
                continue
            result = self.result(outcome, lead)
            if result.kind == "count" and v.get("relevant_scale") != "relative":
                pre = pre_period_mean(result.frame)  # the MDE of a count is a share
                bound = bound / abs(float("nan") if pre is None else pre)
            own = next((c.details.get("mde") for c in self.checks
                        if c.design == lead and c.outcome == outcome), None)
            self.horizons[outcome] = horizon(self.inputs.panel, result, float(bound),
                                             comparison=self.spec.comparison,
                                             seed=self.spec.seed, own_mde=own)
        return self.horizons

    @cached_property
    def full_panel(self) -> Any:
        """The whole panel as loaded (every measure and unit, before the outcome checks drop
        comparison units): what the descriptive sections read."""
        if self.inputs.as_read is not None:
            return self.inputs.as_read
        if self.inputs.simulated:
            from evaluation.data import demo

            return demo.load_demo(frequency=self.spec.frequency)[0]
        from evaluation.inputs import read_panel

        return read_panel(self.inputs.data_path)

    def peers(self) -> Any:
        """The spec's ``comparison_group``: the kommun against each peer and the group mean,
        per year, with ranks (:mod:`evaluation.peers`; descriptive, no effect). None without
        the block."""
        from evaluation.peers import peer_comparison

        if not self.spec.comparison_group:
            return None
        _units, groups = self._unit_tables
        self.peer_table, _group = peer_comparison(
            self.full_panel, self.spec.comparison_group, treated=self.inputs.treated,
            outcomes=list(self.spec.outcomes), groups=groups)
        return self.peer_table

    def target_panel(self) -> Any:
        """The full panel, with the target's measure added when the spec counts it from a
        share of the adults (``from_share``: Kolada's N31816 × invånare 18+ / 100)."""
        import pandas as pd

        from evaluation.target import long_term_count

        panel = self.full_panel
        share = (self.spec.target or {}).get("from_share")
        if not share:
            return panel
        keys = ["unit", "period"]
        a = panel[panel["measure"] == share["share"]].set_index(keys)["value"]
        b = panel[panel["measure"] == share["adults"]].set_index(keys)["value"]
        both = pd.concat([a.rename("share"), b.rename("adults")], axis=1, join="inner")
        if both.empty:
            from evaluation.errors import DataError

            raise DataError(
                f"Målet räknas från {share['share']} och {share['adults']}, men data har inga "
                "år med båda: lägg till dem under sources.",
                f"The target is counted from {share['share']} and {share['adults']}, but the "
                "data have no year with both: add them under sources.")
        names = panel.drop_duplicates("unit").set_index("unit")["unit_name"]
        rows = both.reset_index()
        derived = pd.DataFrame({
            "unit": rows["unit"], "unit_name": rows["unit"].map(names),
            "period": rows["period"], "measure": self.spec.target["measure"],
            # persons: Kolada's share has two decimals, so the count is rounded to whole persons
            "value": np.round(long_term_count(rows["share"].to_numpy(),
                                              rows["adults"].to_numpy())),
            "status": "final"})
        return pd.concat([panel, derived], ignore_index=True)

    def target_follow_up(self) -> dict[str, Any] | None:
        """The spec's ``target``: progress against the target path and how much the national
        trend would have delivered anyway (:func:`evaluation.target.follow_up`)."""
        from evaluation.target import follow_up

        if not self.spec.target:
            return None
        target = {k: v for k, v in self.spec.target.items() if k != "from_share"}
        kind = "count" if self.spec.target.get("from_share") else None
        self.target_result = follow_up(self.target_panel(), target,
                                       treated=self.inputs.treated, kind=kind).to_dict()
        return self.target_result

    @_reads_panels
    def pooled(self) -> Any:
        """The spec's ``pooled`` block: every kommun that made the same change, pooled by the
        staggered-adoption design, per outcome (:func:`evaluation.pooled.pooled_evidence`;
        computed once, well under a second). None without the block. The kommun's own
        estimate is placed among them when the summary is built (:meth:`summary`)."""
        if not self.spec.pooled:
            return None
        if self.pooled_result is None:
            from evaluation.pooled import pooled_evidence

            self.pooled_result = pooled_evidence(
                self.inputs.panel, self.spec.pooled, treated=self.inputs.treated,
                intervention=self.spec.intervention, post_window=self.inputs.post_window,
                outcomes=list(self.spec.outcomes), measures=self.inputs.measures,
                exclude=self.spec.donors.get("exclude", []),
                treated_name=self.inputs.treated_name, base_dir=self.spec.base_dir,
                lines=self.spec.lines, alpha=1 - CI_LEVEL)
        return self.pooled_result

    def _pooled_summary(self, summary: dict[str, Any]) -> dict[str, Any] | None:
        """``summary["pooled"]``: the pooled estimate with the kommun's own estimate — the
        verdict's lead design per outcome — placed among the cohorts' effects."""
        evidence = self.pooled()
        if evidence is None:
            return None
        from evaluation.pooled import lead_records

        records = lead_records(summary)
        key = json.dumps(records, sort_keys=True, default=str)
        if self._pooled_placed is None or self._pooled_placed[0] != key:  # once per lead set
            evidence.place_own(records)
            self._pooled_placed = (key, clean_json(evidence.to_dict()))
        return self._pooled_placed[1]

    def result(self, outcome: str, design: str) -> EffectResult:
        for r in self.results:
            if r.outcome == outcome and r.design == design:
                return r
        raise KeyError((outcome, design))

    # ------------------------------------------------------------------ summary
    def treated_series(self) -> dict[str, dict[str, float]]:
        """The evaluated kommun's values per outcome and period (to find revised months)."""
        p = self.inputs.panel
        sub = p[(p["unit"] == self.inputs.treated) & p["measure"].isin(self.spec.outcomes)]
        return {m: {str(k): float(v) for k, v in zip(g["period"], g["value"], strict=True)}
                for m, g in sub.groupby("measure")}

    def treated_status(self) -> dict[str, dict[str, str]]:
        """The evaluated kommun's preliminary periods per outcome (to find values that became
        final); final values are not listed."""
        p = self.inputs.panel
        sub = p[(p["unit"] == self.inputs.treated) & p["measure"].isin(self.spec.outcomes)
                & (p["status"] == "preliminary")]
        return {m: {str(k): "preliminary" for k in g["period"]}
                for m, g in sub.groupby("measure")}

    @cached_property
    def previous_published(self) -> dict[str, Any] | None:
        """The summary of the newest published report of the same settings (read once, before
        this run publishes): change notes compare only reports of one configuration."""
        from evaluation import history
        from evaluation.spec import settings_key

        return history.previous_summary(self.spec.evaluation_id, settings_key(self.spec))

    def changes(self, current: dict[str, Any]) -> dict[str, Any]:
        """What changed since the previous published vintage (``history.compare``); an
        identical rerun keeps the changes recorded when this vintage first ran."""
        from evaluation import history

        previous = self.previous_published
        if previous and previous.get("data_vintage") == current.get("data_vintage"):
            return previous.get("changes") or history.compare(None, current)
        return history.compare(previous, current)

    #: What :meth:`summary` (and the report's section figures) read that a step of the
    #: evaluation replaces or adds to.
    STATE_PARTS = ("results", "checks", "sensitivity_grid", "horizons", "target_result",
                   "pooled_result", "peer_table", "skipped", "donor_pools")

    def state_objects(self) -> tuple:
        """The objects :meth:`_summary_state` identifies (held by a memory keyed on that
        state, so that their ids cannot be reused while it lives)."""
        return (*(getattr(self, name, None) for name in self.STATE_PARTS), self.spec,
                self.inputs)

    def _summary_state(self) -> tuple:
        """What :meth:`summary` reads that a step of the evaluation replaces or adds to: the
        identity (and, for what is filled in place, the size) of each part."""
        state = []
        for name in self.STATE_PARTS:
            value = getattr(self, name, None)
            state.append((name, id(value), len(value) if isinstance(value, (list, dict))
                          else None))
        return (*state, self.language, id(self.spec), id(self.inputs))

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` document.

        Built once per state of the evaluation (the report's cells ask for it a dozen times):
        a step that replaces or adds results, checks, the grid, horizons, the target, pooled
        or peer results rebuilds it; each caller gets its own copy."""
        key = self._summary_state()
        cached = getattr(self, "_summary_cache", None)
        if cached is None or cached[0] != key:
            self._summary_cache = cached = (key, self._build_summary())
        return copy_json(cached[1])

    def _build_summary(self) -> dict[str, Any]:
        from evaluation.spec import settings_key

        spec, inputs = self.spec, self.inputs
        results = [r.to_dict() for r in self.results]
        _label_roles(results, spec.primary_outcome or spec.outcomes[0],
                     spec.primary_design or PRIMARY_DESIGN)
        truth = None
        if inputs.simulated:
            truth = {r["outcome"]: r["truth"] for r in results
                     if r["design"] == PRIMARY_DESIGN and r["truth"] is not None} or None
        out = clean_json({
            "evaluation": spec.evaluation_id,
            "title": self.title(),
            "data_vintage": inputs.data_vintage,
            "settings": settings_key(spec),
            "treated": {"code": inputs.treated, "name": inputs.treated_name},
            "intervention": spec.intervention,
            "post_period": list(inputs.post_window),
            "compare_periods": list(spec.compare_periods),
            "compare_window": spec.compare_window,
            "donors": spec.donors,
            "donor_pools": {o: p.to_dict() for o, p in self.donor_pools.items()},
            "skipped": [{"outcome": o, "design": d, "reason_sv": e.sv, "reason_en": e.en}
                        for (o, d), e in self.skipped.items()],
            "comparison": spec.comparison,
            "frequency": spec.frequency,
            "language": spec.language,
            "ci_level": CI_LEVEL,
            "primary_design": spec.primary_design or PRIMARY_DESIGN,
            "primary_outcome": spec.primary_outcome or spec.outcomes[0],
            "smallest_relevant_effect": spec.smallest_relevant_effect or None,
            "plan": self.plan_status(),
            "simulated": inputs.simulated,
            "results": results,
            "checks": [c.to_dict() for c in self.checks],
            "sensitivity": (None if self.sensitivity_grid is None
                            else self.sensitivity_grid.to_dict(orient="records")),
            "verdict": None,
            "truth": truth,
            "treated_series": self.treated_series(),
            "treated_status": self.treated_status(),
        })
        out["verdict"] = clean_json(self.verdicts(out)) or None
        out["cost"] = clean_json(cost_of(out, self.spec.cost))
        out["target"] = clean_json(self.target_result)
        out["comparison_group"] = clean_json(self._peer_summary())
        out["pooled"] = clean_json(self._pooled_summary(out))
        out["changes"] = clean_json(self.changes(out))
        return out

    def _peer_summary(self) -> dict[str, Any] | None:
        """The kommun's place in its comparison group per measure and year (descriptive)."""
        table = self.peer_table
        if table is None:
            return None
        mine = table[table["treated"]]
        return {"group_id": table.attrs.get("group_id"),
                "group_title": table.attrs.get("group_title"),
                "members": list(table.attrs.get("members") or []),
                "descriptive": True,
                "rows": [{"measure": r.measure, "year": r.year, "value": r.value,
                          "compared": r.compared, "basis": r.basis, "rank": r.rank,
                          "n_ranked": r.n_ranked, "group_mean": r.group_mean}
                         for r in mine.itertuples()]}

    def verdicts(self, summary: dict[str, Any]) -> dict[str, Any]:
        """One verdict per outcome across the designs (:mod:`evaluation.verdict`), from the
        same records as ``summary.json``'s results and checks."""
        from evaluation.verdict import decide_all

        means = {}
        for r in self.results:
            pre = pre_period_mean(r.frame)
            if pre is not None and r.outcome not in means:
                means[r.outcome] = pre
        verdicts = decide_all(summary, pre_means=means,
                              relevant=self.spec.smallest_relevant_effect)
        return {o: {**v.to_dict(), "horizon": self.horizons.get(o)}
                for o, v in verdicts.items()}

    def plan_status(self) -> dict[str, Any] | None:
        """This run against the recorded analysis plan (:func:`evaluation.plan.compare`);
        None when the plan cannot be read (the report then says so through its absence)."""
        from evaluation import plan
        from evaluation.errors import EvaluationError

        try:
            return plan.compare(self.spec)
        except EvaluationError:
            return None

    # ------------------------------------------------------------------ outputs
    def output_dir(self, requested: str = "") -> Path:
        if requested:
            return Path(requested)
        return paths.reports_dir() / self.spec.evaluation_id / "arbetskopia"

    def figure_source(self, outcome: str | None = None) -> str:
        """The "Källa" of a figure or table: the outcome's sources, else all of them."""
        found = getattr(self, "_sources", None)
        if found is None or found[0] is not self.inputs:  # the data box's sources, read once
            info = self.inputs.data_info()
            found = self._sources = (self.inputs, info.get("sources_by_measure") or {},
                                     str(info.get("source") or ""))
        names = found[1].get(outcome) if outcome else None
        return ", ".join(names) if names else found[2]

    def write_outputs(self, folder: str | Path) -> list[Path]:
        """Write summary.json, figures (PNG+SVG), tables (XLSX+CSV) and sammanfattning.md."""
        from evaluation.report import figures, tables

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        lang = self.language
        written: list[Path] = []
        summary = self.summary()
        summary_path = folder / "summary.json"
        summary_path.write_text(
            json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n",
            encoding="utf-8",
        )
        written.append(summary_path)
        fig_dir, tab_dir = folder / "figurer", folder / "tabeller"
        source_of = self.figure_source
        common = {"simulated": self.simulated, "language": lang}
        from evaluation.report import figure_files
        from evaluation.report.figure_files import design_figure_files

        for r in self.results:
            stem = f"{r.outcome}_{r.design}"
            for drawn in design_figure_files(self, r):  # drawn once for page and files
                written += figures.write_figure_files(drawn.files, fig_dir,
                                                      f"{stem}{drawn.suffix}")
            weights = tables.weights_table(r, language=lang, formatted=False)
            if not weights.empty:
                written += tables.write_table(weights, tab_dir, f"{stem}_vikter",
                                              source=source_of(r.outcome), **common)
            written += tables.write_table(tables.effects_table(r, language=lang), tab_dir,
                                          stem, source=source_of(r.outcome), **common)
        written += tables.write_table(
            tables.results_table(summary["results"], language=lang), tab_dir, "resultat",
            title=self.title(), source=source_of(), **common)
        if summary.get("sensitivity"):
            sens = tables.sensitivity_table(summary["sensitivity"], lang)
            if not sens.empty:
                written += tables.write_table(sens, tab_dir, "kanslighet", title=self.title(),
                                              source=source_of(), **common)
            for outcome in self.spec.outcomes:  # drawn once for page and files
                for drawn in figure_files.sensitivity_files(self, outcome):
                    written += figures.write_figure_files(drawn.files, fig_dir, drawn.suffix)
        if self.target_result is not None:
            from evaluation.report.target_report import target_table

            for drawn in figure_files.target_files(self):
                written += figures.write_figure_files(drawn.files, fig_dir, drawn.suffix)
            written += tables.write_table(target_table(self.target_result, lang), tab_dir,
                                          "mal", title=self.title(), source=source_of(),
                                          **common)
        if self.peer_table is not None:
            from evaluation.report.peer_report import peer_rank_table

            for drawn in figure_files.peer_files(self):
                written += figures.write_figure_files(drawn.files, fig_dir, drawn.suffix)
            written += tables.write_table(peer_rank_table(self.peer_table, lang), tab_dir,
                                          "jamforelse", title=self.title(),
                                          source=source_of(), **common)
        pooled = summary.get("pooled")
        if pooled:
            from evaluation.report import text as wording
            from evaluation.report.pooled_report import pooled_source, pooled_table

            where = pooled_source(pooled, source_of())
            for drawn in figure_files.pooled_files(self, pooled):
                written += figures.write_figure_files(drawn.files, fig_dir, drawn.suffix)
            written += tables.write_table(pooled_table(pooled, lang), tab_dir, "samma_forandring",
                                          title=wording.t("pooled.table.caption", lang),
                                          source=where, **common)
        md = folder / "sammanfattning.md"
        md.write_text(self.narrative_markdown(summary), encoding="utf-8")
        written.append(md)
        # the Word appendix: the same summary's numbers, the figures just written, captions,
        # sources and provenance (evaluation.report.docx_report)
        from evaluation.report import docx_report

        written.append(docx_report.write_bilaga(
            folder / "bilaga.docx",
            **docx_report.bilaga_arguments(self, folder, summary=summary)))
        return written

    # ------------------------------------------------------------------ text
    def title(self) -> str:
        from evaluation.report import text

        return self.spec.title or text.t(
            "title", self.language, name=self.inputs.treated_name,
            period=_period_label(self.spec.intervention, self.language),
        )

    def narrative_markdown(self, summary: dict[str, Any] | None = None) -> str:
        """The narrative as text to paste into Word (sammanfattning.md)."""
        from evaluation.report import text

        summary = summary or self.summary()
        lang = self.language
        parts = [f"# {self.title()}", ""]
        if self.simulated:
            parts += [f"**{text.t('simulated_banner', lang)}**", ""]
        parts += [f"## {text.t('section_summary', lang)}", "", text.headline(summary, lang), ""]
        parts += [f"## {text.t('section_results', lang)}", ""]
        for r in summary["results"]:
            parts.append(f"- {text.result_sentence(r, lang)}")
            if r.get("truth"):
                parts.append(f"  {text.truth_text(r, lang)}")
        parts += ["", f"## {text.t('section_conclusions', lang)}", "",
                  text.conclusion_text(summary, lang), ""]
        return "\n".join(parts)


def cost_of(summary: dict[str, Any], cost: dict[str, Any]) -> dict[str, Any] | None:
    """The effect in kronor against the programme's cost (the spec's ``cost``), from the
    verdict's lead design for the cost outcome: Σ(observed − counterfactual) over the post
    window in unit-months (households × months) with its interval — the interval of the
    window's total, which each design gets from its own (serially correlated) error model,
    not from independent months — times kronor per unit-month; the programme's cost is the
    yearly cost times the window's length in years. None without ``cost`` or for yearly data.
    """
    if not cost or summary.get("frequency") != "monthly":
        return None
    outcome = cost["outcome"]
    verdict = (summary.get("verdict") or {}).get(outcome) or {}
    design = verdict.get("lead") or summary.get("primary_design")
    record = next((r for r in summary.get("results") or []
                   if r["outcome"] == outcome and r["design"] == design), None)
    if record is None or record.get("cumulative_effect") is None:
        return None
    window = record.get("post_window") or [None, None]
    from evaluation.data.panel import periods_between

    months = periods_between(window[0], window[1]) + 1
    price = float(cost["kr_per_unit_month"])
    ci = record.get("cumulative_ci")
    out = {
        "outcome": outcome, "design": design, "months": months,
        "unit_months": float(record["cumulative_effect"]),
        "unit_months_ci": list(ci) if ci else None,
        "kronor": float(record["cumulative_effect"]) * price,
        "kronor_ci": [ci[0] * price, ci[1] * price] if ci else None,
        "kr_per_unit_month": price,
    }
    if cost.get("programme_cost_per_year") is not None:
        out["programme_cost"] = float(cost["programme_cost_per_year"]) * months / 12
    return out


def _label_roles(results: list[dict[str, Any]], primary_outcome: str,
                 primary_design: str) -> None:
    """Mark each record primary (the plan's outcome and design) or secondary, and give the
    secondary ones a Holm-adjusted p-value over all secondary results (``p_holm``)."""
    from evaluation.checks.calibration import holm

    secondary = []
    for r in results:
        primary = r["outcome"] == primary_outcome and r["design"] == primary_design
        r["role"] = "primary" if primary else "secondary"
        if not primary and r.get("p_value") is not None:
            secondary.append(r)
    if secondary:
        for r, p in zip(secondary, holm([float(r["p_value"]) for r in secondary]),
                        strict=True):
            r["p_holm"] = float(p)


def _period_label(period: str, language: str) -> str:
    from evaluation.report import format as fmt

    return fmt.period_label(period, language)
