"""``tradesim explore --export FILE.html``: one self-contained page of result directories.

Plotly's own bundle (from the installed package) and every table are embedded, so the file opens
with no network. Charts: balance and total trade of every run (legend clicks toggle scenarios),
exports and imports, then per run its sectors, routes and (with competing suppliers) trade
creation and diversion; per sweep its fan of the balance and of total trade. The file is written with the project's atomic writer.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from model.errors import InputError
from model.explorer import figures
from model.results import atomic_write, result_kind

FAN_METRICS = ("balance", "total_trade")


def _runs_and_sweeps(inputs: list[Path]) -> tuple[list[Path], list[Path]]:
    """Run and sweep directories among ``inputs`` (a directory of results counts its children)."""
    runs, sweeps = [], []
    for d in inputs:
        if not d.is_dir():
            raise InputError("not a directory; give result directories of `tradesim run` or "
                             "`tradesim sweep` (or the --out directory holding them)", file=str(d))
        kinds = {d: result_kind(d)} if result_kind(d) else {
            c: result_kind(c) for c in sorted(d.iterdir()) if c.is_dir() and result_kind(c)}
        runs += [c for c, k in kinds.items() if k == "run"]
        sweeps += [c for c, k in kinds.items() if k == "sweep" and (c / "quantiles.csv").is_file()]
    if not runs and not sweeps:
        raise InputError("no run or sweep results found in " + ", ".join(map(str, inputs)))
    return runs, sweeps


def _csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read this result table ({err})", file=str(path)) from None


def _fan(quantiles: pd.DataFrame, metric: str, name: str) -> figures.Figure | None:
    rows = quantiles[quantiles["metric"] == metric]
    if rows.empty:
        return None
    fan = {"years": rows["fiscal_year"].tolist(), "n": 0,
           **{c: rows[c].tolist() for c in ("p5", "p25", "p75", "p95")}}
    median = rows.rename(columns={"p50": f"{metric}_usd_bn"})
    return figures.balance([(f"{name} median", median)], fan, metric=f"{metric}_usd_bn")


def charts(inputs: list[Path]) -> list[tuple[str, figures.Figure]]:
    """(heading, figure) for every chart of the page."""
    runs, sweeps = _runs_and_sweeps(inputs)
    summaries = [(d.name, _csv(d / "summary.csv")) for d in runs]
    out: list[tuple[str, figures.Figure]] = []
    if runs:
        out.append(("Balance", figures.balance(summaries)))
        out.append(("Total trade", figures.balance(summaries, metric="total_trade_usd_bn")))
        traces = [t for i, (name, s) in enumerate(summaries)
                  for t in figures.trade(s, name=name, offset=2 * i)["data"]]
        out.append(("Exports and imports", figures.figure(traces, "Exports and imports")))
    for d in runs:
        flows = _csv(d / "flows.csv")
        for direction in ("export", "import"):
            out.append((f"{d.name}: {direction}s by sector", figures.sectors(flows, direction)))
        out.append((f"{d.name}: routes", figures.routes(_csv(d / "routes.csv"))))
        if (d / "markets.csv").is_file():  # runs with competing suppliers
            out.append((f"{d.name}: trade creation and diversion",
                        figures.creation_diversion(_csv(d / "markets.csv"))))
    for d in sweeps:
        q = _csv(d / "quantiles.csv")
        for metric in FAN_METRICS:
            fig = _fan(q, metric, d.name)
            if fig is not None:
                out.append((f"{d.name}: uncertainty of {metric.replace('_', ' ')}", fig))
    return out


def page(items: list[tuple[str, figures.Figure]], title: str) -> str:
    parts = []
    for i, (heading, fig) in enumerate(items):
        div = go.Figure(fig).to_html(  # the bundle inline, once
            full_html=False, include_plotlyjs=i == 0, config={"displaylogo": False},
            div_id=f"chart-{i}")
        parts.append(f'<section class="chart"><h2>{html.escape(heading)}</h2>{div}</section>')
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>body{{font-family:system-ui,sans-serif;"
            "max-width:1100px;margin:auto;padding:0 12px}} h2{{font-size:16px}}</style></head>"
            f"<body><h1>{html.escape(title)}</h1><p>Made by <code>tradesim explore --export"
            "</code>. Hover for values; click a legend entry to hide or show a series. Values "
            "in US$ bn (India's view: balance = exports − imports).</p>"
            + "\n".join(parts) + "</body></html>\n")


def write_export(inputs: list[Path], out: Path) -> Path:
    """Write the page of ``inputs`` to ``out`` (atomically: a temp file renamed into place)."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError("the export is an HTML page: name it FILE.html", file=str(out))
    if not inputs:
        raise InputError("--export needs result directories (e.g. results/)")
    items = charts(inputs)  # everything is read before anything is written
    text = page(items, "India–Russia trade scenarios")
    if not out.parent.is_dir():
        raise InputError("the directory does not exist; create it first", file=str(out.parent))
    atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
    return out
