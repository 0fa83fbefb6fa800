"""Shared by the benchmark scripts: ``record(benchmark, measure, value, unit)`` one measured
number. Each script still prints its own report; when run by ``benchmarks/run_all.py`` (which
sets ``TRADESIM_BENCH_OUT``) the numbers are also appended there as JSON lines for the summary
table."""

from __future__ import annotations

import json
import os

ENV = "TRADESIM_BENCH_OUT"


def record(benchmark: str, measure: str, value: float | int | str, unit: str = "") -> None:
    path = os.environ.get(ENV)
    if not path:
        return
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"benchmark": benchmark, "measure": measure, "value": value,
                            "unit": unit}) + "\n")
