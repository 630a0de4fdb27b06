"""The demo's figures and tables as a committee and an evaluator get them (issue 13): every
design's figures have a title, y axes labelled with units, a source line, true minus signs and
an intervention label that covers no tick label; the XLSX files hold numbers, human sheet names
and titles, and a source row."""

from __future__ import annotations

import re

import pytest
from matplotlib.text import Text
from openpyxl import load_workbook

from evaluation import paths
from evaluation.report import figures as F
from evaluation.report import style
from evaluation.report import tables as TB
from evaluation.report.text import result_unit, t

SOURCE = "SCB och Socialstyrelsen"
HYPHEN_NUMBER = re.compile(r"(^|[^\w])-\s*\d")


@pytest.fixture(scope="module")
def demo():
    from evaluation.evaluate import Evaluation
    from evaluation.spec import load_spec

    ev = Evaluation.from_spec(load_spec(paths.params_dir() / "exempelstad.yaml"))
    ev.estimate()
    return ev


def _visible_texts(fig) -> list[Text]:
    return [a for a in fig.findobj(Text) if a.get_visible() and a.get_text().strip()]


def _tick_labels(fig) -> list[Text]:
    out = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            out += [lab for lab in axis.get_ticklabels() if lab.get_visible() and lab.get_text()]
    return out


def _units(result, language: str) -> list[str]:
    return [result_unit(result, language), "(%)", t("unit.per_1000", language),
            t("unit.pp_short", language)]


def _check_figure(fig, result, language: str) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = _visible_texts(fig)
    # a title
    titles = [ax.get_title(loc=loc) for ax in fig.axes for loc in ("left", "center")]
    assert any(titles), "no title"
    # y axes labelled with their units (both axes of a twin)
    for ax in fig.axes:
        if not ax.get_visible() or not [x for x in ax.get_yticklabels() if x.get_text()]:
            continue
        label = ax.get_ylabel().replace("\n", " ").replace("\u00a0", " ")
        assert label, f"an unlabelled y axis in {titles}"
        assert any(u.replace("\u00a0", " ") in label for u in _units(result, language)), label
    # the source line
    head = "Källa:" if language == "sv" else "Source:"
    lines = [x for x in texts if x.get_text().startswith(head)]
    assert len(lines) == 1 and SOURCE in lines[0].get_text()
    # true minus signs in the tick labels
    ticks = _tick_labels(fig)
    for tick in ticks:
        assert not HYPHEN_NUMBER.search(tick.get_text()), tick.get_text()
    # the intervention: its label inside its axes, over no tick label; the source line under
    # everything
    marks = [x for x in fig.findobj(Text) if x.get_gid() == style.INTERVENTION_GID
             and x.get_visible() and x.get_text()]
    assert marks, "the intervention is not marked"
    boxes = [tick.get_window_extent(renderer) for tick in ticks]
    for mark in marks:
        box = mark.get_window_extent(renderer)
        assert not any(box.overlaps(b) for b in boxes), mark.get_text()
        if mark.axes is not None and mark is not mark.axes.xaxis.label:
            inner = mark.axes.get_window_extent(renderer)
            assert inner.x0 <= box.x0 and box.x1 <= inner.x1 and box.y1 <= inner.y1 + 1
    source_box = lines[0].get_window_extent(renderer)
    others = boxes + [leg.get_window_extent(renderer) for leg in fig.legends]
    others += [ax.xaxis.label.get_window_extent(renderer) for ax in fig.axes
               if ax.get_xlabel()]
    assert not any(source_box.overlaps(b) for b in others)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_design_figure_is_ready_for_a_committee(demo, language):
    designs = set()
    for result in demo.results:
        for suffix, fig in F.design_figures(result, language=language, simulated=demo.simulated,
                                            source=SOURCE):
            try:
                _check_figure(fig, result, language)
            except AssertionError as error:
                raise AssertionError(f"{result.outcome}_{result.design}{suffix}: {error}") \
                    from error
            designs.add(result.design)
    assert {"decomposition", "its", "synthetic_control", "did", "sdid"} <= designs


def test_three_panel_and_counts_right_axis(demo):
    count = next(r for r in demo.results if r.design == "its"
                 and r.outcome == "households_assistance")
    fig = F.three_panel(count, source=SOURCE)
    _check_figure(fig, count, "sv")
    ovc = F.observed_vs_counterfactual(count)
    twin = [ax for ax in ovc.axes if getattr(ax, "_evaluation_twin", False)]
    assert twin and twin[0].get_ylabel().replace("\n", " ") == \
        "Jämförelseserie: hushåll per 1\u00a0000 invånare"  # the scale it was compared on
    # without a source the line still says where the numbers come from
    assert [x.get_text() for x in ovc.texts if x.get_gid() == style.SOURCE_GID] == [
        "Källa: Egen bearbetning"]


def test_sensitivity_and_target_figures_get_a_source_line(demo):
    demo.sensitivity()
    fig = F.sensitivity_plot(demo.sensitivity_grid, demo.results, "unemployment_rate",
                             source=SOURCE)
    assert [x.get_text() for x in fig.texts if x.get_gid() == style.SOURCE_GID] == [
        f"Källa: {SOURCE}, egen bearbetning"]
    from evaluation.report.target_report import target_figure

    fig = target_figure(demo.target_follow_up(), "sv", True)  # made by another module
    assert [x.get_text() for x in fig.texts if x.get_gid() == style.SOURCE_GID] == [
        "Källa: Egen bearbetning"]
    style.source_line(fig, SOURCE)  # the caller can name the source afterwards
    assert [x.get_text() for x in fig.texts if x.get_gid() == style.SOURCE_GID] == [
        f"Källa: {SOURCE}, egen bearbetning"]


def test_demo_figures_are_a4_column_wide_at_300_dpi(demo, tmp_path):
    from matplotlib.image import imread

    fig = F.design_figures(demo.results[1], simulated=True, source=SOURCE)[0][1]
    png, svg = F.save_figure(fig, tmp_path, "figur")
    width = imread(png).shape[1]
    assert abs(width - round(16 / 2.54 * 300)) <= 2  # 16 cm at 300 dpi
    assert "Källa: SCB och Socialstyrelsen, egen bearbetning" in svg.read_text(encoding="utf-8")


def test_demo_tables_have_numbers_human_sheet_names_titles_and_a_source(demo, tmp_path):
    summary = demo.summary()
    written = []
    for r in demo.results:
        stem = f"{r.outcome}_{r.design}"
        written.append(TB.write_table(TB.effects_table(r), tmp_path, stem,
                                      title=f"{r.outcome} – {r.design}", simulated=True,
                                      source=SOURCE)[0])
        weights = TB.weights_table(r, formatted=False)
        if not weights.empty:
            written.append(TB.write_table(weights, tmp_path, f"{stem}_vikter",
                                          title=f"{r.design} – {r.outcome}", simulated=True,
                                          source=SOURCE)[0])
    results = TB.write_table(TB.results_table(summary["results"]), tmp_path, "resultat",
                             title=demo.title(), simulated=True, source=SOURCE)[0]
    written.append(results)
    names = []
    for path in written:
        ws = load_workbook(path).active
        names.append(ws.title)
        assert len(ws.title) <= 31 and "_" not in ws.title, ws.title
        assert "_" not in ws["A1"].value, ws["A1"].value  # a title in words
        assert ws["A2"].value == "SIMULERADE DATA – fiktiv kommun"
        last = max(row for row in range(1, ws.max_row + 1) if ws.cell(row, 1).value)
        assert ws.cell(last, 1).value == f"Källa: {SOURCE}, egen bearbetning"
        assert ws.cell(last - 1, 1).value is None  # a blank row between table and source
    assert len(set(names)) == len(names), names
    ws = load_workbook(results).active
    header = [c.value for c in ws[4]]
    j = header.index("Skattad effekt") + 1
    estimates = [ws.cell(row, j).value for row in range(5, 5 + len(summary["results"]))]
    assert all(isinstance(v, float) for v in estimates)
    assert sum(estimates) == pytest.approx(sum(r["average_effect"]
                                               for r in summary["results"]))
