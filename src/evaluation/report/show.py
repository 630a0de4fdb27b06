"""What the report notebook displays: one call per cell, text and figures from the results.

These functions only display (Markdown, HTML, figures); estimation happens in
:class:`evaluation.evaluate.Evaluation`, wording in :mod:`evaluation.report.text`.

The report is written for a committee, so it reads from the answer down:

1. the first screen: the question, the verdict per outcome in one sentence each
   (:func:`question`, :func:`verdict`), a small table of the lead design's estimates
   (:func:`estimates`), the data box, and the change notes when there is a previous report;
2. a table of contents (:func:`contents`; anchor links, no script);
3. the results per outcome with the lead design's figures; the other designs, the rules behind
   the verdict, the long tables, the sensitivity grid, the placebo checks, the data figures and
   the method paragraphs sit in ``<details>`` elements (collapsed, no script);
4. a glossary (:func:`glossary`) of the words a committee member may not know.

Every figure is an HTML ``<figure>`` with an ``alt`` text that says what it shows and a numbered
caption ("Figur 3. …"); the verdict sentences carry ``class="verdict"`` and
``id="verdict-<outcome>"`` (the browser test finds them there).
"""

from __future__ import annotations

import base64
import html
import math
import struct
import weakref
from typing import TYPE_CHECKING, Any

import mistune
from IPython.display import HTML, Markdown, display

from evaluation.data.panel import measure_info
from evaluation.report import figures, tables, text
from evaluation.report import format as fmt

if TYPE_CHECKING:
    from evaluation.evaluate import Evaluation

#: The report's sections in the notebook's order: text key of the heading → anchor id.
#: :func:`contents` links to those present; tests/test_notebook.py checks the notebook's order.
SECTIONS: dict[str, str] = {
    "section_summary": "summary",
    "section_results": "results",
    "section_target": "target",
    "section_peers": "peers",
    "section_pooled": "pooled",
    "section_sensitivity": "sensitivity",
    "section_reliability": "reliability",
    "section_conclusions": "conclusions",
    "section_data": "data",
    "section_method": "method",
    "section_glossary": "glossary",
}

#: Glossary entries (``glossary.<key>`` and ``glossary.<key>.text``), in the order shown; the
#: design entries only when that design is in the report.
GLOSSARY_TERMS: tuple[str, ...] = (
    "verdict", "counterfactual", "ci", "p_value", "significant", "pp", "periods", "comparison",
    "decomposition", "its", "structural", "synthetic_control", "did", "sdid", "ar1", "placebo",
    "false_alarm", "mde", "relevant", "sensitivity",
)
_DESIGN_TERMS = frozenset({"decomposition", "its", "structural", "synthetic_control", "did",
                           "sdid"})

_figure_numbers: dict[int, tuple[weakref.ref, int]] = {}


# --------------------------------------------------------------------------- helpers
def _md(markdown: str) -> None:
    display(Markdown(markdown))


def _html(snippet: str) -> None:
    display(HTML(snippet))


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _md_html(markdown: str) -> str:
    """Markdown (the text module's ``*…*`` and ``**…**``) as HTML, for use inside
    ``<details>`` (one HTML output cannot hold a Markdown one)."""
    return str(mistune.html(markdown)).strip()


def _inline(markdown: str) -> str:
    """One paragraph of Markdown as inline HTML (without its ``<p>``)."""
    out = _md_html(markdown)
    return out[3:-4] if out.startswith("<p>") and out.endswith("</p>") else out


def _details(summary: str, body: str, *, cls: str = "") -> str:
    """A collapsed ``<details>`` element: opened by the reader, no script."""
    css = f' class="{_esc(cls)}"' if cls else ""
    return f"<details{css}><summary>{_esc(summary)}</summary>\n{body}\n</details>"


def _table_html(frame, cls: str = "", **kw: Any) -> str:
    return frame.to_html(index=False, border=0, classes=cls or None, **kw)


def _heading_html(label: str, anchor: str, level: int = 2) -> str:
    return f'<h{level} id="{_esc(anchor)}">{_esc(label)}</h{level}>'


def _outcome_anchor(outcome: str) -> str:
    return f"results-{outcome}"


def _next_figure_number(ev: Evaluation) -> int:
    """Figures are numbered in the order the notebook shows them (one counter per
    evaluation; an Evaluation is a dataclass, so unhashable: kept by id with a weak
    reference that tells a reused id from the same object)."""
    entry = _figure_numbers.get(id(ev))
    n = entry[1] + 1 if entry is not None and entry[0]() is ev else 1
    _figure_numbers[id(ev)] = (weakref.ref(ev), n)
    return n


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return struct.unpack(">II", data[16:24])


def _join(items: list[str], language: str) -> str:
    return text.join_words(list(dict.fromkeys(i for i in items if i)), language)


def describe_figure(fig, language: str = "sv", *, categories: bool = False) -> str:
    """What a drawn figure shows, read off the figure itself: its series (legend entries),
    the vertical axis and the horizontal axis's first and last tick, or with ``categories``
    (a bar chart) every bar's label ('' when nothing can be read). Call after the figure was
    drawn (``savefig``), when its tick labels exist."""
    items: list[str] = []
    y_axes: list[str] = []
    x_ticks: list[str] = []
    for ax in fig.axes:
        _, labels = ax.get_legend_handles_labels()
        items += [lab for lab in labels if lab and not lab.startswith("_")]
        y = " ".join(ax.get_ylabel().split())
        if y:
            y_axes.append(y)
        if not x_ticks:
            x_ticks = [" ".join(tick.get_text().split()) for tick in ax.get_xticklabels()
                       if tick.get_text().strip()]
    for legend in fig.legends:
        items += [t.get_text() for t in legend.get_texts() if t.get_text()]
    parts = []
    if items:
        parts.append(text.t("fig.alt.shows", language, items=_join(
            [i[:1].lower() + i[1:] if i[1:2].islower() else i for i in items], language)))
    if y_axes:
        parts.append(text.t("fig.alt.y", language, axis="; ".join(dict.fromkeys(y_axes))))
    if categories and x_ticks:
        parts.append(text.t("fig.alt.bars", language, items=_join(x_ticks, language)))
    elif len(x_ticks) >= 2:
        parts.append(text.t("fig.alt.x", language, first=x_ticks[0], last=x_ticks[-1]))
    return " ".join(parts)


def figure_html(ev: Evaluation, fig, caption: str, *, categories: bool = False) -> str:
    """A figure as an HTML ``<figure>``: the PNG embedded (drawn once at the page's
    resolution, :func:`~evaluation.report.figures.drawn_png`), an ``alt`` text (the caption and
    :func:`describe_figure`) and a numbered caption ("Figur 3. …")."""
    from evaluation.report.figure_files import PAGE_DPI

    data = figures.drawn_png(fig, PAGE_DPI)
    description = describe_figure(fig, ev.language, categories=categories)
    figures.close(fig)
    return png_figure_html(ev, data, caption, description)


def png_figure_html(ev: Evaluation, data: bytes, caption: str, description: str) -> str:
    """:func:`figure_html` for a figure already drawn: its PNG and its description."""
    lang = ev.language
    n = _next_figure_number(ev)
    alt = f"{caption}. {description}".strip()
    size = _png_size(data)
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    return (f'<figure class="report-figure" id="figure-{n}">'
            f'<img src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}" '
            f'alt="{_esc(alt)}"{dims}>'
            f"<figcaption>{_esc(text.t('fig.caption', lang, n=n, text=caption))}</figcaption>"
            f"</figure>")


def _drawn_html(ev: Evaluation, drawn: Any, caption: str) -> str:
    """A figure drawn once for page and files (:mod:`evaluation.report.figure_files`) as the
    page shows it: the files' PNG reduced to the page's resolution."""
    return png_figure_html(ev, drawn.page, caption, drawn.description)


def _place(ev: Evaluation) -> str:
    return ev.inputs.treated_name or ev.inputs.treated


def _caption(ev: Evaluation, kind: str, outcome: str, design: str | None = None) -> str:
    lang = ev.language
    noun = text.outcome_noun(outcome, lang)
    label = text.design_label(design, lang) if design else ""
    return text.t(f"fig.caption.{kind}", lang, Noun=noun[:1].upper() + noun[1:],
                  place=_place(ev), design=label[:1].lower() + label[1:])


def _figure_kind(design: str, suffix: str) -> str:
    """Which figure a design's ``(suffix, figure)`` pair is (see the designs' ``figures``)."""
    if suffix:
        return {"_effekt": "effect", "_placebo": "placebo",
                "_eventstudie": "event"}.get(suffix, "effect")
    return {"decomposition": "decomposition",
            "structural": "three_panel"}.get(design, "counterfactual")


def _present(ev: Evaluation, key: str) -> bool:
    """Whether the report has the section ``key`` (a key of :data:`SECTIONS`)."""
    if key == "section_target":
        return ev.target_result is not None
    if key == "section_peers":
        return ev.peer_table is not None
    if key == "section_pooled":
        return bool(ev.spec.pooled)
    if key == "section_sensitivity":
        return bool(ev.summary().get("sensitivity"))
    return True


def _section_label(ev: Evaluation, key: str) -> str:
    if key == "section_peers":
        from evaluation.report.peer_report import peer_heading

        return peer_heading(ev.language)
    return text.t(key, ev.language)


def _leads(ev: Evaluation) -> dict[str, dict[str, Any]]:
    """Per outcome, the record of the design its verdict leads with (else the primary one)."""
    summary = ev.summary()
    verdicts = text.verdicts_of(summary)
    records = summary["results"]
    out = {}
    for r in text.primary_results(summary):
        lead = (verdicts.get(r["outcome"]) or {}).get("lead")
        out[r["outcome"]] = next((dict(x) for x in records if x["outcome"] == r["outcome"]
                                  and x["design"] == lead), r)
    return out


# --------------------------------------------------------------------------- first screen
def title(ev: Evaluation) -> None:
    """The report title, with the simulated-data banner on demo data."""
    lines = [f"# {ev.title()}"]
    if ev.simulated:
        lines.append(f"**{text.t('simulated_banner', ev.language)}**")
    _md("\n\n".join(lines))


def heading(ev: Evaluation, key: str) -> None:
    """A section heading with its anchor (:data:`SECTIONS`); nothing for a section the report
    does not have."""
    if key in SECTIONS and not _present(ev, key):
        return
    anchor = SECTIONS.get(key, key.removeprefix("section_"))
    _html(_heading_html(_section_label(ev, key), anchor))


def question(ev: Evaluation) -> None:
    """The question in one sentence: did the change in <kommun> from <date> change <outcomes>
    beyond the national development?"""
    lang = ev.language
    comparison = text.t("question.national" if ev.spec.comparison == "riket"
                        else "question.comparison", lang)
    _md(text.t("question", lang, place=_place(ev),
               date=fmt.period_label(str(ev.spec.intervention), lang),
               outcomes=text.join_words([text.outcome_noun(o, lang) for o in ev.spec.outcomes],
                                        lang),
               comparison=comparison))


def _short_verdict(v: dict[str, Any], results: list, language: str) -> tuple[str, str]:
    """The verdict sentence for the first screen, and what the full one adds (how large an
    effect could have been seen, and whether more months would help) for the results."""
    full = text.verdict_sentence(v, results, language)
    short = text.verdict_sentence(dict(v, mde=None, horizon=None), results, language)
    if full.startswith(short) and full != short:
        return short, full[len(short):].strip()
    return full, ""


def verdict(ev: Evaluation) -> None:
    """The verdict per outcome in one sentence each (``class="verdict"``,
    ``id="verdict-<outcome>"``), then the analysis plan's status."""
    summary = ev.summary()
    verdicts = text.verdicts_of(summary)
    if not verdicts:
        return
    lang = ev.language
    items = []
    for outcome, v in verdicts.items():
        category = str(v["category"])
        sentence, _ = _short_verdict(v, summary["results"], lang)
        items.append(
            f'<p class="verdict verdict-{_esc(category)}" id="verdict-{_esc(outcome)}">'
            f'<span class="verdict-category">{_esc(text.t(f"verdict.category.{category}", lang))}'
            f"</span> {_inline(sentence)}</p>")
    planned = text.plan_text(summary.get("plan"), lang)
    if planned:
        items.append(f'<div class="plan-note">{_md_html(f"*{planned}*")}</div>')
    _html('<div class="verdicts">' + "".join(items) + "</div>")


def estimates(ev: Evaluation) -> None:
    """A small table: one row per outcome with the lead design's estimate, interval and the
    verdict (the outcome named once), and where the words are explained."""
    summary = ev.summary()
    lang = ev.language
    verdicts = text.verdicts_of(summary)
    leads = list(_leads(ev).values())
    frame = tables.results_table(leads, language=lang)
    design_col, verdict_col = text.t("table.design", lang), text.t("table.verdict", lang)
    effect_col, relative = text.t("table.effect", lang), text.t("table.relative", lang)
    ci_col = fmt.ci_label(text.level_of(leads[0], summary), lang) if leads else ""
    # a count's relative effect and interval in brackets after the absolute ones
    for i, r in enumerate(leads):
        rel, rel_ci = r.get("relative_effect"), text.interval_of(r, "relative_ci")
        if text.is_rate(r) or rel is None or not math.isfinite(float(rel)):
            continue
        frame.loc[i, effect_col] += f" ({text.relative_text(r, lang)})"
        if rel_ci is not None and ci_col in frame:
            decimals = text.enough_decimals(rel_ci, 1, factor=100)
            rel_text = fmt.interval(*rel_ci, decimals=decimals, language=lang, unit="%")
            frame.loc[i, ci_col] += f" ({rel_text})"
    frame = frame.drop(columns=[text.t("table.p", lang), relative])
    frame = frame.rename(columns={design_col: text.t("table.lead", lang)})
    if verdicts:
        frame[verdict_col] = [
            text.t(f"verdict.category.{verdicts[r['outcome']]['category']}", lang)
            if r["outcome"] in verdicts else frame[verdict_col].iloc[i]
            for i, r in enumerate(leads)]
    _html(_table_html(frame, "results estimates")
          + f'<p class="glossary-pointer">{_inline(text.t("glossary.pointer", lang))}</p>')


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
    _html(text.data_box(ev.inputs.data_info() | extra, lang))


def _target_line(d: dict, language: str) -> str:
    """"Halvera …: 59 (2019) → 30 (2021), delmål 44 (mars 2021)"."""

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


def changes(ev: Evaluation) -> None:
    """What changed since the previous data vintage (only what shows at the printed
    precision), and the history of the results, collapsed (nothing on a first run)."""
    from evaluation import history

    summary = ev.summary()
    sentence = text.changes_text(summary.get("changes"), ev.language)
    if not sentence:
        return
    body = f'<div class="changes" id="changes">{_md_html(sentence)}'
    past = history.read_history(ev.spec.evaluation_id)
    # only reports of this configuration (other settings keep their own rows)
    past = past[past["settings"].fillna("") == (summary.get("settings") or "")]
    if not past.empty:
        table = tables.history_table(past, summary, ev.language)
        body += _details(text.t("changes.history", ev.language), _table_html(table, "history"))
    _html(body + "</div>")


def contents(ev: Evaluation) -> None:
    """The table of contents: anchor links to the sections present (and to each outcome's
    results)."""
    lang = ev.language
    items = []
    for key, anchor in SECTIONS.items():
        if key == "section_summary" or not _present(ev, key):
            continue
        sub = ""
        if key == "section_results":
            sub = "<ol>" + "".join(
                f'<li><a href="#{_esc(_outcome_anchor(o))}">'
                f"{_esc(measure_info(o).label(lang))}</a></li>"
                for o in ev.spec.outcomes) + "</ol>"
        items.append(f'<li><a href="#{_esc(anchor)}">{_esc(_section_label(ev, key))}</a>'
                     f"{sub}</li>")
    _html(f'<nav class="toc" id="contents" aria-label="{_esc(text.t("contents", lang))}">'
          f'<p class="toc-title"><strong>{_esc(text.t("contents", lang))}:</strong></p> '
          f'<ol>{"".join(items)}</ol></nav>')


def headline(ev: Evaluation) -> None:
    """The headline paragraph, built from the same dict as ``summary.json`` (and
    ``sammanfattning.md``); the HTML report shows it collapsed (the first screen already says
    it), see :mod:`evaluation.report.html`."""
    display(Markdown(text.headline(ev.summary(), ev.language)),
            metadata={"evaluation": {"details": text.t("details.headline", ev.language)}})


# --------------------------------------------------------------------------- results
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


def results(ev: Evaluation) -> None:
    """The "Resultat" section: one sub-section per outcome."""
    for outcome in ev.spec.outcomes:
        outcome_results(ev, outcome)


def _design_block(ev: Evaluation, record: dict, result, *, donors: str = "",
                  lead: bool = False) -> tuple[str, str]:
    """One design's result for one outcome as HTML: its sentence, notes, the truth on
    simulated data, its figures and (for a weighting design) its weights. Returns (what is
    shown, what is kept for a collapsed "more figures"): for the ``lead`` design its first
    figure is shown and the other figures and the weights are kept apart."""
    lang = ev.language
    lines = [text.result_sentence(record, lang)]
    notes = text.design_notes(result, lang)
    if notes:
        lines.append(notes)
    if record.get("truth"):
        lines.append(f"*{text.truth_text(record, lang)}*")
    if donors:
        lines.insert(0, donors)
    body, extra = _md_html("\n\n".join(lines)), ""
    from evaluation.report.figure_files import design_figure_files

    for i, drawn in enumerate(design_figure_files(ev, result)):  # the files' drawing
        kind = _figure_kind(result.design, drawn.suffix)
        shown = png_figure_html(ev, drawn.page,
                                _caption(ev, kind, result.outcome, result.design),
                                drawn.description)
        if lead and i:
            extra += shown
        else:
            body += shown
    weights = tables.weights_table(result, lang, top=10)
    if not weights.empty:
        if lead:
            extra += _table_html(weights, "weights")
        else:
            body += _table_html(weights, "weights")
    return f'<div class="design-result design-{_esc(result.design)}">{body}</div>', extra


def outcome_results(ev: Evaluation, outcome: str) -> None:
    """Sub-section per outcome: what the verdict adds (the detectable effect, more months),
    the lead design's result and figures; collapsed: the rules behind the verdict, and every
    design (table, sentences, figures, weights)."""
    lang = ev.language
    summary = ev.summary()
    _html(_heading_html(measure_info(outcome).label(lang), _outcome_anchor(outcome), level=3))
    skipped = [(d, e) for (o, d), e in ev.skipped.items() if o == outcome]
    if skipped:
        _md(text.skipped_text([{"design": d, "reason_sv": e.sv, "reason_en": e.en}
                               for d, e in skipped], lang))
    v = text.verdicts_of(summary).get(outcome)
    if v is not None:
        _, more = _short_verdict(v, summary["results"], lang)
        if more:
            _md(more)
    lead = _leads(ev).get(outcome)
    pairs = [(rec, res) for rec, res in zip(summary["results"], ev.results, strict=True)
             if res.outcome == outcome]
    lead_pair = next(((rec, res) for rec, res in pairs
                      if lead is not None and res.design == lead.get("design")), None)
    others = [(rec, res) for rec, res in pairs if lead_pair is None or res is not lead_pair[1]]
    # the donor pool is described once: with the lead design when it compares with other
    # kommuner, else before the first such design among the others
    group = {d.name for d in ev.designs() if d.needs_donors}
    first_group = next((res.design for _, res in ([lead_pair] if lead_pair else []) + others
                        if res.design in group), None)

    def donors_for(result) -> str:
        if result.design == first_group and outcome in ev.donor_pools:
            return text.donor_pool_text(ev.donor_pools[outcome].to_dict(), lang,
                                        min_p=result.diagnostics.get("min_p_value"))
        return ""

    parts = []
    if lead_pair is not None:
        shown, extra = _design_block(ev, *lead_pair, donors=donors_for(lead_pair[1]), lead=True)
        _html(shown)
        if extra:
            parts.append(_details(text.t("details.more", lang), extra, cls="lead-more"))
    if v is not None:
        parts.append(_details(text.t("verdict.how", lang), _md_html(
            text.verdict_rules_text(v, summary["results"], lang)), cls="verdict-rules"))
    if pairs:
        frame = tables.results_table([rec for rec, _ in pairs], language=lang)
        frame = frame.drop(columns=[text.t("table.outcome", lang)])
        body = _table_html(frame, "results") + "".join(
            _design_block(ev, rec, res, donors=donors_for(res))[0] for rec, res in others)
        parts.append(_details(text.t("results.others", lang, n=len(pairs)), body,
                              cls="other-designs"))
    if parts:
        _html('<div class="outcome-more">' + "".join(parts) + "</div>")


def sensitivity(ev: Evaluation) -> None:
    """The sensitivity grid: what was varied and what flips; collapsed: one figure per
    outcome and the table."""
    summary = ev.summary()
    rows = summary.get("sensitivity") or []
    if not rows:
        return
    lang = ev.language
    _md(text.sensitivity_text(rows, lang))
    from evaluation.report.figure_files import sensitivity_files

    body = "".join(_drawn_html(ev, drawn, _caption(ev, "sensitivity", outcome))
                   for outcome in ev.spec.outcomes for drawn in sensitivity_files(ev, outcome))
    table = tables.sensitivity_table(rows, lang)
    if not table.empty:
        body += _table_html(table, "sensitivity", float_format=lambda x: f"{x:.3g}")
    _html(_details(text.t("details.sensitivity", lang), body, cls="sensitivity-details"))


def target(ev: Evaluation) -> None:
    """Target follow-up (nothing without the spec's ``target``): heading, text, figure, and
    the table collapsed."""
    d = ev.target_result
    if d is None:
        return
    from evaluation.report.figure_files import target_files
    from evaluation.report.target_report import target_table, target_text

    lang = ev.language
    heading(ev, "section_target")
    _md(target_text(d, lang))
    caption = text.t("fig.caption.target", lang, label=d.get("label")
                     or text.outcome_label(str(d.get("measure", "")), lang))
    for drawn in target_files(ev):
        _html(_drawn_html(ev, drawn, caption))
    _html(_details(text.t("details.table", lang), _table_html(target_table(d, lang), "target")))


def peers(ev: Evaluation) -> None:
    """The descriptive comparison with the spec's ``comparison_group`` (nothing without it):
    heading, text, one small-multiples figure per measure, the rank table collapsed."""
    table = ev.peer_table
    if table is None:
        return
    from evaluation.report.figure_files import peer_files
    from evaluation.report.peer_report import peer_rank_table, peer_text

    lang = ev.language
    heading(ev, "section_peers")
    _md(peer_text(table, lang, group_title=table.attrs.get("group_title")))
    for drawn in peer_files(ev):
        measure = drawn.suffix.removesuffix("_jamforelse")
        _html(_drawn_html(ev, drawn, text.t("fig.caption.peers", lang,
                                            label=text.outcome_label(measure, lang),
                                            place=_place(ev))))
    _html(_details(text.t("details.table", lang),
                   _table_html(peer_rank_table(table, lang), "peers")))


def pooled(ev: Evaluation) -> None:
    """The kommuner that made the same change (nothing without the spec's ``pooled``):
    heading and one paragraph; collapsed, one figure per outcome (effect by years since the
    change, the kommun's own estimate marked), the table per year of adoption and the kommuner
    left out with their reasons."""
    d = ev.summary().get("pooled")
    if not d:
        return
    from evaluation.report.figure_files import pooled_files
    from evaluation.report.pooled_report import SUFFIX, exclusions_text, pooled_parts, pooled_table

    lang = ev.language
    heading(ev, "section_pooled")
    lead, method = pooled_parts(d, lang)
    _md(lead)
    # how the comparison was made, the figures, the table and the exclusions are collapsed
    body = _md_html(method) if method else ""
    for drawn in pooled_files(ev, d):
        outcome = drawn.suffix.removesuffix(SUFFIX)
        label = text.outcome_label(outcome, lang)
        body += _drawn_html(ev, drawn, text.t("pooled.caption", lang,
                                              Label=label[:1].upper() + label[1:],
                                              place=_place(ev)))
    body += _table_html(pooled_table(d, lang), "pooled")
    excluded = exclusions_text(d, lang)
    if excluded:
        body += _md_html(excluded)
    _html(_details(text.t("pooled.details", lang), body, cls="pooled-details"))


def reliability(ev: Evaluation) -> None:
    """How often this design raises false alarms, and finds a real effect, on units like this
    (the question visible, the answers per design collapsed)."""
    lang = ev.language
    name = ev.inputs.treated_name
    _md(text.t("rel.intro", lang, name=name))
    paragraphs = [text.reliability_text(dict(c, name=name), lang)
                  for c in ev.summary()["checks"]]
    if paragraphs:
        _html(_details(text.t("details.reliability", lang),
                       _md_html("\n\n".join(paragraphs)), cls="reliability-details"))


def conclusions(ev: Evaluation) -> None:
    summary = ev.summary()
    parts = [text.conclusion_text(summary, ev.language),
             text.cost_text(summary.get("cost"), ev.language)]
    _md("\n\n".join(p for p in parts if p))


# --------------------------------------------------------------------------- appendix
def data_text(ev: Evaluation) -> None:
    """Which measures, which comparison, which units were dropped, and the raw series
    (collapsed: the data box on the first screen says the essentials)."""
    lang = ev.language
    info = ev.inputs.data_info() | {"comparisons": comparisons(ev)}
    body = _md_html(text.data_text(ev.summary(), info, lang)) + "".join(
        figure_html(ev, figures.observed_vs_counterfactual(
            result, language=lang, simulated=ev.simulated, counterfactual=False),
            _caption(ev, "series", result.outcome))
        for result in ev.results if result.design == "its")
    _html(_details(text.t("details.data", lang), body, cls="data-details"))


def method(ev: Evaluation) -> None:
    """One paragraph per design (its ``method_key`` in the registry), under the design's name,
    all collapsed together; the number of comparison units its interval rests on comes from the
    results (the fewest over the outcomes)."""
    keys = {d.name: d.method_key for d in ev.designs()}
    designs = list(dict.fromkeys(r.design for r in ev.results))
    window = ev.spec.compare_window
    unit_type = ev.inputs.unit_type
    blocks = []
    for d in designs:
        counts = [_n_comparison_units(r) for r in ev.results if r.design == d]
        counts = [n for n in counts if n is not None]
        paragraph = text.method_text(keys.get(d, d), ev.spec.frequency, ev.language,
                                     window=window, n_units=min(counts) if counts else None,
                                     unit_type=unit_type)
        blocks.append(f"<h4>{_esc(text.design_label(d, ev.language))}</h4>"
                      + _md_html(paragraph))
    _html(_details(text.t("details.method", ev.language, n=len(blocks)), "".join(blocks),
                   cls="method-details"))


def _n_comparison_units(result) -> int | None:
    """The decomposition's similar units or a comparison-group design's placebo units."""
    d = result.diagnostics
    if result.design == "decomposition":
        return d.get("n_units")
    if d.get("n_placebo") is not None:
        return int(d["n_placebo"])
    placebos = d.get("placebo_estimates")
    return len(placebos) if placebos else None


def glossary_terms(ev: Evaluation) -> list[str]:
    """The glossary's entries for this report: the general ones and the designs it ran."""
    ran = {r.design for r in ev.results}
    return [k for k in GLOSSARY_TERMS if k not in _DESIGN_TERMS or k in ran]


def glossary(ev: Evaluation) -> None:
    """"Ordlista": the words the report uses, explained for a committee member (collapsed
    under its intro: the reader opens it when a word needs it)."""
    lang = ev.language
    entries = "".join(
        f'<dt id="glossary-{_esc(k)}">{_esc(text.t(f"glossary.{k}", lang))}</dt>'
        f"<dd>{_inline(text.t(f'glossary.{k}.text', lang))}</dd>"
        for k in glossary_terms(ev))
    terms = glossary_terms(ev)
    _html(f'<p>{_esc(text.t("glossary.intro", lang))}</p>'
          + _details(text.t("details.glossary", lang, n=len(terms)),
                     f'<dl class="glossary">{entries}</dl>', cls="glossary-details"))
