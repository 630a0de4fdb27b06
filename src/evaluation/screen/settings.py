"""What one screen asks: the date, the outcomes, the designs, the window and the FDR level.

:class:`ScreenSettings` is what the user chooses; :meth:`ScreenSettings.resolve` fixes what the
data decide (the last period as the default end of the post window, the decomposition's two
periods) into a :class:`Resolved` — the exact arguments every design call of the screen gets,
the same ones an ordinary evaluation of one kommun with the same spec values gets
(:func:`evaluation.screen.drill.drill_spec`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from evaluation.errors import SpecError

#: The interval level of every design (:data:`evaluation.results.CI_LEVEL`, not imported here:
#: the command line reads this module, and the designs take seconds to import).
CI_LEVEL = 0.95

#: The designs the screen runs by default: the national comparisons (the decomposition and the
#: ITS with the national series as control) and the structural model. Synthetic control and
#: the other comparison-group designs re-fit every donor for their placebo inference (seconds
#: per kommun, :mod:`evaluation.designs.donor_designs`): not cheap enough for 290 kommuner.
DEFAULT_DESIGNS = ("decomposition", "its", "structural")
#: The designs a screen can run (they need only the kommun and the national series, plus the
#: decomposition's similar kommuner).
SCREEN_DESIGNS = ("decomposition", "its", "structural")
DEFAULT_OUTCOMES = ("unemployment_rate", "households_assistance")
#: Default false discovery rate.
DEFAULT_LEVEL = 0.05
#: The comparison every design of the screen uses: the national series without the kommun.
COMPARISON = "riket"
#: At most this many passes (the flagged kommuner of one pass leave the comparisons of the
#: next, :func:`evaluation.screen.core.screen`).
MAX_PASSES = 3


@dataclass(frozen=True)
class Resolved:
    """A screen's settings with everything the data decide filled in (hashable, picklable)."""

    intervention: str
    post_end: str
    compare_periods: tuple[str, str]
    compare_window: int
    outcomes: tuple[str, ...]
    designs: tuple[str, ...]
    seed: int
    ci_level: float
    primary_design: str
    relevant: tuple[tuple[str, float], ...]
    frequency: str
    comparison: str = COMPARISON
    #: Kommuner left out of every comparison (riket minus them, the decomposition's similar
    #: kommuner): the kommuner an earlier pass flagged (:func:`evaluation.screen.core.screen`).
    exclude: tuple[str, ...] = ()

    def relevant_for(self, outcome: str) -> float | None:
        return dict(self.relevant).get(outcome)

    def exclude_for(self, kommun: str) -> tuple[str, ...]:
        """The kommuner left out of ``kommun``'s comparisons (never itself)."""
        return tuple(u for u in self.exclude if u != kommun)

    def for_design(self, design: str, kommun: str = "") -> dict[str, Any]:
        """The settings one design's result for ``kommun`` depends on (part of its cache
        key)."""
        common = {"design": design, "comparison": self.comparison, "ci_level": self.ci_level,
                  "exclude": list(self.exclude_for(kommun))}
        if design == "decomposition":
            return {**common, "compare_periods": list(self.compare_periods),
                    "compare_window": self.compare_window}
        if design == "structural":
            return {**common, "intervention": self.intervention, "post_end": self.post_end,
                    "seed": self.seed}
        return {**common, "intervention": self.intervention, "post_end": self.post_end}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["relevant"] = dict(self.relevant)
        return out


@dataclass(frozen=True)
class ScreenSettings:
    """One screen: every kommun against the national development after ``intervention``.

    Parameters
    ----------
    intervention
        First period of the change (``YYYY-MM`` or ``YYYY``).
    outcomes
        Measures to screen.
    post_end
        Last period of the post window; None: the last period in the data (as an ordinary
        evaluation without ``post_end``), so a new month lengthens every window.
    designs
        Designs run for every kommun (a subset of :data:`SCREEN_DESIGNS`), in report order.
    compare_window
        Periods averaged at each end of the decomposition (default 12 months / 1 year).
    seed
        Seed of the structural model's draws (an ordinary evaluation's ``seed``).
    level
        False discovery rate of the Benjamini–Yekutieli procedure (:mod:`.fdr`).
    primary_design
        The verdict's lead design when it counts (as an ordinary evaluation's default).
    relevant
        Smallest relevant effect per outcome (the spec's ``smallest_relevant_effect``).
    """

    intervention: str
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES
    post_end: str | None = None
    designs: tuple[str, ...] = DEFAULT_DESIGNS
    compare_window: int | None = None
    seed: int = 1
    level: float = DEFAULT_LEVEL
    primary_design: str = "its"
    relevant: dict[str, float] = field(default_factory=dict, hash=False)
    ci_level: float = CI_LEVEL

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcomes", tuple(str(o) for o in self.outcomes))
        object.__setattr__(self, "designs", tuple(str(d) for d in self.designs))
        validate(self)

    @property
    def frequency(self) -> str:
        from evaluation.data.panel import period_frequency

        return period_frequency(self.intervention)

    def resolve(self, last_period: str) -> Resolved:
        """The settings with the data's last period (the default end of the post window)."""
        from evaluation.designs.decomposition import COMPARE_WINDOW, default_compare_periods
        from evaluation.results import CI_LEVEL as RESULTS_LEVEL

        assert RESULTS_LEVEL == CI_LEVEL, "evaluation.results.CI_LEVEL changed"
        freq = self.frequency
        window = int(self.compare_window or COMPARE_WINDOW[freq])
        t0, t1 = default_compare_periods(self.intervention, window)
        order = [d for d in SCREEN_DESIGNS if d in self.designs]
        return Resolved(
            intervention=self.intervention, post_end=self.post_end or str(last_period),
            compare_periods=(t0, t1), compare_window=window, outcomes=self.outcomes,
            designs=tuple(order), seed=int(self.seed), ci_level=float(self.ci_level),
            primary_design=self.primary_design,
            relevant=tuple(sorted((str(k), float(v)) for k, v in self.relevant.items())),
            frequency=freq)


def validate(settings: ScreenSettings) -> None:
    """Bad values as one sentence each (:class:`~evaluation.errors.SpecError`, exit code 2)."""
    from evaluation.data.panel import period_frequency
    from evaluation.errors import DataError

    try:
        freq = period_frequency(str(settings.intervention))
    except DataError as exc:
        raise SpecError(f"Datumet: {exc.sv}", f"The date: {exc.en}") from None
    if settings.post_end is not None:
        try:
            end_freq = period_frequency(str(settings.post_end))
        except DataError as exc:
            raise SpecError(f"Slutet på efterperioden: {exc.sv}",
                            f"The end of the post window: {exc.en}") from None
        if end_freq != freq or settings.post_end < settings.intervention:
            raise SpecError(
                f"Slutet på efterperioden ({settings.post_end}) ska ha samma format som datumet "
                f"({settings.intervention}) och ligga efter det.",
                f"The end of the post window ({settings.post_end}) must have the date's format "
                f"({settings.intervention}) and come after it.")
    if not settings.outcomes:
        raise SpecError("Ange minst ett utfall.", "Give at least one outcome.")
    unknown = [d for d in settings.designs if d not in SCREEN_DESIGNS]
    if unknown or not settings.designs:
        raise SpecError(
            f"Designerna {', '.join(unknown) or '(inga)'} kan inte screenas: välj bland "
            f"{', '.join(SCREEN_DESIGNS)}.",
            f"The designs {', '.join(unknown) or '(none)'} cannot be screened: choose among "
            f"{', '.join(SCREEN_DESIGNS)}.")
    if not 0 < float(settings.level) < 1:
        raise SpecError(f"Nivån {settings.level} ska ligga mellan 0 och 1, t.ex. 0.05.",
                        f"The level {settings.level} must lie between 0 and 1, e.g. 0.05.")
    if settings.compare_window is not None and int(settings.compare_window) < 1:
        raise SpecError("Jämförelsefönstret ska vara minst 1 period.",
                        "The comparison window must be at least 1 period.")
