"""Thin plotting functions ``plot_x(df, *, ax=None) -> Axes``: they draw tables, compute nothing.

No pyplot (no global figure state): a missing ``ax`` gets a fresh
:class:`~matplotlib.figure.Figure`.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def _axes(ax: Axes | None, size: tuple[float, float] = (7, 4.5)) -> Axes:
    return ax if ax is not None else Figure(figsize=size, layout="constrained").subplots()


def plot_fan(quantiles: pd.DataFrame, *, metric: str = "balance", ax: Axes | None = None) -> Axes:
    """Fan chart: P5-P95 and P25-P75 bands and the median of a yearly path (quantiles.csv)."""
    ax = _axes(ax)
    q = quantiles[quantiles["metric"] == metric]
    x = q["fiscal_year"].to_list()
    ax.fill_between(x, q["p5"], q["p95"], alpha=0.2, color="C0", label="P5-P95")
    ax.fill_between(x, q["p25"], q["p75"], alpha=0.4, color="C0", label="P25-P75")
    ax.plot(x, q["p50"], color="C0", lw=2, label="median")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(xlabel="fiscal year", ylabel=f"{metric.replace('_', ' ')} (US$ bn)",
           title=f"India-Russia {metric.replace('_', ' ')}: uncertainty")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(loc="best")
    return ax


def plot_tornado(tornado: pd.DataFrame, *, outcome: str, ax: Axes | None = None) -> Axes:
    """Horizontal bars from the outcome at each input's low to its high value (tornado.csv)."""
    t = tornado[tornado["outcome"] == outcome].sort_values("rank", ascending=False)
    ax = _axes(ax, (7, 1.5 + 0.35 * len(t)))
    base = t["base"].iloc[0]
    y = range(len(t))
    ax.barh(y, t["at_low"] - base, left=base, color="C0", label="input low")
    ax.barh(y, t["at_high"] - base, left=base, color="C3", label="input high")
    ax.set_yticks(list(y), t["parameter"].to_list())
    ax.axvline(base, color="black", lw=0.8)
    ax.set(xlabel=outcome, title=f"Tornado: {outcome}")
    ax.legend(loc="lower right")
    return ax


def plot_sobol(sobol: pd.DataFrame, *, outcome: str, ax: Axes | None = None) -> Axes:
    """Bars of S1 and ST with their bootstrap intervals (sobol.csv)."""
    s = sobol[sobol["outcome"] == outcome].reset_index(drop=True)
    ax = _axes(ax, (max(5, 0.8 * len(s) + 2), 4.5))
    x = range(len(s))
    for off, col, label in ((-0.2, "S1", "first order S1"), (0.2, "ST", "total order ST")):
        err = [(s[col] - s[f"{col}_low"]).clip(lower=0), (s[f"{col}_high"] - s[col]).clip(lower=0)]
        ax.bar([i + off for i in x], s[col], width=0.4, yerr=err, capsize=3, label=label)
    ax.set_xticks(list(x), s["parameter"].to_list(), rotation=30, ha="right")
    ax.set(ylabel="Sobol' index", title=f"Sobol' indices: {outcome}")
    ax.legend()
    return ax


def plot_morris(morris: pd.DataFrame, *, outcome: str, ax: Axes | None = None) -> Axes:
    """Morris screening: mu* against sigma, one labelled point per input (morris.csv)."""
    ax = _axes(ax)
    m = morris[morris["outcome"] == outcome]
    ax.scatter(m["mu_star"], m["sigma"])
    for _, r in m.iterrows():
        ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=8)
    ax.set(xlabel="mu* (mean |elementary effect|)", ylabel="sigma", title=f"Morris: {outcome}")
    return ax


def plot_scatter(df: pd.DataFrame, *, x: str, y: str, ax: Axes | None = None) -> Axes:
    """Scatter of one outcome against one input (a sample of rows)."""
    ax = _axes(ax, (4, 3.5))
    ax.scatter(df[x], df[y], s=3, alpha=0.3)
    ax.set(xlabel=x, ylabel=y)
    return ax
