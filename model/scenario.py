"""Read scenario files: TOML, ``extends`` layering with deep merge, strict validation.

    sc = load_scenario("scenarios/eaeu_fta.toml")   # -> Scenario (frozen, typed)

Any problem raises :class:`model.errors.InputError` naming the file, the key path and what is
allowed; unknown keys get the nearest valid key suggested.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from model.data import DATASETS, Baseline, load_baseline
from model.errors import InputError
from model.fiscal import fy_label, parse_fy
from model.inputs import loads_toml, read_input_bytes
from model.schema import FlowParams, ScenarioSpec, unwrap_types

Scenario = ScenarioSpec
MAX_EXTENDS_DEPTH = 20


# ------------------------------------------------------------------------------ reading files
def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse one TOML file; every failure becomes an InputError naming the file. Only a regular
    file of at most MAX_INPUT_BYTES is read (:mod:`model.inputs`)."""
    path = Path(path)
    return parse_toml(read_input_bytes(path), file=str(path))


def parse_toml(raw: bytes, *, file: str) -> dict[str, Any]:
    """Parse the bytes of a scenario file named ``file`` (also an upload: nothing is read)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start}); scenario files are UTF-8 TOML",
                         file=file) from None
    text = text.removeprefix("\ufeff")  # a UTF-8 byte-order mark (Windows editors) is harmless
    if "\x00" in text:
        raise InputError("binary file, expected UTF-8 TOML text", file=file)
    if not text.strip():
        raise InputError("empty file; a scenario needs at least `name` or `extends`", file=file)
    return loads_toml(text, file=file)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: tables merge key by key, everything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


SHIPPED_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHIPPED_BASELINE = SHIPPED_SCENARIOS / "baseline.toml"  # a default found from any directory


def resolve_extends(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's table with its ``extends`` chain merged underneath (relative paths)."""
    path = Path(path)
    real = path.resolve()
    if real in _chain:
        loop = " -> ".join(p.name for p in (*_chain, real))
        raise InputError(f"circular extends: {loop}", file=str(path), key="extends")
    if len(_chain) >= MAX_EXTENDS_DEPTH:
        raise InputError(f"extends chain deeper than {MAX_EXTENDS_DEPTH}", file=str(path))
    return _layer(read_toml(path), path, _chain=(*_chain, real))


def _layer(raw: dict[str, Any], path: Path, *, _chain: tuple[Path, ...]) -> dict[str, Any]:
    """``raw`` (the table of the file at ``path``) with its ``extends`` chain merged underneath."""
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or not parent:
        raise InputError("must be a path to another scenario file (a string)", file=str(path),
                         key="extends")
    parent_path = path.parent / parent
    if not parent_path.exists():
        shipped = SHIPPED_SCENARIOS / parent
        hint = (f"; the shipped '{parent}' is {shipped}: write extends = \"{shipped}\" or copy "
                "it next to this file") if shipped.is_file() else ""
        raise InputError(f"extends '{parent}': file not found; paths are relative to the "
                         f"extending file, so it was looked for at {parent_path}{hint}",
                         file=str(path), key="extends")
    if not parent_path.is_file():
        raise InputError(f"extends '{parent}' is not a file; give the path of a .toml scenario",
                         file=str(path), key="extends")
    base = resolve_extends(parent_path, _chain)
    base.pop("name", None)  # a child is its own scenario unless it names itself
    return deep_merge(base, raw)


# ------------------------------------------------------------------------------ validation
def _to_tuples(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _to_tuples(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_to_tuples(v) for v in value)
    return value


def _keys_at(loc: tuple[Any, ...]) -> list[str]:
    """Valid keys of the table at ``loc`` in the schema (for 'did you mean')."""
    node: Any = ScenarioSpec
    for part in loc:
        nxt = None
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(str(part))
            if field is not None:
                cands = unwrap_types(field.annotation)
                nxt = next((c for c in cands if isinstance(c, type) and issubclass(c, BaseModel)
                            or typing.get_origin(c) is dict), None)
        elif typing.get_origin(node) is dict:
            cands = unwrap_types(typing.get_args(node)[1])
            nxt = next((c for c in cands if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if nxt is None:
            return []
        node = nxt
    if isinstance(node, type) and issubclass(node, BaseModel):
        return list(node.model_fields)
    return []


_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE_TAGS = {"float", "int", "bool", "str", "dict", "list", "tuple"}
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")  # a TOML bare key, e.g. 2026-27


def _clean_loc(loc: tuple[Any, ...], raw: Any = None) -> tuple[Any, ...]:
    """Drop pydantic's union/validator tags (``constrained-float``, ``function-after[...]``).

    With the validated input ``raw``, a part that is a key (or index) of the input at that point
    is always kept, so user keys such as ``""`` or ``"float"`` survive; other parts (missing
    required keys) are kept only if they look like keys and not like pydantic tags."""
    if raw is None:
        return tuple(p for p in loc if isinstance(p, int) or (_KEY.fullmatch(p) and p not in _TYPE_TAGS))
    out: list[Any] = []
    node = raw
    for part in loc:
        if isinstance(node, Mapping):
            key = part if part in node else _year_key(node, part)
            if key is not None:
                out.append(key)  # the year as the user wrote it ("2026-27", not 2026)
                node = node[key]
                continue
        elif isinstance(node, tuple | list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
            continue
        else:
            key = None
        if key is None and (isinstance(part, int) or (_KEY.fullmatch(part) and part not in _TYPE_TAGS)):
            out.append(part)  # a missing required key, or below a non-table value
            node = None
    return tuple(out)


def _year_key(node: Mapping[Any, Any], part: Any) -> Any:
    """The key of a year table that parsed to fiscal year ``part`` (e.g. "2026-27" -> 2026)."""
    if not isinstance(part, int):
        return None
    for key in node:
        try:
            if parse_fy(key) == part:
                return key
        except (TypeError, ValueError):
            continue
    return None


def _dotted(loc: tuple[Any, ...]) -> str:
    """Key path as in TOML: bare keys joined by dots, other keys quoted."""
    return ".".join(str(p) if isinstance(p, int) or _BARE.fullmatch(p) else json.dumps(p) for p in loc)


NOT_FINITE = "must be a finite number (NaN and infinity are not allowed)"


def _describe(err: dict[str, Any], raw: Any = None) -> tuple[str, str]:
    loc = _clean_loc(err["loc"], raw)
    key = _dotted(loc)
    if err["type"] == "extra_forbidden" and loc:
        allowed = _keys_at(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return key, f"unknown key; {hint}allowed here: {', '.join(allowed) or '(none)'}"
    value = err.get("input")
    msg = err["msg"].removeprefix("Value error, ")
    if isinstance(value, float) and not math.isfinite(value):
        return key, NOT_FINITE
    if isinstance(value, dict | tuple | list) or "(got " in msg or re.search(
            rf"(?<![\w.]){re.escape(repr(value))}(?![\w.])", msg):  # a whole token, not 0.0 in 0.001
        return key, msg
    return key, f"{msg} (got {value!r})"


def _specific(errors: list[dict[str, Any]], raw: Any) -> list[dict[str, Any]]:
    """Drop union-branch mismatches ("should be a number") when another branch of the same
    value reports a deeper, more specific problem (e.g. a negative entry of a year table)."""
    locs = [_clean_loc(e["loc"], raw) for e in errors]
    prefixes = {loc[:i] for loc in locs for i in range(len(loc))}  # linear in the errors
    keep = [e for e, loc in zip(errors, locs, strict=True) if loc not in prefixes]
    return keep or errors


def validate(raw: Mapping[str, Any], *, file: str | None = None,
             baseline: Baseline | None = None) -> Scenario:
    """Validate a resolved scenario table into a frozen :class:`Scenario`."""
    data = _to_tuples(dict(raw))
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        errors = _specific(exc.errors(), data)
        key, msg = _describe(errors[0], data)
        others = {_clean_loc(e["loc"], data) for e in errors} - {_clean_loc(errors[0]["loc"], data)}
        more = f" (and {len(others)} more problem(s))" if others else ""
        raise InputError(msg + more, file=file, key=key or None) from None
    if baseline is None:
        name = spec.settings.dataset
        if name not in DATASETS and not name.endswith(".toml"):
            raise InputError(f"unknown dataset '{name}'; allowed: {', '.join(DATASETS)} or a "
                             "dataset file (.toml)", file=file, key="settings.dataset")
        baseline = load_baseline(name)
    spec = _defaults_to_horizon(spec, spec.settings.horizon_end)
    check_semantics(spec, baseline, file=file)
    return spec


def _defaults_to_horizon(node: BaseModel, end: int) -> BaseModel:
    """Year tables no file set (schema defaults, e.g. the IMF GDP paths to FY2027-28) cut at the
    horizon: a step path's years after it change nothing, and a short horizon must not be
    refused for a key the user never wrote. Years a file sets are checked as written."""
    update: dict[str, Any] = {}
    for name in type(node).model_fields:
        value = getattr(node, name)
        if isinstance(value, BaseModel):
            new = _defaults_to_horizon(value, end)
            if new is not value:
                update[name] = new
        elif (name not in node.model_fields_set and isinstance(value, dict) and value
              and all(isinstance(k, int) for k in value) and min(value) <= end < max(value)):
            update[name] = {k: v for k, v in value.items() if k <= end}
    return node.model_copy(update=update) if update else node


def _check_names(names: Any, allowed: tuple[str, ...], *, file: str | None, key: str) -> None:
    for name in names:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise InputError(f"unknown flow '{name}'; {hint}allowed: {', '.join(allowed)}",
                             file=file, key=key)


def check_semantics(sc: Scenario, base: Baseline, *, file: str | None = None) -> None:
    """Checks that need the dataset: flow names, years inside the horizon."""
    exports = base.names("export")
    lv = sc.levers
    _check_names(sc.flows, base.flow_names, file=file, key="flows")
    _check_names(lv.ntb.cut, exports, file=file, key="levers.ntb.cut")
    _check_names(lv.us_tariff.exempt, exports, file=file, key="levers.us_tariff.exempt")
    _check_names(lv.fta.sectors or (), base.flow_names, file=file, key="levers.fta.sectors")
    if not sc.corridors.routes:
        raise InputError("needs at least one route (e.g. keep 'suez'); allowed modes per route: "
                         "container, bulk", file=file, key="corridors.routes")
    end = sc.settings.horizon_end
    if end <= base.base_year:
        raise InputError(f"must be after the base year {fy_label(base.base_year)} "
                         f"(got {fy_label(end)})", file=file, key="settings.horizon_end")
    for key, value in _walk(sc):
        if isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
            bad = [k for k in value if not base.base_year <= k <= end]
            if bad:
                raise InputError(f"year {fy_label(bad[0])} is outside the horizon "
                                 f"{fy_label(base.base_year)}..{fy_label(end)}", file=file, key=key)
        if key.endswith((".start", ".opens", "rasht_astara_open")) and isinstance(value, int):
            if not base.base_year < value <= end:
                raise InputError(f"must be a fiscal year after {fy_label(base.base_year)} and "
                                 f"no later than {fy_label(end)} (got {fy_label(value)})",
                                 file=file, key=key)
    _check_levers(sc, base, file=file)
    _check_crude_price(sc, base, file=file)
    for name, over in sc.flows.items():
        for attr in ("tariff", "ntb_ave"):
            if getattr(over, attr) is not None:
                _check_level_acts(sc, base, name, attr, file=file, key=f"flows.{name}.{attr}")
        if over.tariff_path is not None and (over.tariff if over.tariff is not None
                                             else base.flow(name).tariff.value) == 0:
            raise InputError("this flow's base tariff is 0, so a path cannot scale it; set "
                             f"flows.{name}.tariff to the base-year level too", file=file,
                             key=f"flows.{name}.tariff_path")


def _check_level_acts(sc: Scenario, base: Baseline, flow: str, attr: str, *,
                      file: str | None, key: str) -> None:
    """A base tariff / NTB level only moves trade through a lever that cuts a share of it (the
    projection compares T(t) with T(0) of the same scenario): refuse one that cannot act."""
    lv = sc.levers
    if attr == "tariff":
        export = base.flow(flow).direction == "export"
        cut = lv.fta.eaeu_tariff_cut if export else lv.fta.india_tariff_cut
        covered = lv.fta.sectors is None or flow in lv.fta.sectors
        moved = sc.flows[flow].tariff_path is not None if flow in sc.flows else False
        acts = (covered and np.any(np.asarray(cut) > 0)) or moved \
            or bool(base.path(f"flows.{flow}.tariff"))
        hint = (f"set levers.fta (eaeu_tariff_cut/india_tariff_cut) to cut it, or give "
                f"flows.{flow}.tariff_path to change the applied tariff by year")
    else:
        acts = np.any(np.asarray(lv.ntb.cut.get(flow, 0.0)) > 0)
        hint = f"set levers.ntb.cut.{flow} to remove a share of it"
    if not acts:
        raise InputError(f"a base {attr.replace('_', ' ')} alone cannot change this scenario: "
                         f"the projection responds to changes against the base year; {hint}",
                         file=file, key=key)


def _check_levers(sc: Scenario, base: Baseline, *, file: str | None) -> None:
    """A lever's full effect cannot come before its (possibly default) start year; rival shocks
    name suppliers and markets of the dataset."""
    levers = [(name, getattr(sc.levers, name)) for name in type(sc.levers).model_fields
              if name not in ("rivals", "capacity")]
    levers += [(f"rivals.{name}", shock) for name, shock in sc.levers.rivals.items()]
    levers += [(f"capacity.{name}", shift) for name, shift in sc.levers.capacity.items()]
    if sc.levers.rivals or sc.levers.capacity:
        from model.drivers import check_rivals

        try:
            check_rivals(sc, base)
        except InputError as err:
            raise InputError(err.message, file=file, key=err.key) from None
    for name, lever in levers:
        full = getattr(lever, "full_effect", None)
        first = lever.start_year(base.base_year)
        if full is not None and full < first:
            raise InputError(f"phase-in ends ({fy_label(full)}) before the lever starts "
                             f"({fy_label(first)}); full_effect must be >= start",
                             file=file, key=f"levers.{name}.full_effect")


def _step(value: Any, year: int, default: float) -> float:
    """Value of a number-or-year-table at ``year`` (tables hold each entry until the next;
    before the first entry the default holds, as in :func:`model.drivers.path_values`)."""
    if value is None:
        return default
    if isinstance(value, dict):
        past = [k for k in sorted(value) if k <= year]
        return float(value[past[-1]]) if past else default
    return float(value)


def _check_crude_price(sc: Scenario, base: Baseline, *, file: str | None) -> None:
    """Urals price = Brent - discount must stay >= 0 in every year (else crude value < 0)."""
    oil, e = sc.levers.oil, base.energy
    b0, d0 = e["brent_usd_bbl"].value, e["urals_discount_usd_bbl"].value
    dated_b = base.path("levers.oil.brent_usd") or None
    dated_d = base.path("levers.oil.discount_usd") or None
    for year in range(base.base_year + 1, sc.settings.horizon_end + 1):
        # unset years follow the dataset's dated path (model.drivers.dataset_path)
        brent = _step(oil.brent_usd, year, _step(dated_b, year, b0))
        disc = _step(oil.discount_usd, year, _step(dated_d, year, d0))
        if disc > brent:
            raise InputError(f"the Urals discount ({disc:g} US$/bbl) exceeds Brent ({brent:g}) "
                             f"in {fy_label(year)}: the crude price would be negative; the "
                             "discount must be <= Brent", file=file, key="levers.oil.discount_usd")


def _walk(model: BaseModel, prefix: str = ""):
    """(dotted key, value) for every field, recursing into sections and dicts of sections."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from _walk(value, key + ".")
        elif isinstance(value, dict) and value and all(isinstance(v, BaseModel)
                                                      for v in value.values()):
            for k, v in value.items():
                yield from _walk(v, f"{key}.{k}.")
        elif isinstance(value, tuple) and value and all(isinstance(v, BaseModel) for v in value):
            for i, v in enumerate(value):  # e.g. [[triggers]]
                yield from _walk(v, f"{key}.{i}.")
        else:
            yield key, value


def load_scenario(path: str | Path, *, dataset: str | None = None,
                  corridors: str | None = None) -> Scenario:
    """Read, layer (``extends``) and validate one scenario file; ``dataset`` replaces its
    ``settings.dataset`` and ``corridors`` its ``corridors.model`` before validation
    (``tradesim run --dataset/--corridors``), so an override is checked like the file."""
    raw = resolved_table(path, dataset=dataset)
    if corridors is not None:
        raw = deep_merge(raw, {"corridors": {"model": corridors}})
    return validate(raw, file=str(path))


def resolved_table(path: str | Path, *, dataset: str | None = None) -> dict[str, Any]:
    """The table :func:`load_scenario` validates: ``extends`` merged, the name defaulted, a
    dataset file named in the scenario made absolute (it is found next to the file)."""
    path = Path(path)
    raw = resolve_extends(path)
    raw.setdefault("name", path.stem)
    if dataset is not None:
        raw = deep_merge(raw, {"settings": {"dataset": dataset}})
    else:  # a dataset file named in a scenario file is found next to that file
        settings = raw.get("settings")
        named = settings.get("dataset") if isinstance(settings, dict) else None
        if isinstance(named, str) and named.endswith(".toml") and not Path(named).is_absolute():
            raw = deep_merge(raw, {"settings": {"dataset": str((path.parent / named).resolve())}})
    return raw


def resolve_text(raw: bytes, *, file: str, base_dir: Path) -> dict[str, Any]:
    """The resolved table of a file given as bytes (an upload named ``file``): its ``extends``
    is looked for in ``base_dir``; the name defaults to the file's stem, as on disk."""
    table = _layer(parse_toml(raw, file=file), Path(base_dir) / Path(file).name, _chain=())
    table.setdefault("name", Path(file).stem)
    return table


def json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files (``extends`` included) for editors."""
    schema = ScenarioSpec.model_json_schema()
    schema["properties"]["extends"] = {"type": "string", "description":
                                       "path of a scenario this file layers on (deep merge)"}
    schema["required"] = []
    # a route table may edit a default route partially; a new route's required keys are checked
    # on load (pydantic), which JSON Schema cannot express per key
    schema["$defs"]["Route"].pop("required", None)
    schema["title"] = "tradesim scenario"
    return schema


# ------------------------------------------------------------------------------ sweeps
def _is_numeric(annotation: Any) -> bool:
    return any(t is float or (typing.get_origin(t) is dict and _is_numeric(
        typing.get_args(t)[1])) for t in unwrap_types(annotation))


def numeric_paths(sc: Scenario, base: Baseline | None = None) -> list[str]:
    """Dotted key paths of every numeric parameter a sweep may vary."""
    base = base or load_baseline(sc.settings.dataset)
    out: list[str] = []

    def visit(cls: type[BaseModel], prefix: str) -> None:
        for name, field in cls.model_fields.items():
            subs = [t for t in unwrap_types(field.annotation)
                    if isinstance(t, type) and issubclass(t, BaseModel)]
            if subs:
                visit(subs[0], f"{prefix}{name}.")
            elif _is_numeric(field.annotation) and name not in ("cut", "freight_usd_per_t"):
                out.append(f"{prefix}{name}")

    visit(ScenarioSpec, "")
    out = [p for p in out if not p.startswith(("flows", "corridors.routes"))]
    out += [f"levers.ntb.cut.{f}" for f in base.names("export")]
    out += [f"flows.{f}.{p}" for f in base.flow_names for p in (
        "elasticity", "tariff", "ntb_ave", "trend", "time_cost", "usd_per_t")]
    if sc.settings.competition == "rivals" and base.markets is not None:
        carried = {m.flow for m in base.markets.markets.values()}
        out += [f"flows.{f.name}.{p}" for f in base.flows for p in ("substitution", "market_share")
                if f.name in carried and f.kind in ("goods", "priced")]
        out += [f"levers.rivals.{name}.{p}" for name in sc.levers.rivals
                for p in ("availability", "tariff", "phase_in_years")]
        out += [f"levers.capacity.{name}.index" for name in sc.levers.capacity]
    for r, route in sc.corridors.routes.items():
        out += [f"corridors.routes.{r}.days", f"corridors.routes.{r}.capacity_mt"]
        out += [f"corridors.routes.{r}.freight_usd_per_t.{m}" for m in route.modes]
    return sorted(out)


def check_path(sc: Scenario, path: str, *, file: str | None = None, key: str | None = None) -> None:
    """Raise InputError (with the nearest valid path) if ``path`` is not sweepable, or if it is
    a level no lever of ``sc`` acts on (varying it would change nothing)."""
    valid = numeric_paths(sc)
    if path not in valid:
        close = difflib.get_close_matches(path, valid, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise InputError(f"unknown parameter path '{path}'{hint} "
                         f"(`tradesim paths` lists all {len(valid)})", file=file, key=key or path)
    parts = path.split(".")
    if parts[0] == "flows" and parts[-1] in ("tariff", "ntb_ave"):
        _check_level_acts(sc, load_baseline(sc.settings.dataset), parts[1], parts[-1],
                          file=file, key=key or path)


def check_values(sc: Scenario, values: Mapping[str, float], *, file: str | None = None,
                 source: str = "") -> Scenario:
    """Validate ``sc`` with parameters at dotted paths set to scalar ``values`` through the same
    schema, ranges and cross-field rules as a scenario file (one validation path for values
    from overrides, sweeps, tornado base/swing, seek). Raises InputError naming the key."""
    raw = sc.model_dump(mode="python", exclude_unset=False)
    for path, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer |
                                                             np.floating):
            raise InputError(f"must be a number (got {value!r}){source}", file=file, key=path)
        node = raw
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {}) if isinstance(node, dict) else {}
        node[last] = float(value)
    try:
        return validate(raw, file=file)
    except InputError as err:
        if source:
            raise InputError(err.message + source, file=err.file, key=err.key) from None
        raise


def check_ends(sc: Scenario, ends: Mapping[str, Sequence[tuple[str, float]]],
               pair_ends: Mapping[str, Sequence[tuple[str, float]]] | None = None, *,
               file: str | None = None,
               source: Callable[..., str] = lambda *ends: "") -> None:
    """Every value in ``ends`` (path -> [(what, value), ...]) alone, then each pair of paths at
    their ``pair_ends`` (default: ``ends``) together, through :func:`check_values`: the schema's
    ranges and the cross-field rules that bind two inputs (e.g. discount <= Brent).
    ``source(*items)`` tells where the value(s) came from, each item ``(path, what, value)``."""
    for name, values in ends.items():
        for what, v in values:
            check_values(sc, {name: v}, file=file, source=source((name, what, v)))
    pair_ends = ends if pair_ends is None else pair_ends
    names = list(pair_ends)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for wa, va in pair_ends[a]:
                for wb, vb in pair_ends[b]:
                    check_values(sc, {a: va, b: vb}, file=file,
                                 source=source((a, wa, va), (b, wb, vb)))


def with_values(sc: Scenario, values: Mapping[str, Any]) -> Scenario:
    """A copy of ``sc`` with parameters at dotted paths replaced, WITHOUT re-validation.

    Values may be numpy arrays with a sample axis (shape ``(N,)``); the drivers broadcast them.
    Use :func:`check_path` on user-given paths first.
    """
    for path, value in values.items():
        sc = _set(sc, path.split("."), np.asarray(value, dtype=float) if isinstance(
            value, np.ndarray | list) else value)
    return sc


def _set(node: Any, parts: list[str], value: Any) -> Any:
    head, rest = parts[0], parts[1:]
    if isinstance(node, BaseModel):
        child = getattr(node, head)
        if child is None and rest:  # e.g. flows.<name> not yet present
            raise KeyError(".".join(parts))
        new = value if not rest else _set(child, rest, value)
        return node.model_copy(update={head: new})
    if isinstance(node, dict):
        if rest:
            child = node.get(head, FlowParams())
            return {**node, head: _set(child, rest, value)}
        return {**node, head: value}
    raise KeyError(".".join(parts))
