"""``make bench``: benchmarks/run_all.py runs every benchmark script and prints one table."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCH))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(BENCH))
    return mod


@pytest.fixture(scope="module")
def run_all():
    return _load("run_all")


def test_makefile_bench_target_runs_an_existing_script():
    recipe = re.search(r"^bench:.*\n\t(.+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    script = re.search(r"benchmarks/\S+\.py", recipe).group(0)
    assert (ROOT / script).is_file(), script


def test_every_benchmark_script_is_discovered_and_has_quick_mode(run_all):
    names = [p.stem for p in run_all.discover(BENCH)]
    assert names == ["bench_cli", "bench_competition", "bench_des", "bench_executor",
                     "bench_explore", "bench_markets", "bench_sweep",
                     "surrogate_error"]
    for name in names:
        text = (BENCH / f"{name}.py").read_text()
        assert '"--quick"' in text and "record(" in text, name


def test_table_assembly(run_all):
    rows = [{"benchmark": "bench_des", "measure": "corridor DES events/s", "value": 556123,
             "unit": "events/s"},
            {"benchmark": "bench_cli", "measure": "CLI run (median)", "value": 1.2534, "unit": "s"},
            {"benchmark": "x", "measure": "FAILED, exit 1", "value": "ValueError: boom",
             "unit": ""}]
    lines = run_all.table(rows).splitlines()
    assert lines[0].split() == ["benchmark", "measure", "value", "unit"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].split("  ")[0] == "bench_des" and "556,123" in lines[2]
    assert lines[3].endswith("1.253  s")
    assert "ValueError: boom" in lines[4]
    # values right-aligned in one column
    ends = {len(line.rstrip()) - len(line.rstrip().split("  ")[-1]) for line in lines[2:4]}
    assert len(ends) == 1
    assert run_all.table([]).splitlines()[0].split() == ["benchmark", "measure", "value", "unit"]


def test_runner_collects_records_wall_times_and_failures(tmp_path):
    shutil.copy(BENCH / "_record.py", tmp_path / "_record.py")
    (tmp_path / "bench_ok.py").write_text(
        "import sys\nfrom _record import record\n"
        "record('bench_ok', 'quick flag seen', '--quick' in sys.argv, '')\n"
        "record('bench_ok', 'answer', 42.0, 'units')\nprint('report text')\n")
    (tmp_path / "bench_bad.py").write_text("raise SystemExit('it broke')\n")
    (tmp_path / "_helper.py").write_text("raise SystemExit('helpers are not benchmarks')\n")
    proc = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--dir", str(tmp_path),
                           "--logs", str(tmp_path / "logs")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1  # one script failed
    out = proc.stdout
    assert re.search(r"bench_ok\s+quick flag seen\s+True", out)
    assert re.search(r"bench_ok\s+answer\s+42\s+units", out)
    assert re.search(r"bench_ok\s+script wall time \(quick\)\s+[\d.]+\s+s", out)
    assert re.search(r"bench_bad\s+FAILED, exit 1\s+it broke", out)
    assert "helper" not in out
    assert (tmp_path / "logs" / "bench_ok.txt").read_text().startswith("report text")
    full = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--dir", str(tmp_path),
                           "--full", "--only", "bench_ok", "--logs", str(tmp_path / "logs")],
                          capture_output=True, text=True, timeout=60)
    assert full.returncode == 0 and re.search(r"quick flag seen\s+False", full.stdout)
    bad = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--only", "nope"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "nope" in bad.stderr
