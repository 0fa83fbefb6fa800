"""Coupling of the corridor model to the yearly trade projection (docs/design.md §3.5).

Three corridor models share one interface, chosen by ``corridors.model`` in a scenario:

- ``capacity`` (default): cheapest-first fill under capacity with fixed transit days
  (:func:`model.engine.fill_routes`); fully vectorised, used for sweeps.
- ``surrogate``: the stage-level network of :mod:`model.corridors.network`, route choice with
  congestion (:func:`model.corridors.choice.assign_routes`) and queueing-theory transit days
  (Erlang-C / Allen-Cunneen, :mod:`model.corridors.surrogate`).
- ``des``: as ``surrogate`` for route choice, then the SimPy model
  (:func:`model.corridors.des.simulate`) run at the chosen loads to report throughput, transit
  time (mean, p95), stage utilisation and backlog per route and year.

The scenario keeps its say over capacities (``capacity_mt`` paths, the Rasht-Astara link) and
which routes carry which mode; stage structure, freight and service times come from the network.
No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .choice import assign_routes
from .des import CorridorStats, simulate
from .network import ROUTE_NAMES, Route, default_routes

NO_LINK = 10_000  # "never" for the Rasht-Astara opening year
CHOICE_TOL = 1e-5  # route-load tolerance of the choice equilibrium, share of route capacity


@dataclass(frozen=True)
class QueueYear:
    """One year's corridor network for the queueing models."""

    routes: dict[str, Route]
    allowed: dict[str, tuple[str, ...]]  # mode -> route names that may carry it
    freight: np.ndarray  # (M, R) US$/t by routed mode and route (inf where not allowed)
    base_days: np.ndarray  # (R,) reference days, used where a route carries nothing


def queue_year(route_names, route_modes, capacity_mt, year: int, link_year: int | None,
               modes: tuple[str, ...]) -> QueueYear:
    """Network for fiscal ``year`` with the scenario's capacities (Mt/yr, scalars; inf = none).

    ``route_names`` must be the network's four routes; ``route_modes[r]`` the modes the scenario
    lets route r carry.
    """
    unknown = [r for r in route_names if r not in ROUTE_NAMES]
    if unknown:
        raise ValueError(f"route '{unknown[0]}' has no stage network; the queueing corridor "
                         f"models know {', '.join(ROUTE_NAMES)}")
    caps = {r: float(c) for r, c in zip(route_names, capacity_mt, strict=True)
            if np.isfinite(c) and r != "suez"}
    routes = default_routes(year, NO_LINK if link_year is None else link_year, caps)
    routes = {r: routes[r] for r in route_names}
    allowed = {m: tuple(r for r, ms in zip(route_names, route_modes, strict=True) if m in ms)
               for m in modes}
    freight = np.array([[routes[r].freight_for(m) if r in allowed[m] else np.inf
                         for r in route_names] for m in modes])
    return QueueYear(routes=routes, allowed=allowed, freight=freight,
                     base_days=np.array([routes[r].base_days for r in route_names]))


def assign(q: QueueYear, modes: tuple[str, ...], tonnes_mt: np.ndarray, density: np.ndarray,
           rate: np.ndarray):
    """Route shares (k, M, R) and congested transit days (k, R) for tonnage by mode.

    tonnes_mt, density (US$/t), rate (time cost, share of value per day): (k, M).
    """
    served = [i for i, m in enumerate(modes) if q.allowed[m]]
    a = assign_routes({modes[i]: tonnes_mt[:, i] for i in served},
                      {modes[i]: np.maximum(density[:, i], 1.0) for i in served},
                      {modes[i]: rate[:, i] for i in served}, q.routes,
                      allowed={modes[i]: q.allowed[modes[i]] for i in served}, tol=CHOICE_TOL)
    if not a.converged:
        raise RuntimeError(f"corridor route choice did not converge (gap {a.gap:.2e})")
    share = np.zeros((tonnes_mt.shape[0], len(modes), len(q.routes)))
    for j, i in enumerate(served):
        share[:, i] = a.share[j].T
    days = a.days.T
    days = np.where(np.isfinite(days), days, q.base_days[None, :])  # unused routes
    return share, days


def des_report(routes_by_year: list[dict[str, Route]], loads_mt: np.ndarray, years,
               rng: np.random.Generator) -> list[CorridorStats]:
    """Run the DES for each fiscal year at the chosen loads (R, Y) Mt/yr, one warm-up year each.

    Each year gets its own child generator, so a year's numbers do not depend on the others.
    """
    stats = []
    for t, (routes, year) in enumerate(zip(routes_by_year, years, strict=True)):
        counts = {r: [loads_mt[i, t] * 1e6 / route.tonnes_per_shipment] * 2
                  for i, (r, route) in enumerate(routes.items())}
        st = simulate(routes, counts, (int(year) - 1, int(year)), rng.spawn(1)[0])
        stats.append(st)
    return stats
