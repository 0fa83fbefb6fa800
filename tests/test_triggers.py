"""Conditional triggers: evaluated on last year's quantities, per sample, inside the projection."""

import numpy as np
import pytest

from model.projection import run_batch
from model.scenario import load_scenario

from conftest import SCENARIOS

# the FY2024-25 dataset (flat paths): import levels cross the thresholds these tests set
BASE = 'extends = "baseline.toml"\n[settings]\ndataset = "fy2024-25"\n'
OIL = """[levers.oil]
start = 2025
phase_in_years = 0
volume_mbd = { "2025-26" = 0.8, "2028-29" = 1.2 }
[levers.us_tariff]
start = 2025
phase_in_years = 0
"""
SNAP = """[[triggers]]
when = "oil.volume_mbd > 1.0"
set = "levers.us_tariff.rate"
value = 0.50
otherwise = 0.18
"""


def test_tariff_flips_the_year_after_oil_crosses_threshold(write_scenario):
    sc = load_scenario(write_scenario(BASE + OIL + SNAP))
    b = run_batch(sc)
    years = list(b.years)
    on = dict(zip(years, b.triggered[0, 0], strict=True))
    # oil 1.7 mb/d in the base year -> 50% in 2025-26; 0.8 from 2025-26 -> 18% from 2026-27;
    # oil back above 1.0 in 2028-29 -> 50% from 2029-30 and not before
    assert on[2025] and not any(on[y] for y in (2026, 2027, 2028))
    assert all(on[y] for y in range(2029, 2035))
    # the same as writing the tariff path out by hand
    explicit = load_scenario(write_scenario(BASE + OIL + 'rate = { "2025-26" = 0.5, "2026-27" = '
                                            '0.18, "2029-30" = 0.5 }\n', "explicit.toml"))
    np.testing.assert_array_equal(b.flows, run_batch(explicit).flows)
    late = load_scenario(write_scenario(BASE + OIL + 'rate = { "2025-26" = 0.5, "2026-27" = '
                                        '0.18, "2028-29" = 0.5 }\n', "late.toml"))
    assert not np.allclose(b.exports[0, 4], run_batch(late).exports[0, 4])  # 2028-29 still 18%
    # a 50% US tariff diverts more Indian exports to Russia than 18% does
    flat = load_scenario(write_scenario(BASE + OIL + "rate = 0.18\n", "flat.toml"))
    assert b.exports[0, years.index(2029)] > run_batch(flat).exports[0, years.index(2029)]


def test_each_sample_follows_its_own_trigger(write_scenario):
    sc = load_scenario(write_scenario(BASE + OIL + SNAP))
    mult = np.array([1.0, 0.8, 0.5])  # 1.2, 0.96 and 0.6 mb/d after 2028-29
    b = run_batch(sc, {"levers.oil.sanctions_multiplier": mult})
    assert b.triggered[:, 0, -1].tolist() == [True, False, False]
    for i, m in enumerate(mult):
        solo = run_batch(sc, {"levers.oil.sanctions_multiplier": np.array([m])})
        np.testing.assert_allclose(b.flows[i], solo.flows[0], rtol=0, atol=1e-9)


def test_sanctions_tighten_when_imports_pass_threshold(write_scenario):
    text = BASE + """[levers.oil]
volume_mbd = { "2025-26" = 1.0, "2030-31" = 1.6 }
[[triggers]]
when = "imports >= 55"
set = "levers.oil.sanctions_multiplier"
value = 0.6
start = "2026-27"
"""
    b = run_batch(load_scenario(write_scenario(text)))
    years, on = list(b.years), b.triggered[0, 0]
    first = years[int(np.argmax(on))]
    assert on.any() and b.imports[0, years.index(first) - 1] >= 55
    assert not on[: years.index(2026)].any()  # not before its start year
    assert b.imports[0, years.index(first)] < b.imports[0, years.index(first) - 1]


def test_shipped_snapback_scenario():
    b = run_batch(load_scenario(SCENARIOS / "trigger_snapback.toml"))
    years = list(b.years)
    assert not b.triggered[0, 0, : years.index(2030)].any() and b.triggered[0, 0, years.index(2030):].all()
    assert run_batch(load_scenario(SCENARIOS / "baseline.toml")).triggered is None


@pytest.mark.parametrize("trigger, key, needle", [
    ('when = "oil.volum > 1.0"\nset = "levers.us_tariff.rate"\nvalue = 0.5\n',
     "triggers.0.when", "unknown quantity 'oil.volum'"),
    ('when = "oil.volume_mbd ~ 1.0"\nset = "levers.us_tariff.rate"\nvalue = 0.5\n',
     "triggers.0.when", "allowed operators"),
    ('when = "imports > lots"\nset = "levers.us_tariff.rate"\nvalue = 0.5\n',
     "triggers.0.when", "must be a number"),
    ('when = "imports > 60"\nset = "levers.us_tarif.rate"\nvalue = 0.5\n',
     "triggers.0.set", "did you mean 'levers.us_tariff.rate'"),
    ('when = "imports > 60"\nset = "levers.oil.sanctions_multiplier"\nvalue = 1.5\n',
     "triggers.0", "outside what"),
    ('when = "imports > 60"\nset = "levers.us_tariff.rate"\nvalue = 0.5\nthen = 1\n',
     "triggers.0.then", "unknown key"),
])
def test_bad_trigger_exit_2_nothing_written(cli, write_scenario, tmp_path, trigger, key, needle):
    path = write_scenario(BASE + "[[triggers]]\n" + trigger)
    code, _, err = cli("run", path, "--out", tmp_path / "out")
    assert code == 2 and f"{key}:" in err and needle in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
