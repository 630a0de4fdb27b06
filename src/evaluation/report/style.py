"""One look for every report figure: palette, fonts, sizes, and the helpers the figures share.

Figures are made to be pasted into a Word document at the width of an A4 text column (16 cm) and
printed: the sizes below are the sizes on paper, and the PNG is written at 300 dpi.

* :data:`PALETTE` — the Okabe–Ito colours (readable with the common colour-vision deficiencies,
  and in greyscale thanks to the line styles), with named roles (:data:`OBSERVED_COLOR` …);
* :data:`RC` / :func:`rc_context` / :func:`styled` — the matplotlib settings (DejaVu Sans, the
  font sizes, the true minus sign ``axes.unicode_minus``);
* :func:`source_line` — the "Källa: …" / "Source: …" line under a figure;
* :func:`mark_intervention` — the intervention line and its label, never over a tick label;
* :func:`minus` — a text with the true minus sign "−" instead of the ASCII hyphen-minus.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import matplotlib
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import blended_transform_factory

from evaluation.report.format import Language, check_language

CM = 1 / 2.54
#: Width of an A4 text column (2,5 cm margins): figures are drawn at their printed size.
FIG_WIDTH = 16 * CM
FIGSIZE = (FIG_WIDTH, 9.5 * CM)
DPI = 300

#: Okabe & Ito (2008), "Color universal design": safe for the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Colour cycle for categories (designs in the sensitivity figure …), most distinct first.
#: Vermillion is kept out of the first places: it marks the counterfactual and flipped results.
PALETTE = tuple(OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "reddish_purple",
                                       "sky_blue", "vermillion", "black", "yellow"))

OBSERVED_COLOR = OKABE_ITO["blue"]
COUNTERFACTUAL_COLOR = OKABE_ITO["vermillion"]
EFFECT_COLOR = OKABE_ITO["blue"]
COMPARISON_COLOR = "#7a7a7a"  # neutral grey: a context series, not a result
DECREASE_COLOR = OKABE_ITO["bluish_green"]
INCREASE_COLOR = OKABE_ITO["orange"]
FLIP_COLOR = OKABE_ITO["vermillion"]
INTERVENTION_COLOR = OKABE_ITO["black"]
EVENT_COLOR = "#6b6b6b"
POST_SHADE = "#ececec"
TEXT_GREY = "#4d4d4d"
WATERMARK_COLOR = "#b00020"

#: Shipped with matplotlib, so every machine draws (and measures) the same glyphs.
FONT_FAMILY = "DejaVu Sans"
TITLE_SIZE = 10.0
LABEL_SIZE = 8.5
TICK_SIZE = 8.0
LEGEND_SIZE = 8.0
NOTE_SIZE = 7.5  # the intervention label, bar values
SMALL_SIZE = 7.0  # event labels, dense tick labels
SOURCE_SIZE = 7.0

MINUS = "\u2212"

#: matplotlib settings of every report figure.
RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": LABEL_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.labelsize": LABEL_SIZE,
    "axes.unicode_minus": True,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    # matplotlib's defaults for these are "C0", the cycle's first colour, which it looks up in
    # the cycle each time (about 0.8 ms; every spine, axes background and legend line starts
    # with it: 0.15 CPU-s a run); the colour itself, so nothing changes in the figures
    "lines.color": PALETTE[0],
    "patch.facecolor": PALETTE[0],
    "xtick.labelsize": TICK_SIZE,
    "ytick.labelsize": TICK_SIZE,
    "legend.fontsize": LEGEND_SIZE,
    "figure.figsize": FIGSIZE,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
}

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def rc_context() -> Iterator[None]:
    """The report style for the figures created inside the block."""
    with matplotlib.rc_context(RC):
        yield


def styled(func: F) -> F:
    """Run a figure function inside :func:`rc_context`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with rc_context():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


_HYPHEN_MINUS = re.compile(r"(?<!\w)-(?=\d|[.,]\d)")


def minus(text: str) -> str:
    """``text`` with the true minus sign: "-87..-85" → "−87..−85" (a hyphen inside a word, as
    in "p-värde", stays)."""
    return _HYPHEN_MINUS.sub(MINUS, str(text))


def style_axes(ax: Axes, *, twin: bool = False) -> None:
    """Tick sizes, colours and spines of a report axes (ticks are made lazily when the figure is
    drawn, so the sizes are set on the axes rather than left to the rc settings)."""
    ax.tick_params(axis="both", labelsize=TICK_SIZE, colors=TEXT_GREY, labelcolor="black",
                   width=0.6, length=3)
    for name, spine in ax.spines.items():
        spine.set_linewidth(0.6)
        if not twin and name in ("top", "right"):
            spine.set_visible(False)
        if twin and name == "top":
            spine.set_visible(False)


# --------------------------------------------------------------------------- source line
SOURCE_GID = "source"
#: Height of the strip kept for the source line, in points (one line with some air).
SOURCE_STRIP = SOURCE_SIZE * 1.9


def source_text(source: str | None, language: Language = "sv") -> str:
    """The source line: "Källa: SCB, egen bearbetning" / "Source: SCB, own calculations".

    A source that already says it was processed ("Kolada, egen bearbetning") is kept as it is;
    a leading "Källa:"/"Source:" is not repeated; the data's Swedish source names are put in
    the report's language (:func:`evaluation.report.text.source_label`); without a source the
    line says the numbers are the evaluator's own calculations ("Källa: Egen bearbetning").
    """
    from evaluation.report import text as catalogue

    check_language(language)
    own = catalogue.t("source.own", language)
    text = re.sub(r"^\s*(källa|källor|source|sources)\s*:\s*", "", str(source or ""),
                  flags=re.IGNORECASE).strip().rstrip(".")
    translate = getattr(catalogue, "source_label", None)  # "simulerade data" in English …
    if text and translate is not None:
        text = translate(text, language)
    if not text:
        text = own[:1].upper() + own[1:]
    elif not re.search(r"bearbetning|calculations|processing", text, re.IGNORECASE):
        text = f"{text}, {own}"
    return catalogue.t("source.line", language, source=text)


def source_line(fig: Figure, text: str | None, language: Language = "sv") -> Text:
    """Write (or rewrite) the source line at the lower left of ``fig``, under everything else.

    ``text`` is the source ("SCB", "Kolada, egen bearbetning" …) or a full line starting with
    "Källa:"/"Source:"; see :func:`source_text`. With a constrained layout a strip at the bottom
    is kept free for the line, so it never covers the legend or the tick labels (a figure
    without a layout engine has to leave room at its bottom itself). Calling it again replaces
    the line.
    """
    line = source_text(text, language)
    existing = [a for a in fig.texts if a.get_gid() == SOURCE_GID]
    if existing:
        existing[0].set_text(line)
        return existing[0]
    _reserve(fig, bottom=SOURCE_STRIP / 72 / fig.get_figheight())
    for legend in fig.legends:  # a legend under the axes moves up above the line
        if getattr(legend, "_outside_loc", None) == "lower":
            size = legend.prop.get_size_in_points()
            legend.borderaxespad = max(legend.borderaxespad, SOURCE_STRIP / size + 0.2)
    return fig.text(0.008, 0.006, line, ha="left", va="bottom", fontsize=SOURCE_SIZE,
                    color=TEXT_GREY, gid=SOURCE_GID, wrap=False)


def _reserve(fig: Figure, *, bottom: float | None = None, top: float | None = None) -> None:
    """Keep a strip at the bottom and/or top of a constrained layout free (the source line,
    the watermark's corner text), keeping the other edge as it is."""
    engine = fig.get_layout_engine()
    if engine is None or not hasattr(engine, "set") or "rect" not in engine.get():
        return
    left, low, width, height = engine.get()["rect"]
    high = low + height
    if bottom is not None:
        low = max(low, bottom)
    if top is not None:
        high = min(high, top)
    engine.set(rect=(left, low, width, high - low))


def reserve_top(fig: Figure, top: float) -> None:
    """Keep the strip above ``top`` (figure fraction) free of axes."""
    _reserve(fig, top=top)


# --------------------------------------------------------------------------- intervention
INTERVENTION_GID = "intervention"


def mark_intervention(ax: Axes, period: float, label: str | None, *,
                      headroom: float = 0.12) -> Text | None:
    """Draw the intervention as a vertical line at ``period`` (its x position in data
    coordinates, e.g. half a step before the first post period) with ``label`` at the top,
    inside the axes, on a white box.

    The label goes on the side of the line with more room and is wrapped (or, when even that
    does not fit, moved to the legend) so that it stays inside the axes: tick labels are outside
    the axes, so the label never covers one. ``headroom`` (a share of the y range) is added
    above the data, on this axes and its twins, so the label covers no data either.
    Call it after the data and the x limits are set.
    """
    line = ax.axvline(period, color=INTERVENTION_COLOR, linewidth=1.0, zorder=3,
                      gid=INTERVENTION_GID + "-line")
    if not label:
        return None
    lo, hi = ax.get_xlim()
    share = (period - lo) / (hi - lo) if hi != lo else 0.5
    right_side = share < 0.5
    room = (1.0 - share) if right_side else share  # share of the axes width
    fig = ax.get_figure(root=True)
    # width available in characters: the axes shrinks ~15 % under the layout's labels
    width_in = max(0.5, ax.get_position().width * fig.get_figwidth() * 0.85 * room - 0.08)
    per_char = NOTE_SIZE * 0.58 / 72  # average glyph width of DejaVu Sans, inches
    fits = int(width_in / per_char)
    text = label
    if len(label) > fits:
        text = "\n".join(textwrap.wrap(label, max(fits, 1)))
        if max(len(x) for x in text.split("\n")) > fits or text.count("\n") > 1:
            line.set_label(label)  # the legend names the line instead
            return None
    _headroom(ax, headroom * (1 + text.count("\n")))
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    return ax.annotate(
        text, xy=(period, 1.0), xycoords=trans, xytext=(3 if right_side else -3, -3),
        textcoords="offset points", ha="left" if right_side else "right", va="top",
        fontsize=NOTE_SIZE, zorder=6, annotation_clip=False, gid=INTERVENTION_GID,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.2},
    )


def _headroom(ax: Axes, share: float) -> None:
    if share <= 0:
        return
    box = ax.get_position().bounds
    for axes in {ax, *ax.get_shared_x_axes().get_siblings(ax)}:
        if axes.get_position().bounds != box:  # a twin, not another panel sharing x
            continue
        if axes.get_yscale() != "linear":
            continue
        low, high = axes.get_ylim()
        axes.set_ylim(low, high + share * (high - low))
