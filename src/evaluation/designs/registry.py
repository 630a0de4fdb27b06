"""The designs the tool knows, one declaration per design (issue "One answer", part 0).

Every design module declares itself with a module-level ``DESIGN`` (or ``DESIGNS``, a tuple) of
type :class:`Design`: its name, its estimator on an :class:`EvaluationContext`, how to re-run it
at a placebo date (the reliability check and the placebo table), the post window a placebo shift
moves, its figures, its method-text key and what it needs (a donor pool, a comparison series).
Estimation (:meth:`evaluation.evaluate.Evaluation.estimate`), the checks
(:mod:`evaluation.checks.reliability`, :mod:`evaluation.checks.placebo`), the figures and the
spec's ``designs:`` key loop over :func:`designs` — adding a design is one new module in this
package plus its text entries in :mod:`evaluation.report.text`.

Modules are found by scanning the package (``pkgutil``), so nothing else lists them; the order
in reports is each design's ``order``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from evaluation.data.panel import MIN_PRE_PERIODS, period_frequency, periods_between, shift_period
from evaluation.results import CI_LEVEL, EffectResult


@dataclass(frozen=True)
class EvaluationContext:
    """What a design needs from an evaluation for one outcome.

    ``panel`` is the whole panel (comparison-group designs pick their donors from it);
    ``national_panel`` the same panel marked so that every comparison series leaves the
    spec's excluded kommuner out (:meth:`evaluation.inputs.Inputs.comparison_panel`);
    ``donors`` the donor pool (a :class:`~evaluation.designs.donors.DonorPool`, a list of codes,
    or None for every other unit of the treated unit's kind).
    """

    panel: pd.DataFrame
    national_panel: pd.DataFrame
    outcome: str
    treated: str
    intervention: str
    post_end: str
    comparison: Any = "riket"
    compare_periods: tuple[str, str] | None = None
    compare_window: int = 1
    donors: Any = None
    seed: int = 1
    ci_level: float = CI_LEVEL


#: ``rerun(result, data, unit=, shift=, comparison=)``: the report's design call moved ``shift``
#: periods back, with ``unit`` treated (the reliability check).
Rerun = Callable[..., EffectResult]
#: ``run_at(panel, outcome=, unit=, date=, post_end=, comparison=)``: the design with its
#: defaults as if ``unit`` had been treated from ``date`` (the placebo table).
RunAt = Callable[..., EffectResult]


def report_window(result: EffectResult) -> tuple[str, str]:
    """(first period after the change, last period used): what a placebo shift moves."""
    return result.intervention, result.post_window[1]


def pre_period_room(result: EffectResult, first: str) -> int:
    """How many periods a placebo copy can move back from the intervention and keep the
    design's minimum pre-period after ``first`` (the first period with data)."""
    return periods_between(first, result.intervention) - MIN_PRE_PERIODS[
        period_frequency(first)]


@dataclass(frozen=True)
class Design:
    """One design, as every part of the tool sees it.

    Attributes
    ----------
    name
        Key in results, ``summary.json``, file names and the spec's ``designs:`` list.
    order
        Position in reports (national comparisons first, then the comparison-group designs).
    estimate
        ``estimate(context) -> EffectResult``.
    rerun, run_at
        See :data:`Rerun` and :data:`RunAt`.
    window
        ``window(result) -> (start, end)`` moved by a placebo shift.
    placebo_room
        ``placebo_room(result, first_period) -> int``: how far back a placebo copy can move.
    figures
        ``figures(result, language=, simulated=) -> [(file suffix, Figure)]``.
    method_key
        Key of the plain-language method paragraph (:func:`evaluation.report.text.method_text`).
    needs_donors
        Runs against the donor pool; skipped with the pool's reason when there is none.
    has_comparison
        Compares with other units; False for a before–after model, which never counts towards
        a clear effect in the verdict.
    default
        Run when the spec has no ``designs:`` key.
    point
        ``point(context) -> float``: the average effect alone, when that is much cheaper than
        ``estimate`` (the comparison-group designs' placebo inference re-fits every donor);
        the sensitivity grid uses it.
    """

    name: str
    order: int
    estimate: Callable[[EvaluationContext], EffectResult]
    rerun: Rerun
    run_at: RunAt
    figures: Callable[..., list[tuple[str, Any]]]
    method_key: str
    window: Callable[[EffectResult], tuple[str, str]] = report_window
    placebo_room: Callable[[EffectResult, str], int] = pre_period_room
    needs_donors: bool = False
    has_comparison: bool = True
    default: bool = True
    point: Callable[[EvaluationContext], float] | None = None


@lru_cache(maxsize=1)
def _registry() -> dict[str, Design]:
    import evaluation.designs as package

    found: dict[str, Design] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name == "registry":
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        declared = getattr(module, "DESIGNS", None) or (
            (module.DESIGN,) if hasattr(module, "DESIGN") else ())
        for design in declared:
            if design.name in found:
                raise RuntimeError(f"design {design.name!r} is declared twice "
                                   f"({module.__name__})")
            found[design.name] = design
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))


def designs(names: Any = None) -> list[Design]:
    """The registered designs in report order; ``names`` selects (and keeps that order's
    report order); None gives the default set."""
    reg = _registry()
    if names is None:
        return [d for d in reg.values() if d.default]
    wanted = {str(n) for n in names}
    unknown = wanted - set(reg)
    if unknown:
        raise KeyError(f"unknown design(s) {sorted(unknown)}; known: {list(reg)}")
    return [d for d in reg.values() if d.name in wanted]


def design(name: str) -> Design:
    """The design called ``name`` (KeyError naming the known ones otherwise)."""
    reg = _registry()
    try:
        return reg[str(name)]
    except KeyError:
        raise KeyError(f"unknown design {name!r}; known: {list(reg)}") from None


def names(*, default_only: bool = False) -> tuple[str, ...]:
    """Registered design names in report order."""
    return tuple(d.name for d in _registry().values() if d.default or not default_only)


def shifted(period: str, shift: int) -> str:
    """``period`` moved ``shift`` periods back (a placebo date)."""
    return shift_period(period, -shift)
