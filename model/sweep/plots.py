"""Thin plotting functions ``plot_x(df, *, ax=None) -> Axes``: they draw tables, compute nothing.

No pyplot (no global figure state): a missing ``ax`` gets a fresh
:class:`~matplotlib.figure.Figure`. Everything is drawn inside the tradesim style sheet
(``model/tradesim.mplstyle``), named through :mod:`model.labels` (inputs with their units and
ranges, outcomes with their units), with legends outside the data.

Given no ``ax``, :func:`plot_tornado`, :func:`plot_sobol` and :func:`plot_morris` draw one panel
per outcome in the table (all the sweep's outcomes) and return the panel of ``outcome``.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from model import labels
from model.plotstyle import GREY, INK, RIGHT, STYLE, YEAR_AXIS, style, styled  # noqa: F401

LOW, HIGH = "#0072B2", "#E69F00"




def _axes(ax: Axes | None, size: tuple[float, float] = (9, 4.8)) -> Axes:
    return ax if ax is not None else Figure(figsize=size, layout="constrained").subplots()


def _wrap(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _panels(table: pd.DataFrame, outcome: str | None, ax: Axes | None, draw, *,
            width: float, height) -> Axes:
    """Draw ``outcome`` on ``ax``; without ``ax``, every outcome of the table on its own panel."""
    outcomes = list(dict.fromkeys(table["outcome"]))
    outcome = outcome if outcome is not None else outcomes[0]
    if ax is not None:
        draw(table[table["outcome"] == outcome], outcome, ax)
        return ax
    sizes = [height(table[table["outcome"] == o]) for o in outcomes]
    fig = Figure(figsize=(width, sum(sizes)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(outcomes), 1, height_ratios=sizes))
    for a, o in zip(axes, outcomes, strict=True):
        draw(table[table["outcome"] == o], o, a)
    return axes[outcomes.index(outcome)] if outcome in outcomes else axes[0]


# ------------------------------------------------------------------------------ fan chart
@styled
def plot_fan(quantiles: pd.DataFrame, *, metric: str = "balance", ax: Axes | None = None,
             name: str = "", baseline: pd.DataFrame | pd.Series | None = None) -> Axes:
    """Fan chart: P5-P95 and P25-P75 bands and the median of a yearly path (quantiles.csv).

    ``name``: the sweep, named in the title. ``baseline``: the deterministic baseline path --
    a Series by fiscal year, or a summary table with ``fiscal_year`` and ``<metric>_usd_bn``
    -- drawn as a dashed line."""
    ax = _axes(ax)
    q = quantiles[quantiles["metric"] == metric]
    x = q["fiscal_year"].str[:4].astype(int).to_numpy()
    lab = labels.outcome(metric)
    ax.fill_between(x, q["p5"], q["p95"], alpha=0.2, color=LOW, lw=0, label="5th–95th percentile")
    ax.fill_between(x, q["p25"], q["p75"], alpha=0.4, color=LOW, lw=0,
                    label="25th–75th percentile")
    ax.plot(x, q["p50"], color=LOW, lw=2, label="median of the draws")
    if baseline is not None:
        if isinstance(baseline, pd.DataFrame):
            baseline = baseline.set_index("fiscal_year")[f"{metric}_usd_bn"]
        b = baseline.reindex(q["fiscal_year"])
        ax.plot(x, b.to_numpy(), "--", color=INK, lw=1.6, label="deterministic baseline")
    fy = q["fiscal_year"].to_list()
    ax.set_xticks(x, fy, rotation=45, ha="right", rotation_mode="anchor")
    ax.set(xlabel=YEAR_AXIS, ylabel=lab.axis)
    ax.set_title(f"{name}: {lab.text}" if name else f"{lab.text}: spread across the draws")
    ax.legend(**RIGHT)
    return ax


# ------------------------------------------------------------------------------ tornado
def _input_label(row) -> str:
    """The input's name, then its range in its unit: "Brent\n60 → 95 US$/bbl"."""
    lab = labels.parameter(row.parameter)
    if hasattr(row, "low_input") and hasattr(row, "high_input"):
        return (_wrap(lab.text, 40) + "\n"
                + labels.value_range(row.parameter, row.low_input, row.high_input))
    return _wrap(lab.axis, 40)


def _draw_tornado(t: pd.DataFrame, outcome: str, ax: Axes) -> None:
    t = t.sort_values("rank", ascending=False)
    lab = labels.outcome(outcome)
    base = t["base"].iloc[0]
    y = np.arange(len(t))
    if np.isfinite(base):
        ax.barh(y, t["at_low"] - base, left=base, color=LOW, height=0.7,
                label="input at its low end")
        ax.barh(y, t["at_high"] - base, left=base, color=HIGH, height=0.7,
                label="input at its high end")
        ax.axvline(base, color=INK, lw=1, label=f"all inputs at base: {lab.format(base)}")
    else:
        ax.text(0.5, 0.5, f"{lab.text}: undefined at the base values", transform=ax.transAxes,
                ha="center", va="center", color=GREY)
    ax.set_yticks(y, [_input_label(r) for r in t.itertuples()])
    ax.set_ylim(-0.6, len(t) - 0.4)
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(lab.axis)
    ax.set_ylabel("Input (range low → high)")
    ax.set_title(f"Tornado: {lab.text}")
    if np.isfinite(base):
        ax.legend(**RIGHT)


@styled
def plot_tornado(tornado: pd.DataFrame, *, outcome: str | None = None,
                 ax: Axes | None = None) -> Axes:
    """Horizontal bars from the outcome at each input's low to its high value (tornado.csv);
    inputs named with their units and ranges. Without ``ax``: one panel per outcome."""
    return _panels(tornado, outcome, ax, _draw_tornado, width=11,
                   height=lambda t: 1.4 + 0.5 * len(t))


# ------------------------------------------------------------------------------ Sobol', Morris
def _draw_sobol(s: pd.DataFrame, outcome: str, ax: Axes) -> None:
    s = s.reset_index(drop=True)
    x = np.arange(len(s))
    for off, col, label, color in ((-0.2, "S1", "first order S1", LOW),
                                   (0.2, "ST", "total order ST", HIGH)):
        err = [(s[col] - s[f"{col}_low"]).clip(lower=0), (s[f"{col}_high"] - s[col]).clip(lower=0)]
        ax.bar(x + off, s[col], width=0.4, yerr=err, capsize=3, label=label, color=color,
               error_kw=dict(ecolor=INK, lw=0.8))
    names = [_wrap(labels.parameter(p).axis, 22) for p in s["parameter"]]
    ax.set_xticks(x, names, rotation=35, ha="right", rotation_mode="anchor", fontsize=8)
    ax.set_xlabel("Input")
    ax.set_ylabel("Sobol' index (share of variance, 0–1)")
    ax.set_title(f"Sobol' indices: {labels.outcome(outcome).text}")
    ax.legend(**RIGHT)


@styled
def plot_sobol(sobol: pd.DataFrame, *, outcome: str | None = None, ax: Axes | None = None) -> Axes:
    """Bars of S1 and ST with their bootstrap intervals (sobol.csv)."""
    if ax is None:
        n = sobol["parameter"].nunique()
        return _panels(sobol, outcome, None, _draw_sobol, width=max(8, 1.1 * n + 4),
                       height=lambda t: 5.5)
    return _panels(sobol, outcome, ax, _draw_sobol, width=0, height=None)


def _draw_morris(m: pd.DataFrame, outcome: str, ax: Axes) -> None:
    lab = labels.outcome(outcome)
    handles, placed = [], []
    span = np.array([max(m["mu_star"].max(), 1e-12), max(m["sigma"].max(), 1e-12)])
    for i, r in enumerate(m.itertuples(), start=1):
        ax.plot(r.mu_star, r.sigma, "o", color=LOW)
        # numbers of nearby points are stacked upwards so none is printed on another
        here = np.array([r.mu_star, r.sigma]) / span
        k = sum(bool(np.all(np.abs(here - p) < 0.05)) for p in placed)
        placed.append(here)
        ax.annotate(str(i), (r.mu_star, r.sigma), textcoords="offset points",
                    xytext=(5, 4 + 10 * k), fontsize=8)
        handles.append(Line2D([], [], ls="", marker=f"${i}$", color=INK,
                              label=_wrap(labels.parameter(r.parameter).axis, 40)))
    unit = lab.unit or "outcome units"
    ax.set(xlabel=f"μ*: mean |elementary effect| ({unit})",
           ylabel=f"σ of the elementary effects ({unit})")
    ax.margins(0.15)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_title(f"Morris screening: {lab.text}")
    ax.legend(handles=handles, title="Inputs", **RIGHT)


@styled
def plot_morris(morris: pd.DataFrame, *, outcome: str | None = None,
                ax: Axes | None = None) -> Axes:
    """Morris screening: mu* against sigma, one numbered point per input, named beside the
    plot (morris.csv)."""
    return _panels(morris, outcome, ax, _draw_morris, width=10, height=lambda t: 4.8)


@styled
def plot_scatter(df: pd.DataFrame, *, x: str, y: str, ax: Axes | None = None) -> Axes:
    """Scatter of one outcome against one input (a sample of rows)."""
    ax = _axes(ax, (4.5, 3.8))
    ax.scatter(df[x], df[y], s=3, alpha=0.3, color=LOW, rasterized=True)
    xl, yl = labels.any_label(x), labels.any_label(y)
    if getattr(xl, "percent", False):
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(_wrap(xl.axis, 40))
    ax.set_ylabel(_wrap(yl.axis, 36))
    return ax
