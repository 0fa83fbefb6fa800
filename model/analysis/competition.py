"""Trade creation and diversion, tariff revenue and consumer surplus of the competing-supplier
markets (docs/markets.md), per market, supplier and fiscal year, from a projection.

Pure: a :class:`model.projection.Batch` in, tidy tables out. Each year's market is re-solved
with :func:`model.markets.solve_market` (closed form, ``Ex = inf``) at the landed-cost changes,
availabilities and demand the projection used, so the partner's volume here is the flow's value
before any US diversion is added (Eq. 9).

Changes are measured against the base year: ``value - V0 = growth + creation + diversion +
price_effect``, with
``growth = (D - 1) V0`` the market's demand growth at base prices, ``creation`` the change of the
market's size beyond it, ``diversion`` the change of shares at a fixed size (SMART's definitions)
and ``price_effect`` the change of the partner's supply price (India's export price after a US
tariff, Eq. 9b) times the new volume.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.fiscal import fy_label
from model.markets import solve_market

MARKET_COLUMNS = ["fiscal_year", "market", "importer", "flow", "supplier", "value_usd_bn",
                  "growth_usd_bn", "creation_usd_bn", "diversion_usd_bn", "price_effect_usd_bn"]
WELFARE_COLUMNS = ["fiscal_year", "market", "importer", "flow", "import_price_index",
                   "tariff_revenue_change_usd_bn", "consumer_surplus_change_usd_bn",
                   "welfare_change_usd_bn"]


def solve_year(batch, k: int, t: int):
    """The market of flow ``k`` (of ``batch.markets``) in year ``t``, every sample."""
    mk = batch.markets
    s = len(mk.suppliers[k])
    pick = lambda a: a[:, k, :s, t]  # noqa: E731
    t0 = 1.0 + mk.tariff0[k, :s]
    return solve_market(
        mk.v0[:, k, :s], t0[None], t0 * np.exp(pick(batch.market_cost)),
        batch.market_elasticity[:, k], mk.sigma[:, k, 0],
        availability=np.exp(pick(batch.market_log_avail)),
        demand=batch.market_demand[:, k, t], tariff0=mk.tariff0[k, :s][None],
        tariff1=pick(mk.tariff))


def tables(batch, sample: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(markets.csv, market_welfare.csv) rows for one sample; empty without markets."""
    mk = batch.markets
    if mk is None:
        return pd.DataFrame(columns=MARKET_COLUMNS), pd.DataFrame(columns=WELFARE_COLUMNS)
    rows, welfare = [], []
    for k, market in enumerate(mk.names):
        flow = batch.flow_names[mk.flow_index[k]]
        for t, year in enumerate(batch.years):
            sol = solve_year(batch, k, t)
            i = min(sample, sol.volume.shape[0] - 1)
            fy = fy_label(int(year))
            # the partner's supply price: India's export price after a US tariff (Eq. 9b)
            price = np.ones(len(mk.suppliers[k]))
            price[0] = np.exp(batch.market_price[min(i, batch.market_price.shape[0] - 1), k, t])
            for j, supplier in enumerate(mk.suppliers[k]):
                value = sol.value[i, j] * price[j]
                rows.append((fy, market, mk.importers[k], flow, supplier, value, sol.growth[i, j],
                             sol.creation[i, j], sol.diversion[i, j], value - sol.volume[i, j]))
            # revenue against the base tariffs on the grown market (D V0), as creation and
            # diversion are measured beyond growth: demand growth alone changes nothing here
            grown = (batch.market_demand[:, k, t] - 1.0) * (mk.v0[:, k] @ mk.tariff0[k])
            revenue = sol.tariff_revenue_change - grown
            welfare.append((fy, market, mk.importers[k], flow, sol.price_index[i], revenue[i],
                            sol.cs_change[i], sol.cs_change[i] + revenue[i]))
    return (pd.DataFrame(rows, columns=MARKET_COLUMNS),
            pd.DataFrame(welfare, columns=WELFARE_COLUMNS))


def partner_rows(markets: pd.DataFrame) -> pd.DataFrame:
    """The partner's rows of a markets table (India's in Russia's markets, Russia's in India's):
    each market's first supplier, per year."""
    return markets.groupby(["fiscal_year", "market"], sort=False).head(1)
