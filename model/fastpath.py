"""Compiled fixed point of one fiscal year (capacity corridor model), for large batches.

:func:`model.projection.project` solves, per year and per sample, the fixed point between the
flow values (Eq. 7-8 and the markets' closed form, :class:`model.projection._YearValues`) and the
capacity-limited route assignment (Eq. 10, :func:`model.engine.fill_routes`), with Aitken's
extrapolation every second sweep. Numpy's overhead on the (N, 17) arrays of each sweep dominates
that loop; :func:`solve_year` runs the same sweeps sample by sample in a loop compiled by numba,
with the same arithmetic in the same order (results agree with the numpy path to rounding,
``tests/test_fastpath.py``). Every sample is solved on its own, so no number depends on the batch,
its chunking or the thread count.

The numpy path stays the reference and is used for small batches (no JIT compile in a single
deterministic run), the queueing / DES corridor models, triggers, extreme trade costs (the markets'
log-sum-exp) and when numba is not installed. ``TRADESIM_NO_NUMBA=1`` turns this path off.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

MIN_BATCH = 2048  # samples from which a batch takes the compiled loop

try:  # numba is a dependency; without it (or with it disabled) the numpy path runs everything
    if os.environ.get("TRADESIM_NO_NUMBA"):
        raise ImportError
    with warnings.catch_warnings():  # numba's import-time deprecation notices are not ours
        warnings.simplefilter("ignore")
        import numba
    AVAILABLE = True
except ImportError:  # pragma: no cover - exercised where numba is absent
    numba = None
    AVAILABLE = False

_SHIFT = 30.0  # = markets._SHIFT: above it the numpy path's log-sum-exp takes over
BAIL = 1  # status: a sample needs the numpy path's fallback (extreme costs, NaN)


def _row_py(a, i):
    """Row of sample i in an array whose first axis is the samples' or 1 (broadcast)."""
    return i if a.shape[0] > 1 else 0


_row = _row_py if not AVAILABLE else numba.njit(inline="always", cache=True)(_row_py)


def _solve_year(guess, k, nes, extra, m_idx, speed, c0, b, one_minus, inv_one_minus, theta0,
                a, shift, sigma_em, sigma, la0, base_m, extra_m, mode_of, usd, tc, days, cap,
                freight, tolerance, max_iter,
                eff_used, v_out, mt_out, days_out, tau_out, its):
    """Per sample: the loop of projection.project for one year. Returns 0, or BAIL when a
    sample met a case the numpy path handles differently (then the caller reruns the year
    there); ``its`` (k,) the sweeps each sample used (max_iter + 1: not converged)."""
    n, f = guess.shape
    nm, nr = freight.shape[0], freight.shape[2]
    fm = m_idx.shape[0]
    status = 0
    for i in range(n):
        tau_in = guess[i].copy()
        before = guess[i].copy()
        log_tau = np.empty(f)
        vals = np.empty(f)
        new = np.zeros(f)
        carried = np.zeros((nm, nr))
        cost = np.empty(nr)
        share = np.empty(nr)
        order = np.empty(nr, np.int64)
        ik, ines, iex = _row(k, i), _row(nes, i), _row(extra, i)
        isp = _row(speed, i)
        iu, itc, idy, icp = _row(usd, i), _row(tc, i), _row(days, i), _row(cap, i)
        for it in range(1, max_iter + 1):
            # values (_YearValues.values)
            for j in range(f):
                lt = np.log1p(tau_in[j])
                log_tau[j] = lt
                vals[j] = np.exp(nes[ines, j] * lt) * k[ik, j] + extra[iex, j]
            for q in range(fm):
                col = m_idx[q]
                z0 = log_tau[col] * speed[isp, 0] + c0[_row(c0, i), q]
                x0 = one_minus[_row(one_minus, i), q] * z0 + b[_row(b, i), q]
                if not x0 <= _SHIFT:
                    return BAIL
                lp = np.expm1(x0) * theta0[_row(theta0, i), q] + a[_row(a, i), q]
                lp = np.log1p(lp) * inv_one_minus[_row(inv_one_minus, i), q] + \
                    shift[_row(shift, i), q]
                change = sigma_em[_row(sigma_em, i), q] * lp - sigma[_row(sigma, i), q] * z0 + \
                    la0[_row(la0, i), q]
                vals[col] = np.exp(change) * base_m[_row(base_m, i), q] + \
                    extra_m[_row(extra_m, i), q]
            # route assignment (_assign, capacity model)
            for j in range(f):
                new[j] = 0.0
            for m in range(nm):
                value = 0.0
                mt = 0.0
                wtc = 0.0
                cnt = 0
                for j in range(f):
                    if mode_of[j] == m:
                        cnt += 1
                        value += vals[j]
                        mt += vals[j] * 1e3 / usd[iu, j]
                        wtc += vals[j] * tc[itc, j]
                if cnt == 0:
                    for r in range(nr):
                        carried[m, r] = 0.0
                    continue
                density = value * 1e3 / mt if mt > 0 else 1.0
                rate = wtc / value if value > 0 else 0.0
                ifm = _row(freight[m], i)
                for r in range(nr):
                    cost[r] = freight[m, ifm, r] / density + days[idy, r] * rate
                    if cost[r] != cost[r]:
                        return BAIL
                # cheapest first (stable order), each route up to its capacity
                for r in range(nr):
                    order[r] = r
                for r in range(1, nr):
                    o = order[r]
                    s = r
                    while s > 0 and cost[order[s - 1]] > cost[o]:
                        order[s] = order[s - 1]
                        s -= 1
                    order[s] = o
                left = mt
                for s in range(nr):
                    r = order[s]
                    usable = cap[icp, r] if np.isfinite(cost[r]) else 0.0
                    take = min(left, usable)
                    carried[m, r] = take
                    left -= take
                if left > 1e-12 * max(mt, 1.0):
                    best = 0
                    bc = np.inf
                    for r in range(nr):
                        if np.isfinite(cost[r]) and cost[r] < bc:
                            bc = cost[r]
                            best = r
                    carried[m, best] += left
                mf = 0.0
                md = 0.0
                for r in range(nr):
                    share[r] = carried[m, r] / mt if mt > 0 else 0.0
                    fr = freight[m, ifm, r]
                    mf += share[r] * (fr if np.isfinite(fr) else 0.0)
                    md += share[r] * days[idy, r]
                for j in range(f):
                    if mode_of[j] == m:
                        new[j] = mf / usd[iu, j] + md * tc[itc, j]
            # convergence (_moved) and Aitken (_aitken)
            moved = False
            total = 0.0
            for j in range(f):
                ch = abs(new[j] - tau_in[j])
                total += ch
                if ch >= tolerance:
                    moved = True
            if total != total:
                return BAIL
            if it % 2 == 0:
                for j in range(f):
                    x0, x1, x2 = before[j], tau_in[j], new[j]
                    d1, d2 = x1 - x0, x2 - x1
                    denom = d2 - d1
                    if abs(d2) < 0.5 * abs(d1) and abs(denom) > 1e-300:
                        step = d2 * d2 / denom
                        lim = 2 * abs(d2)
                        step = min(max(step, -lim), lim)
                        x2 = x2 - step
                    new[j] = x2 if x2 > 0.0 else 0.0
            if it == max_iter and moved:
                its[i] = max_iter + 1
                moved = False
            if not moved:
                if its[i] != max_iter + 1:
                    its[i] = it
                for j in range(f):
                    eff_used[i, j] = log_tau[j]
                    v_out[i, j] = vals[j]
                    tau_out[i, j] = new[j]
                for m in range(nm):
                    for r in range(nr):
                        mt_out[i, m, r] = carried[m, r]
                for r in range(nr):
                    days_out[i, r] = days[idy, r]
                break
            for j in range(f):
                before[j] = tau_in[j]
                tau_in[j] = new[j]
    return status


if AVAILABLE:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(_solve_year)
else:  # pragma: no cover
    _kernel = None


def _c(a):
    return np.ascontiguousarray(a, dtype=np.float64)


def solve(yv, yr, d, guess, speed, tolerance, max_iter):
    """The year's fixed point for every sample (rows of ``guess``) in the compiled loop, or
    None when the numpy path must run it (see :func:`_solve_year`). Returns ``(eff_used, v,
    carried, days, tau, iterations, converged)`` as the numpy loop leaves them."""
    if yv.mk is not None and not yv.closed:
        return None
    n, f = guess.shape
    empty = np.zeros((1, 0))
    if yv.mk is None:
        mkt = (np.zeros(0, np.int64), _c(speed)) + (empty,) * 12
    else:
        mkt = (np.asarray(yv.m_idx, np.int64), _c(speed), _c(yv.c0), _c(yv.b), _c(yv.one_minus),
               _c(yv.inv_one_minus), _c(yv.theta0), _c(yv.a), _c(yv.shift), _c(yv.sigma_em),
               _c(yv.sigma), _c(yv.la0), _c(yv.base_m), _c(yv.extra_m))
    from model.drivers import ROUTED_MODES

    nm, nr = len(ROUTED_MODES), yr.days.shape[-1]
    rows = max([fr.shape[0] for _, _, fr, *_ in yr.modes] + [1])
    freight = np.full((nm, rows, nr), np.inf)
    for m, _, fr, *_ in yr.modes:
        freight[m] = fr
    eff_used, v, tau = np.empty((n, f)), np.empty((n, f)), np.empty((n, f))
    carried, days = np.empty((n, nm, nr)), np.empty((n, nr))
    its = np.zeros(n, np.int64)
    status = _kernel(_c(guess), _c(yv.k), _c(yv.nes), _c(yv.extra), *mkt,
                     np.asarray(d.mode_index, np.int64), _c(d.usd_per_t[..., 0]),
                     _c(d.time_cost[..., 0]), _c(yr.days), _c(yr.capacity), freight,
                     float(tolerance), int(max_iter), eff_used, v, carried, days, tau, its)
    if status != 0:
        return None
    converged = not (its > max_iter).any()
    return eff_used, v, carried, days, tau, int(np.minimum(its, max_iter).max()), converged
