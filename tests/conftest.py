"""Shared fixtures: the repo's scenarios, temporary scenario files, the CLI in-process."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays a fixed set of examples (derandomize) so a landing never hinges on a lucky draw;
# local runs keep exploring new examples, and `-m slow` runs many more.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

from model.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(p for p in SCENARIOS.glob("*.toml"))
# a small valid sweep (3 model runs); format with name=...
TORNADO_SWEEP = f"""name = "{{name}}"
scenario = "{(SCENARIOS / 'baseline.toml').as_posix()}"
method = "tornado"
outcomes = ["balance:2029-30"]
[parameters."levers.oil.brent_usd"]
low = 60.0
high = 90.0
"""


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario file next to a copy of baseline.toml; return its path."""
    (tmp_path / "baseline.toml").write_text((SCENARIOS / "baseline.toml").read_text())

    def write(text: str, name: str = "test.toml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""

    def run(*argv: str):
        code = cli_main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


# counts of the command-line fuzz cases (tests/test_fuzz_cli.py), printed after the session
fuzz_counts: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    if fuzz_counts:
        terminalreporter.write_line(
            "command-line fuzz: " + ", ".join(f"{v:,} {k}" for k, v in sorted(fuzz_counts.items())))
