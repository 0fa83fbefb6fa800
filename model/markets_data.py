"""Competing-supplier market data: load and validate ``model/data/markets.toml``.

:func:`parse_markets` only parses a dict (pure); :func:`load_markets` reads the packaged file. Every
number must be a record ``{value, conf, source}`` with a known label (``model.data.CONFIDENCE``),
optional ``basis`` (the weakest label it rests on) and optional ``low``/``high`` (the sweep range,
``low <= value <= high``); shares of each market must sum to 1 within ``[meta] share_tolerance``
and the last supplier must be the rest of the world. Arrays per market are ordered as the file
lists the suppliers: the partner first, the rest of the world last (``model.markets`` convention).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources

import numpy as np

from model.data import CONFIDENCE, Sourced

MARKETS_FILE = "markets.toml"
SHARE_BASES = ("value", "volume")
MARKET_NUMBERS = ("total_value_usd_bn", "total_volume_mt", "tariff", "import_elasticity",
                  "substitution", "export_supply", "discount_as_friction")
SUPPLIER_NUMBERS = ("share", "tariff", "unit_price")
REST_OF_WORLD = "Rest of world"


class MarketDataError(ValueError):
    """A market file breaks a rule; the message names the key path."""


@dataclass(frozen=True)
class Ranged(Sourced):
    """A sourced number with an optional sweep range (``nan`` = none given)."""

    low: float = math.nan
    high: float = math.nan


@dataclass(frozen=True)
class Market:
    """One importer x product market, arrays ordered partner first, rest of the world last."""

    name: str
    flow: str
    importer: str
    product: str
    period: str
    kind: str
    share_basis: str
    suppliers: tuple[str, ...]
    shares: np.ndarray            # (S,) value shares (volume shares x unit prices if volume-based)
    volume_shares: np.ndarray | None  # (S,) as found, when share_basis = "volume"
    unit_price: np.ndarray | None  # (S,) base price per physical unit, when given
    tariff: np.ndarray            # (S,) importer's applied tariff on each supplier
    import_elasticity: float
    substitution: float
    export_supply: float
    records: dict[str, Ranged] = field(repr=False)  # every number by key path, with provenance

    @property
    def partner(self) -> str:
        return self.suppliers[0]

    def base_values(self, partner_value):
        """(.., S) base values at base prices: the market scaled so that the partner sells
        ``partner_value`` (its flow value, US$ bn): ``shares * partner_value / shares[0]``."""
        pv = np.asarray(partner_value, dtype=float)
        return self.shares * (pv[..., None] if pv.ndim else pv) / self.shares[0]

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Key path -> (low, high) of every number with a sweep range."""
        return {k: (r.low, r.high) for k, r in self.records.items() if not math.isnan(r.low)}

    def sample_shares(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """(n, S) value shares with every ranged named supplier drawn uniformly over its range and
        the rest of the world taking what is left (clipped at 0, then renormalised)."""
        out = np.broadcast_to(self.shares, (n, len(self.suppliers))).copy()
        for j, name in enumerate(self.suppliers[:-1]):
            rec = self.records[f"supplier.{name}.share"]
            if not math.isnan(rec.low):
                draw = rng.uniform(rec.low, rec.high, n)
                if self.volume_shares is not None and self.unit_price is not None:
                    draw = draw * self.unit_price[j] / np.dot(self.volume_shares, self.unit_price)
                out[:, j] = draw
        out[:, -1] = np.maximum(1.0 - out[:, :-1].sum(axis=1), 0.0)
        return out / out.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class MarketData:
    vintage: str
    markets: dict[str, Market]
    western_exit: dict[str, Ranged]

    def for_flow(self, flow: str) -> Market:
        found = [m for m in self.markets.values() if m.flow == flow]
        if not found:
            raise KeyError(f"no market carries flow {flow!r}")
        return found[0]


def _record(raw, path: str) -> Ranged:
    if not isinstance(raw, dict) or not {"value", "conf", "source"} <= set(raw):
        raise MarketDataError(f"{path}: must be a record {{value, conf, source}}, got {raw!r}")
    extra = set(raw) - {"value", "conf", "source", "basis", "low", "high"}
    if extra:
        raise MarketDataError(f"{path}: unknown keys {sorted(extra)}")
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise MarketDataError(f"{path}.value: must be a number, got {value!r}")
    for key in ("conf",) + (("basis",) if "basis" in raw else ()):
        if raw[key] not in CONFIDENCE:
            raise MarketDataError(f"{path}.{key}: {raw[key]!r} is not one of {CONFIDENCE}")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        raise MarketDataError(f"{path}.source: every number needs a source")
    if ("low" in raw) != ("high" in raw):
        raise MarketDataError(f"{path}: give both low and high, or neither")
    low, high = float(raw.get("low", math.nan)), float(raw.get("high", math.nan))
    if "low" in raw and not low <= value <= high:
        raise MarketDataError(f"{path}: need low <= value <= high, got {low}, {value}, {high}")
    if raw["conf"] == "R" and "low" not in raw and path.endswith(".share") \
            and REST_OF_WORLD not in path:
        raise MarketDataError(f"{path}: an R share needs a low/high range to sweep")
    return Ranged(value=float(value), conf=raw["conf"], source=raw["source"],
                  basis=raw.get("basis", ""), low=low, high=high)


def _text(raw: dict, key: str, path: str) -> str:
    val = raw.get(key)
    if not isinstance(val, str) or not val:
        raise MarketDataError(f"{path}.{key}: required text")
    return val


def _market(raw: dict, tol: float) -> Market:
    name = _text(raw, "name", "market")
    path = f"market.{name}"
    records: dict[str, Ranged] = {}
    for key in MARKET_NUMBERS:
        if key in raw:
            records[key] = _record(raw[key], f"{path}.{key}")
    for key in ("tariff", "import_elasticity", "substitution"):
        if key not in records:
            raise MarketDataError(f"{path}.{key}: required")
    basis = raw.get("share_basis", "value")
    if basis not in SHARE_BASES:
        raise MarketDataError(f"{path}.share_basis: {basis!r} is not one of {SHARE_BASES}")
    sups = raw.get("supplier", [])
    if len(sups) < 2:
        raise MarketDataError(f"{path}.supplier: need the partner and at least the rest of world")
    names = tuple(_text(s, "name", f"{path}.supplier") for s in sups)
    if len(set(names)) != len(names):
        raise MarketDataError(f"{path}.supplier: duplicate supplier names")
    if names[-1] != REST_OF_WORLD:
        raise MarketDataError(f"{path}.supplier: the last supplier must be {REST_OF_WORLD!r}")
    prices = []
    for s, sname in zip(sups, names, strict=True):
        extra = set(s) - {"name", *SUPPLIER_NUMBERS}
        if extra:
            raise MarketDataError(f"{path}.supplier.{sname}: unknown keys {sorted(extra)}")
        if "share" not in s:
            raise MarketDataError(f"{path}.supplier.{sname}.share: required")
        for key in SUPPLIER_NUMBERS:
            if key in s:
                key_path = f"supplier.{sname}.{key}"
                records[key_path] = _record(s[key], f"{path}.{key_path}")
        prices.append("unit_price" in s)
    raw_shares = np.array([records[f"supplier.{n}.share"].value for n in names])
    if np.any(raw_shares < 0) or np.any(raw_shares > 1):
        raise MarketDataError(f"{path}: shares must lie in [0, 1]")
    if raw_shares[0] <= 0:
        raise MarketDataError(f"{path}: the partner ({names[0]}) needs a positive share")
    if abs(raw_shares.sum() - 1.0) > tol:
        raise MarketDataError(f"{path}: supplier shares sum to {raw_shares.sum():.6f}, not 1 "
                              f"(tolerance {tol})")
    if any(prices) and not all(prices):
        raise MarketDataError(f"{path}: give unit_price for every supplier or for none")
    unit_price = (np.array([records[f"supplier.{n}.unit_price"].value for n in names])
                  if all(prices) else None)
    raw_shares = raw_shares / raw_shares.sum()
    if basis == "volume":
        vol = raw_shares
        shares = vol * unit_price / np.dot(vol, unit_price) if unit_price is not None else vol
    else:
        vol, shares = None, raw_shares
    tariff = np.array([records.get(f"supplier.{n}.tariff", records["tariff"]).value
                       for n in names])
    ex = records["export_supply"].value if "export_supply" in records else math.inf
    if ex <= 0 or records["substitution"].value < 0:
        raise MarketDataError(f"{path}: need export_supply > 0 and substitution >= 0")
    return Market(
        name=name, flow=_text(raw, "flow", path), importer=_text(raw, "importer", path),
        product=_text(raw, "product", path), period=_text(raw, "period", path),
        kind=_text(raw, "kind", path), share_basis=basis, suppliers=names, shares=shares,
        volume_shares=vol, unit_price=unit_price, tariff=tariff,
        import_elasticity=records["import_elasticity"].value,
        substitution=records["substitution"].value, export_supply=ex, records=records)


def parse_markets(doc: dict) -> MarketData:
    """Validate a parsed markets file; raise :class:`MarketDataError` naming the key path."""
    meta = doc.get("meta", {})
    tol = float(meta.get("share_tolerance", 0.005))
    markets: dict[str, Market] = {}
    for raw in doc.get("market", []):
        m = _market(raw, tol)
        if m.name in markets:
            raise MarketDataError(f"market.{m.name}: defined twice")
        markets[m.name] = m
    if not markets:
        raise MarketDataError("market: no markets")
    exit_ = {k: _record(v, f"western_exit.{k}") for k, v in doc.get("western_exit", {}).items()}
    return MarketData(vintage=str(meta.get("vintage", "")), markets=markets, western_exit=exit_)


def load_markets(text: str | None = None) -> MarketData:
    """The packaged ``model/data/markets.toml`` (or ``text``, a TOML string), validated."""
    if text is None:
        text = resources.files("model.data").joinpath(MARKETS_FILE).read_text(encoding="utf-8")
    return parse_markets(tomllib.loads(text))


def with_shares(market: Market, shares: dict[str, float]) -> Market:
    """A copy of ``market`` with some named value shares replaced; the rest of the world takes
    what is left (must stay >= 0)."""
    new = market.shares.copy()
    for name, val in shares.items():
        new[market.suppliers.index(name)] = val
    new[-1] = 1.0 - new[:-1].sum()
    if new[-1] < 0:
        raise MarketDataError(f"market.{market.name}: named shares exceed 1")
    return replace(market, shares=new)
