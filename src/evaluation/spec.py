"""The evaluation spec: a YAML file an evaluator can copy and edit.

Specs are read node by node (``yaml.compose``) so that every scalar keeps the text the user
typed — ``treated: 0114`` stays the string ``"0114"`` instead of YAML's integer 76 — and every
error can name the line it comes from.

Keys (documented in the README and in ``notebooks/params/exempelstad.yaml``):

``evaluation_id``  short name used for the report folder (letters, digits, ``-``, ``_``).
``title``          optional human title of the evaluation.
``data``           ``demo`` or a path to a CSV/parquet file in the long panel format.
``frequency``      ``monthly`` or ``yearly`` (the demo has both; a file's own periods decide).
``treated``        unit code (``"1987"``) or a kommun name that resolves uniquely.
``intervention``   first period of the change (``YYYY-MM`` or ``YYYY``).
``outcomes``       list of measure names.
``comparison``     ``riket``, ``lan`` or a list of unit codes.
``compare_periods`` two periods for the decomposition (default: the month before the intervention
                   and the end of the first 12 months; yearly: the year before the intervention
                   and the intervention year, the first treated year).
``compare_window`` periods averaged at each end of the decomposition (default 12 for monthly
                   data: the year before against the first year; 1 for yearly data).
``post_end``       last period of the post window (default: last period in the data).
``language``       ``sv`` (default) or ``en``.
``seed``           integer seed for every random draw.
``sources``        where each outcome comes from, instead of ``data`` (see
                   :mod:`evaluation.sources.config`): the panel is fetched and built by
                   ``evaluation fetch`` / ``evaluation update`` into
                   ``data/processed/<evaluation_id>/``.
``donors``         the comparison units of the synthetic-control and difference-in-differences
                   designs (see :func:`validate_donors`): ``pool`` (``all``, ``kommungrupp``,
                   ``liknande`` or ``list``), ``group``, ``units``, ``exclude_same_county``,
                   ``exclude`` and ``similar_reforms``; ``exclude`` and ``similar_reforms``
                   also leave the national comparison series and the decomposition's reference
                   kommuner.
``designs``        which designs to run (default: every design the tool has, see
                   :mod:`evaluation.designs.registry`), e.g. ``[its, decomposition]``.
``primary_outcome``, ``primary_design``  the analysis plan's main outcome (default: the first
                   of ``outcomes``) and main design (default ``its``): the verdict's lead.
``smallest_relevant_effect``  the smallest effect that would matter, per outcome
                   (``{unemployment_rate: 0.5, households_assistance: 0.10}``; a single number
                   applies to the primary outcome): percentage points for rates, a share of
                   the counterfactual for counts (0.10 = 10 %), the outcome's unit for levels.
                   It tells "ingen påvisbar effekt" from "data räcker inte". These keys, the
                   post window and the designs form the analysis plan (:mod:`evaluation.plan`).
``intervention_variants``  other dates the change could be said to start, for the sensitivity
                   grid (``{beslut: 2021-11, tillkännagivande: 2022-01}``).
``comparison_group``  a descriptive comparison with a group of kommuner, e.g. the Sjuhärad
                   kommuner (see :func:`evaluation.peers.validate_comparison_group`):
                   ``{group: G116237, measures: [...], years: [2017, 2024]}``.
``target``         a target to follow up (see :func:`evaluation.target.validate_target`):
                   ``{measure, baseline: {period, value}, goal: {period, value}, interim: [...]}``;
                   ``from_share: {share: <measure>, adults: <measure>}`` turns a share of the
                   adults (Kolada's N31816) into a count.
``outcome_kinds``  what an outcome is, when neither the shipped measure list nor the data say
                   it (see :func:`validate_outcome_kinds`): ``{gdp_per_capita: {kind: level,
                   unit_sv: "USD per invånare", unit_en: "USD per inhabitant"}}``.
``pooled``         the kommuner that made the same change (see :func:`validate_pooled` and
                   :mod:`evaluation.pooled`): ``{flag: <CSV with unit, year, flag> | demo}`` or
                   ``{adopters: {"0114": 2019, …}}``, with ``control`` (``notyet``/``never``)
                   and ``method``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evaluation.data.panel import KINDS, period_frequency, shift_period
from evaluation.errors import EvaluationError, SpecError, field_error, field_where
from evaluation.peers import validate_comparison_group
from evaluation.sources.config import validate_sources
from evaluation.windows import COMPARE_WINDOW, default_compare_periods

DEFAULT_OUTCOMES = ("unemployment_rate", "households_assistance")
LANGUAGES = ("sv", "en")
FREQUENCIES = ("monthly", "yearly")
KEYS = (
    "evaluation_id", "title", "data", "frequency", "treated", "intervention", "outcomes",
    "comparison", "compare_periods", "compare_window", "post_end", "language", "seed", "donors",
    "sources", "outcome_kinds", "designs", "primary_outcome", "primary_design",
    "smallest_relevant_effect", "intervention_variants", "cost", "comparison_group", "target",
    "pooled",
)
#: Keys of one ``outcome_kinds`` entry (``kind`` is required).
OUTCOME_KIND_KEYS = ("kind", "unit_sv", "unit_en", "label_sv", "label_en")
REQUIRED = ("evaluation_id", "treated", "intervention")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

#: Donor pool kinds and the keys of ``donors`` with their defaults.
DONOR_POOLS = ("all", "kommungrupp", "liknande", "list")
DONOR_DEFAULTS: dict[str, Any] = {
    "pool": "all",
    "group": None,
    "units": [],
    "exclude_same_county": False,
    "exclude": [],
    "similar_reforms": [],
}
_TRUE = ("true", "yes", "on", "ja")
_FALSE = ("false", "no", "off", "nej")


@dataclass
class Spec:
    """A validated evaluation spec (values as papermill parameters take them)."""

    evaluation_id: str
    data: str
    treated: str
    intervention: str
    outcomes: list[str] = field(default_factory=lambda: list(DEFAULT_OUTCOMES))
    comparison: str | list[str] = "riket"
    compare_periods: list[str] = field(default_factory=list)
    compare_window: int = 1
    post_end: str | None = None
    language: str = "sv"
    seed: int = 1
    frequency: str = "monthly"
    title: str = ""
    donors: dict[str, Any] = field(default_factory=lambda: default_donors())
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    outcome_kinds: dict[str, dict[str, str]] = field(default_factory=dict)
    designs: list[str] | None = None
    primary_outcome: str | None = None
    primary_design: str | None = None
    smallest_relevant_effect: dict[str, float] = field(default_factory=dict)
    intervention_variants: dict[str, str] = field(default_factory=dict)
    cost: dict[str, Any] = field(default_factory=dict)
    comparison_group: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    pooled: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    lines: dict[str, int] = field(default_factory=dict, repr=False)

    def parameters(self) -> dict[str, Any]:
        """The notebook parameters (typed literals), without bookkeeping fields."""
        values = asdict(self)
        values.pop("path")
        values.pop("lines")
        return values

    def line(self, key: str) -> int | None:
        return self.lines.get(key)

    @property
    def base_dir(self) -> Path:
        return Path(self.path).parent if self.path else Path.cwd()


where = field_where
spec_error = field_error


# --------------------------------------------------------------------------- loading
def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file (structure and values; data checks are in ``checks``)."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(
            f"Specifikationen {path} finns inte: ange sökvägen till en YAML-fil, "
            "t.ex. notebooks/params/exempelstad.yaml.",
            f"The spec {path} does not exist: give the path to a YAML file, "
            "e.g. notebooks/params/exempelstad.yaml.",
        )
    return parse_spec(read_text(path), path=str(path.resolve()))


def read_text(path: Path) -> str:
    """A spec's text: UTF-8 (with or without BOM), else Windows' cp1252 (a spec saved in
    Notepad or Excel on a Swedish Windows), which covers å, ä and ö."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_spec(text: str, *, path: str | None = None) -> Spec:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" på rad {mark.line + 1}" if mark else ""
        line_en = f" on line {mark.line + 1}" if mark else ""
        name = f" {path}" if path else ""
        raise SpecError(
            f"Specifikationen{name} är inte giltig YAML{line}: kontrollera indrag och kolon.",
            f"The spec{name} is not valid YAML{line_en}: check indentation and colons.",
        ) from exc
    if not isinstance(root, yaml.MappingNode):
        raise SpecError(
            "Specifikationen ska vara en lista av nycklar och värden (nyckel: värde), "
            "se notebooks/params/exempelstad.yaml.",
            "The spec must be a mapping of keys to values (key: value), "
            "see notebooks/params/exempelstad.yaml.",
        )
    raw: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        if key in raw:
            raise spec_error(key, line, "förekommer två gånger: behåll en av dem.",
                             "appears twice: keep one of them.")
        if key not in KEYS:
            raise spec_error(
                key, line,
                f"är okänt: tillåtna fält är {', '.join(KEYS)}; kontrollera stavningen.",
                f"is unknown: allowed fields are {', '.join(KEYS)}; check the spelling.",
            )
        raw[key] = _node_value(value_node, key=key, budget=[MAX_NODES], active=set())
        lines[key] = line
        if isinstance(value_node, yaml.MappingNode):
            lines.update(_sub_lines(key, value_node))
    return validate_values(raw, lines=lines, path=path)


def _sub_lines(key: str, node: yaml.MappingNode) -> dict[str, int]:
    """Lines of the sub-keys of a mapping (``"donors.pool"`` -> 7); repeated sub-keys fail."""
    lines: dict[str, int] = {}
    for sub_node, _value in node.value:
        name = f"{key}.{sub_node.value}"
        line = sub_node.start_mark.line + 1
        if name in lines:
            raise spec_error(name, line, "förekommer två gånger: behåll en av dem.",
                             "appears twice: keep one of them.")
        lines[name] = line
    return lines


#: At most this many YAML nodes are read from one top-level key: aliases (``&a``/``*a``) can
#: make a short file expand exponentially ("billion laughs") or refer to themselves.
MAX_NODES = 10_000


def _node_value(node: yaml.Node, *, key: str = "", budget: list[int] | None = None,
                active: set[int] | None = None) -> Any:
    """Plain values from a YAML node, scalars kept as the typed text (null becomes None).

    A node that contains itself (a self-referring alias) or a value that expands to more than
    :data:`MAX_NODES` nodes is a :class:`SpecError` naming the key, not a recursion.
    """
    budget = [MAX_NODES] if budget is None else budget
    active = set() if active is None else active
    budget[0] -= 1
    if budget[0] < 0 or id(node) in active:
        line = node.start_mark.line + 1 if node.start_mark else None
        raise spec_error(key or "?", line,
                         "refererar till sig själv eller växer för mycket genom YAML-alias "
                         "(&namn/*namn): skriv ut värdet utan alias.",
                         "refers to itself or grows too large through YAML aliases "
                         "(&name/*name): write the value out without aliases.")
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null") or (node.style is None and node.value in ("", "~", "null")):
            return None
        return node.value
    active.add(id(node))
    try:
        if isinstance(node, yaml.SequenceNode):
            return [_node_value(v, key=key, budget=budget, active=active) for v in node.value]
        return {str(k.value): _node_value(v, key=key, budget=budget, active=active)
                for k, v in node.value}
    finally:
        active.discard(id(node))


def validate_values(raw: dict[str, Any], *, lines: dict[str, int] | None = None,
                    path: str | None = None) -> Spec:
    """Validate spec values (strings as typed) and return a :class:`Spec`."""
    lines = lines or {}
    ln = lines.get
    for key in REQUIRED:
        if raw.get(key) in (None, ""):
            raise SpecError(
                f"Fältet '{key}' saknas: lägg till raden '{key}: …' (se exempelstad.yaml).",
                f"The field '{key}' is missing: add the line '{key}: …' (see exempelstad.yaml).",
            )
    evaluation_id = _scalar(raw, "evaluation_id", ln)
    if not _ID.match(evaluation_id):
        raise spec_error("evaluation_id", ln("evaluation_id"),
                         "får bara innehålla bokstäver a–z, siffror, '-' och '_'.",
                         "may only contain letters a–z, digits, '-' and '_'.")
    language = _scalar(raw, "language", ln, default="sv")
    if language not in LANGUAGES:
        raise spec_error("language", ln("language"), "ska vara sv eller en.", "must be sv or en.")
    intervention = _period(raw, "intervention", ln)
    frequency = period_frequency(intervention)
    if raw.get("frequency") is not None:
        declared = _scalar(raw, "frequency", ln)
        if declared not in FREQUENCIES:
            raise spec_error("frequency", ln("frequency"), "ska vara monthly eller yearly.",
                             "must be monthly or yearly.")
        if declared != frequency:
            raise spec_error(
                "intervention", ln("intervention"),
                f"'{intervention}' passar inte frequency: {declared}; skriv ÅÅÅÅ-MM för "
                "månadsdata och ÅÅÅÅ för årsdata.",
                f"'{intervention}' does not match frequency: {declared}; write YYYY-MM for "
                "monthly and YYYY for yearly data.",
            )
    sources = validate_sources(raw.get("sources"), lines, frequency)
    data = raw.get("data")
    if sources and data not in (None, ""):
        raise spec_error("data", ln("data"),
                         "och 'sources' anges båda: med sources byggs data från källorna, så ta "
                         "bort raden data.",
                         "and 'sources' are both given: with sources the data are built from the "
                         "sources, so remove the line data.")
    if not sources and data in (None, ""):
        raise SpecError(
            "Fältet 'data' saknas: lägg till raden 'data: …' (demo eller en fil), eller ett "
            "block 'sources:' (se exempelstad.yaml och README).",
            "The field 'data' is missing: add the line 'data: …' (demo or a file), or a "
            "'sources:' block (see exempelstad.yaml and the README).",
        )
    default_outcomes = ([m for m in sources if m != "population"] or list(sources)
                        if sources else list(DEFAULT_OUTCOMES))
    outcomes = raw.get("outcomes", default_outcomes)
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if not isinstance(outcomes, list) or not outcomes or not all(
            isinstance(o, str) for o in outcomes):
        raise spec_error("outcomes", ln("outcomes"), "ska vara en lista med måttnamn, t.ex. "
                         "[unemployment_rate, households_assistance].",
                         "must be a list of measure names, e.g. "
                         "[unemployment_rate, households_assistance].")
    unsourced = [o for o in outcomes if sources and o not in sources]
    if unsourced:
        raise spec_error("outcomes", ln("outcomes"),
                         f"nämner {', '.join(unsourced)}, som saknas under sources: lägg till "
                         "en källa för varje utfall.",
                         f"names {', '.join(unsourced)}, which is missing under sources: add a "
                         "source for every outcome.")
    comparison = raw.get("comparison", "riket")
    if isinstance(comparison, list):
        comparison = [str(c) for c in comparison]
        if not comparison:
            raise spec_error("comparison", ln("comparison"), "är en tom lista: ange minst en "
                             "enhetskod, eller riket eller lan.",
                             "is an empty list: give at least one unit code, or riket or lan.")
    elif comparison not in ("riket", "lan"):
        raise spec_error("comparison", ln("comparison"),
                         f"har värdet '{comparison}': använd riket, lan eller en lista med koder.",
                         f"has the value '{comparison}': use riket, lan or a list of codes.")
    window_text = raw.get("compare_window", str(COMPARE_WINDOW[frequency]))
    try:
        compare_window = int(str(window_text))
    except ValueError:
        compare_window = 0
    if compare_window < 1:
        raise spec_error("compare_window", ln("compare_window"),
                         f"ska vara ett heltal ≥ 1 (antal perioder), inte '{window_text}'.",
                         f"must be a whole number ≥ 1 (periods), not '{window_text}'.")
    compare_periods = raw.get("compare_periods")
    if compare_periods is None:
        compare_periods = default_compare_periods(intervention, compare_window)
    if not (isinstance(compare_periods, list) and len(compare_periods) == 2):
        raise spec_error("compare_periods", ln("compare_periods"),
                         "ska vara två perioder, t.ex. [2022-04, 2023-04].",
                         "must be two periods, e.g. [2022-04, 2023-04].")
    for p in compare_periods:
        _check_period(str(p), "compare_periods", ln, frequency)
    if compare_periods[0] >= compare_periods[1]:
        raise spec_error("compare_periods", ln("compare_periods"),
                         "ska ha den tidigare perioden först.",
                         "must list the earlier period first.")
    if shift_period(str(compare_periods[0]), compare_window) > str(compare_periods[1]):
        raise spec_error("compare_periods", ln("compare_periods"),
                         f"ligger närmare varandra än compare_window ({compare_window} perioder), "
                         "så medelvärdesfönstren överlappar: välj perioder längre isär eller ett "
                         "kortare compare_window.",
                         f"are closer than compare_window ({compare_window} periods), so the "
                         "averaging windows overlap: choose periods further apart or a shorter "
                         "compare_window.")
    post_end = raw.get("post_end")
    if post_end is not None:
        post_end = _check_period(str(post_end), "post_end", ln, frequency)
        if post_end < intervention:
            raise spec_error("post_end", ln("post_end"),
                             f"({post_end}) ligger före insatsens start ({intervention}): "
                             "ange en senare period eller ta bort raden.",
                             f"({post_end}) is before the intervention ({intervention}): "
                             "give a later period or remove the line.")
    seed_text = raw.get("seed", "1")
    try:
        seed = int(str(seed_text))
    except ValueError:
        raise spec_error("seed", ln("seed"), f"ska vara ett heltal, inte '{seed_text}'.",
                         f"must be an integer, not '{seed_text}'.") from None
    return Spec(
        evaluation_id=evaluation_id,
        data=_scalar(raw, "data", ln, default=""),
        treated=_scalar(raw, "treated", ln),
        intervention=intervention,
        outcomes=list(outcomes),
        comparison=comparison,
        compare_periods=[str(p) for p in compare_periods],
        compare_window=compare_window,
        post_end=post_end,
        language=language,
        seed=seed,
        frequency=frequency,
        title=_scalar(raw, "title", ln, default=""),
        donors=validate_donors(raw.get("donors"), lines),
        sources=sources,
        # measures fetched under sources (for the comparison group or the target) may be
        # declared too
        outcome_kinds=validate_outcome_kinds(
            raw.get("outcome_kinds"),
            list(dict.fromkeys([*outcomes, *(raw.get("sources") or {})])), lines),
        designs=validate_designs(raw.get("designs"), ln("designs")),
        **validate_primary(raw, list(outcomes), ln),
        intervention_variants=_intervention_variants(raw.get("intervention_variants"), ln,
                                                     frequency),
        cost=validate_cost(raw.get("cost"), list(outcomes), ln("cost")),
        comparison_group=validate_comparison_group(raw.get("comparison_group"),
                                                   ln("comparison_group")),
        target=_validate_target(raw.get("target"), ln("target")),
        pooled=validate_pooled(raw.get("pooled"), lines),
        path=path,
        lines=dict(lines),
    )


def _scalar(raw: dict[str, Any], key: str, ln, default: str | None = None) -> str:
    value = raw.get(key, default)
    if value is None:
        value = default
    if isinstance(value, (list, dict)):
        raise spec_error(key, ln(key), "ska vara ett enkelt värde, inte en lista.",
                         "must be a single value, not a list.")
    return str(value).strip()


def _period(raw: dict[str, Any], key: str, ln) -> str:
    value = _scalar(raw, key, ln)
    try:
        period_frequency(value)
    except EvaluationError:
        raise spec_error(key, ln(key), f"har värdet '{value}': skriv ÅÅÅÅ-MM (t.ex. 2022-04) "
                         "för månadsdata eller ÅÅÅÅ för årsdata.",
                         f"has the value '{value}': write YYYY-MM (e.g. 2022-04) for monthly "
                         "or YYYY for yearly data.") from None
    return value


def _check_period(value: str, key: str, ln, frequency: str) -> str:
    try:
        ok = period_frequency(value) == frequency
    except EvaluationError:
        ok = False
    if not ok:
        fmt_sv, fmt_en = ("ÅÅÅÅ-MM", "YYYY-MM") if frequency == "monthly" else ("ÅÅÅÅ", "YYYY")
        raise spec_error(key, ln(key), f"har värdet '{value}': skriv perioden som {fmt_sv} "
                         "som insatsens startdatum.",
                         f"has the value '{value}': write the period as {fmt_en} like the "
                         "intervention.")
    return value


# --------------------------------------------------------------------------- outcome kinds
def validate_designs(value: Any, line: int | None = None,
                     key: str = "designs") -> list[str] | None:
    """The spec's ``designs:`` list (known design names, no repeats), or None for the default.

    Raises
    ------
    SpecError
        Not a list of names, an unknown name (the message lists the known ones), or empty.
    """
    if value is None:
        return None
    from evaluation.designs.registry import names

    known = names()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise spec_error(key, line,
                         f"ska vara en lista med metodnamn, t.ex. [its, decomposition]; "
                         f"möjliga: {', '.join(known)}.",
                         f"must be a list of design names, e.g. [its, decomposition]; "
                         f"possible: {', '.join(known)}.")
    unknown = [v for v in value if v not in known]
    if unknown:
        raise spec_error(key, line,
                         f"nämner {', '.join(repr(u) for u in unknown)}, som inte finns: välj "
                         f"bland {', '.join(known)}.",
                         f"names {', '.join(repr(u) for u in unknown)}, which does not exist: "
                         f"choose among {', '.join(known)}.")
    return list(dict.fromkeys(value))


def settings_key(spec: Spec) -> str:
    """Six hex digits of the SHA-256 of every setting that changes a report (all the notebook
    parameters): reports of one data vintage under other settings get other folders, so a
    differently configured run never overwrites a report."""
    import hashlib
    import json

    values = spec.parameters()
    if not values.get("pooled"):  # without a pooled block the keys stay as they were
        values.pop("pooled", None)
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def _validate_target(value: Any, line: int | None) -> dict[str, Any]:
    """``target``: validated by :func:`evaluation.target.validate_target`; ``from_share`` (a
    share of the adults and the adult population, to count from) is checked here."""
    from evaluation.target import validate_target

    if value in (None, {}, ""):
        return {}
    if not isinstance(value, dict):
        raise spec_error("target", line, "ska vara ett block med measure, baseline och goal.",
                         "must be a block with measure, baseline and goal.")
    value = dict(value)
    share = value.pop("from_share", None)
    out = validate_target(value, line)
    if share not in (None, {}):
        if not (isinstance(share, dict) and set(share) == {"share", "adults"}):
            raise spec_error("target", line, "from_share ska ha share och adults, t.ex. "
                             "{share: long_term_share, adults: adults}.",
                             "from_share must have share and adults, e.g. {share: "
                             "long_term_share, adults: adults}.")
        out["from_share"] = {k: str(v) for k, v in share.items()}
    return out


def _intervention_variants(value: Any, ln: Any, frequency: str) -> dict[str, str]:
    """``intervention_variants``: other dates the change could be said to start (decision,
    announcement), ``{name: period}``, for the sensitivity grid."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise spec_error("intervention_variants", ln("intervention_variants"),
                         "ska vara namn och perioder, t.ex. {beslut: 2021-11, start: 2022-04}.",
                         "must be names and periods, e.g. {decision: 2021-11, start: 2022-04}.")
    return {str(name): _check_period(str(date), "intervention_variants", ln, frequency)
            for name, date in value.items()}


COST_KEYS = ("outcome", "kr_per_unit_month", "programme_cost_per_year")


def validate_cost(value: Any, outcomes: list[str], line: int | None = None) -> dict[str, Any]:
    """``cost``: what one unit-month of a count outcome costs (e.g. kronor per household-month
    of ekonomiskt bistånd) and the programme's yearly cost, ``{outcome: households_assistance,
    kr_per_unit_month: 9500, programme_cost_per_year: 2400000}``; empty: no cost."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict) or set(value) - set(COST_KEYS) or (
            "kr_per_unit_month" not in value):
        raise spec_error("cost", line,
                         "ska ha kr_per_unit_month (och gärna outcome och "
                         "programme_cost_per_year), t.ex. {outcome: households_assistance, "
                         "kr_per_unit_month: 9500, programme_cost_per_year: 2400000}.",
                         "must have kr_per_unit_month (and preferably outcome and "
                         "programme_cost_per_year), e.g. {outcome: households_assistance, "
                         "kr_per_unit_month: 9500, programme_cost_per_year: 2400000}.")
    out: dict[str, Any] = {"outcome": str(value.get("outcome") or outcomes[0])}
    if out["outcome"] not in outcomes:
        raise spec_error("cost", line, f"nämner '{out['outcome']}', som inte finns under "
                         "outcomes.", f"names '{out['outcome']}', which is not under outcomes.")
    for key in ("kr_per_unit_month", "programme_cost_per_year"):
        if value.get(key) is None:
            continue
        try:
            number = float(str(value[key]).replace(" ", "").replace("\u00a0", "")
                           .replace(",", "."))
        except ValueError:
            number = float("nan")
        if not (number >= 0 and number < float("inf")):
            raise spec_error("cost", line, f"{key} ska vara ett tal i kronor, inte "
                             f"'{value[key]}'.", f"{key} must be a number of kronor, not "
                             f"'{value[key]}'.")
        out[key] = number
    return out


def validate_primary(raw: dict[str, Any], outcomes: list[str], ln: Any) -> dict[str, Any]:
    """``primary_outcome``, ``primary_design`` and ``smallest_relevant_effect`` (see the module
    docstring); raises :class:`SpecError` naming the line and what is allowed."""
    out: dict[str, Any] = {"primary_outcome": None, "primary_design": None,
                           "smallest_relevant_effect": {}}
    value = raw.get("primary_outcome")
    if value is not None:
        value = str(value)
        if value not in outcomes:
            raise spec_error("primary_outcome", ln("primary_outcome"),
                             f"'{value}' finns inte under outcomes ({', '.join(outcomes)}).",
                             f"'{value}' is not under outcomes ({', '.join(outcomes)}).")
        out["primary_outcome"] = value
    value = raw.get("primary_design")
    if value is not None:
        out["primary_design"] = validate_designs([str(value)], ln("primary_design"),
                                                 "primary_design")[0]
        if raw.get("designs") is not None and out["primary_design"] not in (
                validate_designs(raw.get("designs"), ln("designs")) or []):
            raise spec_error("primary_design", ln("primary_design"),
                             f"'{value}' finns inte under designs: lägg till den där.",
                             f"'{value}' is not under designs: add it there.")
    value = raw.get("smallest_relevant_effect")
    if value is not None:
        primary = out["primary_outcome"] or outcomes[0]
        items = value if isinstance(value, dict) else {primary: value}
        effects = {}
        for name, number in items.items():
            if str(name) not in outcomes:
                raise spec_error("smallest_relevant_effect", ln("smallest_relevant_effect"),
                                 f"nämner '{name}', som inte finns under outcomes.",
                                 f"names '{name}', which is not under outcomes.")
            try:
                x = abs(float(str(number).replace(",", ".")))
            except ValueError:
                x = float("nan")
            if not (x > 0 and x < float("inf")):
                raise spec_error("smallest_relevant_effect", ln("smallest_relevant_effect"),
                                 f"ska vara ett positivt tal, inte '{number}' (t.ex. 0.5 "
                                 "procentenheter, eller 0.10 för 10 % av ett antal).",
                                 f"must be a positive number, not '{number}' (e.g. 0.5 "
                                 "percentage points, or 0.10 for 10 % of a count).")
            effects[str(name)] = x
        out["smallest_relevant_effect"] = effects
    return out


def validate_outcome_kinds(value: Any, outcomes: list[str],
                           lines: dict[str, int] | None = None) -> dict[str, dict[str, str]]:
    """Validate ``outcome_kinds`` and return it as ``{outcome: {kind, unit_sv, …}}``.

    Each entry names an outcome and what it is: ``kind`` (``rate``: a share in %, effects in
    procentenheter; ``count``: a number, per 1 000 inhabitants when the data have a population;
    ``level``: any other quantity, compared as it is) and, for counts and levels, the unit
    effects are given in (``unit_sv``, ``unit_en``; one is enough). ``label_sv``/``label_en``
    name the outcome in the report. ``gdp: level`` is short for ``gdp: {kind: level}``.

    Raises
    ------
    SpecError
        Not a block, an outcome not under ``outcomes``, an unknown sub-key or kind, a missing
        kind, a unit for a rate, or a value that is not text.
    """
    lines = lines or {}
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise spec_error("outcome_kinds", lines.get("outcome_kinds"),
                         "ska vara en grupp med ett utfall per rad, t.ex. 'gdp_per_capita: "
                         "{kind: level, unit_sv: \"USD per invånare\"}'.",
                         "must be a block with one outcome per line, e.g. 'gdp_per_capita: "
                         "{kind: level, unit_en: \"USD per inhabitant\"}'.")
    kinds = ", ".join(KINDS)
    out: dict[str, dict[str, str]] = {}
    for name, entry in value.items():
        key = f"outcome_kinds.{name}"
        line = lines.get(key, lines.get("outcome_kinds"))
        if name not in outcomes:
            raise spec_error(key, line,
                             f"nämner '{name}', som inte finns under outcomes (eller sources): "
                             "lägg till det där eller stava som i outcomes.",
                             f"names '{name}', which is not under outcomes (or sources): add "
                             "it there or spell it as in outcomes.")
        if isinstance(entry, str):
            entry = {"kind": entry}
        if not isinstance(entry, dict):
            raise spec_error(key, line, f"ska vara en typ ({kinds}) eller en grupp med kind och "
                             "unit_sv/unit_en.",
                             f"must be a kind ({kinds}) or a block with kind and unit_sv/unit_en.")
        unknown = [k for k in entry if k not in OUTCOME_KIND_KEYS]
        if unknown:
            raise spec_error(key, line, f"har det okända fältet '{unknown[0]}': tillåtna fält är "
                             f"{', '.join(OUTCOME_KIND_KEYS)}.",
                             f"has the unknown field '{unknown[0]}': allowed fields are "
                             f"{', '.join(OUTCOME_KIND_KEYS)}.")
        if any(isinstance(v, (list, dict)) for v in entry.values()):
            raise spec_error(key, line, "ska ha ett enkelt textvärde per fält, inte en lista.",
                             "must have one text value per field, not a list.")
        clean = {k: str(v).strip() for k, v in entry.items() if v is not None
                 and str(v).strip()}
        kind = clean.get("kind", "").casefold()
        if kind not in KINDS:
            given = f"har typen '{clean['kind']}'" if clean.get("kind") else "saknar kind"
            given_en = f"has the kind '{clean['kind']}'" if clean.get("kind") else "lacks kind"
            raise spec_error(key, line, f"{given}: skriv kind: rate (andel i %), count (antal) "
                             "eller level (nivå i egen enhet).",
                             f"{given_en}: write kind: rate (a share in %), count or level "
                             "(a level in its own unit).")
        clean["kind"] = kind
        if kind == "rate" and ("unit_sv" in clean or "unit_en" in clean):
            raise spec_error(key, line, "anger en enhet för en andel (rate): effekter på andelar "
                             "anges alltid i procentenheter, så ta bort unit_sv/unit_en eller "
                             "välj kind: level.",
                             "gives a unit for a rate: effects on shares are always in "
                             "percentage points, so remove unit_sv/unit_en or choose kind: "
                             "level.")
        out[name] = clean
    return out


# --------------------------------------------------------------------------- pooled
#: Sub-keys of ``pooled`` and their defaults (exactly one of ``flag`` and ``adopters``).
POOLED_DEFAULTS: dict[str, Any] = {"flag": None, "adopters": {}, "control": "notyet",
                                   "method": "dr"}


def validate_pooled(value: Any, lines: dict[str, int] | None = None) -> dict[str, Any]:
    """The ``pooled`` block: the kommuner that made the same change, for the pooled
    staggered-adoption estimate of :mod:`evaluation.pooled` (``{}`` without the block).

    ``flag`` is a CSV (path relative to the spec) with one row per kommun and year and the
    columns ``unit``, ``year`` and ``flag`` (0/1, e.g. Kolada's U40826), or ``demo`` for the
    demo's simulated flags; ``adopters`` instead lists the kommuner with their first year
    (``{"1987": 2022, "0114": 2019}``; every other kommun counts as never having made it).
    ``control``: ``notyet`` (default: kommuner that have not made the change yet, or never)
    or ``never``; ``method``: ``dr`` (default), ``ipw``, ``reg`` or ``dr_imp`` (without
    covariates the four give the same estimate). The value papermill passes back (the
    validated dict, years as integers) validates to itself.

    Raises
    ------
    SpecError
        One sentence naming the field, its line and the value: not a block, an unknown
        sub-key, both or neither of ``flag`` and ``adopters``, a flag that is not one path, a
        code that is not a kommun code, a year that is not a whole year, an unknown control or
        method.
    """
    from evaluation.designs.staggered import CONTROLS, METHODS

    lines = lines or {}
    if value is None or value == {} or value == "":
        return {}

    def line(sub: str) -> int | None:
        return lines.get(f"pooled.{sub}", lines.get("pooled"))

    if not isinstance(value, dict):
        raise spec_error("pooled", lines.get("pooled"),
                         f"har värdet '{value}' men ska vara ett block med flag eller adopters, "
                         "t.ex. 'flag: data/raw/u40826.csv' på en indragen rad under 'pooled:'.",
                         f"has the value '{value}' but must be a block with flag or adopters, "
                         "e.g. 'flag: data/raw/u40826.csv' on an indented line under 'pooled:'.")
    for sub in value:
        if sub not in POOLED_DEFAULTS:
            raise spec_error(f"pooled.{sub}", line(sub),
                             f"är okänt: tillåtna fält under pooled är "
                             f"{', '.join(POOLED_DEFAULTS)}; kontrollera stavningen.",
                             f"is unknown: allowed fields under pooled are "
                             f"{', '.join(POOLED_DEFAULTS)}; check the spelling.")
    flag, adopters = value.get("flag"), value.get("adopters")
    has_flag = flag not in (None, "")
    has_adopters = adopters not in (None, {}, [], "")
    if has_flag == has_adopters:
        sv, en = (("anger både flag och adopters: behåll en av dem.",
                   "gives both flag and adopters: keep one of them.") if has_flag else
                  ("saknar flag och adopters: ange en flaggfil (flag: …) eller kommunerna med "
                   "sitt första år (adopters: {\"0114\": 2019}).",
                   "lacks flag and adopters: give a flag file (flag: …) or the kommuner with "
                   "their first year (adopters: {\"0114\": 2019})."))
        raise spec_error("pooled", lines.get("pooled"), sv, en)
    if has_flag and (isinstance(flag, (list, dict)) or not str(flag).strip()):
        raise spec_error("pooled.flag", line("flag"),
                         f"har värdet '{flag}' men ska vara en sökväg till en CSV-fil med "
                         "kolumnerna unit, year och flag (eller demo).",
                         f"has the value '{flag}' but must be the path of a CSV file with the "
                         "columns unit, year and flag (or demo).")
    first: dict[str, int] = {}
    if has_adopters:
        if not isinstance(adopters, dict):
            raise spec_error("pooled.adopters", line("adopters"),
                             f"har värdet '{adopters}' men ska vara kommunkoder med sitt första "
                             "år, t.ex. {\"1987\": 2022, \"0114\": 2019}.",
                             f"has the value '{adopters}' but must be kommun codes with their "
                             "first year, e.g. {\"1987\": 2022, \"0114\": 2019}.")
        for code, year in adopters.items():
            text = str(code).strip()
            if not text.isdigit() or len(text) not in (3, 4) or text.zfill(4) in first:
                raise spec_error("pooled.adopters", line("adopters"),
                                 f"innehåller '{code}', som inte är en ny kommunkod: skriv "
                                 "varje kommun en gång med fyra siffror inom citattecken, t.ex. "
                                 "\"0114\".",
                                 f"contains '{code}', which is not a new kommun code: write "
                                 "each kommun once with four digits in quotes, e.g. \"0114\".")
            when = str(year).strip()
            if isinstance(year, (list, dict, bool)) or not (when.isdigit() and len(when) == 4):
                raise spec_error("pooled.adopters", line("adopters"),
                                 f"anger '{year}' som första år för {text.zfill(4)}: skriv hela "
                                 "året, t.ex. 2019.",
                                 f"gives '{year}' as the first year of {text.zfill(4)}: write "
                                 "the whole year, e.g. 2019.")
            first[text.zfill(4)] = int(when)
    control = str(value.get("control") or POOLED_DEFAULTS["control"]).strip()
    if control not in CONTROLS:
        raise spec_error("pooled.control", line("control"),
                         f"har värdet '{control}': välj notyet (kommuner som ännu inte gjort "
                         "förändringen) eller never (bara de som aldrig gjort den).",
                         f"has the value '{control}': choose notyet (kommuner that have not "
                         "made the change yet) or never (only those that never made it).")
    method = str(value.get("method") or POOLED_DEFAULTS["method"]).strip()
    if method not in METHODS:
        raise spec_error("pooled.method", line("method"),
                         f"har värdet '{method}': välj {', '.join(METHODS)}.",
                         f"has the value '{method}': choose {', '.join(METHODS)}.")
    return {"flag": str(flag).strip() if has_flag else None, "adopters": first,
            "control": control, "method": method}


# --------------------------------------------------------------------------- donors
def default_donors() -> dict[str, Any]:
    """A fresh copy of the default ``donors`` settings (every kommun is a donor)."""
    return {k: (list(v) if isinstance(v, list) else v) for k, v in DONOR_DEFAULTS.items()}


def validate_donors(value: Any, lines: dict[str, int] | None = None) -> dict[str, Any]:
    """Validate the ``donors`` block and return it complete, as a plain JSON-able dict.

    Parameters
    ----------
    value
        The block as read (strings as typed, or the already validated dict that papermill
        passes back); ``None`` gives the defaults and a bare pool name (``donors: liknande``)
        stands for ``{"pool": ...}``.
    lines
        YAML lines of ``donors`` and of its sub-keys (``"donors.pool"``), for the messages.

    Returns
    -------
    dict
        ``pool`` (str), ``group`` (str or None), ``units`` (list of 4-digit codes),
        ``exclude_same_county`` (bool), ``exclude`` and ``similar_reforms`` (lists of codes).

    Raises
    ------
    SpecError
        Unknown sub-key, unknown pool, a code that is not a 4-digit kommun code, ``units``
        without ``pool: list`` (or ``pool: list`` without units), ``group`` with a pool that
        does not use it, or a value that is not true/false.
    """
    lines = lines or {}
    donors = default_donors()
    if value is None:
        return donors
    if isinstance(value, str) and value.strip() in DONOR_POOLS:  # shorthand: donors: kommungrupp
        value = {"pool": value.strip()}
    if not isinstance(value, dict):
        raise spec_error(
            "donors", lines.get("donors"),
            "ska vara en grupp av underfält, t.ex. 'pool: kommungrupp' på en indragen rad under "
            "'donors:'.",
            "must be a block of sub-fields, e.g. 'pool: kommungrupp' on an indented line under "
            "'donors:'.",
        )

    def line(sub: str) -> int | None:
        return lines.get(f"donors.{sub}", lines.get("donors"))

    allowed = ", ".join(DONOR_DEFAULTS)
    for sub in value:
        if sub not in DONOR_DEFAULTS:
            raise spec_error(f"donors.{sub}", line(sub),
                             f"är okänt: tillåtna fält under donors är {allowed}; kontrollera "
                             "stavningen.",
                             f"is unknown: allowed fields under donors are {allowed}; check the "
                             "spelling.")
    pool = value.get("pool")
    pool = "all" if pool is None else str(pool).strip()
    if pool not in DONOR_POOLS:
        raise spec_error("donors.pool", line("pool"),
                         f"har värdet '{pool}': välj all, kommungrupp, liknande eller list.",
                         f"has the value '{pool}': choose all, kommungrupp, liknande or list.")
    donors["pool"] = pool
    group = value.get("group")
    if isinstance(group, (list, dict)):
        raise spec_error("donors.group", line("group"),
                         "ska vara ett gruppnamn eller grupp-id från Kolada, inte en lista.",
                         "must be one Kolada group title or id, not a list.")
    group = None if group is None or str(group).strip() == "" else str(group).strip()
    if group is not None and pool not in ("kommungrupp", "liknande"):
        raise spec_error("donors.group", line("group"),
                         f"används bara med pool: kommungrupp eller liknande (pool är {pool}): "
                         "ta bort raden eller byt pool.",
                         f"is only used with pool: kommungrupp or liknande (pool is {pool}): "
                         "remove the line or change the pool.")
    donors["group"] = group
    for sub in ("units", "exclude", "similar_reforms"):
        donors[sub] = _codes(value.get(sub), sub, line(sub))
    if pool == "list" and not donors["units"]:
        raise spec_error("donors.units", line("units") if "units" in value else line("pool"),
                         "saknas eller är tom, men pool är list: ange kommunkoderna, t.ex. "
                         "units: [\"1980\", \"1982\"].",
                         "is missing or empty, but pool is list: give the kommun codes, e.g. "
                         "units: [\"1980\", \"1982\"].")
    if pool != "list" and donors["units"]:
        raise spec_error("donors.units", line("units"),
                         f"används bara med pool: list (pool är {pool}): skriv pool: list eller "
                         "ta bort raden.",
                         f"is only used with pool: list (pool is {pool}): write pool: list or "
                         "remove the line.")
    donors["exclude_same_county"] = _flag(value.get("exclude_same_county"),
                                          "exclude_same_county", line("exclude_same_county"))
    return donors


def _codes(value: Any, sub: str, line: int | None) -> list[str]:
    """A list of 4-digit kommun codes (a lost leading zero is restored: 114 -> "0114") or
    2-digit län codes (when the evaluated unit is a län, its donors are län)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    codes: list[str] = []
    for item in items:
        code = str(item).strip()
        if (isinstance(item, (list, dict)) or not code.isdigit() or len(code) not in (2, 3, 4)
                or code == "00"):
            raise spec_error(f"donors.{sub}", line,
                             f"innehåller '{item}', som inte är en kommun- eller länskod: skriv "
                             "koder med fyra siffror (kommuner) eller två (län), t.ex. "
                             "[\"0114\", \"1980\"].",
                             f"contains '{item}', which is not a kommun or county code: write "
                             "four-digit (kommun) or two-digit (county) codes, e.g. "
                             "[\"0114\", \"1980\"].")
        code = code if len(code) == 2 else code.zfill(4)
        if code not in codes:
            codes.append(code)
    return codes


def _flag(value: Any, sub: str, line: int | None) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise spec_error(f"donors.{sub}", line, f"har värdet '{value}': skriv true eller false.",
                     f"has the value '{value}': write true or false.")
