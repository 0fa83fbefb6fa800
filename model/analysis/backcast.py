"""Backcast: replay FY2022-23..FY2024-25 from the FY2021-22 dataset and score it.

The history scenario (``scenarios/history.toml``) starts from ``model/data/fy2021.toml`` and sets
only *observed* inputs -- Russian crude volumes, Brent and the Urals discount, LNG, coal,
fertiliser and vegetable-oil volumes and prices, GDP and US$ inflation. Every flow value, and so
every total, is *predicted*; the official totals it is compared with (``baseline.toml`` history,
DGCI&S via the press) are never inputs. The FY2024-25 crude valuation factor is not used: the
FY2021-22 dataset's crude value is the Eq. 2 formula itself (factor 1.0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.data import Baseline, load_baseline, weakest
from model.fiscal import fy_label, parse_fy
from model.results import Result

BACKCAST_COLUMNS = ["fiscal_year", "metric", "model", "actual", "error_pct"]
INPUT_COLUMNS = ["path", "fiscal_year", "value", "role", "conf"]
METRICS = ("exports", "imports", "total_trade", "balance")
HISTORY_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "history.toml"
ACTUALS_DATASET = "fy2025-26"  # whose history holds the official totals and HS tables
FLOW_COLUMNS = ["fiscal_year", "direction", "flow", "model", "actual", "error_pct", "actual_basis"]
TARGET_ERROR_PCT = 10.0

# Confidence of each observed input (details and arithmetic in scenarios/history.toml).
INPUT_CONF = {
    "macro.india_gdp_growth": "R (FY23, FY24); F-sec (FY25)",
    "macro.russia_gdp_growth": "D from CY: R (2022, 2023), F-sec (2024, 2025)",
    "macro.usd_inflation": "D from CY US CPI (R)",
    "levers.oil.volume_mbd": "D from F-sec volumes/shares and the R CY2022 average",
    "levers.oil.brent_usd": "R (recalled EIA monthly series)",
    "levers.oil.discount_usd": "R, bracketed by F-sec quotes",
    "levers.lng.volume_mt": "R",
    "levers.lng.growth_mt_per_year": "R",
    "levers.lng.price_usd_mmbtu": "R",
    "levers.coal.volume_mt": "F-sec (FY23, FY24); R (FY25)",
    "levers.coal.price_usd_t": "R",
    "levers.fertiliser.volume_mt": "D from F-sec (FY23); F-sec (FY24, FY25)",
    "levers.fertiliser.price_usd_t": "R",
    "levers.vegetable_oil.volume_mt": "R (FY23); F-sec (FY24, FY25)",
    "levers.vegetable_oil.price_usd_t": "R",
    "levers.rivals.eu_exit.availability": "D from F-sec (EU exports at 37% of pre-war, ifo)",
    "levers.rivals.other_western_exit.availability": "D from F-sec, R share path",
    "levers.capacity.electronics.index": "D from F-sec (India's electronics exports)",
}
# Scenario keys that only steer timing, not observed quantities.
_TIMING = ("start", "phase_in_years", "full_effect")


def actual_totals(base: Baseline) -> pd.DataFrame:
    """Official totals per fiscal year from a dataset's history: (fiscal_year, metric, actual)."""
    rows = []
    for h in base.history:
        x, m = h["exports"].value, h["imports"].value
        values = {"exports": x, "imports": m, "total_trade": x + m, "balance": x - m}
        rows += [(fy_label(h["fiscal_year"]), k, values[k]) for k in METRICS]
    return pd.DataFrame(rows, columns=["fiscal_year", "metric", "actual"])


def error_pct(model, actual):
    """Signed error of the model in % of the actual's magnitude (balance: + = smaller deficit)."""
    return 100.0 * (np.asarray(model) - np.asarray(actual)) / np.abs(np.asarray(actual))


def backcast_table(result: Result, actuals: pd.DataFrame) -> pd.DataFrame:
    """Model vs actual for every projected year that has an official total (base year excluded)."""
    s = result.summary.iloc[1:]  # the base year is data, not a prediction
    model = pd.DataFrame({
        "fiscal_year": np.repeat(s["fiscal_year"].to_numpy(), len(METRICS)),
        "metric": list(METRICS) * len(s),
        "model": s[[f"{k}_usd_bn" for k in METRICS]].to_numpy().ravel(),
    })
    table = model.merge(actuals, on=["fiscal_year", "metric"], how="inner")
    table["error_pct"] = error_pct(table["model"], table["actual"])
    return table[BACKCAST_COLUMNS].reset_index(drop=True)


def actual_flows(base: Baseline) -> pd.DataFrame:
    """Per fiscal year and flow, the value the HS tables give (full-year rows only).

    A flow is scored in a year only when table rows map to it then; the residual flow of a
    direction is scored only when the table covers every named flow of that direction (exports,
    from the EIDB), as official total less the named flows.
    """
    from model.data.hs import load_concordance

    if base.hs is None:
        return pd.DataFrame(columns=["fiscal_year", "direction", "flow", "actual", "actual_basis"])
    conc, rows = load_concordance(), []
    official = {(d, fy_label(h["fiscal_year"])): h[k].value for h in base.history
                for d, k in (("export", "exports"), ("import", "imports"))}
    table = base.hs[base.hs["months"] == 12].copy()
    table["flow"] = [conc.flow(d, h) for d, h in zip(table["direction"], table["hs"], strict=True)]
    for (fy, d), g in table.groupby(["fiscal_year", "direction"]):
        named = [f for f in base.names(d) if not f.startswith("other_")]
        sums = g.groupby("flow")["value_usd_mn"].sum() / 1e3
        basis = g.groupby("flow")["basis"].agg(weakest)
        for flow in named:
            if flow in sums:
                rows.append((fy, d, flow, float(sums[flow]), basis[flow]))
        if all(f in sums for f in named) and (d, fy) in official:
            rest = official[(d, fy)] - float(sums[named].sum())
            rows.append((fy, d, f"other_{d}s", rest, "D"))
    return pd.DataFrame(rows, columns=["fiscal_year", "direction", "flow", "actual", "actual_basis"])


def backcast_flows(result: Result, actuals: pd.DataFrame) -> pd.DataFrame:
    """Model vs HS-table value per flow for every projected year that has one."""
    flows = result.flows.iloc[:, :]
    model = flows[flows["fiscal_year"] != result.years[0]].rename(columns={"value_usd_bn": "model"})
    table = model.merge(actuals, on=["fiscal_year", "direction", "flow"], how="inner")
    table["error_pct"] = error_pct(table["model"], table["actual"])
    return table[FLOW_COLUMNS].reset_index(drop=True)


def observed_inputs(raw: dict) -> pd.DataFrame:
    """Every number the history scenario sets, one row per (path, fiscal year): the inputs."""
    rows = []

    def year_table(value: dict) -> bool:
        try:
            return all(parse_fy(k) is not None for k in value)
        except (TypeError, ValueError):
            return False

    def visit(node, prefix):
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict) and not year_table(value):  # a section, not a year path
                visit(value, path + ".")
            elif key not in _TIMING and not isinstance(value, str | list):  # not names
                items = value.items() if isinstance(value, dict) else [("all years", value)]
                for year, v in items:
                    rows.append((path, str(year), float(v), "observed input",
                                 INPUT_CONF.get(path, "see scenarios/history.toml")))

    visit({k: raw[k] for k in ("macro", "levers", "corridors") if k in raw}, "")
    return pd.DataFrame(rows, columns=INPUT_COLUMNS)


def run_backcast(path: Path = HISTORY_SCENARIO) -> tuple[Result, pd.DataFrame, pd.DataFrame]:
    """Run the history scenario; return the result, the scored totals and the inputs table
    (per-flow scores: :func:`backcast_flows` with :func:`actual_flows`)."""
    from model.api import run
    from model.scenario import load_scenario, resolve_extends

    scenario = load_scenario(path)
    result = run(scenario)
    table = backcast_table(result, actual_totals(load_baseline(ACTUALS_DATASET)))
    return result, table, observed_inputs(resolve_extends(path))


def notes(table: pd.DataFrame, scenario_name: str) -> str:
    """A short Markdown note: what is observed, what is predicted, and the errors."""
    lines = [
        f"# Backcast ({scenario_name}): FY2021-22 dataset replayed to "
        f"{table['fiscal_year'].iloc[-1]}", "",
        "Observed inputs (backcast_inputs.csv): Russian crude volume, Brent, Urals discount; LNG, "
        "coal, fertiliser and vegetable-oil volumes and prices; GDP growth; US$ inflation; the "
        "2022 exit of Western suppliers from Russia's markets and India's electronics supply "
        "capacity (levers.rivals, levers.capacity); the 2022 exit of the container lines "
        "(corridors.routes.suez_container: the Far East detour's days and freight).",
        "Predicted (backcast.csv, column `model`): every flow value and the totals -- exports, "
        "imports, total trade, balance. The official totals (column `actual`) are never inputs, "
        "and the FY2024-25 crude valuation factor is not used.", "",
        "| fiscal_year | metric | model | actual | error % |", "|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(f"| {r.fiscal_year} | {r.metric} | {r.model:.2f} | {r.actual:.2f} | "
                     f"{r.error_pct:+.1f} |")
    key = table[table["metric"].isin(["total_trade", "balance"])]
    worst = key.loc[key["error_pct"].abs().idxmax()]
    lines += ["", f"Largest error on total trade / balance: {worst['error_pct']:+.1f}% "
                  f"({worst['metric']}, {worst['fiscal_year']}); target within "
                  f"+/-{TARGET_ERROR_PCT:.0f}%. See docs/methodology.md, 'Backcast'."]
    missed = table[table["error_pct"].abs() > TARGET_ERROR_PCT]
    if len(missed):
        which = "; ".join(f"{r.metric} {r.fiscal_year} {r.error_pct:+.1f}%"
                          for r in missed.itertuples())
        lines += ["", f"Outside +/-{TARGET_ERROR_PCT:.0f}%: {which}. docs/methodology.md "
                      "(section 3) lists what was tested to explain such misses (a sweep of the "
                      "market structure, scenarios/sweeps/backcast_market_range.toml; payment "
                      "premia; Russia's observed imports)."]
    return "\n".join(lines) + "\n"


def plot_backcast(table: pd.DataFrame, metric: str, *, ax=None):
    """Model (line) vs official total (markers) for one metric, US$ bn (model.plots)."""
    from model import plots

    return plots.plot_backcast(table, metric, ax=ax)


def save_backcast_plot(table: pd.DataFrame, path: Path) -> None:
    """2 x 2 panels (exports, imports, total trade, balance) to a PNG (model.plots)."""
    from model import plots

    plots.save_backcast(table, path, METRICS)


def write_backcast(result: Result, table: pd.DataFrame, inputs: pd.DataFrame, out_dir: Path, *,
                   plots: bool = True) -> Path:
    """Write ``out_dir/backcast/`` atomically: backcast.csv, backcast_inputs.csv, summary.csv,
    notes.md and backcast.png."""
    from model.results import atomic_dir, write_csv

    dest = Path(out_dir) / "backcast"
    with atomic_dir(dest, kind="backcast") as tmp:  # sealed: manifest with every file's sha256
        write_csv(table, tmp / "backcast.csv")
        write_csv(inputs, tmp / "backcast_inputs.csv")
        write_csv(backcast_flows(result, actual_flows(load_baseline(ACTUALS_DATASET))),
                  tmp / "backcast_flows.csv")
        write_csv(result.summary, tmp / "summary.csv")
        (tmp / "notes.md").write_text(notes(table, result.scenario.name))
        if plots:
            save_backcast_plot(table, tmp / "backcast.png")
    return dest
