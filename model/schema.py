"""The scenario schema: one frozen, typed pydantic model per section of a scenario file.

Defaults are "no lever pulled": a scenario that sets nothing reproduces the baseline. Where a
default is ``None`` the value comes from the baseline dataset (``tradesim data`` lists it with its
source). Units are in each field's description, which also feeds ``tradesim schema``.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from model.corridors.network import ROUTE_NAMES
from model.fiscal import fy_label, parse_fy


def unwrap_types(annotation: object) -> list:
    """Candidate types inside Optional / Union / Annotated (for schema walkers)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in unwrap_types(a)]
    return [annotation]


def _fy(value: object) -> object:
    try:
        return parse_fy(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise ValueError(str(err)) from None


def _fy_keys(value: object) -> object:
    if isinstance(value, dict):
        if not value:
            raise ValueError("an empty year table; give a number or at least one year")
        out: dict[object, object] = {}
        written: dict[object, object] = {}
        for k, v in value.items():
            fy = _fy(k)
            if fy in out:  # 2026, "2026" and "FY2026-27" are one year: refuse, never collapse
                raise ValueError(f"fiscal year {fy_label(fy)} given twice (as {written[fy]!r} "
                                 f"and {k!r}); give each year once")
            out[fy], written[fy] = v, k
        return out
    return value


FY_PATTERN = r"^(FY)?\d{4}(-\d{2}|-\d{4})?$"
FY = Annotated[
    int, Field(ge=2000, le=2100), BeforeValidator(_fy),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 2000, "maximum": 2100},
                              {"type": "string", "pattern": FY_PATTERN}],
                    "description": "fiscal year: 2026, '2026-27' or 'FY2026-27'"}),
]


def year_path(lo: float, hi: float, unit: str, *, above: bool = False):
    """A number, or a table fiscal year -> number held until the next entry (a step path).

    ``above=True`` makes ``lo`` exclusive (values must be > lo)."""
    value = Annotated[float, Field(gt=lo, le=hi) if above else Field(ge=lo, le=hi)]
    return Annotated[
        value | dict[FY, value],
        BeforeValidator(_fy_keys),
        Field(description=f"{unit}; a number, or a table {{\"2026-27\" = x, ...}} held "
                          f"from each year until the next (allowed {lo}..{hi})"),
    ]


Share = Annotated[float, Field(ge=0.0, le=1.0)]
YearPath = float | dict[int, float]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False,
                              arbitrary_types_allowed=True)


class Lever(Section):
    """Every lever starts in a fiscal year and reaches full effect after ``phase_in_years``."""

    start: FY | None = Field(None, description="first fiscal year the lever acts (e.g. 2026 or "
                                               "'2026-27'; default: the first projected year)")
    phase_in_years: int = Field(1, ge=0, le=30,
                                description="years to full effect (linear ramp; 0 or 1 = at once)")
    full_effect: FY | None = Field(None, description="alternative to phase_in_years: the first "
                                                     "fiscal year at full effect (>= start)")

    @model_validator(mode="after")
    def _phase_order(self) -> Lever:
        if self.full_effect is not None and "phase_in_years" in self.model_fields_set:
            raise ValueError("give either phase_in_years or full_effect, not both (full_effect "
                             "sets the phase-in: years from start to full_effect)")
        if None not in (self.full_effect, self.start) and self.full_effect < self.start:
            raise ValueError(f"phase-in ends (full_effect {fy_label(self.full_effect)}) before it "
                             f"starts (start {fy_label(self.start)}); full_effect must be >= start")
        return self

    def start_year(self, base_year: int):
        """First fiscal year the lever acts (the year after the base year unless set)."""
        return base_year + 1 if self.start is None else self.start

    def ramp_years(self, base_year: int):
        """Years from start to full effect."""
        if self.full_effect is not None:
            return self.full_effect - self.start_year(base_year) + 1
        return self.phase_in_years


class UsTariff(Lever):
    rate: year_path(0.0, 10.0, "extra US tariff on Indian goods over the pre-2025 level, "
                               "fraction (0.5 = 50%); default: the dataset's dated path "
                               "(`tradesim data --section timeline`)") | None = None
    exempt: tuple[str, ...] = Field(("pharma", "electronics"),
                                    description="export flows exempt from the US tariff")
    diversion_share: Share | None = Field(None, description="share of India's lost US exports "
                                                            "redirected to Russia (bilateral "
                                                            "model only; default: data)")
    us_import_elasticity: Annotated[float, Field(gt=0, le=20)] | None = None
    india_export_supply: Annotated[float, Field(gt=0, le=100)] | None = Field(
        None, description="India's export supply elasticity (competing-supplier model): how far "
        "the price of India's exports falls when the US market shrinks, which makes them cheaper "
        "in Russia's markets (default: data)")


class Fta(Lever):
    eaeu_tariff_cut: Share = Field(0.0, description="share of the EAEU tariff on Indian goods removed")
    india_tariff_cut: Share = Field(0.0, description="share of India's tariff on Russian goods removed")
    sectors: tuple[str, ...] | None = Field(None, description="flows covered (default: all)")


class Ntb(Lever):
    cut: dict[str, Share] = Field(default_factory=dict,
                                  description="flow -> share of its non-tariff-barrier AVE removed")
    uptake_lag_years: int = Field(0, ge=0, le=10,
                                  description="years between removal and exporters' response")


class Oil(Lever):
    volume_mbd: year_path(0.0, 10.0, "Russian crude to India, mb/d") | None = None
    share_of_india_crude: year_path(0.0, 1.0, "Russia's share of India's crude imports") | None = None
    india_crude_growth: float = Field(0.0, ge=-0.2, le=0.3,
                                      description="growth of India's crude imports per year (with share)")
    brent_usd: year_path(0.0, 500.0, "Brent, US$/bbl") | None = None
    discount_usd: year_path(-50.0, 100.0, "Urals discount to Brent, US$/bbl") | None = None
    sanctions_multiplier: Share = Field(1.0, description="volume multiplier from sanctions / pull-back")

    @model_validator(mode="after")
    def _one_volume(self) -> Oil:
        if self.volume_mbd is not None and self.share_of_india_crude is not None:
            raise ValueError("set either volume_mbd or share_of_india_crude, not both")
        return self


class Lng(Lever):
    volume_mt: Annotated[float, Field(ge=0, le=100)] | None = Field(None, description="Mt/yr at start")
    growth_mt_per_year: float = Field(0.0, ge=-20, le=50, description="Mt added each year after start")
    cap_mt: Annotated[float, Field(ge=0, le=100)] | None = Field(None, description="volume cap, Mt/yr")
    price_usd_mmbtu: year_path(0.0, 100.0, "LNG price, US$/MMBtu") | None = None
    sanctioned: bool = Field(False, description="Russian LNG to India stops from start")


class Bulk(Lever):
    volume_mt: year_path(0.0, 500.0, "volume, Mt/yr") | None = None
    price_usd_t: year_path(0.0, 10000.0, "price, US$/t") | None = None


# Rupee settlement (facts 9): Russian officials say >90% of India-Russia payments are in national
# currencies (F-sec), but crude -- ~80% of imports -- was largely paid in USD/AED/CNY (F-sec). With
# ~90% of non-crude imports (~19% of the total) and ~5% of crude in rupees, about 0.2 of Russia's
# sales to India are settled in rupees (D from those F-sec items; the 90%/5% split is R). India's
# exports to Russia are mostly paid from Russia's rupee (vostro) balances: 0.9 (R, ">90%").
RUPEE_SHARE_DEFAULT = 0.2
RUPEE_SHARE_EXPORTS_DEFAULT = 0.9


class Payments(Lever):
    friction: Share | None = Field(None, description="settlement cost, share of value (default: data)")
    rupee_share: year_path(0.0, 1.0, "share of Russia's sales to India settled in rupees "
                                     "(D/R default 0.2, facts 9)") = RUPEE_SHARE_DEFAULT
    rupee_share_exports: year_path(0.0, 1.0, "share of India's exports to Russia paid from "
                                             "Russia's rupee balances (R default 0.9)") = (
        RUPEE_SHARE_EXPORTS_DEFAULT)


class RivalShock(Lever):
    """A change to a rival supplier in the destination markets (competing-supplier model,
    docs/markets.md): its availability (an exit or an export ban: the supplier's CES weight, 1 =
    as in the base year, 0.001 = practically gone) and/or the importer's tariff on it."""

    supplier: str = Field(description="rival supplier as named in the dataset's markets "
                                      "(`tradesim data --section markets`), e.g. 'EU', 'Ukraine'")
    markets: tuple[str, ...] | None = Field(None, description="markets it applies to (names "
                                            "from `tradesim data --section markets`); default: "
                                            "every market the supplier sells in")
    availability: year_path(0.001, 10.0, "the supplier's weight in the market, 1 = base "
                            "(0.3 = an exit leaving 30%)") | None = None
    tariff: year_path(0.0, 10.0, "the importer's applied tariff on the supplier "
                      "(share of value)") | None = None

    @model_validator(mode="after")
    def _acts(self) -> RivalShock:
        if self.availability is None and self.tariff is None:
            raise ValueError("a rival shock needs availability or tariff (or both)")
        return self


class CapacityShift(Lever):
    """The partner's export supply capacity for one flow (competing-supplier model): its weight
    in the destination market scales with it, as the exporter term of structural gravity (e.g.
    India's world exports of electronics after the smartphone PLI scheme)."""

    index: year_path(0.01, 100.0, "the partner's supply capacity for the flow, 1 = base year "
                     "(e.g. its world exports of the product deflated by US$ prices)")


class Levers(Section):
    us_tariff: UsTariff = UsTariff()
    fta: Fta = Fta()
    ntb: Ntb = Ntb()
    oil: Oil = Oil()
    lng: Lng = Lng()
    coal: Bulk = Bulk()
    fertiliser: Bulk = Bulk()
    vegetable_oil: Bulk = Bulk()
    payments: Payments = Payments()
    rivals: dict[str, RivalShock] = Field(default_factory=dict, description="shocks to rival "
                                          "suppliers by name, e.g. [levers.rivals.eu_exit]")
    capacity: dict[str, CapacityShift] = Field(default_factory=dict, description="the partner's "
                                               "supply capacity by flow, e.g. "
                                               "[levers.capacity.electronics]")


Mode = Literal["container", "bulk"]


class Route(Section):
    modes: tuple[Mode, ...] = Field(description="cargo modes the route carries")
    # days and freight are year paths: a disruption (e.g. the 2022 exit of the container lines)
    # is a table by fiscal year in the scenario, not code
    days: year_path(0.0, 365.0, "door-to-door transit days", above=True)
    freight_usd_per_t: dict[Mode, year_path(0.0, 10000.0, "freight, US$ per tonne", above=True)]
    capacity_mt: year_path(0.0, 1000.0, "India-Russia cargo capacity, Mt/yr", above=True) | None = Field(
        None, description="None = unlimited")
    season: tuple[Annotated[int, Field(ge=1, le=12)], Annotated[int, Field(ge=1, le=12)]] | None = Field(
        None, description="[first, last] open month, e.g. [7, 11]; None = all year")
    opens: FY | None = Field(None, description="first fiscal year the route carries cargo")

    @model_validator(mode="after")
    def _consistent(self) -> Route:
        if not self.modes:
            raise ValueError("a route needs at least one mode")
        missing = [m for m in self.modes if m not in self.freight_usd_per_t]
        if missing:
            raise ValueError(f"freight_usd_per_t needs a rate for modes {missing}")
        if self.season is not None and self.season[1] < self.season[0]:
            raise ValueError(f"season ends (month {self.season[1]}) before it starts "
                             f"(month {self.season[0]})")
        return self


def _default_routes() -> dict[str, Route]:
    # Sources: docs/facts.md section 8; see docs/methodology.md for the derivations.
    return {
        # Suez all-sea: 35-40 days (F-sec); $3.85k/box (D) / 14 t per TEU (R) = $275/t
        "suez": Route(modes=("container", "bulk"), days=40.0,
                      freight_usd_per_t={"container": 275.0, "bulk": 30.0}),
        # INSTC: 25-30 days, 30% cheaper (FFFAI 2017, F-sec); India-Russia capacity 0.15 Mt/yr:
        # 11,000 containers in 2025 (F-sec, all branches) x 14 t (R) -- an upper bound (R)
        "instc": Route(modes=("container",), days=25.0, freight_usd_per_t={"container": 192.5},
                       capacity_mt=0.15),
        # Chennai-Vladivostok: ~24 days (PortNews 2024, F-sec); bulk freight and capacity R
        "chennai_vladivostok": Route(modes=("bulk",), days=24.0,
                                     freight_usd_per_t={"bulk": 22.0}, capacity_mt=3.0),
        # Northern Sea Route: season late Jul-mid Oct (Rosatom, F-sec) ~ Jul-Nov; rest R
        "nsr": Route(modes=("bulk",), days=35.0, freight_usd_per_t={"bulk": 35.0},
                     capacity_mt=1.0, season=(7, 11)),
    }


def _merge_routes(value: object) -> object:
    """A file's routes layer over the default ones key by key (a partial table edits a route)."""
    if not isinstance(value, dict):
        return value
    merged: dict[str, object] = {k: r.model_dump() for k, r in _default_routes().items()}
    for name, route in value.items():
        if isinstance(route, dict) and name in merged:
            merged[name] = {**merged[name], **route}  # type: ignore[dict-item]
        else:
            merged[name] = route
    return merged


class Corridors(Section):
    routes: Annotated[dict[str, Route], BeforeValidator(_merge_routes)] = Field(
        default_factory=_default_routes, description="routes by name; a table here edits the "
        "default route of that name key by key (suez, instc, chennai_vladivostok, nsr) or adds one")
    rasht_astara_open: FY | None = Field(None, description="fiscal year the Rasht-Astara rail "
                                         "link opens (None: not within the horizon; D: ~2030 if the "
                                         "48-month build starts in 2026)")
    rasht_astara_capacity_mt: float = Field(1.0, ge=0, le=100, description="INSTC capacity the "
                                            "link adds, Mt/yr of India-Russia cargo (R)")
    rasht_astara_days_saved: float = Field(3.0, ge=0, le=30, description="transit days saved "
                                           "when trucking over the gap ends (R)")
    model: Literal["capacity", "surrogate", "des"] = Field(
        "capacity", description="corridor model: 'capacity' (cheapest-first fill, fixed days; "
        "fast, for sweeps), 'surrogate' (stage network with queueing-theory congestion) or "
        "'des' (as surrogate, plus the SimPy simulation reported per route and year)")

    @model_validator(mode="after")
    def _queueing_routes(self) -> Corridors:
        # the queueing models carry cargo on the stage networks of the four named routes only
        extra = [r for r in self.routes if r not in ROUTE_NAMES]
        if self.model != "capacity" and extra:
            raise ValueError(f"route '{extra[0]}' has no stage network: corridors.model = "
                             f"'{self.model}' knows only {', '.join(ROUTE_NAMES)}; use "
                             "'capacity' for added routes")
        return self


class Macro(Section):
    # IMF WEO Oct 2025 / Jan 2026 update (F-sec, facts 10); held at the last value after 2027 (R)
    india_gdp_growth: year_path(-0.3, 0.3, "India real GDP growth") = Field(
        default_factory=lambda: {2025: 0.073, 2026: 0.064, 2027: 0.064})
    russia_gdp_growth: year_path(-0.3, 0.3, "Russia real GDP growth") = Field(
        default_factory=lambda: {2025: 0.006, 2026: 0.008, 2027: 0.010})
    usd_inflation: year_path(-0.1, 0.5, "US$ price inflation of traded goods (R: 2%)") = 0.02
    income_elasticity: float | None = Field(None, ge=0, le=5,
                                            description="income elasticity of import demand")


MIN_LEVEL = 1e-9  # smallest non-zero base tariff (0.0000001%)


class FlowParams(Section):
    elasticity: float | None = Field(None, gt=0, le=50, description="import demand elasticity |Em|")
    tariff: float | None = Field(None, ge=0, le=10,
                                 description="base tariff, fraction (10 = 1000%): the level tariff "
                                             "levers act on (levers.fta cuts a share of it); it "
                                             "does not move trade by itself -- use tariff_path")
    tariff_path: year_path(0.0, 10.0, "applied tariff by year, fraction; moves T(t) against the "
                                      "base year (before its first year the dataset's tariff "
                                      "holds)") | None = None
    ntb_ave: float | None = Field(None, ge=0, le=10,
                                  description="base NTB ad-valorem equivalent: the level "
                                              "levers.ntb.cut removes a share of; it does not move "
                                              "trade by itself")
    trend: float = Field(0.0, ge=-0.5, le=0.5, description="extra sector growth per year")
    time_cost: float | None = Field(None, ge=0, le=0.1, description="share of value per day")
    usd_per_t: float | None = Field(None, ge=1.0, le=1e7, description="value density, US$/t")
    substitution: float | None = Field(None, gt=1.0, le=100, description="Armington elasticity "
                                       "between the suppliers of the flow's market (competing-"
                                       "supplier model; default: the dataset's markets)")
    market_share: float | None = Field(None, ge=1e-4, le=0.95, description="the partner's base "
                                       "share of the flow's market; the rivals keep their "
                                       "proportions (default: the dataset's markets)")

    @field_validator("tariff")
    @classmethod
    def _not_vanishing(cls, v: float | None) -> float | None:
        # a tariff path is a factor on the base level: a level like 5e-324 overflows it
        if v is not None and 0 < v < MIN_LEVEL:
            raise ValueError(f"a base tariff below {MIN_LEVEL:g} is 0 for the model; write 0 "
                             f"(got {v!r})")
        return v


class Settings(Section):
    dataset: str = Field("fy2025-26", description="packaged dataset (`tradesim data`): fy2025-26 "
                                                  "(newest: FY2024-25 HS tables, FY2025-26 "
                                                  "observed months and dated paths), fy2024-25 "
                                                  "(earlier results), fy2021-22 (backcast)")
    horizon_end: FY = Field(2034, description="last projected fiscal year (base is 2024-25)")
    adjustment_years: float | None = Field(None, ge=0, le=30,
                                           description="partial-adjustment time of trade-cost "
                                                       "responses (0 = immediate)")
    export_supply_elasticity: float | None = Field(None, ge=0.01, le=1000, description="Ex (99 = "
                                                   "infinite, as in WITS-SMART)")
    competition: Literal["rivals", "bilateral"] = Field(
        "rivals", description="'rivals': each flow with a market in the dataset competes with "
        "named suppliers (GSIM/SMART nested demand, docs/markets.md); 'bilateral': every flow "
        "alone, V = V0 D (T/T0)^-e (the model before version 0.2)")


# ------------------------------------------------------------------------------ triggers
# Model quantities a trigger may test (each from the previous fiscal year). Units: US$ bn, mb/d, Mt.
TRIGGER_QUANTITIES = {
    "oil.volume_mbd": "Russian crude to India, mb/d",
    "lng.volume_mt": "Russian LNG to India, Mt/yr",
    "imports": "India's imports from Russia, US$ bn",
    "exports": "India's exports to Russia, US$ bn",
    "balance": "India's balance with Russia, US$ bn",
    "total_trade": "total bilateral trade, US$ bn",
}
TRIGGER_OPERATORS = (">=", "<=", ">", "<")
TRIGGER_PREFIXES = ("levers.", "corridors.")  # year-varying drivers, selectable year by year
MAX_TRIGGERS = 4
_WHEN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|>|<|==|!=|=)?\s*(.*?)\s*$")


def parse_when(text: str) -> tuple[str, str, float]:
    """``"oil.volume_mbd > 1.0"`` -> ``("oil.volume_mbd", ">", 1.0)``; ValueError if malformed."""
    m = _WHEN.match(text)
    if m is None or not text.strip():
        raise ValueError(f"expected 'QUANTITY OP NUMBER', e.g. 'oil.volume_mbd > 1.0' (got {text!r})")
    quantity, op, number = m.groups()
    if quantity not in TRIGGER_QUANTITIES:
        raise ValueError(f"unknown quantity '{quantity}'; allowed: {', '.join(TRIGGER_QUANTITIES)}")
    if op not in TRIGGER_OPERATORS:
        raise ValueError(f"no valid comparison after '{quantity}' (got {op or text[m.end(1):].strip()!r}); "
                         f"allowed operators: {', '.join(TRIGGER_OPERATORS)}")
    try:
        threshold = float(number)
    except ValueError:
        raise ValueError(f"threshold must be a number (got {number!r})") from None
    if threshold != threshold or abs(threshold) == float("inf"):
        raise ValueError(f"threshold must be finite (got {number!r})")
    return quantity, op, threshold


@functools.cache
def trigger_targets() -> tuple[str, ...]:
    """Parameter paths a trigger may set: numeric lever and corridor paths (default routes)."""
    from model.scenario import numeric_paths  # lazy: scenario imports this module

    return tuple(p for p in numeric_paths(ScenarioSpec(name="paths"))
                 if p.startswith(TRIGGER_PREFIXES))


class Trigger(Section):
    """Set a parameter to ``value`` in every fiscal year in which ``when`` held in the year before,
    else to ``otherwise`` (default: the scenario's own value). Lever start/phase-in still apply."""

    when: str = Field(description="condition on last year's model quantity, e.g. "
                                  "'oil.volume_mbd > 1.0'; quantities: "
                                  + ", ".join(TRIGGER_QUANTITIES))
    set: str = Field(description="parameter path set by the trigger, e.g. 'levers.us_tariff.rate'")
    value: float = Field(description="value while the condition holds")
    otherwise: float | None = Field(None, description="value while it does not (default: the "
                                                      "scenario's own value)")
    start: FY | None = Field(None, description="first fiscal year the trigger may act; before it "
                                               "the parameter keeps its `otherwise` value "
                                               "(default: the first projected year)")

    @field_validator("when")
    @classmethod
    def _when(cls, text: str) -> str:
        parse_when(text)
        return text

    @field_validator("set")
    @classmethod
    def _set(cls, path: str) -> str:
        allowed = trigger_targets()
        if path not in allowed:
            import difflib
            close = difflib.get_close_matches(path, allowed, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ValueError(f"unknown or non-triggerable parameter path '{path}'; {hint}a trigger "
                             "may set numeric levers.* and corridors.* paths (`tradesim paths`)")
        return path

    @model_validator(mode="after")
    def _in_range(self) -> Trigger:
        from model.bounds import schema_range  # lazy: bounds imports the schema

        lo, hi, exclusive = schema_range(self.set)
        for name in ("value", "otherwise"):
            v = getattr(self, name)
            if v is None:
                continue
            low_bad = lo is not None and (v <= lo if exclusive else v < lo)
            if low_bad or hi is not None and v > hi:
                raise ValueError(f"{name} {v:g} is outside what {self.set} allows "
                                 f"({'>' if exclusive else '>='} {lo:g}, <= {hi:g})")
        return self

    @property
    def condition(self) -> tuple[str, str, float]:
        return parse_when(self.when)


class ScenarioSpec(Section):
    """A scenario file after ``extends`` is resolved."""

    name: str = Field(description="scenario name (default: file stem)", min_length=1,
                      pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")  # no "." / ".."
    description: str = ""
    settings: Settings = Settings()
    macro: Macro = Macro()
    levers: Levers = Levers()
    corridors: Corridors = Corridors()
    flows: dict[str, FlowParams] = Field(default_factory=dict,
                                         description="per-flow parameter overrides")
    triggers: tuple[Trigger, ...] = Field((), max_length=MAX_TRIGGERS,
                                          description="conditional levers, evaluated year by year")
