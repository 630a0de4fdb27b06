"""The screen's outputs: the ranked table (XLSX for people, CSV for machines) and a small-multiples
figure of the largest deviations, in the report's style (:mod:`evaluation.report.style`).

No estimation here: everything is read from a :class:`~evaluation.screen.core.ScreenResult`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from evaluation.report import style
from evaluation.screen.text import t, verdict_label

TABLE_STEM = "rangordning"
FIGURE_STEM = "storst_avvikelse"
SUMMARY_FILE = "screening.json"
#: Columns of the table for people, in order (the CSV keeps every column of the result).
PEOPLE_COLUMNS = ("rank", "kommun", "kommun_name", "outcome", "verdict", "lead_design",
                  "estimate", "unit", "ci_low", "ci_high", "relative_estimate", "p_value",
                  "q_value", "z", "mde", "flagged", "designs_failed")
#: Periods shown before the intervention in each panel.
PANEL_HISTORY = {"monthly": 36, "yearly": 6}


def _outcome(outcome: str, language: str) -> str:
    from evaluation.report.text import outcome_label

    try:
        return outcome_label(outcome, language)
    except Exception:  # noqa: BLE001 - an undeclared measure is shown by its name
        return outcome


def _short_outcome(outcome: str, language: str) -> str:
    """"Arbetslösheten", "Antalet biståndshushåll": the report's noun for the outcome."""
    from evaluation.report.text import outcome_noun

    try:
        noun = outcome_noun(outcome, language)
    except Exception:  # noqa: BLE001 - an undeclared measure is shown by its name
        noun = outcome
    noun = noun[:1].upper() + noun[1:]
    return noun if len(noun) <= 32 else noun[:31].rstrip() + "…"


def _design(design: Any, language: str) -> str:
    from evaluation.report.text import design_label

    if not isinstance(design, str) or not design:
        return ""
    return design_label(design, language)


def _unit(unit: Any, language: str) -> str:
    from evaluation.report.text import unit_label

    return unit_label(unit, language) if isinstance(unit, str) and unit else ""


def people_table(table: pd.DataFrame, language: str = "sv") -> pd.DataFrame:
    """The ranked table with headers, verdicts, designs, outcomes and units in words."""
    out = pd.DataFrame({c: table[c] for c in PEOPLE_COLUMNS if c in table.columns})
    out["outcome"] = out["outcome"].map(lambda o: _outcome(o, language))
    out["verdict"] = out["verdict"].map(lambda v: verdict_label(str(v), language))
    out["lead_design"] = out["lead_design"].map(lambda d: _design(d, language))
    out["unit"] = out["unit"].map(lambda u: _unit(u, language))
    out["flagged"] = out["flagged"].map(lambda f: t("yes" if f else "no", language))
    out["designs_failed"] = out["designs_failed"].map(
        lambda s: ", ".join(_design(d, language) for d in str(s).split(",") if d))
    return out.rename(columns={c: t(f"col.{c}", language) for c in out.columns})


def write_outputs(result: Any, folder: str | Path, *, language: str = "sv",
                  top: int = 12) -> dict[str, list[Path]]:
    """Write the ranked table (``rangordning.xlsx``/``.csv``), the figure
    (``storst_avvikelse.png``/``.svg``) and ``screening.json`` (settings, data, what was
    computed and reused, the flagged kommuner) into ``folder``."""
    from evaluation.data.store import write_bytes
    from evaluation.report import figures as report_figures
    from evaluation.report import format as fmt
    from evaluation.report import tables

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = result.data
    date = fmt.period_label(data.settings.intervention, language)
    title = t("table.title", language, date=date)
    written = tables.write_table(people_table(result.table, language), folder, TABLE_STEM,
                                 title=title, simulated=data.simulated, language=language,
                                 source=data.source or None)
    machine = result.table.to_csv(index=False, lineterminator="\n")
    write_bytes(folder / f"{TABLE_STEM}.csv", machine.encode("utf-8"))
    fig = deviations_figure(result, top=top, language=language)
    figure_files = report_figures.save_figure(fig, folder, FIGURE_STEM)
    summary = {
        "data": data.data, "data_vintage": data.vintage, "simulated": data.simulated,
        "settings": data.settings.to_dict(), "level": result.settings.level,
        "screened": len(data.kommuner),
        "skipped": {k: {"sv": v[0], "en": v[1]} for k, v in data.skipped.items()},
        "stats": result.stats,
        "flagged": result.flagged[["kommun", "kommun_name", "outcome", "estimate",
                                    "q_value"]].to_dict(orient="records"),
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2, default=_jsonable)
    write_bytes(folder / SUMMARY_FILE, (text + "\n").encode("utf-8"))
    return {"table": written, "figure": figure_files, "summary": [folder / SUMMARY_FILE]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        v = float(value)
        return v if math.isfinite(v) else None
    return str(value)


# =========================================================================== the figure
def _series_of(entries: dict[str, dict[str, Any]], lead: Any) -> tuple[str, dict] | None:
    """The lead design's series, else the first design with one (the decomposition has two
    points only)."""
    order = [lead] if isinstance(lead, str) else []
    order += [d for d in ("its", "structural") if d not in order]
    for design in order:
        entry = entries.get(design) or {}
        if entry.get("series"):
            return design, entry["series"]
    return None


def _panel(ax: Axes, series: dict[str, Any], intervention: str, frequency: str,
           language: str) -> None:
    periods = list(series["periods"])
    start = periods.index(intervention) if intervention in periods else len(periods)
    first = max(0, start - PANEL_HISTORY[frequency])
    x = np.arange(len(periods) - first)

    def arr(key: str) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in series[key][first:]], float)

    observed, cf, low, high = arr("observed"), arr("counterfactual"), arr("low"), arr("high")
    post = x >= start - first
    ax.axvspan(start - first - 0.5, x[-1] + 0.5, color=style.POST_SHADE, zorder=0, lw=0)
    ax.fill_between(x[post], low[post], high[post], color=style.COUNTERFACTUAL_COLOR,
                    alpha=0.18, lw=0, zorder=1)
    ax.plot(x, observed, color=style.OBSERVED_COLOR, lw=1.1, zorder=3)
    ax.plot(x[post], cf[post], color=style.COUNTERFACTUAL_COLOR, lw=1.1, ls="--", zorder=2)
    ax.axvline(start - first - 0.5, color=style.INTERVENTION_COLOR, lw=0.8, zorder=4)
    shown = periods[first:]
    if frequency == "monthly":
        ticks = [i for i, p in enumerate(shown) if p.endswith("-01")]
        labels = [p[:4] for i, p in enumerate(shown) if p.endswith("-01")]
        if len(ticks) > 4:
            ticks, labels = ticks[::2], labels[::2]
    else:
        ticks, labels = list(range(len(shown))), shown
    ax.set_xticks(ticks, labels)
    ax.set_xlim(-0.5, x[-1] + 0.5)
    from evaluation.report.figures import NumberFormatter

    ax.yaxis.set_major_locator(_locator())
    ax.yaxis.set_major_formatter(NumberFormatter(language))
    style.style_axes(ax)
    ax.tick_params(labelsize=style.SMALL_SIZE)


def _locator() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=4)


@style.styled
def deviations_figure(result: Any, *, top: int = 12, language: str = "sv",
                      ncols: int = 3) -> Figure:
    """Small multiples of the ``top`` highest-ranked kommun × outcome rows: observed against
    the lead design's counterfactual and its 95 % band, from a few years before the change
    to the end of the post window; each panel names the rank, the kommun, the outcome and the
    q-value."""
    from evaluation.report import figures as report_figures
    from evaluation.report import format as fmt

    rows = [r for r in result.table.head(max(int(top), 0)).to_dict(orient="records")
            if _series_of(result.entries.get((r["kommun"], r["outcome"]), {}),
                          r.get("lead_design"))]
    n = len(rows)
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(style.FIG_WIDTH, 1.2 + 4.2 * style.CM * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    data = result.data
    date = fmt.period_label(data.settings.intervention, language)
    fig.suptitle(t("fig.title", language, date=date), fontsize=style.TITLE_SIZE)
    if not rows:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, t("fig.empty", language), ha="center", va="center")
        ax.set_axis_off()
    designs_shown: list[str] = []
    for i, r in enumerate(rows):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        design, series = _series_of(result.entries[(r["kommun"], r["outcome"])],
                                    r.get("lead_design"))
        if design not in designs_shown:
            designs_shown.append(design)
        _panel(ax, series, data.settings.intervention, data.settings.frequency, language)
        q = r.get("q_value")
        q_text = fmt.number(float(q), 2, language) if q is not None and np.isfinite(q) else "–"
        outcome = _short_outcome(str(r["outcome"]), language)
        ax.set_title(f"{r['rank']}. {r['kommun_name']} ({t('fig.panel_q', language, q=q_text)})"
                     f"\n{outcome}", fontsize=style.SMALL_SIZE, loc="left")
    handles = [Line2D([], [], color=style.OBSERVED_COLOR, lw=1.1),
               Line2D([], [], color=style.COUNTERFACTUAL_COLOR, lw=1.1, ls="--"),
               Patch(color=style.COUNTERFACTUAL_COLOR, alpha=0.18, lw=0)]
    labels = [t("fig.observed", language),
              t("fig.counterfactual", language,
                design=", ".join(_design(d, language) for d in designs_shown) or "–"),
              t("fig.band", language)]
    if rows:
        fig.legend(handles, labels, loc="outside lower center", ncols=1 if any(
            len(x) > 45 for x in labels) else 3, frameon=False, fontsize=style.SMALL_SIZE)
    style.source_line(fig, data.source or None, language)
    if data.simulated:
        report_figures.add_watermark(fig, language)
    return fig


def top_items(table: pd.DataFrame, n: int, language: str) -> str:
    """"1. Exempelstad (arbetslöshet, q = 0,82); 2. …" for the command line."""
    from evaluation.report import format as fmt

    items = []
    for r in table.head(n).itertuples():
        q = fmt.number(float(r.q_value), 2, language) if pd.notna(r.q_value) else "–"
        items.append(f"{r.rank}. {r.kommun_name} ({_outcome(str(r.outcome), language)}, "
                     f"q = {q})")
    return "; ".join(items)


def flagged_items(table: pd.DataFrame, language: str) -> str:
    return ", ".join(f"{r.kommun_name} ({_outcome(str(r.outcome), language)})"
                     for r in table[table["flagged"]].itertuples())
