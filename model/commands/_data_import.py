"""``tradesim data import FILE --format tradestat|comtrade``: official CSV -> the model's HS tables.

Registered under ``tradesim data`` (see :mod:`model.commands.data`). Placeholder until the
importer lands: parsing lives in :mod:`model.data.importer`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(actions: argparse._SubParsersAction) -> None:
    p = actions.add_parser("import", help="read a TradeStat (EIDB) or UN Comtrade CSV",
                           description="Map HS-2017/HS-2022 codes to the model's flows with the "
                                       "concordance in model/data/concordance.csv and write HS "
                                       "tables with labels plus a report of unmapped codes.")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--format", required=True, choices=("tradestat", "comtrade"))
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    raise NotImplementedError("data import is not built yet")
