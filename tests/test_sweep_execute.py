"""Reproducibility to the bit across executors and chunk sizes; checkpoints and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.sweep import parse_sweep, run_sweep
from model.sweep.execute import keep_mask
from model.sweep.run import checkpoint_dir

ROOT = Path(__file__).resolve().parent.parent
NORMAL = {"dist": "normal", "mean": 0.0, "sd": 1.0}
PARAMS = {"x1": NORMAL, "x2": {"dist": "triangular", "low": -1.0, "mode": 0.5, "high": 2.0},
          "x3": {"low": 0.0, "high": 1.0}, "x4": {"dist": "discrete", "choices": [0.0, 1.0, 4.0]}}


def noisy_mc(**kw):
    """Random Monte Carlo with correlated inputs and model noise (the per-block rng)."""
    return parse_sweep(dict(name="mc", method="montecarlo", sampler="random", n=5000, seed=11,
                            evaluator="toy:linear", outcomes=["y", "y_noisy"], block_size=256,
                            parameters=PARAMS,
                            correlations=[{"params": ["x1", "x2"], "rho": 0.4}]) | kw)


def sobol_spec():
    return parse_sweep(dict(name="sb", method="sobol", n=512, seed=3, evaluator="toy:linear",
                            outcomes=["y_noisy"], block_size=128, parameters=PARAMS))


def same(a, b):
    assert np.array_equal(a.samples.to_numpy(), b.samples.to_numpy())
    assert np.array_equal(a.outcomes.to_numpy(), b.outcomes.to_numpy())
    pd.testing.assert_frame_equal(a.quantiles, b.quantiles, check_exact=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    return run_sweep(noisy_mc(), out=tmp_path_factory.mktemp("serial"), chunk_size=512)


@pytest.mark.parametrize("make", [noisy_mc, sobol_spec])
def test_chunk_size_does_not_change_results(make, tmp_path):
    a = run_sweep(make(), out=tmp_path / "a", chunk_size=256)
    b = run_sweep(make(), out=None, chunk_size=1280)
    same(a, b)
    if a.sobol is not None:
        pd.testing.assert_frame_equal(a.sobol, b.sobol, check_exact=True)


def test_seed_changes_results(serial):
    other = run_sweep(noisy_mc(seed=12), out=None)
    assert not np.array_equal(serial.outcomes.to_numpy(), other.outcomes.to_numpy())


def test_process_pool_equals_serial(serial, tmp_path):
    # force: this sweep is far too small for the pool to pay, so it would run serially
    pool = run_sweep(noisy_mc(), out=tmp_path, workers=2, chunk_size=768, force_workers=True)
    assert pool.manifest["executor"] == "processes" and pool.manifest["workers"] == 2
    same(serial, pool)


def test_dask_local_cluster_equals_serial(serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:
            viaclient = run_sweep(noisy_mc(), out=tmp_path / "c", client=client, chunk_size=1024)
        viaddress = run_sweep(noisy_mc(), out=tmp_path / "a",
                              dask_address=cluster.scheduler_address)
    same(serial, viaclient)
    same(serial, viaddress)
    assert viaclient.manifest["executor"] == "dask"


def test_resume_after_losing_chunks_equals_uninterrupted(serial, tmp_path):
    first = run_sweep(noisy_mc(), out=tmp_path, chunk_size=512)
    chunks = sorted((tmp_path / "mc" / "chunks").glob("chunk_*.npz"))
    assert len(chunks) == 10
    for p in chunks[4:]:  # as if killed after 4 chunks
        p.unlink()
    (tmp_path / "mc" / "outcomes.csv").unlink()
    again = run_sweep(noisy_mc(), out=tmp_path, resume=True)
    assert again.manifest["resumed_chunks"] == 4
    same(first, again)
    same(serial, again)
    assert (tmp_path / "mc" / "outcomes.csv").exists()


def test_resume_refuses_a_changed_spec(tmp_path):
    run_sweep(noisy_mc(), out=tmp_path, chunk_size=512)
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(noisy_mc(seed=99), out=tmp_path, resume=True)
    with pytest.raises(InputError, match="chunk size 512"):
        run_sweep(noisy_mc(), out=tmp_path, resume=True, chunk_size=1024)


def test_sigkill_midway_then_resume_via_cli(tmp_path, cli):
    sweep = tmp_path / "heavy.toml"
    sweep.write_text('method = "montecarlo"\nsampler = "sobol"\nn = 4096\nseed = 5\n'
                     'evaluator = "toy:heavy"\noutcomes = ["y", "y_noisy"]\nblock_size = 256\n'
                     '[parameters.x1]\nlow = 0.0\nhigh = 1.0\n'
                     '[parameters.x2]\ndist = "normal"\nmean = 0.0\nsd = 1.0\n')
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "model", "sweep", str(sweep), "--out",
                             str(out), "--chunk-size", "256"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    chunks = checkpoint_dir(out / "heavy")
    deadline = time.monotonic() + 60
    while len(list(chunks.glob("chunk_*.npz"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    n_done = len(list(chunks.glob("chunk_*.npz")))
    assert 3 <= n_done < 16, "the run should have been killed midway"
    assert not (out / "heavy" / "manifest.json").exists()
    (chunks / ".chunk_000099.npz.abc.tmp").write_bytes(b"half")  # as if killed mid-write
    code, _, err = cli("sweep", sweep, "--out", out, "--resume")
    assert code == 0, err
    assert not chunks.exists() and not list((out / "heavy" / "chunks").glob(".*.tmp"))
    code, _, err = cli("sweep", sweep, "--out", tmp_path / "whole")
    assert code == 0, err
    for name in ("samples.csv", "outcomes.csv", "quantiles.csv"):
        assert (out / "heavy" / name).read_bytes() == (tmp_path / "whole" / "heavy" /
                                                       name).read_bytes()


def test_keep_mask_is_a_chunk_independent_subset():
    idx = np.arange(2_000_000)
    m = keep_mask(idx, len(idx), 100_000, seed=1)
    assert 95_000 < m.sum() < 105_000
    assert np.array_equal(m[1234:99999], keep_mask(idx[1234:99999], len(idx), 100_000, 1))
    assert keep_mask(idx[:10], 10, 100, 1).all()


def test_large_sweep_streams_a_subset_with_exact_means(monkeypatch):
    import model.sweep.execute as ex

    monkeypatch.setattr(ex, "ROW_LIMIT", 1000)
    monkeypatch.setattr(ex, "PATH_LIMIT", 500)
    monkeypatch.setattr("model.sweep.run.ROW_LIMIT", 1000)
    r = run_sweep(noisy_mc(n=16384, sampler="sobol"), out=None)
    assert 800 < len(r.outcomes) < 1200
    assert "subset" in r.manifest["rows_note"]
    full = run_sweep(noisy_mc(n=16384, sampler="sobol"), out=None, chunk_size=4096)
    monkeypatch.undo()
    exact = run_sweep(noisy_mc(n=16384, sampler="sobol"), out=None)
    means = r.quantiles["mean"].to_numpy()[:22]
    np.testing.assert_allclose(means, exact.quantiles["mean"].to_numpy()[:22], rtol=1e-12)
    assert np.array_equal(r.outcomes.to_numpy(), full.outcomes.to_numpy())


def test_in_memory_designs_keep_every_row_for_their_analysis(monkeypatch):
    monkeypatch.setattr("model.sweep.execute.ROW_LIMIT", 100)
    r = run_sweep(sobol_spec(), out=None)
    assert len(r.outcomes) == 512 * 6 and r.sobol["ST"].notna().all()


@settings(max_examples=15, deadline=None)
@given(chunk=st.integers(1, 3000), n=st.integers(1, 2500))
def test_any_chunk_size_gives_the_same_bits(chunk, n):
    spec = noisy_mc(n=n, block_size=16)
    a = run_sweep(spec, out=None, chunk_size=chunk)
    b = run_sweep(spec, out=None, chunk_size=16)
    same(a, b)
    assert a.samples["sample"].tolist() == list(range(n))
