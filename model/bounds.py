"""Allowed ranges of numeric scenario parameters, read from the pydantic schema.

One place for "what values may this dotted path take" (seek ranges, trigger values, sweep
ranges): the bounds follow the schema's field constraints, so they cannot drift from validation.
"""

from __future__ import annotations

import types
import typing

import annotated_types as at
from pydantic import BaseModel

from model.schema import FlowParams, ScenarioSpec
from model.schema import unwrap_types as _candidates

Bounds = tuple[float | None, float | None, bool]  # (low, high, low is exclusive)


def _apply(constraints, bounds: Bounds) -> Bounds:
    """Narrow ``bounds`` by annotated-types constraints (Ge, Gt, Le, Lt)."""
    lo, hi, exclusive = bounds
    for c in constraints:
        if isinstance(c, at.Ge):
            lo, exclusive = c.ge, False
        elif isinstance(c, at.Gt):
            lo, exclusive = c.gt, True
        elif isinstance(c, at.Le):
            hi = c.le
        elif isinstance(c, at.Lt):
            hi = c.lt
    return lo, hi, exclusive


def _bounds_of(annotation: typing.Any) -> Bounds:
    """(low, high, low-exclusive) from Annotated constraints inside ``annotation``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *meta = typing.get_args(annotation)
        bounds = _bounds_of(inner)
        for m in meta:
            bounds = _apply(getattr(m, "metadata", [m]), bounds)
        return bounds
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None) and typing.get_origin(arg) is not dict:
                got = _bounds_of(arg)
                if got[0] is not None or got[1] is not None:
                    return got
    return None, None, False


def _field_bounds(field) -> Bounds:
    return _apply(field.metadata, _bounds_of(field.annotation))


def range_text(bounds: Bounds) -> str:
    """``[0, 50]``, ``(0, inf]``: a range as messages show it (an open side as infinity)."""
    lo, hi, exclusive = bounds
    return (f"{'(' if exclusive else '['}{'-inf' if lo is None else f'{lo:g}'}, "
            f"{'inf' if hi is None else f'{hi:g}'}]")


def below(v: float, bounds: Bounds) -> bool:
    """``v`` under the low end (at it, where that end is exclusive)."""
    lo, _, exclusive = bounds
    return lo is not None and (v < lo or (exclusive and v <= lo))


def above(v: float, bounds: Bounds) -> bool:
    return bounds[1] is not None and v > bounds[1]


def schema_range(path: str) -> tuple[float | None, float | None, bool]:
    """Allowed (low, high, low-exclusive) of a numeric parameter path, from the schema."""
    node: type[BaseModel] = ScenarioSpec
    parts = path.split(".")
    i = 0
    while i < len(parts):
        field = node.model_fields[parts[i]]
        if i == len(parts) - 1:
            return _field_bounds(field)
        if parts[i] == "flows":
            node, i = FlowParams, i + 2
            continue
        subs = [t for t in _candidates(field.annotation) if isinstance(t, type)
                and issubclass(t, BaseModel)]
        if subs:
            node, i = subs[0], i + 1
            continue
        dicts = [t for t in _candidates(field.annotation) if typing.get_origin(t) is dict]
        value_type = typing.get_args(dicts[0])[1]
        sub = [t for t in _candidates(value_type) if isinstance(t, type) and issubclass(t, BaseModel)]
        if sub and i + 2 < len(parts):
            node, i = sub[0], i + 2
            continue
        return _bounds_of(value_type)
    raise KeyError(path)

