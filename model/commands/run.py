"""``tradesim run``: project scenario files and write tables, manifest and plots."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from model.api import run
from model.errors import InputError
from model import resultset
from model.results import (claim_destination, refresh_comparison, stage_result,
                           write_comparison)
from model.scenario import load_scenario


MAX_NAME_BYTES = 200  # file systems allow 255 bytes; the staging directory adds about 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="project one or more scenarios and write results",
        description="Project each SCENARIO file to the end of its horizon and write "
                    "DIR/<name>/{summary.csv, flows.csv, routes.csv, manifest.json, *.png}. "
                    "With several scenarios, also DIR/comparison.csv and comparison.png. "
                    "All files are validated before anything is written.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.toml", type=Path)
    p.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                   help="output directory (default: results)")
    p.add_argument("--seed", type=int, default=0,
                   help="master seed for stochastic parts, recorded in the manifest (default 0)")
    p.add_argument("--corridors", choices=("capacity", "surrogate", "des"),
                   help="corridor model for every scenario, overriding corridors.model: "
                        "'des' adds the SimPy simulation (corridors.csv, transit_times.png)")
    p.add_argument("--dataset", metavar="NAME",
                   help="dataset for every scenario, replacing settings.dataset (fy2025-26: the "
                        "newest; fy2024-25: reproduces results made before it); `tradesim data` "
                        "lists them")
    p.add_argument("--no-plots", action="store_true", help="tables and manifest only")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    p.add_argument("--report", action="store_true",
                   help="also write report.md/report.html per scenario (and for the comparison)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise InputError(f"--seed must be >= 0 (got {args.seed})")
    scenarios = [(load_scenario(path, dataset=args.dataset, corridors=args.corridors), path)
                 for path in args.scenarios]  # validate all first
    names = [sc.name for sc, _ in scenarios]
    for (sc, path) in scenarios:  # result directories are named after scenarios (+ temp affixes)
        if len(sc.name.encode()) > MAX_NAME_BYTES:
            raise InputError(f"the name is {len(sc.name.encode())} bytes; result directories are "
                             f"named after it, so at most {MAX_NAME_BYTES} are allowed",
                             file=str(path), key="name")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"two scenarios share the name '{dupes[0]}'; names must be unique "
                         "(set `name = ...` in one file)")
    if "comparison" in names and len(names) > 1:
        raise InputError("'comparison' is reserved for the comparison table; rename the scenario")
    for sc, path in scenarios:
        try:
            claim_destination(args.out / sc.name, "run")
        except InputError as err:
            raise err.with_file(str(path)) from None
    results = [replace(run(sc, seed=args.seed), source_file=str(path)) for sc, path in scenarios]
    for res in results:
        for line in res.warnings:  # printed even with --quiet: they qualify the numbers
            print(f"tradesim run: warning: {res.scenario.name}: {line}", file=sys.stderr)
    # every set is staged and sealed first, then all are committed under one lock, and the
    # comparison is rebuilt from the committed sets in the same locked section
    staged = []
    try:
        for res in results:
            staged.append(stage_result(res, args.out, plots=not args.no_plots,
                                       report=args.report))
        with resultset.locked(args.out):
            resultset.clean_stale(args.out)
            for (sc, path) in scenarios:
                try:
                    claim_destination(args.out / sc.name, "run")
                except InputError as err:
                    raise err.with_file(str(path)) from None
            dests = [resultset.commit(tmp, args.out / res.scenario.name)
                     for tmp, res in zip(staged, results, strict=True)]
            staged = []
            written = (write_comparison(args.out, names, plots=not args.no_plots,
                                        report=args.report) if len(results) > 1 else [])
            refresh_comparison(args.out)  # an older comparison that holds one of these names
    finally:
        for tmp in staged:
            resultset.remove(tmp)
    if not args.quiet:
        for res, dest in zip(results, dests, strict=True):
            _report(res, dest)
        if written:
            print(f"comparison: {', '.join(str(w) for w in written)}")
    return 0


def _report(res, dest: Path) -> None:
    s = res.summary.set_index("fiscal_year")
    first, last = s.index[0], s.index[-1]
    bad = "" if res.batch.converged.all() else "  WARNING: corridor fixed point did not converge"
    print(f"{res.scenario.name}: balance {s.loc[first, 'balance_usd_bn']:.2f} ({first}) -> "
          f"{s.loc[last, 'balance_usd_bn']:.2f} ({last}); total trade "
          f"{s.loc[last, 'total_trade_usd_bn']:.2f} -> {dest}{bad}", file=sys.stdout)
