"""The pipeline: scenario -> drivers <-> corridors (fixed point per year) -> engine -> Batch.

:func:`run_batch` evaluates N samples at once (a deterministic run is N = 1); it does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from model import engine
from model.data import Baseline, load_baseline
from model.drivers import ROUTED_MODES, Drivers, build
from model.scenario import Scenario, with_values

TOLERANCE = 1e-10  # max change of any transport cost (share of value) between iterations
MAX_ITER = 50


@dataclass(frozen=True)
class Batch:
    """Projection of N samples. Values in US$ bn; axes (N, [F | R,] Y)."""

    years: np.ndarray  # (Y,) fiscal start years
    flow_names: tuple[str, ...]
    is_export: np.ndarray  # (F,)
    flows: np.ndarray  # (N, F, Y)
    transport: np.ndarray  # (N, F, Y) transport + time cost, share of value
    route_names: tuple[str, ...]
    route_mt: np.ndarray  # (N, M, R, Y) tonnes carried by mode and route, Mt
    route_days: np.ndarray  # (N, R, Y)
    iterations: np.ndarray  # (Y,) fixed-point iterations used
    converged: np.ndarray  # (Y,) bool
    triggered: np.ndarray | None = None  # (N, K, Y) bool: trigger k acted in the year (if any)

    @property
    def exports(self) -> np.ndarray:
        return self.flows[:, self.is_export].sum(axis=1)

    @property
    def imports(self) -> np.ndarray:
        return self.flows[:, ~self.is_export].sum(axis=1)

    @property
    def total(self) -> np.ndarray:
        return self.exports + self.imports

    @property
    def balance(self) -> np.ndarray:
        return self.exports - self.imports

    @property
    def n(self) -> int:
        return self.flows.shape[0]


def run_batch(scenario: Scenario, overrides: Mapping[str, np.ndarray] | None = None, *,
              rng: np.random.Generator | None = None, baseline: Baseline | None = None) -> Batch:
    """Project ``scenario`` for every sample in ``overrides`` (dotted path -> array (N,)).

    ``rng`` is accepted for the stochastic corridor model; the default (capacity-limited route
    assignment) is deterministic and does not use it.
    """
    base = baseline or load_baseline(scenario.settings.dataset)
    sc = with_values(scenario, overrides) if overrides else scenario
    triggers = getattr(sc, "triggers", ())
    if not triggers:
        return project(build(sc, base))
    return project(build(sc, base), triggers=trigger_worlds(sc, base))


# ------------------------------------------------------------------------------ triggers
@dataclass(frozen=True)
class TriggerWorlds:
    """Drivers for every combination of trigger states: ``worlds[mask]`` has trigger k's
    ``value`` where bit k of ``mask`` is set and its ``otherwise`` where it is not."""

    conditions: tuple[tuple[str, str, float], ...]  # (quantity, operator, threshold)
    starts: tuple[float, ...]  # first fiscal year each trigger may act (-inf: always)
    worlds: tuple[Drivers, ...]


def trigger_worlds(sc: Scenario, base: Baseline) -> TriggerWorlds:
    """Build the 2^K driver sets of a scenario's K triggers (later triggers win on a shared path)."""
    worlds = []
    for mask in range(1 << len(sc.triggers)):
        values = {}
        for k, trig in enumerate(sc.triggers):
            value = trig.value if mask >> k & 1 else trig.otherwise
            if value is not None:
                values[trig.set] = value
        worlds.append(build(with_values(sc, values), base))
    return TriggerWorlds(conditions=tuple(t.condition for t in sc.triggers),
                         starts=tuple(-np.inf if t.start is None else t.start for t in sc.triggers),
                         worlds=tuple(worlds))


_COMPARE = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}


def _quantity(name: str, flows: np.ndarray, is_export: np.ndarray, oil: np.ndarray,
              lng: np.ndarray) -> np.ndarray:
    """A trigger quantity (N,) from one year's flows (N, F) and energy volumes (N,)."""
    exports, imports = flows[:, is_export].sum(axis=1), flows[:, ~is_export].sum(axis=1)
    return {"exports": exports, "imports": imports, "balance": exports - imports,
            "total_trade": exports + imports, "oil.volume_mbd": oil, "lng.volume_mt": lng}[name]


class _Selector:
    """Per-sample, per-year choice among trigger worlds: writes year t of the working driver
    arrays from the world each sample is in (vectorised with fancy indexing)."""

    FIELDS = ("energy_value", "level", "log_policy_cost", "diversion", "oil_volume", "lng_volume")

    def __init__(self, tw: TriggerWorlds, n: int):
        ws = tw.worlds
        self.stacks = {f: np.stack([np.broadcast_to(getattr(w, f), (n, *getattr(w, f).shape[1:]))
                                    for w in ws]) for f in self.FIELDS}
        self.stacks["capacity"] = np.stack([np.broadcast_to(w.routes.capacity, (n, *w.routes.capacity.shape[1:])) for w in ws])
        self.stacks["days"] = np.stack([np.broadcast_to(w.routes.days, (n, *w.routes.days.shape[1:])) for w in ws])
        for m in ws[0].routes.freight:
            self.stacks[f"freight:{m}"] = np.stack([np.broadcast_to(w.routes.freight[m], (n, *w.routes.freight[m].shape[1:])) for w in ws])
        self.work = {k: v[0].copy() for k, v in self.stacks.items()}
        r = ws[0].routes
        routes = replace(r, capacity=self.work["capacity"], days=self.work["days"],
                         freight={m: self.work[f"freight:{m}"] for m in r.freight})
        self.drivers = replace(ws[0], routes=routes, **{f: self.work[f] for f in self.FIELDS})
        self.rows = np.arange(n)

    def choose(self, mask: np.ndarray, t: int) -> None:
        for k, stack in self.stacks.items():
            self.work[k][..., t] = stack[mask, self.rows, ..., t]


def _trigger_masks(tw: TriggerWorlds, flows: np.ndarray, d: Drivers, t: int):
    """States (N, K) of the triggers in year t, from the quantities of year t - 1."""
    oil, lng = d.oil_volume[:, t - 1], d.lng_volume[:, t - 1]
    on = np.stack([_COMPARE[op](_quantity(q, flows[..., t - 1], d.is_export, oil, lng), x)
                   for q, op, x in tw.conditions], axis=1)
    on &= d.years[t] >= np.asarray(tw.starts)[None, :]
    return on, (on * (1 << np.arange(on.shape[1]))).sum(axis=1)


def _transport_cost(d: Drivers, values: np.ndarray, t: int):
    """Route assignment for year index ``t`` given flow values (N, F): returns per-flow transport
    cost (N, F), tonnes (N, M, R) and the route days (N, R)."""
    n = values.shape[0]
    routes = d.routes
    days = np.broadcast_to(routes.days[..., t], (n, len(routes.names)))
    cap = np.broadcast_to(routes.capacity[..., t], days.shape)
    usd_per_t = np.broadcast_to(d.usd_per_t[..., 0], values.shape)
    time_cost = np.broadcast_to(d.time_cost[..., 0], values.shape)
    tonnes = values * 1e3 / usd_per_t  # Mt, since value is US$ bn
    transport = np.zeros_like(values)
    carried = np.zeros((n, len(ROUTED_MODES), len(routes.names)))
    for m, mode in enumerate(ROUTED_MODES):
        sel = d.mode_index == m
        if not sel.any():
            continue
        freight = np.broadcast_to(routes.freight[mode][..., t], days.shape)
        freight = np.where(routes.open_[:, t], freight, np.inf)
        value, mt = values[:, sel].sum(axis=1), tonnes[:, sel].sum(axis=1)
        density = np.divide(value * 1e3, mt, out=np.ones_like(mt), where=mt > 0)
        tc = np.divide((values[:, sel] * time_cost[:, sel]).sum(axis=1), value,
                       out=np.zeros_like(value), where=value > 0)
        cost = freight / density[:, None] + days * tc[:, None]  # generalised cost, share of value
        carried[:, m] = engine.fill_routes(mt, cap, cost)
        share = np.divide(carried[:, m], mt[:, None], out=np.zeros_like(cost), where=mt[:, None] > 0)
        served = np.isfinite(freight)
        f_adv = np.where(served[:, None, :], freight[:, None, :] / usd_per_t[:, sel, None], 0.0)
        per_route = f_adv + days[:, None, :] * time_cost[:, sel, None]
        transport[:, sel] = (share[:, None, :] * per_route).sum(axis=-1)
    return transport, carried, days


def project(d: Drivers, *, triggers: TriggerWorlds | None = None) -> Batch:
    """Year-by-year projection with the trade <-> corridor fixed point in each year.

    With ``triggers``, each sample's drivers for year t come from the trigger world selected by
    the conditions on year t - 1 (``d`` is then ignored in favour of the worlds).
    """
    selector = None
    if triggers is not None:
        n = max(w.n for w in triggers.worlds)
        selector = _Selector(triggers, n)
        d = selector.drivers
        triggered = np.zeros((n, len(triggers.conditions), d.years.size), dtype=bool)
    n, (f, y) = d.n, (d.v0.size, d.years.size)
    flows = np.empty((n, f, y))
    transport = np.empty((n, f, y))
    route_mt = np.empty((n, len(ROUTED_MODES), len(d.routes.names), y))
    route_days = np.empty((n, len(d.routes.names), y))
    iterations = np.zeros(y, dtype=int)
    converged = np.ones(y, dtype=bool)
    energy = np.broadcast_to(d.energy_value, (n, f, y))
    level = np.broadcast_to(d.level, (n, f, y))
    policy = np.broadcast_to(d.log_policy_cost, (n, f, y))
    diversion = np.broadcast_to(d.diversion, (n, f, y))
    goods = d.is_goods[None, :]
    is_energy = ~np.isnan(energy[:, :, 0])

    v = np.broadcast_to(d.v0, (n, f)).copy()
    tau, mt, days = _transport_cost(d, v, 0)
    log_cost0 = policy[..., 0] + np.log1p(tau)  # ln T0 per flow
    effective = log_cost0
    flows[..., 0], transport[..., 0], route_mt[..., 0], route_days[..., 0] = v, tau, mt, days
    for t in range(1, y):
        if selector is not None:
            triggered[..., t], mask = _trigger_masks(triggers, flows, d, t)
            selector.choose(mask, t)
        for it in range(1, MAX_ITER + 1):
            target = policy[..., t] + np.log1p(tau)
            eff_t = engine.adjust(effective, target, d.speed)
            value = engine.goods_value(d.v0, level[..., t], eff_t - log_cost0, d.elasticity[..., 0])
            v = np.where(goods, value, 0.0) + np.where(is_energy, energy[..., t], 0.0) + diversion[..., t]
            new_tau, mt, days = _transport_cost(d, v, t)
            change = np.max(np.abs(new_tau - tau)) if new_tau.size else 0.0
            tau = new_tau
            if change < TOLERANCE:
                break
        else:
            converged[t] = False
        iterations[t] = it
        effective = eff_t
        flows[..., t], transport[..., t], route_mt[..., t], route_days[..., t] = v, tau, mt, days
    return Batch(years=d.years, flow_names=d.flow_names, is_export=d.is_export, flows=flows,
                 transport=transport, route_names=d.routes.names, route_mt=route_mt,
                 route_days=route_days, iterations=iterations, converged=converged,
                 triggered=triggered if selector is not None else None)

