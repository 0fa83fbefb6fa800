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


def _bounds_of(annotation: typing.Any) -> tuple[float | None, float | None, bool]:
    """(low, high, low-exclusive) from Annotated constraints inside ``annotation``."""
    lo = hi = None
    exclusive = False
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *meta = typing.get_args(annotation)
        lo, hi, exclusive = _bounds_of(inner)
        for m in meta:
            for c in getattr(m, "metadata", [m]):
                if isinstance(c, at.Ge):
                    lo, exclusive = c.ge, False
                elif isinstance(c, at.Gt):
                    lo, exclusive = c.gt, True
                elif isinstance(c, at.Le):
                    hi = c.le
                elif isinstance(c, at.Lt):
                    hi = c.lt
        return lo, hi, exclusive
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None) and typing.get_origin(arg) is not dict:
                got = _bounds_of(arg)
                if got[0] is not None or got[1] is not None:
                    return got
    return lo, hi, exclusive


def _field_bounds(field) -> tuple[float | None, float | None, bool]:
    lo, hi, ex = _bounds_of(field.annotation)
    for c in field.metadata:
        if isinstance(c, at.Ge):
            lo, ex = c.ge, False
        elif isinstance(c, at.Gt):
            lo, ex = c.gt, True
        elif isinstance(c, at.Le):
            hi = c.le
    return lo, hi, ex


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


def _candidates(annotation) -> list:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _candidates(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [c for a in typing.get_args(annotation) for c in _candidates(a)]
    return [annotation]
