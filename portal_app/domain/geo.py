"""Straight-line distance between two US ZIP codes, from the ZIP centroids of the `zipcodes` package.

The package (MIT licence) ships the USPS ZIP list with a latitude and longitude per ZIP; a ZIP it
does not know (or a postal code outside the US) has no distance, and callers list such sites last.
"""

from __future__ import annotations

import math
from functools import lru_cache

import zipcodes

# Mean Earth radius, 6,371.0088 km (IUGG), in statute miles.
EARTH_RADIUS_MILES = 3958.7613


@lru_cache(maxsize=1)
def _centroids() -> dict[str, tuple[float, float]]:
    """Every ZIP's (latitude, longitude), read once (about a second; the start-up warm-up does it)."""
    return {
        z["zip_code"]: (float(z["lat"]), float(z["long"]))
        for z in zipcodes.list_all()
        if z.get("lat") and z.get("long")
    }


def zip_centroid(postal_code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a 5-digit ZIP (ZIP+4 allowed), or None when unknown."""
    five = (postal_code or "").strip()[:5]
    if len(five) != 5 or not five.isdigit():
        return None
    return _centroids().get(five)


@lru_cache(maxsize=512)
def zips_within(postal_code: str, miles: float) -> tuple[str, ...]:
    """The ZIP codes whose centroid lies within ``miles`` of ``postal_code``'s (empty when unknown)."""
    centre = zip_centroid(postal_code)
    if centre is None:
        return ()
    # A degree of latitude is about 69 miles: a cheap band first, the exact distance after.
    band = miles / 69.0 + 0.1
    return tuple(
        sorted(
            code
            for code, point in _centroids().items()
            if abs(point[0] - centre[0]) <= band and haversine_miles(centre, point) <= miles
        )
    )


def haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in miles between two (latitude, longitude) points (haversine formula)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def miles_between(zip_a: str, zip_b: str) -> float | None:
    """Miles between the centroids of two ZIP codes, or None when either is unknown."""
    a, b = zip_centroid(zip_a), zip_centroid(zip_b)
    if a is None or b is None:
        return None
    return haversine_miles(a, b)
