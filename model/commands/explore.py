"""``tradesim explore``: the browser explorer, or (``--export``) one self-contained HTML file."""

from __future__ import annotations

import argparse
import webbrowser
from pathlib import Path

from model.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explore", help="move the levers in a browser and watch the projection answer",
        description="Start a local web page (127.0.0.1) with one control per lever of the "
                    "scenario schema; moving one recomputes and redraws the balance, exports "
                    "and imports, sectors and routes beside the baseline and the given "
                    "scenarios. 'Download scenario' gives a TOML file that `tradesim run` turns "
                    "into the numbers shown. With --export, write one self-contained HTML file "
                    "of result directories instead (no server).")
    p.add_argument("inputs", nargs="*", metavar="SCENARIO.toml | RESULTS_DIR", type=Path,
                   help="scenario files to start from and compare with (the first is where "
                        "the controls start; default: the baseline); with --export, result "
                        "directories of `tradesim run` / `tradesim sweep`")
    p.add_argument("--port", type=int, default=8050,
                   help="port on 127.0.0.1 (default 8050; 0 = any free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--export", type=Path, metavar="FILE.html",
                   help="write an offline HTML page of RESULTS_DIRs and exit")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.export is not None:
        from model.explorer.export import write_export

        path = write_export(args.inputs, args.export)
        print(f"explore: {path}")
        return 0
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be 0..65535 (got {args.port})")
    from model.explorer.app import make_app, serve

    app = make_app(args.inputs)  # every file validated before the server starts
    serve(app, args.host, args.port,
          on_ready=None if args.no_browser else lambda url: webbrowser.open(url))
    return 0
