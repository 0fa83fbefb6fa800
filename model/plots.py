"""Thin plotting functions: ``plot_x(table, *, ax=None) -> Axes``. They compute nothing.

The ``save_*`` helpers lay figures out and write PNGs (used by the CLI).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

SOURCE_NOTE = "Source: tradesim; baseline FY2024-25 from DGCI&S via press reports (see manifest)"


def _ax(ax: Axes | None) -> Axes:
    return ax if ax is not None else plt.figure(figsize=(8, 4.5)).add_subplot()


def plot_trade_and_balance(summary: pd.DataFrame, *, ax: Axes | None = None,
                           title: str = "") -> Axes:
    """Exports, imports and total trade (lines) and India's balance (bars), US$ bn."""
    ax = _ax(ax)
    x = summary["fiscal_year"]
    ax.bar(x, summary["balance_usd_bn"], color="#c44e52", alpha=0.35, label="balance")
    ax.plot(x, summary["total_trade_usd_bn"], "k-", lw=2, label="total trade")
    ax.plot(x, summary["imports_usd_bn"], "-", color="#c44e52", label="imports from Russia")
    ax.plot(x, summary["exports_usd_bn"], "-", color="#4c72b0", label="exports to Russia")
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("US$ bn")
    ax.set_title(title or "India-Russia trade and India's balance")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_flows_stacked(flows: pd.DataFrame, direction: str, *, ax: Axes | None = None) -> Axes:
    """Stacked areas of one direction's flows by sector, US$ bn."""
    ax = _ax(ax)
    wide = flows[flows["direction"] == direction].pivot(
        index="fiscal_year", columns="flow", values="value_usd_bn")
    wide = wide[wide.iloc[-1].sort_values(ascending=False).index]
    ax.stackplot(range(len(wide)), wide.T.to_numpy(), labels=wide.columns, alpha=0.85)
    ax.set_xticks(range(len(wide)), wide.index, rotation=45)
    ax.set_ylabel("US$ bn")
    name = "India's exports to Russia" if direction == "export" else "India's imports from Russia"
    ax.set_title(f"{name} by sector")
    ax.legend(loc="upper left", fontsize=7, ncol=2)
    return ax


def plot_route_shares(routes: pd.DataFrame, mode: str, *, ax: Axes | None = None) -> Axes:
    """Share of a mode's India-Russia tonnage carried by each route."""
    ax = _ax(ax)
    wide = routes[routes["mode"] == mode].pivot(index="fiscal_year", columns="route", values="share")
    wide = wide.loc[:, wide.max() > 0]
    ax.stackplot(range(len(wide)), wide.T.to_numpy(), labels=wide.columns, alpha=0.85)
    ax.set_xticks(range(len(wide)), wide.index, rotation=45)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of tonnes")
    ax.set_title(f"Route shares, {mode} cargo")
    ax.legend(loc="lower left", fontsize=8)
    return ax


def plot_comparison(table: pd.DataFrame, column: str, *, ax: Axes | None = None) -> Axes:
    """One line per scenario of ``column`` (e.g. ``balance_usd_bn``) on a common year axis
    (scenarios may start in different base years, e.g. the backcast)."""
    ax = _ax(ax)
    start = table["fiscal_year"].str[:4].astype(int)
    colors = plt.get_cmap("tab20").colors
    for i, (name, part) in enumerate(table.groupby("scenario", sort=False)):
        ax.plot(start[part.index], part[column], marker="o", ms=3, label=name,
                color=colors[(2 * i) % 20 + (2 * i // 20) % 2], ls="-" if i < 10 else "--")
    years = sorted(set(start))
    labels = dict(zip(start, table["fiscal_year"], strict=True))
    ax.set_xticks(years, [labels[y] for y in years], rotation=45)
    ax.set_ylabel("US$ bn")
    ax.set_title(column.removesuffix("_usd_bn").replace("_", " "))
    ax.legend(fontsize=7)
    return ax


def plot_transit_times(corridors: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Mean (line) and 95th-percentile (dashed) door-to-door days per route, from the DES."""
    ax = _ax(ax)
    for i, (route, part) in enumerate(corridors.groupby("route", sort=False)):
        color = f"C{i}"
        ax.plot(part["fiscal_year"], part["transit_days_mean"], "-o", ms=3, color=color,
                label=f"{route} mean")
        ax.plot(part["fiscal_year"], part["transit_days_p95"], "--", color=color,
                label=f"{route} p95")
    ax.set_ylabel("transit days")
    ax.set_title("Transit time by route (discrete-event simulation)")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=7, ncol=2)
    return ax


def save_transit_times(corridors: pd.DataFrame, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_transit_times(corridors, ax=ax)
    _save(fig, path)


def _save(fig, path: Path) -> None:
    fig.text(0.01, 0.005, SOURCE_NOTE, fontsize=6, color="grey")
    # fixed margins: tight_layout costs ~0.1 s a figure and the layouts here do not vary
    fig.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.2, wspace=0.22)
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


def save_scenario_plots(result, directory: Path) -> None:
    """``trade_balance.png``, ``flows.png`` and ``routes.png`` for one result."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_trade_and_balance(result.summary, ax=ax, title=f"{result.scenario.name}: India-Russia "
                           "trade and India's balance")
    _save(fig, directory / "trade_balance.png")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_flows_stacked(result.flows, "export", ax=axes[0])
    plot_flows_stacked(result.flows, "import", ax=axes[1])
    _save(fig, directory / "flows.png")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, mode in zip(axes, ("container", "bulk"), strict=True):
        plot_route_shares(result.routes, mode, ax=ax)
    _save(fig, directory / "routes.png")


def save_comparison(table: pd.DataFrame, path: Path) -> None:
    """Overlay of balance and total trade across scenarios."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_comparison(table, "balance_usd_bn", ax=axes[0])
    plot_comparison(table, "total_trade_usd_bn", ax=axes[1])
    axes[1].axhline(100, color="grey", ls="--", lw=0.8)
    _save(fig, path)


def plot_waterfall(parts: pd.DataFrame, *, start: float, start_label: str, end_label: str,
                   ax: Axes | None = None, title: str = "") -> Axes:
    """Waterfall from ``start`` through ``parts`` (columns ``group``, ``change``) to the end."""
    ax = _ax(ax)
    labels = [start_label, *parts["group"], end_label]
    tops = start + parts["change"].cumsum()
    bottoms = [0.0, *(tops - parts["change"]), 0.0]
    heights = [start, *parts["change"], start + parts["change"].sum()]
    colours = ["#8c8c8c", *("#55a868" if c >= 0 else "#c44e52" for c in parts["change"]),
               "#4c72b0"]
    ax.bar(labels, heights, bottom=bottoms, color=colours)
    for x, (b, h) in enumerate(zip(bottoms, heights, strict=True)):
        ax.annotate(f"{h:+.2f}" if 0 < x < len(labels) - 1 else f"{h:.2f}",
                    (x, b + h), ha="center", va="bottom" if h >= 0 else "top", fontsize=7)
    levels = [start, *tops, heights[-1]]
    pad = max(0.15 * (max(levels) - min(levels)), 0.05 * max(abs(v) for v in levels), 0.1)
    ax.set_ylim(min(levels) - pad, max(levels) + pad)  # truncated axis: the steps stay visible
    ax.set_ylabel("US$ bn (axis truncated)")
    ax.set_title(title, fontsize=9)
    ax.tick_params(axis="x", rotation=45)
    return ax


def save_waterfall(balance: pd.DataFrame, total: pd.DataFrame, ends: dict[str, tuple[float, float]],
                   path: Path, *, year: str, reference: str, scenario: str) -> None:
    """Two waterfalls (balance, total trade) for one fiscal year; ``ends``: metric -> (ref, sc)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    for ax, (metric, parts) in zip(axes, (("balance", balance), ("total trade", total)),
                                   strict=True):
        plot_waterfall(parts, start=ends[metric][0], start_label=reference,
                       end_label=scenario, ax=ax, title=f"{metric}, FY{year}: {reference} -> "
                                                        f"{scenario} by lever group")
    _save(fig, path)
