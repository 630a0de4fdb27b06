"""A synthetic Sweden for the Arboga and Bollebygd case tests (issue 12).

Every value here is **synthetic** (seeded), shaped like the real cases so that the tests can
check the tool's arithmetic against the municipalities' own figures:

* Arboga (1984): households on försörjningsstöd 159 (2022-04) → 123 (2023-04) while the whole
  country falls by 9 % over the same twelve months; registered unemployment 7.5 % → 6.1 % while
  the country goes 6.8 % → 6.3 % (the national path follows Arbetsförmedlingen's published
  figures in ``../shared/docs/domain.md``);
* Bollebygd (1443): 59 long-term recipients of ekonomiskt bistånd in 2019, ``bollebygd_2021``
  (default 50) in 2021, in a kommun of 9 703 inhabitants.

The 290 kommuner, their län and the Kolada metadata are real (``data/SOURCES.md``); sizes,
rates and paths are drawn. Each series copies its source's real coverage: Socialstyrelsen's
monthly households from 2012-01, SCB's monthly BAS unemployment per kommun from 2020-01,
Kolada's yearly KPIs from 2010 (N31816, long-term recipients, from 2017, as far back as its
2021 method revision reaches). :mod:`tests.cases.fake_sources` serves them in the sources'
documented formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent / "data"
LAST_MONTH = "2024-10"
HOUSEHOLD_MONTHS = ("2012-01", LAST_MONTH)
BAS_MONTHS = ("2020-01", LAST_MONTH)
KOLADA_YEARS = (2010, 2024)
LONG_TERM_YEARS = (2017, 2024)
ARBOGA, BOLLEBYGD = "1984", "1443"
#: National households (Socialstyrelsen, yearly, domain.md) placed at April of each year; 2023
#: is set to exactly 0.91 × 2022 so that the national fall April 2022 → April 2023 is 9 %.
NATIONAL_HOUSEHOLDS = {2012: 231000, 2013: 229000, 2014: 226684, 2015: 226511, 2016: 220112,
                       2017: 213550, 2018: 206479, 2019: 202199, 2020: 198514, 2021: 182328,
                       2022: 160630, 2023: round(0.91 * 160630), 2024: 145456}
#: National registered unemployment (% of the labour force): knots from Arbetsförmedlingen's
#: press releases (domain.md) and a pandemic peak; linear between them.
NATIONAL_UNEMPLOYMENT = {"2020-01": 7.0, "2020-06": 8.6, "2020-12": 8.8, "2021-06": 8.3,
                         "2021-12": 7.2, "2022-04": 6.8, "2022-06": 6.6, "2022-09": 6.6,
                         "2023-04": 6.3, "2023-06": 6.2, "2024-02": 6.8, "2024-07": 6.8,
                         "2024-10": 6.9}
#: Yearly national unemployment before the monthly BAS series (Kolada's N03941 back-years).
EARLY_UNEMPLOYMENT = {2010: 8.6, 2011: 8.0, 2012: 8.2, 2013: 8.3, 2014: 8.1, 2015: 7.9,
                      2016: 7.6, 2017: 7.3, 2018: 7.0, 2019: 7.1}


def months(first: str, last: str) -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M")]


def kommuner() -> pd.DataFrame:
    """The 290 kommuner: code, name, län code."""
    frame = pd.read_csv(DATA / "kommuner.csv", dtype=str)
    return pd.DataFrame({"code": frame["kommunkod"], "name": frame["kommun"],
                         "lan": frame["lan_kod"], "lan_name": frame["lan"]})


def _interpolate(knots: dict[str, float], periods: list[str], *, log: bool = False) -> np.ndarray:
    x = np.array([pd.Period(k, "M").ordinal for k in knots])
    y = np.array(list(knots.values()), float)
    xi = np.array([pd.Period(p, "M").ordinal for p in periods])
    if log:
        return np.exp(np.interp(xi, x, np.log(y)))
    return np.interp(xi, x, y)


@dataclass
class World:
    """The synthetic series (frames indexed by period, one column per kommun code, ``00`` =
    riket) and the yearly Kolada KPIs (index year, columns Kolada ids: ``0000`` riket,
    ``00LL`` län, four-digit kommun codes)."""

    units: pd.DataFrame
    population: pd.Series
    households: pd.DataFrame
    unemployment: pd.DataFrame
    kolada: dict[str, pd.DataFrame] = field(default_factory=dict)

    def kolada_value(self, kpi: str, unit: str, year: int) -> float | None:
        frame = self.kolada.get(kpi)
        if frame is None or year not in frame.index or unit not in frame.columns:
            return None
        value = frame.at[year, unit]
        return None if pd.isna(value) else float(value)


def build_world(seed: int = 2022, *, arboga: tuple[int, int] = (159, 123),
                bollebygd_2021: int = 50) -> World:
    """The synthetic world (deterministic given the arguments)."""
    rng = np.random.default_rng(seed)
    units = kommuner()
    codes = list(units["code"])
    n = len(codes)
    pop = np.exp(rng.normal(np.log(16000), 0.85, n)).clip(2400, 990000).round()
    population = pd.Series(pop, index=codes)
    population[ARBOGA], population[BOLLEBYGD] = 14002.0, 9703.0

    # --- households with ekonomiskt bistånd, monthly (Socialstyrelsen) ---------------------
    hh_months = months(*HOUSEHOLD_MONTHS)
    knots = {f"{y}-04": v for y, v in NATIONAL_HOUSEHOLDS.items()}
    index = _interpolate(knots, hh_months, log=True)
    index = index / index[hh_months.index("2022-04")]
    season = 1 + 0.015 * np.cos(2 * np.pi * (np.arange(len(hh_months)) % 12) / 12)
    rate = np.exp(rng.normal(np.log(11.0), 0.35, n))  # households per 1 000 in April 2022
    drift = np.cumsum(rng.normal(0, 0.004, (len(hh_months), n)), axis=0)
    drift -= drift[hh_months.index("2022-04")]
    expected = (population.to_numpy() / 1000 * rate)[None, :] * (index * season)[:, None] \
        * np.exp(drift)
    a = codes.index(ARBOGA)
    start, end = hh_months.index("2022-04"), hh_months.index("2023-04")
    effect = np.ones(len(hh_months))
    target = arboga[1] / (arboga[0] * 0.91)
    effect[start:end + 1] = np.linspace(1.0, target, end - start + 1)
    effect[end + 1:] = target
    expected[:, a] = arboga[0] * index * season / season[start] * effect
    drawn = rng.poisson(expected).astype(float)
    # The other kommuner's total follows the national path exactly (their Poisson noise would
    # move the country's April-to-April fall by about ±0.5 %): each month is rescaled to it.
    others = np.arange(n) != a
    wanted = expected[:, others].sum(axis=1) / drawn[:, others].sum(axis=1)
    drawn[:, others] = np.round(drawn[:, others] * wanted[:, None])
    households = pd.DataFrame(drawn, index=hh_months, columns=codes)
    households.loc["2022-04", ARBOGA] = float(arboga[0])
    households.loc["2023-04", ARBOGA] = float(arboga[1])
    households["00"] = households[codes].sum(axis=1)

    # --- registered unemployment, monthly (SCB BAS) ------------------------------------------
    bas_months = months(*BAS_MONTHS)
    national = _interpolate(NATIONAL_UNEMPLOYMENT, bas_months)
    offset = np.exp(rng.normal(0, 0.3, n))
    noise = np.zeros((len(bas_months), n))
    scale = 0.18 * np.sqrt(20000 / population.to_numpy())
    shocks = rng.normal(0, 1, (len(bas_months), n)) * scale
    for t in range(len(bas_months)):
        noise[t] = (0.7 * noise[t - 1] if t else 0) + shocks[t]
    rates = (national[:, None] * offset[None, :] + noise).clip(1.0, 16.0)
    s, e = bas_months.index("2022-04"), bas_months.index("2023-04")
    local = np.zeros(len(bas_months))
    local[s:e + 1] = np.linspace(0.0, -0.9, e - s + 1)
    local[e + 1:] = -0.9
    rates[:, a] = national + 0.7 + local + 0.1 * noise[:, a]
    unemployment = pd.DataFrame(rates.round(1), index=bas_months, columns=codes)
    unemployment.loc["2022-04", ARBOGA], unemployment.loc["2023-04", ARBOGA] = 7.5, 6.1
    unemployment["00"] = national.round(1)

    world = World(units=units, population=population, households=households,
                  unemployment=unemployment)
    world.kolada = _kolada(world, rng, bollebygd_2021)
    return world


def _kolada(world: World, rng: np.random.Generator, bollebygd_2021: int) -> dict[str, pd.DataFrame]:
    """Yearly KPIs per kommun, län (``00LL``) and riket (``0000``)."""
    codes = list(world.units["code"])
    years = list(range(KOLADA_YEARS[0], KOLADA_YEARS[1] + 1))
    growth = np.array([(1.007) ** (y - 2022) for y in years])
    pop = pd.DataFrame(np.outer(growth, world.population.to_numpy()).round(), index=years,
                       columns=codes)
    adults = (pop * 0.79).round()
    hh_year = world.households[codes].groupby(world.households.index.str[:4]).mean()
    hh_year.index = hh_year.index.astype(int)
    households = (hh_year * 1.55).round().reindex(years)
    households = households.bfill()  # 2010–2011: Socialstyrelsen's monthly file starts 2012
    unemp = world.unemployment[codes].groupby(world.unemployment.index.str[:4]).mean()
    unemp.index = unemp.index.astype(int)
    early = pd.DataFrame(
        {c: [EARLY_UNEMPLOYMENT[y] * world.unemployment.loc["2022-04", c]
             / world.unemployment.loc["2022-04", "00"] for y in EARLY_UNEMPLOYMENT]
         for c in codes}, index=list(EARLY_UNEMPLOYMENT))
    unemployment = pd.concat([early, unemp]).reindex(years).round(1)
    cost = (hh_year * 12 * 8500 / pop.reindex(hh_year.index)).reindex(years).bfill().round()

    lt_years = list(range(LONG_TERM_YEARS[0], LONG_TERM_YEARS[1] + 1))
    lt_index = np.array([0.97 ** (y - 2017) for y in lt_years])
    lt_rate = np.exp(rng.normal(np.log(0.009), 0.35, len(codes)))  # of adults
    lt_expected = adults.loc[lt_years].to_numpy() * lt_rate[None, :] * lt_index[:, None]
    long_term = pd.DataFrame(rng.poisson(lt_expected).astype(float), index=lt_years,
                             columns=codes)
    path = {2017: 63, 2018: 61, 2019: 59, 2020: 57, 2021: bollebygd_2021,
            2022: bollebygd_2021 - 2, 2023: bollebygd_2021 - 3, 2024: bollebygd_2021 - 4}
    for y, v in path.items():
        long_term.loc[y, BOLLEBYGD] = float(max(v, 0))
    long_term_share = (long_term / adults.loc[lt_years] * 100).round(2)

    def with_totals(frame: pd.DataFrame, how: str, weights: pd.DataFrame | None = None):
        out = frame.copy()
        lan = world.units.set_index("code")["lan"]
        for lan_code, members in lan.groupby(lan).groups.items():
            members = list(members)
            out[f"00{lan_code}"] = _total(frame[members], how,
                                          None if weights is None else weights[members])
        out["0000"] = _total(frame[codes], how, None if weights is None else weights[codes])
        return out

    return {
        "N01951": with_totals(pop, "sum"),
        "N02104": with_totals(adults, "sum"),
        "N31910": with_totals(households, "sum"),
        "N03941": with_totals(unemployment, "mean", pop * 0.5),
        "N31816": with_totals(long_term_share, "mean", adults.loc[lt_years]),
        "N31001": with_totals(cost, "mean", pop),
    }


def _total(frame: pd.DataFrame, how: str, weights: pd.DataFrame | None) -> pd.Series:
    if how == "sum":
        return frame.sum(axis=1)
    w = weights.reindex(frame.index)
    return ((frame * w).sum(axis=1) / w.sum(axis=1)).round(2)
