"""Target seeking: answers that meet the target when run forward, infeasible targets, CLI."""

import numpy as np
import pytest

from model.analysis.seek import metric_path, schema_range, seek, year_reaching
from model.outcomes import at_year
from model.projection import run_batch
from model.scenario import load_scenario, with_values

from conftest import SCENARIOS


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SCENARIOS / "baseline.toml")


def forward(sc, lever, value, metric, year):
    b = run_batch(with_values(sc, {lever: value}))
    return float(at_year(metric_path(b, metric), b.years, year)[0])


def test_smallest_value_meets_target(baseline):
    res = seek(baseline, "levers.oil.brent_usd", "total_trade", 100.0, 2029)
    assert res.feasible and res.bound == "smallest"
    assert forward(baseline, "levers.oil.brent_usd", res.value, "total_trade", 2029) >= 100.0 - 1e-9
    assert forward(baseline, "levers.oil.brent_usd", res.value, "total_trade", 2029) < 100.0 + 1e-4
    # a little less does not reach it
    assert forward(baseline, "levers.oil.brent_usd", res.value - 1e-3, "total_trade", 2029) < 100.0


def test_decreasing_lever_gives_largest_value(baseline):
    res = seek(baseline, "levers.oil.volume_mbd", "balance", -30.0, 2029)
    assert res.feasible and res.bound == "largest"
    assert 0.3 < res.value < 1.5
    assert forward(baseline, "levers.oil.volume_mbd", res.value, "balance", 2029) >= -30.0 - 1e-9
    assert forward(baseline, "levers.oil.volume_mbd", res.value + 1e-3, "balance", 2029) < -30.0


def test_ntb_share_to_reach_exports(baseline):
    res = seek(baseline, "levers.ntb.cut.pharma", "exports", 6.70, 2034)
    assert res.feasible and 0 < res.value < 1
    assert forward(baseline, "levers.ntb.cut.pharma", res.value, "exports", 2034) == pytest.approx(
        6.70, abs=1e-6)


def test_infeasible_is_reported_with_closest_value(baseline):
    res = seek(baseline, "levers.ntb.cut.pharma", "balance", -30.0, 2029)
    assert not res.feasible and res.value == 1.0
    assert res.metric_value == pytest.approx(
        forward(baseline, "levers.ntb.cut.pharma", 1.0, "balance", 2029), abs=1e-9)
    assert "not reachable" in res.message() and "closest" in res.message()


def test_schema_ranges():
    assert schema_range("levers.ntb.cut.pharma") == (0.0, 1.0, False)
    assert schema_range("levers.oil.volume_mbd") == (0.0, 10.0, False)
    assert schema_range("corridors.routes.instc.capacity_mt") == (0.0, 1000.0, True)
    assert schema_range("macro.india_gdp_growth") == (-0.3, 0.3, False)


def test_year_reaching(baseline):
    hot = with_values(baseline, {"levers.oil.brent_usd": 130.0})  # total trade rises to >= 100
    path = run_batch(hot).total[0]
    threshold = (path[0] + path.max()) / 2  # crossed after the base year, whatever the data
    first, years, got = year_reaching(hot, "total_trade", threshold)
    t = list(years).index(first)
    np.testing.assert_array_equal(got, path)
    assert t > 0 and path[t] >= threshold and (path[:t] < threshold).all()
    assert year_reaching(baseline, "total_trade", 1000.0)[0] is None  # never: None, not -1
    brent = load_scenario(SCENARIOS / "baseline.toml")
    hot = with_values(brent, {"levers.oil.brent_usd": 130.0})
    assert isinstance(year_reaching(hot, "total_trade", 95.0)[0], int)


def test_cli_answers_and_exit_codes(cli):
    code, out, err = cli("seek", SCENARIOS / "baseline.toml", "--lever", "levers.oil.volume_mbd",
                         "--target", "balance=-30", "--year", "2029-30")
    assert code == 0, err
    expected = seek(load_scenario(SCENARIOS / "baseline.toml"), "levers.oil.volume_mbd",
                    "balance", -30.0, 2029)
    assert "largest value" in out and f"levers.oil.volume_mbd = {expected.value:.6g} " in out
    code, out, _ = cli("seek", SCENARIOS / "baseline.toml", "--lever", "levers.ntb.cut.pharma",
                       "--target", "balance=-30", "--year", "2029-30")
    assert code == 3 and "not reachable" in out and "closest" in out
    code, out, _ = cli("seek", SCENARIOS / "baseline.toml", "--year-reaching", "total_trade=100")
    assert code == 3 and "does not reach 100" in out


@pytest.mark.parametrize("args, needle", [
    (["--lever", "levers.oil.volum", "--target", "balance=-30", "--year", "2029"], "did you mean"),
    (["--lever", "levers.oil.volume_mbd", "--target", "surplus=3", "--year", "2029"], "unknown metric"),
    (["--lever", "levers.oil.volume_mbd", "--target", "balance=-30", "--year", "2040"], "outside"),
    (["--lever", "levers.oil.volume_mbd", "--target", "balance=-30", "--year", "2024"], "outside"),
    (["--lever", "levers.oil.volume_mbd", "--target", "balance", "--year", "2029"], "METRIC=VALUE"),
    (["--lever", "levers.oil.volume_mbd", "--target", "balance=-30", "--year", "2029",
      "--hi", "50"], "allows"),
    (["--year-reaching", "trade=100"], "unknown metric"),
])
def test_cli_bad_input_exit_2(cli, args, needle):
    code, _, err = cli("seek", SCENARIOS / "baseline.toml", *args)
    assert code == 2 and needle in err and "Traceback" not in err


@pytest.mark.parametrize("lo, hi, flag, needle", [
    ("nan", "80", "--lo", "must be a finite number (NaN and infinity are not allowed)"),
    ("50", "inf", "--hi", "must be a finite number (NaN and infinity are not allowed)"),
])
def test_seek_bounds_nan_inf_say_finite(cli, lo, hi, flag, needle):
    """Audit: `--lo nan` said '--lo must be below --hi (got nan, 80)'."""
    code, out, err = cli("seek", SCENARIOS / "baseline.toml", "--lever", "levers.oil.brent_usd",
                         "--target", "balance=-30", "--year", "2029-30", "--lo", lo, "--hi", hi)
    assert code == 2 and out == "" and needle in err and flag in err, err


def test_seek_range_message_shows_an_open_bound_as_open(cli):
    """Audit: an elasticity's range (0, 50] was shown as [5e-05, 50]."""
    code, _, err = cli("seek", SCENARIOS / "baseline.toml", "--lever",
                       "flows.engineering.elasticity", "--target", "exports=6", "--year",
                       "2029-30", "--lo", "-1.5", "--hi", "2")
    assert code == 2 and "allows (0, 50]" in err, err
