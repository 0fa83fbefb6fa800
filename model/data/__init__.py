"""Baseline dataset: FY2024-25 flows, history, energy quantities, with provenance.

Every number in ``baseline.toml`` is a record ``{value, conf, source}``. :func:`load_baseline`
refuses a file with an unlabelled number or flows that do not sum to the official totals, so a
number without a source can never reach the model.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

CONFIDENCE = ("F", "F-sec", "D", "R")
FLOW_KINDS = ("goods", "crude", "lng", "priced", "oil_indexed")
MODES = ("container", "bulk", "tanker", "lng")
FLOW_NUMBERS = ("value", "elasticity", "tariff", "ntb_ave", "usd_per_t", "time_cost")
TOTAL_TOLERANCE = 1e-9
# name -> packaged file; the name is what scenario files give as `settings.dataset`
DATASETS = {"fy2024-25": "baseline.toml", "fy2021-22": "fy2021.toml"}


@dataclass(frozen=True)
class Sourced:
    """A number with its provenance."""

    value: float
    conf: str
    source: str


@dataclass(frozen=True)
class Flow:
    """One sector in one direction, FY2024-25."""

    name: str
    direction: str  # "export" (India -> Russia) or "import" (Russia -> India)
    label: str
    hs: str
    kind: str
    mode: str
    value: Sourced
    elasticity: Sourced
    tariff: Sourced
    ntb_ave: Sourced
    usd_per_t: Sourced
    time_cost: Sourced


@dataclass(frozen=True)
class Baseline:
    base_year: int
    vintage: str
    flows: tuple[Flow, ...]
    totals: dict[str, Sourced]
    history: tuple[dict[str, Any], ...]
    energy: dict[str, Sourced]
    us: dict[str, Sourced]
    parameters: dict[str, Sourced]

    @property
    def flow_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.flows)

    def names(self, direction: str) -> tuple[str, ...]:
        return tuple(f.name for f in self.flows if f.direction == direction)

    def column(self, attr: str) -> np.ndarray:
        """One per-flow number as an array in flow order, e.g. ``column("elasticity")``."""
        return np.array([getattr(f, attr).value for f in self.flows], dtype=float)

    def flow(self, name: str) -> Flow:
        return self.flows[self.flow_names.index(name)]

    def records(self) -> list[dict[str, Any]]:
        """Every number as a flat record: section, item, field, value, conf, source."""
        rows = [_row("totals", k, "value", s) for k, s in self.totals.items()]
        for f in self.flows:
            rows += [_row(f"flow:{f.direction}", f.name, n, getattr(f, n)) for n in FLOW_NUMBERS]
        for h in self.history:
            for k in ("exports", "imports"):
                rows.append(_row("history", str(h["fiscal_year"]), k, h[k]))
        for section in ("energy", "us", "parameters"):
            rows += [_row(section, k, "value", s) for k, s in getattr(self, section).items()]
        return rows


def _row(section: str, item: str, field: str, s: Sourced) -> dict[str, Any]:
    return dict(section=section, item=item, field=field, value=s.value, conf=s.conf, source=s.source)


class DataError(ValueError):
    """The packaged dataset is malformed (a bug in the data, not user input)."""


def _sourced(raw: Any, where: str) -> Sourced:
    if not isinstance(raw, dict) or set(raw) != {"value", "conf", "source"}:
        raise DataError(f"{where}: every number must be {{value, conf, source}}, got {raw!r}")
    value, conf, source = raw["value"], raw["conf"], raw["source"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise DataError(f"{where}.value: must be a finite number, got {value!r}")
    if conf not in CONFIDENCE:
        raise DataError(f"{where}.conf: must be one of {CONFIDENCE}, got {conf!r}")
    if not isinstance(source, str) or len(source.strip()) < 3:
        raise DataError(f"{where}.source: a source is required, got {source!r}")
    return Sourced(float(value), conf, source)


def _section(raw: dict[str, Any], name: str) -> dict[str, Sourced]:
    return {k: _sourced(v, f"{name}.{k}") for k, v in raw.get(name, {}).items()}


def parse_baseline(raw: dict[str, Any]) -> Baseline:
    """Build and check a :class:`Baseline` from the parsed TOML document."""
    flows = []
    for i, f in enumerate(raw.get("flow", [])):
        where = f"flow[{i}:{f.get('name', '?')}]"
        if f.get("direction") not in ("export", "import"):
            raise DataError(f"{where}.direction must be 'export' or 'import'")
        if f.get("kind") not in FLOW_KINDS or f.get("mode") not in MODES:
            raise DataError(f"{where}: kind must be in {FLOW_KINDS} and mode in {MODES}")
        numbers = {n: _sourced(f.get(n), f"{where}.{n}") for n in FLOW_NUMBERS}
        text = {k: str(f[k]) for k in ("name", "direction", "label", "hs", "kind", "mode")}
        flows.append(Flow(**text, **numbers))
    names = [f.name for f in flows]
    if len(set(names)) != len(names):
        raise DataError(f"flow names must be unique, got {names}")
    history = tuple(
        {"fiscal_year": int(h["fiscal_year"]),
         **{k: _sourced(h[k], f"history[{h['fiscal_year']}].{k}") for k in ("exports", "imports")}}
        for h in raw.get("history", [])
    )
    base = Baseline(
        base_year=int(raw["meta"]["base_year"]),
        vintage=str(raw["meta"]["vintage"]),
        flows=tuple(flows),
        totals=_section(raw, "totals"),
        history=history,
        energy=_section(raw, "energy"),
        us=_section(raw, "us"),
        parameters=_section(raw, "parameters"),
    )
    for direction, key in (("export", "exports"), ("import", "imports")):
        total = sum(f.value.value for f in flows if f.direction == direction)
        if abs(total - base.totals[key].value) > TOTAL_TOLERANCE:
            raise DataError(f"{direction} flows sum to {total}, official total is "
                            f"{base.totals[key].value}")
    return base


@cache
def load_baseline(dataset: str = "fy2024-25") -> Baseline:
    """A packaged dataset by name (see :data:`DATASETS`), or a file path in the same format."""
    if dataset in DATASETS:
        text = resources.files("model.data").joinpath(DATASETS[dataset]).read_bytes()
    else:
        text = Path(dataset).read_bytes()
    return parse_baseline(tomllib.loads(text.decode("utf-8")))
