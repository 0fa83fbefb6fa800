"""The CLI: bad sweep input -> one clear line, exit code 2, nothing written; a good run's files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
BASELINE = (ROOT / "scenarios" / "baseline.toml").as_posix()

TOY = """method = "sobol"
n = 256
evaluator = "toy:ishigami"
outcomes = ["y"]
[parameters.x1]
low = -3.14
high = 3.14
[parameters.x2]
low = -3.14
high = 3.14
[parameters.x3]
low = -3.14
high = 3.14
"""
OIL = f"""scenario = "{BASELINE}"
method = "montecarlo"
n = 64
outcomes = ["balance:2029-30"]
[parameters."levers.oil.brent_usd"]
low = 60.0
high = 90.0
[parameters."levers.oil.volume_mbd"]
low = 1.0
high = 2.0
"""
CORR = '[[correlations]]\nparams = ["x1", "x2"]\nrho = {rho}\n'
CORR3 = "".join(f'[[correlations]]\nparams = ["{a}", "{b}"]\nrho = {r}\n'
                for a, b, r in (("x1", "x2", 0.9), ("x1", "x3", 0.9), ("x2", "x3", -0.9)))

BAD = {
    "unknown parameter path": (OIL.replace("oil.brent_usd", "oil.brent"),
                               "did you mean 'levers.oil.brent_usd'"),
    "unknown toy parameter": (TOY.replace("parameters.x3", "parameters.x9"), "unknown parameter"),
    "low > high": (TOY.replace("low = -3.14\nhigh = 3.14\n[parameters.x3]",
                               "low = 2.0\nhigh = 1.0\n[parameters.x3]"), "low must be < high"),
    "sobol n not a power of two": (TOY.replace("n = 256", "n = 1000"), "power of two"),
    "not positive definite": (TOY.replace('"sobol"', '"montecarlo"') + CORR3,
                              "not positive definite"),
    "sobol with correlations": (TOY + CORR.format(rho=0.5), "independent inputs"),
    "unknown method": (TOY.replace('"sobol"', '"sobl"'), "must be 'grid'"),
    "unknown distribution": (TOY.replace("[parameters.x3]\n", '[parameters.x3]\ndist = "beta"\n'),
                             "must be 'uniform'"),
    "misspelt key": (TOY.replace("outcomes", "outcome"), "did you mean 'outcomes'"),
    "rho out of range": (TOY.replace('"sobol"', '"montecarlo"') + CORR.format(rho=1.5),
                         "rho"),
    "absurd size": (TOY.replace('"sobol"', '"montecarlo"\nsampler = "random"').replace(
        "n = 256", "n = 1_000_000_000_000"), "hours"),
    "outcome outside horizon": (OIL.replace("2029-30", "2040-41"), "outside the horizon"),
    "unknown outcome": (OIL.replace("balance:2029-30", "deficit:2029-30"), "unknown outcome"),
    "missing scenario": (OIL.replace(BASELINE, "nowhere.toml"), "not found"),
    "bad toml": ("method = ", "TOML syntax error"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_and_writes_nothing(case, tmp_path, cli):
    text, expected = BAD[case]
    sweep = tmp_path / "bad.toml"
    sweep.write_text(text)
    out = tmp_path / "out"
    code, stdout, err = cli("sweep", sweep, "--out", out)
    assert code == 2, err
    assert expected in err
    assert err.startswith("tradesim sweep: error: ") and err.count("\n") == 1, err
    assert "bad.toml" in err or case == "absurd size"
    assert not out.exists()


def test_absurd_size_reports_time_and_memory(tmp_path, cli):
    sweep = tmp_path / "big.toml"
    sweep.write_text(BAD["absurd size"][0])
    _, _, err = cli("sweep", sweep, "--out", tmp_path / "out")
    assert "1,000,000,000,000 model evaluations" in err and "GB" in err


def test_bad_options_exit_2(tmp_path, cli):
    sweep = tmp_path / "ok.toml"
    sweep.write_text(TOY)
    code, _, err = cli("sweep", sweep, "--out", tmp_path / "o", "--dask-address", "nowhere:1")
    assert code == 2 and "tcp://HOST:PORT" in err
    with pytest.raises(SystemExit) as exc:
        cli("sweep", sweep, "--workers", "0")
    assert exc.value.code == 2
    assert not (tmp_path / "o").exists()


def test_good_run_writes_tables_plots_and_manifest(tmp_path, cli):
    sweep = tmp_path / "ish.toml"
    sweep.write_text(TOY)
    code, out, err = cli("sweep", sweep, "--out", tmp_path / "res")
    assert code == 0, err
    d = tmp_path / "res" / "ish"
    assert "ish: 1,280 evaluations (sobol)" in out
    assert err == ""  # no progress bar when stderr is not a terminal
    for name in ("samples.csv", "outcomes.csv", "quantiles.csv", "sobol.csv", "manifest.json",
                 "sobol.png", "scatter.png"):
        assert (d / name).stat().st_size > 0, name
    sobol = pd.read_csv(d / "sobol.csv")
    assert list(sobol.columns) == ["outcome", "parameter", "S1", "S1_low", "S1_high", "ST",
                                   "ST_low", "ST_high", "note"]
    assert sobol["note"].isna().all()  # every index computed (an empty note reads back as NaN)
    assert sobol.loc[sobol["ST"].idxmax(), "parameter"] == "x1"
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["seed"] == 0 and manifest["n_rows"] == 1280
    assert manifest["spec"]["method"] == "sobol" and manifest["version"]
    assert len(pd.read_csv(d / "samples.csv")) == 1280
    assert not list(d.rglob("*.tmp"))
