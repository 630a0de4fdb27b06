"""California Proposition 99: reproduce synthdid's estimates (Arkhangelsky et al. 2021, Table 1).

Data: shared/data/benchmarks/prop99/california_prop99_synthdid.csv (synth-inference/synthdid
@70c1ce3e; 38 control states, 1970–1988 pre-period, 1989–2000 post). Reference numbers:
reference_synthdid_R.json in the same folder (R synthdid point estimates) and the paper's
placebo standard errors SDID 8.4, SC 9.9, DiD 17.7 (/work/shared/data/README.md).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evaluation.designs.sdid import estimate, placebo_se, sdid_from_wide, wide_to_matrix

PAPER_SE = {"sdid": 8.4, "sc": 9.9, "did": 17.7}
KEYS = {"sdid": "sdid_att", "sc": "sc_att", "did": "did_att"}
TOL = {"sdid": 0.05, "sc": 0.15, "did": 0.01}


@pytest.fixture(scope="module")
def prop99(shared_data):
    folder = shared_data / "benchmarks" / "prop99"
    df = pd.read_csv(folder / "california_prop99_synthdid.csv", sep=";")
    wide = df.pivot(index="Year", columns="State", values="PacksPerCapita").sort_index()
    reference = json.loads((folder / "reference_synthdid_R.json").read_text())["values"]
    treated = sorted(df.loc[df.treated == 1, "State"].unique())
    n_pre = int(df.loc[df.treated == 1, "Year"].min() - wide.index.min())
    return wide, treated, n_pre, reference


@pytest.fixture(scope="module")
def fits(prop99):
    wide, treated, n_pre, _ = prop99
    return {
        (m, s): sdid_from_wide(wide, treated, n_pre, method=m, solver=s)
        for m in ("sdid", "sc", "did") for s in ("fw", "exact")
    }


def test_layout_matches_reference(prop99):
    """N0 = 38 control states, T0 = 19 pre-years (1970–1988); reference_synthdid_R.json."""
    wide, treated, n_pre, ref = prop99
    assert treated == ["California"]
    assert (wide.shape[1] - 1, n_pre) == (ref["n0"], ref["t0"]) == (38, 19)


@pytest.mark.parametrize("method", ["sdid", "sc", "did"])
def test_frank_wolfe_reproduces_synthdid(fits, prop99, method):
    """synthdid's own solver (Frank–Wolfe, sparsify, its stopping rule) reproduces the R point
    estimates: DiD −27.349, SDID −15.604, SC −19.620 (reference_synthdid_R.json). Tolerance
    1e-3 — far tighter than the brief's ±0.01 / ±0.05 / ±0.15; measured differences ≤ 2e-6."""
    ref = prop99[3][KEYS[method]]
    assert fits[(method, "fw")].tau == pytest.approx(ref, abs=1e-3)


@pytest.mark.parametrize("method", ["sdid", "sc", "did"])
def test_exact_solver_within_tolerance(fits, prop99, method):
    """The exact minimiser of the same objectives lands within the brief's tolerances of the R
    estimates: DiD ±0.01, SDID ±0.05, SC ±0.15 (reference_synthdid_R.json). Measured: DiD
    identical, SDID −15.6054 (+0.0016), SC −19.514 (+0.106: synthdid's Frank–Wolfe stops short
    of the optimum of the almost unregularised SC problem; the exact weights have the lower
    objective)."""
    ref = prop99[3][KEYS[method]]
    assert fits[(method, "exact")].tau == pytest.approx(ref, abs=TOL[method])


def test_sdid_weights_and_paths(fits):
    """SDID time weights sit on the last pre-years (1986–88: .37/.21/.43, as in the paper's
    Figure 1) and ω is spread over many states (largest Nevada ≈ .12, New Hampshire ≈ .11).
    Reference: Arkhangelsky et al. (2021) Figure 1 / synthdid vignette. Tolerance 0.01; the
    effect path averages to τ̂ over 1989–2000 (1e-9)."""
    fit = fits[("sdid", "fw")]
    lam = pd.Series(fit.lambda_, index=fit.periods[: fit.t0])
    assert lam[[1986, 1987, 1988]].to_numpy() == pytest.approx([0.366, 0.206, 0.427], abs=0.01)
    assert lam.drop([1986, 1987, 1988]).sum() < 0.01
    top = fit.weights_table().head(2)
    assert list(top.unit) == ["Nevada", "New Hampshire"]
    assert top.omega.to_numpy() == pytest.approx([0.124, 0.105], abs=0.01)
    assert np.mean(fit.effect_path[fit.t0:]) == pytest.approx(fit.tau, abs=1e-9)


@pytest.fixture(scope="module")
def matrix(prop99):
    wide, treated, _, _ = prop99
    Y, controls, _ = wide_to_matrix(wide, treated)
    return Y, len(controls)


@pytest.mark.parametrize("method", ["sdid", "sc", "did"])
def test_placebo_se_limit_near_paper(fits, matrix, method):
    """Placebo SE with every control state once as the placebo-treated unit — the limit of
    synthdid's 200 random draws (Algorithm 4) without Monte Carlo error — is within ±1.5 of the
    paper's 8.4 (SDID), 9.9 (SC), 17.7 (DiD). Measured 9.37 / 10.62 / 17.29. Tolerance reason:
    the paper's numbers are single 200-draw Monte Carlo realisations whose SD around the limit is
    0.64 / 0.86 / 1.38 (heavy tail: Rhode Island's placebo is −32); 8.4 is at the 7th
    percentile of that distribution. Exact solver here; synthdid's Frank–Wolfe gives the same
    limit to ±0.05 (checked for SDID, measured 9.371 both)."""
    Y, n0 = matrix
    res = placebo_se(Y, n0, 19, fit=fits[(method, "exact")], replications=None)
    assert res.estimates.shape == (38,)
    assert res.se == pytest.approx(PAPER_SE[method], abs=1.5)


def test_seeded_200_draw_placebo_se(fits, matrix):
    """synthdid-style placebo SE with 200 seeded draws (seed 2021, fixed before measuring) is
    within 3 Monte Carlo SDs of the every-control limit — the MC SD computed by the delta method
    from the 38 placebo estimates, sd(s) ≈ sqrt((μ4 − σ⁴)/r) / (2σ) ≈ 0.64 — and within ±1.5 of
    the paper's 8.4 (Monte Carlo tolerance). Measured: 8.67 vs limit 9.37. The
    seed matters: over seeds the 200-draw SE spans about 8.1–10.6 (central 95 %), so some seeds
    fall outside 8.4 ± 1.5; the seed-free check is test_placebo_se_limit_near_paper.
    Reference: synthdid vcov(method = "placebo", replications = 200); paper Table 1."""
    Y, n0 = matrix
    fit = fits[("sdid", "exact")]
    limit = placebo_se(Y, n0, 19, fit=fit, replications=None)
    v = limit.estimates - limit.estimates.mean()
    mc_sd = np.sqrt((np.mean(v**4) - limit.se**4) / 200) / (2 * limit.se)
    drawn = placebo_se(Y, n0, 19, fit=fit, replications=200, seed=2021)
    assert drawn.replications == 200
    assert abs(drawn.se - limit.se) < 3 * mc_sd
    assert drawn.se == pytest.approx(PAPER_SE["sdid"], abs=1.5)
    # synthdid's Frank–Wolfe gives nearly the same placebo SE
    fw = placebo_se(Y, n0, 19, fit=fits[("sdid", "fw")], replications=None)
    assert fw.se == pytest.approx(limit.se, abs=0.05)


def test_dispatch_matches_named_estimators(matrix, fits):
    """estimate(Y, N0, T0, method) equals the per-method functions on the matrix layout.
    Tolerance 1e-12."""
    Y, n0 = matrix
    for m in ("sdid", "sc", "did"):
        assert estimate(Y, n0, 19, m, "exact").tau == pytest.approx(fits[(m, "exact")].tau,
                                                                    abs=1e-12)
