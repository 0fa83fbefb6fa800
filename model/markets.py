"""Competing suppliers: one importer x product market as a GSIM/SMART nested-CES equilibrium.

Pure numpy: arrays in, arrays out; no I/O, no printing. Every input broadcasts over a leading
sample axis ``N`` (a deterministic run is ``N = 1``); ``S`` suppliers, ``s = 0`` the partner (Russia
in India's crude market, India in Russia's pharma market), then named rivals, last the rest of the
world. The data live in ``model/data/markets.toml`` (loader: :mod:`model.markets_data`); the
equations, conventions and sources are in ``docs/markets.md``.

Structure (Jammes & Olarreaga 2005, "Explaining SMART and GSIM", World Bank; Francois & Hall's GSIM)

    landed price       p_s = w_s T_s            T = (1+tariff)(1+NTB)(1+transport)(1+friction)
    price index        P   = (sum_s b_s a_s p_s^(1-sigma))^(1/(1-sigma))
    market quantity    Q   = D A P^(-Em)                               (Em > 0, a magnitude)
    supplier quantity  X_s = a_s b_s (p_s / P)^(-sigma) Q
    supplier price     w_s = w0_s (X_s / (D X0_s))^(1/Ex_s)            (Ex = inf: w fixed)

``a_s`` is an availability multiplier (1 = as in the base, 0 = the supplier has left the market,
e.g. Western exporters leaving Russia in 2022; it scales the supplier's CES weight, so a
departure raises the price index by Feenstra's variety term; needs ``sigma > 1``). The weights
``b_s`` are calibrated to the base (exact hat algebra): with hats for new/base,

    ln P^  = (1/(1-sigma)) ln sum_s theta_s a_s p^_s^(1-sigma),   theta_s = V0_s T0_s / sum V0 T0
    X^_s   = D a_s (p^_s / P^)^(-sigma) P^(-Em)

so only base values, base and new trade-cost factors and the elasticities are needed.

Conventions
- Quantities are measured in base-price units: one unit of supplier ``s`` is what one US$ bought
  at its base c.i.f. price (SMART: "trade value ... regarded as trade quantity ... by normalising
  world price to 1"). ``volume`` is therefore the new quantity valued at base c.i.f. prices; it is
  what ``engine.goods_value`` computes. ``value`` is the new quantity at the new supplier price
  (c.i.f., excluding the importer's tariff, the importer's customs-statistics view); the two differ
  only when ``Ex`` is finite (SMART's "price effect").
- ``T`` is the wedge between the c.i.f. value and the buyer's landed cost, as in the engine
  (docs/methodology.md, Eq. 6 and Eq. 8): changing transport or friction in ``T`` does not rescale
  the customs unit value. Base expenditure shares ``theta`` are at landed prices ``V0 T0``.
- ``D`` shifts demand and, with finite ``Ex``, also the supply curves (supply capacity grows with
  the market), so supplier prices respond only to quantities away from their ``D``-scaled base.
  With one supplier this makes the model exactly the engine's Eq. 8 for every ``Ex``.
- ``Ex`` is taken literally: ``np.inf`` is perfectly elastic supply (closed form, no solver). The
  SMART convention "Ex = 99 means infinite" is *not* special-cased, because the engine's Eq. 5
  (``effective_elasticity``) uses 99 as the number 99; pass ``np.inf`` for exact infinity.

Reductions (tested in tests/test_markets.py)
- one supplier, ``Ex = inf``: ``volume == engine.goods_value(V0, D, ln T1 - ln T0, Em)`` bit for
  bit; any ``Ex``: ``engine.goods_value`` with ``effective_elasticity(Em, Ex)`` (solver tolerance).
- equal proportional cost change for every supplier: the same, whatever ``sigma``.
- ``sigma = 0``: fixed proportions, no diversion.
- two suppliers, preferential 1 pp cut: SMART's trade creation and diversion formulas
  (:func:`smart_trade_creation`, :func:`smart_trade_diversion`) to first order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MarketSolution", "Replacement", "solve_market", "replace_partner", "partner_log_change",
           "smart_trade_creation", "smart_trade_diversion", "smart_welfare", "price_index_change"]

_SIGMA_ONE = 1e-9  # |1 - sigma| below this: the Cobb-Douglas limit of the price index


@dataclass(frozen=True)
class MarketSolution:
    """New equilibrium of one market, per sample ``(N,)`` or per sample and supplier ``(N, S)``.

    Volumes and values are in the units of ``v0`` (US$ bn in the data). Decomposition of each
    supplier's volume change: ``volume - v0 == growth + creation + diversion`` (to rounding) and
    ``value - v0 == growth + creation + diversion + price_effect``.
    """

    volume: np.ndarray           # (N,S) new quantity at base c.i.f. prices (== engine.goods_value)
    value: np.ndarray            # (N,S) new quantity x new supplier price: c.i.f., ex-tariff
    supplier_price: np.ndarray   # (N,S) w1/w0 (1 with Ex = inf)
    landed_price: np.ndarray     # (N,S) p1/p0 = w^ T1/T0; virtual (demand) price if volume fixed
    price_index: np.ndarray      # (N,)  P1/P0
    shares0: np.ndarray          # (N,S) base landed expenditure shares theta
    shares1: np.ndarray          # (N,S) new landed expenditure shares (sum to 1)
    growth: np.ndarray           # (N,S) (D - 1) v0: the demand shifter at base prices
    creation: np.ndarray         # (N,S) trade creation: v1_s (M1 - D M0), sums to the market's
    diversion: np.ndarray        # (N,S) trade diversion: D M0 (v1_s - v0_s), sums to 0
    price_effect: np.ndarray     # (N,S) value - volume (finite Ex only)
    cs_change: np.ndarray        # (N,)  consumer surplus change, exact CES integral
    cs_change_linear: np.ndarray  # (N,) trapezoid: sum (p0 - p1)(D X0 + X1)/2
    welfare_smart: np.ndarray    # (N,)  SMART's triangle: 0.5 sum (p0 - p1)(X1 - D X0)
    tariff_revenue_change: np.ndarray | None  # (N,) importer's tariff revenue, None without tariffs
    quota_rent: np.ndarray       # (N,)  (virtual - actual landed price) x volume of fixed suppliers
    welfare: np.ndarray | None   # (N,)  cs_change + tariff_revenue_change + quota_rent
    converged: np.ndarray        # (N,)  bool, the supplier-price fixed point met ``tol``
    residual: np.ndarray         # (N,)  max |equation residual| in log units (0 in closed form)
    iterations: int              # Newton iterations used (0 in closed form)


@dataclass(frozen=True)
class Replacement:
    """A quantity shock to one supplier against the same market without it (``reference``)."""

    solution: MarketSolution
    reference: MarketSolution
    cut_volume: np.ndarray           # (N,) partner's volume lost, base-price units
    replacement_volume: np.ndarray   # (N,) rivals' volume gained, base-price units
    cut_physical: np.ndarray | None          # (N,) the same in physical units (``unit_price``)
    replacement_physical: np.ndarray | None  # (N,) rivals' physical units gained
    replacement_cost: np.ndarray     # (N,) rivals' value gained (new supplier prices)
    partner_saving: np.ndarray       # (N,) partner's value lost
    bill_change: np.ndarray          # (N,) replacement_cost - partner_saving: the import bill
    virtual_price: np.ndarray        # (N,) partner's demand (shadow) landed price / base


# ------------------------------------------------------------------------------ SMART formulas
def smart_trade_creation(m, t0, t1, import_elasticity, export_supply=np.inf):
    """WITS-SMART trade creation: ``TC = M Em dt / ((1 + t)(1 - Em/Ex))`` with ``Em < 0``.

    Written with the magnitude ``|Em|``: ``TC = M |Em| (t0 - t1) / ((1 + t0)(1 + |Em|/Ex))``
    (positive for a cut). Source: WITS-SMART user manual, "SMART theoretical framework";
    Jammes & Olarreaga (2005), section 1 (also docs/methodology.md, Eq. 5).
    """
    em = np.abs(np.asarray(import_elasticity, dtype=float))
    t0 = np.asarray(t0, dtype=float)
    return (np.asarray(m, dtype=float) * em * (t0 - np.asarray(t1, dtype=float))
            / ((1.0 + t0) * (1.0 + em / np.asarray(export_supply, dtype=float))))


def smart_trade_diversion(m_partner, m_rival, tp0, tp1, tr0, tr1, substitution):
    """WITS-SMART trade diversion towards the partner (Laird & Yeats 1986, Annex I; WITS-SMART).

        TD = M_p M_r sigma x / (M_p + M_r + M_p sigma x),
        x  = -d((1+t_p)/(1+t_r)) / ((1+t_p)/(1+t_r))     (relative fall of the partner's price)

    It solves, at a fixed total ``M_p + M_r``, ``(M_p + TD)/(M_r - TD) = (M_p/M_r)(1 + sigma x)``:
    the linear form of the Armington ratio rule, ``d ln(M_p/M_r) = -sigma d ln(p_p/p_r)``. To first
    order ``TD = (M_p M_r / (M_p + M_r)) sigma x``. Positive = gained by the partner and lost by
    the rival. Recalled from the manual and re-derived here (see docs/markets.md: the search found
    the WITS pages defining TC/TD/price effect and SMART's inputs, not the algebra itself).
    """
    mp = np.asarray(m_partner, dtype=float)
    mr = np.asarray(m_rival, dtype=float)
    ratio0 = (1.0 + np.asarray(tp0, dtype=float)) / (1.0 + np.asarray(tr0, dtype=float))
    ratio1 = (1.0 + np.asarray(tp1, dtype=float)) / (1.0 + np.asarray(tr1, dtype=float))
    x = -(ratio1 - ratio0) / ratio0
    sx = np.asarray(substitution, dtype=float) * x
    return mp * mr * sx / (mp + mr + mp * sx)


def smart_welfare(m, t0, t1, dm):
    """SMART's welfare ("consumer surplus" in its reports): ``0.5 (t0 - t1) dM`` with the world
    price normalised to 1, the deadweight-loss triangle (WITS help, "SMART input requirements and
    output results")."""
    return 0.5 * (np.asarray(t0, dtype=float) - np.asarray(t1, dtype=float)) * np.asarray(dm)


# ------------------------------------------------------------------------------ the CES block
_SHIFT = 30.0  # log-terms above this are summed with a max shift (no overflow of expm1)


def _log_sum(theta, arg):
    """``ln sum_s theta_s e^arg_s``: ``log1p``/``expm1`` near 0 (accurate as sigma -> 1, exact 0
    with one supplier), a max-shifted log-sum-exp when a term is huge (extreme trade costs)."""
    mx = np.max(np.where(theta > 0, arg, -np.inf), axis=-1, keepdims=True)
    near = np.log1p(np.sum(theta * np.expm1(np.minimum(arg, _SHIFT)), axis=-1, keepdims=True))
    if not np.any(mx > _SHIFT):
        return near
    shifted = mx + np.log(np.sum(theta * np.exp(np.minimum(arg - mx, 0.0)), axis=-1,
                                 keepdims=True))
    return np.where(mx > _SHIFT, shifted, near)


def _log_index(theta, log_a, alive, z, sigma):
    """ln P^ and the new shares for log landed-price changes ``z`` (N,S).

    Shifted log-sum-exp, ``L = zbar + ln(sum theta a e^((1-sigma)(z - zbar)))/(1-sigma)`` with
    ``zbar = sum theta z``: with one supplier (theta = 1) ``L == z`` exactly; ``expm1``/``log1p``
    keep it accurate as sigma -> 1, and sigma == 1 takes the Cobb-Douglas limit ``sum theta z``.
    """
    one_minus = 1.0 - sigma
    cd = np.abs(one_minus) < _SIGMA_ONE
    safe = np.where(cd, 1.0, one_minus)
    zbar = np.sum(theta * z, axis=-1, keepdims=True)
    if alive is None:                      # every supplier present: no masks (the common case)
        arg = one_minus * (z - zbar)
        inner = _log_sum(theta, arg)
        log_p = zbar + np.where(cd, 0.0, inner / safe)
        return log_p, theta * np.exp(np.minimum(arg - one_minus * (log_p - zbar), _SHIFT))
    # a supplier that left weighs nothing: e^-inf = 0 (expm1 = -1 removes its base share)
    arg = np.where(alive, log_a + one_minus * (z - zbar), -np.inf)
    inner = _log_sum(theta, arg)
    log_p = zbar + np.where(cd, 0.0, inner / safe)
    shares = np.where(alive, theta * np.exp(np.where(alive, np.minimum(
        arg - one_minus * (log_p - zbar), _SHIFT), 0.0)), 0.0)
    return log_p, shares


def partner_log_change(theta, z, log_a, sigma, em):
    """``ln(X1_0 / (D X0_0))`` of supplier 0 (the partner) with ``Ex = inf``, for the projection.

    theta (.., S) base landed shares (zero columns weigh nothing); z (.., S) log landed-cost
    changes; log_a (.., S) log availability; sigma, em (.., 1). Closed form: ``ln a_0 - sigma
    (z_0 - ln P^) - Em ln P^``. With one supplier ``ln P^ == z_0`` exactly, so the result is
    ``-Em z_0``: the engine's Eq. 8."""
    log_p, _ = _log_index(theta, log_a, np.ones(z.shape, dtype=bool), z, sigma)
    lp = log_p[..., 0]
    return log_a[..., 0] - sigma[..., 0] * (z[..., 0] - lp) - em[..., 0] * lp


def price_index_change(v0, t0, t1, substitution, availability=None):
    """P1/P0 of the CES import price index at fixed supplier prices (``Ex = inf``), ``(N,)``."""
    v0, t0, t1 = (np.asarray(a, dtype=float) for a in (v0, t0, t1))
    shape = np.broadcast_shapes(v0.shape, t0.shape, t1.shape)
    theta = _theta(np.broadcast_to(v0, shape), np.broadcast_to(t0, shape))
    a = np.ones(shape) if availability is None else np.broadcast_to(
        np.asarray(availability, dtype=float), shape)
    alive = a > 0
    log_a = np.log(np.where(alive, a, 1.0))
    z = np.log(t1) - np.log(t0)
    sigma = np.asarray(substitution, dtype=float)
    sigma = sigma[..., None] if sigma.ndim else sigma
    log_p, _ = _log_index(theta, log_a, alive, np.broadcast_to(z, shape), sigma)
    return np.exp(log_p[..., 0])


def _theta(v0, t0):
    spend = v0 * t0
    return spend / np.sum(spend, axis=-1, keepdims=True)


def solve_market(v0, t0, t1, import_elasticity, substitution, export_supply=np.inf, *,
                 availability=None, demand=1.0, tariff0=None, tariff1=None, fixed_volume=None,
                 tol=1e-12, max_iter=50) -> MarketSolution:
    """Solve one market for every sample at once.

    v0: (N|1, S) base values at base c.i.f. prices (quantities in base-price units).
    t0, t1: (N|1, S) base and new trade-cost factors ``T`` (> 0).
    import_elasticity: ``Em`` of the market's total imports, ``()`` or ``(N,)``; its magnitude is
        used, as in ``engine.effective_elasticity``.
    substitution: Armington ``sigma`` between suppliers, ``()`` or ``(N,)``, >= 0.
    export_supply: ``Ex``, ``()``, ``(S,)`` or ``(N, S)``; ``np.inf`` = perfectly elastic.
    availability: (N|1, S) multiplier on each supplier's CES weight, 0 = gone (needs sigma > 1).
    demand: ``D``, ``()`` or ``(N,)``: income/demand growth of the market.
    tariff0, tariff1: (N|1, S) the importer's ad-valorem tariff (the tariff part of ``T``), for
        the revenue change ``sum tariff1 value - tariff0 v0``; without them revenue and net
        welfare are ``None``.
    fixed_volume: (N|1, S) exogenous volumes in base-price units, NaN = free: a quantity shock
        (quota, sanction cap). The supplier's landed price becomes the virtual price that clears
        its demand; its supplier price follows its supply curve at that volume. 0 = it leaves.

    Finite ``Ex`` (or a fixed volume): Newton's method on the log supplier prices of all samples
    at once. The Jacobian is diagonal plus rank one, ``J = diag(d) - u s'``, solved exactly by
    Sherman-Morrison; no per-sample Python loop. ``converged`` and ``residual`` say how it went.
    """
    v0 = np.asarray(v0, dtype=float)
    t0 = np.asarray(t0, dtype=float)
    t1 = np.asarray(t1, dtype=float)
    em_in = np.abs(np.asarray(import_elasticity, dtype=float))
    sigma_in = np.asarray(substitution, dtype=float)
    dem_in = np.asarray(demand, dtype=float)
    per_supplier = [np.asarray(x, dtype=float) for x in
                    (v0, t0, t1, availability, fixed_volume, export_supply, tariff0, tariff1)
                    if x is not None]
    lead = np.broadcast_shapes(em_in.shape, sigma_in.shape, dem_in.shape,
                               *(x.shape[:-1] for x in per_supplier if x.ndim))
    if len(lead) > 1:
        raise ValueError("inputs carry at most one sample axis: () or (N,) per market, "
                         "(N|1, S) per supplier")
    n = lead[0] if lead else 1
    n_sup = np.broadcast_shapes(*(x.shape[-1:] for x in per_supplier if x.ndim))[-1]
    shape = (n, n_sup)
    em = np.broadcast_to(em_in, (n,))[:, None]
    sigma = np.broadcast_to(sigma_in, (n,))[:, None]
    dem = np.broadcast_to(dem_in, (n,))[:, None]
    v0b = np.broadcast_to(v0, shape)
    t0b = np.broadcast_to(t0, shape)
    if np.any(sigma < 0) or np.any(~np.isfinite(sigma)):
        raise ValueError("substitution elasticity sigma must be finite and >= 0")
    if np.any(v0 < 0) or np.any(t0 <= 0) or np.any(t1 <= 0):
        raise ValueError("base values must be >= 0 and trade-cost factors > 0")
    theta = _theta(v0b, t0b)

    a = np.ones(shape) if availability is None else np.broadcast_to(
        np.asarray(availability, dtype=float), shape)
    fixed = np.zeros(shape, dtype=bool)
    xbar = np.zeros(shape)
    if fixed_volume is not None:
        fv = np.broadcast_to(np.asarray(fixed_volume, dtype=float), shape)
        fixed = ~np.isnan(fv)
        if np.any(fixed & (v0b <= 0)):
            raise ValueError("a fixed volume needs a supplier with a positive base value")
        if np.any(np.where(fixed, fv, 0.0) < 0):
            raise ValueError("fixed volumes must be >= 0")
        gone = fixed & (fv == 0)
        a = np.where(gone, 0.0, a)          # quantity 0: the supplier leaves (sigma > 1)
        fixed = fixed & ~gone
        xbar = np.where(fixed, np.log(np.where(fixed, fv, 1.0))
                        - np.log(np.where(fixed, dem * v0b, 1.0)), 0.0)
    if np.any(a < 0):
        raise ValueError("availability multipliers must be >= 0")
    alive = (a > 0) & (v0b > 0)
    left = (v0b > 0) & ~alive                       # base suppliers that have left the market
    if np.any(left & (sigma <= 1.0)):
        raise ValueError("a supplier leaving (availability 0) needs sigma > 1: with sigma <= 1 "
                         "every variety is essential")
    if np.any(fixed & (sigma <= 0)):
        raise ValueError("a fixed volume needs sigma > 0")
    log_a = np.log(np.where(alive, a, 1.0))

    ex = np.broadcast_to(np.asarray(export_supply, dtype=float), shape)
    if np.any(ex <= 0):
        raise ValueError("export supply elasticities must be > 0 (np.inf = perfectly elastic)")
    kappa = np.where(alive, 1.0 / ex, 0.0)   # inverse supply elasticity, 0 = perfectly elastic
    tau = np.broadcast_to(np.log(t1) - np.log(t0), shape)

    # the unmasked fast path: every supplier present at its base weight (no exit, no a != 1)
    everyone = bool(np.all(alive)) and not np.any(log_a)

    def demand_side(u):
        z = tau + u
        if everyone:
            log_p, shares = _log_index(theta, None, None, z, sigma)
            return z, log_p, shares, log_a - sigma * (z - log_p) - em * log_p
        log_p, shares = _log_index(theta, log_a, alive, z, sigma)
        x = np.where(alive, log_a - sigma * (z - log_p) - em * log_p, 0.0)  # ln(X1 / (D X0))
        return z, log_p, shares, x

    u = np.zeros(shape)      # free suppliers: ln w^; fixed ones: virtual landed wedge ln p^ - tau
    z, log_p, shares, x = demand_side(u)
    iterations = 0
    residual = np.zeros(n)
    solve = bool(np.any(kappa > 0) or np.any(fixed))
    if solve:
        d = np.where(fixed, sigma, 1.0 + kappa * sigma)
        wd = np.where(alive, (sigma - em) * np.where(fixed, 1.0, kappa), 0.0) / d
        while True:
            g = np.where(alive, np.where(fixed, xbar - x, u - kappa * x), 0.0)
            residual = np.max(np.abs(g), axis=-1)
            if iterations >= max_iter or np.all(residual < tol):
                break
            gd = -g / d
            denom = 1.0 - np.sum(shares * wd, axis=-1, keepdims=True)
            step = gd + wd * np.sum(shares * gd, axis=-1, keepdims=True) / denom
            u = u + np.clip(step, -2.0, 2.0)
            z, log_p, shares, x = demand_side(u)
            iterations += 1
    converged = residual < tol

    # quantities and prices
    log_w = np.where(fixed, kappa * xbar, u)              # actual supplier price, ln w^
    volume = v0b * dem * np.exp(x if everyone else np.where(alive, x, -np.inf))
    w_hat = np.exp(log_w)
    value = volume * w_hat
    landed = np.exp(z)
    lp = log_p[:, 0]

    # decomposition: SMART's creation (market size) and diversion (shares at fixed size)
    m0 = np.sum(v0b, axis=-1, keepdims=True)
    m1 = np.sum(volume, axis=-1, keepdims=True)
    sh0 = v0b / m0
    sh1 = np.where(m1 > 0, volume / np.where(m1 > 0, m1, 1.0), 0.0)
    growth = (dem - 1.0) * v0b
    creation = sh1 * (m1 - dem * m0)
    diversion = dem * m0 * (sh1 - sh0)

    # welfare. Base landed price per unit is T0 (w0 = 1), the new one T0 x landed (virtual for a
    # fixed supplier). Exact: the integral of Q = D A P^-Em from P1 to P0 (the CES index is exact
    # for the CES sub-utility), D E0 (P^^(1-Em) - 1)/(Em - 1), E0 = sum V0 T0; Em = 1: -D E0 ln P^.
    # The linear measures need a finite new price for every base supplier: NaN after an exit.
    e0 = np.sum(v0b * t0b, axis=-1)
    em0, dem0 = em[:, 0], dem[:, 0]
    unit = np.abs(1.0 - em0) < _SIGMA_ONE
    cs = dem0 * e0 * np.where(unit, -lp,
                              np.expm1((1.0 - em0) * lp) / np.where(unit, 1.0, em0 - 1.0))
    d_p = t0b * (1.0 - landed)
    base_q = dem * v0b
    exit_any = np.any(left, axis=-1)
    cs_linear = np.where(exit_any, np.nan, np.sum(d_p * (base_q + volume), axis=-1) / 2.0)
    welfare_smart = np.where(exit_any, np.nan, 0.5 * np.sum(d_p * (volume - base_q), axis=-1))
    actual_landed = np.exp(log_w + tau)
    quota_rent = np.sum(np.where(fixed, volume * t0b * (landed - actual_landed), 0.0), axis=-1)

    revenue = welfare = None
    if (tariff0 is None) != (tariff1 is None):
        raise ValueError("give both tariff0 and tariff1, or neither")
    if tariff0 is not None:
        tr0 = np.broadcast_to(np.asarray(tariff0, dtype=float), shape)
        tr1 = np.broadcast_to(np.asarray(tariff1, dtype=float), shape)
        revenue = np.sum(tr1 * value - tr0 * v0b, axis=-1)
        welfare = cs + revenue + quota_rent

    return MarketSolution(
        volume=volume, value=value, supplier_price=w_hat, landed_price=landed,
        price_index=np.exp(lp),
        shares0=theta, shares1=shares, growth=growth, creation=creation, diversion=diversion,
        price_effect=value - volume, cs_change=cs, cs_change_linear=cs_linear,
        welfare_smart=welfare_smart, tariff_revenue_change=revenue, quota_rent=quota_rent,
        welfare=welfare, converged=converged, residual=residual, iterations=iterations)


def replace_partner(v0, t0, import_elasticity, substitution, partner_volume, *, t1=None,
                    partner=0, export_supply=np.inf, availability=None, demand=1.0,
                    unit_price=None, tariff0=None, tariff1=None, tol=1e-12,
                    max_iter=50) -> Replacement:
    """Quantity shock to the partner: its volume is fixed at ``partner_volume`` (base-price units,
    ``()`` or ``(N,)``) and the rivals fill the gap as ``sigma`` and ``Em`` say, at their prices
    (rising along their supply curves if ``Ex`` is finite).

    Example: India cuts Russian crude to 0.8 mb/d: ``v0`` India's crude imports by supplier (US$
    bn), ``partner_volume`` = 0.8 / 1.747 x v0[Russia]; ``unit_price`` (N|1, S) US$ per barrel at
    base, in US$ bn per unit: turns volumes into barrels. Everything is measured against the same
    market without the cut (``reference``, same ``t1``, ``D``, ``Ex``), so only the shock shows.

    Note on what the rivals' prices mean. With CES demand the buyer is indifferent at the margin:
    to first order ``sum_s p_s dX_s = 0`` at *landed* prices when ``Em = 0``. If the partner's
    discount is a friction (sanctions risk, payment cost: put it in the partner's ``T`` so that
    landed prices are equal) a barrel replaces a barrel and the bill rises by the discount forgone;
    if the discount is read as quality (``T`` equal), the replacement is cheaper per unit and the
    bill barely moves. See docs/markets.md.
    """
    v0 = np.asarray(v0, dtype=float)
    t1 = t0 if t1 is None else t1
    kw = dict(export_supply=export_supply, availability=availability, demand=demand,
              tariff0=tariff0, tariff1=tariff1, tol=tol, max_iter=max_iter)
    ref = solve_market(v0, t0, t1, import_elasticity, substitution, **kw)
    n, n_sup = ref.volume.shape
    fv = np.full((n, n_sup), np.nan)
    fv[:, partner] = np.broadcast_to(np.asarray(partner_volume, dtype=float), (n,))
    sol = solve_market(v0, t0, t1, import_elasticity, substitution, fixed_volume=fv, **kw)
    rivals = np.arange(n_sup) != partner
    d_vol = sol.volume - ref.volume
    d_val = sol.value - ref.value
    cut = -d_vol[:, partner]
    repl = np.sum(d_vol[:, rivals], axis=-1)
    cut_ph = repl_ph = None
    if unit_price is not None:
        up = np.broadcast_to(np.asarray(unit_price, dtype=float), (n, n_sup))
        cut_ph = cut / up[:, partner]
        repl_ph = np.sum(d_vol[:, rivals] / up[:, rivals], axis=-1)
    return Replacement(
        solution=sol, reference=ref, cut_volume=cut, replacement_volume=repl,
        cut_physical=cut_ph, replacement_physical=repl_ph,
        replacement_cost=np.sum(d_val[:, rivals], axis=-1), partner_saving=-d_val[:, partner],
        bill_change=np.sum(d_val, axis=-1),
        virtual_price=sol.landed_price[:, partner] / ref.landed_price[:, partner])
