"""A deterministic, seeded simulated Sweden: the demo data every report and design test uses.

About 290 fictional municipalities (kommuner) in 21 fictional counties (län, real two-digit codes
with invented names) get monthly population, labour force, registered unemployment and
households receiving social assistance. The national component follows Sweden's path (see
``docs/domain.md``): unemployment about 8 % in 2015, 6.8 % in 2019, 9 % in the pandemic, 6.3 % in
2023 and about 7 % in 2024–25 with a June peak; households about 23 per 1 000 inhabitants in 2015
falling to about 14 per 1 000 in 2023–24. Each kommun has its own level, loading on the national
cycle, seasonal amplitude, slowly drifting trend, county- and kommun-level AR(1) shocks and
persistent, over-dispersed count noise whose relative size shrinks with the population.

Two units are fixed:

* **Exempelstad** (``1987``, county ``19``, about 14 000 inhabitants) has a reform from
  ``2022-04``: unemployment falls 1.0 percentage point and households on assistance 15 %,
  phased in linearly over six months (fraction ``min(1, k/6)``, ``k`` months after 2022-04).
* **Kontrollby** (``0649``, county ``06``, about 15 500 inhabitants) has the same reform date
  but no effect (a placebo).

The geography (codes, names, counties, populations) does not depend on ``seed``; ``seed`` draws
the outcome dynamics. Random paths are drawn for the fixed horizon 2012-01..2030-12 and cut, so
a later ``end`` never changes earlier months, except months listed in ``revised``.

The build also writes fictional municipality groups in Kolada's long format
(``group_id, group_title, member_id, member_title``; see :func:`demo_groups`): one group per
kommungrupp, one per county and, for every kommun, "Liknande kommuner, arbetsmarknad, <name>" and
"Liknande kommuner, ekonomiskt bistånd, <name>" — its seven nearest kommuner on pre-2020
characteristics — so that donor pools (``evaluation.designs.donors``) work on the demo as on real
Kolada groups.

It also writes **simulated** yearly reform flags (``reform_flags_simulerade.csv``, see
:func:`demo_flags`), shaped like Kolada's U40826 ("ekonomiskt bistånd ingår i samma förvaltning
som arbetsmarknadsinsatserna", 0/1 per kommun and year, 2015–2023): Exempelstad switches to 1 in
2022, 40 other kommuner in cohorts 2016–2023, six have the flag from the first year and three
switch back. The flags are drawn independently of the outcomes, so the kommuner that "made the
change" have no effect on average (only Exempelstad's own simulated effect is among them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation import paths
from evaluation.data.panel import (
    Frequency,
    period_frequency,
    period_range,
    periods_between,
    read_panel,
    validate_panel,
)
from evaluation.data.store import (
    build_processed,
    replace_dir,
    save_raw,
    sha256_file,
    to_yearly,
    write_bytes,
    write_parquet,
)
from evaluation.errors import DataError

__all__ = [
    "DEFAULT_END",
    "DEFAULT_SEED",
    "DEFAULT_START",
    "DemoData",
    "PLACEBO_UNIT",
    "REFORM_START",
    "SOURCE",
    "TREATED_UNIT",
    "build_demo",
    "demo_dir",
    "demo_flags",
    "demo_flags_path",
    "demo_groups",
    "ensure_demo",
    "load_demo",
    "load_demo_groups",
    "load_demo_units",
    "phase_in",
    "processed_panel_path",
    "simulate",
    "to_yearly",
    "truth_to_yearly",
]

SIMULATOR_VERSION = 2
DEFAULT_SEED = 20220401
DEFAULT_START = "2015-01"
DEFAULT_END = "2025-12"
HORIZON_START = "2012-01"
HORIZON_END = "2030-12"
SOURCE = "demo (simulerade data)"
RAW_SOURCE = "demo"

TREATED_UNIT = "1987"
TREATED_NAME = "Exempelstad"
PLACEBO_UNIT = "0649"
PLACEBO_NAME = "Kontrollby"
REFORM_START = "2022-04"
PHASE_IN_MONTHS = 6
#: True effects at full phase-in: percentage points (rate) and relative change (households).
EFFECT_UNEMPLOYMENT_PP = -1.0
EFFECT_HOUSEHOLDS_RELATIVE = -0.15
OUTCOMES = ("unemployment_rate", "households_assistance")

#: Months at the end of the panel that are still preliminary, per measure.
PRELIMINARY_MONTHS = {"households_assistance": 2, "unemployed": 1, "unemployment_rate": 1}

_GEOGRAPHY_SEED = 19870649  # fixed: the fictional country does not change with ``seed``

# --------------------------------------------------------------------------- geography
# Real two-digit county codes with invented names; number of kommuner per county as in Sweden.
_COUNTIES: tuple[tuple[str, str, int], ...] = (
    ("01", "Storstrands län", 26),
    ("03", "Ljusåsens län", 8),
    ("04", "Sjömarkens län", 9),
    ("05", "Österslätts län", 13),
    ("06", "Högbygdens län", 13),
    ("07", "Stenhedens län", 8),
    ("08", "Kustmarkens län", 12),
    ("09", "Havsöns län", 1),
    ("10", "Skärgårdens län", 5),
    ("12", "Söderslätts län", 33),
    ("13", "Strandbygdens län", 6),
    ("14", "Västmarkens län", 49),
    ("17", "Älvskogens län", 16),
    ("18", "Mellanbygdens län", 12),
    ("19", "Järnbygdens län", 10),
    ("20", "Fjällsjöns län", 15),
    ("21", "Norrkustens län", 10),
    ("22", "Höga strandens län", 7),
    ("23", "Fjällmarkens län", 8),
    ("24", "Norrmarks län", 15),
    ("25", "Nordmarkens län", 14),
)
# The three largest cities (county -> population in 2022-04) and the one-kommun county.
_BIG_CITIES = {"01": 985_000, "14": 590_000, "12": 360_000}
# Their unemployment and social-assistance levels relative to the nation (fixed, realistic:
# the capital below average, the third city well above).
_BIG_CITY_UNEMPLOYMENT = {"01": 0.9, "14": 1.05, "12": 1.45}
_BIG_CITY_HOUSEHOLDS = {"01": 0.85, "14": 1.1, "12": 1.6}
_ISLAND_POPULATION = 61_000
_FIXED_UNITS = {
    TREATED_UNIT: (TREATED_NAME, 14_000, 0.002),
    PLACEBO_UNIT: (PLACEBO_NAME, 15_500, 0.003),
}

_PREFIXES = (
    "Alv", "Bjälk", "Brom", "Dun", "Eker", "Fjäl", "Frös", "Gles", "Grim", "Hagel", "Hjort",
    "Holm", "Kvarn", "Kvill", "Lind", "Ljus", "Lomm", "Mörk", "Myr", "Norr", "Ram", "Rask",
    "Ros", "Sälg", "Silver", "Skär", "Sol", "Stens", "Strand", "Sund", "Tall", "Tjäder",
    "Trast", "Ulv", "Vass", "Vinter", "Vret", "Åker", "Ängs", "Örn", "Björk", "Gran",
    "Hassel", "Lövs", "Rönn", "Uggle", "Kråk", "Lärk", "Måsa", "Glimm",
)
_SUFFIXES = (
    "boda", "by", "dala", "fors", "hamra", "heda", "holm", "hult", "kulla", "lunda", "mark",
    "måla", "näs", "ryd", "sjö", "stad", "strand", "sund", "torp", "vik", "åker", "ås",
    "berga", "forsa", "lid",
)

# Fictional municipality groups (not SKR's classification).
GROUP_METRO = "Storstadskärna"
GROUP_METRO_COMMUTER = "Storstadsnära pendlingsort"
GROUP_REGIONAL = "Regioncentrum"
GROUP_TOWN = "Mellanstor ort"
GROUP_COMMUTER = "Pendlingsort"
GROUP_RURAL = "Glesbygdskommun"
GROUP_TOURISM = "Turistkommun"

#: Kolada's long format of municipality groups, one row per member.
GROUP_COLUMNS = ("group_id", "group_title", "member_id", "member_title")
#: "Liknande kommuner" families of the demo: title word -> the outcome characteristic used.
SIMILAR_FAMILIES = {
    "arbetsmarknad": "unemployment_rate",
    "ekonomiskt bistånd": "households_per_1000",
}
SIMILAR_SIZE = 7  # members of each "Liknande kommuner" group, as in Kolada
SIMILAR_BEFORE = "2020-01"  # similarity is measured on the months before this one

# --------------------------------------------------------------------------- national paths
# Published national registered unemployment (% of labour force, not seasonally adjusted) at
# these months; reference figures from domain.md (2021-12 ... 2025-11), the rest shaped after the
# text there (≈8 % 2015, ≈6.8 % 2019, ≈9 % pandemic peak). Beyond 2025 an assumption.
_UNEMPLOYMENT_ANCHORS: tuple[tuple[str, float], ...] = (
    ("2012-01", 7.9), ("2013-01", 8.1), ("2014-01", 8.1), ("2015-01", 7.9), ("2015-12", 7.7),
    ("2016-12", 7.4), ("2017-12", 7.1), ("2018-12", 6.9), ("2019-06", 6.8), ("2019-12", 6.9),
    ("2020-02", 7.1), ("2020-05", 8.4), ("2020-09", 8.8), ("2021-01", 9.0), ("2021-03", 9.0),
    ("2021-06", 8.4), ("2021-12", 7.2), ("2022-04", 6.8), ("2022-06", 6.6), ("2022-09", 6.6),
    ("2023-04", 6.3), ("2023-06", 6.2), ("2023-11", 6.5), ("2024-02", 6.8), ("2024-07", 6.8),
    ("2024-11", 6.9), ("2025-02", 7.2), ("2025-07", 7.1), ("2025-11", 6.7), ("2026-06", 6.6),
    ("2027-06", 6.5), ("2030-12", 6.5),
)
# Multiplicative seasonal factors Jan..Dec (sum zero); peak in June (youth, summer).
_UNEMPLOYMENT_SEASON = np.array(
    [0.02, 0.02, 0.005, -0.01, -0.015, 0.045, 0.035, -0.005, -0.03, -0.03, -0.02, -0.015]
)
# Households on assistance per 1 000 inhabitants, yearly (Socialstyrelsen's yearly households
# over population, domain.md; 2012–13 and 2025+ assumed), placed at July of each year.
_HOUSEHOLDS_PER_1000: dict[int, float] = {
    2012: 24.3, 2013: 24.0, 2014: 23.4, 2015: 23.1, 2016: 22.2, 2017: 21.2, 2018: 20.3,
    2019: 19.7, 2020: 19.2, 2021: 17.5, 2022: 15.4, 2023: 13.8, 2024: 13.7, 2025: 13.9,
    2026: 14.0, 2030: 14.0,
}
_HOUSEHOLDS_SEASON = np.array(
    [0.015, 0.02, 0.015, 0.005, 0.0, -0.01, -0.025, -0.02, -0.005, 0.0, 0.0, 0.005]
)

# --------------------------------------------------------------------------- noise settings
# Calibrated so that county aggregates reproduce the real SCB county panel's SD of 12-month
# changes in the local-minus-national unemployment gap (≈0.13–0.23 p.p.) and a 10k–20k kommun
# is far noisier; see tests/data/test_demo.py for the measured figures.
_U = {
    "level_county": 0.15, "level_kommun": 0.30,  # log level of the unemployment rate
    "omega": 0.8,  # elasticity to the national cycle = level**-omega (near-additive gaps)
    "beta_county": 0.05, "beta_kommun": 0.08,  # extra loading on the national cycle (log)
    "slope_phi": 0.98, "slope_sd": 0.0002,  # damped random-walk slope (log per month)
    "county_phi": 0.92, "county_sd": 0.012,  # county AR(1), stationary SD (log)
    "kommun_phi": 0.90, "kommun_sd": 0.025,  # kommun AR(1), stationary SD (log)
    "count_phi": 0.85, "count_k": 0.6,  # count noise AR(1), stationary SD = k·sqrt(mean)
}
_H = {
    "level_link": 0.7, "level_county": 0.10, "level_kommun": 0.25,
    "beta_sd": 0.15,
    "slope_phi": 0.98, "slope_sd": 0.0004,
    "county_phi": 0.95, "county_sd": 0.020,
    "kommun_phi": 0.95, "kommun_sd": 0.030,
    "count_phi": 0.90, "count_k": 0.75,
}


@dataclass(frozen=True)
class DemoData:
    """The simulated demo data.

    Attributes
    ----------
    monthly
        Canonical long panel (kommun, län and riket) with unit, unit_name, period, measure,
        value, unit_type, population, status, source.
    truth
        True effect per period: unit, period, measure, effect, counterfactual for the outcome
        measures of Exempelstad (``1987``) and Kontrollby (``0649``, effect 0).
    units
        unit, unit_name, unit_type, lan, lan_name, population (at ``end``), kommungrupp.
    params
        The arguments that produced the data.
    """

    monthly: pd.DataFrame
    truth: pd.DataFrame
    units: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def yearly(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Yearly panel and truth (complete years only)."""
        return to_yearly(self.monthly), truth_to_yearly(self.truth)


# =========================================================================== simulation
@dataclass(frozen=True)
class _Geography:
    codes: np.ndarray  # (K,) str
    names: np.ndarray  # (K,) str
    county: np.ndarray  # (K,) str
    county_index: np.ndarray  # (K,) int
    county_codes: tuple[str, ...]
    county_names: tuple[str, ...]
    population: np.ndarray  # (K, T) int over the horizon
    labour_force: np.ndarray  # (K, T) int over the horizon
    group: np.ndarray  # (K,) str


def _horizon() -> list[str]:
    return period_range(HORIZON_START, HORIZON_END)


def _fictional_names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [
        p + s for p in _PREFIXES for s in _SUFFIXES if not p.lower().endswith(s) and p != s
    ]
    order = rng.permutation(len(combos))
    names: list[str] = []
    seen = {TREATED_NAME, PLACEBO_NAME}
    for i in order:
        name = combos[i]
        if name not in seen:
            seen.add(name)
            names.append(name)
        if len(names) == n:
            break
    return names


def _geography() -> _Geography:
    """The fixed fictional country (independent of the simulation seed)."""
    rng = np.random.default_rng(_GEOGRAPHY_SEED)
    horizon = _horizon()
    t = np.arange(len(horizon)) - periods_between(HORIZON_START, REFORM_START)
    codes: list[str] = []
    county: list[str] = []
    for lan, _name, n in _COUNTIES:
        fixed = [c[2:] for c in _FIXED_UNITS if c[:2] == lan]
        pool = [f"{i:02d}" for i in range(1, 100) if f"{i:02d}" not in fixed]
        chosen = sorted([*fixed, *rng.choice(pool, size=n - len(fixed), replace=False)])
        codes += [lan + c for c in chosen]
        county += [lan] * n
    k = len(codes)
    names = np.array(_fictional_names(rng, k), dtype=object)
    base = 16_000 * np.exp(rng.normal(0.0, 1.0, k))
    base = np.clip(base, 2_500, 260_000)
    base *= np.exp(rng.normal(0.0, 0.02, k))  # break ties at the clip bounds
    codes_arr = np.array(codes, dtype=object)
    county_arr = np.array(county, dtype=object)
    commuter = rng.random(k) < 0.45
    tourism = rng.random(k) < 0.25
    for lan, pop in _BIG_CITIES.items():
        first = int(np.flatnonzero(county_arr == lan)[0])
        base[first] = pop
    base[county_arr == "09"] = _ISLAND_POPULATION
    growth = 0.002 + 0.004 * np.clip(np.log(base / 16_000), -1.5, 3.0) + rng.normal(0, 0.004, k)
    share = rng.uniform(0.50, 0.55, k)
    share_drift = rng.normal(0.0, 0.001, k)
    for code, (name, pop, g) in _FIXED_UNITS.items():
        i = int(np.flatnonzero(codes_arr == code)[0])
        names[i], base[i], growth[i] = name, pop, g
        share[i], share_drift[i], commuter[i], tourism[i] = 0.525, 0.0, True, False
    years = t[None, :] / 12.0
    population = np.rint(base[:, None] * np.exp(growth[:, None] * years)).astype(np.int64)
    lf_share = np.clip(share[:, None] + share_drift[:, None] * years, 0.50, 0.55)
    labour_force = np.rint(population * lf_share).astype(np.int64)
    big = np.isin(county_arr, list(_BIG_CITIES))
    group = np.where(
        base >= 300_000, GROUP_METRO,
        np.where(
            big & commuter & (base >= 8_000), GROUP_METRO_COMMUTER,
            np.where(
                base >= 50_000, GROUP_REGIONAL,
                np.where(
                    commuter, GROUP_COMMUTER,
                    np.where(base >= 15_000, GROUP_TOWN,
                             np.where(tourism, GROUP_TOURISM, GROUP_RURAL)),
                ),
            ),
        ),
    ).astype(object)
    county_codes = tuple(c for c, _, _ in _COUNTIES)
    return _Geography(
        codes=codes_arr,
        names=names,
        county=county_arr,
        county_index=np.array([county_codes.index(c) for c in county]),
        county_codes=county_codes,
        county_names=tuple(n for _, n, _ in _COUNTIES),
        population=population,
        labour_force=labour_force,
        group=group,
    )


def _big_city_index(geo: _Geography) -> np.ndarray:
    """Row of each big city, in the order of ``_BIG_CITIES``."""
    return np.array([int(np.flatnonzero(geo.county == lan)[0]) for lan in _BIG_CITIES])


def _national_paths(horizon: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """National unemployment rate (%) and households per 1 000 inhabitants over the horizon."""
    from scipy.interpolate import PchipInterpolator

    month = np.array([int(p[5:7]) - 1 for p in horizon])
    x_u = np.array([periods_between(HORIZON_START, p) for p, _ in _UNEMPLOYMENT_ANCHORS])
    season_at = np.array([_UNEMPLOYMENT_SEASON[int(p[5:7]) - 1] for p, _ in _UNEMPLOYMENT_ANCHORS])
    y_u = np.array([v for _, v in _UNEMPLOYMENT_ANCHORS]) / (1 + season_at)
    t = np.arange(len(horizon))
    unemployment = PchipInterpolator(x_u, y_u)(t) * (1 + _UNEMPLOYMENT_SEASON[month])
    x_h = np.array([periods_between(HORIZON_START, f"{y}-07") for y in _HOUSEHOLDS_PER_1000])
    y_h = np.array(list(_HOUSEHOLDS_PER_1000.values()))
    households = PchipInterpolator(x_h, y_h, extrapolate=True)(t)
    households *= 1 + _HOUSEHOLDS_SEASON[month]
    return unemployment, households


def _ar1(rng: np.random.Generator, shape: tuple[int, int], phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) paths along axis 1 with stationary SD ``sd``."""
    n, t_len = shape
    shocks = rng.standard_normal(shape) * sd * np.sqrt(1 - phi**2)
    out = np.empty(shape)
    out[:, 0] = rng.standard_normal(n) * sd
    for t in range(1, t_len):
        out[:, t] = phi * out[:, t - 1] + shocks[:, t]
    return out


def _damped_trend(rng: np.random.Generator, shape: tuple[int, int], phi: float, sd: float,
                  anchor: int) -> np.ndarray:
    """Integrated AR(1) slope (a slowly bending local trend), zero at column ``anchor``."""
    slope = _ar1(rng, shape, phi, sd / np.sqrt(1 - phi**2))
    level = np.cumsum(slope, axis=1)
    return level - level[:, [anchor]]


def _count_noise(rng: np.random.Generator, mean: np.ndarray, phi: float, k: float) -> np.ndarray:
    """Persistent count noise: AR(1) with stationary SD ``k·sqrt(mean)`` (over-dispersed stock)."""
    scale = k * np.sqrt(np.maximum(mean, 0.0))
    z = _ar1(rng, mean.shape, phi, 1.0)
    return z * scale


def _seasonal_log(season: np.ndarray, months: np.ndarray) -> np.ndarray:
    return np.log1p(season[months])


def _simulate_kommuner(seed: int, geo: _Geography, horizon: list[str]) -> dict[str, np.ndarray]:
    """Counterfactual (no-effect) unemployed and households for every kommun over the horizon."""
    k, t_len = geo.population.shape
    n_county = len(geo.county_codes)
    ci = geo.county_index
    months = np.array([int(p[5:7]) - 1 for p in horizon])
    anchor = periods_between(HORIZON_START, REFORM_START)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    nat_u, nat_h = _national_paths(horizon)
    pop = geo.population.astype(float)
    lf = geo.labour_force.astype(float)
    treated = int(np.flatnonzero(geo.codes == TREATED_UNIT)[0])
    placebo = int(np.flatnonzero(geo.codes == PLACEBO_UNIT)[0])
    tourism = geo.group == GROUP_TOURISM

    # --- unemployment: relative multiplier around the national rate
    r = streams[0]
    log_level = (r.normal(0, _U["level_county"], n_county)[ci]
                 + r.normal(0, _U["level_kommun"], k))
    beta = 1 + r.normal(0, _U["beta_county"], n_county)[ci] + r.normal(0, _U["beta_kommun"], k)
    amplitude = r.uniform(0.6, 1.4, k) * np.where(tourism, 1.8, 1.0)
    log_level[[treated, placebo]] = [np.log(1.15), 0.0]
    beta[[treated, placebo]] = 1.0
    amplitude[[treated, placebo]] = 1.0
    big = _big_city_index(geo)
    log_level[big] = np.log(list(_BIG_CITY_UNEMPLOYMENT.values()))
    beta[big] = 1.0
    # Large, diversified economies have smaller idiosyncratic shocks.
    size_damping = np.minimum(1.0, (geo.population[:, anchor] / 50_000) ** -0.25)
    # High-unemployment places move less than proportionally with the nation (elasticity
    # level**-omega), so absolute gaps do not widen much in a recession.
    beta *= np.exp(-_U["omega"] * log_level)
    cycle = np.log(nat_u / (1 + _UNEMPLOYMENT_SEASON[months]))
    cycle = cycle - cycle[anchor]
    log_m = (
        log_level[:, None]
        + (beta - 1)[:, None] * cycle[None, :]
        + (amplitude - 1)[:, None] * _seasonal_log(_UNEMPLOYMENT_SEASON, months)[None, :]
        + _damped_trend(streams[1], (k, t_len), _U["slope_phi"], _U["slope_sd"], anchor)
        + _ar1(streams[2], (n_county, t_len), _U["county_phi"], _U["county_sd"])[ci]
        + _ar1(streams[3], (k, t_len), _U["kommun_phi"], _U["kommun_sd"]) * size_damping[:, None]
    )
    m = np.exp(log_m)
    m /= (lf * m).sum(axis=0) / lf.sum(axis=0)  # the labour-force weighted mean is the nation
    mean_u = lf * nat_u[None, :] / 100 * m
    noise_u = _count_noise(streams[4], mean_u, _U["count_phi"], _U["count_k"])
    unemployed = np.clip(np.rint(mean_u + noise_u), 0, lf).astype(np.int64)

    # --- households receiving social assistance: relative multiplier around the national rate
    r = streams[5]
    log_level_h = (_H["level_link"] * log_level
                   + r.normal(0, _H["level_county"], n_county)[ci]
                   + r.normal(0, _H["level_kommun"], k))
    beta_h = 1 + r.normal(0, _H["beta_sd"], k)
    log_level_h[[treated, placebo]] = [np.log(0.98), 0.0]
    beta_h[[treated, placebo]] = 1.0
    log_level_h[big] = np.log(list(_BIG_CITY_HOUSEHOLDS.values()))
    beta_h[big] = 1.0
    cycle_h = np.log(nat_h / (1 + _HOUSEHOLDS_SEASON[months]))
    cycle_h = cycle_h - cycle_h[anchor]
    log_mh = (
        log_level_h[:, None]
        + (beta_h - 1)[:, None] * cycle_h[None, :]
        + _damped_trend(streams[6], (k, t_len), _H["slope_phi"], _H["slope_sd"], anchor)
        + _ar1(streams[7], (n_county, t_len), _H["county_phi"], _H["county_sd"])[ci]
        + _ar1(streams[8], (k, t_len), _H["kommun_phi"], _H["kommun_sd"]) * size_damping[:, None]
    )
    mh = np.exp(log_mh)
    mh /= (pop * mh).sum(axis=0) / pop.sum(axis=0)
    mean_h = pop * nat_h[None, :] / 1000 * mh
    noise_h = _count_noise(streams[9], mean_h, _H["count_phi"], _H["count_k"])
    households = np.clip(np.rint(mean_h + noise_h), 0, None).astype(np.int64)
    return {"unemployed": unemployed, "households_assistance": households}


def _revise(seed: int, period: str, unemployed: np.ndarray, households: np.ndarray,
            labour_force: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic revision of one month: households ±1–3 %, unemployment ±0.05–0.1 p.p."""
    rng = np.random.default_rng([seed, 0x5E71, int(period[:4]), int(period[5:7])])
    k = unemployed.shape[0]
    sign_u = rng.choice([-1, 1], size=k)
    sign_h = rng.choice([-1, 1], size=k)
    size_u = rng.uniform(0.0005, 0.001, k)
    size_h = rng.uniform(0.01, 0.03, k)
    delta_u = sign_u * np.maximum(1, np.rint(size_u * labour_force))
    new_u = np.clip(unemployed + delta_u, 0, labour_force).astype(np.int64)
    delta_h = sign_h * np.maximum(1, np.rint(size_h * households))
    new_h = np.clip(households + delta_h, 0, None).astype(np.int64)
    return new_u, new_h


def _check_period(value: str, what: str) -> str:
    value = str(value)
    if period_frequency(value) != "monthly" or not HORIZON_START <= value <= HORIZON_END:
        raise DataError(
            f"Demodata: {what} '{value}' måste vara en månad ÅÅÅÅ-MM mellan {HORIZON_START} "
            f"och {HORIZON_END}.",
            f"Demo data: {what} '{value}' must be a month YYYY-MM between {HORIZON_START} and "
            f"{HORIZON_END}.",
        )
    return value


def phase_in(periods: Sequence[str]) -> np.ndarray:
    """Share of the full effect in each period: ``min(1, k/6)``, ``k`` months after 2022-04."""
    k = np.array([periods_between(REFORM_START, p) for p in periods], dtype=float)
    return np.clip(k / PHASE_IN_MONTHS, 0.0, 1.0)


def simulate(
    *,
    seed: int = DEFAULT_SEED,
    start: str = DEFAULT_START,
    end: str = DEFAULT_END,
    revised: Sequence[str] = (),
) -> DemoData:
    """Simulate the demo panel for ``start``..``end`` (months ``YYYY-MM``).

    Parameters
    ----------
    seed
        Seed of the outcome dynamics (the geography is fixed).
    start, end
        First and last month, within 2012-01..2030-12. Values of a month never depend on
        ``start`` or ``end``.
    revised
        Months whose published values were revised since first publication: their kommun
        values move deterministically (households ±1–3 %, unemployment ±0.05–0.1 p.p.).

    Returns
    -------
    DemoData
        Monthly panel (kommuner, län, riket), truth and units table.
    """
    start = _check_period(start, "start")
    end = _check_period(end, "end")
    if start > end:
        raise DataError(
            f"Startmånaden {start} ligger efter slutmånaden {end}: byt plats på dem.",
            f"The start month {start} is after the end month {end}: swap them.",
        )
    revised_set = sorted({_check_period(p, "revised") for p in revised})
    geo = _geography()
    horizon = _horizon()
    paths_cf = _simulate_kommuner(int(seed), geo, horizon)
    unemployed_cf = paths_cf["unemployed"]
    households_cf = paths_cf["households_assistance"]
    for period in revised_set:
        j = horizon.index(period)
        unemployed_cf[:, j], households_cf[:, j] = _revise(
            int(seed), period, unemployed_cf[:, j], households_cf[:, j], geo.labour_force[:, j]
        )

    lo, hi = horizon.index(start), horizon.index(end) + 1
    periods = horizon[lo:hi]
    pop = geo.population[:, lo:hi]
    lf = geo.labour_force[:, lo:hi]
    u_cf = unemployed_cf[:, lo:hi]
    h_cf = households_cf[:, lo:hi]
    share = phase_in(periods)
    treated = int(np.flatnonzero(geo.codes == TREATED_UNIT)[0])
    placebo = int(np.flatnonzero(geo.codes == PLACEBO_UNIT)[0])
    unemployed = u_cf.copy()
    households = h_cf.copy()
    cut = np.rint(share * (-EFFECT_UNEMPLOYMENT_PP) / 100 * lf[treated]).astype(np.int64)
    unemployed[treated] = np.maximum(u_cf[treated] - cut, 0)
    households[treated] = np.rint(h_cf[treated] * (1 + EFFECT_HOUSEHOLDS_RELATIVE * share))

    counts = {
        "population": pop,
        "labour_force": lf,
        "unemployed": unemployed,
        "households_assistance": households,
    }
    monthly = _long_panel(geo, periods, counts)
    truth = _truth(geo, periods, [treated, placebo], counts, u_cf, h_cf)
    units = _units_table(geo, pop[:, -1])
    params = {"seed": int(seed), "start": start, "end": end, "revised": revised_set}
    return DemoData(monthly=monthly, truth=truth, units=units, params=params)


def _rate(unemployed: np.ndarray, labour_force: np.ndarray) -> np.ndarray:
    return np.round(100.0 * unemployed / labour_force, 2)


def _long_panel(geo: _Geography, periods: list[str], counts: dict[str, np.ndarray]) -> pd.DataFrame:
    """Kommun, län and riket rows of every measure in the canonical long format."""
    onehot = np.zeros((len(geo.county_codes), len(geo.codes)))
    onehot[geo.county_index, np.arange(len(geo.codes))] = 1.0
    codes = [*geo.codes, *geo.county_codes, "00"]
    names = [*geo.names, *geo.county_names, "Riket"]
    types = ["kommun"] * len(geo.codes) + ["lan"] * len(geo.county_codes) + ["riket"]
    full: dict[str, np.ndarray] = {}
    for measure, values in counts.items():
        lan = np.rint(onehot @ values).astype(np.int64)
        nation = values.sum(axis=0, keepdims=True)
        full[measure] = np.vstack([values, lan, nation])
    full["unemployment_rate"] = _rate(full["unemployed"], full["labour_force"])
    n_units, n_periods = full["population"].shape
    status_for = {}
    for measure in full:
        status = np.full(n_periods, "final", dtype=object)
        tail = PRELIMINARY_MONTHS.get(measure, 0)
        if tail:
            status[-tail:] = "preliminary"
        status_for[measure] = np.tile(status, n_units)
    blocks = []
    for measure in sorted(full):
        blocks.append(pd.DataFrame({
            "unit": np.repeat(codes, n_periods),
            "unit_name": np.repeat(names, n_periods),
            "period": np.tile(periods, n_units),
            "measure": measure,
            "value": full[measure].astype(float).ravel(),
            "unit_type": np.repeat(types, n_periods),
            "population": full["population"].ravel(),
            "status": status_for[measure],
            "source": SOURCE,
        }))
    return validate_panel(pd.concat(blocks, ignore_index=True), source="demo")


def _truth(geo: _Geography, periods: list[str], rows: list[int], counts: dict[str, np.ndarray],
           u_cf: np.ndarray, h_cf: np.ndarray) -> pd.DataFrame:
    frames = []
    lf = counts["labour_force"]
    for i in rows:
        observed = {
            "unemployment_rate": _rate(counts["unemployed"][i], lf[i]),
            "households_assistance": counts["households_assistance"][i].astype(float),
        }
        counterfactual = {
            "unemployment_rate": _rate(u_cf[i], lf[i]),
            "households_assistance": h_cf[i].astype(float),
        }
        for measure in OUTCOMES:
            frames.append(pd.DataFrame({
                "unit": geo.codes[i],
                "period": periods,
                "measure": measure,
                "effect": np.round(observed[measure] - counterfactual[measure], 6),
                "counterfactual": counterfactual[measure],
            }))
    truth = pd.concat(frames, ignore_index=True)
    truth["unit"] = truth["unit"].astype(str)
    return truth.sort_values(["measure", "unit", "period"]).reset_index(drop=True)


def _units_table(geo: _Geography, latest_population: np.ndarray) -> pd.DataFrame:
    onehot_pop = np.bincount(geo.county_index, weights=latest_population,
                             minlength=len(geo.county_codes))
    county_name = dict(zip(geo.county_codes, geo.county_names, strict=True))
    kommuner = pd.DataFrame({
        "unit": geo.codes.astype(str),
        "unit_name": geo.names.astype(str),
        "unit_type": "kommun",
        "lan": geo.county.astype(str),
        "lan_name": [county_name[c] for c in geo.county],
        "population": latest_population.astype(np.int64),
        "kommungrupp": geo.group.astype(str),
    })
    lan = pd.DataFrame({
        "unit": list(geo.county_codes),
        "unit_name": list(geo.county_names),
        "unit_type": "lan",
        "lan": list(geo.county_codes),
        "lan_name": list(geo.county_names),
        "population": np.rint(onehot_pop).astype(np.int64),
        "kommungrupp": "",
    })
    riket = pd.DataFrame({
        "unit": ["00"], "unit_name": ["Riket"], "unit_type": ["riket"], "lan": [""],
        "lan_name": [""], "population": [int(latest_population.sum())], "kommungrupp": [""],
    })
    return pd.concat([kommuner, lan, riket], ignore_index=True)


def truth_to_yearly(truth: pd.DataFrame) -> pd.DataFrame:
    """Yearly truth: annual means of the monthly effect and counterfactual, complete years only.

    Matches :func:`evaluation.data.store.to_yearly` for the outcome measures (rates and
    household counts are annual means of monthly values).
    """
    frame = truth.assign(period=truth["period"].str[:4])
    grouped = frame.groupby(["unit", "measure", "period"], sort=True)
    out = grouped.agg(
        effect=("effect", "mean"), counterfactual=("counterfactual", "mean"), n=("effect", "size")
    ).reset_index()
    out = out[out["n"] == 12].drop(columns="n")
    out["effect"] = out["effect"].round(6)
    columns = ["unit", "period", "measure", "effect", "counterfactual"]
    return out[columns].sort_values(["measure", "unit", "period"]).reset_index(drop=True)


# =========================================================================== build & load
_PROCESSED_FILES = (
    "panel_monthly.parquet",
    "panel_yearly.parquet",
    "truth_monthly.parquet",
    "truth_yearly.parquet",
    "units.parquet",
    "groups.parquet",
    "reform_flags_simulerade.csv",
)
_GROUPS_FILE = "groups.parquet"
FLAGS_FILE = "reform_flags_simulerade.csv"
#: Files derived from the units (and panel) alone: an older build lacking them is completed in
#: place, without simulating again.
_DERIVED_FILES = (_GROUPS_FILE, FLAGS_FILE)
_MANIFEST = "demo.json"


def demo_dir() -> Path:
    """``processed_dir()/demo``: where the processed demo files live."""
    return paths.processed_dir() / "demo"


def processed_panel_path(frequency: Frequency = "monthly") -> Path:
    """Path of the processed demo panel of ``frequency`` (does not build it)."""
    _check_frequency(frequency)
    return demo_dir() / f"panel_{frequency}.parquet"


def _check_frequency(frequency: str) -> None:
    if frequency not in ("monthly", "yearly"):
        raise DataError(
            f"Okänd frekvens {frequency!r}: välj 'monthly' eller 'yearly'.",
            f"Unknown frequency {frequency!r}: choose 'monthly' or 'yearly'.",
        )


def _params(seed: int, end: str, revised: Sequence[str]) -> dict[str, Any]:
    return {
        "seed": int(seed),
        "start": DEFAULT_START,
        "end": str(end),
        "revised": sorted({str(p) for p in revised}),
        "simulator_version": SIMULATOR_VERSION,
    }


def _read_table(path: Path, required: Sequence[str]) -> pd.DataFrame:
    frame = pd.read_csv(
        path, dtype={"unit": str, "period": str, "lan": str, "measure": str, "unit_name": str,
                     "lan_name": str, "kommungrupp": str},
        keep_default_na=False, na_values={"effect": [""], "counterfactual": [""],
                                          "population": [""]},
    )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path} saknar kolumnerna {', '.join(missing)}.",
            f"{path} lacks the columns {', '.join(missing)}.",
        )
    return frame


def _read_truth(path: Path) -> pd.DataFrame:
    return _read_table(path, ("unit", "period", "measure", "effect", "counterfactual"))


def _read_units(path: Path) -> pd.DataFrame:
    return _read_table(path, ("unit", "unit_name", "unit_type", "lan", "population", "kommungrupp"))


def build_demo(
    *,
    seed: int = DEFAULT_SEED,
    end: str = DEFAULT_END,
    revised: Sequence[str] = (),
) -> Path:
    """Simulate, store the raw files and build the processed demo files.

    Raw CSVs (monthly panel as ``.csv.gz``, truth, units) go to ``raw_dir()/demo/`` via
    :func:`~evaluation.data.store.save_raw` (identical content reuses the existing file).
    Processed parquet files (``panel_monthly``, ``panel_yearly``, ``truth_monthly``,
    ``truth_yearly``, ``units``, ``groups`` — derived, no raw file) and ``demo.json``
    (parameters, raw file hashes) are built in a temporary folder and moved to
    ``processed_dir()/demo`` only when complete.

    Returns
    -------
    Path
        The folder ``processed_dir()/demo``.
    """
    params = _params(seed, end, revised)
    data = simulate(seed=seed, end=end, revised=revised)
    raw = {
        "panel_monthly": save_raw(data.monthly, source=RAW_SOURCE, name="panel_monthly.csv.gz",
                                  meta=params),
        "truth_monthly": save_raw(data.truth, source=RAW_SOURCE, name="truth_monthly",
                                  meta=params),
        "units": save_raw(data.units, source=RAW_SOURCE, name="units", meta=params),
    }
    with replace_dir(demo_dir()) as staging:
        panel_file = build_processed(raw["panel_monthly"], name="panel_monthly", out_dir=staging)
        write_parquet(to_yearly(pd.read_parquet(panel_file)), staging / "panel_yearly.parquet")
        truth_file = build_processed(raw["truth_monthly"], name="truth_monthly", out_dir=staging,
                                     reader=_read_truth)
        write_parquet(truth_to_yearly(pd.read_parquet(truth_file)),
                      staging / "truth_yearly.parquet")
        units_file = build_processed(raw["units"], name="units", out_dir=staging,
                                     reader=_read_units)
        groups = demo_groups(pd.read_parquet(panel_file), pd.read_parquet(units_file))
        write_parquet(groups, staging / _GROUPS_FILE)
        _write_flags(pd.read_parquet(units_file), staging / FLAGS_FILE)
        manifest = {
            "params": params,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "raw": {
                key: {
                    "file": path.relative_to(paths.raw_dir()).as_posix(),
                    "sha256": sha256_file(path),
                }
                for key, path in raw.items()
            },
            "files": list(_PROCESSED_FILES),
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        write_bytes(staging / _MANIFEST, text.encode("utf-8"))
    return demo_dir()


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ensure_demo(
    *,
    seed: int = DEFAULT_SEED,
    end: str = DEFAULT_END,
    revised: Sequence[str] = (),
) -> Path:
    """The processed demo folder, built only if missing, incomplete or built with other parameters.

    Returns
    -------
    Path
        The folder ``processed_dir()/demo``.
    """
    folder = demo_dir()
    manifest = _manifest(folder)
    if (
        manifest is not None
        and manifest.get("params") == _params(seed, end, revised)
        and _complete(folder)
    ):
        return folder
    return build_demo(seed=seed, end=end, revised=revised)


def _complete(folder: Path) -> bool:
    """True when ``folder`` holds a whole build.

    A build from before the groups or the simulated flags existed (every file but
    ``groups.parquet`` and/or the flags) is completed in place: both are derived from its own
    panel and units, so nothing else changes.
    """
    manifest = _manifest(folder)
    if manifest is None:
        return False
    missing = [name for name in _PROCESSED_FILES if not (folder / name).is_file()]
    if missing and set(missing) <= set(_DERIVED_FILES):
        units = pd.read_parquet(folder / "units.parquet")
        if _GROUPS_FILE in missing:
            panel = pd.read_parquet(folder / "panel_monthly.parquet")
            write_parquet(demo_groups(panel, units), folder / _GROUPS_FILE)
        if FLAGS_FILE in missing:
            _write_flags(units, folder / FLAGS_FILE)
        manifest["files"] = list(_PROCESSED_FILES)
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        write_bytes(folder / _MANIFEST, text.encode("utf-8"))
        return True
    return not missing


def load_demo(
    frequency: Frequency = "monthly",
    *,
    seed: int | None = None,
    end: str | None = None,
    revised: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo panel and its truth (building them if needed).

    Parameters
    ----------
    frequency
        ``"monthly"`` or ``"yearly"`` (complete years; see :func:`to_yearly`).
    seed, end, revised
        Build parameters; when all are None the demo already built (e.g. by
        ``evaluation demo --end 2026-01``) is used as it is, else the default one is built.

    Returns
    -------
    tuple of pandas.DataFrame
        The canonical long panel and the truth (unit, period, measure, effect, counterfactual).
    """
    _check_frequency(frequency)
    folder = _built_or_ensure(seed, end, revised)
    panel = read_panel(processed_panel_path(frequency))
    truth = pd.read_parquet(folder / f"truth_{frequency}.parquet")
    return panel, truth


def _built_or_ensure(seed: int | None, end: str | None,
                     revised: Sequence[str] | None) -> Path:
    """The demo folder as built when no parameter is given, else :func:`ensure_demo`'s."""
    folder = demo_dir()
    if seed is None and end is None and revised is None and _complete(folder):
        return folder
    return ensure_demo(
        seed=DEFAULT_SEED if seed is None else seed,
        end=DEFAULT_END if end is None else end,
        revised=() if revised is None else revised,
    )


def load_demo_groups(
    *,
    seed: int | None = None,
    end: str | None = None,
    revised: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The demo's fictional municipality groups in Kolada's long format (see :func:`demo_groups`).

    Parameters
    ----------
    seed, end, revised
        As in :func:`load_demo`: when all are None the demo already built is used.

    Returns
    -------
    pandas.DataFrame
        group_id, group_title, member_id, member_title (all strings).
    """
    folder = _built_or_ensure(seed, end, revised)
    return pd.read_parquet(folder / _GROUPS_FILE)


def load_demo_units(
    *,
    seed: int | None = None,
    end: str | None = None,
    revised: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The demo units table (unit, unit_name, unit_type, lan, lan_name, population, kommungrupp).

    As in :func:`load_demo`: when all parameters are None the demo already built is used."""
    folder = _built_or_ensure(seed, end, revised)
    return pd.read_parquet(folder / "units.parquet")


def demo_flags_path(
    *,
    seed: int | None = None,
    end: str | None = None,
    revised: Sequence[str] | None = None,
) -> Path:
    """The demo's **simulated** reform flags (CSV: unit, unit_name, year, flag, source; see
    :func:`demo_flags`), built if needed. As in :func:`load_demo`: when all parameters are
    None the demo already built is used."""
    return _built_or_ensure(seed, end, revised) / FLAGS_FILE


# =========================================================================== reform flags
#: Fixed seed of the simulated flags: they never change with ``seed`` (nor with the outcomes).
_FLAG_SEED = 40826
FLAG_YEARS = (2015, 2023)
#: First flagged year → number of kommuner besides Exempelstad (which adopts in 2022).
FLAG_COHORTS: dict[int, int] = {2016: 5, 2017: 6, 2018: 5, 2019: 6, 2020: 5, 2021: 5,
                                2022: 4, 2023: 4}
FLAG_ALWAYS = 6  # flagged from the first year: no year before adoption (excluded)
FLAG_SWITCH_BACK = 3  # flagged, then 0 again (excluded)
FLAG_TREATED_YEAR = 2022


def demo_flags(units: pd.DataFrame) -> pd.DataFrame:
    """SIMULATED yearly reform flags for the demo's kommuner, like Kolada's U40826 (0/1).

    Drawn from a fixed seed, independently of the simulated outcomes: Exempelstad (1987) is
    0 until 2021 and 1 from 2022; :data:`FLAG_COHORTS` kommuner switch to 1 in 2016–2023 and
    stay; :data:`FLAG_ALWAYS` have 1 already in 2015 and :data:`FLAG_SWITCH_BACK` switch to 1
    and back to 0 (both excluded by the pooled estimate, with their reasons); every other
    kommun (Kontrollby included) is 0 throughout.

    Returns
    -------
    pandas.DataFrame
        unit, unit_name, year (int), flag (0/1), source ("demo (simulerade data)"), one row per
        kommun and year of :data:`FLAG_YEARS`.
    """
    rng = np.random.default_rng(_FLAG_SEED)
    kommuner = units[units["unit_type"] == "kommun"].sort_values("unit")
    names = dict(zip(kommuner["unit"], kommuner["unit_name"], strict=True))
    others = [c for c in kommuner["unit"] if c not in (TREATED_UNIT, PLACEBO_UNIT)]
    n_cohorts = sum(FLAG_COHORTS.values())
    drawn = list(rng.choice(others, size=n_cohorts + FLAG_ALWAYS + FLAG_SWITCH_BACK,
                            replace=False))
    first, last = FLAG_YEARS
    years = np.arange(first, last + 1)
    spells: dict[str, tuple[int, int]] = {TREATED_UNIT: (FLAG_TREATED_YEAR, last + 1)}
    cohorts = [year for year, n in FLAG_COHORTS.items() for _ in range(n)]
    for code, year in zip(drawn[:n_cohorts], cohorts, strict=True):
        spells[code] = (year, last + 1)
    for code in drawn[n_cohorts:n_cohorts + FLAG_ALWAYS]:
        spells[code] = (first, last + 1)
    for code in drawn[n_cohorts + FLAG_ALWAYS:]:
        start = int(rng.integers(2017, 2020))
        spells[code] = (start, start + int(rng.integers(2, 4)))
    rows = []
    for code in kommuner["unit"]:
        on, off = spells.get(code, (last + 1, last + 1))
        for year in years:
            rows.append((code, names[code], int(year), int(on <= year < off), SOURCE))
    return pd.DataFrame(rows, columns=["unit", "unit_name", "year", "flag", "source"])


def _write_flags(units: pd.DataFrame, path: Path) -> None:
    text = demo_flags(units).to_csv(index=False, lineterminator="\n")
    write_bytes(path, text.encode("utf-8"))


# =========================================================================== groups
def demo_groups(panel: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Fictional municipality groups of the demo in Kolada's long format.

    * one group per kommungrupp (title: the kommungrupp, e.g. ``Pendlingsort``), id ``DKG01``…;
    * one group per county (``"<county name>s kommuner"``), id ``DL<län>``;
    * for every kommun ``"Liknande kommuner, arbetsmarknad, <name>"`` (id ``DLA<code>``) and
      ``"Liknande kommuner, ekonomiskt bistånd, <name>"`` (id ``DLB<code>``): the
      :data:`SIMILAR_SIZE` other kommuner nearest on (log mean population, mean unemployment
      rate) and on (log mean population, mean households on assistance per 1 000 inhabitants),
      both over the months before :data:`SIMILAR_BEFORE`, each characteristic standardised
      across kommuner; Euclidean distance, ties broken by code. The kommun itself is not a
      member (as in Kolada).

    Deterministic: the same panel and units give the same table.

    Parameters
    ----------
    panel
        The demo's monthly long panel (population, unemployment_rate, households_assistance).
    units
        The demo's units table (unit, unit_name, unit_type, lan, lan_name, kommungrupp).

    Returns
    -------
    pandas.DataFrame
        :data:`GROUP_COLUMNS`, sorted by group_id and member_id.
    """
    kommuner = units[units["unit_type"] == "kommun"].sort_values("unit")
    names = dict(zip(kommuner["unit"], kommuner["unit_name"], strict=True))
    rows: list[tuple[str, str, str, str]] = []
    for i, (group, members) in enumerate(sorted(kommuner.groupby("kommungrupp")["unit"]), 1):
        rows += [(f"DKG{i:02d}", str(group), u, names[u]) for u in sorted(members)]
    for (lan, lan_name), members in sorted(kommuner.groupby(["lan", "lan_name"])["unit"]):
        rows += [(f"DL{lan}", f"{lan_name}s kommuner", u, names[u]) for u in sorted(members)]
    features = _similarity_features(panel, list(names))
    for prefix, (family, column) in zip(("DLA", "DLB"), SIMILAR_FAMILIES.items(), strict=True):
        nearest = _nearest(features[["log_population", column]], SIMILAR_SIZE)
        for code, peers in nearest.items():
            title = f"Liknande kommuner, {family}, {names[code]}"
            rows += [(f"{prefix}{code}", title, u, names[u]) for u in sorted(peers)]
    groups = pd.DataFrame(rows, columns=list(GROUP_COLUMNS)).astype(str)
    return groups.sort_values(["group_id", "member_id"]).reset_index(drop=True)


def _similarity_features(panel: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Per kommun: log mean population, mean unemployment rate and households per 1 000."""
    pre = panel[(panel["period"] < SIMILAR_BEFORE) & panel["unit"].isin(codes)]

    def wide_of(measure: str) -> pd.DataFrame:
        sub = pre[pre["measure"] == measure]
        return sub.pivot(index="period", columns="unit", values="value").reindex(columns=codes)

    population = wide_of("population")
    households = wide_of("households_assistance") / population * 1000.0
    return pd.DataFrame({
        "log_population": np.log(population.mean()),
        "unemployment_rate": wide_of("unemployment_rate").mean(),
        "households_per_1000": households.mean(),
    }, index=pd.Index(codes, name="unit"))


def _nearest(features: pd.DataFrame, k: int) -> dict[str, list[str]]:
    """The ``k`` nearest other rows of each row (standardised Euclidean, ties by code)."""
    z = (features - features.mean()) / features.std(ddof=0)
    x = z.to_numpy(dtype=float)
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    codes = list(features.index)
    out: dict[str, list[str]] = {}
    for i, code in enumerate(codes):
        order = sorted((d, c) for j, (d, c) in enumerate(zip(dist[i], codes, strict=True))
                       if j != i)
        out[code] = [c for _, c in order[:k]]
    return out
