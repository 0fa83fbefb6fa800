"""Compiled year loop of the projection (capacity corridor model, no triggers), for large batches.

:func:`model.projection.project` solves, per year and per sample, the fixed point between the
flow values (Eq. 7-8 and the markets' closed form, :class:`model.projection._YearValues`) and the
capacity-limited route assignment (Eq. 10, :func:`model.engine.fill_routes`), with Aitken's
extrapolation every second sweep. Numpy's overhead on the (N, 17) arrays of each sweep dominates
that loop; :func:`_years` runs the whole year loop (per-year constants, fixed point, partial
adjustment) compiled by numba, on threads over ranges of samples, with the same formulas in the
same order, to rounding. Within a range the samples go in blocks of :data:`LANES`, every loop
innermost over the block's samples, so that the loops compile to SIMD code across samples; exp,
expm1 and log1p are branch-free versions of their own (below one unit in the last place) so that
those loops vectorise, and divisions by a sample's constants are multiplications by reciprocals
(results agree with the numpy path to 1e-10, ``tests/test_fastpath.py``). Every sample is still
solved on its own (its own sweeps, its own convergence test), so no number depends on the batch,
its chunking or the thread count. A batch is taken whole (projection.project does not cut it into
chunks for this path): fresh memory is slow to fill on a virtual machine, and the outputs are
written once, in place.

The numpy path stays the reference and is used for small batches (no JIT compile in a single
deterministic run), the queueing / DES corridor models, triggers, extreme trade costs (the markets'
log-sum-exp) and when numba is not installed. ``TRADESIM_NO_NUMBA=1`` turns this path off.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import warnings

import numpy as np

MIN_BATCH = 2048  # samples from which a batch takes the compiled loop

# numba is a dependency; it is imported on the first large batch only (a CLI run of one scenario
# never pays for it). Without it, or with TRADESIM_NO_NUMBA=1, the numpy path runs everything
AVAILABLE = (not os.environ.get("TRADESIM_NO_NUMBA")
             and importlib.util.find_spec("numba") is not None)
numba = None
_kernel = None

_SHIFT = 30.0  # = markets._SHIFT: above it the numpy path's log-sum-exp takes over
BAIL = 1  # status: a sample needs the numpy path's fallback (extreme costs, NaN)


# ------------------------------------------------------------------ vectorisable exp, expm1, log1p
# libm's exp/log cost a call each and stop LLVM from vectorising a loop; these are fdlibm's
# algorithms (e_exp.c, s_expm1.c, s_log1p.c) written without branches, in plain float and
# integer arithmetic, so that a loop over samples compiles to SIMD code. Their error is below one
# unit in the last place, as libm's (tests/test_fastpath.py). Their domain is the working range
# only: the kernel checks each argument and sends a sample that leaves it to the numpy path.
# _bits/_float reinterpret a float's bits as an integer and back (numba intrinsics in _compiled).

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
_ROUND = 6755399441055744.0  # 1.5 2^52: x + _ROUND - _ROUND rounds x to an integer ...
_ROUND_BITS = 0x4338000000000000  # ... which sits in the low bits of x + _ROUND
EXP_MAX = 700.0  # |x| at most this for _exp (fdlibm's range reduction without over/underflow)
LOG1P_MAX = 1e15  # _log1p(x) for -1 < x < LOG1P_MAX


def _bits_py(x):  # pragma: no cover - replaced by the intrinsic before anything calls it
    import struct

    return struct.unpack("<q", struct.pack("<d", x))[0]


def _float_py(i):  # pragma: no cover - replaced by the intrinsic before anything calls it
    import struct

    return struct.unpack("<d", struct.pack("<q", i))[0]


_bits, _float = _bits_py, _float_py


def _exp_py(x):
    """e^x for |x| <= EXP_MAX."""
    t = x * _INV_LN2 + _ROUND
    k = _bits(t) - _ROUND_BITS  # x / ln 2 rounded to the nearest integer
    kf = t - _ROUND
    hi = x - kf * _LN2_HI
    lo = kf * _LN2_LO
    r = hi - lo
    z = r * r
    c = r - z * (1.66666666666666019037e-01 + z * (-2.77777777770155933842e-03 + z * (
        6.61375632143793436117e-05 + z * (-1.65339022054652515390e-06
                                          + z * 4.13813679705723846039e-08))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    return y * _float((k + 1023) << 52)


def _expm1_py(x):
    """e^x - 1 for x <= 45 (any x below: -1 from -40 on, -inf included). fdlibm's reduction
    x = k ln 2 + r and its e^r - 1 with the reduction's rounding error folded in, then
    2^k (e^r - 1) + (2^k - 1) (exact 2^k - 1; no cancellation: k = 0 near x = 0)."""
    xc = x if x > -45.0 else -45.0
    xc = xc if xc < 45.0 else 45.0
    t = xc * _INV_LN2 + _ROUND
    k = _bits(t) - _ROUND_BITS
    kf = t - _ROUND
    hi = xc - kf * _LN2_HI
    lo = kf * _LN2_LO
    r = hi - lo
    c = (hi - r) - lo
    hfx = 0.5 * r
    hxs = r * hfx
    r1 = 1.0 + hxs * (-3.33333333333331316428e-02 + hxs * (1.58730158725481460165e-03 + hxs * (
        -7.93650757867487942473e-05 + hxs * (4.00821782732936239552e-06
                                             + hxs * -2.01099218183624371326e-07))))
    tt = 3.0 - r1 * hfx
    e = hxs * ((r1 - tt) / (6.0 - r * tt))
    e = r * (e - c) - c
    e -= hxs
    two_k = _float((k + 1023) << 52)
    y = two_k * (r - e) + (two_k - 1.0)
    return -1.0 if x < -40.0 else y


def _log1p_py(x):
    """ln(1 + x) for -1 < x < LOG1P_MAX."""
    near = x > -0.2928932 and x < 0.4142135  # 1 + x in (sqrt(1/2), sqrt(2)): f = x, k = 0
    u = 1.0 + x
    hu = _bits(u)
    k = (hu >> 52) - 1023
    c = (1.0 - (u - x)) if k > 0 else (x - (u - 1.0))  # the rounding error of 1 + x ...
    c = c / u  # ... relative to it
    m = hu & 0x000FFFFFFFFFFFFF
    big = m >= 0x6A09E00000000  # mantissa above sqrt(2): halve it
    un = _float(m | (0x3FE0000000000000 if big else 0x3FF0000000000000))
    k = k + 1 if big else k
    kf = 0.0 if near else float(k)
    c = 0.0 if near else c
    f = x if near else un - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    r = z * (6.666666666666735130e-01 + z * (3.999999999940941908e-01 + z * (
        2.857142874366239149e-01 + z * (2.222219843214978396e-01 + z * (
            1.818357216161805012e-01 + z * (1.531383769920937332e-01
                                            + z * 1.479819860511658591e-01))))))
    return kf * _LN2_HI - ((hfsq - (s * (hfsq + r) + (kf * _LN2_LO + c))) - f)


_exp, _expm1, _log1p = _exp_py, _expm1_py, _log1p_py  # compiled (inlined) in _compiled()

# ------------------------------------------------------------------------------ the year loop
def _row_py(a, i):
    """Row of sample i in an array whose first axis is the samples' or 1 (broadcast)."""
    return i if a.shape[0] > 1 else 0


_row = _row_py  # compiled (inlined) with the kernel, _compiled()


def _gather_py(a, c, idx, out, o):
    """``out[o, l] = a[row of sample idx[l], c]`` for an array (N|1, C) (the same number in
    every lane when it has no sample axis). Arrays are indexed, not sliced: a view would count
    references to its array, atomically, and the threads share the inputs."""
    if a.shape[0] == 1:
        x = a[0, c]
        for ln in range(out.shape[1]):
            out[o, ln] = x
    else:
        for ln in range(out.shape[1]):
            out[o, ln] = a[idx[ln], c]


_gather = _gather_py  # compiled (inlined) with the kernel, _compiled()


LANES = 128  # samples solved side by side: the loops run over them, so they compile to SIMD
#               code (more lanes spread each loop's set-up over more samples; 16-64 were slower)
SLOTS = 32  # the sweeps run over a multiple of this many slots (whole SIMD loops); LANES: never
#             move the lanes still iterating (tests/test_fastpath.py)


def _move_py(s, d, pf, pm, pr, sp, lane_of, new, var_f, var_m, var_r):
    """Slot ``s``'s sweep state (its inputs and iterates) to slot ``d``. Only the packs' rows
    flagged in ``var_*`` move: the others come from inputs without a sample axis and hold the
    same number in every slot."""
    for pack, var in ((pf, var_f), (pm, var_m), (pr, var_r)):
        for p in range(pack.shape[0]):
            if var[p]:
                for r in range(pack.shape[1]):
                    pack[p, r, d] = pack[p, r, s]
    for j in range(new.shape[0]):
        new[j, d] = new[j, s]
    sp[d] = sp[s]
    lane_of[d] = lane_of[s]


_move = _move_py  # compiled (inlined) with the kernel, _compiled()


def _years(lo, hi, y, v0, is_goods, epos, level, lpc, el, speed, diversion, energy, usd, tc,
           days, cap, freight, mode_of, m_idx, theta, sigma, rival_cost, gcols, gth, gzr, gla,
           log_a,
           tau0, log_cost0, tolerance, max_iter, slots,
           flows, transport, route_mt, partner, its, status):
    """Samples lo..hi-1, years 1..y-1: the year loop of projection.project (capacity model, no
    triggers) with every sample's fixed point solved on its own. Outputs are year-major like
    project's buffers (the transit days are the inputs' own, route_days: not written); ``its``
    (Y,) the most sweeps a sample of the range used (max_iter + 1: one did not converge);
    ``status[i] = BAIL`` for the samples of a block where one met a case the numpy path treats
    differently (extreme market costs, NaN, an argument outside the range of _exp, _expm1 or
    _log1p): the caller then projects the batch with numpy.

    Samples go through in blocks of LANES, every loop innermost over the block's lanes (no
    branch on a lane's values: selects), so that the transcendental functions, the markets and
    the route assignment compile to SIMD code across samples. A year starts with slot = lane;
    a lane that has converged keeps its results (its last sweep's), and when few lanes are still
    iterating they move to the first slots (a multiple of ``slots``) and the sweeps run over those
    only. The last block is padded with copies of the range's last sample, and every sample
    takes the same instructions whatever its block, slot, batch, chunk or thread."""
    B = LANES
    f = v0.shape[0]
    nm, nr = freight.shape[1], freight.shape[2]
    # the inputs as (N|1, columns), for _gather: (flow, year) -> flow * y + year, ...
    lpc2, level2 = lpc.reshape(lpc.shape[0], -1), level.reshape(level.shape[0], -1)
    energy2 = energy.reshape(energy.shape[0], -1)
    diversion2 = diversion.reshape(diversion.shape[0], -1)
    days2, cap2 = days.reshape(days.shape[0], -1), cap.reshape(cap.shape[0], -1)
    freight2 = freight.reshape(freight.shape[0], -1)
    theta2 = theta.reshape(theta.shape[0], -1)
    rival2, log_a2 = rival_cost.reshape(rival_cost.shape[0], -1), log_a.reshape(log_a.shape[0], -1)
    ns_ = theta.shape[2]
    fm = m_idx.shape[0]
    ng = gth.shape[3]
    ncols = gcols.shape[0]
    ngroups = ng if ncols == 0 else ncols
    is_m = np.zeros(f, np.bool_)
    for q in range(fm):
        is_m[m_idx[q]] = True
    n_mode = np.zeros(nm, np.int64)
    routed = np.empty(f, np.int64)  # the flows whose transport costs the sweeps move
    n_routed = 0
    for j in range(f):
        if mode_of[j] >= 0:
            n_mode[mode_of[j]] += 1
            routed[n_routed] = j
            n_routed += 1
    # the rivals' part of each market's cost mean (shift), when no sample axis: one table
    rivals_shared = theta.shape[0] == 1 and rival_cost.shape[0] == 1
    rival_sum = np.zeros((y, fm))
    if rivals_shared:
        for t in range(y):
            for q in range(fm):
                sh = 0.0
                for s in range(1, theta.shape[2]):
                    sh += theta[0, q, s] * rival_cost[0, q, s, t]
                rival_sum[t, q] = sh
    idx = np.empty(B, np.int64)
    # per lane (flow | market | route, lane), for the block
    lc0, eff, tau, prev = np.empty((f, B)), np.empty((f, B)), np.empty((f, B)), np.empty((f, B))
    el_l, usd_l, tc_ll, kt_l = np.empty((f, B)), np.empty((f, B)), np.empty((f, B)), \
        np.empty((f, B))
    sp_l = np.empty(B)
    mk_l = np.empty((5, fm, B))  # 1 - sigma, 1 / (1 - sigma), sigma, sigma - Em, theta_0
    # per lane, for the year: its inputs and results (the stopped iterate)
    lpc_l, c = np.empty((f, B)), np.empty((f, B))
    g_th, g_zr, g_la = (np.empty((ngroups * fm, B)), np.empty((ngroups * fm, B)),
                        np.empty((ngroups * fm, B)))  # (group * fm + market, lane)
    fin, res_lt, res_v = np.empty((f, B)), np.empty((f, B)), np.empty((f, B))
    res_mt = np.zeros((nm, nr, B))
    # per slot: what the sweeps read and write. A year starts with slot = lane; when few lanes
    # are still iterating they are moved to the first slots (_move), and the sweeps run over
    # those only. Packed, so that a slot moves in one loop
    pf = np.empty((10, f, B))
    tau_in, before, nes, k, extra, kt_usd, tc_l, inv_usd, log_tau, vals = (
        pf[0], pf[1], pf[2], pf[3], pf[4], pf[5], pf[6], pf[7], pf[8], pf[9])
    pm = np.empty((12, fm, B))
    one_minus, inv_one_minus, sig, sigma_em, theta0 = pm[0], pm[1], pm[2], pm[3], pm[4]
    c0, base_m, extra_m, shift, a, b_m, la0 = pm[5], pm[6], pm[7], pm[8], pm[9], pm[10], pm[11]
    pr = np.empty((2 + 2 * nm, nr, B))
    days_y, cap_y, fr_y, served_y = pr[0], pr[1], pr[2:2 + nm], pr[2 + nm:]
    pr2 = pr.reshape(-1, B)
    sp = np.empty(B)
    lane_of = np.empty(B, np.int64)
    new = np.zeros((f, B))
    carried = np.zeros((nm, nr, B))
    cost, usable = np.empty((nr, B)), np.empty((nr, B))
    value, mt, wtc, inv_density, rate, left, take, mf, md = (
        np.empty(B), np.empty(B), np.empty(B), np.empty(B), np.empty(B), np.empty(B),
        np.empty(B), np.empty(B), np.empty(B))
    best = np.empty(B, np.int64)
    tmp = np.empty((2, B))
    bc = np.empty(B)
    n_moved = np.empty(B, np.int64)
    n_nan = np.empty(B, np.int64)
    active = np.empty(B, np.bool_)
    stop = np.empty(B, np.bool_)
    # the packs' rows that differ between slots; the others (from inputs without a sample
    # axis: the same number in every slot) are not moved
    var_f, var_m = np.ones(10, np.bool_), np.ones(12, np.bool_)
    var_r = np.ones(2 + 2 * nm, np.bool_)
    shared_extra = energy2.shape[0] == 1 and diversion2.shape[0] == 1
    var_f[2] = el.shape[0] > 1 or speed.shape[0] > 1  # nes
    var_f[4] = not shared_extra  # extra
    var_f[5] = var_f[7] = usd.shape[0] > 1  # kt_usd, inv_usd
    var_f[6] = tc.shape[0] > 1  # tc_l
    var_m[0] = var_m[1] = var_m[2] = sigma.shape[0] > 1  # 1 - sigma, its reciprocal, sigma
    var_m[3] = sigma.shape[0] > 1 or el.shape[0] > 1  # sigma - Em
    var_m[4] = theta.shape[0] > 1  # theta_0
    var_m[6] = level2.shape[0] > 1  # base_m
    var_m[7] = not shared_extra  # extra_m
    var_m[11] = log_a2.shape[0] > 1  # la0
    var_r[0] = days2.shape[0] > 1
    var_r[1] = cap2.shape[0] > 1
    var_r[2:] = freight2.shape[0] > 1  # freight, served
    for start in range(lo, hi, B):
        live = min(B, hi - start)
        for ln in range(B):  # the samples' constants (gathers)
            i = start + ln if ln < live else hi - 1  # padding: copies of the last sample
            idx[ln] = i
            ie, iu, itc = _row(el, i), _row(usd, i), _row(tc, i)
            for j in range(f):
                lc0[j, ln] = log_cost0[i, j]
                eff[j, ln] = log_cost0[i, j]
                tau[j, ln] = tau0[i, j]
                prev[j, ln] = tau0[i, j]
                el_l[j, ln] = el[ie, j]
                usd_l[j, ln] = 1.0 / usd[iu, j]
                kt_l[j, ln] = 1e3 / usd[iu, j]
                tc_ll[j, ln] = tc[itc, j]
            sp_l[ln] = speed[_row(speed, i), 0]
            isg, ith = _row(sigma, i), _row(theta, i)
            for q in range(fm):
                mk_l[0, q, ln] = 1.0 - sigma[isg, q]
                mk_l[1, q, ln] = 1.0 / mk_l[0, q, ln]
                mk_l[2, q, ln] = sigma[isg, q]
                mk_l[3, q, ln] = mk_l[2, q, ln] - el[ie, m_idx[q]]
                mk_l[4, q, ln] = theta[ith, q, 0]
        nbad = 0
        for t in range(1, y):
            # the year's inputs of each lane, in slot = lane
            for j in range(f):
                for ln in range(B):
                    inv_usd[j, ln] = usd_l[j, ln]
                    kt_usd[j, ln] = kt_l[j, ln]
                    tc_l[j, ln] = tc_ll[j, ln]
            for p in range(5):
                for q in range(fm):
                    for ln in range(B):
                        pm[p, q, ln] = mk_l[p, q, ln]
            for ln in range(B):
                sp[ln] = sp_l[ln]
                lane_of[ln] = ln
            tth = t if gth.shape[0] > 1 else 0
            tzr = t if gzr.shape[0] > 1 else 0
            tla = t if gla.shape[0] > 1 else 0
            for j in range(f):
                _gather(lpc2, j * y + t, idx, lpc_l, j)
                _gather(level2, j * y + t, idx, k, j)
                if epos[j] >= 0:
                    _gather(energy2, epos[j] * y + t, idx, extra, j)
                else:
                    _gather(diversion2, j * y + t, idx, extra, j)
            for q in range(fm):
                col = m_idx[q]
                for ln in range(B):
                    base_m[q, ln] = v0[col] * k[col, ln]
                _gather(log_a2, (q * ns_) * y + t, idx, la0, q)
                if rivals_shared:
                    sh = rival_sum[t, q]
                    for ln in range(B):
                        shift[q, ln] = sh  # the partner's part is added below
                else:
                    for ln in range(B):
                        shift[q, ln] = 0.0
                    for s in range(1, ns_):
                        _gather(theta2, q * ns_ + s, idx, tmp, 0)
                        _gather(rival2, (q * ns_ + s) * y + t, idx, tmp, 1)
                        for ln in range(B):
                            shift[q, ln] += tmp[0, ln] * tmp[1, ln]
                for g in range(ngroups):
                    o = g * fm + q
                    if ncols == 0:  # rivals merged (projection._rival_groups): no sample axis
                        th, zr, la = gth[tth, 0, q, g], gzr[tzr, 0, q, g], gla[tla, 0, q, g]
                        for ln in range(B):
                            g_th[o, ln] = th
                            g_zr[o, ln] = zr
                            g_la[o, ln] = la
                    else:  # rivals one by one, from the markets' arrays
                        s = gcols[g]
                        _gather(theta2, q * ns_ + s, idx, g_th, o)
                        _gather(rival2, (q * ns_ + s) * y + t, idx, g_zr, o)
                        _gather(log_a2, (q * ns_ + s) * y + t, idx, g_la, o)
            for j in range(f):  # V0 D (goods; 0: not Eq. 8)
                for ln in range(B):
                    k[j, ln] = v0[j] * k[j, ln] if is_goods[j] else 0.0
            for r in range(nr):
                _gather(days2, r * y + t, idx, pr2, r)
                _gather(cap2, r * y + t, idx, pr2, nr + r)
                for m in range(nm):  # freight inf where a mode is not carried; served: 0
                    _gather(freight2, (m * nr + r) * y + t, idx, pr2, (2 + m) * nr + r)
                    for ln in range(B):
                        fr = fr_y[m, r, ln]
                        served_y[m, r, ln] = fr if np.isfinite(fr) else 0.0
            # what does not change between the year's sweeps (_YearValues.__init__)
            for j in range(f):
                for ln in range(B):
                    e = eff[j, ln]
                    c[j, ln] = e + sp[ln] * (lpc_l[j, ln] - e) - lc0[j, ln]
                    nes[j, ln] = -el_l[j, ln] * sp[ln]
            for j in range(f):  # K = V0 D e^(-e c); the markets' k is not used, 0 e^x = 0
                if is_m[j] or not is_goods[j]:
                    continue
                for ln in range(B):
                    arg = -el_l[j, ln] * c[j, ln]
                    kx = k[j, ln] * _exp(arg)
                    use = k[j, ln] != 0.0
                    nbad += 1 if use and not abs(arg) <= EXP_MAX else 0
                    k[j, ln] = kx if use else k[j, ln]
            for q in range(fm):
                col = m_idx[q]
                for ln in range(B):
                    c0[q, ln] = c[col, ln]
                    extra_m[q, ln] = extra[col, ln]
                    shift[q, ln] = shift[q, ln] + theta0[q, ln] * c0[q, ln]
                    a[q, ln] = 0.0
            for g in range(ngroups):
                for q in range(fm):
                    for ln in range(B):
                        th = g_th[g * fm + q, ln]
                        arg = (g_la[g * fm + q, ln]
                               + one_minus[q, ln] * (g_zr[g * fm + q, ln] - shift[q, ln]))
                        nbad += 1 if (arg > _SHIFT and th > 0) or arg != arg else 0
                        a[q, ln] = a[q, ln] + th * _expm1(arg if arg < _SHIFT else _SHIFT)
            for q in range(fm):
                for ln in range(B):
                    b_m[q, ln] = la0[q, ln] - one_minus[q, ln] * shift[q, ln]
            if nbad:
                break
            # start from last year's costs moved on by last year's change
            for j in range(f):
                for ln in range(B):
                    if t < 2:
                        gs = tau[j, ln]
                    else:
                        g2 = 2 * tau[j, ln] - prev[j, ln]
                        gs = g2 if g2 > 0.0 else (0.0 if g2 == g2 else g2)
                    tau_in[j, ln] = gs
                    before[j, ln] = gs
            for ln in range(B):
                active[ln] = True
            ns = B  # slots the sweeps run over
            in_place = True  # slot = lane (until a move)
            # flows not routed carry no transport cost (tau = 0, as _assign gives them): their
            # values are the year's, ln(1 + 0) = 0 and e^(nes 0) = 1 exactly
            for j in range(f):
                if mode_of[j] < 0:
                    for ln in range(B):
                        t0 = tau_in[j, ln]
                        lt = _log1p(t0)
                        log_tau[j, ln] = lt
                        arg = nes[j, ln] * lt
                        ok = t0 > -1.0 and t0 < LOG1P_MAX and abs(arg) <= EXP_MAX
                        nbad += 0 if ok else 1
                        vals[j, ln] = _exp(arg) * k[j, ln] + extra[j, ln]
            for it in range(1, max_iter + 1):
                # values (_YearValues.values) of the routed flows; the markets' flows take
                # only ln(1 + tau) here, their values come from the markets below
                for p in range(n_routed):
                    j = routed[p]
                    plain = not is_m[j]
                    for ln in range(ns):
                        t0 = tau_in[j, ln]
                        lt = _log1p(t0)
                        log_tau[j, ln] = lt
                        arg = nes[j, ln] * lt
                        ok = t0 > -1.0 and t0 < LOG1P_MAX and (abs(arg) <= EXP_MAX or not plain)
                        nbad += 0 if ok else 1
                        if plain:
                            vals[j, ln] = _exp(arg) * k[j, ln] + extra[j, ln]
                for q in range(fm):  # markets.partner_log_change, closed form
                    col = m_idx[q]
                    for ln in range(ns):
                        z0 = log_tau[col, ln] * sp[ln] + c0[q, ln]
                        x0 = one_minus[q, ln] * z0 + b_m[q, ln]
                        lp = _expm1(x0) * theta0[q, ln] + a[q, ln]
                        ok = x0 <= _SHIFT and lp > -1.0 and lp < LOG1P_MAX
                        lp = _log1p(lp) * inv_one_minus[q, ln] + shift[q, ln]
                        change = sigma_em[q, ln] * lp - sig[q, ln] * z0 + la0[q, ln]
                        nbad += 0 if ok and abs(change) <= EXP_MAX else 1
                        vals[col, ln] = _exp(change) * base_m[q, ln] + extra_m[q, ln]
                # route assignment (_assign, capacity model), per mode
                for j in range(f):
                    if mode_of[j] < 0:
                        for ln in range(ns):
                            new[j, ln] = 0.0
                for m in range(nm):
                    if n_mode[m] == 0:
                        for r in range(nr):
                            for ln in range(ns):
                                carried[m, r, ln] = 0.0
                        continue
                    for ln in range(ns):
                        value[ln] = 0.0
                        mt[ln] = 0.0
                        wtc[ln] = 0.0
                    for j in range(f):
                        if mode_of[j] == m:
                            for ln in range(ns):
                                v = vals[j, ln]
                                value[ln] += v
                                mt[ln] += v * kt_usd[j, ln]
                                wtc[ln] += v * tc_l[j, ln]
                    # divisions are slow: reciprocals (the numpy path's numbers to rounding)
                    for ln in range(ns):
                        inv_density[ln] = mt[ln] / (value[ln] * 1e3) if mt[ln] > 0 else 1.0
                        rate[ln] = wtc[ln] / value[ln] if value[ln] > 0 else 0.0
                    for r in range(nr):
                        for ln in range(ns):
                            cst = fr_y[m, r, ln] * inv_density[ln] + days_y[r, ln] * rate[ln]
                            cost[r, ln] = cst
                            nbad += 0 if cst == cst else 1
                            usable[r, ln] = cap_y[r, ln] if np.isfinite(cst) else 0.0
                    # cheapest first (a stable order), each route up to its capacity: a route
                    # takes what the routes ahead of it leave (the numpy path's running
                    # remainder to rounding)
                    for ln in range(ns):
                        left[ln] = mt[ln]
                    for r in range(nr):
                        for ln in range(ns):
                            take[ln] = 0.0
                        for r2 in range(nr):
                            if r2 == r:
                                continue
                            for ln in range(ns):
                                ahead = (cost[r2, ln] <= cost[r, ln] if r2 < r
                                         else cost[r2, ln] < cost[r, ln])
                                take[ln] += usable[r2, ln] if ahead else 0.0
                        for ln in range(ns):
                            rest = mt[ln] - take[ln]
                            rest = rest if rest > 0.0 else 0.0
                            tk = rest if rest < usable[r, ln] else usable[r, ln]
                            carried[m, r, ln] = tk
                            left[ln] -= tk
                    # beyond all capacity (rare: a block-wide test first): the cheapest open
                    # route takes the rest
                    n_over = 0
                    for ln in range(ns):
                        n_over += 1 if left[ln] > 1e-12 * max(mt[ln], 1.0) else 0
                    if n_over:
                        for ln in range(ns):
                            best[ln] = 0
                            bc[ln] = np.inf
                        for r in range(nr):
                            for ln in range(ns):
                                cst = cost[r, ln]
                                better = np.isfinite(cst) and cst < bc[ln]
                                best[ln] = r if better else best[ln]
                                bc[ln] = cst if better else bc[ln]
                        for r in range(nr):
                            for ln in range(ns):
                                over = left[ln] > 1e-12 * max(mt[ln], 1.0) and best[ln] == r
                                x = carried[m, r, ln]
                                carried[m, r, ln] = x + left[ln] if over else x
                    for ln in range(ns):
                        mf[ln] = 0.0
                        md[ln] = 0.0
                        inv_density[ln] = 1.0 / mt[ln] if mt[ln] > 0 else 0.0  # 1 / tonnes
                    for r in range(nr):
                        for ln in range(ns):
                            share = carried[m, r, ln] * inv_density[ln]
                            mf[ln] += share * served_y[m, r, ln]
                            md[ln] += share * days_y[r, ln]
                    for j in range(f):
                        if mode_of[j] == m:
                            for ln in range(ns):
                                new[j, ln] = mf[ln] * inv_usd[j, ln] + md[ln] * tc_l[j, ln]
                # convergence (_moved), then Aitken's extrapolation every 2nd sweep (_aitken)
                # (a NaN change stops, as a NaN sum would)
                for ln in range(ns):
                    n_moved[ln] = 0
                    n_nan[ln] = 0
                for j in range(f):
                    for ln in range(ns):
                        ch = abs(new[j, ln] - tau_in[j, ln])
                        n_moved[ln] += 1 if ch >= tolerance else 0
                        n_nan[ln] += 1 if ch != ch else 0
                for ln in range(ns):
                    nbad += 1 if n_nan[ln] else 0
                if nbad:
                    break
                if it % 2 == 0:
                    for j in range(f):
                        for ln in range(ns):
                            x0, x1, x2 = before[j, ln], tau_in[j, ln], new[j, ln]
                            d1, d2 = x1 - x0, x2 - x1
                            denom = d2 - d1
                            ok = abs(d2) < 0.5 * abs(d1) and abs(denom) > 1e-300
                            step = d2 * d2 / (denom if ok else 1.0)
                            lim = 2 * abs(d2)
                            step = -lim if -lim > step else step
                            step = lim if lim < step else step
                            x2 = x2 - step if ok else x2
                            new[j, ln] = x2 if x2 > 0.0 else 0.0
                # slots that stop now: their lane's results are this sweep's; the others move on
                going = 0
                for sl in range(ns):
                    stop[sl] = False
                    if not active[sl]:
                        continue
                    moved = n_moved[sl] > 0
                    used = it
                    if it == max_iter and moved:
                        used = max_iter + 1
                        moved = False
                    if used > its[t]:
                        its[t] = used
                    if moved:
                        going += 1
                        continue
                    active[sl] = False
                    stop[sl] = True
                if in_place:  # slot = lane still: the copies as selects, row by row (SIMD)
                    for j in range(f):
                        for sl in range(ns):
                            on = stop[sl]
                            fin[j, sl] = new[j, sl] if on else fin[j, sl]
                            res_lt[j, sl] = log_tau[j, sl] if on else res_lt[j, sl]
                            res_v[j, sl] = vals[j, sl] if on else res_v[j, sl]
                    for m in range(nm):
                        for r in range(nr):
                            for sl in range(ns):
                                on = stop[sl]
                                res_mt[m, r, sl] = carried[m, r, sl] if on else res_mt[m, r, sl]
                else:
                    for sl in range(ns):
                        if not stop[sl]:
                            continue
                        ln = lane_of[sl]
                        for j in range(f):
                            fin[j, ln] = new[j, sl]
                            res_lt[j, ln] = log_tau[j, sl]
                            res_v[j, ln] = vals[j, sl]
                        for m in range(nm):
                            for r in range(nr):
                                res_mt[m, r, ln] = carried[m, r, sl]
                if going == 0:
                    break
                # few still going: into the first slots (a multiple of slots), sweeps over those
                keep = (going + slots - 1) // slots * slots
                if keep < ns:
                    d = 0
                    for sl in range(going, ns):
                        if active[sl]:
                            while active[d]:
                                d += 1
                            _move(sl, d, pf, pm, pr, sp, lane_of, new, var_f, var_m, var_r)
                            active[d] = True
                            active[sl] = False
                    ns = keep
                    in_place = False
                for j in range(f):
                    for sl in range(ns):
                        x1 = tau_in[j, sl]
                        on = active[sl]
                        before[j, sl] = x1 if on else before[j, sl]
                        tau_in[j, sl] = new[j, sl] if on else x1
            if nbad:
                break
            # Eq. 7 from the last iterate: the cost carried to next year; the year's results
            for j in range(f):
                for ln in range(B):
                    e = eff[j, ln]
                    eff[j, ln] = e + sp_l[ln] * ((lpc_l[j, ln] + res_lt[j, ln]) - e)
                    prev[j, ln] = tau[j, ln]
                    tau[j, ln] = fin[j, ln]
            for ln in range(live):
                i = start + ln
                for j in range(f):
                    flows[t, i, j] = res_v[j, ln]
                    transport[t, i, j] = fin[j, ln]
                for q in range(fm):
                    partner[t, i, q] = eff[m_idx[q], ln] - lc0[m_idx[q], ln]
                for m in range(nm):
                    for r in range(nr):
                        route_mt[t, i, m, r] = res_mt[m, r, ln]
        if nbad:
            for ln in range(live):
                status[start + ln] = BAIL
    return 0


def _intrinsics(nb):
    """_bits / _float as numba intrinsics: a float's bits as an int64 and back (a bitcast)."""
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def bits(typingctx, x):
        def codegen(context, builder, sig, args):
            return builder.bitcast(args[0], ir.IntType(64))
        return types.int64(types.float64), codegen

    @intrinsic
    def to_float(typingctx, i):
        def codegen(context, builder, sig, args):
            return builder.bitcast(args[0], ir.DoubleType())
        return types.float64(types.int64), codegen

    return bits, to_float


def _compiled():
    """The compiled kernel, built on first use; cache=True compiles it once per machine (the
    cache sits next to this file or, where that is read-only, in numba's user-wide cache)."""
    global numba, _kernel, _bits, _float, _exp, _expm1, _log1p, _row, _gather, _move
    if _kernel is None:
        with warnings.catch_warnings():  # numba's and llvmlite's import-time notices
            for mod in ("numba", "llvmlite"):
                warnings.filterwarnings("ignore", category=DeprecationWarning, module=mod)
                warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module=mod)
            import numba as nb
        numba = nb
        _bits, _float = _intrinsics(nb)
        # error_model="numpy": a division by zero gives inf or NaN (selected away or sent to the
        # numpy path) instead of a branch that raises, which would stop the loops vectorising.
        # fastmath "contract" only: a * b + c may be one fused multiply-add (rounded once, so
        # results move by rounding only; a flow always takes the same code, so a sample's
        # numbers still do not depend on its batch or thread). No nnan / ninf: NaN checks stay
        opts = dict(error_model="numpy", fastmath={"contract"})
        _exp, _expm1, _log1p = (nb.njit(inline="always", **opts)(fn)
                                for fn in (_exp_py, _expm1_py, _log1p_py))
        _row, _gather, _move = (nb.njit(inline="always", **opts)(fn)
                                for fn in (_row_py, _gather_py, _move_py))
        try:
            _kernel = nb.njit(cache=True, nogil=True, **opts)(_years)
        except RuntimeError:  # pragma: no cover - no writable cache location at all
            _kernel = nb.njit(nogil=True, **opts)(_years)
    return _kernel


_POOL = None


def _threads() -> int:
    """Threads for the compiled loop: TRADESIM_THREADS, else the CPUs this process may use."""
    env = os.environ.get("TRADESIM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _pool():
    """The process's thread pool; a new one in a forked child (whose copy of the parent's pool
    has no threads behind it) or when the thread count changed."""
    global _POOL
    key = (os.getpid(), _threads())
    if _POOL is None or _POOL[0] != key:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = (key, ThreadPoolExecutor(max_workers=key[1], thread_name_prefix="tradesim-fast"))
    return _POOL[1]


def run_threads(fn, items) -> None:
    """``fn(item)`` for every item, on the process's threads (for work that releases the GIL)."""
    if _threads() == 1:
        for item in items:
            fn(item)
    else:
        list(_pool().map(fn, items))


_LOCAL = threading.local()


def _scratch(key, shape):
    """A reused work array of layout 'A' (per thread), for outputs that are C-contiguous."""
    cache = _LOCAL.__dict__.setdefault("arrays", {})
    a = cache.get(key)
    if a is None or a.shape != shape:
        a = cache[key] = strided(shape)
    return a


def strided(shape):
    """An uninitialised array of ``shape`` (Y, N, ...) that is not C-contiguous (a view that
    leaves out one spare sample row), so that the compiled loop writes it in place."""
    full = np.empty((shape[0], shape[1] + 1, *shape[2:]))
    return full[:, :shape[1]]


def _c(a, dtype=np.float64):
    return np.ascontiguousarray(a, dtype=dtype)


def _groups(d, y):
    """The markets' arrays as the kernel reads them; rivals as projection._rival_groups gives
    them (merged where no sample axis), stacked (Y|1, N|1, Fm, G)."""
    from model.projection import _rival_groups

    mk = d.markets
    z = np.zeros((1, 1, 0, 0))
    if mk is None:
        return (np.zeros(0, np.int64), np.zeros((1, 0, 1)), np.zeros((1, 0)),
                np.zeros((1, 0, 1, y)), np.zeros(0, np.int64), z, z, z, np.zeros((1, 0, 1, y)))
    theta, cost, log_a = mk.theta, d.rival_cost, d.rival_log_avail
    cols = np.zeros(0, np.int64)
    if theta.shape[0] > 1 or cost.shape[0] > 1 or log_a.shape[0] > 1:
        # rivals one by one (columns with a share somewhere), read from the arrays in place
        cols = np.array([s for s in range(1, theta.shape[-1]) if theta[..., s].any()],
                        np.int64)
        gth = gzr = gla = z
        if cols.size == 0:  # no rival at all: an empty group list, as _rival_groups gives
            cols = np.zeros(0, np.int64)
    else:
        per_year = [_rival_groups(theta, cost[..., t], log_a[..., t]) for t in range(y)]
        width = max(len(g) for g in per_year)
        gth, gzr, gla = (np.zeros((y, 1, theta.shape[1], width)) for _ in range(3))
        for t, groups in enumerate(per_year):
            for g, (th, zr, la) in enumerate(groups):
                gth[t, :, :, g], gzr[t, :, :, g], gla[t, :, :, g] = th, zr, la
    return (np.asarray(mk.flow_index, np.int64), _c(theta), _c(mk.sigma[..., 0]), _c(cost),
            cols, _c(gth), _c(gzr), _c(gla), _c(log_a))


def project_years(d, tau0, log_cost0, tolerance, max_iter, flows, transport, route_mt, partner):
    """Years 1.. of :func:`model.projection.project` for every sample of ``d`` (capacity model,
    no triggers), written into project's year-major buffers (route days: the inputs', not
    written). Returns ``(iterations (Y,), converged (Y,))``, or None where some sample needs the
    numpy path (nothing usable then)."""
    from model.drivers import ROUTED_MODES

    y = d.years.size
    n, f = tau0.shape
    r = d.routes
    epos = np.full(f, -1, np.int64)
    epos[d.energy_index] = np.arange(d.energy_index.size)
    rows = max(r.freight[m].shape[0] for m in ROUTED_MODES if m in r.freight)
    freight = np.full((rows, len(ROUTED_MODES), len(r.names), y), np.inf)  # (N|1, M, R, Y)
    for m, mode in enumerate(ROUTED_MODES):
        if mode in r.freight:
            freight[:, m] = np.where(r.open_, r.freight[mode], np.inf)
    status = np.zeros(n, np.int64)
    # one compiled signature: outputs are written in place where they are a chunk's slices of
    # the batch's buffers (layout 'A'; project allocates its own buffers that way too) and
    # through a work array (then copied) otherwise
    outs = [flows, transport, route_mt, partner]
    work = [o if not o.flags.c_contiguous else _scratch(k, o.shape) for k, o in enumerate(outs)]
    flows, transport, route_mt, partner = work
    args = (y, _c(d.v0), np.asarray(d.is_goods, np.bool_), epos, _c(d.level),
            _c(d.log_policy_cost), _c(d.elasticity[..., 0]), _c(d.speed), _c(d.diversion),
            _c(d.energy_value), _c(d.usd_per_t[..., 0]), _c(d.time_cost[..., 0]), _c(r.days),
            _c(r.capacity), freight, np.asarray(d.mode_index, np.int64), *_groups(d, y),
            _c(tau0), _c(log_cost0), float(tolerance), int(max_iter), int(SLOTS),
            flows, transport, route_mt, partner)
    # samples are independent: contiguous ranges of them on threads (the kernel releases the
    # GIL) give the same numbers as one range, whatever the thread count; a few ranges per
    # thread, so that a thread the machine slows down leaves its share to the others. Each range
    # reports its most sweeps per year (its[p])
    parts = min(4 * _threads() if _threads() > 1 else 1, max(1, n // 1024))
    edges = [n * p // parts for p in range(parts + 1)]
    its = np.zeros((parts, y), np.int64)
    kernel = _compiled()

    def run(p):
        kernel(edges[p], edges[p + 1], *args, its[p], status)

    first = 0
    if not kernel.signatures:  # the first call compiles (or loads the cache): on this thread
        with warnings.catch_warnings():  # numba's compile-time notices are not the model's
            warnings.simplefilter("ignore", numba.NumbaWarning)
            run(0)
        first = 1
    if parts - first == 1:
        run(first)
    elif parts - first > 1:
        list(_pool().map(run, range(first, parts)))
    if status.any():
        return None
    for o, w in zip(outs, work, strict=True):
        if o is not w:
            o[1:] = w[1:]
    iterations = np.minimum(its, max_iter).max(axis=0)
    converged = ~(its > max_iter).any(axis=0)
    return iterations, converged
