"""Competing-supplier market solve (model/markets.py, issue 11), measured in one run. Not a test.

    .venv/bin/python benchmarks/bench_markets.py            # 100,000 samples, 7 repeats
    .venv/bin/python benchmarks/bench_markets.py --quick    # 100,000 samples, 3 repeats

Reports, per sample (median wall time / N), on the same N in the same run:
1. ``engine.goods_value`` on one flow ``(N,)`` and on ``(N, 6)``: today's Eq. 8, the reference;
2. ``solve_market``, 6 suppliers, N draws of (Em, sigma, T0, T1): closed form (Ex = inf), Newton
   with finite per-supplier Ex, and Ex = 99 everywhere (the datasets' SMART convention);
3. ``replace_partner`` (a quantity shock: two solves, the reference and the shocked market);
4. all nine packaged markets (``model/data/markets.toml``): in one call padded to 6 suppliers, and
   one call per market: the cost per sample of a whole year's trade-cost step.
The issue's target: the multi-supplier solve keeps the trade-cost Monte Carlo under 10 us/sample.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

from model.engine import goods_value  # noqa: E402
from model.markets import replace_partner, solve_market  # noqa: E402
from model.markets_data import load_markets  # noqa: E402

N = 100_000
S = 6


def timed(fn, repeats):
    """Median wall time of ``fn()`` over ``repeats`` runs after one warm-up; its last result."""
    out = fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = ap.parse_args(argv)
    repeats = 3 if args.quick else 7
    rng = np.random.default_rng(20261)
    v0 = np.array([0.36, 0.20, 0.14, 0.094, 0.046, 0.16]) * 137.0
    t0 = rng.uniform(1.0, 1.3, (N, S))
    t1 = t0 * rng.uniform(0.8, 1.25, (N, S))
    em, sigma = rng.uniform(0.2, 6.0, N), rng.uniform(0.5, 12.0, N)
    ex = rng.uniform(0.5, 50.0, (N, S))
    dem = rng.uniform(0.9, 1.3, N)
    lc = np.log(t1) - np.log(t0)

    rows = []

    def report(measure, seconds, extra=""):
        us = seconds / N * 1e6
        rows.append((measure, us, extra))
        record("bench_markets", f"{measure}, N={N:,}", round(us, 3), "us/sample")

    base, _ = timed(lambda: goods_value(v0[0], dem, lc[:, 0], em), repeats)
    report("engine.goods_value, 1 flow (N,)", base)
    base_s, _ = timed(lambda: goods_value(v0, dem[:, None], lc, em[:, None]), repeats)
    report("engine.goods_value, (N, 6)", base_s)
    closed, r = timed(lambda: solve_market(v0, t0, t1, em, sigma, demand=dem), repeats)
    report("solve_market, 6 suppliers, Ex = inf (closed form)", closed)
    newton, r = timed(lambda: solve_market(v0, t0, t1, em, sigma, ex, demand=dem), repeats)
    report("solve_market, 6 suppliers, finite Ex (Newton)", newton,
           f"{r.iterations} iterations, converged {r.converged.mean():.0%}, "
           f"max residual {r.residual.max():.1e}")
    smart, r = timed(lambda: solve_market(v0, t0, t1, em, sigma, 99.0, demand=dem), repeats)
    report("solve_market, 6 suppliers, Ex = 99 (Newton)", smart, f"{r.iterations} iterations")
    cut = v0[0] * rng.uniform(0.3, 1.0, N)
    quota, q = timed(lambda: replace_partner(v0, t0, em, sigma, cut, t1=t1), repeats)
    report("replace_partner, 6 suppliers (2 solves)", quota,
           f"{q.solution.iterations} iterations, converged {q.solution.converged.mean():.0%}")

    # every packaged market, stacked on the sample axis and padded to 6 suppliers
    markets = list(load_markets().markets.values())
    m = len(markets)
    pv0 = np.zeros((m, S))
    tar = np.zeros((m, S))
    for i, mk in enumerate(markets):
        k = len(mk.suppliers)
        pv0[i, :k] = mk.base_values(1.0)
        tar[i, :k] = mk.tariff
    big_v0 = np.tile(pv0, (N, 1))
    big_t0 = np.tile(1.0 + tar, (N, 1))
    big_t1 = big_t0 * rng.uniform(0.8, 1.25, (N * m, S))
    big_em = np.repeat(em, m)
    big_sigma = np.repeat(np.maximum(sigma, 1.0), m)
    every, r = timed(lambda: solve_market(big_v0, big_t0, big_t1, big_em, big_sigma), repeats)
    report(f"all {m} markets in one call (N x {m} rows), Ex = inf", every)

    # the same nine markets, one call each at their own width (no padding: no masked path)
    per = [(mk.base_values(1.0), 1.0 + mk.tariff, 1.0 + mk.tariff * rng.uniform(0.5, 1.5, (N, 1)))
           for mk in markets]
    each, _ = timed(lambda: [solve_market(a, b, c, em, np.maximum(sigma, 1.0)) for a, b, c in per],
                    repeats)
    report(f"all {m} markets, one call each (unpadded), Ex = inf", each)
    best = min(every, each)

    width = max(len(x[0]) for x in rows)
    print(f"competing-supplier markets, N = {N:,} samples, median of {repeats} runs")
    print(f"{'measure':<{width}}  {'us/sample':>10}  {'x goods_value(N,6)':>18}")
    for measure, us, extra in rows:
        print(f"{measure:<{width}}  {us:10.3f}  {us / (base_s / N * 1e6):18.1f}  {extra}")
    target = best / N * 1e6
    print(f"target < 10 us/sample for the trade-cost step: all {m} markets take {target:.2f} "
          f"us/sample ({'met' if target < 10 else 'NOT met'})")
    record("bench_markets", f"all {m} markets vs goods_value(N,6) ratio", round(best / base_s, 1),
           "x")


if __name__ == "__main__":
    main()
