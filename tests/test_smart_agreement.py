"""The engine's tariff/NTB response vs the WITS-SMART partial-equilibrium formula (Eq. 5, Eq. 8).

SMART trade creation: dM = M Em dt / ((1 + t)(1 - Em/Ex)), Em < 0 (here written with |Em|).
The engine uses the constant-elasticity form V = V0 (T1/T0)^-e with e = |Em| / (1 + |Em|/Ex)
(Eq. 5), whose first-order term is exactly SMART's. Tolerances (docs/methodology.md, "Agreement
with WITS-SMART"):
- 1 pp change: the log response ln(V1/V0) agrees with SMART's dM/M within 1% (the remaining gap
  is ln(1+x) vs x in the trade cost, 0.5% at t = 10%). The *level* response differs by about
  e dt / (2(1+t)) -- ~1.5% for e = 3.2 -- the convexity of the constant-elasticity form, so the
  level is compared at 0.1 pp and via the symmetric +/-1 pp difference, both within 1%.
- large changes: exactly the constant-elasticity form.
Runs go through ``run_batch`` with real scenario overrides, ``adjustment_years = 0``. Corridor
congestion feedback is switched off by lifting the INSTC capacity (then every container flow keeps
its route and transport cost); a separate test accounts for it with congestion on.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS

from model.projection import run_batch
from model.scenario import load_scenario

EX_INFINITE = 1000.0  # largest Ex the schema allows
UNCONGESTED = {"corridors.routes.instc.capacity_mt": 1000.0}


@pytest.fixture(scope="module")
def baseline():
    # the FY2024-25 dataset: flat paths, so a one-year response isolates the tariff cut (the
    # newer dataset's dated US-tariff diversion would move the same flows)
    sc = load_scenario(SCENARIOS / "baseline.toml")
    return sc.model_copy(update={"settings": sc.settings.model_copy(update={"dataset": "fy2024-25"})})


def smart(m_el, t, dt, ex=99.0):
    """WITS-SMART dM/M for a tariff change dt (dt < 0 = cut), |Em| = m_el."""
    return -m_el * dt / ((1.0 + t) * (1.0 + m_el / ex))


def response(sc, flow, overrides, *, congested=False):
    """V_shocked / V_reference - 1 in the first projected year, one sample per shock.

    ``overrides`` maps paths to arrays of shocked values; sample 0 is prepended as the reference
    by the caller (first entry of each array)."""
    n = len(next(iter(overrides.values())))
    ov = {k: np.asarray(v, float) for k, v in overrides.items()}
    ov["settings.adjustment_years"] = np.zeros(n)
    if not congested:
        ov.update({k: np.full(n, v) for k, v in UNCONGESTED.items()})
    b = run_batch(sc, ov)
    i = b.flow_names.index(flow)
    return b.flows[1:, i, 1] / b.flows[0, i, 1] - 1.0, b, i


def tariff_shock(flow, t0, dts, *, m_el=None, ex=99.0):
    """Overrides: base tariff t0 cut by each dt (dt < 0) through the FTA lever, sample 0 = none."""
    cuts = [0.0] + [-dt / t0 for dt in dts]
    n = len(cuts)
    ov = {f"flows.{flow}.tariff": [t0] * n, "levers.fta.eaeu_tariff_cut": cuts,
          "settings.export_supply_elasticity": [ex] * n}
    if m_el is not None:
        ov[f"flows.{flow}.elasticity"] = [m_el] * n
    return ov


@pytest.mark.parametrize("flow,m_el", [("pharma", 3.3), ("textiles", 3.78), ("engineering", 4.05),
                                       ("agri_food", 2.0), ("pharma", 10.0)])
def test_one_point_tariff_cut_matches_smart(baseline, flow, m_el):
    t0 = 0.10
    (d1, d01), _, _ = response(baseline, flow, tariff_shock(flow, t0, [-0.01, -0.001], m_el=m_el))
    s1, s01 = smart(m_el, t0, -0.01), smart(m_el, t0, -0.001)
    assert np.log1p(d1) == pytest.approx(s1, rel=0.01)  # 1 pp, log form
    assert d01 == pytest.approx(s01, rel=0.01)  # 0.1 pp, level
    assert d1 > s1  # the constant-elasticity form is convex: level above the linear formula


def test_symmetric_one_point_change_matches_smart_in_level(baseline):
    t0, m_el, base_hi = 0.10, 3.3, 0.11
    # the FTA lever only cuts, so start from a higher base tariff and cut it to t0 (reference),
    # t0 - 1 pp and t0 + 1 pp
    ov = {"flows.pharma.tariff": [base_hi] * 3,
          "levers.fta.eaeu_tariff_cut": [1 - t0 / base_hi, 1 - (t0 - 0.01) / base_hi,
                                         1 - (t0 + 0.01) / base_hi],
          "settings.export_supply_elasticity": [99.0] * 3}
    (down, up), _, _ = response(baseline, "pharma", ov)
    central = (down - up) / 2.0  # response to a 1 pp cut, second-order terms cancel
    assert central == pytest.approx(smart(m_el, t0, -0.01), rel=0.01)


def test_one_point_ntb_cut_matches_smart(baseline):
    ntb0 = 0.15  # pharma NTB AVE in the FY2024-25 dataset
    ov = {"levers.ntb.cut.pharma": [0.0, 0.01 / ntb0, 0.001 / ntb0],
          "settings.export_supply_elasticity": [99.0] * 3}
    (d1, d01), _, _ = response(baseline, "pharma", ov)
    assert np.log1p(d1) == pytest.approx(smart(3.3, ntb0, -0.01), rel=0.01)
    assert d01 == pytest.approx(smart(3.3, ntb0, -0.001), rel=0.01)


@pytest.mark.parametrize("t0,cut", [(0.10, 1.0), (0.30, 0.5), (0.50, 1.0)])
def test_large_change_follows_constant_elasticity_form(baseline, t0, cut):
    m_el, ex = 3.3, 99.0
    (d,), _, _ = response(baseline, "pharma", tariff_shock("pharma", t0, [-cut * t0], m_el=m_el))
    e = m_el / (1.0 + m_el / ex)  # Eq. 5
    assert 1.0 + d == pytest.approx(((1.0 + t0 * (1 - cut)) / (1.0 + t0)) ** -e, rel=1e-9)
    if cut == 1.0 and t0 >= 0.5:  # the linear formula is far off for large changes
        assert abs(d / smart(m_el, t0, -cut * t0) - 1.0) > 0.2


def test_doubling_import_elasticity_doubles_small_response(baseline):
    t0, dt = 0.10, -0.001
    ov = {"flows.pharma.tariff": [t0] * 4, "levers.fta.eaeu_tariff_cut": [0.0, 0.01, 0.0, 0.01],
          "flows.pharma.elasticity": [3.3, 3.3, 6.6, 6.6],
          "settings.export_supply_elasticity": [EX_INFINITE] * 4,
          "settings.adjustment_years": np.zeros(4), **{k: [v] * 4 for k, v in UNCONGESTED.items()}}
    b = run_batch(baseline, {k: np.asarray(v, float) for k, v in ov.items()})
    i = b.flow_names.index("pharma")
    r1 = b.flows[1, i, 1] / b.flows[0, i, 1] - 1.0
    r2 = b.flows[3, i, 1] / b.flows[2, i, 1] - 1.0
    assert r1 == pytest.approx(smart(3.3, t0, dt, EX_INFINITE), rel=0.01)
    assert r2 / r1 == pytest.approx(2.0, rel=0.01)


def test_finite_export_supply_damps_like_smart(baseline):
    """With Ex = 99 doubling Em scales the response by SMART's own ratio, not exactly 2."""
    t0 = 0.10
    out = []
    for m_el in (3.3, 6.6):
        (d,), _, _ = response(baseline, "pharma", tariff_shock("pharma", t0, [-0.001], m_el=m_el))
        out.append(d)
    expected = smart(6.6, t0, -0.001) / smart(3.3, t0, -0.001)
    assert out[1] / out[0] == pytest.approx(expected, rel=0.01)
    assert expected < 2.0


def test_congestion_feedback_is_accounted_for(baseline):
    """With INSTC capacity binding, the response is the CES form in the *total* trade cost
    (policy + transport incl. the congestion change); the feedback is a small correction."""
    t0, m_el = 0.10, 3.3
    (d,), b, i = response(baseline, "pharma", tariff_shock("pharma", t0, [-0.01]), congested=True)
    e = m_el / (1.0 + m_el / 99.0)
    tau = np.log1p(b.transport[:, i, 1])
    d_log_cost = np.log(1.09 / 1.10) + (tau[1] - tau[0])
    assert 1.0 + d == pytest.approx(np.exp(-e * d_log_cost), rel=1e-9)
    isolated = (1.09 / 1.10) ** -e - 1.0
    assert d != pytest.approx(isolated, rel=1e-6)  # congestion does move it...
    assert d == pytest.approx(isolated, rel=0.05)  # ...but only slightly
