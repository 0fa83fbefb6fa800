"""Reading input files with limits: regular files only, a size cap, a nesting-depth cap.

Scenario, sweep, dataset, manifest and CSV files all come through :func:`read_input_bytes`
(or :func:`read_input_text`) and TOML through :func:`loads_toml`, so a FIFO or a device given as input is refused at once (never opened, so
never blocks), an endless or huge file is never read into memory, and a deeply nested table
cannot exhaust the parser's stack. Every failure is an :class:`~model.errors.InputError`
naming the file (exit 2).
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from model.errors import InputError

MAX_INPUT_BYTES = 4 * 2**20  # scenario and sweep files are a few kB; datasets under 1 MB
MAX_DEPTH = 32               # tables/arrays inside each other; scenarios need about 6


def read_input_bytes(path: str | Path, *, what: str = "TOML", limit: int = MAX_INPUT_BYTES,
                     hint: str = "") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (``hint``: how to get there)."""
    path = Path(path)
    try:
        st = os.stat(path)  # stat, not open: opening a FIFO would block until a writer comes
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot read file ({err.strerror})", file=str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"is a directory, expected a {what} file", file=str(path))
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "a special file")
        raise InputError(f"is {kind}, not a regular file; give a {what} file",
                         file=str(path))
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1) if st.st_size <= limit else b""
    except OSError as err:
        raise InputError(f"cannot read file ({err.strerror})", file=str(path)) from None
    if st.st_size > limit or len(raw) > limit:  # (or it grew since stat)
        raise InputError(f"is {max(st.st_size, len(raw)) / 2**20:.1f} MB; at most "
                         f"{limit / 2**20:g} MB are read{hint}", file=str(path))
    return raw


def read_input_text(path: str | Path, *, what: str = "TOML") -> str:
    """The UTF-8 text of a regular file of at most MAX_INPUT_BYTES (a BOM is dropped)."""
    raw = read_input_bytes(path, what=what)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start}); {what} files are UTF-8 text",
                         file=str(path)) from None
    return text.removeprefix("\ufeff")  # a UTF-8 byte-order mark (Windows editors) is harmless


def loads_toml(text: str, *, file: str | None) -> dict[str, Any]:
    """tomllib.loads with the depth cap; syntax errors name the line and column."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"TOML syntax error: {err}", file=file) from None
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels", file=file) from None
    check_depth(data, file=file)
    return data


def check_depth(data: Any, *, file: str | None) -> None:
    """Refuse tables/arrays nested deeper than MAX_DEPTH (checked without recursion)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"nested deeper than {MAX_DEPTH} levels", file=file)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
