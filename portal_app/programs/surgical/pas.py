"""How a Da Vinci PAS Claim maps to the surgical and endoscopic procedures program (read through the
program registry by ``portal_app.services.pas.vocabulary``).

Lines: one Claim.item per CPT or HCPCS code of the procedure (surgical_codes.csv); the other answers
come from the questionnaire (linkId = the details field name: ``procedure``, ``site_of_care``,
``hospital_reason`` and the answers of the procedure's questions, e.g. ``egd_alarm_features``,
``ppi_trial_weeks``, ``last_colonoscopy_date``, ``height_cm``, ``weight_kg``).
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program: "2" (Surgical) is the one the
# PAS implementation guide's surgical request example uses. An item naming it whose code the program
# does not manage for the plan falls back to the program that does (services/pas/service.py).
SERVICE_TYPES: dict[str, str] = {"2": "surgical"}
