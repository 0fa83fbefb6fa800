"""Scalar outcomes of a projection (DESIGN 3.6), vectorised over the sample axis.

All functions take arrays shaped ``(N, Y)`` (samples x fiscal years) and the ``years`` axis
(start years, e.g. ``[2024, ..., 2034]``) and return arrays shaped ``(N,)``.
"""

from __future__ import annotations

import numpy as np

NEVER = -1  # value of `first_year_reaching` when the threshold is not reached in the horizon


def at_year(path: np.ndarray, years: np.ndarray, year: int) -> np.ndarray:
    """Value of ``path`` in fiscal year ``year`` (start year)."""
    idx = np.flatnonzero(np.asarray(years) == year)
    if idx.size == 0:
        raise ValueError(f"year {year} is outside the horizon {years[0]}..{years[-1]}")
    return np.asarray(path)[..., idx[0]]


def first_year_reaching(path: np.ndarray, years: np.ndarray, threshold: float) -> np.ndarray:
    """First fiscal year in which ``path >= threshold``; :data:`NEVER` if it never is."""
    path = np.asarray(path)
    hit = path >= threshold
    first = np.argmax(hit, axis=-1)
    return np.where(hit.any(axis=-1), np.asarray(years)[first], NEVER)


def cumulative(path: np.ndarray, years: np.ndarray, *, start: int | None = None) -> np.ndarray:
    """Sum of ``path`` over the years from ``start`` (default: the first year after the base)."""
    years = np.asarray(years)
    first = years[0] + 1 if start is None else start
    return np.asarray(path)[..., years >= first].sum(axis=-1)
