"""``evaluation verify``: check a spec's source codes against the sources' own metadata.

A code reconstructed offline (a KPI id from an old script, a ContentsCode remembered from
another table, a filter value copied from a neighbouring table) is only caught when the data are
fetched — or worse, silently gives another series. :func:`verify` asks each source for its
metadata and compares every code of the spec with it, returning one :class:`Problem` per
mismatch, each a sentence (Swedish and English) naming the wrong value and what to write
instead, with a ``suggestion`` when one is obvious.

What is checked:

``kolada``  the KPI id is in Kolada's catalogue (``/v3/kpi``), has not ended (a title marked
            ``(-YYYY)``), and its title contains the spec's ``title`` text (Kolada re-uses ids);
            every ``units`` code is in ``/v3/municipality``.
``scb``     the table exists (``/tables/<id>/metadata``; HTTP 404 is a problem), ``contents`` is
            one of its ContentsCode values, every ``filters`` variable exists and its value is
            one of the variable's codes, every mandatory variable (``elimination: false``) is
            selected, ``region`` codes exist (in ``codelist`` when given, read from
            ``/codeLists/<id>``), ``codelist`` is one the Region variable lists, ``time`` names
            existing periods, and the table's periods have the spec's frequency; ``before``
            likewise.
``file``    the mapping loads, the path or glob matches at least one file (else: where to save
            it, from the mapping's ``source`` text), and every file loads with the mapping.
groups      ``donors.group`` (pools ``kommungrupp`` and ``liknande``) and
            ``comparison_group.group`` (when the spec has one) exist in
            ``/v3/municipality_groups``; ``comparison_group.members`` are kommuner in
            ``/v3/municipality``.

Nothing is written to the raw store: verifying is a read-only look at the sources. A source
that cannot be reached gives one problem for the whole source (``kind="connection"``), never a
traceback. The base URLs follow :mod:`evaluation.sources.collect` (the environment variables
``EVALUATION_KOLADA_URL`` / ``EVALUATION_SCB_URL`` point at test servers).
"""

from __future__ import annotations

import difflib
import glob
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.errors import EvaluationError

__all__ = ["Problem", "verify", "verify_report"]

#: How many valid codes a message lists before "… (N more)".
LIST_LIMIT = 8
#: Smallest difflib ratio for a suggestion.
CUTOFF = 0.6
#: Retries of the default fetcher: verifying is interactive, so fail sooner than a fetch.
RETRIES = 2
#: SCB's documented limit (``/config``: maxCallsPerTimeWindow 3 per timeWindow 1 s).
SCB_CALLS, SCB_WINDOW = 3, 1.0
#: Variables the tool selects itself (see ``collect._scb_selection``).
REGION, CONTENTS, TIME = "Region", "ContentsCode", "Tid"


@dataclass(frozen=True)
class Problem:
    """One mismatch between the spec and a source's metadata.

    Attributes
    ----------
    source_key
        The measure key under ``sources:``; ``"donors"`` / ``"comparison_group"`` for a group;
        ``"Kolada"`` / ``"SCB"`` for a source that could not be reached.
    field
        The key inside the entry: ``kpi``, ``title``, ``units``, ``table``, ``contents``,
        ``filters.<Variable>``, ``region``, ``codelist``, ``time``, ``path``, ``mapping``,
        ``group`` (``before.``-prefixed for the older table); ``connection`` when unreachable.
    value
        The spec's value (``None`` when something is missing).
    sv, en
        The sentence for the evaluator, naming the value and the fix.
    suggestion
        The value to write instead, when one is obvious.
    kind
        ``source`` (an entry under ``sources:``), ``spec`` (donors/comparison group) or
        ``connection``.
    """

    source_key: str
    field: str
    value: str | None
    sv: str
    en: str
    suggestion: str | None = None
    kind: str = "source"

    def text(self, language: str = "sv") -> str:
        return self.en if language == "en" else self.sv

    @property
    def where(self) -> str:
        """``sources.<key>.<field>``, ``donors.group`` or the source's name."""
        if self.kind == "connection":
            return self.source_key
        if self.kind == "spec":
            return f"{self.source_key}.{self.field}"
        return f"sources.{self.source_key}.{self.field}"


class _Unreachable(Exception):
    """A source could not be asked at all (network, server error, wrong base URL)."""

    def __init__(self, reason_sv: str, reason_en: str):
        super().__init__(reason_en)
        self.sv, self.en = reason_sv, reason_en


def _problem(key: str, field: str, value: Any, sv: str, en: str, suggestion: str | None = None,
             kind: str = "source") -> Problem:
    place = Problem(key, field, None, "", "", kind=kind).where
    return Problem(key, field, None if value is None else str(value), f"{place}: {sv}",
                   f"{place}: {en}", suggestion, kind)


# --------------------------------------------------------------------------- text helpers
def _norm(text: Any) -> str:
    text = str(text).replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    return " ".join(text.replace("\u00a0", " ").casefold().split())


def _label_matches(value: str, label: str) -> bool:
    """``totalt`` matches "totalt, samtliga …", ``20-64`` matches "20–64 år"."""
    v, lab = _norm(value), _norm(label)
    return bool(v) and v in (lab, lab.split(",")[0].strip(), lab.removesuffix(" år"))


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _norm(a), _norm(b)).ratio()


def _suggest(value: Any, codes: Sequence[str], labels: Mapping[str, str] | None = None, *,
             unique: bool = False, cutoff: float = CUTOFF) -> str | None:
    """The code ``value`` most likely meant: same code in other case, a code whose label is
    ``value``, else the closest code or label by difflib (ties: the first in ``codes``; with
    ``unique`` a tie gives no suggestion)."""
    labels = labels or {}
    value = str(value)
    for code in codes:
        if _norm(code) == _norm(value):
            return code
    for code in codes:
        if code in labels and _label_matches(value, labels[code]):
            return code
    scored = [(max(_ratio(value, code), _ratio(value, labels.get(code, "")) if labels else 0.0),
               -i, code) for i, code in enumerate(codes)]
    if not scored:
        return None
    scored.sort(reverse=True)
    best = scored[0]
    if best[0] < cutoff:
        return None
    if unique and len(scored) > 1 and scored[1][0] == best[0]:
        return None
    return best[2]


def _listing(codes: Sequence[str], labels: Mapping[str, str], language: str) -> str:
    shown = [f"{c} ({labels[c]})" if labels.get(c) and labels[c] != c else c
             for c in codes[:LIST_LIMIT]]
    rest = len(codes) - len(shown)
    if rest > 0:
        shown.append(f"… ({rest} till)" if language == "sv" else f"… ({rest} more)")
    return ", ".join(shown)


def _and(items: Sequence[str], language: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    word = " och " if language == "sv" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


# --------------------------------------------------------------------------- fetching
def _payload(answer: Any) -> Any:
    data = getattr(answer, "data", None)
    if data is not None:
        return data
    if hasattr(answer, "json") and callable(answer.json):
        return answer.json()
    return answer


def _http_status(exc: BaseException) -> int | None:
    """The HTTP status the fetcher's error carries (:mod:`evaluation.sources.http`'s
    ``Unreachable`` and ``HttpStatusError`` have ``status``)."""
    status = getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def _reason(exc: EvaluationError) -> tuple[str, str]:
    """A short reason for an unreachable source from the fetcher's error."""
    status = _http_status(exc)
    if status is not None:
        return f"HTTP {status}", f"HTTP {status}"
    reason = getattr(exc, "reason", None)
    if isinstance(reason, tuple) and len(reason) == 2:
        return reason
    sv = re.search(r"\(senast: (.+)\): ", exc.sv)
    en = re.search(r"\(last: (.+)\): ", exc.en)
    if sv and en:
        return sv.group(1), en.group(1)
    return exc.sv.rstrip(". "), exc.en.rstrip(". ")


class _Kolada:
    """Kolada's metadata lists, each fetched once (every page, nothing stored)."""

    def __init__(self, base: str, fetch: Callable[..., Any]):
        self.base = base.rstrip("/")
        self.fetch = fetch
        self._lists: dict[str, list[dict[str, Any]]] = {}

    def rows(self, what: str) -> list[dict[str, Any]]:
        if what not in self._lists:
            self._lists[what] = self._fetch_list(what)
        return self._lists[what]

    def _fetch_list(self, what: str) -> list[dict[str, Any]]:
        from evaluation.sources import kolada

        url: str | None = f"{self.base}/{what}"
        params: dict[str, Any] | None = {"per_page": kolada.PER_PAGE}
        rows: list[Any] = []
        try:
            for _page in range(1000):
                if not url:
                    break
                payload = _payload(self.fetch(url, params=params))
                rows.extend(kolada._check_envelope(payload, url))
                url, params = payload.get("next_url") or None, None
            kolada._check_metadata(rows, f"{self.base}/{what}")
        except EvaluationError as exc:
            raise _Unreachable(*_reason(exc)) from exc
        if not rows:
            raise _Unreachable(f"tom lista från {self.base}/{what}",
                               f"empty list from {self.base}/{what}")
        return rows

    def catalog(self) -> dict[str, dict[str, Any]]:
        return {str(r["id"]).strip(): r for r in self.rows("kpi")}

    def municipalities(self) -> dict[str, str]:
        """Kolada id -> title."""
        return {str(r["id"]).strip(): str(r.get("title", "")) for r in self.rows("municipality")}

    def groups(self) -> tuple[Any, dict[str, str]]:
        """A :class:`~evaluation.designs.donors.GroupTable` and {group id: title}."""
        if "groups" not in self._lists:
            self._lists["groups"] = [self._group_table()]  # type: ignore[list-item]
        return self._lists["groups"][0]  # type: ignore[return-value]

    def _group_table(self) -> tuple[Any, dict[str, str]]:
        from evaluation.designs.donors import GroupTable
        from evaluation.sources.kolada import to_unit

        records = []
        for group in self.rows("municipality_groups"):
            for member in group.get("members") or []:
                if isinstance(member, Mapping):
                    records.append({
                        "group_id": str(group["id"]),
                        "group_title": str(group.get("title", "")),
                        "member_id": to_unit(member.get("member_id", member.get("id", ""))),
                        "member_title": str(member.get("member_title", member.get("title", ""))),
                    })
        frame = pd.DataFrame.from_records(records, columns=["group_id", "group_title",
                                                            "member_id", "member_title"])
        titles = {str(g["id"]): str(g.get("title", "")) for g in self.rows("municipality_groups")}
        return GroupTable.from_frame(frame, source=f"{self.base}/municipality_groups"), titles


class _Missing(Exception):
    """SCB answered 4xx for a table or codelist: it does not exist."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class _Scb:
    """SCB's table metadata and codelists, each fetched once."""

    def __init__(self, base: str, fetch: Callable[..., Any]):
        from evaluation.sources.http import RateLimiter

        self.base = base.rstrip("/")
        self.fetch = fetch
        self.limiter = RateLimiter(SCB_CALLS, SCB_WINDOW)
        self._cache: dict[str, Any] = {}

    def _get(self, path: str) -> Any:
        if path in self._cache:
            cached = self._cache[path]
            if isinstance(cached, Exception):
                raise cached
            return cached
        url = f"{self.base}{path}"
        try:
            answer = _payload(self.fetch(url, params={"lang": "sv"}, rate_limiter=self.limiter))
        except EvaluationError as exc:
            status = _http_status(exc)
            error: Exception = (_Missing(status) if status in (400, 404)
                                else _Unreachable(*_reason(exc)))
            self._cache[path] = error
            raise error from exc
        self._cache[path] = answer
        return answer

    def metadata(self, table: str) -> tuple[Any, str]:
        path = f"/tables/{urllib.parse.quote(table, safe='')}/metadata"
        return self._get(path), f"{self.base}{path}"

    def codelist(self, codelist: str) -> list[str] | None:
        """Codes of a codelist, or None when SCB does not give it (then metadata decides)."""
        try:
            answer = self._get(f"/codeLists/{urllib.parse.quote(codelist, safe='')}")
        except (_Missing, _Unreachable):
            return None
        values = answer.get("values") if isinstance(answer, Mapping) else None
        if not isinstance(values, list):
            return None
        return [str(v["code"]) for v in values if isinstance(v, Mapping) and "code" in v]


# --------------------------------------------------------------------------- kolada checks
def _retired(title: str) -> bool:
    from evaluation.sources.kolada import _RETIRED

    return bool(_RETIRED.search(str(title)))


def _retired_year(title: str) -> str:
    from evaluation.sources.kolada import _RETIRED

    found = _RETIRED.search(str(title))
    return found.group(1) if found else ""


def _kpi_by_title(text: str, kpi: str, catalog: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The KPI whose title contains ``text``: open series first, then the title closest to the
    text (the most specific), then the id closest to ``kpi``."""
    wanted = _norm(text)
    hits = [i for i, row in catalog.items() if wanted in _norm(row.get("title", ""))]
    if not hits:
        return None
    return max(sorted(hits), key=lambda i: (not _retired(catalog[i].get("title", "")),
                                            _ratio(text, catalog[i].get("title", "")),
                                            _ratio(kpi, i)))


def _check_kolada(key: str, entry: Mapping[str, Any], source: _Kolada) -> list[Problem]:
    from evaluation.sources.kolada import from_unit

    out: list[Problem] = []
    catalog = source.catalog()
    kpi = entry["kpi"]
    text = entry.get("title")
    row = catalog.get(kpi)

    def named(code: str | None) -> tuple[str, str]:
        if code is None:
            return "", ""
        title = catalog[code].get("title", "")
        return f"{code} ({title})", f"{code} ({title})"

    if row is None:
        by_title = _kpi_by_title(text, kpi, catalog) if text else None
        guess = by_title or _suggest(kpi, sorted(catalog), unique=True, cutoff=0.8)
        sv_fix, en_fix = named(guess)
        because_sv = f", vars titel innehåller '{text}'" if by_title else ", som ligger närmast"
        because_en = f", whose title contains '{text}'" if by_title else ", the closest id"
        out.append(_problem(
            key, "kpi", kpi,
            f"Koladas KPI-katalog har inget id '{kpi}'"
            + (f"; ändra till {sv_fix}{because_sv}." if guess else
               "; sök rätt id i katalogen på kolada.se och ändra kpi."),
            f"Kolada's KPI catalogue has no id '{kpi}'"
            + (f"; change it to {en_fix}{because_en}." if guess else
               "; look up the right id in the catalogue on kolada.se and change kpi."),
            guess))
    else:
        title = str(row.get("title", ""))
        if text and _norm(text) not in _norm(title):
            guess = _kpi_by_title(text, kpi, catalog)
            fix_sv, fix_en = named(guess)
            out.append(_problem(
                key, "kpi", kpi,
                f"Kolada-id {kpi} heter i katalogen '{title}', som inte innehåller '{text}' "
                "(Kolada återanvänder id:n)"
                + (f"; ändra kpi till {fix_sv}, vars titel innehåller texten." if guess else
                   "; sök rätt id i katalogen eller rätta title."),
                f"Kolada id {kpi} is called '{title}' in the catalogue, which does not contain "
                f"'{text}' (Kolada re-uses ids)"
                + (f"; change kpi to {fix_en}, whose title contains the text." if guess else
                   "; look up the right id in the catalogue or correct title."),
                guess))
        elif _retired(title):
            # No guess: a similar title is often another population (N02280 "Arbetslöshet,
            # 20-64 år" is closest to "… bland utrikes födda"), not the successor.
            stem = re.sub(r"\s*\(\s*-\s*(\d{4})\s*\)", "", title).strip()
            last = _retired_year(title)
            out.append(_problem(
                key, "kpi", kpi,
                f"KPI {kpi} ('{stem}') är avslutat enligt Koladas katalog (sista år {last}); "
                "sök efterföljaren i katalogen på kolada.se och ändra kpi.",
                f"KPI {kpi} ('{stem}') has ended according to Kolada's catalogue (last year "
                f"{last}); look up its successor in the catalogue on kolada.se and change kpi."))
    units = entry.get("units") or []
    if units:
        known = source.municipalities()
        ids = sorted(known)
        for unit in units:
            if from_unit(unit) in known:
                continue
            guess = _suggest(from_unit(unit), ids, unique=True, cutoff=0.75)
            shown = None if guess is None else (guess[2:] if guess.startswith("00") else guess)
            name = known.get(guess or "", "")
            out.append(_problem(
                key, "units", unit,
                f"Koladas kommunlista har ingen kommun, region eller riket med koden '{unit}'"
                + (f"; ändra till {shown} ({name})." if guess else
                   "; ändra till en kod i listan (kommun fyra siffror, län två, riket 00)."),
                f"Kolada's municipality list has no kommun, region or riket with the code "
                f"'{unit}'"
                + (f"; change it to {shown} ({name})." if guess else
                   "; change it to a code in the list (kommun four digits, county two, "
                   "riket 00)."),
                shown))
    return out


def _check_group(owner: str, value: str, pool: str, treated: str,
                 source: _Kolada) -> list[Problem]:
    from evaluation.designs import donors
    from evaluation.sources.kolada import from_unit

    table, titles = source.groups()
    found = table.find(value)
    if found is None and value in titles:  # a group without members is still a group
        found = value
    if pool != "liknande":
        if found is not None:
            return []
        clean = {g: donors._norm(t) for g, t in titles.items()}
        unique_titles = sorted(set(clean.values()))
        guess = _suggest(donors._norm(value), unique_titles, unique=True)
        gid = max((g for g in clean if clean[g] == guess), default=None) if guess else None
        title = titles.get(gid or "", "")
        return [_problem(
            owner, "group", value,
            f"Kolada har ingen kommungrupp med namnet eller id:t '{value}'"
            + (f"; ändra till \"{title}\" ({gid})." if gid else
               "; skriv gruppens namn eller id som i Koladas lista över kommungrupper."),
            f"Kolada has no municipality group with the title or id '{value}'"
            + (f"; change it to \"{title}\" ({gid})." if gid else
               "; write the group's title or id as in Kolada's list of municipality groups."),
            title or None, kind="spec")]
    if found is not None and donors._parse_similar(titles[found]) is not None:
        return []
    if not donors.is_kommun(treated):
        return []  # pool: liknande needs a kommun; the donor pool says so in its own words
    names = source.municipalities()
    name = names.get(from_unit(treated), treated)
    own = table.similar_groups(treated, name)
    family = donors._family_key(value)
    if (own["family"] == family).any() or own.loc[
            own["family"].str.startswith(family), "family"].nunique() == 1:
        return []
    families = sorted(own["family"].unique())
    short = [f.replace(donors._SIMILAR_PREFIX, "").strip() or donors.FALLBACK_FAMILY
             for f in families]
    asked = family.replace(donors._SIMILAR_PREFIX, "").strip()
    guess = _suggest(asked, short)
    listed_sv, listed_en = _and(short, "sv") or "(inga)", _and(short, "en") or "(none)"
    return [_problem(
        owner, "group", value,
        f"Kolada har ingen grupp 'Liknande kommuner {asked}' för {name} ({treated})"
        + (f"; ändra till \"{guess}\" (grupperna som finns: {listed_sv})." if guess else
           f"; ändra till en av {listed_sv}."),
        f"Kolada has no group 'Liknande kommuner {asked}' for {name} ({treated})"
        + (f"; change it to \"{guess}\" (the groups there are: {listed_en})." if guess else
           f"; change it to one of {listed_en}."),
        guess, kind="spec")]


# --------------------------------------------------------------------------- scb checks
def _time_problems(key: str, field: str, table: str, time: str, codes: list[str]) -> list[Problem]:
    text = str(time).strip()
    if text == "*" or any(ch in text for ch in "*?") or re.fullmatch(r"(top|bottom)\(\d+\)",
                                                                       text):
        return []
    bounds = re.fullmatch(r"(?:from|to)\((.+)\)", text)
    pair = re.fullmatch(r"range\((.+),(.+)\)", text)
    if bounds:
        wanted = [bounds.group(1).strip()]
    elif pair:
        wanted = [pair.group(1).strip(), pair.group(2).strip()]
    else:
        wanted = [t.strip() for t in text.split(",")]
    missing = [w for w in wanted if w not in codes]
    if not missing:
        return []
    span = f"{codes[0]}–{codes[-1]}" if codes else "–"
    wrong = missing[0]
    same_kind = [c for c in codes if len(c) == len(wrong)]
    if same_kind and wrong < same_kind[0]:
        replacement: str | None = same_kind[0]  # before the table starts: its first period
    elif same_kind and wrong > same_kind[-1]:
        replacement = same_kind[-1]
    else:
        replacement = _suggest(wrong, codes, unique=True)
    guess = text.replace(wrong, replacement) if replacement else None
    return [_problem(
        key, field, time,
        f"SCB:s tabell {table} har ingen period '{wrong}' (tabellen har {span}); ändra "
        + (f"time till {guess}." if guess else "time till perioder i tabellen eller till *."),
        f"SCB's table {table} has no period '{wrong}' (the table has {span}); change time "
        + (f"to {guess}." if guess else "to periods in the table or to *."),
        guess)]


def _frequency(codes: Iterable[str]) -> str | None:
    from evaluation.data.panel import period_frequency
    from evaluation.sources.scb import scb_period

    found = set()
    for code in codes:
        try:
            found.add(period_frequency(scb_period(code)))
        except EvaluationError:
            return None
    return found.pop() if len(found) == 1 else None


def _check_scb(key: str, entry: Mapping[str, Any], source: _Scb, frequency: str,
               prefix: str = "") -> list[Problem]:
    from evaluation.sources import scb

    table = entry["table"]
    try:
        obj, url = source.metadata(table)
    except _Missing as missing:
        return [_problem(
            key, f"{prefix}table", table,
            f"SCB har ingen tabell '{table}' (metadata gav HTTP {missing.status}); sök tabellen "
            f"i SCB:s API ({source.base}/tables?query=<sökord>) och ändra table till dess id.",
            f"SCB has no table '{table}' (metadata answered HTTP {missing.status}); search for "
            f"the table in SCB's API ({source.base}/tables?query=<words>) and change table to "
            "its id.")]
    try:
        dims = scb.parse_metadata(obj)
    except EvaluationError as exc:
        return [_problem(key, f"{prefix}table", table,
                         f"metadata från {url}: {exc.sv}", f"metadata from {url}: {exc.en}")]
    out: list[Problem] = []
    names = list(dims)

    def fields(var: str) -> tuple[list[str], dict[str, str], str]:
        return dims[var]["codes"], dims[var]["labels"], dims[var]["label"]

    # The table's periods must have the spec's frequency.
    if TIME in dims:
        times = dims[TIME]["codes"]
        found = _frequency(times)
        if found and found != frequency and times:
            have_sv = "månader" if found == "monthly" else "år"
            have_en = "months" if found == "monthly" else "years"
            want_sv = "månadsvis" if frequency == "monthly" else "årsvis"
            out.append(_problem(
                key, f"{prefix}table", table,
                f"SCB:s tabell {table} har {have_sv} ({times[0]}–{times[-1]}), men "
                f"utvärderingen är {want_sv}; välj en tabell med "
                f"{'månader' if frequency == 'monthly' else 'år'} eller skriv insatsens start som "
                f"{'ÅÅÅÅ-MM' if found == 'monthly' else 'ÅÅÅÅ'}.",
                f"SCB's table {table} has {have_en} ({times[0]}–{times[-1]}), but the evaluation "
                f"is {frequency}; choose a table with "
                f"{'months' if frequency == 'monthly' else 'years'} or write the intervention as "
                f"{'YYYY-MM' if found == 'monthly' else 'YYYY'}."))
        if entry.get("time"):
            out.extend(_time_problems(key, f"{prefix}time", table, entry["time"], times))

    # ContentsCode
    contents = entry["contents"]
    if CONTENTS in dims:
        codes, labels, _label = fields(CONTENTS)
        if contents not in codes:
            guess = _suggest(contents, codes, labels)
            fix_sv = f"ändra till {guess}." if guess else "ändra till en av dem."
            fix_en = f"change it to {guess}." if guess else "change it to one of them."
            out.append(_problem(
                key, f"{prefix}contents", contents,
                f"SCB:s tabell {table} har ingen ContentsCode '{contents}'; giltiga är "
                f"{_listing(codes, labels, 'sv')} – {fix_sv}",
                f"SCB's table {table} has no ContentsCode '{contents}'; valid ones are "
                f"{_listing(codes, labels, 'en')} – {fix_en}",
                guess))

    # filters: the variable exists, and its value is one of its codes
    filters = dict(entry.get("filters") or {})
    for var, code in filters.items():
        if var not in dims:
            guess = _suggest(var, names, {n: dims[n]["label"] for n in names})
            out.append(_problem(
                key, f"{prefix}filters.{var}", var,
                f"SCB:s tabell {table} har ingen variabel '{var}'; variablerna är "
                f"{', '.join(names)}"
                + (f" – ändra till {guess}." if guess else " – ändra till en av dem."),
                f"SCB's table {table} has no variable '{var}'; its variables are "
                f"{', '.join(names)}"
                + (f" – change it to {guess}." if guess else " – change it to one of them."),
                guess))
            continue
        codes, labels, label = fields(var)
        if str(code) not in codes:
            guess = _suggest(code, codes, labels)
            out.append(_problem(
                key, f"{prefix}filters.{var}", code,
                f"variabeln {var} ({label}) i SCB:s tabell {table} har ingen kod '{code}'; "
                f"giltiga är {_listing(codes, labels, 'sv')}"
                + (f" – ändra till {guess}." if guess else " – ändra till en av dem."),
                f"the variable {var} ({label}) in SCB's table {table} has no code '{code}'; "
                f"valid ones are {_listing(codes, labels, 'en')}"
                + (f" – change it to {guess}." if guess else " – change it to one of them."),
                guess))

    # variables SCB requires a selection for
    for var in names:
        if var in (REGION, CONTENTS, TIME) or var in filters or dims[var]["elimination"]:
            continue
        codes, labels, label = fields(var)
        total = next((c for c in codes if _norm(labels.get(c, "")).startswith("totalt")), None)
        guess = total or (codes[0] if len(codes) == 1 else None)
        example = guess or (codes[0] if codes else "…")
        out.append(_problem(
            key, f"{prefix}filters.{var}", None,
            f"SCB:s tabell {table} kräver ett val för variabeln {var} ({label}), som saknas "
            f"under filters; lägg till {'' if guess else 't.ex. '}{var}: \"{example}\" (koder: "
            f"{_listing(codes, labels, 'sv')}).",
            f"SCB's table {table} needs a choice for the variable {var} ({label}), which is "
            f"missing under filters; add {'' if guess else 'e.g. '}{var}: \"{example}\" (codes: "
            f"{_listing(codes, labels, 'en')}).",
            guess))

    # region and codelist
    if REGION not in dims:
        out.append(_problem(
            key, f"{prefix}table", table,
            f"SCB:s tabell {table} har ingen variabel Region, som verktyget väljer kommunerna "
            f"med (variablerna är {', '.join(names)}); välj en tabell per region.",
            f"SCB's table {table} has no variable Region, which the tool selects the units with "
            f"(its variables are {', '.join(names)}); choose a table by region."))
        return out
    codes, labels, _label = fields(REGION)
    codelist = entry.get("codelist")
    listed = [c for c in dims[REGION]["codelists"] if c]
    codelist_ok = True
    if codelist and codelist not in listed:
        codelist_ok = False
        guess = _suggest(codelist, listed) if listed else None
        if listed:
            sv = (f"variabeln Region i SCB:s tabell {table} har ingen kodlista '{codelist}'; "
                  f"kodlistorna är {', '.join(listed)}"
                  + (f" – ändra till {guess}." if guess else " – ändra till en av dem."))
            en = (f"the variable Region in SCB's table {table} has no codelist '{codelist}'; "
                  f"its codelists are {', '.join(listed)}"
                  + (f" – change it to {guess}." if guess else " – change it to one of them."))
        else:
            sv = (f"variabeln Region i SCB:s tabell {table} har inga kodlistor; ta bort "
                  f"codelist '{codelist}'.")
            en = (f"the variable Region in SCB's table {table} has no codelists; remove "
                  f"codelist '{codelist}'.")
        out.append(_problem(key, f"{prefix}codelist", codelist, sv, en, guess))
    region = entry.get("region", "*")
    if region != "*" and region:
        valid: list[str] | None = codes
        if codelist and codelist_ok:
            from_list = source.codelist(codelist)
            if from_list is not None:
                valid = from_list
            elif not str(codelist).startswith("vs_"):
                valid = None  # an aggregation has its own codes; SCB's answer will tell
        if valid is not None:
            within_sv = f" i kodlistan {codelist}" if codelist and codelist_ok else ""
            within_en = f" in the codelist {codelist}" if codelist and codelist_ok else ""
            for code in region:
                if code in valid:
                    continue
                if valid is not codes and code in codes:
                    out.append(_problem(
                        key, f"{prefix}region", code,
                        f"'{code}' ({labels.get(code, code)}) finns i SCB:s tabell {table} men "
                        f"inte i kodlistan {codelist}; ta bort '{code}' ur region eller ta bort "
                        "codelist.",
                        f"'{code}' ({labels.get(code, code)}) is in SCB's table {table} but not "
                        f"in the codelist {codelist}; remove '{code}' from region or remove "
                        "codelist."))
                    continue
                guess = _suggest(code, valid, unique=True, cutoff=0.75)
                name = labels.get(guess or "", "")
                out.append(_problem(
                    key, f"{prefix}region", code,
                    f"SCB:s tabell {table} har ingen region '{code}'{within_sv}"
                    + (f"; ändra till {guess} ({name})." if guess else
                       "; ändra till en kod som finns i "
                       f"{'kodlistan' if within_sv else 'tabellen'} (kommun fyra siffror, län "
                       "två, riket 00)."),
                    f"SCB's table {table} has no region '{code}'{within_en}"
                    + (f"; change it to {guess} ({name})." if guess else
                       f"; change it to a code in the {'codelist' if within_en else 'table'}"
                       " (kommun four digits, county two, riket 00)."),
                    guess))
    if entry.get("before") and not prefix:
        out.extend(_check_scb(key, entry["before"], source, frequency, prefix="before."))
    return out


# --------------------------------------------------------------------------- file checks
def _check_file(key: str, entry: Mapping[str, Any], frequency: str) -> list[Problem]:
    from evaluation.data.panel import period_frequency
    from evaluation.sources.collect import _pick_measure
    from evaluation.sources.importer import import_file, load_mapping

    try:
        mapping = load_mapping(entry["mapping"])
    except EvaluationError as exc:
        return [_problem(key, "mapping", entry["mapping"], exc.sv, exc.en)]
    pattern = entry["path"]
    files = sorted(Path(p) for p in glob.glob(pattern) if Path(p).is_file())
    if not files:
        # Where the file comes from: the mapping's download instructions, else its source.
        download, origin = mapping.get("download"), mapping.get("source") or mapping.get("name")
        from_sv = (f" (hämtas från: {download})" if download else
                   f" från {origin}" if origin else "")
        from_en = (f" (it comes from: {download})" if download else
                   f" from {origin}" if origin else "")
        folder, name = Path(pattern).parent, Path(pattern).name
        return [_problem(
            key, "path", pattern,
            f"ingen fil matchar {pattern}; spara filen{from_sv} i {folder} med ett namn som "
            f"matchar '{name}', eller rätta path.",
            f"no file matches {pattern}; save the file{from_en} in {folder} under a name "
            f"matching '{name}', or correct path.")]
    out: list[Problem] = []
    for path in files:
        try:
            panel = import_file(path, mapping)
            panel = _pick_measure(panel, key, entry, str(path))
        except EvaluationError as exc:
            out.append(_problem(key, "path", str(path), exc.sv, exc.en))
            continue
        periods = sorted(set(panel["period"].astype(str)))
        wrong = [p for p in periods if period_frequency(p) != frequency]
        if wrong:
            want_sv = "månadsvis" if frequency == "monthly" else "årsvis"
            out.append(_problem(
                key, "path", str(path),
                f"{path.name} ger perioder som {wrong[0]}, men utvärderingen är {want_sv}; välj "
                "en fil med samma periodicitet som insatsens start eller ändra insatsens start.",
                f"{path.name} gives periods such as {wrong[0]}, but the evaluation is "
                f"{frequency}; choose a file with the intervention's frequency or change the "
                "intervention."))
    return out


# --------------------------------------------------------------------------- entry point
def _group_checks(spec: Any) -> list[tuple[str, str, str]]:
    """(owner, group, pool) for the spec's named Kolada groups."""
    checks = []
    donors = getattr(spec, "donors", None) or {}
    if isinstance(donors, Mapping) and donors.get("group") and donors.get("pool") in (
            "kommungrupp", "liknande"):
        checks.append(("donors", str(donors["group"]).strip(), str(donors["pool"])))
    comparison = getattr(spec, "comparison_group", None)
    if isinstance(comparison, Mapping):
        group, pool = comparison.get("group"), comparison.get("pool")
    else:
        group, pool = comparison, None
    if isinstance(group, str) and group.strip():
        checks.append(("comparison_group", group.strip(),
                       "liknande" if pool == "liknande" else "kommungrupp"))
    return checks


def _comparison_members(spec: Any) -> list[str]:
    """The kommun codes of ``comparison_group.members`` (when the spec has them)."""
    comparison = getattr(spec, "comparison_group", None)
    members = comparison.get("members") if isinstance(comparison, Mapping) else None
    if isinstance(members, str):
        members = [members]
    return [str(m).strip() for m in members or [] if str(m).strip()]


def _check_members(codes: list[str], source: _Kolada) -> list[Problem]:
    from evaluation.sources.kolada import from_unit

    known = source.municipalities()
    out = []
    for code in codes:
        if from_unit(code) in known:
            continue
        out.append(_problem(
            "comparison_group", "members", code,
            f"Koladas kommunlista har ingen kommun med koden '{code}'; ändra till kommunens "
            "kod med fyra siffror (t.ex. \"1984\" för Arboga).",
            f"Kolada's municipality list has no kommun with the code '{code}'; change it to the "
            "kommun's four-digit code (e.g. \"1984\" for Arboga).", kind="spec"))
    return out


def _unreachable(name: str, base: str, error: _Unreachable, what: list[str]) -> Problem:
    return Problem(
        name, "connection", base,
        f"Kunde inte nå {name} ({base}; {error.sv}), så {_and(what, 'sv')} är inte "
        f"{'kontrollerad' if len(what) == 1 else 'kontrollerade'} – försök igen senare.",
        f"Could not reach {name} ({base}; {error.en}), so {_and(what, 'en')} "
        f"{'is' if len(what) == 1 else 'are'} unchecked – try again later.",
        kind="connection")


def verify(spec: Any, *, kolada_url: str | None = None, scb_url: str | None = None,
           fetch_json: Callable[..., Any] | None = None) -> list[Problem]:
    """Check every source code of ``spec`` against the sources' metadata.

    Parameters
    ----------
    spec
        A :class:`evaluation.spec.Spec` (or the path of a spec file).
    kolada_url, scb_url
        API roots; default the environment variables of :mod:`evaluation.sources.collect`,
        else the public APIs.
    fetch_json
        The JSON fetcher (default :func:`evaluation.sources.http.fetch_json` with
        :data:`RETRIES` retries); tests pass one with short timeouts.

    Returns
    -------
    list of Problem
        Connection problems first (one per unreachable source), then the entries' problems
        in the order of ``sources:``, then the groups'. Empty when everything matches.

    Raises
    ------
    SpecError
        Only when ``spec`` is a path to an invalid spec.
    """
    from evaluation.sources import collect, kolada, scb
    from evaluation.sources.http import fetch_json as default_fetch_json

    if isinstance(spec, (str, Path)):
        from evaluation.spec import load_spec

        spec = load_spec(spec)
    fetch = fetch_json or partial(default_fetch_json, retries=RETRIES)
    kolada_base = (kolada_url or os.environ.get(collect.KOLADA_URL_VARIABLE)
                   or kolada.BASE_URL)
    scb_base = scb_url or os.environ.get(collect.SCB_URL_VARIABLE) or scb.DEFAULT_BASE_URL
    sources = dict(getattr(spec, "sources", None) or {})
    frequency = getattr(spec, "frequency", "monthly")
    entries = {m: collect.resolved_entry(spec, m) for m in sources}
    per: dict[str, list[Problem]] = {m: [] for m in entries}
    connection: list[Problem] = []
    groups: list[Problem] = []

    kolada_keys = [m for m, e in entries.items() if e["source"] == "kolada"]
    group_checks = _group_checks(spec)
    members = _comparison_members(spec)
    if kolada_keys or group_checks or members:
        source = _Kolada(kolada_base, fetch)
        done: list[str] = []
        todo = ([f"sources.{m}" for m in kolada_keys]
                + [f"{o}.group" for o, _g, _p in group_checks]
                + (["comparison_group.members"] if members else []))
        try:
            for m in kolada_keys:
                per[m].extend(_check_kolada(m, entries[m], source))
                done.append(f"sources.{m}")
            for owner, group, pool in group_checks:
                groups.extend(_check_group(owner, group, pool, str(spec.treated), source))
                done.append(f"{owner}.group")
            if members:
                groups.extend(_check_members(members, source))
                done.append("comparison_group.members")
        except _Unreachable as error:
            connection.append(_unreachable("Kolada", kolada_base, error,
                                           [t for t in todo if t not in done]))

    scb_keys = [m for m, e in entries.items() if e["source"] == "scb"]
    if scb_keys:
        source_scb = _Scb(scb_base, fetch)
        for i, m in enumerate(scb_keys):
            try:
                per[m].extend(_check_scb(m, entries[m], source_scb, frequency))
            except _Unreachable as error:
                connection.append(_unreachable("SCB", scb_base, error,
                                               [f"sources.{k}" for k in scb_keys[i:]]))
                break

    for m, entry in entries.items():
        if entry["source"] == "file":
            per[m].extend(_check_file(m, entry, frequency))
    return connection + [p for m in entries for p in per[m]] + groups


def verify_report(problems: Sequence[Problem], language: str = "sv") -> str:
    """Lines for the command line: one per problem, or "Allt stämmer: …" when none."""
    if not problems:
        if language == "en":
            return ("Everything matches: every KPI id, table, code, group and file in the spec "
                    "exists at its source.")
        return ("Allt stämmer: varje KPI-id, tabell, kod, grupp och fil i specifikationen finns "
                "hos källan.")
    n = len(problems)
    if language == "en":
        head = f"{n} problem{'s' if n > 1 else ''} found, one per line with what to do:"
    else:
        head = f"{n} problem hittades, ett per rad med vad du ska göra:"
    return "\n".join([head] + [f"- {p.text(language)}" for p in problems])
