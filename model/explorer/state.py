"""Control values -> scenario table -> validated Scenario -> numbers; and TOML out.

The page keeps the *resolved table* of the scenario it started from (a file, an upload, or the
baseline) and the control values; :func:`apply` writes the values into a copy of the table and
:func:`scenario_of` validates it exactly as ``tradesim validate`` validates a file, so a bad
value gets the CLI's one-line message. :func:`to_toml` writes the table back out: the file the
"download" button gives, which ``tradesim run`` turns into the same numbers (no ``extends``:
the table is already resolved, so the file stands alone).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from model.api import run
from model.results import Result
from model.scenario import SHIPPED_SCENARIOS, Scenario, deep_merge, resolve_text, validate

__all__ = ["resolve_text"]  # uploads are read as the CLI reads files
EXPLORER_NAME = "explorer"
FAN_SWEEP = SHIPPED_SCENARIOS / "sweeps" / "oil_lng_uncertainty.toml"
FAN_SAMPLES = 2000
FAN_QUANTILES = (5, 25, 50, 75, 95)


def apply(table: Mapping[str, Any], values: Mapping[str, float | None],
          shown: Mapping[str, float | None] | None = None) -> dict[str, Any]:
    """``table`` with each control value written at its dotted path; a value that is None, or
    equal to what ``table`` itself gives (``shown``), leaves the table as it is -- so the file
    keeps its own form (a ``full_effect`` is not joined by a default ``phase_in_years``)."""
    out = copy.deepcopy(dict(table))
    shown = shown or {}
    for path, value in values.items():
        if value is None or (path in shown and value == shown[path]):
            continue
        parts = path.split(".")
        node = out
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return out


def scenario_of(table: Mapping[str, Any], *, file: str | None = None) -> Scenario:
    """Validate a resolved table (InputError with the CLI's message if it is bad)."""
    return validate(table, file=file)


def controls_from(sc: Scenario, paths) -> dict[str, float | None]:
    """Control values that show ``sc`` (scalars only; a year table or dataset path -> None)."""
    from model.explorer.controls import current_value

    return {p: current_value(sc, p) for p in paths}


# ------------------------------------------------------------------------------ TOML out
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: Any) -> str:
    k = str(k)
    return k if _BARE.fullmatch(k) else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)  # repr round-trips a float exactly: `run` sees the same bits
    if isinstance(v, str):
        return json.dumps(v)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


_YEAR = re.compile(r"^(FY)?\d{4}")


def _is_table(v: Any) -> bool:
    """A section of its own ([levers.oil]); a year table {"2026-27" = 1.0} stays inline."""
    return isinstance(v, dict) and not (v and all(_YEAR.match(str(k)) for k in v))


def _table_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def to_toml(table: Mapping[str, Any], prefix: str = "") -> str:
    """A TOML document for a scenario table (scalars, arrays, year tables, sections)."""
    lines, subs = [], []
    for k, v in table.items():
        if _is_table(v) or _table_list(v):
            subs.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    text = "\n".join(lines) + ("\n" if lines else "")
    for k, v in subs:
        name = f"{prefix}{_key(k)}"
        if _table_list(v):
            for item in v:
                text += f"\n[[{name}]]\n" + to_toml(item, name + ".")
            continue
        inner = to_toml(v, name + ".")
        if not inner.startswith("\n"):  # the section has keys of its own: give it a header
            inner = f"\n[{name}]\n" + inner
        text += inner
    return text


def download_text(table: Mapping[str, Any]) -> str:
    header = ("# Written by `tradesim explore`: a resolved scenario (no extends), so that\n"
              "# `tradesim run` on this file reproduces the numbers the explorer showed.\n")
    return header + to_toml(table)


def with_name(table: Mapping[str, Any], name: str = EXPLORER_NAME) -> dict[str, Any]:
    return deep_merge(table, {"name": name})


# ------------------------------------------------------------------------------ numbers
def project(sc: Scenario) -> Result:
    return run(sc)


@cache
def _fan_design(names: tuple[str, ...], n: int) -> np.ndarray:
    """Inputs ``(n, len(names))`` drawn as the shipped oil/LNG uncertainty sweep draws them
    (its marginals, correlations and Latin hypercube), restricted to ``names``."""
    from model.sweep.methods import build_design
    from model.sweep.spec import load_sweep

    spec, _ = load_sweep(FAN_SWEEP)
    keep = {k: p for k, p in spec.parameters.items() if k in names}
    pairs = [c for c in spec.correlations if set(c.params) <= set(names)]
    spec = spec.model_copy(update={"parameters": keep, "correlations": pairs, "n": n})
    X = build_design(spec).X
    X.setflags(write=False)
    return X


def fan_inputs(table: Mapping[str, Any]) -> list[str]:
    """The sweep's inputs the scenario leaves to the dataset: the fan varies only those (a
    value the user set is a choice, not an uncertainty)."""
    from model.sweep.spec import load_sweep

    spec, _ = load_sweep(FAN_SWEEP)
    return [k for k in spec.parameters if _lookup(table, k) is None]


def fan(sc: Scenario, table: Mapping[str, Any], n: int = FAN_SAMPLES) -> dict[str, Any] | None:
    """Balance quantiles per year over ``n`` vectorised samples; None if nothing is uncertain."""
    names = tuple(fan_inputs(table))
    if not names:
        return None
    X = _fan_design(names, n)
    res = run(sc, overrides={k: X[:, j] for j, k in enumerate(names)})
    q = np.percentile(res.batch.balance, FAN_QUANTILES, axis=0)
    return {"years": res.years, "inputs": list(names), "n": n,
            **{f"p{p}": q[i].tolist() for i, p in enumerate(FAN_QUANTILES)}}


def _lookup(table: Mapping[str, Any], path: str) -> Any:
    node: Any = table
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node
