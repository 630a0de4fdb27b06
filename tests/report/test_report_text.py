"""Texts: the dictionary, the headline and the other narrative functions (sv and en)."""

from __future__ import annotations

import copy
import string

import pytest

from evaluation.report import text as T

NB = "\u00a0"
MINUS = "\u2212"


def _result(outcome="unemployment_rate", design="its", *, effect=-0.91, ci=(-1.31, -0.52),
             p=0.0004, relative=None, relative_ci=None, truth=None, unit=None):
    return {
        "outcome": outcome,
        "design": design,
        "estimand": "average_effect",
        "post_window": ["2022-04", "2023-03"],
        "average_effect": effect,
        "relative_effect": relative,
        "ci": list(ci) if ci is not None else None,
        "relative_ci": list(relative_ci) if relative_ci is not None else None,
        "unit": unit or ("pp" if outcome == "unemployment_rate" else "households"),
        "p_value": p,
        "p_value_method": "ar1",
        "weights": None,
        "truth": truth,
        "ci_level": 0.95,
    }


def _households(design="its", *, ci=(-25.2, -10.1), rel_ci=(-0.2, -0.08), p=0.012, truth=None):
    return _result("households_assistance", design, effect=-17.6, ci=ci, p=p, relative=-0.142,
                   relative_ci=rel_ci, truth=truth)


def _summary(results, simulated=False):
    return {
        "evaluation": "demo",
        "data_vintage": "2025-05-15",
        "treated": {"code": "9999", "name": "Exempelstad"},
        "intervention": "2022-04",
        "post_period": ["2022-04", "2023-03"],
        "ci_level": 0.95,
        "results": results,
        "verdict": None,
        "truth": None,
        "simulated": simulated,
    }


# --------------------------------------------------------------------------- dictionary
def test_every_text_has_both_languages_with_the_same_placeholders():
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}
    for key, entry in T.TEXTS.items():
        assert set(entry) == {"sv", "en"}, key
        assert fields(entry["sv"]) == fields(entry["en"]), key


def test_section_headings():
    keys = ("summary", "data", "method", "results", "conclusions")
    assert [T.t(f"section_{k}") for k in keys] == [
        "Sammanfattning", "Data och mått", "Metod", "Resultat", "Slutsatser och osäkerhet"]
    assert T.t("section_conclusions", "en") == "Conclusions and uncertainty"
    with pytest.raises(KeyError):
        T.t("section_nope")
    with pytest.raises(ValueError):
        T.t("section_summary", "fi")


def test_verdict_words():
    assert T.verdict(_result()) == "significant_decrease"
    assert T.verdict(_result(effect=0.5, ci=(0.1, 0.9))) == "significant_increase"
    assert T.verdict(_result(ci=(-1.5, 0.2))) == "no_significant_effect"
    assert T.verdict(_result(ci=None)) == "not_testable"
    assert T.verdict(_result(ci=(float("nan"), 1.0))) == "not_testable"
    keys = ("significant_decrease", "significant_increase", "no_significant_effect", "not_testable")
    assert [T.verdict_text(v) for v in keys] == [
        "statistiskt säkerställd minskning", "statistiskt säkerställd ökning",
        "ingen säkerställd effekt", "ej prövbar"]


# --------------------------------------------------------------------------- headline
def test_headline_significant_swedish():
    text = T.headline(_summary([_result(), _households()]))
    assert text.startswith(
        "Efter förändringen i Exempelstad i april 2022 låg arbetslösheten 0,9 procentenheter "
        f"lägre än den nationella utvecklingen förklarar (95{NB}% KI {MINUS}1,3 till {MINUS}0,5); "
        f"antalet biståndshushåll låg 14{NB}% lägre "
        f"(95{NB}% KI {MINUS}20{NB}% till {MINUS}8{NB}%). "
        "Båda skillnaderna är statistiskt säkerställda."
    )
    assert "Resultaten bygger på en avbruten tidsserie med jämförelseserien som kontroll." in text
    assert "nan" not in text.lower()


def test_headline_significant_english():
    text = T.headline(_summary([_result(), _households()]), "en")
    assert text.startswith(
        "After the change in Exempelstad in April 2022, unemployment was 0.9 percentage points "
        "lower than the national development explains (95% CI -1.3 to -0.5); the number of "
        "households receiving social assistance was 14% lower (95% CI -20% to -8%). "
        "Both differences are statistically significant."
    )


def test_headline_not_significant():
    text = T.headline(_summary([_result(ci=(-1.5, 0.2), p=0.21)]))
    assert "(95\u00a0% KI \u22121,5 till 0,2)" in text
    assert "Skillnaden är inte statistiskt säkerställd; svaret är inte entydigt." in text
    households = _households(ci=(-30, 2), rel_ci=(-0.2, 0.01))
    both = T.headline(_summary([_result(ci=(-1.5, 0.2)), households]))
    assert "Ingen av skillnaderna är statistiskt säkerställd; svaret är inte entydigt." in both


def test_headline_mixed_significance():
    text = T.headline(_summary([_result(ci=(-1.5, 0.2)), _households()]))
    assert ("Skillnaden för antalet biståndshushåll är statistiskt säkerställd, men skillnaden "
            "för arbetslösheten är inte statistiskt säkerställd") in text
    assert "svaret inte entydigt" in text


def test_headline_not_testable():
    text = T.headline(_summary([_result(ci=None, p=None)]))
    assert "0,9 procentenheter lägre än den nationella utvecklingen förklarar (ej prövbar)" in text
    assert "Skillnaden är ej prövbar:" in text
    assert "konfidensintervall" in text
    assert "nan" not in text.lower()
    mixed = T.headline(_summary([_result(), _households(ci=None, rel_ci=None, p=None)]), "en")
    assert "was 14% lower (not testable)" in mixed
    assert ("The effect on the number of households receiving social assistance is not "
            "testable") in mixed


def test_headline_prefers_its_and_falls_back_to_decomposition():
    its = _result(design="its", effect=-0.91)
    dec = _result(design="decomposition", effect=-1.46, ci=(-2.0, -0.9))
    text = T.headline(_summary([dec, its]))
    assert "0,9 procentenheter" in text and "1,5 procentenheter" not in text
    assert "avbruten tidsserie" in text
    text = T.headline(_summary([dec]))
    assert "1,5 procentenheter" in text
    assert "Resultaten bygger på en uppdelning i nationell och lokal förändring." in text
    mixed = T.headline(_summary([its, _households(design="decomposition")]))
    assert ("Resultaten bygger på en avbruten tidsserie med jämförelseserien som kontroll för "
            "arbetslösheten och en uppdelning i nationell och lokal förändring för antalet "
            "biståndshushåll.") in mixed


def test_headline_numbers_come_from_the_values():
    text = T.headline(_summary([_result(effect=0.234, ci=(0.05, 0.41))]))
    assert "0,2 procentenheter högre" in text
    assert f"95{NB}% KI 0,1 till 0,4" in text


def test_headline_yearly_intervention():
    summary = _summary([_result()])
    summary["intervention"] = "2022"
    assert T.headline(summary).startswith("Efter förändringen i Exempelstad år 2022 låg")
    assert T.headline(summary, "en").startswith("After the change in Exempelstad in 2022, ")


def test_headline_simulated_note_and_errors():
    assert "simulerade data" in T.headline(_summary([_result()], simulated=True))
    with pytest.raises(ValueError):
        T.headline(_summary([]))


def test_headline_does_not_change_its_input():
    summary = _summary([_result(), _households()])
    before = copy.deepcopy(summary)
    T.headline(summary)
    T.conclusion_text(summary)
    assert summary == before


# --------------------------------------------------------------------------- other texts
def test_result_sentence():
    text = T.result_sentence(_result())
    assert text == (
        "Avbruten tidsserie mot jämförelseserien: under efterperioden april 2022–mars 2023 låg "
        "arbetslösheten i genomsnitt 0,9 procentenheter lägre än det kontrafaktiska utfallet "
        f"(95{NB}% KI {MINUS}1,3 till {MINUS}0,5; p < 0,001). "
        "Det är en statistiskt säkerställd minskning."
    )
    hh = T.result_sentence(_households(), "en")
    assert "18 households (14.2%) lower" in hh
    assert "relative -20.0% to -8.0%" in hh and "p = 0.01" in hh
    assert "ej prövbar" in T.result_sentence(_result(ci=None, p=None))


def test_method_text():
    its = T.method_text("its", "monthly")
    for phrase in ("förperioden", "jämförelseserien", "kontrafaktiska utfallet", "AR(1)", "säsong",
                   "intervallet"):
        assert phrase in its
    assert "säsong" not in T.method_text("its", "yearly")
    dec = T.method_text("decomposition", "monthly", "en")
    assert "counterfactual" in dec and "local deviation" in dec
    assert "Metoden (Eventstudie)" in T.method_text("event_study")


def test_conclusion_text_uses_uncertainty_phrases():
    text = T.conclusion_text(_summary([_result(ci=(-1.5, 0.2)), _households(ci=None, rel_ci=None)]))
    assert "är inte statistiskt säkerställd" in text
    assert "ska tolkas med försiktighet" in text
    assert "ej prövbar" in text
    other = _result(design="decomposition", ci=(-2, 0.1))
    disagree = T.conclusion_text(_summary([_result(), other]))
    assert "Metoderna ger inte samma besked för arbetslösheten" in disagree


def test_conclusion_text_simulated_with_truth():
    summary = _summary([_result(truth={"average_effect": -1.0})], simulated=True)
    summary["preliminary"] = ["2023-02", "2023-03"]
    text = T.conclusion_text(summary)
    assert "simulerade data för en fiktiv kommun" in text
    assert "Sant värde i simuleringen" in text
    assert "februari 2023–mars 2023 är preliminära" in text


def test_truth_text():
    assert T.truth_text(_result(truth={"average_effect": -1.0})) == (
        f"Sant värde i simuleringen: {MINUS}1,0 procentenheter; skattat: {MINUS}0,9 "
        f"procentenheter. 95{NB}%-intervallet täcker det sanna värdet."
    )
    miss = T.truth_text(_result(truth={"average_effect": -2.0}), "en")
    assert "does not cover" in miss
    hh = T.truth_text(_households(truth={"average_effect": -20.0, "relative_effect": -0.15}))
    assert f"{MINUS}20 hushåll, {MINUS}15,0{NB}%" in hh
    assert T.truth_text(_result()) == ""


def test_data_box():
    info = {
        "source": ["Arbetsförmedlingen",
                   {"name": "Socialstyrelsen <sdb>", "url": "https://example.org"}],
        "first_period": "2018-01", "last_period": "2023-03",
        "preliminary": ["2023-02", "2023-03"], "n_units": 291, "data_vintage": "2025-05-15",
        "simulated": True,
    }
    box = T.data_box(info)
    assert "SIMULERADE DATA – fiktiv kommun" in box
    assert "januari 2018–mars 2023" in box
    assert "februari 2023–mars 2023" in box
    assert "Antal enheter" in box and "291" in box
    assert "15 maj 2025" in box
    assert "&lt;sdb&gt;" in box  # escaped
    assert "SIMULERADE" not in T.data_box(dict(info, simulated=False))
    assert "SIMULATED DATA – fictional municipality" in T.data_box(info, "en")
    assert "inga" in T.data_box({"preliminary": []})


def test_national_events_filter_by_outcome():
    all_events = dict(T.national_events("unemployment_rate"))
    assert "2024-01" in all_events
    assert "2024-01" not in dict(T.national_events("households_assistance"))


def test_data_text():
    summary = _summary([_result(), _households(design="decomposition")], simulated=True)
    summary.update(post_period=["2022-04", "2025-12"], compare_periods=["2022-04", "2023-04"],
                   comparison="riket")
    info = {"first_period": "2015-01", "last_period": "2025-12", "frequency": "monthly",
            "n_units": 290, "preliminary": {"households_assistance": ["2025-11", "2025-12"]},
            "dropped": {"0123": "saknade perioder"}, "simulated": True}
    text = T.data_text(summary, info)
    assert text.startswith("- **Inskrivna arbetslösa, andel av arbetskraften**: ")
    assert "Data omfattar januari 2015–december 2025 (månadsdata) för 290 kommuner." in text
    assert "efterperioden är april 2022–december 2025" in text
    assert "jämför april 2022 med april 2023" in text
    assert "Jämförelsen görs mot riket, beräknat utan Exempelstad." in text
    assert "hushåll med ekonomiskt bistånd (november 2025–december 2025)" in text
    assert "En kommun har tagits bort ur jämförelsen: 0123 (saknade perioder)." in text
    assert "simulerade" in text
    english = T.data_text(summary, info, "en")
    assert "0123 (missing periods)" in english and "monthly data" in english


def test_interval_end_never_prints_as_zero_when_it_is_not():
    """A significant interval ending at −0,4 % must not read "−23 % till 0 %"."""
    from evaluation.report import text as tx

    r = {"outcome": "households_assistance", "design": "its", "average_effect": -22.0,
         "relative_effect": -0.124, "ci": [-46.7, -0.7], "relative_ci": [-0.229, -0.004],
         "unit": "households", "p_value": 0.04}
    s = tx._interval_text(r, "sv", relative=True)
    assert s.replace("\xa0", " ").endswith("−0,4 %"), s
    r2 = dict(r, outcome="unemployment_rate", unit="pp", ci=[-1.5, -0.03], relative_ci=None,
              relative_effect=None)
    assert tx._interval_text(r2, "sv", relative=False).endswith("−0,03")


def test_no_text_key_is_defined_twice():
    """A repeated key in the TEXTS literal silently replaces the first definition (it once
    turned the weights table's "Kommun" column into "Enhet")."""
    import ast
    import inspect

    from evaluation.report import text as text_module

    tree = ast.parse(inspect.getsource(text_module))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and len(node.keys) > 20:
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


# --------------------------------------------------------------------------- declared kinds
@pytest.fixture()
def gdp_declared():
    from evaluation.data.panel import declared_measure, measures_declared

    gdp = declared_measure("gdp_per_capita", "level", unit_sv="USD per invånare",
                           unit_en="USD per inhabitant")
    paket = declared_measure("paket", "level", unit_sv="paket per invånare")
    with measures_declared({"gdp_per_capita": gdp, "paket": paket}):
        yield


def test_a_level_effect_is_in_its_unit_everywhere(gdp_declared):
    r = _result("gdp_per_capita", effect=-523.4, ci=(-900.2, -150.0), p=0.01,
                unit="USD per inhabitant", relative=-0.012, relative_ci=(-0.02, -0.004))
    assert T.effect_text(r) == f"{MINUS}523 USD per invånare"
    sentence = T.result_sentence(r)
    assert "523 USD per invånare lägre" in sentence and "procentenheter" not in sentence
    assert "%" not in sentence.split("(")[0]  # a level gets no relative effect
    assert "-523 USD per inhabitant" in T.effect_text(r, "en")
    small = _result("paket", effect=-0.354, ci=(-0.61, -0.08), unit="paket per invånare")
    assert T.effect_text(small) == f"{MINUS}0,35 paket per invånare"
    from evaluation.report.tables import results_table

    table = results_table([r, small], formatted=False)
    assert list(table["Enhet"]) == ["USD per invånare", "paket per invånare"]


def test_data_text_describes_the_data_not_a_default():
    """Sources come from the data's source column, the comparison from the series built."""
    summary = _summary([_result(), _result("gdp_per_capita", unit="units")])
    info = {"sources_by_measure": {"unemployment_rate": ["egen_fil.csv"],
                                   "gdp_per_capita": ["Egen sammanställning"]},
            "measures": {"gdp_per_capita": {"kind": "level", "unit_sv": "enheter",
                                            "unit_en": "units", "origin": "undeclared"}},
            "comparisons": {"unemployment_rate": {
                "sv": "Ovägt medel av 59 kommuner i data (alla utom Exempelstad).",
                "en": "Unweighted mean of 59 kommuner in the data (all but Exempelstad)."}},
            "excluded": {"1981": "Grannby"}}
    text = T.data_text(summary, info)
    assert "Arbetsförmedlingen" not in text and "Källa: egen_fil.csv." in text
    assert ("Jämförelseserie för arbetslösheten: Ovägt medel av 59 kommuner i data (alla utom "
            "Exempelstad).") in text
    assert "riket" not in text.casefold()
    assert "anges varken i data eller i specifikationen" in text
    assert "Grannby (1981)" in text
    assert "Unweighted mean of 59 kommuner" in T.data_text(summary, info, "en")


def test_method_text_counts_come_from_the_results():
    dec = T.method_text("decomposition", "yearly", n_units=59)
    assert "59 kommuner av liknande storlek" in dec
    assert "79" not in T.method_text("did", "monthly", n_units=20)
    assert "20 counties" in T.method_text("decomposition", "yearly", "en", n_units=20,
                                         unit_type="lan")
