"""Datasets: base-year flows, history, energy quantities, HS tables, dated paths, with provenance.

Every number in a dataset file is a record ``{value, conf, source}``. :func:`load_baseline`
refuses a file with an unlabelled number or flows that do not sum to the official totals, so a
number without a source can never reach the model.

A dataset may declare HS tables (``[meta] tables``, see :mod:`model.data.hs`): a flow without a
typed ``value`` then takes the sum of the base year's table rows that the concordance maps to it,
and the flow named in ``[meta] residual`` for a direction takes what the official total leaves.
``[[timeline]]`` records are dated values of scenario quantities (prices, volumes, tariffs) that
already happened or are published outlooks: the baseline path of that quantity. ``[[monthly]]``
records are observed months of a flow for the nowcast of the latest fiscal year.
"""

from __future__ import annotations

import difflib
import io
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from model.fiscal import fy_label, parse_fy

CONFIDENCE = ("F", "F-sec", "D", "R")
STRENGTH = {c: i for i, c in enumerate(CONFIDENCE)}  # higher = weaker
FLOW_KINDS = ("goods", "crude", "lng", "priced", "oil_indexed")
MODES = ("container", "bulk", "tanker", "lng")
FLOW_NUMBERS = ("value", "elasticity", "tariff", "ntb_ave", "usd_per_t", "time_cost")
TOTAL_TOLERANCE = 1e-9
# name -> packaged file; the name is what scenario files give as `settings.dataset`
DATASETS = {"fy2025-26": "fy2025.toml", "fy2024-25": "baseline.toml", "fy2021-22": "fy2021.toml"}
DEFAULT_DATASET = "fy2025-26"
HOW_TO_EXTEND = (f'a dataset file of yours starts with extends = "{DEFAULT_DATASET}" (packaged: '
                 f'{", ".join(DATASETS)}) and adds rows')


@dataclass(frozen=True)
class Sourced:
    """A number with its provenance. ``basis`` is the weakest label it rests on (a D value
    computed from an R number rests on R); it equals ``conf`` unless the data says otherwise."""

    value: float
    conf: str
    source: str
    basis: str = ""

    def __post_init__(self):
        if not self.basis:
            object.__setattr__(self, "basis", self.conf)


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
    name: str = ""
    latest_year: int | None = None  # the newest fiscal year with observations (nowcast year)
    hs: Any = None  # pandas DataFrame of HS table rows (model.data.hs.TABLE_COLUMNS), or None
    sources: dict[str, str] = field(default_factory=dict)  # source key -> citation
    timeline: tuple[Dated, ...] = ()
    monthly: tuple[Monthly, ...] = ()
    events: tuple[dict[str, str], ...] = ()
    markets: Any = None  # model.markets_data.MarketData of the flows' destination markets, or None

    def path(self, key: str) -> dict[int, float]:
        """Dated values of one scenario quantity (``{fiscal start year: value}``), may be empty."""
        return {d.year: d.value.value for d in self.timeline if d.path == key}

    def observed_months(self, flow: str, year: int) -> list[Monthly]:
        return [m for m in self.monthly if m.flow == flow and m.fiscal_year == year]

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
        rows += [_row("timeline", d.path, fy_label(d.year), d.value) for d in self.timeline]
        rows += [_row("monthly", f"{m.flow}:{m.month}", k, v) for m in self.monthly
                 for k, v in m.numbers.items()]
        if self.markets is not None:  # competing suppliers: item = market, field = key path
            for m in self.markets.markets.values():
                rows += [_row("markets", m.name, k, r) for k, r in m.records.items()]
            rows += [_row("markets", "western_exit", k, r)
                     for k, r in self.markets.western_exit.items()]
        if self.hs is not None:
            for r in self.hs.itertuples():
                rows.append(dict(section="hs", item=f"{r.direction}:{r.fiscal_year}:{r.hs}",
                                 field="value_usd_mn", value=r.value_usd_mn, conf=r.conf,
                                 source=self.sources.get(r.source, r.source)))
        return rows


@dataclass(frozen=True)
class Dated:
    """One dated value of a scenario quantity, e.g. ``levers.oil.brent_usd`` from FY2025-26."""

    path: str
    year: int
    value: Sourced


@dataclass(frozen=True)
class Monthly:
    """Observed numbers of one flow in one month (``numbers``: value_usd_bn, volume_mbd, ...)."""

    flow: str
    month: str  # "2025-04"
    numbers: dict[str, Sourced]

    @property
    def fiscal_year(self) -> int:
        y, m = (int(x) for x in self.month.split("-"))
        return y if m >= 4 else y - 1


def _row(section: str, item: str, field: str, s: Sourced) -> dict[str, Any]:
    return dict(section=section, item=item, field=field, value=s.value, conf=s.conf, source=s.source)


class DataError(ValueError):
    """The packaged dataset is malformed (a bug in the data, not user input)."""


def _sourced(raw: Any, where: str) -> Sourced:
    keys = set(raw) if isinstance(raw, dict) else set()
    if not {"value", "conf", "source"} <= keys or keys - {"value", "conf", "source", "basis"}:
        raise DataError(f"{where}: every number must be {{value, conf, source}} (optional basis), "
                        f"got {raw!r}")
    value, conf, source = raw["value"], raw["conf"], raw["source"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise DataError(f"{where}.value: must be a finite number, got {value!r}")
    basis = raw.get("basis", conf)
    if conf not in CONFIDENCE or basis not in CONFIDENCE:
        raise DataError(f"{where}.conf/basis: must be one of {CONFIDENCE}, got {conf!r}/{basis!r}")
    if not isinstance(source, str) or len(source.strip()) < 3:
        raise DataError(f"{where}.source: a source is required, got {source!r}")
    return Sourced(float(value), conf, source, basis)


def weakest(labels) -> str:
    """The weakest of some confidence labels (R < D < F-sec < F)."""
    return max(labels, key=STRENGTH.__getitem__, default="F")


def _section(raw: dict[str, Any], name: str) -> dict[str, Sourced]:
    return {k: _sourced(v, f"{name}.{k}") for k, v in raw.get(name, {}).items()}


def _tables(raw: dict[str, Any], read) -> tuple[Any, dict[str, str]]:
    """HS tables named in ``[meta] tables`` and the ``[sources]`` they cite."""
    import pandas as pd

    from model.data.hs import TABLE_COLUMNS

    names = raw["meta"].get("tables", [])
    shared = tomllib.loads(read("tables/sources.toml").decode("utf-8")) if names else {}
    sources = {k: str(v) for k, v in {**shared, **raw.get("sources", {})}.items()}
    if not names:
        return None, sources
    frames = []
    for name in names:
        t = pd.read_csv(io.BytesIO(read(name)), dtype={"hs": str, "fiscal_year": str})
        if list(t.columns) not in (TABLE_COLUMNS, [*TABLE_COLUMNS, "basis"]):
            raise DataError(f"{name}: columns must be {TABLE_COLUMNS} (+ optional basis), "
                            f"got {list(t.columns)}")
        if "basis" not in t:
            t["basis"] = t["conf"]
        bad = t[~t["conf"].isin(CONFIDENCE) | ~t["source"].isin(sources.keys())]
        if len(bad):
            raise DataError(f"{name}: row {bad.index[0] + 2} has an unknown label or a source "
                            f"missing from [sources]: {bad.iloc[0].to_dict()}")
        frames.append(t)
    return pd.concat(frames, ignore_index=True), sources


def _flow_values(raw, totals, hs, base_year) -> dict[str, Sourced]:
    """Values of flows without a typed value: HS table rows per the concordance, and residuals."""
    from model.data.hs import load_concordance

    conc, out = load_concordance(), {}
    residual = raw["meta"].get("residual", {})
    fy = fy_label(base_year)
    for direction, key in (("export", "exports"), ("import", "imports")):
        flows = [f for f in raw.get("flow", []) if f.get("direction") == direction]
        typed = {f["name"]: _sourced(f["value"], f"flow[{f['name']}].value")
                 for f in flows if "value" in f}
        rows = hs[(hs["direction"] == direction) & (hs["fiscal_year"] == fy)] if hs is not None \
            else None
        for f in flows:
            name = f["name"]
            if name in typed or name == residual.get(direction):
                continue
            if rows is None:
                raise DataError(f"flow[{name}]: no value and no HS tables to compute it from")
            mine = rows[[conc.flow(direction, h) == name for h in rows["hs"]]]
            if mine.empty:
                raise DataError(f"flow[{name}]: no HS table row maps to it in FY{fy}")
            codes = ", ".join(sorted(set(mine["hs"])))
            out[name] = Sourced(round(float(mine["value_usd_mn"].sum()) / 1e3, 9),
                                weakest(mine["conf"]),
                                f"sum of {len(mine)} HS table rows FY{fy} ({codes})",
                                weakest(mine["basis"]))
        if direction in residual:
            name = residual[direction]
            known = {**typed, **{k: v for k, v in out.items()
                                 if k in {f["name"] for f in flows}}}
            total = totals[key]
            rest = total.value - sum(v.value for v in known.values())
            basis = raw["meta"].get("residual_basis", {}).get(direction) or weakest(
                [total.basis, *(v.basis for v in known.values()), "D"])
            out[name] = Sourced(rest, "D",
                                f"residual: official {key} {total.value:g} less the other "
                                f"{direction} flows ({sum(v.value for v in known.values()):.4f})",
                                basis)
    return out


def parse_baseline(raw: dict[str, Any], read=None, name: str = "") -> Baseline:
    """Build and check a :class:`Baseline` from the parsed TOML document.

    ``read(name) -> bytes`` reads a table named in ``[meta] tables`` (packaged data by default).
    """
    read = read or (lambda n: resources.files("model.data").joinpath(n).read_bytes())
    _check_keys(raw)
    base_year = int(raw["meta"]["base_year"])
    totals = _section(raw, "totals")
    hs, sources = _tables(raw, read)
    computed = _flow_values(raw, totals, hs, base_year)
    flows = []
    for i, f in enumerate(raw.get("flow", [])):
        where = f"flow[{i}:{f.get('name', '?')}]"
        if f.get("direction") not in ("export", "import"):
            raise DataError(f"{where}.direction must be 'export' or 'import'")
        if f.get("kind") not in FLOW_KINDS or f.get("mode") not in MODES:
            raise DataError(f"{where}: kind must be in {FLOW_KINDS} and mode in {MODES}")
        numbers = {n: (computed[f["name"]] if n == "value" and f.get("name") in computed
                       else _sourced(f.get(n), f"{where}.{n}")) for n in FLOW_NUMBERS}
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
    timeline = tuple(
        Dated(str(d["path"]), parse_fy(d["fiscal_year"]),
              _sourced(d.get("value"), f"timeline[{i}:{d.get('path')}].value"))
        for i, d in enumerate(raw.get("timeline", [])))
    monthly = tuple(
        Monthly(str(m["flow"]), str(m["month"]),
                {k: _sourced(v, f"monthly[{i}].{k}") for k, v in m.items()
                 if k not in ("flow", "month")})
        for i, m in enumerate(raw.get("monthly", [])))
    latest = raw["meta"].get("latest_year")
    _check_dated(timeline, monthly, {f.name: f.kind for f in flows}, base_year,
                 None if latest is None else parse_fy(latest))
    markets = _markets(raw["meta"].get("markets"), read, {f.name for f in flows})
    base = Baseline(
        base_year=base_year,
        vintage=str(raw["meta"]["vintage"]),
        flows=tuple(flows),
        totals=totals,
        history=history,
        energy=_section(raw, "energy"),
        us=_section(raw, "us"),
        parameters=_section(raw, "parameters"),
        name=name,
        latest_year=None if latest is None else parse_fy(latest),
        hs=hs,
        sources=sources,
        timeline=timeline,
        monthly=monthly,
        events=tuple({k: str(v) for k, v in e.items()} for e in raw.get("event", [])),
        markets=markets,
    )
    for direction, key in (("export", "exports"), ("import", "imports")):
        total = sum(f.value.value for f in flows if f.direction == direction)
        if abs(total - base.totals[key].value) > TOTAL_TOLERANCE:
            raise DataError(f"{direction} flows sum to {total}, official total is "
                            f"{base.totals[key].value}")
    return base


SECTIONS = ("meta", "totals", "history", "energy", "us", "parameters", "flow", "timeline",
            "monthly", "event")
TIMELINE_PATHS = ("levers.oil.volume_mbd", "levers.oil.brent_usd", "levers.oil.discount_usd",
                  "levers.us_tariff.rate")  # and flows.<name>.tariff: what the drivers read
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _check_keys(raw: dict[str, Any]) -> None:
    """Only the sections a dataset has, and the [meta] keys every dataset needs."""
    for key in raw:
        if key not in SECTIONS:
            close = difflib.get_close_matches(key, SECTIONS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise DataError(f"{key}: unknown key; {hint}allowed here: {', '.join(SECTIONS)}")
    missing = [k for k in ("base_year", "vintage") if k not in raw.get("meta", {})]
    if missing:
        raise DataError(f"meta.{missing[0]}: missing; {HOW_TO_EXTEND}, or gives a complete "
                        "dataset")


def _check_dated(timeline, monthly, kinds: dict[str, str], base_year: int,
                 latest: int | None) -> None:
    """Dated values name a quantity the model reads, a year after the base year and a value in
    the scenario schema's range; observed months fall in the nowcast year, are not negative."""
    from model.bounds import above, below, range_text, schema_range

    paths = (*TIMELINE_PATHS, *(f"flows.{name}.tariff" for name in kinds))
    for i, d in enumerate(timeline):
        where = f"timeline[{i}:{d.path}]"
        if d.path not in paths:
            close = difflib.get_close_matches(d.path, paths, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise DataError(f"{where}.path: not a dated quantity of the model; {hint}allowed: "
                            f"{', '.join(TIMELINE_PATHS)}, flows.<flow>.tariff")
        if d.year <= base_year:
            raise DataError(f"{where}.fiscal_year: {fy_label(d.year)} must be after the base "
                            f"year {fy_label(base_year)}")
        bounds, v = schema_range(d.path), d.value.value
        if below(v, bounds) or above(v, bounds):
            raise DataError(f"{where}.value: {v:g} is outside the allowed range "
                            f"{range_text(bounds)}")
    for i, m in enumerate(monthly):  # observed months blend into energy values (drivers.nowcast)
        where = f"monthly[{i}:{m.flow}:{m.month}]"
        if kinds.get(m.flow) not in ("crude", "lng", "oil_indexed") or \
                "value_usd_bn" not in m.numbers:
            raise DataError(f"{where}: needs a crude, LNG or oil-indexed flow and value_usd_bn")
        if not MONTH.match(m.month):
            raise DataError(f"{where}.month: must be written YYYY-MM, e.g. \"2026-02\"")
        if m.fiscal_year != latest:
            raise DataError(f"{where}.month: not in the nowcast year "
                            f"{'(none)' if latest is None else fy_label(latest)} "
                            "(meta.latest_year); months of other years are not read")
        for key, number in m.numbers.items():
            if number.value < 0:
                raise DataError(f"{where}.{key}.value: must be >= 0 (got {number.value:g})")


def _markets(name, read, flows: set[str]):
    """The dataset's competing-supplier markets (``[meta] markets``), checked against its flows."""
    if name is None:
        return None
    from model.markets_data import MarketDataError, load_markets

    try:
        data = load_markets(read(name).decode("utf-8"))
    except MarketDataError as err:
        raise DataError(f"{name}: {err}") from None
    unknown = sorted({m.flow for m in data.markets.values()} - flows)
    if unknown:
        raise DataError(f"{name}: markets carry flows the dataset does not have: {unknown}")
    return data


USER_TABLE = "user:"  # prefix of a table named by a user dataset (read next to that file)
LISTS = ("timeline", "monthly", "event")  # appended when a user dataset extends a packaged one


def _read_packaged(name: str) -> bytes:
    return resources.files("model.data").joinpath(name).read_bytes()


def _user_dataset(path: Path) -> dict[str, Any]:
    """A dataset file of the user's: complete, or ``extends = "<packaged name>"`` plus additions
    (more tables, dated values, monthly observations, events; any section's values replaced)."""
    from model.errors import InputError

    if not path.is_file():
        raise InputError("not a packaged dataset name and not a dataset file; packaged: "
                         f"{', '.join(DATASETS)}", key="settings.dataset", file=str(path))
    from model.inputs import loads_toml, read_input_text

    raw = loads_toml(read_input_text(path, what="dataset (UTF-8 TOML)"), file=str(path))
    if not raw:
        raise InputError(f"empty file; {HOW_TO_EXTEND}", file=str(path))
    meta = dict(raw.get("meta", {}))
    meta["tables"] = [f"{USER_TABLE}{t}" for t in meta.get("tables", [])]
    parent = raw.pop("extends", None)
    if parent is None:
        return {**raw, "meta": meta}
    if parent not in DATASETS:
        raise InputError(f"'{parent}' is not a packaged dataset; allowed: {', '.join(DATASETS)}",
                         file=str(path), key="extends")
    merged = tomllib.loads(_read_packaged(DATASETS[parent]).decode("utf-8"))
    for key, value in raw.items():
        if key == "meta":
            tables = merged["meta"].get("tables", []) + meta.pop("tables")
            merged["meta"] = {**merged["meta"], **meta, "tables": tables}
        elif key in LISTS:
            merged[key] = merged.get(key, []) + list(value)
        elif key == "history":
            years = {h["fiscal_year"] for h in value}
            merged[key] = [h for h in merged.get(key, []) if h["fiscal_year"] not in years] + value
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _reader(path: Path | None):
    def read(name: str) -> bytes:
        if name.startswith(USER_TABLE):
            return (path.parent / name[len(USER_TABLE):]).read_bytes()
        return _read_packaged(name)
    return read


def dataset_sha256(dataset: str) -> str:
    """Hash of everything a dataset's numbers come from: its file(s), tables, concordance."""
    import hashlib

    h = hashlib.sha256()
    path = None if dataset in DATASETS else Path(dataset)
    raw = (tomllib.loads(_read_packaged(DATASETS[dataset]).decode("utf-8")) if path is None
           else _user_dataset(path))
    h.update(_read_packaged(DATASETS[dataset]) if path is None else path.read_bytes())
    read, tables = _reader(path), raw["meta"].get("tables", [])
    markets = [raw["meta"]["markets"]] if "markets" in raw["meta"] else []
    for name in [*tables, *(["tables/sources.toml"] if tables else []), "concordance.csv",
                 *markets]:
        h.update(name.encode() + b"\0" + read(name))
    return h.hexdigest()


@cache
def load_baseline(dataset: str = DEFAULT_DATASET) -> Baseline:
    """A packaged dataset by name (see :data:`DATASETS`), or a dataset file of the user's (a
    path; it may ``extends = "fy2025-26"`` and add tables, dated values and monthly values).

    A malformed user file raises :class:`model.errors.InputError` naming it (exit 2)."""
    if dataset in DATASETS:
        return parse_baseline(tomllib.loads(_read_packaged(DATASETS[dataset]).decode("utf-8")),
                              name=dataset)
    from model.errors import InputError

    path = Path(dataset)
    raw = _user_dataset(path)
    try:
        return parse_baseline(raw, read=_reader(path), name=str(path))
    except (DataError, KeyError, ValueError, OSError) as err:
        raise InputError(f"bad dataset: {err}", file=str(path)) from None
