"""Issue 12: a full disk is an environment error -- exit 2, one line, and the earlier results
byte-identical with nothing half-written. Uses a small tmpfs; skipped where it cannot be mounted
(not root, or no permission in a container)."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest

from model import resultset

from conftest import SCENARIOS, TORNADO_SWEEP

SWEEP = TORNADO_SWEEP.format(name="sw")


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as err:
        pytest.skip(f"cannot mount a tmpfs: {err}")
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=20)


def fill(directory) -> None:
    """Use up every free byte of the file system (a filler file, written until ENOSPC)."""
    with open(directory / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as err:
            assert err.errno == errno.ENOSPC
    for size in (4096, 512, 1):  # the last partial blocks too
        try:
            with open(directory / "filler", "ab") as f:
                while True:
                    f.write(b"\0" * size)
                    f.flush()
        except OSError:
            pass


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_full_disk_is_exit_2_and_earlier_results_are_untouched(small_disk, cli):
    out = small_disk / "out"
    code, _, err = cli("run", SCENARIOS / "baseline.toml", SCENARIOS / "eaeu_fta.toml",
                       "--out", out, "--no-plots", "-q")
    assert code == 0, err
    assert cli("sweep", _sweep(small_disk), "--out", out,
               "--no-plots")[0] == 0
    before = snapshot(out)
    fill(small_disk)
    for argv in (["run", SCENARIOS / "baseline.toml", SCENARIOS / "eaeu_fta.toml", "--seed", "4"],
                 ["run", SCENARIOS / "baseline.toml", "--seed", "5"],
                 ["sweep", small_disk / "sw.toml"]):
        code, _, err = cli(*argv, "--out", out)
        assert code == 2, err
        assert "No space left on device" in err and "earlier results are untouched" in err
        # one error line (a model warning, e.g. eaeu_fta's vegetable-oil extrapolation, may
        # precede it on its own line)
        errors = [line for line in err.strip().splitlines() if ": warning: " not in line]
        assert len(errors) == 1 and "Traceback" not in err
        assert snapshot(out) == before
        assert [p.name for p in out.iterdir() if p.name.startswith(".")
                and not p.name.endswith(".checkpoint")] == []
    for d in ("baseline", "eaeu_fta", "sw"):
        assert resultset.verify(out / d) == []
    os.remove(small_disk / "filler")  # space again: the next run succeeds and leaves no litter
    assert cli("run", SCENARIOS / "baseline.toml", "--out", out, "--no-plots", "-q")[0] == 0
    assert [p.name for p in out.iterdir() if p.name.startswith(".")
            and not p.name.endswith(".checkpoint")] == []


def _sweep(directory):
    (directory / "sw.toml").write_text(SWEEP)
    return directory / "sw.toml"
