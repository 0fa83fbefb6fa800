"""``tradesim data``: print the baseline dataset with the source of every number."""

from __future__ import annotations

import argparse

import pandas as pd

from model.data import DATASETS, load_baseline
from model.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="print the baseline dataset with sources",
                       description="Every number in a packaged dataset (default: the FY2024-25 "
                                   "baseline) with its confidence label (F found, F-sec found in a "
                                   "secondary report, D derived, "
                                   "R recalled/unverified) and source.")
    p.add_argument("--dataset", default="fy2024-25", metavar="NAME",
                   help=f"packaged dataset ({', '.join(DATASETS)}; default fy2024-25)")
    p.add_argument("--csv", action="store_true", help="CSV instead of a table")
    p.add_argument("--section", help="only this section (totals, flow:export, flow:import, "
                                     "history, energy, us, parameters)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.dataset not in DATASETS:
        raise InputError(f"unknown dataset '{args.dataset}'; allowed: {', '.join(DATASETS)}",
                         key="--dataset")
    table = pd.DataFrame(load_baseline(args.dataset).records())
    if args.section:
        table = table[table["section"] == args.section]
    if args.csv:
        print(table.to_csv(index=False), end="")
    else:
        with pd.option_context("display.max_rows", None, "display.max_colwidth", 90,
                               "display.width", 200):
            print(table.to_string(index=False))
        counts = table["conf"].value_counts().to_dict()
        print(f"\n{len(table)} numbers: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0
