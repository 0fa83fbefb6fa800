"""The pure, vectorised projection core: arrays in, arrays out. No I/O, no SimPy.

Shapes: ``N`` samples, ``F`` flows, ``Y`` fiscal years. Every function broadcasts, so a
deterministic run is simply ``N = 1``. Equation numbers refer to ``docs/methodology.md``.
"""

from __future__ import annotations

import numpy as np

DAYS_PER_YEAR = 365.0
BBL_PER_MB = 1e6
USD_PER_BN = 1e9


def phase_weight(years: np.ndarray, start, phase_in_years) -> np.ndarray:
    """Share of a lever's full effect in each year (Eq. 1).

    0 before ``start``; rises linearly to 1 over ``phase_in_years`` (0 or 1: full at ``start``).
    ``start`` and ``phase_in_years`` may be arrays with a sample axis; the result is ``(N, Y)``.
    """
    start = np.asarray(start, dtype=float)[..., None]
    ramp = np.maximum(np.asarray(phase_in_years, dtype=float), 1.0)[..., None]
    return np.atleast_2d(np.clip((years - start + 1.0) / ramp, 0.0, 1.0))


def crude_value_bn(volume_mbd, brent_usd, discount_usd, valuation=1.0, days=DAYS_PER_YEAR):
    """Crude import bill, US$ bn: volume x days x (Brent - discount) (Eq. 2).

    1.0 mb/d at $70/bbl for 365 days is 25.55 bn. ``valuation`` maps the landed price onto the
    customs value (calibrated once on FY2024-25).
    """
    price = np.maximum(np.asarray(brent_usd) - np.asarray(discount_usd), 0.0)
    return np.asarray(volume_mbd) * BBL_PER_MB * days * price * valuation / USD_PER_BN


def lng_value_bn(volume_mt, price_usd_mmbtu, mmbtu_per_t=52.0):
    """LNG import bill, US$ bn: Mt x MMBtu/t x US$/MMBtu (Eq. 3)."""
    return np.asarray(volume_mt) * 1e6 * mmbtu_per_t * np.asarray(price_usd_mmbtu) / USD_PER_BN


def priced_value_bn(volume_mt, price_usd_t):
    """Bulk import bill (coal, fertilisers), US$ bn: Mt x US$/t (Eq. 4)."""
    return np.asarray(volume_mt) * np.asarray(price_usd_t) / 1e3


def effective_elasticity(import_elasticity, export_supply_elasticity):
    """Trade-cost elasticity consistent with WITS-SMART (Eq. 5).

    SMART: dM = M Em dt / ((1+t)(1 - Em/Ex)) with Em < 0; for V = V0 (T/T0)^-e the small-shock
    response is dM = -e M dt/(1+t), so e = |Em| / (1 + |Em|/Ex).
    """
    em = np.abs(np.asarray(import_elasticity, dtype=float))
    return em / (1.0 + em / np.asarray(export_supply_elasticity, dtype=float))


def log_trade_cost(tariff, ntb_ave, transport, friction):
    """ln T with T = (1 + tariff)(1 + NTB AVE)(1 + transport incl. time)(1 + friction) (Eq. 6)."""
    return np.log1p(tariff) + np.log1p(ntb_ave) + np.log1p(transport) + np.log1p(friction)


def adjust(previous, target, speed):
    """Partial adjustment of the log trade cost: moves ``speed`` of the way each year (Eq. 7)."""
    return previous + np.asarray(speed) * (target - previous)


def goods_value(v0, demand_index, log_cost_change, elasticity):
    """Non-energy flow value: V0 x D(t) x (T(t)/T0)^-e (Eq. 8)."""
    return v0 * demand_index * np.exp(-elasticity * log_cost_change)


def us_diversion_bn(us_exports, tariff_extra, base_tariff, us_elasticity, diversion_share):
    """India's exports diverted to Russia when the US raises its tariff (Eq. 9).

    Lost US sales = X_us (1 - ((1 + t0 + dt)/(1 + t0))^-e_us); Russia takes ``diversion_share``.
    """
    ratio = (1.0 + base_tariff + tariff_extra) / (1.0 + base_tariff)
    lost = us_exports * (1.0 - ratio ** (-np.asarray(us_elasticity)))
    return np.asarray(diversion_share) * lost


def export_price_change(us_share, tariff_extra, base_tariff, us_elasticity, supply_elasticity):
    """ln of India's export supply price when the US raises its tariff (GSIM, Eq. 9b).

    India sells a share ``s`` of its exports in the US. At a common supply price w the US buys
    ``s r w^-e`` (r = ((1 + t0 + dt)/(1 + t0))^-e, Eq. 9's loss) and the rest of the world
    ``(1 - s) w^-e``; supply is ``w^Ex``. Clearing: ``ln w = ln(1 - s (1 - r)) / (e + Ex)``
    (closed form: both demands have the same elasticity). The fall of w is what diverts India's
    goods to Russia's markets, through each market's own elasticity (docs/markets.md)."""
    ratio = (1.0 + base_tariff + np.asarray(tariff_extra)) / (1.0 + base_tariff)
    e = np.asarray(us_elasticity, dtype=float)
    r = ratio ** (-e)
    return np.log1p(-np.asarray(us_share) * (1.0 - r)) / (e + np.asarray(supply_elasticity))


def _fill_sorted(demand, cap_sorted):
    """Tonnes per route when routes are already in cost order: each takes what the cheaper
    ones left, up to its capacity."""
    take = np.empty_like(cap_sorted)
    left = demand.astype(float, copy=True)
    for j in range(cap_sorted.shape[-1]):  # a handful of routes: a loop beats cumsum + clip
        take[..., j] = np.minimum(left, cap_sorted[..., j])
        left -= take[..., j]
    return take, left


def fill_routes(demand, capacity, cost):
    """Cheapest-first assignment of tonnage to routes under capacity (Eq. 10).

    demand (N,), capacity (N, R) (``inf`` = unlimited), cost (N, R) generalised cost (``inf`` =
    route closed). Returns tonnes carried (N, R). Demand beyond all open capacity goes to the open
    route with unlimited capacity, else to the cheapest open route (over capacity).
    """
    demand = np.asarray(demand, dtype=float)
    usable = np.where(np.isfinite(cost), capacity, 0.0)
    order = np.argsort(cost[0], kind="stable")
    ranked = cost[:, order]
    # one strict ranking fits every sample (the usual case): no per-sample sort. Ties must not
    # take this path, or their order would depend on which sample comes first in the batch
    # (closed routes, cost inf, carry nothing whatever their order)
    hi, lo = ranked[:, 1:], ranked[:, :-1]
    if np.all((hi > lo) | (np.isinf(hi) & np.isinf(lo))):
        take, left = _fill_sorted(demand, usable[:, order])
        carried = np.empty_like(take)
        carried[:, order] = take
    else:
        order = np.argsort(cost, axis=-1, kind="stable")
        take, left = _fill_sorted(demand, np.take_along_axis(usable, order, axis=-1))
        carried = np.empty_like(take)
        np.put_along_axis(carried, order, take, axis=-1)
    # left: demand beyond all open capacity (the loop's remainder, not a row sum of carried)
    if np.any(left > 1e-12 * np.maximum(demand, 1.0)):
        fallback = np.argmin(np.where(np.isfinite(cost), cost, np.inf), axis=-1)
        np.put_along_axis(carried, fallback[..., None],
                          np.take_along_axis(carried, fallback[..., None], -1) + left[..., None],
                          axis=-1)
    return carried
