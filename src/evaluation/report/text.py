"""Every heading and sentence a reader sees, in Swedish (default) and English.

All fixed wording lives in :data:`TEXTS` and is reached through :func:`t` — the peer
comparison's (``peer.*``) and the target follow-up's (``target.*``) too, which their modules
reach through their own ``pt``/``t``. One report speaks one language: a text never falls back to
the other language, and :mod:`evaluation.report.language` finds words of the other language in
a rendered text (``tests/report/test_language.py``). The narrative
functions (:func:`headline`, :func:`result_sentence`, :func:`conclusion_text`, :func:`truth_text`,
:func:`data_box`, :func:`method_text`) build their sentences from result values only: no number
is typed by hand.

A *result dict* is one entry of ``summary["results"]`` (see
:meth:`evaluation.results.EffectResult.to_dict`); a *summary* is the ``summary.json`` record::

    {"evaluation", "data_vintage", "treated": {"code", "name"}, "intervention",
     "post_period": [start, end], "ci_level", "results": [result dicts], "verdict", "truth",
     "simulated": bool}

Optional summary keys used when present: ``"preliminary"`` (periods with preliminary data).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from evaluation.data.panel import (
    COUNT_UNIT,
    MEASURES,
    NEUTRAL_UNIT,
    PP_UNIT,
    known_measures,
    measure_info,
    shift_period,
)
from evaluation.report import format as fmt
from evaluation.report.format import Language, check_language

Verdict = Literal["significant_decrease", "significant_increase", "no_significant_effect",
                  "not_testable"]

#: Designs tried, in order, when choosing the one design the headline reports.
PRIMARY_DESIGNS: tuple[str, ...] = ("its", "decomposition")

# --------------------------------------------------------------------------- the dictionary
TEXTS: dict[str, dict[str, str]] = {
    # Section headings of the report (ESV/RiR order, see shared/docs/domain.md).
    "section_summary": {"sv": "Sammanfattning", "en": "Summary"},
    "section_purpose": {"sv": "Syfte och utvärderingsfrågor", "en": "Purpose and evaluation "
                                                                    "questions"},
    "section_data": {"sv": "Data och mått", "en": "Data and measures"},
    "section_method": {"sv": "Metod", "en": "Method"},
    "section_results": {"sv": "Resultat", "en": "Results"},
    "section_sensitivity": {"sv": "Känslighetsanalys", "en": "Sensitivity analysis"},
    "section_target": {"sv": "Måluppföljning", "en": "Target follow-up"},
    "section_conclusions": {"sv": "Slutsatser och osäkerhet", "en": "Conclusions and uncertainty"},
    "section_reliability": {"sv": "Hur säkra är slutsatserna?",
                            "en": "How sure are the conclusions?"},
    "rel.intro": {
        "sv": "Hur ofta pekar metoden ut en effekt där ingen finns, och hur ofta hittar den en "
              "verklig? Det prövas på kommuner som liknar {name} men där inget hände "
              "(placebotest).",
        "en": "How often does the method point to an effect where there is none, and how often "
              "does it find a real one? This is tested on municipalities like {name} where "
              "nothing happened (placebo test).",
    },
    "rel.placebo": {
        "sv": "**{design}, {outcome}.** Metoden kördes om precis som i rapporten, med samma "
              "längd på efterperioden ({length}), på {name} och {others} kommuner av liknande "
              "storlek vid {dates} skenbara tidpunkter före insatsen, där ingen insats skett. "
              "Den visade en statistiskt säkerställd ”effekt” i {fpr} av fallen ({k} av {n}); en "
              "metod vars {level}-intervall håller vad de lovar gör det i omkring {nominal}, och "
              "med {n} försök i högst {band} av fallen om det bara är slumpen. När en verklig "
              "effekt på {effect} lades in i samma serier hittade metoden den i {power} av "
              "fallen (hälften så stor effekt: {power_half}; dubbelt så stor: {power_double}).",
        "en": "**{design}, {outcome}.** The method was re-run exactly as in the report, with "
              "the same post-period length ({length}), on {name} and {others} municipalities of "
              "similar size at {dates} fictitious dates before the intervention, where nothing "
              "happened. It showed a statistically significant “effect” in {fpr} of the cases "
              "({k} of {n}); a method whose {level} intervals hold what they promise does so in "
              "about {nominal}, and with {n} trials in at most {band} of the cases by chance "
              "alone. When a real effect of {effect} was added to the same series, the method "
              "found it in {power} of the cases (half that effect: {power_half}; twice it: "
              "{power_double}).",
    },
    "rel.passed": {
        "sv": "Kontrollen är godkänd: andelen falsklarm ligger inom vad slumpen ger vid "
              "{nominal}.",
        "en": "The check is passed: the false-alarm share is within what chance gives at "
              "{nominal}.",
    },
    "rel.failed": {
        "sv": "Kontrollen är underkänd: andelen falsklarm är högre än slumpen ger vid {nominal}. "
              "Intervallen är för smala för den här typen av data, och en säkerställd effekt "
              "ska tolkas med stor försiktighet.",
        "en": "The check is failed: the false-alarm share is higher than chance gives at "
              "{nominal}. The intervals are too narrow for this kind of data, and a significant "
              "effect should be read with great caution.",
    },
    "rel.small": {
        "sv": "Siffrorna bygger på {n} försök och är själva osäkra.",
        "en": "The figures rest on {n} trials and are themselves uncertain.",
    },
    "rel.mde": {
        "sv": "Med de här data hade en {change} på {mde} eller mer upptäckts i minst 80 % av "
              "fallen (minsta upptäckbara effekt); mindre effekter kan ha funnits utan att "
              "synas.",
        "en": "With these data a {change} of {mde} or more would have been found in at least "
              "80% of cases (minimum detectable effect); smaller effects may have been present "
              "without showing."},
    "rel.mde_none": {
        "sv": "Inte ens en effekt tio gånger referenseffekten hade upptäckts i 80 % av fallen: "
              "med de här data kan metoden inte visa en effekt av rimlig storlek.",
        "en": "Not even an effect ten times the reference effect would have been found in 80% "
              "of cases: with these data the method cannot show an effect of plausible size."},
    "rel.inconclusive": {
        "sv": "**{design}, {outcome}.** Kontrollen kunde inte göras ({reason}); hur säkra "
              "intervallen är går inte att pröva här (ej prövbar).",
        "en": "**{design}, {outcome}.** The check could not be made ({reason}); how reliable "
              "the intervals are cannot be tested here (not testable).",
    },
    "rel.reason.short_pre_period": {
        "sv": "förperioden är för kort för att rymma skenbara tidpunkter med en lika lång "
              "efterperiod ({length}) före insatsen",
        "en": "the pre-period is too short to hold fictitious dates with an equally long "
              "post-period ({length}) before the intervention",
    },
    "rel.reason.too_few_runs": {
        "sv": "för få omkörningar gav ett intervall",
        "en": "too few re-runs gave an interval",
    },
    "rel.reason.no_data": {"sv": "data saknas", "en": "no data"},
    # A reason without a text of its own: never the reason's code or another language's words.
    "rel.reason.other": {"sv": "metoden gick inte att köra om vid de skenbara tidpunkterna",
                         "en": "the method could not be re-run at the fictitious dates"},
    "notes.not_testable": {"sv": "Varför det saknas intervall: {reason}.",
                           "en": "Why there is no interval: {reason}."},
    "rel.reason.too_few_runs.error": {
        "sv": "för få omkörningar gav ett intervall; den vanligaste orsaken: {error}",
        "en": "too few re-runs gave an interval; the most common cause: {error}",
    },
    # Source names as the data carry them (evaluation.data.demo.SOURCE, Kolada's citation),
    # in the report's language (source_label).
    "source.demo": {"sv": "demo (simulerade data)", "en": "demo (simulated data)"},
    "source.kolada": {"sv": "Kolada, egen bearbetning", "en": "Kolada, own calculations"},
    # Why a unit was left out of the data (evaluation.inputs), in the report's language.
    "data.dropped.reason.suppressed": {"sv": "skyddade värden", "en": "suppressed values"},
    "data.dropped.reason.missing": {"sv": "saknade perioder", "en": "missing periods"},
    # Watermark and data box.
    "simulated_banner": {"sv": "SIMULERADE DATA – fiktiv kommun",
                         "en": "SIMULATED DATA – fictional municipality"},
    # Default report title (the spec's title wins).
    "title": {"sv": "Förändringen i {name} {period}", "en": "The change in {name}, {period}"},
    "data.title": {"sv": "Om data", "en": "About the data"},
    "data.source": {"sv": "Källa", "en": "Source"},
    "data.conversions": {"sv": "Så lästes filen", "en": "How the file was read"},
    "data.period": {"sv": "Period", "en": "Period"},
    "data.preliminary": {"sv": "Preliminära uppgifter", "en": "Preliminary data"},
    "data.units": {"sv": "Antal enheter", "en": "Number of units"},
    "data.vintage": {"sv": "Datauttag", "en": "Data vintage"},
    "data.breaks": {"sv": "Seriebrott", "en": "Series breaks"},
    "data.break": {"sv": "{outcome} från {period}: källan bytte metod, så värdena före och efter "
                         "är inte helt jämförbara",
                   "en": "{outcome} from {period}: the source changed its method, so values "
                         "before and after are not fully comparable"},
    "data.treated": {"sv": "Kommun", "en": "Municipality"},
    "data.outcomes": {"sv": "Utfallsmått", "en": "Outcome measures"},
    "data.intervention": {"sv": "Förändringen från", "en": "Change from"},
    "data.donor_pools": {"sv": "Jämförelsekommuner", "en": "Comparison municipalities"},
    "data.target": {"sv": "Mål", "en": "Target"},
    "data.pre_periods": {"sv": "Förperiod", "en": "Pre-period"},
    "data.pre_period": {"sv": "{outcome}: från {first}, {n} {unit} före förändringen (metoderna "
                                "behöver minst {minimum})",
                        "en": "{outcome}: from {first}, {n} {unit} before the change (the methods "
                              "need at least {minimum})"},
    "data.none": {"sv": "inga", "en": "none"},
    # "Data och mått" section.
    "data.measure.unemployment_rate": {
        "sv": "**{label}**: inskrivna arbetslösa (öppet arbetslösa och sökande i program med "
              "aktivitetsstöd) som andel av den registerbaserade arbetskraften.",
        "en": "**{label}**: registered unemployed (openly unemployed and job seekers in programmes "
              "with activity support) as a share of the register-based labour force.",
    },
    "data.measure.households_assistance": {
        "sv": "**{label}**: antal hushåll som fått ekonomiskt bistånd.",
        "en": "**{label}**: number of households that received social assistance.",
    },
    "data.measure.other": {"sv": "**{label}**.", "en": "**{label}**."},
    "data.measure.source": {"sv": "Källa: {source}.", "en": "Source: {source}."},
    "data.measure.socialstyrelsen_monthly": {
        "sv": "Månadsuppgifterna är preliminära och ersätts av den officiella årsstatistiken när "
              "den publiceras.",
        "en": "The monthly figures are preliminary and are replaced by the official annual "
              "statistics when published.",
    },
    "data.kind.rate": {"sv": "Måttet är en andel i procent, så effekter anges i procentenheter.",
                       "en": "The measure is a percentage, so effects are given in percentage "
                             "points."},
    "data.kind.count": {"sv": "Måttet är ett antal; effekter anges i {unit} och i procent.",
                        "en": "The measure is a count; effects are given in {unit} and in per "
                              "cent."},
    "data.kind.count_per_1000": {
        "sv": "Kommuner av olika storlek jämförs per 1 000 invånare.",
        "en": "Municipalities of different size are compared per 1,000 inhabitants."},
    "data.kind.count_no_population": {
        "sv": "Data saknar folkmängd, så antalen jämförs som de är och jämförelsegrupperna "
              "med syntetisk kontroll och skillnad-i-skillnader kan inte räkna per invånare.",
        "en": "The data have no population, so the counts are compared as they are and the "
              "comparison-group designs cannot work per inhabitant."},
    "data.kind.level": {"sv": "Måttet är en nivå i {unit} och jämförs som nivå; effekter anges "
                              "i {unit}.",
                        "en": "The measure is a level in {unit} and is compared as a level; "
                              "effects are given in {unit}."},
    "data.kind.undeclared": {
        "sv": "Vad måttet är (andel, antal eller nivå) anges varken i data eller i "
              "specifikationen; det jämförs som en nivå och effekter anges i måttets egna "
              "enheter. Ange utfallet under outcome_kinds i specifikationen (eller kolumnerna "
              "kind och unit_text i data) för att få rätt enhet.",
        "en": "What the measure is (share, count or level) is stated neither in the data nor in "
              "the spec; it is compared as a level and effects are given in the measure's own "
              "units. Declare the outcome under outcome_kinds in the spec (or the columns kind "
              "and unit_text in the data) to get the right unit.",
    },
    "data.comparison.series": {"sv": "Jämförelseserie för {noun}: {description}",
                               "en": "Comparison series for {noun}: {description}"},
    "data.excluded": {
        "sv": "Uteslutna ur alla jämförelser (grannar och kommuner med liknande reform): "
              "{items}.",
        "en": "Left out of every comparison (neighbours and municipalities with a similar "
              "reform): {items}."},
    "data.coverage": {"sv": "Data omfattar {period} ({frequency}) för {n} {units}.",
                      "en": "The data cover {period} ({frequency}) for {n} {units}."},
    "frequency.monthly": {"sv": "månadsdata", "en": "monthly data"},
    "frequency.yearly": {"sv": "årsdata", "en": "yearly data"},
    "data.windows": {"sv": "Förperioden är tiden före {start}; efterperioden är {window}.",
                     "en": "The pre-period is the time before {start}; the post-period is "
                           "{window}."},
    "data.compare_windows": {
        "sv": "Uppdelningen i nationell och lokal förändring jämför medelvärdet för {first} med "
              "medelvärdet för {second}.",
        "en": "The national/local decomposition compares the average over {first} with the "
              "average over {second}.",
    },
    "data.compare_periods": {
        "sv": "Uppdelningen i nationell och lokal förändring jämför {first} med {second}.",
        "en": "The national/local decomposition compares {first} with {second}.",
    },
    "data.comparison.riket": {"sv": "Jämförelsen görs mot riket, beräknat utan {place}.",
                              "en": "The comparison is with Sweden as a whole, computed without "
                                    "{place}."},
    "data.comparison.lan": {"sv": "Jämförelsen görs mot länet, beräknat utan {place}.",
                            "en": "The comparison is with the county, computed without {place}."},
    "data.comparison.units": {"sv": "Jämförelsen görs mot {n} utvalda kommuner ({codes}).",
                              "en": "The comparison is with {n} selected municipalities "
                                    "({codes})."},
    "data.preliminary_for": {"sv": "Preliminära uppgifter för {place}: {items}.",
                             "en": "Preliminary data for {place}: {items}."},
    "data.dropped.one": {"sv": "En kommun har tagits bort ur jämförelsen: {items}.",
                         "en": "One municipality was removed from the comparison: {items}."},
    "data.dropped.many": {"sv": "{n} kommuner har tagits bort ur jämförelsen: {items}.",
                          "en": "{n} municipalities were removed from the comparison: {items}."},
    "data.simulated": {
        "sv": "Alla data i rapporten är simulerade för fiktiva kommuner; de visar hur verktyget "
              "fungerar och beskriver ingen verklig kommun.",
        "en": "All data in this report are simulated for fictional municipalities; they show how "
              "the tool works and describe no real municipality.",
    },
    # Figures.
    "fig.observed": {"sv": "Observerat", "en": "Observed"},
    "fig.counterfactual": {"sv": "Kontrafaktiskt utfall (utan insatsen)",
                           "en": "Counterfactual (without the intervention)"},
    "fig.band": {"sv": "{level}-intervall", "en": "{level} interval"},
    "fig.comparison": {"sv": "Jämförelseserie", "en": "Comparison series"},
    "fig.comparison_axis": {"sv": "Jämförelseserie (höger axel)", "en": "Comparison series (right "
                                                                        "axis)"},
    "fig.intervention": {"sv": "Insatsen startar {period}", "en": "Intervention starts {period}"},
    "fig.effect": {"sv": "Skattad effekt per period", "en": "Estimated effect per period"},
    "fig.effect_axis": {"sv": "Skillnad mot kontrafaktiskt utfall ({unit})",
                        "en": "Difference from counterfactual ({unit})"},
    "fig.average_effect": {"sv": "Genomsnittlig effekt i efterperioden",
                           "en": "Average effect in the post-period"},
    "fig.post": {"sv": "Efterperiod", "en": "Post-period"},
    "fig.average_band": {"sv": "{level}-intervall för genomsnittet",
                         "en": "{level} interval of the average"},
    "fig.period": {"sv": "Period", "en": "Period"},
    "table.municipality": {"sv": "Kommun", "en": "Municipality"},
    "table.code": {"sv": "Kommunkod", "en": "Code"},
    "table.weight": {"sv": "Vikt", "en": "Weight"},
    "table.others": {"sv": "Övriga tillsammans", "en": "All others"},
    "fig.placebo.treated": {"sv": "{place}", "en": "{place}"},
    "fig.placebo.others": {"sv": "Jämförelsekommuner som placebo ({n} st)",
                           "en": "Comparison municipalities as placebos ({n})"},
    "fig.placebo.axis": {"sv": "Skillnad mot syntetisk kontroll ({unit})",
                         "en": "Difference from synthetic control ({unit})"},
    "fig.placebo.title": {"sv": "{outcome} – {place} och placebokommunerna",
                          "en": "{outcome} – {place} and the placebo municipalities"},
    "fig.event.axis": {"sv": "Skillnad mot jämförelsegruppen, relativt sista perioden före "
                             "({unit})",
                       "en": "Difference from the comparison group relative to the last period "
                             "before ({unit})"},
    "fig.event.x": {"sv": "Perioder från insatsen (grupperade)",
                    "en": "Periods from the intervention (binned)"},
    "fig.event.title": {"sv": "{outcome} – {place}: eventstudie",
                        "en": "{outcome} – {place}: event study"},
    "fig.event.estimate": {"sv": "Skattning med {level}-intervall",
                           "en": "Estimate with {level} interval"},
    "fig.event.reference": {"sv": "Referensperiod", "en": "Reference period"},
    "unit.per_1000": {"sv": "per 1 000 invånare", "en": "per 1,000 inhabitants"},
    "fig.rate_axis": {"sv": "{label} (%)", "en": "{label} (%)"},
    "fig.count_axis": {"sv": "Antal {unit}", "en": "Number of {unit}"},
    "fig.level_axis": {"sv": "{label} ({unit})", "en": "{label} ({unit})"},
    "fig.count": {"sv": "enheter", "en": "units"},
    "fig.title": {"sv": "{outcome} – {place}", "en": "{outcome} – {place}"},
    "fig.decomp.national": {"sv": "Förväntat utifrån jämförelseseriens utveckling",
                            "en": "Expected from the comparison series"},
    "fig.decomp.local": {"sv": "Lokal avvikelse (skattad effekt)",
                         "en": "Local deviation (estimated effect)"},
    "fig.decomp.observed": {"sv": "Observerad förändring", "en": "Observed change"},
    "fig.decomp.axis": {"sv": "Förändring från förperioden ({unit})",
                        "en": "Change from the pre-period ({unit})"},
    # Tables.
    "table.outcome": {"sv": "Utfall", "en": "Outcome"},
    "table.design": {"sv": "Metod", "en": "Method"},
    "table.effect": {"sv": "Skattad effekt", "en": "Effect estimate"},
    "table.ci": {"sv": "{ci}", "en": "{ci}"},
    "table.vintage": {"sv": "Dataversion", "en": "Data version"},
    "table.ci_low": {"sv": "KI nedre", "en": "CI lower"},
    "table.ci_high": {"sv": "KI övre", "en": "CI upper"},
    "table.relative": {"sv": "Relativ effekt", "en": "Relative effect"},
    "table.relative_ci_low": {"sv": "Relativ KI nedre", "en": "Relative CI lower"},
    "table.relative_ci_high": {"sv": "Relativ KI övre", "en": "Relative CI upper"},
    "table.p": {"sv": "p-värde", "en": "p-value"},
    "table.truth": {"sv": "Sant värde", "en": "True value"},
    "table.truth_relative": {"sv": "Sant relativt värde", "en": "True relative value"},
    "table.verdict": {"sv": "Bedömning", "en": "Assessment"},
    "table.unit": {"sv": "Enhet", "en": "Unit"},
    "table.period": {"sv": "Period", "en": "Period"},
    "table.observed": {"sv": "Observerat", "en": "Observed"},
    "table.counterfactual": {"sv": "Kontrafaktiskt", "en": "Counterfactual"},
    "table.counterfactual_low": {"sv": "Kontrafaktiskt nedre", "en": "Counterfactual lower"},
    "table.counterfactual_high": {"sv": "Kontrafaktiskt övre", "en": "Counterfactual upper"},
    "table.comparison": {"sv": "Jämförelseserie", "en": "Comparison series"},
    "table.effect_period": {"sv": "Effekt", "en": "Effect"},
    "table.post": {"sv": "Efterperiod", "en": "Post-period"},
    "yes": {"sv": "ja", "en": "yes"},
    "no": {"sv": "nej", "en": "no"},
    # Figures and tables for Word and Excel: source lines, axis titles, sheet names.
    "source.line": {"sv": "Källa: {source}", "en": "Source: {source}"},
    "source.own": {"sv": "egen bearbetning", "en": "own calculations"},
    "fig.comparison_count_axis": {"sv": "Jämförelseserie: antal {unit}",
                                  "en": "Comparison series: number of {unit}"},
    "fig.comparison_per_1000_axis": {"sv": "Jämförelseserie: {unit} per 1\u00a0000 invånare",
                                     "en": "Comparison series: {unit} per 1,000 inhabitants"},
    "fig.effect_title": {"sv": "Skattad effekt per period – {design}",
                         "en": "Estimated effect per period – {design}"},
    "fig.cumulative_axis": {"sv": "Kumulativ effekt (summa av {unit})",
                            "en": "Cumulative effect (sum of {unit})"},
    "fig.decomp.x": {"sv": "Före och efter att insatsen startade {period}",
                     "en": "Before and after the intervention started in {period}"},
    "xlsx.effects_title": {"sv": "{outcome} i {place} – {design}",
                           "en": "{outcome} in {place} – {design}"},
    "xlsx.weights_title": {"sv": "Jämförelsekommunernas vikter – {design} – {outcome}",
                           "en": "Weights of the comparison municipalities – {design} – {outcome}"},
    "xlsx.sensitivity_title": {"sv": "Känslighetsanalys", "en": "Sensitivity analysis"},
    "sheet.results": {"sv": "Resultat", "en": "Results"},
    "sheet.sensitivity": {"sv": "Känslighet", "en": "Sensitivity"},
    "sheet.weights": {"sv": "Vikter", "en": "Weights"},
    "sheet.target": {"sv": "Mål", "en": "Target"},
    "sheet.peers": {"sv": "Jämförelse", "en": "Comparison"},
    "sheet.history": {"sv": "Dataversioner", "en": "Data versions"},
    "sheet.table": {"sv": "Tabell", "en": "Table"},
    "sheet.design.its": {"sv": "ITS", "en": "ITS"},
    "sheet.design.decomposition": {"sv": "Uppdelning", "en": "Decomposition"},
    "sheet.design.did": {"sv": "DiD", "en": "DiD"},
    "sheet.design.event_study": {"sv": "Eventstudie", "en": "Event study"},
    "sheet.design.synthetic_control": {"sv": "Syntetisk kontroll", "en": "Synthetic control"},
    "sheet.design_short.synthetic_control": {"sv": "Synt. kontroll", "en": "Synth. control"},
    "sheet.design_abbr.synthetic_control": {"sv": "SCM", "en": "SCM"},
    "sheet.design.sdid": {"sv": "SDID", "en": "SDID"},
    "sheet.design.structural_ts": {"sv": "Strukturell modell", "en": "Structural model"},
    "sheet.design_short.structural_ts": {"sv": "Strukt. modell", "en": "Struct. model"},
    "sheet.design_abbr.structural_ts": {"sv": "BSTS", "en": "BSTS"},
    "sheet.outcome.unemployment_rate": {"sv": "arbetslöshet", "en": "unemployment"},
    "sheet.outcome.households_assistance": {"sv": "hushåll", "en": "households"},
    # Verdict words.
    "verdict.significant_decrease": {"sv": "statistiskt säkerställd minskning",
                         "en": "statistically significant decrease"},
    "verdict.significant_increase": {"sv": "statistiskt säkerställd ökning",
                         "en": "statistically significant increase"},
    "verdict.no_significant_effect": {"sv": "ingen säkerställd effekt", "en": "no significant "
                                                                              "effect"},
    "verdict.not_testable": {"sv": "ej prövbar", "en": "not testable"},
    # Headline pieces.
    # ------------------------------------------------------------- the verdict (one per outcome)
    "plan.follows": {"sv": "Analysen följer analysplanen som registrerades {date}.",
                     "en": "The analysis follows the plan recorded on {date}."},
    "plan.late": {
        "sv": "Planen registrerades först när data för efterperioden redan fanns, så den "
              "skyddar inte mot val gjorda efter att resultaten var kända.",
        "en": "The plan was recorded only when data for the post-period already existed, so "
              "it does not protect against choices made after the results were known."},
    "plan.missing": {
        "sv": "Det finns ingen analysplan registrerad före resultaten: val av huvudutfall, "
              "huvudmetod och efterperiod kan ha gjorts efter att resultaten var kända. "
              "Registrera planen med `evaluation plan <spec>` innan data för efterperioden "
              "kommer.",
        "en": "No analysis plan was recorded before the results: the choice of main outcome, "
              "main method and post-period may have been made after the results were known. "
              "Record the plan with `evaluation plan <spec>` before data for the post-period "
              "arrive."},
    "plan.deviates": {"sv": "Avviker från analysplanen: {items}.",
                      "en": "Deviates from the analysis plan: {items}."},
    "plan.item": {"sv": "{what} var {planned}, nu {actual}",
                  "en": "{what} was {planned}, now {actual}"},
    "plan.recreated": {
        "sv": "Analysplanen har skapats om; alla versioner finns i analysplan-logg.jsonl.",
        "en": "The analysis plan has been re-created; every version is in "
              "analysplan-logg.jsonl."},
    "plan.key.primary_outcome": {"sv": "huvudutfallet", "en": "the main outcome"},
    "plan.key.primary_design": {"sv": "huvudmetoden", "en": "the main method"},
    "plan.key.intervention": {"sv": "startdatum", "en": "the start date"},
    "plan.key.post_end": {"sv": "efterperiodens slut", "en": "the end of the post-period"},
    "plan.key.smallest_relevant_effect": {"sv": "minsta relevanta effekt",
                                          "en": "the smallest relevant effect"},
    "plan.key.outcomes": {"sv": "utfallen", "en": "the outcomes"},
    "plan.key.designs": {"sv": "metoderna", "en": "the methods"},
    "plan.key.comparison": {"sv": "jämförelsen", "en": "the comparison"},
    "plan.key.donors": {"sv": "jämförelsekommunerna", "en": "the comparison municipalities"},
    "sens.baseline": {"sv": "Rapportens val", "en": "The report's choice"},
    "sens.anticipation": {"sv": "Insatsen började {n} {unit} tidigare (förväntan)",
                          "en": "The change started {n} {unit} earlier (anticipation)"},
    "sens.phase_in": {"sv": "De första {n} {unit} räknas som infasning",
                      "en": "The first {n} {unit} are a phase-in"},
    "sens.months": {"sv": "månader", "en": "months"},
    "sens.years": {"sv": "år", "en": "year(s)"},
    "sens.date": {"sv": "Startdatum enligt {name}", "en": "Start date as {name}"},
    "sens.later_start": {"sv": "Förperioden börjar en tredjedel senare",
                         "en": "The pre-period starts a third later"},
    "sens.without_2020_21": {"sv": "Utan pandemimånaderna mars 2020–december 2021",
                             "en": "Without the pandemic months March 2020–December 2021"},
    "sens.donors_closest_half": {
        "sv": "Bara den hälft av jämförelsekommunerna som låg närmast före förändringen",
        "en": "Only the half of the comparison municipalities closest before the change"},
    "sens.log_scale": {"sv": "Logaritmerad skala (relativ i stället för absolut modell)",
                       "en": "Log scale (a relative instead of an absolute model)"},
    "sens.axis": {"sv": "Skattad effekt ({unit})", "en": "Estimated effect ({unit})"},
    "sens.title": {"sv": "Känslighetsanalys: {outcome}", "en": "Sensitivity: {outcome}"},
    "sens.intro": {
        "sv": "Varje metod skattades om med andra rimliga val: tidigare eller senare startdatum "
              "(förväntan, infasning), en senare början på förperioden, utan "
              "pandemimånaderna, med hälften av jämförelsekommunerna och på logaritmerad "
              "skala. Ett resultat *vänder* om skattningen byter tecken eller hamnar "
              "utanför rapportens intervall; en metod som vänder kan inte ensam bära ett "
              "tydligt besked.",
        "en": "Every method was re-estimated with other reasonable choices: an earlier or "
              "later start (anticipation, phase-in), a later start of the pre-period, "
              "without the pandemic months, with half of the comparison municipalities and "
              "on the log scale. A result *flips* if the estimate changes sign or "
              "falls outside the report's interval; a method that flips cannot carry a clear "
              "answer on its own."},
    "sens.none": {"sv": "Inget resultat vänder i någon variant.",
                  "en": "No result flips in any variant."},
    "sens.flips": {"sv": "Vänder: {items}.", "en": "Flips: {items}."},
    "sens.flip_item": {"sv": "{design} för {noun} ({variants})",
                       "en": "{design} for {noun} ({variants})"},
    "cost.sentence": {
        "sv": "Räknat i pengar: under efterperioden ({months} månader) motsvarar effekten på "
              "{noun} {units} hushållsmånader, alltså {kronor} kronor i förändrat bistånd "
              "({level} KI {low} till {high} kronor), enligt {design} och {price} kronor per "
              "hushållsmånad.",
        "en": "In money: over the post-period ({months} months) the effect on {noun} "
              "corresponds to {units} household-months, i.e. {kronor} kronor of changed "
              "assistance ({level} CI {low} to {high} kronor), according to {design} and "
              "{price} kronor per household-month."},
    "cost.programme": {
        "sv": "Programmet kostade {cost} kronor under samma tid; {compare}.",
        "en": "The programme cost {cost} kronor over the same time; {compare}."},
    "cost.covers": {"sv": "hela intervallet ligger över kostnaden",
                    "en": "the whole interval lies above the cost"},
    "cost.below": {"sv": "hela intervallet ligger under kostnaden",
                   "en": "the whole interval lies below the cost"},
    "cost.open": {"sv": "intervallet rymmer både mer och mindre än kostnaden",
                  "en": "the interval contains both more and less than the cost"},
    "fig.cumulative": {"sv": "Kumulativ effekt", "en": "Cumulative effect"},
    "verdict.how": {"sv": "Så avgjordes beskedet", "en": "How the answer was decided"},
    "verdict.category.clear_effect": {"sv": "tydlig effekt", "en": "clear effect"},
    "verdict.category.method_dependent": {"sv": "beror på metod", "en": "depends on the method"},
    "verdict.category.no_effect": {"sv": "ingen påvisbar effekt", "en": "no detectable effect"},
    "verdict.category.insufficient": {"sv": "data räcker inte", "en": "the data are not enough"},
    "verdict.clear_effect": {
        "sv": "{Noun}: tydlig effekt. {lead} visar en statistiskt säkerställd {change}, "
              "{support}, och alla {n} metoder som klarar kontrollerna pekar åt samma håll.",
        "en": "{Noun}: clear effect. {lead} shows a statistically significant {change}, "
              "{support}, and all {n} methods that pass the checks point the same way."},
    "verdict.clear_effect.alone": {"sv": "den enda metoden som klarar kontrollerna",
                                   "en": "the only method that passes the checks"},
    "verdict.clear_effect.support": {"sv": "liksom {others}", "en": "as does {others}"},
    "verdict.method_dependent": {
        "sv": "{Noun}: resultatet beror på metod. {significant} visar en statistiskt "
              "säkerställd {change}, men inte {others}. Resultatet ska tolkas med försiktighet.",
        "en": "{Noun}: the result depends on the method. {significant} shows a statistically "
              "significant {change}, but not according to {others}. The result should be "
              "interpreted with caution."},
    "verdict.method_dependent.lead": {
        "sv": "{Noun}: resultatet beror på metod. {significant} visar en statistiskt "
              "säkerställd {change}, men {why}. Resultatet ska tolkas med försiktighet.",
        "en": "{Noun}: the result depends on the method. {significant} shows a statistically "
              "significant {change}, but {why}. The result should be interpreted with caution."},
    "verdict.why.sign": {"sv": "metoderna pekar inte åt samma håll",
                         "en": "the methods do not point the same way"},
    "verdict.why.in_time": {
        "sv": "huvudmetodens egna avvikelser vid tidigare tidpunkter var lika stora",
        "en": "the main method's own deviations at earlier dates were as large"},
    "verdict.why.no_comparison": {
        "sv": "den jämför inte med andra kommuner (en före–efter-modell)",
        "en": "it does not compare with other municipalities (a before–after model)"},
    "verdict.why.alone": {"sv": "ingen annan metod bekräftar det",
                          "en": "no other method confirms it"},
    "verdict.no_effect": {
        "sv": "{Noun}: ingen påvisbar effekt. Skillnaden är inte statistiskt säkerställd, och "
              "{bounds} kan uteslutas ({level} KI från {lead}).",
        "en": "{Noun}: no detectable effect. The difference is not statistically significant, "
              "and {bounds} can be ruled out ({level} CI from {lead})."},
    "verdict.bound.decrease": {"sv": "en minskning större än {x}",
                               "en": "a decrease larger than {x}"},
    "verdict.bound.increase": {"sv": "en ökning större än {x}",
                               "en": "an increase larger than {x}"},
    "verdict.insufficient.R1": {
        "sv": "{Noun}: data räcker inte. Ingen metod klarar kontrollerna: {reasons}.",
        "en": "{Noun}: the data are not enough. No method passes the checks: {reasons}."},
    "verdict.insufficient.R5": {
        "sv": "{Noun}: data räcker inte för ett besked. Ingen metod visar en statistiskt "
              "säkerställd effekt, men intervallet från {lead} ({interval}) rymmer också "
              "effekter större än den minsta relevanta, {bound}.",
        "en": "{Noun}: the data are not enough for an answer. No method shows a statistically "
              "significant effect, but the interval from {lead} ({interval}) also contains "
              "effects larger than the smallest relevant one, {bound}."},
    "verdict.mde": {
        "sv": "Med de här data hade först en {change} på {mde} upptäckts med 80 % sannolikhet.",
        "en": "With these data only a {change} of {mde} would have been found with 80% "
              "probability."},
    "horizon.unit.monthly": {"sv": "månader", "en": "months"},
    "horizon.unit.yearly": {"sv": "år", "en": "years"},
    "horizon.months": {
        "sv": "Fler {unit} hjälper: om effekten består och bruset är som före förändringen "
              "kan en {change} på {bound} upptäckas när efterperioden är ungefär {needed} "
              "{unit} lång ({extra} {unit} till).",
        "en": "More {unit} help: if the effect lasts and the noise stays as before the change, "
              "a {change} of {bound} can be detected once the post-period is about {needed} "
              "{unit} long ({extra} more {unit})."},
    "horizon.beyond": {
        "sv": "Fler {unit} hjälper bara långsamt: inte ens med en efterperiod på {limit} "
              "{unit} kan en {change} på {bound} säkert upptäckas.",
        "en": "More {unit} help only slowly: not even a post-period of {limit} {unit} would "
              "reliably detect a {change} of {bound}."},
    "horizon.never": {
        "sv": "Fler {unit} hjälper inte: med {lead} växer osäkerheten om vad som annars hade "
              "hänt (nivå och trend) minst lika snabbt som bruset jämnas ut.",
        "en": "More {unit} will not help: with {lead} the uncertainty about what would have "
              "happened otherwise (level and trend) grows at least as fast as the noise "
              "averages out."},
    "horizon.never.projected": {
        "sv": "Med {extra} {unit} till hade först en {change} på {mde} upptäckts.",
        "en": "With {extra} more {unit} only a {change} of {mde} would have been found."},
    "verdict.change.decrease": {"sv": "minskning", "en": "decrease"},
    "verdict.change.increase": {"sv": "ökning", "en": "increase"},
    "verdict.excluded": {"sv": "{design} räknas inte ({why})", "en": "{design} does not count "
                         "({why})"},
    "verdict.reason.no_interval": {"sv": "inget intervall", "en": "no interval"},
    "verdict.reason.reliability_failed": {
        "sv": "underkänd i kontrollen av falska larm", "en": "failed the false-alarm check"},
    "verdict.reason.pretrend": {
        "sv": "förtrenden avviker, p < {alpha}", "en": "the pre-trend differs, p < {alpha}"},
    "verdict.reason.pre_fit": {
        "sv": "förperiodens anpassning är mer än {ratio} gånger sämre än jämförelseenheternas",
        "en": "its pre-period fit is more than {ratio} times worse than the comparison "
              "units'"},
    "verdict.rules": {
        "sv": "Så avgörs beskedet: en metod räknas om den ger ett intervall, inte är underkänd i "
              "kontrollen av falska larm, och förperioden stöder den (skillnad-i-skillnader: "
              "förtrendtestet ger p ≥ {alpha} — ett högt p visar inte att trenderna är "
              "parallella, bara att testet inte ser någon skillnad; syntetisk kontroll: "
              "förperiodens fel högst {ratio} gånger jämförelseenheternas typiska). "
              "*Tydlig effekt* kräver att huvudmetoden ({lead}) utesluter noll, jämför med andra "
              "enheter och inte fått sitt intervall vidgat av sina egna tidigare avvikelser, att "
              "alla metoder som räknas pekar åt samma håll och att minst en till utesluter noll "
              "när flera räknas. *Beror på metod*: någon metod utesluter noll, men inte så. "
              "*Ingen påvisbar effekt*: ingen utesluter noll och huvudmetodens intervall ligger "
              "inom ± den minsta relevanta effekten ({bound}). *Data räcker inte*: annars. "
              "Här avgjorde regel {rule}.",
        "en": "How the answer is decided: a method counts if it gives an interval, did not fail "
              "the false-alarm check, and the pre-period supports it (difference-in-"
              "differences: the pre-trend test gives p ≥ {alpha} — a high p does not show that "
              "the trends are parallel, only that the test sees no difference; synthetic "
              "control: a pre-period error at most {ratio} times the comparison units' typical "
              "one). *Clear effect* requires the main method ({lead}) to exclude zero, to "
              "compare with other units and not to have had its interval widened by its own "
              "earlier deviations, all counting methods to point the same way, and at least "
              "one more to exclude zero when several count. *Depends on the method*: some "
              "method excludes zero, but not like that. *No detectable effect*: none excludes "
              "zero and the main method's interval lies within ± the smallest relevant effect "
              "({bound}). *The data are not enough*: otherwise. Here rule {rule} decided."},
    "headline.opening": {"sv": "Efter förändringen i {place} {when} {clauses}.",
                         "en": "After the change in {place} {when}, {clauses}."},
    "when.monthly": {"sv": "i {period}", "en": "in {period}"},
    "when.yearly": {"sv": "år {period}", "en": "in {period}"},
    "headline.first": {"sv": "låg {noun} {amount} {direction} än den nationella utvecklingen "
                             "förklarar ({ci})",
                       "en": "{noun} was {amount} {direction} than the national development "
                             "explains ({ci})"},
    "headline.next": {"sv": "{noun} låg {amount} {direction} ({ci})",
                      "en": "{noun} was {amount} {direction} ({ci})"},
    "headline.first_level": {"sv": "låg {noun} i nivå med vad den nationella utvecklingen "
                                   "förklarar ({ci})",
                             "en": "{noun} was in line with what the national development explains "
                                   "({ci})"},
    "headline.next_level": {"sv": "{noun} låg i nivå med den ({ci})",
                            "en": "{noun} was in line with it ({ci})"},
    "headline.first_missing": {"sv": "kunde effekten på {noun} inte skattas",
                               "en": "the effect on {noun} could not be estimated"},
    "headline.next_missing": {"sv": "effekten på {noun} kunde inte skattas",
                              "en": "the effect on {noun} could not be estimated"},
    "lower": {"sv": "lägre", "en": "lower"},
    "higher": {"sv": "högre", "en": "higher"},
    "not_testable_short": {"sv": "ej prövbar", "en": "not testable"},
    "sig.one": {"sv": "Skillnaden är statistiskt säkerställd.",
                "en": "The difference is statistically significant."},
    "sig.two": {"sv": "Båda skillnaderna är statistiskt säkerställda.",
                "en": "Both differences are statistically significant."},
    "sig.all": {"sv": "Alla skillnaderna är statistiskt säkerställda.",
                "en": "All differences are statistically significant."},
    "nonsig.one": {"sv": "Skillnaden är inte statistiskt säkerställd; svaret är inte entydigt.",
                   "en": "The difference is not statistically significant; the answer is not "
                         "clear-cut."},
    "nonsig.none": {"sv": "Ingen av skillnaderna är statistiskt säkerställd; svaret är inte "
                          "entydigt.",
                    "en": "None of the differences is statistically significant; the answer is not "
                          "clear-cut."},
    "sig.for": {"sv": "{diff} för {nouns} {verb} statistiskt säkerställd{plural}",
                "en": "the {diff} for {nouns} {verb} statistically significant{plural}"},
    "nonsig.for": {"sv": "{diff} för {nouns} {verb} inte statistiskt säkerställd{plural}, "
                         "och där är svaret inte entydigt",
                   "en": "the {diff} for {nouns} {verb} not statistically significant{plural}, "
                         "so there the answer is not clear-cut"},
    "but": {"sv": "men", "en": "but"},
    "and": {"sv": "och", "en": "and"},
    "untestable.one": {"sv": "Skillnaden är ej prövbar: {reason}",
                       "en": "The difference is not testable: {reason}"},
    "untestable.for": {"sv": "Effekten på {nouns} är ej prövbar: {reason}",
                       "en": "The effect on {nouns} is not testable: {reason}"},
    "untestable.reason": {
        "sv": "med de data som finns kan metoden inte ge ett {level} konfidensintervall, så det "
              "går "
              "inte att avgöra om skillnaden beror på förändringen eller på vanlig slumpvariation.",
        "en": "with the available data the method cannot produce a {level} confidence interval, so "
              "it cannot tell whether the difference is due to the change or to ordinary random "
              "variation.",
    },
    "design.one": {"sv": "Resultaten bygger på {design}.", "en": "The results come from {design}."},
    "design.for": {"sv": "{design} för {nouns}", "en": "{design} for {nouns}"},
    "simulated.note": {"sv": "Observera att siffrorna bygger på simulerade data för en fiktiv "
                             "kommun.",
                       "en": "Note that the figures come from simulated data for a fictional "
                             "municipality."},
    # Result sentence.
    "result.sentence": {
        "sv": "{design}: under efterperioden {window} låg {noun} i genomsnitt {amount} {direction} "
              "än det kontrafaktiska utfallet ({details}).",
        "en": "{design}: over the post-period {window}, {noun} was on average {amount} {direction} "
              "than the counterfactual ({details}).",
    },
    "result.sentence_level": {
        "sv": "{design}: under efterperioden {window} låg {noun} i genomsnitt i nivå med det "
              "kontrafaktiska utfallet ({details}).",
        "en": "{design}: over the post-period {window}, {noun} was on average in line with the "
              "counterfactual ({details}).",
    },
    "result.missing": {"sv": "{design}: effekten på {noun} kunde inte skattas.",
                       "en": "{design}: the effect on {noun} could not be estimated."},
    "result.relative": {"sv": "relativt {interval}", "en": "relative {interval}"},
    "result.significant_decrease": {"sv": "Det är en statistiskt säkerställd minskning.",
                        "en": "This is a statistically significant decrease."},
    "result.significant_increase": {"sv": "Det är en statistiskt säkerställd ökning.",
                        "en": "This is a statistically significant increase."},
    "result.no_significant_effect": {"sv": "Skillnaden är inte statistiskt säkerställd (ingen "
                                           "säkerställd effekt).",
                         "en": "The difference is not statistically significant (no significant "
                               "effect)."},
    "result.not_testable": {
        "sv": "Skattningen är ej prövbar: metoden ger inget {level} konfidensintervall med de data "
              "som finns.",
        "en": "The estimate is not testable: the method gives no {level} confidence interval with "
              "the available data.",
    },
    # Conclusions.
    "conclusion.significant": {
        "sv": "{change} av {noun} är statistiskt säkerställd: hela {level}-intervallet "
              "({interval}) "
              "ligger {side} noll. Att skillnaden beror på just förändringen förutsätter att inget "
              "annat som påverkar {noun} hände lokalt vid samma tid, utan att också synas i rikets "
              "utveckling.",
        "en": "The {change} in {noun} is statistically significant: the whole {level} interval "
              "({interval}) lies {side} zero. Attributing it to the change assumes that nothing "
              "else "
              "affecting {noun} happened locally at the same time without also showing in the "
              "national development.",
    },
    "conclusion.no_effect": {
        "sv": "Skillnaden för {noun} är inte statistiskt säkerställd: {level}-intervallet "
              "({interval}) "
              "rymmer både en minskning och en ökning. Svaret är inte entydigt, och "
              "punktskattningen "
              "ska tolkas med försiktighet.",
        "en": "The difference for {noun} is not statistically significant: the {level} interval "
              "({interval}) covers both a decrease and an increase. The answer is not clear-cut, "
              "and "
              "the point estimate should be interpreted with caution.",
    },
    "conclusion.not_testable": {
        "sv": "Effekten på {noun} är ej prövbar: det finns inget {level} konfidensintervall. "
              "Punktskattningen ({amount}) ska tolkas med försiktighet och kan inte ensam visa att "
              "förändringen hade effekt.",
        "en": "The effect on {noun} is not testable: there is no {level} confidence interval. The "
              "point estimate ({amount}) should be interpreted with caution and cannot on its own "
              "show that the change had an effect.",
    },
    "conclusion.missing": {"sv": "Effekten på {noun} kunde inte skattas.",
                           "en": "The effect on {noun} could not be estimated."},
    "conclusion.disagree": {
        "sv": "Metoderna ger inte samma besked för {noun} ({verdicts}); även det talar för att "
              "resultatet ska tolkas med försiktighet.",
        "en": "The methods do not agree for {noun} ({verdicts}); this too means the result should "
              "be interpreted with caution.",
    },
    "conclusion.preliminary": {
        "sv": "Uppgifterna för {periods} är preliminära och kan komma att revideras; resultat som "
              "bygger på dem ska tolkas med försiktighet.",
        "en": "The data for {periods} are preliminary and may be revised; results that rely on "
              "them "
              "should be interpreted with caution.",
    },
    "conclusion.simulated": {
        "sv": "Resultaten bygger på simulerade data för en fiktiv kommun. De visar hur verktyget "
              "fungerar och säger ingenting om en verklig kommun.",
        "en": "The results come from simulated data for a fictional municipality. They show how "
              "the "
              "tool works and say nothing about a real municipality.",
    },
    "significant_decrease_noun": {"sv": "Minskningen", "en": "decrease"},
    "significant_increase_noun": {"sv": "Ökningen", "en": "increase"},
    "below": {"sv": "under", "en": "below"},
    "above": {"sv": "över", "en": "above"},
    # Truth (simulated data).
    "truth.value": {"sv": "Sant värde i simuleringen: {truth}; skattat: {estimate}.",
                    "en": "True value in the simulation: {truth}; estimated: {estimate}."},
    "truth.covered": {"sv": "{level}-intervallet täcker det sanna värdet.",
                      "en": "The {level} interval covers the true value."},
    "truth.not_covered": {"sv": "{level}-intervallet täcker inte det sanna värdet.",
                          "en": "The {level} interval does not cover the true value."},
    # Method texts.
    "method.decomposition": {
        "sv": "Uppdelningen i nationell och lokal förändring {compared}. Den observerade "
              "förändringen delas i en del som jämförelseseriens utveckling förklarar och en "
              "lokal avvikelse. För en andel, som arbetslösheten, eller en nivå är den förklarade "
              "delen jämförelseseriens förändring i samma enhet; för ett antal, som "
              "biståndshushållen, är det kommunens utgångsnivå uppräknad eller nedräknad med "
              "jämförelseseriens relativa förändring. Det ger det kontrafaktiska utfallet, vad "
              "som hade hänt utan insatsen, och den lokala avvikelsen är den skattade effekten. "
              "{level}-intervallet bygger på hur mycket {similar} av liknande storlek avvek från "
              "jämförelseseriens utveckling mellan samma två perioder: kommunens avvikelse "
              "jämförs med deras. Finns för få jämförbara kommuner för att nå {level}-nivån är "
              "skattningen ej prövbar.",
        "en": "The national/local decomposition {compared}. The observed change "
              "is split into a part explained by the comparison series' development and a local "
              "deviation. For a rate, such as unemployment, or a level, the explained part is the "
              "comparison series' change in the same unit; for a count, such as households "
              "receiving social assistance, it is the municipality's starting level scaled by the "
              "comparison series' relative change. This gives the counterfactual, what would have "
              "happened without the intervention, and the local deviation is the effect "
              "estimate. The {level} interval is based on how far {similar} of similar size "
              "deviated from the comparison series between the same two periods: the "
              "municipality's deviation is compared with theirs. If there are too few comparable "
              "municipalities to reach the {level} level, the estimate is not testable.",
    },
    "method.decomposition.single": {
        "sv": "jämför kommunens värde vid en period före förändringen med värdet vid en period "
              "efter{seasonal}",
        "en": "compares the municipality's value in a period before the change with its value "
              "in a period after it{seasonal}",
    },
    "method.decomposition.window": {
        "sv": "jämför kommunens medelvärde under {n} månader före förändringen med medelvärdet "
              "under {n} månader efter; hela år, så att säsongsmönster och enskilda månaders "
              "slumpvariation inte tas för effekter",
        "en": "compares the municipality's average over {n} months before the change with its "
              "average over {n} months after it; whole years, so that seasonal patterns and the "
              "chance variation of single months are not taken for effects",
    },
    "method.decomposition.seasonal": {
        "sv": ", i regel samma kalendermånad ett år senare så att säsongsmönster inte tas för "
              "effekter",
        "en": ", usually the same calendar month a year later so that seasonal patterns are not "
              "taken for effects",
    },
    "method.its": {
        "sv": "Den avbrutna tidsserien använder jämförelseserien (se Data och mått) som "
              "kontroll. En regressionsmodell "
              "anpassas enbart på förperioden, där kommunens värde varje {period} förklaras av "
              "jämförelseseriens värde samma {period}{seasonal}; för antal, som "
              "biståndshushållen, används en "
              "log-linjär modell (kvasi-Poisson) med folkmängden som exponering. Modellen skrivs "
              "sedan fram över efterperioden med jämförelseseriens faktiska utveckling; det ger "
              "det "
              "kontrafaktiska utfallet, vad som hade hänt utan insatsen. Den skattade effekten är "
              "skillnaden mellan observerat och kontrafaktiskt utfall, i genomsnitt över "
              "efterperioden. {errors} {level}-intervallet för den genomsnittliga effekten tar "
              "hänsyn både till osäkerheten i modellens skattade samband och till slumpvariationen "
              "under efterperioden, och p-värdet kommer från samma beräkning.",
        "en": "The interrupted time series uses the comparison series (see Data and measures) "
              "as control. A regression model "
              "is fitted on the pre-period only, explaining the municipality's value in each "
              "{period} by the comparison series' value in the same {period}{seasonal}; for "
              "counts, such as "
              "households receiving social assistance, a log-linear (quasi-Poisson) model with "
              "population as exposure is used. The model is then projected over the post-period "
              "using the comparison series' actual development; this gives the counterfactual, "
              "what would "
              "have happened without the intervention. The effect estimate is the difference "
              "between observed and counterfactual, averaged over the post-period. {errors} The "
              "{level} interval for the average effect accounts both for the uncertainty in the "
              "estimated relationship and for random variation in the post-period, and the "
              "p-value comes from the same calculation.",
    },
    "method.its.seasonal": {"sv": " och av kalendermånaden (säsong)",
                            "en": " and by the calendar month (season)"},
    "method.its.errors.monthly": {
        "sv": "Modellens fel antas bestå av en varaktig del, som följer en AR(1)-process (en "
              "månads avvikelse följer delvis med till nästa), och slumpbrus från månad till "
              "månad; det ger ärligare, oftast bredare, intervall än om månaderna behandlades som "
              "oberoende, och osäkerheten i autokorrelationen räknas in. Ingen lokal linjär trend "
              "skrivs fram: en trend skattad på några års förperiod och förlängd över "
              "efterperioden får slumpvariation att se ut som effekter. Hur ofta metoden ger "
              "falsklarm på kommuner där inget hände redovisas under ”Hur säkra är slutsatserna?”.",
        "en": "The model's errors are assumed to consist of a lasting part, following an AR(1) "
              "process (part of one month's deviation carries over to the next), and "
              "month-to-month noise; this gives more honest, usually wider, intervals than "
              "treating months as independent, and the uncertainty of the autocorrelation is "
              "included. No local linear trend is extrapolated: a trend estimated on a few years "
              "of pre-period and extended over the post-period makes noise look like effects. "
              "How often the method raises false alarms on municipalities where nothing happened "
              "is shown under “How sure are the conclusions?”.",
    },
    "method.its.errors.yearly": {
        "sv": "Med årsdata finns få observationer; felen behandlas som oberoende mellan åren och "
              "intervallet bygger på t-fördelningen, som tar hänsyn till det lilla antalet år.",
        "en": "Yearly data give few observations; the errors are treated as independent between "
              "years and the interval uses the t distribution, which allows for the small number "
              "of years.",
    },
    "method.did": {
        "sv": "Skillnad-i-skillnader jämför kommunens förändring från förperioden till "
              "efterperioden med jämförelsekommunernas genomsnittliga förändring under samma tid; "
              "jämförelsekommunernas gemensamma utveckling period för period fångar det som "
              "händer i hela landet. Metoden förutsätter parallella trender: utan insatsen hade "
              "kommunen och jämförelsegruppen utvecklats lika. Eventstudien visar skillnaden "
              "{per}, så att man kan se om kurvorna gick isär redan före insatsen. Med en enda "
              "kommun som genomfört förändringen går det inte att använda vanliga "
              "klusterrobusta standardfel, eftersom det bara finns ett kluster med insatsen; "
              "i stället görs samma beräkning för varje jämförelsekommun som om den hade "
              "genomfört insatsen. {inference}",
        "en": "Difference-in-differences compares the municipality's change from the pre-period "
              "to the post-period with the comparison municipalities' average change over the "
              "same time; their common period-by-period development captures what happens in the "
              "whole country. It assumes parallel trends: without the intervention, the "
              "municipality and the comparison group would have developed alike. The event study "
              "shows the difference {per}, so one can see whether the curves "
              "diverged already before the intervention. With a single municipality making the "
              "change, ordinary cluster-robust standard errors cannot be used, because there is "
              "only one treated cluster; instead the same calculation is made for each "
              "comparison municipality as if it had made the change. {inference}",
    },
    "method.synthetic_control": {
        "sv": "Den syntetiska kontrollmetoden väger ihop jämförelsekommuner så att det vägda "
              "genomsnittet följer kommunen så nära som möjligt under förperioden. Det vägda "
              "genomsnittet under efterperioden är det kontrafaktiska utfallet, och skillnaden mot "
              "det observerade är den skattade effekten. Vikterna visas i en tabell. Osäkerheten "
              "bedöms med placebotest, där varje jämförelsekommun i tur och ordning behandlas "
              "som om den hade genomfört insatsen. {inference}",
        "en": "The synthetic control method weights comparison municipalities so that the weighted "
              "average follows the municipality as closely as possible in the pre-period. The "
              "weighted average in the post-period is the counterfactual, and the difference from "
              "the observed values is the effect estimate. The weights are shown in a table. "
              "Uncertainty is judged with placebo tests, treating each comparison municipality "
              "in turn as if it had made the change. {inference}",
    },
    "method.did.per.monthly": {"sv": "kvartal för kvartal", "en": "quarter by quarter"},
    "method.did.per.yearly": {"sv": "år för år", "en": "year by year"},
    "method.sdid": {
        "sv": "Syntetisk skillnad-i-skillnader (Arkhangelsky m.fl. 2021) förenar de två "
              "metoderna: jämförelsekommunerna vägs så att de följer kommunens utveckling (men "
              "inte nödvändigtvis dess nivå) under förperioden, och förperiodens månader vägs så "
              "att de liknar efterperioden. Effekten är skillnaden-i-skillnader mellan kommunen "
              "och den vägda jämförelsegruppen. {inference}",
        "en": "Synthetic difference-in-differences (Arkhangelsky et al. 2021) combines the two "
              "methods: the comparison municipalities are weighted to follow the municipality's "
              "development (but not necessarily its level) in the pre-period, and the pre-period "
              "months are weighted to resemble the post-period. The effect is the "
              "difference-in-differences between the municipality and the weighted comparison "
              "group. {inference}",
    },
    "method.placebo_inference": {
        "sv": "Skattningarna för jämförelsekommunerna divideras med den slumpvariation som "
              "väntas för en kommun av respektive storlek (skattad gemensamt för alla kommuner), "
              "eftersom små kommuner varierar mer än stora. Med minst {need} jämförelsekommuner "
              "består {level}-intervallet av de effekter som kommunens skattning inte skiljer "
              "sig från i rangordningen bland de upp till {n} som är närmast i storlek; med "
              "färre bygger intervallet på placeboskattningarnas spridning och en "
              "t-fördelning (Arkhangelsky m.fl. 2021).",
        "en": "The comparison municipalities' estimates are divided by the random variation "
              "expected for a municipality of each one's size (estimated jointly for all "
              "municipalities), since small municipalities vary more than large ones. With at "
              "least {need} comparison municipalities the {level} interval consists of the "
              "effects from which the municipality's estimate does not differ in the ranking "
              "among the up to {n} closest in size; with fewer, the interval rests on the "
              "spread of the placebo estimates and a t distribution (Arkhangelsky et al. 2021).",
    },
    "donors.pool": {
        "sv": "**Jämförelsekommuner ({outcome}).** {description} {n} jämförelsekommuner; det "
              "minsta tvåsidiga p-värde som ett rangtest (permutationstest) över dem kan ge är "
              "{min_p}.",
        "en": "**Comparison municipalities ({outcome}).** {description} {n} comparison "
              "municipalities; the smallest two-sided p-value a rank (permutation) test over "
              "them can give is {min_p}.",
    },
    "changes.same": {"sv": "Samma data som vid förra körningen ({vintage}): inga nya uppgifter.",
                     "en": "The same data as in the previous run ({vintage}): nothing new."},
    "changes.since": {"sv": "**Sedan förra körningen** (dataversion {vintage}):",
                      "en": "**Since the previous run** (data version {vintage}):"},
    "changes.new": {"sv": "nya perioder {periods}", "en": "new periods {periods}"},
    "changes.more": {"sv": "och {n} till", "en": "and {n} more"},
    "changes.no_new": {"sv": "inga nya perioder", "en": "no new periods"},
    "changes.revised": {"sv": "reviderade värden: {items}", "en": "revised values: {items}"},
    "changes.finalised": {"sv": "preliminära värden som nu är slutliga: {items}",
                          "en": "preliminary values now final: {items}"},
    "changes.result": {"sv": "{design}, {outcome}: {old} → {new} ({verdict})",
                       "en": "{design}, {outcome}: {old} → {new} ({verdict})"},
    "changes.results": {"sv": "Ändrade skattningar: {items}.",
                        "en": "Changed estimates: {items}."},
    "changes.unchanged": {"sv": "Skattningarna är oförändrade.",
                          "en": "The estimates are unchanged."},
    "changes.weights": {"sv": "Ändrade vikter i den syntetiska kontrollen: {items}.",
                        "en": "Changed synthetic-control weights: {items}."},
    "changes.verdict_same": {"sv": "samma bedömning", "en": "same verdict"},
    "changes.verdict_changed": {"sv": "bedömningen ändrades", "en": "the verdict changed"},
    "changes.history": {"sv": "Tidigare körningar", "en": "Previous runs"},
    # ------------------------------------------------ report layout (first screen, contents)
    "question": {"sv": "**Frågan:** Har förändringen i {place} från {date} påverkat {outcomes} "
                       "mer än {comparison}?",
                 "en": "**The question:** Did the change in {place} from {date} change "
                       "{outcomes} beyond {comparison}?"},
    "question.national": {"sv": "den nationella utvecklingen", "en": "the national development"},
    "question.comparison": {"sv": "jämförelsens utveckling",
                            "en": "the development of the comparison"},
    "contents": {"sv": "Innehåll", "en": "Contents"},
    "section_glossary": {"sv": "Ordlista", "en": "Glossary"},
    "table.lead": {"sv": "Huvudmetod", "en": "Lead method"},
    "results.others": {"sv": "Alla {n} metoder: tabell, text och figurer",
                       "en": "All {n} methods: table, text and figures"},
    "details.table": {"sv": "Tabell", "en": "Table"},
    "details.more": {"sv": "Fler figurer", "en": "More figures"},
    "details.sensitivity": {"sv": "Figurer och tabell för varje variant",
                            "en": "Figures and table for each variant"},
    "details.glossary": {"sv": "Ordlistans {n} ord", "en": "The glossary's {n} terms"},
    "details.reliability": {"sv": "Placebotesterna för varje metod och utfall",
                            "en": "The placebo tests for each method and outcome"},
    "details.data": {"sv": "Mått, jämförelseserier och perioder, med figurer",
                     "en": "Measures, comparison series and periods, with figures"},
    "details.method": {"sv": "Så fungerar de {n} metoderna", "en": "How the {n} methods work"},
    "details.headline": {"sv": "Sammanfattningen i löptext", "en": "The summary as prose"},
    "fig.caption": {"sv": "Figur {n}. {text}", "en": "Figure {n}. {text}"},
    "fig.caption.counterfactual": {
        "sv": "{Noun} i {place}: observerat och kontrafaktiskt utfall ({design})",
        "en": "{Noun} in {place}: observed and counterfactual ({design})"},
    "fig.caption.effect": {"sv": "{Noun} i {place}: skattad effekt per period ({design})",
                           "en": "{Noun} in {place}: estimated effect per period ({design})"},
    "fig.caption.placebo": {
        "sv": "{Noun} i {place}: skillnaden mot den syntetiska kontrollen, jämförd med "
              "placebokommunernas",
        "en": "{Noun} in {place}: the gap to the synthetic control, compared with the placebo "
              "municipalities'"},
    "fig.caption.event": {"sv": "{Noun} i {place}: eventstudie ({design})",
                          "en": "{Noun} in {place}: event study ({design})"},
    "fig.caption.decomposition": {
        "sv": "{Noun} i {place}: förändringen delad i nationell och lokal del",
        "en": "{Noun} in {place}: the change split into a national and a local part"},
    "fig.caption.three_panel": {
        "sv": "{Noun} i {place}: observerat mot kontrafaktiskt utfall, effekt per period och "
              "kumulativ effekt ({design})",
        "en": "{Noun} in {place}: observed against counterfactual, effect per period and "
              "cumulative effect ({design})"},
    "fig.caption.series": {"sv": "{Noun} i {place} och jämförelseserien",
                           "en": "{Noun} in {place} and the comparison series"},
    "fig.caption.sensitivity": {
        "sv": "{Noun}: skattningen för varje metod med andra rimliga val",
        "en": "{Noun}: each method's estimate under other reasonable choices"},
    "fig.caption.target": {"sv": "Måluppföljning: {label}", "en": "Target follow-up: {label}"},
    "fig.caption.peers": {"sv": "{label}: {place} jämförd med jämförelsegruppen",
                          "en": "{label}: {place} compared with the comparison group"},
    "fig.alt.shows": {"sv": "Diagrammet visar {items}.", "en": "The chart shows {items}."},
    "fig.alt.y": {"sv": "Lodrät axel: {axis}.", "en": "Vertical axis: {axis}."},
    "fig.alt.bars": {"sv": "Staplarna: {items}.", "en": "The bars: {items}."},
    "fig.alt.x": {"sv": "Vågrät axel från {first} till {last}.",
                  "en": "Horizontal axis from {first} to {last}."},
    # ------------------------------------------------ glossary (a committee member's words)
    "glossary.pointer": {
        "sv": "Ord som *95 % KI*, *statistiskt säkerställd* och *kontrafaktiskt utfall* "
              "förklaras i [ordlistan](#glossary) sist i rapporten.",
        "en": "Words such as *95% CI*, *statistically significant* and *counterfactual* are "
              "explained in the [glossary](#glossary) at the end of the report."},
    "glossary.intro": {
        "sv": "Ord i rapporten som kan behöva förklaras, med vad de betyder här.",
        "en": "Words in the report that may need explaining, with what they mean here."},
    "glossary.verdict": {"sv": "Besked (bedömning)", "en": "Answer (assessment)"},
    "glossary.verdict.text": {
        "sv": "Rapportens svar per utfall: *tydlig effekt*; *beror på metod* (metoderna är inte "
              "överens); *ingen påvisbar effekt* (en effekt av betydelse kan uteslutas); *data "
              "räcker inte* (den kan inte uteslutas).",
        "en": "The report's answer per outcome: *clear effect*; *depends on the method* (the "
              "methods disagree); *no detectable effect* (an effect that matters can be ruled "
              "out); *the data are not enough* (it cannot be ruled out)."},
    "glossary.counterfactual": {"sv": "Kontrafaktiskt utfall", "en": "Counterfactual"},
    "glossary.counterfactual.text": {
        "sv": "Det som hade hänt utan förändringen, skattat från hur riket eller andra kommuner "
              "utvecklades. Effekten är skillnaden mot det som faktiskt hände.",
        "en": "What would have happened without the change, estimated from how the country or "
              "other municipalities developed. The effect is the difference from what actually "
              "happened."},
    "glossary.ci": {"sv": "Konfidensintervall (95\u00a0% KI)",
                    "en": "Confidence interval (95% CI)"},
    "glossary.ci.text": {
        "sv": "De effekter som stämmer med data: ett 95-procentigt intervall innehåller den "
              "sanna effekten i 95 fall av 100. Ligger noll i intervallet kan effekten vara noll.",
        "en": "The effects that agree with the data: a 95% interval contains the true effect in "
              "95 cases out of 100. If zero lies inside, the effect may be zero."},
    "glossary.p_value": {"sv": "p-värde", "en": "p-value"},
    "glossary.p_value.text": {
        "sv": "Hur ofta en lika stor skillnad skulle uppstå av en slump om förändringen inte "
              "hade någon effekt. Under 0,05: svår att förklara med slumpen.",
        "en": "How often a difference this large would arise by chance if the change had no "
              "effect. Below 0.05: hard to explain by chance."},
    "glossary.significant": {"sv": "Statistiskt säkerställd", "en": "Statistically significant"},
    "glossary.significant.text": {
        "sv": "Hela 95-procentsintervallet ligger på ena sidan om noll. Det betyder inte att "
              "effekten är stor, eller att just förändringen orsakade den.",
        "en": "The whole 95% interval lies on one side of zero. It does not mean that the "
              "effect is large, or that the change is what caused it."},
    "glossary.pp": {"sv": "Procentenhet", "en": "Percentage point"},
    "glossary.pp.text": {
        "sv": "Skillnaden mellan två procenttal: från 5 % till 4 % är 1 procentenhet (men 20 "
              "procent).",
        "en": "The difference between two percentages: from 5% to 4% is 1 percentage point "
              "(but 20 per cent)."},
    "glossary.periods": {"sv": "Förperiod, efterperiod", "en": "Pre-period, post-period"},
    "glossary.periods.text": {
        "sv": "Förperioden är tiden före förändringen, som metoderna lär sig av; efterperioden "
              "är tiden efter, där effekten mäts.",
        "en": "The pre-period is the time before the change, which the methods learn from; the "
              "post-period is the time after, where the effect is measured."},
    "glossary.comparison": {"sv": "Jämförelseserie, jämförelsekommuner",
                            "en": "Comparison series, comparison municipalities"},
    "glossary.comparison.text": {
        "sv": "Jämförelseserien är riket (eller länet) utan kommunen; jämförelsekommunerna är de "
              "andra kommuner som metoderna jämför med.",
        "en": "The comparison series is the country (or county) without the municipality; the "
              "comparison municipalities are the others the methods compare with."},
    "glossary.its": {"sv": "Avbruten tidsserie", "en": "Interrupted time series"},
    "glossary.its.text": {
        "sv": "Kommunens samband med jämförelseserien och säsongen före förändringen förlängs in "
              "i efterperioden; avvikelsen från förlängningen är effekten.",
        "en": "The municipality's relation to the comparison series and the season before the "
              "change is extended into the post-period; the deviation from it is the effect."},
    "glossary.decomposition": {"sv": "Nationell/lokal uppdelning",
                               "en": "National/local decomposition"},
    "glossary.decomposition.text": {
        "sv": "Förändringen från året före till året efter delas i det som jämförelseseriens "
              "utveckling förklarar och en lokal avvikelse, som är effekten.",
        "en": "The change from the year before to the year after is split into what the "
              "comparison series explains and a local deviation, which is the effect."},
    "glossary.synthetic_control": {"sv": "Syntetisk kontroll", "en": "Synthetic control"},
    "glossary.synthetic_control.text": {
        "sv": "En vägd blandning av andra kommuner som följde kommunen nära före förändringen; "
              "blandningens utveckling efteråt är det kontrafaktiska utfallet.",
        "en": "A weighted mix of other municipalities that followed the municipality closely "
              "before the change; the mix's development afterwards is the counterfactual."},
    "glossary.did": {"sv": "Skillnad-i-skillnader", "en": "Difference-in-differences"},
    "glossary.did.text": {
        "sv": "Kommunens förändring jämförs med jämförelsekommunernas under samma tid. Metoden "
              "förutsätter att de annars hade utvecklats parallellt.",
        "en": "The municipality's change is compared with the comparison municipalities' over "
              "the same time. It assumes they would otherwise have developed in parallel."},
    "glossary.sdid": {"sv": "Syntetisk skillnad-i-skillnader",
                      "en": "Synthetic difference-in-differences"},
    "glossary.sdid.text": {
        "sv": "Skillnad-i-skillnader där kommuner och månader vägs så att jämförelsen följer "
              "kommunen före förändringen.",
        "en": "Difference-in-differences in which municipalities and months are weighted so "
              "that the comparison follows the municipality before the change."},
    "glossary.structural": {"sv": "Strukturell tidsseriemodell",
                            "en": "Structural time-series model"},
    "glossary.structural.text": {
        "sv": "En modell av kommunens serie utifrån jämförelseserien och säsongen, som simulerar "
              "möjliga förlopp utan förändringen.",
        "en": "A model of the municipality's series from the comparison series and the season, "
              "which simulates possible paths without the change."},
    "glossary.ar1": {"sv": "Autokorrelation, AR(1)", "en": "Autocorrelation, AR(1)"},
    "glossary.ar1.text": {
        "sv": "Att en månads avvikelse delvis följer med till nästa (AR(1): varje månad beror på "
              "den föregående). Metoderna räknar med det, så att osäkerheten inte underskattas.",
        "en": "That one month's deviation partly carries over to the next (AR(1): each month "
              "depends on the one before). The methods allow for it, so the uncertainty is not "
              "understated."},
    "glossary.placebo": {"sv": "Placebotest", "en": "Placebo test"},
    "glossary.placebo.text": {
        "sv": "Samma beräkning för kommuner eller tidpunkter där inget hände. Ger de lika stora "
              "”effekter” går resultatet inte att lita på.",
        "en": "The same calculation for municipalities or dates where nothing happened. If they "
              "give \"effects\" as large, the result cannot be trusted."},
    "glossary.false_alarm": {"sv": "Falskt larm", "en": "False alarm"},
    "glossary.false_alarm.text": {
        "sv": "En statistiskt säkerställd ”effekt” där ingen finns; ska hända i högst 5 fall av "
              "100.",
        "en": "A statistically significant \"effect\" where there is none; should happen in at "
              "most 5 cases out of 100."},
    "glossary.mde": {"sv": "Minsta upptäckbara effekt", "en": "Minimum detectable effect"},
    "glossary.mde.text": {
        "sv": "Den minsta effekt som hade upptäckts med 80 procents sannolikhet med de här data.",
        "en": "The smallest effect that would have been detected with 80% probability with "
              "these data."},
    "glossary.relevant": {"sv": "Minsta relevanta effekt", "en": "Smallest relevant effect"},
    "glossary.relevant.text": {
        "sv": "Den minsta effekt som har praktisk betydelse; avgör om beskedet blir ”ingen "
              "påvisbar effekt” eller ”data räcker inte”.",
        "en": "The smallest effect that matters in practice; decides whether the answer is \"no "
              "detectable effect\" or \"the data are not enough\"."},
    "glossary.sensitivity": {"sv": "Känslighetsanalys", "en": "Sensitivity analysis"},
    "glossary.sensitivity.text": {
        "sv": "Beräkningarna görs om med andra rimliga val (startdatum, förperiod, "
              "jämförelsekommuner); ändras beskedet av dem är det osäkert.",
        "en": "The calculations are redone with other reasonable choices (start date, "
              "pre-period, comparison municipalities); if the answer changes with them, it is "
              "uncertain."},
    "skipped": {"sv": "**{design}** kunde inte användas: {reason}",
                "en": "**{design}** could not be used: {reason}"},
    "notes.sc_ratio": {
        "sv": "Placebojämförelsen av förhållandet mellan avvikelsen efter och före insatsen "
              "(Abadie m.fl. 2010) rangordnar kommunen som nummer {rank} av {n}; med {n} "
              "enheter kan en sådan rangordning aldrig ge ett lägre p-värde än 1/{n}.",
        "en": "The placebo comparison of the ratio of the post- to the pre-period deviation "
              "(Abadie et al. 2010) ranks the municipality {rank} of {n}; with {n} units such "
              "a ranking can never give a p-value below 1/{n}.",
    },
    "notes.inference_rank": {
        "sv": "Intervallet kommer från rangordningen av kommunens skattning bland de {n} "
              "jämförelsekommunernas placeboskattningar, var och en delad med den "
              "slumpvariation som väntas för en kommun av dess storlek.",
        "en": "The interval comes from ranking the municipality's estimate among the {n} "
              "comparison municipalities' placebo estimates, each divided by the random "
              "variation expected for a municipality of its size.",
    },
    "notes.inference_t": {
        "sv": "Intervallet bygger på spridningen av de {n} jämförelsekommunernas "
              "placeboskattningar, justerad för kommunernas storlek (t-fördelning med {df} "
              "frihetsgrader; Arkhangelsky m.fl. 2021).",
        "en": "The interval rests on the spread of the {n} comparison municipalities' placebo "
              "estimates, adjusted for the municipalities' size (t distribution with {df} "
              "degrees of freedom; Arkhangelsky et al. 2021).",
    },
    "notes.model_based": {
        "sv": "Med {n} jämförelsekommuner kan ett permutationstest aldrig ge ett p-värde under "
              "1/{n1} och alltså aldrig nå 5 %; intervallet vilar därför på ett modellantagande "
              "(ungefär normalfördelade placeboskattningar) och ska tolkas med försiktighet.",
        "en": "With {n} comparison municipalities a permutation test can never give a p-value "
              "below 1/{n1} and so never reach 5 %; the interval therefore rests on a model "
              "assumption (roughly normal placebo estimates) and should be read with care.",
    },
    "notes.in_time_widened": {
        "sv": "Intervallet har vidgats: när metoden kördes vid {n} tidigare låtsasdatum, då "
              "ingenting hände, avvek kommunen mer från jämförelsen ({low} till {high} "
              "{unit}) än jämförelsekommunernas spridning förklarar. Metoden kan därför inte "
              "skilja en effekt från kommunens egen utveckling, och intervallet är minst så "
              "brett som de avvikelserna (Rambachan & Roth 2023).",
        "en": "The interval has been widened: run at {n} earlier pretend dates, when nothing "
              "happened, the municipality deviated more from its comparison ({low} to "
              "{high} {unit}) than the comparison municipalities' spread explains. The method "
              "therefore cannot tell an effect from the municipality's own development, and the "
              "interval is at least as wide as those deviations (Rambachan & Roth 2023).",
    },
    "notes.sc_loo": {
        "sv": "Utelämnas en av de {k} viktade jämförelsekommunerna i taget blir den "
              "genomsnittliga effekten mellan {low} och {high} {unit}.",
        "en": "Leaving out one of the {k} weighted comparison municipalities at a time, the "
              "average effect lies between {low} and {high} {unit}.",
    },
    "notes.sc_in_time": {
        "sv": "Samma metod med en skenbar insats {start}–{end}, före den verkliga, ger "
              "{att} {unit}.",
        "en": "The same method with a fictitious intervention {start}–{end}, before the real "
              "one, gives {att} {unit}.",
    },
    "notes.pretrend": {
        "sv": "Test av parallella trender före insatsen (samma beräkning för varje "
              "jämförelsekommun): p = {p}. Ett litet p-värde betyder att kurvorna gick isär "
              "redan före insatsen och att skattningen då är mindre trovärdig.",
        "en": "Test of parallel pre-trends (the same calculation for each comparison "
              "municipality): p = {p}. A small p-value means the curves diverged already before "
              "the intervention, which makes the estimate less credible.",
    },
    "unit.pp_short": {"sv": "procentenheter", "en": "percentage points"},
    "donors.dropped": {
        "sv": "Borttagna: {items}.",
        "en": "Removed: {items}.",
    },
    "method.structural_ts": {
        "sv": "Den strukturella tidsseriemodellen (som R-paketet CausalImpact) beskriver "
              "kommunens serie som en nivå som får vandra långsamt, plus jämförelseserien och "
              "säsong, anpassad på tiden före insatsen. Därefter simuleras tusen möjliga "
              "förlopp för efterperioden utan insatsen; effekten är skillnaden mot det "
              "observerade, och {level}-intervallet kommer från simuleringarna, där också "
              "osäkerheten i modellens parametrar ingår. Utan jämförelseserie blir den en ren "
              "före–efter-modell, som aldrig ensam kan ge ett tydligt besked.",
        "en": "The structural time-series model (like the R package CausalImpact) describes "
              "the municipality's series as a slowly wandering level, plus the comparison "
              "series and seasonality, fitted on the time before the change. It then simulates "
              "a thousand possible paths for the post-period without the change; the effect is "
              "the difference from what was observed, and the {level} interval comes from the "
              "simulations, which include the uncertainty of the model's parameters. Without a "
              "comparison series it is a plain before–after model, which can never give a "
              "clear answer on its own."},
    "method.generic": {
        "sv": "Metoden ({design}) skattar ett kontrafaktiskt utfall, vad som hade hänt utan "
              "insatsen, "
              "och den skattade effekten är skillnaden mellan observerat och kontrafaktiskt utfall "
              "under efterperioden, med ett {level}-intervall.",
        "en": "The method ({design}) estimates a counterfactual, what would have happened without "
              "the "
              "intervention, and the effect estimate is the difference between observed and "
              "counterfactual in the post-period, with a {level} interval.",
    },
    "period.monthly": {"sv": "månad", "en": "month"},
    "period.yearly": {"sv": "år", "en": "year"},
}

# One catalogue: the comparison with similar kommuner (evaluation.report.peer_report, through
# its pt()) and the target follow-up (evaluation.report.target_report, through its t()) keep
# their texts here too, as ``peer.*`` and ``target.*``; tests/report/test_language.py checks
# every entry of TEXTS for both languages and for words of the other language.
TEXTS.update({
    # ------------------------------------------------ "Jämförelse med liknande kommuner"
    "peer.heading": {"sv": "Jämförelse med liknande kommuner",
                     "en": "Comparison with similar municipalities"},
    "peer.disclaimer": {
        "sv": "Jämförelsen beskriver skillnader mellan kommunerna, inte deras orsaker: den visar "
              "inte effekter av insatsen och är ingen effektskattning.",
        "en": "The comparison describes differences between the municipalities, not their "
              "causes: it does not show effects of the intervention and is not an effect "
              "estimate.",
    },
    "peer.fig.disclaimer": {"sv": "Beskrivande jämförelse, ingen effektskattning",
                            "en": "Descriptive comparison, not an effect estimate"},
    "peer.intro.group": {
        "sv": "{treated} jämförs här år för år med de {n} andra kommunerna i {group} ({names}).",
        "en": "{treated} is compared here, year by year, with the {n} other municipalities of "
              "{group} ({names}).",
    },
    "peer.intro.list": {
        "sv": "{treated} jämförs här år för år med {n} andra kommuner ({names}).",
        "en": "{treated} is compared here, year by year, with {n} other municipalities "
              "({names}).",
    },
    "peer.intro.one_group": {
        "sv": "{treated} jämförs här år för år med den andra kommunen i {group} ({names}).",
        "en": "{treated} is compared here, year by year, with the other municipality of "
              "{group} ({names}).",
    },
    "peer.intro.one_list": {
        "sv": "{treated} jämförs här år för år med en annan kommun ({names}).",
        "en": "{treated} is compared here, year by year, with one other municipality "
              "({names}).",
    },
    "peer.how.rank": {
        "sv": "Plats 1 betyder lägst värde i gruppen det året; ett lågt värde är inte alltid det "
              "bättre.",
        "en": "Rank 1 means the lowest value in the group that year; a low value is not always "
              "the better one.",
    },
    "peer.how.mean": {
        "sv": "Gruppens medelvärde är ett ovägt medelvärde av alla kommuner i gruppen, "
              "{treated} inräknad, som Koladas gruppmedelvärden.",
        "en": "The group mean is an unweighted mean of all municipalities in the group, "
              "{treated} included, as Kolada's group means.",
    },
    "peer.how.monthly": {
        "sv": "Månadsvärden är omräknade till kalenderår: andelar och nivåer som årets "
              "medelvärde, antal som genomsnittligt antal per månad.",
        "en": "Monthly values are turned into calendar years: shares and levels as the year's "
              "mean, counts as the mean number per month.",
    },
    "peer.how.per_1000": {
        "sv": "Antal jämförs per 1\u00a0000 invånare, så att kommuner av olika storlek går att "
              "jämföra, och placeringen bygger på det värdet.",
        "en": "Counts are compared per 1,000 inhabitants, so that municipalities of different "
              "size can be compared, and the rank is based on that value.",
    },
    "peer.how.partial": {
        "sv": "{year} är ett ofullständigt år ({months}): där jämförs alla kommuner över samma "
              "månader, men värdena går inte att jämföra direkt med hela år.",
        "en": "{year} is an incomplete year ({months}): all municipalities are compared over "
              "the same months there, but the values cannot be compared directly with full "
              "years.",
    },
    "peer.how.preliminary": {
        "sv": "Värdena för {years} är preliminära.",
        "en": "The values for {years} are preliminary.",
    },
    "peer.measure.latest": {
        "sv": "{year} hade {treated} {value} mot gruppens medelvärde {mean} ({relation}), "
              "plats {rank} av {n}.",
        "en": "In {year}, {treated} had {value} against a group mean of {mean} ({relation}), "
              "rank {rank} of {n}.",
    },
    "peer.measure.first": {
        "sv": "{year} var det {value} mot {mean}, plats {rank} av {n}.",
        "en": "In {year} it was {value} against {mean}, rank {rank} of {n}.",
    },
    "peer.measure.same_rank": {"sv": "Placeringen är densamma.", "en": "The rank is the same."},
    "peer.measure.rank_moved": {
        "sv": "Placeringen har gått från {first} till {last} (1 = lägst).",
        "en": "The rank has gone from {first} to {last} (1 = lowest).",
    },
    "peer.measure.no_value": {
        "sv": "{treated} har inget jämförbart värde för något år.",
        "en": "{treated} has no comparable value for any year.",
    },
    "peer.relation.above": {"sv": "över medelvärdet", "en": "above the mean"},
    "peer.relation.below": {"sv": "under medelvärdet", "en": "below the mean"},
    "peer.relation.equal": {"sv": "lika med medelvärdet", "en": "equal to the mean"},
    "peer.notes": {"sv": "Att tänka på:", "en": "Notes:"},
    "peer.rank_of": {"sv": "{rank} av {n}", "en": "{rank} of {n}"},
    "peer.table.measure": {"sv": "Mått", "en": "Measure"},
    "peer.table.row": {"sv": "Uppgift", "en": "Item"},
    "peer.table.rank": {"sv": "Plats (1 = lägst)", "en": "Rank (1 = lowest)"},
    "peer.table.mean": {"sv": "Gruppens medelvärde", "en": "Group mean"},
    "peer.table.partial": {"sv": "{year} ({months})", "en": "{year} ({months})"},
    "peer.table.partial_year": {"sv": "{year} (delår)", "en": "{year} (part year)"},
    "peer.fig.title": {"sv": "{label}: {treated} jämfört med varje kommun i {group}",
                       "en": "{label}: {treated} compared with each municipality of {group}"},
    "peer.fig.group": {"sv": "gruppen", "en": "the group"},
    "peer.fig.peer": {"sv": "Kommunen i rutan", "en": "The panel's municipality"},
    "peer.fig.mean": {"sv": "Gruppens medelvärde (ovägt, alla kommuner)",
                      "en": "Group mean (unweighted, all municipalities)"},
    "peer.fig.partial": {"sv": "Ofullständigt år: {months}", "en": "Incomplete year: {months}"},
    "peer.unit.rate": {"sv": "procent", "en": "per cent"},
    "peer.unit.per_1000": {"sv": "{unit} per 1\u00a0000 invånare",
                           "en": "{unit} per 1,000 inhabitants"},
    "peer.unit.per_month": {"sv": "{unit}, genomsnitt per månad", "en": "{unit}, mean per month"},
    "peer.value.per_1000": {"sv": "{value} {unit} per 1\u00a0000 invånare",
                            "en": "{value} {unit} per 1,000 inhabitants"},
    "peer.value.unit": {"sv": "{value} {unit}", "en": "{value} {unit}"},
})
TEXTS.update({
    # ------------------------------------------------ "Måluppföljning"
    "target.goal.count": {
        "sv": "Målet är att antalet {noun} i {place} ska {verb} från {baseline} {baseline_when} "
              "till {goal} {goal_when}{interim}.",
        "en": "The goal is for the number of {noun} in {place} to {verb} from {baseline} "
              "{baseline_when} to {goal} {goal_when}{interim}.",
    },
    "target.goal.other": {
        "sv": "Målet är att måttet ”{noun}” i {place} ska {verb} från {baseline} "
              "{baseline_when} till {goal} {goal_when}{interim}.",
        "en": "The goal is for the measure “{noun}” in {place} to {verb} from {baseline} "
              "{baseline_when} to {goal} {goal_when}{interim}.",
    },
    "target.verb.down": {"sv": "minska", "en": "fall"},
    "target.verb.up": {"sv": "öka", "en": "rise"},
    "target.interim.one": {"sv": " (delmål: {items})", "en": " (interim target: {items})"},
    "target.interim.many": {"sv": " (delmål: {items})", "en": " (interim targets: {items})"},
    "target.no_data": {
        "sv": "Det finns ännu inga värden för {place} efter utgångsläget.",
        "en": "There are no values for {place} after the baseline yet.",
    },
    "target.after_goal": {
        "sv": "Uppföljningen gäller målperioden; senare, {when}, var värdet {value}{preliminary}.",
        "en": "The follow-up is for the goal period; later, {when}, the value was "
              "{value}{preliminary}."},
    "target.after_goal.preliminary": {"sv": " (preliminärt)", "en": " (preliminary)"},
    "target.where.count": {
        "sv": "{when} var antalet {observed}, {diff} {more_less} än i utgångsläget.",
        "en": "{when} the number was {observed}, {diff} {more_less} than at the baseline.",
    },
    "target.where.count_same": {
        "sv": "{when} var antalet {observed}, lika många som i utgångsläget.",
        "en": "{when} the number was {observed}, the same as at the baseline.",
    },
    "target.where.other": {
        "sv": "{when} var värdet {observed}, {diff} {more_less} än i utgångsläget.",
        "en": "{when} the value was {observed}, {diff} {more_less} than at the baseline.",
    },
    "target.where.other_same": {
        "sv": "{when} var värdet {observed}, detsamma som i utgångsläget.",
        "en": "{when} the value was {observed}, the same as at the baseline.",
    },
    "target.fewer": {"sv": "färre", "en": "fewer"},
    "target.more": {"sv": "fler", "en": "more"},
    "target.lower": {"sv": "lägre", "en": "lower"},
    "target.higher": {"sv": "högre", "en": "higher"},
    "target.achieved": {
        "sv": "Det är {share} av den {change} som målet kräver ({required}).",
        "en": "That is {share} of the {change} the goal requires ({required}).",
    },
    "target.change.down": {"sv": "minskning", "en": "reduction"},
    "target.change.up": {"sv": "ökning", "en": "increase"},
    "target.change.down_def": {"sv": "minskningen", "en": "the reduction"},
    "target.change.up_def": {"sv": "ökningen", "en": "the increase"},
    "target.no_progress": {
        "sv": "Utvecklingen har alltså ännu inte gått i målets riktning.",
        "en": "So far the development has not gone in the goal's direction.",
    },
    "target.reached": {
        "sv": "Målnivån ({goal}) är därmed nådd.",
        "en": "The goal level ({goal}) has thus been reached.",
    },
    "target.path.on": {
        "sv": "Enligt målbanan skulle {noun} ha varit {path} {when}; {place} ligger alltså i fas "
              "med eller före målbanan.",
        "en": "On the target path {noun} would have been {path} {when}; {place} is thus on or "
              "ahead of the path.",
    },
    "target.path.behind": {
        "sv": "Enligt målbanan skulle {noun} ha varit {path} {when}; {place} ligger alltså "
              "{gap} efter målbanan.",
        "en": "On the target path {noun} would have been {path} {when}; {place} is thus {gap} "
              "behind the path.",
    },
    "target.noun.count": {"sv": "antalet", "en": "the number"},
    "target.noun.other": {"sv": "värdet", "en": "the value"},
    "target.national": {
        "sv": "Om {place} hade följt rikets utveckling sedan utgångsläget hade {noun} {when} "
              "varit omkring {expected}{band}.",
        "en": "Had {place} followed the national trend since the baseline, {noun} {when} would "
              "have been about {expected}{band}.",
    },
    "target.national.band": {"sv": " ({level} osäkerhetsintervall: {interval})",
                             "en": " ({level} uncertainty interval: {interval})"},
    "target.national.no_band": {
        "sv": " (det finns för få perioder före utgångsläget för att beräkna ett "
              "osäkerhetsintervall)",
        "en": " (there are too few periods before the baseline to compute an uncertainty "
              "interval)",
    },
    "target.share.part": {
        "sv": "Rikets utveckling motsvarar alltså ungefär {share} av {change}.",
        "en": "The national trend thus accounts for about {share} of {change}.",
    },
    "target.share.all": {
        "sv": "Rikets utveckling räcker alltså ensam till hela {change}.",
        "en": "The national trend alone thus accounts for all of {change}.",
    },
    "target.share.none": {
        "sv": "Rikets utveckling förklarar alltså inget av {change}: i riket gick utvecklingen åt "
              "andra hållet.",
        "en": "The national trend thus explains none of {change}: nationally it went the "
              "other way.",
    },
    "target.vs.within": {
        "sv": "Det observerade värdet ligger inom intervallet, så förändringen i {place} går inte "
              "att skilja från rikets utveckling.",
        "en": "The observed value lies inside the interval, so the change in {place} cannot be "
              "told apart from the national trend.",
    },
    "target.vs.better": {
        "sv": "Det observerade värdet ligger {side} intervallet: {place} har kommit längre mot "
              "målet än rikets utveckling ensam kan förklara.",
        "en": "The observed value lies {side} the interval: {place} has come further towards "
              "the goal than the national trend alone can explain.",
    },
    "target.vs.worse": {
        "sv": "Det observerade värdet ligger {side} intervallet: {place} har utvecklats sämre än "
              "rikets utveckling hade gett.",
        "en": "The observed value lies {side} the interval: {place} has done worse than the "
              "national trend would have given.",
    },
    "target.side.below": {"sv": "under", "en": "below"},
    "target.side.above": {"sv": "över", "en": "above"},
    "target.band.poisson_history": {
        "sv": "Intervallet tar hänsyn både till slumpvariationen i ett antal av den här "
              "storleken och till hur mycket {place} tidigare har avvikit från rikets "
              "utveckling.",
        "en": "The interval allows both for the chance variation of a number this size and for "
              "how far {place} has deviated from the national trend before.",
    },
    "target.band.poisson": {
        "sv": "Intervallet tar hänsyn till slumpvariationen i ett antal av den här storleken; "
              "perioden före utgångsläget är för kort för att också ta med hur mycket {place} "
              "tidigare har avvikit från rikets utveckling, så intervallet kan vara för smalt.",
        "en": "The interval allows for the chance variation of a number this size; the period "
              "before the baseline is too short to include how far {place} has deviated from "
              "the national trend before, so the interval may be too narrow.",
    },
    "target.band.history": {
        "sv": "Intervallet bygger på hur mycket {place} tidigare har avvikit från rikets "
              "utveckling.",
        "en": "The interval rests on how far {place} has deviated from the national trend "
              "before.",
    },
    "target.national.missing": {
        "sv": "Rikets värden saknas, så det går inte att visa vad rikets utveckling ensam hade "
              "gett.",
        "en": "National values are missing, so what the national trend alone would have given "
              "cannot be shown.",
    },
    "target.national.missing_baseline": {
        "sv": "Rikets värde för utgångsläget saknas, så det går inte att visa vad rikets "
              "utveckling ensam hade gett.",
        "en": "The national value for the baseline is missing, so what the national trend "
              "alone would have given cannot be shown.",
    },
    "target.national.missing_period": {
        "sv": "Rikets värde {when} finns ännu inte, så jämförelsen med rikets utveckling kan "
              "inte göras för den perioden.",
        "en": "The national value {when} is not available yet, so the comparison with the "
              "national trend cannot be made for that period.",
    },
    "target.noise.progress": {
        "sv": "Skillnaden mot utgångsläget ({diff}) är mindre än det slumpen ensam kan ge för ett "
              "så litet antal (ungefär ±{half_width}): det går inte att säga att antalet har "
              "{changed}.",
        "en": "The difference from the baseline ({diff}) is smaller than what chance alone can "
              "produce for such a small number (about ±{half_width}): it cannot be said that "
              "the number has {changed}.",
    },
    "target.noise.remaining": {
        "sv": "Det som återstår till målet ({diff}) är mindre än det slumpen ensam kan ge för "
              "ett så litet antal (ungefär ±{half_width}): det går inte att säga om målet är "
              "nått eller inte.",
        "en": "The distance still left to the goal ({diff}) is smaller than what chance alone "
              "can produce for such a small number (about ±{half_width}): it cannot be said "
              "whether the goal has been reached or not.",
    },
    "target.noise.goal": {
        "sv": "Redan den förändring som målet kräver ({diff}) är mindre än det slumpen ensam kan "
              "ge för ett så litet antal (ungefär ±{half_width}), så om målet nås eller inte går "
              "inte att skilja från slumpen.",
        "en": "Even the change the goal requires ({diff}) is smaller than what chance alone can "
              "produce for such a small number (about ±{half_width}), so whether the goal is "
              "reached or not cannot be told apart from chance.",
    },
    "target.changed.down": {"sv": "minskat", "en": "decreased"},
    "target.changed.up": {"sv": "ökat", "en": "increased"},
    "target.changed.none": {"sv": "förändrats", "en": "changed"},
    "target.noise.rate": {
        "sv": "Måttet är en andel och inte ett antal, så ingen bedömning av slumpvariation i små "
              "tal görs; osäkerheten bygger i stället på hur mycket {place} tidigare har avvikit "
              "från rikets utveckling.",
        "en": "The measure is a share, not a count, so no small-number chance assessment is "
              "made; the uncertainty rests instead on how far {place} has deviated from the "
              "national trend before.",
    },
    "target.noise.level": {
        "sv": "Måttet är inte ett antal, så ingen bedömning av slumpvariation i små tal görs; "
              "osäkerheten bygger i stället på hur mycket {place} tidigare har avvikit från "
              "rikets utveckling.",
        "en": "The measure is not a count, so no small-number chance assessment is made; the "
              "uncertainty rests instead on how far {place} has deviated from the national "
              "trend before.",
    },
    "target.preliminary": {"sv": "Värdet {when} är preliminärt.",
                           "en": "The value {when} is preliminary."},
    "target.series_break": {
        "sv": "Observera att Socialstyrelsen 2021 ändrade hur långvarigt ekonomiskt bistånd "
              "räknas och räknade om serien bakåt till 2017: värden före 2017 är inte jämförbara "
              "med senare värden, och uppgifter som hämtades före omräkningen kan skilja sig "
              "från dagens.",
        "en": "Note that in 2021 Socialstyrelsen changed how long-term social assistance is "
              "counted and recalculated the series back to 2017: values before 2017 are not "
              "comparable with later ones, and figures fetched before the recalculation may "
              "differ from today's.",
    },
    # figure
    "target.fig.observed": {"sv": "Observerat", "en": "Observed"},
    "target.fig.path": {"sv": "Målbana", "en": "Target path"},
    "target.fig.expected": {"sv": "Med rikets utveckling", "en": "With the national trend"},
    "target.fig.band": {"sv": "{level}-intervall, rikets utveckling",
                        "en": "{level} interval, national trend"},
    "target.fig.baseline": {"sv": "Utgångsläge", "en": "Baseline"},
    "target.fig.interim": {"sv": "Delmål", "en": "Interim target"},
    "target.fig.goal": {"sv": "Mål", "en": "Goal"},
    "target.fig.title": {"sv": "Måluppföljning: {label} – {place}",
                         "en": "Target follow-up: {label} – {place}"},
    "target.fig.count_axis": {"sv": "Antal {unit}", "en": "Number of {unit}"},
    "target.fig.rate_axis": {"sv": "{label} (%)", "en": "{label} (%)"},
    "target.fig.level_axis": {"sv": "{label} ({unit})", "en": "{label} ({unit})"},
    # table
    "target.table.period": {"sv": "Period", "en": "Period"},
    "target.table.observed": {"sv": "Observerat", "en": "Observed"},
    "target.table.path": {"sv": "Målbana", "en": "Target path"},
    "target.table.expected": {"sv": "Med rikets utveckling", "en": "With the national trend"},
    "target.table.interval": {"sv": "{level}-intervall", "en": "{level} interval"},
    "target.table.low": {"sv": "Intervall, nedre", "en": "Interval, lower"},
    "target.table.high": {"sv": "Intervall, övre", "en": "Interval, upper"},
    "target.table.progress": {"sv": "Framsteg mot målet", "en": "Progress towards the goal"},
    "target.table.share": {"sv": "Andel av målet", "en": "Share of the goal"},
    "target.table.on_track": {"sv": "I fas med målbanan", "en": "On track"},
    "target.table.vs": {"sv": "Jämfört med rikets utveckling",
                        "en": "Compared with the national trend"},
    "target.table.yes": {"sv": "Ja", "en": "Yes"},
    "target.table.no": {"sv": "Nej", "en": "No"},
    "target.table.better": {"sv": "Bättre", "en": "Better"},
    "target.table.within": {"sv": "Inom intervallet", "en": "Within the interval"},
    "target.table.worse": {"sv": "Sämre", "en": "Worse"},
    "target.table.preliminary": {"sv": "{period} (prel.)", "en": "{period} (prel.)"},
})

#: Design keys → (short name for tables, noun phrase for prose), per language.
DESIGN_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "its": {
        "sv": ("Avbruten tidsserie mot jämförelseserien",
               "en avbruten tidsserie med jämförelseserien som kontroll"),
        "en": ("Interrupted time series vs. comparison series",
               "an interrupted time series with the comparison series as control"),
    },
    "decomposition": {
        "sv": ("Nationell/lokal uppdelning", "en uppdelning i nationell och lokal förändring"),
        "en": ("National/local decomposition", "a national/local decomposition"),
    },
    "did": {
        "sv": ("Skillnad-i-skillnader", "skillnad-i-skillnader"),
        "en": ("Difference-in-differences", "difference-in-differences"),
    },
    "event_study": {
        "sv": ("Eventstudie", "en eventstudie"),
        "en": ("Event study", "an event study"),
    },
    "synthetic_control": {
        "sv": ("Syntetisk kontroll", "den syntetiska kontrollmetoden"),
        "en": ("Synthetic control", "the synthetic control method"),
    },
    "sdid": {
        "sv": ("Syntetisk skillnad-i-skillnader", "syntetisk skillnad-i-skillnader"),
        "en": ("Synthetic difference-in-differences", "synthetic difference-in-differences"),
    },
    "structural_ts": {
        "sv": ("Strukturell tidsseriemodell", "en strukturell tidsseriemodell"),
        "en": ("Structural time-series model", "a structural time-series model"),
    },
}
_DESIGN_ALIASES = {
    "interrupted_time_series": "its",
    "its_national": "its",
    "national_decomposition": "decomposition",
    "diff_in_diff": "did",
    "difference_in_differences": "did",
    "synth": "synthetic_control",
    "sc": "synthetic_control",
    "bsts": "structural_ts",
    "structural": "structural_ts",
    "event": "event_study",
}

#: Outcome keys → definite noun phrase used in sentences.
OUTCOME_NOUNS: dict[str, dict[str, str]] = {
    "unemployment_rate": {"sv": "arbetslösheten", "en": "unemployment"},
    "households_assistance": {"sv": "antalet biståndshushåll",
                              "en": "the number of households receiving social assistance"},
}

_UNIT_LABELS: dict[str, dict[str, str]] = {
    "pp": {"sv": PP_UNIT[0], "en": PP_UNIT[1]},
    NEUTRAL_UNIT[1]: {"sv": NEUTRAL_UNIT[0], "en": NEUTRAL_UNIT[1]},
    "count": {"sv": COUNT_UNIT[0], "en": "count"},
    **{m.unit_en: {"sv": m.unit_sv, "en": m.unit_en} for m in MEASURES.values()},
}

#: Known national events worth marking on plots: (period, sv, en, outcomes or None for all).
_NATIONAL_EVENTS: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("2015-11", "Extratjänster införs", "Extratjänster introduced", None),
    ("2019-01", "Stopp för nya extratjänster", "No new extratjänster", None),
    ("2020-03", "Pandemin", "Pandemic", None),
    ("2022-03", "Massflyktsdirektivet (Ukraina)", "Temporary protection (Ukraine)", None),
    ("2024-01", "Ny nämnare (BAS)", "New denominator (BAS)", ("unemployment_rate",)),
    ("2025-10", "Ny a-kassa", "Unemployment insurance reform", ("unemployment_rate",)),
)


# --------------------------------------------------------------------------- lookups
def t(key: str, language: Language = "sv", **kw: Any) -> str:
    """The text ``key`` in ``language``, with ``{placeholders}`` filled from ``kw``.

    Raises
    ------
    KeyError
        If ``key`` is not in :data:`TEXTS`.
    ValueError
        If ``language`` is not "sv" or "en".
    """
    check_language(language)
    try:
        template = TEXTS[key][language]
    except KeyError:
        raise KeyError(f"No text with key {key!r} in evaluation.report.text.TEXTS") from None
    return template.format(**kw) if kw else template


def design_key(design: str) -> str:
    """Canonical design key (``"its"``, ``"decomposition"``, ...) for a design name."""
    d = str(design).strip().lower().replace("-", "_").replace(" ", "_")
    return _DESIGN_ALIASES.get(d, d)


def design_label(design: str, language: Language = "sv", *, prose: bool = False) -> str:
    """Human name of a design: for tables ("Avbruten tidsserie …") or, ``prose=True``, a noun
    phrase for a sentence ("en avbruten tidsserie med jämförelseserien som kontroll")."""
    check_language(language)
    labels = DESIGN_LABELS.get(design_key(design))
    if labels is None:
        return str(design)
    return labels[language][1 if prose else 0]


def outcome_noun(outcome: str, language: Language = "sv") -> str:
    """Definite noun phrase for an outcome: "arbetslösheten", "antalet biståndshushåll"."""
    check_language(language)
    if outcome in OUTCOME_NOUNS:
        return OUTCOME_NOUNS[outcome][language]
    label = measure_info(outcome).label(language)
    return label[:1].lower() + label[1:] if label != outcome else outcome


def outcome_label(outcome: str, language: Language = "sv") -> str:
    """Label of an outcome as in the Measure registry ("Hushåll med ekonomiskt bistånd")."""
    check_language(language)
    return measure_info(outcome).label(language)


def unit_label(unit: str | None, language: Language = "sv") -> str:
    """A unit key in words: "pp" → "procentenheter", "households" → "hushåll",
    "USD per inhabitant" → "USD per invånare" (the declared measures' units too)."""
    check_language(language)
    if not unit:
        return ""
    entry = _UNIT_LABELS.get(unit)
    if entry is None:
        declared = {m.unit_en: m for m in known_measures().values() if m.kind != "rate"}
        if unit in declared:
            return declared[unit].unit(language)
    return entry[language] if entry else str(unit)


def outcome_kind(result: Mapping[str, Any] | Any) -> str:
    """``rate``, ``count`` or ``level`` of a result (an EffectResult or its dict): its own
    ``kind`` when it has one, else ``rate`` for a result in percentage points, else what the
    outcome is declared to be."""
    get = result.get if isinstance(result, Mapping) else (
        lambda key, default=None: getattr(result, key, default))
    kind = get("kind")
    if kind in ("rate", "count", "level"):
        return kind
    if get("unit") == "pp":
        return "rate"
    return measure_info(str(get("outcome", ""))).kind


def result_unit(result: Mapping[str, Any] | Any, language: Language = "sv") -> str:
    """The words an effect of ``result`` is given in: "procentenheter" for a rate, else the
    outcome's declared unit ("hushåll", "USD per invånare", "enheter")."""
    check_language(language)
    get = result.get if isinstance(result, Mapping) else (
        lambda key, default=None: getattr(result, key, default))
    if outcome_kind(result) == "rate":
        return unit_label("pp", language)
    unit = get("unit")
    info = measure_info(str(get("outcome", "")))
    if unit in (None, "", info.unit_en, "count") or unit == info.effect_unit:
        return info.unit(language)
    return unit_label(unit, language)


def value_decimals(x: float, kind: str = "count") -> int:
    """Decimals for an amount: counts 0 from 10 up, else 1; levels keep about two significant
    digits (0,35 paket per invånare, 1,2 kr, 523 USD)."""
    x = abs(float(x))
    if kind != "level":
        return 0 if x >= 10 else 1
    if x >= 10 or x == 0:
        return 0
    return 1 if x >= 1 else 2 if x >= 0.1 else 3


def national_events(outcome: str | None = None, language: Language = "sv") -> list[tuple[str, str]]:
    """Known national events as ``(period, label)`` pairs, for marking on plots.

    Events that only concern some outcomes (e.g. the 2024 denominator change of registered
    unemployment) are left out for other outcomes. Source: shared/docs/domain.md.
    """
    check_language(language)
    return [
        (period, sv if language == "sv" else en)
        for period, sv, en, outcomes in _NATIONAL_EVENTS
        if outcome is None or outcomes is None or outcome in outcomes
    ]


def join_words(items: Sequence[str], language: Language = "sv") -> str:
    """"a", "a och b", "a, b och c" (en: "a and b", "a, b and c")."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('and', language)} {items[-1]}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


# --------------------------------------------------------------------------- values
def _finite(x: Any) -> bool:
    return not fmt.is_missing(x)


def interval_of(result: Mapping[str, Any], key: str = "ci") -> tuple[float, float] | None:
    """The finite interval ``result[key]`` as a tuple, or ``None`` (absent or not finite)."""
    ci = result.get(key)
    if ci is None or len(ci) != 2 or not all(_finite(v) for v in ci):
        return None
    return float(ci[0]), float(ci[1])


def level_of(result: Mapping[str, Any], summary: Mapping[str, Any] | None = None) -> float:
    """Confidence level of a result (else of the summary, else 0.95)."""
    for source in (result, summary or {}):
        level = source.get("ci_level")
        if _finite(level):
            return float(level)
    return 0.95


def is_rate(result: Mapping[str, Any]) -> bool:
    """Whether a result dict is in percentage points (a rate outcome)."""
    if result.get("unit") == "pp":
        return True
    info = MEASURES.get(str(result.get("outcome")))
    return result.get("unit") is None and info is not None and info.kind == "rate"


def verdict(result: Mapping[str, Any]) -> Verdict:
    """The verdict key of one result dict (:func:`evaluation.verdict.significance`, the one
    place it is decided): "significant_decrease"/"significant_increase" when the interval
    excludes 0, "no_significant_effect" when it covers 0, "not_testable" without a finite
    interval."""
    from evaluation.verdict import significance

    return significance(result)  # type: ignore[return-value]


_VERDICT_ALIASES = {"decrease": "significant_decrease", "increase": "significant_increase",
                    "no_effect": "no_significant_effect"}


def verdict_text(key: str, language: Language = "sv") -> str:
    """Verdict words: "statistiskt säkerställd minskning", "statistiskt säkerställd ökning",
    "ingen säkerställd effekt", "ej prövbar" (en: "statistically significant decrease", …)."""
    return t(f"verdict.{_VERDICT_ALIASES.get(key, key)}", language)


def _use_relative(result: Mapping[str, Any]) -> bool:
    """Counts are also given relative to the counterfactual; rates and levels are not."""
    return (not is_rate(result) and outcome_kind(result) == "count"
            and _finite(result.get("relative_effect")))


def _rel_decimals(x: float) -> int:
    return 0 if abs(x) >= 0.1 else 1


def effect_text(
    result: Mapping[str, Any], language: Language = "sv", *, signed: bool = True
) -> str:
    """The point estimate with its unit: "−0,9 procentenheter", "−18 hushåll",
    "−523 USD per invånare".

    Rates in percentage points; counts and levels in their declared unit (the relative effect
    of a count is separate, see :func:`relative_text`).
    """
    x = result.get("average_effect")
    if not _finite(x):
        return fmt.MISSING
    x = float(x)
    if is_rate(result):
        return fmt.pp(x, 1, language, plus=signed and x > 0)
    number = fmt.signed if signed else fmt.number
    unit = result_unit(result, language)
    decimals = value_decimals(x, outcome_kind(result))
    return f"{number(x, decimals, language)} {unit}".strip()


def relative_text(result: Mapping[str, Any], language: Language = "sv") -> str:
    """Relative effect as a signed percentage ("−14,0 %"), "–" when absent."""
    rel = result.get("relative_effect")
    return fmt.percent(rel, 1, language, plus=True) if _finite(rel) else fmt.MISSING


def _amount(result: Mapping[str, Any], language: Language) -> tuple[str, float | None]:
    """Absolute size with unit for prose and the signed value it was rounded from."""
    if _use_relative(result):
        rel = float(result["relative_effect"])
        return fmt.percent(abs(rel), _rel_decimals(rel), language), rel
    x = result.get("average_effect")
    if not _finite(x):
        return fmt.MISSING, None
    x = float(x)
    if is_rate(result):
        return fmt.pp(abs(x), 1, language), x
    decimals = value_decimals(x, outcome_kind(result))
    return (f"{fmt.number(abs(x), decimals, language)} "
            f"{result_unit(result, language)}").strip(), x


def _rounds_to_zero(text: str) -> bool:
    digits = [c for c in text if c.isdigit()]
    return bool(digits) and set(digits) == {"0"}


def enough_decimals(values: Sequence[float], decimals: int, *, factor: float = 1.0) -> int:
    """More decimals until no non-zero interval end prints as 0 (an end of −0,4 % must not
    read "0 %" next to "statistiskt säkerställd"); at most 3."""
    while decimals < 3 and any(v != 0 and round(abs(v) * factor, decimals) == 0 for v in values):
        decimals += 1
    return decimals


def _interval_text(result: Mapping[str, Any], language: Language, *, relative: bool) -> str:
    """The interval ends as prose ("−1,3 till −0,5"), in the unit the amount is given in."""
    if relative:
        rel = float(result["relative_effect"])
        ci = interval_of(result, "relative_ci")
        if ci is not None:
            decimals = enough_decimals(ci, _rel_decimals(rel), factor=100)
            return fmt.interval(*ci, decimals=decimals, language=language, unit="%")
    ci = interval_of(result)
    if ci is None:
        return fmt.MISSING
    if is_rate(result):
        return fmt.interval(*ci, decimals=enough_decimals(ci, 1), language=language)
    x = result.get("average_effect")
    decimals = enough_decimals(
        ci, value_decimals(float(x), outcome_kind(result)) if _finite(x) else 1)
    return fmt.interval(*ci, decimals=decimals, language=language,
                        unit=result_unit(result, language))


def _headline_ci(result: Mapping[str, Any], language: Language, level: float) -> str:
    if verdict(result) == "not_testable":
        return t("not_testable_short", language)
    relative = _use_relative(result) and interval_of(result, "relative_ci") is not None
    return f"{fmt.ci_label(level, language)} {_interval_text(result, language, relative=relative)}"


def _results_amount(result: Mapping[str, Any], language: Language) -> tuple[str, str]:
    """(relative-aware amount, direction word) for headline clauses."""
    only_absolute_ci = (
        interval_of(result, "relative_ci") is None and interval_of(result) is not None
    )
    if _use_relative(result) and only_absolute_ci:
        # Show the absolute effect when only its interval is known, so both match.
        plain = dict(result, relative_effect=None)
        amount, value = _amount(plain, language)
    else:
        amount, value = _amount(result, language)
    if value is None:
        return amount, ""
    return amount, t("lower" if value < 0 else "higher", language)


# --------------------------------------------------------------------------- narrative
def primary_results(
    summary: Mapping[str, Any], preferred: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """One result per outcome, in the order outcomes first appear.

    For each outcome the first available design of ``preferred`` is used; by default
    ``summary["primary_design"]`` (if given) and then :data:`PRIMARY_DESIGNS` (ITS, else the
    decomposition); if none is present, the outcome's first result.
    """
    results = list(summary.get("results") or [])
    if not results:
        raise ValueError("The summary has no results: there is nothing to report.")
    if preferred is None:
        first = summary.get("primary_design")
        preferred = ([first] if first else []) + list(PRIMARY_DESIGNS)
    outcomes: list[str] = []
    for r in results:
        if r.get("outcome") not in outcomes:
            outcomes.append(r.get("outcome"))
    order = [design_key(d) for d in preferred]
    chosen = []
    for outcome in outcomes:
        candidates = [r for r in results if r.get("outcome") == outcome]
        ranked = sorted(
            candidates,
            key=lambda r: order.index(design_key(r.get("design", "")))
            if design_key(r.get("design", "")) in order else len(order),
        )
        chosen.append(dict(ranked[0]))
    return chosen


def headline(summary: Mapping[str, Any], language: Language = "sv") -> str:
    """The headline: did the change lower the outcomes beyond what the national trend explains?

    Uses one primary design per outcome (see :func:`primary_results`) and says which.

    Parameters
    ----------
    summary
        A ``summary.json``-style dict (see the module docstring).
    language
        ``"sv"`` (default) or ``"en"``.

    Returns
    -------
    str
        A short paragraph: the answer with intervals, whether the differences are statistically
        significant, which design it comes from, and a note when the data are simulated.

    Examples
    --------
    "Efter förändringen i Exempelstad i april 2022 låg arbetslösheten 0,9 procentenheter lägre än
    den nationella utvecklingen förklarar (95 % KI −1,3 till −0,5); antalet biståndshushåll låg
    14 % lägre (95 % KI −20 % till −8 %). Båda skillnaderna är statistiskt säkerställda. …"
    """
    check_language(language)
    verdicts = verdicts_of(summary)
    primary = primary_results(summary)
    if verdicts:  # the amounts come from each outcome's lead design
        leads = {o: v.get("lead") for o, v in verdicts.items()}
        primary = [next((dict(x) for x in summary.get("results") or []
                         if x.get("outcome") == r.get("outcome")
                         and x.get("design") == leads.get(r.get("outcome"))), r)
                   for r in primary]
    place = (summary.get("treated") or {}).get("name") or (summary.get("treated") or {}).get("code")
    intervention = summary.get("intervention")
    yearly = intervention is not None and len(str(intervention).strip()) == 4
    when = t("when.yearly" if yearly else "when.monthly", language,
             period=fmt.period_label(intervention, language))
    clauses = []
    for i, r in enumerate(primary):
        position = "first" if i == 0 else "next"
        noun = outcome_noun(r.get("outcome", ""), language)
        amount, direction = _results_amount(r, language)
        ci = _headline_ci(r, language, level_of(r, summary))
        if not direction:
            clauses.append(t(f"headline.{position}_missing", language, noun=noun))
        elif _rounds_to_zero(amount):
            clauses.append(t(f"headline.{position}_level", language, noun=noun, ci=ci))
        else:
            clauses.append(t(f"headline.{position}", language, noun=noun, amount=amount,
                             direction=direction, ci=ci))
    sentences = [t("headline.opening", language, place=place or fmt.MISSING, when=when,
                   clauses="; ".join(clauses))]
    if verdicts:
        sentences += [verdict_sentence(verdicts[r["outcome"]], summary.get("results") or [],
                                       language) for r in primary if r.get("outcome") in verdicts]
    else:
        sentences += _significance_sentences(primary, language, level_of(primary[0], summary))
    sentences.append(_design_sentence(primary, language))
    if summary.get("simulated"):
        sentences.append(t("simulated.note", language))
    return " ".join(s for s in sentences if s)


def plan_text(status: Mapping[str, Any] | None, language: Language = "sv") -> str:
    """How this run relates to the analysis plan (:func:`evaluation.plan.compare`): follows
    it, deviates (every deviation named), no plan, recorded late, re-created."""
    check_language(language)
    if not status:
        return ""
    parts = []
    if status.get("status") == "missing":
        parts.append(t("plan.missing", language))
    else:
        when = str(status.get("recorded_at") or "")[:10]
        if status.get("status") == "deviates":
            items = "; ".join(t("plan.item", language,
                                what=t(f"plan.key.{d['key']}", language),
                                planned=_plan_value(d.get("planned"), language),
                                actual=_plan_value(d.get("actual"), language))
                              for d in status.get("deviations") or [])
            parts.append(t("plan.deviates", language, items=items))
        else:
            parts.append(t("plan.follows", language, date=_vintage(when, language)))
        if status.get("before_post_period") is False:
            parts.append(t("plan.late", language))
    if status.get("recreated"):
        parts.append(t("plan.recreated", language))
    return " ".join(parts)


def _plan_value(value: Any, language: Language) -> str:
    if value is None or value == {} or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(_plan_value(v, language) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_plan_value(v, language)}" for k, v in value.items())
    if isinstance(value, str) and value in DESIGN_LABELS:
        return _lower(design_label(value, language))
    if isinstance(value, str) and value in OUTCOME_NOUNS:
        return outcome_noun(value, language)
    return str(value)


def sensitivity_text(rows: Sequence[Mapping[str, Any]] | None,
                     language: Language = "sv") -> str:
    """The sensitivity grid in two sentences: what was varied, and which results flip."""
    check_language(language)
    if not rows:
        return ""
    from evaluation.report.figures import sensitivity_label

    flipped: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        if r.get("status") == "ok" and r.get("flip"):
            flipped.setdefault((str(r["outcome"]), str(r["design"])), []).append(
                _lower(sensitivity_label(str(r["variant"]), language)))
    parts = [t("sens.intro", language)]
    if not flipped:
        parts.append(t("sens.none", language))
    else:
        items = "; ".join(t("sens.flip_item", language, design=design_label(d, language),
                            noun=outcome_noun(o, language), variants=", ".join(v))
                          for (o, d), v in flipped.items())
        parts.append(t("sens.flips", language, items=items))
    return " ".join(parts)


def cost_text(cost: Mapping[str, Any] | None, language: Language = "sv") -> str:
    """The effect in kronor against the programme's cost (``summary["cost"]``); '' without."""
    check_language(language)
    if not cost or not _finite(cost.get("kronor")):
        return ""
    ci = cost.get("kronor_ci") or [float("nan"), float("nan")]

    def kr(x: float) -> str:
        return fmt.number(x, 0, language)

    text = t("cost.sentence", language, months=cost["months"],
             noun=outcome_noun(str(cost["outcome"]), language),
             units=fmt.signed(float(cost["unit_months"]), 0, language),
             kronor=fmt.signed(float(cost["kronor"]), 0, language),
             level=fmt.level_label(0.95, language), low=fmt.signed(ci[0], 0, language),
             high=fmt.signed(ci[1], 0, language),
             design=_lower(design_label(str(cost["design"]), language)),
             price=kr(float(cost["kr_per_unit_month"])))
    if _finite(cost.get("programme_cost")):
        programme = float(cost["programme_cost"])
        # a fall in households is money not paid out: savings are minus the effect
        low_saved, high_saved = -ci[1], -ci[0]
        compare = ("cost.covers" if low_saved > programme else
                   "cost.below" if high_saved < programme else "cost.open")
        text += " " + t("cost.programme", language, cost=kr(programme),
                        compare=t(compare, language))
    return text


def verdicts_of(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The per-outcome verdict records of a summary (``{}`` for an older summary whose
    ``verdict`` was one key per outcome)."""
    raw = summary.get("verdict") or {}
    if not isinstance(raw, Mapping):
        return {}
    return {str(o): v for o, v in raw.items() if isinstance(v, Mapping) and v.get("category")}


def _verdict_designs(names: Sequence[str], language: Language) -> str:
    return join_words([_lower(design_label(n, language)) for n in names], language)


def _bound_text(value: float, scale: str, result: Mapping[str, Any] | None,
                language: Language) -> str:
    """A magnitude in the verdict's scale: "0,86 procentenheter", "12 %", "40 hushåll"."""
    if scale == "relative":
        return fmt.percent(abs(value), 0 if abs(value) >= 0.1 else 1, language)
    if result is not None and is_rate(result):
        return fmt.pp(abs(value), 2 if abs(value) < 1 else 1, language)
    unit = result_unit(result, language) if result is not None else ""
    kind = outcome_kind(result) if result is not None else "level"
    return f"{fmt.number(abs(value), value_decimals(abs(value), kind), language)} {unit}".strip()


def verdict_sentence(v: Mapping[str, Any], results: Sequence[Mapping[str, Any]] = (),
                     language: Language = "sv") -> str:
    """The verdict for one outcome in one or two sentences (a record of
    :meth:`evaluation.verdict.OutcomeVerdict.to_dict`), in official prose: "Arbetslösheten:
    ingen påvisbar effekt. Skillnaden är inte statistiskt säkerställd, och en minskning större
    än 0,86 procentenheter … kan uteslutas."."""
    check_language(language)
    outcome = str(v.get("outcome"))
    noun = _cap(outcome_noun(outcome, language))
    lead = v.get("lead")
    records = {str(r.get("design")): r for r in results if r.get("outcome") == outcome}
    lead_record = records.get(str(lead)) if lead else None
    lead_label = design_label(str(lead), language) if lead else ""
    standings = list(v.get("standings") or [])
    counting = [s for s in standings if s.get("counts")]
    significant = [s["design"] for s in counting if str(s.get("significance", "")).startswith(
        "significant_")]
    direction = int(v.get("direction") or 0)
    change = t("verdict.change." + ("increase" if direction > 0 else "decrease"), language)
    category, rule = v.get("category"), v.get("rule")
    if category == "clear_effect":
        others = [d for d in significant if d != lead]
        support = (t("verdict.clear_effect.support", language,
                     others=_verdict_designs(others, language)) if others
                   else t("verdict.clear_effect.alone", language))
        return t("verdict.clear_effect", language, Noun=noun, lead=lead_label, change=change,
                 support=support, n=len(counting))
    if category == "method_dependent":
        rest = [s["design"] for s in counting if s["design"] not in significant]
        sig_text = _cap(_verdict_designs(significant, language))
        if rest:
            return t("verdict.method_dependent", language, Noun=noun, significant=sig_text,
                     change=change, others=_verdict_designs(rest, language))
        lead_standing = next((s for s in counting if s.get("design") == lead), {})
        signs = {1 if (s.get("estimate") or 0) > 0 else -1 for s in counting}
        why = ("sign" if len(signs) > 1 else "in_time"
               if "in_time_widened" in (lead_standing.get("notes") or [])
               else "no_comparison" if not lead_standing.get("has_comparison", True)
               else "alone")
        return t("verdict.method_dependent.lead", language, Noun=noun, significant=sig_text,
                 change=change, why=t(f"verdict.why.{why}", language))
    scale = str(v.get("relevant_scale") or "absolute")
    if category == "no_effect":
        eq = v.get("equivalence") or {}
        parts = []
        if _finite(eq.get("low")) and float(eq["low"]) < 0:
            parts.append(t("verdict.bound.decrease", language,
                           x=_bound_text(float(eq["low"]), scale, lead_record, language)))
        if _finite(eq.get("high")) and float(eq["high"]) > 0:
            parts.append(t("verdict.bound.increase", language,
                           x=_bound_text(float(eq["high"]), scale, lead_record, language)))
        return t("verdict.no_effect", language, Noun=noun, bounds=join_words(parts, language),
                 level=fmt.level_label(level_of(lead_record or {}), language), lead=_lower(
                     lead_label))
    if rule == "R1":
        reasons = "; ".join(
            t("verdict.excluded", language, design=design_label(s["design"], language),
              why=", ".join(_reason_text(r, language) for r in s.get("excluded_because") or []))
            for s in standings) or t("verdict.reason.no_interval", language)
        return t("verdict.insufficient.R1", language, Noun=noun, reasons=reasons)
    bound = v.get("relevant_effect")
    interval_key = "relative_ci" if scale == "relative" else "ci"
    ci = interval_of(lead_record or {}, interval_key)
    if ci is not None and scale == "relative":
        interval = fmt.interval(*ci, decimals=0, language=language, unit="%")
    elif ci is not None:
        interval = _interval_text(dict(lead_record or {}, relative_effect=None), language,
                                  relative=False)
    else:
        interval = fmt.MISSING
    sentence = t("verdict.insufficient.R5", language, Noun=noun, lead=_lower(lead_label),
                 interval=interval,
                 bound=("±" + _bound_text(float(bound), scale, lead_record, language))
                 if _finite(bound) else fmt.MISSING)
    # the MDE of a count is a share of its level (reliability.minimum_detectable)
    mde_scale = "relative" if outcome_kind(lead_record or {}) == "count" else scale
    change_word = t("verdict.change.decrease", language)
    if _finite(v.get("mde")):
        sentence += " " + t("verdict.mde", language, change=change_word,
                            mde=_bound_text(float(v["mde"]), mde_scale, lead_record, language))
    if v.get("horizon"):
        sentence += " " + horizon_text(v["horizon"], lead_record, mde_scale, language)
    return sentence


def horizon_text(h: Mapping[str, Any], lead_record: Mapping[str, Any] | None, scale: str,
                 language: Language = "sv") -> str:
    """"Hur många månader till?" in one or two sentences (:mod:`evaluation.checks.horizon`);
    empty when the horizon could not be measured or the window already suffices."""
    status = h.get("status")
    if status not in ("months", "beyond", "never"):
        return ""
    unit = t(f"horizon.unit.{h.get('frequency', 'monthly')}", language)
    change = t("verdict.change.decrease", language)
    bound = _bound_text(float(h["relevant"]), scale, lead_record, language)
    lead = _lower(design_label(str(h.get("design")), language))
    if status == "months":
        return t("horizon.months", language, change=change, bound=bound,
                 needed=fmt.number(h["needed"], 0, language),
                 extra=fmt.number(h["extra"], 0, language), unit=unit)
    if status == "beyond":
        return t("horizon.beyond", language, change=change, bound=bound,
                 limit=fmt.number(h["limit"], 0, language), unit=unit)
    projected = h.get("projected") or {}
    later = max(projected, key=int) if projected else None
    tail = ""
    if later is not None and _finite(projected[later]):
        tail = " " + t("horizon.never.projected", language,
                       extra=fmt.number(int(later) - int(h["length"]), 0, language), unit=unit,
                       change=change,
                       mde=_bound_text(float(projected[later]), scale, lead_record, language))
    return t("horizon.never", language, lead=lead, unit=unit) + tail


def _reason_text(reason: str, language: Language) -> str:
    from evaluation.verdict import PRE_FIT_RATIO, PRETREND_ALPHA

    return t(f"verdict.reason.{reason}", language,
             alpha=fmt.number(PRETREND_ALPHA, 2, language),
             ratio=fmt.number(PRE_FIT_RATIO, 0, language))


def verdict_rules_text(v: Mapping[str, Any], results: Sequence[Mapping[str, Any]] = (),
                       language: Language = "sv") -> str:
    """The rules that decide a verdict, the rule that decided this one, and every design that
    did not count with the reason."""
    from evaluation.verdict import PRE_FIT_RATIO, PRETREND_ALPHA

    check_language(language)
    outcome = str(v.get("outcome"))
    records = {str(r.get("design")): r for r in results if r.get("outcome") == outcome}
    lead = v.get("lead")
    scale = str(v.get("relevant_scale") or "absolute")
    bound = v.get("relevant_effect")
    text = t("verdict.rules", language, alpha=fmt.number(PRETREND_ALPHA, 2, language),
             ratio=fmt.number(PRE_FIT_RATIO, 0, language),
             lead=_lower(design_label(str(lead), language)) if lead else fmt.MISSING,
             bound=_bound_text(float(bound), scale, records.get(str(lead)), language)
             if _finite(bound) else fmt.MISSING, rule=v.get("rule"))
    excluded = [t("verdict.excluded", language, design=design_label(s["design"], language),
                  why=", ".join(_reason_text(r, language) for r in s["excluded_because"]))
                for s in v.get("standings") or [] if s.get("excluded_because")]
    if excluded:
        text += " " + _cap("; ".join(excluded)) + "."
    return text


def _significance_sentences(
    primary: Sequence[Mapping[str, Any]], language: Language, level: float
) -> list[str]:
    verdicts = [verdict(r) for r in primary]
    n = len(primary)
    sig = [r for r, v in zip(primary, verdicts) if v.startswith("significant_")]
    nonsig = [r for r, v in zip(primary, verdicts) if v == "no_significant_effect"]
    untestable = [r for r, v in zip(primary, verdicts) if v == "not_testable"]
    reason = t("untestable.reason", language, level=fmt.level_label(level, language))
    if len(untestable) == n:
        if n == 1:
            return [t("untestable.one", language, reason=reason)]
        return [t("untestable.for", language, nouns=_nouns(untestable, language), reason=reason)]
    out: list[str] = []
    if len(sig) == n:
        out.append(t("sig.one" if n == 1 else "sig.two" if n == 2 else "sig.all", language))
    elif len(nonsig) == n:
        out.append(t("nonsig.one" if n == 1 else "nonsig.none", language))
    else:
        parts = []
        if sig:
            parts.append(_for_clause("sig.for", sig, language))
        if nonsig:
            parts.append(_for_clause("nonsig.for", nonsig, language))
        out.append(_cap(f", {t('but', language)} ".join(parts)) + ".")
    if untestable:
        out.append(t("untestable.for", language, nouns=_nouns(untestable, language), reason=reason))
    return out


def _nouns(results: Sequence[Mapping[str, Any]], language: Language) -> str:
    return join_words([outcome_noun(r.get("outcome", ""), language) for r in results], language)


def _for_clause(key: str, results: Sequence[Mapping[str, Any]], language: Language) -> str:
    plural = len(results) > 1
    if language == "sv":
        diff, verb, suffix = ("skillnaderna", "är", "a") if plural else ("skillnaden", "är", "")
    else:
        diff, verb, suffix = ("differences", "are", "") if plural else ("difference", "is", "")
    return t(key, language, diff=diff, nouns=_nouns(results, language), verb=verb, plural=suffix)


def _design_sentence(primary: Sequence[Mapping[str, Any]], language: Language) -> str:
    designs: dict[str, list[Mapping[str, Any]]] = {}
    for r in primary:
        designs.setdefault(design_key(r.get("design", "")), []).append(r)
    if len(designs) == 1:
        (design,) = designs
        return t("design.one", language, design=design_label(design, language, prose=True))
    parts = [
        t("design.for", language, design=design_label(d, language, prose=True),
          nouns=_nouns(rs, language))
        for d, rs in designs.items()
    ]
    return t("design.one", language, design=join_words(parts, language))


def result_sentence(result: Mapping[str, Any], language: Language = "sv") -> str:
    """One design's result in full: window, average effect, interval, p-value and verdict.

    Example: "Avbruten tidsserie mot jämförelseserien: under efterperioden april 2022–mars 2023
    låg arbetslösheten i genomsnitt 0,9 procentenheter lägre än det kontrafaktiska utfallet
    (95 % KI −1,3 till −0,5; p = 0,002). Det är en statistiskt säkerställd minskning."
    """
    check_language(language)
    design = design_label(result.get("design", ""), language)
    noun = outcome_noun(result.get("outcome", ""), language)
    x = result.get("average_effect")
    if not _finite(x):
        return t("result.missing", language, design=design, noun=noun)
    x = float(x)
    window = result.get("post_window") or [None, None]
    window_text = fmt.period_range_label(window[0], window[-1], language)
    level = level_of(result)
    plain = dict(result, relative_effect=None)
    amount, _ = _amount(plain, language)
    if _use_relative(result):
        rel = float(result["relative_effect"])
        amount += f" ({fmt.percent(abs(rel), 1, language)})"
    details = []
    v = verdict(result)
    if v == "not_testable":
        details.append(t("not_testable_short", language))
    else:
        interval = _interval_text(plain, language, relative=False)
        details.append(f"{fmt.ci_label(level, language)} {interval}")
        rel_ci = interval_of(result, "relative_ci")
        if _use_relative(result) and rel_ci is not None:
            rel_interval = fmt.interval(*rel_ci, decimals=1, language=language, unit="%")
            details.append(t("result.relative", language, interval=rel_interval))
    if _finite(result.get("p_value")):
        details.append(fmt.p_value(result["p_value"], language))
    if _rounds_to_zero(amount.split(" (")[0]):
        first = t("result.sentence_level", language, design=design, window=window_text, noun=noun,
                  details="; ".join(details))
    else:
        first = t("result.sentence", language, design=design, window=window_text, noun=noun,
                  amount=amount, direction=t("lower" if x < 0 else "higher", language),
                  details="; ".join(details))
    return f"{first} {t(f'result.{v}', language, level=fmt.level_label(level, language))}"


#: The interval level the placebo checks test (their nominal false-alarm rate is 1 − this).
CHECK_LEVEL = 0.95


def changes_text(changes: Mapping[str, Any] | None, language: Language = "sv") -> str:
    """What changed since the previous data vintage, in a few sentences ('' on a first run)."""
    check_language(language)
    if not changes or not changes.get("previous_vintage"):
        return ""
    vintage = str(changes["previous_vintage"])
    if changes.get("same_data"):
        return t("changes.same", language, vintage=vintage)
    new = list(changes.get("new_periods") or [])
    parts = [t("changes.new", language, periods=fmt.period_range_label(new[0], new[-1], language))
             if new else t("changes.no_new", language)]
    for key in ("revised", "finalised"):
        # only what shows at the printed precision (a count as a whole number); a value that
        # became final without changing is named with its one value
        listed = [(r, _change_value(r["outcome"], r["old"], language),
                   _change_value(r["outcome"], r["new"], language))
                  for r in changes.get(key) or []]
        listed = [(r, a, b) for r, a, b in listed if a != b or key == "finalised"]
        if not listed:
            continue
        items = ", ".join(
            f"{_lower(outcome_label(r['outcome'], language))} "
            f"{fmt.period_label(r['period'], language)} "
            f"({a if a == b else f'{a} → {b}'})"
            for r, a, b in listed[:10])
        more = len(listed) - 10
        if more > 0:
            items += f" {t('changes.more', language, n=more)}"
        parts.append(t(f"changes.{key}", language, items=items))
    text = f"{t('changes.since', language, vintage=vintage)} {'; '.join(parts)}."
    results = [(r, _change_estimate(r, "old", language), _change_estimate(r, "new", language))
               for r in changes.get("results") or []]
    # an estimate is listed when its printed value or interval moved, or its verdict changed
    results = [(r, a, b) for r, a, b in results
               if a != b or r.get("old_verdict") != r.get("new_verdict")]
    if results:
        items = "; ".join(t(
            "changes.result", language, design=design_label(r["design"], language),
            outcome=_lower(outcome_label(r["outcome"], language)), old=a, new=b,
            verdict=t("changes.verdict_same" if r["old_verdict"] == r["new_verdict"]
                      else "changes.verdict_changed", language)) for r, a, b in results)
        text += " " + t("changes.results", language, items=items)
    else:
        text += " " + t("changes.unchanged", language)
    weights = [(w, fmt.number(w["old"], 2, language), fmt.number(w["new"], 2, language))
               for w in changes.get("weights") or []]
    weights = [(w, a, b) for w, a, b in weights if a != b]
    if weights:
        items = ", ".join(f"{w['unit']} {a} → {b}" for w, a, b in weights[:8])
        text += " " + t("changes.weights", language, items=items)
    return text


def _change_value(outcome: str, x: Any, language: Language) -> str:
    """A value of the evaluated kommun as the change notes print it: a count as a whole
    number, a rate with two decimals (revisions move hundredths), a level with about two
    significant digits."""
    if not _finite(x):
        return fmt.MISSING
    kind = outcome_kind({"outcome": outcome})
    decimals = 0 if kind == "count" else 2 if kind == "rate" else value_decimals(float(x), kind)
    return fmt.number(float(x), decimals, language)


def _change_estimate(change: Mapping[str, Any], side: str, language: Language) -> str:
    """One side ("old"/"new") of a changed estimate as the report prints it: the estimate
    with the report's decimals, and its interval when the estimates alone print the same."""
    record = {"outcome": change["outcome"], "design": change["design"]}
    x, other = change.get(side), change.get("new" if side == "old" else "old")
    if not _finite(x):
        return fmt.MISSING
    kind = outcome_kind(record)
    decimals = 1 if kind == "rate" else value_decimals(float(x), kind)
    ci = change.get(f"{side}_ci") or [None, None]
    other_ci = change.get("new_ci" if side == "old" else "old_ci") or [None, None]
    number = fmt.number(float(x), decimals, language)
    same = _finite(other) and fmt.number(float(other), decimals, language) == number
    if same and all(_finite(v) for v in ci) and list(ci) != list(other_ci):
        decimals = enough_decimals(ci, decimals)
        number += f" ({fmt.interval(*ci, decimals=decimals, language=language)})"
    return number


def skipped_text(skipped: Sequence[Mapping[str, Any]], language: Language = "sv") -> str:
    """Designs that could not be run for an outcome, and why (one sentence each)."""
    check_language(language)
    key = "reason_en" if language == "en" else "reason_sv"
    return " ".join(t("skipped", language, design=design_label(str(r["design"]), language),
                      reason=r.get(key, "")) for r in skipped)


def design_notes(result: Any, language: Language = "sv") -> str:
    """Robustness sentences from a result's diagnostics: synthetic control's RMSPE-ratio rank,
    leave-one-out range and placebo in time; how the interval was made; whether the unit's own
    past widened it (comparison-group designs and the decomposition); the DiD pre-trend test.
    Empty when a design has none of these."""
    check_language(language)
    d = getattr(result, "diagnostics", {}) or {}
    parts: list[str] = []
    kind = outcome_kind(result)
    rate = kind == "rate"
    est = d.get("estimate_on_fitting_scale")
    factor = (result.average_effect / est) if est else 1.0
    unit = t("unit.pp_short", language) if rate else result_unit(result, language)

    def amount(v: float) -> str:
        decimals = 2 if rate else value_decimals(v * factor, kind) if kind == "level" else 0
        return fmt.number(v * factor, decimals, language)

    if result.design == "synthetic_control":
        if _finite(d.get("rmspe_ratio_p_value")) and d.get("rmspe_ratio_rank"):
            parts.append(t("notes.sc_ratio", language, rank=d["rmspe_ratio_rank"],
                           n=len(d.get("placebo_gaps") or {}) + 1))
        loo = [v for v in (d.get("leave_one_out") or {}).values() if _finite(v)]
        if loo:
            parts.append(t("notes.sc_loo", language, k=len(loo), low=amount(min(loo)),
                           high=amount(max(loo)), unit=unit))
        in_time = d.get("placebo_in_time")
        if in_time and _finite(in_time.get("att")):
            parts.append(t("notes.sc_in_time", language,
                           start=fmt.period_label(in_time["start"], language),
                           end=fmt.period_label(in_time["end"], language),
                           att=amount(in_time["att"]), unit=unit))
    n_placebo = int(d.get("n_placebo") or 0)
    if d.get("inference") == "studentised_placebo_rank":
        parts.append(t("notes.inference_rank", language, n=n_placebo))
    elif d.get("inference") == "placebo_variance_t":
        parts.append(t("notes.inference_t", language, n=n_placebo, df=n_placebo - 1))
        if d.get("model_based"):
            parts.append(t("notes.model_based", language, n=n_placebo, n1=n_placebo + 1))
    in_time_estimates = [v for v in (d.get("in_time_estimates") or {}).values() if _finite(v)]
    if d.get("in_time_widened") and in_time_estimates:
        parts.append(t("notes.in_time_widened", language, n=len(in_time_estimates),
                       low=amount(min(in_time_estimates)), high=amount(max(in_time_estimates)),
                       unit=unit))
    if result.design == "did" and _finite(d.get("pretrend_p_value")):
        parts.append(t("notes.pretrend", language,
                       p=fmt.number(d["pretrend_p_value"], 3, language)))
    # why there is no interval: the design's words in this language only, never the other's
    reason = d.get("not_testable_reason_sv" if language == "sv" else "not_testable_reason")
    if isinstance(reason, str) and reason.strip() and not getattr(result, "testable", True):
        parts.append(t("notes.not_testable", language, reason=reason.strip().rstrip(".")))
    return " ".join(parts)


def donor_pool_text(pool: Mapping[str, Any], language: Language = "sv", *,
                    min_p: float | None = None) -> str:
    """The comparison-group designs' donor pool: what it is, its size, what was removed and why,
    and the smallest p-value it allows (a record from ``DonorPool.to_dict()``; ``min_p``
    overrides the pool's 1/(n+1) with what the design's test can actually reach)."""
    check_language(language)
    description = pool.get("description_en" if language == "en" else "description_sv") or ""
    if description and not description.endswith("."):
        description += "."
    n = int(pool.get("n") or 0)
    parts = [t("donors.pool", language, outcome=_lower(outcome_label(str(pool.get("outcome")),
                                                                      language)),
               description=description[:1].upper() + description[1:],
               n=fmt.number(n, 0, language),
               min_p=fmt.number(float(min_p if min_p is not None
                                      else pool.get("min_p_value") or 0), 3, language))]
    removed = [d for d in pool.get("dropped") or [] if d.get("reason") != "not in group"]
    if removed:
        key = "reason_en" if language == "en" else "reason_sv"
        if len(removed) <= 12:
            items = ", ".join(f"{d.get('unit_name', d.get('unit'))} ({d.get(key, '')})"
                              for d in removed)
        else:
            counts: dict[str, int] = {}
            for d in removed:
                counts[d.get(key, "")] = counts.get(d.get(key, ""), 0) + 1
            items = ", ".join(f"{fmt.number(c, 0, language)} ({r})" for r, c in counts.items())
        parts.append(t("donors.dropped", language, items=items))
    return " ".join(parts)


def reliability_text(check: Mapping[str, Any], language: Language = "sv") -> str:
    """One paragraph on a design's false alarms and power when re-run at placebo dates
    (a record from :func:`evaluation.checks.reliability.reliability`)."""
    check_language(language)
    outcome = str(check["outcome"])
    kw = {"design": design_label(str(check["design"]), language),
          "outcome": _lower(outcome_label(outcome, language))}
    frequency = check.get("frequency") or (
        "monthly" if len(str((check.get("dates") or ["2000-01"])[0])) == 7 else "yearly")
    length = int(check.get("post_length") or 0)
    length_text = _duration(length, frequency, language)
    if check.get("status") == "inconclusive" or not _finite(check.get("false_positive_rate")):
        return t("rel.inconclusive", language, **kw,
                 reason=_reliability_reason(check, length_text, language))
    n = int(check["n_pairs"])
    effect = float(check["reference_effect"])
    kind = measure_info(outcome).kind
    if kind == "rate":
        effect_words = fmt.pp(effect, 1, language)
    elif kind == "count":
        effect_words = fmt.percent(effect, 0, language)
    else:  # a level: the step in the level's own unit
        effect_words = (f"{fmt.number(effect, value_decimals(effect, 'level'), language)} "
                        f"{measure_info(outcome).unit(language)}")
    power_at = check.get("power_at") or {}
    band = check.get("band") or [0, float("nan")]
    shares = {"level": fmt.level_label(CHECK_LEVEL, language),
              "nominal": fmt.percent(1 - CHECK_LEVEL, 0, language),
              "fpr": fmt.percent(check["false_positive_rate"], 0, language),
              "power": fmt.percent(check["power"], 0, language),
              "power_half": fmt.percent(power_at.get("0.5"), 0, language),
              "power_double": fmt.percent(power_at.get("2.0"), 0, language),
              "band": fmt.percent(band[1], 0, language),
              "k": str(int(check.get("false_alarms", round(float(check["false_positive_rate"])
                                                           * n)))),
              "n": str(n), "effect": effect_words}
    units = int(check.get("n_units") or 0)
    body = t("rel.placebo", language, name=check.get("name", ""), others=max(units - 1, 0),
             dates=check["n_dates"], length=length_text, **kw, **shares)
    verdict_key = "rel.passed" if check["status"] == "passed" else "rel.failed"
    parts = [body, t(verdict_key, language, nominal=shares["nominal"])]
    mde = check.get("mde")
    if _finite(mde):
        if kind == "rate":
            mde_words = fmt.pp(float(mde), 2 if float(mde) < 1 else 1, language)
        elif kind == "count":
            mde_words = fmt.percent(float(mde), 0, language)
        else:
            mde_words = (f"{fmt.number(float(mde), value_decimals(float(mde), 'level'), language)}"
                         f" {measure_info(outcome).unit(language)}")
        parts.append(t("rel.mde", language, mde=mde_words,
                       change=t("verdict.change." + ("decrease" if effect < 0 else "increase"),
                                language)))
    elif check.get("status") in ("passed", "failed"):
        parts.append(t("rel.mde_none", language))
    if n < 100:
        parts.append(t("rel.small", language, n=n))
    return " ".join(parts)


def _reliability_reason(check: Mapping[str, Any], length: str, language: Language) -> str:
    """Why a reliability check could not be made, in ``language`` only: the reason's own text
    (with the design's error in this language when the check kept one), else a general one —
    never the reason's code or an error text in the other language."""
    reason = str(check.get("reason") or "no_data")
    error = check.get("error_en" if language == "en" else "error_sv")
    if reason == "too_few_runs" and isinstance(error, str) and error.strip():
        return t("rel.reason.too_few_runs.error", language, error=error.strip().rstrip("."))
    key = f"rel.reason.{reason}"
    return t(key if key in TEXTS else "rel.reason.other", language, length=length)


def _duration(n: int, frequency: str, language: Language) -> str:
    """"12 månader", "3 år" / "12 months", "3 years"."""
    if frequency == "monthly":
        word = ("månad" if n == 1 else "månader") if language == "sv" else (
            "month" if n == 1 else "months")
    else:
        word = "år" if language == "sv" else ("year" if n == 1 else "years")
    return f"{n} {word}"


def conclusion_text(summary: Mapping[str, Any], language: Language = "sv") -> str:
    """The "Slutsatser och osäkerhet" section as markdown paragraphs.

    One paragraph per outcome (primary design) with the verdict and its caveats, a note when the
    designs disagree, preliminary data (``summary["preliminary"]`` if given), and, for simulated
    data, a statement of that plus the true values.
    """
    check_language(language)
    primary = primary_results(summary)
    results = list(summary.get("results") or [])
    paragraphs = []
    for r in primary:
        noun = outcome_noun(r.get("outcome", ""), language)
        level = level_of(r, summary)
        level_text = fmt.level_label(level, language)
        v = verdict(r)
        relative = _use_relative(r) and interval_of(r, "relative_ci") is not None
        if not _finite(r.get("average_effect")):
            text = t("conclusion.missing", language, noun=noun)
        elif v.startswith("significant_"):
            text = t("conclusion.significant", language, noun=noun, level=level_text,
                     change=t(f"{v}_noun", language),
                     interval=_interval_text(r, language, relative=relative),
                     side=t("below" if v == "significant_decrease" else "above", language))
        elif v == "no_significant_effect":
            text = t("conclusion.no_effect", language, noun=noun, level=level_text,
                     interval=_interval_text(r, language, relative=relative))
        else:
            text = t("conclusion.not_testable", language, noun=noun, level=level_text,
                     amount=effect_text(r, language))
        others = [o for o in results if o.get("outcome") == r.get("outcome")]
        if len({verdict(o) for o in others}) > 1:
            listing = "; ".join(
                f"{_lower(design_label(o.get('design', ''), language))}: "
                f"{verdict_text(verdict(o), language)}"
                for o in others
            )
            text += " " + t("conclusion.disagree", language, noun=noun, verdicts=listing)
        paragraphs.append(text)
    preliminary = summary.get("preliminary")
    if preliminary:
        periods = preliminary if not isinstance(preliminary, str) else [preliminary]
        if isinstance(preliminary, Mapping):
            periods = [p for ps in preliminary.values() for p in ps]
        paragraphs.append(t("conclusion.preliminary", language,
                            periods=fmt.period_list(periods, language)))
    if summary.get("simulated"):
        sim = [t("conclusion.simulated", language)]
        sim += [truth_text(r, language) for r in primary if r.get("truth")]
        paragraphs.append(" ".join(s for s in sim if s))
    return "\n\n".join(paragraphs)


def _truth_value(truth: Mapping[str, Any], result: Mapping[str, Any], key: str) -> float | None:
    for k in (key, "effect" if key == "average_effect" else None):
        if k and _finite(truth.get(k)):
            return float(truth[k])
    return None


def truth_text(result: Mapping[str, Any], language: Language = "sv") -> str:
    """The true effect of a simulation next to the estimate, and whether the interval covers it.

    Reads ``result["truth"]`` (keys ``average_effect`` and optionally ``relative_effect``; a
    single value under another key is taken as the average effect). Empty string without truth.

    Example: "Sant värde i simuleringen: −1,0 procentenheter; skattat: −0,9 procentenheter.
    95 %-intervallet täcker det sanna värdet."
    """
    check_language(language)
    truth = result.get("truth")
    if not truth:
        return ""
    if not isinstance(truth, Mapping):
        truth = {"average_effect": truth}
    avg = _truth_value(truth, result, str(result.get("estimand") or "average_effect"))
    if avg is None:
        avg = _truth_value(truth, result, "average_effect")
    if avg is None and len(truth) == 1:
        only = next(iter(truth.values()))
        avg = float(only) if _finite(only) else None
    rel = _truth_value(truth, result, "relative_effect")
    parts_truth, parts_est = [], []
    if avg is not None:
        parts_truth.append(effect_text(dict(result, average_effect=avg), language))
        parts_est.append(effect_text(result, language))
    if rel is not None and not is_rate(result):
        parts_truth.append(fmt.percent(rel, 1, language, plus=True))
        parts_est.append(relative_text(result, language))
    if not parts_truth:
        return ""
    text = t("truth.value", language, truth=", ".join(parts_truth), estimate=", ".join(parts_est))
    ci = interval_of(result)
    if avg is not None and ci is not None:
        key = "truth.covered" if ci[0] <= avg <= ci[1] else "truth.not_covered"
        text += " " + _cap(t(key, language, level=fmt.level_label(level_of(result), language)))
    return text


def method_text(
    design: str, frequency: str = "monthly", language: Language = "sv", *, ci_level: float = 0.95,
    window: int = 1, n_units: int | None = None, unit_type: str = "kommun",
) -> str:
    """One plain paragraph explaining a design to a reader without statistical training.

    Parameters
    ----------
    design
        Design key: ``"decomposition"``, ``"its"`` (also ``"did"``, ``"synthetic_control"``;
        other keys get a generic sentence).
    frequency
        ``"monthly"`` or ``"yearly"``: words ("månad"/"år") and the seasonal remarks.
    language
        ``"sv"`` or ``"en"``.
    ci_level
        Confidence level named in the text.
    window
        The decomposition's averaging window (``compare_window``; 1 = two single periods).
    n_units, unit_type
        How many comparison units the design's interval actually rests on (the
        decomposition's similar units, the comparison-group designs' placebo units) and their
        kind (``kommun`` or ``lan``), from the result; without them the text names no number
        (decomposition) or the design's default (comparison-group designs).
    """
    check_language(language)
    key = design_key(design)
    level = fmt.level_label(ci_level, language)
    monthly = frequency == "monthly"
    freq = "monthly" if monthly else "yearly"
    if key == "decomposition":
        if monthly and window > 1:
            compared = t("method.decomposition.window", language, n=window)
        else:
            seasonal = t("method.decomposition.seasonal", language) if monthly else ""
            compared = t("method.decomposition.single", language, seasonal=seasonal)
        lan = unit_type == "lan"
        noun = ("län" if lan else "kommuner") if language == "sv" else (
            "counties" if lan else "municipalities")
        similar = noun if n_units is None else f"{fmt.number(n_units, 0, language)} {noun}"
        return t("method.decomposition", language, compared=compared, level=level,
                 similar=similar)
    if key == "its":
        seasonal = t("method.its.seasonal", language) if monthly else ""
        return t("method.its", language, period=t(f"period.{freq}", language), seasonal=seasonal,
                 errors=t(f"method.its.errors.{freq}", language), level=level)
    if key in ("did", "synthetic_control", "sdid"):
        from evaluation.designs.decomposition import N_SIMILAR, min_units_for_level

        inference = t("method.placebo_inference", language,
                      n=N_SIMILAR if n_units is None else n_units, level=level,
                      need=min_units_for_level(ci_level))
        per = t(f"method.did.per.{freq}", language) if key == "did" else ""
        return t(f"method.{key}", language, inference=inference, per=per)
    if f"method.{key}" in TEXTS:  # a design's own paragraph (no design-specific fields)
        return t(f"method.{key}", language, level=level, period=t(f"period.{freq}", language))
    return t("method.generic", language, design=design_label(design, language), level=level)


def _drop_reason(reason: str, language: Language) -> str:
    """Why :mod:`evaluation.inputs` left a unit out (it writes the Swedish words), in
    ``language`` (``data.dropped.reason.*``)."""
    for key in ("data.dropped.reason.suppressed", "data.dropped.reason.missing"):
        if TEXTS[key]["sv"] == reason:
            return t(key, language)
    return reason


def data_text(
    summary: Mapping[str, Any], info: Mapping[str, Any], language: Language = "sv"
) -> str:
    """The "Data och mått" section as markdown: measures, coverage, windows, comparison,
    preliminary months, removed units and, for simulated data, a statement of that.

    Parameters
    ----------
    summary
        The ``summary.json`` dict (uses ``results``, ``treated``, ``intervention``,
        ``post_period``, ``compare_periods``, ``comparison``, ``frequency``, ``simulated``).
    info
        Data facts as :meth:`evaluation.inputs.Inputs.data_info` gives them
        (``first_period``, ``last_period``, ``frequency``, ``n_units``, ``preliminary``
        (``{measure: [periods]}`` or a list), ``dropped`` (``{code: reason}``), ``simulated``).
    language
        ``"sv"`` or ``"en"``.
    """
    check_language(language)
    outcomes = list(dict.fromkeys(str(r.get("outcome")) for r in summary.get("results") or []))
    frequency = info.get("frequency") or summary.get("frequency") or "monthly"
    bullets = [f"- {_measure_text(outcome, info, frequency, language)}" for outcome in outcomes]
    treated = summary.get("treated") or {}
    place = treated.get("name") or treated.get("code") or fmt.MISSING
    sentences = []
    first, last = info.get("first_period"), info.get("last_period")
    if first and last:
        n_units = info.get("n_units")
        sentences.append(t(
            "data.coverage", language,
            period=fmt.period_range_label(first, last, language),
            frequency=t(f"frequency.{'yearly' if frequency == 'yearly' else 'monthly'}", language),
            n=fmt.number(n_units, 0, language) if _finite(n_units) else fmt.MISSING,
            units=(("län" if language == "sv" else "counties") if info.get("unit_type") == "lan"
                   else ("kommuner" if language == "sv" else "municipalities")),
        ))
    post = summary.get("post_period") or []
    intervention = summary.get("intervention")
    if intervention and len(post) == 2:
        sentences.append(t("data.windows", language,
                           start=fmt.period_label(intervention, language),
                           window=fmt.period_range_label(post[0], post[1], language)))
    compare = summary.get("compare_periods") or []
    if len(compare) == 2 and any(design_key(r.get("design", "")) == "decomposition"
                                 for r in summary.get("results") or []):
        window = int(summary.get("compare_window") or 1)
        if window > 1:
            sentences.append(t("data.compare_windows", language, first=fmt.period_range_label(
                shift_period(compare[0], 1 - window), compare[0], language),
                second=fmt.period_range_label(shift_period(compare[1], 1 - window), compare[1],
                                              language)))
        else:
            sentences.append(t("data.compare_periods", language,
                               first=fmt.period_label(compare[0], language),
                               second=fmt.period_label(compare[1], language)))
    comparison = summary.get("comparison")
    comparisons = info.get("comparisons")
    if comparisons is not None:  # what each comparison series is, from the data
        key = "en" if language == "en" else "sv"
        for outcome, described in comparisons.items():
            if described.get(key):
                sentences.append(t("data.comparison.series", language,
                                   noun=outcome_noun(outcome, language),
                                   description=described[key]))
    elif isinstance(comparison, str) and comparison in ("riket", "lan"):
        sentences.append(t(f"data.comparison.{comparison}", language, place=place))
    elif isinstance(comparison, (list, tuple)) and comparison:
        sentences.append(t("data.comparison.units", language, n=len(comparison),
                           codes=", ".join(str(c) for c in comparison)))
    excluded = info.get("excluded") or {}
    if excluded:
        names = excluded if isinstance(excluded, Mapping) else {u: u for u in excluded}
        sentences.append(t("data.excluded", language, items=join_words(
            [f"{name} ({code})" if name != code else code for code, name in names.items()],
            language)))
    preliminary = info.get("preliminary")
    if preliminary:
        if isinstance(preliminary, Mapping):
            items = "; ".join(f"{_lower(outcome_label(m, language))} "
                              f"({fmt.period_list(ps, language)})"
                              for m, ps in preliminary.items() if ps)
        else:
            items = fmt.period_list([preliminary] if isinstance(preliminary, str)
                                    else preliminary, language)
        if items:
            sentences.append(t("data.preliminary_for", language, place=place, items=items))
    dropped = info.get("dropped") or {}
    if dropped:
        sentences.append(_dropped_text(dropped, language))
    paragraphs = ["\n".join(bullets)] if bullets else []
    paragraphs.append(" ".join(sentences))
    if info.get("simulated", summary.get("simulated")):
        paragraphs.append(t("data.simulated", language))
    return "\n\n".join(p for p in paragraphs if p)


def _measure_text(outcome: str, info: Mapping[str, Any], frequency: str,
                  language: Language) -> str:
    """One outcome for "Data och mått": what it is, where its values come from (the data's
    ``source`` column, else the file) and what kind it is, with the unit of its effects."""
    key = f"data.measure.{outcome}"
    key = key if key in TEXTS else "data.measure.other"
    parts = [t(key, language, label=outcome_label(outcome, language))]
    sources = list((info.get("sources_by_measure") or {}).get(outcome) or [])
    if sources:
        parts.append(t("data.measure.source", language,
                       source=", ".join(source_label(x, language) for x in sources)))
    if (outcome == "households_assistance" and frequency == "monthly"
            and any("socialstyrelsen" in str(x).casefold() for x in sources)):
        parts.append(t("data.measure.socialstyrelsen_monthly", language))
    declared = (info.get("measures") or {}).get(outcome)
    measure = measure_info(outcome)
    kind = (declared or {}).get("kind") or measure.kind
    origin = (declared or {}).get("origin") or measure.origin
    unit = (declared or {}).get("unit_en" if language == "en" else "unit_sv") or \
        measure.unit(language)
    if origin == "undeclared":
        parts.append(t("data.kind.undeclared", language))
    elif kind == "rate":
        parts.append(t("data.kind.rate", language))
    elif kind == "count":
        parts.append(t("data.kind.count", language, unit=unit))
        if "has_population" in info:
            parts.append(t("data.kind.count_per_1000" if info["has_population"]
                           else "data.kind.count_no_population", language))
    else:
        parts.append(t("data.kind.level", language, unit=unit))
    return " ".join(parts)


def _dropped_text(dropped: Mapping[str, str], language: Language) -> str:
    def reason(text: str) -> str:
        return _drop_reason(text, language)

    if len(dropped) <= 10:
        items = ", ".join(f"{code} ({reason(why)})" for code, why in sorted(dropped.items()))
    else:
        counts: dict[str, int] = {}
        for why in dropped.values():
            counts[reason(why)] = counts.get(reason(why), 0) + 1
        items = ", ".join(f"{n} ({why})" for why, n in sorted(counts.items()))
    key = "data.dropped.one" if len(dropped) == 1 else "data.dropped.many"
    return t(key, language, n=fmt.number(len(dropped), 0, language), items=items)


def data_box(info: Mapping[str, Any], language: Language = "sv") -> str:
    """An HTML box (valid inside a markdown cell) describing the data behind the report.

    Parameters
    ----------
    info
        Keys used when present: ``source`` (str, list of str, or list of ``{"name", "url"}``),
        ``first_period``/``last_period`` (or ``period: [first, last]``), ``preliminary``
        (periods, or a dict ``{measure: [periods]}``), ``n_units``, ``data_vintage`` (ISO date
        or free text), ``treated`` (``{"code", "name"}``), ``outcomes`` (measure keys),
        ``series_breaks`` (``{measure: first period of the source's new method}``),
        ``simulated`` (bool: adds the "SIMULERADE DATA – fiktiv kommun" banner).
    language
        ``"sv"`` or ``"en"``.
    """
    check_language(language)
    esc = html.escape
    rows: list[tuple[str, str]] = []
    treated = info.get("treated")
    if isinstance(treated, Mapping) and (treated.get("name") or treated.get("code")):
        name = esc(str(treated.get("name") or ""))
        code = esc(str(treated.get("code") or ""))
        shown = f"{name} ({code})" if name and code else name or code
        rows.append((t("data.treated", language), shown))
    if info.get("intervention"):
        rows.append((t("data.intervention", language),
                     esc(fmt.period_label(str(info["intervention"]), language))))
    if info.get("outcomes"):
        rows.append((t("data.outcomes", language),
                     esc("; ".join(outcome_label(o, language) for o in info["outcomes"]))))
    if info.get("pre_periods"):
        parts = []
        for outcome, d in info["pre_periods"].items():
            unit = t("horizon.unit." + ("yearly" if len(str(d["first"])) == 4 else "monthly"),
                     language)
            parts.append(t("data.pre_period", language, outcome=outcome_label(outcome, language),
                           first=fmt.period_label(str(d["first"]), language),
                           n=fmt.number(d["n"], 0, language), unit=unit,
                           minimum=fmt.number(d["minimum"], 0, language)))
        rows.append((t("data.pre_periods", language), esc("; ".join(parts))))
    if info.get("donor_pools"):
        described = {str(d) for d in info["donor_pools"].values()}
        if len(described) == 1:
            pools = esc(described.pop())
        else:
            pools = "; ".join(esc(f"{outcome_label(o, language)}: {d}")
                              for o, d in info["donor_pools"].items())
        rows.append((t("data.donor_pools", language), pools))
    if info.get("target"):
        rows.append((t("data.target", language), esc(str(info["target"]))))
    if info.get("source"):
        rows.append((t("data.source", language), _sources_html(info["source"], language)))
    if info.get("conversions"):  # how the file was read (decimal comma, encoding, …)
        rows.append((t("data.conversions", language), esc("; ".join(
            c[language] if isinstance(c, Mapping) else str(c) for c in info["conversions"]))))
    first, last = info.get("first_period"), info.get("last_period")
    if info.get("period") and not (first and last):
        first, last = info["period"][0], info["period"][-1]
    if first and last:
        period = fmt.period_range_label(first, last, language)
        rows.append((t("data.period", language), esc(period)))
    if "preliminary" in info:
        preliminary = _preliminary_html(info["preliminary"], language)
        rows.append((t("data.preliminary", language), preliminary))
    if info.get("series_breaks"):
        rows.append((t("data.breaks", language), "; ".join(
            esc(t("data.break", language, outcome=outcome_label(m, language),
                  period=fmt.period_label(p, language)))
            for m, p in sorted(info["series_breaks"].items()))))
    n_units = info.get("n_units")
    if n_units is not None and _finite(n_units):
        rows.append((t("data.units", language), esc(fmt.number(n_units, 0, language))))
    if info.get("data_vintage"):
        rows.append((t("data.vintage", language), esc(_vintage(info["data_vintage"], language))))
    body = "".join(
        f'<tr><th style="text-align:left;padding:0.15em 1em 0.15em 0;vertical-align:top">'
        f"{esc(k)}</th><td style=\"text-align:left;padding:0.15em 0\">{v}</td></tr>"
        for k, v in rows
    )
    banner = ""
    if info.get("simulated"):
        banner = (
            '<p class="simulated-data" style="margin:0 0 0.5em 0;color:#b00020;font-weight:bold;'
            f'letter-spacing:0.05em">{esc(t("simulated_banner", language))}</p>'
        )
    return (
        '<div class="evaluation-data-box" style="border:1px solid #999;border-radius:4px;'
        'padding:0.6em 1em;margin:0.5em 0;background:#f7f7f7">'
        f'{banner}<p style="margin:0 0 0.3em 0;font-weight:bold">'
        f"{esc(t('data.title', language))}</p>"
        f'<table style="border-collapse:collapse;margin:0">{body}</table></div>'
    )


#: Catalogue keys of the source names the data carry in Swedish (``source.*``).
SOURCE_KEYS: tuple[str, ...] = ("source.demo", "source.kolada")


def source_label(source: Any, language: Language = "sv") -> str:
    """A source name as the data carry it, in the report's language: "demo (simulerade
    data)" → "demo (simulated data)", "Kolada, egen bearbetning" → "Kolada, own
    calculations" in English (also inside a longer list such as :meth:`Inputs.data_info`'s
    ``source``); other names ("SCB", a file name) as they are."""
    check_language(language)
    text = str(source)
    for key in SOURCE_KEYS:
        entry = TEXTS[key]
        if language != "sv":
            text = text.replace(entry["sv"], entry[language])
    return text


def _sources_html(source: Any, language: Language = "sv") -> str:
    items = [source] if isinstance(source, (str, Mapping)) else list(source)
    out = []
    for item in items:
        if isinstance(item, Mapping):
            name = html.escape(source_label(item.get("name") or item.get("url") or "", language))
            url = item.get("url")
            out.append(f'<a href="{html.escape(str(url), quote=True)}">{name}</a>' if url else name)
        else:
            out.append(html.escape(source_label(item, language)))
    return "; ".join(out)


def _preliminary_html(preliminary: Any, language: Language) -> str:
    if not preliminary:
        return html.escape(t("data.none", language))
    if isinstance(preliminary, str):
        preliminary = [preliminary]
    if isinstance(preliminary, Mapping):
        parts = [
            f"{outcome_label(m, language)}: {fmt.period_list(ps, language)}"
            for m, ps in preliminary.items()
        ]
        return html.escape("; ".join(parts))
    return html.escape(fmt.period_list(_as_list(preliminary), language))


def _as_list(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values]


def _vintage(value: Any, language: Language) -> str:
    try:
        return fmt.date(str(value), language)
    except ValueError:
        return str(value)



# The command line's messages (evaluation.cli): the same catalogue, keys ``cli.*``.
TEXTS.update({
    "cli.error": {"sv": "Fel: {message}", "en": "Error: {message}"},
    "cli.description": {
        "sv": "Utvärdera om en lokal förändring påverkade utfallen, utöver rikets utveckling.",
        "en": "Evaluate whether a local change affected the outcomes, beyond the national "
              "trend."},
    "cli.help.language": {
        "sv": "språk för alla meddelanden (sv eller en; standard: specifikationens language)",
        "en": "language of every message (sv or en; default: the spec's language)"},
    "cli.help.check": {"sv": "validera en specifikation och dess data",
                       "en": "validate a spec and its data"},
    "cli.help.spec": {"sv": "YAML-specifikation, t.ex. notebooks/params/exempelstad.yaml",
                      "en": "YAML spec, e.g. notebooks/params/exempelstad.yaml"},
    "cli.help.run": {"sv": "kör utvärderingen och skriv rapporten",
                     "en": "run the evaluation and write the report"},
    "cli.help.specs": {"sv": "en eller flera YAML-specifikationer",
                       "en": "one or more YAML specs"},
    "cli.help.fetch": {"sv": "hämta data för specifikationer med sources: och bygg panelen",
                       "en": "fetch the data of specs with sources: and build the panel"},
    "cli.help.update": {
        "sv": "hämta det nya och kör om utvärderingarna vars data har ändrats sedan förra "
              "rapporten",
        "en": "fetch what is new and rerun the evaluations whose data changed since the last "
              "report"},
    "cli.help.spec_list": {"sv": "specifikationer (standard: alla i notebooks/params/)",
                           "en": "specs (default: all in notebooks/params/)"},
    "cli.help.offline": {
        "sv": "hämta inget från nätet, bygg om från det som redan är lagrat",
        "en": "fetch nothing from the network, rebuild from what is already stored"},
    "cli.help.verify": {
        "sv": "kontrollera källornas koder och KPI-id:n mot källornas egna metadata (kräver "
              "nätverk)",
        "en": "check the sources' codes and KPI ids against the sources' own metadata (needs "
              "the network)"},
    "cli.help.plan": {"sv": "registrera analysplanen innan resultaten finns",
                      "en": "record the analysis plan before the results exist"},
    "cli.help.demo": {"sv": "bygg demodata (simulerade, fiktiva kommuner)",
                      "en": "build the demo data (simulated, fictional municipalities)"},
    "cli.help.demo_end": {"sv": "sista månad (ÅÅÅÅ-MM)", "en": "last month (YYYY-MM)"},
    "cli.help.demo_revised": {"sv": "reviderade månader", "en": "revised months"},
    "cli.interrupted": {
        "sv": "Avbrutet: inget publicerades; tidigare rapporter och data är orörda.",
        "en": "Interrupted: nothing was published; earlier reports and data are untouched."},
    "cli.unexpected": {
        "sv": "Ett oväntat fel inträffade ({what}); inget publicerades och tidigare rapporter och "
              "data är orörda – kör igen, och skicka meddelandet till förvaltaren av verktyget "
              "om det upprepas.",
        "en": "An unexpected error occurred ({what}); nothing was published and earlier reports "
              "and data are untouched – run again, and send this message to the tool's "
              "maintainer if it recurs."},
    "cli.demo_ready": {"sv": "Demodata klara i {folder}.", "en": "Demo data ready in {folder}."},
    "cli.check_ok": {
        "sv": "OK: {id} – {name} ({code}), data {first}–{last}, version {vintage}.",
        "en": "OK: {id} – {name} ({code}), data {first}–{last}, vintage {vintage}."},
    "cli.check_dropped": {"sv": " Utelämnade jämförelseenheter: {items}.",
                          "en": " Comparison units left out: {items}."},
    "cli.report": {"sv": "Rapport: {path}", "en": "Report: {path}"},
    "run.progress": {"sv": "Kör utvärderingen", "en": "Running the evaluation"},
    "run.progress.unit": {"sv": "avsnitt", "en": "sections"},
    "cli.plan_recorded": {
        "sv": "Analysplanen för {id} är registrerad i {where} (sha256 {sha}); data slutar "
              "{last}.",
        "en": "The analysis plan of {id} is recorded in {where} (sha256 {sha}); the data end "
              "{last}."},
    "cli.plan_follows": {
        "sv": "Analysplanen finns redan ({where}, registrerad {when}); specifikationen följer "
              "den.",
        "en": "The analysis plan already exists ({where}, recorded {when}); the spec follows "
              "it."},
    "cli.plan_deviates": {
        "sv": "Analysplanen finns redan ({where}) och skrivs inte över; specifikationen avviker: "
              "{items}. Rapporten kommer att visa avvikelserna.",
        "en": "The analysis plan already exists ({where}) and is not overwritten; the spec "
              "deviates: {items}. The report will show the deviations."},
    "cli.unknown": {"sv": "okänt", "en": "unknown"},
    "cli.verify_no_sources": {
        "sv": "{spec}: inga källor (sources:) att kontrollera – data läses från filen.",
        "en": "{spec}: no sources (sources:) to check – the data are read from the file."},
    "cli.fetch_no_sources": {
        "sv": "{spec}: inga källor (sources:) att hämta – data läses från filen.",
        "en": "{spec}: no sources (sources:) to fetch – the data are read from the file."},
    "cli.fetch_nothing": {
        "sv": "Ingen specifikation i {folder} har ett block sources: – inget att hämta (se "
              "notebooks/examples/).",
        "en": "No spec in {folder} has a sources: block – nothing to fetch (see "
              "notebooks/examples/)."},
    "cli.fetched": {"sv": "{id}: {what} ({path}).", "en": "{id}: {what} ({path})."},
    "cli.update_unchanged": {"sv": "{id}: inga nya uppgifter ({vintage}).",
                             "en": "{id}: no new data ({vintage})."},
    "cli.update_first": {"sv": "{id}: första rapporten {path}.",
                         "en": "{id}: first report {path}."},
    "cli.update_new": {
        "sv": "{id}: ny rapport {path} ({periods} nya perioder, {revised} reviderade värden, "
              "{results} ändrade skattningar).",
        "en": "{id}: new report {path} ({periods} new periods, {revised} revised values, "
              "{results} changed estimates)."},
    "cli.failed_spec": {"sv": "{spec}: {message}", "en": "{spec}: {message}"},
    "cli.dropped.skyddade värden": {"sv": "skyddade värden", "en": "suppressed values"},
    "cli.dropped.saknade perioder": {"sv": "saknade perioder", "en": "missing periods"},
})

# Lines on stderr while sources are fetched (evaluation.sources.http and .collect): waits are
# always announced, progress lines only on a terminal.
TEXTS.update({
    "sources.wait": {
        "sv": "Väntar {seconds} s på {host} ({reason}), försök {attempt} av {attempts} …",
        "en": "Waiting {seconds} s for {host} ({reason}), attempt {attempt} of {attempts} …"},
    "sources.wait_limit": {
        "sv": "Väntar {seconds} s: källan tillåter högst {calls} anrop per {window} s …",
        "en": "Waiting {seconds} s: the source allows at most {calls} calls per {window} s …"},
    "sources.fetching": {"sv": "Hämtar {n}/{total}: {what} …",
                         "en": "Fetching {n}/{total}: {what} …"},
    "sources.unchanged": {"sv": "{what}: oförändrat sedan förra hämtningen.",
                          "en": "{what}: unchanged since the last download."},
    "sources.changed": {"sv": "{what}: nya uppgifter sparade.",
                        "en": "{what}: new data stored."},
})

# The section "Kommuner som gjort samma förändring" (issue 15: pooled evidence from every kommun
# that made the same change; evaluation.pooled, evaluation.report.pooled_report).
TEXTS.update({
    "section_pooled": {"sv": "Kommuner som gjort samma förändring",
                       "en": "Municipalities that made the same change"},
    "pooled.intro": {
        "sv": "Enligt {source} gjorde {n} kommuner samma förändring som {place} under åren "
              "{first}–{last}{own}.",
        "en": "According to {source}, {n} municipalities made the same change as {place} in "
              "{first}–{last}{own}."},
    "pooled.intro.own": {"sv": " ({place} inräknad)", "en": " ({place} included)"},
    "pooled.source.flag": {"sv": "flaggfilen {file}", "en": "the flag file {file}"},
    "pooled.source.demo": {"sv": "demons simulerade flaggor",
                           "en": "the demo's simulated flags"},
    "pooled.source.adopters": {"sv": "specifikationens lista", "en": "the spec's list"},
    "pooled.compare.notyet": {
        "sv": "Varje grupp som gjorde förändringen samma år jämförs år för år med kommuner som "
              "ännu inte gjort den ({n_never} har inte gjort den alls), enligt Callaway och "
              "Sant'Anna (2021); jämförelsen förutsätter att grupperna annars hade utvecklats "
              "som jämförelsekommunerna.",
        "en": "Each group that made the change in the same year is compared, year by year, "
              "with municipalities that had not made it yet ({n_never} never made it), "
              "following Callaway and Sant'Anna (2021); the comparison assumes that the groups "
              "would otherwise have developed like the comparison municipalities."},
    "pooled.compare.never": {
        "sv": "Varje grupp som gjorde förändringen samma år jämförs år för år med de "
              "{n_never} kommuner som inte gjort den alls, enligt Callaway och Sant'Anna "
              "(2021); jämförelsen förutsätter att grupperna annars hade utvecklats som "
              "jämförelsekommunerna.",
        "en": "Each group that made the change in the same year is compared, year by year, "
              "with the {n_never} municipalities that never made it, following Callaway and "
              "Sant'Anna (2021); the comparison assumes that the groups would otherwise have "
              "developed like the comparison municipalities."},
    "pooled.scale": {"sv": "Utfallen jämförs per kalenderår: {items}.",
                     "en": "The outcomes are compared per calendar year: {items}."},
    "pooled.scale.mean": {"sv": "{noun} som årsmedelvärde", "en": "{noun} as the yearly mean"},
    "pooled.scale.per_1000": {
        "sv": "{noun} per 1\u00a0000 invånare (årsmedelvärde)",
        "en": "{noun} per 1,000 inhabitants (yearly mean)"},
    "pooled.excluded": {"sv": "{n} kommuner ingår inte: {reasons}.",
                        "en": "{n} municipalities are left out: {reasons}."},
    "pooled.reason.always_treated": {
        "sv": "{n} med förändringen redan första året i data",
        "en": "{n} with the change already in their first year in the data"},
    "pooled.reason.switch_back": {"sv": "{n} som gick tillbaka",
                                  "en": "{n} that reverted it"},
    "pooled.reason.adoption_year_unknown": {"sv": "{n} där införandeåret är okänt",
                                            "en": "{n} whose year of adoption is unknown"},
    "pooled.reason.no_flag": {"sv": "{n} utan värden för flaggan",
                              "en": "{n} without values of the flag"},
    "pooled.reason.excluded_by_spec": {
        "sv": "{n} som specifikationen utesluter (grannkommuner)",
        "en": "{n} that the spec leaves out (neighbours)"},
    "pooled.reason.excluded_by_caller": {"sv": "{n} som saknas i flaggfilen",
                                         "en": "{n} missing from the flag file"},
    "pooled.reason.unbalanced": {"sv": "{n} med ofullständiga värden",
                                 "en": "{n} with incomplete values"},
    "pooled.reason.no_pre_period": {"sv": "{n} utan år före förändringen i data",
                                    "en": "{n} without a year before the change in the data"},
    "pooled.effect": {
        "sv": "För {noun} var skillnaden mot jämförelsekommunerna efter förändringen i "
              "genomsnitt {effect} ({ci}).",
        "en": "For {noun} the difference from the comparison municipalities after the change "
              "averaged {effect} ({ci})."},
    "pooled.none": {
        "sv": "Intervallet innehåller noll: kommunerna som gjort förändringen visar ingen "
              "påvisbar genomsnittlig effekt.",
        "en": "The interval contains zero: the municipalities that made the change show no "
              "detectable average effect."},
    "pooled.lower": {
        "sv": "Skillnaden är statistiskt säkerställd: efter förändringen låg kommunerna som "
              "gjort den i genomsnitt lägre än jämförelsekommunerna.",
        "en": "The difference is statistically significant: after the change the "
              "municipalities that made it were on average lower than the comparison "
              "municipalities."},
    "pooled.higher": {
        "sv": "Skillnaden är statistiskt säkerställd: efter förändringen låg kommunerna som "
              "gjort den i genomsnitt högre än jämförelsekommunerna.",
        "en": "The difference is statistically significant: after the change the "
              "municipalities that made it were on average higher than the comparison "
              "municipalities."},
    "pooled.pretrend.same": {
        "sv": "Åren före förändringen skiljer sig inte påvisbart från jämförelsekommunerna "
              "({p}).",
        "en": "The years before the change do not differ detectably from the comparison "
              "municipalities ({p})."},
    "pooled.pretrend.differ": {
        "sv": "Redan åren före förändringen skilde sig utvecklingen från "
              "jämförelsekommunernas ({p}), så skillnaden efteråt ska tolkas med försiktighet.",
        "en": "Already in the years before the change the development differed from the "
              "comparison municipalities' ({p}), so the difference afterwards should be "
              "interpreted with caution."},
    "pooled.own.lead": {"sv": "{owner} egen skattning ({design}, {window}{converted}) är {own} "
                              "({ci})",
                        "en": "{owner} own estimate ({design}, {window}{converted}) is {own} "
                              "({ci})"},
    "pooled.own.converted": {"sv": ", omräknad till {unit}", "en": ", converted to {unit}"},
    "pooled.own.cohort": {
        "sv": "{owner} egen skattning kan inte räknas om till samma skala, så här används "
              "{owner} egen förändring i årsdata mot samma jämförelsekommuner, {own} ({ci})",
        "en": "{owner} own estimate cannot be put on the same scale, so {owner} own change "
              "in the yearly data against the same comparison municipalities is used instead, "
              "{own} ({ci})"},
    "pooled.own.tail": {
        "sv": "; den ligger {position} gruppernas {n} årseffekter efter förändringen ({range}), "
              "och {overlap}.",
        "en": "; it lies {position} the groups' {n} yearly effects after the change "
              "({range}), and {overlap}."},
    "pooled.position.at": {"sv": "vid percentil {pct} av", "en": "at percentile {pct} of"},
    "pooled.position.below": {"sv": "lägre än alla", "en": "below all of"},
    "pooled.position.above": {"sv": "högre än alla", "en": "above all of"},
    "pooled.overlap.yes": {
        "sv": "dess intervall överlappar intervallet för genomsnittet",
        "en": "its interval overlaps that of the average"},
    "pooled.overlap.below": {
        "sv": "dess intervall ligger helt under intervallet för genomsnittet",
        "en": "its interval lies wholly below that of the average"},
    "pooled.overlap.above": {
        "sv": "dess intervall ligger helt över intervallet för genomsnittet",
        "en": "its interval lies wholly above that of the average"},
    "pooled.overlap.none": {"sv": "skattningen saknar intervall",
                            "en": "the estimate has no interval"},
    "pooled.simulated": {
        "sv": "Flaggorna i demon är simulerade och saknar samband med utfallen, så ingen "
              "genomsnittlig effekt väntas; bland kommunerna har bara {place} en (simulerad) "
              "effekt.",
        "en": "The demo's flags are simulated and unrelated to the outcomes, so no average "
              "effect is expected; among the municipalities only {place} has a (simulated) "
              "effect."},
    "pooled.fig.title": {"sv": "{label}: kommuner som gjort samma förändring",
                         "en": "{label}: municipalities that made the same change"},
    "pooled.fig.x": {"sv": "År sedan förändringen", "en": "Years since the change"},
    "pooled.fig.y": {"sv": "Skillnad mot jämförelsekommunerna ({unit})",
                     "en": "Difference from the comparison municipalities ({unit})"},
    "pooled.fig.estimate": {"sv": "Genomsnitt för kommunerna med förändringen, {level} KI",
                            "en": "Average of the municipalities with the change, {level} CI"},
    "pooled.fig.pre": {"sv": "Åren före förändringen (bör ligga nära noll)",
                       "en": "Years before the change (should be near zero)"},
    "pooled.fig.own": {"sv": "Egen skattning för {place} ({design}), {level} KI",
                       "en": "Own estimate for {place} ({design}), {level} CI"},
    "pooled.fig.own_cohort": {"sv": "egen förändring i årsdata",
                              "en": "own change in the yearly data"},
    "pooled.fig.change": {"sv": "Förändringen (år 0)", "en": "The change (year 0)"},
    "pooled.caption": {
        "sv": "{Label}: kommuner som gjort samma förändring som {place}, skillnad per år sedan "
              "förändringen",
        "en": "{Label}: municipalities that made the same change as {place}, difference per "
              "year since the change"},
    "pooled.alt": {
        "sv": "Diagram över skillnaden i {label} mellan kommunerna som gjort samma förändring "
              "som {place} och jämförelsekommunerna, per år före och efter förändringen, med "
              "{level} KI; {place} egen skattning är markerad.",
        "en": "Chart of the difference in {label} between the municipalities that made the "
              "same change as {place} and the comparison municipalities, per year before and "
              "after the change, with {level} CI; the own estimate of {place} is marked."},
    "pooled.table.cohort": {"sv": "Införandeår", "en": "Year of adoption"},
    "pooled.table.n": {"sv": "Kommuner", "en": "Municipalities"},
    "pooled.table.effect": {"sv": "{label}: effekt ({unit})", "en": "{label}: effect ({unit})"},
    "pooled.table.estimate": {"sv": "{label}: effekt", "en": "{label}: effect"},
    "pooled.table.ci": {"sv": "{label}: {level} KI", "en": "{label}: {level} CI"},
    "pooled.table.low": {"sv": "{label}: nedre gräns", "en": "{label}: lower limit"},
    "pooled.table.high": {"sv": "{label}: övre gräns", "en": "{label}: upper limit"},
    "pooled.table.all": {"sv": "Alla (vägt efter gruppstorlek)",
                         "en": "All (weighted by group size)"},
    "pooled.table.caption": {
        "sv": "Kommuner som gjort samma förändring: effekt per införandeår",
        "en": "Municipalities that made the same change: effect by year of adoption"},
    "pooled.table.sheet": {"sv": "Samma förändring", "en": "Same change"},
    "pooled.details": {"sv": "Figurer, tabell per införandeår och kommuner som inte ingår",
                       "en": "Figures, table by year of adoption and municipalities left out"},
    "pooled.excluded.list": {"sv": "Kommuner som inte ingår:",
                             "en": "Municipalities left out:"},
    "pooled.exclusion.excluded_by_spec": {
        "sv": "{unit} lämnas utanför enligt specifikationen (donors.exclude, t.ex. en "
              "grannkommun som kan påverkas av förändringen).",
        "en": "{unit} is left out as the spec says (donors.exclude, e.g. a neighbour that the "
              "change may affect)."},
    "pooled.note.not_in_data": {"sv": "{units} finns inte i data och ingår inte.",
                                "en": "{units} are not in the data and are not included."},
    "pooled.note.treated_excluded": {
        "sv": "{place} ingår inte i den sammanvägda skattningen: {reason}",
        "en": "{place} is not part of the pooled estimate: {reason}"},
    "pooled.note.treated_added_flag": {
        "sv": "{place} har inte förändringen i flaggan och räknas här från {year}, året då "
              "insatsen startade.",
        "en": "{place} lacks the change in the flag and is counted here from {year}, the year "
              "the intervention started."},
    "pooled.note.treated_added_adopters": {
        "sv": "{place} saknas i listan och räknas här från {year}, året då insatsen startade.",
        "en": "{place} is missing from the list and is counted here from {year}, the year the "
              "intervention started."},
    "pooled.note.treated_year": {
        "sv": "Enligt flaggan gjorde {place} förändringen {year}, medan utvärderingen räknar "
              "från {intervention}; den sammanvägda skattningen använder flaggans år.",
        "en": "According to the flag {place} made the change in {year}, while the evaluation "
              "counts from {intervention}; the pooled estimate uses the flag's year."},
    "pooled.note.flag_ends": {
        "sv": "Flaggan finns till och med {last}; kommuner som inte hade förändringen då räknas "
              "som att de inte gjort den även {next}–{end}.",
        "en": "The flag ends in {last}; municipalities without the change then are counted as "
              "not having made it in {next}–{end} too."},
})


# The national screen's words (evaluation.screen: help, table headers, figure), keys
# ``screen.*``: kept beside the screen's code in evaluation/screen/text.py, looked up here like
# every other text (and checked by tests/report/test_language.py with the rest).
from evaluation.screen.text import TEXTS as _SCREEN_TEXTS  # noqa: E402

TEXTS.update({f"screen.{key}": entry for key, entry in _SCREEN_TEXTS.items()})
