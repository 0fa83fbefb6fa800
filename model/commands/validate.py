"""``tradesim validate``: check scenario files, write nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.fiscal import fy_label
from model.scenario import load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files (writes nothing)",
                       description="Read, layer and validate each file; exit 2 at the first "
                                   "problem with a message naming the file and key path.")
    p.add_argument("files", nargs="+", metavar="FILE.toml", type=Path)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    for path in args.files:
        sc = load_scenario(path)
        print(f"{path}: ok (scenario '{sc.name}', horizon to FY{fy_label(sc.settings.horizon_end)})")
    return 0
