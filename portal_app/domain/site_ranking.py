"""How imaging sites are ordered wherever the portal lists them for an order or a look-up.

Registered sites with a current score come first, highest score first; distance from the member
breaks ties and orders the sites that have no score (unregistered ones), nearest first. A site
whose distance is unknown comes after those with a distance.
"""

from __future__ import annotations

from functools import lru_cache

from portal_app import reference
from portal_app.domain.enums import FacilityType

# Site-of-care alternatives, and the directory when a ZIP code is given, list the sites within this
# straight-line distance of the ZIP (the member's home for alternatives). Without a known ZIP
# every site is listed, without a distance.
NEARBY_MILES = 60.0


def ranking_key(score: int | None, miles: float | None, name: str = "") -> tuple:
    """Sort key: scored before unscored, higher score first, then nearer first, then by name."""
    return (score is None, -(score or 0), miles is None, miles or 0.0, name)


def distance_label(miles: float | None) -> str:
    if miles is None:
        return "Distance unknown"
    if miles < 0.5:
        return "Under 1 mile"
    return f"{miles:.0f} miles" if miles >= 10 else f"{miles:.1f} miles"


@lru_cache(maxsize=1)
def _alternate_types() -> dict[str, tuple[FacilityType, ...]]:
    found: dict[str, list[FacilityType]] = {}
    for row in reference.table("alternate_site_types.csv").to_dict("records"):
        found.setdefault(row["program"].strip(), []).append(FacilityType(row["facility_type"].strip()))
    return {program: tuple(types) for program, types in found.items()}


def alternate_site_types(program: str) -> tuple[FacilityType, ...]:
    """The kinds of site offered instead of a hospital for the program (reference/alternate_site_types.csv);
    () for a program that reviews no site of care."""
    return _alternate_types().get(str(program), ())
