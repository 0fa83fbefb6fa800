"""``tradesim sweep SWEEP.toml``: sensitivity and uncertainty sweeps (see :mod:`model.sweep`)."""

from __future__ import annotations

import argparse

from model.errors import InputError

HELP = "run a sensitivity/uncertainty sweep (Monte Carlo, grid, tornado, Sobol', Morris)"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sweep", help=HELP, description=HELP + ". Writes "
                              "OUT/<sweep-name>/: samples.csv, outcomes.csv, quantiles.csv, "
                              "tornado.csv / sobol.csv / morris.csv, manifest.json and plots.")
    p.add_argument("sweep_file", metavar="SWEEP.toml", help="sweep specification")
    p.add_argument("--out", default="results", metavar="DIR", help="output root (default: "
                   "results)")
    p.add_argument("--workers", type=_positive, default=1, metavar="N",
                   help="local worker processes (default 1: serial)")
    p.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                   help="run chunks on this Dask scheduler instead of local processes")
    p.add_argument("--resume", action="store_true",
                   help="skip chunks already finished by an interrupted run of the same sweep")
    p.add_argument("--no-plots", action="store_true", help="tables and manifest only")
    p.add_argument("--chunk-size", type=_positive, metavar="N",
                   help="samples per chunk/checkpoint (results do not depend on it)")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from model.sweep import run_sweep

    if args.dask_address is not None and args.workers != 1:
        raise InputError("give either --workers or --dask-address, not both", key="--workers")
    res = run_sweep(args.sweep_file, out=args.out, workers=args.workers,
                    dask_address=args.dask_address, resume=args.resume,
                    chunk_size=args.chunk_size, plots=not args.no_plots)
    m = res.manifest
    print(f"{res.name}: {m['n_rows']:,} evaluations ({res.method}) in {m['elapsed_s']:.2f} s "
          f"-> {res.out_dir}")
    return 0
