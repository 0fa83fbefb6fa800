"""Corridor network validation and the SimPy DES: exact traces, Erlang-C, reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from model.corridors import Route, Stage, default_routes, route_capacity_mt, simulate
from model.corridors.des import STATS_COLUMNS, replay, summarise
from model.corridors.network import (
    HOURS_PER_YEAR,
    arrival_windows,
    open_month_mask,
    season_delay,
    with_capacity,
)
from model.corridors.surrogate import erlang_c

JULY, DECEMBER = 3 * 730, 8 * 730  # fiscal-year hours of 1 July and 1 December


def one_stage(servers=1, mean=10.0, cv=0.0, season=None, name="berth") -> Route:
    return Route("toy", (Stage(name, "port", servers, mean, cv, season),), ("container",),
                 100.0, 1.0)


# --- network validation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "match"), [
    ({"servers": 0}, r"stage 'bandar_abbas' servers must be >= 1 \(got 0\)"),
    ({"servers": -2}, r"servers must be >= 1 \(got -2\)"),
    ({"servers": 2.5}, r"servers must be an integer >= 1 \(got 2.5\)"),
    ({"service_mean_hours": 0.0}, r"service_mean_hours must be finite and > 0 \(got 0.0\)"),
    ({"service_cv": -0.1}, r"service_cv must be finite and >= 0"),
    ({"kind": "canal"},
     r"kind must be one of border, ferry, port, rail, road, sea \(got 'canal'\)"),
    ({"open_months": (11, 7)}, r"open_months must be \(start, end\) with end >= start"),
    ({"open_months": (0, 7)}, r"open_months must be \(start, end\) calendar months in 1..12"),
])
def test_bad_stage_rejected_with_message(kwargs, match):
    args = {"name": "bandar_abbas", "kind": "port", "servers": 2, "service_mean_hours": 24.0}
    with pytest.raises(ValueError, match=match):
        Stage(**(args | kwargs))


def test_bad_route_and_capacity_rejected():
    st = Stage("p", "port", 1, 1.0)
    with pytest.raises(ValueError, match=r"mode must be one of container, bulk, tanker, lng"):
        Route("r", (st,), ("ro-ro",), 1.0, 1.0)
    with pytest.raises(ValueError, match=r"freight_usd_per_t must be finite and > 0"):
        Route("r", (st,), ("bulk",), 0.0, 1.0)
    with pytest.raises(ValueError, match=r"capacity_mt route must be one of suez, instc"):
        default_routes(2026, capacity_mt={"instcc": 1.0})
    with pytest.raises(ValueError, match=r"'instc' capacity_mt must be finite and > 0 \(got 0"):
        default_routes(2026, capacity_mt={"instc": 0.0})
    with pytest.raises(ValueError, match=r"mode must be one of .* \(got 'air'\)"):
        route_capacity_mt(default_routes(2026)["suez"], "air")


def test_rasht_astara_binds_before_opening_and_capacity_scaling():
    before, after = default_routes(2029)["instc"], default_routes(2030)["instc"]
    assert {s.name: s for s in before.stages}["rasht_astara"].kind == "road"
    assert {s.name: s for s in after.stages}["rasht_astara"].kind == "rail"
    assert route_capacity_mt(before) == pytest.approx(3 * 8760 / 48 * 1400 / 1e6)
    assert route_capacity_mt(after) > 4 * route_capacity_mt(before)
    for target in (0.3, 1.0, 2.0, 5.0):
        cap = route_capacity_mt(with_capacity(before, target))
        assert target <= cap < target + 8760 / 48 * 1400 / 1e6  # within one trucking server
    assert route_capacity_mt(before, "tanker") == 0.0  # INSTC carries no tankers


def test_season_delay_uses_exact_month_boundaries():
    mask = open_month_mask((7, 11))  # July..November
    assert mask == (False,) * 3 + (True,) * 5 + (False,) * 4
    assert season_delay(mask, 0.0) == JULY
    assert season_delay(mask, JULY) == 0.0
    assert season_delay(mask, DECEMBER) == HOURS_PER_YEAR - DECEMBER + JULY
    assert season_delay(mask, 7 * HOURS_PER_YEAR + DECEMBER - 1e-6) == 0.0


# --- exact traces ---------------------------------------------------------------------------------

def test_two_shipments_one_berth_second_waits_service_minus_gap():
    rec = replay(one_stage(mean=10.0), [0.0, 4.0], [[10.0], [10.0]])
    assert rec.trace == [
        (0.0, 0, 0, "arrive"), (0.0, 0, 0, "start"), (4.0, 1, 0, "arrive"),
        (10.0, 0, 0, "end"), (10.0, 1, 0, "start"), (20.0, 1, 0, "end"),
    ]
    assert rec.start[1, 0] - rec.arrival[1] == 10.0 - 4.0
    assert list(rec.finish) == [10.0, 20.0]


def test_two_stage_chain_trace():
    route = Route("chain", (Stage("a", "port", 1, 5.0, 0.0), Stage("b", "rail", 1, 8.0, 0.0)),
                  ("container",), 1.0, 1.0)
    rec = replay(route, [0.0, 1.0], [[5.0, 8.0], [5.0, 8.0]])
    # shipment 1 waits 4 h at a (5 - 1), reaches b at 10 while 0 is served until 13: waits 3 h
    assert rec.start.tolist() == [[0.0, 5.0], [5.0, 13.0]]
    assert rec.finish.tolist() == [13.0, 21.0]
    assert [e for e in rec.trace if e[1] == 1] == [
        (1.0, 1, 0, "arrive"), (5.0, 1, 0, "start"), (10.0, 1, 0, "end"),
        (10.0, 1, 1, "arrive"), (13.0, 1, 1, "start"), (21.0, 1, 1, "end")]


def test_seasonal_stage_starts_only_when_open():
    route = one_stage(servers=1, mean=100.0, season=(7, 11))
    rec = replay(route, [0.0, DECEMBER - 50.0, DECEMBER + 10.0], [[100.0]] * 3)
    # April arrival waits for 1 July; the November one starts at once and runs into December;
    # the December one waits for next July
    assert rec.start[:, 0].tolist() == [JULY, DECEMBER - 50.0, HOURS_PER_YEAR + JULY]


def test_year_end_backlog_throughput_utilisation():
    route = one_stage(mean=20.0)
    rec = replay(route, [100.0, HOURS_PER_YEAR - 10.0], [[20.0], [20.0]])
    st = summarise({"toy": route}, {"toy": rec}, [2026, 2027], events=0)
    assert st.shipments.tolist() == [[1, 1]]
    assert st.backlog.tolist() == [[1, 0]]
    assert st.transit_days_mean[0].tolist() == [20 / 24, 20 / 24]
    assert st.utilisation["toy"][0].tolist() == [30 / 8760, 10 / 8760]  # 20 + 10 h, then 10 h
    assert st.throughput_t.tolist() == [[1400.0, 1400.0]]


# --- statistics -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("servers", "mean", "rho"), [(1, 2.0, 0.5), (3, 2.0, 0.8)])
def test_mmc_mean_wait_matches_erlang_c(servers, mean, rho):
    lam = rho * servers / mean  # per hour
    route = one_stage(servers=servers, mean=mean, cv=1.0)
    means = []
    for ss in np.random.SeedSequence(7).spawn(10):
        st = simulate({"toy": route}, {"toy": [lam * HOURS_PER_YEAR] * 4}, range(4),
                      np.random.default_rng(ss))
        means.append(st.wait_hours["toy"][0, 1:].mean())  # year 0 is warm-up
    theory = float(erlang_c(servers, lam * mean)) / (servers / mean - lam)
    half = sps.t.ppf(0.975, len(means) - 1) * np.std(means, ddof=1) / math.sqrt(len(means))
    assert abs(np.mean(means) - theory) < half, (np.mean(means), theory, half)
    assert half < 0.1 * theory  # the interval is tight enough to mean something


def test_reproducible_and_seed_sensitive():
    routes = default_routes(2026)
    load = {"instc": [300.0] * 3, "nsr": [20.0] * 3, "suez": [800.0] * 3}
    a = simulate(routes, load, [2026, 2027, 2028], np.random.default_rng(11))
    b = simulate(routes, load, [2026, 2027, 2028], np.random.default_rng(11))
    c = simulate(routes, load, [2026, 2027, 2028], np.random.default_rng(12))
    assert a.to_frame().equals(b.to_frame()) and a.events == b.events
    assert a.stage_frame().equals(b.stage_frame())
    assert not a.to_frame().equals(c.to_frame())
    assert list(a.to_frame().columns) == list(STATS_COLUMNS)
    assert a.to_frame()["fiscal_year"].tolist()[:3] == ["2026-27", "2027-28", "2028-29"]


def test_nsr_serves_only_in_season_and_idle_routes_are_empty():
    routes = default_routes(2026)
    st = simulate(routes, {"nsr": [40.0] * 3}, range(3), np.random.default_rng(3), trace=True)
    starts = [t for t, _, k, ev in st.trace["nsr"] if k == 1 and ev == "start"]
    assert len(starts) > 60
    hour = np.mod(starts, HOURS_PER_YEAR)
    assert np.all((hour >= JULY) & (hour < DECEMBER))
    a, b = arrival_windows(routes["nsr"])[0]
    assert (a, b) == (JULY - 48, DECEMBER - 3 * 48)
    assert st.shipments[0].sum() == 0 and st.utilisation["suez"].max() == 0.0
    assert st.events > 0


def test_bad_simulate_inputs():
    routes = default_routes(2026)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"route 'silk_road' in shipments_per_year must be one"):
        simulate(routes, {"silk_road": [1.0]}, [2026], rng)
    with pytest.raises(ValueError, match=r"shipments_per_year\['instc'\] must be 1 finite"):
        simulate(routes, {"instc": [-1.0]}, [2026], rng)
    with pytest.raises(ValueError, match=r"years must be a non-empty"):
        simulate(routes, {}, [], rng)
