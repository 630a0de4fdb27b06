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
``compare_periods`` two periods for the decomposition (default: intervention and 12 months later).
``post_end``       last period of the post window (default: last period in the data).
``language``       ``sv`` (default) or ``en``.
``seed``           integer seed for every random draw.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evaluation.data.panel import period_frequency, shift_period
from evaluation.errors import EvaluationError, SpecError

DEFAULT_OUTCOMES = ("unemployment_rate", "households_assistance")
LANGUAGES = ("sv", "en")
FREQUENCIES = ("monthly", "yearly")
KEYS = (
    "evaluation_id", "title", "data", "frequency", "treated", "intervention", "outcomes",
    "comparison", "compare_periods", "post_end", "language", "seed",
)
REQUIRED = ("evaluation_id", "data", "treated", "intervention")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


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
    post_end: str | None = None
    language: str = "sv"
    seed: int = 1
    frequency: str = "monthly"
    title: str = ""
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


def where(key: str, line: int | None, language: str = "sv") -> str:
    """'Fältet 'treated' (rad 4)' / 'The field 'treated' (line 4)'."""
    if language == "en":
        return f"The field '{key}'" + (f" (line {line})" if line else "")
    return f"Fältet '{key}'" + (f" (rad {line})" if line else "")


def spec_error(key: str, line: int | None, problem_sv: str, problem_en: str) -> SpecError:
    return SpecError(f"{where(key, line)} {problem_sv}", f"{where(key, line, 'en')} {problem_en}")


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
    text = path.read_text(encoding="utf-8")
    return parse_spec(text, path=str(path.resolve()))


def parse_spec(text: str, *, path: str | None = None) -> Spec:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" på rad {mark.line + 1}" if mark else ""
        line_en = f" on line {mark.line + 1}" if mark else ""
        raise SpecError(
            f"Specifikationen är inte giltig YAML{line}: kontrollera indrag och kolon.",
            f"The spec is not valid YAML{line_en}: check indentation and colons.",
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
        raw[key] = _node_value(value_node)
        lines[key] = line
    return validate_values(raw, lines=lines, path=path)


def _node_value(node: yaml.Node) -> Any:
    """Plain values from a YAML node, scalars kept as the typed text (null becomes None)."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null") or (node.style is None and node.value in ("", "~", "null")):
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_node_value(v) for v in node.value]
    return {str(k.value): _node_value(v) for k, v in node.value}


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
    outcomes = raw.get("outcomes", list(DEFAULT_OUTCOMES))
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if not isinstance(outcomes, list) or not outcomes or not all(isinstance(o, str) for o in outcomes):
        raise spec_error("outcomes", ln("outcomes"), "ska vara en lista med måttnamn, t.ex. "
                         "[unemployment_rate, households_assistance].",
                         "must be a list of measure names, e.g. "
                         "[unemployment_rate, households_assistance].")
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
    step = 12 if frequency == "monthly" else 1
    compare_periods = raw.get("compare_periods")
    if compare_periods is None:
        compare_periods = [intervention, shift_period(intervention, step)]
    if not (isinstance(compare_periods, list) and len(compare_periods) == 2):
        raise spec_error("compare_periods", ln("compare_periods"),
                         "ska vara två perioder, t.ex. [2022-04, 2023-04].",
                         "must be two periods, e.g. [2022-04, 2023-04].")
    for p in compare_periods:
        _check_period(str(p), "compare_periods", ln, frequency)
    if compare_periods[0] >= compare_periods[1]:
        raise spec_error("compare_periods", ln("compare_periods"),
                         "ska ha den tidigare perioden först.", "must list the earlier period first.")
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
        data=_scalar(raw, "data", ln),
        treated=_scalar(raw, "treated", ln),
        intervention=intervention,
        outcomes=list(outcomes),
        comparison=comparison,
        compare_periods=[str(p) for p in compare_periods],
        post_end=post_end,
        language=language,
        seed=seed,
        frequency=frequency,
        title=_scalar(raw, "title", ln, default=""),
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
