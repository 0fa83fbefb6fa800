"""Benchmark the corridor DES: events per second against bare SimPy, and a 10-year baseline run.

Run: ``python benchmarks/bench_des.py [--quick]`` (~5 s; --quick: best of 1). Targets (issue): >= 300,000 events/s; a deterministic
10-year run of the four default routes at baseline loads in < 5 s. Not a timed test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import simpy

from model.corridors import Route, Stage, default_routes, simulate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

# Baseline India-Russia loads, Mt/yr (R unless noted; for timing, not for analysis):
BASELINE_MT = {
    "suez": 90.0,  # ~1.8 mb/d of crude ~ 88 Mt (D from facts 3a) plus other cargo, mostly Suez
    "instc": 0.4,  # "probably well under 1 Mt/yr" (R, facts 8)
    "chennai_vladivostok": 10.0,  # Kozmino crude, coal, fertiliser (R)
    "nsr": 1.0,  # R
}


def bare_chain(n: int, servers: int, means: list[float], seed: int) -> tuple[int, float]:
    """The same work in bare SimPy: n shipments through a chain of Resources. -> (events, s)."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    res = [simpy.Resource(env, capacity=servers) for _ in means]
    service = np.column_stack([rng.exponential(m, n) for m in means]).tolist()
    arrivals = np.cumsum(rng.exponential(means[0] / servers / 0.7, n)).tolist()

    def ship(i):
        for k, r in enumerate(res):
            req = r.request()
            yield req
            yield env.timeout(service[i][k])
            r.release(req)

    def source():
        for i, t in enumerate(arrivals):
            yield env.timeout(t - env.now)
            env.process(ship(i))

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    return next(env._eid), time.perf_counter() - t0


def model_chain(n_per_year: float, years: int, servers: int, means: list[float], seed: int):
    """The corridor DES on a 4-stage chain at utilisation 0.7. -> (events, seconds)."""
    stages = tuple(Stage(f"s{k}", "port", servers, m, 1.0) for k, m in enumerate(means))
    route = Route("chain", stages, ("container",), 100.0, 1.0)
    t0 = time.perf_counter()
    st = simulate({"chain": route}, {"chain": [n_per_year] * years}, range(years),
                  np.random.default_rng(seed))
    return st.events, time.perf_counter() - t0


def baseline_run(seed: int) -> tuple[int, float, object]:
    routes = default_routes(2026)
    counts = {name: [BASELINE_MT[name] * 1e6 / r.tonnes_per_shipment] * 10
              for name, r in routes.items()}
    t0 = time.perf_counter()
    st = simulate(routes, counts, range(2026, 2036), np.random.default_rng(seed))
    return st.events, time.perf_counter() - t0, st


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="best of 1")
    args = ap.parse_args()
    if args.quick:
        args.repeat = 1
    means, servers, years, per_year = [10.0, 6.0, 8.0, 4.0], 2, 10, 0.7 * 2 / 10.0 * 8760
    n = int(per_year * years)
    bare = min((bare_chain(n, servers, means, args.seed) for _ in range(args.repeat)),
               key=lambda r: r[1])
    ours = min((model_chain(per_year, years, servers, means, args.seed)
                for _ in range(args.repeat)), key=lambda r: r[1])
    base = min((baseline_run(args.seed) for _ in range(args.repeat)), key=lambda r: r[1])
    rate_bare, rate_ours = bare[0] / bare[1], ours[0] / ours[1]
    print(f"{'case':44s} {'events':>10s} {'seconds':>8s} {'events/s':>10s}")
    print(f"{'bare SimPy, 4-stage chain, ' + str(n) + ' shipments':44s} "
          f"{bare[0]:10d} {bare[1]:8.3f} {rate_bare:10,.0f}")
    print(f"{'corridor DES, same chain (incl. summary)':44s} "
          f"{ours[0]:10d} {ours[1]:8.3f} {rate_ours:10,.0f}")
    print(f"{'ratio corridor DES / bare SimPy':44s} {'':10s} {'':8s} {rate_ours / rate_bare:10.2f}")
    print(f"{'10-year baseline, 4 default routes':44s} {base[0]:10d} {base[1]:8.3f} "
          f"{base[0] / base[1]:10,.0f}")
    record("bench_des", "corridor DES events/s", round(rate_ours), "events/s (target >= 300k)")
    record("bench_des", "bare SimPy events/s, same chain", round(rate_bare), "events/s")
    record("bench_des", "corridor DES / bare SimPy", round(rate_ours / rate_bare, 2), "ratio")
    record("bench_des", "10-year baseline, 4 routes", round(base[1], 3), "s (target < 5)")
    print("targets: >= 300,000 events/s; 10-year baseline < 5 s (best of "
          f"{args.repeat}, same seed)")
    print(base[2].to_frame().groupby("route")[["throughput_mt", "transit_days_mean",
                                                "transit_days_p95", "max_utilisation"]].mean()
          .round(2).to_string())


if __name__ == "__main__":
    main()
