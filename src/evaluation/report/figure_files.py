"""Each design figure drawn once, for the page and for the files.

A design's figures appear twice in a run: on the report page (in the notebook's results
section) and as files under ``figurer/`` (``write_outputs``). Drawing a figure is mostly
Python-side work that does not depend on the resolution, so a figure is built and drawn once,
with the data's source line, as PNG at 300 dpi and SVG (:func:`~evaluation.report.figures.
render_figure`); the page shows that PNG scaled to the page's resolution
(:func:`page_png`: reduced to 100 dpi), and ``write_outputs`` writes the same bytes. The drawings are remembered
per evaluation and result object.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt

#: Resolution of the figures drawn for the page alone (sensitivity, target, pooled figures).
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


def design_figure_files(ev: Any, result: Any) -> list[FigureFiles]:
    """The figures of ``result`` (one of ``ev``'s results), drawn once per evaluation."""
    from evaluation.report import figures
    from evaluation.report.show import describe_figure

    memory = getattr(ev, "_figure_files", None)
    if memory is None:
        memory = ev._figure_files = {}
    key = (id(result), ev.language, ev.simulated)
    found = memory.get(key)
    if found is not None and found[0] is result:
        return found[1]
    drawn = []
    for suffix, fig in figures.design_figures(result, language=ev.language,
                                              simulated=ev.simulated,
                                              source=ev.figure_source(result.outcome)):
        try:
            files = figures.render_figure(fig)
            categories = not suffix and result.design == "decomposition"
            description = describe_figure(fig, ev.language, categories=categories)
        finally:
            plt.close(fig)
        drawn.append(FigureFiles(suffix, files, description))
    memory[key] = (result, drawn)
    return drawn


def page_png(png: bytes) -> bytes:
    """A PNG drawn at the files' resolution (300 dpi), reduced to the page's: every 3 × 3
    block of pixels averaged (100 dpi; a box filter, which keeps text smooth and costs a
    fraction of drawing the figure again)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        small = image.reduce(PAGE_REDUCE)
    out = io.BytesIO()
    small.save(out, format="PNG", compress_level=3)
    return out.getvalue()
