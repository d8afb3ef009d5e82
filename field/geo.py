"""Where engineers and sites are, and how long it takes to get from one to the other.

Travel time sits behind one small function type (:data:`TravelTime`) so a road-network service
can replace the straight line later without touching the scorer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
DEFAULT_SPEED_KMH = 50.0


@dataclass(frozen=True, slots=True)
class GeoPoint:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.latitude <= 90.0 and -180.0 <= self.longitude <= 180.0):
            raise ValueError(
                f"latitude must be within -90..90 and longitude within -180..180, "
                f"got {self.latitude}, {self.longitude}"
            )


def great_circle_km(a: GeoPoint, b: GeoPoint) -> float:
    """Haversine distance on a sphere; enough to rank engineers a few hundred km apart.

    >>> round(great_circle_km(GeoPoint(48.8566, 2.3522), GeoPoint(51.5074, -0.1278)))
    344
    """
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi = phi2 - phi1
    dlmb = math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# From, to -> travel time. Replaceable (a routing service, a matrix from a file).
TravelTime = Callable[[GeoPoint, GeoPoint], timedelta]


def straight_line(speed_kmh: float = DEFAULT_SPEED_KMH) -> TravelTime:
    """Great-circle distance at a set average speed.

    >>> straight_line(60.0)(GeoPoint(0, 0), GeoPoint(0, 1)) // timedelta(minutes=1)
    111
    """
    if speed_kmh <= 0:
        raise ValueError("travel speed must be positive (km/h)")

    def travel(a: GeoPoint, b: GeoPoint) -> timedelta:
        return timedelta(hours=great_circle_km(a, b) / speed_kmh)

    return travel
