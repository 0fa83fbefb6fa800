"""The projection: baseline numbers, accounting identities, directional responses, vectorisation."""

import numpy as np
import pytest
from conftest import SCENARIOS, SHIPPED

import model
from model.data import load_baseline
from model.projection import run_batch
from model.scenario import load_scenario


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SCENARIOS / "baseline.toml")


@pytest.fixture(scope="module")
def base_run(baseline):
    return model.run(baseline)


def test_baseline_fy2024_25_row(base_run):
    row = base_run.summary.iloc[0]
    assert row["fiscal_year"] == "2024-25"
    assert row["exports_usd_bn"] == pytest.approx(4.88, abs=0.01)
    assert row["imports_usd_bn"] == pytest.approx(63.84, abs=0.01)
    assert row["balance_usd_bn"] == pytest.approx(-58.96, abs=0.01)
    assert list(base_run.summary["fiscal_year"])[-1] == "2034-35"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_accounting_identities(path):
    res = model.run(path)
    s, f = res.summary, res.flows
    np.testing.assert_allclose(s["total_trade_usd_bn"], s["exports_usd_bn"] + s["imports_usd_bn"])
    np.testing.assert_allclose(s["balance_usd_bn"], s["exports_usd_bn"] - s["imports_usd_bn"])
    by_dir = f.pivot_table(index="fiscal_year", columns="direction", values="value_usd_bn",
                           aggfunc="sum")
    np.testing.assert_allclose(by_dir["export"], s["exports_usd_bn"], rtol=1e-12)
    np.testing.assert_allclose(by_dir["import"], s["imports_usd_bn"], rtol=1e-12)
    assert (f["value_usd_bn"] >= 0).all() and np.isfinite(f["value_usd_bn"]).all()
    assert res.batch.converged.all()
    # every scenario starts from its dataset's official base-year row (FY2024-25 = -58.96;
    # scenarios/history.toml starts from FY2021-22)
    t = load_baseline(res.scenario.settings.dataset).totals
    assert s.iloc[0]["balance_usd_bn"] == pytest.approx(t["exports"].value - t["imports"].value,
                                                        abs=1e-9)


def test_no_lever_scenario_reproduces_baseline(write_scenario, base_run):
    path = write_scenario('extends = "baseline.toml"\nname = "same"\n')
    same = model.run(path)
    np.testing.assert_allclose(same.batch.flows, base_run.batch.flows, rtol=0, atol=1e-9)


def _balance(sc_text, write_scenario, year=-1):
    return model.run(write_scenario(sc_text)).summary.iloc[year]


BASE = 'extends = "baseline.toml"\n'


def test_ntb_removal_raises_exports(write_scenario, base_run):
    row = _balance(BASE + '[levers.ntb]\nstart = 2026\ncut = { pharma = 0.8, marine = 0.5 }\n',
                   write_scenario)
    assert row["exports_usd_bn"] > base_run.summary.iloc[-1]["exports_usd_bn"]


def test_more_lng_lowers_balance(write_scenario, base_run):
    row = _balance(BASE + '[levers.lng]\nstart = 2026\nvolume_mt = 5.0\n', write_scenario)
    assert row["balance_usd_bn"] < base_run.summary.iloc[-1]["balance_usd_bn"]


def test_more_oil_lowers_balance(write_scenario, base_run):
    row = _balance(BASE + '[levers.oil]\nstart = 2026\nvolume_mbd = 2.2\n', write_scenario)
    assert row["balance_usd_bn"] < base_run.summary.iloc[-1]["balance_usd_bn"]
    # crude is price x volume: the extra volume over the dataset's dated path, valued at the
    # FY25 value per mb/d scaled by the landed price of the last year, raises imports by a
    # known amount
    data = load_baseline()
    e = {k: data.energy[k].value for k in ("crude_volume_mbd", "brent_usd_bbl",
                                          "urals_discount_usd_bbl")}
    last = lambda key: data.path(key)[max(data.path(key))]  # noqa: E731
    price = (last("levers.oil.brent_usd") - last("levers.oil.discount_usd")) / (
        e["brent_usd_bbl"] - e["urals_discount_usd_bbl"])
    expected = (2.2 - last("levers.oil.volume_mbd")) * 50.0 / e["crude_volume_mbd"] * price
    got = row["imports_usd_bn"] - base_run.summary.iloc[-1]["imports_usd_bn"]
    assert got == pytest.approx(expected, rel=0.02)  # products are not touched by volume


def test_lower_eaeu_tariffs_raise_exports(write_scenario, base_run):
    row = _balance(BASE + '[levers.fta]\nstart = 2026\neaeu_tariff_cut = 1.0\n', write_scenario)
    assert row["exports_usd_bn"] > base_run.summary.iloc[-1]["exports_usd_bn"]
    assert row["imports_usd_bn"] == pytest.approx(base_run.summary.iloc[-1]["imports_usd_bn"],
                                                  rel=1e-3)


def test_us_tariff_diverts_to_non_exempt_sectors_only(write_scenario, base_run):
    res = model.run(write_scenario(BASE + '[levers.us_tariff]\nstart = 2025\nrate = 0.5\n'))
    diff = res.flows.value_usd_bn.to_numpy() - base_run.flows.value_usd_bn.to_numpy()
    last = res.flows.assign(diff=diff).query("fiscal_year == '2034-35'").set_index("flow")["diff"]
    assert last["engineering"] > 0 and last["textiles"] > 0
    # exempt sectors receive no diversion; they only feel the corridor congestion it causes
    assert last["pharma"] <= 0 and last["electronics"] <= 0
    from model.data import load_baseline
    from model.drivers import build
    d = build(res.scenario, load_baseline())
    names = list(d.flow_names)
    # the competing-supplier model diverts through India's export price (Eq. 9b), not a share
    assert d.diversion.max() == 0.0
    cut = -d.export_price[0]  # (F, Y)
    assert cut[names.index("pharma")].max() == 0.0
    assert cut[names.index("electronics")].max() == 0.0
    assert cut[~d.is_export].max() == 0.0
    assert cut[names.index("engineering"), -1] > 0.01


def test_payment_friction_cut_raises_both_directions(write_scenario, base_run):
    row = _balance(BASE + '[levers.payments]\nstart = 2026\nfriction = 0.0\n', write_scenario)
    b = base_run.summary.iloc[-1]
    assert row["exports_usd_bn"] > b["exports_usd_bn"]
    assert row["imports_usd_bn"] > b["imports_usd_bn"]


def test_lever_has_no_effect_before_its_start(write_scenario, base_run):
    res = model.run(write_scenario(BASE + '[levers.fta]\nstart = 2030\neaeu_tariff_cut = 1.0\n'))
    np.testing.assert_allclose(res.batch.flows[..., :6], base_run.batch.flows[..., :6], atol=1e-12)
    assert not np.allclose(res.batch.flows[..., 6], base_run.batch.flows[..., 6])


def test_higher_gdp_growth_raises_trade(write_scenario, base_run):
    row = _balance(BASE + '[macro]\nrussia_gdp_growth = 0.03\n', write_scenario)
    assert row["exports_usd_bn"] > base_run.summary.iloc[-1]["exports_usd_bn"]


def test_instc_capacity_binds_and_expansion_raises_exports(base_run):
    routes = base_run.routes.query("mode == 'container'").set_index(["fiscal_year", "route"])
    assert routes.loc[("2024-25", "instc"), "carried_mt"] == pytest.approx(0.15)
    assert routes.loc[("2024-25", "suez"), "carried_mt"] > 0  # spill-over to Suez
    expanded = model.run(SCENARIOS / "instc_expansion.toml")
    assert (expanded.batch.exports >= base_run.batch.exports - 1e-12).all()
    assert expanded.batch.exports[0, -1] > base_run.batch.exports[0, -1]


def test_vectorised_samples_equal_one_at_a_time(baseline):
    brent = np.array([55.0, 78.5, 110.0])
    cut = np.array([0.0, 0.5, 1.0])
    batch = run_batch(baseline, {"levers.oil.brent_usd": brent, "levers.ntb.cut.pharma": cut,
                                 "levers.ntb.start": np.array([2026, 2026, 2026])})
    for i in range(3):
        one = run_batch(baseline, {"levers.oil.brent_usd": brent[i:i + 1],
                                   "levers.ntb.cut.pharma": cut[i:i + 1],
                                   "levers.ntb.start": np.array([2026])})
        np.testing.assert_allclose(batch.flows[i], one.flows[0], rtol=1e-13, atol=1e-13)
    assert batch.imports[2, -1] > batch.imports[0, -1]


def test_brent_override_equals_scenario_file(write_scenario, baseline):
    via_file = model.run(write_scenario(BASE + "[levers.oil]\nbrent_usd = 90.0\n"))
    via_override = run_batch(baseline, {"levers.oil.brent_usd": np.array([90.0])})
    np.testing.assert_allclose(via_file.batch.flows, via_override.flows, rtol=1e-13)


def test_energy_only_samples_share_one_trade_solution_bit_for_bit(baseline):
    """Samples differing only in energy inputs take the shortcut (one corridor fixed point);
    each must equal its own single-sample run exactly."""
    over = {"levers.oil.brent_usd": np.array([55.0, 80.0, 120.0]),
            "levers.oil.volume_mbd": np.array([0.5, 1.7, 2.4]),
            "levers.lng.volume_mt": np.array([0.0, 2.5, 6.0])}
    batch = run_batch(baseline, over)
    for i in range(3):
        one = run_batch(baseline, {k: v[i:i + 1] for k, v in over.items()})
        np.testing.assert_array_equal(batch.flows[i], one.flows[0])
        np.testing.assert_array_equal(batch.transport[i], one.transport[0])
    assert batch.imports[2, -1] > batch.imports[0, -1]


def test_chunked_batch_equals_one_batch_bit_for_bit(baseline, monkeypatch):
    """Large batches are projected in chunks (projection.CHUNK): samples are independent, so
    every output, the markets' included, is the same bit for bit as in one batch."""
    from model import projection

    rng = np.random.default_rng(5)
    n = 23
    over = {"flows.engineering.elasticity": rng.uniform(2, 6, n),
            "levers.fta.eaeu_tariff_cut": rng.uniform(0, 1, n),
            "flows.pharma.substitution": rng.uniform(2, 10, n),
            "corridors.routes.instc.capacity_mt": rng.uniform(0.05, 0.5, n)}
    one = run_batch(baseline, over)
    monkeypatch.setattr(projection, "CHUNK", 5)
    chunked = run_batch(baseline, over)
    for name in ("flows", "transport", "route_mt", "route_days", "market_cost", "iterations",
                 "converged", "market_elasticity"):
        np.testing.assert_array_equal(getattr(chunked, name), getattr(one, name), err_msg=name)


def test_year0_assignment_once_for_common_routes_equals_per_sample(baseline, monkeypatch):
    """Route inputs without a sample axis: year 0 (every sample at the base values) is assigned
    once for the batch (projection._common); the same numbers, bit for bit, as per sample."""
    from model import projection

    rng = np.random.default_rng(8)
    n = 17
    over = {"flows.engineering.elasticity": rng.uniform(2, 6, n),
            "levers.fta.india_tariff_cut": rng.uniform(0, 1, n),
            "flows.pharma.substitution": rng.uniform(2, 10, n)}
    calls = []
    real = projection._common
    monkeypatch.setattr(projection, "_common", lambda yr: calls.append(1) or real(yr))
    once = run_batch(baseline, over)
    assert calls and real(projection._year_routes(
        projection.build(baseline, load_baseline(baseline.settings.dataset)), 0))
    monkeypatch.setattr(projection, "_common", lambda yr: False)
    each = run_batch(baseline, over)
    for name in ("flows", "transport", "route_mt", "route_days", "market_cost", "iterations"):
        np.testing.assert_array_equal(getattr(once, name), getattr(each, name), err_msg=name)
