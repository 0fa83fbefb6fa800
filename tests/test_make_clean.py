"""``make clean`` leaves ``git status --ignored`` showing only the virtualenv (issue 13)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not shutil.which("make") or not shutil.which("git"),
                                reason="needs make and git")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


def test_make_clean_leaves_only_the_venv(tmp_path):
    repo = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(repo)], check=True)
    shutil.copy(ROOT / "Makefile", repo / "Makefile")  # the working tree's recipe under test
    git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty",
        "-am", "Makefile under test")
    # real outputs: a run (with byte code written) ...
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(repo)
    subprocess.run([sys.executable, "-m", "model", "run", "scenarios/baseline.toml",
                    "scenarios/eaeu_fta.toml", "--out", "results", "-q", "--no-plots"],
                   cwd=repo, env=env, check=True, capture_output=True)
    assert (repo / "results" / "comparison.csv").exists()  # a file at the top of results/
    assert list(repo.glob("model/**/__pycache__"))
    # ... and what tests, installs, sweeps and benchmarks leave
    for d in (".venv/bin", ".pytest_cache/v", ".hypothesis/examples", ".ruff_cache",
              "tradesim.egg-info", "benchmarks/out", "results/oil_lng_uncertainty/chunks",
              "tests/__pycache__"):
        (repo / d).mkdir(parents=True, exist_ok=True)
        (repo / d / "x").write_text("x")
    before = git(repo, "status", "--ignored", "--porcelain").splitlines()
    assert len(before) > 5
    subprocess.run(["make", "clean"], cwd=repo, check=True, capture_output=True)
    assert git(repo, "status", "--ignored", "--porcelain").splitlines() == ["!! .venv/"]
    assert (repo / ".venv" / "bin" / "x").exists()  # the virtualenv is kept
    assert (repo / "results" / "README.md").exists()
    subprocess.run(["make", "clean"], cwd=repo, check=True, capture_output=True)  # idempotent
    subprocess.run(["make", "distclean"], cwd=repo, check=True, capture_output=True)
    assert git(repo, "status", "--ignored", "--porcelain") == ""
