"""One control per lever, generated from the scenario schema (never a hand-made list).

Paths come from :func:`model.scenario.numeric_paths` (what sweeps may vary) plus each lever's
timing fields; ranges from :func:`model.bounds.schema_range`; text and unit from
:func:`model.labels.parameter`; help from the field's description (what ``tradesim schema``
prints); groups from the decomposition's lever groups. A field added to the schema appears here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model import labels
from model.analysis.decompose import GROUPS, trigger_group
from model.bounds import schema_range
from model.data import load_baseline
from model.scenario import Scenario, numeric_paths
from model.schema import Lever, Levers, unwrap_types

# sections shown in the decomposition's order of lever groups ("other": coal, fertilisers,
# vegetable oils)
GROUP_ORDER = tuple(GROUPS)
# per-route fields worth a control (freight rates stay in files: they only move route choice)
ROUTE_FIELDS = ("capacity_mt", "days")


@dataclass(frozen=True)
class Control:
    path: str         # dotted scenario key, e.g. levers.oil.volume_mbd
    group: str        # lever group key (labels.group gives its name)
    label: str
    unit: str
    help: str
    low: float
    high: float
    low_exclusive: bool
    step: float
    integer: bool


def _wanted(path: str) -> bool:
    parts = path.split(".")
    if parts[0] == "levers" or parts[0] == "macro":
        return True
    if parts[:2] == ["corridors", "routes"]:
        return parts[-1] in ROUTE_FIELDS
    return parts[0] == "corridors"


def _step(low: float, high: float, integer: bool) -> float:
    if integer:
        return 1
    return 10.0 ** (math.floor(math.log10(high - low)) - 3)  # 0..1 -> 0.001, 0..10 -> 0.01


def controls(sc: Scenario) -> list[Control]:
    """Controls for every lever of ``sc`` (its routes and its dataset's export flows)."""
    base = load_baseline(sc.settings.dataset)
    paths = [p for p in numeric_paths(sc, base) if _wanted(p)]
    # a lever's start year, phase-in and lags: integer fields, so not in numeric_paths. Keyed
    # levers (rivals.<name>, capacity.<flow>) are tables the user names: not controls here,
    # but a loaded file's entries are kept and act as in `tradesim run`
    paths += [f"levers.{name}.{f}" for name, lever in Levers.model_fields.items()
              if isinstance(lever.annotation, type) and issubclass(lever.annotation, Lever)
              for f, info in lever.annotation.model_fields.items()
              if f != "full_effect" and int in unwrap_types(info.annotation)]
    paths.append("corridors.rasht_astara_open")
    out = []
    for path in paths:
        field = path.rsplit(".", 1)[-1]
        is_year = field in ("start", "rasht_astara_open")
        if is_year:  # a fiscal year after the base year, inside the horizon (check_semantics)
            low, high, exclusive = base.base_year + 1, sc.settings.horizon_end, False
        else:
            low, high, exclusive = schema_range(path)
        integer = is_year or field.endswith("_years")
        label = labels.parameter(path)
        unit = "fiscal year" if is_year else label.unit
        if label.percent:  # the field holds the file's fraction, not a per cent figure
            unit = unit.replace("%", "fraction", 1) + (", 0.05 = 5%" if "year" in unit else
                                                        ", 0.5 = 50%")
        out.append(Control(path=path, group=trigger_group(path), label=label.text,
                           unit=unit, help=labels.description(path),
                           low=float(low), high=float(high), low_exclusive=exclusive,
                           step=_step(low, high, integer), integer=integer))
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    return sorted(out, key=lambda c: (order.get(c.group, len(order)), c.path))


def current_value(sc: Scenario, path: str) -> float | None:
    """The scalar value ``sc`` gives ``path``; None when it is a year table or left to the
    dataset (the control then shows the dataset's path as its placeholder)."""
    node: object = sc
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if node is None:
            return None
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None
    return node
