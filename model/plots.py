"""Thin plotting functions: ``plot_x(table, *, ax=None) -> Axes``. They compute nothing.

Every function draws inside :func:`style` (the ``tradesim.mplstyle`` sheet, set once), names
things through :mod:`model.labels`, labels both axes with units and puts legends outside the
data. The ``save_*`` helpers lay figures out and write PNGs (used by the CLI).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from model import labels  # noqa: E402
from model.analysis.competition import partner_rows  # noqa: E402
from model.plotstyle import GREY, INK, RIGHT, STYLE, YEAR_AXIS, style, styled  # noqa: E402, F401

SOURCE_NOTE = ("Source: tradesim scenario model. Trade data: DGCI&S (Ministry of Commerce, India); "
               "every other input and its source is listed in manifest.json.")
BASELINE = "baseline"
# fixed colours for the four series of a trade plot (palette positions, colour-blind safe)
SERIES = {"total_trade": INK, "imports": "#D55E00", "exports": "#0072B2", "balance": "#CC79A7"}




def palette() -> list[str]:
    """The style's qualitative colours, in order."""
    with style():
        return list(plt.rcParams["axes.prop_cycle"].by_key()["color"])


def _colour(i: int) -> str:
    colours = palette()
    return colours[i % len(colours)]


def _figure(width: float, height: float):
    fig = plt.figure(figsize=(width, height), layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))  # room for the source note
    return fig


def _ax(ax: Axes | None, size: tuple[float, float] = (9, 4.8)) -> Axes:
    return ax if ax is not None else _figure(*size).add_subplot()


def _years(fiscal_years) -> np.ndarray:
    """``"2024-25"`` -> 2024: a numeric axis, so every series lines up."""
    return pd.Series(fiscal_years).astype(str).str[:4].astype(int).to_numpy()


def _year_ticks(ax: Axes, fiscal_years) -> None:
    fy = list(dict.fromkeys(pd.Series(fiscal_years).astype(str)))
    ax.set_xticks(_years(fy), fy, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlabel(YEAR_AXIS)


def _status(table: pd.DataFrame) -> np.ndarray:
    if "status" in table:
        return table["status"].astype(str).to_numpy()
    return np.full(len(table), "projection")


def _status_markers(ax: Axes, x, y, status, color: str, *, size: float = 6, zorder=4) -> None:
    """Observed years as filled markers, the nowcast year as a hollow one."""
    x, y = np.asarray(x), np.asarray(y)
    obs, now = status == "observed", status == "nowcast"
    if obs.any():
        ax.plot(x[obs], y[obs], "o", ms=size, color=color, mec=color, zorder=zorder)
    if now.any():
        ax.plot(x[now], y[now], "o", ms=size, mfc="white", mec=color, mew=1.6, zorder=zorder)


def _status_handles() -> list:
    return [Line2D([], [], marker="o", ls="", color=INK, label=labels.STATUS["observed"]),
            Line2D([], [], marker="o", ls="", mfc="white", mec=INK, mew=1.6,
                   label=labels.STATUS["nowcast"]),
            Line2D([], [], ls="-", color=INK, label=labels.STATUS["projection"])]


# ------------------------------------------------------------------------------ one scenario
@styled
def plot_trade_and_balance(summary: pd.DataFrame, *, ax: Axes | None = None,
                           title: str = "") -> Axes:
    """Exports, imports and total trade (lines) and India's balance (bars), US$ bn; observed
    years as filled markers, the nowcast year hollow, projections as lines."""
    ax = _ax(ax)
    x, status = _years(summary["fiscal_year"]), _status(summary)
    bal = summary["balance_usd_bn"].to_numpy()
    fill = {"observed": 0.9, "nowcast": 0.0, "projection": 0.35}
    for xi, b, s in zip(x, bal, status, strict=True):
        ax.bar(xi, b, width=0.7, color=SERIES["balance"], alpha=fill.get(s, 0.35),
               edgecolor=SERIES["balance"], hatch="////" if s == "nowcast" else None, lw=0.8)
    for key, col in (("total_trade", "total_trade_usd_bn"), ("imports", "imports_usd_bn"),
                     ("exports", "exports_usd_bn")):
        ax.plot(x, summary[col], "-", color=SERIES[key], lw=2.2 if key == "total_trade" else 1.8)
        _status_markers(ax, x, summary[col], status, SERIES[key])
    ax.axhline(0, color=GREY, lw=0.8)
    _year_ticks(ax, summary["fiscal_year"])
    ax.set_ylabel("US$ bn (India's view: balance = exports − imports)")
    ax.set_title(title or "India–Russia trade and India's balance")
    series = [Line2D([], [], color=SERIES["total_trade"], lw=2.2,
                     label=labels.outcome("total_trade").text),
              Line2D([], [], color=SERIES["imports"], label=labels.outcome("imports").text),
              Line2D([], [], color=SERIES["exports"], label=labels.outcome("exports").text),
              Patch(facecolor=SERIES["balance"], alpha=0.35, edgecolor=SERIES["balance"],
                    label=labels.outcome("balance").text + " (bars)")]
    first = ax.legend(handles=series, title="Series", **RIGHT)
    ax.add_artist(first)
    ax.legend(handles=_status_handles(), title="Data", loc="lower left",
              bbox_to_anchor=(1.02, 0.0), borderaxespad=0.0)
    return ax


@styled
def plot_flows_stacked(flows: pd.DataFrame, direction: str, *, ax: Axes | None = None) -> Axes:
    """Stacked areas of one direction's flows by sector, US$ bn (largest at the bottom)."""
    ax = _ax(ax)
    part = flows[flows["direction"] == direction]
    order = list(dict.fromkeys(part["flow"]))  # dataset order: a flow keeps its colour
    wide = part.pivot(index="fiscal_year", columns="flow", values="value_usd_bn")
    wide = wide[wide.iloc[-1].sort_values(ascending=False).index]
    colours = [_colour(order.index(f)) for f in wide.columns]
    names = [labels.flow(f, short=True) for f in wide.columns]
    x = _years(wide.index)
    stacks = ax.stackplot(x, wide.T.to_numpy(), labels=names, colors=colours, alpha=0.9,
                          edgecolor="white", linewidth=0.4)
    _year_ticks(ax, wide.index)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylabel("US$ bn")
    ax.set_title(f"{labels.DIRECTIONS[direction]} by sector")
    # legend top-down in the order the areas are stacked on screen
    ax.legend(handles=stacks[::-1], labels=names[::-1], **RIGHT)
    return ax


@styled
def plot_creation_diversion(markets: pd.DataFrame, importer: str, *,
                            ax: Axes | None = None) -> Axes:
    """The partner's trade creation (solid) and diversion (hatched) per flow and year, US$ bn,
    in the markets of one importer (Russia's: India's exports; India's: its imports)."""
    ax = _ax(ax)
    part = partner_rows(markets[markets["importer"] == importer])
    flows = list(dict.fromkeys(part["flow"]))
    years = list(dict.fromkeys(part["fiscal_year"]))
    x = _years(years)
    width = 0.8 / max(len(flows), 1)
    for i, f in enumerate(flows):
        rows = part[part["flow"] == f].set_index("fiscal_year").loc[years]
        pos = x - 0.4 + (i + 0.5) * width
        ax.bar(pos, rows["creation_usd_bn"], width, color=_colour(i),
               label=labels.flow(f, short=True))
        ax.bar(pos, rows["diversion_usd_bn"], width, bottom=np.where(
            (rows["creation_usd_bn"] > 0) == (rows["diversion_usd_bn"] > 0),
            rows["creation_usd_bn"], 0.0), color=_colour(i), alpha=0.45, hatch="//",
            edgecolor="white")
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    _year_ticks(ax, years)
    ax.set_ylabel("US$ bn")
    seller = "India" if importer == "Russia" else "Russia"
    ax.set_title(f"{seller}'s sales in {importer}'s markets: trade creation (solid) and "
                 "diversion from rivals (hatched)")
    ax.legend(**RIGHT)
    return ax


@styled
def plot_route_shares(routes: pd.DataFrame, mode: str, *, ax: Axes | None = None) -> Axes:
    """Share of a mode's India-Russia tonnage carried by each route, per cent."""
    ax = _ax(ax)
    wide = routes[routes["mode"] == mode].pivot(index="fiscal_year", columns="route",
                                                values="share")
    order = list(labels.ROUTES) + [r for r in wide.columns if r not in labels.ROUTES]
    wide = wide[[r for r in order if r in wide.columns and wide[r].max() > 0]]
    x = _years(wide.index)
    names = [labels.route(r) for r in wide.columns]
    ax.stackplot(x, 100 * wide.T.to_numpy(), labels=names, alpha=0.9, edgecolor="white",
                 linewidth=0.4, colors=[_colour(order.index(r)) for r in wide.columns])
    _year_ticks(ax, wide.index)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_ylabel("Share of tonnes carried (%)")
    ax.set_title(f"Route shares: {labels.mode(mode).lower()}")
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], **RIGHT)
    return ax


@styled
def plot_transit_times(corridors: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Mean (line) and 95th-percentile (dashed) door-to-door days per route, from the DES."""
    ax = _ax(ax)
    order = list(labels.ROUTES)
    handles = []
    for route, part in corridors.groupby("route", sort=False):
        if part["transit_days_mean"].isna().all():
            continue  # a route that carried nothing (e.g. the NSR before it opens)
        color = _colour(order.index(route) if route in order else len(order))
        x = _years(part["fiscal_year"])
        ax.plot(x, part["transit_days_mean"], "-o", ms=3, color=color)
        ax.plot(x, part["transit_days_p95"], "--", color=color)
        handles.append(Patch(color=color, label=labels.route(route)))
    handles += [Line2D([], [], color=INK, ls="-", marker="o", ms=3, label="mean"),
                Line2D([], [], color=INK, ls="--", label="95th percentile")]
    _year_ticks(ax, corridors["fiscal_year"])
    ax.set_ylabel("Door-to-door transit time (days)")
    ax.set_title("Transit time by route (discrete-event simulation)")
    ax.legend(handles=handles, **RIGHT)
    return ax


def _save(fig, path: Path) -> None:
    fig.text(0.01, 0.005, SOURCE_NOTE, fontsize=7, color=GREY, ha="left", va="bottom")
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


@styled
def save_transit_times(corridors: pd.DataFrame, path: Path) -> None:
    fig = _figure(10, 4.8)
    plot_transit_times(corridors, ax=fig.add_subplot())
    _save(fig, path)


@styled
def save_scenario_plots(result, directory: Path) -> None:
    """``trade_balance.png``, ``flows.png`` and ``routes.png`` for one result."""
    fig = _figure(10, 5)
    plot_trade_and_balance(result.summary, ax=fig.add_subplot(),
                           title=f"{result.scenario.name}: India–Russia trade and India's balance")
    _save(fig, directory / "trade_balance.png")
    fig = _figure(10, 8.5)
    axes = fig.subplots(2, 1)
    plot_flows_stacked(result.flows, "export", ax=axes[0])
    plot_flows_stacked(result.flows, "import", ax=axes[1])
    fig.suptitle(f"{result.scenario.name}: trade by sector")
    _save(fig, directory / "flows.png")
    fig = _figure(10, 7.5)
    axes = fig.subplots(2, 1)
    for ax, mode in zip(axes, ("container", "bulk"), strict=True):
        plot_route_shares(result.routes, mode, ax=ax)
    fig.suptitle(f"{result.scenario.name}: which corridor carries India–Russia cargo")
    _save(fig, directory / "routes.png")
    markets, welfare = result.markets
    if len(markets):
        save_competition(markets, directory / "creation_diversion.png",
                         title=f"{result.scenario.name}: competing suppliers")
        importers = list(dict.fromkeys(welfare["importer"]))
        fig = _figure(10, 3.8 * len(importers))
        for ax, importer in zip(np.atleast_1d(fig.subplots(len(importers), 1)), importers,
                                strict=True):
            plot_market_welfare(welfare, importer, ax=ax)
        fig.suptitle(f"{result.scenario.name}: tariff revenue and consumer surplus")
        _save(fig, directory / "market_welfare.png")
    bill = result.crude_bill
    if (bill["cut_mbd"].abs() > 1e-9).any():
        fig = _figure(10, 4.8)
        plot_crude_bill(bill, ax=fig.add_subplot())
        _save(fig, directory / "crude_bill.png")


@styled
def plot_market_welfare(welfare: pd.DataFrame, importer: str, *, ax: Axes | None = None) -> Axes:
    """One importer's tariff revenue, consumer surplus and their sum over its markets, US$ bn."""
    ax = _ax(ax)
    part = welfare[welfare["importer"] == importer].groupby("fiscal_year", sort=False)[[
        "tariff_revenue_change_usd_bn", "consumer_surplus_change_usd_bn",
        "welfare_change_usd_bn"]].sum()
    x = _years(part.index)
    names = {"tariff_revenue_change_usd_bn": "tariff revenue",
             "consumer_surplus_change_usd_bn": "consumer surplus",
             "welfare_change_usd_bn": "welfare (sum)"}
    for i, (col, name) in enumerate(names.items()):
        ax.plot(x, part[col], "-o" if i == 2 else "--", color=_colour(i), label=name,
                markersize=4, linewidth=2.2 if i == 2 else 1.4)
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    _year_ticks(ax, part.index)
    ax.set_ylabel("US$ bn")
    who = "the EAEU's" if importer == "Russia" else "India's"
    ax.set_title(f"{importer}'s markets: {who} tariff revenue and its buyers' consumer surplus")
    ax.legend(**RIGHT)
    return ax


@styled
def plot_crude_bill(bill: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Russian crude cut against the baseline path: what India stops paying Russia, what the
    replacement barrels cost, and the change of its total crude bill, US$ bn per year."""
    ax = _ax(ax)
    x = _years(bill["fiscal_year"])
    ax.bar(x - 0.2, bill["russian_value_change_usd_bn"], 0.4, color=_colour(0),
           label="paid to Russia")
    ax.bar(x + 0.2, bill["replacement_cost_usd_bn"], 0.4, color=_colour(1),
           label="paid to other suppliers")
    ax.plot(x, bill["india_crude_bill_change_usd_bn"], "-o", color="0.15", markersize=4,
            label="India's total crude bill")
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    _year_ticks(ax, bill["fiscal_year"])
    ax.set_ylabel("US$ bn vs the baseline path")
    ax.set_title("Russian crude against the baseline path: the bilateral saving is not India's bill")
    ax.legend(**RIGHT)
    return ax


@styled
def save_competition(markets: pd.DataFrame, path: Path, *, title: str) -> None:
    """One panel of :func:`plot_creation_diversion` per importer."""
    moved = markets[(markets["creation_usd_bn"] != 0) | (markets["diversion_usd_bn"] != 0)]
    # an importer whose markets did not move gets no (empty) panel
    importers = list(dict.fromkeys(moved["importer"])) or list(dict.fromkeys(markets["importer"]))[:1]
    fig = _figure(10, 4.2 * len(importers))
    for ax, importer in zip(np.atleast_1d(fig.subplots(len(importers), 1)), importers,
                            strict=True):
        plot_creation_diversion(markets, importer, ax=ax)
    fig.suptitle(title)
    _save(fig, path)


# ------------------------------------------------------------------------------ several scenarios
def split_history(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """(projections, names left out): a backcast -- a scenario named ``history`` or one that
    starts before the others (the fy2021-22 dataset) -- is not compared with projections."""
    first = table.groupby("scenario", sort=False)["fiscal_year"].first().str[:4].astype(int)
    common = first.mode().max()
    out = [n for n, y in first.items() if n == "history" or y < common]
    return table[~table["scenario"].isin(out)], out


def _scenario_colours(names: list[str]) -> dict[str, str]:
    others = [n for n in names if n != BASELINE]
    return {BASELINE: GREY} | {n: _colour(i) for i, n in enumerate(others)}


@styled
def plot_scenario(table: pd.DataFrame, scenario: str, *, ax: Axes | None = None,
                  reference: str = BASELINE, color: str | None = None) -> Axes:
    """One scenario's total trade (solid) and balance (dashed) against the reference in grey."""
    ax = _ax(ax, (5, 3.8))
    color = color or _colour(0)
    for name, c, lw, z in ((reference, GREY, 1.4, 2), (scenario, color, 2.0, 3)):
        part = table[table["scenario"] == name]
        if part.empty or (name == reference and scenario == reference):
            continue
        x, status = _years(part["fiscal_year"]), _status(part)
        for col, ls in (("total_trade_usd_bn", "-"), ("balance_usd_bn", "--")):
            ax.plot(x, part[col], ls=ls, color=c, lw=lw, zorder=z, label=name)
            if name == scenario:
                _status_markers(ax, x, part[col], status, c, size=5)
    ax.axhline(0, color=GREY, lw=0.6)
    _year_ticks(ax, table[table["scenario"] == scenario]["fiscal_year"])
    ax.set_ylabel("US$ bn")
    ax.set_title(scenario, fontsize=10)
    return ax


@styled
def plot_comparison(table: pd.DataFrame, column: str, *, ax: Axes | None = None,
                    reference: str = BASELINE) -> Axes:
    """Difference of ``column`` (e.g. ``balance_usd_bn``) from the reference, one line per
    scenario, US$ bn; a backcast is left out (:func:`split_history`)."""
    ax = _ax(ax)
    table, _ = split_history(table)
    names = list(dict.fromkeys(table["scenario"]))
    colours = _scenario_colours(names)
    ref = table[table["scenario"] == reference].set_index("fiscal_year")[column]
    for name in names:
        if name == reference:
            continue
        part = table[table["scenario"] == name]
        diff = part[column].to_numpy() - ref.reindex(part["fiscal_year"]).to_numpy()
        ax.plot(_years(part["fiscal_year"]), diff, "-", color=colours[name], label=name)
    ax.axhline(0, color=GREY, lw=1.2, label=f"{reference} (= 0)")
    _year_ticks(ax, table["fiscal_year"])
    lab = labels.outcome(column)
    ax.set_ylabel(f"Change from {reference} (US$ bn)")
    ax.set_title(f"{lab.text}: change from {reference}")
    ax.legend(**RIGHT)
    return ax


@styled
def save_comparison(table: pd.DataFrame, path: Path, *, reference: str = BASELINE) -> None:
    """Small multiples (each scenario against the reference in grey, total trade and balance)
    and the differences from the reference; a backcast is left out of the comparison."""
    table, left_out = split_history(table)
    names = list(dict.fromkeys(table["scenario"]))
    colours = _scenario_colours(names)
    shown = [n for n in names if n != reference] or names
    # fewer scenarios than columns: the panels take the whole width (no empty cells)
    ncols = min(len(shown), 3 if len(shown) <= 9 else 4)
    nrows = math.ceil(len(shown) / ncols)
    diff = reference in names and len(names) > 1
    fig = _figure(4.2 * max(ncols, 3) + 2.2, 3.4 * nrows + 1.2 + 4.4 * diff)
    top, bottom = fig.subfigures(2, 1, height_ratios=[3.4 * nrows + 1.2, 4.4 * diff + 1e-9])
    first = None
    for i, name in enumerate(shown):
        ax = top.add_subplot(nrows, ncols, i + 1, sharey=first)
        first = first or ax
        plot_scenario(table, name, ax=ax, reference=reference, color=colours[name])
    key = [Line2D([], [], color=INK, ls="-", label=labels.outcome("total_trade").text),
           Line2D([], [], color=INK, ls="--", label=labels.outcome("balance").text),
           Line2D([], [], color=GREY, label=f"{reference} (grey)"), *_status_handles()[:2]]
    top.legend(handles=key, loc="outside right upper")
    if diff:
        for j, col in enumerate(("balance_usd_bn", "total_trade_usd_bn")):
            ax = bottom.add_subplot(1, 2, j + 1)
            plot_comparison(table, col, ax=ax, reference=reference)
            if j == 0:
                ax.get_legend().remove()
    title = "Scenarios compared with the baseline: India–Russia trade and India's balance"
    if left_out:
        title += (f"\n(not shown: {', '.join(left_out)}, a backcast from FY2021-22 "
                  "with its own plots)")
    fig.suptitle(title)
    _save(fig, path)


# ------------------------------------------------------------------------------ decomposition
@styled
def plot_waterfall(parts: pd.DataFrame, *, start: float, start_label: str, end_label: str,
                   ax: Axes | None = None, title: str = "") -> Axes:
    """Waterfall from ``start`` through ``parts`` (columns ``group``, ``change``) to the end."""
    ax = _ax(ax, (7, 4.8))
    names = [start_label, *(labels.group(g) for g in parts["group"]), end_label]
    tops = start + parts["change"].cumsum()
    bottoms = [0.0, *(tops - parts["change"]), 0.0]
    heights = [start, *parts["change"], start + parts["change"].sum()]
    colours = [GREY, *("#009E73" if c >= 0 else "#D55E00" for c in parts["change"]), "#0072B2"]
    x = range(len(names))
    ax.bar(x, heights, bottom=bottoms, color=colours)
    for i, (b, h) in enumerate(zip(bottoms, heights, strict=True)):
        ax.annotate(f"{h:+.2f}" if 0 < i < len(names) - 1 else f"{h:.2f}", (i, b + h),
                    textcoords="offset points", xytext=(0, 3 if h >= 0 else -3), ha="center",
                    va="bottom" if h >= 0 else "top", fontsize=8)
    levels = [start, *tops, heights[-1]]
    pad = max(0.15 * (max(levels) - min(levels)), 0.05 * max(abs(v) for v in levels), 0.1)
    ax.set_ylim(min(levels) - pad, max(levels) + pad)  # truncated axis: the steps stay visible
    ax.set_xticks(list(x), names, rotation=30, ha="right", rotation_mode="anchor")
    ax.set_xlabel("Lever group (exact Shapley contributions)")
    ax.set_ylabel("US$ bn (axis truncated)")
    ax.set_title(title, fontsize=10)
    return ax


@styled
def save_waterfall(balance: pd.DataFrame, total: pd.DataFrame, ends: dict[str, tuple[float, float]],
                   path: Path, *, year: str, reference: str, scenario: str) -> None:
    """Two waterfalls (balance, total trade) for one fiscal year; ``ends``: metric -> (ref, sc)."""
    fig = _figure(12, 5.2)
    axes = fig.subplots(1, 2)
    for ax, (metric, key, parts) in zip(axes, (("balance", "balance", balance),
                                               ("total trade", "total_trade", total)),
                                        strict=True):
        plot_waterfall(parts, start=ends[metric][0], start_label=reference, end_label=scenario,
                       ax=ax, title=f"{labels.outcome(key).text}, FY{year}")
    fig.suptitle(f"What moves {scenario} away from {reference}, by lever group")
    _save(fig, path)


# ------------------------------------------------------------------------------ backcast
@styled
def plot_backcast(table: pd.DataFrame, metric: str, *, ax: Axes | None = None) -> Axes:
    """Model (line) vs official total (filled markers) for one metric, US$ bn; each year's
    error is printed under its tick, so no label sits on the data."""
    ax = _ax(ax, (5, 3.8))
    t = table[table["metric"] == metric]
    x = _years(t["fiscal_year"])
    ax.plot(x, t["model"], "-", color="#0072B2", lw=2, label="model (predicted)")
    ax.plot(x, t["actual"], "o", color=INK, label=labels.STATUS["observed"])
    ticks = [f"{fy}\nerror {e:+.1f}%" for fy, e in zip(t["fiscal_year"], t["error_pct"],
                                                         strict=True)]
    ax.set_xticks(x, ticks)
    ax.set_xlim(x[0] - 0.4, x[-1] + 0.4)
    ax.set_xlabel(YEAR_AXIS)
    ax.set_title(labels.outcome(metric).text)
    ax.set_ylabel("US$ bn")
    return ax


@styled
def save_backcast(table: pd.DataFrame, path: Path,
                  metrics=("exports", "imports", "total_trade", "balance")) -> None:
    """2 x 2 panels (exports, imports, total trade, balance) to a PNG, one legend below."""
    fig = _figure(10, 7.5)
    for ax, metric in zip(fig.subplots(2, 2).ravel(), metrics, strict=True):
        plot_backcast(table, metric, ax=ax)
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right center")
    fig.suptitle("Backcast from FY2021-22 with observed energy inputs: model vs official totals")
    _save(fig, path)
