"""How a Da Vinci PAS Claim maps to the outpatient program (read through the program
registry by ``portal_app.services.pas.vocabulary``).

Lines: one Claim.item per HCPCS code (trips, services); the service kind, transport and answers come
from the questionnaire (linkId = the details field name).
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program without doubt; for the
# others the requested codes decide. An empty mapping is a choice, not an omission.
SERVICE_TYPES: dict[str, str] = {
    "56": "medically related transportation",
}
