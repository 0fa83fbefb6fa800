"""Properties of the model: scale invariance, zero shock = baseline, lever directions, and clean
outputs over the whole allowed parameter box."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources

import numpy as np
import pytest

from model.data import load_baseline, parse_baseline
from model.projection import run_batch
from model.scenario import validate

from strategies import allowed_range, baseline_scenario, check_identities, sample_box, sweepable

BASE = load_baseline("fy2024-25")  # RAW below is this dataset; scaling needs typed values
RAW = tomllib.loads(resources.files("model.data").joinpath("baseline.toml").read_text())
# physical quantities that set a flow's value (value = quantity x price): they scale with k too
QUANTITIES = ("crude_value", "hs27_value", "crude_volume_mbd", "india_crude_imports_mt",
              "lng_volume_mt", "coal_volume_mt", "fertiliser_volume_mt", "vegetable_oil_volume_mt")
BUSY = {"name": "busy", "levers": {
    "fta": {"eaeu_tariff_cut": 0.9, "india_tariff_cut": 0.5, "start": 2027, "phase_in_years": 3},
    "us_tariff": {"rate": 0.5}, "ntb": {"cut": {"pharma": 0.8, "agri_food": 0.5}},
    "oil": {"brent_usd": 65.0, "discount_usd": 10.0, "sanctions_multiplier": 0.7},
    "lng": {"price_usd_mmbtu": 10.0}, "payments": {"friction": 0.01}},
    "corridors": {"rasht_astara_open": 2029}}


def scaled_baseline(k: float):
    """The packaged dataset with every US$ value and physical quantity multiplied by k."""
    raw = copy.deepcopy(RAW)
    for f in raw["flow"]:
        f["value"]["value"] *= k
    for t in raw["totals"].values():
        t["value"] *= k
    for h in raw["history"]:
        for d in ("exports", "imports"):
            h[d]["value"] *= k
    for key in QUANTITIES:
        raw["energy"][key]["value"] *= k
    raw["us"]["india_exports_to_us"]["value"] *= k
    return parse_baseline(raw)


def capacities(sc, k: float) -> dict[str, np.ndarray]:
    out = {f"corridors.routes.{r}.capacity_mt": np.array([route.capacity_mt * k])
           for r, route in sc.corridors.routes.items() if route.capacity_mt is not None}
    out["corridors.rasht_astara_capacity_mt"] = np.array([sc.corridors.rasht_astara_capacity_mt * k])
    return out


# ------------------------------------------------------------------------------ scaling
@pytest.mark.parametrize("k", [0.25, 3.0, 17.0])
def test_scaling_all_base_values_scales_outputs(k):
    """Values x k, physical volumes x k and corridor capacities x k: every flow, tonne x k."""
    sc = validate(BUSY, file="busy")
    b1 = run_batch(sc, baseline=BASE)
    bk = run_batch(sc, capacities(sc, k), baseline=scaled_baseline(k))
    np.testing.assert_allclose(bk.flows, k * b1.flows, rtol=1e-12, atol=0)
    np.testing.assert_allclose(bk.route_mt, k * b1.route_mt, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(bk.balance, k * b1.balance, rtol=1e-12)


def test_scaling_breaks_only_through_fixed_corridor_capacity():
    """Documented limit: with capacities held, tonnes grow x k against a fixed INSTC capacity, so
    route shares (and transport costs) change and exports are no longer exactly x k."""
    sc, k = validate(BUSY, file="busy"), 10.0
    b1 = run_batch(sc, baseline=BASE)
    bk = run_batch(sc, baseline=scaled_baseline(k))
    np.testing.assert_allclose(bk.imports[:, 0], k * b1.imports[:, 0], rtol=1e-12)
    assert not np.allclose(bk.exports, k * b1.exports, rtol=1e-9)


# ------------------------------------------------------------------------------ zero shock
def test_zero_shock_equals_baseline():
    """Every lever set explicitly to 'no change' reproduces the baseline exactly."""
    e, p = BASE.energy, BASE.parameters
    zero = {"name": "zero", "levers": {
        "fta": {"eaeu_tariff_cut": 0.0, "india_tariff_cut": 0.0, "start": 2026, "phase_in_years": 4},
        "us_tariff": {"rate": 0.0}, "ntb": {"cut": {f: 0.0 for f in BASE.names("export")}},
        "oil": {"volume_mbd": e["crude_volume_mbd"].value, "brent_usd": e["brent_usd_bbl"].value,
                "discount_usd": e["urals_discount_usd_bbl"].value, "sanctions_multiplier": 1.0},
        "lng": {"volume_mt": e["lng_volume_mt"].value, "price_usd_mmbtu": e["lng_price_usd_mmbtu"].value},
        "coal": {"volume_mt": e["coal_volume_mt"].value, "price_usd_t": e["coal_price_usd_t"].value},
        "payments": {"friction": p["payment_friction"].value}},
        "settings": {"dataset": "fy2024-25"}}  # flat base-year paths: 'no change' is these values
    flat = {"name": "x", "settings": {"dataset": "fy2024-25"}}
    base = run_batch(validate(flat, file="x"))
    b0 = run_batch(validate(zero, file="zero"))
    np.testing.assert_allclose(b0.flows, base.flows, rtol=1e-13, atol=1e-13)
    # with the dated paths of fy2025-26, unset levers reproduce the packaged baseline exactly
    np.testing.assert_array_equal(run_batch(validate({"name": "x"}, file="x")).flows,
                                  run_batch(baseline_scenario()).flows)


def test_baseline_starts_at_official_totals():
    b = run_batch(baseline_scenario())
    assert b.exports[0, 0] == pytest.approx(4.88, abs=1e-9)
    assert b.imports[0, 0] == pytest.approx(63.84, abs=1e-9)


# ------------------------------------------------------------------------------ directions
def _grid(path: str, n: int = 9, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    a, b, open_lo = allowed_range(path)
    a = np.nextafter(a, np.inf) if open_lo else a
    return np.linspace(a if lo is None else lo, b if hi is None else hi, n)


# (path, grid bounds, outcome, +1 = rises with the lever / -1 = falls)
DIRECTIONS = [
    ("levers.ntb.cut.pharma", None, "exports", +1),
    ("levers.ntb.cut.agri_food", None, "exports", +1),
    ("levers.fta.eaeu_tariff_cut", None, "exports", +1),
    ("levers.fta.india_tariff_cut", None, "imports", +1),
    ("levers.oil.volume_mbd", None, "imports", +1),
    ("levers.oil.brent_usd", (20.0, 200.0), "imports", +1),
    ("levers.oil.discount_usd", (-20.0, 60.0), "imports", -1),
    ("levers.lng.volume_mt", None, "imports", +1),
    ("levers.lng.price_usd_mmbtu", None, "imports", +1),
    ("levers.payments.friction", None, "exports", -1),
    ("levers.payments.friction", None, "imports", -1),
    ("corridors.routes.instc.capacity_mt", (1e-3, 50.0), "exports", +1),
    ("corridors.rasht_astara_capacity_mt", None, "exports", +1),
    ("levers.us_tariff.rate", None, "exports", +1),
]


@pytest.mark.parametrize(("path", "bounds", "outcome", "sign"), DIRECTIONS,
                         ids=[f"{p}->{o}" for p, _, o, _ in DIRECTIONS])
def test_lever_direction(path, bounds, outcome, sign):
    """Moving one lever along its allowed range moves the outcome one way only, every year."""
    sc = baseline_scenario()
    if path.startswith("corridors.rasht"):
        sc = validate({"name": "r", "corridors": {"rasht_astara_open": 2027}}, file="r")
    grid = _grid(path, 11, *(bounds or (None, None)))
    out = getattr(run_batch(sc, {path: grid}), outcome)  # (N, Y)
    steps = sign * np.diff(out, axis=0)
    assert (steps >= -1e-12 * np.abs(out[1:])).all(), f"{path}: not monotone\n{out[:, -1]}"
    if not path.startswith("corridors"):  # capacity may not bind: weak monotonicity suffices
        assert sign * (out[-1, -1] - out[0, -1]) > 0, f"{path} has no effect on {outcome}"


def test_instc_capacity_binds_somewhere():
    """The corridor is a binding constraint at the baseline capacity (INSTC 0.15 Mt/yr)."""
    out = run_batch(baseline_scenario(), {"corridors.routes.instc.capacity_mt":
                                          np.array([1e-3, 50.0])}).exports
    assert out[1, -1] > out[0, -1]


# ------------------------------------------------------------------------------ the whole box
BOX = sweepable()


@pytest.mark.parametrize("seed", [0, 1])
def test_whole_parameter_box_is_finite_and_non_negative(seed):
    """Every sweepable parameter drawn at once from its allowed range (a quarter at the edges):
    flows finite, >= 0, and adding up. Oil volume is set directly in half the samples and as a
    share of India's crude imports in the other half (the two are exclusive)."""
    rng = np.random.default_rng(seed)
    paths = [p for p in BOX if p != "levers.oil.share_of_india_crude"]
    values = sample_box(rng, 1500, paths)
    check_identities(run_batch(baseline_scenario(), values))
    paths = [p for p in BOX if p != "levers.oil.volume_mbd"]
    check_identities(run_batch(baseline_scenario(), sample_box(rng, 1500, paths)))


@pytest.mark.parametrize("competition", ["bilateral", "rivals"])
def test_us_import_elasticity_can_be_swept(competition):
    grid = _grid("levers.us_tariff.us_import_elasticity", 5)
    raw = {"name": "us", "levers": {"us_tariff": {"rate": 0.5}}}
    sc = validate({**raw, "settings": {"competition": competition}}, file="us")
    out = run_batch(sc, {"levers.us_tariff.us_import_elasticity": grid})
    check_identities(out)
    none = run_batch(validate({"name": "none", "settings": {"competition": competition},
                               "levers": {"us_tariff": {"rate": 0.0}}}),
                     {"levers.us_tariff.us_import_elasticity": grid})
    # a US tariff diverts to Russia (nothing at the grid's first point, an elasticity near 0)
    assert np.all(out.exports[1:, -1] > none.exports[1:, -1])
    if competition == "bilateral":  # a fixed share of the lost US sales: more lost, more diverted
        assert np.all(np.diff(out.exports[:, -1]) > 0)
    else:  # Eq. 9b: more elastic demand everywhere loses more US sales but needs a smaller
        # price cut to sell them elsewhere: exports to Russia follow the size of the price cut
        from model import engine
        us = load_baseline(sc.settings.dataset).us
        share = us["india_exports_to_us"].value * (1 - us["exempt_share"].value) \
            / us["india_exports_total"].value
        cut = -engine.export_price_change(share, 0.5, us["base_tariff"].value, grid,
                                          us["india_export_supply"].value)
        order = np.argsort(cut)
        assert np.all(np.diff(out.exports[order, -1]) > 0)


@pytest.mark.parametrize("path", ["levers.oil.brent_usd", "levers.oil.discount_usd"])
def test_crude_price_alone_over_its_box_is_non_negative_once_discount_is_capped(path):
    """Brent alone down to 0 (discount at its base 4) or the discount alone up to 100 (Brent at
    78.5) would price Urals below zero. Validation refuses that in scenario files (the joint rule
    discount <= Brent); sweeps set values without validation, so the box is cut at that rule."""
    e = BASE.energy
    grid = _grid(path, 21)
    if path.endswith("brent_usd"):
        grid = np.maximum(grid, e["urals_discount_usd_bbl"].value)
    else:  # Brent follows the dataset's dated path: cap at its lowest value
        grid = np.minimum(grid, min(e["brent_usd_bbl"].value,
                                    *load_baseline().path("levers.oil.brent_usd").values()))
    check_identities(run_batch(baseline_scenario(), {path: grid}))


@pytest.mark.slow
def test_whole_parameter_box_slow():
    rng = np.random.default_rng(2026)
    paths = [p for p in BOX if p != "levers.oil.share_of_india_crude"]
    for _ in range(20):
        check_identities(run_batch(baseline_scenario(), sample_box(rng, 5000, paths)))


def test_allowed_ranges_are_read_from_the_schema():
    assert allowed_range("levers.oil.volume_mbd") == (0.0, 10.0, False)
    assert allowed_range("levers.ntb.cut.pharma") == (0.0, 1.0, False)
    assert allowed_range("flows.pharma.elasticity") == (0.0, 50.0, True)
    assert allowed_range("corridors.routes.instc.capacity_mt") == (0.0, 1000.0, True)
    assert all(np.isfinite(allowed_range(p)[:2]).all() for p in sweepable())
