"""Figures: drawn from a result, Swedish labels, watermark, deterministic PNG + SVG."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread

from evaluation.data.panel import period_range
from evaluation.report import figures as F
from evaluation.report.text import national_events
from evaluation.results import EffectResult

MINUS = "\u2212"


def _result(kind: str = "rate", *, bands: bool = True) -> EffectResult:
    periods = period_range("2019-01", "2023-12")
    n = len(periods)
    post = np.array([p >= "2022-04" for p in periods])
    rng = np.random.default_rng(0)
    national = 7 + 0.5 * np.sin(np.arange(n) / 6)
    cf = national + 0.7
    observed = cf + rng.normal(0, 0.1, n) - 0.9 * post
    scale = 1.0 if kind == "rate" else 20.0
    frame = pd.DataFrame(
        {"observed": observed * scale, "counterfactual": cf * scale,
         "effect": (observed - cf) * scale, "post": post,
         "comparison": national * (1.0 if kind == "rate" else 20_000.0)},
        index=periods,
    )
    if bands:
        frame["counterfactual_low"] = frame["counterfactual"] - 0.3 * scale
        frame["counterfactual_high"] = frame["counterfactual"] + 0.3 * scale
    avg = float(frame.loc[post, "effect"].mean())
    return EffectResult(
        design="its", outcome="unemployment_rate" if kind == "rate" else "households_assistance",
        kind=kind, unit="pp" if kind == "rate" else "households", treated="9999",
        treated_name="Exempelstad", intervention="2022-04", post_window=("2022-04", "2023-12"),
        frame=frame, average_effect=avg, ci=(avg - 0.4 * scale, avg + 0.4 * scale), p_value=0.001,
        p_value_method="ar1",
    )


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def test_observed_vs_counterfactual_swedish_labels():
    fig = F.observed_vs_counterfactual(_result(), events=national_events("unemployment_rate"))
    fig.canvas.draw()
    texts = _texts(fig)
    assert "Insatsen startar april 2022" in " ".join(texts)
    assert "Observerat" in texts and "Kontrafaktiskt utfall (utan insatsen)" in texts
    assert "95\u00a0%-intervall" in texts
    ax = fig.axes[0]
    assert "(%)" in ax.get_ylabel()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert any("," in t for t in ticks)
    assert not any("." in t for t in ticks)
    assert "SIMULERADE DATA – fiktiv kommun" not in texts


def test_counts_put_the_comparison_on_a_right_axis_and_accept_an_ax():
    fig = Figure()
    ax = fig.add_subplot()
    out = F.observed_vs_counterfactual(_result("count", bands=False), ax=ax, language="en")
    assert out is fig
    assert len(fig.axes) == 2  # twin axis for the national count
    assert fig.axes[0].get_ylabel() == "Number of households"


def test_negative_ticks_use_the_true_minus_sign():
    fig = F.effect_path(_result())
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(t.startswith(MINUS) for t in ticks)
    assert not any(t.startswith("-") for t in ticks)


def test_decomposition_parts_add_up_and_bars_draw():
    result = _result()
    parts = F.decomposition_parts(result)
    assert parts["national"] + parts["local"] == pytest.approx(parts["observed"])
    assert parts["local"] == pytest.approx(result.average_effect)
    result.diagnostics["decomposition"] = {"observed_change": -1.4, "national_change": -0.5}
    assert F.decomposition_parts(result)["national"] == -0.5
    fig = F.decomposition_bars(result, language="en", simulated=True)
    assert "SIMULATED DATA – fictional municipality" in _texts(fig)


def test_save_figure_png_svg_watermark_and_determinism(tmp_path):
    paths = F.save_figure(F.observed_vs_counterfactual(_result(), simulated=True), tmp_path, "ovc")
    assert [p.name for p in paths] == ["ovc.png", "ovc.svg"]
    image = imread(paths[0])
    assert abs(image.shape[1] - round(16 / 2.54 * 300)) <= 2  # an A4 text column at 300 dpi
    svg = paths[1].read_text(encoding="utf-8")
    assert "SIMULERADE DATA – fiktiv kommun" in svg
    assert "Insatsen startar april 2022" in svg
    first = [p.read_bytes() for p in paths]
    again = F.save_figure(F.observed_vs_counterfactual(_result(), simulated=True), tmp_path, "ovc")
    assert [p.read_bytes() for p in again] == first


def test_file_text_is_drawn_without_hinting():
    """The files' text is drawn unhinted (:data:`F.FILE_RC`; hinting is a third of the cost of
    drawing text and buys nothing at 300 dpi): the PNG's pixels equal Agg's under
    ``text.hinting = "no_hinting"`` and differ from those under matplotlib's default hinting,
    so the setting is in force when the figure is drawn, not only when it is built."""
    import io

    import matplotlib

    from PIL import Image

    def raw(hinting: str) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context({"text.hinting": hinting}):
            fig = F.effect_path(_result(), language="en")
            fig.savefig(buffer, format="rgba", dpi=F.DPI, facecolor="white")
        return buffer.getvalue()

    files, _ = F.render_figure_pixels(F.effect_path(_result(), language="en"))
    with Image.open(io.BytesIO(files["png"])) as png:
        drawn = png.convert("RGBA").tobytes()
    assert drawn == raw("no_hinting")
    assert drawn != raw("default")


def test_no_figure_looks_its_default_colour_up_in_the_colour_cycle(monkeypatch):
    """matplotlib's default line and patch colour is "C0", looked up in the colour cycle each
    time (0.8 ms; every spine, axes background and legend line): the report's style sets that
    colour itself, which is the cycle's first, so the figures stay as they were."""
    import matplotlib
    import matplotlib.colors as mcolors

    from evaluation.report import style

    first = style.RC["axes.prop_cycle"].by_key()["color"][0]
    assert style.RC["lines.color"] == style.RC["patch.facecolor"] == first
    assert matplotlib.rcParamsDefault["lines.color"] == "C0"  # what the style stands in for
    looked_up = []
    is_nth = mcolors._is_nth_color
    monkeypatch.setattr(mcolors, "_is_nth_color",
                        lambda c: is_nth(c) and not looked_up.append(c))
    for fig in (F.observed_vs_counterfactual(_result(), simulated=True),
                F.effect_path(_result(), language="en")):
        F.render_figure_pixels(fig)
    assert looked_up == []


def test_save_figure_without_watermark_and_low_dpi(tmp_path):
    (png, svg) = F.save_figure(F.effect_path(_result()), tmp_path / "sub", "effect")
    assert png.exists() and "SIMULERADE" not in svg.read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        F.save_figure(F.effect_path(_result()), tmp_path, "x", dpi=100)


def test_yearly_results_draw():
    periods = [str(y) for y in range(2012, 2025)]
    post = np.array([int(p) >= 2021 for p in periods])
    frame = pd.DataFrame({"observed": np.arange(13.0), "counterfactual": np.arange(13.0) + post,
                          "effect": -1.0 * post, "post": post}, index=periods)
    result = EffectResult("decomposition", "households_assistance", "count", "households", "9999",
                          "Exempelstad", "2021", ("2021", "2024"), frame, -1.0, None, None, "none")
    fig = F.observed_vs_counterfactual(result)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "2012" in labels and "2024" in labels
    F.decomposition_bars(result)  # no interval: no error bar, still a figure


def test_decomposition_without_a_base_period_says_what_is_missing():
    result = _result()
    result.frame = result.frame[result.frame["post"]]
    with pytest.raises(ValueError, match="observed_change"):
        F.decomposition_bars(result)


def test_data_only_figure_has_no_counterfactual():
    fig = F.observed_vs_counterfactual(_result(), counterfactual=False)
    texts = _texts(fig)
    assert "Observerat" in texts
    assert "Kontrafaktiskt utfall (utan insatsen)" not in texts
    assert "95\u00a0%-intervall" not in texts


def test_a_level_is_labelled_in_its_declared_unit_on_one_axis():
    """A level (USD per invånare) has its unit on the axes and its comparison on the same axis,
    never "procentenheter" or "Antal"."""
    from dataclasses import replace

    from evaluation.data.panel import declared_measure, measures_declared

    gdp = declared_measure("gdp_per_capita", "level", unit_sv="USD per invånare",
                           unit_en="USD per inhabitant", label_sv="BRP per invånare")
    result = replace(_result(), outcome="gdp_per_capita", kind="level",
                     unit="USD per inhabitant")
    with measures_declared({"gdp_per_capita": gdp}):
        fig = F.observed_vs_counterfactual(result)
        assert fig.axes[0].get_ylabel() == "BRP per invånare (USD per invånare)"
        assert len(fig.axes) == 1  # the comparison shares the level's axis
        effect = F.effect_path(result)
        assert "(USD per invånare)" in effect.axes[0].get_ylabel().replace("\n", " ")


# --------------------------------------------------------------------------- issue 13
def test_source_line_text():
    from evaluation.report.style import source_text

    assert source_text("SCB") == "Källa: SCB, egen bearbetning"
    assert source_text("Källa: Kolada, egen bearbetning") == "Källa: Kolada, egen bearbetning"
    assert source_text(None) == "Källa: Egen bearbetning"
    assert source_text("SCB", "en") == "Source: SCB, own calculations"
    assert source_text(None, "en") == "Source: Own calculations"


def test_true_minus_signs_also_in_english_and_in_event_time_bins():
    from evaluation.report.style import minus

    assert minus("-87..-85") == f"{MINUS}87..{MINUS}85"
    assert minus("p-värde 2015-01") == "p-värde 2015-01"  # hyphens inside words stay
    assert F._bin_label("-87..-85") == f"{MINUS}87\u2009\u2013\u2009{MINUS}85"
    assert F._bin_label("+0..+2") == "0\u2009\u2013\u20092"
    fig = F.effect_path(_result(), language="en")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(t.startswith(MINUS) for t in ticks) and not any("-" in t for t in ticks)


def _overlaps_a_tick_label(fig) -> bool:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    marks = [a for a in fig.findobj(lambda a: a.get_gid() == "intervention")
             if hasattr(a, "get_text") and a.get_text()]
    assert marks
    ticks = [lab.get_window_extent(renderer) for ax in fig.axes
             for lab in ax.get_xticklabels() + ax.get_yticklabels() if lab.get_text()]
    return any(m.get_window_extent(renderer).overlaps(b) for m in marks for b in ticks)


@pytest.mark.parametrize("end", ["2022-06", "2023-12"])
def test_the_intervention_label_covers_no_tick_label(end):
    """A late intervention once ran its label into the right axis' tick labels."""
    result = _result("count")
    result.frame = result.frame.loc[:end]
    fig = F.observed_vs_counterfactual(result)
    assert len(fig.axes) == 2
    assert not _overlaps_a_tick_label(fig)
    assert not _overlaps_a_tick_label(F.effect_path(result))


def test_no_room_for_the_intervention_label_puts_it_in_the_legend():
    fig = Figure(figsize=(2.0, 2.0))
    ax = fig.add_subplot()
    F.effect_path(_result(), ax=ax)
    assert not [a for a in ax.texts if a.get_gid() == "intervention"]
    assert "Insatsen startar april 2022" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_every_figure_has_a_title_units_and_a_source_line():
    result = _result("count")
    for language, head in (("sv", "Källa:"), ("en", "Source:")):
        for fig in (F.observed_vs_counterfactual(result, language=language, source="SCB"),
                    F.effect_path(result, language=language, source="SCB"),
                    F.decomposition_bars(result, language=language, source="SCB"),
                    F.three_panel(result, language=language, source="SCB")):
            texts = [t for t in _texts(fig) if t.startswith(head)]
            assert len(texts) == 1 and "SCB" in texts[0]
            assert fig.axes[0].get_title(loc="left")
            for ax in fig.axes:
                label = ax.get_ylabel().replace("\n", " ")
                assert ("hushåll" if language == "sv" else "households") in label, label
    twin = F.observed_vs_counterfactual(result).axes[1]
    assert twin.get_ylabel() == "Jämförelseserie: antal hushåll"  # no per-1000 scale declared
    # drawn into someone else's axes: no source line unless asked for
    fig = Figure()
    F.effect_path(_result(), ax=fig.add_subplot())
    assert not [t for t in _texts(fig) if t.startswith("Källa")]


def test_design_figures_take_the_source(tmp_path):
    figs = F.design_figures(_result(), source="Arbetsförmedlingen")
    assert [s for s, _ in figs] == ["", "_effekt"]
    for _, fig in figs:
        assert [t.get_text() for t in fig.texts if t.get_gid() == "source"] == [
            "Källa: Arbetsförmedlingen, egen bearbetning"]
    fig = figs[0][1]
    engine = fig.get_layout_engine()
    F.save_figure(fig, tmp_path, "a")
    assert fig.get_layout_engine() is engine  # laid out once for both formats, then restored


def _savefig_files(fig: Figure) -> dict[str, bytes]:
    """What ``savefig`` writes for ``fig`` under the report's file settings, the SVG with the
    layout the raw pixels were drawn with (the reference the one-draw rendering must equal)."""
    import io

    import matplotlib

    out = {}
    with matplotlib.rc_context(F.FILE_RC):
        for ext, metadata in (("rgba", None), ("svg", {"Date": None})):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=ext, dpi=F.DPI, metadata=metadata, facecolor="white")
            out[ext] = buffer.getvalue()
            fig.set_layout_engine("none")
    return out


@pytest.mark.parametrize("language, constrained_rc", [("sv", False), ("en", True)])
def test_each_format_is_drawn_once_and_the_files_equal_savefigs(language, constrained_rc,
                                                                monkeypatch):
    """``savefig`` draws a figure with a layout engine twice (once without output, to lay it
    out); the report draws each format once: the PNG's pixels by one draw that lays the figure
    out, the SVG with the layout kept and no engine. The files are the same bytes as
    ``savefig``'s (pixels for the PNG, the whole file for the SVG) for every kind of report
    figure — two axes, bars, three panels, a transparent face — and the figure's canvas,
    resolution, face colour and layout engine are its own again afterwards; also where the
    user's matplotlibrc turns constrained layout on for figures without an engine."""
    import io

    import matplotlib

    from PIL import Image

    draws = []
    original = Figure.draw

    def counted(self, renderer):
        draws.append(type(renderer).__name__)
        return original(self, renderer)

    count, rate = _result("count"), _result("rate")
    builders = [lambda: F.observed_vs_counterfactual(count, language=language, source="SCB"),
                lambda: F.effect_path(rate, language=language),
                lambda: F.decomposition_bars(rate, language=language),
                lambda: F.three_panel(count, language=language, simulated=True)]
    for build in builders:
        fig, reference = build(), _savefig_files(build())
        fig.patch.set_facecolor("none")  # savefig's facecolor= puts white behind it
        canvas, dpi, engine = fig.canvas, fig.dpi, fig.get_layout_engine()
        assert engine is not None
        monkeypatch.setattr(Figure, "draw", counted)
        draws.clear()
        with matplotlib.rc_context({"figure.constrained_layout.use": constrained_rc}):
            files, pixels = F.render_figure_pixels(fig)
        monkeypatch.setattr(Figure, "draw", original)
        assert draws == ["RendererAgg", "MixedModeRenderer"]  # Agg, then SVG
        assert files["svg"] == reference["svg"]
        with Image.open(io.BytesIO(files["png"])) as png:
            assert png.tobytes() == pixels.tobytes()
            assert png.convert("RGBA").tobytes() == reference["rgba"]
        assert fig.canvas is canvas and fig.dpi == dpi
        assert fig.get_layout_engine() is engine and fig.patch.get_facecolor()[3] == 0


def test_placebo_gaps_draw_every_placebo_behind_the_treated_gap():
    """Synthetic control's placebo figure: one line per placebo unit's gap (drawn as one
    collection of lines, the values as given), behind the treated unit's gap, both in the
    legend (the placebos once, with their number), and the axes span every gap."""
    import dataclasses

    base = _result()
    n = len(base.frame)
    rng = np.random.default_rng(2)
    gaps = {f"{u:04d}": rng.normal(0, 0.2, n) for u in range(5)}
    gaps["0004"][10] = 3.0  # the largest gap belongs to a placebo
    result = dataclasses.replace(base, design="synthetic_control", diagnostics={
        "placebo_gaps": {u: g.tolist() for u, g in gaps.items()},
        "gap": base.frame["effect"].tolist()})
    fig = F.placebo_gaps(result)
    ax = fig.axes[0]
    (lines,) = [c for c in ax.collections if c.get_label().startswith("Jämförelsekommuner")]
    drawn = lines.get_segments()
    assert len(drawn) == 5 and "5 st" in lines.get_label()
    for segment, gap in zip(drawn, gaps.values(), strict=True):
        np.testing.assert_array_equal(segment[:, 1], gap)
    treated = [line for line in ax.lines if line.get_label() == "Exempelstad"]
    assert len(treated) == 1 and treated[0].get_zorder() > lines.get_zorder()
    np.testing.assert_array_equal(treated[0].get_ydata(), base.frame["effect"].to_numpy())
    _, labels = ax.get_legend_handles_labels()
    assert labels.count(lines.get_label()) == 1
    assert ax.get_ylim()[1] >= 3.0


# ------------------------------------------------ titles and empty labels placed once
# (figures._set_title, figures._unplaced_empty_labels): the files stay the same bytes

def _builders():
    count, rate = _result("count"), _result("rate")
    return [lambda: F.observed_vs_counterfactual(count, source="SCB"),
            lambda: F.effect_path(rate, language="en"),
            lambda: F.decomposition_bars(rate),
            lambda: F.three_panel(count, simulated=True)]


@pytest.mark.parametrize("index", range(4))
def test_titles_at_the_top_give_the_files_automatic_placement_gives(index, automatic_titles):
    """The report's titles sit at the axes' top (``y=1.0``) instead of being placed on each
    draw above whatever is there: for every kind of design figure, the same files."""
    assert any(ax.get_title(loc="left") for ax in _builders()[index]().axes)
    fixed = F.render_figure(_builders()[index]())
    with automatic_titles():
        auto = F.render_figure(_builders()[index]())
    assert fixed["png"] == auto["png"] and fixed["svg"] == auto["svg"]


def _offset_figure() -> Figure:
    """A titled axes whose y axis has an offset text ("1e6"): matplotlib's default formatter
    on values near a million."""
    fig = Figure(figsize=F.FIGSIZE, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(np.arange(10), 1_000_000 + np.arange(10.0))
    F._set_title(ax, "En rubrik")
    return fig


def test_the_comparison_sees_a_title_that_automatic_placement_would_move(automatic_titles):
    """Where there is something over the axes (an offset text), automatic placement moves the
    title above it: the comparison above would fail if the report's formatter wrote one."""
    fixed = F.render_figure(_offset_figure())
    with automatic_titles():
        auto = F.render_figure(_offset_figure())
    assert fixed["svg"] != auto["svg"]


def test_the_report_formatter_writes_no_offset_text():
    """What makes the fixed title safe: every number in full, no offset, at any size."""
    formatter = F.NumberFormatter("sv")
    for values in ([1_000_000.0, 1_000_001.0, 1_000_002.0], [1e-7, 2e-7], [0.0, 5e9]):
        formatter.set_locs(values)
        assert formatter.get_offset() == ""
        assert "e" not in formatter(values[-1])


@pytest.mark.parametrize("index", range(4))
def test_empty_labels_unplaced_give_the_same_files(index, monkeypatch):
    """An axis label without text draws nothing and takes no room, wherever it is; labels with
    text keep their automatic place (the y axes' labels here)."""
    fig = _builders()[index]()
    texts = [a.label.get_text() for ax in fig.axes for a in (ax.xaxis, ax.yaxis)]
    assert any(texts) and ("" in texts or index == 2)  # the bars label both their axes
    fixed = F.render_figure(fig)
    with monkeypatch.context() as m:
        m.setattr(F, "_unplaced_empty_labels", lambda fig: None)
        placed = F.render_figure(_builders()[index]())
    assert fixed["png"] == placed["png"] and fixed["svg"] == placed["svg"]


def test_the_comparison_sees_a_label_with_text_fixed(monkeypatch):
    """Were labels with text fixed as well, the files would differ: the check above can fail."""
    def every_label(fig):
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_label_coords(0.5, 0.5)

    with monkeypatch.context() as m:
        m.setattr(F, "_unplaced_empty_labels", every_label)
        wrong = F.render_figure(_builders()[0]())
    assert wrong["svg"] != F.render_figure(_builders()[0]())["svg"]
