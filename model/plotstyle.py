"""The one place the plot style is set: the style sheet, shared colours, axis text, legend spot.

Used by :mod:`model.plots` and :mod:`model.sweep.plots`; no pyplot (no global figure state).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib.style

STYLE = Path(__file__).with_name("tradesim.mplstyle")
YEAR_AXIS = "Fiscal year (April–March)"
INK, GREY = "#222222", "#8c8c8c"
RIGHT = dict(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)  # legend outside


@contextmanager
def style() -> Iterator[None]:
    """The tradesim style sheet for everything drawn inside (figures, text, legends)."""
    with matplotlib.style.context(STYLE):
        yield


def styled(fn):
    """Run a plotting function inside :func:`style`."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with style():
            return fn(*args, **kwargs)
    return wrapper
