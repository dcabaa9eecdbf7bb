"""The FHIR resources a hook call needs: from its ``prefetch`` (keys as the discovery document
registers them), from the hook's context (draft orders, appointments), contained in an order, or,
only when missing, read from the EHR's FHIR server with the call's ``fhirAuthorization`` token.
Without prefetch and without access, the call cannot be answered (CDS Hooks: 412).

The EHR is read only at a ``fhirServer`` registered for the calling client (``fhir_servers``): any
other address is never fetched, so a caller cannot make Precert send requests (and the token) to
an address of its choosing. Only ``Type/id`` reads and the Coverage search are made there."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from portal_app.services.crd import ehr_http
from portal_app.services.crd.clients import fhir_base

ORDER_TYPES = ("ServiceRequest", "DeviceRequest", "MedicationRequest", "NutritionOrder")
_READ = re.compile(r"[A-Z][A-Za-z]{1,63}/[A-Za-z0-9\-.]{1,64}")  # FHIR type and id


class MissingData(Exception):
    """A resource the answer needs is neither prefetched nor readable from the EHR (412)."""


def bundle_resources(value: Any) -> list[dict[str, Any]]:
    """The resources of a Bundle (or a resource itself as a list of one)."""
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") == "Bundle":
        return [
            e["resource"]
            for e in value.get("entry") or []
            if isinstance(e, dict) and isinstance(e.get("resource"), dict)
        ]
    return [value] if value.get("resourceType") else []


@dataclass
class EhrData:
    """One call's resources, read lazily: prefetch first, then the EHR's FHIR server."""

    hook: dict[str, Any]
    fhir_servers: frozenset[str] = frozenset()  # the caller's registered base URLs (fhir_base form)
    fetched: int = 0
    _known: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        context = self.hook.get("context") or {}
        for value in [*(self.hook.get("prefetch") or {}).values(), *context.values()]:
            for resource in bundle_resources(value):
                self._learn(resource)

    def _learn(self, resource: dict[str, Any]) -> None:
        if resource.get("resourceType") and resource.get("id"):
            self._known.setdefault(f"{resource['resourceType']}/{resource['id']}", resource)

    @property
    def context(self) -> dict[str, Any]:
        return self.hook.get("context") or {}

    def prefetched(self, key: str) -> Any:
        return (self.hook.get("prefetch") or {}).get(key)

    def _server(self, path: str) -> str:
        """The call's fhirServer when it is registered for the caller; MissingData otherwise."""
        given = self.hook.get("fhirServer")
        token = (self.hook.get("fhirAuthorization") or {}).get("access_token")
        if not isinstance(given, str) or not given or not token:
            raise MissingData(f"{path.split('?')[0]} was not prefetched and no FHIR access was given.")
        server = fhir_base(given)
        if not server or server not in self.fhir_servers:
            raise MissingData(
                f"{path.split('?')[0]} was not prefetched, and the call's fhirServer is not a FHIR server "
                "registered for this client: Precert reads only from registered servers."
            )
        return server

    def _fetch(self, path: str) -> dict[str, Any] | None:
        server = self._server(path)
        token = (self.hook.get("fhirAuthorization") or {}).get("access_token")
        try:
            answer = ehr_http.client().get(
                f"{server}/{path}",
                headers={"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"},
            )
        except httpx.HTTPError:
            raise MissingData(
                f"The EHR's FHIR server could not be reached for {path.split('?')[0]}."
            ) from None
        self.fetched += 1
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise MissingData(
                f"The EHR's FHIR server answered {answer.status_code} for {path.split('?')[0]}."
            )
        try:
            body = answer.json()
        except ValueError:
            raise MissingData("The EHR's FHIR server did not answer JSON.") from None
        return body if isinstance(body, dict) else None

    def resolve(self, reference: Any, owner: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The resource a Reference (or "Type/id" string) names: contained, known, or read."""
        ref = reference.get("reference") if isinstance(reference, dict) else reference
        if not isinstance(ref, str) or not ref:
            return None
        if ref.startswith("#") and owner is not None:
            return next((c for c in owner.get("contained") or [] if c.get("id") == ref[1:]), None)
        key = "/".join(ref.rstrip("/").split("/")[-2:])
        if key in self._known:
            return self._known[key]
        if not _READ.fullmatch(key):
            return None
        found = self._fetch(key)
        if found is not None:
            self._learn(found)
        return found

    def patient(self) -> dict[str, Any]:
        found = self.prefetched("patient") or self.resolve(f"Patient/{self.context.get('patientId', '')}")
        if not isinstance(found, dict):
            raise MissingData("The patient could not be read.")
        return found

    def coverage(self) -> dict[str, Any] | None:
        """The patient's first active Coverage (prefetch key "coverage", else a search)."""
        value = self.prefetched("coverage")
        if value is None:
            patient = quote(str(self.context.get("patientId", "")), safe="")
            value = self._fetch(f"Coverage?patient={patient}&status=active")
        coverages = [r for r in bundle_resources(value) if r.get("resourceType") == "Coverage"]
        for coverage in coverages:
            self._learn(coverage)
        return coverages[0] if coverages else None

    def user(self) -> dict[str, Any] | None:
        value = self.prefetched("user")
        if isinstance(value, dict) and value.get("resourceType"):
            return value
        user_id = self.context.get("userId")
        return (
            self.resolve(user_id) if isinstance(user_id, str) and user_id.startswith("Practitioner") else None
        )

    def orders(self, hook: str) -> list[dict[str, Any]]:
        """The request resources the hook is about (order-select: the selected ones only)."""
        context = self.context
        if hook in ("order-select", "order-sign"):
            drafts = [
                r
                for r in bundle_resources(context.get("draftOrders"))
                if r.get("resourceType") in ORDER_TYPES
            ]
            selections = context.get("selections")
            if hook == "order-select" and isinstance(selections, list) and selections:
                chosen = {str(s).split("/")[-1] for s in selections}
                drafts = [r for r in drafts if str(r.get("id")) in chosen]
            return drafts
        if hook == "order-dispatch":
            refs = context.get("dispatchedOrders") or ([context["order"]] if context.get("order") else [])
            found = [self.resolve(ref) for ref in refs if isinstance(ref, str)]
            return [r for r in found if r and r.get("resourceType") in ORDER_TYPES]
        return []

    def appointments(self) -> list[dict[str, Any]]:
        return [
            r
            for r in bundle_resources(self.context.get("appointments"))
            if r.get("resourceType") == "Appointment"
        ]

    def encounter(self) -> dict[str, Any] | None:
        value = self.prefetched("encounter")
        if isinstance(value, dict) and value.get("resourceType") == "Encounter":
            return value
        encounter_id = self.context.get("encounterId")
        return self.resolve(f"Encounter/{encounter_id}") if encounter_id else None
