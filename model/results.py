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
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import __version__
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
FLOW_COLUMNS = ["fiscal_year", "direction", "flow", "value_usd_bn"]
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
        b = self.batch
        rows = [(fy, "export" if b.is_export[f] else "import", name, b.flows[self.sample, f, t])
                for t, fy in enumerate(self.years) for f, name in enumerate(b.flow_names)]
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
def atomic_dir(dest: Path) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``dest`` only if the block completes."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    tmp.chmod(0o777 & ~_umask())  # mkdtemp makes 0700: results are for sharing, as the umask says
    try:
        yield tmp
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
            dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    """The process umask (read by setting and restoring it: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write one file via ``write(tmp_path)`` then rename it onto ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
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


def write_result(result: Result, out_dir: Path, *, plots: bool = True) -> Path:
    """Write ``out_dir/<scenario name>/`` atomically: tables, manifest, plots."""
    dest = Path(out_dir) / result.scenario.name
    with atomic_dir(dest) as tmp:
        write_csv(result.summary, tmp / "summary.csv")
        write_csv(result.flows, tmp / "flows.csv")
        write_csv(result.routes, tmp / "routes.csv")
        write_csv(result.rupee, tmp / "rupee.csv")
        write_csv(result.crude_bill, tmp / "crude_bill.csv")
        markets, welfare = result.markets
        if len(markets):
            write_csv(markets, tmp / "markets.csv")
            write_csv(welfare, tmp / "market_welfare.csv")
        corridors = result.corridors
        if corridors is not None:
            write_csv(corridors[0], tmp / "corridors.csv")
            write_csv(corridors[1], tmp / "corridor_stages.csv")
        if plots:
            from model import plots as p
            p.save_scenario_plots(result, tmp)
            if corridors is not None:
                p.save_transit_times(corridors[0], tmp / "transit_times.png")
        files = [f.name for f in tmp.iterdir()] + ["manifest.json"]
        (tmp / "manifest.json").write_text(json.dumps(manifest(result, files), indent=2) + "\n")
    return dest


def write_comparison(results: list[Result], out_dir: Path, *, plots: bool = True) -> list[Path]:
    """``comparison.csv`` (and ``comparison.png``) in ``out_dir``, each written atomically."""
    out_dir = Path(out_dir)
    table = comparison(results)
    atomic_write(out_dir / "comparison.csv", lambda p: write_csv(table, p))
    written = [out_dir / "comparison.csv"]
    if plots:
        from model import plots as p
        atomic_write(out_dir / "comparison.png", lambda path: p.save_comparison(table, path))
        written.append(out_dir / "comparison.png")
    return written
