"""Plotly figures of result tables: the explorer's live charts and the HTML export's.

Thin, like :mod:`model.plots`: tables in (the same ``summary``/``flows``/``routes`` columns
``tradesim run`` writes), a figure out, no computation beyond grouping. Names, units and
colours come from :mod:`model.labels` and the project's style (:func:`model.plots.palette`).
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import plotly.graph_objects as go

from model import labels
from model.plotstyle import GREY, YEAR_AXIS

BASELINE = "baseline"
LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=10, t=40, b=40), height=340,
              hovermode="x unified", legend=dict(orientation="h", y=-0.2),
              uirevision="keep")  # keep zoom and legend toggles across redraws


@cache
def palette() -> tuple[str, ...]:
    from model.plots import palette as mpl_palette

    return tuple(mpl_palette())


def colour(i: int) -> str:
    p = palette()
    return p[i % len(p)]


def _layout(fig: go.Figure, title: str, unit: str = labels.US_BN) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=15)), **LAYOUT)
    fig.update_xaxes(title_text=YEAR_AXIS)
    fig.update_yaxes(title_text=unit)
    return fig


def balance(lines: list[tuple[str, pd.DataFrame]], fan: dict | None = None,
            metric: str = "balance_usd_bn") -> go.Figure:
    """One line per scenario (the baseline grey, the explored one bold) plus an optional fan:
    p5-p95 and p25-p75 bands from :func:`model.explorer.state.fan`."""
    fig = go.Figure()
    if fan is not None:
        for lo, hi, alpha in (("p5", "p95", 0.15), ("p25", "p75", 0.3)):
            fig.add_trace(go.Scatter(x=fan["years"] + fan["years"][::-1],
                                     y=fan[hi] + fan[lo][::-1], fill="toself", mode="lines",
                                     line=dict(width=0), fillcolor=f"rgba(31,119,180,{alpha})",
                                     name=f"{lo}–{hi}, {fan['n']:,} samples", hoverinfo="skip"))
    for i, (name, summary) in enumerate(lines):
        grey = name == BASELINE
        fig.add_trace(go.Scatter(
            x=summary["fiscal_year"], y=summary[metric], name=name, mode="lines+markers",
            line=dict(color=GREY if grey else colour(i), width=1.5 if grey else 2.5,
                      dash="dot" if grey else "solid")))
    return _layout(fig, labels.outcome(metric).text)


def trade(current: pd.DataFrame, baseline: pd.DataFrame | None = None,
          name: str = "scenario") -> go.Figure:
    """India's exports and imports: the scenario solid, the baseline dotted."""
    fig = go.Figure()
    for j, col in enumerate(("exports_usd_bn", "imports_usd_bn")):
        what = labels.outcome(col).text
        fig.add_trace(go.Scatter(x=current["fiscal_year"], y=current[col], mode="lines+markers",
                                 name=f"{what} ({name})", line=dict(color=colour(j), width=2.5)))
        if baseline is not None:
            fig.add_trace(go.Scatter(x=baseline["fiscal_year"], y=baseline[col], mode="lines",
                                     name=f"{what} (baseline)",
                                     line=dict(color=colour(j), width=1.5, dash="dot")))
    return _layout(fig, "Exports and imports")


def sectors(flows: pd.DataFrame, direction: str, dataset: str | None = None) -> go.Figure:
    """Stacked sector values of one direction (one area per flow)."""
    fig = go.Figure()
    part = flows[flows["direction"] == direction]
    for i, (flow, rows) in enumerate(part.groupby("flow", sort=False)):
        fig.add_trace(go.Scatter(x=rows["fiscal_year"], y=rows["value_usd_bn"], mode="lines",
                                 stackgroup=direction, name=labels.flow(flow, dataset, short=True),
                                 line=dict(width=0.5, color=colour(i))))
    what = "exports to Russia" if direction == "export" else "imports from Russia"
    return _layout(fig, f"India's {what} by sector")


def routes(table: pd.DataFrame) -> go.Figure:
    """Cargo carried per route (container and bulk tonnes added), stacked."""
    fig = go.Figure()
    carried = table.groupby(["route", "fiscal_year"], sort=False)["carried_mt"].sum()
    for i, route in enumerate(table["route"].unique()):
        rows = carried.loc[route]
        fig.add_trace(go.Scatter(x=list(rows.index), y=rows.to_numpy(), mode="lines",
                                 stackgroup="routes", name=labels.route(route),
                                 line=dict(width=0.5, color=colour(i))))
    return _layout(fig, "Routed cargo by corridor", "Mt")
