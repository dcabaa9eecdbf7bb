"""Support's view of facility registrations: a paged list, one registration's answers and scores,
and asking the facility for corrections."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal_app.domain.enums import FacilityRegistrationStatus, Role
from portal_app.domain.facility_scores import SCORED_MODALITIES
from portal_app.services import facility_registration as fr
from portal_app.state.auth import authorized, call_service
from portal_app.state.facility import ScoreCard, score_cards
from portal_app.state.navigation import page_params
from portal_app.state.validation import as_int

STATUS_CHOICES: list[tuple[str, str]] = [("", "Any status")] + [
    (status.value, status.label) for status in FacilityRegistrationStatus
]


# The service's registration summary with progress as "n of m" and "Not yet", formatted for display.
@dataclass
class SupportRow:
    registration_id: int
    facility_name: str
    npi: str
    status_label: str
    progress: str
    author: str
    author_email: str
    updated_on: str
    submitted_on: str


# Built here from the registration's answers and the form's specs; no service dataclass has this shape.
@dataclass
class AnswerRow:
    section: str
    question: str
    answer: str


def _shown(spec: fr.FormField, value: str) -> str:
    return dict(spec.choices).get(value, value) if value else "(no answer)"


def answer_rows(view: fr.RegistrationView) -> list[AnswerRow]:
    """Every question of the registration with its answer, in the order of the form."""
    rows: list[AnswerRow] = []
    sections = view.sections
    facility = sections.get("facility", {})
    rows += [
        AnswerRow(fr.SECTION_LABELS["facility"], spec.label, _shown(spec, str(facility.get(spec.key, ""))))
        for spec in fr.FACILITY_FIELDS
    ]
    rows.append(
        AnswerRow(
            fr.SECTION_LABELS["modalities"],
            "Modalities offered",
            ", ".join(SCORED_MODALITIES[m] for m in view.offered) or "(none)",
        )
    )
    for section in fr.PER_MODALITY_SECTIONS:
        answers = sections.get(section, {})
        for modality in view.offered:
            given = answers.get(modality, {}) if isinstance(answers.get(modality), dict) else {}
            rows += [
                AnswerRow(
                    fr.SECTION_LABELS[section],
                    f"{SCORED_MODALITIES[modality]}: {spec.label}",
                    _shown(spec, str(given.get(spec.key, ""))),
                )
                for spec in fr.modality_fields(section, modality)
            ]
        if section == "quality":
            rows += [
                AnswerRow(
                    fr.SECTION_LABELS[section], spec.label, _shown(spec, str(answers.get(spec.key, "")))
                )
                for spec in fr.QUALITY_SHARED_FIELDS
                if spec.key != "dose_registry" or "ct" in view.offered
            ]
    return rows


class AdminFacilitiesState(rx.State):
    rows: list[SupportRow] = []
    status: str = ""
    page: int = 0
    total: int = 0
    selected_id: int = 0
    selected_name: str = ""
    selected_status: str = ""
    selected_status_label: str = ""
    selected_note: str = ""
    answers: list[AnswerRow] = []
    cards: list[ScoreCard] = []
    note: str = ""
    note_error: str = ""
    message: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // fr.PAGE_SIZE))

    @rx.var
    def can_request_corrections(self) -> bool:
        return self.selected_status == FacilityRegistrationStatus.SUBMITTED.value

    async def _reload(self) -> None:
        found, self.total = await call_service(fr.list_registrations, status=self.status, page=self.page)
        self.rows = [
            SupportRow(
                registration_id=r.registration_id,
                facility_name=r.facility_name,
                npi=r.npi,
                status_label=r.status_label,
                progress=f"{r.sections_complete} of {r.sections_total}",
                author=r.author,
                author_email=r.author_email,
                updated_on=r.updated_on,
                submitted_on=r.submitted_on or "Not yet",
            )
            for r in found
        ]

    async def _show(self, registration_id: int) -> None:
        try:
            view = await call_service(fr.registration_view, registration_id=registration_id)
            card = await call_service(fr.facility_scorecard, registration_id=registration_id)
        except fr.RegistrationNotFound:
            self.selected_id, self.message = 0, "That registration no longer exists."
            return
        self.selected_id, self.selected_name = view.registration_id, view.facility_name
        self.selected_status, self.selected_status_label = view.status, view.status_label
        self.selected_note = view.corrections_note
        self.answers = answer_rows(view)
        self.cards = score_cards(card.scores) if not card.preview else []
        self.note, self.note_error = "", ""

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        self.page, self.selected_id, self.message, self.note_error = 0, 0, "", ""
        await self._reload()
        wanted = as_int(page_params(self).get("registration", ""))
        if wanted:
            await self._show(wanted)

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def filter_status(self, status: str):
        self.status = status if status in {value for value, _ in STATUS_CHOICES} else ""
        self.page = 0
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def turn_page(self, step: int):
        self.page = min(max(0, self.page + as_int(step)), self.page_count - 1)
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def show_registration(self, registration_id: int):
        self.message = ""
        await self._show(as_int(registration_id))

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def close_registration(self):
        self.selected_id, self.note_error = 0, ""

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def update_note(self, value: str):
        if isinstance(value, str):
            self.note = value[: fr.NOTE_MAX + 1]

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def ask_for_corrections(self):
        if not self.selected_id:
            return None
        errors = await call_service(fr.request_corrections, registration_id=self.selected_id, note=self.note)
        if errors:
            self.note_error = errors.get("note", " ".join(errors.values()))
            return rx.call_script("document.getElementById('field-corrections-note')?.focus()")
        registration_id = self.selected_id
        await self._show(registration_id)
        await self._reload()
        self.message = f"Corrections requested for registration {registration_id}; the facility was e-mailed."
        return None
