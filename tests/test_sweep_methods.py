"""Known answers: Sobol' indices of Ishigami, tornado and Morris ranks of a linear model,
marginals and copula of the samplers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from model.sweep import parse_sweep, run_sweep
from model.sweep.evaluators import Ishigami, Linear
from model.sweep.methods import (bootstrap_indices, build_design, design_rows, first_order,
                                 total_order)
from model.sweep.samplers import Marginal, to_inputs

PI = {"low": -np.pi, "high": np.pi}


def spec(**kw):
    base = dict(name="t", evaluator="toy:linear", outcomes=["y"], block_size=256)
    return parse_sweep(base | kw)


def test_sobol_recovers_ishigami_indices_within_bootstrap_intervals():
    s = spec(method="sobol", n=2**12, evaluator="toy:ishigami", seed=7,
             parameters={"x1": PI, "x2": PI, "x3": PI})
    df = run_sweep(s, out=None).sobol
    s1, st = Ishigami.exact()
    assert np.all(df["S1_low"] <= s1) and np.all(s1 <= df["S1_high"]), df
    assert np.all(df["ST_low"] <= st) and np.all(st <= df["ST_high"]), df
    # the intervals are informative, not vacuous
    assert np.all(df["S1_high"] - df["S1_low"] < 0.1)
    np.testing.assert_allclose(df["S1"], s1, atol=0.03)
    np.testing.assert_allclose(df["ST"], st, atol=0.03)


def test_own_estimators_equal_scipy_point_estimates():
    rng = np.random.default_rng(0)
    f_A, f_B, f_AB = rng.normal(size=64), rng.normal(size=64), rng.normal(size=(3, 64))
    c = np.concatenate([f_A, f_B]).mean()
    got = first_order(f_A - c, f_B - c, f_AB - c), total_order(f_A - c, f_B - c, f_AB - c)
    res = stats.sobol_indices(func=dict(f_A=f_A[None], f_B=f_B[None], f_AB=f_AB[:, None]), n=64)
    np.testing.assert_allclose(got[0], res.first_order, rtol=1e-12)
    np.testing.assert_allclose(got[1], res.total_order, rtol=1e-12)


def test_tornado_ranks_linear_model_by_coefficient_times_spread():
    spread = {"x1": 1.0, "x2": 3.0, "x3": 4.0, "x4": 20.0, "x5": 50.0}
    params = {k: {"low": 10.0, "high": 10.0 + w} for k, w in spread.items()}
    df = run_sweep(spec(method="tornado", parameters=params), out=None).tornado
    expect = {k: abs(Linear.COEF[k]) * w for k, w in spread.items()}  # 5, 9, 4, 10, 0
    assert df["parameter"].tolist() == sorted(expect, key=expect.get, reverse=True)
    swing = df.set_index("parameter")["swing"]
    assert {k: swing[k] for k in expect} == pytest.approx(expect)


def test_tornado_uses_p10_p90_of_distributions():
    s = spec(method="tornado", parameters={"x1": {"dist": "normal", "mean": 0.0, "sd": 1.0},
                                           "x2": {"dist": "lognormal", "median": 2.0,
                                                  "sigma": 0.5}})
    df = run_sweep(s, out=None).tornado.set_index("parameter")
    z = stats.norm.ppf(0.9)
    assert df.loc["x1", "low_input"] == pytest.approx(-z)
    assert df.loc["x2", "high_input"] == pytest.approx(2.0 * np.exp(0.5 * z))
    assert df.loc["x1", "swing"] == pytest.approx(5 * 2 * z)


def test_morris_screens_out_the_inert_input():
    params = {k: {"low": 0.0, "high": 1.0} for k in Linear.COEF}
    df = run_sweep(spec(method="morris", n=20, parameters=params), out=None).morris
    mu = df.set_index("parameter")["mu_star"]
    np.testing.assert_allclose(mu, [abs(c) for c in Linear.COEF.values()], atol=1e-9)


def test_grid_is_full_factorial():
    s = spec(method="grid", grid={"levels": 3},
             parameters={"x1": {"low": 0.0, "high": 2.0},
                         "x2": {"dist": "discrete", "choices": [1.0, 5.0]}})
    assert design_rows(s) == 6
    X = build_design(s).X
    assert sorted(map(tuple, X)) == [(a, b) for a in (0.0, 1.0, 2.0) for b in (1.0, 5.0)]


@pytest.mark.parametrize("m, dist", [
    (Marginal("uniform", low=2.0, high=5.0), stats.uniform(2, 3)),
    (Marginal("triangular", low=0.0, mode=1.0, high=4.0), stats.triang(0.25, 0, 4)),
    (Marginal("normal", mean=1.0, sd=2.0), stats.norm(1, 2)),
    (Marginal("lognormal", median=3.0, sigma=0.4), stats.lognorm(0.4, scale=3.0)),
    (Marginal("normal", mean=0.0, sd=1.0, low=-1.0, high=2.0), stats.truncnorm(-1, 2)),
])
def test_marginals_match_their_distribution(m, dist):
    u = np.random.default_rng(3).random(20_000)
    assert stats.kstest(m.ppf(u), dist.cdf).pvalue > 0.01


def test_discrete_weights_and_copula_correlation():
    m = Marginal("discrete", choices=(1.0, 2.0, 3.0), weights=(0.2, 0.5, 0.3))
    x = m.ppf(np.random.default_rng(1).random(50_000))
    np.testing.assert_allclose([np.mean(x == v) for v in (1, 2, 3)], [0.2, 0.5, 0.3], atol=0.01)
    chol = np.linalg.cholesky(np.array([[1.0, 0.6], [0.6, 1.0]]))
    u = np.random.default_rng(2).random((50_000, 2))
    xy = to_inputs(u, [Marginal("uniform", low=0.0, high=1.0)] * 2, chol)
    z = stats.norm.ppf(xy)
    assert np.corrcoef(z.T)[0, 1] == pytest.approx(0.6, abs=0.01)
    assert np.all((xy >= 0) & (xy <= 1))


def test_montecarlo_correlation_and_samplers():
    params = {"x1": {"dist": "normal", "mean": 0.0, "sd": 1.0},
              "x2": {"dist": "normal", "mean": 0.0, "sd": 1.0}}
    for sampler in ("random", "lhs", "sobol"):
        s = spec(method="montecarlo", sampler=sampler, n=4096, parameters=params,
                 correlations=[{"params": ["x1", "x2"], "rho": -0.5}])
        r = run_sweep(s, out=None)
        assert len(r.samples) == 4096
        assert np.corrcoef(r.samples["x1"], r.samples["x2"])[0, 1] == pytest.approx(-0.5,
                                                                                  abs=0.05)


def test_bootstrap_of_a_small_n_skips_resamples_without_variance():
    """n = 4 with one distinct value among the outputs' draws: many resamples draw the same
    value four times (no variance). They are left out, with no warning (warnings are errors
    here), and the interval of an input that never varies its output is NaN, not 0/0."""
    f_A = np.array([1.0, 1.0, 1.0, 3.0])
    f_B = np.array([1.0, 1.0, 1.0, 1.0])
    f_AB = np.vstack([f_A, f_B])  # input 0 moves the output as A does, input 1 as B
    ci = bootstrap_indices(f_A, f_B, f_AB, resamples=400, confidence=0.9,
                           rng=np.random.default_rng(0))
    assert ci.shape == (2, 2, 2)
    assert np.isfinite(ci).all()  # some resamples keep the 3.0: defined intervals
    assert (ci[:, 0] <= ci[:, 1]).all()
    flat = np.ones(4)
    none = bootstrap_indices(flat, flat, np.vstack([flat, flat]), resamples=50, confidence=0.9,
                             rng=np.random.default_rng(0))
    assert np.isnan(none).all()
    assert np.isnan(first_order(flat, flat, np.vstack([flat]))).all()
