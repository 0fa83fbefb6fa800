"""``tradesim decompose``: Shapley decomposition of a scenario's change by lever group."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.analysis.decompose import Decomposition, competition_change, decompose
from model.errors import InputError
from model.fiscal import fy_label, parse_fy
from model.results import atomic_dir, write_csv
from model.scenario import SHIPPED_BASELINE, load_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "decompose", help="split a scenario's change against a reference by lever group",
        description="Exact Shapley decomposition of the change in India's balance and in total "
                    "trade (scenario minus reference) among lever groups: oil, lng, us_tariffs, "
                    "fta, ntb, corridors, payments, rivals, macro, other. The parts add up to the "
                    "total change in every year. Writes DIR/<scenario>-vs-<reference>/"
                    "{decomposition.csv, waterfall.png} and, with the competing-supplier model, "
                    "competition.csv and market_welfare.csv (trade creation and diversion, tariff "
                    "revenue, consumer surplus: scenario minus reference) and "
                    "creation_diversion.png.")
    p.add_argument("scenario", metavar="SCENARIO.toml", type=Path)
    p.add_argument("--against", type=Path, default=SHIPPED_BASELINE, metavar="REFERENCE.toml",
                   help="reference (default: the shipped scenarios/baseline.toml)")
    p.add_argument("--year", default=None, metavar="FY",
                   help="fiscal year printed and charted (default: the last year)")
    p.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                   help="output directory (default: results)")
    p.add_argument("--no-plots", action="store_true", help="table only")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")
    p.set_defaults(func=main)


def chosen_year(text: str | None, years, *, key: str = "--year") -> int:
    """Parse ``--year`` and check it lies inside the projected years."""
    if text is None:
        return int(years[-1])
    try:
        year = parse_fy(text)
    except ValueError as err:
        raise InputError(str(err), key=key) from None
    if year not in set(int(y) for y in years):
        raise InputError(f"fiscal year {fy_label(year)} is outside the horizon "
                         f"{fy_label(int(years[0]))}..{fy_label(int(years[-1]))}", key=key)
    return year


def write_decomposition(dec: Decomposition, dest: Path, *, year: int, reference: str,
                        scenario: str, plots: bool = True, competition=None) -> Path:
    """``decomposition.csv`` and ``waterfall.png`` in ``dest``, atomically; with
    ``competition`` (tables of :func:`competition_change`) also those and their plot."""
    with atomic_dir(dest, kind="decompose") as tmp:  # sealed: manifest of sha256s
        write_csv(dec.table, tmp / "decomposition.csv")
        if competition is not None and len(competition[0]):
            write_csv(competition[0], tmp / "competition.csv")
            write_csv(competition[1], tmp / "market_welfare.csv")
        if plots:
            save_waterfall_png(dec, tmp / "waterfall.png", year=year, reference=reference,
                               scenario=scenario)
            if competition is not None and len(competition[0]):
                from model import plots as p

                p.save_competition(competition[0], tmp / "creation_diversion.png",
                                   title=f"{scenario} vs {reference}: competing suppliers")
    return dest


def save_waterfall_png(dec: Decomposition, path: Path, *, year: int, reference: str,
                       scenario: str) -> None:
    from model import plots

    t = int(list(dec.years).index(year))
    table = dec.table[dec.table["fiscal_year"] == fy_label(year)]
    moved = table[(table["balance_change_usd_bn"] != 0) | (table["total_trade_change_usd_bn"] != 0)]
    parts = {m: moved.rename(columns={c: "change"})[["group", "change"]]
             for m, c in (("balance", "balance_change_usd_bn"),
                          ("total trade", "total_trade_change_usd_bn"))}
    ends = {"balance": (dec.reference_balance[t], dec.scenario_balance[t]),
            "total trade": (dec.reference_total[t], dec.scenario_total[t])}
    plots.save_waterfall(parts["balance"], parts["total trade"], ends, path,
                         year=fy_label(year), reference=reference, scenario=scenario)


def main(args: argparse.Namespace) -> int:
    scenario, reference = load_scenario(args.scenario), load_scenario(args.against)
    dec = decompose(scenario, reference)  # validates the datasets match
    year = chosen_year(args.year, dec.years)
    dest = args.out / f"{scenario.name}-vs-{reference.name}"
    write_decomposition(dec, dest, year=year, reference=reference.name, scenario=scenario.name,
                        plots=not args.no_plots,
                        competition=competition_change(scenario, reference))
    if not args.quiet:
        _print(dec, year, reference.name, scenario.name, dest)
    return 0


def _print(dec: Decomposition, year: int, reference: str, scenario: str, dest: Path) -> None:
    t = int(list(dec.years).index(year))
    print(f"{scenario} vs {reference}, FY{fy_label(year)} (US$ bn; {dec.runs} runs)")
    print(f"  {'group':<12}{'balance':>10}{'total trade':>13}")
    print(f"  {'reference':<12}{dec.reference_balance[t]:>10.3f}{dec.reference_total[t]:>13.3f}")
    for i, g in enumerate(dec.groups):
        if dec.balance[i, t] or dec.total_trade[i, t]:
            print(f"  {g:<12}{dec.balance[i, t]:>+10.3f}{dec.total_trade[i, t]:>+13.3f}")
    print(f"  {'scenario':<12}{dec.scenario_balance[t]:>10.3f}{dec.scenario_total[t]:>13.3f}")
    print(f"-> {dest}", file=sys.stdout)
