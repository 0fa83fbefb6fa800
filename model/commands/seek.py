"""``tradesim seek``: the lever value that reaches a target, or the year a target is reached.

Exit codes: 0 the target is reached (answer printed); 3 the target cannot be reached inside the
lever's range (the closest reachable value is printed); 2 bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.analysis.seek import (
    DEFAULT_LEVER,
    METRICS,
    default_seek_year,
    lever_label,
    seek,
    year_reaching,
)
from model.errors import InputError
from model.fiscal import fy_label, parse_fy
from model.scenario import check_values, load_scenario

INFEASIBLE = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "seek", help="smallest lever value reaching a target, or the year a target is reached",
        description="With --lever/--target/--year: the smallest value of one lever (a path from "
                    "`tradesim paths`) at which METRIC reaches VALUE in fiscal year FY (metrics: "
                    + ", ".join(f"{m} ({'>=' if s > 0 else '<='})" for m, (_, s) in METRICS.items())
                    + "); if the target is reached at the low end and lost above some value, the "
                    "largest value still reaching it. With --year-reaching METRIC=VALUE: the "
                    "first fiscal year the scenario reaches it; if it never does within the "
                    f"horizon, also the value of --lever (default {DEFAULT_LEVER}) that would "
                    "reach it in --year (default: five years after the base year, FY2029-30). "
                    "Exit 0 if reached, 3 if not reachable (the closest reachable value is "
                    "printed), 2 on bad input.")
    p.add_argument("scenario", metavar="SCENARIO.toml", type=Path)
    p.add_argument("--lever", metavar="PATH", help="parameter path, e.g. levers.ntb.cut.pharma")
    p.add_argument("--target", metavar="METRIC=VALUE", help="e.g. balance=-30, total_trade=100")
    p.add_argument("--year", metavar="FY", help="fiscal year of the target, e.g. 2029-30")
    p.add_argument("--lo", type=float, help="low end of the lever's range (default: schema)")
    p.add_argument("--hi", type=float, help="high end of the lever's range (default: schema)")
    p.add_argument("--year-reaching", metavar="METRIC=VALUE",
                   help="instead: first fiscal year METRIC reaches VALUE, e.g. total_trade=100")
    p.set_defaults(func=main)


def parse_target(text: str, *, key: str) -> tuple[str, float]:
    metric, sep, value = text.partition("=")
    metric = metric.strip()
    if not sep:
        raise InputError(f"expected METRIC=VALUE, e.g. total_trade=100 (got '{text}')", key=key)
    if metric not in METRICS:
        raise InputError(f"unknown metric '{metric}'; allowed: {', '.join(METRICS)}", key=key)
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"VALUE must be a number (got '{value}')", key=key) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"VALUE must be finite (got '{value}')", key=key)
    return metric, number


def main(args: argparse.Namespace) -> int:
    sc = load_scenario(args.scenario)
    if args.year_reaching is not None:
        return year_reaching_main(sc, args)
    missing = [o for o, v in (("--lever", args.lever), ("--target", args.target),
                              ("--year", args.year)) if v is None]
    if missing:
        raise InputError(f"missing {', '.join(missing)} (or use --year-reaching METRIC=VALUE)",
                         key=missing[0])
    metric, value = parse_target(args.target, key="--target")
    try:
        year = parse_fy(args.year)
    except ValueError as err:
        raise InputError(str(err), key="--year") from None
    res = checked_seek(sc, args.lever, metric, value, year, lo=args.lo, hi=args.hi)
    print(f"{sc.name}: {res.message()}")
    return 0 if res.feasible else INFEASIBLE


def year_reaching_main(sc, args: argparse.Namespace) -> int:
    """``--year-reaching METRIC=VALUE``: the first year; if never, what it would take."""
    if args.target:
        raise InputError("--year-reaching is used without --target (it is the target)",
                         key="--year-reaching")
    metric, value = parse_target(args.year_reaching, key="--year-reaching")
    first, years, path = year_reaching(sc, metric, value)
    if first is not None:
        t = list(years).index(first)
        print(f"{sc.name}: {metric} first reaches {value:g} in FY{fy_label(first)} "
              f"({path[t]:.2f})")
        return 0
    lever = args.lever or default_lever(sc)
    try:
        year = default_seek_year(sc) if args.year is None else parse_fy(args.year)
    except ValueError as err:
        raise InputError(str(err), key="--year") from None
    # bad input: nothing printed
    res = checked_seek(sc, lever, metric, value, year, lo=args.lo, hi=args.hi)
    last, rising = f"FY{fy_label(int(years[-1]))}", METRICS[metric][1] > 0
    print(f"{sc.name}: {metric} does not reach {value:g} by {last} (highest {path.max():.2f} in "
          f"FY{fy_label(int(years[path.argmax()]))})" if rising else
          f"{sc.name}: {metric} does not fall to {value:g} by {last} (lowest {path.min():.2f} in "
          f"FY{fy_label(int(years[path.argmin()]))})")
    label = lever_label(lever)
    what = f"{lever}" + (f" ({label})" if label else "")
    goal = f"{'reaching' if rising else 'falling to'} {value:g} in FY{fy_label(year)}"
    if res.feasible:
        print(f"{sc.name}: {goal} would take {what} = {res.value:#.3g} ({metric} "
              f"{res.metric_value:.2f})")
    else:
        print(f"{sc.name}: {goal} is out of reach with {what} in [{res.lo:g}, {res.hi:g}]; "
              f"closest: {res.value:#.3g} gives {metric} {res.metric_value:.2f}")
    return INFEASIBLE


def checked_seek(sc, lever: str, metric: str, value: float, year: int, *, lo, hi):
    """:func:`seek` with --lo/--hi and the value found checked like a scenario file's value
    (schema ranges and cross-field rules, :func:`model.scenario.check_values`)."""
    res = seek(sc, lever, metric, value, year, lo=lo, hi=hi)  # checks the path and ranges
    for flag, bound in (("--lo", lo), ("--hi", hi)):
        if bound is not None:  # ... and here the cross-field rules too
            check_values(sc, {lever: bound}, source=f" (from {flag})")
    check_values(sc, {lever: res.value}, source=" (the value seek found)")
    return res


def default_lever(sc) -> str:
    """The oil volume lever the scenario uses (a share of India's crude, or mb/d)."""
    return ("levers.oil.share_of_india_crude" if sc.levers.oil.share_of_india_crude is not None
            else DEFAULT_LEVER)
