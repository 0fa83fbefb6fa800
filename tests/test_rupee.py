"""Rupee balance: the stock Russia accumulates from rupee-settled sales, as an output path."""

import numpy as np
import pandas as pd
import pytest

from model.api import run
from model.results import RUPEE_COLUMNS, SUMMARY_COLUMNS, rupee_balance
from model.schema import RUPEE_SHARE_DEFAULT

from conftest import SCENARIOS

BASE = 'extends = "baseline.toml"\n'


def test_known_answer_and_floor_at_zero():
    imports = np.array([[10.0, 10.0, 10.0, 2.0, 2.0]])
    exports = np.array([[5.0, 5.0, 5.0, 5.0, 5.0]])
    receipts, spending, stock = rupee_balance(imports, exports, 0.5, 1.0)
    np.testing.assert_allclose(receipts, [[5, 5, 5, 1, 1]])
    np.testing.assert_allclose(stock, [[0, 0, 0, 0, 0]])  # spending exhausts receipts
    _, _, stock = rupee_balance(imports, exports, 1.0, 0.4)
    np.testing.assert_allclose(stock, [[8, 16, 24, 24, 24]])  # 2 - 2 = 0 added at the end
    _, _, stock = rupee_balance(np.array([[10.0, 0.0, 0.0]]), np.array([[0.0, 4.0, 4.0]]), 1.0, 1.0)
    np.testing.assert_allclose(stock, [[10, 6, 2]])


def test_run_writes_rupee_csv_and_keeps_summary_columns(cli, tmp_path):
    code, _, err = cli("run", SCENARIOS / "baseline.toml", "--out", tmp_path, "--no-plots", "-q")
    assert code == 0, err
    rupee = pd.read_csv(tmp_path / "baseline" / "rupee.csv")
    summary = pd.read_csv(tmp_path / "baseline" / "summary.csv")
    assert list(rupee.columns) == RUPEE_COLUMNS and list(summary.columns) == SUMMARY_COLUMNS
    np.testing.assert_allclose(rupee["rupee_receipts_usd_bn"],
                               RUPEE_SHARE_DEFAULT * summary["imports_usd_bn"], rtol=1e-9)
    assert rupee["rupee_balance_usd_bn"].is_monotonic_increasing  # deficit: the stock grows


def test_share_path_and_oil_cut_shrink_the_stock(write_scenario):
    base = run(write_scenario(BASE)).rupee
    low = run(write_scenario(BASE + '[levers.payments]\nrupee_share = { "2024-25" = 0.2, '
                             '"2027-28" = 0.05 }\n', "low.toml")).rupee
    assert low["rupee_balance_usd_bn"].iloc[2] == pytest.approx(base["rupee_balance_usd_bn"].iloc[2])
    assert low["rupee_balance_usd_bn"].iloc[-1] < base["rupee_balance_usd_bn"].iloc[-1]
    cut = run(write_scenario(BASE + "[levers.oil]\nvolume_mbd = 0.5\n", "cut.toml")).rupee
    assert cut["rupee_balance_usd_bn"].iloc[-1] < base["rupee_balance_usd_bn"].iloc[-1]


def test_bad_share_exit_2(cli, write_scenario, tmp_path):
    path = write_scenario(BASE + "[levers.payments]\nrupee_share = 1.5\n")
    code, _, err = cli("run", path, "--out", tmp_path / "o")
    assert code == 2 and "levers.payments.rupee_share" in err
    assert not (tmp_path / "o").exists()
