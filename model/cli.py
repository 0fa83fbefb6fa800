"""Command line: ``tradesim COMMAND ...`` and ``python -m model COMMAND ...``.

Each command lives in its own module under :mod:`model.commands` and exposes
``register(subparsers)``, which adds a sub-parser whose ``func(args) -> int`` does the work.
Exit codes: 0 success, 2 bad input (:class:`model.errors.InputError`), 1 a bug.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback

from model import __version__
from model.errors import InputError

DESCRIPTION = """\
Scenario model of India-Russia goods trade (India's fiscal years, US$ bn).

Projects India's exports to and imports from Russia, sector by sector, from the FY2024-25
baseline to FY2034-35 under scenario files built from policy levers (US tariffs, EAEU-India FTA,
non-tariff barriers, oil and LNG, corridors, payments, macro), and estimates the deficit with
uncertainty. Start with:  tradesim run scenarios/baseline.toml
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradesim",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tradesim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    import model.commands as commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"model.commands.{info.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as err:
        print(f"tradesim {args.command}: error: {err.render()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tradesim {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug: show everything so it can be reported
        traceback.print_exc()
        print(f"tradesim {args.command}: internal error (a bug); please report it", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
