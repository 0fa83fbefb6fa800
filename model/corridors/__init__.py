"""Corridor model: route network, SimPy discrete-event simulation, queueing surrogate, route choice.

See docs/design.md §3.5. Public names are re-exported here.
"""

from .choice import RHO_MAX, SPILL_ROUTE, Assignment, assign_routes
from .des import CorridorStats, Recorder, simulate
from .network import (
    MODES,
    ROUTE_NAMES,
    STAGE_KINDS,
    TONNES_PER_SHIPMENT,
    Route,
    Stage,
    arrival_windows,
    default_routes,
    route_capacity_mt,
    stage_capacity_per_year,
    with_capacity,
)
from .surrogate import (
    RouteTransit,
    calibrate,
    erlang_c,
    error_grid,
    load_for_utilisation,
    route_transit,
    route_transit_mt,
)

__all__ = [
    "MODES", "RHO_MAX", "ROUTE_NAMES", "SPILL_ROUTE", "STAGE_KINDS", "TONNES_PER_SHIPMENT",
    "Assignment", "CorridorStats", "Recorder", "Route", "RouteTransit", "Stage", "arrival_windows",
    "assign_routes", "calibrate", "default_routes", "erlang_c", "error_grid",
    "load_for_utilisation", "route_capacity_mt", "route_transit", "route_transit_mt", "simulate",
    "stage_capacity_per_year", "with_capacity",
]
