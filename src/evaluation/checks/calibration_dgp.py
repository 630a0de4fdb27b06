"""The data-generating process of the calibration study (issue "Intervals that hold").

A panel of kommuner driven by one national factor, with local errors whose size shrinks with
the kommun's population, as in the independent review that measured the ITS false alarms:

* national factor ``f_t``: a random walk plus month-of-year seasonality (monthly data);
* unit ``i``: ``y_it = a_i + λ_i·f_t + u_it (+ d_it) (+ effect·1[i treated, t post])`` with
  loadings ``λ_i ~ U(0.6, 1.4)``, ``u_it`` an AR(1) with coefficient ``phi`` plus white noise,
  both scaled by ``√(20 000 / population_i)``;
* ``variant="drift"`` adds a local random walk ``d_it`` (a kommun drifting from the nation);
* ``variant="unlike"``: the treated kommun is unlike its donors (loading 1.6 and a trend of its
  own), the case where comparison-group designs should still say "we cannot tell";
* yearly data are generated as a yearly process (AR(1) across years).

Populations are log-uniform between 3 000 and 300 000 (Swedish kommuner: 2 500 to 1 000 000,
median about 16 000); the treated kommun's size is drawn from the same distribution (or set), so
results can be reported by size tercile. Every draw takes its seed from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evaluation.data.panel import period_range, shift_period

Variant = Literal["base", "drift", "unlike"]
OUTCOME = "unemployment_rate"
TREATED = "0001"


@dataclass(frozen=True)
class Cell:
    """One cell of the calibration study: frequency, persistence, pool size, variant."""

    frequency: Literal["monthly", "yearly"] = "monthly"
    phi: float = 0.7
    n_donors: int = 79
    variant: Variant = "base"
    n_pre: int | None = None  # default 72 months / 10 years
    n_post: int | None = None  # default 12 months / 3 years

    @property
    def pre(self) -> int:
        return self.n_pre or (72 if self.frequency == "monthly" else 10)

    @property
    def post(self) -> int:
        return self.n_post or (12 if self.frequency == "monthly" else 3)

    @property
    def start(self) -> str:
        return "2015-01" if self.frequency == "monthly" else "2008"

    @property
    def intervention(self) -> str:
        return shift_period(self.start, self.pre)

    @property
    def post_end(self) -> str:
        return shift_period(self.start, self.pre + self.post - 1)

    def label(self) -> str:
        return f"{self.frequency} φ={self.phi} donors={self.n_donors} {self.variant}"


@dataclass
class Draw:
    """One simulated panel: long panel, treated code, intervention and the true effect."""

    panel: pd.DataFrame
    treated: str
    intervention: str
    post_end: str
    effect: float
    treated_population: float


def _ar1(rng: np.random.Generator, phi: float, sd: np.ndarray, T: int) -> np.ndarray:
    """AR(1) paths (T × n) with stationary sd ``sd``, started from the stationary law."""
    n = len(sd)
    innov = rng.standard_normal((T, n)) * sd * np.sqrt(1 - phi**2)
    u = np.empty((T, n))
    u[0] = rng.standard_normal(n) * sd
    for t in range(1, T):
        u[t] = phi * u[t - 1] + innov[t]
    return u


def draw(cell: Cell, *, seed: int, effect: float = 0.0,
         treated_population: float | None = None) -> Draw:
    """Simulate one panel for ``cell``; ``effect`` (p.p.) is added to the treated post-period.

    Scales (percentage points, for a kommun of 20 000): national random walk sd 0.08 a month
    (0.25 a year), seasonality amplitude 0.4, persistent error stationary sd 0.35, white noise
    sd 0.15 (monthly; yearly 0.3 and 0.1), local drift sd 0.03 a month (0.1 a year).
    """
    rng = np.random.default_rng(seed)
    monthly = cell.frequency == "monthly"
    T = cell.pre + cell.post
    periods = period_range(cell.start, shift_period(cell.start, T - 1))
    n = cell.n_donors + 1
    pop = np.exp(rng.uniform(np.log(3_000), np.log(300_000), n))
    if treated_population is not None:
        pop[0] = treated_population
    size = np.sqrt(20_000 / pop)
    tt = np.arange(T)
    months = (tt % 12) + 1 if monthly else np.ones(T)
    season = 0.4 * np.sin(2 * np.pi * (months - 3) / 12) if monthly else np.zeros(T)
    f = np.cumsum(rng.normal(0, 0.08 if monthly else 0.25, T)) + season
    loading = rng.uniform(0.6, 1.4, n)
    level = rng.uniform(3.0, 10.0, n)
    ar_sd, wn_sd = (0.35, 0.15) if monthly else (0.3, 0.1)
    u = _ar1(rng, cell.phi, ar_sd * size, T) + rng.standard_normal((T, n)) * wn_sd * size
    y = level + loading * (f[:, None] - f[:cell.pre].mean()) + u
    if cell.variant == "drift":
        y += np.cumsum(rng.standard_normal((T, n)) * (0.03 if monthly else 0.1) * size, axis=0)
    if cell.variant == "unlike":
        y[:, 0] += (1.6 - loading[0]) * (f - f[:cell.pre].mean())
        y[:, 0] += (0.01 if monthly else 0.1) * (tt - cell.pre)
    y[cell.pre:, 0] += effect
    codes = [TREATED] + [f"{i + 1:04d}" for i in range(1, n)]
    names = ["Behandlad"] + [f"Kommun {c}" for c in codes[1:]]
    frames = []
    for values, measure in ((y, OUTCOME), (np.repeat(pop[None, :], T, axis=0), "population")):
        frames.append(pd.DataFrame({
            "unit": np.repeat(codes, T), "unit_name": np.repeat(names, T),
            "period": np.tile(periods, n), "measure": measure,
            "value": values.T.reshape(-1), "unit_type": "kommun",
        }))
    panel = pd.concat(frames, ignore_index=True)
    panel["status"] = "final"
    panel["source"] = "calibration simulation"
    return Draw(panel=panel, treated=TREATED, intervention=cell.intervention,
                post_end=cell.post_end, effect=effect, treated_population=float(pop[0]))


def size_tercile(population: float) -> int:
    """0, 1, 2 for the small, middle and large third of the log-uniform size distribution."""
    q = (np.log(population) - np.log(3_000)) / (np.log(300_000) - np.log(3_000))
    return int(min(2, max(0, np.floor(q * 3))))
