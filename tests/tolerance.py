"""Compare result tables with a tolerance and say which cells differ (after PySD's helper)."""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_REPORTED = 20


def assert_frames_close(actual: pd.DataFrame, expected: pd.DataFrame, *, rtol: float = 1e-6,
                        atol: float = 1e-9, name: str = "table") -> None:
    """Raise ``AssertionError`` listing every cell where ``actual`` and ``expected`` differ.

    Columns and row count must match exactly; numeric cells must satisfy
    ``|a - e| <= atol + rtol |e|`` (NaN equals NaN); other cells must be equal.
    """
    problems: list[str] = []
    if list(actual.columns) != list(expected.columns):
        raise AssertionError(f"{name}: columns differ: {list(actual.columns)} != "
                             f"{list(expected.columns)}")
    if len(actual) != len(expected):
        raise AssertionError(f"{name}: {len(actual)} rows, expected {len(expected)}")
    a, e = actual.reset_index(drop=True), expected.reset_index(drop=True)
    for col in e.columns:
        if pd.api.types.is_numeric_dtype(e[col]) and pd.api.types.is_numeric_dtype(a[col]):
            x, y = a[col].to_numpy(float), e[col].to_numpy(float)
            bad = ~(np.isclose(x, y, rtol=rtol, atol=atol) | (np.isnan(x) & np.isnan(y)))
            problems += [f"row {i} ({_label(e, i)}), {col}: {x[i]:.10g} != {y[i]:.10g} "
                         f"(diff {x[i] - y[i]:+.3g})" for i in np.flatnonzero(bad)]
        else:
            bad = a[col].astype(str).to_numpy() != e[col].astype(str).to_numpy()
            problems += [f"row {i} ({_label(e, i)}), {col}: {a[col][i]!r} != {e[col][i]!r}"
                         for i in np.flatnonzero(bad)]
    if problems:
        extra = len(problems) - MAX_REPORTED
        more = f"\n  ... and {extra} more" if extra > 0 else ""
        raise AssertionError(f"{name}: {len(problems)} cell(s) differ (rtol={rtol}, "
                             f"atol={atol}):\n  " + "\n  ".join(problems[:MAX_REPORTED]) + more)


def _label(frame: pd.DataFrame, i: int) -> str:
    first = frame.columns[0]
    return f"{first}={frame[first][i]}"
