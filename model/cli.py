"""Command line: ``tradesim COMMAND ...`` and ``python -m model COMMAND ...``.

Each command lives in its own module under :mod:`model.commands` and exposes
``register(subparsers)``, which adds a sub-parser whose ``func(args) -> int`` does the work.
Exit codes: 0 success, 2 bad input (:class:`model.errors.InputError`), 1 a bug.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import pkgutil
import sys
import traceback

from model import __version__
from model.errors import InputError, one_line

DESCRIPTION = """\
Scenario model of India-Russia goods trade (India's fiscal years, US$ bn).

Projects India's exports to and imports from Russia, sector by sector, from the FY2024-25
baseline to FY2034-35 under scenario files built from policy levers (US tariffs, EAEU-India FTA,
non-tariff barriers, oil and LNG, corridors, payments, macro), and estimates the deficit with
uncertainty. Start with:  tradesim run scenarios/baseline.toml
"""


# errors of the environment (paths, permissions, space) that the user can fix: exit 2, not a bug
ENVIRONMENT_ERRORS = {
    errno.EEXIST: "a file is in the way: --out must be a directory",
    errno.ENOTDIR: "a path component is a file, not a directory",
    errno.EISDIR: "expected a file, got a directory",
    errno.EACCES: "permission denied: choose a directory you can write",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device; earlier results are untouched",
    errno.EDQUOT: "disk quota exceeded; earlier results are untouched",
    errno.ENAMETOOLONG: "a name is too long for the file system: shorten it",
}


BROKEN_PIPE = 141  # 128 + SIGPIPE


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
    except BrokenPipeError:
        # the reader of stdout went away (`tradesim paths | head`): not a bug; stop quietly,
        # with the status a shell gives a command ended by SIGPIPE
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return BROKEN_PIPE
    except OSError as err:
        if err.errno not in ENVIRONMENT_ERRORS:
            return _bug(args.command)
        # the machine, not the model: one line, exit 2 (results are staged, nothing half-written)
        where = f"{err.filename}: " if err.filename else ""
        print(f"tradesim {args.command}: error: " + one_line(
            f"{where}{err.strerror or err} ({ENVIRONMENT_ERRORS[err.errno]})"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tradesim {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug: show everything so it can be reported
        return _bug(args.command)


def _bug(command: str) -> int:
    traceback.print_exc()
    print(f"tradesim {command}: internal error (a bug); please report it", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
