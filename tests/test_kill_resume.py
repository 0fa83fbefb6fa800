"""Kill a sweep with SIGKILL at random points, several times, resume it, and end bit-identical to
an uninterrupted run (``tradesim sweep ... --resume``; chunk files are written atomically)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from model import resultset
from model.sweep.run import checkpoint_dir

from conftest import ROOT, SCENARIOS

OUTPUTS = ("samples.csv", "outcomes.csv", "quantiles.csv")

MODEL_SWEEP = f"""name = "killme"
scenario = "{(SCENARIOS / 'baseline.toml').as_posix()}"
method = "montecarlo"
sampler = "random"
n = {{n}}
seed = 11
block_size = 16
outcomes = ["balance:2029-30", "total_trade:2034-35", "cumulative_deficit"]

[parameters."levers.oil.brent_usd"]
low = 50.0
high = 110.0

[parameters."levers.oil.volume_mbd"]
dist = "triangular"
low = 0.8
mode = 1.6
high = 2.1

[parameters."levers.fta.eaeu_tariff_cut"]
low = 0.0
high = 1.0
"""


def _start(sweep: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "model", "sweep", str(sweep), "--out", str(out),
                             "--chunk-size", "16", *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _chunks(out: Path) -> int:
    """Finished chunks: in the checkpoint while the sweep runs, in the set once committed."""
    ckpt = checkpoint_dir(out / "killme")
    return len(list((ckpt if ckpt.is_dir() else out / "killme" / "chunks").glob("chunk_*.npz")))


def kill_and_resume(sweep: Path, out: Path, *, cycles: int, n_chunks: int, seed: int,
                    extra: tuple[str, ...] = ()) -> int:
    """SIGKILL the sweep after a random number of new chunk files, ``cycles`` times, resuming
    each time; finish with an uninterrupted resume. Returns the kills that hit a running sweep."""
    rng = np.random.default_rng(seed)
    kills = 0
    for cycle in range(cycles):
        before = _chunks(out)
        target = min(n_chunks - 1, before + int(rng.integers(1, 4)))
        proc = _start(sweep, out, *extra, *(("--resume",) if cycle else ()))
        deadline = time.monotonic() + 120
        while _chunks(out) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        proc.stderr.close()
        # a result set present is complete: it matches its manifest, whenever the kill came
        assert not (out / "killme").exists() or resultset.verify(out / "killme") == []
        if cycle:  # resumed runs never lose finished chunks
            assert _chunks(out) >= before
    proc = _start(sweep, out, *extra, "--resume")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return kills


def _uninterrupted(sweep: Path, out: Path, *extra: str) -> None:
    proc = _start(sweep, out, *extra)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()


def _assert_identical(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / "killme" / name).read_bytes() == (b / "killme" / name).read_bytes(), name
    assert resultset.verify(a / "killme") == []
    assert [p.name for p in a.iterdir() if p.name.startswith(".")] == []  # no hidden leftovers


def test_kill_resume_quick(tmp_path):
    """Three SIGKILLs at random points of a 64-chunk model sweep, then resume: bit-identical."""
    n = 64 * 16
    sweep = tmp_path / "killme.toml"
    sweep.write_text(MODEL_SWEEP.format(n=n))
    kills = kill_and_resume(sweep, tmp_path / "killed", cycles=3, n_chunks=64, seed=1)
    assert kills >= 2, "the sweep finished before it could be killed; make it longer"
    _uninterrupted(sweep, tmp_path / "whole")
    _assert_identical(tmp_path / "killed", tmp_path / "whole")


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "3"])
def test_kill_resume_many_cycles(tmp_path, workers):
    """Ten kills, serial and with worker processes; the result matches a serial clean run."""
    n = 256 * 16
    sweep = tmp_path / "killme.toml"
    sweep.write_text(MODEL_SWEEP.format(n=n))
    kills = kill_and_resume(sweep, tmp_path / "killed", cycles=10, n_chunks=256, seed=2,
                            extra=("--workers", workers))
    assert kills >= 8
    _uninterrupted(sweep, tmp_path / "whole")
    _assert_identical(tmp_path / "killed", tmp_path / "whole")
