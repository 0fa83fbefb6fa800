"""The fy2025-26 dataset: dated paths, the FY2025-26 nowcast, --dataset, coverage on the CLI."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import SCENARIOS

from model import engine
from model.api import run
from model.data import load_baseline
from model.projection import run_batch
from model.scenario import load_scenario

BASE = 'extends = "baseline.toml"\n'


@pytest.fixture(scope="module")
def base():
    return load_baseline()


def test_crude_in_fy2025_26_is_observed_months_plus_model(base):
    res = run(SCENARIOS / "baseline.toml")
    crude = res.flows.set_index(["fiscal_year", "flow"])["value_usd_bn"]
    months = base.observed_months("crude", 2025)
    observed = sum(m.numbers["value_usd_bn"].value for m in months)
    assert len(months) == 10 and observed == pytest.approx(35.4)
    # the model part: volume x price on the dated paths, at the FY2024-25 valuation factor
    e = {k: base.energy[k].value for k in ("crude_volume_mbd", "brent_usd_bbl",
                                          "urals_discount_usd_bbl")}
    factor = base.energy["crude_value"].value / engine.crude_value_bn(*e.values())
    modelled = engine.crude_value_bn(base.path("levers.oil.volume_mbd")[2025],
                                     base.path("levers.oil.brent_usd")[2025],
                                     base.path("levers.oil.discount_usd")[2025], factor)
    assert crude[("2025-26", "crude")] == pytest.approx(observed + modelled * 2 / 12, rel=1e-12)
    assert list(res.summary["status"][:3]) == ["observed", "nowcast", "projection"]


def test_without_monthly_values_the_year_is_the_model(base):
    pure = dataclasses.replace(base, monthly=())
    sc = load_scenario(SCENARIOS / "baseline.toml")
    with_months, without = run_batch(sc, baseline=base), run_batch(sc, baseline=pure)
    ci = with_months.flow_names.index("crude")
    assert with_months.flows[0, ci, 1] != pytest.approx(without.flows[0, ci, 1])
    np.testing.assert_array_equal(with_months.flows[0, ci, 2:], without.flows[0, ci, 2:])


def test_dated_paths_are_the_baseline_and_levers_override_them(write_scenario, base):
    sc = load_scenario(SCENARIOS / "baseline.toml")
    from model.drivers import oil_paths

    years = np.arange(2024, 2030)
    volume, brent, discount, _ = oil_paths(sc, base, years)
    assert brent[0].tolist() == [78.5, 70.0, 75.2, 64.7, 64.7, 64.7]
    assert volume[0, 1] == 1.591 and discount[0, 2] == 3.0
    lever = load_scenario(write_scenario(BASE + '[levers.oil]\nstart = "2027-28"\n'
                                                'brent_usd = 90.0\n'))
    _, brent2, _, _ = oil_paths(lever, base, years)
    assert brent2[0].tolist() == [78.5, 70.0, 75.2, 90.0, 90.0, 90.0]


def test_one_key_path_holds_the_baseline_before_its_year(write_scenario):
    """Issue 13 trap: { "2026-27" = 1.0 } must not act in FY2025-26; start = "2026-27" agrees."""
    keyed = run(load_scenario(write_scenario(BASE + '[levers.oil]\nphase_in_years = 0\n'
                                                    'volume_mbd = { "2026-27" = 1.0 }\n', "a.toml")))
    started = run(load_scenario(write_scenario(BASE + '[levers.oil]\nstart = "2026-27"\n'
                                                      'phase_in_years = 0\nvolume_mbd = 1.0\n',
                                               "b.toml")))
    base = run(SCENARIOS / "baseline.toml").summary
    for res in (keyed, started):
        s = res.summary
        assert s["balance_usd_bn"].iloc[1] == pytest.approx(base["balance_usd_bn"].iloc[1])
        assert s["balance_usd_bn"].iloc[2] > base["balance_usd_bn"].iloc[2] + 5
    assert keyed.summary["balance_usd_bn"].tolist() == pytest.approx(
        started.summary["balance_usd_bn"].tolist())


def test_edible_oil_duty_cut_raises_vegetable_oil_imports(base):
    res = run(SCENARIOS / "baseline.toml").flows.set_index(["fiscal_year", "flow"])["value_usd_bn"]
    old = run(load_scenario(SCENARIOS / "baseline.toml", dataset="fy2024-25")).flows.set_index(
        ["fiscal_year", "flow"])["value_usd_bn"]
    # same demand growth; the dated duty cut (27.5% -> 18.3% in FY2025-26) lowers T(t)
    ratio = res[("2025-26", "vegetable_oils")] / old[("2025-26", "vegetable_oils")]
    assert ratio > 1.05


def test_run_dataset_option_reproduces_earlier_results(cli, tmp_path):
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--dataset", "fy2024-25",
                       "--out", tmp_path, "--no-plots", "-q")
    assert code == 0, err
    text = (tmp_path / "baseline" / "summary.csv").read_text().splitlines()
    last = text[-1].split(",")
    assert last[0] == "2034-35" and float(last[4]) == pytest.approx(-60.74, abs=0.005)
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--dataset", "fy1999", "--out",
                       tmp_path / "x")
    assert code == 2 and "settings.dataset" in err and not (tmp_path / "x").exists()


def test_coverage_command_prints_both_tables(cli):
    code, out, _ = cli("data", "--coverage")
    assert code == 0
    assert "share of each official total" in out and "rests_on_r_pct" in out
    # years with HS rows but no official total say so, not NaN
    assert "NaN" not in out and "export     2017-18              n/a" in out
    assert "n/a: the dataset holds no official total" in out
    code, out, _ = cli("data", "--coverage", "--csv")
    lines = out.splitlines()
    assert lines[0].startswith("direction,fiscal_year") and any("label_shares" in x for x in lines)


def test_unknown_section_is_exit_2(cli):
    with pytest.raises(SystemExit) as e:
        cli("data", "--section", "bogus")
    assert e.value.code == 2


USER_DATASET = '''extends = "fy2025-26"

[[monthly]]
flow = "crude"
month = "2026-02"
value_usd_bn = { value = 1.9, conf = "F-sec", source = "a newer month, as a user would add it" }
'''


def test_a_user_dataset_adds_a_month_without_code(cli, tmp_path, write_scenario):
    data = tmp_path / "mine.toml"
    data.write_text(USER_DATASET)
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--dataset", data, "--out",
                       tmp_path / "out", "--no-plots", "-q")
    assert code == 0, err
    mine = (tmp_path / "out" / "baseline" / "summary.csv").read_text().splitlines()
    ours = run(SCENARIOS / "baseline.toml").summary
    imports = float(mine[2].split(",")[2])
    # February replaces 1/12 of the modelled annual crude value with the observed 1.9
    crude = run(SCENARIOS / "baseline.toml").flows.set_index(["fiscal_year", "flow"])
    annual = (crude.loc[("2025-26", "crude"), "value_usd_bn"] - 35.4) * 12 / 2
    assert imports == pytest.approx(ours["imports_usd_bn"].iloc[1] - annual / 12 + 1.9, rel=1e-9)
    code, out, _ = cli("rerun", tmp_path / "out" / "baseline" / "manifest.json")
    assert code == 0 and "reproduced" in out
    # a scenario file may name the dataset file, found next to it
    sc = write_scenario(f'extends = "{SCENARIOS / "baseline.toml"}"\n[settings]\n'
                        'dataset = "mine.toml"\n', "s.toml")
    (sc.parent / "mine.toml").write_text(USER_DATASET)
    assert load_scenario(sc).settings.dataset == str((sc.parent / "mine.toml").resolve())


def test_a_bad_user_dataset_is_exit_2(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(USER_DATASET.replace('flow = "crude"', 'flow = "pharma"'))
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--dataset", bad, "--out", tmp_path / "o")
    assert code == 2 and "bad.toml" in err and "monthly" in err and not (tmp_path / "o").exists()
    (tmp_path / "ext.toml").write_text('extends = "fy1999"\n')
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--dataset", tmp_path / "ext.toml",
                       "--out", tmp_path / "o")
    assert code == 2 and "extends" in err and "fy2025-26" in err


SRC = 'source = "Commerce Ministry via a newspaper, 1 Mar 2026"'
TIMELINE = ('extends = "fy2025-26"\n[[timeline]]\npath = "{path}"\nfiscal_year = "{fy}"\n'
            'value = {{ value = {value}, conf = "D", ' + SRC + ' }}\n')
MONTH = ('extends = "fy2025-26"\n[[monthly]]\nflow = "crude"\nmonth = "{month}"\n'
         'value_usd_bn = {{ value = {value}, conf = "F-sec", ' + SRC + ' }}\n')


@pytest.mark.parametrize("text, needles", [
    # a typo'd path was ignored without a word
    (TIMELINE.format(path="levers.oil.brnt_usd", fy="2026-27", value=82.0),
     ["timeline", "levers.oil.brnt_usd", "did you mean 'levers.oil.brent_usd'"]),
    (TIMELINE.format(path="flows.vegtable_oils.tariff", fy="2026-27", value=0.1),
     ["timeline", "flows.vegtable_oils.tariff"]),
    # a negative Brent was blamed on the scenario's levers.oil.discount_usd
    (TIMELINE.format(path="levers.oil.brent_usd", fy="2026-27", value=-82.0),
     ["timeline", "levers.oil.brent_usd", "-82"]),
    (TIMELINE.format(path="levers.oil.brent_usd", fy="2020-21", value=82.0),
     ["timeline", "2020-21", "after the base year"]),
    (MONTH.format(month="2026-02", value=-3.0), ["monthly", "value", "-3"]),
    (MONTH.format(month="2029-02", value=1.9), ["monthly", "2029-02", "latest_year"]),
    (MONTH.format(month="Feb 2026", value=1.9), ["monthly", "Feb 2026", "YYYY-MM"]),
    ('extends = "fy2025-26"\nbogus = 1\n', ["bogus", "unknown key", "timeline"]),
    ("", ["empty", "extends"]),
    ('[meta]\nvintage = "mine"\n', ["meta.base_year", "extends"]),
])
def test_a_user_dataset_is_checked_like_a_scenario(cli, tmp_path, text, needles):
    """Audit: a user dataset's dated values and months reach the model; a typo'd path, an
    out-of-range value, a month outside the nowcast year or an unknown key was taken silently
    (or blamed on another file, or reported as "bad dataset: 'base_year'")."""
    data = tmp_path / "mine.toml"
    data.write_text(text)
    code, out, err = cli("run", SCENARIOS / "baseline.toml", "--dataset", data, "--out",
                         tmp_path / "o", "--no-plots", "-q")
    assert code == 2 and not (tmp_path / "o").exists(), err
    assert len(err.strip().splitlines()) == 1 and str(data) in err, err
    for needle in needles:
        assert needle in err, err
