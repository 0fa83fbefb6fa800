"""The corridor models behind the projection: capacity fill, queueing surrogate, DES report."""

import numpy as np
import pandas as pd
import pytest

import model
from model.errors import InputError
from model.projection import run_batch

BASE = 'extends = "baseline.toml"\n'


@pytest.fixture(scope="module")
def queue_runs(tmp_path_factory):
    from conftest import SCENARIOS

    d = tmp_path_factory.mktemp("q")
    (d / "baseline.toml").write_text((SCENARIOS / "baseline.toml").read_text())
    runs = {}
    for name, extra in [("small", ""), ("large", '[corridors.routes.instc]\ncapacity_mt = { "2024-25" = 0.15, "2026-27" = 0.6 }\n')]:
        path = d / f"{name}.toml"
        path.write_text(BASE + f'name = "{name}"\n[corridors]\nmodel = "surrogate"\n' + extra)
        runs[name] = model.run(path)
    return runs


def test_surrogate_run_keeps_the_accounting_and_the_base_year(queue_runs):
    res = queue_runs["small"]
    s = res.summary
    assert s.iloc[0]["balance_usd_bn"] == pytest.approx(-58.96, abs=1e-9)
    np.testing.assert_allclose(s["total_trade_usd_bn"], s["exports_usd_bn"] + s["imports_usd_bn"])
    assert res.batch.converged.all()
    routes = res.routes
    # congestion: a loaded INSTC is slower than its free-flow days, Suez takes the rest
    instc = routes.query("mode == 'container' and route == 'instc'")
    assert (instc["carried_mt"] > 0).all() and (instc["transit_days"] > 24).all()
    suez = routes.query("mode == 'container' and route == 'suez'")
    assert (suez["share"] > 0.5).all()


def test_more_instc_capacity_never_lowers_exports(queue_runs):
    """Capacity added from FY2026-27 (the base year is calibrated with the same corridors)."""
    small, large = queue_runs["small"].batch, queue_runs["large"].batch
    assert (large.exports >= small.exports - 1e-9).all()
    assert large.exports[0, -1] > small.exports[0, -1]
    carried = lambda b: b.route_mt[0, 0, b.route_names.index("instc")]  # noqa: E731
    assert (carried(large)[2:] > carried(small)[2:]).all()


def test_capacity_and_surrogate_models_agree_on_totals_within_a_few_percent(queue_runs):
    cap = model.run(model.load_scenario(__import__("conftest").SCENARIOS / "baseline.toml"))
    ratio = queue_runs["small"].batch.total / cap.batch.total
    assert np.all(np.abs(ratio - 1) < 0.02)


def test_queueing_models_refuse_a_sample_axis_on_capacities(write_scenario):
    sc = model.load_scenario(write_scenario(BASE + '[corridors]\nmodel = "surrogate"\n'))
    with pytest.raises(InputError, match="same route capacities"):
        run_batch(sc, {"corridors.routes.instc.capacity_mt": np.array([0.2, 0.4])})


def test_des_report_is_written_and_reproducible(cli, write_scenario, tmp_path):
    path = write_scenario(BASE + 'name = "d"\n[corridors]\nmodel = "des"\nrasht_astara_open = 2028\n')
    outs = []
    for k in range(2):
        code, _, err = cli("run", path, "--out", tmp_path / f"o{k}", "--seed", "7")
        assert code == 0, err
        outs.append(pd.read_csv(tmp_path / f"o{k}" / "d" / "corridors.csv"))
    pd.testing.assert_frame_equal(outs[0], outs[1])  # same seed, same numbers
    table = outs[0]
    assert set(table["route"]) == {"suez", "instc", "chennai_vladivostok", "nsr"}
    done = table.dropna(subset=["transit_days_mean"])
    assert (done["transit_days_p95"] >= done["transit_days_mean"]).all()
    # the link raises INSTC throughput from FY2028-29
    instc = table[table.route == "instc"].set_index("fiscal_year")["throughput_mt"]
    assert instc["2030-31"] > instc["2025-26"]
    assert (tmp_path / "o0" / "d" / "transit_times.png").exists()
    assert (tmp_path / "o0" / "d" / "corridor_stages.csv").exists()


def test_run_flag_overrides_the_corridor_model_and_is_recorded(cli, tmp_path):
    import json

    from conftest import SCENARIOS

    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--corridors", "surrogate",
                       "--no-plots", "-q", "--out", tmp_path)
    assert code == 0, err
    manifest = json.loads((tmp_path / "baseline" / "manifest.json").read_text())
    assert manifest["resolved_scenario"]["corridors"]["model"] == "surrogate"
    routes = pd.read_csv(tmp_path / "baseline" / "routes.csv")
    # queueing days differ from the fixed 25 days of the capacity model
    assert not np.isclose(routes.query("route == 'instc'")["transit_days"], 25.0).all()
