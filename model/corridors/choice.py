"""Route choice by generalised cost subject to capacity, with congestion (pure numpy).

For each mode, routes are ranked by generalised cost, a fraction of the cargo value::

    cost[m, r] = freight[m, r] / value[m] + days[r] * time_cost_rate[m]

with ``time_cost_rate`` about 0.006-0.021 of value per day by sector (Hummels & Schaur 2013,
"Time as a trade barrier", AER 103(7): 0.6-2.1% ad valorem per day). Demand fills the cheapest
routes first up to their usable capacity (:data:`RHO_MAX` of the bottleneck capacity). Capacity is
shared in tonnes by all modes on a route and goes first to the (mode, route) pairs with the largest
saving in US$ per tonne over Suez (see :func:`_fill`). Transit days come from the queueing
surrogate (or the DES) at the resulting loads, so a loaded route gets slower.

The fixed point is found by Gauss-Seidel sweeps over the capacitated routes; in each, a route's
load L in [0, capacity] is found by bisection with the other routes' days held: the load rises
while, at the days of load L, the fill would put at least L on the route and (by default,
``equilibrium="system"``) the marginal tonne's saving exceeds the delay cost it imposes on the
route's other cargo. Every tonne on a route then pays less than on Suez at the actual, congested
days. With ``equilibrium="user"`` the second condition is dropped (a Wardrop equilibrium): more
capacity can then raise total generalised cost, because new cargo congests the incumbents until
the route is no cheaper than Suez. Sweeps stop when no route's load moves by more than ``tol`` x
capacity; not reaching that within ``max_iter`` sweeps is reported (``converged=False``, with the
last change as ``gap``), never hidden.

Suez is the spill route: it is treated as uncapacitated (its physical capacity, ~324 Mt/yr of
India-Russia cargo, is far above any scenario's demand), so demand that fits on no other route
goes by Suez. Arrays carry a sample axis N last.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
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
    numbers, one stream per sample and route), so the map from loads to days is deterministic
    and the fixed point can converge. Slow: one DES run per route, sample and evaluation.
    Saturation flags come from the bottleneck utilisation (the DES itself would only show a
    growing backlog).
    """
    from .des import simulate

    days = np.empty(loads_mt.shape)
    for i, (name, r) in enumerate(routes.items()):
        for k in range(loads_mt.shape[1]):
            # each route runs alone with a seed fixed by (sample, route name): the same loads
            # give the same days whichever other routes are evaluated in the same call
            rng = np.random.default_rng([int(seeds[k]), zlib.crc32(name.encode())])
            counts = [loads_mt[i, k] * 1e6 / r.tonnes_per_shipment] * DES_YEARS
            st = simulate({name: r}, {name: counts}, range(DES_YEARS), rng)
            w, mean = st.shipments[0, 1:], np.nan_to_num(st.transit_days_mean[0, 1:])
            days[i, k] = (w @ mean) / w.sum() if w.sum() else r.service_hours() / 24.0
    _, sat = surrogate_days(routes, loads_mt)
    return np.where(sat, np.inf, days), sat


TRANSIT: dict[str, Callable] = {"surrogate": surrogate_days, "des": des_days}
#: relative load step of the finite-difference delay slope: tiny for the smooth surrogate; 10% for
#: the DES, whose days at nearby loads differ only by sampling (common random numbers)
FD_STEP = {"surrogate": 1e-4, "des": 0.1}


def _fill(cost: np.ndarray, demand: np.ndarray, cap: np.ndarray, spill: int,
          value: np.ndarray) -> np.ndarray:
    """Greedy fill by dollar saving over the spill route, vectorised over samples.

    ``cost`` (M, R, N) ad valorem, ``demand`` (M, N), ``cap`` (R, N), ``value`` (M, N) US$/t
    -> tonnes (M, R, N). All (mode, route) pairs cheaper than the spill route are taken in order
    of their saving in US$ per tonne (largest first), each up to the mode's remaining demand and
    the route's remaining capacity: within a mode this is cheapest-first; across modes scarce
    capacity goes to the cargo that would pay most for it (a capacity auction). The rest goes to
    the spill route. (Greedy: not the linear-programme optimum in every multi-mode case.)
    """
    m, r, n = cost.shape
    saving = ((cost[:, spill:spill + 1, :] - cost) * value[:, None, :]).reshape(m * r, n)
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


def mode_of(key: str) -> str:
    """Mode of a demand key: ``"tanker"`` or ``"tanker:far_east"`` (mode, colon, cargo group)."""
    return key.split(":", 1)[0]


def _check_inputs(demand_mt, routes, transit, rng, equilibrium):
    for m in demand_mt:
        check_mode(mode_of(m))
    if SPILL_ROUTE not in routes:
        raise ValueError(f"routes must include {SPILL_ROUTE!r}, the uncapacitated spill route "
                         f"(got {', '.join(routes)})")
    for m in demand_mt:
        if mode_of(m) not in routes[SPILL_ROUTE].modes:
            raise ValueError(f"mode {m!r} must be carried by route {SPILL_ROUTE!r}")
    if equilibrium not in ("system", "user"):
        raise ValueError(f"equilibrium must be one of system, user (got {equilibrium!r})")
    if transit not in TRANSIT:
        raise ValueError(f"transit must be one of {', '.join(TRANSIT)} (got {transit!r})")
    if transit == "des" and rng is None:
        raise ValueError("transit='des' needs rng, a numpy Generator (got None)")


def _carries(modes, routes: Mapping[str, Route], allowed) -> np.ndarray:
    """(M, R) may mode m use route r: the route carries it and ``allowed`` permits it."""
    ok = np.array([[mode_of(m) in r.modes for r in routes.values()] for m in modes])
    for m, names in (allowed or {}).items():
        if m not in modes:
            raise ValueError(f"allowed mode must be one of {', '.join(modes)} (got {m!r})")
        for name in names:
            if name not in routes:
                raise ValueError(f"allowed[{m!r}] route must be one of {', '.join(routes)} "
                                 f"(got {name!r})")
        if SPILL_ROUTE not in names:
            raise ValueError(f"allowed[{m!r}] must include {SPILL_ROUTE!r} (got {list(names)!r})")
        ok[modes.index(m)] &= np.array([name in names for name in routes])
    return ok


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
    allowed: Mapping[str, Sequence[str]] | None = None,
    equilibrium: Literal["system", "user"] = "system",
    tol: float = 1e-6,
    max_iter: int = 50,
) -> Assignment:
    """Assign each mode's tonnage to routes by generalised cost, capacity and congestion.

    Parameters
    ----------
    demand_mt : cargo key -> tonnes to ship, Mt/yr, scalar or (N,). A key is a mode from
        ``MODES``, optionally with a cargo group after a colon (``"tanker:far_east"``), so that
        cargo of one mode from different origins can be given different ``allowed`` routes.
        All other per-mode arguments and outputs are keyed the same way.
    value_usd_per_t : mode -> cargo value, US$ per tonne (> 0), scalar or (N,).
    time_cost_rate : mode -> time cost, fraction of value per day (0.006-0.021, Hummels &
        Schaur 2013), scalar or (N,).
    routes : route name -> Route; must include ``"suez"`` (the uncapacitated spill route).
    transit : ``"surrogate"`` (fast, vectorised) or ``"des"`` (one DES run per sample).
    rng : needed for ``transit="des"``; per-sample seeds are drawn from it once.
    wait_scale : optional per-route calibration of the surrogate waits (``surrogate.calibrate``).
    allowed : optional mode -> route names the mode may use (e.g. by cargo origin: Far East cargo
        on ``chennai_vladivostok``, western Russian cargo on ``instc``); must include ``"suez"``.
        Default: every route that carries the mode.
    equilibrium : ``"system"`` (default): a route takes more cargo only while the marginal
        tonne's saving exceeds the delay cost it imposes on the route's other cargo (congestion
        priced or booked capacity; total generalised cost then never rises with capacity).
        ``"user"``: each tonne compares only its own cost (Wardrop); adding capacity can then
        raise total cost, as new cargo congests the incumbents (Pigou-Knight).
    tol, max_iter : tolerance (load change and bisection bracket, relative to capacity) and
        the cap on Gauss-Seidel sweeps.

    Returns
    -------
    Assignment
    """
    _check_inputs(demand_mt, routes, transit, rng, equilibrium)
    modes = tuple(demand_mt)
    dem, n = _as_samples("demand_mt", demand_mt, modes, None, positive=False)
    val, n = _as_samples("value_usd_per_t", value_usd_per_t, modes, n, positive=True)
    rate, n = _as_samples("time_cost_rate", time_cost_rate, modes, n, positive=False)
    demand = np.array([np.broadcast_to(dem[m], (n,)) for m in modes])
    carries = _carries(modes, routes, allowed)
    freight = np.array([[r.freight_for(mode_of(m)) if mode_of(m) in r.modes else np.inf
                         for r in routes.values()]
                        for m in modes])[:, :, None] / np.array([val[m] for m in modes])[:, None]
    seeds = None if rng is None else rng.integers(0, 2**63 - 1, size=n)
    prob = _Problem(routes=dict(routes), demand=demand, freight=freight, carries=carries,
                    rates=np.array([np.broadcast_to(rate[m], (n,)) for m in modes])[:, None, :],
                    cap=np.broadcast_to(_usable_capacity(routes)[:, None], (len(routes), n)),
                    spill=list(routes).index(SPILL_ROUTE), transit=TRANSIT[transit],
                    value=np.array([np.broadcast_to(val[m], (n,)) for m in modes]),
                    system=equilibrium == "system", fd_step=FD_STEP[transit],
                    wait_scale=wait_scale, seeds=seeds)
    x, change, sweeps = _equilibrium(prob, tol, max_iter)
    days, sat = prob.days(x.sum(axis=0))
    cost = prob.cost(days)
    return _assignment(routes, modes, x, demand, cost, days, sat, freight, change <= tol, sweeps,
                       change, _usable_capacity(routes))


@dataclass(frozen=True)
class _Problem:
    """Everything the equilibrium needs; arrays (M, R, N) / (R, N) as in :class:`Assignment`."""

    routes: dict[str, Route]
    demand: np.ndarray
    freight: np.ndarray
    carries: np.ndarray
    rates: np.ndarray
    cap: np.ndarray
    spill: int
    value: np.ndarray
    system: bool
    transit: Callable
    fd_step: float  # relative load step for the marginal-delay slope
    wait_scale: Mapping[str, float] | None
    seeds: np.ndarray | None

    def days(self, loads: np.ndarray, only: int | None = None):
        """Transit days and saturation (R, N), or for route ``only`` ((1, N) each)."""
        routes = self.routes if only is None else dict([list(self.routes.items())[only]])
        sub = loads if only is None else loads.reshape(1, -1)
        return self.transit(routes, sub, wait_scale=self.wait_scale, seeds=self.seeds)

    def cost(self, days: np.ndarray) -> np.ndarray:
        c = self.freight + days[None] * self.rates
        return np.where(self.carries[:, :, None], c, np.inf)

    def fill(self, days: np.ndarray, caps: np.ndarray) -> np.ndarray:
        return _fill(self.cost(days), self.demand, caps, self.spill, self.value)

    def external_cost(self, r: int, load: np.ndarray, days_r: np.ndarray, on_r: np.ndarray):
        """US$ per extra tonne on route ``r`` from the delay it adds to the tonnes ``on_r``."""
        step = np.maximum(self.fd_step * load, 1e-6)
        slope = (self.days(load + step, only=r)[0][0] - days_r) / step  # days per Mt
        return slope * (on_r * self.value * self.rates[:, 0, :]).sum(axis=0)


def _bisect_route(prob: _Problem, days: np.ndarray, caps: np.ndarray, r: int, tol: float):
    """Equilibrium load of route ``r`` with the other routes' days held fixed.

    At trial load L (route capped at L, its days at L): if the fill puts L on the route, the
    equilibrium load is above L, else below. Returns the lower end of the final bracket, a load
    the route's users all gain from at the days it causes.
    """
    d = days.copy()

    def fills(load):
        d[r] = prob.days(load, only=r)[0][0]
        trial = caps.copy()
        trial[r] = load
        x = prob.fill(d, trial)
        on_r = x[:, r]
        ok = on_r.sum(axis=0) >= load * (1.0 - 1e-12)
        if prob.system:  # the marginal tonne must save more than the delay it imposes
            saving = (prob.cost(d)[:, prob.spill] - prob.cost(d)[:, r]) * prob.value
            marginal = np.where(on_r > 0, saving, np.inf).min(axis=0)
            ok &= marginal >= prob.external_cost(r, load, d[r], on_r)
        return ok

    top = np.minimum(prob.cap[r], (prob.demand * prob.carries[:, r, None]).sum(axis=0))
    full = fills(top)  # route worth filling to capacity (or to all its demand): done
    lo, hi = np.where(full, top, 0.0), top.copy()
    width = np.maximum(top, 1.0)
    while np.max((hi - lo) / width) > tol:
        mid = (lo + hi) / 2.0
        wants = fills(mid)
        lo, hi = np.where(wants, mid, lo), np.where(wants, hi, mid)
    return lo


def _equilibrium(prob: _Problem, tol: float, max_iter: int):
    """Gauss-Seidel sweeps over the capacitated routes, each solved by :func:`_bisect_route`
    with the other routes capped at their current loads.

    Returns the assignment (M, R, N), the last sweep's largest load change relative to capacity
    (0 at a fixed point) and the number of sweeps.
    """
    n_routes, n = prob.cap.shape
    loads = np.zeros((n_routes, n))
    loads[prob.spill] = prob.demand.sum(axis=0)
    days = prob.days(loads)[0]
    width = np.maximum(np.where(np.isfinite(prob.cap), prob.cap, 1.0), 1.0)
    spill = np.arange(n_routes)[:, None] == prob.spill
    x = prob.fill(days, np.where(spill, np.inf, np.zeros((n_routes, n))))
    change, sweep = np.inf, 0
    while sweep < max_iter and change > tol:
        sweep += 1
        start = loads
        for r in range(n_routes):
            if r == prob.spill:
                continue
            # the other routes keep their current loads while route r is re-solved at its full
            # capacity; then the whole state is refilled and the days updated (Gauss-Seidel)
            caps = np.where(spill, np.inf, loads)
            caps[r] = _bisect_route(prob, days, caps, r, tol)
            days[r] = prob.days(caps[r], only=r)[0][0]
            x = prob.fill(days, caps)
            loads = x.sum(axis=0)
            days = prob.days(loads)[0]
        change = float(np.max(np.abs(loads - start) / width))
    return x, change, sweep


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
