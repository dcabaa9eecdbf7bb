"""The help desk page: the support contact and the criteria in force, read when the page loads.

The page is public (no sign-in needed): the guides come from the programs' reference data, with no
member information, and people who cannot sign in need the support contact most. The guides are
built into the page when it is compiled (``portal_app/pages/help.py``); the contact and the criteria
in force with their sources are read at run time, because settings read while compiling would be
baked into the JavaScript bundle and which guideline version is in force depends on the day.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.services import guidelines
from portal_app.settings import get_settings
from portal_app.state.auth import call_public


# guidelines.PublishedCriterion, as a state dataclass for rx.foreach (same fields).
@dataclass
class CriterionSource:
    program: str
    version: int
    criterion_id: str
    text: str
    source: str
    source_url: str


class HelpState(rx.State):
    support_contact: str = ""
    criteria: list[CriterionSource] = []

    @rx.event
    async def load_page(self):
        """Public: the configured support contact and the criteria in force, nothing about the caller."""
        self.support_contact = get_settings().support_contact
        found = await call_public(guidelines.criteria_in_force)
        self.criteria = [CriterionSource(**vars(item)) for item in found]
