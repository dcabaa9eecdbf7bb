"""How a Da Vinci PAS Claim maps to the imaging program (read through the program
registry by ``portal_app.services.pas.vocabulary``).

Lines: one Claim.item per CPT code; the DTR answers (linkId = field name: modality, body_part,
clinical_indication, weeks_of_symptoms...) fill ImagingDetails, the `cardiac` group the cardiac pre-
exam.
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program without doubt; for the
# others the requested codes decide. An empty mapping is a choice, not an omission.
SERVICE_TYPES: dict[str, str] = {
    "4": "diagnostic X-ray",
    "62": "MRI/CAT scan",
}
