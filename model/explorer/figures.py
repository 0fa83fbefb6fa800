"""Plotly figures of result tables: the explorer's live charts and the HTML export's.

Thin, like :mod:`model.plots`: tables in (the same ``summary``/``flows``/``routes`` columns
``tradesim run`` writes), a figure out, no computation beyond grouping. Names, units and
colours come from :mod:`model.labels` and the project's style (:func:`model.plots.palette`).
Figures are plain Plotly JSON dicts, not ``graph_objects``: building and validating five
``go.Figure`` objects took ~90 ms a redraw, half the explorer's latency budget; the browser's
Plotly validates the same JSON anyway (``go.Figure(fig)`` where Python needs an object).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from model import labels
from model.analysis.competition import partner_rows
from model.plotstyle import GREY, YEAR_AXIS

Figure = dict
BASELINE = "baseline"
# white background and light grid set directly rather than by a template: Plotly re-applies a
# template on every redraw, and with "closest" hovering this drew five charts ~30% faster
AXIS = {"gridcolor": "#e5e5e5", "zerolinecolor": "#bbbbbb", "linecolor": "#bbbbbb"}
LAYOUT = dict(template={}, plot_bgcolor="white", paper_bgcolor="white",
              margin=dict(l=60, r=10, t=40, b=40), height=360, hovermode="closest",
              legend=dict(orientation="h", y=-0.3), font={"family": "system-ui, sans-serif"},
              uirevision="keep")  # keep zoom and legend toggles across redraws


@cache
def palette() -> tuple[str, ...]:
    from model.plots import palette as mpl_palette

    return tuple(mpl_palette())


def colour(i: int) -> str:
    p = palette()
    return p[i % len(p)]


def figure(traces: list[dict], title: str, unit: str = labels.US_BN) -> Figure:
    return {"data": traces, "layout": {
        **LAYOUT, "title": {"text": title, "x": 0.01, "font": {"size": 15}},
        "xaxis": {**AXIS, "title": {"text": YEAR_AXIS}},
        "yaxis": {**AXIS, "title": {"text": unit}}}}


def _line(x, y, name: str, **style) -> dict:
    return {"type": "scatter", "x": list(x), "y": [float(v) for v in y], "name": name, **style}


def balance(lines: list[tuple[str, pd.DataFrame]], fan: dict | None = None,
            metric: str = "balance_usd_bn") -> Figure:
    """One line per scenario (the baseline grey and dotted) plus an optional fan: p5-p95 and
    p25-p75 bands from :func:`model.explorer.state.fan` or a sweep's ``quantiles.csv``."""
    traces = []
    if fan is not None:
        samples = f", {fan['n']:,} samples" if fan.get("n") else ""
        for lo, hi, alpha in (("p5", "p95", 0.15), ("p25", "p75", 0.3)):
            traces.append(_line(fan["years"] + fan["years"][::-1], fan[hi] + fan[lo][::-1],
                                f"{lo}–{hi}{samples}", fill="toself", mode="lines",
                                line={"width": 0}, fillcolor=f"rgba(31,119,180,{alpha})",
                                hoverinfo="skip"))
    for i, (name, summary) in enumerate(lines):
        grey = name == BASELINE
        traces.append(_line(summary["fiscal_year"], summary[metric], name, mode="lines+markers",
                            line={"color": GREY if grey else colour(i),
                                  "width": 1.5 if grey else 2.5,
                                  "dash": "dot" if grey else "solid"}))
    return figure(traces, labels.outcome(metric).text)


def trade(current: pd.DataFrame, baseline: pd.DataFrame | None = None,
          name: str = "scenario", offset: int = 0) -> Figure:
    """India's exports and imports: the scenario solid, the baseline dotted."""
    traces = []
    for j, col in enumerate(("exports_usd_bn", "imports_usd_bn")):
        what, c = labels.outcome(col).text, colour(offset + j)
        traces.append(_line(current["fiscal_year"], current[col], f"{what} ({name})",
                            mode="lines+markers", line={"color": c, "width": 2.5}))
        if baseline is not None:
            traces.append(_line(baseline["fiscal_year"], baseline[col], f"{what} (baseline)",
                                mode="lines", line={"color": c, "width": 1.5, "dash": "dot"}))
    return figure(traces, "Exports and imports")


def sectors(flows: pd.DataFrame, direction: str, dataset: str | None = None) -> Figure:
    """Stacked sector values of one direction (one area per flow)."""
    part = flows[flows["direction"] == direction]
    traces = [_line(rows["fiscal_year"], rows["value_usd_bn"],
                    labels.flow(flow, dataset, short=True), mode="lines", stackgroup=direction,
                    line={"width": 0.5, "color": colour(i)})
              for i, (flow, rows) in enumerate(part.groupby("flow", sort=False))]
    what = "exports to Russia" if direction == "export" else "imports from Russia"
    return figure(traces, f"India's {what} by sector")


def routes(table: pd.DataFrame) -> Figure:
    """Cargo carried per route (container and bulk tonnes added), stacked."""
    carried = table.groupby(["route", "fiscal_year"], sort=False)["carried_mt"].sum()
    traces = [_line(carried.loc[r].index, carried.loc[r].to_numpy(), labels.route(r),
                    mode="lines", stackgroup="routes", line={"width": 0.5, "color": colour(i)})
              for i, r in enumerate(table["route"].unique())]
    return figure(traces, "Routed cargo by corridor", "Mt")


def creation_diversion(markets: pd.DataFrame) -> Figure:
    """The partner's trade creation and diversion from rivals, summed over its markets, per
    year: India's sales in Russia's markets and Russia's in India's (competing-supplier model,
    ``markets.csv``; the partner is each market's first supplier, as in
    :func:`model.plots.plot_creation_diversion`)."""
    part = partner_rows(markets)
    traces = []
    for i, (importer, what) in enumerate((("Russia", "India's exports"),
                                          ("India", "India's imports"))):
        rows = part[part["importer"] == importer].groupby("fiscal_year", sort=False).sum(
            numeric_only=True)
        for col, word, opacity in (("creation_usd_bn", "creation", 1.0),
                                   ("diversion_usd_bn", "diversion from rivals", 0.5)):
            traces.append({"type": "bar", "x": list(rows.index), "y": rows[col].tolist(),
                           "name": f"{what}: {word}", "opacity": opacity,
                           "marker": {"color": colour(i)}})
    fig = figure(traces, "Trade creation and diversion (competing suppliers)")
    fig["layout"]["barmode"] = "relative"
    return fig
