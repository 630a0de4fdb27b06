"""The report's layout pieces that need no evaluation: figures with alt text and numbered
captions, the glossary's wording, collapsed outputs in the HTML, and change notes that list only
what shows at the printed precision (issue 13)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from evaluation.report import html as H
from evaluation.report import show
from evaluation.report import text as T


class _Report:
    """What :func:`show.figure_html` reads of an evaluation: its language."""

    def __init__(self, language: str = "sv") -> None:
        self.language = language


def _figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [1, 2, 3], label="Observerat")
    ax.plot([0, 1, 2], [1, 1.5, 2], label="Kontrafaktiskt utfall")
    ax.set_ylabel("Inskrivna arbetslösa (%)")
    ax.set_xticks([0, 1, 2], ["2015", "2018", "2023"])
    ax.legend()
    return fig


def test_figure_has_a_describing_alt_text_and_numbered_captions():
    report = _Report("sv")
    first = show.figure_html(report, _figure(), "Arbetslösheten i Exempelstad")
    second = show.figure_html(report, _figure(), "Något annat")
    assert first.startswith('<figure class="report-figure" id="figure-1">')
    assert "<figcaption>Figur 1. Arbetslösheten i Exempelstad</figcaption>" in first
    assert "<figcaption>Figur 2. Något annat</figcaption>" in second
    alt = re.search(r'alt="([^"]*)"', first).group(1)
    assert alt.startswith("Arbetslösheten i Exempelstad.")
    for words in ("observerat", "kontrafaktiskt utfall", "Inskrivna arbetslösa (%)", "2015",
                  "2023"):
        assert words in alt, words
    assert re.search(r'width="\d+" height="\d+"', first)
    assert "data:image/png;base64," in first
    # another evaluation counts from 1 again
    assert "Figure 1. x" in show.figure_html(_Report("en"), _figure(), "x")


def test_every_glossary_term_and_layout_text_has_both_languages():
    keys = [k for t in show.GLOSSARY_TERMS for k in (f"glossary.{t}", f"glossary.{t}.text")]
    keys += ["glossary.intro", "question", "question.national", "question.comparison",
             "contents", "section_glossary", "table.lead", "results.others", "details.table",
             "details.more", "glossary.pointer", "details.sensitivity", "details.reliability", "details.data",
             "details.glossary",
             "details.method", "details.headline", "fig.caption", "fig.alt.shows", "fig.alt.y",
             "fig.alt.bars", "fig.alt.x"]
    keys += [k for k in T.TEXTS if k.startswith("fig.caption.")]
    for key in keys:
        assert set(T.TEXTS[key]) == {"sv", "en"}, key
        assert all(T.TEXTS[key][lang].strip() for lang in ("sv", "en")), key
    for key in show.SECTIONS:
        if key != "section_peers":  # its label comes from the peer report
            T.t(key, "sv")
    # the words a committee meets are explained
    terms = " ".join(T.t(f"glossary.{t}", "sv") for t in show.GLOSSARY_TERMS)
    for word in ("KI", "p-värde", "Kontrafaktiskt", "Statistiskt säkerställd", "Avbruten tidsserie",
                 "Syntetisk kontroll", "Skillnad-i-skillnader", "Placebotest",
                 "Minsta upptäckbara effekt", "Procentenhet", "AR(1)"):
        assert word in terms, word


def test_an_output_marked_details_is_collapsed_in_the_html(tmp_path):
    nb = new_notebook()
    nb.cells = [new_code_cell("show.headline(ev)", outputs=[new_output(
        "display_data", data={"text/markdown": "Hela **sammanfattningen**."},
        metadata={"evaluation": {"details": "Sammanfattningen i löptext"}})]),
        new_code_cell("x", outputs=[new_output(
            "display_data", data={"text/markdown": "Synlig text."})])]
    path = tmp_path / "r.ipynb"
    nbformat.write(nb, path)
    out = H.export_html(path, tmp_path / "r.html", title="T").read_text(encoding="utf-8")
    body = out[out.index("<body"):]
    collapsed = re.search(r"<details[^>]*><summary>Sammanfattningen i löptext</summary>(.*?)"
                          r"</details>", body, re.S)
    assert collapsed and "<strong>sammanfattningen</strong>" in collapsed.group(1)
    assert "Synlig text." in body and "Synlig text." not in collapsed.group(1)


def _changes(**kw):
    base = {"previous_vintage": "2025-11-aaaa", "same_data": False, "new_periods": [],
            "revised": [], "finalised": [], "results": [], "weights": []}
    return base | kw


def test_change_notes_list_only_what_shows_and_counts_as_whole_numbers():
    text = T.changes_text(_changes(
        revised=[{"outcome": "households_assistance", "period": "2025-06", "old": 150.0,
                  "new": 147.0},
                 {"outcome": "households_assistance", "period": "2025-07", "old": 150.2,
                  "new": 149.9}],
        results=[{"outcome": "unemployment_rate", "design": "its", "old": -1.2801,
                  "new": -1.2799, "old_ci": [-1.9, -0.6], "new_ci": [-1.9, -0.6000001],
                  "old_verdict": "significant_decrease", "new_verdict": "significant_decrease"}],
        weights=[{"outcome": "unemployment_rate", "unit": "0546", "old": 0.3351,
                  "new": 0.3449}]), "sv")
    assert "juni 2025 (150 → 147)" in text and "150,00" not in text
    assert "juli 2025" not in text  # 150 → 150 is no change a reader can see
    assert "Ändrade skattningar" not in text and "Skattningarna är oförändrade." in text
    assert "0546" not in text and "−1,28" not in text


def test_change_notes_name_a_moved_estimate_in_the_reports_precision():
    text = T.changes_text(_changes(results=[
        {"outcome": "households_assistance", "design": "its", "old": -22.61, "new": -25.2,
         "old_ci": [-49.9, 1.09], "new_ci": [-50.0, 2.0], "old_verdict": "no_significant_effect",
         "new_verdict": "no_significant_effect"},
        {"outcome": "unemployment_rate", "design": "did", "old": -1.2801, "new": -1.2799,
         "old_ci": [-1.9, -0.6], "new_ci": [-2.1, -0.6], "old_verdict": "no_significant_effect",
         "new_verdict": "no_significant_effect"}]), "sv")
    assert "hushåll med ekonomiskt bistånd: −23 → −25 (samma bedömning)" in text
    # the same estimate at the printed precision: the interval says what moved
    assert "−1,3 (−1,9 till −0,6) → −1,3 (−2,1 till −0,6)" in text
    # a finalised value that did not move is named with its one value
    final = T.changes_text(_changes(finalised=[
        {"outcome": "households_assistance", "period": "2025-10", "old": 150.2, "new": 150.0}]),
        "sv")
    assert "oktober 2025 (150)" in final


def test_a_page_figure_is_drawn_once_at_the_page_resolution(monkeypatch):
    """The appendix's figures (drawn for the page alone) take one draw, not savefig's layout
    draw, tight-box pass and output draw; the PNG is the figure's size at the page's dpi (no
    cropping, as the design figures on the page)."""
    import base64
    import io

    from matplotlib.figure import Figure
    from PIL import Image

    from evaluation.report.figure_files import PAGE_DPI

    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: (draws.append(renderer),
                                                                original(self, renderer)))
    fig = _figure()
    fig.set_layout_engine("constrained")  # as the report's figures
    width, height = (int(v * PAGE_DPI) for v in fig.get_size_inches())
    out = show.figure_html(_Report("sv"), fig, "x")
    assert len(draws) == 1
    png = base64.b64decode(re.search(r"base64,([^\"]+)\"", out).group(1))
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (width, height)
        assert round(image.info["dpi"][0]) == PAGE_DPI
