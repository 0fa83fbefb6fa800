"""Tidy result tables, the manifest, and atomic writing of a result directory.

Columns are declared once here (docs/design.md §4.2). A result directory is built in a hidden
temporary directory next to its destination and renamed into place only when complete, so an
interrupted run never leaves a ``summary.csv`` that looks finished. :func:`claim_destination`
refuses, before anything runs, to replace a result of another kind under the same name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import __version__, resultset
from model.analysis.crude_bill import PRICE_SOURCE as CRUDE_PRICE_SOURCE
from model.data import dataset_sha256, load_baseline
from model.drivers import ROUTED_MODES
from model.fiscal import fy_label
from model.projection import Batch
from model.scenario import Scenario

SUMMARY_COLUMNS = ["fiscal_year", "exports_usd_bn", "imports_usd_bn", "total_trade_usd_bn",
                   "balance_usd_bn", "status"]
# status of a row: the base year is data; the dataset's latest year blends observed months with
# the model (see model.drivers.nowcast); later years are projections
STATUS = ("observed", "nowcast", "projection")
# status as in summary.csv; conf: the label of the base-year value the flow rests on (its
# weakest basis in the dataset: F, F-sec, D or R; `tradesim data` gives the source)
FLOW_COLUMNS = ["fiscal_year", "direction", "flow", "value_usd_bn", "status", "conf"]
ROUTE_COLUMNS = ["fiscal_year", "mode", "route", "carried_mt", "share", "transit_days"]
COMPARISON_COLUMNS = ["scenario", *SUMMARY_COLUMNS]
RUPEE_COLUMNS = ["fiscal_year", "rupee_receipts_usd_bn", "rupee_spending_usd_bn",
                 "rupee_balance_usd_bn"]


def rupee_balance(imports: np.ndarray, exports: np.ndarray, share_in: np.ndarray,
                  share_out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rupees Russia accumulates, US$ bn equivalent, ``(N, Y)`` each (docs/design.md §3.6).

    receipts_t = s_m,t * M_t (Russia's sales to India settled in rupees), spending_t = s_x,t * X_t
    (India's exports paid from Russia's rupee balances), and the stock
    B_t = max(0, B_{t-1} + receipts_t - spending_t) from B = 0 before FY2024-25 (no opening
    stock: the 2023 estimates of $2-8bn, facts 9, are not added). The stock cannot go negative:
    rupees Russia lacks are bought with other currencies. It is a gross stock: other uses of
    the rupees (Indian government securities, payments to third countries) are not tracked.
    """
    receipts, spending = share_in * imports, share_out * exports
    stock = np.empty_like(receipts)
    level = np.zeros(receipts.shape[:-1])
    for t in range(receipts.shape[-1]):
        level = np.maximum(0.0, level + receipts[..., t] - spending[..., t])
        stock[..., t] = level
    return receipts, spending, stock


@dataclass(frozen=True)
class Result:
    """One scenario's projection: tables (sample ``sample``) plus the full arrays in ``batch``."""

    scenario: Scenario
    batch: Batch
    seed: int | None = None
    source_file: str | None = None
    sample: int = 0
    warnings: tuple[str, ...] = ()  # e.g. extrapolation far outside the credible range

    @property
    def years(self) -> list[str]:
        return [fy_label(int(y)) for y in self.batch.years]

    @property
    def summary(self) -> pd.DataFrame:
        b, i = self.batch, self.sample
        return pd.DataFrame({
            "fiscal_year": self.years, "exports_usd_bn": b.exports[i],
            "imports_usd_bn": b.imports[i], "total_trade_usd_bn": b.total[i],
            "balance_usd_bn": b.balance[i], "status": self.status})[SUMMARY_COLUMNS]

    @property
    def status(self) -> list[str]:
        """Per year: observed (base year), nowcast (observed months + model), projection."""
        base = load_baseline(self.scenario.settings.dataset)
        nowcast = base.latest_year if base.monthly else None
        return ["observed" if y == base.base_year else "nowcast" if y == nowcast else "projection"
                for y in self.batch.years]

    @property
    def corridors(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """DES tables (per route and year; per stage), with ``corridors.model = "des"``."""
        stats = self.batch.corridor_stats
        return None if stats is None else _corridor_tables(stats)

    @property
    def rupee(self) -> pd.DataFrame:
        """Russia's rupee receipts, spending and accumulated balance (see :func:`rupee_balance`)."""
        from model.drivers import path_values

        b, i, pay = self.batch, self.sample, self.scenario.levers.payments
        shares = [np.broadcast_to(path_values(v, b.years), b.balance.shape)
                  for v in (pay.rupee_share, pay.rupee_share_exports)]
        receipts, spending, stock = rupee_balance(b.imports, b.exports, *shares)
        return pd.DataFrame({"fiscal_year": self.years, "rupee_receipts_usd_bn": receipts[i],
                             "rupee_spending_usd_bn": spending[i],
                             "rupee_balance_usd_bn": stock[i]})[RUPEE_COLUMNS]

    @property
    def crude_bill(self) -> pd.DataFrame:
        """India's crude bill vs the baseline path: Russian barrels cut or added, the rivals'
        replacement barrels and their cost (:mod:`model.analysis.crude_bill`)."""
        from model.analysis.crude_bill import crude_bill
        from model.drivers import dataset_path, oil_paths
        from model.markets_data import load_markets

        base = load_baseline(self.scenario.settings.dataset)
        years = self.batch.years
        volume, brent, discount, _ = oil_paths(self.scenario, base, years)
        reference = dataset_path(base, "levers.oil.volume_mbd", years,
                                 base.energy["crude_volume_mbd"].value)
        pick = lambda a: np.broadcast_to(a, (max(a.shape[0], 1), len(years)))[  # noqa: E731
            min(self.sample, a.shape[0] - 1)]
        return crude_bill(pick(volume), pick(reference), pick(brent), pick(discount), years, base,
                          load_markets().for_flow("crude"))

    @property
    def markets(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Competing suppliers per market and year: (values, creation, diversion; tariff
        revenue, consumer surplus), :mod:`model.analysis.competition`; empty when bilateral."""
        from model.analysis.competition import tables

        return tables(self.batch, self.sample)

    @property
    def flows(self) -> pd.DataFrame:
        b, base = self.batch, load_baseline(self.scenario.settings.dataset)
        conf = [base.flow(name).value.basis for name in b.flow_names]
        rows = [(fy, "export" if b.is_export[f] else "import", name, b.flows[self.sample, f, t],
                 status, conf[f])
                for t, (fy, status) in enumerate(zip(self.years, self.status, strict=True))
                for f, name in enumerate(b.flow_names)]
        return pd.DataFrame(rows, columns=FLOW_COLUMNS)

    @property
    def routes(self) -> pd.DataFrame:
        b, i = self.batch, self.sample
        rows = []
        for t, fy in enumerate(self.years):
            for m, mode in enumerate(ROUTED_MODES):
                total = b.route_mt[i, m, :, t].sum()
                for r, route in enumerate(b.route_names):
                    mt = b.route_mt[i, m, r, t]
                    rows.append((fy, mode, route, mt, mt / total if total > 0 else 0.0,
                                 b.route_days[i, r, t]))
        return pd.DataFrame(rows, columns=ROUTE_COLUMNS)


def _corridor_tables(stats) -> tuple[pd.DataFrame, pd.DataFrame]:
    """DES statistics per route and year (each year simulated after a warm-up year)."""
    per_route, per_stage = [], []
    for st in stats:
        routes, stages = st.to_frame(), st.stage_frame()
        per_route.append(routes[routes["year"] == st.years[-1]])
        per_stage.append(stages[stages["year"] == st.years[-1]])
    return (pd.concat(per_route, ignore_index=True).drop(columns="year"),
            pd.concat(per_stage, ignore_index=True).drop(columns="year"))


def comparison(results: list[Result]) -> pd.DataFrame:
    """Summaries of several scenarios stacked, with a ``scenario`` column first."""
    frames = [r.summary.assign(scenario=r.scenario.name) for r in results]
    return pd.concat(frames, ignore_index=True)[COMPARISON_COLUMNS]


# ------------------------------------------------------------------------------ manifest

def git_commit() -> str | None:
    """Commit of the source tree the package runs from, if it is a git checkout."""
    try:
        root = Path(__file__).resolve().parent.parent
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def manifest(result: Result, files: list[str]) -> dict[str, Any]:
    """Everything needed to re-run ``result`` exactly (docs/design.md §4.2)."""
    dataset = result.scenario.settings.dataset
    return {
        "scenario_name": result.scenario.name,
        "scenario_file": result.source_file,
        "resolved_scenario": result.scenario.model_dump(mode="json"),
        "seed": result.seed,
        "package": "tradesim", "version": __version__, "git_commit": git_commit(),
        "dataset": dataset, "data_vintage": load_baseline(dataset).vintage,
        "data_sha256": dataset_sha256(dataset),
        "python": platform.python_version(), "numpy": np.__version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fixed_point": {"iterations": result.batch.iterations.tolist(),
                        "converged": bool(result.batch.converged.all())},
        "warnings": list(result.warnings),
        "table_notes": {"crude_bill.csv": CRUDE_PRICE_SOURCE},
        "files": sorted(files),
    }


# ------------------------------------------------------------------------------ atomic writing
@contextmanager
def atomic_dir(dest: Path, *, kind: str | None = None) -> Iterator[Path]:
    """Yield a staging directory that replaces ``dest`` only if the block completes (committed
    under the lock of ``dest.parent``, :mod:`model.resultset`); with ``kind``, sealed with a
    manifest listing every file and its sha256."""
    dest = Path(dest)
    with resultset.staged(dest) as tmp:
        yield tmp
        if kind is not None:
            resultset.seal(tmp, {"kind": kind})
    resultset.publish(tmp, dest)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write one file via ``write(tmp_path)`` then rename it onto ``path``."""
    path = Path(path)
    tmp = path.with_name(resultset.temp_name(path.name))
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~resultset.umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, float_format="%.10g")


def result_kind(path: Path) -> str | None:
    """What a result directory holds: "run", "sweep", another command's name, or None if it is
    not a tradesim result set (or does not exist)."""
    path = Path(path)
    if (path / "chunks").is_dir():
        return "sweep"
    try:
        m = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(m, dict):
        return None
    return "sweep" if "sweep" in m else "run" if "scenario_name" in m else str(m.get("kind"))


def claim_destination(dest: Path, kind: str, *, key: str = "name") -> None:
    """Refuse, before anything runs, to replace a result of another kind (a sweep named like a
    run, a run named like a backcast) or a directory that is not a tradesim result at all."""
    from model.errors import InputError

    dest = Path(dest)
    if not dest.exists():
        return
    if not dest.is_dir():
        raise InputError(f"{dest} is a file; a {kind} result directory of that name would "
                         "replace it: rename the " + kind + " or choose another --out", key=key)
    found = result_kind(dest)
    if found == kind or (found is None and not any(dest.iterdir())):
        return
    what = f"a {found} result" if found else "files that are not a tradesim result"
    raise InputError(f"{dest} holds {what}; the {kind} would replace it: rename the {kind} or "
                     "choose another --out", key=key)


def _rows(df: pd.DataFrame) -> pd.DataFrame | None:
    return df if len(df) else None


# every table of a run result set, by file name (rerun compares the same list)
TABLES: dict[str, Callable[[Result], pd.DataFrame | None]] = {
    "summary.csv": lambda r: r.summary,
    "flows.csv": lambda r: r.flows,
    "routes.csv": lambda r: r.routes,
    "rupee.csv": lambda r: r.rupee,
    "crude_bill.csv": lambda r: r.crude_bill,
    "markets.csv": lambda r: _rows(r.markets[0]),
    "market_welfare.csv": lambda r: _rows(r.markets[1]),
    "corridors.csv": lambda r: None if r.corridors is None else r.corridors[0],
    "corridor_stages.csv": lambda r: None if r.corridors is None else r.corridors[1],
}


def stage_result(result: Result, out_dir: Path, *, plots: bool = True,
                 report: bool = False) -> Path:
    """Build ``out_dir/<scenario name>/`` in a sealed staging directory (returned; see
    :func:`model.resultset.publish`): tables, plots, optional report, manifest last."""
    dest = Path(out_dir) / result.scenario.name
    with resultset.staged(dest) as tmp:
        for name, table in TABLES.items():
            df = table(result)
            if df is not None:
                write_csv(df, tmp / name)
        if plots:
            from model import plots as p
            p.save_scenario_plots(result, tmp)
            if result.corridors is not None:
                p.save_transit_times(result.corridors[0], tmp / "transit_times.png")
        m = manifest(result, [])
        if report:
            from model.report import render_report

            resultset.write_json(tmp / resultset.MANIFEST, m)
            render_report(tmp)
        resultset.seal(tmp, m)
    return tmp


def write_result(result: Result, out_dir: Path, *, plots: bool = True) -> Path:
    """Write ``out_dir/<scenario name>/`` as one sealed set, committed under the lock."""
    dest = Path(out_dir) / result.scenario.name
    return resultset.publish(stage_result(result, out_dir, plots=plots), dest)


# ------------------------------------------------------------------------------ comparison set
COMPARISON_MANIFEST = "comparison.manifest.json"  # the comparison set's manifest, at the top
COMPARISON_FILES = ("comparison.csv", "comparison.png", "report.md", "report.html")


def comparison_problems(out_dir: Path) -> list[str] | None:
    """None if ``out_dir`` holds no comparison; else what is wrong with it (empty: it matches
    its manifest and every scenario directory it was built from)."""
    out_dir = Path(out_dir)
    m_path = out_dir / COMPARISON_MANIFEST
    if not m_path.exists() and not (out_dir / "comparison.csv").exists():
        return None
    try:
        m = json.loads(m_path.read_text(encoding="utf-8"))
        sums, built = dict(m["sha256"]), dict(m["scenarios"])
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{m_path}: missing or unreadable"]
    problems = []
    for name in COMPARISON_FILES:
        p = out_dir / name
        if name in sums and (not p.is_file() or resultset.sha256_file(p) != sums[name]):
            problems.append(f"{name}: differs from {COMPARISON_MANIFEST}")
    for name, digest in built.items():
        s = out_dir / str(name) / "summary.csv"
        if not s.is_file() or resultset.sha256_file(s) != digest:
            problems.append(f"{name}/summary.csv: changed since the comparison was built")
    return problems


def write_comparison(out_dir: Path, names: list[str], *, plots: bool = True,
                     report: bool = False, **report_options: Any) -> list[Path]:
    """The comparison set (``comparison.csv``, ``comparison.png``, the comparison report) built
    from the *committed* summaries of ``names`` under the lock of ``out_dir``, so it always
    matches the scenario directories. Its manifest is removed first and written last."""
    out_dir = Path(out_dir)
    with resultset.locked(out_dir):
        frames, built = [], {}
        for name in names:
            s = out_dir / name / "summary.csv"
            frames.append(pd.read_csv(s).assign(scenario=name))
            built[name] = resultset.sha256_file(s)
        table = pd.concat(frames, ignore_index=True)[COMPARISON_COLUMNS]
        with resultset.staged(out_dir / "comparison") as tmp:
            write_csv(table, tmp / "comparison.csv")
            if plots:
                from model import plots as p
                p.save_comparison(table, tmp / "comparison.png")
            if report:
                from model.report import render_report

                render_report(tmp, runs=out_dir, **report_options)
            sums = resultset.digests(tmp)
        try:
            (out_dir / COMPARISON_MANIFEST).unlink(missing_ok=True)  # untrusted until complete
            for name in COMPARISON_FILES:
                if name in sums:
                    os.replace(tmp / name, out_dir / name)
                else:
                    (out_dir / name).unlink(missing_ok=True)
        finally:
            resultset.remove(tmp)
        m_tmp = out_dir / resultset.temp_name(COMPARISON_MANIFEST)
        resultset.write_json(m_tmp, {"kind": "comparison", "scenarios": built,
                                     "files": sorted(sums), "sha256": sums,
                                     "created_utc": dt.datetime.now(dt.UTC).isoformat(
                                         timespec="seconds")})
        os.replace(m_tmp, out_dir / COMPARISON_MANIFEST)
    return [out_dir / n for n in sorted(sums)]


def refresh_comparison(out_dir: Path) -> bool:
    """Under the lock: rebuild a comparison that no longer matches its scenario directories
    (a run killed between committing a scenario and the comparison, or a later single run).
    Returns True if it was rebuilt."""
    out_dir = Path(out_dir)
    with resultset.locked(out_dir):
        problems = comparison_problems(out_dir)
        if not problems:
            return False
        try:  # the names the manifest recorded, else those the table lists
            m = json.loads((out_dir / COMPARISON_MANIFEST).read_text())
            old, names = dict(m["sha256"]), list(m["scenarios"])
        except (OSError, ValueError, KeyError, TypeError):
            old = {}
            try:
                names = list(dict.fromkeys(pd.read_csv(out_dir / "comparison.csv")["scenario"]))
            except (OSError, ValueError, KeyError, pd.errors.ParserError):
                names = []
        # names from data never leave --out: plain names of complete run sets only
        names = [n for n in names if resultset.plain_name(n)
                 and result_kind(out_dir / n) == "run" and not resultset.verify(out_dir / n)]
        if len(names) < 2:  # nothing left to compare: remove the comparison set
            for name in (*COMPARISON_FILES, COMPARISON_MANIFEST):
                (out_dir / name).unlink(missing_ok=True)
            return True
        write_comparison(out_dir, names, plots="comparison.png" in old or not old,
                         report="report.md" in old)
        return True
