"""``tradesim report``: a Markdown/HTML report of a result (or comparison) directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from model.errors import InputError
from model.report import write_report
from model.scenario import load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="write report.md/report.html for a result directory",
        description="Write RESULTS_DIR/report.md (and report.html): key table (FY2024-25, "
                    "FY2029-30, FY2034-35), plots, Shapley decomposition against the reference "
                    "(also decomposition.csv and waterfall.png), assumptions that differ from it, "
                    "and the sources of the baseline data. RESULTS_DIR is a directory written by "
                    "`tradesim run` (DIR/<name>/), or the DIR of a multi-scenario run (comparison).")
    p.add_argument("results", metavar="RESULTS_DIR", type=Path)
    p.add_argument("--against", type=Path, metavar="REFERENCE.toml",
                   help="reference scenario (default: no lever pulled = the baseline)")
    p.add_argument("--no-html", action="store_true", help="Markdown only")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if not args.results.is_dir():
        raise InputError("not a directory; give a result directory from `tradesim run`",
                         file=str(args.results))
    reference = load_scenario(args.against) if args.against else None
    path = write_report(args.results, reference=reference, html_too=not args.no_html)
    print(f"report: {path}")
    return 0
