"""Headless Debian Chromium for the browser tests and the latency benchmark (Playwright drives
the system browser: no `playwright install`, no downloaded browser build)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path(os.environ.get("TRADESIM_CHROMIUM", "/usr/bin/chromium"))
# no background traffic: the explorer and the exported page must work on their own
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent


def missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} not found: `make test` installs Debian's chromium where apt-get works"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def launch(playwright, *extra: str):
    """Debian's Chromium, headless, through a running Playwright (one per process: its sync
    API cannot nest, so tests share one and launch browsers from it)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*ARGS, *extra])


@contextmanager
def chromium(*extra: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p, *extra)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def explorer(*files: str | Path, timeout: float = 60.0):
    """``tradesim explore --no-browser --port 0`` in a subprocess; yields (url, process)."""
    proc = subprocess.Popen([sys.executable, "-m", "model", "explore", "--no-browser",
                             "--port", "0", *map(str, files)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        line = proc.stdout.readline()  # "tradesim explore: serving http://127.0.0.1:PORT/ ..."
        if "serving" not in line or time.monotonic() > deadline:
            raise RuntimeError(f"explorer did not start: {line}{proc.stderr.read()}")
        yield line.split("serving ", 1)[1].split()[0], proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def redraw_done(page, stamp_before: str, timeout: float = 15000) -> None:
    """Wait until the page shows numbers for new control values and every chart is drawn."""
    page.wait_for_function(
        """before => {
            const c = document.querySelector('#computed');
            return c && c.textContent && c.textContent !== before
                && !document.querySelector('[data-dash-is-loading="true"]');
        }""", arg=stamp_before, timeout=timeout)


def stamp(page) -> str:
    return page.eval_on_selector("#computed", "el => el.textContent")
