"""``tradesim paths``: list the parameter paths a sweep, seek or override may vary."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.scenario import SHIPPED_BASELINE, load_scenario, numeric_paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("paths", help="list sweepable parameter paths of a scenario",
                       description="Dotted key paths of every numeric parameter (for sweep "
                                   "files and `model.run(..., overrides=...)`).")
    p.add_argument("scenario", nargs="?", type=Path, default=SHIPPED_BASELINE,
                   metavar="SCENARIO.toml",
                   help="scenario whose paths to list (default: the shipped baseline.toml)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    print("\n".join(numeric_paths(load_scenario(args.scenario))))
    return 0
