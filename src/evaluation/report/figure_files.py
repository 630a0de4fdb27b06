"""Each report figure drawn once, for the page and for the files.

A design's figures, and those of the sensitivity, target, peer and pooled sections, appear twice
in a run: on the report page and as files under ``figurer/`` (``write_outputs``). Drawing a
figure is mostly Python-side work that does not depend on the resolution, so a figure is built
and drawn once, with the data's source line, as PNG at 300 dpi and SVG
(:func:`~evaluation.report.figures.render_figure`); the page shows that PNG scaled to the page's
resolution (:func:`page_png`: reduced to 100 dpi), and ``write_outputs`` writes the same bytes.
The drawings are remembered per evaluation: a design's per result object, a section's per state
of the evaluation.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

#: Resolution of the figures drawn for the page alone (the appendix's data figures,
#: :func:`evaluation.report.show.figure_html`); the figures that are also files are reduced.
PAGE_DPI = 110
#: The design figures on the page are the files' 300-dpi PNG reduced by this factor (100 dpi).
PAGE_REDUCE = 3


@dataclass(frozen=True)
class FigureFiles:
    """One drawn figure: its file suffix, its contents per format and what it shows (the
    alt text's description, read off the drawn figure)."""

    suffix: str
    files: dict[str, bytes]
    description: str
    #: The PNG as the page shows it (:func:`page_png` of the file), reduced from the drawn
    #: pixels.
    page: bytes


def _remembered(ev: Any, key: tuple, held: tuple,
                draw: Callable[[], list[FigureFiles]]) -> list[FigureFiles]:
    """``draw()``'s figures, remembered on ``ev`` under ``key`` while the objects ``held`` (those
    whose ids are in the key) are the same; holding them keeps their ids from being reused."""
    memory = ev.__dict__.setdefault("_figure_files", {})
    found = memory.get(key)
    if found is not None and len(found[0]) == len(held) and all(
            a is b for a, b in zip(found[0], held)):
        return found[1]
    drawn = draw()
    memory[key] = (held, drawn)
    return drawn


def _draw(pairs: Iterable[tuple[str, Any]], language: str,
          categories: Callable[[str], bool] = lambda suffix: False) -> list[FigureFiles]:
    """Each ``(suffix, figure)`` drawn as PNG and SVG, described (after drawing, when its tick
    labels exist; ``categories(suffix)`` for a bar chart) and closed."""
    from evaluation.report import figures
    from evaluation.report.show import describe_figure

    drawn = []
    for suffix, fig in pairs:
        try:
            files, pixels = figures.render_figure_pixels(fig)
            description = describe_figure(fig, language, categories=categories(suffix))
        finally:
            figures.close(fig)
        drawn.append(FigureFiles(suffix, files, description, _reduced(pixels)))
    return drawn


def design_figure_files(ev: Any, result: Any) -> list[FigureFiles]:
    """The figures of ``result`` (one of ``ev``'s results), drawn once per evaluation."""
    from evaluation.report import figures

    def draw() -> list[FigureFiles]:
        pairs = figures.design_figures(result, language=ev.language, simulated=ev.simulated,
                                       source=ev.figure_source(result.outcome))
        return _draw(pairs, ev.language,
                     lambda suffix: not suffix and result.design == "decomposition")
    return _remembered(ev, ("design", id(result), ev.language, ev.simulated), (result,), draw)


def section_figure_files(ev: Any, name: str,
                         build: Callable[[], list[tuple[str, Any]]]) -> list[FigureFiles]:
    """The figures of a report section that are shown on the page and written as files (the
    sensitivity grid, the target, the peers, the kommuner with the same change), drawn once
    per state of the evaluation (:meth:`~evaluation.evaluate.Evaluation._summary_state`):
    ``build()`` gives ``(file stem, figure)`` pairs, each figure with its source line; here
    :attr:`FigureFiles.suffix` holds the whole file stem. The page shows the PNG through
    :func:`page_png`, ``write_outputs`` writes the files."""
    return _remembered(ev, ("section", name, ev._summary_state(), ev.simulated),
                       ev.state_objects(), lambda: _draw(build(), ev.language))


def page_png(png: bytes) -> bytes:
    """A PNG drawn at the files' resolution (300 dpi), reduced to the page's: every 3 × 3
    block of pixels averaged (100 dpi; a box filter, which keeps text smooth and costs a
    fraction of drawing the figure again)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return _reduced(image)


def _reduced(image: Any) -> bytes:
    """The page's PNG of a figure's 300-dpi pixels (see :func:`page_png`)."""
    from evaluation.report import png

    return png.encode(image.reduce(PAGE_REDUCE))


# ------------------------------------------------------------------ the sections' figures
def sensitivity_files(ev: Any, outcome: str) -> list[FigureFiles]:
    """The sensitivity grid's figure of ``outcome`` (file ``<outcome>_kanslighet``)."""
    from evaluation.report import figures

    return section_figure_files(ev, f"sensitivity:{outcome}", lambda: [(
        f"{outcome}_kanslighet",
        figures.sensitivity_plot(ev.sensitivity_grid, ev.results, outcome, language=ev.language,
                                 simulated=ev.simulated, source=ev.figure_source(outcome)))])


def target_files(ev: Any) -> list[FigureFiles]:
    """The target follow-up's figure (file ``mal``)."""
    from evaluation.report.style import source_line
    from evaluation.report.target_report import target_figure

    def build() -> list[tuple[str, Any]]:
        fig = target_figure(ev.target_result, ev.language, ev.simulated)
        source_line(fig, ev.figure_source(), ev.language)
        return [("mal", fig)]
    return section_figure_files(ev, "target", build)


def peer_files(ev: Any) -> list[FigureFiles]:
    """The peer comparison's figures, one per measure (files ``<measure>_jamforelse``)."""
    from evaluation.report.peer_report import peer_figures
    from evaluation.report.style import source_line

    def build() -> list[tuple[str, Any]]:
        drawn = peer_figures(ev.peer_table, ev.language, ev.simulated)
        for _, fig in drawn:
            source_line(fig, ev.figure_source(), ev.language)
        return drawn
    return section_figure_files(ev, "peers", build)


def pooled_files(ev: Any, pooled: Any) -> list[FigureFiles]:
    """The figures of the kommuner with the same change, one per outcome, from the summary's
    ``pooled`` part (files from :func:`~evaluation.report.pooled_report.figure_stem`)."""
    from evaluation.report.pooled_report import pooled_figures, pooled_source

    where = pooled_source(pooled, ev.figure_source())
    return section_figure_files(ev, "pooled", lambda: pooled_figures(
        pooled, ev.language, ev.simulated, source=where))
