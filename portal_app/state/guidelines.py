"""The public "Coming soon" page: guideline versions not yet in force and what each changes.

No sign-in: the handler calls a public service (call_public) that returns only the criteria of
upcoming versions. Which versions are upcoming is decided when the page loads (the clock of the
server on that day), never when the page is compiled.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.services import guidelines as service
from portal_app.state.auth import call_public

_CHANGE_LABELS = {"added": "Added", "removed": "Removed", "changed": "Changed"}


# domain.guidelines.CriterionChange with its words ready for display.
@dataclass
class ChangeLine:
    change: str
    criterion_id: str
    text: str
    was: str


# service.UpcomingVersion with its date formatted and its changes as ChangeLine.
@dataclass
class UpcomingLine:
    title: str  # "Imaging, version 2"
    effective: str
    replaces: str
    changes: list[ChangeLine]


class ComingSoonState(rx.State):
    upcoming: list[UpcomingLine] = []
    loaded: bool = False

    @rx.event
    async def load_page(self):
        """Public: the upcoming versions as of today (server clock), with their changes."""
        found = await call_public(service.upcoming_versions)
        self.upcoming = [
            UpcomingLine(
                title=f"{item.program}, version {item.version}",
                effective=f"{item.effective_from:%B} {item.effective_from.day}, {item.effective_from.year}",
                replaces=f"version {item.replaces}",
                changes=[
                    ChangeLine(
                        _CHANGE_LABELS[change.change],
                        change.criterion_id,
                        change.text,
                        change.was or ("—" if change.change != "changed" else ", ".join(change.fields)),
                    )
                    for change in item.changes
                ],
            )
            for item in found
        ]
        self.loaded = True
