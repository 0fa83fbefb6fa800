"""Corridor model: route network, SimPy discrete-event simulation, queueing surrogate, route choice.

See DESIGN 3.5. Public names are re-exported here.
"""

from .des import CorridorStats, Recorder, simulate
from .network import (
    MODES,
    ROUTE_NAMES,
    STAGE_KINDS,
    TONNES_PER_SHIPMENT,
    Route,
    Stage,
    default_routes,
    route_capacity_mt,
    stage_capacity_per_year,
    with_capacity,
)

__all__ = [
    "MODES", "ROUTE_NAMES", "STAGE_KINDS", "TONNES_PER_SHIPMENT", "CorridorStats", "Recorder",
    "Route", "Stage", "default_routes", "route_capacity_mt", "simulate", "stage_capacity_per_year",
    "with_capacity",
]
