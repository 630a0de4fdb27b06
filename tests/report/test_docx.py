"""bilaga.docx: the Word appendix (captions, numbering, alt text, sources, language, PDF)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import docx
import pandas as pd
import pytest

from evaluation.report import docx_report as D
from evaluation.report.tables import FIXED_TIMESTAMP

SPEC = Path(__file__).resolve().parents[2] / "notebooks" / "params" / "exempelstad.yaml"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
CAPTION = re.compile(r"^(Figur|Tabell|Figure|Table) (\d+)\. \S")
#: The fixed Swedish words that must not appear in the English appendix (whole words).
SWEDISH = ("Figur", "Tabell", "Källa", "Sammanfattning", "Bedömning", "Figurer", "Tabeller",
           "Metod", "Data och källor", "Om körningen", "Datauttag", "Skapad", "Programpaket",
           "Resultat", "Slutsatser", "Utfall", "Vikt", "Kommun", "Kommunkod", "SIMULERADE",
           "egen bearbetning", "uppgift saknas", "procentenheter", "hushåll")


# --------------------------------------------------------------------------- the run
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The demo spec estimated in-process without the notebook (three designs, for speed: the
    decomposition, the ITS and the synthetic control give the decomposition, counterfactual,
    effect-path and placebo figures and a weights table), and the first outcome's figures saved
    as write_outputs names them (PNG only)."""
    from evaluation.evaluate import Evaluation
    from evaluation.report import figures
    from evaluation.spec import load_spec

    spec = dataclasses.replace(load_spec(SPEC),
                               designs=["decomposition", "its", "synthetic_control"])
    ev = Evaluation.from_spec(spec)
    ev.estimate()
    summary = ev.summary()
    folder = tmp_path_factory.mktemp("run")
    first = spec.outcomes[0]
    for r in ev.results:
        if r.outcome != first:
            continue
        for suffix, fig in figures.design_figures(r, language="sv", simulated=True):
            figures.save_figure(fig, folder / "figurer", f"{r.outcome}_{r.design}{suffix}",
                                formats=("png",))
    return ev, summary, folder


@pytest.fixture(scope="module")
def bilaga_sv(run):
    ev, summary, folder = run
    args = D.bilaga_arguments(ev, folder, summary=summary, created="2024-05-01", commit=COMMIT)
    path = D.write_bilaga(folder / "bilaga.docx", **args)
    return path, args


@pytest.fixture(scope="module")
def bilaga_en(run):
    ev, summary, folder = run
    language = ev.spec.language
    ev.spec.language = "en"  # the same run reported in English
    try:
        args = D.bilaga_arguments(ev, folder, summary=summary, created="2024-05-01",
                                  commit=COMMIT)
    finally:
        ev.spec.language = language
    path = D.write_bilaga(folder / "bilaga_en.docx", **args)
    return path, args


# --------------------------------------------------------------------------- helpers
def _body(document) -> list:
    """Paragraphs and tables in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(element, document))
        elif tag == "tbl":
            out.append(Table(element, document))
    return out


def _pictures(paragraph) -> list:
    return paragraph._p.xpath(".//wp:inline | .//wp:anchor")


def _full_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _captions(document) -> list:
    return [p for p in document.paragraphs if p.style.name == "Caption"]


def _check_structure(path: Path, n_figures: int, n_tables: int, figure: str, table: str,
                     source: str) -> None:
    document = docx.Document(str(path))
    captions = _captions(document)
    # every caption: Caption style, "Figur n." / "Tabell n.", consecutive per kind
    numbers: dict[str, list[int]] = {figure: [], table: []}
    for p in captions:
        m = CAPTION.match(p.text)
        assert m, f"caption does not start with '{figure} n.' or '{table} n.': {p.text!r}"
        numbers[m.group(1)].append(int(m.group(2)))
        assert f"SEQ {m.group(1)}" in p._p.xml  # a real Word caption field
    assert numbers[figure] == list(range(1, n_figures + 1))
    assert numbers[table] == list(range(1, n_tables + 1))
    # paragraphs that start like a caption are captions
    for p in document.paragraphs:
        if CAPTION.match(p.text):
            assert p.style.name == "Caption", p.text

    body = _body(document)
    pictures = 0
    for i, item in enumerate(body):
        if isinstance(item, docx.table.Table):
            before, after = body[i - 1], body[i + 1]
            assert before.style.name == "Caption" and before.text.startswith(f"{table} ")
            assert after.text.startswith(f"{source}: ") and len(after.text) > len(source) + 3
            continue
        inlines = _pictures(item)
        if not inlines:
            continue
        pictures += len(inlines)
        caption = body[i + 1]  # Swedish practice: the caption below the figure
        assert caption.style.name == "Caption" and caption.text.startswith(f"{figure} ")
        for inline in inlines:
            descr = inline.xpath("./wp:docPr/@descr")
            assert descr, "picture without alt text"
            alt = descr[0].strip()
            assert alt.rstrip(".") not in (figure, f"{figure} {pictures}"), alt
            assert len(alt.split()) >= 12, f"alt text too thin: {alt!r}"
    assert pictures == n_figures
    assert len(document.tables) == n_tables
    for t in document.tables:
        assert t.style.name == "Table Grid"


# --------------------------------------------------------------------------- Swedish
def test_bilaga_swedish_structure(bilaga_sv):
    path, args = bilaga_sv
    assert len(args["figures"]) == 5  # decomposition 1, ITS 2, synthetic control 2
    assert len(args["tables"]) >= 2
    _check_structure(path, len(args["figures"]), len(args["tables"]), "Figur", "Tabell",
                     "Källa")


def test_bilaga_swedish_content(bilaga_sv, run):
    from evaluation.report.text import t, verdict_sentence

    path, args = bilaga_sv
    _ev, summary, _folder = run
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[0].text == summary["title"]
    banner = paragraphs[1]
    assert banner.text == t("simulated_banner", "sv") == "SIMULERADE DATA – fiktiv kommun"
    assert str(banner.runs[0].font.color.rgb) == "C00000"
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    for heading in ("Sammanfattning", "Bedömning per utfall", "Figurer", "Tabeller", "Metod",
                    "Data och källor", "Om körningen"):
        assert heading in headings
    assert headings.count("Sammanfattning") == 1
    texts = [p.text for p in paragraphs]
    assert texts.count(banner.text) == 1  # the narrative's banner line is not repeated
    assert texts.count(summary["title"]) == 1
    # the summary's Markdown: bullets and bold, no Markdown markers left
    assert any(p.style.name == "List Bullet" for p in paragraphs)
    assert not any("**" in p.text or p.text.startswith("#") for p in paragraphs)
    # one verdict sentence per outcome
    for v in summary["verdict"].values():
        assert verdict_sentence(v, summary["results"], "sv") in texts
    # the sources: the demo data, and one "Källa:" line per table
    sources = texts[texts.index("Data och källor") + 1:texts.index("Om körningen")]
    assert sources == ["Källa: simulerade data för en fiktiv kommun (demo)"]
    provenance = texts[texts.index("Om körningen") + 1:]
    assert provenance[:3] == [f"Datauttag: {summary['data_vintage']}",
                              f"Programversion (git-commit): {COMMIT}", "Skapad: 2024-05-01"]
    assert provenance[3].startswith("Programpaket: python ")
    # A4, figures as wide as the text column
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    text_width = section.page_width - section.left_margin - section.right_margin
    for shape in document.inline_shapes:
        assert shape.width <= text_width
    assert abs(document.inline_shapes[0].width.cm - D.FIGURE_WIDTH_CM) < 0.05
    # only built-in styles
    used = {p.style.name for p in paragraphs}
    assert used <= {"Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Normal",
                    "List Bullet", "Caption"}, used
    props = document.core_properties
    fixed = FIXED_TIMESTAMP.replace(tzinfo=dt.timezone.utc)  # python-docx reads UTC back
    assert props.created == fixed and props.modified == fixed
    assert props.title == summary["title"] and props.language == "sv-SE"


def test_bilaga_is_deterministic(bilaga_sv, tmp_path):
    _path, args = bilaga_sv
    small = dict(args, figures=args["figures"][:1], tables=args["tables"][:1])
    first = D.write_bilaga(tmp_path / "a.docx", **small).read_bytes()
    second = D.write_bilaga(tmp_path / "b.docx", **small).read_bytes()
    assert first == second


# --------------------------------------------------------------------------- English
def test_bilaga_english(bilaga_en):
    path, args = bilaga_en
    _check_structure(path, len(args["figures"]), len(args["tables"]), "Figure", "Table",
                     "Source")
    document = docx.Document(str(path))
    text = _full_text(document)
    # the spec's title is the user's own text, not a fixed word
    text = text.replace(args["summary"]["title"], "")
    alts = " ".join(str(f["alt"]) for f in args["figures"])
    for word in SWEDISH:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        assert not pattern.search(text), f"Swedish word {word!r} in the English appendix"
        assert not pattern.search(alts), f"Swedish word {word!r} in an English alt text"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert {"Summary", "Verdict per outcome", "Figures", "Tables", "Method",
            "Data and sources", "About this run"} <= set(headings)
    assert "SIMULATED DATA – fictional municipality" in text
    assert "Source: simulated data for a fictional municipality (demo)" in text
    assert document.core_properties.language == "en-GB"


# --------------------------------------------------------------------------- pieces
def test_kolada_source_line_and_table_source(tmp_path):
    sources = D.source_entries({"sources_by_measure": {
        "a": ["Kolada, egen bearbetning"], "b": ["Kolada, egen bearbetning", "SCB"]}})
    assert sources == [{"name": "Kolada", "citation": "Källa: Kolada, egen bearbetning"},
                       {"name": "SCB", "citation": "Källa: SCB, egen bearbetning"}]
    english = D.source_entries({"sources_by_measure": {"a": ["Kolada, egen bearbetning"]}},
                               "en")
    assert english == [{"name": "Kolada", "citation": "Source: Kolada, own processing"}]
    frame = pd.DataFrame({"Kommun": ["Arboga", "Köping"], "Andel": [0.1234, 12.5],
                          "Antal": [3, None], "Prel.": [True, False]})
    path = D.write_bilaga(
        tmp_path / "bilaga.docx", summary={"title": "Utvärdering av X"}, figures=[],
        tables=[{"frame": frame, "caption": "Andelar", "source": "Kolada, egen bearbetning"}],
        narrative_md="# Utvärdering av X\n\nEn **fet** och *kursiv* mening.\n\n- ett\n- två\n"
                     "  fortsättning\n\n## Mer\n\nText `kod`.",
        method_text="Metodtext.", sources=[{"name": "Kolada",
                                            "citation": "Källa: Kolada, egen bearbetning"}],
        provenance={"data_vintage": "2024-05", "commit": None, "created": "2024-05-01"})
    document = docx.Document(str(path))
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    assert texts[0] == ("Title", "Utvärdering av X")
    assert ("Heading 1", "Sammanfattning") in texts and ("Heading 1", "Mer") in texts
    assert ("List Bullet", "två fortsättning") in texts
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    italic = [r.text for p in document.paragraphs for r in p.runs if r.italic]
    assert "fet" in bold and "kursiv" in italic
    assert ("Normal", "Text kod.") in texts
    assert texts.count(("Normal", "Källa: Kolada, egen bearbetning")) == 2  # table and sources
    assert ("Normal", "Programversion (git-commit): uppgift saknas") in texts
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows == [["Kommun", "Andel", "Antal", "Prel."], ["Arboga", "0,12", "3", "ja"],
                    ["Köping", "12,50", "–", "nej"]]
    assert not any("SIMULERADE" in p.text for p in document.paragraphs)


def test_alt_text_is_required(tmp_path, run):
    _ev, _summary, folder = run
    png = sorted((folder / "figurer").glob("*.png"))[0]
    common = dict(summary={"title": "T"}, tables=[], narrative_md="", method_text="",
                  sources=[], provenance={})
    for alt in ("", "Figur", "Figur 1."):
        with pytest.raises(ValueError, match="alt text"):
            D.write_bilaga(tmp_path / "x.docx", figures=[{"png": png, "caption": "C",
                                                          "alt": alt}], **common)


# --------------------------------------------------------------------------- PDF
def test_bilaga_converts_to_pdf(bilaga_sv, tmp_path):
    """LibreOffice renders every caption and every "Källa:" line (needs soffice + pdftotext;
    CI installs them through scripts/ci_tools.sh)."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        missing = ", ".join(n for n, p in (("soffice", soffice), ("pdftotext", pdftotext))
                            if not p)
        pytest.skip("LibreOffice (soffice) and pdftotext are not installed: missing "
                    f"{missing} (apt-get install libreoffice-writer-nogui poppler-utils)")
    path, _args = bilaga_sv
    profile = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, timeout=120, capture_output=True)
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.is_file()
    out = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True, timeout=60,
                         capture_output=True, text=True).stdout
    flat = " ".join(unicodedata.normalize("NFKC", out).split())  # ligatures as letters
    document = docx.Document(str(path))
    wanted = [p.text for p in _captions(document)]
    wanted += [p.text for p in document.paragraphs if p.text.startswith("Källa: ")]
    assert len(wanted) > 5
    for line in wanted:
        line = " ".join(unicodedata.normalize("NFKC", line).split())
        assert line in flat, f"not in the PDF: {line!r}"


# --------------------------------------------------------------------------- the CI step
CI_TOOLS = Path(__file__).resolve().parents[2] / "scripts" / "ci_tools.sh"
FAKE_APT = """#!/usr/bin/env bash
# fake apt-get: logs its call; "install" puts the packages' programs into $FAKE_BIN
echo "apt-get $*" >> "$FAKE_LOG"
if [ "$1" = update ]; then : > "$FAKE_BIN/.updated"; exit 0; fi
if [ -n "${FAKE_NEEDS_UPDATE:-}" ] && [ ! -e "$FAKE_BIN/.updated" ]; then exit 100; fi
for pkg in "$@"; do
  case "$pkg" in
    chromium) progs=chromium ;; chromium-driver) progs=chromedriver ;;
    libreoffice-writer-nogui) progs=soffice ;; poppler-utils) progs=pdftotext ;; *) progs= ;;
  esac
  for prog in $progs; do
    [ "$prog" = "${FAKE_BROKEN:-}" ] && continue
    printf '#!/bin/sh\\n' > "$FAKE_BIN/$prog"; chmod +x "$FAKE_BIN/$prog"
  done
done
"""


def _ci_tools(tmp_path: Path, *, ci: str | None, present=(), apt: bool = True, **env: str):
    """Run scripts/ci_tools.sh with a PATH of only bash & co, fake programs and a fake
    apt-get (never the real one): (return code, stderr, the apt-get calls)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    fake, system = tmp_path / "bin", tmp_path / "sys"
    fake.mkdir()
    system.mkdir()
    for tool in ("bash", "env", "id", "chmod", "sh"):
        real = shutil.which(tool)
        assert real, tool
        (system / tool).symlink_to(real)
    for prog in present:
        (fake / prog).write_text("#!/bin/sh\n")
        (fake / prog).chmod(0o755)
    log = tmp_path / "apt.log"
    log.write_text("")
    if apt:
        (fake / "apt-get").write_text(FAKE_APT)
        (fake / "apt-get").chmod(0o755)
    environ = {"PATH": f"{fake}:{system}", "FAKE_BIN": str(fake), "FAKE_LOG": str(log),
               "HOME": str(tmp_path), **env}
    if ci is not None:
        environ["CI"] = ci
    done = subprocess.run([str(system / "bash"), str(CI_TOOLS)], env=environ,
                          capture_output=True, text=True, timeout=30)
    return done.returncode, done.stderr, log.read_text().splitlines()


ALL_TOOLS = ("chromium", "chromedriver", "soffice", "pdftotext")


def test_ci_tools_does_nothing_outside_ci(tmp_path):
    assert _ci_tools(tmp_path / "unset", ci=None) == (0, "", [])
    assert _ci_tools(tmp_path / "false", ci="false") == (0, "", [])


def test_ci_tools_is_idempotent(tmp_path):
    assert _ci_tools(tmp_path, ci="true", present=ALL_TOOLS) == (0, "", [])


def test_ci_tools_installs_what_is_missing(tmp_path):
    code, err, calls = _ci_tools(tmp_path, ci="true", present=("chromium", "chromedriver"))
    assert code == 0, err
    assert calls == ["apt-get install -y --no-install-recommends libreoffice-writer-nogui "
                     "poppler-utils"]  # no update when the install works
    assert all((tmp_path / "bin" / tool).exists() for tool in ALL_TOOLS)


def test_ci_tools_updates_only_when_the_install_fails(tmp_path):
    code, err, calls = _ci_tools(tmp_path, ci="true", FAKE_NEEDS_UPDATE="1")
    assert code == 0, err
    packages = "chromium chromium-driver libreoffice-writer-nogui poppler-utils"
    assert calls == [f"apt-get install -y --no-install-recommends {packages}",
                     "apt-get update",
                     f"apt-get install -y --no-install-recommends {packages}"]


def test_ci_tools_fails_clearly(tmp_path):
    code, err, _calls = _ci_tools(tmp_path / "broken", ci="true", FAKE_BROKEN="soffice")
    assert code == 1 and "still not on PATH" in err and "soffice" in err
    code, err, calls = _ci_tools(tmp_path / "no-apt", ci="true", present=ALL_TOOLS[:3],
                                 apt=False)
    assert code == 1 and "pdftotext" in err and "apt-get is not available" in err
    assert calls == []
