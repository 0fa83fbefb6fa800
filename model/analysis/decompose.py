"""Exact Shapley decomposition of a scenario's change against a reference, by lever group.

The "players" are lever groups (oil, LNG, US tariffs, FTA, NTBs, corridors, payments, macro,
other). The value of a coalition S is the projection of a scenario that takes the sections of the
groups in S from the scenario and everything else from the reference. Only groups whose sections
differ enter the game (k of them, 2^k projections); the others get exactly 0. By the efficiency
property the parts add up to the total change, year by year::

    phi_i = sum_{S subset N minus i} |S|! (k - |S| - 1)! / k! * (v(S + i) - v(S))

The 2^k coalition scenarios are projected together: their driver arrays are stacked on the sample
axis and run through one vectorised :func:`model.projection.project` (scenarios with triggers or
different route networks are run in separate batches).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from model.data import load_baseline
from model.drivers import Drivers, build
from model.errors import InputError
from model.fiscal import fy_label
from model.projection import project, run_batch
from model.scenario import Scenario

DECOMPOSITION_COLUMNS = ["fiscal_year", "group", "balance_change_usd_bn",
                         "total_trade_change_usd_bn"]
COMPETITION_COLUMNS = ["fiscal_year", "market", "importer", "flow", "supplier",
                       "value_change_usd_bn", "creation_usd_bn", "diversion_usd_bn",
                       "price_effect_usd_bn"]

# group -> (section, attribute) pairs of ScenarioSpec; "" = a top-level section
GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "oil": (("levers", "oil"),),
    "lng": (("levers", "lng"),),
    "us_tariffs": (("levers", "us_tariff"),),
    "fta": (("levers", "fta"),),
    "ntb": (("levers", "ntb"),),
    "corridors": (("", "corridors"),),
    "payments": (("levers", "payments"),),
    "rivals": (("levers", "rivals"), ("levers", "capacity")),
    "macro": (("", "macro"),),
    "other": (("levers", "coal"), ("levers", "fertiliser"), ("levers", "vegetable_oil"),
              ("", "flows"), ("", "settings")),
}
# Triggers belong to the group of the parameter they set (a tariff snap-back is a US-tariff lever).


def trigger_group(path: str) -> str:
    """Lever group of a parameter path, e.g. ``levers.us_tariff.rate`` -> ``us_tariffs``."""
    for group, parts in GROUPS.items():
        for section, attr in parts:
            if path.startswith(f"{section}.{attr}." if section else f"{attr}."):
                return group
    return "other"


def _triggers(sc: Scenario, group: str) -> tuple:
    return tuple(t for t in getattr(sc, "triggers", ()) if trigger_group(t.set) == group)
MAX_GROUPS = len(GROUPS)


def _get(sc: Scenario, section: str, attr: str):
    node = getattr(sc, section) if section else sc
    return getattr(node, attr, None)


def differing_groups(scenario: Scenario, reference: Scenario) -> list[str]:
    """Lever groups whose sections differ between ``scenario`` and ``reference``."""
    return [g for g, parts in GROUPS.items()
            if any(_get(scenario, *p) != _get(reference, *p) for p in parts)
            or _triggers(scenario, g) != _triggers(reference, g)]


def coalition(scenario: Scenario, reference: Scenario, groups: list[str] | tuple[str, ...]) -> Scenario:
    """The reference with the sections of ``groups`` taken from ``scenario``."""
    levers, top = {}, {}
    for g in groups:
        for section, attr in GROUPS[g]:
            if section == "levers":
                levers[attr] = getattr(scenario.levers, attr)
            elif attr in type(reference).model_fields:
                top[attr] = getattr(scenario, attr)
    if levers:
        top["levers"] = reference.levers.model_copy(update=levers)
    if getattr(scenario, "triggers", ()) or getattr(reference, "triggers", ()):
        top["triggers"] = tuple(t for g in GROUPS for t in _triggers(
            scenario if g in groups else reference, g))
    return reference.model_copy(update=top)


def align(scenario: Scenario, reference: Scenario) -> Scenario:
    """The reference on the scenario's dataset and horizon (so the years line up)."""
    if scenario.settings.dataset != reference.settings.dataset:
        raise InputError(f"scenario and reference use different datasets "
                         f"('{scenario.settings.dataset}' vs '{reference.settings.dataset}'); "
                         "a decomposition needs one dataset", key="settings.dataset")
    settings = reference.settings.model_copy(update={"horizon_end": scenario.settings.horizon_end})
    return reference.model_copy(update={"settings": settings})


# ------------------------------------------------------------------------------ batched runs
def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    n = [a.shape[0] for a in arrays]
    return np.concatenate([np.broadcast_to(a, (k, *a.shape[1:])) for a, k in
                           zip(arrays, n, strict=True)], axis=0)


def stack_drivers(ds: list[Drivers]) -> Drivers:
    """Concatenate drivers of structurally equal scenarios along the sample axis."""
    shared = {"years", "flow_names", "v0", "is_export", "is_goods", "mode_index", "routes",
              "energy_index"}
    out = {f.name: _stack([getattr(d, f.name) for d in ds]) for f in fields(Drivers)
           if f.name not in shared and isinstance(getattr(ds[0], f.name), np.ndarray)}
    if ds[0].markets is not None:  # per-scenario market structure (shares, sigma, tariffs)
        m = [d.markets for d in ds]
        out["markets"] = replace(m[0], **{k: _stack([getattr(x, k) for x in m])
                                          for k in ("v0", "theta", "sigma", "rival_tariff",
                                                    "partner_tariff")})
    r = [d.routes for d in ds]
    routes = replace(r[0], capacity=_stack([x.capacity for x in r]),
                     days=_stack([x.days for x in r]),
                     freight={m: _stack([x.freight[m] for x in r]) for m in r[0].freight})
    return replace(ds[0], routes=routes, **out)


def _key(d: Drivers, sc: Scenario) -> tuple:
    markets = None if d.markets is None else (d.markets.names, d.markets.theta.shape[1:])
    return (d.routes.names, d.routes.open_.tobytes(), d.years.size, markets,
            bool(getattr(sc, "triggers", ())))


def run_many(scenarios: list[Scenario]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Balance and total trade ``(len(scenarios), Y)`` of deterministic scenarios, batched."""
    base = load_baseline(scenarios[0].settings.dataset)
    drivers = [build(sc, base) for sc in scenarios]
    groups: dict[tuple, list[int]] = {}
    for i, (d, sc) in enumerate(zip(drivers, scenarios, strict=True)):
        groups.setdefault(_key(d, sc), []).append(i)
    y = drivers[0].years.size
    balance, total = np.empty((len(scenarios), y)), np.empty((len(scenarios), y))
    for key, idx in groups.items():
        if key[-1]:  # triggers: each needs its own run
            batches = [(i, run_batch(scenarios[i], baseline=base)) for i in idx]
            for i, b in batches:
                balance[i], total[i] = b.balance[0], b.total[0]
            continue
        b = project(stack_drivers([drivers[i] for i in idx]))
        balance[idx], total[idx] = b.balance, b.total
    return balance, total, drivers[0].years


# ------------------------------------------------------------------------------ Shapley
def shapley(values: np.ndarray, k: int) -> np.ndarray:
    """Exact Shapley values from coalition values ``values[mask, ...]`` (bit i = player i)."""
    phi = np.zeros((k, *values.shape[1:]))
    for i in range(k):
        bit = 1 << i
        for mask in range(1 << k):
            if mask & bit:
                continue
            s = bin(mask).count("1")
            w = math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k)
            phi[i] += w * (values[mask | bit] - values[mask])
    return phi


@dataclass(frozen=True)
class Decomposition:
    """Shapley parts per group and year, with the two end points."""

    years: np.ndarray  # (Y,)
    groups: tuple[str, ...]  # all groups, in GROUPS order
    balance: np.ndarray  # (G, Y) change in the balance by group, US$ bn
    total_trade: np.ndarray  # (G, Y)
    reference_balance: np.ndarray  # (Y,)
    scenario_balance: np.ndarray
    reference_total: np.ndarray
    scenario_total: np.ndarray
    runs: int

    @property
    def table(self) -> pd.DataFrame:
        rows = [(fy_label(int(yr)), g, self.balance[i, t], self.total_trade[i, t])
                for t, yr in enumerate(self.years) for i, g in enumerate(self.groups)]
        return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)


def decompose(scenario: Scenario, reference: Scenario) -> Decomposition:
    """Shapley decomposition of ``scenario - reference`` in the balance and total trade."""
    reference = align(scenario, reference)
    players = differing_groups(scenario, reference)
    k = len(players)
    coalitions = [coalition(scenario, reference, [p for i, p in enumerate(players) if m >> i & 1])
                  for m in range(1 << k)]
    coalitions[-1] = scenario  # the grand coalition is the scenario itself
    balance, total, years = run_many(coalitions)
    phi_b, phi_t = shapley(balance, k), shapley(total, k)
    out_b, out_t = np.zeros((len(GROUPS), years.size)), np.zeros((len(GROUPS), years.size))
    for i, p in enumerate(players):
        j = list(GROUPS).index(p)
        out_b[j], out_t[j] = phi_b[i], phi_t[i]
    return Decomposition(years=years, groups=tuple(GROUPS), balance=out_b, total_trade=out_t,
                         reference_balance=balance[0], scenario_balance=balance[-1],
                         reference_total=total[0], scenario_total=total[-1], runs=1 << k)


def competition_change(scenario: Scenario,
                       reference: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenario minus reference in the competing-supplier markets: each supplier's value,
    creation and diversion (SMART's measures of the scenario against the reference), and each
    market's tariff revenue, consumer surplus and welfare. Empty tables when either is bilateral
    or their markets differ."""
    from model.analysis.competition import WELFARE_COLUMNS, tables

    reference = align(scenario, reference)
    a, b = run_batch(scenario), run_batch(reference)
    if a.markets is None or b.markets is None or a.markets.names != b.markets.names:
        return pd.DataFrame(columns=COMPETITION_COLUMNS), pd.DataFrame(columns=WELFARE_COLUMNS)
    (m1, w1), (m0, w0) = tables(a), tables(b)
    keys = ["fiscal_year", "market", "importer", "flow"]
    m = m1[keys + ["supplier"]].copy()
    m["value_change_usd_bn"] = m1["value_usd_bn"] - m0["value_usd_bn"]
    m["creation_usd_bn"] = m1["creation_usd_bn"] - m0["creation_usd_bn"]
    m["diversion_usd_bn"] = m1["diversion_usd_bn"] - m0["diversion_usd_bn"]
    m["price_effect_usd_bn"] = m1["price_effect_usd_bn"] - m0["price_effect_usd_bn"]
    w = w1[keys].copy()
    for col in WELFARE_COLUMNS[len(keys):]:
        w[col] = w1[col] - w0[col] if col != "import_price_index" else w1[col] / w0[col]
    return m[COMPETITION_COLUMNS], w
