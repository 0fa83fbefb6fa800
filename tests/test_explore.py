"""The explorer's pieces without a browser: controls from the schema, the TOML it writes, the
messages it shows, the uncertainty fan and the HTML export's refusals."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from conftest import ROOT, SHIPPED

import model
from model.bounds import schema_range
from model.errors import InputError
from model.explorer import state
from model.explorer.controls import GROUP_ORDER, controls
from model.scenario import load_scenario, numeric_paths, resolve_extends

BASELINE = ROOT / "scenarios" / "baseline.toml"


def test_one_control_per_lever_from_the_schema():
    sc = load_scenario(BASELINE)
    ctrl = {c.path: c for c in controls(sc)}
    levers = [p for p in numeric_paths(sc) if p.startswith(("levers.", "macro."))]
    assert set(levers) <= set(ctrl)  # every numeric lever, none left out by a hand list
    for must in ("levers.oil.volume_mbd", "levers.fta.eaeu_tariff_cut",
                 "corridors.routes.instc.capacity_mt", "levers.ntb.uptake_lag_years",
                 "levers.fta.start", "corridors.rasht_astara_open"):
        assert must in ctrl
    for path in levers:
        lo, hi, exclusive = schema_range(path)
        assert (ctrl[path].low, ctrl[path].high, ctrl[path].low_exclusive) == (lo, hi, exclusive)
    assert ctrl["levers.oil.volume_mbd"].unit == "mb/d"
    assert ctrl["levers.fta.start"].integer and ctrl["levers.fta.start"].low == 2025
    assert "Russian crude" in ctrl["levers.oil.volume_mbd"].label
    assert ctrl["levers.oil.volume_mbd"].help.startswith("Russian crude to India, mb/d")
    readme = {"oil", "lng", "us_tariffs", "fta", "ntb", "corridors", "payments", "macro"}
    assert readme <= {c.group for c in ctrl.values()} <= set(GROUP_ORDER)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_written_toml_reruns_to_the_same_bits(path):
    table = resolve_extends(path)
    table.setdefault("name", path.stem)
    text = state.download_text(table)
    assert tomllib.loads(text) == table
    again = state.scenario_of(tomllib.loads(text))
    a, b = model.run(load_scenario(path)).batch, model.run(again).batch
    assert np.array_equal(a.flows, b.flows) and np.array_equal(a.route_mt, b.route_mt)


def test_control_values_go_where_the_file_would_put_them():
    table = resolve_extends(ROOT / "scenarios" / "us_deal_18.toml")
    sc = state.scenario_of(table)
    shown = state.controls_from(sc, [c.path for c in controls(sc)])
    assert shown["levers.oil.volume_mbd"] == 0.8 and shown["levers.oil.brent_usd"] is None
    # untouched values leave the table alone; a moved one lands at its key
    assert state.apply(table, shown, shown) == table
    moved = state.apply(table, {**shown, "corridors.routes.instc.capacity_mt": 2.5}, shown)
    assert moved["corridors"]["routes"]["instc"] == {"capacity_mt": 2.5}
    res = model.run(state.scenario_of(moved)).summary.set_index("fiscal_year")
    ref = model.run(sc).summary.set_index("fiscal_year")
    assert res.loc["2029-30", "exports_usd_bn"] != ref.loc["2029-30", "exports_usd_bn"]


def test_bad_values_get_the_cli_message(write_scenario):
    path = write_scenario('extends = "baseline.toml"\n[levers.oil]\nvolume_mbd = 12.0\n')
    with pytest.raises(InputError) as from_file:
        load_scenario(path)
    table = state.apply(resolve_extends(BASELINE), {"levers.oil.volume_mbd": 12.0})
    with pytest.raises(InputError) as from_page:
        state.scenario_of(table)
    assert from_file.value.render() == f"{path}: {from_page.value.render()}"
    assert from_page.value.render().startswith("levers.oil.volume_mbd: ")


def test_uploaded_bytes_are_read_as_files_are(write_scenario):
    text = b'[levers.oil]\nvolume_mbd = = 1\n'
    path = write_scenario(text.decode(), name="broken.toml")
    with pytest.raises(InputError) as on_disk:
        load_scenario(path)
    with pytest.raises(InputError) as uploaded:
        state.resolve_text(text, file=str(path), base_dir=path.parent)
    assert uploaded.value.render() == on_disk.value.render()
    good = state.resolve_text(b'extends = "baseline.toml"\n[levers.fta]\neaeu_tariff_cut = 0.5\n',
                              file="mine.toml", base_dir=path.parent)
    assert good["name"] == "mine" and good["levers"]["fta"]["eaeu_tariff_cut"] == 0.5
    for bad in (b"", b"\xff\xfe", b"a = 1\x00"):
        with pytest.raises(InputError, match="^up.toml: "):
            state.resolve_text(bad, file="up.toml", base_dir=path.parent)


def test_fan_reuses_the_shipped_sweep_and_leaves_set_inputs_alone():
    table = resolve_extends(ROOT / "scenarios" / "us_deal_18.toml")  # sets volume and discount
    sc = state.scenario_of(table)
    names = state.fan_inputs(table)
    assert names == ["levers.oil.brent_usd", "levers.lng.volume_mt",
                     "levers.lng.price_usd_mmbtu"]
    fan = state.fan(sc, table, n=256)
    X = state._fan_design(tuple(names), 256)
    direct = model.run(sc, overrides={k: X[:, j] for j, k in enumerate(names)}).batch.balance
    assert fan["p50"] == np.percentile(direct, 50, axis=0).tolist()
    assert fan["p5"][0] == fan["p95"][0] == pytest.approx(-58.96)  # the observed base year
    p5, p95 = np.array(fan["p5"]), np.array(fan["p95"])
    assert (p95[2:] - p5[2:] > 1.0).all()  # Brent and LNG prices open a real fan
    # within the sweep's ranges: Brent 72 x lognormal(0.2) -> its 5..95% quantiles
    assert X[:, 0].min() > 20 and X[:, 0].max() < 200


def test_cli_refuses_bad_input_before_serving(cli, tmp_path):
    code, out, err = cli("explore", "--no-browser", tmp_path / "missing.toml")
    assert code == 2 and err.count("\n") == 1 and "missing.toml: file not found" in err
    code, _, err = cli("explore", "--no-browser", "--port", "70000")
    assert code == 2 and "--port must be 0..65535" in err


def test_export_refusals_write_nothing(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    cases = [(["--export", tmp_path / "x.html", tmp_path / "nothere"], "not a directory"),
             (["--export", tmp_path / "x.html", tmp_path / "empty"], "no run or sweep results"),
             (["--export", tmp_path / "x.png", tmp_path / "empty"], "name it FILE.html"),
             (["--export", tmp_path / "x.html"], "needs result directories")]
    for args, message in cases:
        code, _, err = cli("explore", *args)
        assert code == 2 and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_export_is_one_offline_file(cli, tmp_path):
    out = tmp_path / "results"
    assert cli("run", BASELINE, "--out", out, "--no-plots", "-q")[0] == 0
    page = tmp_path / "page.html"
    assert cli("explore", "--export", page, out / "baseline")[0] == 0
    text = page.read_text()
    assert "<script src=" not in text and "plotly.js v" in text  # the bundle inline, no fetch
    assert text.count('class="plotly-graph-div"') == 7
    assert "\"name\":\"baseline\"" in text  # the data travel in the page (plotly: base64 arrays)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "results"]
