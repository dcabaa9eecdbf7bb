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


@lru_cache(maxsize=4096)
def zip_centroid(postal_code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a 5-digit ZIP (ZIP+4 allowed), or None when unknown."""
    five = (postal_code or "").strip()[:5]
    if len(five) != 5 or not five.isdigit():
        return None
    try:
        found = zipcodes.matching(five)
    except (TypeError, ValueError):
        return None
    if not found or not found[0].get("lat") or not found[0].get("long"):
        return None
    return float(found[0]["lat"]), float(found[0]["long"])


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
