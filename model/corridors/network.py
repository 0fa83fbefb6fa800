"""Corridor network: stages, routes and the four shipped India-Russia routes.

A route is a chain of stages (ports, sea legs, rail, road, ferry, border crossings). Each stage is
a multi-server queue: ``servers`` parallel servers, each taking a random service time with mean
``service_mean_hours`` and coefficient of variation ``service_cv``; a seasonal stage only *starts*
service in its open calendar months.

Time and seasons
----------------
Time is in hours from 1 April of the first simulated fiscal year. A fiscal year is exactly 8760 h
and a model month exactly 730 h (8760 / 12), so fiscal month ``j`` (0 = April) spans
``[j*730, (j+1)*730)`` within each year. Calendar month ``m`` is fiscal month ``(m - 4) % 12``.

Shipments and tonnes
--------------------
A shipment is one batch of the route's *primary mode* (its first listed mode); see
:data:`TONNES_PER_SHIPMENT`. On a route carrying several modes, capacity is shared in tonnes:
other modes' tonnes are counted as equivalent batches of the primary mode.

Every number carries its source label from ``docs/facts.md``: F (found), F-sec (found in a
secondary report), D (derived, arithmetic shown), R (recalled or assumed, unverified).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HOURS_PER_YEAR = 8760  # model convention: 365 d x 24 h; year k spans [k*8760, (k+1)*8760)
HOURS_PER_MONTH = 730  # 8760 / 12, exact integer
FISCAL_START_MONTH = 4  # Indian fiscal year starts in April

STAGE_KINDS = frozenset({"port", "sea", "rail", "road", "ferry", "border"})
MODES = ("container", "bulk", "tanker", "lng")

#: tonnes per simulated shipment (one batch) by mode.
TONNES_PER_SHIPMENT = {
    # 100 TEU x 14 t: one block-train / ferry / feeder load. 14 t/TEU is R (the FFFAI INSTC
    # figure "saving $2,500 per 15 t" suggests ~15 t per box, F-sec); batch of 100 boxes is R,
    # chosen to keep event counts small.
    "container": 1_400.0,
    # Supramax-size dry-bulk parcel (R).
    "bulk": 50_000.0,
    # Aframax Urals cargo: $6-7.8mn per voyage / $8-11 per bbl ~ 0.7-0.75 mn bbl ~ 100 kt at
    # 7.33 bbl/t (D from facts 8, tanker freight).
    "tanker": 100_000.0,
    # 170k m3 carrier x ~0.45 t/m3 ~ 76 kt; rounded down to 70 kt (R).
    "lng": 70_000.0,
}

#: container freight per tonne: ~$3.85k per box (D, facts 8: +$1,000 = +26%) / 14 t per box (R).
CONTAINER_FREIGHT_USD_PER_T = 3_850.0 / 14.0
#: freight per tonne of each mode relative to container freight on the same route.
MODE_FREIGHT_RATIO = {
    "container": 1.0,
    "bulk": 0.11,  # ~$30/t Baltic/Black Sea - India dry bulk (R)
    "tanker": 0.25,  # $8-11/bbl x 7.33 bbl/t = $59-81/t (D) ~ $70/t / $275/t
    "lng": 0.35,  # R
}


def _fail(what: str, value: object, allowed: str) -> None:
    raise ValueError(f"{what} must be {allowed} (got {value!r})")


def check_mode(mode: str) -> str:
    """Return ``mode`` if it is one of :data:`MODES`, else raise ``ValueError``."""
    if mode not in MODES:
        _fail("mode", mode, f"one of {', '.join(MODES)}")
    return mode


@dataclass(frozen=True, slots=True)
class Stage:
    """One queueing stage of a route.

    Parameters
    ----------
    name : identifier, e.g. ``"bandar_abbas"``.
    kind : one of ``port, sea, rail, road, ferry, border``.
    servers : parallel servers (berths, trains, ships, truck fleets, lanes), >= 1.
    service_mean_hours : mean service time per shipment, hours, > 0.
    service_cv : coefficient of variation of service time: 1 exponential, 0 deterministic,
        otherwise lognormal with this CV.
    open_months : ``(start, end)`` calendar months (1-12, inclusive) in which service may start,
        or None for all year. ``end < start`` (a season wrapping over New Year) is rejected.
    """

    name: str
    kind: str
    servers: int
    service_mean_hours: float
    service_cv: float = 1.0
    open_months: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            _fail("stage name", self.name, "a non-empty string")
        who = f"stage {self.name!r}"
        if self.kind not in STAGE_KINDS:
            _fail(f"{who} kind", self.kind, f"one of {', '.join(sorted(STAGE_KINDS))}")
        if isinstance(self.servers, bool) or not isinstance(self.servers, int):
            _fail(f"{who} servers", self.servers, "an integer >= 1")
        if self.servers < 1:
            _fail(f"{who} servers", self.servers, ">= 1")
        if not math.isfinite(self.service_mean_hours) or self.service_mean_hours <= 0:
            _fail(f"{who} service_mean_hours", self.service_mean_hours, "finite and > 0")
        if not math.isfinite(self.service_cv) or self.service_cv < 0:
            _fail(f"{who} service_cv", self.service_cv, "finite and >= 0")
        if self.open_months is not None:
            _check_season(who, self.open_months)

    @property
    def open_fraction(self) -> float:
        """Fraction of the year in which service may start (1.0 without a season)."""
        if self.open_months is None:
            return 1.0
        start, end = self.open_months
        return (end - start + 1) / 12.0


def _check_season(who: str, months: tuple[int, int]) -> None:
    if len(months) != 2 or not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
        _fail(f"{who} open_months", months, "(start, end) calendar months in 1..12")
    if months[1] < months[0]:
        _fail(f"{who} open_months", months,
              "(start, end) with end >= start (a season may not wrap over New Year)")


def open_month_mask(open_months: tuple[int, int] | None) -> tuple[bool, ...]:
    """12 flags, one per fiscal month (0 = April): may service start in that month?"""
    if open_months is None:
        return (True,) * 12
    start, end = open_months
    return tuple(start <= (j + FISCAL_START_MONTH - 1) % 12 + 1 <= end for j in range(12))


def season_delay(mask: tuple[bool, ...], t: float) -> float:
    """Hours from time ``t`` until service may start under fiscal-month ``mask`` (0 if open)."""
    month = int(t // HOURS_PER_MONTH)
    if mask[month % 12]:
        return 0.0
    for k in range(1, 13):
        if mask[(month + k) % 12]:
            return (month + k) * HOURS_PER_MONTH - t
    raise ValueError("season mask has no open month")  # unreachable for a validated Stage


def _open_intervals(mask: tuple[bool, ...]) -> list[tuple[int, int, bool]]:
    """Runs of open fiscal months as ``(start_h, end_h, continues_into_next_year)``."""
    runs, j = [], 0
    while j < 12:
        if mask[j]:
            k = j
            while k < 12 and mask[k]:
                k += 1
            runs.append((j * HOURS_PER_MONTH, k * HOURS_PER_MONTH, k == 12 and mask[0]))
            j = k
        else:
            j += 1
    return runs


@dataclass(frozen=True, slots=True)
class Route:
    """A route: an ordered chain of stages with its modes, freight and reference transit time.

    Parameters
    ----------
    name : route identifier, e.g. ``"instc"``.
    stages : the stages in travel order (at least one; unique names).
    modes : modes the route carries, a subset of :data:`MODES`; the first is the primary mode
        that sets the shipment batch size.
    freight_usd_per_t : container-equivalent freight, US$ per tonne (> 0); other modes via
        :data:`MODE_FREIGHT_RATIO`.
    base_days : reference door-to-door transit time from the sources, days (> 0).
    """

    name: str
    stages: tuple[Stage, ...]
    modes: tuple[str, ...]
    freight_usd_per_t: float
    base_days: float

    def __post_init__(self) -> None:
        who = f"route {self.name!r}"
        if not self.stages or not all(isinstance(s, Stage) for s in self.stages):
            _fail(f"{who} stages", self.stages, "a non-empty tuple of Stage")
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            _fail(f"{who} stage names", names, "unique")
        if not self.modes or len(set(self.modes)) != len(self.modes):
            _fail(f"{who} modes", self.modes, "a non-empty tuple without repeats")
        for m in self.modes:
            if m not in MODES:
                _fail(f"{who} mode", m, f"one of {', '.join(MODES)}")
        if not math.isfinite(self.freight_usd_per_t) or self.freight_usd_per_t <= 0:
            _fail(f"{who} freight_usd_per_t", self.freight_usd_per_t, "finite and > 0")
        if not math.isfinite(self.base_days) or self.base_days <= 0:
            _fail(f"{who} base_days", self.base_days, "finite and > 0")

    @property
    def tonnes_per_shipment(self) -> float:
        """Tonnes in one shipment (batch) of the primary mode."""
        return TONNES_PER_SHIPMENT[self.modes[0]]

    def freight_for(self, mode: str) -> float:
        """Freight for ``mode`` on this route, US$ per tonne."""
        check_mode(mode)
        return self.freight_usd_per_t * MODE_FREIGHT_RATIO[mode]

    def service_hours(self) -> float:
        """Sum of mean service times (transit with no queueing), hours."""
        return sum(s.service_mean_hours for s in self.stages)


def stage_capacity_per_year(stage: Stage, tonnes_per_shipment: float) -> float:
    """Maximum throughput of a stage, tonnes per year (servers x open hours / mean service)."""
    if not tonnes_per_shipment > 0:
        _fail("tonnes_per_shipment", tonnes_per_shipment, "> 0")
    open_hours = HOURS_PER_YEAR * stage.open_fraction
    return stage.servers * open_hours / stage.service_mean_hours * tonnes_per_shipment


def route_capacity_mt(route: Route, mode: str | None = None) -> float:
    """Capacity of a route (its bottleneck stage), million tonnes per year.

    Capacity is shared in tonnes by all modes of the route. A known ``mode`` the route does not
    carry gets 0.0; an unknown mode raises ``ValueError``.
    """
    if mode is not None and check_mode(mode) not in route.modes:
        return 0.0
    tps = route.tonnes_per_shipment
    return min(stage_capacity_per_year(s, tps) for s in route.stages) / 1e6


def bottleneck(route: Route) -> int:
    """Index of the stage with the least capacity (the binding stage)."""
    caps = [stage_capacity_per_year(s, 1.0) for s in route.stages]
    return caps.index(min(caps))


# --- the shipped routes ---------------------------------------------------------------------------
# Stage service means (hours) are set so that their sum is close to the sourced door-to-door time;
# server counts set the India-Russia capacity of each stage. Both are R unless labelled.
# Shipment batches: suez tanker 100 kt, instc container 1.4 kt, chennai_vladivostok bulk 50 kt,
# nsr lng 70 kt (see TONNES_PER_SHIPMENT).

SEA = 0.15  # CV of sea-leg time: weather and speed variation (R)


def _suez() -> Route:
    # Mumbai-St Petersburg 35-40 days at sea, 45-60 door-to-door (F-sec, facts 8).
    stages = (
        Stage("west_india_port", "port", 40, 72.0, 0.5),  # Nhava Sheva / Mundra / Sikka (R)
        Stage("suez_sea", "sea", 10_000, 900.0, SEA),  # 37.5 d = midpoint of 35-40 (F-sec)
        Stage("russia_west_port", "port", 40, 108.0, 0.5),  # St Petersburg / Novorossiysk (R)
    )  # 72 + 900 + 108 h = 45 d, the low end of 45-60 d door-to-door (F-sec); ~324 Mt/yr (R)
    return Route("suez", stages, ("tanker", "bulk", "container", "lng"),
                 CONTAINER_FREIGHT_USD_PER_T, 45.0)  # ~$3.85k/box / 14 t (D)


def _instc(year: int, rasht_astara_open_year: int) -> Route:
    # 7,200 km Mumbai - Bandar Abbas - Iran - Azerbaijan - Astrakhan/Moscow; 25-30 days (F-sec).
    if year < rasht_astara_open_year:
        # trucked transload over the 162 km gap (F-sec length): 3 x 0.256 Mt = 0.77 Mt/yr binding
        # ("India-Russia INSTC tonnage probably well under 1 Mt/yr", R).
        gap = Stage("rasht_astara", "road", 3, 48.0, 1.0)
    else:
        # rail link (~2030, D): 6 x 1.02 Mt = 6.1 Mt/yr; Bandar Abbas (3.45 Mt) then binds (R).
        gap = Stage("rasht_astara", "rail", 6, 12.0, 0.3)
    stages = (
        Stage("nhava_sheva", "port", 12, 36.0, 0.5),  # 4.1 Mt/yr (R)
        Stage("arabian_sea", "sea", 500, 120.0, SEA),  # ~1,500 nm, 5 d (R)
        Stage("bandar_abbas", "port", 27, 96.0, 0.7),  # incl. customs dwell; 3.45 Mt/yr (R)
        Stage("iran_rail", "rail", 50, 120.0, 0.5),  # Bandar Abbas - Qazvin - Rasht; 5.1 Mt (R)
        gap,
        Stage("azerbaijan_rail", "rail", 30, 48.0, 0.5),  # Astara - Yalama; 7.7 Mt/yr (R)
        Stage("samur_border", "border", 6, 12.0, 1.0),  # Azerbaijan-Russia border; 6.1 Mt (R)
        Stage("russia_rail", "rail", 60, 96.0, 0.5),  # Derbent/Astrakhan - Moscow; 7.7 Mt (R)
    )  # service sum 576 h = 24 d before, 540 h = 22.5 d after the link; queues add the rest
    # freight 30% below Suez (FFFAI 2017, F-sec); base 27.5 d = midpoint of 25-30 d (F-sec)
    return Route("instc", stages, ("container", "bulk"), 0.70 * CONTAINER_FREIGHT_USD_PER_T, 27.5)


def _chennai_vladivostok() -> Route:
    # Eastern Maritime Corridor, 5,600-5,647 nm, ~24 days (F-sec); coal, oil (Kozmino), fertiliser.
    stages = (
        Stage("vladivostok_kozmino", "port", 2, 60.0, 0.5),  # 2 x 7.3 = 14.6 Mt/yr binding (R)
        Stage("pacific_sea", "sea", 2_000, 432.0, SEA),  # 18 d at sea (R; 10-12 d at 20-25 kn)
        Stage("chennai", "port", 3, 84.0, 0.5),  # 15.6 Mt/yr (R)
    )  # 60 + 432 + 84 h = 24 d (F-sec)
    # freight: Suez container freight scaled by distance 5,647 / 8,675 nm (R)
    freight = CONTAINER_FREIGHT_USD_PER_T * 5_647.0 / 8_675.0
    return Route("chennai_vladivostok", stages, ("bulk", "tanker", "container", "lng"),
                 freight, 24.0)


def _nsr() -> Route:
    # Northern Sea Route, open about July-November (docs/design.md §3.5; 2024: late Jul - mid Oct, F-sec).
    stages = (
        Stage("sabetta_murmansk", "port", 4, 48.0, 0.5),  # Arctic LNG / oil loading (R)
        # escorted convoys: 4 x 3,650 h / 288 h x 70 kt = 3.55 Mt per season; all NSR transit
        # cargo 2024 was 3.08 Mt in 92 voyages (F-sec); the India share is unknown (R).
        Stage("nsr_leg", "sea", 4, 288.0, 0.3, open_months=(7, 11)),
        Stage("pacific_indian_sea", "sea", 2_000, 552.0, SEA),  # Bering - India, 23 d (R)
        Stage("east_india_port", "port", 4, 72.0, 0.5),  # R
    )  # 960 h = 40 d (R)
    # ice-class and escort fees: 1.2 x Suez freight (R)
    return Route("nsr", stages, ("lng", "tanker", "bulk"), 1.2 * CONTAINER_FREIGHT_USD_PER_T, 40.0)


ROUTE_NAMES = ("suez", "instc", "chennai_vladivostok", "nsr")


def default_routes(
    year: int,
    rasht_astara_open_year: int = 2030,
    capacity_mt: dict[str, float] | None = None,
) -> dict[str, Route]:
    """The four shipped routes as they stand in fiscal year ``year``.

    Parameters
    ----------
    year : fiscal year (start year, e.g. 2026 for FY2026-27).
    rasht_astara_open_year : first fiscal year with the Rasht-Astara rail link (~2030, D).
    capacity_mt : optional route name -> India-Russia capacity, Mt/yr. The route's binding stage
        gets ``ceil(target / per-server capacity)`` servers, and any other stage below the target
        is raised the same way, so the route's capacity is the target rounded up to one server of
        the binding stage (0.26 Mt for the trucked Rasht-Astara gap, 1.0 Mt for its rail link).

    Returns
    -------
    dict of route name -> :class:`Route`, in the order of :data:`ROUTE_NAMES`.
    """
    routes = {
        "suez": _suez(),
        "instc": _instc(year, rasht_astara_open_year),
        "chennai_vladivostok": _chennai_vladivostok(),
        "nsr": _nsr(),
    }
    for name, target in (capacity_mt or {}).items():
        if name not in routes:
            _fail("capacity_mt route", name, f"one of {', '.join(ROUTE_NAMES)}")
        routes[name] = with_capacity(routes[name], target)
    return routes


def with_capacity(route: Route, capacity_mt: float) -> Route:
    """Copy of ``route`` whose bottleneck capacity is ``capacity_mt`` Mt/yr (rounded up)."""
    if isinstance(capacity_mt, bool) or not math.isfinite(capacity_mt) or capacity_mt <= 0:
        _fail(f"route {route.name!r} capacity_mt", capacity_mt, "finite and > 0")
    b = bottleneck(route)
    stages = []
    for i, s in enumerate(route.stages):
        per_server = stage_capacity_per_year(s, route.tonnes_per_shipment) / s.servers / 1e6
        need = max(1, math.ceil(capacity_mt / per_server - 1e-9))
        servers = need if i == b else max(s.servers, need)
        stages.append(Stage(s.name, s.kind, servers, s.service_mean_hours, s.service_cv,
                            s.open_months))
    return Route(route.name, tuple(stages), route.modes, route.freight_usd_per_t, route.base_days)


def season_stage(route: Route) -> int | None:
    """Index of the route's first seasonal stage, or None."""
    for k, s in enumerate(route.stages):
        if s.open_months is not None:
            return k
    return None


def arrival_windows(route: Route) -> list[tuple[int, int]]:
    """Within-year windows ``[a, b)`` (hours) in which shipments enter the route.

    A route without a season accepts shipments all year. On a seasonal route shippers send cargo
    so that it reaches the first seasonal stage in its open months: the open months are shifted
    earlier by the mean service time of the stages before it (the *lead*), and each season's end
    is pulled in by a further two leads so that few shipments arrive after closing. A window may
    start before 0 (the previous year) when the season includes April.
    """
    k = season_stage(route)
    if k is None:
        return [(0, HOURS_PER_YEAR)]
    lead = int(round(sum(s.service_mean_hours for s in route.stages[:k])))
    runs = _open_intervals(open_month_mask(route.stages[k].open_months))
    return [(a - lead, b - lead - (0 if cont else 2 * lead)) for a, b, cont in runs]


def window_hours(route: Route) -> float:
    """Hours per year in which the route accepts shipments (see :func:`arrival_windows`)."""
    return float(sum(b - a for a, b in arrival_windows(route)))
