"""One language per report: find words of the other language in a rendered text, and catalogue
entries that lack a language.

A Swedish report must not say "Kontrollen kunde inte göras (too few comparison units …)" and an
English one not "Source: demo (simulerade data)". :func:`leaks` looks for words and phrases of
the *other* language in a text — a curated list per language of function words ("och", "inte",
"för" / "the", "and", "not") and the domain's own words ("kommuner", "hushåll",
"procentenheter" / "municipalities", "households", "percentage points") — whole words,
ignoring case. Names are not words: source and unit names ("Kolada", "SCB",
"Socialstyrelsen", "Riket" as the name of the national row) are allowed as written, and a
caller passes the kommun names of its data in ``allowed``. Markup (HTML tags and attributes),
code spans (`` `evaluation plan <spec>` ``), addresses, ``{placeholders}`` and the identifiers an
error message names (``'riket'``, ``donors.units``, ``outcome_kinds``) are not read.

:func:`missing_keys` lists catalogue entries without a non-empty Swedish or English text: every
key of :data:`evaluation.report.text.TEXTS` (which also holds the peer comparison's
``peer.*`` and the target follow-up's ``target.*`` texts) and the design and outcome names.

``tests/report/test_language.py`` runs both over the whole catalogue and over the demo report
rendered in both languages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from evaluation.report.format import Language, check_language

#: Swedish words and phrases that do not belong in an English text. Words that are also
#: ordinary English ("under", "till", "in", "per", "data", "period", "sin", "sedan") are left
#: out: they would flag correct English.
SWEDISH: frozenset[str] = frozenset({
    # function words
    "och", "inte", "för", "att", "det", "den", "detta", "denna", "dessa", "som", "är", "var",
    "med", "av", "på", "från", "efter", "före", "eller", "också", "men", "utan", "kan", "ska",
    "har", "hade", "vid", "där", "mot", "än", "både", "alla", "allt", "ingen", "inget", "inga",
    "när", "hur", "vad", "ett", "om", "över", "mellan", "samma", "enligt", "bara", "redan",
    "sina", "sitt", "deras", "dess", "därför", "eftersom", "ej", "ju", "så", "nu", "än",
    # the domain's words
    "kommun", "kommuner", "kommunen", "kommunerna", "kommunens", "kommunernas", "län", "länet",
    "länen", "riket", "rikets", "hushåll", "hushållen", "biståndshushåll", "bistånd",
    "ekonomiskt", "försörjningsstöd", "procentenheter", "procentenhet", "procent",
    "simulerade", "simulerad", "simulerat", "fiktiv", "fiktiva", "jämförelse", "jämförelsen",
    "jämförelsekommuner", "jämförelseserien", "jämförelseenheter", "effekt", "effekten",
    "effekter", "skattning", "skattningen", "intervall", "intervallet", "månad", "månader",
    "år", "uppgifter", "källa", "arbetslöshet", "arbetslösheten", "arbetslösa", "förändring",
    "förändringen", "minskning", "ökning", "säkerställd", "enheter", "saknas", "saknade",
    "skyddade", "värden", "värdet", "invånare", "folkmängd", "preliminär", "preliminära",
    "prövbar", "metod", "metoden", "metoderna", "insats", "insatsen", "mål", "målet", "delmål",
    "utgångsläget", "förperiod", "förperioden", "efterperiod", "efterperioden", "kontroll",
    "kontrollen", "omkörningar", "antal", "antalet",
    # phrases
    "för få", "ej prövbar", "egen bearbetning", "simulerade data", "inte göras",
})

#: English words and phrases that do not belong in a Swedish text ("a", "in", "all", "by",
#: "most", "test", "trend", "plan", "placebo", "population" are Swedish too and left out,
#: "its" is also the design ITS).
ENGLISH: frozenset[str] = frozenset({
    # function words
    "the", "and", "not", "of", "with", "from", "to", "is", "are", "was", "were", "be", "been",
    "this", "that", "these", "those", "which", "who", "than", "then", "there", "their", "it",
    "for", "or", "but", "if", "when", "only", "also", "both", "each", "every", "after",
    "before", "between", "could", "cannot", "should", "would", "will", "has", "have", "had",
    "an", "on", "at", "as", "too", "few", "many", "more", "less", "least", "none", "no longer",
    "without", "within", "because", "where", "what", "how", "into", "about",
    # the domain's words
    "municipality", "municipalities", "county", "counties", "nation", "national", "sweden",
    "household", "households", "unemployment", "unemployed", "assistance", "percentage",
    "points", "simulated", "fictional", "fictitious", "comparison", "comparisons", "unit",
    "units", "estimate", "estimated", "interval", "intervals", "effect", "effects",
    "significant", "decrease", "increase", "change", "month", "months", "year", "years",
    "source", "missing", "suppressed", "value", "values", "needed", "needs", "method",
    "methods", "similar", "size", "runs", "share", "rate", "level", "count",
    "counts", "pre-period", "post-period", "check", "testable", "target", "goal", "baseline",
    "own", "processing", "inhabitants", "data set", "outcome", "outcomes",
    # phrases
    "too few", "at least", "percentage points", "per cent", "not testable", "simulated data",
    "comparison units",
})

#: Names written the same in both languages (exact case): sources, and the national row's
#: unit name "Riket", which an English report shows as the unit's name. Kolada's group
#: family "Liknande kommuner …" is a proper name too.
ALLOWED: tuple[str, ...] = (
    "Kolada", "SCB", "Socialstyrelsen", "Arbetsförmedlingen", "Riket", "Liknande kommuner",
)

_WORDS: dict[str, frozenset[str]] = {"sv": ENGLISH, "en": SWEDISH}
_PATTERNS: dict[str, re.Pattern[str]] = {}

_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"`[^`]*`")
_URL = re.compile(r"\bhttps?://\S+")
_FIELD = re.compile(r"\{[^{}]*\}")
# identifiers a message names: 'riket', donors.units, outcome_kinds
_IDENTIFIER = re.compile(r"'[^'\s]+'|(?<![\w.])\w+(?:\.\w+)+|\w*_\w*")


def _pattern(language: str) -> re.Pattern[str]:
    if language not in _PATTERNS:
        # longest first, so that "too few" is reported rather than "too" and "few"
        words = sorted(_WORDS[language], key=lambda w: (-len(w), w))
        alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
        _PATTERNS[language] = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])",
                                         re.IGNORECASE)
    return _PATTERNS[language]


def readable(text: str, allowed: Iterable[str] = ()) -> str:
    """``text`` as a reader reads it: without HTML tags, code spans, addresses,
    ``{placeholders}`` and identifiers (quoted without spaces, dotted or with an underscore),
    and with the allowed names (:data:`ALLOWED` and ``allowed``) blanked out."""
    out = _TAG.sub(" ", str(text))
    out = html.unescape(out)
    out = _CODE.sub(" ", out)
    out = _URL.sub(" ", out)
    out = _FIELD.sub(" ", out)
    out = _IDENTIFIER.sub(" ", out)
    names = sorted({*ALLOWED, *(str(a) for a in allowed if a)}, key=len, reverse=True)
    for name in names:
        out = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", out)
    return out


def leaks(text: str, language: Language, allowed: Iterable[str] = ()) -> list[str]:
    """Words and phrases of the *other* language in a text meant to be in ``language``.

    Parameters
    ----------
    text
        Rendered text: Markdown, HTML or plain.
    language
        The language the text should be in: ``"sv"`` (English words are leaks) or ``"en"``
        (Swedish words are leaks).
    allowed
        Further names to ignore (written as in the text), e.g. the kommun and unit names of
        the data.

    Returns
    -------
    list of str
        Each leaked word or phrase once, as written in the text, in the order they first
        occur; ``[]`` when the text is all in ``language``.

    Examples
    --------
    >>> leaks("Kontrollen kunde inte göras (too few comparison units).", "sv")
    ['too few', 'comparison units']
    >>> leaks("Source: demo (simulerade data)", "en")
    ['simulerade data']
    >>> leaks("Source: Kolada", "en")
    []
    """
    check_language(language)
    found: dict[str, str] = {}
    for match in _pattern(language).finditer(readable(text, allowed)):
        word = re.sub(r"\s+", " ", match.group(0))
        found.setdefault(word.casefold(), word)
    return list(found.values())


def catalogue_leaks(catalogue: Mapping[str, Mapping[str, Any]] | None = None,
                    allowed: Iterable[str] = ()) -> dict[str, list[str]]:
    """Entries of a ``{key: {"sv": …, "en": …}}`` catalogue (default :data:`TEXTS`) whose
    text in one language has words of the other: ``{"key (en)": ["kommuner"], …}``."""
    if catalogue is None:
        from evaluation.report.text import TEXTS as catalogue
    allowed = tuple(allowed)
    out: dict[str, list[str]] = {}
    for key, entry in catalogue.items():
        for language in ("sv", "en"):
            text = str(entry.get(language) or "")
            found = leaks(text, language, allowed)  # type: ignore[arg-type]
            if found:
                out[f"{key} ({language})"] = found
    return out


def _missing(name: str, catalogue: Mapping[str, Any]) -> list[str]:
    out = []
    for key, entry in catalogue.items():
        label = key if name == "TEXTS" else f"{name}.{key}"
        if not isinstance(entry, Mapping):
            out.append(label)
            continue
        for language in ("sv", "en"):
            value = entry.get(language)
            values = value if isinstance(value, tuple) else (value,)
            if not all(isinstance(v, str) and v.strip() for v in values):
                out.append(label)
                break
    return out


def missing_keys() -> list[str]:
    """Catalogue keys without a non-empty Swedish *and* English text: the keys of
    :data:`~evaluation.report.text.TEXTS` as they are (``"rel.intro"``, ``"peer.heading"``,
    ``"target.goal.count"``), the design and outcome names as ``"DESIGN_LABELS.its"`` and
    ``"OUTCOME_NOUNS.unemployment_rate"``. ``[]`` when the catalogue is complete."""
    from evaluation.report import text

    return [*_missing("TEXTS", text.TEXTS), *_missing("DESIGN_LABELS", text.DESIGN_LABELS),
            *_missing("OUTCOME_NOUNS", text.OUTCOME_NOUNS)]
