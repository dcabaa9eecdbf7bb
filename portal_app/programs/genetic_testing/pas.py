"""How a Da Vinci PAS Claim maps to the genetic testing program (read through the program
registry by ``portal_app.services.pas.vocabulary``).

Lines: one Claim.item per CPT code of the chosen test (the molecular pathology and
multianalyte codes of genetic_tests.csv); the other answers come from the questionnaire
(linkId = the details field name: ``category``, ``test``, ``had_test_before``,
``personal_cancers``, ``relatives``, ``counselling``, ``management_change`` and the per-category
fields).
"""

from __future__ import annotations

# X12 1365 service types (Claim.item.category) that name this program without doubt; none does
# (laboratory service types cover every laboratory test), so the requested codes decide. An empty
# mapping is a choice, not an omission.
SERVICE_TYPES: dict[str, str] = {}
