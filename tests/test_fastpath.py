"""The compiled year loop (model/fastpath.py) against the numpy path, its reference: the same
numbers to 1e-10 on random trade-cost samples of shipped scenarios (rival shocks included), and,
like the numpy path, results that do not depend on the batch, its chunking or the threads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model import fastpath, projection
from model.data import load_baseline
from model.drivers import build
from model.projection import project, run_batch
from model.scenario import load_scenario, with_values

pytestmark = pytest.mark.skipif(not fastpath.AVAILABLE, reason="numba is not installed")

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FIELDS = ("flows", "transport", "route_mt", "route_days", "iterations", "converged")


def trade_costs(n: int, seed: int, *, history: bool = False) -> dict:
    """Random elasticities, FTA tariff cuts, sigma and market shares (and capacities)."""
    rng = np.random.default_rng(seed)
    over = {"flows.engineering.elasticity": rng.uniform(2, 6, n),
            "flows.textiles.elasticity": rng.uniform(2, 5, n),
            "levers.fta.eaeu_tariff_cut": rng.uniform(0, 1, n),
            "levers.fta.india_tariff_cut": rng.uniform(0, 1, n),
            "flows.engineering.substitution": rng.uniform(4, 12, n),
            "flows.pharma.substitution": rng.uniform(2, 10, n),
            "flows.textiles.substitution": rng.uniform(2, 8, n),
            "flows.engineering.market_share": rng.uniform(0.01, 0.2, n),
            "flows.agri_food.market_share": rng.uniform(0.01, 0.2, n),
            "corridors.routes.instc.capacity_mt": rng.uniform(0.05, 0.5, n)}
    if history:  # the backcast's horizon: its own dataset, rival shocks from FY2022-23
        over["levers.rivals.eu_exit.availability"] = rng.uniform(0.2, 1.0, n)
    return over


def drivers(name: str, over: dict):
    sc = load_scenario(SCENARIOS / name)
    return build(with_values(sc, over), load_baseline(sc.settings.dataset))


def assert_close(fast, ref, rtol=1e-10):
    """Relative difference at most ``rtol`` (the markets' log costs: absolute, i.e. relative in
    the cost level)."""
    for name in FIELDS:
        a, b = getattr(fast, name), getattr(ref, name)
        if a.dtype.kind in "biu":
            np.testing.assert_array_equal(a, b, err_msg=name)
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-300, err_msg=name)
    if ref.market_partner_cost is not None:
        np.testing.assert_allclose(fast.market_cost, ref.market_cost, rtol=0, atol=rtol,
                                   err_msg="market_cost")


@pytest.mark.parametrize("name", ["baseline.toml", "eaeu_fta.toml", "us_tariffs_50.toml",
                                  "barrier_removal.toml", "history.toml"])
def test_compiled_loop_equals_numpy_path(name):
    d = drivers(name, trade_costs(300, seed=len(name), history=name == "history.toml"))
    assert d.n == 300
    fast, ref = project(d, fast=True), project(d, fast=False)
    assert_close(fast, ref)
    assert fast.converged.all()


def test_rival_shock_sweep_equals_numpy_path():
    """history.toml's exit of Western suppliers, its availability swept alone (the rivals'
    arrays then have a sample axis while the rest has none)."""
    rng = np.random.default_rng(3)
    d = drivers("history.toml", {"levers.rivals.eu_exit.availability": rng.uniform(0.1, 1, 200),
                                 "levers.rivals.other_western_exit.availability":
                                     rng.uniform(0.1, 1, 200)})
    assert_close(project(d, fast=True), project(d, fast=False))


def test_market_only_sweeps_equal_numpy_path():
    """Sweeps of flows.<f>.substitution / market_share alone (everything else common)."""
    rng = np.random.default_rng(4)
    for key in ("flows.engineering.substitution", "flows.pharma.market_share",
                "flows.textiles.substitution"):
        lo, hi = (0.01, 0.3) if key.endswith("share") else (1.5, 12)
        d = drivers("baseline.toml", {key: rng.uniform(lo, hi, 150)})
        assert_close(project(d, fast=True), project(d, fast=False))


def test_large_batch_takes_the_compiled_loop_by_default(monkeypatch):
    over = trade_costs(fastpath.MIN_BATCH, seed=9)
    sc = load_scenario(SCENARIOS / "baseline.toml")
    calls = []
    real = fastpath.project_years
    monkeypatch.setattr(fastpath, "project_years", lambda *a, **k: calls.append(1) or real(*a, **k))
    fast = run_batch(sc, over)
    assert calls
    small = run_batch(sc, {k: v[:5] for k, v in over.items()})  # a small batch: numpy
    assert len(calls) == 1
    monkeypatch.setattr(fastpath, "MIN_BATCH", 10 ** 9)
    ref = run_batch(sc, over)
    assert_close(fast, ref)
    np.testing.assert_allclose(small.flows, ref.flows[:5], rtol=1e-10)


def test_compiled_results_do_not_depend_on_batch_chunks_or_threads(monkeypatch):
    """Bit for bit: a sample alone, in a batch, in chunks, on one thread or several."""
    over = trade_costs(2600, seed=12)
    d = drivers("baseline.toml", over)
    monkeypatch.setenv("TRADESIM_THREADS", "1")
    one = project(d, fast=True)
    monkeypatch.setenv("TRADESIM_THREADS", "3")
    threads = project(d, fast=True)
    monkeypatch.setattr(projection, "CHUNK", 1000)
    chunked = project(d, fast=True)
    alone = project(drivers("baseline.toml", {k: v[7:9] for k, v in over.items()}), fast=True)
    for name in ("flows", "transport", "route_mt", "route_days", "market_cost"):
        a = getattr(one, name)
        np.testing.assert_array_equal(getattr(threads, name), a, err_msg=name)
        np.testing.assert_array_equal(getattr(chunked, name), a, err_msg=name)
        np.testing.assert_array_equal(getattr(alone, name), a[7:9], err_msg=name)


def assert_moving_changes_nothing(d, monkeypatch):
    """Moving the lanes still iterating (fastpath.SLOTS) or never (SLOTS = LANES): the same
    numbers bit for bit, and the numpy path's to 1e-10."""
    moved = project(d, fast=True)
    monkeypatch.setattr(fastpath, "SLOTS", fastpath.LANES)
    kept = project(d, fast=True)
    for name in FIELDS + ("market_cost",):
        np.testing.assert_array_equal(getattr(moved, name), getattr(kept, name), err_msg=name)
    assert_close(moved, project(d, fast=False))


def test_moving_the_lanes_still_iterating_changes_no_number(monkeypatch):
    """The sweeps run over the lanes still iterating, moved to the first slots
    (fastpath.SLOTS); never moving them (SLOTS = LANES) gives the same numbers bit for bit."""
    d = drivers("baseline.toml", trade_costs(700, seed=14))
    assert_moving_changes_nothing(d, monkeypatch)


def test_other_corridor_models_and_triggers_keep_the_numpy_path(monkeypatch):
    monkeypatch.setattr(fastpath, "project_years",
                        lambda *a, **k: pytest.fail("compiled loop used"))
    sc = load_scenario(SCENARIOS / "trigger_snapback.toml")
    run_batch(sc, {"levers.oil.brent_usd": np.full(fastpath.MIN_BATCH, 70.0),
                   "flows.engineering.elasticity": np.linspace(2, 6, fastpath.MIN_BATCH)})


def test_a_sample_the_compiled_loop_cannot_take_sends_the_batch_to_numpy(monkeypatch):
    """A sample with extreme market costs (the numpy path's log-sum-exp) or NaN makes the
    kernel report it: the whole batch is then projected by the numpy path, bit for bit."""
    d = drivers("baseline.toml", trade_costs(50, seed=21))
    real = fastpath._compiled()

    class Bails:
        signatures = real.signatures or ("compiled",)

        def __call__(self, lo, hi, *args):
            real(lo, hi, *args)
            args[-1][lo] = fastpath.BAIL  # status of the first sample of the range

    monkeypatch.setattr(fastpath, "_compiled", lambda: Bails())
    fast = project(d, fast=True)
    ref = project(d, fast=False)
    for name in FIELDS + ("market_cost",):
        np.testing.assert_array_equal(getattr(fast, name), getattr(ref, name), err_msg=name)


def test_vectorisable_exp_expm1_log1p_agree_with_libm():
    """The compiled loop's own exp, expm1 and log1p (branch-free, so that loops over flows
    compile to SIMD code) agree with numpy's to two units in the last place over their ranges,
    and are exact where the numpy path relies on it (e^0 = 1, ln(1 + 0) = 0, expm1(0) = 0)."""
    import numba

    fastpath._compiled()
    funcs = {"exp": fastpath._exp, "expm1": fastpath._expm1, "log1p": fastpath._log1p}

    def applier(fn):
        @numba.njit(error_model="numpy")
        def apply(x, out):
            for i in range(x.size):
                out[i] = fn(x[i])
        return apply

    rng = np.random.default_rng(5)
    ranges = {"exp": [(-700, 700), (-1, 1), (-1e-9, 1e-9)],
              "expm1": [(-40, 45), (-1, 1), (-1e-9, 1e-9), (-0.5, 0.5)],
              "log1p": [(-0.999, 3), (0, 0.5), (-1e-9, 1e-9), (0.4, 1e12)]}
    for name, fn in funcs.items():
        apply, ref = applier(fn), getattr(np, name)
        for lo, hi in ranges[name]:
            x = np.concatenate([rng.uniform(lo, hi, 20_000), [0.0, lo, hi]])
            out = np.empty_like(x)
            apply(x, out)
            np.testing.assert_allclose(out, ref(x), rtol=4.5e-16, atol=0, err_msg=name)
        out = np.empty(1)
        apply(np.zeros(1), out)
        assert out[0] == ref(0.0), name
    out = np.empty(3)
    applier(fastpath._expm1)(np.array([-41.0, -np.inf, -1e300]), out)
    np.testing.assert_array_equal(out, -1.0)


def test_moving_lanes_with_every_input_swept_changes_no_number(monkeypatch):
    """A moved slot takes only the inputs that differ between samples (the others hold the same
    number in every slot): with route days, freight, value
    density and time cost swept too, moving the lanes still
    iterating or not gives the same numbers bit for bit, and the numpy path's to 1e-10."""
    rng = np.random.default_rng(15)
    over = trade_costs(700, seed=15)
    over["corridors.routes.suez.days"] = rng.uniform(30, 50, 700)
    over["corridors.routes.instc.freight_usd_per_t.container"] = rng.uniform(100, 300, 700)
    over["flows.engineering.usd_per_t"] = rng.uniform(2e3, 2e4, 700)
    over["flows.textiles.time_cost"] = rng.uniform(0.0, 0.01, 700)
    d = drivers("baseline.toml", over)
    assert d.routes.days.shape[0] == d.routes.freight["container"].shape[0] == 700
    assert d.usd_per_t.shape[0] == d.time_cost.shape[0] == 700
    assert_moving_changes_nothing(d, monkeypatch)
