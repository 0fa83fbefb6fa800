"""Run every benchmark script in ``benchmarks/`` and print one summary table.

    .venv/bin/python benchmarks/run_all.py            # quick modes (~3 minutes); `make bench`
    .venv/bin/python benchmarks/run_all.py --full     # full sizes (~10 minutes)
    .venv/bin/python benchmarks/run_all.py --only bench_cli bench_des

Each script runs in its own process (``python SCRIPT [--quick]``), its full report saved to
``benchmarks/out/<script>.txt`` (git-ignored). Scripts report their numbers through
``_record.record`` (JSON lines in the file named by ``TRADESIM_BENCH_OUT``); this runner adds
each script's wall time and exit status and prints the table: benchmark, measure, value, unit.
Exit status 1 if any script failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _record import ENV  # noqa: E402

COLUMNS = ("benchmark", "measure", "value", "unit")


def discover(directory: Path) -> list[Path]:
    """Benchmark scripts: every ``*.py`` but this runner and helpers (``_*.py``)."""
    return sorted(p for p in directory.glob("*.py")
                  if p.name != Path(__file__).name and not p.name.startswith("_"))


def run_script(script: Path, *, quick: bool, log_dir: Path) -> list[dict]:
    """Run one script; return its recorded rows plus wall time and status rows."""
    with tempfile.TemporaryDirectory() as tmp:
        rec = Path(tmp) / "records.jsonl"
        env = os.environ | {ENV: str(rec)}
        cmd = [sys.executable, str(script), *(["--quick"] if quick else [])]
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=HERE.parent, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
        rows = ([json.loads(line) for line in rec.read_text().splitlines() if line.strip()]
                if rec.exists() else [])
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / f"{script.stem}.txt").write_text(proc.stdout + proc.stderr)
    name = script.stem
    rows.append({"benchmark": name, "measure": "script wall time" + (" (quick)" if quick else ""),
                 "value": round(wall, 1), "unit": "s"})
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        rows.append({"benchmark": name, "measure": f"FAILED, exit {proc.returncode}",
                     "value": last[:100], "unit": ""})
    return rows


def format_value(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(rows: list[dict]) -> str:
    """The summary table: one line per measured number, columns aligned, values right-aligned."""
    cells = [[str(r["benchmark"]), str(r["measure"]), format_value(r["value"]), str(r["unit"])]
             for r in rows]
    widths = [max([len(c) for c in col] + [len(h)]) for col, h in
              zip(zip(*cells, strict=True), COLUMNS, strict=True)] if cells else \
        [len(h) for h in COLUMNS]
    line = lambda c: (f"{c[0]:<{widths[0]}}  {c[1]:<{widths[1]}}  {c[2]:>{widths[2]}}  "  # noqa: E731
                      f"{c[3]:<{widths[3]}}").rstrip()
    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(COLUMNS)), sep, *map(line, cells)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="full sizes instead of --quick")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="run only these scripts")
    ap.add_argument("--dir", type=Path, default=HERE, help=argparse.SUPPRESS)
    ap.add_argument("--logs", type=Path, default=HERE / "out", help="where reports go")
    a = ap.parse_args(argv)
    scripts = discover(a.dir)
    if a.only:
        unknown = sorted(set(a.only) - {s.stem for s in scripts})
        if unknown:
            print(f"run_all: error: unknown benchmark(s) {', '.join(unknown)}; have "
                  f"{', '.join(s.stem for s in scripts)}", file=sys.stderr)
            return 2
        scripts = [s for s in scripts if s.stem in a.only]
    rows: list[dict] = []
    for script in scripts:
        print(f"running {script.name}{'' if a.full else ' --quick'} ...", file=sys.stderr,
              flush=True)
        rows += run_script(script, quick=not a.full, log_dir=a.logs)
    print(table(rows))
    print(f"\n(full reports: {a.logs}/<script>.txt)")
    return 1 if any(r["measure"].startswith("FAILED") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
