"""Sweep benchmarks (issue 4), measured in one run on this machine. Not a test.

    .venv/bin/python benchmarks/bench_sweep.py            # everything (~2-4 minutes)
    .venv/bin/python benchmarks/bench_sweep.py --quick    # smaller sizes (~1 minute)

Reports:
1. 100,000-sample Monte Carlo of the full baseline model: wall time (target < 2 s) and speed per
   sample against a Python loop calling ``run_batch`` once per sample (target >= 100x);
2. engine throughput against a plain numpy copy of the output array (bytes/s ratio);
3. Sobol' with 12 parameters at n = 2^14 including bootstrap intervals (target < 15 s), on the
   real model and on a cheap 12-input toy (to separate the analysis cost from model cost);
4. 10,000,000 samples streamed to disk: peak memory (target < 1 GB), in a fresh subprocess;
5. Dask LocalCluster with 2 workers against serial on a heavy sweep (speed-up);
6. with ``--ema-python PY`` (a Python that has ema_workbench, e.g. a throw-away venv whose .pth
   points at this project's site-packages): EMA Workbench's SequentialEvaluator driving the same
   model one sample at a time, against this sweep per sample (target >= 100x).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

from model.projection import run_batch  # noqa: E402
from model.scenario import load_scenario  # noqa: E402
from model.sweep import load_sweep, parse_sweep, run_sweep  # noqa: E402

BASELINE = ROOT / "scenarios" / "baseline.toml"
OIL = ROOT / "scenarios" / "sweeps" / "oil_lng_uncertainty.toml"
TWELVE = ["levers.oil.volume_mbd", "levers.oil.brent_usd", "levers.oil.discount_usd",
          "levers.lng.volume_mt", "levers.lng.price_usd_mmbtu", "levers.us_tariff.rate",
          "levers.fta.eaeu_tariff_cut", "levers.fta.india_tariff_cut", "levers.ntb.cut.pharma",
          "levers.payments.friction", "macro.india_gdp_growth", "flows.pharma.elasticity"]
RANGES = {"levers.oil.volume_mbd": (0.8, 2.1), "levers.oil.brent_usd": (55, 100),
          "levers.oil.discount_usd": (1, 15), "levers.lng.volume_mt": (1, 6),
          "levers.lng.price_usd_mmbtu": (8, 15), "levers.us_tariff.rate": (0, 0.5),
          "levers.fta.eaeu_tariff_cut": (0, 1), "levers.fta.india_tariff_cut": (0, 1),
          "levers.ntb.cut.pharma": (0, 1), "levers.payments.friction": (0, 0.06),
          "macro.india_gdp_growth": (0.05, 0.08), "flows.pharma.elasticity": (2, 5)}


class Sum12:
    """Cheap 12-input toy (y = sum c_i x_i + x1 x2) for the Sobol' analysis cost alone."""

    names = [f"x{i}" for i in range(1, 13)]

    def __call__(self, inputs, rng):
        y = sum((i + 1) * inputs[k] for i, k in enumerate(self.names))
        return {"y": y + inputs["x1"] * inputs["x2"]}


def line(name, value, target=""):
    print(f"  {name:<58} {value:>16}  {target}", flush=True)


def bench_mc(n: int, loop_n: int) -> None:
    print("1. Monte Carlo of the full baseline model")
    spec, base = load_sweep(OIL)
    spec = spec.model_copy(update={"n": n, "sampler": "random"})
    for workers in (1, 2):
        t = time.perf_counter()
        r = run_sweep(spec, out=None, base_dir=base, workers=workers, plots=False)
        wall = time.perf_counter() - t
        ex = r.manifest["executor"]
        line(f"{n:,} samples, run_sweep, workers={workers} ({ex})", f"{wall:.2f} s",
             "(target < 2 s)")
        record("bench_sweep", f"oil/LNG Monte Carlo, {n:,} samples, workers={workers} ({ex})",
               round(wall, 2), "s (target < 2)")
        if workers == 1:
            per_sample_sweep = wall / n
    sc = load_scenario(BASELINE)
    rng = np.random.default_rng(0)
    xs = {p: rng.uniform(0.8, 2.0, loop_n) if "volume" in p else rng.uniform(60, 90, loop_n)
          for p in ("levers.oil.volume_mbd", "levers.oil.brent_usd")}
    t = time.perf_counter()
    for i in range(loop_n):
        run_batch(sc, {k: v[i:i + 1] for k, v in xs.items()})
    per_loop = (time.perf_counter() - t) / loop_n
    line(f"Python loop, run_batch per sample ({loop_n} samples)",
         f"{per_loop * 1e3:.2f} ms/sample")
    line("speed-up per sample, sweep (serial) vs loop", f"{per_loop / per_sample_sweep:.0f}x",
         "(target >= 100x)")
    record("bench_sweep", "per-sample speed-up, sweep vs Python loop",
           round(per_loop / per_sample_sweep), "x (target >= 100)")


def bench_engine(n: int) -> None:
    print("2. Engine throughput vs a numpy copy of its output")
    for size in (n, 16 * n):  # the second amortises the fixed cost of the corridor solve
        _engine_vs_copy(size)


def _engine_vs_copy(n: int) -> None:
    sc = load_scenario(BASELINE)
    x = {"levers.oil.volume_mbd": np.linspace(0.8, 2.0, n)}
    run_batch(sc, x)
    t = time.perf_counter()
    b = run_batch(sc, x)
    t_engine = time.perf_counter() - t
    out = b.flows
    reps = 20
    t = time.perf_counter()
    for _ in range(reps):
        out.copy()
    t_copy = (time.perf_counter() - t) / reps
    gbs = lambda s: out.nbytes / s / 1e9  # noqa: E731
    line(f"run_batch N={n:,}, output flows {out.shape}", f"{gbs(t_engine):.3f} GB/s")
    line("numpy copy of the same array", f"{gbs(t_copy):.2f} GB/s")
    line("engine time / copy time", f"{t_engine / t_copy:.0f}x", "(target within 3x)")
    record("bench_sweep", f"engine / numpy copy of its output, N={n:,}",
           round(t_engine / t_copy, 1), "ratio (target <= 3)")


def bench_sobol(n: int, model: bool) -> None:
    print(f"3. Sobol' indices, 12 parameters, n = {n:,}, 999 bootstrap resamples")
    params = {f"x{i}": {"low": 0.0, "high": 1.0} for i in range(1, 13)}
    spec = parse_sweep(dict(name="s12", method="sobol", n=n, evaluator="toy:linear",
                            outcomes=["y"], parameters=params))
    t = time.perf_counter()
    r = run_sweep(spec, out=None, evaluator=Sum12(), plots=False)
    wall = time.perf_counter() - t
    line(f"toy (analysis cost), {r.manifest['n_rows']:,} runs", f"{wall:.2f} s",
         "(target < 15 s)")
    record("bench_sweep", f"Sobol' 12 inputs n={n:,}, toy model (analysis cost)", round(wall, 2),
           "s")
    if model:
        mp = {p: {"low": float(lo), "high": float(hi)} for p, (lo, hi) in RANGES.items()}
        spec = parse_sweep(dict(name="s12m", method="sobol", n=n, scenario=str(BASELINE),
                                outcomes=["balance:2029-30"], parameters=mp))
        for workers in (1, 2):
            t = time.perf_counter()
            r = run_sweep(spec, out=None, workers=workers, plots=False)
            wall = time.perf_counter() - t
            line(f"baseline model, {r.manifest['n_rows']:,} runs, workers={workers}",
                 f"{wall:.2f} s", f"(target < 15 s; executor {r.manifest['executor']})")
            record("bench_sweep", f"Sobol' 12 inputs n={n:,}, baseline model, "
                   f"workers={workers} ({r.manifest['executor']})", round(wall, 2),
                   "s (target < 15)")


def bench_stream(n: int) -> None:
    print(f"4. {n:,} samples streamed (fresh process, toy linear model, chunk files + tables)")
    code = (f"import sys, time, resource; sys.path.insert(0, {str(ROOT)!r})\n"
            "from model.sweep import parse_sweep, run_sweep\n"
            "p = {f'x{i}': {'dist': 'normal', 'mean': 0.0, 'sd': 1.0} for i in range(1, 6)}\n"
            f"s = parse_sweep(dict(name='big', method='montecarlo', sampler='random', n={n},"
            " evaluator='toy:linear', outcomes=['y', 'y_noisy'], parameters=p))\n"
            "t = time.perf_counter(); r = run_sweep(s, out=sys.argv[1], plots=False)\n"
            # VmHWM: this process's own peak (ru_maxrss keeps the parent's peak across exec)
            "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')]\n"
            "kb = int(hwm[0].split()[1]) if hwm else"
            " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "print(time.perf_counter() - t, kb, r.manifest['recorded_rows'])\n")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", code, tmp], capture_output=True, text=True,
                             check=True).stdout.split()
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    wall, rss_kb, kept = float(out[0]), int(out[1]), int(out[2])
    line("wall time", f"{wall:.1f} s")
    line("peak memory (VmHWM of the sweep process)", f"{rss_kb / 1024:.0f} MB", "(target < 1 GB)")
    record("bench_sweep", f"{n:,} samples streamed: wall time", round(wall, 1), "s")
    record("bench_sweep", f"{n:,} samples streamed: peak memory", round(rss_kb / 1024), "MB "
           "(target < 1024)")
    line("rows recorded in samples/outcomes.csv (hash subset)", f"{kept:,}")
    line("disk used (chunk files + tables)", f"{size / 2**20:.0f} MB")


def _numpy_work(_: int) -> float:
    x = np.outer(np.linspace(0, 1, 1024), np.linspace(0, 1, 64))
    for _ in range(400):
        x = np.sin(x) + 0.5 * np.cos(x)
    return float(x[0, 0])


def parallel_ceiling() -> float:
    """Speed-up of 2 processes over 1 on pure numpy work: what this machine can give at best."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_numpy_work, range(2)))  # start the workers first
        t = time.perf_counter()
        list(pool.map(_numpy_work, range(4)))
        par = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(4):
        _numpy_work(i)
    return (time.perf_counter() - t) / par


def _dask_speedup(spec, label: str, target: str) -> None:
    from distributed import Client, LocalCluster

    t = time.perf_counter()
    a = run_sweep(spec, out=None, plots=False)
    serial = time.perf_counter() - t
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        client.run(lambda: __import__("model.sweep.execute"))  # warm imports
        client.run(lambda: __import__("model.corridors"))
        t = time.perf_counter()
        b = run_sweep(spec, out=None, client=client, plots=False)
        dask = time.perf_counter() - t
    same = np.array_equal(a.outcomes.to_numpy(), b.outcomes.to_numpy())
    line(f"{label}: serial", f"{serial:.2f} s")
    line(f"{label}: Dask, 2 workers", f"{dask:.2f} s")
    line(f"speed-up (identical outcomes: {same})", f"{serial / dask:.2f}x", target)
    record("bench_sweep", f"Dask 2 workers vs serial: {label}", round(serial / dask, 2),
           f"x{' ' + target.strip('()') if target else ''}; identical {same}")


def bench_dask(n: int, n_des: int = 512) -> None:
    print("5. Dask LocalCluster (2 worker processes) vs serial")
    des = parse_sweep(dict(name="des", method="montecarlo", sampler="sobol", n=n_des,
                           evaluator="toy:des", outcomes=["y"],
                           parameters={"x1": {"low": 0.3, "high": 0.9}}, block_size=16))
    _dask_speedup(des, f"DES-heavy sweep, {n_des} INSTC simulations", "(target >= 1.7x)")
    params = {"x1": {"low": 0.0, "high": 1.0}, "x2": {"low": 0.0, "high": 1.0}}
    heavy = parse_sweep(dict(name="heavy", method="montecarlo", sampler="sobol", n=n,
                             evaluator="toy:heavy", outcomes=["y"], parameters=params,
                             block_size=1024))
    _dask_speedup(heavy, f"numpy-heavy toy, {n:,} samples", "")
    ceiling = parallel_ceiling()
    line("machine ceiling: 2 processes vs 1 on pure numpy work", f"{ceiling:.2f}x")
    record("bench_sweep", "machine ceiling: 2 processes vs 1, pure numpy", round(ceiling, 2), "x")


EMA_CODE = """
import sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
import numpy as np
from ema_workbench import Model, RealParameter, ScalarOutcome, SequentialEvaluator
from model.projection import run_batch
from model.scenario import load_scenario
sc = load_scenario({baseline!r})

def trade(brent=75.0, volume=1.6):
    b = run_batch(sc, {{"levers.oil.brent_usd": np.array([brent]),
                       "levers.oil.volume_mbd": np.array([volume])}})
    return {{"balance": float(b.balance[0, 5])}}

m = Model("trade", function=trade)
m.uncertainties = [RealParameter("brent", 60, 90), RealParameter("volume", 0.8, 2.0)]
m.outcomes = [ScalarOutcome("balance")]
with SequentialEvaluator(m) as ev:
    t = time.perf_counter()
    ev.perform_experiments(scenarios={n})
    print((time.perf_counter() - t) / {n})
"""


def bench_ema(python: str, n: int, n_sweep: int) -> None:
    print(f"6. EMA Workbench SequentialEvaluator ({n} samples) vs run_sweep ({n_sweep:,})")
    code = EMA_CODE.format(root=str(ROOT), baseline=str(BASELINE), n=n)
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    per_ema = float(out.stdout.split()[-1])
    params = {"levers.oil.brent_usd": {"low": 60.0, "high": 90.0},
              "levers.oil.volume_mbd": {"low": 0.8, "high": 2.0}}
    spec = parse_sweep(dict(name="ema", method="montecarlo", n=n_sweep, scenario=str(BASELINE),
                            outcomes=["balance:2029-30"], parameters=params))
    t = time.perf_counter()
    run_sweep(spec, out=None, plots=False)
    per_sweep = (time.perf_counter() - t) / n_sweep
    line("EMA SequentialEvaluator", f"{per_ema * 1e3:.2f} ms/sample")
    line("run_sweep (serial)", f"{per_sweep * 1e6:.0f} µs/sample")
    line("speed-up per sample", f"{per_ema / per_sweep:.0f}x", "(target >= 100x)")
    record("bench_sweep", "per-sample speed-up vs EMA Workbench", round(per_ema / per_sweep),
           "x (target >= 100)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", type=int, nargs="*", help="benchmark numbers to run")
    ap.add_argument("--ema-python", help="a Python with ema_workbench installed (benchmark 6)")
    a = ap.parse_args()
    q = a.quick
    print(f"bench_sweep on {json.dumps({'cpus': __import__('os').cpu_count()})}")
    benches = {1: lambda: bench_mc(20_000 if q else 100_000, 100 if q else 300),
               2: lambda: bench_engine(16_384),
               3: lambda: bench_sobol(2**10 if q else 2**14, model=True),
               4: lambda: bench_stream(1_000_000 if q else 10_000_000),
               5: lambda: bench_dask(16_384 if q else 65_536),
               6: lambda: a.ema_python and bench_ema(a.ema_python, 100 if q else 300,
                                                     20_000 if q else 100_000)}
    for k, run in benches.items():
        if not a.only or k in a.only:
            run()
    print(f"peak memory of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
