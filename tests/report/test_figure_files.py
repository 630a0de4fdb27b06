"""Figures drawn once for page and files (evaluation.report.figure_files): a drawing is reused
while the evaluation's state is the same, and drawn again when a part it reads is replaced or
filled — a stale figure on the page or in ``figurer/`` would show another run's numbers."""

from __future__ import annotations

import matplotlib.pyplot as plt

from evaluation.evaluate import Evaluation
from evaluation.report.figure_files import section_figure_files


class _Ev:
    """What the memory reads of an evaluation, with the evaluation's own state methods."""

    STATE_PARTS = Evaluation.STATE_PARTS
    state_objects = Evaluation.state_objects
    _summary_state = Evaluation._summary_state

    def __init__(self):
        self.language, self.simulated = "sv", True
        self.spec, self.inputs = object(), object()
        self.results, self.sensitivity_grid = [], object()


def _builder(calls: list[int]):
    def build():
        calls.append(1)
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [len(calls), 0], label=f"serie {len(calls)}")
        ax.legend()
        return [("x_kanslighet", fig)]
    return build


def test_a_section_figure_is_drawn_once_per_state_of_the_evaluation():
    ev, calls = _Ev(), []
    first = section_figure_files(ev, "sensitivity:x", _builder(calls))
    assert [d.suffix for d in first] == ["x_kanslighet"] and set(first[0].files) == {"png", "svg"}
    assert first[0].files["png"].startswith(b"\x89PNG") and "serie 1" in first[0].description
    assert section_figure_files(ev, "sensitivity:x", _builder(calls)) is first  # page, then files
    assert len(calls) == 1

    ev.sensitivity_grid = object()  # a new grid: drawn again
    second = section_figure_files(ev, "sensitivity:x", _builder(calls))
    assert second is not first and len(calls) == 2 and "serie 2" in second[0].description

    ev.results.append(object())  # a result added in place: drawn again
    section_figure_files(ev, "sensitivity:x", _builder(calls))
    assert len(calls) == 3

    ev.language = "en"  # another language: drawn again
    section_figure_files(ev, "sensitivity:x", _builder(calls))
    assert len(calls) == 4
    section_figure_files(ev, "target", _builder(calls))  # another section: its own drawing
    assert len(calls) == 5


def test_a_figure_with_see_through_pixels_keeps_its_alpha():
    """The drawn pixels become RGB only when every one is opaque (the alpha bytes' minimum is
    255): a figure whose background is not drawn keeps its alpha channel."""
    import numpy as np

    from evaluation.report.figures import _drawn_pixels

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, 1])
    assert _drawn_pixels(fig, 200).mode == "RGB"
    fig.patch.set_visible(False)
    ax.patch.set_visible(False)
    pixels = _drawn_pixels(fig, 200)
    assert pixels.mode == "RGBA" and np.asarray(pixels)[..., 3].min() == 0


def test_the_png_file_has_the_pixels_matplotlib_draws_and_the_page_is_reduced_from_them():
    """The PNG file is encoded from Agg's drawing, not through ``savefig(format="png")``: the
    same pixels as matplotlib's own PNG under the files' settings (RGB, since the figure is
    opaque), 300 dpi recorded, no software stamp; the page's PNG reduced from those pixels
    equals the file's PNG reduced."""
    import io

    import numpy as np
    from PIL import Image

    from evaluation.report.figure_files import page_png
    from evaluation.report.figures import DPI, FILE_RC

    fig, ax = plt.subplots(figsize=(6.3, 3.7), layout="constrained")
    ax.plot(np.arange(40), np.sin(np.arange(40) / 4), label="utfall")
    ax.fill_between(np.arange(40), -0.4, 0.4, alpha=0.3)
    ax.set_title("Arbetslöshet i Exempelstad")
    ax.legend()
    reference = io.BytesIO()
    with plt.rc_context(FILE_RC):  # the files' settings (unhinted text)
        fig.savefig(reference, format="png", dpi=DPI, metadata={"Software": None},
                    facecolor="white")
    (drawn,) = section_figure_files(_Ev(), "pixels", lambda: [("x", fig)])
    with Image.open(io.BytesIO(drawn.files["png"])) as got, \
            Image.open(io.BytesIO(reference.getvalue())) as ref:
        assert got.mode == "RGB" and round(got.info["dpi"][0]) == DPI
        assert "Software" not in got.info
        np.testing.assert_array_equal(np.asarray(got.convert("RGBA")), np.asarray(ref))
    assert drawn.page and drawn.page == page_png(drawn.files["png"])
