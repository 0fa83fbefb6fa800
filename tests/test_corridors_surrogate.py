"""Queueing surrogate: Erlang-C known answers, Allen-Cunneen, saturation, seasons, error vs DES."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.corridors import Route, Stage, default_routes, erlang_c, route_transit
from model.corridors.surrogate import (
    calibrate,
    error_grid,
    ggc_wait,
    load_for_utilisation,
    mmc_wait,
    route_transit_mt,
)


def erlang_c_exact(c: int, a: Fraction) -> float:
    """Textbook Erlang-C in exact rational arithmetic."""
    top = a ** c / math.factorial(c) * c / (c - a)
    return float(top / (sum(a ** k / math.factorial(k) for k in range(c)) + top))


def test_erlang_c_known_values():
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(4, 3.6) == pytest.approx(erlang_c_exact(4, Fraction(36, 10)), rel=1e-12)
    assert erlang_c(3, 0.0) == 0.0
    assert erlang_c(3, 3.0) == 1.0 and erlang_c(3, 5.0) == 1.0  # saturated


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 60), rho=st.fractions(Fraction(1, 100), Fraction(99, 100)))
def test_erlang_c_matches_exact_formula(c, rho):
    a = rho * c
    assert erlang_c(c, float(a)) == pytest.approx(erlang_c_exact(c, a), rel=1e-9, abs=1e-300)


def test_erlang_c_stable_for_many_servers_and_vectorised():
    p = erlang_c(10_000, np.array([5_000.0, 9_000.0, 9_990.0]))
    assert p.shape == (3,) and np.all(np.isfinite(p))
    assert p[0] < 1e-100 and 0 < p[1] < p[2] < 1


def test_allen_cunneen_factor():
    s_exp, s_det = Stage("b", "port", 2, 10.0, 1.0), Stage("b", "port", 2, 10.0, 0.0)
    lam = np.array([0.05, 0.15])
    assert np.allclose(ggc_wait(lam, s_exp, 1.0), mmc_wait(lam, s_exp))
    assert np.allclose(ggc_wait(lam, s_det, 1.0), 0.5 * mmc_wait(lam, s_det))  # M/D/c approx
    # M/M/1 closed form: Wq = rho / (mu - lam)
    s1 = Stage("b", "port", 1, 10.0)
    assert mmc_wait(0.05, s1) == pytest.approx(0.5 / (0.1 - 0.05))


def test_saturation_is_flagged_never_a_number():
    instc = default_routes(2026)["instc"]
    full = load_for_utilisation(instc, 1.0)
    res = route_transit(instc, np.array([0.5 * full, 0.999 * full, full, 2 * full]))
    assert res.saturated.tolist() == [False, False, True, True]
    assert np.isfinite(res.days[:2]).all() and np.isinf(res.days[2:]).all()
    assert res.utilisation.shape == (len(instc.stages), 4)
    with pytest.raises(ValueError, match="must be finite and >= 0"):
        route_transit(instc, -1.0)


@pytest.mark.parametrize("name", ["suez", "instc", "chennai_vladivostok", "nsr"])
def test_transit_rises_with_load_from_free_flow(name):
    route = default_routes(2026)[name]
    loads = np.linspace(0.0, 0.98, 50) * load_for_utilisation(route, 1.0)
    days = route_transit(route, loads).days
    assert days[0] == pytest.approx(route.service_hours() / 24.0, rel=1e-9)
    assert np.all(np.diff(days) >= -1e-9)
    assert days[-1] > days[0]


def test_tonnes_and_shipments_agree():
    r = default_routes(2031)["instc"]
    a = route_transit_mt(r, 2.0).days
    b = route_transit(r, 2.0e6 / r.tonnes_per_shipment).days
    assert a == pytest.approx(b)


def test_season_winter_wait_is_counted():
    """A seasonal stage at high load leaves shipments queued at closing; they wait the winter."""
    open_all = Route("x", (Stage("leg", "sea", 2, 200.0, 1.0),), ("lng",), 1.0, 1.0)
    seasonal = Route("x", (Stage("leg", "sea", 2, 200.0, 1.0, (7, 11)),), ("lng",), 1.0, 1.0)
    lam_all = 0.8 * load_for_utilisation(open_all, 1.0)
    lam_sea = 0.8 * load_for_utilisation(seasonal, 1.0)
    assert route_transit(seasonal, lam_sea).days[0] > 1.5 * route_transit(open_all, lam_all).days[0]


def test_surrogate_within_5_percent_of_des_fast():
    """Two loads per route here (0.5, 0.8); the full grid 0.1..0.9 is the slow test below."""
    grid = error_grid(default_routes(2026), utilisations=(0.5, 0.8), shipments=8_000)
    assert grid["rel_error"].abs().max() < 0.05, grid.to_string()
    assert (grid["des_se"] / grid["des_days"]).max() < 0.015  # the DES side is precise enough


@pytest.mark.slow
def test_surrogate_error_grid_full():
    routes = default_routes(2026) | {"instc_2030": default_routes(2030)["instc"]}
    grid = error_grid(routes, shipments=40_000, replications=4)
    assert grid["rel_error"].abs().max() < 0.05, grid.to_string()
    scale = calibrate(routes, grid)
    assert all(0.5 < k < 1.5 for k in scale.values())
