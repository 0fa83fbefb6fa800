"""Rebuild ``exports_eidb.csv`` from the public EIDB scrape (not run by the model).

Source: the Commerce Ministry's Export Import Data Bank (tradestat.commerce.gov.in, report
"commodity-wise all countries", export), scraped at HS-8 by the public repository
``dassoumyajitsenrysa-dataminer/tradestat-ingestor``, commit 33a3bd22 ("Add all trade data"),
files ``src/data/raw/export/<HS8>/<HS8>_export.json`` (EIDB last_updated 2025-10-21, scraped
2026-01-26/27). Every JSON year key Y holds two columns whose names are fixed in the scraper
(``y2023_2024``, ``y2024_2025``) whatever Y is: they are FY(Y-1) and FY(Y). That reading is
checked here: the second column of key Y equals the first column of key Y+1 for RUSSIA in total.
The scrape lists pre-2022 HS codes only, so HS-2022 subheadings (e.g. smartphones 8517.13) are
missing; the dataset's residual carries them.

Usage: ``python build_eidb_scrape.py SCRAPE_DIR > exports_eidb.csv`` where SCRAPE_DIR holds
``<HS8>/<HS8>_export.json``. Aggregation is :func:`model.data.hs.aggregate` (the same as
``tradesim data import``), so an import of the same lines reproduces this table exactly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from model.data.hs import aggregate
from model.fiscal import fy_label

SOURCE = "eidb_scrape"


def russia_lines(scrape: Path) -> pd.DataFrame:
    rows, cols = [], {}
    for path in sorted(scrape.glob("*/*_export.json")):
        doc = json.loads(path.read_text())
        for key, year in doc["years"].items():
            for c in year.get("countries", []):
                if c["country"].strip().upper() != "RUSSIA":
                    continue
                v = c["values_usd"]
                for start, value in ((int(key) - 1, v["y2023_2024"]), (int(key), v["y2024_2025"])):
                    cols[(key, start)] = cols.get((key, start), 0.0) + (value or 0.0)
                    if value:
                        rows.append((fy_label(start), doc["hsn_code"], value))
    for (key, start), total in cols.items():  # overlapping columns must agree
        other = cols.get((str(start), start)) if int(key) != start else None
        if other is not None and abs(other - total) > 0.05:
            raise SystemExit(f"columns disagree for FY starting {start}: {total} vs {other}")
    lines = pd.DataFrame(rows, columns=["fiscal_year", "hs", "value_usd_mn"])
    # each FY appears under two keys: keep one copy per (year, line)
    return lines.drop_duplicates(["fiscal_year", "hs"]).reset_index(drop=True)


if __name__ == "__main__":
    lines = russia_lines(Path(sys.argv[1]))
    lines["direction"] = "export"
    table = aggregate(lines, conf="F", source=SOURCE)
    table.to_csv(sys.stdout, index=False, lineterminator="\n")
