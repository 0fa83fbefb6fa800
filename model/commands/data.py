"""``tradesim data``: the dataset with the source of every number; ``data import`` refreshes it."""

from __future__ import annotations

import argparse

import pandas as pd

from model.data import DATASETS, DEFAULT_DATASET, load_baseline
from model.errors import InputError

SECTIONS = ("totals", "flow:export", "flow:import", "history", "energy", "us", "parameters",
            "hs", "timeline", "monthly", "markets")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="print the dataset with sources; import official tables",
                       description="Every number in a packaged dataset (default: the newest) "
                                   "with its confidence label (F found, F-sec found in a secondary "
                                   "report, D derived, R recalled/unverified) and source. "
                                   "`tradesim data import FILE` turns a TradeStat or Comtrade CSV "
                                   "into the model's HS tables.")
    p.add_argument("--dataset", default=DEFAULT_DATASET, metavar="NAME",
                   help=f"packaged dataset ({', '.join(DATASETS)}; default {DEFAULT_DATASET}) "
                        "or a dataset file of yours (extends = \"fy2025-26\" plus your rows)")
    p.add_argument("--csv", action="store_true", help="CSV instead of a table")
    p.add_argument("--section", choices=SECTIONS, metavar="SECTION",
                   help=f"only this section ({', '.join(SECTIONS)})")
    p.add_argument("--coverage", action="store_true",
                   help="per direction and year: share of official trade explained by named HS "
                        "chapters, and the value share resting on each confidence label")
    p.set_defaults(func=main)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    from model.commands import _data_import

    _data_import.register(actions)


def main(args: argparse.Namespace) -> int:
    if args.dataset not in DATASETS and not args.dataset.endswith(".toml"):
        raise InputError(f"unknown dataset '{args.dataset}'; allowed: {', '.join(DATASETS)} or a "
                         "dataset file (.toml)", key="--dataset")
    base = load_baseline(args.dataset)
    if args.coverage:
        from model.data.coverage import coverage_report, hs_coverage, label_shares

        if args.csv:
            return _print(coverage_report(base), True)
        print(f"Dataset {args.dataset}: share of each official total explained by HS table rows")
        cov = hs_coverage(base)
        _print(cov, False)
        if cov["official_usd_bn"].isna().any():
            print("n/a: the dataset holds no official total for that year (HS rows only)")
        print(f"\nFY{label_shares(base)['fiscal_year'].iloc[0]} flow values by the weakest label "
              "they rest on (% of the direction's total; R includes values derived from R)")
        return _print(label_shares(base), False)
    table = pd.DataFrame(base.records())
    if args.section:
        table = table[table["section"] == args.section]
    code = _print(table, args.csv)
    if not args.csv:
        counts = table["conf"].value_counts().to_dict()
        print(f"\n{len(table)} numbers: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return code


def _print(table: pd.DataFrame, as_csv: bool) -> int:
    if as_csv:
        print(table.to_csv(index=False), end="")
    else:
        with pd.option_context("display.max_rows", None, "display.max_colwidth", 90,
                               "display.width", 200):
            print(table.to_string(index=False, na_rep="n/a"))  # n/a: not in the dataset
    return 0
