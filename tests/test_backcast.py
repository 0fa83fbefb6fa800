"""Backcast: FY2021-22 dataset + observed energy/bulk inputs -> FY2022-23..FY2024-25 vs official.

The numbers asserted are the real backcast errors (see docs/methodology.md, "Backcast").
"""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from model import engine
from model.analysis.backcast import (
    BACKCAST_COLUMNS,
    HISTORY_SCENARIO,
    METRICS,
    actual_totals,
    error_pct,
    run_backcast,
)
from model.data import load_baseline
from model.scenario import load_scenario

# observed quantities and prices, the observed 2022 exit of Western suppliers (rival shocks) and
# India's observed electronics export capacity
OBSERVED_LEVERS = {"oil", "lng", "coal", "fertiliser", "vegetable_oil", "rivals", "capacity"}


@pytest.fixture(scope="module")
def backcast():
    return run_backcast()


def test_history_scenario_starts_from_fy2021_dataset():
    sc = load_scenario(HISTORY_SCENARIO)
    assert sc.settings.dataset == "fy2021-22"
    assert sc.settings.horizon_end == 2024


def test_history_sets_only_observed_inputs():
    raw = tomllib.loads(HISTORY_SCENARIO.read_text())
    assert set(raw) <= {"name", "description", "settings", "macro", "levers", "corridors"}
    assert set(raw["levers"]) <= OBSERVED_LEVERS  # no policy levers, no flow overrides
    assert set(raw["settings"]) == {"dataset", "horizon_end"}  # nothing tuned
    # corridors: only the 2022 container-line exit, containers split off the Suez route
    routes = raw["corridors"]["routes"]
    assert set(raw["corridors"]) == {"routes"} and set(routes) == {"suez", "suez_container"}
    assert routes["suez"] == {"modes": ["bulk"]}


def test_container_exit_is_a_fy2022_23_corridor_shock_from_its_sources():
    """3.5 of FY2022-23's 12 months on the Far East detour (+7.5 days, +$2,000 a TEU of 14 t),
    the default Suez route before and after: the arithmetic of history.toml's comment."""
    r = load_scenario(HISTORY_SCENARIO).corridors.routes
    default = load_scenario(HISTORY_SCENARIO.parent / "baseline.toml").corridors.routes["suez"]
    c = r["suez_container"]
    assert c.modes == ("container",) and r["suez"].modes == ("bulk",)
    assert c.days == {2021: default.days, 2022: pytest.approx(40 + 3.5 / 12 * 7.5),
                      2023: default.days}
    rate = default.freight_usd_per_t["container"]
    assert c.freight_usd_per_t["container"] == {
        2021: rate, 2022: pytest.approx(rate + 3.5 / 12 * 2000 / 14, abs=0.01), 2023: rate}


def test_container_exit_lowers_fy2022_23_exports_only_through_the_corridor(backcast):
    """Without the shock (one Suez route, default days and freight) FY2022-23 exports are higher;
    imports of energy, priced and not routed, do not move."""
    from model.api import run
    from model.scenario import resolve_extends, validate

    raw = resolve_extends(HISTORY_SCENARIO)
    raw.pop("corridors")
    plain = run(validate(raw)).summary.set_index("fiscal_year")
    shocked = backcast[0].summary.set_index("fiscal_year")
    assert plain.at["2021-22", "exports_usd_bn"] == shocked.at["2021-22", "exports_usd_bn"]
    assert shocked.at["2022-23", "exports_usd_bn"] < 0.97 * plain.at["2022-23", "exports_usd_bn"]
    crude = lambda res: res.flows.query("flow == 'crude'")["value_usd_bn"].to_numpy()  # noqa: E731
    assert np.array_equal(crude(backcast[0]), crude(run(validate(raw))))


def test_fy2021_dataset_matches_official_fy22_totals_and_flow_layout():
    old, new = load_baseline("fy2021-22"), load_baseline("fy2024-25")
    assert old.base_year == 2021
    assert old.totals["exports"].value == 3.25 and old.totals["imports"].value == 9.87
    assert sum(f.value.value for f in old.flows if f.direction == "import") == pytest.approx(9.87)
    layout = lambda b: [(f.name, f.direction, f.kind, f.mode) for f in b.flows]  # noqa: E731
    assert layout(old) == layout(new)
    # export flows are the EIDB FY2021-22 rows: pharma = ch. 30 (ex 3004) + 3004, found (F)
    rows = old.hs[(old.hs["fiscal_year"] == "2021-22") & old.hs["hs"].isin(["30", "3004"])]
    assert old.flow("pharma").value.value == pytest.approx(rows["value_usd_mn"].sum() / 1e3)
    assert old.flow("pharma").value.conf == "F"
    assert old.energy["coal_volume_mt"].value == 5.1
    assert old.energy["fertiliser_volume_mt"].value == 1.10


def _valuation(base):
    e = base.energy
    return e["crude_value"].value / engine.crude_value_bn(
        e["crude_volume_mbd"].value, e["brent_usd_bbl"].value, e["urals_discount_usd_bbl"].value)


def test_crude_valuation_is_not_calibrated_on_fy2024_25():
    assert _valuation(load_baseline("fy2021-22")) == pytest.approx(1.0, abs=1e-5)
    assert _valuation(load_baseline("fy2024-25")) == pytest.approx(1.05, abs=0.01)
    assert load_baseline("fy2021-22").flow("crude").value.value == pytest.approx(
        load_baseline("fy2021-22").energy["crude_value"].value)


def test_actuals_come_from_the_official_history():
    a = actual_totals(load_baseline("fy2024-25")).set_index(["fiscal_year", "metric"])["actual"]
    assert a["2024-25", "balance"] == pytest.approx(-58.96)
    assert a["2022-23", "total_trade"] == pytest.approx(49.34)


def test_table_covers_three_years_and_four_metrics(backcast):
    _, table, inputs = backcast
    assert list(table.columns) == BACKCAST_COLUMNS
    assert sorted(table["fiscal_year"].unique()) == ["2022-23", "2023-24", "2024-25"]
    assert set(table["metric"]) == set(METRICS)
    assert np.allclose(table["error_pct"], error_pct(table["model"], table["actual"]))
    assert (inputs["role"] == "observed input").all()
    assert {p.split(".")[1] for p in inputs["path"] if p.startswith("levers.")} == OBSERVED_LEVERS
    route = "corridors.routes.suez_container."
    assert {p for p in inputs["path"] if p.startswith("corridors.")} == {
        route + "days", route + "freight_usd_per_t.container"}


def test_total_trade_and_balance_within_ten_percent(backcast):
    _, table, _ = backcast
    key = table[table["metric"].isin(["total_trade", "balance"])]
    assert key["error_pct"].abs().max() < 10.0
    worst = key["error_pct"].abs().max()
    assert worst == pytest.approx(2.6, abs=0.3)  # the recorded backcast (methodology.md)


def test_export_errors_with_the_rival_structure(backcast):
    """With the 2022 Western exit and India's electronics capacity (competing-supplier model)
    FY2023-24 and FY2024-25 exports are within 10%; FY2022-23 is not: the 2022 payments and
    shipping disruption (SWIFT cut-off, lines not serving Russia; Lok Sabha replies, F) has no
    found size and is not modelled, so the model over-predicts that year."""
    _, table, _ = backcast
    x = table[table["metric"] == "exports"].set_index("fiscal_year")["error_pct"]
    assert abs(x["2023-24"]) < 10.0 and abs(x["2024-25"]) < 10.0
    assert x["2022-23"] > 10.0


def test_fy2022_23_export_miss_is_not_parametric(backcast):
    """The shipped sweep draws India's 2021 market shares and the substitution elasticities over
    their ranges (markets_2021.toml) in the history: no draw comes near FY2022-23's observed
    exports, so the miss is structural (docs/methodology.md, section 3), and the central
    backcast lies inside the band."""
    from model.sweep import load_sweep, run_sweep

    sweep = HISTORY_SCENARIO.parent / "sweeps" / "backcast_market_range.toml"
    spec, base = load_sweep(sweep)
    band = run_sweep(spec.model_copy(update={"n": 256}), out=None, base_dir=base).outcomes
    _, table, _ = backcast
    row = table[table["metric"] == "exports"].set_index("fiscal_year")
    low, high = band["exports:2022-23"].min(), band["exports:2022-23"].max()
    assert low > 1.1 * row.at["2022-23", "actual"]  # every draw over-predicts by more than 10%
    assert low < row.at["2022-23", "model"] < high
    assert high - low < 0.1 * row.at["2022-23", "model"]  # a narrow band: 3.46-3.58 at n=1024


def test_bilateral_model_misses_the_post_2022_surge():
    """The same history without rivals: exports track Russian GDP only."""
    from model.analysis.backcast import backcast_table, actual_totals, ACTUALS_DATASET
    from model.api import run
    from model.scenario import resolve_extends, validate

    raw = resolve_extends(HISTORY_SCENARIO)
    for k in ("rivals", "capacity"):
        raw["levers"].pop(k)
    raw["settings"]["competition"] = "bilateral"
    table = backcast_table(run(validate(raw)), actual_totals(load_baseline(ACTUALS_DATASET)))
    x = table[table["metric"] == "exports"].set_index("fiscal_year")["error_pct"]
    assert x["2024-25"] < -15.0


def test_crude_component_near_reported_values(backcast):
    """A component check not used as input: FY23 crude $31.02bn (FE/Lok Sabha, F-sec)."""
    result, _, _ = backcast
    crude = result.flows.query("flow == 'crude'").set_index("fiscal_year")["value_usd_bn"]
    assert crude["2022-23"] == pytest.approx(31.02, rel=0.1)
    assert crude["2024-25"] == pytest.approx(50.0, rel=0.1)  # Forbes India ~$50bn, F-sec


def test_cli_writes_tables_and_plot(cli, tmp_path):
    code, out, _ = cli("backcast", "--out", tmp_path)
    assert code == 0 and "observed inputs" in out and "predicted" in out
    d = tmp_path / "backcast"
    assert {p.name for p in d.iterdir()} == {"backcast.csv", "backcast_inputs.csv", "summary.csv",
                                             "backcast_flows.csv", "notes.md", "backcast.png",
                                             "manifest.json"}
    table = pd.read_csv(d / "backcast.csv")
    assert list(table.columns) == BACKCAST_COLUMNS and len(table) == 12
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp dirs left


def test_cli_missing_scenario_is_bad_input(cli, tmp_path):
    code, _, err = cli("backcast", "--scenario", tmp_path / "nope.toml", "--out", tmp_path)
    assert code == 2 and "not found" in err
    assert not (tmp_path / "backcast").exists()


def test_flows_are_scored_against_hs_tables_and_no_input_is_a_scored_value():
    from model.analysis.backcast import ACTUALS_DATASET, actual_flows, backcast_flows

    result, _, inputs = run_backcast()
    table = backcast_flows(result, actual_flows(load_baseline(ACTUALS_DATASET)))
    years = set(table["fiscal_year"])
    assert years == {"2022-23", "2023-24", "2024-25"}
    # every export flow is scored every year (the EIDB table covers them all)
    for fy in years:
        assert set(table[(table.fiscal_year == fy) & (table.direction == "export")]["flow"]) == \
            set(load_baseline(ACTUALS_DATASET).names("export"))
    crude = table[(table.flow == "crude") & (table.fiscal_year == "2022-23")].iloc[0]
    assert crude["actual"] == pytest.approx(31.02)
    assert crude["error_pct"] == pytest.approx(100 * (crude["model"] - 31.02) / 31.02)
    # bulk volumes fed in are found volumes, not scored values divided by a price
    fert = inputs[(inputs.path == "levers.fertiliser.volume_mt")].set_index("fiscal_year")["value"]
    assert fert["2024-25"] == 3.5 and fert["2024-25"] != pytest.approx(1.8 / 0.35)


def test_notes_name_every_miss_beyond_the_target(backcast):
    """notes.md lists the metrics outside +/-10% (here FY2022-23 exports) and the observed
    shocks among its inputs, so a reader of results/ alone sees both."""
    from model.analysis.backcast import notes

    _, table, _ = backcast
    text = notes(table, "history")
    missed = table[table["error_pct"].abs() > 10.0]
    assert list(missed["metric"]) == ["exports"]
    assert f"Outside +/-10%: exports 2022-23 {missed['error_pct'].iloc[0]:+.1f}%." in text
    assert "levers.rivals" in text


def test_queueing_override_of_the_split_route_is_bad_input(cli, tmp_path):
    """`--corridors` goes through the scenario's validation: the queueing models know only the
    four networked routes, so the history's `suez_container` is exit 2 with nothing written."""
    code, _, err = cli("run", HISTORY_SCENARIO, "--corridors", "surrogate", "--out", tmp_path / "o")
    assert code == 2 and "route 'suez_container' has no stage network" in err
    assert "history.toml: corridors:" in err and not (tmp_path / "o").exists()
