"""Executor choice: worker processes only when they are estimated to pay for their start-up."""

from __future__ import annotations

import numpy as np
import pytest

from model.sweep import parse_sweep, run_sweep
from model.sweep.run import PARALLEL_EFFICIENCY, Pilot, choose_executor

STARTUP = 1.5
# serial est == parallel est when est = startup / (1 - 1 / (efficiency * 2)) on 2 CPUs
BREAK_EVEN = STARTUP / (1 - 1 / (PARALLEL_EFFICIENCY * 2))


def choose(est, workers=2, **kw):
    return choose_executor(20_000, est, workers, cpus=kw.pop("cpus", 2), startup_s=STARTUP, **kw)


def test_break_even_is_where_the_estimates_cross():
    assert BREAK_EVEN == pytest.approx(3.375)
    below, above = choose(BREAK_EVEN * 0.99), choose(BREAK_EVEN * 1.01)
    assert (below.kind, below.workers) == ("serial", 1)
    assert (above.kind, above.workers) == ("processes", 2)
    assert above.note is None


def test_small_sweep_runs_serially_and_says_so():
    c = choose(0.2)  # the shipped Monte Carlo sweep: ~0.2 s of compute
    assert c.kind == "serial" and c.workers == 1 and c.est_seconds == 0.2
    assert c.note.startswith("20,000 samples, est. 0.2 s: running serially; --workers ignored")
    assert "1.5 s" in c.note


def test_large_sweep_keeps_the_pool():
    c = choose(9.0, workers=3)
    assert (c.kind, c.workers) == ("processes", 3)


def test_one_cpu_never_pays_and_one_worker_is_serial_without_a_note():
    c = choose(1000.0, cpus=1)
    assert c.kind == "serial" and "1 CPU" in c.note
    assert choose(1000.0, workers=1) == choose_executor(20_000, 1000.0, 1)
    assert choose(1000.0, workers=1).note is None and choose(1000.0, workers=1).kind == "serial"


def test_force_and_dask_are_not_overridden():
    assert choose(0.01, force=True).kind == "processes"
    assert choose(0.01, dask=True).kind == "dask"


def test_pilot_estimate_pays_the_fixed_cost_once_per_block():
    p = Pilot(per_row=10e-6, fixed=0.006, marginal=4e-6)
    # 20,000 rows in blocks of 4,096: 5 calls
    assert p.estimate(20_000, 4096) == pytest.approx(5 * 0.006 + 20_000 * 4e-6)
    assert Pilot(per_row=0.01).estimate(300, 16) == pytest.approx(3.0)  # one batch timed: per row


def test_small_sweep_with_workers_runs_serially_and_reports_it(capsys):
    spec = parse_sweep(dict(name="s", method="montecarlo", sampler="random", n=2048, seed=1,
                            evaluator="toy:linear", outcomes=["y"], block_size=256,
                            parameters={"x1": {"low": 0.0, "high": 1.0},
                                        "x2": {"low": 0.0, "high": 1.0}}))
    r = run_sweep(spec, out=None, workers=2)
    err = capsys.readouterr().err
    assert "2,048 samples, est." in err and "running serially; --workers ignored" in err
    m = r.manifest
    assert (m["executor"], m["workers"], m["workers_requested"]) == ("serial", 1, 2)
    assert m["estimated_compute_s"] < 1.0 and m["executor_note"] in err
    serial = run_sweep(spec, out=None)
    assert np.array_equal(r.outcomes.to_numpy(), serial.outcomes.to_numpy())
    assert capsys.readouterr().err == ""  # no note when no workers were asked for
