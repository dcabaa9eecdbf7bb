"""The help desk page: the support contact, read from the settings when the page loads.

The page is public (no sign-in needed): the guides come from the programs' reference data, with no
member information, and people who cannot sign in need the support contact most. The guides are
built into the page when it is compiled (``portal_app/pages/help.py``); only the contact is read at
run time, because settings read while compiling would be baked into the JavaScript bundle.
"""

from __future__ import annotations

import reflex as rx

from portal_app.settings import get_settings


class HelpState(rx.State):
    support_contact: str = ""

    @rx.event
    async def load_page(self):
        """Public: the configured support contact, and nothing about the caller."""
        self.support_contact = get_settings().support_contact
