"""Scenario -> driver arrays: demand indices, policy trade costs, energy values, route parameters.

Any scalar parameter of the scenario may be a numpy array of shape ``(N,)`` (a sweep's samples,
set with :func:`model.scenario.with_values`); everything here broadcasts over that sample axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import engine
from model.data import Baseline
from model.errors import InputError
from model.schema import Lever, ScenarioSpec

ROUTED_MODES = ("container", "bulk")
DEFAULT_FLOW_PARAMS = {"trend": 0.0}  # scenario-only flow parameters
ENERGY_KINDS = ("crude", "lng", "oil_indexed")  # valued directly, not by trade-cost response


def path_values(value, years: np.ndarray, default=None) -> np.ndarray:
    """A year path as an array ``(N or 1, Y)``: a number (or sample array), or a step table.

    A step table holds each value from its year on. Before its first year the path is
    ``default`` (the baseline's value or path) when one is given, so ``{"2026-27" = 1.0}`` leaves
    FY2025-26 at the baseline; without a default the first value is held backwards.
    ``default`` may itself be a path ``(N or 1, Y)``.
    """
    if value is None:
        value = default
    if isinstance(value, dict):
        keys = sorted(value)
        pos = np.searchsorted(keys, years, side="right") - 1
        steps = np.array([value[k] for k in keys], dtype=float)[np.clip(pos, 0, None)][None, :]
        if default is None:
            return steps
        return np.where(pos < 0, _as_path(default, years), steps)
    return _as_path(value, years)


def _as_path(value, years: np.ndarray) -> np.ndarray:
    value = np.asarray(value, dtype=float)
    if value.ndim == 2 and value.shape[-1] == len(years):
        return value
    return value.reshape(-1, 1) * np.ones_like(years, dtype=float)


def dataset_path(base: Baseline, key: str, years: np.ndarray, value: float) -> np.ndarray:
    """Baseline path of a scenario quantity ``(1, Y)``: ``value`` (the base year's) until the
    dataset's first dated value for ``key`` (its ``[[timeline]]``), then the dated values."""
    return path_values(base.path(key) or None, years, value)


def weight(lever: Lever, years: np.ndarray, delay=0) -> np.ndarray:
    """Share of the lever's full effect per year, ``(N or 1, Y)``; ``years[0]`` is the base."""
    base_year = int(years[0])
    return engine.phase_weight(years, np.asarray(lever.start_year(base_year)) + delay,
                               lever.ramp_years(base_year))


def toward(base, target, w):
    """Lever arithmetic: ``base + w (target - base)``."""
    return base + w * (target - base)


@dataclass(frozen=True)
class RouteDrivers:
    names: tuple[str, ...]
    capacity: np.ndarray  # (N|1, R, Y) Mt/yr, inf = unlimited
    days: np.ndarray  # (N|1, R, Y)
    freight: dict[str, np.ndarray]  # mode -> (N|1, R, Y) US$/t; inf where the mode is not served
    open_: np.ndarray  # (R, Y) bool
    modes: tuple[tuple[str, ...], ...] = ()  # per route, the modes it may carry
    model: str = "capacity"  # corridor model, see model.corridors.coupling
    link_year: int | None = None  # Rasht-Astara opening (for the stage network)


@dataclass(frozen=True)
class MarketDrivers:
    """The destination market of each flow that competes with rival suppliers (docs/markets.md).

    Suppliers are padded to a common width ``S`` with zero-share columns (they weigh nothing);
    column 0 is the partner, whose trade cost is the flow's own (Eq. 6-7)."""

    names: tuple[str, ...]  # (Fm,) market of each such flow
    importers: tuple[str, ...]  # (Fm,) India or Russia
    flow_index: np.ndarray  # (Fm,) into the flows
    suppliers: tuple[tuple[str, ...], ...]  # per market, partner first (unpadded)
    v0: np.ndarray  # (N|1, Fm, S) base values, US$ bn (the partner's is the flow's)
    theta: np.ndarray  # (N|1, Fm, S) base expenditure shares at landed prices, V0 (1 + tariff0)
    sigma: np.ndarray  # (N|1, Fm, 1) Armington substitution between suppliers
    tariff0: np.ndarray  # (Fm, S) importer's base tariffs
    rival_tariff: np.ndarray  # (N|1, Fm, S, Y) importer's tariffs by year (partner column unused)
    partner_tariff: np.ndarray  # (N|1, Fm, Y) the partner's: the flow's own path

    @property
    def tariff(self) -> np.ndarray:
        """(N|1, Fm, S, Y) importer's tariffs by year, partner first (built on demand: a sweep
        over the partner's tariffs need not carry N copies of the rivals')."""
        n = max(self.rival_tariff.shape[0], self.partner_tariff.shape[0])
        out = np.array(np.broadcast_to(self.rival_tariff, (n, *self.rival_tariff.shape[1:])))
        out[:, :, 0, :] = self.partner_tariff
        return out


@dataclass(frozen=True)
class Drivers:
    years: np.ndarray  # (Y,)
    flow_names: tuple[str, ...]
    v0: np.ndarray  # (F,) base values
    is_export: np.ndarray  # (F,) bool
    is_goods: np.ndarray  # (F,) goods or priced: respond to trade costs
    energy_index: np.ndarray  # (E,) flows valued as price x volume: crude, LNG, products
    energy_value: np.ndarray  # (N|1, E, Y) their values
    level: np.ndarray  # (N|1, F, Y) demand or volume x price index for goods/priced flows
    #                    (x India's export price for goods the US tariff reaches, Eq. 9b)
    log_policy_cost: np.ndarray  # (N|1, F, Y) ln[(1+tariff)(1+NTB)(1+friction)]
    elasticity: np.ndarray  # (N|1, F, 1)
    speed: np.ndarray  # (N|1, 1) partial-adjustment speed
    diversion: np.ndarray  # (N|1, F, Y) exports diverted from the US
    mode_index: np.ndarray  # (F,) index into ROUTED_MODES, -1 = not routed
    usd_per_t: np.ndarray  # (N|1, F, 1)
    time_cost: np.ndarray  # (N|1, F, 1)
    routes: RouteDrivers
    oil_volume: np.ndarray | None = None  # (N|1, Y) Russian crude to India, mb/d (for triggers)
    lng_volume: np.ndarray | None = None  # (N|1, Y) Russian LNG to India, Mt/yr (for triggers)
    markets: MarketDrivers | None = None  # competing suppliers of the flows that have a market
    export_price: np.ndarray | None = None  # (N|1, F, Y) ln India's export price change (Eq. 9b)
    rival_cost: np.ndarray | None = None  # (N|1, Fm, S, Y) rivals' adjusted ln T change
    rival_log_avail: np.ndarray | None = None  # (N|1, Fm, S, Y) adjusted ln availability

    @property
    def n(self) -> int:
        arrays = (self.energy_value, self.level, self.log_policy_cost, self.elasticity,
                  self.speed, self.diversion, self.usd_per_t, self.time_cost,
                  self.routes.capacity, self.routes.days, *self.routes.freight.values())
        if self.markets is not None:
            arrays += (self.rival_cost, self.rival_log_avail, self.markets.theta,
                       self.markets.sigma)
        return max(a.shape[0] for a in arrays)


def flow_param(sc: ScenarioSpec, base: Baseline, attr: str) -> np.ndarray:
    """Per-flow parameter ``(N|1, F, 1)``: the scenario's override, else the dataset value."""
    cols = []
    for f in base.flows:
        over = sc.flows.get(f.name)
        value = getattr(over, attr) if over is not None else None
        if value is None:
            value = getattr(f, attr).value if hasattr(f, attr) else DEFAULT_FLOW_PARAMS[attr]
        cols.append(value)
    return _stack_flows(cols)


def _stack_flows(cols) -> np.ndarray:
    arrays = [np.asarray(c, dtype=float).reshape(-1) for c in cols]
    n = max(a.size for a in arrays)
    return np.stack([np.broadcast_to(a, (n,)) for a in arrays], axis=1)[..., None]


def build(sc: ScenarioSpec, base: Baseline) -> Drivers:
    """All driver arrays for one scenario (and its sample axis)."""
    years = np.arange(base.base_year, sc.settings.horizon_end + 1)
    kinds = np.array([f.kind for f in base.flows])
    is_export = np.array([f.direction == "export" for f in base.flows])
    is_goods = np.isin(kinds, ("goods", "priced"))
    v0 = base.column("value")
    p = base.parameters
    price = export_price(sc, base, years, is_export, kinds)
    ex = _default(sc.settings.export_supply_elasticity, p["export_supply_elasticity"].value)
    adj = np.asarray(_default(sc.settings.adjustment_years, p["adjustment_years"].value), float)
    parts = _policy_parts(sc, base, years, kinds, is_export)  # tariff, NTB, friction
    # the markets copy the partner's tariffs first: then ln T is written over the tariff array
    # (one (N, F, Y) array fewer to fill in a sweep over tariffs)
    markets = _markets(sc, base, years, is_goods, adj, flow_tariff=parts[0])
    return Drivers(
        years=years, flow_names=base.flow_names, v0=v0, is_export=is_export, is_goods=is_goods,
        energy_index=np.flatnonzero(np.isin(kinds, ENERGY_KINDS)),
        energy_value=_energy(sc, base, years, kinds),
        # India's export price (Eq. 9b) moves the landed price in Russia like a trade cost and
        # the customs value per unit like a price index
        level=_level(sc, base, years, kinds, is_export) * np.exp(price),
        log_policy_cost=_policy_cost(sc, base, years, kinds, is_export, parts, reuse=True,
                                     add=price),
        export_price=price,
        elasticity=engine.effective_elasticity(flow_param(sc, base, "elasticity"), ex),
        speed=np.where(adj >= 1.0, 1.0 / np.maximum(adj, 1.0), 1.0).reshape(-1, 1),
        diversion=_diversion(sc, base, years, is_export, kinds),
        mode_index=np.array([ROUTED_MODES.index(f.mode) if f.mode in ROUTED_MODES else -1
                             for f in base.flows]),
        usd_per_t=flow_param(sc, base, "usd_per_t"),
        time_cost=flow_param(sc, base, "time_cost"),
        routes=_routes(sc, years),
        oil_volume=oil_paths(sc, base, years)[0],
        lng_volume=lng_volume(sc, base, years),
        **markets,
    )


def _override(sc, flow: str, attr: str):
    over = sc.flows.get(flow)
    return None if over is None else getattr(over, attr)


def _default(value, fallback):
    return fallback if value is None else value


def _growth_index(rate: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Cumulative index from yearly rates, 1 in the base year: prod_{s<=t, s>base} (1 + r_s)."""
    factors = np.concatenate([np.ones_like(rate[..., :1]), 1.0 + rate[..., 1:]], axis=-1)
    return np.cumprod(factors, axis=-1)


def _level(sc, base, years, kinds, is_export) -> np.ndarray:
    """Demand index for goods (Eq. 11); volume x price index for priced flows (Eq. 4)."""
    m = sc.macro
    eta = _default(m.income_elasticity, base.parameters["income_elasticity"].value)
    infl = _growth_index(path_values(m.usd_inflation, years), years)
    demand = {
        True: _growth_index(path_values(m.russia_gdp_growth, years), years) ** np.asarray(eta)[..., None] * infl,
        False: _growth_index(path_values(m.india_gdp_growth, years), years) ** np.asarray(eta)[..., None] * infl,
    }
    trend = flow_param(sc, base, "trend")  # (N|1, F, 1)
    t = (years - base.base_year)[None, None, :]
    rows = []
    for i, f in enumerate(base.flows):
        if f.kind == "priced":
            rows.append(_priced_index(sc, base, f.name, years))
        else:
            rows.append(demand[bool(is_export[i])])
    level = np.stack(np.broadcast_arrays(*rows), axis=1)
    return level * (1.0 + trend) ** t


# priced flow -> (lever name, dataset volume key, dataset price key)
PRICED = {
    "coal": ("coal", "coal_volume_mt", "coal_price_usd_t"),
    "fertilisers": ("fertiliser", "fertiliser_volume_mt", "fertiliser_price_usd_t"),
    "vegetable_oils": ("vegetable_oil", "vegetable_oil_volume_mt", "vegetable_oil_price_usd_t"),
}


def _priced_index(sc, base, name, years) -> np.ndarray:
    """Volume x price relative to the base year for a priced flow (Eq. 4)."""
    lever_name, vol_key, price_key = PRICED[name]
    lever = getattr(sc.levers, lever_name)
    v0, p0 = base.energy[vol_key].value, base.energy[price_key].value
    w = weight(lever, years)
    volume = toward(v0, path_values(lever.volume_mt, years, v0), w)
    price = toward(p0, path_values(lever.price_usd_t, years, p0), w)
    return engine.priced_value_bn(volume, price) / engine.priced_value_bn(v0, p0)


def oil_paths(sc: ScenarioSpec, base: Baseline, years: np.ndarray):
    """Russian crude volume (mb/d), Brent and discount (US$/bbl) per year, ``(N|1, Y)`` each."""
    e, oil = base.energy, sc.levers.oil
    v0, b0, d0 = (e[k].value for k in ("crude_volume_mbd", "brent_usd_bbl", "urals_discount_usd_bbl"))
    w = weight(oil, years)
    if oil.share_of_india_crude is not None:
        growth = (1.0 + np.asarray(oil.india_crude_growth)[..., None]) ** (years - base.base_year)
        mt = e["india_crude_imports_mt"].value * growth
        target = path_values(oil.share_of_india_crude, years) * mt * e["barrels_per_tonne"].value / 365e0
    v_base = dataset_path(base, "levers.oil.volume_mbd", years, v0)
    b_base = dataset_path(base, "levers.oil.brent_usd", years, b0)
    d_base = dataset_path(base, "levers.oil.discount_usd", years, d0)
    if oil.share_of_india_crude is None:
        target = path_values(oil.volume_mbd, years, v_base)
    sanction = toward(1.0, np.asarray(oil.sanctions_multiplier)[..., None], w)
    volume = toward(v_base, target, w) * sanction
    brent = toward(b_base, path_values(oil.brent_usd, years, b_base), w)
    discount = toward(d_base, path_values(oil.discount_usd, years, d_base), w)
    return volume, brent, discount, sanction


def lng_volume(sc: ScenarioSpec, base: Baseline, years: np.ndarray) -> np.ndarray:
    """Russian LNG to India, Mt/yr: start level + growth per year, capped; 0 if sanctioned."""
    lng, v0 = sc.levers.lng, base.energy["lng_volume_mt"].value
    start = np.asarray(lng.start_year(int(years[0])))[..., None]
    after = np.clip(years - start, 0, None)
    target = np.asarray(_default(lng.volume_mt, v0))[..., None] + np.asarray(lng.growth_mt_per_year)[..., None] * after
    if lng.cap_mt is not None:
        target = np.minimum(target, np.asarray(lng.cap_mt)[..., None])
    target = np.clip(target, 0.0, None) * (0.0 if lng.sanctioned else 1.0)
    return toward(v0, target, weight(lng, years))


def _energy(sc, base, years, kinds) -> np.ndarray:
    """Values of crude (Eq. 2), LNG (Eq. 3) and oil-indexed products, ``(N|1, E, Y)`` in the
    order of the energy flows."""
    e = base.energy
    volume, brent, discount, sanction = oil_paths(sc, base, years)
    v0, b0, d0 = (e[k].value for k in ("crude_volume_mbd", "brent_usd_bbl", "urals_discount_usd_bbl"))
    valuation = e["crude_value"].value / engine.crude_value_bn(v0, b0, d0)
    crude = engine.crude_value_bn(volume, brent, discount, valuation)
    lng = sc.levers.lng
    p0 = e["lng_price_usd_mmbtu"].value
    price = toward(p0, path_values(lng.price_usd_mmbtu, years, p0), weight(lng, years))
    lng_bn = engine.lng_value_bn(lng_volume(sc, base, years), price, e["mmbtu_per_tonne"].value)
    oil_index = (brent - discount) / (b0 - d0) * sanction
    rows = [nowcast(base, f.name, years,
                    {"crude": crude, "lng": lng_bn, "oil_indexed": f.value.value * oil_index}[f.kind])
            for f in base.flows if f.kind in ENERGY_KINDS]
    return np.stack(np.broadcast_arrays(*rows), axis=1)


def nowcast(base: Baseline, flow: str, years: np.ndarray, modelled: np.ndarray) -> np.ndarray:
    """The latest fiscal year of a flow as observed months + the model for the other months.

    ``modelled`` is the flow's annual value ``(N|1, Y)``; a month not observed adds 1/12 of it.
    """
    if base.latest_year is None or base.latest_year not in years:
        return modelled
    months = base.observed_months(flow, base.latest_year)
    if not months:
        return modelled
    y = int(np.flatnonzero(years == base.latest_year)[0])
    out = np.array(np.broadcast_to(modelled, np.broadcast_shapes(modelled.shape, (1, len(years)))),
                   dtype=float)
    observed = sum(m.numbers["value_usd_bn"].value for m in months)
    out[:, y] = observed + out[:, y] * (12 - len(months)) / 12.0
    return out


def _policy_cost(sc, base, years, kinds, is_export, parts=None, reuse=False,
                 add=None) -> np.ndarray:
    """ln[(1+tariff)(1+NTB)(1+payment friction)] per flow and year (Eq. 6 without transport),
    plus ``add`` if given. ``reuse``: ``parts``' tariff array is not needed after this, and is
    overwritten when it has the result's shape."""
    tariff, ntb, friction = parts or _policy_parts(sc, base, years, kinds, is_export)
    # (N, F, Y) with a sweep over tariffs: written in place, ((ln(1+t) + ln(1+ntb)) + ln(1+f))
    # + add, a block of samples at a time (each block's passes stay in cache)
    extra = () if add is None else (add,)
    shape = np.broadcast_shapes(tariff.shape, ntb.shape, friction.shape, *(a.shape for a in extra))
    fresh = not (reuse and tariff.shape == shape and tariff.flags.writeable
                 and tariff.dtype == np.float64)
    out = np.empty(shape) if fresh else tariff
    log_ntb, log_friction = np.log1p(ntb), np.log1p(friction)

    def fill(blk):
        o = out[blk]
        np.log1p(_rows(tariff, blk), out=o)
        o += _rows(log_ntb, blk)
        o += _rows(log_friction, blk)
        for a in extra:
            o += _rows(a, blk)

    _each(fill, _blocks(out, log_ntb, log_friction, *extra))
    return out


BLOCK = 512  # samples per block of the (N, F, Y) driver arrays: a block's passes stay in cache


def _blocks(out: np.ndarray, *inputs: np.ndarray):
    """Slices of the sample axis of ``out`` to fill a block at a time: blocks of BLOCK rows, or
    one slice when an input's sample axis would not follow them (a shape other than N or 1)."""
    n = out.shape[0]
    if any(a.shape[0] not in (1, n) for a in inputs):
        return [slice(None)]
    return [slice(i, i + BLOCK) for i in range(0, n, BLOCK)]


def _each(fill, blocks) -> None:
    """``fill(block)`` for every block, on the process's threads when there are several
    (numpy releases the GIL in its loops; each block is written by one thread)."""
    if len(blocks) > 1:
        from model.fastpath import run_threads

        run_threads(fill, blocks)
    else:
        for blk in blocks:
            fill(blk)


def _take_flows(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``a[:, idx]`` of an (N|1, F, Y) array, a copy (np.take: faster than integer indexing on
    a middle axis), a block of samples at a time."""
    out = np.empty((a.shape[0], idx.size, *a.shape[2:]))
    _each(lambda blk: np.take(a[blk], idx, axis=1, out=out[blk]), _blocks(out))
    return out


def _rows(a: np.ndarray, blk: slice) -> np.ndarray:
    """Rows ``blk`` of an array whose first axis is the samples' or 1 (broadcast)."""
    return a if a.shape[0] == 1 else a[blk]


def _policy_parts(sc, base, years, kinds, is_export):
    """Tariff, NTB AVE and payment friction per flow and year, each ``(N|1, F, Y)``."""
    lv = sc.levers
    tariff0 = flow_param(sc, base, "tariff")
    # tariffs already changed (dataset timeline, e.g. India's edible-oil duty cut of May 2025)
    # move T(t) against the base year; a scenario's flows.<name>.tariff re-bases year 0 instead
    tariff0 = tariff0 * np.stack(np.broadcast_arrays(*[_tariff_change(sc, base, f.name, years)
                                                       for f in base.flows]), axis=1)
    ntb0 = flow_param(sc, base, "ntb_ave")
    names = base.flow_names
    covered = np.array([lv.fta.sectors is None or n in lv.fta.sectors for n in names])
    eaeu = np.asarray(lv.fta.eaeu_tariff_cut, dtype=float).reshape(-1, 1, 1)
    india = np.asarray(lv.fta.india_tariff_cut, dtype=float).reshape(-1, 1, 1)
    cut = np.where(is_export[None, :, None], eaeu, india) * covered[None, :, None]
    w = weight(lv.fta, years)[:, None, :]
    tariff = np.empty(np.broadcast_shapes(cut.shape, w.shape, tariff0.shape))

    def fill(blk):  # (N, F, Y) in a sweep: a block at a time
        t = tariff[blk]
        np.multiply(_rows(cut, blk), _rows(w, blk), out=t)
        np.subtract(1.0, t, out=t)
        t *= _rows(tariff0, blk)  # tariff0 (1 - cut w)

    _each(fill, _blocks(tariff, cut, w, tariff0))
    ntb_cut = _stack_flows([lv.ntb.cut.get(n, 0.0) for n in names])
    w_ntb = weight(lv.ntb, years, lv.ntb.uptake_lag_years)[:, None, :]
    ntb = ntb0 * (1.0 - ntb_cut * w_ntb)
    f0 = base.parameters["payment_friction"].value
    friction = toward(f0, np.asarray(_default(lv.payments.friction, f0))[..., None],
                      weight(lv.payments, years))[:, None, :]
    pays = np.isin(kinds, ("goods", "priced"))[None, :, None]
    return tariff, ntb, np.where(pays, friction, 0.0)


def _markets(sc, base, years, is_goods, adjustment_years, flow_tariff=None) -> dict:
    """Market arrays of the flows that compete with rivals, and the rivals' adjusted cost and
    availability paths (rival shocks, ``levers.rivals``); empty with ``competition =
    'bilateral'`` or a dataset without markets (then every flow is bilateral, Eq. 8)."""
    data = base.markets
    shocks = sc.levers.rivals
    if sc.settings.competition == "bilateral" or data is None:
        used = [f"levers.rivals.{k}" for k in shocks] + [f"levers.capacity.{k}"
                                                        for k in sc.levers.capacity]
        if used:
            why = ("settings.competition = 'bilateral'" if data is not None
                   else f"dataset {base.name!r} has no markets")
            raise InputError(f"rival shocks and supply capacity need the competing-supplier "
                             f"model ({why})", key=used[0])
        return {}
    by_flow = {m.flow: m for m in data.markets.values()}
    chosen = [(i, by_flow[f.name]) for i, f in enumerate(base.flows)
              if is_goods[i] and f.name in by_flow]
    if not chosen:
        return {}
    idx = np.array([i for i, _ in chosen])
    mkts = [m for _, m in chosen]
    width = max(len(m.suppliers) for m in mkts)
    pad = lambda rows: np.array([np.pad(r, (0, width - len(r))) for r in rows])  # noqa: E731
    shares = pad([m.shares for m in mkts])
    tariff0 = pad([m.tariff for m in mkts])
    # scenario overrides (and sweeps) of the partner's share and of sigma, per flow
    partner = np.stack(np.broadcast_arrays(*[np.asarray(_default(
        _override(sc, base.flows[i].name, "market_share"), m.shares[0]), float).reshape(-1)
        for i, m in chosen]), axis=1)  # (N|1, Fm)
    rivals = shares[None, :, 1:] * ((1.0 - partner) / (1.0 - shares[:, 0]))[..., None]
    share = np.concatenate([partner[..., None], rivals], axis=-1)  # (N|1, Fm, S)
    v0 = share * (base.column("value")[idx] / partner)[..., None]  # the partner sells its flow
    spend = v0 * (1.0 + tariff0)
    sigma = np.stack(np.broadcast_arrays(*[np.asarray(_default(
        _override(sc, base.flows[i].name, "substitution"), m.substitution), float).reshape(-1)
        for i, m in chosen]), axis=1)[..., None]  # (N|1, Fm, 1)
    if np.any(sigma <= 1.0):
        raise InputError("the competing-supplier model needs substitution > 1 between suppliers",
                         key=f"flows.{base.flows[idx[0]].name}.substitution")
    plan = _rival_plan(shocks, mkts, {m.name for m in data.markets.values()}, years)
    kinds = np.array([f.kind for f in base.flows])
    if flow_tariff is None:
        flow_tariff = _policy_parts(sc, base, years, kinds,
                                    np.array([f.direction == "export" for f in base.flows]))[0]
    carried = [base.flows[i].name for i in idx]
    capacity = []  # (flow position, shift, phase weight)
    for flow, shift in sc.levers.capacity.items():
        if flow not in carried:
            raise InputError(f"flow {flow!r} has no market with rival suppliers; flows with "
                             f"one: {', '.join(carried)}", key=f"levers.capacity.{flow}")
        capacity.append((carried.index(flow), shift, weight(shift, years)))
    mfns = [_tariff_change(sc, base, base.flows[i].name, years) for i in idx]  # (N|1, Y)
    paths = [path_values(v, years, 0.0) for s, _, _ in plan for v in (s.availability, s.tariff)
             if v is not None]  # only their sample axis matters here
    paths += [path_values(shift.index, years, 1.0) for _, shift, _ in capacity]
    # the rivals' cost and availability paths keep a sample axis of 1 unless a rival shock, a
    # capacity path or an MFN path is swept: a sweep over the partner's own tariffs or
    # elasticities need not copy them N times (the projection broadcasts)
    n_rival = max([1] + [m.shape[0] for m in mfns] + [w.shape[0] for _, w, _ in plan]
                  + [w.shape[0] for *_, w in capacity] + [p.shape[0] for p in paths])
    shape = (n_rival, len(mkts), width, len(years))
    tariff = np.broadcast_to(tariff0[None, :, :, None], shape).copy()
    log_cost, log_avail = np.zeros(shape), np.zeros(shape)
    # a change of the applied (MFN) tariff -- a dated path, flows.<name>.tariff_path -- moves
    # every rival that pays the partner's base rate, so it diverts nothing; only FTA cuts and
    # rival shocks are preferential
    for k in range(len(idx)):
        mfn = mfns[k]  # (N|1, Y) factor
        pays_mfn = np.isclose(tariff0[k], tariff0[k, 0]) & (shares[k] > 0)
        pays_mfn[0] = False
        rates = tariff0[k, pays_mfn][None, :, None] * mfn[:, None, :]
        tariff[:, k, pays_mfn] = rates
        log_cost[:, k, pays_mfn] = np.log1p(rates) - np.log1p(tariff0[k, pays_mfn])[None, :, None]
    for shock, w, hits in plan:
        for k in hits:
            j = mkts[k].suppliers.index(shock.supplier)
            if shock.availability is not None:  # several shocks on one rival multiply
                log_avail[:, k, j] += w * np.log(path_values(shock.availability, years, 1.0))
            if shock.tariff is not None:
                t0 = tariff0[k, j]
                rate = toward(t0, path_values(shock.tariff, years, t0), w)  # (N_rival|1, Y)
                tariff[:, k, j] = rate
                log_cost[:, k, j] = np.log1p(rate) - np.log1p(t0)
    for k, shift, w in capacity:  # the partner's own weight: column 0
        log_avail[:, k, 0] += w * np.log(path_values(shift.index, years, 1.0))
    speed = np.where(adjustment_years >= 1.0, 1.0 / np.maximum(adjustment_years, 1.0), 1.0)
    return {
        "markets": MarketDrivers(
            names=tuple(m.name for m in mkts), importers=tuple(m.importer for m in mkts),
            flow_index=idx, suppliers=tuple(m.suppliers for m in mkts), v0=v0,
            theta=spend / spend.sum(axis=-1, keepdims=True),
            sigma=sigma, tariff0=tariff0, rival_tariff=tariff,
            # the partner's own path (FTA, dated values), a copy: build() may then write ln T
            # over flow_tariff
            partner_tariff=_take_flows(flow_tariff, idx)),
        "rival_cost": _adjusted(log_cost, speed),
        "rival_log_avail": _adjusted(log_avail, speed),
    }


def _rival_plan(shocks, mkts, known: set[str], years) -> list:
    """(shock, phase weight (N|1, Y), positions of its markets) per rival shock; an unknown
    market or a supplier that is not a rival where it is named is refused with its key path."""
    plan = []
    for name, shock in shocks.items():
        key = f"levers.rivals.{name}"
        for market in shock.markets or ():
            if market not in known:
                raise InputError(f"unknown market {market!r}; markets: {', '.join(sorted(known))}",
                                 key=f"{key}.markets")
        hits = [k for k, m in enumerate(mkts) if shock.supplier in m.suppliers[1:]
                and (shock.markets is None or m.name in shock.markets)]
        if not hits:
            where = ", ".join(shock.markets or [m.name for m in mkts])
            raise InputError(f"{shock.supplier!r} is not a rival supplier in {where}; rivals: "
                             f"{', '.join(sorted({s for m in mkts for s in m.suppliers[1:]}))}",
                             key=f"{key}.supplier")
        if shock.markets is not None and len(hits) < len(shock.markets):
            raise InputError(f"{shock.supplier!r} is not a rival in every market listed",
                             key=f"{key}.markets")
        plan.append((shock, weight(shock, years), hits))
    return plan


def check_rivals(sc: ScenarioSpec, base: Baseline) -> None:
    """Raise :class:`InputError` (key path) if a rival shock names an unknown supplier or
    market, or the scenario cannot use rivals (bilateral, or a dataset without markets)."""
    years = np.arange(base.base_year, sc.settings.horizon_end + 1)
    kinds = np.array([f.kind for f in base.flows])
    _markets(sc, base, years, np.isin(kinds, ("goods", "priced")), np.asarray(1.0))


def _adjusted(target: np.ndarray, speed) -> np.ndarray:
    """Partial adjustment (Eq. 7) of a log path ``(N|1, ..., Y)`` from 0 in the base year: buyers
    move to and away from rivals at the speed they respond to the partner's own costs."""
    speed = np.asarray(speed, dtype=float).reshape(-1, *([1] * (target.ndim - 1)))[..., 0]
    out = np.zeros(np.broadcast_shapes(target.shape, speed.shape + (1,)))
    for t in range(1, target.shape[-1]):
        out[..., t] = engine.adjust(out[..., t - 1], target[..., t], speed)
    return out


def _tariff_change(sc, base, name, years) -> np.ndarray:
    """Applied tariff of a flow by year as a factor on its base tariff, ``(N|1, Y)``: the
    scenario's ``flows.<name>.tariff_path``, else the dataset's dated path, else 1.

    A factor (not a level) so that ``flows.<name>.tariff`` keeps re-basing the level the FTA
    lever cuts; where the base tariff is 0 a path cannot be a factor and is refused upstream."""
    over = sc.flows.get(name)
    t0 = base.flow(name).tariff.value
    if over is not None and over.tariff is not None:
        t0 = over.tariff
    path = over.tariff_path if over is not None and over.tariff_path is not None else \
        base.path(f"flows.{name}.tariff") or None
    if path is None:
        return np.ones((1, len(years)))
    t0 = np.asarray(t0, dtype=float).reshape(-1, 1)
    levels = path_values(path, years, t0)
    return np.divide(levels, t0, out=np.ones(np.broadcast_shapes(levels.shape, t0.shape)),
                     where=t0 > 0)


def _us_rate(sc, base, years) -> np.ndarray:
    """Extra US tariff on Indian goods per year, ``(N|1, Y)``: dated path, then the lever."""
    lever = sc.levers.us_tariff
    rate_base = dataset_path(base, "levers.us_tariff.rate", years, 0.0)
    return toward(rate_base, path_values(lever.rate, years, rate_base), weight(lever, years))


def competes(sc: ScenarioSpec, base: Baseline) -> bool:
    """Whether the scenario runs the competing-supplier model (rivals, GSIM supply side)."""
    return sc.settings.competition == "rivals" and base.markets is not None


def us_eligible(sc, base, is_export, kinds) -> np.ndarray:
    """Export goods flows the US tariff reaches (not exempt), ``(F,)`` bool."""
    return is_export & (kinds == "goods") & ~np.isin(base.flow_names, sc.levers.us_tariff.exempt)


def export_price(sc, base, years, is_export, kinds) -> np.ndarray:
    """ln of India's export price per flow and year, ``(N|1, F, Y)``: the fall the US tariff
    causes in the competing-supplier model (Eq. 9b); 0 for other flows and when bilateral."""
    if not competes(sc, base) or "india_exports_total" not in base.us:
        return np.zeros((1, len(base.flows), len(years)))
    us, lever = base.us, sc.levers.us_tariff
    share = us["india_exports_to_us"].value * (1.0 - us["exempt_share"].value) \
        / us["india_exports_total"].value
    u = engine.export_price_change(
        share, _us_rate(sc, base, years), us["base_tariff"].value,
        np.asarray(_default(lever.us_import_elasticity, us["import_elasticity"].value))[..., None],
        np.asarray(_default(lever.india_export_supply,
                            us["india_export_supply"].value))[..., None])
    return u[:, None, :] * us_eligible(sc, base, is_export, kinds)[None, :, None]


def _diversion(sc, base, years, is_export, kinds) -> np.ndarray:
    """Exports diverted from the US to Russia, allocated to non-exempt export goods (Eq. 9).
    The competing-supplier model diverts through India's export price instead (Eq. 9b): 0."""
    if competes(sc, base) and "india_exports_total" in base.us:
        return np.zeros((1, len(base.flows), len(years)))
    us, lever = base.us, sc.levers.us_tariff
    rate = _us_rate(sc, base, years)
    infl = _growth_index(path_values(sc.macro.usd_inflation, years), years)
    exposed = us["india_exports_to_us"].value * (1.0 - us["exempt_share"].value) * infl
    total = engine.us_diversion_bn(
        exposed, rate, us["base_tariff"].value,
        np.asarray(_default(lever.us_import_elasticity, us["import_elasticity"].value))[..., None],
        np.asarray(_default(lever.diversion_share, us["diversion_share"].value))[..., None])
    v0 = base.column("value") * us_eligible(sc, base, is_export, kinds)
    share = v0 / v0.sum() if v0.sum() > 0 else v0
    return total[:, None, :] * share[None, :, None]


def _routes(sc: ScenarioSpec, years: np.ndarray) -> RouteDrivers:
    """Route capacity, days and freight per year (Eq. 10 inputs), INSTC link included."""
    c = sc.corridors
    names = tuple(c.routes)
    opens = np.inf if c.rasht_astara_open is None else c.rasht_astara_open
    link = (years >= np.asarray(opens, dtype=float)[..., None]).astype(float)  # (N|1, Y)
    caps, days, freight = [], [], {m: [] for m in ROUTED_MODES}
    open_ = []
    for name, r in c.routes.items():
        cap = path_values(r.capacity_mt, years, np.inf)
        d = path_values(r.days, years)
        if name == "instc":
            cap = cap + link * np.asarray(c.rasht_astara_capacity_mt)[..., None]
            d = d - link * np.asarray(c.rasht_astara_days_saved)[..., None]
        if r.season is not None:
            cap = cap * (r.season[1] - r.season[0] + 1) / 12.0
        caps.append(cap)
        days.append(d)
        for m in ROUTED_MODES:
            rate = r.freight_usd_per_t.get(m) if m in r.modes else None
            freight[m].append(path_values(np.inf if rate is None else rate, years))
        open_.append(years >= (r.opens if r.opens is not None else years[0]))
    stack = lambda xs: np.stack(np.broadcast_arrays(*xs), axis=1)  # noqa: E731
    link_year = c.rasht_astara_open
    return RouteDrivers(names=names, capacity=stack(caps), days=stack(days),
                        freight={m: stack(v) for m, v in freight.items()},
                        open_=np.array(open_), modes=tuple(r.modes for r in c.routes.values()),
                        model=c.model, link_year=None if link_year is None else int(link_year))


CREDIBLE_RESPONSE = (1 / 3, 3.0)  # trade-cost response factors the constant-elasticity form is
# trusted for: the elasticities come from estimates on tariff changes of a few to ~20 points


def extrapolations(d: Drivers) -> list[tuple[str, int, float]]:
    """(flow, fiscal year, factor) where the policy trade-cost response alone, (T(t)/T(0))^-e,
    leaves :data:`CREDIBLE_RESPONSE` in any sample: the first such year per flow, largest factor."""
    change = d.log_policy_cost - d.log_policy_cost[..., :1]  # (N|1, F, Y)
    factor = np.exp(-d.elasticity * change)
    if d.markets is not None:  # against rivals: the market's response to the partner's cost
        # relative to the rivals' (an MFN change moves them alike, a preference diverts)
        from model.markets import partner_log_change

        mk = d.markets
        z = np.moveaxis(d.rival_cost, -1, 1)  # (N|1, Y, Fm, S)
        zp = np.moveaxis(change[:, mk.flow_index], -1, 1)  # (N|1, Y, Fm)
        z = np.array(np.broadcast_to(z, np.broadcast_shapes(z.shape, zp.shape + z.shape[-1:])))
        z[..., 0] = zp
        em = d.elasticity[:, None, mk.flow_index]  # (N|1, 1, Fm, 1)
        own = np.exp(partner_log_change(mk.theta[:, None], z, np.zeros_like(z),
                                        mk.sigma[:, None], em))  # (N|1, Y, Fm)
        factor = np.array(np.broadcast_to(factor, np.broadcast_shapes(
            factor.shape, (own.shape[0],) + factor.shape[1:])))
        factor[:, mk.flow_index] = np.moveaxis(own, 1, -1)
    lo, hi = CREDIBLE_RESPONSE
    out = []
    for i, name in enumerate(d.flow_names):
        if not d.is_goods[i]:
            continue
        f = factor[:, i, :]
        bad = ((f > hi) | (f < lo)).any(axis=0)
        if bad.any():
            worst = f.max() if f.max() > hi else f.min()
            out.append((name, int(d.years[int(np.argmax(bad))]), float(worst)))
    return out
