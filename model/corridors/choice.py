"""Route choice by generalised cost subject to capacity, with congestion (pure numpy).

For each mode, routes are ranked by generalised cost, a fraction of the cargo value::

    cost[m, r] = freight[m, r] / value[m] + days[r] * time_cost_rate[m]

with ``time_cost_rate`` about 0.006-0.021 of value per day by sector (Hummels & Schaur 2013,
"Time as a trade barrier", AER 103(7): 0.6-2.1% ad valorem per day). Demand fills the cheapest
routes first up to their usable capacity (:data:`RHO_MAX` of the bottleneck capacity). Capacity is
shared in tonnes by all modes on a route and goes first to the (mode, route) pairs with the largest
saving per tonne over Suez (see :func:`_fill`). Transit days come from the queueing surrogate (or
the DES) at the resulting loads, so a loaded route gets slower. The fixed point is found by
bisection on each capacitated route's load L in [0, capacity]: if, at the days of load L, the fill
would put at least L on the route, its equilibrium load is above L, else below. The result is a
Wardrop-type equilibrium with capacities: every tonne on a route pays no more than by Suez at the
actual (congested) days, and a route below capacity would become dearer than Suez for its marginal
tonne if loaded further. ``tol`` is the final bracket width relative to capacity; not reaching it
within ``max_iter`` steps is reported (``converged=False``), never hidden.

Suez is the spill route: it is treated as uncapacitated (its physical capacity, ~324 Mt/yr of
India-Russia cargo, is far above any scenario's demand), so demand that fits on no other route
goes by Suez. Arrays carry a sample axis N last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .network import Route, check_mode
from .surrogate import load_for_utilisation, route_transit_mt

RHO_MAX = 0.95  # usable share of a route's bottleneck capacity (planning utilisation, R)
SPILL_ROUTE = "suez"
DES_YEARS = 4  # years per DES evaluation, the first discarded as warm-up


@dataclass(frozen=True)
class Assignment:
    """Route assignment. Shapes: M modes x R routes x N samples.

    Attributes
    ----------
    tonnes_mt, share, cost : (M, R, N) Mt/yr per mode and route, share of the mode's demand,
        generalised cost (fraction of value; inf where the route does not carry the mode).
    days : (R, N) mean transit days at the final loads (inf if saturated).
    route_tonnes_mt : (R, N) load of each route; capacity_mt : (R,) usable capacity (inf = Suez).
    ad_valorem : mode -> (N,) tonnage-weighted freight + time cost as a fraction of value (for a
        mode with no demand, the cost of its cheapest route); ad_valorem_freight the freight part.
    saturated : (R, N) any stage at utilisation >= 1.
    converged, iterations, gap : fixed-point status.
    """

    routes: tuple[str, ...]
    modes: tuple[str, ...]
    tonnes_mt: np.ndarray
    share: np.ndarray
    cost: np.ndarray
    days: np.ndarray
    route_tonnes_mt: np.ndarray
    capacity_mt: np.ndarray
    ad_valorem: dict[str, np.ndarray]
    ad_valorem_freight: dict[str, np.ndarray]
    saturated: np.ndarray
    converged: bool
    iterations: int
    gap: float

    def to_frame(self):
        """Tidy table of sample means: ``mode, route, tonnes_mt, share, days, cost``."""
        import pandas as pd

        rows = [(m, r, self.tonnes_mt[i, j].mean(), self.share[i, j].mean(),
                 self.days[j].mean(), self.cost[i, j].mean())
                for i, m in enumerate(self.modes) for j, r in enumerate(self.routes)]
        return pd.DataFrame(rows, columns=["mode", "route", "tonnes_mt", "share", "days", "cost"])


def surrogate_days(routes: Mapping[str, Route], loads_mt: np.ndarray, *, wait_scale=None,
                   seeds=None) -> tuple[np.ndarray, np.ndarray]:
    """Mean transit days and saturation flags (R, N) from the queueing surrogate."""
    scale = wait_scale or {}
    res = [route_transit_mt(r, loads_mt[i], wait_scale=scale.get(name, 1.0))
           for i, (name, r) in enumerate(routes.items())]
    return np.array([t.days for t in res]), np.array([t.saturated for t in res])


def des_days(routes: Mapping[str, Route], loads_mt: np.ndarray, *, wait_scale=None,
             seeds=None) -> tuple[np.ndarray, np.ndarray]:
    """Mean transit days (R, N) from one DES run per sample (``DES_YEARS``, first discarded).

    ``seeds`` (N,) are drawn once by the caller and reused on every call (common random
    numbers), so the map from loads to days is deterministic and the fixed point can converge.
    Saturation flags come from the bottleneck utilisation (the DES itself would only show a
    growing backlog).
    """
    from .des import simulate

    n = loads_mt.shape[1]
    days = np.empty(loads_mt.shape)
    for k in range(n):
        counts = {name: [loads_mt[i, k] * 1e6 / r.tonnes_per_shipment] * DES_YEARS
                  for i, (name, r) in enumerate(routes.items())}
        st = simulate(routes, counts, range(DES_YEARS), np.random.default_rng(seeds[k]))
        for i, r in enumerate(routes.values()):
            w = st.shipments[i, 1:]
            mean = np.nan_to_num(st.transit_days_mean[i, 1:])
            days[i, k] = (w @ mean) / w.sum() if w.sum() else r.service_hours() / 24.0
    _, sat = surrogate_days(routes, loads_mt)
    return np.where(sat, np.inf, days), sat


TRANSIT: dict[str, Callable] = {"surrogate": surrogate_days, "des": des_days}


def _fill(cost: np.ndarray, demand: np.ndarray, cap: np.ndarray, spill: int) -> np.ndarray:
    """Greedy fill by saving over the spill route, vectorised over samples.

    ``cost`` (M, R, N), ``demand`` (M, N), ``cap`` (R, N) -> tonnes (M, R, N). All (mode,
    route) pairs cheaper than the spill route are taken in order of their saving per tonne
    (largest first), each up to the mode's remaining demand and the route's remaining capacity;
    within a mode this is cheapest-first, across modes the capacity goes to the mode that gains
    most from it. The rest goes to the spill route. (Greedy, not the linear-programme optimum in
    every multi-mode case.)
    """
    m, r, n = cost.shape
    saving = (cost[:, spill:spill + 1, :] - cost).reshape(m * r, n)
    saving = np.where(np.isfinite(saving) & (saving > 0), saving, -np.inf)
    order = np.argsort(-saving, axis=0, kind="stable")  # (M*R, N)
    left_dem, left_cap = demand.copy(), cap.copy()
    x = np.zeros((m * r, n))
    cols = np.arange(n)
    for step in range(m * r):
        pair = order[step]
        mode, route = pair // r, pair % r
        ok = np.isfinite(saving[pair, cols])
        grant = np.where(ok, np.minimum(left_dem[mode, cols], left_cap[route, cols]), 0.0)
        x[pair, cols] += grant
        left_dem[mode, cols] -= grant
        left_cap[route, cols] -= grant
    x = x.reshape(m, r, n)
    x[:, spill, :] += left_dem
    return x


def _as_samples(name: str, table: Mapping[str, object], modes, n: int | None, positive: bool):
    out = {}
    for m in modes:
        if m not in table:
            raise ValueError(f"{name} must give every mode in demand_mt; missing {m!r}")
        v = np.atleast_1d(np.asarray(table[m], dtype=float))
        bad = (v <= 0) if positive else (v < 0)
        if v.ndim != 1 or np.any(~np.isfinite(v)) or np.any(bad):
            allowed = "> 0" if positive else ">= 0"
            raise ValueError(f"{name}[{m!r}] must be finite and {allowed} (got {table[m]!r})")
        out[m] = v
    sizes = {v.size for v in out.values()} - {1}
    if n is not None:
        sizes |= {n}
    if len(sizes) > 1:
        raise ValueError(f"{name}: sample arrays must all have one length (got {sorted(sizes)})")
    return out, (sizes.pop() if sizes else (n or 1))


def _check_inputs(demand_mt, routes, transit, rng):
    for m in demand_mt:
        check_mode(m)
    if SPILL_ROUTE not in routes:
        raise ValueError(f"routes must include {SPILL_ROUTE!r}, the uncapacitated spill route "
                         f"(got {', '.join(routes)})")
    for m in demand_mt:
        if m not in routes[SPILL_ROUTE].modes:
            raise ValueError(f"mode {m!r} must be carried by route {SPILL_ROUTE!r}")
    if transit not in TRANSIT:
        raise ValueError(f"transit must be one of {', '.join(TRANSIT)} (got {transit!r})")
    if transit == "des" and rng is None:
        raise ValueError("transit='des' needs rng, a numpy Generator (got None)")


def _usable_capacity(routes: Mapping[str, Route]) -> np.ndarray:
    """Usable capacity per route, Mt/yr: RHO_MAX x bottleneck capacity; inf for Suez."""
    return np.array([np.inf if name == SPILL_ROUTE else
                     load_for_utilisation(r, RHO_MAX) * r.tonnes_per_shipment / 1e6
                     for name, r in routes.items()])


def assign_routes(
    demand_mt: Mapping[str, np.ndarray | float],
    value_usd_per_t: Mapping[str, np.ndarray | float],
    time_cost_rate: Mapping[str, np.ndarray | float],
    routes: Mapping[str, Route],
    *,
    transit: Literal["surrogate", "des"] = "surrogate",
    rng: np.random.Generator | None = None,
    wait_scale: Mapping[str, float] | None = None,
    tol: float = 1e-6,
    max_iter: int = 50,
) -> Assignment:
    """Assign each mode's tonnage to routes by generalised cost, capacity and congestion.

    Parameters
    ----------
    demand_mt : mode -> tonnes to ship, Mt/yr, scalar or (N,). Modes from ``MODES``.
    value_usd_per_t : mode -> cargo value, US$ per tonne (> 0), scalar or (N,).
    time_cost_rate : mode -> time cost, fraction of value per day (0.006-0.021, Hummels &
        Schaur 2013), scalar or (N,).
    routes : route name -> Route; must include ``"suez"`` (the uncapacitated spill route).
    transit : ``"surrogate"`` (fast, vectorised) or ``"des"`` (one DES run per sample).
    rng : needed for ``transit="des"``; per-sample seeds are drawn from it once.
    wait_scale : optional per-route calibration of the surrogate waits (``surrogate.calibrate``).
    tol, max_iter : bisection tolerance (bracket width / capacity) and step cap.

    Returns
    -------
    Assignment
    """
    _check_inputs(demand_mt, routes, transit, rng)
    modes = tuple(demand_mt)
    dem, n = _as_samples("demand_mt", demand_mt, modes, None, positive=False)
    val, n = _as_samples("value_usd_per_t", value_usd_per_t, modes, n, positive=True)
    rate, n = _as_samples("time_cost_rate", time_cost_rate, modes, n, positive=False)
    demand = np.array([np.broadcast_to(dem[m], (n,)) for m in modes])
    carries = np.array([[m in r.modes for r in routes.values()] for m in modes])
    freight = np.array([[r.freight_for(m) if m in r.modes else np.inf for r in routes.values()]
                        for m in modes])[:, :, None] / np.array([val[m] for m in modes])[:, None]
    rates = np.array([np.broadcast_to(rate[m], (n,)) for m in modes])[:, None, :]
    cap = np.broadcast_to(_usable_capacity(routes)[:, None], (len(routes), n))
    spill = list(routes).index(SPILL_ROUTE)
    seeds = None if rng is None else rng.integers(0, 2**63 - 1, size=n)
    days_fn = TRANSIT[transit]

    def costs(loads):
        days, sat = days_fn(routes, loads, wait_scale=wait_scale, seeds=seeds)
        c = freight + days[None] * rates
        return np.where(carries[:, :, None], c, np.inf), days, sat

    def fill(cost):
        return _fill(cost, demand, cap, spill)

    total = demand.sum(axis=0)
    others = np.arange(len(routes)) != spill

    def fill_at(loads):
        """Fill at the days of ``loads`` with each route capped at min(capacity, its load)."""
        loads = loads.copy()
        loads[spill] = np.maximum(total - loads[others].sum(axis=0), 0.0)
        cost = costs(loads)[0]
        return cost, _fill(cost, demand, np.minimum(cap, np.where(others[:, None], loads, np.inf)),
                           spill)

    lo = np.zeros((len(routes), n))
    hi = np.where(others[:, None], np.minimum(cap, total), 0.0)
    width = np.where(others[:, None], np.maximum(np.minimum(cap, total), 1.0), 1.0)
    it = 0
    while it < max_iter and np.max((hi - lo) / width) > tol:
        it += 1
        mid = (lo + hi) / 2.0
        _, x = fill_at(np.where(others[:, None], mid, np.inf))
        wants = x.sum(axis=0) >= mid * (1.0 - 1e-12)  # route fills to mid: equilibrium above
        lo, hi = np.where(wants, mid, lo), np.where(wants, hi, mid)
    cost, x = fill_at(lo)
    gap = float(np.max((hi - lo) / width))
    cost, days, sat = costs(x.sum(axis=0))
    return _assignment(routes, modes, x, demand, cost, days, sat, freight, gap <= tol, it, gap,
                       _usable_capacity(routes))


def _assignment(routes, modes, x, demand, cost, days, sat, freight, converged, it, gap, cap):
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(demand[:, None, :] > 0, x / demand[:, None, :], 0.0)
        used = np.where(x > 0, cost * x, 0.0).sum(axis=1) / demand
        used_f = np.where(x > 0, np.broadcast_to(freight, x.shape) * x, 0.0).sum(axis=1) / demand
    cheapest = cost.min(axis=1)
    cheapest_f = np.take_along_axis(np.broadcast_to(freight, cost.shape),
                                    cost.argmin(axis=1)[:, None, :], axis=1)[:, 0, :]
    ad_val = np.where(demand > 0, used, cheapest)
    ad_val_f = np.where(demand > 0, used_f, cheapest_f)
    return Assignment(
        routes=tuple(routes), modes=modes, tonnes_mt=x, share=share, cost=cost, days=days,
        route_tonnes_mt=x.sum(axis=0), capacity_mt=cap,
        ad_valorem={m: ad_val[i] for i, m in enumerate(modes)},
        ad_valorem_freight={m: ad_val_f[i] for i, m in enumerate(modes)},
        saturated=sat, converged=bool(converged), iterations=it, gap=gap,
    )
