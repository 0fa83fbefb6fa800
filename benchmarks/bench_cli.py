"""Wall time of a single deterministic scenario run from the CLI (issue 2: < 2 s).

    python benchmarks/bench_cli.py [--repeat 5] [--quick]   (~15 s; --quick: 2 repeats)

Reports the median and min of repeated `tradesim run scenarios/baseline.toml` invocations, with
and without plots, plus the in-process projection time (imports excluded) for scale.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record  # noqa: E402


def wall(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="2 repeats")
    args = ap.parse_args()
    if args.quick:
        args.repeat = 2
    out = tempfile.mkdtemp()
    base = [sys.executable, "-m", "model", "run", "scenarios/baseline.toml", "--out", out, "-q"]
    rows = [("CLI run, with plots", wall(base, args.repeat)),
            ("CLI run, --no-plots", wall([*base, "--no-plots"], args.repeat)),
            ("python -m model --help (import floor)",
             wall([sys.executable, "-m", "model", "--help"], args.repeat))]
    import model

    sc = model.load_scenario(ROOT / "scenarios/baseline.toml")
    t0 = time.perf_counter()
    for _ in range(20):
        model.run(sc)
    rows.append(("in-process model.run (x1)", [(time.perf_counter() - t0) / 20]))
    print(f"{'measurement':40s} {'median s':>9s} {'min s':>7s}")
    for name, t in rows:
        print(f"{name:40s} {statistics.median(t):9.3f} {min(t):7.3f}")
        record("bench_cli", f"{name} (median)", round(statistics.median(t), 3), "s")


if __name__ == "__main__":
    main()
