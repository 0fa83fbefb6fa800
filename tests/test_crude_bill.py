"""crude_bill.csv: the bilateral change and India's total crude bill when Russian crude is cut."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import SCENARIOS

from model.api import run


def test_cutting_russian_crude_reports_replacement_and_total_bill():
    bill = run(SCENARIOS / "us_deal_18.toml").crude_bill.set_index("fiscal_year")
    row = bill.loc["2027-28"]
    assert row["reference_mbd"] == 1.5 and row["russian_crude_mbd"] == 0.8
    assert row["cut_mbd"] == pytest.approx(0.7, rel=1e-9)
    # total demand responds a little (Em > 0): fewer replacement barrels than barrels cut
    assert 0.6 < row["replacement_mbd"] < 0.7
    # the bilateral saving is the cut at Russia's price; the bill rises by about the discount
    # forgone on the replaced barrels (first order at Em = 0, docs/markets.md)
    days_bn = 365 * 1e6 / 1e9
    assert row["russian_value_change_usd_bn"] == pytest.approx(
        -0.7 * row["russian_price_usd_bbl"] * days_bn, rel=1e-6)
    forgone = row["replacement_mbd"] * (row["rival_price_usd_bbl"] - row["russian_price_usd_bbl"]) \
        * days_bn
    assert 0 < row["india_crude_bill_change_usd_bn"] < 2.5 * forgone
    assert row["india_crude_bill_change_usd_bn"] == pytest.approx(
        row["replacement_cost_usd_bn"] + row["russian_value_change_usd_bn"], rel=1e-9)
    # no cut before the lever starts
    assert bill.loc["2025-26", "cut_mbd"] == 0 and bill.loc["2025-26",
                                                          "india_crude_bill_change_usd_bn"] == 0


def test_baseline_has_no_change_and_the_file_is_written_with_its_price_source(cli, tmp_path):
    assert (run(SCENARIOS / "baseline.toml").crude_bill["india_crude_bill_change_usd_bn"] == 0).all()
    code, _, err = cli("run", SCENARIOS / "oil_sanctions.toml", "--out", tmp_path, "--no-plots",
                       "-q")
    assert code == 0, err
    table = pd.read_csv(tmp_path / "oil_sanctions" / "crude_bill.csv")
    assert table["cut_mbd"].iloc[2:].tolist() == pytest.approx([0.4] * (len(table) - 2))
    manifest = json.loads((tmp_path / "oil_sanctions" / "manifest.json").read_text())
    assert "PPAC" in manifest["table_notes"]["crude_bill.csv"]
    assert "crude_bill.csv" in manifest["files"]


def test_crude_cut_scenario_shows_both_the_bilateral_and_the_total_bill():
    """scenarios/crude_cut_08.toml: the deficit with Russia shrinks by at least the crude saving
    (products follow), while India's total crude bill rises (the rivals' barrels cost more)."""
    cut, base = run(SCENARIOS / "crude_cut_08.toml"), run(SCENARIOS / "baseline.toml")
    bill = cut.crude_bill.set_index("fiscal_year")
    gain = (cut.summary.set_index("fiscal_year")["balance_usd_bn"]
            - base.summary.set_index("fiscal_year")["balance_usd_bn"])
    for fy in ("2026-27", "2029-30", "2034-35"):
        saving = -bill.loc[fy, "russian_value_change_usd_bn"]
        assert saving > 10 and gain[fy] >= saving - 1e-9
        assert bill.loc[fy, "india_crude_bill_change_usd_bn"] > 0
        assert bill.loc[fy, "replacement_cost_usd_bn"] > saving
    assert gain["2025-26"] == 0 and bill.loc["2025-26", "cut_mbd"] == 0
