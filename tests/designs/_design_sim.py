"""Small simulated panels for the design tests (no dependency on the demo simulator).

Data-generating process (per kommun i, period t):

* rate:  y_it = α_i + β_i·(c_t − c̄) + s_i[month] + u_it − effect_t·1[i treated],
  u_it AR(1) with coefficient ``phi_rate`` and innovation sd σ·√(20 000 / pop_i);
  c_t a national cycle + random walk + seasonality;
* count: y⁰_it ~ Poisson(pop_i/1000 · r_i · g_t · exp(s_i[month] + v_it)), v_it AR(1) with
  ``phi_count``; the treated unit's observed count is a binomial thinning of y⁰ with
  probability 1 + effect_t (effect_t < 0), so the realised truth y − y⁰ is known exactly.

Aggregates ("00" and the county codes) are built from the kommuner, as official statistics are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.data.panel import period_range, shift_period


@dataclass
class SimPanel:
    panel: pd.DataFrame
    truth: pd.DataFrame  # unit, period, measure, effect, counterfactual
    periods: list[str]


def _ar1(rng: np.random.Generator, phi: np.ndarray | float, sd: np.ndarray, T: int) -> np.ndarray:
    """AR(1) paths, one column per unit, started from the stationary distribution."""
    n = len(sd)
    phi = np.broadcast_to(np.asarray(phi, dtype=float), (n,))
    eps = rng.standard_normal((T, n)) * sd
    u = np.empty((T, n))
    u[0] = eps[0] / np.sqrt(1 - phi**2)
    for t in range(1, T):
        u[t] = phi * u[t - 1] + eps[t]
    return u


def ramp(n_post: int, months: int) -> np.ndarray:
    """Linear phase-in over ``months`` periods: 1/months, 2/months, …, 1, 1, …"""
    k = np.arange(1, n_post + 1)
    return np.minimum(k / months, 1.0) if months > 0 else np.ones(n_post)


def simulate(
    *,
    n_units: int = 40,
    start: str = "2015-01",
    n_periods: int = 96,
    frequency: str = "monthly",
    treated: str = "1987",
    treated_pop: float = 15_000,
    intervention: str | None = "2021-01",
    rate_effect: float = -1.0,
    count_effect: float = -0.15,
    phase_in: int = 6,
    phi_rate: float = 0.6,
    phi_count: float = 0.9,
    sd_rate: float = 0.25,
    sd_count: float = 0.04,
    seed: int = 0,
    aggregates: bool = True,
    lans: tuple[str, ...] = ("01", "03", "05", "19", "24"),
) -> SimPanel:
    """Simulate a kommun panel (plus aggregates) with unemployment rate and household counts."""
    rng = np.random.default_rng(seed)
    monthly = frequency == "monthly"
    end = shift_period(start, n_periods - 1)
    periods = period_range(start, end)
    T = len(periods)
    codes = [treated]
    i = 0
    while len(codes) < n_units:
        code = f"{lans[i % len(lans)]}{10 + i // len(lans):02d}"
        if code != treated:
            codes.append(code)
        i += 1
    n = len(codes)
    pop0 = np.exp(rng.uniform(np.log(3_000), np.log(300_000), n))
    pop0[0] = treated_pop
    months = np.array([int(p[5:7]) for p in periods]) if monthly else np.ones(T, dtype=int)
    tt = np.arange(T)
    spy = 12 if monthly else 1
    growth = rng.normal(0.004, 0.004, n)
    pop = np.round(pop0[None, :] * np.exp(growth[None, :] * tt[:, None] / spy))
    lf = np.round(0.5 * pop)

    # national drivers
    season_c = 0.4 * np.sin(2 * np.pi * (months - 3) / 12) if monthly else 0.0
    c = (7 + 1.0 * np.sin(2 * np.pi * tt / (5 * spy))
         + np.cumsum(rng.normal(0, 0.08 if monthly else 0.25, T)) + season_c)
    g = np.exp(-0.06 * tt / spy + 0.05 * np.sin(2 * np.pi * tt / (4 * spy))
               + np.cumsum(rng.normal(0, 0.01 if monthly else 0.03, T)))

    # rate
    alpha = rng.uniform(3, 10, n)
    beta = rng.uniform(0.6, 1.3, n)
    size_sd = np.sqrt(20_000 / pop0)
    seas_amp = rng.uniform(0, 0.3, n)
    s_rate = seas_amp[None, :] * np.sin(2 * np.pi * (months[:, None] - 6) / 12) if monthly else 0.0
    u = _ar1(rng, phi_rate if monthly else 0.0, sd_rate * size_sd, T)
    y0_rate = alpha + beta * (c[:, None] - c.mean()) + s_rate + u

    # count
    r = rng.uniform(6, 25, n)
    s_cnt = (0.05 * np.cos(2 * np.pi * (months[:, None] - 1) / 12) * rng.uniform(0, 1, n)
             if monthly else 0.0)
    v = _ar1(rng, phi_count if monthly else 0.0, np.full(n, sd_count), T)
    mu0 = pop / 1000 * r * g[:, None] * np.exp(s_cnt + v)
    y0_cnt = rng.poisson(mu0).astype(float)

    eff_path = np.zeros(T)
    if intervention is not None and intervention in periods:
        k = periods.index(intervention)
        eff_path[k:] = ramp(T - k, phase_in)
    y_rate = y0_rate.copy()
    y_rate[:, 0] += rate_effect * eff_path
    y_cnt = y0_cnt.copy()
    keep = 1 + count_effect * eff_path
    y_cnt[:, 0] = rng.binomial(y0_cnt[:, 0].astype(np.int64), keep)

    unemployed = y_rate * lf / 100
    frames = []
    names = {code: f"Kommun {code}" for code in codes}
    names[treated] = "Behandlad"

    def long(values: np.ndarray, measure: str, units: list[str], types: str) -> pd.DataFrame:
        return pd.DataFrame({
            "unit": np.repeat(np.array(units), T),
            "unit_name": np.repeat(np.array([names.get(u, u) for u in units]), T),
            "period": np.tile(np.array(periods), len(units)),
            "measure": measure,
            "value": values.T.reshape(-1),
            "unit_type": types,
        })

    for vals, m in ((pop, "population"), (lf, "labour_force"), (unemployed, "unemployed"),
                    (y_rate, "unemployment_rate"), (y_cnt, "households_assistance")):
        frames.append(long(vals, m, codes, "kommun"))
    if aggregates:
        groups = {"00": list(range(n))}
        for lan in sorted({code[:2] for code in codes}):
            groups[lan] = [j for j, code in enumerate(codes) if code[:2] == lan]
        for code, idx in groups.items():
            names[code] = "Riket" if code == "00" else f"Län {code}"
            p_ = pop[:, idx].sum(1, keepdims=True)
            lf_ = lf[:, idx].sum(1, keepdims=True)
            un_ = unemployed[:, idx].sum(1, keepdims=True)
            cnt_ = y_cnt[:, idx].sum(1, keepdims=True)
            t = "riket" if code == "00" else "lan"
            for vals, m in ((p_, "population"), (lf_, "labour_force"), (un_, "unemployed"),
                            (un_ / lf_ * 100, "unemployment_rate"),
                            (cnt_, "households_assistance")):
                frames.append(long(vals, m, [code], t))
    panel = pd.concat(frames, ignore_index=True)
    panel["status"] = "final"
    panel["source"] = "test simulation"
    truth = pd.concat([
        pd.DataFrame({"unit": treated, "period": periods, "measure": "unemployment_rate",
                      "effect": y_rate[:, 0] - y0_rate[:, 0], "counterfactual": y0_rate[:, 0]}),
        pd.DataFrame({"unit": treated, "period": periods, "measure": "households_assistance",
                      "effect": y_cnt[:, 0] - y0_cnt[:, 0], "counterfactual": y0_cnt[:, 0]}),
    ], ignore_index=True)
    return SimPanel(panel=panel, truth=truth, periods=periods)


def truth_average(truth: pd.DataFrame, *, measure: str, start: str, end: str) -> dict[str, float]:
    """Average, cumulative and relative realised effect over [start, end]."""
    t = truth[(truth["measure"] == measure) & (truth["period"] >= start) & (truth["period"] <= end)]
    eff = t["effect"].to_numpy()
    cf = t["counterfactual"].to_numpy()
    return {"average": float(eff.mean()), "cumulative": float(eff.sum()),
            "relative": float(eff.sum() / cf.sum())}


def its_draw(
    *,
    seed: int,
    kind: str,
    n_pre: int = 48,
    n_post: int = 12,
    phi: float = 0.7,
    marginal_sd: float = 0.2,
    effect: float = -0.5,
    start: str = "2016-01",
) -> tuple[pd.DataFrame, str, float]:
    """One treated kommun ("1987") + the nation ("00"): AR(1) + national DGP for the ITS MC.

    rate:  y⁰_t = 2 + 0.8·c_t + s[month] + u_t,   u AR(1)(phi) with stationary sd ``marginal_sd``;
    count: y⁰_t ~ Poisson(pop_t/1000 · 12 · (n_t/14) · exp(s[month] + u_t)) (log-scale AR(1));
    the nation (the comparison, treated unit subtracted by the design) is c_t / n_t exactly.
    The effect (``effect`` p.p., or relative thinning) is phased in over 6 months.

    Returns
    -------
    (panel, intervention, realised average effect over the post-period)
    """
    rng = np.random.default_rng(seed)
    T = n_pre + n_post
    periods = period_range(start, shift_period(start, T - 1))
    intervention = periods[n_pre]
    tt = np.arange(T)
    months = np.array([int(p[5:7]) for p in periods])
    u = _ar1(rng, phi, np.array([marginal_sd * np.sqrt(1 - phi**2)]), T)[:, 0]
    ramp_ = np.concatenate([np.zeros(n_pre), ramp(n_post, 6)])
    pop_t = np.round(15_000 * np.exp(0.004 * tt / 12))
    pop_a = np.round(10.4e6 * np.exp(0.008 * tt / 12))
    if kind == "rate":
        c = (7 + np.sin(2 * np.pi * tt / 60 + rng.uniform(0, 6.3))
             + np.cumsum(rng.normal(0, 0.08, T)) + 0.4 * np.sin(2 * np.pi * (months - 3) / 12))
        y0 = 2 + 0.8 * c + 0.2 * np.sin(2 * np.pi * (months - 6) / 12) + u
        y = y0 + effect * ramp_
        lf_t, lf_a = 0.5 * pop_t, 0.5 * pop_a
        nation = (c * (lf_a - lf_t) + y * lf_t) / lf_a
        measures = {"unemployment_rate": (y, nation), "labour_force": (lf_t, lf_a),
                    "population": (pop_t, pop_a)}
        truth = float((y - y0)[n_pre:].mean())
    else:
        n_rate = 14 * np.exp(-0.04 * tt / 12 + np.cumsum(rng.normal(0, 0.01, T))) * (
            1 + 0.02 * np.cos(2 * np.pi * (months - 1) / 12))
        mu0 = pop_t / 1000 * 12 * (n_rate / 14) * np.exp(0.03 * np.cos(2 * np.pi * months / 12) + u)
        y0 = rng.poisson(mu0).astype(float)
        y = rng.binomial(y0.astype(np.int64), 1 + effect * ramp_).astype(float)
        nation = np.round(n_rate * (pop_a - pop_t) / 1000) + y
        measures = {"households_assistance": (y, nation), "population": (pop_t, pop_a)}
        truth = float((y - y0)[n_pre:].mean())
    frames = []
    for m, (local, nat) in measures.items():
        frames.append(pd.DataFrame({"unit": "1987", "unit_name": "Behandlad", "period": periods,
                                    "measure": m, "value": local, "unit_type": "kommun"}))
        frames.append(pd.DataFrame({"unit": "00", "unit_name": "Riket", "period": periods,
                                    "measure": m, "value": nat, "unit_type": "riket"}))
    return pd.concat(frames, ignore_index=True), intervention, truth


def decomposition_draw(
    *,
    seed: int,
    kind: str,
    n_units: int = 150,
    effect: float = -0.8,
    t0: str = "2022-04",
    t1: str = "2023-04",
) -> tuple[pd.DataFrame, float]:
    """Two-period panel of ``n_units`` kommuner (treated "1987", 15 000 inhabitants).

    rate:  y_i1 = y_i0 + β_i·Δ + ε_i,  β_i ~ U(0.7, 1.3), ε_i ~ N(0, (0.5·(20 000/pop_i)^¼)²);
    count: y_i0 ~ Poisson(pop_i0·r_i/1000), y⁰_i1 ~ Poisson(pop_i1·r_i/1000·0.9·e^{ε_i}),
           ε_i ~ N(0, 0.08²); the treated count at t1 is a binomial thinning of y⁰ with
           probability 1 + ``effect`` (use e.g. −0.15).

    Returns
    -------
    (panel, realised effect at t1)
    """
    rng = np.random.default_rng(seed)
    n = n_units
    codes = ["1987"] + [f"{(i % 21) + 1:02d}{10 + i // 21:02d}" for i in range(n - 1)]
    pop0 = np.exp(rng.uniform(np.log(3_000), np.log(300_000), n))
    pop0[0] = 15_000
    pop0 = np.round(pop0)
    pop1 = np.round(pop0 * np.exp(rng.normal(0.005, 0.01, n)))
    if kind == "rate":
        y0 = rng.uniform(3, 11, n)
        beta = rng.uniform(0.7, 1.3, n)
        eps = rng.standard_normal(n) * 0.5 * (20_000 / pop0) ** 0.25
        y1 = y0 + beta * (-0.5) + eps
        y1[0] += effect
        truth = effect
        values = {"unemployment_rate": (y0, y1), "labour_force": (0.5 * pop0, 0.5 * pop1)}
    else:
        r = rng.uniform(6, 25, n)
        y0 = rng.poisson(pop0 * r / 1000).astype(float)
        y1_0 = rng.poisson(pop1 * r / 1000 * 0.9 * np.exp(rng.normal(0, 0.08, n))).astype(float)
        y1 = y1_0.copy()
        y1[0] = rng.binomial(int(y1_0[0]), 1 + effect)
        truth = float(y1[0] - y1_0[0])
        values = {"households_assistance": (y0, y1)}
    values["population"] = (pop0, pop1)
    frames = []
    for m, (a, b) in values.items():
        for per, v in ((t0, a), (t1, b)):
            frames.append(pd.DataFrame({"unit": codes, "unit_name": codes, "period": per,
                                        "measure": m, "value": v, "unit_type": "kommun"}))
    return pd.concat(frames, ignore_index=True), truth
