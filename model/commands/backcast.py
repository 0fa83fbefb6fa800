"""``tradesim backcast``: replay FY2021-22..FY2024-25 against the official totals."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.analysis.backcast import HISTORY_SCENARIO, TARGET_ERROR_PCT, run_backcast, write_backcast


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backcast", help="replay FY2021-22..FY2024-25 and compare with the official totals",
        description="Run the history scenario (FY2021-22 dataset, observed energy/bulk volumes "
                    "and prices and GDP as the only inputs) and write DIR/backcast/{backcast.csv, "
                    "backcast_inputs.csv, summary.csv, notes.md, backcast.png}. The totals are "
                    "predicted, never fitted.")
    p.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                   help="output directory (default: results)")
    p.add_argument("--scenario", type=Path, default=HISTORY_SCENARIO, metavar="FILE.toml",
                   help="history scenario (default: scenarios/history.toml)")
    p.add_argument("--no-plots", action="store_true", help="tables only")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    result, table, inputs = run_backcast(args.scenario)
    dest = write_backcast(result, table, inputs, args.out, plots=not args.no_plots)
    print("observed inputs: crude volume, Brent, Urals discount, LNG, coal, fertiliser and "
          "vegetable-oil volumes and prices, GDP, US$ inflation (backcast_inputs.csv)")
    print("predicted: every flow and total below; official totals are not inputs\n")
    shown = table.assign(model=table["model"].round(2), actual=table["actual"].round(2),
                         error_pct=table["error_pct"].round(1))
    print(shown.to_string(index=False))
    key = table[table["metric"].isin(["total_trade", "balance"])]
    print(f"\nmax |error| on total trade and balance: {key['error_pct'].abs().max():.1f}% "
          f"(target {TARGET_ERROR_PCT:.0f}%) -> {dest}")
    return 0
