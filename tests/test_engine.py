"""Known answers for the pure engine functions."""

import numpy as np
import pytest

from model import engine


def test_crude_unit_arithmetic():
    # 1.0 mb/d at $70/bbl for a 365-day year = 25.55 bn
    assert engine.crude_value_bn(1.0, 75.0, 5.0) == pytest.approx(25.55)
    assert engine.crude_value_bn(2.0, 70.0, 0.0) == pytest.approx(51.1)


def test_lng_unit_arithmetic():
    # 1 Mt x 52 MMBtu/t x $10 = $0.52 bn
    assert engine.lng_value_bn(1.0, 10.0) == pytest.approx(0.52)
    assert engine.priced_value_bn(15.1, 140.0) == pytest.approx(2.114)


def test_phase_weight_ramps_linearly():
    years = np.arange(2024, 2031)
    w = engine.phase_weight(years, 2026, 3)
    np.testing.assert_allclose(w[0], [0, 0, 1 / 3, 2 / 3, 1, 1, 1])
    np.testing.assert_allclose(engine.phase_weight(years, 2026, 0)[0], [0, 0, 1, 1, 1, 1, 1])


def test_phase_weight_broadcasts_over_samples():
    w = engine.phase_weight(np.arange(2024, 2028), np.array([2025, 2027]), np.array([1, 2]))
    np.testing.assert_allclose(w, [[0, 1, 1, 1], [0, 0, 0, 0.5]])


def test_effective_elasticity_matches_smart_small_shock():
    em, ex, t, dt, m = -2.0, 5.0, 0.10, 0.0001, 100.0
    e = engine.effective_elasticity(em, ex)
    model = m * np.exp(-e * (np.log1p(t + dt) - np.log1p(t))) - m
    smart = m * em * dt / ((1 + t) * (1 - em / ex))
    assert model == pytest.approx(smart, rel=1e-3)


def test_infinite_supply_elasticity_gives_import_elasticity():
    assert engine.effective_elasticity(-3.3, 1e12) == pytest.approx(3.3)


def test_goods_value_constant_elasticity():
    v = engine.goods_value(2.0, 1.1, np.log(1.05), 4.0)
    assert v == pytest.approx(2.0 * 1.1 * 1.05 ** -4)


def test_us_diversion_zero_without_tariff_and_positive_with():
    assert engine.us_diversion_bn(60.0, 0.0, 0.025, 1.46, 0.014) == 0.0
    lost = 60.0 * (1 - (1.525 / 1.025) ** -1.46)
    assert engine.us_diversion_bn(60.0, 0.5, 0.025, 1.46, 0.014) == pytest.approx(0.014 * lost)


def test_fill_routes_cheapest_first_under_capacity():
    demand = np.array([1.0, 0.1])
    cap = np.array([[np.inf, 0.3, 0.5], [np.inf, 0.3, 0.5]])
    cost = np.array([[0.3, 0.1, 0.2], [0.3, 0.1, 0.2]])
    carried = engine.fill_routes(demand, cap, cost)
    np.testing.assert_allclose(carried, [[0.2, 0.3, 0.5], [0.0, 0.1, 0.0]])


def test_fill_routes_closed_route_carries_nothing_and_spill_goes_somewhere():
    carried = engine.fill_routes(np.array([2.0]), np.array([[1.0, 1.0]]), np.array([[0.1, np.inf]]))
    np.testing.assert_allclose(carried, [[2.0, 0.0]])  # over capacity on the only open route


def test_fill_routes_same_answer_per_sample_and_in_a_batch_with_mixed_rankings():
    rng = np.random.default_rng(3)
    cost = rng.uniform(0.1, 0.5, (50, 4))
    cost[10] = cost[10, ::-1]  # another ranking
    cost[20, 1] = cost[20, 2]  # a tie
    cap = np.array([[np.inf, 0.3, 0.2, 0.4]] * 50)
    demand = rng.uniform(0.1, 2.0, 50)
    batch = engine.fill_routes(demand, cap, cost)
    for i in range(50):
        one = engine.fill_routes(demand[i:i + 1], cap[i:i + 1], cost[i:i + 1])
        np.testing.assert_array_equal(batch[i], one[0])
    np.testing.assert_allclose(batch.sum(axis=1), demand)


def test_fill_routes_shared_ranking_fast_path_matches_general_path():
    cost = np.tile([0.3, 0.1, 0.2, np.inf], (5, 1)) + np.linspace(0, 0.01, 5)[:, None]
    cap = np.tile([np.inf, 0.3, 0.5, 1.0], (5, 1))
    demand = np.linspace(0.1, 2.0, 5)
    fast = engine.fill_routes(demand, cap, cost)
    mixed = cost.copy()
    mixed[0] = [0.1, 0.3, 0.2, np.inf]  # forces the per-sample sort for the whole batch
    general = engine.fill_routes(demand, cap, mixed)
    np.testing.assert_array_equal(fast[1:], general[1:])
    assert fast[:, 3].max() == 0.0  # the closed route carries nothing
