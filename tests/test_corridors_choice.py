"""Route choice: capacity binding, spill to Suez, monotonicity, conservation, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.corridors import RHO_MAX, assign_routes, default_routes, route_capacity_mt
from model.corridors.choice import _usable_capacity, mode_of

VALUE = {"container": 8_000.0, "bulk": 300.0, "tanker": 500.0, "lng": 600.0}  # US$/t (R)
RATE = {"container": 0.012, "bulk": 0.006, "tanker": 0.006, "lng": 0.01}  # Hummels & Schaur
ROUTE_ORDER = ("suez", "instc", "chennai_vladivostok", "nsr")


def assign(year=2026, demand=None, capacity=None, **kw):
    demand = demand or {"container": 3.0, "bulk": 10.0, "tanker": 90.0}
    routes = default_routes(year, capacity_mt=capacity)
    return assign_routes(demand, {m: VALUE.get(mode_of(m), 1.0) for m in demand},
                         {m: RATE.get(mode_of(m), 0.01) for m in demand}, routes, **kw)


WEST = ("suez", "instc", "nsr")  # routes for cargo to/from western Russia (no Far East leg)
EAST = ("suez", "chennai_vladivostok")  # Far East cargo (Kozmino oil, coal, fertiliser)
BY_ORIGIN = {"container": WEST, "bulk": WEST, "tanker": WEST, "tanker:far_east": EAST}


def total_cost_usd(a) -> np.ndarray:
    """Generalised cost in US$ (freight + time), per sample."""
    value = np.array([VALUE[mode_of(m)] for m in a.modes])[:, None, None]
    finite = np.where(a.tonnes_mt > 0, a.cost, 0.0)  # unused (inf-cost) pairs contribute 0
    return (a.tonnes_mt * finite * value).sum(axis=(0, 1))


def test_conserves_demand_and_converges():
    a = assign(demand={"container": np.array([1.0, 3.0, 6.0]), "bulk": 10.0, "tanker": 90.0})
    assert a.converged and a.iterations <= 50
    assert np.allclose(a.tonnes_mt.sum(axis=1), [[1, 3, 6], [10] * 3, [90] * 3])
    assert np.all(a.tonnes_mt >= 0)
    assert np.allclose(a.share.sum(axis=1), 1.0)
    assert np.all(a.route_tonnes_mt[1:] <= a.capacity_mt[1:, None] * (1 + 1e-9))
    assert a.routes == ROUTE_ORDER and a.capacity_mt[0] == np.inf


def test_instc_binds_before_rasht_astara_and_extra_demand_spills_to_suez():
    base = assign(2026, demand={"container": 3.0}, allowed={"container": WEST})
    more = assign(2026, demand={"container": 4.0}, allowed={"container": WEST})
    instc_cap = RHO_MAX * route_capacity_mt(default_routes(2026)["instc"])
    for a in (base, more):
        # capacity binds: INSTC carries what its congested capacity allows, far below demand
        assert 0.8 * instc_cap < a.route_tonnes_mt[1, 0] <= instc_cap * (1 + 1e-9)
    assert more.route_tonnes_mt[1, 0] == pytest.approx(base.route_tonnes_mt[1, 0], rel=1e-5)
    extra = more.route_tonnes_mt[:, 0] - base.route_tonnes_mt[:, 0]
    assert extra[0] == pytest.approx(1.0, rel=1e-5)  # all the extra tonne goes by Suez
    opened = assign(2031, demand={"container": 3.0}, allowed={"container": WEST})
    assert opened.route_tonnes_mt[1, 0] > 3 * base.route_tonnes_mt[1, 0]
    assert opened.ad_valorem["container"][0] < base.ad_valorem["container"][0]


def test_user_equilibrium_fills_to_capacity_and_can_cost_more():
    """Pigou-Knight: without congestion pricing, INSTC fills up and more capacity can hurt."""
    kw = {"demand": {"container": 1.0, "bulk": 3.0}, "equilibrium": "user",
          "allowed": {"container": WEST, "bulk": WEST}}
    small = assign(2026, capacity={"instc": 3.0}, **kw)
    large = assign(2026, capacity={"instc": 4.0}, **kw)
    assert small.route_tonnes_mt[1, 0] == pytest.approx(small.capacity_mt[1], rel=1e-5)
    assert large.route_tonnes_mt[1, 0] > small.route_tonnes_mt[1, 0]
    assert total_cost_usd(large)[0] > total_cost_usd(small)[0]
    system = assign(2026, capacity={"instc": 4.0}, **(kw | {"equilibrium": "system"}))
    assert total_cost_usd(system)[0] < total_cost_usd(large)[0]


@settings(max_examples=25, deadline=None)
@given(caps=st.lists(st.floats(0.1, 8.0), min_size=2, max_size=2, unique=True),
       container=st.floats(0.0, 8.0), bulk=st.floats(0.0, 15.0), year=st.sampled_from([2026, 2031]))
def test_more_instc_capacity_never_hurts(caps, container, bulk, year):
    lo, hi = sorted(caps)
    demand = {"container": container, "bulk": bulk, "tanker": 60.0, "tanker:far_east": 13.0}
    a = assign(year, demand=demand, capacity={"instc": lo}, allowed=BY_ORIGIN)
    b = assign(year, demand=demand, capacity={"instc": hi}, allowed=BY_ORIGIN)
    assert a.converged and b.converged
    # the equilibrium is solved to 1e-5 of capacity (model.projection.TOLERANCE_QUEUE note)
    assert b.route_tonnes_mt[1, 0] >= a.route_tonnes_mt[1, 0] - 1e-5 * hi
    assert total_cost_usd(b)[0] <= total_cost_usd(a)[0] * (1 + 1e-6)  # bisection tolerance


def test_cycling_between_near_equal_routes_is_reported_not_hidden():
    """Containers find INSTC and Chennai-Vladivostok nearly equal: the sweeps cycle."""
    a = assign(2026, demand={"container": 1.0, "tanker": 60.0}, capacity={"instc": 1.0})
    assert not a.converged and a.iterations == 50 and a.gap > 0.1


def test_nsr_capacity_is_its_season_only():
    nsr = default_routes(2026)["nsr"]
    leg = nsr.stages[1]
    # July..November less the end-of-season margin (2 leads of 48 h), not the whole year
    season_shipments = leg.servers * (5 * 730 - 2 * 48) / leg.service_mean_hours
    expected = RHO_MAX * season_shipments * nsr.tonnes_per_shipment / 1e6
    assert _usable_capacity({"nsr": nsr})[0] == pytest.approx(expected)
    whole_year = leg.servers * 8760 / leg.service_mean_hours * nsr.tonnes_per_shipment / 1e6
    assert expected < 5 / 12 * whole_year
    a = assign(demand={"lng": 20.0})
    on_nsr = a.route_tonnes_mt[3, 0]
    assert 0.0 < on_nsr <= expected * (1 + 1e-9) and a.converged
    if on_nsr < expected * (1 - 1e-5):  # below capacity: congestion priced, not exhausted
        assert a.cost[0, 3, 0] < a.cost[0, 0, 0]  # ... and NSR is still cheaper for its cargo


def test_samples_are_independent_columns():
    demand = {"container": np.array([0.5, 5.0]), "bulk": np.array([2.0, 12.0]), "tanker": 80.0}
    both = assign(demand=demand)
    for k in range(2):
        one = assign(demand={m: np.atleast_1d(v)[k] if np.size(v) > 1 else v
                             for m, v in demand.items()})
        assert np.allclose(both.tonnes_mt[..., k], one.tonnes_mt[..., 0], atol=1e-5)
        assert np.allclose(both.days[:, k], one.days[:, 0], rtol=1e-5)


def test_zero_demand_reports_cheapest_route_cost():
    a = assign(demand={"container": 0.0, "tanker": 50.0})
    assert a.tonnes_mt[0].sum() == 0.0
    assert a.ad_valorem["container"][0] == pytest.approx(np.min(a.cost[0, :, 0]))
    assert 0 < a.ad_valorem_freight["container"][0] < a.ad_valorem["container"][0]


def test_non_convergence_is_reported():
    a = assign(max_iter=1)
    assert not a.converged and a.iterations == 1 and a.gap > 1e-6


def test_far_east_route_competes_when_allowed():
    both = assign(2026, demand={"container": 3.0})
    west = assign(2026, demand={"container": 3.0}, allowed={"container": WEST})
    assert both.route_tonnes_mt[2, 0] > 0 and west.route_tonnes_mt[2, 0] == 0
    assert total_cost_usd(both)[0] <= total_cost_usd(west)[0]


@pytest.mark.slow
def test_des_transit_option_runs_and_reports_its_status():
    """DES in the loop: slow and noisy; it must conserve tonnes, respect capacity, and say
    honestly whether it converged."""
    demand = {"container": 0.5}
    allowed = {"container": ("suez", "instc")}
    sur = assign(2026, demand=demand, allowed=allowed)
    des = assign(2026, demand=demand, allowed=allowed, transit="des",
                 rng=np.random.default_rng(5), tol=1e-3, max_iter=3)
    assert np.allclose(des.tonnes_mt.sum(axis=1), 0.5)
    assert des.route_tonnes_mt[1, 0] <= des.capacity_mt[1] * (1 + 1e-9)
    assert des.converged == (des.gap <= 1e-3)
    assert abs(des.route_tonnes_mt[1, 0] - sur.route_tonnes_mt[1, 0]) < 0.25


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"demand": {"air": 1.0}}, r"mode must be one of container, bulk, tanker, lng \(got 'air'\)"),
    ({"allowed": {"bulk": ("suez", "silk_road")}}, r"allowed\['bulk'\] route must be one of"),
    ({"allowed": {"bulk": ("instc",)}}, r"allowed\['bulk'\] must include 'suez'"),
    ({"demand": {"bulk": -1.0}}, r"demand_mt\['bulk'\] must be finite and >= 0"),
    ({"transit": "magic"}, r"transit must be one of surrogate, des \(got 'magic'\)"),
    ({"transit": "des"}, r"transit='des' needs rng"),
])
def test_bad_choice_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        assign(**kwargs)


def test_bad_values_routes_and_lengths():
    routes = default_routes(2026)
    with pytest.raises(ValueError, match=r"value_usd_per_t\['bulk'\] must be finite and > 0"):
        assign_routes({"bulk": 1.0}, {"bulk": 0.0}, {"bulk": 0.01}, routes)
    with pytest.raises(ValueError, match=r"time_cost_rate must give every mode"):
        assign_routes({"bulk": 1.0}, {"bulk": 300.0}, {}, routes)
    with pytest.raises(ValueError, match=r"routes must include 'suez'"):
        assign_routes({"bulk": 1.0}, {"bulk": 300.0}, {"bulk": 0.01},
                      {"instc": routes["instc"]})
    with pytest.raises(ValueError, match=r"one length"):
        assign_routes({"bulk": np.ones(3)}, {"bulk": np.ones(2) * 300}, {"bulk": 0.01}, routes)
