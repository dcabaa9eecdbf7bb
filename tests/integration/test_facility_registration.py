"""Facility registration: saving sections (answers kept on errors), submitting creates or links the
Facility and scores it, who may see what, support's correction requests, and rescoring on the day an
accreditation expires."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from portal_app.domain.enums import FacilityRegistrationStatus, FacilityType
from portal_app.domain.identifiers import npi_check_digit
from portal_app.models import AuditEvent, Facility, FacilityModalityScore, FacilityRegistration, OutboxEmail
from portal_app.services import facility_registration as fr
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

TODAY = date(2026, 11, 23)
STEM = "388123456"
NPI = STEM + str(npi_check_digit(STEM))

FACILITY = {
    "npi": NPI,
    "name": "Lakeside Open MRI (demo)",
    "facility_type": "free_standing",
    "address_line": "12 Shore Road",
    "city": "Lakeside",
    "state": "ca",
    "postal_code": "92040",
    "phone": "(619) 555-0140",
    "fax": "619-555-0141",
    "tax_id": "901000003",
}
EQUIPMENT = {
    "ct.units": "1",
    "ct.year_installed": "2022",
    "ct.slices": "64",
    "ct.xr29": "yes",
    "ct.iterative_reconstruction": "yes",
    "ct.automatic_exposure_control": "yes",
    "ct.dose_records": "yes",
    "mri.units": "2",
    "mri.year_installed": "2018",
    "mri.field_strength": "1.5",
}
STAFF = {
    "ct.technologists_credentialed": "yes",
    "ct.physicians_board_certified": "yes",
    "ct.physician_on_site_contrast": "yes",
    "mri.technologists_credentialed": "yes",
    "mri.physicians_board_certified": "no",
    "mri.physician_on_site_contrast": "yes",
}
ACCREDITATION = {
    "ct.body": "acr",
    "ct.expires_on": "2026-12-15",
    "mri.body": "iac",
    "mri.expires_on": "2028-03-01",
}
QUALITY = {
    "qc_log": "yes",
    "dose_registry": "yes",
    "emergency_training": "yes",
    "ct.physics_survey_on": "2026-05-01",
    "mri.physics_survey_on": "2026-06-01",
}
ANSWERS = {
    "facility": FACILITY,
    "modalities": {"offered": ["ct", "mri"]},
    "equipment": EQUIPMENT,
    "staff": STAFF,
    "accreditation": ACCREDITATION,
    "quality": QUALITY,
}


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _fill(session, actor, registration_id, answers=ANSWERS):
    for section in fr.SECTIONS:
        assert (
            fr.save_section(
                session,
                actor=actor,
                registration_id=registration_id,
                section=section,
                answers=answers[section],
                today=TODAY,
            )
            == {}
        ), section


def _registered(session, actor):
    registration_id = fr.start_registration(session, actor=actor)
    _fill(session, actor, registration_id)
    assert fr.submit_registration(session, actor=actor, registration_id=registration_id, today=TODAY) == {}
    return registration_id


def _actions(session, action):
    return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def _unregistered_site(session) -> Facility:
    """A demo facility of another organisation, with no registration."""
    registered = select(FacilityRegistration.facility_id).where(FacilityRegistration.facility_id.is_not(None))
    return session.exec(
        select(Facility)
        .where(Facility.tax_id != "90-1000003", Facility.id.not_in(registered))
        .order_by(Facility.id)
    ).first()


def test_a_section_with_errors_keeps_the_answers_and_stays_incomplete(demo):
    staff = actor_for(demo, "facility")
    registration_id = fr.start_registration(demo, actor=staff)
    errors = fr.save_section(
        demo,
        actor=staff,
        registration_id=registration_id,
        section="facility",
        answers={
            **FACILITY,
            "npi": "1234567890",
            "state": "Cal",
            "postal_code": "9204",
            "tax_id": "90-1000001",
            "phone": "555",
        },
        today=TODAY,
    )
    assert set(errors) == {"npi", "state", "postal_code", "tax_id", "phone"}
    view = fr.registration_view(demo, actor=staff, registration_id=registration_id)
    assert (
        view.sections["facility"]["npi"] == "1234567890" and view.sections["facility"]["city"] == "Lakeside"
    )
    assert view.completed_sections == ()

    assert (
        fr.save_section(
            demo,
            actor=staff,
            registration_id=registration_id,
            section="facility",
            answers=FACILITY,
            today=TODAY,
        )
        == {}
    )
    view = fr.registration_view(demo, actor=staff, registration_id=registration_id)
    assert view.completed_sections == ("facility",)
    assert view.sections["facility"]["state"] == "CA" and view.sections["facility"]["tax_id"] == "90-1000003"
    saved = [
        e
        for e in _actions(demo, "facility_registration.section_saved")
        if e.record_id == str(registration_id)
    ]
    assert [e.detail["complete"] for e in saved] == [False, True]


def test_per_modality_sections_check_each_offered_modality(demo):
    staff = actor_for(demo, "facility")
    registration_id = fr.start_registration(demo, actor=staff)
    assert fr.save_section(
        demo, actor=staff, registration_id=registration_id, section="equipment", answers={}, today=TODAY
    ) == {"offered": "Choose the modalities you offer first (section Modalities offered)."}
    fr.save_section(
        demo,
        actor=staff,
        registration_id=registration_id,
        section="modalities",
        answers={"offered": ["ct", "mri"]},
        today=TODAY,
    )
    errors = fr.save_section(
        demo,
        actor=staff,
        registration_id=registration_id,
        section="equipment",
        answers={**EQUIPMENT, "ct.year_installed": "2027", "mri.field_strength": "9", "ct.xr29": "maybe"},
        today=TODAY,
    )
    assert set(errors) == {"ct.year_installed", "mri.field_strength", "ct.xr29"}
    errors = fr.save_section(
        demo,
        actor=staff,
        registration_id=registration_id,
        section="accreditation",
        answers={"ct.body": "acr", "mri.body": "none"},
        today=TODAY,
    )
    assert set(errors) == {"ct.expires_on"}
    assert (
        fr.save_section(
            demo,
            actor=staff,
            registration_id=registration_id,
            section="equipment",
            answers=EQUIPMENT,
            today=TODAY,
        )
        == {}
    )
    # Offering one more modality makes the equipment section incomplete again.
    fr.save_section(
        demo,
        actor=staff,
        registration_id=registration_id,
        section="modalities",
        answers={"offered": ["ct", "mri", "pet"]},
        today=TODAY,
    )
    view = fr.registration_view(demo, actor=staff, registration_id=registration_id)
    assert view.offered == ("ct", "mri", "pet") and "equipment" not in view.completed_sections


def test_submitting_needs_every_section(demo):
    staff = actor_for(demo, "facility")
    registration_id = fr.start_registration(demo, actor=staff)
    fr.save_section(
        demo, actor=staff, registration_id=registration_id, section="facility", answers=FACILITY, today=TODAY
    )
    errors = fr.submit_registration(demo, actor=staff, registration_id=registration_id, today=TODAY)
    assert "Modalities offered" in errors["sections"]
    assert demo.exec(select(Facility).where(Facility.npi == NPI)).first() is None


def test_submitting_creates_the_facility_and_its_scores(demo):
    staff = actor_for(demo, "facility")
    submitted_before = len(_actions(demo, "facility_registration.submitted"))
    registration_id = _registered(demo, staff)
    facility = demo.exec(select(Facility).where(Facility.npi == NPI)).one()
    assert facility.facility_type == FacilityType.FREE_STANDING and facility.tax_id == "90-1000003"
    assert facility.modalities == "ct,cta,cardiac_ct,mri,mra,mrs,fmri,cardiac_mri"
    rows = {
        row.modality: row
        for row in demo.exec(
            select(FacilityModalityScore).where(FacilityModalityScore.facility_id == facility.id)
        ).all()
    }
    card = fr.facility_scorecard(demo, actor=staff, registration_id=registration_id, today=TODAY)
    assert not card.preview
    by_modality = {score.modality: score for score in card.scores}
    # CT: everything met. MRI: installed 2018 (6-10 years: 5 of 10), physicians not certified (0 of 15).
    assert by_modality["ct"].score == 100 and by_modality["mri"].score == 80
    assert {m: r.score for m, r in rows.items()} == {"ct": 100, "mri": 80}
    assert rows["ct"].rescore_on == date(2026, 12, 15) and rows["ct"].computed_on == TODAY
    assert facility.quality_score == 90
    registration = demo.get(FacilityRegistration, registration_id)
    assert (
        registration.status == FacilityRegistrationStatus.SUBMITTED
        and registration.facility_id == facility.id
    )
    assert len(_actions(demo, "facility_registration.submitted")) == submitted_before + 1


def test_an_existing_facility_is_linked_by_npi_only_for_the_practices_tax_id(demo):
    staff = actor_for(demo, "facility")
    demo_site = _unregistered_site(demo)
    registration_id = fr.start_registration(demo, actor=staff)
    _fill(demo, staff, registration_id, {**ANSWERS, "facility": {**FACILITY, "npi": demo_site.npi}})
    errors = fr.submit_registration(demo, actor=staff, registration_id=registration_id, today=TODAY)
    assert "not one of your practices" in errors["npi"]

    demo_site.tax_id = "90-1000003"
    demo.add(demo_site)
    demo.commit()
    assert fr.submit_registration(demo, actor=staff, registration_id=registration_id, today=TODAY) == {}
    demo.refresh(demo_site)
    assert demo_site.quality_score == 90 and demo_site.modalities.startswith("ct,")
    assert (
        demo_site.name.endswith("(demo)") and demo_site.name != FACILITY["name"]
    )  # details change elsewhere
    # A second registration of the same site is refused.
    second = fr.start_registration(demo, actor=staff)
    _fill(demo, staff, second, {**ANSWERS, "facility": {**FACILITY, "npi": demo_site.npi}})
    assert (
        "already registered"
        in fr.submit_registration(demo, actor=staff, registration_id=second, today=TODAY)["npi"]
    )


def test_who_may_see_and_change_a_registration(demo):
    staff = actor_for(demo, "facility")
    registration_id = fr.start_registration(demo, actor=staff)
    office, support = actor_for(demo, "ordering"), actor_for(demo, "support")
    with pytest.raises(PermissionDenied):
        fr.start_registration(demo, actor=office)
    with pytest.raises(PermissionDenied):
        fr.registration_view(demo, actor=office, registration_id=registration_id)
    with pytest.raises(PermissionDenied):
        fr.save_section(
            demo, actor=support, registration_id=registration_id, section="facility", answers=FACILITY
        )
    with pytest.raises(PermissionDenied):
        fr.list_registrations(demo, actor=staff)
    assert (
        fr.registration_view(demo, actor=support, registration_id=registration_id).registration_id
        == registration_id
    )
    assert fr.list_my_registrations(demo, actor=staff)[0].registration_id == registration_id
    assert fr.list_my_registrations(demo, actor=actor_for(demo, "facility")) != []
    with pytest.raises(fr.RegistrationNotFound):
        fr.registration_view(demo, actor=staff, registration_id=registration_id + 100)
    assert len(_actions(demo, "access.denied")) == 4


def test_support_asks_for_corrections_and_the_resubmission_updates_the_scores(demo):
    staff, support = actor_for(demo, "facility"), actor_for(demo, "support")
    registration_id = _registered(demo, staff)
    submitted_before = fr.list_registrations(demo, actor=support, status="submitted")[1]
    rows, total = fr.list_registrations(demo, actor=support, status="submitted")
    rows = [row for row in rows if row.registration_id == registration_id]
    assert (
        total >= 1
        and rows[0].facility_name == FACILITY["name"]
        and rows[0].author_email == "facility@demo.precert.test"
    )
    assert fr.request_corrections(demo, actor=support, registration_id=registration_id, note="ok") == {
        "note": "Say what the facility should correct."
    }
    assert (
        fr.request_corrections(
            demo,
            actor=support,
            registration_id=registration_id,
            note="The MRI accreditation certificate shows IAC expiry 2027-03-01.",
        )
        == {}
    )
    view = fr.registration_view(demo, actor=staff, registration_id=registration_id)
    assert view.status == "corrections_requested" and "2027-03-01" in view.corrections_note
    mail = demo.exec(select(OutboxEmail).where(OutboxEmail.to_address == "facility@demo.precert.test")).all()[
        -1
    ]
    assert "Corrections requested" in mail.subject and "2027-03-01" not in mail.body
    assert fr.list_registrations(demo, actor=support, status="submitted")[1] == submitted_before - 1
    assert [
        r.registration_id
        for r in fr.list_registrations(demo, actor=support, status="corrections_requested")[0]
    ] == [registration_id]

    # Editing keeps the published scores until the facility submits again.
    fr.save_section(
        demo,
        actor=staff,
        registration_id=registration_id,
        section="staff",
        answers={**STAFF, "mri.physicians_board_certified": "yes"},
        today=TODAY,
    )
    facility = demo.exec(select(Facility).where(Facility.npi == NPI)).one()
    assert fr.current_modality_scores(demo, [facility.id], today=TODAY) == {
        facility.id: {"ct": 100, "mri": 80}
    }
    assert fr.registration_view(demo, actor=staff, registration_id=registration_id).changed_since_submitted
    assert fr.submit_registration(demo, actor=staff, registration_id=registration_id, today=TODAY) == {}
    assert fr.current_modality_scores(demo, [facility.id], today=TODAY) == {
        facility.id: {"ct": 100, "mri": 95}
    }
    assert demo.get(FacilityRegistration, registration_id).status == FacilityRegistrationStatus.SUBMITTED
    assert len(_actions(demo, "facility_registration.resubmitted")) == 1
    assert len(_actions(demo, "facility_registration.corrections_requested")) == 1


def test_scores_drop_on_the_day_the_accreditation_expires(demo):
    staff = actor_for(demo, "facility")
    _registered(demo, staff)
    facility = demo.exec(select(Facility).where(Facility.npi == NPI)).one()
    other = _unregistered_site(demo)
    assert fr.current_modality_scores(demo, [facility.id, other.id], today=date(2026, 12, 14)) == {
        facility.id: {"ct": 100, "mri": 80}
    }
    assert fr.current_modality_scores(demo, [facility.id], today=date(2026, 12, 15)) == {
        facility.id: {"ct": 80, "mri": 80}
    }
    demo.refresh(facility)
    assert facility.quality_score == 80
    row = demo.exec(
        select(FacilityModalityScore).where(
            FacilityModalityScore.facility_id == facility.id, FacilityModalityScore.modality == "ct"
        )
    ).one()
    assert row.computed_on == date(2026, 12, 15) and row.rescore_on == date(
        2027, 6, 1
    )  # the survey of 2026-05-01 runs out
    assert len(_actions(demo, "facility_scores.rescored")) == 1


def test_a_draft_scorecard_is_a_preview(demo):
    staff = actor_for(demo, "facility")
    registration_id = fr.start_registration(demo, actor=staff)
    fr.save_section(
        demo,
        actor=staff,
        registration_id=registration_id,
        section="modalities",
        answers={"offered": "ultrasound"},
        today=TODAY,
    )
    card = fr.facility_scorecard(demo, actor=staff, registration_id=registration_id, today=TODAY)
    assert card.preview and [s.modality for s in card.scores] == ["ultrasound"] and card.scores[0].score == 0
