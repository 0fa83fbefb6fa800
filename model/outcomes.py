"""Scalar outcomes of a projection (docs/design.md §3.6), vectorised over the sample axis.

All functions take arrays shaped ``(N, Y)`` (samples x fiscal years) and the ``years`` axis
(start years, e.g. ``[2024, ..., 2034]``) and return arrays shaped ``(N,)``.
"""

from __future__ import annotations

import numpy as np

# "Never reached within the horizon" is NaN, not a sentinel year: a year such as -1 would be
# averaged into means and quantiles as if it were a date. Summaries must drop it and report the
# share (see never_share and model.sweep.outputs.quantiles_table).


def at_year(path: np.ndarray, years: np.ndarray, year: int) -> np.ndarray:
    """Value of ``path`` in fiscal year ``year`` (start year)."""
    idx = np.flatnonzero(np.asarray(years) == year)
    if idx.size == 0:
        raise ValueError(f"year {year} is outside the horizon {years[0]}..{years[-1]}")
    return np.asarray(path)[..., idx[0]]


def first_year_reaching(path: np.ndarray, years: np.ndarray, threshold: float) -> np.ndarray:
    """First fiscal year (start year, as float) in which ``path >= threshold``; NaN where the
    threshold is not reached within the horizon (test with :func:`never`)."""
    path = np.asarray(path)
    hit = path >= threshold
    first = np.argmax(hit, axis=-1)
    return np.where(hit.any(axis=-1), np.asarray(years, dtype=float)[first], np.nan)


def never(first: np.ndarray) -> np.ndarray:
    """True where :func:`first_year_reaching` found no year (NaN)."""
    return np.isnan(np.asarray(first, dtype=float))


def never_share(first: np.ndarray) -> float:
    """Share of samples that never reach the threshold within the horizon."""
    first = np.asarray(first, dtype=float)
    return float(np.isnan(first).mean()) if first.size else float("nan")


def cumulative(path: np.ndarray, years: np.ndarray, *, start: int | None = None) -> np.ndarray:
    """Sum of ``path`` over the years from ``start`` (default: the first year after the base)."""
    years = np.asarray(years)
    first = years[0] + 1 if start is None else start
    return np.asarray(path)[..., years >= first].sum(axis=-1)
