"""How a Da Vinci PAS Claim maps to the cardiology program (read through the program registry by
``portal_app.services.pas.vocabulary``).

Lines: one Claim.item per CPT code; the DTR answers (linkId = field name: procedure, indication,
lvef_pct, cardiomyopathy, months_cardiomyopathy, nyha_class, days_since_mi, qrs_ms, stress_result,
pretest, months_since_prior_echo, findings, clinical_notes) fill CardiologyDetails. An echo code goes
to cardiology or imaging by the plan's routing on the date of service
(``services/program_routing.program_for``), not by the Claim.
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program without doubt. None does: the
# cardiology codes overlap imaging's echo codes, so the codes and the plan's routing decide.
SERVICE_TYPES: dict[str, str] = {}
