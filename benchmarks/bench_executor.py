"""Executor choice (issue 13): ``--workers 2`` against serial on every shipped sweep, and on a
sweep big enough for worker processes to pay. Measured in one run on this machine. Not a test.

    .venv/bin/python benchmarks/bench_executor.py            # ~3 minutes
    .venv/bin/python benchmarks/bench_executor.py --quick    # ~30 s: best of 1, smaller sweeps

For each shipped sweep in ``scenarios/sweeps/``: wall time of ``run_sweep(workers=2)`` (the
default executor choice: serial when the estimated compute is below the cost of starting the
workers, see ``model.sweep.run.choose_executor``), of serial, and of a forced process pool (what
``--workers 2`` cost before the automatic choice). Targets: auto / serial <= 1.10 on every shipped
sweep; on the big Monte Carlo sweeps ``--workers 2`` >= 1.6x faster than serial (a Sobol'
sweep's bootstrap intervals are computed serially afterwards, which caps its speed-up). Outcomes are compared bit
for bit between executors.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record  # noqa: E402

from model.sweep import load_sweep, parse_sweep, run_sweep  # noqa: E402
from model.sweep.run import WORKER_STARTUP_S, prepare  # noqa: E402

SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
BASELINE = ROOT / "scenarios" / "baseline.toml"
from bench_sweep import RANGES  # noqa: E402  twelve trade, energy and macro inputs


def run(spec, base, repeat: int, **kw):
    """Best wall time of ``repeat`` runs (the run's own stderr note is captured)."""
    best, res, note = float("inf"), None, ""
    for _ in range(repeat):
        err = io.StringIO()
        t = time.perf_counter()
        with contextlib.redirect_stderr(err):
            res = run_sweep(spec, out=None, base_dir=base, plots=False, **kw)
        best = min(best, time.perf_counter() - t)
        note = err.getvalue().strip()
    return best, res, note


def same(a, b) -> bool:
    return np.array_equal(a.outcomes.to_numpy(), b.outcomes.to_numpy(), equal_nan=True)


def bench_shipped(repeat: int) -> bool:
    print(f"1. shipped sweeps: --workers 2 (automatic choice) vs serial, best of {repeat}")
    print(f"  {'sweep':<22} {'rows':>7} {'est. s':>7} {'serial s':>9} {'auto s':>7} "
          f"{'executor':>9} {'auto/serial':>11} {'forced pool s':>13} {'identical':>9}")
    ok = True
    for path in SWEEPS:
        spec, base = load_sweep(path)
        est = prepare(spec, base_dir=base).estimated_seconds()
        t_serial, serial, _ = run(spec, base, repeat)
        t_auto, auto, _ = run(spec, base, repeat, workers=2)
        t_pool, pool, _ = run(spec, base, 1, workers=2, force_workers=True)
        ratio = t_auto / t_serial
        ok &= ratio <= 1.10
        ident = same(serial, auto) and same(serial, pool)
        print(f"  {path.stem:<22} {serial.manifest['n_rows']:>7,} {est:>7.2f} {t_serial:>9.2f} "
              f"{t_auto:>7.2f} {auto.manifest['executor']:>9} {ratio:>11.2f} {t_pool:>13.2f} "
              f"{str(ident):>9}", flush=True)
        record("bench_executor", f"{path.stem}: --workers 2 (auto) / serial", round(ratio, 2),
               "ratio (target <= 1.10)")
        record("bench_executor", f"{path.stem}: forced 2-worker pool / serial",
               round(t_pool / t_serial, 2), "ratio")
    return ok


def big_sweeps(quick: bool) -> list[tuple[str, object, float | None]]:
    """(label, spec, target speed-up or None) of sweeps big enough for the pool to pay."""
    mp = {p: {"low": float(lo), "high": float(hi)} for p, (lo, hi) in RANGES.items()}
    n_mc = 2**16 if quick else 2**19
    mc = parse_sweep(dict(name="mc12", method="montecarlo", sampler="random", n=n_mc,
                          scenario=str(BASELINE), seed=1, parameters=mp,
                          outcomes=["balance:2029-30", "total_trade:2029-30"]))
    n = 2**12 if quick else 2**15
    sobol = parse_sweep(dict(name="sobol12", method="sobol", n=n, scenario=str(BASELINE),
                             seed=1, outcomes=["balance:2029-30", "total_trade:2029-30"],
                             parameters=mp))
    n_des = 128 if quick else 512
    des = parse_sweep(dict(name="des", method="montecarlo", sampler="sobol", n=n_des,
                           evaluator="toy:des", outcomes=["y"], block_size=16,
                           parameters={"x1": {"low": 0.3, "high": 0.9}}))
    return [(f"model Monte Carlo, 12 inputs, {n_mc:,} samples", mc, 1.6),
            (f"model Sobol', 12 inputs, n = 2^{n.bit_length() - 1} (+ serial bootstrap)", sobol,
             None),
            (f"DES-heavy Monte Carlo, {n_des} SimPy INSTC runs", des, 1.6)]


def bench_big(quick: bool) -> bool:
    print("2. sweeps big enough to pay: --workers 2 vs serial (one run each)")
    ok = True
    for label, spec, target in big_sweeps(quick):
        est = prepare(spec).estimated_seconds()
        t_serial, serial, _ = run(spec, None, 1)
        t_two, two, note = run(spec, None, 1, workers=2)
        speedup = t_serial / t_two
        if target and not quick:
            ok &= speedup >= target
        print(f"  {label:<56} rows {serial.manifest['n_rows']:>8,}  est. {est:6.1f} s  "
              f"serial {t_serial:6.2f} s  --workers 2 {t_two:6.2f} s "
              f"({two.manifest['executor']})  speed-up {speedup:.2f}x"
              f"{f' (target >= {target}x)' if target else ''}  identical "
              f"{same(serial, two)}{'  ' + note if note else ''}", flush=True)
        record("bench_executor", f"{label}: serial", round(t_serial, 2), "s")
        record("bench_executor", f"{label}: --workers 2 speed-up", round(speedup, 2),
               f"x (target >= {target})" if target else "x")
    return ok


def bench_startup() -> None:
    """Wall time of a 2-worker sweep of one tiny chunk per worker minus its serial time: the
    pool start-up the automatic choice weighs (model.sweep.run.WORKER_STARTUP_S)."""
    spec = parse_sweep(dict(name="tiny", method="montecarlo", sampler="random", n=32,
                            scenario=str(BASELINE), outcomes=["balance:2029-30"], block_size=16,
                            parameters={"levers.oil.brent_usd": {"low": 60.0, "high": 90.0}}))
    t_serial, _, _ = run(spec, None, 3)
    t_pool, _, _ = run(spec, None, 3, workers=2, force_workers=True, chunk_size=16)
    cost = t_pool - t_serial
    print(f"3. worker start-up (2 processes, trade model): {cost:.2f} s measured; "
          f"WORKER_STARTUP_S = {WORKER_STARTUP_S} s assumed; {os.cpu_count()} CPUs")
    record("bench_executor", "2-worker pool start-up (trade model)", round(cost, 2), "s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, help="best of N for the shipped sweeps (default 3, "
                    "quick 1)")
    a = ap.parse_args()
    repeat = a.repeat or (1 if a.quick else 3)
    bench_startup()
    ok = bench_shipped(repeat)
    ok &= bench_big(a.quick)
    print("targets met" if ok else "TARGETS MISSED (see above)")


if __name__ == "__main__":
    main()
