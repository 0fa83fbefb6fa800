"""Print the queueing surrogate's error against the DES on the shipped routes.

Run: ``python benchmarks/surrogate_error.py [--shipments 40000] [--replications 4] [--quick]``
(--quick: 5,000 shipments, 1 replication: rougher errors, a fraction of the time). Grid:
bottleneck utilisation 0.1..0.9 on the four default routes of FY2026-27 and INSTC after the
Rasht-Astara link (FY2030-31). Also prints per-route wait calibration factors and the error
after calibration.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from model.corridors import calibrate, default_routes, error_grid

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shipments", type=int, default=40_000)
    ap.add_argument("--replications", type=int, default=4)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--quick", action="store_true", help="5,000 shipments, 1 replication")
    args = ap.parse_args()
    if args.quick:
        args.shipments, args.replications = 5_000, 1
    routes = default_routes(2026) | {"instc_2030": default_routes(2030)["instc"]}
    t0 = time.perf_counter()
    grid = error_grid(routes, shipments=args.shipments, replications=args.replications,
                      seed=args.seed)
    scale = calibrate(routes, grid)
    cal = error_grid(routes, shipments=args.shipments, replications=args.replications,
                     seed=args.seed + 1, wait_scale=scale)
    with pd.option_context("display.width", 160):
        print(grid.round(4).to_string(index=False))
        print(f"\nmax |relative error| at utilisation <= 0.9: {grid['rel_error'].abs().max():.4f}")
        print(f"mean |relative error|: {grid['rel_error'].abs().mean():.4f}")
        print("\nwait calibration factors:", {k: round(v, 3) for k, v in scale.items()})
        print(f"after calibration (fresh seeds): max |error| {cal['rel_error'].abs().max():.4f}")
    tag = f" ({args.shipments:,} shipments x {args.replications})"
    record("surrogate_error", "max |surrogate - DES| / DES, util <= 0.9" + tag,
           round(float(grid["rel_error"].abs().max()), 4), "share")
    record("surrogate_error", "mean |surrogate - DES| / DES" + tag,
           round(float(grid["rel_error"].abs().mean()), 4), "share")
    record("surrogate_error", "max error after calibration" + tag,
           round(float(cal["rel_error"].abs().max()), 4), "share")
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
