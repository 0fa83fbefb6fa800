"""India's total crude bill when Russian crude changes: the replacement barrels and their cost.

The bilateral balance sees only what India stops paying Russia. The question analysts ask is also
what India then pays other suppliers for the barrels it still needs. Per fiscal year this compares
the scenario's Russian crude volume with the dataset's baseline path (the same year without the
scenario's oil lever) in India's crude market with rival suppliers (``model/data/markets.toml``:
Russia, Iraq, Saudi Arabia, UAE, US, rest of world; shares, elasticities and the share of Russia's
discount that is friction rather than quality, each labelled), solved by
:func:`model.markets.replace_partner`. Rivals' landed price moves with Brent; Russia's is Brent
less the Urals discount of the scenario. Pure: no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model import engine
from model.data import Baseline
from model.fiscal import fy_label

COLUMNS = ["fiscal_year", "russian_crude_mbd", "reference_mbd", "cut_mbd", "replacement_mbd",
           "russian_value_change_usd_bn", "replacement_cost_usd_bn",
           "india_crude_bill_change_usd_bn", "rival_price_usd_bbl", "russian_price_usd_bbl"]
PRICE_SOURCE = ("rivals' landed price = the FY2024-25 average that reproduces India's crude bill "
                "($137.0bn, PPAC) scaled with Brent; Russia's = Brent - Urals discount "
                "(model/data/markets.toml, india_crude)")


def crude_bill(volume, reference, brent, discount, years, base: Baseline, market) -> pd.DataFrame:
    """Per year ``(Y,)`` arrays: the scenario's Russian crude (mb/d), the baseline path's,
    Brent and the Urals discount (US$/bbl). ``market``: the ``india_crude`` market
    (:meth:`model.markets_data.MarketData.for_flow`)."""
    from model.markets import replace_partner

    e = base.energy
    b0 = e["brent_usd_bbl"].value
    friction = market.records["discount_as_friction"].value
    rows = []
    for t, year in enumerate(years):
        p_r = float(market.unit_price[1:].mean()) * brent[t] / b0  # rivals, US$/bbl landed
        p_ru = brent[t] - discount[t]
        # the market at the reference volume: Russia's value at its price, rivals by share
        ref_value = engine.crude_value_bn(reference[t], p_ru, 0.0)
        v0 = market.base_values(ref_value)
        t0 = np.ones_like(v0)
        t0[0] = 1.0 + friction * max(p_r - p_ru, 0.0) / p_ru  # friction part of the discount
        unit = np.r_[p_ru, np.full(v0.size - 1, p_r)] * 365.0 * 1e6 / 1e9  # US$ bn per mb/d
        rep = replace_partner(v0[None, :], t0[None, :], market.import_elasticity,
                              market.substitution, v0[0] * volume[t] / reference[t]
                              if reference[t] > 0 else 0.0, unit_price=unit[None, :],
                              export_supply=market.export_supply)
        rows.append((fy_label(int(year)), volume[t], reference[t],
                     *(float(x) + 0.0 for x in (rep.cut_physical[0], rep.replacement_physical[0],
                                                -rep.partner_saving[0], rep.replacement_cost[0],
                                                rep.bill_change[0])), p_r, p_ru))
    return pd.DataFrame(rows, columns=COLUMNS)
