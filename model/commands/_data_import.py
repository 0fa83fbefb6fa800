"""``tradesim data import FILE --format tradestat|comtrade``: official CSV -> the model's HS tables.

Registered under ``tradesim data`` (see :mod:`model.commands.data`). Parsing and mapping live in
:mod:`model.data.importer`; this module checks the arguments, writes the output directory
atomically (a temporary directory renamed into place, so nothing is half-written) and prints a
short summary.

Writes into ``--out`` (default ``imported/``): ``hs_table.csv`` (the columns of
:data:`model.data.hs.TABLE_COLUMNS`, label F, source ``import:<file> (<format>, imported
<date>)``), ``flows.csv`` (the table grouped into the model's flows by the concordance) and
``unmapped.csv`` (the report: codes not mapped, other partners and flows counted, notes).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from model.errors import InputError


def register(actions: argparse._SubParsersAction) -> None:
    p = actions.add_parser("import", help="read a TradeStat (EIDB) or UN Comtrade CSV",
                           description="Map HS-2017/HS-2022 codes to the model's flows with the "
                                       "concordance in model/data/concordance.csv and write HS "
                                       "tables with labels plus a report of unmapped codes. "
                                       "Only India-Russia trade is imported; other partners are "
                                       "counted in the report.")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--format", required=True, choices=("tradestat", "comtrade"))
    p.add_argument("--out", type=Path, default=Path("imported"), metavar="DIR",
                   help="output directory (default: imported/ here); must not exist or be "
                        "empty unless --force")
    p.add_argument("--force", action="store_true", help="replace a non-empty output directory")
    p.add_argument("--direction", choices=("export", "import"),
                   help="India's direction, for TradeStat files that do not state it (selects "
                        "it if the file has both)")
    p.add_argument("--fiscal-year", metavar="YYYY-YY",
                   help="fiscal year, e.g. 2024-25, for TradeStat files that do not state it "
                        "(selects it if the file has several)")
    p.add_argument("--calendar-as-fiscal", action="store_true",
                   help="Comtrade annual data: take calendar year Y as FY Y-(Y+1) (noted in the "
                        "report); without it annual data are refused")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from model.data import importer
    from model.data.hs import TABLE_COLUMNS

    if args.format == "tradestat":
        if args.calendar_as_fiscal:
            raise InputError("only for --format comtrade", key="--calendar-as-fiscal")
        lines = importer.read_tradestat(args.file, direction=args.direction,
                                        fiscal_year=args.fiscal_year)
    else:
        if args.direction or args.fiscal_year:
            raise InputError("Comtrade files state reporter, flow and period; --direction and "
                             "--fiscal-year are for TradeStat files",
                             key="--direction/--fiscal-year")
        lines = importer.read_comtrade(args.file, calendar_as_fiscal=args.calendar_as_fiscal)
    if lines.empty:
        raise InputError("no data lines with a value found", file=str(args.file))
    source = f"import:{args.file.name} ({args.format}, imported {dt.date.today().isoformat()})"
    table, report = importer.import_table(lines, source=source, conf="F")
    flows = importer.flow_table(table)
    summary = importer.summarise(lines, table, report)

    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a directory", file=str(out), key="--out")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise InputError("directory exists and is not empty; choose another --out or pass "
                         "--force to replace it", file=str(out), key="--out")
    from model.results import atomic_dir

    with atomic_dir(out) as tmp:
        table[TABLE_COLUMNS].to_csv(tmp / "hs_table.csv", index=False, lineterminator="\n")
        flows.to_csv(tmp / "flows.csv", index=False, lineterminator="\n")
        report.to_csv(tmp / "unmapped.csv", index=False, lineterminator="\n")

    _print_summary(args, lines, table, report, summary, out)
    return 0


def _print_summary(args, lines, table, report, summary, out: Path) -> None:
    kinds = report["kind"].value_counts().to_dict() if len(report) else {}
    print(f"read {args.file} ({args.format}): {len(lines)} value lines; "
          f"{len(table)} table rows written to {out}/")
    with_values = summary.rename(columns={
        "lines_read": "read", "lines_kept": "kept", "mapped_usd_mn": "mapped US$mn",
        "unmapped_usd_mn": "unmapped US$mn", "other_partners_usd_mn": "other partners US$mn"})
    print(with_values.to_string(index=False))
    parts = [f"{n} {k.replace('_', ' ')}" for k, n in sorted(kinds.items())]
    if parts:
        print(f"report {out / 'unmapped.csv'}: " + ", ".join(parts))
    if len(report):
        for text in report.loc[report["kind"] == "note", "note"].drop_duplicates().head(3):
            if text.startswith(("mirror", "calendar")):
                print(f"note: {text}")
    if kinds.get("unmapped"):
        print(f"warning: {kinds['unmapped']} line(s) not mapped (see unmapped.csv)")
