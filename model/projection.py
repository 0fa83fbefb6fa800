"""The pipeline: scenario -> drivers <-> corridors (fixed point per year) -> engine -> Batch.

:func:`run_batch` evaluates N samples at once (a deterministic run is N = 1); it does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from model import engine, fastpath, markets
from model.errors import InputError
from model.data import Baseline, load_baseline
from model.drivers import ROUTED_MODES, Drivers, build
from model.scenario import Scenario, with_values

TOLERANCE = 1e-10  # max change of any transport cost (share of value) between iterations
# the queueing route choice solves its own equilibrium to 1e-5 of capacity, so transport costs
# are only that exact: iterating the outer loop tighter than this would chase solver noise
TOLERANCE_QUEUE = 1e-6
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
    corridor_stats: tuple | None = None  # per year: corridors.des.CorridorStats (DES model only)
    markets: object | None = None  # drivers.MarketDrivers of the flows with rivals, or None
    market_partner_cost: np.ndarray | None = None  # (N, Fm, Y) the partner's log landed-cost change
    market_rival_cost: np.ndarray | None = None  # (N|1, Fm, S, Y) the rivals' (partner column 0)
    market_log_avail: np.ndarray | None = None  # (N|1, Fm, S, Y) log availability
    market_demand: np.ndarray | None = None  # (N|1, Fm, Y) demand index D of those markets
    market_elasticity: np.ndarray | None = None  # (N|1, Fm) their import elasticity |Em|
    market_price: np.ndarray | None = None  # (N|1, Fm, Y) ln of the partner's supply price

    @property
    def market_cost(self) -> np.ndarray | None:
        """(N, Fm, S, Y) log landed-cost changes of the markets' suppliers, partner first (built
        on demand: the rivals' part is usually common to every sample)."""
        if self.market_partner_cost is None:
            return None
        p, r = self.market_partner_cost, self.market_rival_cost
        out = np.array(np.broadcast_to(r, (p.shape[0], *r.shape[1:])))
        out[:, :, 0, :] = p
        return out

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
        return project(build(sc, base), rng=rng)
    return project(build(sc, base), triggers=trigger_worlds(sc, base), rng=rng)


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
        fields = self.FIELDS + (("rival_cost", "rival_log_avail", "export_price")
                                if ws[0].markets else ())
        self.stacks = {f: np.stack([np.broadcast_to(getattr(w, f), (n, *getattr(w, f).shape[1:]))
                                    for w in ws]) for f in fields}
        self.stacks["capacity"] = np.stack([np.broadcast_to(w.routes.capacity, (n, *w.routes.capacity.shape[1:])) for w in ws])
        self.stacks["days"] = np.stack([np.broadcast_to(w.routes.days, (n, *w.routes.days.shape[1:])) for w in ws])
        for m in ws[0].routes.freight:
            self.stacks[f"freight:{m}"] = np.stack([np.broadcast_to(w.routes.freight[m], (n, *w.routes.freight[m].shape[1:])) for w in ws])
        self.work = {k: v[0].copy() for k, v in self.stacks.items()}
        r = ws[0].routes
        routes = replace(r, capacity=self.work["capacity"], days=self.work["days"],
                         freight={m: self.work[f"freight:{m}"] for m in r.freight})
        self.drivers = replace(ws[0], routes=routes, **{f: self.work[f] for f in fields})
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


def _aitken(x0: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """Aitken's delta-squared extrapolation of a linearly converging sequence, elementwise;
    falls back to ``x2`` where the sequence is not contracting."""
    d1, d2 = x1 - x0, x2 - x1
    denom = d2 - d1
    ok = (np.abs(d2) < 0.5 * np.abs(d1)) & (np.abs(denom) > 1e-300)
    step = d2 * d2 / np.where(ok, denom, 1.0)
    # never extrapolate further than the remaining geometric tail could reach (|d2| / (1 - 1/2))
    step = np.clip(step, -2 * np.abs(d2), 2 * np.abs(d2))
    return np.maximum(np.where(ok, x2 - step, x2), 0.0)  # transport costs are >= 0


def _moved(new: np.ndarray, old: np.ndarray, tolerance: float) -> np.ndarray:
    """Samples (k,) whose largest change ``max_f |new - old|`` is ``>= tolerance`` (a NaN
    change stops a sample, as a NaN maximum would). Counted with matrix-vector products: numpy's
    reduction along a short last axis costs more than the arithmetic."""
    change = np.abs(new - old)
    ones = np.ones(change.shape[1])
    return ((change >= tolerance) @ ones > 0) & ~np.isnan(change @ ones)


def _rows(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Rows ``idx`` of an array whose first axis is the sample axis (or 1, broadcast)."""
    return a if a.shape[0] == 1 else a[idx]


@dataclass(frozen=True)
class _YearRoutes:
    """Route inputs of one year that do not depend on trade values (built once per year)."""

    days: np.ndarray  # (N|1, R)
    capacity: np.ndarray  # (N|1, R)
    modes: tuple  # per routed mode: (m, sel (F,) bool, freight (N|1, R) inf where not carried,
    #                               served freight (N|1, R) 0 there, usd_per_t, time_cost (N|1, Fm))
    queue: object | None = None  # corridors.coupling.QueueYear (surrogate / des models only)


class _YearValues:
    """Flow values of one year as a function of the transport costs, ``ln(1 + tau)`` (k, F).

    Eq. 7-8 with what does not change between fixed-point iterations computed once a year:
    ``z = c + speed ln(1 + tau)`` with ``c = prev + speed (policy - prev) - ln T0``, so the
    value of a goods flow is ``K exp(-e speed ln(1 + tau))`` with ``K = V0 D exp(-e c)``. For
    the flows with rivals (docs/markets.md) only the partner's landed cost moves in the
    iterations: the rivals' part of the CES sum is computed once a year,

        ln P^ = m + ln(1 + A + theta_0 expm1(ln a_0 + (1 - sigma)(z_0 - m))) / (1 - sigma),
        A = sum_{s>0} theta_s expm1(ln a_s + (1 - sigma)(z_s - m)),

    shifted by ``m`` (``shift``), the base-share mean of this year's costs (the partner's
    without its transport), as :func:`model.markets._log_index` shifts by the mean. Same numbers
    as :func:`model.markets.partner_log_change` to rounding; extreme costs take that function.
    """

    def __init__(self, d: Drivers, t: int, effective, log_cost0, speed, elasticity, n):
        policy = d.log_policy_cost[..., t]
        c = effective + speed * (policy - effective) - log_cost0  # (n, F)
        base = np.where(d.is_goods, d.v0 * d.level[..., t], 0.0)  # (N|1, F): 0 = not Eq. 8
        self.k = base * np.exp(-elasticity * c)
        self.nes = -elasticity * speed
        extra = d.diversion[..., t]  # added to goods values; energy flows take their values
        if d.energy_index.size:
            extra = np.array(np.broadcast_to(extra, np.broadcast_shapes(
                extra.shape, (d.energy_value.shape[0], extra.shape[1]))))
            extra[:, d.energy_index] = d.energy_value[..., t]
        self.extra = extra
        self.mk = mk = d.markets
        if mk is None:
            return
        m = self.m_idx = mk.flow_index
        self.speed, self.c0 = speed, c[:, m]
        self.base_m = (d.v0 * d.level[..., t])[:, m]
        self.extra_m = extra[:, m]
        self.rival_cost, self.log_a = d.rival_cost[..., t], d.rival_log_avail[..., t]
        theta, sigma = mk.theta, mk.sigma[..., 0]
        shift = (theta[..., 1:] * self.rival_cost[..., 1:]).sum(axis=-1) + theta[..., 0] * self.c0
        one_minus = 1.0 - sigma
        self.a, self.closed = np.zeros(shift.shape), True
        for th, zr, la in _rival_groups(theta, self.rival_cost, self.log_a):
            arg = la + one_minus * (zr - shift)
            # a huge term (extreme trade costs): markets.partner_log_change's log-sum-exp
            self.closed &= not np.any((arg > markets._SHIFT) & (th > 0))
            self.a = self.a + th * np.expm1(np.minimum(arg, markets._SHIFT))
        la0 = self.log_a[..., 0]
        # per iteration: x0 = la0 + (1 - sigma)(z0 - shift) = (1 - sigma) z0 + b, and the
        # partner's change la0 - sigma (z0 - ln P^) - Em ln P^ = la0 - sigma z0 + (sigma - Em) ln P^
        self.one_minus, self.inv_one_minus = one_minus, 1.0 / one_minus
        self.b = la0 - one_minus * shift
        self.sigma, self.sigma_em, self.la0 = sigma, sigma - elasticity[:, m], la0
        self.shift, self.theta0 = shift, theta[..., 0]
        self.em = elasticity[:, m]
        self.theta, self.sigma3 = theta, mk.sigma  # for the log-sum-exp fallback

    _PER_SAMPLE = ("k", "nes", "extra", "speed", "c0", "base_m", "extra_m", "em", "rival_cost",
                   "log_a", "a", "shift", "sigma", "theta0", "la0", "theta", "sigma3",
                   "one_minus", "inv_one_minus", "b", "sigma_em")

    def take(self, keep: np.ndarray) -> _YearValues:
        """The same for the samples ``keep`` (bool over the current rows) only: arrays with a
        sample axis are gathered once, so later iterations work on contiguous arrays."""
        new = object.__new__(_YearValues)
        new.__dict__.update(self.__dict__)
        for name in self._PER_SAMPLE:
            a = self.__dict__.get(name)
            if isinstance(a, np.ndarray) and a.shape[0] == keep.size:
                new.__dict__[name] = a[keep]
        return new

    def values(self, log_tau: np.ndarray) -> np.ndarray:
        """Flow values (k, F) at transport costs ``ln(1 + tau)`` (k, F) (in place where it can:
        this runs in every iteration)."""
        vals = self.nes * log_tau
        np.exp(vals, out=vals)
        vals *= self.k
        vals += self.extra
        if self.mk is None:
            return vals
        z0 = log_tau[:, self.m_idx]
        z0 *= self.speed
        z0 += self.c0
        x0 = self.one_minus * z0
        x0 += self.b
        if self.closed and not np.any(x0 > markets._SHIFT):
            lp = np.expm1(x0)
            lp *= self.theta0
            lp += self.a
            np.log1p(lp, out=lp)
            lp *= self.inv_one_minus
            lp += self.shift  # ln P^
            change = self.sigma_em * lp
            change -= self.sigma * z0
            change += self.la0
        else:
            zm = np.array(np.broadcast_to(self.rival_cost, (z0.shape[0],
                                                            *self.rival_cost.shape[1:])))
            zm[:, :, 0] = z0
            change = markets.partner_log_change(self.theta, zm, self.log_a, self.sigma3,
                                                self.em[..., None])
        np.exp(change, out=change)
        change *= self.base_m
        change += self.extra_m
        vals[:, self.m_idx] = change
        return vals


def _rival_groups(theta, cost, log_a):
    """(theta, cost, log availability) of the rivals, each (N|1, Fm): the columns 1.. of the
    market arrays; when none has a sample axis, rivals with the same cost and availability in a
    market are merged (their shares added: one exponential instead of several) and padding
    (zero shares) dropped."""
    if theta.shape[0] > 1 or cost.shape[0] > 1 or log_a.shape[0] > 1:
        return [(theta[..., s], cost[..., s], log_a[..., s]) for s in range(1, theta.shape[-1])
                if theta[..., s].any()]
    groups = []  # per market: {(cost, log_a): summed theta}
    for k in range(theta.shape[1]):
        g = {}
        for s in range(1, theta.shape[-1]):
            if theta[0, k, s] > 0:
                key = (cost[0, k, s], log_a[0, k, s])
                g[key] = g.get(key, 0.0) + theta[0, k, s]
        groups.append(list(g.items()))
    width = max((len(g) for g in groups), default=0)
    out = []
    for j in range(width):
        th, zr, la = (np.zeros((1, theta.shape[1])) for _ in range(3))
        for k, g in enumerate(groups):
            if j < len(g):
                (zr[0, k], la[0, k]), th[0, k] = g[j]
        out.append((th, zr, la))
    return out


def _year_routes(d: Drivers, t: int) -> _YearRoutes:
    r = d.routes
    days, cap = r.days[..., t], r.capacity[..., t]
    usd_per_t, time_cost = d.usd_per_t[..., 0], d.time_cost[..., 0]
    modes = []
    for m, mode in enumerate(ROUTED_MODES):
        sel = d.mode_index == m
        if not sel.any():
            continue
        freight = np.where(r.open_[:, t], r.freight[mode][..., t], np.inf)
        u, tc = usd_per_t[:, sel], time_cost[:, sel]
        # routes that do not carry the mode get no share, so their (infinite) freight is moot
        served = np.where(np.isfinite(freight), freight, 0.0)
        modes.append((m, sel, freight, served, u, tc))
    queue = None
    if r.model != "capacity":
        if cap.shape[0] != 1:
            raise InputError(f"corridors.model = '{r.model}' needs the same route capacities in "
                             "every sample; sweep capacities with corridors.model = 'capacity'",
                             key="corridors.model")
        from model.corridors import coupling  # scipy.stats + simpy: only for these models

        queue = coupling.queue_year(r.names, r.modes, cap[0], int(d.years[t]), r.link_year,
                                    ROUTED_MODES)
    return _YearRoutes(days=days, capacity=cap, modes=tuple(modes), queue=queue)


def _route_cost(share, freight, days, usd_per_t, time_cost):
    """Per-flow transport cost, share of value: sum_r share_r (freight_r / usd_per_t_f +
    days_r time_cost_f), computed as two route averages since the terms separate."""
    mean_freight = (share * freight).sum(axis=-1)
    mean_days = (share * days).sum(axis=-1)
    return mean_freight[:, None] / usd_per_t + mean_days[:, None] * time_cost


def _mode_totals(vals: np.ndarray, u: np.ndarray, tc: np.ndarray):
    """Tonnes (Mt), value density (US$/t) and value-weighted time cost of one mode's flows."""
    value = vals.sum(axis=1)
    mt = (vals * 1e3 / u).sum(axis=1)  # Mt, since values are US$ bn
    density = np.divide(value * 1e3, mt, out=np.ones_like(mt), where=mt > 0)
    rate = np.divide((vals * tc).sum(axis=1), value, out=np.zeros_like(value), where=value > 0)
    return mt, density, rate


def _assign_queue(yr: _YearRoutes, values: np.ndarray, idx: np.ndarray):
    """As :func:`_assign` with the stage network: congestion-aware choice and transit days."""
    from model.corridors import coupling

    k, q = values.shape[0], yr.queue
    totals = np.zeros((3, k, len(ROUTED_MODES)))
    for m, sel, _, _, u, tc in yr.modes:
        totals[:, :, m] = _mode_totals(values[:, sel], _rows(u, idx), _rows(tc, idx))
    share, days = coupling.assign(q, ROUTED_MODES, *totals)
    transport = np.zeros_like(values)
    for m, sel, _, _, u, tc in yr.modes:
        served = np.where(np.isfinite(q.freight[m]), q.freight[m], 0.0)
        transport[:, sel] = _route_cost(share[:, m], served, days, _rows(u, idx), _rows(tc, idx))
    return transport, share * totals[0][..., None], days


def _common(yr: _YearRoutes) -> bool:
    """Whether a year's route inputs have no sample axis (capacity model): samples with the
    same flow values then get the same assignment."""
    arrays = (yr.days, yr.capacity, *(a for mode in yr.modes for a in mode[2:]))
    return yr.queue is None and all(a.shape[0] == 1 for a in arrays)


def _assign(yr: _YearRoutes, values: np.ndarray, idx: np.ndarray):
    """Route assignment for samples ``idx`` given their flow values (k, F) (Eq. 10): per-flow
    transport cost (k, F), tonnes carried (k, M, R) and transit days (k, R)."""
    if yr.queue is not None:
        return _assign_queue(yr, values, idx)
    k = values.shape[0]
    transport = np.zeros_like(values)
    carried = np.zeros((k, len(ROUTED_MODES), yr.days.shape[-1]))
    cap, days = _rows(yr.capacity, idx), _rows(yr.days, idx)
    for m, sel, freight, served, u, tc in yr.modes:
        u, tc = _rows(u, idx), _rows(tc, idx)
        mt, density, rate = _mode_totals(values[:, sel], u, tc)
        cost = _rows(freight, idx) / density[:, None] + days * rate[:, None]  # share of value
        carried[:, m] = engine.fill_routes(mt, np.broadcast_to(cap, cost.shape), cost)
        share = np.divide(carried[:, m], mt[:, None], out=np.zeros_like(cost),
                          where=mt[:, None] > 0)
        transport[:, sel] = _route_cost(share, _rows(served, idx), days, u, tc)
    return transport, carried, np.broadcast_to(days, (k, days.shape[-1]))


def _trade_side_n(d: Drivers) -> int:
    """Sample count of the drivers that move goods flows and corridors (not energy values)."""
    r = d.routes
    arrays = (d.level, d.log_policy_cost, d.elasticity, d.speed, d.diversion, d.usd_per_t,
              d.time_cost, r.capacity, r.days, *r.freight.values(),
              *((d.rival_cost, d.rival_log_avail, d.markets.theta, d.markets.sigma)
                if d.markets is not None else ()))
    return max(a.shape[0] for a in arrays)


def _energy_only_samples(d: Drivers, rng) -> Batch:
    """Samples that differ only in energy values (crude, LNG, products: priced, not routed)
    share one trade <-> corridor solution: solve it once and add each sample's energy flows."""
    energy = d.energy_index
    assert not (d.mode_index[energy] >= 0).any(), "energy flows must not be routed"
    one = project(replace(d, energy_value=d.energy_value[:1]), rng=rng)
    n = d.n
    flows = np.empty((n, *one.flows.shape[1:]))
    flows[...] = one.flows
    # year 0 keeps the dataset's base values, as in project(); later years take each sample's
    flows[:, energy, 1:] = d.energy_value[..., 1:]
    widen = lambda a: np.broadcast_to(a, (n, *a.shape[1:]))  # noqa: E731
    partner = None if one.market_partner_cost is None else widen(one.market_partner_cost)
    return replace(one, flows=flows, transport=widen(one.transport), route_mt=widen(one.route_mt),
                   route_days=widen(one.route_days), market_partner_cost=partner)


# samples projected together: the working arrays of a chunk stay in cache. A sample's result does
# not depend on the others in its batch, so chunking changes no number (tests/test_projection.py)
CHUNK = 4096

_SAMPLE_FIELDS = ("energy_value", "level", "log_policy_cost", "elasticity", "speed", "diversion",
                  "usd_per_t", "time_cost", "oil_volume", "lng_volume", "export_price",
                  "rival_cost", "rival_log_avail")


def _sample_slice(d: Drivers, sl: slice) -> Drivers:
    """Drivers of samples ``sl``: every array with the sample axis (length ``d.n``) sliced."""
    n = d.n

    def cut(a):
        return a[sl] if isinstance(a, np.ndarray) and a.ndim and a.shape[0] == n else a

    r = d.routes
    routes = replace(r, capacity=cut(r.capacity), days=cut(r.days),
                     freight={m: cut(v) for m, v in r.freight.items()})
    mk = d.markets
    if mk is not None:
        mk = replace(mk, v0=cut(mk.v0), theta=cut(mk.theta), sigma=cut(mk.sigma),
                     rival_tariff=cut(mk.rival_tariff), partner_tariff=cut(mk.partner_tariff))
    return replace(d, routes=routes, markets=mk,
                   **{f: cut(getattr(d, f)) for f in _SAMPLE_FIELDS})


def _in_chunks(d: Drivers, rng, fast: bool = False) -> Batch:
    """:func:`project` on chunks of :data:`CHUNK` samples, results written into one batch."""
    n = d.n
    f, y, r = d.v0.size, d.years.size, len(d.routes.names)
    m = 0 if d.markets is None else d.markets.flow_index.size
    buf = {"flows": np.empty((y, n, f)), "transport": np.empty((y, n, f)),
           "route_mt": np.empty((y, n, len(ROUTED_MODES), r)), "route_days": np.empty((y, n, r)),
           "partner_cost": np.empty((y, n, m))}  # year-major, as project() stores
    parts = [project(_sample_slice(d, slice(i, i + CHUNK)), rng=rng, fast=fast,
                     out={k: v[:, i:i + CHUNK] for k, v in buf.items()})
             for i in range(0, n, CHUNK)]
    first = parts[0]
    join = lambda k: np.moveaxis(buf[k], 0, -1)  # noqa: E731
    mk = d.markets
    return replace(first, flows=join("flows"), transport=join("transport"),
                   route_mt=join("route_mt"), route_days=join("route_days"),
                   iterations=np.max([b.iterations for b in parts], axis=0),
                   converged=np.all([b.converged for b in parts], axis=0), markets=mk,
                   market_partner_cost=None if d.markets is None else join("partner_cost"),
                   **_market_fields(d))


def _market_fields(d: Drivers) -> dict:
    """The Batch fields that describe the markets' drivers (None without markets)."""
    mk = d.markets
    if mk is None:
        return dict(market_rival_cost=None, market_log_avail=None, market_demand=None,
                    market_price=None, market_elasticity=None)
    m = mk.flow_index
    return dict(market_rival_cost=d.rival_cost, market_log_avail=d.rival_log_avail,
                market_demand=d.level[:, m] / np.exp(d.export_price[:, m]),
                market_price=d.export_price[:, m], market_elasticity=d.elasticity[:, m, 0])


def project(d: Drivers, *, triggers: TriggerWorlds | None = None,
            rng: np.random.Generator | None = None, out: dict | None = None,
            fast: bool | None = None) -> Batch:
    """Year-by-year projection with the trade <-> corridor fixed point in each year.

    With ``triggers``, each sample's drivers for year t come from the trigger world selected by
    the conditions on year t - 1 (``d`` is then ignored in favour of the worlds). ``fast``: solve
    the fixed points in the compiled loop (model/fastpath.py); by default for batches of at
    least ``fastpath.MIN_BATCH`` samples with the capacity corridor model and no triggers (the
    whole batch decides, so chunks of one batch all take the same path).
    """
    if triggers is None and d.n > 1 and _trade_side_n(d) == 1:
        return _energy_only_samples(d, rng)
    if fast is None:
        fast = (fastpath.AVAILABLE and triggers is None and d.routes.model == "capacity"
                and d.n >= fastpath.MIN_BATCH)
    fast = fast and triggers is None and d.routes.model == "capacity" and fastpath.AVAILABLE
    # the compiled loop solves each sample on its own and splits the batch over threads itself:
    # chunks would only repeat the per-batch set-up
    if triggers is None and d.n > CHUNK and d.routes.model != "des" and not fast:
        return _in_chunks(d, rng, fast)
    selector = None
    if triggers is not None:
        n = max(w.n for w in triggers.worlds)
        selector = _Selector(triggers, n)
        d = selector.drivers
        triggered = np.zeros((n, len(triggers.conditions), d.years.size), dtype=bool)
    n, (f, y) = d.n, (d.v0.size, d.years.size)
    # year-major storage (views with the year last): writing one year is then contiguous
    shapes = {"flows": (y, n, f), "transport": (y, n, f),
              "route_mt": (y, n, len(ROUTED_MODES), len(d.routes.names)),
              "route_days": (y, n, len(d.routes.names)),
              "partner_cost": (y, n, 0 if d.markets is None else d.markets.flow_index.size)}
    # out: a chunk's slices of the whole batch's buffers (_in_chunks), written in place
    make = fastpath.strided if fast and y > 1 else np.empty  # compiled loop: writes in place
    buf = {k: make(v) for k, v in shapes.items()} if out is None else out
    flows, transport, route_mt, route_days = (np.moveaxis(buf[k], 0, -1) for k in
                                              ("flows", "transport", "route_mt", "route_days"))
    iterations = np.zeros(y, dtype=int)
    converged = np.ones(y, dtype=bool)
    mk = d.markets
    if mk is not None:  # flows that compete with rivals: partner column 0 is filled each year
        m_idx = mk.flow_index
        partner_cost = buf["partner_cost"]
        partner_cost[0] = 0.0

    v = np.broadcast_to(d.v0, (n, f)).copy()
    all_rows = np.arange(n)
    yr = _year_routes(d, 0)
    if n > 1 and _common(yr):  # every sample starts from the base values: one assignment
        tau, mt, days = _assign(yr, v[:1], all_rows[:1])
        tau, mt = np.repeat(tau, n, axis=0), np.repeat(mt, n, axis=0)
        route_days[..., 0] = days
    elif fast and n > CHUNK:  # the whole batch at once (no _in_chunks): year 0 still in chunks,
        # whose work arrays are reused (a sample's numbers do not depend on its chunk)
        tau = np.empty((n, f))
        mt = np.empty((n, len(ROUTED_MODES), len(d.routes.names)))
        for i in range(0, n, CHUNK):
            sl = slice(i, i + CHUNK)
            tau[sl], mt[sl], route_days[sl, :, 0] = _assign(yr, v[sl], all_rows[sl])
    else:
        tau, mt, route_days[..., 0] = _assign(yr, v, all_rows)
    log_cost0 = d.log_policy_cost[..., 0] + np.log1p(tau)  # ln T0 per flow, (N, F)
    effective = log_cost0
    flows[..., 0], transport[..., 0], route_mt[..., 0] = v, tau, mt
    queues = [yr.queue]
    speed = np.broadcast_to(d.speed, (n, 1))
    tolerance = TOLERANCE if d.routes.model == "capacity" else TOLERANCE_QUEUE
    elasticity = d.elasticity[..., 0]
    solved = None
    if fast:  # the same year loop, compiled (model/fastpath.py)
        solved = fastpath.project_years(d, tau, log_cost0, tolerance, MAX_ITER, buf["flows"],
                                        buf["transport"], buf["route_mt"], buf["partner_cost"])
        if solved is not None:
            iterations[1:], converged[1:] = solved[0][1:], solved[1][1:]
            # the capacity model's transit days are the inputs' (as _assign gives them): a view
            route_days = np.broadcast_to(d.routes.days, (n, *d.routes.days.shape[1:]))
    for t in range(1, y if solved is None else 1):
        if selector is not None:
            triggered[..., t], mask = _trigger_masks(triggers, flows, d, t)
            selector.choose(mask, t)
        yr = _year_routes(d, t)
        policy_t = d.log_policy_cost[..., t]
        # what does not change between iterations of the year, computed once (_YearValues)
        yv = _YearValues(d, t, effective, log_cost0, speed, elasticity, n)
        eff_used = np.empty((n, f))  # ln(1 + tau) of each sample's last iteration
        v = np.empty((n, f))
        # start from last year's costs moved on by last year's change (costs drift smoothly)
        guess = tau if t < 2 else np.maximum(2 * tau - transport[..., t - 2], 0.0)
        tau, mt, days = np.empty_like(guess), np.empty_like(mt), np.empty_like(route_days[..., 0])
        # the fixed point runs per sample: a sample stops once its own transport costs settle,
        # so its result does not depend on which other samples share the batch. The samples
        # still iterating (ids ``active``) are kept compact: their arrays are gathered when some
        # stop, and each sample's results are written once, when it stops
        active, rows = all_rows, slice(None)  # rows: a slice (views) while every sample runs
        tau_in = guess
        before = guess  # the iterate two steps back, for Aitken's extrapolation
        for it in range(1, MAX_ITER + 1):
            log_tau = np.log1p(tau_in)
            vals = yv.values(log_tau)
            new_tau, carried, days_k = _assign(yr, vals, rows)
            moved = _moved(new_tau, tau_in, tolerance)
            if it % 2 == 0:  # the map contracts linearly: Aitken's delta-squared saves sweeps
                new_tau = _aitken(before, tau_in, new_tau)
            if it == MAX_ITER and moved.any():  # out of iterations: keep the last iterate
                converged[t] = False
                moved[:] = False
            if moved.all():
                before, tau_in = tau_in, new_tau
                continue
            done = ~moved
            out = active[done]
            eff_used[out], v[out], mt[out], days[out], tau[out] = (
                log_tau[done], vals[done], carried[done], days_k[done], new_tau[done])
            if not moved.any():
                break
            active = rows = active[moved]
            before, tau_in = tau_in[moved], new_tau[moved]
            yv = yv.take(moved)
        iterations[t] = it
        # Eq. 7 as written, from each sample's last iterate: the cost carried to next year
        effective = engine.adjust(effective, policy_t + eff_used, speed)
        if mk is not None:  # the landed-cost changes the markets saw, partner first
            partner_cost[t] = (effective - log_cost0)[:, m_idx]
        flows[..., t], transport[..., t], route_mt[..., t], route_days[..., t] = v, tau, mt, days
        queues.append(yr.queue)
    corridor_stats = None
    if d.routes.model == "des":
        if n != 1:
            raise InputError("corridors.model = 'des' runs one sample at a time (got "
                             f"{n}); use 'surrogate' or 'capacity' for sweeps",
                             key="corridors.model")
        from model.corridors import coupling

        rng = rng if rng is not None else np.random.default_rng(np.random.SeedSequence(0))
        corridor_stats = tuple(coupling.des_report([q.routes for q in queues],
                                                   route_mt[0].sum(axis=0), d.years, rng))
    return Batch(years=d.years, flow_names=d.flow_names, is_export=d.is_export, flows=flows,
                 transport=transport, route_names=d.routes.names, route_mt=route_mt,
                 route_days=route_days, iterations=iterations, converged=converged,
                 triggered=triggered if selector is not None else None,
                 corridor_stats=corridor_stats, markets=mk,
                 market_partner_cost=np.moveaxis(partner_cost, 0, -1) if mk is not None else None,
                 **_market_fields(d))

