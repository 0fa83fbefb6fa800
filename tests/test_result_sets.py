"""Issue 12: result sets written by one writer -- staged, sealed with a manifest of sha256s,
committed under a lock; stale entries of dead processes cleaned; readers trust only sets that
match their manifest; the comparison always matches the scenario directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pandas as pd
import pytest

import model.sweep.run
from model import resultset
from model.results import COMPARISON_MANIFEST, comparison_problems
from model.sweep.run import checkpoint_dir

from conftest import ROOT, SCENARIOS, TORNADO_SWEEP

SHORT = 'extends = "{base}"\nname = "{name}"\n[levers.oil]\nbrent_usd = {brent}\n'
SWEEP = TORNADO_SWEEP.format(name="sw")


def scenario(tmp_path, name: str, brent: float = 70.0):
    path = tmp_path / f"{name}.toml"
    path.write_text(SHORT.format(base=(SCENARIOS / "baseline.toml").as_posix(), name=name,
                                 brent=brent))
    return path


def hidden(out):
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_a_run_set_lists_every_file_with_its_sha256(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("run", scenario(tmp_path, "a"), scenario(tmp_path, "b"), "--out", out,
               "--no-plots", "-q")[0] == 0
    m = json.loads((out / "a" / "manifest.json").read_text())
    files = {p.name for p in (out / "a").iterdir()}
    assert set(m["sha256"]) == files - {"manifest.json"} and set(m["files"]) == files
    assert resultset.verify(out / "a") == [] and comparison_problems(out) == []
    (out / "a" / "flows.csv").write_text("changed")
    assert resultset.verify(out / "a") == [
        "flows.csv: sha256 differs from the manifest (changed or damaged)"]
    assert comparison_problems(out) == []  # built from summaries, which did not change
    (out / "b" / "summary.csv").write_text("changed")
    assert comparison_problems(out) == ["b/summary.csv: changed since the comparison was built"]


def test_report_refuses_a_set_that_does_not_match_its_manifest(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("run", scenario(tmp_path, "a"), "--out", out, "--no-plots", "-q")[0] == 0
    (out / "a" / "summary.csv").write_text((out / "a" / "summary.csv").read_text() + "\n")
    before = snapshot(out)
    code, _, err = cli("report", out / "a")
    assert code == 2 and "does not match its manifest (summary.csv: sha256 differs" in err
    assert snapshot(out) == before


def test_stale_entries_of_dead_processes_are_cleaned_and_a_lost_result_put_back(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("run", scenario(tmp_path, "a"), "--out", out, "--no-plots", "-q")[0] == 0
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    alive = subprocess.Popen(["sleep", "30"])
    try:
        (out / f".a.{dead}-00aa.tmp").mkdir()             # a staging dir of a killed run
        (out / f".comparison.csv.{dead}-01bb.tmp").write_text("half")  # a killed file write
        os.rename(out / "a", out / f".a.{dead}-02cc.old")  # killed between the two renames
        (out / f".b.{alive.pid}-03dd.tmp").mkdir()        # another writer, still running
        assert cli("run", scenario(tmp_path, "c"), "--out", out, "--no-plots", "-q")[0] == 0
        assert hidden(out) == [f".b.{alive.pid}-03dd.tmp"]
        assert resultset.verify(out / "a") == []  # the previous complete result is back
    finally:
        alive.kill()
        alive.wait()
    assert cli("run", scenario(tmp_path, "c"), "--out", out, "--no-plots", "-q")[0] == 0
    assert hidden(out) == []


HOLD = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(float(sys.argv[2]))")


def hold_lock(out, seconds: float) -> subprocess.Popen:
    """Another process holding the lock of ``out`` for ``seconds`` (returns once it holds it)."""
    out.mkdir(exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_writer_waits_for_the_lock_then_gives_up_with_a_message(tmp_path, cli,
                                                                          monkeypatch):
    out = tmp_path / "out"
    holder = hold_lock(out, 30)
    try:
        monkeypatch.setenv(resultset.LOCK_TIMEOUT_ENV, "0.3")
        code, _, err = cli("run", scenario(tmp_path, "a"), "--out", out, "--no-plots", "-q")
        assert code == 2
        assert "waiting for another tradesim process" in err
        assert "is being written by another tradesim process; gave up after" in err
        assert list(out.iterdir()) == []  # its staged set was removed
    finally:
        holder.kill()
        holder.wait()
    holder = hold_lock(out, 0.5)
    monkeypatch.setenv(resultset.LOCK_TIMEOUT_ENV, "60")
    t0 = time.monotonic()
    code, _, err = cli("run", scenario(tmp_path, "a"), "--out", out, "--no-plots", "-q")
    holder.wait()
    assert code == 0 and "waiting" in err and resultset.verify(out / "a") == []
    assert time.monotonic() - t0 < 30


def test_a_single_run_refreshes_a_comparison_it_makes_stale(tmp_path, cli):
    out = tmp_path / "out"
    a, b = scenario(tmp_path, "a"), scenario(tmp_path, "b")
    assert cli("run", a, b, "--out", out, "--no-plots", "-q")[0] == 0
    scenario(tmp_path, "a", brent=95.0)
    assert cli("run", a, "--out", out, "--no-plots", "-q")[0] == 0
    assert comparison_problems(out) == []
    table = pd.read_csv(out / "comparison.csv")
    rows = table[table["scenario"] == "a"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, pd.read_csv(out / "a" / "summary.csv"))


def test_a_fresh_sweep_keeps_the_previous_result_until_the_new_one_is_committed(
        tmp_path, cli, monkeypatch):
    sweep = tmp_path / "sw.toml"
    sweep.write_text(SWEEP)
    out = tmp_path / "out"
    assert cli("sweep", sweep, "--out", out)[0] == 0
    before = snapshot(out)
    assert resultset.verify(out / "sw") == [] and "chunks/checkpoint.json" in \
        resultset.read_manifest(out / "sw")["sha256"]

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model.sweep.run.outputs, "write_plots", boom)
    sweep.write_text(SWEEP.replace("high = 90.0", "high = 95.0"))
    assert cli("sweep", sweep, "--out", out)[0] == 130
    after = snapshot(out)
    assert {k: v for k, v in after.items() if not k.startswith(".")} == before
    assert checkpoint_dir(out / "sw").is_dir()  # finished chunks kept for --resume
    monkeypatch.undo()
    assert cli("sweep", sweep, "--out", out, "--resume")[0] == 0
    assert hidden(out) == [] and resultset.verify(out / "sw") == []


def test_resume_trusts_only_chunks_that_match_the_manifest(tmp_path, cli):
    sweep = tmp_path / "sw.toml"
    sweep.write_text(SWEEP.replace('method = "tornado"', 'method = "montecarlo"\nn = 64\n'
                                   'block_size = 16'))
    out = tmp_path / "out"
    assert cli("sweep", sweep, "--out", out, "--chunk-size", "16")[0] == 0
    good = (out / "sw" / "outcomes.csv").read_bytes()
    (out / "sw" / "chunks" / "chunk_000001.npz").write_bytes(b"damaged")
    code, out_text, _ = cli("sweep", sweep, "--out", out, "--resume")
    assert code == 0
    m = resultset.read_manifest(out / "sw")
    assert m["resumed_chunks"] == 3  # the damaged chunk was computed again
    assert (out / "sw" / "outcomes.csv").read_bytes() == good
    assert resultset.verify(out / "sw") == []


def test_the_comparison_manifest_is_written_last(tmp_path, cli, monkeypatch):
    """A kill while the comparison files are replaced leaves no manifest: the comparison is
    untrusted (report rebuilds it), never silently stale."""
    out = tmp_path / "out"
    a, b = scenario(tmp_path, "a"), scenario(tmp_path, "b")
    assert cli("run", a, b, "--out", out, "--no-plots", "-q")[0] == 0
    real = os.replace

    def killed(src, dst):
        if str(dst).endswith("comparison.csv"):
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "replace", killed)
    scenario(tmp_path, "a", brent=95.0)
    assert cli("run", a, b, "--out", out, "--no-plots", "-q")[0] == 130
    monkeypatch.undo()
    assert not (out / COMPARISON_MANIFEST).exists() and comparison_problems(out)
    code, _, err = cli("report", out, "--no-html")
    assert code == 0 and "rebuilt" in err and comparison_problems(out) == []
    assert hidden(out) == []


def test_cli_through_a_subprocess_still_exits_2_on_a_held_lock(tmp_path):
    """The real entry point, not only main(argv): the lock message and exit code."""
    out = tmp_path / "out"
    holder = hold_lock(out, 30)
    try:
        proc = subprocess.run([sys.executable, "-m", "model", "run", str(scenario(tmp_path, "a")),
                               "--out", str(out), "--no-plots", "-q"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, resultset.LOCK_TIMEOUT_ENV: "0.2"})
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("tradesim run: error: --out: ")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_special_files_as_input_are_refused_at_once(tmp_path, cli, kind):
    path = tmp_path / "in.toml"
    if kind == "fifo":
        os.mkfifo(path)
        # once through the real entry point with a timeout: opening a FIFO would block
        proc = subprocess.run([sys.executable, "-m", "model", "run", str(path), "--out",
                               str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 2 and "is a FIFO (named pipe), not a regular file" in \
            proc.stderr
    else:
        path = "/dev/zero"
    for argv in (["run", path, "--out", tmp_path / "o"], ["sweep", path, "--out", tmp_path / "o"],
                 ["validate", path], ["rerun", path]):
        code, _, err = cli(*argv)
        assert code == 2 and "not a regular file" in err, err
    assert not (tmp_path / "o").exists()


def test_a_huge_input_is_refused_unread(tmp_path, cli):
    path = tmp_path / "huge.toml"
    with open(path, "wb") as f:
        f.truncate(5 * 2**30)  # a sparse 5 GiB file: reading it would exhaust memory
    for argv in (["run", path, "--out", tmp_path / "o"], ["sweep", path, "--out", tmp_path / "o"]):
        code, _, err = cli(*argv)
        assert code == 2 and "is 5120.0 MB; at most 4 MB are read" in err
    assert not (tmp_path / "o").exists()
