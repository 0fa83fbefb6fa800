"""Shared helpers for the fuzz and property tests: the allowed box of every sweepable parameter
(read from the pydantic schema, so it follows the schema) and Hypothesis strategies.
"""

from __future__ import annotations

import json
import math
from functools import cache

import numpy as np
from hypothesis import strategies as st

from model.bounds import schema_range
from model.projection import Batch
from model.scenario import load_scenario, numeric_paths

from conftest import SCENARIOS


@cache
def baseline_scenario():
    return load_scenario(SCENARIOS / "baseline.toml")


@cache
def sweepable() -> tuple[str, ...]:
    return tuple(numeric_paths(baseline_scenario()))


def allowed_range(path: str) -> tuple[float, float, bool]:
    """(low, high, low_is_open) allowed by the schema for a sweepable path (model.bounds)."""
    lo, hi, open_lo = schema_range(path)
    return (-math.inf if lo is None else float(lo), math.inf if hi is None else float(hi),
            open_lo)


def sample_box(rng: np.random.Generator, n: int, paths=None) -> dict[str, np.ndarray]:
    """N points uniform in the allowed box of ``paths`` (default: all sweepable parameters),
    with a quarter of each coordinate at the box's edges.

    Joint constraint (checked by validation, not a box edge): the Urals discount <= Brent."""
    out = {}
    for p in paths or sweepable():
        lo, hi, open_lo = allowed_range(p)
        lo = np.nextafter(lo, math.inf) if open_lo else lo
        x = rng.uniform(lo, hi, n)
        edge = rng.random(n)
        x = np.where(edge < 0.125, lo, np.where(edge > 0.875, hi, x))
        out[p] = x
    if "levers.oil.discount_usd" in out and "levers.oil.brent_usd" in out:
        out["levers.oil.discount_usd"] = np.minimum(out["levers.oil.discount_usd"],
                                                    out["levers.oil.brent_usd"])
    return out


def check_identities(b: Batch) -> None:
    """Finite, non-negative flows that add up: totals, balance."""
    assert np.isfinite(b.flows).all(), "non-finite flow"
    # >= 0 up to rounding: at Brent == discount the phase-in arithmetic b0 + w (b - b0) -
    # (d0 + w (d - d0)) leaves about -2e-14 US$ bn of crude (the engine does not clamp at 0)
    assert (b.flows >= -1e-12).all(), f"negative flow {b.flows.min()}"
    ex = b.flows[:, b.is_export].sum(axis=1)
    im = b.flows[:, ~b.is_export].sum(axis=1)
    np.testing.assert_array_equal(b.exports, ex)
    np.testing.assert_array_equal(b.imports, im)
    np.testing.assert_allclose(b.total, ex + im, rtol=1e-12, atol=0)
    np.testing.assert_allclose(b.balance, ex - im, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------ strategies
@cache
def nasty_floats():
    return st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([0.0, -0.0, -1.0, 1e308, -1e308, 5e-324, 1e3, 0.5, 2.0]))


@cache
def junk():
    """Any TOML-representable value, including nested tables."""
    leaves = st.one_of(nasty_floats(), st.integers(-2**70, 2**70), st.booleans(),
                       st.text(max_size=12), st.dates())
    return st.recursive(leaves, lambda kids: st.one_of(
        st.lists(kids, max_size=3),
        st.dictionaries(st.text(max_size=8), kids, max_size=3)), max_leaves=6)


@cache
def fiscal_years():
    return st.one_of(st.integers(1990, 2110),
                     st.integers(2020, 2040).map(lambda y: f"{y}-{(y + 1) % 100:02d}"),
                     st.integers(2020, 2040).map(lambda y: f"FY{y}-{(y + 1) % 100:02d}"),
                     st.text(max_size=8))


@cache  # strategies are immutable: build each once (generation is the fuzz tests' main cost)
def in_range_value(path: str):
    lo, hi, open_lo = allowed_range(path)
    num = st.floats(lo, hi, exclude_min=open_lo, allow_nan=False)
    return num


@cache
def near_range_value(path: str):
    """Values inside, at and just outside the allowed range; numbers or year tables."""
    lo, hi, open_lo = allowed_range(path)
    num = st.one_of(in_range_value(path), st.sampled_from([lo, hi, lo - 1e-9, hi * 1.0001 + 1e-9]),
                    nasty_floats())
    return st.one_of(num, st.dictionaries(fiscal_years(), num, min_size=1, max_size=3))


def set_path(tree: dict, path: str, value) -> None:
    node = tree
    *head, last = path.split(".")
    for part in head:
        nxt = node.setdefault(part, {})
        if not isinstance(nxt, dict):
            return
        node = nxt
    node[last] = value


# ------------------------------------------------------------------------------ TOML text
def toml_value(v) -> str:
    """One value as TOML text (tables inline); None is not TOML and is never produced."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return v.isoformat()  # dates


def toml_key(k) -> str:
    return json.dumps(str(k), ensure_ascii=False)


def to_toml(tree: dict) -> str:
    """A table as TOML text: one ``key = value`` line per top-level key."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in tree.items())
