"""How a Da Vinci PAS Claim maps to the medical oncology program (read through the program
registry by ``portal_app.services.pas.vocabulary``).

Lines: each drug is a Claim.item with its HCPCS J-code (or NDC) and `requestedService` pointing at a
MedicationRequest; regimen, cancer type, setting, line, height, weight and cycles come from the
questionnaire (`drugs` as a repeated group).
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program without doubt; for the
# others the requested codes decide. An empty mapping is a choice, not an omission.
SERVICE_TYPES: dict[str, str] = {
    "78": "chemotherapy",
}
