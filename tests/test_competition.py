"""Competing suppliers in the projection (issue 11): the nested demand system wired into every
flow that has a market, rival shocks as levers, and the tables it writes.

The market algebra itself (SMART formulas, hand arithmetic, Newton solver) is tested in
tests/test_markets.py; here: that the projection uses it exactly, reduces to the bilateral model,
and that its outputs obey their identities and directions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SHIPPED
from tolerance import assert_frames_close

from model import engine, markets
from model.analysis.competition import solve_year, tables
from model.api import run
from model.errors import InputError
from model.projection import run_batch
from model.scenario import resolve_extends, validate

BILATERAL_GOLDEN = ROOT / "tests" / "golden" / "bilateral"


def _scenario(raw: dict, **settings):
    raw = {**raw, "settings": {**raw.get("settings", {}), **settings}}
    return validate(raw)


def _bilateral(path):
    """The scenario as it was before markets: without the rival and capacity levers, and (the
    history only) without the later container-line corridor shock."""
    raw = resolve_extends(path)
    raw.get("levers", {}).pop("rivals", None)
    raw.get("levers", {}).pop("capacity", None)
    if path.stem == "history":
        raw.pop("corridors")
    return _scenario(raw, competition="bilateral")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_bilateral_setting_reproduces_the_previous_goldens(path):
    """settings.competition = 'bilateral' is the model before markets, number for number (the
    goldens recorded before the change, tests/golden/bilateral/)."""
    summary = run(_bilateral(path)).summary
    expected = pd.read_csv(BILATERAL_GOLDEN / f"{path.stem}.csv", dtype={"fiscal_year": str})
    # the goldens hold 12 significant digits: equal to that precision
    assert_frames_close(summary, expected, rtol=1e-11, atol=1e-12, name=path.stem)


def test_one_supplier_is_the_bilateral_equation_bit_for_bit():
    rng = np.random.default_rng(7)
    z = rng.normal(0, 0.3, (500, 4, 1))
    em = rng.uniform(0.5, 6, (500, 4, 1))
    got = markets.partner_log_change(np.ones((4, 1)), z, np.zeros_like(z),
                                     rng.uniform(1.5, 12, (4, 1)), em)
    want = engine.goods_value(1.0, 1.0, z[..., 0], em[..., 0])
    assert np.array_equal(np.exp(got), want)


def test_projection_flow_equals_the_market_solution():
    """The partner's volume in the re-solved market is the projected flow (no US diversion in
    the backcast), every market and year: the projection uses the market model exactly."""
    b = run_batch(validate(resolve_extends(ROOT / "scenarios" / "history.toml")))
    mk = b.markets
    for k, i in enumerate(mk.flow_index):
        for t in range(b.years.size):
            sol = solve_year(b, k, t)
            assert sol.volume[0, 0] == pytest.approx(b.flows[0, i, t], rel=1e-12)


def test_tables_obey_their_identities():
    result = run(ROOT / "scenarios" / "eaeu_fta.toml")
    m, w = result.markets
    assert set(m["importer"]) == {"India", "Russia"}
    base = m.groupby(["market", "supplier"])["value_usd_bn"].transform("first")
    parts = m["growth_usd_bn"] + m["creation_usd_bn"] + m["diversion_usd_bn"] \
        + m["price_effect_usd_bn"]
    np.testing.assert_allclose(m["value_usd_bn"] - base, parts, atol=1e-12)
    # diversion moves shares at a fixed market size: it sums to zero in each market and year
    by = m.groupby(["fiscal_year", "market"])["diversion_usd_bn"].sum()
    np.testing.assert_allclose(by.to_numpy(), 0.0, atol=1e-12)
    assert list(w.columns)[-1] == "welfare_change_usd_bn"
    np.testing.assert_allclose(w["welfare_change_usd_bn"], w["tariff_revenue_change_usd_bn"]
                               + w["consumer_surplus_change_usd_bn"], atol=1e-12)


def test_fta_diverts_from_rivals_and_costs_tariff_revenue():
    """A preferential cut for India in Russia's markets: India gains by diversion, the rivals lose
    exactly that, the EAEU loses tariff revenue and Russia's consumers gain (SMART's signs)."""
    fta = run(ROOT / "scenarios" / "eaeu_fta.toml").markets
    base = run(ROOT / "scenarios" / "baseline.toml").markets
    year = "2030-31"
    pick = lambda t, imp: t[(t["fiscal_year"] == year) & (t["importer"] == imp)]  # noqa: E731
    m_f, m_b = pick(fta[0], "Russia"), pick(base[0], "Russia")
    india_f = m_f[m_f["supplier"] == "India"]["diversion_usd_bn"].to_numpy()
    india_b = m_b[m_b["supplier"] == "India"]["diversion_usd_bn"].to_numpy()
    assert np.all(india_f > india_b + 0.01)
    w_f, w_b = pick(fta[1], "Russia"), pick(base[1], "Russia")
    assert np.all(w_f["tariff_revenue_change_usd_bn"].to_numpy()
                  < w_b["tariff_revenue_change_usd_bn"].to_numpy())
    assert np.all(w_f["consumer_surplus_change_usd_bn"].to_numpy()
                  > w_b["consumer_surplus_change_usd_bn"].to_numpy())


def test_rival_exit_raises_india_sales_when_sigma_exceeds_em():
    raw = resolve_extends(ROOT / "scenarios" / "baseline.toml")
    raw.setdefault("levers", {})["rivals"] = {"ban": {
        "supplier": "Turkey", "markets": ["russia_textiles"], "availability": 0.001,
        "start": "2026-27", "phase_in_years": 0}}
    with_exit = run_batch(validate(raw))
    plain = run_batch(validate(resolve_extends(ROOT / "scenarios" / "baseline.toml")))
    i = list(plain.flow_names).index("textiles")
    j = list(plain.flow_names).index("engineering")
    assert np.all(with_exit.flows[0, i, 3:] > plain.flows[0, i, 3:] * 1.01)
    # other markets move only through the shared corridors (more textile tonnage on the routes)
    np.testing.assert_allclose(with_exit.flows[0, j], plain.flows[0, j], rtol=1e-4)
    assert np.array_equal(with_exit.flows[0, i, :2], plain.flows[0, i, :2])  # before the start


def test_mfn_tariff_change_diverts_nothing():
    """India's edible-oil duty cut of May 2025 (a dated MFN path) moves every supplier alike:
    creation for Russia, no diversion."""
    m, _ = run(ROOT / "scenarios" / "baseline.toml").markets
    veg = m[(m["market"] == "india_vegetable_oils") & (m["supplier"] == "Russia")]
    assert veg["creation_usd_bn"].iloc[2] > 0.1
    assert abs(veg["diversion_usd_bn"].iloc[2]) < 0.01


@pytest.mark.parametrize("shock, key, words", [
    ({"supplier": "Atlantis", "availability": 0.5}, "levers.rivals.x.supplier", "not a rival"),
    ({"supplier": "EU", "markets": ["russia_cars"], "availability": 0.5},
     "levers.rivals.x.markets", "unknown market"),
    ({"supplier": "Russia", "markets": ["india_coal"], "tariff": 0.1},
     "levers.rivals.x.supplier", "not a rival"),
])
def test_bad_rival_shocks_name_the_key(shock, key, words):
    raw = resolve_extends(ROOT / "scenarios" / "baseline.toml")
    raw.setdefault("levers", {})["rivals"] = {"x": shock}
    with pytest.raises(InputError, match=words) as err:
        validate(raw, file="s.toml")
    assert err.value.key == key


def test_rival_shock_without_markets_is_refused():
    raw = resolve_extends(ROOT / "scenarios" / "baseline.toml")
    raw.setdefault("levers", {})["rivals"] = {"x": {"supplier": "EU", "availability": 0.5}}
    with pytest.raises(InputError, match="competing-supplier model"):
        _scenario(raw, competition="bilateral")
    raw["levers"]["rivals"] = {"x": {"supplier": "EU"}}
    with pytest.raises(InputError, match="availability or tariff"):
        validate(raw)
