"""How a Da Vinci PAS Claim maps to the rehabilitation program (read through the program
registry by ``portal_app.services.pas.vocabulary``).

Lines: one Claim.item per CPT code with `quantity` = visits requested (unit "visits"), category
PT/AD/AF; discipline, request type, body region and outcome scores come from the questionnaire. A
partial approval (fewer visits) answers A6.
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program without doubt; for the
# others the requested codes decide. An empty mapping is a choice, not an omission.
SERVICE_TYPES: dict[str, str] = {
    "PT": "physical therapy",
    "AD": "occupational therapy",
    "AE": "physical medicine",
    "AF": "speech therapy",
}
