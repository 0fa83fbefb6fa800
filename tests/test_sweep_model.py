"""The sweep bound to the trade model: outcomes agree with run_batch; shipped sweeps run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("model.projection")

from model.projection import run_batch  # noqa: E402
from model.scenario import load_scenario  # noqa: E402
from model.sweep import load_sweep, run_sweep  # noqa: E402
from model.sweep.model_eval import ModelEvaluator  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
SHIPPED = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
OUTCOMES = ["balance:2029-30", "total_trade:2029", "exports:FY2030-31", "imports:2034-35",
            "year_100bn", "cumulative_deficit"]


def test_outcomes_match_run_batch():
    ev = ModelEvaluator(BASELINE, OUTCOMES)
    inputs = {"levers.oil.volume_mbd": np.array([0.5, 1.7, 3.5]),
              "levers.oil.brent_usd": np.array([60.0, 80.0, 110.0])}
    got = ev(inputs, np.random.default_rng(0))
    b = run_batch(load_scenario(BASELINE), inputs)
    y = list(b.years)
    np.testing.assert_array_equal(got.outcomes["balance:2029-30"], b.balance[:, y.index(2029)])
    np.testing.assert_array_equal(got.outcomes["total_trade:2029"], b.total[:, y.index(2029)])
    np.testing.assert_array_equal(got.outcomes["exports:FY2030-31"], b.exports[:, y.index(2030)])
    np.testing.assert_array_equal(got.outcomes["imports:2034-35"], b.imports[:, y.index(2034)])
    np.testing.assert_allclose(got.outcomes["cumulative_deficit"], -b.balance[:, 1:].sum(axis=1))
    reach = got.outcomes["year_100bn"]
    assert np.isnan(reach[0]) and not np.isnan(reach[2])  # never reached: NaN, not a year
    assert b.total[2, y.index(reach[2])] >= 100 > b.total[2, y.index(reach[2]) - 1]
    np.testing.assert_array_equal(got.paths["balance"], b.balance)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_sweeps_validate_and_run_small(path):
    spec, base = load_sweep(path)
    small = {"montecarlo": 256, "sobol": 64, "morris": 4}.get(spec.method)
    spec = spec.model_copy(update={"n": small}) if small else spec
    r = run_sweep(spec, out=None, base_dir=base)
    # every outcome has a value, except year_100bn where US$100bn is never reached (NaN)
    assert np.isfinite(r.outcomes.drop(columns=["sample", "year_100bn"], errors="ignore")
                       .to_numpy()).all()
    if "year_100bn" in spec.outcomes:
        never = r.outcomes["year_100bn"].isna().mean()
        q = r.quantiles.set_index("metric").loc["year_100bn"]
        assert q["share_undefined"] == pytest.approx(never)
    assert len(r.outcomes) == r.manifest["n_rows"]


def test_tornado_of_oil_volume_moves_the_balance_the_right_way(tmp_path):
    spec, base = load_sweep(ROOT / "scenarios" / "sweeps" / "tornado_all_levers.toml")
    t = run_sweep(spec, out=tmp_path, base_dir=base).tornado
    oil = t[(t.outcome == "balance:2029-30") & (t.parameter == "levers.oil.volume_mbd")].iloc[0]
    assert oil.at_high < oil.base < oil.at_low  # more Russian oil, deeper deficit
    assert oil["rank"] <= 3
    assert (tmp_path / "tornado_all_levers" / "tornado.png").exists()
