"""Gather chunk files into tables, and write the sweep's files atomically.

Column names are declared once here. ``fiscal_year`` labels follow docs/design.md §4.2 (``2029-30``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from model import labels
from model.fiscal import fy_label
from model.sweep import plots
from model.sweep.evaluators import PATH_METRICS
from model.sweep.execute import atomic_write

QUANTILES = (5, 25, 50, 75, 95)
# share_undefined: share of rows whose outcome has no value (NaN: year_100bn never reached in
# the horizon); mean and quantiles are over the other rows only, never over a stand-in value
QUANTILE_COLUMNS = (["metric", "fiscal_year", "mean"] + [f"p{q}" for q in QUANTILES]
                    + ["share_undefined"])
SAMPLE = "sample"  # row id column joining samples.csv and outcomes.csv
SCATTER_ROWS = 5000


@dataclass
class Collected:
    """What the driver keeps after reading all chunk files (bounded size, see execute.py)."""

    row_index: np.ndarray
    X: np.ndarray
    Y: np.ndarray
    path_index: np.ndarray | None
    paths: np.ndarray | None      # (k, P, Y)
    path_mean: np.ndarray | None  # (P, Y), exact over all rows
    years: np.ndarray | None


def collect(parts: Iterable[dict[str, np.ndarray]]) -> Collected:
    parts = list(parts)
    has_paths = "paths" in parts[0]
    cat = lambda k: np.concatenate([p[k] for p in parts])  # noqa: E731
    mean = None
    if has_paths:
        sums = np.concatenate([p["path_sum"] for p in parts])  # one row per block, in order
        mean = sums.sum(axis=0) / cat("path_count").sum()
    return Collected(cat("row_index"), cat("X"), cat("Y"),
                     cat("path_index") if has_paths else None,
                     cat("paths") if has_paths else None, mean,
                     parts[0]["years"] if has_paths else None)


def samples_table(c: Collected, names: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(c.X, columns=names)
    df.insert(0, SAMPLE, c.row_index)
    return df


def outcomes_table(c: Collected, outcomes: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(c.Y, columns=outcomes)
    df.insert(0, SAMPLE, c.row_index)
    return df


def quantiles_table(c: Collected, outcomes: list[str]) -> pd.DataFrame:
    """P5..P95 (and mean) of each yearly path, then of each scalar outcome (fiscal_year empty).

    Rows whose outcome is undefined (NaN, e.g. ``year_100bn`` when US$100bn is never reached)
    are left out of the mean and quantiles, and their share is reported in ``share_undefined``:
    with 40% never reaching it, P50 is the median year *among the 60% that do*."""
    rows = []
    if c.paths is not None:
        q = np.percentile(c.paths, QUANTILES, axis=0)  # (5, P, Y)
        for m, metric in enumerate(PATH_METRICS):
            for t, year in enumerate(c.years):
                rows.append([metric, fy_label(int(year)), c.path_mean[m, t], *q[:, m, t], 0.0])
    for k, name in enumerate(outcomes):
        y, undefined = defined(c.Y[:, k])
        stats = np.percentile(y, QUANTILES) if len(y) else [np.nan] * len(QUANTILES)
        rows.append([name, "", y.mean() if len(y) else np.nan, *stats, undefined])
    return pd.DataFrame(rows, columns=QUANTILE_COLUMNS)


def defined(y: np.ndarray) -> tuple[np.ndarray, float]:
    """The finite values of an outcome column and the share of rows without one."""
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y)
    return y[ok], float(1 - ok.mean()) if len(y) else float("nan")


def undefined_notes(quantiles: pd.DataFrame) -> list[str]:
    """One line per scalar outcome with undefined rows (for stderr and the manifest)."""
    q = quantiles[(quantiles["fiscal_year"] == "") & (quantiles["share_undefined"] > 0)]
    notes = []
    for r in q.itertuples():
        what = ("never reach US$100bn within the horizon" if r.metric == "year_100bn"
                else "have no value (NaN)")
        rest = (f"quantiles and mean are over the other {1 - r.share_undefined:.1%} only"
                if r.share_undefined < 1 else "no quantiles")
        notes.append(f"{r.metric}: {r.share_undefined:.1%} of samples {what}; {rest}")
    return notes


def top_drivers(samples: pd.DataFrame, outcomes: pd.DataFrame, outcome: str, k: int = 4
                ) -> list[str]:
    """Inputs with the largest |Spearman rank correlation| with ``outcome``."""
    ok = np.isfinite(outcomes[outcome].to_numpy(dtype=float))  # undefined rows have no rank
    x = samples.drop(columns=SAMPLE)[ok]
    ranks = x.rank().to_numpy()
    y = outcomes[outcome][ok].rank().to_numpy()
    rho = []
    for j in range(ranks.shape[1]):
        a, b = ranks[:, j] - ranks[:, j].mean(), y - y.mean()
        den = np.sqrt((a * a).sum() * (b * b).sum())
        rho.append(abs((a * b).sum() / den) if den > 0 else 0.0)
    return [x.columns[j] for j in np.argsort(rho, kind="stable")[::-1][:k]]


# --- writing --------------------------------------------------------------------------------


def write_csv(path: Path, df: pd.DataFrame) -> None:
    def write(f: io.TextIOBase) -> None:
        df.to_csv(f, index=False, lineterminator="\n")

    atomic_write(path, write, binary=False)


def write_json(path: Path, obj: dict) -> None:
    atomic_write(path, lambda f: f.write(json.dumps(obj, indent=2, default=str) + "\n"),
                 binary=False)


def write_figure(path: Path, fig: Figure) -> None:
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=110))


def write_plots(out: Path, *, outcomes: list[str], quantiles: pd.DataFrame,
                samples: pd.DataFrame, outcome_df: pd.DataFrame, tornado: pd.DataFrame | None,
                sobol: pd.DataFrame | None, morris: pd.DataFrame | None,
                scatter: bool, fan: bool, name: str = "") -> list[str]:
    written = []

    def save(name: str, ax) -> None:
        write_figure(out / name, ax.figure)
        written.append(name)

    if fan and set(PATH_METRICS) <= set(quantiles["metric"]):
        save("fan_balance.png", plots.plot_fan(quantiles, metric="balance", name=name))
        save("fan_total_trade.png", plots.plot_fan(quantiles, metric="total_trade", name=name))
    first = outcomes[0]
    if tornado is not None:
        save("tornado.png", plots.plot_tornado(tornado, outcome=first))
    if sobol is not None:
        save("sobol.png", plots.plot_sobol(sobol, outcome=first))
    if morris is not None:
        save("morris.png", plots.plot_morris(morris, outcome=first))
    if scatter and len(samples) > 2:
        sub = samples.iloc[:: max(1, len(samples) // SCATTER_ROWS)]
        ys = outcome_df.loc[sub.index]
        drivers = top_drivers(sub, ys, first)
        with plots.style():
            fig = Figure(figsize=(4.5 * len(drivers), 4), layout="constrained")
            axes = np.atleast_1d(fig.subplots(1, len(drivers)))
            joined = sub.join(ys[[first]])
            for ax, driver in zip(axes, drivers, strict=True):
                plots.plot_scatter(joined, x=driver, y=first, ax=ax)
            fig.suptitle(f"{name + ': ' if name else ''}top drivers of "
                         f"{labels.outcome(first).text}")
        write_figure(out / "scatter.png", fig)
        written.append("scatter.png")
    return written
