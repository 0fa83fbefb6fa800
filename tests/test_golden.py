"""Golden tests: each shipped scenario's summary table against the stored one.

``tests/golden/<scenario file stem>.csv`` holds the ``summary.csv`` of every scenario in
``scenarios/*.toml``. A difference beyond rtol 1e-6 (atol 1e-9 US$ bn) fails and lists the cells
that moved. When a change of results is intended, re-record deliberately::

    TRADESIM_REGOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

then review ``git diff tests/golden`` and commit the tables with a note saying why they changed.
A new scenario needs its golden recorded the same way.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from conftest import ROOT, SHIPPED
from tolerance import assert_frames_close

from model.api import run

GOLDEN = ROOT / "tests" / "golden"
RTOL, ATOL = 1e-6, 1e-9
REGOLDEN = os.environ.get("TRADESIM_REGOLDEN") == "1"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_summary_matches_golden(path):
    summary = run(path).summary
    golden = GOLDEN / f"{path.stem}.csv"
    if REGOLDEN:
        GOLDEN.mkdir(exist_ok=True)
        summary.to_csv(golden, index=False, float_format="%.12g")
        return
    if not golden.exists():
        pytest.fail(f"no golden table for {path.name}; record it with "
                    f"TRADESIM_REGOLDEN=1 pytest tests/test_golden.py")
    expected = pd.read_csv(golden, dtype={"fiscal_year": str})
    assert_frames_close(summary, expected, rtol=RTOL, atol=ATOL, name=golden.name)


def test_helper_reports_the_cells_that_differ():
    expected = pd.DataFrame({"fiscal_year": ["2024-25", "2025-26"], "x": [1.0, 2.0]})
    actual = expected.assign(x=[1.0, 2.1])
    assert_frames_close(expected, expected.assign(x=[1.0, 2.0 + 1e-8]))  # within tolerance
    pattern = r"(?s)1 cell\(s\) differ.*fiscal_year=2025-26.*x: 2\.1"
    with pytest.raises(AssertionError, match=pattern):
        assert_frames_close(actual, expected, name="t")
    with pytest.raises(AssertionError, match="columns differ"):
        assert_frames_close(actual.rename(columns={"x": "y"}), expected)
    with pytest.raises(AssertionError, match="fiscal_year"):
        assert_frames_close(actual.assign(fiscal_year=["2024-25", "2026-27"]), actual)
