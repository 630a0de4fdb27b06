"""Every word the screen shows — command line, table headers, figure — in Swedish and English.

Registered in the one text catalogue (:data:`evaluation.report.text.TEXTS`) as ``screen.<key>``
and looked up there by :func:`t`; the verdict categories and
design names come from the report's own catalogue so that a screen and a report call them the
same.
"""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ command line: help
    "help.screen": {"sv": "screena alla kommuner: vilka avvek från rikets utveckling efter ett "
                          "datum?",
                    "en": "screen every municipality: which departed from the national "
                          "development after a date?"},
    "help.date": {"sv": "första perioden efter förändringen (ÅÅÅÅ-MM eller ÅÅÅÅ)",
                  "en": "first period after the change (YYYY-MM or YYYY)"},
    "help.data": {"sv": "demo (standard) eller en panelfil (CSV, XLSX, parquet)",
                  "en": "demo (default) or a panel file (CSV, XLSX, parquet)"},
    "help.outcomes": {"sv": "utfall att screena", "en": "outcomes to screen"},
    "help.post_end": {"sv": "sista perioden i efterperioden (standard: sista perioden i data)",
                      "en": "last period of the post window (default: the data's last period)"},
    "help.designs": {"sv": "designer (standard: decomposition its structural)",
                     "en": "designs (default: decomposition its structural)"},
    "help.level": {"sv": "nivå för andelen falska upptäckter, Benjamini–Yekutieli "
                         "(standard 0.05)",
                   "en": "false discovery rate level, Benjamini–Yekutieli (default 0.05)"},
    "help.seed": {"sv": "slumpfrö för den strukturella modellen", "en": "seed of the "
                                                                      "structural model"},
    "help.scheduler": {"sv": "adress till en körande dask-schemaläggare, t.ex. "
                             "tcp://10.0.0.5:8786 (utan: ett lokalt kluster)",
                       "en": "address of a running dask scheduler, e.g. tcp://10.0.0.5:8786 "
                             "(without: a local cluster)"},
    "help.workers": {"sv": "arbetsprocesser i det lokala klustret (standard: en per kärna)",
                     "en": "worker processes of the local cluster (default: one per core)"},
    "help.batch_size": {"sv": "kommun × utfall per uppgift", "en": "municipality × outcome "
                                                                   "pairs per task"},
    "help.kommuner": {"sv": "screena bara dessa kommunkoder", "en": "screen only these "
                                                                    "municipality codes"},
    "help.out": {"sv": "mapp för tabell och figur (standard: reports/screen/…)",
                 "en": "folder for the table and the figure (default: reports/screen/…)"},
    "help.cache": {"sv": "mapp för cachen (standard: data/processed/screen-cache)",
                   "en": "cache folder (default: data/processed/screen-cache)"},
    "help.no_cache": {"sv": "räkna om allt och spara ingenting i cachen",
                      "en": "recompute everything and store nothing in the cache"},
    "help.top": {"sv": "antal kommuner i figuren (standard 12)",
                 "en": "municipalities in the figure (default 12)"},
    "help.passes": {"sv": "högst så många omgångar där flaggade kommuner lämnar jämförelserna "
                          "(standard 3; 1: ingen sådan omgång)",
                    "en": "at most this many passes in which flagged municipalities leave the "
                          "comparisons (default 3; 1: none)"},
    "help.drill": {"sv": "gör den vanliga utvärderingen (rapporten) för en kommun med samma "
                         "inställningar",
                   "en": "run the ordinary evaluation (the report) for one municipality with "
                         "the same settings"},
    # ------------------------------------------------------------------ command line: messages
    "error": {"sv": "Fel: {message}", "en": "Error: {message}"},
    "start": {"sv": "Screenar {n} kommuner × {m} utfall ({designs}) efter {date}, "
                    "efterperiod till {end}.",
              "en": "Screening {n} municipalities × {m} outcomes ({designs}) after {date}, "
                    "post window to {end}."},
    "cluster.local": {"sv": "Lokalt dask-kluster med {n} arbetsprocesser.",
                      "en": "Local dask cluster with {n} worker processes."},
    "cluster.remote": {"sv": "Dask-schemaläggaren {address}.",
                       "en": "The dask scheduler {address}."},
    "done": {"sv": "Klart på {seconds} s: {computed} designberäkningar, {reused} återanvända "
                   "ur cachen.",
             "en": "Done in {seconds} s: {computed} design runs, {reused} reused from the "
                   "cache."},
    "flagged.none": {"sv": "Ingen kommun flaggas (q ≤ {level} och tydlig effekt).",
                     "en": "No municipality is flagged (q ≤ {level} and a clear effect)."},
    "flagged.some": {"sv": "{n} flaggade (q ≤ {level} och tydlig effekt): {items}.",
                     "en": "{n} flagged (q ≤ {level} and a clear effect): {items}."},
    "top": {"sv": "Störst avvikelser: {items}.", "en": "Largest deviations: {items}."},
    "passes": {"sv": "{n} omgångar: de flaggade kommunerna lämnade jämförelserna i nästa "
                     "omgång{unsettled}.",
               "en": "{n} passes: the flagged municipalities left the comparisons of the next "
                     "pass{unsettled}."},
    "passes.unsettled": {"sv": " (de flaggade ändrades fortfarande i sista omgången)",
                         "en": " (the flagged set still changed in the last pass)"},
    "skipped": {"sv": "{n} kommuner screenades inte (ofullständiga serier): {items}.",
                "en": "{n} municipalities were not screened (incomplete series): {items}."},
    "files": {"sv": "Tabell: {table}\nFigur: {figure}", "en": "Table: {table}\nFigure: {figure}"},
    "drill.start": {"sv": "Gör den vanliga utvärderingen för {name} ({code}) …",
                    "en": "Running the ordinary evaluation for {name} ({code}) …"},
    "drill.done": {"sv": "Rapport: {path}", "en": "Report: {path}"},
    "drill.unknown": {"sv": "Kommunen {code} finns inte bland de screenade kommunerna.",
                      "en": "The municipality {code} is not among the screened ones."},
    "unexpected": {"sv": "oväntat fel ({what}); körningen avbröts.",
                   "en": "unexpected error ({what}); the run stopped."},
    # ------------------------------------------------------------------ table
    "col.rank": {"sv": "Rang", "en": "Rank"},
    "col.rank_in_outcome": {"sv": "Rang inom utfallet", "en": "Rank within outcome"},
    "col.kommun": {"sv": "Kommunkod", "en": "Municipality code"},
    "col.kommun_name": {"sv": "Kommun", "en": "Municipality"},
    "col.outcome": {"sv": "Utfall", "en": "Outcome"},
    "col.verdict": {"sv": "Bedömning", "en": "Verdict"},
    "col.lead_design": {"sv": "Ledande metod", "en": "Lead design"},
    "col.estimate": {"sv": "Avvikelse", "en": "Deviation"},
    "col.unit": {"sv": "Enhet", "en": "Unit"},
    "col.ci_low": {"sv": "95 %-intervall, nedre", "en": "95% interval, lower"},
    "col.ci_high": {"sv": "95 %-intervall, övre", "en": "95% interval, upper"},
    "col.relative_estimate": {"sv": "Relativ avvikelse", "en": "Relative deviation"},
    "col.p_value": {"sv": "p-värde", "en": "p-value"},
    "col.q_value": {"sv": "q-värde (Benjamini–Yekutieli)", "en": "q-value (Benjamini–Yekutieli)"},
    "col.z": {"sv": "Standardiserad avvikelse", "en": "Standardised deviation"},
    "col.mde": {"sv": "Minsta upptäckbara effekt (ca)", "en": "Minimum detectable effect "
                                                               "(approx.)"},
    "col.flagged": {"sv": "Flaggad", "en": "Flagged"},
    "col.designs_failed": {"sv": "Metoder som inte gick att skatta", "en": "Designs that could "
                                                                           "not be estimated"},
    "yes": {"sv": "ja", "en": "yes"},
    "no": {"sv": "nej", "en": "no"},
    "not_evaluated": {"sv": "ej skattad", "en": "not estimated"},
    "table.title": {"sv": "Screening efter {date}: kommunernas avvikelse från rikets "
                          "utveckling, rangordnad",
                    "en": "Screening after {date}: each municipality's departure from the "
                          "national development, ranked"},
    # ------------------------------------------------------------------ figure
    "fig.title": {"sv": "Störst avvikelser från rikets utveckling efter {date}",
                  "en": "Largest departures from the national development after {date}"},
    "fig.observed": {"sv": "Observerat", "en": "Observed"},
    "fig.counterfactual": {"sv": "Förväntat utan förändring ({design})",
                           "en": "Expected without the change ({design})"},
    "fig.band": {"sv": "95 %-intervall", "en": "95% interval"},
    "fig.panel": {"sv": "{rank}. {name}: {outcome}", "en": "{rank}. {name}: {outcome}"},
    "fig.panel_q": {"sv": "q = {q}", "en": "q = {q}"},
    "fig.empty": {"sv": "Inga kommuner att visa.", "en": "No municipalities to show."},
}


def t(key: str, language: str = "sv", **kw: Any) -> str:
    """The text ``key`` in ``language`` (``sv`` or ``en``), placeholders filled from ``kw``:
    the report's catalogue's entry ``screen.<key>`` (one catalogue for every text)."""
    from evaluation.report.text import t as report_t

    return report_t(f"screen.{key}", language, **kw)


def verdict_label(category: str, language: str = "sv") -> str:
    """A verdict category in words, as the report says it."""
    from evaluation.report.text import t as report_t

    if category == "not_evaluated":
        return t("not_evaluated", language)
    try:
        return report_t(f"verdict.category.{category}", language)
    except KeyError:
        return str(category)
