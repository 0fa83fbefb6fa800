"""How much of the official trade the dataset explains, and how much of it rests on R numbers.

Two tables, both per direction: for every fiscal year with HS table rows, the share of the
official total that named rows explain (the rest is the residual flow); for the base year, the
value share of the flows by the weakest label each value rests on (``basis``: an R number, or a
number derived from one, counts as R).
"""

from __future__ import annotations

import pandas as pd

from model.data import CONFIDENCE, Baseline
from model.fiscal import fy_label

COVERAGE_COLUMNS = ["direction", "fiscal_year", "official_usd_bn", "hs_rows_usd_bn",
                    "coverage_pct", "rows", "sources"]
LABEL_COLUMNS = ["direction", "fiscal_year", *(f"{c}_pct" for c in CONFIDENCE), "rests_on_r_pct"]


def hs_coverage(base: Baseline) -> pd.DataFrame:
    """Per direction and fiscal year: official total, sum of HS table rows, coverage %."""
    official = {(d, fy_label(h["fiscal_year"])): h[k].value for h in base.history
                for d, k in (("export", "exports"), ("import", "imports"))}
    rows = []
    if base.hs is not None:
        for (d, fy), g in base.hs[base.hs["months"] == 12].groupby(["direction", "fiscal_year"]):
            total = official.get((d, fy))
            covered = g["value_usd_mn"].sum() / 1e3
            rows.append((d, fy, total, round(covered, 4),
                         None if total is None else round(100 * covered / total, 1),
                         len(g), ", ".join(sorted(set(g["source"])))))
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def label_shares(base: Baseline) -> pd.DataFrame:
    """Value share (%) of the base year's flows by the label each value rests on."""
    rows = []
    for d in ("export", "import"):
        flows = [f for f in base.flows if f.direction == d]
        total = sum(f.value.value for f in flows)
        share = {c: 100 * sum(f.value.value for f in flows if f.value.basis == c) / total
                 for c in CONFIDENCE}
        rows.append((d, fy_label(base.base_year), *(round(share[c], 1) for c in CONFIDENCE),
                     round(share["R"], 1)))
    return pd.DataFrame(rows, columns=LABEL_COLUMNS)


def coverage_report(base: Baseline) -> pd.DataFrame:
    """Both tables in one long frame for printing (``tradesim data --coverage``)."""
    cov = hs_coverage(base).assign(table="hs_coverage")
    lab = label_shares(base).assign(table="label_shares")
    return pd.concat([cov, lab], ignore_index=True)
