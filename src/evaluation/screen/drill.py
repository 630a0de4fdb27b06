"""Drill-down: the ordinary evaluation of one screened kommun, with the screen's settings.

:func:`drill_values` writes the screen's settings as the values of an ordinary spec — the same
data, date, outcomes, designs, end of the post window, decomposition periods and window, seed,
smallest relevant effects and the kommuner the screen left out of the comparisons (the other
flagged ones, as ``donors.similar_reforms``) — so that
:func:`evaluation.evaluate.Evaluation.estimate` on that spec gives the screen's numbers for the
kommun (``tests/screen/test_screen.py`` asserts the estimate, the interval and the verdict).
:func:`drill_down` writes the spec next to the screen's table and runs it through the ordinary
run path (:func:`evaluation.run.run`: the notebook, the report, the reliability checks and the
sensitivity grid the screen leaves out).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from evaluation.screen.data import ScreenData
from evaluation.spec import Spec, validate_values


def drill_id(kommun: str, intervention: str) -> str:
    """The evaluation id of a drill-down, e.g. ``screen-1987-2022-04``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"screen-{kommun}-{intervention}")


def drill_values(data: ScreenData, kommun: str, *, language: str = "sv") -> dict[str, Any]:
    """The spec values of the ordinary evaluation of ``kommun`` with the screen's settings."""
    s = data.settings
    values: dict[str, Any] = {
        "evaluation_id": drill_id(kommun, s.intervention),
        "data": data.data if data.data == "demo" else str(Path(data.data_path).resolve()),
        "treated": str(kommun),
        "intervention": s.intervention,
        "outcomes": list(s.outcomes),
        "comparison": s.comparison,
        "compare_periods": list(s.compare_periods),
        "compare_window": str(s.compare_window),
        "post_end": s.post_end,
        "designs": list(s.designs),
        "primary_design": s.primary_design,
        "seed": str(s.seed),
        "language": language,
    }
    if s.relevant:
        values["smallest_relevant_effect"] = {k: v for k, v in s.relevant}
    if s.exclude_for(kommun):  # the other flagged kommuner leave the comparisons (see screen)
        values["donors"] = {"similar_reforms": list(s.exclude_for(kommun))}
    return values


def drill_spec(data: ScreenData, kommun: str, *, language: str = "sv") -> Spec:
    """The validated :class:`~evaluation.spec.Spec` of :func:`drill_values`."""
    return validate_values(drill_values(data, kommun, language=language))


def write_drill_spec(data: ScreenData, kommun: str, folder: str | Path, *,
                     language: str = "sv") -> Path:
    """Write the drill-down spec as ``<folder>/<evaluation id>.yaml``."""
    values = drill_values(data, kommun, language=language)
    name = data.names.get(kommun, kommun)
    header = (f"# Den vanliga utvärderingen av {name} ({kommun}) med screeningens "
              f"inställningar.\n" if language == "sv" else
              f"# The ordinary evaluation of {name} ({kommun}) with the screen's settings.\n")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{values['evaluation_id']}.yaml"
    text = yaml.safe_dump(values, allow_unicode=True, sort_keys=False, default_flow_style=None)
    from evaluation.data.store import write_bytes

    write_bytes(path, (header + text).encode("utf-8"))
    validate_values(values, path=str(path))  # the file says what the screen computed
    return path


def drill_down(data: ScreenData, kommun: str, folder: str | Path, *,
               language: str = "sv") -> Path:
    """Write the drill-down spec into ``folder`` and run the ordinary evaluation (notebook and
    report) through :func:`evaluation.run.run`; returns the report folder."""
    from evaluation.run import run

    return run(write_drill_spec(data, kommun, folder, language=language))
