"""Competing suppliers (model/markets.py, docs/markets.md) against analytic answers.

(a) one supplier is exactly the engine's Eq. 8 (bit for bit with Ex = inf);
(b) two suppliers and a 1 pp preferential cut reproduce WITS-SMART's trade creation and diversion
    formulas to first order (same conventions as docs/methodology.md section 2: the symmetric
    +/-1 pp response within 1%, the 0.1 pp level within 1%, and the 1 pp level gap is the
    convexity predicted analytically);
(c) welfare and tariff revenue against hand arithmetic;
(d) properties: shares, sigma -> 0, exits, rival tariffs, quantity shocks;
plus vectorisation over 100,000 samples and the market data file.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from model.engine import effective_elasticity, goods_value
from model.markets import (
    price_index_change,
    replace_partner,
    smart_trade_creation,
    smart_trade_diversion,
    smart_welfare,
    solve_market,
)
from model.markets_data import MarketDataError, load_markets, parse_markets, with_shares


# ------------------------------------------------------------------ (a) reduction to Eq. 8
def _one_supplier_draws(n, seed=11):
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.01, 60.0, (n, 1)), rng.uniform(1.0, 1.6, (n, 1)),
            rng.uniform(0.7, 1.9, (n, 1)), rng.uniform(0.2, 10.0, n), rng.uniform(0.5, 2.5, n),
            rng.uniform(0.0, 12.0, n))


def test_one_supplier_is_goods_value_bit_for_bit():
    v0, t0, t1, em, dem, sigma = _one_supplier_draws(5000)
    r = solve_market(v0, t0, t1, em, sigma, np.inf, demand=dem)
    expected = goods_value(v0[:, 0], dem, np.log(t1[:, 0]) - np.log(t0[:, 0]),
                           effective_elasticity(em, np.inf))
    assert np.array_equal(r.volume[:, 0], expected)
    assert np.array_equal(r.value[:, 0], expected)     # w fixed: value == volume
    assert r.iterations == 0 and r.converged.all()
    # sigma is irrelevant with one supplier, negative Em is read as its magnitude (as Eq. 5)
    r2 = solve_market(v0, t0, t1, -em, 0.0, demand=dem)
    assert np.array_equal(r2.volume, r.volume)


@pytest.mark.parametrize("ex", [99.0, 2.0, 0.7])
def test_one_supplier_finite_supply_is_goods_value_with_effective_elasticity(ex):
    v0, t0, t1, em, dem, sigma = _one_supplier_draws(2000, seed=12)
    r = solve_market(v0, t0, t1, em, sigma, ex, demand=dem)
    expected = goods_value(v0[:, 0], dem, np.log(t1[:, 0]) - np.log(t0[:, 0]),
                           effective_elasticity(em, ex))
    assert r.converged.all() and r.iterations < 15
    np.testing.assert_allclose(r.volume[:, 0], expected, rtol=1e-12)
    # the supplier price rises along w ~ (X/(D X0))^(1/Ex): value carries the price effect
    np.testing.assert_allclose(r.supplier_price[:, 0],
                               (expected / (dem * v0[:, 0])) ** (1.0 / ex), rtol=1e-12)


def test_equal_cost_change_for_every_supplier_is_the_one_supplier_answer():
    rng = np.random.default_rng(3)
    n, s = 500, 5
    v0 = rng.uniform(0.1, 10.0, (n, s))
    t0 = rng.uniform(1.0, 1.5, (n, s))
    factor = rng.uniform(0.7, 1.4, (n, 1))
    em, sigma = rng.uniform(0.3, 6.0, n), rng.uniform(0.0, 12.0, n)
    r = solve_market(v0, t0, t0 * factor, em, sigma)
    expected = v0 * np.exp(-em[:, None] * np.log(factor))
    np.testing.assert_allclose(r.volume, expected, rtol=1e-12)
    np.testing.assert_allclose(r.diversion, 0.0, atol=1e-10)
    np.testing.assert_allclose(r.price_index, factor[:, 0], rtol=1e-13)


# ------------------------------------------------------------------ (b) WITS-SMART
def _two(mp, mr, t, dt, em, sigma, ex=np.inf):
    """Partner (mp) and rival (mr) both at tariff t; the partner's tariff moves by dt."""
    return solve_market([mp, mr], [1 + t, 1 + t], [1 + t + dt, 1 + t], em, sigma, ex)


def test_smart_formulas_hand_arithmetic():
    # TC = M |Em| (t0 - t1) / ((1 + t0)(1 + |Em|/Ex)): 30 x 1.47 x 0.01 / 1.10 = 0.400909...
    assert smart_trade_creation(30.0, 0.10, 0.09, 1.47) == pytest.approx(0.4009090909, rel=1e-10)
    # Ex = 99: / (1 + 1.47/99) = / 1.014848...: 0.395042...
    assert smart_trade_creation(30.0, 0.10, 0.09, -1.47, 99.0) == pytest.approx(
        0.4009090909 / (1 + 1.47 / 99), rel=1e-10)
    # TD: x = 1 - 1.09/1.10 = 0.0090909; sigma x = 0.0136364 (sigma 1.5);
    # 30 x 70 x 0.0136364 / (100 + 30 x 0.0136364) = 28.6364 / 100.40909 = 0.285197
    assert smart_trade_diversion(30.0, 70.0, 0.10, 0.09, 0.10, 0.10, 1.5) == pytest.approx(
        28.636363636 / 100.409090909, rel=1e-9)
    # a rise in the rival's tariff is a fall of the partner's relative price too
    assert smart_trade_diversion(30.0, 70.0, 0.10, 0.10, 0.10, 0.11, 1.5) > 0
    # SMART's welfare triangle: 0.5 x 0.01 x 0.4 = 0.002
    assert smart_welfare(30.0, 0.10, 0.09, 0.4) == pytest.approx(0.002)


SMART_CASES = [(mp, 100.0 - mp, em, sigma) for mp in (5.0, 30.0, 50.0, 80.0)
               for em, sigma in ((1.47, 1.5), (3.3, 1.5), (3.3, 6.6), (1.0, 10.0))]


@pytest.mark.parametrize("mp,mr,em,sigma", SMART_CASES)
def test_smart_creation_and_diversion_first_order(mp, mr, em, sigma):
    t = 0.10
    cut, rise = _two(mp, mr, t, -0.01, em, sigma), _two(mp, mr, t, +0.01, em, sigma)
    tc = smart_trade_creation(mp, t, t - 0.01, em)
    td_cut = smart_trade_diversion(mp, mr, t, t - 0.01, t, t, sigma)
    td_rise = smart_trade_diversion(mp, mr, t, t + 0.01, t, t, sigma)
    # creation = the market's total change (sum over suppliers); diversion = partner's share gain
    sym_tc = (cut.creation.sum() - rise.creation.sum()) / 2
    sym_td = (cut.diversion[0, 0] - rise.diversion[0, 0]) / 2
    assert sym_tc / tc - 1 == pytest.approx(0.0, abs=0.01)
    assert sym_td / ((td_cut - td_rise) / 2) - 1 == pytest.approx(0.0, abs=0.01)
    # diversion is a reallocation: the rival loses exactly what the partner gains
    assert cut.diversion.sum() == pytest.approx(0.0, abs=1e-12)
    # 0.1 pp: the level is within 1% (second-order terms shrink tenfold)
    small = _two(mp, mr, t, -0.001, em, sigma)
    assert small.creation.sum() / smart_trade_creation(mp, t, t - 0.001, em) - 1 == \
        pytest.approx(0.0, abs=0.01)
    assert small.diversion[0, 0] / smart_trade_diversion(mp, mr, t, t - 0.001, t, t, sigma) - 1 \
        == pytest.approx(0.0, abs=0.01)


def test_smart_one_pp_level_gap_is_the_ces_convexity():
    # The exact CES ratio rule (p_p/p_r)^-sigma vs SMART's linear (1 + sigma x): the level gap of
    # diversion at 1 pp is (sigma + 1) x / 2 = 2.5 x 0.0090909 / 2 = 1.136% at SMART's default
    # sigma = 1.5, whatever the shares. Creation: ~1.15% at Em = 1.47.
    x = 1 - 1.09 / 1.10
    for mp in (5.0, 30.0, 80.0):
        r = _two(mp, 100 - mp, 0.10, -0.01, 1.47, 1.5)
        td = smart_trade_diversion(mp, 100 - mp, 0.10, 0.09, 0.10, 0.10, 1.5)
        gap_td = r.diversion[0, 0] / td - 1
        assert gap_td == pytest.approx((1.5 + 1) * x / 2, abs=2e-4)
        gap_tc = r.creation.sum() / smart_trade_creation(mp, 0.10, 0.09, 1.47) - 1
        assert 0.0 < gap_tc < 0.013


def test_smart_creation_with_finite_export_supply():
    # One supplier, or two with sigma = Em (no cross-price effects): SMART's 1/(1 + |Em|/Ex)
    for ex in (99.0, 5.0, 1.5):
        for v0, sigma in (([30.0], 0.0), ([30.0, 70.0], 3.3)):
            t0 = [1.10] * len(v0)
            cut = solve_market(v0, t0, [1.09] + t0[1:], 3.3, sigma, ex)
            rise = solve_market(v0, t0, [1.11] + t0[1:], 3.3, sigma, ex)
            sym = (cut.volume[0, 0] - rise.volume[0, 0]) / 2
            assert sym / smart_trade_creation(30.0, 0.10, 0.09, 3.3, ex) - 1 == \
                pytest.approx(0.0, abs=0.01)
            assert cut.converged.all()
            if len(v0) == 2:
                np.testing.assert_allclose(cut.volume[0, 1], 70.0, rtol=1e-12)


# ------------------------------------------------------------------ (c) hand arithmetic
def test_welfare_and_revenue_hand_arithmetic():
    # Partner 60, rival 40 at 10% tariff (T0 = 1.1 both); the partner's tariff goes to 0.
    # sigma = 2, Em = 1, Ex = inf, D = 1.
    # theta = (66, 44)/110 = (0.6, 0.4); p^ = (1/1.1, 1)
    # P^^(1-sigma) = P^^-1 = 0.6 x 1.1 + 0.4 x 1 = 1.06      -> P^ = 1/1.06 = 0.9433962
    # X^_s = p^_s^-sigma P^^(sigma - Em) = p^_s^-2 x P^
    #   partner 60 x 1.21 x 0.9433962 = 68.490566; rival 40 x 0.9433962 = 37.735849
    # tariff revenue: before 0.1 x 60 + 0.1 x 40 = 10; after 0 x 68.49 + 0.1 x 37.7358 = 3.773585
    #   change -6.226415
    # exact CS (Em = 1): E0 ln(P0/P1) = 110 x ln 1.06 = 110 x 0.0582689 = 6.409580
    # trapezoid: (p0 - p1)(X0 + X1)/2 = 0.1 x (60 + 68.490566)/2 = 6.424528
    # SMART triangle: 0.5 x 0.1 x (68.490566 - 60) = 0.424528
    # net welfare: 6.409580 - 6.226415 = 0.183165
    r = solve_market([60.0, 40.0], [1.1, 1.1], [1.0, 1.1], 1.0, 2.0,
                     tariff0=[0.1, 0.1], tariff1=[0.0, 0.1])
    np.testing.assert_allclose(r.volume[0], [68.490566038, 37.735849057], rtol=1e-10)
    assert r.price_index[0] == pytest.approx(1 / 1.06, rel=1e-13)
    assert r.tariff_revenue_change[0] == pytest.approx(0.1 * 40 / 1.06 - 10.0, rel=1e-12)
    assert r.cs_change[0] == pytest.approx(110 * math.log(1.06), rel=1e-12)
    assert r.cs_change_linear[0] == pytest.approx(6.4245283019, rel=1e-10)
    assert r.welfare_smart[0] == pytest.approx(0.4245283019, rel=1e-9)
    assert r.welfare[0] == pytest.approx(110 * math.log(1.06) + 0.1 * 40 / 1.06 - 10.0, rel=1e-10)
    assert r.welfare[0] == pytest.approx(0.183165, abs=1e-6)
    # decomposition: growth 0 (D = 1); creation = v1 x dM with dM = 106.226415 - 100 = 6.226415;
    # diversion = 100 x (68.490566/106.226415 - 0.6) = 100 x (0.644760 - 0.6) = 4.476021
    assert r.creation.sum() == pytest.approx(6.2264150943, rel=1e-10)
    assert r.diversion[0, 0] == pytest.approx(4.4760213144, rel=1e-9)
    np.testing.assert_allclose(r.growth + r.creation + r.diversion, r.volume - [60.0, 40.0],
                               atol=1e-12)


def test_exact_consumer_surplus_other_em():
    # sigma = Em = 2: P^^-1 = 1.06 again, CS = E0 (P^^(1-Em) - 1)/(Em - 1) = 110 x 0.06 = 6.6
    r = solve_market([60.0, 40.0], [1.1, 1.1], [1.0, 1.1], 2.0, 2.0)
    assert r.cs_change[0] == pytest.approx(6.6, rel=1e-12)
    # sigma = Em: each supplier sees only its own price, the rival is untouched
    np.testing.assert_allclose(r.volume[0], [72.6, 40.0], rtol=1e-12)
    # near Em = 1 the formula is continuous with the log branch
    a = solve_market([60.0, 40.0], [1.1, 1.1], [1.0, 1.1], 1.0 + 1e-7, 2.0).cs_change[0]
    assert a == pytest.approx(110 * math.log(1.06), rel=1e-6)


# ------------------------------------------------------------------ (d) properties
def _random_market(n=2000, s=6, seed=5):
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.05, 20.0, (n, s)), rng.uniform(1.0, 1.6, (n, s)),
            rng.uniform(0.7, 1.5, (n, s)), rng.uniform(0.2, 6.0, n), rng.uniform(1.05, 12.0, n))


def test_shares_sum_to_one_and_decomposition_adds_up():
    v0, t0, f, em, sigma = _random_market()
    rng = np.random.default_rng(9)
    avail = np.where(rng.random(v0.shape) < 0.1, 0.0, rng.uniform(0.5, 1.0, v0.shape))
    avail[:, 0] = 1.0
    dem = rng.uniform(0.8, 1.6, len(em))
    for ex in (np.inf, rng.uniform(0.5, 30.0, v0.shape)):
        r = solve_market(v0, t0, t0 * f, em, sigma, ex, availability=avail, demand=dem)
        assert r.converged.all()
        np.testing.assert_allclose(r.shares1.sum(axis=1), 1.0, atol=1e-12)
        np.testing.assert_allclose(r.shares0.sum(axis=1), 1.0, atol=1e-12)
        np.testing.assert_allclose(r.diversion.sum(axis=1), 0.0, atol=1e-9)
        np.testing.assert_allclose(r.growth + r.creation + r.diversion, r.volume - v0, atol=1e-9)
        np.testing.assert_allclose(r.value - v0, r.growth + r.creation + r.diversion
                                   + r.price_effect, atol=1e-9)
        assert np.all(r.volume[avail == 0] == 0.0)


def test_sigma_zero_gives_no_diversion():
    v0, t0, f, em, _ = _random_market(seed=6)
    r = solve_market(v0, t0, t0 * f, em, 0.0)
    np.testing.assert_allclose(r.diversion, 0.0, atol=1e-12)
    # and it vanishes continuously: sigma = 1e-6 diverts at most ~1e-6 of the market
    r = solve_market(v0, t0, t0 * f, em, 1e-6)
    assert np.max(np.abs(r.diversion) / v0.sum(axis=1, keepdims=True)) < 1e-6


def test_exiting_rival_raises_partner_sales_when_sigma_exceeds_em():
    # X^_p = P^^(sigma - Em) at the partner's unchanged price; an exit raises P (sigma > 1), so
    # the partner gains exactly when sigma > Em (the GSIM/GTAP case, ESUBM = 2 ESUBD)
    v0 = [10.0, 50.0, 40.0]   # partner, Western rival, Chinese rival
    exit_ = [1.0, 0.0, 1.0]
    r = solve_market(v0, [1.1] * 3, [1.1] * 3, 4.0, 8.0, availability=exit_)
    p_hat = (1 - 50 * 1.1 / 110) ** (1 / (1 - 8.0))      # Feenstra: theta_exit = 0.5
    assert r.price_index[0] == pytest.approx(p_hat, rel=1e-13)
    assert r.volume[0, 0] == pytest.approx(10.0 * p_hat ** (8.0 - 4.0), rel=1e-12)
    assert r.volume[0, 0] > 10.0 and r.volume[0, 2] > 40.0
    assert r.cs_change[0] < 0 and np.isnan(r.cs_change_linear[0])
    low = solve_market(v0, [1.1] * 3, [1.1] * 3, 4.0, 2.0, availability=exit_)
    assert low.volume[0, 0] < 10.0                        # sigma < Em: the market shrinks more
    with pytest.raises(ValueError, match="sigma > 1"):
        solve_market(v0, [1.1] * 3, [1.1] * 3, 4.0, 0.8, availability=exit_)


def test_raising_a_rival_tariff_raises_partner_sales():
    v0, t0, _, em, _ = _random_market(seed=7)
    sigma = em + np.random.default_rng(1).uniform(0.1, 5.0, len(em))   # sigma > Em
    t1 = t0.copy()
    t1[:, 1] *= 1.2
    r = solve_market(v0, t0, t1, em, sigma)
    assert np.all(r.volume[:, 0] > v0[:, 0]) and np.all(r.volume[:, 1] < v0[:, 1])
    assert np.all(r.diversion[:, 0] > 0)


def test_quantity_shock_closed_form_when_sigma_equals_em():
    # sigma = Em: the partner's demand is D X0 p^^-sigma alone, so the virtual price solves
    # p^ = (Xbar/X0)^(-1/sigma) = 0.5^(-1/3) = 1.259921; rivals are untouched
    r = replace_partner([40.0, 30.0, 30.0], [1.0, 1.05, 1.1], 3.0, 3.0, 20.0)
    assert r.virtual_price[0] == pytest.approx(0.5 ** (-1 / 3), rel=1e-12)
    np.testing.assert_allclose(r.solution.volume[0], [20.0, 30.0, 30.0], rtol=1e-12)
    assert r.replacement_volume[0] == pytest.approx(0.0, abs=1e-10)
    assert r.cut_volume[0] == pytest.approx(20.0)


def test_cutting_the_partner_raises_rivals_and_the_bill_moves_by_the_price_gap():
    # India's crude market in barrels: Russia 36% at $74.5/bbl, four rivals at $78.57. Russia's
    # discount treated as friction: T_Russia = 78.57/74.5 so landed prices are equal. Em = 0:
    # total crude needed is fixed, so (to first order) a barrel replaces a barrel and the bill
    # rises by cut x (78.57 - 74.5).
    bbl = np.array([0.36, 0.20, 0.14, 0.094, 0.206]) * 1776.8      # million barrels a year
    price = np.array([74.5, 78.57, 78.57, 78.57, 78.57])          # US$/bbl
    v0 = bbl * price / 1e3                                        # US$ bn
    up = price / 1e3                                              # US$ bn per million barrels
    t0 = np.array([78.57 / 74.5, 1, 1, 1, 1])
    for frac in (0.999, 0.9):
        r = replace_partner(v0, t0, 0.0, 10.4, frac * v0[0], unit_price=up)
        assert np.all(r.solution.volume[0, 1:] > r.reference.volume[0, 1:])
        cut_bbl = r.cut_physical[0]
        assert cut_bbl == pytest.approx((1 - frac) * bbl[0], rel=1e-9)
        ratio = r.replacement_physical[0] / cut_bbl
        gap = r.bill_change[0] / (cut_bbl * (78.57 - 74.5) / 1e3)
        tol = 1e-3 if frac > 0.99 else 0.05                      # second order in the cut
        assert ratio == pytest.approx(1.0, abs=tol) and gap == pytest.approx(1.0, abs=tol * 30)
        assert r.bill_change[0] == pytest.approx(r.replacement_cost[0] - r.partner_saving[0])
        assert r.virtual_price[0] > 1.0 and r.solution.quota_rent[0] > 0
    # with a positive Em total demand falls: fewer barrels replace the same cut (to 0.8 mb/d)
    cut = 0.8 / 1.747 * v0[0]
    r0 = replace_partner(v0, t0, 0.0, 10.4, cut, unit_price=up)
    r3 = replace_partner(v0, t0, 0.3, 10.4, cut, unit_price=up)
    assert 0.0 < r3.replacement_physical[0] < r0.replacement_physical[0]
    # a large cut needs more than a barrel per barrel at Em = 0: CES values variety, an effect
    # that fades as sigma grows (docs/markets.md): 4.8% more at sigma 10.4, 0.5% at sigma 100
    big = replace_partner(v0, t0, 0.0, 100.0, cut, unit_price=up)
    assert 1.0 < big.replacement_physical[0] / big.cut_physical[0] < \
        r0.replacement_physical[0] / r0.cut_physical[0] < 1.06
    # the quality reading (no friction wedge): replacement barrels are worth the discount less
    q = replace_partner(v0, np.ones(5), 0.0, 10.4, 0.999 * v0[0], unit_price=up)
    assert q.bill_change[0] == pytest.approx(0.0, abs=1e-3 * q.partner_saving[0])


def test_partner_quantity_zero_is_an_exit():
    v0 = [30.0, 50.0, 20.0]
    a = replace_partner(v0, [1.0] * 3, 1.0, 5.0, 0.0)
    b = solve_market(v0, [1.0] * 3, [1.0] * 3, 1.0, 5.0, availability=[0.0, 1.0, 1.0])
    np.testing.assert_allclose(a.solution.volume, b.volume, rtol=1e-14)
    assert a.solution.volume[0, 0] == 0.0 and a.replacement_volume[0] > 0


# ------------------------------------------------------------------ vectorisation
def test_hundred_thousand_samples_in_one_call():
    rng = np.random.default_rng(2026)
    n, s = 100_000, 6
    v0 = np.array([0.36, 0.20, 0.14, 0.094, 0.046, 0.16]) * 137.0
    t0 = rng.uniform(1.0, 1.3, (n, s))
    t1 = t0 * rng.uniform(0.8, 1.25, (n, s))
    em, sigma = rng.uniform(0.2, 6.0, n), rng.uniform(0.5, 12.0, n)
    t = time.perf_counter()
    r = solve_market(v0, t0, t1, em, sigma)
    closed = time.perf_counter() - t
    assert r.volume.shape == (n, s) and r.cs_change.shape == (n,) and r.converged.all()
    np.testing.assert_allclose(r.shares1.sum(axis=1), 1.0, atol=1e-12)
    ex = rng.uniform(0.5, 50.0, (n, s))
    r = solve_market(v0, t0, t1, em, sigma, ex)
    assert r.converged.all() and r.iterations <= 12 and np.max(r.residual) < 1e-12
    # independent check of the fixed point: demand at the solved prices, computed directly
    p = r.supplier_price * t1 / t0
    big_p = np.sum(r.shares0 * p ** (1 - sigma[:, None]), axis=1) ** (1 / (1 - sigma))
    x = v0 * (p / big_p[:, None]) ** -sigma[:, None] * big_p[:, None] ** -em[:, None]
    np.testing.assert_allclose(r.volume, x, rtol=1e-9)
    np.testing.assert_allclose(r.supplier_price, (r.volume / v0) ** (1 / ex), rtol=1e-12)
    print(f"closed form {closed / n * 1e6:.2f} us/sample")   # numbers: benchmarks/bench_markets.py


def test_price_index_change_matches_solution():
    v0, t0, f, em, sigma = _random_market(n=300, seed=8)
    r = solve_market(v0, t0, t0 * f, em, sigma)
    np.testing.assert_allclose(price_index_change(v0, t0, t0 * f, sigma), r.price_index,
                               rtol=1e-14)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="sigma"):
        solve_market([1.0, 1.0], [1.0, 1.0], [1.0, 1.0], 2.0, -1.0)
    with pytest.raises(ValueError, match="factors"):
        solve_market([1.0, 1.0], [1.0, 0.0], [1.0, 1.0], 2.0, 2.0)
    with pytest.raises(ValueError, match="export supply"):
        solve_market([1.0, 1.0], [1.0, 1.0], [1.0, 1.0], 2.0, 2.0, 0.0)
    with pytest.raises(ValueError, match="both"):
        solve_market([1.0, 1.0], [1.0, 1.0], [1.0, 1.0], 2.0, 2.0, tariff0=[0.0, 0.0])
    with pytest.raises(ValueError, match="one sample axis"):
        solve_market(np.ones((2, 3, 2)), [1.0, 1.0], [1.0, 1.0], 2.0, 2.0)


# ------------------------------------------------------------------ data
def test_market_data_loads_with_labels_and_shares():
    data = load_markets()
    assert {"india_crude", "india_vegetable_oils", "india_fertilisers", "india_coal",
            "russia_engineering", "russia_electronics", "russia_pharma", "russia_food",
            "russia_textiles"} <= set(data.markets)
    for m in data.markets.values():
        assert m.shares.sum() == pytest.approx(1.0, abs=1e-12)
        assert m.suppliers[-1] == "Rest of world"
        assert m.partner == ("Russia" if m.importer == "India" else "India")
        for key, rec in m.records.items():
            assert rec.conf in ("F", "F-sec", "D", "R") and rec.source.strip(), key
            if key.endswith(".share") and rec.conf == "R":
                assert rec.low <= rec.value <= rec.high, key
        v0 = m.base_values(2.0)
        assert v0[0] == pytest.approx(2.0) and v0.sum() == pytest.approx(2.0 / m.shares[0])
        r = solve_market(v0, 1 + m.tariff, 1 + m.tariff, m.import_elasticity, m.substitution,
                         m.export_supply)
        np.testing.assert_allclose(r.volume[0], v0, rtol=1e-13)   # base reproduces itself
    crude = data.for_flow("crude")
    assert crude.suppliers == ("Russia", "Iraq", "Saudi Arabia", "UAE", "United States",
                               "Rest of world")
    # volume shares at unit prices: Russia's discount lowers its value share below 36%
    assert crude.volume_shares[0] == pytest.approx(0.36) and crude.shares[0] < 0.36
    assert data.western_exit["eu_share_2021"].value > data.western_exit["eu_share_2023"].value
    samples = crude.sample_shares(np.random.default_rng(0), 1000)
    np.testing.assert_allclose(samples.sum(axis=1), 1.0)
    assert np.ptp(samples[:, 1]) > 0 and np.all(samples[:, 0] == crude.shares[0])
    assert with_shares(crude, {"Iraq": 0.25}).shares[-1] == pytest.approx(
        1 - crude.shares[:-1].sum() - 0.25 + crude.shares[1])


GOOD = """
[meta]
share_tolerance = 0.005
[[market]]
name = "m"
flow = "f"
importer = "India"
product = "p"
period = "FY"
kind = "goods"
tariff = { value = 0.1, conf = "R", source = "s" }
import_elasticity = { value = 2.0, conf = "R", source = "s" }
substitution = { value = 4.0, conf = "R", source = "s" }
[[market.supplier]]
name = "Russia"
share = { value = 0.4, conf = "F", source = "s" }
[[market.supplier]]
name = "Rest of world"
share = { value = 0.6, conf = "D", source = "1 - 0.4" }
"""


@pytest.mark.parametrize("old,new,message", [
    ('share = { value = 0.6, conf = "D", source = "1 - 0.4" }',
     'share = { value = 0.5, conf = "D", source = "1 - 0.4" }', "sum to 0.900000"),
    ('conf = "F", source = "s" }', 'conf = "F" }', "record"),
    ('conf = "F", source = "s" }', 'conf = "X", source = "s" }', "not one of"),
    ('conf = "F", source = "s" }', 'conf = "F", source = " " }', "needs a source"),
    ('value = 0.4, conf = "F"', 'value = 0.4, conf = "R"', "low/high range"),
    ('name = "Rest of world"', 'name = "China"', "last supplier"),
    ('import_elasticity = { value = 2.0, conf = "R", source = "s" }', "", "import_elasticity"),
])
def test_market_data_rejects_bad_files(old, new, message):
    import tomllib
    assert parse_markets(tomllib.loads(GOOD)).markets["m"].shares[0] == pytest.approx(0.4)
    with pytest.raises(MarketDataError, match=message):
        parse_markets(tomllib.loads(GOOD.replace(old, new, 1)))
