"""How a Da Vinci PAS Claim maps to the radiation oncology program (read through the program
registry by ``portal_app.services.pas.vocabulary``).

Lines: one Claim.item per CPT/HCPCS code of the chosen modality; the other answers come from the
questionnaire (linkId = the details field name).
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program without doubt; for the
# others the requested codes decide. An empty mapping is a choice, not an omission.
SERVICE_TYPES: dict[str, str] = {
    "6": "radiation therapy",
}
