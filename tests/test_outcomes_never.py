"""``year_100bn`` when US$100bn is never reached: NaN, never a year averaged into summaries."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.outcomes import first_year_reaching, never, never_share
from model.projection import run_batch
from model.scenario import load_scenario
from model.sweep import parse_sweep, run_sweep

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
# Brent from 60 to 140 $/bbl: total trade reaches US$100bn in some samples and not in others
PARAMS = {"levers.oil.brent_usd": {"low": 60.0, "high": 140.0},
          "levers.oil.volume_mbd": {"low": 1.0, "high": 2.5}}


def spec(method="montecarlo", n=400, **kw):
    d = dict(name=f"never_{method}", method=method, scenario=str(BASELINE), seed=7,
             outcomes=["year_100bn", "balance:2029-30"], parameters=PARAMS) | kw
    if n is not None:
        d["n"] = n
    return parse_sweep(d)


def test_first_year_reaching_is_nan_when_never():
    years = np.arange(2024, 2029)
    path = np.array([[90, 95, 99, 99.9, 99.99],   # never
                     [90, 101, 99, 105, 110],     # 2025
                     [100, 0, 0, 0, 0]], float)   # the base year
    got = first_year_reaching(path, years, 100.0)
    assert np.isnan(got[0]) and got[1:].tolist() == [2025.0, 2024.0]
    assert never(got).tolist() == [True, False, False]
    assert never_share(got) == pytest.approx(1 / 3)
    assert np.nanmean(got) == 2024.5  # what a summary must use; -1 would have given 1349.3


@pytest.fixture(scope="module")
def mc():
    return run_sweep(spec(), out=None, plots=False)


def test_quantiles_are_over_reaching_samples_with_the_never_share(mc):
    inputs = {k: mc.samples[k].to_numpy() for k in PARAMS}
    b = run_batch(load_scenario(BASELINE), inputs)
    first = first_year_reaching(b.total, b.years, 100.0)  # computed here, independently
    share = float(np.isnan(first).mean())
    assert 0.1 < share < 0.9, "the sweep must have samples on both sides"
    got = mc.outcomes["year_100bn"].to_numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(first))
    q = mc.quantiles.set_index("metric").loc["year_100bn"]
    assert q["share_undefined"] == pytest.approx(share)
    reached = first[~np.isnan(first)]
    assert q["mean"] == pytest.approx(reached.mean())
    assert [q[f"p{p}"] for p in (5, 25, 50, 75, 95)] == pytest.approx(
        np.percentile(reached, [5, 25, 50, 75, 95]).tolist())
    assert q["p5"] >= b.years[0] and q["mean"] >= b.years[0]  # no sentinel year pulled it down
    bal = mc.quantiles.set_index("metric").loc["balance:2029-30"]
    assert bal["share_undefined"] == 0
    assert any(n.startswith(f"year_100bn: {share:.1%} of samples never reach US$100bn")
               for n in mc.manifest["notes"])


def test_cli_reports_the_never_share(tmp_path, cli):
    path = tmp_path / "never.toml"
    path.write_text(f'scenario = "{BASELINE.as_posix()}"\nmethod = "montecarlo"\nn = 200\n'
                    'seed = 7\noutcomes = ["year_100bn"]\n'
                    '[parameters."levers.oil.brent_usd"]\nlow = 60.0\nhigh = 140.0\n')
    code, _, err = cli("sweep", path, "--out", tmp_path / "out")
    assert code == 0, err
    d = tmp_path / "out" / "never"
    q = pd.read_csv(d / "quantiles.csv", keep_default_na=False).set_index("metric")
    outs = pd.read_csv(d / "outcomes.csv")
    share = outs["year_100bn"].isna().mean()  # never reached: an empty cell, not -1
    assert 0 < share < 1 and (outs["year_100bn"].dropna() >= 2024).all()
    assert float(q.loc["year_100bn", "share_undefined"]) == pytest.approx(share)
    assert f"note: year_100bn: {share:.1%} of samples never reach US$100bn" in err
    assert json.loads((d / "manifest.json").read_text())["notes"]


def test_sobol_on_an_outcome_with_never_is_not_computed_and_says_why(capsys):
    r = run_sweep(spec("sobol", n=64), out=None, plots=False)
    s = r.sobol.set_index("outcome")
    never_rows = s.loc["year_100bn"]
    assert never_rows[["S1", "ST", "S1_low", "ST_high"]].isna().all().all()
    assert never_rows["note"].str.contains("not computed: .*never reached", regex=True).all()
    assert np.isfinite(s.loc["balance:2029-30", ["S1", "ST"]].to_numpy(dtype=float)).all()
    assert (s.loc["balance:2029-30", "note"] == "").all()
    err = capsys.readouterr().err
    assert "note: sobol year_100bn: not computed" in err


def test_tornado_end_that_never_reaches_has_no_swing():
    params = {"levers.oil.brent_usd": {"low": 60.0, "high": 140.0, "base": 80.0},
              "levers.oil.volume_mbd": {"low": 1.0, "high": 2.5}}
    r = run_sweep(spec("tornado", n=None, parameters=params), out=None, plots=False)
    t = r.tornado[r.tornado.outcome == "year_100bn"].set_index("parameter")
    brent = t.loc["levers.oil.brent_usd"]
    assert np.isnan(brent["at_low"]) and np.isfinite(brent["at_high"])
    assert np.isnan(brent["swing"]) and "undefined at" in brent["note"] and "low" in brent["note"]
    assert any(n.startswith("tornado year_100bn:") for n in r.manifest["notes"])
