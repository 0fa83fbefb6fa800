"""Analytic queueing surrogate of the corridor DES, vectorised over a sample axis.

Each stage is a G/G/c queue. The M/M/c wait uses the Erlang-C formula; the G/G/c wait scales it by
the Allen-Cunneen factor ``(ca^2 + cs^2) / 2``; the squared CV of the departures feeding the next
stage follows Whitt's QNA linking equation. A route's mean transit time is the sum of stage waits
and mean service times. A seasonal stage is solved as a periodic M/M/c Markov chain over the year
(open spell with arrivals, closed spell with the queue frozen), which gives its mean wait including
the winter wait of shipments still queued at closing. A stage at utilisation >= 1 is *saturated*:
its wait and the route's transit time are ``inf`` and the ``saturated`` flag is set; no finite
number is reported for it.

References
----------
Erlang-C: e.g. Gross, Shortle, Thompson & Harris (2008), *Fundamentals of Queueing Theory*, 4th
ed., Eq. (2.30)-(2.31). Allen & Cunneen: Allen (1990), *Probability, Statistics and Queueing
Theory*, Eq. (6.125). Whitt (1983), "The Queueing Network Analyzer", Bell Syst. Tech. J. 62(9),
Eq. (39) (departure variability).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .network import HOURS_PER_YEAR, Route, Stage, window_hours


def erlang_c(servers: np.ndarray | int, load: np.ndarray | float) -> np.ndarray:
    """Probability that an arrival waits in an M/M/c queue (Erlang-C).

    Parameters
    ----------
    servers : c, number of servers (>= 1).
    load : offered load a = lambda / mu, in Erlangs (>= 0).

    Returns
    -------
    ndarray : P(wait > 0); 1.0 where ``a >= c`` (saturated). Computed from the Erlang-B
    probability ``B = pmf(c; a) / cdf(c; a)`` of a Poisson(a) variable in log form, which is
    stable for thousands of servers, then ``C = B / (1 - rho (1 - B))`` with ``rho = a / c``.
    """
    c = np.asarray(servers, dtype=float)
    a = np.asarray(load, dtype=float)
    rho = a / c
    with np.errstate(divide="ignore", invalid="ignore"):
        log_b = stats.poisson.logpmf(c, a) - stats.poisson.logcdf(c, a)
    b = np.where(a > 0, np.exp(log_b), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = b / (1.0 - rho * (1.0 - b))
    return np.where(rho >= 1.0, 1.0, out)


def mmc_wait(arrival_rate: np.ndarray, stage: Stage) -> np.ndarray:
    """Mean M/M/c queueing wait, hours: ``C(c, a) / (c mu - lambda)``; inf when saturated."""
    lam = np.asarray(arrival_rate, dtype=float)
    mu = 1.0 / stage.service_mean_hours
    c = stage.servers
    slack = c * mu - lam
    with np.errstate(divide="ignore", invalid="ignore"):
        w = erlang_c(c, lam / mu) / slack
    return np.where(slack <= 0, np.inf, w)


def ggc_wait(arrival_rate: np.ndarray, stage: Stage, ca2: np.ndarray | float) -> np.ndarray:
    """Mean G/G/c wait, hours, by Allen-Cunneen: M/M/c wait x (ca^2 + cs^2) / 2."""
    return mmc_wait(arrival_rate, stage) * (np.asarray(ca2) + stage.service_cv ** 2) / 2.0


def departure_scv(ca2: np.ndarray, rho: np.ndarray, stage: Stage) -> np.ndarray:
    """Squared CV of departures (Whitt 1983, Eq. 39), the arrival SCV of the next stage."""
    cs2 = stage.service_cv ** 2
    r2 = np.minimum(rho, 1.0) ** 2
    return 1.0 + (1.0 - r2) * (ca2 - 1.0) + r2 * (cs2 - 1.0) / np.sqrt(stage.servers)


@dataclass(frozen=True)
class RouteTransit:
    """Surrogate result for one route over N samples.

    ``days`` mean door-to-door transit (inf where saturated); ``saturated`` True where any stage
    has utilisation >= 1; ``utilisation`` and ``wait_hours`` have shape (stages, N).
    """

    days: np.ndarray
    saturated: np.ndarray
    utilisation: np.ndarray
    wait_hours: np.ndarray


def _uniformise(up: np.ndarray, down: np.ndarray, x: np.ndarray, t: float) -> tuple:
    """Birth-death chain: ``(expm(t A) x, int_0^t expm(s A) x ds)`` by uniformisation.

    ``A`` is the transposed generator with birth rates ``up[n]`` (n -> n+1) and death rates
    ``down[n]`` (n -> n-1); ``x`` is a vector or a matrix (columns). With ``q`` >= every exit
    rate and ``B = I + A / q``: ``expm(tA) = sum_k Pois(k; qt) B^k`` and its integral is
    ``sum_k P(Pois(qt) > k) / q B^k`` (Stewart 1994, ch. 8).
    """
    q = float(np.max(up + down)) or 1.0
    diag = 1.0 - (up + down) / q
    kmax = int(q * t + 10 * np.sqrt(q * t) + 20)
    pmf = stats.poisson.pmf(np.arange(kmax + 1), q * t)
    tail = stats.poisson.sf(np.arange(kmax + 1), q * t) / q
    shape = (-1,) + (1,) * (x.ndim - 1)
    diag = diag.reshape(shape)
    up_r, down_r = (up[:-1] / q).reshape(shape), (down[1:] / q).reshape(shape)
    term, total, integral = x.copy(), pmf[0] * x, tail[0] * x
    for k in range(1, kmax + 1):
        nxt = diag * term
        nxt[1:] += up_r * term[:-1]
        nxt[:-1] += down_r * term[1:]
        term = nxt
        total += pmf[k] * term
        integral += tail[k] * term
    return total, integral


def _rates(k_max: int, lam: float, mu: float, c: int) -> tuple[np.ndarray, np.ndarray]:
    n = np.arange(k_max + 1)
    return np.where(n < k_max, lam, 0.0), np.minimum(n, c) * mu


@functools.lru_cache(maxsize=64)
def _seasonal_table(c: int, mean_h: float, window_h: float, open_h: float) -> tuple:
    """Mean wait (hours) at a seasonal M/M/c stage on a grid of utilisations, periodic regime.

    Each year: arrivals at rate lambda for ``window_h`` hours from the opening, then service only
    until ``open_h``, then a closed spell in which the shipments in service finish and the queue
    waits. The distribution at opening is the periodic fixed point (iterated year by year). Mean
    wait = (queue-hours in the open spell + queue at closing x closed hours) / shipments per year.
    Returns the grid of utilisations and ``wait x (1 - rho)``, which is smooth for interpolation.
    """
    mu = 1.0 / mean_h
    k_max = int(min(c + 3 * c * mu * open_h + 50, 400))  # truncation; documented cap of 400
    eye = np.eye(k_max + 1)
    queue = np.maximum(np.arange(k_max + 1) - c, 0)
    winter = eye[queue].T  # n -> (n - c)^+ : those in service finish, the queue stays
    drain_up, drain_down = _rates(k_max, 0.0, mu, c)
    drain, drain_int = _uniformise(drain_up, drain_down, eye, open_h - window_h)
    grid = 1.0 - np.geomspace(1.0, 1e-3, 17)  # 0 .. 0.999, dense near 1
    scaled = [0.0]
    for rho in grid[1:]:
        lam = rho * c * mu
        up, down = _rates(k_max, lam, mu, c)
        grow, grow_int = _uniformise(up, down, eye, window_h)
        year = winter @ drain @ grow
        p = eye[0]
        for _ in range(5000):
            p_next = year @ p
            if np.abs(p_next - p).sum() < 1e-11:
                break
            p = p_next
        p_end = grow @ p
        q_hours = queue @ (grow_int @ p + drain_int @ p_end)
        q_hours += queue @ (drain @ p_end) * (HOURS_PER_YEAR - open_h)
        scaled.append(q_hours / (lam * window_h) * (1.0 - rho))
    return grid, np.array(scaled)


def seasonal_wait(arrival_rate: np.ndarray, stage: Stage, window_h: float) -> np.ndarray:
    """Mean wait (hours) at a seasonal stage, winter backlog included; inf at utilisation >= 1.

    ``arrival_rate`` is per hour during the route's arrival window of ``window_h`` hours. The
    M/M/c value from the periodic CTMC (:func:`_seasonal_table`) is interpolated in utilisation
    and scaled for the service CV by :func:`_transient_factor` (Poisson arrivals assumed).
    """
    open_h = HOURS_PER_YEAR * stage.open_fraction
    grid, waits = _seasonal_table(stage.servers, stage.service_mean_hours, window_h, open_h)
    rho = np.asarray(arrival_rate, float) * stage.service_mean_hours / stage.servers
    with np.errstate(divide="ignore"):
        w = np.interp(rho, grid, waits) / (1.0 - rho) * _transient_factor(rho, stage, window_h)
    return np.where(rho >= 1.0, np.inf, w)


def _transient_factor(rho: np.ndarray, stage: Stage, window_h: float) -> np.ndarray:
    """Variability factor for a seasonal queue: Allen-Cunneen ``f = (1 + cs^2) / 2`` raised to
    ``w`` in [0.5, 1].

    In steady state the mean queue scales with the variability (``f``, w = 1); a queue that has
    run only ``T`` hours from empty behaves like a reflected Brownian motion whose mean grows with
    the standard deviation (``sqrt f``, w = 0.5). The weight moves between the two with the ratio
    of the relaxation time ``tau = 1 / (c mu (1 - sqrt rho)^2)`` (M/M/1 heavy-traffic
    approximation at rate c mu; Abate & Whitt 1987) to the season length:
    ``w = 0.5 + 0.5 / (1 + tau / T)``. This form was chosen against the DES (``error_grid``).
    """
    f = (1.0 + stage.service_cv ** 2) / 2.0
    c_mu = stage.servers / stage.service_mean_hours
    with np.errstate(divide="ignore"):
        tau = 1.0 / (c_mu * (1.0 - np.sqrt(np.minimum(rho, 1.0))) ** 2)
    return f ** (0.5 + 0.5 / (1.0 + tau / window_h))


def route_transit(route: Route, shipments_per_year: np.ndarray | float, *,
                  wait_scale: float = 1.0) -> RouteTransit:
    """Mean transit time of a route at the given load, vectorised over samples.

    Parameters
    ----------
    route : the route.
    shipments_per_year : expected shipments per year, shape (N,) or scalar (>= 0). On a seasonal
        route they arrive within its windows (``network.window_hours``), as in the DES.
    wait_scale : calibration factor applied to every queueing wait (1.0 = pure theory).

    Returns
    -------
    RouteTransit
    """
    n_ship = np.atleast_1d(np.asarray(shipments_per_year, dtype=float))
    if np.any(~np.isfinite(n_ship)) or np.any(n_ship < 0):
        raise ValueError(f"shipments_per_year for route {route.name!r} must be finite and >= 0")
    win = window_hours(route)
    lam = n_ship / win  # shipments per hour while the route accepts them
    ca2 = np.ones_like(lam)  # Poisson arrivals at the first stage
    waits, utils = [], []
    for s in route.stages:
        rho = lam * s.service_mean_hours / s.servers
        if s.open_months is None:
            waits.append(ggc_wait(lam, s, ca2) * wait_scale)
        else:
            waits.append(seasonal_wait(lam, s, win) * wait_scale)
        utils.append(rho)
        ca2 = departure_scv(ca2, rho, s)
    hours = route.service_hours() + sum(waits)
    util = np.array(utils)
    saturated = np.any(util >= 1.0, axis=0)
    days = np.where(saturated, np.inf, hours / 24.0)
    return RouteTransit(days, saturated, util, np.array(waits))


def route_transit_mt(route: Route, tonnes_mt: np.ndarray | float, **kw) -> RouteTransit:
    """:func:`route_transit` at a load in million tonnes per year."""
    return route_transit(route, np.asarray(tonnes_mt, float) * 1e6 / route.tonnes_per_shipment,
                         **kw)


def load_for_utilisation(route: Route, utilisation: float) -> float:
    """Shipments per year that put the route's bottleneck stage at ``utilisation``."""
    win = window_hours(route)
    return utilisation * min(s.servers * win / s.service_mean_hours for s in route.stages)


GRID_UTILISATIONS = (0.1, 0.3, 0.5, 0.7, 0.8, 0.9)


def _des_mean_days(stats_r: int, st, warmup: int) -> float:
    """Shipment-weighted mean transit (days) of one route over the years after the warm-up."""
    n = st.shipments[stats_r, warmup:]
    d = np.nan_to_num(st.transit_days_mean[stats_r, warmup:])
    return float((n * d).sum() / n.sum())


def error_grid(
    routes: dict[str, Route],
    *,
    utilisations=GRID_UTILISATIONS,
    shipments: int = 40_000,
    replications: int = 4,
    min_years: int = 4,
    warmup_years: int = 1,
    seed: int = 20261126,
    wait_scale: dict[str, float] | None = None,
):
    """Surrogate vs DES mean transit time across bottleneck utilisations.

    Each (route, utilisation) point runs ``replications`` independent DES runs, seeded from
    ``SeedSequence(seed).spawn``, each long enough for about ``shipments / replications``
    shipments after ``warmup_years`` discarded years (at least ``min_years`` years).

    Returns
    -------
    pandas.DataFrame with columns ``route, utilisation, shipments_per_year, years, des_days,
    des_se, surrogate_days, rel_error``: ``des_se`` is the standard error of the DES mean across
    replications and ``rel_error = surrogate / des - 1``.
    """
    import pandas as pd

    from .des import simulate

    scales = wait_scale or {}
    points = [(name, u) for name in routes for u in utilisations]
    seeds = np.random.SeedSequence(seed).spawn(len(points))
    rows = []
    for (name, u), ss in zip(points, seeds, strict=True):
        load = load_for_utilisation(routes[name], u)
        years = warmup_years + max(min_years, int(np.ceil(shipments / replications / load)))
        des = []
        for child in ss.spawn(replications):
            st = simulate({name: routes[name]}, {name: [load] * years}, range(years),
                          np.random.default_rng(child))
            des.append(_des_mean_days(0, st, warmup_years))
        sur = float(route_transit(routes[name], load, wait_scale=scales.get(name, 1.0)).days[0])
        d = float(np.mean(des))
        se = float(np.std(des, ddof=1) / np.sqrt(replications)) if replications > 1 else np.nan
        rows.append((name, u, load, years, d, se, sur, sur / d - 1.0))
    return pd.DataFrame(rows, columns=["route", "utilisation", "shipments_per_year", "years",
                                       "des_days", "des_se", "surrogate_days", "rel_error"])


def calibrate(routes: dict[str, Route], grid) -> dict[str, float]:
    """Per-route factor on the queueing waits that best fits the DES (least squares).

    ``grid`` is an :func:`error_grid` table computed with ``wait_scale=None``. The surrogate's
    queueing part is ``surrogate_days - service days``; the factor k minimises
    ``sum (k * wait_sur - wait_des)^2`` over the grid points of the route (1.0 if all waits are 0).
    """
    out = {}
    for name, g in grid.groupby("route"):
        base = routes[name].service_hours() / 24.0
        ws = g["surrogate_days"].to_numpy() - base
        wd = g["des_days"].to_numpy() - base
        den = float(ws @ ws)
        out[name] = float(ws @ wd / den) if den > 0 else 1.0
    return out
