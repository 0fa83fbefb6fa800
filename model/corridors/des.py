"""Discrete-event simulation of the corridors (SimPy).

Each stage is a ``simpy.Resource`` with ``servers`` slots; each shipment is a SimPy process (the
plain generator :func:`shipment`) that queues for every stage in turn. Arrivals on a route are a
Poisson process with the given expected number of shipments per fiscal year; on a seasonal route
they arrive only in the season window (see :func:`arrival_windows`). All random draws (arrival
times, service times) are made up front with vectorised numpy calls from the caller's
``numpy.random.Generator``, in a fixed order, so a seed reproduces a run exactly. The hot loop
only stamps service start times into preallocated arrays held by a :class:`Recorder`; everything
else is computed afterwards by :func:`summarise` into a :class:`CorridorStats`.

Time unit: hours; fiscal year ``k`` (``years[k]``) spans ``[k*8760, (k+1)*8760)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy

from model.fiscal import fy_label

from .network import HOURS_PER_YEAR, Route, arrival_windows, open_month_mask, season_delay

STATS_COLUMNS = ("route", "fiscal_year", "year", "shipments", "throughput_mt",
                 "transit_days_mean", "transit_days_p95", "backlog", "max_utilisation")
STAGE_COLUMNS = ("route", "fiscal_year", "year", "stage", "utilisation", "wait_hours_mean")


@dataclass(frozen=True)
class CorridorStats:
    """DES results per route (axis 0, order of ``routes``) and fiscal year (axis 1).

    ``utilisation[route]`` and ``wait_hours[route]`` have shape (stages, years): busy time over
    server-hours in the stage's open months, and mean queueing wait (hours) of services started in
    the year. Transit times are door-to-door, days, of shipments completed in the year (NaN if
    none); ``backlog`` counts shipments in the system at the year's end; ``events`` is the number
    of SimPy events processed.
    """

    routes: tuple[str, ...]
    years: tuple[int, ...]
    stage_names: dict[str, tuple[str, ...]]
    shipments: np.ndarray
    throughput_t: np.ndarray
    transit_days_mean: np.ndarray
    transit_days_p95: np.ndarray
    backlog: np.ndarray
    utilisation: dict[str, np.ndarray]
    wait_hours: dict[str, np.ndarray]
    events: int
    trace: dict[str, list] | None = None

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per route and year, columns :data:`STATS_COLUMNS`."""
        rows = []
        for r, name in enumerate(self.routes):
            for y, year in enumerate(self.years):
                rows.append((name, fy_label(year), year, int(self.shipments[r, y]),
                             self.throughput_t[r, y] / 1e6, self.transit_days_mean[r, y],
                             self.transit_days_p95[r, y], int(self.backlog[r, y]),
                             float(self.utilisation[name][:, y].max())))
        return pd.DataFrame(rows, columns=list(STATS_COLUMNS))

    def stage_frame(self) -> pd.DataFrame:
        """Tidy per-stage table, columns :data:`STAGE_COLUMNS`."""
        rows = [(name, fy_label(year), year, stage, self.utilisation[name][k, y],
                 self.wait_hours[name][k, y])
                for name in self.routes for k, stage in enumerate(self.stage_names[name])
                for y, year in enumerate(self.years)]
        return pd.DataFrame(rows, columns=list(STAGE_COLUMNS))


@dataclass
class Recorder:
    """Preallocated result arrays for one route (no module globals).

    ``start[i, k]`` is the time shipment ``i`` started service at stage ``k`` (NaN if never),
    ``finish[i]`` the time it left the last stage (inf if still in the system). ``trace`` is a
    list of ``(time, shipment, stage, event)`` with event in ``arrive``, ``start``, ``end``, or
    None when not asked for.
    """

    arrival: np.ndarray
    service: np.ndarray
    start: np.ndarray = field(init=False)
    finish: np.ndarray = field(init=False)
    trace: list[tuple[float, int, int, str]] | None = None

    def __post_init__(self) -> None:
        self.start = np.full(self.service.shape, np.nan)
        self.finish = np.full(self.arrival.shape, np.inf)


def draw_service(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    """``n`` service times with the given mean and CV: 0 fixed, 1 exponential, else lognormal."""
    if cv == 0.0:
        return np.full(n, mean)
    if cv == 1.0:
        return rng.exponential(mean, n)
    s2 = np.log1p(cv * cv)  # lognormal with E = mean, CV = cv
    return rng.lognormal(np.log(mean) - 0.5 * s2, np.sqrt(s2), n)


def draw_arrivals(rng: np.random.Generator, expected: Sequence[float],
                  windows: list[tuple[int, int]]) -> np.ndarray:
    """Sorted Poisson arrival times (hours) for each year's expected count within the windows."""
    lengths = np.array([b - a for a, b in windows], dtype=float)
    times = []
    for k, lam in enumerate(expected):
        n = rng.poisson(lam)
        u = rng.uniform(0.0, lengths.sum(), n)
        edges = np.concatenate(([0.0], np.cumsum(lengths)))
        w = np.searchsorted(edges, u, side="right") - 1
        starts = np.array([a for a, _ in windows], dtype=float)
        times.append(k * HOURS_PER_YEAR + starts[w] + (u - edges[w]))
    out = np.concatenate(times) if times else np.empty(0)
    return np.sort(np.clip(out, 0.0, None))


def shipment(env: simpy.Environment, i: int, legs: tuple, rec: Recorder):
    """One shipment passing through every stage of its route (a SimPy process).

    ``legs`` holds ``(resource, season_mask_or_None)`` per stage; service times come from
    ``rec.service[i]``; service start times are stamped into ``rec.start[i]``.
    """
    service = rec.service[i]
    start = rec.start[i]
    trace = rec.trace
    for k, (res, mask) in enumerate(legs):
        if trace is not None:
            trace.append((env.now, i, k, "arrive"))
        req = res.request()
        yield req
        if mask is not None:
            wait = season_delay(mask, env.now)
            if wait > 0.0:
                yield env.timeout(wait)
        start[k] = env.now
        if trace is not None:
            trace.append((env.now, i, k, "start"))
        yield env.timeout(service[k])
        res.release(req)
        if trace is not None:
            trace.append((env.now, i, k, "end"))
    rec.finish[i] = env.now


def source(env: simpy.Environment, legs: tuple, rec: Recorder):
    """Start one :func:`shipment` process at each of ``rec.arrival`` (sorted, hours)."""
    for i, t in enumerate(rec.arrival.tolist()):
        if t > env.now:
            yield env.timeout(t - env.now)
        env.process(shipment(env, i, legs, rec))


def _legs(env: simpy.Environment, route: Route) -> tuple:
    return tuple(
        (simpy.Resource(env, capacity=s.servers),
         None if s.open_months is None else open_month_mask(s.open_months))
        for s in route.stages
    )


def _setup_route(env, route: Route, expected: Sequence[float], rng, trace: bool) -> Recorder:
    arrival = draw_arrivals(rng, expected, arrival_windows(route))
    service = np.column_stack(
        [draw_service(rng, s.service_mean_hours, s.service_cv, arrival.size) for s in route.stages]
    ) if arrival.size else np.empty((0, len(route.stages)))
    rec = Recorder(arrival, service, trace=[] if trace else None)
    env.process(source(env, _legs(env, route), rec))
    return rec


def replay(route: Route, arrival_hours: Sequence[float], service_hours: Sequence[Sequence[float]],
           *, until: float | None = None, trace: bool = True) -> Recorder:
    """Run one route on given arrival and service times, without randomness.

    ``arrival_hours`` sorted (n,); ``service_hours`` (n, stages). For exact, hand-checkable
    traces in tests and for replaying a recorded run. Runs until ``until`` or until empty.
    """
    arrival = np.asarray(arrival_hours, dtype=float)
    service = np.asarray(service_hours, dtype=float).reshape(arrival.size, len(route.stages))
    if np.any(np.diff(arrival) < 0) or np.any(arrival < 0) or np.any(service < 0):
        raise ValueError("arrival_hours must be sorted and >= 0, service_hours >= 0")
    env = simpy.Environment()
    rec = Recorder(arrival, service, trace=[] if trace else None)
    env.process(source(env, _legs(env, route), rec))
    env.run(until=until)
    return rec


def simulate(
    routes: Mapping[str, Route],
    shipments_per_year: Mapping[str, Sequence[float]],
    years: Sequence[int],
    rng: np.random.Generator,
    *,
    trace: bool = False,
) -> CorridorStats:
    """Run the corridor DES over ``years`` and summarise it per route and year.

    Parameters
    ----------
    routes : route name -> :class:`Route`.
    shipments_per_year : route name -> expected shipments in each of ``years`` (>= 0). Routes
        not listed get none; a name not in ``routes`` raises ``ValueError``.
    years : fiscal years (start years), consecutive; year ``k`` spans ``[k*8760, (k+1)*8760)`` h.
    rng : the only source of randomness (spawn it from a ``SeedSequence``).
    trace : also record every arrive/start/end event (slower; for tests).

    Returns
    -------
    CorridorStats : throughput, transit time mean and p95, stage utilisation, backlog per route
        and year, and the number of SimPy events processed.
    """
    years = [int(y) for y in years]
    if not years:
        raise ValueError("years must be a non-empty sequence of fiscal years (got [])")
    for name, counts in shipments_per_year.items():
        if name not in routes:
            raise ValueError(f"route {name!r} in shipments_per_year must be one of "
                             f"{', '.join(routes)} (got {name!r})")
        if len(counts) != len(years) or not all(np.isfinite(c) and c >= 0 for c in counts):
            raise ValueError(f"shipments_per_year[{name!r}] must be {len(years)} finite "
                             f"counts >= 0 (got {list(counts)!r})")
    env = simpy.Environment()
    zeros = [0.0] * len(years)
    recs = {name: _setup_route(env, r, shipments_per_year.get(name, zeros), rng, trace)
            for name, r in routes.items()}
    env.run(until=len(years) * HOURS_PER_YEAR)
    events = next(env._eid) - len(env._queue)  # scheduled minus pending (SimPy private counter)
    return summarise(routes, recs, years, events, with_trace=trace)


def _per_year(values: np.ndarray, year_idx: np.ndarray, n_years: int, fn) -> np.ndarray:
    out = np.full(n_years, np.nan)
    for y in range(n_years):
        v = values[year_idx == y]
        if v.size:
            out[y] = fn(v)
    return out


def _busy(start: np.ndarray, end: np.ndarray, n_years: int) -> np.ndarray:
    """Busy hours of each stage (columns) within each year: shape (stages, years)."""
    s = np.where(np.isnan(start), 0.0, start)
    e = np.where(np.isnan(start), 0.0, end)
    out = np.empty((start.shape[1], n_years))
    for y in range(n_years):
        lo, hi = y * HOURS_PER_YEAR, (y + 1) * HOURS_PER_YEAR
        out[:, y] = np.clip(np.minimum(e, hi) - np.maximum(s, lo), 0.0, None).sum(axis=0)
    return out


def _route_stats(route: Route, rec: Recorder, n: int) -> dict:
    k_st = len(route.stages)
    end = rec.start + rec.service
    done = np.isfinite(rec.finish)
    cyear = (rec.finish[done] // HOURS_PER_YEAR).astype(int)
    transit = (rec.finish[done] - rec.arrival[done]) / 24.0
    reach = np.column_stack([rec.arrival, end[:, :-1]])
    wait = rec.start - reach
    syear = np.where(np.isnan(rec.start), -1, rec.start // HOURS_PER_YEAR).astype(int)
    open_h = np.array([HOURS_PER_YEAR * s.servers * s.open_fraction for s in route.stages])
    bounds = (np.arange(n) + 1) * HOURS_PER_YEAR
    return {
        "shipments": np.bincount(cyear, minlength=n)[:n],
        "mean": _per_year(transit, cyear, n, np.mean),
        "p95": _per_year(transit, cyear, n, lambda v: np.percentile(v, 95)),
        "backlog": np.array([np.sum((rec.arrival < b) & (rec.finish >= b)) for b in bounds]),
        "util": _busy(rec.start, end, n) / open_h[:, None],
        "wait": np.array([_per_year(wait[:, k], syear[:, k], n, np.mean)
                          for k in range(k_st)]).reshape(k_st, n),
    }


def summarise(routes: Mapping[str, Route], recs: Mapping[str, Recorder], years: Sequence[int],
              events: int, with_trace: bool = False) -> CorridorStats:
    """Reduce the recorders of one run to a :class:`CorridorStats`."""
    n = len(years)
    st = {name: _route_stats(routes[name], rec, n) for name, rec in recs.items()}
    names = tuple(recs)
    m = len(names)
    shipments = np.array([st[r]["shipments"] for r in names]).reshape(m, n)
    tps = np.array([routes[r].tonnes_per_shipment for r in names])
    return CorridorStats(
        routes=names, years=tuple(years),
        stage_names={r: tuple(s.name for s in routes[r].stages) for r in names},
        shipments=shipments, throughput_t=shipments * tps[:, None],
        transit_days_mean=np.array([st[r]["mean"] for r in names]).reshape(m, n),
        transit_days_p95=np.array([st[r]["p95"] for r in names]).reshape(m, n),
        backlog=np.array([st[r]["backlog"] for r in names]).reshape(m, n),
        utilisation={r: st[r]["util"] for r in names},
        wait_hours={r: st[r]["wait"] for r in names},
        events=int(events),
        trace={r: recs[r].trace for r in names} if with_trace else None,
    )
