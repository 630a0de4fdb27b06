"""``bilaga.docx``: a Word appendix with the run's text, figures and tables (issue 13).

Evaluators paste figures, tables and sentences from the report into their written evaluation in
Word. The appendix gives them all of it in one Word file that restyles into a municipality's
template: only Word's built-in styles are used (Title, Subtitle, Heading 1/2/3, Normal,
List Bullet, Caption, Table Grid), figures and tables are numbered through real caption fields
(``SEQ Figur`` / ``SEQ Tabell``, so Word's "Infoga figurförteckning" and cross references work),
captions of figures go below the figure and captions of tables above the table (Swedish
practice), every picture has alt text, and every table ends with a "Källa: …" line.

:func:`write_bilaga` writes the file from plain values; :func:`bilaga_arguments` builds those
values from an :class:`~evaluation.evaluate.Evaluation` whose outputs are already written
(the PNGs under ``figurer/``), so ``Evaluation.write_outputs`` needs one call::

    written.append(docx_report.write_bilaga(
        folder / "bilaga.docx", **docx_report.bilaga_arguments(self, folder, summary=summary)))

The output is deterministic: fixed core-property dates (:data:`~evaluation.report.tables.
FIXED_TIMESTAMP`, as in the XLSX files) and fixed zip entry dates, so equal input gives equal
bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.report import format as fmt
from evaluation.report.format import Language, check_language
from evaluation.report.zipfiles import fixed_dates

__all__ = ["FIGURE_WIDTH_CM", "bilaga_arguments", "figure_entries", "source_entries",
           "table_entries", "write_bilaga"]

#: Width of a figure: the text column of an A4 page with 2.5 cm margins.
FIGURE_WIDTH_CM = 16.0
#: Tallest figure (a tall figure is scaled down to this height, keeping its proportions).
FIGURE_MAX_HEIGHT_CM = 21.0
_PAGE_CM = (21.0, 29.7)
_MARGIN_CM = 2.5
_BANNER_RGB = (0xC0, 0x00, 0x00)
_TABLE_STYLE = "Table Grid"
_LANG_TAG = {"sv": "sv-SE", "en": "en-GB"}

# --------------------------------------------------------------------------- fixed words
#: Every fixed word of the appendix (the integrator may move these into text.TEXTS).
_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "subtitle": "Bilaga: text, figurer och tabeller att använda i utvärderingen",
        "figure": "Figur",
        "table": "Tabell",
        "source": "Källa",
        "summary": "Sammanfattning",
        "verdict": "Bedömning per utfall",
        "figures": "Figurer",
        "tables": "Tabeller",
        "method": "Metod",
        "sources": "Data och källor",
        "provenance": "Om körningen",
        "data_vintage": "Datauttag",
        "commit": "Programversion (git-commit)",
        "created": "Skapad",
        "packages": "Programpaket",
        "missing": "uppgift saknas",
        "yes": "ja",
        "no": "nej",
        "empty": "–",
        # figure captions and alt texts (bilaga_arguments)
        "cap.counterfactual": "{Label} i {place}: observerat och kontrafaktiskt utfall "
                              "({design})",
        "cap.decomposition": "{Label} i {place}: förändringen uppdelad i nationell "
                             "utveckling och lokal avvikelse ({design})",
        "cap.effect": "{Label} i {place}: skattad effekt per period ({design})",
        "cap.placebo": "{Label}: {place} och jämförelsekommunerna som placebo ({design})",
        "cap.event": "{Label} i {place}: eventstudie ({design})",
        "cap.three_panel": "{Label} i {place}: observerat och kontrafaktiskt utfall, effekt "
                           "per period och kumulerad effekt ({design})",
        "cap.other": "{Label} i {place} ({design})",
        "cap.sensitivity": "Känslighetsanalys: {label}",
        "cap.target": "Måluppföljning: {label}",
        "cap.peer": "{Label}: {place} och jämförelsegruppen",
        "alt.counterfactual": "Linjediagram över {label} i {place}, {range}: observerade "
                              "värden och det kontrafaktiska utfallet, alltså vad som hade hänt "
                              "utan förändringen, enligt {design}, med {level}-intervall. En "
                              "lodrät linje markerar att förändringen startar {start}.",
        "alt.decomposition": "Stapeldiagram över förändringen av {label} i {place} från "
                             "förperioden till efterperioden, uppdelad i den förändring som "
                             "jämförelseseriens utveckling förutsäger och den lokala "
                             "avvikelsen med {level}-intervall.",
        "alt.effect": "Linjediagram över den skattade effekten per period för {label} i "
                      "{place}, {range}, enligt {design}: skillnaden mellan observerat och "
                      "kontrafaktiskt utfall, med en nollinje och efterperioden markerad.",
        "alt.placebo": "Linjediagram över skillnaden mellan {place} och dess syntetiska "
                       "kontroll för {label}, {range}, med motsvarande skillnader för "
                       "jämförelsekommunerna (placebo) som tunna grå linjer.",
        "alt.event": "Diagram över en eventstudie för {label} i {place}: skattad skillnad mot "
                     "jämförelsegruppen per grupp av perioder före och efter förändringen, "
                     "med {level}-intervall; sista perioden före förändringen är referens.",
        "alt.three_panel": "Tre linjediagram över varandra för {label} i {place}, {range}, "
                           "enligt {design}: observerade värden och det kontrafaktiska utfallet "
                           "med {level}-intervall, den skattade effekten per period och den "
                           "kumulerade effekten. En lodrät linje markerar att förändringen "
                           "startar {start}.",
        "alt.other": "Diagram över {label} i {place} enligt {design}.",
        "alt.sensitivity": "Diagram över känslighetsanalysen för {label}: den skattade "
                           "effekten per metod med rapportens val överst och en rad per "
                           "alternativt val; ett resultat som vänder visas som en ihålig röd "
                           "markör. Resultatet vänder i {k} av {n} omskattningar.",
        "alt.target": "Linjediagram över måluppföljningen för {label} i {place}: observerade "
                      "värden mot målbanan från utgångsläget till målet, och den utveckling "
                      "som rikets trend ensam hade gett, med intervall.",
        "alt.peer": "Diagram över {label} per år för kommunerna i jämförelsegruppen, med "
                    "{place} markerad. Jämförelsen är beskrivande och ingen effektskattning.",
        "tab.results": "Skattade effekter per utfall och metod",
        "tab.weights": "Vikter för jämförelsekommunerna: {label} ({design})",
        "tab.sensitivity": "Känslighetsanalys: skattning per metod och alternativt val",
        "tab.target": "Måluppföljning: {label}",
        "tab.peer": "{place} jämfört med jämförelsegruppen",
        "src.processed": "{name}, egen bearbetning",
        "src.demo": "simulerade data för en fiktiv kommun (demo)",
    },
    "en": {
        "subtitle": "Appendix: text, figures and tables for the written evaluation",
        "figure": "Figure",
        "table": "Table",
        "source": "Source",
        "summary": "Summary",
        "verdict": "Verdict per outcome",
        "figures": "Figures",
        "tables": "Tables",
        "method": "Method",
        "sources": "Data and sources",
        "provenance": "About this run",
        "data_vintage": "Data vintage",
        "commit": "Software version (git commit)",
        "created": "Created",
        "packages": "Software packages",
        "missing": "not available",
        "yes": "yes",
        "no": "no",
        "empty": "–",
        "cap.counterfactual": "{Label} in {place}: observed and counterfactual ({design})",
        "cap.decomposition": "{Label} in {place}: the change split into the national "
                             "development and the local deviation ({design})",
        "cap.effect": "{Label} in {place}: estimated effect per period ({design})",
        "cap.placebo": "{Label}: {place} and the comparison municipalities as placebos "
                       "({design})",
        "cap.event": "{Label} in {place}: event study ({design})",
        "cap.three_panel": "{Label} in {place}: observed and counterfactual, effect per "
                           "period and cumulative effect ({design})",
        "cap.other": "{Label} in {place} ({design})",
        "cap.sensitivity": "Sensitivity analysis: {label}",
        "cap.target": "Target follow-up: {label}",
        "cap.peer": "{Label}: {place} and the comparison group",
        "alt.counterfactual": "Line chart of {label} in {place}, {range}: observed values "
                              "and the counterfactual, that is what would have happened without "
                              "the change, according to {design}, with a {level} interval. A "
                              "vertical line marks the start of the change in {start}.",
        "alt.decomposition": "Bar chart of the change in {label} in {place} from the "
                             "pre-period to the post-period, split into the change the "
                             "comparison series predicts and the local deviation with a {level} "
                             "interval.",
        "alt.effect": "Line chart of the estimated effect per period for {label} in {place}, "
                      "{range}, according to {design}: the difference between observed and "
                      "counterfactual, with a zero line and the post-period marked.",
        "alt.placebo": "Line chart of the gap between {place} and its synthetic control for "
                       "{label}, {range}, with the same gaps for the comparison "
                       "municipalities (placebos) as thin grey lines.",
        "alt.event": "Event-study chart for {label} in {place}: estimated difference from the "
                     "comparison group per bin of periods before and after the change, with "
                     "{level} intervals; the last period before the change is the reference.",
        "alt.three_panel": "Three line charts one above the other for {label} in {place}, "
                           "{range}, according to {design}: observed values and the "
                           "counterfactual with a {level} interval, the estimated effect per "
                           "period and the cumulative effect. A vertical line marks the start "
                           "of the change in {start}.",
        "alt.other": "Chart of {label} in {place} according to {design}.",
        "alt.sensitivity": "Chart of the sensitivity analysis for {label}: the estimated "
                           "effect per method with the report's choice at the top and one row "
                           "per alternative choice; a result that flips is shown as a hollow "
                           "red marker. The result flips in {k} of {n} re-estimates.",
        "alt.target": "Line chart of the target follow-up for {label} in {place}: observed "
                      "values against the target path from the baseline to the goal, and the "
                      "development the national trend alone would have given, with an "
                      "interval.",
        "alt.peer": "Chart of {label} per year for the municipalities of the comparison "
                    "group, with {place} highlighted. The comparison is descriptive, not an "
                    "effect estimate.",
        "tab.results": "Estimated effects by outcome and method",
        "tab.weights": "Weights of the comparison municipalities: {label} ({design})",
        "tab.sensitivity": "Sensitivity analysis: estimate per method and alternative choice",
        "tab.target": "Target follow-up: {label}",
        "tab.peer": "{place} compared with the comparison group",
        "src.processed": "{name}, own processing",
        "src.demo": "simulated data for a fictional municipality (demo)",
    },
}


def _w(key: str, language: Language, **kw: Any) -> str:
    text = _WORDS[language][key]
    return text.format(**kw) if kw else text


# --------------------------------------------------------------------------- write_bilaga
def write_bilaga(
    path: str | Path,
    *,
    summary: Mapping[str, Any],
    figures: Sequence[Mapping[str, Any]],
    tables: Sequence[Mapping[str, Any]],
    narrative_md: str,
    method_text: str,
    sources: Sequence[Mapping[str, Any]],
    provenance: Mapping[str, Any],
    language: Language = "sv",
    simulated: bool = False,
) -> Path:
    """Write the Word appendix ``bilaga.docx`` and return its path.

    Parameters
    ----------
    path
        The file to write (its folder is created).
    summary
        The ``summary.json`` record: ``title`` (document title) and ``verdict`` (one record per
        outcome, written with :func:`evaluation.report.text.verdict_sentence` against
        ``results``).
    figures
        ``[{"png": Path, "caption": str, "alt": str}]`` in report order; numbered "Figur 1." …
        with the caption below the picture. ``alt`` becomes the picture's alt text (it must say
        what the figure shows; an empty or bare "Figur" alt text is an error).
    tables
        ``[{"frame": DataFrame, "caption": str, "source": str}]``; numbered "Tabell 1." … with
        the caption above and a "Källa: …" line below (``source`` with or without the
        "Källa: " prefix). Empty frames are left out.
    narrative_md
        The summary text in simple Markdown (``#`` headings, ``**bold**``, ``*italic*``,
        ``- `` bullets), e.g. ``sammanfattning.md``. A first ``#`` heading equal to the title
        and a bold line equal to the simulated-data banner are not repeated.
    method_text
        The method paragraph(s) (paragraphs separated by blank lines; simple Markdown).
    sources
        ``[{"name": "Kolada", "citation": "Källa: Kolada, egen bearbetning"}]``: one line per
        source under "Data och källor" (``citation`` with or without the prefix; without
        ``citation`` the line is "Källa: <name>").
    provenance
        ``{"data_vintage", "commit", "created", "packages"?}`` (``packages``: a mapping name →
        version or a list of strings).
    language
        ``"sv"`` or ``"en"``: every fixed word of the document.
    simulated
        Adds the red "SIMULERADE DATA – fiktiv kommun" line under the title.
    """
    from docx import Document
    from docx.shared import Cm

    from evaluation.report.tables import FIXED_TIMESTAMP
    from evaluation.report.text import t, verdict_sentence

    check_language(language)
    path = Path(path)
    doc = Document()
    _page_setup(doc, Cm)
    _set_language(doc, language)

    title = str(summary.get("title") or summary.get("evaluation") or "")
    banner = t("simulated_banner", language)
    blocks = _markdown_blocks(narrative_md)
    if blocks and blocks[0][0] == "h1" and (not title or _plain(blocks[0][1]) == title):
        title = title or _plain(blocks[0][1])
        blocks = blocks[1:]
    blocks = [b for b in blocks if not (b[0] == "p" and _plain(b[1]).strip() == banner)]

    doc.add_paragraph(title, style="Title")
    if simulated:
        _banner(doc, banner)
    doc.add_paragraph(_w("subtitle", language), style="Subtitle")

    # Sammanfattning: the narrative, under its own heading unless it has one.
    summary_word = _w("summary", language)
    if not any(kind.startswith("h") and _plain(text).strip().lower() == summary_word.lower()
               for kind, text in blocks):
        doc.add_heading(summary_word, level=1)
    _write_blocks(doc, blocks, top_level=1)

    verdicts = [v for v in (summary.get("verdict") or {}).values() if v]
    if verdicts:
        doc.add_heading(_w("verdict", language), level=1)
        results = summary.get("results") or []
        for v in verdicts:
            _add_inline(doc.add_paragraph(style="Normal"),
                        verdict_sentence(v, results, language))

    if figures:
        doc.add_heading(_w("figures", language), level=1)
        for n, figure in enumerate(figures, start=1):
            _add_figure(doc, figure, n, language, Cm)

    shown = [tb for tb in tables if tb.get("frame") is not None and not tb["frame"].empty]
    if shown:
        doc.add_heading(_w("tables", language), level=1)
        for n, table in enumerate(shown, start=1):
            _add_table(doc, table, n, language)

    method_blocks = _markdown_blocks(method_text or "")
    if method_blocks:
        doc.add_heading(_w("method", language), level=1)
        _write_blocks(doc, method_blocks, top_level=2)

    if sources:
        doc.add_heading(_w("sources", language), level=1)
        for source in sources:
            line = source.get("citation") or source.get("name") or ""
            doc.add_paragraph(_source_line(str(line), language), style="Normal")

    doc.add_heading(_w("provenance", language), level=1)
    for line in _provenance_lines(provenance, language):
        doc.add_paragraph(line, style="Normal")

    props = doc.core_properties
    props.title = title
    props.author = "evaluation"
    props.last_modified_by = "evaluation"
    props.comments = ""
    props.subject = ""
    props.keywords = ""
    props.category = ""
    props.language = _LANG_TAG[language]
    props.revision = 1
    props.created = FIXED_TIMESTAMP
    props.modified = FIXED_TIMESTAMP
    props.last_printed = FIXED_TIMESTAMP

    raw = io.BytesIO()
    doc.save(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixed_dates(raw.getvalue(), mode=0o644))
    return path


# --------------------------------------------------------------------------- document parts
def _page_setup(doc: Any, Cm: Any) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Cm(_PAGE_CM[0]), Cm(_PAGE_CM[1])
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(_MARGIN_CM))


def _set_language(doc: Any, language: Language) -> None:
    """Proofing language of the whole document (the default run properties of styles.xml)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), _LANG_TAG[language])


def _banner(doc: Any, text: str) -> None:
    from docx.shared import RGBColor

    run = doc.add_paragraph(style="Normal").add_run(text)
    run.bold = True
    run.font.color.rgb = RGBColor(*_BANNER_RGB)


def _caption(doc: Any, label: str, n: int, text: str) -> Any:
    """A caption paragraph "Figur 3. …" in the Caption style, the number a ``SEQ`` field
    (cached value ``n``) as Word's "Infoga beskrivning" writes it."""
    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{label} ")
    _seq_field(p, label, n)
    _add_inline(p, f". {text.strip()}" if text.strip() else ".")
    return p


def _seq_field(paragraph: Any, label: str, n: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld_char(kind: str) -> None:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    fld_char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" SEQ {label} \\* ARABIC "
    run._r.append(instr)
    fld_char("separate")
    paragraph.add_run(str(n))
    fld_char("end")


def _add_figure(doc: Any, figure: Mapping[str, Any], n: int, language: Language,
                Cm: Any) -> None:
    png = Path(figure["png"])
    alt = " ".join(str(figure.get("alt") or "").split())
    label = _w("figure", language)
    if not alt or alt.rstrip(".").strip().lower() in {label.lower(), f"{label} {n}".lower()}:
        raise ValueError(f"The figure {png.name} has no alt text: give 'alt' a sentence that "
                         "says what the figure shows.")
    p = doc.add_paragraph(style="Normal")
    p.paragraph_format.keep_with_next = True
    shape = p.add_run().add_picture(str(png), width=Cm(FIGURE_WIDTH_CM))
    if shape.height > Cm(FIGURE_MAX_HEIGHT_CM):
        ratio = Cm(FIGURE_MAX_HEIGHT_CM) / shape.height
        shape.width, shape.height = int(shape.width * ratio), int(Cm(FIGURE_MAX_HEIGHT_CM))
    inline = shape._inline
    inline.docPr.set("name", f"{label} {n}")
    inline.docPr.set("descr", alt)  # Word's and LibreOffice's alt text
    for c_nv_pr in inline.xpath(".//pic:cNvPr"):
        c_nv_pr.set("name", png.name)
        c_nv_pr.set("descr", alt)
    _caption(doc, label, n, str(figure.get("caption") or ""))


def _add_table(doc: Any, table: Mapping[str, Any], n: int, language: Language) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    frame: pd.DataFrame = table["frame"]
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    caption = _caption(doc, _w("table", language), n, str(table.get("caption") or ""))
    caption.paragraph_format.keep_with_next = True
    # every row at once (one piece of XML parsed; the same XML as a row added at a time)
    grid = doc.add_table(rows=1 + len(frame), cols=len(frame.columns))
    grid.style = doc.styles[_TABLE_STYLE]
    rows = list(grid.rows)
    header = rows[0]
    header_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_pr.append(repeat)
    for cell, name in zip(header.cells, frame.columns, strict=True):
        cell.paragraphs[0].add_run(_cell_text(name, language)).bold = True
    decimals = [_column_decimals(frame.iloc[:, j]) for j in range(len(frame.columns))]
    for row, line in zip(frame.itertuples(index=False), rows[1:], strict=True):
        for cell, value, digits in zip(line.cells, row, decimals, strict=True):
            cell.paragraphs[0].add_run(_cell_text(value, language, digits))
    source = str(table.get("source") or "")
    doc.add_paragraph(_source_line(source, language), style="Normal")


def _column_decimals(column: pd.Series) -> int | None:
    """Decimals of a column of floats, one for the whole column: none when every value is a
    whole number (an integer column with a gap), else by the values' typical size."""
    if not pd.api.types.is_float_dtype(column):
        return None
    values = column[column.notna() & (column.abs() != float("inf"))].abs()
    if values.empty:
        return None
    if (values % 1 == 0).all():
        return 0
    size = float(values.median())
    return 3 if size < 1 else 2 if size < 10 else 1 if size < 1000 else 0


def _cell_text(value: Any, language: Language, decimals: int | None = None) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return _w("empty", language)
    if isinstance(value, bool):
        return _w("yes" if value else "no", language)
    try:
        import numpy as np

        if isinstance(value, np.bool_):
            return _w("yes" if bool(value) else "no", language)
        if isinstance(value, np.integer):
            value = int(value)
        elif isinstance(value, np.floating):
            value = float(value)
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    if isinstance(value, int):
        return fmt.number(value, 0, language)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return _w("empty", language)
        if decimals is None:
            size = abs(value)
            decimals = 3 if size < 1 else 2 if size < 10 else 1 if size < 1000 else 0
        return fmt.number(value, decimals, language)
    if isinstance(value, tuple):
        return " ".join(_cell_text(v, language, decimals) for v in value)
    return str(value)


def _source_line(text: str, language: Language) -> str:
    """ "Källa: …" (or "Source: …"), adding the prefix when the text has none."""
    text = " ".join(text.split())
    for lang in ("sv", "en"):
        prefix = _WORDS[lang]["source"] + ":"
        if text.lower().startswith(prefix.lower()):
            text = text[len(prefix):].strip()
            break
    return f"{_w('source', language)}: {text or _w('missing', language)}"


def _provenance_lines(provenance: Mapping[str, Any], language: Language) -> list[str]:
    def value(key: str) -> str:
        v = provenance.get(key)
        if v is None or v == "":
            return _w("missing", language)
        if isinstance(v, (_dt.date, _dt.datetime)):
            return fmt.date(v, language)
        return str(v)

    lines = [f"{_w('data_vintage', language)}: {value('data_vintage')}",
             f"{_w('commit', language)}: {value('commit')}",
             f"{_w('created', language)}: {value('created')}"]
    packages = provenance.get("packages")
    if packages:
        if isinstance(packages, Mapping):
            items = [f"{k} {v}" for k, v in packages.items() if v]
        else:
            items = [str(p) for p in packages]
        if items:
            lines.append(f"{_w('packages', language)}: {', '.join(items)}")
    return lines


# --------------------------------------------------------------------------- markdown
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_INLINE = re.compile(r"(\*\*.+?\*\*|__.+?__|(?<![\w*])\*(?!\s).+?(?<!\s)\*(?![\w*])|`[^`]+`"
                     r"|\[[^\]]+\]\([^)]+\))")


def _markdown_blocks(text: str) -> list[tuple[str, str]]:
    """Simple Markdown as blocks: ``("h1".."h6", text)``, ``("li", text)``, ``("p", text)``.

    Consecutive lines form one paragraph; an indented line after a bullet continues it."""
    blocks: list[tuple[str, str]] = []
    current: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal current, kind
        if current:
            blocks.append((kind, " ".join(current)))
        current, kind = [], ""

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line.strip()) if not raw.startswith("    ") else None
        if heading:
            flush()
            blocks.append((f"h{len(heading.group(1))}", heading.group(2)))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            flush()
            kind, current = "li", [bullet.group(1).strip()]
            continue
        if not kind:
            kind = "p"
        current.append(line.strip())
    flush()
    return blocks


def _write_blocks(doc: Any, blocks: Iterable[tuple[str, str]], *, top_level: int) -> None:
    """``#`` → Heading ``top_level - 1`` (Heading 1 at least), ``##`` → Heading ``top_level``…

    With ``top_level=1`` a document's "## Sammanfattning" becomes Heading 1; with 2 (the method
    section under its own Heading 1) a "## …" becomes Heading 2."""
    for kind, text in blocks:
        if kind.startswith("h"):
            level = min(max(1, int(kind[1]) - 2 + top_level), 3)
            doc.add_heading(_plain(text), level=level)
        elif kind == "li":
            _add_inline(doc.add_paragraph(style="List Bullet"), text)
        else:
            _add_inline(doc.add_paragraph(style="Normal"), text)


def _add_inline(paragraph: Any, text: str) -> None:
    """Runs for ``**bold**``, ``*italic*``, ```code``` (plain) and ``[text](url)`` (text)."""
    for part in _INLINE.split(text):
        if not part:
            continue
        if (part.startswith("**") and part.endswith("**") and len(part) > 4) or (
                part.startswith("__") and part.endswith("__") and len(part) > 4):
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            paragraph.add_run(part[1:-1]).italic = True
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            paragraph.add_run(part[1:-1])
        elif part.startswith("[") and part.endswith(")") and "](" in part:
            label, url = part[1:-1].split("](", 1)
            paragraph.add_run(f"{label} ({url})")
        else:
            paragraph.add_run(part)


def _plain(text: str) -> str:
    """The text of inline Markdown without its markers."""
    out = []
    for part in _INLINE.split(text):
        if part.startswith(("**", "__")) and part.endswith(("**", "__")) and len(part) > 4:
            out.append(part[2:-2])
        elif (part.startswith("*") and part.endswith("*") and len(part) > 2) or (
                part.startswith("`") and part.endswith("`") and len(part) > 2):
            out.append(part[1:-1])
        elif part.startswith("[") and part.endswith(")") and "](" in part:
            out.append(part[1:].split("](", 1)[0])
        else:
            out.append(part)
    return "".join(out)


# --------------------------------------------------------------------------- from a run
def source_entries(data_info: Mapping[str, Any], language: Language = "sv") -> list[dict[str, str]]:
    """One ``{"name", "citation"}`` per data source of :meth:`Inputs.data_info`, cited as the
    source's terms ask for numbers that were processed: "Källa: Kolada, egen bearbetning"
    (Kolada's terms), "Källa: <source>, egen bearbetning" for the others (CC BY: say that the
    numbers were changed), the demo data as simulated."""
    from evaluation.data.demo import SOURCE as DEMO_SOURCE
    from evaluation.sources.kolada import CITATION, SOURCE as KOLADA

    check_language(language)
    kolada_cited = CITATION.removeprefix("Källa: ")
    names: list[str] = []
    by_measure = data_info.get("sources_by_measure") or {}
    for values in by_measure.values():
        names += [str(v) for v in values]
    if not names and data_info.get("source"):
        names = [s.strip() for s in str(data_info["source"]).split(", ") if s.strip()]
    out = []
    for name in dict.fromkeys(names):
        if name in (kolada_cited, KOLADA):
            entry = {"name": KOLADA, "citation": (CITATION if language == "sv" else
                                                  f"{_w('source', language)}: "
                                                  f"{_w('src.processed', language, name=KOLADA)}")}
        elif name == DEMO_SOURCE or (data_info.get("simulated") and name.startswith("demo")):
            entry = {"name": "demo", "citation": f"{_w('source', language)}: "
                                                 f"{_w('src.demo', language)}"}
        elif "bearbetning" in name or "processing" in name:
            entry = {"name": name, "citation": f"{_w('source', language)}: {name}"}
        else:
            entry = {"name": name, "citation": f"{_w('source', language)}: "
                                               f"{_w('src.processed', language, name=name)}"}
        out.append(entry)
    return out


def _cited(sources: Sequence[Mapping[str, str]], language: Language) -> str:
    """The sources of a table as one "Källa: a; b" line."""
    bodies = [_source_line(s["citation"], language).split(": ", 1)[1] for s in sources]
    return f"{_w('source', language)}: {'; '.join(bodies) or _w('missing', language)}"


def _period_range(result: Any, language: Language) -> str:
    index = [str(p) for p in result.frame.index]
    if not index:
        return ""
    return fmt.period_range_label(index[0], index[-1], language)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


#: File suffixes of a design's figures (``design_figures``) and their caption/alt keys.
_SUFFIX_KINDS = {"_effekt": "effect", "_placebo": "placebo", "_eventstudie": "event"}
#: The main figure (no suffix) of designs whose main figure is not observed vs counterfactual.
_MAIN_KINDS = {"decomposition": "decomposition", "structural": "three_panel"}


def figure_entries(ev: Any, folder: str | Path, summary: Mapping[str, Any],
                   language: Language | None = None) -> list[dict[str, Any]]:
    """The figures ``write_outputs`` wrote under ``folder/figurer`` (PNG), in its order, each
    with a caption and an alt text that says what the figure shows and (for a design's figure)
    the result in numbers (:func:`evaluation.report.text.result_sentence`)."""
    from evaluation.report.text import design_label, result_sentence

    language = check_language(language or ev.language)
    fig_dir = Path(folder) / "figurer"
    place = str((summary.get("treated") or {}).get("name") or "")
    start = fmt.period_label(str(summary.get("intervention")), language)
    records = {(r["outcome"], r["design"]): r for r in summary.get("results") or []}
    stems = [f"{r.outcome}_{r.design}" for r in ev.results]
    out: list[dict[str, Any]] = []
    for r in ev.results:
        stem = f"{r.outcome}_{r.design}"
        record = records.get((r.outcome, r.design), r.to_dict())
        longer = [s for s in stems if s != stem and s.startswith(stem)]
        found = sorted(p for p in fig_dir.glob(f"{stem}*.png")
                       if (p.stem == stem or p.stem.startswith(stem + "_"))
                       and not any(p.stem.startswith(s) for s in longer))
        order = ["", *_SUFFIX_KINDS]
        found.sort(key=lambda p: (order.index(p.stem[len(stem):])
                                  if p.stem[len(stem):] in order else len(order), p.name))
        label = _outcome_label(r.outcome, language)
        words = {"label": _lower(label), "Label": _cap(label), "place": place,
                 "design": _lower(design_label(r.design, language)),
                 "level": fmt.level_label(getattr(r, "ci_level", 0.95), language),
                 "range": _period_range(r, language), "start": start}
        for png in found:
            suffix = png.stem[len(stem):]
            if suffix == "":
                kind = _MAIN_KINDS.get(r.design, "counterfactual")
            else:
                kind = _SUFFIX_KINDS.get(suffix, "other")
            caption = _w(f"cap.{kind}", language, **words)
            numbers = _plain(result_sentence(record, language))
            alt = f"{_w(f'alt.{kind}', language, **words)} {numbers}"
            out.append({"png": png, "caption": caption, "alt": alt})
    rows = summary.get("sensitivity") or []
    for outcome in ev.spec.outcomes:
        png = fig_dir / f"{outcome}_kanslighet.png"
        if png.is_file():
            mine = [row for row in rows if row.get("outcome") == outcome
                    and row.get("status") == "ok"]
            label = _outcome_label(outcome, language)
            out.append({"png": png, "caption": _w("cap.sensitivity", language, label=label),
                        "alt": _w("alt.sensitivity", language, label=_lower(label),
                                  k=sum(bool(row.get("flip")) for row in mine), n=len(mine))})
    target = getattr(ev, "target_result", None)
    if target is not None and (fig_dir / "mal.png").is_file():
        label = str(target.get("label") or (target.get("measure_label") or {}).get(language)
                    or target.get("measure") or "")
        out.append({"png": fig_dir / "mal.png",
                    "caption": _w("cap.target", language, label=label),
                    "alt": _w("alt.target", language, label=_lower(label), place=place)})
    if getattr(ev, "peer_table", None) is not None:
        for png in sorted(fig_dir.glob("*_jamforelse.png")):
            measure = png.stem.removesuffix("_jamforelse")
            label = _outcome_label(measure, language)
            out.append({"png": png,
                        "caption": _w("cap.peer", language, Label=_cap(label), place=place),
                        "alt": _w("alt.peer", language, label=_lower(label), place=place)})
    pooled = summary.get("pooled")
    if pooled:
        from evaluation.report.pooled_report import figure_stem
        from evaluation.report.text import t

        level = fmt.level_label(float(pooled.get("ci_level") or 0.95), language)
        for outcome in pooled.get("outcomes") or {}:
            png = fig_dir / f"{figure_stem(outcome)}.png"
            if png.is_file():
                label = _outcome_label(outcome, language)
                out.append({"png": png,
                            "caption": t("pooled.caption", language, Label=_cap(label),
                                         place=place),
                            "alt": t("pooled.alt", language, label=_lower(label),
                                     place=place, level=level)})
    return out


def _outcome_label(outcome: str, language: Language) -> str:
    from evaluation.report.text import outcome_label

    try:
        return outcome_label(outcome, language)
    except Exception:  # noqa: BLE001 - an undeclared measure keeps its name
        return outcome


def table_entries(ev: Any, summary: Mapping[str, Any], sources: Sequence[Mapping[str, str]],
                  language: Language | None = None) -> list[dict[str, Any]]:
    """The tables for the appendix, formatted for reading (the per-period tables stay in the
    XLSX files): the results, the comparison-group weights, the sensitivity grid, the target
    follow-up and the peer comparison — whatever the run has."""
    from evaluation.report import tables as TB
    from evaluation.report.text import design_label

    language = check_language(language or ev.language)
    source = _cited(sources, language)
    place = str((summary.get("treated") or {}).get("name") or "")
    out = [{"frame": TB.results_table(summary["results"], language=language),
            "caption": _w("tab.results", language), "source": source}]
    for r in ev.results:
        weights = TB.weights_table(r, language=language, top=15)
        if not weights.empty:
            out.append({"frame": weights, "source": source,
                        "caption": _w("tab.weights", language,
                                      label=_outcome_label(r.outcome, language),
                                      design=_lower(design_label(r.design, language)))})
    if summary.get("sensitivity"):
        sens = TB.sensitivity_table(summary["sensitivity"], language)
        if not sens.empty:
            out.append({"frame": sens, "caption": _w("tab.sensitivity", language),
                        "source": source})
    target = getattr(ev, "target_result", None)
    if target is not None:
        from evaluation.report.target_report import target_table

        label = str(target.get("label") or (target.get("measure_label") or {}).get(language)
                    or target.get("measure") or "")
        out.append({"frame": target_table(target, language),
                    "caption": _w("tab.target", language, label=label), "source": source})
    if getattr(ev, "peer_table", None) is not None:
        from evaluation.report.peer_report import peer_rank_table

        out.append({"frame": peer_rank_table(ev.peer_table, language),
                    "caption": _w("tab.peer", language, place=place), "source": source})
    pooled = summary.get("pooled")
    if pooled:
        from evaluation.report.pooled_report import pooled_table
        from evaluation.report.text import t

        out.append({"frame": pooled_table(pooled, language),
                    "caption": t("pooled.table.caption", language), "source": source})
    return out


def _method_text(ev: Any, language: Language) -> str:
    """One paragraph per design, as the report's "Metod" section (``show.method``) builds it."""
    from evaluation.report import text

    keys = {d.name: d.method_key for d in ev.designs()}
    paragraphs = []
    for design in dict.fromkeys(r.design for r in ev.results):
        counts = []
        for r in ev.results:
            if r.design != design:
                continue
            d = r.diagnostics
            if design == "decomposition":
                n = d.get("n_units")
            elif d.get("n_placebo") is not None:
                n = int(d["n_placebo"])
            else:
                n = len(d["placebo_estimates"]) if d.get("placebo_estimates") else None
            if n is not None:
                counts.append(n)
        paragraphs.append(text.method_text(
            keys.get(design, design), ev.spec.frequency, language,
            window=ev.spec.compare_window, n_units=min(counts) if counts else None,
            unit_type=ev.inputs.unit_type))
    return "\n\n".join(paragraphs)


def bilaga_arguments(ev: Any, folder: str | Path, *, summary: Mapping[str, Any] | None = None,
                     created: str | _dt.date | None = None,
                     commit: str | None = None) -> dict[str, Any]:
    """The keyword arguments of :func:`write_bilaga` for an evaluation whose outputs
    (``summary.json``, ``figurer/*.png``) are already written under ``folder``.

    ``created`` defaults to today's date and ``commit`` to ``git rev-parse HEAD``
    (:func:`evaluation.run.git_commit`)."""
    from evaluation.run import PACKAGES, git_commit, package_versions

    language = check_language(ev.language)
    summary = summary if summary is not None else ev.summary()
    sources = source_entries(ev.inputs.data_info(), language)
    packages = {k: v for k, v in package_versions().items()
                if v and (k == "python" or k in PACKAGES)}
    return {
        "summary": summary,
        "figures": figure_entries(ev, folder, summary, language),
        "tables": table_entries(ev, summary, sources, language),
        "narrative_md": ev.narrative_markdown(summary),
        "method_text": _method_text(ev, language),
        "sources": sources,
        "provenance": {"data_vintage": summary.get("data_vintage"),
                       "commit": commit if commit is not None else git_commit(),
                       "created": created if created is not None else _dt.date.today(),
                       "packages": packages},
        "language": language,
        "simulated": bool(summary.get("simulated", ev.simulated)),
    }
