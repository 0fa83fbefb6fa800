"""A Markdown (and HTML) report of a result directory, for pasting into a brief.

    write_report(Path("results/balanced_push"))      # -> results/balanced_push/report.md

A run's report holds the key table (FY2024-25 and target years), the plots (relative links),
the Shapley decomposition against a reference (default: no lever pulled, i.e. the baseline), the
scenario's assumptions that differ from the reference, and the sources of the baseline data. A
directory with ``comparison.csv`` gets a comparison report linking each scenario's report.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from model import labels, resultset
from model.analysis.decompose import decompose
from model.data import load_baseline
from model.errors import InputError
from model.fiscal import fy_label
from model.results import atomic_write, result_kind, write_csv
from model.scenario import Scenario, validate
from model.schema import ScenarioSpec, Settings

TARGET_YEARS = (2024, 2029, 2034)  # FY2024-25, FY2029-30, FY2034-35
PLOTS = {"trade_balance.png": "Trade and India's balance", "flows.png": "Flows by sector",
         "routes.png": "Route shares", "transit_times.png": "Transit time by route",
         "waterfall.png": "What drives the change (Shapley)",
         "creation_diversion.png": "Competing suppliers: trade creation and diversion",
         "market_welfare.png": "Tariff revenue and consumer surplus",
         "crude_bill.png": "India's total crude bill",
         "comparison.png": "Scenarios compared"}
CONF = "F = found in a source (F-sec: secondary), D = derived, R = recalled/assumed, unverified"


# ------------------------------------------------------------------------------ pieces
def default_reference(sc: Scenario) -> Scenario:
    """No lever pulled on the scenario's dataset and horizon (= scenarios/baseline.toml)."""
    return ScenarioSpec(name="baseline", settings=Settings(
        dataset=sc.settings.dataset, horizon_end=sc.settings.horizon_end))


def md_table(df: pd.DataFrame, *, digits: int = 2) -> str:
    def cell(v) -> str:
        if isinstance(v, float | np.floating):
            return f"{v:,.{digits}f}"
        return str(v).replace("|", "/").replace("\n", " ")
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def key_years(years: list[str]) -> list[str]:
    wanted = [fy_label(y) for y in TARGET_YEARS if fy_label(y) in years]
    return wanted + ([years[-1]] if years[-1] not in wanted else [])


def flatten(value, prefix: str = "") -> dict[str, object]:
    """Dotted key -> leaf value of a JSON-like scenario dump (year tables kept whole)."""
    if isinstance(value, dict) and value and not all(re.fullmatch(r"\d{4}", str(k)) for k in value):
        out: dict[str, object] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out
    return {prefix.rstrip("."): value}


def assumptions(sc: Scenario, ref: Scenario) -> pd.DataFrame:
    """Resolved parameters whose values differ from the reference."""
    a = flatten(sc.model_dump(mode="json", exclude={"name", "description"}))
    b = flatten(ref.model_dump(mode="json", exclude={"name", "description"}))
    keys = [k for k in a if a[k] != b.get(k)] + [k for k in b if k not in a]
    def show(d: dict, k: str) -> str:
        if k not in d:
            return "-"
        return "(default)" if d[k] is None else json.dumps(d[k])
    return pd.DataFrame({"parameter": keys, "scenario": [show(a, k) for k in keys],
                         ref.name: [show(b, k) for k in keys]})


def file_notes(path: str | None) -> list[str]:
    """The leading comment block of a scenario file (where its sources are written)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines() if path else []
    except OSError:
        return []
    notes = []
    for line in lines:
        if not line.startswith("#"):
            break
        notes.append(line.lstrip("#").strip())
    return [" ".join(notes)] if notes else []


def sources(dataset: str) -> pd.DataFrame:
    rec = pd.DataFrame(load_baseline(dataset).records())
    rec["value"] = rec["value"].map(lambda v: f"{v:g}")
    return rec[["section", "item", "field", "value", "conf", "source"]]


# ------------------------------------------------------------------------------ run report
def _load_run(directory: Path) -> tuple[Scenario, dict, pd.DataFrame]:
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        summary = pd.read_csv(directory / "summary.csv")
    except (OSError, ValueError) as err:
        raise InputError(f"not a complete result directory ({err})", file=str(directory)) from None
    sc = validate(manifest["resolved_scenario"], file=str(directory / "manifest.json"))
    return sc, manifest, summary


def run_report(directory: Path, *, reference: Scenario | None = None) -> str:
    """Write the decomposition files into ``directory`` and return the report's Markdown."""
    from model.commands.decompose import save_waterfall_png

    sc, manifest, summary = _load_run(directory)
    ref = reference or default_reference(sc)
    dec = decompose(sc, ref)
    years = list(summary["fiscal_year"])
    show = key_years(years)
    moved = [g for i, g in enumerate(dec.groups) if np.any(dec.balance[i]) or np.any(dec.total_trade[i])]
    if moved:
        atomic_write(directory / "decomposition.csv", lambda p: write_csv(dec.table, p))
        atomic_write(directory / "waterfall.png", lambda p: save_waterfall_png(
            dec, p, year=int(dec.years[-1]), reference=ref.name, scenario=sc.name))
    out = [f"# {sc.name}: India-Russia goods trade", "",
           sc.description or "(no description)", "",
           f"Fiscal years April-March, US$ bn, India's view (balance = exports - imports). "
           f"Reference: **{ref.name}**. Dataset {manifest.get('dataset')} "
           f"(vintage {manifest.get('data_vintage')}); tradesim {manifest.get('version')}, "
           f"commit {str(manifest.get('git_commit'))[:10]}, seed {manifest.get('seed')}.", "",
           "## Key numbers", "", _key_table(directory, summary, dec, show), ""]
    out += ["## Plots", ""] + [f"![{t}]({name})" for name, t in PLOTS.items()
                               if (directory / name).exists()] + [""]
    out += ["## What drives the change", ""]
    if moved:
        parts = dec.table[dec.table["fiscal_year"].isin(show[1:]) & dec.table["group"].isin(moved)]
        out += [f"Exact Shapley decomposition of the change against {ref.name} by lever group "
                f"({dec.runs} runs); the parts add up to the total change "
                "(`decomposition.csv` has every year).", "", md_table(parts, digits=3), ""]
    else:
        out += [f"No lever differs from {ref.name}.", ""]
    out += _competition_section(directory, sc, ref, show[1:])
    table = assumptions(sc, ref)
    notes = file_notes(manifest.get("scenario_file"))
    out += ["## Assumptions", ""] + [f"> {n}" for n in notes] + [""] * bool(notes)
    out += [f"Parameters that differ from {ref.name} (resolved scenario):", "",
            md_table(table) if len(table) else "(none)", "",
            "## Baseline data and sources", "", f"Confidence labels: {CONF}.", "",
            md_table(sources(sc.settings.dataset), digits=3), ""]
    return "\n".join(out)


def _competition_section(directory: Path, sc: Scenario, ref: Scenario, show: list[str]) -> list[str]:
    """Trade creation and diversion, tariff revenue and consumer surplus against the reference
    (competing-supplier model), and India's total crude bill when Russian crude moves."""
    from model.analysis.competition import partner_rows
    from model.analysis.decompose import competition_change

    out = []
    m, w = competition_change(sc, ref)
    partner = partner_rows(m)
    partner = partner[partner["fiscal_year"].isin(show)]
    moved = partner[(partner[["creation_usd_bn", "diversion_usd_bn"]].abs() > 5e-4).any(axis=1)]
    if len(moved):
        cols = ["fiscal_year", "flow", "supplier", "value_change_usd_bn", "creation_usd_bn",
                "diversion_usd_bn", "price_effect_usd_bn"]
        welfare = w[w["fiscal_year"].isin(show)].groupby(["fiscal_year", "importer"])[[
            "tariff_revenue_change_usd_bn", "consumer_surplus_change_usd_bn",
            "welfare_change_usd_bn"]].sum().reset_index()
        out += ["## Competing suppliers", "",
                f"The partner's sales in each market against {ref.name}, split as WITS-SMART "
                "does: trade creation (the market grows) and diversion (taken from rival "
                "suppliers); the importer's tariff revenue and consumer surplus "
                "(docs/markets.md).", "", md_table(moved[cols], digits=3), "",
                md_table(welfare, digits=3), ""]
    bill_file = directory / "crude_bill.csv"
    if bill_file.exists():
        bill = pd.read_csv(bill_file, dtype={"fiscal_year": str})
        bill = bill[bill["fiscal_year"].isin(show) & (bill["cut_mbd"].abs() > 1e-9)]
        if len(bill):
            out += ["## India's total crude bill", "",
                    "Russian crude against the dataset's baseline path: the rivals' replacement "
                    "barrels and what they cost (`crude_bill.csv`; price source in "
                    "`manifest.json`).", "",
                    md_table(bill[["fiscal_year", "cut_mbd", "replacement_mbd",
                                   "russian_value_change_usd_bn", "replacement_cost_usd_bn",
                                   "india_crude_bill_change_usd_bn"]], digits=3), ""]
    return out


def _key_table(directory: Path, summary: pd.DataFrame, dec, show: list[str]) -> str:
    s = summary.set_index("fiscal_year")
    rows = {"exports": s["exports_usd_bn"], "imports": s["imports_usd_bn"],
            "total trade": s["total_trade_usd_bn"], "balance": s["balance_usd_bn"]}
    labels = [fy_label(int(y)) for y in dec.years]
    rows["balance vs reference"] = pd.Series(dec.scenario_balance - dec.reference_balance, labels)
    rows["total trade vs reference"] = pd.Series(dec.scenario_total - dec.reference_total, labels)
    if (directory / "rupee.csv").exists():
        rupee = pd.read_csv(directory / "rupee.csv").set_index("fiscal_year")
        rows["Russia's rupee balance"] = rupee["rupee_balance_usd_bn"]
    table = pd.DataFrame({"US$ bn": list(rows)} | {fy: [float(r[fy]) for r in rows.values()]
                                                   for fy in show})
    return md_table(table)


# ------------------------------------------------------------------------------ comparison
def comparison_report(directory: Path, *, runs: Path | None = None) -> str:
    """Markdown of the comparison in ``directory``, linking the reports of the run sets under
    ``runs`` (default ``directory``) whose names it lists."""
    runs = directory if runs is None else Path(runs)
    table = pd.read_csv(directory / "comparison.csv")
    show = key_years(list(dict.fromkeys(table["fiscal_year"])))
    out = ["# Scenario comparison: India-Russia goods trade", "", "US$ bn, fiscal years April-March.", ""]
    for col in ("balance_usd_bn", "total_trade_usd_bn"):
        title = labels.outcome(col).axis
        wide = table.pivot(index="scenario", columns="fiscal_year", values=col)[show]
        wide = wide.loc[list(dict.fromkeys(table["scenario"]))].reset_index()
        out += [f"## {title}", "", md_table(wide), ""]
    if (directory / "comparison.png").exists():
        out += ["![Scenarios compared](comparison.png)", ""]
    out += ["## Scenario reports", ""]
    for name in dict.fromkeys(table["scenario"]):
        # names come from a CSV: only a plain directory directly under this one is followed
        if not resultset.plain_name(name):
            raise InputError(f"scenario name {name!r} is not a plain directory name; a report "
                             "only follows result directories inside this one",
                             file=str(runs / "comparison.csv"), key="scenario")
        if (runs / name / "report.md").is_file():
            out.append(f"- [{name}]({name}/report.md)")
    return "\n".join(out) + "\n"


def render_report(directory: Path, *, runs: Path | None = None,
                  reference: Scenario | None = None, html_too: bool = True) -> Path:
    """Write ``report.md`` (and ``report.html``) into a directory being staged: a run set (it
    has manifest.json) or a comparison set (comparison.csv; its runs under ``runs``)."""
    directory = Path(directory)
    for name in ("report.md", "report.html"):
        (directory / name).unlink(missing_ok=True)
    if (directory / "manifest.json").exists():
        text = run_report(directory, reference=reference)
    else:
        text = comparison_report(directory, runs=runs)
    (directory / "report.md").write_text(text)
    if html_too:
        (directory / "report.html").write_text(to_html(text))
    return directory / "report.md"


def write_report(directory: Path, *, reference: Scenario | None = None,
                 html_too: bool = True) -> Path:
    """``report.md`` (and ``report.html``) in a run set or a comparison (with each of its
    scenarios' reports), each set re-sealed and committed under the lock of its directory."""
    from model.results import COMPARISON_MANIFEST, comparison_problems, refresh_comparison
    from model.results import write_comparison

    directory = Path(directory)
    if result_kind(directory) == "run":
        with resultset.locked(directory.parent):
            _check_set(directory)
            with resultset.staged(directory) as tmp:
                resultset.copy_set(directory, tmp)
                shutil.copy2(directory / resultset.MANIFEST, tmp / resultset.MANIFEST)
                render_report(tmp, reference=reference, html_too=html_too)
                resultset.seal(tmp, resultset.read_manifest(tmp) or {})
            resultset.publish(tmp, directory)
        return directory / "report.md"
    if not ((directory / "comparison.csv").exists() or (directory / COMPARISON_MANIFEST).exists()):
        kind = result_kind(directory)
        what = f"a `tradesim {kind}` result" if kind else "not a result directory"
        raise InputError(f"{what}: report takes a run's DIR/<name>/ (manifest.json) or the DIR "
                         "of a multi-scenario run (comparison.csv) from `tradesim run`",
                         file=str(directory))
    with resultset.locked(directory):
        if refresh_comparison(directory):
            print(f"tradesim report: note: {directory / 'comparison.csv'} did not match the "
                  "scenario directories; rebuilt from them", file=sys.stderr)
        if comparison_problems(directory) is None:
            raise InputError("no comparison left: fewer than two complete scenario results",
                             file=str(directory / "comparison.csv"))
        names = list(json.loads((directory / COMPARISON_MANIFEST).read_text())["scenarios"])
        for name in names:
            write_report(directory / name, reference=reference, html_too=html_too)
        write_comparison(directory, names, plots=(directory / "comparison.png").exists(),
                         report=True, reference=reference, html_too=html_too)
    return directory / "report.md"


def _check_set(directory: Path) -> None:
    problems = resultset.verify(directory)
    if problems:
        raise InputError(f"not a complete result set, it does not match its manifest "
                         f"({problems[0]}); run the scenario again", file=str(directory))


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"!\[([^\]]*)\]\(([^)]+)\)", r'<img alt="\1" src="\2" style="max-width:100%">', text)
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def to_html(markdown: str) -> str:
    """The subset this module writes: headings, pipe tables, images, links, lists, paragraphs."""
    body, lines = [], markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            head = "".join(f"<th>{_inline(c)}</th>" for c in rows[0])
            cells = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>"
                            for r in rows[2:])
            body.append(f"<table><tr>{head}</tr>{cells}</table>")
            continue
        elif line.startswith("> "):
            body.append(f"<blockquote>{_inline(line[2:])}</blockquote>")
        elif line.startswith("- "):
            body.append(f"<li>{_inline(line[2:])}</li>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
        i += 1
    style = ("body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:"
             "collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")
