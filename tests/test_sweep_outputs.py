"""Output tables and plots of a Monte Carlo sweep; the thin plot functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from model.sweep import parse_sweep, plots, run_sweep
from model.sweep.outputs import QUANTILE_COLUMNS


@pytest.fixture(scope="module")
def mc(tmp_path_factory):
    params = {f"x{i}": {"dist": "normal", "mean": 0.0, "sd": 1.0} for i in range(1, 6)}
    spec = parse_sweep(dict(name="mc", method="montecarlo", n=2000, seed=4, block_size=256,
                            evaluator="toy:linear", outcomes=["y", "y_noisy"],
                            parameters=params))
    return run_sweep(spec, out=tmp_path_factory.mktemp("out"))


def test_files_and_quantiles(mc):
    d = mc.out_dir
    for name in ("samples.csv", "outcomes.csv", "quantiles.csv", "manifest.json",
                 "fan_balance.png", "fan_total_trade.png", "scatter.png"):
        assert (d / name).exists(), name
    assert not (d / "sobol.csv").exists() and not (d / "tornado.png").exists()
    q = pd.read_csv(d / "quantiles.csv", keep_default_na=False)
    assert list(q.columns) == QUANTILE_COLUMNS
    bal = q[q.metric == "balance"]
    assert bal.fiscal_year.tolist() == [f"{y}-{(y + 1) % 100:02d}" for y in range(2024, 2035)]
    assert (bal.p5 <= bal.p25).all() and (bal.p25 <= bal.p50).all() and (bal.p75 <= bal.p95).all()
    # the toy balance path is -60 + y t/10: its P50 in the last year is -60 + median(y)
    y = pd.read_csv(d / "outcomes.csv")["y"]
    assert bal.p50.iloc[-1] == pytest.approx(-60 + np.median(y))
    samples = pd.read_csv(d / "samples.csv")
    assert samples["sample"].tolist() == list(range(2000))


def test_plot_functions_draw_on_a_given_axes(mc):
    fig = Figure()
    ax = fig.subplots()
    assert plots.plot_fan(mc.quantiles, metric="balance", ax=ax) is ax
    assert len(ax.collections) == 2  # two bands
    joined = mc.samples.join(mc.outcomes[["y"]])
    assert isinstance(plots.plot_scatter(joined, x="x1", y="y"), Axes)
    tornado = pd.DataFrame(dict(outcome="y", parameter=["a", "b"], base=1.0, at_low=[0.0, 0.5],
                                at_high=[3.0, 1.2], rank=[1, 2]))
    assert len(plots.plot_tornado(tornado, outcome="y").patches) == 4
    sobol = pd.DataFrame(dict(outcome="y", parameter=["a", "b"], S1=[0.5, 0.2], S1_low=[0.4, 0.1],
                              S1_high=[0.6, 0.3], ST=[0.6, 0.3], ST_low=[0.5, 0.2],
                              ST_high=[0.7, 0.4]))
    assert len(plots.plot_sobol(sobol, outcome="y").patches) == 4
