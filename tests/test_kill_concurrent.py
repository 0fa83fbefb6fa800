"""Issue 12, what it must show: 20 concurrent `run`s into one --out, and 20 SIGKILLs at random
moments of `run scenarios/*.toml` and of a sweep. Afterwards every result set present matches
its manifest, the comparison matches the scenario directories, and no hidden entry is left
after the next successful run.

The commands run in forked children of the test process through ``model.cli.main`` (the real
argument parsing, commands and file system, without paying the interpreter start-up 60 times);
``tests/test_result_sets.py`` and ``tests/test_kill_resume.py`` run the installed entry point.
Half the kills come at a random time, half at a random rename of the commit (the window where a
kill used to leave a result only under a hidden name).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import resultset
from model.results import comparison_problems
from model.sweep.run import checkpoint_dir

from conftest import SCENARIOS

FORK = multiprocessing.get_context("fork")
PROJECTIONS = sorted(p for p in SCENARIOS.glob("*.toml") if p.name != "history.toml")
SHORT = 'extends = "{base}"\nname = "{name}"\n[levers.oil]\nbrent_usd = {brent}\n'
SWEEP = f"""name = "killme"
scenario = "{(SCENARIOS / 'baseline.toml').as_posix()}"
method = "montecarlo"
sampler = "random"
n = 256
seed = 11
block_size = 16
outcomes = ["balance:2029-30", "cumulative_deficit"]
[parameters."levers.oil.brent_usd"]
low = 50.0
high = 110.0
[parameters."levers.fta.eaeu_tariff_cut"]
low = 0.0
high = 1.0
"""


def _child(argv: list[str], kill_at_rename: int) -> None:
    """In the forked child: silence output, optionally SIGKILL itself at the n-th rename."""
    null = open(os.devnull, "w")  # noqa: SIM115 - lives until os._exit
    os.dup2(null.fileno(), 1)
    os.dup2(null.fileno(), 2)
    sys.stdout = sys.stderr = null
    if kill_at_rename:
        count = [0]
        real_rename, real_replace = os.rename, os.replace

        def counted(real):
            def rename(src, dst, *a, **k):
                count[0] += 1
                if count[0] == kill_at_rename:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(src, dst, *a, **k)
            return rename

        os.rename, os.replace = counted(real_rename), counted(real_replace)
        resultset.exchange = counted(resultset.exchange)
    from model.cli import main

    os._exit(main(argv))


def start(argv, kill_at_rename: int = 0):
    p = FORK.Process(target=_child, args=([str(a) for a in argv], kill_at_rename))
    p.start()
    return p


def finish(p, timeout: float = 120) -> int:
    p.join(timeout)
    if p.is_alive():
        p.kill()
        p.join()
        pytest.fail("a child did not finish in time")
    return p.exitcode


def check_sets(out: Path) -> None:
    """Every result set present is complete: it matches its manifest."""
    for d in (out.iterdir() if out.exists() else ()):
        if d.is_dir() and not d.name.startswith("."):
            assert resultset.verify(d) == [], d


def check_after_success(out: Path) -> None:
    """After a successful run: sets complete, comparison consistent, no hidden entries."""
    check_sets(out)
    assert comparison_problems(out) in (None, [])
    if (out / "comparison.csv").exists():
        table = pd.read_csv(out / "comparison.csv")
        for name, rows in table.groupby("scenario", sort=False):
            summary = pd.read_csv(out / name / "summary.csv")
            pd.testing.assert_frame_equal(rows.drop(columns="scenario").reset_index(drop=True),
                                          summary)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_twenty_concurrent_runs_into_one_directory(tmp_path):
    names = [f"s{i}" for i in range(6)]
    for i, name in enumerate(names):
        (tmp_path / f"{name}.toml").write_text(SHORT.format(
            base=(SCENARIOS / "baseline.toml").as_posix(), name=name, brent=60.0 + 5 * i))
    out = tmp_path / "out"
    rng = np.random.default_rng(12)
    procs = []
    for i in range(20):
        pick = rng.choice(names, size=int(rng.integers(1, 4)), replace=False)
        procs.append(start(["run", *(tmp_path / f"{n}.toml" for n in pick), "--out", out,
                            "--seed", i, "--no-plots", "-q"]))
    codes = [finish(p) for p in procs]
    assert codes == [0] * 20
    check_after_success(out)
    assert (out / "comparison.csv").exists()


def test_twenty_kills_of_run_all_scenarios(tmp_path):
    out = tmp_path / "out"
    argv = ["run", *PROJECTIONS, "--out", out, "--no-plots", "-q"]
    t0 = time.monotonic()
    assert finish(start(argv)) == 0  # an earlier complete result, to be kept or replaced whole
    duration = time.monotonic() - t0
    renames = len(PROJECTIONS) + 3  # one exchange per scenario, the comparison's two files
    rng = np.random.default_rng(7)
    killed = 0
    for k in range(20):
        if k % 2:
            p = start([*argv, "--seed", k], kill_at_rename=int(rng.integers(1, renames)))
            code = finish(p)
        else:
            p = start([*argv, "--seed", k])
            time.sleep(rng.uniform(0, duration))
            p.kill()
            code = finish(p)
        killed += code == -signal.SIGKILL
        check_sets(out)
        assert all((out / s.stem).is_dir() for s in PROJECTIONS)  # none lost to a hidden name
    assert killed >= 15, f"only {killed} of 20 kills hit a running command"
    assert finish(start(argv)) == 0
    check_after_success(out)
    print(f"\n20 kills of `run scenarios/*.toml`: {killed} hit a running command")


def test_twenty_kills_of_a_sweep(tmp_path):
    sweep = tmp_path / "killme.toml"
    sweep.write_text(SWEEP)
    whole, out = tmp_path / "whole", tmp_path / "out"
    opts = ["--chunk-size", "16", "--no-plots"]
    t0 = time.monotonic()
    assert finish(start(["sweep", sweep, "--out", whole, *opts])) == 0
    duration = time.monotonic() - t0
    rng = np.random.default_rng(3)
    killed = 0
    for k in range(20):  # fresh runs and resumed ones, killed at any moment
        argv = ["sweep", sweep, "--out", out, *opts, *(["--resume"] if k % 3 == 2 else [])]
        if k % 4 == 3:  # in the commit's renames (every chunk file is renamed too)
            p = start(argv, kill_at_rename=int(rng.integers(1, 20)))
        else:
            p = start(argv)  # a resumed sweep has less left to do
            time.sleep(rng.uniform(0, duration * (0.4 if "--resume" in argv else 1.0)))
            p.kill()
        killed += finish(p) == -signal.SIGKILL
        check_sets(out)
    assert killed >= 15, f"only {killed} of 20 kills hit a running sweep"
    assert finish(start(["sweep", sweep, "--out", out, *opts, "--resume"])) == 0
    check_after_success(out)
    assert not checkpoint_dir(out / "killme").exists()
    for name in ("samples.csv", "outcomes.csv", "quantiles.csv"):
        assert (out / "killme" / name).read_bytes() == (whole / "killme" / name).read_bytes()
    print(f"\n20 kills of a sweep: {killed} hit a running sweep")


def test_three_sweeps_of_one_name_at_once(tmp_path):
    """One writer per checkpoint: the others wait (the checkpoint directory they wait on becomes
    the committed set's chunks/; they lock the new one), all exit 0, one complete set remains."""
    sweep = tmp_path / "killme.toml"
    sweep.write_text(SWEEP)
    out = tmp_path / "out"
    procs = [start(["sweep", sweep, "--out", out, "--chunk-size", "16", "--no-plots"])
             for _ in range(3)]
    assert [finish(p) for p in procs] == [0, 0, 0]
    check_after_success(out)
    assert not checkpoint_dir(out / "killme").exists()
