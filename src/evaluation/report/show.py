"""What the report notebook displays: one call per cell, text and figures from the results.

These functions only display (Markdown, HTML tables, figures); estimation happens in
:class:`evaluation.evaluate.Evaluation`, wording in :mod:`evaluation.report.text`.
"""

from __future__ import annotations

import html
import io
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from IPython.display import HTML, Image, Markdown, display

from evaluation.data.panel import measure_info
from evaluation.report import figures, tables, text

if TYPE_CHECKING:
    from evaluation.evaluate import Evaluation


def _md(markdown: str) -> None:
    display(Markdown(markdown))


def _figure(fig) -> None:
    """Show a figure as an embedded PNG (independent of the kernel's matplotlib backend)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight",
                metadata={"Software": None})
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png"))


def title(ev: Evaluation) -> None:
    """The report title, with the simulated-data banner on demo data."""
    lines = [f"# {ev.title()}"]
    if ev.simulated:
        lines.append(f"**{text.t('simulated_banner', ev.language)}**")
    _md("\n\n".join(lines))


def data_box(ev: Evaluation) -> None:
    """What is evaluated: the kommun, the change's date, the outcomes, the comparison
    kommuner, the target, and the data behind them (the report's first screen)."""
    lang = ev.language
    pools = {o: (p.description(lang), p.n) for o, p in ev.donor_pools.items()}
    extra = {"outcomes": ev.spec.outcomes,
             "treated": {"code": ev.inputs.treated, "name": ev.inputs.treated_name},
             "intervention": ev.spec.intervention,
             "donor_pools": {o: f"{d} – {n}" for o, (d, n) in pools.items()},
             "pre_periods": ev.inputs.pre_periods()}
    if ev.target_result is not None:
        extra["target"] = _target_line(ev.target_result, lang)
    display(HTML(text.data_box(ev.inputs.data_info() | extra, lang)))


def _target_line(d: dict, language: str) -> str:
    """"Halvera …: 59 (2019) → 30 (2021), delmål 44 (mars 2021)"."""
    from evaluation.report import format as fmt

    def point(p: dict) -> str:
        return (f"{fmt.number(p['value'], 0, language)} "
                f"({fmt.period_label(str(p['period']), language)})")

    line = f"{point(d['baseline'])} → {point(d['goal'])}"
    if d.get("interim"):
        word = "delmål" if language == "sv" else "interim"
        line += ", " + ", ".join(f"{word} {point(p)}" for p in d["interim"]
                                 if p.get("value") is not None)
    label = d.get("label") or ""
    return f"{label}: {line}" if label else line


def heading(ev: Evaluation, key: str) -> None:
    _md(f"## {text.t(key, ev.language)}")


def headline(ev: Evaluation) -> None:
    """The headline sentence, built from the same dict as ``summary.json``."""
    _md(text.headline(ev.summary(), ev.language))


def verdict(ev: Evaluation) -> None:
    """The verdict per outcome in one sentence each, then (collapsed) the rules that decided
    it and the designs that did not count."""
    summary = ev.summary()
    verdicts = text.verdicts_of(summary)
    if not verdicts:
        return
    lang = ev.language
    planned = text.plan_text(summary.get("plan"), lang)
    lines = [f"*{planned}*", ""] if planned else []
    for outcome, v in verdicts.items():
        label = text.t(f"verdict.category.{v['category']}", lang)
        lines.append(f"- **{measure_info(outcome).label(lang)}: {label}.** "
                     f"{text.verdict_sentence(v, summary['results'], lang)}")
    _md("\n".join(lines))
    rules = "".join(
        f"<p>{html.escape(text.verdict_rules_text(v, summary['results'], lang))}</p>"
        for v in verdicts.values())
    display(HTML(f"<details><summary>{html.escape(text.t('verdict.how', lang))}</summary>"
                 f"{rules}</details>"))


def changes(ev: Evaluation) -> None:
    """What changed since the previous data vintage, and the history of the primary design's
    results (nothing on a first run)."""
    from evaluation import history

    summary = ev.summary()
    sentence = text.changes_text(summary.get("changes"), ev.language)
    if sentence:
        _md(sentence)
    past = history.read_history(ev.spec.evaluation_id)
    if past.empty:
        return
    table = tables.history_table(past, summary, ev.language)
    _md(f"**{text.t('changes.history', ev.language)}**")
    display(HTML(table.to_html(index=False, border=0, classes="history")))


def results_table(ev: Evaluation) -> None:
    frame = tables.results_table(ev.summary()["results"], language=ev.language)
    display(HTML(frame.to_html(index=False, border=0, classes="results")))


def comparisons(ev: Evaluation) -> dict[str, dict[str, str]]:
    """Per outcome, what its comparison series is (sv/en), as the ITS (else the
    decomposition) built it from the data."""
    out: dict[str, dict[str, str]] = {}
    for design in ("its", "decomposition"):
        for r in ev.results:
            d = r.diagnostics
            if r.design == design and r.outcome not in out and d.get("comparison_sv"):
                out[r.outcome] = {"sv": d["comparison_sv"], "en": d.get("comparison", "")}
    return out


def data_text(ev: Evaluation) -> None:
    """Which measures, which comparison, which units were dropped; the raw series."""
    info = ev.inputs.data_info() | {"comparisons": comparisons(ev)}
    _md(text.data_text(ev.summary(), info, ev.language))
    for result in ev.results:
        if result.design == "its":
            _figure(figures.observed_vs_counterfactual(
                result, language=ev.language, simulated=ev.simulated, counterfactual=False,
            ))


def method(ev: Evaluation) -> None:
    """One paragraph per design (its ``method_key`` in the registry); the number of comparison
    units its interval rests on comes from the results (the fewest over the outcomes)."""
    keys = {d.name: d.method_key for d in ev.designs()}
    designs = list(dict.fromkeys(r.design for r in ev.results))
    window = ev.spec.compare_window
    unit_type = ev.inputs.unit_type
    paragraphs = []
    for d in designs:
        counts = [_n_comparison_units(r) for r in ev.results if r.design == d]
        counts = [n for n in counts if n is not None]
        paragraphs.append(text.method_text(keys.get(d, d), ev.spec.frequency, ev.language,
                                           window=window,
                                           n_units=min(counts) if counts else None,
                                           unit_type=unit_type))
    _md("\n\n".join(paragraphs))


def _n_comparison_units(result) -> int | None:
    """The decomposition's similar units or a comparison-group design's placebo units."""
    d = result.diagnostics
    if result.design == "decomposition":
        return d.get("n_units")
    if d.get("n_placebo") is not None:
        return int(d["n_placebo"])
    placebos = d.get("placebo_estimates")
    return len(placebos) if placebos else None


def results(ev: Evaluation) -> None:
    """The "Resultat" section: one sub-section per outcome."""
    for outcome in ev.spec.outcomes:
        outcome_results(ev, outcome)


def outcome_results(ev: Evaluation, outcome: str) -> None:
    """Sub-section per outcome: sentences, figures and the truth on simulated data."""
    lang = ev.language
    _md(f"### {measure_info(outcome).label(lang)}")
    skipped = [(d, e) for (o, d), e in ev.skipped.items() if o == outcome]
    if skipped:
        _md(text.skipped_text([{"design": d, "reason_sv": e.sv, "reason_en": e.en}
                               for d, e in skipped], lang))
    summary = ev.summary()
    # the donor pool is described once, before the first comparison-group design's result
    group = {d.name for d in ev.designs() if d.needs_donors}
    first_group = next((r.design for r in ev.results
                        if r.outcome == outcome and r.design in group), None)
    for record, result in zip(summary["results"], ev.results, strict=True):
        if result.outcome != outcome:
            continue
        lines = [text.result_sentence(record, lang)]
        notes = text.design_notes(result, lang)
        if notes:
            lines.append(notes)
        if record.get("truth"):
            lines.append(f"*{text.truth_text(record, lang)}*")
        if result.design == first_group and outcome in ev.donor_pools:
            lines.insert(0, text.donor_pool_text(ev.donor_pools[outcome].to_dict(), lang,
                                                 min_p=result.diagnostics.get("min_p_value")))
        _md("\n\n".join(lines))
        for _, fig in figures.design_figures(result, language=lang, simulated=ev.simulated):
            _figure(fig)
        weights = tables.weights_table(result, lang, top=10)
        if not weights.empty:
            display(HTML(weights.to_html(index=False, border=0, classes="weights")))


def sensitivity(ev: Evaluation) -> None:
    """The sensitivity grid: what was varied, what flips, one figure per outcome and the
    table (collapsed)."""
    summary = ev.summary()
    rows = summary.get("sensitivity") or []
    if not rows:
        return
    lang = ev.language
    _md(text.sensitivity_text(rows, lang))
    grid = ev.sensitivity_grid
    for outcome in ev.spec.outcomes:
        _figure(figures.sensitivity_plot(grid, ev.results, outcome, language=lang,
                                         simulated=ev.simulated))
    table = tables.sensitivity_table(rows, lang)
    if not table.empty:
        display(HTML(f"<details><summary>{html.escape(text.t('sens.title', lang, outcome=''))}"
                     f"</summary>{table.to_html(index=False, border=0, float_format=lambda x: f'{x:.3g}')}</details>"))


def target(ev: Evaluation) -> None:
    """Target follow-up (nothing without the spec's ``target``): heading, text, figure and
    table."""
    d = ev.target_result
    if d is None:
        return
    from evaluation.report.target_report import target_figure, target_table, target_text

    lang = ev.language
    _md(f"## {text.t('section_target', lang)}\n\n{target_text(d, lang)}")
    _figure(target_figure(d, lang, ev.simulated))
    display(HTML(target_table(d, lang).to_html(index=False, border=0)))


def peers(ev: Evaluation) -> None:
    """The descriptive comparison with the spec's ``comparison_group`` (nothing without it):
    heading, text, one small-multiples figure per measure, the rank table."""
    table = ev.peer_table
    if table is None:
        return
    from evaluation.report.peer_report import (
        peer_figures,
        peer_heading,
        peer_rank_table,
        peer_text,
    )

    lang = ev.language
    _md(f"## {peer_heading(lang)}\n\n"
        + peer_text(table, lang, group_title=table.attrs.get("group_title")))
    for _stem, fig in peer_figures(table, lang, ev.simulated):
        _figure(fig)
    ranks = peer_rank_table(table, lang)
    display(HTML(ranks.to_html(index=False, border=0)))


def reliability(ev: Evaluation) -> None:
    """How often this design raises false alarms, and finds a real effect, on units like this."""
    name = ev.inputs.treated_name
    paragraphs = [text.t("rel.intro", ev.language, name=name)]
    paragraphs += [text.reliability_text(dict(c, name=name), ev.language)
                   for c in ev.summary()["checks"]]
    _md("\n\n".join(paragraphs))


def conclusions(ev: Evaluation) -> None:
    summary = ev.summary()
    parts = [text.conclusion_text(summary, ev.language),
             text.cost_text(summary.get("cost"), ev.language)]
    _md("\n\n".join(p for p in parts if p))
