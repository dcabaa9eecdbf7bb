"""How a Da Vinci PAS Claim maps to the musculoskeletal program (read through the program
registry by ``portal_app.services.pas.vocabulary``).

Lines: one Claim.item per CPT code; no X12 service type names the program alone, so the codes decide
(the one program managing every code for the plan and year).
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program without doubt; for the
# others the requested codes decide. An empty mapping is a choice, not an omission.
SERVICE_TYPES: dict[str, str] = {}
