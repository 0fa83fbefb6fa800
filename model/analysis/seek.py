"""Target seeking: the smallest value of one lever that reaches a target in a fiscal year.

A coarse grid of lever values is projected in one vectorised :func:`run_batch`; the first grid
point that reaches the target brackets the answer, which :func:`scipy.optimize.brentq` refines.
If no grid point reaches it, the target is infeasible in the range and the grid point closest to
it is reported instead. Lever ranges come from the schema's field constraints unless given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.bounds import range_text, schema_range
from model.data import load_baseline
from model.errors import InputError
from model.fiscal import fy_label
from model.outcomes import at_year, first_year_reaching, never
from model.projection import Batch, run_batch
from model.scenario import NOT_FINITE, Scenario, check_path

# metric -> (Batch attribute, sense): +1 "reached when >= target", -1 "when <= target"
METRICS: dict[str, tuple[str, int]] = {
    "balance": ("balance", +1), "total_trade": ("total", +1), "exports": ("exports", +1),
    "imports": ("imports", -1), "deficit": ("deficit", -1),
}
GRID_POINTS = 41
# the lever `seek --year-reaching` tries when the target is never reached: Russian crude carries
# about three quarters of the trade, and only the oil levers move it by more than a few US$ bn
DEFAULT_LEVER = "levers.oil.volume_mbd"


def metric_path(batch: Batch, metric: str) -> np.ndarray:
    """``(N, Y)`` path of a seekable metric (``deficit`` = -balance)."""
    return -batch.balance if metric == "deficit" else getattr(batch, METRICS[metric][0])


def check_metric(metric: str, *, key: str = "--target") -> None:
    if metric not in METRICS:
        raise InputError(f"unknown metric '{metric}'; allowed: {', '.join(METRICS)}", key=key)


# ------------------------------------------------------------------------------ seeking
@dataclass(frozen=True)
class SeekResult:
    lever: str
    metric: str
    target: float
    year: int
    lo: float
    hi: float
    feasible: bool
    value: float  # the smallest lever value reaching the target, or the closest reachable one
    metric_value: float  # the metric at ``value``
    runs: int
    bound: str = "smallest"  # "smallest" value reaching it, "largest" still reaching it, or "all"

    def message(self) -> str:
        sense = ">=" if METRICS[self.metric][1] > 0 else "<="
        goal = f"{self.metric} {sense} {self.target:g} in FY{fy_label(self.year)}"
        if not self.feasible:
            return (f"not reachable: {goal} cannot be reached with {self.lever} in "
                    f"[{self.lo:g}, {self.hi:g}]; closest: {self.lever} = {self.value:.6g} gives "
                    f"{self.metric} = {self.metric_value:.4f}")
        if self.bound == "all":
            return (f"{goal} is reached over the whole range [{self.lo:g}, {self.hi:g}] of "
                    f"{self.lever}; at {self.lo:g}: {self.metric} = {self.metric_value:.4f}")
        what = ("the smallest value reaching" if self.bound == "smallest" else
                "the largest value still reaching (reached for all lower values)")
        return (f"{self.lever} = {self.value:.6g} is {what} {goal}: "
                f"{self.metric} = {self.metric_value:.4f}")


def lever_range(sc: Scenario, lever: str, lo: float | None, hi: float | None) -> tuple[float, float]:
    """The search range: --lo/--hi, else the schema's bounds (checked against them)."""
    s_lo, s_hi, exclusive = schema_range(lever)
    allowed = range_text((s_lo, s_hi, exclusive))
    for flag, bound in (("--lo", lo), ("--hi", hi)):
        if bound is not None and not math.isfinite(bound):
            raise InputError(f"{NOT_FINITE} (got {bound})", key=flag)
    if s_lo is not None and exclusive:
        s_lo = s_lo + 1e-6 * max(1.0, abs(s_hi or 1.0))
    lo = s_lo if lo is None else lo
    hi = s_hi if hi is None else hi
    if lo is None or hi is None:
        raise InputError(f"{lever} has no schema bound on this side; give --lo and --hi",
                         key="--lo/--hi")
    if s_lo is not None and lo < s_lo or s_hi is not None and hi > s_hi:
        raise InputError(f"range [{lo:g}, {hi:g}] is outside what {lever} allows {allowed}",
                         key="--lo/--hi")
    if not lo < hi:
        raise InputError(f"--lo must be below --hi (got {lo:g}, {hi:g})", key="--lo/--hi")
    return float(lo), float(hi)


def check_year(sc: Scenario, year: int, *, key: str = "--year") -> None:
    """``year`` must be a projected fiscal year (after the base year, within the horizon)."""
    base_year, last = load_baseline(sc.settings.dataset).base_year, sc.settings.horizon_end
    if not base_year < year <= last:
        raise InputError(f"fiscal year {fy_label(year)} is outside the projected years "
                         f"{fy_label(base_year + 1)}..{fy_label(last)}", key=key)


def seek(sc: Scenario, lever: str, metric: str, target: float, year: int, *,
         lo: float | None = None, hi: float | None = None, xtol: float = 1e-9) -> SeekResult:
    """Smallest value of ``lever`` in [lo, hi] at which ``metric`` reaches ``target`` in ``year``."""
    check_path(sc, lever, key="--lever")
    check_metric(metric)
    check_year(sc, year)
    lo, hi = lever_range(sc, lever, lo, hi)
    sense = METRICS[metric][1]

    def gap(values: np.ndarray) -> np.ndarray:  # >= 0 where the target is reached
        b = run_batch(sc, {lever: np.asarray(values, float)})
        return sense * (at_year(metric_path(b, metric), b.years, year) - target)

    wide = lo > 0 and hi / lo >= 100  # e.g. capacities: a geometric grid resolves the low end
    grid = np.geomspace(lo, hi, GRID_POINTS) if wide else np.linspace(lo, hi, GRID_POINTS)
    g = gap(grid)
    runs = GRID_POINTS
    ok = np.flatnonzero(g >= 0)
    common = dict(lever=lever, metric=metric, target=target, year=year, lo=lo, hi=hi)
    if ok.size == 0:
        best = int(np.argmax(g))
        return SeekResult(**common, feasible=False, value=float(grid[best]),
                          metric_value=float(target + sense * g[best]), runs=runs)
    if ok[0] > 0:  # not reached at lo: the smallest value that reaches it
        x, gx, n = _refine(gap, float(grid[ok[0] - 1]), float(grid[ok[0]]), xtol)
        return SeekResult(**common, feasible=True, value=x, metric_value=target + sense * gx,
                          runs=runs + n)
    miss = np.flatnonzero(g < 0)
    if miss.size == 0:  # reached over the whole range
        return SeekResult(**common, feasible=True, value=lo, metric_value=float(target + sense * g[0]),
                          runs=runs, bound="all")
    # reached at lo but not beyond a point (e.g. oil volume vs the deficit): the largest value
    x, gx, n = _refine(lambda v: gap(v), float(grid[miss[0]]), float(grid[miss[0] - 1]), xtol)
    return SeekResult(**common, feasible=True, value=x, metric_value=target + sense * gx,
                      runs=runs + n, bound="largest")


def _refine(gap, bad: float, good: float, xtol: float) -> tuple[float, float, int]:
    """Root of ``gap`` between ``bad`` (gap < 0) and ``good`` (gap >= 0), on the reached side."""
    tol = xtol * max(1.0, abs(good))
    from scipy.optimize import brentq  # imported here: the CLI loads this module at start

    x, info = brentq(lambda v: float(gap(np.array([v]))[0]), min(bad, good), max(bad, good),
                     xtol=tol, full_output=True)
    runs = info.function_calls + 1
    gx = float(gap(np.array([x]))[0])
    step = 2 * tol * np.sign(good - bad)
    while gx < 0 and (x - good) * np.sign(good - bad) < 0:  # root a hair on the wrong side
        x = float(np.clip(x + step, min(bad, good), max(bad, good)))
        gx, runs = float(gap(np.array([x]))[0]), runs + 1
    return x, gx, runs


def lever_label(path: str) -> str | None:
    """What a parameter path is, with its unit, from the scenario schema's description
    (``levers.oil.volume_mbd`` -> ``"Russian crude to India, mb/d"``); None if it has none."""
    from model.scenario import json_schema

    schema = json_schema()
    node: dict | None = schema
    parts = path.split(".")
    i = 0
    while node is not None and i < len(parts):
        while "$ref" in node or "anyOf" in node:  # follow references and optional wrappers
            if "$ref" in node:
                node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
                continue
            inner = [o for o in node["anyOf"] if "$ref" in o or "properties" in o
                     or isinstance(o.get("additionalProperties"), dict)]
            if not inner:
                break
            node = inner[0]
        props = node.get("properties", {})
        if parts[i] in props:
            node, i = props[parts[i]], i + 1
        elif isinstance(node.get("additionalProperties"), dict):  # flows.<name>, cut.<flow>
            node, i = node["additionalProperties"], i + 1
        else:
            return None
    desc = _description(node) if node is not None else None
    return desc.split(";")[0].strip() if desc else None


def _description(node: dict) -> str | None:
    """A leaf's description, preferring the value type's (with the unit) inside ``anyOf``."""
    for alt in node.get("anyOf", []):
        if (got := _description(alt)) is not None:
            return got
    return node.get("description")


def default_seek_year(sc: Scenario) -> int:
    """Year of the "what would it take" answer when no --year is given: five years after the
    base year (FY2029-30 from the FY2024-25 base, the year the shipped sweeps report), or the
    horizon's end if that is earlier."""
    return min(load_baseline(sc.settings.dataset).base_year + 5, sc.settings.horizon_end)


def year_reaching(sc: Scenario, metric: str, threshold: float
                  ) -> tuple[int | None, np.ndarray, np.ndarray]:
    """First fiscal year ``metric`` reaches ``threshold`` (None if not within the horizon), with
    the years and the path."""
    check_metric(metric, key="--year-reaching")
    b = run_batch(sc)
    path = metric_path(b, metric)[0]
    sense = METRICS[metric][1]
    first = first_year_reaching(sense * path, b.years, sense * threshold)[()]
    return None if never(first) else int(first), b.years, path


__all__ = ["DEFAULT_LEVER", "METRICS", "SeekResult", "default_seek_year", "lever_label",
           "schema_range", "seek", "year_reaching"]
