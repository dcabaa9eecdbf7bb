"""Facility registration pages: the list of a practice's registrations, the form one section at a
time, and the scorecard. The services check every access; this state only holds the form."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from portal_app import routes
from portal_app.domain.enums import Role
from portal_app.domain.facility_scores import SCORED_MODALITIES, ModalityScore
from portal_app.services import facility_registration as fr
from portal_app.services.authz import PermissionDenied
from portal_app.state.auth import authorized, call_service
from portal_app.state.focus import focus_first_error
from portal_app.state.navigation import page_params
from portal_app.state.validation import as_int

SECTION_CHOICES: list[tuple[str, str]] = [(section, fr.SECTION_LABELS[section]) for section in fr.SECTIONS]


def section_keys(section: str) -> list[str]:
    """The flat answer keys of a section's form, every modality included (``"ct.units"``)."""
    if section == "facility":
        return [spec.key for spec in fr.FACILITY_FIELDS]
    if section == "modalities":
        return [f"offered.{modality}" for modality in SCORED_MODALITIES]
    keys = [
        f"{modality}.{spec.key}"
        for modality in SCORED_MODALITIES
        for spec in fr.modality_fields(section, modality)
    ]
    if section == "quality":
        keys += [spec.key for spec in fr.QUALITY_SHARED_FIELDS]
    return keys


ALL_KEYS: tuple[str, ...] = tuple(key for section in fr.SECTIONS for key in section_keys(section))
ERROR_KEYS: tuple[str, ...] = (*ALL_KEYS, "offered", "sections")


def _blank_answers() -> dict[str, str]:
    return dict.fromkeys(ALL_KEYS, "")


def _no_errors() -> dict[str, str]:
    return dict.fromkeys(ERROR_KEYS, "")


def flat_answers(sections: dict) -> dict[str, str]:
    """A registration's stored answers as the form's flat keys."""
    flat = _blank_answers()
    offered = (sections.get("modalities") or {}).get("offered") or []
    for modality in SCORED_MODALITIES:
        flat[f"offered.{modality}"] = "yes" if modality in offered else ""
    for section, answers in sections.items():
        if section == "modalities" or not isinstance(answers, dict):
            continue
        for key, value in answers.items():
            if isinstance(value, dict):
                for inner, text in value.items():
                    if f"{key}.{inner}" in flat:
                        flat[f"{key}.{inner}"] = str(text)
            elif key in flat:
                flat[key] = str(value)
    return flat


# The service's registration summary with progress as "n of m sections", formatted for display.
@dataclass
class RegistrationRow:
    registration_id: int
    facility_name: str
    npi: str
    status_label: str
    progress: str
    updated_on: str
    submitted_on: str
    corrections_note: str


# A form section with its label and whether it is complete, for the section list (UI only).
@dataclass
class SectionLink:
    section: str
    label: str
    complete: bool


# A score factor with points and result formatted as strings for display.
@dataclass
class FactorRow:
    label: str
    points: str
    result: str
    explanation: str
    standard: str


# A modality's score with its factor rows and hints, assembled for display.
@dataclass
class ScoreCard:
    modality: str
    heading: str
    score: int
    factors: list[FactorRow] = field(default_factory=list)
    raises: list[str] = field(default_factory=list)
    changes: str = ""


def _points(value: float) -> str:
    return f"{value:g}"


def score_cards(scores: tuple[ModalityScore, ...] | list[ModalityScore]) -> list[ScoreCard]:
    """Score views for the page: heading, factor rows, and what would raise the score."""
    cards = []
    for score in scores:
        label = SCORED_MODALITIES.get(score.modality, score.modality)
        rows = [
            FactorRow(
                label=f.label,
                points=f"{_points(f.points_earned)} of {_points(f.points_possible)}",
                result="Met" if f.met else ("Partly met" if f.points_earned else "Not met"),
                explanation=f.explanation,
                standard=f.standard,
            )
            for f in score.factors
        ]
        raises = [
            f"{f.label}: {f.how_to_raise} (up to {_points(f.points_possible - f.points_earned)} more points)"
            for f in sorted(score.factors, key=lambda f: f.points_earned - f.points_possible)
            if not f.met
        ]
        changes = (
            f"This score changes by itself on {score.rescore_on.isoformat()}." if score.rescore_on else ""
        )
        cards.append(
            ScoreCard(
                modality=score.modality,
                heading=f"{label}: {score.score} of 100",
                score=score.score,
                factors=rows,
                raises=raises,
                changes=changes,
            )
        )
    return cards


class FacilityRegistrationState(rx.State):
    rows: list[RegistrationRow] = []
    registration_id: int = 0
    section: str = "facility"
    sections: list[SectionLink] = []
    status_label: str = ""
    corrections_note: str = ""
    changed_since_submitted: bool = False
    offered: list[str] = []  # as saved: the per-modality sections ask about these
    answers: dict[str, str] = _blank_answers()
    errors: dict[str, str] = _no_errors()
    form_error: str = ""
    message: str = ""

    @rx.var
    def section_label(self) -> str:
        return fr.SECTION_LABELS.get(self.section, "")

    @rx.var
    def is_last_section(self) -> bool:
        return self.section == fr.SECTIONS[-1]

    async def _reload_list(self) -> None:
        found = await call_service(fr.list_my_registrations)
        self.rows = [
            RegistrationRow(
                registration_id=r.registration_id,
                facility_name=r.facility_name,
                npi=r.npi,
                status_label=r.status_label,
                progress=f"{r.sections_complete} of {r.sections_total} sections",
                updated_on=r.updated_on,
                submitted_on=r.submitted_on or "Not yet",
                corrections_note=r.corrections_note,
            )
            for r in found
        ]

    async def _open(self, registration_id: int, *, keep_answers: bool = False) -> bool:
        try:
            view = await call_service(fr.registration_view, registration_id=registration_id)
        except (fr.RegistrationNotFound, PermissionDenied):
            self.registration_id, self.form_error = 0, "That registration cannot be opened."
            return False
        self.registration_id = view.registration_id
        self.status_label, self.corrections_note = view.status_label, view.corrections_note
        self.changed_since_submitted = view.changed_since_submitted
        self.offered = list(view.offered)
        self.sections = [
            SectionLink(section=s, label=label, complete=s in view.completed_sections)
            for s, label in SECTION_CHOICES
        ]
        if not keep_answers:
            self.answers = flat_answers(view.sections)
        return True

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def load_page(self):
        self.form_error = self.message = ""
        self.errors = _no_errors()
        self.registration_id, self.section = 0, "facility"
        wanted = as_int(page_params(self).get("registration", ""))
        if wanted:
            await self._open(wanted)
        await self._reload_list()

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def start_new(self):
        registration_id = await call_service(fr.start_registration)
        self.section, self.errors, self.form_error = "facility", _no_errors(), ""
        await self._open(registration_id)
        self.message = "A new registration is started. Save each section as you go."

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def open_registration(self, registration_id: int):
        self.section, self.errors, self.form_error, self.message = "facility", _no_errors(), "", ""
        await self._open(as_int(registration_id))

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def back_to_list(self):
        self.registration_id, self.form_error, self.message = 0, "", ""
        await self._reload_list()

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def choose_section(self, section: str):
        if section in fr.SECTIONS:
            self.section, self.errors, self.form_error, self.message = section, _no_errors(), "", ""

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def update_answer(self, key: str, value: str):
        if key in self.answers and isinstance(value, str):
            self.answers[key] = value[: fr.ANSWER_MAX]

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def toggle_modality(self, modality: str, checked: bool):
        if modality in SCORED_MODALITIES:
            self.answers[f"offered.{modality}"] = "yes" if checked is True else ""

    def _section_answers(self) -> dict:
        if self.section == "modalities":
            return {"offered": [m for m in SCORED_MODALITIES if self.answers.get(f"offered.{m}") == "yes"]}
        offered = set(self.offered)
        return {
            key: self.answers.get(key, "")
            for key in section_keys(self.section)
            if "." not in key or key.split(".")[0] in offered
        }

    async def _save(self) -> bool:
        if not self.registration_id:
            return False
        try:
            errors = await call_service(
                fr.save_section,
                registration_id=self.registration_id,
                section=self.section,
                answers=self._section_answers(),
            )
        except (fr.RegistrationNotFound, PermissionDenied):
            self.form_error = "This registration cannot be changed."
            return False
        self.errors = {**_no_errors(), **{k: v for k, v in errors.items() if k in ERROR_KEYS}}
        await self._open(self.registration_id, keep_answers=True)
        if errors:
            self.form_error, self.message = (
                "The section is saved but not complete: correct the fields marked below.",
                "",
            )
            return False
        self.form_error, self.message = "", f"{fr.SECTION_LABELS[self.section]} saved."
        return True

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def save_section(self):
        if not await self._save():
            return focus_first_error()
        return None

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def save_and_continue(self):
        if not await self._save():
            return focus_first_error()
        position = fr.SECTIONS.index(self.section)
        if position + 1 < len(fr.SECTIONS):
            self.section = fr.SECTIONS[position + 1]
        return None

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def submit(self):
        if not self.registration_id:
            return None
        try:
            errors = await call_service(fr.submit_registration, registration_id=self.registration_id)
        except (fr.RegistrationNotFound, PermissionDenied):
            self.form_error = "This registration cannot be submitted."
            return focus_first_error()
        if errors:
            self.form_error, self.message = " ".join(errors.values()), ""
            if "npi" in errors:
                self.section = "facility"
                self.errors = {**_no_errors(), "npi": errors["npi"]}
            return focus_first_error()
        return rx.redirect(f"{routes.FACILITY_SCORES}?registration={self.registration_id}")


class FacilityScoresState(rx.State):
    registration_id: int = 0
    facility_name: str = ""
    as_of: str = ""
    preview: bool = False
    cards: list[ScoreCard] = []
    error: str = ""

    @rx.event
    @authorized(Role.FACILITY_STAFF)
    async def load_page(self):
        self.cards, self.error, self.facility_name = [], "", ""
        self.registration_id = as_int(page_params(self).get("registration", ""))
        if not self.registration_id:
            rows = await call_service(fr.list_my_registrations)
            self.registration_id = rows[0].registration_id if rows else 0
        if not self.registration_id:
            self.error = "You have no facility registration yet."
            return
        try:
            card = await call_service(fr.facility_scorecard, registration_id=self.registration_id)
        except (fr.RegistrationNotFound, PermissionDenied):
            self.error = "That registration cannot be shown."
            return
        self.facility_name, self.as_of, self.preview = card.facility_name, card.on.isoformat(), card.preview
        self.cards = score_cards(card.scores)
        if not self.cards:
            self.error = "Choose the modalities you offer to see their scores."
