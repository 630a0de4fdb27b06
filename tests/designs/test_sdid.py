"""Synthetic difference-in-differences core (evaluation.designs.sdid) on simulated matrices.

References: Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021, AER), Algorithm 1 (estimator)
and Algorithm 4 (placebo variance); the R package synthdid (synth-inference/synthdid,
R/synthdid.R, R/solver.R, R/vcov.R) for defaults and the solver. The Prop 99 reproduction is in
test_sdid_prop99.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from evaluation.designs.sdid import (
    PlaceboResult,
    SdidFit,
    _simplex_qp,
    did_estimate,
    noise_level,
    placebo_estimates,
    placebo_interval,
    placebo_se,
    sc_estimate,
    sdid_from_wide,
    sparsify,
    synthdid_estimate,
    wide_to_matrix,
)
from evaluation.errors import DesignError

N, T, T0 = 60, 40, 30
N0 = N - 1


def factor_panels(seed: int, reps: int, n: int = N, t: int = T, rank: int = 3,
                  sd: float = 1.0) -> np.ndarray:
    """``reps`` low-rank panels (reps, n, t): unit effect + common trend + rank-3 factors
    (random-walk factors, standard-normal loadings, the treated unit drawn like the controls)
    + iid N(0, sd²) noise."""
    rng = np.random.default_rng(seed)
    factors = rng.standard_normal((reps, t, rank)).cumsum(axis=1) * 0.5
    loadings = rng.standard_normal((reps, n, rank))
    unit = 2.0 * rng.standard_normal((reps, n, 1))
    trend = np.linspace(0.0, 3.0, t)
    noise = sd * rng.standard_normal((reps, n, t))
    return unit + trend + np.einsum("rnk,rtk->rnt", loadings, factors) + noise


@pytest.fixture(scope="module")
def panel() -> np.ndarray:
    return factor_panels(seed=3, reps=1)[0]


# ------------------------------------------------------------------------------------------
# structure of a fit
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["fw", "exact"])
def test_fit_structure_and_paths(panel, solver):
    """Weights on the simplex, synthdid's regularisation, and paths consistent with τ̂.

    Reference: synthdid defaults ζ_ω = (N_tr·T_post)^(1/4)·σ̂, ζ_λ = 1e-6·σ̂, σ̂ = sd of the
    controls' pre-period first differences; τ̂ = post-period mean of the effect path
    (synthdid_effect_curve). Tolerance 1e-9 (floating point)."""
    fit = synthdid_estimate(panel, N0, T0, solver=solver)
    assert isinstance(fit, SdidFit) and fit.solver == solver
    assert fit.omega.shape == (N0,) and fit.lambda_.shape == (T0,)
    for w in (fit.omega, fit.lambda_):
        assert w.min() >= 0.0 and abs(w.sum() - 1.0) < 1e-9
    sigma = np.std(np.diff(panel[:N0, :T0], axis=1), ddof=1)
    assert fit.sigma_hat == pytest.approx(sigma, rel=1e-12)
    assert fit.zeta_omega == pytest.approx((1 * (T - T0)) ** 0.25 * sigma, rel=1e-12)
    assert fit.zeta_lambda == pytest.approx(1e-6 * sigma, rel=1e-12)
    assert fit.min_decrease == pytest.approx(1e-5 * sigma, rel=1e-12)
    assert np.allclose(fit.treated_path, panel[N0])
    assert np.allclose(fit.synthetic_path, fit.omega @ panel[:N0])
    assert fit.effect_path[T0:].mean() == pytest.approx(fit.tau, abs=1e-9)
    assert np.allclose(fit.counterfactual_path + fit.effect_path, fit.treated_path)
    direct = (panel[N0, T0:].mean() - fit.omega @ panel[:N0, T0:].mean(axis=1)) - fit.lambda_ @ (
        panel[N0, :T0] - fit.omega @ panel[:N0, :T0])
    assert fit.tau == pytest.approx(direct, abs=1e-9)
    gap = panel[N0, :T0] - fit.omega @ panel[:N0, :T0]
    assert fit.omega_intercept == pytest.approx(gap.mean(), abs=1e-9)
    assert fit.lambda_intercept == pytest.approx(
        np.mean(panel[:N0, T0:].mean(axis=1) - panel[:N0, :T0] @ fit.lambda_), abs=1e-9)


def test_did_is_the_two_by_two_difference_of_means(panel):
    """DiD = (treated post − treated pre) − (controls post − controls pre), uniform weights.

    Reference: closed form (Table 1 of the paper, DID column). Tolerance 1e-10."""
    Y = panel.copy()
    Y = np.vstack([Y, Y[-1] + 0.5])  # two treated units
    fit = did_estimate(Y, N0, T0)
    tr, co = Y[N0:], Y[:N0]
    expected = (tr[:, T0:].mean() - tr[:, :T0].mean()) - (co[:, T0:].mean() - co[:, :T0].mean())
    assert fit.tau == pytest.approx(expected, abs=1e-10)
    assert np.allclose(fit.omega, 1 / N0) and np.allclose(fit.lambda_, 1 / T0)
    assert fit.n_treated == 2


@pytest.mark.parametrize("solver", ["fw", "exact"])
def test_equivariance_and_fixed_effect_invariance(panel, solver):
    """τ̂ shifts by c when c is added to the treated post-cells, is unchanged by unit fixed
    effects (ω intercept; σ̂ uses first differences) and scales with the outcome.

    Reference: the SDID weight problems (paper eq. 2.2–2.3) centre the time dimension for ω,
    the weights do not depend on the treated post-period, and ζ ∝ σ̂ makes the objective
    scale-free. (Period effects are removed by the weights too but change σ̂, hence ζ_ω.)
    Tolerance 1e-6 (the FW path can diverge by rounding)."""
    base = synthdid_estimate(panel, N0, T0, solver=solver)
    shifted = panel.copy()
    shifted[N0:, T0:] += 2.5
    assert synthdid_estimate(shifted, N0, T0, solver=solver).tau == pytest.approx(
        base.tau + 2.5, abs=1e-6)
    rng = np.random.default_rng(0)
    fe = panel + rng.normal(0, 5, (N, 1))
    assert synthdid_estimate(fe, N0, T0, solver=solver).tau == pytest.approx(base.tau, abs=1e-6)
    assert synthdid_estimate(3.0 * panel, N0, T0, solver=solver).tau == pytest.approx(
        3.0 * base.tau, abs=1e-6)


def test_sc_recovers_an_exact_convex_combination():
    """When the treated unit is exactly 0.5·u1 + 0.3·u2 + 0.2·u3 before the reform, SC finds
    those weights and the effect.

    Reference: the SC objective (synthdid sc_estimate, ζ_ω = 1e-6·σ̂, no intercept, λ = 0) has
    this exact fit as its minimiser up to the 1e-6 ridge. Tolerances: exact solver weights
    1e-4, τ̂ 1e-3; synthdid's Frank–Wolfe stops early by design, τ̂ within 0.1 (noise sd 1)."""
    rng = np.random.default_rng(7)
    Y = rng.normal(0, 1, (21, 25)).cumsum(axis=1) + rng.normal(0, 3, (21, 1))
    w = np.zeros(20)
    w[:3] = [0.5, 0.3, 0.2]
    Y[20] = w @ Y[:20]
    Y[20, 18:] += 4.0
    exact = sc_estimate(Y, 20, 18, solver="exact")
    assert np.allclose(exact.omega, w, atol=1e-4)
    assert exact.tau == pytest.approx(4.0, abs=1e-3)
    assert np.all(exact.lambda_ == 0) and exact.offset == 0 and exact.omega_intercept == 0
    assert sc_estimate(Y, 20, 18).tau == pytest.approx(4.0, abs=0.1)


def test_exact_solver_matches_slsqp():
    """The active-set solver returns the simplex-constrained ridge minimiser.

    Reference: scipy.optimize.minimize (SLSQP, ftol 1e-14) on the same objective, 8 random
    problems, including ill-conditioned (rank-deficient, tiny ridge) ones. Tolerance: objective
    within 1e-7 relative, never worse than SLSQP by more than that."""
    rng = np.random.default_rng(11)
    for rep in range(8):
        n, k = rng.integers(5, 25), rng.integers(3, 30)
        A = rng.normal(size=(n, 3)) @ rng.normal(size=(3, k)) + rng.normal(0, 0.3, (n, k))
        b = rng.normal(size=n) + A[:, 0]
        eta = 10.0 ** rng.uniform(-10, 1)
        Q = A.T @ A + eta * np.eye(k)
        c = A.T @ b
        x, iters = _simplex_qp(Q[None], c[None])
        assert iters[0] > 0

        def f(z):
            return 0.5 * z @ Q @ z - c @ z

        ref = optimize.minimize(
            f, np.full(k, 1 / k), jac=lambda z: Q @ z - c, method="SLSQP",
            bounds=[(0, None)] * k, constraints=[{"type": "eq", "fun": lambda z: z.sum() - 1}],
            options={"ftol": 1e-14, "maxiter": 1000},
        )
        assert x[0].min() >= 0 and abs(x[0].sum() - 1) < 1e-12
        assert f(x[0]) <= ref.fun + 1e-7 * (1 + abs(ref.fun)), rep


def test_frank_wolfe_and_exact_agree_on_a_factor_panel(panel):
    """synthdid's Frank–Wolfe (10 000-iteration cap) and the exact minimiser give nearly the
    same SDID estimate.

    Reference: same objective; tolerance 0.02 outcome units (noise sd 1, placebo SE ≈ 1)."""
    fw = synthdid_estimate(panel, N0, T0, solver="fw")
    exact = synthdid_estimate(panel, N0, T0, solver="exact")
    assert fw.tau == pytest.approx(exact.tau, abs=0.02)


def test_sparsify_matches_synthdid():
    """sparsify: weights ≤ max/4 set to 0, renormalised (synthdid sparsify_function).
    Tolerance 1e-12."""
    out = sparsify(np.array([0.5, 0.125, 0.2, 0.1]))
    assert np.allclose(out, np.array([0.5, 0, 0.2, 0]) / 0.7, atol=1e-12)


def test_noise_level_uses_control_pre_period_only(panel):
    """σ̂ ignores the treated unit and the post-period (synthdid: sd(apply(Y[1:N0,1:T0],1,diff))).
    Tolerance: exact."""
    Y = panel.copy()
    Y[N0:, :] += 1e6
    Y[:, T0:] *= 100
    assert noise_level(Y, N0, T0) == noise_level(panel, N0, T0)


# ------------------------------------------------------------------------------------------
# wide tables and errors
# ------------------------------------------------------------------------------------------


def test_sdid_from_wide_reorders_and_labels(panel):
    """A periods × units table with the treated unit in the middle gives the same fit as the
    ordered matrix; donors restrict the controls. Reference: the matrix API. Tolerance 1e-12."""
    units = [f"k{i:02d}" for i in range(N)]
    order = np.r_[np.arange(10), N - 1, np.arange(10, N - 1)]  # treated placed 11th
    wide = pd.DataFrame(panel[order].T, index=range(2000, 2000 + T),
                        columns=[units[i] for i in order])
    fit = sdid_from_wide(wide, "k59", n_pre=T0, solver="exact")
    ref = synthdid_estimate(panel, N0, T0, solver="exact")
    assert fit.tau == pytest.approx(ref.tau, abs=1e-12)
    assert fit.control_units == tuple(units[:N0]) and fit.treated_units == ("k59",)
    assert fit.periods[0] == 2000 and len(fit.periods) == T
    table = fit.weights_table()
    assert table.omega.iloc[0] == fit.omega.max()
    sub = sdid_from_wide(wide, ["k59"], n_pre=T0, donors=units[:20], method="did")
    assert sub.n0 == 20
    assert sub.tau == pytest.approx(did_estimate(panel[np.r_[0:20, N - 1]], 20, T0).tau)
    Y, controls, treated = wide_to_matrix(wide, "k59")
    assert np.array_equal(Y, panel) and treated == ["k59"] and len(controls) == N0
    with pytest.raises(DesignError):
        sdid_from_wide(wide, "nope", n_pre=T0)
    with pytest.raises(DesignError):
        sdid_from_wide(wide, "k59", n_pre=T0, donors=["k00", "zz"])


@pytest.mark.parametrize(
    ("rows", "n0", "t0", "word"),
    [
        (3, 1, 5, "two control"),
        (5, 4, 1, "two pre-reform"),
        (5, 5, 5, "no treated"),
        (5, 3, 10, "no period after"),
    ],
)
def test_design_errors(rows, n0, t0, word):
    """Too few controls / pre-periods, no treated unit or post-period → bilingual DesignError.
    Reference: the brief (DesignError for N0 < 2, T0 < 2, NaNs)."""
    Y = np.random.default_rng(0).normal(size=(rows, 10))
    with pytest.raises(DesignError) as info:
        synthdid_estimate(Y, n0, t0)
    assert word in info.value.text("en") and info.value.sv != info.value.en


def test_missing_values_and_constant_controls_raise(panel):
    """NaN anywhere, or constant control pre-periods (σ̂ = 0), → DesignError. Reference: brief."""
    Y = panel.copy()
    Y[5, 3] = np.nan
    with pytest.raises(DesignError, match="saknade"):
        synthdid_estimate(Y, N0, T0)
    flat = panel.copy()
    flat[:N0, :] = 1.0
    with pytest.raises(DesignError):
        synthdid_estimate(flat, N0, T0)
    assert did_estimate(flat, N0, T0).tau == pytest.approx(
        panel[N0, T0:].mean() - panel[N0, :T0].mean())


# ------------------------------------------------------------------------------------------
# placebo variance
# ------------------------------------------------------------------------------------------


def test_placebo_se_definition_and_reproducibility(panel):
    """se = sqrt((r−1)/r)·sd(placebo estimates) (synthdid vcov(method="placebo")); same seed →
    same draws; every-control-once mode has N0 estimates; the normal interval is τ̂ ± 1.96·se.
    Tolerance 1e-12."""
    fit = synthdid_estimate(panel, N0, T0, solver="exact")
    res = placebo_se(panel, N0, T0, fit=fit, replications=40, seed=5)
    assert isinstance(res, PlaceboResult) and res.estimates.shape == (40,)
    r = 40
    assert res.se == pytest.approx(np.sqrt((r - 1) / r) * np.std(res.estimates, ddof=1), rel=1e-12)
    again = placebo_estimates(panel, N0, T0, "sdid", replications=40, seed=5, solver="exact")
    assert np.array_equal(again, res.estimates)
    full = placebo_se(panel, N0, T0, fit=fit, replications=None)
    assert full.estimates.shape == (N0,) and full.seed is None
    lo, hi = placebo_interval(fit, full, 0.95)
    assert (hi - lo) / 2 == pytest.approx(1.959963985 * full.se, rel=1e-9)
    assert placebo_interval(fit, full.estimates, 0.9) == pytest.approx(
        (fit.tau - 1.644853627 * full.se, fit.tau + 1.644853627 * full.se), rel=1e-9)
    with pytest.raises(ValueError):
        placebo_se(np.vstack([panel, panel[-1]]), N0, T0, replications=None)


def test_placebo_needs_spare_controls():
    """With N0 − N_tr < 2 the placebo cannot be formed → DesignError. Reference: synthdid
    placebo_se stops when N0 <= N1."""
    Y = np.random.default_rng(1).normal(size=(5, 8))
    with pytest.raises(DesignError):
        placebo_se(Y, 3, 5, replications=10)


def _mc(seed: int, reps: int, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """SDID estimates and every-control-once placebo SEs over ``reps`` factor panels."""
    panels = factor_panels(seed, reps)
    panels[:, N0:, T0:] += tau
    est, se = np.empty(reps), np.empty(reps)
    for r, Y in enumerate(panels):
        fit = synthdid_estimate(Y, N0, T0, solver="exact")
        est[r] = fit.tau
        se[r] = placebo_se(Y, N0, T0, fit=fit, replications=None).se
    return est, se


@pytest.fixture(scope="module")
def mc_effect():
    return _mc(seed=5, reps=100, tau=3.0)


@pytest.fixture(scope="module")
def mc_null():
    return _mc(seed=6, reps=100, tau=0.0)


def test_sdid_recovers_a_constant_effect(mc_effect):
    """Low-rank factor panel (N 60, T 40, T0 30, one treated unit, effect 3, noise sd 1),
    R = 100 seeded draws: mean bias of SDID within 0.3 (≈ 3 Monte Carlo SEs of the mean;
    measured −0.13, RMSE 1.0). Reference: Arkhangelsky et al. (2021) Section 3 — SDID is
    consistent under a low-rank outcome model."""
    est, _ = mc_effect
    assert abs(est.mean() - 3.0) < 0.3
    assert np.sqrt(np.mean((est - 3.0) ** 2)) < 1.5


def test_placebo_interval_covers_at_the_nominal_rate(mc_effect):
    """95 % placebo interval (every control once; homoskedastic controls by construction)
    covers the true effect in 88–100 % of R = 100 draws (binomial 95 % range for p = 0.95 is
    ≈ 90–99 %; measured 97 %), and the mean placebo SE is within 25 % of the Monte Carlo SD of
    τ̂ (measured 0.99 vs 1.00). Reference: Algorithm 4 of Arkhangelsky et al. (2021)."""
    est, se = mc_effect
    coverage = np.mean(np.abs(est - 3.0) <= 1.959964 * se)
    assert 0.88 <= coverage <= 1.0
    assert se.mean() == pytest.approx(est.std(), rel=0.25)


def test_placebo_test_size_and_power(mc_null):
    """Under τ = 0 (independent draws, seed 6, R = 100) the 5 % placebo test rejects ≤ 12 %
    (P(≥ 13 of 100 | 5 %) ≈ 0.2 %; measured 7 %). Power: adding 4 placebo SEs to the treated
    post-period (τ̂ shifts exactly, the placebo SE is unchanged — see the equivariance test)
    rejects in ≥ 90 % (measured 96 %). Reference: Algorithm 4 of Arkhangelsky et al. (2021)."""
    est, se = mc_null
    assert np.mean(np.abs(est) > 1.959964 * se) <= 0.12
    assert np.mean(np.abs(est + 4.0 * se.mean()) > 1.959964 * se) >= 0.9


def test_one_problem_simplex_qp_reaches_the_batch_optimum():
    """The one-problem solvers change the path, not the weights. Block principal pivoting
    (:func:`_simplex_qp_one`: Cholesky KKT solves, every violating variable exchanged at
    once) and the one-problem active-set method (:func:`_active_set_one`: a tenth of the
    negative multipliers freed per step) on problems of 40 and of 288 candidates (a national
    pool, some 60 donors with weight): their weights equal the batch solver's (bordered LU,
    one variable freed per step) to 1e-12, a start at another problem's optimum gives the same
    weights, the KKT conditions hold, pivoting cut short after 2 exchanges hands over to the
    active-set method and still ends at the optimum, and on the large problems pivoting takes
    fewer than half the active-set method's steps, which take fewer than the batch's."""
    import importlib

    sdid_module = importlib.import_module("evaluation.designs.sdid")
    rng = np.random.default_rng(7)
    steps_one = steps_batch = steps_active = 0
    previous: dict[int, np.ndarray] = {}
    for k, n, ridge in ((40, 60, 0.01), (288, 90, 0.002)):
        base = rng.normal(size=(n, k)) + rng.normal(size=(n, 1))
        target = base[:, :12].mean(axis=1) + 0.3 * rng.normal(size=n)
        for _ in range(10):
            A = base + 0.05 * rng.normal(size=base.shape)
            Q, c = A.T @ A + n * ridge * np.eye(k), A.T @ target
            one, it_one = sdid_module._simplex_qp_one(Q, c, 1e-11)
            started, _ = sdid_module._simplex_qp_one(Q, c, 1e-11, previous.get(k))
            active, it_active = sdid_module._active_set_one(Q, c, 1e-11)
            active_started, _ = sdid_module._active_set_one(Q, c, 1e-11, previous.get(k))
            cut, it_cut = sdid_module._simplex_qp_one(Q, c, 1e-11, max_exchanges=2)
            batch, it_batch = sdid_module._simplex_qp(np.stack([Q, Q]), np.stack([c, c]))
            np.testing.assert_allclose(one, batch[0], atol=1e-12)
            np.testing.assert_allclose(started, one, atol=1e-12)
            np.testing.assert_allclose(active, one, atol=1e-12)
            np.testing.assert_allclose(active_started, one, atol=1e-12)
            np.testing.assert_allclose(cut, one, atol=1e-12)
            assert it_cut > 2  # the active-set method took over
            # KKT: the gradient plus the multiplier is zero on the support, ≥ 0 off it
            grad = Q @ one - c
            mu = -grad[one > 0].mean()
            assert np.abs(grad[one > 0] + mu).max() < 1e-8 * np.abs(c).max()
            assert (grad[one == 0] + mu).min() > -1e-8 * np.abs(c).max()
            assert it_one > 0 and it_batch[0] > 0
            if k == 288:
                assert (one > 0).sum() > 20
                steps_one, steps_batch = steps_one + it_one, steps_batch + it_batch[0]
                steps_active += it_active
            previous[k] = one
    assert 2 * steps_one < steps_active < steps_batch


def test_kkt_solve_falls_back_when_the_free_block_is_singular():
    """When ``Q_FF`` is not numerically positive definite (Cholesky fails) the bordered KKT
    system is solved by least squares: the weights still sum to one and satisfy the system."""
    import importlib

    sdid_module = importlib.import_module("evaluation.designs.sdid")
    a = np.array([1.0, 2.0, 3.0])
    Q = np.outer(a, a)  # rank one: Cholesky of any 2 × 2 or larger block fails
    c = np.array([1.0, 0.5, 2.0])
    rhs = np.column_stack([c, np.ones(3)])
    F = np.array([0, 1, 2])
    x, mu = sdid_module._kkt_on(Q, rhs, F)
    assert x.sum() == pytest.approx(1.0, abs=1e-10)
    residual = Q @ x + mu - c  # stationarity on the free set, in the least-squares sense
    M = np.block([[Q, np.ones((3, 1))], [np.ones((1, 3)), np.zeros((1, 1))]])
    sol = np.append(x, mu)
    np.testing.assert_allclose(M.T @ (M @ sol - np.append(c, 1.0)), 0.0, atol=1e-9)
    assert np.isfinite(residual).all()


def test_a_start_shortens_the_path_to_the_same_unit_weights():
    """The exact solver started at a unit's weights from a shorter pre-period — what a placebo
    date or an earlier window gives the next fit of the same unit and donors — ends at the
    same weights and effect, to the last bit (the optimum is unique and computed from the
    final free set alone), in fewer exchanges over 20 factor panels of 200 controls; a start
    of the wrong length is ignored. Frank–Wolfe takes no start: its answer depends on it."""
    cold_steps = warm_steps = 0
    for Y in factor_panels(seed=11, reps=20, n=201, t=70):
        earlier = synthdid_estimate(Y[:, :58], 200, 46, solver="exact")
        cold = synthdid_estimate(Y, 200, 58, solver="exact")
        warm = synthdid_estimate(Y, 200, 58, solver="exact", omega_start=earlier.omega)
        assert np.array_equal(warm.omega, cold.omega) and warm.tau == cold.tau
        assert np.array_equal(warm.lambda_, cold.lambda_)
        wrong = synthdid_estimate(Y, 200, 58, solver="exact", omega_start=earlier.omega[:-1])
        assert np.array_equal(wrong.omega, cold.omega)
        assert wrong.iterations["omega"] == cold.iterations["omega"]
        cold_steps += cold.iterations["omega"]
        warm_steps += warm.iterations["omega"]
    assert warm_steps < 0.8 * cold_steps
    with pytest.raises(ValueError, match="exact solver"):
        synthdid_estimate(Y, 200, 58, solver="fw", omega_start=earlier.omega)


def test_a_start_shortens_the_path_to_the_same_time_weights():
    """The time weights of a fit on the same periods — the treated unit's fit, for the fit of
    a placebo unit whose controls lack one unit — start the exact solver's search: the same
    weights and effect to the last bit, in fewer exchanges (20 factor panels of 200 controls);
    a start of the wrong length is ignored; Frank–Wolfe takes none."""
    cold_steps = warm_steps = 0
    for Y in factor_panels(seed=12, reps=20, n=201, t=70):
        treated = synthdid_estimate(Y, 200, 58, solver="exact")
        placebo = np.vstack([Y[1:200], Y[:1]])  # the first control as the treated unit
        cold = synthdid_estimate(placebo, 199, 58, solver="exact")
        warm = synthdid_estimate(placebo, 199, 58, solver="exact",
                                 lambda_start=treated.lambda_)
        assert np.array_equal(warm.lambda_, cold.lambda_) and warm.tau == cold.tau
        assert np.array_equal(warm.omega, cold.omega)
        assert warm.iterations["omega"] == cold.iterations["omega"]
        wrong = synthdid_estimate(placebo, 199, 58, solver="exact",
                                  lambda_start=treated.lambda_[:-1])
        assert wrong.iterations["lambda"] == cold.iterations["lambda"]
        assert np.array_equal(wrong.lambda_, cold.lambda_)
        cold_steps += cold.iterations["lambda"]
        warm_steps += warm.iterations["lambda"]
    assert warm_steps < 0.5 * cold_steps
    with pytest.raises(ValueError, match="exact solver"):
        synthdid_estimate(Y, 200, 58, solver="fw", lambda_start=treated.lambda_)
