"""One language per report (issue 13).

A user found English in a Swedish report ("Kontrollen kunde inte göras (too few comparison units
for the empirical interval)") and Swedish in an English one ("Source: demo (simulerade data)").
These tests hold the line in three ways:

1. the catalogue: every key has a non-empty Swedish and English text (:func:`missing_keys`),
   and the peer comparison's and the target follow-up's texts are part of it;
2. static: no English entry has a Swedish word of :data:`SWEDISH` and no Swedish entry an
   English word of :data:`ENGLISH` — the catalogue, the design and outcome names, the measures,
   the donor pool's reasons, and the error messages of the designs and checks a report can show;
3. rendered: the demo report (Exempelstad, in Swedish and in English) built in-process and
   rendered — narrative, verdicts, reliability, data box, data and method text, notes, target
   follow-up and a peer comparison — has no word of the other language.

Each check is shown to fail on a planted leak.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from evaluation.errors import DesignError
from evaluation.report import text as T
from evaluation.report.language import (
    ALLOWED,
    ENGLISH,
    SWEDISH,
    catalogue_leaks,
    leaks,
    missing_keys,
    readable,
)

ROOT = Path(__file__).resolve().parents[2]
PARAMS = ROOT / "notebooks" / "params"
SRC = ROOT / "src" / "evaluation"


# ------------------------------------------------------------------------------ leaks()
@pytest.mark.parametrize("text, language, expected", [
    # the two leaks the user found
    ("Kontrollen kunde inte göras (too few comparison units for the empirical interval); hur "
     "säkra intervallen är går inte att pröva här.", "sv",
     ["too few", "comparison units", "for", "the", "interval"]),
    ("Source: demo (simulerade data)", "en", ["simulerade data"]),
    # a single word, whole words only, any case
    ("Comparison municipalities: alla kommuner in the data", "en", ["alla", "kommuner"]),
    ("Jämförelsen bygger på THE NATION.", "sv", ["THE", "NATION"]),
    ("Motherhood, thermal, andersson, Kontrollby, procentenheterna", "en", []),
    ("Andelen ökade med 1,0 procentenheter i Exempelstad.", "sv", []),
])
def test_leaks_finds_words_of_the_other_language(text, language, expected):
    assert leaks(text, language) == expected


def test_names_markup_and_code_are_not_words():
    # sources and the national row's name are names in both languages ...
    assert leaks("Source: Kolada, SCB and Socialstyrelsen; comparison: Riket (00)", "en") == []
    assert leaks("Kolada group Liknande kommuner arbetsmarknad, Arboga, 2024", "en") == []
    # ... but "riket" as a word is Swedish
    assert leaks("compared with riket", "en") == ["riket"]
    # a kommun's name is allowed when the caller names it
    assert leaks("Norrby och Söderby", "en") == ["och"]
    assert leaks("Norrby och Söderby", "en", allowed=["Norrby och Söderby"]) == []
    # HTML tags and attributes, code spans, addresses and placeholders are not read
    html = '<th style="text-align:left;font-weight:bold">Källa</th><td>SCB</td>'
    assert leaks(html, "sv") == [] and "left" not in readable(html)
    assert leaks("Registrera planen med `evaluation plan <spec>` före efterperioden.", "sv") == []
    assert leaks("Se https://www.kolada.se/the/api för detaljer.", "sv") == []
    assert leaks("{noun} i {place}", "en") == []
    assert leaks("Fältet 'donors.units' nämner 0114; ange outcome_kinds i spec.", "sv") == []
    assert {"Kolada", "SCB", "Socialstyrelsen", "Riket"} <= set(ALLOWED)


def test_word_lists_do_not_overlap():
    """A word in both lists would be flagged in correct text of either language."""
    assert not {w.casefold() for w in SWEDISH} & {w.casefold() for w in ENGLISH}
    with pytest.raises(ValueError):
        leaks("text", "de")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ catalogue
def test_every_catalogue_key_has_both_languages():
    assert missing_keys() == []
    for key, entry in T.TEXTS.items():
        assert entry["sv"].strip() and entry["en"].strip(), key


def test_missing_keys_finds_a_planted_gap(monkeypatch):
    monkeypatch.setitem(T.TEXTS, "planted.no_en", {"sv": "Bara svenska"})
    monkeypatch.setitem(T.TEXTS, "planted.empty", {"sv": "Svenska", "en": "  "})
    monkeypatch.setitem(T.DESIGN_LABELS, "planted", {"sv": ("Namn", "ett namn"),
                                                     "en": ("Name", "")})
    assert missing_keys() == ["planted.no_en", "planted.empty", "DESIGN_LABELS.planted"]


def test_peer_and_target_texts_are_in_the_one_catalogue():
    from evaluation.report import peer_report, target_report

    peer = {k for k in T.TEXTS if k.startswith("peer.")}
    target = {k for k in T.TEXTS if k.startswith("target.")}
    assert len(peer) > 30 and len(target) > 70
    # the modules' dicts are views of the catalogue, and their lookups read it
    assert peer_report.PEER_TEXTS == {k.removeprefix("peer."): T.TEXTS[k] for k in peer}
    assert target_report.TEXTS == {k.removeprefix("target."): T.TEXTS[k] for k in target}
    assert peer_report.pt("heading", "en") == T.t("peer.heading", "en")
    assert target_report.t("verb.down", "sv") == T.t("target.verb.down", "sv") == "minska"
    with pytest.raises(KeyError, match="peer.nothing"):
        peer_report.pt("nothing")
    with pytest.raises(KeyError, match="target.nothing"):
        target_report.t("nothing")


def test_no_catalogue_entry_has_words_of_the_other_language():
    assert catalogue_leaks() == {}


def test_the_static_check_catches_a_planted_entry(monkeypatch):
    monkeypatch.setitem(T.TEXTS, "planted", {
        "sv": "Kontrollen kunde inte göras (too few comparison units).",
        "en": "Source: demo (simulerade data)."})
    assert catalogue_leaks() == {"planted (sv)": ["too few", "comparison units"],
                                 "planted (en)": ["simulerade data"]}


def test_names_of_designs_outcomes_measures_and_donor_reasons():
    from evaluation.data.panel import MEASURES
    from evaluation.designs.donors import REASONS

    found = {}
    for key, labels in T.DESIGN_LABELS.items():
        for language in ("sv", "en"):
            for label in labels[language]:
                if leaks(label, language):
                    found[f"DESIGN_LABELS.{key}.{language}"] = leaks(label, language)
    for key, nouns in T.OUTCOME_NOUNS.items():
        for language in ("sv", "en"):
            if leaks(nouns[language], language):
                found[f"OUTCOME_NOUNS.{key}.{language}"] = leaks(nouns[language], language)
    for key, measure in MEASURES.items():
        for language in ("sv", "en"):
            for words in (measure.label(language), measure.unit(language)):
                if leaks(words, language):
                    found[f"MEASURES.{key}.{language}"] = leaks(words, language)
    for key, (sv, en) in REASONS.items():
        if leaks(sv, "sv") or leaks(en, "en"):
            found[f"REASONS.{key}"] = leaks(sv, "sv") + leaks(en, "en")
    for _period, sv, en, _outcomes in T._NATIONAL_EVENTS:
        if leaks(sv, "sv") or leaks(en, "en"):
            found[f"event {sv}"] = leaks(sv, "sv") + leaks(en, "en")
    assert found == {}


def test_source_names_in_the_report_language():
    """The data carry Swedish source names; an English report translates them."""
    from evaluation.data.demo import SOURCE
    from evaluation.sources.kolada import CITATION

    assert T.t("source.demo", "sv") == SOURCE
    assert "Källa: " + T.t("source.kolada", "sv") == CITATION
    assert T.source_label(SOURCE, "en") == "demo (simulated data)"
    assert T.source_label(SOURCE, "sv") == SOURCE
    assert T.source_label("Kolada, egen bearbetning, SCB", "en") == "Kolada, own calculations, SCB"
    box = T.data_box({"source": SOURCE}, "en")
    assert "demo (simulated data)" in box and leaks(box, "en") == []
    assert "Source: demo (simulated data)." in T.data_text(
        {"results": [{"outcome": "unemployment_rate", "design": "its"}]},
        {"sources_by_measure": {"unemployment_rate": [SOURCE]}}, "en")
    assert T._dropped_text({"0114": "skyddade värden"}, "en").count("suppressed values") == 1


# ------------------------------------------------------------------------------ messages
#: Spec keys, option values and column names quoted in messages: code, not words.
_CODE_WORDS = {"population", "units", "unit", "months", "none", "its", "riket", "lan", "all",
               "list", "auto", "harmonics"}
#: Messages a report never shows that a test pins as they are.
_KNOWN = {"Comparison with the county only works for a kommun",
          # the kommun file's column names
          "the columns kommunkod, kommun, lan_kod"}


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # the words inside {…} too ({'a' if x else 'b'})
        return "".join(
            v.value if isinstance(v, ast.Constant) else " ".join(
                ["", *(c.value for c in ast.walk(v) if isinstance(c, ast.Constant)
                       and isinstance(c.value, str)), ""])
            for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    return None


def _message_pairs(folder: Path):
    """(file, line, sv, en) of every ``…Error(sv, en)`` with literal texts under ``folder``."""
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if not name.endswith("Error"):
                continue
            sv, en = _literal(node.args[0]), _literal(node.args[1])
            if sv is not None and en is not None:
                yield path.name, node.lineno, sv, en


def _message_leaks(text: str, language: str) -> list[str]:
    words = re.sub(r"'[^']*'|\b\w*_\w*\b", " ", text)  # quoted values and identifiers
    return [w for w in leaks(words, language) if w.casefold() not in _CODE_WORDS]


@pytest.mark.parametrize("folder", ["designs", "checks"])
def test_error_messages_of_designs_and_checks(folder):
    """A design's error reaches the report ("… kunde inte användas: {reason}") in the report's
    language: its Swedish text must be Swedish and its English text English."""
    pairs = list(_message_pairs(SRC / folder))
    if folder == "designs":
        assert len(pairs) > 30
    found = {}
    for name, line, sv, en in pairs:
        if any(k in en for k in _KNOWN):
            continue
        bad = _message_leaks(sv, "sv") + _message_leaks(en, "en")
        if bad:
            found[f"{name}:{line}"] = bad
    assert found == {}
    # and the scan sees a planted one
    assert _message_leaks("The data for Arboga have no other kommuner to compare with.", "en")


# ------------------------------------------------------------------------------ reliability
def _inconclusive(reason: str, **extra) -> dict:
    return {"design": "its", "outcome": "unemployment_rate", "status": "inconclusive",
            "false_positive_rate": None, "reason": reason, "post_length": 4, **extra}


def test_reliability_reasons_in_the_report_language_only():
    error = DesignError("Folkmängd saknas för 1987: lägg till måttet population.",
                        "Population is missing for 1987: add the population measure.")
    for language in ("sv", "en"):
        for check in (_inconclusive("short_pre_period", frequency="yearly"),
                      _inconclusive("no_data"),
                      _inconclusive("too_few_runs"),
                      _inconclusive("too_few_runs", error_sv=error.sv, error_en=error.en),
                      # a reason without a text of its own: neither its code nor its words
                      _inconclusive("too few comparison units for the empirical interval")):
            sentence = T.reliability_text(check, language)
            assert leaks(sentence, language) == [], (language, check["reason"], sentence)
            assert "empirical" not in sentence and "_" not in sentence
    yearly = T.reliability_text(_inconclusive("short_pre_period", frequency="yearly"))
    assert "(4 år)" in yearly and "månader" not in yearly
    with_error = T.reliability_text(_inconclusive("too_few_runs", error_sv=error.sv,
                                                  error_en=error.en), "en")
    assert "Population is missing for 1987" in with_error and "Folkmängd" not in with_error


def test_a_planted_reason_leaks(monkeypatch):
    """The rendered check fails when an English reason reaches a Swedish sentence."""
    entry = dict(T.TEXTS["rel.reason.no_data"], sv="too few comparison units")
    monkeypatch.setitem(T.TEXTS, "rel.reason.no_data", entry)
    assert leaks(T.reliability_text(_inconclusive("no_data"), "sv"), "sv") == [
        "too few", "comparison units"]


def test_a_design_without_interval_says_why_in_its_language():
    from types import SimpleNamespace

    result = SimpleNamespace(
        design="decomposition", outcome="unemployment_rate", kind="rate", unit="pp",
        average_effect=-0.5, testable=False,
        diagnostics={"not_testable_reason": "1 comparison units of similar size, at least 2 "
                                            "needed",
                     "not_testable_reason_sv": "1 jämförelseenheter av liknande storlek, minst "
                                               "2 behövs"})
    sv, en = T.design_notes(result, "sv"), T.design_notes(result, "en")
    assert "minst 2 behövs" in sv and leaks(sv, "sv") == []
    assert "at least 2 needed" in en and leaks(en, "en") == []
    # only the English reason: the Swedish report says nothing rather than the English words
    del result.diagnostics["not_testable_reason_sv"]
    assert T.design_notes(result, "sv") == ""


# ------------------------------------------------------------------------------ rendered
def _render(ev, checks, skipped, peer_table, target_result,
            language: str) -> dict[str, str]:
    """Every text of the report for ``ev`` in ``language`` that the text layer builds."""
    from evaluation.report.peer_report import peer_heading, peer_text
    from evaluation.report.target_report import target_text

    ev.checks = checks
    summary = ev.summary()
    name = ev.inputs.treated_name
    out = {"narrative": ev.narrative_markdown(summary),
           "headline": T.headline(summary, language)}
    for outcome, v in T.verdicts_of(summary).items():
        out[f"verdict {outcome}"] = (
            f"{T.t('verdict.category.' + v['category'], language)}. "
            f"{T.verdict_sentence(v, summary['results'], language)} "
            f"{T.verdict_rules_text(v, summary['results'], language)}")
    out["reliability"] = "\n\n".join(
        [T.t("rel.intro", language, name=name)]
        + [T.reliability_text(dict(c, name=name), language) for c in summary["checks"]])
    info = ev.inputs.data_info()
    extra = {"outcomes": ev.spec.outcomes,
             "treated": {"code": ev.inputs.treated, "name": name},
             "intervention": ev.spec.intervention,
             "donor_pools": {o: f"{p.description(language)} – {p.n}"
                             for o, p in ev.donor_pools.items()},
             "pre_periods": ev.inputs.pre_periods()}
    out["data box"] = T.data_box(info | extra, language)
    comparisons = {}
    for r in ev.results:
        if r.design in ("its", "decomposition") and r.diagnostics.get("comparison_sv"):
            comparisons.setdefault(r.outcome, {"sv": r.diagnostics["comparison_sv"],
                                               "en": r.diagnostics.get("comparison", "")})
    out["data text"] = T.data_text(summary, info | {"comparisons": comparisons}, language)
    out["method"] = "\n\n".join(T.method_text(d, ev.spec.frequency, language)
                                for d in dict.fromkeys(r.design for r in ev.results))
    out["notes"] = "\n\n".join(T.design_notes(r, language) for r in ev.results)
    out["donor pools"] = "\n\n".join(T.donor_pool_text(p.to_dict(), language)
                                     for p in ev.donor_pools.values())
    out["skipped"] = T.skipped_text([*summary["skipped"], *skipped], language)
    out["plan"] = T.plan_text(summary.get("plan"), language)
    out["sensitivity"] = T.sensitivity_text(
        [{"outcome": o, "design": "its", "variant": "anticipation_3", "status": "ok",
          "flip": True} for o in ev.spec.outcomes], language)
    out["target"] = target_text(target_result, language)
    out["peers"] = f"{peer_heading(language)}\n\n{peer_text(peer_table, language)}"
    return out


@pytest.fixture(scope="module")
def rendered():
    """The demo report in Swedish (exempelstad.yaml) and English (exempelstad_en.yaml).

    Cost (15–20 s on one core): both specs are loaded, the Swedish one is estimated and its
    results, donor pools and checks — records with numbers and both languages' words, none
    in the spec's language — serve the English report too (the specs differ in language,
    title, target and the decomposition's window, none of which decides a word's language).
    The reliability check re-runs ITS and DiD at 4 kommuner × 3 dates: enough runs for the
    check's verdict.
    """
    from evaluation.checks.reliability import reliability
    from evaluation.designs.donors import donor_pool
    from evaluation.evaluate import Evaluation
    from evaluation.peers import peer_table
    from evaluation.spec import load_spec

    sv = Evaluation.from_spec(load_spec(PARAMS / "exempelstad.yaml"))
    en = Evaluation.from_spec(load_spec(PARAMS / "exempelstad_en.yaml"))
    assert (sv.language, en.language) == ("sv", "en")
    sv.estimate()
    en.results, en.donor_pools, en.skipped = sv.results, sv.donor_pools, sv.skipped
    checks = [reliability(sv.inputs.panel, r, comparison=sv.spec.comparison, n_units=4,
                          n_dates=3, seed=sv.spec.seed)
              for r in sv.results if r.design in ("its", "did")]
    assert {c.status for c in checks} <= {"passed", "failed"}
    target = sv.target_follow_up()
    panel = sv.inputs.panel
    kommuner = sorted(u for u in panel["unit"].unique() if len(u) == 4 and u != "1987")[:4]
    table = peer_table(panel, treated="1987", members=kommuner, measures=sv.spec.outcomes)
    names = sorted({str(n) for n in panel["unit_name"].unique()})
    # the target's label is the evaluator's own words, a name like the kommun's
    allowed = [*names, str(target.get("label") or "")]
    # a design that could not be used, with the donor pool's own error in both languages
    try:
        donor_pool(panel, treated="1987", outcome="unemployment_rate",
                   config={"pool": "list", "units": ["0114", "0001"]}, units=None, groups=None,
                   start="2015-01", end="2023-03")
    except DesignError as exc:
        skipped = [{"design": "sdid", "reason_sv": exc.sv, "reason_en": exc.en}]
    else:
        pytest.fail("a pool of one unknown and one region code was accepted")
    return {lang: (_render(ev, checks, skipped, table, target, lang), allowed)
            for lang, ev in (("sv", sv), ("en", en))}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_rendered_demo_report_is_in_one_language(rendered, language):
    texts, allowed = rendered[language]
    empty = [part for part, text in texts.items() if not text.strip()]
    assert empty == ["plan"] or not empty  # no plan text when the plan cannot be read
    found = {part: leaks(text, language, allowed) for part, text in texts.items()}
    assert {part: words for part, words in found.items() if words} == {}
    # the reliability section says something, and the data box names the source
    assert "placebo" in texts["reliability"].casefold()
    source = "demo (simulerade data)" if language == "sv" else "demo (simulated data)"
    assert source in texts["data box"]


def test_the_rendered_check_catches_a_planted_leak(rendered):
    texts, allowed = rendered["en"]
    planted = texts["data box"].replace("demo (simulated data)", "demo (simulerade data)")
    assert leaks(planted, "en", allowed) == ["simulerade data"]
    texts, allowed = rendered["sv"]
    planted = texts["reliability"] + " Kontrollen kunde inte göras (too few comparison units)."
    assert leaks(planted, "sv", allowed) == ["too few", "comparison units"]
