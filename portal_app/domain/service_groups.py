"""Groups of services whose program a plan may choose, e.g. echocardiography (imaging or cardiology,
shared/seeds/001). Pure: reads the packaged ``reference/service_groups.csv`` (one code per row, with
its source). Which program a plan's group lands in, and from when, is plan data
(``program_routings``, ``services/program_routing.program_for``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from portal_app import reference


@lru_cache(maxsize=1)
def _groups() -> Mapping[str, str]:
    rows = reference.table("service_groups.csv").to_dict("records")
    return MappingProxyType({row["code"].strip().upper(): row["service_group"].strip() for row in rows})


def service_group_of(code: str) -> str | None:
    """The group a service code belongs to, or None when no plan may route it elsewhere."""
    return _groups().get((code or "").strip().upper())


def service_groups() -> frozenset[str]:
    """Every group a routing row may name."""
    return frozenset(_groups().values())
