"""Shapley decomposition by lever group: efficiency, dummy groups, known two-player answer."""

import numpy as np
import pandas as pd
import pytest

from model.analysis.decompose import (DECOMPOSITION_COLUMNS, GROUPS, coalition, decompose,
                                      differing_groups, shapley)
from model.projection import run_batch
from model.scenario import load_scenario

from conftest import SCENARIOS

BASE = 'extends = "baseline.toml"\n'


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SCENARIOS / "baseline.toml")


def test_parts_sum_to_total_change_every_year(baseline):
    sc = load_scenario(SCENARIOS / "balanced_push.toml")
    dec = decompose(sc, baseline)
    assert dec.runs == 16  # fta, ntb, corridors, payments
    solo_sc, solo_ref = run_batch(sc), run_batch(baseline)
    np.testing.assert_allclose(dec.balance.sum(axis=0), solo_sc.balance[0] - solo_ref.balance[0],
                               atol=1e-9, rtol=0)
    np.testing.assert_allclose(dec.total_trade.sum(axis=0), solo_sc.total[0] - solo_ref.total[0],
                               atol=1e-9, rtol=0)
    moved = {g for i, g in enumerate(dec.groups) if np.any(dec.balance[i] != 0)}
    assert moved == {"fta", "ntb", "corridors", "payments"}
    fta = dec.groups.index("fta")
    assert dec.total_trade[fta, -1] > 1.0  # the FTA adds trade by FY2034-35


def test_one_group_changed_takes_all_the_change(baseline, write_scenario):
    sc = load_scenario(write_scenario(BASE + "[levers.oil]\nvolume_mbd = 1.0\n"))
    dec = decompose(sc, baseline)
    oil = dec.groups.index("oil")
    total = run_batch(sc).balance[0] - run_batch(baseline).balance[0]
    np.testing.assert_allclose(dec.balance[oil], total, atol=1e-9, rtol=0)
    others = np.delete(dec.balance, oil, axis=0)
    assert np.all(others == 0.0) and np.all(np.delete(dec.total_trade, oil, axis=0) == 0.0)
    assert dec.balance[oil, -1] > 10  # less Russian crude: a smaller deficit


def test_group_with_no_effect_gets_exactly_zero(baseline, write_scenario):
    # payments section differs (a start year) but the friction is unchanged: a null player
    sc = load_scenario(write_scenario(BASE + "[levers.oil]\nvolume_mbd = 1.2\n"
                                      "[levers.payments]\nstart = 2030\n"))
    assert differing_groups(sc, baseline) == ["oil", "payments"]
    dec = decompose(sc, baseline)
    assert np.all(dec.balance[dec.groups.index("payments")] == 0.0)


def test_two_groups_match_the_hand_formula(baseline, write_scenario):
    sc = load_scenario(write_scenario(BASE + "[levers.fta]\neaeu_tariff_cut = 1.0\n"
                                      "india_tariff_cut = 1.0\n[levers.payments]\nfriction = 0.0\n"))
    dec = decompose(sc, baseline)
    v = {g: run_batch(coalition(sc, baseline, g)).balance[0] for g in
         [(), ("fta",), ("payments",), ("fta", "payments")]}
    phi_fta = 0.5 * ((v[("fta",)] - v[()]) + (v[("fta", "payments")] - v[("payments",)]))
    np.testing.assert_allclose(dec.balance[dec.groups.index("fta")], phi_fta, atol=1e-9)


def test_shapley_known_answer():
    # v(S) = |S|^2 for 3 symmetric players: each gets 9/3 = 3
    values = np.array([bin(m).count("1") ** 2 for m in range(8)], dtype=float)
    np.testing.assert_allclose(shapley(values, 3), [3.0, 3.0, 3.0])


def test_cli_writes_table_and_waterfall(cli, tmp_path):
    code, out, err = cli("decompose", SCENARIOS / "balanced_push.toml", "--against",
                         SCENARIOS / "baseline.toml", "--year", "2029-30", "--out", tmp_path)
    assert code == 0, err
    d = tmp_path / "balanced_push-vs-baseline"
    table = pd.read_csv(d / "decomposition.csv")
    assert list(table.columns) == DECOMPOSITION_COLUMNS
    assert set(table["group"]) == set(GROUPS) and len(table) == 11 * len(GROUPS)
    assert (d / "waterfall.png").stat().st_size > 10_000
    assert "fta" in out and "2029-30" in out


@pytest.mark.parametrize("args, needle", [
    (["--year", "2040"], "outside the horizon"),
    (["--year", "soon"], "--year"),
])
def test_cli_bad_input_exit_2_nothing_written(cli, tmp_path, args, needle):
    code, _, err = cli("decompose", SCENARIOS / "balanced_push.toml", "--out", tmp_path / "o", *args)
    assert code == 2 and needle in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_trigger_counts_with_the_group_it_sets():
    sc = load_scenario(SCENARIOS / "trigger_snapback.toml")
    ref = load_scenario(SCENARIOS / "us_deal_18.toml")
    assert differing_groups(sc, ref) == ["oil", "us_tariffs"]  # the snap-back is a tariff lever
    dec = decompose(sc, ref)
    total = run_batch(sc).balance[0] - run_batch(ref).balance[0]
    np.testing.assert_allclose(dec.balance.sum(axis=0), total, atol=1e-9, rtol=0)
    tariff = dec.balance[dec.groups.index("us_tariffs")]
    assert np.all(tariff[:6] == 0) and np.all(tariff[6:] > 0)  # acts from FY2030-31
