"""Staggered-adoption DiD (Callaway & Sant'Anna 2021): reproduce R ``did`` 2.5.1, simulate, check
the adoption rules and the errors.

Reference data: ``benchmarks/mpdta`` in the shared data folder (``$EVALUATION_SHARED_DATA`` or
``../shared/data``) when present, else the copy in ``tests/designs/data/mpdta``; the further
references (ATT(g,t), pre-test, csdid's simulated panels) only in that copy. Provenance of every
file: ``tests/designs/data/mpdta/SOURCES.md`` (d2cml-ai/csdid @ca91c1fe, MIT; numbers from
R ``did`` 2.5.1 with ``bstrap = FALSE``).

Tolerances against R: the brief's 0.001 absolute on estimates and 15 % relative on standard
errors, plus a tight guard (1e-6) because the implementation follows R's formulas exactly —
measured differences are ≤ 5e-11 (the logit fits of the doubly robust scenarios with a
covariate) and ≤ 4e-15 otherwise.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.designs.staggered import (
    Exclusion,
    adoption_from_flags,
    estimate_staggered,
    multiplier_bootstrap,
    place_unit,
    staggered_from_wide,
)
from evaluation.errors import DesignError
from evaluation.paths import shared_data_dir

LOCAL = Path(__file__).parent / "data" / "mpdta"
AGGTE = "ref_aggte_R_did_2.5.1.csv"
TOL_ATT, TOL_SE_REL, TIGHT = 1e-3, 0.15, 1e-6

MPDTA = dict(unit="countyreal", period="year", outcome="lemp", first_treated="first.treat")
SIM = dict(unit="id", period="period", outcome="Y", first_treated="G")
#: The scenarios of ref_aggte (csdid's generate_reference.R): data, estimator options.
SCENARIOS = {
    "mpdta_nev_dr": ("mpdta", dict(control="never", method="dr")),
    "mpdta_nyt_dr": ("mpdta", dict(control="notyet", method="dr")),
    "mpdta_nev_reg_cov": ("mpdta", dict(control="never", method="reg", covariates=["lpop"])),
    "mpdta_nev_ipw": ("mpdta", dict(control="never", method="ipw")),
    "sim_nev_dr": ("sim", dict(control="never", method="dr", covariates=["X"])),
}


def _reference_folder() -> Path:
    shared = shared_data_dir() / "benchmarks" / "mpdta"
    if (shared / "mpdta.csv").is_file() and (shared / AGGTE).is_file():
        return shared
    return LOCAL


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    folder = _reference_folder()
    return {"mpdta": pd.read_csv(folder / "mpdta.csv"),
            "sim": pd.read_csv(LOCAL / "sim_data.csv.gz"),
            "aggte": pd.read_csv(folder / AGGTE),
            "attgt": pd.read_csv(LOCAL / "ref_attgt_R_did_2.5.1.csv"),
            "pretest": pd.read_csv(LOCAL / "ref_pretest_R_did_2.5.1.csv")}


@pytest.fixture(scope="module")
def fits(data):
    out = {}
    for name, (which, options) in SCENARIOS.items():
        columns = MPDTA if which == "mpdta" else SIM
        out[name] = estimate_staggered(data[which], **columns, **options)
    return out


# --------------------------------------------------------------------------- R did 2.5.1
def test_reference_covers_the_expected_scenarios(data):
    """ref_aggte_R_did_2.5.1.csv holds the five scenarios of csdid's generate_reference.R and
    all four aggregation types for each (no scenario silently skipped)."""
    ref = data["aggte"]
    assert set(ref["scenario"]) == set(SCENARIOS)
    for _, rows in ref.groupby("scenario"):
        assert set(rows["type"]) == {"simple", "group", "dynamic", "calendar"}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_aggregations_reproduce_R_did(fits, data, scenario):
    """Every aggregation element and overall value of R did 2.5.1 ``aggte`` (bstrap = FALSE)
    for this scenario (ref_aggte_R_did_2.5.1.csv): estimates within 0.001 absolute, standard
    errors within 15 % relative (the brief), and both within 1e-6 (measured ≤ 5e-11); the
    elements present are exactly R's (same cohorts, event times and years)."""
    res = fits[scenario]
    ref = data["aggte"].query("scenario == @scenario")
    for kind, rows in ref.groupby("type"):
        agg = res.aggregate(kind)
        overall = rows.iloc[0]
        for tol_att, tol_se in ((TOL_ATT, TOL_SE_REL), (TIGHT, TIGHT)):
            assert agg.att == pytest.approx(overall["overall_att"], abs=tol_att), kind
            assert agg.se == pytest.approx(overall["overall_se"], rel=tol_se), kind
        if kind == "simple":
            assert agg.table is None
            continue
        table = agg.table.set_index(agg.key)
        assert sorted(table.index) == sorted(rows["egt"].astype(int)), kind
        mine = table.loc[rows["egt"].astype(int)]
        for tol_att, tol_se in ((TOL_ATT, TOL_SE_REL), (TIGHT, TIGHT)):
            np.testing.assert_allclose(mine["att"], rows["att_egt"], rtol=0, atol=tol_att)
            np.testing.assert_allclose(mine["se"], rows["se_egt"], rtol=tol_se)


def test_headline_numbers_of_the_brief(fits):
    """mpdta, never-treated, doubly robust (R did 2.5.1, shared data README): simple ATT
    −0.03995 (SE 0.01203), dynamic overall −0.07724 (SE 0.01996); ±5e-6 (printed digits)."""
    res = fits["mpdta_nev_dr"]
    assert res.simple.att == pytest.approx(-0.03995, abs=5e-6)
    assert res.simple.se == pytest.approx(0.01203, abs=5e-6)
    assert res.dynamic.att == pytest.approx(-0.07724, abs=5e-6)
    assert res.dynamic.se == pytest.approx(0.01996, abs=5e-6)
    assert res.n_units == 500 and res.n_never_treated == 309
    assert res.cohorts["group"].tolist() == [2004, 2006, 2007]
    assert res.cohorts["n_units"].tolist() == [20, 40, 131]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_group_time_effects_reproduce_R_did(fits, data, scenario):
    """Every ATT(g,t) and its SE from R did 2.5.1 ``att_gt`` (ref_attgt_R_did_2.5.1.csv):
    same cells, estimates within 0.001 and SEs within 15 % (brief), both within 1e-6."""
    res = fits[scenario].att_gt
    ref = data["attgt"].query("scenario == @scenario")
    merged = res.merge(ref, left_on=["group", "period"], right_on=["group", "t"], how="outer",
                       validate="one_to_one", indicator=True)
    assert (merged["_merge"] == "both").all()
    for tol_att, tol_se in ((TOL_ATT, TOL_SE_REL), (TIGHT, TIGHT)):
        np.testing.assert_allclose(merged["att_x"], merged["att_y"], rtol=0, atol=tol_att)
        np.testing.assert_allclose(merged["se_x"], merged["se_y"], rtol=tol_se)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_pretest_reproduces_R_did(fits, data, scenario):
    """R's Wald pre-test of the pre-treatment ATT(g,t) (ref_pretest_R_did_2.5.1.csv): W within
    1e-6 relative, p-value within 1e-5 (R rounds it to 5 decimals)."""
    ref = data["pretest"].set_index("scenario").loc[scenario]
    test = fits[scenario].pretest
    assert test.statistic == pytest.approx(ref["W"], rel=1e-6)
    assert test.p_value == pytest.approx(ref["Wpval"], abs=1e-5)


@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("method", ["dr", "reg"])
def test_covariates_with_notyet_controls_reproduce_R_did(control, method):
    """csdid's simulated panel tp4_const (1 000 units, covariate X) against R did 2.5.1
    ``att_gt(xformla = ~X)`` (ref_sim_tp4_const_R_did_2.5.1.csv): covers not-yet-treated
    controls with covariates, which ref_aggte lacks. ATT(g,t) within 0.001 and SEs within
    15 % (brief), both within 1e-6 (measured ≤ 7e-12)."""
    panel = pd.read_csv(LOCAL / "tp4_const.csv.gz")
    ref = pd.read_csv(LOCAL / "ref_sim_tp4_const_R_did_2.5.1.csv")
    ref = ref[(ref["control"] == {"never": "nevertreated", "notyet": "notyettreated"}[control])
              & (ref["est"] == method)]
    res = estimate_staggered(panel, **SIM, covariates=["X"], control=control, method=method)
    merged = res.att_gt.merge(ref, left_on=["group", "period"], right_on=["group", "t"],
                              how="outer", validate="one_to_one", indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == 9
    for tol_att, tol_se in ((TOL_ATT, TOL_SE_REL), (TIGHT, TIGHT)):
        np.testing.assert_allclose(merged["att_x"], merged["att_y"], rtol=0, atol=tol_att)
        np.testing.assert_allclose(merged["se_x"], merged["se_y"], rtol=tol_se)


def test_universal_base_period_reproduces_R_did(data):
    """``base_period = "universal"`` on mpdta, never-treated, outcome regression without
    covariates (ref_gaps_universal_R_did_2.5.1.csv, R did 2.5.1): ATT(g,t) within 1e-6, SEs
    within 1e-6 relative, the base year g − 1 normalised to 0 with no SE (R: NA)."""
    ref = pd.read_csv(LOCAL / "ref_gaps_universal_R_did_2.5.1.csv")
    res = estimate_staggered(data["mpdta"], **MPDTA, method="reg", base_period="universal")
    merged = res.att_gt.merge(ref, left_on=["group", "period"], right_on=["group", "t"],
                              how="outer", validate="one_to_one", indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == 15
    np.testing.assert_allclose(merged["att_x"], merged["att_y"], rtol=0, atol=TIGHT)
    np.testing.assert_allclose(merged["se_x"], merged["se_y"], rtol=TIGHT)  # NaN == NaN here
    base = merged[merged["period"] == merged["group"] - 1]
    assert (base["att_x"] == 0).all() and base["se_x"].isna().all()


def test_improved_dr_without_reference(data, fits):
    """``method="dr_imp"`` (DRDID::drdid_imp_panel; not what R did calls, so no R reference
    here). Without covariates it equals "dr" (mpdta, 1e-12). With the covariate X on csdid's
    sim_data the calibrated propensity weights balance X exactly, and every ATT(g,t) stays
    within 0.01 of the doubly robust "dr" (≈ 0.15 SE; measured ≤ 0.002)."""
    from evaluation.designs.staggered import _calibrated_ps

    plain = estimate_staggered(data["mpdta"], **MPDTA, method="dr_imp")
    np.testing.assert_allclose(plain.att_gt["att"], fits["mpdta_nev_dr"].att_gt["att"],
                               atol=1e-12)
    np.testing.assert_allclose(plain.att_gt["se"], fits["mpdta_nev_dr"].att_gt["se"],
                               rtol=1e-10)
    sim = data["sim"]
    imp = estimate_staggered(sim, **SIM, covariates=["X"], method="dr_imp")
    dr = fits["sim_nev_dr"]
    assert np.max(np.abs(imp.att_gt["att"] - dr.att_gt["att"])) < 0.01
    first = sim[sim["period"] == 1]
    cell = first[first["G"].isin([0, 2])]
    D = (cell["G"] == 2).to_numpy(float)
    X = np.column_stack([np.ones(len(cell)), cell["X"]])
    p = _calibrated_ps(X, D)
    weights = p / (1 - p)
    np.testing.assert_allclose((weights[D == 0, None] * X[D == 0]).sum(0), X[D == 1].sum(0),
                               rtol=1e-8)


# --------------------------------------------------------------------------- simulation
YEARS = np.arange(2011, 2017)
COHORTS = np.array([0, 2013, 2014, 2015])
SHARES = np.array([0.4, 0.2, 0.2, 0.2])
#: Effect τ(g,t) = DELTA[g] + SLOPE·(t − g) for t ≥ g: heterogeneous by cohort and dynamic.
DELTA = {2013: 1.0, 2014: 0.5, 2015: 0.2}
SLOPE = 0.3
N_UNITS, REPLICATIONS = 200, 500


def _tau(g: np.ndarray, t: np.ndarray) -> np.ndarray:
    delta = np.select([g == c for c in DELTA], list(DELTA.values()), 0.0)
    return np.where((g > 0) & (t >= g), delta + SLOPE * (t - g), 0.0)


def _true_simple_att() -> float:
    """Σ_post τ(g,t)·π_g / Σ_post π_g with the population shares π_g."""
    cells = [(g, t, p) for g, p in zip(COHORTS[1:], SHARES[1:]) for t in YEARS if t >= g]
    return sum(p * float(_tau(np.array(g), np.array(t))) for g, t, p in cells) / sum(
        p for _, _, p in cells)


def _simulate(seed: int, effect: bool) -> tuple[np.ndarray, np.ndarray]:
    """REPLICATIONS × N_UNITS × years, all drawn at once: cohorts drawn independently per unit
    (so the cohort shares are estimated, as the aggregation's weight influence function
    assumes); unit levels that differ by cohort; a common random-walk national trend; AR(1)
    errors (ρ = 0.5, unit SD 1) so the unit is a real cluster; unit-level effect heterogeneity
    (multiplier 1 + 0.3·N(0,1)). Parallel trends hold by construction."""
    rng = np.random.default_rng(seed)
    shape = (REPLICATIONS, N_UNITS)
    G = rng.choice(COHORTS, size=shape, p=SHARES)
    level = rng.normal(size=shape) + 0.5 * (G > 0) + 0.1 * (G - 2010) * (G > 0)
    trend = np.cumsum(rng.normal(0.3, 0.5, size=(REPLICATIONS, 1, len(YEARS))), axis=2)
    eps = np.empty((*shape, len(YEARS)))
    eps[..., 0] = rng.normal(size=shape)
    for j in range(1, len(YEARS)):
        eps[..., j] = 0.5 * eps[..., j - 1] + math.sqrt(0.75) * rng.normal(size=shape)
    Y = level[..., None] + trend + eps
    if effect:
        Y += _tau(G[..., None], YEARS) * (1 + 0.3 * rng.normal(size=(*shape, 1)))
    return Y, G


@pytest.mark.slow
def test_simple_att_coverage_and_bias_in_simulation():
    """500 simulated staggered panels (200 units, 2011–2016, cohorts 2013/14/15 + never, effect
    heterogeneous by cohort and event time; one seeded generator): the 95 % interval of the
    simple ATT covers the true 0.989 in 0.92–0.98 of the panels (binomial SE at 0.95 is 0.0097,
    so the band is ±3.1 SE: a correctly calibrated interval fails it with probability ≈ 0.2 %;
    4 000 replications in tests/benchmarks/bench_staggered.py gave 0.948 and 0.955); the mean
    error is within 3 Monte-Carlo SEs of 0 (unbiased); the mean SE is within 10 % of the SD of
    the estimates."""
    truth = _true_simple_att()
    assert truth == pytest.approx(0.98889, abs=1e-4)
    Y, G = _simulate(2021, effect=True)
    est, se = np.empty(REPLICATIONS), np.empty(REPLICATIONS)
    for r in range(REPLICATIONS):
        fit = staggered_from_wide(Y[r], G[r], YEARS)
        est[r], se[r] = fit.simple.att, fit.simple.se
    coverage = np.mean(np.abs(est - truth) <= 1.959964 * se)
    assert 0.92 <= coverage <= 0.98
    assert abs(est.mean() - truth) <= 3 * est.std(ddof=1) / math.sqrt(REPLICATIONS)
    assert 0.9 <= se.mean() / est.std(ddof=1) <= 1.1


@pytest.mark.slow
def test_placebo_rejects_at_nominal_rate():
    """No effect, not-yet-treated controls: over 500 simulated panels (same design, no effect)
    the simple ATT's 95 % interval excludes 0 in 0.02–0.08 of them (±3.1 binomial SEs around
    0.05; 4 000 replications in bench_staggered.py gave 0.051 and 0.055), and the mean
    estimate is within 3 Monte-Carlo SEs of 0."""
    Y, G = _simulate(2022, effect=False)
    est, se = np.empty(REPLICATIONS), np.empty(REPLICATIONS)
    for r in range(REPLICATIONS):
        fit = staggered_from_wide(Y[r], G[r], YEARS, control="notyet")
        est[r], se[r] = fit.simple.att, fit.simple.se
    rejection = np.mean(np.abs(est) > 1.959964 * se)
    assert 0.02 <= rejection <= 0.08
    assert abs(est.mean()) <= 3 * est.std(ddof=1) / math.sqrt(REPLICATIONS)


def test_long_and_wide_entry_points_agree(data, fits):
    """``estimate_staggered`` (long table) and ``staggered_from_wide`` give identical results."""
    wide = data["mpdta"].pivot(index="countyreal", columns="year", values="lemp")
    g = data["mpdta"].groupby("countyreal")["first.treat"].first()
    res = staggered_from_wide(wide, g.loc[wide.index])
    pd.testing.assert_frame_equal(res.att_gt, fits["mpdta_nev_dr"].att_gt)


# --------------------------------------------------------------------------- adoption
def _flags() -> pd.DataFrame:
    years = [str(y) for y in range(2015, 2021)]
    series = {
        "0114": [0, 0, 1, 1, 1, 1],                    # adopts 2017
        "0115": [0, 0, 0, 0, 0, 0],                    # never
        "0117": [1, 1, 1, 1, 1, 1],                    # always treated
        "0120": [0, 0, 1, 1, 0, 0],                    # switches back in 2019
        "0123": [0, None, 1, 1, 1, 1],                 # 2016 missing: adoption 2016 or 2017?
        "0126": [None, 0, 0, 1, 1, 1],                 # adopts 2018 (leading gap harmless)
        "0127": [None, None, 1, 1, 1, 1],              # treated when first observed
        "0128": [None] * 6,                            # never reported
    }
    rows = [(u, y, v) for u, values in series.items() for y, v in zip(years, values)]
    return pd.DataFrame(rows, columns=["kommun", "ar", "U40826"])


def test_adoption_excludes_always_treated_and_switch_back():
    """Kolada-style flags (KPI U40826, 'YYYY' string years, string kommun codes): adoption
    years 2017/2018, never = 0; always-treated (from the first year, or from the first observed
    year), switch-back, ambiguous-gap and never-reported units excluded with a Swedish and an
    English reason that name the unit and the years."""
    first, excluded = adoption_from_flags(_flags(), unit="kommun", period="ar", flag="U40826")
    assert first.to_dict() == {"0114": 2017, "0115": 0, "0126": 2018}
    assert {u: e.code for u, e in excluded.items()} == {
        "0117": "always_treated", "0120": "switch_back", "0123": "adoption_year_unknown",
        "0127": "always_treated", "0128": "no_flag"}
    assert "2017" in excluded["0120"].sv and "2019" in excluded["0120"].sv
    assert "left it in 2019" in excluded["0120"].text("en")
    assert "första året" in excluded["0117"].sv and "2015" in excluded["0117"].sv
    assert "2017" in excluded["0127"].text("en")
    assert str(excluded["0123"]) == excluded["0123"].sv


def test_adoption_rejects_values_other_than_0_1():
    """Flag values outside {0, 1} (here 2 and 'ja') are an error naming them."""
    flags = _flags()
    flags.loc[0, "U40826"] = 2
    flags["U40826"] = flags["U40826"].astype(object)
    flags.loc[1, "U40826"] = "ja"
    with pytest.raises(DesignError) as err:
        adoption_from_flags(flags, unit="kommun", period="ar", flag="U40826")
    assert "0 eller 1" in err.value.sv and "'ja'" in err.value.sv
    assert "may only be 0 or 1" in err.value.text("en")


def test_adoption_feeds_the_estimator():
    """First-treated years from ``adoption_from_flags`` (a Series) and its exclusions go
    straight into ``estimate_staggered`` on a 'YYYY'-period panel: the excluded kommuner are
    left out with their reasons kept, and units missing from the Series are excluded too."""
    rng = np.random.default_rng(5)
    years = [str(y) for y in range(2014, 2021)]
    codes = [f"{1000 + i:04d}" for i in range(60)]
    start = rng.choice([0, 2017, 2018], size=60, p=[0.5, 0.25, 0.25])
    start[:3] = [2014, -1, 2016]  # always treated, switch back, (normal)
    flag_rows, outcome_rows = [], []
    for code, g in zip(codes, start):
        level = rng.normal()
        for y in years:
            yi = int(y)
            f = 0 if g == 0 else int(yi >= g) if g > 0 else int(2016 <= yi <= 2017)
            flag_rows.append((code, y, f))
            outcome_rows.append((code, y, level + 0.1 * (yi - 2014) + rng.normal(0, 0.2)
                                 + (0.5 * f if g > 0 else 0)))
    flags = pd.DataFrame(flag_rows, columns=["kommun", "ar", "flagga"])
    panel = pd.DataFrame(outcome_rows, columns=["kommun", "ar", "y"])
    panel = pd.concat([panel, pd.DataFrame([("9999", y, 1.0) for y in years],
                                           columns=panel.columns)])  # no flag at all
    first, excluded = adoption_from_flags(flags, unit="kommun", period="ar", flag="flagga")
    assert excluded["1000"].code == "always_treated" and excluded["1001"].code == "switch_back"
    res = estimate_staggered(panel, unit="kommun", period="ar", outcome="y",
                             first_treated=first, exclude=excluded)
    assert {u: e.code for u, e in res.excluded.items()} == {
        "1000": "always_treated", "1001": "switch_back", "9999": "excluded_by_caller"}
    assert res.n_units == 58 and res.periods == list(range(2014, 2021))
    assert set(res.cohorts["group"]) <= {2016, 2017, 2018}
    assert res.simple.ci_low < 0.5 < res.simple.ci_high


# --------------------------------------------------------------------------- errors
def _small_panel(g: dict[str, int], years=range(2015, 2020)) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = [(u, y, rng.normal(), gu) for u, gu in g.items() for y in years]
    return pd.DataFrame(rows, columns=["unit", "year", "y", "g"])


COLS = dict(unit="unit", period="year", outcome="y", first_treated="g")


def _sentence(err: DesignError) -> None:
    """Both languages: one sentence ending with a full stop, a colon before what to do."""
    for text in (err.sv, err.text("en")):
        assert text.endswith(".") and (":" in text or ";" in text)
        assert text.count(". ") == 0


def test_error_no_never_treated_with_never_control():
    """control="never" without never-treated units names the problem and the remedy."""
    panel = _small_panel({"a": 2017, "b": 2018, "c": 2017, "d": 2018})
    with pytest.raises(DesignError) as err:
        estimate_staggered(panel, **COLS, control="never")
    assert "aldrig behandlas" in err.value.sv and 'control="notyet"' in err.value.sv
    assert "no never-treated units" in err.value.text("en")
    _sentence(err.value)
    # not-yet-treated works: the last cohort becomes the comparison, later years dropped
    res = estimate_staggered(panel, **COLS, control="notyet")
    assert res.cohorts["group"].tolist() == [2017] and res.periods == [2015, 2016, 2017]
    assert res.notes and "2018" in res.notes[0][1]


def test_error_no_treated_cohort():
    """No unit treated within the panel (0, or first treated after the last year) is an error."""
    panel = _small_panel({"a": 0, "b": 0, "c": 2030})
    with pytest.raises(DesignError) as err:
        estimate_staggered(panel, **COLS)
    assert "ingen behandlad kohort" in err.value.sv
    assert "no treated cohort" in err.value.text("en")
    _sentence(err.value)


def test_error_cohort_without_pre_period():
    """A cohort treated in the first year has no pre-period: the error names the cohort and its
    units; with no_pre_period="exclude" they are left out with that reason (R's behaviour)."""
    panel = _small_panel({"a": 0, "b": 0, "c": 2015, "d": 2017, "e": 2017, "f": 0})
    with pytest.raises(DesignError) as err:
        estimate_staggered(panel, **COLS)
    assert "2015" in err.value.sv and "(c)" in err.value.sv and "förperiod" in err.value.sv
    assert "no pre-period" in err.value.text("en")
    _sentence(err.value)
    res = estimate_staggered(panel, **COLS, no_pre_period="exclude")
    assert res.excluded["c"].code == "no_pre_period" and res.n_units == 5


def test_error_unbalanced_panel():
    """Missing outcome years (a dropped row, or a NaN) name the units; unbalanced="drop" leaves
    them out with the reason "unbalanced"."""
    panel = _small_panel({"a": 0, "b": 0, "c": 2017, "d": 2017, "e": 0, "f": 2018})
    panel = panel.drop(index=panel.index[(panel.unit == "b") & (panel.year == 2016)])
    panel.loc[(panel.unit == "f") & (panel.year == 2019), "y"] = np.nan
    with pytest.raises(DesignError) as err:
        estimate_staggered(panel, **COLS)
    assert "inte balanserad" in err.value.sv and "b, f" in err.value.sv
    assert "not balanced" in err.value.text("en") and 'unbalanced="drop"' in err.value.text("en")
    _sentence(err.value)
    res = estimate_staggered(panel, **COLS, unbalanced="drop")
    assert {u: e.code for u, e in res.excluded.items()} == {"b": "unbalanced", "f": "unbalanced"}
    assert res.n_units == 4


def test_error_invalid_options_and_missing_first_treated():
    """Bad option values and a missing first-treated year are errors in both languages."""
    panel = _small_panel({"a": 0, "b": 2017, "c": 0})
    with pytest.raises(DesignError) as err:
        estimate_staggered(panel, **COLS, method="ols")
    assert "'method'" in err.value.sv
    panel.loc[panel.unit == "c", "g"] = np.nan
    with pytest.raises(DesignError) as err:
        estimate_staggered(panel, **COLS)
    assert "saknas för c" in err.value.sv and "give 0" in err.value.text("en")
    codes_as_numbers = pd.Series({1: 0, 2: 2017})  # the panel's units are 'a', 'b', 'c'
    with pytest.raises(DesignError) as err:
        estimate_staggered(panel, **{**COLS, "first_treated": codes_as_numbers})
    assert "same unit codes" in err.value.text("en")


# --------------------------------------------------------------------------- reporting helpers
def test_multiplier_bootstrap(fits):
    """Rademacher multiplier bootstrap (Callaway & Sant'Anna 2021, Alg. 1; R ``mboot``): on
    mpdta (never, dr) the bootstrap SEs of the event-time effects are within 15 % of the
    analytic SEs (999 draws: the IQR-based SE has a relative MC error ≈ 4 %), the uniform
    critical value lies between the pointwise 1.96 and 3.5, and the same seed gives the same
    band."""
    res = fits["mpdta_nev_dr"]
    band = multiplier_bootstrap(res, "dynamic", draws=999, seed=7)
    np.testing.assert_allclose(band.table["se"], res.dynamic.table["se"], rtol=0.15)
    assert 1.96 < band.critical_value < 3.5
    again = multiplier_bootstrap(res, "dynamic", draws=999, seed=7)
    pd.testing.assert_frame_equal(band.table, again.table)
    cells = multiplier_bootstrap(res, "att_gt", draws=999, seed=7)
    assert len(cells.table) == 12 and cells.critical_value > band.critical_value - 0.5


def test_place_unit(fits):
    """A kommun's own estimate placed among the cohort/event-time effects (mpdta, never, dr):
    at the pooled simple ATT its interval overlaps it; far below it is at percentile 0 and does
    not overlap; its own cohort's ATT is reported; an unknown cohort is an error."""
    res = fits["mpdta_nev_dr"]
    here = place_unit(res, res.simple.att, 0.02, cohort=2006)
    assert here["overlaps_simple"] and abs(here["z_difference"]) < 1e-12
    assert 0 < here["percentile_att_gt"] < 100
    assert here["cohort_att"] == pytest.approx(res.group.table.set_index("group").loc[2006, "att"])
    low = place_unit(res, -0.5, 0.01)
    assert low["percentile_att_gt"] == 0 and low["percentile_event_time"] == 0
    assert low["overlaps_simple"] is False and low["z_difference"] < -10
    none = place_unit(res, 0.1, None)
    assert none["ci"] is None and none["overlaps_simple"] is None
    assert none["percentile_group"] == 100
    with pytest.raises(DesignError):
        place_unit(res, 0.0, 0.01, cohort=2005)


def test_result_views(fits):
    """summary() names the setting and the four aggregations; aggregate() rejects unknown kinds;
    to_frame() of an aggregation ends with the overall row; exclusions are Exclusion records."""
    res = fits["mpdta_nev_dr"]
    text = res.summary()
    assert "method=dr" in text and "dynamic" in text and "pre-test" in text
    assert res.dynamic.to_frame()["key"].iloc[-1] == "overall"
    with pytest.raises(DesignError):
        res.aggregate("weekly")
    assert isinstance(Exclusion("x", "sv.", "en."), Exclusion)
